"""Tabs typed in a paragraph, counted again from where the text after them is printed.

A table typed by hand ("pasted": a paragraph per row, its cells separated by
tabs, an empty cell one more tab) loses its tabs in the PDF: each cell's text
is printed at the next default tab stop, so two empty cells are only a wider
gap. Word and LibreOffice put the default stops at equal steps from the
paragraph's left edge (1.25 cm or half an inch). Which step a document has
is read from it: the one that most texts after a column gap start on.
Then a gap before text that starts on a stop held as many tabs as there are
stops in it, and the line is a typed one: a paragraph, never an unruled
table's row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from checker.reading.pdf.lines import Line, set_separators

# How far (points) from a stop a text may start and still be printed at it; while finding the stops,
# before the left edge is measured on them, a little further.
_ON_STOP = 0.3
_NEAR_STOP = 1.0
# The steps between default tab stops (points): LibreOffice's 1.25 cm, Word's half inch (1.27 cm), 1 cm.
_STEPS = (72 / 2.54 * 1.25, 36.0, 72 / 2.54)
# A tab is at least this wide (points).
_NARROWEST_TAB = 1.0
# Texts after column gaps starting on stops, needed to believe in the stops.
_FEWEST = 4
# A gap this much wider or narrower than a space (points) is no space, when the text after it starts on
# a stop: a tab to a stop just after a word's end is narrower than a space.
_NOT_SPACE = 0.5


@dataclass(frozen=True, slots=True)
class TabGrid:
    origin: float  # the paragraphs' left edge: where stops are counted from
    step: float
    # The width of a space by font size: measured over the whole document, as a typed line may hold none.
    spaces: dict[float, float] = field(default_factory=dict)
    tolerance: float = _ON_STOP

    def stop_at(self, x: float) -> int | None:
        """The number of the stop (1, 2, …) that a text starting at `x` is printed at, if any."""
        number = round((x - self.origin) / self.step)
        if number >= 1 and abs(self.origin + number * self.step - x) <= self.tolerance:
            return number
        return None

    def stops_between(self, end: float, start: float) -> int:
        """The stops a tab passes from text ending at `end` to text starting at `start` (on a stop)."""
        last = self.stop_at(start) or 0
        # Stops at or just after the end of the text are passed: a tab is never that narrow (LibreOffice
        # printed the text after one ending 0.3 points before a stop at the stop after it).
        passed = int((end + _NARROWEST_TAB - self.origin) // self.step)
        return max(1, last - max(passed, 0))


def find_grid(lines: list[Line]) -> TabGrid | None:
    """The document's default tab stops, when texts after column gaps start on them; else None.

    Only the steps programs use are tried: any step short enough fits any set of columns. The left
    edge the stops count from is then measured on the texts that start on them.
    """
    edge = _left_edge(lines)
    if edge is None:
        return None
    starts = [word.x0 for line in lines for word, separator in zip(line.words, line.separators) if separator == "\t"]
    best: tuple[int, TabGrid] | None = None
    for step in _STEPS:
        grid = TabGrid(edge, step, tolerance=_NEAR_STOP)
        stops = [grid.stop_at(x) for x in starts]
        hits = sum(1 for stop in stops if stop is not None)
        if hits >= _FEWEST and len(set(stops) - {None}) >= 2 and (best is None or hits > best[0]):
            best = (hits, grid)
    if best is None:
        return None
    coarse = best[1]
    origins = [x - number * coarse.step for x in starts if (number := coarse.stop_at(x)) is not None]
    return TabGrid(median(origins), coarse.step, _spaces(lines))


def _spaces(lines: list[Line]) -> dict[float, float]:
    gaps: dict[float, list[float]] = {}
    for line in lines:
        for before, word, separator in zip(line.words, line.words[1:], line.separators[1:]):
            if separator == " ":
                gaps.setdefault(line.size, []).append(word.x0 - before.x1)
    return {size: median(values) for size, values in gaps.items()}


def _left_edge(lines: list[Line]) -> float | None:
    """Where most lines start: the text's left margin."""
    starts = Counter(round(line.x0 * 2) / 2 for line in lines)
    if not starts:
        return None
    edge = starts.most_common(1)[0][0]
    return min((line.x0 for line in lines if abs(line.x0 - edge) <= 0.5), default=edge)


def retab(line: Line, grid: TabGrid, continued: bool = False) -> bool:
    """Count the line's tabs again on the grid, when its column gaps end on stops (a typed line).

    A gap before text on a stop is a tab unless it is as wide as a space. `continued`: the line goes
    on from a typed line above (a row wrapped), so it is a typed line even without a wide gap. Answers whether the line is a typed one.
    """
    words = line.words
    space = grid.spaces.get(line.size, 0.3 * line.size)
    columns = [word for word, separator in zip(words, line.separators) if separator == "\t"]
    if any(grid.stop_at(word.x0) is None for word in columns):
        return False  # a column gap that a tab to a default stop does not explain: a table's column
    separators = list(line.separators)
    for index in range(1, len(words)):
        before, word, separator = words[index - 1], words[index], separators[index]
        if separator == "" or grid.stop_at(word.x0) is None:
            continue
        if separator == "\t" or abs(word.x0 - before.x1 - space) > _NOT_SPACE:
            separators[index] = "\t" * grid.stops_between(before.x1, word.x0)
    if not columns and (not continued or separators == line.separators):
        return False
    set_separators(line, separators)
    line.tabbed = True
    return True
