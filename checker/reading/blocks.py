"""The block stream every reader produces and the recogniser consumes.

A .docx (checker.reading.docx) and a PDF (checker.reading.pdf) are read into
the same blocks: paragraphs with their runs, and tables of cells. Each block
says where it came from, so that a finding can point back at it: its body
position, paragraph or table index, and, for a PDF, the page and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ListKind = Literal["number", "bullet"]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a PDF page, in points from the page's top left corner (1-based page)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Place:
    """Where a PDF block or cell is printed: the page and line a person counts, and the boxes of its lines.

    A .docx has no pages until Word lays it out, so its blocks have no Place.
    `line` counts the text lines of the page from the top, page headers left out.
    """

    page: int
    line: int
    boxes: tuple[Box, ...] = ()


@dataclass(slots=True)
class Run:
    text: str
    bold: bool
    italic: bool


@dataclass(slots=True)
class ParagraphBlock:
    """One body paragraph. `raw` is the text as written (tabs and breaks kept)."""

    block: int
    paragraph: int
    raw: str
    text: str
    style: str
    heading_level: int | None
    runs: list[Run]
    list_kind: ListKind | None = None
    # The label Word would show in front of a list item: "1.", "a)", "•".
    list_marker: str | None = None
    place: Place | None = None

    @property
    def is_bold(self) -> bool:
        """All visible text is bold (a heading typed by hand)."""
        visible = [r for r in self.runs if r.text.strip()]
        return bool(visible) and all(r.bold for r in visible)


@dataclass(slots=True)
class Cell:
    row: int
    column: int
    span: int
    raw: str
    text: str
    # True for a cell that continues a vertical merge from the row above.
    merged_from_above: bool = False
    place: Place | None = None


@dataclass(slots=True)
class TableBlock:
    block: int
    table: int
    rows: list[list[Cell]]
    columns: int


Block = ParagraphBlock | TableBlock


@dataclass(slots=True)
class DocumentContent:
    """Everything the recogniser needs from one file, .docx or PDF."""

    path: Path
    blocks: list[Block]
    # Text of page headers and footers, text boxes (a cover page is often laid
    # out in them) and the core-properties title: places where the document's
    # kind and year are often written.
    header_texts: list[str] = field(default_factory=list)
    textbox_texts: list[str] = field(default_factory=list)
    core_title: str | None = None
    # The core-properties subject, where some templates put the unit's name.
    core_subject: str | None = None
    # Word comments addressed to Målkoll ("Målkoll: godkänn VB06 – skäl"): (text, first block, last block)
    # of the range they are anchored to (checker.acceptance).
    comments: list[tuple[str, int, int]] = field(default_factory=list)
