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
_BREAK_CHARS = frozenset(chr(code) for code in _BREAKS) | {"\x00"}
# Characters written otherwise in a word: hyphens PDFium marked, ligatures.
_SPECIAL = {chr(code): text for code, text in (*_HYPHENS.items(), *_LIGATURES.items())} | {"\ufffe": "-"}


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
    # Starts where the word before it ends, drawn as a separate text (the next cell of a table whose text
    # overflowed its column, or the rest of a word in another text object).
    glued: bool = False


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
    # What stands before each word in `raw`: "" (the first, or a glued word), " " or "\t".
    separators: list[str] = field(default_factory=list)
    # Its columns were typed with tabs (checker.reading.pdf.tabstops): a paragraph, not a table's row.
    tabbed: bool = False

    @property
    def text(self) -> str:
        return self.raw


def page_words(textpage: pdfium.PdfTextPage, height: float) -> list[Word]:
    """The words of a page in content order (one pass over its characters)."""
    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    text = _page_text(textpage, count)
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_box = raw.FPDFText_GetLooseCharBox
    get_object = _GET_OBJECT
    styles: dict[int | None, Style] = {}
    interned: dict[Style, Style] = {}  # equal styles are one object: compared with `is`
    words: list[Word] = []
    chars: list[str] = []
    x0 = x1 = top = bottom = 0.0
    style: Style | None = None
    current_key: int | None = None
    glued = False
    for index in range(count):
        char = text[index]
        if char in _BREAK_CHARS:
            if chars:
                words.append(Word("".join(chars), x0, x1, top, bottom, style, glued))  # type: ignore[arg-type]
                chars = []
            continue
        if not get_box(handle, index, rect_ref):
            continue
        key = get_object(handle, index)
        char_style = styles.get(key)
        if char_style is None:
            made = _style(handle, index)
            char_style = styles[key] = interned.setdefault(made, made)
        left, right = rect.left, rect.right
        char_top, char_bottom = height - rect.top, height - rect.bottom
        next_glued = False
        if chars:
            size = char_style.size
            gap = left - x1
            if (char_style is not style or gap > _SPACE_GAP * size or gap < -size
                    or abs(char_bottom - bottom) >= 0.3 * (size if size > 1.0 else 1.0)):
                words.append(Word("".join(chars), x0, x1, top, bottom, style, glued))  # type: ignore[arg-type]
                chars = []
            elif key != current_key:
                words.append(Word("".join(chars), x0, x1, top, bottom, style, glued))  # type: ignore[arg-type]
                chars = []
                next_glued = True
        current_key = key
        if not chars:
            x0, x1, top, bottom, style, glued = left, right, char_top, char_bottom, char_style, next_glued
        else:
            if right > x1:
                x1 = right
            if char_top < top:
                top = char_top
            if char_bottom > bottom:
                bottom = char_bottom
        chars.append(_SPECIAL.get(char, char))
    if chars:
        words.append(Word("".join(chars), x0, x1, top, bottom, style, glued))  # type: ignore[arg-type]
    return words


# FPDFText_GetTextObject answering the object's address as an int: a key for the style cache
# without a ctypes.cast per character (which cost as much as the rest of the loop).
_GET_OBJECT = ctypes.cast(raw.FPDFText_GetTextObject, ctypes.CFUNCTYPE(ctypes.c_void_p, raw.FPDF_TEXTPAGE, ctypes.c_int))


def _page_text(textpage: pdfium.PdfTextPage, count: int) -> str:
    """One character per PDFium character index: the page's text in one call, or (when a character
    outside the BMP makes the two disagree) asked character by character."""
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) == count:
        return text
    handle = textpage.raw
    return "".join(_char(raw.FPDFText_GetUnicode(handle, index)) for index in range(count))


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
    column = _column_gap([gap for gap, word in zip(gaps, words[1:]) if not word.glued], words)
    separators: list[str] = []
    for index, word in enumerate(words):
        separator = ""
        if index > 0:
            gap = gaps[index - 1]
            if word.glued and gap <= _SPACE_GAP * word.style.size:
                separator = ""
            else:
                separator = "\t" if gap > column else " "
        separators.append(separator)
    sizes: dict[float, int] = {}
    for word in words:
        sizes[word.style.size] = sizes.get(word.style.size, 0) + len(word.text)
    visible = [w for w in words if w.text.strip()]
    line = Line(
        page=page,
        words=words,
        x0=words[0].x0,
        x1=max(w.x1 for w in words),
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=max(sizes, key=lambda s: sizes[s]),
        bold=bool(visible) and all(w.style.bold for w in visible),
    )
    set_separators(line, separators)
    return line


def set_separators(line: Line, separators: list[str]) -> None:
    """Give the line what stands before each of its words, and the text and runs that makes."""
    pieces: list[str] = []
    runs: list[Run] = []
    for word, separator in zip(line.words, separators, strict=True):
        text = separator + word.text
        pieces.append(text)
        style = word.style
        if runs and runs[-1].bold == style.bold and runs[-1].italic == style.italic:
            runs[-1].text += text
        else:
            runs.append(Run(text, style.bold, style.italic))
    line.separators = list(separators)
    line.raw = "".join(pieces)
    line.runs = runs
