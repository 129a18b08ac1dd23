"""How a built-in function is described (name, parameters, return type, help) and found by name.

Each module of checker.rules_lang.functions.builtin registers one function here when imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TYPE_CHECKING

from checker.rules_lang.runtime import Node, ReportIndex
from checker.rules_lang.vocabulary import FieldDef, Type
from checker.text import fold

if TYPE_CHECKING:
    from checker.rules_lang.functions.evidence import Evidence


# --- function machinery ----------------------------------------------------------------------

ParamKind = Literal["text", "part", "number", "phrases", "field", "own_field", "string"]


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    doc: str


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field passed by name to a function: its definition and its value here."""

    field: FieldDef
    value: Any


@dataclass(frozen=True, slots=True)
class CallContext:
    node: Node
    index: ReportIndex


Impl = Callable[[CallContext, tuple[Any, ...]], tuple[Any, "Evidence | None"]]


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    aliases: tuple[str, ...]
    params: tuple[Param, ...]
    returns: Type | None  # None: an entity of the same kind as the current one
    impl: Impl
    doc: str
    example: str
    variadic: bool = False
    # The current entity must be one of these kinds (None: any).
    entity_kinds: frozenset[str] | None = None
    # Placeholders the function can fill in a message.
    evidence: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


FUNCTIONS: dict[str, Function] = {}


def register(function: Function) -> None:
    FUNCTIONS[function.name] = function


_register = register  # the name the single functions module used


def lookup_function(written: str) -> Function | None:
    key = fold(written).replace("-", "_")
    for function in FUNCTIONS.values():
        if key in {fold(n).replace("-", "_") for n in function.names()}:
            return function
    return None
