"""The rule language across a thread: "i planen", "varje X i planen", document words, Swedish errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from checker.engine import RuleSet, check_thread, load_rules
from checker.rules_lang.errors import RuleLoadError
from checker.threads.links import Links
from tests.test_threads import GIFTFRI, ROLES, UTVECKLAS, drift_dirs, read_thread  # noqa: F401 - fixture

__all__ = ["drift_dirs"]


def load(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "egna.rules"
    path.write_text(text, encoding="utf-8")
    return load_rules([path])


def first_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(RuleLoadError) as info:
        load(tmp_path, text)
    return info.value.errors[0].render().replace(str(tmp_path) + "/", "")


def run_on_thread(rules: RuleSet, folder: Path) -> list[tuple[str, str, str]]:
    reports = read_thread(folder)
    links = Links([(role, reports[role]) for role in ROLES])
    return [(role, f.rule, f.message) for role in ROLES for f in check_thread(reports[role], rules, links)]


def test_thread_words_make_a_thread_rule_and_read_in_english_too(tmp_path: Path) -> None:
    rules = load(tmp_path, '''
regel EG01 varning "Målet ”{titel}” saknas i planen" i rapport:
  varje enhetsmål har motsvarighet i planen
rule EG02 warning "{titel} is not in {rapporten.titel}" in rapport:
  every enhetsmål in planen has motsvarighet in rapporten
regel EG03 info "Titeln ”{titel}”" i rapport:
  varje enhetsmål i rapporten har titel
''')
    assert {r.id: r.thread for r in rules.rules} == {"EG01": True, "EG02": True, "EG03": False}


def test_a_status_compared_with_the_previous_document(tmp_path: Path, drift_dirs: Callable[[str], Path]) -> None:
    rules = load(tmp_path, '''
regel EG10 info "Bedömningen av ”{titel}” har ändrats från ”{bedömning i föregående}” till ”{bedömning}”"
  i rapport:
  varje enhetsmål med motsvarighet i föregående: bedömning = bedömning i föregående
''')
    found = run_on_thread(rules, drift_dirs("export"))
    # T1 follows the plan, whose goals have no status: nothing to compare (unknown, no finding).
    assert [role for role, _, _ in found] == ["VB", "VB"]
    for (_, _, message), goal in zip(sorted(found), sorted([GIFTFRI, UTVECKLAS]), strict=True):
        assert message.startswith(f"Bedömningen av ”{goal}")
        assert message.endswith("har ändrats från ”uppfylls helt” till ”uppfylls delvis”")


def test_selecting_in_the_plan_under_a_goal_means_under_its_counterpart(
    tmp_path: Path, drift_dirs: Callable[[str], Path]
) -> None:
    rules = load(tmp_path, '''
regel EG11 info "”{titel}” har {antal} resultat i planen med nummer över 3" i verksamhetsberättelse:
  varje enhetsmål där titel börjar med "Enheten arbetar för att kunden":
    högst 0 resultat i planen där nummer > 3
''')
    found = run_on_thread(rules, drift_dirs("export"))
    # The goal has five results, in the plan as in the VB: two are numbered above 3.
    assert [(role, rule, message.endswith("” har 2 resultat i planen med nummer över 3")) for role, rule, message in found] == [
        ("VB", "EG11", True)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("varje enhetsmål i planer har motsvarighet",
         "egna.rules:3:21: ”planer” är inget dokument i tråden – menade du ”planen”? "
         "(möjliga: ”planen”, ”t1”, ”t2”, ”vb”, ”rapporten” och ”föregående”)"),
        ("varje synpunkt: kategori i planen = kategori",
         "egna.rules:3:19: ”kategori i planen” går inte att använda på synpunkt: bara aktivitet, dokument, "
         "enhetsmål, indikator, inriktningsmål, kf-mål, nämndmål och resultat har en motsvarighet i trådens "
         "andra dokument"),
        ("varje indikator: arbetssätt i planen innehåller \"x\"",
         "egna.rules:3:20: indikator har inget fält ”arbetssätt” (det finns hos enhetsmål)"),
        ("varje avsnitt: varje avsnitt i planen har titel",
         "egna.rules:3:34: ”avsnitt i planen” går inte under avsnitt – bara under dokumentet och under mål, "
         "resultat, indikatorer och aktiviteter, som har en motsvarighet i trådens andra dokument"),
    ],
)
def test_thread_mistakes_are_explained_in_swedish(tmp_path: Path, body: str, expected: str) -> None:
    text = f'\nregel EG20 fel "x" i rapport:\n  {body}\n'
    assert first_error(tmp_path, text).split("\n")[0] == expected


def test_a_placeholder_reads_the_counterpart(tmp_path: Path) -> None:
    rules = load(tmp_path, '''
regel EG30 info "{namn}: {årsmål} här, {årsmål i planen} i planen, {årsmål.tal i t2} i T2" i rapport:
  varje indikator med motsvarighet i planen: årsmål = årsmål i planen
''')
    assert rules.get("EG30") is not None
    message = first_error(tmp_path, '''
regel EG31 info "{årsmål i planer}" i rapport:
  varje indikator: årsmål = årsmål i planen
''')
    assert "okänd platshållare ”{årsmål i planer}”" in message
