"""Regenerate the README's images in docs/img/ from today's outputs over reports/.

    python docs/make_images.py

- docs/img/sammanstallning.png: the overview of every bundled report
  (`malkoll check reports --overview …`), photographed by headless Chromium
  (Debian's `chromium`).
- docs/img/kommentarer.png: a page of the annotated copy of
  reports/aspudden_vb2025_export.docx with its comments in the margin:
  LibreOffice exports it to PDF (comments in the margin need LibreOffice 7.5
  or later) and pdftoppm (Debian's `poppler-utils`) makes the page a PNG.

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
    target = IMAGES / "sammanstallning.png"
    chromium = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                     if (found := shutil.which(name))), None)
    if chromium is None:
        print(f"Chromium finns inte: {target} gjordes inte om.")
        return
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={work / 'chromium'}", f"--window-size={WINDOW}", f"--screenshot={target}",
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
        shown = ".".join(map(str, version)) if version else "okänd"
        print(f"LibreOffice {shown} kan inte lägga kommentarerna i marginalen i en PDF (7.5 eller senare behövs): "
              f"{target} gjordes inte om.")
        return
    export = 'pdf:writer_pdf_Export:{"ExportNotesInMargin":{"type":"boolean","value":"true"}}'
    subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless", "--convert-to",
                    export, "--outdir", str(work), str(copy)], check=True, capture_output=True, timeout=TIMEOUT)
    pdf = work / f"{copy.stem}.pdf"
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", str(PAGE), "-l", str(PAGE), "-singlefile", str(pdf),
                    str(work / "sida")], check=True, capture_output=True, timeout=TIMEOUT)
    shutil.copyfile(work / "sida.png", target)
    print(f"{target} är gjord.")


def _libreoffice_version(soffice: str, work: Path) -> tuple[int, ...]:
    done = subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo').as_uri()}", "--version"],
                          capture_output=True, text=True, timeout=TIMEOUT)
    found = re.search(r"(\d+)\.(\d+)", done.stdout)
    return (int(found.group(1)), int(found.group(2))) if found else ()


if __name__ == "__main__":
    raise SystemExit(main())
