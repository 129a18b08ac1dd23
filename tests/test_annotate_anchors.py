"""Every comment of an annotated copy covers the text its finding is about.

The ranges are read back from the written file's XML (w:commentRangeStart …
w:commentRangeEnd in word/document.xml), not from what the code meant to do:
a comment that lands on another table's row is exactly what an author would
see and what these tests must catch. Run over every bundled sample report,
the tertial report in the two states that are not bundled, and a document
with many tables, each annotated three times.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from checker.output.annotate import annotate
from checker.engine import check_report, default_rules_dir, load_rules
from checker.findings import Finding
from checker.model import Report
from checker.reading.report import read_report
from tests.fixtures import docbuilder as db
from tests.test_annotate import verdict_for

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REPORTS = Path(__file__).resolve().parent.parent / "reports"
SAMPLES = sorted(REPORTS.glob("*.docx"))
RUNS = 3


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def comment_ranges(path: Path) -> list[tuple[str, str]]:
    """(comment text, text of the range it is anchored to), in the order the comments were added."""
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        comments = etree.fromstring(package.read("word/comments.xml"))
    covered: dict[str, list[str]] = {}
    open_ranges: set[str] = set()
    for element in body.iter():
        if element.tag == W + "commentRangeStart":
            open_ranges.add(element.get(W + "id"))
            covered.setdefault(element.get(W + "id"), [])
        elif element.tag == W + "commentRangeEnd":
            open_ranges.discard(element.get(W + "id"))
        elif element.tag == W + "t":
            for cid in open_ranges:
                covered[cid].append(element.text or "")
    texts = {
        c.get(W + "id"): "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in c.iter(W + "p"))
        for c in comments.iter(W + "comment")
    }
    order = sorted(texts, key=int)
    return [(texts[cid], "".join(covered.get(cid, []))) for cid in order]


def _norm(text: str) -> str:
    # Without any spaces: a scanned cell may read "Sjukfrånvar o" where the finding says "Sjukfrånvaro".
    return "".join(text.casefold().split())


def wanted_texts(finding: Finding) -> list[str]:
    """What the commented text must contain one of: the target, the quote or the goal's title."""
    wanted = [finding.target, finding.quote]
    if finding.location.path:
        goal = finding.location.path[-1]
        wanted.append(goal.split(": ", 1)[1] if ": " in goal else goal)
    return [_norm(w) for w in wanted if w and w.strip()]


def goal_texts(report: Report) -> dict[str, str]:
    """Each unit goal's title → every text written under it (its parts, as read and as written)."""
    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    return {goal.title: _norm(" ".join(strings(goal.model_dump()))) for goal in report.all_enhetsmal()}


def covers(finding: Finding, covered: str, goals: dict[str, str]) -> bool:
    """The range holds the target, quote or goal title; or, for a finding about a part of a
    unit goal (its analysis, say), the range is text written under that goal."""
    text = _norm(covered)
    if any(w in text for w in wanted_texts(finding)):
        return True
    own = goals.get(finding.target or "")
    return finding.target_type == "enhetsmal" and own is not None and bool(text) and text in own


def annotate_three_times(source: Path, out: Path, catalog) -> tuple[list[Finding], list[Path], dict[str, str]]:
    report = read_report(source)
    findings = check_report(report, catalog)
    copies = []
    for run in range(RUNS):
        target = out / f"kopia{run}.granskning.docx"
        annotate(source, target, out, findings, verdict_for(findings), help_for=lambda rid: catalog.get(rid).help)
        copies.append(target)
    return findings, copies, goal_texts(report)


def assert_anchored(findings: list[Finding], copy: Path, goals: dict[str, str]) -> None:
    ranges = comment_ranges(copy)
    assert len(ranges) == len(findings) + 1
    title_range = ranges[0][1]
    misplaced = []
    for finding, (comment, covered) in zip(findings, ranges[1:], strict=True):
        assert f"(regel {finding.rule})" in comment
        if finding.location.source is None:
            ok = covered == title_range
        else:
            ok = covers(finding, covered, goals)
        if not ok:
            misplaced.append(f"{finding.rule} {finding.location.source} {finding.target!r}: kommenterar {covered[:300]!r}")
    assert not misplaced, "\n".join(misplaced)


def assert_on_title(source: Path, copy: Path) -> None:
    """The summary (the first comment) covers the title the reader found, e.g. "Verksamhetsberättelse 2025";
    a document without a title page (seed 001 starts at "Inledning") has it on its first line of text."""
    title = read_report(source).title
    covered = _norm(comment_ranges(copy)[0][1])
    if title is not None:
        assert covered == _norm(title)
    else:
        first = next(p.text for p in docx.Document(str(source)).paragraphs if p.text.strip())
        assert covered == _norm(first)


def assert_identical(copies: list[Path]) -> None:
    def parts(path: Path) -> tuple[bytes, bytes]:
        with zipfile.ZipFile(path) as package:
            return package.read("word/comments.xml"), package.read("word/document.xml")

    first = parts(copies[0])
    assert all(parts(copy) == first for copy in copies[1:])


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_comments_cover_their_findings_in_every_sample(sample: Path, tmp_path: Path, catalog) -> None:
    findings, copies, goals = annotate_three_times(sample, tmp_path, catalog)
    assert any(f.location.source is not None and f.location.source.table is not None for f in findings)
    for copy in copies:
        assert_anchored(findings, copy, goals)
    assert_on_title(sample, copies[0])
    assert_identical(copies)


@pytest.mark.parametrize("state", ["hand", "scan"])
def test_comments_cover_their_findings_in_a_tertial_report(state: str, tmp_path: Path, catalog) -> None:
    source = tmp_path / f"t2_{state}.docx"
    db.build_docx(db.to_tertialrapport(db.load_source("aspudden_vb2025"), tertial=2), source, state=state)
    findings, copies, goals = annotate_three_times(source, tmp_path / "ut", catalog)
    for copy in copies:
        assert_anchored(findings, copy, goals)
    assert_on_title(source, copies[0])
    assert_identical(copies)


def many_tables(goals: int) -> db.DocSpec:
    """A report with one indicator table and one activity table per unit goal, no analyses anywhere."""
    spec = (
        db.DocSpec().set(kind="VB", year=2025, unit="Tabellenheten").logo().para("Tabellenheten")
        .title("Verksamhetsberättelse 2025").page_break()
        .kf_inriktningsmal("1. Ett Stockholm som håller samman")
        .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i")
    )
    for n in range(1, goals + 1):
        spec = (
            spec.enhetsmal(f"Enheten arbetar med mål nummer {n} om trygghet")
            .status("Uppfylls delvis", glyph="pua")
            .label("Förväntat resultat").numbered([f"Resultat {n}."])
            .label("Analys").empty()
            .indikator_table([[f"Andel nöjda i mätning {n}", f"{60 + n} %", "", "", "", "90 %", "", "2025"],
                              [f"Antal besök i grupp {n}", "", "", "", "", "12", "", "2025"]])
        )
    return spec


def test_comments_cover_their_findings_in_a_document_with_many_tables(tmp_path: Path, catalog) -> None:
    source = tmp_path / "tabeller.docx"
    db.build_docx(many_tables(25), source, state="export")
    findings, copies, goals = annotate_three_times(source, tmp_path / "ut", catalog)
    in_tables = [f for f in findings if f.location.source is not None and f.location.source.table is not None]
    assert len({f.location.source.table for f in in_tables}) >= 20
    for copy in copies:
        assert_anchored(findings, copy, goals)
    assert_on_title(source, copies[0])
    assert_identical(copies)


def test_activity_comment_sits_on_its_title_not_on_a_check_mark_column(tmp_path: Path, catalog) -> None:
    spec = (
        db.DocSpec().set(kind="VB", year=2025, unit="Testenheten").logo().para("Testenheten")
        .title("Verksamhetsberättelse 2025").page_break()
        .kf_inriktningsmal("1. Ett Stockholm som håller samman")
        .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i")
        .enhetsmal("Enheten arbetar för trygghet").status("Uppfylls delvis", glyph="pua")
        .label("Förväntat resultat").numbered(["Ökad trygghet."])
        .label("Analys").para("Enheten bedömer att målet uppfylls delvis eftersom mätningen visade 80 procent.")
        # A first column holding only a ✓, as some exports have it.
        .table("aktivitet", ["", "Aktivitet", "Startdatum", "Slutdatum", "Avvikelse"],
               [["✓", "Personalen går utbildning i bemötande", "2025-01-01", "2025-12-31", ""]])
    )
    source = tmp_path / "aktivitet.docx"
    db.build_docx(spec, source, state="export")
    findings, copies, goals = annotate_three_times(source, tmp_path / "ut", catalog)
    assert [f.rule for f in findings] == ["AK01"]
    assert comment_ranges(copies[0])[1][1].strip() == "Personalen går utbildning i bemötande"


def test_a_rules_help_text_is_in_its_first_comment_only(tmp_path: Path, catalog) -> None:
    source = tmp_path / "tabeller.docx"
    db.build_docx(many_tables(4), source, state="export")
    findings, copies, _ = annotate_three_times(source, tmp_path / "ut", catalog)
    comments = [text for text, _ in comment_ranges(copies[0])[1:]]
    repeated = {f.rule for f in findings if sum(g.rule == f.rule for g in findings) > 1}
    assert "IN01" in repeated
    for rule in {f.rule for f in findings}:
        help_text = " ".join(catalog.get(rule).help.split()[:6])
        of_rule = [c for c in comments if f"(regel {rule})" in c]
        with_help = [c for c in of_rule if help_text in " ".join(c.split())]
        assert with_help == of_rule[:1], rule  # the first in the document, as the findings come in reading order
        assert all(len(c.splitlines()) == 1 for c in of_rule[1:])
