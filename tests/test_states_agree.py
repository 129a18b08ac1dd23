"""The same report in the three states a file arrives in is understood the same way.

Each document is built from one source by the fixture builder as it comes
from the planning system's export, as edited by hand and as run through a
PDF or scanner (tests/fixtures/docbuilder.py), in several variants: goals
drawn and ordered differently, titles with different endings, page breaks and
running headers (unit name, street address, page numbers) falling in other
places, different scan damage. Whatever the state, Målkoll must find the same
goals at the same levels with the same status, the same parts, result items,
indicators, activities and complaints rows, and the same unit, kind and year.

This is how the recogniser is held to the whole family rather than to the
two seed documents: a scan that splits a goal's title before "(kompetens)",
a running header between a goal and its status, a wrapped line ending
"… systematiska kvalitetsarbetet." or "KF:s mål fbr verksamhetsomradet" each
broke this once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.model import Report
from checker.reading.report import read_report
from tests.benchmark import corpus

BASES = ("vb", "vp", "t2")
VARIANTS = range(4)
STATES = ("export", "hand", "scan")


def signature(report: Report) -> dict[str, Any]:
    """What a state must not change: the structure the rules walk, without the (scan-damaged) wording."""
    upper = [*report.all_kf_mal(), *report.all_namndmal()]
    return {
        "document": (report.kind, report.year, report.tertial, report.unit),
        "kf_mal": [goal.number for goal in report.all_kf_mal()],
        "namndmal": len(report.all_namndmal()),
        "enhetsmal": [
            (goal.bedomning, len(goal.forvantat_resultat), goal.arbetssatt is not None, goal.uppfoljning is not None,
             goal.analys is not None, len(goal.indikatorer), len(goal.aktiviteter))
            for goal in report.all_enhetsmal()
        ],
        "indikatorer": [len(goal.indikatorer) for goal in upper],
        "aktiviteter": [len(goal.aktiviteter) for goal in upper],
        "synpunkter": len(report.synpunkter),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], Path]:
    plans = [corpus.DocPlan(base, state, 1, variant) for base in BASES for variant in VARIANTS for state in STATES]
    paths = corpus.ensure(plans, folder=tmp_path_factory.mktemp("tillstand"), jobs=1)
    return {(plan.base, plan.variant, plan.state): path for plan, path in zip(plans, paths, strict=True)}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("base", BASES)
def test_hand_edited_and_scanned_read_like_the_export(built: dict[tuple[str, int, str], Path], base: str,
                                                      variant: int) -> None:
    export = signature(read_report(built[(base, variant, "export")]))
    assert export["enhetsmal"] and export["kf_mal"] and all(export["kf_mal"])  # the export itself is read fully
    for state in ("hand", "scan"):
        other = signature(read_report(built[(base, variant, state)]))
        differences = {key: (export[key], other[key]) for key in export if export[key] != other[key]}
        assert not differences, f"{base} variant {variant}, {state}: {differences}"
