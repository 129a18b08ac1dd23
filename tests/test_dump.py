"""`malkoll dump` and `malkoll schema`: the public JSON view of a report and its schema."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.model import (
    Aktivitet,
    Enhetsmal,
    Indikator,
    KfInriktningsmal,
    KfMal,
    Namndmal,
    Paragraph,
    Part,
    Report,
    ResultItem,
    Section,
    Source,
    SynpunktRow,
    Value,
)
from checker.output.dump_json import dump_dict, dump_schema, dump_schema_json
from checker.output.dump_tree import render_tree
from checker.output.terminal import make_console

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "docs" / "schema" / "dump.schema.json"
NODE_TYPES = {"kf_inriktningsmal", "kf_mal", "namndmal", "enhetsmal", "indikator", "aktivitet", "section"}


def src(block: int, **kw: int) -> Source:
    return Source(block=block, **kw)


def para(text: str, block: int) -> Paragraph:
    return Paragraph(text=text, original=text, source=src(block, paragraph=block))


def part(label: str, block: int, *texts: str) -> Part:
    return Part(label=label, source=src(block, paragraph=block), paragraphs=[para(t, block + 1 + i) for i, t in enumerate(texts)])


def sample_report() -> Report:
    """A small VB with one of everything, titles containing markup and escapes."""
    indikator = Indikator(
        name="Andel nöjda brukare",
        arsmal=Value(text="90 %", number=90.0, unit="%"),
        kf_arsmal=Value(text="90 %", number=90.0, unit="%"),
        utfall=Value(text="88,5 %", number=88.5, unit="%"),
        utfall_foregaende=Value(text="Max 10 personer", number=10.0, unit="personer", bound="max"),
        period="VB 2025",
        analys="Resultatet är något lägre än målet.",
        analys_source=src(31, table=2, row=2, column=0),
        source=src(31, table=2, row=1, column=0),
    )
    tom_indikator = Indikator(name="Andel med genomförandeplan", source=src(31, table=2, row=3, column=0))
    aktivitet = Aktivitet(
        title="Utbilda ombud",
        start=dt.date(2025, 1, 1),
        slut=None,
        start_text="2025-01-01",
        slut_text="2025-13-40",
        source=src(32, table=3, row=1, column=0),
    )
    goal = Enhetsmal(
        title="Enheten arbetar för att brukarna ska känna sig [bold]trygga[/bold]",
        prefixes=["Områdesmål"],
        bedomning="helt",
        bedomning_source=src(21, paragraph=21),
        forvantat_resultat=[
            ResultItem(number=1, marker="number", text="Brukarna känner sig trygga.", source=src(23, paragraph=23)),
            ResultItem(number=2, marker="number", text="Personalen har kunskap.", source=src(24, paragraph=24)),
        ],
        forvantat_resultat_part=part("Förväntat resultat", 22, "1. Brukarna känner sig trygga.", "2. Personalen har kunskap."),
        analys=part("Analys", 25, "Enheten bedömer att enhetsmålet har uppnåtts."),
        kommentar=part("Kommentar", 29),
        indikatorer=[tom_indikator, indikator],
        aktiviteter=[aktivitet],
        source=src(20, paragraph=20),
    )
    namndmal = Namndmal(
        title="Äldre har ett tryggt liv",
        beskrivning=part("Beskrivning", 15, "Nämnden vill …"),
        enhetsmal=[goal],
        source=src(14, paragraph=14),
    )
    kf = KfMal(number="1.4", title="Stockholm ska vara en bra stad att åldras i", namndmal=[namndmal], source=src(12, paragraph=12))
    inriktning = KfInriktningsmal(number="1", title="Ett Stockholm som håller samman", kf_mal=[kf], source=src(10, paragraph=10))
    return Report(
        path="reports/vb.docx",
        kind="verksamhetsberattelse",
        year=2025,
        unit="Aspuddens hemtjänst",
        title="Verksamhetsberättelse 2025",
        sections=[
            Section(title="Sammanfattande analys", paragraphs=[para("Året har gått bra.", 3)], source=src(2, paragraph=2)),
            Section(
                title="Uppföljning av ekonomi",
                children=[Section(title="Investeringar", source=src(41, paragraph=41))],
                source=src(40, paragraph=40),
            ),
        ],
        inriktningsmal=[inriktning],
        synpunkter=[
            SynpunktRow(
                kategori="Bemötande",
                t1=Value(text="3 st", number=3.0, unit="st"),
                totalt=Value(text="3", number=3.0),
                source=src(50, table=5, row=1, column=0),
            )
        ],
        synpunkter_source=src(50, table=5),
        notes=["Ett exempel på en anteckning."],
    )


def walk(node: dict) -> list[dict]:
    nodes = [node]
    for child in node.get("children", []):
        nodes.extend(walk(child))
    return nodes


def test_every_node_has_type_title_children_and_source() -> None:
    data = dump_dict(sample_report())
    nodes = walk(data)[1:]
    assert {n["type"] for n in nodes} == NODE_TYPES
    for node in nodes:
        assert isinstance(node["title"], str)
        assert isinstance(node["children"], list)
        assert isinstance(node["source"]["block"], int)
        assert node["source"]["description"]


def test_root_has_kind_year_unit_and_document_order() -> None:
    data = dump_dict(sample_report())
    assert data["format_version"] == 1
    assert (data["kind"], data["year"], data["unit"]) == ("verksamhetsberattelse", 2025, "Aspuddens hemtjänst")
    assert data["path"] == "reports/vb.docx"
    assert data["notes"] == ["Ett exempel på en anteckning."]
    # Sections and goals interleaved as in the document: block 2, 10, 40.
    assert [c["type"] for c in data["children"]] == ["section", "kf_inriktningsmal", "section"]
    assert data["children"][2]["children"][0]["title"] == "Investeringar"
    assert data["children"][2]["children"][0]["empty"] is True
    assert data["synpunkter"][0]["t1"] == "3 st"
    assert data["synpunkter"][0]["t1_value"] == {"number": 3.0, "unit": "st", "bound": None}
    assert data["synpunkter"][0]["t2"] is None


def _enhetsmal(data: dict) -> dict:
    return next(n for n in walk(data) if n["type"] == "enhetsmal")


def test_enhetsmal_fields() -> None:
    goal = _enhetsmal(dump_dict(sample_report()))
    assert goal["bedomning"] == "helt"
    assert goal["prefixes"] == ["Områdesmål"]
    assert goal["forvantat_resultat"] == ["Brukarna känner sig trygga.", "Personalen har kunskap."]
    assert [i["number"] for i in goal["forvantat_resultat_items"]] == [1, 2]
    assert goal["analys"] == "Enheten bedömer att enhetsmålet har uppnåtts."
    assert goal["arbetssatt"] is None and goal["uppfoljning"] is None
    # A heading with no text is null in the field but visible under "parts".
    assert goal["kommentar"] is None
    kommentar = next(p for p in goal["parts"] if p["field"] == "kommentar")
    assert kommentar["empty"] is True and kommentar["label"] == "Kommentar"
    assert [p["field"] for p in goal["parts"]] == ["forvantat_resultat", "analys", "kommentar"]


def test_indikator_and_aktivitet_fields() -> None:
    goal = _enhetsmal(dump_dict(sample_report()))
    empty, full, akt = goal["children"]
    assert full["type"] == "indikator" and full["name"] == full["title"] == "Andel nöjda brukare"
    assert full["utfall"] == "88,5 %"
    assert full["utfall_value"] == {"number": 88.5, "unit": "%", "bound": None}
    assert full["utfall_foregaende_value"]["bound"] == "max"
    assert full["arsmal"] == "90 %" and full["kf_arsmal"] == "90 %"
    assert full["analys"] == "Resultatet är något lägre än målet."
    assert empty["utfall"] is None and empty["arsmal"] is None and empty["analys"] is None
    assert empty["utfall_value"] is None
    assert akt["type"] == "aktivitet"
    assert akt["start"] == "2025-01-01" and akt["slut"] is None
    assert akt["slut_text"] == "2025-13-40"
    assert akt["analys"] is None


def test_dump_validates_against_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(dump_schema())
    errors = list(validator.iter_errors(dump_dict(sample_report())))
    assert errors == []
    # And the schema really constrains: an unknown node type is rejected.
    broken = dump_dict(sample_report())
    broken["children"][0]["type"] = "kapitel"
    assert list(validator.iter_errors(broken))


def test_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == dump_schema_json(), (
        "docs/schema/dump.schema.json är inaktuell: kör `python -m checker schema -o docs/schema/dump.schema.json`"
    )


def test_schema_command_prints_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == dump_schema()
    assert printed["$schema"].startswith("https://json-schema.org/")


def test_tree_shows_statuses_parts_and_values() -> None:
    out = io.StringIO()
    console = make_console(out, color=False, width=200)
    console.print(render_tree(sample_report()))
    text = out.getvalue()
    assert "Verksamhetsberättelse 2025 · Aspuddens hemtjänst" in text
    assert "KF:s inriktningsmål 1. Ett Stockholm som håller samman" in text
    assert "Enhetsmål › Områdesmål: Enheten arbetar för att brukarna ska känna sig [bold]trygga[/bold]" in text
    assert "Uppfylls helt" in text
    assert "✓ Förväntat resultat (2 punkter)" in text
    assert "✓ Analys" in text
    assert "✗ Kommentar (rubrik utan text)" in text
    assert "Indikator: Andel nöjda brukare  utfall 88,5 % · årsmål 90 % · KF:s årsmål 90 % · analys ✓" in text
    assert "Aktivitet: Utbilda ombud  2025-01-01 – 2025-13-40 · analys ✗" in text
    assert "Avsnitt: Investeringar  tomt" in text
    assert "Synpunkter och klagomål  1 rad" in text
    assert "Obs: Ett exempel på en anteckning." in text


def test_tree_of_unknown_document() -> None:
    report = Report(path="x.docx", notes=["Dokumentet ser inte ut som en verksamhetsplan eller rapport."])
    out = io.StringIO()
    make_console(out, color=False, width=120).print(render_tree(report))
    assert "Okänd dokumenttyp" in out.getvalue()
    assert "Obs: Dokumentet ser inte ut" in out.getvalue()


# --- the dump command on real .docx files ------------------------------------------


@pytest.fixture
def small_vb(tmp_path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Verksamhetsberättelse 2025")
    document.add_paragraph("Aspuddens hemtjänst")
    document.add_heading("Sammanfattande analys", 1)
    document.add_paragraph("Enheten har arbetat väl under året.")
    document.add_heading("KF:s inriktningsmål: 1. Ett Stockholm som håller samman", 1)
    document.add_heading("KF:s mål för verksamhetsområdet: 1.4 Stockholm ska vara en bra stad att åldras i", 2)
    document.add_heading("Nämndmål: Äldre har ett tryggt liv", 3)
    document.add_heading("Enhetsmål: Enheten arbetar för att brukarna ska känna sig trygga", 4)
    document.add_paragraph("Uppfylls helt")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("1. Brukarna känner sig trygga.")
    document.add_paragraph("Analys")
    document.add_paragraph("Brukarna har känt sig trygga under hela året enligt enkäten.")
    path = tmp_path / "vb.docx"
    document.save(path)
    return path


def test_dump_json_command_on_docx(small_vb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(small_vb), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "verksamhetsberattelse"
    assert data["year"] == 2025
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, dump_schema(), cls=jsonschema.Draft202012Validator)


def test_dump_tree_command_and_output_file(small_vb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "dump.txt"
    assert main(["dump", str(small_vb), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Verksamhetsberättelse 2025" in text
    assert "\x1b[" not in text


def test_dump_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(tmp_path / "finns-inte.docx")]) == 2
    assert "finns inte" in capsys.readouterr().err
    broken = tmp_path / "trasig.docx"
    broken.write_bytes(b"inte en zip-fil")
    assert main(["dump", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "trasig.docx" in err and "Traceback" not in err
    assert main(["dump", str(broken), "--format", "xml"]) == 2


SAMPLE_REPORTS = sorted((REPO / "reports").glob("*.docx"))


@pytest.mark.skipif(not SAMPLE_REPORTS, reason="inga exempeldokument i reports/")
def test_sample_reports_dump_valid_json() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from checker.reading.report import read_report

    validator = jsonschema.Draft202012Validator(dump_schema())
    for path in SAMPLE_REPORTS:
        report = read_report(path)
        data = dump_dict(report)
        assert list(validator.iter_errors(data)) == [], path.name
        assert data["kind"] is not None, path.name
        out = io.StringIO()
        make_console(out, color=False, width=100).print(render_tree(report))
        assert out.getvalue().startswith(("Verksamhetsplan", "Verksamhetsberättelse", "Tertialrapport")), path.name
