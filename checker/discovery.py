"""Finding the reports to check (.docx and PDF) among the paths a user gave.

A coordinator points Målkoll at a shared folder where Word leaves lock files
("~$Verksamhetsplan.docx") next to open documents, sync clients leave hidden
folders, and someone may have made a shortcut that points back up the tree.
None of those are reports, and none may stop the run.

Links are followed only while they stay inside the folder being checked: a
link in a shared folder to someone's private folder would otherwise get every
document there checked and an annotated copy of each written into the shared
output folder. Such a link is named in the results instead; a user who wants
that folder checked names it on the command line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import MalkollError


class DiscoveryError(MalkollError):
    """A path given on the command line does not exist (misuse, exit code 2)."""


@dataclass
class Discovery:
    """The files to check, in a stable order, and folders that could not be read."""

    files: list[Path] = field(default_factory=list)
    # (folder, Swedish problem) for folders the walk could not enter.
    problems: list[tuple[Path, str]] = field(default_factory=list)
    # (file, Swedish reason) for documents in a walked folder that Målkoll cannot read (.doc, .odt, .rtf).
    not_checked: list[tuple[Path, str]] = field(default_factory=list)


# What a report may be saved as for Målkoll to read it: a Word document, or a PDF
# (exported from Word, printed to PDF, or a scan with a text layer; checker.reading.pdf).
REPORT_SUFFIXES = (".docx", ".pdf")

# Documents a unit may hand in that Målkoll cannot read. In a folder they are
# listed as "inte granskad" with the reason, so a submitted file is never passed
# over in silence; they do not fail a folder run (the documents that could be
# read decide that). A file named on the command line is read and refused as before.
NOT_CHECKED_REASONS = {
    ".doc": "äldre Word-format (.doc) – öppna filen i Word och spara den som Word-dokument (.docx)",
    ".odt": "OpenDocument-text (.odt) – spara filen som Word-dokument (.docx)",
    ".rtf": "RTF-fil – öppna filen i Word och spara den som Word-dokument (.docx)",
}


def not_checked_reason(name: str) -> str | None:
    """Why a document of another format is not checked, or None for every other file (lock files included)."""
    if name.startswith(("~", ".")):
        return None
    return NOT_CHECKED_REASONS.get(Path(name).suffix.lower())


def is_candidate(name: str) -> bool:
    """True for a file name that looks like a Word document or a PDF a person saved."""
    lowered = name.lower()
    if not lowered.endswith(REPORT_SUFFIXES):
        return False
    # "~$…" are Word's lock files, "~WRL…"/"~…" its temporary copies, ".…" hidden files.
    return not (name.startswith(("~", ".")) or lowered.endswith(".tmp.docx"))


def _is_hidden_dir(name: str) -> bool:
    return name.startswith((".", "~")) or name == "__pycache__"


def discover(paths: Sequence[Path]) -> Discovery:
    """Expand files and folders into the sorted list of reports (.docx and PDF) to check.

    A file named explicitly is always checked, whatever its name: the user
    asked for it, and the reader will say if it is not a report. Raises
    DiscoveryError when a path does not exist.
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise DiscoveryError(_missing_message(missing))
    result = Discovery()
    seen: set[Path] = set()
    for path in paths:
        found = [path] if not path.is_dir() else _walk(path, result.problems, result.not_checked)
        for file in found:
            key = _identity(file)
            if key not in seen:
                seen.add(key)
                result.files.append(file)
    return result


def _missing_message(missing: Sequence[Path]) -> str:
    if len(missing) == 1:
        return f"Sökvägen finns inte: {missing[0]}"
    listed = ", ".join(str(p) for p in missing)
    return f"Sökvägarna finns inte: {listed}"


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _walk(root: Path, problems: list[tuple[Path, str]], not_checked: list[tuple[Path, str]] | None = None) -> list[Path]:
    """All candidate files below `root`, sorted the way a person reads a folder listing."""
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        problems.append((where, _describe_os_error(error)))

    inside = _identity(root)
    for folder, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        # Following links lets a shortcut to another folder work; remembering
        # each real folder stops a link that points back up from looping.
        try:
            stat = os.stat(folder)
        except OSError as error:
            on_error(error)
            dirnames[:] = []
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        folder_path = Path(folder)
        dirnames[:] = sorted((d for d in dirnames if not _is_hidden_dir(d)
                              and not _leads_out(folder_path / d, inside, problems)), key=_sort_key)
        for name in sorted(filenames, key=_sort_key):
            candidate = folder_path / name
            reason = not_checked_reason(name)
            if reason is not None and not_checked is not None and not _leads_out(candidate, inside, problems):
                not_checked.append((candidate, reason))
                continue
            if not is_candidate(name) or _leads_out(candidate, inside, problems):
                continue
            if candidate.is_file():
                files.append(candidate)
            else:
                # Named like a report but nothing to read: said, not silently dropped.
                problems.append((candidate, _not_a_file(candidate)))
    return sorted(files, key=lambda p: _path_key(p, root))


OUTSIDE_LINK = ("länken leder ut ur mappen som granskas och följs inte (så att inget utanför mappen granskas "
                "eller kopieras till utdatamappen); ange målet själv om det ska granskas")


def _leads_out(path: Path, inside: Path, problems: list[tuple[Path, str]]) -> bool:
    """True (and said in `problems`) for a link whose target lies outside the folder being checked."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False  # leads nowhere: told as such where it is looked at
    if target == inside or inside in target.parents:
        return False
    problems.append((path, OUTSIDE_LINK))
    return True


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[str | int, ...], str]:
    """Sort as a person reads a folder listing: "kopia 2" before "kopia 10", case aside.

    re.split with a group puts text at even and numbers at odd places, so two keys
    never compare a number with a text.
    """
    parts = tuple(int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(name.casefold())))
    return (parts, name)


_sort_key = natural_key


def _path_key(path: Path, root: Path) -> tuple[tuple[tuple[str | int, ...], str], ...]:
    return tuple(_sort_key(part) for part in path.relative_to(root).parts)


def _not_a_file(path: Path) -> str:
    if path.is_symlink():
        return "länken leder ingenstans (den pekar på en fil som inte finns, eller i en ring på sig själv)"
    return "det är ingen vanlig fil (utan till exempel en enhet eller en namngiven pipe)"


def _describe_os_error(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "mappen kunde inte öppnas: åtkomst nekad"
    return f"mappen kunde inte läsas ({error.strerror or error})"

