"""Property-based tests (issue 6) for the three places where arbitrary text or bytes meet Målkoll's own
parsers: the rule language, Swedish numbers and dates, and the .docx reader with its recogniser.

They extend, not repeat, tests/test_rules_lang.py (token soup, random text),
tests/test_values.py (never raises, decimal comma) and
tests/test_recognizer_properties.py (synthetic blocks): here valid rules are
generated and then disturbed, numbers are written every way a Swedish
table writes them, and real .docx packages are built from random text or
damaged byte by byte before the reader sees them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.reading.docx import read_docx
from checker.engine import load_rules
from checker.errors import ReadError
from checker.reading.report import read_report
from checker.rules_lang.errors import RuleLoadError
from checker.rules_lang.patterns import compile_pattern, regex_problem
from checker.structure.recognizer import recognise
from checker.values import parse_date, parse_value
from tests import hostile_inputs as h

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "malkoll-cache"))


def _load(text: str) -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "egna.rules"
        path.write_text(text, encoding="utf-8")
        return load_rules([path])


# --- the rule language ------------------------------------------------------------------------------

_SEVERITIES = ["fel", "varning", "info", "error", "warning"]
_KINDS = ["alla", "verksamhetsplan", "verksamhetsberättelse", "tertialrapport", "rapport"]
_REQUIREMENTS = [
    "varje enhetsmål har förväntat resultat",
    "varje enhetsmål har analys",
    "varje indikator med årsmål har analys",
    "varje enhetsmål: analys innehåller \"uppfyllt\"",
    "ingen aktivitet saknar startdatum",
    "högst 3 indikator utan årsmål",
    "minst 1 enhetsmål",
    "varje enhetsmål där bedömning är \"uppfylls helt\": analys",
]


@st.composite
def rules_text(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A rule file of 1–4 valid rules, and their ids."""
    count = draw(st.integers(1, 4))
    ids = [f"EG{n:02d}" for n in draw(st.lists(st.integers(1, 99), min_size=count, max_size=count, unique=True))]
    items = []
    for rule_id in ids:
        severity, kind = draw(st.sampled_from(_SEVERITIES)), draw(st.sampled_from(_KINDS))
        requirement = draw(st.sampled_from(_REQUIREMENTS))
        message = draw(st.sampled_from(["Brist i ”{titel}”", "Något saknas", "{antal} saknas"]))
        assume("{antal}" not in message or requirement.startswith(("högst", "minst")))
        assume("{titel}" not in message or requirement.startswith("varje"))
        items.append(f'regel {rule_id} {severity} "{message}" i {kind}:\n  {requirement}\n  hjälp "Därför."')
    return "\n\n".join(items) + "\n", ids


def _respaced(text: str, draw: st.DrawFn) -> str:
    """The same rules with other line breaks, indentation, comments and keyword case."""
    out = []
    for line in text.splitlines():
        indent = " " * draw(st.integers(0, 6)) if line.startswith(" ") else ""
        words = line.split()
        if words and words[0] in ("regel", "hjälp"):
            words[0] = draw(st.sampled_from([words[0], words[0].upper(), words[0].capitalize()]))
        out.append(indent + " ".join(words) + draw(st.sampled_from(["", "  # kommentar", "\t"])))
        out.extend([""] * draw(st.integers(0, 2)))
    return "\n".join(out)


@FAST
@given(st.data())
def test_generated_rules_load_and_layout_does_not_change_them(data: st.DataObject) -> None:
    text, ids = data.draw(rules_text())
    rules = _load(text)
    assert sorted(r.id for r in rules.rules) == sorted(ids)
    again = _load(_respaced(text, data.draw))
    assert [(r.id, r.severity, r.kinds, r.message) for r in again.rules] == \
        [(r.id, r.severity, r.kinds, r.message) for r in rules.rules]


@FAST
@given(rules_text(), st.integers(0, 10_000), st.sampled_from(["delete", "insert", "replace"]),
       st.sampled_from(list('"”:(){}#\n ,.=<>+-') + ["regel", "varje", "\x00", "\u202e", "å"]))
def test_a_damaged_rule_file_gives_located_swedish_errors(generated, where: int, how: str, piece: str) -> None:
    text, _ = generated
    at = where % (len(text) + 1)
    damaged = {"delete": text[:at] + text[at + 1 :], "insert": text[:at] + piece + text[at:],
               "replace": text[:at] + piece + text[at + 1 :]}[how]
    try:
        _load(damaged)
    except RuleLoadError as error:
        lines = damaged.splitlines() or [""]
        for problem in error.errors:
            assert 0 <= problem.line <= len(lines) + 1 and problem.message
        rendered = error.render()
        assert "Traceback" not in rendered and "lark" not in rendered.lower()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab()[]{}|*+?.\\^$-,:0123456789wsd!")), max_size=40) | st.text(max_size=40))
def test_regex_check_never_raises_and_what_it_allows_compiles(pattern: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" in generated patterns
        problem = regex_problem(pattern)
        if problem is None:
            compile_pattern(pattern).search("aaaa bbbb " * 100)
        else:
            assert isinstance(problem, str) and problem


# --- Swedish numbers and dates ------------------------------------------------------------------------


def _grouped(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.sampled_from([" ", "\u00a0", ".", "\u202f"]), st.sampled_from(["", "-", "−", "–"]),
       st.sampled_from(["", "5", "25", "05"]))
def test_thousands_groups_signs_and_decimal_comma(number: int, separator: str, sign: str, decimals: str) -> None:
    assume(separator != "." or not decimals or number >= 1000)
    written = sign + _grouped(number, separator) + ("," + decimals if decimals else "")
    value = parse_value(written)
    expected = float(f"{number}.{decimals}" if decimals else number) * (-1 if sign else 1)
    if separator == "\u202f" and number >= 1000:
        return  # a narrow no-break space is not a separator Word tables use; only: it must not raise
    assert value.number == pytest.approx(expected), written


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Max", "max", "Högst", "högst", "Minst", "minst", "Lägst", "Över", "Under"]),
       st.integers(0, 100_000), st.sampled_from(["", " %", " procent", " st", " personer", " kr per månad"]))
def test_bounds_and_units(word: str, number: int, unit: str) -> None:
    value = parse_value(f"{word} {_grouped(number, ' ')}{unit}")
    assert value.number == number
    assert value.bound == ("max" if word.lower() in ("max", "högst", "under") else "min")
    assert value.unit == ("%" if unit.strip() in ("%", "procent") else (unit.strip() or None))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,-−–%+")), min_size=1, max_size=3000))
def test_number_parsing_of_digit_soup_is_quick_and_total(text: str) -> None:
    value = parse_value(text)
    assert value.number is None or isinstance(value.number, float)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(["iso", "slash", "dot"]),
       st.text(max_size=20).filter(lambda t: not re.search(r"\d", t)))
def test_dates_written_the_ways_people_write_them(date: dt.date, style: str, noise: str) -> None:
    written = {"iso": date.isoformat(), "slash": f"{date.day}/{date.month}/{date.year}",
               "dot": f"{date.day:02d}.{date.month:02d}.{date.year}"}[style]
    assert parse_date(written) == date
    assert parse_date(f"{noise} {written} {noise}") == date


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, dt.date)


# --- the reader and the recogniser on real packages ------------------------------------------------

# Characters XML 1.0 can hold (the rest cannot be in a .docx at all).
_XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                           min_codepoint=0x20) | st.sampled_from(["\t", "\n", "\u202e", "<", "&", ">"]),
    max_size=80,
)
_REPORT_LINES = ["Verksamhetsberättelse 2025", "Enhetsmål: Enheten arbetar för trygghet", "Uppfylls delvis",
                 "Förväntat resultat", "1. Ökad trygghet.", "Analys", "Indikator\tUtfall\tÅrsmål", "Nämndmål: Trygg"]


@FAST
@given(st.lists(_XML_TEXT | st.sampled_from(_REPORT_LINES), max_size=30))
def test_any_paragraph_text_reads_and_recognises(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rapport.docx"
        path.write_bytes(h.plain_docx(*texts))
        content = read_docx(path)
        assert len(content.blocks) == len(texts)
        first = recognise(content)
        again = recognise(read_docx(path))
    assert first.model_dump() == again.model_dump()  # the same document, the same reading
    blocks = [goal.source.block for goal in first.all_enhetsmal()]
    assert blocks == sorted(blocks) and all(0 <= b < len(texts) for b in blocks)


@functools.cache
def small_report() -> bytes:
    from tests.fixtures import docbuilder as db
    from tests.test_annotate import report_spec

    return db.build_docx(report_spec("Aspuddens hemtjänst"))


def _rezipped(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return h.zip_parts([(i.filename, change(source.read(i)) if i.filename == member else source.read(i))
                        for i in source.infolist()])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_package_damaged_byte_by_byte_is_read_or_refused_in_swedish(flips) -> None:
    """Damage anywhere (zip headers, compressed data, directory): a report or a ReadError, nothing else."""
    data = bytearray(small_report())
    for position, value in flips:
        data[position % len(data)] = value
    _read_or_refuse(bytes(data))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["word/document.xml", "word/styles.xml", "word/numbering.xml", "[Content_Types].xml",
                        "word/_rels/document.xml.rels", "_rels/.rels", "word/header1.xml", "docProps/core.xml"]),
       st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from(list(b"<>/\"'=&;: wxyz0\x00\xff"))),
                min_size=1, max_size=6))
def test_damaged_xml_inside_a_sound_zip_is_read_or_refused_in_swedish(member: str, flips) -> None:
    """The zip is intact but a part's XML is broken: only the XML parser and the reader's walk are tested."""

    def damage(part: bytes) -> bytes:
        changed = bytearray(part)
        for position, value in flips:
            changed[position % len(changed)] = value
        return bytes(changed)

    _read_or_refuse(_rezipped(small_report(), member, damage))


def _read_or_refuse(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "skadad.docx"
        path.write_bytes(data)
        try:
            read_report(path)
        except ReadError as error:
            assert error.problem and error.problem.endswith(".")
            assert "Traceback" not in error.problem and "internt fel" not in error.problem
