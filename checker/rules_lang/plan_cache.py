"""A whole rule set's typed plan, kept between runs.

Loading the bundled rules means parsing them (or reading their syntax trees
from the cache), analysing them and compiling the plan. Only the last step
makes something a run cannot keep – closures. The plan before it is data, so
an unchanged rule set is read back here and goes straight to the compiler:
starting a check then imports neither the syntax tree nor the analysis, which
is a tenth of the start-up of a one-file check (issue 5's start-up target).

The plan refers to the vocabulary – entities, fields, functions, properties,
each with the Python function that reads a report. Those are not pickled:
each is written as its place in the vocabulary ("field:enhetsmal:analys")
and looked up again when read back. A name that is not in this process's
vocabulary makes the entry unusable, and the rules are then analysed afresh.

The entry is keyed by this package's code and by every rule file's path and
text, so it never goes stale; like the syntax-tree cache it is only read
when the user owns it and no one else can write to it (`disk_cache.trusted`).
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from checker.rules_lang import disk_cache
from checker.rules_lang.plan import Analysis

_PREFIX = "plan"


def load(files: Sequence[tuple[Path, str]]) -> Analysis | None:
    """The analysis of exactly these rule files from an earlier run, or None."""
    found = disk_cache.load(disk_cache.entry(_PREFIX, _key(files)), _VocabularyUnpickler)
    return found if isinstance(found, Analysis) and not found.errors else None


def store(files: Sequence[tuple[Path, str]], analysis: Analysis) -> None:
    """Keep a clean analysis for the next run (one with errors is never kept: it must be reported afresh)."""
    if not analysis.errors:
        disk_cache.store(disk_cache.entry(_PREFIX, _key(files)), analysis, _VocabularyPickler)


def _key(files: Sequence[tuple[Path, str]]) -> bytes:
    parts = [_code_fingerprint(), sys.version.encode("utf-8")]
    for path, text in files:
        parts += [str(path).encode("utf-8", "surrogateescape"), b"\0", text.encode("utf-8"), b"\0"]
    return b"".join(parts)


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """Every module that shapes a plan: the rule language itself and the vocabulary's helpers."""
    package = Path(__file__).parent
    checker = package.parent
    files = sorted(package.rglob("*.py")) + [
        package / "grammar.lark", checker / "findings.py", checker / "severity.py", checker / "text.py",
    ]
    return disk_cache.fingerprint(files)


# --- the vocabulary, by name -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[int, str], dict[str, Any]]:
    """Every definition a plan may point at: by identity (for writing) and by name (for reading)."""
    from checker.rules_lang.functions import FUNCTIONS
    from checker.rules_lang.vocabulary import DOC_REFS, ENTITIES, ENUMS, PROPERTIES, SUBFIELDS

    by_name: dict[str, Any] = {}
    for entity_id, entity in ENTITIES.items():
        by_name[f"entity:{entity_id}"] = entity
        for field_id, definition in entity.fields.items():
            by_name[f"field:{entity_id}:{field_id}"] = definition
    for base, subfields in SUBFIELDS.items():
        for index, subfield in enumerate(subfields):
            by_name[f"subfield:{base.name}:{index}"] = subfield
    for index, prop in enumerate(PROPERTIES):
        by_name[f"property:{index}"] = prop
    for index, ref in enumerate(DOC_REFS):
        by_name[f"docref:{index}"] = ref
    for name, function in FUNCTIONS.items():
        by_name[f"function:{name}"] = function
    for name, enum in ENUMS.items():
        by_name[f"enum:{name}"] = enum
    by_identity: dict[int, str] = {}
    for name, definition in by_name.items():
        by_identity.setdefault(id(definition), name)  # shared definitions (titel) keep their first name
    return by_identity, by_name


class _VocabularyPickler(pickle.Pickler):
    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = _vocabulary()[0]

    def persistent_id(self, obj: Any) -> str | None:
        return self._names.get(id(obj))


class _VocabularyUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self._definitions = _vocabulary()[1]

    def persistent_load(self, pid: Any) -> Any:
        try:
            return self._definitions[pid]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(f"unknown vocabulary entry {pid!r}") from None
