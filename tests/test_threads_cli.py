"""Threads end to end: `malkoll thread`, `malkoll dump MAPP`, `malkoll check MAPP` and the overview."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main
from tests.fixtures import docbuilder as db
from tests.test_threads import (
    EXPECTED_DRIFT,
    FILES,
    NEW_GOAL,
    RENAMED,
    drifted_thread,
    write_thread,
)

VALFARDSBROTT_GOAL = "Enheten bidrar till arbetet för att motverka välfärdsbrott."


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drifted thread, a tertial report that does not say which tertial, and an unrelated document."""
    root = tmp_path_factory.mktemp("Inlämnat")
    write_thread(drifted_thread(), root / "Aspudden")
    db.build_docx(db.DocSpec().para("Protokoll från arbetsplatsträff"), root / "protokoll.docx")
    return root


def tertial_unsaid(report: db.DocSpec) -> db.DocSpec:
    """A tertial report that says nowhere which tertial: not in its title, its period column
    ("T1 2025" → "2025") or its complaints table (left out)."""
    for block in report.blocks:
        if block.kind == "title":
            block.text = "Tertialrapport 2025"
        if block.table is not None:
            for row in block.table.rows:
                if row.cells is not None:
                    row.cells = [cell.replace("T1 2025", "2025") for cell in row.cells]
    report.meta["title"] = "Tertialrapport 2025"
    report.blocks = [b for b in report.blocks if b.table is None or b.table.kind != "synpunkter"]
    return report


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_thread_shows_goals_by_documents(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "thread", str(folder), "--no-color")
    assert code == 0, err
    assert "Aspuddens hemtjänst 2025" in out
    header = next(line for line in out.splitlines() if "Enhetsmål" in line)
    assert header.split()[-4:] == ["VP", "T1", "T2", "VB"]
    dropped = _row(out, "Enheten bidrar till arbetet för att motverka")
    assert dropped.count("planerat") == 1 and dropped.count("inga data") == 1  # VP, T1
    assert dropped.count("saknas") == 2  # dropped in T2 and VB
    assert "(inte i planen)" in out and NEW_GOAL.split(".")[0][:30] in out
    assert "2 uppföljningar saknas" in out
    assert "Dokument som inte hör till någon tråd:" in out
    assert "protokoll.docx: hör inte till någon tråd" in out


def _row(out: str, start: str) -> str:
    lines = out.splitlines()
    index = next(i for i, line in enumerate(lines) if start in line)
    return " ".join(lines[index : index + 2])


def test_thread_json_has_every_pairing_with_confidence_and_the_leftovers(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "thread", str(folder), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["format_version"] == 1
    [thread] = data["threads"]
    assert (thread["unit"], thread["year"], thread["reference"]) == ("Aspuddens hemtjänst", 2025, "VP")
    assert thread["documents"] == {role: [f"Aspudden/{name}"] for role, name in FILES.items()}
    goals = {g["title"]: g for g in thread["goals"]}
    assert goals[VALFARDSBROTT_GOAL]["documents"]["T2"] == {"status": "saknas", "title": None, "confidence": None}
    assert goals[NEW_GOAL]["planned"] is False
    renamed = goals["Enheten köper in ekologiska produkter."]["documents"]["VB"]
    assert renamed["title"] == RENAMED and 0.7 <= renamed["confidence"] < 1
    assert [(c["from"]["role"], c["to"]["role"]) for c in thread["comparisons"]] == [("VP", "T1"), ("VP", "T2"), ("VP", "VB")]
    to_vb = thread["comparisons"][2]
    kinds = {m["kind"] for m in to_vb["matches"]}
    assert {"enhetsmål", "förväntat resultat", "indikator", "aktivitet", "nämndmål", "KF-mål"} <= kinds
    assert all(0.7 <= m["confidence"] <= 1 for m in to_vb["matches"])
    assert {"kind": "enhetsmål", "text": VALFARDSBROTT_GOAL,
            "under": "Stadsdelsnämnden deltar i kraftsamlingen mot välfärdsbrott"} in to_vb["only_in_from"]
    assert any(i["kind"] == "enhetsmål" and i["text"] == NEW_GOAL for i in to_vb["only_in_to"])
    assert data["unplaced"] == [{"path": "protokoll.docx", "reason": data["unplaced"][0]["reason"]}]
    assert data["unplaced"][0]["reason"].startswith("hör inte till någon tråd")


def test_dump_of_a_folder_shows_the_pairings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dump", str(folder / "Aspudden"), "--no-color")
    assert code == 0, err
    assert "Aspuddens hemtjänst 2025: jämförelser" in out
    assert "VP vp.docx → VB vb.docx" in out
    assert f"bara i VP: enhetsmål ”{VALFARDSBROTT_GOAL}”" in out
    assert f"bara i VB: enhetsmål ”{NEW_GOAL}”" in out
    code, out, err = run(capsys, "dump", str(folder / "Aspudden"), "--format", "json")
    assert code == 0 and json.loads(out)["threads"][0]["comparisons"]


def test_check_of_a_folder_attaches_the_thread_findings_to_the_later_documents(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", str(folder), "--format", "json", "--select", "TR")
    assert code == 1, err
    data = json.loads(out)
    found = {(Path(f["path"]).name, finding["rule"], finding["target"])
             for f in data["files"] for finding in f["findings"] if finding["rule"].startswith("TR")}
    # --select TR keeps the gate's safety rules (DK01/DK03/DK05): the protocol still fails as not understood.
    assert any(finding["rule"] in ("DK01", "DK03", "DK05") for f in data["files"] if Path(f["path"]).name == "protokoll.docx"
               for finding in f["findings"])
    role_of = {name: role for role, name in FILES.items()}
    assert {(role_of[name], rule, target) for name, rule, target in found} == EXPECTED_DRIFT
    # Files keep the order they were found in; the counts include the thread findings.
    from checker.discovery import discover

    assert [f["path"] for f in data["files"]] == [str(p) for p in discover([folder]).files]
    vb = next(f for f in data["files"] if f["path"].endswith("vb.docx"))
    assert vb["counts"]["error"] == 2 and vb["counts"]["warning"] == 4


def test_check_of_a_lone_file_skips_the_thread_rules(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(folder / "Aspudden" / "vb.docx"), "--format", "json")
    rules = {finding["rule"] for f in json.loads(out)["files"] for finding in f["findings"]}
    assert rules and not {r for r in rules if r.startswith("TR")}


def test_the_overview_gets_a_thread_section(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(folder), "-q", "--no-color", "--overview", str(tmp_path / "ut"))
    page = (tmp_path / "ut" / "sammanstallning.html").read_text(encoding="utf-8")
    assert '<section class="trad">' in page and '<table class="trad">' in page
    assert "<h3>Aspuddens hemtjänst 2025</h3>" in page
    # The thread's summary line, as the terminal has it.
    assert re.search(r'<p class="tradrad brist">\d+ uppföljningar? saknas', page)
    assert page.count('<td class="saknas">saknas</td>') >= 2
    assert "protokoll.docx</b>: hör inte till någon tråd" in page
    assert "%%" not in page
    # The workbook has the same table as a sheet, for filtering in Excel.
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "ut" / "sammanstallning.xlsx")["Trådar"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Enhet", "År", "Enhetsmål", "I planen", "VP", "T1", "T2", "VB"]
    goals = [row for row in rows[1:] if row[0] == "Aspuddens hemtjänst" and row[3] is not None]
    assert goals and all(row[1] == 2025 and row[4] == "planerat" for row in goals if row[3] == "ja")
    assert sum(row[4:].count("saknas") for row in goals) == page.count('<td class="saknas">saknas</td>')
    # The goal the plan does not have: not a "saknas" under the plan.
    assert [row[4] for row in goals if row[3] == "nej"] == ["ej i planen"]
    assert '<td class="ej-i-planen">ej i planen</td>' in page
    assert sheet.auto_filter.ref == f"A1:H{len(rows)}"
    # The documents without a thread are kept apart, on their own sheet.
    assert not any(row[0] == "(utan tråd)" for row in rows)
    apart = openpyxl.load_workbook(tmp_path / "ut" / "sammanstallning.xlsx")["Utan tråd"]
    assert any("protokoll.docx" in row[0] and "hör inte till någon tråd" in row[1]
               for row in apart.iter_rows(min_row=2, values_only=True))


def test_trad_in_malkoll_toml_places_a_document_that_says_too_little(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = drifted_thread()
    t1 = tertial_unsaid(thread["T1"])
    db.build_docx(thread["VP"], tmp_path / "vp.docx")
    db.build_docx(t1, tmp_path / "rapport-april.docx")
    code, out, err = run(capsys, "thread", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert [u["path"] for u in data["unplaced"]] == ["rapport-april.docx"]
    assert "tertial 1 eller 2" in data["unplaced"][0]["reason"]
    (tmp_path / "malkoll.toml").write_text('[trad]\n"rapport-april.docx" = { typ = "T1" }\n', encoding="utf-8")
    code, out, err = run(capsys, "thread", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert data["unplaced"] == []
    assert data["threads"][0]["documents"]["T1"] == ["rapport-april.docx"]


def test_a_broken_trad_table_is_a_swedish_configuration_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db.build_docx(db.DocSpec().para("x"), tmp_path / "a.docx")
    (tmp_path / "malkoll.toml").write_text('[trad]\n"a.docx" = { enhet = "X", ar = "2025" }\n', encoding="utf-8")
    code, out, err = run(capsys, "thread", str(tmp_path))
    assert code == 2
    assert "[trad] \"a.docx\": år ska vara ett årtal, t.ex. 2025 (utan citattecken)." in err


def test_dump_thread_of_a_file_shows_only_its_thread(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "Annan"
    other.mkdir()
    code, out, err = run(capsys, "dump", "--thread", str(folder / "Aspudden" / "t2.docx"), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [t["unit"] for t in data["threads"]] == ["Aspuddens hemtjänst"]
    assert data["unplaced"] == []
    code, out, err = run(capsys, "dump", "--thread", str(folder / "protokoll.docx"), "--no-color")
    assert code == 0, err
    assert "protokoll.docx hör inte till någon tråd" in out
    assert "protokoll.docx: hör inte till någon tråd: dokumentets dokumenttyp, år och enhet" in out


def test_check_notes_a_document_that_falls_out_of_its_thread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    thread = drifted_thread()
    t1 = tertial_unsaid(thread["T1"])
    db.build_docx(thread["VP"], tmp_path / "vp.docx")
    db.build_docx(t1, tmp_path / "t.docx")
    code, out, err = run(capsys, "check", str(tmp_path), "--format", "json")
    notes = {Path(f["path"]).name: f["notes"] for f in json.loads(out)["files"]}
    assert notes["vp.docx"] == []
    assert notes["t.docx"] == [
        "Dokumentet hör inte till någon tråd: tertialrapporten säger inte om den gäller tertial 1 eller 2. "
        "Ange det under [trad] i malkoll.toml, eller rätta försättsbladet."
    ]
