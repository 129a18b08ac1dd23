"""An output that cannot be written (a full disk, a lost share) costs only itself.

`malkoll check` writes the terminal results, perhaps an `-o` file and an
overview. When the disk fills up under the overview, the results are still
worth having: the failing output is named in Swedish, its temporary files
removed, and the run goes on and ends with at least exit code 1 (something
asked for was not delivered), never with "internt fel".
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import IO, Any

from checker.errors import os_problem


class GuardedReporter:
    """A reporter (start / file / add_threads / finish / abort) whose OSError is told, not raised."""

    def __init__(self, reporter: Any, what: str) -> None:
        self.reporter = reporter
        self.what = what
        self.failure: str | None = None

    def _call(self, name: str, *args: Any) -> None:
        method = getattr(self.reporter, name, None)
        if self.failure is not None or not callable(method):
            return
        try:
            method(*args)
        except OSError as error:
            self.failure = f"{self.what} kunde inte sparas ({os_problem(error)}). Granskningens resultat gäller ändå."
            with contextlib.suppress(Exception):
                self.reporter.abort()

    def start(self) -> None:
        self._call("start")

    def file(self, result: Any, summary: Any) -> None:
        self._call("file", result, summary)

    def add_threads(self, *args: Any) -> None:
        self._call("add_threads", *args)

    def finish(self, run: Any) -> None:
        self._call("finish", run)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.reporter.abort()


class BufferedOutput:
    """The text stream for `-o FILE`: kept in memory, written whole at the end; shown here if that fails."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.failure: str | None = None
        self._buffer = io.StringIO()

    def __enter__(self) -> IO[str]:
        return sys.stdout if self.path is None else self._buffer

    def __exit__(self, exc_type: Any, *exc: Any) -> bool:
        if self.path is None or exc_type is not None:
            return False
        from checker.output import atomic_writer

        text = self._buffer.getvalue()
        try:
            with atomic_writer(self.path) as stream:
                stream.write(text)
        except OSError as error:
            self.failure = f"Resultatet kunde inte sparas i {self.path} ({os_problem(error)}); det visas här i stället."
            sys.stderr.write(self.failure + "\n")
            sys.stdout.write(text)
        return False
