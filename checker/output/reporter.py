"""The interface every output of `malkoll check` has, and the one place a format name becomes a reporter.

    reporter = reporter_for("sarif", stream, fail_level=level, rules=rules)
    reporter.start()
    reporter.file(result, summary)        # once per file, as results arrive
    reporter.add_threads(views, unplaced) # the thread rules' goals × documents
    reporter.finish(run)                  # or reporter.abort() when the run ends early

Only the standard library at the top: the command line imports FORMATS to
offer the choices, and the configuration to check a `format` key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from checker.findings import Severity
    from checker.results import FileResult, FileSummary, RunSummary

# The formats `malkoll check --format` and `format = "…"` in malkoll.toml accept.
FORMATS = ("terminal", "concise", "json", "sarif", "junit")
# --statistics replaces these formats' findings with counts per rule; the others are for machines.
STATISTICS_FORMATS = ("terminal", "concise")


class Reporter(Protocol):
    """An output of a check: told of the run's start, each file, the threads, and its end."""

    def start(self) -> None: ...

    def file(self, result: FileResult, summary: FileSummary) -> None: ...

    def add_threads(self, views: Sequence[Any], unplaced: Sequence[tuple[str, str]] = ()) -> None: ...

    def finish(self, run: RunSummary) -> None: ...

    def abort(self) -> None: ...


class StreamReporter:
    """What a reporter writing one text stream does about threads and an early end: nothing.

    Threads are shown by the overview only, and a stream that is a file is
    written atomically by its opener, so an aborted run leaves nothing behind.
    """

    def add_threads(self, views: Sequence[Any], unplaced: Sequence[tuple[str, str]] = ()) -> None:
        return None

    def abort(self) -> None:
        return None


def reporter_for(
    output_format: str,
    stream: IO[str],
    *,
    fail_level: Severity,
    rules: Any = None,
    console: Callable[[IO[str]], Any] | None = None,
    quiet: bool = False,
    statistics: bool = False,
) -> Reporter:
    """The reporter of `output_format` writing to `stream`.

    `console` makes the rich console the terminal format prints with (colour
    and width are the caller's choice); `quiet` keeps only its summary;
    `statistics` counts the findings per rule instead (terminal and concise).
    """
    if statistics:
        if output_format not in STATISTICS_FORMATS:
            raise ValueError(f"--statistics går inte att kombinera med --format {output_format} "
                             f"(bara med {' eller '.join(STATISTICS_FORMATS)}).")
        from checker.output.concise import StatisticsReporter

        return StatisticsReporter(stream, rules=rules)
    if output_format == "concise":
        from checker.output.concise import ConciseReporter

        return ConciseReporter(stream)
    if output_format == "json":
        from checker.output.json_report import JsonReporter

        return JsonReporter(stream, fail_level=fail_level)
    if output_format == "sarif":
        from checker.output.sarif import SarifReporter

        return SarifReporter(stream, fail_level=fail_level, rules=rules)
    if output_format == "junit":
        from checker.output.junit import JunitReporter

        return JunitReporter(stream, fail_level=fail_level, rules=rules)
    if output_format != "terminal":
        raise ValueError(f"okänt utdataformat: {output_format}")
    from checker.output.terminal import TerminalReporter, make_console

    return TerminalReporter(console(stream) if console else make_console(stream), fail_level=fail_level, quiet=quiet)
