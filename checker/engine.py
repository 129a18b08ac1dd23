"""The rule engine: load rule files once, check reports with them.

    rules = load_rules([default_rules_dir()])          # raises RuleLoadError, all errors at once
    rules = rules.filtered(profile="utkast", ignore=[...])
    findings = check_report(report, rules)

The engine knows nothing about any particular rule: every requirement,
phrase and indicator name comes from the rule files (see docs/regelsprak.md).
"""

from __future__ import annotations

import gc
import importlib.resources
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import checker
from checker.findings import Finding, Location, Severity
from checker.model import Report
from checker.rules_lang.compiler import CompiledRule, compile_rule
from checker.rules_lang.errors import RuleError, RuleLoadError, suggest, swedish_list
from checker.rules_lang import plan_cache
from checker.rules_lang.plan import Analysis
from checker.rules_lang.runtime import ReportIndex, ThreadLinks

__all__ = ["Rule", "RuleSet", "RuleLoadError", "check_report", "check_thread", "default_rules_dir", "load_rules"]

log = logging.getLogger(__name__)

RULES_ENV = "MALKOLL_RULES"
# The built-in rules' folder inside an installed package (see setup.py).
SHIPPED_RULES = "rules"
RULE_SUFFIX = ".rules"
DEFAULT_PROFILE = "inlamning"
# The reserved profile of the gate's own safety (rules/profiler.rules): the rules
# that say a document could not be understood (type or year unknown, no goals,
# not a plan or report at all). A document Målkoll could not understand must
# never pass just because --select, --ignore with a prefix or a --profile left
# those rules out, so filtered() keeps them unless they are ignored by their
# exact id. It is a marker, not a phase: it is not listed or chosen as a profile.
SAFETY_PROFILE = "skydd"
# The order of the rule families in the catalog and the user guide: the document
# first, then the plan, the report, indicators, activities, complaints, threads.
# A listing follows it so that a coordinator finds a rule where the guide has it;
# families of a district's own rules come after, alphabetically.
CATALOG_FAMILIES = ("DK", "VP", "VB", "IN", "AK", "SK", "TR")


def default_rules_dir() -> Path:
    """The built-in rules: $MALKOLL_RULES, else the package's copy, else the checkout's rules/.

    An installed package (a wheel, `pip install .`, pipx) carries the rules as
    package data in checker/rules/, copied there from the top-level rules/ at
    build time (setup.py). A checkout, or an editable install of one, has no
    such copy and reads the top-level rules/ itself, where they are edited.
    """
    override = os.environ.get(RULES_ENV)
    if override:
        return Path(override)
    shipped = importlib.resources.files(checker) / SHIPPED_RULES
    # Only a package unpacked on disk has a rules folder load_rules can read;
    # a wheel is never installed zipped, so this holds wherever it is installed.
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return Path(checker.__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message: str
    help: str
    # Model Kind values the rule applies to; None = every document, also one of unknown kind.
    kinds: frozenset[str] | None
    profiles: frozenset[str]
    file: Path
    line: int
    # The rule's own text as written in its file.
    source_text: str
    # The rule compares the document with others of its thread (VP → T1 → T2 → VB):
    # it runs only when the document is checked together with its thread.
    thread: bool = False
    # A member of SAFETY_PROFILE: only an --ignore by its exact id switches it off.
    safety: bool = False


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    profiles: tuple[str, ...]
    _compiled: dict[str, CompiledRule] = field(default_factory=dict, repr=False, compare=False)
    # Profile name → its description, for listings.
    descriptions: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def get(self, rule_id: str) -> Rule | None:
        key = rule_id.strip().upper()
        for rule in self.rules:
            if rule.id.upper() == key:
                return rule
        return None

    def in_catalog_order(self) -> list[Rule]:
        """The rules as the catalog lists them: by family (CATALOG_FAMILIES), then by number."""
        return sorted(self.rules, key=_catalog_key)

    def filtered(
        self,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        profile: str | None = None,
    ) -> RuleSet:
        """The rules chosen by profile, then --select, minus --ignore (ids or prefixes, ruff-style).

        With no profile the default profile "inlamning" applies when the rule
        files define it; otherwise every rule is used. The safety rules
        (SAFETY_PROFILE) are always kept unless --ignore names them by id.
        """
        chosen = list(self.rules)
        if profile is not None:
            name = self._profile_name(profile)
            chosen = [r for r in chosen if name in r.profiles]
        elif DEFAULT_PROFILE in self.profiles:
            chosen = [r for r in chosen if DEFAULT_PROFILE in r.profiles]
        if select:
            wanted = [self._check_prefix(p) for p in select]
            chosen = [r for r in chosen if any(_matches(r.id, p) for p in wanted)]
        if ignore:
            unwanted = [self._check_prefix(p) for p in ignore]
            chosen = [r for r in chosen if not any(_matches(r.id, p) for p in unwanted)]
        named = {p.strip().upper() for p in ignore}
        kept = {r.id for r in chosen}
        chosen = [r for r in self.rules if r.id in kept or (r.safety and r.id.upper() not in named)]
        return RuleSet(tuple(chosen), self.profiles, self._compiled, self.descriptions)

    def _profile_name(self, profile: str) -> str:
        for name in self.profiles:
            if name.casefold() == profile.strip().casefold():
                return name
        known = ", ".join(self.profiles) if self.profiles else "inga profiler är definierade"
        raise ValueError(f"Det finns ingen profil ”{profile}”{suggest(profile, self.profiles)} (profiler: {known}).")

    def _check_prefix(self, prefix: str) -> str:
        key = prefix.strip().upper()
        if key and any(_matches(r.id, key) for r in self.rules):
            return key
        ids = [r.id for r in self.rules]
        guess = suggest(prefix, ids) or "."
        raise ValueError(
            f"Det finns ingen regel som heter eller börjar med ”{prefix}”{guess} Skriv ”malkoll rules” för att se alla regler."
        )


def _matches(rule_id: str, prefix: str) -> bool:
    return rule_id.upper().startswith(prefix)


def load_rules(paths: Sequence[Path]) -> RuleSet:
    """Parse, check and compile rule files and directories (*.rules, sorted).

    Raises RuleLoadError with every error of every file; a broken rule set is
    never partly loaded.
    """
    files, errors = _read_all(paths)
    analysis = None if errors else plan_cache.load(files)
    if analysis is None:
        analysis = _analyse(files, errors)
    compiled = {plan.id: compile_rule(plan) for plan in analysis.rules}
    membership: dict[str, set[str]] = {plan.id: set() for plan in analysis.rules}
    for profile in analysis.profiles.values():
        for rule_id in profile.members:
            membership[rule_id].add(SAFETY_PROFILE if profile.name.casefold() == SAFETY_PROFILE else profile.name)
    rules = tuple(
        Rule(
            id=plan.id,
            severity=plan.severity,
            message=plan.message,
            help=plan.help,
            kinds=plan.kinds,
            profiles=frozenset(membership[plan.id] - {SAFETY_PROFILE}),
            file=plan.file,
            line=plan.line,
            source_text=plan.source_text,
            thread=plan.thread,
            safety=SAFETY_PROFILE in membership[plan.id],
        )
        for plan in analysis.rules
    )
    phases = {name: p for name, p in analysis.profiles.items() if name.casefold() != SAFETY_PROFILE}
    descriptions = {name: p.description for name, p in phases.items()}
    return RuleSet(rules, tuple(phases), compiled, descriptions)


def _analyse(files: list[tuple[Path, str]], errors: list[RuleError]) -> Analysis:
    """Parse and analyse rule files; `errors` are the reading errors so far, reported together with these.

    Imported here: an unchanged rule set comes from the plan cache without the parser or the analysis.
    """
    from checker.rules_lang.parser import parse_file
    from checker.rules_lang.semantics import analyse

    parsed = []
    for path, text in files:
        rule_file, file_errors = parse_file(path, text)
        parsed.append(rule_file)
        errors.extend(file_errors)
    analysis = analyse(parsed)
    errors.extend(analysis.errors)
    if errors:
        raise RuleLoadError(errors)
    plan_cache.store(files, analysis)
    return analysis


def _read_all(paths: Sequence[Path]) -> tuple[list[tuple[Path, str]], list[RuleError]]:
    files: list[tuple[Path, str]] = []
    errors: list[RuleError] = []
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            candidates = sorted(p for p in path.glob(f"*{RULE_SUFFIX}") if p.is_file())
            if not candidates:
                errors.append(RuleError(path, 0, 0, f"mappen innehåller inga regelfiler (*{RULE_SUFFIX})"))
        elif path.exists():
            candidates = [path]
        else:
            errors.append(RuleError(path, 0, 0, "regelfilen eller mappen finns inte"))
            continue
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                files.append((candidate, candidate.read_text(encoding="utf-8-sig")))
            except UnicodeDecodeError:
                errors.append(RuleError(candidate, 0, 0, "filen är inte sparad som UTF-8 – spara om den som UTF-8-text"))
            except OSError as exc:
                errors.append(RuleError(candidate, 0, 0, f"filen kunde inte läsas ({exc.strerror or exc})"))
    return files, errors


def _catalog_key(rule: Rule) -> tuple[int, str, int, str]:
    match = re.fullmatch(r"([A-Za-z]+)(\d*)", rule.id)
    family, number = (match.group(1).upper(), match.group(2)) if match else (rule.id.upper(), "")
    rank = CATALOG_FAMILIES.index(family) if family in CATALOG_FAMILIES else len(CATALOG_FAMILIES)
    return rank, family, int(number) if number else 0, rule.id


def check_report(report: Report, rules: RuleSet, *, thread: ThreadLinks | None = None) -> list[Finding]:
    """Every finding of every applicable rule, in document order, then by rule id.

    A rule that fails on unexpected data does not stop the others: its
    failure becomes an info finding naming the rule, and is logged. Rules that
    compare with other documents of a thread (the TR series) run only when
    `thread` links the report to them; a lone document skips them.
    """
    return _guarded(report, rules, thread, only_thread=False)


def check_thread(report: Report, rules: RuleSet, thread: ThreadLinks) -> list[Finding]:
    """Only the findings of the thread rules, for a report that was already checked on its own."""
    return _guarded(report, rules, thread, only_thread=True)


def _guarded(report: Report, rules: RuleSet, thread: ThreadLinks | None, *, only_thread: bool) -> list[Finding]:
    # Evaluating builds many short-lived objects next to a large report; the
    # cyclic collector's full passes over that report would make the time grow
    # faster than the document. Nothing here needs it until the check is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(report, rules, thread, only_thread)
    finally:
        if collecting:
            gc.enable()


def _index_for(report: Report, thread: ThreadLinks | None) -> ReportIndex:
    """The thread's own index of the report (so its nodes can be followed to the others), or a new one."""
    index = thread.index_of_report(report) if thread is not None else None
    return index if index is not None else ReportIndex(report)


def _check(report: Report, rules: RuleSet, thread: ThreadLinks | None = None, only_thread: bool = False) -> list[Finding]:
    from checker.limits import current
    from checker.rules_lang.patterns import PatternBudgetExceeded, time_budget

    index = _index_for(report, thread)
    findings: list[Finding] = []
    budget = current().max_rule_seconds
    for rule in rules.rules:
        if rule.kinds is not None and report.kind not in rule.kinds:
            continue
        if (rule.thread and index.thread is None) or (only_thread and not rule.thread):
            continue
        compiled = rules._compiled.get(rule.id)
        if compiled is None:
            continue
        try:
            with time_budget(budget):
                findings.extend(compiled(index))
        except PatternBudgetExceeded:
            findings.append(_over_budget(rule, budget))
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - one rule's failure must not stop the check
            log.warning("Regel %s kunde inte prövas på %s: %r", rule.id, report.path, exc, exc_info=True)
            findings.append(_internal_error(rule, exc))
    findings.sort(key=_document_order)
    return findings


def _internal_error(rule: Rule, exc: Exception) -> Finding:
    return Finding(
        rule=rule.id,
        severity=Severity.INFO,
        message=(
            f"Regeln {rule.id} kunde inte prövas på det här dokumentet på grund av ett internt fel "
            f"({type(exc).__name__}). Övriga regler har prövats. Rapportera gärna felet."
        ),
        target=None,
        target_type="dokument",
        location=Location(),
        quote=None,
    )


def _over_budget(rule: Rule, seconds: float) -> Finding:
    """A rule whose patterns took too long on this document: said at the rule's own level (never a silent pass)."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=(
            f"Regeln {rule.id} hann inte prövas klart på det här dokumentet: dess reguljära uttryck tog mer än "
            f"{seconds:g} sekunder och avbröts (max-rule-seconds under [limits]). Förenkla mönstret i regelfilen."
        ),
        target=None,
        target_type="dokument",
        location=Location(),
        quote=None,
    )


def _document_order(finding: Finding) -> tuple[int, str]:
    source = finding.location.source
    return (source.block if source is not None else -1, finding.rule)


def describe_profiles(rules: RuleSet) -> str:
    """"utkast (7 regler), inlamning (22 regler)" – for listings."""
    parts = []
    for name in rules.profiles:
        count = sum(1 for r in rules.rules if name in r.profiles)
        parts.append(f"{name} ({count} {'regel' if count == 1 else 'regler'})")
    return swedish_list(parts)
