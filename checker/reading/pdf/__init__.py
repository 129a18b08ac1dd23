"""Reading a PDF into the block stream (checker.reading.blocks). Being written: see issue 17.

Until it is, a PDF gets the .docx reader's message (that it is a PDF, not a Word document).
"""

from __future__ import annotations

from pathlib import Path

from checker.reading.blocks import DocumentContent


def read_pdf(path: Path) -> DocumentContent:
    from checker.reading.docx import read_docx

    return read_docx(path)
