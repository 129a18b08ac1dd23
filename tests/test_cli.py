"""The `malkoll` command: exit codes, messages, options, configuration, output files.

Most tests replace the reader and the rule engine with small fakes (through
sys.modules), so they test the command itself and stay fast and independent
of the catalog. The tests at the end run the real reader and engine on a
generated .docx when those are available.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checker.cli import main, translate_argparse_message
from checker.errors import MalkollError, ReadError
from checker.findings import Finding, Location, Severity
from checker.model import Report, Source

REPO = Path(__file__).resolve().parents[1]


# --- fakes ----------------------------------------------------------------------------


class FakeRuleLoadError(MalkollError):
    def render(self) -> str:
        return f"{self.args[0]}\n    rule XX01 feel\n         ^"


@dataclass(frozen=True)
class FakeRule:
    id: str
    severity: Severity
    message: str
    help: str = "Så att nämnden får veta."
    kinds: frozenset[str] | None = None
    profiles: frozenset[str] = frozenset()
    file: Path = Path("rules/fake.rules")
    line: int = 1
    source_text: str = "rule X error \"…\""


@dataclass(frozen=True)
class FakeRuleSet:
    rules: tuple[FakeRule, ...]
    profiles: tuple[str, ...] = ("utkast",)
    loaded_from: tuple[Path, ...] = field(default=())

    def filtered(self, *, select=(), ignore=(), profile=None) -> FakeRuleSet:
        known = {r.id for r in self.rules}
        for rule_id in (*select, *ignore):
            if not any(k.startswith(rule_id) for k in known):
                raise ValueError(f"Okänd regel i --select/--ignore: {rule_id}")
        if profile is not None and profile not in self.profiles:
            raise ValueError(f"Okänd profil: {profile}")
        kept = [
            r
            for r in self.rules
            if (not select or any(r.id.startswith(s) for s in select))
            and not any(r.id.startswith(i) for i in ignore)
            and (profile is None or profile in r.profiles)
        ]
        return FakeRuleSet(tuple(kept), self.profiles, self.loaded_from)

    def get(self, rule_id: str) -> FakeRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def in_catalog_order(self) -> list[FakeRule]:
        return sorted(self.rules, key=lambda r: r.id)


FAKE_RULES = (
    FakeRule("VB03", Severity.ERROR, "Enhetsmålet saknar analys", kinds=frozenset({"verksamhetsberattelse"})),
    FakeRule("VB04", Severity.ERROR, "Målet anges som helt uppfyllt utan stödjande text", profiles=frozenset({"utkast"})),
    FakeRule("VB06", Severity.WARNING, "Analysen är skriven i framtid"),
    FakeRule("DK02", Severity.INFO, "Avsnittet är tomt"),
)


def fake_load_rules(paths) -> FakeRuleSet:
    rules = list(FAKE_RULES)
    for path in paths:
        files = sorted(path.glob("*.rules")) if path.is_dir() else [path]
        for file in files:
            text = file.read_text(encoding="utf-8")
            if "TRASIG" in text:
                raise FakeRuleLoadError(f"{file}:1:9: okänd nivå \"feel\" – menade du \"fel\"?")
            for line in text.splitlines():
                if line.startswith("rule "):
                    rules.append(FakeRule(line.split()[1], Severity.WARNING, "Egen regel", file=file))
    return FakeRuleSet(tuple(rules), loaded_from=tuple(paths))


def fake_read_report(path: Path) -> Report:
    """A "document" is a text file: its lines say which rule ids fire; magic words make it fail."""
    text = Path(path).read_text(encoding="utf-8")
    if "OLÄSBAR" in text:
        raise ReadError(path, "filen är skadad och kan inte öppnas.")
    if "KRASCH" in text:
        raise RuntimeError("oväntat")
    # The ids travel in the title, which the terminal output does not show.
    return Report(path=str(path), kind="verksamhetsberattelse", year=2025, unit="Aspuddens hemtjänst", title=text)


def fake_check_report(report: Report, rules: FakeRuleSet) -> list[Finding]:
    findings = []
    for i, rule_id in enumerate((report.title or "").split()):
        rule = rules.get(rule_id)
        if rule is not None:
            findings.append(
                Finding(
                    rule.id,
                    rule.severity,
                    rule.message,
                    "Enheten arbetar för trygghet",
                    "enhetsmal",
                    Location(("KF:s mål 1.4 Stockholm", "Nämndmål: Äldre är trygga"), Source(block=i, paragraph=i)),
                    "Enheten bedömer att …",
                )
            )
    return findings


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Install the fake engine and reader; returns the fake built-in rules folder."""
    builtin = tmp_path / "inbyggda-regler"
    builtin.mkdir()
    engine = types.ModuleType("checker.engine")
    engine.default_rules_dir = lambda: builtin
    engine.load_rules = fake_load_rules
    engine.check_report = fake_check_report
    rules_lang = types.ModuleType("checker.rules_lang")
    rules_lang.__path__ = []
    errors = types.ModuleType("checker.rules_lang.errors")
    errors.RuleLoadError = FakeRuleLoadError
    reader = types.ModuleType("checker.reading.report")
    reader.read_report = fake_read_report
    monkeypatch.setitem(sys.modules, "checker.engine", engine)
    monkeypatch.setitem(sys.modules, "checker.rules_lang", rules_lang)
    monkeypatch.setitem(sys.modules, "checker.rules_lang.errors", errors)
    monkeypatch.setitem(sys.modules, "checker.reading.report", reader)
    monkeypatch.setenv("COLUMNS", "250")  # long tmp paths on one line
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return builtin


def doc(folder: Path, name: str, *lines: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "Inlämnat"
    doc(folder, "a_varning.docx", "VB06")
    doc(folder, "b_ren.docx", "")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- argument errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "--fail-levl", "fel"], ["okända argument: --fail-levl", "Menade du --fail-level?"]),
        (["check", "--format", "xml"], ["argument --format: ogiltigt val: 'xml'", "välj bland"]),
        (["check", "--fail-level", "kritisk"], ['ogiltig nivå "kritisk"', "fel, varning, info"]),
        (["check", "--output"], ["ett värde behövs efter flaggan"]),
        (["chekc"], ["okänt kommando 'chekc'", "Menade du check?"]),
        (["dump"], ["följande argument saknas: FIL"]),
    ],
)
def test_bad_arguments_exit_2_in_swedish(capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("användning: malkoll")
    for piece in expected:
        assert piece in err
    assert "usage:" not in err and "error:" not in err and "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "kommandon:" in err and "check" in err


def test_help_is_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert out.startswith("användning: malkoll check")
    assert "flaggor:" in out and "visa den här hjälptexten" in out
    assert "options" not in out and "show this help" not in out


def test_translation_of_argparse_messages() -> None:
    assert translate_argparse_message("argument --x: expected one argument") == "argument --x: ett värde behövs efter flaggan"
    assert translate_argparse_message("något helt annat") == "något helt annat"


def test_help_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "main(['--help'])\n"
        "main(['check', '--help'])\n"
        "heavy = [m for m in ('pydantic', 'docx', 'lark', 'rich', 'rapidfuzz') if m in sys.modules]\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"


def test_python_dash_m_checker(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "checker", "--version"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.startswith("malkoll ")
    missing = subprocess.run(
        [sys.executable, "-m", "checker.cli", "check", str(tmp_path / "saknas")], cwd=REPO, capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert "Sökvägen finns inte" in missing.stderr and "Traceback" not in missing.stderr


def test_the_command_leaves_quickly_with_every_output_written(tmp_path: Path) -> None:
    """`malkoll` ends with os._exit (cli.run): the output must still be whole, the exit code kept, and a
    reader that stops early ("| head") must not get a traceback."""
    sample = REPO / "reports" / "aspudden_t2_2025_export.docx"
    target = tmp_path / "resultat.json"
    done = subprocess.run([sys.executable, "-m", "checker", "check", str(sample), "--format", "json"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["files"][0]["findings"]
    written = subprocess.run([sys.executable, "-m", "checker", "check", str(sample), "--format", "json",
                              "--output", str(target)], cwd=REPO, capture_output=True, text=True)
    assert written.returncode == 1 and json.loads(target.read_text(encoding="utf-8")) == json.loads(done.stdout)
    reader = subprocess.Popen([sys.executable, "-m", "checker", "check", str(REPO / "reports"), "--format", "json"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()
    errors = reader.stderr.read().decode("utf-8", "replace")
    assert reader.wait(timeout=120) in (0, 1)
    assert "Traceback" not in errors and "Exception ignored" not in errors


# --- exit codes of check -----------------------------------------------------------------


def test_warnings_pass_at_default_fail_level(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(docs), "--no-color")
    assert code == 0, err
    assert "GODKÄND  0 fel · 1 varning · 0 info" in out
    assert "Granskade 2 filer: 2 godkända, 0 underkända." in out


@pytest.mark.parametrize("level", ["warning", "varning", "VARNING", "info"])
def test_fail_level_warning_or_info_fails_on_warning(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str], level: str) -> None:
    code, out, _ = run(capsys, "check", str(docs), "--fail-level", level)
    assert code == 1
    assert "UNDERKÄND" in out


def test_error_finding_exits_1(fakes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = doc(tmp_path, "vb.docx", "VB03", "DK02")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert "UNDERKÄND  1 fel · 0 varningar · 1 info" in out
    assert "Enhetsmål: Enheten arbetar för trygghet" in out
    assert "Enhetsmålet saknar analys" in out


def test_unreadable_file_exits_1_and_others_are_checked(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc(docs, "c_trasig.docx", "OLÄSBAR")
    code, out, _ = run(capsys, "check", str(docs))
    assert code == 1
    assert "KUNDE INTE LÄSAS  filen är skadad och kan inte öppnas." in out
    assert "a_varning.docx" in out and "b_ren.docx" in out


def test_internal_error_names_file_and_continues(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crash = doc(docs, "0_krasch.docx", "KRASCH")
    code, out, err = run(capsys, "check", str(docs))
    assert code == 1
    assert f"internt fel i Målkoll när {crash} lästes (RuntimeError: oväntat)" in " ".join(out.split())
    assert "b_ren.docx" in out
    assert "Traceback" not in out + err


def test_nonexistent_path_exits_2(fakes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(tmp_path / "saknas"))
    assert code == 2
    assert f"Sökvägen finns inte: {tmp_path / 'saknas'}" in err


def test_default_path_is_reports(fakes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    # Without reports/ the current folder is checked (issue 16).
    doc(tmp_path, "egen.docx", "VB03")
    code, out, _ = run(capsys, "check")
    assert code == 1 and "egen.docx" in out
    (tmp_path / "egen.docx").unlink()
    doc(tmp_path / "reports", "vb.docx", "VB03")
    code, out, _ = run(capsys, "check")
    assert code == 1 and "reports/vb.docx" in out


def test_empty_folder_is_not_an_error(fakes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 0
    assert "Inga .docx- eller PDF-filer hittades" in err


# --- rules options -------------------------------------------------------------------------


def test_broken_rule_file_exits_2_without_partial_run(fakes: Path, docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = doc(tmp_path, "egna.rules", "rule XX01 feel TRASIG")
    code, out, err = run(capsys, "check", str(docs), "--extend-rules", str(broken))
    assert code == 2
    assert out == ""
    assert f"{broken}:1:9: okänd nivå" in err and "^" in err


def test_missing_rule_file_exits_2(fakes: Path, docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(docs), "--rules", str(tmp_path / "saknas.rules"))
    assert code == 2
    assert "Regelfilen eller regelmappen finns inte" in err


def test_select_ignore_profile(fakes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = doc(tmp_path, "vb.docx", "VB03", "VB04", "VB06")
    assert run(capsys, "check", str(path), "--ignore", "VB03,VB04")[0] == 0
    assert run(capsys, "check", str(path), "--select", "VB06")[0] == 0
    assert run(capsys, "check", str(path), "--select", "VB0")[0] == 1
    code, out, _ = run(capsys, "check", str(path), "--profile", "utkast")
    assert code == 1 and "VB04" in out and "VB03" not in out
    code, _, err = run(capsys, "check", str(path), "--select", "QQ")
    assert code == 2 and "Okänd regel" in err
    code, _, err = run(capsys, "check", str(path), "--profile", "slutlig")
    assert code == 2 and "Okänd profil" in err


def test_extend_and_replace_rules(fakes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[Path, ...]] = []

    def spy(paths):
        seen.append(tuple(paths))
        return fake_load_rules(paths)

    monkeypatch.setattr(sys.modules["checker.engine"], "load_rules", spy)
    extra = doc(tmp_path, "extra.rules", "rule EG01")
    path = doc(tmp_path, "d" / Path("vb.docx"), "EG01")
    code, out, _ = run(capsys, "check", str(path), "--extend-rules", str(extra))
    assert code == 0 and "EG01" in out and "Egen regel" in out
    assert seen[-1] == (fakes, extra)
    run(capsys, "check", str(path), "--rules", str(extra))
    assert seen[-1] == (extra,)


# --- configuration --------------------------------------------------------------------------


def test_config_in_checked_folder_applies(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (docs / "malkoll.toml").write_text('fail-level = "varning"\n', encoding="utf-8")
    assert run(capsys, "check", str(docs))[0] == 1
    # The command line wins over the file.
    assert run(capsys, "check", str(docs), "--fail-level", "error")[0] == 0


def test_config_found_upward_and_output_format(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (docs.parent / "pyproject.toml").write_text('[tool.malkoll]\noutput-format = "json"\nignore = ["VB06"]\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", str(docs / "a_varning.docx"))
    assert code == 0
    data = json.loads(out)
    assert data["files"][0]["findings"] == []


def test_config_relative_rules_resolved_against_config(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    doc(docs.parent / "regler", "egna.rules", "rule EG01")
    (docs.parent / "malkoll.toml").write_text('extend-rules = ["regler"]\n', encoding="utf-8")
    doc(docs, "c.docx", "EG01")
    monkeypatch.chdir(REPO)  # far from the config file
    code, out, _ = run(capsys, "check", str(docs))
    assert code == 0 and "EG01" in out


def test_broken_config_exits_2(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = docs / "malkoll.toml"
    config.write_text('fail_level = "fel"\n', encoding="utf-8")
    code, out, err = run(capsys, "check", str(docs))
    assert code == 2 and out == ""
    assert f"{config}: okänd inställning \"fail_level\". Menade du \"fail-level\"?" in err
    config.write_text("fail-level = \n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(docs))
    assert code == 2 and f"{config}:1:" in err and "inte giltig TOML" in err


def test_explicit_config_option(fakes: Path, docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = doc(tmp_path, "annan.toml", 'fail-level = "info"')
    assert run(capsys, "check", str(docs), "--config", str(config))[0] == 1
    assert run(capsys, "check", str(docs), "--config", str(tmp_path / "saknas.toml"))[0] == 2


# --- output ---------------------------------------------------------------------------------


def test_json_format(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(docs), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format_version"] == 1 and data["fail_level"] == "error" and data["passed"] is True
    first = data["files"][0]
    assert first["path"].endswith("Inlämnat/a_varning.docx")
    assert first["kind"] == "verksamhetsberattelse" and first["unit"] == "Aspuddens hemtjänst"
    assert first["findings"][0]["rule"] == "VB06"
    assert first["findings"][0]["severity"] == "warning"
    assert first["findings"][0]["location"]["path"] == ["KF:s mål 1.4 Stockholm", "Nämndmål: Äldre är trygga"]


def test_output_file_is_written_atomically(fakes: Path, docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "resultat.json"
    code, out, err = run(capsys, "check", str(docs), "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert "Resultatet sparades i" in err
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["files"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Inlämnat", "inbyggda-regler", "resultat.json"]
    # Terminal format to a file is plain text.
    text_target = tmp_path / "resultat.txt"
    run(capsys, "check", str(docs), "-o", str(text_target))
    text = text_target.read_text(encoding="utf-8")
    assert "Sammanfattning" in text and "\x1b" not in text


def test_output_file_not_replaced_when_run_fails(fakes: Path, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "resultat.json"
    target.write_text("föregående körning", encoding="utf-8")

    def explode(result, summary):
        raise KeyboardInterrupt

    from checker.output import json_report

    monkeypatch.setattr(json_report.JsonReporter, "file", lambda self, r, s: explode(r, s))
    code, _, err = run(capsys, "check", str(docs), "--format", "json", "-o", str(target))
    assert code == 130 and "Avbrutet" in err
    assert target.read_text(encoding="utf-8") == "föregående körning"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".resultat")] == []


def test_output_never_over_an_input(fakes: Path, docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim = docs / "b_ren.docx"
    before = victim.read_bytes()
    code, _, err = run(capsys, "check", str(docs), "-o", str(victim))
    assert code == 2 and "får inte skriva över" in err
    assert victim.read_bytes() == before
    code, _, err = run(capsys, "check", str(docs), "-o", str(tmp_path / "ny.docx"))
    assert code == 2 and "inte ett Word-dokument" in err
    code, _, err = run(capsys, "check", str(docs), "-o", str(tmp_path / "saknas" / "ut.json"))
    assert code == 2 and "Mappen för --output finns inte" in err
    code, _, err = run(capsys, "check", str(docs), "-o", str(tmp_path))
    assert code == 2 and "pekar på en mapp" in err


def test_quiet(fakes: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(docs), "-q")
    assert code == 0
    assert "Fil:" not in out and "VB06" not in out
    assert "Sammanfattning" in out and "Granskade 2 filer" in out


# --- malkoll rules ---------------------------------------------------------------------------


def test_rules_list(fakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--no-color")
    assert code == 0
    for piece in ("Id", "Nivå", "Gäller", "Profiler", "Meddelande", "VB03", "fel", "varning", " VB ", "alla", "utkast"):
        assert piece in out
    assert "Profiler (välj med --profile):" in out
    assert "4 regler." in out


def test_rules_list_follows_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    """The built-in rules are listed family by family as the catalog has them, not file by file."""
    code, out, _ = run(capsys, "rules", "--no-color")
    assert code == 0
    listed = re.findall(r"^\s*([A-Z]{2}\d{2})\s", out, re.MULTILINE)
    families = list(dict.fromkeys(rule_id[:2] for rule_id in listed))
    assert families == ["DK", "VP", "VB", "IN", "AK", "SK", "TR"]
    assert listed == sorted(listed, key=lambda rule_id: (families.index(rule_id[:2]), rule_id))


def test_rules_explain(fakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "VB04")
    assert code == 0
    assert "VB04 · fel" in out
    assert "Målet anges som helt uppfyllt utan stödjande text" in out
    assert "Varför regeln finns" in out and "Så att nämnden får veta." in out
    assert "Källa" in out and "rules/fake.rules:1" in out
    assert "Regeltext" in out
    assert run(capsys, "rules", "vb04")[0] == 0


def test_rules_unknown_id(fakes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rules", "VB4")
    assert code == 2
    assert 'Det finns ingen regel med id "VB4".' in err
    assert "Menade du VB04" in err
    assert err.startswith("malkoll: ")


# --- end to end with the real reader and engine --------------------------------------------------


def _real_engine_available() -> bool:
    try:
        import checker.engine  # noqa: F401
        import checker.reading.report  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _real_engine_available(), reason="regelmotorn finns inte ännu")
def test_end_to_end_on_generated_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Verksamhetsberättelse 2025")
    document.add_paragraph("Aspuddens hemtjänst")
    document.add_heading("KF:s inriktningsmål: 1. Ett Stockholm som håller samman", 1)
    document.add_heading("KF:s mål för verksamhetsområdet: 1.4 Stockholm ska vara en bra stad att åldras i", 2)
    document.add_heading("Nämndmål: Äldre har ett tryggt liv", 3)
    document.add_heading("Enhetsmål: Enheten arbetar för att brukarna ska känna sig trygga", 4)
    document.add_paragraph("Uppfylls delvis")
    document.add_paragraph("Förväntat resultat")
    document.add_paragraph("1. Brukarna känner sig trygga.")
    path = tmp_path / "vb.docx"
    document.save(path)
    (tmp_path / "inte-en-rapport.docx").write_bytes(b"trasig")
    code, out, err = run(capsys, "check", str(tmp_path), "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert by_name["inte-en-rapport.docx"]["error"]
    vb = by_name["vb.docx"]
    assert vb["kind"] == "verksamhetsberattelse" and vb["year"] == 2025
    assert "VB03" in {f["rule"] for f in vb["findings"]}  # the goal has no analys
    code, out, _ = run(capsys, "check", str(path), "--no-color")
    assert "Enhetsmål: Enheten arbetar för att brukarna ska känna sig trygga" in out


@pytest.mark.skipif(not _real_engine_available(), reason="regelmotorn finns inte ännu")
def test_end_to_end_rules_and_broken_rule_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--no-color")
    assert code == 0
    for rule_id in ("DK01", "VP01", "VB04", "IN01", "AK03", "SK01"):
        assert rule_id in out
    code, out, _ = run(capsys, "rules", "vb04")
    assert code == 0 and "VB04 · fel" in out and "Varför regeln finns" in out and "Regeltext" in out
    broken = tmp_path / "trasig.rules"
    broken.write_text('regel XX01 feel "Test"\n  i verksamhetsplan:\n  varje enhetsmål har resursanvändning\n', encoding="utf-8")
    report = tmp_path / "docs"
    report.mkdir()
    code, out, err = run(capsys, "check", str(report), "--extend-rules", str(broken))
    assert code == 2 and out == ""
    assert f"{broken}:1:" in err and "^" in err and "Traceback" not in err
