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


# --- a Word comment in the document -------------------------------------------------------------

COMMENT_REASON = "Rapporten skrevs före årsskiftet; förvaltningen har godkänt formuleringen"


def _paragraph_at(document: docx.document.Document, block: int) -> docx.text.paragraph.Paragraph:
    """The body paragraph at `block`, or the last one before it (a finding in a table: the text above it)."""
    from docx.text.paragraph import Paragraph

    found = None
    for number, element in enumerate(e for e in document.element.body if e.tag.endswith(("}p", "}tbl"))):
        if number > block:
            break
        if element.tag.endswith("}p"):
            found = element
    assert found is not None
    return Paragraph(found, document._body)


def commented_report(path: Path, comments: list[tuple[int | None, str]]) -> Path:
    """The sample report with Word comments: (the block of the finding to anchor at, or None for the first
    paragraph; the comment's text), as an author adds them in Word."""
    db.build_docx(db.load_source("aspudden_vb2025"), path, state="export")
    document = docx.Document(str(path))
    for anchor, text in comments:
        paragraph = document.paragraphs[0] if anchor is None else _paragraph_at(document, anchor)
        runs = paragraph.runs or [paragraph.add_run(" ")]
        document.add_comment(runs, text=text, author="Enhetschefen", initials="EC")
    document.save(str(path))
    return path


def _vb06_in_goal(data: dict) -> list[dict]:
    return [f for f in data["files"][0]["findings"] if f["rule"] == "VB06"]


def test_comment_accepts_the_rule_in_its_goal_only(tmp_path: Path) -> None:
    # The VB06 finding whose quote is "bedömer att enhetsmålet kommer …": anchor the comment in that analysis.
    plain = tmp_path / "utan" / "vb.docx"
    plain.parent.mkdir()
    db.build_docx(db.load_source("aspudden_vb2025"), plain, state="export")
    before = _vb06_in_goal(json.loads(malkoll("check", "utan", "--format", "json", cwd=tmp_path).stdout))
    target = next(f for f in before if f["quote"])
    anchor = target["location"]["source"]["block"]
    (tmp_path / "med").mkdir()
    commented_report(tmp_path / "med" / "vb.docx", [(anchor, f"Målkoll: godkänn VB06 – {COMMENT_REASON}")])

    data = json.loads(malkoll("check", "med", "--format", "json", cwd=tmp_path).stdout)
    after = _vb06_in_goal(data)
    accepted = [f for f in after if f["accepterad"]]
    assert len(after) == len(before) and len(accepted) == 1
    assert accepted[0]["accepterad"] == {"skal": COMMENT_REASON, "kalla": "kommentar"}
    assert accepted[0]["location"] == target["location"]
    assert data["summary"]["oanvanda_godkannanden"] == []

    result = malkoll("check", "med", "--annotate", "kopior", "--overview", "ov", cwd=tmp_path)
    assert f"Godtagen (kommentar i dokumentet): {COMMENT_REASON}" in result.stdout
    assert COMMENT_REASON in (tmp_path / "ov" / "sammanstallning.html").read_text(encoding="utf-8")
    copy = next((tmp_path / "kopior").rglob("*.docx"))
    texts = word_comments(copy)
    assert any(t.startswith("Målkoll: godkänn VB06") for t in texts)  # the author's own comment is kept
    assert any(f"Godtagen (kommentar i dokumentet): {COMMENT_REASON}" in t for t in texts)
    sarif = json.loads(malkoll("check", "med", "--format", "sarif", cwd=tmp_path).stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in suppressed] == [("VB06", "inSource")]


def test_comment_accepting_every_error_lets_the_gate_pass(tmp_path: Path) -> None:
    plain = tmp_path / "utan" / "vb.docx"
    plain.parent.mkdir()
    db.build_docx(db.load_source("aspudden_vb2025"), plain, state="export")
    data = json.loads(malkoll("check", "utan", "--format", "json", cwd=tmp_path).stdout)
    errors = [f for f in data["files"][0]["findings"] if f["severity"] == "error"]
    assert errors and all(f["location"]["source"] for f in errors)
    # One comment per error, where the finding points (in the goal it concerns).
    comments = [(f["location"]["source"]["block"], f"Målkoll: godkänn {f['rule']} – {COMMENT_REASON}") for f in errors]
    (tmp_path / "med").mkdir()
    commented_report(tmp_path / "med" / "vb.docx", comments)
    result = malkoll("check", "med", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "GODKÄND" in result.stdout


@pytest.mark.parametrize(("text", "expected"), [
    ("Målkoll: godkänn VB06", "saknar skäl"),
    (f"Målkoll: godkänn XX99 – {COMMENT_REASON}", "godkänner ingen brist"),
    ("Målkoll: släpp igenom allt", "förstods inte"),
])
def test_a_comment_that_accepts_nothing_is_reported(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "a").mkdir()
    plain = tmp_path / "p.docx"
    db.build_docx(db.load_source("aspudden_vb2025"), plain, state="export")
    block = next(f["location"]["source"]["block"] for f in json.loads(
        malkoll("check", "p.docx", "--format", "json", cwd=tmp_path).stdout)["files"][0]["findings"] if f["rule"] == "VB06")
    commented_report(tmp_path / "a" / "vb.docx", [(block, text)])
    data = json.loads(malkoll("check", "a", "--format", "json", cwd=tmp_path).stdout)
    assert not accepted_findings(data)
    notes = data["summary"]["oanvanda_godkannanden"]
    assert len(notes) == 1 and expected in notes[0] and notes[0].startswith("vb.docx: ")
    terminal = malkoll("check", "a", cwd=tmp_path)
    assert expected in terminal.stdout and terminal.returncode == 1


def test_a_comment_outside_every_goal_accepts_nothing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    commented_report(tmp_path / "a" / "vb.docx", [(None, f"Målkoll: godkänn VB06 – {COMMENT_REASON}")])
    data = json.loads(malkoll("check", "a", "--format", "json", cwd=tmp_path).stdout)
    assert not accepted_findings(data)
    assert any("ligger inte i något mål" in n for n in data["summary"]["oanvanda_godkannanden"])


def test_a_comments_part_with_a_dtd_is_refused_like_any_part(tmp_path: Path) -> None:
    import zipfile

    (tmp_path / "a").mkdir()
    source = commented_report(tmp_path / "k.docx", [(None, f"Målkoll: godkänn VB06 – {COMMENT_REASON}")])
    target = tmp_path / "a" / "vb.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "word/comments.xml":
                head, rest = data.split(b"?>", 1)
                data = head + b'?><!DOCTYPE w:comments [<!ENTITY e "Malkoll">]>' + rest
            new.writestr(item, data)
    result = malkoll("check", "a", "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["files"][0]["error"] and "Traceback" not in result.stderr
    assert result.returncode == 1


def test_watch_gets_the_same_acceptances(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "Inlamnat"
    copy_sample(sample, folder)
    settings = tmp_path / "Samordning" / "malkoll.toml"
    settings.parent.mkdir()
    settings.write_text(f'[per-file-ignores]\n"../Inlamnat/*.docx" = {{ regler = {ALL_FAMILIES}, skal = "{REASON}" }}\n',
                        encoding="utf-8")
    done = malkoll("watch", str(folder), "--once", "--settle", "0.2", "--config", str(settings), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "GODKÄND" in done.stdout
    reply = (folder / "granskning" / "aspudden_vb.granskning.txt").read_text(encoding="utf-8")
    assert f"Godtagen (malkoll.toml): {REASON}" in reply
    copy = folder / "granskning" / "aspudden_vb.granskning.docx"
    assert any(REASON in t for t in word_comments(copy))


def test_junit_lists_accepted_findings_without_failing(sample: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    copy_sample(sample, tmp_path / "Aspudden")
    (tmp_path / "malkoll.toml").write_text(
        f'[per-file-ignores]\n"Aspudden/*.docx" = {{ regler = {ALL_FAMILIES}, skal = "{REASON}" }}\n', encoding="utf-8")
    result = malkoll("check", "Aspudden", "--format", "junit", cwd=tmp_path)
    assert result.returncode == 0
    root = ET.fromstring(result.stdout)
    assert not root.findall(".//failure")
    assert REASON in result.stdout
