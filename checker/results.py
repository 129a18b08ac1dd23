"""What a run produces: one FileResult per file, and the run's totals (RunSummary).

The core result types, shared by the run (checker.session, checker.batch),
the thread rules and every output: outputs depend on these and on the
findings, never on how a file was read or checked (checker.pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.model import Report


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one file: its report and findings, or why it could not be checked."""

    path: Path
    report: Report | None
    findings: tuple[Finding, ...] = ()
    # Swedish explanation when the file could not be read or checked.
    error: str | None = None
    elapsed: float = 0.0
    # True when the error is a fault in Målkoll, not in the file.
    internal: bool = False
    # When the check finished (local time, for the coordinator's overview).
    checked_at: datetime | None = None
    # The annotated copy written for --annotate / watch, or why it could not be written.
    annotated: Path | None = None
    annotate_error: str | None = None
    # A document of another format found in a folder (checker.discovery.NOT_CHECKED_REASONS):
    # listed as "inte granskad" with `error` as the reason; it does not fail the run.
    not_checked: bool = False

    # Entries of the document's own acceptances (Word comments) that matched no finding, in Swedish.
    unused_acceptances: tuple[str, ...] = ()

    def count(self, severity: Severity) -> int:
        """Open findings of `severity`: accepted ones are counted apart (accepted_count)."""
        return sum(1 for f in self.findings if f.severity == severity and f.accepted is None)

    def accepted_count(self) -> int:
        return sum(1 for f in self.findings if f.accepted is not None)

    def passed(self, fail_level: Severity) -> bool:
        return self.error is None and not any(f.severity >= fail_level and f.accepted is None for f in self.findings)


@dataclass
class FileSummary:
    """What the closing summary keeps of a file: a few words and counts, not the report."""

    path: Path
    kind: str | None
    tertial: int | None
    year: int | None
    unit: str | None
    errors: int
    warnings: int
    infos: int
    error: str | None
    passed: bool
    # What the document is instead, when it is not a plan or report ("ett protokoll").
    other: str | None = None
    # Findings a person accepted with a reason (malkoll.toml, baseline, Word comment).
    accepted: int = 0
    # Listed but not checked (FileResult.not_checked): `error` is the reason.
    not_checked: bool = False


@dataclass
class RunSummary:
    """Totals over a whole run, collected while results stream past."""

    fail_level: Severity
    files: list[FileSummary] = field(default_factory=list)
    # Acceptances that matched no finding (checker.acceptance): reported, never a failure.
    unused_acceptances: list[str] = field(default_factory=list)

    def add(self, result: FileResult) -> FileSummary:
        report = result.report
        summary = FileSummary(
            path=result.path,
            kind=report.kind if report else None,
            tertial=report.tertial if report else None,
            year=report.year if report else None,
            unit=report.unit if report else None,
            errors=result.count(Severity.ERROR),
            warnings=result.count(Severity.WARNING),
            infos=result.count(Severity.INFO),
            error=result.error,
            passed=result.passed(self.fail_level),
            other=report.identity.other if report else None,
            accepted=result.accepted_count(),
            not_checked=result.not_checked,
        )
        self.files.append(summary)
        return summary

    @property
    def checked(self) -> int:
        return sum(1 for f in self.files if not f.not_checked)

    @property
    def not_checked(self) -> int:
        return sum(1 for f in self.files if f.not_checked)

    @property
    def passed(self) -> int:
        return sum(1 for f in self.files if f.passed)

    @property
    def unreadable(self) -> int:
        return sum(1 for f in self.files if f.error is not None and not f.not_checked)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if not f.passed and f.error is None)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    def total(self, severity: Severity) -> int:
        attr = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "infos"}[severity]
        return sum(getattr(f, attr) for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when every file passed, 1 when any finding reached the fail level or a file was unreadable.

        A file of another format found in a folder (not_checked) is listed but does not decide the
        exit code: a folder's run is about the documents it could check.
        """
        return 0 if all(f.passed or f.not_checked for f in self.files) else 1
