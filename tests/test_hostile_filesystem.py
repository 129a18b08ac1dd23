"""The folder itself misbehaves (issue 6): permissions, pipes, link loops, odd names, files that are
deleted or replaced while Målkoll reads them.

Each case goes through `malkoll check` and `malkoll watch --once`; the
races are made exact by doing the deed from inside the reader (a wrapped
checker.safety.open_package) instead of hoping a thread hits the window.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from checker import limits
from checker.batch import Runner
from checker.cli import main
from checker.engine import default_rules_dir, load_rules
from checker.findings import Severity
from checker.watch import Watcher, WatchOptions
from tests import hostile_inputs as h
from tests.test_annotate import write_report


def _run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        code = main(list(args))
    limits.configure(None)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def _watch_once(folder: Path, catalog, log: list[str]) -> int:
    """`malkoll watch --once` in this process (so monkeypatches reach the reader), without workers."""
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", settle=0.0, poll=True, once=True)
    with Runner(catalog, None, jobs=1, timeout=0, fail_level=Severity.ERROR) as runner:
        return Watcher(options, runner, log=log.append).run()


def _lines(log: list[str], name: str) -> list[str]:
    return [line for line in log if f"  {name}  " in line]


# --- no permission ---------------------------------------------------------------------------------


def test_unreadable_file_and_folder_with_real_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_report(folder / "bra.docx", "Enhet A", analysis=True)
    locked = write_report(folder / "låst.docx", "Enhet B", analysis=True)
    closed = folder / "stängd"
    write_report(closed / "inne.docx", "Enhet C", analysis=True)
    prefix = h.permissions_prefix(locked)  # as root: run Målkoll without root's power to read everything
    if prefix is None:
        pytest.skip("filrättigheter stoppar inte läsning här (root utan setpriv?); se den simulerade varianten")
    os.chmod(locked, 0)
    os.chmod(closed, 0)
    try:
        check = h.run_malkoll("check", str(folder), "-q", prefix=prefix)
        watch = h.run_malkoll("watch", str(folder), "--once", "--settle", "0", prefix=prefix)
    finally:
        os.chmod(locked, 0o644)
        os.chmod(closed, 0o755)
    assert check.returncode == 1 and watch.returncode == 1
    assert "låst.docx: filen kunde inte öppnas: åtkomst nekad" in check.stdout
    assert "stängd: mappen kunde inte öppnas: åtkomst nekad" in check.stdout
    assert "låst.docx  KUNDE INTE LÄSAS  filen kunde inte öppnas: åtkomst nekad" in watch.stdout
    assert "stängd  KUNDE INTE LÄSAS  mappen kunde inte öppnas" in watch.stdout
    assert "bra.docx  GODKÄND" in watch.stdout
    assert "Traceback" not in check.stderr + watch.stderr


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog) -> None:
    """The same refusal made by the OS on demand, so it is tested even where chmod cannot be (root)."""
    folder = tmp_path / "in"
    write_report(folder / "bra.docx", "Enhet A", analysis=True)
    locked = write_report(folder / "låst.docx", "Enhet B", analysis=True)
    before = h.file_hash(locked)
    real_os_open, real_path_open = os.open, Path.open

    def os_open(path, flags, *args, **kwargs):  # the reader's open
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_os_open(path, flags, *args, **kwargs)

    def path_open(self, *args, **kwargs):  # the watch's hashing
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_path_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(Path, "open", path_open)
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q")
    assert code == 1 and f"{locked}: filen kunde inte öppnas: åtkomst nekad" in out
    log: list[str] = []
    assert _watch_once(folder, catalog, log) == 1
    # Before, the watch skipped such a file silently as "gone between the look and the read".
    assert len(_lines(log, "låst.docx")) == 1 and "KUNDE INTE LÄSAS  filen kunde inte öppnas" in _lines(log, "låst.docx")[0]
    assert "GODKÄND" in _lines(log, "bra.docx")[0]
    monkeypatch.undo()
    assert h.file_hash(locked) == before


# --- not regular files, and links that go round in circles -------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(os, "symlink"), reason="POSIX")
def test_pipes_and_link_loops_in_the_folder(tmp_path: Path, catalog) -> None:
    folder = tmp_path / "in"
    good = write_report(folder / "bra.docx", "Enhet A", analysis=True)
    os.mkfifo(folder / "rör.docx")
    (folder / "ring").symlink_to(".")  # a folder link back to itself
    (folder / "a.docx").symlink_to("b.docx")
    (folder / "b.docx").symlink_to("a.docx")
    (folder / "själv.docx").symlink_to("själv.docx")
    (folder / "borta.docx").symlink_to("finns-inte.docx")
    (folder / "genväg.docx").symlink_to(good.name)  # the same file twice: checked once
    before = h.snapshot(folder)
    check = h.run_malkoll("check", str(folder), "--format", "json", timeout=60)
    watch = h.run_malkoll("watch", str(folder), "--once", "--settle", "0", "-o", str(tmp_path / "ut"), timeout=60)
    assert check.returncode == 1 and watch.returncode == 1 and "Traceback" not in check.stderr + watch.stderr
    import json

    files = {Path(f["path"]).name: f["error"] for f in json.loads(check.stdout)["files"]}
    assert files.pop("bra.docx") is None
    assert "ingen vanlig fil" in files.pop("rör.docx")
    assert all("länken leder ingenstans" in files[n] for n in ("a.docx", "b.docx", "själv.docx", "borta.docx"))
    assert set(files) == {"a.docx", "b.docx", "själv.docx", "borta.docx"}  # genväg.docx is bra.docx
    for name in ("rör.docx", "a.docx", "själv.docx", "borta.docx"):
        assert len(_lines(watch.stdout.splitlines(), name)) == 1, watch.stdout
    assert h.snapshot(folder) == before


# --- names --------------------------------------------------------------------------------------


NAMES = ["å ä ö Ågesta.docx", " mellanslag  runt .docx", "rad\nbrytning.docx", "-streck.docx", "--help.docx"]


def test_odd_file_names_in_a_folder_and_named_alone(tmp_path: Path, catalog) -> None:
    folder = tmp_path / "in"
    for index, name in enumerate(NAMES):
        write_report(folder / name, f"Enhet {index}", analysis=True)
    code, out, err = _run("check", str(folder), "--timeout", "0", "-q")
    assert code == 0, out + err
    assert "5 filer: 5 godkända" in " ".join(out.split())
    assert "rad␊brytning.docx" in out and "rad\nbrytning" not in out  # a newline is shown, never splits a line
    # Named alone: after "--", or as ./-streck.docx; without them argparse sees an option, and says what to do.
    assert _run("check", "-q", "--timeout", "0", "--", "-streck.docx", "--help.docx", cwd=folder)[0] == 0
    assert _run("check", "-q", "--timeout", "0", "./-streck.docx", cwd=folder)[0] == 0
    code, _, err = _run("check", "-streck.docx", cwd=folder)
    assert code == 2 and "skriv ./-streck.docx eller -- före filnamnet" in err
    log: list[str] = []
    assert _watch_once(folder, catalog, log) == 0
    assert len([line for line in log if "GODKÄND" in line]) == 5 and not any("\n" in line for line in log)
    assert (folder / "granskning" / "rad\nbrytning.granskning.txt").is_file()


# --- deleted or replaced while it is read ---------------------------------------------------------


def _during_read(monkeypatch: pytest.MonkeyPatch, deed: Callable[[Path], None]) -> None:
    """Do `deed` to the file right after the reader has opened and checked it, before it parses anything."""
    import checker.reading.docx as reader

    real = reader.open_package
    done: set[Path] = set()

    def wrapped(path: Path, limits_: object = None):
        archive = real(path)
        if path not in done:
            done.add(path)
            deed(path)
        return archive

    monkeypatch.setattr(reader, "open_package", wrapped)


def test_replaced_by_a_bomb_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The open handle keeps the old file; the annotated copy re-reads the path and meets the bomb."""
    folder = tmp_path / "in"
    path = write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    before = h.file_hash(path)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(h.zip_bomb())

    def replace(target: Path) -> None:
        shutil.copyfile(bomb, tmp_path / "ny.docx")
        os.replace(tmp_path / "ny.docx", target)

    _during_read(monkeypatch, replace)
    code, out, err = _run("check", str(folder), "--timeout", "0", "--annotate", str(tmp_path / "ut"))
    assert code == 0 and "GODKÄND" in out  # what was opened was the report
    assert "dokumentet kunde inte öppnas för kommentarer" in err and "zipbomb" in err  # the copy was refused
    assert not list((tmp_path / "ut").rglob("*.docx"))
    assert "Traceback" not in err and h.file_hash(path) != before  # (the bomb is there now, untouched by us)
    assert h.file_hash(path) == h.file_hash(bomb)


def test_truncated_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    write_report(folder / "a.docx", "Enhet A", analysis=True)
    write_report(folder / "b.docx", "Enhet B", analysis=True)

    def truncate(path: Path) -> None:
        if path.name == "a.docx":
            with open(path, "r+b") as handle:  # same file, same handle's inode: the reader sees it shrink
                handle.truncate(300)

    _during_read(monkeypatch, truncate)
    code, out, err = _run("check", str(folder), "--timeout", "0", "-q")
    assert code == 1 and "Traceback" not in err
    assert "a.docx: filen kunde inte läsas till slut – den ändrades medan den lästes" in " ".join(out.split())
    assert "1 godkänd" in " ".join(out.split())  # b.docx was still checked


def test_deleted_after_the_folder_was_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import discovery

    folder = tmp_path / "in"
    write_report(folder / "a.docx", "Enhet A", analysis=True)
    write_report(folder / "b.docx", "Enhet B", analysis=True)
    real = discovery.discover

    def listed_then_deleted(paths):
        found = real(paths)
        found.files[0].unlink()
        return found

    monkeypatch.setattr(discovery, "discover", listed_then_deleted)
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q")
    assert code == 1 and "a.docx: filen finns inte (längre)" in out and "1 godkänd" in " ".join(out.split())


def test_watch_deleted_or_replaced_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog) -> None:
    folder = tmp_path / "in"
    write_report(folder / "borttagen.docx", "Enhet A", analysis=True)
    write_report(folder / "utbytt.docx", "Enhet B", analysis=True)
    bomb = h.zip_bomb()

    def deed(path: Path) -> None:
        if path.name == "borttagen.docx":
            path.unlink()
        else:
            (tmp_path / "ny.docx").write_bytes(bomb)
            os.replace(tmp_path / "ny.docx", path)

    _during_read(monkeypatch, deed)
    log: list[str] = []
    _watch_once(folder, catalog, log)
    assert "BORTTAGEN" in _lines(log, "borttagen.docx")[-1]
    # Changed while checked: checked again once settled, and then the bomb is refused.
    assert "KUNDE INTE LÄSAS" in _lines(log, "utbytt.docx")[-1] and "zipbomb" in _lines(log, "utbytt.docx")[-1]
    assert not (folder / "granskning" / "borttagen.granskning.txt").exists()
    assert not (folder / "granskning" / "utbytt.granskning.docx").exists()
