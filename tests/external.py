"""Tests that need a program outside Python: a real browser or LibreOffice.

On a developer's machine such a test is skipped, with the reason, when the
program is missing. In CI (CI=true, set by .ci/run, which installs both
first) a missing program fails the test: a skip there would hide that the
overview or the annotated copies were never looked at in a real renderer.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str) -> NoReturn:
    """Skip the test because `reason`; fail it instead in CI."""
    if in_ci():
        pytest.fail(f"{reason} – i CI ska .ci/run ha installerat det", pytrace=False)
    pytest.skip(reason)
