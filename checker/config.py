"""Settings from `malkoll.toml` or `[tool.malkoll]` in pyproject.toml.

A coordinator keeps one `malkoll.toml` in the shared folder with the unit
documents (which profile, which extra rules); Målkoll finds it by looking
upward from the folder being checked, as git and ruff do. Command-line
options override what the file says.

    # malkoll.toml
    profile = "inlamning"
    fail-level = "varning"
    extend-rules = ["egna-regler/"]
    ignore = ["<regel-id>"]   # t.ex. en informationsregel ni inte vill se
    timeout = 120          # seconds per file before its check is stopped
    output = "granskning"  # where `malkoll watch` writes its outputs

    [limits]               # how much of a .docx is unpacked (checker.limits)
    max-file-mb = 200

Every mistake in the file is reported in Swedish with the file, the key and
the accepted values, and stops the run (exit code 2): a silently ignored
setting would make a coordinator trust a check that never ran.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from checker.errors import ConfigError
from checker.output.reporter import FORMATS
from checker.severity import Severity, level_names

CONFIG_NAME = "malkoll.toml"
PYPROJECT_NAME = "pyproject.toml"

# The accepted words for fail-level, mapped to the English keyword used internally.
FAIL_LEVELS = level_names()  # from the one Severity (checker.severity)
OUTPUT_FORMATS = FORMATS  # the reporters' own list (checker.output.reporter)
# Seconds a single file may take before its check is stopped (0 = no limit).
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Config:
    """What a configuration file says; None/empty means "not set"."""

    path: Path | None = None
    rules: tuple[Path, ...] | None = None
    extend_rules: tuple[Path, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    profile: str | None = None
    fail_level: str | None = None
    output_format: str | None = None
    timeout: float | None = None
    # Where `malkoll watch` writes annotated copies, reports and the overview.
    output: Path | None = None
    # [trad]: which unit and year (and kind) files say too little about.
    threads: tuple[ThreadOverride, ...] = ()
    # [limits]: checker.limits field → value, validated.
    limits: tuple[tuple[str, Any], ...] = ()
    # [per-file-ignores]: glob → rules accepted with a reason (checker.acceptance.FileIgnore).
    file_ignores: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ThreadOverride:
    """What the coordinator states about some files: one line of [trad] (files matching `pattern`,
    relative to the configuration file's folder), or --typ/--ar/--enhet for one file on the command
    line. It wins over whatever the document itself says, in check, watch, thread and the overview."""

    pattern: str
    base: Path
    unit: str | None = None
    year: int | None = None
    role: str | None = None  # "VP", "T1", "T2" or "VB"
    source: str = "installning"  # or "kommandorad"

    def matches(self, path: Path) -> bool:
        try:
            relative = path.absolute().relative_to(self.base.absolute()).as_posix()
        except ValueError:
            relative = path.as_posix()
        pattern = self.pattern.replace("\\", "/")
        return fnmatch.fnmatch(relative, pattern) or PurePosixPath(relative).match(pattern)

    @property
    def where(self) -> str:
        return "kommandoraden" if self.source == "kommandorad" else f"malkoll.toml [trad] \"{self.pattern}\""


def stated_for(path: Path, overrides: Sequence[ThreadOverride]) -> tuple[ThreadOverride, ...]:
    """What is stated about `path`: the command line first, then the first matching [trad] line."""
    from_command_line = [o for o in overrides if o.source == "kommandorad" and o.matches(path)]
    from_file = next((o for o in overrides if o.source != "kommandorad" and o.matches(path)), None)
    return (*from_command_line, *([from_file] if from_file is not None else []))


@dataclass(frozen=True)
class _Key:
    kind: str  # "paths", "ids", "word", "seconds", "path", "threads", "limits"
    choices: dict[str, str] | None = None
    help: str = ""


_KEYS: dict[str, _Key] = {
    "rules": _Key("paths", help="regelfiler eller mappar som ersätter de inbyggda reglerna"),
    "extend-rules": _Key("paths", help="regelfiler eller mappar som läggs till de inbyggda reglerna"),
    "select": _Key("ids", help="regel-id eller prefix som ska användas, t.ex. [\"VB\", \"IN01\"]"),
    "ignore": _Key("ids", help="regel-id eller prefix som ska hoppas över, t.ex. [\"DK02\"]"),
    "profile": _Key("word", help="profilens namn, t.ex. \"inlamning\""),
    "fail-level": _Key("word", choices=FAIL_LEVELS, help="\"error\", \"warning\" eller \"info\" (eller \"fel\", \"varning\")"),
    "output-format": _Key(
        "word", choices={f: f for f in OUTPUT_FORMATS}, help="\"terminal\" eller \"json\", för CI-system även \"sarif\" eller \"junit\""
    ),
    "timeout": _Key("seconds", help="högsta antal sekunder per fil, t.ex. 120 (0 = ingen gräns)"),
    "output": _Key("path", help="mappen där malkoll watch skriver kopior, rapporter och sammanställning, t.ex. \"granskning\""),
    "trad": _Key(
        "threads",
        help="en tabell där varje fil eller filmönster får enhet, år och vid behov typ, "
        "t.ex. \"Aspudden/*.docx\" = { enhet = \"Aspuddens hemtjänst\", ar = 2025, typ = \"T2\" }",
    ),
    "limits": _Key("limits", help="gränser för hur mycket av en .docx som packas upp, t.ex. max-file-mb = 400 (se SECURITY.md)"),
    "per-file-ignores": _Key("file_ignores", help="brister som godtas för vissa filer, alltid med skäl (se docs/acceptera.md)"),
}


def find_config(start: Path) -> Path | None:
    """The nearest malkoll.toml, or pyproject.toml with [tool.malkoll], at or above `start`.

    A pyproject.toml without a [tool.malkoll] table belongs to something else
    and is passed over; in one folder, malkoll.toml wins over pyproject.toml.
    """
    folder = start if start.is_dir() else start.parent
    folder = folder.absolute()
    for candidate_dir in (folder, *folder.parents):
        own = candidate_dir / CONFIG_NAME
        if own.is_file():
            return own
        pyproject = candidate_dir / PYPROJECT_NAME
        if pyproject.is_file() and _has_malkoll_table(pyproject):
            return pyproject
    return None


def _has_malkoll_table(pyproject: Path) -> bool:
    # A cheap textual look first: most pyproject.toml files never mention us,
    # and a broken one that does not is none of our business.
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*malkoll\s*[\].]", text, re.MULTILINE) is not None


def load_config(path: Path, text: str | None = None) -> Config:
    """Read and validate one configuration file (or `text`, kept from it earlier). Raises ConfigError in Swedish."""
    data = _read_toml(path) if text is None else _parse_toml(path, text)
    if path.name == PYPROJECT_NAME:
        table = data.get("tool", {}).get("malkoll", {})
        where = "[tool.malkoll]"
    else:
        table = data
        where = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where or 'filen'} måste vara en tabell med inställningar.")
    return _parse_table(path, table, where)


def load_config_for(start: Path, explicit: Path | None = None) -> Config:
    """The configuration that applies to `start`, or `explicit` when the user named a file."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Konfigurationsfilen finns inte: {explicit}")
        return load_config(explicit)
    found = find_config(start)
    return load_config(found) if found is not None else Config()


# A settings file is a few lines; a pyproject.toml a few KB. Anything this
# large is not a configuration and is refused before it is parsed.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"{path}: konfigurationsfilen kunde inte läsas ({error.strerror or error}).") from error
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: konfigurationsfilen är större än 1 MB – det är ingen inställningsfil.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: konfigurationsfilen är inte sparad som UTF-8.") from error
    return _parse_toml(path, text)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_error_message(path, text, error)) from error
    except RecursionError:
        # tomllib reads nested arrays and tables recursively.
        raise ConfigError(f"{path}: filen är för djupt nästlad (listor eller tabeller i hundratals nivåer).") from None


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


# tomllib's messages (Python 3.11–3.13), by their start, in Swedish; an unknown one is kept in English.
_TOML_DETAILS = (
    ("unclosed array", "en lista saknar sin avslutande ]"),
    ("unclosed inline table", "en tabell inom { } saknar sin avslutande }"),
    ("unterminated string", "en text saknar sitt avslutande citattecken"),
    ("expected '=' after a key", "ett = saknas efter namnet"),
    ("invalid value", "värdet saknas eller är ogiltigt (text skrivs inom citattecken, listor inom [ ])"),
    ("invalid statement", "raden är varken namn = värde eller en [rubrik]"),
    ("invalid initial character for a key", "namnet börjar med ett tecken som inte är tillåtet"),
    ("expected newline or end of document", "något står kvar efter värdet på raden"),
    ("cannot overwrite a value", "samma namn anges två gånger"),
    ("cannot declare", "samma [rubrik] anges två gånger"),
    ("illegal character", "raden innehåller ett otillåtet tecken"),
    ("found invalid character in string", "en text innehåller ett otillåtet tecken"),
    ("unescaped", "ett \\ i en text måste skrivas \\\\ (eller använd ' i stället för \")"),
    ("invalid date or datetime", "ett ogiltigt datum"),
    ("expected ']' at the end of a table declaration", "en [rubrik] saknar sin avslutande ]"),
)


def _swedish_toml_detail(detail: str) -> str:
    lowered = detail.lower()
    for start, swedish in _TOML_DETAILS:
        if lowered.startswith(start):
            return swedish
    return f"tolkens besked: {detail}"


def _toml_error_message(path: Path, text: str, error: tomllib.TOMLDecodeError) -> str:
    """Swedish "file:line:col" with the offending line and a caret.

    tomllib only says what it expected in English; where the problem is
    matters more to a reader, so the position is shown and the English detail
    kept in parentheses for whoever needs it.
    """
    detail = str(error)
    match = _TOML_POSITION.search(detail)
    if match is None:
        return f"{path}: filen är inte giltig TOML ({detail})."
    line_no, col_no = int(match.group(1)), int(match.group(2))
    detail = _swedish_toml_detail(detail[: match.start()].strip())
    lines = text.splitlines()
    shown = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    caret = " " * (max(col_no, 1) - 1) + "^"
    return (
        f"{path}:{line_no}:{col_no}: filen är inte giltig TOML: {detail} "
        f"(kontrollera citattecken, = och hakparenteser)\n"
        f"    {shown}\n    {caret}"
    )


def _parse_table(path: Path, table: dict[str, Any], where: str) -> Config:
    values: dict[str, Any] = {}
    prefix = f"{path}: {where + ': ' if where else ''}"
    for key, value in table.items():
        spec = _KEYS.get(key)
        if spec is None:
            raise ConfigError(prefix + _unknown_key_message(key))
        values[key] = _convert(path, prefix, key, spec, value)
    return Config(
        path=path,
        rules=values.get("rules"),
        extend_rules=values.get("extend-rules") or (),
        select=values.get("select"),
        ignore=values.get("ignore"),
        profile=values.get("profile"),
        fail_level=values.get("fail-level"),
        output_format=values.get("output-format"),
        timeout=values.get("timeout"),
        output=values.get("output"),
        threads=values.get("trad") or (),
        limits=values.get("limits") or (),
        file_ignores=values.get("per-file-ignores") or (),
    )


def _unknown_key_message(key: str) -> str:
    message = f"okänd inställning \"{key}\"."
    # Underscores and Swedish spellings are the usual slips.
    guess = difflib.get_close_matches(key.replace("_", "-").lower(), list(_KEYS), n=1, cutoff=0.6)
    if guess:
        message += f" Menade du \"{guess[0]}\"?"
    message += " Tillåtna inställningar: " + ", ".join(_KEYS) + "."
    return message


def _convert(path: Path, prefix: str, key: str, spec: _Key, value: Any) -> Any:
    if spec.kind == "threads":
        return _thread_overrides(path, prefix, key, spec, value)
    if spec.kind == "file_ignores":
        from checker.acceptance import file_ignores

        return file_ignores(path, prefix, key, value)
    if spec.kind == "limits":
        from checker.limits import table_changes

        return tuple(table_changes(value, prefix).items())
    if spec.kind == "paths":
        items = _string_list(prefix, key, spec, value)
        # Relative to the file, so the setting means the same wherever malkoll is run from.
        return tuple((path.parent / item).resolve() if not Path(item).is_absolute() else Path(item) for item in items)
    if spec.kind == "seconds":
        return _seconds(prefix, key, spec, value)
    if spec.kind == "path":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{prefix}\"{key}\" ska vara en text: {spec.help}.")
        # Relative to the file, like rule paths.
        return (path.parent / value.strip()).resolve() if not Path(value.strip()).is_absolute() else Path(value.strip())
    if spec.kind == "ids":
        items = _string_list(prefix, key, spec, value)
        return tuple(part.strip() for item in items for part in item.split(",") if part.strip())
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{prefix}\"{key}\" ska vara en text: {spec.help}.")
    word = value.strip()
    if spec.choices is None:
        return word
    normalised = spec.choices.get(word.lower())
    if normalised is None:
        message = f"ogiltigt värde \"{value}\" för \"{key}\"."
        guess = difflib.get_close_matches(word.lower(), list(spec.choices), n=1, cutoff=0.5)
        if guess:
            message += f" Menade du \"{guess[0]}\"?"
        message += f" Tillåtna värden: {spec.help}."
        raise ConfigError(prefix + message)
    return normalised


# The longest time limit that means something (a week); 1e12 seconds overflowed the worker wait.
MAX_SECONDS = 7 * 24 * 3600.0


def _seconds(prefix: str, key: str, spec: _Key, value: Any) -> float:
    # bool is an int in Python; "timeout = true" is a mistake, not one second.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigError(f"{prefix}\"{key}\" ska vara ett tal som inte är negativt: {spec.help}.")
    problem = seconds_problem(float(value))
    if problem is not None:
        raise ConfigError(f"{prefix}\"{key}\": {problem}.")
    return float(value)


def seconds_problem(value: float) -> str | None:
    """Why a number of seconds is no usable time limit (None: it is), in Swedish."""
    if value != value or value == float("inf"):
        return "antalet sekunder ska vara ett ändligt tal"
    if value > MAX_SECONDS:
        return f"högst {MAX_SECONDS:.0f} sekunder (en vecka); använd 0 för ingen gräns"
    return None


def _string_list(prefix: str, key: str, spec: _Key, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{prefix}\"{key}\" ska vara en text eller en lista med texter: {spec.help}.")
    return [v.strip() for v in value]


_THREAD_FIELDS = {"enhet": "unit", "unit": "unit", "år": "year", "ar": "year", "year": "year",
                  "typ": "role", "kind": "role", "dokument": "role"}
_THREAD_ROLES = {"vp": "VP", "verksamhetsplan": "VP", "t1": "T1", "tertialrapport 1": "T1", "t2": "T2",
                 "tertialrapport 2": "T2", "vb": "VB", "verksamhetsberättelse": "VB", "verksamhetsberattelse": "VB"}


def _thread_overrides(path: Path, prefix: str, key: str, spec: _Key, value: Any) -> tuple[ThreadOverride, ...]:
    """[trad]: "filmönster" = { enhet = "…", år = 2025, typ = "VB" } – every mistake named in Swedish."""
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}[{key}] ska vara en tabell: {spec.help}.")
    overrides = []
    for pattern, entry in value.items():
        where = f"{prefix}[{key}] \"{pattern}\": "
        if not isinstance(entry, dict) or not entry:
            raise ConfigError(f"{where}värdet ska vara en tabell med enhet, ar och/eller typ: {spec.help}.")
        fields: dict[str, Any] = {}
        for name, item in entry.items():
            field_name = _THREAD_FIELDS.get(name.strip().lower())
            if field_name is None:
                raise ConfigError(f"{where}okänd nyckel \"{name}\" – tillåtna är enhet, ar (eller \"år\" inom citattecken) och typ.")
            fields[field_name] = _thread_value(where, field_name, item)
        overrides.append(ThreadOverride(pattern.strip(), path.parent.resolve(), **fields))
    return tuple(overrides)


def _thread_value(where: str, field_name: str, item: Any) -> Any:
    if field_name == "unit":
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{where}enhet ska vara enhetens namn som text.")
        return item.strip()
    if field_name == "year":
        if isinstance(item, bool) or not isinstance(item, int) or not 1990 <= item <= 2100:
            raise ConfigError(f"{where}år ska vara ett årtal, t.ex. 2025 (utan citattecken).")
        return item
    role = _THREAD_ROLES.get(str(item).strip().lower()) if isinstance(item, str) else None
    if role is None:
        raise ConfigError(f"{where}ogiltig typ \"{item}\" – skriv VP, T1, T2 eller VB.")
    return role


@dataclass(frozen=True)
class Settings:
    """The effective settings for one run: configuration file plus command line."""

    rules: tuple[Path, ...] | None = None
    extend_rules: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    profile: str | None = None
    fail_level: str = "error"
    output_format: str = "terminal"
    config_path: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    output: Path | None = None
    threads: tuple[ThreadOverride, ...] = ()
    limits: tuple[tuple[str, Any], ...] = ()
    file_ignores: tuple[Any, ...] = ()


def merge(
    config: Config,
    *,
    rules: list[Path] | None = None,
    extend_rules: list[Path] | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    profile: str | None = None,
    fail_level: str | None = None,
    output_format: str | None = None,
    timeout: float | None = None,
) -> Settings:
    """Command-line values override the file key by key.

    The one exception is extend-rules: rules added on the command line come on
    top of those the file adds, because "also try this rule file" is what a
    person means when they pass --extend-rules in a configured folder.
    """
    return Settings(
        rules=tuple(rules) if rules else config.rules,
        extend_rules=tuple(config.extend_rules) + tuple(extend_rules or ()),
        select=tuple(select) if select is not None else (config.select or ()),
        ignore=tuple(ignore) if ignore is not None else (config.ignore or ()),
        profile=profile if profile is not None else config.profile,
        fail_level=fail_level or config.fail_level or "error",
        output_format=output_format or config.output_format or "terminal",
        config_path=config.path,
        timeout=timeout if timeout is not None else (config.timeout if config.timeout is not None else DEFAULT_TIMEOUT),
        output=config.output,
        threads=config.threads,
        limits=config.limits,
        file_ignores=config.file_ignores,
    )


def split_ids(values: list[str] | None) -> list[str] | None:
    """["AA01,AA02", "BB"] → ["AA01", "AA02", "BB"]; None stays None (not given)."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_fail_level(word: str) -> str:
    """"varning" → "warning"; ValueError with a Swedish message for anything else."""
    try:
        return Severity.parse(word).label
    except ValueError:
        raise ValueError(
            f"ogiltig nivå \"{word}\": välj error, warning eller info (eller på svenska fel, varning, info)"
        ) from None
