"""One run of Målkoll: what `malkoll check`, `watch`, `thread`, `dump` and `rules` do.

checker.cli turns the command line into one of the requests below and hands
it to the function of the same name here; this module does the rest:

    Session.open(options, start)   settings (malkoll.toml + command line), size
                                   limits and the rule set, every problem a
                                   UsageError (exit 2), never a partial run
    session.runner(jobs)           the worker processes (checker.batch)
    session.folder_threads(...)    the thread rules for a folder (ThreadStage)

`check` and `watch` both make a Session and check through its runner; they
differ in when the thread rules run: a folder check holds every result until
all files are read (Session.folder_threads, ThreadStage), the watch compares
each arriving report with those it checked before (gate_thread_findings,
ThreadGate). Both are here.

Only the standard library is imported at the top: the command must start
fast, and `malkoll --help` never loads pydantic, python-docx or lark.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from checker.display import relative_name
from checker.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from checker.batch import Runner, RuleSpec
    from checker.config import Settings
    from checker.engine import RuleSet
    from checker.severity import Severity
    from checker.output.reporter import Reporter

DEFAULT_PATH = "reports"
# A rule file may hold 2 million characters (checker.rules_lang.parser); in UTF-8 that is at most 8 MB.
MAX_RULE_FILE_BYTES = 8 * 1024 * 1024


# --- requests: what the command line asked for ------------------------------------


@dataclass(frozen=True)
class RunOptions:
    """The command line's say in the settings; None = not given (the configuration file decides)."""

    config: Path | None = None
    rules: list[Path] | None = None
    extend_rules: list[Path] | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    profile: str | None = None
    fail_level: str | None = None
    output_format: str | None = None
    timeout: float | None = None
    # --typ/--ar/--enhet: what the command line states about the one file given (checker.config.ThreadOverride).
    stated: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Display:
    """Where a command's text goes and how it looks."""

    output: Path | None = None
    no_color: bool = False
    quiet: bool = False


@dataclass(frozen=True)
class CheckRequest:
    paths: list[Path]
    options: RunOptions
    display: Display
    jobs: int = 1
    annotate: Path | None = None
    overview: Path | None = None
    # --baseline: accept the findings in this file; --baseline-skriv: write this run's findings to it.
    baseline: Path | None = None
    baseline_write: Path | None = None
    # --statistics: findings counted per rule instead of listed (terminal and concise only).
    statistics: bool = False


@dataclass(frozen=True)
class WatchRequest:
    folder: Path
    options: RunOptions
    output: Path | None = None
    once: bool = False
    poll: bool = False
    interval: float | None = None
    settle: float | None = None
    jobs: int = 1
    # --bekrafta-installningar: accept the watched folder's malkoll.toml as it is now.
    confirm_config: bool = False


@dataclass(frozen=True)
class ThreadRequest:
    paths: list[Path]
    options: RunOptions
    display: Display
    output_format: str = "terminal"
    matches: bool = False
    # Only the thread of this file (malkoll dump --thread FILE).
    only: Path | None = None


@dataclass(frozen=True)
class DumpRequest:
    file: Path
    display: Display
    output_format: str = "tree"
    thread: bool = False
    options: RunOptions = RunOptions()


@dataclass(frozen=True)
class RulesRequest:
    rule_id: str | None
    options: RunOptions
    display: Display
    output_format: str = "terminal"  # or "json"


# --- the session ------------------------------------------------------------------


@dataclass
class Session:
    """A run's settings and rules, and how workers get the same rules."""

    settings: Settings
    rules: RuleSet
    fail_level: Severity
    # What the run accepts (checker.acceptance.Acceptances): [per-file-ignores] and --baseline.
    acceptances: Any = None

    @classmethod
    def open(cls, options: RunOptions, start: Path) -> Session:
        """Settings for `start` (its malkoll.toml) and the command line, then the rules they name."""
        from checker.severity import Severity

        settings = load_settings(options, start)
        rules = load_rule_set(settings)
        return cls(settings, rules, Severity.parse(settings.fail_level))

    def rule_spec(self) -> RuleSpec:
        """How a worker that cannot inherit the rules loads the same ones."""
        from checker.batch import RuleSpec

        settings = self.settings
        return RuleSpec(tuple(rule_paths(settings)), tuple(settings.select), tuple(settings.ignore), settings.profile)

    def runner(self, jobs: int) -> Runner:
        from checker.batch import Runner

        return Runner(self.rules, self.rule_spec(), jobs=jobs, timeout=self.settings.timeout, fail_level=self.fail_level,
                      acceptances=self.acceptances or acceptances_for(self.settings))

    def folder_threads(self, files: Sequence[Path], *, views: bool = True) -> Any:
        """The stage that runs the thread rules after a folder is read (None when nothing needs it).

        `views`: whether to build each thread's goals × documents view (only the overview shows them).
        """
        if len(files) < 2:
            return None  # one file is no thread (as ThreadStage.wanted says); do not import the stage for it
        from checker.threads.stage import ThreadStage

        rules = self.rules
        return ThreadStage(rules, self.settings.threads, views=views) if ThreadStage.wanted(rules, files) else None


def load_settings(options: RunOptions, start: Path, config: Any = None) -> Settings:
    """The run's settings: `config` (or the malkoll.toml found from `start`) under the command line's values."""
    import dataclasses

    from checker.config import load_config_for, merge, split_ids

    config = config if config is not None else load_config_for(start, options.config)
    # A rule file named on the command line is told as such, never as coming from malkoll.toml.
    typed = [p for p in [*(options.rules or ()), *(options.extend_rules or ())] if not Path(p).exists()]
    if typed:
        raise UsageError("Regelfilen eller regelmappen finns inte: " + ", ".join(map(str, typed))
                         + " (angiven på kommandoraden)")
    settings = merge(
        config,
        rules=options.rules,
        extend_rules=options.extend_rules,
        select=split_ids(options.select),
        ignore=split_ids(options.ignore),
        profile=options.profile,
        fail_level=options.fail_level,
        output_format=options.output_format,
        timeout=options.timeout,
    )
    _apply_limits(settings)
    if options.stated:  # the command line's word on one file comes before any [trad] line
        settings = dataclasses.replace(settings, threads=(*options.stated, *settings.threads))
    return settings


def acceptances_for(settings: Settings, baseline: Path | None = None) -> Any:
    """What the run accepts: malkoll.toml's [per-file-ignores] and the --baseline file (a UsageError if unreadable)."""
    from checker.acceptance import Acceptances, load_baseline
    from checker.errors import ConfigError

    try:
        loaded = load_baseline(baseline) if baseline is not None else None
    except ConfigError as error:
        raise UsageError(str(error)) from None
    return Acceptances(tuple(settings.file_ignores), loaded)


def _apply_limits(settings: Settings) -> None:
    """The size limits for this run (environment, then [limits]); workers get them from the runner."""
    from checker import limits
    from checker.errors import ConfigError

    try:
        limits.configure(limits.resolve(dict(settings.limits), os.environ))
    except ConfigError as error:  # a bad MALKOLL_MAX_… variable ([limits] was checked with the file)
        raise UsageError(str(error)) from None


def load_rule_set(settings: Settings) -> RuleSet:
    """The rule set for this run; every problem is misuse (exit 2), never a partial run."""
    from checker.engine import load_rules
    from checker.rules_lang.errors import RuleLoadError

    paths = rule_paths(settings)
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


def rule_paths(settings: Settings) -> list[Path]:
    from checker.engine import default_rules_dir

    base = list(settings.rules) if settings.rules else [default_rules_dir()]
    return base + list(settings.extend_rules)


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


# --- text for people ----------------------------------------------------------------


def err(message: str) -> None:
    """A Swedish message on stderr, without rich (it may be printed before anything is loaded)."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def color_wanted(display: Display, stream: IO[str]) -> bool:
    if display.no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or bool(os.environ.get("FORCE_COLOR"))


def _console(display: Display, stream: IO[str]) -> Any:
    """A rich console for `stream`: colour only on a terminal, a fixed width in a file."""
    from checker.output.terminal import make_console

    to_file = display.output is not None
    return make_console(stream, color=not to_file and color_wanted(display, stream), width=_file_width() if to_file else None)


def _file_width() -> int:
    try:
        return max(60, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


def check_output_path(output: Path, inputs: Sequence[Path] = ()) -> None:
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


class OutputStream:
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


def _start_folder(paths: Sequence[Path]) -> Path:
    """Where the configuration is looked for: the first path, or its folder."""
    first = paths[0]
    return first if first.is_dir() else first.parent


def _common_base(paths: Sequence[Path]) -> Path | None:
    """The folder the overview names files relative to."""
    folders = [p if p.is_dir() else p.parent for p in paths]
    try:
        return Path(os.path.commonpath([str(f.absolute()) for f in folders]))
    except ValueError:
        return None


# --- malkoll check --------------------------------------------------------------


def default_check_path() -> Path:
    """With no path: reports/ when the current folder has one, else the current folder itself."""
    reports = Path(DEFAULT_PATH)
    return reports if reports.is_dir() else Path(".")


def check(request: CheckRequest) -> int:
    from checker.batch import all_dropped_as_outputs, exclude_outputs, jobs_for, outputs_over_inputs
    from checker.discovery import discover
    from checker.output.reporter import reporter_for
    from checker.results import RunSummary

    paths = request.paths or [default_check_path()]
    display = request.display
    options = request.options
    settings = load_settings(options, _start_folder(paths))
    from checker.output.reporter import STATISTICS_FORMATS

    if request.statistics and settings.output_format not in STATISTICS_FORMATS:
        raise UsageError(f"--statistics går inte att kombinera med formatet {settings.output_format} "
                         f"(bara med {' eller '.join(STATISTICS_FORMATS)}).")
    found = discover(paths)
    walked, found.files = found.files, exclude_outputs(found.files, paths, [request.annotate, request.overview])
    refused = outputs_over_inputs(paths, [("--annotate", request.annotate), ("--overview", request.overview)])
    if refused or (refused := all_dropped_as_outputs(walked, found.files, paths)):
        raise UsageError(refused)  # a run that checked nothing because of its own settings never passes
    if display.output is not None:
        check_output_path(display.output, found.files)
    for option, folder in (("--annotate", request.annotate), ("--overview", request.overview)):
        if folder is not None:
            _prepare_output_dir(option, folder)
    from checker.severity import Severity

    if request.baseline_write is not None:
        try:
            check_output_path(request.baseline_write, found.files)
        except UsageError as error:  # the same checks as --output, told with this option's name
            raise UsageError(str(error).replace("--output", "--baseline-skriv").replace("en text- eller JSON-fil", "en JSON-fil")) from None
    acceptances = acceptances_for(settings, request.baseline)
    session = Session(settings, load_rule_set(settings), Severity.parse(settings.fail_level), acceptances)
    rules, fail_level = session.rules, session.fail_level
    if not found.files and not found.problems and not found.not_checked:
        where = ", ".join(str(p) for p in paths)
        err(f"Inga .docx- eller PDF-filer hittades i {where}.")
        return EXIT_OK

    run = RunSummary(fail_level)
    from checker.acceptance import UnusedTracker, accept

    tracker = UnusedTracker(acceptances)
    written: list[Any] = []  # the results, when --baseline-skriv wants them
    runner = session.runner(request.jobs)
    # Workers are started before anything else runs a thread, so they can be forked.
    runner.start(len(found.files))
    targets = _annotation_targets(request.annotate, paths, found.files) if request.annotate else None
    from checker.output_guard import BufferedOutput, GuardedReporter

    output = BufferedOutput(display.output)
    with runner, output as stream:
        reporters: list[Reporter] = [reporter_for(
            settings.output_format, stream, fail_level=fail_level, rules=rules,
            console=functools.partial(_console, display), quiet=display.quiet, statistics=request.statistics,
        )]
        if request.overview is not None:
            from checker.output.overview import OverviewReporter

            overview = OverviewReporter(request.overview, fail_level=fail_level, base=_common_base(paths), rules=rules)
            reporters.append(GuardedReporter(overview, f"Sammanställningen i {request.overview}"))
        with _aborted_on_error(reporters):
            with _progress(display, len(found.files)) as bar:
                for reporter in reporters:
                    reporter.start()

                def hand_on(result: Any) -> None:
                    if acceptances and result.error is None:  # the thread findings (TR…) added since the worker
                        result = accept(result, acceptances)
                    tracker.see(result)
                    if request.baseline_write is not None:
                        written.append(result)
                    summary = run.add(result)
                    with bar.paused():
                        if result.internal and settings.output_format != "terminal":
                            err(f"{result.path}: {result.error}")
                        if result.annotate_error:
                            err(f"{result.path}: {result.annotate_error}")
                        for reporter in reporters:
                            reporter.file(result, summary)

                # Thread rules (TR…) compare a report with its unit's plan: results wait until every file is read.
                stage = session.folder_threads(found.files, views=request.overview is not None)
                with stage if stage is not None else contextlib.nullcontext():
                    # With thread rules each worker also keeps the full report it read, for the thread jobs.
                    keep_in = stage.keep_reports() if stage is not None else None
                    work = jobs_for(found.files, targets, request.annotate, keep_in, settings.threads)
                    for result in _results(found, runner.run(work)):
                        if stage is not None:
                            stage.hold(result)
                        else:
                            hand_on(result)
                        bar.advance()
                    # The threads go to the same workers; the held results come back in order with their findings.
                    for result in _finished(stage, runner, request.annotate, bar):
                        hand_on(result)
            run.unused_acceptances = tracker.unused()
            for reporter in reporters:
                _add_threads(reporter, stage, paths)
                reporter.finish(run)
    if request.baseline_write is not None:
        lost_baseline = _write_baseline(request.baseline_write, written, quiet=display.quiet)
    lost = [r.failure for r in reporters if getattr(r, "failure", None)]  # output.failure is told already
    if request.baseline_write is not None and lost_baseline:
        lost.append(lost_baseline)
    for failure in lost:
        err(failure)
    if not display.quiet:
        if display.output is not None and not output.failure:
            err(f"Resultatet sparades i {display.output}.")
        if request.annotate is not None:
            err(f"Kopior med bristerna som kommentarer finns i {request.annotate}.")
        if request.overview is not None and not lost:
            err(f"Sammanställningen finns i {request.overview / 'sammanstallning.html'} och "
                f"{request.overview / 'sammanstallning.xlsx'}.")
    # An output asked for and not delivered: never the "all is well" of exit code 0.
    return max(run.exit_code, EXIT_FINDINGS) if lost or output.failure else run.exit_code


def _write_baseline(path: Path, results: Sequence[Any], *, quiet: bool) -> str | None:
    """--baseline-skriv: this run's findings as the baseline for later runs (None when written, else why not)."""
    from checker.acceptance import baseline_json
    from checker.output import atomic_writer

    text = baseline_json(results)
    try:
        with atomic_writer(path) as stream:
            stream.write(text)
    except OSError as error:
        return f"Baslinjen kunde inte sparas i {path} ({error.strerror or error})."
    if not quiet:
        count = text.count('"nyckel"')
        err(f"Baslinjen sparades i {path} ({count} {'brist' if count == 1 else 'brister'}).")
    return None


@contextlib.contextmanager
def _aborted_on_error(reporters: Sequence[Reporter]) -> Iterator[None]:
    """A run that ends early (Ctrl-C, a fault) leaves no half-written output files behind."""
    try:
        yield
    except BaseException:
        for reporter in reporters:
            with contextlib.suppress(Exception):
                reporter.abort()
        raise


def _finished(stage: Any, runner: Any, annotate: Path | None, bar: Any) -> Iterable[Any]:
    """The held results with their thread findings; with --annotate their copies are rewritten by the workers."""
    if stage is None:
        return ()
    # The stage sends its thread jobs through the runner when it is first asked for a result, before any
    # rewrite is handed out: the two uses of the runner follow each other.
    results = _accepted(runner, stage.finish(runner.run, bar))  # the thread findings too, before the copy is rewritten
    if annotate is None:
        return results
    from checker.threads.stage import AnnotateAgainJob

    return runner.run(AnnotateAgainJob(result, annotate) for result in results)


def gate_thread_findings(
    runner: Runner, results: Iterable[Any], known: Sequence[Any], overrides: Sequence[Any], *, out_dir: Path,
) -> Iterable[Any]:
    """The watch's thread rules (TR…): each arriving report against its unit's documents checked before it.

    Where a folder check holds every result until all files are read
    (Session.folder_threads, ThreadStage), the gate cannot wait: the results
    of one round wait for each other, so that the plan and the report
    dropped in together are compared too (checker.threads.gate), and their
    copies in `out_dir` are written again with the thread findings.
    """
    from checker.threads.gate import ThreadGate
    from checker.threads.stage import AnnotateAgainJob

    rules = getattr(runner, "rules", None)  # None: the workers load the rules themselves
    if not ThreadGate.wanted(rules):
        return results
    assert rules is not None
    arrived = list(results)
    with_findings = _accepted(runner, ThreadGate(rules, overrides).add_findings(arrived, known, runner.run))
    # As in a folder check (_finished): the copies that got thread findings are rewritten by the workers.
    return list(runner.run(AnnotateAgainJob(result, out_dir) for result in with_findings))


def _accepted(runner: Any, results: Iterable[Any]) -> Iterable[Any]:
    """The run's acceptances applied to findings added after the worker's check (the thread rules)."""
    acceptances = getattr(getattr(runner, "options", None), "acceptances", None)
    if not acceptances:
        return results
    from checker.acceptance import accept

    return (accept(result, acceptances) if result.error is None else result for result in results)


def _add_threads(reporter: Reporter, stage: Any, paths: Sequence[Path]) -> None:
    """Give the reporters the goals × documents of each unit (only the overview shows them)."""
    if stage is None or stage.grouping is None:
        return
    base = _common_base(paths)
    unplaced = [(relative_name(u.path, base), u.reason) for u in stage.grouping.unplaced]
    reporter.add_threads(stage.views, unplaced)


def _results(found: Any, results: Any) -> Any:
    """Folders that could not be read are reported like unreadable files, documents of other formats
    as not checked, then the files themselves."""
    from checker.results import FileResult

    for folder, problem in found.problems:
        yield FileResult(folder, None, error=problem)
    for path, reason in getattr(found, "not_checked", ()):
        yield FileResult(path, None, error=reason, not_checked=True)
    yield from results


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


def _annotation_targets(out_dir: Path, paths: Sequence[Path], files: Sequence[Path]) -> Any:
    """path → where its annotated copy goes: the folder structure below the given folder, mirrored.

    Two files that would get the same copy (same name under two given folders)
    get numbered names; a copy never takes the place of a file being checked.
    """
    from checker.output.annotate import annotated_path, annotated_suffix

    roots = [p for p in paths if p.is_dir()]
    inputs = {f.resolve() for f in files}
    taken: set[Path] = set()

    def target(path: Path) -> Path | None:
        root = next((r for r in roots if r.resolve() in path.resolve().parents), path.parent)
        candidate = annotated_path(path, root, out_dir)
        suffix = annotated_suffix(path)
        number = 2
        while candidate.resolve() in taken or candidate.resolve() in inputs:
            stem = candidate.name[: -len(suffix)]
            base = stem.rsplit(" (", 1)[0] if number > 2 else stem
            candidate = candidate.with_name(f"{base} ({number}){suffix}")
            number += 1
        taken.add(candidate.resolve())
        return candidate

    return target


def _progress(display: Display, total: int) -> Any:
    """A progress bar on stderr for a person at a terminal, for more than a few files."""
    from checker.batch import ProgressBar, progress_wanted

    return ProgressBar(total, enabled=progress_wanted(total), color=color_wanted(display, sys.stderr))


# --- malkoll watch --------------------------------------------------------------


def watch(request: WatchRequest) -> int:
    from checker.watch import (
        DEFAULT_INTERVAL,
        DEFAULT_SETTLE,
        Watcher,
        WatchOptions,
        default_output,
        make_logger,
        sigterm_as_interrupt,
    )

    folder = request.folder
    if not folder.is_dir():
        raise UsageError(f"Mappen finns inte: {folder}" if not folder.exists() else f"{folder} är en fil, inte en mapp.")
    folder = folder.absolute()
    from checker.batch import outputs_over_inputs
    from checker.gate_config import watched_config

    log = make_logger(sys.stdout)
    config = watched_config(folder, request.options.config, confirm=request.confirm_config, log=log)
    settings = load_settings(request.options, folder, config)
    out_dir = (request.output or default_output(folder, settings.output)).absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"Utdatamappen {out_dir} är en fil, inte en mapp.")
    if out_dir == folder or outputs_over_inputs([folder], [("Utdatamappen", out_dir)]):  # also through a link
        raise UsageError("Utdatamappen får inte vara samma mapp som den som bevakas (eller en mapp ovanför den).")
    from checker.severity import Severity

    session = Session(settings, load_rule_set(settings), Severity.parse(settings.fail_level))
    options = WatchOptions(
        folder=folder,
        out_dir=out_dir,
        fail_level=session.fail_level,
        settle=DEFAULT_SETTLE if request.settle is None else request.settle,
        interval=DEFAULT_INTERVAL if request.interval is None else max(request.interval, 0.05),
        poll=request.poll,
        once=request.once,
        threads=tuple(settings.threads),
    )
    runner = session.runner(request.jobs)
    # Start the workers before watchdog starts its threads, so they can be forked.
    runner.start()
    try:
        with runner, sigterm_as_interrupt():
            return Watcher(options, runner, log=log).run()
    except KeyboardInterrupt:
        log("Bevakningen avslutades. Hej då!")
        return EXIT_OK


# --- malkoll rules --------------------------------------------------------------


def rules(request: RulesRequest) -> int:
    from checker.output.terminal import make_console, render_profiles, render_rule_explanation, render_rule_table

    rule_set = Session.open(request.options, Path.cwd()).rules
    if request.output_format == "json":
        return _rules_json(rule_set, request.rule_id)
    console = make_console(sys.stdout, color=color_wanted(request.display, sys.stdout))
    if request.rule_id is None:
        if not rule_set.rules:
            err("Det finns inga regler att visa.")
            return EXIT_OK
        console.print(render_rule_table(rule_set))
        profiles = render_profiles(rule_set)
        if profiles is not None:
            console.print(profiles)
        console.print(f"{len(rule_set.rules)} regler. Skriv \"malkoll rules ID\" för att få en regel förklarad.")
        return EXIT_OK
    rule = rule_set.get(request.rule_id) or rule_set.get(request.rule_id.strip().upper())
    if rule is None:
        raise UsageError(_unknown_rule_message(request.rule_id, [r.id for r in rule_set.rules]))
    console.print(render_rule_explanation(rule))
    return EXIT_OK


def _rules_json(rule_set: Any, rule_id: str | None) -> int:
    """`malkoll rules --format json`: every rule (or the one asked for) as JSON on stdout."""
    import json

    from checker.output.rules_json import rule_json, rules_json

    if rule_id is None:
        data: Any = rules_json(rule_set)
    else:
        rule = rule_set.get(rule_id)
        if rule is None:
            raise UsageError(_unknown_rule_message(rule_id, [r.id for r in rule_set.rules]))
        data = rule_json(rule)
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
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


def dump(request: DumpRequest) -> int:
    from checker.errors import ReadError
    from checker.reading.report import OverridingReader

    file = request.file
    if not file.exists():
        raise UsageError(f"Filen finns inte: {file}")
    if file.is_dir() or request.thread:
        # Shown as threads: each goal paired through the year, with confidence; a file's own thread only.
        only = None if file.is_dir() else file
        return threads(ThreadRequest(
            paths=[file if only is None else file.parent],
            options=RunOptions(output_format="json" if request.output_format == "json" else "terminal"),
            display=request.display,
            output_format="json" if request.output_format == "json" else "terminal",
            matches=True,
            only=only,
        ))
    display = request.display
    if display.output is not None:
        check_output_path(display.output, [file])
    # The same malkoll.toml as check ([trad]: the file's type, year and unit), and --typ/--ar/--enhet.
    settings = load_settings(request.options, file.parent)
    try:
        report = OverridingReader(settings.threads)(file)
    except ReadError as error:
        err(f"{error.path}: {error.problem}")
        return EXIT_FINDINGS
    with OutputStream(display.output) as stream:
        if request.output_format == "json":
            from checker.output.dump_json import dump_json

            stream.write(dump_json(report))
        else:
            from checker.output.dump_tree import render_tree

            _console(display, stream).print(render_tree(report))
    return EXIT_OK


def schema(output: Path | None) -> int:
    from checker.output.dump_json import dump_schema_json

    if output is not None:
        check_output_path(output)
    with OutputStream(output) as stream:
        stream.write(dump_schema_json())
    return EXIT_OK


# --- malkoll thread -------------------------------------------------------------


def threads(request: ThreadRequest) -> int:
    import json

    from checker.discovery import discover
    from checker.threads.folder import read_threads
    from checker.threads.view import build_views, to_json

    paths = request.paths or [Path(DEFAULT_PATH)]
    display = request.display
    settings = load_settings(request.options, _start_folder(paths))
    found = discover(paths)
    if display.output is not None:
        check_output_path(display.output, found.files)
    if not found.files and not found.problems:
        err(f"Inga .docx- eller PDF-filer hittades i {', '.join(str(p) for p in paths)}.")
        return EXIT_OK
    run = read_threads(found.files, settings.threads, problems=found.problems)
    views = build_views(run)
    only = request.only
    if only is not None:
        views = [v for v in views if any(m.path.resolve() == only.resolve() for m in v.thread.all_members())]
        run.grouping.threads = [v.thread for v in views]
        run.grouping.unplaced = [u for u in run.grouping.unplaced if u.path.resolve() == only.resolve()]
        run.grouping.notes = [n for n in run.grouping.notes if any(n.startswith(v.thread.label + ":") for v in views)]
    with OutputStream(display.output) as stream:
        if request.output_format == "json":
            from checker.output import json_display_safe

            text = json.dumps(to_json(run, views, base=_common_base(paths)), ensure_ascii=False, indent=2)
            stream.write(json_display_safe(text) + "\n")
        else:
            _print_threads(request, stream, run, views, _common_base(paths))
    return EXIT_OK


def _print_threads(request: ThreadRequest, stream: IO[str], run: Any, views: Any, base: Path | None) -> None:
    from rich.text import Text

    from checker.threads.view import render_pairings, render_view

    console = _console(request.display, stream)
    only = request.only
    if not views and only is not None:
        console.print(f"{only.name} hör inte till någon tråd av dokumenten i {only.parent}.")
    elif not views:
        console.print("Inga trådar: inget dokument säger vilken enhet, vilket år och vilken typ det gäller.")
    for view in views:
        console.print(render_view(view))
        if request.matches:
            console.print(render_pairings(view))
    for note in run.grouping.notes:
        console.print(Text("Obs: " + note, style="yellow"))
    if run.grouping.unplaced:
        console.print(Text("Dokument som inte hör till någon tråd:", style="bold"))
        for unplaced in run.grouping.unplaced:
            line = Text("  ")
            line.append(relative_name(unplaced.path, base), style="bold")
            line.append(f": {unplaced.reason}")
            console.print(line)
    count = len(views)
    console.print(f"{count} {'tråd' if count == 1 else 'trådar'}, {len(run.reports)} dokument lästa.")
