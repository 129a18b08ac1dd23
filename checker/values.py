"""Swedish table values: "8,5 %", "83,73 %", "3 st", "Max 10 personer", "1,6 kg CO2 per kg livsmedel".

A value that is not a number ("Tas fram av nämnd/styrelse") keeps its text and
has no number. Dates are ISO ("2025-01-01") in the template; a few other
spellings people type by hand are accepted too.
"""

from __future__ import annotations

import datetime as dt
import re

from checker.model import Bound, Value
from checker.text import clean_spaces, fold

# A number with optional sign, thousands separated by spaces or dots, decimal comma or point.
_NUMBER = re.compile(
    r"(?P<sign>[-−–+])?\s?(?P<int>\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](?P<frac>\d+))?(?!\d)"
)
_BOUNDS: dict[str, Bound] = {
    "max": "max",
    "maximalt": "max",
    "hogst": "max",
    "under": "max",
    "hogst.": "max",
    "min": "min",
    "minst": "min",
    "lagst": "min",
    "over": "min",
    "minimum": "min",
    "maximum": "max",
}
_UNIT = re.compile(r"^\s*(%|procent|[^\W\d_][\w/]*(?:\s[\w/]+){0,5})", re.UNICODE)


def parse_value(text: str | None) -> Value:
    """Parse one table cell. Empty or whitespace-only cells give an empty `Value`."""
    if text is None:
        return Value()
    written = clean_spaces(text)
    if not written:
        return Value()
    bound, rest = _split_bound(written)
    match = _NUMBER.search(rest)
    # A number must start the value (after an optional bound word); a digit
    # inside free text ("Tas fram 2025") does not make the cell a number.
    if match is None or rest[: match.start()].strip():
        return Value(text=written)
    number = _to_float(match)
    unit = _unit_after(rest[match.end() :])
    return Value(text=written, number=number, unit=unit, bound=bound)


def _split_bound(text: str) -> tuple[Bound | None, str]:
    first, _, rest = text.partition(" ")
    if "0" <= first[:1] <= "9":
        return None, text  # most values start with their number; folding keeps an ASCII digit, and no bound is one
    bound = _BOUNDS.get(fold(first).rstrip(".:"))
    if bound is not None and rest:
        return bound, rest
    return None, text


def _to_float(match: re.Match[str]) -> float:
    integer = match.group("int").replace(" ", "").replace(".", "")
    frac = match.group("frac")
    number = float(f"{integer}.{frac}") if frac else float(integer)
    if match.group("sign") in ("-", "−", "–"):
        number = -number
    return number


def _unit_after(rest: str) -> str | None:
    rest = rest.strip()
    if not rest:
        return None
    if rest.startswith("%"):
        return "%"
    match = _UNIT.match(rest)
    if match is None:
        return None
    unit = match.group(1)
    return "%" if fold(unit) == "procent" else unit


_ISO_DATE = re.compile(r"(\d{4})\s?-\s?(\d{1,2})\s?-\s?(\d{1,2})")
_SWEDISH_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def parse_date(text: str | None) -> dt.date | None:
    """"2025-01-01" → date; "31/12/2025" and "31.12.2025" too. Invalid dates give None."""
    if not text:
        return None
    cleaned = clean_spaces(text)
    iso = _ISO_DATE.search(cleaned)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        swedish = _SWEDISH_DATE.search(cleaned)
        if swedish:
            return dt.date(int(swedish.group(3)), int(swedish.group(2)), int(swedish.group(1)))
    except ValueError:
        return None
    return None
