"""Ruling lines of a PDF page: the horizontal and vertical strokes tables are drawn with.

A rule is found in three forms: a thin filled rectangle or a stroked line
that is its own path object (what Word and LibreOffice write, one per cell
border), or one segment of a larger stroked path (reportlab draws a table's
whole grid as one path). Collinear pieces that touch are merged into one rule.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

# A path thinner than this (points) is a rule, not an area.
_THIN = 3.0
# Shorter than this it is a tick or a bullet's stroke, not a table border.
_SHORTEST = 4.0
# Pieces of one rule this close (points) are joined.
_JOIN = 2.5
# A path with more segments than this is a drawing, not a table grid (and would cost time to walk).
_MOST_SEGMENTS = 4000


@dataclass(slots=True)
class Rule:
    """A horizontal (`pos` = y) or vertical (`pos` = x) rule from `start` to `end`, top-left coordinates."""

    horizontal: bool
    pos: float
    start: float
    end: float


def page_rules(page: pdfium.PdfPage, height: float) -> list[Rule]:
    found: list[Rule] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1):
        try:
            left, bottom, right, top = obj.get_bounds()
        except pdfium.PdfiumError:
            continue
        width, tall = right - left, top - bottom
        if tall <= _THIN and width >= _SHORTEST:
            found.append(Rule(True, height - (top + bottom) / 2, left, right))
        elif width <= _THIN and tall >= _SHORTEST:
            found.append(Rule(False, (left + right) / 2, height - top, height - bottom))
        elif _stroked(obj):
            found.extend(_segments(obj, height))
    return merge(found)


def _stroked(obj: pdfium.PdfObject) -> bool:
    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    if not raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke)):
        return False
    return bool(stroke.value)


def _segments(obj: pdfium.PdfObject, height: float) -> list[Rule]:
    """The straight axis-parallel segments of a stroked path, in page coordinates."""
    count = raw.FPDFPath_CountSegments(obj.raw)
    if count <= 1 or count > _MOST_SEGMENTS:
        return []
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj.raw, ctypes.byref(matrix)):
        return []
    x, y = ctypes.c_float(0), ctypes.c_float(0)
    rules: list[Rule] = []
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for index in range(count):
        segment = raw.FPDFPath_GetPathSegment(obj.raw, index)
        if not segment or not raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = (matrix.a * x.value + matrix.c * y.value + matrix.e, matrix.b * x.value + matrix.d * y.value + matrix.f)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
            _add_segment(rules, previous, point, height)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            _add_segment(rules, point, start, height)
        previous = point
    return rules


def _add_segment(rules: list[Rule], a: tuple[float, float], b: tuple[float, float], height: float) -> None:
    (x0, y0), (x1, y1) = a, b
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) >= _SHORTEST:
        rules.append(Rule(True, height - y0, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) >= _SHORTEST:
        rules.append(Rule(False, x0, height - max(y0, y1), height - min(y0, y1)))


def merge(rules: list[Rule]) -> list[Rule]:
    """Collinear rules that touch or overlap, joined (a table border is drawn cell by cell)."""
    merged: list[Rule] = []
    for horizontal in (True, False):
        pieces = sorted((r for r in rules if r.horizontal is horizontal), key=lambda r: (round(r.pos), r.start))
        pieces.sort(key=lambda r: r.pos)
        groups: list[list[Rule]] = []
        for rule in pieces:
            if groups and abs(groups[-1][0].pos - rule.pos) <= _JOIN:
                groups[-1].append(rule)
            else:
                groups.append([rule])
        for group in groups:
            pos = sum(r.pos for r in group) / len(group)
            current: Rule | None = None
            for rule in sorted(group, key=lambda r: r.start):
                if current is not None and rule.start <= current.end + _JOIN:
                    current.end = max(current.end, rule.end)
                    continue
                if current is not None:
                    merged.append(current)
                current = Rule(horizontal, pos, rule.start, rule.end)
            if current is not None:
                merged.append(current)
    return merged
