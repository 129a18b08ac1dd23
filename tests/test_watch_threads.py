"""The thread rules (TR…) at the gate: `malkoll watch` compares each arriving report with its unit's
documents already checked (checker.threads.gate).

The thread is the drifted one of tests/test_threads.py (a goal dropped after
T1, a renamed goal, a changed årsmål, an activity not carried over, a goal
not in the plan, an unexplained fall from "helt"), so each TR rule has
something to find.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import docx
import pytest

from checker.batch import Runner
from checker.cli import main
from checker.engine import default_rules_dir, load_rules
from checker.findings import Severity
from checker.watch import Watcher, WatchOptions
from tests.test_threads import FILES, drifted_thread, write_thread


@pytest.fixture(scope="module")
def rules():
    return load_rules([default_rules_dir()])


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("drift") / "Aspudden"
    write_thread(drifted_thread(), folder)
    return folder


def _watch_once(watcher: Watcher) -> None:
    assert watcher.run() in (0, 1)


def _watcher(folder: Path, rules, out: Path) -> Watcher:
    options = WatchOptions(folder=folder, out_dir=out, settle=0, interval=0.05, poll=True, once=True)
    runner = Runner(rules, None, jobs=1, timeout=0)
    return Watcher(options, runner, log=lambda line: None)


def _tr(findings) -> set[tuple[str, str | None]]:
    return {(f.rule, f.target) for f in findings if f.rule.startswith("TR")}


def _check_tr(folder: Path) -> dict[str, set[tuple[str, str | None]]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", str(folder), "--format", "json", "--jobs", "1", "--timeout", "0"])
    return {Path(f["path"]).name: {(x["rule"], x["target"]) for x in f["findings"] if x["rule"].startswith("TR")}
            for f in json.loads(out.getvalue())["files"]}


def test_watch_once_finds_what_a_folder_check_finds(drifted: Path, rules, tmp_path: Path) -> None:
    watcher = _watcher(drifted, rules, tmp_path / "ut")
    _watch_once(watcher)
    by_watch = {path.name: _tr(checked.result.findings) for path, checked in watcher.state.checked.items()}
    by_check = _check_tr(drifted)
    assert by_watch == by_check
    assert {rule for found in by_watch.values() for rule, _ in found} >= {"TR01", "TR02", "TR03", "TR04", "TR05"}


def test_a_report_arriving_later_is_compared_with_the_plan_already_there(drifted: Path, rules, tmp_path: Path) -> None:
    folder = tmp_path / "Inlämnat"
    folder.mkdir()
    shutil.copy(drifted / FILES["VP"], folder / FILES["VP"])
    out = tmp_path / "ut"
    watcher = _watcher(folder, rules, out)
    _watch_once(watcher)  # December: the plan alone
    plan = watcher.state.checked[folder / FILES["VP"]].result
    assert _tr(plan.findings) == set()

    shutil.copy(drifted / FILES["VB"], folder / FILES["VB"])  # February: the year-end report
    _watch_once(watcher)
    report = watcher.state.checked[folder / FILES["VB"]].result
    rules_found = {rule for rule, _ in _tr(report.findings)}
    assert {"TR01", "TR02", "TR03", "TR04", "TR06"} <= rules_found
    assert "TR05" not in rules_found  # it compares with T2, which has not arrived
    assert watcher.state.checked[folder / FILES["VP"]].result is plan  # the plan keeps the result it was given

    comments = " ".join(c.text for c in docx.Document(str(out / "vb.granskning.docx")).comments)
    assert "TR01" in comments  # the author's annotated copy has the thread findings too
    text = (out / "vb.granskning.txt").read_text(encoding="utf-8-sig")
    assert "verksamhetsplanen" in text


def test_without_thread_rules_the_gate_stays_out(drifted: Path, tmp_path: Path) -> None:
    rules = load_rules([default_rules_dir()]).filtered(ignore=["TR"])
    watcher = _watcher(drifted, rules, tmp_path / "ut")
    _watch_once(watcher)
    assert all(_tr(checked.result.findings) == set() for checked in watcher.state.checked.values())
    assert all(checked.result.findings for checked in watcher.state.checked.values())
