"""The thread rules (TR…) at the gate: `malkoll watch` compares each arriving report with its unit's plan.

A folder check (checker.threads.stage) waits until every file is read and
then runs the thread rules on every document of every thread. The gate
cannot wait: files arrive one at a time over weeks. So when a report
arrives, it is compared with the documents of its unit and year that the
watch has already checked – in practice the plan (VP) in December, T1 in
April, T2 in August and the VB in February, each against those before it.

Only the arriving documents get findings: a document that was checked
earlier keeps the result it was given then (its author has already read
it); the next folder check (`malkoll check`) compares everything with
everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.config import ThreadOverride
from checker.findings import Finding
from checker.results import FileResult
from checker.threads.grouping import DocInfo, group_documents
from checker.threads.stage import (
    JobRunner,
    ThreadJob,
    ThreadOutcome,
    has_thread_rules,
    thread_outcomes,
    unplaced_notes,
    with_findings,
    with_notes,
)

if TYPE_CHECKING:
    from checker.engine import RuleSet


class ThreadGate:
    """Adds the thread rules' findings to the results of files that have just been checked."""

    def __init__(self, rules: RuleSet, overrides: Sequence[ThreadOverride] = ()) -> None:
        self.rules = rules
        self.overrides = tuple(overrides)

    @staticmethod
    def wanted(rules: RuleSet | None) -> bool:
        """A gate is needed only when the rule set has thread rules."""
        return has_thread_rules(rules)

    def add_findings(
        self, arrived: Sequence[FileResult], known: Iterable[FileResult], run: JobRunner | None = None
    ) -> list[FileResult]:
        """`arrived`, in order, each with its thread findings against `known` and the others that arrived.

        `run` sends the thread jobs to the watch's workers (checker.batch.Runner.run);
        without it they run in this process.
        """
        new = {result.path for result in arrived}
        infos = [DocInfo.of(result.path, result.report) for result in (*known, *arrived)
                 if result.report is not None and result.error is None]
        grouping = group_documents(infos, self.overrides)
        jobs = [ThreadJob(thread, views=False, overrides=self.overrides) for thread in grouping.threads
                if thread.size >= 2 and any(member.path in new for member in thread.all_members())]
        extra: dict[Path, tuple[Finding, ...]] = {}
        notes: dict[Path, list[str]] = {}
        for path, note in unplaced_notes(grouping, [info for info in infos if info.path in new]).items():
            notes.setdefault(path, []).append(note)
        for job, outcome in zip(jobs, thread_outcomes(jobs, self.rules, run), strict=True):
            for member in job.thread.all_members():
                if member.path in new:
                    _collect(member.path, outcome, extra, notes)
        return [with_notes(with_findings(result, extra.get(result.path)), notes.get(result.path)) for result in arrived]

def _collect(path: Path, outcome: ThreadOutcome, extra: dict[Path, tuple[Finding, ...]],
             notes: dict[Path, list[str]]) -> None:
    if outcome.error is not None:
        notes.setdefault(path, []).append(outcome.error)
        return
    if path in outcome.notes:
        notes.setdefault(path, []).append(outcome.notes[path])
    if path in outcome.findings:
        extra[path] = outcome.findings[path]
