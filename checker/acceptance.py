"""Accepting a finding: always with a reason, never silently.

Three ways a person can say "we know, and it is fine":

    [per-file-ignores] in malkoll.toml     glob → rule ids, with a reason (skal)
    a baseline (--baseline FIL)            the findings of an earlier run
    a Word comment in the document         "Målkoll: godkänn VB06 – <skäl>" in a goal

An accepted finding is not removed: it keeps its place in every output with
its reason (Finding.accepted) and only stops failing the gate. The matching
is done here, in one place, right after a file's findings are made
(checker.batch.process), so check and watch both get it, and the annotated
copy shows it. Entries that accept nothing are reported (unused_entries), as
a note, never as a failure.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from checker.errors import ConfigError
from checker.findings import SOURCE_BASELINE, SOURCE_COMMENT, SOURCE_CONFIG, Acceptance, Finding

if TYPE_CHECKING:
    from checker.model import Report
    from checker.results import FileResult

BASELINE_FORMAT = "malkoll-baslinje"
BASELINE_VERSION = 1
# A baseline of every finding in a large shared folder is a few MB; anything far larger is no baseline.
MAX_BASELINE_BYTES = 64 * 1024 * 1024


# --- what may be accepted ----------------------------------------------------------


@dataclass(frozen=True)
class FileIgnore:
    """One line of [per-file-ignores]: files matching `pattern` (relative to malkoll.toml's folder)."""

    pattern: str
    base: Path
    rules: tuple[str, ...]  # rule ids or prefixes, as --ignore takes them
    reason: str

    def matches_path(self, path: Path) -> bool:
        try:
            # relpath, not relative_to: a settings folder beside the documents names them "../Inlämnat/*.docx".
            relative = Path(os.path.relpath(path.absolute(), self.base.absolute())).as_posix()
        except ValueError:  # another drive on Windows
            relative = path.as_posix()
        pattern = self.pattern.replace("\\", "/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        return fnmatch.fnmatch(relative, pattern) or PurePosixPath(relative).match(pattern)

    def rule_for(self, rule: str) -> str | None:
        """The id or prefix of this line that covers `rule` (None: none does)."""
        return next((r for r in self.rules if rule.upper().startswith(r.upper())), None)

    def entry(self, rule: str) -> str:
        return f"malkoll.toml [per-file-ignores] \"{self.pattern}\": {rule}"


@dataclass(frozen=True)
class Baseline:
    """The findings of an earlier run: key → how many findings had it."""

    path: Path
    counts: tuple[tuple[str, int], ...]
    created: str = ""

    def entry(self) -> str:
        return f"baslinjen {self.path}"


@dataclass(frozen=True)
class CommentAcceptance:
    """An author's Word comment "Målkoll: godkänn VB06 – skäl", anchored in the blocks `first`..`last`."""

    rules: tuple[str, ...]
    reason: str
    first: int
    last: int
    # The goal the comment lies in: from its heading block to the block before the next goal heading.
    goal_start: int | None = None
    goal_end: int | None = None
    # Why the comment accepts nothing (no reason, outside every goal …), in Swedish.
    problem: str | None = None
    # The goal is the document's last: it runs to the end.
    open_end: bool = False

    def entry(self, rule: str) -> str:
        return f"Word-kommentaren \"Målkoll: godkänn {rule}\" (block {self.first + 1})"

    def covers(self, block: int) -> bool:
        if self.goal_start is None:
            return False
        return self.goal_start <= block and (self.open_end or (self.goal_end is not None and block <= self.goal_end))

    def unused_note(self, rule: str | None) -> str:
        if rule is None:
            return self.problem or "en Word-kommentar till Målkoll förstods inte"
        return f"{self.entry(rule)} {self.problem or 'godkänner ingen brist'}"


@dataclass(frozen=True)
class Acceptances:
    """Everything a run may accept, from malkoll.toml and --baseline (comments come with each document)."""

    ignores: tuple[FileIgnore, ...] = ()
    baseline: Baseline | None = None

    def __bool__(self) -> bool:
        return bool(self.ignores) or self.baseline is not None


# --- applying them -------------------------------------------------------------------


def accept(result: FileResult, acceptances: Acceptances, comments: Sequence[CommentAcceptance] | None = None) -> FileResult:
    """The result with every finding a person accepted marked so, with the reason (idempotent).

    `comments` None: the document's comments were applied before (in the worker); findings added since
    (the thread rules) get the run's acceptances, and what the comments left unused stays as it was.
    """
    if comments is None:
        kept = result.unused_acceptances
        return replace(accept(result, acceptances, ()), unused_acceptances=kept)
    if not result.findings or not (acceptances or comments):
        unused = tuple(note for c in comments for note in _notes(c, set(), comments.index(c)))
        return replace(result, unused_acceptances=unused) if unused and result.error is None else result
    ignores = [i for i in acceptances.ignores if i.matches_path(result.path)]
    left = Counter(dict(acceptances.baseline.counts)) if acceptances.baseline is not None else Counter()
    identity = document_identity(result.report, result.path)
    used_comments: set[tuple[int, str]] = set()
    findings = []
    for finding in result.findings:
        accepted = finding.accepted or _by_comment(finding, comments, used_comments) or _by_config(finding, ignores)
        if accepted is None or accepted.source == SOURCE_BASELINE:
            key = baseline_key(finding, identity)
            if left[key] > 0:
                left[key] -= 1
                if accepted is None:
                    assert acceptances.baseline is not None
                    accepted = _baseline_acceptance(acceptances.baseline)
        findings.append(finding if accepted is finding.accepted else replace(finding, accepted=accepted))
    unused = tuple(note for n, c in enumerate(comments) for note in _notes(c, used_comments, n))
    return replace(result, findings=tuple(findings), unused_acceptances=unused)


def _notes(comment: CommentAcceptance, used: set[tuple[int, str]], number: int) -> list[str]:
    """What to say about a comment's rules that accepted nothing."""
    if not comment.rules:
        return [comment.unused_note(None)]
    return [comment.unused_note(rule) for rule in comment.rules if (number, rule) not in used]


def _by_config(finding: Finding, ignores: Sequence[FileIgnore]) -> Acceptance | None:
    for ignore in ignores:
        rule = ignore.rule_for(finding.rule)
        if rule is not None:
            return Acceptance(ignore.reason, SOURCE_CONFIG, ignore.entry(rule))
    return None


def _by_comment(finding: Finding, comments: Sequence[CommentAcceptance], used: set[tuple[int, str]]) -> Acceptance | None:
    source = finding.location.source
    if source is None:
        return None
    for number, comment in enumerate(comments):
        if not comment.covers(source.block):
            continue
        rule = next((r for r in comment.rules if finding.rule.upper().startswith(r.upper())), None)
        if rule is not None:
            used.add((number, rule))
            return Acceptance(comment.reason, SOURCE_COMMENT, comment.entry(rule))
    return None


def _baseline_acceptance(baseline: Baseline) -> Acceptance:
    when = f" (skapad {baseline.created})" if baseline.created else ""
    return Acceptance(f"fanns redan i baslinjen {baseline.path.name}{when}", SOURCE_BASELINE, baseline.entry())


class UnusedTracker:
    """Which entries of a run's acceptances were used, to report those that accepted nothing."""

    def __init__(self, acceptances: Acceptances) -> None:
        self.acceptances = acceptances
        self.used: set[str] = set()
        self.document_notes: list[str] = []
        self.baseline_left = Counter(dict(acceptances.baseline.counts)) if acceptances.baseline else Counter()

    def see(self, result: FileResult) -> None:
        identity = document_identity(result.report, result.path)
        for finding in result.findings:
            if finding.accepted is not None:
                self.used.add(finding.accepted.entry)
                if finding.accepted.source == SOURCE_BASELINE:
                    key = baseline_key(finding, identity)
                    self.baseline_left[key] = max(0, self.baseline_left[key] - 1)
        self.document_notes.extend(f"{result.path.name}: {note}" for note in result.unused_acceptances)

    def unused(self) -> list[str]:
        notes = [
            f"{ignore.entry(rule)} godkänner ingen brist (ta bort raden eller rätta mönstret)"
            for ignore in self.acceptances.ignores for rule in ignore.rules if ignore.entry(rule) not in self.used
        ]
        notes.extend(self.document_notes)
        gone = sum(self.baseline_left.values())
        if self.acceptances.baseline is not None and gone:
            notes.append(f"{self.acceptances.baseline.entry()}: {gone} "
                         f"{'brist finns' if gone == 1 else 'brister finns'} inte längre "
                         "(skriv en ny baslinje med --baseline-skriv när ni vill)")
        return notes


# --- the baseline's key ------------------------------------------------------------------


def document_identity(report: Report | None, path: Path) -> str:
    """Unit, year and type: the same document after a rename or a small edit (the file name only as a last resort)."""
    if report is None or not (report.unit or report.year):
        return "fil:" + normalise(path.stem)
    kind = report.kind or "?"
    if report.tertial:
        kind = f"{kind}{report.tertial}"
    return f"{normalise(report.unit or '?')}|{report.year or '?'}|{normalise(kind)}"


def baseline_key(finding: Finding, identity: str) -> str:
    """Rule + document + target; the message only for a finding about the whole document (no target)."""
    target = finding.target if finding.target else "dokument:" + _message_shape(finding.message)
    return f"{finding.rule}|{identity}|{finding.target_type}|{normalise(target)}"


def normalise(text: str) -> str:
    """Case, accents kept; punctuation and spacing do not make a new finding."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def _message_shape(message: str) -> str:
    # Numbers and quoted words in a message change with small edits ("3 av 5 mål"); the shape stays.
    message = re.sub(r"[\"“”«»'].*?[\"“”«»']", "…", message)
    return re.sub(r"\d+", "#", message)


def baseline_json(results: Iterable[FileResult], created: datetime | None = None) -> str:
    """The text of a baseline file: every finding not accepted in another way, with its key."""
    entries: list[dict[str, Any]] = []
    for result in results:
        identity = document_identity(result.report, result.path)
        for finding in result.findings:
            if finding.accepted is not None and finding.accepted.source != SOURCE_BASELINE:
                continue
            entries.append({
                "nyckel": baseline_key(finding, identity),
                "regel": finding.rule,
                "fil": result.path.name,
                "mal": finding.target,
                "meddelande": finding.message,
            })
    created = created or datetime.now().astimezone()
    data = {"format": BASELINE_FORMAT, "version": BASELINE_VERSION,
            "skapad": created.strftime("%Y-%m-%d %H:%M"), "brister": entries}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read a baseline written by --baseline-skriv; every problem a Swedish ConfigError naming the file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BASELINE_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"{path}: baslinjen kunde inte läsas ({error.strerror or error}).") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise ConfigError(f"{path}: filen är större än 64 MB – det är ingen baslinje från Målkoll.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ConfigError(f"{path}: filen är ingen baslinje från Målkoll (inte giltig JSON). "
                          "Skriv en med malkoll check --baseline-skriv FIL.") from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT or not isinstance(data.get("brister"), list):
        raise ConfigError(f"{path}: filen är ingen baslinje från Målkoll. Skriv en med malkoll check --baseline-skriv FIL.")
    if data.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{path}: baslinjen har version {data.get('version')!r}, som den här Målkoll inte kan läsa; "
                          "skriv en ny med --baseline-skriv.")
    keys: Counter[str] = Counter()
    for number, entry in enumerate(data["brister"], start=1):
        key = entry.get("nyckel") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not key:
            raise ConfigError(f"{path}: brist nummer {number} i baslinjen saknar \"nyckel\"; skriv en ny med --baseline-skriv.")
        keys[key] += 1
    created = data.get("skapad") if isinstance(data.get("skapad"), str) else ""
    return Baseline(path, tuple(sorted(keys.items())), created)


# --- [per-file-ignores] in malkoll.toml --------------------------------------------------

PER_FILE_IGNORES_HELP = (
    "en tabell där varje filmönster får regler och ett skäl, t.ex. "
    "\"Aspudden/*.docx\" = { regler = [\"VB06\"], skal = \"Enheten lades ned i maj, beslut 2025-05-12\" }"
)
_RULE_WORDS = {"regler", "regel", "rules"}
_REASON_WORDS = {"skal", "skäl", "reason"}


def file_ignores(path: Path, prefix: str, key: str, value: Any) -> tuple[FileIgnore, ...]:
    """[per-file-ignores]: "filmönster" = { regler = [...], skal = "…" } – a reason is required."""
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}[{key}] ska vara en tabell: {PER_FILE_IGNORES_HELP}.")
    found = []
    for pattern, entry in value.items():
        where = f"{prefix}[{key}] \"{pattern}\": "
        if not pattern.strip():
            raise ConfigError(f"{where}filmönstret är tomt.")
        if isinstance(entry, (list, str)):
            raise ConfigError(f"{where}ett skäl krävs: skriv {{ regler = [...], skal = \"varför bristen godtas\" }}.")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}värdet ska vara en tabell med regler och skal: {PER_FILE_IGNORES_HELP}.")
        rules: tuple[str, ...] | None = None
        reason: str | None = None
        for name, item in entry.items():
            word = name.strip().lower()
            if word in _RULE_WORDS:
                rules = _rule_ids(where, item)
            elif word in _REASON_WORDS:
                if not isinstance(item, str) or len(item.strip()) < 3:
                    raise ConfigError(f"{where}skal ska vara en text som säger varför bristen godtas.")
                reason = " ".join(item.split())
            else:
                raise ConfigError(f"{where}okänd nyckel \"{name}\" – tillåtna är regler och skal.")
        if rules is None:
            raise ConfigError(f"{where}regler saknas: skriv vilka regler som godtas, t.ex. regler = [\"VB06\"].")
        if reason is None:
            raise ConfigError(f"{where}skal saknas: en brist godtas aldrig utan skäl, t.ex. skal = \"beslut i nämnden 2025-05-12\".")
        found.append(FileIgnore(pattern.strip(), path.parent.resolve(), rules, reason))
    return tuple(found)


_RULE_ID = re.compile(r"^[A-Za-z]{1,4}[0-9]{0,3}$")


def _rule_ids(where: str, item: Any) -> tuple[str, ...]:
    if isinstance(item, str):
        item = [item]
    if not isinstance(item, list) or not item or not all(isinstance(v, str) for v in item):
        raise ConfigError(f"{where}regler ska vara en lista med regel-id, t.ex. [\"VB06\", \"IN01\"].")
    ids = [part.strip() for value in item for part in value.split(",") if part.strip()]
    bad = [i for i in ids if not _RULE_ID.match(i)]
    if bad or not ids:
        raise ConfigError(f"{where}\"{bad[0] if bad else ''}\" är inget regel-id; skriv t.ex. \"VB06\" eller prefixet \"VB\".")
    return tuple(i.upper() for i in ids)


# --- comments in the document ---------------------------------------------------------

# "Målkoll: godkänn VB06 – skäl", also "godkänn VB06, IN01: skäl"; the dash may be -, – or —.
COMMENT_PATTERN = re.compile(
    r"^\s*m[åa]lkoll\s*:\s*godk[äa]nn\s+(?P<rules>[A-Za-z]{1,4}[0-9]{0,3}(?:\s*(?:,|och)\s*[A-Za-z]{1,4}[0-9]{0,3})*)"
    r"\s*(?:[-–—:]\s*(?P<reason>.*))?$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class ParsedComment:
    rules: tuple[str, ...]
    reason: str | None


def parse_comment(text: str) -> ParsedComment | None:
    """The rules and reason of a Målkoll comment, or None when the comment is about something else."""
    match = COMMENT_PATTERN.match(" ".join(text.split()))
    if match is None:
        return None
    rules = tuple(r.upper() for r in re.split(r"\s*(?:,|och)\s*", match.group("rules")) if r)
    reason = (match.group("reason") or "").strip()
    return ParsedComment(rules, reason if len(reason) >= 3 else None)


def comment_acceptances(report: Report | None) -> list[CommentAcceptance]:
    """The acceptances the document's own Word comments give (none until the reader finds any)."""
    if report is None:
        return []
    return list(getattr(report, "_acceptances", None) or [])


def comments_in(comments: Sequence[tuple[str, int, int]], report: Report) -> list[CommentAcceptance]:
    """The Målkoll comments of a document, each placed in the goal its range lies in.

    A goal's blocks run from its heading to the block before the next goal (or section) heading.
    A comment outside every goal, across two goals or without a reason accepts nothing, and says why.
    """
    bounds = sorted({g.source.block for g in _goals(report)} | {s.source.block for s in report.sections})
    goals = {g.source.block for g in _goals(report)}
    found = []
    for text, first, last in comments:
        parsed = parse_comment(text)
        if parsed is None:
            found.append(CommentAcceptance((), "", first, last, problem=f"Word-kommentaren \"{text[:60]}\" "
                                           "förstods inte; skriv \"Målkoll: godkänn VB06 – skäl\""))
            continue
        start = max((b for b in bounds if b <= first), default=None)
        end = min((b for b in bounds if b > start), default=None) if start is not None else None
        problem = None
        if parsed.reason is None:
            problem = "saknar skäl efter tankstrecket"
        elif start is None or start not in goals:
            problem = "ligger inte i något mål"
        elif end is not None and last >= end:
            problem = "sträcker sig över mer än ett mål"
        found.append(CommentAcceptance(parsed.rules, parsed.reason or "", first, last,
                                       None if problem else start, None if problem or end is None else end - 1,
                                       problem=problem, open_end=problem is None and end is None))
    return found


def _goals(report: Report) -> list[Any]:
    return [*report.inriktningsmal, *report.all_kf_mal(), *report.all_namndmal(), *report.all_enhetsmal()]
