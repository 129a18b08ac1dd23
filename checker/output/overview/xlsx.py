"""`sammanstallning.xlsx`: the overview as a workbook, for sorting and filtering in Excel.

Sheet "Filer": one row per file, by unit. Sheet "Enheter": each unit's
documents of the year side by side. Sheet "Regler": per rule, its findings
and the units and files they are in. Sheet "Brister": one row per finding,
with the file and unit repeated so it can be filtered on its own. Sheet
"Trådar" (a folder check with the thread rules): one row per unit goal,
followed through VP, T1, T2 and VB; the documents no thread took are on a
sheet of their own, "Utan tråd". All have autofilters and a frozen header
row; long text wraps, and printed a sheet is landscape with its header row
on every page.

Text from documents is defused: every text cell is written as a string (never
a formula), and one that starts with = + - @, a tab or a carriage return gets
Excel's quote prefix – the same as typing a leading apostrophe – so it stays
text even after someone edits the cell or saves the sheet as CSV and opens it
again. openpyxl's write-only mode streams rows to disk, so memory stays flat.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker.output import clean_display
from checker.output.overview.summary import ROLES, UnitDocument, UnitTable

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FILE_HEADERS = ["Fil", "Enhet", "Dokument", "År", "Fel", "Varningar", "Info", "Resultat", "Granskad", "Orsak", "Kopia med kommentarer"]
FILE_WIDTHS = [42, 28, 22, 7, 6, 10, 6, 18, 17, 50, 40]
FINDING_HEADERS = ["Fil", "Enhet", "Dokument", "Nivå", "Regel", "Meddelande", "Var", "Gäller", "Rubriker", "Citat"]
FINDING_WIDTHS = [36, 24, 20, 9, 8, 60, 22, 40, 50, 50]
# One row per goal of a unit's year; the four documents as the thread section of the HTML page shows them.
THREAD_HEADERS = ["Enhet", "År", "Enhetsmål", "I planen", "VP", "T1", "T2", "VB"]
THREAD_WIDTHS = [30, 7, 60, 9, 16, 16, 16, 16]
UNPLACED_HEADERS = ["Fil", "Varför den inte ingår i någon tråd"]
UNPLACED_WIDTHS = [50, 90]
UNIT_HEADERS = ["Enhet", "År", "VP", "T1", "T2", "VB", "Okänd typ"]
UNIT_WIDTHS = [32, 7, 30, 30, 30, 30, 30]
RULE_HEADERS = ["Regel", "Vad regeln kräver", "Brister", "Enheter", "Filer"]
RULE_WIDTHS = [9, 80, 9, 9, 9]
# Sheets that print only a few narrow columns may be shrunk to the page's width;
# the others print at full size over as many pages as they need.
FIT_TO_WIDTH = {"Enheter", "Regler", "Utan tråd"}
CELL_LIMIT = 32_000  # Excel's limit is 32,767 characters per cell


class XlsxWriter:
    def __init__(self, target: Path) -> None:
        from openpyxl import Workbook  # lazily: only runs that write an overview pay for it

        self.target = target
        self.book = Workbook(write_only=True)
        self.files = self._sheet("Filer", FILE_HEADERS, FILE_WIDTHS)
        self.units = self._sheet("Enheter", UNIT_HEADERS, UNIT_WIDTHS)
        self.rules = self._sheet("Regler", RULE_HEADERS, RULE_WIDTHS)
        self.findings = self._sheet("Brister", FINDING_HEADERS, FINDING_WIDTHS)
        self._rows = {"Filer": 1, "Brister": 1}
        self.threads: Any = None
        self.unplaced: Any = None
        # The "Filer" rows wait here (a few cells per file) to be written by unit in close().
        self._file_rows: list[tuple[tuple[object, ...], list[Any]]] = []

    def _sheet(self, title: str, headers: list[str], widths: list[int]) -> Any:
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title)
        sheet.freeze_panes = "A2"
        # Printed: landscape, the header row on every page; only narrow sheets are
        # shrunk to the page's width (shrinking "Brister" made its text unreadable).
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        if title in FIT_TO_WIDTH:
            sheet.page_setup.fitToWidth = 1
            sheet.page_setup.fitToHeight = 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="E8EAED")
        row = []
        for header in headers:
            cell = self._text(sheet, header)
            cell.font = bold
            cell.fill = fill
            row.append(cell)
        sheet.append(row)
        return sheet

    def _text(self, sheet: Any, value: str | None, *, wrap: bool = False) -> Any:
        """A cell that is always text, never a formula; `wrap` for the long texts."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        text = safe_text(value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Checked on the raw value too: a leading tab or CR is gone after cleaning,
        # but a spreadsheet that trims spaces could still see the "=" behind it.
        if text.lstrip().startswith(DANGEROUS_START) or (value or "").startswith(DANGEROUS_START):
            cell.quotePrefix = True
        return cell

    def _number(self, sheet: Any, value: int | None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        return WriteOnlyCell(sheet, value=value)

    def _time(self, sheet: Any, value: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if value is None:
            return self._text(sheet, "")
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell

    def add(self, entry: Any) -> None:
        from openpyxl.styles import Font

        readable = entry.status not in ("olasbar", "ejgranskad")
        status = self._text(self.files, entry.status_word)
        status.font = Font(bold=True, color={"godkand": "1B6E3A", "underkand": "B3261E"}.get(entry.status, "8A5A00"))
        row = [
            self._text(self.files, entry.name, wrap=True),
            self._text(self.files, entry.unit or "", wrap=True),
            self._text(self.files, entry.kind),
            self._number(self.files, entry.year),
            self._number(self.files, entry.errors if readable else None),
            self._number(self.files, entry.warnings if readable else None),
            self._number(self.files, entry.infos if readable else None),
            status,
            self._time(self.files, entry.checked_at),
            self._text(self.files, entry.reason or "; ".join(entry.notes), wrap=True),
            self._link(self.files, entry.copy),
        ]
        self._file_rows.append((entry.sort_key, row))
        self._rows["Filer"] += 1
        for finding in entry.findings:
            source = finding.location.source
            self.findings.append(
                [
                    self._text(self.findings, entry.name, wrap=True),
                    self._text(self.findings, entry.unit or "", wrap=True),
                    self._text(self.findings, entry.kind),
                    self._text(self.findings, finding.severity.swedish + (", godtagen" if finding.accepted else "")),
                    self._text(self.findings, finding.rule),
                    self._text(self.findings, finding.message + (f"\n{finding.accepted.describe()}" if finding.accepted else ""),
                               wrap=True),
                    self._text(self.findings, source.describe() if source is not None else "hela dokumentet", wrap=True),
                    self._text(self.findings, finding.target or "", wrap=True),
                    self._text(self.findings, " › ".join(s for s in finding.location.path if s), wrap=True),
                    self._text(self.findings, finding.quote or "", wrap=True),
                ]
            )
            self._rows["Brister"] += 1

    def _link(self, sheet: Any, target: str | None) -> Any:
        """The annotated copy's path, as a link that opens it (relative to the workbook's folder)."""
        from openpyxl.styles import Font

        cell = self._text(sheet, target or "", wrap=True)
        if target:
            cell.hyperlink = quote(target, safe="/")
            cell.font = Font(color="1F5FA8", underline="single")
        return cell

    def add_threads(self, rows: Sequence[Sequence[str | int | None]],
                    unplaced: Sequence[tuple[str, str]] = ()) -> None:
        """The "Trådar" sheet: each unit's goals followed through VP, T1, T2 and VB (columns THREAD_HEADERS);
        the documents without a thread on "Utan tråd", apart from the thread rows."""
        if rows:
            sheet = self._sheet("Trådar", THREAD_HEADERS, THREAD_WIDTHS)
            for row in rows:
                sheet.append([self._number(sheet, value) if isinstance(value, int) else self._text(sheet, value, wrap=True)
                              for value in row])
            self._rows["Trådar"] = 1 + len(rows)
            self.threads = sheet
        if unplaced:
            sheet = self._sheet("Utan tråd", UNPLACED_HEADERS, UNPLACED_WIDTHS)
            for name, reason in unplaced:
                sheet.append([self._text(sheet, name, wrap=True), self._text(sheet, reason, wrap=True)])
            self._rows["Utan tråd"] = 1 + len(unplaced)
            self.unplaced = sheet

    def _write_summaries(self, units: UnitTable | None, rule_rows: Sequence[tuple[str, str, int, int, int]]) -> None:
        for _, row in sorted(self._file_rows, key=lambda item: item[0]):
            self.files.append(row)
        self._file_rows = []
        self._rows["Enheter"] = 1
        for unit, year, by_role, other in units.rows() if units is not None else []:
            cells = [self._text(self.units, _documents_text(by_role[role]), wrap=True) for role in ROLES]
            self.units.append([self._text(self.units, unit, wrap=True), self._number(self.units, year), *cells,
                               self._text(self.units, _documents_text(other), wrap=True)])
            self._rows["Enheter"] += 1
        for rule_id, name, findings, unit_count, files in rule_rows:
            self.rules.append([self._text(self.rules, rule_id), self._text(self.rules, name, wrap=True),
                               self._number(self.rules, findings), self._number(self.rules, unit_count),
                               self._number(self.rules, files)])
        self._rows["Regler"] = 1 + len(rule_rows)

    def close(self, *, units: UnitTable | None = None, rule_rows: Sequence[tuple[str, str, int, int, int]] = ()) -> Path:
        from openpyxl.utils import get_column_letter

        self._write_summaries(units, rule_rows)
        self.units.auto_filter.ref = f"A1:{get_column_letter(len(UNIT_HEADERS))}{self._rows['Enheter']}"
        self.rules.auto_filter.ref = f"A1:{get_column_letter(len(RULE_HEADERS))}{self._rows['Regler']}"
        if self.unplaced is not None:
            self.unplaced.auto_filter.ref = f"A1:B{self._rows['Utan tråd']}"

        self.files.auto_filter.ref = f"A1:{get_column_letter(len(FILE_HEADERS))}{self._rows['Filer']}"
        self.findings.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_HEADERS))}{self._rows['Brister']}"
        if self.threads is not None:
            self.threads.auto_filter.ref = f"A1:{get_column_letter(len(THREAD_HEADERS))}{self._rows['Trådar']}"
        from checker.atomic import atomic_path

        with atomic_path(self.target) as temporary:
            self.book.save(temporary)
        return self.target

    def abort(self) -> None:
        """Drop the workbook, e.g. after Ctrl-C in the middle of save().

        A write-only sheet streams through two generators that sit inside open
        XML elements; left to the garbage collector after an interruption they
        fail on exit and Python prints their tracebacks ("Exception ignored
        in …") on the user's terminal. Closing them here, quietly, prevents
        that and removes their temporary files.
        """
        book, self.book = self.book, None  # type: ignore[assignment]
        for sheet in getattr(book, "worksheets", ()):
            writer = getattr(sheet, "_writer", None)
            for generator in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
                with contextlib.suppress(Exception):
                    if generator is not None:
                        generator.close()
            with contextlib.suppress(Exception):
                if writer is not None:
                    writer.cleanup()


def _documents_text(documents: Sequence[UnitDocument]) -> str:
    """"UNDERKÄND (10 fel, 6 varningar, 5 info): aspudden_t2.docx", one line per document."""
    lines = []
    for d in documents:
        counts = "" if d.status in ("olasbar", "ejgranskad") else f" ({d.errors} fel, {d.warnings} varningar, {d.infos} info)"
        lines.append(f"{d.status_word}{counts}: {d.name}")
    return "\n".join(lines) if lines else "–"


def safe_text(value: str | None) -> str:
    """Text Excel can store: no control characters (openpyxl refuses them), within the cell limit."""
    if not value:
        return ""
    text = clean_display(value, multiline=True)
    if len(text) > CELL_LIMIT:
        text = text[: CELL_LIMIT - 1] + "…"
    return text
