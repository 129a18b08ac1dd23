"""The gate cannot be fooled (issue 19): no false pass, no stale verdict, no leak, bounded memory.

Each test pins one way a submitter (or a mistaken setting) could make
Målkoll say "OK" wrongly, show what it should not, or take the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker import limits
from checker.batch import Runner
from checker.engine import default_rules_dir, load_rules
from checker.findings import Severity
from checker.watch import Watcher, WatchOptions
from tests import hostile_inputs as h
from tests.test_annotate import write_report


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def _watch_once(folder: Path, catalog, log: list[str]) -> int:
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", settle=0.0, poll=True, once=True)
    with Runner(catalog, None, jobs=1, timeout=0, fail_level=Severity.ERROR) as runner:
        return Watcher(options, runner, log=log.append).run()


# --- 1. an output folder that is the input ---------------------------------------------------------


@pytest.mark.parametrize("option", ["--annotate", "--overview"])
@pytest.mark.parametrize("how", ["same", "link", "above"])
def test_an_output_folder_over_the_input_never_passes(tmp_path: Path, option: str, how: str) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A")
    out = {"same": folder, "link": tmp_path / "länk", "above": tmp_path}[how]
    if how == "link":
        out.symlink_to(folder, target_is_directory=True)
    before = h.snapshot(folder)
    code, _, err = h.run_in_process("check", str(folder), option, str(out), "-o", str(tmp_path / "r.json"),
                                    "--format", "json", "--timeout", "0")
    assert code == 2, err
    assert "inga dokument granskas" in err and "Traceback" not in err
    assert h.snapshot(folder) == before


def test_a_folder_of_only_own_outputs_is_not_a_pass(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.granskning.docx", "Enhet A")
    code, _, err = h.run_in_process("check", str(folder), "--timeout", "0")
    assert code != 0 and "granskades inte" in err


# --- 2. a replaced file keeps its old verdict ------------------------------------------------------


def test_a_file_replaced_with_the_same_size_and_mtime_is_checked_again(tmp_path: Path, catalog) -> None:
    folder = tmp_path / "in"
    report = write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    log: list[str] = []
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", settle=0.0, poll=True)
    with Runner(catalog, None, jobs=1, timeout=0, fail_level=Severity.ERROR) as runner:
        watcher = Watcher(options, runner, log=log.append)
        watcher._tick()
        assert any("rapport.docx" in line and "KUNDE INTE LÄSAS" not in line for line in log), log
        stat = report.stat()
        report.write_bytes(h.random_bytes(stat.st_size))  # another file, same size …
        os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # … and the old modification time
        log.clear()
        watcher._tick()
        watcher._tick()
    assert any("rapport.docx  KUNDE INTE LÄSAS" in line for line in log), log
