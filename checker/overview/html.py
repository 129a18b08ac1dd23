"""`sammanstallning.html`: one self-contained page, no external resources.

Every text taken from a document goes through `html.escape` (quotes too, as
some of it lands in attributes), and the page carries a Content-Security-
Policy that allows only its own inline style and script, identified by their
SHA-256 hashes: even text that somehow escaped escaping could neither run a
script nor load anything. Filtering is plain JavaScript on data attributes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path
from typing import IO
from urllib.parse import quote

from checker.findings import Finding, Severity
from checker.output import plural, shorten, tool_version

ROWS_MARK = "<!--%%RADER%%-->"
SEVERITY_CLASS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
QUOTE_LIMIT = 200
TIME_FORMAT = "%Y-%m-%d %H:%M"


def e(text: object) -> str:
    """Escape for element text and attribute values alike."""
    return escape("" if text is None else str(text), quote=True)


def load_template() -> str:
    return resources.files("checker.overview").joinpath("template.html").read_text(encoding="utf-8")


def content_security_policy(template: str) -> str:
    """Allow exactly the template's own <style> and <script>, nothing else."""
    styles = re.findall(r"<style>(.*?)</style>", template, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", template, re.S)

    def hashes(blocks: list[str]) -> str:
        return " ".join(
            f"'sha256-{base64.b64encode(hashlib.sha256(block.encode('utf-8')).digest()).decode()}'" for block in blocks
        )

    return (
        f"default-src 'none'; style-src {hashes(styles)}; script-src {hashes(scripts)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def file_block(entry: object) -> str:
    """The <tbody> of one file: its row, and its findings in an expandable section."""
    from checker.overview import Entry

    assert isinstance(entry, Entry)
    searchable = " ".join(filter(None, [entry.name, entry.unit or "", entry.kind]))
    checked = entry.checked_at.strftime(TIME_FORMAT) if entry.checked_at else "–"
    readable = entry.status != "olasbar"
    cells = [
        f'<td class="filnamn">{e(entry.name)}</td>',
        f"<td>{e(entry.unit or '–')}</td>",
        f"<td>{e(entry.kind)}</td>",
        f"<td>{e(entry.year or '–')}</td>",
        _count(entry.errors, readable),
        _count(entry.warnings, readable),
        _count(entry.infos, readable),
        f'<td class="status {entry.status}">{e(entry.status_word)}</td>',
        f"<td>{e(checked)}</td>",
    ]
    parts = [
        f'<tbody class="fil" data-status="{entry.status}" data-search="{e(searchable)}">',
        f'<tr class="rad">{"".join(cells)}</tr>',
        f'<tr class="detaljer"><td colspan="9">{_details(entry)}</td></tr>',
        "</tbody>",
    ]
    return "\n".join(parts) + "\n"


def _count(value: int, readable: bool) -> str:
    if not readable:
        return '<td class="tal noll">–</td>'
    return f'<td class="tal{" noll" if value == 0 else ""}">{value}</td>'


def _details(entry: object) -> str:
    from checker.overview import Entry

    assert isinstance(entry, Entry)
    if entry.reason is not None:
        return f'<p class="orsak">Filen kunde inte granskas: {e(entry.reason)}</p>'
    extra = "".join(f'<p class="orsak">Obs: {e(note)}</p>' for note in entry.notes)
    if entry.copy:
        extra += f'<p class="kopia"><a href="{e(quote(entry.copy, safe="/"))}">Öppna kopian med kommentarer</a></p>'
    if not entry.findings:
        return extra + "<details><summary>Inga brister</summary></details>"
    rows = "\n".join(_finding_row(f) for f in entry.findings)
    count = plural(len(entry.findings), "brist", "brister")
    return (
        f'{extra}<details><summary>{e(count)}<span class="antal-visade"></span></summary>'
        '<table class="brister"><thead><tr><th>Nivå</th><th>Regel</th><th>Meddelande</th><th>Var</th>'
        f"<th>Gäller</th><th>Citat</th></tr></thead><tbody>\n{rows}\n</tbody></table></details>"
    )


def _finding_row(finding: Finding) -> str:
    source = finding.location.source
    where = source.describe() if source is not None else "hela dokumentet"
    steps = " › ".join(shorten(step, 50) for step in finding.location.path if step and step.strip())
    severity = SEVERITY_CLASS[finding.severity]
    target = shorten(finding.target, 90) if finding.target else ""
    quote_text = f"”{shorten(finding.quote, QUOTE_LIMIT)}”" if finding.quote and finding.quote.strip() else ""
    message = shorten(finding.message, 400)
    return (
        f'<tr class="brist" data-rule="{e(finding.rule)}" data-severity="{severity}">'
        f'<td class="niva {severity}">{e(finding.severity.swedish)}</td>'
        f'<td class="regel">{e(finding.rule)}</td>'
        f"<td>{e(message)}</td>"
        f'<td class="plats" title="{e(steps)}">{e(where)}</td>'
        f"<td>{e(target)}</td>"
        f'<td class="citat">{e(quote_text)}</td></tr>'
    )


class HtmlWriter:
    """Rows go to a temporary file as they come; close() wraps them in the page."""

    def __init__(self, target: Path, *, title: str) -> None:
        self.target = target
        self.title = title
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.rader.", suffix=".tmp", dir=target.parent)
        self._rows_path = Path(name)
        self._rows: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        # The thread section (checker.threads.view.overview_section), already escaped HTML.
        self.threads = ""

    def add(self, entry: object) -> None:
        assert self._rows is not None
        self._rows.write(file_block(entry))

    def close(self, totals: object, fail_level: Severity, started: datetime) -> Path:
        from checker.annotate import _umask

        assert self._rows is not None
        self._rows.close()
        self._rows = None
        template = load_template()
        head, tail = template.split(ROWS_MARK)
        head = self._fill(head, template, totals, fail_level, started)
        tail = self._fill(tail, template, totals, fail_level, started)
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out, self._rows_path.open(encoding="utf-8") as rows:
                out.write(head)
                for line in rows:
                    out.write(line)
                out.write(tail)
            os.chmod(temp_name, 0o666 & ~_umask())
            os.replace(temp_name, self.target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        finally:
            with contextlib.suppress(OSError):
                self._rows_path.unlink()
        return self.target

    def abort(self) -> None:
        if self._rows is not None:
            with contextlib.suppress(OSError):
                self._rows.close()
            self._rows = None
        with contextlib.suppress(OSError):
            self._rows_path.unlink()

    def _fill(self, text: str, template: str, totals: object, fail_level: Severity, started: datetime) -> str:
        from checker.overview import FAIL_WORDS, Totals

        assert isinstance(totals, Totals)
        ingress = (
            f"Granskat {started.strftime(TIME_FORMAT)} · {plural(totals.files, 'fil', 'filer')} · "
            f"ett dokument underkänns vid {FAIL_WORDS[fail_level]}."
        )
        chips = [
            ('class="ok"', plural(totals.passed, "godkänd", "godkända")),
            ('class="underkand"', plural(totals.failed, "underkänd", "underkända")),
        ]
        if totals.unreadable:
            chips.append(('class="olasbar"', f"{totals.unreadable} kunde inte läsas"))
        chips += [
            ("", plural(totals.errors, "fel", "fel")),
            ("", plural(totals.warnings, "varning", "varningar")),
            ("", plural(totals.infos, "info", "info")),
        ]
        totaler = "".join(f"<span {attrs}>{e(words)}</span>" if attrs else f"<span>{e(words)}</span>" for attrs, words in chips)
        footer = (
            f"Skapad av Målkoll {e(tool_version())}. Klicka på antalet brister för att se dem; "
            "filtren sparas i adressen så att en filtrerad vy kan bokmärkas."
        )
        replacements = {
            "%%CSP%%": content_security_policy(template),
            "%%TITEL%%": e(self.title),
            "%%INGRESS%%": e(ingress),
            "%%TOTALER%%": totaler,
            "%%FOT%%": footer,
            "%%TRADAR%%": self.threads,
        }
        for mark, value in replacements.items():
            text = text.replace(mark, value)
        return text
