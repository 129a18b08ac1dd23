"""The thread view: per unit, its goals × its documents (VP, T1, T2, VB).

A coordinator wants to see at a glance which units lost track of which
goals. Each row is an enhetsmål of the plan (or of the earliest document
there is), followed into each later document: its status there ("uppfylls
helt" …), "saknas" when that document does not follow it up, or "–" when the
document itself is missing from the folder. Goals a report has but the plan
does not come last, marked as not planned.

The same view is a rich table in the terminal (`malkoll thread MAPP`), JSON
(`--format json`, with every pairing, its confidence and the leftovers) and
a section of the coordinator's overview page (`overview_section`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.display import relative_name
from checker.model import Enhetsmal, Report
from checker.threads.folder import ThreadRun, links_for
from checker.threads.grouping import ROLE_NAMES, ROLES, Member, Thread
from checker.threads.links import Links
from checker.threads.matching import KIND_LABELS, Comparison, Item

FORMAT_VERSION = 1

# Cell states: a report's status codes, plus what the table needs besides.
PLANNED = "planerat"
MISSING = "saknas"
ABSENT = "ej inlämnat"  # the document itself is not in the folder
NO_STATUS = "ingen bedömning"
# A report that gives a goal no assessment: a problem to show, not a neutral grey.
NO_ASSESSMENT = ("inga data", NO_STATUS)
STATUS_WORDS = {
    "helt": "uppfylls helt",
    "delvis": "uppfylls delvis",
    "inte": "uppfylls inte",
    "inga data": "inga data",
    None: NO_STATUS,
}


@dataclass
class Cell:
    """One goal in one document."""

    state: str  # a status code ("helt", "delvis", "inte", "inga data"), NO_STATUS, PLANNED, MISSING or ABSENT
    title: str | None = None  # the goal's title in that document
    confidence: float | None = None  # how sure the pairing with the row's goal is

    @property
    def words(self) -> str:
        if self.state in STATUS_WORDS:
            return STATUS_WORDS[self.state]  # type: ignore[index]
        return "–" if self.state == ABSENT else self.state


@dataclass
class GoalRow:
    title: str
    planned: bool  # the goal is in the thread's first document (normally the plan)
    cells: dict[str, Cell] = field(default_factory=dict)
    # The goal in each document, for pairing goals the plan does not have across reports.
    goals: dict[str, Enhetsmal] = field(default_factory=dict, repr=False)


@dataclass
class Pairing:
    """The first document of the thread paired with one of the others."""

    left: Member
    right: Member
    comparison: Comparison


@dataclass
class ThreadView:
    thread: Thread
    reference: str  # the role every goal is followed from ("VP" when there is a plan)
    rows: list[GoalRow]
    pairings: list[Pairing]

    @property
    def lost(self) -> int:
        """How many times a goal of the plan is missing from a later document."""
        return sum(1 for row in self.rows if row.planned for cell in row.cells.values() if cell.state == MISSING)


def build_view(thread: Thread, reports: dict[Path, Report], links: Links | None = None) -> ThreadView | None:
    """The goals × documents view of a thread (None when none of its documents could be read)."""
    links = links or links_for(thread, reports)
    primaries = {role: m for role in ROLES if (m := thread.primary(role)) is not None and m.path in reports}
    if not primaries:
        return None
    reference = next(iter(primaries))
    base = primaries[reference]
    rows = [GoalRow(goal.title, True, goals={reference: goal}) for goal in reports[base.path].all_enhetsmal()]
    for row in rows:
        row.cells[reference] = _cell(reference, row.goals[reference], None)
    for role in ROLES[ROLES.index(reference) + 1 :]:
        member = primaries.get(role)
        if member is None:
            for row in rows:
                row.cells[role] = Cell(ABSENT)
            continue
        _follow(rows, role, reports[member.path], links, reports, primaries)
    pairings = []
    for member in thread.all_members():
        if member is base or member.path not in reports:
            continue
        comparison = links.comparison(reports[base.path], reports[member.path])
        if comparison is not None:
            pairings.append(Pairing(base, member, comparison))
    return ThreadView(thread, reference, rows, pairings)


def _follow(
    rows: list[GoalRow], role: str, report: Report, links: Links, reports: dict[Path, Report],
    primaries: dict[str, Member],
) -> None:
    """Fill one document's column, and add rows for its goals no earlier row has."""
    found: set[int] = set()
    for row in rows:
        partner, confidence = _partner(row, report, links, reports, primaries)
        if partner is None:
            row.cells[role] = Cell(MISSING)
            continue
        found.add(id(partner))
        row.goals[role] = partner
        row.cells[role] = _cell(role, partner, confidence)
    for goal in report.all_enhetsmal():
        if id(goal) not in found:
            row = GoalRow(goal.title, False, goals={role: goal})
            row.cells = {r: Cell(MISSING) for r in ROLES if r in primaries and ROLES.index(r) < ROLES.index(role)}
            row.cells[role] = _cell(role, goal, None)
            rows.append(row)


def _partner(
    row: GoalRow, report: Report, links: Links, reports: dict[Path, Report], primaries: dict[str, Member]
) -> tuple[Enhetsmal | None, float | None]:
    """The row's goal in `report`, looked for from the row's earliest document that has it."""
    for role, goal in row.goals.items():
        comparison = links.comparison(reports[primaries[role].path], report)
        match = comparison.match_of(goal) if comparison is not None else None
        if match is not None:
            partner = match.right.obj if match.left.obj is goal else match.left.obj
            return partner, match.confidence
    return None, None


def _cell(role: str, goal: Enhetsmal, confidence: float | None) -> Cell:
    state = PLANNED if role == "VP" else goal.bedomning
    return Cell(state if state is not None else NO_STATUS, goal.title, confidence)


def single_view(thread: Thread) -> ThreadView:
    """A thread of one document: no goals to follow, but the unit is shown with what it lacks."""
    roles = thread.roles
    return ThreadView(thread, roles[0] if roles else ROLES[0], [], [])


def build_views(run: ThreadRun) -> list[ThreadView]:
    views = [build_view(thread, run.reports) for thread in run.grouping.threads]
    return [view for view in views if view is not None]


# --- JSON -------------------------------------------------------------------------------


def to_json(run: ThreadRun, views: Sequence[ThreadView], *, base: Path | None = None) -> dict[str, Any]:
    """The stable JSON form of `malkoll thread --format json`."""
    by_thread = {id(view.thread): view for view in views}
    return {
        "format_version": FORMAT_VERSION,
        "threads": [_thread_json(thread, by_thread.get(id(thread)), base) for thread in run.grouping.threads],
        "unplaced": [{"path": relative_name(u.path, base), "reason": u.reason} for u in run.grouping.unplaced],
        "notes": list(run.grouping.notes),
    }


def _thread_json(thread: Thread, view: ThreadView | None, base: Path | None) -> dict[str, Any]:
    return {
        "unit": thread.unit,
        "year": thread.year,
        "documents": {role: [relative_name(m.path, base) for m in thread.members.get(role, [])] for role in ROLES},
        "reference": view.reference if view is not None else None,
        "goals": [_row_json(row) for row in view.rows] if view is not None else [],
        "comparisons": [_pairing_json(p, base) for p in view.pairings] if view is not None else [],
    }


def _row_json(row: GoalRow) -> dict[str, Any]:
    return {
        "title": row.title,
        "planned": row.planned,
        "documents": {
            role: (None if cell.state == ABSENT else {"status": cell.state, "title": cell.title, "confidence": cell.confidence})
            for role, cell in row.cells.items()
        },
    }


def _pairing_json(pairing: Pairing, base: Path | None) -> dict[str, Any]:
    comparison = pairing.comparison
    return {
        "from": {"role": pairing.left.role, "path": relative_name(pairing.left.path, base)},
        "to": {"role": pairing.right.role, "path": relative_name(pairing.right.path, base)},
        "matches": [
            {"kind": KIND_LABELS[m.kind], "from": m.left.text, "to": m.right.text, "confidence": m.confidence}
            for m in comparison.matches
        ],
        "only_in_from": [_item_json(i) for i in comparison.left_only],
        "only_in_to": [_item_json(i) for i in comparison.right_only],
    }


def _item_json(item: Item) -> dict[str, Any]:
    return {"kind": KIND_LABELS[item.kind], "text": item.text, "under": item.parent.text if item.parent else None}




# --- the terminal ----------------------------------------------------------------------

CELL_STYLES = {
    "helt": "green",
    "delvis": "yellow",
    "inte": "red",
    "inga data": "dim",
    NO_STATUS: "dim",
    PLANNED: "cyan",
    MISSING: "bold red",
    ABSENT: "dim",
}


def render_view(view: ThreadView) -> Any:
    """A rich table: the unit's goals down, its documents across."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    thread = view.thread
    caption = _caption(view)
    table = Table(title=Text(thread.label, style="bold"), caption=caption, box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("Enhetsmål", ratio=3, overflow="fold")
    for role in ROLES:
        present = thread.primary(role) is not None
        table.add_column(Text(role, style="bold" if present else "dim"), ratio=1, no_wrap=True)
    for row in view.rows:
        title = Text(row.title)
        if not row.planned:
            title.append(" (inte i planen)" if view.reference == "VP" else " (nytt)", style="italic yellow")
        cells = [_cell_text(row.cells.get(role)) for role in ROLES]
        table.add_row(title, *cells)
    return table


def _caption(view: ThreadView) -> str:
    """The thread's summary line: "verksamhetsplanen saknas; 2 uppföljningar saknas"."""
    later = [role for role in view.thread.roles if ROLES.index(role) > ROLES.index(view.reference)]
    no_plan = "verksamhetsplanen saknas" if "VP" not in view.thread.roles else ""
    if not later:
        if no_plan:
            return f"bara {describe_role(view.reference)} – {no_plan}, så det finns inget att följa upp målen mot"
        return f"bara {describe_role(view.reference)} – ännu inga senare dokument som följer upp målen"
    lost = view.lost
    text = "alla mål följs upp" if not lost else f"{lost} uppföljning{'ar' if lost != 1 else ''} saknas"
    unassessed = _unassessed(view)
    if unassessed:
        text += f"; {unassessed} bedömning{'ar' if unassessed != 1 else ''} saknas (inga data)"
    if no_plan:
        return f"{no_plan} – målen följs från {describe_role(view.reference)}; {text}"
    return text


def problems(view: ThreadView) -> int:
    """Lost follow-ups, goals without an assessment ("inga data") and a missing plan, for the summary's colour."""
    return view.lost + _unassessed(view) + ("VP" not in view.thread.roles)


def _unassessed(view: ThreadView) -> int:
    return sum(1 for row in view.rows for cell in row.cells.values() if cell.state in NO_ASSESSMENT)


def _cell_text(cell: Cell | None) -> Any:
    from rich.text import Text

    if cell is None:
        return Text("–", style="dim")
    text = Text(cell.words, style=CELL_STYLES.get(cell.state, ""))
    if cell.confidence is not None and cell.confidence < 0.9:
        # A loose pairing is shown, so that a reworded goal can be checked by eye.
        text.append(f" ({round(cell.confidence * 100)} %)", style="dim")
    return text


def render_pairings(view: ThreadView) -> Any:
    """Every pairing of the thread with its confidence, and what found no partner (for --matchningar)."""
    from rich.tree import Tree

    tree = Tree(f"{view.thread.label}: jämförelser")
    for pairing in view.pairings:
        branch = tree.add(f"{pairing.left.role} {pairing.left.path.name} → {pairing.right.role} {pairing.right.path.name}")
        for match in pairing.comparison.matches:
            branch.add(f"{KIND_LABELS[match.kind]} {round(match.confidence * 100)} %: {_short(match.left.text)}"
                       + ("" if match.left.key == match.right.key else f" → {_short(match.right.text)}"))
        for item in pairing.comparison.left_only:
            branch.add(f"bara i {pairing.left.role}: {KIND_LABELS[item.kind]} {_short(item.text)}")
        for item in pairing.comparison.right_only:
            branch.add(f"bara i {pairing.right.role}: {KIND_LABELS[item.kind]} {_short(item.text)}")
    return tree


def _short(text: str, limit: int = 70) -> str:
    from checker.display import shorten

    return f"”{shorten(text, limit, keep_controls=True)}”"


# --- the coordinator's overview page ---------------------------------------------------


def overview_section(views: Sequence[ThreadView], unplaced: Sequence[tuple[str, str]] = ()) -> str:
    """HTML for the overview page: one goals × documents table per unit (escaped; classes, no inline styles)."""
    if not views and not unplaced:
        return ""
    parts = ['<section class="trad"><h2>Uppföljning av planen under året</h2>',
             '<p class="ingress">Varje enhetsmål i verksamhetsplanen följt genom tertialrapporterna och '
             'verksamhetsberättelsen. ”saknas” betyder att dokumentet inte följer upp målet, ”inga data” att '
             'rapporten inte bedömer det; ”–” att dokumentet inte finns i mappen.</p>']
    for view in sorted(views, key=lambda v: (v.thread.unit.casefold(), v.thread.year)):
        parts.append(_view_html(view))
    if unplaced:
        parts.append("<h3>Dokument utan tråd</h3><ul class=\"utan-trad\">")
        parts.extend(f"<li><b>{_e(name)}</b>: {_e(reason)}</li>" for name, reason in unplaced)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def overview_rows(views: Sequence[ThreadView], unplaced: Sequence[tuple[str, str]] = ()) -> list[list[str | int | None]]:
    """The same as overview_section, as rows for the workbook's "Trådar" sheet (checker.output.overview.xlsx)."""
    rows: list[list[str | int | None]] = []
    for view in sorted(views, key=lambda v: (v.thread.unit.casefold(), v.thread.year)):
        summary = _caption(view)
        rows.append([view.thread.unit, view.thread.year, summary[:1].upper() + summary[1:], None,
                     *["finns" if view.thread.primary(role) is not None else "–" for role in ROLES]])
        for row in view.rows:
            cells = [_cell_words(_shown_cell(view, row, role)) for role in ROLES]
            rows.append([view.thread.unit, view.thread.year, row.title, "ja" if row.planned else "nej", *cells])
    for name, reason in unplaced:
        rows.append(["(utan tråd)", None, f"{name}: {reason}", None, None, None, None, None])
    return rows


def _cell_words(cell: Cell | None) -> str:
    return "–" if cell is None else cell.words


def _view_html(view: ThreadView) -> str:
    """A unit's thread: its name, its summary line, and its goals × documents (none for a one-document thread)."""
    summary = _caption(view)
    css = "tradrad brist" if problems(view) else "tradrad"
    heading = f'<h3>{_e(view.thread.label)}</h3><p class="{css}">{_e(summary[:1].upper() + summary[1:])}.</p>'
    if not view.rows:
        return heading
    head = "".join(f"<th>{_e(role)}</th>" for role in ROLES)
    rows = []
    for row in view.rows:
        title = _e(row.title) + ("" if row.planned else f' <span class="nytt">{_e(_not_planned(view))}</span>')
        cells = "".join(_cell_html(_shown_cell(view, row, role)) for role in ROLES)
        rows.append(f"<tr><td>{title}</td>{cells}</tr>")
    return (f'{heading}<table class="trad"><caption>{_e(view.thread.label)}: enhetsmålen i dokumenten</caption>'
            f"<thead><tr><th>Enhetsmål</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _not_planned(view: ThreadView) -> str:
    return "(inte i planen)" if view.reference == "VP" else "(nytt)"


NOT_IN_PLAN = "ej i planen"


def _shown_cell(view: ThreadView, row: GoalRow, role: str) -> Cell | None:
    """The cell as the overview shows it: a goal the plan does not have is not a "saknas" under the plan."""
    cell = row.cells.get(role)
    if cell is not None and role == "VP" and not row.planned and cell.state == MISSING:
        return Cell(NOT_IN_PLAN)
    return cell


_CELL_CLASSES = {"helt": "helt", "delvis": "delvis", "inte": "inte", MISSING: "saknas", PLANNED: "planerat",
                 "inga data": "ingadata", NO_STATUS: "ingadata", NOT_IN_PLAN: "ej-i-planen"}


def _cell_html(cell: Cell | None) -> str:
    if cell is None:
        return '<td class="tom">–</td>'
    css = _CELL_CLASSES.get(cell.state, "tom")
    return f'<td class="{css}">{_e(cell.words)}</td>'


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def describe_role(role: str) -> str:
    return ROLE_NAMES.get(role, role)
