"""Reports kept from a folder's first pass, so the thread rules need not read the documents again.

The first pass reads every document in a worker and sends back only a small
summary (checker.batch.slim): the full report tree would cost the parent
process time and memory. The thread rules, run after the whole folder is
read, need the full reports of a thread's documents. Reading each document a
second time cost as much as the first pass; instead, while a folder with
thread rules is checked, each worker writes the report it read to a private
temporary folder (compressed: about 30 KB per ordinary document), and the
thread job takes it from there – and deletes it. What is missing (a worker
that could not write, a document checked on its own) is simply read again.

The folder is created by the run with `tempfile.mkdtemp` (only the user can
read or write it), inside the run's private temporary folder in the user's
state folder (checker.private), and removed when the run ends; a run killed
with kill -9 leaves it for the next run to remove.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from checker.atomic import atomic_write
from checker.pipeline import ReportReader
from checker.text import clear_document_caches

if TYPE_CHECKING:
    from checker.model import Report

log = logging.getLogger(__name__)

# zlib's fastest level: a fifth of the size for about a millisecond per report.
_LEVEL = 1


class KeptReports:
    """The run's private folder of kept reports; `close()` removes it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="malkoll-rapporter-"))

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def keep(folder: Path, path: Path, report: Report) -> None:
    """Save a document's report for the thread rules; a failure only means it is read again later."""
    target = _file_for(folder, path)
    try:
        # In the run's private folder, read back by this run only: no fsync, no mode to give.
        with atomic_write(target, binary=True, durable=False, private=True) as handle:
            handle.write(zlib.compress(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), _LEVEL))
    except (OSError, pickle.PicklingError, RecursionError) as error:
        log.debug("Rapporten för %s kunde inte sparas till trådreglerna: %r", path, error)


def reader_preferring_kept(folder: Path | None, fallback: ReportReader) -> ReportReader:
    """A reader that takes a document's kept report (once) and reads the document only when there is none."""
    if folder is None:
        return fallback

    def read(path: Path) -> Report:
        report = _take(folder, path)
        if report is None:
            return fallback(path)
        # As reading does (checker.reading.report): answers about other documents' text are of no use now, and
        # kept from thread to thread they made a worker grow by 15 MB over a thousand documents.
        clear_document_caches()
        return report

    return read


def _take(folder: Path, path: Path) -> Report | None:
    source = _file_for(folder, path)
    try:
        data = source.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        source.unlink()  # each document is in one thread: it will not be asked for again
    try:
        report: Report = pickle.loads(zlib.decompress(data))
    except Exception:  # noqa: BLE001 - a damaged file is read from the document instead
        log.debug("Den sparade rapporten för %s kunde inte läsas; dokumentet läses igen", path, exc_info=True)
        return None
    return report


def _file_for(folder: Path, path: Path) -> Path:
    name = hashlib.sha256(os.fsencode(str(path))).hexdigest()[:40]
    return folder / f"{name}.rapport"
