"""The nouns of the rule language and how they map onto `checker.model`.

This is the only place that knows both the words a coordinator writes
("enhetsmål", "förväntat resultat", "kf:s årsmål") and the model's attribute
names. Everything else in the language works with `EntityDef` and
`FieldDef` objects from here.

The run-time side – a report as a tree of `Node`s, built once per report
by `ReportIndex`, and the `ThreadLinks` to the other documents of a thread –
is in checker.rules_lang.runtime.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from checker.model import (
    Aktivitet,
    Part,
    ResultItem,
    Section,
    Source,
    Value,
)
from checker.text import fold

if TYPE_CHECKING:
    from checker.rules_lang.runtime import Node

# --- types ------------------------------------------------------------------------


class Base(Enum):
    TEXT = "text"
    ENUM = "enum"
    NUMBER = "number"
    VALUE = "value"  # a table cell: text as written and, maybe, a number
    DATE = "date"  # a date cell: text as written and, maybe, a valid date
    PART = "part"  # running text in paragraphs, each with its source
    ENTITY = "entity"
    ENTITIES = "entities"
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class Type:
    base: Base
    # Entity kind for ENTITY/ENTITIES, enum name for ENUM.
    ref: str | None = None

    def describe(self) -> str:
        """The type in words for error messages."""
        if self.base is Base.ENTITY and self.ref:
            return f"ett {ENTITIES[self.ref].label}" if self.ref in ENTITIES else "en sak"
        if self.base is Base.ENTITIES and self.ref:
            return f"en lista av {ENTITIES[self.ref].label}" if self.ref in ENTITIES else "en lista"
        return _TYPE_WORDS[self.base]

    @property
    def is_text(self) -> bool:
        return self.base in TEXT_LIKE

    @property
    def is_number(self) -> bool:
        return self.base in (Base.NUMBER, Base.VALUE)


_TYPE_WORDS = {
    Base.TEXT: "en text",
    Base.ENUM: "ett ord ur en fast lista",
    Base.NUMBER: "ett tal",
    Base.VALUE: "ett tabellvärde",
    Base.DATE: "ett datum",
    Base.PART: "en textdel",
    Base.ENTITY: "en sak",
    Base.ENTITIES: "en lista",
    Base.BOOL: "ett ja/nej-värde",
}
TEXT_LIKE = frozenset({Base.TEXT, Base.PART, Base.VALUE, Base.DATE, Base.ENUM})

TEXT = Type(Base.TEXT)
NUMBER = Type(Base.NUMBER)
VALUE = Type(Base.VALUE)
DATE = Type(Base.DATE)
PART = Type(Base.PART)
BOOL = Type(Base.BOOL)


# --- run-time values -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    source: Source | None


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Running text as the language sees it: paragraphs with sources, and the label's source."""

    paragraphs: tuple[Para, ...]
    source: Source | None = None
    # Förväntat resultat also carries its items (numbers, bullets).
    items: tuple[ResultItem, ...] = ()
    # A section counts as having content when it holds a table, even without text.
    other_content: bool = False

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def present(self) -> bool:
        if self.other_content or self.items:
            return True
        for paragraph in self.paragraphs:  # a plain loop: asked for every part by many rules
            if paragraph.text.strip():
                return True
        return False


@dataclass(frozen=True, slots=True)
class DateCell:
    text: str | None
    date: dt.date | None


def text_block(part: Part | None) -> TextBlock | None:
    if part is None:
        return None
    paragraphs = tuple(Para(p.text, p.source) for p in part.paragraphs if p.text and p.text.strip())
    return TextBlock(paragraphs, part.source)


def loose_text_block(text: str | None, source: Source | None) -> TextBlock | None:
    """An analysis kept as one string (indicator and activity rows): one paragraph per line."""
    if not text or not text.strip():
        return None
    lines = tuple(Para(line.strip(), source) for line in text.split("\n") if line.strip())
    return TextBlock(lines, source)


def is_present(type_: Type, value: Any) -> bool:
    """Whether a field "is there": a labelled part with no text counts as missing."""
    if value is None:
        return False
    base = type_.base
    if base is Base.TEXT:
        return bool(value.strip())
    if base is Base.VALUE:
        return not value.is_empty
    if base is Base.DATE:
        return bool(value.text and value.text.strip())
    if base is Base.PART:
        return value.present
    if base is Base.ENTITIES:
        return len(value) > 0
    if base is Base.BOOL:
        return value is True
    return True


def presence_test(type_: Type) -> Callable[[Any], bool]:
    """is_present for values of one type, chosen once when a rule is compiled."""
    base = type_.base
    if base is Base.PART:
        return lambda value: value is not None and value.present
    if base is Base.VALUE:
        return lambda value: value is not None and not value.is_empty
    return lambda value: is_present(type_, value)


def as_text(value: Any) -> str:
    """The text of any text-like run-time value ("" when missing)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, TextBlock):
        return value.text
    if isinstance(value, Value):
        return value.text or ""
    if isinstance(value, DateCell):
        return value.text or ""
    from checker.rules_lang.runtime import Node  # it builds on this module; imported only this far down

    if isinstance(value, Node):
        return value.title or ""
    return str(value)


def as_paragraphs(value: Any, fallback: Source | None = None) -> tuple[Para, ...]:
    """The paragraphs of a text-like value, each with the source a finding should point at."""
    if value is None:
        return ()
    if isinstance(value, TextBlock):
        return value.paragraphs
    text = as_text(value)
    return (Para(text, fallback),) if text else ()


def as_number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Value):
        return value.number
    return None


# --- enums ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnumDef:
    name: str
    # canonical value → (display label, accepted spellings)
    values: dict[str, tuple[str, tuple[str, ...]]]

    def lookup(self, written: str) -> str | None:
        key = name_key(written)
        for code, (_label, spellings) in self.values.items():
            if key in {name_key(s) for s in spellings}:
                return code
        return None

    def display(self, code: str | None) -> str | None:
        if code is None:
            return None
        entry = self.values.get(code)
        return entry[0] if entry else code

    def spellings(self) -> list[str]:
        return [label for label, _ in self.values.values()]


ENUMS: dict[str, EnumDef] = {
    "bedomning": EnumDef(
        "bedömning",
        {
            "helt": ("uppfylls helt", ("uppfylls helt", "helt", "helt uppfyllt", "uppfyllt")),
            "delvis": ("uppfylls delvis", ("uppfylls delvis", "delvis", "delvis uppfyllt")),
            "inte": ("uppfylls inte", ("uppfylls inte", "inte", "ej", "uppfylls ej", "inte uppfyllt")),
            "inga data": ("inga data", ("inga data", "ingen data")),
        },
    ),
    "kind": EnumDef(
        "dokumenttyp",
        {
            "verksamhetsplan": ("verksamhetsplan", ("verksamhetsplan", "vp")),
            "tertialrapport": ("tertialrapport", ("tertialrapport", "tertial", "t")),
            "verksamhetsberattelse": ("verksamhetsberättelse", ("verksamhetsberättelse", "vb")),
        },
    ),
    "marker": EnumDef(
        "markering",
        {
            "number": ("nummer", ("nummer", "numrerad", "siffra")),
            "bullet": ("punkt", ("punkt", "punktlista", "bullet")),
            "paragraph": ("stycke", ("stycke", "paragraph")),
        },
    ),
    "bound": EnumDef(
        "gräns",
        {
            "max": ("max", ("max", "högst", "maxgräns", "maximum")),
            "min": ("min", ("min", "minst", "mingräns", "minimum")),
        },
    ),
}


def _number(value: int | None) -> float | None:
    return float(value) if value is not None else None


def enum_type(name: str) -> Type:
    return Type(Base.ENUM, name)


# --- document kinds a rule applies to ------------------------------------------------------

# Spelling → model Kind values; None means every document, also one of unknown kind.
SCOPES: dict[str, frozenset[str] | None] = {
    "verksamhetsplan": frozenset({"verksamhetsplan"}),
    "vp": frozenset({"verksamhetsplan"}),
    "tertialrapport": frozenset({"tertialrapport"}),
    "tertialrapporter": frozenset({"tertialrapport"}),
    "t": frozenset({"tertialrapport"}),
    "t1": frozenset({"tertialrapport"}),
    "t2": frozenset({"tertialrapport"}),
    "verksamhetsberättelse": frozenset({"verksamhetsberattelse"}),
    "vb": frozenset({"verksamhetsberattelse"}),
    "rapport": frozenset({"verksamhetsberattelse", "tertialrapport"}),
    "rapporter": frozenset({"verksamhetsberattelse", "tertialrapport"}),
    "report": frozenset({"verksamhetsberattelse", "tertialrapport"}),
    "alla": None,
    "all": None,
}
SCOPE_WORDS = ["verksamhetsplan", "tertialrapport", "verksamhetsberättelse", "rapport", "alla"]


def lookup_scope(word: str) -> tuple[bool, frozenset[str] | None]:
    """(known, kinds) for a word of a rule's "i …:" clause."""
    key = name_key(word)
    for spelling, kinds in SCOPES.items():
        if name_key(spelling) == key:
            return True, kinds
    return False, None


# --- names ---------------------------------------------------------------------------------

_KEY_PUNCT = re.compile(r"[\s_\-:/]+")


def name_key(text: str) -> str:
    """Comparison key for names: no case, no diacritics, "-", "_", ":" and spaces alike.

    "Förväntat resultat", "forvantat_resultat" and "förväntat-resultat" meet;
    so do "kf:s årsmål", "kfs arsmal" and "kf-årsmål" (see the aliases).
    """
    return _KEY_PUNCT.sub(" ", fold(text)).strip()


# --- entities and fields ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDef:
    id: str
    label: str  # how the field is named in messages: "förväntat resultat"
    type: Type
    get: Callable[[Node], Any]
    aliases: tuple[str, ...] = ()
    doc: str = ""

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True, slots=True)
class EntityDef:
    id: str  # also the Finding.target_type
    label: str
    aliases: tuple[str, ...]
    fields: dict[str, FieldDef]
    doc: str = ""
    # The field an entity's own text is read from ("ingen analys innehåller …").
    default_text: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def field(self, written: str) -> FieldDef | None:
        key = name_key(written)
        for definition in self.fields.values():
            if key in {name_key(n) for n in definition.names()}:
                return definition
        return None

    def field_names(self) -> list[str]:
        return [f.label for f in self.fields.values()]


def _cached(node: Node, key: str, make: Callable[[], Any]) -> Any:
    cache = node.cache
    if key in cache:
        return cache[key]
    value = cache[key] = make()
    return value


def _part_field(attr: str) -> Callable[[Node], Any]:
    return lambda node: _cached(node, attr, lambda: text_block(getattr(node.obj, attr)))


def _expected_results(node: Node) -> TextBlock | None:
    def make() -> TextBlock | None:
        goal = node.obj
        part = getattr(goal, "forvantat_resultat_part", None)
        items = tuple(goal.forvantat_resultat)
        if part is not None:
            block = text_block(part)
            assert block is not None
            return TextBlock(block.paragraphs, block.source, items)
        if items:
            return TextBlock(tuple(Para(i.text, i.source) for i in items), items[0].source, items)
        return None

    return _cached(node, "forvantat_resultat", make)


# Plain attributes are read with attrgetter: in C, without a Python call per node and rule.
_title: Callable[[Node], str | None] = attrgetter("obj.title")
_bedomning: Callable[[Node], str | None] = attrgetter("obj.bedomning")


def _children_of(kind: str) -> Callable[[Node], list[Node]]:
    return lambda node: [child for child in node.children if child.kind == kind]


def _fields(*definitions: FieldDef) -> dict[str, FieldDef]:
    return {d.id: d for d in definitions}


TITLE = FieldDef("titel", "titel", TEXT, _title, ("rubrik", "title", "namn"), "målets eller avsnittets rubrik")
BEDOMNING = FieldDef(
    "bedomning", "bedömning", enum_type("bedomning"), _bedomning, ("status", "måluppfyllelse"),
    "uppfylls helt, uppfylls delvis, uppfylls inte, inga data eller ingen alls",
)
NUMMER_TEXT = FieldDef("nummer", "nummer", TEXT, attrgetter("obj.number"), (), "målets nummer, t.ex. 1.4")


def _value_field(id_: str, label: str, attr: str, aliases: tuple[str, ...], doc: str) -> FieldDef:
    return FieldDef(id_, label, VALUE, attrgetter(f"obj.{attr}"), aliases, doc)


def _date_field(id_: str, label: str, attr: str, aliases: tuple[str, ...], doc: str) -> FieldDef:
    def get(node: Node) -> DateCell:
        activity: Aktivitet = node.obj
        date = getattr(activity, attr)
        text = getattr(activity, attr + "_text")
        if text is None and date is not None:
            text = date.isoformat()
        return DateCell(text, date)

    return FieldDef(id_, label, DATE, get, aliases, doc)


def _analysis_block(node: Node) -> TextBlock | None:
    return _cached(
        node, "analys", lambda: loose_text_block(node.obj.analys, node.obj.analys_source or node.obj.source)
    )


def _section_own(node: Node) -> TextBlock | None:
    section: Section = node.obj
    return _cached(
        node, "text", lambda: TextBlock(tuple(Para(p.text, p.source) for p in section.paragraphs if p.text.strip()), section.source)
    )


def _section_content(node: Node) -> TextBlock:
    """All text of a section and its sub-sections; tables count as content."""

    def make() -> TextBlock:
        paragraphs: list[Para] = []
        has_table = False
        stack = [node.obj]
        while stack:
            section: Section = stack.pop()
            has_table = has_table or bool(section.tables)
            paragraphs.extend(Para(p.text, p.source) for p in section.paragraphs if p.text.strip())
            stack.extend(reversed(section.children))
        return TextBlock(tuple(paragraphs), node.obj.source, other_content=has_table)

    return _cached(node, "innehall", make)


ENTITIES: dict[str, EntityDef] = {}


def _entity(definition: EntityDef) -> None:
    ENTITIES[definition.id] = definition


_entity(EntityDef(
    "dokument", "dokument", ("dokumentet", "document", "rapport"),
    _fields(
        FieldDef("typ", "typ", enum_type("kind"), attrgetter("obj.kind"), ("dokumenttyp", "kind", "sort"),
                 "verksamhetsplan, tertialrapport eller verksamhetsberättelse"),
        FieldDef("ar", "år", NUMBER, lambda n: float(n.obj.year) if n.obj.year is not None else None,
                 ("ar", "year", "verksamhetsår"), "året dokumentet gäller"),
        FieldDef("tertial", "tertial", NUMBER, lambda n: float(n.obj.tertial) if n.obj.tertial is not None else None,
                 (), "1 eller 2 för en tertialrapport"),
        FieldDef("enhet", "enhet", TEXT, attrgetter("obj.unit"), ("unit", "enhetens namn"), "enhetens namn"),
        FieldDef("titel", "titel", TEXT, attrgetter("obj.title"), ("rubrik",), "dokumentets rubrik"),
        FieldDef("fil", "fil", TEXT, attrgetter("obj.path"), ("sökväg", "filnamn"), "filens namn"),
        FieldDef("rubrikens_typ", "rubrikens typ", enum_type("kind"), attrgetter("obj.identity.title_kind"),
                 ("typ enligt rubriken",), "dokumenttypen som rubriken anger (försättsblad, sidhuvud eller textruta)"),
        FieldDef("innehallets_typ", "innehållets typ", enum_type("kind"), attrgetter("obj.identity.body_kind"),
                 ("typ enligt innehållet",), "dokumenttypen som innehållet visar (delar, bedömningar, tabeller)"),
        FieldDef("rubrikens_ar", "rubrikens år", NUMBER, lambda n: _number(n.obj.identity.title_year),
                 ("år enligt rubriken",), "året som rubriken anger"),
        FieldDef("innehallets_ar", "innehållets år", NUMBER, lambda n: _number(n.obj.identity.body_year),
                 ("år enligt innehållet",), "året som innehållet visar (t.ex. ”Budget 2025”, periodkolumner, datum)"),
        FieldDef("annan_sort", "annan sort", TEXT, attrgetter("obj.identity.other"), ("annat dokument",),
                 "vad dokumentet är i stället när det inte är en plan eller rapport, t.ex. ”ett protokoll”"),
    ),
    "hela dokumentet",
))
_entity(EntityDef(
    "kf_inriktningsmal", "inriktningsmål",
    ("kf-inriktningsmål", "kf:s inriktningsmål", "kfs inriktningsmål", "kf inriktningsmål"),
    _fields(TITLE, NUMMER_TEXT, BEDOMNING,
            FieldDef("kf_mal", "kf-mål", Type(Base.ENTITIES, "kf_mal"), _children_of("kf_mal"), ("kf mål",))),
    "KF:s inriktningsmål (1–3)",
))
_entity(EntityDef(
    "kf_mal", "kf-mål", ("kf mål", "kf:s mål", "kfs mål", "kf-mal", "kfmål", "kf:s mål för verksamhetsområdet"),
    _fields(TITLE, NUMMER_TEXT, BEDOMNING),
    "KF:s mål för verksamhetsområdet, t.ex. 1.4",
))
_entity(EntityDef(
    "namndmal", "nämndmål", ("namndmal",),
    _fields(
        TITLE, BEDOMNING,
        FieldDef("beskrivning", "beskrivning", PART, _part_field("beskrivning"), (), "nämndmålets beskrivning"),
        FieldDef("forvantat_resultat", "förväntat resultat", PART, _expected_results,
                 ("förväntade resultat", "forvantat resultat", "förväntat-resultat"), "nämndmålets förväntade resultat"),
    ),
    "nämndens mål",
))
_entity(EntityDef(
    "enhetsmal", "enhetsmål", ("enhetsmal", "mål för enheten"),
    _fields(
        TITLE,
        FieldDef("prefix", "prefix", TEXT, lambda n: ": ".join(n.obj.prefixes) or None, ("nivå",),
                 "t.ex. ”Områdesmål” i ”Enhetsmål: Områdesmål: …”"),
        BEDOMNING,
        FieldDef("forvantat_resultat", "förväntat resultat", PART, _expected_results,
                 ("förväntade resultat", "forvantat resultat", "förväntat-resultat"),
                 "delen Förväntat resultat (med dess punkter)"),
        FieldDef("arbetssatt", "arbetssätt", PART, _part_field("arbetssatt"), ("arbetssatt",), "delen Arbetssätt"),
        FieldDef("resursanvandning", "resursanvändning", PART, _part_field("resursanvandning"),
                 ("resursanvandning", "resurser"), "delen Resursanvändning"),
        FieldDef("uppfoljning", "uppföljning", PART, _part_field("uppfoljning"), ("uppfoljning",), "delen Uppföljning"),
        FieldDef("utveckling", "utveckling", PART, _part_field("utveckling"), (), "delen Utveckling"),
        FieldDef("analys", "analys", PART, _part_field("analys"), (), "delen Analys"),
        FieldDef("kommentar", "kommentar", PART, _part_field("kommentar"), (), "delen Kommentar"),
    ),
    "enhetens mål – det enheten själv skriver",
))
_entity(EntityDef(
    "resultat", "resultat", ("förväntat-resultat", "förväntat resultat", "resultatpunkt", "punkt"),
    _fields(
        FieldDef("nummer", "nummer", NUMBER, lambda n: float(n.obj.number) if n.obj.number is not None else None,
                 ("number",), "punktens nummer (1, 2 …) om den är numrerad"),
        FieldDef("text", "text", TEXT, attrgetter("obj.text"), ("lydelse",), "punktens text"),
        FieldDef("markering", "markering", enum_type("marker"), attrgetter("obj.marker"), ("typ",),
                 "nummer, punkt eller stycke"),
    ),
    "en punkt i förväntat resultat",
    default_text="text",
))
_entity(EntityDef(
    "indikator", "indikator", ("indikatorer",),
    _fields(
        FieldDef("namn", "namn", TEXT, attrgetter("obj.name"), ("titel", "indikatorns namn"), "indikatorns namn"),
        _value_field("arsmal", "årsmål", "arsmal", ("arsmal", "enhetens årsmål", "eget årsmål"), "enhetens årsmål"),
        _value_field("kf_arsmal", "kf:s årsmål", "kf_arsmal", ("kfs årsmål", "kf årsmål", "kf-årsmål", "kf arsmal"),
                     "KF:s årsmål"),
        _value_field("utfall", "utfall", "utfall", ("periodens utfall",), "periodens utfall"),
        _value_field("utfall_man", "utfall män", "utfall_man", ("utfall män/pojkar", "utfall man", "utfall pojkar"),
                     "utfall för män/pojkar"),
        _value_field("utfall_kvinnor", "utfall kvinnor", "utfall_kvinnor",
                     ("utfall kvinnor/flickor", "utfall flickor"), "utfall för kvinnor/flickor"),
        _value_field("utfall_foregaende", "utfall föregående år", "utfall_foregaende",
                     ("utfall föregående", "föregående utfall", "utfall vb föregående år", "utfall foregaende ar"),
                     "utfallet i förra årets verksamhetsberättelse"),
        FieldDef("period", "period", TEXT, attrgetter("obj.period"), ("periodicitet",), "period eller periodicitet"),
        FieldDef("analys", "analys", PART, _analysis_block, (), "analysen under indikatorn"),
    ),
    "en rad i en indikatortabell, på vilken nivå som helst",
))
_entity(EntityDef(
    "aktivitet", "aktivitet", ("aktiviteter",),
    _fields(
        FieldDef("titel", "titel", TEXT, attrgetter("obj.title"), ("namn", "rubrik"), "aktivitetens text"),
        _date_field("startdatum", "startdatum", "start", ("start",), "startdatum som det är skrivet"),
        _date_field("slutdatum", "slutdatum", "slut", ("slut",), "slutdatum som det är skrivet"),
        FieldDef("avvikelse", "avvikelse", TEXT, attrgetter("obj.avvikelse"), (), "kolumnen Avvikelse"),
        FieldDef("analys", "analys", PART, _analysis_block, (), "analysen under aktiviteten"),
    ),
    "en rad i en aktivitetstabell, på vilken nivå som helst",
))
_entity(EntityDef(
    "avsnitt", "avsnitt", ("avsnitten", "section"),
    _fields(
        FieldDef("titel", "titel", TEXT, attrgetter("obj.title"), ("rubrik", "namn"), "avsnittets rubrik"),
        FieldDef("text", "text", PART, _section_own, ("brödtext", "egen text"), "avsnittets egen text"),
        FieldDef("innehall", "innehåll", PART, _section_content, ("innehall",),
                 "avsnittets text, underavsnittens text och tabeller"),
        FieldDef("underavsnitt", "underavsnitt", Type(Base.ENTITIES, "avsnitt"), _children_of("avsnitt"),
                 ("underrubriker",), "avsnittets underavsnitt"),
        FieldDef("niva", "nivå", NUMBER, lambda n: float(n.depth), ("niva",), "1 för ett huvudavsnitt, 2 för ett underavsnitt …"),
    ),
    "ett avsnitt utanför målen (Sammanfattande analys, Uppföljning av ekonomi …) och dess underavsnitt",
    default_text="innehall",
))
_entity(EntityDef(
    "synpunkt", "synpunkt", ("synpunkter", "klagomål", "synpunktsrad", "rad"),
    _fields(
        FieldDef("uppdelning", "uppdelning", TEXT, attrgetter("obj.uppdelning"), (), "kolumnen Uppdelning"),
        FieldDef("kategori", "kategori", TEXT, attrgetter("obj.kategori"), ("namn",), "kolumnen Klagomål/synpunkter/kategorier"),
        _value_field("t1", "t1", "t1", ("utfall t1",), "Utfall T1"),
        _value_field("t2", "t2", "t2", ("utfall t2",), "Utfall T2"),
        _value_field("vb", "vb", "vb", ("utfall vb",), "Utfall VB"),
        _value_field("totalt", "totalt", "totalt", ("totalt ack", "summa", "total"), "Totalt ack"),
        FieldDef("bedomning", "bedömning", TEXT, attrgetter("obj.bedomning"),
                 ("bedömning och planerade åtgärder", "åtgärder"), "kolumnen Bedömning och planerade åtgärder"),
    ),
    "en rad i tabellen Redovisning av synpunkter och klagomål",
))
_entity(EntityDef(
    "analys", "analys", ("analyser", "analysen"),
    _fields(FieldDef("text", "text", PART, lambda n: n.obj, (), "analysens text")),
    "en analys: enhetsmålets del Analys och analysraden under en indikator eller aktivitet",
    default_text="text",
))

# What can be found under what: "varje resultat" inside "varje enhetsmål" is
# that goal's results; at the top it is every result in the document.
_GOAL_CONTENT = frozenset({"resultat", "indikator", "aktivitet", "analys"})
CONTAINS: dict[str, frozenset[str]] = {
    "dokument": frozenset(ENTITIES) - {"dokument"},
    "kf_inriktningsmal": frozenset({"kf_mal", "namndmal", "enhetsmal"}) | _GOAL_CONTENT,
    "kf_mal": frozenset({"namndmal", "enhetsmal"}) | _GOAL_CONTENT,
    "namndmal": frozenset({"enhetsmal"}) | _GOAL_CONTENT,
    "enhetsmal": _GOAL_CONTENT,
    "indikator": frozenset({"analys"}),
    "aktivitet": frozenset({"analys"}),
    "avsnitt": frozenset({"avsnitt"}),
    "resultat": frozenset(),
    "synpunkt": frozenset(),
    "analys": frozenset(),
}
GOAL_KINDS = frozenset({"kf_inriktningsmal", "kf_mal", "namndmal", "enhetsmal"})


# --- threads: a unit's plan and the reports that follow it --------------------------------
#
# A rule can look across the documents of a thread (VP → T1 → T2 → VB of one
# unit and year): "årsmål i planen" is the årsmål of the plan's counterpart of
# the current indicator, "varje enhetsmål i planen" selects the plan's goals.
# The words naming a document of the thread are document references; the
# thread itself (grouping and matching) lives in checker.threads, behind the
# small `ThreadLinks` interface (checker.rules_lang.runtime).

# Kinds of things that have a counterpart in the other documents of a thread.
MATCHABLE_KINDS = frozenset({"dokument", "kf_inriktningsmal", "kf_mal", "namndmal", "enhetsmal",
                             "resultat", "indikator", "aktivitet"})


@dataclass(frozen=True, slots=True)
class DocRef:
    """A word that names a document of the thread: "planen", "t2", "rapporten" …"""

    role: str  # "VP", "T1", "T2", "VB", "current" (the document being checked) or "previous"
    label: str
    aliases: tuple[str, ...]
    doc: str

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


DOC_REFS: tuple[DocRef, ...] = (
    DocRef("VP", "planen", ("plan", "verksamhetsplan", "verksamhetsplanen", "vp"),
           "trådens verksamhetsplan"),
    DocRef("T1", "t1", ("tertialrapport1", "tertial1", "första tertialrapporten"), "trådens tertialrapport 1"),
    DocRef("T2", "t2", ("tertialrapport2", "tertial2", "andra tertialrapporten"), "trådens tertialrapport 2"),
    DocRef("VB", "vb", ("verksamhetsberättelse", "verksamhetsberättelsen"), "trådens verksamhetsberättelse"),
    DocRef("current", "rapporten", ("dokumentet", "detta dokument", "det granskade dokumentet"),
           "dokumentet som granskas"),
    DocRef("previous", "föregående", ("föregående dokument", "föregående rapport", "förra rapporten"),
           "det närmast föregående dokumentet i tråden (VP före T1 före T2 före VB)"),
)


def lookup_docref(written: str) -> DocRef | None:
    key = name_key(written)
    for ref in DOC_REFS:
        if key in {name_key(n) for n in ref.names()}:
            return ref
    return None


def _add_counterpart_field() -> None:
    """"motsvarighet": the thing itself, so that "har motsvarighet i planen" asks whether the plan has one."""
    for kind in MATCHABLE_KINDS:
        entity = ENTITIES[kind]
        entity.fields["motsvarighet"] = FieldDef(
            "motsvarighet", "motsvarighet", Type(Base.ENTITY, kind), lambda node: node,
            ("motsvarigheten", "counterpart"),
            f"{entity.label} själv; ”motsvarighet i planen” är planens motsvarande {entity.label}",
        )


_add_counterpart_field()


def lookup_entity(written: str) -> EntityDef | None:
    key = name_key(written)
    for definition in ENTITIES.values():
        if key in {name_key(n) for n in definition.names()}:
            return definition
    return None


def entity_words() -> list[str]:
    return [d.label for d in ENTITIES.values()]


# --- sub-fields of values: "årsmål.gräns", "utfall.tal" ----------------------------------------


@dataclass(frozen=True, slots=True)
class SubField:
    id: str
    label: str
    aliases: tuple[str, ...]
    type: Type
    get: Callable[[Any], Any]
    doc: str

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


SUBFIELDS: dict[Base, tuple[SubField, ...]] = {
    Base.VALUE: (
        SubField("tal", "tal", ("number", "värde", "siffra"), NUMBER, lambda v: v.number, "talet i cellen"),
        SubField("text", "text", (), TEXT, lambda v: v.text, "cellen som den är skriven"),
        SubField("enhet", "enhet", ("unit",), TEXT, lambda v: v.unit, "enheten: %, st, personer …"),
        SubField("grans", "gräns", ("bound", "grans"), enum_type("bound"), lambda v: v.bound, "max eller min (”Max 10 personer”)"),
    ),
    Base.DATE: (
        SubField("text", "text", (), TEXT, lambda d: d.text, "datumet som det är skrivet"),
    ),
}


def lookup_subfield(base: Base, written: str) -> SubField | None:
    key = name_key(written)
    for sub in SUBFIELDS.get(base, ()):
        if key in {name_key(n) for n in sub.names()}:
            return sub
    return None


# --- properties: "är tom", "är ett tal", "är procent" ------------------------------------------

# "2." before its text, also run into it by a scan: "2.0kat antal …" is "2. Ökat antal …" (a digit
# straight after the dot that runs on into letters is a garbled letter, not a decimal).
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s?[.)](?!\d(?![a-zåäöA-ZÅÄÖ]))")


def paragraph_number(text: str) -> int | None:
    """The number a paragraph starts with ("1.", "2)", "3 ."), if any."""
    match = _NUMBERED.match(text)
    return int(match.group(1)) if match else None


def _numbered(value: Any) -> bool:
    if not isinstance(value, TextBlock):
        return False
    if value.items:
        return any(item.number is not None for item in value.items)
    return any(paragraph_number(p.text) is not None for p in value.paragraphs)


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    label: str
    aliases: tuple[str, ...]
    applies_to: frozenset[Base]
    test: Callable[[Type, Any], bool]
    doc: str

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


_ANY = frozenset(Base) - {Base.BOOL}
PROPERTIES: tuple[Property, ...] = (
    Property("tom", "tom", ("tomt", "tomma", "empty", "blank"), _ANY, lambda t, v: not is_present(t, v),
             "saknas eller saknar text"),
    Property("tal", "ett tal", ("tal", "a number", "number", "numerisk", "numeriskt"),
             frozenset({Base.VALUE, Base.NUMBER}), lambda t, v: as_number(v) is not None,
             "cellen innehåller ett tal"),
    Property("datum", "ett giltigt datum", ("ett datum", "giltigt datum", "datum", "a date", "a valid date", "valid date"),
             frozenset({Base.DATE}), lambda t, v: isinstance(v, DateCell) and v.date is not None,
             "datumet är ett riktigt datum"),
    Property("procent", "procent", ("i procent", "en procentsats", "procentsats", "percent", "a percentage"),
             frozenset({Base.VALUE}), lambda t, v: isinstance(v, Value) and v.is_percent,
             "värdet anges i procent"),
    Property("numrerad", "numrerad", ("numrerat", "numrerade", "numbered"), frozenset({Base.PART}),
             lambda t, v: _numbered(v), "minst ett stycke (eller en punkt) börjar med ett nummer, ”1.” eller ”1)”"),
)


def lookup_property(written: str) -> Property | None:
    key = name_key(written)
    for prop in PROPERTIES:
        if key in {name_key(n) for n in prop.names()}:
            return prop
    return None


# The per-report runtime lives in checker.rules_lang.runtime, which builds on
# this module; its names are still found here, looked up when first asked for.
_RUNTIME_NAMES = frozenset({"Node", "ReportIndex", "ThreadLinks", "root_of"})


def __getattr__(name: str) -> Any:
    if name in _RUNTIME_NAMES:
        from checker.rules_lang import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
