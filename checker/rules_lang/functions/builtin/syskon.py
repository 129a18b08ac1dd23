"""The built-in function syskon("namn")."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.functions.algorithms import names_alike
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.text import fold


# syskon("namn") ---------------------------------------------------------------------------------


def _syskon(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    wanted: str = args[0]
    node = ctx.node
    matches = [
        other for other in ctx.index.siblings(node)
        if other is not node and names_alike(other.title, wanted)
    ]
    if not matches:
        return None, None
    period = fold(getattr(node.obj, "period", None) or "")
    same_period = [m for m in matches if fold(getattr(m.obj, "period", None) or "") == period]
    return (same_period or matches)[0], None


register(Function(
    "syskon", ("sibling",),
    (Param("namn", "string", "syskonets namn; jämförs tolerant mot skiftläge, mellanslag och små stavfel"),),
    None, _syskon,
    "Ett annat syskon av samma slag under samma mål med det namnet (helst samma period), "
    "eller ingenting. Används med punkt: syskon(\"Totalen\").utfall.",
    "utfall <= syskon(\"Totalen\").utfall",
))
