"""The three alert levels, and the words for them: free of pydantic, so the command line and
the configuration can parse a fail level without loading the report model."""

from __future__ import annotations

from enum import IntEnum


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
# The most serious first, English keyword first: the order listings show them in.
_NAMES = {
    Severity.ERROR: ("error", "fel"),
    Severity.WARNING: ("warning", "varning"),
    Severity.INFO: ("info", "information"),
}


def level_names() -> dict[str, str]:
    """Every accepted word for a level → its English keyword ("varning" → "warning")."""
    return {name: severity.label for severity, names in _NAMES.items() for name in names}
