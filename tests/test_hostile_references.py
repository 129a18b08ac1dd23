"""External references in a report (issue 6, SECURITY.md "följer aldrig externa referenser").

A .docx can point outside itself: a hyperlink, an image linked (not
embedded) from a web server or a file share, a template attached from a
URL, a sub-document, an INCLUDETEXT/INCLUDEPICTURE field naming a local
file, an external DTD. Word may fetch some of these when it opens the file;
Målkoll must fetch none, in any command or output.

The references here point at two traps that would notice any attempt:
a TCP listener on localhost that records every connection, and a FIFO
(named pipe) whose opening for reading a probe thread detects (a writer's
non-blocking open succeeds only while a reader holds the pipe). A local
"secret" file named by the fields must not reach any output either.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import hostile_inputs as h
from tests.test_annotate import write_report

SECRET = "HEMLIG-RAD-0d5f9c"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")


class Traps:
    """A listener and a FIFO that record whether anything reached for them."""

    def __init__(self, folder: Path) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.fifo = folder / "delad-bild.png"
        os.mkfifo(self.fifo)
        self.connections = 0
        self.fifo_opened = False
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True),
                         threading.Thread(target=self._probe_fifo, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def _probe_fifo(self) -> None:
        while not self._stop.is_set():
            try:
                descriptor = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:  # ENXIO: no reader has the pipe open – as it should be
                    raise
            else:
                self.fifo_opened = True
                os.close(descriptor)
            self._stop.wait(0.005)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def traps(tmp_path: Path) -> Iterator[Traps]:
    found = Traps(tmp_path)
    try:
        yield found
    finally:
        found.close()


def _with_external_references(path: Path, traps: Traps, secret: Path) -> None:
    """Rewrite a built report so that it refers outside itself in every way Word knows."""
    url = f"http://127.0.0.1:{traps.port}"
    rels = {
        "rIdX1": ("hyperlink", f"{url}/lank"),
        "rIdX2": ("image", f"{url}/bild.png"),
        "rIdX3": ("image", traps.fifo.as_uri()),
        "rIdX4": ("subDocument", secret.as_uri()),
        "rIdX5": ("oleObject", f"{url}/objekt.xlsx"),
        "rIdX6": ("aFChunk", secret.as_uri()),
    }
    body = (
        f'<w:p><w:hyperlink r:id="rIdX1"><w:r><w:t>Läs mer på intranätet</w:t></w:r></w:hyperlink></w:p>'
        f'<w:p><w:r><w:pict><v:shape style="width:10pt;height:10pt"><v:imagedata r:id="rIdX2"/></v:shape></w:pict></w:r></w:p>'
        f'<w:p><w:r><w:pict><v:shape style="width:10pt;height:10pt"><v:imagedata r:id="rIdX3"/></v:shape></w:pict></w:r></w:p>'
        f'<w:p><w:subDoc r:id="rIdX4"/></w:p>'
        f'<w:altChunk r:id="rIdX6"/>'
        f'<w:p><w:fldSimple w:instr=\' INCLUDETEXT "{secret}" \'><w:r><w:t>Fältets sparade text</w:t></w:r></w:fldSimple></w:p>'
        f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "{url}/falt.png" \\d </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>bild</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    added = "".join(f'<Relationship Id="{rid}" Type="{REL}{kind}" Target="{target}" TargetMode="External"/>'
                    for rid, (kind, target) in rels.items())
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", added.encode() + b"</Relationships>")
    document = parts["word/document.xml"].decode("utf-8")
    at = document.index("<w:body>") + len("<w:body>")
    parts["word/document.xml"] = (document[:at] + body + document[at:]).encode("utf-8")
    template = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rIdT" Type="{REL}attachedTemplate" Target="{url}/mall.dotm" TargetMode="External"/>'
                f'</Relationships>')
    parts["word/_rels/settings.xml.rels"] = template.encode()
    settings = parts["word/settings.xml"].decode("utf-8")
    at = settings.index(">", settings.index("<w:settings")) + 1
    parts["word/settings.xml"] = (settings[:at] + '<w:attachedTemplate r:id="rIdT"/>' + settings[at:]).encode("utf-8")
    if f'xmlns:r="{R_NS}"' not in parts["word/settings.xml"].decode("utf-8"):
        parts["word/settings.xml"] = parts["word/settings.xml"].replace(b"<w:settings ", f'<w:settings xmlns:r="{R_NS}" '.encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_no_command_follows_an_external_reference(tmp_path: Path, traps: Traps) -> None:
    secret = tmp_path / "hemligt.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "Inlämnat"
    report = write_report(folder / "länkad.docx", "Aspuddens hemtjänst", analysis=True)
    _with_external_references(report, traps, secret)
    write_report(folder / "vanlig.docx", "Hägerstens hemtjänst", analysis=False)
    before = h.snapshot(folder)
    out = tmp_path / "ut"
    out.mkdir()

    check, watch = h.run_malkoll_together(
        (("check", str(folder), "--format", "json", "-o", str(out / "resultat.json"), "--annotate",
          str(out / "kopior"), "--overview", str(out / "oversikt"), "--jobs", "2"), {}),
        (("watch", str(folder), "--once", "--settle", "0", "-o", str(out / "bevakning")), {}),
    )
    dump = h.run_malkoll("dump", str(report), "--format", "json")
    thread = h.run_malkoll("thread", str(folder))
    sarif = h.run_malkoll("check", str(report), "--format", "sarif")

    for done in (check, watch, dump, thread, sarif):
        assert "Traceback" not in done.stderr, done.stderr
    assert check.returncode == 1 and dump.returncode == 0
    results = {Path(f["path"]).name: f for f in json.loads((out / "resultat.json").read_text("utf-8"))["files"]}
    assert results["länkad.docx"]["error"] is None  # read and checked like any report …
    assert traps.connections == 0  # … without a single connection to the web server …
    assert not traps.fifo_opened  # … or opening the file the image was linked from
    streams = [check.stdout, check.stderr, watch.stdout, watch.stderr, dump.stdout, thread.stdout, sarif.stdout]
    for text in [*h.output_texts(out).values(), *streams]:
        assert SECRET not in text  # nothing of the file the fields and the sub-document name
    assert h.snapshot(folder) == before


def test_the_traps_notice_a_reader(tmp_path: Path, traps: Traps) -> None:
    """The control: the traps above do see a program that follows the references."""
    import time

    socket.create_connection(("127.0.0.1", traps.port), timeout=5).close()
    descriptor = os.open(traps.fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + 10
        while (traps.connections == 0 or not traps.fifo_opened) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.close(descriptor)
    assert traps.connections == 1 and traps.fifo_opened


def test_the_rewritten_report_really_refers_outside(tmp_path: Path, traps: Traps) -> None:
    """The attack is what it says: every reference is in the package, and the report still reads."""
    from checker.reading.report import read_report

    secret = tmp_path / "hemligt.txt"
    secret.write_text(SECRET, encoding="utf-8")
    report = write_report(tmp_path / "länkad.docx", "Aspuddens hemtjänst", analysis=True)
    _with_external_references(report, traps, secret)
    with zipfile.ZipFile(report) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
        document = package.read("word/document.xml").decode()
        settings = package.read("word/settings.xml").decode()
    assert rels.count('TargetMode="External"') == 6 and str(traps.port) in rels and traps.fifo.as_uri() in rels
    assert "INCLUDETEXT" in document and "INCLUDEPICTURE" in document and "w:altChunk" in document
    assert "w:attachedTemplate" in settings
    assert [goal.title for goal in read_report(report).all_enhetsmal()] == ["Enheten arbetar för trygghet"]
