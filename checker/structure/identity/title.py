"""Title lines: "Verksamhetsberättelse 2025", "Tertialrapport 1 2025 för Aspuddens hemtjänst", "VP 2024".

A title names the kind first: the kind word is among the line's first three
words ("Verksamhetsplan 2024", "Förslag till verksamhetsplan 2024"). A line that
merely mentions a report further in ("§ 3 Tertialrapport 1 2025 för …" in a
protocol, "Stadsdelsnämnden godkänner verksamhetsberättelsen") is not a title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.model import Kind
from checker.text import fold_ocr, similar

KIND_WORDS: tuple[tuple[str, Kind], ...] = (
    ("verksamhetsberattelse", "verksamhetsberattelse"),
    ("verksamhetsplan", "verksamhetsplan"),
    ("tertialrapport", "tertialrapport"),
    ("tertialuppfoljning", "tertialrapport"),
)
KIND_NAMES: dict[str, str] = {
    "verksamhetsplan": "verksamhetsplan",
    "tertialrapport": "tertialrapport",
    "verksamhetsberattelse": "verksamhetsberättelse",
}
YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d{2})(?!\d)")
_TERTIAL = re.compile(r"\b(?:tertialrapport|tertialuppfoljning|tertial)\s*(?:t\s?)?([12])\b|\bt([12])\b")
_SHORT_TITLE = re.compile(r"(vp|vb|t\s?[12])\s+(19[89]\d|20\d{2})")
# "… för Aspuddens hemtjänst": the unit named in the title itself.
_FOR_UNIT = re.compile(r"\s+f[öo]r\s+(?P<unit>\S.*?)\s*[.:]?\s*$", re.IGNORECASE)
_DASH_UNIT = re.compile(r"(?:19[89]\d|20\d{2})\s*[–—:-]\s*(?P<unit>\S.*?)\s*$")
_TRAILING_YEAR = re.compile(r"\s*(?:19[89]\d|20\d{2})\s*$")
_TITLE_MAX_CHARS = 120
_TITLE_MAX_WORDS = 14


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    kind: Kind
    year: int | None
    tertial: int | None
    unit: str | None  # from "… för <enhet>"


def read_title(line: str) -> Title | None:
    """The kind, year, tertial and unit a title line states, or None when the line is no title."""
    stripped = line.strip()
    folded = fold_ocr(stripped)
    if not folded or len(folded) > _TITLE_MAX_CHARS or folded.startswith("§") or "protokoll" in folded:
        return None
    words = folded.replace(":", " ").split()
    if len(words) > _TITLE_MAX_WORDS or stripped.endswith((".", "!", "?")):
        return None  # a sentence that mentions the plan ("Verksamhetsplanen har tagits upp …") is no title
    # "Verksamhetsplan 2025", "Förskolans verksamhetsplan 2025", "Förslag till verksamhetsplan 2025"
    kind = _kind_word(words[:3])
    if kind is None:
        return _short_title(stripped, folded)
    year = YEAR.search(folded)
    tertial = _TERTIAL.search(folded) if kind == "tertialrapport" else None
    return Title(
        text=stripped,
        kind=kind,
        year=int(year.group(1)) if year else None,
        tertial=int(tertial.group(1) or tertial.group(2)) if tertial else None,
        unit=_unit_in_title(stripped),
    )


# Words that may stand before the kind in a title: "Förslag till verksamhetsplan", "Reviderad
# verksamhetsplan", "Bilaga 1 Verksamhetsplan"; and any genitive ("Förskolans verksamhetsplan").
_BEFORE_KIND = frozenset({"forslag", "till", "reviderad", "preliminar", "bilaga", "slutlig", "ny"})


def _kind_word(words: list[str]) -> Kind | None:
    for at, candidate in enumerate(words):
        for word, kind in KIND_WORDS:
            if similar(candidate, word, 0.12):
                before = words[:at]
                # "Stadsdelsnämnden godkänner verksamhetsberättelsen": a sentence about the report, no title.
                if all(w in _BEFORE_KIND or w.isdigit() or w.endswith("s") for w in before):
                    return kind
                return None
    return None


def _short_title(line: str, folded: str) -> Title | None:
    """"VB 2025", "T2 2025" standing alone as a title."""
    match = _SHORT_TITLE.fullmatch(folded)
    if match is None:
        return None
    code = match.group(1).replace(" ", "")
    kind: Kind = {"vp": "verksamhetsplan", "vb": "verksamhetsberattelse"}.get(code, "tertialrapport")  # type: ignore[assignment]
    tertial = int(code[1]) if code.startswith("t") else None
    return Title(text=line, kind=kind, year=int(match.group(2)), tertial=tertial, unit=None)


def _unit_in_title(line: str) -> str | None:
    """"… för Aspuddens hemtjänst", "… 2025 – Aspuddens hemtjänst", "… för Aspuddens hemtjänst 2025"."""
    match = _FOR_UNIT.search(line) or _DASH_UNIT.search(line)
    if match is None:
        return None
    unit = _TRAILING_YEAR.sub("", match.group("unit")).strip(" .,:;–-")
    return unit if 3 <= len(unit) <= 80 and not YEAR.fullmatch(unit) else None


def describe_kind(kind: str, tertial: int | None = None) -> str:
    """"tertialrapport 2", "verksamhetsplan" – for messages."""
    name = KIND_NAMES.get(kind, kind)
    return f"{name} {tertial}" if kind == "tertialrapport" and tertial else name
