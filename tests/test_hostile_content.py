"""Document text that attacks the outputs (issue 6): HTML and JavaScript, spreadsheet formulas, terminal
escape sequences and right-to-left overrides, in the text and in the file names.

A real report is built with that text in its goal title and unit (control
characters, which XML text cannot hold, arrive as Word symbol glyphs, the
way a document can really carry them) and two file names carry escapes and
a formula. It is checked end to end into every output format: terminal
(plain and coloured), JSON, SARIF, JUnit, the overview's HTML page and
workbook, the annotated copy's comments, and the watch's log and
.granskning.txt. Each output must keep the text as text: nothing that runs,
no formula, no escape sequence, no override — and the data formats must
still carry the text faithfully once parsed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import hostile_inputs as h
from tests.fixtures import docbuilder as db
from tests.test_annotate import report_spec

# Short enough that a message quoting the whole title ({titel}) is not cut before the end.
HTML = "&lt;script&gt;alert(1)&lt;/script&gt;"
SHOWN_HTML = "<script>alert(1)</script>"
GOAL = f"{h.DDE} §ESC§[2J{h.RTL}§CSI§31m {{titel}} {HTML}"
UNIT = "Aspuddens hemtjänst"
NAMES = ["rapport \x1b]0;kapad\x07\x1b[2J.docx", "=SUMMA(A1)+cmd|' calc'!A0.docx"]
# What must never reach a person's screen, whatever the format.
ACTIVE = ["\x1b", "\x9b", "\x07", "\u202e", "\u202c"]


@dataclass
class Outputs:
    folder: Path
    out: Path
    terminal: str
    coloured: str
    json_text: str
    sarif_text: str
    junit_text: str
    watch_log: str
    codes: list[int]


_run = h.run_in_process


def hostile_document() -> bytes:
    data = db.build_docx(report_spec(UNIT, goal=GOAL))
    data = h.with_symbol(data, "§ESC§", "001B")
    return h.with_symbol(data, "§CSI§", "009B")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    base = tmp_path_factory.mktemp("innehall")
    folder, out = base / "in", base / "ut"
    folder.mkdir()
    out.mkdir()
    document = hostile_document()
    for name in NAMES:
        (folder / name).write_bytes(document)
    before = h.snapshot(folder)
    common = [str(folder), "--timeout", "0"]
    codes = []
    code, terminal, _ = _run("check", *common, "--no-color")
    codes.append(code)
    code, coloured, _ = _run("check", *common, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    codes.append(code)
    for fmt, target in (("json", "r.json"), ("sarif", "r.sarif"), ("junit", "r.xml")):
        extra = ["--annotate", str(out / "kopior"), "--overview", str(out / "oversikt")] if fmt == "json" else []
        code, _, _ = _run("check", *common, "--format", fmt, "-o", str(out / target), *extra)
        codes.append(code)
    watch = h.run_malkoll("watch", str(folder), "--once", "--settle", "0", "-o", str(out / "bevakning"))
    codes.append(watch.returncode)
    assert h.snapshot(folder) == before
    texts = [(out / name).read_text(encoding="utf-8") for name in ("r.json", "r.sarif", "r.xml")]
    return Outputs(folder, out, terminal, coloured, *texts, watch.stdout + watch.stderr, codes)


def _assert_inert(text: str, where: str) -> None:
    for char in ACTIVE:
        assert char not in text, f"{where}: {char!r}"


def test_every_run_checked_both_files(outputs: Outputs) -> None:
    assert outputs.codes == [1] * 6  # VB03 and IN01 are errors in this report: UNDERKÄND, not unreadable
    assert "KUNDE INTE LÄSAS" not in outputs.terminal and "KUNDE INTE LÄSAS" not in outputs.watch_log


def test_terminal_shows_the_text_but_nothing_acts_on_the_terminal(outputs: Outputs) -> None:
    _assert_inert(outputs.terminal, "terminal")
    assert "+cmd|' /C calc'!A0" in outputs.terminal and "{titel}" in outputs.terminal
    assert "rapport ]0;kapad" not in outputs.terminal  # the whole escape sequence is gone, not just ESC
    # With colour on, the only escapes are rich's own colour codes (ESC [ … m).
    assert "\x1b]" not in outputs.coloured and "\x1b[2J" not in outputs.coloured and "\x07" not in outputs.coloured
    assert not re.findall(r"\x1b\[[0-9;]*[^0-9;m]", outputs.coloured)
    assert "\u202e" not in outputs.coloured and "\x9b" not in outputs.coloured


def test_json_and_sarif_parse_to_the_same_text_but_show_no_control_characters(outputs: Outputs) -> None:
    for name, text in (("json", outputs.json_text), ("sarif", outputs.sarif_text)):
        _assert_inert(text, name)  # ESC, CSI and overrides are written as \\u escapes
    data = json.loads(outputs.json_text)
    messages = [f["message"] for file in data["files"] for f in file["findings"]]
    assert any("\u202e" in m and "\x1b" in m and "+cmd|" in m for m in messages)  # faithful data
    assert {Path(f["path"]).name for f in data["files"]} == set(NAMES)
    sarif = json.loads(outputs.sarif_text)
    assert any("\u202e" in r["message"]["text"] for r in sarif["runs"][0]["results"])


def test_junit_is_well_formed_xml_without_controls_or_overrides(outputs: Outputs) -> None:
    root = ET.fromstring(outputs.junit_text)
    _assert_inert(outputs.junit_text, "junit")
    texts = " ".join(root.itertext()) + " ".join(v for e in root.iter() for v in e.attrib.values())
    assert "+cmd|' /C calc'!A0" in texts and SHOWN_HTML in texts  # text, escaped by the XML writer


def test_overview_page_runs_nothing_from_the_document(outputs: Outputs) -> None:
    page = (outputs.out / "oversikt" / "sammanstallning.html").read_text(encoding="utf-8")
    _assert_inert(page, "html")
    template = (h.REPO / "checker" / "output" / "overview" / "template.html").read_text(encoding="utf-8")
    assert page.count("<script") == template.count("<script")  # only the page's own script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_workbook_has_no_formula_and_no_control_characters(outputs: Outputs) -> None:
    from openpyxl import load_workbook

    path = outputs.out / "oversikt" / "sammanstallning.xlsx"
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    workbook = load_workbook(path)
    risky = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    _assert_inert(cell.value, f"xlsx {cell.coordinate}")
                    assert cell.data_type == "s"
                    if cell.value.lstrip()[:1] in ("=", "+", "-", "@"):
                        risky += 1
                        assert cell.quotePrefix, cell.coordinate  # shown as text even when edited
    assert risky >= 2  # the file name and the goal both start like a formula


def test_annotated_copy_has_the_text_as_comments_only(outputs: Outputs) -> None:
    import docx

    for name in NAMES:
        copy = outputs.out / "kopior" / (name[: -len(".docx")] + ".granskning.docx")
        comments = [c.text for c in docx.Document(str(copy)).comments]
        assert any("+cmd|' /C calc'!A0" in c and SHOWN_HTML in c for c in comments)
        for comment in comments:
            _assert_inert(comment, "kommentar")
        with zipfile.ZipFile(copy) as archive:
            rels = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".rels"))
        assert b'TargetMode="External"' not in rels  # no link was made out of the text


def test_watch_log_and_text_reports(outputs: Outputs) -> None:
    _assert_inert(outputs.watch_log, "logg")
    reports = sorted((outputs.out / "bevakning").glob("*.granskning.txt"))
    assert len(reports) == 2
    for report in reports:
        text = report.read_text(encoding="utf-8-sig")
        _assert_inert(text, report.name)
        assert "+cmd|' /C calc'!A0" in text


def test_nothing_is_written_outside_the_output_folder(outputs: Outputs) -> None:
    assert sorted(p.name for p in outputs.folder.iterdir()) == sorted(NAMES)


@pytest.mark.parametrize("colour", [False, True], ids=["utan-färg", "med-färg"])
@pytest.mark.parametrize("command", ["thread", "thread --matchningar", "thread --format json", "dump", "dump --thread",
                                     "dump --format json"])
def test_thread_and_dump_views_are_inert(outputs: Outputs, command: str, colour: bool) -> None:
    """The other commands that show document text: only rich's colour codes ever reach the terminal."""
    words = command.split()
    target = str(outputs.folder / NAMES[0]) if words[0] == "dump" else str(outputs.folder)
    env = {"FORCE_COLOR": "1", "NO_COLOR": ""} if colour else {"NO_COLOR": "1"}
    code, out, err = _run(words[0], target, *words[1:], env=env)
    assert code == 0, err
    without_colour = re.sub(r"\x1b\[[0-9;]*m", "", out)
    _assert_inert(without_colour + err, command)
    assert "+cmd|' /C calc'!A0" in out
