"""The reader's public entry point: a .docx file → the typed report model."""

from __future__ import annotations

import gc
from pathlib import Path

from checker.docx_reader import read_docx
from checker.model import Report
from checker.structure.recognizer import recognise
from checker.text import clear_document_caches


def read_report(path: Path) -> Report:
    """Read and recognise one document. Raises checker.errors.ReadError (Swedish) for unreadable files."""
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
        return recognise(read_docx(Path(path)))
    finally:
        if collecting:
            gc.enable()
