"""Checking many files: worker processes, a time limit per file, results in order.

A coordinator's folder can hold thousands of documents, and one of them may
be pathological (a zip bomb, a table with a million rows). So every file is
checked in a worker process the parent can kill: a file that takes longer
than the time limit is reported as unreadable ("granskningen avbröts efter
120 sekunder") and its worker is replaced; a worker that dies takes only its
own file with it.

Parallelism scales because workers get *paths*, not documents, and load the
rules once: forked workers inherit the parent's rule set, others load it
from a RuleSpec. Results come back small (the report is reduced to the few
words the outputs show) and are yielded in file order; at most a few files
per worker are in flight, so memory stays flat however many files there are.

With a time limit of 0 and one job, files are checked in this process, as
before (no limit is possible then).

Besides files, the same workers take other jobs: an object with `run(rules,
fail_level)` and the failure methods `timed_out`, `crashed` and
`load_failed` (the thread rules send each thread of a folder this way,
checker.threads.stage). Such a job may say it is worth several files
(`weight`), and gets that many times the time limit.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import Severity
from checker.results import FileResult

if TYPE_CHECKING:
    from checker.config import ThreadOverride
    from checker.engine import RuleSet
    from checker.limits import Limits

DEFAULT_TIMEOUT = 120.0
# Jobs sent to a worker at once: the next one waits in its pipe, so the worker
# never idles while this process is busy printing the previous result.
_DEPTH = 2
# How many files may be queued per worker beyond the one it is checking.
_AHEAD_PER_WORKER = 3
# A stopped worker gets this long to exit on its own before it is killed.
_STOP_GRACE = 2.0


@dataclass(frozen=True)
class RuleSpec:
    """What a worker needs to load the rule set itself (when it cannot inherit it)."""

    paths: tuple[Path, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    profile: str | None = None

    def load(self) -> RuleSet:
        from checker.engine import load_rules

        return load_rules(list(self.paths)).filtered(select=self.select, ignore=self.ignore, profile=self.profile)


@dataclass(frozen=True)
class Job:
    """One file to check, and where its annotated copy goes (None: no copy)."""

    path: Path
    annotate_to: Path | None = None
    out_dir: Path | None = None
    # The run's folder of kept reports (checker.threads.kept): set when thread rules will need the full report.
    keep_in: Path | None = None
    # What the coordinator states about this file (malkoll.toml [trad], --typ/--ar/--enhet): it wins.
    stated: tuple[ThreadOverride, ...] = ()


@dataclass(frozen=True)
class _Options:
    fail_level: Severity
    spec: RuleSpec | None
    # The size limits in force where the runner was made (a spawned worker would otherwise have only the defaults).
    limits: Limits | None = None
    # What the run accepts (malkoll.toml [per-file-ignores], --baseline): checker.acceptance.
    acceptances: Any = None


def resolve_jobs(jobs: int) -> int:
    """--jobs 0 means every core this process may use."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def timeout_message(seconds: float) -> str:
    """The Swedish explanation for a file that hit the time limit."""
    return (
        f"granskningen avbröts efter {format_seconds(seconds)}: dokumentet tog för lång tid att läsa eller granska. "
        "Kontrollera att det går att öppna i Word och spara om det; hör annars av dig till den som förvaltar Målkoll."
    )


def format_seconds(seconds: float) -> str:
    if float(seconds).is_integer():
        whole = int(seconds)
        return f"{whole} sekund" if whole == 1 else f"{whole} sekunder"
    return f"{seconds:.1f}".replace(".", ",") + " sekunder"


# --- the work itself (in a worker or in this process) ------------------------------


def process(job: Job, rules: RuleSet, fail_level: Severity, acceptances: Any = None) -> FileResult:
    """Check one file, mark what a person accepted, write its annotated copy if asked, and return a small result."""
    from checker.acceptance import Acceptances, accept, comment_acceptances
    from checker.engine import check_report
    from checker.pipeline import check_file
    from checker.reading.report import read_report

    reader = read_report if not job.stated else lambda path: read_report(path, job.stated)
    result = check_file(job.path, rules, reader=reader, checker=check_report)
    if result.error is None:  # the one place findings are accepted, before any output sees them
        result = accept(result, acceptances or Acceptances(), comment_acceptances(result.report))
    if job.keep_in is not None and result.report is not None and result.error is None:
        from checker.threads.kept import keep

        keep(job.keep_in, job.path, result.report)
    result = replace(slim(result), checked_at=datetime.now().astimezone())
    if job.annotate_to is not None and result.error is None:
        result = _annotate(job, result, rules, fail_level)
    return result


def perform(job: Any, rules: RuleSet, fail_level: Severity, acceptances: Any = None) -> Any:
    """Do one job: check a file, or run another kind of job (a thread) with the same rules."""
    if isinstance(job, Job):
        return process(job, rules, fail_level, acceptances)
    return job.run(rules, fail_level)


def slim(result: FileResult) -> FileResult:
    """The result with the report reduced to what outputs show (kind, unit, notes …).

    A recognised report is a large tree; sending it between processes and
    keeping it would undo both the speed-up and the flat memory.
    """
    report = result.report
    if report is None:
        return result
    from checker.model import Report

    small = Report.model_construct(
        path=report.path,
        kind=report.kind,
        tertial=report.tertial,
        year=report.year,
        unit=report.unit,
        title=report.title,
        identity=_slim_identity(report.identity),
        notes=list(report.notes),
        sections=[],
        inriktningsmal=[],
        synpunkter=[],
        synpunkter_source=None,
    )
    return replace(result, report=small)


def _slim_identity(identity: Any) -> Any:
    """Values and how sure, with the strongest piece of evidence each: what outputs show, not the whole case."""
    trimmed = identity.model_copy()
    for name in ("kind", "year", "tertial", "unit"):
        value = getattr(identity, name)
        setattr(trimmed, name, value.model_copy(update={"evidence": value.evidence[:1], "against": []}))
    return trimmed


def annotate_result(job: Job, result: FileResult, rules: Any, fail_level: Severity) -> FileResult:
    """Write (or rewrite) the annotated copy of a checked file, e.g. after findings were added to it."""
    return _annotate(job, result, rules, fail_level)


def _annotate(job: Job, result: FileResult, rules: RuleSet, fail_level: Severity) -> FileResult:
    from checker.output.annotate import ANNOTATED_PDF_SUFFIX, AnnotateError, Verdict, annotate

    assert job.annotate_to is not None
    if job.annotate_to.name.endswith(ANNOTATED_PDF_SUFFIX):  # a PDF's copy: highlights and notes, the rest the same
        from checker.output.annotate_pdf import annotate_pdf as annotate
    verdict = Verdict(
        passed=result.passed(fail_level),
        errors=result.count(Severity.ERROR),
        warnings=result.count(Severity.WARNING),
        infos=result.count(Severity.INFO),
        fail_level=fail_level,
    )
    when = result.checked_at.strftime("%Y-%m-%d %H:%M") if result.checked_at else None
    try:
        written = annotate(
            job.path,
            job.annotate_to,
            job.out_dir or job.annotate_to.parent,
            result.findings,
            verdict,
            help_for=_help_lookup(rules),
            when=when,
        )
    except AnnotateError as error:
        return replace(result, annotate_error=str(error))
    except OSError as error:
        return replace(result, annotate_error=f"kopian med kommentarer kunde inte sparas ({error.strerror or error}).")
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - a failed copy must not lose the check
        return replace(result, annotate_error=f"kopian med kommentarer kunde inte skapas (internt fel: {type(error).__name__}).")
    return replace(result, annotated=written)


def _help_lookup(rules: Any) -> Callable[[str], str | None]:
    def lookup(rule_id: str) -> str | None:
        get = getattr(rules, "get", None)
        rule = get(rule_id) if callable(get) else None
        return getattr(rule, "help", None) if rule is not None else None

    return lookup


# --- worker processes ---------------------------------------------------------------


def _worker_main(conn: Connection, rules: Any, options: _Options, gate: int | None = None, arm: bool = False) -> None:
    """A worker's loop: receive (index, job), send back (index, result), until told to stop."""
    if gate is not None:
        _die_with_parent(gate, arm)
    # Ctrl-C goes to the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from checker.limits import apply_memory_ceiling, configure, current

    if options.limits is not None:
        configure(options.limits)
    apply_memory_ceiling(current())
    sys.unraisablehook = _quiet_about_memory
    load_error: str | None = None
    if rules is None:
        try:
            assert options.spec is not None
            rules = options.spec.load()
        except Exception as error:  # noqa: BLE001 - reported per file below
            load_error = f"internt fel i Målkoll: reglerna kunde inte laddas i en arbetsprocess ({error})."
    # What the worker starts with (modules, the rules) lives as long as it does: the collection after each
    # thread job (ThreadJob.run) need not look at it again: 6 ms instead of 33 per thread on ordinary reports.
    gc.freeze()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        index, job = message
        if load_error is not None:
            result = _load_failed(job, load_error)
        else:
            result = _perform_within_memory(job, rules, options.fail_level, options.acceptances)
        try:
            conn.send((index, result))
        except (OSError, ValueError):
            return


def _perform_within_memory(job: Any, rules: Any, fail_level: Severity, acceptances: Any = None) -> Any:
    """perform(), with a file that needs more than the worker's memory ceiling reported in Swedish."""
    try:
        return perform(job, rules, fail_level, acceptances)
    except MemoryError:
        gc.collect()  # what the failed check held is garbage now: the worker goes on with the next job
        from checker.limits import current, memory_message

        if isinstance(job, Job):
            return FileResult(job.path, None, error=memory_message(current()), checked_at=datetime.now().astimezone())
        return job.crashed()


def _quiet_about_memory(unraisable: Any) -> None:
    """A generator closed while the memory ceiling is hit raises MemoryError in its finalizer,
    which Python would print as a traceback; the file is reported in Swedish already (_perform_within_memory)."""
    if isinstance(unraisable.exc_value, MemoryError):
        return
    sys.__unraisablehook__(unraisable)


def _die_with_parent(gate: int, arm: bool) -> None:
    """On Linux, make sure this worker stops the moment the process it works for (`gate`) dies.

    A worker otherwise notices only when it next waits for a job: one busy
    with a document that hangs would run on for the whole time limit after
    the gate or a coordinator's run was killed (kill -9, a service stopped).

    Two ways, as the worker was started:
    * `arm`: the kernel kills it when its parent dies (PR_SET_PDEATHSIG). The
      parent is the gate itself when it forked the worker from its main thread,
      or the forkserver, which exits as soon as the gate is gone. (The signal
      follows the thread that forked, so a fork from another thread is not armed.)
    * always: a thread waits on a pidfd of the gate and ends the worker when it
      exits; it covers what the first cannot (a worker forked from another
      thread), as soon as the worker's code lets the thread run.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    if arm:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent:  # it died before we asked
            os._exit(0)
    _watch_gate(gate)


def _watch_gate(gate: int) -> None:
    try:
        handle = os.pidfd_open(gate)
    except ProcessLookupError:
        os._exit(0)
    except (OSError, AttributeError):
        return  # an old kernel: the pipe's end still stops an idle worker

    def wait() -> None:
        import select

        select.select([handle], [], [])
        os._exit(0)

    threading.Thread(target=wait, name="malkoll-vakt", daemon=True).start()


def _load_failed(job: Any, message: str) -> Any:
    if isinstance(job, Job):
        return FileResult(job.path, None, error=message, internal=True)
    return job.load_failed(message)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    # Jobs sent to it, in order: the first is being checked, the others wait in its pipe.
    tasks: deque[tuple[int, Any]] = field(default_factory=deque)
    # When the job being checked must be done.
    deadline: float = float("inf")
    # Its pipe failed: no new jobs; _collect accounts for the one it had when it is seen to die.
    broken: bool = False


class Runner:
    """Checks jobs with `jobs` worker processes and a per-file time limit.

        with Runner(rules, spec, jobs=2, timeout=120) as runner:
            for result in runner.run(jobs):   # in the order given
                ...

    The runner can be reused for several runs (watch mode does); workers are
    started on demand and kept between runs.
    """

    def __init__(
        self,
        rules: RuleSet | None,
        spec: RuleSpec | None,
        *,
        jobs: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        fail_level: Severity = Severity.ERROR,
        acceptances: Any = None,
    ) -> None:
        self.rules = rules
        self.jobs = resolve_jobs(jobs)
        self.timeout = float(timeout or 0)
        from checker.limits import current

        self.options = _Options(fail_level, spec, current(), acceptances)
        self._workers: list[_Worker] = []
        # In-process only when there is nothing to parallelise and no limit to enforce.
        self.in_process = self.jobs == 1 and self.timeout <= 0

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------

    def start(self, count: int | None = None) -> None:
        """Start up to `count` workers now (before any thread exists, so they can be forked)."""
        if self.in_process:
            return
        wanted = self.jobs if count is None else min(self.jobs, max(count, 0))
        while len(self._workers) < wanted:
            self._workers.append(self._spawn())

    def run(self, jobs: Iterable[Any]) -> Iterator[Any]:
        """Results in the order of the jobs: a FileResult for a Job, what its `run` returns for another job."""
        if self.in_process:
            yield from self._run_here(jobs)
        else:
            yield from self._run_workers(jobs)

    def close(self) -> None:
        """Stop every worker: politely, then by force."""
        workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(OSError, ValueError, BrokenPipeError):
                worker.conn.send(None)
        deadline = time.monotonic() + _STOP_GRACE
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                self._kill(worker)
            with contextlib.suppress(OSError):
                worker.conn.close()

    # -- in this process -------------------------------------------------------------

    def _run_here(self, jobs: Iterable[Any]) -> Iterator[Any]:
        rules = self.rules if self.rules is not None else self._load_spec()
        for job in jobs:
            yield perform(job, rules, self.options.fail_level, self.options.acceptances)

    def _load_spec(self) -> RuleSet:
        assert self.options.spec is not None, "Runner needs rules or a RuleSpec"
        self.rules = self.options.spec.load()
        return self.rules

    # -- with workers ----------------------------------------------------------------

    def _run_workers(self, jobs: Iterable[Any]) -> Iterator[Any]:
        pending = iter(jobs)
        exhausted = False
        queue: deque[tuple[int, Any]] = deque()
        done: dict[int, Any] = {}
        next_index = 0  # the next result to hand out
        issued = 0  # how many jobs were taken from `pending`
        limit = self.jobs * (1 + _AHEAD_PER_WORKER)
        try:
            while True:
                # Take jobs lazily: a bounded number in flight keeps memory flat.
                while not exhausted and issued - next_index < limit:
                    job = next(pending, None)
                    if job is None:
                        exhausted = True
                        break
                    queue.append((issued, job))
                    issued += 1
                self._dispatch(queue)
                while next_index in done:
                    yield done.pop(next_index)
                    next_index += 1
                if exhausted and next_index == issued:
                    return
                self._collect(done, queue)
        finally:
            # Abandoned half-way (an exception, or the caller stopped iterating):
            # busy workers are checking files nobody will read about.
            for worker in list(self._workers):
                if worker.tasks:
                    self._replace(worker, restart=False)

    def _dispatch(self, queue: deque[tuple[int, Any]]) -> None:
        while queue:
            worker = self._free_worker()
            if worker is None:
                return
            index, job = queue.popleft()
            try:
                worker.conn.send((index, job))
            except (OSError, ValueError):
                queue.appendleft((index, job))
                if worker.tasks:
                    worker.broken = True
                else:
                    self._replace(worker, queue)  # died while idle: nothing lost
                continue
            if not worker.tasks:
                worker.deadline = self._deadline(job)
            worker.tasks.append((index, job))

    def _limit(self, job: Any) -> float:
        """The time a job may take: the per-file limit, times the files it stands for."""
        return self.timeout * max(1, int(getattr(job, "weight", 1)))

    def _deadline(self, job: Any) -> float:
        return time.monotonic() + self._limit(job) if self.timeout > 0 else float("inf")

    def _free_worker(self) -> _Worker | None:
        """An idle worker, a new one while there are fewer than `jobs`, else the least busy with room."""
        idle = next((w for w in self._workers if not w.tasks and not w.broken), None)
        if idle is not None:
            return idle
        if len(self._workers) < self.jobs:
            worker = self._spawn()
            self._workers.append(worker)
            return worker
        room = [w for w in self._workers if len(w.tasks) < _DEPTH and not w.broken]
        return min(room, key=lambda w: len(w.tasks)) if room else None

    def _collect(self, done: dict[int, Any], queue: deque[tuple[int, Any]]) -> None:
        """Wait for a result, a dead worker or a deadline, and record what happened."""
        busy = [w for w in self._workers if w.tasks]
        if not busy:
            return
        nearest = min(w.deadline for w in busy)
        wait_for = None if nearest == float("inf") else max(0.0, nearest - time.monotonic())
        handles: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(handles, wait_for))
        for worker in busy:
            index, job = worker.tasks[0]
            if worker.conn in ready:
                try:
                    got_index, result = worker.conn.recv()
                except (EOFError, OSError):
                    done[index] = self._crashed(job)
                    self._replace(worker, queue)
                    continue
                done[got_index] = result
                worker.tasks.popleft()
                # The worker went straight on to the next job in its pipe.
                worker.deadline = self._deadline(worker.tasks[0][1]) if worker.tasks else float("inf")
            elif worker.process.sentinel in ready:
                done[index] = self._crashed(job)
                self._replace(worker, queue)
            elif time.monotonic() >= worker.deadline:
                done[index] = self._timed_out(job)
                self._replace(worker, queue)
                if getattr(job, "annotate_to", None) is not None:
                    from checker.output.annotate import remove_stale_temps

                    remove_stale_temps(job.annotate_to)

    def _timed_out(self, job: Any) -> Any:
        if not isinstance(job, Job):
            return job.timed_out(self._limit(job))
        return FileResult(job.path, None, error=timeout_message(self.timeout), elapsed=self.timeout,
                          checked_at=datetime.now().astimezone())

    def _crashed(self, job: Any) -> Any:
        if not isinstance(job, Job):
            return job.crashed()
        return FileResult(
            job.path,
            None,
            error=(
                "internt fel i Målkoll: arbetsprocessen som granskade filen avslutades oväntat "
                "(kanske slut på minne; gränsen för en arbetsprocess är max-worker-mb under [limits]). "
                "Övriga filer har granskats."
            ),
            internal=True,
            checked_at=datetime.now().astimezone(),
        )

    def _replace(self, worker: _Worker, queue: deque[tuple[int, Any]] | None = None, *, restart: bool = True) -> None:
        """Stop a worker (and start another); jobs that only waited in its pipe go back in the queue."""
        self._kill(worker)
        if queue is not None:
            waiting = list(worker.tasks)[1:]
            for task in reversed(waiting):
                queue.appendleft(task)
        worker.tasks.clear()
        with contextlib.suppress(OSError):
            worker.conn.close()
        position = self._workers.index(worker)
        if restart:
            self._workers[position] = self._spawn()
        else:
            del self._workers[position]

    @staticmethod
    def _kill(worker: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            worker.process.kill()
            worker.process.join(5)

    def _spawn(self) -> _Worker:
        context, inherit = _context()
        if not inherit and self.options.spec is None:
            # Nothing to load from: fall back to forking even with threads around.
            context, inherit = multiprocessing.get_context("fork"), True
        if inherit:
            # Import the reader here, once, so forked workers share it instead of importing it each.
            import checker.reading.report  # noqa: F401

            if self.rules is None:
                self._load_spec()
        parent_end, child_end = context.Pipe(duplex=True)
        main = threading.current_thread() is threading.main_thread()
        # Every worker, first or replacement, dies with this process (see _die_with_parent); the kernel's
        # signal is armed unless the worker was forked straight from a thread other than the main one.
        arm = main or context.get_start_method() == "forkserver"
        process = context.Process(
            target=_worker_main,
            args=(child_end, self.rules if inherit else None, self.options, os.getpid(), arm),
            name="malkoll-granskning",
            daemon=True,
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)


def _context() -> tuple[Any, bool]:
    """A start method for workers: fork when safe (fast, inherits the rules), else a clean start.

    Forking a process that runs other threads (watchdog's observer, rich's
    refresh thread) can copy a lock held by one of them and deadlock the
    child, so then a forkserver (or spawn) worker loads the rules itself.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork"), True
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver"), False
    return multiprocessing.get_context("spawn"), False


def jobs_for(paths: Sequence[Path], annotate_for: Callable[[Path], Path | None] | None = None,
             out_dir: Path | None = None, keep_in: Path | None = None,
             overrides: Sequence[ThreadOverride] = ()) -> Iterator[Job]:
    """Jobs for paths, each with its annotated copy's target when one is wanted (and where to keep its report),
    and what the coordinator states about it."""
    from checker.config import stated_for

    for path in paths:
        target = annotate_for(path) if annotate_for is not None else None
        yield Job(path, target, out_dir if target is not None else None, keep_in, stated_for(path, overrides))


# --- progress bar -----------------------------------------------------------------

# Fewer files than this finish before a bar would be worth looking at.
PROGRESS_MIN_FILES = 4


def progress_wanted(total: int, stream: Any = None) -> bool:
    """A bar only for a person watching a terminal, and only for more than a few files."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return total >= PROGRESS_MIN_FILES and bool(isatty and isatty()) and not os.environ.get("MALKOLL_NO_PROGRESS")


class ProgressBar:
    """A rich progress bar on stderr that gets out of the way when results are printed.

        with ProgressBar(total, enabled=progress_wanted(total)) as bar:
            with bar.paused():
                print(section)
            bar.advance()
    """

    def __init__(self, total: int, *, enabled: bool, color: bool = True) -> None:
        self.total = total
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._color = color

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            console = Console(file=sys.stderr, no_color=not self._color, highlight=False, markup=False, emoji=False)
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]} · kvar ca"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task("Granskar", total=self.total, unit="filer")
            self._progress.start()
        return self

    def threads(self, total: int) -> None:
        """The files are read; the bar now counts the threads compared (TR…), with a new time estimate."""
        if self._progress is not None and total > 0:
            self._progress.reset(self._task, total=total, description="Jämför trådar", unit="trådar")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Erase the bar while something else is printed to the terminal, then draw it again."""
        if self._progress is None:
            yield
            return
        self._progress.stop()
        try:
            yield
        finally:
            self._progress.start()

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)


# --- which files ------------------------------------------------------------------


def exclude_outputs(files: Sequence[Path], named: Sequence[Path], out_dirs: Sequence[Path | None]) -> list[Path]:
    """Drop the tool's own outputs from a folder walk: annotated copies, text reports,
    anything in an output folder. A file the user named explicitly is kept."""
    from checker.output.annotate import is_output_name

    explicit = {_real(p) for p in named if p.is_file()}
    outs = [_real(d) for d in out_dirs if d is not None]
    kept: list[Path] = []
    for path in files:
        real = _real(path)
        if real not in explicit:
            if is_output_name(path.name):
                continue
            if any(out == real.parent or out in real.parents for out in outs):
                continue
        kept.append(path)
    return kept


def outputs_over_inputs(paths: Sequence[Path], outputs: Sequence[tuple[str, Path | None]]) -> str | None:
    """Why a run would check nothing because of its own output folders (None: it would not).

    A folder given to check that is an output folder, or lies inside one,
    has every document dropped as "an output" (exclude_outputs): the run
    would find nothing and pass. A gate must not pass having checked nothing.
    """
    for option, out_dir in outputs:
        if out_dir is None:
            continue
        out = _real(out_dir)
        for path in paths:
            real = _real(path)
            if path.is_dir() and (real == out or out in real.parents):
                return (f"{option} {out_dir} är samma mapp som {path}, som ska granskas, eller en mapp ovanför den: "
                        "då skulle inga dokument granskas. Välj en annan utdatamapp, t.ex. "
                        f"{path / 'granskning'}.")
    return None


def all_dropped_as_outputs(found: Sequence[Path], kept: Sequence[Path], paths: Sequence[Path]) -> str | None:
    """The message for a walk whose every document was taken for Målkolls own output (None: something is left)."""
    if not found or kept:
        return None
    where = ", ".join(str(p) for p in paths)
    return (f"Alla {len(found)} dokument (.docx och PDF) i {where} ser ut som Målkolls egna utdata "
            "(kopior med kommentarer) och granskades inte. Namnge en sådan fil själv om den ska granskas.")


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
