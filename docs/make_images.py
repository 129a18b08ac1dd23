"""Regenerate the README's images in docs/img/ from today's outputs over reports/.

    python docs/make_images.py

- docs/img/sammanstallning.png: the overview of every bundled report
  (`malkoll check reports --overview …`), photographed by headless Chromium
  (Debian's `chromium`).
- docs/img/kommentarer.png: a page of the annotated copy of
  reports/aspudden_vb2025_export.docx with its comments: LibreOffice 7.5 or
  later exports it to PDF with the comments in the margin; an older
  LibreOffice (Debian 12 has 7.4) prints it with each page's comments on the
  page after it, and the two pages are shown side by side. pdftoppm
  (Debian's `poppler-utils`) makes the pages PNGs, headless Chromium the
  side-by-side picture.

An image whose programs are missing (or too old) is left as it was, with a
message saying why. Nothing is fetched from the network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
REPORTS = ROOT / "reports"
ANNOTATED = "aspudden_vb2025_export"
# The page of that report with a goal, its indicator table and their comments.
PAGE = 7
WINDOW = "1280,1500"
TIMEOUT = 240  # seconds for one run of Chromium or LibreOffice


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from checker.cli import main as malkoll

    with tempfile.TemporaryDirectory(prefix="malkoll-bilder-") as temp:
        work = Path(temp)
        out = work / "ut"
        malkoll(["check", str(REPORTS), "-q", "--overview", str(out), "--annotate", str(out / "kopior")])
        overview_image(out / "sammanstallning.html", work)
        comments_image(out / "kopior" / f"{ANNOTATED}.granskning.docx", work)
    return 0


def overview_image(page: Path, work: Path) -> None:
    overview_image_of(page, work, IMAGES / "sammanstallning.png", window=WINDOW)


def overview_image_of(page: Path, work: Path, target: Path, *, window: str) -> None:
    """A screenshot of a local page by headless Chromium."""
    chromium = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                     if (found := shutil.which(name))), None)
    if chromium is None:
        print(f"Chromium finns inte: {target} gjordes inte om.")
        return
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={work / 'chromium'}", f"--window-size={window}", f"--screenshot={target}",
         page.as_uri()],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    print(f"{target} är gjord.")


def comments_image(copy: Path, work: Path) -> None:
    target = IMAGES / "kommentarer.png"
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print(f"LibreOffice (soffice) eller pdftoppm (poppler-utils) finns inte: {target} gjordes inte om.")
        return
    version = _libreoffice_version(soffice, work)
    if version < (7, 5):
        # No comments in the margin of a PDF before 7.5: print the copy with each page's comments on
        # the page after it (Writer's print setting), and show such a pair side by side.
        _comments_after_pages(soffice, pdftoppm, copy, work, target)
        return
    export = 'pdf:writer_pdf_Export:{"ExportNotesInMargin":{"type":"boolean","value":"true"}}'
    subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless", "--convert-to",
                    export, "--outdir", str(work), str(copy)], check=True, capture_output=True, timeout=TIMEOUT)
    pdf = work / f"{copy.stem}.pdf"
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", str(PAGE), "-l", str(PAGE), "-singlefile", str(pdf),
                    str(work / "sida")], check=True, capture_output=True, timeout=TIMEOUT)
    shutil.copyfile(work / "sida.png", target)
    print(f"{target} är gjord.")


# Writer's print setting for comments: 3 = each page's comments on a page of their own after it.
_COMMENTS_AFTER_EACH_PAGE = "3"


def _comments_after_pages(soffice: str, pdftoppm: str, copy: Path, work: Path, target: Path) -> None:
    """The annotated copy printed by LibreOffice with its comments after each page; a page with a
    goal's findings and its comment page, side by side, photographed by headless Chromium."""
    import zipfile

    lo = ["-env:UserInstallation=" + (work / "lo").as_uri(), "--headless"]
    subprocess.run([soffice, *lo, "--convert-to", "odt", "--outdir", str(work), str(copy)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    odt, printable = work / f"{copy.stem}.odt", work / "utskrift.odt"
    with zipfile.ZipFile(odt) as source, zipfile.ZipFile(printable, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "settings.xml":
                data = re.sub(rb'(PrintAnnotationMode" config:type="short">)\d', rb"\g<1>" + _COMMENTS_AFTER_EACH_PAGE.encode(), data)
            out.writestr(item, data, compress_type=zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    (work / "pdf").mkdir(exist_ok=True)  # LibreOffice prints into an existing folder only (and says nothing)
    subprocess.run([soffice, *lo, "--print-to-file", "--outdir", str(work / "pdf"), str(printable)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    pdf = work / "pdf" / "utskrift.pdf"
    page = _page_before_comments(pdf, work)
    if page is None:
        print(f"LibreOffice skrev inga kommentarer efter sidorna: {target} gjordes inte om.")
        return
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", str(page), "-l", str(page + 1), str(pdf), str(work / "s")],
                   check=True, capture_output=True, timeout=TIMEOUT)
    pages = sorted(work.glob("s-*.png"))
    side_by_side = work / "sidor.html"
    side_by_side.write_text(
        "<!doctype html><body style='margin:0;background:#ddd;display:flex;gap:12px;padding:12px'>"
        + "".join(f"<img src='{p.as_uri()}' style='box-shadow:0 0 4px #888'>" for p in pages) + "</body>",
        encoding="utf-8",
    )
    overview_image_of(side_by_side, work, target, window="1360,960")


def _page_before_comments(pdf: Path, work: Path) -> int | None:
    """The first page whose comments page holds a goal's findings (VB01 …): the page to show."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return None
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=TIMEOUT).stdout
    for number, page_text in enumerate(text.split("\f"), start=1):
        if number > 1 and page_text.lstrip().startswith("Page :") and "regel VB" in page_text:
            return number - 1
    return None


def _libreoffice_version(soffice: str, work: Path) -> tuple[int, ...]:
    done = subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo').as_uri()}", "--version"],
                          capture_output=True, text=True, timeout=TIMEOUT)
    found = re.search(r"(\d+)\.(\d+)", done.stdout)
    return (int(found.group(1)), int(found.group(2))) if found else ()


if __name__ == "__main__":
    raise SystemExit(main())
