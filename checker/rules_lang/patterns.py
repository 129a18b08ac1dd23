"""Regular expressions written by rule authors (`analys matchar "…"`).

A rule file may come from anyone who can write to the shared folder, so a
pattern must never be a way to stall a run. Python's own `re` backtracks:
"(a+)+b", "([a-z ]|[a-z ])*!" or ".*.*.*.*x" take exponential or high
polynomial time on an ordinary paragraph, and no static check catches every
such shape. Patterns are therefore compiled with RE2 (google-re2), whose
matching time is linear in the text whatever the pattern. RE2 has no
back-references and no look-arounds; those are refused here with a Swedish
message before RE2 sees the pattern, so the author learns what to change.

Linear is not cheap when the pattern is large: RE2's time is the text's
length times the compiled program's size, and counted repetitions multiply
that size (29 × ".{999}" compiles to 230 000 instructions and takes over a
minute per 100 000 characters). So the compiled program may hold at most
MAX_PROGRAM_SIZE instructions, refused at load time with a Swedish message;
and while a document is checked, the patterns of one rule together get a
time budget (`time_budget`, [limits] max-rule-seconds): past it the rule is
stopped for that document (PatternBudgetExceeded) and the other rules go on.

Both the pattern and the text are compared without case and diacritics
(the text side is folded by the compiler), as the rest of the language does.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import re2

from checker.text import strip_diacritics

try:
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse  # type: ignore[no-redef]

MAX_REGEX_CHARS = 200
# Instructions in the compiled program: the catalog's largest patterns need a few hundred, ".{0,200}" ~1 800.
MAX_PROGRAM_SIZE = 5000

# When the rule being checked must have finished its pattern searches (time.monotonic(); inf: no budget).
_deadline = float("inf")


class PatternBudgetExceeded(Exception):
    """A rule's patterns took longer than their time budget on one document."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """While in force, every pattern search past `seconds` from now raises PatternBudgetExceeded."""
    global _deadline
    previous = _deadline
    _deadline = time.monotonic() + seconds if seconds else float("inf")
    try:
        yield
    finally:
        _deadline = previous


class Match(Protocol):
    def start(self) -> int: ...
    def group(self, index: int = 0) -> str: ...


@dataclass(frozen=True, slots=True)
class RulePattern:
    """A compiled, linear-time pattern; `source` is what the author wrote."""

    source: str
    compiled: Any  # re2._Regexp; the binding has no type information

    def search(self, text: str) -> Match | None:
        if _deadline != float("inf") and time.monotonic() > _deadline:
            raise PatternBudgetExceeded(_deadline)
        return self.compiled.search(text)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # The RE2 object cannot be pickled (the plan cache keeps patterns): it is compiled again from the source.
        return compile_pattern, (self.source,)


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would otherwise print English errors on stderr
    return options


def regex_problem(pattern: str) -> str | None:
    """Why a rule author's regular expression is refused (in Swedish), or None when it can be used."""
    if len(pattern) > MAX_REGEX_CHARS:
        return f"mönstret är för långt ({len(pattern)} tecken, högst {MAX_REGEX_CHARS})"
    folded = strip_diacritics(pattern)
    try:
        parsed = sre_parse.parse(folded, re.IGNORECASE)
    except re.error as exc:
        return f"mönstret är inte ett giltigt reguljärt uttryck: {exc.msg}"
    except (RecursionError, OverflowError):
        return "mönstret är för djupt nästlat – förenkla det"
    unsupported = _unsupported(parsed)
    if unsupported is not None:
        return unsupported
    try:
        compiled = re2.compile(folded, _options())
    except Exception:  # re2.error carries English bytes; the author gets a Swedish reason instead
        return ("mönstret använder något som regelspråket inte stöder (till exempel mycket stora "
                "upprepningsantal som {1000,}) – förenkla mönstret")
    size = _program_size(compiled)
    if size > MAX_PROGRAM_SIZE:
        return (f"mönstret blir för stort när det översätts ({size} instruktioner, högst {MAX_PROGRAM_SIZE}) och "
                "skulle göra granskningen långsam – oftast beror det på stora upprepningsantal som .{999} eller "
                "upprepningar i upprepningar; använd mindre antal")
    return None


def _program_size(compiled: Any) -> int:
    """The compiled program's size (forward or reverse, whichever is larger)."""
    sizes = [getattr(compiled, name, 0) for name in ("programsize", "reverseprogramsize")]
    return max(int(size) if isinstance(size, int) else 0 for size in sizes)


def compile_pattern(pattern: str) -> RulePattern:
    """Compile a pattern that `regex_problem` accepted."""
    return RulePattern(pattern, re2.compile(strip_diacritics(pattern), _options()))


def _unsupported(parsed: Any) -> str | None:
    """Back-references and look-arounds: features RE2 leaves out because they need backtracking."""
    for op, value in _items(parsed):
        if op in (sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS):
            return "mönstret använder bakåtreferenser (\\1 …), vilket inte är tillåtet i regler"
        if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            return ("mönstret använder framåt- eller bakåtblickar ((?=…), (?!…), (?<=…)), vilket inte är "
                    "tillåtet i regler – skriv i stället två villkor med ”och” eller ”inte”")
        for sub in _subpatterns(op, value):
            found = _unsupported(sub)
            if found is not None:
                return found
    return None


def _subpatterns(op: Any, value: Any) -> list[Any]:
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)):
        return [value[2]]
    if op == sre_parse.SUBPATTERN:
        return [value[-1]]
    if op == sre_parse.BRANCH:
        return list(value[1])
    if op == getattr(sre_parse, "ATOMIC_GROUP", None):
        return [value]
    return []


def _items(parsed: Any) -> list[Any]:
    return list(parsed.data) if hasattr(parsed, "data") else list(parsed)
