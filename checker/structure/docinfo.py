"""The document's kind, year, tertial and unit, from what its front page says.

The title ("Verksamhetsberättelse 2025", "Tertialrapport 2 2025",
"Verksamhetsplan 2024") is looked for on the front page first, then in page
headers and the file's title property. The unit's name is the line that
follows the title on the front page (the template puts it there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from checker.model import Kind
from checker.text import fold_ocr, similar

_KIND_WORDS: list[tuple[str, Kind]] = [
    ("verksamhetsberattelse", "verksamhetsberattelse"),
    ("verksamhetsplan", "verksamhetsplan"),
    ("tertialrapport", "tertialrapport"),
    ("tertialuppfoljning", "tertialrapport"),
]
_YEAR = re.compile(r"\b(19[89]\d|20\d{2})\b")
_TERTIAL = re.compile(r"\b(?:tertialrapport|tertialuppfoljning|tertial)\s*(?:t\s?)?([12])\b|\bt([12])\b")
# Front-page lines that are never the unit's name.
# Whole words only: "Telefon: 08-…" is not a unit, "Telefonplans hemtjänst" is.
_NOT_UNIT = re.compile(
    r"^(?:tjansteutlatande|dnr|handlaggare|telefon|till|stockholms stad|sid|bilaga|innehallsforteckning"
    r"|start\.stockholm|stadsdelsnamnd|stadsdelsforvaltning)(?![a-z])"
)
# The unit's street address, printed under its name: "Lövholmsvägen 31", "Götgatan 14 B".
_STREET_ADDRESS = re.compile(
    r"(?:vagen|gatan|gata|vag|torget|torg|plan|backe|backen|allen|stigen|grand|kajen|platsen|liden|leden)"
    r"\s+\d{1,4}\s*[a-z]?$"
)


@dataclass(slots=True)
class DocInfo:
    kind: Kind | None = None
    year: int | None = None
    tertial: int | None = None
    unit: str | None = None
    title: str | None = None


def find_docinfo(front_lines: Sequence[str], other_texts: Sequence[str], core_title: str | None) -> DocInfo:
    """`front_lines` are the paragraphs before the first section or goal heading;
    `other_texts` the text boxes and page headers, looked at when the front page
    does not say; the file's title property comes last."""
    info = DocInfo()
    for lines in (front_lines, other_texts):
        title_index = _find_title(lines, info)
        if title_index is not None:
            info.unit = _unit_after(lines, title_index)
            break
    else:
        _read_title(core_title or "", info)
    if info.unit is None:
        info.unit = _unit_before_title(front_lines) or _unit_before_title(other_texts)
    return info


def _find_title(lines: Sequence[str], info: DocInfo) -> int | None:
    for index, line in enumerate(lines):
        if _read_title(line, info):
            return index
    return None


def _read_title(line: str, info: DocInfo) -> bool:
    """Fill `info` from a title line such as "Verksamhetsberättelse 2025"."""
    folded = fold_ocr(line)
    if len(folded) > 80:
        return False
    words = folded.replace(":", " ").split()
    if not words:
        return False
    for word, kind in _KIND_WORDS:
        if any(similar(candidate, word, 0.12) for candidate in words[:3]):
            year = _YEAR.search(folded)
            info.kind, info.title = kind, line.strip()
            info.year = int(year.group(1)) if year else None
            if kind == "tertialrapport":
                tertial = _TERTIAL.search(folded)
                info.tertial = int(tertial.group(1) or tertial.group(2)) if tertial else None
            return True
    # "T2 2025" alone as a title
    short = re.fullmatch(r"t\s?([12])\s+(20\d{2})", folded.strip())
    if short:
        info.kind, info.tertial, info.year, info.title = "tertialrapport", int(short.group(1)), int(short.group(2)), line.strip()
        return True
    return False


def _plausible_unit(line: str) -> bool:
    folded = fold_ocr(line)
    if not folded or len(folded) > 80 or len(folded) < 3:
        return False
    if _NOT_UNIT.match(folded) or _STREET_ADDRESS.search(folded):
        return False
    if re.search(r"\d{3}", folded) or "@" in folded or folded.startswith("www"):
        return False
    return not any(similar(w, k, 0.12) for w in folded.split()[:1] for k, _ in _KIND_WORDS)


def _unit_after(lines: Sequence[str], title_index: int) -> str | None:
    for line in lines[title_index + 1 : title_index + 4]:
        if _plausible_unit(line):
            return line.strip()
    return None


def cleaner_unit(unit: str | None, texts: Iterable[str]) -> str | None:
    """The unit's name as written with the least scan damage anywhere in the document.

    A scanned front page often carries the name twice (under the title and in
    the address block), and running headers repeat it further in, each copy
    damaged differently or not at all: "Fru&ngens hemtjänst", "Fruängens
    hemtjanst", "Fruängens hemtjänst". A copy counts when it is the same name
    up to one OCR edit per ten letters.
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
    return best


def _scan_damage(text: str) -> tuple[int, int]:
    """(OCR stand-ins such as "&" for "ä" or "6" inside a word, minus letters with diacritics): lower is cleaner."""
    stand_ins = sum(1 for ch in text if ch in "&¢€") + len(_DIGIT_IN_WORD.findall(text))
    return stand_ins, -sum(1 for ch in text if ch in _SWEDISH_LETTERS)


_DIGIT_IN_WORD = re.compile(r"(?<=[^\W\d_])\d|\d(?=[^\W\d_])")
_SWEDISH_LETTERS = frozenset("åäöÅÄÖéÉüÜ")


def _unit_before_title(lines: Sequence[str]) -> str | None:
    """Fallback: the first plausible line after "Stockholms stad" on the front page."""
    for index, line in enumerate(lines[:15]):
        if fold_ocr(line).startswith("stockholms"):
            for candidate in lines[index + 1 : index + 4]:
                if _plausible_unit(candidate):
                    return candidate.strip()
    return None
