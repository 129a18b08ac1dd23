"""Annotated copies: each finding as a Word comment where the author works.

`malkoll check --annotate DIR` and `malkoll watch` write, for every checked
document, a copy with one comment per finding, anchored to the paragraph,
heading or table cell the finding points at (Finding.location.source; for a
table row, the cell that names the indicator or activity), and a summary
comment on the document's title. A rule's help text is in its first comment
only. The comments use python-docx's own comment API (1.2+), so Word and
LibreOffice show them in the margin.

Safety rules, because the input is somebody's only copy of their report:
the original is read into memory and never opened for writing; the copy is
written to a temporary file in the output folder and renamed into place; a
target outside the output folder or equal to an input is refused.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import Finding, Severity
from checker.output import clean_display, plural
from checker.wordml import W

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.run import Run

AUTHOR = "Målkoll"
INITIALS = "MK"
# Names of the tool's own outputs; discovery and watch skip files named like this.
ANNOTATED_SUFFIX = ".granskning.docx"
# A PDF's copy is a PDF (checker.output.annotate_pdf).
ANNOTATED_PDF_SUFFIX = ".granskning.pdf"
TEXT_REPORT_SUFFIX = ".granskning.txt"
OUTPUT_SUFFIXES = (ANNOTATED_SUFFIX, ANNOTATED_PDF_SUFFIX, TEXT_REPORT_SUFFIX)

_P, _TBL, _TR, _TC, _R, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
_VISIBLE = {W + "t", W + "tab", W + "sym", W + "br", W + "noBreakHyphen"}

_WORD = re.compile(r"[^\W\d_]{2}")
# How many paragraphs make the front page where the title is looked for, how
# many characters identify a target's start, and how many lines a broken title
# may run over.
_FRONT_PAGE = 40
_START = 24
_MAX_LINES = 4

HelpLookup = Callable[[str], str | None]


class AnnotateError(Exception):
    """The annotated copy could not be written; the message is Swedish."""


@dataclass(frozen=True)
class Verdict:
    """What the summary comment says about the whole document."""

    passed: bool
    errors: int
    warnings: int
    infos: int
    fail_level: Severity


def is_output_name(name: str) -> bool:
    """True for the files Målkoll writes itself (never checked as input)."""
    lowered = name.lower()
    return lowered.endswith(OUTPUT_SUFFIXES)


def output_base(path: Path, root: Path | None, out_dir: Path) -> Path:
    """out_dir/<path relative to root, without .docx>; callers add the suffixes.

    Mirroring the folder structure keeps two units' "vb2025.docx" in different
    sub-folders apart. A path that is not below `root` keeps only its name.
    """
    relative = Path(path.name)
    if root is not None:
        with contextlib.suppress(ValueError):
            relative = path.absolute().relative_to(root.absolute())
    parts = [part for part in relative.parts if part not in ("", ".", "..")] or [path.name]
    stem = parts[-1][: -len(".docx")] if parts[-1].lower().endswith(".docx") else parts[-1]
    return out_dir.joinpath(*parts[:-1], stem)


def annotated_path(path: Path, root: Path | None, out_dir: Path) -> Path:
    base = output_base(path, root, out_dir)
    suffix, name = annotated_suffix(path), base.name
    if suffix == ANNOTATED_PDF_SUFFIX and name.lower().endswith(".pdf"):
        # "vb.pdf" → "vb.granskning.pdf" (its text report stays "vb.pdf.granskning.txt", apart from vb.docx's).
        name = name[: -len(".pdf")]
    return base.with_name(name + suffix)


def annotated_suffix(path: Path) -> str:
    """The ending of an input's annotated copy: a PDF (by its header, else its name) gets a PDF, the rest a .docx."""
    from checker.reading import is_pdf

    if os.path.isfile(path):  # unlike Path.is_file, never raises (an unreadable folder is "not a file")
        return ANNOTATED_PDF_SUFFIX if is_pdf(path) else ANNOTATED_SUFFIX
    return ANNOTATED_PDF_SUFFIX if path.name.lower().endswith(".pdf") else ANNOTATED_SUFFIX


def text_report_path(path: Path, root: Path | None, out_dir: Path) -> Path:
    base = output_base(path, root, out_dir)
    return base.with_name(base.name + TEXT_REPORT_SUFFIX)


def check_target(source: Path, target: Path, out_dir: Path) -> None:
    """Refuse a target outside `out_dir` or one that is the source itself."""
    real_out = out_dir.resolve()
    real_target = target.resolve()
    if real_out != real_target and real_out not in real_target.parents:
        raise AnnotateError(f"kopian skulle hamna utanför utdatamappen ({target}); den skrevs inte.")
    if real_target == source.resolve() or (target.exists() and _same_file(source, target)):
        raise AnnotateError("kopian skulle skriva över originalet; den skrevs inte.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# --- comment texts ---------------------------------------------------------------


def finding_comment(finding: Finding, help_text: str | None) -> str:
    """"Fel (regel VB03): Enhetsmålet saknar analys" + the rule's help on the next line."""
    severity = finding.severity.swedish.capitalize()
    lines = [f"{severity} (regel {finding.rule}): {_one_line(finding.message)}"]
    if finding.accepted is not None:  # kept in the copy, with the reason: never dropped without trace
        lines.append(_one_line(finding.accepted.describe()) + " – underkänner inte dokumentet.")
    if finding.location.source is None:
        lines.append("Gäller dokumentet som helhet.")
    if help_text and help_text.strip():
        lines.append(_paragraphs(help_text))
    return "\n".join(lines)


def summary_comment(verdict: Verdict, when: str | None = None) -> str:
    word = "GODKÄND" if verdict.passed else "UNDERKÄND"
    counts = ", ".join(
        [
            plural(verdict.errors, "fel", "fel"),
            plural(verdict.warnings, "varning", "varningar"),
            plural(verdict.infos, "info", "info"),
        ]
    )
    limit = {
        Severity.ERROR: "minst ett fel",
        Severity.WARNING: "minst en varning eller ett fel",
        Severity.INFO: "minst en anmärkning",
    }[verdict.fail_level]
    total = verdict.errors + verdict.warnings + verdict.infos
    lines = [f"Målkoll: {word} – {counts}."]
    if total:
        lines.append(
            "Varje brist står som en kommentar vid det stycke, den rubrik eller den tabellcell den gäller. "
            "Rätta i originaldokumentet, inte i den här kopian."
        )
    else:
        lines.append("Inga brister hittades.")
    lines.append(f"Ett dokument underkänns vid {limit}.")
    if when:
        lines.append(f"Granskat {when}.")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(clean_display(text).split())


def _paragraphs(text: str) -> str:
    """Help text with its line wrapping removed but blank-line paragraphs kept."""
    blocks = clean_display(text, multiline=True).split("\n\n")
    return "\n".join(" ".join(block.split()) for block in blocks if block.strip())


# --- anchoring --------------------------------------------------------------------


class _Anchors:
    """Finds the runs a comment is anchored to, from a finding's Source."""

    def __init__(self, document: DocxDocument) -> None:
        from checker.reading.docx import body_elements  # the reader's own walk, so indices agree

        self.document = document
        self.blocks = list(body_elements(document.element.body))
        self.paragraphs = [e for e in self.blocks if e.tag == _P]
        self.tables = [e for e in self.blocks if e.tag == _TBL]
        self._index = {p: i for i, p in enumerate(self.paragraphs)}
        # One (first, last) pair per element, fixed before any comment is added,
        # so several comments on one paragraph nest instead of chaining. Keyed by
        # the element itself, which keeps its lxml proxy alive: a table cell's proxy
        # is made on demand and, once dropped, its id() is reused for another cell,
        # so an id() key sent a later comment to an earlier finding's cell.
        self._cache: dict[tuple[Any, Any], tuple[Run, Run]] = {}

    def for_finding(self, finding: Finding) -> tuple[Run, Run]:
        """The runs of what the finding points at: its paragraph (with the lines a scan
        broke its target over), or the cell of its row that names its target."""
        source = finding.location.source
        element = self._element(source, finding.target)
        if element is None:
            return self.top()
        last = self._continued(element, finding.target) if element.tag == _P else element
        return self._runs_cached(element, last)

    def top(self) -> tuple[Run, Run]:
        """The document's title (where the summary goes), else the first paragraph with text."""
        target = self._title()
        if target is None:
            target = next((p for p in self.paragraphs if _text_runs(p)), None)
        if target is None:
            target = _first(self.paragraphs)
        if target is None:
            target = _first(self.blocks)
        if target is None:
            target = self._new_paragraph()
        return self._runs_cached(target, target)

    def _title(self) -> Any:
        """The paragraph the reader takes as the title ("Verksamhetsberättelse 2025")."""
        from checker.structure.identity.title import read_title

        # The first line that reads as a title, as identity (checker.structure.identity) reads it.
        return next((p for p in self.paragraphs[:_FRONT_PAGE] if read_title(_text(p)) is not None), None)

    def _runs_cached(self, first: Any, last: Any) -> tuple[Run, Run]:
        key = (first, last)
        if key not in self._cache:
            start, end = self._runs_of(first)
            if last is not first:
                _, end = self._runs_of(last)
            self._cache[key] = (start, end)
        return self._cache[key]

    def _element(self, source: Any, target: str | None) -> Any:
        if source is None:
            return None
        if source.table is not None:
            table = _at(self.tables, source.table)
            if table is None:
                return None
            if source.row is None:
                return table
            if source.column is None:
                return _naming_cell(table, source.row, target)
            return _cell(table, source.row, source.column)
        if source.paragraph is not None:
            return _at(self.paragraphs, source.paragraph)
        return _at(self.blocks, source.block)

    def _continued(self, paragraph: Any, target: str | None) -> Any:
        """The last paragraph of `target` when it starts in `paragraph` and runs on.

        A scanned or pasted title is often broken into one paragraph per line; the
        reader joins them and points at the first, the comment should cover all."""
        wanted = _squash(target or "")
        seen = _squash(_text(paragraph))
        start = seen.find(wanted[:_START])
        if not wanted or start < 0 or wanted in seen:
            return paragraph
        index = self._index.get(paragraph)
        last = paragraph
        for following in self.paragraphs[index + 1 : index + 1 + _MAX_LINES] if index is not None else []:
            more = _squash(_text(following))
            if len(seen) - start >= len(wanted) or not more or more[:_START] not in wanted:
                break
            seen, last = seen + more, following
        return last

    def _runs_of(self, element: Any) -> tuple[Run, Run]:
        if element.tag == _TBL:
            element = _cell(element, 0, 0)
        paragraphs = [element] if element.tag == _P else element.findall(_P)
        if not paragraphs:  # a cell always has a paragraph; a damaged one may not
            paragraphs = [element.makeelement(_P, {})]
            element.append(paragraphs[0])
        runs = [(p, r) for p in paragraphs for r in _text_runs(p)]
        if not runs:
            return _empty_run(paragraphs[0])
        # Start at the first word, not at a ✓ or icon glyph in front of the title.
        worded = [pair for pair in runs if _has_word(pair[1])] or runs
        (first_p, first_r), (last_p, last_r) = worded[0], runs[-1]
        return _run(first_r, first_p), _run(last_r, last_p)

    def _new_paragraph(self) -> Any:
        body = self.document.element.body
        p = body.makeelement(_P, {})
        body.insert(0, p)
        self.paragraphs.insert(0, p)
        return p


def _first(items: Sequence[Any]) -> Any:
    return items[0] if len(items) else None


def _at(items: Sequence[Any], index: int) -> Any:
    return items[index] if 0 <= index < len(items) else None


def _cell(table: Any, row: int | None, column: int | None) -> Any:
    """The w:tc at (row, grid column), counting a merged cell once, as the reader does."""
    rows = table.findall(_TR)
    tr = _at(rows, row or 0)
    if tr is None and rows:
        tr = rows[0]
    if tr is None:
        return table
    cells = tr.findall(_TC)
    if not cells:
        return table
    wanted = column or 0
    position = 0
    for tc in cells:
        span = _span(tc)
        if position <= wanted < position + span:
            return tc
        position += span
    return cells[-1]


def _naming_cell(table: Any, row: int, target: str | None) -> Any:
    """The cell of `row` that names the target (an indicator's or activity's title);
    else the first cell with a word in it, not a ✓ or status column."""
    first = _cell(table, row, 0)
    tr = first.getparent() if first.tag == _TC else None
    if tr is None:
        return first
    cells = tr.findall(_TC)
    wanted = _squash(target or "")[:_START]
    texts = [_squash(_text(tc)) for tc in cells]
    if wanted:
        named = next((tc for tc, text in zip(cells, texts, strict=True) if wanted in text), None)
        if named is not None:
            return named
    return next((tc for tc, text in zip(cells, texts, strict=True) if _WORD.search(text)), first)


def _span(tc: Any) -> int:
    span = tc.find(f"{W}tcPr/{W}gridSpan")
    try:
        return max(1, int(span.get(W + "val", "1"))) if span is not None else 1
    except ValueError:
        return 1


def _text_runs(p: Any) -> list[Any]:
    from checker.reading.docx import iter_runs  # skips deleted text, as the reader does

    return [r for r in iter_runs(p) if any(child.tag in _VISIBLE for child in r)]


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(_T))


def _squash(text: str) -> str:
    """Text compared without case or any spaces (a scan splits words: "Sjukfrånvar o")."""
    return "".join(text.casefold().split())


def _has_word(r: Any) -> bool:
    return bool(_WORD.search(_text(r)))


def _run(r: Any, p: Any) -> Run:
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    return Run(r, Paragraph(p, None))


def _empty_run(p: Any) -> tuple[Run, Run]:
    from docx.text.paragraph import Paragraph

    run = Paragraph(p, None).add_run()
    return run, run


# --- writing ---------------------------------------------------------------------


def annotate(
    source: Path,
    target: Path,
    out_dir: Path,
    findings: Iterable[Finding],
    verdict: Verdict,
    *,
    help_for: HelpLookup | None = None,
    when: str | None = None,
) -> Path:
    """Write `target` (inside `out_dir`): a copy of `source` with one comment per finding.

    Raises AnnotateError (Swedish) when the copy cannot be made; the original
    is never written to.
    """
    import docx

    from checker.safety import PackageProblem, read_checked

    check_target(source, target, out_dir)
    try:
        # The file may have been replaced since it was checked: these bytes get
        # the same checks before python-docx unpacks every part of them.
        data = read_checked(source)
    except PackageProblem as problem:
        raise AnnotateError(f"dokumentet kunde inte öppnas för kommentarer: {problem.problem}") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - any failure to open means no copy
        raise AnnotateError(f"dokumentet kunde inte öppnas för kommentarer ({type(error).__name__}).") from None
    anchors = _Anchors(document)
    stamp = _stamp(when)
    _add(document, anchors.top(), summary_comment(verdict, when), stamp)
    findings = list(findings)
    explained = _first_of_each_rule(findings)
    for index, finding in enumerate(findings):
        help_text = help_for(finding.rule) if help_for is not None and index in explained else None
        _add(document, anchors.for_finding(finding), finding_comment(finding, help_text), stamp)
    buffer = io.BytesIO()
    document.save(buffer)
    write_atomic(target, buffer.getvalue())
    return target


def _first_of_each_rule(findings: Sequence[Finding]) -> set[int]:
    """Index of each rule's first finding in reading order: the one comment that carries
    the rule's help text, so that the rule's later comments stay short."""
    first: dict[str, int] = {}
    for index in sorted(range(len(findings)), key=lambda i: _reading_order(findings[i])):
        first.setdefault(findings[index].rule, index)
    return set(first.values())


def _reading_order(finding: Finding) -> tuple[int, int, int]:
    source = finding.location.source
    if source is None:  # on the title, with the summary
        return (-1, 0, 0)
    return (source.block, source.row or 0, source.column or 0)


def _add(document: DocxDocument, runs: tuple[Run, Run], text: str, stamp: datetime | None) -> None:
    comment = document.add_comment(list(runs), text=text, author=AUTHOR, initials=INITIALS)
    # python-docx dates each comment with the clock; the time of the check instead
    # (or no date) makes two runs over the same document write the same copy.
    # The element is private: python-docx has no setter for the date.
    comment._comment_elm.date = stamp  # noqa: SLF001


def _stamp(when: str | None) -> datetime | None:
    """The check's local time ("2025-03-01 12:00") as UTC, for the comments' dates."""
    if not when:
        return None
    try:
        return datetime.strptime(when, "%Y-%m-%d %H:%M").astimezone(timezone.utc)
    except ValueError:
        return None


def write_atomic(target: Path, data: bytes) -> None:
    """Write bytes so that a reader sees the old copy or the whole new one (checker.atomic)."""
    from checker.atomic import atomic_write

    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(target, binary=True) as handle:
        handle.write(data)


def remove_stale_temps(target: Path) -> None:
    """Remove temporary files a killed writer may have left beside `target`."""
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

