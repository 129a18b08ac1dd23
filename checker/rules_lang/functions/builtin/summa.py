"""The built-in function summa(…)."""

from __future__ import annotations

from typing import Any

from checker.model import Value
from checker.rules_lang.functions.evidence import Evidence
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import NUMBER, as_number


# summa(…) ---------------------------------------------------------------------------------------


def _summa(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    total = 0.0
    for value in args:
        if value is None or (isinstance(value, Value) and value.is_empty):
            continue
        number = as_number(value)
        if number is None:
            return None, None  # text in a number cell: nothing can be said
        total += number
    return total, None


register(Function(
    "summa", ("sum",), (Param("värde", "number", "tabellvärden eller tal; tomma celler räknas som 0"),),
    NUMBER, _summa,
    "Summan av värdena; tomma celler räknas som 0. Okänd om en cell innehåller text i stället för ett tal.",
    "summa(t1, t2, vb) = summa(totalt)",
    variadic=True,
))
