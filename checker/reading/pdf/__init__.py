"""Reading a PDF into the block stream (checker.reading.blocks). Being written: see issue 17."""

from __future__ import annotations

from pathlib import Path

from checker.errors import ReadError
from checker.reading.blocks import DocumentContent
from checker.reading.pdf.document import open_pdf, require_text_layer


def read_pdf(path: Path) -> DocumentContent:
    with open_pdf(path) as document:
        require_text_layer(path, document)
    raise ReadError(path, "PDF-filer kan inte läsas ännu.")
