"""The gate cannot be fooled (issue 19): no false pass, no stale verdict, no leak, bounded memory.

Each test pins one way a submitter (or a mistaken setting) could make
Målkoll say "OK" wrongly, show what it should not, or take the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker import limits
from checker.batch import Runner
from checker.engine import default_rules_dir, load_rules
from checker.findings import Severity
from checker.watch import Watcher, WatchOptions
from tests import hostile_inputs as h
from tests.test_annotate import write_report
from tests.test_hostile_filesystem import _watch_once


@pytest.fixture(scope="module")
def catalog():
    return load_rules([default_rules_dir()]).filtered()


# --- 1. an output folder that is the input ---------------------------------------------------------


@pytest.mark.parametrize("option", ["--annotate", "--overview"])
@pytest.mark.parametrize("how", ["same", "link", "above"])
def test_an_output_folder_over_the_input_never_passes(tmp_path: Path, option: str, how: str) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A")
    out = {"same": folder, "link": tmp_path / "länk", "above": tmp_path}[how]
    if how == "link":
        out.symlink_to(folder, target_is_directory=True)
    before = h.snapshot(folder)
    code, _, err = h.run_in_process("check", str(folder), option, str(out), "-o", str(tmp_path / "r.json"),
                                    "--format", "json", "--timeout", "0")
    assert code == 2, err
    assert "inga dokument granskas" in err and "Traceback" not in err
    assert h.snapshot(folder) == before


def test_a_folder_of_only_own_outputs_is_not_a_pass(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.granskning.docx", "Enhet A")
    code, _, err = h.run_in_process("check", str(folder), "--timeout", "0")
    assert code != 0 and "granskades inte" in err


# --- 2. a replaced file keeps its old verdict ------------------------------------------------------


def test_a_file_replaced_with_the_same_size_and_mtime_is_checked_again(tmp_path: Path, catalog) -> None:
    folder = tmp_path / "in"
    report = write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    log: list[str] = []
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", settle=0.0, poll=True)
    with Runner(catalog, None, jobs=1, timeout=0, fail_level=Severity.ERROR) as runner:
        watcher = Watcher(options, runner, log=log.append)
        watcher._tick()
        assert any("rapport.docx" in line and "KUNDE INTE LÄSAS" not in line for line in log), log
        stat = report.stat()
        report.write_bytes(h.random_bytes(stat.st_size))  # another file, same size …
        os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # … and the old modification time
        log.clear()
        watcher._tick()
        watcher._tick()
    assert any("rapport.docx  KUNDE INTE LÄSAS" in line for line in log), log


# --- 3. a config file dropped into the shared folder ------------------------------------------------

EVERY_FAMILY = 'ignore = ["DK", "VP", "VB", "IN", "AK", "SK", "TR"]\n'


def _scheduled(folder: Path, *extra: str):
    return h.run_malkoll("watch", str(folder), "--once", "--settle", "0", "--timeout", "0", *extra)


@pytest.mark.parametrize("set_up_with", ["ingen fil", "egen fil"])
def test_a_config_dropped_into_the_watched_folder_is_not_obeyed_until_confirmed(tmp_path: Path, set_up_with: str) -> None:
    folder = tmp_path / "delad"
    write_report(folder / "underkänd.docx", "Enhet A")  # no analysis: fails the catalog
    if set_up_with == "egen fil":
        (folder / "malkoll.toml").write_text('fail-level = "fel"\n', encoding="utf-8")
    first = _scheduled(folder)
    assert first.returncode == 1, first.stdout + first.stderr
    (folder / "malkoll.toml").write_text(EVERY_FAMILY, encoding="utf-8")  # a unit's doing
    for _ in range(2):  # every scheduled run, not only the next
        later = _scheduled(folder)
        assert later.returncode == 1 and "UNDERKÄND" in later.stdout, later.stdout + later.stderr
        assert "Ändringen följs inte" in later.stdout and "--bekrafta-installningar" in later.stdout
    confirmed = _scheduled(folder, "--bekrafta-installningar")  # the coordinator's own change
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr


def test_a_config_outside_the_folder_is_obeyed_and_one_inside_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "delad"
    write_report(folder / "underkänd.docx", "Enhet A")
    own = tmp_path / "samordnare.toml"
    own.write_text('fail-level = "fel"\n', encoding="utf-8")
    (folder / "malkoll.toml").write_text(EVERY_FAMILY, encoding="utf-8")
    done = _scheduled(folder, "--config", str(own))
    assert done.returncode == 1, done.stdout + done.stderr


def test_a_rule_file_error_never_shows_another_files_content(tmp_path: Path) -> None:
    secret = tmp_path / "hemlig.txt"
    secret.write_text("root:HEMLIGT-LÖSENORD:19000:0:99999:7:::\n", encoding="utf-8")
    folder = tmp_path / "delad"
    write_report(folder / "rapport.docx", "Enhet A")
    (folder / "malkoll.toml").write_text(f'extend-rules = ["{secret.as_posix()}"]\n', encoding="utf-8")
    for done in (h.run_malkoll("check", str(folder)), _scheduled(folder)):
        assert done.returncode == 2 and "HEMLIGT" not in done.stdout + done.stderr, done.stderr
        assert "ingen regelfil" in done.stderr


# --- 4. links out of the checked folder ----------------------------------------------------------


def test_links_out_of_the_folder_are_not_followed_and_said(tmp_path: Path, catalog) -> None:
    private = tmp_path / "privat"
    write_report(private / "hemlig.docx", "Hemliga enheten", analysis=True)
    folder = tmp_path / "delad"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    (folder / "genväg").symlink_to(private, target_is_directory=True)
    (folder / "länkad.docx").symlink_to(private / "hemlig.docx")
    (folder / "inom").symlink_to(folder / "rapport.docx")  # inside: no problem (and not a .docx name)
    out = tmp_path / "ut"
    code, stdout, _ = h.run_in_process("check", str(folder), "--annotate", str(out), "--timeout", "0")
    assert "hemlig" not in " ".join(p.name for p in out.rglob("*"))
    assert "Hemliga" not in stdout and stdout.count("leder ut ur mappen") == 2, stdout
    assert code == 1
    log: list[str] = []
    _watch_once(folder, catalog, log)
    assert not [p for p in (folder / "granskning").rglob("*hemlig*")]
    assert sum("leder ut ur mappen" in line for line in log) == 2, log
    code, stdout, _ = h.run_in_process("check", str(folder / "genväg"), "--timeout", "0")  # named: checked
    assert "hemlig.docx" in stdout and "leder ut" not in stdout


# --- 8. size before hashing --------------------------------------------------------------------


def test_a_huge_sparse_file_is_refused_without_being_hashed(tmp_path: Path, catalog, monkeypatch) -> None:
    import checker.watch as watch

    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    with (folder / "gles.docx").open("wb") as handle:
        handle.truncate(20 * 1024**3)  # 20 GB claimed, nothing written
    hashed: list[str] = []
    original = watch.digest_of
    monkeypatch.setattr(watch, "digest_of", lambda path: hashed.append(path.name) or original(path))
    log: list[str] = []
    assert _watch_once(folder, catalog, log) == 1
    assert hashed == ["rapport.docx"]
    assert any("gles.docx  KUNDE INTE LÄSAS" in line and "MB" in line for line in log), log


# --- 11. limits and disk space ---------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "fragment"), [
    ("max-file-mb = 1e308", "högst"), ("max-entries = 0.5", "heltal"), ("max-entries = 1e12", "högst"),
    ("max-ratio = nan", "positivt tal"), ("max-total-mb = inf", "positivt tal"),
])
def test_every_limit_is_validated_in_swedish(tmp_path: Path, setting: str, fragment: str) -> None:
    write_report(tmp_path / "in" / "rapport.docx", "Enhet A", analysis=True)
    (tmp_path / "in" / "malkoll.toml").write_text(f"[limits]\n{setting}\n", encoding="utf-8")
    code, out, err = h.run_in_process("check", str(tmp_path / "in"), "--timeout", "0")
    assert code == 2 and fragment in err and "internt fel" not in err + out, err


@pytest.mark.parametrize("where", ["toml", "kommandorad", "miljö"])
def test_absurd_time_limits_and_sizes_are_refused_in_swedish(tmp_path: Path, where: str) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    args, env = ["check", str(folder)], {}
    if where == "toml":
        (folder / "malkoll.toml").write_text("timeout = 1e12\n", encoding="utf-8")
    elif where == "kommandorad":
        args += ["--timeout", "1e12"]
    else:
        env = {"MALKOLL_MAX_FILE_MB": "1e308"}
    code, out, err = h.run_in_process(*args, env=env)
    assert code == 2 and "högst" in err and "internt fel" not in err + out, err


def _disk_full(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_for_the_overview_still_gives_the_results(tmp_path: Path, monkeypatch) -> None:
    from checker.output.overview import OverviewWriter

    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    code, out, _ = h.run_in_process("check", str(folder), "--timeout", "0")
    assert code == 0 and "GODKÄND" in out
    monkeypatch.setattr(OverviewWriter, "close", _disk_full)
    code, out, err = h.run_in_process("check", str(folder), "--timeout", "0", "--overview", str(tmp_path / "ut"))
    assert "GODKÄND" in out and "internt fel" not in err
    assert f"Sammanställningen i {tmp_path / 'ut'} kunde inte sparas (disken är full)" in err
    assert code == 1  # asked for and not delivered: not "all is well"
    assert not [p for p in (tmp_path / "ut").iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_for_the_output_file_shows_the_results_instead(tmp_path: Path, monkeypatch) -> None:
    import checker.output

    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    monkeypatch.setattr(checker.output, "atomic_writer", _disk_full)
    target = tmp_path / "resultat.json"
    code, out, err = h.run_in_process("check", str(folder), "--timeout", "0", "--format", "json", "-o", str(target))
    assert f"Resultatet kunde inte sparas i {target} (disken är full)" in err and "internt fel" not in err
    assert '"passed"' in out and "rapport.docx" in out  # the JSON itself, on stdout
    assert code == 1 and not target.exists()


# --- 6. DTDs in any part, in any encoding ---------------------------------------------------------


def _report_bytes(tmp_path: Path) -> bytes:
    return write_report(tmp_path / "mall" / "rapport.docx", "Enhet A", analysis=True).read_bytes()


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16", "utf-8"])
def test_a_dtd_in_the_main_document_in_any_encoding_is_refused(tmp_path: Path, encoding: str) -> None:
    import zipfile
    import io

    original = _report_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(original)) as package:
        document = package.read("word/document.xml")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "rapport.docx").write_bytes(h.with_part(original, "word/document.xml", h.with_dtd(document, encoding)))
    code, out, _ = h.run_in_process("check", str(folder), "--timeout", "0")
    assert code == 1 and "dokumenttypdeklaration (DTD)" in out, out


@pytest.mark.parametrize("part", ["word/settings.xml", "docProps/app.xml", "word/fontTable.xml", "word/comments.xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-32"])
def test_a_dtd_in_a_part_only_annotation_reads_is_refused(tmp_path: Path, part: str, encoding: str) -> None:
    import zipfile
    import io

    original = _report_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(original)) as package:
        names = package.namelist()
        xml = package.read(part) if part in names else (
            b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    folder, out_dir = tmp_path / "in", tmp_path / "ut"
    folder.mkdir()
    (folder / "rapport.docx").write_bytes(h.with_part(original, part, h.with_dtd(xml, encoding)))
    code, out, err = h.run_in_process("check", str(folder), "--timeout", "0", "--annotate", str(out_dir))
    assert code == 1 and "dokumenttypdeklaration (DTD)" in out, out + err
    assert not list(out_dir.rglob("*.docx"))


# --- 7. memory inside every limit -------------------------------------------------------------------

# The packing ratio of empty paragraphs is far beyond max-ratio: raised here so that the new limits are what stops them.
_RATIO = {"MALKOLL_MAX_RATIO": "1000000"}


def test_a_part_with_more_elements_than_the_limit_is_refused_unparsed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_report(folder / "bra.docx", "Enhet A", analysis=True)
    (folder / "tom.docx").write_bytes(h.empty_paragraphs(2_100_000))  # one over the default limit, in the body
    header = b'<w:hdr xmlns:w="' + h.W_NS.encode() + b'">' + b"<w:p/>" * 100 + b"</w:hdr>"
    (folder / "sidhuvud.docx").write_bytes(h.docx("<w:p/>", extra_parts=[("word/header1.xml", header)]))
    code, out, _ = h.run_in_process("check", str(folder), "--timeout", "0", env=_RATIO)
    text = " ".join(out.split())
    assert code == 1 and "delen ”word/document.xml” har 2 100 002 XML-element, fler än gränsen 2 000 000" in text
    assert "max-elements under [limits]" in text and "bra.docx" in text
    (folder / "malkoll.toml").write_text("[limits]\nmax-elements = 50\n", encoding="utf-8")
    # A part the reader does not parse is parsed by python-docx for the annotated copy: counted there.
    code, out, err = h.run_in_process("check", str(folder), "--timeout", "0", "--annotate", str(tmp_path / "ut"),
                                      env=_RATIO)
    assert "delen ”word/header1.xml” har 101 XML-element, fler än gränsen 50" in " ".join(err.split()), err
    assert not (tmp_path / "ut" / "sidhuvud.granskning.docx").exists()


def test_a_worker_has_a_memory_ceiling_and_a_file_over_it_is_told_in_swedish(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_report(folder / "bra.docx", "Enhet A", analysis=True)
    (folder / "tom.docx").write_bytes(h.empty_paragraphs(3_000_000))  # ~1 GB once read
    env = {**_RATIO, "MALKOLL_MAX_ELEMENTS": "100000000", "MALKOLL_MAX_WORKER_MB": "600"}
    done = h.run_malkoll("check", str(folder), "--jobs", "2", "--timeout", "300", env=env)
    text = " ".join(done.stdout.split())
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "dokumentet behövde mer minne än gränsen 600 MB för en arbetsprocess" in text, text
    assert "max-worker-mb" in text and "GODKÄND" in text  # the other file is checked by the same workers


# --- 9. a "linear" regex that still takes minutes ------------------------------------------------------


def test_a_pattern_too_large_once_compiled_is_refused_at_load(tmp_path: Path) -> None:
    report = write_report(tmp_path / "in" / "rapport.docx", "Enhet A", analysis=True)
    rules = tmp_path / "egna.rules"
    pattern = ".{999}" * 29 + "q"  # 175 characters; 230 000 instructions; > 1 minute per 100 000 characters
    rules.write_text(f'regel EG01 fel "x" i alla:\n  inget enhetsmål där analys matchar "{pattern}"\n', encoding="utf-8")
    code, out, err = h.run_in_process("check", str(report), "--extend-rules", str(rules), "--timeout", "0")
    assert code == 2 and "för stort när det översätts" in err and "instruktioner" in err, err


def test_one_slow_rule_is_stopped_per_document_and_never_passes_it(tmp_path: Path) -> None:
    report = write_report(tmp_path / "in" / "rapport.docx", "Enhet A", analysis=True)
    rules = tmp_path / "egna.rules"
    rules.write_text('regel EG01 fel "x" i alla:\n  inget enhetsmål där analys matchar "zzz"\n', encoding="utf-8")
    args = ("check", str(report), "--extend-rules", str(rules), "--select", "EG", "--timeout", "0")
    code, out, _ = h.run_in_process(*args)
    assert code == 0, out  # the rule itself finds nothing
    code, out, err = h.run_in_process(*args, env={"MALKOLL_MAX_RULE_SECONDS": "1e-9"})
    text = " ".join(out.split())
    assert code == 1 and "Regeln EG01 hann inte prövas klart" in text and "max-rule-seconds" in text, out + err


# --- 10. every worker dies with its parent -------------------------------------------------------------

_REPLACED_WORKER = '''
import os, sys, threading, time
from pathlib import Path
from checker.batch import Runner, RuleSpec
from checker.engine import default_rules_dir


class Hangs:
    """A job that takes far longer than anyone waits (a document that hangs the reader)."""
    weight = 1
    path = Path("hangs.docx")

    def __init__(self, pid_file):
        self.pid_file = pid_file

    def run(self, rules, fail_level=None):
        if self.pid_file:
            Path(self.pid_file).write_text(str(os.getpid()))
        time.sleep(300)

    def timed_out(self, limit):
        return "tidsgräns"

    def crashed(self):
        return "krasch"

    def load_failed(self, message):
        return message


if __name__ == "__main__":
    runner = Runner(None, RuleSpec((default_rules_dir(),)), jobs=1, timeout=2)
    runner.start(1)  # forked before any thread, as the watch does
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()  # where watchdog's observer runs
    # The first job times out; its replacement is started through the forkserver and takes the second.
    for result in runner.run([Hangs(None), Hangs(sys.argv[1])]):
        print(result, flush=True)
'''


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux")
def test_a_replacement_worker_dies_with_its_parent(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from tests.test_batch import _running

    script, pid_file = tmp_path / "vakt.py", tmp_path / "worker.pid"
    script.write_text(_REPLACED_WORKER)
    env = {**os.environ, "PYTHONPATH": str(h.REPO)}
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file)], cwd=h.REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None, "the replacement never started its job"
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        assert worker != parent.pid
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 30  # a generous guard: it goes at once
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker), "the replacement worker ran on after its parent was killed"
    finally:
        if parent.poll() is None:
            parent.kill()
        if worker is not None and _running(worker):
            os.kill(worker, 9)


# --- 5. document text outside the output folder -------------------------------------------------------


def _dead_pid() -> int:
    import subprocess

    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_a_runs_temporary_files_are_private_and_a_killed_runs_are_removed(tmp_path: Path, monkeypatch) -> None:
    import stat
    import tempfile

    import checker.threads.kept as kept
    from checker.private import runs_dir

    runs = runs_dir()
    runs.mkdir(parents=True, exist_ok=True)
    import socket

    leftover = runs / f"{_dead_pid()}@{socket.gethostname()}-kvar"  # what a run killed with kill -9 left
    elsewhere = runs / f"{_dead_pid()}@en-annan-dator.example-kvar"  # a shared home: another machine's run
    elsewhere.mkdir()
    (leftover / "rapporter").mkdir(parents=True)
    (leftover / "rapporter" / "x.rapport").write_bytes(b"dokumenttext")
    folder = tmp_path / "in"
    write_report(folder / "plan.docx", "Enhet A", analysis=True)
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    kept_in: list[Path] = []
    original = kept.keep
    monkeypatch.setattr(kept, "keep", lambda where, path, report: kept_in.append(where) or original(where, path, report))
    before = set(Path(tempfile.gettempdir()).glob("malkoll-rapporter-*"))
    out = tmp_path / "ut"
    h.run_in_process("check", str(folder), "--timeout", "0", "--overview", str(out))
    assert not leftover.exists() and elsewhere.exists()
    assert set(Path(tempfile.gettempdir()).glob("malkoll-rapporter-*")) == before
    assert kept_in  # the thread rules (a plan and a report of one unit) kept the reports …
    run_folder = kept_in[0].parent  # … in the run's own folder, only the user's
    assert run_folder.parent == runs and stat.S_IMODE(runs.stat().st_mode) == 0o700
    assert not [p for p in runs.iterdir() if p.name.startswith(f"{os.getpid()}@")]  # removed at the end


def test_an_interrupted_overviews_temporary_files_are_removed_next_time(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "ut"
    write_report(folder / "rapport.docx", "Enhet A", analysis=True)
    out.mkdir()
    stale = out / ".sammanstallning.html.rader.k9x.tmp"
    stale.write_text("<tr>dokumenttext</tr>", encoding="utf-8")
    os.utime(stale, (1_700_000_000, 1_700_000_000))
    h.run_in_process("check", str(folder), "--timeout", "0", "--overview", str(out))
    assert not stale.exists() and (out / "sammanstallning.html").exists()


# --- 12. smaller ------------------------------------------------------------------------------------


def test_a_zip_with_two_parts_of_one_name_is_refused(tmp_path: Path) -> None:
    import warnings

    good = h.plain_docx("Den här texten granskas.")
    other = h.document_xml(h.paragraph("Den här texten visar Word."))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is asked to write
        twice = h.with_part(good, "word/extra.xml", b"<x/>")
        import io
        import zipfile

        buffer = io.BytesIO(twice)
        with zipfile.ZipFile(buffer, "a") as package:
            package.writestr("word/document.xml", other)
    (tmp_path / "dubbel.docx").write_bytes(buffer.getvalue())
    code, out, _ = h.run_in_process("check", str(tmp_path / "dubbel.docx"), "--timeout", "0")
    assert code == 1 and "två delar med samma namn (”word/document.xml”)" in " ".join(out.split()), out


def test_text_between_angle_brackets_is_kept_in_what_is_reported(tmp_path: Path) -> None:
    import json

    report = write_report(tmp_path / "in" / "rapport.docx", "Enhet A", goal="Enheten arbetar för <Skriv målet här> trygghet")
    code, out, _ = h.run_in_process("check", str(report), "--timeout", "0", "--format", "json")
    targets = [f["target"] for f in json.loads(out)["files"][0]["findings"]]
    assert "Enheten arbetar för <Skriv målet här> trygghet" in targets, targets


def test_control_characters_in_file_names_are_shown_not_deleted(tmp_path: Path, catalog) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport\x1b[2J\x07.docx", "Enhet A", analysis=True)
    (folder / "trasig\u202e.docx").write_bytes(b"inte en zip")
    code, out, _ = h.run_in_process("check", str(folder), "--timeout", "0")
    assert "rapport␛[2J␇.docx" in out and "trasig[U+202E].docx" in out, out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    log: list[str] = []
    _watch_once(folder, catalog, log)
    assert any("rapport␛[2J␇.docx  GODKÄND" in line for line in log), log
    assert (folder / "granskning" / "rapport\x1b[2J\x07.granskning.txt").read_text(encoding="utf-8").count("rapport␛[2J␇.docx")


# --- done when: the whole hostile gallery, as a coordinator runs it -----------------------------------

WORKER_CEILING_MB = 1024

_MAX_RSS = '''
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)  # MB (Linux: KB)
sys.exit(done.returncode)
'''


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="ru_maxrss in KB and RLIMIT_AS are Linux's")
def test_the_whole_hostile_gallery_stays_within_the_stated_ceiling(tmp_path: Path) -> None:
    """check --annotate --overview --jobs 2 over every hostile file: exit 1, no traceback, and no process
    (the workers with their ceiling, the main process without one) ever above the stated ceiling."""
    import io
    import json
    import subprocess
    import sys
    import zipfile

    from tests.test_hostile_files import CASES

    folder, out = tmp_path / "Inlämnat", tmp_path / "ut"
    folder.mkdir()
    for case in CASES:
        (folder / case.file).write_bytes(case.build(tmp_path))
    good = write_report(folder / "bra.docx", "Enhet A", analysis=True)
    with zipfile.ZipFile(io.BytesIO(good.read_bytes())) as package:
        document, settings = package.read("word/document.xml"), package.read("word/settings.xml")
    (folder / "utf32 dtd.docx").write_bytes(h.with_part(good.read_bytes(), "word/document.xml", h.with_dtd(document, "utf-32")))
    (folder / "dtd i inställningar.docx").write_bytes(h.with_part(good.read_bytes(), "word/settings.xml", h.with_dtd(settings)))
    (folder / "tomma stycken.docx").write_bytes(h.empty_paragraphs(1_900_000, headers=3))
    with (folder / "gles.docx").open("wb") as handle:
        handle.truncate(20 * 1024**3)
    environment = {**os.environ, "PYTHONPATH": str(h.REPO), "MALKOLL_NO_PROGRESS": "1", "NO_COLOR": "1",
                   "MALKOLL_MAX_WORKER_MB": str(WORKER_CEILING_MB), "MALKOLL_MAX_RATIO": "1000000"}
    done = subprocess.run(
        [sys.executable, "-c", _MAX_RSS, sys.executable, "-m", "checker", "check", str(folder), "--annotate", str(out),
         "--overview", str(out), "--jobs", "2", "--format", "json", "-o", str(tmp_path / "resultat.json")],
        capture_output=True, text=True, env=environment, timeout=900, check=False)
    peak_mb = int(done.stderr.strip().splitlines()[-1])
    assert done.returncode == 1 and "Traceback" not in done.stderr and "internt fel" not in done.stderr, done.stderr
    assert peak_mb <= WORKER_CEILING_MB, peak_mb
    files = {Path(f["path"]).name: f for f in json.loads((tmp_path / "resultat.json").read_text(encoding="utf-8"))["files"]}
    assert files["bra.docx"]["error"] is None and (out / "bra.granskning.docx").is_file()
    assert {name for name, f in files.items() if not f["error"]} == {"bra.docx"}
    # Within every other limit, the empty paragraphs of the body and three headers (~1,5 GB once read) meet the ceiling.
    assert "mer minne än gränsen" in files["tomma stycken.docx"]["error"]


def test_a_rule_file_in_the_watched_folder_changed_by_a_unit_stops_the_gate(tmp_path: Path) -> None:
    folder = tmp_path / "delad"
    write_report(folder / "underkänd.docx", "Enhet A")
    rules = folder / "regler" / "egna.rules"
    rules.parent.mkdir()
    rules.write_text('regel EG01 info "x" i alla:\n  varje enhetsmål har analys\n', encoding="utf-8")
    own = tmp_path / "samordnare.toml"
    own.write_text(f'extend-rules = ["{rules.parent.as_posix()}"]\n', encoding="utf-8")
    first = _scheduled(folder, "--config", str(own))
    assert first.returncode == 1 and "ligger i den bevakade mappen" in first.stdout, first.stdout + first.stderr
    rules.write_text('regel EG01 info "x" i alla:\n  varje enhetsmål har analys\n' * 1 + "# ändrad\n", encoding="utf-8")
    later = _scheduled(folder, "--config", str(own))
    assert later.returncode == 2 and "Regelfilerna i den bevakade mappen har ändrats" in later.stderr, later.stderr
    assert _scheduled(folder, "--config", str(own), "--bekrafta-installningar").returncode == 1


def test_where_ctime_can_be_forged_the_content_is_verified_again(tmp_path: Path, catalog, monkeypatch) -> None:
    import checker.watch as watch

    folder = tmp_path / "in"
    report = write_report(folder / "rapport.docx", "Enhet A", analysis=True)

    def size_and_mtime_only(path: Path):  # a share where every other field can be set by the writer
        stat = path.stat() if path.exists() else None
        return None if stat is None else (stat.st_size, stat.st_mtime_ns, 0, 0, 0)

    monkeypatch.setattr(watch, "signature_of", size_and_mtime_only)
    log: list[str] = []
    options = WatchOptions(folder=folder, out_dir=folder / "granskning", settle=0.0, poll=True)
    with Runner(catalog, None, jobs=1, timeout=0, fail_level=Severity.ERROR) as runner:
        watcher = Watcher(options, runner, log=log.append)
        watcher._tick()
        stat = report.stat()
        report.write_bytes(h.random_bytes(stat.st_size))
        os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        log.clear()
        watcher._tick()
        assert not log  # the signature could not tell …
        watcher._last_verify -= watch.RESCAN_SECONDS  # … until the next round of hashing
        watcher._tick()
        watcher._tick()
    assert any("rapport.docx  KUNDE INTE LÄSAS" in line for line in log), log


@pytest.mark.parametrize("how", ["link", "above"])
def test_watch_refuses_an_output_folder_over_the_watched_one(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "in"
    write_report(folder / "rapport.docx", "Enhet A")
    out = tmp_path / "länk" if how == "link" else tmp_path
    if how == "link":
        out.symlink_to(folder, target_is_directory=True)
    code, out_text, err = h.run_in_process("watch", str(folder), "--once", "--settle", "0", "-o", str(out))
    assert code == 2 and "Utdatamappen får inte vara samma mapp" in err, out_text + err
