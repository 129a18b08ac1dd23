"""The gate's settings cannot be changed by those it checks.

`malkoll watch` finds its malkoll.toml by looking upward from the watched
folder, and a coordinator often keeps it in that very folder, where every
unit can write. A unit that drops its own malkoll.toml there (`ignore` every
family, a lower fail level) would otherwise pass its own failing report from
the next run on — scheduled `watch --once` runs included.

So the gate remembers the settings it was set up with. The first time a
folder is watched, the configuration file that applies to it, and its
content, are recorded in the user's own state folder (outside every watched
folder); a configuration file inside the watched folder that later appears,
changes or disappears is not obeyed until the coordinator confirms it
(`--bekrafta-installningar`), and each run says so. A configuration outside
the watched folder (`--config`, or one in a folder above it) is the
coordinator's own and is read as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checker.config import MAX_CONFIG_BYTES, Config, find_config, load_config, load_config_for
from checker.errors import ConfigError
from checker.private import STATE_ENV, state_dir

CONFIRM_OPTION = "--bekrafta-installningar"


@dataclass(frozen=True)
class _Record:
    """What the coordinator confirmed: the configuration file (None: none) and its bytes."""

    path: str | None
    content: str | None

    def to_json(self) -> str:
        return json.dumps({"config": self.path, "content": self.content}, ensure_ascii=False)


def watched_config(folder: Path, explicit: Path | None, *, confirm: bool, log: Callable[[str], None]) -> Config:
    """The configuration the gate on `folder` obeys (see the module docstring). Raises ConfigError."""
    config = _obeyed_config(_real(folder), explicit, confirm=confirm, log=log)
    _guard_rule_files(config, _real(folder), confirm=confirm, log=log)
    return config


def _obeyed_config(folder: Path, explicit: Path | None, *, confirm: bool, log: Callable[[str], None]) -> Config:
    current = explicit if explicit is not None else find_config(folder)
    if current is not None and not _inside(_real(current), folder):
        return load_config_for(folder, explicit)  # out of the units' reach
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"Konfigurationsfilen finns inte: {explicit}")
    present = _Record(str(current.absolute()) if current is not None else None, _read(current))
    record_file = state_dir() / f"bevakning-{hashlib.sha256(str(folder).encode()).hexdigest()[:20]}.json"
    remembered = _load_record(record_file)
    if remembered is None or confirm:
        config = load_config(current) if current is not None else Config()  # a broken file is refused before it is kept
        _save_record(record_file, present)
        if current is not None:
            log(f"Inställningarna i {current} gäller för bevakningen av {folder} och har sparats. Ändras filen "
                f"gäller ändringen först när du bekräftar den med malkoll watch {CONFIRM_OPTION}.")
        return config
    if remembered == present:
        return load_config(current) if current is not None else Config()
    log(_changed_message(folder, remembered, present))
    return _remembered_config(remembered)


def _guard_rule_files(config: Config, folder: Path, *, confirm: bool, log: Callable[[str], None]) -> None:
    """Rule files the configuration names inside the watched folder: any change stops the gate until confirmed.

    Their text cannot be kept and used instead, as the configuration's is (a rule folder may be large),
    so a changed rule file stops the run (exit code 2) rather than let a unit's edit decide the verdicts.
    """
    present = _rule_digests(config, folder)
    record_file = state_dir() / f"regler-{hashlib.sha256(str(folder).encode()).hexdigest()[:20]}.json"
    try:
        remembered = json.loads(record_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        remembered = None
    except (OSError, ValueError):
        remembered = {}  # unreadable: as good as changed
    if remembered is None or confirm:
        _save_text(record_file, json.dumps(present, ensure_ascii=False))
        if present:
            log(f"VARNING: regelfilerna {', '.join(sorted(present))} ligger i den bevakade mappen, där enheterna kan "
                f"skriva. Bevakningen stannar om de ändras (bekräfta då med malkoll watch {CONFIRM_OPTION}); "
                "flytta dem hellre utanför mappen.")
        return
    changed = sorted(set(present.items()) ^ set(remembered.items()) if isinstance(remembered, dict) else present)
    if changed:
        names = ", ".join(sorted({name for name, _ in changed}))
        raise ConfigError(
            f"Regelfilerna i den bevakade mappen har ändrats sedan bevakningen av {folder} sattes upp ({names}). "
            "Bevakningen granskar inte med regler som någon annan kan ha ändrat. Är ändringen din, bekräfta den med "
            f"malkoll watch {CONFIRM_OPTION}; flytta hellre regelfilerna utanför mappen."
        )


def _rule_digests(config: Config, folder: Path) -> dict[str, str]:
    """SHA-256 of each rule file inside `folder` that the configuration names (directly or in a rule folder)."""
    digests: dict[str, str] = {}
    for path in (*(config.rules or ()), *config.extend_rules):
        real = _real(path)
        if not _inside(real, folder):
            continue
        files = sorted(real.glob("*.rules")) if real.is_dir() else [real]
        for file in files:
            try:
                digests[str(file)] = hashlib.sha256(file.read_bytes()[: 16 * 1024 * 1024]).hexdigest()
            except OSError:
                digests[str(file)] = "oläsbar"
    return digests


def _changed_message(folder: Path, remembered: _Record, present: _Record) -> str:
    if present.path is None:
        what = f"Konfigurationsfilen {remembered.path} har tagits bort"
    elif remembered.path is None:
        what = f"Konfigurationsfilen {present.path} har lagts i den bevakade mappen"
    elif remembered.path != present.path:
        what = f"Konfigurationsfilen {present.path} har ersatt {remembered.path}"
    else:
        what = f"Konfigurationsfilen {present.path} har ändrats"
    return (f"VARNING: {what} sedan bevakningen av {folder} sattes upp. Ändringen följs inte: bevakningen "
            f"använder de bekräftade inställningarna. Är ändringen din, bekräfta den med malkoll watch {CONFIRM_OPTION}.")


def _remembered_config(record: _Record) -> Config:
    """The confirmed settings, parsed from the kept copy as if from the file's own folder."""
    if record.path is None or record.content is None:
        return Config()
    return load_config(Path(record.path), record.content)


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with path.open("rb") as handle:  # no larger than load_config reads (checker.config.MAX_CONFIG_BYTES)
            return handle.read(MAX_CONFIG_BYTES + 1).decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise ConfigError(f"{path}: konfigurationsfilen kunde inte läsas ({error.strerror or error}).") from error


def _load_record(path: Path) -> _Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _Record(data["config"], data["content"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"De sparade inställningarna för bevakningen ({path}) kunde inte läsas ({error}). "
                          f"Bekräfta inställningarna på nytt med malkoll watch {CONFIRM_OPTION}.") from None


def _save_record(path: Path, record: _Record) -> None:
    _save_text(path, record.to_json())


def _save_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".bevakning-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise ConfigError(f"Bevakningens inställningar kunde inte sparas i {path.parent} "
                          f"({error.strerror or error}); sätt {STATE_ENV} till en mapp du kan skriva i.") from None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
