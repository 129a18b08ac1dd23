"""Clues from the places a document states what it is: the front page, running headers and
footers, text boxes and the document properties.

On the tjänsteutlåtande layout the front page reads: unit, "Tjänsteutlåtande",
Dnr, date, Handläggare, Telefon, "Till" + nämnd, the title, and then often the
unit again with its address. The title may also carry the unit ("… för
Aspuddens hemtjänst"), and may be followed by the tjänsteutlåtande's own
headings instead of a unit line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from checker.model import IdentitySource
from checker.structure.identity.clues import WEIGHT_PROPERTIES, WEIGHT_RUNNING, WEIGHT_TITLE, Clue
from checker.structure.identity.title import Title, read_title
from checker.structure.identity.unit import is_street_address, is_template_heading, is_unit_candidate
from checker.text import fold_ocr

# How far after the title the template puts the unit's line.
_UNIT_AFTER_TITLE = 3
# How far into the front page the tjänsteutlåtande's header block reaches.
_HEADER_BLOCK = 15
_UNIT_IN_TITLE = 0.85
_UNIT_AFTER = 0.55
_UNIT_TOP = 0.5
_UNIT_ADDRESS = 0.4
_UNIT_RUNNING = 0.35


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a place that may carry a title: its text and whether it is styled as a heading."""

    text: str
    styled: bool = False


def title_clues(title: Title, source: IdentitySource, weight: float, where: str) -> Iterator[Clue]:
    said = f"{where} ”{title.text}”"
    yield Clue("kind", title.kind, source, said, weight)
    if title.year is not None:
        yield Clue("year", title.year, source, said, weight)
    if title.tertial is not None:
        yield Clue("tertial", title.tertial, source, said, weight)
    if title.unit is not None and is_unit_candidate(title.unit):
        yield Clue("unit", title.unit, source, f"”för {title.unit}” i {where} ”{title.text}”", _UNIT_IN_TITLE * weight / WEIGHT_TITLE)


def find_title(lines: Sequence[Line]) -> tuple[int, Title] | None:
    for index, line in enumerate(lines):
        title = read_title(line.text)
        if title is not None:
            return index, title
    return None


def front_page_clues(lines: Sequence[Line]) -> tuple[list[Clue], Title | None]:
    """Clues from the front page's lines (before the first section or goal), and the title found there."""
    clues: list[Clue] = []
    found = find_title(lines)
    title = None
    if found is not None:
        index, title = found
        clues.extend(title_clues(title, "rubrik", WEIGHT_TITLE, "rubriken"))
        clues.extend(_unit_after_title(lines, index, title))
    clues.extend(_unit_at_top(lines))
    clues.extend(_unit_above_address(lines, "rubrik", _UNIT_ADDRESS, "försättsbladets adressrader"))
    return clues, title


def running_clues(lines: Sequence[str], source: IdentitySource, where: str) -> tuple[list[Clue], Title | None]:
    """Clues from page headers and footers, or from text boxes: a title, and the unit's name."""
    clues: list[Clue] = []
    title = None
    as_lines = [Line(text) for text in lines]
    found = find_title(as_lines)
    if found is not None:
        index, title = found
        clues.extend(title_clues(title, source, WEIGHT_RUNNING, f"titeln i {where}"))
        clues.extend(_unit_after_title(as_lines, index, title, source, _UNIT_RUNNING))
    clues.extend(_unit_above_address(as_lines, source, _UNIT_RUNNING, where))
    for line in dict.fromkeys(lines):
        if _running_unit(line):
            clues.append(Clue("unit", line.strip(), source, f"{where}: ”{line.strip()}”", _UNIT_RUNNING))
    return clues, title


def repeated_name_over_address(texts: Sequence[str]) -> list[Clue]:
    """A running footer a scan left in the body: the unit's name over its street address, page after page.

    Only a name that stands over the same address at least twice counts: once
    could be any line of text that happens to precede an address.
    """
    pairs = [
        (texts[index - 1].strip(), line.strip())
        for index, line in enumerate(texts[1:], start=1)
        if is_street_address(line) and is_unit_candidate(texts[index - 1])
    ]
    seen: dict[tuple[str, str], int] = {}
    for pair in pairs:
        seen[pair] = seen.get(pair, 0) + 1
    return [
        Clue("unit", name, "sidhuvud", f"sidfoten i texten: namnet över adressen ”{address}”", _UNIT_RUNNING)
        for (name, address), count in seen.items() if count >= 2 for _ in range(count)
    ]


def property_clues(core_title: str | None, core_subject: str | None) -> tuple[list[Clue], Title | None]:
    clues: list[Clue] = []
    title = read_title(core_title) if core_title else None
    if title is not None:
        clues.extend(title_clues(title, "egenskaper", WEIGHT_PROPERTIES, "dokumentegenskapen Rubrik"))
    if core_subject and is_unit_candidate(core_subject):
        clues.append(Clue("unit", core_subject.strip(), "egenskaper", f"dokumentegenskapen Ämne ”{core_subject.strip()}”", 0.3))
    return clues, title


def _unit_after_title(
    lines: Sequence[Line], index: int, title: Title, source: IdentitySource = "rubrik", weight: float = _UNIT_AFTER
) -> Iterator[Clue]:
    """The line the template puts under the title – unless it is a heading (then the unit is not there)."""
    for at in range(index + 1, min(len(lines), index + 1 + _UNIT_AFTER_TITLE)):
        line = lines[at]
        following = [later.text for later in lines[at + 1 : at + 3]]
        if is_unit_candidate(line.text, following, line.styled):
            yield Clue("unit", line.text.strip(), source, f"raden under rubriken ”{title.text}”", weight)
            return
        if is_template_heading(line.text) or line.styled:
            return  # the tjänsteutlåtande's own headings follow the title: no unit line here


def _unit_at_top(lines: Sequence[Line]) -> Iterator[Clue]:
    """The unit above "Tjänsteutlåtande", or under the "Stockholms stad" logo line."""
    top = lines[:_HEADER_BLOCK]
    for index, line in enumerate(top):
        folded = fold_ocr(line.text)
        if folded.startswith("tjansteutlatande") and index > 0:
            candidate = top[index - 1].text
            if is_unit_candidate(candidate):
                yield Clue("unit", candidate.strip(), "rubrik", "raden ovanför ”Tjänsteutlåtande” på försättsbladet", _UNIT_TOP)
        if folded.startswith("stockholms stad") and index + 1 < len(top):
            candidate = top[index + 1].text
            if is_unit_candidate(candidate, [t.text for t in top[index + 2 : index + 4]]):
                yield Clue("unit", candidate.strip(), "rubrik", "raden under ”Stockholms stad” på försättsbladet", _UNIT_TOP)


def _unit_above_address(lines: Sequence[Line], source: IdentitySource, weight: float, where: str) -> Iterator[Clue]:
    """The unit's name stands over its street address ("Aspuddens hemtjänst" / "Hägerstenvägen 250")."""
    for index, line in enumerate(lines[1:], start=1):
        if is_street_address(line.text):
            candidate = lines[index - 1].text
            if is_unit_candidate(candidate):
                yield Clue("unit", candidate.strip(), source, f"{where}: namnet över adressen ”{line.text.strip()}”", weight)


def _running_unit(line: str) -> bool:
    """A header line that names the unit: name-like, and not the kind of report or its furniture."""
    return is_unit_candidate(line) and not fold_ocr(line).startswith(("stockholms stad", "tjansteutlatande"))
