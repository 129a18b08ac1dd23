"""Looking at a file before reading it: is it a Word document, and is it safe to unpack?

Files in a shared folder come from everywhere: half-copied, renamed,
password-protected, saved in Word 97 format, or crafted. Everything here
decides from the file's first bytes and the zip's own directory — before a
single byte is decompressed — whether the reader may go on, and otherwise
says in Swedish what the file is and what to do about it:

* not a regular file (a folder, a pipe, a device), empty, or too large;
* an OLE compound file: an old .doc, or a password-protected .docx (Office
  wraps the encrypted package in one), told apart by the names of its streams;
* PDF, RTF, HTML and other files renamed .docx; a zip that was cut short;
* a zip with too many entries, an entry or a total that unpacks beyond the
  limits, or a compression ratio only a zip bomb has (checker.limits);
* an entry whose name climbs out of a folder ("../../x") — nothing is ever
  unpacked to disk, but no Word document has one;
* an .xlsx, .pptx, .docm (macros) or template renamed .docx.

XML parts are read later by checker.reading.docx; `has_dtd` and
`check_xml_parts` refuse the document-type declarations that entity attacks
need (OOXML never has one) in every part and every encoding, and
`xml_problem` explains the parser's own resource limits.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from checker.limits import RATIO_FLOOR_BYTES, Limits, current, describe_mb, how_to_raise

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class PackageProblem(Exception):
    """The file must not, or cannot, be read as a Word document; `problem` says why, in Swedish."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# --- the whole file ---------------------------------------------------------------------------


class SafeZip(zipfile.ZipFile):
    """A ZipFile over a handle it owns: closing the zip closes the file."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        super().__init__(handle)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._handle.close()


def open_package(path: Path, limits: Limits | None = None) -> SafeZip:
    """Open `path` as a zip, after every check that needs no decompression. Raises PackageProblem.

    The file is opened once and everything is decided on that handle, so a
    file replaced between the checks and the reading is still the file checked.
    """
    limits = limits or current()
    handle = _open_regular(path)
    try:
        size = _checked_size(os.fstat(handle.fileno()), limits)
        check_stream(handle, size, limits, name=path.name)
        archive = _zip(SafeZip, handle)
    except BaseException:
        handle.close()
        raise
    try:
        check_archive(archive, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def read_checked(path: Path, limits: Limits | None = None) -> bytes:
    """The file's bytes, after the same checks as open_package (for the annotated copy)."""
    limits = limits or current()
    data = read_whole(path, limits)
    check_bytes(data, limits)
    return data


def read_whole(path: Path, limits: Limits | None = None) -> bytes:
    """A regular file's bytes, read once, if it is neither empty nor larger than the limit. Raises PackageProblem.

    Whatever is decided about the file is then decided on these bytes, so a
    file replaced after they were read cannot slip past the checks (a PDF is
    handed to PDFium as these bytes, never by its name).
    """
    limits = limits or current()
    try:
        with _open_regular(path) as handle:
            size = _checked_size(os.fstat(handle.fileno()), limits)
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        raise PackageProblem(f"filen kunde inte läsas ({error.strerror or error}).") from None
    if len(data) != size:
        raise PackageProblem(CHANGED)
    return data


def check_bytes(data: bytes, limits: Limits | None = None) -> None:
    """Every package check on a file already in memory. Raises PackageProblem."""
    limits = limits or current()
    if len(data) > limits.max_file_bytes:
        raise PackageProblem(_too_large(len(data), limits))
    stream = io.BytesIO(data)
    check_stream(stream, len(data), limits)
    with _zip(zipfile.ZipFile, stream) as archive:
        check_archive(archive, limits)
        check_xml_parts(archive)


def _open_regular(path: Path) -> IO[bytes]:
    """Open for reading without waiting: a named pipe would otherwise block until someone writes to it.

    Whether it is a regular file is decided on the open handle (_checked_size).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise PackageProblem(MISSING) from None
    except IsADirectoryError:
        raise PackageProblem(FOLDER) from None
    except PermissionError:
        raise PackageProblem(NO_ACCESS) from None
    except OSError as error:
        raise PackageProblem(f"filen kunde inte öppnas ({error.strerror or error}).") from None
    if stat.S_ISDIR(os.fstat(descriptor).st_mode):  # POSIX opens a folder for reading, fdopen then refuses it
        os.close(descriptor)
        raise PackageProblem(FOLDER)
    return os.fdopen(descriptor, "rb")


def _zip(kind: Any, handle: IO[bytes]) -> Any:
    try:
        return kind(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        raise PackageProblem(DAMAGED) from None


def _checked_size(info: os.stat_result, limits: Limits) -> int:
    if stat.S_ISDIR(info.st_mode):
        raise PackageProblem(FOLDER)
    if not stat.S_ISREG(info.st_mode):
        # A pipe would block the reader forever, a device never end.
        raise PackageProblem("det är ingen vanlig fil (utan till exempel en enhet eller en namngiven pipe).")
    if info.st_size == 0:
        raise PackageProblem(EMPTY)
    if info.st_size > limits.max_file_bytes:
        raise PackageProblem(_too_large(info.st_size, limits))
    return info.st_size


def _too_large(size: int, limits: Limits) -> str:
    return (f"filen är {describe_mb(size)}, större än gränsen {describe_mb(limits.max_file_bytes)} för en fil. "
            + how_to_raise("max-file-mb"))


def check_stream(handle: IO[bytes], size: int, limits: Limits, *, name: str = "") -> None:
    """What the first bytes and the zip's end record say. Leaves the position at the start."""
    handle.seek(0)
    head = handle.read(8)
    if head.startswith(OLE_MAGIC[:4]):
        raise PackageProblem(_ole_problem(handle, size, name))
    if not head.startswith(b"PK"):
        if name.startswith("~$"):
            raise PackageProblem(
                "filen är en låsfil som Word skapar medan dokumentet är öppet, inte ett dokument. "
                "Granska dokumentet med samma namn utan ~$."
            )
        raise PackageProblem(_foreign_problem(head + handle.read(504), name))
    directory = _directory_size(handle, size)
    if directory is None:
        raise PackageProblem(TRUNCATED)
    _check_directory(*directory, limits)
    handle.seek(0)


def _check_directory(entries: int, directory_bytes: int, limits: Limits) -> None:
    if entries > limits.max_entries:
        raise PackageProblem(_too_many(entries, limits))
    # zipfile parses the directory by its size, whatever count the end record
    # gives; 1 KB per entry is more than any real name needs.
    if directory_bytes > max(64 * 1024, limits.max_entries * 1024):
        raise PackageProblem(
            f"filens innehållsförteckning är {describe_mb(directory_bytes)}, mer än ett Word-dokument med "
            f"{limits.max_entries} delar kan ha. " + how_to_raise("max-entries")
        )


def _too_many(entries: int, limits: Limits) -> str:
    return (f"filen består av {entries} delar, fler än gränsen {limits.max_entries} – ingen Word-fil har så många. "
            + how_to_raise("max-entries"))


def _directory_size(handle: IO[bytes], size: int) -> tuple[int, int] | None:
    """(entries, bytes) of the zip's central directory as its end records give them; None without an end record.

    Read before zipfile builds an object per entry: a crafted directory of
    millions of entries would cost GBs of memory just to list. zipfile
    prefers the ZIP64 record whenever one is there, so the larger claim counts.
    """
    # Almost every zip ends with its end record (no archive comment): try that first.
    tail_size = min(size, 42)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else -1
    if at < 0:
        tail_size = min(size, 22 + 0xFFFF)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        while at >= 0 and len(tail) - at < 22:
            at = tail.rfind(b"PK\x05\x06", 0, at)
    if at < 0:
        return None
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (zip64_end,) = struct.unpack_from("<Q", tail, at - 12)
        if zip64_end + 56 <= size:
            handle.seek(zip64_end)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                entries64, directory64 = struct.unpack_from("<QQ", record, 32)
                entries, directory_bytes = max(entries, entries64), max(directory_bytes, directory64)
    return entries, directory_bytes


# --- the zip's directory ------------------------------------------------------------------------


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Names, sizes and ratios of every entry, from the directory alone. Raises PackageProblem."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise PackageProblem(_too_many(len(infos), limits))
    total = 0
    for info in infos:
        if _escapes(info.filename):
            raise PackageProblem(
                f"filen innehåller en del med namnet ”{_shown(info.filename)}”, som pekar ut ur mappen den ligger i. "
                "Målkoll packar aldrig upp något till disk, men ett Word-dokument har aldrig sådana namn; "
                "filen kan vara manipulerad och granskas inte."
            )
        if info.file_size > limits.max_entry_bytes:
            raise PackageProblem(
                f"delen ”{_shown(info.filename)}” skulle packas upp till {describe_mb(info.file_size)}, mer än gränsen "
                f"{describe_mb(limits.max_entry_bytes)}. Filen packades inte upp (den kan vara en så kallad zipbomb). "
                + how_to_raise("max-entry-mb")
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise PackageProblem(
                f"delen ”{_shown(info.filename)}” är packad {ratio:.0f} gånger (från {describe_mb(info.compress_size)} "
                f"till {describe_mb(info.file_size)}), något bara en så kallad zipbomb gör; gränsen är "
                f"{limits.max_ratio:g} gånger. Filen packades inte upp. " + how_to_raise("max-ratio")
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise PackageProblem(
            f"filen skulle packas upp till {describe_mb(total)}, mer än gränsen {describe_mb(limits.max_total_bytes)}. "
            "Filen packades inte upp (den kan vara en så kallad zipbomb). " + how_to_raise("max-total-mb")
        )
    names: set[str] = set()
    for info in infos:
        if info.filename in names:
            # Which copy a program reads differs (Python the last, others the first): what Målkoll checks
            # need not be what Word shows.
            raise PackageProblem(
                f"filen innehåller två delar med samma namn (”{_shown(info.filename)}”), något Word aldrig skriver. "
                "Olika program läser olika exemplar, så det som granskas behöver inte vara det Word visar; "
                "filen kan vara manipulerad och granskas inte. Spara om den i Word."
            )
        names.add(info.filename)
    if "[Content_Types].xml" not in names:
        raise PackageProblem(_not_office(names))


def _escapes(name: str) -> bool:
    """An entry name that, unpacked, would land outside the folder: absolute, a drive, or with "..".

    Nothing is unpacked to disk; the check is for what the name says about the file.
    """
    if not name or "\x00" in name:
        return True
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return True
    return ".." in PurePosixPath(unified).parts


def _shown(name: str, limit: int = 60) -> str:
    """An entry name fit for a message: no control characters, not too long."""
    from checker.display import visible_name

    text = visible_name(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _not_office(names: Iterable[str]) -> str:
    names = set(names)
    if "META-INF/manifest.xml" in names or "mimetype" in names:
        return ("filen är ett OpenDocument-dokument (.odt) eller en annan zip-fil, inte ett Word-dokument. "
                "Öppna den i Word eller LibreOffice och spara som Word-dokument (.docx).")
    return "filen är ett zip-arkiv men inte ett Word-dokument (den saknar Office-paketets innehållsförteckning)."


# --- what the package's main part says it is ------------------------------------------------------


def wrong_type_problem(content_type: str | None) -> str:
    """Why a package whose main part is not a Word document is refused, in Swedish."""
    kind = (content_type or "").lower()
    if "macroenabled" in kind and "wordprocessingml" not in kind and "ms-word" in kind:
        if "template" in kind:
            return ("filen är en makroaktiverad Word-mall (.dotm), inte ett Word-dokument. Målkoll granskar inte filer "
                    "med makron; spara dokumentet som Word-dokument (.docx) utan makron.")
        return ("filen är ett makroaktiverat Word-dokument (.docm) som bytt namn till .docx. Målkoll granskar inte "
                "filer med makron och kör aldrig makron; spara dokumentet som Word-dokument (.docx).")
    if "wordprocessingml.template" in kind:
        return "filen är en Word-mall (.dotx), inte ett Word-dokument. Skapa ett dokument av mallen och spara det som .docx."
    if "spreadsheetml" in kind or "ms-excel" in kind:
        return "filen är en Excel-arbetsbok (.xlsx) som bytt namn till .docx, inte ett Word-dokument."
    if "presentationml" in kind or "ms-powerpoint" in kind:
        return "filen är en PowerPoint-presentation (.pptx) som bytt namn till .docx, inte ett Word-dokument."
    return "filen är inte ett Word-dokument (fel innehållstyp, kanske Excel eller makrofil)."


# --- files that are not zips -------------------------------------------------------------------


# A file whose name says what it is (a real rapport.pdf) is told so plainly; "renamed to
# .docx" is only said of a file that pretends to be one.
SAVE_AS_DOCX = "Målkoll granskar bara Word-dokument (.docx): öppna filen i Word och spara den som Word-dokument."


def _named(name: str, *suffixes: str) -> bool:
    return name.lower().endswith(suffixes)


def _foreign_problem(head: bytes, name: str = "") -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if _named(name, ".pdf") and not start.startswith(b"%pdf"):
        # A PDF is recognised by its header wherever it stands in the first KB (checker.reading.is_pdf),
        # so a file named .pdf that arrives here has none: it is not a PDF, whatever its name says.
        return _not_a_pdf(start)
    if start.startswith(b"%pdf"):
        if _named(name, ".pdf"):
            return ("filen är en PDF-fil, inte ett Word-dokument. Målkoll granskar bara Word-dokument (.docx): "
                    "be enheten om dokumentet i Word-format.")
        return "filen är en PDF-fil som bytt namn till .docx, inte ett Word-dokument."
    if start.startswith(b"{\\rtf"):
        return "filen är i RTF-format, inte ett Word-dokument (.docx). Öppna den i Word och spara som Word-dokument."
    if start.startswith((b"<html", b"<!doctype html")) or b"<html" in start:
        return "filen är en webbsida (HTML), inte ett Word-dokument (.docx). Öppna den i Word och spara som Word-dokument."
    if start.startswith(b"<?xml"):
        return ("filen är en XML-fil (kanske Words äldre XML-format), inte ett Word-dokument (.docx). "
                "Öppna den i Word och spara som Word-dokument.")
    return "filen är inte en Word-fil (.docx)."


def _not_a_pdf(start: bytes) -> str:
    if start.startswith(b"{\\rtf"):
        kind = "ett RTF-dokument"
    elif start.startswith((b"<html", b"<!doctype html")) or b"<html" in start:
        kind = "en webbsida (HTML)"
    elif start.startswith(b"<?xml"):
        kind = "en XML-fil"
    else:
        kind = "varken en PDF-fil eller ett Word-dokument (den börjar inte som en PDF-fil, med %PDF-)"
    return (f"filen heter .pdf men är {kind}. Den kan vara skadad eller ha fått fel filändelse; "
            "exportera dokumentet som PDF igen eller skicka Word-filen.")


# --- OLE compound files: .doc, .xls, .ppt and encrypted Office documents ---------------------------

_END_OF_CHAIN = 0xFFFFFFFE
# Enough directory sectors for any real file (4 entries each for 512-byte sectors); a loop stops here too.
_MAX_DIRECTORY_SECTORS = 4096


def _ole_problem(handle: IO[bytes], size: int, name: str = "") -> str:
    names = ole_stream_names(handle, size)
    if {"encryptedpackage", "encryptioninfo"} & names:
        return ("filen är lösenordsskyddad (krypterad) och kan inte läsas. Ta bort lösenordet i Word "
                "(Arkiv › Info › Skydda dokument › Kryptera med lösenord) och spara dokumentet igen.")
    if "worddocument" in names:
        if _named(name, ".doc", ".dot"):
            return f"filen är i det äldre Word-formatet (.doc), inte ett Word-dokument (.docx). {SAVE_AS_DOCX}"
        return ("filen är i det äldre Word-formatet (.doc), fast den heter .docx. Öppna den i Word och spara den "
                "som Word-dokument (.docx).")
    if "workbook" in names or "book" in names:
        return "filen är en Excel-arbetsbok i det äldre formatet (.xls), inte ett Word-dokument."
    if "powerpoint document" in names:
        return "filen är en PowerPoint-presentation i det äldre formatet (.ppt), inte ett Word-dokument."
    return ("filen är ett äldre Word-dokument (.doc) eller ett lösenordsskyddat dokument. "
            "Spara om det som .docx utan lösenord.")


def ole_stream_names(handle: IO[bytes], size: int) -> set[str]:
    """The lower-cased stream and storage names in an OLE compound file's directory.

    Reads only the header, the FAT sectors the header lists and the directory
    chain — a few KB — with every index checked, so a damaged or crafted file
    gives the names found before the damage, never an exception or a loop.
    """
    names: set[str] = set()
    try:
        handle.seek(0)
        header = handle.read(512)
        if len(header) < 512:
            return names
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            return names
        sector_size = 1 << shift
        fat_count, first_dir = struct.unpack_from("<I", header, 44)[0], struct.unpack_from("<I", header, 48)[0]
        difat = struct.unpack_from("<109I", header, 76)[: min(fat_count, 109)]

        def sector(number: int) -> bytes:
            offset = (number + 1) * sector_size
            if number >= 0xFFFFFFFA or offset + sector_size > size:
                raise ValueError("sector outside the file")
            handle.seek(offset)
            return handle.read(sector_size)

        fat: list[int] = []
        for number in difat:
            fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(number)))
        current_sector, seen = first_dir, set[int]()
        while current_sector != _END_OF_CHAIN and current_sector not in seen and len(seen) < _MAX_DIRECTORY_SECTORS:
            seen.add(current_sector)
            names |= _directory_names(sector(current_sector))
            current_sector = fat[current_sector] if current_sector < len(fat) else _END_OF_CHAIN
    except (ValueError, OSError, struct.error):
        pass  # damaged further on: what was found so far still says something
    return names


def _directory_names(data: bytes) -> set[str]:
    names = set()
    for start in range(0, len(data) - 127, 128):
        length = struct.unpack_from("<H", data, start + 64)[0]
        if 2 <= length <= 64 and data[start + 66] in (1, 2, 5):
            name = data[start : start + length - 2].decode("utf-16-le", "replace")
            names.add(name.lstrip("\x00\x01\x02\x03\x04\x05\x06").lower())
    return names


# --- XML parts ------------------------------------------------------------------------------------

# "<!DOCTYPE" in the encodings a part unreadable to the parser might still be in (a last look, see has_dtd).
_DTD_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le",
                                                               "utf-32-be", "cp037"))
# The first bytes of an XML entity in each encoding XML allows (XML 1.0, appendix F), byte-order marks included.
_XML_STARTS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff", b"\x00\x00\x00<", b"<\x00\x00\x00",
               b"\x00\x00<\x00", b"\x00<\x00\x00", b"\x00<\x00?", b"<\x00?\x00", b"Lo\xa7\x94", b"<")
DTD_PROBLEM = (
    "dokumentet innehåller en dokumenttypdeklaration (DTD), något Word aldrig skriver och som används för angrepp "
    "med entiteter. Filen kan vara manipulerad och granskas inte; ingen entitet har expanderats och inga externa "
    "referenser har följts."
)


class _StopAtRoot(Exception):
    """Raised by _Prolog at the root element: nothing after it can declare a document type."""


class _Prolog:
    """A parser target that only notes a document type declaration, and stops at the root element."""

    def __init__(self) -> None:
        self.dtd = False
        self.root = False

    def doctype(self, *args: Any) -> None:
        self.dtd = True
        raise _StopAtRoot

    def start(self, *args: Any) -> None:
        self.root = True
        raise _StopAtRoot

    def end(self, *args: Any) -> None:
        pass

    def data(self, *args: Any) -> None:
        pass

    def comment(self, *args: Any) -> None:
        pass

    def pi(self, *args: Any) -> None:
        pass

    def close(self) -> bool:
        return self.dtd


def has_dtd(data: bytes) -> bool:
    """True when an XML part declares a document type (where entity attacks live), in any encoding.

    Office Open XML forbids DTDs, so such a part is refused unread rather
    than parsed with its entities ignored. The judge is libxml2 itself, the
    parser of both the reader and python-docx, so every encoding it reads
    (UTF-8, UTF-16 and UTF-32 in either byte order, with or without a byte
    order mark, declared 8-bit encodings) is covered; it stops at the root
    element, so a part of any size costs a few dozen bytes of parsing. No
    entity is expanded and nothing is loaded while it looks.
    """
    return _prolog(data) == "dtd"


def _prolog(data: bytes) -> str:
    """"dtd" (a document type is declared), "root" (the root element came first) or "unread" (neither seen)."""
    from lxml import etree

    target = _Prolog()
    parser = etree.XMLParser(target=target, resolve_entities=False, load_dtd=False, no_network=True)
    try:
        etree.fromstring(data, parser)
    except _StopAtRoot:
        pass
    except etree.XMLSyntaxError:
        # libxml2 cannot read it (or not yet, for a prefix); a declaration in any encoding is still told as one.
        return "dtd" if any(marker in data for marker in _DTD_MARKERS) else "unread"
    return "dtd" if target.dtd else ("root" if target.root else "unread")


def _declares_dtd(handle: IO[bytes], head: bytes) -> bool:
    """Whether the part being read from `handle` declares a DTD, reading no further than its root element.

    A DTD stands before the root, so a prefix is enough; it grows (doubling) only while neither the root
    nor a declaration has been seen (a long comment or processing instruction first).
    """
    data = head
    chunk = 4096
    while True:
        more = handle.read(chunk)
        data += more
        state = _prolog(data)
        if state != "unread" or not more:
            return state == "dtd"
        chunk = len(data)


def check_part(name: str, data: bytes, limits: Limits | None = None) -> None:
    """Refuse an XML part with a DTD or more elements than the limit, before it is parsed. Raises PackageProblem."""
    limits = limits or current()
    if has_dtd(data):
        raise PackageProblem(f"delen ”{_shown(name)}”: {DTD_PROBLEM}")
    elements = count_elements(data)
    if elements > limits.max_elements:
        raise PackageProblem(
            f"delen ”{_shown(name)}” har {_thousands(elements)} XML-element, fler än gränsen "
            f"{_thousands(limits.max_elements)} (ett verkligt dokument har högst omkring en miljon). "
            "Filen lästes inte, eftersom den skulle fylla minnet. " + how_to_raise("max-elements")
        )


def count_elements(data: bytes) -> int:
    """How many elements a part can hold at most: its start tags, counted without parsing.

    Every element begins with "<" followed by a name; end tags ("</"), declarations ("<!", "<?")
    are not elements. In UTF-16 or UTF-32 every "<" still holds the byte 0x3C, so the count of
    that byte is an upper bound there (Word writes UTF-8).
    """
    if data.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00")) or b"\x00" in data[:4]:
        return data.count(b"<")
    return data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def check_xml_parts(archive: zipfile.ZipFile, skip: Iterable[str] = (), *, prolog_only: bool = False) -> None:
    """Refuse a package where any part that is XML declares a document type (or, unless `prolog_only`,
    has more elements than the limit). Raises PackageProblem.

    python-docx parses every XML part when it writes the annotated copy
    (comments, settings, docProps/app.xml …), not only those the reader needs,
    so every part that starts like XML in any encoding is looked at. Sizes were
    checked against the limits before (check_archive). The reader, which
    parses only the parts it counts itself, asks for the prologs alone: a few
    KB of each part instead of all of them unpacked.
    """
    skipped = set(skip)
    for info in archive.infolist():
        if info.is_dir() or info.filename in skipped:
            continue
        with archive.open(info) as handle:
            head = handle.read(4)
            stripped = head.lstrip(b" \t\r\n")
            if stripped and not stripped.startswith(_XML_STARTS):
                continue  # an image or other binary part: no XML parser reads it
            if prolog_only:
                if _declares_dtd(handle, head):
                    raise PackageProblem(f"delen ”{_shown(info.filename)}”: {DTD_PROBLEM}")
                continue
            data = head + handle.read()
        check_part(info.filename, data)


def xml_problem(error: Exception) -> str | None:
    """A Swedish explanation for the XML parser's resource limits, or None for ordinary damage."""
    text = str(error).lower()
    if "excessive depth" in text or ("depth" in text and "huge" in text):
        return ("dokumentet är nästlat i fler än 256 nivåer (till exempel tabeller i tabeller), mer än Målkoll läser. "
                "Förenkla dokumentet i Word och spara det igen.")
    if "text node too long" in text or "buffer size limit" in text or "huge" in text:
        return ("dokumentet innehåller en text på över 10 miljoner tecken i ett enda stycke, mer än Målkoll läser. "
                "Dela upp texten eller kontrollera att filen är rätt.")
    if "entity" in text and ("amplification" in text or "loop" in text):
        return DTD_PROBLEM
    if "memory allocation failed" in text or "out of memory" in text or ("unknown error" in text and _memory_capped()):
        # libxml2 hit the worker's memory ceiling (checker.limits.apply_memory_ceiling) while parsing; a failed
        # allocation deep in the parser leaves no message at all ("unknown error", line 0).
        from checker.limits import memory_message

        return memory_message(current())
    return None


def _memory_capped() -> bool:
    try:
        import resource
    except ImportError:
        return False
    return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY


# --- for the watch: is the file complete? ------------------------------------------------------------


def looks_complete(path: Path, limits: Limits | None = None) -> bool:
    """True when the file's zip directory can be read and names the main document part.

    Used while waiting for a copy to finish; the entry count is checked from
    the end record first, so a crafted directory cannot cost memory here either.
    """
    limits = limits or current()
    try:
        with _open_regular(path) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
                return False
            head = handle.read(4)
            if not head.startswith(b"PK"):
                return False
            directory = _directory_size(handle, info.st_size)
            if directory is None:
                return False
            try:
                _check_directory(*directory, limits)
            except PackageProblem:
                return True  # complete, and the check will say what is wrong with it
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                return "word/document.xml" in archive.namelist()
    except (OSError, PackageProblem, zipfile.BadZipFile, ValueError, EOFError, struct.error):
        return False


# Messages shared with the reader.
MISSING = "filen finns inte (längre) – den kan ha flyttats eller tagits bort under granskningen."
FOLDER = "det är en mapp, inte en Word-fil."
EMPTY = "filen är tom (0 byte) – den kan ha sparats eller kopierats ofullständigt."
NO_ACCESS = "filen kunde inte öppnas: åtkomst nekad (saknas behörighet?)."
CHANGED = "filen ändrades medan den lästes; den granskas när den har sparats klart."
DAMAGED = "filen är skadad eller inte en Word-fil (.docx)."
TRUNCATED = (
    "filen är ofullständig eller skadad: den går inte att öppna som Word-dokument (.docx). "
    "Kanske avbröts kopieringen eller sparandet; kopiera eller spara den igen."
)
