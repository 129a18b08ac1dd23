"""The typed report model: what Målkoll understood of one document.

The model mirrors the city template's goal hierarchy

    Report
      ├─ sections (Sammanfattande analys, Uppföljning av ekonomi, …)
      ├─ inriktningsmal: KfInriktningsmal
      │    └─ kf_mal: KfMal
      │         ├─ indikatorer / aktiviteter (the council's own)
      │         ├─ namndmal: Namndmal
      │         │    ├─ indikatorer / aktiviteter (the board's)
      │         │    └─ enhetsmal: Enhetsmal  (what the unit writes)
      │         └─ enhetsmal (a unit goal written straight under a KF goal)
      └─ synpunkter: SynpunktRow (the complaints table of a report)

Every node carries a `Source` so that a finding can point back at the
paragraph or table cell it came from. Text is kept both normalised (`text`)
and as written (`original`) for display.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Kind = Literal["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"]
Bedomning = Literal["helt", "delvis", "inte", "inga data"]
Bound = Literal["max", "min"]
ItemMarker = Literal["number", "bullet", "paragraph"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """Where something came from in the document's body.

    `block` is the position in body order (paragraphs and tables interleaved);
    `paragraph` counts body paragraphs only, `table` counts body tables only;
    `row`/`column` locate a table cell (grid column, merged cells counted once).
    For a table pasted as tab-separated text, `paragraph` is set and `row`/
    `column` give the position inside the pasted table.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    block: int
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None
    # For a PDF: the page (1-based) and the line on it (1-based, page headers not counted).
    page: int | None = None
    line: int | None = None

    def describe(self) -> str:
        """A short Swedish description for people: "stycke 12", "tabell 3, rad 2, kolumn 1", "sida 7, rad 12"."""
        if self.page is not None:
            # A PDF reader counts pages and lines, not Word's paragraphs; the table number helps find a row.
            where = f"sida {self.page}, rad {self.line}" if self.line is not None else f"sida {self.page}"
            return f"{where} (tabell {self.table + 1})" if self.table is not None else where
        if self.table is not None:
            parts = [f"tabell {self.table + 1}"]
            if self.row is not None:
                parts.append(f"rad {self.row + 1}")
            if self.column is not None:
                parts.append(f"kolumn {self.column + 1}")
            return ", ".join(parts)
        if self.paragraph is not None:
            text = f"stycke {self.paragraph + 1}"
            if self.row is not None:
                text += f" (inklistrad tabell, rad {self.row + 1})"
            return text
        return f"block {self.block + 1}"


class Paragraph(_Model):
    """One paragraph of running text (or one line of a merged table cell).

    `text` is what a reader sees, including the label of an automatically
    numbered list ("1. Arbetsmiljö …"); `marker` is that automatic label
    ("1.", "•") or None when any number or bullet was typed as text.
    """

    text: str
    original: str
    marker: str | None = None
    source: Source


class Part(_Model):
    """A labelled part of a goal or section: "Förväntat resultat", "Analys" …

    `label` is the heading as written (possibly garbled: "Uppfbljning");
    `source` points at that heading.
    """

    label: str
    source: Source
    paragraphs: list[Paragraph] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs if p.text)

    @property
    def is_empty(self) -> bool:
        return not any(p.text.strip() for p in self.paragraphs)


class ResultItem(_Model):
    """One item of förväntat resultat: a numbered entry, a bullet or a paragraph."""

    number: int | None = None
    marker: ItemMarker
    text: str
    source: Source


class Value(_Model):
    """A table cell value, as written and, where it is a number, parsed.

    "8,5 %" → number 8.5, unit "%"; "Max 10 personer" → number 10, unit
    "personer", bound "max"; "Tas fram av nämnd/styrelse" → number None.
    `text` is None when the cell is empty.
    """

    text: str | None = None
    number: float | None = None
    unit: str | None = None
    bound: Bound | None = None

    @property
    def is_empty(self) -> bool:
        return self.text is None or not self.text.strip()

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


class Indikator(_Model):
    type: Literal["indikator"] = "indikator"
    name: str
    arsmal: Value = Field(default_factory=Value)
    kf_arsmal: Value = Field(default_factory=Value)
    utfall: Value = Field(default_factory=Value)
    utfall_man: Value = Field(default_factory=Value)
    utfall_kvinnor: Value = Field(default_factory=Value)
    utfall_foregaende: Value = Field(default_factory=Value)
    period: str | None = None
    analys: str | None = None
    analys_source: Source | None = None
    source: Source


class Aktivitet(_Model):
    type: Literal["aktivitet"] = "aktivitet"
    title: str
    start: dt.date | None = None
    slut: dt.date | None = None
    start_text: str | None = None
    slut_text: str | None = None
    avvikelse: str | None = None
    analys: str | None = None
    analys_source: Source | None = None
    source: Source


class Enhetsmal(_Model):
    """A unit goal, the part of the document the unit itself writes."""

    type: Literal["enhetsmal"] = "enhetsmal"
    title: str
    # Nested level names written after "Enhetsmål:", e.g. ["Områdesmål"].
    prefixes: list[str] = Field(default_factory=list)
    bedomning: Bedomning | None = None
    bedomning_source: Source | None = None
    forvantat_resultat: list[ResultItem] = Field(default_factory=list)
    forvantat_resultat_part: Part | None = None
    arbetssatt: Part | None = None
    resursanvandning: Part | None = None
    uppfoljning: Part | None = None
    utveckling: Part | None = None
    analys: Part | None = None
    kommentar: Part | None = None
    # Labelled parts the template does not name (kept so nothing is lost).
    other_parts: list[Part] = Field(default_factory=list)
    indikatorer: list[Indikator] = Field(default_factory=list)
    aktiviteter: list[Aktivitet] = Field(default_factory=list)
    source: Source


class Namndmal(_Model):
    type: Literal["namndmal"] = "namndmal"
    title: str
    bedomning: Bedomning | None = None
    beskrivning: Part | None = None
    forvantat_resultat: list[ResultItem] = Field(default_factory=list)
    other_parts: list[Part] = Field(default_factory=list)
    indikatorer: list[Indikator] = Field(default_factory=list)
    aktiviteter: list[Aktivitet] = Field(default_factory=list)
    enhetsmal: list[Enhetsmal] = Field(default_factory=list)
    source: Source


class KfMal(_Model):
    """KF:s mål för verksamhetsområdet, e.g. "1.4 Stockholm ska vara …"."""

    type: Literal["kf_mal"] = "kf_mal"
    number: str | None = None
    title: str
    bedomning: Bedomning | None = None
    indikatorer: list[Indikator] = Field(default_factory=list)
    aktiviteter: list[Aktivitet] = Field(default_factory=list)
    namndmal: list[Namndmal] = Field(default_factory=list)
    # Unit goals written directly under the KF goal, with no nämndmål between.
    enhetsmal: list[Enhetsmal] = Field(default_factory=list)
    source: Source


class KfInriktningsmal(_Model):
    type: Literal["kf_inriktningsmal"] = "kf_inriktningsmal"
    number: str | None = None
    title: str
    bedomning: Bedomning | None = None
    kf_mal: list[KfMal] = Field(default_factory=list)
    source: Source


class Section(_Model):
    """A top-level section outside the goal hierarchy (Sammanfattande analys …).

    Sub-headings inside it become nested sections, so an empty heading can be
    pointed at on its own.
    """

    type: Literal["section"] = "section"
    title: str
    paragraphs: list[Paragraph] = Field(default_factory=list)
    # Tables that stand under this heading (the complaints table, a budget table …).
    tables: list[Source] = Field(default_factory=list)
    children: list[Section] = Field(default_factory=list)
    source: Source

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs if p.text)

    @property
    def is_empty(self) -> bool:
        """True when neither the section nor any sub-section has body text or a table."""
        if self.tables or any(p.text.strip() for p in self.paragraphs):
            return False
        return all(child.is_empty for child in self.children)


class SynpunktRow(_Model):
    """One row of "Redovisning av synpunkter och klagomål"."""

    uppdelning: str | None = None
    kategori: str
    t1: Value = Field(default_factory=Value)
    t2: Value = Field(default_factory=Value)
    vb: Value = Field(default_factory=Value)
    totalt: Value = Field(default_factory=Value)
    bedomning: str | None = None
    source: Source


IdentitySource = Literal[
    "rubrik", "sidhuvud", "textruta", "egenskaper", "filnamn", "mapp", "innehall", "installning", "kommandorad"
]


class Evidence(_Model):
    """One thing the file shows about itself: where it was seen and what it says, in Swedish."""

    source: IdentitySource
    text: str
    weight: float


class Inferred(_Model):
    """A value Målkoll inferred about the document (type, year, tertial or unit), with why and how sure.

    `confidence` is 0–1: a title on the front page alone gives about 0.9; a
    single weak hint in the body about 0.3. `evidence` lists what supports the
    chosen value, the strongest first; `against` what pointed elsewhere.
    """

    value: str | int | None = None
    confidence: float = 0.0
    evidence: list[Evidence] = Field(default_factory=list)
    against: list[Evidence] = Field(default_factory=list)


class Identity(_Model):
    """What the document is, decided from all the evidence (checker.structure.identity).

    `assumed` is set when nothing decided the type for certain and the value
    is only the likeliest reading; `other` names what the document is instead
    when it is recognisably not a plan or report ("ett protokoll").
    `title_kind`/`body_kind` (and the years) are what the title and the body
    each say on their own, for the rule that they agree.
    """

    kind: Inferred = Field(default_factory=Inferred)
    year: Inferred = Field(default_factory=Inferred)
    tertial: Inferred = Field(default_factory=Inferred)
    unit: Inferred = Field(default_factory=Inferred)
    assumed: bool = False
    other: str | None = None
    other_evidence: list[str] = Field(default_factory=list)
    title_kind: Kind | None = None
    body_kind: Kind | None = None
    title_year: int | None = None
    body_year: int | None = None


class Report(_Model):
    """One document: a Verksamhetsplan, Tertialrapport or Verksamhetsberättelse."""

    type: Literal["dokument"] = "dokument"
    path: str
    kind: Kind | None = None
    # 1 or 2 for a tertialrapport when the document says which.
    tertial: int | None = None
    year: int | None = None
    unit: str | None = None
    title: str | None = None
    identity: Identity = Field(default_factory=Identity)
    sections: list[Section] = Field(default_factory=list)
    inriktningsmal: list[KfInriktningsmal] = Field(default_factory=list)
    synpunkter: list[SynpunktRow] = Field(default_factory=list)
    synpunkter_source: Source | None = None
    # Notes from recognition for people ("hittade inga mål …"), in Swedish.
    notes: list[str] = Field(default_factory=list)
    # The authors' Word comments accepting a finding (checker.acceptance.CommentAcceptance): set by the
    # reader, used right after the check; private, so neither the JSON dump nor its schema changes.
    _acceptances: list[Any] = PrivateAttr(default_factory=list)

    # Convenience walkers: rules and outputs iterate these rather than the tree.
    def all_kf_mal(self) -> list[KfMal]:
        return [kf for im in self.inriktningsmal for kf in im.kf_mal]

    def all_namndmal(self) -> list[Namndmal]:
        return [nm for kf in self.all_kf_mal() for nm in kf.namndmal]

    def all_enhetsmal(self) -> list[Enhetsmal]:
        goals: list[Enhetsmal] = []
        for kf in self.all_kf_mal():
            goals.extend(kf.enhetsmal)
            for nm in kf.namndmal:
                goals.extend(nm.enhetsmal)
        goals.sort(key=lambda goal: goal.source.block)  # document order
        return goals
