"""Shared test setup: what a run keeps in the user's own folders goes to the test's temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # The gate's confirmed settings (checker.gate_config); subprocesses inherit the variable.
    previous = os.environ.get("MALKOLL_STATE_DIR")
    os.environ["MALKOLL_STATE_DIR"] = str(tmp_path_factory.mktemp("malkoll-state"))
    yield
    if previous is None:
        os.environ.pop("MALKOLL_STATE_DIR", None)
    else:
        os.environ["MALKOLL_STATE_DIR"] = previous


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """A folder with the sample reports as .docx (export) and as PDF (exported, printed, scanned)."""
    from tests.fixtures.pdfbuilder import write_pdf_set  # reportlab is loaded only by the tests that use it

    folder = tmp_path / "blandat"
    write_pdf_set(folder)
    return folder
