"""How much of a document Målkoll is willing to read: the limits, their defaults, and how to change them.

A .docx is a zip of XML parts, and a zip can promise far more than it
holds: a few MB that unpack to GBs (a "zip bomb"), a directory with
millions of entries, a part whose size would fill the memory. So before
anything is decompressed, the package's own directory is compared with
these limits (checker.safety), and a file that exceeds one is reported as
unreadable with a Swedish explanation naming the limit and how to raise it.

The defaults are far above any real plan or report (the largest reports
are a few MB, their biggest XML part a few tens of MB, compressed at most
~50:1) and well below what would hurt a worker process.

Changing them, most specific last:

    environment:   MALKOLL_MAX_FILE_MB=400 malkoll check …
    malkoll.toml:  [limits]
                   max-file-mb = 400

A PDF is no zip, but it has the same kind of parts: streams, most of them
packed with the zlib method, which a few KB can unpack to GBs just as well.
The same limits hold for each stream (max-entry-mb, max-ratio) and for all of
them together (max-total-mb), measured before PDFium unpacks anything
(checker.reading.pdf.guard); max-pages and max-objects are for PDFs alone.

Limits that are not ours to change: the XML parser reads at most 256
levels of nesting and 10 million characters in one text node (libxml2
without its "huge" option), and never expands entities or loads a DTD.
The per-file time limit is `timeout` / `--timeout` (checker.batch).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from checker.errors import ConfigError

MB = 1024 * 1024
# Entries smaller than this are never called bombs, whatever their ratio:
# a tiny part of repeated markup compresses extremely well and harms no one.
RATIO_FLOOR_BYTES = 1 * MB


@dataclass(frozen=True)
class Limits:
    """The limits for one run. Sizes in MB (1 MB = 1 048 576 bytes)."""

    # The .docx file on disk (it is read whole for the annotated copy).
    max_file_mb: float = 200
    # Entries in the zip's directory (a report has 10–100; each image is one).
    max_entries: int = 10_000
    # One entry unpacked (word/document.xml of a 500-page report is ~30 MB).
    max_entry_mb: float = 100
    # All entries unpacked together.
    max_total_mb: float = 500
    # Unpacked size ÷ packed size of one entry larger than RATIO_FLOOR_BYTES
    # (Word's XML packs at most ~50:1; a bomb of spaces packs ~1000:1).
    max_ratio: float = 200
    # XML elements in one part (a 500-page report's document.xml has about a million; each costs
    # memory once parsed, and an empty paragraph packs to a few bits).
    max_elements: int = 2_000_000
    # Pages of a PDF (the longest reports have a few hundred; a small file can claim a million).
    max_pages: int = 5_000
    # Objects of a PDF (a 26-page report exported from Word has under 200, a 500-page one a few thousand).
    max_objects: int = 2_000_000
    # Address space of each worker process, in MB (RLIMIT_AS): one file can never take the machine.
    max_worker_mb: float = 4096
    # Seconds the regular expressions of one rule may take on one document (checker.rules_lang.patterns).
    max_rule_seconds: float = 10.0

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_entry_bytes(self) -> int:
        return int(self.max_entry_mb * MB)

    @property
    def max_total_bytes(self) -> int:
        return int(self.max_total_mb * MB)

    @property
    def max_worker_bytes(self) -> int:
        return int(self.max_worker_mb * MB)


DEFAULTS = Limits()

# Setting name in malkoll.toml → (field, environment variable, Swedish description for messages).
SETTINGS: dict[str, tuple[str, str, str]] = {
    "max-file-mb": ("max_file_mb", "MALKOLL_MAX_FILE_MB", "största filstorlek i MB"),
    "max-entries": ("max_entries", "MALKOLL_MAX_ENTRIES", "högsta antal delar i zip-paketet"),
    "max-entry-mb": ("max_entry_mb", "MALKOLL_MAX_ENTRY_MB",
                     "största uppackade storlek för en del (eller en ström i en PDF-fil), i MB"),
    "max-total-mb": ("max_total_mb", "MALKOLL_MAX_TOTAL_MB", "största uppackade storlek för hela filen, i MB"),
    "max-ratio": ("max_ratio", "MALKOLL_MAX_RATIO",
                  "högsta packningsgrad (uppackad ÷ packad storlek) för en del eller en PDF-ström"),
    "max-elements": ("max_elements", "MALKOLL_MAX_ELEMENTS", "högsta antal XML-element i en del"),
    "max-pages": ("max_pages", "MALKOLL_MAX_PAGES", "högsta antal sidor i en PDF-fil"),
    "max-objects": ("max_objects", "MALKOLL_MAX_OBJECTS", "högsta antal objekt i en PDF-fil"),
    "max-worker-mb": ("max_worker_mb", "MALKOLL_MAX_WORKER_MB", "största minne för en arbetsprocess, i MB"),
    "max-rule-seconds": ("max_rule_seconds", "MALKOLL_MAX_RULE_SECONDS",
                         "största tid i sekunder för en regels reguljära uttryck i ett dokument"),
}
_FIELD_TYPES = {f.name: f.type for f in fields(Limits)}

_current: Limits | None = None


def current() -> Limits:
    """The limits in force: those configured for this run, else the defaults with the environment's changes."""
    if _current is not None:
        return _current
    try:
        return from_environment(os.environ)
    except ConfigError:
        # A bad variable is reported where the command starts (cli); a library
        # caller that never configured anything gets the safe defaults.
        return DEFAULTS


def configure(limits: Limits | None) -> None:
    """Set the limits for this process (and processes forked from it); None: back to defaults + environment."""
    global _current
    _current = limits


def from_environment(environ: Mapping[str, str], base: Limits = DEFAULTS) -> Limits:
    """`base` with the MALKOLL_MAX_… variables applied. Raises ConfigError (Swedish) for a bad value."""
    changes: dict[str, Any] = {}
    for name, variable, description in SETTINGS.values():
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        try:
            number = float(raw.strip().replace(",", "."))
        except ValueError:
            number = -1.0
        changes[name] = _checked(name, number, f"miljövariabeln {variable}=\"{raw}\"", description)
    return replace(base, **changes) if changes else base


def table_changes(table: Any, where: str) -> dict[str, Any]:
    """The changes a [limits] table of malkoll.toml makes, validated. Raises ConfigError (Swedish)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}[limits] ska vara en tabell, t.ex. max-file-mb = 400.")
    changes: dict[str, Any] = {}
    for key, value in table.items():
        setting = SETTINGS.get(str(key).strip().lower().replace("_", "-"))
        if setting is None:
            raise ConfigError(f"{where}[limits]: okänd gräns \"{key}\". Tillåtna: " + ", ".join(SETTINGS) + ".")
        name, _, description = setting
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else -1.0
        changes[name] = _checked(name, number, f"{where}[limits] {key} = {value!r}", description)
    return changes


def resolve(changes: Mapping[str, Any], environ: Mapping[str, str]) -> Limits:
    """Defaults, then the environment, then malkoll.toml's [limits]. Raises ConfigError (Swedish)."""
    return replace(from_environment(environ), **dict(changes))


# The largest value each limit may take: far above any document (and any disk), and small enough that
# the byte counts derived from it stay ordinary integers (1e308 MB overflowed into "internt fel").
MAXIMA: dict[str, float] = {
    "max_file_mb": 1024 * 1024,  # 1 TB
    "max_entries": 10_000_000,
    "max_entry_mb": 1024 * 1024,
    "max_total_mb": 1024 * 1024,
    "max_ratio": 1_000_000,
    "max_elements": 1_000_000_000,
    "max_pages": 10_000_000,
    "max_objects": 1_000_000_000,
    "max_worker_mb": 1024 * 1024,
    "max_rule_seconds": 7 * 24 * 3600,
}


def _checked(name: str, number: float, where: str, description: str) -> Any:
    if not 0 < number < float("inf"):  # also refuses NaN
        raise ConfigError(f"{where}: {description} ska vara ett positivt tal.")
    whole = _FIELD_TYPES[name] in (int, "int")
    if whole and not float(number).is_integer():
        # 0.5 entries used to become 0 silently.
        raise ConfigError(f"{where}: {description} ska vara ett positivt heltal, inte {number:g}.")
    highest = MAXIMA.get(name)
    if highest is not None and number > highest:
        shown = f"{highest:,.0f}".replace(",", " ")
        raise ConfigError(f"{where}: {description} får vara högst {shown} – ett större värde är ingen gräns.")
    return int(number) if whole else number


def apply_memory_ceiling(limits: Limits) -> None:
    """Cap this process's address space (a worker's: never the coordinator's own process).

    Past the ceiling an allocation fails with MemoryError, which the worker
    reports in Swedish (memory_message) instead of the machine swapping.
    """
    try:
        import resource
    except ImportError:  # not on this system: the time limit still holds
        return
    ceiling = limits.max_worker_bytes
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft == resource.RLIM_INFINITY or ceiling < soft:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
        except (ValueError, OSError):
            pass  # below what the process already uses: it keeps the limit it had


def memory_message(limits: Limits) -> str:
    """The Swedish explanation for a file that needed more memory than a worker may use."""
    return (f"dokumentet behövde mer minne än gränsen {describe_mb(limits.max_worker_bytes)} för en arbetsprocess "
            "och granskades inte. Kontrollera att filen är ett vanligt Word-dokument eller en vanlig PDF-fil. " + how_to_raise("max-worker-mb"))


def describe_mb(size: int) -> str:
    """A size as a person reads it: "4,0 GB", "120 MB", "3 KB"."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB".replace(".", ",")
    if size >= MB:
        return f"{size / MB:.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def how_to_raise(setting: str) -> str:
    """The Swedish hint at the end of a limit message."""
    variable = SETTINGS[setting][1]
    return f"Gränsen kan höjas med {setting} under [limits] i malkoll.toml eller miljövariabeln {variable}."
