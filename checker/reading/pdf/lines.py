"""A PDF page's characters → words → text lines, in one pass over PDFium's characters.

PDFium gives every character its box and its text object; the text object
gives the font (name, weight, size), asked once per object and kept. A word is
a run of characters in content order on one baseline with no gap and one
style; a line is the words whose boxes share a baseline, left to right. A gap
much wider than a space between two words of a line is a column boundary
(tab stop or an unruled table's column), written as a tab as Word would.

Coordinates are points from the page's top left corner, as blocks.Box has them.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from checker.reading.blocks import Run

# A gap wider than this share of the font size between two characters is a space.
_SPACE_GAP = 0.12
# A gap wider than this many font sizes between two words is a column boundary (written "\t").
_COLUMN_GAP = 1.6
# ... and with other gaps on the line to compare with, a gap wider than this share of the font size can be.
_TAB_GAP = 0.6
# PDFium's font flag for an italic font (PDF spec, table 121: bit 7).
_ITALIC_FLAG = 1 << 6
_BOLD_WEIGHT = 600
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demibold", "demi")
_ITALIC_NAMES = ("italic", "oblique")
# Characters that end a word and are not kept: spaces and the line ends PDFium adds.
_BREAKS = {0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x3000, 0x2002, 0x2003, 0x2009}
# A soft hyphen, and the code PDFium gives a hyphen it judged to end a line.
_HYPHENS = {0xAD: "-", 0x02: "-", 0xFFFE: "-"}
_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}


@dataclass(frozen=True, slots=True)
class Style:
    size: float
    bold: bool
    italic: bool


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    style: Style


@dataclass(slots=True)
class Line:
    """One text line of a page (or of a table cell), words left to right."""

    page: int
    words: list[Word]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    raw: str = ""
    runs: list[Run] = field(default_factory=list)
    size: float = 0.0
    bold: bool = False

    @property
    def text(self) -> str:
        return self.raw


def page_words(textpage: pdfium.PdfTextPage, height: float) -> list[Word]:
    """The words of a page in content order (one pass over its characters)."""
    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_unicode, get_box, get_object = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetTextObject
    styles: dict[int | None, Style] = {}
    words: list[Word] = []
    chars: list[str] = []
    x0 = x1 = top = bottom = 0.0
    style: Style | None = None
    for index in range(count):
        code = get_unicode(handle, index)
        if code in _BREAKS or code == 0:
            if chars:
                words.append(Word("".join(chars), x0, x1, top, bottom, style))  # type: ignore[arg-type]
                chars = []
            continue
        if not get_box(handle, index, rect_ref):
            continue
        obj = get_object(handle, index)
        key = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        char_style = styles.get(key)
        if char_style is None:
            char_style = styles[key] = _style(handle, index)
        left, right = rect.left, rect.right
        char_top, char_bottom = height - rect.top, height - rect.bottom
        if chars:
            same_line = abs(char_bottom - bottom) < 0.3 * max(char_style.size, 1.0)
            gap = left - x1
            if not same_line or char_style != style or gap > _SPACE_GAP * char_style.size or gap < -char_style.size:
                words.append(Word("".join(chars), x0, x1, top, bottom, style))  # type: ignore[arg-type]
                chars = []
        if not chars:
            x0, top, bottom, style = left, char_top, char_bottom, char_style
        chars.append(_char(code))
        x1 = max(x1, right) if len(chars) > 1 else right
        top = min(top, char_top)
        bottom = max(bottom, char_bottom)
    if chars:
        words.append(Word("".join(chars), x0, x1, top, bottom, style))  # type: ignore[arg-type]
    return words


def _column_gap(gaps: list[float], words: list[Word]) -> float:
    """The gap beyond which two words of a line stand in different columns (a tab stop, an unruled table).

    A space is the line's narrowest gap (a justified line stretches all of them alike); a gap more than
    twice that, and wider than half a letter height, is a tab; so is any gap wider than _COLUMN_GAP
    letter heights (a header row whose every gap is a column gap). With one gap only, only a wide one is.
    """
    size = max(word.style.size for word in words)
    if len(gaps) < 2:
        return _COLUMN_GAP * size
    return max(min(2.0 * max(min(gaps), 0.0), _COLUMN_GAP * size), _TAB_GAP * size)


def _char(code: int) -> str:
    if code in _HYPHENS:
        return _HYPHENS[code]
    if code in _LIGATURES:
        return _LIGATURES[code]
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _style(handle: raw.FPDF_TEXTPAGE, index: int) -> Style:
    """The style of the character at `index` (asked once per text object)."""
    size = float(raw.FPDFText_GetFontSize(handle, index)) or 1.0
    flags = ctypes.c_int(0)
    length = raw.FPDFText_GetFontInfo(handle, index, None, 0, ctypes.byref(flags))
    name = ""
    if length > 0:
        buffer = ctypes.create_string_buffer(length)
        raw.FPDFText_GetFontInfo(handle, index, buffer, length, ctypes.byref(flags))
        name = buffer.value.decode("utf-8", "replace").lower()
    weight = raw.FPDFText_GetFontWeight(handle, index)
    bold = weight >= _BOLD_WEIGHT or any(part in name for part in _BOLD_NAMES)
    italic = bool(flags.value & _ITALIC_FLAG) or any(part in name for part in _ITALIC_NAMES)
    return Style(round(size, 1), bold, italic)


def group_lines(words: list[Word], page: int) -> list[Line]:
    """Words → lines, top to bottom: a word belongs to the line its vertical middle falls in."""
    lines: list[Line] = []
    current: list[Word] = []
    low = high = 0.0
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        middle = (word.top + word.bottom) / 2
        if current and low <= middle <= high:
            current.append(word)
            continue
        if current:
            lines.append(make_line(current, page))
        current, low, high = [word], word.top, word.bottom
    if current:
        lines.append(make_line(current, page))
    return lines


def make_line(words: list[Word], page: int) -> Line:
    words = sorted(words, key=lambda w: w.x0)
    gaps = [word.x0 - previous.x1 for previous, word in zip(words, words[1:])]
    column = _column_gap(gaps, words)
    pieces: list[str] = []
    runs: list[Run] = []
    for index, word in enumerate(words):
        separator = ""
        if index > 0:
            separator = "\t" if gaps[index - 1] > column else " "
        text = separator + word.text
        pieces.append(text)
        style = word.style
        if runs and runs[-1].bold == style.bold and runs[-1].italic == style.italic:
            runs[-1].text += text
        else:
            runs.append(Run(text, style.bold, style.italic))
    sizes: dict[float, int] = {}
    for word in words:
        sizes[word.style.size] = sizes.get(word.style.size, 0) + len(word.text)
    visible = [w for w in words if w.text.strip()]
    return Line(
        page=page,
        words=words,
        x0=words[0].x0,
        x1=max(w.x1 for w in words),
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        raw="".join(pieces),
        runs=runs,
        size=max(sizes, key=lambda s: sizes[s]),
        bold=bool(visible) and all(w.style.bold for w in visible),
    )
