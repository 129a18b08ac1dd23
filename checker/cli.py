"""The `malkoll` command: check, rules, dump, schema.

Start-up matters (a coordinator runs this many times a day, scripts run it
per file), so only argparse and the standard library are imported here; each
subcommand imports what it needs when it runs. `malkoll --help` never loads
pydantic, python-docx or lark.

Exit codes scripts can trust:
    0  nothing at or above the fail level
    1  findings at or above the fail level, or a file that could not be read
    2  misuse: bad arguments, a path that does not exist, a broken rule file
       or configuration file
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from checker.config import Settings
    from checker.engine import RuleSet

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
PROG = "malkoll"
DEFAULT_PATH = "reports"


class UsageError(Exception):
    """Misuse the user must be told about in Swedish (exit code 2)."""


# --- a Swedish argparse -------------------------------------------------------


class _ParserExit(Exception):
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
        raise _ParserExit(status)

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
                    guess = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.6)
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

    def _all_actions(self) -> list[argparse.Action]:
        actions = list(self._actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
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
            "Målkoll granskar verksamhetsplaner, tertialrapporter och verksamhetsberättelser (.docx)\n"
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
            "Granska .docx-filer och mappar (mappar söks igenom, även undermappar).\n"
            "Inställningar kan också stå i malkoll.toml eller under [tool.malkoll] i pyproject.toml,\n"
            "som letas upp från den granskade mappen och uppåt; flaggor på kommandoraden går före."
        ),
    )
    check.add_argument(
        "paths", nargs="*", metavar="SÖKVÄG", help=f"filer eller mappar att granska (standard: {DEFAULT_PATH}/)"
    )
    check.add_argument(
        "--format",
        dest="output_format",
        choices=("terminal", "json", "sarif", "junit"),
        help="utdataformat: terminal (standard), json, sarif eller junit (de två sista för CI-system)",
    )
    check.add_argument("--output", "-o", metavar="FIL", type=Path, help="skriv resultatet till FIL i stället för skärmen")
    _add_rule_options(check)
    check.add_argument(
        "--select", action="append", metavar="ID", help="använd bara dessa regler (kommaseparerade id eller prefix, t.ex. VB,IN01)"
    )
    check.add_argument("--ignore", action="append", metavar="ID", help="hoppa över dessa regler (kommaseparerade id eller prefix)")
    check.add_argument("--profile", metavar="NAMN", help="använd bara reglerna i profilen NAMN, t.ex. utkast")
    check.add_argument(
        "--fail-level",
        type=_fail_level_type,
        metavar="NIVÅ",
        help="lägsta nivå som underkänner ett dokument: error/fel, warning/varning eller info (standard: error)",
    )
    check.add_argument("--no-color", action="store_true", help="ingen färg i utskriften")
    check.add_argument("-q", "--quiet", action="store_true", help="visa bara sammanfattningen")
    check.add_argument("--config", metavar="FIL", type=Path, help="använd den här konfigurationsfilen i stället för att leta")
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
    _add_identity_options(check)
    _add_batch_options(check)
    check.set_defaults(handler=run_check)


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


def _add_rules(commands: Any) -> None:
    rules = commands.add_parser(
        "rules",
        help="visa reglerna, eller förklara en regel",
        description="Visa alla regler i en tabell, eller förklara en regel: varför den finns och hur den är skriven.",
    )
    rules.add_argument("rule_id", nargs="?", metavar="ID", help="regelns id, t.ex. VB04")
    _add_rule_options(rules)
    rules.add_argument("--profile", metavar="NAMN", help="visa bara reglerna i profilen NAMN")
    rules.add_argument("--no-color", action="store_true", help="ingen färg i utskriften")
    rules.add_argument("--config", metavar="FIL", type=Path, help="använd den här konfigurationsfilen i stället för att leta")
    rules.set_defaults(handler=run_rules)


def _add_dump(commands: Any) -> None:
    dump = commands.add_parser(
        "dump",
        help="visa vad Målkoll har förstått av ett dokument",
        description=(
            "Visa dokumentets struktur som Målkoll har tolkat den: mål, bedömningar, delar,\n"
            "indikatorer och aktiviteter. Formatet json är ett stabilt gränssnitt (se malkoll schema)."
        ),
    )
    dump.add_argument("file", metavar="FIL", type=Path, help=".docx-filen som ska visas")
    dump.add_argument("--format", dest="output_format", choices=("tree", "json"), default="tree", help="tree (standard) eller json")
    dump.add_argument("--output", "-o", metavar="FIL", type=Path, help="skriv resultatet till FIL i stället för skärmen")
    dump.add_argument("--no-color", action="store_true", help="ingen färg i utskriften")
    _add_identity_options(dump)
    dump.add_argument(
        "--thread", "--trad", dest="thread", action="store_true",
        help="visa dokumentets tråd (en mapp: alla trådar) – hur mål, resultat, indikatorer och aktiviteter "
        "parats ihop med planen, med säkerhet, och det som blev över",
    )
    dump.set_defaults(handler=run_dump)


def _add_schema(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="skriv ut JSON-schemat för dump-formatet",
        description="Skriv ut JSON-schemat (draft 2020-12) för utdata från malkoll dump --format json.",
    )
    schema.add_argument("--output", "-o", metavar="FIL", type=Path, help="skriv schemat till FIL i stället för skärmen")
    schema.set_defaults(handler=run_schema)


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
    watch.add_argument(
        "--output", "-o", metavar="MAPP", type=Path, help="utdatamapp (standard: output i malkoll.toml, annars MAPP/granskning)"
    )
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
    watch.add_argument("--profile", metavar="NAMN", help="använd bara reglerna i profilen NAMN")
    watch.add_argument("--fail-level", type=_fail_level_type, metavar="NIVÅ", help="lägsta nivå som underkänner ett dokument")
    watch.add_argument("--config", metavar="FIL", type=Path, help="använd den här konfigurationsfilen i stället för mappens")
    watch.add_argument("--bekrafta-installningar", dest="confirm_config", action="store_true",
                       help="godkänn mappens malkoll.toml som den ser ut nu (en ändrad fil följs inte förrän den bekräftats)")
    _add_batch_options(watch)
    watch.set_defaults(handler=run_watch)


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
    thread.add_argument("--output", "-o", metavar="FIL", type=Path, help="skriv resultatet till FIL i stället för skärmen")
    thread.add_argument("--no-color", action="store_true", help="ingen färg i utskriften")
    thread.add_argument("--config", metavar="FIL", type=Path, help="använd den här konfigurationsfilen i stället för att leta")
    thread.set_defaults(handler=run_thread, rules=None, extend_rules=None, profile=None)


# --- shared helpers -------------------------------------------------------------


def _err(message: str) -> None:
    """A Swedish message on stderr, without rich (it may be printed before anything is loaded)."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def _color_wanted(args: argparse.Namespace, stream: IO[str]) -> bool:
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or bool(os.environ.get("FORCE_COLOR"))


def _check_output_path(output: Path, inputs: Sequence[Path] = ()) -> None:
    """--output must be a writable place that is not one of the documents being read."""
    if output.exists() and output.is_dir():
        raise UsageError(f"--output pekar på en mapp, inte en fil: {output}")
    if not output.parent.exists():
        raise UsageError(f"Mappen för --output finns inte: {output.parent}")
    target = output.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise UsageError(f"--output får inte skriva över en fil som granskas: {output}")
    if target.suffix.lower() == ".docx":
        raise UsageError(f"--output ska vara en text- eller JSON-fil, inte ett Word-dokument: {output}")


class _Output:
    """Context manager giving a text stream: stdout, or an atomically written file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._cm: Any = None

    def __enter__(self) -> IO[str]:
        if self.path is None:
            return sys.stdout
        from checker.output import atomic_writer

        self._cm = atomic_writer(self.path)
        return self._cm.__enter__()

    def __exit__(self, *exc: Any) -> bool:
        if self._cm is not None:
            return bool(self._cm.__exit__(*exc))
        return False


def _load_settings(args: argparse.Namespace, start: Path, config: Any = None) -> Settings:
    from checker.config import load_config_for, merge, split_ids

    config = config if config is not None else load_config_for(start, getattr(args, "config", None))
    settings = merge(
        config,
        rules=args.rules,
        extend_rules=args.extend_rules,
        select=split_ids(getattr(args, "select", None)),
        ignore=split_ids(getattr(args, "ignore", None)),
        profile=args.profile,
        fail_level=getattr(args, "fail_level", None),
        output_format=getattr(args, "output_format", None),
        timeout=getattr(args, "timeout", None),
    )
    _apply_limits(settings)
    return _with_stated_identity(args, settings)


def _with_stated_identity(args: argparse.Namespace, settings: Settings) -> Settings:
    """--typ/--ar/--enhet: what the coordinator states about the one file given, before any [trad] line."""
    import dataclasses

    from checker.config import ThreadOverride

    role, year, unit = getattr(args, "typ", None), getattr(args, "ar", None), getattr(args, "enhet", None)
    if role is None and year is None and unit is None:
        return settings
    files = [Path(p) for p in getattr(args, "paths", None) or [getattr(args, "file", None)] if p is not None]
    if len(files) != 1 or files[0].is_dir():
        raise UsageError(
            "--typ, --ar och --enhet gäller en enda fil. För flera filer eller en mapp: ange dem per fil under "
            "[trad] i malkoll.toml."
        )
    if unit is not None and not unit.strip():
        raise UsageError("--enhet ska vara enhetens namn.")
    stated = ThreadOverride(files[0].name, files[0].parent.resolve(), unit=unit.strip() if unit else None,
                            year=year, role=role, source="kommandorad")
    return dataclasses.replace(settings, threads=(stated, *settings.threads))


def _apply_limits(settings: Settings) -> None:
    """The size limits for this run (environment, then [limits]); workers get them from the runner."""
    from checker import limits
    from checker.errors import ConfigError

    try:
        limits.configure(limits.resolve(dict(settings.limits), os.environ))
    except ConfigError as error:  # a bad MALKOLL_MAX_… variable ([limits] was checked with the file)
        raise UsageError(str(error)) from None


def _load_rules(settings: Settings) -> RuleSet:
    """The rule set for this run; every problem is misuse (exit 2), never a partial run."""
    from checker.engine import load_rules
    from checker.rules_lang.errors import RuleLoadError

    paths = _rule_paths(settings)
    missing = [p for p in paths if not p.exists()]
    where = f" (från {settings.config_path})" if settings.config_path else ""
    if missing:
        raise UsageError("Regelfilen eller regelmappen finns inte: " + ", ".join(map(str, missing)) + where)
    _refuse_odd_rule_files(paths, where)
    try:
        rules = load_rules(paths)
    except RuleLoadError as error:
        render = getattr(error, "render", None)
        raise UsageError(render() if callable(render) else str(error)) from None
    try:
        return rules.filtered(select=settings.select, ignore=settings.ignore, profile=settings.profile)
    except ValueError as error:
        raise UsageError(str(error)) from None


# A rule file may hold 2 million characters (checker.rules_lang.parser); in UTF-8 that is at most 8 MB.
MAX_RULE_FILE_BYTES = 8 * 1024 * 1024


def _refuse_odd_rule_files(paths: Sequence[Path], where: str) -> None:
    """Rule files are read whole: a pipe would never end, a device or a huge file would fill the memory."""
    import stat

    for path in paths:
        # The loader reads a folder's *.rules (checker.engine.RULE_SUFFIX; not imported: it loads lark).
        files = sorted(path.glob("*.rules")) if path.is_dir() else [path]
        for file in files:
            try:
                info = file.stat()
            except OSError:
                continue  # a dangling link in a folder: the loader says what it says about it
            if path.is_dir() and not stat.S_ISREG(info.st_mode):
                continue  # the loader reads only regular files from a folder
            if not stat.S_ISREG(info.st_mode):
                raise UsageError(f"Regelfilen {file} är ingen vanlig fil (utan till exempel en enhet eller pipe){where}.")
            if info.st_size > MAX_RULE_FILE_BYTES:
                raise UsageError(f"Regelfilen {file} är {info.st_size // (1024 * 1024)} MB – större än någon regelfil "
                                 f"kan vara (högst 2 miljoner tecken){where}.")
            if not file.resolve().name.endswith(".rules"):
                # Never parsed: a parse error would quote the file's first line (/etc/shadow, a key).
                raise UsageError(f"{file} är ingen regelfil: en regelfils namn slutar på .rules{where}.")


# --- malkoll check --------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    from checker.batch import Runner, all_dropped_as_outputs, exclude_outputs, jobs_for, outputs_over_inputs
    from checker.discovery import discover
    from checker.findings import Severity
    from checker.pipeline import RunSummary

    paths = [Path(p) for p in args.paths] or [Path(DEFAULT_PATH)]
    first = paths[0]
    settings = _load_settings(args, first if first.is_dir() else first.parent)
    found = discover(paths)
    walked, found.files = found.files, exclude_outputs(found.files, paths, [args.annotate, args.overview])
    refused = outputs_over_inputs(paths, [("--annotate", args.annotate), ("--overview", args.overview)])
    if refused or (refused := all_dropped_as_outputs(walked, found.files, paths)):
        raise UsageError(refused)
    if args.output is not None:
        _check_output_path(args.output, found.files)
    for option, folder in (("--annotate", args.annotate), ("--overview", args.overview)):
        if folder is not None:
            _prepare_output_dir(option, folder)
    rules = _load_rules(settings)
    fail_level = Severity.parse(settings.fail_level)
    if not found.files and not found.problems:
        where = ", ".join(str(p) for p in paths)
        _err(f"Inga .docx-filer hittades i {where}.")
        return EXIT_OK

    run = RunSummary(fail_level)
    runner = Runner(rules, _rule_spec(settings), jobs=args.jobs, timeout=settings.timeout, fail_level=fail_level)
    # Workers are started before anything else runs a thread, so they can be forked.
    runner.start(len(found.files))
    targets = _annotation_targets(args.annotate, paths, found.files) if args.annotate else None
    from checker.output_guard import BufferedOutput, GuardedReporter

    output = BufferedOutput(args.output)
    with runner, output as stream:
        reporters = [_make_reporter(settings.output_format, stream, args, fail_level, rules)]
        if args.overview is not None:
            from checker.overview import OverviewReporter

            overview = OverviewReporter(args.overview, fail_level=fail_level, base=_common_base(paths), rules=rules)
            reporters.append(GuardedReporter(overview, f"Sammanställningen i {args.overview}"))
        with _aborted_on_error(reporters):
            with _progress(args, len(found.files)) as bar:
                for reporter in reporters:
                    reporter.start()

                def hand_on(result: Any) -> None:
                    summary = run.add(result)
                    with bar.paused():
                        if result.internal and settings.output_format != "terminal":
                            _err(f"{result.path}: {result.error}")
                        if result.annotate_error:
                            _err(f"{result.path}: {result.annotate_error}")
                        for reporter in reporters:
                            reporter.file(result, summary)

                # Thread rules (TR…) compare a report with its unit's plan: results wait until every file is read.
                stage = _thread_stage(rules, settings, found.files, views=args.overview is not None)
                with stage if stage is not None else contextlib.nullcontext():
                    # With thread rules each worker also keeps the full report it read, for the thread jobs.
                    keep_in = stage.keep_reports() if stage is not None else None
                    work = jobs_for(found.files, targets, args.annotate, keep_in, settings.threads)
                    for result in _results(found, runner.run(work)):
                        if stage is not None:
                            stage.hold(result)
                        else:
                            hand_on(result)
                        bar.advance()
                    # The threads go to the same workers; the held results come back in order with their findings.
                    for result in _finished(stage, runner, args.annotate, bar):
                        hand_on(result)
            for reporter in reporters:
                _add_threads(reporter, stage, paths)
                reporter.finish(run)
    lost = [r.failure for r in reporters if getattr(r, "failure", None)]  # output.failure is told already
    for failure in lost:
        _err(failure)
    if not args.quiet:
        if args.output is not None and not output.failure:
            _err(f"Resultatet sparades i {args.output}.")
        if args.annotate is not None:
            _err(f"Kopior med bristerna som kommentarer finns i {args.annotate}.")
        if args.overview is not None and not lost:
            _err(f"Sammanställningen finns i {args.overview / 'sammanstallning.html'} och {args.overview / 'sammanstallning.xlsx'}.")
    # An output asked for and not delivered: never the "all is well" of exit code 0.
    return max(run.exit_code, EXIT_FINDINGS) if lost or output.failure else run.exit_code


@contextlib.contextmanager
def _aborted_on_error(reporters: Sequence[Any]) -> Iterator[None]:
    """A run that ends early (Ctrl-C, a fault) leaves no half-written output files behind."""
    try:
        yield
    except BaseException:
        for reporter in reporters:
            abort = getattr(reporter, "abort", None)
            if callable(abort):
                with contextlib.suppress(Exception):
                    abort()
        raise


def _finished(stage: Any, runner: Any, annotate: Path | None, bar: Any) -> Iterable[Any]:
    """The held results with their thread findings; with --annotate their copies are rewritten by the workers."""
    if stage is None:
        return ()
    # The stage sends its thread jobs through the runner when it is first asked for a result, before any
    # rewrite is handed out: the two uses of the runner follow each other.
    results = stage.finish(runner.run, bar)
    if annotate is None:
        return results
    from checker.threads.stage import AnnotateAgainJob

    return runner.run(AnnotateAgainJob(result, annotate) for result in results)


def _thread_stage(rules: RuleSet, settings: Settings, files: Sequence[Path], *, views: bool = True) -> Any:
    """The stage that runs the thread rules after a folder is read (None when nothing needs it).

    `views`: whether to build each thread's goals × documents view (only the overview shows them).
    """
    if len(files) < 2:
        return None  # one file is no thread (as ThreadStage.wanted says); do not import the stage for it
    from checker.threads.stage import ThreadStage

    return ThreadStage(rules, settings.threads, views=views) if ThreadStage.wanted(rules, files) else None


def _add_threads(reporter: Any, stage: Any, paths: Sequence[Path]) -> None:
    """Give a reporter that shows threads (the overview) the goals × documents of each unit."""
    add = getattr(reporter, "add_threads", None)
    if stage is None or stage.grouping is None or not callable(add):
        return
    base = _common_base(paths)
    unplaced = [(_display_path(u.path, base), u.reason) for u in stage.grouping.unplaced]
    add(stage.views, unplaced)


def _display_path(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.absolute().relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _results(found: Any, results: Any) -> Any:
    """Folders that could not be read are reported like unreadable files, then the files themselves."""
    from checker.pipeline import FileResult

    for folder, problem in found.problems:
        yield FileResult(folder, None, error=problem)
    yield from results


def _rule_paths(settings: Settings) -> list[Path]:
    from checker.engine import default_rules_dir

    base = list(settings.rules) if settings.rules else [default_rules_dir()]
    return base + list(settings.extend_rules)


def _rule_spec(settings: Settings) -> Any:
    """How a worker that cannot inherit the rules loads the same ones."""
    from checker.batch import RuleSpec

    return RuleSpec(tuple(_rule_paths(settings)), tuple(settings.select), tuple(settings.ignore), settings.profile)


def _prepare_output_dir(option: str, folder: Path) -> None:
    """An output folder must be a folder; it is created when missing."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} ska vara en mapp, men {folder} är en fil.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{option}: mappen {folder} kunde inte skapas ({error.strerror or error}).") from None
    from checker.private import remove_stale_output_temps

    remove_stale_output_temps(folder)  # what a run killed while writing left here


def _common_base(paths: Sequence[Path]) -> Path | None:
    """The folder the overview names files relative to."""
    folders = [p if p.is_dir() else p.parent for p in paths]
    try:
        return Path(os.path.commonpath([str(f.absolute()) for f in folders]))
    except ValueError:
        return None


def _annotation_targets(out_dir: Path, paths: Sequence[Path], files: Sequence[Path]) -> Any:
    """path → where its annotated copy goes: the folder structure below the given folder, mirrored.

    Two files that would get the same copy (same name under two given folders)
    get numbered names; a copy never takes the place of a file being checked.
    """
    from checker.annotate import ANNOTATED_SUFFIX, annotated_path

    roots = [p for p in paths if p.is_dir()]
    inputs = {f.resolve() for f in files}
    taken: set[Path] = set()

    def target(path: Path) -> Path | None:
        root = next((r for r in roots if r.resolve() in path.resolve().parents), path.parent)
        candidate = annotated_path(path, root, out_dir)
        number = 2
        while candidate.resolve() in taken or candidate.resolve() in inputs:
            stem = candidate.name[: -len(ANNOTATED_SUFFIX)]
            base = stem.rsplit(" (", 1)[0] if number > 2 else stem
            candidate = candidate.with_name(f"{base} ({number}){ANNOTATED_SUFFIX}")
            number += 1
        taken.add(candidate.resolve())
        return candidate

    return target


def _progress(args: argparse.Namespace, total: int) -> Any:
    """A progress bar on stderr for a person at a terminal, for more than a few files."""
    from checker.batch import ProgressBar, progress_wanted

    return ProgressBar(total, enabled=progress_wanted(total), color=_color_wanted(args, sys.stderr))


def _make_reporter(
    output_format: str, stream: IO[str], args: argparse.Namespace, fail_level: Any, rules: Any = None
) -> Any:
    if output_format == "json":
        from checker.output.json_report import JsonReporter

        return JsonReporter(stream, fail_level=fail_level)
    if output_format == "sarif":
        from checker.output.sarif import SarifReporter

        return SarifReporter(stream, fail_level=fail_level, rules=rules)
    if output_format == "junit":
        from checker.output.junit import JunitReporter

        return JunitReporter(stream, fail_level=fail_level, rules=rules)
    from checker.output.terminal import TerminalReporter, make_console

    to_file = args.output is not None
    console = make_console(
        stream,
        color=not to_file and _color_wanted(args, stream),
        width=_file_width() if to_file else None,
    )
    return TerminalReporter(console, fail_level=fail_level, quiet=args.quiet)


def _file_width() -> int:
    try:
        return max(60, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


# --- malkoll watch --------------------------------------------------------------


def run_watch(args: argparse.Namespace) -> int:
    from checker.batch import Runner
    from checker.findings import Severity
    from checker.watch import (
        DEFAULT_INTERVAL,
        DEFAULT_SETTLE,
        Watcher,
        WatchOptions,
        default_output,
        make_logger,
        sigterm_as_interrupt,
    )

    folder: Path = args.folder
    if not folder.is_dir():
        raise UsageError(f"Mappen finns inte: {folder}" if not folder.exists() else f"{folder} är en fil, inte en mapp.")
    folder = folder.absolute()
    from checker.gate_config import watched_config

    log = make_logger(sys.stdout)
    settings = _load_settings(args, folder, watched_config(folder, args.config, confirm=args.confirm_config, log=log))
    out_dir = (args.output or default_output(folder, settings.output)).absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"Utdatamappen {out_dir} är en fil, inte en mapp.")
    from checker.batch import outputs_over_inputs

    if out_dir == folder or outputs_over_inputs([folder], [("Utdatamappen", out_dir)]):  # also through a link
        raise UsageError("Utdatamappen får inte vara samma mapp som den som bevakas (eller en mapp ovanför den).")
    rules = _load_rules(settings)
    fail_level = Severity.parse(settings.fail_level)
    options = WatchOptions(
        folder=folder,
        out_dir=out_dir,
        fail_level=fail_level,
        settle=DEFAULT_SETTLE if args.settle is None else args.settle,
        interval=DEFAULT_INTERVAL if args.interval is None else max(args.interval, 0.05),
        poll=args.poll,
        once=args.once,
        threads=tuple(settings.threads),
    )
    runner = Runner(rules, _rule_spec(settings), jobs=args.jobs, timeout=settings.timeout, fail_level=fail_level)
    # Start the workers before watchdog starts its threads, so they can be forked.
    runner.start()
    try:
        with runner, sigterm_as_interrupt():
            return Watcher(options, runner, log=log).run()
    except KeyboardInterrupt:
        log("Bevakningen avslutades. Hej då!")
        return EXIT_OK


# --- malkoll rules --------------------------------------------------------------


def run_rules(args: argparse.Namespace) -> int:
    from checker.output.terminal import make_console, render_profiles, render_rule_explanation, render_rule_table

    settings = _load_settings(args, Path.cwd())
    rules = _load_rules(settings)
    console = make_console(sys.stdout, color=_color_wanted(args, sys.stdout))
    if args.rule_id is None:
        if not rules.rules:
            _err("Det finns inga regler att visa.")
            return EXIT_OK
        console.print(render_rule_table(rules))
        profiles = render_profiles(rules)
        if profiles is not None:
            console.print(profiles)
        console.print(f"{len(rules.rules)} regler. Skriv \"malkoll rules ID\" för att få en regel förklarad.")
        return EXIT_OK
    rule = rules.get(args.rule_id) or rules.get(args.rule_id.strip().upper())
    if rule is None:
        raise UsageError(_unknown_rule_message(args.rule_id, [r.id for r in rules.rules]))
    console.print(render_rule_explanation(rule))
    return EXIT_OK


def _unknown_rule_message(rule_id: str, known: list[str]) -> str:
    import difflib

    message = f"Det finns ingen regel med id \"{rule_id}\"."
    upper = {k.upper(): k for k in known}
    guesses = difflib.get_close_matches(rule_id.strip().upper(), list(upper), n=3, cutoff=0.5)
    if guesses:
        names = [upper[g] for g in guesses]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]
        message += f" Menade du {listed}?"
    message += " Skriv \"malkoll rules\" för att se alla regler."
    return message


# --- malkoll dump / schema ------------------------------------------------------


def _dump_settings_args(args: argparse.Namespace) -> argparse.Namespace:
    """dump reads the same malkoll.toml as check ([trad] for the file's type, year and unit), without rule options."""
    return argparse.Namespace(**{**vars(args), "rules": None, "extend_rules": None, "profile": None, "config": None})


def run_dump(args: argparse.Namespace) -> int:
    from checker.errors import ReadError
    from checker.reader import StatedReader

    if not args.file.exists():
        raise UsageError(f"Filen finns inte: {args.file}")
    if args.file.is_dir() or args.thread:
        # Shown as threads: each goal paired through the year, with confidence; a file's own thread only.
        args.only = None if args.file.is_dir() else args.file
        args.paths, args.matches, args.config = [args.file if args.only is None else args.file.parent], True, None
        args.rules = args.extend_rules = args.profile = None
        args.output_format = "json" if args.output_format == "json" else "terminal"
        return run_thread(args)
    if args.output is not None:
        _check_output_path(args.output, [args.file])
    settings = _load_settings(_dump_settings_args(args), args.file.parent)
    try:
        report = StatedReader(settings.threads)(args.file)
    except ReadError as error:
        _err(f"{error.path}: {error.problem}")
        return EXIT_FINDINGS
    with _Output(args.output) as stream:
        if args.output_format == "json":
            from checker.output.dump_json import dump_json

            stream.write(dump_json(report))
        else:
            from checker.output.dump_tree import render_tree
            from checker.output.terminal import make_console

            to_file = args.output is not None
            console = make_console(
                stream, color=not to_file and _color_wanted(args, stream), width=_file_width() if to_file else None
            )
            console.print(render_tree(report))
    return EXIT_OK


# --- malkoll thread -------------------------------------------------------------


def run_thread(args: argparse.Namespace) -> int:
    import json

    from checker.discovery import discover
    from checker.threads.folder import read_threads
    from checker.threads.view import build_views, to_json

    paths = [Path(p) for p in args.paths] or [Path(DEFAULT_PATH)]
    first = paths[0]
    settings = _load_settings(args, first if first.is_dir() else first.parent)
    found = discover(paths)
    if args.output is not None:
        _check_output_path(args.output, found.files)
    if not found.files and not found.problems:
        _err(f"Inga .docx-filer hittades i {', '.join(str(p) for p in paths)}.")
        return EXIT_OK
    run = read_threads(found.files, settings.threads, problems=found.problems)
    views = build_views(run)
    only = getattr(args, "only", None)
    if only is not None:
        views = [v for v in views if any(m.path.resolve() == only.resolve() for m in v.thread.all_members())]
        run.grouping.threads = [v.thread for v in views]
        run.grouping.unplaced = [u for u in run.grouping.unplaced if u.path.resolve() == only.resolve()]
        run.grouping.notes = [n for n in run.grouping.notes if any(n.startswith(v.thread.label + ":") for v in views)]
    with _Output(args.output) as stream:
        if args.output_format == "json":
            from checker.output import json_display_safe

            text = json.dumps(to_json(run, views, base=_common_base(paths)), ensure_ascii=False, indent=2)
            stream.write(json_display_safe(text) + "\n")
        else:
            _print_threads(args, stream, run, views, _common_base(paths))
    return EXIT_OK


def _print_threads(args: argparse.Namespace, stream: IO[str], run: Any, views: Any, base: Path | None) -> None:
    from rich.text import Text

    from checker.output.terminal import make_console
    from checker.threads.view import render_pairings, render_view

    to_file = args.output is not None
    console = make_console(stream, color=not to_file and _color_wanted(args, stream), width=_file_width() if to_file else None)
    only = getattr(args, "only", None)
    if not views and only is not None:
        console.print(f"{only.name} hör inte till någon tråd av dokumenten i {only.parent}.")
    elif not views:
        console.print("Inga trådar: inget dokument säger vilken enhet, vilket år och vilken typ det gäller.")
    for view in views:
        console.print(render_view(view))
        if args.matches:
            console.print(render_pairings(view))
    for note in run.grouping.notes:
        console.print(Text("Obs: " + note, style="yellow"))
    if run.grouping.unplaced:
        console.print(Text("Dokument som inte hör till någon tråd:", style="bold"))
        for unplaced in run.grouping.unplaced:
            line = Text("  ")
            line.append(_display_path(unplaced.path, base), style="bold")
            line.append(f": {unplaced.reason}")
            console.print(line)
    count = len(views)
    console.print(f"{count} {'tråd' if count == 1 else 'trådar'}, {len(run.reports)} dokument lästa.")


def run_schema(args: argparse.Namespace) -> int:
    from checker.output.dump_json import dump_schema_json

    if args.output is not None:
        _check_output_path(args.output)
    with _Output(args.output) as stream:
        stream.write(dump_schema_json())
    return EXIT_OK


# --- entry point ------------------------------------------------------------------


def _tolerant_streams() -> None:
    """Never crash on a console that cannot show "å" or "✓": replace what it cannot encode."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding != "utf8" and callable(reconfigure):
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _ParserExit as stop:
        return stop.status
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from checker.private import private_temp

    try:
        with private_temp():  # a run's temporary files, private to the user and removed after a kill -9 too
            return int(args.handler(args))
    except _ParserExit as stop:
        return stop.status
    except KeyboardInterrupt:
        _err("Avbrutet.")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. "| head"); nothing left to say.
        _silence_stdout()
        return EXIT_FINDINGS
    except UsageError as error:
        text = str(error)
        # Multi-line messages (rule file errors with carets) start with their own file:line.
        _err(text if "\n" in text else f"{PROG}: {text}")
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - the user must never see a traceback
        return _report_top_level_error(error)


def run() -> NoReturn:
    """The `malkoll` command: main(), then leave without tearing the interpreter down.

    Freeing every module, the model's validators and the compiled rules one by
    one at exit takes 30–50 ms – more than checking a document, and paid again
    each time the gate checks a saved file. By the time main() returns every
    file of ours is closed and every worker stopped, so flushing the streams
    and running the atexit handlers is all an exit still has to do.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away ("| head"): nothing left to say
            pass
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's own; elsewhere, exit the slow way
    if run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    os._exit(code)


def _report_top_level_error(error: Exception) -> int:
    from checker.errors import MalkollError, ReadError

    if isinstance(error, ReadError):
        _err(f"{error.path}: {error.problem}")
        return EXIT_FINDINGS
    if isinstance(error, (MalkollError, ValueError)) or type(error).__name__ == "RuleLoadError":
        render = getattr(error, "render", None)
        _err(f"{PROG}: {render() if callable(render) else error}")
        return EXIT_USAGE
    if os.environ.get("MALKOLL_DEBUG"):
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    _err(
        f"{PROG}: internt fel ({detail}). Det är ett fel i Målkoll, inte i dina dokument – "
        "kör med miljövariabeln MALKOLL_DEBUG=1 för detaljer och rapportera gärna felet."
    )
    return EXIT_USAGE


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    run()
