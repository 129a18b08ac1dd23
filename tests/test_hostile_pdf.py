"""Bad and hostile PDFs (issue 17, item 5): each is told in Swedish, naming the file and the problem.

Every PDF is written by the test itself (tests.hostile_inputs: by hand, a PDF
is text with byte offsets, or by reportlab where it encrypts). Each bad file
is read with read_report, checked with `python -m checker check FILE` (the
way a coordinator names a file), and in a folder by `check` and `watch --once`: a clear Swedish message, exit code 1 as
for every unreadable file, no traceback, within the time limit, the input
byte for byte unchanged. The bombs are also checked in a process whose
memory is capped far below what unpacking them would take: PDFium ends a
process it cannot get memory for, so a bomb that reached it would show as a
crash there, not as a message.

Files PDFium can read although they look bad (an owner password that only
forbids printing, a broken cross-reference table, deep nesting) are read,
not refused.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import ReadError
from checker.output.annotate import text_report_path
from checker.reading.pdf.document import open_pdf, require_text_layer
from checker.reading.report import read_report
from tests import hostile_inputs as h

# Python, PDFium and one worker fit easily; PDFium unpacking a bomb (twice its size) does not.
MEMORY_LIMIT = 2 * 1024**3
# A hang guard, ten times what the whole run takes on a loaded machine: no timing is asserted.
HANG_GUARD = 600


@dataclass(frozen=True)
class Case:
    file: str
    build: Callable[[], bytes]
    expected: tuple[str, ...]


CASES = [
    Case("lösenord.pdf", h.encrypted_pdf, ("PDF-filen är lösenordsskyddad", "utan lösenord")),
    Case("inskannad.pdf", h.scanned_pdf,
         ("PDF-filen har inget textlager (den är en inskannad bild)",
          "Målkoll gissar inte vad som står – kör textigenkänning (OCR) eller skicka Word-filen.")),
    Case("inskannad med sidnummer.pdf", lambda: h.scanned_pdf(4, stamp="Sid 1 (4)"), ("har inget textlager", "OCR")),
    Case("ocr av första sidan.pdf", lambda: h.scanned_pdf(4, text_pages=1),
         ("inget textlager på 3 av 4 sidor", "gissar inte")),
    Case("tomma sidor.pdf", h.blank_pdf, ("ingen text att granska",)),
    Case("trasig.pdf", h.unrepairable_pdf, ("PDF-filen är skadad", "xref")),
    Case("avbruten kopiering.pdf", lambda: h.truncated(h.text_pdf(pages=3), 0.5), ("PDF-filen är ofullständig",)),
    Case("slumpbytes.pdf", h.random_bytes, ("heter .pdf men är varken en PDF-fil eller ett Word-dokument",)),
    Case("webbsida.pdf", lambda: b"<!DOCTYPE html><html><body>Rapport</body></html>", ("heter .pdf", "webbsida")),
    Case("tom.pdf", lambda: b"", ("filen är tom (0 byte)",)),
    Case("pdf i zip.docx", h.pdf_inside_a_zip, ("både en PDF-fil och ett zip-arkiv", "manipulerad")),
    Case("pdf med zip.docx", h.pdf_with_a_zip_appended, ("både en PDF-fil och ett zip-arkiv",)),
    Case("bomb.pdf", h.pdf_bomb, ("100 MB", "dekomprimeringsbomb", "max-entry-mb")),
    Case("dubbelpackad bomb.pdf", lambda: h.pdf_bomb(twice=True), ("packad mer än 200 gånger", "dekomprimeringsbomb")),
    Case("förklädd bomb.pdf", h.disguised_bomb, ("dekomprimeringsbomb",)),
    Case("lzw-bomb.pdf", h.lzw_bomb, ("100 MB", "dekomprimeringsbomb", "max-entry-mb")),
    Case("bildbomb.pdf", lambda: h.pdf_bomb(image=True), ("bild", "dekomprimeringsbomb")),
    Case("en miljon sidor.pdf", h.many_pages_pdf, ("1 000 000 sidor", "max-pages")),
    Case("jättesida.pdf", h.huge_page_pdf, ("sida 1", "större än den största sida PDF-standarden tillåter")),
    Case("miljontals objekt.pdf", h.many_objects_pdf, ("50 000 007 objekt", "max-objects")),
]
# Bad-looking files PDFium reads: what they say must come through.
READ = {
    "bara ägarlösenord.pdf": lambda: h.encrypted_pdf(user_password=""),
    "trasig xref.pdf": h.broken_xref_pdf,
    "utan xref.pdf": h.no_xref_pdf,
    "djupt nästlad.pdf": h.deeply_nested_pdf,
    "mest ocr.pdf": lambda: h.scanned_pdf(4, text_pages=3),
}


@dataclass
class Folder:
    base: Path
    folder: Path
    before: dict[str, str]
    check: object
    watch: object
    results: dict[str, dict]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    base = tmp_path_factory.mktemp("pdf")
    folder = base / "Inlämnat"
    folder.mkdir()
    for case in CASES:
        (folder / case.file).write_bytes(case.build())
    for name, build in READ.items():
        (folder / name).write_bytes(build())
    before = h.snapshot(folder)
    capped = MEMORY_LIMIT if sys.platform.startswith("linux") else None
    check, watch = h.run_malkoll_together(
        (("check", str(folder), "--format", "json", "-o", str(base / "resultat.json"), "--jobs", "2", "--timeout", "60"),
         {"timeout": HANG_GUARD, "memory_limit": capped}),
        (("watch", str(folder), "--once", "--settle", "0", "-o", str(base / "bevakning"), "--jobs", "2",
          "--timeout", "60"), {"timeout": HANG_GUARD, "memory_limit": capped}),
    )
    assert (base / "resultat.json").exists(), check.stderr
    results = {Path(f["path"]).name: f for f in json.loads((base / "resultat.json").read_text(encoding="utf-8"))["files"]}
    return Folder(base, folder, before, check, watch, results)


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_read_report_explains_each_bad_pdf_in_swedish(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.file
    path.write_bytes(case.build())
    with pytest.raises(ReadError) as info:
        read_report(path)
    assert info.value.path == path and str(path) in str(info.value)
    for fragment in case.expected:
        assert fragment in info.value.problem


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_check_explains_each_bad_pdf_in_swedish(checked: Folder, case: Case) -> None:
    result = checked.results[case.file]
    assert result["error"] is not None and result["passed"] is False
    for fragment in case.expected:
        assert fragment in result["error"]
    assert "internt fel" not in result["error"] and "granskningen avbröts" not in result["error"]


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_watch_logs_each_bad_pdf_and_writes_its_report(checked: Folder, case: Case) -> None:
    lines = [line for line in checked.watch.stdout.splitlines() if f"  {case.file}  " in line]
    assert len(lines) == 1 and "  KUNDE INTE LÄSAS  " in lines[0], checked.watch.stdout
    assert case.expected[0] in lines[0]
    reply = text_report_path(checked.folder / case.file, checked.folder, checked.base / "bevakning")
    text = reply.read_text(encoding="utf-8-sig")
    assert "KUNDE INTE LÄSAS" in text and case.expected[0] in " ".join(text.split())


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_a_bad_pdf_named_alone_is_unreadable_with_exit_code_1(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.file
    path.write_bytes(case.build())
    code, out, err = h.run_in_process("check", str(path), "--timeout", "0", "--no-color")
    section = out.split(f"Fil: {path}\n", 1)
    assert code == 1 and len(section) == 2, out + err
    assert section[1].startswith("KUNDE INTE LÄSAS")
    assert case.expected[0] in " ".join(section[1].split("\n\n")[0].split())
    assert "Traceback" not in out + err


def test_exit_code_no_traceback_and_inputs_unchanged(checked: Folder) -> None:
    assert (checked.check.returncode, checked.watch.returncode) == (1, 1), checked.check.stderr + checked.watch.stderr
    for text in (checked.check.stdout, checked.check.stderr, checked.watch.stdout, checked.watch.stderr):
        assert "Traceback" not in text and "internt fel" not in text
    assert h.snapshot(checked.folder) == checked.before
    assert sorted(p.name for p in checked.base.iterdir()) == ["Inlämnat", "bevakning", "resultat.json"]
    assert len(checked.results) == len(CASES) + len(READ)


def test_bombs_never_reach_pdfium_even_without_workers(tmp_path: Path) -> None:
    """`--jobs 1 --timeout 0` reads in the run's own process, with no worker to lose: under a memory cap far below
    the 8 GB PDFium would need for the 4 GB bomb, the run still ends with the message, not a crash."""
    names = []
    for case in CASES:
        if "bomb" in case.file:
            (tmp_path / case.file).write_bytes(case.build())
            names.append(str(tmp_path / case.file))
    run = h.run_malkoll("check", *names, "--jobs", "1", "--timeout", "0", timeout=HANG_GUARD,
                        memory_limit=1024**3 if sys.platform.startswith("linux") else None)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.count("dekomprimeringsbomb") == len(names) and "Traceback" not in run.stderr


@pytest.mark.parametrize("name", list(READ))
def test_bad_looking_pdfs_pdfium_can_read_are_read(tmp_path: Path, checked: Folder, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(READ[name]())
    with open_pdf(path) as document:
        require_text_layer(path, document)
        page = document[0]
        assert h.PDF_TEXT in page.get_textpage().get_text_range()
    error = checked.results[name]["error"] or ""
    for refusal in ("lösenord", "skadad", "textlager", "dekomprimeringsbomb", "gränsen", "internt fel"):
        assert refusal not in error


def test_a_word_document_named_pdf_is_read_as_the_word_document_it_is(tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(h.docx_named_pdf())
    report = read_report(path)  # read from its content, like a PDF named .docx (checker.reading.is_pdf)
    assert report.path == str(path) and [goal.title for goal in report.all_enhetsmal()] == [h.PDF_TEXT.split(": ")[1]]


def test_the_text_layer_is_decided_from_the_whole_document(tmp_path: Path) -> None:
    """One scanned appendix page in an export is read; the reader's own character counts decide the same way."""
    path = tmp_path / "bilaga.pdf"
    path.write_bytes(h.scanned_pdf(5, text_pages=4))
    with open_pdf(path) as document:
        require_text_layer(path, document)
        require_text_layer(path, document, [500, 480, 350, 20, 0])
        with pytest.raises(ReadError, match="inget textlager på 3 av 5 sidor"):
            require_text_layer(path, document, [500, 480, 3, 0, 0])
        with pytest.raises(ReadError, match=r"inget textlager \(den är en inskannad bild\)"):
            require_text_layer(path, document, [0, 0, 0, 19, 0])


def test_run_length_data_is_measured_without_unpacking(tmp_path: Path) -> None:
    """RunLength packs at most 64 times, below any ratio limit: its size is what tells, here under a lowered limit."""
    path = tmp_path / "rapport.pdf"
    path.write_bytes(h.run_length_spaces_pdf(2 * h.MiB))
    with open_pdf(path) as document:
        assert h.PDF_TEXT in document[0].get_textpage().get_text_range()
    code, out, _ = h.run_in_process("check", str(path), "--timeout", "0", env={"MALKOLL_MAX_ENTRY_MB": "1"})
    assert code == 1 and "mer än 1 MB, gränsen för en del" in " ".join(out.split()), out


def test_pdf_limits_can_be_lowered(tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(h.text_pdf(pages=3))
    code, out, _ = h.run_in_process("check", str(path), "--timeout", "0", env={"MALKOLL_MAX_PAGES": "2"})
    assert code == 1 and "3 sidor, fler än gränsen 2" in " ".join(out.split()) and "MALKOLL_MAX_PAGES" in out
    (tmp_path / "malkoll.toml").write_text("[limits]\nmax-objects = 5\n", encoding="utf-8")
    code, out, _ = h.run_in_process("check", str(path), "--timeout", "0", "--config", str(tmp_path / "malkoll.toml"))
    assert code == 1 and "fler än gränsen 5" in " ".join(out.split()) and "max-objects" in out


# --- damage anywhere ---------------------------------------------------------------------------------


@functools.cache
def _exported_report() -> bytes:
    from tests.fixtures import docbuilder, pdfbuilder

    return pdfbuilder.build_pdf(docbuilder.load_source("hagersten_alvsjo_vp2024"), state="export")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8),
       st.one_of(st.none(), st.integers(0, 10**9)))
def test_a_pdf_damaged_byte_by_byte_is_read_or_refused_in_swedish(flips, cut) -> None:
    """Damage anywhere (header, objects, packed streams, the xref table, the trailer), and maybe cut short:
    a report or a ReadError in Swedish naming the file, nothing else."""
    data = bytearray(_exported_report())
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "skadad.pdf"
        path.write_bytes(bytes(data))
        try:
            read_report(path)
        except ReadError as error:
            assert error.path == path and error.problem and "Traceback" not in error.problem
            assert any(word in error.problem for word in ("filen", "PDF", "sida")), error.problem
