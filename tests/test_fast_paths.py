"""The reader's and recogniser's fast paths give exactly what the general paths give.

Each shortcut taken for speed (issue 5) is pinned here against the plain
code it replaces, on the sample reports in reports/ (all three states the
fixture builder writes: export, hand, scan) and on a document of unusual
markup (tracked changes, hyperlinks, fields, symbols, content controls, text
boxes, merged and nested cells). No timings are asserted.
"""

from __future__ import annotations

import random
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from checker.reading import docx as reader
from checker import values
from checker.structure import furniture, labels, sections, tables
from checker.text import (
    SimilarLabels,
    clear_document_caches,
    fold,
    fold_ocr,
    similar,
    strip_diacritics,
)
from tests import hostile_inputs

REPORTS = sorted((Path(__file__).resolve().parent.parent / "reports").glob("*.docx"))

# Markup Word and other writers produce that the common case does not have.
_ODD_BODY = (
    '<w:p><w:pPr><w:outlineLvl w:val="0"/><w:numPr><w:ilvl w:val="x"/><w:numId w:val="3"/></w:numPr></w:pPr>'
    '<w:r><w:rPr><w:b/></w:rPr><w:t>Enhetsmål: </w:t></w:r>'
    '<w:hyperlink><w:r><w:rPr><w:i/></w:rPr><w:t>Länk</w:t></w:r></w:hyperlink>'
    '<w:ins><w:r><w:t> infogad</w:t></w:r></w:ins>'
    '<w:del><w:r><w:delText>borta</w:delText><w:t>dold</w:t></w:r></w:del></w:p>'
    '<w:p><w:r><w:sym w:char="F0A7"/><w:t>Uppfylls helt</w:t></w:r></w:p>'
    '<w:p><w:r><w:sym w:char="ZZZ"/><w:tab/><w:t>x</w:t><w:br/><w:t>Analys</w:t><w:cr/><w:noBreakHyphen/>'
    '<w:t>y</w:t></w:r></w:p>'
    '<w:sdt><w:sdtContent><w:p><w:r><w:rPr><w:b w:val="0"/><w:rStyle w:val="Strong"/></w:rPr>'
    '<w:t>Förväntat resultat</w:t></w:r></w:p>'
    '<w:customXml><w:p><w:r><w:t>i custom</w:t></w:r></w:p></w:customXml></w:sdtContent></w:sdt>'
    '<w:p><w:fldSimple><w:r><w:t>fält</w:t></w:r></w:fldSimple><w:r><w:instrText>PAGE</w:instrText></w:r>'
    '<w:r><w:t xml:space="preserve">  a&#160;b&lt;p&gt;c&amp;d  </w:t></w:r><w:smartTag><w:r><w:t>tagg</w:t></w:r></w:smartTag></w:p>'
    '<w:p><w:r><w:t>ruta</w:t><w:drawing><w:txbxContent><w:p><w:r><w:t>Verksamhetsberättelse 2025</w:t></w:r></w:p>'
    '</w:txbxContent></w:drawing></w:r></w:p>'
    '<w:p><w:moveFrom><w:r><w:t>flyttad</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>hit</w:t></w:r></w:moveTo>'
    '<w:r><w:t></w:t></w:r><w:r><w:rPr><w:b w:val="false"/><w:i w:val="1"/></w:rPr><w:t>rest</w:t></w:r></w:p>'
    '<w:p/><w:p><w:pPr><w:pStyle w:val="Heading2"/><w:pStyle w:val="Other"/></w:pPr><w:pPr><w:pStyle w:val="X"/></w:pPr>'
    '<w:r><w:t>Rubrik</w:t></w:r><w:p><w:r><w:t>inre stycke</w:t></w:r></w:p></w:p>'
    '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Indikator</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>rad2</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'
    '<w:p><w:r><w:sym w:char="F06C"/><w:t>Årsmål</w:t><w:br/><w:noBreakHyphen/><w:cr/></w:r></w:p></w:tc></w:tr>'
    '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr><w:p><w:r><w:t>A</w:t><w:tab/><w:t>b</w:t></w:r></w:p>'
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>inre</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc>'
    '<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:del><w:r><w:t>x</w:t></w:r></w:del>'
    '<w:hyperlink><w:r><w:t>länk</w:t><w:sym w:char="F0FC"/></w:r></w:hyperlink></w:p></w:tc></w:tr></w:tbl>'
)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    odd = tmp_path_factory.mktemp("odd") / "odd.docx"
    odd.write_bytes(hostile_inputs.docx(_ODD_BODY))
    return [*REPORTS, odd]


def _body(path: Path):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml")).find(reader.W + "body")


def _general_text(p) -> str:
    """The plain walk: every run iter_runs finds, its text as _run_text reads it."""
    return "".join(reader._run_text(r) for r in reader.iter_runs(p))


def test_the_samples_cover_every_state() -> None:
    assert {path.stem.rsplit("_", 1)[1] for path in REPORTS} == {"export", "hand", "scan"}


def test_cell_text_is_the_general_walk(documents: list[Path]) -> None:
    cells = 0
    for path in documents:
        for tc in _body(path).iter(reader._TC):
            expected = "\n".join(_general_text(p) for p in tc.iter(reader._P))
            assert reader._cell_text(tc) == expected, path.name
            cells += 1
    assert cells > 100


def test_paragraph_runs_are_the_general_walk(documents: list[Path]) -> None:
    styles = reader._StyleTable(None)
    numbering = reader._Numbering(None)
    for path in documents:
        for p in _body(path).iter(reader._P):
            read = reader._read_paragraph(p, 0, 0, styles, numbering)
            expected = [run for r in reader.iter_runs(p) if (run := reader._read_run(r, False)) is not None]
            assert read.runs == expected, path.name
            assert read.raw == "".join(run.text for run in expected)
            assert reader._paragraph_text(p) == _general_text(p)


def test_numbering_properties_are_what_find_gives(documents: list[Path]) -> None:
    found = 0
    for path in documents:
        for num_pr in _body(path).iter(reader._NUMPR):
            num_id, ilvl = num_pr.find(reader.W + "numId"), num_pr.find(reader.W + "ilvl")
            if num_id is None or num_id.get(reader._VAL) in (None, "0"):
                expected = None
            else:
                try:
                    level = int(ilvl.get(reader._VAL, "0")) if ilvl is not None else 0
                except ValueError:
                    level = 0
                expected = (num_id.get(reader._VAL), level)
            assert reader._parse_num_pr(num_pr) == expected
            found += 1
    assert found > 10


def test_a_kept_style_table_reads_as_a_fresh_one(documents: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    warm = [reader.read_docx(path) for path in documents]
    again = [reader.read_docx(path) for path in documents]  # every styles part seen before
    monkeypatch.setattr(reader, "_style_table", reader._StyleTable)  # a new table for each document
    fresh = [reader.read_docx(path) for path in documents]
    for first, second, new in zip(warm, again, fresh):
        assert first.blocks == second.blocks == new.blocks
    assert len(reader._STYLE_TABLES) <= reader._STYLE_TABLES.size


def test_kept_numbering_counts_as_fresh_numbering(documents: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def fresh(data: bytes) -> reader._NumberingDefinitions:
        return reader._NumberingDefinitions(etree.fromstring(data, reader._PARSER))

    warm = [reader.read_docx(path) for path in documents]
    again = [reader.read_docx(path) for path in documents]
    monkeypatch.setattr(reader, "_numbering_definitions", fresh)
    new = [reader.read_docx(path) for path in documents]
    markers = [[b.list_marker for b in content.blocks if isinstance(b, reader.ParagraphBlock)] for content in new]
    assert any(any(found) for found in markers)
    for first, second, third in zip(warm, again, new):
        assert first.blocks == second.blocks == third.blocks


def test_only_the_last_few_parts_are_kept() -> None:
    kept: reader._KeptByPart[object] = reader._KeptByPart(4)
    made = [kept.get(bytes([n]), object) for n in range(9)]
    assert len(kept) == 4
    assert kept.get(bytes([8]), object) is made[8]
    assert kept.get(bytes([0]), object) is not made[0]
    with pytest.raises(ValueError):
        kept.get(b"broken", lambda: int("x"))
    assert len(kept) == 4 and kept.get(b"broken", object) is not None
    huge = b"x" * (kept.largest + 1)
    assert kept.get(huge, object) is not kept.get(huge, object)  # made each time, never held
    parts = [reader._StylesSource(f'<w:styles xmlns:w="{hostile_inputs.W_NS}" n="{n}"/>'.encode()) for n in range(9)]
    tables = [reader._style_table(part) for part in parts]
    assert reader._style_table(parts[-1]) is tables[-1]


def _texts(documents: list[Path]) -> list[str]:
    texts: list[str] = []
    for path in documents:
        content = reader.read_docx(path)
        for block in content.blocks:
            if isinstance(block, reader.ParagraphBlock):
                texts.append(block.text)
            else:
                texts.extend(cell.text for row in block.rows for cell in row)
    rng = random.Random(5)
    texts += ["Sid 7 (14)", "hemtjänst Tjänsteutlåtande Sid 3 (9) mer", "SIDA 2 (3)", "start.stockholm och mer",
              "tjänst sida", "  tj  ", "Uppfbljning", "Förvantat resultat:", "uppfylls  delvis", "◆ Inga data"]
    texts += ["".join(rng.choice("abdefgijklmnorstuvåäö :.") for _ in range(rng.randint(0, 45))) for _ in range(400)]
    return texts


def test_inline_furniture_as_the_substitution_gives(documents: list[Path]) -> None:
    for text in _texts(documents):
        lowered = text.lower()
        if "tj" not in lowered and "sid" not in lowered and "start.stockholm" not in lowered:
            expected = text
        else:
            expected = furniture._INLINE.sub(" ", text).strip()
        assert furniture.strip_inline_furniture(text) == expected


def test_similar_labels_answer_as_every_label_asked_in_turn(documents: list[Path]) -> None:
    clear_document_caches()
    matchers = [sections._TOP_LEVEL, sections._ANY_CHILD, labels._PART_MATCHER, labels._STATUS_MATCHER,
                labels._NESTED_MATCHER, SimilarLabels(["a", "", "analys", "x" * 70], 0.5)]
    for text in _texts(documents):
        for key in (fold_ocr(text), sections.section_key(text) if text else "", text[:30]):
            for matcher in matchers:
                expected = next((label for label in matcher.labels if similar(key, label, matcher.max_ratio)), None)
                assert matcher.first(key) == expected, (key, matcher.labels[:2])


def test_strip_diacritics_drops_exactly_the_combining_marks(documents: list[Path]) -> None:
    rng = random.Random(7)
    alphabet = "aåäöeéAÅÄÖ –”’•\u00a0\u0301\u0308\ufb01\u2163\uf0a7" + chr(0x1D538) + chr(0x1D167)
    texts = _texts(documents) + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    for text in texts:
        decomposed = unicodedata.normalize("NFKD", text)
        assert strip_diacritics(text) == "".join(ch for ch in decomposed if not unicodedata.combining(ch)), text


def test_a_repeated_header_is_known_as_classify_header_knows_it(documents: list[Path]) -> None:
    rows: list[list[str]] = [["Indikator", "Årsmål"], ["Aktivitet", "Start"], ["Uppdelning", "Totalt ack"],
                             ["Klagomål", "3", "Totalt ack."], ["Indikatorer", ""], ["x", "y"]]
    for path in documents:
        for block in reader.read_docx(path).blocks:
            if isinstance(block, reader.TableBlock):
                rows.extend([cell.text for cell in row] for row in block.rows)
            elif "\t" in block.raw:
                rows.append(block.raw.split("\t"))
    for texts in rows:
        for kind in tables.TableKind:
            assert tables.repeats_header(texts, kind) is (tables.classify_header(texts) is kind), texts


def test_a_value_starting_with_a_digit_has_no_bound_word(documents: list[Path]) -> None:
    for text in _texts(documents) + ["8,5 %", "10 max", "1max 3", "Max 10 personer", "högst 3", "0.5"]:
        written = text.strip()
        first = written.partition(" ")[0]
        expected = values._BOUNDS.get(fold(first).rstrip(".:"))
        if expected is None or not written.partition(" ")[2]:
            assert values._split_bound(written) == (None, written), text
        else:
            assert values._split_bound(written)[0] == expected, text


def _pairing_one_by_one(kind: str, lefts: list, rights: list, paired: dict) -> list:
    """The pairing as it was before rapidfuzz scored whole lists: every pair through `_score`."""
    from checker.threads import matching

    scored = [(matching._score(kind, a, b, paired), a.order, b.order, a, b) for a in lefts for b in rights]
    scored = [s for s in scored if s[0] >= matching.THRESHOLD]
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    taken: set[int] = set()
    found = []
    for score, _, _, a, b in scored:
        if id(a) not in taken and id(b) not in taken:
            taken.update((id(a), id(b)))
            found.append(matching.Match(kind, a, b, round(min(score, 1.0), 2)))
    return found


def test_goals_are_paired_as_scoring_each_pair_in_turn_pairs_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sample against every other (same unit and not, all states): the same pairs, the same confidence."""
    from checker.reading.report import read_report
    from checker.threads import matching

    reports = [read_report(path) for path in REPORTS]
    shuffled = random.Random(5)
    pairs = [(a, b) for a in reports for b in reports if a is not b]
    for left, right in shuffled.sample(pairs, min(len(pairs), 16)):
        fast = matching.compare(left, right)
        with monkeypatch.context() as patched:
            patched.setattr(matching, "_pair", _pairing_one_by_one)
            plain = matching.compare(left, right)
        assert [(m.kind, m.left.order, m.right.order, m.confidence) for m in fast.matches] == \
               [(m.kind, m.left.order, m.right.order, m.confidence) for m in plain.matches]
        assert len(fast.matches) > 0


def test_similarity_of_whole_lists_is_similarity_pair_by_pair() -> None:
    from checker.threads import matching

    texts = ["", "a", "enheten ar en god arbetsgivare", "god arbetsgivare enheten ar en", "dag 1-14 utan dubbelbemanning",
             "dag 1-15 utan dubbelbemanning", "brukarna ar nojda med maten", "brukarna ar inte nojda med maten"]
    items = [matching.Item("enhetsmal", object(), t, t, None, i) for i, t in enumerate(texts)]
    for a in items:
        kept = dict((id(b), score) for b, score in matching._alike(a, items))
        for b in items:
            expected = matching.similarity(a.key, b.key)
            if expected + matching._MOST_CONTEXT >= matching.THRESHOLD:
                assert kept[id(b)] == expected
            else:
                assert id(b) not in kept


def test_findings_pickle_through_their_constructor_unchanged() -> None:
    """Finding and Location pickle as their constructor's arguments (faster than the slots state).

    Every field gets a value other than its default, so a field added to the
    class but not to __reduce__ loses its value here and fails the test.
    """
    import dataclasses
    import pickle

    from checker.findings import Acceptance, Finding, Location, Severity
    from checker.model import Source

    location = Location(path=("KF:s mål 1", "Nämndmål: Trygghet"), source=Source(block=7, table=2, row=3, column=1))
    finding = Finding(
        rule="IN01", severity=Severity.WARNING, message="Indikatorn saknar analys", target="Sjukfrånvaro",
        target_type="indikator", location=location, quote="”Utfall 7 %”",
        accepted=Acceptance("beslut 2025-05-12", "malkoll.toml", "rad"),
    )
    for field in dataclasses.fields(Finding):
        assert getattr(finding, field.name) != (field.default if field.default is not dataclasses.MISSING else None)
    assert all(getattr(location, f.name) != f.default for f in dataclasses.fields(Location))
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(finding, protocol=protocol))
        assert copy == finding and type(copy) is Finding and type(copy.location) is Location
        assert copy.severity is Severity.WARNING
