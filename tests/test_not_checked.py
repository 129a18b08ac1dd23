"""Every file accounted for: a .doc, .odt or .rtf in a checked or watched folder
is listed as "inte granskad" with the reason (terminal, JSON, overview, watch's reply
file), while Word's lock files and Målkoll's own outputs stay silently skipped.
Listing does not fail a folder's run; a file named explicitly that cannot be read
still does (exit 1). (A PDF is checked like a .docx: tests/test_pdf_workflow.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "reports" / "aspudden_vb2025_export.docx"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OTHERS = ("Enhet A.doc", "plan.odt", "brev.rtf")
SILENT = ("~$rapport.docx", "~$gammal.doc", ".dold.pdf")
OWN_OUTPUT = "rapport.granskning.docx"  # with a real document beside it (a folder of only outputs is refused)


def _malkoll(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _mixed(folder: Path, *, with_docx: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in OTHERS + SILENT:
        (folder / name).write_bytes(PDF if name.endswith(".pdf") else b"x" * 20)
    if with_docx:
        shutil.copy(SEED, folder / SEED.name)
        shutil.copy(SEED, folder / OWN_OUTPUT)
    return folder


def test_terminal_lists_other_formats_with_reason_and_skips_lock_files(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "in", with_docx=False)
    result = _malkoll("check", str(folder), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # listed, not failed
    out = " ".join(result.stdout.split())
    for name in OTHERS:
        assert name in out
    assert out.count("INTE GRANSKAD") == len(OTHERS)
    assert "inte granskad: äldre Word-format (.doc)" in out and "(.odt)" in out and "RTF-fil" in out
    for name in SILENT:
        assert name not in out
    assert "3 filer i andra format granskades inte" in out


def test_a_failing_docx_still_decides_the_exit_code(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "in", with_docx=True)
    alone = _malkoll("check", str(folder / SEED.name), "-q", cwd=tmp_path).returncode
    result = _malkoll("check", str(folder), "-q", cwd=tmp_path)
    assert result.returncode == alone == 1
    out = " ".join(result.stdout.split())
    assert "Granskade 1 fil" in out and OWN_OUTPUT not in out and "~$" not in out


def test_json_marks_them_not_checked(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "in", with_docx=False)
    result = _malkoll("check", str(folder), "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    listed = {Path(f["path"]).name: f for f in data["files"]}
    assert set(listed) == set(OTHERS)
    assert all(f["not_checked"] and f["error"] and not f["passed"] for f in listed.values())
    assert data["summary"]["not_checked"] == 3 and data["summary"]["files"] == 0
    assert data["passed"] is True


def test_overview_lists_them(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "in", with_docx=False)
    _malkoll("check", str(folder), "-q", "--overview", str(tmp_path / "ut"), cwd=tmp_path)
    page = (tmp_path / "ut" / "sammanstallning.html").read_text(encoding="utf-8")
    assert "INTE GRANSKAD" in page and "3 inte granskade" in page
    for name in OTHERS:
        assert name in page


def test_watch_writes_a_reply_file_for_each(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "in", with_docx=False)
    result = _malkoll("watch", str(folder), "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    reply = (folder / "granskning" / "Enhet A.doc.granskning.txt").read_text(encoding="utf-8-sig")
    assert "INTE GRANSKAD" in reply and "(.doc)" in reply
    assert result.stdout.count("INTE GRANSKAD") == len(OTHERS)
    assert "INTE GRANSKAD" in (folder / "granskning" / "sammanstallning.html").read_text(encoding="utf-8")
