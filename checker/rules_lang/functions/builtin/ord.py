"""The built-in function ord(text)."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import NUMBER, as_text
from checker.text import words


# ord(text) ---------------------------------------------------------------------------------


def _ord(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    return float(len(words(as_text(args[0])))), None


register(Function(
    "ord", ("words", "antal_ord"), (Param("text", "text", "texten som ska räknas"),), NUMBER, _ord,
    "Antalet ord i en text.", "ord(analys) >= 25",
))
