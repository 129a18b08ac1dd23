"""What the overview shows at a glance, collected while files stream in.

- `UnitTable`: per unit and year, its documents side by side (VP, T1, T2,
  VB), each with its result; the order in which both formats list files.
- `RuleSummary`: per rule, its name, how many findings and how many units
  and files they are in.

Both keep a few words per file, never the findings themselves, so memory
stays small for a folder of thousands of reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ROLES: tuple[str, ...] = ("VP", "T1", "T2", "VB")
NO_UNIT = "(enhet okänd)"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def role_of(kind: str | None, tertial: int | None) -> str | None:
    """"VP", "T1", "T2", "VB" (None when the kind, or a tertial report's number, is unknown)."""
    if kind == "verksamhetsplan":
        return "VP"
    if kind == "verksamhetsberattelse":
        return "VB"
    if kind == "tertialrapport" and tertial in (1, 2):
        return f"T{tertial}"
    return None


def sort_key(unit: str | None, year: int | None, role: str | None, name: str) -> tuple[Any, ...]:
    """Files by unit, then year, then VP → T1 → T2 → VB; files of no known unit last."""
    place = ROLES.index(role) if role in ROLES else len(ROLES)
    return (unit is None, (unit or "").casefold(), year or 0, place, name.casefold(), name)


@dataclass(frozen=True)
class UnitDocument:
    role: str | None
    name: str
    status: str  # "godkand", "underkand", "olasbar", "ejgranskad"
    status_word: str
    errors: int
    warnings: int
    infos: int
    anchor: str  # the id of the file's row on the page


@dataclass
class UnitTable:
    groups: dict[tuple[str | None, int | None], list[UnitDocument]] = field(default_factory=dict)

    def add(self, entry: Any, anchor: str) -> None:
        document = UnitDocument(entry.role, entry.name, entry.status, entry.status_word, entry.errors,
                                entry.warnings, entry.infos, anchor)
        self.groups.setdefault((entry.unit, entry.year), []).append(document)

    def rows(self) -> list[tuple[str, int | None, dict[str, list[UnitDocument]], list[UnitDocument]]]:
        """(unit, year, role → its documents, documents of no known kind), units in order."""
        rows = []
        for unit, year in sorted(self.groups, key=lambda k: sort_key(k[0], k[1], None, "")):
            documents = sorted(self.groups[(unit, year)], key=lambda d: sort_key(unit, year, d.role, d.name))
            by_role = {role: [d for d in documents if d.role == role] for role in ROLES}
            other = [d for d in documents if d.role not in ROLES]
            rows.append((unit or NO_UNIT, year, by_role, other))
        return rows


@dataclass
class RuleCount:
    findings: int = 0
    units: set[str] = field(default_factory=set)
    files: int = 0


@dataclass
class RuleSummary:
    counts: dict[str, RuleCount] = field(default_factory=dict)

    def add(self, entry: Any) -> None:
        seen: set[str] = set()
        for finding in entry.findings:
            if finding.accepted is not None:  # accepted with a reason: shown in the file's list, not a common problem
                continue
            count = self.counts.setdefault(finding.rule, RuleCount())
            count.findings += 1
            count.units.add((entry.unit or NO_UNIT).casefold())
            if finding.rule not in seen:
                count.files += 1
                seen.add(finding.rule)

    def rows(self, rules: Any = None) -> list[tuple[str, str, int, int, int]]:
        """(rule id, its name, findings, units, files), most findings first."""
        found = [(rule_id, rule_name(rule_id, rules), c.findings, len(c.units), c.files)
                 for rule_id, c in self.counts.items()]
        return sorted(found, key=lambda row: (-row[2], row[0]))


def rule_name(rule_id: str, rules: Any) -> str:
    """The rule's message with its placeholders as "…": "Enhetsmålet ”…” saknar analys"."""
    get = getattr(rules, "get", None)
    rule = get(rule_id) if callable(get) else None
    message = getattr(rule, "message", None)
    if not message:
        return ""
    return " ".join(_PLACEHOLDER.sub("…", message).split())
