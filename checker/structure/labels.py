"""Recognising what a paragraph *says* it is: a goal heading, a part label, a status line.

Structure is recognised from the text, tolerant of case, spacing, lost or
garbled diacritics and small OCR misspellings ("Enhetsmal", "Uppfbljning"),
never from style names alone. All comparisons use folded text (see
checker.text.fold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from checker.model import Bedomning
from checker.text import SimilarLabels, document_cache, fold, fold_ocr, starts_like

# The matchers below are asked about the same line several times while a
# document is recognised (preparing, finding the contents list, building);
# their answers are immutable, so they are cached per text.
_CACHE = 8192


class GoalLevel(Enum):
    KF_INRIKTNINGSMAL = "kf_inriktningsmal"
    KF_MAL = "kf_mal"
    NAMNDMAL = "namndmal"
    ENHETSMAL = "enhetsmal"


# Goal labels as they start a heading line, folded. Longer, more specific
# labels first: "kf:s mal for verksamhetsomradet" must win over a bare "mal".
_GOAL_LABELS: list[tuple[str, GoalLevel]] = [
    ("kf:s inriktningsmal", GoalLevel.KF_INRIKTNINGSMAL),
    ("kfs inriktningsmal", GoalLevel.KF_INRIKTNINGSMAL),
    ("kommunfullmaktiges inriktningsmal", GoalLevel.KF_INRIKTNINGSMAL),
    ("inriktningsmal", GoalLevel.KF_INRIKTNINGSMAL),
    ("kf:s mal for verksamhetsomradet", GoalLevel.KF_MAL),
    ("kfs mal for verksamhetsomradet", GoalLevel.KF_MAL),
    ("kommunfullmaktiges mal for verksamhetsomradet", GoalLevel.KF_MAL),
    ("mal for verksamhetsomradet", GoalLevel.KF_MAL),
    ("namndmal", GoalLevel.NAMNDMAL),
    ("namndens mal", GoalLevel.NAMNDMAL),
    ("styrelsemal", GoalLevel.NAMNDMAL),
    ("enhetsmal", GoalLevel.ENHETSMAL),
    ("enhetens mal", GoalLevel.ENHETSMAL),
]

# Level names that may follow "Enhetsmål:" in a unit document
# ("Enhetsmål: Områdesmål: …"); kept as prefixes of the goal.
_NESTED_PREFIXES = ("avdelningsmal", "omradesmal", "verksamhetsmal", "gruppmal", "enhetsmal", "arbetsplatsmal")


class PartName(Enum):
    FORVANTAT_RESULTAT = "forvantat_resultat"
    ARBETSSATT = "arbetssatt"
    RESURSANVANDNING = "resursanvandning"
    UPPFOLJNING = "uppfoljning"
    UTVECKLING = "utveckling"
    ANALYS = "analys"
    KOMMENTAR = "kommentar"
    BESKRIVNING = "beskrivning"


_PART_LABELS: list[tuple[str, PartName]] = [
    ("forvantat resultat", PartName.FORVANTAT_RESULTAT),
    ("forvantade resultat", PartName.FORVANTAT_RESULTAT),
    ("arbetssatt", PartName.ARBETSSATT),
    ("resursanvandning", PartName.RESURSANVANDNING),
    ("uppfoljning", PartName.UPPFOLJNING),
    ("utveckling", PartName.UTVECKLING),
    ("analys", PartName.ANALYS),
    ("analys och bedomning", PartName.ANALYS),
    ("bedomning och analys", PartName.ANALYS),
    ("arbetssatt och metod", PartName.ARBETSSATT),
    ("aktiviteter och arbetssatt", PartName.ARBETSSATT),
    ("uppfoljning och utvardering", PartName.UPPFOLJNING),
    ("kommentar", PartName.KOMMENTAR),
    ("beskrivning", PartName.BESKRIVNING),
]

_STATUS_WORDS: list[tuple[str, Bedomning]] = [
    ("uppfylls helt", "helt"),
    ("uppfylls delvis", "delvis"),
    ("uppfylls inte", "inte"),
    ("uppfylls ej", "inte"),
    ("inga data", "inga data"),
]
# The labels above, for length-first lookups (see SimilarLabels).
_PART_NAMES = dict(_PART_LABELS)
_PART_MATCHER = SimilarLabels(_PART_NAMES, 0.15)
_STATUS_OF = dict(_STATUS_WORDS)
_STATUS_MATCHER = SimilarLabels(_STATUS_OF, 0.15)
_NESTED_MATCHER = SimilarLabels(_NESTED_PREFIXES, 0.15)
# A status line may start with a glyph from a symbol font, or what OCR made of
# it: nothing, punctuation, a private-use character or one stray letter/digit.
_STATUS_LEAD = re.compile(r"^(?:[^\w\s]+|\w(?=\s))?\s*(?=[a-z])")


# Words some units write before the status: "Målet uppfylls helt", "Prognos: uppfylls delvis".
_STATUS_PREFIX = re.compile(r"^(?:malet|prognos|helarsprognos|arsprognos|bedomning|status|maluppfyllelse)\s*:?\s*")


@dataclass(frozen=True, slots=True)
class GoalHeading:
    level: GoalLevel
    title: str
    number: str | None
    prefixes: tuple[str, ...]


@document_cache(maxsize=_CACHE)
def match_goal_heading(text: str, *, heading_like: bool = False) -> GoalHeading | None:
    """"Enhetsmål: Enheten arbetar …" → GoalHeading(ENHETSMAL, "Enheten arbetar …").

    The label must be followed by a colon, unless the paragraph looks like a
    heading (`heading_like`: heading style or all bold), where a scanner may
    have dropped the colon ("Enhetsmal Enheten arbetar …").
    """
    folded = fold_ocr(text)
    if not heading_like and ":" not in folded:
        return None  # without a colon only a heading-like line can be a goal (see _after_label)
    for label, level in _GOAL_LABELS:
        consumed = starts_like(folded, label, max_ratio=0.15)
        if consumed is None:
            continue
        rest_start = _after_label(text, folded, consumed, colon_optional=heading_like)
        if rest_start is None:
            continue
        title = text[rest_start:].strip()
        prefixes, title = _split_nested_prefixes(title)
        number, title = _split_number(title) if level in (GoalLevel.KF_INRIKTNINGSMAL, GoalLevel.KF_MAL) else (None, title)
        return GoalHeading(level=level, title=title, number=number, prefixes=prefixes)
    return None


def _after_label(text: str, folded: str, consumed: int, *, colon_optional: bool = False) -> int | None:
    """Index in `text` where the title starts, or None if the label is not followed by ':'.

    The colon is what separates "Enhetsmål: Enheten …" from a sentence that
    merely starts with the word ("Enhetsmålen följs upp …"). Folding never
    changes the length of the kinds of text we see here except for
    decomposed characters, so positions are mapped by re-folding prefixes.
    """
    rest = folded[consumed:]
    # "Enhetsmål 2: …" – a goal number between the label and the colon.
    numbered = re.match(r"\s*\d{1,2}[a-z]?\s*(?=:)", rest)
    if numbered:
        rest = rest[numbered.end():]
    stripped = rest.lstrip()
    if stripped.startswith(":"):
        target = len(folded) - len(stripped) + 1
    elif colon_optional and rest.startswith(" ") and stripped[:1].isalnum():
        target = len(folded) - len(stripped)
    else:
        return None
    # Map the folded position back to the original text: the first prefix whose
    # folded form is `target` long. That length never shrinks as the prefix
    # grows, and folding is usually one character for one, so try that first.
    # (Uncached folding: these prefixes would only crowd out useful entries.)
    if 0 < target <= len(text) and _folded_length(text[:target]) >= target > _folded_length(text[: target - 1]):
        return target
    for index in range(len(text) + 1):
        if _folded_length(text[:index]) >= target:
            return index
    return len(text)


def _folded_length(text: str) -> int:
    """len(fold_ocr(text)) without filling the fold cache (OCR substitution keeps lengths)."""
    return len(fold.__wrapped__(text))


def _split_nested_prefixes(title: str) -> tuple[tuple[str, ...], str]:
    prefixes: list[str] = []
    while ":" in title:
        head, rest = title.split(":", 1)
        if _NESTED_MATCHER.first(fold_ocr(head)) is None:
            break
        prefixes.append(head.strip())
        title = rest.strip()
    return tuple(prefixes), title


_GOAL_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\.?\s+(?=\S)")


def _split_number(title: str) -> tuple[str | None, str]:
    match = _GOAL_NUMBER.match(title)
    if match is None:
        return None, title
    return match.group(1), title[match.end():].strip()


@dataclass(frozen=True, slots=True)
class PartLabel:
    name: PartName
    label: str
    # Text written after "Label:" on the same line, if any.
    rest: str


@document_cache(maxsize=_CACHE)
def match_part_label(text: str) -> PartLabel | None:
    """A paragraph that is just a part label ("Förväntat resultat", "Uppfbljning"), or "Analys: …"."""
    stripped = text.strip()
    if not stripped or len(stripped) > 400:
        return None
    head, colon, rest = stripped.partition(":")
    folded_head = fold_ocr(head).strip(" .")
    if len(folded_head) > 30:
        return None
    label = _PART_MATCHER.first(folded_head)
    if label is None:
        return None
    return PartLabel(name=_PART_NAMES[label], label=head.strip(), rest=rest.strip() if colon else "")


@document_cache(maxsize=_CACHE)
def match_status(text: str) -> Bedomning | None:
    """A status line: optional glyph, then "Uppfylls helt/delvis/inte" or "Inga data"."""
    folded = fold_ocr(text)
    if len(folded) > 40:
        return None
    lead = _STATUS_LEAD.match(folded)
    body = folded[lead.end():] if lead else folded
    body = _STATUS_PREFIX.sub("", body.strip(" ."))
    words = _STATUS_MATCHER.first(body)
    if words is None:
        # The glyph may have become a letter glued to nothing else: try without the lead too.
        words = _STATUS_MATCHER.first(folded.strip(" ."))
    return _STATUS_OF[words] if words is not None else None
