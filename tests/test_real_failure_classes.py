"""Failure classes seen on real unit documents, each built the way it arrived and checked as a coordinator would:
no finding where the document is right, and the finding on the right goal or indicator where it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.engine import RuleSet, check_report, load_rules
from checker.findings import Severity
from checker.reading.report import read_report
from tests.fixtures import docbuilder as db

REPO = Path(__file__).resolve().parents[1]
GOAL = "Enheten arbetar för att kunderna ska känna sig trygga"


@pytest.fixture(scope="module")
def catalog() -> RuleSet:
    return load_rules([REPO / "rules"])


def plan() -> db.DocSpec:
    return (db.DocSpec().set(kind="VP", year=2025, title="Verksamhetsplan 2025", unit="Testenheten")
            .title("Verksamhetsplan 2025").para("Testenheten").page_break()
            .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i").enhetsmal(GOAL))


def findings(spec: db.DocSpec, tmp_path: Path, catalog: RuleSet, state: str = "export") -> list:
    path = tmp_path / "dokument.docx"
    db.build_docx(spec, path, state=state)  # type: ignore[arg-type]
    return check_report(read_report(path), catalog)


def test_a_kommentar_row_in_a_plans_indicator_table_is_no_indicator(tmp_path: Path, catalog: RuleSet) -> None:
    spec = (plan().label("Förväntat resultat").para("Kunderna känner sig trygga.")
            .label("Arbetssätt").para("Kunderna känner sig trygga genom fasta kontaktpersoner.")
            .label("Uppföljning").para("Kunderna känner sig trygga: följs upp i brukarundersökningen.")
            .table("indikator_plan", db.HEADER_INDIKATOR_PLAN, [
                ["Andel nöjda kunder", "90 %", "88 %", "2025"],
                ["Kommentar: målet sätts efter förra årets utfall.", "", "", ""],
            ]))
    found = findings(spec, tmp_path, catalog)
    assert [f.rule for f in found if f.rule == "VP05"] == []
    report = read_report(tmp_path / "dokument.docx")
    assert [i.name for i in report.all_enhetsmal()[0].indikatorer] == ["Andel nöjda kunder"]


def test_a_heading_repeated_as_the_sections_first_line_is_not_an_empty_section(tmp_path: Path, catalog: RuleSet) -> None:
    spec = (plan().label("Förväntat resultat").para("Kunderna känner sig trygga.")
            .label("Arbetssätt").para("Kunderna känner sig trygga genom fasta kontaktpersoner.")
            .label("Uppföljning").para("Kunderna känner sig trygga: följs upp i brukarundersökningen.")
            .heading("Redovisning av ekonomi", 1).heading("Budget", 2).para("Budget")
            .para("Enhetens budget för 2025 är 42 miljoner kronor och är i balans."))
    found = findings(spec, tmp_path, catalog)
    assert [f.target for f in found if f.rule == "DK02"] == []


def test_a_result_number_run_into_scanned_text_is_still_a_restatement(tmp_path: Path, catalog: RuleSet) -> None:
    """"2.0kat antal …" is "2. Ökat antal …" after a scan: the number ran into the text and Ö became 0."""
    spec = (plan().label("Förväntat resultat")
            .numbered(["Kunderna känner sig trygga med hemtjänsten.", "Ökat antal medarbetare med utbildning i demens."])
            .label("Arbetssätt")
            .para("Kunderna känner sig trygga med hemtjänsten genom fasta kontaktpersoner.")
            .literal("2.0kat antal: alla går Demens ABC under våren.")
            .label("Uppföljning")
            .para("Kunderna känner sig trygga med hemtjänsten: följs upp i brukarundersökningen.")
            .literal("2.Ökat antal: följs upp på APT."))
    found = findings(spec, tmp_path, catalog)
    assert [(f.rule, f.target) for f in found if f.rule == "VP04"] == []


def test_a_restatement_that_is_really_missing_is_still_found(tmp_path: Path, catalog: RuleSet) -> None:
    """The control: the tolerance above must not hide a result that is not followed up."""
    spec = (plan().label("Förväntat resultat")
            .numbered(["Kunderna känner sig trygga med hemtjänsten.", "Ökat antal medarbetare med utbildning i demens."])
            .label("Arbetssätt").para("1. Kunderna känner sig trygga med hemtjänsten genom fasta kontaktpersoner.")
            .label("Uppföljning").para("1. Brukarundersökningen."))
    found = findings(spec, tmp_path, catalog)
    assert sorted(f.message for f in found if f.rule == "VP04") == [
        "Det förväntade resultatet ”Ökat antal medarbetare med utbildning i demens.” tas inte upp under arbetssätt",
        "Det förväntade resultatet ”Ökat antal medarbetare med utbildning i demens.” tas inte upp under uppföljning",
    ]


def test_arsmal_and_kf_arsmal_are_told_apart_when_the_header_is_garbled(tmp_path: Path) -> None:
    """Both headers came out of the scan as "Arsmal": the city's wordings ("Öka", "Tas fram av …") mark the KF column."""
    spec = (plan().label("Förväntat resultat").para("Kunderna känner sig trygga.")
            .table("indikator_plan", ["Indikator", "Arsmal", "Arsmal", "Periodicitet"], [
                ["Andel nöjda kunder", "Öka", "90 %", "2025"],
                ["Sjukfrånvaro", "Tas fram av nämnd/styrelse", "7 %", "2025"],
            ]))
    path = tmp_path / "dokument.docx"
    db.build_docx(spec, path)
    indikatorer = read_report(path).all_enhetsmal()[0].indikatorer
    assert [(i.arsmal.text, i.kf_arsmal.text) for i in indikatorer] == [
        ("90 %", "Öka"), ("7 %", "Tas fram av nämnd/styrelse"),
    ]


def test_a_yearly_indicator_without_utfall_in_a_tertial_report_is_info(tmp_path: Path, catalog: RuleSet) -> None:
    tertial = (db.DocSpec().set(kind="T1", year=2025, title="Tertialrapport 1 2025", unit="Testenheten")
               .title("Tertialrapport 1 2025").para("Testenheten").page_break()
               .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i").enhetsmal(GOAL)
               .status("Uppfylls delvis").label("Förväntat resultat").para("Kunderna känner sig trygga.")
               .label("Analys").para("Enheten bedömer att målet kommer att uppnås.")
               .indikator_table([
                   ["Andel nöjda kunder", "", "", "", "", "90 %", "", "2025"], db.Analys("Mäts en gång om året."),
                   ["Kontinuitet", "", "", "", "", "12", "", "T1 2025"], db.Analys("Utfallet saknas."),
               ]))
    in02 = sorted((f for f in findings(tertial, tmp_path, catalog) if f.rule == "IN02"), key=lambda f: f.target)
    assert [(f.target, f.severity) for f in in02] == [
        ("Andel nöjda kunder", Severity.INFO), ("Kontinuitet", Severity.ERROR),
    ]
    assert "mäts en gång om året" in in02[0].message
