"""A folder mixing .docx and PDF versions of the sample reports gives the same findings for
both versions of each document (issue 17, "done when"): the same rule, target and message;
only the location differs ("sida 7, rad 12" in the PDF, "stycke 38" in the .docx).

The PDFs are made as a unit makes them: by LibreOffice from reports/*.docx (soffice, which
.ci/run installs; tests/external.py: missing in CI fails, elsewhere skips), and by the
fixture builder (tests/fixtures/pdfbuilder.py). Both versions lie in one folder and are
checked in one `malkoll check` run, thread rules and all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.external import missing

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted(path.stem for path in (REPO / "reports").glob("*.docx"))
# The seeds whose PDF the reader does not yet read as its .docx (to be closed by the reader, issue 17):
# a hand-made document's tables and a scan's OCR text.
NOT_YET = {
    "aspudden_vb2025_scan": "skannad text: en aktivitetsrad vars ikon står på en egen rad läses inte som i .docx (AK01)",
    "hagersten_alvsjo_vp2024_hand": "handgjord: rubriken Budget 2024 läses utan sin text (DK02 bara i PDF:en)",
}
# The fixture builder's PDF states compared with the .docx state they were made from. Not the scan: the
# builder garbles the .docx and the PDF independently (same rates, other letters), so their targets differ.
BUILDER_STATES = ("export", "print")

Key = tuple[str, str | None, str]


def _check_json(folder: Path) -> dict[str, dict[str, Any]]:
    run = subprocess.run([sys.executable, "-m", "checker", "check", str(folder), "--format", "json"],
                         cwd=folder.parent, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode in (0, 1), run.stderr[-3000:]
    return {Path(entry["path"]).name: entry for entry in json.loads(run.stdout)["files"]}


def _findings(entry: dict[str, Any]) -> Counter[Key]:
    assert entry["error"] is None, entry["error"]
    return Counter((f["rule"], f["target"], f["message"]) for f in entry["findings"])


def _differences(docx: dict[str, Any], pdf: dict[str, Any]) -> str:
    ours, theirs = _findings(docx), _findings(pdf)
    lines = [f"bara i .docx: {key}" for key in sorted((ours - theirs).elements(), key=str)]
    lines += [f"bara i PDF: {key}" for key in sorted((theirs - ours).elements(), key=str)]
    for field in ("kind", "tertial", "year", "unit"):
        if docx[field] != pdf[field]:
            lines.append(f"{field}: {docx[field]!r} i .docx, {pdf[field]!r} i PDF")
    return "\n".join(lines)


def _assert_same(docx: dict[str, Any], pdf: dict[str, Any]) -> None:
    difference = _differences(docx, pdf)
    assert not difference, f"{docx['path']} och {pdf['path']} skiljer sig:\n{difference}"
    # Only the place differs: a PDF's finding says its page and line.
    for finding in pdf["findings"]:
        source = finding["location"]["source"]
        if source is not None:
            assert source["page"] is not None and finding["location"]["description"].startswith("sida ")


@pytest.fixture(scope="module")
def libreoffice_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    if shutil.which("soffice") is None:
        missing("LibreOffice (soffice) finns inte på den här datorn")
    work = tmp_path_factory.mktemp("lo")
    folder = work / "Inlämnat"
    folder.mkdir()
    for stem in SEEDS:
        shutil.copy(REPO / "reports" / f"{stem}.docx", folder / f"{stem}.docx")
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work / 'lo-profil'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), *(str(folder / f"{stem}.docx") for stem in SEEDS)],
        capture_output=True, text=True, timeout=600,
    )
    made = sorted(path.stem for path in folder.glob("*.pdf"))
    assert made == SEEDS, completed.stderr
    return _check_json(folder)


@pytest.mark.parametrize("stem", [
    pytest.param(stem, marks=pytest.mark.xfail(reason=NOT_YET[stem], strict=True)) if stem in NOT_YET else stem
    for stem in SEEDS
])
def test_libreoffice_pdf_gives_the_docx_findings(libreoffice_folder: dict[str, dict[str, Any]], stem: str) -> None:
    _assert_same(libreoffice_folder[f"{stem}.docx"], libreoffice_folder[f"{stem}.pdf"])


def test_the_mixed_folder_is_checked_as_documents_not_listed(libreoffice_folder: dict[str, dict[str, Any]]) -> None:
    assert sorted(libreoffice_folder) == sorted([f"{stem}.docx" for stem in SEEDS] + [f"{stem}.pdf" for stem in SEEDS])
    assert not any(entry["not_checked"] or entry["error"] for entry in libreoffice_folder.values())


@pytest.fixture(scope="module")
def builder_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    from tests.fixtures import docbuilder as db
    from tests.fixtures.pdfbuilder import DOCX_STATE, SOURCES, build_pdf

    folder = tmp_path_factory.mktemp("bygg") / "Inlämnat"
    folder.mkdir()
    for stem in SOURCES:
        spec = db.load_source(stem)
        for state in {DOCX_STATE[state] for state in BUILDER_STATES}:
            db.build_docx(spec, folder / f"{stem}_{state}.docx", state=state)
        for state in BUILDER_STATES:
            build_pdf(spec, folder / f"{stem}_{state}.pdf", state=state)
    return _check_json(folder)


@pytest.mark.parametrize("state", BUILDER_STATES)
@pytest.mark.parametrize("stem", ["aspudden_vb2025", "hagersten_alvsjo_vp2024"])
def test_builder_pdf_gives_the_docx_findings(builder_folder: dict[str, dict[str, Any]], stem: str, state: str) -> None:
    from tests.fixtures.pdfbuilder import DOCX_STATE

    _assert_same(builder_folder[f"{stem}_{DOCX_STATE[state]}.docx"], builder_folder[f"{stem}_{state}.pdf"])
