"""The tiny problem type every rule produces and every output format consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from checker.model import Source


class Severity(IntEnum):
    """Three alert levels, ordered so that `>=` means "at least as serious"."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        """The English keyword used in rule files, config and JSON."""
        return self.name.lower()

    @property
    def swedish(self) -> str:
        return _SWEDISH[self]

    @classmethod
    def parse(cls, word: str) -> Severity:
        """Accept the English keyword or its Swedish name ("fel", "varning", "info")."""
        key = word.strip().lower()
        for severity, names in _NAMES.items():
            if key in names:
                return severity
        raise ValueError(word)


_SWEDISH = {Severity.INFO: "info", Severity.WARNING: "varning", Severity.ERROR: "fel"}
_NAMES = {
    Severity.INFO: {"info", "information"},
    Severity.WARNING: {"warning", "varning"},
    Severity.ERROR: {"error", "fel"},
}


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

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        # As Location.__reduce__: the constructor's arguments, in field order.
        return Finding, (self.rule, self.severity, self.message, self.target, self.target_type, self.location, self.quote)
