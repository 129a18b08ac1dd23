"""Broken or hostile rule files and configuration (issue 6): always exit code 2 with a Swedish message
naming the file, never a traceback, never a half run; and the size limits can be changed, as documented.

Rule files and malkoll.toml are the coordinator's own, but they are text
people edit by hand in a shared folder: a syntax error, an unknown name, a
file that is far too large, nesting that would make a parser recurse, a
device or a pipe named as a rule file, and regular expressions that would
backtrack catastrophically in Python's own engine (they run on RE2 instead).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from checker import limits
from checker.rules_lang.patterns import compile_pattern, regex_problem
from tests import hostile_inputs as h
from tests.test_annotate import write_report


_run = h.run_in_process


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return write_report(tmp_path / "in" / "rapport.docx", "Aspuddens hemtjänst", analysis=True)


def _assert_refused(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, (out, err)
    assert "Traceback" not in err and "internt fel" not in err
    assert "GODKÄND" not in out and "UNDERKÄND" not in out  # no document was checked
    for fragment in fragments:
        assert fragment in err, err


# --- rule files ----------------------------------------------------------------------------------

RULE_CASES = {
    "syntaxfel": ('regel EG01 feel "x" i alla:\n  varje enhetsmål har analys', ["egna.rules:1:", "^"]),
    "okänt namn": ('regel EG01 fel "x" i alla:\n  varje enhetsmål har analyys', ["egna.rules:2:", "analyys"]),
    "okänd platshållare": ('regel EG01 fel "{titell}" i alla:\n  varje enhetsmål har analys', ["titell"]),
    "för djup nästling": ('regel EG01 fel "x" i alla:\n  varje enhetsmål: ' + "inte " * 5000 + "analys",
                          ["för djupt nästlat"]),
    "fraslista i ring": ('fraser p = q\nfraser q = p\nregel EG01 fel "x" i alla:\n  varje enhetsmål: analys innehåller p',
                         ["fraslista"]),
    "bakåtreferens": ('regel EG01 fel "x" i alla:\n  varje enhetsmål: analys matchar "(a+)\\1"',
                      ["egna.rules:2:", "bakåtreferenser"]),
    "framåtblick": ('regel EG01 fel "x" i alla:\n  varje enhetsmål: analys matchar "mål(?!en)"',
                    ["egna.rules:2:", "framåt- eller bakåtblickar"]),
    "stor upprepning": ('regel EG01 fel "x" i alla:\n  varje enhetsmål: analys matchar "(a{1000}){1000}"',
                        ["egna.rules:2:", "inte stöder"]),
    "för stor": ("# " + "x" * 2_100_000, ["för stor för en regelfil"]),
    "inte UTF-8": (None, ["inte sparad som UTF-8"]),
}


@pytest.mark.parametrize("case", list(RULE_CASES), ids=list(RULE_CASES))
def test_broken_rule_files_stop_the_run_with_a_swedish_message(tmp_path: Path, report: Path, case: str) -> None:
    text, fragments = RULE_CASES[case]
    rules = tmp_path / "egna.rules"
    if text is None:
        rules.write_bytes('regel EG01 fel "å" i alla: varje dokument har typ'.encode("latin-1"))
    else:
        rules.write_text(text, encoding="utf-8")
    code, out, err = _run("check", str(report), "--extend-rules", str(rules), "--timeout", "0")
    _assert_refused(code, out, err, *fragments)
    assert "Inga dokument granskades" in err


def test_rule_file_errors_through_a_subprocess_and_the_watch(tmp_path: Path, report: Path) -> None:
    rules = tmp_path / "egna.rules"
    rules.write_text('regel EG01 fel "x" i alla:\n  varje enhetsmål har analyys', encoding="utf-8")
    (report.parent / "malkoll.toml").write_text(f'extend-rules = ["{rules.as_posix()}"]\n', encoding="utf-8")
    check = h.run_malkoll("check", str(report.parent))
    watch = h.run_malkoll("watch", str(report.parent), "--once", "--settle", "0")
    for done in (check, watch):
        assert done.returncode == 2 and "egna.rules:2:" in done.stderr and "Traceback" not in done.stderr
    assert not (report.parent / "granskning").exists()  # the watch stopped before writing anything


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
@pytest.mark.parametrize("target", ["/dev/zero", "rör.rules", "jätte.rules"])
def test_rule_files_that_would_never_end_or_fill_the_memory(tmp_path: Path, report: Path, target: str) -> None:
    """Rule files are read whole: /dev/zero never ends, a pipe waits for a writer, a sparse file claims GBs."""
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "rör.rules":
        os.mkfifo(path)
    elif target == "jätte.rules":
        with path.open("wb") as handle:
            handle.truncate(3 * 1024**3)  # sparse: 3 GB claimed, nothing written
    elif not path.exists():
        pytest.skip(f"{target} finns inte här")
    started = time.perf_counter()
    code, out, err = _run("check", str(report), "--extend-rules", str(path), "--timeout", "0")
    _assert_refused(code, out, err, str(path))
    assert "ingen vanlig fil" in err or "större än någon regelfil" in err
    assert time.perf_counter() - started < 10


def test_a_pipe_among_rule_files_in_a_folder_is_passed_over(tmp_path: Path, report: Path) -> None:
    folder = tmp_path / "regler"
    folder.mkdir()
    (folder / "a.rules").write_text('regel EG01 info "x" i alla:\n  varje enhetsmål har analys', encoding="utf-8")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "rör.rules")
    code, _, err = _run("check", str(report), "--extend-rules", str(folder), "--timeout", "0")
    assert code == 0, err


# --- regular expressions that backtrack in Python's engine -------------------------------------------

# Exponential ("(a+)+b", overlapping alternation under a repeat) and high-polynomial (stacked repeats)
# shapes. No static check catches every such shape, so patterns run on RE2, whose time is linear in
# the text: these load, and finish on the text that would set them off.
# Each with whether it matches the texts below (letters and spaces only, no "b", "!" or "x").
BACKTRACKING = {"(a+)+b": False, "(a|a)*b": False, "([a-z ]|[a-z ])*!": False, ".*.*.*.*x": False,
                "(\\w+\\s?)+$!": False, "(.*a){20}": True}


@pytest.mark.parametrize("pattern", BACKTRACKING)
def test_backtracking_patterns_load_and_run_in_linear_time(pattern: str) -> None:
    assert regex_problem(pattern) is None
    compiled = compile_pattern(pattern)
    # Python's re needs about 2**40 steps for the first three on the first text; RE2 answers at once.
    for text in ("a" * 40, "aaaa aaaa " * 10_000, "A" * 100_000):
        assert (compiled.search(text) is not None) == BACKTRACKING[pattern]


def test_a_rule_with_a_backtracking_pattern_checks_every_file(tmp_path: Path) -> None:
    """Through the CLI, in workers, with a generous time limit: nothing is stopped, every file is checked."""
    folder = tmp_path / "in"
    write_report(folder / "lång analys.docx", "Enhet A", analysis=True)  # 80 letters and spaces in a row
    write_report(folder / "utan analys.docx", "Enhet B", analysis=False)
    rules = tmp_path / "egna.rules"
    rules.write_text('regel EG01 info "mönstret {fras}" i alla:\n'
                     '  inget enhetsmål där analys matchar "([a-z ]|[a-z ])*!"\n'
                     'regel EG02 info "hittat {fras}" i alla:\n'
                     '  inget enhetsmål där analys matchar "(\\w+\\s?)+procent"\n', encoding="utf-8")
    done = h.run_malkoll("check", str(folder), "--extend-rules", str(rules), "--jobs", "2", "--timeout", "120",
                         "--select", "EG", "--format", "json", timeout=600)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    import json

    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert set(files) == {"lång analys.docx", "utan analys.docx"}
    assert all(f["error"] is None and f["kind"] for f in files.values()), files
    assert any(finding["rule"] == "EG02" for finding in files["lång analys.docx"]["findings"])


# --- malkoll.toml -------------------------------------------------------------------------------

CONFIG_CASES = {
    "syntaxfel": ('profile = "utkast\n', ["malkoll.toml:1:", "inte giltig TOML"]),
    "okänd inställning": ('fail_levle = "fel"\n', ["okänd inställning", "Menade du"]),
    "fel typ": ("timeout = true\n", ["timeout"]),
    "djupt nästlad": ("x = " + "[" * 5000 + "]" * 5000 + "\n", ["för djupt nästlad"]),
    "djupt nästlad tabell": ("x = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n", ["för djupt nästlad"]),
    "för stor": ("# " + "x" * (1024 * 1024 + 10) + "\n", ["större än 1 MB"]),
    "binär": (b"\xff\xfe\x00\x01garbage", ["inte sparad som UTF-8"]),
    "okänd gräns": ("[limits]\nmax-bomb = 3\n", ["okänd gräns", "max-file-mb"]),
    "gräns noll": ("[limits]\nmax-entries = 0\n", ["max-entries", "positivt tal"]),
    "gräns text": ('[limits]\nmax-file-mb = "mycket"\n', ["max-file-mb", "positivt tal"]),
    "gräns inte tabell": ("limits = 5\n", ["[limits] ska vara en tabell"]),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES), ids=list(CONFIG_CASES))
def test_broken_configuration_stops_the_run_with_a_swedish_message(report: Path, case: str) -> None:
    text, fragments = CONFIG_CASES[case]
    config = report.parent / "malkoll.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    for command in (["check", str(report.parent), "--timeout", "0"], ["watch", str(report.parent), "--once"]):
        code, out, err = _run(*command)
        _assert_refused(code, out, err, str(config), *fragments)
    assert not (report.parent / "granskning").exists()


def test_broken_tool_malkoll_table_in_pyproject(report: Path) -> None:
    (report.parent / "pyproject.toml").write_text("[tool.malkoll]\nx = " + "[" * 3000 + "]" * 3000 + "\n",
                                                  encoding="utf-8")
    code, out, err = _run("check", str(report.parent), "--timeout", "0")
    _assert_refused(code, out, err, "pyproject.toml", "för djupt nästlad")


@pytest.mark.parametrize(("variable", "value"), [("MALKOLL_MAX_FILE_MB", "många"), ("MALKOLL_MAX_RATIO", "-5"),
                                                 ("MALKOLL_MAX_ENTRIES", "nan")])
def test_a_bad_limit_in_the_environment(report: Path, variable: str, value: str) -> None:
    code, out, err = _run("check", str(report), "--timeout", "0", env={variable: value})
    _assert_refused(code, out, err, variable, "positivt tal")


# --- the limits, changed as SECURITY.md says ----------------------------------------------------------


def test_limits_can_be_lowered_in_malkoll_toml_and_the_environment(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "stor.docx").write_bytes(h.long_paragraph(2 * h.MiB, runs=100))  # document.xml ≈ 2 MB unpacked
    write_report(folder / "liten.docx", "Enhet A", analysis=True)
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q")
    assert "kunde inte läsas" not in out  # within the defaults (a one-paragraph file fails the rules, though)
    (folder / "malkoll.toml").write_text("[limits]\nmax-entry-mb = 1\n", encoding="utf-8")
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q")
    text = " ".join(out.split())
    assert code == 1 and "stor.docx: delen ”word/document.xml” skulle packas upp till 2 MB, mer än gränsen 1 MB" in text
    assert "max-entry-mb under [limits] i malkoll.toml" in text and "1 godkänd" in text
    # The file's [limits] win over the environment; the environment over the defaults.
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q", env={"MALKOLL_MAX_ENTRY_MB": "50"})
    assert code == 1 and "gränsen 1 MB" in out
    (folder / "malkoll.toml").unlink()
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q", env={"MALKOLL_MAX_FILE_MB": "0.1"})
    text = " ".join(out.split())
    assert code == 1 and "större än gränsen 102 KB för en fil" in text and "MALKOLL_MAX_FILE_MB" in text
    # Worker processes apply the same limits.
    done = h.run_malkoll("check", str(folder), "-q", "--jobs", "2", env={"MALKOLL_MAX_TOTAL_MB": "1"})
    text = " ".join(done.stdout.split())
    assert done.returncode == 1 and "mer än gränsen 1 MB" in text and "liten.docx" in text


def test_a_worker_started_afresh_gets_the_runs_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers inherit the limits; a spawned one (when threads run, as in the watch) is given them."""
    import multiprocessing

    from checker import batch
    from checker.engine import default_rules_dir
    from checker.findings import Severity

    path = tmp_path / "stor.docx"
    path.write_bytes(h.long_paragraph(2 * h.MiB, runs=100))
    monkeypatch.setattr(batch, "_context", lambda: (multiprocessing.get_context("spawn"), False))
    limits.configure(limits.resolve({"max_entry_mb": 1}, {}))
    try:
        spec = batch.RuleSpec((default_rules_dir(),))
        with batch.Runner(None, spec, jobs=1, timeout=60, fail_level=Severity.ERROR) as runner:
            [result] = list(runner.run([batch.Job(path)]))
    finally:
        limits.configure(None)
    assert result.error is not None and "mer än gränsen 1 MB" in result.error


def test_raised_limits_let_a_large_report_through(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "många.docx").write_bytes(h.many_entries(150))
    (folder / "malkoll.toml").write_text("[limits]\nmax-entries = 100\n", encoding="utf-8")
    assert _run("check", str(folder), "--timeout", "0", "-q")[0] == 1
    (folder / "malkoll.toml").write_text("[limits]\nmax-entries = 1000\nmax-ratio = 500\n", encoding="utf-8")
    code, out, _ = _run("check", str(folder), "--timeout", "0", "-q")
    assert "kunde inte läsas" not in out and code in (0, 1)
