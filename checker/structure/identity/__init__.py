"""What a document is – type, year, tertial and unit – from every piece of evidence the file offers.

Real files often have no title page: the body was exported alone, the cover
is a separate file, or the title sits in a page header, a text box or the
document properties. So each place is asked in turn and each answer becomes a
weighted clue (checker.structure.identity.clues):

* the front page: the title, "… för <enhet>", the unit line under it, the
  unit above "Tjänsteutlåtande" or over its street address (front.py);
* running headers and footers, text boxes, the document properties (front.py);
* the body: its sections and labels, period words, year phrases, and the
  unit's name where the body uses it (body.py, body_unit.py);
* the file's and folder's names, weakest of all (names.py);
* what the coordinator stated in malkoll.toml or on the command line, which
  always wins.

A document without any goal that reads as a protocol, a letter or a bare
tjänsteutlåtande is recognised as such (other.py): it is not a plan or report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.config import ThreadOverride as Stated
from checker.reading.blocks import DocumentContent, ParagraphBlock
from checker.model import Identity, IdentitySource, Inferred, Kind, Report
from checker.structure.identity.body import read_body
from checker.structure.identity.body_unit import body_unit_clues
from checker.structure.identity.clues import ASSUMED_BELOW, WEIGHT_SETTING, Clue, decide
from checker.structure.identity.front import (
    Line,
    front_page_clues,
    property_clues,
    repeated_name_over_address,
    running_clues,
)
from checker.structure.identity.names import name_clues, name_words
from checker.structure.identity.other import recognise_other
from checker.structure.identity.title import Title, describe_kind
from checker.structure.identity.unit import cleaner_unit, least_damaged
from checker.text import same_unit, unit_key

__all__ = ["Declared", "Line", "Stated", "describe_kind", "identify", "identify_unit", "read_declared"]

_ROLE_KIND: dict[str, Kind] = {
    "VP": "verksamhetsplan", "T1": "tertialrapport", "T2": "tertialrapport", "VB": "verksamhetsberattelse",
}
_WEAK_SOURCES = frozenset({"filnamn", "mapp"})
_FIRM_YEAR = 0.6


@dataclass(frozen=True, slots=True)
class Declared:
    """Where the file names itself – the front page, running headers, text boxes, the properties – and
    what the coordinator states about it: read once, used for the unit before the body is read and
    for type and year after."""

    clues: tuple[Clue, ...]
    title: Title | None  # on the front page, else in a running header, else in a text box
    property_title: Title | None


def read_declared(content: DocumentContent, front: Sequence[Line], stated: Sequence[Stated] = ()) -> Declared:
    front_clues, front_title = front_page_clues(front)
    header_clues, header_title = running_clues(content.header_texts, "sidhuvud", "sidhuvud eller sidfot")
    box_clues, box_title = running_clues(content.textbox_texts, "textruta", "en textruta")
    property_found, property_title = property_clues(content.core_title, content.core_subject)
    clues = (*front_clues, *header_clues, *box_clues, *property_found, *_stated_clues(stated))
    return Declared(clues, front_title or header_title or box_title, property_title)


def identify_unit(content: DocumentContent, declared: Declared, running: Sequence[str] = ()) -> Inferred:
    """The unit, decided before the structure is read: reading analysis cells needs it ("Analys" / unit / text)."""
    # `running`: the recogniser's running headers and footers left in the text by a PDF or scan round trip
    # (lines that stand by page furniture wherever they occur, checker.structure.recognizer).
    in_text, _ = running_clues(running, "sidhuvud", "sidhuvud eller sidfot i texten")
    paragraphs = [b.text for b in content.blocks if isinstance(b, ParagraphBlock)]
    in_text.extend(repeated_name_over_address(paragraphs))
    clues = [c for c in (*declared.clues, *in_text) if c.field == "unit"]
    clues.extend(body_unit_clues(content.blocks))
    clues.extend(_corroborated_by_name(clues, name_words(content.path)))
    unit = _decide_unit(clues)
    if isinstance(unit.value, str) and not any(e.source in ("installning", "kommandorad") for e in unit.evidence):
        short = (b.text for b in content.blocks if isinstance(b, ParagraphBlock) and len(b.text) <= 80)
        unit.value = cleaner_unit(unit.value, [*short, *content.textbox_texts, *content.header_texts])
    return unit


def identify(
    content: DocumentContent, report: Report, declared: Declared, unit: Inferred, stated: Sequence[Stated] = ()
) -> Identity:
    """Decide the report's identity and write it into `report` (kind, year, tertial, unit, title, notes)."""
    body = read_body(report, content.blocks)
    from_body = body.clues
    clues = [*declared.clues, *from_body, *name_clues(content.path)]
    identity = _decide_all([c for c in clues if c.field != "unit"], unit)
    title = declared.title
    identity.title_kind = title.kind if title else None
    identity.title_year = title.year if title else None
    identity.body_kind = body.firm_kind  # type: ignore[assignment]
    identity.body_year = _firm_year(decide(c for c in from_body if c.field == "year"))
    if not _has_goals(report) and not any(s.role for s in stated):
        _recognise_other(identity, content)
    _apply(report, identity, title or declared.property_title)
    return identity


def _decide_all(clues: list[Clue], unit: Inferred) -> Identity:
    kind = decide(c for c in clues if c.field == "kind")
    tertial = decide(c for c in clues if c.field == "tertial") if kind.value == "tertialrapport" else Inferred()
    identity = Identity(
        kind=kind,
        year=decide(c for c in clues if c.field == "year"),
        tertial=tertial,
        unit=unit,
    )
    identity.assumed = kind.value is not None and (
        kind.confidence < ASSUMED_BELOW or all(e.source in _WEAK_SOURCES for e in kind.evidence)
    )
    return identity


def _decide_unit(clues: list[Clue]) -> Inferred:
    """Unit names written differently ("Hägersten- Älvsjö hemtjänst", "HAGERSTEN-ALVSJO HEMTJANST") count as one,
    by the same rule that puts documents in one unit's thread (checker.text.same_unit)."""
    groups: list[tuple[str, ...]] = []  # the words of the first spelling of each name seen

    def key(value: str | int) -> tuple[str, ...]:
        words = unit_key(str(value))
        group = next((seen for seen in groups if same_unit(seen, words)), None)
        if group is None:
            groups.append(words)
            group = words
        return group

    return decide(clues, key=key, spelling=lambda group: least_damaged([str(c.value) for c in group]))


def _corroborated_by_name(clues: Iterable[Clue], words: set[str]) -> list[Clue]:
    """A unit candidate whose name the file or folder name also carries ("aspudden_vb2025.docx")."""
    if not words:
        return []
    extra: list[Clue] = []
    seen: set[tuple[str, ...]] = set()
    for clue in clues:
        unit_words = unit_key(str(clue.value)) if clue.field == "unit" else ()
        if not unit_words or unit_words in seen:
            continue
        seen.add(unit_words)
        long_words = {w for w in unit_words if len(w) >= 4}
        if any(word.startswith(mine[:-1]) or mine.startswith(word) for word in words for mine in long_words):
            extra.append(Clue("unit", clue.value, "filnamn", "filens eller mappens namn nämner samma enhet", 0.2))
    return extra


def _stated_clues(stated: Sequence[Stated]) -> list[Clue]:
    clues: list[Clue] = []
    for said in stated:
        source: IdentitySource = "kommandorad" if said.source == "kommandorad" else "installning"
        if said.role is not None:
            clues.append(Clue("kind", _ROLE_KIND[said.role], source, f"{said.where}: typ = {said.role}", WEIGHT_SETTING))
            if said.role.startswith("T"):
                clues.append(Clue("tertial", int(said.role[1]), source, f"{said.where}: typ = {said.role}", WEIGHT_SETTING))
        if said.year is not None:
            clues.append(Clue("year", said.year, source, f"{said.where}: år = {said.year}", WEIGHT_SETTING))
        if said.unit is not None:
            clues.append(Clue("unit", said.unit, source, f"{said.where}: enhet = {said.unit}", WEIGHT_SETTING))
    return clues


def _firm_year(inferred: Inferred) -> int | None:
    """The body's year when it is clear enough to hold a title against it (rule DK04)."""
    return inferred.value if isinstance(inferred.value, int) and inferred.confidence >= _FIRM_YEAR else None


def _has_goals(report: Report) -> bool:
    return bool(report.inriktningsmal)


def _recognise_other(identity: Identity, content: DocumentContent) -> None:
    lines = [b.text for b in content.blocks if isinstance(b, ParagraphBlock)]
    other = recognise_other([*content.header_texts, *lines])
    if other is not None:
        identity.other = other.what
        identity.other_evidence = list(other.evidence)


def _apply(report: Report, identity: Identity, title: Title | None) -> None:
    report.identity = identity
    if identity.other is not None:
        report.kind = report.tertial = report.year = None
        report.unit = None
        report.title = title.text if title else None
        report.notes.append(
            f"Dokumentet är inte en verksamhetsplan eller rapport utan {identity.other} "
            f"({', '.join(identity.other_evidence)})."
        )
        return
    report.kind = identity.kind.value  # type: ignore[assignment]
    report.year = identity.year.value  # type: ignore[assignment]
    report.tertial = identity.tertial.value  # type: ignore[assignment]
    report.unit = identity.unit.value  # type: ignore[assignment]
    report.title = title.text if title else None
    report.notes.extend(_notes(identity))


def _notes(identity: Identity) -> list[str]:
    if identity.kind.value is None:
        return [
            "Dokumenttypen kunde inte avgöras: varken rubriken, sidhuvudet, dokumentegenskaperna, filnamnet "
            "eller innehållet säger om det är en verksamhetsplan, tertialrapport eller verksamhetsberättelse. "
            "Bara regler som gäller alla dokument har prövats. Ange typen med --typ (t.ex. --typ VB) eller "
            "under [trad] i malkoll.toml."
        ]
    if identity.assumed:
        name = describe_kind(str(identity.kind.value), identity.tertial.value if isinstance(identity.tertial.value, int) else None)
        why = "; ".join(e.text for e in identity.kind.evidence[:2])
        return [
            f"Dokumenttypen antogs vara {name} ({why}). Reglerna för den typen har prövats. "
            "Stämmer det inte, ange typen med --typ eller under [trad] i malkoll.toml."
        ]
    return []
