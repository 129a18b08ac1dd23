"""Ruled tables: ruling lines → grid → cells, and the words that fall in each cell.

Rules that cross each other make one table. The distinct heights of its
horizontal rules are its row lines, the distinct positions of its vertical
rules its column lines. In each row, a column line that is drawn through the
row separates two cells; one that is not joins them (a merged analysis row is
one cell spanning the width). A row line missing above a cell continues the
cell above (a vertical merge, as Word marks it).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from checker.reading.pdf.lines import Word
from checker.reading.pdf.rules import Rule

# Rule positions this close (points) are one grid line.
_SAME_LINE = 2.5
# A row band lower than this is the gap of a double border, not a row.
_LOWEST_ROW = 3.0
# How far (points) a rule may stop short of the line it meets and still meet it.
_REACH = 3.0


@dataclass(slots=True)
class GridCell:
    row: int
    column: int
    span: int
    x0: float
    top: float
    x1: float
    bottom: float
    merged_from_above: bool = False
    words: list[Word] = field(default_factory=list)


@dataclass(slots=True)
class Grid:
    """One ruled table on one page."""

    page: int
    xs: list[float]
    ys: list[float]
    rows: list[list[GridCell]]
    # Row index of each band between two row lines (a double border's thin band joins the row above).
    row_of_band: list[int | None] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.xs[0]

    @property
    def x1(self) -> float:
        return self.xs[-1]

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    def contains(self, word: Word) -> bool:
        x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def place(self, word: Word) -> None:
        """Put `word` into the cell it is printed in."""
        x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        band = min(max(bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)
        row = self.row_of_band[band]
        if row is None:
            return
        cell = self._cell_at(row, x)
        while cell is not None and cell.merged_from_above and cell.row > 0:
            above = self._cell_at(cell.row - 1, x)
            if above is None:
                break
            cell = above
        if cell is not None:
            cell.words.append(word)

    def _cell_at(self, row: int, x: float) -> GridCell | None:
        cells = self.rows[row]
        for cell in cells:
            if cell.x0 - 0.5 <= x <= cell.x1 + 0.5:
                return cell
        return cells[-1] if cells else None


def find_grids(rules: list[Rule], page: int) -> list[Grid]:
    """The ruled tables among a page's rules, top to bottom."""
    grids = [grid for group in _crossing_groups(rules) if (grid := _grid(group, page)) is not None]
    return sorted(grids, key=lambda g: g.top)


def _crossing_groups(rules: list[Rule]) -> list[list[Rule]]:
    """Rules that cross or touch each other, grouped (union-find)."""
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    horizontals = [i for i, r in enumerate(rules) if r.horizontal]
    verticals = [i for i, r in enumerate(rules) if not r.horizontal]
    for h in horizontals:
        hr = rules[h]
        for v in verticals:
            vr = rules[v]
            if hr.start - _REACH <= vr.pos <= hr.end + _REACH and vr.start - _REACH <= hr.pos <= vr.end + _REACH:
                parent[root(h)] = root(v)
    groups: dict[int, list[Rule]] = {}
    for index, rule in enumerate(rules):
        groups.setdefault(root(index), []).append(rule)
    return list(groups.values())


def _positions(values: list[float]) -> list[float]:
    clustered: list[list[float]] = []
    for value in sorted(values):
        if clustered and value - clustered[-1][-1] <= _SAME_LINE:
            clustered[-1].append(value)
        else:
            clustered.append([value])
    return [sum(c) / len(c) for c in clustered]


def _grid(rules: list[Rule], page: int) -> Grid | None:
    horizontal = [r for r in rules if r.horizontal]
    vertical = [r for r in rules if not r.horizontal]
    ys = _positions([r.pos for r in horizontal])
    xs = _positions([r.pos for r in vertical])
    if len(ys) < 2 or len(xs) < 2:
        return None

    def drawn_v(x: float, y: float) -> bool:
        return any(abs(r.pos - x) <= _SAME_LINE and r.start - _REACH <= y <= r.end + _REACH for r in vertical)

    def drawn_h(y: float, x: float) -> bool:
        return any(abs(r.pos - y) <= _SAME_LINE and r.start - _REACH <= x <= r.end + _REACH for r in horizontal)

    rows: list[list[GridCell]] = []
    row_of_band: list[int | None] = []
    for band in range(len(ys) - 1):
        top, bottom = ys[band], ys[band + 1]
        if bottom - top < _LOWEST_ROW:
            row_of_band.append(len(rows) - 1 if rows else None)
            continue
        middle = (top + bottom) / 2
        cells: list[GridCell] = []
        start = 0
        for column in range(1, len(xs)):
            if column == len(xs) - 1 or drawn_v(xs[column], middle):
                x0, x1 = xs[start], xs[column]
                merged = bool(rows) and not drawn_h(top, (x0 + x1) / 2)
                cells.append(GridCell(len(rows), start, column - start, x0, top, x1, bottom, merged))
                start = column
        row_of_band.append(len(rows))
        rows.append(cells)
    if not rows:
        return None
    return Grid(page=page, xs=xs, ys=ys, rows=rows, row_of_band=row_of_band)
