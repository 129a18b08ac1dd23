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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

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


def compare(left: Report, right: Report) -> Comparison:
    """Pair everything of `left` with its counterpart in `right`."""
    left_items, right_items = items_of(left), items_of(right)
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
        for b in rights:
            score = _score(kind, a, b, paired)
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
    partner = paired.get(id(a.parent)) if a.parent is not None else None
    if kind == "resultat" and (partner is None or partner is not b.parent):
        # A result belongs to its goal: it is only looked for under the goal's counterpart.
        return 0.0
    score = similarity(a.key, b.key)
    if a.number is not None and a.number == b.number and kind in ("kf_inriktningsmal", "kf_mal"):
        score += CONTEXT / 2
    if a.parent is not None and b.parent is not None and partner is not None:
        score += CONTEXT if partner is b.parent else -CONTEXT
    return score


_DIGITS = re.compile(r"\d+")


def similarity(a: str, b: str) -> float:
    """0–1: how alike two folded texts are, tolerant of reordering, added or dropped words."""
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    score = (fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 200
    if _DIGITS.findall(a) != _DIGITS.findall(b):
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
