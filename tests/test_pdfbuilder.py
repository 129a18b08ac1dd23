"""Tests of the PDF fixture builder itself (tests/fixtures/pdfbuilder.py).

They read the built PDFs with pypdfium2 only, never with `checker`, so that a
bug in the PDF reader cannot hide a bug in the fixtures (and the other way
round).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.units import cm

from tests.fixtures import docbuilder as db
from tests.fixtures import pdfbuilder as pb

SOURCES = pb.SOURCES
# PDFium marks a word hyphenated at a line end with U+FFFE (or U+0002) where the hyphen was.
_HYPHEN_MARK = re.compile(r"[\ufffe\x02]\s*")


@lru_cache(maxsize=None)
def built(source: str, state: str, front_page: bool = True) -> bytes:
    return pb.build_pdf(db.load_source(source), state=state, front_page=front_page)  # type: ignore[arg-type]


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def flat(text: str) -> str:
    """Text as one line: hyphenated words joined, line breaks and runs of spaces made one space."""
    return re.sub(r"\s+", " ", _HYPHEN_MARK.sub("", text)).strip()


def path_objects(data: bytes) -> list[int]:
    """How many path objects (drawn lines and boxes) each page has."""
    document = pdfium.PdfDocument(data)
    try:
        return [len(list(document[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]))) for i in range(len(document))]
    finally:
        document.close()


def goal_titles(spec: db.DocSpec) -> list[str]:
    return [db.GOAL_PREFIX[b.goal] + db.plain(b.text) for b in spec.blocks if b.kind == "goal"]


def scanned(title: str) -> re.Pattern[str]:
    """The title as a scan may show it: a word with diacritics may be damaged, the others are kept."""
    words = [r"\S+" if re.search("[åäöÅÄÖ]", word) else re.escape(word) for word in title.split()]
    return re.compile(r"\s+".join(words))


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("state", pb.PDF_STATES)
def test_same_spec_state_and_seed_give_the_same_bytes(state: str) -> None:
    spec = db.load_source("hagersten_alvsjo_vp2024")
    first = pb.build_pdf(spec, state=state)  # type: ignore[arg-type]
    assert first.startswith(b"%PDF-")
    assert pb.build_pdf(db.to_markup(spec), state=state) == first  # type: ignore[arg-type]


def test_the_seed_changes_the_scan_damage() -> None:
    spec = db.load_source("hagersten_alvsjo_vp2024")
    assert pb.build_pdf(spec, state="scan", seed=1) != pb.build_pdf(spec, state="scan", seed=2)


def test_bytes_are_written_to_the_path(tmp_path) -> None:
    target = tmp_path / "vp.pdf"
    data = pb.build_pdf(db.load_source("hagersten_alvsjo_vp2024"), target, state="print")
    assert target.read_bytes() == data


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError):
        pb.build_pdf(db.load_source("hagersten_alvsjo_vp2024"), state="hand")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("state", ["export", "print"])
@pytest.mark.parametrize("source", SOURCES)
def test_every_goal_title_is_in_the_text_layer(source: str, state: str) -> None:
    text = flat(" ".join(page_texts(built(source, state))))
    missing = [title for title in goal_titles(db.load_source(source)) if flat(title) not in text]
    assert not missing


@pytest.mark.parametrize("source", SOURCES)
def test_the_scan_keeps_every_goal_title_recognisable(source: str) -> None:
    """Diacritics may be damaged; the other words of each title are all there, in order."""
    text = flat(" ".join(page_texts(built(source, "scan"))))
    missing = [title for title in goal_titles(db.load_source(source)) if not scanned(title).search(text)]
    assert not missing


def test_the_scan_is_damaged_like_the_docx_scan() -> None:
    text = flat(" ".join(page_texts(built("aspudden_vb2025", "scan"))))
    assert re.search(r"Enhetsmal|Forvantat|Férvantat|Uppf[bdo]ljning", text)
    assert re.search(r"(^| )[c¢v€] [A-ZÅÄÖ]", text)  # an icon turned into a stray character
    assert "●" not in text and "◆" not in text and "✔" not in text


def test_export_draws_status_glyphs_and_checkmarks() -> None:
    text = flat(" ".join(page_texts(built("aspudden_vb2025", "export"))))
    assert re.search(r"[●◆—] Uppfylls (helt|delvis|inte)", text)
    assert "✔ " in text


def test_long_words_are_sometimes_hyphenated_at_a_line_end() -> None:
    text = " ".join(page_texts(built("aspudden_vb2025", "export")))
    assert _HYPHEN_MARK.search(text)


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("source", SOURCES)
def test_export_tables_are_ruled_print_and_scan_not(source: str) -> None:
    ruled = path_objects(built(source, "export"))
    assert sum(ruled) > 20 and ruled[0] == 0  # grid lines where the tables are; none on the front page
    for state in ("print", "scan"):
        assert sum(path_objects(built(source, state))) == 0, state


def long_table_spec() -> db.DocSpec:
    rows: list[list[str] | db.Analys] = []
    for n in range(1, 61):
        rows.append([f"Indikator nummer {n}", f"{n} %", "", "", "", "80 %", "", "2025"])
        if n % 3 == 0:
            rows.append(db.Analys(f"Analys Indikatorn {n} följs upp varje tertial av enhetschefen och"
                                  " redovisas för medarbetarna på arbetsplatsträffen."))
    return (db.DocSpec().set(kind="VB", year="2025", unit="Testenheten", phone="08-508 11 111")
            .heading("Uppföljning").enhetsmal("Enheten har ett långt mål").status("Uppfylls delvis", glyph="dot")
            .indikator_table(rows))


@pytest.mark.parametrize("state", pb.PDF_STATES)
def test_a_long_table_repeats_its_header_on_every_page(state: str) -> None:
    pages = page_texts(pb.build_pdf(long_table_spec(), state=state))  # type: ignore[arg-type]
    assert len(pages) >= 3
    for page in pages:
        assert "Periodens" in page and "Årsmål" in page
    text = flat(" ".join(pages))
    assert all(f"Indikator nummer {n} " in text for n in range(1, 61))


def test_an_analysis_row_spans_the_ruled_table() -> None:
    """The merged analysis row has no inner column rules: its text runs past the first column."""
    data = pb.build_pdf(long_table_spec(), state="export")
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        width, height = page.get_size()
        beyond_first_column = page.get_textpage().get_text_bounded(
            left=pb.MARGIN_X + 5 * cm + 6, bottom=0, right=width, top=height)
        assert "redovisas för medarbetarna" in flat(beyond_first_column)
    finally:
        document.close()


# --------------------------------------------------------------------------- page furniture


@pytest.mark.parametrize("state", pb.PDF_STATES)
@pytest.mark.parametrize("source", SOURCES)
def test_running_header_and_footer_on_every_page_after_the_first(source: str, state: str) -> None:
    pages = page_texts(built(source, state))
    phone = db.load_source(source).meta["phone"]
    assert len(pages) > 5
    assert "Sid 1 " not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert "Tjänsteutlåtande" in page
        assert f"Sid {number} ({len(pages)})" in page
        assert phone in page and "start.stockholm" in page


def test_front_page_has_its_footer_block_and_no_running_header() -> None:
    first = page_texts(built("aspudden_vb2025", "export"))[0]
    assert "Verksamhetsberättelse 2025" in first and "karin.lindqvist@example.se" in first
    assert not re.search(r"Sid \d+ \(", first)


@pytest.mark.parametrize("state", pb.PDF_STATES)
def test_without_front_page_the_text_starts_at_the_body(state: str) -> None:
    spec = db.load_source("aspudden_vb2025")
    data = built("aspudden_vb2025", state, front_page=False)
    assert data == pb.build_pdf(db.without_front_page(spec), state=state)  # type: ignore[arg-type]
    first = flat(page_texts(data)[0])
    assert first.startswith("Sammanfattande analys") or first.startswith("Sammanfattande")
    assert "Dnr" not in first and "Innehållsförteckning" not in first


# --------------------------------------------------------------------------- OCR layer


def test_invisible_text_is_read_but_not_seen() -> None:
    spec = long_table_spec()
    visible = pb.build_pdf(spec, state="scan")
    hidden = pb.build_pdf(spec, state="scan", invisible_text=True)
    assert page_texts(hidden) == page_texts(visible)

    def dark_pixels(data: bytes) -> int:
        document = pdfium.PdfDocument(data)
        try:
            image = document[0].render(scale=0.5, grayscale=True).to_pil()
            return sum(image.histogram()[:128])
        finally:
            document.close()

    assert dark_pixels(visible) > 1000
    assert dark_pixels(hidden) == 0


# --------------------------------------------------------------------------- a mixed folder


def test_write_pdf_set_mixes_docx_and_pdf(tmp_path) -> None:
    written = pb.write_pdf_set(tmp_path, sources=["hagersten_alvsjo_vp2024"], states=["export", "scan"])
    assert [p.name for p in written] == [
        "hagersten_alvsjo_vp2024.docx", "hagersten_alvsjo_vp2024_export.pdf", "hagersten_alvsjo_vp2024_scan.pdf",
    ]
    assert written[0].read_bytes().startswith(b"PK")
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written[1:])


def test_the_mixed_folder_fixture_holds_both_versions_of_each_source(mixed_folder) -> None:
    names = sorted(p.name for p in mixed_folder.iterdir())
    for source in SOURCES:
        assert f"{source}.docx" in names
        assert all(f"{source}_{state}.pdf" in names for state in pb.PDF_STATES)
