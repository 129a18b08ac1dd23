"""Where Målkoll keeps what belongs to the user running it, outside every checked or output folder.

    ~/.local/state/malkoll/              ($MALKOLL_STATE_DIR, else $XDG_STATE_HOME/malkoll)
        bevakning-<folder hash>.json     the settings a watched folder was set up with (checker.gate_config)
        korningar/<pid>@<host>-<random>/ one run's temporary files (mode 0700)

A run's temporary files can hold document text: the reports kept for the
thread rules (checker.threads.kept), openpyxl's sheets while the overview's
workbook is written. So `private_temp` gives each run a folder only the user
can open, points Python's tempfile (and the workers, through TMPDIR) at it,
and removes it when the run ends. A run killed with kill -9 cannot clean up
after itself; the next run removes every folder whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

STATE_ENV = "MALKOLL_STATE_DIR"


def state_dir() -> Path:
    """The user's own folder for Målkoll's state: $MALKOLL_STATE_DIR, else $XDG_STATE_HOME/malkoll."""
    configured = os.environ.get(STATE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "malkoll"


def runs_dir() -> Path:
    return state_dir() / "korningar"


@contextlib.contextmanager
def private_temp() -> Iterator[Path | None]:
    """For the length of a run: a private temporary folder for everything the run writes temporarily.

    Yields the folder (None when the state folder cannot be written: then the
    system's temporary folder is used, as before).
    """
    folder = _make_run_folder()
    if folder is None:
        yield None
        return
    previous_dir, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)  # workers started afresh (forkserver, spawn) read it
    try:
        yield folder
    finally:
        tempfile.tempdir = previous_dir
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
        shutil.rmtree(folder, ignore_errors=True)


def _make_run_folder() -> Path | None:
    root = runs_dir()
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        remove_dead_runs(root)
        return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}@{_host()}-", dir=root))
    except OSError:
        return None


def remove_dead_runs(root: Path) -> list[Path]:
    """Remove the temporary folders of this machine's runs whose process is gone (killed, or a restart).

    A home folder shared between machines holds other machines' runs too: their process numbers mean
    nothing here, so they are left alone.
    """
    removed = []
    for entry in root.iterdir():
        pid_text, _, rest = entry.name.partition("@")
        if not pid_text.isdigit() or not rest.startswith(_host() + "-") or _alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _host() -> str:
    import socket

    return socket.gethostname().replace("/", "_") or "dator"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process with that number: not ours to judge
    return True


# A temporary file in an output folder older than this belongs to a run that died while writing it
# (the overview's files are written in seconds; rows are appended as each document is checked).
STALE_OUTPUT_SECONDS = 3600.0


def remove_stale_output_temps(out_dir: Path) -> list[Path]:
    """Remove the overview's and copies' temporary files (".<name>.<random>.tmp") a killed run left behind."""
    import time

    removed = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in out_dir.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if entry.is_file() and now - entry.stat().st_mtime > STALE_OUTPUT_SECONDS:
                    entry.unlink()
                    removed.append(entry)
    return removed
