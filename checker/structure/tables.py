"""Indicator, activity and complaints tables: Word tables or tab-separated text.

A table is recognised by its header row (what the header cells say), and its
columns are mapped by name, so a column missing or moved does not shift the
values. Each indicator or activity row may be followed by an analysis row —
one merged cell, or text only in the first cell starting with "Analys".
Tables pasted as tab-separated paragraphs arrive here in the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from checker.model import Aktivitet, Indikator, Source, SynpunktRow
from checker.text import fold_ocr, normalise, similar, starts_like
from checker.values import parse_date, parse_value


class TableKind(Enum):
    INDIKATOR = "indikator"
    AKTIVITET = "aktivitet"
    SYNPUNKTER = "synpunkter"


@dataclass(slots=True)
class GridCell:
    text: str
    # Set for cells of a pasted (tab-separated) table; None for a Word table's
    # cell, whose row source is what findings point at.
    source: Source | None
    span: int = 1


@dataclass(slots=True)
class GridRow:
    cells: list[GridCell]
    source: Source
    # The row is one cell spanning (nearly) the whole table width.
    merged: bool = False

    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]

    def nonempty(self) -> list[GridCell]:
        return [cell for cell in self.cells if cell.text.strip()]


@dataclass(slots=True)
class ParsedTable:
    kind: TableKind
    indikatorer: list[Indikator] = field(default_factory=list)
    aktiviteter: list[Aktivitet] = field(default_factory=list)
    synpunkter: list[SynpunktRow] = field(default_factory=list)
    # An analysis row that came before any item (the export sometimes splits a
    # table so that an indicator's analysis opens the next table).
    leading_analysis: tuple[str, Source] | None = None


def classify_header(texts: Sequence[str]) -> TableKind | None:
    """What kind of table a header row announces."""
    cells = [t for t in texts if t.strip()]
    if len(cells) < 2:
        return None
    # Asked of every data row too (a header repeated on the next page), so the
    # cells are folded only when the first one has not decided.
    kind = _kind_by_first_cell(fold_ocr(cells[0]))
    if kind is not None:
        return kind
    if any("totalt ack" in fold_ocr(c) for c in cells):
        return TableKind.SYNPUNKTER
    return None


def _kind_by_first_cell(first: str) -> TableKind | None:
    if starts_like(first, "indikator", 0.15) is not None:
        return TableKind.INDIKATOR
    if starts_like(first, "aktivitet", 0.15) is not None:
        return TableKind.AKTIVITET
    if starts_like(first, "uppdelning", 0.15) is not None:
        return TableKind.SYNPUNKTER
    return None


def repeats_header(texts: Sequence[str], kind: TableKind) -> bool:
    """classify_header(texts) is kind: a data row that repeats the table's header.

    An indicator or activity header is known by its first cell alone; only the
    complaints table needs every cell folded ("Totalt ack" may stand anywhere),
    which for the other tables cost a fold of every data cell.
    """
    if kind is TableKind.SYNPUNKTER:
        return classify_header(texts) is kind
    cells = [t for t in texts if t.strip()]
    return len(cells) >= 2 and _kind_by_first_cell(fold_ocr(cells[0])) is kind


# --- column mapping -------------------------------------------------------

_IndikatorColumn = str  # a field name of Indikator


def _indikator_column(header: str) -> _IndikatorColumn | None:
    h = fold_ocr(header)
    if starts_like(h, "indikator", 0.15) is not None:
        return "name"
    if "kf" in h.split(":")[0] and "arsmal" in h.replace(" ", ""):
        return "kf_arsmal"
    if "arsmal" in h.replace(" ", "") or similar(h, "arsmal", 0.2):
        return "arsmal"
    if "man" in h or "pojk" in h:
        return "utfall_man"
    if "kvinn" in h or "flick" in h:
        return "utfall_kvinnor"
    if "periodens" in h:
        return "utfall"
    if "utfall" in h and (re.search(r"\d{4}", h) or "vb" in h or "foregaende" in h):
        return "utfall_foregaende"
    if "utfall" in h:
        return "utfall"
    if h.startswith("period"):
        return "period"
    return None


def _aktivitet_column(header: str) -> str | None:
    h = fold_ocr(header)
    if starts_like(h, "aktivitet", 0.15) is not None:
        return "title"
    if "start" in h:
        return "start"
    if "slut" in h:
        return "slut"
    if "avvik" in h:
        return "avvikelse"
    return None


def _synpunkt_column(header: str) -> str | None:
    h = fold_ocr(header)
    if "uppdelning" in h:
        return "uppdelning"
    if "kategor" in h or "klagomal" in h:
        return "kategori"
    if "totalt" in h:
        return "totalt"
    if "bedomning" in h or "atgard" in h:
        return "bedomning"
    if re.search(r"\bt\s?1\b", h):
        return "t1"
    if re.search(r"\bt\s?2\b", h):
        return "t2"
    if re.search(r"\bvb\b", h):
        return "vb"
    return None


_COLUMN_MAPPERS: dict[TableKind, Callable[[str], str | None]] = {
    TableKind.INDIKATOR: _indikator_column,
    TableKind.AKTIVITET: _aktivitet_column,
    TableKind.SYNPUNKTER: _synpunkt_column,
}


def map_columns(kind: TableKind, header: GridRow) -> dict[int, str]:
    """Grid column → field name, from the header row's words."""
    mapper = _COLUMN_MAPPERS[kind]
    mapping: dict[int, str] = {}
    column = 0
    for cell in header.cells:
        name = mapper(cell.text) if cell.text.strip() else None
        if name and name not in mapping.values():
            mapping[column] = name
        elif name == "arsmal" and kind is TableKind.INDIKATOR and "kf_arsmal" not in mapping.values():
            mapping[column] = "kf_arsmal"  # a second Årsmål column: KF:s, its "KF" lost to the scan
        column += cell.span
    if 0 not in mapping:
        mapping[0] = "name" if kind is TableKind.INDIKATOR else ("title" if kind is TableKind.AKTIVITET else "uppdelning")
    return mapping


# --- rows -----------------------------------------------------------------

_ANALYS_PREFIX = re.compile(r"^\s*analys\b[\s:.-]*", re.IGNORECASE)
# Icons that the export or a scan leaves in front of a name: symbol-font and
# private-use glyphs, check marks, bullets, or one stray letter before a capital.
_LEADING_ICON = re.compile(r"^(?:[\ue000-\uf8ff✓✔☑☐■□●◆•▪·*\-–—]+\s*|[cveo€¢®©]\s+(?=[A-ZÅÄÖ0-9]))+")
# "Sjukfrånvar o" — a cell wrapped a word and the wrap became a space.
_SPLIT_WORD = re.compile(r"(?<=[a-zåäö]{4}) (?=[a-hj-zäö](?:\s|$))")


def clean_name(text: str) -> str:
    """Indicator or activity name without icons and cell-wrap damage."""
    name = _LEADING_ICON.sub("", " ".join(text.split()))
    return _SPLIT_WORD.sub("", name).strip()


def is_analysis_row(row: GridRow, columns: int) -> bool:
    filled = row.nonempty()
    if not filled:
        return False
    if len(filled) == 1 and _starts_with_analys(filled[0].text):
        return True
    return row.merged and len(row.cells) == 1 and columns > 1


_COMMENT = re.compile(r"^kommentar(?:er)?\b")


def _is_comment_row(row: GridRow) -> bool:
    """A "Kommentar …" row under a plan's indicators (in one cell, merged, or with its text beside it)."""
    filled = row.nonempty()
    return bool(filled) and _COMMENT.match(fold_ocr(filled[0].text.lstrip())) is not None


def _starts_with_analys(text: str) -> bool:
    return starts_like(fold_ocr(text.lstrip()), "analys", 0.0) is not None and not fold_ocr(text.lstrip()).startswith("analysen")


def clean_analysis(text: str, unit: str | None) -> str | None:
    """Analysis cell text without its "Analys" label and the unit's name."""
    cleaned = normalise(text)
    unit_key = fold_ocr(unit) if unit else None
    for _ in range(4):  # "Analys Aspuddens hemtjänst Analys Vi arbetar …"
        before = cleaned
        cleaned = _ANALYS_PREFIX.sub("", cleaned, count=1).lstrip()
        if unit_key and fold_ocr(cleaned[: len(unit) + 2]).startswith(unit_key):
            cleaned = cleaned[len(unit):].lstrip(" \n:.-")
        if cleaned == before:
            break
    return cleaned.strip() or None


def merge_header_continuation(header: GridRow, rows: Sequence[GridRow]) -> tuple[GridRow, list[GridRow]]:
    """A header wrapped onto a second row ("KF:s årsmål" / "år 2024"): the
    continuation row has an empty first cell, which no data row has."""
    rest = list(rows)
    while rest and not rest[0].cells[0].text.strip() and not is_analysis_row(rest[0], len(header.cells)):
        continuation = rest.pop(0)
        if len(continuation.cells) == len(header.cells):
            header = GridRow(
                cells=[
                    GridCell(f"{h.text} {c.text}".strip(), h.source, h.span)
                    for h, c in zip(header.cells, continuation.cells)
                ],
                source=header.source,
                merged=header.merged,
            )
    return header, rest


# How the city states its own targets: KF:s årsmål is often a direction or a rule, not the unit's number.
_KF_WORDING = re.compile(r"^(?:tas fram|oka|minska|max|min|hogst|minst|bibehall|ska )")


def _settle_arsmal_columns(mapping: dict[int, str], header: GridRow, rows: Sequence[GridRow]) -> dict[int, str]:
    """Årsmål and KF:s årsmål told apart when a scan garbled the header.

    The column whose header is closer to "KF:s årsmål" is the KF column; when
    the headers cannot tell (both read "årsmål"), the one whose values are worded
    the way the city states its targets ("Tas fram av nämnd", "Öka", "Max 10")
    is.
    """
    by_name = {name: column for column, name in mapping.items()}
    if "arsmal" not in by_name or "kf_arsmal" not in by_name:
        return mapping
    own, kf = by_name["arsmal"], by_name["kf_arsmal"]
    texts = _texts_by_column(header)
    own_says_kf = "kf" in fold_ocr(texts.get(own, "")).replace(" ", "")[:4]
    kf_says_kf = "kf" in fold_ocr(texts.get(kf, "")).replace(" ", "")[:4]
    if own_says_kf != kf_says_kf:
        swap = own_says_kf
    else:
        swap = _kf_worded(rows, own) > _kf_worded(rows, kf)
    if swap:
        mapping = {**mapping, own: "kf_arsmal", kf: "arsmal"}
    return mapping


def _texts_by_column(row: GridRow) -> dict[int, str]:
    texts: dict[int, str] = {}
    column = 0
    for cell in row.cells:
        texts[column] = cell.text
        column += cell.span
    return texts


def _kf_worded(rows: Sequence[GridRow], column: int) -> int:
    return sum(1 for row in rows if _KF_WORDING.match(fold_ocr(_texts_by_column(row).get(column, "")).strip()))


def parse_table(
    kind: TableKind, header: GridRow, rows: Sequence[GridRow], columns: int, unit: str | None
) -> ParsedTable:
    header, rows = merge_header_continuation(header, rows)
    mapping = map_columns(kind, header)
    if kind is TableKind.INDIKATOR:
        mapping = _settle_arsmal_columns(mapping, header, rows)
    table = ParsedTable(kind=kind)
    if kind is TableKind.SYNPUNKTER:
        table.synpunkter = _synpunkt_rows(rows, mapping)
        return table
    last: Indikator | Aktivitet | None = None
    for row in rows:
        if not row.nonempty():
            continue
        if repeats_header(row.texts(), kind):
            continue  # a header repeated on the next page
        if _is_comment_row(row):
            continue  # "Kommentar …" under a plan's indicators: a remark on the table, not an indicator
        if is_analysis_row(row, columns):
            text = clean_analysis(" \n".join(c.text for c in row.nonempty()), unit)
            if last is None:
                table.leading_analysis = (text, row.source) if text else None
            elif last.analys is None:
                last.analys, last.analys_source = text, row.source
            elif text:
                last.analys = f"{last.analys}\n{text}"
            continue
        item = _item(kind, row, mapping)
        if not (item.name if isinstance(item, Indikator) else item.title):
            continue  # a row without a name cannot be pointed at; its cells are stray text
        last = item
        if isinstance(last, Indikator):
            table.indikatorer.append(last)
        else:
            table.aktiviteter.append(last)
    return table


def _values_by_field(row: GridRow, mapping: dict[int, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    column = 0
    for cell in row.cells:
        name = mapping.get(column)
        if name is not None:
            values[name] = cell.text
        column += cell.span
    return values


def _item(kind: TableKind, row: GridRow, mapping: dict[int, str]) -> Indikator | Aktivitet:
    values = _values_by_field(row, mapping)
    if kind is TableKind.INDIKATOR:
        return Indikator(
            name=clean_name(values.get("name", "")),
            arsmal=parse_value(values.get("arsmal")),
            kf_arsmal=parse_value(values.get("kf_arsmal")),
            utfall=parse_value(values.get("utfall")),
            utfall_man=parse_value(values.get("utfall_man")),
            utfall_kvinnor=parse_value(values.get("utfall_kvinnor")),
            utfall_foregaende=parse_value(values.get("utfall_foregaende")),
            period=_text_or_none(values.get("period")),
            source=row.source,
        )
    start_text = _text_or_none(values.get("start"))
    slut_text = _text_or_none(values.get("slut"))
    return Aktivitet(
        title=clean_name(values.get("title", "")),
        start=parse_date(start_text),
        slut=parse_date(slut_text),
        start_text=start_text,
        slut_text=slut_text,
        avvikelse=_text_or_none(values.get("avvikelse")),
        source=row.source,
    )


def _synpunkt_rows(rows: Sequence[GridRow], mapping: dict[int, str]) -> list[SynpunktRow]:
    result: list[SynpunktRow] = []
    uppdelning: str | None = None
    for row in rows:
        if not row.nonempty() or classify_header(row.texts()) is TableKind.SYNPUNKTER:
            continue
        values = _values_by_field(row, mapping)
        # The first column is merged down over the categories it groups.
        uppdelning = _text_or_none(values.get("uppdelning")) or uppdelning
        kategori = _text_or_none(values.get("kategori"))
        if kategori is None:
            continue
        result.append(
            SynpunktRow(
                uppdelning=uppdelning,
                kategori=kategori,
                t1=parse_value(values.get("t1")),
                t2=parse_value(values.get("t2")),
                vb=parse_value(values.get("vb")),
                totalt=parse_value(values.get("totalt")),
                bedomning=_text_or_none(values.get("bedomning")),
                source=row.source,
            )
        )
    return result


def _text_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None

