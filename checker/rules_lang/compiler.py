"""The typed plan → Python closures, built once when the rules are loaded.

No rule text is ever evaluated with `eval`: each construct of the language
becomes a small closure, and a rule becomes one function from a report's
node tree to findings.

Conditions use three-valued logic. Besides true and false a condition can be
*unknown* (None) — a number compared with an empty cell, a function asked
about a part that does not exist. Unknown never selects an entity in a
filter and never produces a finding; that is what keeps a missing value from
being reported twice, once as missing and once as wrong.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.findings import Finding, Location, Severity
from checker.rules_lang import plan as ir
from checker.rules_lang.functions import (
    MISSING,
    CallContext,
    Evidence,
    FieldRef,
    PhraseMatcher,
    Shown,
    display,
    excerpt,
    merge,
    names_alike,
    shown,
    words_besides,
)
from checker.rules_lang.errors import swedish_list
from checker.rules_lang.vocabulary import (
    DateCell,
    TextBlock,
    as_number,
    as_paragraphs,
    as_text,
    is_present,
    presence_test,
)
from checker.rules_lang.runtime import Node, ReportIndex, root_of
from checker.display import shorten
from checker.text import fold

Outcome = tuple[bool | None, Evidence | None]
ValueFn = Callable[["Env"], Any]
CondFn = Callable[["Env"], Outcome]
Emit = Callable[["Env", Evidence | None, "Message"], None]

# Regular expressions from rule authors run on at most this much text.
MAX_MATCH_CHARS = 100_000


class Env:
    """Where a condition is evaluated: the current node, the ones around it, and bindings."""

    __slots__ = ("node", "parent", "lets", "loops", "index")

    def __init__(self, node: Node, parent: Env | None, loops: dict[str, Any], index: ReportIndex) -> None:
        self.node = node
        self.parent = parent
        self.lets: dict[str, Any] = {}
        self.loops = loops
        self.index = index

    def up(self, depth: int) -> Env:
        env = self
        for _ in range(depth):
            assert env.parent is not None
            env = env.parent
        return env

    def with_loop(self, key: str, value: Any) -> Env:
        copy = Env(self.node, self.parent, {**self.loops, key: value}, self.index)
        copy.lets = self.lets
        return copy


# --- expressions -------------------------------------------------------------------------------


def compile_expr(expr: ir.Expr) -> ValueFn:
    if isinstance(expr, ir.EConst):
        value = expr.value
        return lambda env: value
    if isinstance(expr, ir.EField):
        get, depth = expr.field.get, expr.depth
        if depth == 0:
            return lambda env: get(env.node)
        return lambda env: get(env.up(depth).node)
    if isinstance(expr, ir.ELet):
        key, depth = expr.key, expr.depth
        return lambda env: env.up(depth).lets.get(key)
    if isinstance(expr, ir.ELoopVar):
        key, depth = expr.key, expr.depth
        if depth == 0:
            return lambda env: env.loops[key].get(env.node)
        return lambda env: env.loops[key].get(env.up(depth).node)
    if isinstance(expr, ir.EMember):
        base, get = compile_expr(expr.base), expr.field.get

        def member(env: Env) -> Any:
            node = base(env)
            return get(node) if node is not None else None

        return member
    if isinstance(expr, ir.ELoopMember):
        base, key, fields = compile_expr(expr.base), expr.key, expr.entity.fields

        def loop_member(env: Env) -> Any:
            node = base(env)
            return fields[env.loops[key].id].get(node) if node is not None else None

        return loop_member
    if isinstance(expr, ir.ESub):
        base, get = compile_expr(expr.base), expr.sub.get

        def sub(env: Env) -> Any:
            value = base(env)
            return get(value) if value is not None else None

        return sub
    if isinstance(expr, ir.ECall):
        call = compile_call(expr)
        return lambda env: call(env)[0]
    if isinstance(expr, ir.ECount):
        return compile_count(expr)
    if isinstance(expr, ir.EArith):
        return compile_arith(expr)
    if isinstance(expr, ir.EFieldRef):
        inner, field_def = compile_expr(expr.expr), expr.field
        return lambda env: FieldRef(field_def, inner(env))
    if isinstance(expr, ir.EDocRef):
        return compile_docref(expr.ref.role)
    if isinstance(expr, ir.EIn):
        return compile_in(expr)
    raise TypeError(expr)  # pragma: no cover


# --- threads: other documents of the same unit and year ---------------------------------------


def checked_root(env: Env) -> Node:
    """The root of the document being checked (the outermost scope)."""
    while env.parent is not None:
        env = env.parent
    return env.node


def compile_docref(role: str) -> ValueFn:
    if role == "current":
        return checked_root

    def document(env: Env) -> Node | None:
        links = env.index.thread
        return links.document(role, checked_root(env)) if links is not None else None

    return document


def counterpart_env(env: Env, document: Node | None) -> Env | None:
    """`env` moved to the current thing's counterpart in `document`; None when it has none."""
    if document is None:
        return None
    node = env.node
    if root_of(node) is document:
        return env
    links = env.index.thread
    if links is None:
        return None
    other = links.counterpart(node, document)
    index = links.index_of(other) if other is not None else None
    if other is None or index is None:
        return None
    moved = Env(other, env.parent, env.loops, index)
    moved.lets = env.lets
    return moved


def compile_in(expr: ir.EIn) -> ValueFn:
    base, document = compile_expr(expr.base), compile_expr(expr.document)

    def in_document(env: Env) -> Any:
        moved = counterpart_env(env, document(env))
        return base(moved) if moved is not None else None

    return in_document


def compile_call(expr: ir.ECall) -> Callable[[Env], tuple[Any, Evidence | None]]:
    impl = expr.function.impl
    arg_fns: list[ValueFn] = []
    for arg in expr.args:
        if isinstance(arg, (PhraseMatcher, str)):
            arg_fns.append(_constant(arg))
        else:
            arg_fns.append(compile_expr(arg))

    def call(env: Env) -> tuple[Any, Evidence | None]:
        args = tuple(fn(env) for fn in arg_fns)
        return impl(CallContext(env.node, env.index), args)

    return call


def _constant(value: Any) -> ValueFn:
    return lambda env: value


def compile_count(expr: ir.ECount) -> ValueFn:
    filters = compile_filters(expr.filters)
    kind = expr.kind
    source = compile_expr(expr.source) if expr.source is not None else None

    def count(env: Env) -> float:
        nodes = env.index.descendants(env.node, kind) if kind is not None else (source(env) or [])  # type: ignore[misc]
        if not filters:
            return float(len(nodes))
        return float(sum(1 for node in nodes if select(Env(node, env, env.loops, env.index), filters)[0]))

    return count


def compile_arith(expr: ir.EArith) -> ValueFn:
    first = compile_expr(expr.first)
    rest = [(operator.add if op == "+" else operator.sub, compile_expr(e)) for op, e in expr.rest]

    def arith(env: Env) -> float | None:
        total = as_number(first(env))
        for op, fn in rest:
            number = as_number(fn(env))
            if total is None or number is None:
                return None
            total = op(total, number)
        return total

    return arith


# --- conditions --------------------------------------------------------------------------------


def compile_cond(cond: ir.Cond, *, collect_missing: bool = False) -> CondFn:
    handler = _COND_COMPILERS[type(cond)]
    if isinstance(cond, ir.CAnd):
        return _compile_and(cond, collect_missing)
    return handler(cond)


def _compile_presence(cond: ir.CPresence) -> CondFn:
    value_fn, label, negated = compile_expr(cond.expr), cond.label, cond.negated
    test = presence_test(cond.expr.type)

    def presence(env: Env) -> Outcome:
        present = test(value_fn(env))
        evidence = None if present else Evidence(missing=[label])
        return (not present if negated else present), evidence

    return presence


def _compile_words(cond: ir.CWords) -> CondFn:
    value_fn, minimum_fn, besides, label = compile_expr(cond.expr), compile_expr(cond.minimum), cond.besides, cond.label
    type_ = cond.expr.type

    def enough_words(env: Env) -> Outcome:
        minimum = as_number(minimum_fn(env))
        if minimum is None:
            return None, None
        value = value_fn(env)
        count = words_besides(value, besides)
        text = as_text(value)
        evidence = Evidence(
            source=value.source if isinstance(value, TextBlock) else None,
            quote=shorten(text, 110, keep_controls=True) if text.strip() else None,
            values={"ord": str(count), "antal_ord": count_in_words(count)},
            missing=[] if is_present(type_, value) else [label],
        )
        return count >= minimum, evidence

    return enough_words


def count_in_words(count: int) -> str:
    """ "inga ord", "bara 1 ord", "bara 12 ord": a count a message can say without "bara 0"."""
    return "inga ord" if count == 0 else f"bara {count} ord"


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "==": operator.eq, "!=": operator.ne, "<>": operator.ne, "≠": operator.ne,
    "<": operator.lt, "<=": operator.le, "≤": operator.le, ">": operator.gt, ">=": operator.ge, "≥": operator.ge,
}


def _comparable(value: Any, mode: str) -> Any:
    return _COMPARABLE.get(mode, _text_key)(value)


def _date_of(value: Any) -> Any:
    return value.date if isinstance(value, DateCell) else None


def _text_key(value: Any) -> Any:
    if value is None:
        return None
    return " ".join(_WORDLESS.sub(" ", fold(as_text(value))).split())


_COMPARABLE: dict[str, Callable[[Any], Any]] = {"number": as_number, "date": _date_of, "text": _text_key}


def _compile_compare(cond: ir.CCompare) -> CondFn:
    operand_fns = [compile_expr(o) for o in cond.operands]
    types = [o.type for o in cond.operands]
    # One step per operator of a chain (a <= b <= c): the operator and how both sides are compared.
    steps = [(i, _OPS[op], _COMPARABLE.get(mode, _text_key)) for i, (op, mode) in enumerate(zip(cond.ops, cond.modes))]
    last = len(steps) - 1

    def evidence(values: list[Any], i: int) -> Evidence | None:
        """What the i-th step compared, for {vänster} and {höger} (put in words only if shown)."""
        if i < 0:
            return None
        return Evidence(values={"vänster": Shown(values[i], types[i]), "höger": Shown(values[i + 1], types[i + 1])})

    def compare(env: Env) -> Outcome:
        values = [fn(env) for fn in operand_fns]
        unknown = False
        for i, op, comparable in steps:
            left, right = comparable(values[i]), comparable(values[i + 1])
            if left is None or right is None:
                unknown = True
                continue
            if not op(left, right):
                return False, evidence(values, i)
        # As before: the evidence of the last step.
        return (None if unknown else True), evidence(values, last)

    return compare


def _compile_property(cond: ir.CProperty) -> CondFn:
    value_fn, test, type_, negated = compile_expr(cond.expr), cond.prop.test, cond.expr.type, cond.negated

    def has_property(env: Env) -> Outcome:
        result = test(type_, value_fn(env))
        return (not result if negated else result), None

    return has_property


def _compile_is_text(cond: ir.CIsText) -> CondFn:
    value_fn, values, enum, negated = compile_expr(cond.expr), cond.values, cond.enum, cond.negated

    def is_text(env: Env) -> Outcome:
        value = value_fn(env)
        if enum:
            result = value in values
        else:
            result = value is not None and _comparable(value, "text") in values
        return (not result if negated else result), None

    return is_text


def _compile_contains(cond: ir.CContains) -> CondFn:
    value_fn, matcher, negated, starts = compile_expr(cond.expr), cond.matcher, cond.negated, cond.starts

    def contains(env: Env) -> Outcome:
        paragraphs = as_paragraphs(value_fn(env), env.node.source)
        found = None
        if starts:
            for paragraph in paragraphs[:1]:
                phrase = matcher.starts(paragraph.text)
                if phrase is not None:
                    found = (paragraph, phrase, 0)
        else:
            found = matcher.find_in(paragraphs)
        if found is None:
            return negated, None
        paragraph, phrase, position = found
        evidence = Evidence(source=paragraph.source, quote=excerpt(paragraph.text, position), values={"fras": phrase})
        return (not negated), evidence

    return contains


def _compile_matches(cond: ir.CMatches) -> CondFn:
    value_fn, regex = compile_expr(cond.expr), cond.regex

    def matches(env: Env) -> Outcome:
        for paragraph in as_paragraphs(value_fn(env), env.node.source):
            text = fold(paragraph.text[:MAX_MATCH_CHARS])
            match = regex.search(text)
            if match is not None:
                return True, Evidence(source=paragraph.source, quote=excerpt(paragraph.text, match.start()),
                                      values={"fras": match.group(0)})
        return False, None

    return matches


def _compile_like(cond: ir.CLike) -> CondFn:
    value_fn, other = compile_expr(cond.expr), cond.other
    return lambda env: (names_alike(as_text(value_fn(env)), other), None)


def _compile_truthy(cond: ir.CTruthy) -> CondFn:
    expr = cond.expr
    if isinstance(expr, ir.ECall):
        call = compile_call(expr)

        def truthy_call(env: Env) -> Outcome:
            value, evidence = call(env)
            return (None if value is None else bool(value)), evidence

        return truthy_call
    value_fn = compile_expr(expr)
    return lambda env: (_bool(value_fn(env)), None)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _compile_and(cond: ir.CAnd, collect_missing: bool = False) -> CondFn:
    items = [compile_cond(i) for i in cond.items]
    # "har typ och år": evaluate every part so that {saknas} names everything missing.
    collect = collect_missing or all(isinstance(i, ir.CPresence) for i in cond.items)

    def and_(env: Env) -> Outcome:
        unknown = False
        evidence: Evidence | None = None
        failed: Evidence | None = None
        is_false = False
        for item in items:
            result, found = item(env)
            if result is False:
                if not collect:
                    return False, found
                is_false = True
                failed = merge(failed, found) if found is not None else failed
            elif result is None:
                unknown = True
            else:
                evidence = merge(evidence, found)
        if is_false:
            return False, failed
        return (None if unknown else True), evidence

    return and_


def _compile_or(cond: ir.COr) -> CondFn:
    items = [compile_cond(i) for i in cond.items]

    def or_(env: Env) -> Outcome:
        unknown = False
        evidence: Evidence | None = None
        for item in items:
            result, found = item(env)
            if result is True:
                return True, found
            if result is None:
                unknown = True
            evidence = merge(evidence, found)
        return (None if unknown else False), evidence

    return or_


def _compile_not(cond: ir.CNot) -> CondFn:
    item = compile_cond(cond.item)

    def not_(env: Env) -> Outcome:
        result, evidence = item(env)
        return (None if result is None else not result), evidence

    return not_


def _compile_if(cond: ir.CIf) -> CondFn:
    test, then = compile_cond(cond.cond), compile_cond(cond.then)
    otherwise = compile_cond(cond.otherwise) if cond.otherwise is not None else None

    def if_(env: Env) -> Outcome:
        result, _ = test(env)
        if result is None:
            return None, None
        if result:
            return then(env)
        if otherwise is None:
            return True, None
        return otherwise(env)

    return if_


def _compile_for_each(cond: ir.CForEach) -> CondFn:
    body, key, var, fields, depth = compile_cond(cond.body), cond.key, cond.var, cond.fields, cond.depth

    def for_each(env: Env) -> Outcome:
        unknown = False
        # One scope for the loop, its variable rebound for each field (the body keeps no scope it is given).
        loop_env = env.with_loop(key, None)
        loops = loop_env.loops
        for field_def in fields:
            loops[key] = field_def
            result, evidence = body(loop_env)
            if result is False:
                value = field_def.get(env.up(depth).node)
                found = Evidence(values={var: field_def.label, "värde": display(value, field_def.type)})
                return False, found.merge(evidence)
            if result is None:
                unknown = True
        return (None if unknown else True), None

    return for_each


_COND_COMPILERS: dict[type, Callable[[Any], CondFn]] = {
    ir.CPresence: _compile_presence,
    ir.CWords: _compile_words,
    ir.CCompare: _compile_compare,
    ir.CProperty: _compile_property,
    ir.CIsText: _compile_is_text,
    ir.CContains: _compile_contains,
    ir.CMatches: _compile_matches,
    ir.CLike: _compile_like,
    ir.CTruthy: _compile_truthy,
    ir.CAnd: _compile_and,
    ir.COr: _compile_or,
    ir.CNot: _compile_not,
    ir.CIf: _compile_if,
    ir.CForEach: _compile_for_each,
}

_WORDLESS = re.compile(r"[\W_]+")


# --- statements ---------------------------------------------------------------------------------

CompiledFilter = tuple[str, Any, bool]  # ("let", key+fn) or ("where", fn, negated)


def compile_filters(filters: tuple[ir.Filter, ...]) -> list[CompiledFilter]:
    compiled: list[CompiledFilter] = []
    for f in filters:
        if isinstance(f, ir.FLet):
            compiled.append(("let", (f.key, compile_expr(f.expr)), False))
        else:
            compiled.append(("where", compile_cond(f.cond), f.negated))
    return compiled


def select(env: Env, filters: list[CompiledFilter]) -> tuple[bool, Evidence | None]:
    """Apply a selection's filters in order; lets bind values for the later ones."""
    evidence: Evidence | None = None
    for kind, payload, negated in filters:
        if kind == "let":
            key, fn = payload
            env.lets[key] = fn(env)
            continue
        result, found = payload(env)
        if negated and result is not None:
            result = not result
        if result is not True:
            return False, None
        if found is not None:  # merge(evidence, found), without the call for the common None
            evidence = found if evidence is None else evidence.merge(found)
    return True, evidence


StatementFn = Callable[[Env, Emit], None]


def compile_statement(statement: ir.SStatement) -> StatementFn:
    kind = statement.entity.id
    filters = compile_filters(statement.filters)
    quantifier, count = statement.quantifier, statement.count or 0
    template = Message.compile(statement.template, statement.severity)
    nested = compile_statement(statement.nested) if statement.nested is not None else None
    requirements = [compile_cond(r) for r in statement.requirements]
    body = compile_cond(statement.body) if statement.body is not None else None
    source = compile_expr(statement.source) if statement.source is not None else None

    def candidates(env: Env) -> tuple[list[Node], ReportIndex]:
        if source is None:
            return env.index.descendants(env.node, kind), env.index
        # "varje X i planen": the X under the plan's counterpart of where we are.
        moved = counterpart_env(env, source(env))
        if moved is None:
            return [], env.index
        return moved.index.descendants(moved.node, kind), moved.index

    def selected(env: Env) -> list[tuple[Env, Evidence | None]]:
        chosen: list[tuple[Env, Evidence | None]] = []
        nodes, index = candidates(env)
        if not filters:
            return [(Env(node, env, env.loops, index), None) for node in nodes]
        for node in nodes:
            child = Env(node, env, env.loops, index)
            ok, evidence = select(child, filters)
            if ok:
                chosen.append((child, evidence))
        return chosen

    def every(env: Env, emit: Emit) -> None:
        for child, _ in selected(env):
            if nested is not None:
                nested(child, emit)
                continue
            for requirement in requirements:
                result, evidence = requirement(child)
                if result is False:
                    emit(child, evidence, template)

    def none(env: Env, emit: Emit) -> None:
        for child, found in selected(env):
            if body is None:
                emit(child, found, template)
                continue
            result, evidence = body(child)
            if result is True:
                emit(child, merge(found, evidence), template)

    def bounded(env: Env, emit: Emit) -> None:
        matching = [child for child, _ in selected(env) if body is None or body(child)[0] is True]
        too_many = quantifier == "at_most" and len(matching) > count
        too_few = quantifier == "at_least" and len(matching) < count
        if too_many or too_few:
            source = matching[count].node.source if too_many else None
            emit(env, Evidence(source=source, values={"antal": str(len(matching))}), template)

    return {"every": every, "no": none}.get(quantifier, bounded)


# --- findings ---------------------------------------------------------------------------------------


PartFn = Callable[[Env, "Evidence | None"], str]


@dataclass(frozen=True, slots=True)
class Message:
    """A message template with its placeholders compiled."""

    template: ir.Template
    values: dict[int, ValueFn]
    # The template's text as it is, and each placeholder as a function of the scope and the evidence.
    parts: tuple[str | PartFn, ...] = ()
    # The level of the requirement's findings when it is not the rule's ("räknas som info").
    severity: Severity | None = None

    @classmethod
    def compile(cls, template: ir.Template, severity: Severity | None = None) -> Message:
        values = {
            i: compile_expr(p.expr)
            for i, p in enumerate(template)
            if isinstance(p, ir.Placeholder) and p.expr is not None
        }
        parts = tuple(part if isinstance(part, str) else _compile_part(part, values.get(i)) for i, part in enumerate(template))
        return cls(template, values, parts, severity)

    def render(self, env: Env, evidence: Evidence | None) -> str:
        text = "".join([part if isinstance(part, str) else part(env, evidence) for part in self.parts])
        return " ".join(text.split())


def _compile_part(part: ir.Placeholder, value: ValueFn | None) -> PartFn:
    if part.special == "mål":
        return _goal_title
    name = part.evidence
    if name is not None:
        return lambda env, evidence: _evidence_value(name, evidence)
    assert part.expr is not None and value is not None
    type_ = part.expr.type
    return lambda env, evidence: display(value(env), type_)


def _goal_title(env: Env, evidence: Evidence | None) -> str:
    goal = env.node.nearest_goal()
    return shorten(goal.title or MISSING, 80, keep_controls=True) if goal is not None else MISSING


def _evidence_value(name: str, evidence: Evidence | None) -> str:
    if evidence is None:
        return MISSING
    if name == "saknas":
        return swedish_list(evidence.missing) or MISSING
    return shown(evidence.values.get(name)) or MISSING


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to run: call it with a report's index to get its findings."""

    plan: ir.RulePlan
    statements: tuple[StatementFn, ...]

    def __call__(self, index: ReportIndex) -> list[Finding]:
        findings: list[Finding] = []
        seen: set[tuple[Any, ...]] = set()
        root = Env(index.root, None, {}, index)
        rule_id, severity = self.plan.id, self.plan.severity

        def emit(env: Env, evidence: Evidence | None, message: Message) -> None:
            level = message.severity if message.severity is not None else severity  # INFO is 0: not "or"
            finding = make_finding(rule_id, level, message, env, evidence)
            key = (finding.message, finding.target, finding.location.source, finding.target_type)
            if key not in seen:
                seen.add(key)
                findings.append(finding)

        for statement in self.statements:
            statement(root, emit)
        return findings


def make_finding(rule_id: str, severity: Severity, message_: Message, env: Env, evidence: Evidence | None) -> Finding:
    node = env.node
    message = message_.render(env, evidence)
    checked = checked_root(env)
    if root_of(node) is not checked:
        return _foreign_finding(rule_id, severity, message, env, checked)
    source = evidence.source if evidence is not None and evidence.source is not None else node.source
    quote = evidence.quote if evidence is not None else None
    return Finding(
        rule=rule_id,
        severity=severity,
        message=message,
        target=node.title,
        target_type=node.kind,
        location=Location(path=node.path, source=source),
        quote=quote,
    )


def _foreign_finding(rule_id: str, severity: Severity, message: str, env: Env, checked: Node) -> Finding:
    """A finding about something of another document (a goal of the plan) belongs to the checked one.

    It points at the thing's counterpart here, or – when there is none, as for
    a goal the report left out – at the counterpart of the nearest goal above
    it (the nämndmål it stood under), so the coordinator sees where it is
    missing. Sources and quotes of the other document mean nothing here and
    are left out.
    """
    node = env.node
    links = env.index.thread
    current: Node | None = node
    anchor: Node | None = None
    while current is not None and anchor is None:
        anchor = links.counterpart(current, checked) if links is not None else None
        if anchor is None:
            current = current.parent
    if anchor is None:
        location = Location(path=node.path)
    elif current is node:
        location = Location(path=anchor.path, source=anchor.source)
    else:
        heading = anchor.heading
        location = Location(path=anchor.path + (heading,) if heading else anchor.path, source=anchor.source)
    own = anchor is not None and current is node
    return Finding(
        rule=rule_id,
        severity=severity,
        message=message,
        target=(anchor.title if own and anchor is not None else None) or node.title,
        target_type=node.kind,
        location=location,
        quote=None,
    )


def compile_rule(plan: ir.RulePlan) -> CompiledRule:
    return CompiledRule(plan, tuple(compile_statement(s) for s in plan.statements))
