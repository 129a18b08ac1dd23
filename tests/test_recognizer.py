"""The recogniser on small hand-made documents, one real-world quirk per test.

Documents are built here directly with python-docx (not with the fixture
builder), so each test shows exactly the Word structure it is about.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from checker.errors import ReadError
from checker.reading.report import read_report


def _save(document, tmp_path: Path, name: str = "doc.docx") -> Path:
    path = tmp_path / name
    document.save(str(path))
    return path


def _front(document, title: str = "Verksamhetsberättelse 2025", unit: str = "Testenhetens hemtjänst") -> None:
    document.add_paragraph("Stockholms stad")
    document.add_paragraph(title)
    document.add_paragraph(unit)


def _goal_skeleton(document) -> None:
    document.add_paragraph("KF:s inriktningsmål: 1. Ett Stockholm som håller samman")
    document.add_paragraph("KF:s mål för verksamhetsområdet: 1.4 Stockholm ska vara en bra stad att åldras i")
    document.add_paragraph("Nämndmål: Äldre har ett tryggt liv")


def test_kind_year_unit_from_front_page(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, "Tertialrapport 2 2025", "Fruängens hemtjänst")
    report = read_report(_save(document, tmp_path))
    assert (report.kind, report.tertial, report.year, report.unit) == ("tertialrapport", 2, 2025, "Fruängens hemtjänst")


@pytest.mark.parametrize(
    ("title", "kind", "year"),
    [
        ("Verksamhetsplan 2024", "verksamhetsplan", 2024),
        ("VERKSAMHETSBERÄTTELSE 2019", "verksamhetsberattelse", 2019),
        ("Verksamhetsberattelse 2025", "verksamhetsberattelse", 2025),
        ("Tertialrapport 1 2023", "tertialrapport", 2023),
    ],
)
def test_kind_tolerates_case_and_lost_diacritics(tmp_path: Path, title: str, kind: str, year: int) -> None:
    document = docx.Document()
    _front(document, title)
    report = read_report(_save(document, tmp_path))
    assert (report.kind, report.year) == (kind, year)


def test_non_report_gives_no_kind_and_a_note(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Inbjudan till julbord")
    document.add_paragraph("Välkomna den 12 december kl. 12.")
    report = read_report(_save(document, tmp_path))
    assert report.kind is None
    assert report.inriktningsmal == []
    assert any("Dokumenttypen" in note for note in report.notes)


def test_goal_hierarchy_with_bold_normal_headings_and_italic_title(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    heading = document.add_paragraph()
    heading.add_run("Enhetsmål: ").bold = True
    heading.add_run("Enheten arbetar för att kunden ska vara delaktig.").italic = True
    document.add_paragraph("◆ Uppfylls delvis")
    document.add_paragraph().add_run("Förväntat resultat").bold = True
    document.add_paragraph("1. Ökad kontinuitet.")
    document.add_paragraph("2. Fler nöjda kunder.")
    document.add_paragraph().add_run("Analys").bold = True
    document.add_paragraph("Enheten har arbetat med kontinuiteten under året.")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert goal.title == "Enheten arbetar för att kunden ska vara delaktig."
    assert goal.bedomning == "delvis"
    assert [(item.number, item.text) for item in goal.forvantat_resultat] == [(1, "Ökad kontinuitet."), (2, "Fler nöjda kunder.")]
    assert goal.analys is not None and "kontinuiteten" in goal.analys.text
    assert report.all_namndmal()[0].title == "Äldre har ett tryggt liv"
    assert report.all_kf_mal()[0].number == "1.4"


def test_label_split_over_runs_and_custom_heading_style(tmp_path: Path) -> None:
    document = docx.Document()
    style = document.styles.add_style("Rubrik 3", 1)  # a localised heading style name
    style.base_style = document.styles["Normal"]
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten är en god arbetsgivare", style="Rubrik 3")
    label = document.add_paragraph()
    label.add_run("Förvän")
    label.add_run("tat resul")
    label.add_run("tat")
    document.add_paragraph("Ökad frisknärvaro.")
    document.add_paragraph("Upp").add_run("följning")
    document.add_paragraph("Följs upp månadsvis.")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert [item.text for item in goal.forvantat_resultat] == ["Ökad frisknärvaro."]
    assert goal.uppfoljning is not None and goal.uppfoljning.text == "Följs upp månadsvis."


def test_scanned_labels_and_nested_prefix(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, "Verksamhetsplan 2024")
    document.add_paragraph("KF:s inriktningsmal: 1. En modern storstad med möjligheter och valfrihet för alla")
    document.add_paragraph("KF:s mal for verksamhetsomradet: 1.5. Stockholm ska vara en bra stad")
    document.add_paragraph("Namndmal: Aldre har ett tryggt liv")
    document.add_paragraph("Enhetsmal: Omradesmal: Enheten arbetar for att 6ka tryggheten")
    document.add_paragraph("Forvantat resultat")
    document.add_paragraph("Fler kunder &r trygga.")
    document.add_paragraph("Arbetssatt")
    document.add_paragraph("Vi arbetar med kontaktman.")
    document.add_paragraph("Uppfbljning")
    document.add_paragraph("Brukarundersökningen.")
    report = read_report(_save(document, tmp_path))
    assert report.inriktningsmal[0].title == "En modern storstad med möjligheter och valfrihet för alla"
    assert report.all_kf_mal()[0].number == "1.5"
    [goal] = report.all_enhetsmal()
    assert goal.prefixes == ["Omradesmal"]
    assert goal.title == "Enheten arbetar for att 6ka tryggheten"
    assert goal.arbetssatt is not None and goal.uppfoljning is not None
    assert len(goal.forvantat_resultat) == 1


def test_page_furniture_is_removed_and_broken_lines_rejoined(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, "Verksamhetsplan 2024")
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten arbetar för att kunden ska vara delaktig och känna sig trygg med")
    document.add_paragraph("de goda insatser vi utför.")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("Ökad andel kunder upplever att de har möjlighet att påverka var, när och hur insatserna")
    document.add_paragraph("Tjänsteutlåtande")
    document.add_paragraph("Sid 7 (14)")
    document.add_paragraph("erbjuds i samband med genomförandeplanen.")
    document.add_paragraph("Enheten ökar kompetensen i nutrition.")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert goal.title.endswith("trygg med de goda insatser vi utför.")
    assert [item.text for item in goal.forvantat_resultat] == [
        "Ökad andel kunder upplever att de har möjlighet att påverka var, när och hur insatserna "
        "erbjuds i samband med genomförandeplanen.",
        "Enheten ökar kompetensen i nutrition.",
    ]


def _merge_row(table, row: int) -> None:
    cells = table.rows[row].cells
    cells[0].merge(cells[-1])


def test_indicator_table_with_merged_html_analysis_and_icons(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, unit="Aspuddens hemtjänst")
    _goal_skeleton(document)
    header = ["Indikator", "Periodens utfall", "Utfall män/ pojkar", "Utfall kvinnor/ flickor", "Utfall VB 2024", "Årsmål", "KF:s årsmål", "Period"]
    table = document.add_table(rows=4, cols=len(header))
    for column, text in enumerate(header):
        table.cell(0, column).text = text
    for column, text in enumerate(["\uf0fc Andel nöjda", "70 %", "", "", "", "75 %", "", "2025"]):
        table.cell(1, column).text = text
    _merge_row(table, 2)
    table.cell(2, 0).text = "<p>Analys</p> <p>Aspuddens hemtjänst</p> <p>Vi arbetar med planeringen.</p>"
    for column, text in enumerate(["c Sjukfrånvar o", "8,2 %", "0,5 %", "10,4 %", "", "8,5 %", "Tas fram av nämnd/styrelse", "VB 2025"]):
        table.cell(3, column).text = text
    report = read_report(_save(document, tmp_path))
    first, second = report.all_namndmal()[0].indikatorer
    assert first.name == "Andel nöjda"
    assert (first.utfall.number, first.utfall.unit, first.arsmal.number) == (70.0, "%", 75.0)
    assert first.analys == "Vi arbetar med planeringen."
    assert first.analys_source is not None and first.analys_source.row == 2
    assert second.name == "Sjukfrånvaro"
    assert second.analys is None
    assert second.kf_arsmal.number is None and second.kf_arsmal.text == "Tas fram av nämnd/styrelse"
    assert second.utfall_kvinnor.number == 10.4


def test_pasted_tab_separated_tables(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Aktivitet\tStartdatum\tSlutdatum\tAvvikelse")
    document.add_paragraph("\u2713 Utbilda alla i dataskydd\t2025-01-01\t2025-12-31\t")
    document.add_paragraph("Analys Alla har gått utbildningen.")
    document.add_paragraph("Ta fram en plan\t2025-06-01\t2025-02-30\t")
    document.add_paragraph("Enhetsmål: Enheten har en god beredskap")
    report = read_report(_save(document, tmp_path))
    first, second = report.all_namndmal()[0].aktiviteter
    assert first.title == "Utbilda alla i dataskydd"
    assert (first.start.isoformat(), first.slut.isoformat()) == ("2025-01-01", "2025-12-31")
    assert first.analys == "Alla har gått utbildningen."
    assert second.analys is None and second.slut is None and second.slut_text == "2025-02-30"
    assert first.analys_source is not None and first.analys_source.row == 2
    assert second.source.paragraph is not None and second.source.row == 3  # header, row, analysis, row
    assert [goal.title for goal in report.all_enhetsmal()] == ["Enheten har en god beredskap"]


def test_budget_section_is_not_an_enhetsmal(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, "Verksamhetsplan 2024")
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten är energieffektiv")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("Behovet av bilar minskar.")
    document.add_heading("Redovisning av ekonomi", 1)
    document.add_heading("Budget 2024", 2)
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("Budget i balans")
    document.add_paragraph("Arbetssätt")
    document.add_paragraph("Månatlig uppföljning med controller.")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert [item.text for item in goal.forvantat_resultat] == ["Behovet av bilar minskar."]
    economy = report.sections[-1]
    assert economy.title == "Redovisning av ekonomi"
    assert [child.title for child in economy.children] == ["Budget 2024"]
    assert [leaf.title for leaf in economy.children[0].children] == ["Förväntat resultat", "Arbetssätt"]


def test_word_numbering_restarts_per_list(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten är en god arbetsgivare")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("Ökad frisknärvaro.", style="List Number")
    document.add_paragraph("Högre andel tillsvidareanställda.", style="List Number")
    document.add_paragraph("Analys")
    document.add_paragraph("Sjukfrånvaron har minskat.", style="List Number")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert [(item.number, item.marker) for item in goal.forvantat_resultat] == [(1, "number"), (2, "number")]
    # python-docx's List Number style continues one list, as Word would show it.
    assert goal.analys is not None and goal.analys.paragraphs[0].text.startswith("3. ")


def test_symbol_font_status_glyph(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten köper in ekologiska produkter.")
    status = document.add_paragraph()
    run = status.add_run()
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), "Wingdings")
    sym.set(qn("w:char"), "F06C")
    run._r.append(sym)
    status.add_run(" Uppfylls helt")
    report = read_report(_save(document, tmp_path))
    assert report.all_enhetsmal()[0].bedomning == "helt"


def test_table_of_contents_is_not_structure(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    document.add_paragraph("Innehållsförteckning")
    document.add_paragraph("Sammanfattande analys\t3")
    document.add_paragraph("KF:s inriktningsmål: 1. Ett Stockholm som håller samman\t5")
    document.add_paragraph("Uppföljning av ekonomi.....18")
    document.add_heading("Sammanfattande analys", 1)
    document.add_paragraph("Året har präglats av arbete med kontinuitet.")
    report = read_report(_save(document, tmp_path))
    assert report.inriktningsmal == []
    assert [section.title for section in report.sections] == ["Sammanfattande analys"]
    assert not report.sections[0].is_empty


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "tom"),
        (b"not a zip at all", "inte en Word-fil"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc"),
        (b"PK\x03\x04garbage", "Word"),
    ],
)
def test_unreadable_files_give_swedish_read_errors(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "trasig.docx"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_report(path)
    assert fragment in info.value.problem
    assert info.value.path == path


def test_status_laid_out_as_a_one_row_table(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten köper in ekologiska produkter.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "\uf06c"
    table.cell(0, 1).text = "Uppfylls inte"
    report = read_report(_save(document, tmp_path))
    assert report.all_enhetsmal()[0].bedomning == "inte"


def test_numbered_goal_labels_and_numbered_section_headings(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    document.add_paragraph("1.1 Sammanfattande analys").runs[0].bold = True
    document.add_paragraph("Året har varit bra.")
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål 2: Enheten arbetar med trygghet")
    document.add_paragraph("Analys och bedömning")
    document.add_paragraph("Tryggheten har ökat.")
    report = read_report(_save(document, tmp_path))
    assert [s.title for s in report.sections] == ["1.1 Sammanfattande analys"]
    [goal] = report.all_enhetsmal()
    assert goal.title == "Enheten arbetar med trygghet"
    assert goal.analys is not None and goal.analys.text == "Tryggheten har ökat."


@pytest.mark.parametrize(
    ("line", "status"),
    [("Målet uppfylls helt", "helt"), ("Prognos: Uppfylls delvis", "delvis"), ("Bedömning: uppfylls inte", "inte")],
)
def test_status_with_a_leading_word(tmp_path: Path, line: str, status: str) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetsmål: Enheten köper in ekologiska produkter.")
    document.add_paragraph(line)
    report = read_report(_save(document, tmp_path))
    assert report.all_enhetsmal()[0].bedomning == status


def test_cover_page_in_a_text_box(tmp_path: Path) -> None:
    document = docx.Document()
    anchor = document.add_paragraph()
    box = OxmlElement("w:txbxContent")
    for text in ("Verksamhetsplan 2026", "Fruängens förskolor"):
        p = OxmlElement("w:p")
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        r.append(t)
        p.append(r)
        box.append(p)
    # A minimal stand-in for the drawing → textbox nesting Word uses.
    holder = OxmlElement("w:r")
    pict = OxmlElement("w:pict")
    pict.append(box)
    holder.append(pict)
    anchor._p.append(holder)
    _goal_skeleton(document)
    report = read_report(_save(document, tmp_path))
    assert (report.kind, report.year, report.unit) == ("verksamhetsplan", 2026, "Fruängens förskolor")


def test_goals_laid_out_in_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    table = document.add_table(rows=3, cols=1)
    table.cell(0, 0).text = "Enhetsmål: Enheten arbetar för trygghet"
    table.cell(1, 0).text = "Förväntat resultat\n1. Fler trygga kunder."
    table.cell(2, 0).text = "Analys\nTryggheten har ökat."
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert goal.title == "Enheten arbetar för trygghet"
    assert [item.text for item in goal.forvantat_resultat] == ["Fler trygga kunder."]
    assert goal.analys is not None and goal.analys.paragraphs[0].source.table == 0


def test_label_and_text_separated_by_a_manual_line_break(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document)
    _goal_skeleton(document)
    document.add_paragraph("Enhetens mål: Enheten arbetar för trygghet")
    labelled = document.add_paragraph("Förväntat resultat")
    labelled.add_run().add_break()
    labelled.add_run("Fler trygga kunder.")
    analysis = document.add_paragraph("Analys")
    analysis.add_run().add_break()
    analysis.add_run("Tryggheten har ökat.")
    report = read_report(_save(document, tmp_path))
    [goal] = report.all_enhetsmal()
    assert [item.text for item in goal.forvantat_resultat] == ["Fler trygga kunder."]
    assert goal.analys is not None and goal.analys.text == "Tryggheten har ökat."


def test_short_lines_shared_by_many_goals_are_not_page_furniture(tmp_path: Path) -> None:
    document = docx.Document()
    _front(document, "Verksamhetsplan 2024")
    _goal_skeleton(document)
    for number in range(5):
        document.add_paragraph(f"Enhetsmål: Mål nummer {number}")
        document.add_paragraph("Uppföljning")
        document.add_paragraph("Arbetsplatsträffar")
        document.add_paragraph("Hägerstenvägen 250")  # a running footer …
        document.add_paragraph("Sid 2 (9)")  # … next to a page number
    report = read_report(_save(document, tmp_path))
    for goal in report.all_enhetsmal():
        assert goal.uppfoljning is not None
        assert [p.text for p in goal.uppfoljning.paragraphs] == ["Arbetsplatsträffar"]


def test_a_garbled_label_is_matched_to_its_full_length(tmp_path: Path) -> None:
    """"fbr"/"fér" for "för": the label is one edit away at its full length, and the colon must still follow it
    (a shorter prefix is also within reach and once cut the label before its colon, losing the KF goal)."""
    document = docx.Document()
    _front(document, "Verksamhetsberättelse 2025")
    document.add_paragraph("KF:s inriktningsmål: 3. Ett Stockholm med en stabil och hållbar ekonomi")
    document.add_paragraph("KF:s mål fbr verksamhetsomradet: 3.2 Stockholm ska vara en bra stad att åldras i")
    document.add_paragraph("Enhetsmål: Enheten arbetar för trygghet")
    document.add_paragraph("Uppfylls delvis")
    document.add_paragraph("KF:s mål fér verksamhetsområdet: 3.3 Medarbetare ska ges goda förutsättningar")
    document.add_paragraph("Enhetsmål: Enheten är en attraktiv arbetsgivare")
    document.add_paragraph("Uppfylls helt")
    report = read_report(_save(document, tmp_path))
    assert [(k.number, k.title[:20]) for k in report.all_kf_mal()] == [
        ("3.2", "Stockholm ska vara e"), ("3.3", "Medarbetare ska ges ")]
    assert [len(k.enhetsmal) + sum(len(n.enhetsmal) for n in k.namndmal) for k in report.all_kf_mal()] == [1, 1]


@pytest.mark.parametrize("tail", ["systematiska kvalitetsarbetet.", "uppföljning av ekonomi."])
def test_a_wrapped_line_that_resembles_a_section_heading_does_not_end_the_goals(tmp_path: Path, tail: str) -> None:
    """A scanned paragraph comes one line per paragraph; its last line can read almost like a template
    heading ("Systematiskt kvalitetsarbete"). Starting in lower case and ending with a full stop, it is text."""
    document = docx.Document()
    _front(document, "Verksamhetsberättelse 2025")
    document.add_paragraph("KF:s inriktningsmål: 1. Ett Stockholm som håller samman")
    document.add_paragraph("KF:s mål för verksamhetsområdet: 1.4 Stockholm ska vara en bra stad att åldras i")
    document.add_paragraph("Nämndmål: Äldre har ett tryggt liv")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("- Öka verksamhetens kvalitet bland annat genom att utveckla nya arbetssätt och det")
    document.add_paragraph(tail)
    document.add_paragraph("Tjänsteutlåtande")
    document.add_paragraph("Sid 5 (20)")
    document.add_paragraph("Enhetsmål: Enheten är energieffektiv och resurssmart")
    document.add_paragraph("Uppfylls delvis")
    document.add_paragraph("Systematiskt kvalitetsarbete")  # the real heading, later, still ends the goals
    document.add_paragraph("Enheten arbetar enligt ledningssystemet.")
    report = read_report(_save(document, tmp_path))
    [kf] = report.all_kf_mal()
    assert kf.number == "1.4" and [g.title for g in report.all_enhetsmal()] == ["Enheten är energieffektiv och resurssmart"]
    assert [n.title for n in kf.namndmal] == ["Äldre har ett tryggt liv"]
    assert [s.title for s in report.sections] == ["Systematiskt kvalitetsarbete"]


def test_a_shared_line_that_once_falls_at_a_page_break_is_not_page_furniture(tmp_path: Path) -> None:
    """Goals copied from one another share short lines; one copy after a page header does not make it a header."""
    document = docx.Document()
    _front(document, "Verksamhetsberättelse 2025")
    _goal_skeleton(document)
    for number in range(4):
        document.add_paragraph(f"Enhetsmål: Mål nummer {number}")
        document.add_paragraph("Uppfylls delvis")
        document.add_paragraph("Analys")
        document.add_paragraph("1. Medarbetarna källsorterar hos brukarna.")
        if number == 2:
            document.add_paragraph("Tjänsteutlåtande")
            document.add_paragraph("Sid 5 (20)")
        document.add_paragraph("2. Användning av cyklar har ökat")
    report = read_report(_save(document, tmp_path))
    for goal in report.all_enhetsmal():
        assert goal.analys is not None
        assert [p.text for p in goal.analys.paragraphs][-1].endswith("Användning av cyklar har ökat")


@pytest.mark.parametrize(
    ("lines", "unit"),
    [
        # A unit whose name starts like a front-page field ("Telefon: …", "Till …"), then its address.
        (["Telefonplans hemtjänst", "Lövholmsvägen 31", "Telefon: 08-508 00 001"], "Telefonplans hemtjänst"),
        (["Tillfälliga bostäders enhet", "Götgatan 14 B"], "Tillfälliga bostäders enhet"),
        # Twice on a scanned front page, damaged differently: the cleaner copy.
        (["Fru&ngens hemtjänst", "Fruängens hemtjänst", "Hägerstenvägen 250"], "Fruängens hemtjänst"),
    ],
)
def test_unit_from_a_front_page_with_address_and_damage(tmp_path: Path, lines: list[str], unit: str) -> None:
    document = docx.Document()
    document.add_paragraph("Stockholms stad")
    document.add_paragraph("Verksamhetsplan 2025")
    for line in lines:
        document.add_paragraph(line)
    assert read_report(_save(document, tmp_path)).unit == unit


def test_a_damaged_unit_name_is_mended_from_the_running_headers(tmp_path: Path) -> None:
    """Only the front page's copy is damaged; the page headers further in repeat the name intact."""
    document = docx.Document()
    _front(document, "Verksamhetsberättelse 2025", "Grbndals hemtjanst")
    _goal_skeleton(document)
    for page in range(3):
        document.add_paragraph(f"Enhetsmål: Mål nummer {page}")
        document.add_paragraph("Gröndals hemtjänst")
        document.add_paragraph("Tjänsteutlåtande")
        document.add_paragraph(f"Sid {page + 2} (9)")
        document.add_paragraph("Uppfylls helt")
    report = read_report(_save(document, tmp_path))
    assert report.unit == "Gröndals hemtjänst"
    assert all(goal.bedomning == "helt" for goal in report.all_enhetsmal())
