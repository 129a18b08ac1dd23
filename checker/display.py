"""Text for people, made safe and short: the lowest layer every reader of a document and every output may use.

Document text can carry terminal escapes, control characters and
bidirectional overrides; everything shown to a person goes through
clean_display (or json_display_safe for JSON) first. Only the standard
library: reading (checker.safety) and the command line use it too.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

# Terminal escape sequences a hostile or damaged document could carry:
# CSI (ESC [ … final), OSC (ESC ] … BEL / ESC \), other two-byte ESC codes and
# the 8-bit CSI. They are removed whole so no stray "[31m" is left behind.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# Bidirectional controls can make a line display in a different order than it
# reads ("Trojan Source"); they never carry meaning in a report.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = {c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({ord(c): None for c in _BIDI})
_CONTROL[ord("\t")] = " "
_ONE_LINE = dict(_CONTROL)
_ONE_LINE.update({ord("\n"): " ", 0x2028: " ", 0x2029: " "})
_MULTI_LINE = dict(_CONTROL)
_MULTI_LINE.update({ord("\n"): "\n", 0x2028: "\n", 0x2029: "\n"})


def clean_display(text: str | None, *, multiline: bool = False) -> str:
    """Text from a document made safe to print: no escapes, controls or bidi overrides.

    Rich markup is not handled here: callers put the result in a `rich.text.Text`
    (never into a markup string), so "[bold]" stays literal.
    """
    if not text:
        return ""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.translate(_MULTI_LINE if multiline else _ONE_LINE)


# A file name is how a person finds the file: its odd characters are shown, not deleted (two names that
# differ only in a control character must not look alike). C0 controls become their Unicode pictures
# ("␛" for ESC, so "ESC[2J" shows as "␛[2J" and does nothing), the rest "[U+XXXX]".
_VISIBLE_NAME: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}
_VISIBLE_NAME[0x7F] = "\u2421"
_VISIBLE_NAME.update({c: f"[U+{c:04X}]" for c in [*range(0x80, 0xA0), *map(ord, _BIDI), 0x2028, 0x2029]})


def visible_name(text: str | None) -> str:
    """A file or folder name made safe to print, with every control character shown visibly."""
    return text.translate(_VISIBLE_NAME) if text else ""


# Characters json.dumps(ensure_ascii=False) leaves as they are that would
# still act on a terminal or editor showing the JSON: C1 controls (0x9b is a
# one-byte CSI), bidirectional overrides, line and paragraph separators.
_JSON_ESCAPES: dict[int, str] = {c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), *map(ord, _BIDI), 0x2028, 0x2029]}


def json_display_safe(text: str) -> str:
    """JSON text with those characters written as \\uXXXX escapes: the same data once parsed.

    They can only occur inside JSON strings, where an escape means the same character.
    """
    return text.translate(_JSON_ESCAPES)


def shorten(text: str | None, limit: int = 80, *, keep_controls: bool = False) -> str:
    """A one-line, display-safe excerpt cut at a word boundary.

    keep_controls: the text as the document has it (a finding's message and
    quote: every output cleans them as it shows them, and JSON keeps them exact).
    """
    one_line = " ".join((text or "").split()) if keep_controls else " ".join(clean_display(text).split())
    if len(one_line) <= limit:
        return one_line
    cut = one_line[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


KIND_WORDS = {
    "verksamhetsplan": "Verksamhetsplan",
    "tertialrapport": "Tertialrapport",
    "verksamhetsberattelse": "Verksamhetsberättelse",
}


def describe_kind(kind: str | None, tertial: int | None = None) -> str:
    """"Verksamhetsberättelse", "Tertialrapport 2", or "Okänd dokumenttyp"."""
    if kind is None:
        return "Okänd dokumenttyp"
    word = KIND_WORDS.get(kind, kind)
    if kind == "tertialrapport" and tertial:
        word += f" {tertial}"
    return word


NOT_A_REPORT = "Inte en plan eller rapport"


def describe_document(kind: str | None, tertial: int | None, year: int | None, other: str | None = None) -> str:
    """"Verksamhetsberättelse 2025"; the year is left out when unknown; "Inte en plan eller rapport (ett protokoll)"."""
    if other:
        return f"{NOT_A_REPORT} ({other})"
    text = describe_kind(kind, tertial)
    return f"{text} {year}" if year else text


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def relative_name(path: Path, base: Path | None) -> str:
    """`path` relative to `base` with forward slashes, or the whole path when it is not below it."""
    if base is not None:
        with contextlib.suppress(ValueError):
            return path.absolute().relative_to(base.absolute()).as_posix()
    return path.as_posix()
