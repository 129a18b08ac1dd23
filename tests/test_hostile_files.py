"""Broken, disguised and malicious .docx files (issue 6), through `malkoll check` and `malkoll watch --once`.

One shared folder ("the gallery") holds every bad file of the issue next to
good reports, as a coordinator's folder would. It is checked once by
`malkoll check` in a subprocess (JSON, annotated copies and the overview,
two workers, under an address-space limit that a decompressed bomb would
break), once in this process with `--timeout 0 --jobs 1` (the path without
workers or time limit, which only the size limits keep short), and once by
`malkoll watch --once`. Each case then gets its own assertions: a Swedish
message that names the file and says what is wrong, exit code 1, no
traceback, the good files still checked, the inputs byte for byte unchanged
and nothing written outside the output folders. Absurdly large but valid
documents have their own, smaller folder.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.errors import ReadError
from checker.reading.report import read_report
from tests import hostile_inputs as h
from tests.test_annotate import write_report

SECRET = "HEMLIGT-7f3a9c-LÖSENORD"
# Python, lxml and two forked workers fit easily; a decompressed 4 GB bomb does not.
MEMORY_LIMIT = 3 * 1024**3
PASSWD = Path("/etc/passwd")


@dataclass(frozen=True)
class Case:
    file: str
    build: Callable[[Path], bytes]
    expected: tuple[str, ...]


def _passwd_line() -> str | None:
    try:
        return PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return None


CASES = [
    Case("tom.docx", lambda base: b"", ("filen är tom (0 byte)",)),
    Case("slumpbytes.docx", lambda base: h.random_bytes(), ("inte en Word-fil",)),
    Case("avbruten kopiering.docx", lambda base: h.truncated(h.plain_docx(*["Stycke"] * 200)), ("ofullständig",)),
    Case("utan dokument.docx", lambda base: h.zip_without_document(), ("saknar Word-dokumentets innehåll",)),
    Case("bara en zip.docx", lambda base: h.plain_zip(), ("zip-arkiv men inte ett Word-dokument",)),
    Case("gammal word.docx", lambda base: h.old_word_doc(), ("äldre Word-formatet (.doc)",)),
    Case("lösenord.docx", lambda base: h.encrypted_docx(), ("lösenordsskyddad",)),
    Case("kalkyl.docx", lambda base: h.xlsx(), ("Excel-arbetsbok",)),
    Case("makron.docx", lambda base: h.docm(), (".docm", "makron")),
    Case("pdf.docx", lambda base: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ("PDF-fil",)),
    Case("miljarder skratt.docx", lambda base: h.billion_laughs(), ("dokumenttypdeklaration (DTD)",)),
    Case("extern entitet.docx", lambda base: h.external_entity(str(base / "hemligt.txt")), ("DTD",)),
    Case("passwd.docx", lambda base: h.external_entity("/etc/passwd"), ("DTD",)),
    Case("extern dtd.docx", lambda base: h.external_dtd(str(base / "hemligt.txt")), ("DTD",)),
    Case("entitet i formatmallar.docx", lambda base: h.dtd_in_styles(), ("DTD",)),
    Case("zipbomb.docx", lambda base: h.zip_bomb(), ("4,0 GB", "zipbomb", "packades inte upp")),
    Case("överlappande bomb.docx", lambda base: h.overlapping_bomb(), ("zipbomb", "packades inte upp")),
    Case("utbrytning.docx", lambda base: h.traversal_entry(), ("../../evil.txt", "packar aldrig upp")),
    Case("djupt nästlad.docx", lambda base: h.deep_nesting(), ("256 nivåer",)),
    Case("tiotusen delar.docx", lambda base: h.many_entries(10_001), ("fler än gränsen 10000", "max-entries")),
]
GOOD = ["å ä ö – rapport.docx", "Underkänd/vb.docx", "mapp.docx/inuti.docx"]
LOCK = "~$ ä ö – rapport.docx"


@dataclass
class Gallery:
    base: Path
    folder: Path
    out: Path
    before: dict[str, str]
    check: object
    watch: object
    inproc_code: int
    inproc_out: str
    inproc_err: str
    inproc_seconds: float
    results: dict[str, dict]


_run_in_process = h.run_in_process


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Gallery:
    base = tmp_path_factory.mktemp("galleri")
    folder, out = base / "Inlämnat", base / "ut"
    folder.mkdir()
    (base / "hemligt.txt").write_text(SECRET + "\n", encoding="utf-8")
    for case in CASES:
        (folder / case.file).write_bytes(case.build(base))
    write_report(folder / GOOD[0], "Aspuddens hemtjänst", analysis=True)
    write_report(folder / GOOD[1], "Fruängens hemtjänst")
    write_report(folder / GOOD[2], "Hägerstens hemtjänst", analysis=True)
    (folder / LOCK).write_bytes(h.word_lock_file())
    before = h.snapshot(base)
    out.mkdir()
    started = time.perf_counter()
    code, stdout, stderr = _run_in_process("check", str(folder), "--timeout", "0", "--jobs", "1", "--no-color")
    seconds = time.perf_counter() - started
    check, watch = h.run_malkoll_together(
        (("check", str(folder), "--format", "json", "-o", str(out / "resultat.json"), "--annotate", str(out / "kopior"),
          "--overview", str(out / "oversikt"), "--jobs", "2"),
         {"memory_limit": MEMORY_LIMIT if sys.platform.startswith("linux") else None}),
        (("watch", str(folder), "--once", "--settle", "0", "-o", str(out / "bevakning"), "--jobs", "2"), {}),
    )
    assert (out / "resultat.json").exists(), check.stderr
    results = {Path(f["path"]).relative_to(folder).as_posix(): f
               for f in json.loads((out / "resultat.json").read_text(encoding="utf-8"))["files"]}
    return Gallery(base, folder, out, before, check, watch, code, stdout, stderr, seconds, results)


# --- every case: named, explained in Swedish, counted as unreadable --------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_check_explains_each_bad_file_in_swedish(gallery: Gallery, case: Case) -> None:
    result = gallery.results[case.file]
    assert result["error"] is not None and result["passed"] is False
    for fragment in case.expected:
        assert fragment in result["error"]
    assert "internt fel" not in result["error"] and "Traceback" not in result["error"]


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_single_process_run_names_each_bad_file(gallery: Gallery, case: Case) -> None:
    """--timeout 0 --jobs 1: no worker and no time limit; the terminal section names the file and the problem."""
    section = gallery.inproc_out.split(f"Fil: {gallery.folder / case.file}\n", 1)
    assert len(section) == 2, f"{case.file} saknas i utskriften"
    verdict = section[1].splitlines()[0]
    assert verdict.startswith("KUNDE INTE LÄSAS")
    assert case.expected[0] in " ".join(section[1].split("\n\n")[0].split())


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_watch_logs_each_bad_file_and_writes_its_report(gallery: Gallery, case: Case) -> None:
    lines = [line for line in gallery.watch.stdout.splitlines() if f"  {case.file}  " in line]
    assert len(lines) == 1 and "  KUNDE INTE LÄSAS  " in lines[0], gallery.watch.stdout
    assert case.expected[0] in lines[0]
    report = gallery.out / "bevakning" / (case.file[: -len(".docx")] + ".granskning.txt")
    text = report.read_text(encoding="utf-8-sig")
    assert "KUNDE INTE LÄSAS" in text and case.expected[0] in " ".join(text.split())
    assert not (gallery.out / "bevakning" / (case.file[: -len(".docx")] + ".granskning.docx")).exists()


def test_exit_codes_and_no_traceback_anywhere(gallery: Gallery) -> None:
    assert (gallery.check.returncode, gallery.inproc_code, gallery.watch.returncode) == (1, 1, 1)
    for text in (gallery.check.stdout, gallery.check.stderr, gallery.inproc_out, gallery.inproc_err,
                 gallery.watch.stdout, gallery.watch.stderr):
        assert "Traceback" not in text and "internt fel" not in text and "Error:" not in text


def test_good_files_are_still_checked(gallery: Gallery) -> None:
    for name in GOOD:
        assert gallery.results[name]["error"] is None
        assert (gallery.out / "kopior" / (name[: -len(".docx")] + ".granskning.docx")).is_file()
        assert (gallery.out / "bevakning" / (name[: -len(".docx")] + ".granskning.docx")).is_file()
        assert re.search(rf"  {re.escape(name)}  (GODKÄND|UNDERKÄND)  ", gallery.watch.stdout)
    assert gallery.results[GOOD[0]]["passed"] and not gallery.results[GOOD[1]]["passed"]
    assert len(gallery.results) == len(CASES) + len(GOOD)  # each file once; the lock file is not a report
    overview = (gallery.out / "oversikt" / "sammanstallning.html").read_text(encoding="utf-8")
    assert overview.count('<tbody class="fil"') == len(CASES) + len(GOOD)


def test_word_lock_files_are_passed_over_but_named_alone_are_explained(gallery: Gallery) -> None:
    assert LOCK not in gallery.results
    code, out, _ = _run_in_process("check", str(gallery.folder / LOCK), "--timeout", "0")
    assert code == 1 and "låsfil som Word skapar" in out


def test_the_single_process_run_is_short(gallery: Gallery) -> None:
    """No worker, no time limit: only the size limits keep the bombs from taking minutes and GBs."""
    assert gallery.inproc_seconds < 60


def test_inputs_unchanged_and_nothing_written_outside_the_output_folders(gallery: Gallery) -> None:
    after = h.snapshot(gallery.base, skip=[gallery.out])
    assert after == gallery.before
    for where in (gallery.base, h.REPO, Path.cwd(), gallery.base.parent):
        assert not list(where.glob("evil*")) and not list(where.glob("**/evil.txt"))
    assert not Path("/tmp/evil-absolut.txt").exists()


def test_no_secret_file_content_reaches_any_output(gallery: Gallery) -> None:
    outputs = h.output_texts(gallery.out)
    streams = [gallery.check.stdout, gallery.check.stderr, gallery.inproc_out, gallery.inproc_err,
               gallery.watch.stdout, gallery.watch.stderr]
    passwd = _passwd_line()
    for text in [*outputs.values(), *streams]:
        assert SECRET not in text
        if passwd:
            assert passwd not in text


# --- the checks themselves, in this process ------------------------------------------------------


@pytest.mark.parametrize("build", [h.zip_bomb, h.overlapping_bomb], ids=["4-GB-bomb", "överlappande-bomb"])
def test_bombs_are_refused_from_the_directory_without_decompressing(tmp_path: Path, build) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(build())
    assert path.stat().st_size < 5 * h.MiB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ReadError, match="zipbomb"):
            read_report(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 20 * h.MiB  # decompressing even one MB of the bomb's 4 GB would show here


def test_no_entity_is_expanded_and_no_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "hemligt.txt"
    secret.write_text(SECRET, encoding="utf-8")
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    for build in (lambda: h.external_entity(str(secret)), lambda: h.external_dtd(str(secret)), h.billion_laughs):
        path = tmp_path / "angrepp.docx"
        path.write_bytes(build())
        with pytest.raises(ReadError) as info:
            read_report(path)
        assert "DTD" in info.value.problem and SECRET not in str(info.value)
    assert str(secret) not in opened
    # And below the reader's own refusal, the parser it uses would not have fetched or expanded anything either.
    from lxml import etree

    from checker.reading.docx import _PARSER

    root = etree.fromstring(f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><x>&e;</x>'.encode(), _PARSER)
    assert SECRET not in etree.tostring(root).decode() and (root.text or "") == ""


def test_a_directory_or_a_pipe_named_docx(tmp_path: Path) -> None:
    folder = tmp_path / "x.docx"
    folder.mkdir()
    with pytest.raises(ReadError, match="det är en mapp"):
        read_report(folder)
    code, _, err = _run_in_process("check", str(folder), "--timeout", "0")
    assert code == 0 and f"Inga .docx- eller PDF-filer hittades i {folder}" in err
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "rör.docx"
        os.mkfifo(pipe)
        started = time.perf_counter()
        with pytest.raises(ReadError, match="ingen vanlig fil"):
            read_report(pipe)  # opening a pipe for reading waits for a writer: never reached
        code, out, _ = _run_in_process("check", str(pipe), "--timeout", "0")
        assert code == 1 and "ingen vanlig fil" in out
        assert time.perf_counter() - started < 10


def test_named_files_get_the_same_messages(tmp_path: Path) -> None:
    for case in CASES[:10]:
        path = tmp_path / case.file
        path.write_bytes(case.build(tmp_path))
        code, out, err = _run_in_process("check", str(path), "--timeout", "0", "-q")
        assert code == 1, (case.file, out, err)
        assert f"{path}: " in out and case.expected[0] in " ".join(out.split())


# --- absurd but valid sizes ---------------------------------------------------------------------


BIG = {
    "hundratusen stycken.docx": (lambda: h.many_paragraphs(100_000), None),
    "stycke på 10 MB.docx": (lambda: h.long_paragraph(10 * h.MiB, runs=1000), None),
    "textnod på 10 MB.docx": (lambda: h.long_paragraph(10 * h.MiB), "10 miljoner tecken"),
    "tabeller 50 djupt.docx": (lambda: h.nested_tables(50), None),
}


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], object, object, float]:
    base = tmp_path_factory.mktemp("stora")
    folder = base / "in"
    folder.mkdir()
    for name, (build, _) in BIG.items():
        (folder / name).write_bytes(build())
    before = h.snapshot(folder)
    started = time.perf_counter()
    check, watch = h.run_malkoll_together(
        (("check", str(folder), "--format", "json", "-o", str(base / "r.json"), "--jobs", "2", "--timeout", "100"), {}),
        (("watch", str(folder), "--once", "--settle", "0", "-o", str(base / "ut"), "--jobs", "2"), {}),
    )
    seconds = time.perf_counter() - started
    assert h.snapshot(folder) == before
    return base, before, check, watch, seconds


def test_absurd_sizes_are_read_or_explained_in_bounded_time(big_folder) -> None:
    base, _, check, watch, seconds = big_folder
    assert check.returncode == 1 and "Traceback" not in check.stderr + watch.stderr
    files = {Path(f["path"]).name: f for f in json.loads((base / "r.json").read_text(encoding="utf-8"))["files"]}
    for name, (_, expected) in BIG.items():
        if expected is None:
            assert files[name]["error"] is None, files[name]["error"]
        else:
            assert expected in files[name]["error"]
        line = next(line for line in watch.stdout.splitlines() if f"  {name}  " in line)
        assert ("KUNDE INTE LÄSAS" in line) == (expected is not None)
    assert seconds < 90


def test_nested_tables_keep_their_text(tmp_path: Path) -> None:
    path = tmp_path / "nastlat.docx"
    path.write_bytes(h.nested_tables(50))
    from checker.reading.docx import read_docx

    content = read_docx(path)
    table = next(b for b in content.blocks if hasattr(b, "rows"))
    text = table.rows[0][0].raw
    assert "nivå 1" in text and "nivå 50" in text and "innerst" in text


# --- the watch that keeps running -----------------------------------------------------------------


def test_a_running_watch_survives_bad_files_arriving(tmp_path: Path) -> None:
    """Bad files dropped into a watched folder one after another, one copied over a good report: each is
    logged once with its reason, the good one is checked, and Ctrl-C still ends the watch cleanly."""
    from tests.test_watch import WatchProcess, copy_slowly, replace_like_word

    folder = tmp_path / "Inlämnat"
    write_report(folder / "bra.docx", "Aspuddens hemtjänst", analysis=True)
    # Settle 1 s: a file still after three settles counts as damaged, and a loaded machine can stall a copy that long.
    watch = WatchProcess(folder, "--poll", "--settle", "1", "--interval", "0.2", "--jobs", "2", "--timeout", "30")
    try:
        watch.wait_for("bra.docx granskad", lambda: watch.checks("bra.docx") == 1)
        arrivals = {"bomb.docx": (h.zip_bomb(), "zipbomb"), "lösenord.docx": (h.encrypted_docx(), "lösenordsskyddad"),
                    "entitet.docx": (h.external_entity(), "DTD"), "tom.docx": (b"", "tom (0 byte)")}
        for name, (data, _) in arrivals.items():
            if data:
                copy_slowly(data, folder / name, chunks=3, pause=0.05)  # half-written on the share for a while
            else:
                (folder / name).write_bytes(b"")
        for name, (_, reason) in arrivals.items():
            watch.wait_for(f"{name} avvisad", lambda n=name, r=reason: any(
                f"  {n}  KUNDE INTE LÄSAS  " in line and r in line for line in watch.lines))
        replace_like_word(folder / "bra.docx", h.zip_bomb())
        watch.wait_for("bra.docx ersatt av en bomb", lambda: watch.checks("bra.docx") == 2)
        assert "KUNDE INTE LÄSAS" in [line for line in watch.lines if "  bra.docx  " in line][-1]
        assert not (folder / "granskning" / "bra.granskning.docx").exists()  # the old copy would mislead
        code = watch.interrupt()
        assert code == 0, watch.log()  # what the watch said, when a loaded machine makes this fail
    finally:
        watch.kill()
    assert all(watch.checks(name) == 1 for name in arrivals)
    assert not any("Traceback" in line for line in watch.errors), watch.log()
