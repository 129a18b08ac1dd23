"""`malkoll dump --format tree`: what Målkoll understood, drawn for people.

Built from the same public dump view as the JSON, so the two never disagree:
the document at the root, goals with their bedömning in colour, which parts
each enhetsmål has (✓) or lacks (✗), indicators with årsmål and utfall,
activities with their dates, and the other sections. For a PDF each node
also says where it is printed ("sida 7, rad 12"), so what was read can be
checked against the pages; a .docx has no pages, and its tree is unchanged.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from checker.model import Report
from checker.output import clean_display, describe_document, plural, shorten
from checker.output.dump_json import (
    AktivitetNode,
    DocumentDump,
    DumpSource,
    EnhetsmalNode,
    IdentityNode,
    IndikatorNode,
    InferredNode,
    KfInriktningsmalNode,
    KfMalNode,
    NamndmalNode,
    SectionNode,
    document_dump,
)

TITLE_LIMIT = 100
VALUE_LIMIT = 40
PRESENT = "✓"
MISSING = "✗"

BEDOMNING_WORDS = {
    "helt": ("Uppfylls helt", "green"),
    "delvis": ("Uppfylls delvis", "yellow"),
    "inte": ("Uppfylls inte", "red"),
    "inga data": ("Inga data", "magenta"),
}
PART_WORDS = {
    "forvantat_resultat": "Förväntat resultat",
    "arbetssatt": "Arbetssätt",
    "resursanvandning": "Resursanvändning",
    "uppfoljning": "Uppföljning",
    "utveckling": "Utveckling",
    "analys": "Analys",
    "kommentar": "Kommentar",
}
# The parts the template asks for, by document kind; others are shown when present.
EXPECTED_PARTS = {
    "verksamhetsplan": ("forvantat_resultat", "arbetssatt", "uppfoljning"),
    "tertialrapport": ("forvantat_resultat", "analys"),
    "verksamhetsberattelse": ("forvantat_resultat", "analys"),
    None: ("forvantat_resultat", "arbetssatt", "uppfoljning", "analys"),
}


def render_tree(report: Report) -> Group:
    dump = document_dump(report)
    tree = Tree(_root_label(dump), guide_style="dim")
    is_report = dump.kind in ("tertialrapport", "verksamhetsberattelse")
    for child in dump.children:
        if isinstance(child, SectionNode):
            _add_section(tree, child)
        else:
            _add_inriktningsmal(tree, child, dump.kind, is_report)
    if dump.synpunkter:
        label = Text("Synpunkter och klagomål", style="bold")
        label.append(f"  {plural(len(dump.synpunkter), 'rad', 'rader')}", style="dim")
        tree.add(label)
    parts: list[object] = [tree]
    if dump.identity is not None:
        parts.append(_identity(dump.identity))
    for note in dump.notes:
        line = Text("Obs: ", style="bold yellow")
        line.append(clean_display(note))
        parts.append(line)
    if not dump.children and not dump.notes:
        parts.append(Text("Inga mål eller avsnitt hittades i dokumentet.", style="yellow"))
    return Group(*parts)


_FIELD_WORDS = (("kind", "typ"), ("year", "år"), ("tertial", "tertial"), ("unit", "enhet"))
_KIND_DISPLAY = {"verksamhetsplan": "verksamhetsplan", "tertialrapport": "tertialrapport",
                 "verksamhetsberattelse": "verksamhetsberättelse"}


def _identity(identity: IdentityNode) -> Text:
    """How type, year, tertial and unit were decided: "typ: verksamhetsplan – härledd av …, säkerhet 0,80"."""
    text = Text("Så avgjordes vad dokumentet är", style="bold")
    if identity.other:
        text.append(f"\n  inte en plan eller rapport: {identity.other} ({', '.join(identity.other_evidence)})", style="yellow")
    for name, word in _FIELD_WORDS:
        inferred: InferredNode = getattr(identity, name)
        if inferred.value is None and name == "tertial":
            continue
        text.append(f"\n  {word}: ")
        if inferred.value is None:
            text.append("okänt – inget i filen säger det", style="magenta")
            continue
        shown = _KIND_DISPLAY.get(str(inferred.value), str(inferred.value))
        text.append(clean_display(shown), style="bold")
        if name == "kind" and identity.assumed:
            text.append(" (antagen)", style="yellow")
        reasons = "; ".join(clean_display(e.text) for e in inferred.evidence[:3])
        text.append(f" – härledd av {reasons}", style="dim")
        text.append(f", säkerhet {inferred.confidence:.2f}".replace(".", ","), style="dim")
        if inferred.against:
            others = "; ".join(clean_display(e.text) for e in inferred.against[:2])
            text.append(f"\n      annat pekade på: {others}", style="dim")
    return text


def _title(text: str) -> str:
    return shorten(text, TITLE_LIMIT)


def _append_place(label: Text, source: DumpSource | None) -> None:
    """"  sida 7, rad 12" for a node read from a PDF; nothing for a .docx (its blocks have no page)."""
    if source is not None and source.page is not None:
        where = f"sida {source.page}" + (f", rad {source.line}" if source.line is not None else "")
        label.append(f"  {where}", style="dim")


def _root_label(dump: DocumentDump) -> Text:
    other = dump.identity.other if dump.identity is not None else None
    label = Text(describe_document(dump.kind, dump.tertial, dump.year, other), style="bold")
    if dump.unit:
        label.append(" · ")
        label.append(clean_display(dump.unit), style="bold")
    label.append("  ")
    label.append(clean_display(dump.path), style="dim")
    return label


def _status(bedomning: str | None, *, expected: bool) -> Text:
    """The bedömning in colour for an enhetsmål (`expected`); quietly for the levels above it,
    whose status the unit does not set and which is usually "Inga data"."""
    if bedomning is None:
        return Text("  ingen bedömning", style="magenta") if expected else Text()
    words, style = BEDOMNING_WORDS.get(bedomning, (bedomning, ""))
    return Text(f"  {words}", style=style if expected else "dim")


def _add_section(parent: Tree, section: SectionNode) -> None:
    label = Text("Avsnitt: ", style="dim")
    label.append(clean_display(_title(section.title)), style="bold")
    if section.empty:
        label.append("  tomt", style="yellow")
    else:
        details = []
        if section.text:
            lines = len([line for line in section.text.split("\n") if line.strip()])
            details.append(plural(lines, "stycke", "stycken"))
        if section.tables:
            details.append(plural(len(section.tables), "tabell", "tabeller"))
        if details:
            label.append("  " + ", ".join(details), style="dim")
    _append_place(label, section.source)
    branch = parent.add(label)
    for child in section.children:
        _add_section(branch, child)


def _add_inriktningsmal(parent: Tree, goal: KfInriktningsmalNode, kind: str | None, is_report: bool) -> None:
    label = Text("KF:s inriktningsmål ", style="dim")
    number = goal.number
    if number and number[-1].isdigit() and "." not in number:
        number += "."  # "1." as the template writes it
    label.append(clean_display(_numbered(number, goal.title)), style="bold")
    label.append_text(_status(goal.bedomning, expected=False))
    _append_place(label, goal.source)
    branch = parent.add(label)
    for child in goal.children:
        _add_kf_mal(branch, child, kind, is_report)


def _numbered(number: str | None, title: str) -> str:
    title = _title(title)
    if number and not title.startswith(number):
        return f"{number} {title}"
    return title


def _add_kf_mal(parent: Tree, goal: KfMalNode, kind: str | None, is_report: bool) -> None:
    label = Text("KF:s mål ", style="dim")
    label.append(clean_display(_numbered(goal.number, goal.title)), style="bold")
    label.append_text(_status(goal.bedomning, expected=False))
    _append_place(label, goal.source)
    branch = parent.add(label)
    for child in goal.children:
        _add_goal_child(branch, child, kind, is_report)


def _add_goal_child(parent: Tree, child: object, kind: str | None, is_report: bool) -> None:
    if isinstance(child, NamndmalNode):
        _add_namndmal(parent, child, kind, is_report)
    elif isinstance(child, EnhetsmalNode):
        _add_enhetsmal(parent, child, kind, is_report)
    elif isinstance(child, IndikatorNode):
        parent.add(_indikator_label(child, is_report))
    elif isinstance(child, AktivitetNode):
        parent.add(_aktivitet_label(child, is_report))


def _add_namndmal(parent: Tree, goal: NamndmalNode, kind: str | None, is_report: bool) -> None:
    label = Text("Nämndmål: ", style="dim")
    label.append(clean_display(_title(goal.title)), style="bold")
    label.append_text(_status(goal.bedomning, expected=False))
    if goal.forvantat_resultat:
        label.append(f"  förväntat resultat: {plural(len(goal.forvantat_resultat), 'punkt', 'punkter')}", style="dim")
    _append_place(label, goal.source)
    branch = parent.add(label)
    for child in goal.children:
        _add_goal_child(branch, child, kind, is_report)


def _add_enhetsmal(parent: Tree, goal: EnhetsmalNode, kind: str | None, is_report: bool) -> None:
    level = " › ".join(["Enhetsmål", *(clean_display(p) for p in goal.prefixes)])
    label = Text(f"{level}: ", style="dim")
    label.append(clean_display(_title(goal.title)), style="bold cyan")
    label.append_text(_status(goal.bedomning, expected=is_report))
    _append_place(label, goal.source)
    branch = parent.add(label)
    branch.add(_parts_line(goal, kind))
    for child in goal.children:
        _add_goal_child(branch, child, kind, is_report)


def _parts_line(goal: EnhetsmalNode, kind: str | None) -> Text:
    """"✓ Förväntat resultat (3 punkter)  ✓ Arbetssätt  ✗ Uppföljning (tom)"."""
    expected = EXPECTED_PARTS.get(kind, EXPECTED_PARTS[None])
    headings = {part.field: part for part in goal.parts if part.field}
    shown = list(expected) + [f for f in PART_WORDS if f not in expected and f in headings]
    line = Text()
    for name in shown:
        if line:
            line.append("   ")
        has_text = bool(goal.forvantat_resultat) if name == "forvantat_resultat" else getattr(goal, name) is not None
        line.append(f"{PRESENT if has_text else MISSING} ", style="green" if has_text else "red")
        line.append(PART_WORDS[name])
        if name == "forvantat_resultat" and goal.forvantat_resultat:
            line.append(f" ({plural(len(goal.forvantat_resultat), 'punkt', 'punkter')})", style="dim")
        elif not has_text and name in headings:
            line.append(" (rubrik utan text)", style="yellow")
    others = [p for p in goal.parts if p.field is None]
    if others:
        line.append("   övriga rubriker: ", style="dim")
        line.append(", ".join(clean_display(p.label) for p in others), style="dim")
    return line


def _value(text: str | None) -> str:
    return shorten(text, VALUE_LIMIT) if text else "–"


def _indikator_label(ind: IndikatorNode, is_report: bool) -> Text:
    label = Text("Indikator: ", style="dim")
    label.append(clean_display(_title(ind.name)))
    details = [f"årsmål {_value(ind.arsmal)}", f"KF:s årsmål {_value(ind.kf_arsmal)}"]
    if is_report:
        details.insert(0, f"utfall {_value(ind.utfall)}")
    elif ind.period:
        details.append(f"periodicitet {_value(ind.period)}")
    label.append("  " + " · ".join(details), style="dim")
    if is_report:
        _append_analys(label, ind.analys is not None)
    _append_place(label, ind.source)
    return label


def _aktivitet_label(akt: AktivitetNode, is_report: bool) -> Text:
    label = Text("Aktivitet: ", style="dim")
    label.append(clean_display(_title(akt.title)))
    start = akt.start.isoformat() if akt.start else _value(akt.start_text)
    slut = akt.slut.isoformat() if akt.slut else _value(akt.slut_text)
    label.append(f"  {start} – {slut}", style="dim")
    if akt.avvikelse:
        label.append(f" · avvikelse: {_value(akt.avvikelse)}", style="dim")
    if is_report:
        _append_analys(label, akt.analys is not None)
    _append_place(label, akt.source)
    return label


def _append_analys(label: Text, present: bool) -> None:
    label.append(" · analys ", style="dim")
    label.append(PRESENT if present else MISSING, style="green" if present else "red")


def print_tree(console: Console, report: Report) -> None:
    console.print(render_tree(report))
