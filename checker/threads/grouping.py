"""Documents → threads: one thread per unit and year, from what the documents say.

A document's place in a thread comes from its front page: the unit's name,
the document kind (VP, T1, T2, VB) and the year. Unit names are compared
tolerant of case, diacritics, punctuation, word order and the letter errors
of a scan ("Aspuddens hemtjänst", "ASPUDDENS HEMTJANST", "Aspudden
hemtjänst"). The plan for year N is the VP N; T1 N, T2 N and VB N follow it.

When a document says too little (no unit on the front page, a tertial report
that does not say which tertial), `[trad]` in malkoll.toml can say it
instead. A document that still fits no thread is never dropped: it is listed
with the reason, in Swedish.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.config import ThreadOverride as Override
from checker.text import fold_ocr, same_unit, unit_key

if TYPE_CHECKING:
    from checker.model import Report

# The documents of a thread, in the order they are written.
ROLES: tuple[str, ...] = ("VP", "T1", "T2", "VB")
ROLE_NAMES = {
    "VP": "verksamhetsplan",
    "T1": "tertialrapport 1",
    "T2": "tertialrapport 2",
    "VB": "verksamhetsberättelse",
}
ROLE_PLURALS = {
    "VP": "verksamhetsplaner",
    "T1": "tertialrapporter 1",
    "T2": "tertialrapporter 2",
    "VB": "verksamhetsberättelser",
}
_KIND_OF_ROLE = {"VP": "verksamhetsplan", "T1": "tertialrapport", "T2": "tertialrapport", "VB": "verksamhetsberattelse"}


@dataclass(frozen=True)
class DocInfo:
    """What grouping needs to know about one document."""

    path: Path
    kind: str | None
    tertial: int | None
    year: int | None
    unit: str | None
    # What the document is instead, when it is not a plan or report: it never forms a thread.
    other: str | None = None

    @classmethod
    def of(cls, path: Path, report: Report) -> DocInfo:
        return cls(Path(path), report.kind, report.tertial, report.year, report.unit, report.identity.other)

    @property
    def role(self) -> str | None:
        """"VP", "T1", "T2", "VB" – or None when the kind (or the tertial) is not known."""
        if self.kind == "verksamhetsplan":
            return "VP"
        if self.kind == "verksamhetsberattelse":
            return "VB"
        if self.kind == "tertialrapport" and self.tertial in (1, 2):
            return f"T{self.tertial}"
        return None


def apply_override(override: Override, info: DocInfo) -> DocInfo:
    """What [trad] says wins over what the document says."""
    changed = info
    if override.unit is not None:
        changed = replace(changed, unit=override.unit)
    if override.year is not None:
        changed = replace(changed, year=override.year)
    if override.role is not None:
        tertial = int(override.role[1]) if override.role.startswith("T") else None
        changed = replace(changed, kind=_KIND_OF_ROLE[override.role], tertial=tertial)
    return changed


@dataclass(frozen=True)
class Member:
    """A document in its thread."""

    info: DocInfo
    role: str
    # True when [trad] in malkoll.toml decided where the document belongs.
    overridden: bool = False

    @property
    def path(self) -> Path:
        return self.info.path


@dataclass
class Thread:
    """One unit's year: its plan and the reports that follow it (each role may hold several files)."""

    unit: str
    year: int
    members: dict[str, list[Member]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.unit} {self.year}"

    def primary(self, role: str) -> Member | None:
        """The document of a role the others are compared with (the first, by path, when there are several)."""
        found = self.members.get(role)
        return found[0] if found else None

    @property
    def roles(self) -> list[str]:
        return [role for role in ROLES if self.members.get(role)]

    def all_members(self) -> list[Member]:
        """Every document, in the order of the year (VP, T1, T2, VB), duplicates after their primary."""
        return [member for role in ROLES for member in self.members.get(role, [])]

    @property
    def size(self) -> int:
        return sum(len(found) for found in self.members.values())


@dataclass(frozen=True)
class Unplaced:
    """A document that fits no thread, and why (Swedish)."""

    path: Path
    reason: str


@dataclass
class Grouping:
    threads: list[Thread]
    unplaced: list[Unplaced]
    # Swedish notes for the coordinator: several documents of the same kind in one thread …
    notes: list[str]

    def thread_of(self, path: Path) -> Thread | None:
        for thread in self.threads:
            if any(member.path == path for member in thread.all_members()):
                return thread
        return None


def group_documents(docs: Iterable[DocInfo], overrides: Sequence[Override] = ()) -> Grouping:
    """Put each document in the thread of its unit and year; list those that fit none."""
    threads: list[Thread] = []
    keys: list[tuple[str, ...]] = []
    unplaced: list[Unplaced] = []
    names: dict[int, Counter[str]] = {}
    for info in sorted(docs, key=lambda d: d.path.as_posix()):
        override = next((o for o in overrides if o.matches(info.path)), None)
        if override is not None:
            info = apply_override(override, info)
        reason = _why_unplaced(info)
        if reason is not None:
            unplaced.append(Unplaced(info.path, reason))
            continue
        assert info.unit is not None and info.year is not None and info.role is not None
        key = unit_key(info.unit)
        position = next(
            (i for i, thread in enumerate(threads) if thread.year == info.year and same_unit(keys[i], key)), None
        )
        if position is None:
            threads.append(Thread(info.unit, info.year))
            keys.append(key)
            position = len(threads) - 1
        thread = threads[position]
        thread.members.setdefault(info.role, []).append(Member(info, info.role, override is not None))
        names.setdefault(position, Counter())[info.unit.strip()] += 1
    for position, thread in enumerate(threads):
        # The name most documents use (the first such, on a tie) names the thread.
        thread.unit = names[position].most_common(1)[0][0]
    threads.sort(key=lambda t: (fold_ocr(t.unit), t.year))
    return Grouping(threads, unplaced, _duplicate_notes(threads))


def _why_unplaced(info: DocInfo) -> str | None:
    if info.other is not None and info.kind is None:
        return f"hör inte till någon tråd: inte en plan eller rapport utan {info.other}."
    missing = []
    if info.kind is None:
        missing.append("dokumenttyp")
    if info.year is None:
        missing.append("år")
    if not info.unit or not info.unit.strip():
        missing.append("enhet")
    hint = " Ange det under [trad] i malkoll.toml, eller rätta försättsbladet."
    if missing:
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " och " + missing[-1]
        return f"hör inte till någon tråd: dokumentets {listed} kunde inte avgöras.{hint}"
    if info.role is None:
        return f"hör inte till någon tråd: tertialrapporten säger inte om den gäller tertial 1 eller 2.{hint}"
    return None


def _duplicate_notes(threads: Sequence[Thread]) -> list[str]:
    notes = []
    for thread in threads:
        for role in ROLES:
            found = thread.members.get(role, [])
            if len(found) > 1:
                files = ", ".join(member.path.name for member in found)
                notes.append(
                    f"{thread.label}: {len(found)} {ROLE_PLURALS[role]} ({files}); "
                    f"de andra dokumenten i tråden jämförs med {found[0].path.name}."
                )
    return notes
