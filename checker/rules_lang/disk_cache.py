"""The per-user cache of loaded rule files: where it is, who may be trusted, how entries are written.

Two things are cached, both keyed by a hash of the code that makes them and
the rule text they come from, so an entry never goes stale:

* `parser` keeps each rule file's syntax tree (`ast-<hash>.pickle`): a changed
  rule set is parsed without lark for the files that did not change;
* `plan_cache` keeps a whole rule set's typed plan (`plan-<hash>.pickle`): an
  unchanged rule set is loaded without parsing or analysing anything.

The cache lies in ~/.cache/malkoll (or $XDG_CACHE_HOME/malkoll), or in
$MALKOLL_CACHE_DIR; an empty value turns it off. Entries are pickles, and
unpickling runs code named in the file, so only a cache the user owns and no
one else can write to is ever read (see `trusted`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from checker.atomic import atomic_write

CACHE_ENV = "MALKOLL_CACHE_DIR"


def cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "malkoll"


def fingerprint(files: list[Path]) -> bytes:
    """A digest of source files: it changes whenever any of them does."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.digest()


def entry(prefix: str, key: bytes) -> Path | None:
    """The file of one cache entry, or None when the cache is turned off."""
    directory = cache_dir()
    if directory is None:
        return None
    return directory / f"{prefix}-{hashlib.sha256(key).hexdigest()}.pickle"


def trusted(path: Path) -> bool:
    """Only the user's own cache, writable by no one else, is unpickled.

    Unpickling runs code named in the file, so a cache that someone else can
    write to (MALKOLL_CACHE_DIR pointed at a shared folder, say) would let them
    run code as whoever checks the reports. Such a cache is ignored: the rule
    files are then parsed afresh, which costs a fraction of a second.
    """
    if not hasattr(os, "getuid"):  # Windows: the cache lies in the user's own profile
        return True
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def load(path: Path | None, unpickler: Callable[[IO[bytes]], pickle.Unpickler] = pickle.Unpickler) -> Any:
    """What an entry holds, or None: no entry, an untrusted one, or a damaged one."""
    try:
        if path is None or not path.is_file() or not (trusted(path.parent) and trusted(path)):
            return None
        with path.open("rb") as handle:
            return unpickler(handle).load()
    except Exception:  # noqa: BLE001 - a damaged cache is simply ignored
        return None


def store(path: Path | None, value: Any, pickler: Callable[[IO[bytes]], pickle.Pickler] | None = None) -> None:
    """Write an entry atomically; a value that cannot be pickled, or an unwritable cache, just means no entry."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not trusted(path.parent):
            return  # it would never be read back (see trusted)
        # Atomic: parallel runs never see half a file. Private: only the user's own entries are trusted.
        with atomic_write(path, binary=True, durable=False, private=True) as handle:
            make = pickler or (lambda out: pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL))
            make(handle).dump(value)
    except Exception:  # noqa: BLE001 - no cache is fine, a failing cache must not stop a run
        return
