"""`malkoll check --format sarif`: SARIF 2.1.0 for CI systems and dashboards.

One run; `tool.driver.rules` lists every rule of the run (id, the Swedish
message as shortDescription, the help text, the default level); each finding
is a result with the file as artifact location and the paragraph, heading or
table cell as a logical location ("stycke 38", "tabell 3, rad 2"; in a PDF
"sida 7, rad 12"). Neither a .docx nor a PDF has the lines of a text file, so
no text region is claimed (a viewer would open the file as text at that line);
the exact position, a PDF's page and line included, is given in the result's
properties, in the same shape as the JSON format's `source`.

Files that could not be read are tool execution notifications (level error)
in `invocations`, as SARIF intends for problems of the run rather than of the
code. Results are written while files stream past.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from checker.findings import Finding, Severity
from checker.output import json_display_safe, tool_version
from checker.output.json_report import source_json
from checker.output.reporter import StreamReporter
from checker.results import FileResult, FileSummary, RunSummary

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
BASE_ID = "SRCROOT"


# A rule's message is a template ("Aktiviteten ”{titel}” saknar analys"); as a
# rule's description the placeholder reads better as an ellipsis.
_PLACEHOLDER = re.compile(r"”?\{[^{}]*\}”?")


def rule_title(message: str) -> str:
    """"Aktiviteten ”{titel}” saknar analys" → "Aktiviteten … saknar analys"."""
    return " ".join(_PLACEHOLDER.sub("…", message).split())


def artifact_location(path: Path, base: Path | None = None) -> dict[str, Any]:
    """A path below the base folder becomes a URI relative to SRCROOT; any other a file: URI."""
    if path.is_absolute() and base is not None:
        try:
            path = path.relative_to(base)
        except ValueError:
            pass
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix(), safe="/"), "uriBaseId": BASE_ID}


def rule_json(rule: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule_title(rule.message)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }
    help_text = (getattr(rule, "help", "") or "").strip()
    if help_text:
        entry["help"] = {"text": help_text}
        entry["fullDescription"] = {"text": help_text}
    properties: dict[str, Any] = {}
    kinds = getattr(rule, "kinds", None)
    if kinds:
        properties["kinds"] = sorted(kinds)
    profiles = getattr(rule, "profiles", None)
    if profiles:
        properties["profiles"] = sorted(profiles)
    if properties:
        entry["properties"] = properties
    return entry


def logical_location(finding: Finding) -> dict[str, Any]:
    source = finding.location.source
    steps = [step for step in finding.location.path if step and step.strip()]
    # "element" is SARIF's word for a part of a structured document; the
    # document as a whole is a "resource".
    name, kind = ("dokumentet", "resource") if source is None else (source.describe(), "element")
    return {"name": name, "fullyQualifiedName": " › ".join([*steps, name]), "kind": kind}


def result_json(result: FileResult, finding: Finding, rule_index: dict[str, int], base: Path | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": artifact_location(result.path, base)},
                "logicalLocations": [logical_location(finding)],
            }
        ],
        "properties": {
            "target": finding.target,
            "targetType": finding.target_type,
            "quote": finding.quote,
            "path": list(finding.location.path),
            "source": source_json(finding.location.source),
        },
    }
    if finding.rule in rule_index:
        entry["ruleIndex"] = rule_index[finding.rule]
    if finding.accepted is not None:
        # A comment in the document is "inSource"; malkoll.toml and a baseline are "external".
        kind = "inSource" if finding.accepted.source == "kommentar" else "external"
        entry["suppressions"] = [{"kind": kind, "status": "accepted", "justification": finding.accepted.reason,
                                  "properties": {"kalla": finding.accepted.source}}]
    return entry


def _dumps(value: Any, indent: int) -> str:
    text = json_display_safe(json.dumps(value, ensure_ascii=False, indent=2))
    return text.replace("\n", "\n" + " " * indent)


class SarifReporter(StreamReporter):
    """Writes one SARIF log to `stream`, results as they arrive."""

    def __init__(self, stream: IO[str], *, fail_level: Severity, rules: Any, base: Path | None = None) -> None:
        self.stream = stream
        self.fail_level = fail_level
        self.rules = list(getattr(rules, "rules", ()) or ())
        self.rule_index = {rule.id: i for i, rule in enumerate(self.rules)}
        self.base = (base or Path.cwd()).absolute()
        self._count = 0
        self._notifications: list[dict[str, Any]] = []

    def start(self) -> None:
        driver = {
            "name": "Målkoll",
            "version": tool_version(),
            "semanticVersion": tool_version(),
            "rules": [rule_json(rule) for rule in self.rules],
        }
        self.stream.write("{\n")
        self.stream.write(f'  "$schema": {json.dumps(SARIF_SCHEMA)},\n  "version": "{SARIF_VERSION}",\n')
        self.stream.write('  "runs": [\n    {\n')
        self.stream.write(f'      "tool": {{"driver": {_dumps(driver, 6)}}},\n')
        self.stream.write('      "language": "sv-SE",\n')
        base_uri = self.base.as_uri().rstrip("/") + "/"
        self.stream.write(f'      "originalUriBaseIds": {{"{BASE_ID}": {{"uri": {json.dumps(base_uri)}}}}},\n')
        self.stream.write('      "results": [')

    def file(self, result: FileResult, summary: FileSummary) -> None:
        if result.error is not None:
            # A PDF or .doc found in the folder is a note, not an error of the run: it does not fail it.
            level, prefix = ("note", "inte granskad: ") if result.not_checked else ("error", "")
            self._notifications.append(
                {
                    "level": level,
                    "message": {"text": f"{result.path}: {prefix}{result.error}"},
                    "locations": [{"physicalLocation": {"artifactLocation": artifact_location(result.path, self.base)}}],
                }
            )
        for finding in result.findings:
            separator = "," if self._count else ""
            self.stream.write(f"{separator}\n        {_dumps(result_json(result, finding, self.rule_index, self.base), 8)}")
            self._count += 1
        self.stream.flush()

    def finish(self, run: RunSummary) -> None:
        self.stream.write("\n      ],\n" if self._count else "],\n")
        # An acceptance that matches nothing any more: a note for whoever keeps malkoll.toml or the baseline.
        unused = [{"level": "note", "message": {"text": note}} for note in run.unused_acceptances]
        invocation = {"executionSuccessful": True, "toolExecutionNotifications": self._notifications + unused}
        self.stream.write(f'      "invocations": [{_dumps(invocation, 6)}],\n')
        properties = {
            "failLevel": self.fail_level.label,
            "files": run.checked,
            "passed": run.passed,
            "failed": run.failed,
            "unreadable": run.unreadable,
        }
        self.stream.write(f'      "properties": {_dumps(properties, 6)}\n    }}\n  ]\n}}\n')
        self.stream.flush()
