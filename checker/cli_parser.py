"""The `malkoll` command line: a Swedish argparse and the options of each subcommand.

Only argparse and the standard library are imported here (start-up matters,
see checker.cli). An option that several subcommands share – --output,
--no-color, --config, the rule options, the batch options – is declared once,
in one function below, and each subcommand that takes it calls that function.
Each subcommand names its handler with `handler="…"`; checker.cli maps the
name to the function that runs it.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from checker.errors import EXIT_OK, EXIT_USAGE
from checker.output.reporter import FORMATS

PROG = "malkoll"
DEFAULT_PATH = "reports"


class ParserExit(Exception):
    """argparse wanted to exit (help shown, or misuse): the status to exit with."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class SwedishHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="användning: " if prefix is None else prefix)

    def _format_action(self, action: argparse.Action) -> str:
        # List the subcommands directly under "kommandon:" instead of under a
        # lone "KOMMANDO" line.
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        return super()._format_action(action)


# argparse's own messages (Python 3.11–3.13 wording) and their Swedish versions,
# compiled only when an error is actually shown.
_MESSAGE_TEXTS: list[tuple[str, str]] = [
    (r"^the following arguments are required: (.*)$", "följande argument saknas: {0}"),
    (r"^unrecognized arguments: (.*)$", "okända argument: {0}"),
    (r"^argument (.+?): (.*)$", "argument {0}: {1}"),
    (r"^invalid choice: (.*?) \(choose from (.*)\)$", "ogiltigt val: {0} (välj bland {1})"),
    (r"^expected one argument$", "ett värde behövs efter flaggan"),
    (r"^expected at most one argument$", "högst ett värde får anges"),
    (r"^expected at least one argument$", "minst ett värde behövs"),
    (r"^expected (\d+) arguments?$", "{0} värden behövs"),
    (r"^invalid (.*?) value: (.*)$", "ogiltigt värde: {1}"),
    (r"^ambiguous option: (.*?) could match (.*)$", "tvetydig flagga: {0} kan betyda {1}"),
    (r"^not allowed with argument (.*)$", "får inte användas tillsammans med {0}"),
    (r"^ignored explicit argument (.*)$", "flaggan tar inget värde: {0}"),
    (r"^one of the arguments (.*) is required$", "ett av argumenten {0} krävs"),
]


@functools.lru_cache(maxsize=1)
def _messages() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern, re.S), swedish) for pattern, swedish in _MESSAGE_TEXTS]


def translate_argparse_message(message: str) -> str:
    for pattern, swedish in _messages():
        match = pattern.match(message)
        if match:
            groups = [translate_argparse_message(g) if i == 1 and pattern.pattern.startswith("^argument") else g
                      for i, g in enumerate(match.groups())]
            return swedish.format(*groups)
    return message


class SwedishArgumentParser(argparse.ArgumentParser):
    """argparse with Swedish help and errors, and errors that end in exit code 2 without SystemExit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", SwedishHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", help="visa den här hjälptexten och avsluta")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message, sys.stderr)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        swedish = translate_argparse_message(message)
        if swedish.startswith("argument KOMMANDO: ogiltigt val: "):
            swedish = "okänt kommando " + swedish.removeprefix("argument KOMMANDO: ogiltigt val: ")
        hint = self._hint(message)
        self.print_usage(sys.stderr)
        text = f"{self.prog}: fel: {swedish}\n"
        if hint:
            text += hint + "\n"
        text += f"Skriv \"{self.prog} --help\" för hjälp.\n"
        self.exit(EXIT_USAGE, text)

    def _hint(self, message: str) -> str | None:
        """"menade du …?" for a mistyped option or subcommand."""
        import difflib

        unknown = re.match(r"^unrecognized arguments: (.*)$", message)
        if unknown:
            named = next((w for w in unknown.group(1).split() if w.startswith("-") and os.path.lexists(w)), None)
            if named is not None:
                # A file whose name starts with a dash reads as an option.
                return f"Om {named} är en fil: skriv ./{named} eller -- före filnamnet."
            options = [s for a in self._all_actions() for s in a.option_strings if s.startswith("--")]
            for word in unknown.group(1).split():
                if word.startswith("--"):
                    # 0.75: a typo ("--selct"), not a different word that shares "--se" ("--baseline").
                    guess = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.75)
                    if guess:
                        return f"Menade du {guess[0]}?"
            return None
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            choices = re.findall(r"'?([^',\s]+)'?", choice.group(2))
            guess = difflib.get_close_matches(choice.group(1), choices, n=1, cutoff=0.5)
            if guess:
                return f"Menade du {guess[0]}?"
        return None

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed = super().parse_known_args(args, namespace)
        # Remembered for _hint: "okända argument" is told by the top parser after the subcommand parsed.
        self._command = getattr(parsed[0], "command", None)
        return parsed

    def _all_actions(self) -> list[argparse.Action]:
        """This parser's options and, once a subcommand is known, only that subcommand's ones.

        A suggestion from another subcommand (check --baseline → watch's --settle) would only mislead.
        """
        actions = list(self._actions)
        command = getattr(self, "_command", None)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if command is None or name == command:
                        actions.extend(sub._actions)
        return actions


class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from checker.output import tool_version

        sys.stdout.write(f"{PROG} {tool_version()}\n")
        parser.exit(EXIT_OK)


def _fail_level_type(word: str) -> str:
    from checker.config import parse_fail_level

    try:
        return parse_fail_level(word)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> SwedishArgumentParser:
    parser = SwedishArgumentParser(
        prog=PROG,
        description=(
            "Målkoll granskar verksamhetsplaner, tertialrapporter och verksamhetsberättelser (.docx och PDF)\n"
            "innan de går till nämnden: saknade delar, bedömningar utan stöd, indikatorer utan analys m.m."
        ),
        epilog=(
            "exempel:\n"
            "  malkoll check                       granska alla dokument i mappen reports/\n"
            "  malkoll check Inlämnat/ -q          bara sammanfattningen\n"
            "  malkoll rules VB04                  förklara en regel\n"
            "  malkoll dump rapport.docx           visa vad Målkoll har förstått av ett dokument\n"
            "  malkoll thread Inlämnat/            följ varje enhets mål från planen genom rapporterna\n"
            "  malkoll watch Inlämnat/             bevaka en delad mapp: kommentarer i Word och sammanställning\n\n"
            "Slutkoder: 0 = inga brister på eller över gränsnivån, 1 = brister eller oläsbara filer,\n"
            "2 = felaktigt kommando, sökväg, regelfil eller konfiguration."
        ),
    )
    parser.add_argument("--version", action=_VersionAction, help="visa versionen och avsluta")
    commands = parser.add_subparsers(title="kommandon", dest="command", metavar="KOMMANDO")
    _add_check(commands)
    _add_rules(commands)
    _add_dump(commands)
    _add_schema(commands)
    _add_watch(commands)
    _add_thread(commands)
    return parser


def _add_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="granska dokument och visa brister",
        description=(
            "Granska .docx- och PDF-filer och mappar (mappar söks igenom, även undermappar).\n"
            "Inställningar kan också stå i malkoll.toml eller under [tool.malkoll] i pyproject.toml,\n"
            "som letas upp från den granskade mappen och uppåt; flaggor på kommandoraden går före."
        ),
    )
    check.add_argument(
        "paths", nargs="*", metavar="SÖKVÄG",
        help=f"filer eller mappar att granska (standard: {DEFAULT_PATH}/ om den aktuella mappen har en sådan, "
        "annars den aktuella mappen)",
    )
    check.add_argument(
        "--format",
        dest="output_format",
        choices=FORMATS,
        help="utdataformat: terminal (standard), concise (en rad per brist: fil:plats: REGEL meddelande), "
        "json, sarif eller junit (de två sista för CI-system)",
    )
    check.add_argument(
        "--statistics", action="store_true",
        help="visa antalet brister per regel, med regelns namn, i stället för varje brist (terminal och concise)",
    )
    check.add_argument(
        "--exit-zero", action="store_true",
        help="slutkod 0 även när dokument underkänns eller inte kan läsas (2 vid felaktigt kommando gäller fortfarande)",
    )
    _add_output(check)
    _add_rule_options(check)
    _add_rule_choice(check)
    check.add_argument(
        "--fail-level",
        type=_fail_level_type,
        metavar="NIVÅ",
        help="lägsta nivå som underkänner ett dokument: error/fel, warning/varning eller info (standard: error)",
    )
    _add_no_color(check)
    check.add_argument("-q", "--quiet", action="store_true", help="visa bara sammanfattningen")
    _add_config(check)
    check.add_argument(
        "--annotate",
        metavar="MAPP",
        type=Path,
        help="skriv en kopia av varje dokument med bristerna som Word-kommentarer i MAPP (originalen ändras aldrig)",
    )
    check.add_argument(
        "--overview",
        metavar="MAPP",
        type=Path,
        help="skriv samordnarens sammanställning (sammanstallning.html och .xlsx) i MAPP",
    )
    check.add_argument(
        "--baseline", metavar="FIL", type=Path,
        help="godta bristerna som finns i baslinjen FIL och underkänn bara nya (se docs/acceptera.md)",
    )
    check.add_argument(
        "--baseline-skriv", dest="baseline_write", metavar="FIL", type=Path,
        help="spara körningens brister som baslinje i FIL, för --baseline i senare körningar",
    )
    _add_identity_options(check)
    _add_batch_options(check)
    check.set_defaults(handler="check")


_ROLE_WORDS = {"vp": "VP", "t1": "T1", "t2": "T2", "vb": "VB"}


def _role_type(word: str) -> str:
    role = _ROLE_WORDS.get(word.strip().lower())
    if role is None:
        raise argparse.ArgumentTypeError(f"okänd dokumenttyp ”{word}” – välj VP, T1, T2 eller VB")
    return role


def _year_type(word: str) -> int:
    if not word.strip().isdigit() or not 1980 <= int(word) <= 2100:
        raise argparse.ArgumentTypeError(f"”{word}” är inget år – skriv till exempel 2025")
    return int(word)


def _add_identity_options(parser: argparse.ArgumentParser) -> None:
    """What one file is, when it does not say so itself: wins over everything the file shows."""
    group = parser.add_argument_group("dokumentets typ, år och enhet (för en enda fil; för flera: [trad] i malkoll.toml)")
    group.add_argument("--typ", type=_role_type, metavar="TYP", help="dokumenttypen: VP, T1, T2 eller VB")
    group.add_argument("--ar", "--år", dest="ar", type=_year_type, metavar="ÅR", help="året dokumentet gäller, t.ex. 2025")
    group.add_argument("--enhet", metavar="NAMN", help="enhetens namn, t.ex. ”Aspuddens hemtjänst”")


def _nonnegative_int(word: str) -> int:
    try:
        value = int(word)
    except ValueError:
        raise argparse.ArgumentTypeError(f"\"{word}\" är inte ett heltal") from None
    if value < 0:
        raise argparse.ArgumentTypeError("antalet får inte vara negativt")
    return value


def _seconds(word: str) -> float:
    try:
        value = float(word.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"\"{word}\" är inte ett antal sekunder") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError("antalet sekunder får inte vara negativt")
    from checker.config import seconds_problem

    if (problem := seconds_problem(value)) is not None:
        raise argparse.ArgumentTypeError(problem)
    return value


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", "-j", type=_nonnegative_int, default=1, metavar="N",
        help="granska N filer samtidigt (0 = alla processorkärnor; standard: 1)",
    )
    parser.add_argument(
        "--timeout", type=_seconds, metavar="SEKUNDER",
        help="avbryt granskningen av en fil som tar längre tid än så (standard: 120; 0 = ingen gräns)",
    )


def _add_output(
    parser: argparse.ArgumentParser, *, what: str = "resultatet", metavar: str = "FIL", help: str | None = None
) -> None:
    parser.add_argument(
        "--output", "-o", metavar=metavar, type=Path, help=help or f"skriv {what} till FIL i stället för skärmen"
    )


def _add_no_color(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-color", action="store_true", help="ingen färg i utskriften")


def _add_config(parser: argparse.ArgumentParser, *, instead: str = "att leta") -> None:
    parser.add_argument(
        "--config", metavar="FIL", type=Path, help=f"använd den här konfigurationsfilen i stället för {instead}"
    )


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        action="append",
        metavar="FIL|MAPP",
        type=Path,
        help="regelfil eller mapp som ersätter de inbyggda reglerna (kan upprepas)",
    )
    parser.add_argument(
        "--extend-rules",
        action="append",
        metavar="FIL|MAPP",
        type=Path,
        help="regelfil eller mapp som läggs till de inbyggda reglerna (kan upprepas)",
    )


def _add_rule_choice(parser: argparse.ArgumentParser) -> None:
    """--select/--ignore/--profile. DK01, DK03 and DK05 stay on unless ignored by id (profile "skydd")."""
    parser.add_argument(
        "--select", action="append", metavar="ID",
        help="använd bara dessa regler (kommaseparerade id eller prefix, t.ex. VB,IN01); DK01, DK03 och DK05 "
        "används ändå",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="ID",
        help="hoppa över dessa regler (kommaseparerade id eller prefix); DK01, DK03 och DK05 bara med fullt id",
    )
    parser.add_argument("--profile", metavar="NAMN", help="använd bara reglerna i profilen NAMN, t.ex. utkast")


def _add_rules(commands: Any) -> None:
    rules = commands.add_parser(
        "rules",
        help="visa reglerna, eller förklara en regel",
        description="Visa alla regler i en tabell, eller förklara en regel: varför den finns och hur den är skriven.",
    )
    rules.add_argument("rule_id", nargs="?", metavar="ID", help="regelns id, t.ex. VB04")
    _add_rule_options(rules)
    rules.add_argument("--profile", metavar="NAMN", help="visa bara reglerna i profilen NAMN")
    rules.add_argument(
        "--format", dest="rules_format", choices=("terminal", "json"), default="terminal",
        help="terminal (standard) eller json (för skript och redigerare)",
    )
    _add_no_color(rules)
    _add_config(rules)
    rules.set_defaults(handler="rules")


def _add_dump(commands: Any) -> None:
    dump = commands.add_parser(
        "dump",
        help="visa vad Målkoll har förstått av ett dokument",
        description=(
            "Visa dokumentets struktur som Målkoll har tolkat den: mål, bedömningar, delar,\n"
            "indikatorer och aktiviteter. Formatet json är ett stabilt gränssnitt (se malkoll schema)."
        ),
    )
    dump.add_argument("file", metavar="FIL", type=Path, help=".docx- eller PDF-filen som ska visas")
    dump.add_argument("--format", dest="output_format", choices=("tree", "json"), default="tree", help="tree (standard) eller json")
    _add_output(dump)
    _add_no_color(dump)
    _add_identity_options(dump)
    dump.add_argument(
        "--thread", "--trad", dest="thread", action="store_true",
        help="visa dokumentets tråd (en mapp: alla trådar) – hur mål, resultat, indikatorer och aktiviteter "
        "parats ihop med planen, med säkerhet, och det som blev över",
    )
    dump.set_defaults(handler="dump")


def _add_schema(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="skriv ut JSON-schemat för dump-formatet",
        description="Skriv ut JSON-schemat (draft 2020-12) för utdata från malkoll dump --format json.",
    )
    _add_output(schema, what="schemat")
    schema.set_defaults(handler="schema")


def _add_watch(commands: Any) -> None:
    watch = commands.add_parser(
        "watch",
        help="bevaka en mapp och granska varje dokument som kommer in",
        description=(
            "Bevaka en delad mapp: granska alla dokument som redan finns där, sedan varje dokument som\n"
            "läggs dit eller ändras, så snart det är färdigsparat. För varje dokument skrivs en kopia med\n"
            "bristerna som Word-kommentarer och en kort textrapport, och sammanställningen uppdateras.\n"
            "Mappens malkoll.toml bestämmer regler, profil och utdatamapp (inställningen output,\n"
            "standard: MAPP/granskning). Avsluta med Ctrl+C."
        ),
    )
    watch.add_argument("folder", metavar="MAPP", type=Path, help="mappen som ska bevakas (även undermappar)")
    _add_output(watch, metavar="MAPP", help="utdatamapp (standard: output i malkoll.toml, annars MAPP/granskning)")
    watch.add_argument("--once", action="store_true", help="granska det som finns i mappen och avsluta (för schemalagda körningar)")
    watch.add_argument(
        "--poll", action="store_true", help="läs av mappen med jämna mellanrum i stället för att lyssna på filhändelser (nätverksmappar)"
    )
    watch.add_argument(
        "--interval", type=_seconds, default=None, metavar="SEKUNDER", help="hur ofta mappen läses av med --poll (standard: 2)"
    )
    watch.add_argument(
        "--settle", type=_seconds, default=None, metavar="SEKUNDER",
        help="hur länge en fil ska vara oförändrad innan den granskas (standard: 2)",
    )
    _add_rule_options(watch)
    _add_rule_choice(watch)
    watch.add_argument("--fail-level", type=_fail_level_type, metavar="NIVÅ", help="lägsta nivå som underkänner ett dokument")
    _add_config(watch, instead="mappens")
    watch.add_argument("--bekrafta-installningar", dest="confirm_config", action="store_true",
                       help="godkänn mappens malkoll.toml som den ser ut nu (en ändrad fil följs inte förrän den bekräftats)")
    _add_batch_options(watch)
    watch.set_defaults(handler="watch")


def _add_thread(commands: Any) -> None:
    thread = commands.add_parser(
        "thread",
        help="följ varje enhets mål från verksamhetsplanen genom rapporterna",
        description=(
            "Dokumenten grupperas i trådar, en per enhet och år: verksamhetsplan, tertialrapport 1 och 2,\n"
            "verksamhetsberättelse. För varje enhet visas en tabell med planens enhetsmål och deras bedömning\n"
            "i varje dokument – \"saknas\" när dokumentet inte följer upp målet. Enhet, år och typ läses från\n"
            "dokumenten; [trad] i malkoll.toml anger dem för filer som säger för lite. Dokument som inte\n"
            "hör till någon tråd listas med skälet. Trådreglerna (TR) prövas av malkoll check MAPP."
        ),
    )
    thread.add_argument(
        "paths", nargs="*", metavar="SÖKVÄG", help=f"mappar eller filer att gruppera (standard: {DEFAULT_PATH}/)"
    )
    thread.add_argument(
        "--format", dest="output_format", choices=("terminal", "json"), default="terminal",
        help="terminal (standard) eller json (med varje parning, dess säkerhet och det som blev över)",
    )
    thread.add_argument(
        "--matchningar", "--matches", dest="matches", action="store_true",
        help="visa också hur mål, resultat, indikatorer och aktiviteter parats ihop, med säkerhet",
    )
    _add_output(thread)
    _add_no_color(thread)
    _add_config(thread)
    thread.set_defaults(handler="thread", rules=None, extend_rules=None, profile=None)
