"""The reader on the two seed documents, in every state the fixture builder produces.

The expectations below were written by hand from reading the seed texts in
shared/seeds (a Verksamhetsberättelse 2025 and a Verksamhetsplan 2024), not
from the builder's output: what a coordinator sees in the document is what
Målkoll must recover, whatever state the file arrives in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.model import Report
from checker.reading.report import read_report
from checker.text import fold

REPORTS = Path(__file__).resolve().parent.parent / "reports"
STATES = ("export", "hand", "scan")


@dataclass(frozen=True)
class Goal:
    title: str
    bedomning: str | None
    items: int
    arbetssatt: bool
    uppfoljning: bool
    analys: bool


@dataclass(frozen=True)
class Indicator:
    name: str
    arsmal: str | None
    kf_arsmal: str | None
    utfall: str | None
    analys: bool


@dataclass(frozen=True)
class Activity:
    title: str
    start: str | None
    slut: str | None
    analys: bool


VB_GOALS = [
    Goal("Enheten arbetar för att kunden ska vara delaktig och känna sig trygg med de goda service- och omsorgsinsatser vi utför.", "inga data", 5, False, False, True),
    Goal("Enheten är energieffektiv och resurssmart med en minimal klimatpåverkan", "delvis", 4, False, False, True),
    Goal("Enheten köper in ekologiska produkter.", "delvis", 1, False, False, True),
    Goal("Enheten bidrar till en god livsmiljö och är en giffri verksamhet.", "helt", 1, False, False, True),
    Goal("Enheten kommer arbeta aktivt med det goda medarbetarskapet.", "inga data", 5, False, False, True),
    Goal("Enheten är en verksamhet som ger medarbetaren möjlighet att utvecklas och växa i sin yrkesroll.", "helt", 2, False, False, True),
    Goal("Enheten har en beredskap för olika händelser som är kända för medarbetare.", "inga data", 2, False, False, True),
    Goal("Enheten bidrar till arbetet för att motverka välfärdsbrott.", "inga data", 2, False, False, True),
]
VB_INDICATORS = [
    Indicator("Andel omsorgstagare som upplever att de kan påverka hur hjälpen utförs i hemtjänsten", "87 %", "87 %", None, False),
    Indicator("Antal personalen i hemtjänsttagare med minst två besök om dagen möter under en 14-dagarsperiod", "10", "Max 10 personer", "8,5", False),
    Indicator("Andel omsorgstagare som upplever att de kan påverka hur hjälpen utförs i hemtjänsten", "75 %", None, "70 %", True),
    Indicator("I varje verksamhet finns måltidsombud", "100 %", None, "100 %", False),
    Indicator("Andel inköpta ekologiska livsmedel i kronor", "70 %", "70 %", "63,8 %", True),
    Indicator("Aktivt Medskapandeindex", "75", "83", "75", True),
    Indicator("Sjukfrånvaro", "8,5 %", "Tas fram av nämnd/styrelse", "8,2 %", False),
    Indicator("Sjukfrånvaro dag 1-14", "2,5 %", "Tas fram av nämnd/styrelse", "2 %", True),
]
_YEAR_2025 = ("2025-01-01", "2025-12-31")
VB_ACTIVITIES = [
    Activity('Stadsdelsnämnden ska delta i ESF-projektet "Kompetensutveckling inom äldreomsorgen"', *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska fortsätta att utveckla arbetet med digitalisering och välfärdsteknik inom äldreomsorgen.", *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska fortsätta att utveckla den interna och externa samverkan för en god och nära vård och omsorg samt förebyggande och hälsofrämjande insatser inom äldreomsorgen.", *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska säkerställa att äldreomsorgens medarbetare får kompetensutveckling kring bemötande av särskilt sårbara grupper - Våld i nära relation, hbtqi och psykisk ohälsa.", *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska ta fram en kompetensutvecklingsplan för de medarbetare inom äldreomsorgen som inte uppnår kriterierna för skyddad yrkestitel.", *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska vidareutveckla arbetet kring kost, nutrition och måltidsupplevelsen i äldreomsorgen.", *_YEAR_2025, True),
    Activity("Stadsdelsnämnden ska öka kännedom och tillgänglighet för Nationella minoriteters rättigheter inom äldreomsorgens verksamheter.", *_YEAR_2025, True),
    Activity("Stadsdelsnämndens verksamheter inom äldreomsorgen ska följa upp hur de idag arbetar med avvikelser samt lex Sarah och utifrån resultatet vidareutveckla sina arbetssätt", *_YEAR_2025, True),
    Activity("Stadsdelsnämndens samtliga chefer utbildas i Miljöprogram 2030", *_YEAR_2025, False),
    Activity("Stadsdelsnämnden ska uppdatera och implementera rutinbeskrivningen för arbetet med kemikaliehantering samt utfasning av skadliga kemikalier.", *_YEAR_2025, True),
    Activity("Stadsdelsnämndens medarbetare går stadens utbildning i dataskydd", *_YEAR_2025, True),
    Activity("Stadsdelsnämndens medarbetare går stadens utbildning i informationssäkerhet", *_YEAR_2025, True),
    Activity("Stadsdelsnämndens samhällsviktiga verksamheter genomför åtgärder som identifierats i deras risk- och sårbarhetsanalyser.", *_YEAR_2025, False),
]

VP_GOALS = [
    Goal("Enheten arbetar för att kunden ska vara delaktig och känna sig trygg med de goda service- och omsorgsinsatser vi utför.", None, 5, True, True, False),
    Goal("Enheten är energieffektiv och resurssmart med en minimal klimatpåverkan", None, 3, True, True, False),
    Goal("Enheten är en god arbetsgivare och har en god arbetsmiljö", None, 5, True, True, False),
    Goal("Enheten är en verksamhet som ger medarbetaren möjlighet att utvecklas och växa i sin yrkesroll.", None, 3, True, True, False),
]
VP_INDICATORS = [
    Indicator("Andel omsorgstagare som upplever att de kan påverka hur hjälpen utförs i hemtjänsten", "87 %", "87 %", None, False),
    Indicator("Antal personal en hemtjänsttagare med minst två besök om dagen möter under en 14-dagarsperiod", "10", "Max 10 personer", None, False),
    Indicator("Klimatpåverkan från upphandlade livsmedel och måltider", None, "1,6 kg CO2 per kg livsmedel", None, False),
    Indicator("Andel inköpta ekologiska måltider och livsmedel i staden i kronor av totala värdet av inköpta måltider och livsmedel", "70 %", "70 %", None, False),
    Indicator("Aktivt Medskapandeindex", "79", "83", None, False),
    Indicator("Sjukfrånvaro", "8,5 %", "Tas fram av nämnd/styrelse", None, False),
    Indicator("Sjukfrånvaro dag 1-14", "2,9 %", "Tas fram av nämnd/styrelse", None, False),
]
_YEAR_2024 = ("2024-01-01", "2024-12-31")
VP_ACTIVITIES = [
    Activity("Stadsdelsnämnden ska arbeta för att säkerställa äldreomsorgens kompetensförsörjning samt erbjuda medarbetare utbildning enligt kompetensutvecklingsplanen med särskild satsning på språk och yrkesutbildning.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska fortsätta att utveckla arbetet med digitalisering och välfärdsteknik inom äldreomsorgen.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska fortsätta att utveckla den interna och externa samverkan för en god och nära vård samt förebyggande och hälsofrämjande insatser.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska fortsätta att utveckla och erbjuda insatser av god kvalitet utifrån interna och externa uppföljningsresultat.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska inom äldreomsorgens verksamheter öka kännedomen om Nationella minoriteters rättigheter.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska säkerställa att äldreomsorgens medarbetare får kompetensutveckling kring bemötande av särskilt sårbara grupper - Våld i nära relation och hbtqi.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska vidareutveckla arbetet kring kost, nutrition och måltidsupplevelsen. I särskilda boendeformer ska arbetet för sjuksköterskor med särskilt nutritionsuppdrag, fortsätta att implementeras.", *_YEAR_2024, False),
    Activity("Stadsdelsnämnden ska vidareutveckla informationen och hanteringen av inkomna förslag, synpunkter och klagomål.", *_YEAR_2024, False),
]


@dataclass(frozen=True)
class Seed:
    stem: str
    kind: str
    year: int
    unit: str
    goals: list[Goal]
    indicators: list[Indicator]
    activities: list[Activity]


SEEDS = {
    "vb": Seed("aspudden_vb2025", "verksamhetsberattelse", 2025, "Aspuddens hemtjänst", VB_GOALS, VB_INDICATORS, VB_ACTIVITIES),
    "vp": Seed("hagersten_alvsjo_vp2024", "verksamhetsplan", 2024, "Hägersten-Älvsjö hemtjänst", VP_GOALS, VP_INDICATORS, VP_ACTIVITIES),
}


def _path(seed: Seed, state: str) -> Path:
    return REPORTS / f"{seed.stem}_{state}.docx"


@pytest.fixture(scope="module", params=[(s, st) for s in SEEDS for st in STATES], ids=lambda p: f"{p[0]}-{p[1]}")
def case(request) -> tuple[Seed, str, Report]:
    seed_key, state = request.param
    seed = SEEDS[seed_key]
    return seed, state, read_report(_path(seed, state))


def _key(text: str | None) -> str | None:
    """Comparison key tolerant of what a scan does to diacritics, spacing and case."""
    if text is None:
        return None
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _close(actual: str | None, expected: str | None, state: str) -> bool:
    a, e = _key(actual), _key(expected)
    if a == e:
        return True
    if state != "scan" or a is None or e is None:
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_distance(a, e) <= 0.08


def test_document_kind_year_unit(case) -> None:
    seed, state, report = case
    assert (report.kind, report.year) == (seed.kind, seed.year)
    assert _close(report.unit, seed.unit, state)


def test_every_enhetsmal_recovered(case) -> None:
    seed, state, report = case
    goals = report.all_enhetsmal()
    assert len(goals) == len(seed.goals), [g.title for g in goals]
    for actual, expected in zip(goals, seed.goals):
        assert _close(actual.title, expected.title, state), (actual.title, expected.title)
        assert actual.bedomning == expected.bedomning, expected.title
        assert len(actual.forvantat_resultat) == expected.items, (expected.title, [i.text for i in actual.forvantat_resultat])
        assert _present(actual.arbetssatt) == expected.arbetssatt, expected.title
        assert _present(actual.uppfoljning) == expected.uppfoljning, expected.title
        assert _present(actual.analys) == expected.analys, expected.title


def _present(part) -> bool:
    return part is not None and not part.is_empty


def _owners(report: Report) -> list:
    """Every goal that can own indicators and activities: KF-mål, nämndmål, enhetsmål."""
    owners: list = []
    for kf in report.all_kf_mal():
        owners.append(kf)
        owners.extend(kf.enhetsmal)
        for nm in kf.namndmal:
            owners.append(nm)
            owners.extend(nm.enhetsmal)
    return owners


def _all_indicators(report: Report):
    found = [i for owner in _owners(report) for i in owner.indikatorer]
    return sorted(found, key=lambda i: (i.source.block, i.source.row or 0))


def _all_activities(report: Report):
    found = [a for owner in _owners(report) for a in owner.aktiviteter]
    return sorted(found, key=lambda a: (a.source.block, a.source.row or 0))


def test_every_indicator_recovered(case) -> None:
    seed, state, report = case
    indicators = _all_indicators(report)
    assert len(indicators) == len(seed.indicators), [i.name for i in indicators]
    for actual, expected in zip(indicators, seed.indicators):
        assert _close(actual.name, expected.name, state), (actual.name, expected.name)
        assert _close(actual.arsmal.text, expected.arsmal, state), expected.name
        assert _close(actual.kf_arsmal.text, expected.kf_arsmal, state), expected.name
        assert _close(actual.utfall.text, expected.utfall, state), expected.name
        assert (actual.analys is not None) == expected.analys, expected.name


def test_every_activity_recovered(case) -> None:
    seed, state, report = case
    activities = _all_activities(report)
    assert len(activities) == len(seed.activities), [a.title for a in activities]
    for actual, expected in zip(activities, seed.activities):
        assert _close(actual.title, expected.title, state), (actual.title, expected.title)
        assert (str(actual.start) if actual.start else None, str(actual.slut) if actual.slut else None) == (expected.start, expected.slut)
        assert (actual.analys is not None) == expected.analys, expected.title
