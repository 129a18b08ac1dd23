"""Terminal and JSON output of `malkoll check`, built from hand-made results."""

from __future__ import annotations

import io
import json
from pathlib import Path

from checker.findings import Finding, Location, Severity
from checker.model import Report, Source
from checker.output import atomic_writer, clean_display, shorten
from checker.output.json_report import FORMAT_VERSION, JsonReporter, report_json
from checker.output.terminal import TerminalReporter, group_findings, make_console
from checker.pipeline import FileResult, RunSummary

KF = "KF:s mål 1.4 Stockholm ska vara en bra stad att åldras i"
NM = "Nämndmål: Äldre har ett tryggt liv"
GOAL = "Enheten arbetar för att brukarna ska känna sig trygga"
HOSTILE = "[bold]Fet[/bold] \x1b[31mröd\x1b[0m \u202eomvänd\u202c \x1b]8;;http://x\x07länk\x1b]8;;\x07 :smile:"


def finding(
    rule: str,
    severity: Severity,
    message: str,
    *,
    target: str | None = GOAL,
    target_type: str = "enhetsmal",
    path: tuple[str, ...] = (KF, NM),
    block: int | None = 20,
    quote: str | None = None,
    **source: int,
) -> Finding:
    src = Source(block=block, **source) if block is not None else None
    return Finding(rule, severity, message, target, target_type, Location(path, src), quote)


def vb_report(unit: str = "Aspuddens hemtjänst") -> Report:
    return Report(path="reports/vb.docx", kind="verksamhetsberattelse", year=2025, unit=unit)


def sample_results() -> list[FileResult]:
    findings = (
        finding("DK02", Severity.INFO, "Avsnittet är tomt", target="Investeringar", target_type="section", path=(), block=2, paragraph=2),
        finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", block=20, paragraph=20, quote="Enheten arbetar för att brukarna ska känna sig trygga"),
        finding(
            "IN01",
            Severity.ERROR,
            "Indikatorn har årsmål men ingen analys",
            target="Andel nöjda brukare",
            target_type="indikator",
            path=(KF, NM, f"Enhetsmål: {GOAL}"),
            block=31,
            table=2,
            row=1,
        ),
        finding("VB06", Severity.WARNING, "Analysen är skriven i framtid", block=25, paragraph=25, quote="Enheten bedömer att enhetsmålet kommer att uppnås helt under året."),
    )
    return [
        FileResult(Path("reports/vb.docx"), vb_report(), findings, elapsed=0.1),
        FileResult(Path("reports/vp.docx"), Report(path="reports/vp.docx", kind="verksamhetsplan", year=2026, unit="Hemtjänst Norr"), ()),
        FileResult(Path("reports/trasig.docx"), None, error="filen är inte en Word-fil (.docx)."),
    ]


def render(
    results: list[FileResult],
    *,
    quiet: bool = False,
    fail_level: Severity = Severity.ERROR,
    color: bool = False,
    width: int = 120,
) -> str:
    out = io.StringIO()
    console = make_console(out, color=color, width=width)
    reporter = TerminalReporter(console, fail_level=fail_level, quiet=quiet)
    run = RunSummary(fail_level)
    reporter.start()
    for result in results:
        reporter.file(result, run.add(result))
    reporter.finish(run)
    return out.getvalue()


# --- terminal ---------------------------------------------------------------------------


def test_terminal_file_header_and_verdicts() -> None:
    text = render(sample_results())
    assert "Aspuddens hemtjänst · Verksamhetsberättelse 2025" in text
    assert "Hemtjänst Norr · Verksamhetsplan 2026" in text
    assert "Fil: reports/vb.docx" in text
    assert "UNDERKÄND  2 fel · 1 varning · 1 info" in text
    assert "GODKÄND  0 fel · 0 varningar · 0 info" in text
    assert "Inga brister hittades." in text
    assert "KUNDE INTE LÄSAS  filen är inte en Word-fil (.docx)." in text
    assert "\x1b[" not in text  # plain when not a terminal


def test_terminal_groups_findings_under_their_goal_in_document_order() -> None:
    text = render(sample_results()[:1], width=200)
    # Upper levels shortened, the goal itself in full.
    # Too long for one line: the goal stands on its own line under its parents.
    header = f"KF:s mål 1.4 Stockholm ska vara en bra stad… › {NM}\n› Enhetsmål: {GOAL}"
    assert text.count(header) == 1  # the enhetsmål's own and its indicator's findings share a group
    assert "Dokumentet som helhet" in text
    lines = [line.rstrip() for line in text.splitlines()]
    start = lines.index(header.splitlines()[-1])
    group = "\n".join(lines[start:])
    # Document order inside the group: block 20 (VB03), 25 (VB06), 31 (IN01).
    assert group.index("VB03") < group.index("VB06") < group.index("IN01")
    assert "fel" in group and "varning" in group
    assert "Indikator: Andel nöjda brukare · tabell 3, rad 2" in group
    assert "stycke 21" in group
    assert "”Enheten bedömer att enhetsmålet kommer att uppnås helt under året.”" in group
    # The section finding names its target, since no goal heads it.
    assert "Avsnitt: Investeringar · stycke 3" in text


def test_indicator_path_without_level_word_joins_its_goal_group() -> None:
    own = finding("VB03", Severity.ERROR, "m", block=20)
    under = finding("IN01", Severity.ERROR, "m", target="Ind", target_type="indikator", path=(KF, NM, GOAL), block=30)
    groups = group_findings([under, own])
    assert len(groups) == 1
    assert [f.rule for f in groups[0][1]] == ["VB03", "IN01"]


def test_target_not_repeated_when_message_names_it() -> None:
    named = finding(
        "IN01",
        Severity.ERROR,
        "Indikatorn ”Andel nöjda brukare” har ett årsmål men ingen analys",
        target="Andel nöjda brukare",
        target_type="indikator",
        block=31,
        table=2,
        row=1,
    )
    text = render([FileResult(Path("vb.docx"), vb_report(), (named,))])
    assert "Indikator: Andel nöjda brukare" not in text
    assert "tabell 3, rad 2" in text


def test_group_findings_orders_groups_by_first_block() -> None:
    late = finding("A", Severity.INFO, "m", target="Sent mål", block=90)
    early = finding("B", Severity.INFO, "m", target="Tidigt mål", block=10)
    whole = finding("DK01", Severity.ERROR, "m", target=None, target_type="dokument", path=(), block=None)
    headers = [h for h, _ in group_findings([late, early, whole])]
    kf = "KF:s mål 1.4 Stockholm ska vara en bra stad…"
    assert headers == [
        "Dokumentet som helhet",
        f"{kf} › {NM}\n› Enhetsmål: Tidigt mål",
        f"{kf} › {NM}\n› Enhetsmål: Sent mål",
    ]


def test_terminal_summary_table_and_closing_line() -> None:
    text = render(sample_results())
    assert "Sammanfattning" in text
    assert "Sammanfattning (filer i reports)" in text
    for column in ("Fil", "Enhet", "Dokument", "Fel", "Varningar", "Info", "Resultat"):
        assert column in text
    table = text[text.index("Sammanfattning") :]
    row = next(line for line in table.splitlines() if line.strip().startswith("vp.docx"))
    assert "Hemtjänst Norr" in row and "VP 2026" in row and "GODKÄND" in row
    broken = next(line for line in table.splitlines() if line.strip().startswith("trasig.docx"))
    assert "OLÄSBAR" in broken
    assert "Granskade 3 filer: 1 godkänd, 1 underkänd, 1 kunde inte läsas." in text
    assert "Totalt 2 fel · 1 varning · 1 info." in text
    assert "Ett dokument underkänns vid minst ett fel." in text


def test_quiet_shows_only_summary() -> None:
    text = render(sample_results(), quiet=True)
    assert "Fil: reports/vb.docx" not in text
    assert "VB03" not in text
    assert "Sammanfattning" in text
    assert "reports/trasig.docx: filen är inte en Word-fil" in text


def test_fail_level_warning_fails_on_warnings() -> None:
    only_warning = FileResult(
        Path("w.docx"), vb_report(), (finding("VB06", Severity.WARNING, "Framtid", block=3),)
    )
    assert "GODKÄND" in render([only_warning])
    assert "UNDERKÄND" in render([only_warning], fail_level=Severity.WARNING)
    assert "minst en varning eller ett fel" in render([only_warning], fail_level=Severity.WARNING)


def test_colour_when_asked() -> None:
    text = render(sample_results()[:1], color=True)
    assert "\x1b[" in text


def test_hostile_document_text_is_shown_literally_and_safely() -> None:
    hostile = FileResult(
        Path("reports/[red]x[/red].docx"),
        vb_report(unit=HOSTILE),
        (
            finding(
                "VB03",
                Severity.ERROR,
                f"Enhetsmålet ”{HOSTILE}” saknar analys",
                target=HOSTILE,
                path=(HOSTILE,),
                quote=HOSTILE,
            ),
        ),
    )
    for color in (False, True):
        text = render([hostile], color=color)
        assert "[bold]Fet[/bold]" in text  # markup shown as written, not applied
        assert "[red]x[/red].docx" in text
        assert ":smile:" in text  # no emoji substitution
        assert "\u202e" not in text and "\u202c" not in text
        assert "\x1b]8" not in text and "\x07" not in text
        assert "[31m" not in text
        assert "röd" in text and "omvänd" in text and "länk" in text
        if not color:
            assert "\x1b" not in text


def test_clean_display_and_shorten() -> None:
    assert clean_display("a\x1b[1;31mb\x1b[0mc\x00d\u202ee\tf") == "abcde f"
    assert clean_display("rad 1\nrad 2") == "rad 1 rad 2"
    assert clean_display("rad 1\r\nrad 2", multiline=True) == "rad 1\nrad 2"
    assert clean_display(None) == ""
    assert shorten("ord " * 40, 20).endswith("…")
    assert len(shorten("ord " * 40, 20)) <= 20


# --- JSON ---------------------------------------------------------------------------------


def render_json(results: list[FileResult], fail_level: Severity = Severity.ERROR) -> tuple[str, dict]:
    out = io.StringIO()
    reporter = JsonReporter(out, fail_level=fail_level)
    run = RunSummary(fail_level)
    pairs = []
    reporter.start()
    for result in results:
        summary = run.add(result)
        pairs.append((result, summary))
        reporter.file(result, summary)
    reporter.finish(run)
    return out.getvalue(), report_json(pairs, run)


def test_json_shape() -> None:
    text, _ = render_json(sample_results())
    data = json.loads(text)
    assert list(data) == ["format_version", "tool", "fail_level", "files", "summary", "passed"]
    assert data["format_version"] == FORMAT_VERSION == 1
    assert data["tool"]["name"] == "malkoll" and data["tool"]["version"]
    assert data["fail_level"] == "error"
    assert data["passed"] is False
    assert data["summary"] == {"files": 3, "passed": 1, "failed": 1, "unreadable": 1, "not_checked": 0,
                               "error": 2, "warning": 1, "info": 1, "accepterade": 0, "oanvanda_godkannanden": []}
    vb, vp, broken = data["files"]
    assert list(vb) == ["path", "kind", "tertial", "year", "unit", "error", "not_checked", "passed", "counts", "notes", "findings"]
    assert (vb["path"], vb["kind"], vb["year"], vb["unit"], vb["error"], vb["passed"]) == (
        "reports/vb.docx",
        "verksamhetsberattelse",
        2025,
        "Aspuddens hemtjänst",
        None,
        False,
    )
    assert vb["counts"] == {"error": 2, "warning": 1, "info": 1, "accepterade": 0}
    assert vp["passed"] is True and vp["findings"] == []
    assert broken["error"] == "filen är inte en Word-fil (.docx)." and broken["passed"] is False
    assert broken["kind"] is None and broken["findings"] == []


def test_json_finding_shape() -> None:
    data = json.loads(render_json(sample_results())[0])
    findings = data["files"][0]["findings"]
    assert [f["rule"] for f in findings] == ["DK02", "VB03", "IN01", "VB06"]  # as the pipeline gave them
    in01 = findings[2]
    assert in01 == {
        "rule": "IN01",
        "severity": "error",
        "message": "Indikatorn har årsmål men ingen analys",
        "target": "Andel nöjda brukare",
        "target_type": "indikator",
        "quote": None,
        "location": {
            "path": [KF, NM, f"Enhetsmål: {GOAL}"],
            "source": {"block": 31, "paragraph": None, "table": 2, "row": 1, "column": None,
                       "page": None, "line": None},
            "description": "tabell 3, rad 2",
        },
        "accepterad": None,
    }
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}


def test_streamed_json_equals_in_memory_document_and_is_stable() -> None:
    first, in_memory = render_json(sample_results())
    second, _ = render_json(sample_results())
    assert json.loads(first) == in_memory
    assert first == second
    empty, _ = render_json([])
    assert json.loads(empty)["files"] == [] and json.loads(empty)["passed"] is True


def test_json_keeps_document_text_verbatim() -> None:
    result = FileResult(Path("x.docx"), vb_report(unit=HOSTILE), (finding("VB03", Severity.ERROR, HOSTILE, quote=HOSTILE),))
    text, _ = render_json([result])
    data = json.loads(text)
    assert data["files"][0]["unit"] == HOSTILE
    assert data["files"][0]["findings"][0]["quote"] == HOSTILE
    assert "\x1b" not in text  # escaped as \u001b by JSON


def test_atomic_writer(tmp_path: Path) -> None:
    target = tmp_path / "ut.json"
    target.write_text("gammalt", encoding="utf-8")
    try:
        with atomic_writer(target) as fh:
            fh.write("halvfärdigt")
            raise RuntimeError("avbrott")
    except RuntimeError:
        pass
    assert target.read_text(encoding="utf-8") == "gammalt"
    assert [p.name for p in tmp_path.iterdir()] == ["ut.json"]  # no temp file left
    with atomic_writer(target) as fh:
        fh.write("nytt")
    assert target.read_text(encoding="utf-8") == "nytt"
