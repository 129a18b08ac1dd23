"""The unit's name: what counts as one, what never does, and the cleanest spelling of it.

A unit's name is a short name ("Aspuddens hemtjänst", "Förskolan Solrosen"),
never a heading. Two kinds of heading can stand where the template puts the
unit (the line after the title):

* a heading some template knows: the plan/report template's sections, part
  labels and goal headings, and the tjänsteutlåtande's own ("Förslag till
  beslut", "Sammanfattning", "Bakgrund", "Till", "Handläggare" …);
* a heading of this document: a line laid out as a heading (heading style or
  all bold) or simply followed by running text. A unit's name is followed by
  more short lines (an address, the title) or by nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from checker.structure import sections
from checker.structure.labels import match_goal_heading, match_part_label, match_status
from checker.text import SimilarLabels, fold_ocr

# The tjänsteutlåtande template's own headings and front-page labels (the city's
# template for every case to a nämnd, which wraps the plan or report).
_TJANSTEUTLATANDE = SimilarLabels(
    [
        "tjansteutlatande", "forslag till beslut", "beslut", "sammanfattning", "bakgrund", "arendet",
        "arendets beredning", "beredning", "bilagor", "bilaga", "till", "handlaggare", "telefon", "dnr",
        "yttrande", "forvaltningens forslag", "forvaltningens synpunkter", "forvaltningens bedomning",
        "stockholms stad", "innehall", "innehallsforteckning", "start.stockholm",
    ],
    0.12,
)
_STREET_ADDRESS = re.compile(
    r"(?:vagen|gatan|gata|vag|torget|torg|plan|backe|backen|allen|stigen|grand|kajen|platsen|liden|leden)"
    r"\s+\d{1,4}\s*[a-z]?$"
)
_CONTACT = re.compile(r"@|www\.|\.se\b|\d{3}|^\d|\btel\b|\btelefon\b|\bdnr\b|\bsid\b")
_SENTENCE_END = re.compile(r"[.!?]$")
# The organisation above a unit is not the unit: the district's nämnd and förvaltning, the city.
_ABOVE_UNIT = re.compile(r"stadsdelsnamnd|stadsdelsforvaltning|forvaltning\b|namnd\b|\bkommun\b|^avdelningen for|^stockholms stad")
_PROSE_WORDS = 6
_NAME_MAX_WORDS = 8


@lru_cache(maxsize=4096)  # asked of the same short lines many times per document
def is_template_heading(text: str) -> bool:
    """A heading or label that the plan/report template or the tjänsteutlåtande template uses."""
    folded = fold_ocr(text).strip(" :")
    if _TJANSTEUTLATANDE.first(folded) is not None:
        return True
    # "Analys av resultaträkning - uppföljning av driftbudget": a known heading with a subtitle.
    head = re.split(r"\s[-–:]\s", text, maxsplit=1)[0]
    return any(
        match_part_label(part) or match_status(part) or match_goal_heading(part) or sections.is_known_heading(part)
        for part in dict.fromkeys((text, head))
    )


def is_prose(text: str) -> bool:
    """Running text: a sentence, or a line too long for a name."""
    words = text.split()
    return len(text) > 80 or (len(words) >= _PROSE_WORDS and bool(_SENTENCE_END.search(text.strip())))


def is_heading_here(text: str, following: Sequence[str], styled_as_heading: bool = False) -> bool:
    """Laid out as a heading of this document: styled as one, or followed by running text."""
    after = next((line for line in following if line.strip()), None)
    followed_by_prose = after is not None and is_prose(after)
    return followed_by_prose or (styled_as_heading and after is not None and not is_name_like(after))


def is_name_like(text: str) -> bool:
    """Short, not a sentence, no contact details or address, starts with a capital (it is a name)."""
    stripped = text.strip()
    folded = fold_ocr(stripped)
    if not folded or len(folded) < 3 or len(folded) > 80 or not stripped[0].isupper():
        return False
    if len(folded.split()) > _NAME_MAX_WORDS or _SENTENCE_END.search(stripped):
        return False
    return not (_CONTACT.search(folded) or _STREET_ADDRESS.search(folded))


def is_unit_candidate(text: str, following: Sequence[str] = (), styled_as_heading: bool = False) -> bool:
    """A line that can be the unit's name where it stands: name-like, and no heading of any kind."""
    return (
        is_name_like(text)
        and not _ABOVE_UNIT.search(fold_ocr(text))
        and not is_template_heading(text)
        and not is_heading_here(text, following, styled_as_heading)
        and not _names_a_kind(text)
    )


def is_street_address(text: str) -> bool:
    stripped = text.rstrip()
    # Every street address ends in its number (and perhaps a letter): most lines end here.
    if not stripped or not (stripped[-1].isdigit() or (len(stripped) > 1 and stripped[-2].isdigit()) or stripped[-2:-1] == " "):
        return False
    return bool(_STREET_ADDRESS.search(fold_ocr(stripped).strip()))


def _names_a_kind(text: str) -> bool:
    from checker.structure.identity.title import read_title

    return read_title(text) is not None


def cleaner_unit(unit: str | None, texts: Iterable[str]) -> str | None:
    """The unit's name as written with the least scan damage anywhere in the document.

    A scanned front page often carries the name twice (under the title and in
    the address block), and running headers repeat it further in, each copy
    damaged differently or not at all: "Fru&ngens hemtjänst", "Fruängens
    hemtjanst", "Fruängens hemtjänst".
    """
    if not unit:
        return unit
    key = fold_ocr(unit)
    allowed = max(1, len(key) // 10)
    best = unit
    for text in texts:
        candidate = text.strip()
        if abs(len(candidate) - len(unit)) > allowed or candidate == best:
            continue
        if Levenshtein.distance(fold_ocr(candidate), key, score_cutoff=allowed) <= allowed and (
            _scan_damage(candidate) < _scan_damage(best)
        ):
            best = candidate
    return re.sub(r"(\w)-\s+(\w)", r"\1-\2", best)


def least_damaged(spellings: list[str]) -> str:
    """Of several spellings of one name, the one a scan damaged least (the first on a tie)."""
    return min(spellings, key=_scan_damage)


def _scan_damage(text: str) -> tuple[int, int, int]:
    """(OCR stand-ins such as "&" for "ä", minus letters with diacritics, broken hyphenation): lower is cleaner."""
    stand_ins = sum(1 for ch in text if ch in "&¢€") + len(_DIGIT_IN_WORD.findall(text))
    return stand_ins, -sum(1 for ch in text if ch in _SWEDISH_LETTERS), len(re.findall(r"-\s", text))


_DIGIT_IN_WORD = re.compile(r"(?<=[^\W\d_])\d|\d(?=[^\W\d_])")
_SWEDISH_LETTERS = frozenset("åäöÅÄÖéÉüÜ")
