"""Machine formats (SARIF 2.1.0, JUnit XML) and the plain-text report of `malkoll watch`.

SARIF is validated structurally against the parts of the 2.1.0 schema that
Målkoll uses (written out below, checked with jsonschema); JUnit is parsed
with xml.etree the way CI systems read it.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.engine import default_rules_dir, load_rules
from checker.findings import Finding, Location, Severity
from checker.model import Report, Source
from checker.output import granskning_txt
from checker.output.junit import JunitReporter
from checker.output.sarif import SarifReporter, rule_title
from checker.pipeline import FileResult, RunSummary
from tests.test_annotate import write_report

REPORTS = Path(__file__).resolve().parents[1] / "reports"

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
_ARTIFACT = {
    "type": "object",
    "required": ["uri"],
    "properties": {"uri": {"type": "string", "format": "uri-reference"}, "uriBaseId": {"type": "string"}},
}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription", "defaultConfiguration"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": {"enum": ["none", "note", "warning", "error"]}},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "originalUriBaseIds": {"type": "object", "additionalProperties": _ARTIFACT},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation", "logicalLocations"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {"artifactLocation": _ARTIFACT},
                                            },
                                            "logicalLocations": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": ["name", "kind"],
                                                    "properties": {"name": {"type": "string"}, "kind": {"type": "string"},
                                                                   "fullyQualifiedName": {"type": "string"}},
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                    "invocations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["executionSuccessful"],
                            "properties": {
                                "toolExecutionNotifications": {
                                    "type": "array",
                                    "items": {"type": "object", "required": ["message"],
                                              "properties": {"message": _MESSAGE, "level": {"enum": ["none", "note", "warning", "error"]}}},
                                }
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


# --- SARIF ------------------------------------------------------------------------------------


def test_sarif_of_the_sample_reports_is_valid_and_complete(capsys: pytest.CaptureFixture[str], catalog) -> None:
    code, out = run_cli(capsys, "check", str(REPORTS), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in catalog.rules]
    for entry, rule in zip(rules, catalog.rules):
        assert entry["shortDescription"]["text"] == rule_title(rule.message)
        assert entry["help"]["text"] == rule.help.strip()
        assert entry["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[rule.severity.label]
    json_out = json.loads(run_cli(capsys, "check", str(REPORTS), "--format", "json")[1])
    assert len(run["results"]) == sum(len(f["findings"]) for f in json_out["files"])
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"].startswith("reports/")
        assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT"
    assert code == 1 and run["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///")


def test_sarif_locations_levels_and_unreadable_files() -> None:
    findings = (
        Finding("VB03", Severity.ERROR, "Saknar analys", "Mål", "enhetsmal",
                Location(("KF-mål", "Nämndmål"), Source(block=40, paragraph=37)), "citat"),
        Finding("IN01", Severity.WARNING, "Ingen analys", "Andel", "indikator",
                Location(("KF-mål",), Source(block=50, table=2, row=1, column=0))),
        Finding("DK01", Severity.INFO, "Okänd typ", None, "dokument"),
    )
    stream = io.StringIO()
    reporter = SarifReporter(stream, fail_level=Severity.ERROR, rules=None, base=Path("/srv/inlämnat"))
    run = RunSummary(Severity.ERROR)
    reporter.start()
    for result in (
        FileResult(Path("mapp med mellanslag/Åsa.docx"), Report(path="x"), findings),
        FileResult(Path("trasig.docx"), None, error="filen är skadad."),
    ):
        reporter.file(result, run.add(result))
    reporter.finish(run)
    log = json.loads(stream.getvalue())
    jsonschema.validate(log, SARIF_SUBSET)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mapp%20med%20mellanslag/%C3%85sa.docx"
    logical = [r["locations"][0]["logicalLocations"][0] for r in results]
    assert logical[0] == {"name": "stycke 38", "fullyQualifiedName": "KF-mål › Nämndmål › stycke 38", "kind": "element"}
    assert logical[1]["name"] == "tabell 3, rad 2, kolumn 1"
    assert logical[2]["kind"] == "resource"
    assert results[0]["properties"]["source"] == {"block": 40, "paragraph": 37, "table": None, "row": None, "column": None,
                                                     "page": None, "line": None}
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes == [{"level": "error", "message": {"text": "trasig.docx: filen är skadad."},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "trasig.docx", "uriBaseId": "SRCROOT"}}}]}]
    assert log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///srv/inl%C3%A4mnat/"


def test_rule_title_replaces_placeholders() -> None:
    assert rule_title("Aktiviteten ”{titel}” saknar analys") == "Aktiviteten … saknar analys"
    assert rule_title("Utfall {utfall} över {max}") == "Utfall … över …"


# --- JUnit --------------------------------------------------------------------------------------


def test_junit_one_suite_per_file_and_failures_at_the_fail_level(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                 catalog) -> None:
    folder = tmp_path / "in"
    write_report(folder / "a.docx", "Enhet A")
    write_report(folder / "b.docx", "Enhet B", analysis=True)
    (folder / "c.docx").write_bytes(b"inte en docx")
    code, out = run_cli(capsys, "check", str(folder), "--format", "junit")
    root = ET.fromstring(out)
    assert code == 1 and root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [Path(s.get("name")).name for s in suites] == ["a.docx", "b.docx", "c.docx"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    a, b, c = suites
    failing = {case.get("name").split()[0] for case in a.findall("testcase") if case.find("failure") is not None}
    assert "VB03" in failing and "IN01" in failing
    assert {case.get("name").split()[0] for case in a.findall("testcase")} >= {r.id for r in catalog.rules if r.kinds is None or "verksamhetsberattelse" in r.kinds}
    # A finding below the fail level passes, with its text in system-out.
    in03 = next(case for case in a.findall("testcase") if case.get("name").startswith("IN03"))
    assert in03.find("failure") is None and "Andel nöjda" in in03.findtext("system-out")
    assert [e.get("type") for e in c.iter("error")] == ["oläsbar"]
    assert a.find("properties/property[@name='enhet']").get("value") == "Enhet A"
    # With warnings as the fail level, warnings fail too.
    _, out = run_cli(capsys, "check", str(folder / "b.docx"), "--format", "junit", "--fail-level", "info")
    b_info = ET.fromstring(out).find("testsuite")
    assert int(b_info.get("failures")) >= int(b.get("failures"))


def test_junit_survives_characters_xml_cannot_hold() -> None:
    stream = io.StringIO()
    reporter = JunitReporter(stream, fail_level=Severity.WARNING, rules=None)
    run = RunSummary(Severity.WARNING)
    finding = Finding("XX01", Severity.WARNING, "Styr\x1btecken\x00 <&> ”citat”", "Mål \x07", "enhetsmal")
    result = FileResult(Path("a.docx"), Report(path="a", unit="Enhet \x0b"), (finding,), checked_at=datetime(2025, 1, 2, 3, 4, 5))
    reporter.start()
    reporter.file(result, run.add(result))
    reporter.finish(run)
    root = ET.fromstring(stream.getvalue())
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "Styrtecken <&> ”citat”" in failure.text
    assert root.find("testsuite").get("timestamp") == "2025-01-02T03:04:05"


# --- the plain-text report ---------------------------------------------------------------------


def test_text_report_lists_result_counts_and_each_finding_with_its_place() -> None:
    findings = (
        Finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", "Mål", "enhetsmal",
                Location(("KF:s mål 1.4", "Nämndmål: Trygghet"), Source(block=40, paragraph=37)), "Enheten arbetar …"),
        Finding("IN01", Severity.WARNING, "Indikatorn saknar analys\x1b[31m", "Andel", "indikator",
                Location((), Source(block=50, table=2, row=1))),
    )
    result = FileResult(Path("in/a.docx"), Report(path="a", kind="verksamhetsberattelse", year=2025, unit="Enhet A"),
                        findings, checked_at=datetime(2025, 3, 1, 12, 30), annotated=Path("ut/a.granskning.docx"))
    summary = RunSummary(Severity.ERROR).add(result)
    text = granskning_txt.render(result, summary, Severity.ERROR, name="a.docx")
    lines = text.splitlines()
    assert lines[0] == "Målkoll – granskning av a.docx"
    assert "Resultat:  UNDERKÄND – 1 fel, 1 varning, 0 info" in lines
    assert "1. Fel (VB03): Enhetsmålet saknar analys" in lines
    assert "   Var: stycke 38 – under KF:s mål 1.4 › Nämndmål: Trygghet" in lines
    assert "2. Varning (IN01): Indikatorn saknar analys" in lines
    assert "   Var: tabell 3, rad 2" in lines
    assert "Kopia med kommentarer i marginalen: a.granskning.docx" in lines
    assert "\x1b" not in text
    unreadable = FileResult(Path("b.docx"), None, error="filen är skadad.")
    text = granskning_txt.render(unreadable, RunSummary(Severity.ERROR).add(unreadable), Severity.ERROR)
    assert "Resultat:  KUNDE INTE LÄSAS" in text and "Orsak:     filen är skadad." in text


def test_text_report_is_written_for_windows(tmp_path: Path) -> None:
    target = tmp_path / "a.granskning.txt"
    granskning_txt.write(target, "Rad ett\nRäd två\n")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert data.decode("utf-8-sig") == "Rad ett\r\nRäd två\r\n"
