"""The built-in function samma_lydelse(a, b)."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.functions.algorithms import same_wording
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import BOOL, as_text


# samma_lydelse(a, b) ----------------------------------------------------------------------------


def _samma_lydelse(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    a, b = (as_text(v) for v in args)
    if not a.strip() or not b.strip():
        return None, None
    return same_wording(a, b), None


register(Function(
    "samma_lydelse", ("same_wording", "ordagrant"),
    (Param("a", "text", "den ena texten"), Param("b", "text", "den andra texten")),
    BOOL, _samma_lydelse,
    "Sant när två texter har samma ord i samma ordning, oberoende av skiftläge, diakritiska tecken och "
    "skiljetecken; i ord på tre bokstäver eller mer tåls ett felläst tecken, i ord på åtta eller mer två "
    "(inskannade dokument). "
    "Okänt när någon av texterna saknas.",
    "samma_lydelse(titel, titel i planen)",
))
