"""Swedish table values and text normalisation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.text import fold, normalise, strip_html
from checker.values import parse_date, parse_value


@pytest.mark.parametrize(
    ("text", "number", "unit", "bound"),
    [
        ("8,5 %", 8.5, "%", None),
        ("83,73 %", 83.73, "%", None),
        ("3 st", 3.0, "st", None),
        ("3", 3.0, None, None),
        ("Max 10 personer", 10.0, "personer", "max"),
        ("Minst 80 %", 80.0, "%", "min"),
        ("1,6 kg CO2 per kg livsmedel", 1.6, "kg CO2 per kg livsmedel", None),
        ("1 200 kr", 1200.0, "kr", None),
        ("-1,5", -1.5, None, None),
        ("75 procent", 75.0, "%", None),
        ("8,5\u00a0%", 8.5, "%", None),
    ],
)
def test_numbers_units_and_bounds(text: str, number: float, unit: str | None, bound: str | None) -> None:
    value = parse_value(text)
    assert (value.number, value.unit, value.bound, value.text) == (number, unit, bound, text.replace("\u00a0", " "))


@pytest.mark.parametrize("text", ["Tas fram av nämnd/styrelse", "Ej aktuellt", "Årlig mätning 2025"])
def test_text_values_keep_text_and_have_no_number(text: str) -> None:
    value = parse_value(text)
    assert value.number is None and value.text == text


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0"])
def test_empty_cells_are_empty(text: str | None) -> None:
    assert parse_value(text).is_empty


def test_dates() -> None:
    assert parse_date("2025-01-01") == dt.date(2025, 1, 1)
    assert parse_date("31/12/2025") == dt.date(2025, 12, 31)
    assert parse_date("2025-02-30") is None
    assert parse_date("snart") is None
    assert parse_date(None) is None


def test_html_and_spaces_are_normalised() -> None:
    assert strip_html("<p>Analys</p> <p>Vi &amp; de</p>").split() == ["Analys", "Vi", "&", "de"]
    assert normalise("<p>Analys</p> <p>Aspudden</p>") == "Analys\nAspudden"
    assert normalise("a\u00a0\u00a0b\u200b") == "a b"
    assert fold("  Förväntat   Resultat ") == "forvantat resultat"


@given(st.text(max_size=60))
def test_parse_value_never_raises_and_keeps_text(text: str) -> None:
    value = parse_value(text)
    if value.text is not None:
        assert value.text.strip()


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
def test_swedish_decimal_comma_roundtrip(number: float) -> None:
    written = f"{number:.2f}".replace(".", ",") + " %"
    assert parse_value(written).number == pytest.approx(number)


def test_ocr_folding_leaves_numbers_alone() -> None:
    from checker.text import fold_ocr

    assert fold_ocr("6ka &r Tj&nsteutlatande") == "oka ar tjansteutlatande"
    assert fold_ocr("Budget 2026, mål 6.1") == "budget 2026, mal 6.1"
