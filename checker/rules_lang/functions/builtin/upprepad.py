"""The built-in function upprepad(fält)."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.functions.algorithms import _comparable
from checker.rules_lang.functions.evidence import Evidence, MISSING
from checker.rules_lang.functions.registry import CallContext, FieldRef, Function, Param, register
from checker.rules_lang.vocabulary import BOOL, as_text
from checker.display import shorten


# upprepad(fält) ---------------------------------------------------------------------------------


def _upprepad(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    ref: FieldRef = args[0]
    node = ctx.node
    parent = node.parent
    key = ("upprepad", id(parent), node.kind, ref.field.id)
    seen = ctx.index.cache.get(key)
    if seen is None:
        seen = {}
        for sibling in ctx.index.siblings(node):
            text = _comparable(as_text(ref.field.get(sibling)))
            if text:
                seen.setdefault(text, sibling)
        ctx.index.cache[key] = seen
    text = _comparable(as_text(ref.value))
    first = seen.get(text) if text else None
    if first is None or first is node:
        return False, None
    return True, Evidence(values={"förlaga": shorten(first.title or MISSING, 80, keep_controls=True)})


register(Function(
    "upprepad", ("dubblett", "duplicate"),
    (Param("fält", "own_field", "fältet som jämförs, t.ex. titel"),),
    BOOL, _upprepad,
    "Sant när ett tidigare syskon (samma slag, under samma mål) har samma värde i fältet, "
    "oberoende av skiftläge, diakritiska tecken och skiljetecken.",
    "ingen aktivitet där upprepad(titel)",
    evidence=("förlaga",),
))
