"""`<namn>.granskning.txt`: a short plain-text report for one document.

Written by `malkoll watch` beside the annotated copy, for an author who
wants the list without opening Word, or a coordinator reading it on a phone.
Plain Swedish, one finding per paragraph with where it is; text from the
document is cleaned of control characters. UTF-8 with a byte-order mark and
CRLF line ends, so Notepad on an old Windows shows "å" and the line breaks.
"""

from __future__ import annotations

from pathlib import Path

from checker.findings import Finding, Severity
from checker.output import clean_display, describe_document, plural, shorten, visible_name
from checker.results import FileResult, FileSummary

ENCODING = "utf-8-sig"
NEWLINE = "\r\n"
QUOTE_LIMIT = 160

FAIL_WORDS = {
    Severity.ERROR: "minst ett fel",
    Severity.WARNING: "minst en varning eller ett fel",
    Severity.INFO: "minst en anmärkning (fel, varning eller info)",
}


def verdict_word(summary: FileSummary) -> str:
    if summary.not_checked:
        return "INTE GRANSKAD"
    if summary.error is not None:
        return "KUNDE INTE LÄSAS"
    return "GODKÄND" if summary.passed else "UNDERKÄND"


def render(result: FileResult, summary: FileSummary, fail_level: Severity, *, name: str | None = None) -> str:
    """The whole report as text with "\\n" line ends (write() turns them into CRLF)."""
    shown = visible_name(name or result.path.name)
    lines = [f"Målkoll – granskning av {shown}", ""]
    if summary.unit:
        lines.append(f"Enhet:     {clean_display(summary.unit)}")
    if summary.error is None:
        lines.append(f"Dokument:  {describe_document(summary.kind, summary.tertial, summary.year, summary.other)}")
    if result.checked_at is not None:
        lines.append(f"Granskad:  {result.checked_at.strftime('%Y-%m-%d %H:%M')}")
    if summary.error is not None:
        lines += [f"Resultat:  {verdict_word(summary)}", f"Orsak:     {clean_display(summary.error)}"]
        return "\n".join(lines) + "\n"
    counts = ", ".join(
        [plural(summary.errors, "fel", "fel"), plural(summary.warnings, "varning", "varningar"),
         plural(summary.infos, "info", "info")]
    )
    lines.append(f"Resultat:  {verdict_word(summary)} – {counts}")
    lines.append(f"           (ett dokument underkänns vid {FAIL_WORDS[fail_level]})")
    if result.annotated is not None:
        lines.append(f"Kopia med kommentarer i marginalen: {clean_display(result.annotated.name)}")
    if result.annotate_error:
        lines.append(f"Kopian med kommentarer kunde inte skrivas: {clean_display(result.annotate_error)}")
    if result.report is not None:
        lines += [f"Obs: {clean_display(note)}" for note in result.report.notes]
    lines.append("")
    if not result.findings:
        lines.append("Inga brister hittades.")
        return "\n".join(lines) + "\n"
    lines.append("Brister, i dokumentordning:")
    for number, finding in enumerate(result.findings, start=1):
        lines.append("")
        lines += finding_lines(number, finding)
    return "\n".join(lines) + "\n"


def finding_lines(number: int, finding: Finding) -> list[str]:
    head = f"{number}. {finding.severity.swedish.capitalize()} ({finding.rule}): {clean_display(finding.message)}"
    lines = [head]
    source = finding.location.source
    where = source.describe() if source is not None else "dokumentet som helhet"
    path = " › ".join(shorten(step, 60) for step in finding.location.path if step and step.strip())
    lines.append(f"   Var: {where}" + (f" – under {path}" if path else ""))
    if finding.quote and finding.quote.strip():
        lines.append(f"   Citat: ”{shorten(finding.quote, QUOTE_LIMIT)}”")
    if finding.accepted is not None:
        lines.append(f"   {clean_display(finding.accepted.describe())} – underkänner inte.")
    return lines


def write(path: Path, text: str) -> None:
    """Write atomically (readers on the share never see half a report)."""
    from checker.output.annotate import write_atomic

    write_atomic(path, text.replace("\n", NEWLINE).encode(ENCODING))
