"""Messages (issue 16 item 5): TOML errors in Swedish with file:line:column, option
suggestions from the same subcommand only, a missing --extend-rules told as the
command line's, no trailing spaces in a pipe or file, paths not broken mid-word."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.output.terminal import wrap_path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "reports" / "aspudden_vb2025_export.docx"


def _malkoll(*argv: str, cwd: Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.mark.parametrize(("text", "where", "words"), [
    ('select = ["VB"\nprofile = "utkast"\n', ":2:", "lista saknar sin avslutande ]"),
    ('profile = utkast\n', ":1:11:", "värdet saknas eller är ogiltigt"),
    ('profile = "utkast\n', ":1:", "citattecken"),
    ('profile = "a"\nprofile = "b"\n', ":2:", "samma namn anges två gånger"),
])
def test_toml_syntax_errors_are_swedish_with_file_line_and_column(tmp_path: Path, text: str, where: str,
                                                                  words: str) -> None:
    (tmp_path / "malkoll.toml").write_text(text, encoding="utf-8")
    result = _malkoll("check", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert f"malkoll.toml{where}" in result.stderr and words in result.stderr
    assert not re.search(r"Unclosed|Invalid|Expected|Cannot|Unterminated", result.stderr)


def test_suggestions_come_from_the_same_subcommand(tmp_path: Path) -> None:
    wrong = _malkoll("check", "--settle", "3", cwd=tmp_path)  # watch's option, not check's
    assert wrong.returncode == 2 and "Menade du --settle" not in wrong.stderr
    unlike = _malkoll("check", "--poll", cwd=tmp_path)  # watch's, and like nothing of check's
    assert unlike.returncode == 2 and "Menade du" not in unlike.stderr
    typo = _malkoll("check", "--selct", "VB", cwd=tmp_path)
    assert "Menade du --select?" in typo.stderr
    own = _malkoll("watch", str(tmp_path), "--setle", "3", cwd=tmp_path)
    assert "Menade du --settle?" in own.stderr


def test_missing_extend_rules_is_told_as_the_command_lines(tmp_path: Path) -> None:
    (tmp_path / "malkoll.toml").write_text('profile = "utkast"\n', encoding="utf-8")
    result = _malkoll("check", str(tmp_path), "--extend-rules", "saknas.rules", cwd=tmp_path)
    assert result.returncode == 2
    assert "saknas.rules (angiven på kommandoraden)" in result.stderr
    assert "malkoll.toml" not in result.stderr


def test_output_to_a_pipe_or_file_has_no_trailing_spaces(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "vb.docx")
    piped = _malkoll("check", str(tmp_path), cwd=tmp_path).stdout
    assert "Sammanfattning" in piped
    assert [line for line in piped.splitlines() if line != line.rstrip()] == []
    _malkoll("check", str(tmp_path), "-o", str(tmp_path / "ut.txt"), cwd=tmp_path)
    written = (tmp_path / "ut.txt").read_text(encoding="utf-8")
    assert "Sammanfattning" in written
    assert [line for line in written.splitlines() if line != line.rstrip()] == []
    listed = _malkoll("rules", cwd=tmp_path).stdout
    assert [line for line in listed.splitlines() if line != line.rstrip()] == []


def test_wrap_path_breaks_only_at_separators() -> None:
    name = "enheter_sodra/aspuddens-hemtjanst/verksamhetsberattelse_2025.docx"
    lines = wrap_path(name, 24).split("\n")
    assert "".join(lines) == name
    assert all(len(line) <= 24 for line in lines)
    assert all(line.endswith(("/", "_", "-", ".")) for line in lines[:-1])
    assert wrap_path("kort.docx", 24) == "kort.docx"


def test_summary_table_keeps_words_whole(tmp_path: Path) -> None:
    folder = tmp_path / "enheter_sodra" / "aspuddens-hemtjanst"
    folder.mkdir(parents=True)
    shutil.copy(SEED, folder / "verksamhetsberattelse_2025_slutversion_efter_granskning.docx")
    shutil.copy(SEED, tmp_path / "kort.docx")
    out = _malkoll("check", str(tmp_path), "-q", cwd=tmp_path, columns=90).stdout
    for word in ("aspuddens-", "verksamhetsberattelse_", "slutversion_", "granskning.docx"):
        assert word in out, out
