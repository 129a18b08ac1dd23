"""Annotated PDF copies: a highlight with a note on the text each finding is about.

The PDFs are drawn with reportlab in the test, laid out as a report printed to
PDF: a page header, a goal title wrapped and hyphenated over two lines, an
indicator table, the indicator's name also in running text. Findings are made
by hand with the page and line the PDF reader gives them. The copies are opened
again with pypdf (the annotations) and pypdfium2 (the text under each
highlight's rectangles): a note "sits on the text it is about" when the text
under its highlight is the goal's or the indicator's. The last tests go the
whole way: the fixture builder's PDFs (exported, printed, scanned), read by the
PDF reader and checked by `malkoll check --annotate`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from checker.batch import Job, annotate_result
from checker.cli import main
from checker.findings import Finding, Location, Severity
from checker.model import Source
from checker.output.annotate import (
    AUTHOR,
    AnnotateError,
    Verdict,
    annotated_path,
    finding_comment,
    is_output_name,
    summary_comment,
    text_report_path,
)
from checker.output.annotate_pdf import annotate_pdf, squash
from checker.results import FileResult
from checker.session import _annotation_targets
from tests.fixtures import docbuilder as db
from tests.fixtures.pdfbuilder import PDF_STATES, build_pdf
from tests.test_annotate import report_spec

GOAL = "Enheten arbetar för trygghet och delaktighet för alla äldre"
INDICATOR = "Andel nöjda brukare"
WIDTH, HEIGHT = A4


def draw_report(path: Path) -> Path:
    """Two pages: header, title, a goal wrapped with a hyphen, a paragraph naming the indicator, then its table."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in (1, 2):
        pdf.setFont("Helvetica", 9)
        pdf.drawString(50, HEIGHT - 30, f"Tjänsteutlåtande                Sid {page} (2)")
        if page == 1:
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(50, HEIGHT - 80, "Verksamhetsberättelse 2025")
            pdf.setFont("Helvetica-Bold", 11)
            pdf.drawString(50, HEIGHT - 120, "Enhetsmål: Enheten arbetar för trygghet och delak-")
            pdf.drawString(50, HEIGHT - 134, "tighet för alla äldre")
            pdf.setFont("Helvetica", 11)
            pdf.drawString(50, HEIGHT - 160, "Förväntat resultat")
            pdf.drawString(50, HEIGHT - 180, f"Vi mäter {INDICATOR.lower()} varje år.")
            pdf.drawString(50, HEIGHT - 220, "Indikator")
            pdf.drawString(250, HEIGHT - 220, "Utfall")
            pdf.drawString(50, HEIGHT - 240, INDICATOR)
            pdf.drawString(250, HEIGHT - 240, "80 %")
            pdf.line(45, HEIGHT - 226, 400, HEIGHT - 226)
        else:
            pdf.setFont("Helvetica", 11)
            pdf.drawString(50, HEIGHT - 80, "Analys")
            pdf.drawString(50, HEIGHT - 100, "Året har präglats av arbete med kontinuitet.")
        pdf.showPage()
    pdf.save()
    return path


def finding(rule: str, severity: Severity, message: str, target: str | None, *, page: int | None = None,
            line: int | None = None, block: int = 0, quote: str | None = None) -> Finding:
    source = Source(block=block, page=page, line=line) if page is not None else None
    return Finding(rule, severity, message, target, "enhetsmal", Location((), source), quote=quote)


GOAL_FINDING = finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", GOAL, page=1, line=2, block=2)
# The indicator's name is also in the paragraph on line 5 (the page header not counted); line 7 is its row.
TABLE_FINDING = finding("IN01", Severity.WARNING, "Indikatorn saknar målvärde", INDICATOR, page=1, line=7, block=5)
WHOLE_FINDING = finding("VB10", Severity.INFO, "Dokumentet saknar sammanfattande analys", None)


def verdict_for(findings: list[Finding]) -> Verdict:
    count = lambda s: sum(1 for f in findings if f.severity == s)  # noqa: E731
    return Verdict(passed=count(Severity.ERROR) == 0, errors=count(Severity.ERROR),
                   warnings=count(Severity.WARNING), infos=count(Severity.INFO), fail_level=Severity.ERROR)


def annotations(path: Path) -> list[tuple[int, dict]]:
    """(page index, annotation dictionary) for every annotation in the PDF, in page order."""
    reader = pypdf.PdfReader(str(path))
    return [(number, ref.get_object()) for number, page in enumerate(reader.pages) for ref in page.get("/Annots", [])]


def highlighted_text(path: Path, page: int, annotation: dict) -> str:
    """The text PDFium finds under each of the highlight's quadrilaterals, joined."""
    document = pdfium.PdfDocument(str(path))
    try:
        text = document[page].get_textpage()
        quads = [float(v) for v in annotation["/QuadPoints"]]
        pieces = []
        for k in range(0, len(quads), 8):
            left, top, right, bottom = quads[k], quads[k + 1], quads[k + 2], quads[k + 5]
            pieces.append(text.get_text_bounded(left, bottom, right, top))
        return " ".join(pieces)
    finally:
        document.close()


def line_text(path: Path, page: int, annotation: dict) -> str:
    """The whole printed line (page width) the highlight is on."""
    document = pdfium.PdfDocument(str(path))
    try:
        _, bottom, _, top = (float(v) for v in annotation["/Rect"])
        return document[page].get_textpage().get_text_bounded(0, bottom, WIDTH, top)
    finally:
        document.close()


def write_copy(tmp_path: Path, findings: list[Finding], **kwargs: object) -> tuple[Path, Path]:
    source = draw_report(tmp_path / "vb.pdf")
    out = tmp_path / "ut"
    copy = annotate_pdf(source, out / "vb.granskning.pdf", out, findings, verdict_for(findings), **kwargs)  # type: ignore[arg-type]
    return source, copy


# --- where the notes go ------------------------------------------------------------------


def test_each_finding_is_a_highlight_on_its_text_with_its_note(tmp_path: Path) -> None:
    findings = [GOAL_FINDING, TABLE_FINDING]
    source, copy = write_copy(tmp_path, findings, when="2025-03-01 12:00")
    highlights = [(page, a) for page, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert len(highlights) == len(findings)
    for (page, note), expected in zip(highlights, findings, strict=True):
        assert page == 0
        assert note["/Contents"] == finding_comment(expected, None)
        assert note["/T"] == AUTHOR
        assert note["/Popup"].get_object()["/Subtype"] == "/Popup"
        assert squash(expected.target or "") in squash(highlighted_text(copy, page, note))
    # The wrapped goal is highlighted on both of its lines.
    assert len(highlights[0][1]["/QuadPoints"]) == 16


def test_the_occurrence_at_the_reported_line_is_highlighted(tmp_path: Path) -> None:
    """The indicator's name is in a paragraph and in the table: the row the finding points at wins."""
    in_text = finding("IN01", Severity.WARNING, "Indikatorn nämns", INDICATOR, page=1, line=5, block=4)
    _, copy = write_copy(tmp_path, [TABLE_FINDING, in_text])
    (_, row), (_, paragraph) = [(p, a) for p, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert highlighted_text(copy, 0, row).strip() == INDICATOR
    assert highlighted_text(copy, 0, paragraph).strip().casefold() == INDICATOR.casefold()
    assert "Vi mäter" in line_text(copy, 0, paragraph)
    assert float(row["/Rect"][1]) < float(paragraph["/Rect"][1])  # lower on the page


def test_a_finding_on_a_paragraph_about_a_goal_sits_on_the_paragraph(tmp_path: Path) -> None:
    """Target = the goal's title (line 2), quote = the paragraph at the finding's line (5): the paragraph wins."""
    about = finding("VB06", Severity.WARNING, "Analysen saknar orsak", GOAL, page=1, line=5, block=4,
                    quote=f"Vi mäter {INDICATOR.lower()} varje…")
    _, copy = write_copy(tmp_path, [about])
    [(page, note)] = [(p, a) for p, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert highlighted_text(copy, page, note).strip().startswith("Vi mäter andel nöjda brukare")


def test_summary_note_on_page_one_and_whole_document_findings_beside_it(tmp_path: Path) -> None:
    findings = [GOAL_FINDING, WHOLE_FINDING]
    _, copy = write_copy(tmp_path, findings, when="2025-03-01 12:00")
    notes = [(page, a) for page, a in annotations(copy) if a["/Subtype"] == "/Text"]
    assert [page for page, _ in notes] == [0, 0]
    (_, summary), (_, whole) = notes
    assert summary["/Contents"] == summary_comment(verdict_for(findings), "2025-03-01 12:00")
    assert summary["/Contents"].startswith("Målkoll: UNDERKÄND – 1 fel, 0 varningar, 1 info.")
    assert whole["/Contents"] == finding_comment(WHOLE_FINDING, None)
    assert "Gäller dokumentet som helhet." in whole["/Contents"]
    # Top left of the page, the whole-document note below the summary.
    left, bottom, right, top = (float(v) for v in summary["/Rect"])
    assert left < WIDTH / 4 and top > HEIGHT - 40
    assert float(whole["/Rect"][3]) <= bottom
    assert sum(1 for _, a in annotations(copy) if a["/Subtype"] == "/Highlight") == 1


def test_rule_help_only_in_its_first_note(tmp_path: Path) -> None:
    second = finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", "Analys", page=2, line=1, block=9)
    _, copy = write_copy(tmp_path, [GOAL_FINDING, second], help_for=lambda rule: f"Så rättar du {rule}.")
    texts = [a["/Contents"] for _, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert ["Så rättar du VB03." in text for text in texts] == [True, False]


def test_text_not_on_the_page_highlights_the_reported_line(tmp_path: Path) -> None:
    lost = finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", "Ett mål som inte står här", page=2, line=2)
    _, copy = write_copy(tmp_path, [lost])
    [(page, note)] = [(p, a) for p, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert page == 1
    assert "Året har präglats" in highlighted_text(copy, page, note)


def test_a_title_over_a_page_break_is_highlighted_as_far_as_the_page_has_it(tmp_path: Path) -> None:
    source = tmp_path / "brytning.pdf"
    pdf = canvas.Canvas(str(source), pagesize=A4)
    pdf.drawString(50, 60, "Enhetsmål: Enheten ska arbeta för en god och trygg")
    pdf.showPage()
    pdf.drawString(50, HEIGHT - 60, "vård i livets slutskede")
    pdf.save()
    title = "Enheten ska arbeta för en god och trygg vård i livets slutskede"
    goal = finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", title, page=1, line=1)
    out = tmp_path / "ut"
    copy = annotate_pdf(source, out / "brytning.granskning.pdf", out, [goal], verdict_for([goal]))
    [(page, note)] = [(p, a) for p, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert page == 0
    assert highlighted_text(copy, page, note).strip() == "Enheten ska arbeta för en god och trygg"


# --- the input and the copy --------------------------------------------------------------


def test_input_unchanged_and_no_temp_files(tmp_path: Path) -> None:
    source = draw_report(tmp_path / "vb.pdf")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "ut"
    annotate_pdf(source, out / "vb.granskning.pdf", out, [GOAL_FINDING], verdict_for([GOAL_FINDING]))
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in out.iterdir()) == ["vb.granskning.pdf"]
    assert len(pypdf.PdfReader(str(out / "vb.granskning.pdf")).pages) == 2


def test_copy_onto_the_original_is_refused(tmp_path: Path) -> None:
    source = draw_report(tmp_path / "vb.pdf")
    before = source.read_bytes()
    with pytest.raises(AnnotateError, match="skriva över originalet"):
        annotate_pdf(source, source, tmp_path, [GOAL_FINDING], verdict_for([GOAL_FINDING]))
    assert source.read_bytes() == before


def test_damaged_or_locked_pdf_gives_a_swedish_error_and_no_copy(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 200)
    with pytest.raises(AnnotateError, match="PDF-filen"):
        annotate_pdf(broken, out / "trasig.granskning.pdf", out, [GOAL_FINDING], verdict_for([GOAL_FINDING]))
    locked = tmp_path / "last.pdf"
    pdf = canvas.Canvas(str(locked), pagesize=A4, encrypt="hemligt")
    pdf.drawString(50, 700, GOAL)
    pdf.save()
    with pytest.raises(AnnotateError, match="lösenord|PDF-filen"):
        annotate_pdf(locked, out / "last.granskning.pdf", out, [GOAL_FINDING], verdict_for([GOAL_FINDING]))
    assert not out.exists() or not any(out.iterdir())


def test_a_pdf_with_a_wrong_xref_offset_gets_its_copy_and_no_english_on_stderr(tmp_path: Path) -> None:
    """pypdf mends the file and says so through logging; in the CLI that would reach the user in English."""
    import re
    import subprocess
    import sys

    source = tmp_path / "xref.pdf"
    source.write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n123", draw_report(tmp_path / "hel.pdf").read_bytes()))
    script = (
        "import sys; from pathlib import Path; from checker.output.annotate_pdf import annotate_pdf; "
        "from checker.output.annotate import Verdict; from checker.findings import Severity; "
        "out = Path(sys.argv[2]); "
        "annotate_pdf(Path(sys.argv[1]), out / 'xref.granskning.pdf', out, [], Verdict(True, 0, 0, 0, Severity.ERROR))"
    )
    run = subprocess.run([sys.executable, "-c", script, str(source), str(tmp_path / "ut")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and run.stderr == ""
    assert [a["/Subtype"] for _, a in annotations(tmp_path / "ut" / "xref.granskning.pdf")] == ["/Text", "/Popup"]


def test_pdf_locked_only_against_editing_gets_its_copy(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    source = tmp_path / "skyddad.pdf"
    pdf = canvas.Canvas(str(source), pagesize=A4, encrypt=StandardEncryption("", ownerPassword="ägare", canModify=0))
    pdf.drawString(50, HEIGHT - 120, f"Enhetsmål: {GOAL}")
    pdf.save()
    out = tmp_path / "ut"
    goal = finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", GOAL, page=1, line=1)
    copy = annotate_pdf(source, out / "skyddad.granskning.pdf", out, [goal], verdict_for([goal]))
    [(page, note)] = [(p, a) for p, a in annotations(copy) if a["/Subtype"] == "/Highlight"]
    assert squash(GOAL) in squash(highlighted_text(copy, page, note))


# --- the copy's name and the workers' dispatch ---------------------------------------------


def test_a_pdf_copy_is_named_pdf_and_is_never_checked(tmp_path: Path) -> None:
    for folder in ("in", "annan"):
        (tmp_path / folder).mkdir()
    source, other = draw_report(tmp_path / "in" / "vb.pdf"), draw_report(tmp_path / "annan" / "vb.pdf")
    out = tmp_path / "ut"
    assert annotated_path(source, tmp_path / "in", out) == out / "vb.granskning.pdf"
    assert annotated_path(tmp_path / "in" / "vb.docx", tmp_path / "in", out) == out / "vb.granskning.docx"
    assert is_output_name("vb.granskning.pdf") and not is_output_name("vb.pdf")
    # vb.pdf's text report is not vb.docx's, when both lie in one folder.
    assert text_report_path(source, tmp_path / "in", out) == out / "vb.pdf.granskning.txt"
    assert text_report_path(tmp_path / "in" / "vb.docx", tmp_path / "in", out) == out / "vb.granskning.txt"
    # A PDF saved under a .docx name is still a PDF, and so is its copy.
    renamed = tmp_path / "in" / "vb2.docx"
    renamed.write_bytes(source.read_bytes())
    assert annotated_path(renamed, tmp_path / "in", out) == out / "vb2.granskning.pdf"
    # Two "vb.pdf" in two given folders get two copies, numbered.
    target = _annotation_targets(out, [tmp_path / "in", tmp_path / "annan"], [source, other])
    assert [target(source).name, target(other).name] == ["vb.granskning.pdf", "vb (2).granskning.pdf"]


def test_workers_write_a_pdf_copy_for_a_pdf(tmp_path: Path) -> None:
    """What check --annotate and watch run for each file (batch.annotate_result) writes the PDF copy."""
    source = draw_report(tmp_path / "vb.pdf")
    out = tmp_path / "ut"
    target = annotated_path(source, tmp_path, out)
    result = FileResult(source, None, findings=(GOAL_FINDING, TABLE_FINDING, WHOLE_FINDING))
    written = annotate_result(Job(source, target, out), result, None, Severity.ERROR)
    assert written.annotate_error is None and written.annotated == target
    kinds = [a["/Subtype"] for _, a in annotations(target)]
    assert kinds.count("/Highlight") == 2 and kinds.count("/Text") == 2


# --- the whole way: the PDF reader's findings, check --annotate --------------------------------


def on_their_text(copy: Path, findings: list[dict]) -> list[str]:
    """The findings (from --format json) whose highlight is not on their target's or quote's text."""
    highlights = [(highlighted_text(copy, page, a), a["/Contents"]) for page, a in annotations(copy)
                  if a["/Subtype"] == "/Highlight"]
    missed = []
    for item in findings:
        first_line = f"(regel {item['rule']}): {' '.join(item['message'].split())}"
        texts = [text for text, note in highlights if note.split("\n")[0].endswith(first_line)]
        wanted = [squash(w.strip("…"))[:20] for w in (item.get("target"), item.get("quote")) if w]
        if not any(w in squash(text) for text in texts for w in wanted):
            missed.append(f"{item['rule']} {item['location']['description']}: {texts}")
    return missed


@pytest.mark.parametrize(("state", "invisible"), [(state, False) for state in PDF_STATES] + [("scan", True)])
def test_check_annotate_puts_each_finding_on_its_text_in_a_pdf(tmp_path: Path, state: str, invisible: bool,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Exported, printed and scanned (also with the OCR layer invisible, as over a page image): the reader's
    page and line, then the copy's highlight on the text."""
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = folder / "vb.pdf"
    build_pdf(report_spec("Testenheten"), pdf, state=state, invisible_text=invisible)  # type: ignore[arg-type]
    before = pdf.read_bytes()
    main(["check", str(pdf), "--format", "json", "--annotate", str(tmp_path / "ut")])
    [entry] = json.loads(capsys.readouterr().out)["files"]
    assert entry["error"] is None and entry["findings"]
    copy = tmp_path / "ut" / "vb.granskning.pdf"
    kinds = [a["/Subtype"] for _, a in annotations(copy)]
    assert kinds.count("/Highlight") == len(entry["findings"]) and kinds.count("/Text") == 1
    assert on_their_text(copy, entry["findings"]) == []
    assert pdf.read_bytes() == before


def test_a_whole_sample_report_as_scanned_pdf_has_every_note_on_its_text(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "vb_scan.pdf"
    build_pdf(db.load_source("aspudden_vb2025"), pdf, state="scan")
    main(["check", str(pdf), "--format", "json", "--annotate", str(tmp_path / "ut")])
    [entry] = json.loads(capsys.readouterr().out)["files"]
    assert len(entry["findings"]) >= 10
    assert on_their_text(tmp_path / "ut" / "vb_scan.granskning.pdf", entry["findings"]) == []


def test_a_pdf_swapped_for_a_bomb_after_its_check_is_refused_before_pypdf(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy's bytes go through the reader's guard: a bomb that arrives between the check and the
    copy is refused in Swedish, and pypdf never unpacks it."""
    from tests import hostile_inputs as h

    def no_pypdf(*args: object, **kwargs: object) -> None:
        raise AssertionError("pypdf fick bomben")

    monkeypatch.setattr(pypdf, "PdfReader", no_pypdf)
    out = tmp_path / "ut"
    bomb = tmp_path / "vb.pdf"
    bomb.write_bytes(h.pdf_bomb(64 * 1024 * 1024))
    with pytest.raises(AnnotateError, match="Ingen kopia"):
        annotate_pdf(bomb, out / "vb.granskning.pdf", out, [GOAL_FINDING], verdict_for([GOAL_FINDING]))
    assert not out.exists() or not any(out.iterdir())
