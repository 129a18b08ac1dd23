"""Shared helpers for every output format: the display helpers (checker.display), the version, atomic files.

Kept free of heavy imports (no rich, no pydantic) because the CLI imports it
on paths that must start fast.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

# The display helpers live in checker.display (reading uses them too); they are
# named here as well, as every output imports them from this package.
from checker.display import (  # noqa: F401 - re-exported
    KIND_WORDS,
    clean_display,
    describe_document,
    describe_kind,
    json_display_safe,
    plural,
    relative_name,
    shorten,
)


def tool_version() -> str:
    """The installed version of Målkoll, or the one in pyproject.toml when run from a checkout."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("malkoll")
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover - stdlib
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        import tomllib

        with pyproject.open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "okänd"


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """Write a text file so readers see either the old file or the complete new one.

    The text goes to a temporary file in the same folder, which replaces the
    target only when everything was written; on failure the target is untouched.
    """
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file private (0600); give it the mode a normal
        # file would get, or keep the mode of the file being replaced.
        os.chmod(temp_name, _target_mode(path))
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
