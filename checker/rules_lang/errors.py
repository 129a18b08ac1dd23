"""Errors in rule files, reported the way a compiler reports them.

Every problem found while loading rule files becomes a `RuleError` with the
file, line and column it concerns and a Swedish message. They are collected
for all files and raised together as one `RuleLoadError`, so a quality
coordinator sees every mistake at once — and nothing is checked with a rule
set that is only partly loaded.

The rendering is modelled on compilers people already know:

    rules/rapport.rules:12:21: okänt fält ”analyss” hos enhetsmål – menade du ”analys”?
        varje enhetsmål har analyss
                            ^~~~~~~
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import MalkollError
from checker.text import fold

# More errors than this are summarised: a file of garbage should not flood the terminal.
MAX_SHOWN = 40


@dataclass(frozen=True, slots=True)
class RuleError:
    """One problem in a rule file. `line` and `column` are 1-based; 0 means "the whole file"."""

    file: Path
    line: int
    column: int
    message: str
    # The text of the offending line, for the excerpt with a caret; None when not known.
    source_line: str | None = None
    # How many characters to underline (the offending word); at least 1.
    length: int = 1

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else str(self.file)
        head = f"{where}: {self.message}"
        if not self.source_line or not self.line:
            return head
        line, column = _window(self.source_line.rstrip("\n").rstrip(), self.column)
        # Keep tabs in the padding so the caret lands under the right character.
        prefix = line[: max(0, column - 1)]
        padding = "".join("\t" if ch == "\t" else " " for ch in prefix)
        available = max(1, len(line) - len(prefix))
        marker = "^" + "~" * (min(self.length, available) - 1)
        return f"{head}\n    {line}\n    {padding}{marker}"


# Lines longer than this are shown as a window around the error.
_WINDOW = 100


def _window(line: str, column: int) -> tuple[str, int]:
    """The part of a long line around `column`, and the column within that part."""
    if len(line) <= _WINDOW:
        return line, column
    start = max(0, column - 1 - _WINDOW // 2)
    end = min(len(line), start + _WINDOW)
    excerpt = line[start:end]
    new_column = column - start
    if start > 0:
        excerpt = "…" + excerpt
        new_column += 1
    if end < len(line):
        excerpt += "…"
    return excerpt, new_column


class RuleLoadError(MalkollError):
    """All problems found while loading rule files; nothing was loaded."""

    def __init__(self, errors: Sequence[RuleError]) -> None:
        self.errors: tuple[RuleError, ...] = tuple(sorted(errors, key=_error_order))
        super().__init__(self.render())

    def render(self) -> str:
        shown = self.errors[:MAX_SHOWN]
        parts = [error.render() for error in shown]
        hidden = len(self.errors) - len(shown)
        if hidden > 0:
            parts.append(f"… och {hidden} fel till som inte visas.")
        count = len(self.errors)
        noun = "fel" if count == 1 else "fel"
        files = len({error.file for error in self.errors})
        where = "regelfilen" if files == 1 else f"{files} regelfiler"
        parts.append(
            f"Hittade {count} {noun} i {where}. Inga dokument granskades – rätta reglerna och försök igen."
        )
        return "\n\n".join(parts)


def _error_order(error: RuleError) -> tuple[str, int, int]:
    return (str(error.file), error.line, error.column)


def suggest(word: str, candidates: Iterable[str], *, limit: int = 2, cutoff: float = 0.6) -> str:
    """" – menade du ”x”?" for the closest candidates, or "" when nothing is close.

    Comparison is diacritic- and case-tolerant, so "forvantat resultat"
    suggests "förväntat resultat".
    """
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(fold(candidate), candidate)
    # Short words (rule ids, a prefix and two digits) need a lower bar to find their neighbours.
    bar = min(cutoff, 0.5) if len(word) <= 4 else cutoff
    matches = difflib.get_close_matches(fold(word), list(by_key), n=limit, cutoff=bar)
    if not matches:
        return ""
    names = [f"”{by_key[m]}”" for m in matches]
    return " – menade du " + " eller ".join(names) + "?"


def swedish_list(words: Sequence[str], conjunction: str = "och") -> str:
    """"a", "a och b", "a, b och c"."""
    items = list(words)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
