"""Annotated PDF copies: each finding as a highlight with a note, the PDF twin of annotate.py.

`malkoll check --annotate DIR` and `malkoll watch` write, for a checked PDF, a
copy (<namn>.granskning.pdf) with a Highlight annotation over the text each
finding is about, the finding's Swedish text as its note (author "Målkoll",
with a popup), and a summary note (a Text annotation) at the top left of page 1.
The texts are the Word comments' own (annotate.finding_comment/summary_comment):
a rule's help text in its first note only, a whole-document finding as its own
note beside the summary.

Where the text is: a finding's Source has the page and line (the PDF reader
copies them from the block's Place), and the finding names its target (a goal's
title, an indicator's name) and a quote. The copy does not trust a line count
made by another program: the target and the quote are looked up in the page's
own text layer (PDFium), compared without case, spaces or hyphens so that a
title wrapped or hyphenated over lines is still found, and the occurrence
nearest the reported line wins (a finding about the analysis under a goal sits
on the analysis, not on the goal's title above it). Only when neither is on the
page is the reported line itself highlighted.

PDFium (pypdfium2) reads the text and its boxes; pypdf writes the copy, because
PDFium cannot write annotations with popups portably. The input is read into
memory once and never opened for writing; the copy is written atomically (annotate.write_atomic).
"""

from __future__ import annotations

import contextlib
import io
import logging
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import Finding, Severity
from checker.output.annotate import (
    AUTHOR,
    AnnotateError,
    HelpLookup,
    Verdict,
    _first_of_each_rule,
    check_target,
    finding_comment,
    summary_comment,
    write_atomic,
)

if TYPE_CHECKING:
    import pypdfium2 as pdfium
    from pypdf import PdfWriter

# (left, bottom, right, top) in PDF user space: points, origin at the bottom left.
Rect = tuple[float, float, float, float]

# How many characters of a target identify it when the whole is not on the page
# (a title running over a page break), as annotate._START does for Word.
_START = 24
# How many lines at the top and at the bottom of a page may be its running header or footer.
_RUNNING = 3
# The note icons: their size, and the margin from the page's top left corner.
_ICON = 20.0
_MARGIN = 6.0
_HYPHENS = frozenset("-\u00ad\u2010\u2011\u2012\u2013\u2014\u2212\x02\ufffe")
# Highlight colours: an error stands out from a warning, info is quiet.
_COLOURS = {Severity.ERROR: "ff9999", Severity.WARNING: "ffe066", Severity.INFO: "a8d8ff"}


@dataclass(frozen=True)
class Mark:
    """Where a finding's highlight goes: a page (0-based) and one rectangle per text line."""

    page: int
    rects: tuple[Rect, ...]


def annotate_pdf(
    source: Path,
    target: Path,
    out_dir: Path,
    findings: Iterable[Finding],
    verdict: Verdict,
    *,
    help_for: HelpLookup | None = None,
    when: str | None = None,
) -> Path:
    """Write `target` (inside `out_dir`): a copy of the PDF `source` with a highlight and note per finding.

    Raises AnnotateError (Swedish) when the copy cannot be made; the original is never written to.
    """
    check_target(source, target, out_dir)
    data = _read(source)
    findings = list(findings)
    marks = locate(data, findings)
    with _quiet():
        writer = _writer(data)
        date = _pdf_date(when)
        explained = _first_of_each_rule(findings)
        _add_note(writer, 0, summary_comment(verdict, when), 0, date, icon="/Comment")
        loose = 0  # notes for findings without a place, stacked below the summary
        for index, (finding, mark) in enumerate(zip(findings, marks, strict=True)):
            help_text = help_for(finding.rule) if help_for is not None and index in explained else None
            text = finding_comment(finding, help_text)
            if mark is None:
                loose += 1
                _add_note(writer, 0, text, loose, date, icon="/Note")
            else:
                _add_highlight(writer, mark, text, finding.severity, date)
        written = _written(writer)
    write_atomic(target, written)
    return target


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's own notes on a damaged file ("incorrect startxref pointer") in English on stderr
    would reach the user; a file it cannot copy is told as an AnnotateError in Swedish instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# --- reading the input -------------------------------------------------------------------


def _read(source: Path) -> bytes:
    """The PDF's bytes, read once and checked as the reader checks them (size, streams, objects):
    a file swapped for a bomb after it was checked is refused here too, before pypdf sees it."""
    from checker.errors import ReadError
    from checker.reading.pdf.document import read_checked_pdf

    try:
        return read_checked_pdf(source)
    except ReadError as error:
        raise AnnotateError(f"{error.problem} Ingen kopia med kommentarer skrevs.") from None


def _writer(data: bytes) -> PdfWriter:
    """A pypdf writer holding the whole input, ready for annotations."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data))
        # A PDF locked only against editing opens with the empty password; one that needs a
        # real password was never read, so it has no findings to show.
        if reader.is_encrypted and not reader.decrypt(""):
            raise AnnotateError("PDF-filen är lösenordsskyddad; ingen kopia med kommentarer skrevs.")
        writer = PdfWriter(clone_from=reader)
        if not writer.pages:
            raise AnnotateError("PDF-filen har inga sidor; ingen kopia med kommentarer skrevs.")
        return writer
    except AnnotateError:
        raise
    except Exception as error:  # noqa: BLE001 - a PDF pypdf cannot copy means no copy, not a crash
        raise AnnotateError(f"PDF-filen kunde inte kopieras för kommentarer ({type(error).__name__}).") from None


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    try:
        writer.write(buffer)
    except Exception as error:  # noqa: BLE001 - pypdf's own failure on an odd file: no copy, said in Swedish
        raise AnnotateError(f"kopian av PDF-filen kunde inte skrivas ({type(error).__name__}).") from None
    return buffer.getvalue()


# --- finding the text ---------------------------------------------------------------------


def locate(data: bytes, findings: Sequence[Finding]) -> list[Mark | None]:
    """Each finding's Mark in the PDF `data`, or None for a finding that has no place on a page."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise AnnotateError("PDF-filen kunde inte öppnas för kommentarer.") from None
    pages = _Pages(document)
    try:
        return [pages.mark(finding) for finding in findings]
    finally:
        pages.close()
        document.close()


@dataclass(frozen=True)
class _Found:
    """A target's text on a page: only its start (partial), how far from the reported line, and its rectangles."""

    partial: bool
    distance: float
    rects: tuple[Rect, ...]


class _PageText:
    """One page's text layer: the characters squashed for comparison, and the lines' rectangles."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.textpage = textpage
        self.squashed, self.index = _squash_page(textpage)
        self.lines = _lines(textpage)
        # Each line's text without digits: a page header or footer repeats it on the next page ("Sid 7 (14)").
        self.keys = ["".join(ch for ch in squash(textpage.get_text_bounded(*rect)) if not ch.isdigit())
                     for rect in self.lines]
        # The lines the reader counts; the page headers and footers are taken out by _Pages.
        self.body = list(self.lines)

    def find(self, wanted: str, line: int | None) -> _Found | None:
        """`wanted` on the page: its occurrence nearest `line` (1-based), whole if it is there.

        Where only its start is on the page (a title running over a page break, a character the
        reader mended), as much of it as agrees with the page is highlighted."""
        head = wanted[:_START]
        if not head:
            return None
        starts = []
        start = self.squashed.find(head)
        while start >= 0:
            starts.append(start)
            start = self.squashed.find(head, start + 1)
        if not starts:
            return None
        lengths = {s: _agreeing(self.squashed, s, wanted) for s in starts}
        whole = [s for s in starts if lengths[s] == len(wanted)]
        distance = {s: self._distance(self.index[s], line) for s in whole or starts}
        best = min(distance, key=distance.__getitem__)
        first, last = self.index[best], self.index[best + lengths[best] - 1]
        rects = self._rects(first, last - first + 1)
        return _Found(not whole, distance[best], rects) if rects else None

    def line(self, line: int | None) -> Rect | None:
        """The reported line itself, counted from the top without page headers."""
        if line is None or not self.body:
            return None
        return self.body[min(max(line, 1), len(self.body)) - 1]

    def _distance(self, char: int, line: int | None) -> float:
        wanted = self.line(line)
        if wanted is None:
            return 0.0
        _, bottom, _, top = self.textpage.get_charbox(char)
        return abs((top + bottom) / 2 - (wanted[1] + wanted[3]) / 2)

    def _rects(self, first: int, count: int) -> tuple[Rect, ...]:
        rects = [self.textpage.get_rect(i) for i in range(self.textpage.count_rects(first, count))]
        return tuple(_merge_lines(r for r in rects if r[2] > r[0] and r[3] > r[1]))


class _Pages:
    """The document's pages' text, loaded when a finding first needs a page."""

    def __init__(self, document: pdfium.PdfDocument) -> None:
        self.document = document
        self._open: dict[int, tuple[Any, _PageText]] = {}
        self._counted: set[int] = set()

    def mark(self, finding: Finding) -> Mark | None:
        source = finding.location.source
        if source is None:
            return None
        if source.page is None:  # a place without a page (not a PDF's): look everywhere
            candidates = range(len(self.document))
        elif 1 <= source.page <= len(self.document):
            candidates = range(source.page - 1, source.page)
        else:
            return None
        # The target (a goal's title) and the quote (the paragraph about it) may both be on the page:
        # the finding is about the one at its line, as a Word comment sits on the paragraph it points at.
        found = [
            (hit.partial, hit.distance, order, number, hit.rects)
            for number in candidates
            for order, needle in enumerate(_needles(finding))
            if (hit := self._text(number).find(needle, source.line)) is not None
        ]
        if found:
            _, _, _, number, rects = min(found, key=lambda hit: hit[:4])
            return Mark(number, rects)
        if source.page is None:
            return None
        fallback = self._text(source.page - 1).line(source.line)
        return Mark(source.page - 1, (fallback,)) if fallback is not None else None

    def _text(self, number: int) -> _PageText:
        """The page's text, its line count without running headers and footers."""
        if number not in self._counted:
            self._counted.add(number)
            self._drop_running_lines(number)
        return self._raw(number)

    def _raw(self, number: int) -> _PageText:
        if number not in self._open:
            page = self.document[number]
            self._open[number] = (page, _PageText(page.get_textpage()))
        return self._open[number][1]

    def _drop_running_lines(self, number: int) -> None:
        """Take the page's header and footer lines out of its line count, as the reader does:
        a line among the first or last few whose text (digits aside) a neighbouring page repeats."""
        text = self._raw(number)
        repeated = set()
        for n in (number - 1, number + 1):
            if 0 <= n < len(self.document):
                repeated.update(key for key in self._raw(n).keys if key)
        edge = set(range(_RUNNING)) | set(range(len(text.lines) - _RUNNING, len(text.lines)))
        text.body = [rect for k, (rect, key) in enumerate(zip(text.lines, text.keys, strict=True))
                     if not (k in edge and key in repeated)]

    def close(self) -> None:
        for page, text in self._open.values():
            text.textpage.close()
            page.close()


def _needles(finding: Finding) -> list[str]:
    """What to look for, best first: the target (a goal's title, an indicator's name), then the quote."""
    # A quote is shortened for display ("… grundar sig på att de…"): its ellipses are not on the page.
    squashed = [squash(text.strip().strip("…").strip(".")) for text in (finding.target, finding.quote) if text]
    return [text for text in dict.fromkeys(squashed) if text]


def _agreeing(page: str, start: int, wanted: str) -> int:
    """How many characters of `wanted` the page's text has from `start` on."""
    length = 0
    for have, want in zip(page[start : start + len(wanted)], wanted, strict=False):
        if have != want:
            break
        length += 1
    return length


def squash(text: str) -> str:
    """Text compared without case, spaces or hyphens (a wrapped or hyphenated title is still the title)."""
    return "".join(_squash_char(ch) for ch in text)


def _squash_char(ch: str) -> str:
    if ch.isspace() or ch in _HYPHENS or ch == "\x00":
        return ""
    return unicodedata.normalize("NFKC", ch).casefold()


def _squash_page(textpage: pdfium.PdfTextPage) -> tuple[str, list[int]]:
    """The page's text squashed, and for each squashed character the index of the PDF character it came from."""
    import pypdfium2.raw as pdfium_c

    parts: list[str] = []
    index: list[int] = []
    for i in range(textpage.count_chars()):
        # One code point per character index (get_text_range's UTF-16 may pair surrogates and shift indices).
        squashed = _squash_char(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 0))
        parts.append(squashed)
        index.extend([i] * len(squashed))
    return "".join(parts), index


def _lines(textpage: pdfium.PdfTextPage) -> list[Rect]:
    """The page's text lines from the top, each as one rectangle (pieces on one baseline joined)."""
    count = textpage.count_rects()
    rects = [textpage.get_rect(i) for i in range(count)]
    return sorted(_merge_lines(r for r in rects if r[2] > r[0] and r[3] > r[1]), key=lambda r: (-r[3], r[0]))


def _merge_lines(rects: Iterable[Rect]) -> list[Rect]:
    """Rectangles that share most of their height (one printed line) joined into one."""
    merged: list[Rect] = []
    for left, bottom, right, top in rects:
        for k, (l2, b2, r2, t2) in enumerate(merged):
            overlap = min(top, t2) - max(bottom, b2)
            if overlap > 0.5 * min(top - bottom, t2 - b2):
                merged[k] = (min(left, l2), min(bottom, b2), max(right, r2), max(top, t2))
                break
        else:
            merged.append((left, bottom, right, top))
    return merged


# --- writing the annotations --------------------------------------------------------------


def _add_highlight(writer: PdfWriter, mark: Mark, text: str, severity: Severity, date: str | None) -> None:
    from pypdf.annotations import Highlight, Popup
    from pypdf.generic import ArrayObject, FloatObject

    quads = ArrayObject(
        FloatObject(round(v, 2))
        for left, bottom, right, top in mark.rects
        for v in (left, top, right, top, left, bottom, right, bottom)
    )
    box = _union(mark.rects)
    highlight = Highlight(rect=box, quad_points=quads, highlight_color=_COLOURS[severity], printing=True)
    _describe(highlight, text, date)
    added = writer.add_annotation(mark.page, highlight)
    popup = _beside(box, writer.pages[mark.page].cropbox, 220.0, 120.0)
    writer.add_annotation(mark.page, Popup(rect=popup, parent=added, open=False))


def _add_note(writer: PdfWriter, page: int, text: str, slot: int, date: str | None, *, icon: str) -> None:
    """A sticky note at the page's top left; `slot` stacks several below each other."""
    from pypdf.annotations import Popup, Text
    from pypdf.generic import NameObject

    crop = writer.pages[page].cropbox
    left = float(crop.left) + _MARGIN
    top = float(crop.top) - _MARGIN - slot * (_ICON + 2)
    note_box = (left, top - _ICON, left + _ICON, top)
    note = Text(rect=note_box, text=text, open=False)
    note[NameObject("/Name")] = NameObject(icon)
    _describe(note, text, date)
    added = writer.add_annotation(page, note)
    writer.add_annotation(page, Popup(rect=_beside(note_box, crop, 260.0, 160.0), parent=added))


def _describe(annotation: Any, text: str, date: str | None) -> None:
    """The note's text, author and (the check's) date; no date rather than the clock, as annotate._stamp."""
    from pypdf.generic import NameObject, TextStringObject

    annotation[NameObject("/Contents")] = TextStringObject(text)
    annotation[NameObject("/T")] = TextStringObject(AUTHOR)
    if date is not None:
        annotation[NameObject("/M")] = TextStringObject(date)


def _beside(box: Rect, crop: Any, width: float, height: float) -> Rect:
    """Where a popup opens: right of the text or icon, else left of it, inside the page."""
    page_left, page_bottom, page_right, page_top = (float(v) for v in (crop.left, crop.bottom, crop.right, crop.top))
    left = box[2] + 4 if box[2] + 4 + width <= page_right else max(page_left, box[0] - 4 - width)
    top = min(max(box[3], page_bottom + height), page_top)
    return (left, top - height, left + width, top)


def _union(rects: Sequence[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def _pdf_date(when: str | None) -> str | None:
    """The check's local time ("2025-03-01 12:00") as a PDF date ("D:20250301120000+01'00'")."""
    if not when:
        return None
    try:
        moment = datetime.strptime(when, "%Y-%m-%d %H:%M").astimezone()
    except ValueError:
        return None
    offset = moment.strftime("%z") or "+0000"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"
