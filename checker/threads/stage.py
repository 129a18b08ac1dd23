"""`malkoll check` of a folder: the thread rules, once every document is read.

A thread rule (TR…) compares a report with the other documents of its unit
and year, so it can run only when all of them are known – after the folder
has been read. While a folder is checked, the stage therefore holds each
file's result instead of handing it on: the result goes to a temporary file
(the system's temp folder; deleted when the run ends, however it ends) and
only the few words grouping needs stay in memory. At the end the stage groups
the documents into threads and sends each thread of two or more documents as
one job to the run's worker processes (checker.batch). The first pass sent
back only a small summary of each report, but each worker also kept the full
report in a private temporary folder (checker.threads.kept); the thread job
takes its documents' reports from there (reading a document again only when
its report is missing), runs the thread rules on every document of the
thread and returns only the findings and the thread's compact goals ×
documents view.
Then the held results stream back out in their original order, each with its
thread findings, so a report's thread findings appear with its own.

A folder without threads, or a rule set without thread rules, passes
straight through. One thread's trouble (a document whose report was not
kept and that will not read a second time, a fault in Målkoll, a thread over
the time limit, a worker that dies) never costs the other files their
results: the documents of that thread keep their own findings and get a
Swedish note saying why the thread rules are missing.
"""

from __future__ import annotations

import gc
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from checker.config import ThreadOverride
from checker.findings import Finding
from checker.pipeline import ReportReader
from checker.results import FileResult
from checker.threads.grouping import DocInfo, Grouping, Thread, group_documents
from checker.threads.kept import KeptReports
from checker.threads.view import ThreadView, build_view, single_view

if TYPE_CHECKING:
    from checker.engine import RuleSet
    from checker.model import Report

log = logging.getLogger(__name__)



class Progress(Protocol):
    """What the stage tells a progress bar (checker.batch.ProgressBar)."""

    def threads(self, total: int) -> None: ...

    def advance(self) -> None: ...

# Runs jobs (ThreadJob here) and yields their results in order: checker.batch.Runner.run.
JobRunner = Callable[[Iterable[Any]], Iterable[Any]]

_ON_ITS_OWN = "Dokumentet har granskats på egen hand."


# --- one thread, in a worker or in this process ----------------------------------------


@dataclass
class ThreadOutcome:
    """What a thread job sends back: findings per document and the compact view, never the reports."""

    findings: dict[Path, tuple[Finding, ...]] = field(default_factory=dict)
    view: ThreadView | None = None
    # Swedish notes for single documents (one that would not read a second time).
    notes: dict[Path, str] = field(default_factory=dict)
    # Lines for the log (Swedish), written by the process that runs the stage.
    warnings: list[str] = field(default_factory=list)
    # Why the thread rules could not run on the thread at all (Swedish, ends up as a note on each document).
    error: str | None = None


@dataclass(frozen=True)
class ThreadJob:
    """One thread for a worker: its documents (paths and roles) and whether the overview wants its view."""

    thread: Thread
    views: bool = True
    # Where the first pass kept the thread's reports (checker.threads.kept); what is not there is read again.
    kept: Path | None = None
    # What the coordinator states about files ([trad], --typ …): a document read again is read the same way.
    overrides: tuple[ThreadOverride, ...] = ()

    @property
    def path(self) -> Path:
        return self.thread.all_members()[0].path

    @property
    def weight(self) -> int:
        """A thread reads each of its documents again: it gets the time limit once per document."""
        return self.thread.size

    def run(self, rules: RuleSet, fail_level: Any = None) -> ThreadOutcome:
        # Looked up when the job runs (not imported at the top) so that a test's reader reaches the workers.
        from checker.reading.report import OverridingReader
        from checker.threads.kept import reader_preferring_kept

        try:
            return run_thread(self.thread, rules, reader_preferring_kept(self.kept, OverridingReader(self.overrides)), views=self.views)
        finally:
            # A thread holds several reports at once, and their trees are cyclic garbage afterwards: left to
            # the collector's own schedule, a worker carried a few threads' worth and grew by tens of MB.
            gc.collect()

    # What the runner reports when the job could not be done.

    def timed_out(self, seconds: float) -> ThreadOutcome:
        from checker.batch import format_seconds

        return ThreadOutcome(error=f"Trådreglerna (TR…) för {self.thread.label} avbröts efter "
                                   f"{format_seconds(seconds)}. {_ON_ITS_OWN}")

    def crashed(self) -> ThreadOutcome:
        return ThreadOutcome(error=f"Trådreglerna (TR…) för {self.thread.label} kunde inte prövas: arbetsprocessen "
                                   f"avslutades oväntat (kanske slut på minne). {_ON_ITS_OWN}")

    def load_failed(self, message: str) -> ThreadOutcome:
        return ThreadOutcome(error=f"Trådreglerna (TR…) för {self.thread.label} kunde inte prövas: {message} "
                                   f"{_ON_ITS_OWN}")


def run_thread(thread: Thread, rules: RuleSet, reader: ReportReader, *, views: bool = True) -> ThreadOutcome:
    """Read a thread's documents, run the thread rules on each, and keep only findings and the compact view."""
    from checker.engine import check_thread
    from checker.errors import ReadError
    from checker.threads.folder import links_for

    outcome = ThreadOutcome()
    reports: dict[Path, Report] = {}
    for member in thread.all_members():
        try:
            reports[member.path] = reader(member.path)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001 - it was read once; if not again, its thread is poorer
            outcome.warnings.append(f"{member.path} kunde inte läsas för trådreglerna: {error!r}")
            problem = error.problem if isinstance(error, ReadError) else f"internt fel i Målkoll: {type(error).__name__}"
            outcome.notes[member.path] = (
                f"Dokumentet kunde inte läsas en gång till för trådreglerna (TR…) ({problem}); "
                f"de andra dokumenten i {thread.label} har jämförts utan det."
            )
    if len(reports) < 2:
        return outcome
    try:
        links = links_for(thread, reports)
        for member in thread.all_members():
            report = reports.get(member.path)
            if report is not None:
                found = check_thread(report, rules, links)
                if found:
                    outcome.findings[member.path] = tuple(found)
        view = build_view(thread, reports, links) if views else None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as error:  # one thread's fault must not cost the run
        log.debug("Trådreglerna kunde inte prövas på %s", thread.label, exc_info=True)
        return ThreadOutcome(
            warnings=[*outcome.warnings, f"Trådreglerna kunde inte prövas på {thread.label}: {error!r}"],
            error=f"Trådreglerna (TR…) för {thread.label} kunde inte prövas (internt fel i Målkoll: "
                  f"{type(error).__name__}). {_ON_ITS_OWN}",
        )
    if view is not None:
        outcome.view = compact(view)
    return outcome


# --- the stage ----------------------------------------------------------------------------


class ThreadStage:
    """Holds a run's results on disk, then adds the thread rules' findings to the documents of each thread.

        with ThreadStage(rules, overrides) as stage:
            for result in results:
                stage.hold(result)
            for result in stage.finish(runner.run):   # in the order held
                ...
    """

    def __init__(
        self,
        rules: RuleSet,
        overrides: Sequence[ThreadOverride] = (),
        *,
        reader: ReportReader | None = None,
        views: bool = True,
    ) -> None:
        self.rules = rules
        self.overrides = tuple(overrides)
        # Reads documents when the stage runs the threads itself (finish() without a runner).
        self.reader = reader
        # Whether to build each thread's view (only the overview shows them).
        self.want_views = views
        self.grouping: Grouping | None = None
        # One compact goals × documents view per thread of two or more documents, for the overview.
        self.views: list[ThreadView] = []
        self._infos: list[DocInfo] = []
        # The held results, one pickle after the other, in the order held.
        self._spill: IO[bytes] | None = None
        self._count = 0
        # The thread findings, a pickle per document that has any (a big folder can have tens of thousands).
        self._found: IO[bytes] | None = None
        # The full reports the first pass kept for the threads (see keep_reports).
        self._kept: KeptReports | None = None

    def keep_reports(self) -> Path | None:
        """A private folder for the first pass to keep each full report in, so threads need not read them again.

        None when no such folder can be made (a full or read-only temp disk): the threads then read again.
        """
        if self._kept is None:
            try:
                self._kept = KeptReports()
            except OSError as error:
                log.warning("Ingen tillfällig mapp för de lästa rapporterna (%s); trådreglerna läser dokumenten igen.",
                            error)
                return None
        return self._kept.folder

    @staticmethod
    def wanted(rules: RuleSet, files: Sequence[Path]) -> bool:
        """Only a run of several files with at least one thread rule needs the stage."""
        return len(files) >= 2 and has_thread_rules(rules)

    def __enter__(self) -> ThreadStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the held results (also when the run was interrupted)."""
        for spill in (self._spill, self._found):
            if spill is not None:
                spill.close()
        self._spill = self._found = None
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        self._count = 0
        self._infos = []

    def hold(self, result: FileResult) -> None:
        if self._spill is None:
            self._spill = _temporary()
        pickle.dump(result, self._spill, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1
        if result.report is not None and result.error is None:
            self._infos.append(DocInfo.of(result.path, result.report))

    def finish(self, run: JobRunner | None = None, progress: Progress | None = None) -> Iterator[FileResult]:
        """The held results, in their order, with the thread findings added; the held file is deleted after.

        `run` sends the thread jobs to the workers (checker.batch.Runner.run);
        without it the stage runs them here. `progress` (checker.batch.ProgressBar)
        is told how many threads there are and advanced as each is done.
        """
        try:
            yield from self._finish(run, progress)
        finally:
            self.close()

    def _finish(self, run: JobRunner | None, progress: Progress | None) -> Iterator[FileResult]:
        infos, self._infos = self._infos, []
        grouping = self.grouping = group_documents(infos, self.overrides)
        kept = self._kept.folder if self._kept is not None else None
        jobs = [ThreadJob(thread, self.want_views, kept, self.overrides) for thread in grouping.threads if thread.size >= 2]
        if progress is not None:
            progress.threads(len(jobs))
        # Where each document's thread findings are in the second file.
        extra: dict[Path, int] = {}
        notes: dict[Path, list[str]] = {}
        for path, note in unplaced_notes(grouping, infos).items():
            notes.setdefault(path, []).append(note)
        del infos
        for job, outcome in zip(jobs, self._outcomes(jobs, run), strict=True):
            if progress is not None:
                progress.advance()
            for line in outcome.warnings:
                log.warning("%s", line)
            for path, note in outcome.notes.items():
                notes.setdefault(path, []).append(note)
            if outcome.error is not None:
                log.warning("%s", outcome.error)
                for member in job.thread.all_members():
                    notes.setdefault(member.path, []).append(outcome.error)
                continue
            self._keep_findings(outcome.findings, extra)
            if outcome.view is not None:
                self.views.append(outcome.view)
        if self.want_views:  # a unit with one document is shown too: its plan or its reports are missing
            self.views.extend(single_view(thread) for thread in grouping.threads if thread.size < 2)
        count, spill = self._count, self._spill
        if spill is None:
            return
        spill.flush()
        spill.seek(0)
        for _ in range(count):
            result = pickle.load(spill)
            yield with_notes(with_findings(result, self._findings_at(extra.get(result.path))), notes.get(result.path))

    def _keep_findings(self, findings: dict[Path, tuple[Finding, ...]], where: dict[Path, int]) -> None:
        for path, found in findings.items():
            if self._found is None:
                self._found = _temporary()
            where[path] = self._found.tell()
            pickle.dump(found, self._found, protocol=pickle.HIGHEST_PROTOCOL)

    def _findings_at(self, offset: int | None) -> tuple[Finding, ...] | None:
        if offset is None or self._found is None:
            return None
        self._found.seek(offset)
        found: tuple[Finding, ...] = pickle.load(self._found)
        return found

    def _outcomes(self, jobs: Sequence[ThreadJob], run: JobRunner | None) -> Iterable[ThreadOutcome]:
        return thread_outcomes(jobs, self.rules, run, self.reader)


def has_thread_rules(rules: RuleSet | None) -> bool:
    """Whether a rule set has any thread rule (TR…): without one, no stage or gate is needed."""
    return any(getattr(rule, "thread", False) for rule in getattr(rules, "rules", ()))


def thread_outcomes(
    jobs: Sequence[ThreadJob], rules: RuleSet, run: JobRunner | None, reader: ReportReader | None = None
) -> Iterable[ThreadOutcome]:
    """The jobs' outcomes in order: through `run` (the workers, checker.batch.Runner.run), else here."""
    if not jobs:
        return []
    if run is not None:
        return run(jobs)
    if reader is None:
        from checker.reading.report import OverridingReader

        return (run_thread(job.thread, rules, OverridingReader(job.overrides), views=job.views) for job in jobs)
    return (run_thread(job.thread, rules, reader, views=job.views) for job in jobs)


def _temporary() -> IO[bytes]:
    """A file in the system's temp folder, unnamed where the system allows it: gone even if this process is killed."""
    return tempfile.TemporaryFile(prefix="malkoll-", suffix=".trad")


def compact(view: ThreadView) -> ThreadView:
    """The view without the documents behind it: a run keeps only what a table shows."""
    for row in view.rows:
        row.goals = {}
    view.pairings = []
    return view


def unplaced_notes(grouping: Grouping, infos: Sequence[DocInfo]) -> dict[Path, str]:
    """A Swedish note for a document that fits no thread, when no rule says why already.

    A document of unknown kind or year already has its finding (the rule
    that requires both); one without a unit, or a tertial report that does
    not say which tertial, would otherwise fall out of its thread unnoticed.
    """
    known = {info.path for info in infos if info.kind is not None and info.year is not None}
    return {u.path: "Dokumentet " + u.reason for u in grouping.unplaced if u.path in known}


def annotate_again(result: FileResult, out_dir: Path, rules: RuleSet, fail_level: Any) -> FileResult:
    """Thread findings are added after the worker wrote the annotated copy: write it again with them."""
    from checker.batch import Job, annotate_result

    if result.annotated is None or not any(getattr(rules.get(f.rule), "thread", False) for f in result.findings):
        return result
    return annotate_result(Job(result.path, result.annotated, out_dir), result, rules, fail_level)


@dataclass(frozen=True)
class AnnotateAgainJob:
    """A held result on its way out, for a worker: its annotated copy is written again if it got thread findings.

    Rewriting a copy costs about as much as checking the document; done in the
    main process, one after the other, it doubled a folder's time with --annotate.
    """

    result: FileResult
    out_dir: Path
    weight = 1

    @property
    def path(self) -> Path:
        return self.result.path

    @property
    def annotate_to(self) -> Path | None:
        """The copy being written (the runner removes its half-written temp file after a time-out)."""
        return self.result.annotated

    def run(self, rules: RuleSet, fail_level: Any = None) -> FileResult:
        return annotate_again(self.result, self.out_dir, rules, fail_level)

    # What the runner reports when the job could not be done: the check stands, the copy lacks the TR findings.

    def timed_out(self, seconds: float) -> FileResult:
        from checker.batch import format_seconds

        return self._without(f"det tog mer än {format_seconds(seconds)}")

    def crashed(self) -> FileResult:
        return self._without("arbetsprocessen avslutades oväntat (kanske slut på minne)")

    def load_failed(self, message: str) -> FileResult:
        return self._without(message)

    def _without(self, why: str) -> FileResult:
        return replace(self.result, annotate_error=f"kopian med kommentarer kunde inte skrivas om med trådfynden "
                                                   f"(TR…): {why}. Den saknar dem.")


def with_findings(result: FileResult, findings: Sequence[Finding] | None) -> FileResult:
    """`result` with `findings` added, in the pipeline's order."""
    if not findings:
        return result
    merged = sorted(result.findings + tuple(findings), key=_finding_order)
    return replace(result, findings=tuple(merged))


def with_notes(result: FileResult, notes: list[str] | None) -> FileResult:
    """`result` with Swedish notes added to its report."""
    if not notes or result.report is None:
        return result
    report = result.report.model_copy(update={"notes": [*result.report.notes, *notes]})
    return replace(result, report=report)


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    """As the pipeline orders a file's findings: document order, the most serious first, rule id."""
    source = finding.location.source
    block = source.block if source is not None else -1
    return (block, -int(finding.severity), finding.rule)
