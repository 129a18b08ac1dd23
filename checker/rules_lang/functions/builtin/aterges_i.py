"""The built-in function återges_i(del)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.rules_lang.functions.algorithms import _restatable_runs, partial_ratio_reaches
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, FieldRef, Function, Param, register
from checker.rules_lang.vocabulary import BOOL, Para, TextBlock, paragraph_number
from checker.text import words


# återges_i(del) -----------------------------------------------------------------------------

_RESTATE_SCORE = 85
_RESTATE_MIN_SHARE = 0.6
_TOKEN_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class _RestatePart:
    """A part's paragraphs in the form every item asked about them is compared with (built once per part)."""

    numbers: frozenset[int]
    # The comparable text of each paragraph that has one, and its set of words.
    texts: tuple[tuple[str, frozenset[str]], ...]


def _restate_part(paragraphs: Sequence[Para]) -> _RestatePart:
    numbers = frozenset(n for n in (paragraph_number(p.text) for p in paragraphs) if n is not None)
    texts = []
    for paragraph in paragraphs:
        runs = _restatable_runs(paragraph.text)
        if runs:
            texts.append((" ".join(runs), frozenset(runs)))
    return _RestatePart(numbers, tuple(texts))


def _restated(item: Any, part: _RestatePart) -> bool:
    """Whether a förväntat-resultat item is taken up in a part, by its number or its words.

    A paragraph restates the item when it shares most of the item's words or
    when its text is close to the item's (partial_ratio). Any one paragraph
    passing either test settles it, so the cheap word test runs over every
    paragraph before the first edit distance is computed.
    """
    number = getattr(item, "number", None)
    if number is not None and number in part.numbers:
        return True
    target = " ".join(_restatable_runs(item.text))
    if not target:
        return True
    target_words = frozenset(w for w in target.split() if len(w) > 2)
    if len(target_words) >= 3:
        share = len(target_words)
        if any(len(target_words & words) / share >= _TOKEN_SHARE for _, words in part.texts):
            return True
    long_enough = _RESTATE_MIN_SHARE * len(target)
    return any(
        min(len(text), len(target)) >= long_enough and partial_ratio_reaches(target, text, _RESTATE_SCORE)
        for text, _ in part.texts
    )


def _aterges_i(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    ref: FieldRef = args[0]
    part = ref.value
    evidence = Evidence(values={"del": ref.field.label})
    if not isinstance(part, TextBlock) or not part.present:
        return None, evidence  # a missing part is another rule's business
    # Each part is asked about every item of its goal: prepare its paragraphs once.
    key = ("återges_i", id(part))
    cached = ctx.index.cache.get(key)
    if cached is None or cached[0] is not part:
        cached = ctx.index.cache[key] = (part, _restate_part(part.paragraphs))
    return _restated(ctx.node.obj, cached[1]), evidence


register(Function(
    "återges_i", ("aterges_i", "restated_in", "följs_upp_i", "foljs_upp_i"),
    (Param("del", "field", "delen där resultatet ska tas upp, t.ex. arbetssätt"),),
    BOOL, _aterges_i,
    "Sant när det förväntade resultatet tas upp i delen: ett stycke börjar med dess nummer "
    "(”2.”), eller upprepar dess text (tolerant för små skillnader). Okänt när delen saknas.",
    "varje resultat: återges_i(arbetssätt)",
    entity_kinds=frozenset({"resultat"}),
    evidence=("del",),
))
