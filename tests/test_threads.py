"""Threads: a unit's plan followed through T1, T2 and VB – grouping, matching and the TR rules.

The seeds are a VB 2025 (Aspudden) and a VP 2024 (Hägersten-Älvsjö): two
units, two years. A consistent thread is therefore built from ONE source,
the VB seed: a plan made from it (same goals, results, indicators and
activities, written as a plan), tertial reports made from it, and the VB
itself. Then deliberate drift is injected – a renamed goal, a dropped goal,
a changed årsmål, an unreported activity, a goal the plan never had, a status
that falls from T2 to VB without explanation – and the TR rules must find
exactly that drift, in every state a file arrives in.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.engine import (
    RuleSet,
    check_report,
    check_thread,
    default_rules_dir,
    load_rules,
)
from checker.model import Report
from checker.reading.report import read_report
from checker.threads.folder import read_threads
from checker.threads.grouping import DocInfo, group_documents, same_unit, unit_key
from checker.threads.links import Links
from checker.threads.matching import compare
from tests.fixtures import docbuilder as db

ROLES = ("VP", "T1", "T2", "VB")
FILES = {"VP": "vp.docx", "T1": "t1.docx", "T2": "t2.docx", "VB": "vb.docx"}

# Goals of the VB seed the drift is made with.
KUNDEN = "Enheten arbetar för att kunden ska vara delaktig"
EKOLOGISKA = "Enheten köper in ekologiska produkter"
GIFTFRI = "Enheten bidrar till en god livsmiljö"
UTVECKLAS = "Enheten är en verksamhet som ger medarbetaren"
VALFARDSBROTT = "Enheten bidrar till arbetet för att motverka"
RENAMED = "Enheten köper in ekologiska och närproducerade livsmedel."
NEW_GOAL = "Enheten erbjuder alla kunder en fast kontaktman."
ESF = "Stadsdelsnämnden ska delta i ESF-projektet"


# --- specs: one source, a plan and the reports that follow it ------------------------------


def with_activity_analyses(spec: db.DocSpec) -> db.DocSpec:
    """Every activity row followed by an analysis (two rows of the seed have none), so the base thread is clean."""
    out = copy.deepcopy(spec)
    for block in out.blocks:
        if block.kind == "table" and block.table is not None and block.table.kind == "aktivitet":
            rows: list[db.TableRow] = []
            for i, row in enumerate(block.table.rows):
                rows.append(row)
                following = block.table.rows[i + 1] if i + 1 < len(block.table.rows) else None
                if not row.is_analysis and (following is None or not following.is_analysis):
                    rows.append(db.TableRow(analysis="Analys Aktiviteten har genomförts under året enligt plan."))
            block.table.rows = rows
    return out


def plan_from(report: db.DocSpec) -> db.DocSpec:
    """The report's plan: the same goals, results, indicators and activities, as a VP writes them.

    No status lines and no analyses; each enhetsmål gets Arbetssätt and
    Uppföljning instead of Analys; indicator tables in the plan's columns
    (Indikator | Årsmål | KF:s årsmål | Periodicitet); no complaints table.
    """
    out = copy.deepcopy(report)
    year = out.meta["year"]
    out.meta.update(kind="VP", title=f"Verksamhetsplan {year}")
    blocks: list[db.Block] = []
    goal: str | None = None
    skipping_analysis = skipping_tail = False
    for block in out.blocks:
        if block.kind == "heading" and "synpunkter" in block.text.lower():
            skipping_tail = True
        if skipping_tail or block.kind == "status":
            continue
        if block.kind == "title":
            block = db.Block("title", f"Verksamhetsplan {year}")
        if block.kind in ("goal", "heading", "label"):
            skipping_analysis = False
        if block.kind == "goal":
            goal = block.goal
        if block.kind == "label" and block.text == "Analys" and goal == "enhetsmal":
            blocks += [
                db.Block("label", "Arbetssätt"),
                db.Block("para", "Enheten arbetar med de förväntade resultaten på arbetsplatsträffar."),
                db.Block("label", "Uppföljning"),
                db.Block("para", "Resultaten följs upp varje tertial."),
            ]
            skipping_analysis = True
            continue
        if skipping_analysis:
            continue
        if block.kind == "table" and block.table is not None:
            block = _plan_table(block.table)
            if block is None:
                continue
        blocks.append(block)
    out.blocks = blocks
    return out


def _plan_table(table: db.TableSpec) -> db.Block | None:
    rows = [row.cells for row in table.rows if not row.is_analysis and row.cells is not None]
    if table.kind == "indikator":
        cells = [[r[0], r[5], r[6], "År"] for r in rows]
        return db.Block("table", table=db.TableSpec("indikator_plan", list(db.HEADER_INDIKATOR_PLAN),
                                                    [db.TableRow(cells=c) for c in cells]))
    if table.kind == "aktivitet":
        return db.Block("table", table=db.TableSpec("aktivitet", list(db.HEADER_AKTIVITET[:3]),
                                                    [db.TableRow(cells=r[:3]) for r in rows]))
    return None if table.kind == "synpunkter" else db.Block("table", table=table)


# --- drift ------------------------------------------------------------------------------------


def _goal_span(spec: db.DocSpec, prefix: str) -> tuple[int, int]:
    start = next(i for i, b in enumerate(spec.blocks) if b.kind == "goal" and db.plain(b.text).startswith(prefix))
    end = next((j for j in range(start + 1, len(spec.blocks)) if spec.blocks[j].kind in ("goal", "heading")),
               len(spec.blocks))
    return start, end


def drop_goal(spec: db.DocSpec, prefix: str) -> None:
    start, end = _goal_span(spec, prefix)
    del spec.blocks[start:end]


def rename_goal(spec: db.DocSpec, prefix: str, title: str) -> None:
    spec.blocks[_goal_span(spec, prefix)[0]].text = title


def set_status(spec: db.DocSpec, prefix: str, status: str) -> None:
    start, end = _goal_span(spec, prefix)
    next(b for b in spec.blocks[start:end] if b.kind == "status").text = status


def add_to_analysis(spec: db.DocSpec, prefix: str, text: str) -> None:
    spec.blocks.insert(_goal_span(spec, prefix)[1], db.Block("para", text))


def add_goal_after(spec: db.DocSpec, prefix: str, title: str) -> None:
    end = _goal_span(spec, prefix)[1]
    new = (db.DocSpec().enhetsmal(title).status("Uppfylls delvis", glyph="pua")
           .label("Förväntat resultat").numbered(["Fler kunder får besök av samma medarbetare."])
           .label("Analys").para("Enheten har under hösten infört fasta scheman för kontaktmännen, vilket har gett "
                                 "fler besök av samma medarbetare hos kunderna."))
    spec.blocks[end:end] = new.blocks


def set_arsmal(spec: db.DocSpec, indicator: str, value: str) -> None:
    for block in spec.blocks:
        if block.kind == "table" and block.table is not None and block.table.kind == "indikator":
            for row in block.table.rows:
                if row.cells is not None and row.cells[0] == indicator:
                    row.cells[5] = value
                    return
    raise KeyError(indicator)


def drop_activity(spec: db.DocSpec, prefix: str) -> None:
    for block in spec.blocks:
        if block.kind == "table" and block.table is not None and block.table.kind == "aktivitet":
            rows = block.table.rows
            for i, row in enumerate(rows):
                if row.cells is not None and row.cells[0].startswith(prefix):
                    del rows[i : i + (2 if i + 1 < len(rows) and rows[i + 1].is_analysis else 1)]
                    return
    raise KeyError(prefix)


def replace_text(spec: db.DocSpec, old: str, new: str) -> db.DocSpec:
    """Every block's text, table cell and metadata value with `old` replaced (another unit, another year)."""
    out = copy.deepcopy(spec)
    out.meta = {k: v.replace(old, new) for k, v in out.meta.items()}
    for block in out.blocks:
        block.text = block.text.replace(old, new)
        if block.table is not None:
            for row in block.table.rows:
                if row.cells is not None:
                    row.cells = [c.replace(old, new) for c in row.cells]
                if row.analysis is not None:
                    row.analysis = row.analysis.replace(old, new)
    return out


def base_source() -> db.DocSpec:
    base = with_activity_analyses(db.load_source("aspudden_vb2025"))
    # Two goals met in full through the year, so that the VB can fall from "helt".
    set_status(base, GIFTFRI, "Uppfylls helt")
    set_status(base, UTVECKLAS, "Uppfylls helt")
    return base


def clean_thread() -> dict[str, db.DocSpec]:
    base = base_source()
    return {"VP": plan_from(base), "T1": db.to_tertialrapport(base, 1), "T2": db.to_tertialrapport(base, 2), "VB": base}


def drifted_thread() -> dict[str, db.DocSpec]:
    """The clean thread with drift: what the TR rules must find, and only that."""
    base = base_source()
    # The välfärdsbrott goal is dropped after T1.
    later = copy.deepcopy(base)
    drop_goal(later, VALFARDSBROTT)
    vb = copy.deepcopy(later)
    rename_goal(vb, EKOLOGISKA, RENAMED)
    set_arsmal(vb, "Sjukfrånvar o", "7 %")  # the plan says 8,5 %
    drop_activity(vb, ESF)
    add_goal_after(vb, KUNDEN, NEW_GOAL)
    # Two goals fall from "helt" in T2 to "delvis": one explained, one not.
    set_status(vb, GIFTFRI, "Uppfylls delvis")
    set_status(vb, UTVECKLAS, "Uppfylls delvis")
    add_to_analysis(vb, UTVECKLAS, "Målet uppfylls bara delvis eftersom två utbildningar blev inställda under hösten.")
    return {"VP": plan_from(base), "T1": db.to_tertialrapport(base, 1), "T2": db.to_tertialrapport(later, 2), "VB": vb}


# The drift, as (document, rule, what the finding is about).
EXPECTED_DRIFT = {
    ("T2", "TR01", "Enheten bidrar till arbetet för att motverka välfärdsbrott."),
    ("VB", "TR01", "Enheten bidrar till arbetet för att motverka välfärdsbrott."),
    ("VB", "TR02", NEW_GOAL),
    ("VB", "TR03", "Sjukfrånvaro"),
    ("VB", "TR04", 'Stadsdelsnämnden ska delta i ESF-projektet "Kompetensutveckling inom äldreomsorgen"'),
    ("VB", "TR05", "Enheten bidrar till en god livsmiljö och är en giffri verksamhet."),
    ("VB", "TR06", RENAMED),
}


def write_thread(specs: dict[str, db.DocSpec], folder: Path, state: db.State = "export") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for role, spec in specs.items():
        paths[role] = folder / FILES[role]
        db.build_docx(spec, paths[role], state=state)
    return paths


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules([default_rules_dir()])


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ren-trad")
    write_thread(clean_thread(), folder)
    return folder


@pytest.fixture(scope="module")
def drift_dirs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    made: dict[str, Path] = {}

    def make(state: str) -> Path:
        if state not in made:
            folder = tmp_path_factory.mktemp(f"trad-{state}")
            write_thread(drifted_thread(), folder, state=state)  # type: ignore[arg-type]
            made[state] = folder
        return made[state]

    return make


def read_thread(folder: Path) -> dict[str, Report]:
    return {role: read_report(folder / name) for role, name in FILES.items()}


def thread_findings(reports: dict[str, Report], rules: RuleSet) -> set[tuple[str, str, str | None]]:
    links = Links([(role, reports[role]) for role in ROLES])
    found = set()
    for role in ROLES:
        for finding in check_thread(reports[role], rules, links):
            assert finding.rule.startswith("TR")
            found.add((role, finding.rule, finding.target))
    return found


def _normalise(found: set[tuple[str, str, str | None]]) -> set[tuple[str, str, str]]:
    """Targets compared folded: a scanned report garbles diacritics in the titles it names."""
    from checker.text import fold_ocr

    return {(role, rule, " ".join(fold_ocr(target or "").split())) for role, rule, target in found}


# --- the TR rules find exactly the drift ----------------------------------------------------------


def test_the_clean_thread_has_no_thread_findings(clean_dir: Path, rules: RuleSet) -> None:
    assert thread_findings(read_thread(clean_dir), rules) == set()


def test_the_plan_made_from_the_report_is_read_as_a_plan_of_the_same_goals(clean_dir: Path) -> None:
    reports = read_thread(clean_dir)
    plan = reports["VP"]
    assert (plan.kind, plan.year, plan.unit) == ("verksamhetsplan", 2025, "Aspuddens hemtjänst")
    assert [g.title for g in plan.all_enhetsmal()] == [g.title for g in reports["VB"].all_enhetsmal()]
    assert all(g.bedomning is None and g.arbetssatt is not None for g in plan.all_enhetsmal())


@pytest.mark.parametrize("state", ["export", "hand", "scan"])
def test_the_tr_rules_find_exactly_the_drift(drift_dirs: Callable[[str], Path], rules: RuleSet, state: str) -> None:
    found = thread_findings(read_thread(drift_dirs(state)), rules)
    assert _normalise(found) == _normalise(EXPECTED_DRIFT)


def test_messages_name_the_plans_goal_and_point_into_the_later_document(
    drift_dirs: Callable[[str], Path], rules: RuleSet
) -> None:
    reports = read_thread(drift_dirs("export"))
    links = Links([(role, reports[role]) for role in ROLES])
    by_rule = {f.rule: f for f in check_thread(reports["VB"], rules, links)}
    dropped = by_rule["TR01"]
    assert dropped.message == ("Enhetsmålet ”Enheten bidrar till arbetet för att motverka välfärdsbrott.” i "
                               "verksamhetsplanen följs inte upp i Verksamhetsberättelse 2025")
    # The goal is missing, so the finding points at the nämndmål it stood under, in the VB.
    assert dropped.location.path[-1] == "Nämndmål: Stadsdelsnämnden deltar i kraftsamlingen mot välfärdsbrott"
    nämndmål = next(n for kf in reports["VB"].all_kf_mal() for n in kf.namndmal if "välfärdsbrott" in n.title)
    assert dropped.location.source == nämndmål.source
    assert by_rule["TR03"].message == "Indikatorn ”Sjukfrånvaro” har årsmålet 7 %, men i verksamhetsplanen är årsmålet 8,5 %"
    assert by_rule["TR03"].location.source is not None and by_rule["TR03"].location.source.table is not None
    assert by_rule["TR06"].message == f"Enhetsmålet heter ”{RENAMED}”, men i verksamhetsplanen ”Enheten köper in ekologiska produkter.”"
    assert "uppfylls delvis" in by_rule["TR05"].message


def test_a_planned_activity_reported_without_analysis_is_one_finding_not_two(clean_dir: Path, rules: RuleSet) -> None:
    """AK01 flags the report's activity without analysis; TR04 only flags an activity that was not carried over."""
    vb_spec = base_source()
    for block in vb_spec.blocks:
        if block.kind == "table" and block.table is not None and block.table.kind == "aktivitet":
            block.table.rows = [row for row in block.table.rows if not row.is_analysis]
            break
    reports = read_thread(clean_dir)
    folder = clean_dir.parent / "utan-aktivitetsanalys"
    folder.mkdir(exist_ok=True)
    db.build_docx(vb_spec, folder / FILES["VB"], state="export")
    reports["VB"] = read_report(folder / FILES["VB"])
    own = [f for f in check_report(reports["VB"], rules) if f.rule == "AK01"]
    assert own  # the report's own rule sees the missing analyses …
    assert thread_findings(reports, rules) == set()  # … and the thread rules do not say it again


def test_a_lone_file_skips_the_thread_rules(drift_dirs: Callable[[str], Path], rules: RuleSet) -> None:
    vb = read_report(drift_dirs("export") / FILES["VB"])
    findings = check_report(vb, rules)
    assert findings and not [f for f in findings if f.rule.startswith("TR")]


def test_single_document_rules_are_unchanged_inside_a_thread(drift_dirs: Callable[[str], Path], rules: RuleSet) -> None:
    reports = read_thread(drift_dirs("export"))
    links = Links([(role, reports[role]) for role in ROLES])
    alone = [(f.rule, f.message, f.location) for f in check_report(reports["VB"], rules)]
    together = [(f.rule, f.message, f.location) for f in check_report(reports["VB"], rules, thread=links)
                if not f.rule.startswith("TR")]
    assert alone == together


def test_only_the_thread_rules_are_flagged_as_thread_rules(rules: RuleSet) -> None:
    assert {r.id for r in rules.rules if r.thread} == {f"TR0{i}" for i in range(1, 8)}


# --- matching ---------------------------------------------------------------------------------------


def test_matching_pairs_what_drifted_and_keeps_the_leftovers(drift_dirs: Callable[[str], Path]) -> None:
    reports = read_thread(drift_dirs("export"))
    comparison = compare(reports["VP"], reports["VB"])
    renamed = next(m for m in comparison.matches if m.kind == "enhetsmal" and m.right.text == RENAMED)
    assert renamed.left.text == "Enheten köper in ekologiska produkter."
    assert 0.7 <= renamed.confidence < 1
    assert all(m.confidence == 1.0 for m in comparison.matches if m.left.text == m.right.text)
    assert [(i.kind, i.text) for i in comparison.left_only if i.kind in ("enhetsmal", "aktivitet")] == [
        ("aktivitet", 'Stadsdelsnämnden ska delta i ESF-projektet "Kompetensutveckling inom äldreomsorgen"'),
        ("enhetsmal", "Enheten bidrar till arbetet för att motverka välfärdsbrott."),
    ]
    assert [(i.kind, i.text) for i in comparison.right_only if i.kind == "enhetsmal"] == [("enhetsmal", NEW_GOAL)]
    # The results of the dropped goal are leftovers too; the new goal's result has no partner.
    assert any(i.kind == "resultat" and "otillåten påverkan" in i.text for i in comparison.left_only)
    assert any(i.kind == "resultat" and i.text.startswith("Fler kunder får besök") for i in comparison.right_only)


def test_matching_tolerates_renumbering_and_lost_diacritics(drift_dirs: Callable[[str], Path]) -> None:
    plan = read_report(drift_dirs("export") / FILES["VP"])
    scanned = read_report(drift_dirs("scan") / FILES["VB"])
    comparison = compare(plan, scanned)
    goals = comparison.of_kind("enhetsmal")
    assert len(goals) == 7  # eight planned, one dropped; the renamed one still paired
    results = comparison.of_kind("resultat")
    assert len(results) >= 25 and all(m.confidence >= 0.7 for m in results)
    # Renumbered results: the plan's items paired with the same items under other numbers.
    renumbered = copy.deepcopy(base_source())
    for block in renumbered.blocks:
        if block.kind == "number":
            block.number += 10
    db.build_docx(renumbered, drift_dirs("export").parent / "omnumrerad.docx")
    report = read_report(drift_dirs("export").parent / "omnumrerad.docx")
    paired = compare(plan, report).of_kind("resultat")
    assert paired and all(m.left.text == m.right.text for m in paired)
    assert any(m.left.number != m.right.number for m in paired)


def test_an_unrelated_goal_is_not_taken_for_a_dropped_one() -> None:
    from checker.threads.matching import THRESHOLD, similarity

    assert similarity("enheten ar en god arbetsgivare och har en god arbetsmiljo",
                      "enheten kommer arbeta aktivt med det goda medarbetarskapet") < THRESHOLD
    assert similarity("sjukfranvaro", "sjukfranvaro dag 1 14") < THRESHOLD


# --- grouping ----------------------------------------------------------------------------------------


def test_unit_names_compare_tolerant_of_case_diacritics_and_scans() -> None:
    assert same_unit(unit_key("Aspuddens hemtjänst"), unit_key("ASPUDDENS HEMTJANST"))
    assert same_unit(unit_key("Aspuddens hemtjänst"), unit_key("Aspudden hemtj&nst"))
    assert same_unit(unit_key("Hägersten-Älvsjö hemtjänst"), unit_key("Hagersten Alvsjo hemtjanst"))
    assert same_unit(unit_key("Hemtjänst Aspudden"), unit_key("Aspudden hemtjänst"))
    assert not same_unit(unit_key("Aspuddens hemtjänst"), unit_key("Axelsbergs hemtjänst"))
    assert not same_unit(unit_key("Förskolan 2"), unit_key("Förskolan 3"))
    assert not same_unit(unit_key("Aspuddens hemtjänst"), unit_key("Aspuddens hemtjänst öst"))


def test_a_document_that_says_too_little_is_reported_not_dropped() -> None:
    docs = [
        DocInfo(Path("a/vp.docx"), "verksamhetsplan", None, 2025, "Enhet A"),
        DocInfo(Path("a/t.docx"), "tertialrapport", None, 2025, "Enhet A"),
        DocInfo(Path("a/okand.docx"), None, None, None, None),
        DocInfo(Path("a/utan-enhet.docx"), "verksamhetsberattelse", None, 2025, None),
    ]
    grouping = group_documents(docs)
    assert [(t.unit, t.year, t.roles) for t in grouping.threads] == [("Enhet A", 2025, ["VP"])]
    reasons = {u.path.name: u.reason for u in grouping.unplaced}
    assert reasons == {
        "okand.docx": "hör inte till någon tråd: dokumentets dokumenttyp, år och enhet kunde inte avgöras. "
                      "Ange det under [trad] i malkoll.toml, eller rätta försättsbladet.",
        "t.docx": "hör inte till någon tråd: tertialrapporten säger inte om den gäller tertial 1 eller 2. "
                  "Ange det under [trad] i malkoll.toml, eller rätta försättsbladet.",
        "utan-enhet.docx": "hör inte till någon tråd: dokumentets enhet kunde inte avgöras. "
                           "Ange det under [trad] i malkoll.toml, eller rätta försättsbladet.",
    }


def test_a_mixed_folder_groups_by_unit_and_year(tmp_path: Path) -> None:
    """Several units and years, duplicates and unrelated files: each lands where it belongs."""
    folder = tmp_path / "Inlämnat"
    clean = clean_thread()
    write_thread(clean, folder / "Aspudden 2025")
    db.build_docx(clean["VB"], folder / "Aspudden 2025" / "vb-inskannad.docx", state="scan")
    older = replace_text(clean["VB"], "2025", "2024")
    (folder / "Aspudden 2024").mkdir()
    db.build_docx(older, folder / "Aspudden 2024" / "vb.docx", state="hand")
    axelsberg = replace_text(clean["T2"], "Aspuddens hemtjänst", "Axelsbergs hemtjänst")
    db.build_docx(axelsberg, folder / "axelsberg-t2.docx")
    db.build_docx(db.load_source("hagersten_alvsjo_vp2024"), folder / "hagersten-vp.docx")
    db.build_docx(db.DocSpec().para("Protokoll från arbetsplatsträff").para("Närvarande: alla."), folder / "protokoll.docx")
    (folder / "trasig.docx").write_bytes(b"inte ett Word-dokument")

    run = read_threads(sorted(folder.rglob("*.docx")))
    grouped = {(t.unit, t.year): {role: sorted(m.path.name for m in ms) for role, ms in t.members.items()}
               for t in run.grouping.threads}
    assert grouped == {
        ("Aspuddens hemtjänst", 2025): {"VP": ["vp.docx"], "T1": ["t1.docx"], "T2": ["t2.docx"],
                                        "VB": ["vb-inskannad.docx", "vb.docx"]},
        ("Aspuddens hemtjänst", 2024): {"VB": ["vb.docx"]},
        ("Axelsbergs hemtjänst", 2025): {"T2": ["axelsberg-t2.docx"]},
        ("Hägersten-Älvsjö hemtjänst", 2024): {"VP": ["hagersten-vp.docx"]},
    }
    unplaced = {u.path.name: u.reason for u in run.grouping.unplaced}
    assert set(unplaced) == {"protokoll.docx", "trasig.docx"}
    assert unplaced["protokoll.docx"] == "hör inte till någon tråd: inte en plan eller rapport utan ett protokoll."
    assert unplaced["trasig.docx"].startswith("kunde inte läsas")
    assert run.grouping.notes == [
        "Aspuddens hemtjänst 2025: 2 verksamhetsberättelser (vb-inskannad.docx, vb.docx); "
        "de andra dokumenten i tråden jämförs med vb-inskannad.docx."
    ]
