"""Tests of the fixture builder itself (tests/fixtures/docbuilder.py).

They read the built files with python-docx and lxml only, never with
`checker`, so that a bug in the reader cannot hide a bug in the fixtures.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.fixtures import docbuilder as db
from tests.fixtures.build_reports import build_sample, planned_pdfs, planned_reports

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "reports"
FIXTURES = REPO / "tests" / "fixtures"
SEEDS = ("aspudden_vb2025", "hagersten_alvsjo_vp2024")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=None)
def built(name: str) -> bytes:
    spec, state = planned_reports()[name]
    return db.build_docx(spec, state=state)  # type: ignore[arg-type]


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def body_paragraphs(document) -> list:
    return [p for p in document.paragraphs]


def all_cells(document) -> list:
    """Every distinct cell of every body table (merged cells once)."""
    seen, out = set(), []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    out.append(cell)
    return out


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for c in all_cells(document)]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_footer, section.first_page_header):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[^\W_]+", text))


def xml_parts(data: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))


# --------------------------------------------------------------------------- markup


def test_markup_round_trip() -> None:
    for seed in SEEDS:
        spec = db.load_source(seed)
        again = db.parse_markup(db.to_markup(spec))
        assert again == spec


def test_markup_errors_name_the_line() -> None:
    with pytest.raises(db.MarkupError) as err:
        db.parse_markup("# Rubrik\nTABLE konstig\nEND\n")
    assert err.value.lineno == 2
    with pytest.raises(db.MarkupError):
        db.parse_markup("TABLE aktivitet\nH: Aktivitet | Startdatum\nR: bara en cell | 2025 | extra\nEND\n")
    with pytest.raises(db.MarkupError):
        db.parse_markup("TABLE aktivitet\nH: Aktivitet\n")


def test_markup_kinds() -> None:
    spec = db.parse_markup(
        "@kind: VB\n# Sammanfattande analys\nENHETSMAL: *Enheten gör något.*\nSTATUS pua: Uppfylls helt\n"
        "LABEL: Förväntat resultat\n1. Ett\n2. Två\n- punkt\n\\1. inte en lista\n~\n"
        "TABLE indikator_plan\nH: Indikator | Årsmål | KF:s årsmål år 2024 | Periodicitet\n"
        "R: Andel | 70 % |  | År\nA: Analys text\nEND\nTOC2: Investeringar | 18\n"
    )
    kinds = [b.kind for b in spec.blocks]
    assert kinds == ["heading", "goal", "status", "label", "number", "number", "bullet", "para", "empty", "table", "toc"]
    assert spec.meta == {"kind": "VB"}
    assert spec.blocks[7].text == "1. inte en lista" and spec.blocks[7].literal
    table = spec.blocks[9].table
    assert table is not None and table.rows[0].cells == ["Andel", "70 %", "", "År"]
    assert table.rows[1].analysis == "Analys text"


def test_sources_transcribe_the_seeds_structure() -> None:
    """Counts taken by hand from the seed texts (see fixtures/seed_inventory.md)."""
    expected = {
        "aspudden_vb2025": dict(enhetsmal=8, indikator_rows=8, aktivitet_rows=13, synpunkter_tables=2, numbered_lists_starting_6=1),
        "hagersten_alvsjo_vp2024": dict(enhetsmal=4, indikator_rows=7, aktivitet_rows=8, synpunkter_tables=0, numbered_lists_starting_6=0),
    }
    for seed, exp in expected.items():
        spec = db.load_source(seed)
        tables = [b.table for b in spec.blocks if b.table is not None]
        rows = lambda kind: sum(1 for t in tables if t.kind.startswith(kind) for r in t.rows if not r.is_analysis)
        firsts = db._numbered_runs(spec.blocks)
        starts = [spec.blocks[i].number for i in set(firsts.values())]
        got = dict(
            enhetsmal=sum(1 for b in spec.blocks if b.goal == "enhetsmal"),
            indikator_rows=rows("indikator"),
            aktivitet_rows=rows("aktivitet"),
            synpunkter_tables=sum(1 for t in tables if t.kind == "synpunkter"),
            numbered_lists_starting_6=starts.count(6),
        )
        assert got == exp, seed


# --------------------------------------------------------------------------- determinism


def test_reports_are_deterministic_and_up_to_date() -> None:
    """Building twice gives the same bytes, and the committed reports are current."""
    for name in planned_reports():
        data = built(name)
        spec, state = planned_reports()[name]
        assert db.build_docx(spec, state=state) == data, name  # type: ignore[arg-type]
        committed = REPORTS / name
        assert committed.exists(), f"run python -m tests.fixtures.build_reports ({name} missing)"
        assert committed.read_bytes() == data, f"{name} is stale: run python -m tests.fixtures.build_reports"
        assert len(data) < 200_000


def test_sample_pdfs_are_deterministic_and_up_to_date() -> None:
    """The PDF versions in reports/ are current, and building twice gives the same bytes."""
    for name in planned_pdfs():
        data = build_sample(name)
        assert build_sample(name) == data, name
        committed = REPORTS / name
        assert committed.exists(), f"run python -m tests.fixtures.build_reports ({name} missing)"
        assert committed.read_bytes() == data, f"{name} is stale: run python -m tests.fixtures.build_reports"
        assert len(data) < 200_000


def test_seed_changes_the_noise() -> None:
    spec = db.load_source("hagersten_alvsjo_vp2024")
    for state in ("hand", "scan"):
        assert db.build_docx(spec, state=state, seed=0) != db.build_docx(spec, state=state, seed=1)


def test_reports_are_valid_zip_and_open() -> None:
    for name in planned_reports():
        data = built(name)
        z = zipfile.ZipFile(io.BytesIO(data))
        assert z.testzip() is None
        assert {"[Content_Types].xml", "word/document.xml", "word/numbering.xml"} <= set(z.namelist())
        assert "docProps/thumbnail.jpeg" not in z.namelist()
        document = open_docx(data)
        assert document.core_properties.created is not None
        assert len(document.paragraphs) > 100


# --------------------------------------------------------------------------- export


def test_export_has_heading_styles_numbering_and_merged_analysis_rows() -> None:
    document = open_docx(built("aspudden_vb2025_export.docx"))
    styles = Counter(p.style.name for p in document.paragraphs)
    assert styles["Heading 1"] >= 5 and styles["Heading 2"] >= 5 and styles["Heading 3"] >= 8
    assert styles["Heading 4"] >= 20  # part labels
    numbered = [p for p in document.paragraphs if p._p.find(f"{W}pPr/{W}numPr") is not None]
    assert len(numbered) > 30
    assert not any(re.match(r"\d+\.\s", p.text) for p in numbered), "Word numbering has no typed numbers"
    merged = [
        tc for t in document.tables for tc in t._tbl.iter(f"{W}tc")
        if tc.find(f"{W}tcPr/{W}gridSpan") is not None
    ]
    assert len(merged) == 15  # the VB's analysis rows: 4 indikator + 11 aktivitet
    texts = ["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in merged]
    assert all(x.startswith(("Analys", "<p>Analys")) for x in texts)
    assert sum("<p>" in x for x in texts) == 9  # leaked HTML


def test_export_numbering_restarts_like_word() -> None:
    data = built("aspudden_vb2025_export.docx")
    numbering = zipfile.ZipFile(io.BytesIO(data)).read("word/numbering.xml").decode()
    starts = re.findall(r'<w:startOverride w:val="(\d+)"/>', numbering)
    assert starts.count("6") == 1  # the analysis numbered 1, 2, 3, 4, 6
    assert starts.count("1") >= 10
    document = open_docx(data)
    num_ids = [
        p._p.find(f"{W}pPr/{W}numPr/{W}numId").get(qn("w:val"))
        for p in document.paragraphs
        if p._p.find(f"{W}pPr/{W}numPr") is not None and p.style.name == "List Paragraph"
    ]
    assert len(set(num_ids)) > 10  # each list has its own w:num


def test_export_glyphs_toc_and_furniture() -> None:
    data = built("aspudden_vb2025_export.docx")
    xml = xml_parts(data)
    assert 'w:sym w:font="Wingdings" w:char="F06C"' in xml or "\uf06c" in xml
    assert "\uf0fc" in xml or "✓" in xml  # activity checkmarks
    assert "TOC \\o" in xml
    document = open_docx(data)
    texts = [p.text for p in document.paragraphs]
    assert "— Inga data" in texts and "◆ Uppfylls delvis" in texts
    assert any(t.endswith("Uppfylls helt") and t != "Uppfylls helt" for t in texts)
    toc = [p for p in document.paragraphs if p.style.name.startswith("toc")]
    assert len(toc) == 20 and all("\t" in p.text for p in toc)
    section = document.sections[0]
    assert [p.text for p in section.header.paragraphs] == ["Tjänsteutlåtande", "Sid 2 (20)"]
    assert "start.stockholm" in [p.text for p in section.first_page_footer.paragraphs]
    assert not any(t in ("Tjänsteutlåtande", "start.stockholm") for t in texts[20:])


def test_export_enhetsmal_title_italic_after_bold_label() -> None:
    document = open_docx(built("aspudden_vb2025_export.docx"))
    goal = next(p for p in document.paragraphs if p.text.startswith("Enhetsmål: Enheten arbetar för att kunden"))
    assert goal.style.name == "Heading 3"
    assert goal.runs[0].text == "Enhetsmål: " and goal.runs[0].bold
    assert goal.runs[1].italic


@pytest.mark.parametrize("name,source", [
    ("aspudden_vb2025_export.docx", "aspudden_vb2025"),
    ("hagersten_alvsjo_vp2024_export.docx", "hagersten_alvsjo_vp2024"),
])
def test_export_contains_every_word_of_the_source(name: str, source: str) -> None:
    spec = db.load_source(source)
    expected = words("\n".join(db.source_strings(spec)))
    got = words(all_text(open_docx(built(name))))
    missing = expected - got
    assert not missing, f"missing from {name}: {dict(missing)}"


def test_seed_words_survive_transcription() -> None:
    """The sources keep the seeds' own mistakes (checked without /work/shared)."""
    vb = (FIXTURES / "sources" / "aspudden_vb2025.txt").read_text(encoding="utf-8")
    for quirk in ("Sjukfrånvar o", "nämnd/styr else", "uppfulls", "giffri", "Stockholmarens hälsa",
                  "<p>Analys</p> <p>Aspuddens hemtjänst</p>", "6. Vi har haft ESVG", "Bemannning",
                  "STATUS diamond: Uppfylls delvis", "STATUS pua: Uppfylls helt"):
        assert quirk in vb, quirk
    vp = (FIXTURES / "sources" / "hagersten_alvsjo_vp2024.txt").read_text(encoding="utf-8")
    for quirk in ("Införandet av lokal samverkansgrupp.", "tillfälligas förändringar", "Tas fram av nämnd/styrelse",
                  "H: Indikator | Årsmål | KF:s årsmål år 2024 | Periodicitet", "\\-Klimatpåverkan"):
        assert quirk in vp, quirk
    text = "\n".join(line for line in vp.splitlines() if not line.startswith("%"))
    assert "Sid 7 (14)" not in text and "start.stockholm" not in text
    # As seed 001 stands: it starts at "Inledning", with no front page, title or unit line.
    blocks = [line for line in vp.splitlines() if line.strip() and not line.startswith(("%", "@"))]
    assert blocks[0] == "# Inledning"
    assert not any(line.startswith(("TITLE:", "LOGO:", "FOOTER:", "PAGEBREAK")) for line in blocks[:5])


# --------------------------------------------------------------------------- hand


def test_hand_has_pasted_tables_split_runs_and_typed_numbers() -> None:
    document = open_docx(built("aspudden_vb2025_hand.docx"))
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith(("Indikator\t", "Aktivitet\t")) for t in texts), "a table pasted as text"
    assert any(t.startswith("Analys ") for t in texts)
    split_labels = [
        p for p in document.paragraphs
        if p.text in ("Förväntat resultat", "Uppföljning", "Analys", "Beskrivning") and len(p.runs) > 1
    ]
    assert split_labels
    assert any(re.match(r"[1-6]\. ", t) for t in texts)
    assert not any(p._p.find(f"{W}pPr/{W}numPr") is not None for p in document.paragraphs)
    styles = {p.style.name for p in document.paragraphs}
    assert {"Rubrik 1", "Rubrik 2"} <= styles
    assert not any(s.startswith("Heading") for s in styles)
    assert any(t.startswith("Sid ") for t in texts) and "Tjänsteutlåtande" in texts[20:]
    assert texts.count("") > 15  # stray empty paragraphs


def test_hand_goal_title_bold_label_italic_title() -> None:
    document = open_docx(built("aspudden_vb2025_hand.docx"))
    goals = [p for p in document.paragraphs if p.text.startswith("Enhetsmål:")]
    assert len(goals) == 8
    for p in goals:
        assert p.runs[0].text == "Enhetsmål:" and p.runs[0].bold
        assert all(r.italic for r in p.runs[2:])
    assert any(p.style.name == "SDF Mål" for p in goals)


def test_hand_has_unmerged_analysis_rows() -> None:
    document = open_docx(built("aspudden_vb2025_hand.docx"))
    unmerged = 0
    for table in document.tables:
        for row in table.rows:
            tcs = row._tr.findall(f"{W}tc")
            first = "".join(t.text or "" for t in tcs[0].iter(f"{W}t"))
            if first.startswith(("Analys", "<p>Analys")) and len(tcs) > 1:
                rest = "".join(t.text or "" for tc in tcs[1:] for t in tc.iter(f"{W}t"))
                assert rest == ""
                unmerged += 1
    assert unmerged >= 1


# --------------------------------------------------------------------------- scan


GARBLED_LABELS = ("Forvantat resultat", "Férvantat resultat", "Uppfbljning", "Uppfdljning", "Uppfoljning",
                  "Arbetssatt", "Arbetss&tt")


def test_scan_has_garbled_labels_furniture_and_short_lines() -> None:
    for name in ("aspudden_vb2025_scan.docx", "hagersten_alvsjo_vp2024_scan.docx"):
        document = open_docx(built(name))
        texts = [p.text.strip() for p in document.paragraphs]
        assert any(t in GARBLED_LABELS for t in texts), name
        assert any(t.startswith(("Enhetsmal", "Namndmal", "N&mndmal")) for t in texts) or name.startswith("hag"), name
        assert "Tjänsteutlåtande" in texts[25:]
        assert any(re.fullmatch(r"Sid \d+ \(\d+\)", t) for t in texts)
        assert "start.stockholm" in texts[25:]
        assert max(len(t) for t in texts) <= 100
        assert {p.style.name for p in document.paragraphs} == {"Normal"}
        cells = [c.text for c in all_cells(document)]
        assert any(re.match(r"(c|¢|v|€) \S", c) for c in cells), "icons before names"
    joined = all_text(open_docx(built("aspudden_vb2025_scan.docx")))
    assert re.search(r"\b(6ka|&r|Malet|Enhetsmal)\b", joined)
    assert re.search(r"^(e|0) (Inga data|Uppfylls)", joined, re.M)


def test_scan_splits_paragraphs_with_furniture() -> None:
    document = open_docx(built("hagersten_alvsjo_vp2024_scan.docx"))
    texts = [p.text.strip() for p in document.paragraphs]
    # Somewhere a page header sits between two lines of one sentence.
    splits = [i for i, t in enumerate(texts) if t == "Tjänsteutlåtande"
              and i > 0 and texts[i - 1] and not texts[i - 1].endswith((".", ":"))]
    assert splits or any(
        texts[i + 2] and texts[i + 2][0].islower() for i, t in enumerate(texts[:-2]) if t == "Tjänsteutlåtande"
    )


# --------------------------------------------------------------------------- variants and API


def test_tertialrapport_variant() -> None:
    spec = db.to_tertialrapport(db.load_source("aspudden_vb2025"), tertial=2)
    assert spec.meta["kind"] == "T2" and spec.meta["title"] == "Tertialrapport 2 2025"
    document = open_docx(built("aspudden_t2_2025_export.docx"))
    texts = [p.text for p in document.paragraphs]
    assert "Tertialrapport 2 2025" in texts and "Verksamhetsberättelse 2025" not in texts
    assert any("bedömer att målet kommer att uppnås" in t for t in texts)
    synpunkter = [t for t in document.tables if t.rows[0].cells[0].text == "Uppdelning"]
    assert len(synpunkter) == 2
    for table in synpunkter:
        header = [c.text for c in table.rows[0].cells]
        t1, t2, vb, tot = (header.index(h) for h in ("Utfall T1 2025", "Utfall T2 2025", "Utfall VB 2025", "Totalt ack 2025"))
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            assert cells[vb] == ""
            nums = [int(re.search(r"\d+", cells[i]).group()) for i in (t1, t2) if cells[i]]
            assert cells[tot].replace(" st", "") == (str(sum(nums)) if nums else "")


def test_fluent_api_builds_a_tiny_document(tmp_path: Path) -> None:
    spec = (
        db.DocSpec()
        .set(kind="VB", year=2025, unit="Testenheten", pages=3)
        .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i")
        .enhetsmal("Enheten arbetar för att kunden ska vara trygg.")
        .status("Uppfylls delvis", glyph="pua")
        .label("Förväntat resultat")
        .numbered(["Ökad trygghet.", "Ökad delaktighet."])
        .label("Analys")
        .para("Enheten bedömer att målet uppnås.")
        .indikator_table([["Andel nöjda", "80 %", "", "", "", "85 %", "", "2025"], db.Analys("Analys Bra.")])
    )
    path = tmp_path / "tiny.docx"
    for state in db.STATES:
        db.build_docx(spec, path, state=state)
        document = docx.Document(str(path))
        text = all_text(document)
        assert "Andel nöjda" in text
    document = docx.Document(io.BytesIO(db.build_docx(spec, state="export")))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 3"] == [
        "Enhetsmål: Enheten arbetar för att kunden ska vara trygg."
    ]
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 3
    assert document.tables[0].rows[2].cells[0].text == "Analys\nBra."
    # Markup text works the same way.
    assert db.build_docx("ENHETSMAL: Ett mål\nLABEL: Förväntat resultat\n1. Ett\n") == db.build_docx(
        db.DocSpec().enhetsmal("Ett mål").label("Förväntat resultat").numbered(["Ett"])
    )


# --------------------------------------------------------------------------- hygiene


PERSONAL = ("Mujanovic", "Mirela", "mirela", "0850822985", "08-508 22 565", "0850822565", "@stockholm.se")


def test_no_personal_data_from_the_seeds() -> None:
    for path in (FIXTURES / "sources").glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        for needle in PERSONAL:
            assert needle not in text, (path.name, needle)
    for name in planned_reports():
        xml = xml_parts(built(name))
        for needle in PERSONAL:
            assert needle not in xml, (name, needle)
    assert "Karin Lindqvist" in xml_parts(built("aspudden_vb2025_export.docx"))


def test_builder_needs_nothing_outside_the_repo() -> None:
    for path in (FIXTURES / "docbuilder.py", FIXTURES / "build_reports.py"):
        source = path.read_text(encoding="utf-8")
        assert "/work/shared" not in source and "seeds/" not in source
        assert "import checker" not in source and "from checker" not in source
    assert sorted(p.name for p in (FIXTURES / "sources").glob("*.txt")) == [
        "aspudden_vb2025.txt", "hagersten_alvsjo_vp2024.txt",
    ]
