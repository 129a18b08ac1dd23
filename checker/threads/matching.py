"""Pairing one document's goals, results, indicators and activities with another's.

A report repeats its plan's goals, but not always word for word: a goal is
reworded a little, diacritics are lost in a scan, results are renumbered, a
goal moves to another nämndmål. So things are paired by how alike their
texts are (rapidfuzz token similarity on OCR-folded text), with their place
as context: a goal under the counterpart of its plan's nämndmål is the more
likely partner. Pairing is one-to-one and greedy, best score first, level by
level from the KF goals down, so that a level's context is known before the
level below is paired. Every pair has a confidence (0–1); what finds no
partner is kept on both sides, because that is what a coordinator asks
about: which goals of the plan were not followed up, which are new.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from checker.model import Enhetsmal, KfInriktningsmal, KfMal, Namndmal, Report
from checker.text import fold_ocr

# Pairing order: a level's parents are paired before the level itself.
GOAL_KINDS: tuple[str, ...] = ("kf_inriktningsmal", "kf_mal", "namndmal", "enhetsmal")
ITEM_KINDS: tuple[str, ...] = ("resultat", "indikator", "aktivitet")
KINDS: tuple[str, ...] = GOAL_KINDS + ITEM_KINDS
KIND_LABELS = {
    "kf_inriktningsmal": "inriktningsmål",
    "kf_mal": "KF-mål",
    "namndmal": "nämndmål",
    "enhetsmal": "enhetsmål",
    "resultat": "förväntat resultat",
    "indikator": "indikator",
    "aktivitet": "aktivitet",
}

# Below this score two things are not taken for the same; with context the
# score moves by CONTEXT up (same place) or down (another place).
THRESHOLD = 0.7
CONTEXT = 0.1
# Numbers in a name carry meaning ("dag 1-14", "14-dagarsperiod"): names whose
# numbers differ are less alike than their letters suggest.
DIGIT_PENALTY = 0.65


@dataclass(eq=False)
class Item:
    """One thing of a document that can have a counterpart elsewhere."""

    kind: str
    obj: Any
    text: str  # as shown to people
    key: str  # as compared
    parent: Item | None
    order: int
    number: str | None = None
    digits: list[str] = field(init=False)  # the numbers in `key`: names whose numbers differ differ

    def __post_init__(self) -> None:
        self.digits = _DIGITS.findall(self.key)


@dataclass(frozen=True)
class Match:
    kind: str
    left: Item
    right: Item
    confidence: float


@dataclass
class Comparison:
    """The pairing of two documents; `left` is the earlier one (the plan)."""

    left: Report
    right: Report
    matches: list[Match]
    left_only: list[Item]
    right_only: list[Item]
    _by_obj: dict[int, tuple[Match, bool]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for match in self.matches:
            self._by_obj[id(match.left.obj)] = (match, True)
            self._by_obj[id(match.right.obj)] = (match, False)

    def match_of(self, obj: Any) -> Match | None:
        found = self._by_obj.get(id(obj))
        return found[0] if found else None

    def counterpart(self, obj: Any) -> Any | None:
        """The paired thing of the other document, for a thing of either."""
        found = self._by_obj.get(id(obj))
        if found is None:
            return None
        match, is_left = found
        return match.right.obj if is_left else match.left.obj

    def of_kind(self, kind: str) -> list[Match]:
        return [m for m in self.matches if m.kind == kind]


def compare(left: Report, right: Report, items: Callable[[Report], list[Item]] | None = None) -> Comparison:
    """Pair everything of `left` with its counterpart in `right`.

    `items` gives a report's items (default `items_of`): a thread compares each
    document with two or three others and passes a cache, since folding every
    goal's text is a third of the work. Pairing never changes an item.
    """
    items = items or items_of
    left_items, right_items = items(left), items(right)
    paired: dict[int, Item] = {}  # id(item) → partner, both directions
    matches: list[Match] = []
    for kind in KINDS:
        lefts = [i for i in left_items if i.kind == kind]
        rights = [i for i in right_items if i.kind == kind]
        for match in _pair(kind, lefts, rights, paired):
            paired[id(match.left)] = match.right
            paired[id(match.right)] = match.left
            matches.append(match)
    matches.sort(key=lambda m: m.left.order)
    left_only = [i for i in left_items if id(i) not in paired]
    right_only = [i for i in right_items if id(i) not in paired]
    return Comparison(left, right, matches, left_only, right_only)


def _pair(kind: str, lefts: Sequence[Item], rights: Sequence[Item], paired: dict[int, Item]) -> list[Match]:
    scored: list[tuple[float, int, int, Item, Item]] = []
    for a in lefts:
        partner = paired.get(id(a.parent)) if a.parent is not None else None
        if kind == "resultat":
            # A result belongs to its goal: it is only looked for under the goal's counterpart.
            candidates: Sequence[Item] = [b for b in rights if partner is not None and partner is b.parent]
        else:
            candidates = rights
        for b, base in _alike(a, candidates):
            score = base + _context(kind, a, b, partner)
            if score >= THRESHOLD:
                scored.append((score, a.order, b.order, a, b))
    # Best first; ties in document order, so the result never depends on set order.
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    taken: set[int] = set()
    found: list[Match] = []
    for score, _, _, a, b in scored:
        if id(a) in taken or id(b) in taken:
            continue
        taken.update((id(a), id(b)))
        found.append(Match(kind, a, b, round(min(score, 1.0), 2)))
    return found


def _score(kind: str, a: Item, b: Item, paired: dict[int, Item]) -> float:
    """The score of one pair, as `_pair` computes it for many at once."""
    partner = paired.get(id(a.parent)) if a.parent is not None else None
    if kind == "resultat" and (partner is None or partner is not b.parent):
        return 0.0
    return similarity(a.key, b.key) + _context(kind, a, b, partner)


def _context(kind: str, a: Item, b: Item, partner: Item | None) -> float:
    bonus = 0.0
    if a.number is not None and a.number == b.number and kind in ("kf_inriktningsmal", "kf_mal"):
        bonus += CONTEXT / 2
    if a.parent is not None and b.parent is not None and partner is not None:
        bonus += CONTEXT if partner is b.parent else -CONTEXT
    return bonus


# The most context can add to a pair's similarity (same number, same place).
_MOST_CONTEXT = CONTEXT / 2 + CONTEXT
# Both ratios are 0–100 and their mean must reach this for a pair to be worth a closer look.
_FLOOR = (THRESHOLD - _MOST_CONTEXT) * 200 - 1e-6


def _alike(a: Item, candidates: Sequence[Item]) -> Iterator[tuple[Item, float]]:
    """The candidates whose similarity to `a`, plus the most context could give, reaches the threshold.

    Each document pair compares every goal with every goal (thousands of
    pairs): rapidfuzz scores a whole list per call in C++, and pairs whose
    sum is out of reach are dropped before any Python work. The similarity of
    what is kept is exactly `similarity(a.key, b.key)`.
    """
    if not candidates:
        return
    if not a.key:
        return  # an empty text is alike nothing (similarity 0, below any threshold)
    keys = [b.key for b in candidates]
    # Neither ratio exceeds 100, so a pair needs each of them above _FLOOR - 100.
    cutoff = max(0.0, _FLOOR - 100)
    sorts = {i: score for _, score, i in process.extract(a.key, keys, scorer=fuzz.token_sort_ratio,
                                                           limit=None, score_cutoff=cutoff)}
    if not sorts:
        return
    sets = {i: score for _, score, i in process.extract(a.key, keys, scorer=fuzz.token_set_ratio,
                                                          limit=None, score_cutoff=cutoff)}
    for i, b in enumerate(candidates):
        if i not in sorts or i not in sets or sorts[i] + sets[i] < _FLOOR:
            continue
        yield b, _combined(a.key, b.key, sorts[i], sets[i], a.digits, b.digits)


_DIGITS = re.compile(r"\d+")


def similarity(a: str, b: str) -> float:
    """0–1: how alike two folded texts are, tolerant of reordering, added or dropped words."""
    if not a or not b:
        return 1.0 if a == b and a else 0.0
    return _combined(a, b, fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b),
                     _DIGITS.findall(a), _DIGITS.findall(b))


def _combined(a: str, b: str, sort_ratio: float, set_ratio: float, a_digits: list[str], b_digits: list[str]) -> float:
    if a == b:
        return 1.0
    score = (sort_ratio + set_ratio) / 200
    if a_digits != b_digits:
        score *= DIGIT_PENALTY
    return score


# --- the things of a report, with their place ----------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


def comparable(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", fold_ocr(text)).split())


def items_of(report: Report) -> list[Item]:
    """Every goal, result item, indicator and activity, in document order, each with its parent goal."""
    found: list[Item] = []
    for goal in report.inriktningsmal:
        _walk(goal, None, found)
    return found


def _add(found: list[Item], kind: str, obj: Any, text: str, parent: Item | None, number: str | None = None) -> Item:
    item = Item(kind, obj, text, comparable(text), parent, len(found), number)
    found.append(item)
    return item


def _walk(goal: KfInriktningsmal | KfMal | Namndmal | Enhetsmal, parent: Item | None, found: list[Item]) -> None:
    kind = goal.type
    number = getattr(goal, "number", None)
    prefix = "".join(f"{p}: " for p in getattr(goal, "prefixes", []))
    item = _add(found, kind, goal, prefix + goal.title, parent, number)
    for child, child_kind in _children(goal):
        if child_kind in GOAL_KINDS:
            _walk(child, item, found)
        elif child_kind == "resultat":
            _add(found, "resultat", child, child.text, item, str(child.number) if child.number is not None else None)
        elif child_kind == "indikator":
            _add(found, "indikator", child, child.name, item)
        else:
            _add(found, "aktivitet", child, child.title, item)


def _children(goal: Any) -> Iterator[tuple[Any, str]]:
    """A goal's contents in document order."""
    pairs: list[tuple[Any, str]] = []
    pairs += [(g, "kf_mal") for g in getattr(goal, "kf_mal", [])]
    pairs += [(g, "namndmal") for g in getattr(goal, "namndmal", [])]
    pairs += [(g, "enhetsmal") for g in getattr(goal, "enhetsmal", [])]
    pairs += [(r, "resultat") for r in getattr(goal, "forvantat_resultat", [])]
    pairs += [(i, "indikator") for i in getattr(goal, "indikatorer", [])]
    pairs += [(a, "aktivitet") for a in getattr(goal, "aktiviteter", [])]
    pairs.sort(key=lambda pair: pair[0].source.block)
    return iter(pairs)
