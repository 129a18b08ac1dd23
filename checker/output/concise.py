"""`malkoll check --format concise` and `--statistics`: short lines for grep, editors and a quick look.

    reports/vb.docx:stycke 38: VB06 Bedömningen ”uppfyllt” saknar stöd
    reports/brev.pdf: INTE GRANSKAD PDF-fil – …

One finding a line, `fil:plats: REGEL meddelande`; a file that could not be
read or was not checked gets one line with why. With --statistics the
findings are counted per rule instead, with the rule's name.
"""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

from checker.output import clean_display
from checker.output.reporter import StreamReporter
from checker.results import FileResult, FileSummary, RunSummary

# Where a finding with no place in the document is said to be.
WHOLE_DOCUMENT = "dokumentet"


def _one_line(text: str) -> str:
    return " ".join(clean_display(text).split())


def concise_lines(result: FileResult) -> list[str]:
    """The lines of one file, in document order."""
    path = _one_line(str(result.path))
    if result.error is not None:
        word = "INTE GRANSKAD" if result.not_checked else "KUNDE INTE LÄSAS"
        return [f"{path}: {word} {_one_line(result.error)}"]
    lines = []
    for finding in result.findings:
        source = finding.location.source
        where = source.describe() if source is not None else WHOLE_DOCUMENT
        lines.append(f"{path}:{where}: {finding.rule} {_one_line(finding.message)}")
    return lines


class ConciseReporter(StreamReporter):
    """One line per finding, nothing else: the exit code says whether the run passed."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def start(self) -> None:
        return None

    def file(self, result: FileResult, summary: FileSummary) -> None:
        for line in concise_lines(result):
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self, run: RunSummary) -> None:
        return None


class StatisticsReporter(StreamReporter):
    """--statistics: the number of findings per rule, most first, with the rule's name."""

    def __init__(self, stream: IO[str], *, rules: Any = None) -> None:
        self.stream = stream
        self.rules = rules
        self.counts: Counter[str] = Counter()
        self.severity: dict[str, str] = {}
        self.messages: dict[str, str] = {}

    def start(self) -> None:
        return None

    def file(self, result: FileResult, summary: FileSummary) -> None:
        for finding in result.findings:
            self.counts[finding.rule] += 1
            self.severity.setdefault(finding.rule, finding.severity.swedish)
            self.messages.setdefault(finding.rule, finding.message)

    def finish(self, run: RunSummary) -> None:
        from checker.output.sarif import rule_title

        if not self.counts:
            self.stream.write(f"Inga brister i {run.checked} granskade filer.\n")
            return
        width = len(str(max(self.counts.values())))
        for rule_id, count in sorted(self.counts.items(), key=lambda item: (-item[1], item[0])):
            rule = self.rules.get(rule_id) if self.rules is not None else None
            name = rule_title(rule.message) if rule is not None else _one_line(self.messages[rule_id])
            self.stream.write(f"{count:>{width}}  {rule_id:<6} {self.severity[rule_id]:<8} {_one_line(name)}\n")
        files = f"{run.checked} granskad fil" if run.checked == 1 else f"{run.checked} granskade filer"
        self.stream.write(f"Totalt {sum(self.counts.values())} brister i {files}.\n")
        self.stream.flush()
