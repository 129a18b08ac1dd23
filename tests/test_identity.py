"""What a document is – type, year, tertial, unit – from whatever the file shows (checker.structure.identity).

Real files often have no title page, carry the title only in a page header, a
text box, the document properties or the file name, or put the
tjänsteutlåtande's own headings where the unit's name would be. Shared
folders also hold protocols and letters. These tests build such files the way
they arrive and check what a coordinator would: the right type, year and
unit, the same findings as the complete document, and a clear verdict on what
is not a plan or report.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import docx
import pytest

from checker.cli import main
from checker.engine import RuleSet, check_report, load_rules
from checker.reading.report import read_report
from tests.fixtures import docbuilder as db
from tests.fixtures.build_reports import planned_reports

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalog() -> RuleSet:
    return load_rules([REPO / "rules"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def finding_keys(report, catalog: RuleSet) -> list[tuple[str, str | None, str]]:
    """What a coordinator compares: which rule, on which goal or indicator, saying what."""
    return sorted((f.rule, f.target, f.message) for f in check_report(report, catalog))


def identity(path: Path) -> tuple[str | None, int | None, int | None, str | None]:
    report = read_report(path)
    return report.kind, report.tertial, report.year, report.unit


# --- the seeds as they arrived: no title page --------------------------------------------------


SEED_IDENTITY = {
    "hagersten_alvsjo_vp2024": ("verksamhetsplan", None, 2024, "Hägersten-Älvsjö hemtjänst"),
    "aspudden_vb2025": ("verksamhetsberattelse", None, 2025, "Aspuddens hemtjänst"),
}


@pytest.mark.parametrize("state", db.STATES)
@pytest.mark.parametrize("source", sorted(SEED_IDENTITY))
def test_a_seed_without_its_title_page_is_known_from_its_body(tmp_path: Path, source: str, state: str) -> None:
    """Seed 001 starts at "Inledning", a VB may start at "Sammanfattande analys": no title, no unit line,
    nothing in the document properties, and a file name that says nothing."""
    spec = db.without_front_page(db.load_source(source))
    path = tmp_path / "dokument (3).docx"
    db.build_docx(spec, path, state=state)  # type: ignore[arg-type]
    assert identity(path) == SEED_IDENTITY[source]
    report = read_report(path)
    assert report.identity.kind.evidence and all(e.source == "innehall" for e in report.identity.kind.evidence)
    assert not report.identity.assumed


def test_a_tertial_report_without_its_title_page_says_which_tertial(tmp_path: Path) -> None:
    t2 = db.without_front_page(db.to_tertialrapport(db.load_source("aspudden_vb2025"), tertial=2))
    path = tmp_path / "rapport.docx"
    db.build_docx(t2, path)
    assert identity(path) == ("tertialrapport", 2, 2025, "Aspuddens hemtjänst")


@pytest.mark.parametrize("source", sorted(SEED_IDENTITY))
def test_a_seed_without_its_title_page_gets_the_same_findings(tmp_path: Path, catalog: RuleSet, source: str) -> None:
    spec = db.load_source(source)
    whole, body = tmp_path / "hel.docx", tmp_path / "dokument.docx"
    db.build_docx(spec, whole)
    db.build_docx(db.without_front_page(spec), body)
    findings = finding_keys(read_report(body), catalog)
    assert findings == finding_keys(read_report(whole), catalog)
    assert not any(rule.startswith("DK0") and rule != "DK02" for rule, _, _ in findings)


# --- the property: strip the front page, nothing else changes ------------------------------------


@pytest.mark.parametrize("name", sorted(planned_reports()))
def test_stripping_the_front_page_changes_neither_identity_nor_findings(
    tmp_path: Path, catalog: RuleSet, name: str
) -> None:
    """Every sample report in every state: the same document with its front page (title, unit lines,
    table of contents, the title and unit in the properties) removed reads as the same document."""
    spec, state = planned_reports()[name]
    whole, stripped = tmp_path / name, tmp_path / "utan" / name
    stripped.parent.mkdir()
    db.build_docx(spec, whole, state=state)  # type: ignore[arg-type]
    db.build_docx(spec, stripped, state=state, front_page=False)  # type: ignore[arg-type]
    stripped_renamed = stripped.with_name("dokument.docx")  # and the file name says nothing either
    stripped.rename(stripped_renamed)
    with_front, without = read_report(whole), read_report(stripped_renamed)
    assert without.title is None  # the front page really is gone
    assert (without.kind, without.tertial, without.year, without.unit) == (
        with_front.kind, with_front.tertial, with_front.year, with_front.unit
    )
    assert finding_keys(without, catalog) == finding_keys(with_front, catalog)


# --- where else a file says what it is -----------------------------------------------------------


def _bare_goals(document: docx.document.Document) -> None:
    """A few goals that say nothing of the document's kind: no status, no Arbetssätt, no tables."""
    document.add_paragraph("KF:s inriktningsmål: 1. Ett Stockholm som håller samman")
    document.add_paragraph("KF:s mål för verksamhetsområdet: 1.4 Stockholm ska vara en bra stad att åldras i")
    document.add_paragraph("Enhetsmål: Kunderna är delaktiga i hur insatserna utförs")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("Kunderna känner sig delaktiga.")


def test_the_title_only_in_a_page_header(tmp_path: Path) -> None:
    document = docx.Document()
    _bare_goals(document)
    header = document.sections[0].header.paragraphs[0]
    header.text = "Tertialrapport 1 2025 för Fruängens hemtjänst"
    path = tmp_path / "dokument.docx"
    document.save(path)
    assert identity(path) == ("tertialrapport", 1, 2025, "Fruängens hemtjänst")
    report = read_report(path)
    assert report.identity.kind.evidence[0].source == "sidhuvud"


def test_the_title_only_in_a_text_box(tmp_path: Path) -> None:
    """A cover laid out in a text box (python-docx cannot make one: the XML is written by hand)."""
    document = docx.Document()
    box = document.add_paragraph()._p
    from docx.oxml import parse_xml

    box.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        '<w:pict><v:shape><v:textbox><w:txbxContent>'
        '<w:p><w:r><w:t>Verksamhetsplan 2026</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>Förskolan Solrosen</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
    ))
    _bare_goals(document)
    path = tmp_path / "dokument.docx"
    document.save(path)
    assert identity(path) == ("verksamhetsplan", None, 2026, "Förskolan Solrosen")
    assert read_report(path).identity.kind.evidence[0].source == "textruta"


def test_the_title_only_in_the_document_properties(tmp_path: Path) -> None:
    document = docx.Document()
    _bare_goals(document)
    document.core_properties.title = "Verksamhetsberättelse 2024"
    document.core_properties.subject = "Trekantens hemtjänst"
    path = tmp_path / "dokument.docx"
    document.save(path)
    assert identity(path) == ("verksamhetsberattelse", None, 2024, "Trekantens hemtjänst")
    assert read_report(path).identity.kind.evidence[0].source == "egenskaper"


def test_the_title_only_in_the_file_name(tmp_path: Path) -> None:
    document = docx.Document()
    _bare_goals(document)
    path = tmp_path / "Aspudden" / "aspudden_t2_2025.docx"
    path.parent.mkdir()
    document.save(path)
    report = read_report(path)
    assert (report.kind, report.tertial, report.year) == ("tertialrapport", 2, 2025)
    # A file name alone is weak evidence: the type is only assumed, and the user is told so.
    assert report.identity.assumed
    assert any("antogs vara tertialrapport 2" in note and "--typ" in note for note in report.notes)


def test_the_body_outweighs_a_last_years_file_name(tmp_path: Path) -> None:
    """"verksamhetsplan_slutlig_2024.docx" holding this year's year-end report."""
    path = tmp_path / "verksamhetsplan_slutlig_2024.docx"
    db.build_docx(db.without_front_page(db.load_source("aspudden_vb2025")), path)
    assert identity(path)[:3] == ("verksamhetsberattelse", None, 2025)


# --- the unit: never a heading -----------------------------------------------------------------


def _tjansteutlatande(document: docx.document.Document, title: str, after_title: list[tuple[str, bool]]) -> None:
    for line in ("Stockholms stad", "Tjänsteutlåtande", "Dnr: HÅ 2025/815", "2026-01-14", "Handläggare",
                 "Karin Lindqvist", "Till", "Hägersten-Älvsjö stadsdelsnämnd", "2026-03-26"):
        document.add_paragraph(line)
    document.add_paragraph(title)
    for text, bold in after_title:
        paragraph = document.add_paragraph()
        paragraph.add_run(text).bold = bold


_PROSE = "Stadsdelsnämnden godkänner verksamhetsberättelsen för 2025 och överlämnar den till kommunstyrelsen."


def test_the_unit_from_the_title_not_the_tjansteutlatandes_heading(tmp_path: Path) -> None:
    document = docx.Document()
    _tjansteutlatande(document, "Verksamhetsberättelse VB 2025 för Aspuddens hemtjänst",
                      [("Förslag till beslut", True), (_PROSE, False), ("Sammanfattning", True), (_PROSE, False)])
    _bare_goals(document)
    path = tmp_path / "vb.docx"
    document.save(path)
    assert identity(path) == ("verksamhetsberattelse", None, 2025, "Aspuddens hemtjänst")


@pytest.mark.parametrize("heading", ["Förslag till beslut", "Beslut", "Bakgrund", "Ärendets gång", "Kort om året"])
def test_a_heading_after_the_title_is_never_the_unit(tmp_path: Path, heading: str) -> None:
    """The rule, not a list: a line laid out as a heading – followed by running text – is no unit,
    whether the template knows it ("Beslut") or the document made it up ("Kort om året")."""
    document = docx.Document()
    _tjansteutlatande(document, "Verksamhetsberättelse 2025", [(heading, False), (_PROSE, False)])
    _bare_goals(document)
    path = tmp_path / "vb.docx"
    document.save(path)
    assert read_report(path).unit != heading


def test_the_unit_line_under_the_title_still_counts(tmp_path: Path) -> None:
    document = docx.Document()
    _tjansteutlatande(document, "Verksamhetsplan 2025", [("Telefonplans hemtjänst", True), ("Lövholmsvägen 31", False)])
    _bare_goals(document)
    path = tmp_path / "vp.docx"
    document.save(path)
    assert identity(path) == ("verksamhetsplan", None, 2025, "Telefonplans hemtjänst")


# --- what is not a plan or report ----------------------------------------------------------------


def _document(tmp_path: Path, name: str, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    path = tmp_path / name
    document.save(path)
    return path


PROTOCOL = ["Protokoll", "Hägersten-Älvsjö stadsdelsnämnd", "Sammanträde 2025-05-20", "Närvarande",
            "Ordförande: Anna Andersson", "§ 3 Tertialrapport 1 2025 för Aspuddens hemtjänst", "Beslut",
            "Stadsdelsnämnden godkänner tertialrapporten.", "Justeras"]
LETTER = ["Hej!", "Här kommer vår verksamhetsplan för 2025 som bilaga.", "Med vänliga hälsningar", "Karin"]
BARE_TJANSTEUTLATANDE = ["Aspuddens hemtjänst", "Tjänsteutlåtande", "Dnr: HÅ 2025/815", "Verksamhetsberättelse 2025",
                         "Förslag till beslut", _PROSE, "Bakgrund", "Verksamhetsberättelsen finns i bilaga 1."]


@pytest.mark.parametrize(("lines", "what"), [
    (PROTOCOL, "ett protokoll"),
    (LETTER, "ett brev"),
    (BARE_TJANSTEUTLATANDE, "ett tjänsteutlåtande utan själva planen eller rapporten"),
])
def test_not_a_plan_or_report(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], what: str) -> None:
    path = _document(tmp_path, "inlamnat.docx", lines)
    report = read_report(path)
    assert report.identity.other == what and report.kind is None
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert code == 1  # never GODKÄND
    found = json.loads(out)["files"][0]
    assert [f["rule"] for f in found["findings"]] == ["DK05"]
    assert found["findings"][0]["message"] == f"Dokumentet är inte en verksamhetsplan eller rapport utan {what}"
    code, out, _ = run(capsys, "check", str(path), "--no-color")
    assert "Inte en plan eller rapport" in out and "GODKÄND" not in out.replace("UNDERKÄND", "")


def test_a_protocol_never_forms_a_thread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _document(tmp_path, "protokoll.docx", PROTOCOL)
    db.build_docx(db.load_source("aspudden_vb2025"), tmp_path / "vb.docx")
    code, out, _ = run(capsys, "thread", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert [t["unit"] for t in data["threads"]] == ["Aspuddens hemtjänst"]
    assert data["unplaced"] == [{"path": "protokoll.docx",
                                 "reason": "hör inte till någon tråd: inte en plan eller rapport utan ett protokoll."}]


def test_a_title_page_alone_is_not_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _document(tmp_path, "vp.docx", ["Stockholms stad", "Verksamhetsplan 2025", "Aspuddens hemtjänst"])
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["files"][0]["findings"]] == ["DK03"]


def test_title_and_body_that_disagree_are_a_finding(tmp_path: Path, catalog: RuleSet) -> None:
    """Last year's plan with this year's title: "Verksamhetsplan 2025" over "Budget 2024", "KF:s årsmål år 2024"."""
    plan = db.load_source("hagersten_alvsjo_vp2024")  # as seed 001: no front page
    spec = db.DocSpec().set(title="Verksamhetsplan 2025").title("Verksamhetsplan 2025").page_break()
    spec.blocks.extend(plan.blocks)
    spec.meta.update({**plan.meta, "title": "Verksamhetsplan 2025"})
    path = tmp_path / "vp.docx"
    db.build_docx(spec, path)
    report = read_report(path)
    assert report.year == 2025  # the title decides what the document is checked as …
    dk04 = [f for f in check_report(report, catalog) if f.rule == "DK04"]
    assert [f.message for f in dk04] == ["Rubriken säger 2025 men innehållet gäller 2024"]  # … and the finding says so


def test_a_report_titled_as_a_plan_is_a_finding(tmp_path: Path, catalog: RuleSet) -> None:
    spec = db.load_source("aspudden_vb2025")
    spec.meta["title"] = "Verksamhetsplan 2025"
    for block in spec.blocks:
        if block.kind == "title":
            block.text = "Verksamhetsplan 2025"
    path = tmp_path / "vb.docx"
    db.build_docx(spec, path)
    dk04 = [f.message for f in check_report(read_report(path), catalog) if f.rule == "DK04"]
    assert dk04 == ["Rubriken säger verksamhetsplan men innehållet ser ut som en verksamhetsberättelse"]


# --- one override everywhere ---------------------------------------------------------------------


def _say_nothing(tmp_path: Path) -> Path:
    document = docx.Document()
    _bare_goals(document)
    path = tmp_path / "Inlamnat" / "dokument.docx"
    path.parent.mkdir(exist_ok=True)
    document.save(path)
    return path


def test_trad_sets_type_year_and_unit_for_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _say_nothing(tmp_path)
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert "DK01" in [f["rule"] for f in json.loads(out)["files"][0]["findings"]]
    (path.parent / "malkoll.toml").write_text(
        '[trad]\n"dokument.docx" = { typ = "T2", ar = 2025, enhet = "Aspuddens hemtjänst" }\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    found = json.loads(out)["files"][0]
    assert (found["kind"], found["tertial"], found["year"], found["unit"]) == ("tertialrapport", 2, 2025, "Aspuddens hemtjänst")
    assert "DK01" not in [f["rule"] for f in found["findings"]]
    code, out, _ = run(capsys, "check", str(path), "--no-color")
    assert "Aspuddens hemtjänst · Tertialrapport 2 2025" in out and "okänd" not in out


def test_the_command_line_sets_type_year_and_unit_for_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _say_nothing(tmp_path)
    code, out, _ = run(capsys, "check", str(path), "--typ", "VB", "--ar", "2024", "--enhet", "Trekantens hemtjänst",
                       "--format", "json")
    found = json.loads(out)["files"][0]
    assert (found["kind"], found["year"], found["unit"]) == ("verksamhetsberattelse", 2024, "Trekantens hemtjänst")
    code, out, _ = run(capsys, "dump", str(path), "--typ", "VP", "--format", "json")
    data = json.loads(out)
    assert data["kind"] == "verksamhetsplan"
    assert data["identity"]["kind"]["evidence"][0]["source"] == "kommandorad"
    code, _, err = run(capsys, "check", str(path.parent), "--typ", "VB")
    assert code == 2 and "gäller en enda fil" in err


def test_trad_sets_the_identity_in_the_overview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _say_nothing(tmp_path)
    (path.parent / "malkoll.toml").write_text('[trad]\n"dokument.docx" = { typ = "VP", ar = 2026 }\n', encoding="utf-8")
    out_dir = tmp_path / "ut"
    run(capsys, "check", str(path.parent), "--overview", str(out_dir))
    page = (out_dir / "sammanstallning.html").read_text(encoding="utf-8")
    assert "Verksamhetsplan" in page and "2026" in page


def test_trad_sets_the_identity_in_watch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _say_nothing(tmp_path)
    (path.parent / "malkoll.toml").write_text('[trad]\n"dokument.docx" = { typ = "VB", ar = 2025 }\n', encoding="utf-8")
    code, _, err = run(capsys, "watch", str(path.parent), "--once", "--settle", "0.1")
    reply = (path.parent / "granskning" / "dokument.granskning.txt").read_text(encoding="utf-8")
    assert "Verksamhetsberättelse 2025" in reply and "DK01" not in reply


def test_dump_shows_how_the_identity_was_decided(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dokument.docx"
    db.build_docx(db.without_front_page(db.load_source("hagersten_alvsjo_vp2024")), path)
    code, out, _ = run(capsys, "dump", str(path), "--no-color")
    assert "typ: verksamhetsplan – härledd av innehållet: enhetsmål med Arbetssätt" in out
    assert "år: 2024 – härledd av innehållet: kolumnen ”KF:s årsmål år 2024”" in out
    code, out, _ = run(capsys, "dump", str(path), "--format", "json")
    data = json.loads(out)["identity"]
    assert data["kind"]["value"] == "verksamhetsplan" and 0 < data["kind"]["confidence"] <= 1
    assert data["unit"]["value"] == "Hägersten-Älvsjö hemtjänst"
    assert {e["source"] for e in data["year"]["evidence"]} == {"innehall"}


def test_an_unknown_type_still_runs_the_rules_for_every_document_and_says_how_to_set_it(
    tmp_path: Path, catalog: RuleSet
) -> None:
    path = _say_nothing(tmp_path)
    report = read_report(path)
    assert report.kind is None
    assert any("--typ" in note and "[trad]" in note for note in report.notes)
    rules = Counter(f.rule for f in check_report(report, catalog))
    assert rules["DK01"] == 1


def test_watch_says_a_protocol_is_not_a_plan_or_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "Inlamnat"
    folder.mkdir()
    _document(folder, "protokoll.docx", PROTOCOL)
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--settle", "0.1")
    assert code == 1
    assert "protokoll.docx  UNDERKÄND – INTE EN PLAN ELLER RAPPORT  dokumentet är ett protokoll" in out
    reply = (folder / "granskning" / "protokoll.granskning.txt").read_text(encoding="utf-8")
    assert "Inte en plan eller rapport (ett protokoll)" in reply


@pytest.mark.parametrize(("line", "expected"), [
    ("Verksamhetsberättelse 2025", ("verksamhetsberattelse", 2025, None, None)),
    ("Tertialrapport 1 2025 för Aspuddens hemtjänst", ("tertialrapport", 2025, 1, "Aspuddens hemtjänst")),
    ("Verksamhetsberättelse VB 2025 för Aspuddens hemtjänst", ("verksamhetsberattelse", 2025, None, "Aspuddens hemtjänst")),
    ("Förslag till verksamhetsplan 2026 för Förskolan Solrosen", ("verksamhetsplan", 2026, None, "Förskolan Solrosen")),
    ("Verksamhetsberättelse 2025 – Fruängens hemtjänst", ("verksamhetsberattelse", 2025, None, "Fruängens hemtjänst")),
    ("Verksamhetsplan för Trekantens hemtjänst 2026", ("verksamhetsplan", 2026, None, "Trekantens hemtjänst")),
    ("T2 2025", ("tertialrapport", 2025, 2, None)),
    # Lines that mention a report without being its title.
    ("§ 3 Tertialrapport 1 2025 för Aspuddens hemtjänst", None),
    ("Stadsdelsnämnden godkänner verksamhetsberättelsen", None),
    ("Verksamhetsplanen har tagits upp på arbetsplatsträffarna under december.", None),
])
def test_what_a_title_line_says(line: str, expected: tuple | None) -> None:
    from checker.structure.identity.title import read_title

    title = read_title(line)
    assert (None if title is None else (title.kind, title.year, title.tertial, title.unit)) == expected


@pytest.mark.parametrize(("name", "is_unit"), [
    ("Aspuddens hemtjänst", True), ("Hägersten-Älvsjö hemtjänst", True), ("Förskolan Solrosen", True),
    ("Solgårdens äldreboende", True), ("Västertorps korttidshem", True),
    # What a sentence about a unit starts with, and is no unit's name.
    ("Alla medarbetare", False), ("Enheterna inom äldreomsorgen", False), ("Resursanvändning för hemtjänsten", False),
    ("Biträdande enhetschefer", False), ("Stadsdelsnämndens verksamheter", False),
])
def test_what_the_body_may_name_as_the_unit(name: str, is_unit: bool) -> None:
    from checker.structure.identity.body_unit import _unit_like

    assert _unit_like(name) is is_unit
