"""The reader's public entry point: a .docx file → the typed report model."""

from __future__ import annotations

from pathlib import Path

from checker.docx_reader import read_docx
from checker.model import Report
from checker.structure.recognizer import recognise


def read_report(path: Path) -> Report:
    """Read and recognise one document. Raises checker.errors.ReadError (Swedish) for unreadable files."""
    return recognise(read_docx(Path(path)))
