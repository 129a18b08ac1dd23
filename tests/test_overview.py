"""The coordinator's overview: sammanstallning.html in a real browser, sammanstallning.xlsx with openpyxl.

The HTML is loaded in headless Chromium (Debian's package, installed here
when missing and apt can do it; otherwise the browser tests are skipped with
the reason, and fail in CI, where .ci/run installs it first). `--dump-dom` shows the page after its script has run; the page
reads its filters from the address (#regel=VB03&niva=error), which is both a
feature (a filtered view can be bookmarked) and the hook these tests use.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import replace
from datetime import datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.cli import main
from checker.findings import Finding, Location, Severity
from checker.model import Report, Source
from checker.output.overview import HTML_NAME, XLSX_NAME, OverviewWriter
from checker.output.overview.html import content_security_policy, load_template
from checker.pipeline import FileResult, RunSummary
from tests.external import missing
from tests.test_annotate import HOSTILE_TITLE, write_report

SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','script')</script><script>alert(1)</script>"
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
BREAKOUT = "\"><svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\">"
FORMULA = "=HYPERLINK(\"http://example.invalid\",\"klicka\")"


def finding(rule: str, severity: Severity, message: str, *, target: str | None = None, quote: str | None = None,
            block: int = 1, **where: int) -> Finding:
    return Finding(rule, severity, message, target, "enhetsmal",
                   Location(("KF:s mål 1.4", "Nämndmål: Trygghet"), Source(block=block, **where)), quote)


def sample_results() -> list[FileResult]:
    when = datetime(2025, 3, 1, 12, 30).astimezone()
    hostile = Report(path="x", kind="verksamhetsberattelse", year=2025, unit="Enhet " + SCRIPT)
    clean = Report(path="y", kind="verksamhetsplan", year=2024, unit="Hägerstens hemtjänst")
    tertial = Report(path="z", kind="tertialrapport", tertial=2, year=2025, unit=FORMULA)
    return [
        FileResult(Path("in/a_fientlig.docx"), hostile, (
            finding("VB03", Severity.ERROR, "Enhetsmålet ”" + IMG + "” saknar analys", target=IMG, quote=BREAKOUT,
                    paragraph=4),
            finding("IN01", Severity.ERROR, "Indikatorn saknar analys " + SCRIPT, target="@SUMMA(A1)", block=9,
                    table=0, row=1),
            finding("VB06", Severity.WARNING, "Analysen är skriven i framtid", quote="-1+2", paragraph=7),
        ), checked_at=when),
        FileResult(Path("in/b_ren.docx"), clean, (finding("DK02", Severity.INFO, "Avsnittet är tomt", paragraph=2),),
                   checked_at=when),
        FileResult(Path("in/c_tertial.docx"), tertial, (
            finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", paragraph=5),
        ), checked_at=when),
        FileResult(Path("in/d_trasig.docx"), None, error="filen är skadad " + IMG, checked_at=when),
    ]


def write_overview(folder: Path, results: list[FileResult] | None = None, rules: object = None) -> tuple[Path, Path]:
    run = RunSummary(Severity.ERROR)
    writer = OverviewWriter(folder, fail_level=Severity.ERROR, base=Path("in"), rules=rules)
    for result in results if results is not None else sample_results():
        writer.add(result, run.add(result))
    return writer.close()


# --- the HTML as text ---------------------------------------------------------------------


def test_html_escapes_every_document_text(tmp_path: Path) -> None:
    html_path, _ = write_overview(tmp_path)
    text = html_path.read_text(encoding="utf-8")
    for raw in ("<script>alert(1)", "<img src=x", "<svg onload", "data-pwned','script')</script>"):
        assert raw not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;" in text
    # Only our own script element, and no external resources of any kind.
    assert text.count("<script>") == 1
    for external in ("http://", "https://", "src=\"", "<link", "@import"):
        assert external not in text.replace("http://example.invalid", "")
    # No temporary files left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([HTML_NAME, XLSX_NAME])


def test_csp_allows_exactly_the_own_style_and_script() -> None:
    policy = content_security_policy(load_template())
    assert "default-src 'none'" in policy and "img-src 'none'" in policy
    assert policy.count("'sha256-") == 2 and "unsafe-inline" not in policy


def test_rows_show_swedish_results_and_counts(tmp_path: Path) -> None:
    html_path, _ = write_overview(tmp_path)
    page = parse(html_path.read_text(encoding="utf-8"))
    # By unit ("=HYPERLINK…", "Enhet …", "Hägerstens …"), a file of no known unit last.
    assert [f["name"] for f in page.files] == ["c_tertial.docx", "a_fientlig.docx", "b_ren.docx", "d_trasig.docx"]
    statuses = [f["data-status"] for f in page.files]
    assert statuses == ["underkand", "underkand", "godkand", "olasbar"]
    assert "GODKÄND" in page.text and "UNDERKÄND" in page.text and "KUNDE INTE LÄSAS" in page.text
    assert "T2 2025" in page.text and 'title="Tertialrapport 2 2025"' in html_path.read_text(encoding="utf-8")
    assert "2025-03-01 12:30" in page.text
    assert [f["brister"] for f in page.files] == [1, 3, 1, 0]


def test_rule_summary_and_units_at_the_top_of_the_page(tmp_path: Path) -> None:
    from checker.engine import default_rules_dir, load_rules

    results = sample_results()
    # A second document of the tertial report's unit and year: the two stand side by side.
    plan = Report(path="p", kind="verksamhetsplan", year=2025, unit=FORMULA)
    results.append(FileResult(Path("in/e_plan.docx"), plan, (finding("VB03", Severity.ERROR, "x", paragraph=1),),
                              checked_at=results[0].checked_at))
    html_path, _ = write_overview(tmp_path, results, rules=load_rules([default_rules_dir()]))
    text = html_path.read_text(encoding="utf-8")
    rules = text[text.index('<table class="regler'):text.index("</table>", text.index('<table class="regler'))]
    row = rules[rules.index(">VB03<"):]
    row = row[: row.index("</tr>")]
    # Id, the rule's name, 3 findings, in 2 units' 3 files.
    assert "Enhetsmålet ”…” saknar analys" in row
    assert [int(n) for n in re.findall(r'class="tal" data-v="(\d+)"', row)] == [3, 2, 3]
    units = text[text.index('<table class="enheter"'):text.index("</table>", text.index('<table class="enheter"'))]
    formula_row = units[units.index(escape(FORMULA)):]
    formula_row = formula_row[: formula_row.index("</tr>")]
    cells = [c.replace("<wbr>", "") for c in re.findall(r"<td>(.*?)</td>", formula_row)]
    assert len(cells) == 4  # VP, T1, T2, VB
    assert "e_plan.docx" in cells[0] and "c_tertial.docx" in cells[2] and "tom" in cells[1] and "tom" in cells[3]
    # Each links to its file's row.
    for anchor in re.findall(r'href="#(fil-\d+)"', units):
        assert f'id="{anchor}"' in text
    assert units.count("(enhet okänd)") == 1  # the unreadable file


def test_workbook_has_the_rule_summary_units_links_and_print_settings(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from checker.engine import default_rules_dir, load_rules

    results = sample_results()
    results[1] = replace(results[1], annotated=tmp_path / "kopior" / "b ren.granskning.docx")
    _, xlsx_path = write_overview(tmp_path, results, rules=load_rules([default_rules_dir()]))
    book = load_workbook(xlsx_path)
    rules = {row[0]: row[1:] for row in book["Regler"].iter_rows(min_row=2, values_only=True)}
    assert rules["VB03"] == ("Enhetsmålet ”…” saknar analys", 2, 2, 2)
    units = [row[:2] for row in book["Enheter"].iter_rows(min_row=2, values_only=True)]
    assert units == [(FORMULA, 2025), ("Enhet " + SCRIPT, 2025), ("Hägerstens hemtjänst", 2024), ("(enhet okänd)", None)]
    files = book["Filer"]
    link = next(c for c in files["K"] if c.value and "granskning" in str(c.value))
    assert link.hyperlink is not None and link.hyperlink.target == "kopior/b%20ren.granskning.docx"
    findings = book["Brister"]
    assert findings["F2"].alignment.wrap_text and files["A2"].alignment.wrap_text
    assert findings.page_setup.orientation == "landscape" and findings.print_title_rows == "$1:$1"
    assert not findings.sheet_properties.pageSetUpPr.fitToPage  # printed at full size, not shrunk to one page wide


# --- the workbook -------------------------------------------------------------------------


def test_workbook_has_files_and_findings_and_no_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _, xlsx_path = write_overview(tmp_path)
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Filer", "Enheter", "Regler", "Brister"]
    files, findings = book["Filer"], book["Brister"]
    assert [c.value for c in files[1]][:9] == ["Fil", "Enhet", "Dokument", "År", "Fel", "Varningar", "Info",
                                             "Resultat", "Granskad"]
    assert files.max_row == 5 and findings.max_row == 6
    # By unit, as on the page.
    assert [files.cell(row, 1).value for row in range(2, 6)] == ["c_tertial.docx", "a_fientlig.docx", "b_ren.docx",
                                                                  "d_trasig.docx"]
    assert [files.cell(row, 8).value for row in range(2, 6)] == ["UNDERKÄND", "UNDERKÄND", "GODKÄND",
                                                                  "KUNDE INTE LÄSAS"]
    assert isinstance(files.cell(2, 9).value, datetime)
    assert files.auto_filter.ref == "A1:K5" and findings.auto_filter.ref == "A1:J6"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value.lstrip().startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} {cell.value!r}"
    # The exact text is kept: the quote prefix is a cell style, not part of the value.
    assert files.cell(2, 2).value == FORMULA
    with zipfile.ZipFile(xlsx_path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_overview_files_replace_the_old_ones_atomically(tmp_path: Path) -> None:
    write_overview(tmp_path)
    first = (tmp_path / HTML_NAME).stat().st_ino
    write_overview(tmp_path, sample_results()[:1])
    assert (tmp_path / HTML_NAME).stat().st_ino != first  # a new file renamed into place
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([HTML_NAME, XLSX_NAME])


@pytest.mark.parametrize("where", ["write_row", "write_row_later", "write_tail"])
def test_ctrl_c_while_the_overview_is_written_prints_nothing_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Interrupted while a row is streamed or while the workbook is saved: no "Exception ignored in"
    tracebacks, no temporary files in the output folder, and the overview of the run before untouched."""
    import gc
    import sys

    from openpyxl.worksheet._writer import WorksheetWriter

    report = write_report(tmp_path / "in" / "a.docx", "Enhet A", analysis=True)
    out = tmp_path / "oversikt"
    assert main(["check", str(report), "--overview", str(out), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    calls = []
    real = getattr(WorksheetWriter, where.replace("_later", ""))

    def interrupted(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if where.endswith("_later") and len(calls) <= 4:  # the four header rows go through, a file's row does not
            return real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(WorksheetWriter, where.replace("_later", ""), interrupted)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    code = main(["check", str(report), "--overview", str(out), "-q"])
    gc.collect()
    assert code != 0 and "Traceback" not in capsys.readouterr().err
    assert unraisable == []
    if where != "write_tail":  # nothing was put in place
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([HTML_NAME, XLSX_NAME])


def test_check_overview_option_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "Inlämnat"
    write_report(folder / "a.docx", "Enhet A")
    write_report(folder / "b.docx", "Enhet B", goal="Enheten arbetar " + HOSTILE_TITLE)
    (folder / "c.docx").write_bytes(b"PK\x03\x04 trasig")
    code = main(["check", str(folder), "-q", "--overview", str(tmp_path / "ut"), "--annotate", str(tmp_path / "ut")])
    assert code == 1
    page = parse((tmp_path / "ut" / HTML_NAME).read_text(encoding="utf-8"))
    assert [f["name"] for f in page.files] == ["a.docx", "b.docx", "c.docx"]
    assert "Öppna kopian med kommentarer" in page.text
    assert "<script>alert(1)</script>" in page.text  # shown as text
    assert page.links == ["a.granskning.docx", "b.granskning.docx"]


# --- in a real browser ---------------------------------------------------------------------


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
APT_BUDGET = 300  # seconds, for the whole attempt to install Chromium


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _try_apt_install() -> str:
    """Install Debian's chromium within APT_BUDGET seconds; returns why it did not work ('' when it did)."""
    if os.name != "posix" or shutil.which("apt-get") is None:
        return "apt-get finns inte"
    if os.geteuid() != 0:
        return "installation kräver root"
    deadline = time.monotonic() + APT_BUDGET
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                    ["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        left = deadline - time.monotonic()
        if left <= 0:
            return "tidsgränsen för installationen nåddes"
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=left, env=env)
        except (subprocess.TimeoutExpired, OSError) as error:
            return f"{' '.join(command[:2])} misslyckades ({type(error).__name__})"
        if command[1] == "install" and done.returncode == 0:
            return ""
    return "apt-get kunde inte installera chromium"


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find_chromium()
    if found is None and not os.environ.get("MALKOLL_NO_APT"):
        reason = _try_apt_install()
        found = _find_chromium()
        if found is None:
            missing(f"Chromium finns inte och kunde inte installeras: {reason}")
    if found is None:
        missing("Chromium finns inte (MALKOLL_NO_APT är satt)")
    return found


def browser_flags(profile: Path) -> list[str]:
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def dump_dom(chromium: str, page: Path, fragment: str, profile: Path) -> str:
    url = page.absolute().as_uri() + (f"#{fragment}" if fragment else "")
    done = subprocess.run([chromium, *browser_flags(profile), "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Page(HTMLParser):
    """What the tests need from a page: files (with hidden flags), findings, links, root attributes, text."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.files: list[dict] = []
        self.links: list[str] = []
        self.options: list[str] = []
        self.elements: list[str] = []
        self._text: list[str] = []
        self._cell = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append(tag)
        if tag == "html":
            self.root = a
        elif tag == "tbody" and "fil" in (a.get("class") or "").split():
            self.files.append({**a, "hidden": "hidden" in a, "brister": 0, "visible": 0, "rules": [], "name": None})
            self._cell = 0
        elif tag == "tr" and a.get("class") == "brist" and self.files:
            self.files[-1]["brister"] += 1
            self.files[-1]["rules"].append(a.get("data-rule"))
            if "hidden" not in a:
                self.files[-1]["visible"] += 1
        elif tag == "td" and self.files and "filnamn" in (a.get("class") or ""):
            self._cell = 1
            self.files[-1]["name"] = ""
        elif tag == "a" and a.get("href") and not a["href"].startswith("#"):
            self.links.append(a["href"])
        elif tag == "option" and a.get("value"):
            self.options.append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell == 1:
            self.files[-1]["name"] = self.files[-1]["name"].strip()
            self._cell = 0

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._cell == 1 and self.files:
            self.files[-1]["name"] += data  # the name comes in parts, split by <wbr>

    @property
    def text(self) -> str:
        return "".join(self._text)

    def shown(self) -> list[str]:
        return [f["name"] for f in self.files if not f["hidden"]]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_browser_renders_the_page_and_nothing_from_documents_runs(chromium: str, tmp_path: Path) -> None:
    html_path, _ = write_overview(tmp_path / "ut")
    page = parse(dump_dom(chromium, html_path, "", tmp_path / "profil"))
    assert page.root.get("data-klar") == "1", "sidans eget skript kördes inte (CSP-hashen?)"
    assert "data-pwned" not in page.root
    assert "img" not in page.elements and "svg" not in page.elements
    assert page.elements.count("script") == 1
    assert page.root.get("data-visade-filer") == "4" and page.root.get("data-visade-brister") == "5"
    assert "<script>alert(1)</script>" in page.text  # the document's text, shown as text
    assert sorted(page.options) == ["DK02", "IN01", "VB03", "VB06", "ejgranskad", "error", "godkand", "info", "olasbar",
                                    "underkand", "warning"]
    assert "Visar 4 av 4 filer och 5 av 5 brister." in page.text


@pytest.mark.parametrize(
    ("fragment", "files", "findings"),
    [
        ("regel=VB03", ["c_tertial.docx", "a_fientlig.docx"], 2),
        ("niva=warning", ["a_fientlig.docx"], 1),
        ("regel=VB03&niva=warning", [], 0),
        ("niva=info", ["b_ren.docx"], 1),
        ("resultat=olasbar", ["d_trasig.docx"], 0),
        ("resultat=underkand&regel=IN01", ["a_fientlig.docx"], 1),
        ("sok=h%C3%A4gerstens", ["b_ren.docx"], 1),
        ("regel=FINNS_INTE", ["c_tertial.docx", "a_fientlig.docx", "b_ren.docx", "d_trasig.docx"], 5),
    ],
)
def test_browser_filters_by_rule_severity_result_and_text(chromium: str, tmp_path: Path, fragment: str,
                                                          files: list[str], findings: int) -> None:
    html_path, _ = write_overview(tmp_path / "ut")
    page = parse(dump_dom(chromium, html_path, fragment, tmp_path / "profil"))
    assert page.root.get("data-klar") == "1"
    assert page.shown() == files
    assert page.root.get("data-visade-brister") == str(findings)
    assert sum(f["visible"] for f in page.files if not f["hidden"]) == findings
    if "regel=VB03" == fragment:
        for file in page.files:
            if not file["hidden"]:
                assert file["visible"] == file["rules"].count("VB03")


def test_browser_on_a_real_run_with_a_hostile_document(chromium: str, tmp_path: Path) -> None:
    folder = tmp_path / "Inlämnat"
    write_report(folder / "fientlig.docx", "Enhet F", goal="Enheten arbetar " + HOSTILE_TITLE)
    write_report(folder / "ren.docx", "Enhet R", analysis=True)
    main(["check", str(folder), "-q", "--overview", str(tmp_path / "ut")])
    page = parse(dump_dom(chromium, tmp_path / "ut" / HTML_NAME, "regel=VB03", tmp_path / "profil"))
    assert page.root.get("data-klar") == "1" and "data-pwned" not in page.root
    assert page.shown() == ["fientlig.docx"]
    assert "<script>alert(1)</script>" in page.text


# --- in a real browser, measured ------------------------------------------------------------

# Run in a copy of the page (without its CSP, which would refuse this script), after the
# page's own script: opens every finding list, measures, and writes the numbers on <html>.
MEASURE = r"""
(function () {
  var root = document.documentElement;
  var steps = JSON.parse(root.getAttribute("data-steg") || "[]");
  steps.forEach(function (label) {
    var button = Array.prototype.filter.call(document.querySelectorAll("table.filer button.sortera"),
      function (b) { return b.textContent === label; })[0];
    button.click();
  });
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var width = root.clientWidth, outside = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) { outside.push(el.tagName.toLowerCase() + "." + el.className); }
    if ((el.tagName === "TD" || el.tagName === "TH") && el.scrollWidth > el.clientWidth + 1) {
      outside.push("i " + el.tagName.toLowerCase() + "." + el.className);
    }
  });
  // A line break between two letters or digits of a file name is a break inside a word.
  var letter = /[\p{L}\p{N}]/u, broken = [];
  document.querySelectorAll("td.filnamn, .dok .namn").forEach(function (cell) {
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), top = null, previous = "";
    while (walker.nextNode()) {
      var node = walker.currentNode;
      for (var i = 0; i < node.length; i += 1) {
        var range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        var rects = range.getClientRects();
        if (!rects.length) { continue; }
        if (top !== null && rects[0].top > top + 2 && letter.test(previous) && letter.test(node.data[i])) {
          broken.push(cell.textContent);
        }
        top = rects[0].top; previous = node.data[i];
      }
    }
  });
  var order = Array.prototype.filter.call(document.querySelectorAll("tbody.fil, tbody.grupp"),
    function (b) { return !b.hidden; }).map(function (b) {
      return b.classList.contains("grupp") ? "# " + b.textContent.trim() : b.querySelector("td.filnamn").textContent;
    });
  root.setAttribute("data-matt", JSON.stringify({
    width: width, scrollWidth: root.scrollWidth, outside: outside, broken: broken, order: order,
    nameWidths: Array.prototype.map.call(document.querySelectorAll("td.filnamn"), function (c) { return c.clientWidth; })
  }));
})();
"""


def measure(chromium: str, page: Path, width: int, profile: Path, steps: list[str] = ()) -> dict:
    import json

    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text(encoding="utf-8"))
    text = text.replace("<html ", f"<html data-steg='{escape(json.dumps(list(steps)))}' ", 1)
    copy = page.with_name("matt.html")
    copy.write_text(text.replace("</body>", f"<script>{MEASURE}</script></body>"), encoding="utf-8")
    done = subprocess.run([chromium, *browser_flags(profile), f"--window-size={width},900", "--dump-dom",
                           copy.absolute().as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-matt="([^"]*)"', done.stdout)
    assert found, "mätskriptet kördes inte"
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def real_overview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview of every sample report, some deep in folders with long names, with copies and threads."""
    root = tmp_path_factory.mktemp("oversikt")
    folder = root / "Inlämnat"
    reports = Path(__file__).resolve().parent.parent / "reports"
    deep = folder / "Stadsdelsförvaltningen_Hägersten-Älvsjö" / "Äldreomsorgens_hemtjänstenheter"
    for index, report in enumerate(sorted(reports.glob("*.docx"))):
        target = (deep if index % 2 else folder) / report.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report, target)
    main(["check", str(folder), "-q", "--overview", str(root / "ut"), "--annotate", str(root / "ut" / "kopior")])
    return root / "ut" / HTML_NAME


@pytest.mark.parametrize("width", [800, 1400])
def test_browser_page_fits_the_window_and_names_break_between_words(chromium: str, real_overview: Path,
                                                                   tmp_path: Path, width: int) -> None:
    found = measure(chromium, real_overview, width, tmp_path / "profil")
    assert found["scrollWidth"] <= found["width"], found["outside"][:10]
    assert found["outside"] == []
    assert found["broken"] == []
    assert min(found["nameWidths"]) >= 60  # a file name's column is wide enough to read, not a character


def test_browser_sorts_by_a_column_and_back_to_units(chromium: str, tmp_path: Path) -> None:
    html_path, _ = write_overview(tmp_path / "ut")
    grouped = measure(chromium, html_path, 1400, tmp_path / "profil")["order"]
    assert [name for name in grouped if not name.startswith("#")] == ["c_tertial.docx", "a_fientlig.docx",
                                                                      "b_ren.docx", "d_trasig.docx"]
    assert sum(name.startswith("# ") for name in grouped) == 4  # a heading per unit
    by_errors = measure(chromium, html_path, 1400, tmp_path / "profil", ["Fel"])["order"]
    assert by_errors == ["a_fientlig.docx", "c_tertial.docx", "b_ren.docx", "d_trasig.docx"]  # most first, no headings
    by_name = measure(chromium, html_path, 1400, tmp_path / "profil", ["Fil", "Fil"])["order"]
    assert by_name == ["d_trasig.docx", "c_tertial.docx", "b_ren.docx", "a_fientlig.docx"]
    back = measure(chromium, html_path, 1400, tmp_path / "profil", ["Fel", "Enhet"])["order"]
    assert back == grouped


# --- the thread section ----------------------------------------------------------------------


def thread_section(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index('<section class="trad">')
    return text[start:text.index("</section>", start)]


def test_threads_say_what_is_missing_and_show_inga_data_as_a_problem(tmp_path: Path) -> None:
    reports = Path(__file__).resolve().parent.parent / "reports"
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("aspudden_t2_2025_export.docx", "aspudden_vb2025_export.docx", "hagersten_alvsjo_vp2024_export.docx"):
        shutil.copyfile(reports / name, folder / name)
    main(["check", str(folder), "-q", "--overview", str(tmp_path / "ut")])
    section = thread_section(tmp_path / "ut" / HTML_NAME)
    # A unit without a plan: said, and its goals followed from its first report.
    aspudden = section[section.index("<h3>Aspuddens hemtjänst 2025</h3>"):]
    line = re.search(r'<p class="tradrad brist">(.*?)</p>', aspudden).group(1)
    assert line.startswith("Verksamhetsplanen saknas – målen följs från tertialrapport 2")
    assert re.search(r"\d+ bedömningar saknas \(inga data\)", line)
    assert '<td class="ingadata">inga data</td>' in aspudden
    # A unit with only its plan is shown too (a thread of one document), with its summary line.
    assert "<h3>Hägersten-Älvsjö hemtjänst 2024</h3>" in section
    assert "Bara verksamhetsplan – ännu inga senare dokument som följer upp målen." in section
    assert "att följa upp i<" not in section and "att följa upp i." not in section


def test_a_unit_with_one_report_and_no_plan_is_shown(tmp_path: Path) -> None:
    write_report(tmp_path / "in" / "a.docx", "Enhet A")
    write_report(tmp_path / "in" / "b.docx", "Enhet B")
    main(["check", str(tmp_path / "in"), "-q", "--overview", str(tmp_path / "ut")])
    section = thread_section(tmp_path / "ut" / HTML_NAME)
    for unit in ("Enhet A", "Enhet B"):
        assert f"<h3>{unit} 2025</h3>" in section
    assert section.count("Bara verksamhetsberättelse – verksamhetsplanen saknas") == 2
