"""The built-in function likhet(a, b)."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from checker.rules_lang.functions.algorithms import _comparable
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import NUMBER, as_text


# likhet(a, b) ---------------------------------------------------------------------------------------


def _likhet(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    a, b = (_comparable(as_text(v)) for v in args)
    if not a or not b:
        return None, None
    return fuzz.ratio(a, b) / 100, None


register(Function(
    "likhet", ("similarity",),
    (Param("a", "text", "den ena texten"), Param("b", "text", "den andra texten")),
    NUMBER, _likhet,
    "Hur lika två texter är, från 0 (inget gemensamt) till 1 (likadana), oberoende av skiftläge och skiljetecken.",
    "likhet(analys, förväntat resultat) < 0.9",
))
