"""Batch runs: worker processes, the per-file time limit, order, and which files are checked.

Workers are forked from the test process, so a reader monkeypatched here is
the one the workers use: that is how a "pathological" file (one that hangs)
and a crashing worker are simulated. No test asserts speed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import checker.reading.report
from checker.batch import (
    Job,
    ProgressBar,
    Runner,
    RuleSpec,
    exclude_outputs,
    format_seconds,
    progress_wanted,
    resolve_jobs,
    timeout_message,
)
from checker.cli import main
from checker.config import ConfigError, load_config
from checker.discovery import discover
from checker.engine import default_rules_dir, load_rules
from checker.findings import Severity
from tests.test_annotate import write_report

REPORTS = Path(__file__).resolve().parents[1] / "reports"
SPEC = RuleSpec((default_rules_dir(),))


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def summary(results) -> list[tuple[str, str | None, list[tuple[str, int | None]]]]:
    return [
        (r.path.name, r.error, [(f.rule, f.location.source.block if f.location.source else None) for f in r.findings])
        for r in results
    ]


# --- results: the same in every mode, in order ----------------------------------------------


def test_workers_give_the_same_results_in_the_same_order(catalog) -> None:
    paths = sorted(REPORTS.glob("*.docx"))
    with Runner(catalog, SPEC, jobs=1, timeout=0) as here:
        assert here.in_process
        expected = summary(here.run(Job(p) for p in paths))
    with Runner(catalog, SPEC, jobs=2, timeout=60) as pool:
        got = summary(pool.run(Job(p) for p in paths))
    assert got == expected
    assert [name for name, _, _ in got] == [p.name for p in paths]


def test_results_carry_a_small_report_and_the_time_checked(catalog) -> None:
    path = REPORTS / "aspudden_vb2025_export.docx"
    with Runner(catalog, SPEC, jobs=1, timeout=60) as runner:
        (result,) = list(runner.run([Job(path)]))
    assert result.report is not None
    assert (result.report.unit, result.report.kind, result.report.year) == ("Aspuddens hemtjänst", "verksamhetsberattelse", 2025)
    assert result.report.inriktningsmal == [] and result.report.sections == []  # the tree stays in the worker
    assert result.checked_at is not None and result.checked_at.tzinfo is not None


def test_a_worker_loading_rules_itself_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spawned worker (used when threads make forking unsafe) loads the rules from the spec."""
    import multiprocessing

    import checker.batch

    monkeypatch.setattr(checker.batch, "_context", lambda: (multiprocessing.get_context("spawn"), False))
    path = write_report(tmp_path / "a.docx")
    with Runner(None, SPEC, jobs=1, timeout=120) as runner:
        (result,) = list(runner.run([Job(path)]))
    assert result.error is None and {f.rule for f in result.findings} >= {"VB03"}


def test_only_a_few_jobs_are_taken_ahead_of_the_results(catalog, tmp_path: Path) -> None:
    path = write_report(tmp_path / "a.docx")
    taken = 0

    def jobs():
        nonlocal taken
        for _ in range(40):
            taken += 1
            yield Job(path)

    with Runner(catalog, SPEC, jobs=2, timeout=60) as runner:
        results = runner.run(jobs())
        next(results)
        assert taken <= 2 * 4 + 1  # memory stays flat: not all 40 are queued
        assert len(list(results)) == 39


# --- the time limit and crashing workers -------------------------------------------------------


def slow_or_crashing_reader(original):
    def reader(path: Path):
        if "seg" in path.name:
            time.sleep(60)
        if "krasch" in path.name:
            os._exit(7)
        return original(path)

    return reader


def test_a_file_over_the_time_limit_is_unreadable_and_the_run_goes_on(
    catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checker.reading.report, "read_report", slow_or_crashing_reader(checker.reading.report.read_report))
    good = write_report(tmp_path / "a_bra.docx")
    slow = write_report(tmp_path / "b_seg.docx")
    after = write_report(tmp_path / "c_bra.docx")
    started = time.monotonic()
    with Runner(catalog, SPEC, jobs=1, timeout=1) as runner:
        results = list(runner.run([Job(good), Job(slow), Job(after)]))
        workers = [w.process for w in runner._workers]
    assert time.monotonic() - started < 45  # far below the 60 s the file would take
    assert [r.path.name for r in results] == ["a_bra.docx", "b_seg.docx", "c_bra.docx"]
    assert results[0].error is None and results[2].error is None
    assert results[1].error == timeout_message(1) and not results[1].internal
    assert "granskningen avbröts efter 1 sekund" in results[1].error
    assert not any(p.is_alive() for p in workers)


def test_a_crashing_worker_takes_only_its_own_file(catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker.reading.report, "read_report", slow_or_crashing_reader(checker.reading.report.read_report))
    paths = [write_report(tmp_path / name) for name in ("a.docx", "b_krasch.docx", "c.docx", "d.docx")]
    with Runner(catalog, SPEC, jobs=2, timeout=60) as runner:
        results = list(runner.run(Job(p) for p in paths))
    assert [r.error is None for r in results] == [True, False, True, True]
    assert results[1].internal and "avslutades oväntat" in results[1].error


def test_time_limit_through_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(checker.reading.report, "read_report", slow_or_crashing_reader(checker.reading.report.read_report))
    write_report(tmp_path / "a.docx")
    write_report(tmp_path / "b_seg.docx")
    (tmp_path / "malkoll.toml").write_text("timeout = 1\n", encoding="utf-8")
    code = main(["check", str(tmp_path), "--format", "json", "--jobs", "2"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    by_name = {Path(f["path"]).name: f for f in out["files"]}
    assert by_name["b_seg.docx"]["error"].startswith("granskningen avbröts efter 1 sekund")
    assert by_name["a.docx"]["error"] is None and out["summary"]["unreadable"] == 1


# --- command line and configuration -------------------------------------------------------------


def test_jobs_option_gives_identical_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for jobs in ("1", "2", "0"):
        main(["check", str(REPORTS), "--format", "json", "--jobs", jobs])
        outputs.append(json.loads(capsys.readouterr().out)["files"])
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--jobs", "-1"], "antalet får inte vara negativt"),
        (["--jobs", "två"], "är inte ett heltal"),
        (["--timeout", "snart"], "är inte ett antal sekunder"),
        (["--timeout", "-5"], "får inte vara negativt"),
    ],
)
def test_bad_batch_options_exit_2_in_swedish(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert main(["check", str(REPORTS), *argv]) == 2
    assert expected in capsys.readouterr().err


def test_timeout_setting_in_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "malkoll.toml"
    path.write_text("timeout = 30\noutput = \"granskning\"\n", encoding="utf-8")
    config = load_config(path)
    assert config.timeout == 30.0 and config.output == (tmp_path / "granskning").resolve()
    for bad in ("timeout = -1\n", "timeout = \"lång\"\n", "timeout = true\n", "timeout = nan\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match="ska vara ett tal som inte är negativt"):
            load_config(path)


def test_resolve_jobs_and_seconds() -> None:
    assert resolve_jobs(3) == 3 and resolve_jobs(0) >= 1
    assert format_seconds(120) == "120 sekunder" and format_seconds(1) == "1 sekund"
    assert format_seconds(2.5) == "2,5 sekunder"


# --- which files ----------------------------------------------------------------------------------


def test_lock_temp_and_own_output_files_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "Inlämnat"
    for name in ("a.docx", "sub/b.docx", "~$a.docx", "~WRL0001.docx", ".dold.docx", "x.tmp.docx",
                 "a.granskning.docx", "granskning/sub/b.granskning.docx", "granskning/c.docx", "a.granskning.txt"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    found = discover([folder]).files
    kept = exclude_outputs(found, [folder], [folder / "granskning"])
    assert [p.relative_to(folder).as_posix() for p in kept] == ["a.docx", "sub/b.docx"]
    # A file named explicitly is checked whatever its name.
    explicit = folder / "a.granskning.docx"
    assert exclude_outputs([explicit], [explicit], [folder]) == [explicit]


def test_progress_bar_only_on_a_terminal_and_for_more_than_a_few_files(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delenv("MALKOLL_NO_PROGRESS", raising=False)
    assert progress_wanted(10, Tty(True))
    assert not progress_wanted(10, Tty(False))
    assert not progress_wanted(2, Tty(True))
    with ProgressBar(10, enabled=False) as bar:  # disabled: a no-op that still pauses and advances
        with bar.paused():
            pass
        bar.advance()


def test_severity_of_a_timed_out_file_fails_the_run(catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker.reading.report, "read_report", slow_or_crashing_reader(checker.reading.report.read_report))
    slow = write_report(tmp_path / "seg.docx")
    with Runner(catalog, SPEC, jobs=1, timeout=0.5, fail_level=Severity.ERROR) as runner:
        (result,) = list(runner.run([Job(slow)]))
    assert not result.passed(Severity.ERROR) and "0,5 sekunder" in result.error


def test_the_progress_bar_turns_to_counting_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stderr", io.StringIO())
    with ProgressBar(4, enabled=True, color=False) as bar:
        for _ in range(4):
            bar.advance()
        bar.threads(2)
        [task] = bar._progress.tasks
        assert (task.description, task.fields["unit"], task.total, task.completed) == ("Jämför trådar", "trådar", 2, 0)
        bar.advance()
        assert bar._progress.tasks[0].completed == 1
    with ProgressBar(4, enabled=False) as quiet:
        quiet.threads(2)  # disabled: nothing to count


_KILLED_PARENT = '''
import os, sys, time
from pathlib import Path
import checker.batch
from checker.batch import Runner

if sys.argv[2] == "control":
    checker.batch._die_with_parent = lambda *args: None

class Hangs:
    """A job that takes far longer than anyone waits (a document that hangs the reader)."""
    weight = 1
    path = Path("hangs.docx")

    def run(self, rules, fail_level=None):
        Path(sys.argv[1]).write_text(str(os.getpid()))
        time.sleep(300)

runner = Runner(object(), None, jobs=1, timeout=600)
runner.start(1)
list(runner.run([Hangs()]))
'''


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the kernel's parent-death signal is Linux's")
@pytest.mark.parametrize("variant", ["asked", "control"])
def test_a_busy_worker_stops_when_the_run_is_killed(tmp_path: Path, variant: str) -> None:
    """kill -9 of a run (or of the gate's service) must not leave a worker checking on for minutes."""
    import subprocess
    import sys

    script, pid_file = tmp_path / "parent.py", tmp_path / "worker.pid"
    script.write_text(_KILLED_PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file), variant],
                              cwd=REPORTS.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None, "the worker never started its job"
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + (20 if variant == "asked" else 3)
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        if variant == "asked":
            assert not _running(worker)
        else:  # without asking the kernel, the orphan runs on: the test above can fail
            assert _running(worker)
            os.kill(worker, 9)
    finally:
        if parent.poll() is None:
            parent.kill()
