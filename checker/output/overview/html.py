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
from collections.abc import Sequence
from typing import IO
from urllib.parse import quote

from checker.findings import Finding, Severity
from checker.output.overview.summary import NO_UNIT, ROLES, UnitDocument, UnitTable
from checker.output import plural, shorten, tool_version

ROWS_MARK = "<!--%%RADER%%-->"
SEVERITY_CLASS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
QUOTE_LIMIT = 200
FILE_COLUMNS = 8
ROLE_ORDER = {role: place for place, role in enumerate(ROLES)}
STATUS_ORDER = {"olasbar": 0, "underkand": 1, "ejgranskad": 2, "godkand": 3}
TIME_FORMAT = "%Y-%m-%d %H:%M"


def e(text: object) -> str:
    """Escape for element text and attribute values alike."""
    return escape("" if text is None else str(text), quote=True)


def load_template() -> str:
    return resources.files("checker.output.overview").joinpath("template.html").read_text(encoding="utf-8")


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


def file_block(entry: object, group: str = "") -> str:
    """The <tbody> of one file: its row, and its findings in an expandable section.

    Its data-* attributes are what the page sorts by, and `group` ties it to
    its unit's heading row."""
    from checker.output.overview import Entry

    assert isinstance(entry, Entry)
    searchable = " ".join(filter(None, [entry.name, entry.unit or "", entry.kind]))
    checked = entry.checked_at.strftime(TIME_FORMAT) if entry.checked_at else "–"
    readable = entry.status not in ("olasbar", "ejgranskad")
    document = _short_document(entry)
    cells = [
        f'<td class="filnamn">{file_name_html(entry.name)}</td>',
        f"<td>{e(entry.unit or '–')}</td>",
        f'<td class="dokument"><abbr title="{e(_long_document(entry))}">{e(document)}</abbr></td>',
        _count(entry.errors, readable),
        _count(entry.warnings, readable),
        _count(entry.infos, readable),
        f'<td class="status {entry.status}">{e(entry.status_word)}</td>',
        f'<td class="granskad">{e(checked)}</td>',
    ]
    role_place = ROLE_ORDER.get(entry.role or "", len(ROLE_ORDER))
    sort = {
        "namn": entry.name.casefold(),
        "enhet": (entry.unit or "").casefold(),
        "dokument": f"{entry.year or 0:04d}{role_place}",
        "fel": entry.errors if readable else -1,
        "varningar": entry.warnings if readable else -1,
        "info": entry.infos if readable else -1,
        "resultat": STATUS_ORDER[entry.status],
        "granskad": entry.checked_at.isoformat() if entry.checked_at else "",
    }
    attributes = "".join(f' data-{key}="{e(value)}"' for key, value in sort.items())
    parts = [
        f'<tbody class="fil" id="{e(entry.anchor)}" data-grupp="{e(group)}" data-status="{entry.status}" '
        f'data-search="{e(searchable)}"{attributes}>',
        f'<tr class="rad">{"".join(cells)}</tr>',
        f'<tr class="detaljer"><td colspan="{FILE_COLUMNS}">{_details(entry)}</td></tr>',
        "</tbody>",
    ]
    return "\n".join(parts) + "\n"


def file_name_html(name: str) -> str:
    """The name with a line-break opportunity after each / _ - and ., so that a narrow
    column wraps it between its parts ("aspudden_" "vb2025_" "export.docx"), never inside one."""
    return "<wbr>".join(e(part) for part in re.split(r"(?<=[/_.\-])", name) if part)


def group_block(group: str, unit: str | None, year: int | None, count: int) -> str:
    """The heading row of one unit's documents of a year."""
    title = " · ".join(filter(None, [unit or NO_UNIT, str(year) if year else ""]))
    return (f'<tbody class="grupp" id="{e(group)}"><tr><th colspan="{FILE_COLUMNS}" scope="rowgroup">{e(title)} '
            f'<span class="antal">({e(plural(count, "fil", "filer"))})</span></th></tr></tbody>\n')


def _short_document(entry: object) -> str:
    role = getattr(entry, "role", None) or getattr(entry, "kind", "–")
    year = getattr(entry, "year", None)
    return f"{role} {year}" if year and role != "–" else str(role)


def _long_document(entry: object) -> str:
    kind, year = getattr(entry, "kind", "–"), getattr(entry, "year", None)
    return f"{kind} {year}" if year and kind != "–" else str(kind)


def _count(value: int, readable: bool) -> str:
    if not readable:
        return '<td class="tal noll">–</td>'
    return f'<td class="tal{" noll" if value == 0 else ""}">{value}</td>'


def _details(entry: object) -> str:
    from checker.output.overview import Entry

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
    level = finding.severity.swedish
    accepted = ""
    if finding.accepted is not None:  # shown, with the reason, not counted against the document
        level = f"{level}, godtagen"
        accepted = f'<br><span class="godtagen">{e(shorten(finding.accepted.describe(), 400))}</span>'
    return (
        f'<tr class="brist" data-rule="{e(finding.rule)}" data-severity="{severity}">'
        f'<td class="niva {severity}">{e(level)}</td>'
        f'<td class="regel">{e(finding.rule)}</td>'
        f"<td>{e(message)}{accepted}</td>"
        f'<td class="plats" title="{e(steps)}">{e(where)}</td>'
        f"<td>{e(target)}</td>"
        f'<td class="citat">{e(quote_text)}</td></tr>'
    )


def _group_id(unit: str | None, year: int | None) -> str:
    """A stable id for a unit's heading row (the unit's name can be any text)."""
    digest = hashlib.sha256(f"{(unit or '').casefold()}\0{year or 0}".encode()).hexdigest()[:12]
    return f"enhet-{digest}"


def unit_table_html(units: UnitTable | None) -> str:
    """Each unit's documents of the year side by side: VP, T1, T2, VB, each linking to its file's row."""
    if units is None or not units.groups:
        return ""
    head = "".join(f"<th>{e(role)}</th>" for role in ROLES)
    rows = []
    for unit, year, by_role, other in units.rows():
        cells = "".join(f"<td>{_unit_documents(by_role[role])}</td>" for role in ROLES)
        unknown = f'<div class="okand">Okänd typ: {_unit_documents(other)}</div>' if other else ""
        rows.append(f'<tr><th scope="row">{e(unit)}{unknown}</th><td class="tal">{e(year or "–")}</td>{cells}</tr>')
    return ('<section class="enheter"><h2>Enheterna</h2><table class="enheter"><thead><tr><th>Enhet</th>'
            f'<th class="tal">År</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _unit_documents(documents: Sequence[UnitDocument]) -> str:
    if not documents:
        return '<span class="tom">–</span>'
    items = []
    for d in documents:
        counts = "" if d.status in ("olasbar", "ejgranskad") else f" · {d.errors} fel, {d.warnings} varn., {d.infos} info"
        items.append(f'<div class="dok"><a class="status {d.status}" href="#{e(d.anchor)}">{e(d.status_word)}</a>'
                     f'<span class="antal">{e(counts)}</span><div class="namn">{file_name_html(d.name)}</div></div>')
    return "".join(items)


def rule_table_html(rule_rows: Sequence[tuple[str, str, int, int, int]]) -> str:
    """The rule summary: id, name, findings, units and files affected; sortable, a click filters by the rule."""
    if not rule_rows:
        return ""
    rows = "".join(
        f'<tr><td class="regel" data-v="{e(rule_id)}"><a href="#regel={e(quote(rule_id))}">{e(rule_id)}</a></td>'
        f'<td data-v="{e(name.casefold())}">{e(name or "–")}</td><td class="tal" data-v="{findings}">{findings}</td>'
        f'<td class="tal" data-v="{units}">{units}</td><td class="tal" data-v="{files}">{files}</td></tr>'
        for rule_id, name, findings, units, files in rule_rows
    )
    headers = [("Regel", "text"), ("Vad regeln kräver", "text"), ("Brister", "tal"), ("Enheter", "tal"),
               ("Filer", "tal")]
    head = "".join(
        f'<th class="{kind}"><button type="button" class="sortera" data-typ="{kind}">{e(label)}</button></th>'
        for label, kind in headers
    )
    return (f'<section class="regler"><h2>Brister per regel</h2><table class="regler sorterbar"><thead><tr>{head}'
            f"</tr></thead><tbody>{rows}</tbody></table></section>")


class HtmlWriter:
    """Rows go to a temporary file as they come; close() wraps them in the page.

    The page lists files by unit, so close() copies the rows in that order,
    from an index of (sort key, offset, length) kept in memory: a few numbers
    per file, not the rows themselves."""

    def __init__(self, target: Path, *, title: str) -> None:
        self.target = target
        self.title = title
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.rader.", suffix=".tmp", dir=target.parent)
        self._rows_path = Path(name)
        self._rows: IO[bytes] | None = os.fdopen(fd, "wb")
        self._index: list[tuple[tuple[object, ...], int, int, str | None, int | None]] = []
        self._offset = 0
        # The thread section (checker.threads.view.overview_section), already escaped HTML.
        self.threads = ""

    def add(self, entry: object) -> None:
        assert self._rows is not None
        unit, year = getattr(entry, "unit", None), getattr(entry, "year", None)
        data = file_block(entry, _group_id(unit, year)).encode("utf-8")
        self._rows.write(data)
        self._index.append((getattr(entry, "sort_key", ()), self._offset, len(data), unit, year))
        self._offset += len(data)

    def close(self, totals: object, fail_level: Severity, started: datetime, *, units: UnitTable | None = None,
              rule_rows: Sequence[tuple[str, str, int, int, int]] = ()) -> Path:
        from checker.atomic import atomic_write

        assert self._rows is not None
        self._rows.close()
        self._rows = None
        template = load_template()
        head, tail = template.split(ROWS_MARK)
        extra = {"%%ENHETER%%": unit_table_html(units), "%%REGLER%%": rule_table_html(rule_rows)}
        head = self._fill(head, template, totals, fail_level, started, extra)
        tail = self._fill(tail, template, totals, fail_level, started, extra)
        try:
            with atomic_write(self.target, binary=True) as out, self._rows_path.open("rb") as rows:
                out.write(head.encode("utf-8"))
                self._copy_rows(rows, out)
                out.write(tail.encode("utf-8"))
        finally:
            with contextlib.suppress(OSError):
                self._rows_path.unlink()
        return self.target

    def _copy_rows(self, rows: IO[bytes], out: IO[bytes]) -> None:
        """The rows by unit, year and document, each unit's under a heading row."""
        ordered = sorted(self._index, key=lambda item: item[0])
        sizes: dict[tuple[str | None, int | None], int] = {}
        for *_, unit, year in ordered:
            sizes[(unit, year)] = sizes.get((unit, year), 0) + 1
        current: tuple[str | None, int | None] | None = None
        for _, offset, length, unit, year in ordered:
            if (unit, year) != current:
                current = (unit, year)
                out.write(group_block(_group_id(unit, year), unit, year, sizes[current]).encode("utf-8"))
            rows.seek(offset)
            out.write(rows.read(length))

    def abort(self) -> None:
        if self._rows is not None:
            with contextlib.suppress(OSError):
                self._rows.close()
            self._rows = None
        with contextlib.suppress(OSError):
            self._rows_path.unlink()

    def _fill(self, text: str, template: str, totals: object, fail_level: Severity, started: datetime,
              extra: dict[str, str]) -> str:
        from checker.output.overview import FAIL_WORDS, Totals

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
        if totals.not_checked:
            chips.append(('class="ejgranskad"', f"{totals.not_checked} inte granskade (andra format)"))
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
            **extra,
        }
        for mark, value in replacements.items():
            text = text.replace(mark, value)
        return text
