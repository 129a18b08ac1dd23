"""The syntax tree of a rule file, exactly as written, with positions.

Nothing here knows what an "enhetsmål" is: names are kept as the words the
author wrote, and `semantics` resolves them against the vocabulary. Every
node carries a `Pos` so that every later error can point at the word that
caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Literal, Union


@dataclass(frozen=True, slots=True)
class Pos:
    """1-based line and column of the first character, and the length to underline."""

    line: int
    column: int
    length: int = 1


@dataclass(frozen=True, slots=True)
class Word:
    """A name as written (an entity, a rule id, a phrase list …) and where."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class TextLit:
    """One or more adjacent string literals, concatenated.

    `offsets` maps positions in `value` back to the file so that an error
    about a placeholder inside a message can point at the placeholder itself:
    entry i is the (line, column) of character i of `value`.
    """

    value: str
    pos: Pos
    offsets: tuple[tuple[int, int], ...] = ()

    def pos_at(self, index: int, length: int = 1) -> Pos:
        if 0 <= index < len(self.offsets):
            line, column = self.offsets[index]
            return Pos(line, column, max(1, length))
        return self.pos


# --- expressions --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    pos: Pos


@dataclass(frozen=True, slots=True)
class String:
    value: TextLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class Path:
    """Words separated by dots: "förväntat resultat", "årsmål.gräns", "total.utfall män"."""

    segments: tuple[Word, ...]
    pos: Pos

    @property
    def text(self) -> str:
        return ".".join(segment.text for segment in self.segments)


@dataclass(frozen=True, slots=True)
class Call:
    name: Word
    args: tuple[Expr, ...]
    tail: Path | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Count:
    """antal(resultat där …) – how many of an entity (or list field) there are."""

    entity: Word
    filters: tuple[Filter, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Arith:
    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class InDoc:
    """årsmål i planen – a field of the current thing's counterpart in another document of the thread."""

    expr: Path
    document: Path
    pos: Pos


Expr = Union[Number, String, Path, Call, Count, Arith, InDoc]


# --- phrases ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhraseText:
    value: TextLit
    pos: Pos


@dataclass(frozen=True, slots=True)
class PhraseRef:
    name: Word
    pos: Pos


@dataclass(frozen=True, slots=True)
class PhraseList:
    items: tuple[PhraseText | PhraseRef, ...]
    pos: Pos


# --- conditions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Truthy:
    """A bare expression used as a condition: a field means "is present"."""

    expr: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Has:
    expr: Expr
    min_words: Expr | None
    besides: PhraseList | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Lacks:
    expr: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Compare:
    operands: tuple[Expr, ...]
    ops: tuple[tuple[str, Pos], ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Is:
    left: Expr
    right: Expr
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class IsOneOf:
    left: Expr
    values: tuple[String, ...]
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class Contains:
    subject: Expr | None  # None: the entity's own text
    phrases: PhraseList
    negated: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class Matches:
    subject: Expr
    pattern: String
    pos: Pos


@dataclass(frozen=True, slots=True)
class StartsWith:
    subject: Expr
    phrases: PhraseList
    pos: Pos


@dataclass(frozen=True, slots=True)
class Like:
    subject: Expr
    other: String
    pos: Pos


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Cond, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Cond, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Not:
    item: Cond
    pos: Pos


@dataclass(frozen=True, slots=True)
class If:
    cond: Cond
    then: Cond
    otherwise: Cond | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class ForEach:
    """för varje kolumn i utfall, årsmål: … – the body must hold for every listed field."""

    var: Word
    fields: tuple[Path, ...]
    body: Cond
    pos: Pos


Cond = Union[Truthy, Has, Lacks, Compare, Is, IsOneOf, Contains, Matches, StartsWith, Like, And, Or, Not, If, ForEach]


# --- statements ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Where:
    cond: Cond
    mode: Literal["where", "with", "without"]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Let:
    name: Word
    expr: Expr
    pos: Pos


Filter = Union[Where, Let]


@dataclass(frozen=True, slots=True)
class Quantifier:
    kind: Literal["every", "no", "at_most", "at_least"]
    count: int | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Statement:
    quantifier: Quantifier
    entity: Word
    filters: tuple[Filter, ...]
    body: Cond | Statement | None
    message: TextLit | None
    pos: Pos
    # "varje enhetsmål i planen": the document of the thread to select in (None: this one).
    source: Path | None = None
    # "räknas som info" after a requirement: its findings have this level instead of the rule's.
    severity: Word | None = None


# --- top-level items ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    id: Word
    severity: Word
    message: TextLit
    kinds: tuple[Word, ...] | None
    statements: tuple[Statement, ...]
    help: TextLit | None
    pos: Pos
    source_text: str


@dataclass(frozen=True, slots=True)
class Profile:
    name: Word
    description: str | None
    members: tuple[Word, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class PhraseDef:
    name: Word
    phrases: tuple[PhraseText, ...]
    pos: Pos


Item = Union[Rule, Profile, PhraseDef]


@dataclass(slots=True)
class RuleFile:
    path: FilePath
    lines: list[str]
    items: list[Item] = field(default_factory=list)

    def line_text(self, line: int) -> str | None:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return None
