"""SECURITY.md names a test for every promise it makes: those tests must exist.

A promise whose test was renamed or deleted would otherwise stay in the
document unbacked. Each `tests/<file>.py::<test>` reference is looked up as
a test function in that file, and every numbered promise names at least one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECURITY = REPO / "SECURITY.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {part.splitlines()[0]: part for part in parts}


def test_every_named_test_exists() -> None:
    references = REFERENCE.findall(SECURITY.read_text(encoding="utf-8"))
    assert len(references) >= 40
    missing = [f"{file}::{name}" for file, name in references
               if not (REPO / file).is_file() or name not in _test_functions(REPO / file)]
    assert not missing, "SECURITY.md nämner tester som inte finns: " + ", ".join(missing)


def test_every_promise_and_the_limits_are_backed_by_tests() -> None:
    sections = _sections(SECURITY.read_text(encoding="utf-8"))
    promises = {title: body for title, body in sections.items() if re.match(r"\d+\. ", title)}
    assert len(promises) >= 7
    for title, body in {**promises, "Gränser och hur de ändras": sections["Gränser och hur de ändras"]}.items():
        assert "Bevis:" in body and REFERENCE.search(body), f"”{title}” saknar bevis"


def test_the_limits_table_matches_the_code() -> None:
    from checker import limits
    from checker.config import DEFAULT_TIMEOUT

    table = _sections(SECURITY.read_text(encoding="utf-8"))["Gränser och hur de ändras"]
    for key, (field, variable, _) in limits.SETTINGS.items():
        row = next((line for line in table.splitlines() if f"`{key}`" in line), None)
        assert row is not None and f"`{variable}`" in row, key
        value = getattr(limits.DEFAULTS, field)
        shown = f"{value:,.0f}".replace(",", " ") if isinstance(value, int) else f"{value:g}"
        assert f"| {shown} " in row, (key, shown, row)
    assert f"| {DEFAULT_TIMEOUT:g} s |" in table
