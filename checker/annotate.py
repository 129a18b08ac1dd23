"""Annotated copies: each finding as a Word comment where the author works.

`malkoll check --annotate DIR` and `malkoll watch` write, for every checked
document, a copy with one comment per finding, anchored to the paragraph,
heading or table cell the finding points at (Finding.location.source), and a
summary comment on the first paragraph. The comments use python-docx's own
comment API (1.2+), so Word and LibreOffice show them in the margin.

Safety rules, because the input is somebody's only copy of their report:
the original is read into memory and never opened for writing; the copy is
written to a temporary file in the output folder and renamed into place; a
target outside the output folder or equal to an input is refused.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
TEXT_REPORT_SUFFIX = ".granskning.txt"
OUTPUT_SUFFIXES = (ANNOTATED_SUFFIX, TEXT_REPORT_SUFFIX)

_P, _TBL, _TR, _TC, _R, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
_VISIBLE = {W + "t", W + "tab", W + "sym", W + "br", W + "noBreakHyphen"}

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
    return base.with_name(base.name + ANNOTATED_SUFFIX)


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
        from checker.docx_reader import _body_elements  # the reader's own walk, so indices agree

        self.document = document
        self.blocks = list(_body_elements(document.element.body))
        self.paragraphs = [e for e in self.blocks if e.tag == _P]
        self.tables = [e for e in self.blocks if e.tag == _TBL]
        # One (first, last) pair per element, fixed before any comment is added,
        # so several comments on one paragraph nest instead of chaining.
        self._cache: dict[int, tuple[Run, Run]] = {}

    def for_source(self, source: Any) -> tuple[Run, Run]:
        element = self._element(source)
        if element is None:
            return self.top()
        key = id(element)
        if key not in self._cache:
            self._cache[key] = self._runs_of(element)
        return self._cache[key]

    def top(self) -> tuple[Run, Run]:
        """The first paragraph with text (the title), where the summary goes."""
        target = next((p for p in self.paragraphs if _text_runs(p)), None)
        if target is None:
            target = _first(self.paragraphs)
        if target is None:
            target = _first(self.blocks)
        if target is None:
            target = self._new_paragraph()
        key = id(target)
        if key not in self._cache:
            self._cache[key] = self._runs_of(target)
        return self._cache[key]

    def _element(self, source: Any) -> Any:
        if source is None:
            return None
        if source.table is not None:
            table = _at(self.tables, source.table)
            if table is None:
                return None
            return _cell(table, source.row, source.column) if source.row is not None else table
        if source.paragraph is not None:
            return _at(self.paragraphs, source.paragraph)
        return _at(self.blocks, source.block)

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
        (first_p, first_r), (last_p, last_r) = runs[0], runs[-1]
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


def _span(tc: Any) -> int:
    span = tc.find(f"{W}tcPr/{W}gridSpan")
    try:
        return max(1, int(span.get(W + "val", "1"))) if span is not None else 1
    except ValueError:
        return 1


def _text_runs(p: Any) -> list[Any]:
    from checker.docx_reader import _iter_runs  # skips deleted text, as the reader does

    return [r for r in _iter_runs(p) if any(child.tag in _VISIBLE for child in r)]


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
    _add(document, anchors.top(), summary_comment(verdict, when))
    for finding in findings:
        help_text = help_for(finding.rule) if help_for is not None else None
        _add(document, anchors.for_source(finding.location.source), finding_comment(finding, help_text))
    buffer = io.BytesIO()
    document.save(buffer)
    write_atomic(target, buffer.getvalue())
    return target


def _add(document: DocxDocument, runs: tuple[Run, Run], text: str) -> None:
    document.add_comment(list(runs), text=text, author=AUTHOR, initials=INITIALS)


def write_atomic(target: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def remove_stale_temps(target: Path) -> None:
    """Remove temporary files a killed writer may have left beside `target`."""
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
