"""The gate's own safety: the rules that say a document could not be understood
(DK01, DK03, DK05 – the profile "skydd" in rules/profiler.rules) survive every
--select, --ignore by prefix and --profile, in the command line and malkoll.toml.
Only an --ignore that names such a rule by its id switches it off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from checker.engine import default_rules_dir, load_rules

SAFETY = {"DK01", "DK03", "DK05"}


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()])


@pytest.mark.parametrize("options", [
    {"select": ["VB", "IN01"]},
    {"select": ["VP01"]},
    {"ignore": ["DK"]},
    {"profile": "utkast"},
    {"profile": "utkast", "select": ["AK"], "ignore": ["D"]},
])
def test_safety_rules_survive_select_ignore_and_profile(catalog, options) -> None:
    chosen = {rule.id for rule in catalog.filtered(**options).rules}
    assert SAFETY <= chosen


def test_ignore_by_exact_id_switches_one_safety_rule_off(catalog) -> None:
    chosen = {rule.id for rule in catalog.filtered(select=["VB"], ignore=["dk03"]).rules}
    assert chosen & SAFETY == {"DK01", "DK05"}


def test_safety_marker_is_not_a_profile(catalog) -> None:
    assert "skydd" not in catalog.profiles
    assert all("skydd" not in rule.profiles for rule in catalog.rules)
    with pytest.raises(ValueError):
        catalog.filtered(profile="skydd")


def test_a_rule_file_can_add_its_own_safety_rule(tmp_path: Path) -> None:
    own = tmp_path / "egna.rules"
    own.write_text(
        'regel EG01 fel "Egen kontroll"\n  i alla:\n  varje dokument har typ och år\n\n'
        "profil skydd: EG01\n",
        encoding="utf-8",
    )
    rules = load_rules([default_rules_dir(), own])
    assert "EG01" in {rule.id for rule in rules.filtered(select=["VB"]).rules}


def _no_goals(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "enhet_vb2025.docx"
    document = docx.Document()
    document.add_heading("Verksamhetsberättelse 2025", level=1)
    document.add_paragraph("Här skulle enhetens mål ha stått.")
    document.save(str(path))
    return path


def _check(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", "check", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_select_cannot_let_a_document_without_goals_pass(tmp_path: Path) -> None:
    path = _no_goals(tmp_path / "in")
    result = _check(str(path), "--select", "VB,IN01", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DK03" in result.stdout


def test_malkoll_toml_select_cannot_let_it_pass_either(tmp_path: Path) -> None:
    path = _no_goals(tmp_path / "in")
    (tmp_path / "in" / "malkoll.toml").write_text('select = ["VB"]\nignore = ["DK"]\n', encoding="utf-8")
    result = _check(str(path.parent), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DK03" in result.stdout


def test_ignoring_the_safety_rules_by_name_is_the_way_out(tmp_path: Path) -> None:
    path = _no_goals(tmp_path / "in")
    result = _check(str(path), "--select", "VB", "--ignore", "DK01,DK03,DK05", cwd=tmp_path)
    assert "DK03" not in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
