"""Annotated copies: a Word comment per finding, anchored where the finding points.

The documents are built with the fixture builder, checked with the real
reader and catalog, and the copies are opened again with python-docx to see
where each comment's range starts. A LibreOffice test converts a copy to PDF
and finds the comment texts in it (skipped when LibreOffice is absent; in CI,
which installs it, that fails instead).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import docx
import pytest

from checker.output.annotate import (
    AUTHOR,
    INITIALS,
    AnnotateError,
    Verdict,
    annotate,
    annotated_path,
    check_target,
    finding_comment,
    summary_comment,
)
from checker.cli import main
from checker.reading.docx import body_elements
from checker.engine import check_report, default_rules_dir, load_rules
from checker.findings import Finding, Location, Severity
from checker.model import Source
from checker.reading.report import read_report
from tests.external import missing
from tests.fixtures import docbuilder as db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HOSTILE_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt; och <img src=x onerror=alert(2)//"


# --- documents for the tests (also used by the other batch/watch/overview tests) ----------


def report_spec(unit: str, *, goal: str = "Enheten arbetar för trygghet", analysis: bool = False) -> db.DocSpec:
    """A small but complete VB: front page, one enhetsmål and an indicator table.

    Without analyses it has an error on a paragraph (VB03) and findings on a
    table row (IN01, IN03), so comments land on both kinds of anchor; with
    them it passes (GODKÄND, one info).
    """
    spec = (
        db.DocSpec()
        .set(kind="VB", year=2025, unit=unit)
        .logo()
        .para(unit)
        .title("Verksamhetsberättelse 2025")
        .page_break()
        .heading("Sammanfattande analys")
        .para("Året har präglats av arbete med kontinuitet.")
        .kf_inriktningsmal("1. Ett Stockholm som håller samman")
        .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i")
        .enhetsmal(goal)
        .status("Uppfylls delvis", glyph="pua")
        .label("Förväntat resultat")
        .numbered(["Ökad trygghet.", "Ökad delaktighet."])
        .label("Analys")
    )
    row: list[object] = [["Andel nöjda", "80 %", "", "", "", "85 %", "", "2025"]]
    if analysis:
        spec.para("Enheten bedömer att målet har uppfyllts delvis eftersom trygghetsmätningen visade 80 procent.")
        row.append(db.Analys("Analys Andelen nöjda ökade men nådde inte årsmålet; fler hembesök planeras."))
    else:
        spec.empty()
    return spec.indikator_table(row)


def write_report(path: Path, unit: str = "Testenheten", **kwargs: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    db.build_docx(report_spec(unit, **kwargs), path, state="export")  # type: ignore[arg-type]
    return path


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


def comments_by_anchor(path: Path) -> dict[int, tuple[str, tuple[object, ...]]]:
    """comment id → (its text, where its range starts: ("p", paragraph) or ("tc", table, row, cell))."""
    document = docx.Document(str(path))
    texts = {c.comment_id: c.text for c in document.comments}
    anchors: dict[int, tuple[str, tuple[object, ...]]] = {}
    paragraph = table = -1
    for block in body_elements(document.element.body):
        if block.tag == W + "p":
            paragraph += 1
        else:
            table += 1
        for start in block.iter(W + "commentRangeStart"):
            cid = int(start.get(W + "id"))
            cell = next(start.iterancestors(W + "tc"), None)
            if cell is None:
                anchors[cid] = (texts[cid], ("p", paragraph))
            else:
                row = cell.getparent()
                anchors[cid] = (texts[cid], ("tc", table, block.index(row) - _leading(block), row.index(cell) - _leading(row)))
    return anchors


def _leading(parent) -> int:
    """Children before the first w:tr / w:tc (tblPr, tblGrid, trPr) do not count as rows or cells."""
    for i, child in enumerate(parent):
        if child.tag in (W + "tr", W + "tc"):
            return i
    return 0


def paragraph_texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return ["".join(t.text or "" for t in b.iter(W + "t")) for b in body_elements(document.element.body) if b.tag == W + "p"]


def verdict_for(findings: list[Finding], fail_level: Severity = Severity.ERROR) -> Verdict:
    count = lambda s: sum(1 for f in findings if f.severity == s)  # noqa: E731
    return Verdict(
        passed=not any(f.severity >= fail_level for f in findings),
        errors=count(Severity.ERROR),
        warnings=count(Severity.WARNING),
        infos=count(Severity.INFO),
        fail_level=fail_level,
    )


# --- anchoring -----------------------------------------------------------------------------


def test_each_finding_becomes_a_comment_where_it_points(tmp_path: Path, catalog) -> None:
    source = write_report(tmp_path / "in" / "enhet.docx")
    findings = check_report(read_report(source), catalog)
    assert {f.rule for f in findings} >= {"VB03", "IN01"}
    out = tmp_path / "ut"
    target = annotated_path(source, source.parent, out)
    annotate(source, target, out, findings, verdict_for(findings), help_for=lambda rid: catalog.get(rid).help)

    document = docx.Document(str(target))
    comments = list(document.comments)
    assert len(comments) == len(findings) + 1
    assert all(c.author == AUTHOR and c.initials == INITIALS for c in comments)

    anchors = comments_by_anchor(target)
    summary_text, summary_anchor = anchors[min(anchors)]
    assert summary_text.startswith("Målkoll: UNDERKÄND")
    # On the document's title, not on the logo line or the unit's name above it.
    assert summary_anchor == ("p", paragraph_texts(target).index("Verksamhetsberättelse 2025"))

    for finding in findings:
        expected_text = finding_comment(finding, catalog.get(finding.rule).help)
        matches = [anchor for text, anchor in anchors.values() if text == expected_text]
        assert len(matches) == 1, f"ingen kommentar för {finding.rule}"
        src = finding.location.source
        if src.table is not None:
            assert matches[0][:3] == ("tc", src.table, src.row)
        else:
            assert matches[0] == ("p", src.paragraph)
    # Same paragraphs, same text: only comments were added.
    assert paragraph_texts(target) == paragraph_texts(source)


def test_comment_text_has_message_rule_and_help() -> None:
    finding = Finding("VB03", Severity.ERROR, "Enhetsmålet saknar analys", "Mål", "enhetsmal",
                      Location((), Source(block=3, paragraph=3)))
    text = finding_comment(finding, "Nämnden behöver veta\nvarför.\n\nAndra stycket.")
    assert text.splitlines() == ["Fel (regel VB03): Enhetsmålet saknar analys", "Nämnden behöver veta varför.",
                                 "Andra stycket."]
    whole = Finding("DK01", Severity.ERROR, "Typen okänd", None, "dokument")
    assert "Gäller dokumentet som helhet." in finding_comment(whole, None)
    passed = summary_comment(Verdict(True, 0, 1, 0, Severity.ERROR), "2025-03-01 12:00")
    assert passed.startswith("Målkoll: GODKÄND – 0 fel, 1 varning, 0 info.")
    assert "Granskat 2025-03-01 12:00." in passed


def test_empty_paragraph_and_cell_get_an_empty_run(tmp_path: Path) -> None:
    source = write_report(tmp_path / "enhet.docx")
    document = docx.Document(str(source))
    blocks = list(body_elements(document.element.body))
    paragraphs = [b for b in blocks if b.tag == W + "p"]
    empty_index = next(i for i, p in enumerate(paragraphs) if not "".join(p.itertext()).strip())
    table_index = 0
    findings = [
        Finding("XX01", Severity.WARNING, "Tomt stycke", None, "avsnitt",
                Location((), Source(block=blocks.index(paragraphs[empty_index]), paragraph=empty_index))),
        # Row 1, column 3 (utfall män) is empty in the builder's table.
        Finding("XX02", Severity.INFO, "Tom cell", "Andel nöjda", "indikator",
                Location((), Source(block=0, table=table_index, row=1, column=2))),
        Finding("XX03", Severity.INFO, "Utanför dokumentet", None, "dokument",
                Location((), Source(block=9999, paragraph=9999))),
    ]
    out = tmp_path / "ut"
    target = annotate(source, out / "kopia.granskning.docx", out, findings, verdict_for(findings))
    anchors = comments_by_anchor(target)
    assert len(anchors) == 4
    by_rule = {text.split(":")[0]: anchor for text, anchor in anchors.values()}
    assert by_rule["Varning (regel XX01)"] == ("p", empty_index)
    assert by_rule["Info (regel XX02)"] == ("tc", 0, 1, 2)
    title = ("p", paragraph_texts(target).index("Verksamhetsberättelse 2025"))
    assert by_rule["Info (regel XX03)"] == title  # a place that does not exist: the title, with the summary


def test_hostile_text_in_comments_is_cleaned(tmp_path: Path, catalog) -> None:
    source = write_report(tmp_path / "enhet.docx", goal="Mål med " + HOSTILE_TITLE)
    findings = check_report(read_report(source), catalog)
    # Control characters cannot be in a .docx, but a rule message could carry them.
    findings.append(Finding("XX01", Severity.INFO, "Styr\x1b[31mtecken\x07 och \x00nollor", None, "dokument"))
    out = tmp_path / "ut"
    target = annotate(source, out / "k.granskning.docx", out, findings, verdict_for(findings))
    texts = [c.text for c in docx.Document(str(target)).comments]
    assert any("<script>alert(1)</script>" in t for t in texts)  # kept as text: Word shows it, never runs it
    assert not any("\x1b" in t or "\x07" in t for t in texts)


# --- safety --------------------------------------------------------------------------------


def test_original_untouched_and_no_temp_files_left(tmp_path: Path, catalog) -> None:
    source = write_report(tmp_path / "enhet.docx")
    before = (hashlib.sha256(source.read_bytes()).hexdigest(), source.stat().st_mtime_ns)
    os.chmod(source, 0o444)  # read-only: annotate must not even try to open it for writing
    findings = check_report(read_report(source), catalog)
    out = tmp_path / "ut"
    annotate(source, out / "enhet.granskning.docx", out, findings, verdict_for(findings))
    assert (hashlib.sha256(source.read_bytes()).hexdigest(), source.stat().st_mtime_ns) == before
    assert [p.name for p in out.iterdir()] == ["enhet.granskning.docx"]


def test_targets_outside_the_folder_or_onto_the_original_are_refused(tmp_path: Path) -> None:
    source = write_report(tmp_path / "enhet.docx")
    out = tmp_path / "ut"
    with pytest.raises(AnnotateError, match="utanför utdatamappen"):
        check_target(source, tmp_path / "annan" / "x.docx", out)
    with pytest.raises(AnnotateError, match="utanför utdatamappen"):
        check_target(source, out / ".." / "x.docx", out)
    with pytest.raises(AnnotateError, match="skriva över originalet"):
        check_target(source, source, tmp_path)
    assert annotated_path(tmp_path / "a" / "b" / "vb.docx", tmp_path, out) == out / "a" / "b" / "vb.granskning.docx"


def test_failed_write_leaves_no_partial_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_report(tmp_path / "enhet.docx")
    out = tmp_path / "ut"
    out.mkdir()

    def broken_replace(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        annotate(source, out / "enhet.granskning.docx", out, [], Verdict(True, 0, 0, 0, Severity.ERROR))
    assert list(out.iterdir()) == []


# --- through the command line ------------------------------------------------------------


def test_check_annotate_writes_one_copy_per_file_and_never_an_input(tmp_path: Path) -> None:
    folder = tmp_path / "Inlämnat"
    write_report(folder / "a.docx", "Enhet A")
    write_report(folder / "sub" / "a.docx", "Enhet B", analysis=True)
    (folder / "trasig.docx").write_bytes(b"inte en zip")
    (folder / "~$a.docx").write_bytes(b"lock")
    code = main(["check", str(folder), "-q", "--annotate", str(folder / "granskning"), "--timeout", "60"])
    assert code == 1
    out = folder / "granskning"
    copies = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert copies == ["a.granskning.docx", "sub/a.granskning.docx"]
    # A second run over the same folder does not check the copies themselves.
    code = main(["check", str(folder), "--format", "json", "-o", str(tmp_path / "r.json"), "--annotate", str(out)])
    import json

    checked = [f["path"] for f in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]]
    assert not any("granskning" in p for p in checked) and len(checked) == 3


def test_annotate_option_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_report(tmp_path / "a.docx")
    code = main(["check", str(source), "--annotate", str(source)])
    assert code == 2
    assert "ska vara en mapp" in capsys.readouterr().err


# --- rendered by LibreOffice -------------------------------------------------------------


def pdf_annotation_texts(pdf: bytes) -> list[str]:
    """The /Contents strings of a PDF's annotations (LibreOffice exports comments as such).

    A small stdlib reader: objects may sit in compressed streams, so every
    FlateDecode stream is inflated and searched too.
    """
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        with_suppressed = pdf[match.end():end]
        try:
            chunks.append(zlib.decompress(with_suppressed))
        except zlib.error:
            continue
    texts: list[str] = []
    pattern = re.compile(rb"/Contents\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", re.S)
    for chunk in chunks:
        for found in pattern.finditer(chunk):
            texts.append(_pdf_string(found.group(1)))
    return texts


def _pdf_string(raw: bytes) -> str:
    if raw.startswith(b"<"):
        data = bytes.fromhex(re.sub(rb"\s", b"", raw[1:-1]).decode())
    else:
        body = raw[1:-1]
        escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")", b"\\": b"\\"}
        data = re.sub(rb"\\([nrt()\\])", lambda m: escapes[m.group(1)], body)
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def test_annotated_copy_renders_its_comments_in_libreoffice(tmp_path: Path, catalog) -> None:
    if shutil.which("soffice") is None:
        missing("LibreOffice (soffice) finns inte på den här datorn")
    source = write_report(tmp_path / "enhet.docx", "Renderingsenheten")
    findings = check_report(read_report(source), catalog)
    out = tmp_path / "ut"
    target = annotate(source, out / "enhet.granskning.docx", out, findings, verdict_for(findings),
                      help_for=lambda rid: catalog.get(rid).help)
    pdf_dir = tmp_path / "pdf"
    export = 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}'
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profil'}", "--headless", "--convert-to", export,
         "--outdir", str(pdf_dir), str(target)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = pdf_dir / "enhet.granskning.pdf"
    assert pdf.exists(), completed.stderr
    texts = pdf_annotation_texts(pdf.read_bytes())
    assert any(t.startswith("Målkoll: UNDERKÄND") for t in texts), texts
    for finding in findings:
        assert any(f"(regel {finding.rule})" in t for t in texts), finding.rule
    if shutil.which("pdftotext"):
        body = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        assert "Renderingsenheten" in body  # the document itself is all there too


def test_copy_has_every_finding_of_the_run_also_those_added_later(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Findings that need the whole folder (thread rules) arrive after the worker wrote the copy."""
    import json

    folder = tmp_path / "in"
    plan = (
        db.DocSpec().set(kind="VP", year=2025, unit="Testenheten").logo().para("Testenheten")
        .title("Verksamhetsplan 2025").page_break()
        .kf_inriktningsmal("1. Ett Stockholm som håller samman")
        .kf_mal("1.4 Stockholm ska vara en bra stad att åldras i")
        .enhetsmal("Enheten arbetar med kontinuitet i bemanningen")
        .label("Förväntat resultat").numbered(["Färre personal per kund."])
        .label("Arbetssätt").para("Vi planerar scheman i små grupper.")
        .label("Uppföljning").para("Kontinuitetsmätning varje månad.")
    )
    folder.mkdir()
    db.build_docx(plan, folder / "vp.docx", state="export")
    write_report(folder / "vb.docx", "Testenheten")
    main(["check", str(folder), "--format", "json", "--annotate", str(tmp_path / "ut")])
    files = {Path(f["path"]).name: f for f in json.loads(capsys.readouterr().out)["files"]}
    for name in ("vp", "vb"):
        expected = sorted(f["rule"] for f in files[f"{name}.docx"]["findings"])
        texts = [c.text for c in docx.Document(str(tmp_path / "ut" / f"{name}.granskning.docx")).comments]
        got = sorted(re.search(r"\(regel (\w+)\)", t).group(1) for t in texts[1:])
        assert got == expected
