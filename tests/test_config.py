"""Configuration files (malkoll.toml, [tool.malkoll]) and file discovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.config import Config, find_config, load_config, load_config_for, merge, split_ids
from checker.discovery import DiscoveryError, discover, is_candidate
from checker.errors import ConfigError


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- finding the file ---------------------------------------------------------------


def test_config_found_upward_from_checked_folder(tmp_path: Path) -> None:
    config = write(tmp_path / "malkoll.toml", 'profile = "utkast"\n')
    deep = tmp_path / "Inlämnat" / "2025" / "Hemtjänst"
    deep.mkdir(parents=True)
    assert find_config(deep) == config.absolute()
    assert load_config_for(deep).profile == "utkast"


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / "malkoll.toml", 'profile = "utkast"\n')
    inner = write(tmp_path / "a" / "malkoll.toml", 'profile = "inlamning"\n')
    assert find_config(tmp_path / "a") == inner.absolute()


def test_tool_malkoll_in_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.malkoll]\nfail-level = "varning"\nselect = ["VB", "IN01"]\n',
    )
    (tmp_path / "docs").mkdir()
    config = load_config_for(tmp_path / "docs")
    assert config.fail_level == "warning"
    assert config.select == ("VB", "IN01")


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    outer = write(tmp_path / "malkoll.toml", 'profile = "utkast"\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "something-else"\n')
    assert find_config(tmp_path / "inner") == outer.absolute()


def test_malkoll_toml_beats_pyproject_in_same_folder(tmp_path: Path) -> None:
    own = write(tmp_path / "malkoll.toml", 'profile = "utkast"\n')
    write(tmp_path / "pyproject.toml", '[tool.malkoll]\nprofile = "inlamning"\n')
    assert find_config(tmp_path) == own.absolute()


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    # tmp_path has no config; nothing above it should have one either in a test run,
    # but a stray file higher up must not break the test's meaning.
    found = find_config(tmp_path)
    config = load_config_for(tmp_path)
    assert found is not None or config == Config()


# --- values ---------------------------------------------------------------------------


def test_all_keys_and_relative_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cfg" / "malkoll.toml",
        'rules = "regler"\n'
        'extend-rules = ["extra/a.rules", "/abs/b.rules"]\n'
        'select = "VB,IN01"\n'
        'ignore = ["DK02"]\n'
        'profile = "inlamning"\n'
        'fail-level = "fel"\n'
        'output-format = "json"\n',
    )
    config = load_config(path)
    assert config.rules == ((tmp_path / "cfg" / "regler").resolve(),)
    assert config.extend_rules == ((tmp_path / "cfg" / "extra" / "a.rules").resolve(), Path("/abs/b.rules"))
    assert config.select == ("VB", "IN01")
    assert config.ignore == ("DK02",)
    assert config.profile == "inlamning"
    assert config.fail_level == "error"
    assert config.output_format == "json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('fail_level = "error"\n', ['okänd inställning "fail_level"', 'Menade du "fail-level"?', "Tillåtna inställningar"]),
        ('profil = "utkast"\n', ['okänd inställning "profil"', 'Menade du "profile"?']),
        ('fail-level = "varnig"\n', ['ogiltigt värde "varnig" för "fail-level"', 'Menade du "varning"?']),
        ('output-format = "xml"\n', ['ogiltigt värde "xml"', '"terminal" eller "json"']),
        ("select = 3\n", ['"select" ska vara en text eller en lista']),
        ("profile = []\n", ['"profile" ska vara en text']),
    ],
)
def test_bad_values_are_explained(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path / "malkoll.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for piece in expected:
        assert piece in message


def test_broken_toml_points_at_line(tmp_path: Path) -> None:
    path = write(tmp_path / "malkoll.toml", 'profile = "utkast"\nfail-level = varning\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"{path}:2:" in message
    assert "inte giltig TOML" in message
    assert "fail-level = varning" in message and "^" in message


def test_pyproject_table_errors_name_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.malkoll]\nprofiles = "x"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.malkoll\]: okänd inställning \"profiles\""):
        load_config_for(tmp_path)
    assert path.exists()


def test_explicit_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Konfigurationsfilen finns inte"):
        load_config_for(tmp_path, tmp_path / "saknas.toml")


def test_command_line_overrides_config(tmp_path: Path) -> None:
    config = Config(
        path=tmp_path / "malkoll.toml",
        rules=(tmp_path / "r",),
        extend_rules=(tmp_path / "e1",),
        select=("VB",),
        ignore=("DK02",),
        profile="utkast",
        fail_level="warning",
        output_format="json",
    )
    unchanged = merge(config)
    assert unchanged.select == ("VB",) and unchanged.fail_level == "warning" and unchanged.output_format == "json"
    merged = merge(
        config,
        extend_rules=[tmp_path / "e2"],
        select=["IN"],
        ignore=[],
        profile="inlamning",
        fail_level="info",
        output_format="terminal",
    )
    assert merged.rules == (tmp_path / "r",)
    assert merged.extend_rules == (tmp_path / "e1", tmp_path / "e2")  # extend-rules add up
    assert merged.select == ("IN",)
    assert merged.ignore == ()
    assert (merged.profile, merged.fail_level, merged.output_format) == ("inlamning", "info", "terminal")
    assert merge(Config()).fail_level == "error"


def test_split_ids() -> None:
    assert split_ids(["VB01,VB02", " IN ", ","]) == ["VB01", "VB02", "IN"]
    assert split_ids(None) is None


# --- discovery ------------------------------------------------------------------------


def test_discovery_skips_lock_hidden_and_temp_files(tmp_path: Path) -> None:
    for name in [
        "b.docx",
        "A.DOCX",
        "~$b.docx",
        "~WRL0001.docx",
        ".hemlig.docx",
        "anteckning.txt",
        "gammal.doc",
        "sub/c.docx",
        ".git/d.docx",
        "~$sub/e.docx",
        "sub/~$c.docx",
    ]:
        write(tmp_path / name)
    found = discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found.files] == ["A.DOCX", "b.docx", "sub/c.docx"]
    assert found.problems == []


def test_explicit_files_are_kept_in_given_order_without_duplicates(tmp_path: Path) -> None:
    a = write(tmp_path / "a.docx")
    b = write(tmp_path / "~$b.docx")
    found = discover([b, a, tmp_path, a])
    assert found.files == [b, a]


def test_missing_path_is_misuse(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="Sökvägen finns inte"):
        discover([tmp_path / "finns-inte"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks saknas")
def test_symlink_loop_is_not_followed_forever(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.docx")
    try:
        (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    except OSError:
        pytest.skip("kan inte skapa symlänkar här")
    found = discover([tmp_path])
    assert [p.name for p in found.files] == ["x.docx"]


def test_is_candidate() -> None:
    assert is_candidate("Verksamhetsplan 2025.docx")
    assert is_candidate("VB.DocX")
    assert not is_candidate("~$rksamhetsplan.docx")
    assert not is_candidate(".~lock.docx")
    assert is_candidate("rapport.pdf") and is_candidate("VB 2024.PDF")  # read by checker.reading.pdf
    assert not is_candidate("~$rapport.pdf") and not is_candidate(".rapport.pdf")
    assert not is_candidate("gammal.doc")
