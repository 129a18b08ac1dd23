"""Page headers and footers: lines at the top or bottom of a page that repeat on other pages.

A line is furniture when it stands in the page's top or bottom band AND its
text, digits masked ("Sid 7 (14)" = "Sid 8 (14)"), stands at the same distance
from the page's edge on a good share of the pages (a line of text that starts
or ends two pages of many at the same height, as a regular layout makes it, is
chance, and a sentence is never furniture); or when it is in a band and reads
as page furniture by
itself ("Sid 1 (1)"). A goal heading, part label or a table's header row is
never furniture, even at the top of two pages: it is content that happens to
start a page.
"""

from __future__ import annotations

import math
import re

from checker.reading.pdf.lines import Line
from checker.structure import furniture as known
from checker.structure.labels import match_goal_heading, match_part_label, match_status
from checker.structure.tables import classify_header
from checker.text import fold

# The share of the page height at the top and at the bottom where headers and footers stand.
_BAND = 0.12
_DIGITS = re.compile(r"\d+")
# The share of the pages a running header or footer repeats on at least (when not known furniture by itself).
_SHARE_OF_PAGES = 0.3
# A line longer than this that ends with a full stop is a sentence, never a header.
_SENTENCE = 25
# Points a running header may move between pages (a one-line and a two-line header above it).
_SAME_PLACE = 3.0


def _key(text: str) -> str:
    return _DIGITS.sub("#", fold(text)).strip()


def _structural(line: Line, text: str) -> bool:
    # A table's header row repeated at the top of each page it continues on is the table's, not the page's.
    if "\t" in line.raw and classify_header(line.raw.split("\t")) is not None:
        return True
    return bool(match_goal_heading(text) or match_part_label(text) or match_status(text))


def find_furniture(pages: list[list[Line]], heights: list[float]) -> set[int]:
    """id() of the lines that are page headers or footers."""
    in_band: list[tuple[Line, str, float]] = []
    places_of: dict[str, list[tuple[int, float]]] = {}
    for number, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for line in lines:
            if line.bottom <= height * _BAND:
                edge = line.top  # how far below the top edge
            elif line.top >= height * (1 - _BAND):
                edge = -(height - line.bottom)  # how far above the bottom edge (negative: the bottom band)
            else:
                continue
            key = _key(line.raw)
            if not key:
                continue
            in_band.append((line, key, edge))
            places_of.setdefault(key, []).append((number, edge))
    found: set[int] = set()
    # A running header stands on most pages; a line of text at the same height on two pages of many is chance.
    often = max(2, math.ceil(_SHARE_OF_PAGES * len(pages)))
    for line, key, edge in in_band:
        text = " ".join(line.raw.split())
        if _structural(line, text) or (len(text) > _SENTENCE and text.endswith(".")):
            continue
        # The same text at the same distance from the page's edge on another page: a running header or footer.
        # (The same sentence in the band of two pages, at another height, is text that happens to start a page.)
        elsewhere = {number for number, other in places_of[key] if abs(other - edge) <= _SAME_PLACE}
        if len(elsewhere) >= often or known.is_furniture(text):
            found.add(id(line))
    return found
