"""`malkoll check --format junit`: JUnit XML, the lingua franca of CI dashboards.

One <testsuite> per file, one <testcase> per rule that applies to the
document: a rule with findings at or above the fail level is a <failure>
listing every finding of it with its place; a rule whose findings are below
the fail level passes and lists them in <system-out>; a rule without
findings passes. A file that could not be read is one test case with an
<error>. Suites are written while files stream past, so the root element
carries no totals (consumers add up the suites).

Every text is cleaned of characters XML 1.0 cannot hold; the XML itself is
produced by xml.etree, which escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import IO, Any

from checker.findings import Finding, Severity
from checker.output import describe_document
from checker.output.sarif import rule_title
from checker.output.reporter import StreamReporter
from checker.results import FileResult, FileSummary, RunSummary

# Characters XML 1.0 forbids (ElementTree would write them and make the file
# unreadable), and those that would act on a dashboard showing the text: C1
# controls and bidirectional overrides (text that displays in another order).
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
READ_CASE = "Läsning av dokumentet"


def xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def finding_line(finding: Finding) -> str:
    source = finding.location.source
    where = source.describe() if source is not None else "dokumentet som helhet"
    target = f" – {finding.target}" if finding.target else ""
    accepted = f" [{finding.accepted.describe()}]" if finding.accepted is not None else ""
    return f"{finding.severity.swedish}: {finding.message} ({where}){target}{accepted}"


def applicable(rule: Any, kind: str | None) -> bool:
    kinds = getattr(rule, "kinds", None)
    return kinds is None or (kind is not None and kind in kinds)


def suite_element(result: FileResult, summary: FileSummary, rules: list[Any], fail_level: Severity) -> ET.Element:
    name = xml_text(result.path.as_posix())
    suite = ET.Element("testsuite", name=name, time=f"{result.elapsed:.3f}")
    if result.checked_at is not None:
        suite.set("timestamp", result.checked_at.replace(microsecond=0).isoformat())
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("enhet", summary.unit),
        ("dokument", describe_document(summary.kind, summary.tertial, summary.year, summary.other) if summary.error is None else None),
    ):
        if value:
            ET.SubElement(properties, "property", name=key, value=xml_text(value))
    cases = errors = failures = skipped = 0
    if result.not_checked:
        # A PDF or .doc found in the folder: listed as skipped, as it does not fail the run.
        case = ET.SubElement(suite, "testcase", classname=name, name=READ_CASE)
        ET.SubElement(case, "skipped", message=xml_text(f"inte granskad: {result.error}"))
        cases, skipped = 1, 1
    elif result.error is not None:
        case = ET.SubElement(suite, "testcase", classname=name, name=READ_CASE)
        error = ET.SubElement(case, "error", message=xml_text(result.error), type="oläsbar")
        error.text = xml_text(result.error)
        cases, errors = 1, 1
    else:
        by_rule: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        order = [r.id for r in rules if applicable(r, summary.kind)]
        order += [rule_id for rule_id in by_rule if rule_id not in order]
        messages = {r.id: rule_title(r.message) for r in rules}
        for rule_id in order:
            findings = by_rule.get(rule_id, [])
            cases += 1
            failures += _case(suite, name, rule_id, messages.get(rule_id), findings, fail_level)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return suite


def _case(suite: ET.Element, classname: str, rule_id: str, message: str | None, findings: list[Finding],
          fail_level: Severity) -> int:
    title = message or (findings[0].message if findings else "")
    case = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(f"{rule_id} {title}".strip()), time="0")
    if not findings:
        return 0
    lines = "\n".join(xml_text(finding_line(f)) for f in findings)
    # An accepted finding is listed, with its reason, but fails no test case (checker.acceptance).
    failing = [f for f in findings if f.severity >= fail_level and f.accepted is None]
    if failing:
        worst = max(f.severity for f in failing)
        count = len(findings)
        summary = f"{count} brist{'er' if count != 1 else ''}: {xml_text(failing[0].message)}"
        failure = ET.SubElement(case, "failure", message=summary, type=worst.swedish)
        failure.text = lines
        return 1
    out = ET.SubElement(case, "system-out")
    out.text = lines
    return 0


class JunitReporter(StreamReporter):
    """Writes one JUnit XML document to `stream`, a suite per file."""

    def __init__(self, stream: IO[str], *, fail_level: Severity, rules: Any) -> None:
        self.stream = stream
        self.fail_level = fail_level
        self.rules = list(getattr(rules, "rules", ()) or ())

    def start(self) -> None:
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Målkoll">\n')

    def file(self, result: FileResult, summary: FileSummary) -> None:
        suite = suite_element(result, summary, self.rules, self.fail_level)
        ET.indent(suite, space="  ", level=1)
        self.stream.write("  " + ET.tostring(suite, encoding="unicode") + "\n")
        self.stream.flush()

    def finish(self, run: RunSummary) -> None:
        self.stream.write("</testsuites>\n")
        self.stream.flush()
