"""`malkoll check --format json`: findings for scripts, stable and versioned.

The format is documented in docs/json-format.md; `FORMAT_VERSION` changes
only when a key is removed or changes meaning (added keys do not bump it).

The document is written while results stream in — the "files" array first,
then the totals — so a run over thousands of files never holds them all.
"""

from __future__ import annotations

import json
from typing import IO, Any

from checker.findings import Finding, Severity
from checker.model import Source
from checker.output import json_display_safe, tool_version
from checker.output.reporter import StreamReporter
from checker.results import FileResult, FileSummary, RunSummary

FORMAT_VERSION = 1
_INDENT = "  "


def _dumps(value: Any, level: int) -> str:
    """JSON for `value`, pretty-printed and indented to sit at nesting `level`."""
    text = json_display_safe(json.dumps(value, ensure_ascii=False, indent=2))
    return text.replace("\n", "\n" + _INDENT * level)


def source_json(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "block": source.block,
        "paragraph": source.paragraph,
        "table": source.table,
        "row": source.row,
        "column": source.column,
        # A PDF's page and line (from 1), as a person counts them; null for a .docx, which has no pages.
        "page": source.page,
        "line": source.line,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    source = finding.location.source
    return {
        "rule": finding.rule,
        "severity": finding.severity.label,
        "message": finding.message,
        "target": finding.target,
        "target_type": finding.target_type,
        "quote": finding.quote,
        "location": {
            "path": list(finding.location.path),
            "source": source_json(source),
            "description": source.describe() if source is not None else None,
        },
        # null, or why a person accepted it: {"skal": …, "kalla": "malkoll.toml" | "baslinje" | "kommentar"}.
        "accepterad": (
            {"skal": finding.accepted.reason, "kalla": finding.accepted.source}
            if finding.accepted is not None else None
        ),
    }


def file_json(result: FileResult, summary: FileSummary) -> dict[str, Any]:
    report = result.report
    return {
        "path": result.path.as_posix(),
        "kind": summary.kind,
        "tertial": summary.tertial,
        "year": summary.year,
        "unit": summary.unit,
        "error": result.error,
        "not_checked": summary.not_checked,
        "passed": summary.passed,
        "counts": {"error": summary.errors, "warning": summary.warnings, "info": summary.infos,
                   "accepterade": summary.accepted},
        "notes": list(report.notes) if report is not None else [],
        "findings": [finding_json(f) for f in result.findings],
    }


def summary_json(run: RunSummary) -> dict[str, Any]:
    return {
        "files": run.checked,
        "passed": run.passed,
        "failed": run.failed,
        "unreadable": run.unreadable,
        "not_checked": run.not_checked,
        "error": run.total(Severity.ERROR),
        "warning": run.total(Severity.WARNING),
        "info": run.total(Severity.INFO),
        "accepterade": run.accepted,
        # Acceptances that matched no finding (a note, not a failure).
        "oanvanda_godkannanden": list(run.unused_acceptances),
    }


class JsonReporter(StreamReporter):
    """Writes one JSON document to `stream`, a file at a time."""

    def __init__(self, stream: IO[str], *, fail_level: Severity) -> None:
        self.stream = stream
        self.fail_level = fail_level
        self._count = 0

    def start(self) -> None:
        head = {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "malkoll", "version": tool_version()},
            "fail_level": self.fail_level.label,
        }
        # Emit the header keys, then open "files" by hand so files can follow one by one.
        inner = _dumps(head, 0)[:-2]  # drop the closing "\n}"
        self.stream.write(inner + ',\n  "files": [')

    def file(self, result: FileResult, summary: FileSummary) -> None:
        separator = "," if self._count else ""
        self.stream.write(f"{separator}\n{_INDENT * 2}{_dumps(file_json(result, summary), 2)}")
        self._count += 1
        self.stream.flush()

    def finish(self, run: RunSummary) -> None:
        close_files = f"\n{_INDENT}]" if self._count else "]"
        self.stream.write(close_files)
        self.stream.write(f',\n{_INDENT}"summary": {_dumps(summary_json(run), 1)}')
        self.stream.write(f',\n{_INDENT}"passed": {json.dumps(run.exit_code == 0)}\n}}\n')
        self.stream.flush()


def report_json(results: list[tuple[FileResult, FileSummary]], run: RunSummary) -> dict[str, Any]:
    """The same document built in memory (for tests and library use)."""
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "malkoll", "version": tool_version()},
        "fail_level": run.fail_level.label,
        "files": [file_json(r, s) for r, s in results],
        "summary": summary_json(run),
        "passed": run.exit_code == 0,
    }
