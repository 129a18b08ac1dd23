"""Opening a PDF safely: the one place a PDF file is handed to PDFium.

Everything that can go wrong with a PDF as a file is told here as a
checker.errors.ReadError in Swedish, naming the problem, so the layout code
above works on a document that opened:

* not a regular file, empty, larger than max-file-mb (checker.safety.read_whole);
* streams that unpack beyond the limits, too many objects (checker.reading.pdf.guard),
  decided on the very bytes PDFium is then given, never on the file's name;
* a password needed to open it (a file that only restricts printing or copying
  with an owner password opens, and is read);
* damaged beyond what PDFium repairs (a broken cross-reference table PDFium
  rebuilds by itself), or cut short;
* more pages than max-pages, or a page larger than the PDF standard allows;
* no text layer: an image-only scan (require_text_layer, which the reader calls
  once it has counted each page's characters).

PDFium (through pypdfium2) is the PDF engine of Chromium: it opens every PDF a
browser meets, is fuzzed continuously by Google's OSS-Fuzz, and is what the
reader uses anyway. Målkoll never renders a page, runs JavaScript or follows a
link or an embedded file; it asks PDFium for text, fonts and lines only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from checker.errors import ReadError
from checker.limits import Limits, current, how_to_raise
from checker.reading import has_pdf_header
from checker.reading.pdf.guard import PdfProblem, check_pdf_bytes
from checker.safety import PackageProblem, read_whole

# The PDF standard's largest page side, 14 400 units (200 inches, 5,08 m; ISO 32000-1, annex C). A page the
# size of a football pitch is no report, and what is laid out on it could cost the reader without bound.
MAX_PAGE_SIDE = 14_400
# A page with fewer characters than this has no text layer worth the name: a scan's stamped page number.
FEW_CHARS = 20

NO_TEXT_LAYER_ADVICE = "Målkoll gissar inte vad som står – kör textigenkänning (OCR) eller skicka Word-filen."


@contextmanager
def open_pdf(path: Path, limits: Limits | None = None) -> Iterator[pdfium.PdfDocument]:
    """The opened document, closed again on leaving. Raises ReadError (Swedish) when it cannot or must not be read."""
    limits = limits or current()
    data = read_checked_pdf(path, limits)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise ReadError(path, _problem(error, data)) from None
    try:
        _check_pages(path, document, limits)
        yield document
    finally:
        document.close()


def read_checked_pdf(path: Path, limits: Limits | None = None) -> bytes:
    """The PDF's bytes, read once and checked (size, header, streams, objects) before PDFium may see them.

    Anything else that hands a PDF to PDFium or pypdf (the annotated copy) should take its bytes from
    here too: a file replaced by a bomb after it was read is then still refused. Raises ReadError.
    """
    limits = limits or current()
    try:
        data = read_whole(path, limits)
        if not has_pdf_header(data):
            raise PdfProblem("filen är inte en PDF-fil (den börjar inte med %PDF-). Exportera dokumentet som PDF "
                             "igen eller skicka Word-filen.")
        if _is_also_a_zip(path, data):
            raise PdfProblem(POLYGLOT)
        check_pdf_bytes(data, limits)
    except (PackageProblem, PdfProblem) as problem:
        raise ReadError(path, problem.problem) from None
    return data


POLYGLOT = ("filen är både en PDF-fil och ett zip-arkiv (som ett Word-dokument): Word och en PDF-läsare skulle "
            "visa olika innehåll, så det Målkoll granskar behöver inte vara det som läses. Filen kan vara manipulerad "
            "och granskas inte; spara dokumentet på nytt som Word-dokument eller som PDF.")


def _is_also_a_zip(path: Path, data: bytes) -> bool:
    """A file that a zip reader (Word) opens too, as something else than the PDF read here.

    A PDF may begin up to a KB into the file, so a zip whose first entry is stored unpacked can carry a
    whole PDF there; and a file named .docx is opened by Word, which finds a zip by its end record.
    No PDF begins with a zip entry, and no PDF writer names its file .docx.
    """
    if data.startswith(b"PK"):
        return True
    return path.name.lower().endswith((".docx", ".docm", ".dotx")) and b"PK\x05\x06" in data[-(0xFFFF + 22):]


def _problem(error: pdfium.PdfiumError, data: bytes) -> str:
    code = getattr(error, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(error).lower():
        return ("PDF-filen är lösenordsskyddad: den går inte att öppna utan lösenord, så Målkoll kan inte läsa den. "
                "Spara den som PDF utan lösenord (eller skicka Word-filen) och lägg in den igen.")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return ("PDF-filen är krypterad på ett sätt som Målkoll inte kan läsa. Spara den som PDF utan lösenord "
                "eller skydd (eller skicka Word-filen) och lägg in den igen.")
    if b"%%EOF" not in data[-2048:]:
        return ("PDF-filen är ofullständig: den slutar mitt i (slutmarkeringen %%EOF saknas) och går inte att läsa. "
                "Kanske avbröts kopieringen eller sparandet; kopiera eller spara den igen.")
    return ("PDF-filen är skadad och går inte att läsa, inte ens sedan dess innehållsförteckning (xref-tabellen) "
            "byggts upp på nytt. Exportera dokumentet som PDF igen eller skicka Word-filen.")


def _check_pages(path: Path, document: pdfium.PdfDocument, limits: Limits) -> None:
    count = len(document)
    if count == 0:
        raise ReadError(path, "PDF-filen har inga sidor (den kan vara skadad). Exportera dokumentet som PDF igen.")
    if count > limits.max_pages:
        raise ReadError(path, f"PDF-filen har {_thousands(count)} sidor, fler än gränsen {_thousands(limits.max_pages)}"
                              " – ingen plan eller rapport är så lång, men några KB kan påstå det. "
                              + how_to_raise("max-pages"))
    for index in range(count):
        try:
            width, height = document.get_page_size(index)
        except pdfium.PdfiumError:
            # The page tree names a page PDFium cannot load: what it held is unknown, and Målkoll does not guess.
            raise ReadError(path, f"sida {index + 1} i PDF-filen är skadad och går inte att läsa. Exportera "
                                  "dokumentet som PDF igen eller skicka Word-filen.") from None
        if max(width, height) > MAX_PAGE_SIDE:
            raise ReadError(path, f"sida {index + 1} i PDF-filen är {_metres(width)} × {_metres(height)} m, större "
                                  f"än den största sida PDF-standarden tillåter ({_metres(MAX_PAGE_SIDE)} × "
                                  f"{_metres(MAX_PAGE_SIDE)} m). "
                                  "Filen kan vara manipulerad och granskas inte.")


def require_text_layer(path: Path, document: pdfium.PdfDocument, chars: Sequence[int] | None = None) -> None:
    """Refuse a PDF without a text layer to read: an image-only scan, or pages with no text at all. Raises ReadError.

    Decided from the whole document, so that a Word export with one scanned
    appendix page is read, while a scan with a stamped page number (or OCR of
    its first page alone) is not: checking what little text there is would
    give findings about text Målkoll never saw. `chars`: the number of
    characters on each page, as the reader counted them (textpage.count_chars());
    without it they are counted here.
    """
    counts = list(chars) if chars is not None else [_count_chars(document, index) for index in range(len(document))]
    with_text = sum(1 for count in counts if count >= FEW_CHARS)
    scanned = sum(1 for index, count in enumerate(counts) if count < FEW_CHARS and _has_image(document, index))
    pages = "sidan har" if len(counts) == 1 else f"alla {len(counts)} sidor har"
    if with_text == 0 and scanned:
        raise ReadError(path, f"PDF-filen har inget textlager (den är en inskannad bild): {pages} bilder men ingen "
                              f"text. {NO_TEXT_LAYER_ADVICE}")
    if with_text == 0:
        raise ReadError(path, f"PDF-filen innehåller ingen text att granska: {pages} ingen text (tomma sidor, eller "
                              f"text ritad som figurer). {NO_TEXT_LAYER_ADVICE}")
    if scanned > with_text:
        raise ReadError(path, f"PDF-filen har inget textlager på {scanned} av {_pages(len(counts))} (de är inskannade "
                              f"bilder) och granskas inte, eftersom det mesta av den inte kan läsas. {NO_TEXT_LAYER_ADVICE}")


def _count_chars(document: pdfium.PdfDocument, index: int) -> int:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.count_chars()
        finally:
            textpage.close()
    finally:
        page.close()


def _has_image(document: pdfium.PdfDocument, index: int) -> bool:
    page = document[index]
    try:
        # Images inside form XObjects count too (a scanner's PDF may wrap each page's image in one).
        return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))
    finally:
        page.close()


def _pages(count: int) -> str:
    return "sida" if count == 1 else f"{count} sidor"


def _metres(points: float) -> str:
    return f"{points / 72 * 0.0254:.2f}".replace(".", ",")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")
