"""Threads and the overview mix .docx and PDF (issue 17): last year's published VB, which
survives as a PDF, is part of the unit's history beside this year's plan in Word, and a
PDF's goals are followed through the year like a Word document's.

A thread is one unit's year (VP, T1, T2, VB of the same year; checker.threads.grouping),
so last year's VB and this year's VP are two threads of the same unit, listed together.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path


from tests.benchmark.corpus import rename_unit, replace_text
from tests.fixtures import docbuilder as db

REPO = Path(__file__).resolve().parents[1]
UNIT = "Aspuddens hemtjänst"


def _malkoll(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})


def _in_year(spec: db.DocSpec, old: int, new: int) -> db.DocSpec:
    replace_text(spec, lambda text: re.sub(rf"\b{old}\b", str(new), text))
    spec.meta = {key: re.sub(rf"\b{old}\b", str(new), value) for key, value in spec.meta.items()}
    return spec


def vb(year: int) -> db.DocSpec:
    """Aspudden's VB (the seed is 2025) for `year`."""
    return _in_year(db.load_source("aspudden_vb2025"), 2025, year)


def vp(year: int) -> db.DocSpec:
    """A plan for Aspudden in `year` (the Hägersten-Älvsjö seed's plan, renamed)."""
    spec = _in_year(db.load_source("hagersten_alvsjo_vp2024"), 2024, year)
    rename_unit(spec, "Hägersten-Älvsjö hemtjänst", UNIT)
    spec.meta["unit"] = UNIT
    return spec


def as_pdf(spec: db.DocSpec, path: Path) -> Path:
    from tests.fixtures.pdfbuilder import build_pdf

    path.parent.mkdir(parents=True, exist_ok=True)
    build_pdf(spec, path, state="export")
    return path


def as_docx(spec: db.DocSpec, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    db.build_docx(spec, path, state="export")
    return path


def threads_json(folder: Path) -> dict:
    run = _malkoll("thread", str(folder), "--format", "json", cwd=folder.parent)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_last_years_published_vb_pdf_is_in_the_units_history(tmp_path: Path) -> None:
    folder = tmp_path / "Aspudden"
    as_pdf(vb(2024), folder / "VB 2024 (publicerad).pdf")
    as_docx(vp(2025), folder / "VP 2025.docx")
    data = threads_json(folder)
    assert data["unplaced"] == []
    by_year = {thread["year"]: thread for thread in data["threads"]}
    assert sorted(by_year) == [2024, 2025]
    assert {thread["unit"] for thread in data["threads"]} == {UNIT}  # one unit, its two years
    assert by_year[2024]["documents"]["VB"] == ["VB 2024 (publicerad).pdf"]
    assert by_year[2025]["documents"]["VP"] == ["VP 2025.docx"]

    out = tmp_path / "ut"
    _malkoll("check", str(folder), "-q", "--overview", str(out), cwd=tmp_path)
    page = (out / "sammanstallning.html").read_text(encoding="utf-8")
    for name in ("VB 2024 (publicerad).pdf", "VP 2025.docx"):
        assert name in page
    assert "INTE GRANSKAD" not in page and "KUNDE INTE LÄSAS" not in page


def test_a_pdfs_goals_are_followed_into_a_word_report(tmp_path: Path) -> None:
    """One thread of a PDF and a .docx: each goal of the VB read from the PDF is found in the T2 in Word."""
    folder = tmp_path / "Aspudden"
    as_docx(db.to_tertialrapport(vb(2025), tertial=2), folder / "T2 2025.docx")
    as_pdf(vb(2025), folder / "VB 2025.pdf")
    data = threads_json(folder)
    [thread] = data["threads"]
    assert (thread["unit"], thread["year"]) == (UNIT, 2025)
    assert thread["documents"]["T2"] == ["T2 2025.docx"] and thread["documents"]["VB"] == ["VB 2025.pdf"]
    goals = thread["goals"]
    assert goals
    followed = [g for g in goals if g["documents"]["T2"] is not None and g["documents"]["VB"] is not None]
    assert len(followed) == len(goals), [g["title"] for g in goals if g not in followed]


def test_the_overview_lists_the_pdf_in_the_units_thread(tmp_path: Path) -> None:
    """The overview's thread table follows the goals into the VB read from the PDF, bedömning and all."""
    from openpyxl import load_workbook

    folder = tmp_path / "Aspudden"
    as_docx(db.to_tertialrapport(vb(2025), tertial=2), folder / "T2 2025.docx")
    as_pdf(vb(2025), folder / "VB 2025.pdf")
    out = tmp_path / "ut"
    _malkoll("check", str(folder), "-q", "--overview", str(out), cwd=tmp_path)
    page = (out / "sammanstallning.html").read_text(encoding="utf-8")
    assert "VB 2025.pdf" in page and "T2 2025.docx" in page
    book = load_workbook(out / "sammanstallning.xlsx", read_only=True)
    files = {row[0]: row for row in book["Filer"].iter_rows(min_row=2, values_only=True)}
    assert files["VB 2025.pdf"][1:4] == (UNIT, "Verksamhetsberättelse", 2025)
    header, summary, *goals = book["Trådar"].iter_rows(values_only=True)
    t2, vb_column = header.index("T2"), header.index("VB")
    assert (summary[0], summary[1], summary[t2], summary[vb_column]) == (UNIT, 2025, "finns", "finns")
    assert goals and all(row[vb_column] == row[t2] for row in goals), goals  # the same bedömning, read from the PDF
