"""`sammanstallning.xlsx`: the overview as a workbook, for sorting and filtering in Excel.

Sheet "Filer": one row per file. Sheet "Brister": one row per finding, with
the file and unit repeated so it can be filtered on its own. Sheet "Trådar"
(a folder check with the thread rules): one row per unit goal, followed
through VP, T1, T2 and VB. All have autofilters and a frozen header row.

Text from documents is defused: every text cell is written as a string (never
a formula), and one that starts with = + - @, a tab or a carriage return gets
Excel's quote prefix – the same as typing a leading apostrophe – so it stays
text even after someone edits the cell or saves the sheet as CSV and opens it
again. openpyxl's write-only mode streams rows to disk, so memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from checker.output import clean_display

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FILE_HEADERS = ["Fil", "Enhet", "Dokument", "År", "Fel", "Varningar", "Info", "Resultat", "Granskad", "Orsak", "Kopia med kommentarer"]
FILE_WIDTHS = [42, 28, 22, 7, 6, 10, 6, 18, 17, 50, 40]
FINDING_HEADERS = ["Fil", "Enhet", "Dokument", "Nivå", "Regel", "Meddelande", "Var", "Gäller", "Rubriker", "Citat"]
FINDING_WIDTHS = [36, 24, 20, 9, 8, 60, 22, 40, 50, 50]
# One row per goal of a unit's year; the four documents as the thread section of the HTML page shows them.
THREAD_HEADERS = ["Enhet", "År", "Enhetsmål", "I planen", "VP", "T1", "T2", "VB"]
THREAD_WIDTHS = [30, 7, 60, 9, 16, 16, 16, 16]
CELL_LIMIT = 32_000  # Excel's limit is 32,767 characters per cell


class XlsxWriter:
    def __init__(self, target: Path) -> None:
        from openpyxl import Workbook  # lazily: only runs that write an overview pay for it

        self.target = target
        self.book = Workbook(write_only=True)
        self.files = self._sheet("Filer", FILE_HEADERS, FILE_WIDTHS)
        self.findings = self._sheet("Brister", FINDING_HEADERS, FINDING_WIDTHS)
        self._rows = {"Filer": 1, "Brister": 1}
        self.threads: Any = None

    def _sheet(self, title: str, headers: list[str], widths: list[int]) -> Any:
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title)
        sheet.freeze_panes = "A2"
        # Printed, a sheet fits the page width in landscape and repeats its header row.
        sheet.page_setup.orientation = "landscape"
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

    def _text(self, sheet: Any, value: str | None) -> Any:
        """A cell that is always text, never a formula."""
        from openpyxl.cell import WriteOnlyCell

        text = safe_text(value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
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

        readable = entry.status != "olasbar"
        status = self._text(self.files, entry.status_word)
        status.font = Font(bold=True, color={"godkand": "1B6E3A", "underkand": "B3261E"}.get(entry.status, "8A5A00"))
        self.files.append(
            [
                self._text(self.files, entry.name),
                self._text(self.files, entry.unit or ""),
                self._text(self.files, entry.kind),
                self._number(self.files, entry.year),
                self._number(self.files, entry.errors if readable else None),
                self._number(self.files, entry.warnings if readable else None),
                self._number(self.files, entry.infos if readable else None),
                status,
                self._time(self.files, entry.checked_at),
                self._text(self.files, entry.reason or "; ".join(entry.notes)),
                self._text(self.files, entry.copy or ""),
            ]
        )
        self._rows["Filer"] += 1
        for finding in entry.findings:
            source = finding.location.source
            self.findings.append(
                [
                    self._text(self.findings, entry.name),
                    self._text(self.findings, entry.unit or ""),
                    self._text(self.findings, entry.kind),
                    self._text(self.findings, finding.severity.swedish),
                    self._text(self.findings, finding.rule),
                    self._text(self.findings, finding.message),
                    self._text(self.findings, source.describe() if source is not None else "hela dokumentet"),
                    self._text(self.findings, finding.target or ""),
                    self._text(self.findings, " › ".join(s for s in finding.location.path if s)),
                    self._text(self.findings, finding.quote or ""),
                ]
            )
            self._rows["Brister"] += 1

    def add_threads(self, rows: Sequence[Sequence[str | int | None]]) -> None:
        """The "Trådar" sheet: each unit's goals followed through VP, T1, T2 and VB (columns THREAD_HEADERS)."""
        if not rows:
            return
        sheet = self._sheet("Trådar", THREAD_HEADERS, THREAD_WIDTHS)
        for row in rows:
            sheet.append([self._number(sheet, value) if isinstance(value, int) else self._text(sheet, value)
                          for value in row])
        self._rows["Trådar"] = 1 + len(rows)
        self.threads = sheet

    def close(self) -> Path:
        from checker.annotate import _umask
        from openpyxl.utils import get_column_letter

        self.files.auto_filter.ref = f"A1:{get_column_letter(len(FILE_HEADERS))}{self._rows['Filer']}"
        self.findings.auto_filter.ref = f"A1:{get_column_letter(len(FINDING_HEADERS))}{self._rows['Brister']}"
        if self.threads is not None:
            self.threads.auto_filter.ref = f"A1:{get_column_letter(len(THREAD_HEADERS))}{self._rows['Trådar']}"
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        os.close(fd)
        try:
            self.book.save(temp_name)
            os.chmod(temp_name, 0o666 & ~_umask())
            os.replace(temp_name, self.target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
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


def safe_text(value: str | None) -> str:
    """Text Excel can store: no control characters (openpyxl refuses them), within the cell limit."""
    if not value:
        return ""
    text = clean_display(value, multiline=True)
    if len(text) > CELL_LIMIT:
        text = text[: CELL_LIMIT - 1] + "…"
    return text
