"""The user guide's generated sections (docs/regelsprak.md §5 and §8) name what the language accepts.

The lists of nouns, fields and functions are written from the registry by
checker.rules_lang.guide; a guide edited by hand there, or a registry changed
without the guide, fails here (as test_dump does for the JSON schema).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.rules_lang import guide
from checker.rules_lang.functions import FUNCTIONS
from checker.rules_lang.vocabulary import ENTITIES

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "regelsprak.md"
HOW = "docs/regelsprak.md är inaktuell: kör `python -m checker.rules_lang.guide docs/regelsprak.md`"


def test_committed_guide_is_the_generated_one() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert guide.generated(text) == text, HOW


def test_every_noun_field_and_function_is_in_the_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for entity in ENTITIES.values():
        assert f"### {entity.label}" in text
        for field in entity.fields.values():
            assert f"| `{field.label}`" in text, field.label
    for function in FUNCTIONS.values():
        assert f"| `{function.name}(" in text, function.name


def test_a_new_function_makes_the_guide_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    likhet = FUNCTIONS["likhet"]
    monkeypatch.setitem(FUNCTIONS, "olikhet", likhet.__class__(**{
        **{name: getattr(likhet, name) for name in likhet.__slots__}, "name": "olikhet", "aliases": (),
    }))
    assert guide.generated(text) != text
    assert "| `olikhet(a, b)` |" in guide.generated(text)


def test_a_guide_without_its_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="saknar markeringarna"):
        guide.generated("# Regelspråket\n")
