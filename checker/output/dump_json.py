"""`malkoll dump --format json`: the stable public view of what Målkoll understood.

These pydantic models are deliberately separate from checker.model: the
report model may change as recognition improves, while this view is a public
interface (documented in docs/json-format.md, schema in
docs/schema/dump.schema.json, printed by `malkoll schema`).

Shape: a tree of nodes. Every node has "type" (`kf_inriktningsmal`,
`kf_mal`, `namndmal`, `enhetsmal`, `indikator`, `aktivitet`, `section`),
"title", "children" (in document order; empty for leaves) and "source"
(where it is in the document; for a PDF also its page and line). The root
is the document, with "kind", "year", "unit", "notes" and the complaints
table under "synpunkter".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from checker import model as m

DUMP_FORMAT_VERSION = 1


def _config(description: str, **extra: Any) -> ConfigDict:
    """Model settings with the Swedish description the published schema shows."""
    # Every key is always written, so the schema marks them all required.
    return ConfigDict(
        extra="forbid",
        json_schema_serialization_defaults_required=True,
        json_schema_extra={"description": description, **extra},
    )


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class DumpSource(_Node):
    model_config = _config('Var i dokumentet noden finns. Alla nummer räknas från 0 utom page och line (en PDF:s '
                           'sida och rad, från 1 som en människa räknar); description räknar från 1.')

    block: int = Field(description="Position i dokumentets brödtext (stycken och tabeller i ordning), från 0.")
    paragraph: int | None = Field(None, description="Styckets nummer bland brödtextens stycken, från 0.")
    table: int | None = Field(None, description="Tabellens nummer bland brödtextens tabeller, från 0.")
    row: int | None = Field(None, description="Rad i tabellen, från 0.")
    column: int | None = Field(None, description="Kolumn i tabellen, från 0.")
    page: int | None = Field(None, description="Sidan i en PDF, från 1; null i en .docx (som saknar sidor).")
    line: int | None = Field(None, description="Raden på sidan i en PDF, från 1 (sidhuvud och sidfot räknas inte); "
                                               "null i en .docx.")
    description: str = Field(description='Platsen i ord, räknat från 1: "stycke 12", "tabell 3, rad 2", '
                                          '"sida 7, rad 12".')


class DumpNumber(_Node):
    model_config = _config('Ett cellvärde tolkat som tal: "8,5 %" → 8.5 och "%"; "Max 10 personer" → 10, "personer", "max".')

    number: float
    unit: str | None = None
    bound: Literal["max", "min"] | None = None


class DumpItem(_Node):
    model_config = _config('En punkt under Förväntat resultat: numrerad, punktlista eller ett eget stycke.')

    number: int | None = Field(None, description="Numret när punkten är numrerad (\"1.\").")
    marker: Literal["number", "bullet", "paragraph"]
    text: str
    source: DumpSource


class DumpPart(_Node):
    model_config = _config('En delrubrik under ett mål som den står i dokumentet, t.ex. "Analys".')

    field: str | None = Field(description="Fältet delen hör till (\"analys\" …), null för okända rubriker.")
    label: str = Field(description="Rubriken som den står i dokumentet.")
    empty: bool = Field(description="Sant när rubriken finns men saknar text.")
    text: str | None = None
    source: DumpSource


class IndikatorNode(_Node):
    model_config = _config('En indikator (en rad i en indikatortabell).')

    type: Literal["indikator"] = "indikator"
    title: str
    name: str
    arsmal: str | None = Field(None, description="Årsmål som det står i cellen, null när cellen är tom.")
    kf_arsmal: str | None = None
    utfall: str | None = Field(None, description="Periodens utfall som det står i cellen, null när cellen är tom.")
    utfall_man: str | None = None
    utfall_kvinnor: str | None = None
    utfall_foregaende: str | None = Field(None, description="Utfall föregående år (\"Utfall VB 2024\").")
    arsmal_value: DumpNumber | None = None
    kf_arsmal_value: DumpNumber | None = None
    utfall_value: DumpNumber | None = None
    utfall_man_value: DumpNumber | None = None
    utfall_kvinnor_value: DumpNumber | None = None
    utfall_foregaende_value: DumpNumber | None = None
    period: str | None = Field(None, description="Period eller periodicitet.")
    analys: str | None = None
    analys_source: DumpSource | None = None
    children: list[Any] = Field(default_factory=list, max_length=0)
    source: DumpSource


class AktivitetNode(_Node):
    model_config = _config('En aktivitet (en rad i en aktivitetstabell).')

    type: Literal["aktivitet"] = "aktivitet"
    title: str
    start: dt.date | None = Field(None, description="Startdatum (ISO), null när det saknas eller inte är ett giltigt datum.")
    slut: dt.date | None = None
    start_text: str | None = Field(None, description="Startdatum som det står i cellen.")
    slut_text: str | None = None
    avvikelse: str | None = None
    analys: str | None = None
    analys_source: DumpSource | None = None
    children: list[Any] = Field(default_factory=list, max_length=0)
    source: DumpSource


Bedomning = Literal["helt", "delvis", "inte", "inga data"]


class EnhetsmalNode(_Node):
    model_config = _config('Ett enhetsmål – den del av dokumentet som enheten själv skriver.')

    type: Literal["enhetsmal"] = "enhetsmal"
    title: str
    prefixes: list[str] = Field(default_factory=list, description="Nivåer efter \"Enhetsmål:\", t.ex. [\"Områdesmål\"].")
    bedomning: Bedomning | None = None
    bedomning_source: DumpSource | None = None
    forvantat_resultat: list[str] = Field(default_factory=list, description="Punkternas texter.")
    forvantat_resultat_items: list[DumpItem] = Field(default_factory=list)
    arbetssatt: str | None = Field(None, description="Texten, null när delen saknas eller är tom.")
    resursanvandning: str | None = None
    uppfoljning: str | None = None
    utveckling: str | None = None
    analys: str | None = None
    kommentar: str | None = None
    parts: list[DumpPart] = Field(default_factory=list, description="Delrubrikerna som finns, i dokumentordning.")
    children: list[Annotated[Union[IndikatorNode, AktivitetNode], Field(discriminator="type")]] = Field(
        default_factory=list
    )
    source: DumpSource


class NamndmalNode(_Node):
    model_config = _config('Ett nämndmål.')

    type: Literal["namndmal"] = "namndmal"
    title: str
    bedomning: Bedomning | None = None
    beskrivning: str | None = None
    forvantat_resultat: list[str] = Field(default_factory=list)
    forvantat_resultat_items: list[DumpItem] = Field(default_factory=list)
    parts: list[DumpPart] = Field(default_factory=list)
    children: list[
        Annotated[Union[IndikatorNode, AktivitetNode, EnhetsmalNode], Field(discriminator="type")]
    ] = Field(default_factory=list)
    source: DumpSource


class KfMalNode(_Node):
    model_config = _config('KF:s mål för verksamhetsområdet, t.ex. 1.4.')

    type: Literal["kf_mal"] = "kf_mal"
    number: str | None = None
    title: str
    bedomning: Bedomning | None = None
    children: list[
        Annotated[Union[IndikatorNode, AktivitetNode, NamndmalNode, EnhetsmalNode], Field(discriminator="type")]
    ] = Field(default_factory=list)
    source: DumpSource


class KfInriktningsmalNode(_Node):
    model_config = _config('KF:s inriktningsmål, t.ex. 1.')

    type: Literal["kf_inriktningsmal"] = "kf_inriktningsmal"
    number: str | None = None
    title: str
    bedomning: Bedomning | None = None
    children: list[KfMalNode] = Field(default_factory=list)
    source: DumpSource


class SectionNode(_Node):
    model_config = _config('Ett avsnitt utanför målstrukturen, t.ex. Sammanfattande analys.')

    type: Literal["section"] = "section"
    title: str
    text: str | None = Field(None, description="Avsnittets egen text, null när den saknas.")
    empty: bool = Field(description="Sant när varken avsnittet eller dess underavsnitt har text eller tabeller.")
    tables: list[DumpSource] = Field(default_factory=list, description="Tabeller som står under rubriken.")
    children: list[SectionNode] = Field(default_factory=list)
    source: DumpSource


class SynpunktRowNode(_Node):
    model_config = _config('En rad i tabellen Redovisning av synpunkter och klagomål.')

    uppdelning: str | None = None
    kategori: str
    t1: str | None = None
    t2: str | None = None
    vb: str | None = None
    totalt: str | None = None
    t1_value: DumpNumber | None = None
    t2_value: DumpNumber | None = None
    vb_value: DumpNumber | None = None
    totalt_value: DumpNumber | None = None
    bedomning: str | None = None
    source: DumpSource


class EvidenceNode(BaseModel):
    model_config = _config("Ett belägg för ett härlett värde: var det sågs och vad det säger.")

    source: Literal[
        "rubrik", "sidhuvud", "textruta", "egenskaper", "filnamn", "mapp", "innehall", "installning", "kommandorad"
    ] = Field(description="Varifrån belägget kommer: rubrik (försättsbladet), sidhuvud, textruta, egenskaper "
                          "(dokumentegenskaperna), filnamn, mapp, innehall, installning (malkoll.toml) eller kommandorad.")
    text: str = Field(description="Belägget i ord, på svenska.")
    weight: float = Field(description="Hur mycket belägget väger, 0–1.")


class InferredNode(BaseModel):
    model_config = _config("Ett härlett värde (typ, år, tertial eller enhet) med belägg och säkerhet.")

    value: str | int | None = None
    confidence: float = Field(description="Säkerhet 0–1; 1 när malkoll.toml eller kommandoraden anger värdet.")
    evidence: list[EvidenceNode] = Field(default_factory=list, description="Det som stöder värdet, starkast först.")
    against: list[EvidenceNode] = Field(default_factory=list, description="Det som pekade på andra värden.")


class IdentityNode(BaseModel):
    model_config = _config("Vad dokumentet är och varför: varje värde med sina belägg.")

    kind: InferredNode
    year: InferredNode
    tertial: InferredNode
    unit: InferredNode
    assumed: bool = Field(description="Sant när typen bara antogs (svaga belägg).")
    other: str | None = Field(default=None, description="Vad dokumentet är i stället, när det inte är en plan eller rapport.")
    other_evidence: list[str] = Field(default_factory=list)
    title_kind: Literal["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"] | None = None
    body_kind: Literal["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"] | None = None
    title_year: int | None = None
    body_year: int | None = None


class DocumentDump(_Node):
    model_config = _config(
        "Det Målkoll har förstått av ett dokument (malkoll dump --format json).",
        **{"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )
    model_config["title"] = "Målkoll dump"

    format_version: Literal[1] = DUMP_FORMAT_VERSION
    type: Literal["dokument"] = "dokument"
    title: str = Field(description="Dokumentets rubrik, eller filnamnet när rubriken inte hittades.")
    path: str
    kind: Literal["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"] | None = None
    tertial: int | None = None
    year: int | None = None
    unit: str | None = None
    identity: IdentityNode | None = Field(default=None, description="Hur typ, år, tertial och enhet avgjordes.")
    notes: list[str] = Field(default_factory=list, description="Meddelanden från tolkningen, på svenska.")
    children: list[Annotated[Union[SectionNode, KfInriktningsmalNode], Field(discriminator="type")]] = Field(
        default_factory=list
    )
    synpunkter: list[SynpunktRowNode] = Field(default_factory=list)
    synpunkter_source: DumpSource | None = None


# --- conversion from the report model ------------------------------------------


def _source(source: m.Source | None) -> DumpSource | None:
    if source is None:
        return None
    return DumpSource(
        block=source.block,
        paragraph=source.paragraph,
        table=source.table,
        row=source.row,
        column=source.column,
        page=source.page,
        line=source.line,
        description=source.describe(),
    )


def _text(value: m.Value) -> str | None:
    return None if value.is_empty else value.text


def _number(value: m.Value) -> DumpNumber | None:
    if value.number is None:
        return None
    return DumpNumber(number=value.number, unit=value.unit, bound=value.bound)


def _part_text(part: m.Part | None) -> str | None:
    if part is None or part.is_empty:
        return None
    return part.text


def _part(field: str | None, part: m.Part) -> DumpPart:
    return DumpPart(
        field=field,
        label=part.label,
        empty=part.is_empty,
        text=None if part.is_empty else part.text,
        source=_source(part.source),
    )


def _items(items: list[m.ResultItem]) -> list[DumpItem]:
    return [DumpItem(number=i.number, marker=i.marker, text=i.text, source=_source(i.source)) for i in items]


def _in_order(nodes: list[Any]) -> list[Any]:
    """Children in document order, whatever list the model kept them in."""
    return sorted(nodes, key=lambda node: node.source.block)


def indikator_node(ind: m.Indikator) -> IndikatorNode:
    return IndikatorNode(
        title=ind.name,
        name=ind.name,
        arsmal=_text(ind.arsmal),
        kf_arsmal=_text(ind.kf_arsmal),
        utfall=_text(ind.utfall),
        utfall_man=_text(ind.utfall_man),
        utfall_kvinnor=_text(ind.utfall_kvinnor),
        utfall_foregaende=_text(ind.utfall_foregaende),
        arsmal_value=_number(ind.arsmal),
        kf_arsmal_value=_number(ind.kf_arsmal),
        utfall_value=_number(ind.utfall),
        utfall_man_value=_number(ind.utfall_man),
        utfall_kvinnor_value=_number(ind.utfall_kvinnor),
        utfall_foregaende_value=_number(ind.utfall_foregaende),
        period=ind.period,
        analys=ind.analys if ind.analys and ind.analys.strip() else None,
        analys_source=_source(ind.analys_source),
        source=_source(ind.source),
    )


def aktivitet_node(akt: m.Aktivitet) -> AktivitetNode:
    return AktivitetNode(
        title=akt.title,
        start=akt.start,
        slut=akt.slut,
        start_text=akt.start_text,
        slut_text=akt.slut_text,
        avvikelse=akt.avvikelse,
        analys=akt.analys if akt.analys and akt.analys.strip() else None,
        analys_source=_source(akt.analys_source),
        source=_source(akt.source),
    )


ENHETSMAL_PARTS = (
    "forvantat_resultat_part",
    "arbetssatt",
    "resursanvandning",
    "uppfoljning",
    "utveckling",
    "analys",
    "kommentar",
)


def enhetsmal_node(goal: m.Enhetsmal) -> EnhetsmalNode:
    parts = [
        _part(name.removesuffix("_part"), part)
        for name in ENHETSMAL_PARTS
        if (part := getattr(goal, name)) is not None
    ]
    parts += [_part(None, part) for part in goal.other_parts]
    children = [indikator_node(i) for i in goal.indikatorer] + [aktivitet_node(a) for a in goal.aktiviteter]
    return EnhetsmalNode(
        title=goal.title,
        prefixes=list(goal.prefixes),
        bedomning=goal.bedomning,
        bedomning_source=_source(goal.bedomning_source),
        forvantat_resultat=[item.text for item in goal.forvantat_resultat],
        forvantat_resultat_items=_items(goal.forvantat_resultat),
        arbetssatt=_part_text(goal.arbetssatt),
        resursanvandning=_part_text(goal.resursanvandning),
        uppfoljning=_part_text(goal.uppfoljning),
        utveckling=_part_text(goal.utveckling),
        analys=_part_text(goal.analys),
        kommentar=_part_text(goal.kommentar),
        parts=sorted(parts, key=lambda p: p.source.block),
        children=_in_order(children),
        source=_source(goal.source),
    )


def namndmal_node(goal: m.Namndmal) -> NamndmalNode:
    parts = ([_part("beskrivning", goal.beskrivning)] if goal.beskrivning else []) + [
        _part(None, part) for part in goal.other_parts
    ]
    children: list[Any] = [indikator_node(i) for i in goal.indikatorer]
    children += [aktivitet_node(a) for a in goal.aktiviteter]
    children += [enhetsmal_node(e) for e in goal.enhetsmal]
    return NamndmalNode(
        title=goal.title,
        bedomning=goal.bedomning,
        beskrivning=_part_text(goal.beskrivning),
        forvantat_resultat=[item.text for item in goal.forvantat_resultat],
        forvantat_resultat_items=_items(goal.forvantat_resultat),
        parts=sorted(parts, key=lambda p: p.source.block),
        children=_in_order(children),
        source=_source(goal.source),
    )


def kf_mal_node(goal: m.KfMal) -> KfMalNode:
    children: list[Any] = [indikator_node(i) for i in goal.indikatorer]
    children += [aktivitet_node(a) for a in goal.aktiviteter]
    children += [namndmal_node(n) for n in goal.namndmal]
    children += [enhetsmal_node(e) for e in goal.enhetsmal]
    return KfMalNode(
        number=goal.number,
        title=goal.title,
        bedomning=goal.bedomning,
        children=_in_order(children),
        source=_source(goal.source),
    )


def inriktningsmal_node(goal: m.KfInriktningsmal) -> KfInriktningsmalNode:
    return KfInriktningsmalNode(
        number=goal.number,
        title=goal.title,
        bedomning=goal.bedomning,
        children=_in_order([kf_mal_node(k) for k in goal.kf_mal]),
        source=_source(goal.source),
    )


def section_node(section: m.Section) -> SectionNode:
    return SectionNode(
        title=section.title,
        text=section.text or None,
        empty=section.is_empty,
        tables=[_source(t) for t in getattr(section, "tables", [])],
        children=[section_node(child) for child in section.children],
        source=_source(section.source),
    )


def synpunkt_node(row: m.SynpunktRow) -> SynpunktRowNode:
    return SynpunktRowNode(
        uppdelning=row.uppdelning,
        kategori=row.kategori,
        t1=_text(row.t1),
        t2=_text(row.t2),
        vb=_text(row.vb),
        totalt=_text(row.totalt),
        t1_value=_number(row.t1),
        t2_value=_number(row.t2),
        vb_value=_number(row.vb),
        totalt_value=_number(row.totalt),
        bedomning=row.bedomning,
        source=_source(row.source),
    )


def document_dump(report: m.Report) -> DocumentDump:
    from pathlib import PurePath

    children: list[Any] = [section_node(s) for s in report.sections]
    children += [inriktningsmal_node(g) for g in report.inriktningsmal]
    return DocumentDump(
        title=report.title or PurePath(report.path).name,
        path=report.path,
        kind=report.kind,
        tertial=report.tertial,
        year=report.year,
        unit=report.unit,
        identity=IdentityNode.model_validate(report.identity.model_dump()),
        notes=list(report.notes),
        children=_in_order(children),
        synpunkter=[synpunkt_node(r) for r in report.synpunkter],
        synpunkter_source=_source(report.synpunkter_source),
    )


def dump_dict(report: m.Report) -> dict[str, Any]:
    return document_dump(report).model_dump(mode="json")


def dump_json(report: m.Report) -> str:
    from checker.output import json_display_safe

    return json_display_safe(json.dumps(dump_dict(report), ensure_ascii=False, indent=2)) + "\n"


def dump_schema() -> dict[str, Any]:
    """The JSON Schema of the dump, generated from the models above."""
    return DocumentDump.model_json_schema(mode="serialization")


def dump_schema_json() -> str:
    return json.dumps(dump_schema(), ensure_ascii=False, indent=2) + "\n"
