"""A folder of documents → threads, with every document read and accounted for.

Used by `malkoll thread` and by `malkoll check` when it checks a folder: the
documents are read, grouped by unit and year, and each thread's documents are
linked so that the rule language can follow a goal from the plan into the
reports. A file that cannot be read is listed like a document that fits no
thread – with the reason – never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import ThreadOverride
from checker.errors import MalkollError, ReadError
from checker.model import Report
from checker.pipeline import ReportReader
from checker.threads.grouping import (
    DocInfo,
    Grouping,
    Thread,
    Unplaced,
    group_documents,
)
from checker.threads.links import Links

log = logging.getLogger(__name__)


@dataclass
class ThreadRun:
    """Every document of a folder, grouped; the reports of the documents that were read."""

    grouping: Grouping
    reports: dict[Path, Report] = field(default_factory=dict)

    def links(self, thread: Thread) -> Links:
        """The thread's documents linked for the rule language (documents that could not be read left out)."""
        return links_for(thread, self.reports)


def links_for(thread: Thread, reports: dict[Path, Report]) -> Links:
    return Links([(member.role, reports[member.path]) for member in thread.all_members() if member.path in reports])


def _default_reader(overrides: Sequence[ThreadOverride] = ()) -> ReportReader:
    from checker.reading.report import OverridingReader

    return OverridingReader(tuple(overrides))


def read_threads(
    files: Iterable[Path],
    overrides: Sequence[ThreadOverride] = (),
    *,
    reader: ReportReader | None = None,
    problems: Iterable[tuple[Path, str]] = (),
) -> ThreadRun:
    """Read every file and group the documents into threads."""
    read = reader if reader is not None else _default_reader(overrides)
    reports: dict[Path, Report] = {}
    unreadable: list[Unplaced] = [Unplaced(path, f"kunde inte läsas: {problem}") for path, problem in problems]
    for path in files:
        try:
            reports[path] = read(path)
        except ReadError as error:
            unreadable.append(Unplaced(path, f"kunde inte läsas: {error.problem}"))
        except MalkollError as error:
            unreadable.append(Unplaced(path, f"kunde inte läsas: {error}"))
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001 - one broken file must not stop the others
            log.warning("%s kunde inte läsas: %r", path, error, exc_info=True)
            unreadable.append(Unplaced(path, f"kunde inte läsas (internt fel i Målkoll: {type(error).__name__})"))
    grouping = group_documents([DocInfo.of(path, report) for path, report in reports.items()], overrides)
    grouping.unplaced = sorted(grouping.unplaced + unreadable, key=lambda u: u.path.as_posix())
    return ThreadRun(grouping, reports)
