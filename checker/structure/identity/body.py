"""What the body itself says the document is, when nothing else does (or to check what else says).

Each kind has its own sections and labels. A plan's enhetsmål have
Arbetssätt and Uppföljning, its indicator tables a Periodicitet column and
no utfall, and it has no bedömning. A report's goals carry status lines and
Analys, its indicator tables utfall columns, and it ends with the complaints
table. Period words tell T1 from T2 from the year-end report, and the year is
in phrases such as "Utvecklingsområden 2024", "Budget 2024", "KF:s årsmål år
2024", in the period column and in the activities' dates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from checker.reading.blocks import Block, ParagraphBlock, TableBlock
from checker.model import Aktivitet, Indikator, Report
from checker.structure.identity.clues import Clue, combined
from checker.text import fold_ocr

_YEAR = r"(19[89]\d|20\d{2})"
# Phrases that name the year the document is about, and what to add to get it.
_YEAR_PHRASES: tuple[tuple[re.Pattern[str], int, str], ...] = (
    (re.compile(rf"^utvecklingsomraden\s+(?:for\s+|under\s+)?{_YEAR}$"), 0, "rubriken ”{text}”"),
    (re.compile(rf"^budget\s+(?:for\s+)?{_YEAR}$"), 0, "rubriken ”{text}”"),
    (re.compile(rf"^kf:?s arsmal(?:\s+ar)?\s+{_YEAR}$"), 0, "kolumnen ”{text}”"),
    (re.compile(rf"^utfall (?:vb|verksamhetsberattelse)\s+{_YEAR}$"), 1, "kolumnen ”{text}”"),
    (re.compile(rf"^utfall t\s?[12]\s+{_YEAR}$"), 0, "kolumnen ”{text}”"),
    (re.compile(rf"^totalt ack(?:umulerat)?\.?\s+{_YEAR}$"), 0, "kolumnen ”{text}”"),
)
_PERIOD = re.compile(rf"^(?:(vb|t\s?1|t\s?2|tertial\s?1|tertial\s?2|helar)\s*)?{_YEAR}$")
_T1_WORDS = re.compile(r"\b(?:tertial 1|forsta tertialen|januari\s?[-–]\s?april|30 april|per den 30 april)\b")
_T2_WORDS = re.compile(r"\b(?:tertial 2|andra tertialen|januari\s?[-–]\s?augusti|31 augusti|per den 31 augusti)\b")
_FORECAST = re.compile(r"kommer att (?:uppnas|uppfyllas|na)|bedoms kunna uppnas|prognos")

# A single hint is worth this much, and hints of one kind add up to at most the cap.
_HINT = 0.15
_CAP = 0.8
# Body evidence this strong is held against a title that says otherwise (rule DK04).
_FIRM = 0.6


@dataclass(frozen=True, slots=True)
class BodyReading:
    """What the body says, and whether it says it firmly enough to hold a title against it."""

    clues: list[Clue]
    # The kind when the body shows it outright: a plan or a report, and for a report which one,
    # from period words or filled columns (not merely from the tense of the analyses).
    firm_kind: str | None


def read_body(report: Report, blocks: list[Block]) -> BodyReading:
    """Clues for kind, tertial and year from the recognised structure and the raw text."""
    kind_clues, firm = _kind_clues(report, blocks)
    return BodyReading([*kind_clues, *_year_clues(report, blocks)], firm)


# --- kind -------------------------------------------------------------------------------


def _kind_clues(report: Report, blocks: list[Block]) -> tuple[list[Clue], str | None]:
    plan, rapport = _family_hints(report, blocks)
    plan_weight, rapport_weight = _weight(plan), _weight(rapport)
    if max(plan_weight, rapport_weight) == 0:
        return [], None
    if plan_weight >= rapport_weight:
        # What points the other way lowers the certainty: a plan with a few report-like cells.
        weight = max(0.05, plan_weight - rapport_weight / 2)
        clue = Clue("kind", "verksamhetsplan", "innehall", _because(plan), weight)
        return [clue], "verksamhetsplan" if weight >= _FIRM else None
    kind, tertial, reasons, by_period = _report_kind(report, blocks)
    weight = max(0.05, rapport_weight - plan_weight / 2)
    clues = [Clue("kind", kind, "innehall", _because(rapport + reasons), weight)]
    if tertial is not None:
        clues.append(Clue("tertial", tertial, "innehall", _because(reasons), weight))
    return clues, kind if by_period and weight >= _FIRM else None


def _weight(hints: list[str]) -> float:
    return min(_CAP, combined([_HINT * 2] * min(len(hints), 1) + [_HINT] * (len(hints) - 1)))


def _because(reasons: list[str]) -> str:
    counted = Counter(reasons)
    parts = [f"{reason} ({count} gånger)" if count > 1 else reason for reason, count in counted.items()]
    return "innehållet: " + ", ".join(parts[:6])


def _family_hints(report: Report, blocks: list[Block]) -> tuple[list[str], list[str]]:
    """(hints of a plan, hints of a report), one entry per thing seen."""
    plan: list[str] = []
    rapport: list[str] = []
    for goal in report.all_enhetsmal():
        if goal.arbetssatt is not None:
            plan.append("enhetsmål med Arbetssätt")
        if goal.uppfoljning is not None:
            plan.append("enhetsmål med Uppföljning")
        if goal.resursanvandning is not None:
            plan.append("enhetsmål med Resursanvändning")
        if goal.bedomning is not None:
            rapport.append("enhetsmål med bedömning")
        if goal.analys is not None:
            rapport.append("enhetsmål med Analys")
    for header in _table_headers(blocks):
        if any("utfall" in cell for cell in header):
            rapport.append("tabell med utfallskolumner")
        elif any(cell.startswith("periodicitet") for cell in header):
            plan.append("indikatortabell med kolumnen Periodicitet")
    if report.synpunkter:
        rapport.append("tabellen Redovisning av synpunkter och klagomål")
    for title in _section_titles(report):
        if title.startswith("utvecklingsomraden"):
            plan.append("avsnittet Utvecklingsområden")
    return plan, rapport


def _report_kind(report: Report, blocks: list[Block]) -> tuple[str, int | None, list[str], bool]:
    """Year-end report or tertial report (and which), from period words and filled columns."""
    votes: list[tuple[str, int | None, str]] = []
    for indikator in _all_indikatorer(report):
        period = fold_ocr(indikator.period or "")
        match = _PERIOD.match(period)
        if match and match.group(1):
            code = match.group(1).replace(" ", "").replace("tertial", "t")
            if code in ("vb", "helar"):
                votes.append(("verksamhetsberattelse", None, f"perioden ”{indikator.period}”"))
            else:
                votes.append(("tertialrapport", int(code[-1]), f"perioden ”{indikator.period}”"))
    votes.extend(_synpunkter_votes(report))
    text = " ".join(_paragraph_texts(blocks))
    for pattern, tertial in ((_T1_WORDS, 1), (_T2_WORDS, 2)):
        found = pattern.search(text)
        if found:
            votes.append(("tertialrapport", tertial, f"orden ”{found.group()}”"))
    if not votes:
        return (*_by_tense(report), False)
    tally = Counter((kind, tertial) for kind, tertial, _ in votes)
    (kind, tertial), _ = tally.most_common(1)[0]
    return kind, tertial, [reason for k, t, reason in votes if (k, t) == (kind, tertial)], True


def _synpunkter_votes(report: Report) -> Iterator[tuple[str, int | None, str]]:
    """The complaints table is filled period by period: a VB column with numbers means the year is over."""
    rows = report.synpunkter
    if any(not row.vb.is_empty for row in rows):
        yield "verksamhetsberattelse", None, "klagomålstabellens VB-kolumn är ifylld"
    elif any(not row.t2.is_empty for row in rows):
        yield "tertialrapport", 2, "klagomålstabellens T2-kolumn är ifylld men inte VB"
    elif any(not row.t1.is_empty for row in rows):
        yield "tertialrapport", 1, "klagomålstabellens T1-kolumn är ifylld men inte T2 eller VB"


def _by_tense(report: Report) -> tuple[str, int | None, list[str]]:
    """No period word anywhere: a report whose analyses forecast is a tertial report, else a year-end report."""
    analyses = [fold_ocr(goal.analys.text) for goal in report.all_enhetsmal() if goal.analys is not None]
    forecasting = sum(1 for text in analyses if _FORECAST.search(text))
    if analyses and 2 * forecasting > len(analyses):
        return "tertialrapport", None, [f"analyserna är prognoser ({forecasting} av {len(analyses)})"]
    return "verksamhetsberattelse", None, ["inga ord om tertial eller prognos"]


# --- year -------------------------------------------------------------------------------


def _year_clues(report: Report, blocks: list[Block]) -> Iterator[Clue]:
    seen: Counter[tuple[int, str]] = Counter()
    for texts in _short_texts(blocks):
        # In the complaints table "Utfall VB 2025" is this year's column, not last year's outcome.
        complaints = any(fold_ocr(text).startswith("totalt ack") for text in texts)
        for text in texts:
            folded = fold_ocr(text).strip(" :.")
            for pattern, offset, description in _YEAR_PHRASES:
                match = pattern.match(folded)
                if match:
                    shift = 0 if complaints else offset
                    seen[(int(match.group(1)) + shift, description.format(text=text.strip()))] += 1
    for indikator in _all_indikatorer(report):
        match = _PERIOD.match(fold_ocr(indikator.period or ""))
        if match:
            seen[(int(match.group(2)), f"perioden ”{indikator.period}” i indikatortabellerna")] += 1
    years = Counter(a.start.year for a in _all_aktiviteter(report) if a.start is not None)
    if sum(years.values()) >= 2:
        year, count = years.most_common(1)[0]
        seen[(year, f"aktiviteternas startdatum ({count} av {sum(years.values())} under {year})")] += 1
    for (year, description), count in seen.items():
        yield Clue("year", year, "innehall", f"innehållet: {description}", min(_CAP, combined([0.35] + [_HINT] * (count - 1))))


# --- walking ------------------------------------------------------------------------------


def _table_headers(blocks: Iterable[Block]) -> Iterator[list[str]]:
    for block in blocks:
        if isinstance(block, TableBlock) and block.rows:
            yield [fold_ocr(cell.text) for cell in block.rows[0]]
        elif isinstance(block, ParagraphBlock) and block.raw.count("\t") >= 2:
            yield [fold_ocr(cell) for cell in block.raw.split("\t")]  # a table pasted as text


def _short_texts(blocks: Iterable[Block]) -> Iterator[list[str]]:
    """Headings, table headers and other short lines, where year phrases stand; a table header's cells together."""
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            if "\t" in block.raw:
                yield [cell for cell in block.raw.split("\t") if len(cell) <= 60]
            elif len(block.text) <= 60:
                yield [block.text]
        elif block.rows:
            yield [cell.text for cell in block.rows[0] if len(cell.text) <= 60]


def _paragraph_texts(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            yield fold_ocr(block.text)


def _section_titles(report: Report) -> Iterator[str]:
    stack = list(report.sections)
    while stack:
        section = stack.pop()
        yield fold_ocr(section.title)
        stack.extend(section.children)


def _all_indikatorer(report: Report) -> Iterator[Indikator]:
    return _at_every_level(report, "indikatorer")


def _all_aktiviteter(report: Report) -> Iterator[Aktivitet]:
    return _at_every_level(report, "aktiviteter")


def _at_every_level(report: Report, attribute: str) -> Iterator[Any]:
    """Indicators or activities of every goal: KF-mål, nämndmål and enhetsmål."""
    for kf in report.all_kf_mal():
        yield from getattr(kf, attribute)
        for nm in kf.namndmal:
            yield from getattr(nm, attribute)
    for goal in report.all_enhetsmal():
        yield from getattr(goal, attribute)
