"""`malkoll watch FOLDER`: the pre-submission gate on a shared folder.

Units drop their reports into a shared folder in the days before the board's
deadline. The watcher checks every file already there, then every file that
appears or changes, and writes into the output folder (default
FOLDER/granskning/):

    <namn>.granskning.docx   a copy with each finding as a Word comment
    <namn>.granskning.txt    the same findings as a short text
    sammanstallning.html     the coordinator's overview (and .xlsx)

A file is checked only when it has stopped changing — its stat signature
unchanged for a settle period — and is complete: a .docx whose zip central
directory, written last, can be read, or a PDF that ends in its trailer
(startxref and %%EOF, also written last). So a report being copied over a
slow share is never checked half-written. A file whose content did not
change (same SHA-256) is not checked again. The signature holds the inode
and the status-change time besides size and modification time: anyone can
set a file's mtime back (touch -d), nobody but the kernel sets its ctime, so
a report overwritten by another of the same size with the old mtime is still
seen, hashed, and checked again when its content differs; and where even
ctime can be set (a network share), the checked files are hashed again in
turn in the background (VERIFY_BYTES_PER_ROUND). Changes are noticed through
watchdog's file events, with a full rescan now and then as a safety net, or
by polling alone (--poll) on network shares where events do not arrive.

Nothing stops the watcher but Ctrl-C (or SIGTERM): a bad file is reported as
unreadable, a file deleted mid-check is forgotten, a removed output folder
is recreated and filled again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from stat import S_ISREG
from typing import IO, TYPE_CHECKING, Any

from checker.output.annotate import annotated_path, is_output_name, text_report_path
from checker.config import ThreadOverride
from checker.findings import Severity
from checker.output import clean_display, plural, visible_name
from checker.output.overview import HTML_NAME
from checker.pipeline import FileResult, FileSummary, RunSummary

if TYPE_CHECKING:
    from checker.batch import Runner

DEFAULT_SETTLE = 2.0
DEFAULT_INTERVAL = 2.0
OUTPUT_NAME = "granskning"
# With file events, the folder is still walked this often, in case an event was lost.
RESCAN_SECONDS = 30.0
# A file that has been still this many settle periods is checked even if it
# is not a complete zip: nobody is writing it, it is just damaged.
DAMAGED_AFTER_SETTLES = 3
# How long the loop sleeps when file events are used (events wake it earlier).
EVENT_TICK = 0.5
# (size, mtime, ctime, inode, device): a change of any means "hash it and compare".
Signature = tuple[int, int, int, int, int]
# Where ctime can be set too (an SMB client may set a file's change time), the checked files' content is
# hashed again in the background: at most this many bytes every RESCAN_SECONDS, in turn, so every file is
# compared with its verdict's content within minutes, at a cost of a few MB a second at most.
VERIFY_BYTES_PER_ROUND = 64 * 1024 * 1024
# A signature no file has: the file is looked at again as changed.
_STALE: Signature = (-1, 0, 0, 0, 0)


@dataclass
class WatchOptions:
    folder: Path
    out_dir: Path
    fail_level: Severity = Severity.ERROR
    settle: float = DEFAULT_SETTLE
    interval: float = DEFAULT_INTERVAL
    poll: bool = False
    once: bool = False
    # [trad] of malkoll.toml: files that do not say their unit, year or kind themselves.
    threads: tuple[ThreadOverride, ...] = ()


@dataclass
class _Pending:
    """A file seen but not yet checked: its signature and since when it has had it."""

    signature: Signature
    since: float


@dataclass
class _Checked:
    """What is kept of a checked file: enough for its outputs and the overview, not the report."""

    signature: Signature
    digest: str
    result: FileResult
    summary: FileSummary


@dataclass
class _State:
    pending: dict[Path, _Pending] = field(default_factory=dict)
    checked: dict[Path, _Checked] = field(default_factory=dict)
    out_identity: tuple[int, int] | None = None


def default_output(folder: Path, configured: Path | None) -> Path:
    return configured if configured is not None else folder / OUTPUT_NAME


def signature_of(path: Path) -> Signature | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    # Size and mtime alone can be forged (same size, mtime set back); ctime and the inode cannot.
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def is_complete_docx(path: Path) -> bool:
    """True when the zip's central directory can be read and names the main document part.

    The directory's size is checked first (checker.safety), so a crafted one
    costs no memory even here, before the file is checked.
    """
    from checker.safety import looks_complete

    return looks_complete(path)


# A PDF's end: "startxref", the offset of its cross-reference section, and "%%EOF", written last.
_PDF_END = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_PDF_TAIL = 1024


def is_complete_pdf(path: Path) -> bool:
    """True when the PDF ends in its trailer (nothing after it but line ends), pointing back into the file.

    A PDF saved again with changes has the changes appended and a new trailer after them: a copy
    cut off in the appended part still holds the old trailer, hence "ends in". A linearised
    ("fast web view") PDF has a first trailer near its start whose startxref is 0: a copy cut
    off after its first kilobyte must not pass for complete, hence the offset. A PDF with junk
    after its end is checked all the same once it has been still for long (DAMAGED_AFTER_SETTLES).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        info = os.fstat(descriptor)
        if not S_ISREG(info.st_mode):
            return False
        tail = os.pread(descriptor, _PDF_TAIL, max(0, info.st_size - _PDF_TAIL))
    except OSError:
        return False
    finally:
        os.close(descriptor)
    ends = list(_PDF_END.finditer(tail))
    if not ends or tail[ends[-1].end():].strip(b"\r\n\t \x00"):
        return False
    return 0 < int(ends[-1].group(1)) < info.st_size


def is_complete_report(path: Path) -> bool:
    """A .docx or PDF that has been written to the end (the header decides which, as in reading)."""
    from checker.reading import is_pdf

    return is_complete_pdf(path) if is_pdf(path) else is_complete_docx(path)


def digest_of(path: Path) -> str | None:
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(chunk)
    except OSError:
        return None
    return hasher.hexdigest()


def _content_digest(path: Path, signature: Signature) -> str | None:
    """The file's SHA-256, or for a file over the size limit its signature (hashing 20 GB stalls the gate).

    Such a file is refused by the check unread (checker.safety compares the size first); its signature
    changes with any rewrite, so a new version is still checked again.
    """
    from checker.limits import current

    if signature[0] > current().max_file_bytes:
        return "för stor:" + ":".join(map(str, signature))
    return digest_of(path)


class Watcher:
    """The watch loop. `log` receives one line per event worth telling a person about."""

    def __init__(self, options: WatchOptions, runner: Runner, *, log: Callable[[str], None]) -> None:
        self.options = options
        self.runner = runner
        self.log = log
        self.state = _State()
        self._wake = threading.Event()
        self._observer: Any = None
        self._last_full_scan = 0.0
        self._events = False
        self._missing_logged = False
        self._overview_written = False
        self._problems_logged: set[tuple[Path, str]] = set()
        # .doc, .odt, .rtf in the folder (checker.discovery.NOT_CHECKED_REASONS) → the reason told for it.
        self._not_checked: dict[Path, str] = {}
        self._not_checked_changed = False
        self._last_verify = time.monotonic()
        self._verify_next = 0

    # -- the loop -------------------------------------------------------------------

    def run(self) -> int:
        """Watch until Ctrl-C (or, with --once, until everything there has been checked)."""
        options = self.options
        self._ensure_output()
        if not options.poll and not options.once:
            self._start_observer()
        mode = "filhändelser" if self._observer is not None else f"avläsning, intervall {_seconds(options.interval)}"
        if not options.once:
            self.log(f"Bevakar {options.folder} ({mode}); resultat i {options.out_dir}. Avsluta med Ctrl+C.")
        try:
            while True:
                if STOP_REQUESTED.is_set():
                    raise KeyboardInterrupt  # the first one was lost in a finalizer (see sigterm_as_interrupt)
                changed = self._tick()
                # The overview exists from the first round on, even for an empty folder.
                if changed or not self._overview_written or self._not_checked_changed:
                    self._not_checked_changed = False
                    self._write_overview()
                if options.once and not self.state.pending:
                    break
                self._sleep()
        finally:
            self._stop_observer()
        return self._exit_code()

    def _tick(self) -> bool:
        """One round: notice changes, check what has settled. True when outputs changed."""
        changed = self._ensure_output()
        seen = self._scan()
        if seen is not None:
            changed |= self._forget_missing(seen)
        self._verify_some()
        ready = self._ready()
        if ready:
            changed |= self._check(ready)
        return changed

    def _verify_some(self) -> None:
        """Hash a share of the checked files again; one whose content differs from its verdict's is checked again.

        The signature cannot be trusted everywhere (see VERIFY_BYTES_PER_ROUND): the content decides.
        """
        now = time.monotonic()
        if now - self._last_verify < RESCAN_SECONDS or not self.state.checked:
            return
        self._last_verify = now
        paths = sorted(self.state.checked)
        budget = VERIFY_BYTES_PER_ROUND
        for step in range(len(paths)):
            path = paths[(self._verify_next + step) % len(paths)]
            checked = self.state.checked[path]
            if step and checked.signature[0] > budget:
                self._verify_next += step
                return
            budget -= max(checked.signature[0], 0)
            if path in self.state.pending or not checked.digest:
                continue
            digest = _content_digest(path, checked.signature)
            if digest is not None and digest != checked.digest:
                checked.signature = _STALE  # the next look sees a change; the check compares the content
        self._verify_next += len(paths)

    def _sleep(self) -> None:
        if self._observer is not None and not self._observer.is_alive():
            # The observer thread died (a share went away, a watch limit): poll from now on.
            self._observer = None
            self.log(f"Filhändelserna slutade fungera; mappen läses av i stället (intervall {_seconds(self.options.interval)}).")
        if self.options.once:
            time.sleep(min(0.2, self.options.settle / 4 or 0.05))
            return
        if self._observer is not None:
            self._wake.wait(EVENT_TICK)
            self._wake.clear()
        else:
            time.sleep(self.options.interval)

    def _exit_code(self) -> int:
        if not self.options.once:
            return 0
        # As in malkoll check: a folder that could not be read counts like an unreadable file.
        passed = all(c.summary.passed for c in self.state.checked.values()) and not self._problems_logged
        return 0 if passed else 1

    # -- noticing files -------------------------------------------------------------

    def _scan(self) -> set[Path] | None:
        """Update the pending files; returns every candidate present, or None when nothing was walked."""
        now = time.monotonic()
        full = (
            self._observer is None
            or self._events
            or now - self._last_full_scan >= RESCAN_SECONDS
            or not self._last_full_scan
        )
        if not full:
            # Between walks, only files still settling need a fresh look.
            for path in list(self.state.pending):
                self._observe(path, now, first=False)
            return None
        self._events = False
        self._last_full_scan = now
        files = self._candidates()
        if files is None:
            return None
        for path in files:
            self._observe(path, now, first=path not in self.state.pending and path not in self.state.checked)
        return set(files)

    def _candidates(self) -> list[Path] | None:
        from checker.batch import exclude_outputs
        from checker.discovery import discover

        folder = self.options.folder
        if not folder.is_dir():
            if not self._missing_logged:
                self.log(f"Mappen {folder} går inte att nå just nu; försöker igen.")
                self._missing_logged = True
            return None
        self._missing_logged = False
        try:
            found = discover([folder])
        except Exception as error:  # noqa: BLE001 - a share that comes and goes must not stop the watch
            self.log(f"Mappen {folder} kunde inte läsas ({error}); försöker igen.")
            return None
        for where, problem in found.problems:
            # A sub-folder that cannot be read (or a link that leads nowhere) is told once, not every round.
            if (where, problem) not in self._problems_logged:
                self._problems_logged.add((where, problem))
                self.log(_line(self._name(where), "KUNDE INTE LÄSAS", problem))
        others = set(exclude_outputs([path for path, _ in found.not_checked], [], [self.options.out_dir]))
        self._note_not_checked({path: reason for path, reason in found.not_checked if path in others})
        return exclude_outputs(found.files, [], [self.options.out_dir])

    def _note_not_checked(self, found: dict[Path, str]) -> None:
        """A .doc, .odt or .rtf in the folder: told once in the log and in a reply file, listed in the overview.

        It does not fail the gate (--once): the unit is told to send a .docx or PDF, which is then checked.
        """

        for path in [p for p in self._not_checked if p not in found]:
            del self._not_checked[path]
            self._not_checked_changed = True
            with contextlib.suppress(OSError):
                text_report_path(path, self.options.folder, self.options.out_dir).unlink()
        for path, reason in found.items():
            if self._not_checked.get(path) == reason:
                continue
            self._not_checked[path] = reason
            self._not_checked_changed = True
            result = FileResult(path, None, error=reason, not_checked=True)
            self._write_text_report(result, RunSummary(self.options.fail_level).add(result))
            self.log(_line(self._name(path), "INTE GRANSKAD", reason))

    def _observe(self, path: Path, now: float, *, first: bool) -> None:
        signature = signature_of(path)
        if signature is None:
            self.state.pending.pop(path, None)
            return
        checked = self.state.checked.get(path)
        if checked is not None and checked.signature == signature:
            self.state.pending.pop(path, None)
            return
        pending = self.state.pending.get(path)
        if pending is not None and pending.signature == signature:
            return
        since = now
        if first:
            # A file that was already there and untouched for a while needs no
            # settle wait; one that changes while we look does.
            age = max(0.0, time.time() - signature[1] / 1e9)
            since = now - age
        self.state.pending[path] = _Pending(signature, since)

    def _ready(self) -> list[Path]:
        now = time.monotonic()
        settle = self.options.settle
        ready = []
        for path, pending in sorted(self.state.pending.items()):
            still = now - pending.since
            if still < settle:
                continue
            if is_complete_report(path) or still >= settle * DAMAGED_AFTER_SETTLES:
                ready.append(path)
        return ready

    def _forget_missing(self, seen: set[Path]) -> bool:
        """Files that are gone: drop them, their outputs and their row in the overview."""
        changed = False
        for path in [p for p in self.state.pending if p not in seen]:
            del self.state.pending[path]
        for path in [p for p in self.state.checked if p not in seen]:
            del self.state.checked[path]
            self._remove_outputs(path)
            self.log(_line(self._name(path), "BORTTAGEN", "kopian och rapporten togs bort"))
            changed = True
        return changed

    # -- checking -------------------------------------------------------------------

    def _check(self, ready: list[Path]) -> bool:
        from checker.batch import Job
        from checker.config import stated_for

        jobs: list[Job] = []
        before: dict[Path, tuple[Signature, str]] = {}
        for path in ready:
            pending = self.state.pending.pop(path)
            digest = _content_digest(path, pending.signature)
            if digest is None:
                if signature_of(path) is None:  # gone between the look and the read
                    continue
                # There but unreadable (no permission): the check says so, once.
                digest = ""
            previous = self.state.checked.get(path)
            if previous is not None and previous.digest == digest:
                # Touched or copied over with the same bytes: nothing new to say.
                previous.signature = pending.signature
                continue
            before[path] = (pending.signature, digest)
            jobs.append(Job(path, self._annotated(path), self.options.out_dir, stated=stated_for(path, self.options.threads)))
        if not jobs:
            return False
        changed = False
        for result in self._with_thread_findings(self.runner.run(jobs), before):
            changed |= self._record(result, *before[result.path])
        return changed

    def _with_thread_findings(self, results: Iterable[FileResult], arriving: Iterable[Path]) -> Iterable[FileResult]:
        """The thread rules (TR…): each arriving report against its unit's documents checked before it.

        The results of this round wait for each other, so that the plan and the
        report dropped in together are compared too (checker.threads.gate).
        """
        from checker.session import gate_thread_findings

        fresh = set(arriving)
        known = [checked.result for path, checked in self.state.checked.items() if path not in fresh]
        return gate_thread_findings(self.runner, results, known, self.options.threads, out_dir=self.options.out_dir)

    def _record(self, result: FileResult, signature: Signature, digest: str) -> bool:
        path = result.path
        now_signature = signature_of(path)
        if now_signature is None:
            # Deleted while it was being checked.
            self._remove_outputs(path)
            self.state.checked.pop(path, None)
            self.log(_line(self._name(path), "BORTTAGEN", "filen försvann under granskningen"))
            return True
        if now_signature != signature:
            # Changed while it was being checked: check the new version once it settles.
            self.state.pending[path] = _Pending(now_signature, time.monotonic())
            return False
        summary = RunSummary(self.options.fail_level).add(result)
        if result.annotated is None:
            # No fresh copy (unreadable file, or the copy failed): an old one would mislead.
            with contextlib.suppress(OSError):
                self._annotated(path).unlink()
        self._write_text_report(result, summary)
        self.state.checked[path] = _Checked(signature, digest, result, summary)
        self.log(_check_line(self._name(path), result, summary))
        return True

    def _write_text_report(self, result: FileResult, summary: FileSummary) -> None:
        from checker.output import granskning_txt

        target = text_report_path(result.path, self.options.folder, self.options.out_dir)
        text = granskning_txt.render(result, summary, self.options.fail_level, name=self._name(result.path))
        try:
            granskning_txt.write(target, text)
        except OSError as error:
            self.log(f"{self._name(result.path)}: rapporten kunde inte sparas ({error.strerror or error}).")

    # -- outputs --------------------------------------------------------------------

    def _annotated(self, path: Path) -> Path:
        return annotated_path(path, self.options.folder, self.options.out_dir)

    def _remove_outputs(self, path: Path) -> None:
        for target in (self._annotated(path), text_report_path(path, self.options.folder, self.options.out_dir)):
            with contextlib.suppress(OSError):
                target.unlink()

    def _ensure_output(self) -> bool:
        """Recreate a removed output folder; then every file's outputs are written again."""
        out = self.options.out_dir
        try:
            out.mkdir(parents=True, exist_ok=True)
            stat = out.stat()
        except OSError as error:
            self.log(f"Utdatamappen {out} kunde inte skapas ({error.strerror or error}); försöker igen.")
            return False
        identity = (stat.st_dev, stat.st_ino)
        previous, self.state.out_identity = self.state.out_identity, identity
        if previous is None:
            from checker.private import remove_stale_output_temps

            remove_stale_output_temps(out)  # what a watch killed while writing left here
        # A recreated folder may get the old inode number back, so a missing
        # overview (always there once written) counts as a removal too.
        lost = self._overview_written and not (out / HTML_NAME).exists()
        if previous is None or (previous == identity and not lost):
            return False
        self.log(f"Utdatamappen {out} hade tagits bort; den har skapats igen och fylls på nytt.")
        # Re-check everything: the annotated copies are made by the check.
        now = time.monotonic()
        for path, checked in self.state.checked.items():
            self.state.pending[path] = _Pending(checked.signature, now - self.options.settle)
        self.state.checked.clear()
        return True

    def _write_overview(self) -> None:
        from checker.output.overview import OverviewWriter

        try:
            writer = OverviewWriter(self.options.out_dir, fail_level=self.options.fail_level, base=self.options.folder,
                                    rules=getattr(self.runner, "rules", None))
            try:
                for path in sorted([*self.state.checked, *self._not_checked], key=lambda p: _sort_key(p, self.options.folder)):
                    if path in self.state.checked:
                        checked = self.state.checked[path]
                        writer.add(checked.result, checked.summary)
                    else:
                        other = FileResult(path, None, error=self._not_checked[path], not_checked=True)
                        writer.add(other, RunSummary(self.options.fail_level).add(other))
            except BaseException:
                writer.abort()
                raise
            writer.close()
            self._overview_written = True
        except OSError as error:
            self.log(f"Sammanställningen kunde inte sparas ({error.strerror or error}); försöker igen vid nästa ändring.")

    def _name(self, path: Path) -> str:
        from checker.display import relative_name

        return relative_name(path, self.options.folder)

    # -- file events ----------------------------------------------------------------

    def _start_observer(self) -> None:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer

            watcher = self

            class Handler(FileSystemEventHandler):
                def on_any_event(self, event: Any) -> None:
                    # Only a flag and a wake-up here: the loop does the work in its own thread.
                    if not _is_own_output(event, watcher.options.out_dir):
                        watcher._events = True
                        watcher._wake.set()

            observer = Observer()
            observer.schedule(Handler(), str(self.options.folder), recursive=True)
            observer.daemon = True
            observer.start()
        except Exception as error:  # noqa: BLE001 - e.g. the inotify limit; polling still works
            self.log(
                f"Filhändelser kan inte bevakas här ({type(error).__name__}: {error}); "
                f"mappen läses av i stället (intervall {_seconds(self.options.interval)})."
            )
            self._observer = None
            return
        self._observer = observer

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            with contextlib.suppress(Exception):
                observer.stop()
                observer.join(5)


def _is_own_output(event: Any, out_dir: Path) -> bool:
    paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
    out = str(out_dir.absolute())
    for raw in filter(None, paths):
        text = os.fsdecode(raw)
        if not (text == out or text.startswith(out + os.sep)) and not is_output_name(Path(text).name):
            return False
    return True


def _sort_key(path: Path, folder: Path) -> tuple[Any, ...]:
    from checker.discovery import natural_key

    with contextlib.suppress(ValueError):
        path = path.relative_to(folder)
    return tuple(natural_key(part) for part in path.parts)


def _seconds(value: float) -> str:
    from checker.batch import format_seconds

    return format_seconds(value)


def _line(name: str, verdict: str, detail: str) -> str:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp}  {visible_name(name)}  {verdict}  {clean_display(detail)}"


def _check_line(name: str, result: FileResult, summary: FileSummary) -> str:
    if summary.error is not None:
        return _line(name, "KUNDE INTE LÄSAS", summary.error)
    verdict = "GODKÄND" if summary.passed else "UNDERKÄND"
    if summary.other is not None:
        # Not a plan or report (a protocol, a letter …): said as such, never as an ordinary failed check.
        return _line(name, f"{verdict} – INTE EN PLAN ELLER RAPPORT", f"dokumentet är {summary.other}")
    counts = ", ".join(
        [plural(summary.errors, "fel", "fel"), plural(summary.warnings, "varning", "varningar"),
         plural(summary.infos, "info", "info")]
    )
    if result.annotate_error:
        counts += f" (ingen kopia med kommentarer: {result.annotate_error})"
    return _line(name, verdict, counts)


# Set by Ctrl-C or SIGTERM while sigterm_as_interrupt is in force; the watch loop stops at its next turn.
STOP_REQUESTED = threading.Event()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager stopping the watch) ends it as cleanly as Ctrl-C.

    Both raise KeyboardInterrupt where the watch happens to be, and both also
    set STOP_REQUESTED: an interrupt that lands while Python runs a finalizer
    (a generator or file being collected) is printed and swallowed there,
    and the loop would otherwise go on for ever.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        STOP_REQUESTED.set()
        raise KeyboardInterrupt

    STOP_REQUESTED.clear()
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def make_logger(stream: IO[str]) -> Callable[[str], None]:
    def log(line: str) -> None:
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not stop the gate

    return log
