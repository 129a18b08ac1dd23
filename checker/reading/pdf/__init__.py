"""Reading a PDF with a text layer into the block stream (checker.reading.blocks).

Page by page (checker.reading.pdf.lines, .rules, .tables): the characters
become words, the ruling lines become table grids, the words inside a grid
fill its cells and the others make the page's text lines. Then over the whole
document: page headers and footers are set aside (.furniture), a ruled table
that continues over a page break is joined into one, tables printed without
rules are rebuilt from their columns (.columns), and the text lines become
paragraphs (.paragraphs). Each paragraph and cell carries the page and line
it is printed on (blocks.Place), counted as a person counts them.

PDFium (pypdfium2) reads the file: it is fast, gives every character's box
and font, and installs with pip alone; the file is opened only through
.document.open_pdf, which turns every problem with the file into a Swedish
ReadError.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from checker.errors import ReadError
from checker.reading.blocks import Block, Box, Cell, DocumentContent, ParagraphBlock, Place, TableBlock
from checker.reading.pdf import columns, paragraphs, tabstops
from checker.reading.pdf.document import open_pdf, require_text_layer
from checker.reading.pdf.furniture import find_furniture
from checker.reading.pdf.lines import Line, group_lines, page_words
from checker.reading.pdf.rules import page_rules
from checker.reading.pdf.tables import Grid, GridCell, find_grids
from checker.text import fold, normalise

_DIGITS = re.compile(r"\d+")

# Column lines of two tables this close (points) are the same table continued.
_SAME_COLUMNS = 3.0


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    grids: list[Grid]


@dataclass(slots=True)
class _Table:
    """A table as read: one grid, or several when it continues over page breaks. Cells as lists of lines."""

    columns: int
    xs: list[float]
    last_page: int
    rows: list[list[tuple[GridCell, list[Line]]]] = field(default_factory=list)


def read_pdf(path: Path) -> DocumentContent:
    """The blocks of the PDF at `path`. Raises ReadError (Swedish) when it cannot be read."""
    with open_pdf(path) as document:
        try:
            pages = [_read_page(document, index) for index in range(len(document))]
            # An image-only scan is told as such, never read as an empty report (document.require_text_layer).
            require_text_layer(path, document, [sum(len(line.raw) for line in page.lines) + sum(
                len(word.text) for grid in page.grids for row in grid.rows for cell in row for word in cell.words)
                for page in pages])
            content = _assemble(path, pages)
            content.core_title, content.core_subject = _document_properties(document)
            return content
        except (ReadError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - PDFium or a layout this reader did not foresee: told, not a traceback
            raise ReadError(path, "PDF-filens innehåll kunde inte tolkas.") from None


# --- one page -------------------------------------------------------------------------


def _read_page(document: pdfium.PdfDocument, index: int) -> _Page:
    page = document[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        textpage = page.get_textpage()
        try:
            words = page_words(textpage, top)
        finally:
            textpage.close()
        grids = find_grids(page_rules(page, top), index + 1)
    finally:
        page.close()
    free = []
    for word in words:
        grid = next((g for g in grids if g.contains(word)), None)
        if grid is None:
            free.append(word)
        else:
            grid.place(word)
    grids = [g for g in grids if any(cell.words for row in g.rows for cell in row)]
    return _Page(number=index + 1, width=right - left, height=top - bottom, lines=group_lines(free, index + 1), grids=grids)


# --- the document ---------------------------------------------------------------------


def _document_properties(document: pdfium.PdfDocument) -> tuple[str | None, str | None]:
    """The Info dictionary's Title and Subject: Word's "Save as PDF" copies the document's own title and
    subject there, where templates put the report's name and the unit's (identity reads them as it reads
    a .docx's core properties, as a weaker clue than the text)."""
    try:
        metadata = document.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError:
        return None, None
    return _property(metadata.get("Title")), _property(metadata.get("Subject"))


def _property(value: str | None) -> str | None:
    # Normalised as the .docx's core properties are (checker.reading.docx), and cut short: a property
    # is a line, and identity looks for a title or a unit's name in it, not a document.
    return normalise(value)[:500] or None if value else None


def _assemble(path: Path, pages: list[_Page]) -> DocumentContent:
    furniture = find_furniture([p.lines for p in pages], [p.height for p in pages])
    header_texts = _header_texts(pages, furniture)
    for page in pages:
        page.lines = [line for line in page.lines if id(line) not in furniture]
    _retab([line for page in pages for line in page.lines])
    items = _items(pages)
    width = max((page.width for page in pages), default=0.0)
    leading = paragraphs.typical_leading([item for item in items if isinstance(item, Line)], _body_right(
        [item for item in items if isinstance(item, Line)], width))
    items = _unruled(items, leading)
    vocabulary = _vocabulary(items)
    body = [item for item in items if isinstance(item, Line)]
    right = _body_right(body, width)
    levels = _heading_levels(body)
    numbers = _LineNumbers(items)
    blocks: list[Block] = []
    run: list[Line] = []
    counts = {"paragraph": 0, "table": 0}

    def flush() -> None:
        for lines in paragraphs.group(run, lambda line: max(right, line.x1), leading):
            built = paragraphs.build(lines)  # running text is never broken inside a word without a hyphen
            blocks.append(_paragraph_block(built, len(blocks), counts["paragraph"], levels, numbers))
            counts["paragraph"] += 1
        run.clear()

    for item in items:
        if isinstance(item, Line):
            run.append(item)
            continue
        flush()
        if isinstance(item, columns.UnruledTable):
            blocks.append(_unruled_block(item, len(blocks), counts["table"], numbers, vocabulary))
        else:
            blocks.append(_table_block(item, len(blocks), counts["table"], numbers, vocabulary, leading))
        counts["table"] += 1
    flush()
    return DocumentContent(path=path, blocks=blocks, header_texts=header_texts)


def _retab(lines: list[Line]) -> None:
    """Tabs typed in paragraphs (a table pasted as text) counted again from the document's tab stops."""
    grid = tabstops.find_grid(lines)
    if grid is None:
        return
    above: Line | None = None
    for line in lines:
        continued = above is not None and above.page == line.page and line.top - above.bottom < line.size
        above = line if tabstops.retab(line, grid, continued) else None


def _header_texts(pages: list[_Page], furniture: set[int]) -> list[str]:
    texts: list[str] = []
    seen: set[str] = set()
    for page in pages:
        for line in page.lines:
            if id(line) in furniture:
                text = normalise(line.raw.replace("\t", " "))
                key = _DIGITS.sub("#", fold(text))
                if text and key not in seen:
                    seen.add(key)
                    texts.append(text)
    return texts


def _items(pages: list[_Page]) -> list[Line | _Table]:
    """Text lines and tables in reading order; a table continued on the next page joined to its start."""
    items: list[Line | _Table] = []
    for page in pages:
        placed: list[tuple[float, Line | Grid]] = [(line.top, line) for line in page.lines]
        placed += [(grid.top, grid) for grid in page.grids]
        placed.sort(key=lambda pair: pair[0])
        for position, (_, item) in enumerate(placed):
            if isinstance(item, Line):
                items.append(item)
                continue
            previous = items[-1] if items else None
            if position == 0 and isinstance(previous, _Table) and _continues(previous, item):
                _append_grid(previous, item, continued=True)
            else:
                table = _Table(columns=len(item.xs) - 1, xs=item.xs, last_page=item.page)
                _append_grid(table, item, continued=False)
                items.append(table)
    return items


def _unruled(items: list[Line | _Table], leading: float | None) -> list[Line | _Table | columns.UnruledTable]:
    """Runs of text lines with the tables without rules among them rebuilt as tables."""
    out: list[Line | _Table | columns.UnruledTable] = []
    run: list[Line] = []
    for item in items:
        if isinstance(item, Line):
            run.append(item)
            continue
        out.extend(columns.find_tables(run, leading))
        run = []
        out.append(item)
    out.extend(columns.find_tables(run, leading))
    return out


def _continues(table: _Table, grid: Grid) -> bool:
    return (
        grid.page == table.last_page + 1
        and len(grid.xs) == len(table.xs)
        and all(abs(a - b) <= _SAME_COLUMNS for a, b in zip(grid.xs, table.xs, strict=True))
    )


def _append_grid(table: _Table, grid: Grid, continued: bool) -> None:
    rows = [[(cell, group_lines(cell.words, grid.page)) for cell in row] for row in grid.rows]
    if continued and table.rows and rows and _row_texts(rows[0]) == _row_texts(table.rows[0]):
        rows = rows[1:]  # the header row, repeated on the new page
    if continued and table.rows and rows and _split_row(table.rows[-1], rows[0]):
        for (_, lines), (_, more) in zip(table.rows[-1], rows[0], strict=True):
            lines.extend(more)
        rows = rows[1:]
    table.rows.extend(rows)
    table.last_page = grid.page


def _row_texts(row: list[tuple[GridCell, list[Line]]]) -> list[str]:
    return [" ".join(fold(line.raw) for line in lines) for _, lines in row]


def _split_row(above: list[tuple[GridCell, list[Line]]], row: list[tuple[GridCell, list[Line]]]) -> bool:
    """The first row on the new page is the rest of the last row on the page before (a row split by the page break).

    Its cells continue sentences (every cell with text starts in lower case or with punctuation), or the
    row before holds no word at all yet (only a status glyph made it onto the page).
    """
    if len(above) != len(row):
        return False
    if not any(char.isalnum() for _, lines in above for line in lines for char in line.raw):
        return True
    starts = [lines[0].raw.lstrip()[:1] for _, lines in row if lines and lines[0].raw.strip()]
    return bool(starts) and all(start.islower() or not start.isalnum() for start in starts)


# --- paragraphs and tables into blocks -------------------------------------------------


class _Vocabulary:
    """The document's own words: to tell a word broken by a narrow column from two words."""

    def __init__(self, words: Counter[str]) -> None:
        self.words = words
        self._sorted = sorted(words)

    def starts_word(self, part: str) -> bool:
        """`part` is a word of the document or the beginning of one ("sjukfrånvar" of "sjukfrånvaro")."""
        if self.words.get(part, 0) > 0:
            return True
        at = bisect_left(self._sorted, part)
        return len(part) >= 6 and at < len(self._sorted) and self._sorted[at].startswith(part)

    def fused(self, before: str, after: str) -> bool:
        """`before` + `after` is one word broken at a line end without a hyphen: the whole is a word of the
        document, or neither half is one, or the second half is too short to be one ("Stockhol" + "m")."""
        if before[-1:].isalpha() and after[:1] in "/)?.,":
            return True  # "kvinnor" + "/ flickor": a word and its punctuation are never apart
        if not (before[-1:].isalpha() and after[:1].isalpha() and after[:1].islower()):
            return False
        words = self.words
        whole = _bare(before + after)
        if self.starts_word(whole):
            return True
        known_before, known_after = words.get(_bare(before), 0) > 0, words.get(_bare(after), 0) > 0
        return not known_after and (not known_before or len(_bare(after)) <= 2)


def _bare(word: str) -> str:
    return word.lower().strip(".,;:()?!\"”")


def _vocabulary(items: list[Line | _Table | columns.UnruledTable]) -> _Vocabulary:
    """Words of the running text (wrapped at spaces, never inside a word), and the inner words of cell lines."""
    words: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Line):
            words.update(_bare(word) for word in item.raw.split() if not word.endswith("-"))
        elif isinstance(item, _Table):
            for row in item.rows:
                for _, lines in row:
                    for line in lines:
                        words.update(_bare(word) for word in line.raw.split()[1:-1])
    return _Vocabulary(words)


def _body_right(body: list[Line], width: float) -> float:
    """The right margin of the running text: where its full lines end.

    With too few lines of running text to tell, the margins are taken to be alike on both sides.
    """
    full = sorted(line.x1 for line in body if line.raw.count(" ") >= 4)
    if len(full) < 5:
        widest = max((line.x1 for line in body), default=0.0)
        left = min((line.x0 for line in body), default=0.0)
        return max(widest, width - left)
    return full[int(len(full) * 0.95) - 1]


def _heading_levels(body: list[Line]) -> dict[float, int]:
    """Font size → heading level: sizes above the body's that headings on several pages use, largest first."""
    chars: Counter[float] = Counter()
    pages_of: dict[float, set[int]] = {}
    for line in body:
        chars[line.size] += len(line.raw)
        pages_of.setdefault(line.size, set()).add(line.page)
    if not chars:
        return {}
    body_size = chars.most_common(1)[0][0]
    larger = sorted((size for size in chars if size > body_size + 0.5), reverse=True)
    ranked = [size for size in larger if len(pages_of[size]) >= 2]
    return {size: 1 + sum(1 for other in ranked if other > size + 0.5) for size in larger}


class _LineNumbers:
    """The line number a person counts on each page (page headers left out), for text lines and cell lines alike."""

    def __init__(self, items: list[Line | _Table | columns.UnruledTable]) -> None:
        middles: dict[int, list[float]] = {}
        for item in items:
            for line in _all_lines(item):
                middles.setdefault(line.page, []).append((line.top + line.bottom) / 2)
        self._rows: dict[int, list[float]] = {}
        for page, values in middles.items():
            rows: list[float] = []
            for value in sorted(values):
                if not rows or value - rows[-1] > 2.0:
                    rows.append(value)
            self._rows[page] = rows

    def of(self, line: Line) -> int:
        rows = self._rows.get(line.page, [])
        return max(1, bisect_right(rows, (line.top + line.bottom) / 2 + 2.0))


def _all_lines(item: Line | _Table | columns.UnruledTable) -> list[Line]:
    if isinstance(item, Line):
        return [item]
    if isinstance(item, columns.UnruledTable):
        return [piece.line for row in item.rows for cell in row for piece in cell.pieces]
    return [line for row in item.rows for _, lines in row for line in lines]


def _place(lines: list[Line], numbers: _LineNumbers) -> Place:
    first = lines[0]
    boxes = tuple(Box(line.page, line.x0, line.top, line.x1, line.bottom) for line in lines)
    return Place(page=first.page, line=numbers.of(first), boxes=boxes)


def _paragraph_block(
    built: paragraphs.Paragraph, block: int, index: int, levels: dict[float, int], numbers: _LineNumbers
) -> ParagraphBlock:
    raw = built.raw
    return ParagraphBlock(
        block=block,
        paragraph=index,
        raw=raw,
        text=normalise(raw),
        style="",
        heading_level=levels.get(built.lines[0].size),
        runs=built.runs,
        list_kind=built.list_kind,
        list_marker=built.list_marker,
        place=_place(built.lines, numbers),
    )


def _table_block(
    table: _Table, block: int, index: int, numbers: _LineNumbers, vocabulary: _Vocabulary, leading: float | None
) -> TableBlock:
    rows: list[list[Cell]] = []
    for row_index, row in enumerate(table.rows):
        cells: list[Cell] = []
        for grid_cell, lines in row:
            raw = _cell_raw(grid_cell, lines, vocabulary, leading) if lines else ""
            place = _place(lines, numbers) if lines else None
            cells.append(Cell(row_index, grid_cell.column, grid_cell.span, raw, normalise(raw) if raw else "",
                              grid_cell.merged_from_above and not lines, place))
        rows.append(cells)
    return TableBlock(block=block, table=index, rows=rows, columns=table.columns)


def _unruled_block(
    table: columns.UnruledTable, block: int, index: int, numbers: _LineNumbers, vocabulary: _Vocabulary
) -> TableBlock:
    width = len(table.edges)
    rows: list[list[Cell]] = []
    for row_index, row in enumerate(table.rows):
        if len(row) == 1 and row[0].span > 1:
            rows.append([_unruled_cell(row_index, row[0], numbers, vocabulary, None)])
            continue
        by_column = {cell.column: cell for cell in row}
        rows.append([
            _unruled_cell(row_index, by_column.get(column, columns.UnruledCell(column, 1)), numbers, vocabulary,
                          table.edges[column + 1] if column + 1 < width else None)
            for column in range(width)
        ])
    return TableBlock(block=block, table=index, rows=rows, columns=width)


# How far (points) before the next column's edge a cell's text may end and still fill its column.
_COLUMN_PADDING = 8.0


def _unruled_cell(
    row: int, cell: columns.UnruledCell, numbers: _LineNumbers, vocabulary: _Vocabulary, next_edge: float | None
) -> Cell:
    raw = ""
    for above, piece in zip([None, *cell.pieces], cell.pieces):
        if above is not None and _broken_word(above, piece, vocabulary, next_edge):
            raw += piece.text  # a word too long for the column, broken without a hyphen
        else:
            raw = paragraphs.join_text(raw, piece.text)
    place = None
    if cell.pieces:
        first = cell.pieces[0]
        boxes = tuple(Box(p.line.page, p.words[0].x0, p.line.top, p.words[-1].x1, p.line.bottom) for p in cell.pieces)
        place = Place(page=first.line.page, line=numbers.of(first.line), boxes=boxes)
    return Cell(row, cell.column, cell.span, raw, normalise(raw) if raw else "", False, place)


def _broken_word(above: columns.Piece, piece: columns.Piece, vocabulary: _Vocabulary, next_edge: float | None) -> bool:
    """Only a piece that is one word filling the column up to the next one can be half a word."""
    if next_edge is None or len(above.words) != 1 or above.line.page != piece.line.page:
        return False
    word, after = above.words[0], piece.words[0].text
    if word.x1 + 1.2 * above.line.size < next_edge - _COLUMN_PADDING:
        return False
    if vocabulary.starts_word(_bare(after)) and not vocabulary.starts_word(_bare(word.text + after)):
        return False  # the next line starts a word of the document ("inkopta" / "ekologis|ka"): two words
    return vocabulary.fused(word.text, after)


def _cell_raw(cell: GridCell, lines: list[Line], vocabulary: _Vocabulary, leading: float | None) -> str:
    """A cell's paragraphs, one per line as the .docx reader gives them, wrapped lines joined."""
    padding = min(max(min(line.x0 for line in lines) - cell.x0, 1.0), 8.0)
    edge = cell.x1 - padding
    grouped = paragraphs.group(lines, lambda line: max(edge, line.x1), leading)

    def fused(above: Line, below: Line) -> bool:
        # Only a line that is one word filling the column can be half a word.
        if len(above.words) != 1 or above.x1 + 1.2 * above.size < edge:
            return False
        return vocabulary.fused(above.words[0].text, below.words[0].text)

    return "\n".join(paragraphs.build(part, fused, lists=False).raw for part in grouped)
