"""Reading a .docx into an ordered stream of blocks.

python-docx opens the package (zip, relationships, parts); the body is then
walked directly on its lxml tree, because the recogniser needs things the
high-level API hides or makes slow: body order of paragraphs *and* tables,
content controls (w:sdt) that wrap parts of exported documents, symbol-font
glyphs (w:sym), automatic list numbers, merged cells and tracked changes.

Every block carries its provenance (body position, paragraph or table index,
row, column) so that a finding can point back at it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from checker.errors import ReadError
from checker.text import normalise

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _SDT, _SDT_CONTENT, _CUSTOM_XML = W + "p", W + "tbl", W + "sdt", W + "sdtContent", W + "customXml"
_R, _T, _TAB, _BR, _CR, _SYM = W + "r", W + "t", W + "tab", W + "br", W + "cr", W + "sym"
_DEL, _MOVE_FROM, _NO_BREAK_HYPHEN = W + "del", W + "moveFrom", W + "noBreakHyphen"
_VAL = W + "val"
# Containers whose text is not part of the running text of a paragraph.
_SKIPPED_SUBTREES = {_DEL, _MOVE_FROM, W + "instrText", W + "delInstrText", W + "footnoteReference", W + "pPr", W + "rPr"}

ListKind = Literal["number", "bullet"]


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


@dataclass(slots=True)
class TableBlock:
    block: int
    table: int
    rows: list[list[Cell]]
    columns: int


Block = ParagraphBlock | TableBlock


@dataclass(slots=True)
class DocxContent:
    """Everything the recogniser needs from one file."""

    path: Path
    blocks: list[Block]
    # Text of page headers and footers, text boxes (a cover page is often laid
    # out in them) and the core-properties title: places where the document's
    # kind and year are often written.
    header_texts: list[str] = field(default_factory=list)
    textbox_texts: list[str] = field(default_factory=list)
    core_title: str | None = None


def read_docx(path: Path) -> DocxContent:
    """Open `path` and return its blocks in body order. Raises ReadError in Swedish."""
    document = _open(path)
    styles = _StyleTable(document)
    numbering = _Numbering(document)
    body = document.element.body
    blocks = list(_walk_body(body, styles, numbering))
    return DocxContent(
        path=path,
        blocks=blocks,
        header_texts=_header_texts(document),
        textbox_texts=_textbox_texts(body),
        core_title=_core_title(document),
    )


def _open(path: Path):  # -> docx.document.Document
    import docx  # imported here: only commands that read documents pay for it
    from docx.opc.exceptions import PackageNotFoundError

    if not path.exists():
        raise ReadError(path, "filen finns inte.")
    if path.is_dir():
        raise ReadError(path, "det är en mapp, inte en Word-fil.")
    try:
        return docx.Document(str(path))
    except PackageNotFoundError:
        raise ReadError(path, _not_docx_reason(path)) from None
    except zipfile.BadZipFile:
        raise ReadError(path, "filen är skadad eller inte en Word-fil (.docx).") from None
    except KeyError:
        raise ReadError(path, "filen saknar Word-dokumentets innehåll (word/document.xml).") from None
    except ValueError as exc:
        if "content type" in str(exc).lower():
            raise ReadError(path, "filen är inte ett Word-dokument (fel innehållstyp, kanske Excel eller makrofil).") from None
        raise ReadError(path, "filen kunde inte läsas som Word-dokument.") from None
    except (OSError, EOFError):
        raise ReadError(path, "filen kunde inte öppnas (saknas behörighet eller är den ofullständig?).") from None
    except Exception:  # lxml.etree.XMLSyntaxError and other parser failures
        raise ReadError(path, "Word-dokumentets innehåll är skadat och kunde inte tolkas.") from None


def _not_docx_reason(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return "filen kunde inte öppnas (saknas behörighet?)."
    if not head:
        return "filen är tom (0 byte)."
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("filen är ett äldre Word-dokument (.doc) eller ett lösenordsskyddat dokument. "
                "Spara om det som .docx utan lösenord.")
    if not head.startswith(b"PK"):
        return "filen är inte en Word-fil (.docx)."
    return "filen är inte ett Word-dokument (.docx)."


def _walk_body(body, styles: _StyleTable, numbering: _Numbering) -> Iterator[Block]:
    counters = {"block": 0, "paragraph": 0, "table": 0}
    for element in _body_elements(body):
        if element.tag == _P:
            block = _read_paragraph(element, counters["block"], counters["paragraph"], styles, numbering)
            counters["paragraph"] += 1
        else:
            block = _read_table(element, counters["block"], counters["table"])
            counters["table"] += 1
        counters["block"] += 1
        yield block


def _body_elements(parent) -> Iterator:
    """Paragraphs and tables in body order, looking inside content controls."""
    for child in parent:
        tag = child.tag
        if tag == _P or tag == _TBL:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _body_elements(content)
        elif tag == _CUSTOM_XML:
            yield from _body_elements(child)


def _read_paragraph(p, block: int, index: int, styles: _StyleTable, numbering: _Numbering) -> ParagraphBlock:
    style_id = _style_id(p)
    style = styles.get(style_id)
    runs = _runs(p, style.bold)
    raw = "".join(r.text for r in runs)
    level = _outline_level(p) if style.heading_level is None else style.heading_level
    num = _num_pr(p) or style.num_pr
    kind, marker = numbering.label(num) if num else (None, None)
    return ParagraphBlock(
        block=block,
        paragraph=index,
        raw=raw,
        text=normalise(raw.replace("\n", " ")),
        style=style.name,
        heading_level=level,
        runs=runs,
        list_kind=kind,
        list_marker=marker,
    )


def _style_id(p) -> str | None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None
    pstyle = ppr.find(W + "pStyle")
    return None if pstyle is None else pstyle.get(_VAL)


def _outline_level(p) -> int | None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None
    outline = ppr.find(W + "outlineLvl")
    if outline is None:
        return None
    try:
        value = int(outline.get(_VAL, "9"))
    except ValueError:
        return None
    return value + 1 if value < 9 else None


def _num_pr(p) -> tuple[str, int] | None:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return None
    num_pr = ppr.find(W + "numPr")
    return _parse_num_pr(num_pr)


def _parse_num_pr(num_pr) -> tuple[str, int] | None:
    if num_pr is None:
        return None
    num_id = num_pr.find(W + "numId")
    if num_id is None or num_id.get(_VAL) in (None, "0"):
        return None
    ilvl = num_pr.find(W + "ilvl")
    try:
        level = int(ilvl.get(_VAL, "0")) if ilvl is not None else 0
    except ValueError:
        level = 0
    return num_id.get(_VAL), level


def _runs(p, style_bold: bool) -> list[Run]:
    """The runs of a paragraph with their text, following hyperlinks, fields and insertions."""
    runs: list[Run] = []
    for r in _iter_runs(p):
        text = _run_text(r)
        if text:
            bold, italic = _run_format(r, style_bold)
            runs.append(Run(text, bold, italic))
    return runs


def _iter_runs(element) -> Iterator:
    # Iterative depth-first walk: deeply nested markup must not hit the recursion limit.
    stack = [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _R:
            yield child
        elif tag in _SKIPPED_SUBTREES or tag == _P or tag == _TBL:
            continue
        elif isinstance(tag, str):
            stack.append(iter(child))


def _run_text(r) -> str:
    parts: list[str] = []
    for child in r:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BR or tag == _CR:
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _SYM:
            parts.append(_symbol_char(child))
    return "".join(parts)


def _symbol_char(sym) -> str:
    """A symbol-font glyph (w:sym) as the private-use character Word stores."""
    try:
        return chr(int(sym.get(W + "char", "F020"), 16))
    except (ValueError, OverflowError):
        return " "


def _run_format(r, style_bold: bool) -> tuple[bool, bool]:
    rpr = r.find(W + "rPr")
    bold, italic = style_bold, False
    if rpr is not None:
        bold = _toggle(rpr.find(W + "b"), bold)
        italic = _toggle(rpr.find(W + "i"), italic)
        rstyle = rpr.find(W + "rStyle")
        if rstyle is not None and _looks_strong(rstyle.get(_VAL, "")):
            bold = True
    return bold, italic


def _toggle(element, default: bool) -> bool:
    if element is None:
        return default
    return element.get(_VAL, "true").lower() not in ("0", "false", "off")


def _looks_strong(style_id: str) -> bool:
    lowered = style_id.lower()
    return "strong" in lowered or "stark" in lowered or "fet" in lowered or "bold" in lowered


def _read_table(tbl, block: int, index: int) -> TableBlock:
    rows: list[list[Cell]] = []
    columns = 0
    for row_index, tr in enumerate(tbl.iterchildren(W + "tr")):
        cells: list[Cell] = []
        column = 0
        for tc in tr.iterchildren(W + "tc"):
            span, merged = _cell_geometry(tc)
            raw = _cell_text(tc)
            cells.append(Cell(row_index, column, span, raw, normalise(raw), merged))
            column += span
        columns = max(columns, column)
        rows.append(cells)
    return TableBlock(block=block, table=index, rows=rows, columns=columns)


def _cell_geometry(tc) -> tuple[int, bool]:
    tcpr = tc.find(W + "tcPr")
    if tcpr is None:
        return 1, False
    span_el = tcpr.find(W + "gridSpan")
    try:
        span = max(1, int(span_el.get(_VAL, "1"))) if span_el is not None else 1
    except ValueError:
        span = 1
    vmerge = tcpr.find(W + "vMerge")
    merged = vmerge is not None and vmerge.get(_VAL, "continue") == "continue"
    return span, merged


def _cell_text(tc) -> str:
    """All paragraphs of a cell, one per line (nested tables flattened into lines)."""
    lines = []
    for p in tc.iter(_P):
        lines.append("".join(_run_text(r) for r in _iter_runs(p)))
    return "\n".join(lines)


@dataclass(slots=True)
class _Style:
    name: str
    heading_level: int | None
    bold: bool
    num_pr: tuple[str, int] | None


_DEFAULT_STYLE = _Style(name="Normal", heading_level=None, bold=False, num_pr=None)


class _StyleTable:
    """Paragraph styles by id, with what their basedOn chain implies."""

    def __init__(self, document) -> None:
        self._raw: dict[str, object] = {}
        self._resolved: dict[str, _Style] = {}
        try:
            root = document.part.styles.element
        except Exception:  # a document without a styles part is still readable
            return
        for style in root.iterchildren(W + "style"):
            style_id = style.get(W + "styleId")
            if style_id:
                self._raw[style_id] = style

    def get(self, style_id: str | None) -> _Style:
        if style_id is None:
            return _DEFAULT_STYLE
        if style_id not in self._resolved:
            self._resolved[style_id] = self._resolve(style_id, depth=0)
        return self._resolved[style_id]

    def _resolve(self, style_id: str, depth: int) -> _Style:
        element = self._raw.get(style_id)
        if element is None or depth > 20:
            return _Style(name=style_id, heading_level=_heading_level_from_name(style_id), bold=False, num_pr=None)
        name_el = element.find(W + "name")
        name = name_el.get(_VAL, style_id) if name_el is not None else style_id
        based = element.find(W + "basedOn")
        parent = self._resolve(based.get(_VAL), depth + 1) if based is not None and based.get(_VAL) else _DEFAULT_STYLE
        ppr = element.find(W + "pPr")
        rpr = element.find(W + "rPr")
        level = _heading_level_from_name(name) or _heading_level_from_name(style_id)
        if level is None and ppr is not None and ppr.find(W + "outlineLvl") is not None:
            try:
                raw_level = int(ppr.find(W + "outlineLvl").get(_VAL, "9"))
                level = raw_level + 1 if raw_level < 9 else None
            except ValueError:
                level = None
        num_pr = _parse_num_pr(ppr.find(W + "numPr")) if ppr is not None else None
        bold = _toggle(rpr.find(W + "b"), parent.bold) if rpr is not None else parent.bold
        return _Style(
            name=name,
            heading_level=level if level is not None else parent.heading_level,
            bold=bold,
            num_pr=num_pr or parent.num_pr,
        )


def _heading_level_from_name(name: str) -> int | None:
    """"Heading 2", "heading2", "Rubrik 2" → 2; "Title"/"Rubrik" → 1."""
    lowered = name.lower().replace(" ", "")
    for prefix in ("heading", "rubrik", "overskrift", "berschrift"):
        if lowered.startswith(prefix):
            rest = lowered[len(prefix):]
            if rest.isdigit():
                return int(rest)
            if not rest:
                return 1
    if lowered in ("title", "titel"):
        return 1
    return None


_BULLET_FORMATS = {"bullet", "none"}


class _Numbering:
    """Computes the labels Word shows for automatically numbered paragraphs."""

    def __init__(self, document) -> None:
        self._formats: dict[tuple[str, int], tuple[str, int, str]] = {}
        self._counters: dict[str, list[int]] = {}
        self._abstract_of: dict[str, str] = {}
        self._start_override: dict[tuple[str, int], int] = {}
        self._abstract_levels: dict[str, dict[int, tuple[str, int, str]]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part: no automatic numbers
            return
        self._load(root)

    def _load(self, root) -> None:
        for abstract in root.iterchildren(W + "abstractNum"):
            levels: dict[int, tuple[str, int, str]] = {}
            for lvl in abstract.iterchildren(W + "lvl"):
                levels[_int_attr(lvl, W + "ilvl", 0)] = _level_format(lvl)
            self._abstract_levels[abstract.get(W + "abstractNumId", "")] = levels
        for num in root.iterchildren(W + "num"):
            num_id = num.get(W + "numId", "")
            abstract_id = num.find(W + "abstractNumId")
            if abstract_id is not None:
                self._abstract_of[num_id] = abstract_id.get(_VAL, "")
            for override in num.iterchildren(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                if start is not None:
                    self._start_override[(num_id, _int_attr(override, W + "ilvl", 0))] = _int_attr(start, _VAL, 1)

    def label(self, num: tuple[str, int]) -> tuple[ListKind | None, str | None]:
        num_id, level = num
        fmt = self._abstract_levels.get(self._abstract_of.get(num_id, ""), {}).get(level)
        if fmt is None:
            return None, None
        num_fmt, start, text = fmt
        if num_fmt in _BULLET_FORMATS:
            return "bullet", "•"
        start = self._start_override.get((num_id, level), start)
        counters = self._counters.setdefault(num_id, [])
        while len(counters) <= level:
            counters.append(0)
        counters[level] += 1
        del counters[level + 1 :]  # deeper levels restart after a higher item
        value = start + counters[level] - 1
        return "number", text.replace(f"%{level + 1}", _format_number(value, num_fmt))


def _level_format(lvl) -> tuple[str, int, str]:
    num_fmt_el = lvl.find(W + "numFmt")
    num_fmt = num_fmt_el.get(_VAL, "decimal") if num_fmt_el is not None else "decimal"
    start_el = lvl.find(W + "start")
    start = _int_attr(start_el, _VAL, 1) if start_el is not None else 1
    text_el = lvl.find(W + "lvlText")
    text = text_el.get(_VAL, f"%{_int_attr(lvl, W + 'ilvl', 0) + 1}.") if text_el is not None else "%1."
    return num_fmt, start, text


def _int_attr(element, name: str, default: int) -> int:
    try:
        return int(element.get(name, default))
    except (TypeError, ValueError):
        return default


def _format_number(value: int, num_fmt: str) -> str:
    if num_fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if num_fmt == "upperLetter" else letter
    if num_fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if num_fmt == "upperRoman" else roman
    return str(value)


def _roman(value: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for number, letters in numerals:
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


def _header_texts(document) -> list[str]:
    texts: list[str] = []
    try:
        for section in document.sections:
            for part in (section.header, section.first_page_header, section.footer):
                if part.is_linked_to_previous:
                    continue
                for p in part._element.iter(_P):
                    text = normalise("".join(_run_text(r) for r in _iter_runs(p)))
                    if text:
                        texts.append(text)
    except Exception:  # headers are a hint only; a broken one must not stop the read
        return texts
    return texts


def _textbox_texts(body, limit: int = 200) -> list[str]:
    """Paragraphs inside text boxes, in document order (the body walk does not see them)."""
    texts: list[str] = []
    for box in body.iter(W + "txbxContent"):
        for p in box.iter(_P):
            text = normalise("".join(_run_text(r) for r in _iter_runs(p)))
            if text:
                texts.append(text)
                if len(texts) >= limit:
                    return texts
    return texts


def _core_title(document) -> str | None:
    try:
        title = document.core_properties.title
    except Exception:
        return None
    return normalise(title) or None if title else None
