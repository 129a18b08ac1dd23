"""Read → check → result, one file at a time.

Results are streamed: a coordinator may point Målkoll at a folder with every
unit's documents for several years, and nothing here keeps a report after its
result has been handed on. One file's failure — unreadable, or a bug in
Målkoll itself — never stops the others.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import MalkollError, ReadError
from checker.findings import Finding, Severity

if TYPE_CHECKING:
    from checker.engine import RuleSet
    from checker.model import Report

Reader = Callable[[Path], "Report"]
Checker = Callable[["Report", "RuleSet"], list[Finding]]


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

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def passed(self, fail_level: Severity) -> bool:
        return self.error is None and not any(f.severity >= fail_level for f in self.findings)


def check_files(
    paths: Iterable[Path],
    rules: RuleSet,
    *,
    reader: Reader | None = None,
    checker: Checker | None = None,
) -> Iterator[FileResult]:
    """Yield one FileResult per path, in order."""
    if reader is None:
        from checker.reader import read_report as reader
    if checker is None:
        from checker.engine import check_report as checker
    for path in paths:
        yield check_file(path, rules, reader=reader, checker=checker)


def check_file(path: Path, rules: RuleSet, *, reader: Reader, checker: Checker) -> FileResult:
    started = time.perf_counter()
    stage = "lästes"
    try:
        report = reader(path)
        stage = "granskades"
        findings = tuple(sorted(checker(report, rules), key=_finding_order))
    except ReadError as error:
        return FileResult(path, None, error=error.problem, elapsed=time.perf_counter() - started)
    except MalkollError as error:
        return FileResult(path, None, error=str(error), elapsed=time.perf_counter() - started)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - one broken file must not stop the run
        return FileResult(
            path,
            None,
            error=_internal_message(path, stage, error),
            elapsed=time.perf_counter() - started,
            internal=True,
        )
    return FileResult(path, report, findings, elapsed=time.perf_counter() - started)


def _internal_message(path: Path, stage: str, error: Exception) -> str:
    if os.environ.get("MALKOLL_DEBUG"):
        traceback.print_exception(error, file=sys.stderr)
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return (
        f"internt fel i Målkoll när {path} {stage} ({detail}). "
        "Felet ligger i programmet, inte i dokumentet; kör med MALKOLL_DEBUG=1 för detaljer."
    )


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    """Document order first, then the most serious first, then by rule id."""
    source = finding.location.source
    block = source.block if source is not None else -1
    return (block, -int(finding.severity), finding.rule)


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


@dataclass
class RunSummary:
    """Totals over a whole run, collected while results stream past."""

    fail_level: Severity
    files: list[FileSummary] = field(default_factory=list)

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
        )
        self.files.append(summary)
        return summary

    @property
    def checked(self) -> int:
        return len(self.files)

    @property
    def passed(self) -> int:
        return sum(1 for f in self.files if f.passed)

    @property
    def unreadable(self) -> int:
        return sum(1 for f in self.files if f.error is not None)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if not f.passed and f.error is None)

    def total(self, severity: Severity) -> int:
        attr = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "infos"}[severity]
        return sum(getattr(f, attr) for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when every file passed, 1 when any finding reached the fail level or a file was unreadable."""
        return 0 if all(f.passed for f in self.files) else 1
