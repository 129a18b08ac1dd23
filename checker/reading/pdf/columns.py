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
        if line.tabbed:  # a table typed with tabs: a paragraph per row, as in Word
            out.append(line)
            index += 1
            continue
        block, edges = ([line], [p.x0 for p in pieces(line)]) if header_of(line) else _wrapped_header(lines, index)
        if not block:
            out.append(line)
            index += 1
            continue
        previous = out[-1] if out else None
        repeated = isinstance(previous, UnruledTable) and _continues(previous, line)
        if repeated:
            assert isinstance(previous, UnruledTable)
            table = previous
        else:
            table = UnruledTable(edges=edges, header=fold_ocr(line.raw), last_page=line.page)
            row = _new_row(table, line)
            for more in block[1:]:
                _extend(row, table, more)
            table.last_page = block[-1].page
            out.append(table)
        index = _fill(table, lines, index + len(block), block[-1], repeated, leading)
    return out


# The most lines a header whose cells wrap in narrow columns takes.
_HEADER_LINES = 4


def _wrapped_header(lines: list[Line], index: int) -> tuple[list[Line], list[float]]:
    """The bold lines from `index` that together are a table's header whose cells wrap in narrow
    columns (and break words: "Indikat" / "or"), and its columns' left edges; ([], []) if they are not."""
    first = lines[index]
    if not first.bold:
        return [], []
    block = [first]
    for line in lines[index + 1:index + _HEADER_LINES]:
        above = block[-1]
        if not line.bold or abs(line.size - first.size) > 0.5 or line.x0 < first.x0 - _SLACK:
            break
        # The header goes on at the top of the next page (a page break inside the header row).
        if line.page != above.page and line.page != above.page + 1:
            break
        if line.page == above.page and line.top - above.bottom > 1.5 * line.size:
            break
        block.append(line)
    if len(block) < 2:
        return [], []
    edges = _header_edges(block)
    if len(edges) < _HEADER_COLUMNS or abs(edges[0] - first.x0) > _SLACK:
        return [], []
    texts: dict[int, list[str]] = {}
    for line in block:
        for piece in pieces(line, edges):
            texts.setdefault(_column(edges, piece.x0), []).append(piece.text)
    cells = [texts.get(column, []) for column in range(len(edges))]
    spaced = [" ".join(parts) for parts in cells]
    joined = ["".join(parts) for parts in cells]  # a word broken by the column: "Indikat" + "or"
    if any(classify_header(candidate) is not None and len(candidate[0].split()) <= 2 for candidate in (spaced, joined)):
        return block, edges
    return [], []


def _header_edges(block: list[Line]) -> list[float]:
    """Where the header's columns start: where a line starts, a column gap ends, or words of two lines start."""
    starts: list[float] = []
    for line in block:
        for position, (word, separator) in enumerate(zip(line.words, line.separators, strict=True)):
            if position == 0 or separator == "\t":
                starts.append(word.x0)
    others = [(word.x0, id(line)) for line in block for word in line.words]
    for x, owner in others:
        if any(abs(x - y) <= 1.0 and owner != other for y, other in others):
            starts.append(x)
    edges: list[float] = []
    for x in sorted(starts):
        if not edges or x - edges[-1] > _SLACK:
            edges.append(x)
    return edges


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
        turned = line.page != above.page
        if turned and (repeated or not _goes_on(table, line, row_size)):
            break
        if line.x0 < table.edges[0] - _SLACK * 2 or _structural(line) or header_of(line):
            break
        if not in_header and line.bold and _wrapped_header(lines, index)[0]:
            break  # the next table's header
        if row_size is not None and abs(line.size - row_size) > 0.5:
            break
        if turned:
            # Over a page break there is no gap to measure: a cell's sentence going on is the same row.
            if row is not None and _goes_on_sentence(line, table.edges):
                _extend(row, table, line)
            else:
                row = _new_row(table, line)
            above = line
            table.last_page = line.page
            index += 1
            continue
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


def _goes_on(table: UnruledTable, line: Line, row_size: float | None) -> bool:
    """The first line of the next page continues the table (its header not repeated there): in the
    rows' font, every piece at a column's edge, and either a cell's sentence going on or several cells."""
    if line.page != table.last_page + 1 or (row_size is not None and abs(line.size - row_size) > 0.5):
        return False
    found = pieces(line, table.edges)
    if not all(any(abs(piece.x0 - edge) <= _SLACK for edge in table.edges) for piece in found):
        return False
    return _goes_on_sentence(line, table.edges) or len(found) >= 2


def _goes_on_sentence(line: Line, edges: list[float]) -> bool:
    """Every cell of the line goes on with a sentence: starts with a word in lower case. A letter
    alone before a capital is a scan's icon before a new row's name ("c Stadsdelsnämnden ska …")."""
    for piece in pieces(line, edges):
        first = piece.words[0].text
        if not first[:1].islower():
            return False
        if len(first) == 1 and len(piece.words) > 1 and not piece.words[1].text[:1].islower():
            return False
    return True


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
