"""The tiny problem type every rule produces and every output format consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.model import Source
from checker.severity import Severity

__all__ = ["Acceptance", "Finding", "Location", "Severity"]

# Where an acceptance comes from, as shown in JSON ("kalla") and SARIF.
SOURCE_CONFIG = "malkoll.toml"
SOURCE_BASELINE = "baslinje"
SOURCE_COMMENT = "kommentar"


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Why a finding is accepted: a person's reason, and where it was given (checker.acceptance)."""

    reason: str
    source: str  # SOURCE_CONFIG, SOURCE_BASELINE or SOURCE_COMMENT
    # Which entry accepted it (the file pattern, the baseline file, the comment), to report the unused ones.
    entry: str = ""

    def __reduce__(self) -> tuple[type[Acceptance], tuple[str, str, str]]:
        return Acceptance, (self.reason, self.source, self.entry)

    def describe(self) -> str:
        """"Godtagen (kommentar i dokumentet): skälet" – the same words in every output."""
        where = {SOURCE_CONFIG: "malkoll.toml", SOURCE_BASELINE: "baslinjen", SOURCE_COMMENT: "kommentar i dokumentet"}
        return f"Godtagen ({where.get(self.source, self.source)}): {' '.join(self.reason.split())}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: the heading path and the exact block."""

    # Titles from the top of the hierarchy down to the target's parent, e.g.
    # ["KF:s mål 1.4 Stockholm ska …", "Nämndmål: Äldre har …", "Enhetsmål: …"].
    path: tuple[str, ...] = ()
    source: Source | None = None

    def __reduce__(self) -> tuple[type[Location], tuple[tuple[str, ...], Source | None]]:
        # Findings cross from the workers to the main process, and a run with thread
        # rules keeps them on disk until its threads are checked: pickled a few times
        # each. A frozen dataclass with slots pickles through Python-level
        # __getstate__/__setstate__ (one setattr per field); the constructor's
        # arguments are two to three times faster.
        return Location, (self.path, self.source)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    # The title of the goal / name of the indicator / title of the activity or
    # section the finding concerns; None for findings about the whole document.
    target: str | None
    # What kind of thing the target is ("enhetsmal", "indikator", …).
    target_type: str
    location: Location = field(default_factory=Location)
    # A short quote of the text the finding is about, for display.
    quote: str | None = None
    # Set when a person accepted the finding with a reason: shown everywhere, never fails the gate.
    accepted: Acceptance | None = None

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        # As Location.__reduce__: the constructor's arguments, in field order.
        return Finding, (self.rule, self.severity, self.message, self.target, self.target_type, self.location,
                         self.quote, self.accepted)
