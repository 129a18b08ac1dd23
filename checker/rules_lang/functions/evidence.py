"""What a built-in function returns besides its value: `Evidence` (where a finding points, a quote,
placeholder values), and how values are shown in messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.model import Source, Value
from checker.rules_lang.errors import swedish_list
from checker.rules_lang.functions.registry import FieldRef
from checker.rules_lang.runtime import Node
from checker.rules_lang.vocabulary import Base, DateCell, ENUMS, TextBlock, Type
from checker.display import shorten


# --- evidence ------------------------------------------------------------------------


@dataclass(slots=True)
class Evidence:
    """What a condition found: where to point, what to quote, values for placeholders."""

    source: Source | None = None
    quote: str | None = None
    values: dict[str, str | Shown] = field(default_factory=dict)
    # Fields found missing by "har …" (merged into {saknas}).
    missing: list[str] = field(default_factory=list)

    def merge(self, other: Evidence | None) -> Evidence:
        if other is None:
            return self
        return Evidence(
            source=other.source or self.source,
            quote=other.quote or self.quote,
            values={**self.values, **other.values},
            missing=self.missing + [m for m in other.missing if m not in self.missing],
        )


def merge(first: Evidence | None, second: Evidence | None) -> Evidence | None:
    if first is None:
        return second
    return first.merge(second)


# --- display of values in messages ------------------------------------------------------

MISSING = "–"


def format_number(number: float) -> str:
    """Swedish style: 8,5 and 10 (not 10.0)."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def display(value: Any, type_: Type | None = None, limit: int = 80) -> str:
    """A run-time value as a coordinator should read it inside a message."""
    if value is None:
        return MISSING
    if value.__class__ is str and (type_ is None or type_.base is not Base.ENUM):
        return shorten(value, limit, keep_controls=True) if value.strip() else MISSING  # the common case, as below
    if type_ is not None and type_.base is Base.ENUM and isinstance(value, str):
        if type_.ref in ENUMS:
            return ENUMS[type_.ref].display(value) or MISSING
        return value
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, float)):
        return format_number(float(value))
    if isinstance(value, Value):
        return value.text or MISSING
    if isinstance(value, DateCell):
        return value.text or MISSING
    if isinstance(value, TextBlock):
        return shorten(value.text, limit, keep_controls=True) if value.text else MISSING
    if isinstance(value, Node):
        return shorten(value.title or MISSING, limit, keep_controls=True)
    if isinstance(value, FieldRef):
        return value.field.label
    if isinstance(value, (list, tuple)):
        return swedish_list([display(v, None, limit) for v in value]) or MISSING
    text = str(value)
    return shorten(text, limit, keep_controls=True) if text.strip() else MISSING


class Shown:
    """A value for a message placeholder, put in words only when a message shows it.

    Most conditions hold, and the evidence of one that holds is seldom shown:
    formatting every compared value up front cost more than comparing it.
    """

    __slots__ = ("value", "type")

    def __init__(self, value: Any, type_: Type | None) -> None:
        self.value = value
        self.type = type_

    def text(self) -> str:
        return display(self.value, self.type)


def shown(value: str | Shown | None) -> str | None:
    """A placeholder value from evidence, in words."""
    return value.text() if isinstance(value, Shown) else value


def excerpt(text: str, position: int, limit: int = 110) -> str:
    """A one-line quote of `text` that shows what is at `position`."""
    one_line = " ".join(text.split())
    if position <= limit // 2 or len(one_line) <= limit:
        return shorten(one_line, limit, keep_controls=True)
    start = one_line.rfind(" ", 0, max(0, position - 30)) + 1
    return "…" + shorten(one_line[start:], limit - 1, keep_controls=True)
