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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import MalkollError, ReadError
from checker.findings import Finding
# The result types live in checker.results; they are named here too for code
# that still imports them from the pipeline.
from checker.results import FileResult, FileSummary, RunSummary

if TYPE_CHECKING:
    from checker.engine import RuleSet
    from checker.model import Report

ReportReader = Callable[[Path], "Report"]
Checker = Callable[["Report", "RuleSet"], list[Finding]]

__all__ = ["Checker", "FileResult", "FileSummary", "ReportReader", "RunSummary", "check_file"]


def check_file(path: Path, rules: RuleSet, *, reader: ReportReader, checker: Checker) -> FileResult:
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
