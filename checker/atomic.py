"""One way to write a file that is never seen half-written.

Every file Målkoll writes for someone to read later – a report, an
overview, a rule-cache entry, a kept report – goes through atomic_write:
the bytes go to a temporary file beside the target, which takes the
target's place only once everything was written. A run that stops half-way
(Ctrl-C, a full disk, a killed worker) leaves the old file as it was and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(
    path: Path, *, binary: bool = False, durable: bool = True, private: bool = False
) -> Iterator[IO[Any]]:
    """A stream whose content replaces `path` when the block ends without an exception.

    binary:  bytes instead of UTF-8 text with "\\n" line ends.
    durable: flushed to the disk before the replace (what a person will open);
             caches and a run's own temporary files skip the fsync.
    private: the file keeps the owner-only mode the temporary file is made
             with (caches that must not be readable by others); otherwise it
             gets the mode of the file it replaces, or a new file's mode.
    """
    with atomic_path(path, private=private) as temporary:
        text = {} if binary else {"encoding": "utf-8", "newline": "\n"}
        with open(temporary, "wb" if binary else "w", **text) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary file's name beside `path`, which replaces `path` when the block ends without an exception.

    For writers that open the file themselves (openpyxl saves a workbook to a
    name: given a stream, an interrupted save leaves its zip writer holding a
    closed file), and the one place atomic_write's temporary file is made.
    The file is made owner-only (mkstemp); `private` keeps it so.
    """
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(temp_name)
        if not private:
            os.chmod(temp_name, _target_mode(path))
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
