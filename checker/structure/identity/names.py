"""Clues from the file's own name and its folder's: weak, since names are often wrong.

"hagersten_alvsjo_vp2024_export.docx", "Tertialrapport 1 2025 Aspudden.docx",
"VB2025/…". A name like "verksamhetsplan_slutlig.docx" may well be last
year's plan, so these clues only decide when nothing in the document does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from checker.model import IdentitySource
from checker.structure.identity.clues import WEIGHT_FILE_NAME, WEIGHT_FOLDER, Clue
from checker.text import fold_ocr

_KIND_TOKENS: tuple[tuple[re.Pattern[str], str, int | None], ...] = (
    (re.compile(r"\b(?:vp|verksamhetsplan(?:en)?)\b"), "verksamhetsplan", None),
    (re.compile(r"\b(?:vb|verksamhetsberattelse(?:n)?|arsberattelse)\b"), "verksamhetsberattelse", None),
    (re.compile(r"\b(?:t|tertial|tertialrapport|tertialuppfoljning)\s?([12])\b"), "tertialrapport", 0),
)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def name_clues(path: Path) -> list[Clue]:
    clues = list(_clues_of(path.stem, "filnamn", WEIGHT_FILE_NAME, f"filnamnet ”{path.name}”"))
    folder = path.parent.name
    if folder:
        clues.extend(_clues_of(folder, "mapp", WEIGHT_FOLDER, f"mappen ”{folder}”"))
    return clues


def name_words(path: Path) -> set[str]:
    """The words of the file's and its folder's names, folded: to tell which unit a name points at."""
    text = f"{_spaced(path.stem)} {_spaced(path.parent.name)}"
    return {word for word in text.split() if len(word) >= 4 and not word.isdigit()}


def _clues_of(name: str, source: IdentitySource, weight: float, said: str) -> Iterator[Clue]:
    text = _spaced(name)
    for pattern, kind, group in _KIND_TOKENS:
        match = pattern.search(text)
        if match:
            yield Clue("kind", kind, source, said, weight)
            if group is not None:
                yield Clue("tertial", int(match.group(1)), source, said, weight)
            break
    years = set(_YEAR.findall(text))
    if len(years) == 1:
        yield Clue("year", int(years.pop()), source, said, weight)


def _spaced(name: str) -> str:
    """"hagersten_alvsjo_vp2024" → "hagersten alvsjo vp 2024"."""
    folded = fold_ocr(name)
    folded = re.sub(r"[_.\-()\[\]]+", " ", folded)
    folded = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", folded)
    return " ".join(folded.split())
