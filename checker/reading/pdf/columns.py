"""Tables without rules (a printed PDF, a scan's text layer): rebuilt from column positions.

A table starts at a line that reads as an indicator, activity or complaints
table's header once split at its column gaps. The header's pieces give the
columns' left edges; the lines below belong to the table while they stay in
its font and close together. A gap between lines wider than the gap between
the lines of one cell starts a new row; each piece of a line goes into the
column whose left edge it starts at. A row whose text starts with "Analys"
is one cell across the table, as Word's merged analysis row. When the same
header stands at the top of the next page, the table continues there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.reading.pdf.lines import Line, Word
from checker.structure.labels import match_goal_heading, match_part_label, match_status
from checker.structure.tables import classify_header
from checker.text import fold_ocr

# How far (points) left of a column's edge a piece may start and still be in that column.
_SLACK = 4.0
# A line this much further from the one above than the table's closest lines starts a new row (points).
_ROW_GAP = 2.5
# The fewest columns an indicator, activity or complaints table has (activities: four).
_HEADER_COLUMNS = 3
_CELL_LEADING = 0.35


@dataclass(slots=True)
class Piece:
    """The words of one line that stand in one column."""

    line: Line
    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def text(self) -> str:
        # A glued word continues the one before it (the rest of a word drawn as another text).
        return "".join(("" if word.glued and index else " " if index else "") + word.text
                       for index, word in enumerate(self.words))


@dataclass(slots=True)
class UnruledCell:
    column: int
    span: int
    pieces: list[Piece] = field(default_factory=list)


@dataclass(slots=True)
class UnruledTable:
    edges: list[float]
    header: str
    last_page: int
    rows: list[list[UnruledCell]] = field(default_factory=list)


def pieces(line: Line, edges: list[float] | None = None) -> list[Piece]:
    """A line split at its column gaps (where make_line wrote a tab), at a glued word (a cell whose text
    ran into the next one's), and at a word that starts at one of the table's column `edges`."""
    found: list[Piece] = []
    for word, separator in zip(line.words, line.separators, strict=True):
        starts = not found or separator == "\t" or word.glued and separator == ""
        if not starts and edges is not None:
            starts = any(abs(word.x0 - edge) <= _SLACK and edge > found[-1].x0 + _SLACK for edge in edges)
        if starts:
            found.append(Piece(line, [word]))
        else:
            found[-1].words.append(word)
    return found


def _header_pieces(line: Line) -> list[str]:
    return [piece.text for piece in pieces(line)]


def header_of(line: Line) -> bool:
    """The line is a table's header: three columns or more, the first a word or two ("Indikator",
    "Aktivitet"), not a sentence that happens to start with one ("aktiviteten genomförs …")."""
    texts = _header_pieces(line)
    return len(texts) >= _HEADER_COLUMNS and len(texts[0].split()) <= 2 and classify_header(texts) is not None


def find_tables(lines: list[Line], leading: float | None = None) -> list[Line | UnruledTable]:
    """Body lines with the unruled tables among them gathered into tables.

    `leading`: the document's usual gap between two lines of a paragraph; a wider gap between two
    lines of a table (with some slack) separates rows even before the table shows a wrapped cell.
    """
    out: list[Line | UnruledTable] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.tabbed or not header_of(line):  # a table typed with tabs: a paragraph per row, as in Word
            out.append(line)
            index += 1
            continue
        previous = out[-1] if out else None
        repeated = isinstance(previous, UnruledTable) and _continues(previous, line)
        if repeated:
            assert isinstance(previous, UnruledTable)
            table = previous
        else:
            table = UnruledTable(edges=[p.x0 for p in pieces(line)], header=fold_ocr(line.raw), last_page=line.page)
            table.rows.append([UnruledCell(column, 1, [piece]) for column, piece in enumerate(pieces(line))])
            out.append(table)
        index = _fill(table, lines, index + 1, line, repeated, leading)
    return out


def _continues(table: UnruledTable, line: Line) -> bool:
    return line.page == table.last_page + 1 and fold_ocr(line.raw) == table.header


def _fill(table: UnruledTable, lines: list[Line], index: int, header: Line, repeated: bool, leading: float | None) -> int:
    """Add the lines from `index` that belong to the table; return the index of the first that does not.

    Below a header repeated on a new page, its other lines are passed over.
    """
    closest: float | None = None
    above = header
    in_header = True
    row: list[UnruledCell] | None = None if repeated else table.rows[0]
    row_size: float | None = None  # the font size of the table's rows: text in another size is not the table's
    while index < len(lines):
        line = lines[index]
        if line.page != above.page or line.x0 < table.edges[0] - _SLACK * 2 or _structural(line) or header_of(line):
            break
        if row_size is not None and abs(line.size - row_size) > 0.5:
            break
        gap = line.top - above.bottom
        if gap > 2.5 * line.size:
            break
        still_header = in_header and line.bold == header.bold and gap < _ROW_GAP
        left_header = in_header and not still_header
        in_header = still_header
        if left_header:
            closest = None  # the header's own line spacing says nothing about the rows'
        if not in_header and (closest is None or gap < closest):
            closest = gap
        if in_header and repeated:
            above = line
            index += 1
            continue
        # Without the document's leading, a line gap of a third of the font size is what a cell's own lines have.
        usual = leading if leading is not None else _CELL_LEADING * line.size
        widest = None if closest is None else min(closest, usual)
        new_row = row is None or left_header or (not in_header and widest is not None and gap > widest + _ROW_GAP)
        if not in_header and row_size is None:
            row_size = line.size
        if new_row:
            row = _new_row(table, line)
        else:
            assert row is not None
            _extend(row, table, line)
        above = line
        table.last_page = line.page
        index += 1
    return index


def _structural(line: Line) -> bool:
    text = " ".join(line.raw.split())
    return bool(match_goal_heading(text) or match_part_label(text) or match_status(text)) and not _analysis(line)


def _analysis(line: Line) -> bool:
    folded = fold_ocr(line.raw.replace("<p>", "").lstrip())
    return folded.startswith("analys") and not folded.startswith("analysen")


def _new_row(table: UnruledTable, line: Line) -> list[UnruledCell]:
    if _analysis(line):
        row = [UnruledCell(0, len(table.edges), [Piece(line, line.words)])]
    else:
        row = []
        for piece in pieces(line, table.edges):
            column = _column(table.edges, piece.x0)
            if row and row[-1].column == column:
                row[-1].pieces[-1].words.extend(piece.words)
            else:
                row.append(UnruledCell(column, 1, [piece]))
    table.rows.append(row)
    return row


def _extend(row: list[UnruledCell], table: UnruledTable, line: Line) -> None:
    if len(row) == 1 and row[0].span > 1:
        row[0].pieces.append(Piece(line, line.words))
        return
    for piece in pieces(line, table.edges):
        column = _column(table.edges, piece.x0)
        cell = next((c for c in row if c.column == column), None)
        if cell is None:
            cell = UnruledCell(column, 1)
            row.append(cell)
            row.sort(key=lambda c: c.column)
        if cell.pieces and cell.pieces[-1].line is line:
            cell.pieces[-1].words.extend(piece.words)
        else:
            cell.pieces.append(piece)


def _column(edges: list[float], x: float) -> int:
    column = 0
    for index, edge in enumerate(edges):
        if x >= edge - _SLACK:
            column = index
    return column
