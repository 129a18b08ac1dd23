"""PDFs in every part of the workflow (issue 17): `check` and `watch` take a PDF like a .docx,
and every output says where a PDF finding is as a person finds it: "sida 7, rad 12".

How well a PDF is read is tests/test_pdf_*.py's business (the reader); here a PDF only has to
reach the reader and its findings every output.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.batch import Job
from checker.discovery import discover
from checker.findings import Finding, Location, Severity
from checker.model import Source
from checker.output import concise, granskning_txt, junit, sarif
from checker.output.json_report import file_json
from checker.output.terminal import make_console
from checker.pipeline import FileResult, RunSummary
from checker.watch import Watcher, WatchOptions, is_complete_pdf, is_complete_report

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "reports" / "aspudden_vb2025_export.docx"


def make_pdf(path: Path, lines: tuple[str, ...] = ("Verksamhetsberättelse 2025", "Testenheten"),
             *, linearised_head: bool = False) -> Path:
    """A small one-page PDF with a text layer (reportlab, as the tests' PDF writer)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for number, line in enumerate(lines):
        page.drawString(72, 760 - 16 * number, line)
    page.showPage()
    page.save()
    data = buffer.getvalue()
    if linearised_head:
        # The first-page trailer of a linearised PDF: "startxref 0 %%EOF" near the start of the file.
        data = data.replace(b"\n", b"\nstartxref\n0\n%%EOF\n", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- discovery and check ---------------------------------------------------------


def test_a_folder_walk_takes_pdfs_beside_docx(tmp_path: Path) -> None:
    make_pdf(tmp_path / "Enhet A" / "VB 2024.pdf")
    make_pdf(tmp_path / "Enhet A" / "Plan.PDF")
    (tmp_path / "Enhet A" / "vp2025.docx").write_bytes(SEED.read_bytes())
    make_pdf(tmp_path / "~$lås.pdf")
    make_pdf(tmp_path / ".dold.pdf")
    (tmp_path / "gammal.doc").write_bytes(b"x" * 20)
    found = discover([tmp_path])
    assert [p.name for p in found.files] == ["Plan.PDF", "VB 2024.pdf", "vp2025.docx"]
    assert [p.name for p, _ in found.not_checked] == ["gammal.doc"]  # other formats are still only listed


def test_check_reads_a_pdf_instead_of_listing_it_as_not_checked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_pdf(folder / "Enhet A.pdf")
    run = subprocess.run([sys.executable, "-m", "checker", "check", str(folder), "--format", "json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    data = json.loads(run.stdout)
    [entry] = data["files"]
    assert Path(entry["path"]).name == "Enhet A.pdf"
    assert entry["not_checked"] is False
    assert data["summary"]["not_checked"] == 0 and data["summary"]["files"] == 1


# --- watch -----------------------------------------------------------------------


class RecordingRunner:
    """Checks nothing; remembers which files the watch handed it."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def run(self, jobs):
        for job in jobs:
            self.jobs.append(job)
            yield FileResult(job.path, None, error="testfil")


def _watcher(folder: Path, runner: RecordingRunner, log: list[str], *, settle: float = 0.0) -> Watcher:
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", fail_level=Severity.ERROR, settle=settle,
                           poll=True, once=True)
    return Watcher(options, runner, log=log.append)  # type: ignore[arg-type]


def test_watch_checks_a_pdf_that_arrives(tmp_path: Path) -> None:
    make_pdf(tmp_path / "VB 2024.pdf")
    runner, log = RecordingRunner(), []
    _watcher(tmp_path, runner, log).run()
    assert [job.path.name for job in runner.jobs] == ["VB 2024.pdf"]
    assert not any("INTE GRANSKAD" in line for line in log)
    assert (tmp_path / "granskning" / "VB 2024.pdf.granskning.txt").exists()


def test_a_pdf_is_complete_only_when_its_trailer_is_written(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "hel.pdf")
    data = whole.read_bytes()
    assert is_complete_pdf(whole) and is_complete_report(whole)
    half = tmp_path / "halv.pdf"
    half.write_bytes(data[: len(data) // 2])
    assert not is_complete_pdf(half) and not is_complete_report(half)
    # A linearised PDF's first trailer (startxref 0) does not make a copy cut after it complete.
    early = make_pdf(tmp_path / "linjär.pdf", linearised_head=True).read_bytes()
    cut = tmp_path / "avskuren.pdf"
    cut.write_bytes(early[: early.index(b"%%EOF") + 6])
    assert not is_complete_pdf(cut)
    # Saved again with a change: the change is appended after the old trailer. Cut off in it, not complete.
    appended = tmp_path / "ändrad.pdf"
    appended.write_bytes(data + b"5 0 obj\n<< /Type /Annot /Subtype /Text /Contents (halv")
    assert not is_complete_pdf(appended)
    appended.write_bytes(data + b"\r\n\x00")  # line ends after %%EOF are no change
    assert is_complete_pdf(appended)
    # Neither a .docx nor a folder is a complete PDF; a .docx is judged as a .docx.
    assert not is_complete_pdf(SEED) and is_complete_report(SEED)
    assert not is_complete_pdf(tmp_path)


def test_watch_waits_for_a_pdf_being_copied(tmp_path: Path) -> None:
    """A PDF still being copied over a slow share is not checked half-written, as a .docx is not."""
    data = make_pdf(tmp_path / "källa" / "vb.pdf").read_bytes()
    folder = tmp_path / "delad"
    folder.mkdir()
    target = folder / "vb.pdf"
    target.write_bytes(data[: len(data) // 2])
    # Still for longer than the settle time, but not the three settle times after which a file counts as damaged.
    settle = 30.0
    past = time.time() - 1.5 * settle
    os.utime(target, (past, past))
    watcher = _watcher(folder, RecordingRunner(), [], settle=settle)
    watcher._scan()
    assert target in watcher.state.pending and watcher._ready() == []
    # The same file written to its end, as still: ready (so it was the missing end that held it back).
    with target.open("ab") as handle:
        handle.write(data[len(data) // 2:])
    os.utime(target, (past, past))
    fresh = _watcher(folder, RecordingRunner(), [], settle=settle)
    fresh._scan()
    assert fresh._ready() == [target]


# --- outputs: where a PDF finding is --------------------------------------------------

PDF_PATH = Path("Inlämnat/aspudden_vb2024.pdf")
GOAL_PATH = ("KF:s mål 1.4 Stockholm ska vara en bra stad att åldras i", "Nämndmål: Äldre har ett tryggt liv")


def pdf_result() -> FileResult:
    """A checked PDF with a finding in a paragraph and one in a table row (as the recogniser places them)."""
    in_text = Finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", "Brukarna känner sig trygga",
                      "enhetsmal", Location(GOAL_PATH, Source(block=14, paragraph=12, page=7, line=12)),
                      quote="Brukarna känner sig trygga")
    in_table = Finding("IN01", Severity.WARNING, "Indikatorn saknar utfall", "Andel nöjda brukare", "indikator",
                       Location(GOAL_PATH, Source(block=15, table=2, row=1, column=0, page=8, line=3)),
                       quote="Andel nöjda brukare")
    return FileResult(PDF_PATH, None, (in_text, in_table))


def test_json_gives_page_and_line() -> None:
    result = pdf_result()
    data = file_json(result, RunSummary(Severity.ERROR).add(result))
    first, second = data["findings"]
    assert first["location"]["source"]["page"] == 7 and first["location"]["source"]["line"] == 12
    assert first["location"]["description"] == "sida 7, rad 12"
    assert second["location"]["source"] | {"page": 8, "line": 3, "table": 2, "row": 1} == second["location"]["source"]
    assert second["location"]["description"] == "sida 8, rad 3 (tabell 3)"
    assert first["location"]["path"] == list(GOAL_PATH) and first["quote"] == "Brukarna känner sig trygga"


def test_sarif_names_page_and_line_without_claiming_a_text_region() -> None:
    result = pdf_result()
    entry = sarif.result_json(result, result.findings[0], {}, Path.cwd())
    [location] = entry["locations"]
    assert "region" not in location["physicalLocation"]  # a PDF has no lines of a text file
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("aspudden_vb2024.pdf")
    assert location["logicalLocations"][0]["name"] == "sida 7, rad 12"
    assert location["logicalLocations"][0]["fullyQualifiedName"].startswith(GOAL_PATH[0])
    assert entry["properties"]["source"]["page"] == 7 and entry["properties"]["source"]["line"] == 12
    assert entry["properties"]["quote"] == "Brukarna känner sig trygga"


def test_junit_concise_and_reply_file_say_page_and_line() -> None:
    result = pdf_result()
    summary = RunSummary(Severity.ERROR).add(result)
    suite = ET.tostring(junit.suite_element(result, summary, [], Severity.ERROR), encoding="unicode")
    assert "(sida 7, rad 12)" in suite and "(sida 8, rad 3 (tabell 3))" in suite
    lines = concise.concise_lines(result)
    assert lines[0] == "Inlämnat/aspudden_vb2024.pdf:sida 7, rad 12: VB03 Enhetsmålet saknar analys"
    text = granskning_txt.render(result, summary, Severity.ERROR)
    assert "Var: sida 7, rad 12 – under KF:s mål 1.4" in text and "Citat: ”Brukarna känner sig trygga”" in text


def test_terminal_says_page_and_line_under_the_goal_path() -> None:
    from checker.output.terminal import TerminalReporter

    result = pdf_result()
    stream = io.StringIO()
    reporter = TerminalReporter(make_console(stream, color=False, width=120), fail_level=Severity.ERROR)
    reporter.start()
    reporter.file(result, RunSummary(Severity.ERROR).add(result))
    shown = " ".join(stream.getvalue().split())
    assert "sida 7, rad 12" in shown and "sida 8, rad 3 (tabell 3)" in shown
    assert "Nämndmål: Äldre har ett tryggt liv" in shown and "”Brukarna känner sig trygga”" in shown


@pytest.mark.parametrize("source", [Source(block=3, paragraph=2), Source(block=4, table=0, row=1, column=2)])
def test_a_docx_source_keeps_its_shape(source: Source) -> None:
    """A .docx has no pages: page and line are null, the description is Word's as before."""
    from checker.output.json_report import source_json

    data = source_json(source)
    assert data is not None and data["page"] is None and data["line"] is None
    assert "sida" not in source.describe()


# --- dump: what was read from a PDF ---------------------------------------------------


def _as_if_from_pdf(value: object) -> object:
    """A report's dumped data with every source given a page and line, as the PDF reader's blocks have."""
    if isinstance(value, dict):
        if "block" in value and "page" in value:
            return {**value, "page": value["block"] // 10 + 1, "line": value["block"] % 10 + 1}
        return {key: _as_if_from_pdf(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_if_from_pdf(item) for item in value]
    return value


def pdf_report():
    from checker.model import Report
    from tests.test_dump import sample_report

    report = sample_report()
    data = _as_if_from_pdf(report.model_dump())
    assert isinstance(data, dict)
    return Report.model_validate({**data, "path": "reports/vb2025.pdf"})


def test_dump_json_gives_each_node_its_page_and_line() -> None:
    from checker.output.dump_json import dump_dict, dump_schema

    data = dump_dict(pdf_report())
    def nodes(node: dict) -> list[dict]:
        return [node, *(found for child in node["children"] for found in nodes(child))]

    [enhetsmal] = [node for node in nodes(data) if node["type"] == "enhetsmal"]
    assert (enhetsmal["source"]["page"], enhetsmal["source"]["line"]) == (3, 1)  # block 20
    assert enhetsmal["source"]["description"] == "sida 3, rad 1"
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, dump_schema(), cls=jsonschema.Draft202012Validator)


def test_dump_tree_shows_where_each_goal_is_printed() -> None:
    from checker.output.dump_tree import render_tree
    from tests.test_dump import sample_report

    def shown(report: object) -> list[str]:
        stream = io.StringIO()
        make_console(stream, color=False, width=200).print(render_tree(report))  # type: ignore[arg-type]
        return stream.getvalue().splitlines()

    lines = shown(pdf_report())
    goal = next(line for line in lines if "Enhetsmål" in line)
    assert goal.rstrip().endswith("sida 3, rad 1")
    indicator = next(line for line in lines if "Andel nöjda brukare" in line)
    assert indicator.rstrip().endswith("sida 4, rad 2")  # block 31
    assert any("Sammanfattande analys" in line and "sida 1, rad 3" in line for line in lines)
    assert not any("sida " in line for line in shown(sample_report()))  # a .docx's tree is as before


# --- end to end: a report as PDF through watch and dump ---------------------------------


def _malkoll(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Wide enough that no tree line wraps.
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"})


@pytest.fixture(scope="module")
def vb_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Aspudden VB as exported to PDF (fixture builder)."""
    from tests.fixtures import docbuilder as db
    from tests.fixtures.pdfbuilder import build_pdf

    path = tmp_path_factory.mktemp("pdf") / "aspudden_vb2025.pdf"
    build_pdf(db.load_source("aspudden_vb2025"), path, state="export")
    return path


def test_watch_replies_to_a_pdf_with_page_and_line(tmp_path: Path, vb_pdf: Path) -> None:
    folder = tmp_path / "delad"
    folder.mkdir()
    (folder / vb_pdf.name).write_bytes(vb_pdf.read_bytes())
    run = _malkoll("watch", str(folder), "--once", "--settle", "0", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr  # the seed has errors
    assert "aspudden_vb2025.pdf  UNDERKÄND" in run.stdout
    reply = (folder / "granskning" / "aspudden_vb2025.pdf.granskning.txt").read_text(encoding="utf-8-sig")
    assert "Dokument:  Verksamhetsberättelse 2025" in reply
    assert "Var: sida " in reply and "Citat: ”" in reply
    assert "aspudden_vb2025.pdf" in (folder / "granskning" / "sammanstallning.html").read_text(encoding="utf-8")


def test_dump_shows_what_was_read_from_a_pdf(tmp_path: Path, vb_pdf: Path) -> None:
    tree = _malkoll("dump", str(vb_pdf), "--no-color", cwd=tmp_path)
    assert tree.returncode == 0, tree.stderr
    goals = [line for line in tree.stdout.splitlines() if "Enhetsmål" in line]
    assert goals and all("sida " in line for line in goals)
    data = json.loads(_malkoll("dump", str(vb_pdf), "--format", "json", cwd=tmp_path).stdout)
    assert data["kind"] == "verksamhetsberattelse" and data["unit"] == "Aspuddens hemtjänst"
    first = data["children"][0]["source"]
    assert first["page"] >= 1 and first["line"] >= 1 and first["description"].startswith("sida ")
