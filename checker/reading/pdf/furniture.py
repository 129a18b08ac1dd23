"""Page headers and footers: lines at the top or bottom of a page that repeat on other pages.

A line is furniture when it stands in the page's top or bottom band AND its
text, digits masked ("Sid 7 (14)" = "Sid 8 (14)"), stands in a band on
another page too; or when it is in a band and reads as page furniture by
itself ("Sid 1 (1)"). A goal heading, part label or a table's header row is
never furniture, even at the top of two pages: it is content that happens to
start a page.
"""

from __future__ import annotations

import re

from checker.reading.pdf.lines import Line
from checker.structure import furniture as known
from checker.structure.labels import match_goal_heading, match_part_label, match_status
from checker.structure.tables import classify_header
from checker.text import fold

# The share of the page height at the top and at the bottom where headers and footers stand.
_BAND = 0.12
_DIGITS = re.compile(r"\d+")


def _key(text: str) -> str:
    return _DIGITS.sub("#", fold(text)).strip()


def _structural(line: Line, text: str) -> bool:
    # A table's header row repeated at the top of each page it continues on is the table's, not the page's.
    if "\t" in line.raw and classify_header(line.raw.split("\t")) is not None:
        return True
    return bool(match_goal_heading(text) or match_part_label(text) or match_status(text))


def find_furniture(pages: list[list[Line]], heights: list[float]) -> set[int]:
    """id() of the lines that are page headers or footers."""
    in_band: list[tuple[Line, str]] = []
    pages_of: dict[str, set[int]] = {}
    for number, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for line in lines:
            if line.bottom <= height * _BAND or line.top >= height * (1 - _BAND):
                key = _key(line.raw)
                if not key:
                    continue
                in_band.append((line, key))
                pages_of.setdefault(key, set()).add(number)
    found: set[int] = set()
    for line, key in in_band:
        text = " ".join(line.raw.split())
        if _structural(line, text):
            continue
        if len(pages_of[key]) >= 2 or known.is_furniture(text):
            found.add(id(line))
    return found
