"""Load-time checks: names, types, scopes and placeholders, turned into a typed plan.

The syntax tree says what the author wrote; this module decides what it
means. Every word is resolved against the vocabulary (entities, fields,
properties), the phrase lists and the built-in functions; every comparison
is type-checked; every message placeholder must exist where the message is
used. Each problem becomes a `RuleError` at the exact word, with a
"menade du …?" where a near miss exists. The result is the small typed plan
of `plan.py` (`E…`, `C…`, `SStatement`, `RulePlan`) that the compiler turns
into closures; nothing here runs against a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.findings import Severity
from checker.rules_lang import ast
from checker.rules_lang.errors import RuleError, suggest, swedish_list
from checker.rules_lang.functions import FUNCTIONS, Function, PhraseMatcher, lookup_function
from checker.rules_lang.plan import (
    EConst,
    EField,
    ELet,
    ELoopVar,
    EMember,
    ELoopMember,
    ESub,
    ECall,
    EFieldRef,
    ECount,
    EArith,
    EDocRef,
    EIn,
    Expr,
    CPresence,
    CWords,
    CCompare,
    CProperty,
    CIsText,
    CContains,
    CMatches,
    CLike,
    CTruthy,
    CAnd,
    COr,
    CNot,
    CIf,
    CForEach,
    Cond,
    FWhere,
    FLet,
    Filter,
    Placeholder,
    Template,
    SStatement,
    RulePlan,
    ProfilePlan,
    Analysis,
)
from checker.rules_lang.patterns import RulePattern, compile_pattern, regex_problem
from checker.rules_lang.vocabulary import (
    CONTAINS,
    DOC_REFS,
    MATCHABLE_KINDS,
    DocRef,
    lookup_docref,
    ENTITIES,
    ENUMS,
    NUMBER,
    PROPERTIES,
    SCOPE_WORDS,
    Base,
    EntityDef,
    FieldDef,
    Type,
    entity_words,
    lookup_entity,
    lookup_property,
    lookup_scope,
    lookup_subfield,
    name_key,
    SUBFIELDS,
)
from checker.text import fold

# --- scope ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Loop:
    var: str
    fields: tuple[FieldDef, ...]
    depth_at: int  # scope length when the loop was opened
    entity_depth: int  # depth of the entity the fields belong to, counted from that scope
    type: Type


@dataclass(slots=True)
class _Level:
    entity: EntityDef
    lets: dict[str, Type] = field(default_factory=dict)
    loops: dict[str, _Loop] = field(default_factory=dict)


# Placeholders every message may use besides fields.
_SPECIAL_PLACEHOLDERS = {"mål": "mål", "mal": "mål"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# "{årsmål i planen}": a field of the counterpart in another document of the thread.
_IN_DOCUMENT = re.compile(r"^\s*(.+?)\s+(?:i|in)\s+(.+?)\s*$", re.IGNORECASE)
_SEVERITY_WORDS = ["fel", "varning", "info", "error", "warning"]


class _Checker:
    """Checks one rule at a time; errors are collected, never raised."""

    def __init__(self, phrase_lists: dict[str, tuple[str, ...]], file: ast.RuleFile, errors: list[RuleError]) -> None:
        self.phrase_lists = phrase_lists
        self.file = file
        self.errors = errors
        self.evidence: set[str] = set()
        self._matchers: dict[tuple[str, ...], PhraseMatcher] = {}
        # Set when the rule names another document of the thread.
        self.uses_thread = False

    # errors

    def error(self, pos: ast.Pos, message: str) -> None:
        self.errors.append(
            RuleError(self.file.path, pos.line, pos.column, message, self.file.line_text(pos.line), pos.length)
        )

    # statements

    def statement(
        self, node: ast.Statement, scope: list[_Level], message: ast.TextLit, severity: Severity | None = None
    ) -> SStatement | None:
        outer = scope[-1].entity
        entity = lookup_entity(node.entity.text)
        if entity is None:
            self.error(node.entity.pos, f"okänd sak ”{node.entity.text}”{suggest(node.entity.text, entity_words())}"
                       f" (möjliga: {swedish_list(entity_words(), 'och')})")
            return None
        if entity.id != "dokument" and entity.id not in CONTAINS.get(outer.id, frozenset()):
            self.error(node.entity.pos, f"”{node.entity.text}” finns inte under {outer.label}"
                       + _reachable_hint(outer))
            return None
        source: Expr | None = None
        if node.source is not None:
            source = self.statement_source(node.source, scope, node.entity.text)
            if source is None:
                return None
        level = _Level(entity)
        inner = scope + [level]
        # Placeholders filled by what a condition found ({fras}, {saknas} …) belong to this statement.
        self.evidence = set()
        filters = tuple(f for f in (self.filter(f, inner) for f in node.filters) if f is not None)
        if len(filters) != len(node.filters):
            return None
        quantifier = node.quantifier.kind
        requirements: tuple[Cond, ...] = ()
        nested: SStatement | None = None
        body: Cond | None = None
        if isinstance(node.body, ast.Statement):
            if quantifier != "every":
                self.error(node.body.pos, "efter ”ingen”, ”högst” och ”minst” kan ingen ny ”varje” följa – "
                           "skriv villkoret direkt, t.ex. ”ingen analys innehåller …”")
                return None
            nested = self.statement(node.body, inner, node.message or message, _first_level(self.level(node), severity))
            if nested is None:
                return None
            return SStatement(quantifier, node.quantifier.count, entity, filters, (), nested, None, (), source)
        if node.body is not None:
            body = self.cond(node.body, inner)
            if body is None:
                return None
            requirements = _requirements(body) if quantifier == "every" else (body,)
        elif quantifier == "every":
            self.error(node.pos, "”varje …” behöver ett krav, t.ex. ”varje enhetsmål har analys”")
            return None
        finding_scope = inner if quantifier in ("every", "no") else scope
        if quantifier in ("at_most", "at_least"):
            self.evidence.add("antal")
        template = self.template(node.message or message, finding_scope)
        if template is None:
            return None
        return SStatement(quantifier, node.quantifier.count, entity, filters, requirements, None, body, template, source,
                          _first_level(self.level(node), severity))

    def level(self, node: ast.Statement) -> Severity | None:
        """"räknas som info" written after a requirement."""
        if node.severity is None:
            return None
        try:
            return Severity.parse(node.severity.text)
        except ValueError:
            self.error(node.severity.pos, f"okänd nivå ”{node.severity.text}”"
                                          f"{suggest(node.severity.text, _SEVERITY_WORDS)} (nivån ska vara fel, varning eller info)")
            return None

    def statement_source(self, path: ast.Path, scope: list[_Level], entity_word: str) -> Expr | None:
        """"varje X i planen": among the things under the plan's counterpart of where we are."""
        outer = scope[-1].entity
        if outer.id not in MATCHABLE_KINDS:
            self.error(path.pos, f"”{entity_word} i {path.text}” går inte under {outer.label} – bara under dokumentet "
                       "och under mål, resultat, indikatorer och aktiviteter, som har en motsvarighet i trådens andra dokument")
            return None
        return self.document(path, scope)

    # threads

    def document(self, path: ast.Path, scope: list[_Level]) -> Expr | None:
        """A document of the thread: a document word ("planen", "t2" …) or an expression giving one."""
        if len(path.segments) == 1:
            ref = lookup_docref(path.segments[0].text)
            if ref is not None:
                return self.docref(ref)
        expr = self._path(path, scope, report=False)
        if expr is not None and expr.type == Type(Base.ENTITY, "dokument"):
            return expr
        words = [ref.label for ref in DOC_REFS]
        self.error(path.pos, f"”{path.text}” är inget dokument i tråden{suggest(path.text, words)} "
                   f"(möjliga: {swedish_list(['”' + w + '”' for w in words], 'och')})")
        return None

    def docref(self, ref: DocRef) -> EDocRef:
        if ref.role != "current":
            self.uses_thread = True
        return EDocRef(ref)

    def in_doc(self, node: ast.InDoc, scope: list[_Level]) -> Expr | None:
        entity = scope[-1].entity
        if entity.id not in MATCHABLE_KINDS:
            kinds = swedish_list(sorted(ENTITIES[k].label for k in MATCHABLE_KINDS), "och")
            self.error(node.pos, f"”{_written(node)}” går inte att använda på {entity.label}: bara {kinds} "
                       "har en motsvarighet i trådens andra dokument")
            return None
        document = self.document(node.document, scope)
        if document is None:
            return None
        # The field is read on the counterpart, so it must be a field of the thing itself.
        own = [_Level(entity)]
        base = self._path(node.expr, own, report=False)
        if base is None:
            self.unknown_field(node.expr.segments[0], own[0])
            return None
        self.uses_thread = True
        return EIn(base, document, base.type)

    def filter(self, node: ast.Filter, scope: list[_Level]) -> Filter | None:
        if isinstance(node, ast.Let):
            expr = self.expr(node.expr, scope)
            if expr is None:
                return None
            key = name_key(node.name.text)
            scope[-1].lets[key] = expr.type
            return FLet(key, expr)
        cond = self.cond(node.cond, scope)
        if cond is None:
            return None
        return FWhere(cond, negated=node.mode == "without")

    # message templates

    def template(self, message: ast.TextLit, scope: list[_Level]) -> Template | None:
        text = message.value
        parts: list[str | Placeholder] = []
        ok = True
        position = 0
        literal: list[str] = []
        while position < len(text):
            ch = text[position]
            if text.startswith("{{", position) or text.startswith("}}", position):
                literal.append(ch)
                position += 2
                continue
            if ch == "}":
                self.error(message.pos_at(position), "ensam ”}” i meddelandet – skriv ”}}” för att få tecknet ”}”")
                return None
            if ch != "{":
                literal.append(ch)
                position += 1
                continue
            end = text.find("}", position + 1)
            if end < 0 or "{" in text[position + 1 : end]:
                self.error(message.pos_at(position), "platshållaren stängs aldrig – det saknas ett ”}”")
                return None
            if literal:
                parts.append("".join(literal))
                literal = []
            name = text[position + 1 : end].strip()
            placeholder = self.placeholder(name, message.pos_at(position + 1, max(1, end - position - 1)), scope)
            if placeholder is None:
                ok = False
            else:
                parts.append(placeholder)
            position = end + 1
        if literal:
            parts.append("".join(literal))
        return tuple(parts) if ok else None

    def placeholder(self, name: str, pos: ast.Pos, scope: list[_Level]) -> Placeholder | None:
        key = name_key(name)
        if not key:
            self.error(pos, "tom platshållare ”{}” i meddelandet")
            return None
        for evidence in self.evidence:
            if name_key(evidence) == key:
                return Placeholder(name, evidence, None)
        if key in _SPECIAL_PLACEHOLDERS:
            return Placeholder(name, None, None, special=_SPECIAL_PLACEHOLDERS[key])
        in_doc = _IN_DOCUMENT.match(name)
        if in_doc is not None and lookup_docref(in_doc.group(2)) is not None:
            subject = ast.Path(tuple(ast.Word(s.strip(), pos) for s in in_doc.group(1).split(".")), pos)
            document = ast.Path((ast.Word(in_doc.group(2).strip(), pos),), pos)
            in_expr = self.in_doc(ast.InDoc(subject, document, pos), scope)
            return Placeholder(name, None, in_expr) if in_expr is not None else None
        path = ast.Path(tuple(ast.Word(s.strip(), pos) for s in name.split(".")), pos)
        expr = self._path(path, scope, report=False)
        if expr is not None:
            return Placeholder(name, None, expr)
        entity = scope[-1].entity
        candidates = sorted(self.evidence) + entity.field_names() + list(scope[-1].lets) + ["mål"]
        self.error(pos, f"okänd platshållare ”{{{name}}}” – {entity.label} har inget sådant fält"
                   f"{suggest(name, candidates)} (möjliga här: {swedish_list(['{' + c + '}' for c in candidates])})")
        return None

    # conditions

    def cond(self, node: ast.Cond, scope: list[_Level]) -> Cond | None:
        handler = getattr(self, "c_" + type(node).__name__.lower())
        return handler(node, scope)

    def c_and(self, node: ast.And, scope: list[_Level]) -> Cond | None:
        items = [self.cond(i, scope) for i in node.items]
        return CAnd(tuple(items)) if all(i is not None for i in items) else None  # type: ignore[arg-type]

    def c_or(self, node: ast.Or, scope: list[_Level]) -> Cond | None:
        items = [self.cond(i, scope) for i in node.items]
        return COr(tuple(items)) if all(i is not None for i in items) else None  # type: ignore[arg-type]

    def c_not(self, node: ast.Not, scope: list[_Level]) -> Cond | None:
        item = self.cond(node.item, scope)
        return CNot(item) if item is not None else None

    def c_if(self, node: ast.If, scope: list[_Level]) -> Cond | None:
        cond = self.cond(node.cond, scope)
        then = self.cond(node.then, scope)
        otherwise = self.cond(node.otherwise, scope) if node.otherwise is not None else None
        if cond is None or then is None or (node.otherwise is not None and otherwise is None):
            return None
        return CIf(cond, then, otherwise)

    def c_truthy(self, node: ast.Truthy, scope: list[_Level]) -> Cond | None:
        expr = self.expr(node.expr, scope)
        if expr is None:
            return None
        if expr.type.base is Base.BOOL:
            return CTruthy(expr)
        if isinstance(expr, EConst):
            self.error(node.pos, "ett värde ensamt är inget villkor – jämför det med något, t.ex. ”utfall >= 5”")
            return None
        self.evidence.add("saknas")
        return CPresence(expr, _label(expr))

    def c_has(self, node: ast.Has, scope: list[_Level]) -> Cond | None:
        expr = self.presence_expr(node.expr, scope, "har")
        if expr is None:
            return None
        if node.min_words is None:
            self.evidence.add("saknas")
            return CPresence(expr, _label(expr))
        if not expr.type.is_text:
            self.error(node.expr.pos, f"”med minst … ord” kräver en text, men ”{_written(node.expr)}” är {expr.type.describe()}")
            return None
        minimum = self.expr(node.min_words, scope)
        if minimum is None:
            return None
        if not minimum.type.is_number:
            self.error(node.min_words.pos, "antalet ord måste vara ett tal")
            return None
        besides = self.phrases(node.besides) if node.besides is not None else None
        if node.besides is not None and besides is None:
            return None
        self.evidence.update({"ord", "antal_ord", "saknas"})
        return CWords(expr, minimum, besides, _label(expr))

    def c_lacks(self, node: ast.Lacks, scope: list[_Level]) -> Cond | None:
        expr = self.presence_expr(node.expr, scope, "saknar")
        if expr is None:
            return None
        self.evidence.add("saknas")
        return CPresence(expr, _label(expr), negated=True)

    def presence_expr(self, node: ast.Expr, scope: list[_Level], word: str) -> Expr | None:
        if isinstance(node, (ast.Number, ast.String)):
            self.error(node.pos, f"efter ”{word}” ska ett fält stå, t.ex. ”{word} analys”")
            return None
        return self.expr(node, scope)

    def c_compare(self, node: ast.Compare, scope: list[_Level]) -> Cond | None:
        operands = [self.expr(o, scope) for o in node.operands]
        if any(o is None for o in operands):
            return None
        modes: list[str] = []
        converted: list[Expr] = list(operands)  # type: ignore[arg-type]
        for i, (op, op_pos) in enumerate(node.ops):
            left, right = converted[i], converted[i + 1]
            mode = self.comparison_mode(left, right, node.operands[i], node.operands[i + 1], op, op_pos)
            if mode is None:
                return None
            if mode == "date":
                converted[i] = _date_const(left)
                converted[i + 1] = _date_const(right)
            if mode == "enum":
                enum_side = left if left.type.base is Base.ENUM else right
                other_ast = node.operands[i + 1] if enum_side is left else node.operands[i]
                const = self.enum_constant(enum_side.type, other_ast)
                if const is None:
                    return None
                if enum_side is left:
                    converted[i + 1] = const
                else:
                    converted[i] = const
                mode = "text"
            modes.append(mode)
        self.evidence.update({"vänster", "höger"})
        return CCompare(tuple(converted), tuple(op for op, _ in node.ops), tuple(modes))

    def comparison_mode(self, left: Expr, right: Expr, left_ast: ast.Expr, right_ast: ast.Expr,
                        op: str, op_pos: ast.Pos) -> str | None:
        """How two operands are compared: "number", "date", "text" or "enum" (text against a fixed list)."""
        lk, rk = _kind(left), _kind(right)
        kinds = {lk, rk}
        equality = op in {"=", "==", "!=", "<>", "≠"}
        for kind, written, expr in ((lk, left_ast, left), (rk, right_ast, right)):
            if kind in ("entity", "other"):
                self.error(written.pos, f"”{_written(written)}” kan inte jämföras – det är {expr.type.describe()}")
                return None
        if kinds <= {"number", "value"}:
            return "number"
        if "date" in kinds:
            other, other_ast = (rk, right_ast) if lk == "date" else (lk, left_ast)
            if other == "date" or (other == "string" and _parse_date_literal(other_ast) is not None):
                return "date"
            self.error(other_ast.pos, "ett datum kan bara jämföras med ett annat datum (skrivet \"2025-01-01\"), "
                       f"inte med ”{_written(other_ast)}”")
            return None
        if "number" in kinds:
            text_ast = right_ast if lk == "number" else left_ast
            number_ast = left_ast if lk == "number" else right_ast
            self.error(text_ast.pos, f"kan inte jämföra text med tal: ”{_written(text_ast)}” är en text "
                       f"och ”{_written(number_ast)}” ett tal")
            return None
        if not equality:
            self.error(op_pos, f"”{op}” fungerar bara för tal och datum – texter jämförs med ”=” eller ”!=”")
            return None
        if "enum" in kinds and "string" in kinds:
            return "enum"
        return "text"

    def enum_constant(self, enum_type_: Type, literal: ast.Expr) -> EConst | None:
        enum = ENUMS[enum_type_.ref]  # type: ignore[index]
        assert isinstance(literal, ast.String)
        code = enum.lookup(literal.value.value)
        if code is None:
            self.error(literal.pos, f"”{literal.value.value}” är inget värde för {enum.name}"
                       f"{suggest(literal.value.value, enum.spellings())} (möjliga: {swedish_list(['”' + s + '”' for s in enum.spellings()], 'eller')})")
            return None
        return EConst(code, enum_type_)

    def c_is(self, node: ast.Is, scope: list[_Level]) -> Cond | None:
        left = self.expr(node.left, scope)
        if left is None:
            return None
        right_ast = node.right
        if isinstance(right_ast, ast.Path) and len(right_ast.segments) == 1:
            prop = lookup_property(right_ast.segments[0].text)
            if prop is not None:
                if left.type.base not in prop.applies_to:
                    self.error(right_ast.pos, f"”är {right_ast.segments[0].text}” passar inte för ”{_written(node.left)}”, "
                               f"som är {left.type.describe()}")
                    return None
                return CProperty(left, prop, node.negated)
            if self._path(right_ast, scope, report=False) is None:
                words = [p.label for p in PROPERTIES]
                self.error(right_ast.pos, f"okänd egenskap eller fält ”{right_ast.segments[0].text}”"
                           f"{suggest(right_ast.segments[0].text, words + scope[-1].entity.field_names())}"
                           f" (egenskaper: {swedish_list(['”' + w + '”' for w in words], 'och')})")
                return None
        if isinstance(right_ast, ast.String):
            return self.is_texts(left, node.left, (right_ast,), node.negated)
        compare = self.c_compare(ast.Compare((node.left, right_ast), (("=", node.pos),), node.pos), scope)
        if compare is None:
            return None
        return CNot(compare) if node.negated else compare

    def c_isoneof(self, node: ast.IsOneOf, scope: list[_Level]) -> Cond | None:
        left = self.expr(node.left, scope)
        if left is None:
            return None
        return self.is_texts(left, node.left, node.values, node.negated)

    def is_texts(self, left: Expr, left_ast: ast.Expr, values: Sequence[ast.String], negated: bool) -> Cond | None:
        if left.type.base is Base.ENUM:
            codes: set[str] = set()
            for value in values:
                const = self.enum_constant(left.type, value)
                if const is None:
                    return None
                codes.add(const.value)
            return CIsText(left, frozenset(codes), True, negated)
        if not left.type.is_text:
            self.error(left_ast.pos, f"”{_written(left_ast)}” är {left.type.describe()} och kan inte jämföras med en text")
            return None
        return CIsText(left, frozenset(_text_key(v.value.value) for v in values), False, negated)

    def c_contains(self, node: ast.Contains, scope: list[_Level]) -> Cond | None:
        if node.subject is None:
            entity = scope[-1].entity
            if entity.default_text is None:
                self.error(node.pos, f"ange vilken text som ska innehålla frasen, t.ex. ”{entity.label}: "
                           f"{entity.field_names()[0]} innehåller …”")
                return None
            definition = entity.fields[entity.default_text]
            expr: Expr | None = EField(0, definition, definition.type)
        else:
            expr = self.text_expr(node.subject, scope, "innehåller")
        matcher = self.phrases(node.phrases)
        if expr is None or matcher is None:
            return None
        self.evidence.add("fras")
        return CContains(expr, matcher, node.negated)

    def c_startswith(self, node: ast.StartsWith, scope: list[_Level]) -> Cond | None:
        expr = self.text_expr(node.subject, scope, "börjar med")
        matcher = self.phrases(node.phrases)
        if expr is None or matcher is None:
            return None
        self.evidence.add("fras")
        return CContains(expr, matcher, False, starts=True)

    def c_like(self, node: ast.Like, scope: list[_Level]) -> Cond | None:
        expr = self.text_expr(node.subject, scope, "liknar")
        if expr is None:
            return None
        return CLike(expr, node.other.value.value)

    def c_matches(self, node: ast.Matches, scope: list[_Level]) -> Cond | None:
        expr = self.text_expr(node.subject, scope, "matchar")
        if expr is None:
            return None
        regex = self.regex(node.pattern)
        if regex is None:
            return None
        self.evidence.add("fras")
        return CMatches(expr, regex)

    def c_foreach(self, node: ast.ForEach, scope: list[_Level]) -> Cond | None:
        resolved = [self.expr(f, scope) for f in node.fields]
        if any(r is None for r in resolved):
            return None
        fields: list[FieldDef] = []
        depth: int | None = None
        for path, expr in zip(node.fields, resolved, strict=True):
            if not isinstance(expr, EField):
                self.error(path.pos, f"”{path.text}” är inget fält – i ”för varje” anges fält, t.ex. ”utfall, årsmål”")
                return None
            if depth is not None and expr.depth != depth:
                self.error(path.pos, "fälten i ”för varje” måste höra till samma sak")
                return None
            if fields and expr.type != fields[0].type:
                self.error(path.pos, f"fälten i ”för varje” måste vara av samma slag: ”{path.text}” är "
                           f"{expr.type.describe()}, ”{fields[0].label}” {fields[0].type.describe()}")
                return None
            depth = expr.depth
            fields.append(expr.field)
        key = name_key(node.var.text)
        level = scope[-1]
        previous = level.loops.get(key)
        level.loops[key] = _Loop(node.var.text, tuple(fields), len(scope), depth or 0, fields[0].type)
        body = self.cond(node.body, scope)
        if previous is None:
            level.loops.pop(key, None)
        else:
            level.loops[key] = previous
        if body is None:
            return None
        self.evidence.update({node.var.text, "värde"})
        return CForEach(key, node.var.text, tuple(fields), depth or 0, body)

    def text_expr(self, node: ast.Expr, scope: list[_Level], word: str) -> Expr | None:
        expr = self.expr(node, scope)
        if expr is None:
            return None
        if not expr.type.is_text:
            self.error(node.pos, f"”{word}” kräver en text, men ”{_written(node)}” är {expr.type.describe()}")
            return None
        return expr

    # phrases and patterns

    def phrases(self, node: ast.PhraseList) -> PhraseMatcher | None:
        texts: list[str] = []
        ok = True
        for item in node.items:
            if isinstance(item, ast.PhraseText):
                if not item.value.value.strip():
                    self.error(item.pos, "en tom fras matchar ingenting – ta bort den")
                    ok = False
                texts.append(item.value.value)
                continue
            key = name_key(item.name.text)
            found = self.phrase_lists.get(key)
            if found is None:
                self.error(item.pos, f"okänd fraslista ”{item.name.text}”{suggest(item.name.text, list(self.phrase_lists))}"
                           " (en fras skrivs inom citattecken, en fraslista definieras med ”fraser namn = …”)")
                ok = False
                continue
            texts.extend(found)
        if not ok:
            return None
        return self.matcher(tuple(texts))

    def matcher(self, texts: tuple[str, ...]) -> PhraseMatcher:
        found = self._matchers.get(texts)
        if found is None:
            found = self._matchers[texts] = PhraseMatcher(texts)
        return found

    def regex(self, node: ast.String) -> RulePattern | None:
        pattern = node.value.value
        problem = regex_problem(pattern)
        if problem is not None:
            self.error(node.pos, problem)
            return None
        return compile_pattern(pattern)

    # expressions

    def expr(self, node: ast.Expr, scope: list[_Level]) -> Expr | None:
        if isinstance(node, ast.Number):
            return EConst(node.value, NUMBER)
        if isinstance(node, ast.String):
            return EConst(node.value.value, Type(Base.TEXT, "literal"))
        if isinstance(node, ast.Path):
            return self._path(node, scope, report=True)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.Count):
            return self.count(node, scope)
        if isinstance(node, ast.InDoc):
            return self.in_doc(node, scope)
        if isinstance(node, ast.Arith):
            first = self.expr(node.first, scope)
            rest = [(op, self.expr(e, scope), e) for op, e in node.rest]
            if first is None or any(r[1] is None for r in rest):
                return None
            for operand, written in [(first, node.first)] + [(r[1], r[2]) for r in rest]:
                if not operand.type.is_number:  # type: ignore[union-attr]
                    self.error(written.pos, f"”{_written(written)}” är {operand.type.describe()}; bara tal kan räknas med ”+” och ”-”")  # type: ignore[union-attr]
                    return None
            return EArith(first, tuple((op, e) for op, e, _ in rest))  # type: ignore[misc]
        raise TypeError(node)  # pragma: no cover

    def _path(self, node: ast.Path, scope: list[_Level], *, report: bool) -> Expr | None:
        first = node.segments[0]
        expr = self.name(first, scope, report)
        for segment in node.segments[1:]:
            if expr is None:
                return None
            expr = self.member(expr, segment, scope, report)
        return expr

    def name(self, word: ast.Word, scope: list[_Level], report: bool) -> Expr | None:
        key = name_key(word.text)
        for depth, level in enumerate(reversed(scope)):
            loop = level.loops.get(key)
            if loop is not None:
                entity_depth = depth + loop.entity_depth
                return ELoopVar(key, entity_depth, loop.type, loop.type)
            if key in level.lets:
                return ELet(depth, key, level.lets[key])
            found = level.entity.field(word.text)
            if found is not None:
                return EField(depth, found, found.type)
        ref = lookup_docref(word.text)
        if ref is not None:
            return self.docref(ref)
        if report:
            self.unknown_field(word, scope[-1])
        return None

    def unknown_field(self, word: ast.Word, level: _Level) -> None:
        entity = level.entity
        elsewhere = [e.label for e in ENTITIES.values() if e.id != entity.id and e.field(word.text) is not None]
        message = f"{entity.label} har inget fält ”{word.text}”"
        hint = suggest(word.text, entity.field_names() + list(level.lets))
        if elsewhere:
            message += f" (det finns hos {swedish_list(elsewhere, 'och')})"
        if hint:
            message += hint
        elif not elsewhere:
            message += f" – fält hos {entity.label}: {swedish_list(entity.field_names())}"
        self.error(word.pos, message)

    def member(self, base: Expr, word: ast.Word, scope: list[_Level], report: bool) -> Expr | None:
        base_type = base.type
        if base_type.base is Base.ENTITY:
            entity = ENTITIES[base_type.ref]  # type: ignore[index]
            key = name_key(word.text)
            for level in reversed(scope):
                loop = level.loops.get(key)
                if loop is not None:
                    missing = [f.label for f in loop.fields if f.id not in entity.fields]
                    if missing:
                        if report:
                            self.error(word.pos, f"{entity.label} har inte fälten {swedish_list(missing)}")
                        return None
                    return ELoopMember(base, key, entity, loop.type)
            found = entity.field(word.text)
            if found is None:
                if report:
                    self.unknown_field(word, _Level(entity))
                return None
            return EMember(base, found, found.type)
        if base_type.base in SUBFIELDS:
            sub = lookup_subfield(base_type.base, word.text)
            if sub is None:
                if report:
                    names = [s.label for s in SUBFIELDS[base_type.base]]
                    self.error(word.pos, f"{base_type.describe()} har ingen del ”{word.text}”{suggest(word.text, names)}"
                               f" (möjliga: {swedish_list(names)})")
                return None
            return ESub(base, sub, sub.type)
        if report:
            self.error(word.pos, f"”{word.text}” kan inte läsas här – det som står före punkten är {base_type.describe()}")
        return None

    def call(self, node: ast.Call, scope: list[_Level]) -> Expr | None:
        function = lookup_function(node.name.text)
        if function is None:
            names = [f.name for f in FUNCTIONS.values()]
            self.error(node.name.pos, f"okänd funktion ”{node.name.text}”{suggest(node.name.text, names)}"
                       f" (inbyggda funktioner: {swedish_list(names)})")
            return None
        current = scope[-1].entity
        if function.entity_kinds is not None and current.id not in function.entity_kinds:
            allowed = swedish_list([ENTITIES[k].label for k in function.entity_kinds], "eller")
            self.error(node.name.pos, f"{function.name}() kan bara användas på {allowed}, inte på {current.label}")
            return None
        expected = len(function.params)
        given = len(node.args)
        if (function.variadic and given < 1) or (not function.variadic and given != expected):
            wanted = "minst 1" if function.variadic else str(expected)
            signature = f"{function.name}({', '.join(p.name for p in function.params)}{', …' if function.variadic else ''})"
            self.error(node.name.pos, f"{function.name}() ska ha {wanted} argument men fick {given}: {signature}")
            return None
        args: list[Any] = []
        for index, arg in enumerate(node.args):
            param = function.params[min(index, expected - 1)]
            value = self.argument(function, param, arg, scope)
            if value is None:
                return None
            args.append(value)
        if function.returns is None:
            result_type = Type(Base.ENTITY, current.id)
        else:
            result_type = function.returns
        self.evidence.update(function.evidence)
        expr: Expr = ECall(function, tuple(args), (), result_type)
        if node.tail is not None:
            for segment in node.tail.segments:
                next_expr = self.member(expr, segment, scope, report=True)
                if next_expr is None:
                    return None
                expr = next_expr
        return expr

    def argument(self, function: Function, param: Any, arg: ast.Expr, scope: list[_Level]) -> Any:
        kind = param.kind
        if kind == "phrases":
            if isinstance(arg, ast.String):
                return self.matcher((arg.value.value,))
            if isinstance(arg, ast.Path) and len(arg.segments) == 1:
                return self.phrases(ast.PhraseList((ast.PhraseRef(arg.segments[0], arg.pos),), arg.pos))
            self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara en fraslista eller en text inom citattecken")
            return None
        if kind == "string":
            if isinstance(arg, ast.String):
                return arg.value.value
            self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara en text inom citattecken")
            return None
        expr = self.expr(arg, scope)
        if expr is None:
            return None
        if kind in ("field", "own_field"):
            if not isinstance(expr, (EField, EMember)):
                self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara ett fält, t.ex. analys")
                return None
            if kind == "own_field" and not (isinstance(expr, EField) and expr.depth == 0):
                self.error(arg.pos, f"{function.name}(): ”{_written(arg)}” måste vara ett fält hos {scope[-1].entity.label}")
                return None
            return EFieldRef(expr, expr.field)
        if kind == "text" and not expr.type.is_text:
            self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara en text, men ”{_written(arg)}” är {expr.type.describe()}")
            return None
        if kind == "part" and expr.type.base is not Base.PART:
            self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara en textdel som analys eller "
                       f"förväntat resultat, men ”{_written(arg)}” är {expr.type.describe()}")
            return None
        if kind == "number" and not expr.type.is_number:
            self.error(arg.pos, f"{function.name}(): argumentet {param.name} ska vara ett tal, men ”{_written(arg)}” är {expr.type.describe()}")
            return None
        return expr

    def count(self, node: ast.Count, scope: list[_Level]) -> Expr | None:
        current = scope[-1].entity
        entity = lookup_entity(node.entity.text)
        source: Expr | None = None
        if entity is not None and entity.id in CONTAINS.get(current.id, frozenset()):
            kind: str | None = entity.id
        else:
            field_expr = self.name(node.entity, scope, report=False)
            if field_expr is not None and field_expr.type.base is Base.ENTITIES:
                source = field_expr
                entity = ENTITIES[field_expr.type.ref]  # type: ignore[index]
                kind = None
            else:
                if entity is not None:
                    self.error(node.entity.pos, f"”{node.entity.text}” finns inte under {current.label}" + _reachable_hint(current))
                else:
                    self.error(node.entity.pos, f"antal(): okänd sak ”{node.entity.text}”"
                               f"{suggest(node.entity.text, entity_words())}")
                return None
        inner = scope + [_Level(entity)]
        filters = tuple(f for f in (self.filter(f, inner) for f in node.filters) if f is not None)
        if len(filters) != len(node.filters):
            return None
        return ECount(kind, source, filters, entity)


def _requirements(body: Cond) -> tuple[Cond, ...]:
    """A top-level "A och B" is checked part by part; "har X och Y" stays one check.

    Each failing requirement is a finding of its own, so "varje resultat:
    återges_i(arbetssätt) och återges_i(uppföljning)" names each part that
    misses the item. Presence checks are kept together so that "har typ och
    år" gives one finding saying what is missing.
    """
    if not isinstance(body, CAnd):
        return (body,)
    presence = [item for item in body.items if isinstance(item, CPresence) and not item.negated]
    others = [item for item in body.items if item not in presence]
    result: list[Cond] = []
    if presence:
        result.append(CAnd(tuple(presence)) if len(presence) > 1 else presence[0])
    result.extend(others)
    return tuple(result)


def _reachable_hint(outer: EntityDef) -> str:
    inside = sorted(ENTITIES[k].label for k in CONTAINS.get(outer.id, frozenset()))
    if not inside:
        return f" – under {outer.label} finns inga andra saker"
    return f" – under {outer.label} finns {swedish_list(inside)}"


def _label(expr: Expr) -> str:
    if isinstance(expr, (EField, EMember)):
        return expr.field.label
    if isinstance(expr, ESub):
        return expr.sub.label
    if isinstance(expr, ELet):
        return expr.key
    if isinstance(expr, ELoopVar):
        return expr.key
    if isinstance(expr, EIn):
        document = expr.document.ref.label if isinstance(expr.document, EDocRef) else "dokumentet"
        return f"{_label(expr.base)} i {document}"
    if isinstance(expr, EDocRef):
        return expr.ref.label
    return "värdet"


def _written(node: ast.Expr) -> str:
    if isinstance(node, ast.Path):
        return node.text
    if isinstance(node, ast.String):
        return f"\"{node.value.value}\""
    if isinstance(node, ast.Number):
        return _number_text(node.value)
    if isinstance(node, ast.Call):
        return f"{node.name.text}(…)"
    if isinstance(node, ast.Count):
        return f"antal({node.entity.text})"
    if isinstance(node, ast.InDoc):
        return f"{node.expr.text} i {node.document.text}"
    return "uttrycket"


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def _kind(expr: Expr) -> str:
    base = expr.type.base
    if isinstance(expr, EConst) and base is Base.TEXT:
        return "string"
    return {
        Base.NUMBER: "number",
        Base.VALUE: "value",
        Base.DATE: "date",
        Base.TEXT: "text",
        Base.PART: "text",
        Base.ENUM: "enum",
        Base.ENTITY: "entity",
    }.get(base, "other")


def _text_key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


_DATE_LITERAL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _parse_date_literal(node: ast.Expr) -> Any:
    import datetime as dt

    if not isinstance(node, ast.String):
        return None
    match = _DATE_LITERAL.match(node.value.value)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _date_const(expr: Expr) -> Expr:
    import datetime as dt

    from checker.rules_lang.vocabulary import DATE, DateCell

    if isinstance(expr, EConst) and isinstance(expr.value, str):
        match = _DATE_LITERAL.match(expr.value)
        if match:
            date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            return EConst(DateCell(expr.value, date), DATE)
    return expr


# --- whole rule sets ---------------------------------------------------------------------------------


def analyse(files: Sequence[ast.RuleFile]) -> Analysis:
    """Check every item of every file; collect all errors."""
    result = Analysis()
    phrase_lists = _phrase_lists(files, result.errors)
    seen_ids: dict[str, tuple[Path, int]] = {}
    for rule_file in files:
        for item in rule_file.items:
            if isinstance(item, ast.Rule):
                plan = _rule(item, rule_file, phrase_lists, seen_ids, result.errors)
                if plan is not None:
                    result.rules.append(plan)
    _profiles(files, result)
    return result


def _first_level(own: Severity | None, inherited: Severity | None) -> Severity | None:
    # Not "own or inherited": Severity.INFO is 0, and falsy.
    return own if own is not None else inherited


def _error(rule_file: ast.RuleFile, pos: ast.Pos, message: str) -> RuleError:
    return RuleError(rule_file.path, pos.line, pos.column, message, rule_file.line_text(pos.line), pos.length)


def _phrase_lists(files: Sequence[ast.RuleFile], errors: list[RuleError]) -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    where: dict[str, tuple[Path, int]] = {}
    for rule_file in files:
        for item in rule_file.items:
            if not isinstance(item, ast.PhraseDef):
                continue
            key = name_key(item.name.text)
            if key in lists:
                first = where[key]
                errors.append(_error(rule_file, item.name.pos, f"fraslistan ”{item.name.text}” finns redan "
                                     f"({first[0]}:{first[1]}) – ge den ett annat namn eller lägg fraserna i den första"))
                continue
            for phrase in item.phrases:
                if not phrase.value.value.strip():
                    errors.append(_error(rule_file, phrase.pos, "en tom fras matchar ingenting – ta bort den"))
            lists[key] = tuple(p.value.value for p in item.phrases if p.value.value.strip())
            where[key] = (rule_file.path, item.name.pos.line)
    return lists


def _rule(
    item: ast.Rule,
    rule_file: ast.RuleFile,
    phrase_lists: dict[str, tuple[str, ...]],
    seen_ids: dict[str, tuple[Path, int]],
    errors: list[RuleError],
) -> RulePlan | None:
    before = len(errors)
    rule_id = item.id.text
    id_key = rule_id.upper()
    if id_key in seen_ids:
        first = seen_ids[id_key]
        errors.append(_error(rule_file, item.id.pos, f"regel-id ”{rule_id}” används redan ({first[0]}:{first[1]}) – "
                             "varje regel behöver ett eget id"))
    else:
        seen_ids[id_key] = (rule_file.path, item.id.pos.line)
    try:
        severity = Severity.parse(item.severity.text)
    except ValueError:
        errors.append(_error(rule_file, item.severity.pos, f"okänd nivå ”{item.severity.text}”"
                             f"{suggest(item.severity.text, _SEVERITY_WORDS)} (nivån ska vara fel, varning eller info)"))
        severity = Severity.ERROR
    kinds = _kinds(item, rule_file, errors)
    if not item.message.value.strip():
        errors.append(_error(rule_file, item.message.pos, "meddelandet är tomt – skriv vad som är fel, på svenska"))
    checker = _Checker(phrase_lists, rule_file, errors)
    statements: list[SStatement] = []
    top = [_Level(ENTITIES["dokument"])]
    for statement in item.statements:
        planned = checker.statement(statement, top, item.message)
        if planned is not None:
            statements.append(planned)
    if len(errors) > before:
        return None
    return RulePlan(
        id=rule_id,
        severity=severity,
        message=" ".join(item.message.value.split()),
        help=_help_text(item.help.value) if item.help is not None else "",
        kinds=kinds if kinds is not False else None,  # type: ignore[arg-type]
        statements=tuple(statements),
        file=rule_file.path,
        line=item.pos.line,
        source_text=item.source_text,
        thread=checker.uses_thread,
    )


def _kinds(item: ast.Rule, rule_file: ast.RuleFile, errors: list[RuleError]) -> frozenset[str] | None | bool:
    if item.kinds is None:
        return None
    kinds: set[str] = set()
    everything = False
    for word in item.kinds:
        known, scope = lookup_scope(word.text)
        if not known:
            errors.append(_error(rule_file, word.pos, f"okänd dokumenttyp ”{word.text}”{suggest(word.text, SCOPE_WORDS)}"
                                 f" (möjliga: {swedish_list(SCOPE_WORDS, 'och')})"))
            return False
        if scope is None:
            everything = True
        else:
            kinds |= scope
    return None if everything else frozenset(kinds)


def _help_text(text: str) -> str:
    """Help spanning several lines: single line breaks become spaces, blank lines stay paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _profiles(files: Sequence[ast.RuleFile], result: Analysis) -> None:
    ids = [rule.id for rule in result.rules]
    all_ids = {rule.id.upper() for rule in result.rules}
    # Ids of rules that failed their own checks still count as known here, so a
    # broken rule does not also produce "unknown rule" errors in the profiles.
    for rule_file in files:
        for item in rule_file.items:
            if isinstance(item, ast.Rule):
                all_ids.add(item.id.text.upper())
                if item.id.text not in ids:
                    ids.append(item.id.text)
    members: dict[str, set[str]] = {}
    descriptions: dict[str, str | None] = {}
    names: dict[str, str] = {}
    for rule_file in files:
        for item in rule_file.items:
            if not isinstance(item, ast.Profile):
                continue
            key = name_key(item.name.text)
            names.setdefault(key, item.name.text)
            chosen = members.setdefault(key, set())
            if item.description:
                descriptions[key] = item.description
            else:
                descriptions.setdefault(key, None)
            for member in item.members:
                word = member.text.upper()
                if name_key(member.text) in ("alla", "all"):
                    chosen.update(rule.id for rule in result.rules)
                    continue
                matched = [rule.id for rule in result.rules if rule.id.upper() == word or rule.id.upper().startswith(word)]
                if not matched and not any(i == word or i.startswith(word) for i in all_ids):
                    result.errors.append(_error(rule_file, member.pos, f"profilen {item.name.text}: det finns ingen regel "
                                                f"”{member.text}”{suggest(member.text, ids)}"))
                chosen.update(matched)
    for key, chosen in members.items():
        result.profiles[names[key]] = ProfilePlan(names[key], descriptions.get(key), frozenset(chosen))
