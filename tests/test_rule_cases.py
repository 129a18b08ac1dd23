"""The catalog's rule cases as data: tests/rule_cases/<ID>.toml, one generic test.

Each file holds cases for one rule (as sqlfluff keeps its rule cases in
YAML): a document in the fixture builder's markup and the targets of the
findings that rule must give on it. The document is built as a .docx, read
and checked like any other; only the file's own rule is compared, so a case
says exactly what its rule does and nothing about the others. A finding on
the document as a whole (DK01, DK03 …) has no target; its case writes "".
A case may also list `severities` ("error", "warning", "info"), one for each
finding, for a rule whose findings differ in severity (IN02).

A thread rule (TR01 …) compares a report with the unit's other documents of
the year. Its case gives `document` as a list of tables, each with a `role`
("VP", "T1", "T2", "VB") and its `markup`; they are read as one thread, and
the findings are those on the last document, the one the rules judge.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from checker.engine import RuleSet, check_report, default_rules_dir, load_rules
from checker.model import Report
from checker.reading.report import read_report
from checker.threads.links import Links
from tests.fixtures.docbuilder import build_docx

CASES = Path(__file__).resolve().parent / "rule_cases"


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return list(tomllib.load(handle)["case"])


def _all_cases() -> list[Any]:
    return [pytest.param(path.stem, case, id=f"{path.stem}: {case['name']}")
            for path in sorted(CASES.glob("*.toml")) for case in _load(path)]


@pytest.fixture(scope="module")
def catalog() -> RuleSet:
    return load_rules([default_rules_dir()])


@pytest.mark.parametrize(("rule_id", "case"), _all_cases())
def test_rule_case(catalog: RuleSet, tmp_path: Path, rule_id: str, case: dict[str, Any]) -> None:
    findings = _findings(case["document"], catalog.filtered(select=[rule_id]), tmp_path)
    assert [f.rule for f in findings] == [rule_id] * len(findings)
    assert [f.target or "" for f in findings] == case["findings"]
    if "severities" in case:
        assert [f.severity.label for f in findings] == case["severities"]


def _findings(document: str | list[dict[str, str]], rules: RuleSet, folder: Path) -> list[Any]:
    if isinstance(document, str):
        return check_report(_read(document, folder / "fall.docx"), rules)
    thread = [(part["role"], _read(part["markup"], folder / f"{n}.docx")) for n, part in enumerate(document)]
    return check_report(thread[-1][1], rules, thread=Links(thread))


def _read(markup: str, path: Path) -> Report:
    build_docx(markup, path)
    return read_report(path)


def test_every_case_file_names_a_rule_and_has_a_passing_and_a_failing_case(catalog: RuleSet) -> None:
    files = sorted(CASES.glob("*.toml"))
    assert files
    for path in files:
        assert catalog.get(path.stem) is not None, f"{path.name}: no rule {path.stem}"
        cases = _load(path)
        assert any(not c["findings"] for c in cases), f"{path.name}: no case that passes"
        assert any(c["findings"] for c in cases), f"{path.name}: no case that fails"


def test_every_built_in_rule_has_a_case_file(catalog: RuleSet) -> None:
    # Derived from the rule set, so a rule added to rules/*.rules without cases fails here.
    missing = [rule.id for rule in catalog.rules if not (CASES / f"{rule.id}.toml").is_file()]
    assert not missing, f"rules without cases in tests/rule_cases: {', '.join(missing)}"
