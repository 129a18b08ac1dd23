"""The `malkoll` command: check, rules, dump, schema, watch, thread.

This module only speaks with the user: it parses the command line
(checker.cli_parser), turns it into a request, hands the request to the run
(checker.session) and maps what comes back – or what went wrong – to an exit
code and a Swedish message.

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
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from checker import session
from checker.cli_parser import PROG, ParserExit, SwedishArgumentParser, build_parser, translate_argparse_message
from checker.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from checker.session import Display, RunOptions

__all__ = [
    "EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "SwedishArgumentParser", "UsageError",
    "build_parser", "main", "run", "translate_argparse_message",
]


# --- from the command line to a request ---------------------------------------------


def _run_options(args: argparse.Namespace) -> RunOptions:
    """What the command line says about settings and rules; options a subcommand lacks are None."""
    return RunOptions(
        config=getattr(args, "config", None),
        rules=getattr(args, "rules", None),
        extend_rules=getattr(args, "extend_rules", None),
        select=getattr(args, "select", None),
        ignore=getattr(args, "ignore", None),
        profile=getattr(args, "profile", None),
        fail_level=getattr(args, "fail_level", None),
        output_format=getattr(args, "output_format", None),
        timeout=getattr(args, "timeout", None),
        stated=_stated_identity(args),
    )


def _stated_identity(args: argparse.Namespace) -> tuple[Any, ...]:
    """--typ/--ar/--enhet: what the coordinator states about the one file given, before any [trad] line."""
    role, year, unit = getattr(args, "typ", None), getattr(args, "ar", None), getattr(args, "enhet", None)
    if role is None and year is None and unit is None:
        return ()
    from checker.config import ThreadOverride

    files = [Path(p) for p in getattr(args, "paths", None) or [getattr(args, "file", None)] if p is not None]
    if len(files) != 1 or files[0].is_dir():
        raise UsageError(
            "--typ, --ar och --enhet gäller en enda fil. För flera filer eller en mapp: ange dem per fil under "
            "[trad] i malkoll.toml."
        )
    if unit is not None and not unit.strip():
        raise UsageError("--enhet ska vara enhetens namn.")
    return (ThreadOverride(files[0].name, files[0].parent.resolve(), unit=unit.strip() if unit else None,
                           year=year, role=role, source="kommandorad"),)


def _display(args: argparse.Namespace) -> Display:
    return Display(
        output=getattr(args, "output", None),
        no_color=getattr(args, "no_color", False),
        quiet=getattr(args, "quiet", False),
    )


def run_check(args: argparse.Namespace) -> int:
    code = session.check(session.CheckRequest(
        paths=[Path(p) for p in args.paths], options=_run_options(args), display=_display(args),
        jobs=args.jobs, annotate=args.annotate, overview=args.overview, statistics=args.statistics,
        baseline=args.baseline, baseline_write=args.baseline_write,
    ))
    # --exit-zero (as in ruff): findings and unreadable files do not fail the run; misuse (2) still does.
    return EXIT_OK if args.exit_zero and code == EXIT_FINDINGS else code


def run_watch(args: argparse.Namespace) -> int:
    return session.watch(session.WatchRequest(
        folder=args.folder, options=_run_options(args), output=args.output, once=args.once, poll=args.poll,
        interval=args.interval, settle=args.settle, jobs=args.jobs, confirm_config=args.confirm_config,
    ))


def run_rules(args: argparse.Namespace) -> int:
    return session.rules(session.RulesRequest(
        rule_id=args.rule_id, options=_run_options(args), display=_display(args), output_format=args.rules_format,
    ))


def run_dump(args: argparse.Namespace) -> int:
    return session.dump(session.DumpRequest(
        file=args.file, display=_display(args), output_format=args.output_format, thread=args.thread,
        options=RunOptions(stated=_stated_identity(args)),
    ))


def run_thread(args: argparse.Namespace) -> int:
    return session.threads(session.ThreadRequest(
        paths=[Path(p) for p in args.paths], options=_run_options(args), display=_display(args),
        output_format=args.output_format, matches=args.matches,
    ))


def run_schema(args: argparse.Namespace) -> int:
    return session.schema(args.output)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": run_check,
    "watch": run_watch,
    "rules": run_rules,
    "dump": run_dump,
    "thread": run_thread,
    "schema": run_schema,
}


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
    except ParserExit as stop:
        return stop.status
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from checker.private import private_temp

    try:
        with private_temp():  # a run's temporary files, private to the user and removed after a kill -9 too
            return int(HANDLERS[args.handler](args))
    except ParserExit as stop:
        return stop.status
    except KeyboardInterrupt:
        session.err("Avbrutet.")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. "| head"); nothing left to say.
        _silence_stdout()
        return EXIT_FINDINGS
    except UsageError as error:
        text = str(error)
        # Multi-line messages (rule file errors with carets) start with their own file:line.
        session.err(text if "\n" in text else f"{PROG}: {text}")
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
        session.err(f"{error.path}: {error.problem}")
        return EXIT_FINDINGS
    if isinstance(error, (MalkollError, ValueError)) or type(error).__name__ == "RuleLoadError":
        render = getattr(error, "render", None)
        session.err(f"{PROG}: {render() if callable(render) else error}")
        return EXIT_USAGE
    if os.environ.get("MALKOLL_DEBUG"):
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    session.err(
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
