"""A file (.docx or PDF) → the typed report model: read its blocks, recognise the report in them."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from checker.reading import read_content
from checker.model import Report
from checker.config import ThreadOverride, stated_for
from checker.structure.recognizer import recognise
from checker.text import clear_document_caches


def read_report(path: Path, stated: tuple[ThreadOverride, ...] = ()) -> Report:
    """Read and recognise one document. Raises checker.errors.ReadError (Swedish) for unreadable files.

    `stated`: what the coordinator says about this file (malkoll.toml, the command line); it wins.
    """
    # Reading builds a great many small objects, none of them in reference
    # cycles that need collecting while the document is read; the cyclic
    # collector's full passes over that growing heap made the time grow faster
    # than the document (a report with 100× the goals took 180× as long). As
    # in check_report, the collector waits until the report is read.
    collecting = gc.isenabled()
    gc.disable()
    # Answers about the previous document's text are of no use for this one;
    # kept, they made a worker's memory grow with the batch.
    clear_document_caches()
    try:
        content = read_content(Path(path))
        report = recognise(content, stated)
        if content.comments:  # "Målkoll: godkänn VB06 – skäl" in the goal it concerns (checker.acceptance)
            from checker.acceptance import comments_in

            report._acceptances = comments_in(content.comments, report)
        return report
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class OverridingReader:
    """read_report with what the coordinator states about each file applied: one reader for check,
    watch, thread and dump alike. Picklable, so a worker process can be given it."""

    overrides: tuple[ThreadOverride, ...] = ()

    def __call__(self, path: Path) -> Report:
        stated = stated_for(Path(path), self.overrides)
        # Looked up in the module each time (not bound here), so that a test's stand-in reader is used.
        return read_report(path, stated) if stated else read_report(path)
