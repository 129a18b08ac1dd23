"""A coordinator adds rules of their own by writing rule text only – as docs/regelsprak.md shows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checker.engine import RuleSet, check_report, default_rules_dir, load_rules
from checker.findings import Severity
from checker.rules_lang.errors import RuleLoadError
from tests.test_catalog_rules import CATALOG_IDS, OWN_TEXT_1, Doc, clean_vb, clean_vp

# Exactly the text of the worked example in docs/regelsprak.md.
EGNA_REGLER = '''\
# Hägersten-Älvsjös egna regler

regel EG01 fel "Enhetsmålet ”{titel}” saknar resursanvändning"
  i verksamhetsplan:
  varje enhetsmål har resursanvändning
  hjälp
    "I vår stadsdelsförvaltning ska varje enhetsmål i verksamhetsplanen beskriva
     vilka resurser (personal, lokaler, pengar) som används för att nå målet."

regel EG02 varning "Analysen hänvisar till föregående år (”{fras}”) i stället för att beskriva det här året"
  i alla:
  ingen analys innehåller "se föregående år"
  hjälp
    "Analysen ska kunna läsas för sig. En hänvisning till förra årets dokument
     hjälper inte nämnden att bedöma det här året."
'''


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "malkoll-cache"))


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    folder = tmp_path / "egna-regler"
    folder.mkdir()
    (folder / "egna.rules").write_text(EGNA_REGLER, encoding="utf-8")
    return load_rules([default_rules_dir(), folder])


def test_the_new_rules_join_the_catalog(rules: RuleSet) -> None:
    assert sorted(r.id for r in rules.rules) == sorted(CATALOG_IDS + ["EG01", "EG02"])
    eg01 = rules.get("EG01")
    assert eg01 is not None and eg01.severity == Severity.ERROR and eg01.kinds == frozenset({"verksamhetsplan"})
    assert eg01.help.startswith("I vår stadsdelsförvaltning ska varje enhetsmål")
    # "inlamning: alla" in the catalog takes in rules added later; the default profile runs them.
    assert {"EG01", "EG02"} <= {r.id for r in rules.filtered().rules}
    assert "EG01" not in {r.id for r in rules.filtered(profile="utkast").rules}


def test_every_goal_in_a_plan_has_resource_use(rules: RuleSet) -> None:
    doc = Doc()
    report = clean_vp(doc)
    with_resources = report.all_enhetsmal()[0].model_copy(
        update={"resursanvandning": doc.part("Resursanvändning", "Två undersköterskor och en elbil.")}
    )
    without = doc.goal("Enheten är energieffektiv", fr=["Färre bilresor."], arbetssatt=["Färre bilresor."],
                       uppfoljning=["Färre bilresor."])
    empty = doc.goal("Enheten är en god arbetsgivare", fr=["Lägre sjukfrånvaro."], arbetssatt=["Lägre sjukfrånvaro."],
                     uppfoljning=["Lägre sjukfrånvaro."]).model_copy(
        update={"resursanvandning": doc.part("Resursanvändning", "   ")})
    findings = check_report(clean_vp(doc, goals=[with_resources, without, empty]), rules)
    assert Counter(f.rule for f in findings) == Counter({"EG01": 2})
    assert [f.message for f in findings] == [
        "Enhetsmålet ”Enheten är energieffektiv” saknar resursanvändning",
        "Enhetsmålet ”Enheten är en god arbetsgivare” saknar resursanvändning",
    ]
    assert findings[0].location.source == without.source
    # A year-end report is not a plan: the rule does not apply there.
    assert check_report(clean_vb(Doc()), rules) == []


def test_no_analysis_refers_to_last_year(rules: RuleSet) -> None:
    doc = Doc()
    goal = doc.goal("Enheten köper in ekologiska produkter", bedomning="delvis", fr=["- Ekologiska inköp."],
                    analys=[OWN_TEXT_1, "För detaljer, SE FÖREGÅENDE ÅRS verksamhetsberättelse."])
    other = doc.goal("Enheten har en god arbetsmiljö", bedomning="delvis", fr=["- Lägre sjukfrånvaro."],
                     analys=["Sjukfrånvaron har minskat, se foregaende ar för jämförelse med tidigare år."])
    indicator = doc.indikator("Andel ekologiska livsmedel", utfall="64 %", arsmal="60 %",
                              analys="Utfallet ligger nära målet, se föregående år.")
    activity = doc.aktivitet("Enheten ser över inköpen", analys="Se föregående år.")
    report = clean_vb(doc, goals=[goal, other], kf_indikatorer=[indicator], nm_aktiviteter=[activity])
    findings = check_report(report, rules)
    assert Counter(f.rule for f in findings) == Counter({"EG02": 3})
    by_target = {f.target: f for f in findings}
    # "SE FÖREGÅENDE ÅRS" is another word ("års"), so the first goal passes: phrases match whole words.
    assert set(by_target) == {"Enheten har en god arbetsmiljö", "Andel ekologiska livsmedel", "Enheten ser över inköpen"}
    goal_finding = by_target["Enheten har en god arbetsmiljö"]
    assert goal_finding.message == (
        "Analysen hänvisar till föregående år (”se föregående år”) i stället för att beskriva det här året"
    )
    assert goal_finding.target_type == "analys"
    assert goal_finding.location.source == other.analys.paragraphs[0].source  # the paragraph itself
    assert goal_finding.location.path[-1] == "Enhetsmål: Enheten har en god arbetsmiljö"
    assert goal_finding.quote.startswith("Sjukfrånvaron har minskat, se foregaende ar")
    assert by_target["Andel ekologiska livsmedel"].location.source == indicator.analys_source


def test_a_coordinators_typo_is_reported_not_run(tmp_path: Path) -> None:
    broken = tmp_path / "egna.rules"
    broken.write_text(EGNA_REGLER.replace("har resursanvändning", "har resursanvänding"), encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_rules([default_rules_dir(), broken])
    [error] = info.value.errors
    assert (error.line, error.column) == (5, 23)
    assert error.message == "enhetsmål har inget fält ”resursanvänding” – menade du ”resursanvändning”?"


def test_a_new_rule_can_join_a_profile(tmp_path: Path) -> None:
    rule_file = tmp_path / "egna.rules"
    rule_file.write_text(EGNA_REGLER + "\nprofil utkast: EG01\n", encoding="utf-8")
    rules = load_rules([default_rules_dir(), rule_file])
    assert "EG01" in {r.id for r in rules.filtered(profile="utkast").rules}
    assert rules.get("EG01").profiles == frozenset({"utkast", "inlamning"})
