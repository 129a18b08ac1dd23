"""Reading: a file → the block stream the recogniser turns into a report.

- `blocks`: the block types every reader produces (paragraphs, tables, their places).
- `docx`: a Word file, read from its XML parts.
- `pdf`: a PDF (exported, printed or scanned with a text layer), read from its text and rulings.
- `report`: a file → the typed report model (reading, then recognising), with the coordinator's
  stated type, year and unit applied.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from checker.reading.blocks import DocumentContent

# A PDF may start with a few bytes of junk before its header; readers accept it within the first kilobyte.
_PDF_HEADER_WINDOW = 1024


def has_pdf_header(head: bytes) -> bool:
    """These first bytes of a file say it is a PDF (its %PDF- header, within the first kilobyte)."""
    return b"%PDF-" in head[:_PDF_HEADER_WINDOW]


def is_pdf(path: Path) -> bool:
    """The file says it is a PDF (its header, not its name: a PDF renamed .docx is still read as PDF)."""
    # Opened without blocking and looked at only when it is a regular file: a pipe named
    # report.docx must not stall the run here (the .docx reader explains what it is).
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return False
        return has_pdf_header(os.read(descriptor, _PDF_HEADER_WINDOW))
    except OSError:
        return False
    finally:
        os.close(descriptor)


def read_content(path: Path) -> DocumentContent:
    """The blocks of a .docx or a PDF. Raises checker.errors.ReadError, in Swedish, for an unreadable file."""
    if is_pdf(path):
        from checker.reading.pdf import read_pdf  # the PDF library is loaded only when a PDF is read

        return read_pdf(path)
    from checker.reading.docx import read_docx

    return read_docx(path)
