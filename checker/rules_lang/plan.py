"""The typed plan: what a rule means, ready for the compiler.

`semantics` builds it from the syntax tree (resolving every word against the
vocabulary); `compiler` turns it into closures. It has a module of its own so
that a plan read back from the plan cache (`plan_cache`) needs neither the
syntax tree nor the analysis: a check of one file starts without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from checker.findings import Severity
from checker.rules_lang.errors import RuleError
from checker.rules_lang.functions import Function, PhraseMatcher
from checker.rules_lang.patterns import RulePattern
from checker.rules_lang.vocabulary import BOOL, NUMBER, Base, DocRef, EntityDef, FieldDef, Property, SubField, Type


@dataclass(frozen=True, slots=True)
class EConst:
    value: Any
    type: Type


@dataclass(frozen=True, slots=True)
class EField:
    depth: int  # 0: the innermost entity, 1: the one around it …
    field: FieldDef
    type: Type


@dataclass(frozen=True, slots=True)
class ELet:
    depth: int
    key: str
    type: Type


@dataclass(frozen=True, slots=True)
class ELoopVar:
    """The current field of a "för varje k i …" loop, read on the entity at `depth`."""

    key: str
    depth: int
    type: Type
    label_type: Type


@dataclass(frozen=True, slots=True)
class EMember:
    base: Expr
    field: FieldDef
    type: Type


@dataclass(frozen=True, slots=True)
class ELoopMember:
    """`total.k`: the loop's current field read on another entity."""

    base: Expr
    key: str
    entity: EntityDef
    type: Type


@dataclass(frozen=True, slots=True)
class ESub:
    base: Expr
    sub: SubField
    type: Type


@dataclass(frozen=True, slots=True)
class ECall:
    function: Function
    args: tuple[Any, ...]  # Expr, EFieldRef, or a PhraseMatcher / str constant
    tail: tuple[Any, ...]  # FieldDef / SubField steps after the call
    type: Type


@dataclass(frozen=True, slots=True)
class EFieldRef:
    expr: Expr
    field: FieldDef
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class ECount:
    kind: str | None  # an entity kind under the current entity …
    source: Expr | None  # … or a list field
    filters: tuple[Filter, ...]
    entity: EntityDef
    type: Type = NUMBER


@dataclass(frozen=True, slots=True)
class EArith:
    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    type: Type = NUMBER


@dataclass(frozen=True, slots=True)
class EDocRef:
    """A document of the thread named in rule text: "planen", "t2", "rapporten" …"""

    ref: DocRef
    type: Type = Type(Base.ENTITY, "dokument")


@dataclass(frozen=True, slots=True)
class EIn:
    """`base i document`: `base` read on the current thing's counterpart in another document."""

    base: Expr
    document: Expr
    type: Type


Expr = Union[EConst, EField, ELet, ELoopVar, EMember, ELoopMember, ESub, ECall, ECount, EArith, EFieldRef, EDocRef, EIn]


@dataclass(frozen=True, slots=True)
class CPresence:
    expr: Expr
    label: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class CWords:
    expr: Expr
    minimum: Expr
    besides: PhraseMatcher | None
    label: str


@dataclass(frozen=True, slots=True)
class CCompare:
    operands: tuple[Expr, ...]
    ops: tuple[str, ...]
    modes: tuple[str, ...]  # per pair: "number", "text" or "date"


@dataclass(frozen=True, slots=True)
class CProperty:
    expr: Expr
    prop: Property
    negated: bool


@dataclass(frozen=True, slots=True)
class CIsText:
    """Equality with one of a few texts (folded) or enum values (codes)."""

    expr: Expr
    values: frozenset[str]
    enum: bool
    negated: bool


@dataclass(frozen=True, slots=True)
class CContains:
    expr: Expr
    matcher: PhraseMatcher
    negated: bool
    starts: bool = False


@dataclass(frozen=True, slots=True)
class CMatches:
    expr: Expr
    regex: RulePattern


@dataclass(frozen=True, slots=True)
class CLike:
    expr: Expr
    other: str


@dataclass(frozen=True, slots=True)
class CTruthy:
    """A boolean function call used as a condition."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class CAnd:
    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class COr:
    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class CNot:
    item: Cond


@dataclass(frozen=True, slots=True)
class CIf:
    cond: Cond
    then: Cond
    otherwise: Cond | None


@dataclass(frozen=True, slots=True)
class CForEach:
    key: str
    var: str  # as written, for the placeholder
    fields: tuple[FieldDef, ...]
    depth: int
    body: Cond


Cond = Union[CPresence, CWords, CCompare, CProperty, CIsText, CContains, CMatches, CLike, CTruthy, CAnd, COr, CNot, CIf, CForEach]


@dataclass(frozen=True, slots=True)
class FWhere:
    cond: Cond
    negated: bool


@dataclass(frozen=True, slots=True)
class FLet:
    key: str
    expr: Expr


Filter = Union[FWhere, FLet]


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str  # as written
    evidence: str | None  # an evidence value ("saknas", "fras" …) …
    expr: Expr | None  # … or a field read in the finding's scope
    special: str | None = None  # "mål": the nearest goal's title


Template = tuple[Union[str, Placeholder], ...]


@dataclass(frozen=True, slots=True)
class SStatement:
    quantifier: str
    count: int | None
    entity: EntityDef
    filters: tuple[Filter, ...]
    # Requirements checked one by one (each failing one is a finding), or a nested statement.
    requirements: tuple[Cond, ...]
    nested: SStatement | None
    body: Cond | None  # the whole condition, for "ingen", "högst", "minst"
    template: Template
    # "varje enhetsmål i planen": the document (of the thread) to select in; None: where we are.
    source: Expr | None = None
    # "räknas som info": this requirement's findings have this level; None: the rule's.
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class RulePlan:
    id: str
    severity: Severity
    message: str
    help: str
    kinds: frozenset[str] | None
    statements: tuple[SStatement, ...]
    file: Path
    line: int
    source_text: str
    # True when the rule looks at other documents of a thread (planen, t2 …): it
    # is only run when the document is checked together with its thread.
    thread: bool = False


@dataclass(frozen=True, slots=True)
class ProfilePlan:
    name: str
    description: str | None
    members: frozenset[str]


@dataclass(slots=True)
class Analysis:
    rules: list[RulePlan] = field(default_factory=list)
    profiles: dict[str, ProfilePlan] = field(default_factory=dict)
    errors: list[RuleError] = field(default_factory=list)
