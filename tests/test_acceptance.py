"""Accepting a finding, always with a reason, never silently (issue 16, item 1).

Each way to accept — [per-file-ignores] in malkoll.toml, a baseline, a Word
comment in the document — is run end to end through `malkoll check` as a user
would: the terminal, JSON, SARIF, the overview, the Word copy and the exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from tests.fixtures import docbuilder as db

ROOT = Path(__file__).resolve().parents[1]
REASON = "Enheten lades ned i maj, beslut i nämnden 2025-05-12"
# Every rule family that fires on the sample report: accepting all of them must let it pass.
ALL_FAMILIES = '["VB", "IN", "AK", "DK"]'


def malkoll(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prov")
    db.build_docx(db.load_source("aspudden_vb2025"), folder / "aspudden_vb.docx", state="export")
    return folder


def copy_sample(sample: Path, folder: Path, name: str = "aspudden_vb.docx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes((sample / "aspudden_vb.docx").read_bytes())
    return target


def open_findings(data: dict) -> list[dict]:
    return [f for file in data["files"] for f in file["findings"] if f["accepterad"] is None]


def accepted_findings(data: dict) -> list[dict]:
    return [f for file in data["files"] for f in file["findings"] if f["accepterad"] is not None]


def word_comments(path: Path) -> list[str]:
    return [c.text for c in docx.Document(str(path)).comments]


# --- [per-file-ignores] ------------------------------------------------------------------


def test_per_file_ignores_end_to_end(sample: Path, tmp_path: Path) -> None:
    copy_sample(sample, tmp_path / "Aspudden")
    before = malkoll("check", "Aspudden", cwd=tmp_path)
    assert before.returncode == 1, before.stderr
    (tmp_path / "malkoll.toml").write_text(
        f'[per-file-ignores]\n"Aspudden/*.docx" = {{ regler = {ALL_FAMILIES}, skal = "{REASON}" }}\n', encoding="utf-8")

    terminal = malkoll("check", "Aspudden", "--annotate", "kopior", "--overview", "oversikt", cwd=tmp_path)
    assert terminal.returncode == 0, terminal.stdout + terminal.stderr
    assert f"Godtagen (malkoll.toml): {REASON}" in terminal.stdout
    assert "GODKÄND" in terminal.stdout and "godtagna med skäl" in terminal.stdout

    data = json.loads(malkoll("check", "Aspudden", "--format", "json", cwd=tmp_path).stdout)
    assert open_findings(data) == [] and accepted_findings(data)
    assert {json.dumps(f["accepterad"], ensure_ascii=False) for f in accepted_findings(data)} == {
        json.dumps({"skal": REASON, "kalla": "malkoll.toml"}, ensure_ascii=False)}
    assert data["passed"] is True and data["summary"]["accepterade"] == len(accepted_findings(data))

    sarif = json.loads(malkoll("check", "Aspudden", "--format", "sarif", cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    assert results and all(r["suppressions"] == [{"kind": "external", "status": "accepted", "justification": REASON,
                                                   "properties": {"kalla": "malkoll.toml"}}] for r in results)

    html = (tmp_path / "oversikt" / "sammanstallning.html").read_text(encoding="utf-8")
    assert REASON in html and "godtagen" in html
    copies = list((tmp_path / "kopior").rglob("*.docx"))
    assert len(copies) == 1
    texts = word_comments(copies[0])
    assert any(f"Godtagen (malkoll.toml): {REASON}" in t for t in texts)


def test_only_the_named_file_and_rule_are_accepted(sample: Path, tmp_path: Path) -> None:
    copy_sample(sample, tmp_path / "Aspudden")
    copy_sample(sample, tmp_path / "Annan")
    (tmp_path / "malkoll.toml").write_text(
        f'[per-file-ignores]\n"Aspudden/*.docx" = {{ regler = ["VB01"], skal = "{REASON}" }}\n', encoding="utf-8")
    data = json.loads(malkoll("check", ".", "--format", "json", cwd=tmp_path).stdout)
    by_file = {Path(f["path"]).parent.name: f for f in data["files"]}
    assert {f["rule"] for f in by_file["Aspudden"]["findings"] if f["accepterad"]} == {"VB01"}
    assert not any(f["accepterad"] for f in by_file["Annan"]["findings"])
    assert any(f["rule"] == "VB01" for f in by_file["Annan"]["findings"])
    assert data["passed"] is False  # other errors remain: an acceptance is no blanket pass


def test_unused_per_file_ignore_is_reported_not_failed(sample: Path, tmp_path: Path) -> None:
    copy_sample(sample, tmp_path / "Aspudden")
    (tmp_path / "malkoll.toml").write_text(
        f'[per-file-ignores]\n"Aspudden/*.docx" = {{ regler = {ALL_FAMILIES[:-1]}, "XX99"], skal = "{REASON}" }}\n'
        f'"Finns-inte/*.docx" = {{ regler = ["VB01"], skal = "{REASON}" }}\n', encoding="utf-8")
    result = malkoll("check", "Aspudden", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert '"Aspudden/*.docx": XX99 godkänner ingen brist' in result.stdout
    assert '"Finns-inte/*.docx": VB01 godkänner ingen brist' in result.stdout
    data = json.loads(malkoll("check", "Aspudden", "--format", "json", cwd=tmp_path).stdout)
    assert len(data["summary"]["oanvanda_godkannanden"]) == 2
    sarif = json.loads(malkoll("check", "Aspudden", "--format", "sarif", cwd=tmp_path).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sum("godkänner ingen brist" in n["message"]["text"] for n in notes) == 2


@pytest.mark.parametrize(("entry", "expected"), [
    ('"a/*.docx" = ["VB06"]', "ett skäl krävs"),
    ('"a/*.docx" = { regler = ["VB06"] }', "skal saknas: en brist godtas aldrig utan skäl"),
    ('"a/*.docx" = { regler = ["VB06"], skal = "" }', "skal ska vara en text som säger varför"),
    ('"a/*.docx" = { skal = "beslut 2025" }', "regler saknas"),
    ('"a/*.docx" = { regler = ["inte ett id"], skal = "beslut 2025" }', "är inget regel-id"),
    ('"a/*.docx" = { regler = ["VB06"], skal = "beslut 2025", orsak = "x" }', "okänd nyckel \"orsak\""),
])
def test_bad_per_file_ignores_give_swedish_errors(tmp_path: Path, entry: str, expected: str) -> None:
    (tmp_path / "malkoll.toml").write_text(f"[per-file-ignores]\n{entry}\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    result = malkoll("check", "a", cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr and "malkoll.toml" in result.stderr and "[per-file-ignores]" in result.stderr
    assert "Traceback" not in result.stderr


# --- the baseline -----------------------------------------------------------------------------


def _first_goal_status(spec: db.DocSpec) -> int:
    """The status of the first enhetsmål that has an assessment ("Uppfylls …")."""
    return next(i for i, b in enumerate(spec.blocks)
                if b.kind == "status" and spec.blocks[i - 1].goal == "enhetsmal" and b.text.startswith("Uppfylls"))


def test_baseline_then_one_new_defect_reports_exactly_that_one(tmp_path: Path) -> None:
    before, after = tmp_path / "fore", tmp_path / "efter"
    before.mkdir()
    after.mkdir()
    db.build_docx(db.load_source("aspudden_vb2025"), before / "aspudden_vb2025.docx", state="export")
    db.build_docx(db.load_source("hagersten_alvsjo_vp2024"), before / "hagersten_vp2024.docx", state="export")
    written = malkoll("check", "fore", "--baseline-skriv", "baslinje.json", cwd=tmp_path)
    assert written.returncode == 1 and "Baslinjen sparades i baslinje.json" in written.stderr
    # The next round: the plan renamed, the report edited so one goal lost its assessment.
    (after / "Hägersten VP 2024 (slutlig).docx").write_bytes((before / "hagersten_vp2024.docx").read_bytes())
    spec = db.load_source("aspudden_vb2025")
    spec.blocks[_first_goal_status(spec)].text = "Inga data"
    db.build_docx(spec, after / "Aspudden VB 2025 rev 2.docx", state="export")

    data = json.loads(malkoll("check", "efter", "--baseline", "baslinje.json", "--format", "json", cwd=tmp_path).stdout)
    new = open_findings(data)
    assert [f["rule"] for f in new] == ["VB01"], new
    assert accepted_findings(data) and all(f["accepterad"]["kalla"] == "baslinje" for f in accepted_findings(data))
    terminal = malkoll("check", "efter", "--baseline", "baslinje.json", cwd=tmp_path)
    assert terminal.returncode == 1 and "Godtagen (baslinjen): fanns redan i baslinjen baslinje.json" in terminal.stdout
    sarif = json.loads(malkoll("check", "efter", "--baseline", "baslinje.json", "--format", "sarif", cwd=tmp_path).stdout)
    unsuppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" not in r]
    assert [r["ruleId"] for r in unsuppressed] == ["VB01"]


def test_baseline_of_the_same_files_passes_and_shows_everything(sample: Path, tmp_path: Path) -> None:
    copy_sample(sample, tmp_path / "a")
    malkoll("check", "a", "-q", "--baseline-skriv", "bas.json", cwd=tmp_path)
    result = malkoll("check", "a", "--baseline", "bas.json", "--annotate", "kopior", "--overview", "ov", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "Godtagen (baslinjen)" in result.stdout
    assert "fanns redan i baslinjen" in (tmp_path / "ov" / "sammanstallning.html").read_text(encoding="utf-8")
    copy = next((tmp_path / "kopior").rglob("*.docx"))
    assert any("Godtagen (baslinjen)" in t for t in word_comments(copy))


@pytest.mark.parametrize(("content", "expected"), [
    ("{}", "ingen baslinje från Målkoll"),
    ("inte json", "inte giltig JSON"),
    ('{"format": "malkoll-baslinje", "version": 9, "brister": []}', "version 9"),
])
def test_a_bad_baseline_is_refused_in_swedish(sample: Path, tmp_path: Path, content: str, expected: str) -> None:
    copy_sample(sample, tmp_path / "a")
    (tmp_path / "bas.json").write_text(content, encoding="utf-8")
    result = malkoll("check", "a", "--baseline", "bas.json", cwd=tmp_path)
    assert result.returncode == 2 and expected in result.stderr and "bas.json" in result.stderr
    missing = malkoll("check", "a", "--baseline", "saknas.json", cwd=tmp_path)
    assert missing.returncode == 2 and "saknas.json" in missing.stderr and "Traceback" not in missing.stderr
