"""Evidence about a document's identity, and how pieces of it add up to a decision.

Every source of evidence (the title page, a running header, the document
properties, the file name, the body) contributes `Clue`s: "this file says the
type is a verksamhetsplan, because …, and that counts this much". Clues for
the same value strengthen each other as independent witnesses do
(1 − ∏(1 − w)); the value with the strongest support wins, and its
confidence is lowered by how strongly the runner-up is supported.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from checker.model import Evidence, IdentitySource, Inferred

FieldName = Literal["kind", "year", "tertial", "unit"]

# How much a kind of source is worth when it states a value outright.
WEIGHT_TITLE = 0.9          # the title on the front page
WEIGHT_RUNNING = 0.8        # the title in a page header, footer or text box
WEIGHT_PROPERTIES = 0.5     # the document properties (often left from a template or last year)
WEIGHT_FILE_NAME = 0.35     # file names are unreliable ("verksamhetsplan_slutlig.docx" for another year)
WEIGHT_FOLDER = 0.2
WEIGHT_SETTING = 1.0        # said by the coordinator: malkoll.toml or the command line

# Below this, a decided type is reported as assumed rather than recognised.
ASSUMED_BELOW = 0.5


@dataclass(frozen=True, slots=True)
class Clue:
    """One piece of evidence: `field` has `value`, seen in `source`, described in Swedish by `text`."""

    field: FieldName
    value: str | int
    source: IdentitySource
    text: str
    weight: float


def combined(weights: Iterable[float]) -> float:
    """Independent witnesses: 1 − ∏(1 − w)."""
    doubt = 1.0
    for weight in weights:
        doubt *= 1.0 - max(0.0, min(weight, 1.0))
    return 1.0 - doubt


def decide(
    clues: Iterable[Clue],
    key: Callable[[str | int], Hashable] = lambda v: v,
    spelling: Callable[[list[Clue]], str | int] | None = None,
) -> Inferred:
    """The best-supported value among `clues` (all of one field), with its evidence and confidence.

    `key` groups values that are the same thing written differently (unit names);
    `spelling` picks how the winning group's value is shown (default: as its strongest witness wrote it).
    """
    groups: dict[Hashable, list[Clue]] = {}
    for clue in clues:
        groups.setdefault(key(clue.value), []).append(clue)
    if not groups:
        return Inferred()
    scored = sorted(
        ((combined(c.weight for c in group), group) for group in groups.values()),
        key=lambda pair: -pair[0],  # stable: ties keep the order the sources were asked in
    )
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    setting = next((c for c in best if c.source in ("installning", "kommandorad")), None)
    confidence = 1.0 if setting is not None else max(0.0, best_score - 0.5 * runner_up)
    return Inferred(
        value=setting.value if setting is not None else (spelling or _display_value)(best),
        confidence=round(confidence, 2),
        evidence=_evidence(best),
        against=[e for _, group in scored[1:] for e in _evidence(group)],
    )


def _display_value(group: list[Clue]) -> str | int:
    """The value as the strongest witness wrote it."""
    return max(group, key=lambda clue: clue.weight).value


def _evidence(group: list[Clue]) -> list[Evidence]:
    """The group's evidence, strongest first; the same sighting repeated (a running footer on every page) once, counted."""
    counted: dict[tuple[str, str], list[Clue]] = {}
    for clue in sorted(group, key=lambda clue: -clue.weight):
        counted.setdefault((clue.source, clue.text), []).append(clue)
    evidence = [
        Evidence(
            source=same[0].source,
            text=same[0].text if len(same) == 1 else f"{same[0].text} ({len(same)} gånger)",
            weight=round(combined(c.weight for c in same), 2),
        )
        for same in counted.values()
    ]
    return sorted(evidence, key=lambda e: -e.weight)
