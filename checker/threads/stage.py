"""`malkoll check` of a folder: the thread rules, once every document is read.

A thread rule (TR…) compares a report with the other documents of its unit
and year, so it can run only when all of them are known – after the folder
has been read. While a folder is checked, the stage therefore keeps each
file's result instead of handing it on; at the end it groups the documents
into threads, reads each thread's documents again (the workers send back only
a small summary of each report), runs the thread rules on every document of
the thread and adds their findings to that document's result. Then the
results go on to the outputs in their original order, so a report's thread
findings appear with its own.

A folder without threads, or a rule set without thread rules, passes
straight through. One thread's trouble (a document that will not read a
second time, a fault in Målkoll) never costs the other files their results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.config import ThreadOverride
from checker.findings import Finding
from checker.pipeline import FileResult
from checker.threads.grouping import DocInfo, Grouping, Thread, group_documents
from checker.threads.view import ThreadView, build_view

if TYPE_CHECKING:
    from checker.engine import RuleSet
    from checker.model import Report

log = logging.getLogger(__name__)


class ThreadStage:
    """Holds a run's results, then adds the thread rules' findings to the documents of each thread."""

    def __init__(
        self, rules: RuleSet, overrides: Sequence[ThreadOverride] = (), *, reader: Callable[[Path], Report] | None = None
    ) -> None:
        if reader is None:
            from checker.reader import read_report

            reader = read_report
        self.rules = rules
        self.overrides = tuple(overrides)
        self.reader: Callable[[Path], Report] = reader
        self.grouping: Grouping | None = None
        # One compact goals × documents view per thread of two or more documents, for the overview.
        self.views: list[ThreadView] = []
        self._held: list[FileResult] = []

    @staticmethod
    def wanted(rules: RuleSet, files: Sequence[Path]) -> bool:
        """Only a run of several files with at least one thread rule needs the stage."""
        return len(files) >= 2 and any(getattr(rule, "thread", False) for rule in getattr(rules, "rules", ()))

    def hold(self, result: FileResult) -> None:
        self._held.append(result)

    def finish(self) -> list[FileResult]:
        """The held results, in their order, with the thread findings added."""
        held, self._held = self._held, []
        infos = [DocInfo.of(r.path, r.report) for r in held if r.report is not None and r.error is None]
        self.grouping = group_documents(infos, self.overrides)
        extra: dict[Path, list[Finding]] = {}
        for thread in self.grouping.threads:
            if thread.size >= 2:
                self._check(thread, extra)
        notes = self._unplaced_notes(infos)
        return [_noted(_with(result, extra.get(result.path)), notes.get(result.path)) for result in held]

    def _unplaced_notes(self, infos: Sequence[DocInfo]) -> dict[Path, str]:
        """A Swedish note for a document that fits no thread, when no rule says why already.

        A document of unknown kind or year already has its finding (the rule
        that requires both); one without a unit, or a tertial report that does
        not say which tertial, would otherwise fall out of its thread unnoticed.
        """
        assert self.grouping is not None
        known = {info.path for info in infos if info.kind is not None and info.year is not None}
        return {u.path: "Dokumentet " + u.reason for u in self.grouping.unplaced if u.path in known}

    def _check(self, thread: Thread, extra: dict[Path, list[Finding]]) -> None:
        from checker.engine import check_thread
        from checker.threads.folder import links_for

        reports: dict[Path, Report] = {}
        for member in thread.all_members():
            try:
                reports[member.path] = self.reader(member.path)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except Exception as error:  # noqa: BLE001 - it was read once; if not again, its thread is poorer
                log.warning("%s kunde inte läsas för trådreglerna: %r", member.path, error)
        if len(reports) < 2:
            return
        try:
            links = links_for(thread, reports)
            for member in thread.all_members():
                report = reports.get(member.path)
                if report is not None:
                    found = check_thread(report, self.rules, links)
                    if found:
                        extra[member.path] = found
            view = build_view(thread, reports, links)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001 - one thread's fault must not cost the run
            log.warning("Trådreglerna kunde inte prövas på %s: %r", thread.label, error, exc_info=True)
            return
        if view is not None:
            self.views.append(compact(view))


def compact(view: ThreadView) -> ThreadView:
    """The view without the documents behind it: a run keeps only what a table shows."""
    for row in view.rows:
        row.goals = {}
    view.pairings = []
    return view


def _with(result: FileResult, findings: list[Finding] | None) -> FileResult:
    if not findings:
        return result
    merged = sorted(result.findings + tuple(findings), key=_finding_order)
    return replace(result, findings=tuple(merged))


def _noted(result: FileResult, note: str | None) -> FileResult:
    if note is None or result.report is None:
        return result
    report = result.report.model_copy(update={"notes": [*result.report.notes, note]})
    return replace(result, report=report)


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    """As the pipeline orders a file's findings: document order, the most serious first, rule id."""
    source = finding.location.source
    block = source.block if source is not None else -1
    return (block, -int(finding.severity), finding.rule)
