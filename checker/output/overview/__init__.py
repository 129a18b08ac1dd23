"""The coordinator's overview: `sammanstallning.html` and `sammanstallning.xlsx`.

A rule summary, each unit's documents of the year side by side, one row per
file by unit (kind, year, counts, GODKÄND/UNDERKÄND/KUNDE INTE LÄSAS, when
it was checked) and every finding, filterable by rule and severity, and the
units' threads. Both files are written while results stream in (rows go to
temporary files on disk, a few words per file stay in memory for the
summaries and the order) and renamed into place at the end, so a
coordinator who opens the page mid-run sees the previous complete version.

    writer = OverviewWriter(out_dir, fail_level=Severity.ERROR, base=folder)
    for result, summary in …:
        writer.add(result, summary)
    writer.close()
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import Finding, Severity
from checker.output import NOT_A_REPORT, clean_display, describe_kind, relative_name, visible_name
from checker.output.overview.summary import RuleSummary, UnitTable, role_of, sort_key
from checker.pipeline import FileResult, FileSummary

if TYPE_CHECKING:
    from checker.threads.view import ThreadView

HTML_NAME = "sammanstallning.html"
XLSX_NAME = "sammanstallning.xlsx"
TITLE = "Målkoll – sammanställning"

STATUS_WORDS = {"godkand": "GODKÄND", "underkand": "UNDERKÄND", "olasbar": "KUNDE INTE LÄSAS",
                "ejgranskad": "INTE GRANSKAD"}
# The statuses of a file with no counts to show: unreadable, or of another format (PDF, .doc, …).
UNREAD = ("olasbar", "ejgranskad")
FAIL_WORDS = {
    Severity.ERROR: "minst ett fel",
    Severity.WARNING: "minst en varning eller ett fel",
    Severity.INFO: "minst en anmärkning (fel, varning eller info)",
}


@dataclass
class Entry:
    """One file as both overview formats show it; every text is display-clean but not escaped."""

    name: str
    unit: str | None
    kind: str
    year: int | None
    errors: int
    warnings: int
    infos: int
    status: str  # "godkand", "underkand", "olasbar" or "ejgranskad"
    reason: str | None
    checked_at: datetime | None
    findings: tuple[Finding, ...] = ()
    notes: list[str] = field(default_factory=list)
    # Where the annotated copy is, relative to the overview's folder.
    copy: str | None = None
    role: str | None = None  # "VP", "T1", "T2", "VB" when the kind is known
    anchor: str = ""  # the id of the file's row on the page, set by the writer

    @property
    def sort_key(self) -> tuple[object, ...]:
        return sort_key(self.unit, self.year, self.role, self.name)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


def entry_for(result: FileResult, summary: FileSummary, *, base: Path | None, out_dir: Path) -> Entry:
    if summary.not_checked:
        status = "ejgranskad"
    elif summary.error is not None:
        status = "olasbar"
    else:
        status = "godkand" if summary.passed else "underkand"
    return Entry(
        name=visible_name(relative_name(result.path, base)),
        unit=clean_display(summary.unit) if summary.unit else None,
        kind=(NOT_A_REPORT if summary.other else describe_kind(summary.kind, summary.tertial)) if summary.error is None else "–",
        year=summary.year,
        errors=summary.errors,
        warnings=summary.warnings,
        infos=summary.infos,
        status=status,
        reason=clean_display(summary.error) if summary.error else None,
        checked_at=result.checked_at,
        findings=result.findings,
        notes=[clean_display(n) for n in (result.report.notes if result.report is not None else [])],
        copy=_relative(result.annotated, out_dir),
        role=role_of(summary.kind, summary.tertial) if summary.error is None else None,
    )




def _relative(path: Path | None, folder: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(os.path.relpath(path.absolute(), folder.absolute())).as_posix()
    except ValueError:  # another drive
        return None


@dataclass
class Totals:
    files: int = 0
    passed: int = 0
    failed: int = 0
    unreadable: int = 0
    not_checked: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def add(self, entry: Entry) -> None:
        self.files += 1
        self.passed += entry.status == "godkand"
        self.failed += entry.status == "underkand"
        self.unreadable += entry.status == "olasbar"
        self.not_checked += entry.status == "ejgranskad"
        self.errors += entry.errors
        self.warnings += entry.warnings
        self.infos += entry.infos


class OverviewWriter:
    """Streams entries into the HTML page and the workbook; close() puts both in place."""

    def __init__(self, out_dir: Path, *, fail_level: Severity, base: Path | None = None, title: str = TITLE,
                 rules: Any = None) -> None:
        """`rules` (a RuleSet) names the rules in the rule summary; without it the names are left out."""
        from checker.output.overview.html import HtmlWriter
        from checker.output.overview.xlsx import XlsxWriter

        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.base = base
        self.fail_level = fail_level
        self.totals = Totals()
        self.rules = rules
        self.units = UnitTable()
        self.rule_summary = RuleSummary()
        self.started = datetime.now().astimezone()
        self.html = HtmlWriter(out_dir / HTML_NAME, title=title)
        try:
            self.xlsx = XlsxWriter(out_dir / XLSX_NAME)
        except BaseException:
            self.html.abort()  # its temporary file is already there
            raise

    def add(self, result: FileResult, summary: FileSummary) -> None:
        self.add_entry(entry_for(result, summary, base=self.base, out_dir=self.out_dir))

    def add_entry(self, entry: Entry) -> None:
        entry.anchor = f"fil-{self.totals.files + 1}"
        self.totals.add(entry)
        self.units.add(entry, entry.anchor)
        self.rule_summary.add(entry)
        self.html.add(entry)
        self.xlsx.add(entry)

    def add_threads(self, views: Sequence[ThreadView], unplaced: Sequence[tuple[str, str]] = ()) -> None:
        """Each unit's goals × documents (checker.threads.view): a section of the page and a sheet of the workbook."""
        from checker.threads.view import overview_rows, overview_section

        # Escaped there, but goal titles keep their control characters and
        # direction overrides; markup never has any, so they go from the whole section.
        self.html.threads = clean_display(overview_section(views, unplaced), multiline=True)
        self.xlsx.add_threads(overview_rows(views), unplaced)

    def close(self) -> tuple[Path, Path]:
        try:
            rule_rows = self.rule_summary.rows(self.rules)
            html = self.html.close(self.totals, self.fail_level, self.started, units=self.units, rule_rows=rule_rows)
            xlsx = self.xlsx.close(units=self.units, rule_rows=rule_rows)
        except BaseException:
            self.abort()
            raise
        return html, xlsx

    def abort(self) -> None:
        self.html.abort()
        self.xlsx.abort()


class OverviewReporter:
    """The reporter interface of `malkoll check` (start / file / finish) around an OverviewWriter."""

    def __init__(self, out_dir: Path, *, fail_level: Severity, base: Path | None = None, rules: Any = None) -> None:
        self.writer = OverviewWriter(out_dir, fail_level=fail_level, base=base, rules=rules)
        self.written: tuple[Path, Path] | None = None

    def start(self) -> None:
        pass

    def file(self, result: FileResult, summary: FileSummary) -> None:
        self.writer.add(result, summary)

    def add_threads(self, views: Sequence[ThreadView], unplaced: Sequence[tuple[str, str]] = ()) -> None:
        self.writer.add_threads(views, unplaced)

    def finish(self, run: object) -> None:
        self.written = self.writer.close()

    def abort(self) -> None:
        """The run ended early: remove the temporary files, keep the previous overview as it was."""
        self.writer.abort()
