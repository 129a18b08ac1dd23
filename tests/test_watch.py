"""`malkoll watch`: the shared-folder gate, driven as a coordinator's folder would drive it.

The main test runs `malkoll watch` in a subprocess in polling mode with a
short settle time, and does to the folder what units do before a deadline:
files copied in slowly (in chunks), in bursts, replaced, touched, deleted, a
damaged one among them, and the output folder removed. After each step it
waits (bounded) for the outputs to be right, and at the end checks that every
good file has exactly one up-to-date annotated copy and report and that the
overview lists every file. Ctrl-C ends it cleanly with code 0.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.output.annotate import ANNOTATED_SUFFIX, TEXT_REPORT_SUFFIX
from checker.batch import Job
from checker.findings import Severity
from checker.output.overview import HTML_NAME, XLSX_NAME
from checker.pipeline import FileResult
from checker.reading.report import read_report
from checker.watch import Watcher, WatchOptions, is_complete_docx
from tests.fixtures import docbuilder as db
from tests.test_annotate import report_spec, write_report
from tests.test_overview import parse

REPO = Path(__file__).resolve().parents[1]
WAIT = 30.0  # seconds; generous for a slow shared machine, never reached when things work
SETTLE = "0.6"


class WatchProcess:
    """`malkoll watch` in a subprocess, with its log lines collected as they come."""

    def __init__(self, folder: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "checker", "watch", str(folder), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env, cwd=REPO,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._threads = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.errors), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def checks(self, name: str) -> int:
        """How many times `name` was checked (log lines with a verdict)."""
        verdicts = ("  GODKÄND  ", "  UNDERKÄND  ", "  KUNDE INTE LÄSAS  ")
        return sum(1 for line in list(self.lines) if f"  {name}  " in line and any(v in line for v in verdicts))

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"malkoll watch avslutades ({self.process.returncode}) i väntan på: {what}\n{self.log()}")
            try:
                if predicate():
                    return
            except (OSError, ValueError, KeyError):
                pass  # a file between two states; look again
            time.sleep(0.1)
        pytest.fail(f"tidsgränsen nåddes i väntan på: {what}\n{self.log()}")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"malkoll watch avslutades inte efter Ctrl+C\n{self.log()}")
        finally:
            for thread in self._threads:
                thread.join(5)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return "\n".join(["--- stdout ---", *self.lines, "--- stderr ---", *self.errors[-40:]])


@pytest.fixture
def watching():
    started: list[WatchProcess] = []

    def start(folder: Path, *args: str) -> WatchProcess:
        process = WatchProcess(folder, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def copy_slowly(data: bytes, target: Path, chunks: int = 8, pause: float = 0.15) -> None:
    """Write a file the way a slow network copy does: a piece at a time."""
    size = len(data) // chunks + 1
    with target.open("wb") as handle:
        for start in range(0, len(data), size):
            handle.write(data[start:start + size])
            handle.flush()
            time.sleep(pause)


def replace_like_word(target: Path, data: bytes) -> None:
    """Word saves to a temporary file and renames it over the original."""
    temp = target.with_name("~WRL0001.tmp")
    temp.write_bytes(data)
    os.replace(temp, target)


def docx_bytes(unit: str, **kwargs: object) -> bytes:
    return db.build_docx(report_spec(unit, **kwargs), state="export")  # type: ignore[arg-type]


def outputs_ok(folder: Path, out: Path, units: dict[str, str | None]) -> bool:
    """Every file has its up-to-date outputs (None = unreadable: report only), and the overview lists them all."""
    for name, unit in units.items():
        stem = name[: -len(".docx")]
        copy, text = out / (stem + ANNOTATED_SUFFIX), out / (stem + TEXT_REPORT_SUFFIX)
        if not text.exists():
            return False
        report = text.read_text(encoding="utf-8-sig")
        if unit is None:
            if copy.exists() or "KUNDE INTE LÄSAS" not in report:
                return False
            continue
        if not copy.exists() or f"Enhet:     {unit}" not in report:
            return False
        if read_report(copy).unit != unit:  # the copy is of the current version
            return False
    page = parse((out / HTML_NAME).read_text(encoding="utf-8"))
    return [f["name"] for f in page.files] == sorted(units) and (out / XLSX_NAME).exists()


def test_watch_a_shared_folder_through_a_deadline_week(tmp_path: Path, watching) -> None:
    folder = tmp_path / "Inlämnat"
    folder.mkdir()
    # The folder's malkoll.toml decides the output folder and the rules.
    (folder / "malkoll.toml").write_text('output = "resultat"\nignore = ["IN03"]\n', encoding="utf-8")
    out = folder / "resultat"
    write_report(folder / "a.docx", "Enhet A")
    (folder / "~$a.docx").write_bytes(b"Word lock file")
    (folder / "anteckningar.txt").write_text("inte ett dokument", encoding="utf-8")
    units: dict[str, str | None] = {"a.docx": "Enhet A"}

    watch = watching(folder, "--poll", "--interval", "0.1", "--settle", SETTLE)
    watch.wait_for("den fil som redan fanns", lambda: outputs_ok(folder, out, units))

    # A slow copy, a burst of three, and a damaged file, all at once.
    slow = threading.Thread(target=copy_slowly, args=(docx_bytes("Enhet B", analysis=True), folder / "b.docx"))
    slow.start()
    for i in (1, 2, 3):
        (folder / f"c{i}.docx").write_bytes(docx_bytes(f"Enhet C{i}"))
    (folder / "trasig.docx").write_bytes(b"PK\x03\x04" + os.urandom(3000))
    slow.join()
    units.update({"b.docx": "Enhet B", "c1.docx": "Enhet C1", "c2.docx": "Enhet C2", "c3.docx": "Enhet C3",
                  "trasig.docx": None})
    watch.wait_for("kopieringen, skuren och den trasiga filen", lambda: outputs_ok(folder, out, units))
    assert all(watch.checks(name) == 1 for name in units), watch.log()
    assert "IN03" not in (out / "c1.granskning.txt").read_text(encoding="utf-8-sig")  # ignored in malkoll.toml
    assert "IN01" in (out / "c1.granskning.txt").read_text(encoding="utf-8-sig")

    # A unit saves a new version of its report.
    replace_like_word(folder / "a.docx", docx_bytes("Enhet A2", analysis=True))
    units["a.docx"] = "Enhet A2"
    watch.wait_for("den ersatta filen", lambda: outputs_ok(folder, out, units))
    assert watch.checks("a.docx") == 2

    # Touched, or copied over with the same bytes: not checked again.
    os.utime(folder / "c1.docx")
    (folder / "c3.docx").write_bytes((folder / "c3.docx").read_bytes())
    time.sleep(float(SETTLE) * 4)
    assert watch.checks("c1.docx") == 1 and watch.checks("c3.docx") == 1, watch.log()

    # A file is withdrawn: its outputs and its row go.
    (folder / "c2.docx").unlink()
    del units["c2.docx"]
    watch.wait_for("den borttagna filen", lambda: outputs_ok(folder, out, units)
                   and not (out / "c2.granskning.docx").exists() and not (out / "c2.granskning.txt").exists())

    # Someone tidies away the output folder: it comes back, complete.
    shutil.rmtree(out, ignore_errors=True)  # the watcher may be writing in it right now
    watch.wait_for("den återskapade utdatamappen", lambda: outputs_ok(folder, out, units))

    # A file that disappears again right after it arrived leaves nothing behind.
    (folder / "d.docx").write_bytes(docx_bytes("Enhet D"))
    time.sleep(float(SETTLE))
    (folder / "d.docx").unlink()
    time.sleep(float(SETTLE) * 3)
    watch.wait_for("att d.docx är borta", lambda: outputs_ok(folder, out, units))

    code = watch.interrupt()
    assert code == 0, watch.log()
    assert watch.lines[-1] == "Bevakningen avslutades. Hej då!"
    assert not any("Traceback" in line for line in watch.errors), watch.log()

    # Exactly one copy and one report per file, nothing else (no temporary files).
    expected = {HTML_NAME, XLSX_NAME}
    for name, unit in units.items():
        stem = name[: -len(".docx")]
        expected.add(stem + TEXT_REPORT_SUFFIX)
        if unit is not None:
            expected.add(stem + ANNOTATED_SUFFIX)
    assert {p.name for p in out.iterdir()} == expected
    from openpyxl import load_workbook

    rows = list(load_workbook(out / XLSX_NAME)["Filer"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == sorted(units)
    # The workbook says what each file's text report says.
    for row in rows:
        report = (out / (row[0][: -len(".docx")] + TEXT_REPORT_SUFFIX)).read_text(encoding="utf-8-sig")
        assert f"Resultat:  {row[7]}" in report
        assert (row[7] == "KUNDE INTE LÄSAS") == (units[row[0]] is None)
    # One log line per check: time stamp, file, result.
    for line in watch.lines:
        if "  UNDERKÄND  " in line or "  GODKÄND  " in line:
            assert line[:4].isdigit() and line[10] == " " and line[13] == ":"


def test_watch_with_file_events(tmp_path: Path, watching) -> None:
    folder = tmp_path / "delad"
    folder.mkdir()
    watch = watching(folder, "--settle", "0.4")
    watch.wait_for("start", lambda: any(line.startswith("Bevakar") for line in watch.lines))
    assert "filhändelser" in watch.lines[0] or "läses av" in " ".join(watch.lines)
    write_report(folder / "sub" / "ny.docx", "Enhet N")
    out = folder / "granskning"
    watch.wait_for("den nya filen", lambda: (out / "sub" / "ny.granskning.docx").exists()
                   and (out / "sub" / "ny.granskning.txt").exists() and "sub/ny.docx" in (out / HTML_NAME).read_text("utf-8"))
    watch.process.send_signal(signal.SIGTERM)
    assert watch.process.wait(WAIT) == 0
    assert "Hej då" in " ".join(watch.lines)


def test_watch_once_checks_what_is_there_and_exits(tmp_path: Path) -> None:
    folder = tmp_path / "mapp"
    write_report(folder / "a.docx", "Enhet A", analysis=True)
    (folder / "b.docx").write_bytes(b"")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "checker", "watch", str(folder), "--once", "--settle", "0.2"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert done.returncode == 1, done.stdout + done.stderr  # b.docx could not be read
    out = folder / "granskning"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["a.granskning.docx", "a.granskning.txt", "b.granskning.txt", HTML_NAME, XLSX_NAME])
    assert "a.docx  GODKÄND  0 fel" in done.stdout and "b.docx  KUNDE INTE LÄSAS" in done.stdout


def test_watch_refuses_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    assert main(["watch", str(tmp_path / "finns-inte")]) == 2
    assert "Mappen finns inte" in capsys.readouterr().err


# --- in-process: the cases that need exact timing -------------------------------------------


class FakeRunner:
    """Checks nothing; lets a test do something to the folder while a file is "being checked"."""

    def __init__(self, during: Callable[[Path], None] = lambda path: None) -> None:
        self.during = during
        self.jobs: list[Job] = []

    def run(self, jobs):
        for job in jobs:
            self.jobs.append(job)
            self.during(job.path)
            yield FileResult(job.path, None, error="testfil")


def make_watcher(folder: Path, runner: object, log: list[str]) -> Watcher:
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", fail_level=Severity.ERROR, settle=0.0,
                           poll=True, once=True)
    return Watcher(options, runner, log=log.append)  # type: ignore[arg-type]


def test_a_file_deleted_mid_check_is_forgotten(tmp_path: Path) -> None:
    path = write_report(tmp_path / "a.docx")
    log: list[str] = []
    watcher = make_watcher(tmp_path, FakeRunner(during=lambda p: p.unlink()), log)
    watcher.run()
    assert not (tmp_path / "granskning" / "a.granskning.txt").exists()
    assert any("filen försvann under granskningen" in line for line in log)
    assert path.name not in (tmp_path / "granskning" / HTML_NAME).read_text(encoding="utf-8")


def test_a_file_changed_mid_check_is_checked_again(tmp_path: Path) -> None:
    path = write_report(tmp_path / "a.docx", "Enhet A")
    changed = []

    def change_once(p: Path) -> None:
        if not changed:
            changed.append(p)
            p.write_bytes(docx_bytes("Enhet B"))

    runner = FakeRunner(during=change_once)
    watcher = make_watcher(tmp_path, runner, [])
    watcher.run()
    assert [job.path for job in runner.jobs] == [path, path]


def test_watchdog_failure_falls_back_to_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import watchdog.observers

    class Broken:
        def __init__(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers, "Observer", Broken)
    log: list[str] = []
    watcher = make_watcher(tmp_path, FakeRunner(), log)
    watcher._start_observer()
    assert watcher._observer is None
    assert "Filhändelser kan inte bevakas här" in log[0] and "läses av i stället" in log[0]


def test_complete_docx_check() -> None:
    data = docx_bytes("Enhet X")
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    assert is_complete_docx(REPO / "reports" / "aspudden_vb2025_export.docx")
    half = tmp / f"malkoll-halv-{os.getpid()}.docx"
    try:
        half.write_bytes(data[: len(data) // 2])
        assert not is_complete_docx(half)
    finally:
        half.unlink(missing_ok=True)


def test_a_dead_observer_is_replaced_by_polling(tmp_path: Path) -> None:
    class DeadObserver:
        def is_alive(self) -> bool:
            return False

        def stop(self) -> None:
            pass

        def join(self, timeout: float | None = None) -> None:
            pass

    log: list[str] = []
    watcher = make_watcher(tmp_path, FakeRunner(), log)
    watcher._observer = DeadObserver()
    watcher._sleep()
    assert watcher._observer is None and "Filhändelserna slutade fungera" in log[0]
