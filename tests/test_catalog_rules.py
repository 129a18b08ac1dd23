"""The built-in catalog, rule by rule: a fragment that passes and one that fails (the yamllint habit).

Reports are built directly from checker.model classes with the small `Doc`
builder below, starting from documents that pass every rule; each test then
breaks exactly one thing and asserts the exact findings of the whole catalog.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checker.engine import RuleSet, check_report, default_rules_dir, load_rules
from checker.findings import Finding, Severity
from checker.model import (
    Aktivitet,
    Enhetsmal,
    Indikator,
    KfInriktningsmal,
    KfMal,
    Namndmal,
    Paragraph,
    Part,
    Report,
    ResultItem,
    Section,
    Source,
    SynpunktRow,
)
from checker.values import parse_date, parse_value

# The built-in rules' ids, in catalog order, as the rule files define them (not kept by hand here);
# the catalog document (shared/catalog.md, where present) is what they are checked against below.
CATALOG_IDS = [rule.id for rule in load_rules([default_rules_dir()]).in_catalog_order()]
CATALOG_DOCUMENT = Path(__file__).resolve().parents[1].parent / "shared" / "catalog.md"
# Rules the project added to the catalog document's (issue 14, document identity), documented in the
# README and docs/regelsprak.md: id → (severity, kinds).
ADDED_TO_THE_CATALOG: dict[str, tuple[Severity, frozenset[str] | None]] = {
    "DK03": (Severity.ERROR, None),    # no goals: never GODKÄND
    "DK04": (Severity.WARNING, None),  # the title and the body disagree on type or year
    "DK05": (Severity.ERROR, None),    # not a plan or report (a protocol, a letter …)
}
# The catalog's "applies to" column → the model's document kinds (None: every document).
_APPLIES_TO: dict[str, frozenset[str] | None] = {
    "all": None,
    "vp": frozenset({"verksamhetsplan"}),
    "report": frozenset({"verksamhetsberattelse", "tertialrapport"}),
    "vb only": frozenset({"verksamhetsberattelse"}),
}
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s?[.)]\s*")


# --- a small builder for model fragments --------------------------------------------------


class Doc:
    """Hands out increasing block numbers so that everything has a distinct, ordered source."""

    def __init__(self) -> None:
        self.block = 0

    def src(self) -> Source:
        self.block += 1
        return Source(block=self.block, paragraph=self.block)

    def para(self, text: str) -> Paragraph:
        return Paragraph(text=text, original=text, source=self.src())

    def part(self, label: str, *texts: str) -> Part:
        source = self.src()
        return Part(label=label, source=source, paragraphs=[self.para(t) for t in texts])

    def items(self, part: Part | None) -> list[ResultItem]:
        if part is None:
            return []
        found: list[ResultItem] = []
        for paragraph in part.paragraphs:
            text = paragraph.text.strip()
            if not text:
                continue
            number = _NUMBERED.match(text)
            if number:
                found.append(ResultItem(number=int(number.group(1)), marker="number",
                                        text=text[number.end():], source=paragraph.source))
            elif text.startswith("- "):
                found.append(ResultItem(marker="bullet", text=text[2:], source=paragraph.source))
            else:
                found.append(ResultItem(marker="paragraph", text=text, source=paragraph.source))
        return found

    def goal(
        self,
        title: str,
        *,
        bedomning: str | None = None,
        fr: list[str] | None = None,
        arbetssatt: list[str] | None = None,
        uppfoljning: list[str] | None = None,
        analys: list[str] | None = None,
        indikatorer: list[Indikator] | None = None,
        aktiviteter: list[Aktivitet] | None = None,
    ) -> Enhetsmal:
        source = self.src()
        bedomning_source = self.src() if bedomning else None
        fr_part = self.part("Förväntat resultat", *fr) if fr is not None else None
        return Enhetsmal(
            title=title,
            bedomning=bedomning,  # type: ignore[arg-type]
            bedomning_source=bedomning_source,
            forvantat_resultat=self.items(fr_part),
            forvantat_resultat_part=fr_part,
            arbetssatt=self.part("Arbetssätt", *arbetssatt) if arbetssatt is not None else None,
            uppfoljning=self.part("Uppföljning", *uppfoljning) if uppfoljning is not None else None,
            analys=self.part("Analys", *analys) if analys is not None else None,
            indikatorer=indikatorer or [],
            aktiviteter=aktiviteter or [],
            source=source,
        )

    def indikator(self, name: str, *, utfall: str | None = None, arsmal: str | None = None, kf: str | None = None,
                  man: str | None = None, kvinnor: str | None = None, analys: str | None = None,
                  period: str | None = "2025") -> Indikator:
        source = self.src()
        return Indikator(
            name=name, utfall=parse_value(utfall), arsmal=parse_value(arsmal), kf_arsmal=parse_value(kf),
            utfall_man=parse_value(man), utfall_kvinnor=parse_value(kvinnor), period=period,
            analys=analys, analys_source=self.src() if analys else None, source=source,
        )

    def aktivitet(self, title: str, *, start: str | None = "2025-01-01", slut: str | None = "2025-12-31",
                  analys: str | None = "Aktiviteten har genomförts enligt plan under året.") -> Aktivitet:
        source = self.src()
        return Aktivitet(
            title=title, start=parse_date(start), slut=parse_date(slut), start_text=start, slut_text=slut,
            analys=analys, analys_source=self.src() if analys else None, source=source,
        )

    def section(self, title: str, *texts: str, children: list[Section] | None = None) -> Section:
        source = self.src()
        return Section(title=title, paragraphs=[self.para(t) for t in texts], children=children or [], source=source)

    def synpunkt(self, kategori: str, t1: str | None = None, t2: str | None = None, vb: str | None = None,
                 totalt: str | None = None) -> SynpunktRow:
        return SynpunktRow(kategori=kategori, t1=parse_value(t1), t2=parse_value(t2), vb=parse_value(vb),
                           totalt=parse_value(totalt), source=self.src())

    def report(
        self,
        kind: str | None,
        goals: list[Enhetsmal],
        *,
        year: int | None = 2025,
        kf_indikatorer: list[Indikator] | None = None,
        nm_aktiviteter: list[Aktivitet] | None = None,
        sections: list[Section] | None = None,
        synpunkter: list[SynpunktRow] | None = None,
    ) -> Report:
        namndmal = Namndmal(title="Äldre har ett tryggt liv", enhetsmal=goals, aktiviteter=nm_aktiviteter or [],
                            source=Source(block=0, paragraph=0))
        kf = KfMal(number="1.4", title="Stockholm ska vara en bra stad att åldras i",
                   indikatorer=kf_indikatorer or [], namndmal=[namndmal], source=Source(block=0, paragraph=0))
        im = KfInriktningsmal(number="1", title="Ett Stockholm som håller samman", kf_mal=[kf],
                              source=Source(block=0, paragraph=0))
        return Report(path="test.docx", kind=kind, year=year, unit="Testenheten",  # type: ignore[arg-type]
                      sections=sections or [], inriktningsmal=[im], synpunkter=synpunkter or [])


STANDARD = (
    "Enheten bedömer att enhetsmålet uppfylls. Bedömningen grundar sig på de förväntade "
    "resultaten och målen i indikatorerna. Därtill att aktiviteten har genomförts."
)
OWN_TEXT_1 = (
    "Kontaktmannaskapet har införts i alla arbetsgrupper och varje kund har nu en namngiven kontaktman "
    "som följer upp genomförandeplanen tillsammans med kunden två gånger per år."
)
OWN_TEXT_2 = (
    "Måltidsombuden har genomgått dietistens utbildning och informerat kollegorna på arbetsplatsträffarna, "
    "vilket har gett färre avvikelser kring nutrition under hösten."
)


def clean_vb(doc: Doc, **changes: Any) -> Report:
    """A year-end report that passes every catalog rule."""
    goal1 = doc.goal(
        "Enheten arbetar för att kunden ska vara delaktig",
        bedomning="helt",
        fr=["1. Ökad kontinuitet för kunderna.", "2. Ökad kompetens i nutrition."],
        analys=[STANDARD, "1. " + OWN_TEXT_1, "2. " + OWN_TEXT_2],
        indikatorer=[doc.indikator("Andel nöjda kunder", utfall="88 %", arsmal="85 %", kf="87 %",
                                   analys="Resultatet har förbättrats tack vare kontaktmannaskapet.")],
        aktiviteter=[doc.aktivitet("Enheten inför kontaktmannaskap")],
    )
    goal2 = doc.goal(
        "Enheten har en god arbetsmiljö",
        bedomning="delvis",
        fr=["- Lägre sjukfrånvaro.", "- Fler tillsvidareanställda."],
        analys=["Sjukfrånvaron har minskat under hösten men ligger fortfarande över enhetens mål, "
                "eftersom flera långa sjukskrivningar har pågått under våren."],
    )
    fields: dict[str, Any] = dict(
        kind="verksamhetsberattelse",
        goals=[goal1, goal2],
        kf_indikatorer=[
            doc.indikator("Sjukfrånvaro", utfall="8,2 %", arsmal="8,5 %", man="6 %", kvinnor="9 %",
                          analys="Sjukfrånvaron följs upp varje månad."),
            doc.indikator("Sjukfrånvaro dag 1-14", utfall="2 %", arsmal="2,5 %", man="1,5 %", kvinnor="2,2 %",
                          analys="Korttidsfrånvaron har minskat."),
        ],
        sections=[doc.section("Sammanfattande analys", "Året har präglats av förbättringsarbete.")],
        synpunkter=[doc.synpunkt("Beröm", t2="2", vb="2", totalt="4"), doc.synpunkt("Bemötande"),
                    doc.synpunkt("Utförande av insats", t2="3", totalt="3 st")],
    )
    fields.update(changes)
    kind = fields.pop("kind")
    goals = fields.pop("goals")
    return doc.report(kind, goals, **fields)


def clean_vp(doc: Doc, **changes: Any) -> Report:
    """A plan that passes every catalog rule."""
    goal = doc.goal(
        "Enheten arbetar för att kunden ska vara delaktig",
        fr=["Enheten har en ökad personalkontinuitet.", "Kunderna känner sig trygga hemma med hemtjänsten."],
        arbetssatt=["Enheten har en ökad personalkontinuitet.", "Varje kund har en kontaktman.",
                    "Kunderna känner sig trygga hemma med hemtjänsten.", "Vi lämnar information vid första besöket."],
        uppfoljning=["Enheten har en ökad personalkontinuitet.", "Följs upp med indikatorn månadsvis.",
                     "Kunderna känner sig trygga hemma med hemtjänsten", "Följs upp i brukarundersökningen."],
        indikatorer=[doc.indikator("Andel nöjda kunder", arsmal="85 %", kf="87 %")],
        aktiviteter=[doc.aktivitet("Enheten inför kontaktmannaskap", analys=None)],
    )
    fields: dict[str, Any] = dict(kind="verksamhetsplan", goals=[goal], year=2024)
    fields.update(changes)
    kind = fields.pop("kind")
    goals = fields.pop("goals")
    return doc.report(kind, goals, **fields)


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> RuleSet:
    return load_rules([default_rules_dir()])


def counts(findings: list[Finding]) -> Counter[str]:
    return Counter(f.rule for f in findings)


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


# --- the catalog as a whole ------------------------------------------------------------------


def documented_rules() -> dict[str, tuple[Severity, frozenset[str] | None]]:
    """id → (severity, kinds) from the catalog document's table; the project runs without it."""
    if not CATALOG_DOCUMENT.is_file():
        pytest.skip(f"the catalog document is not here ({CATALOG_DOCUMENT})")
    rows = re.findall(r"^\| ([A-Z]{2}\d{2}) \| ([^|]+?) \| (\w+) \|", CATALOG_DOCUMENT.read_text(encoding="utf-8"), re.M)
    documented = {rule_id: (Severity.parse(severity), _APPLIES_TO[applies.strip().lower()])
                  for rule_id, applies, severity in rows}
    return {**documented, **ADDED_TO_THE_CATALOG}


def test_catalog_has_exactly_the_documented_rules(catalog: RuleSet) -> None:
    """The catalog document's rules, and the thread rules (TR) the project added for threads."""
    documented = documented_rules()
    assert documented, "the catalog document's table was not found"
    assert sorted(r.id for r in catalog.rules if not r.thread) == sorted(documented)
    assert all(r.id.startswith("TR") for r in catalog.rules if r.thread)


@pytest.mark.parametrize("rule_id", [i for i in CATALOG_IDS if not i.startswith("TR")])
def test_ids_severities_and_scopes(catalog: RuleSet, rule_id: str) -> None:
    rule = catalog.get(rule_id)
    assert rule is not None
    severity, kinds = documented_rules()[rule_id]
    assert rule.severity == severity
    assert rule.kinds == kinds
    assert rule.help.strip(), f"{rule_id} needs a help text"
    assert "inlamning" in rule.profiles


@pytest.mark.parametrize("rule_id", [i for i in CATALOG_IDS if i.startswith("TR")])
def test_thread_rules_are_report_rules_with_help(catalog: RuleSet, rule_id: str) -> None:
    rule = catalog.get(rule_id)
    assert rule is not None and rule.thread
    assert rule.help.strip(), f"{rule_id} needs a help text"
    assert "inlamning" in rule.profiles


def test_clean_documents_pass_every_rule(catalog: RuleSet) -> None:
    assert check_report(clean_vb(Doc()), catalog) == []
    assert check_report(clean_vp(Doc()), catalog) == []
    tertial = clean_vb(Doc(), kind="tertialrapport")
    assert check_report(tertial, catalog) == []


def test_findings_are_in_document_order(catalog: RuleSet) -> None:
    doc = Doc()
    late = doc.goal("Sent mål", bedomning=None, fr=["Något."], analys=["Text om målet som är lång nog."])
    report = clean_vb(doc, goals=[*clean_vb(doc).inriktningsmal[0].kf_mal[0].namndmal[0].enhetsmal, late])
    blocks = [f.location.source.block for f in check_report(report, catalog) if f.location.source]
    assert blocks == sorted(blocks)


# --- DK: the document ----------------------------------------------------------------------------


def test_dk01_unknown_kind_or_year(catalog: RuleSet) -> None:
    findings = check_report(clean_vb(Doc(), kind=None, year=None), catalog)
    # An unknown kind runs only the rules for "alla".
    assert counts(findings) == Counter({"DK01": 1})
    assert findings[0].message == "Dokumentets typ och år kunde inte avgöras"
    assert findings[0].target is None and findings[0].target_type == "dokument"
    only_year = check_report(clean_vb(Doc(), year=None), catalog)
    assert counts(only_year) == Counter({"DK01": 1})
    assert only_year[0].message == "Dokumentets år kunde inte avgöras"


def test_dk02_empty_section_is_info(catalog: RuleSet) -> None:
    doc = Doc()
    sections = [
        doc.section("Uppföljning av ekonomi", children=[
            doc.section("Analys av resultaträkning", "Budgeten är i balans."),
            doc.section("Investeringar"),
            doc.section("Övrigt"),
        ]),
        doc.section("Agenda 2030", children=[doc.section("Mål 2", "Text.")]),
        doc.section("Medarbetarnas delaktighet"),
    ]
    findings = check_report(clean_vb(doc, sections=sections), catalog)
    assert counts(findings) == Counter({"DK02": 3})
    assert [f.target for f in findings] == ["Investeringar", "Övrigt", "Medarbetarnas delaktighet"]
    assert all(f.severity == Severity.INFO for f in findings)
    assert findings[0].location.path == ("Uppföljning av ekonomi",)


def test_dk02_section_with_only_a_table_is_not_empty(catalog: RuleSet) -> None:
    doc = Doc()
    table_section = Section(title="Redovisning av synpunkter", tables=[Source(block=99, table=3)], source=doc.src())
    assert check_report(clean_vb(doc, sections=[table_section]), catalog) == []


# --- VP: the plan ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "missing"), [("VP01", "fr"), ("VP02", "arbetssatt"), ("VP03", "uppfoljning")])
def test_vp01_to_vp03_missing_parts(catalog: RuleSet, rule_id: str, missing: str) -> None:
    doc = Doc()
    parts: dict[str, Any] = dict(fr=["Ett resultat."], arbetssatt=["Ett resultat."], uppfoljning=["Ett resultat."])
    parts[missing] = None
    goal = doc.goal("Enheten har en god arbetsmiljö", **parts)
    findings = check_report(clean_vp(doc, goals=[goal]), catalog)
    assert counts(findings) == Counter({rule_id: 1})
    assert findings[0].target == "Enheten har en god arbetsmiljö"
    assert findings[0].location.source == goal.source  # the goal heading
    assert findings[0].location.path == ("KF:s mål 1.4 Stockholm ska vara en bra stad att åldras i",
                                         "Nämndmål: Äldre har ett tryggt liv")


def test_vp02_label_present_but_empty_counts_as_missing(catalog: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal("Mål", fr=["Ett resultat."], arbetssatt=["", "  "], uppfoljning=["Ett resultat."])
    assert counts(check_report(clean_vp(doc, goals=[goal]), catalog)) == Counter({"VP02": 1})


def test_vp04_items_followed_up_by_text_or_number(catalog: RuleSet) -> None:
    doc = Doc()
    by_number = doc.goal(
        "Numrerat mål",
        fr=["1. Ökad arbetsmiljömedvetenhet.", "2. Ökad frisknärvaro.", "3. Fler tillsvidareanställda."],
        arbetssatt=["1. Skyddsronder.", "2. Omtankessamtal.", "3) Rekrytering."],
        uppfoljning=["1. Skyddsrond.", "3. Följs upp månadsvis."],
    )
    findings = check_report(clean_vp(doc, goals=[by_number]), catalog)
    assert counts(findings) == Counter({"VP04": 1})
    assert findings[0].message == "Det förväntade resultatet ”Ökad frisknärvaro.” tas inte upp under uppföljning"
    assert findings[0].target_type == "resultat"
    assert findings[0].location.path[-1] == "Enhetsmål: Numrerat mål"


def test_vp04_one_finding_per_item_and_part(catalog: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal(
        "Enheten är energieffektiv",
        fr=["Medarbetarna har utökade kunskaper i att tänka miljösmart.", "Behovet av bilar minskar."],
        arbetssatt=["Medarbetarna källsorterar hos kunderna.", "Vi använder elcyklar."],
        uppfoljning=["Cyklarna ses över kontinuerligt."],
    )
    findings = check_report(clean_vp(doc, goals=[goal]), catalog)
    assert counts(findings) == Counter({"VP04": 4})
    assert {f.message.rsplit(" ", 1)[-1] for f in findings} == {"arbetssätt", "uppföljning"}


def test_vp04_restatement_is_tolerant(catalog: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal(
        "Mål",
        fr=["Införandet av lokal samverkansgrupp under året.", "Ledarskapet präglas av tillit och mod."],
        arbetssatt=["Införandet av lokal samverkansgrupp.", "Skyddsombud startar gruppen.",
                    "Ledarskapet präglas av tillit och mod. Vi har reflektionsmöten."],
        uppfoljning=["INFORANDET AV LOKAL SAMVERKANSGRUPP UNDER ARET", "Ledarskapet praglas av tillit och mod"],
    )
    assert check_report(clean_vp(doc, goals=[goal]), catalog) == []


def test_vp04_skips_a_single_unnumbered_result(catalog: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal("Budget", fr=["Budget i balans"], arbetssatt=["Månatliga uppföljningar."],
                    uppfoljning=["Prognos varje månad."])
    assert check_report(clean_vp(doc, goals=[goal]), catalog) == []


def test_vp04_missing_part_is_left_to_vp02(catalog: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal("Mål", fr=["1. Ett.", "2. Två."], arbetssatt=None, uppfoljning=["1. a", "2. b"])
    assert counts(check_report(clean_vp(doc, goals=[goal]), catalog)) == Counter({"VP02": 1})


def test_vp05_indicator_without_own_target(catalog: RuleSet) -> None:
    doc = Doc()
    kf_indicator = doc.indikator("Aktivt medskapandeindex", kf="83")
    findings = check_report(clean_vp(doc, kf_indikatorer=[kf_indicator]), catalog)
    assert counts(findings) == Counter({"VP05": 1})
    assert findings[0].target == "Aktivt medskapandeindex"
    assert findings[0].target_type == "indikator"
    assert findings[0].location.source == kf_indicator.source


# --- VB: goals in reports ----------------------------------------------------------------------------


def _vb_goal(doc: Doc, **overrides: Any) -> Enhetsmal:
    fields: dict[str, Any] = dict(bedomning="delvis", fr=["- Ett resultat."], analys=[OWN_TEXT_1])
    fields.update(overrides)
    return doc.goal("Enheten bidrar till miljön", **fields)


@pytest.mark.parametrize("bedomning", [None, "inga data"])
def test_vb01_no_assessment(catalog: RuleSet, bedomning: str | None) -> None:
    doc = Doc()
    findings = check_report(clean_vb(doc, goals=[_vb_goal(doc, bedomning=bedomning)]), catalog)
    assert counts(findings) == Counter({"VB01": 1})


@pytest.mark.parametrize("bedomning", ["delvis", "inte"])
def test_vb01_passes_with_assessment(catalog: RuleSet, bedomning: str) -> None:
    doc = Doc()
    assert check_report(clean_vb(doc, goals=[_vb_goal(doc, bedomning=bedomning)]), catalog) == []


def test_vb02_vb03_missing_parts(catalog: RuleSet) -> None:
    doc = Doc()
    goals = [_vb_goal(doc, fr=None), _vb_goal(doc, analys=[""])]
    assert counts(check_report(clean_vb(doc, goals=goals), catalog)) == Counter({"VB02": 1, "VB03": 1})


def test_vb04_fully_met_needs_supporting_text(catalog: RuleSet) -> None:
    doc = Doc()
    thin = _vb_goal(doc, bedomning="helt", analys=[STANDARD, "Arbetet har gått bra under året."])
    findings = check_report(clean_vb(doc, goals=[thin]), catalog)
    assert counts(findings) == Counter({"VB04": 1})
    assert "har bara 6 ord utöver standardmeningarna" in findings[0].message
    assert findings[0].location.source == thin.analys.source  # the "Analys" label


def test_vb04_says_in_words_when_the_analysis_is_only_standard_sentences(catalog: RuleSet) -> None:
    doc = Doc()
    bare = _vb_goal(doc, bedomning="helt", analys=[STANDARD])
    findings = check_report(clean_vb(doc, goals=[bare]), catalog)
    assert counts(findings) == Counter({"VB04": 1})
    assert "har inga ord utöver standardmeningarna" in findings[0].message
    assert " 0 " not in findings[0].message


def test_vb04_passes_with_25_own_words(catalog: RuleSet) -> None:
    doc = Doc()
    enough = _vb_goal(doc, bedomning="helt", analys=[STANDARD, OWN_TEXT_1])
    assert check_report(clean_vb(doc, goals=[enough]), catalog) == []
    # A goal with no analysis at all is VB03's finding, not also VB04's.
    missing = _vb_goal(doc, bedomning="helt", analys=None)
    assert counts(check_report(clean_vb(doc, goals=[missing]), catalog)) == Counter({"VB03": 1})


def test_vb05_status_and_analysis_disagree(catalog: RuleSet) -> None:
    doc = Doc()
    partly = _vb_goal(doc, bedomning="delvis",
                      analys=["Vi har arbetat vidare.", "Bedömningen är att målet är uppnått för året."])
    fully = _vb_goal(doc, bedomning="helt", analys=[OWN_TEXT_1, "Det sista resultatet har inte uppnåtts."])
    findings = check_report(clean_vb(doc, goals=[partly, fully]), catalog)
    assert counts(findings) == Counter({"VB05": 2})
    assert findings[0].message == "Bedömningen ”uppfylls delvis” stämmer inte med analysen, som säger ”målet är uppnått”"
    assert findings[0].location.source == partly.analys.paragraphs[1].source
    assert "inte uppnått" in findings[1].message


def test_vb05_agreeing_text_passes(catalog: RuleSet) -> None:
    doc = Doc()
    goal = _vb_goal(doc, bedomning="delvis", analys=["Målet har delvis uppnåtts, sjukfrånvaron är kvar."])
    assert check_report(clean_vb(doc, goals=[goal]), catalog) == []


def test_vb06_forecast_in_year_end_report(catalog: RuleSet) -> None:
    doc = Doc()
    text = "Enheten bedömer att enhetsmålet kommer att uppnås helt under året."
    goal = _vb_goal(doc, bedomning="delvis", analys=[OWN_TEXT_1, text])
    findings = check_report(clean_vb(doc, goals=[goal]), catalog)
    assert counts(findings) == Counter({"VB05": 1, "VB06": 1})
    vb06 = only(findings, "VB06")[0]
    assert vb06.location.source == goal.analys.paragraphs[1].source
    # The same text is fine in a tertial report, where a forecast belongs (VB05 still applies).
    doc = Doc()
    tertial = clean_vb(doc, kind="tertialrapport", goals=[_vb_goal(doc, bedomning="helt", analys=[OWN_TEXT_1, text])])
    assert check_report(tertial, catalog) == []


def test_vb07_numbering(catalog: RuleSet) -> None:
    doc = Doc()
    fr = [f"{n}. Resultat nummer {n}." for n in range(1, 6)]
    analys = [f"{n}. Svar på nummer {n} med en egen förklaring." for n in (1, 2, 3, 4, 6)]
    goal = _vb_goal(doc, fr=fr, analys=analys)
    findings = check_report(clean_vb(doc, goals=[goal]), catalog)
    assert counts(findings) == Counter({"VB07": 1})
    assert findings[0].message == ("Analysens numrering följer inte de förväntade resultaten: resultat 5 besvaras "
                                   "inte; nummer 6 finns inte bland de förväntade resultaten")


def test_vb07_passes_when_unnumbered_or_matching(catalog: RuleSet) -> None:
    doc = Doc()
    fr = [f"{n}. Resultat nummer {n}." for n in range(1, 4)]
    matching = _vb_goal(doc, fr=fr, analys=["1. Ett svar.", "2 . Två svar.", "3) Tre svar."])
    unnumbered = _vb_goal(doc, fr=fr, analys=["Allt har gått bra med alla tre resultaten."])
    assert check_report(clean_vb(doc, goals=[matching, unnumbered]), catalog) == []


def test_vb08_copied_analysis_names_the_earlier_goal(catalog: RuleSet) -> None:
    doc = Doc()
    first = doc.goal("Enheten har en beredskap", bedomning="delvis", fr=["- Kunskap."],
                     analys=[STANDARD, "1. Kontinuitetsplanen övas årligen och uppdatera vid förändring.",
                             "2. Enhetens medarbetare och chef ska genomföra utbildning om dataskydd under året."])
    second = doc.goal("Enheten motverkar välfärdsbrott", bedomning="delvis", fr=["- Kännedom."],
                      analys=[STANDARD, "1. Kontinuitetsplanen övas årligen och uppdateras vid förändring. Genomgång på APT.",
                              "2. Enhetens medarbetare och chef ska genomföra utbildning om dataskydd under året."])
    findings = check_report(clean_vb(doc, goals=[first, second]), catalog)
    assert counts(findings) == Counter({"VB08": 1})
    assert findings[0].target == "Enheten motverkar välfärdsbrott"
    assert findings[0].message == "Analysen verkar vara kopierad från enhetsmålet ”Enheten har en beredskap”"


def test_vb08_standard_sentences_alone_are_not_a_copy(catalog: RuleSet) -> None:
    doc = Doc()
    a = _vb_goal(doc, analys=[STANDARD, OWN_TEXT_1])
    b = _vb_goal(doc, analys=[STANDARD, OWN_TEXT_2])
    assert check_report(clean_vb(doc, goals=[a, b]), catalog) == []


# --- IN: indicators ------------------------------------------------------------------------------------


def test_in01_in02_target_without_analysis_or_outcome(catalog: RuleSet) -> None:
    doc = Doc()
    indicators = [
        doc.indikator("Andel omsorgstagare som kan påverka", arsmal="87 %", kf="87 %"),  # neither
        doc.indikator("Aktivt medskapandeindex", utfall="75", arsmal="75"),  # no analysis
        doc.indikator("Andel ekologiska livsmedel", kf="70 %"),  # no own target: nothing asked
    ]
    findings = check_report(clean_vb(doc, kf_indikatorer=indicators), catalog)
    assert counts(findings) == Counter({"IN01": 2, "IN02": 1})
    assert {f.target for f in only(findings, "IN01")} == {"Andel omsorgstagare som kan påverka", "Aktivt medskapandeindex"}


def test_in01_covers_indicators_under_unit_goals(catalog: RuleSet) -> None:
    doc = Doc()
    goal = _vb_goal(doc, indikatorer=[doc.indikator("Andel nöjda", utfall="90 %", arsmal="85 %")])
    findings = check_report(clean_vb(doc, goals=[goal]), catalog)
    assert counts(findings) == Counter({"IN01": 1})
    assert findings[0].location.path[-1] == "Enhetsmål: Enheten bidrar till miljön"


def test_in03_direction_aware(catalog: RuleSet) -> None:
    doc = Doc()
    indicators = [
        doc.indikator("Andel nöjda kunder", utfall="70 %", arsmal="75 %", analys="x"),  # higher is better: miss
        doc.indikator("Sjukfrånvaro", utfall="9,1 %", arsmal="8,5 %", analys="x"),  # lower is better: miss
        doc.indikator("Sjukfrånvar o dag 1-14", utfall="2 %", arsmal="2,5 %", analys="x"),  # split word, met
        doc.indikator("Antal personalen i hemtjänsttagare med minst två besök om dagen möter under en 14-dagarsperiod",
                      utfall="8,5", arsmal="10", kf="Max 10 personer", analys="x"),  # met (lower)
        doc.indikator("Antal besök", utfall="12", arsmal="10", kf="Max 10", analys="x"),  # bound max: miss
        doc.indikator("Klimatpåverkan från upphandlade livsmedel", utfall="1,4 kg CO2 per kg livsmedel",
                      arsmal="1,6 kg CO2 per kg livsmedel", analys="x"),  # lower is better: met
        doc.indikator("Klimatpåverkan", utfall="Tas fram av nämnd", arsmal="1,6 kg", analys="x"),  # no number
    ]
    findings = check_report(clean_vb(doc, kf_indikatorer=indicators), catalog)
    assert counts(findings) == Counter({"IN03": 3})
    assert [f.target for f in findings] == ["Andel nöjda kunder", "Sjukfrånvaro", "Antal besök"]
    assert all(f.severity == Severity.INFO for f in findings)
    assert findings[0].message == "Indikatorn ”Andel nöjda kunder” når inte årsmålet: utfallet är 70 %, årsmålet 75 %"


def test_in04_percentage_out_of_range(catalog: RuleSet) -> None:
    doc = Doc()
    indicators = [
        doc.indikator("Andel nöjda", utfall="104 %", arsmal="85 %", analys="x"),
        doc.indikator("Antal besök", utfall="104", arsmal="85", analys="x"),  # not a percentage
    ]
    findings = check_report(clean_vb(doc, kf_indikatorer=indicators), catalog)
    assert counts(findings) == Counter({"IN04": 1})
    assert findings[0].message == ("Orimligt värde för indikatorn ”Andel nöjda”: utfall är 104 %, men en andel i procent "
                                   "ligger mellan 0 och 100")


def test_in04_short_term_sick_leave_above_total(catalog: RuleSet) -> None:
    doc = Doc()
    indicators = [
        doc.indikator("Sjukfrånvar o", utfall="8,2 %", arsmal="8,5 %", man="0,5 %", kvinnor="10,4 %", analys="x"),
        doc.indikator("Sjukfrånvar o dag 1-14", utfall="2 %", arsmal="2,5 %", man="3,1 %", kvinnor="1,6 %", analys="x"),
    ]
    findings = check_report(clean_vb(doc, kf_indikatorer=indicators), catalog)
    assert counts(findings) == Counter({"IN04": 1})
    assert findings[0].target == "Sjukfrånvar o dag 1-14"
    assert "utfall män är 3,1 %, högre än total sjukfrånvaro (0,5 %)" in findings[0].message


def test_in04_other_period_is_not_compared(catalog: RuleSet) -> None:
    doc = Doc()
    indicators = [
        doc.indikator("Sjukfrånvaro", utfall="1 %", arsmal="8,5 %", analys="x", period="T1 2025"),
        doc.indikator("Sjukfrånvaro", utfall="8 %", arsmal="8,5 %", analys="x", period="VB 2025"),
        doc.indikator("Sjukfrånvaro dag 1-14", utfall="2 %", arsmal="2,5 %", analys="x", period="VB 2025"),
    ]
    findings = check_report(clean_vb(doc, kf_indikatorer=indicators), catalog)
    assert counts(findings) == Counter()


# --- AK: activities ----------------------------------------------------------------------------------------


def test_ak01_activity_without_analysis(catalog: RuleSet) -> None:
    doc = Doc()
    activity = doc.aktivitet("Chefer utbildas i Miljöprogram 2030", analys=None)
    findings = check_report(clean_vb(doc, nm_aktiviteter=[activity]), catalog)
    assert counts(findings) == Counter({"AK01": 1})
    assert findings[0].target_type == "aktivitet"
    # Plans have no analyses under activities.
    doc = Doc()
    assert check_report(clean_vp(doc, nm_aktiviteter=[doc.aktivitet("X", analys=None)]), catalog) == []


def test_ak02_duplicate_activity_under_the_same_goal(catalog: RuleSet) -> None:
    doc = Doc()
    activities = [doc.aktivitet("Stadsdelsnämnden ska delta i ESF-projektet"),
                  doc.aktivitet("Stadsdelsnämnden ska ta fram en plan"),
                  doc.aktivitet("STADSDELSNÄMNDEN SKA DELTA I ESF-PROJEKTET.")]
    findings = check_report(clean_vb(doc, nm_aktiviteter=activities), catalog)
    assert counts(findings) == Counter({"AK02": 1})
    assert findings[0].location.source == activities[2].source


def test_ak02_same_activity_under_different_goals_passes(catalog: RuleSet) -> None:
    doc = Doc()
    goal = _vb_goal(doc, aktiviteter=[doc.aktivitet("Enheten inför kontaktmannaskap")])
    report = clean_vb(doc, goals=[*clean_vb(doc).inriktningsmal[0].kf_mal[0].namndmal[0].enhetsmal, goal])
    assert check_report(report, catalog) == []


def test_ak03_dates(catalog: RuleSet) -> None:
    doc = Doc()
    activities = [
        doc.aktivitet("Omvänt", start="2025-12-31", slut="2025-01-01"),
        doc.aktivitet("Ogiltigt", start="2025-13-01", slut="2025-12-31"),
        doc.aktivitet("Bara start", start="2025-01-01", slut=None),
        doc.aktivitet("Inga datum", start=None, slut=None),
        doc.aktivitet("Samma dag", start="2025-06-01", slut="2025-06-01"),
    ]
    findings = check_report(clean_vb(doc, nm_aktiviteter=activities), catalog)
    assert counts(findings) == Counter({"AK03": 3})
    assert [f.target for f in findings] == ["Omvänt", "Ogiltigt", "Bara start"]
    assert findings[0].message == "Aktiviteten ”Omvänt” slutar (2025-01-01) innan den börjar (2025-12-31)"
    assert findings[1].message == "Aktiviteten ”Ogiltigt” har ett ogiltigt datum: startdatum ”2025-13-01”, slutdatum ”2025-12-31”"


# --- SK: complaints table -------------------------------------------------------------------------------------


def test_sk01_totals(catalog: RuleSet) -> None:
    doc = Doc()
    rows = [
        doc.synpunkt("Beröm", t1="1", t2="2", vb="2", totalt="4"),
        doc.synpunkt("Bemötande", vb="4", totalt=None),
        doc.synpunkt("Annat", t1="Ej aktuellt", totalt="2"),  # text: nothing to add up
        doc.synpunkt("Kompetens"),
        doc.synpunkt("Fysisk miljö", t1="1", t2="1 st", vb="1", totalt="3 st"),
    ]
    findings = check_report(clean_vb(doc, synpunkter=rows), catalog)
    assert counts(findings) == Counter({"SK01": 2})
    assert findings[0].message == "Raden ”Beröm”: Totalt ack är 4, men T1 + T2 + VB blir 5"
    assert findings[1].message == "Raden ”Bemötande”: Totalt ack är –, men T1 + T2 + VB blir 4"
    assert findings[0].target_type == "synpunkt"


# --- profiles ----------------------------------------------------------------------------------------------------


def test_profiles(catalog: RuleSet) -> None:
    assert set(catalog.profiles) == {"utkast", "inlamning"}
    draft = catalog.filtered(profile="utkast")
    assert 0 < len(draft.rules) < len(catalog.rules)
    assert {"DK01", "VP01", "VB03"} <= {r.id for r in draft.rules}
    assert "VB08" not in {r.id for r in draft.rules}
    assert len(catalog.filtered().rules) == len(CATALOG_IDS)  # default: inlamning = all


def test_rules_dir_is_the_repository_rules() -> None:
    assert default_rules_dir() == Path(__file__).resolve().parent.parent / "rules"
