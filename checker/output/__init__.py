"""Shared helpers for every output format: the display helpers (checker.display), the version, atomic files.

Kept free of heavy imports (no rich, no pydantic) because the CLI imports it
on paths that must start fast.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TextIO

from checker.atomic import atomic_write

# The display helpers live in checker.display (reading uses them too); they are
# named here as well, as every output imports them from this package.
from checker.display import (  # noqa: F401 - re-exported
    KIND_WORDS,
    NOT_A_REPORT,
    clean_display,
    describe_document,
    describe_kind,
    json_display_safe,
    plural,
    relative_name,
    shorten,
    visible_name,
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


def atomic_writer(path: Path) -> contextlib.AbstractContextManager[TextIO]:
    """Write a text file so readers see either the old file or the complete new one (checker.atomic)."""
    return atomic_write(path)
