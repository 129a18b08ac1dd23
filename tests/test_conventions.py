"""Linter conventions: --format concise, --statistics, --exit-zero, rules --format json,
watch's --select/--ignore/--profile, natural file order, and the current folder as the
default path when it has no reports/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from checker.discovery import discover

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "reports" / "aspudden_vb2025_export.docx"


def _malkoll(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("in")
    shutil.copy(SEED, where / "vb.docx")
    return where


@pytest.fixture(scope="module")
def findings(folder: Path) -> list[dict]:
    data = json.loads(_malkoll("check", str(folder), "--format", "json", cwd=folder).stdout)
    found = data["files"][0]["findings"]
    assert found  # the seed has findings: otherwise these tests would prove nothing
    return found


def test_concise_is_one_line_per_finding(folder: Path, findings: list[dict]) -> None:
    result = _malkoll("check", str(folder / "vb.docx"), "--format", "concise", cwd=folder)
    lines = result.stdout.splitlines()
    assert len(lines) == len(findings)
    for line, finding in zip(lines, findings):
        match = re.fullmatch(r"(.+\.docx):([^:]+): ([A-Z]{2}\d{2}) (.+)", line)
        assert match, line
        assert match.group(3) == finding["rule"]
        assert match.group(2) == (finding["location"]["description"] or "dokumentet")
    assert result.returncode == 1


def test_statistics_counts_findings_per_rule_with_the_rules_name(folder: Path, findings: list[dict]) -> None:
    result = _malkoll("check", str(folder), "--statistics", cwd=folder)
    assert result.returncode == 1
    expected = Counter(f["rule"] for f in findings)
    rows = [line.split() for line in result.stdout.splitlines() if re.match(r"\s*\d+\s+[A-Z]{2}\d{2}\s", line)]
    assert {row[1]: int(row[0]) for row in rows} == dict(expected)
    counts = [int(row[0]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    names = json.loads(_malkoll("rules", "--format", "json", cwd=folder).stdout)["rules"]
    first = next(r for r in names if r["id"] == rows[0][1])
    assert first["message"].split("{")[0].split("”")[0].strip() in result.stdout
    assert f"Totalt {len(findings)} brister" in result.stdout


def test_statistics_with_a_machine_format_is_misuse(folder: Path) -> None:
    result = _malkoll("check", str(folder), "--statistics", "--format", "json", cwd=folder)
    assert result.returncode == 2 and "--statistics" in result.stderr


def test_exit_zero(folder: Path, tmp_path: Path) -> None:
    assert _malkoll("check", str(folder), "-q", cwd=folder).returncode == 1
    assert _malkoll("check", str(folder), "-q", "--exit-zero", cwd=folder).returncode == 0
    assert _malkoll("check", str(tmp_path / "finns-inte"), "--exit-zero", cwd=folder).returncode == 2


def test_rules_as_json(tmp_path: Path) -> None:
    data = json.loads(_malkoll("rules", "--format", "json", cwd=tmp_path).stdout)
    by_id = {rule["id"]: rule for rule in data["rules"]}
    assert {"DK01", "VB06", "IN01"} <= set(by_id)
    assert by_id["DK03"]["safety"] is True and by_id["VB06"]["safety"] is False
    assert by_id["VB06"]["severity"] in ("error", "warning", "info") and by_id["VB06"]["help"]
    assert {p["name"] for p in data["profiles"]} == {"utkast", "inlamning"}
    one = json.loads(_malkoll("rules", "VB06", "--format", "json", cwd=tmp_path).stdout)
    assert one == by_id["VB06"]


def test_watch_takes_select_and_ignore(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "vb.docx")
    _malkoll("watch", str(tmp_path), "--once", "--select", "VB06", cwd=tmp_path)
    reply = (tmp_path / "granskning" / "vb.granskning.txt").read_text(encoding="utf-8-sig")
    assert "VB06" in reply and "IN01" not in reply
    _malkoll("watch", str(tmp_path), "--once", "--ignore", "VB06", cwd=tmp_path)
    reply = (tmp_path / "granskning" / "vb.granskning.txt").read_text(encoding="utf-8-sig")
    assert "VB06" not in reply and "IN01" in reply


def test_natural_file_order(tmp_path: Path) -> None:
    names = ["kopia 10.docx", "Kopia 2.docx", "kopia 1.docx", "a/kopia 3.docx", "a10/x.docx", "a2/x.docx"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path]).files]
    assert found == ["a/kopia 3.docx", "a2/x.docx", "a10/x.docx", "kopia 1.docx", "Kopia 2.docx", "kopia 10.docx"]


def test_no_path_and_no_reports_folder_checks_the_current_folder(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "vb.docx")
    result = _malkoll("check", "--format", "concise", cwd=tmp_path)
    assert result.returncode == 1 and "vb.docx:" in result.stdout
    (tmp_path / "reports").mkdir()
    result = _malkoll("check", cwd=tmp_path)
    assert "vb.docx" not in result.stdout and "Inga .docx- eller PDF-filer hittades i reports" in result.stderr
    help_text = " ".join(_malkoll("check", "--help", cwd=tmp_path).stdout.split())
    assert "annars den aktuella mappen" in help_text
