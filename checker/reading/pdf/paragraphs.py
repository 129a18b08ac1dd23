"""Text lines → paragraphs: lines wrapped within a paragraph joined, hyphenated words undone.

A line continues the paragraph above when it follows closely in the same
font, starts at the paragraph's left edge, and the line above was full: its
first word would not have fitted at the end of the line above (that is why
the writer's program wrapped it). A line above that stopped short ended its
paragraph. List items, goal headings and part labels always start a
paragraph, even in the same font ("Enhetsmål: …" is often not bold).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from checker.reading.blocks import ListKind, Run
from checker.reading.pdf.lines import Line
from checker.structure.labels import match_goal_heading, match_part_label, match_status

# Glyphs a list's automatic bullet is printed with (Symbol/Wingdings bullets come out as private-use characters).
_BULLETS = frozenset("•◦▪▫●○■□◆◇➢➤►▶")
_TYPED_NUMBER = re.compile(r"^(?:\d{1,2}|[a-z])[.)]$")
_DASHES = frozenset({"-", "–", "*"})
_PAGE_END_SENTENCE = (".", "!", "?", ":")
_SENTENCE_ENDS = (".", ":", ";", "!", "?")
# Words after which a trailing hyphen is a real one: "Hälso- och sjukvård", "för- eller nackdelar".
_KEEPS_HYPHEN = frozenset({"och", "eller", "samt", "respektive", "resp.", "som", "till", "men", "liksom", "&"})
# Vertical gap (in font sizes) between two lines of one paragraph at most.
_LEADING = 0.7
# How far (points) a continued line may start from the paragraph's edge.
_EDGE = 3.5


@dataclass(slots=True)
class Paragraph:
    lines: list[Line]
    raw: str
    runs: list[Run]
    list_kind: ListKind | None = None
    list_marker: str | None = None


def is_bullet(text: str) -> bool:
    return len(text) == 1 and (text in _BULLETS or "\ue000" <= text <= "\uf8ff")


def starts_item(line: Line, previous: Line | None = None) -> bool:
    """A list item, goal heading, part label or status line: always a new paragraph.

    A typed dash ("- …") starts an item only after a finished sentence or another dash item: a
    wrapped line may start with "- " as well ("Avvikelse" / "- Lex Sarah").
    """
    first = line.words[0].text
    if is_bullet(first) or _TYPED_NUMBER.match(first):
        return True
    if first in _DASHES and len(line.words) > 1:
        return previous is None or previous.words[0].text in _DASHES or previous.raw.rstrip().endswith(_SENTENCE_ENDS)
    text = " ".join(line.raw.split())
    if not text[:1].isupper():
        return False
    return bool(match_goal_heading(text) or match_part_label(text) or match_status(text))


def group(lines: list[Line], right_edge: Callable[[Line], float], leading: float | None = None) -> list[list[Line]]:
    """Lines in reading order → the lines of each paragraph.

    `leading`: the usual gap (points) between two lines of one paragraph in this document; a gap
    clearly wider (the space a paragraph leaves after it) starts a new paragraph.
    """
    paragraphs: list[list[Line]] = []
    for line in lines:
        current = paragraphs[-1] if paragraphs else None
        if current is not None and _continues(current, line, right_edge, leading):
            current.append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _continues(paragraph: list[Line], line: Line, right_edge: Callable[[Line], float], leading: float | None) -> bool:
    previous = paragraph[-1]
    if abs(previous.size - line.size) > 0.6 or previous.bold != line.bold or starts_item(line, previous):
        return False
    if line.page == previous.page:
        gap = line.top - previous.bottom
        widest = _LEADING * line.size if leading is None else min(_LEADING * line.size, leading + max(2.0, 0.2 * line.size))
        if gap < -1.0 or gap > widest:
            return False
    elif line.page != previous.page + 1:
        return False
    elif previous.raw.rstrip().endswith(_PAGE_END_SENTENCE) and line.raw[:1].isupper():
        # Over a page break there is no gap to measure: a finished sentence above and a capital
        # below are taken as a paragraph that ended with its page.
        return False
    first_word = line.words[0]
    space = 0.25 * line.size
    if previous.x1 + space + (first_word.x1 - first_word.x0) < right_edge(previous) - 1.0:
        return False  # the word would have fitted: the line above ended its paragraph
    return _at_edge(paragraph, line)


def _at_edge(paragraph: list[Line], line: Line) -> bool:
    first = paragraph[0]
    if len(paragraph) > 1:
        return abs(line.x0 - paragraph[-1].x0) <= _EDGE
    edges = [first.x0]
    if len(first.words) > 1 and (is_bullet(first.words[0].text) or _TYPED_NUMBER.match(first.words[0].text)):
        edges.append(first.words[1].x0)  # a list item's hanging indent
    # A first-line indent: the rest of the paragraph starts further left.
    return any(abs(line.x0 - edge) <= _EDGE for edge in edges) or first.x0 - 40 <= line.x0 < first.x0


Fused = Callable[[Line, Line], bool]


def typical_leading(lines: list[Line], right: float) -> float | None:
    """The usual gap between a full line and the next line of the same size on the page: inside a paragraph."""
    gaps = sorted(
        below.top - above.bottom
        for above, below in zip(lines, lines[1:])
        if above.page == below.page and above.size == below.size and above.x1 >= right - 12.0 and above.raw.count(" ") >= 4
    )
    return gaps[len(gaps) // 2] if len(gaps) >= 5 else None


def build(lines: list[Line], fused: Fused | None = None, lists: bool = True) -> Paragraph:
    """One paragraph's text and runs from its lines; an automatic bullet becomes its list marker (`lists`).

    `fused(above, below)`: the last word of `above` and the first of `below` are one word broken
    without a hyphen (a narrow table column does that).
    """
    runs: list[Run] = []
    for index, line in enumerate(lines):
        line_runs = [Run(r.text, r.bold, r.italic) for r in line.runs]
        if index > 0 and runs:
            _join(runs, line_runs, fused is not None and fused(lines[index - 1], line))
        else:
            runs.extend(line_runs)
    kind: ListKind | None = None
    marker: str | None = None
    first = lines[0].words[0].text
    # A status glyph ("\uf06c Uppfylls delvis") stays in the text, as the .docx reader gives it.
    if lists and is_bullet(first) and len(lines[0].words) > 1 and match_status(lines[0].raw[len(first):]) is None:
        kind, marker = "bullet", "•"
        runs[0].text = runs[0].text[len(first):].lstrip(" \t")
        if not runs[0].text:
            runs.pop(0)  # the bullet in a style of its own: the gap after it starts the next run
            if runs:
                runs[0].text = runs[0].text.lstrip(" \t")
    runs = _merged(runs)
    return Paragraph(lines=lines, raw="".join(r.text for r in runs), runs=runs, list_kind=kind, list_marker=marker)


def _join(runs: list[Run], following: list[Run], fused: bool) -> None:
    """Append a wrapped line's runs: a space between, or the hyphenated word made whole again."""
    before = runs[-1].text
    after = following[0].text
    next_word = after.split(maxsplit=1)[0] if after.split() else ""
    if len(before) >= 2 and before.endswith("-") and (before[-2].isalpha() or before[-2].isdigit()):
        if next_word.lower() in _KEEPS_HYPHEN:
            runs[-1].text = before + " "  # "Hälso-" + "och sjukvård": a real hyphen before a conjunction
        elif before[-2].islower() and next_word[:1].islower():
            runs[-1].text = before[:-1]  # "verksam-" + "heten": the writer's program hyphenated
        # else "ESF-" + "projektet", "14-" + "dagarsperiod": a hyphen of the word itself
        runs.extend(following)
        return
    if fused:
        runs.extend(following)  # a word too long for a narrow column, broken without a hyphen
        return
    runs[-1].text = before + " "
    runs.extend(following)


def join_text(before: str, after: str) -> str:
    """Two pieces of one cell's text on consecutive lines, joined as a wrapped line is."""
    if not before:
        return after
    runs = [Run(before, False, False)]
    _join(runs, [Run(after, False, False)], False)
    return "".join(run.text for run in runs)


def _merged(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].bold == run.bold and merged[-1].italic == run.italic:
            merged[-1].text += run.text
        else:
            merged.append(run)
    return merged
