"""The built-in function ord_utöver(text, fraser)."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.functions.algorithms import words_besides
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import NUMBER


# ord_utöver(text, fraser) ---------------------------------------------------------------------


def _ord_utover(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    return float(words_besides(args[0], args[1])), None


register(Function(
    "ord_utöver", ("ord_utover", "words_besides"),
    (Param("text", "text", "texten som ska räknas"), Param("fraser", "phrases", "meningar med dessa fraser räknas inte")),
    NUMBER, _ord_utover,
    "Antalet ord i en text utanför de meningar som innehåller någon av fraserna.",
    "ord_utöver(analys, mina_fraser) >= 25",
))
