"""The thread rules in a batch: threads run in the workers, results are held on disk and stream back in order.

Workers are forked from the test process, so a reader monkeypatched here is
the one the workers use: that is how a document that breaks between the
first read and the thread stage, a thread that hangs and a worker that dies
are simulated. No test asserts speed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import checker.engine
import checker.reading.report
import checker.threads.stage as stage_module
from checker.cli import main
from tests.fixtures import docbuilder as db
from tests.test_threads import (
    EXPECTED_DRIFT,
    FILES,
    clean_thread,
    drifted_thread,
    replace_text,
    write_thread,
)

ROLE_OF = {name: role for role, name in FILES.items()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three threads (two drifted units of 2025, a clean 2024 plan and report) and an unrelated document."""
    root = tmp_path_factory.mktemp("Inlamnat")
    drifted = drifted_thread()
    write_thread(drifted, root / "Aspudden")
    write_thread({role: replace_text(spec, "Aspuddens hemtjänst", "Bagarmossens hemtjänst")
                  for role, spec in drifted.items()}, root / "Bagarmossen", state="hand")
    clean = clean_thread()
    write_thread({role: replace_text(clean[role], "2025", "2024") for role in ("VP", "VB")}, root / "Aspudden 2024")
    db.build_docx(db.DocSpec().para("Protokoll från arbetsplatsträff"), root / "protokoll.docx")
    return root


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["check", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, comparable(json.loads(out)), err


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON without the times (when each file was checked, how long it took)."""
    for entry in data["files"]:
        entry.pop("checked_at", None)
        entry.pop("elapsed", None)
    return data


def thread_findings(data: dict[str, Any], unit_folder: str) -> set[tuple[str, str, str]]:
    return {
        (ROLE_OF[Path(entry["path"]).name], finding["rule"], finding["target"])
        for entry in data["files"]
        if Path(entry["path"]).parent.name == unit_folder
        for finding in entry["findings"]
        if finding["rule"].startswith("TR")
    }


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{Path(e['path']).parent.name}/{Path(e['path']).name}": e for e in data["files"]}


# --- the same findings however the work is spread ------------------------------------------------


def test_thread_findings_are_the_same_with_one_and_two_workers_and_in_process(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = {}
    for name, options in {"here": ["--jobs", "1", "--timeout", "0"], "one": ["--jobs", "1"],
                          "two": ["--jobs", "2"]}.items():
        code, data, err = check_json(capsys, str(folder), *options, "--overview", str(tmp_path / name))
        assert code == 1, err
        runs[name] = data
    assert runs["one"] == runs["here"]
    assert runs["two"] == runs["here"]
    data = runs["two"]
    assert thread_findings(data, "Aspudden") == EXPECTED_DRIFT
    assert thread_findings(data, "Bagarmossen") == EXPECTED_DRIFT
    assert thread_findings(data, "Aspudden 2024") == set()
    from checker.discovery import discover

    assert [e["path"] for e in data["files"]] == [str(p) for p in discover([folder]).files]  # the order found in
    sections = {name: _thread_section(tmp_path / name) for name in runs}
    assert sections["one"] == sections["here"] == sections["two"]
    for caption in ("Aspuddens hemtjänst 2024", "Aspuddens hemtjänst 2025", "Bagarmossens hemtjänst 2025"):
        assert f"<h3>{caption}</h3>" in sections["two"]


def _thread_section(overview: Path) -> str:
    page = (overview / "sammanstallning.html").read_text(encoding="utf-8")
    return page[page.index('<section class="trad">'):page.index("</section>", page.index('<section class="trad">'))]


# --- one thread's trouble costs nobody their own results ----------------------------------------


def breaking_reader(original: Any, name: str) -> Any:
    """Reads normally, but destroys `name` (a path ending) right after its first read."""

    def reader(path: Path) -> Any:
        report = original(path)
        if path.as_posix().endswith(name):
            path.write_bytes(b"inte langre ett Word-dokument")
        return report

    return reader


@pytest.fixture
def read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """No report is kept from the first pass, so the thread stage reads every document again.

    That is what happens when a worker cannot write its report (a full temp
    disk): the tests below make the second reading fail in different ways.
    """
    import checker.threads.kept

    monkeypatch.setattr(checker.threads.kept, "keep", lambda folder, path, report: None)


def test_the_thread_stage_reads_no_document_a_second_time(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first pass keeps each full report for the threads; the findings are those of reading again."""
    import checker.threads.kept

    reads: list[str] = []
    original = checker.reading.report.read_report

    def counting(path: Path) -> Any:
        reads.append(Path(path).as_posix())
        return original(path)

    monkeypatch.setattr(checker.reading.report, "read_report", counting)
    here = ["--jobs", "1", "--timeout", "0"]  # in this process, so every reading is counted
    _, kept, _ = check_json(capsys, str(folder), *here)
    assert len(reads) == len(kept["files"]) == len(set(reads))
    reads.clear()
    with monkeypatch.context() as patched:
        patched.setattr(checker.threads.kept, "keep", lambda folder, path, report: None)
        _, again, _ = check_json(capsys, str(folder), *here)
    assert len(reads) > len(again["files"])  # the documents of the threads were read twice
    assert kept == again
    assert thread_findings(kept, "Aspudden") == EXPECTED_DRIFT


@pytest.mark.parametrize("jobs", [["--jobs", "1", "--timeout", "0"], ["--jobs", "2"]])
def test_a_document_that_breaks_before_the_thread_stage_keeps_its_own_result(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    jobs: list[str], caplog: pytest.LogCaptureFixture, read_again: None,
) -> None:
    copy = tmp_path / "in"
    shutil.copytree(folder, copy)
    _, expected, _ = check_json(capsys, str(copy), *jobs)
    monkeypatch.setattr(checker.reading.report, "read_report", breaking_reader(checker.reading.report.read_report, "Bagarmossen/vp.docx"))
    _, data, _ = check_json(capsys, str(copy), *jobs)
    got, before = by_name(data), by_name(expected)
    assert list(got) == list(before)
    assert all(entry["error"] is None for entry in got.values())
    # The broken plan keeps the findings of its own check, and says why the thread went without it.
    assert got["Bagarmossen/vp.docx"]["findings"] == before["Bagarmossen/vp.docx"]["findings"]
    [note] = got["Bagarmossen/vp.docx"]["notes"]
    assert note.startswith("Dokumentet kunde inte läsas en gång till för trådreglerna")
    assert "Bagarmossens hemtjänst 2025" in note
    assert "kunde inte läsas för trådreglerna" in caplog.text
    # The other threads are untouched.
    for name in got:
        if not name.startswith("Bagarmossen/"):
            assert got[name] == before[name], name
    # The rest of its thread is still compared (without the plan) and keeps its own findings.
    for role in ("t1", "t2", "vb"):
        own = [f for f in before[f"Bagarmossen/{role}.docx"]["findings"] if not f["rule"].startswith("TR")]
        assert [f for f in got[f"Bagarmossen/{role}.docx"]["findings"] if not f["rule"].startswith("TR")] == own


def failing_reader(original: Any, name: str, seen: Path, how: str) -> Any:
    """Reads `name` once normally; the second time (the thread stage) the worker dies or hangs."""

    def reader(path: Path) -> Any:
        if path.as_posix().endswith(name):
            marker = seen / "read-once"
            if marker.exists():
                if how == "crash":
                    os._exit(7)
                time.sleep(120)
            marker.touch()
        return original(path)

    return reader


@pytest.mark.parametrize("how", ["crash", "hang"])
def test_a_thread_whose_worker_dies_or_hangs_costs_only_its_thread_rules(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str,
    caplog: pytest.LogCaptureFixture, read_again: None,
) -> None:
    _, expected, _ = check_json(capsys, str(folder), "--jobs", "2")
    seen = tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setattr(checker.reading.report, "read_report",
                        failing_reader(checker.reading.report.read_report, "Aspudden 2024/vb.docx", seen, how))
    started = time.monotonic()
    _, data, _ = check_json(capsys, str(folder), "--jobs", "2", "--timeout", "3")
    assert time.monotonic() - started < 100  # far below the 120 s the thread would hang
    got, before = by_name(data), by_name(expected)
    assert list(got) == list(before)
    assert all(entry["error"] is None for entry in got.values())
    why = "avslutades oväntat" if how == "crash" else "avbröts efter 6 sekunder"  # 2 documents × 3 s
    for name in ("Aspudden 2024/vp.docx", "Aspudden 2024/vb.docx"):
        assert got[name]["findings"] == before[name]["findings"]  # this thread has no thread findings anyway
        [note] = got[name]["notes"]
        assert note.startswith("Trådreglerna (TR…) för Aspuddens hemtjänst 2024") and why in note
    assert why in caplog.text
    for name in got:
        if not name.startswith("Aspudden 2024/"):
            assert got[name] == before[name], name


def test_a_fault_in_the_thread_rules_costs_only_that_thread(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    _, expected, _ = check_json(capsys, str(folder), "--jobs", "1", "--timeout", "0")
    original = checker.engine.check_thread

    def check_thread(report: Any, rules: Any, links: Any) -> Any:
        if report.unit == "Bagarmossens hemtjänst":
            raise RuntimeError("fel i Målkoll")
        return original(report, rules, links)

    monkeypatch.setattr(checker.engine, "check_thread", check_thread)
    _, data, _ = check_json(capsys, str(folder), "--jobs", "1", "--timeout", "0")
    got, before = by_name(data), by_name(expected)
    for name in got:
        if name.startswith("Bagarmossen/"):
            assert got[name]["findings"] == [f for f in before[name]["findings"] if not f["rule"].startswith("TR")]
            assert got[name]["notes"] == [
                ("Trådreglerna (TR…) för Bagarmossens hemtjänst 2025 kunde inte prövas (internt fel i Målkoll: "
                 "RuntimeError). Dokumentet har granskats på egen hand.")
            ]
        else:
            assert got[name] == before[name], name
    assert "Trådreglerna kunde inte prövas på Bagarmossens hemtjänst 2025" in caplog.text


# --- the held results are deleted ----------------------------------------------------------------


@pytest.fixture
def spills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Any]]:
    """Every temporary file the stage opens, in a temp folder of the test's own."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    opened: list[Any] = []
    original = stage_module._temporary

    def temporary() -> Any:
        opened.append(original())
        return opened[-1]

    monkeypatch.setattr(stage_module, "_temporary", temporary)
    return temp, opened


def test_the_held_results_are_deleted_after_the_run(
    folder: Path, spills: tuple[Path, list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    temp, opened = spills
    _, data, _ = check_json(capsys, str(folder), "--jobs", "2")
    assert len(data["files"]) == 11
    assert len(opened) == 2  # the results, and the thread findings
    assert all(f.closed for f in opened)
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("when", ["reading", "writing"])
def test_the_held_results_are_deleted_after_an_interruption(
    folder: Path, spills: tuple[Path, list[Any]], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], when: str,
) -> None:
    """Ctrl-C while the folder is read, and an error while the results are written out."""
    temp, opened = spills
    import checker.session
    from checker.output.json_report import JsonReporter

    if when == "reading":
        original_results = checker.session._results

        def results(found: Any, results: Any) -> Any:
            for number, result in enumerate(original_results(found, results)):
                if number == 3:
                    raise KeyboardInterrupt
                yield result

        monkeypatch.setattr(checker.session, "_results", results)
    else:
        def broken(self: Any, result: Any, summary: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(JsonReporter, "file", broken)
    code = main(["check", str(folder), "--format", "json", "--jobs", "2"])
    capsys.readouterr()
    assert code != 0
    assert opened and all(f.closed for f in opened)
    assert list(temp.iterdir()) == []


def test_a_kept_report_is_taken_once_and_a_damaged_one_is_read_again(tmp_path: Path) -> None:
    from checker.threads.kept import KeptReports, keep, reader_preferring_kept

    document = Path(__file__).resolve().parent.parent / "reports" / "aspudden_vb2025_export.docx"
    report = checker.reading.report.read_report(document)
    store = KeptReports()
    try:
        assert store.folder.stat().st_mode & 0o077 == 0  # only the user can look inside
        read_from_document: list[Path] = []

        def fallback(path: Path) -> Any:
            read_from_document.append(path)
            return checker.reading.report.read_report(path)

        read = reader_preferring_kept(store.folder, fallback)
        keep(store.folder, document, report)
        assert read(document) == report and read_from_document == []
        assert list(store.folder.iterdir()) == []  # taken: a document is in one thread only
        assert read(document) == report and read_from_document == [document]
        keep(store.folder, document, report)
        [kept] = list(store.folder.iterdir())
        kept.write_bytes(b"trasig")
        assert read(document) == report and read_from_document == [document, document]
    finally:
        store.close()
    assert not store.folder.exists()


def test_the_progress_bar_counts_the_threads_once_the_files_are_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bar that sat at 11/11 while the threads were compared looked like a hang."""
    import contextlib

    import checker.session

    steps: list[Any] = []

    class Bar:
        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def paused(self) -> Any:
            return contextlib.nullcontext()

        def advance(self) -> None:
            steps.append("+")

        def threads(self, total: int) -> None:
            steps.append(total)

    monkeypatch.setattr(checker.session, "_progress", lambda display, total: Bar())
    _, data, _ = check_json(capsys, str(folder), "--jobs", "2")
    files = len(data["files"])
    assert steps[:files] == ["+"] * files
    threads = steps[files]
    assert threads == 3  # Aspudden 2024, Aspudden 2025, Bagarmossen 2025
    assert steps[files + 1:] == ["+"] * threads


@pytest.mark.parametrize("jobs", [["--jobs", "1", "--timeout", "0"], ["--jobs", "2"]])
def test_annotated_copies_carry_the_thread_findings(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: list[str]
) -> None:
    """The copies are written by the workers, then written again (also by the workers) with the TR findings."""
    import docx

    out = tmp_path / "kopior"
    _, data, _ = check_json(capsys, str(folder), *jobs, "--annotate", str(out))
    checked = by_name(data)
    with_threads = [name for name, entry in checked.items()
                    if any(f["rule"].startswith("TR") for f in entry["findings"])]
    assert with_threads
    for name, entry in checked.items():
        copy = (out / Path(entry["path"]).relative_to(folder)).with_suffix(".granskning.docx")
        comments = " ".join(c.text for c in docx.Document(str(copy)).comments)
        rules = {f["rule"] for f in entry["findings"]}
        assert all(rule in comments for rule in rules), name  # own findings and thread findings alike


def test_without_a_temp_folder_for_kept_reports_the_threads_read_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import checker.threads.kept

    def no_room() -> None:
        raise OSError(28, "No space left on device")

    _, expected, _ = check_json(capsys, str(folder), "--jobs", "2")
    monkeypatch.setattr(checker.threads.kept.tempfile, "mkdtemp", lambda **kwargs: no_room())
    _, data, _ = check_json(capsys, str(folder), "--jobs", "2")
    assert data == expected
