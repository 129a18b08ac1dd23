"""Opening a PDF safely: the one place a PDF file is handed to PDFium.

Everything that can go wrong with a PDF as a file (not a PDF, encrypted, damaged, too big) is
told here as a checker.errors.ReadError in Swedish, so the layout code above works on a
document that opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium

from checker.errors import ReadError


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    """The opened document, closed again on leaving. Raises ReadError (Swedish) when it cannot be read."""
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise ReadError(path, _problem(error)) from None
    try:
        yield document
    finally:
        document.close()


def _problem(error: pdfium.PdfiumError) -> str:
    text = str(error).lower()
    if "password" in text:
        return "PDF-filen är lösenordsskyddad (krypterad) och kan inte läsas. Spara den utan lösenord och lägg in den igen."
    return "PDF-filen är skadad och kunde inte läsas."
