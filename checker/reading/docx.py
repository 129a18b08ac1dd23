"""Reading a .docx into an ordered stream of blocks.

The package (zip, relationships, parts) is opened with zipfile and lxml, and
the body walked directly on its lxml tree, because the recogniser needs
things python-docx's high-level API hides or makes slow: body order of paragraphs *and* tables,
content controls (w:sdt) that wrap parts of exported documents, symbol-font
glyphs (w:sym), automatic list numbers, merged cells and tracked changes.

Every block carries its provenance (body position, paragraph or table index,
row, column) so that a finding can point back at it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from lxml import etree

from checker.errors import ReadError
from checker.reading.blocks import Block, Cell, DocumentContent, ListKind, ParagraphBlock, Run, TableBlock
from checker.safety import (
    PackageProblem,
    check_part,
    check_xml_parts,
    open_package,
    wrong_type_problem,
    xml_problem,
)
from checker.text import normalise
from checker.wordml import W

_P, _TBL, _SDT, _SDT_CONTENT, _CUSTOM_XML = W + "p", W + "tbl", W + "sdt", W + "sdtContent", W + "customXml"
_R, _T, _TAB, _BR, _CR, _SYM = W + "r", W + "t", W + "tab", W + "br", W + "cr", W + "sym"
_DEL, _MOVE_FROM, _NO_BREAK_HYPHEN = W + "del", W + "moveFrom", W + "noBreakHyphen"
# Run children that stand for one character of text (w:sym needs its font and code, see _symbol_char).
_RUN_CHARS = {_TAB: "\t", _BR: "\n", _CR: "\n", _NO_BREAK_HYPHEN: "-"}
_VAL = W + "val"
_NUM_ID, _ILVL = W + "numId", W + "ilvl"
_PPR, _RPR, _PSTYLE, _OUTLINE, _NUMPR = W + "pPr", W + "rPr", W + "pStyle", W + "outlineLvl", W + "numPr"
_B, _I, _RSTYLE = W + "b", W + "i", W + "rStyle"
_TR, _TC, _TCPR, _GRID_SPAN, _VMERGE = W + "tr", W + "tc", W + "tcPr", W + "gridSpan", W + "vMerge"
# Containers whose text is not part of the running text of a paragraph.
_SKIPPED_SUBTREES = {_DEL, _MOVE_FROM, W + "instrText", W + "delInstrText", W + "footnoteReference", W + "pPr", W + "rPr"}

def read_docx(path: Path) -> DocumentContent:
    """Open `path` and return its blocks in body order. Raises ReadError in Swedish."""
    package = _open(path)
    styles = _style_table(package.styles)
    numbering = _Numbering(package.numbering)
    body = package.body
    blocks = list(_walk_body(body, styles, numbering)) if body is not None else []
    return DocumentContent(
        path=path,
        blocks=blocks,
        header_texts=_header_texts(package),
        textbox_texts=_textbox_texts(body) if body is not None else [],
        core_title=_core_title(package.core_title),
        core_subject=_core_title(package.core_subject),
        comments=_comment_anchors(body, package.comments) if body is not None and package.comments else [],
    )


# --- comments addressed to Målkoll --------------------------------------------------

_COMMENT = W + "comment"
_COMMENT_ID = W + "id"
_ANCHOR_TAGS = (W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference")
# Only comments that start with the tool's name are read: other comments are the authors' own business.
_TO_MALKOLL = re.compile(r"^\s*m[åa]lkoll\s*:", re.IGNORECASE)


def _malkoll_comments(data: bytes) -> dict[str, str]:
    """comment id → text, for the comments in word/comments.xml that speak to Målkoll."""
    root = etree.fromstring(data, _PARSER)
    found: dict[str, str] = {}
    for comment in root.iter(_COMMENT):
        text = " ".join("".join(t.text or "" for t in p.iter(W + "t")) for p in comment.iter(_P))
        if _TO_MALKOLL.match(text):
            found[comment.get(_COMMENT_ID, "")] = " ".join(text.split())
    return found


def _comment_anchors(body: Any, comments: dict[str, str]) -> list[tuple[str, int, int]]:
    """(text, first block, last block) of each Målkoll comment, from its range marks in the body."""
    blocks: dict[str, list[int]] = {}
    for block, element in enumerate(body_elements(body)):
        for mark in element.iter(*_ANCHOR_TAGS):
            ident = mark.get(_COMMENT_ID, "")
            if ident in comments:
                blocks.setdefault(ident, []).append(block)
    return [(comments[i], min(b), max(b)) for i, b in blocks.items()]


# --- the package --------------------------------------------------------------------
#
# The package is opened with zipfile and lxml directly rather than with
# python-docx: python-docx parses every XML part on opening (the template's
# styles part alone is larger than most documents' text) and builds its own
# Python element classes for every element, which made opening cost several
# times what reading the text does. Only the parts the reader uses are read,
# found through the package's relationships exactly as python-docx finds them,
# with python-docx's parser settings, so the same files read the same way and
# fail with the same Swedish messages.

# Never expand an entity, load a DTD or touch the network, and keep libxml2's
# limits (256 levels, 10 MB per text node): a part is data, not instructions.
_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
)
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_DC_SUBJECT = "{http://purl.org/dc/elements/1.1/}subject"
# Which header and footer definitions python-docx's section.header,
# section.first_page_header and section.footer read, in that order.
_HEADER_REFERENCES = ((W + "headerReference", "default"), (W + "headerReference", "first"), (W + "footerReference", "default"))


@dataclass(slots=True)
class _Package:
    body: Any | None  # the w:body element
    styles: _StylesSource | None
    numbering: _NumberingDefinitions | None
    # Per section (python-docx's order), the header/footer roots it defines; None
    # where a definition is referenced but its part is missing (reading stops there).
    headers: list[Any | None]
    core_title: str | None
    core_subject: str | None = None
    # Word comments addressed to Målkoll: id → text.
    comments: dict[str, str] = field(default_factory=dict)


def _open(path: Path) -> _Package:
    # Everything that can be judged without decompressing (what kind of file,
    # zip bomb, entry names) is judged first, on the handle that is then read.
    try:
        archive = open_package(path)
    except PackageProblem as refused:
        raise ReadError(path, refused.problem) from None
    try:
        with archive:
            return _read_package(archive)
    except PackageProblem as refused:
        raise ReadError(path, refused.problem) from None
    except zipfile.BadZipFile:
        raise ReadError(path, "filen är skadad eller inte en Word-fil (.docx).") from None
    except KeyError:
        raise ReadError(path, "filen saknar Word-dokumentets innehåll (word/document.xml).") from None
    except ValueError:
        raise ReadError(path, "filen kunde inte läsas som Word-dokument.") from None
    except (OSError, EOFError):
        # It opened and passed the checks, then reading it failed: it shrank or changed under us.
        raise ReadError(path, "filen kunde inte läsas till slut – den ändrades medan den lästes, eller är ofullständig. "
                              "Försök igen när den har sparats klart.") from None
    except MemoryError:
        raise  # the worker's memory ceiling: told as such (checker.batch), not as a damaged file
    except Exception as error:  # noqa: BLE001 - lxml.etree.XMLSyntaxError, zlib.error and other parser failures
        problem = xml_problem(error) or "Word-dokumentets innehåll är skadat och kunde inte tolkas."
        raise ReadError(path, problem) from None


def _read_package(archive: zipfile.ZipFile) -> _Package:
    """The parts the reader needs. KeyError: a part is missing; PackageProblem: not a Word document, or a DTD."""
    content_types = etree.fromstring(_part(archive, "[Content_Types].xml"), _PARSER)
    document_name = _related(archive, "", _RT + "officeDocument", required=True)
    assert document_name is not None
    content_type = _content_type(content_types, document_name)
    if content_type != _CT_DOCUMENT:
        raise PackageProblem(wrong_type_problem(content_type))
    document = etree.fromstring(_part(archive, document_name), _PARSER)
    document_rels = _relationships(archive, document_name)
    styles_name = _target(document_rels, _RT + "styles")
    numbering_name = _target(document_rels, _RT + "numbering")
    core_name = _related(archive, "", _RT_CORE)
    core_title = core_subject = None
    if core_name is not None:
        core = etree.fromstring(_part(archive, core_name), _PARSER)
        title, subject = core.find(_DC_TITLE), core.find(_DC_SUBJECT)
        core_title = (title.text or "") if title is not None else ""
        core_subject = (subject.text or "") if subject is not None else None
    body = document.find(W + "body")
    comments_name = _target(document_rels, _RT + "comments")
    # The parts read here were looked at for a DTD as they were read; python-docx reads the others (annotate).
    check_xml_parts(archive, skip=(document_name,), prolog_only=True)
    return _Package(
        body=body,
        styles=_StylesSource(_part(archive, styles_name)) if styles_name else _StylesSource.python_docx_default(),
        numbering=_numbering_definitions(_part(archive, numbering_name)) if numbering_name else None,
        headers=_header_parts(archive, body, document_rels) if body is not None else [],
        core_title=core_title,
        core_subject=core_subject,
        # Through _part like every part read: a DTD or too many elements is refused before parsing.
        comments=_malkoll_comments(_part(archive, comments_name)) if comments_name else {},
    )


def _relationships(archive: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """rId → (relationship type, zip member) of the internal relationships of `source` ("" = the package)."""
    folder, _, name = source.rpartition("/")
    rels_name = f"{folder}/_rels/{name}.rels" if folder else (f"_rels/{name}.rels" if name else "_rels/.rels")
    try:
        root = etree.fromstring(_part(archive, rels_name), _PARSER)
    except KeyError:
        return {}  # a part without relationships
    found: dict[str, tuple[str, str]] = {}
    for rel in root.iter(_RELS):
        if rel.get("TargetMode") == "External":
            continue
        # As python-docx resolves a reference: relative to the source part's folder.
        target = posixpath.normpath(posixpath.join("/" + folder, rel.get("Target", "")))
        found[rel.get("Id", "")] = (rel.get("Type", ""), target.lstrip("/"))
    return found


def _target(rels: dict[str, tuple[str, str]], rel_type: str) -> str | None:
    for kind, target in rels.values():
        if kind == rel_type:
            return target
    return None


def _related(archive: zipfile.ZipFile, source: str, rel_type: str, *, required: bool = False) -> str | None:
    target = _target(_relationships(archive, source), rel_type)
    if target is None and required:
        raise KeyError(f"no relationship of type '{rel_type}'")
    return target


def _content_type(types, member: str) -> str | None:
    partname = "/" + member.lower()
    for override in types.iter(_CT + "Override"):
        if override.get("PartName", "").lower() == partname:
            return override.get("ContentType")
    extension = member.rpartition(".")[2].lower()
    for default in types.iter(_CT + "Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType")
    raise KeyError(f"no content type for part '{member}'")


def _header_parts(archive: zipfile.ZipFile, body: Any, rels: dict[str, tuple[str, str]]) -> list[Any | None]:
    """Header/footer roots as python-docx's sections would give them, each part parsed once."""
    parsed: dict[str, Any] = {}
    roots: list[Any | None] = []
    for sect_pr in _section_properties(body):
        for tag, kind in _HEADER_REFERENCES:
            reference = next((r for r in sect_pr.iterchildren(tag) if r.get(W + "type") == kind), None)
            if reference is None:
                continue  # "linked to previous": nothing of its own
            target = rels.get(reference.get(_R_ID, ""))
            if target is None:
                roots.append(None)
                return roots
            name = target[1]
            if name not in parsed:
                parsed[name] = etree.fromstring(_part(archive, name), _PARSER)
            roots.append(parsed[name])
    return roots


def _section_properties(body) -> list:
    """w:sectPr of each section in body order: python-docx's own query, run in C by libxml2
    (walking every body paragraph in Python cost more than parsing the headers)."""
    return _SECTION_PROPERTIES(body)


_SECTION_PROPERTIES = etree.XPath("w:p/w:pPr/w:sectPr | w:sectPr", namespaces={"w": W[1:-1]})


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    """One part's bytes (sizes were checked against the limits when the package was opened).

    A part that declares a document type is refused before it is parsed:
    Office Open XML never has one, and entity attacks need one.
    """
    data = archive.read(name)
    check_part(name, data)  # a DTD, or more elements than the limit: refused before parsing
    return data


def _walk_body(body, styles: _StyleTable, numbering: _Numbering) -> Iterator[Block]:
    paragraphs = tables = 0
    for block, element in enumerate(body_elements(body)):
        if element.tag == _P:
            yield _read_paragraph(element, block, paragraphs, styles, numbering)
            paragraphs += 1
        else:
            yield _read_table(element, block, tables)
            tables += 1


def body_elements(parent) -> Iterator:
    """Paragraphs and tables in body order, looking inside content controls.

    Public: the annotated copies (checker.output.annotate) walk the body the same
    way, so that a finding's block and paragraph numbers point at the same place.
    """
    for child in parent:
        tag = child.tag
        if tag == _P or tag == _TBL:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from body_elements(content)
        elif tag == _CUSTOM_XML:
            yield from body_elements(child)


def _read_paragraph(p, block: int, index: int, styles: _StyleTable, numbering: _Numbering) -> ParagraphBlock:
    # One pass over the paragraph's children finds both its properties and its
    # runs (a find() per property would go through lxml's Python ElementPath
    # layer, and this runs for every paragraph of every document).
    style_id = outline = num_pr = None
    seen_properties = False
    elements = []
    for child in p:
        tag = child.tag
        if tag == _R:
            elements.append(child)
        elif tag == _PPR:
            if not seen_properties:  # the first w:pPr counts, as find() would give
                style_id, outline, num_pr = _paragraph_properties(child)
                seen_properties = True
        elif tag in _SKIPPED_SUBTREES or tag == _P or tag == _TBL:
            continue
        elif isinstance(tag, str):
            elements.extend(iter_runs(child))
    style = styles.get(style_id)
    bold = style.bold
    runs = [run for r in elements if (run := _read_run(r, bold)) is not None]
    raw = runs[0].text if len(runs) == 1 else "".join([r.text for r in runs])
    level = _outline_value(outline) if style.heading_level is None else style.heading_level
    num = _parse_num_pr(num_pr) or style.num_pr
    kind, marker = numbering.label(num) if num else (None, None)
    return ParagraphBlock(
        block=block,
        paragraph=index,
        raw=raw,
        text=normalise(raw.replace("\n", " ") if "\n" in raw else raw),
        style=style.name,
        heading_level=level,
        runs=runs,
        list_kind=kind,
        list_marker=marker,
    )


def _paragraph_properties(ppr: Any) -> tuple[str | None, Any | None, Any | None]:
    """The first w:pStyle value, w:outlineLvl and w:numPr of a w:pPr."""
    style_id = outline = num_pr = None
    seen_style = False
    for child in ppr:
        tag = child.tag
        if tag == _PSTYLE and not seen_style:
            style_id, seen_style = child.get(_VAL), True
        elif tag == _OUTLINE and outline is None:
            outline = child
        elif tag == _NUMPR and num_pr is None:
            num_pr = child
    return style_id, outline, num_pr


def _outline_value(outline) -> int | None:
    if outline is None:
        return None
    try:
        value = int(outline.get(_VAL, "9"))
    except ValueError:
        return None
    return value + 1 if value < 9 else None


def _parse_num_pr(num_pr) -> tuple[str, int] | None:
    if num_pr is None:
        return None
    num_id = ilvl = None
    for child in num_pr:  # the first w:numId and w:ilvl, as find() gives, without its Python layer
        tag = child.tag
        if tag == _NUM_ID and num_id is None:
            num_id = child
        elif tag == _ILVL and ilvl is None:
            ilvl = child
    if num_id is None or num_id.get(_VAL) in (None, "0"):
        return None
    try:
        level = int(ilvl.get(_VAL, "0")) if ilvl is not None else 0
    except ValueError:
        level = 0
    return num_id.get(_VAL), level


def _read_run(r, style_bold: bool) -> Run | None:
    """A run's text and emphasis in one pass over its children (None: no text)."""
    parts: list[str] = []
    rpr = None
    for child in r:
        tag = child.tag
        if tag == _T:
            text = child.text
            if text:
                parts.append(text)
        elif tag == _RPR and rpr is None:
            rpr = child
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag == _SYM:
            parts.append(_symbol_char(child))
    if not parts:
        return None
    text = parts[0] if len(parts) == 1 else "".join(parts)
    if not text:
        return None
    bold, italic = style_bold, False
    if rpr is not None:
        b = i = rstyle = None
        for child in rpr:
            tag = child.tag
            if tag == _B and b is None:
                b = child
            elif tag == _I and i is None:
                i = child
            elif tag == _RSTYLE and rstyle is None:
                rstyle = child
        bold = _toggle(b, bold)
        italic = _toggle(i, italic)
        if rstyle is not None and _looks_strong(rstyle.get(_VAL, "")):
            bold = True
    return Run(text, bold, italic)


def iter_runs(element) -> Iterator:
    """The runs of a paragraph that are read, in order (deleted text skipped); public for checker.output.annotate."""
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
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag == _SYM:
            parts.append(_symbol_char(child))
    return "".join(parts)


def _symbol_char(sym) -> str:
    """A symbol-font glyph (w:sym) as the private-use character Word stores."""
    try:
        return chr(int(sym.get(W + "char", "F020"), 16))
    except (ValueError, OverflowError):
        return " "


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
    for row_index, tr in enumerate(tbl.iterchildren(_TR)):
        cells: list[Cell] = []
        column = 0
        for tc in tr.iterchildren(_TC):
            span, merged = _cell_geometry(tc)
            raw = _cell_text(tc)
            cells.append(Cell(row_index, column, span, raw, normalise(raw) if raw else "", merged))
            column += span
        columns = max(columns, column)
        rows.append(cells)
    return TableBlock(block=block, table=index, rows=rows, columns=columns)


def _cell_geometry(tc) -> tuple[int, bool]:
    tcpr = None
    for child in tc:
        if child.tag == _TCPR:
            tcpr = child
            break
    if tcpr is None:
        return 1, False
    span_el = vmerge = None
    for child in tcpr:
        tag = child.tag
        if tag == _GRID_SPAN and span_el is None:
            span_el = child
        elif tag == _VMERGE and vmerge is None:
            vmerge = child
    try:
        span = max(1, int(span_el.get(_VAL, "1"))) if span_el is not None else 1
    except ValueError:
        span = 1
    merged = vmerge is not None and vmerge.get(_VAL, "continue") == "continue"
    return span, merged


def _cell_text(tc) -> str:
    """All paragraphs of a cell, one per line (nested tables flattened into lines)."""
    lines = [_paragraph_text(p) for p in tc.iter(_P)]
    return lines[0] if len(lines) == 1 else "\n".join(lines)


def _paragraph_text(p) -> str:
    """The text of a paragraph's runs: what joining _run_text over iter_runs(p) gives.

    A table cell needs no formatting, only text, and a report has hundreds
    of cells: the common run (w:t and the like straight under w:r, under the
    paragraph) is read inline here rather than through two more calls.
    """
    parts: list[str] = []
    for child in p:
        tag = child.tag
        if tag == _R:
            for part in child:
                part_tag = part.tag
                if part_tag == _T:
                    text = part.text
                    if text:
                        parts.append(text)
                elif part_tag in _RUN_CHARS:
                    parts.append(_RUN_CHARS[part_tag])
                elif part_tag == _SYM:
                    parts.append(_symbol_char(part))
        elif tag in _SKIPPED_SUBTREES or tag == _P or tag == _TBL:
            continue
        elif isinstance(tag, str):
            parts.extend(_run_text(r) for r in iter_runs(child))
    return parts[0] if len(parts) == 1 else "".join(parts)


class _StylesSource:
    """The styles part, looked up by style id on demand.

    A document uses a handful of paragraph styles, but its styles part
    describes hundreds (python-docx's template: 350 KB, more than twice the
    text of a 20-page report), and parsing all of it cost more than parsing
    the document. So a style is found by its w:styleId attribute in the raw
    XML and only that w:style element is parsed. Whenever the part is written
    in a way this shortcut does not expect, the whole part is parsed instead,
    so the answer is always what a full parse gives.
    """

    def __init__(self, data: bytes | None) -> None:
        self._data = data
        self._root_tag: bytes | None = None  # "<w:styles …>" as written, to wrap fragments
        self._close: bytes = b""
        self._prefix: bytes | None = None  # the prefix bound to W ("w")
        self._full: dict[str, Any] | None = None  # after a full parse: styleId → element
        self._index: dict[bytes, int] | None = None  # escaped styleId → offset of its attribute
        if data is not None:
            self._find_root(data)

    @property
    def data(self) -> bytes | None:
        """The part as read (None: the package has none and python-docx's template has none either)."""
        return self._data

    @classmethod
    def python_docx_default(cls) -> _StylesSource:
        """python-docx gives a document without a styles part its template's styles; so do we."""
        import importlib.util

        spec = importlib.util.find_spec("docx")
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            candidate = Path(folder) / "templates" / "default-styles.xml"
            if candidate.is_file():
                return cls(candidate.read_bytes())
        return cls(None)

    def _find_root(self, data: bytes) -> None:
        match = _ROOT_TAG.search(data, 0, 4096)
        if match is None or match.group(0).endswith(b"/>"):
            return  # unusual (or empty) root: every lookup parses the whole part
        for prefix, uri in _XMLNS.findall(match.group(0)):
            if uri == W[1:-1].encode() and prefix:
                self._prefix = prefix
        if self._prefix is not None and match.group(1) == self._prefix + b":styles":
            self._root_tag = match.group(0)
            self._close = b"</" + match.group(1) + b">"

    def lookup(self, style_id: str):
        """The w:style element with this id, or None."""
        if self._data is None:
            return None
        if self._full is not None or self._root_tag is None:
            return self._parse_all().get(style_id)
        found = self._fragment(style_id)
        if found is _UNSURE:
            return self._parse_all().get(style_id)
        return found

    def _fragment(self, style_id: str):
        data, prefix = self._data, self._prefix
        assert data is not None and prefix is not None
        value = _attribute_value(style_id)
        position = self._positions().get(value)
        if position is None:
            # Written some other way (single quotes, spaces around "=")? Only if the
            # id occurs at all is it worth parsing everything to be sure.
            return _UNSURE if value in data else None
        opening = b"<" + prefix + b":style"
        start = data.rfind(opening, 0, position)
        head_end = data.find(b">", position)
        # The attribute must sit in that very start tag, and the tag be w:style, not w:styles.
        in_tag = start >= 0 and head_end >= 0 and data.find(b">", start, position) < 0
        if not in_tag or not data[start + len(opening) : start + len(opening) + 1].isspace():
            return _UNSURE
        if data[head_end - 1 : head_end] == b"/":
            end = head_end + 1
        else:
            close = b"</" + prefix + b":style>"
            end = data.find(close, head_end)
            if end < 0:
                return _UNSURE
            end += len(close)
        try:
            assert self._root_tag is not None
            element = etree.fromstring(self._root_tag + data[start:end] + self._close, _PARSER)[0]
        except Exception:  # noqa: BLE001 - a fragment this shortcut cut wrongly: parse it all
            return _UNSURE
        if element.tag != W + "style" or element.get(W + "styleId") != style_id:
            return _UNSURE
        return element

    def _positions(self) -> dict[bytes, int]:
        """Where each w:styleId="…" attribute starts; one pass over the part,
        then every lookup is a dict access (the last definition wins, as in a full parse)."""
        if self._index is None:
            assert self._data is not None and self._prefix is not None
            marker = self._prefix + b':styleId="'
            pieces = self._data.split(marker)
            self._index = {}
            position = len(pieces[0])
            for piece in pieces[1:]:
                self._index[piece[: piece.find(b'"')]] = position
                position += len(marker) + len(piece)
        return self._index

    def _parse_all(self) -> dict[str, Any]:
        if self._full is None:
            self._full = {}
            try:
                root = etree.fromstring(self._data, _PARSER)
            except Exception:  # noqa: BLE001 - broken styles: read the text without them
                return self._full
            for style in root.iterchildren(W + "style"):
                style_id = style.get(W + "styleId")
                if style_id:
                    self._full[style_id] = style
        return self._full


def _attribute_value(text: str) -> bytes:
    """`text` as XML writes it inside a double-quoted attribute."""
    # (Not xml.sax.saxutils.escape: importing it pulls in urllib.request and http.client.)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return escaped.encode()


_UNSURE = object()
# The first element's start tag (after the XML declaration and any comments).
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)(?:\s[^>]*)?/?>")
_XMLNS = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")


@dataclass(slots=True)
class _Style:
    name: str
    heading_level: int | None
    bold: bool
    num_pr: tuple[str, int] | None


_DEFAULT_STYLE = _Style(name="Normal", heading_level=None, bold=False, num_pr=None)


class _StyleTable:
    """Paragraph styles by id, with what their basedOn chain implies."""

    def __init__(self, source: _StylesSource | None) -> None:
        self._source = source
        self._resolved: dict[str, _Style] = {}

    def get(self, style_id: str | None) -> _Style:
        if style_id is None:
            return _DEFAULT_STYLE
        if style_id not in self._resolved:
            self._resolved[style_id] = self._resolve(style_id, depth=0)
        return self._resolved[style_id]

    def _resolve(self, style_id: str, depth: int) -> _Style:
        element = self._source.lookup(style_id) if self._source is not None else None
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


_T_KEPT = TypeVar("_T_KEPT")


class _KeptByPart(Generic[_T_KEPT]):
    """What was made of the last few parts, found by the part's exact bytes.

    Documents made from one template carry the same styles and numbering
    parts byte for byte (the styles part alone hundreds of kilobytes; in a
    city's batch, thousands of copies), and making sense of them again for
    every document cost as much as reading a third of its text. Found by the
    exact bytes, a kept answer is the one a fresh reading gives. A part
    larger than any template's (`largest` bytes) is not kept: a worker must
    not hold on to a huge part after its document is done.
    """

    def __init__(self, size: int, largest: int = 4 << 20) -> None:
        self.size = size
        self.largest = largest
        self._kept: dict[bytes | None, _T_KEPT] = {}

    def get(self, data: bytes | None, make: Callable[[], _T_KEPT]) -> _T_KEPT:
        if data is not None and len(data) > self.largest:
            return make()
        found = self._kept.pop(data, None)
        if found is None:
            found = make()  # (what it raises, it raises as before: nothing is kept)
            while len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]  # the least recently used
        self._kept[data] = found  # (re)inserted last: the most recently used
        return found

    def __len__(self) -> int:
        return len(self._kept)


_STYLE_TABLES: _KeptByPart[_StyleTable] = _KeptByPart(4)


def _style_table(source: _StylesSource | None) -> _StyleTable:
    if source is None:
        return _StyleTable(None)
    return _STYLE_TABLES.get(source.data, lambda: _StyleTable(source))


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


class _NumberingDefinitions:
    """The list formats of a numbering part: what Word's labels are made of."""

    def __init__(self, root) -> None:
        self.abstract_of: dict[str, str] = {}
        self.start_override: dict[tuple[str, int], int] = {}
        self.abstract_levels: dict[str, dict[int, tuple[str, int, str]]] = {}
        for abstract in root.iterchildren(W + "abstractNum"):
            levels: dict[int, tuple[str, int, str]] = {}
            for lvl in abstract.iterchildren(W + "lvl"):
                levels[_int_attr(lvl, W + "ilvl", 0)] = _level_format(lvl)
            self.abstract_levels[abstract.get(W + "abstractNumId", "")] = levels
        for num in root.iterchildren(W + "num"):
            num_id = num.get(W + "numId", "")
            abstract_id = num.find(W + "abstractNumId")
            if abstract_id is not None:
                self.abstract_of[num_id] = abstract_id.get(_VAL, "")
            for override in num.iterchildren(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                if start is not None:
                    self.start_override[(num_id, _int_attr(override, W + "ilvl", 0))] = _int_attr(start, _VAL, 1)


_NUMBERING_DEFINITIONS: _KeptByPart[_NumberingDefinitions] = _KeptByPart(4)


def _numbering_definitions(data: bytes) -> _NumberingDefinitions:
    """The numbering part's formats (parsed here, so a broken part fails where it always did)."""
    return _NUMBERING_DEFINITIONS.get(data, lambda: _NumberingDefinitions(etree.fromstring(data, _PARSER)))


_NO_NUMBERING = _NumberingDefinitions(etree.Element(W + "numbering"))


class _Numbering:
    """Computes the labels Word shows for automatically numbered paragraphs (counting them per document)."""

    def __init__(self, definitions: _NumberingDefinitions | None) -> None:
        # No numbering part: no automatic numbers.
        definitions = definitions if definitions is not None else _NO_NUMBERING
        self._abstract_of = definitions.abstract_of
        self._start_override = definitions.start_override
        self._abstract_levels = definitions.abstract_levels
        self._counters: dict[str, list[int]] = {}

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


def _header_texts(package: _Package) -> list[str]:
    texts: list[str] = []
    try:
        for root in package.headers:
            if root is None:
                break  # a header python-docx could not find: it stopped reading there too
            for p in root.iter(_P):
                text = normalise("".join(_run_text(r) for r in iter_runs(p)))
                if text:
                    texts.append(text)
    except Exception:  # noqa: BLE001 - headers are a hint only; a broken one must not stop the read
        return texts
    return texts


def _textbox_texts(body, limit: int = 200) -> list[str]:
    """Paragraphs inside text boxes, in document order (the body walk does not see them)."""
    texts: list[str] = []
    for box in body.iter(W + "txbxContent"):
        for p in box.iter(_P):
            text = normalise("".join(_run_text(r) for r in iter_runs(p)))
            if text:
                texts.append(text)
                if len(texts) >= limit:
                    return texts
    return texts


def _core_title(title: str | None) -> str | None:
    # A package without core properties has no title (python-docx would invent
    # "Word Document", which names no kind of report either).
    return normalise(title) or None if title else None

