"""The built-in catalog on the seed documents: the findings a careful coordinator writes down.

The expectations were written by reading the seed texts (shared/seeds) against
shared/catalog.md, goal by goal — not by running the checker. Every state a
file arrives in (Word export, edited by hand, scanned) must give the same
findings: the document says the same things in all three.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checker.findings import Finding
from checker.reading.report import read_report

engine = pytest.importorskip("checker.engine")

REPORTS = Path(__file__).resolve().parent.parent / "reports"
STATES = ("export", "hand", "scan")

# Verksamhetsberättelse 2025, Aspuddens hemtjänst.
VB_EXPECTED = {
    # Investeringar, Medel för lokaländamål and Övrigt under Uppföljning av ekonomi are empty.
    "DK02": 3,
    # Four goals say "Inga data": the unit's own goals E1, E5, E7, E8.
    "VB01": 4,
    # E2 and E3 are "Uppfylls delvis" above "Enheten bedömer att enhetsmålet kommer att uppnås helt".
    "VB05": 2,
    # Seven analyses keep the tertial report's forecast "kommer att uppnås helt under året".
    "VB06": 7,
    # E5: results 1–5, analysis numbered 1, 2, 3, 4, 6.
    "VB07": 1,
    # E8 (välfärdsbrott) repeats E7's analysis about kontinuitetsplanen and dataskydd.
    "VB08": 1,
    # Årsmål without analysis: both KF 1.4 indicators, "I varje verksamhet finns måltidsombud", "Sjukfrånvaro".
    "IN01": 4,
    # KF 1.4 "Andel omsorgstagare …" has årsmål 87 % but no outcome.
    "IN02": 1,
    # Below target: "Andel omsorgstagare …" 70 % < 75 %, ekologiska livsmedel 63,8 % < 70 %.
    "IN03": 2,
    # Sjukfrånvaro dag 1-14 for män (3,1 %) is above total sjukfrånvaro for män (0,5 %).
    "IN04": 1,
    # "… chefer utbildas i Miljöprogram 2030" and "… samhällsviktiga verksamheter genomför åtgärder …".
    "AK01": 2,
}

# Verksamhetsplan 2024, Hägersten-Älvsjö hemtjänst.
VP_EXPECTED = {
    # Övrigt under Redovisning av ekonomi is empty.
    "DK02": 1,
    # "Enheten är energieffektiv …": none of its three results is restated under
    # Arbetssätt or under Uppföljning (3 items × 2 parts).
    "VP04": 6,
    # "Klimatpåverkan från upphandlade livsmedel och måltider" has no unit årsmål.
    "VP05": 1,
}


def _findings(name: str) -> list[Finding]:
    rules = engine.load_rules([engine.default_rules_dir()])
    return engine.check_report(read_report(REPORTS / name), rules)


def _counts(findings: list[Finding]) -> dict[str, int]:
    return dict(Counter(f.rule for f in findings))


@pytest.mark.parametrize("state", STATES)
def test_verksamhetsberattelse_findings(state: str) -> None:
    assert _counts(_findings(f"aspudden_vb2025_{state}.docx")) == VB_EXPECTED


@pytest.mark.parametrize("state", STATES)
def test_verksamhetsplan_findings(state: str) -> None:
    assert _counts(_findings(f"hagersten_alvsjo_vp2024_{state}.docx")) == VP_EXPECTED


def test_tertialrapport_has_no_year_end_rules() -> None:
    counts = _counts(_findings("aspudden_t2_2025_export.docx"))
    assert "VB06" not in counts  # forecasts belong in a tertial report
    expected = {rule: n for rule, n in VB_EXPECTED.items() if rule != "VB06"}
    assert counts == expected


def test_findings_point_at_the_goal_they_concern() -> None:
    findings = _findings("aspudden_vb2025_export.docx")
    vb07 = next(f for f in findings if f.rule == "VB07")
    assert vb07.target is not None and vb07.target.startswith("Enheten kommer arbeta aktivt")
    assert vb07.location.path and any("Nämndmål" in p or "namnd" in p.lower() for p in vb07.location.path)
    vb08 = next(f for f in findings if f.rule == "VB08")
    assert vb08.target is not None and "välfärdsbrott" in vb08.target
    for finding in findings:
        assert finding.location.source is not None, finding
