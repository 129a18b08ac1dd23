"""Terminal output for people: one section per file, then a summary table.

Written for a unit's author who has to fix the document and a coordinator
who has to decide whether it can go to the board: the header says which
document it is and whether it passes, findings sit under the goal they
concern (KF-mål › nämndmål › enhetsmål) in document order, each with the
rule's Swedish message, where in the document it is and a short quote.

Every piece of text that came from a document is passed through
`clean_display` and put into `rich.text.Text` objects — never into markup
strings — so a title like "[bold]" or one carrying terminal escape codes is
shown as written and cannot restyle or hijack the terminal.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.rule import Rule as RuleLine
from rich.table import Table
from rich.text import Text

from checker.findings import Finding, Severity
from checker.output import clean_display, describe_document, describe_kind, plural, shorten, visible_name
from checker.output.reporter import StreamReporter
from checker.results import FileResult, FileSummary, RunSummary
from checker.text import fold

if TYPE_CHECKING:
    from checker.engine import Rule, RuleSet

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
PASS_STYLE = "bold green"
FAIL_STYLE = "bold red"
PASSED_WORD = "GODKÄND"
FAILED_WORD = "UNDERKÄND"
UNREADABLE_WORD = "KUNDE INTE LÄSAS"
UNREADABLE_SHORT = "OLÄSBAR"
# A PDF, .doc, .odt or .rtf found in a folder: listed with its reason, not failed.
NOT_CHECKED_WORD = "INTE GRANSKAD"
NOT_CHECKED_STYLE = "bold yellow"

# Target types that are goals: findings about them get a group of their own,
# headed by the goal, so an author sees everything wrong with one goal together.
GOAL_WORDS = {
    "kf_inriktningsmal": "Inriktningsmål",
    "kf_mal": "KF-mål",
    "namndmal": "Nämndmål",
    "enhetsmal": "Enhetsmål",
}
TARGET_WORDS = {
    **GOAL_WORDS,
    "indikator": "Indikator",
    "aktivitet": "Aktivitet",
    "section": "Avsnitt",
    "avsnitt": "Avsnitt",
    "forvantat_resultat": "Förväntat resultat",
    "resultat": "Förväntat resultat",
    "item": "Förväntat resultat",
    "synpunkt": "Synpunkter och klagomål",
    "analys": "Analys",
    "synpunkter": "Synpunkter och klagomål",
    "dokument": "Dokumentet",
}
DOCUMENT_GROUP = "Dokumentet som helhet"
QUOTE_LIMIT = 110
FILE_COLUMN_LIMIT = 40
SUMMARY_FIXED_WIDTH = 54
# Goal titles are long Swedish sentences; the upper levels of a group heading
# only need to be recognisable, the goal itself a little more.
PARENT_LIMIT = 45
HEADING_LIMIT = 80
PLAIN_WIDTH = 120
ONE_LINE_HEADING = 100


def make_console(file: IO[str] | None = None, *, color: bool = True, width: int | None = None) -> Console:
    """A console that is plain (no escape codes at all) unless colour is wanted and possible.

    Markup and emoji codes are off: nothing printed here relies on them, and
    turning them off means a stray document string can never be read as either.
    """
    if width is None and "COLUMNS" not in os.environ and not _is_terminal(file):
        # Piped into a file or a log: rich would assume 80 columns and break
        # file names mid-word; a log line may be as wide as it needs.
        width = PLAIN_WIDTH
    return Console(
        file=TerminalGuard(file, keep_colour=color, strip_trailing=not _is_terminal(file)),  # type: ignore[arg-type]
        color_system="auto" if color else None,
        no_color=not color,
        # The caller decided colour is wanted (a terminal, or FORCE_COLOR).
        force_terminal=True if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        width=width,
        soft_wrap=False,
    )


# rich's own colour codes: Select Graphic Rendition, ESC [ digits ; … m.
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


# Spaces at the end of a line, before any colour codes that end it.
_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)(?=\r?\n)")


class TerminalGuard:
    """The last thing between rich and the terminal (or file): text only, plus rich's colour codes.

    Document text is cleaned (clean_display) where it is put into the
    output, but not every view does that; whatever slips through — an
    escape sequence that moves the cursor or sets the window title, a bell,
    a C1 control, a right-to-left override — is dropped here. With colour
    off nothing but text passes; with colour on, colour codes do too.
    """

    def __init__(self, target: IO[str] | None, *, keep_colour: bool, strip_trailing: bool = False) -> None:
        self._target = target
        self._keep_colour = keep_colour
        # rich pads every line of a table to the console's width; in a file or a pipe
        # those spaces are noise for diff, grep and editors, so they go.
        self._strip_trailing = strip_trailing
        # Spaces at the end of a write wait for the next one: dropped before a newline, kept before text.
        self._pending = ""

    def _stream(self) -> IO[str]:
        # None means sys.stdout as it is at the time of writing, as for rich itself.
        return self._target if self._target is not None else sys.stdout

    def write(self, text: str) -> int:
        if self._keep_colour:
            parts = _SGR.split(text)
            safe = "".join(part if i % 2 else clean_display(part, multiline=True) for i, part in enumerate(parts))
        else:
            safe = clean_display(text, multiline=True)
        if self._strip_trailing:
            safe = self._pending + safe
            body = safe.rstrip(" \t")
            self._pending = safe[len(body):]
            safe = _TRAILING.sub(r"\1", body)
        self._stream().write(safe)
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream(), name)


def _is_terminal(file: IO[str] | None) -> bool:
    stream = file if file is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def severity_text(severity: Severity) -> Text:
    return Text(severity.swedish, style=SEVERITY_STYLE[severity])


def count_words(errors: int, warnings: int, infos: int) -> str:
    """"3 fel · 1 varning · 0 info"."""
    return " · ".join(
        [plural(errors, "fel", "fel"), plural(warnings, "varning", "varningar"), plural(infos, "info", "info")]
    )


def fail_rule_words(fail_level: Severity) -> str:
    """What makes a document UNDERKÄND at this fail level, for the closing line."""
    return {
        Severity.ERROR: "minst ett fel",
        Severity.WARNING: "minst en varning eller ett fel",
        Severity.INFO: "minst en anmärkning (fel, varning eller info)",
    }[fail_level]


class TerminalReporter(StreamReporter):
    """Prints each file's section as its result arrives, then the summary."""

    def __init__(self, console: Console, *, fail_level: Severity, quiet: bool = False) -> None:
        self.console = console
        self.fail_level = fail_level
        self.quiet = quiet

    def start(self) -> None:
        pass

    def file(self, result: FileResult, summary: FileSummary) -> None:
        if self.quiet:
            return
        self.console.print(render_file(result, summary))
        self.console.print()

    def finish(self, run: RunSummary) -> None:
        if not run.files:
            return
        self.console.print(render_summary_table(run, self.console.width))
        for item in run.files:
            # The reason a file was not checked stands under the summary too: it is what the coordinator acts on.
            if item.error is not None and (self.quiet or item.not_checked):
                line = Text(f"{visible_name(str(item.path))}: ", style="bold")
                if item.not_checked:
                    line.append(f"{NOT_CHECKED_WORD.lower()}: ", style=NOT_CHECKED_STYLE)
                line.append(clean_display(item.error))
                self.console.print(line)
        if run.accepted:
            self.console.print(f"{run.accepted} {'brist' if run.accepted == 1 else 'brister'} godtagna med skäl "
                               "(underkänner inte).")
        for note in run.unused_acceptances:
            line = Text("Obs: ", style="bold yellow")
            line.append(clean_display(note, multiline=False))
            self.console.print(line)
        self.console.print(render_closing_line(run))


def document_title(summary: FileSummary) -> Text:
    """"Aspuddens hemtjänst · Verksamhetsberättelse 2025", or the file name when unreadable."""
    if summary.error is not None:
        return Text(visible_name(summary.path.name), style="bold")
    title = Text(style="bold")
    # The unit names the document for people; without it, the file name does.
    name = summary.unit if summary.unit else summary.path.name
    if summary.unit or summary.kind is None:
        title.append(clean_display(name) if summary.unit else visible_name(name))
        title.append(" · ")
    title.append(describe_document(summary.kind, summary.tertial, summary.year, summary.other))
    return title


def verdict_text(summary: FileSummary, *, short: bool = False) -> Text:
    if summary.not_checked:
        return Text(NOT_CHECKED_WORD, style=NOT_CHECKED_STYLE)
    if summary.error is not None:
        return Text(UNREADABLE_SHORT if short else UNREADABLE_WORD, style=FAIL_STYLE)
    if summary.passed:
        return Text(PASSED_WORD, style=PASS_STYLE)
    return Text(FAILED_WORD, style=FAIL_STYLE)


def render_file(result: FileResult, summary: FileSummary) -> Group:
    """The whole section for one file."""
    parts: list[object] = []
    parts.append(RuleLine(document_title(summary), align="left", style="dim"))
    file_line = Text("Fil: ", style="dim")
    file_line.append(visible_name(str(result.path)))
    parts.append(file_line)
    verdict = verdict_text(summary)
    if result.error is not None:
        verdict.append("  ")
        verdict.append(clean_display(result.error), style="")
        parts.append(verdict)
        return Group(*parts)
    verdict.append("  ")
    verdict.append(count_words(summary.errors, summary.warnings, summary.infos), style="")
    if summary.accepted:
        verdict.append(f" ({summary.accepted} godtagna med skäl)", style="")
    parts.append(verdict)
    if result.report is not None:
        for note in result.report.notes:
            note_line = Text("Obs: ", style="bold yellow")
            note_line.append(clean_display(note))
            parts.append(note_line)
    if not result.findings:
        parts.append(Text("Inga brister hittades.", style="green"))
        return Group(*parts)
    for header, findings in group_findings(result.findings):
        parts.append(Text())
        parts.append(Text(header, style="bold"))
        parts.append(Padding(findings_table(findings), (0, 0, 0, 2)))
    return Group(*parts)


def _goal_heading(finding: Finding) -> str | None:
    """"Enhetsmål: Enheten arbetar …" when the finding is about a goal, else None."""
    word = GOAL_WORDS.get(finding.target_type)
    if word is None or not finding.target:
        return None
    if fold(finding.target).startswith(fold(word)):
        return finding.target
    return f"{word}: {finding.target}"


# Level words a heading path may start its steps with ("Enhetsmål: …", "KF:s mål 1.4 …").
_LEVEL_PREFIX = re.compile(
    r"^(?:(?:enhetsmal|namndmal|omradesmal|avdelningsmal|inriktningsmal|kf-mal|avsnitt"
    r"|kf:s (?:mal for verksamhetsomradet|inriktningsmal|mal))\s*:?\s*)+"
)


def _step_key(step: str) -> str:
    """A heading step reduced to its title, so "Enhetsmål: X" and "X" group together."""
    return _LEVEL_PREFIX.sub("", fold(clean_display(step)))


def _heading_steps(finding: Finding) -> list[str]:
    """The group heading of a finding: its path, plus the goal itself when it is about a goal."""
    steps = [step for step in finding.location.path if step and step.strip()]
    goal = _goal_heading(finding)
    # Some rules may end the path with the goal itself; do not say it twice.
    if goal is not None and not (steps and _step_key(steps[-1]) == _step_key(goal)):
        steps.append(goal)
    return steps


def group_findings(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by heading path, groups in the order they appear in the document."""
    groups: dict[tuple[str, ...], tuple[list[str], list[Finding]]] = {}
    for finding in findings:
        steps = _heading_steps(finding)
        key = tuple(_step_key(step) for step in steps)
        groups.setdefault(key, (steps, []))[1].append(finding)
    ordered = sorted(groups.values(), key=lambda item: _first_block(item[1]))
    return [(_heading_text(steps), sorted(items, key=_finding_order)) for steps, items in ordered]


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    source = finding.location.source
    return (source.block if source is not None else -1, -int(finding.severity), finding.rule)


def _heading_text(steps: list[str]) -> str:
    if not steps:
        return DOCUMENT_GROUP
    shown = [shorten(step, PARENT_LIMIT) for step in steps[:-1]] + [shorten(steps[-1], HEADING_LIMIT)]
    joined = " › ".join(shown)
    if len(joined) <= ONE_LINE_HEADING or len(shown) == 1:
        return joined
    # Too long for one line: the goal itself gets a line of its own rather
    # than being broken in the middle of its title.
    return " › ".join(shown[:-1]) + "\n› " + shown[-1]


def _first_block(findings: list[Finding]) -> int:
    blocks = [f.location.source.block for f in findings if f.location.source is not None]
    return min(blocks) if blocks else -1


def target_label(finding: Finding) -> str | None:
    """"Indikator: Andel …" for findings whose target is not a goal (goals head their group)."""
    if not finding.target or finding.target_type in GOAL_WORDS:
        return None
    word = TARGET_WORDS.get(finding.target_type, finding.target_type.replace("_", " ").capitalize())
    return f"{word}: {shorten(finding.target, HEADING_LIMIT)}"


def findings_table(findings: list[Finding]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, min_width=7)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for finding in findings:
        # An accepted finding stays in view, marked so, with the reason (checker.acceptance).
        level = Text("godtagen", style="dim green") if finding.accepted is not None else severity_text(finding.severity)
        table.add_row(level, Text(finding.rule, style="dim"), finding_body(finding))
    return table


def finding_body(finding: Finding) -> Text:
    body = Text(clean_display(finding.message, multiline=False))
    where: list[str] = []
    label = target_label(finding)
    if label and not _mentions(finding.message, finding.target or ""):
        where.append(label)
    if finding.location.source is not None:
        where.append(finding.location.source.describe())
    if where:
        body.append("\n")
        body.append(" · ".join(where), style="dim")
    if finding.quote and finding.quote.strip():
        body.append("\n")
        body.append(f"”{shorten(finding.quote, QUOTE_LIMIT)}”", style="italic")
    if finding.accepted is not None:
        body.append("\n")
        body.append(clean_display(finding.accepted.describe(), multiline=False), style="green")
    return body


SHORT_KINDS = {"verksamhetsplan": "VP", "verksamhetsberattelse": "VB", "tertialrapport": "T"}


def short_kind(kind: str | None, tertial: int | None) -> str:
    """"VP", "T1", "T2", "VB" – the abbreviations coordinators use; "okänd" when not recognised."""
    if kind is None:
        return "okänd"
    short = SHORT_KINDS.get(kind, kind)
    return f"{short}{tertial}" if kind == "tertialrapport" and tertial else short


def _common_folder(paths: list[Path]) -> Path | None:
    """The folder all files share, so the table can show short names."""
    try:
        common = Path(os.path.commonpath([str(p.parent) for p in paths]))
    except ValueError:  # mixed absolute and relative paths, or different drives
        return None
    return common if str(common) not in ("", ".") else None


def _mentions(message: str, target: str) -> bool:
    """True when the message already names the target (rules usually quote it), so the
    location line need not repeat it."""
    head = fold(clean_display(target))[:25].strip()
    return bool(head) and head in fold(clean_display(message))


# Where a path may break: after a folder separator, _, -, . or a space (as the overview's <wbr>).
_PATH_BREAKS = re.compile(r"(?<=[/\\_.\- ])")


def wrap_path(name: str, width: int) -> str:
    """`name` in lines of at most `width`, broken after / _ - . or a space, never mid-word.

    rich's fold would cut "verksamhetsberattelse" in two; only a single piece
    longer than the whole column is still folded (there is no better place).
    """
    if width < 1 or len(name) <= width:
        return name
    lines: list[str] = []
    line = ""
    for piece in (p for p in _PATH_BREAKS.split(name) if p):
        if line and len(line) + len(piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def render_summary_table(run: RunSummary, width: int = 100) -> Table:
    folder = _common_folder([item.path for item in run.files])
    title = "Sammanfattning"
    if folder is not None:
        title += f" (filer i {clean_display(str(folder))})"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    names = [str(item.path.relative_to(folder) if folder is not None else item.path) for item in run.files]
    # A fixed width keeps file names whole where there is room; the unit column
    # shares what is left with them (about 54 columns go to the other columns).
    room = max(16, int((width - SUMMARY_FIXED_WIDTH) * 0.65))
    file_width = min(max(len(n) for n in names), FILE_COLUMN_LIMIT, room)
    table.add_column("Fil", overflow="fold", width=file_width)
    table.add_column("Enhet", overflow="fold")
    table.add_column("Dokument", no_wrap=True)
    table.add_column("Fel", justify="right", no_wrap=True)
    table.add_column("Varningar", justify="right", no_wrap=True)
    table.add_column("Info", justify="right", no_wrap=True)
    table.add_column("Resultat", no_wrap=True)
    for item in run.files:
        readable = item.error is None
        shown = item.path.relative_to(folder) if folder is not None else item.path
        table.add_row(
            Text(wrap_path(visible_name(str(shown)), file_width)),
            Text(clean_display(item.unit) if item.unit else "–"),
            Text(_short_document(item) if readable else "–"),
            _count_cell(item.errors, Severity.ERROR, readable),
            _count_cell(item.warnings, Severity.WARNING, readable),
            _count_cell(item.infos, Severity.INFO, readable),
            verdict_text(item, short=True),
        )
    return table


def _short_document(item: FileSummary) -> str:
    """"VB 2025", "T1 2025", "VP", "ej plan/rapport"."""
    if item.other:
        return "ej plan/rapport"
    kind = short_kind(item.kind, item.tertial)
    return f"{kind} {item.year}" if item.year else kind


def _count_cell(count: int, severity: Severity, readable: bool) -> Text:
    if not readable:
        return Text("–")
    return Text(str(count), style=SEVERITY_STYLE[severity] if count else "dim")


def render_closing_line(run: RunSummary) -> Text:
    """"Granskade 3 filer: 1 godkänd, 1 underkänd, 1 kunde inte läsas. …"""
    parts = [plural(run.passed, "godkänd", "godkända"), plural(run.failed, "underkänd", "underkända")]
    if run.unreadable:
        parts.append(f"{run.unreadable} kunde inte läsas")
    line = Text(f"Granskade {plural(run.checked, 'fil', 'filer')}: " + ", ".join(parts) + ". ")
    if run.not_checked:
        line.append(f"{plural(run.not_checked, 'fil', 'filer')} i andra format granskades inte (se ovan). ",
                    style=NOT_CHECKED_STYLE)
    line.append(
        "Totalt "
        + count_words(run.total(Severity.ERROR), run.total(Severity.WARNING), run.total(Severity.INFO))
        + ". "
    )
    line.append(f"\nEtt dokument underkänns vid {fail_rule_words(run.fail_level)}.", style="dim")
    return line


# --- malkoll rules -----------------------------------------------------------


def scope_words(kinds: frozenset[str] | None) -> str:
    """"alla dokument" or "verksamhetsberättelse, tertialrapport" in a fixed order."""
    if not kinds:
        return "alla dokument"
    order = ["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"]
    known = [describe_kind(k).lower() for k in order if k in kinds]
    other = sorted(k for k in kinds if k not in order)
    return ", ".join(known + other)


def short_scope(kinds: frozenset[str] | None) -> str:
    """"VP", "T1, T2, VB", "alla" – compact enough for the rule table."""
    if not kinds:
        return "alla"
    words = {"verksamhetsplan": "VP", "tertialrapport": "T1, T2", "verksamhetsberattelse": "VB"}
    order = ["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"]
    known = [words[k] for k in order if k in kinds]
    return ", ".join(known + sorted(k for k in kinds if k not in words))


def display_path(path: Path) -> str:
    """A rule file's path relative to the current folder when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def render_profiles(rules: RuleSet) -> Group | None:
    """The profiles with their descriptions, under the rule table."""
    if not rules.profiles:
        return None
    descriptions = getattr(rules, "descriptions", {}) or {}
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for name in rules.profiles:
        grid.add_row(Text(clean_display(name)), Text(clean_display(descriptions.get(name) or "")))
    return Group(Text("Profiler (välj med --profile):", style="bold"), Padding(grid, (0, 0, 0, 2)))


def render_rule_table(rules: RuleSet) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Id", no_wrap=True, style="bold")
    table.add_column("Nivå", no_wrap=True)
    table.add_column("Gäller", overflow="fold")
    table.add_column("Profiler", overflow="fold")
    table.add_column("Meddelande", overflow="fold", ratio=1)
    for rule in rules.in_catalog_order():
        table.add_row(
            Text(rule.id),
            severity_text(rule.severity),
            Text(short_scope(rule.kinds)),
            Text(", ".join(sorted(rule.profiles)) if rule.profiles else "–"),
            Text(clean_display(rule.message)),
        )
    return table


def render_rule_explanation(rule: Rule) -> Group:
    heading = Text(rule.id, style="bold")
    heading.append(" · ")
    heading.append_text(severity_text(rule.severity))
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="dim", no_wrap=True)
    rows.add_column(overflow="fold", ratio=1)
    rows.add_row("Meddelande", Text(clean_display(rule.message)))
    rows.add_row("Gäller", Text(scope_words(rule.kinds)))
    rows.add_row("Profiler", Text(", ".join(sorted(rule.profiles)) if rule.profiles else "ingen profil"))
    rows.add_row("Källa", Text(f"{clean_display(display_path(rule.file))}:{rule.line}"))
    parts: list[object] = [heading, Text(), rows]
    if rule.help and rule.help.strip():
        parts += [Text(), Text("Varför regeln finns", style="bold"), Text(clean_display(rule.help, multiline=True))]
    parts += [
        Text(),
        Text("Regeltext", style="bold"),
        Padding(Text(clean_display(rule.source_text.rstrip(), multiline=True), style="cyan"), (0, 0, 0, 2)),
    ]
    return Group(*parts)
