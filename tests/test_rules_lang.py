"""The rule language itself: parsing, load-time errors, robustness, the engine API."""

from __future__ import annotations

import contextlib
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine import RuleSet, check_report, default_rules_dir, load_rules
from checker.findings import Severity
from checker.rules_lang import functions
from checker.rules_lang.errors import RuleLoadError
from checker.rules_lang.parser import get_parser

from tests.test_catalog_rules import CATALOG_IDS, OWN_TEXT_1, Doc, clean_vb

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the syntax-tree cache of these tests out of the user's ~/.cache."""
    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "malkoll-cache"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, name: str = "test.rules") -> RuleSet:
    return load_rules([write(tmp_path, name, text)])


def load_error(tmp_path: Path, text: str, name: str = "test.rules") -> RuleLoadError:
    with pytest.raises(RuleLoadError) as info:
        load_text(tmp_path, text, name)
    return info.value


def first_error(tmp_path: Path, text: str) -> str:
    """The first rendered error, with the temporary directory shortened to its file name."""
    error = load_error(tmp_path, text)
    return error.errors[0].render().replace(str(tmp_path) + "/", "")


# --- parsing ---------------------------------------------------------------------------------


def test_parser_is_built_once() -> None:
    assert get_parser() is get_parser()


def test_the_brief_examples_parse_in_english(tmp_path: Path) -> None:
    rules = load_text(tmp_path, '''
fraser standard_phrases = "Enheten bedömer att enhetsmålet"

rule VP01 error "Enhetsmålet saknar förväntat resultat"
  in verksamhetsplan:
  every enhetsmål has förväntat resultat

rule IN01 error "Indikatorn har årsmål men ingen analys"
  in verksamhetsberättelse, tertialrapport:
  every indikator with årsmål has analys

rule VB04 error "Målet anges som helt uppfyllt utan stödjande text"
  in verksamhetsberättelse, tertialrapport:
  every enhetsmål where bedömning is "uppfylls helt"
    has analys with at least 25 words besides standard_phrases
''')
    assert [r.id for r in rules.rules] == ["VP01", "IN01", "VB04"]
    assert rules.get("in01").kinds == frozenset({"verksamhetsberattelse", "tertialrapport"})


def test_keywords_are_case_insensitive_and_swedish(tmp_path: Path) -> None:
    rules = load_text(tmp_path, 'REGEL A1 Varning "x" I Rapport:\n  VARJE Enhetsmål HAR Analys\n  HJÄLP "h"')
    assert rules.rules[0].severity == Severity.WARNING
    assert rules.rules[0].help == "h"


def test_ascii_spellings_of_names(tmp_path: Path) -> None:
    load_text(tmp_path, 'regel A1 fel "x" i verksamhetsplan:\n  varje enhetsmal har forvantat resultat och arbetssatt')


def test_help_text_may_contain_a_line_starting_with_a_keyword(tmp_path: Path) -> None:
    rules = load_text(tmp_path, 'regel A1 fel "x" i alla:\n  varje dokument har typ\n  hjälp "Första raden\nregel som inte är en regel.\n\nNytt stycke."')
    assert rules.rules[0].help == "Första raden regel som inte är en regel.\n\nNytt stycke."


def test_source_text_and_position_are_kept(tmp_path: Path) -> None:
    text = '# kommentar\n\nregel A1 fel "x" i alla:\n  varje dokument har typ\n# efterföljande kommentar\n'
    rule = load_text(tmp_path, text).rules[0]
    assert rule.line == 3
    assert rule.source_text == 'regel A1 fel "x" i alla:\n  varje dokument har typ'


def test_cached_syntax_trees_give_the_same_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(cache))
    fresh = load_rules([default_rules_dir()])
    assert list(cache.glob("ast-*.pickle")) and len(list(cache.glob("plan-*.pickle"))) == 1
    cached = load_rules([default_rules_dir()])
    assert fresh.rules == cached.rules and fresh.profiles == cached.profiles
    report = clean_vb(Doc(), kind=None)
    assert check_report(report, fresh) == check_report(report, cached)
    for damaged in cache.glob("plan-*.pickle"):  # the syntax trees are used instead
        damaged.write_bytes(b"not a pickle")
    from_trees = load_rules([default_rules_dir()])
    assert from_trees.rules == fresh.rules and check_report(report, from_trees) == check_report(report, fresh)
    for damaged in cache.glob("*.pickle"):
        damaged.write_bytes(b"not a pickle")
    assert load_rules([default_rules_dir()]).rules == fresh.rules
    monkeypatch.setenv("MALKOLL_CACHE_DIR", "")  # empty: no cache at all
    assert load_rules([default_rules_dir()]).rules == fresh.rules


class _Planted:
    """Unpickling this runs code: it makes the folder named in `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.mkdir, (str(self.marker),)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX")
@pytest.mark.parametrize("writable", ["folder", "file"])
def test_a_cache_others_can_write_to_is_never_unpickled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          writable: str) -> None:
    """A cache in a shared folder could be used to run code as the coordinator: it is ignored instead."""
    import pickle

    cache = tmp_path / "delad-cache"
    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(cache))
    fresh = load_rules([default_rules_dir()])
    marker = tmp_path / "koden-kördes"
    planted = list(cache.glob("*.pickle"))
    assert {p.name.split("-")[0] for p in planted} == {"ast", "plan"}
    for path in planted:
        path.write_bytes(pickle.dumps([_Planted(marker)]))
        if writable == "file":
            path.chmod(0o666)
    if writable == "folder":
        cache.chmod(0o777)
    assert load_rules([default_rules_dir()]).rules == fresh.rules
    assert not marker.exists()
    cache.chmod(0o700)
    for path in planted:  # the control: the user's own private cache is used
        path.write_bytes(pickle.dumps([_Planted(marker)]))
        path.chmod(0o600)
    with contextlib.suppress(Exception):
        load_rules([default_rules_dir()])
    assert marker.exists()


def test_an_unchanged_rule_set_starts_without_parser_or_analysis(tmp_path: Path) -> None:
    """The plan cache's purpose: a check of one file imports neither lark nor the syntax tree nor the analysis."""
    env = {**os.environ, "MALKOLL_CACHE_DIR": str(tmp_path / "cache")}
    probe = ("import sys; from checker.engine import load_rules, default_rules_dir; "
             "rules = load_rules([default_rules_dir()]); "
             "print(len(rules.rules), sorted(m for m in sys.modules if m == 'lark' or m.startswith(('lark.', "
             "'checker.rules_lang.ast', 'checker.rules_lang.parser', 'checker.rules_lang.semantics'))))")
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=REPO,
                           check=True).stdout.split(" ", 1) for _ in range(2)]
    count = str(len(load_rules([default_rules_dir()]).rules))
    assert runs[0][0] == runs[1][0] == count
    assert "checker.rules_lang.semantics" in runs[0][1]  # the first run analysed the rules …
    assert runs[1][1].strip() == "[]"  # … the second read the plan


def test_a_plan_naming_vocabulary_this_version_lacks_is_analysed_afresh(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.rules_lang import plan_cache

    monkeypatch.setenv("MALKOLL_CACHE_DIR", str(tmp_path / "cache"))
    fresh = load_rules([default_rules_dir()])
    by_identity, by_name = plan_cache._vocabulary()
    monkeypatch.setattr(plan_cache, "_vocabulary", lambda: (by_identity, {}))
    files = [(p, p.read_text(encoding="utf-8")) for p in sorted(default_rules_dir().glob("*.rules"))]
    assert plan_cache.load(files) is None
    assert load_rules([default_rules_dir()]).rules == fresh.rules


def test_errors_are_the_same_with_a_warm_cache(tmp_path: Path) -> None:
    write(tmp_path, "ok.rules", 'regel A1 fel "{titl}" i alla:\n  varje enhetsmål har analys')
    first = pytest.raises(RuleLoadError, load_rules, [tmp_path]).value.render()
    second = pytest.raises(RuleLoadError, load_rules, [tmp_path]).value.render()
    assert first == second and first.startswith(str(tmp_path / "ok.rules") + ":1:") and "okänd platshållare" in first


def test_directories_are_loaded_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b.rules", 'regel B1 fel "x" i alla: varje dokument har typ')
    write(tmp_path, "a.rules", 'regel A1 fel "x" i alla: varje dokument har typ')
    write(tmp_path, "notes.txt", "inte en regelfil")
    assert [r.id for r in load_rules([tmp_path]).rules] == ["A1", "B1"]


# --- syntax errors, in Swedish -----------------------------------------------------------------

_LARK_WORDS = re.compile(r"\b(NAME|STRING|NUMBER|_[A-Z_]+|\$END|Token|COLON|COMMA|LPAR|RPAR|Expected|Unexpected)\b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('regel VP01 "Enhetsmålet saknar"\n  i verksamhetsplan:\n  varje enhetsmål har analys',
         'test.rules:1:12: oväntat ”"Enhetsmålet saknar"” – efter regelns id ska nivån stå: fel, varning eller info\n'
         '    regel VP01 "Enhetsmålet saknar"\n'
         '               ^~~~~~~~~~~~~~~~~~~~'),
        ('regel VP01 fel "x"\n  i verksamhetsplan\n  varje enhetsmål har analys',
         "test.rules:3:3: oväntat ”varje” – det saknas ett kolon (:) efter dokumenttyperna\n"
         "      varje enhetsmål har analys\n"
         "      ^~~~~"),
        ('regel VP01 fel "x i verksamhetsplan:\n  varje enhetsmål har analys',
         "test.rules:1:16: texten som börjar här avslutas aldrig – det saknas ett avslutande citattecken\n"
         '    regel VP01 fel "x i verksamhetsplan:\n'
         "                   ^"),
        ('regel VP01 fel "x" i rapport:\n  varje enhetsmål har',
         "test.rules:2:21: regeln tar slut för tidigt – här förväntades ett namn, en text inom citattecken, ett tal "
         "eller ”antal”\n"
         "      varje enhetsmål har\n"
         "                        ^"),
    ],
)
def test_syntax_errors_are_swedish_with_caret(tmp_path: Path, text: str, expected: str) -> None:
    assert first_error(tmp_path, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'regel A fel "x" i rapport:\n  varje enhetsmål bedömning är "x"',
        'regel A fel "x" i rapport:\n  varje enhetsmål: bedömning är @',
        'regel A fel "x" i rapport:\n  varje enhetsmål: (bedömning är "a"',
        'hej hopp',
        'fraser x "a"',
        'regel A fel "x" i rapport: varje enhetsmål: utfall > > 3',
        'profil utkast VP01',
    ],
)
def test_no_lark_vocabulary_reaches_the_user(tmp_path: Path, text: str) -> None:
    rendered = load_error(tmp_path, text).render()
    assert not _LARK_WORDS.search(rendered), rendered
    assert re.match(r"^\S+test\.rules:\d+:\d+: ", rendered)


def test_an_unclosed_quote_costs_one_item_not_the_rest_of_the_file(tmp_path: Path) -> None:
    text = (
        'regel A1 fel ”Typografiskt citat utan slut i alla:\n  varje dokument har typ\n\n'
        'regel A2 fel "x" i alla:\n  varje dokument har tyyp\n'
    )
    located = [(e.line, e.message.split(" –")[0]) for e in load_error(tmp_path, text).errors]
    assert located == [
        (1, "texten som börjar här avslutas aldrig"),
        (5, "dokument har inget fält ”tyyp”"),
    ]


def test_a_dangling_and_before_help_is_explained(tmp_path: Path) -> None:
    rendered = first_error(tmp_path, 'regel A fel "x" i alla:\n  varje avsnitt har titel och\n  hjälp "h"')
    assert rendered == (
        "test.rules:3:3: kravet före ”hjälp” är inte färdigt – står det ett ”och” eller ”eller” för mycket?\n"
        '      hjälp "h"\n'
        "      ^~~~~"
    )


def test_a_colon_is_needed_before_a_condition_that_is_not_a_keyword(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'regel A fel "x" i rapport:\n  varje indikator utfall >= årsmål').errors[0].message
    assert "kolon" in message and "varje indikator: utfall >= årsmål" in message


# --- semantic errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("varje enhetsmål har analyss",
         "test.rules:2:23: enhetsmål har inget fält ”analyss” – menade du ”analys”?\n"
         "      varje enhetsmål har analyss\n"
         "                          ^~~~~~~"),
        ("varje indkator har analys",
         "test.rules:2:9: okänd sak ”indkator” – menade du ”indikator”? (möjliga: dokument, inriktningsmål, kf-mål, "
         "nämndmål, enhetsmål, resultat, indikator, aktivitet, avsnitt, synpunkt och analys)\n"
         "      varje indkator har analys\n"
         "            ^~~~~~~~"),
        ("varje indikator har arbetssätt",
         "test.rules:2:23: indikator har inget fält ”arbetssätt” (det finns hos enhetsmål)\n"
         "      varje indikator har arbetssätt\n"
         "                          ^~~~~~~~~~"),
        ("varje indikator: namn > 5",
         "test.rules:2:20: kan inte jämföra text med tal: ”namn” är en text och ”5” ett tal\n"
         "      varje indikator: namn > 5\n"
         "                       ^~~~"),
        ("varje enhetsmål: ordd(analys) > 1",
         "test.rules:2:20: okänd funktion ”ordd” – menade du ”ord”? (inbyggda funktioner: ord, ord_utöver, återges_i, "
         "besvarar_numren, kopia_av_tidigare, upprepad, syskon, summa, likhet och samma_lydelse)\n"
         "      varje enhetsmål: ordd(analys) > 1\n"
         "                       ^~~~"),
        ("varje enhetsmål: ord_utöver(analys) > 5",
         "test.rules:2:20: ord_utöver() ska ha 2 argument men fick 1: ord_utöver(text, fraser)\n"
         "      varje enhetsmål: ord_utöver(analys) > 5\n"
         "                       ^~~~~~~~~~"),
        ('inget enhetsmål där analys innehåller standardfras',
         "test.rules:2:41: okänd fraslista ”standardfras” – menade du ”standardfraser”? (en fras skrivs inom "
         "citattecken, en fraslista definieras med ”fraser namn = …”)\n"
         "      inget enhetsmål där analys innehåller standardfras\n"
         "                                            ^~~~~~~~~~~~"),
        ('varje enhetsmål: bedömning är "uppfyls helt"',
         "test.rules:2:33: ”uppfyls helt” är inget värde för bedömning – menade du ”uppfylls helt” eller "
         "”uppfylls delvis”? (möjliga: ”uppfylls helt”, ”uppfylls delvis”, ”uppfylls inte” eller ”inga data”)\n"
         '      varje enhetsmål: bedömning är "uppfyls helt"\n'
         "                                    ^~~~~~~~~~~~~~"),
        ("varje indikator: varje enhetsmål har analys",
         "test.rules:2:26: ”enhetsmål” finns inte under indikator – under indikator finns analys\n"
         "      varje indikator: varje enhetsmål har analys\n"
         "                             ^~~~~~~~~"),
        ('varje enhetsmål: analys matchar "(a+)\\1"',
         "test.rules:2:35: mönstret använder bakåtreferenser (\\1 …), vilket inte är tillåtet i regler\n"
         '      varje enhetsmål: analys matchar "(a+)\\1"\n'
         "                                      ^~~~~~~~"),
    ],
)
def test_semantic_errors_point_at_the_word(tmp_path: Path, body: str, expected: str) -> None:
    text = f'regel A fel "x" i rapport:\n  {body}\nfraser standardfraser = "a"\n'
    assert first_error(tmp_path, text) == expected


def test_unknown_severity_and_kind(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'regel A fell "x" i verksamhetsberätelse:\n  varje dokument har typ')
    messages = [e.render().replace(str(tmp_path) + "/", "") for e in error.errors]
    assert messages[0].startswith("test.rules:1:9: okänd nivå ”fell” – menade du ”fel”? (nivån ska vara fel, varning eller info)")
    assert messages[1].startswith("test.rules:1:20: okänd dokumenttyp ”verksamhetsberätelse” – menade du ”verksamhetsberättelse”")


def test_unknown_placeholder_points_inside_the_message(tmp_path: Path) -> None:
    rendered = first_error(tmp_path, 'regel A fel "Målet {titl} saknar analys" i rapport:\n  varje enhetsmål har analys')
    assert rendered.startswith("test.rules:1:21: okänd platshållare ”{titl}” – enhetsmål har inget sådant fält – menade du ”titel”?")
    assert rendered.endswith('    regel A fel "Målet {titl} saknar analys" i rapport:\n                        ^~~~')


def test_placeholders_are_checked_per_statement(tmp_path: Path) -> None:
    # {del} exists where återges_i is used, not in a rule about the document.
    error = load_error(tmp_path, 'regel A fel "Saknas under {del}" i alla:\n  varje dokument har typ')
    assert "okänd platshållare ”{del}”" in error.errors[0].message


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.rules", 'regel X01 fel "a" i alla:\n  varje dokument har typ')
    write(tmp_path, "b.rules", 'regel x01 fel "b" i alla:\n  varje dokument har år')
    with pytest.raises(RuleLoadError) as info:
        load_rules([tmp_path])
    [error] = info.value.errors
    assert error.file.name == "b.rules" and (error.line, error.column) == (1, 7)
    assert error.message == f"regel-id ”x01” används redan ({tmp_path / 'a.rules'}:1) – varje regel behöver ett eget id"


def test_profile_with_unknown_rule(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'regel VP01 fel "a" i alla: varje dokument har typ\nprofil utkast: VP01, VP2')
    assert error.errors[0].message == "profilen utkast: det finns ingen regel ”VP2” – menade du ”VP01”?"


def test_all_errors_of_all_files_are_reported_and_nothing_is_loaded(tmp_path: Path) -> None:
    write(tmp_path, "a.rules", 'regel A1 fel "a" i alla:\n  varje dokument har tyyp\nregel A2 fel "a" i alla:\n  varje dokument har')
    write(tmp_path, "b.rules", 'regel B1 fel "b" i alla:\n  varje dokument har år')  # fine on its own
    write(tmp_path, "c.rules", 'regel C1 feel "c" i alla:\n  varje dokument har år')
    with pytest.raises(RuleLoadError) as info:
        load_rules([tmp_path])
    located = [(e.file.name, e.line) for e in info.value.errors]
    assert located == [("a.rules", 2), ("a.rules", 4), ("c.rules", 1)]
    assert info.value.render().endswith("Hittade 3 fel i 2 regelfiler. Inga dokument granskades – rätta reglerna och försök igen.")


def test_catalog_plus_broken_extra_file_loads_nothing(tmp_path: Path) -> None:
    broken = write(tmp_path, "egna.rules", 'regel EG01 fel "x" i alla: varje avsnitt har texxt')
    with pytest.raises(RuleLoadError):
        load_rules([default_rules_dir(), broken])


def test_missing_path_and_bad_encoding(tmp_path: Path) -> None:
    latin = tmp_path / "latin.rules"
    latin.write_bytes('regel A fel "å" i alla: varje dokument har typ'.encode("latin-1"))
    with pytest.raises(RuleLoadError) as info:
        load_rules([tmp_path / "finns-inte.rules", latin])
    messages = sorted(e.message for e in info.value.errors)
    assert messages == ["filen är inte sparad som UTF-8 – spara om den som UTF-8-text", "regelfilen eller mappen finns inte"]


# --- hostile input ---------------------------------------------------------------------------------


def test_deeply_nested_expression_gives_a_swedish_error(tmp_path: Path) -> None:
    text = 'regel A fel "x" i rapport:\n  varje enhetsmål: ' + "inte " * 5000 + "analys"
    error = load_error(tmp_path, text)
    assert "för djupt nästlat" in error.errors[0].message


def test_deeply_nested_conditions_give_a_swedish_error(tmp_path: Path) -> None:
    text = 'regel A fel "x" i rapport:\n  varje enhetsmål: ' + "om analys så " * 400 + "analys"
    assert "för djupt nästlat" in load_error(tmp_path, text).errors[0].message


def test_many_parentheses_are_harmless(tmp_path: Path) -> None:
    load_text(tmp_path, 'regel A fel "x" i rapport:\n  varje enhetsmål: ' + "(" * 3000 + "analys" + ")" * 3000)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    text = "# " + "x" * 2_100_000
    error = load_error(tmp_path, text)
    assert error.errors[0].message.startswith("filen är för stor för en regelfil")


def test_many_rules_load_quickly(tmp_path: Path) -> None:
    text = "\n".join(f'regel R{i} fel "x" i rapport:\n  varje enhetsmål har analys' for i in range(1500))
    started = time.perf_counter()
    assert len(load_text(tmp_path, text).rules) == 1500
    assert time.perf_counter() - started < 10


_TOKENS = [
    "regel", "rule", "profil", "fraser", "i", "alla", "rapport", "fel", "varning", "info", "varje", "ingen",
    "högst", "minst", "där", "med", "utan", "låt", "har", "saknar", "är", "inte", "och", "eller", "något av",
    "innehåller", "matchar", "börjar med", "liknar", "med minst", "ord", "utöver", "antal", "om", "så",
    "annars", "för varje", "hjälp", "meddelande", "enhetsmål", "indikator", "analys", "utfall", "årsmål",
    "titel", "kf:s årsmål", "syskon", "summa", "ord_utöver", "återges_i", "X1", ":", ",", ".", "(", ")", "=",
    "<=", ">", "+", "-", '"a"', '"{titel}"', '"{x}"', '"(a+)+"', "3", "2,5", "#", "\n", "\n  ", "{", "”",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_token_soup_never_raises_anything_but_rule_load_error(tmp_path: Path, tokens: list[str]) -> None:
    try:
        load_text(tmp_path, " ".join(tokens))
    except RuleLoadError as error:
        assert error.errors
        error.render()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_rule_load_error(tmp_path: Path, text: str) -> None:
    try:
        load_text(tmp_path, text)
    except RuleLoadError as error:
        error.render()


# --- language features at run time ------------------------------------------------------------------


def _findings(tmp_path: Path, text: str, report: object) -> list:
    return check_report(report, load_text(tmp_path, text))  # type: ignore[arg-type]


def test_quantifiers_at_most_and_at_least(tmp_path: Path) -> None:
    text = '''
regel Q1 varning "Dokumentet har {antal} indikatorer med årsmål, högst 1 är tillåten" i alla:
  högst 1 indikator med årsmål
regel Q2 info "Minst fem aktiviteter behövs, det finns {antal}" i alla:
  minst 5 aktivitet
regel Q3 info "{titel} har {antal} aktiviteter" i alla:
  varje enhetsmål där bedömning är "uppfylls helt": minst 1 aktivitet
regel Q4 info "{titel} har {antal} aktiviteter" i alla:
  varje enhetsmål där bedömning är "uppfylls delvis": minst 1 aktivitet
'''
    findings = _findings(tmp_path, text, clean_vb(Doc()))
    assert [(f.rule, f.message, f.target_type) for f in findings] == [
        ("Q2", "Minst fem aktiviteter behövs, det finns 1", "dokument"),
        ("Q4", "Enheten har en god arbetsmiljö har 0 aktiviteter", "enhetsmal"),
        ("Q1", "Dokumentet har 3 indikatorer med årsmål, högst 1 är tillåten", "dokument"),
    ]
    # "högst" points at the first entity too many.
    assert findings[2].location.source is not None


def test_count_let_member_and_arithmetic(tmp_path: Path) -> None:
    doc = Doc()
    report = clean_vb(doc)
    text = '''
regel C1 info "{titel}: {antal_r} resultat" i alla:
  varje enhetsmål där antal(resultat där nummer >= 2) + 1 = 2 låt n = antal(resultat):
    n > 5
regel C2 info "Totalen {höger} för {namn}" i alla:
  varje indikator där namn liknar "Sjukfrånvaro dag 1-14" låt total = syskon("Sjukfrånvaro"):
    total.utfall < 5 och total.årsmål.tal > 100
'''
    error = load_error(tmp_path, text)
    assert "okänd platshållare ”{antal_r}”" in error.errors[0].message
    findings = _findings(tmp_path, text.replace("{antal_r}", "{n}"), report)
    # Each failing part of a top-level "och" is a finding of its own, with its own operands.
    assert sorted((f.rule, f.message) for f in findings) == [
        ("C1", "Enheten arbetar för att kunden ska vara delaktig: 2 resultat"),
        ("C2", "Totalen 100 för Sjukfrånvaro dag 1-14"),
        ("C2", "Totalen 5 för Sjukfrånvaro dag 1-14"),
    ]


def test_english_forms_loops_conditions_and_braces(tmp_path: Path) -> None:
    text = '''
rule E1 info "{{Engelska}} {titel}: {K}" in report:
  every enhetsmål where bedömning is one of "uppfylls helt", "uppfylls delvis" let n be count(resultat):
    for each K in analys, förväntat resultat: if n > 5 then K is empty else not K starts with "Enheten"
rule E2 info "Börjar: {fras}" i alla:
  ingen aktivitet där titel börjar med "Enheten inför"
rule E3 info "Gräns {kf:s årsmål.gräns}" i alla:
  varje indikator där namn liknar "sjukfranvaro": kf:s årsmål.gräns är inte "max"
rule E4 info "Status" i alla:
  varje enhetsmål: bedömning är en av "uppfylls helt", "inga data"
'''
    findings = _findings(tmp_path, text, clean_vb(Doc()))
    assert [(f.rule, f.message) for f in findings] == [
        ("E2", "Börjar: Enheten inför"),
        ("E1", "{Engelska} Enheten arbetar för att kunden ska vara delaktig: analys"),
        ("E4", "Status"),
    ]


def test_regex_matches_case_and_diacritic_tolerant(tmp_path: Path) -> None:
    doc = Doc()
    goal = doc.goal("Mål", bedomning="delvis", fr=["- x"], analys=["Kunderna blev NÖJDA under året."])
    findings = _findings(tmp_path, 'regel R1 info "Träff: {fras}" i alla:\n  inget enhetsmål där analys matchar "n[oö]jd[a-z]*"',
                         clean_vb(doc, goals=[goal]))
    assert [f.message for f in findings] == ["Träff: nojda"]


def test_unknown_kind_runs_only_rules_for_all_documents(tmp_path: Path) -> None:
    text = 'regel A1 fel "a" i alla: varje dokument har enhet\nregel A2 fel "b" i rapport: varje dokument har typ'
    report = clean_vb(Doc(), kind=None)
    report = report.model_copy(update={"unit": None})
    assert [f.rule for f in _findings(tmp_path, text, report)] == ["A1"]


def test_a_rule_that_fails_at_run_time_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object, args: object) -> object:
        raise ZeroDivisionError("oj")

    function = functions.FUNCTIONS["likhet"]
    monkeypatch.setitem(functions.FUNCTIONS, "likhet", function.__class__(**{
        **{f: getattr(function, f) for f in function.__dataclass_fields__}, "impl": broken}))
    text = ('regel A1 fel "a" i alla: varje enhetsmål: likhet(analys, titel) < 2\n'
            'regel A2 fel "Saknar {saknas}" i alla: varje dokument har tertial')
    findings = _findings(tmp_path, text, clean_vb(Doc()))
    assert [(f.rule, f.severity) for f in findings] == [("A1", Severity.INFO), ("A2", Severity.ERROR)]
    assert "kunde inte prövas" in findings[0].message and "ZeroDivisionError" in findings[0].message


# --- the engine API ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> RuleSet:
    return load_rules([default_rules_dir()])


def test_select_and_ignore_take_ids_and_prefixes(catalog: RuleSet) -> None:
    # DK01, DK03 and DK05 (the profile "skydd") come with every selection: see tests/test_gate_safety.py.
    safety = {"DK01", "DK03", "DK05"}
    assert {r.id for r in catalog.filtered(select=["VB"]).rules} == {f"VB0{i}" for i in range(1, 9)} | safety
    assert ({r.id for r in catalog.filtered(select=["IN0", "SK01"], ignore=["IN03"]).rules}
            == {"IN01", "IN02", "IN04", "SK01"} | safety)
    assert [r.id for r in catalog.filtered(select=["vp05"], ignore=sorted(safety)).rules] == ["VP05"]


def test_unknown_select_or_profile_is_a_swedish_value_error(catalog: RuleSet) -> None:
    with pytest.raises(ValueError, match="menade du ”VB04”"):
        catalog.filtered(select=["VB4"])
    with pytest.raises(ValueError, match="Det finns ingen regel som heter eller börjar med ”XX”. Skriv"):
        catalog.filtered(ignore=["XX"])
    with pytest.raises(ValueError, match="Det finns ingen profil ”utkats” – menade du ”utkast”"):
        catalog.filtered(profile="utkats")


def test_get(catalog: RuleSet) -> None:
    rule = catalog.get("vb04")
    assert rule is not None and rule.id == "VB04" and rule.file.name == "rapport.rules"
    assert catalog.get("ZZ99") is None


def test_rules_directory_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALKOLL_RULES", str(tmp_path))
    assert default_rules_dir() == tmp_path


_WORDS = (
    "arbetsmiljö kontaktman genomförandeplan nutrition dietist ombud kompetens utbildning brukare kund "
    "medarbetare schema bemanning rutin avvikelse trygghet kontinuitet samverkan region dokumentation "
    "kvalitet uppföljning ekonomi budget lokal cykel bil miljö kemikalie inköp måltid språk demens "
    "palliativ reflektion handledning introduktion rekrytering sjukfrånvaro friskvård ledarskap"
).split()


def _unique_text(rng: random.Random) -> str:
    sentences = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "." for _ in range(3)]
    return " ".join(sentences)


def test_copy_detection_scales_linearly(catalog: RuleSet) -> None:
    def report_with(goals: int) -> object:
        rng = random.Random(goals)
        doc = Doc()
        made = [doc.goal(f"Mål {i}", bedomning="delvis", fr=["- x"], analys=[_unique_text(rng)]) for i in range(goals)]
        return clean_vb(doc, goals=made)

    vb08 = catalog.filtered(select=["VB08"])
    timings = []
    for size in (300, 1200):
        report = report_with(size)
        started = time.perf_counter()
        check_report(report, vb08)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - started)
    # Four times the goals must not cost anything like sixteen times the time.
    assert timings[1] < max(timings[0], 0.05) * 8


def test_copies_are_found_among_many_goals(catalog: RuleSet) -> None:
    rng = random.Random(7)
    doc = Doc()
    goals = [doc.goal(f"Mål {i}", bedomning="delvis", fr=["- x"], analys=[_unique_text(rng)]) for i in range(50)]
    goals.append(doc.goal("Originalet", bedomning="delvis", fr=["- x"], analys=[OWN_TEXT_1]))
    goals += [doc.goal(f"Mål {i}", bedomning="delvis", fr=["- x"], analys=[_unique_text(rng)]) for i in range(50, 200)]
    goals.append(doc.goal("Kopian", bedomning="delvis", fr=["- x"], analys=[OWN_TEXT_1]))
    findings = check_report(clean_vb(doc, goals=goals), catalog.filtered(select=["VB08"]))
    assert [(f.target, f.message) for f in findings] == [
        ("Kopian", "Analysen verkar vara kopierad från enhetsmålet ”Originalet”")
    ]


# --- the Python knows no rule -------------------------------------------------------------------------


def test_no_catalog_id_in_the_engine() -> None:
    """Deleting rules/ must leave the engine with no knowledge of any specific rule."""
    pattern = re.compile(rf"\b(?:{'|'.join(CATALOG_IDS)})\b")
    owned = [REPO / "checker" / "engine.py", *sorted((REPO / "checker" / "rules_lang").iterdir())]
    for path in owned:
        if path.is_file():
            assert not pattern.search(path.read_text(encoding="utf-8")), path
    # Nowhere in checker/ may code quote a catalog id (docstring examples aside).
    quoted = "|".join(CATALOG_IDS)
    found = subprocess.run(["grep", "-rnE", f"[\"'](?:{quoted})[\"']", str(REPO / "checker")], capture_output=True, text=True)
    offending = [line for line in found.stdout.splitlines() if not _in_documentation(line)]
    assert offending == []


def _in_documentation(grep_line: str) -> bool:
    code = grep_line.split(":", 2)[-1].strip()
    return code.startswith(("#", '"""')) or "    ignore = [" in grep_line and "config.py:1" in grep_line
