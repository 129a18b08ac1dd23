"""A report read as PDF is understood as its .docx is, state by state (issue 17, "Tests").

Each source document is built twice from one spec: as a .docx by the fixture
builder and as a PDF by the PDF fixture builder (tests/fixtures/pdfbuilder.py),
in each state a PDF arrives in: saved from Word (ruled tables), printed (no
rules, Times) and a scan's OCR layer (damaged characters, stray icon
characters). The PDF is compared with the .docx it was made from (the export
for the first two, the .docx scan state for the scan):

- the same structure: the signature tests/test_states_agree.py holds the
  three .docx states to (goals, levels, statuses, parts, result items,
  indicators, activities, complaint rows, kind, year, unit);
- the same findings of the rule catalogue: rule, severity, what they concern,
  the goal path and the quoted text; for a scan, whose wording is damaged
  differently in the two files, the rule, severity, kind of target and depth;
- the same structure for documents of the benchmark corpus too (the seeds' goals
  redrawn and reworded), so the reader is held to the family, not to two files;
- findings in the PDF located by page and line ("sida 7, rad 12"), on the page that shows
  what the .docx finding's paragraph or table row says.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
import pypdfium2 as pdfium
import pytest

from checker.engine import RuleSet, check_report, default_rules_dir, load_rules
from checker.findings import Finding
from checker.model import Report, Source
from checker.reading.report import read_report
from tests.benchmark import corpus
from tests.fixtures import docbuilder as db
from tests.fixtures import pdfbuilder as pb
from tests.test_states_agree import signature

# "whole": the document as built; "body": exported alone (no front page, as seed 001 arrived), so
# type, year and unit come from the body; "ocr" (scan only): the text layer drawn invisibly
# (render mode 3), as an OCR layer over a page image is.
VARIANTS = ("whole", "body")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf_states")


@lru_cache(maxsize=1)
def catalog() -> RuleSet:
    return load_rules([default_rules_dir()]).filtered()


@lru_cache(maxsize=None)
def _read(path: Path) -> tuple[Report, tuple[Finding, ...]]:
    report = read_report(path)
    return report, tuple(check_report(report, catalog()))


def built(folder: Path, source: str, state: str, variant: str) -> tuple[Path, Path]:
    """The .docx and the PDF of one source, state and variant (built once per test session)."""
    front_page = variant != "body"
    spec = db.load_source(source)
    docx_state = pb.DOCX_STATE[state]
    docx_path = folder / f"{source}_{docx_state}_{'whole' if front_page else 'body'}.docx"
    pdf_path = folder / f"{source}_{state}_{variant}.pdf"
    if not docx_path.exists():
        db.build_docx(spec, docx_path, state=docx_state, front_page=front_page)
    if not pdf_path.exists():
        pb.build_pdf(spec, pdf_path, state=state, front_page=front_page,  # type: ignore[arg-type]
                     invisible_text=variant == "ocr")
    return docx_path, pdf_path


def built_from_corpus(folder: Path, base: str, state: str, variant: int) -> tuple[Path, Path]:
    """The .docx and PDF of a benchmark-corpus document: the seeds' goals redrawn, renamed, reordered."""
    spec = corpus.spec_for(corpus.DocPlan(base, pb.DOCX_STATE[state], 1, variant))
    docx_path = folder / f"corpus_{base}{variant}_{pb.DOCX_STATE[state]}.docx"
    pdf_path = folder / f"corpus_{base}{variant}_{state}.pdf"
    if not docx_path.exists():
        db.build_docx(spec, docx_path, state=pb.DOCX_STATE[state], seed=variant)
    if not pdf_path.exists():
        pb.build_pdf(spec, pdf_path, state=state, seed=variant)  # type: ignore[arg-type]
    return docx_path, pdf_path


def what_was_found(findings: tuple[Finding, ...], state: str) -> list[tuple[Any, ...]]:
    """What a user compares between the two files: the wording too, unless a scan damaged it."""
    if state == "scan":
        return [(f.rule, f.severity, f.target_type, len(f.location.path)) for f in findings]
    return [(f.rule, f.severity, f.target_type, _words(f.target), tuple(_words(p) for p in f.location.path),
             _words(f.quote), _words(f.message)) for f in findings]


def _words(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def differences(docx: dict[str, Any], pdf: dict[str, Any]) -> dict[str, Any]:
    return {key: (docx[key], pdf[key]) for key in docx if docx[key] != pdf.get(key)}


CASES = [(source, state, variant) for source in pb.SOURCES for state in pb.PDF_STATES for variant in VARIANTS]
CASES += [(source, "scan", "ocr") for source in pb.SOURCES]
# Beyond the two seeds: documents of the benchmark corpus (tests/benchmark/corpus.py), whose goals
# are drawn, ordered and worded differently, so page breaks and wrapping fall elsewhere.
CORPUS_CASES = [(base, state, variant) for base in corpus.BASES for state in pb.PDF_STATES for variant in (0, 1)]


def assert_same_structure(folder: Path, source: str, state: str, variant: str | int) -> None:
    """`variant` "whole", "body" or "ocr" of a source, or the number of a corpus document of base `source`."""
    if isinstance(variant, int):
        docx_path, pdf_path = built_from_corpus(folder, source, state, variant)
    else:
        docx_path, pdf_path = built(folder, source, state, variant)
    expected = signature(_read(docx_path)[0])
    assert expected["enhetsmal"] and all(expected["kf_mal"])  # the .docx itself is read fully
    assert not differences(expected, signature(_read(pdf_path)[0]))


def assert_same_findings(folder: Path, source: str, state: str, variant: str) -> None:
    docx_path, pdf_path = built(folder, source, state, variant)
    expected = what_was_found(_read(docx_path)[1], state)
    assert expected  # the seeds have findings: an empty comparison would prove nothing
    actual = what_was_found(_read(pdf_path)[1], state)
    missing = list((Counter(expected) - Counter(actual)).elements())
    extra = list((Counter(actual) - Counter(expected)).elements())
    assert (missing, extra) == ([], [])
    assert actual == expected  # in the same (document) order


@pytest.mark.parametrize(("source", "state", "variant"), CASES)
def test_pdf_has_the_structure_of_its_docx(folder: Path, source: str, state: str, variant: str) -> None:
    assert_same_structure(folder, source, state, variant)


@pytest.mark.parametrize(("base", "state", "variant"), CORPUS_CASES)
def test_corpus_pdf_has_the_structure_of_its_docx(folder: Path, base: str, state: str, variant: int) -> None:
    assert_same_structure(folder, base, state, variant)


@pytest.mark.parametrize(("source", "state", "variant"), CASES)
def test_pdf_gives_the_findings_of_its_docx(folder: Path, source: str, state: str, variant: str) -> None:
    assert_same_findings(folder, source, state, variant)


# --------------------------------------------------------------------------- where a finding is


def page_words(path: Path) -> list[str]:
    """Each page's words run together (hyphenated words joined): what a page shows, spacing aside."""
    document = pdfium.PdfDocument(str(path))
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return [_run_together(re.sub(r"[\ufffe\x02]", "", text)) for text in texts]


def _run_together(text: str) -> str:
    return "".join(re.findall(r"\w+", text))


def docx_block_text(document: Any, source: Source) -> str:
    """The text of the paragraph or table row (its cell) a .docx finding points at."""
    if source.table is not None:
        row = document.tables[source.table].rows[source.row or 0]
        return row.cells[source.column or 0].text
    assert source.paragraph is not None
    return document.paragraphs[source.paragraph].text


@pytest.mark.parametrize("state", ["export", "print"])
@pytest.mark.parametrize("source", pb.SOURCES)
def test_pdf_findings_point_at_the_page_and_line_that_show_them(folder: Path, source: str, state: str) -> None:
    """A PDF finding says "sida N, rad M"; page N shows what the .docx finding's paragraph or row says."""
    docx_path, pdf_path = built(folder, source, state, "whole")
    pages = page_words(pdf_path)
    document = docx.Document(str(docx_path))
    unmatched = list(_read(pdf_path)[1])
    wrong = []
    for expected in _read(docx_path)[1]:
        if expected.location.source is None:
            continue
        finding = next((f for f in unmatched if _same(f, expected)), None)
        if finding is None:
            continue  # a missing finding is test_pdf_gives_the_findings_of_its_docx's to report
        unmatched.remove(finding)
        where = finding.location.source
        if where is None or where.page is None or where.line is None or where.line < 1:
            wrong.append((finding.rule, finding.target, where))
            continue
        shown = _run_together(" ".join(re.findall(r"\w+", docx_block_text(document, expected.location.source))[:3]))
        if not 1 <= where.page <= len(pages) or shown not in pages[where.page - 1]:
            wrong.append((finding.rule, shown, where.describe()))
    assert not wrong


def _same(pdf: Finding, docx_finding: Finding) -> bool:
    return (pdf.rule, pdf.target_type, _words(pdf.target)) == (docx_finding.rule, docx_finding.target_type,
                                                                _words(docx_finding.target))
