"""Errors that reach people. Every message is Swedish and names the file."""

from __future__ import annotations

from pathlib import Path


class MalkollError(Exception):
    """Base class: something the user must be told about, in Swedish, without a traceback."""


class ReadError(MalkollError):
    """A file could not be read as a report (not a .docx, damaged, encrypted …)."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ConfigError(MalkollError):
    """A configuration file or command-line setting is wrong (exit code 2)."""


def os_problem(error: OSError) -> str:
    """An operating-system error in Swedish words (the system's own wording is English)."""
    import errno

    words = {
        errno.ENOSPC: "disken är full",
        errno.EDQUOT: "diskkvoten är slut",
        errno.EACCES: "åtkomst nekad",
        errno.EPERM: "åtkomst nekad",
        errno.EROFS: "disken är skrivskyddad",
        errno.ENOENT: "mappen finns inte",
        errno.EIO: "in- eller utmatningsfel på disken",
    }
    return words.get(error.errno or 0) or (error.strerror or str(error))
class UsageError(Exception):
    """Misuse the user must be told about in Swedish (exit code 2)."""


# Exit codes scripts can trust (see checker.cli).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
