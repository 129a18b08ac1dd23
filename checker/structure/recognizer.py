"""Blocks → Report: recognising the goal hierarchy and the sections.

One pass over the body in order, as a reader would take it:

* front page and table of contents until the first section or goal heading;
* goal headings ("KF:s inriktningsmål: …", "Nämndmål: …", "Enhetsmål: …")
  open goals; a status line right under a heading is the goal's bedömning;
* part labels ("Förväntat resultat", "Analys" …) open a part of the innermost
  goal, and running text goes into the open part;
* indikator / aktivitet tables (Word tables or tab-separated text) attach to
  the innermost goal; the complaints table to the report;
* known section headings (or heading-looking lines outside the goals) open
  sections; part labels inside a section are sub-headings, which is how a
  "Budget" section with Förväntat resultat / Arbetssätt is kept apart from
  the goals.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from checker.reading.blocks import Block, Cell, DocumentContent, ParagraphBlock, Place, TableBlock
from checker.model import (
    Enhetsmal,
    KfInriktningsmal,
    KfMal,
    Namndmal,
    Paragraph,
    Part,
    Report,
    Section,
    Source,
)
from checker.structure import furniture, items, sections
from checker.structure.identity import Line, Stated, identify, identify_unit, read_declared
from checker.structure.labels import GoalHeading, GoalLevel, PartLabel, PartName, match_goal_heading, match_part_label, match_status
from checker.structure.tables import GridCell, GridRow, ParsedTable, TableKind, classify_header, parse_table
from checker.text import fold_ocr, normalise

Goal = KfInriktningsmal | KfMal | Namndmal | Enhetsmal

_TOC_ENTRY = re.compile(r"(?:\t|\.{3,}|…|\s)\s*\d{1,3}\s*$")
_TAB_PAGE = re.compile(r"\t\s*\d{1,3}$")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
# A wrapped title's last line after a full stop ("… kända för medarbetare." / "i det dagliga arbetet (språk)").
_TITLE_TAIL_CHARS = 60
_HEADING_MAX_CHARS = 90
NO_GOALS_NOTE = "Hittade inga mål (inga rubriker som ”KF:s inriktningsmål:”, ”Nämndmål:” eller ”Enhetsmål:”)."


@dataclass(slots=True)
class _Line:
    """A body paragraph prepared for recognition."""

    block: ParagraphBlock
    text: str  # furniture removed, what a reader sees incl. automatic list label
    heading_like: bool
    # Set for a line that came out of a layout table's cell.
    cell: Source | None = None
    # The paragraph's source, made once: a line is asked for it several times,
    # and the model's nodes may share it (Source is immutable).
    _source: Source | None = None

    @property
    def source(self) -> Source:
        if self.cell is not None:
            return self.cell
        if self._source is None:
            self._source = Source(block=self.block.block, paragraph=self.block.paragraph, **printed_at(self.block.place))
        return self._source


def recognise(content: DocumentContent, stated: tuple[Stated, ...] = ()) -> Report:
    """The report's structure from its blocks; then what it is (type, year, unit) from all the evidence."""
    lines, running = _prepare(content.blocks)
    toc = _table_of_contents(lines)
    lines = [line for line in lines if isinstance(line, TableBlock) or line.block.block not in toc]
    front = _front_lines(content.blocks, toc)
    declared = read_declared(content, front, stated)
    unit = identify_unit(content, declared, running)
    builder = _ReportBuilder(content.path, unit.value if isinstance(unit.value, str) else None)
    builder.run(lines)
    report = builder.finish()
    identity = identify(content, report, declared, unit, stated)
    if identity.other is not None:
        # Not a plan or report: its headings are not a plan's sections, and reading them as such
        # would only bring findings about a structure the document never had.
        report.sections = []
        report.notes = [note for note in report.notes if note != NO_GOALS_NOTE]
    return report


# --- preparation ------------------------------------------------------------


def _prepare(blocks: list[Block]) -> tuple[list[_Line | TableBlock], list[str]]:
    """The lines to recognise, and the running header and footer lines found in the body (as written)."""
    paragraphs = [b for b in blocks if isinstance(b, ParagraphBlock)]
    repeated = _repeated_furniture(paragraphs)
    prepared: list[_Line | TableBlock] = []
    for block in blocks:
        if isinstance(block, TableBlock):
            prepared.append(block)
            continue
        for part in _split_line_breaks(block):
            line = _prepare_paragraph(part, repeated)
            if line is not None:
                prepared.append(line)
    running = [p.text for p in paragraphs if p.text and fold_ocr(p.text) in repeated]
    return prepared, running


def _split_line_breaks(block: ParagraphBlock) -> list[ParagraphBlock]:
    """A paragraph with manual line breaks reads as several lines ("Analys" ⏎ text).

    Each line keeps the paragraph's provenance; only the first keeps its list
    label. A line broken mid-sentence is joined again when it is appended.
    """
    if "\n" not in block.raw:
        return [block]
    pieces = [piece for piece in block.raw.split("\n") if piece.strip()]
    return [
        replace(
            block,
            raw=piece,
            text=normalise(piece),
            list_kind=block.list_kind if index == 0 else None,
            list_marker=block.list_marker if index == 0 else None,
        )
        for index, piece in enumerate(pieces)
    ]


def _repeated_furniture(paragraphs: list[ParagraphBlock]) -> set[str]:
    """Short lines repeated as running headers/footers (the unit's address …), folded.

    A line counts when it stands next to recognisable page furniture ("Sid 7
    (14)", "Tjänsteutlåtande") at least three times and in at least half of
    the places it occurs: a short line that many goals share
    ("Arbetsplatsträffar", "3. Användningen av cyklar har ökat") is text even
    when one of its copies happens to fall at a page break.
    A line of the front page (the unit's name, its street address) counts
    however often it repeats, when it stands in a page header: within a few
    short lines of the furniture that gives the header away.
    """
    texts = [p.text for p in paragraphs if p.text]
    tabbed = {p.text for p in paragraphs if "\t" in p.raw}
    beside: Counter[str] = Counter()
    in_headers: set[str] = set()
    for index, text in enumerate(texts):
        if furniture.is_furniture(text):
            beside.update(texts[i] for i in (index - 1, index + 1) if 0 <= i < len(texts))
            in_headers.update(_header_block(texts, index))
    occurrences = Counter(fold_ocr(text) for text in texts if len(text) <= 40)
    by_key: Counter[str] = Counter()
    for text, count in beside.items():
        if text not in tabbed and _header_like(text):
            by_key[fold_ocr(text)] += count
    repeated = {key for key, count in by_key.items() if count >= 3 and 2 * count >= occurrences[key]}
    front = _front_page(texts)
    running = {fold_ocr(text) for text in in_headers & front if _short_line(text)}
    return repeated | running


def _short_line(text: str) -> bool:
    """Short and not ending a sentence: what a page header or footer line looks like."""
    return len(text) <= 40 and not text.endswith(".")


def _header_like(text: str) -> bool:
    """A short line that is not a label or heading either."""
    return _short_line(text) and not _is_structural(text)


# How many lines a running header or footer spans on either side of the line that
# gives it away: unit name, street address, "start.stockholm", phone, "Sid 7 (14)".
_HEADER_REACH = 3
# The front page is over by this many lines at the latest (or at the first heading the template knows).
_FRONT_PAGE_LINES = 40


def _header_block(texts: list[str], index: int) -> list[str]:
    """The short lines on either side of the furniture line at `index`, as far as a page header reaches."""
    found = []
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(texts) and abs(at - index) <= _HEADER_REACH:
            if not _short_line(texts[at]):
                break  # running text: the header ends here
            found.append(texts[at])
            at += step
    return found


def _front_page(texts: list[str]) -> set[str]:
    """The lines before the first goal, label or template heading (title, unit, address, contact)."""
    front: set[str] = set()
    for text in texts[:_FRONT_PAGE_LINES]:
        if _is_structural(text):
            break
        front.add(text)
    return front


def _is_structural(text: str) -> bool:
    return bool(
        match_part_label(text) or match_status(text) or match_goal_heading(text) or sections.is_known_heading(text)
    )


def _prepare_paragraph(block: ParagraphBlock, repeated: set[str]) -> _Line | None:
    text = block.text
    if not text or furniture.is_furniture(text) or fold_ocr(text) in repeated:
        return None
    if "\t" not in block.raw:
        text = furniture.strip_inline_furniture(text)
    if block.list_kind == "number" and block.list_marker:
        text = f"{block.list_marker} {text}"
    # The cheap tests first: most lines are too long or end a sentence, and
    # is_bold looks at every run.
    heading_like = block.heading_level is not None or (
        len(text) <= _HEADING_MAX_CHARS and not text.rstrip().endswith((".", ",")) and block.is_bold
    )
    return _Line(block=block, text=text, heading_like=heading_like)


def _is_toc_entry(line: _Line) -> bool:
    return bool(_TOC_ENTRY.search(line.block.raw.rstrip()) or _TOC_ENTRY.search(line.text))


def _table_of_contents(lines: list[_Line | TableBlock]) -> set[int]:
    """Block numbers of table-of-contents lines, which name headings but are not headings.

    Entries end in a page number after a tab or dot leaders; under an
    "Innehållsförteckning" heading a long entry may wrap onto a second line,
    so a line counts too when one of the next two lines is an entry.
    """
    toc: set[int] = set()
    paragraphs = [line for line in lines if isinstance(line, _Line)]
    index = 0
    while index < len(paragraphs):
        line = paragraphs[index]
        if "\t" in line.block.raw and _TAB_PAGE.search(line.block.raw.rstrip()) and _is_structural(line.text.rsplit(" ", 1)[0]):
            toc.add(line.block.block)  # a Word TOC line without its heading
        if sections.match_top_level(line.text) == "innehallsforteckning":
            toc.add(line.block.block)
            index = _consume_toc(paragraphs, index + 1, toc)
            continue
        index += 1
    return toc


def _consume_toc(paragraphs: list[_Line], index: int, toc: set[int]) -> int:
    while index < len(paragraphs):
        ahead = paragraphs[index : index + 3]
        if not any(_is_toc_entry(line) for line in ahead):
            break
        toc.add(paragraphs[index].block.block)
        index += 1
    return index


def _front_lines(blocks: list[Block], toc: set[int]) -> list[Line]:
    """Front-page paragraphs, before the first goal or section heading (furniture kept:
    the unit's name is often repeated as a running header and must not be lost)."""
    front: list[Line] = []
    for block in blocks:
        if not isinstance(block, ParagraphBlock) or block.block in toc or not block.text:
            continue
        top = sections.match_top_level(block.text)
        if match_goal_heading(block.text) or (top is not None and top != "innehallsforteckning"):
            break
        front.append(Line(block.text, styled=block.heading_level is not None or block.is_bold))
    return front


# --- the builder --------------------------------------------------------------


class _ReportBuilder:
    """Builds the report model from the recognised blocks, one block at a time."""

    def __init__(self, path: Path, unit: str | None) -> None:
        # The unit is known before the body is read: analysis cells repeat its name, which is not analysis.
        self.report = Report(path=str(path), unit=unit)
        self.mode = "front"  # "front" | "sections" | "goals"
        self.inriktningsmal: KfInriktningsmal | None = None
        self.kf_mal: KfMal | None = None
        self.namndmal: Namndmal | None = None
        self.enhetsmal: Enhetsmal | None = None
        self.part: Part | None = None
        self.title_goal: Goal | None = None  # a goal whose title may continue on the next line
        self.section: Section | None = None
        self.section_key: str | None = None
        self.subsection: Section | None = None
        self.leaf: Section | None = None
        self.last_table: ParsedTable | None = None

    # -- main loop --

    def run(self, lines: list[_Line | TableBlock]) -> None:
        index = 0
        while index < len(lines):
            line = lines[index]
            if isinstance(line, TableBlock):
                self._table(line)
                index += 1
                continue
            pasted = _pasted_table(lines, index)
            if pasted is not None:
                header, rows, kind, consumed = pasted
                self._grid_table(kind, header, rows, len(header.cells), pasted_at=line.source)
                index += consumed
                continue
            self._paragraph(line)
            index += 1

    def finish(self) -> Report:
        for goal in self.report.all_enhetsmal():
            goal.forvantat_resultat = items.result_items(goal.forvantat_resultat_part)
        for namndmal in self.report.all_namndmal():
            part = next((p for p in namndmal.other_parts if _is_forvantat(p)), None)
            namndmal.forvantat_resultat = items.result_items(part)
        if not self.report.inriktningsmal:
            self.report.notes.append(NO_GOALS_NOTE)
        return self.report

    # -- paragraphs --

    def _paragraph(self, line: _Line) -> None:
        text = line.text
        if self._toc_line(line):
            return
        goal = match_goal_heading(text, heading_like=line.heading_like)
        if goal is not None:
            self._open_goal(goal, line)
            return
        status = match_status(text)
        if status is not None and self._set_status(status, line.source):
            return
        if self.mode == "goals":
            self._goal_paragraph(line)
        else:
            self._section_paragraph(line)

    def _toc_line(self, line: _Line) -> bool:
        """The "Innehållsförteckning" heading itself (its entries were removed beforehand)."""
        return sections.match_top_level(line.text) == "innehallsforteckning"

    def _goal_paragraph(self, line: _Line) -> None:
        if self._continue_title(line):
            return
        self.title_goal = None
        label = match_part_label(line.text)
        if label is not None:
            self._open_part(label, line)
            return
        if self._ends_goals(line):
            self._close_goals()
            self._section_paragraph(line)
            return
        self._append_to_part(line)

    @staticmethod
    def _ends_goals(line: _Line) -> bool:
        """A template section heading (or any top-level heading style) after the goals.

        A bare "Ekonomi" only counts when it looks like a heading: as a
        one-word line inside a goal's text it is more likely a sub-point.
        """
        top = _template_heading(line)
        if top is not None:
            return top != "ekonomi" or line.heading_like
        return line.block.heading_level == 1

    def _section_paragraph(self, line: _Line) -> None:
        text = line.text
        level = line.block.heading_level
        top = _template_heading(line)
        if self.mode == "front":
            if top is not None:
                self._open_section(line, top)
            return  # front page text: title, unit, date … (read by checker.structure.identity)
        if self._repeats_open_heading(line):
            return  # the heading typed again as the section's first line: not a second, empty heading
        if level is not None and self.section is not None:
            self._open_by_level(line, level, top)
            return
        if self.section is not None and sections.match_child(text, self.section_key) is not None:
            self._open_subsection(line)
            return
        if top is not None:
            self._open_section(line, top)
            return
        if match_part_label(text) is not None or line.heading_like:
            if self.section is None:
                self._open_section(line, None)
            elif match_part_label(text) is not None and self.subsection is not None:
                self._open_leaf(line)
            else:
                self._open_subsection(line)
            return
        target = self.leaf or self.subsection or self.section
        if target is not None:
            _append_paragraph(target.paragraphs, line)

    def _repeats_open_heading(self, line: _Line) -> bool:
        """The section just opened, its heading repeated as its first body line ("Investeringar" ⏎ "Investeringar")."""
        open_section = self.leaf or self.subsection or self.section
        if open_section is None or open_section.paragraphs or open_section.children or open_section.tables:
            return False
        return fold_ocr(_clean_title(line.text)) == fold_ocr(open_section.title)

    def _open_by_level(self, line: _Line, level: int, top: str | None) -> None:
        """Heading styles tell the nesting directly (the export keeps them)."""
        if level <= 1:
            self._open_section(line, top)
        elif level == 2 or self.subsection is None:
            self._open_subsection(line)
        else:
            self._open_leaf(line)

    # -- goals --

    def _open_goal(self, heading: GoalHeading, line: _Line) -> None:
        self._drop_goal_container()
        self.mode = "goals"
        self.part = None
        title = _clean_title(heading.title)
        source = line.source
        level = heading.level
        if level is GoalLevel.KF_INRIKTNINGSMAL:
            goal: Goal = KfInriktningsmal(number=heading.number, title=title, source=source)
            self.report.inriktningsmal.append(goal)
            self.inriktningsmal, self.kf_mal, self.namndmal, self.enhetsmal = goal, None, None, None
        elif level is GoalLevel.KF_MAL:
            goal = KfMal(number=heading.number, title=title, source=source)
            self._ensure_inriktningsmal(source).kf_mal.append(goal)
            self.kf_mal, self.namndmal, self.enhetsmal = goal, None, None
        elif level is GoalLevel.NAMNDMAL:
            goal = Namndmal(title=title, source=source)
            self._ensure_kf_mal(source).namndmal.append(goal)
            self.namndmal, self.enhetsmal = goal, None
        else:
            goal = Enhetsmal(title=title, prefixes=list(heading.prefixes), source=source)
            parent = self.namndmal if self.namndmal is not None else self._ensure_kf_mal(source)
            parent.enhetsmal.append(goal)
            self.enhetsmal = goal
        self.title_goal = goal

    def _ensure_inriktningsmal(self, source: Source) -> KfInriktningsmal:
        if self.inriktningsmal is None:
            self.inriktningsmal = KfInriktningsmal(title="", source=source)
            self.report.inriktningsmal.append(self.inriktningsmal)
        return self.inriktningsmal

    def _ensure_kf_mal(self, source: Source) -> KfMal:
        if self.kf_mal is None:
            self.kf_mal = KfMal(title="", source=source)
            self._ensure_inriktningsmal(source).kf_mal.append(self.kf_mal)
        return self.kf_mal

    def _innermost_goal(self) -> Goal | None:
        return self.enhetsmal or self.namndmal or self.kf_mal or self.inriktningsmal

    def _continue_title(self, line: _Line) -> bool:
        """A goal title wrapped onto the next line (PDF and scan round trips)."""
        goal = self.title_goal
        if goal is None:
            return False
        if not goal.title:
            if match_part_label(line.text) is None:
                goal.title = _clean_title(line.text)
                return True
            return False
        # Lower case, or a parenthesis: "… i samverkan med andra enheter" / "(kompetens)". After a
        # full stop only a short line: the first line of body text would be longer.
        continues = line.text[:1].islower() or line.text[:1] == "("
        after_sentence = _SENTENCE_END.search(goal.title) is not None
        if continues and (not after_sentence or len(line.text) <= _TITLE_TAIL_CHARS) and match_part_label(line.text) is None:
            goal.title = f"{goal.title} {_clean_title(line.text)}"
            return True
        return False

    def _set_status(self, status, source: Source) -> bool:
        goal = self._innermost_goal()
        if self.mode != "goals" or goal is None or goal.bedomning is not None:
            return False
        if self.part is not None and not self.part.is_empty and not _stray_line(self.part):
            return False  # a status line belongs right under the heading
        goal.bedomning = status
        if isinstance(goal, Enhetsmal):
            goal.bedomning_source = source
        self.title_goal = None
        return True

    def _open_part(self, label: PartLabel, line: _Line) -> None:
        part = Part(label=label.label, source=line.source)
        if label.rest:
            part.paragraphs.append(Paragraph(text=label.rest, original=line.block.raw, source=line.source))
        self.part = part
        goal = self._innermost_goal()
        if isinstance(goal, Enhetsmal):
            _attach_enhetsmal_part(goal, label.name, part)
        elif isinstance(goal, Namndmal):
            if label.name is PartName.BESKRIVNING and goal.beskrivning is None:
                goal.beskrivning = part
            else:
                goal.other_parts.append(part)
        # Parts under a KF goal are rare; their text is kept in the open part only.

    def _append_to_part(self, line: _Line) -> None:
        if self.part is None:
            goal = self._innermost_goal()
            self.part = Part(label="", source=line.source)
            if isinstance(goal, (Enhetsmal, Namndmal)):
                goal.other_parts.append(self.part)
        _append_paragraph(self.part.paragraphs, line)

    def _close_goals(self) -> None:
        self.mode = "sections"
        self.inriktningsmal = self.kf_mal = self.namndmal = self.enhetsmal = None
        self.part = None
        self.title_goal = None

    def _drop_goal_container(self) -> None:
        """An empty "Uppföljning av Kommunfullmäktiges inriktningsmål" heading wraps the goals."""
        section = self.section
        if (
            self.mode == "sections"
            and section is not None
            and section.is_empty
            and not section.children
            and (sections.is_goal_container(self.section_key or "") or "inriktningsmal" in fold_ocr(section.title))
            and self.report.sections
            and self.report.sections[-1] is section
        ):
            self.report.sections.pop()
        self.section = self.subsection = self.leaf = None
        self.section_key = None

    # -- sections --

    def _open_section(self, line: _Line, key: str | None) -> None:
        self.mode = "sections"
        section = Section(title=_clean_title(line.text), source=line.source)
        self.report.sections.append(section)
        self.section, self.subsection, self.leaf = section, None, None
        self.section_key = key or sections.section_key(line.text)

    def _open_subsection(self, line: _Line) -> None:
        assert self.section is not None
        child = Section(title=_clean_title(line.text), source=line.source)
        self.section.children.append(child)
        self.subsection, self.leaf = child, None

    def _open_leaf(self, line: _Line) -> None:
        assert self.subsection is not None
        leaf = Section(title=_clean_title(line.text), source=line.source)
        self.subsection.children.append(leaf)
        self.leaf = leaf

    # -- tables --

    def _table(self, table: TableBlock) -> None:
        rows = _grid_rows(table)
        for header_index in range(min(2, len(rows))):
            kind = classify_header(rows[header_index].texts())
            if kind is not None:
                self._grid_table(kind, rows[header_index], rows[header_index + 1 :], table.columns, table_source=table)
                return
        cell_lines = _layout_table_lines(table)
        if cell_lines is not None:
            for line in cell_lines:
                self._paragraph(line)
            return
        self._unknown_table(table, rows)

    def _grid_table(
        self,
        kind: TableKind,
        header: GridRow,
        rows: list[GridRow],
        columns: int,
        table_source: TableBlock | None = None,
        pasted_at: Source | None = None,
    ) -> None:
        parsed = parse_table(kind, header, rows, columns, self.report.unit)
        anchor = header.source
        if kind is TableKind.SYNPUNKTER:
            self.report.synpunkter.extend(parsed.synpunkter)
            if self.report.synpunkter_source is None:
                self.report.synpunkter_source = anchor
            self._mark_section_table(anchor)
            return
        self._attach_leading_analysis(parsed)
        goal = self._innermost_goal() if self.mode == "goals" else None
        if goal is None or isinstance(goal, KfInriktningsmal):
            self._mark_section_table(anchor)
            if goal is None:
                self.report.notes.append(
                    f"En {kind.value}tabell ({anchor.describe()}) står utanför målen och granskas inte."
                )
                return
            goal = self._ensure_kf_mal(anchor)
        goal.indikatorer.extend(parsed.indikatorer)
        goal.aktiviteter.extend(parsed.aktiviteter)
        if parsed.indikatorer or parsed.aktiviteter:
            self.last_table = parsed
        self.title_goal = None

    def _attach_leading_analysis(self, parsed: ParsedTable) -> None:
        if parsed.leading_analysis is None or self.last_table is None:
            return
        previous = (self.last_table.indikatorer or self.last_table.aktiviteter)[-1:]
        if previous and previous[0].analys is None:
            previous[0].analys, previous[0].analys_source = parsed.leading_analysis

    def _mark_section_table(self, source: Source) -> None:
        target = self.leaf or self.subsection or self.section
        if target is not None and self.mode != "goals":
            target.tables.append(source)

    def _unknown_table(self, table: TableBlock, rows: list[GridRow]) -> None:
        """A table the template does not define: keep its text where it stands.

        Some exports lay the status line out as a one-row table (icon | text);
        such a table under a goal heading is read as the status.
        """
        if self.mode == "goals" and len(rows) == 1 and self._status_from_cells(rows[0]):
            return
        for row in rows:
            text = " | ".join(cell.text.replace("\n", " ") for cell in row.cells if cell.text.strip())
            if not text:
                continue
            paragraph = Paragraph(text=text, original=text, source=row.source)
            if self.mode == "goals":
                if self.part is None:
                    self._append_to_part_text(paragraph)
                else:
                    self.part.paragraphs.append(paragraph)
            else:
                self._mark_section_table(Source(block=table.block, table=table.table))
                break

    def _status_from_cells(self, row: GridRow) -> bool:
        text = " ".join(cell.text for cell in row.cells if cell.text.strip())
        status = match_status(text)
        return status is not None and self._set_status(status, row.source)

    def _append_to_part_text(self, paragraph: Paragraph) -> None:
        goal = self._innermost_goal()
        self.part = Part(label="", source=paragraph.source, paragraphs=[paragraph])
        if isinstance(goal, (Enhetsmal, Namndmal)):
            goal.other_parts.append(self.part)


# --- helpers ------------------------------------------------------------------

_ENHETSMAL_PARTS = {
    PartName.FORVANTAT_RESULTAT: "forvantat_resultat_part",
    PartName.ARBETSSATT: "arbetssatt",
    PartName.RESURSANVANDNING: "resursanvandning",
    PartName.UPPFOLJNING: "uppfoljning",
    PartName.UTVECKLING: "utveckling",
    PartName.ANALYS: "analys",
    PartName.KOMMENTAR: "kommentar",
}


def _attach_enhetsmal_part(goal: Enhetsmal, name: PartName, part: Part) -> None:
    field = _ENHETSMAL_PARTS.get(name)
    if field is None or getattr(goal, field) is not None:
        # A second "Analys" under the same goal continues the first one's text
        # in spirit, but is kept as its own part so nothing is lost.
        existing = getattr(goal, field) if field else None
        if existing is not None:
            existing.paragraphs.extend(part.paragraphs)
            part.paragraphs = existing.paragraphs
            return
        goal.other_parts.append(part)
        return
    setattr(goal, field, part)


def _is_forvantat(part: Part) -> bool:
    label = match_part_label(part.label)
    return label is not None and label.name is PartName.FORVANTAT_RESULTAT


def _append_paragraph(paragraphs: list[Paragraph], line: _Line) -> None:
    """Append a paragraph, re-joining a line that a PDF or scan round trip broke off."""
    text = line.text
    marker = line.block.list_marker if line.block.list_kind else None
    previous = paragraphs[-1] if paragraphs else None
    if (
        previous is not None
        and marker is None
        and previous.marker != "•"
        and text[:1].islower()
        and not _SENTENCE_END.search(previous.text)
        and not items.starts_with_marker(text)
    ):
        # A new Paragraph, as model_copy made, for a fraction of its cost.
        paragraphs[-1] = Paragraph(
            text=f"{previous.text} {text}",
            original=f"{previous.original} {line.block.raw}",
            marker=previous.marker,
            source=previous.source,
        )
        return
    paragraphs.append(Paragraph(text=text, original=line.block.raw, marker=marker, source=line.source))


_TITLE_BULLET = re.compile(r"^(?:[-–—•·▪*]|[\ue000-\uf8ff])\s*")


def _clean_title(title: str) -> str:
    """A heading as people read it: no bullet in front, no stray emphasis markers, single spaces."""
    return _TITLE_BULLET.sub("", " ".join(title.replace("*", " ").split())).strip()


def _grid_rows(table: TableBlock) -> list[GridRow]:
    rows: list[GridRow] = []
    for row_index, cells in enumerate(table.rows):
        # A Word table's cells carry no source of their own: findings point at
        # rows (the row's source), and a Source per cell was most of the cost
        # of reading a wide indicator table.
        grid_cells = [GridCell("" if cell.merged_from_above else cell.text, None, cell.span) for cell in cells]
        merged = len(cells) == 1 and table.columns > 1
        row_source = Source(block=table.block, table=table.table, row=row_index, **printed_at(_row_place(cells)))
        rows.append(GridRow(cells=grid_cells, source=row_source, merged=merged))
    return rows


def _row_place(cells: list[Cell]) -> Place | None:
    """Where a table row is printed: its first cell that has a place (PDF tables only)."""
    return next((cell.place for cell in cells if cell.place is not None), None)


def printed_at(place: Place | None) -> dict[str, int]:
    """The page and line of a Source, for a block read from a PDF; nothing for a .docx."""
    return {} if place is None else {"page": place.page, "line": place.line}


def _layout_table_lines(table: TableBlock) -> list[_Line] | None:
    """The lines of a table used for layout (goal headings or part labels in its
    cells), to be read as running text; None for an ordinary table.

    Some exports and hand-made templates put each goal in a table; its text
    must not be lost as an unknown table's.
    """
    lines: list[_Line] = []
    structural = False
    for row in table.rows:
        for cell in row:
            if cell.merged_from_above:
                continue
            source = Source(block=table.block, table=table.table, row=cell.row, column=cell.column, **printed_at(cell.place))
            for text in cell.text.split("\n"):
                if not text.strip():
                    continue
                structural = structural or bool(match_goal_heading(text) or match_part_label(text))
                block = ParagraphBlock(
                    block=table.block, paragraph=-1, raw=text, text=text, style="", heading_level=None, runs=[]
                )
                lines.append(_Line(block=block, text=text, heading_like=False, cell=source))
    return lines if structural else None


def _pasted_table(lines: list[_Line | TableBlock], start: int) -> tuple[GridRow, list[GridRow], TableKind, int] | None:
    """A table pasted as tab-separated paragraphs: header line, rows, "Analys …" lines."""
    first = lines[start]
    if isinstance(first, TableBlock) or first.block.raw.count("\t") < 1:
        return None
    header_texts = first.block.raw.split("\t")
    kind = classify_header(header_texts)
    if kind is None:
        return None
    header = _pasted_row(first, 0)
    rows: list[GridRow] = []
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if isinstance(line, TableBlock):
            break
        if "\t" in line.block.raw:
            if classify_header(line.block.raw.split("\t")) not in (None, kind):
                break  # the next pasted table starts
            rows.append(_pasted_row(line, len(rows) + 1))
        elif _looks_like_analysis(line.text) and rows:
            source = Source(block=line.block.block, paragraph=line.block.paragraph, row=len(rows) + 1, **printed_at(line.block.place))
            rows.append(GridRow(cells=[GridCell(line.text, source)], source=source, merged=True))
        else:
            break
        index += 1
    return header, rows, kind, index - start


def _pasted_row(line: _Line, row: int) -> GridRow:
    cells = [
        GridCell(
            text=normalise(text),
            source=Source(block=line.block.block, paragraph=line.block.paragraph, row=row, column=column, **printed_at(line.block.place)),
        )
        for column, text in enumerate(line.block.raw.split("\t"))
    ]
    return GridRow(cells=cells, source=Source(block=line.block.block, paragraph=line.block.paragraph, row=row, **printed_at(line.block.place)))


def _looks_like_analysis(text: str) -> bool:
    folded = fold_ocr(text)
    return folded.startswith("analys") and not folded.startswith("analysen") or folded.startswith("<p>analys")


def _template_heading(line: _Line) -> str | None:
    """The template section a line names, unless it reads as the wrapped tail of a sentence.

    In a scanned file every line of a paragraph is its own paragraph, so
    "systematiska kvalitetsarbetet." can stand alone – one edit from the
    heading "Systematiskt kvalitetsarbete". A template heading never starts
    in lower case or ends with a full stop; a styled or bold line is a
    heading whatever it looks like.
    """
    top = sections.match_top_level(line.text)
    if top is None or line.heading_like or line.block.heading_level is not None:
        return top
    text = line.text.strip()
    if text[:1].islower() or (text.endswith(".") and not text.endswith("..")):
        return None
    return top


def _stray_line(part: Part) -> bool:
    """One short unlabelled line between a goal's heading and its status: a header or title remnant.

    A scan can leave such a line (the rest of a wrapped title, a running
    header not recognised as one); the status under it is still the goal's.
    """
    return not part.label and len(part.paragraphs) == 1 and len(part.paragraphs[0].text) <= _TITLE_TAIL_CHARS
