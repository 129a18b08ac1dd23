"""Looking at a PDF's bytes before PDFium does: what a few KB can make a reader unpack.

A PDF is no zip, but it packs its parts the same way: streams (page contents,
fonts, images, object streams) are mostly packed with zlib (FlateDecode), and
a stream of a few KB can unpack to GBs, the more so when it is packed twice
(`/Filter [/FlateDecode /FlateDecode]`). PDFium unpacks a page's content
streams whole when the page is read and needs about twice their size in memory;
when it cannot get that memory it ends the process (abort), which no Python
code can catch. So before PDFium sees a file, every stream it could be asked to
unpack is unpacked here once, in pieces that are counted and thrown away, and
compared with the limits of checker.limits:

* one stream (max-entry-mb) and its packing ratio (max-ratio), as for a part
  of a .docx; an image may unpack to the size its own width and height give it
  (more than that is a bomb), and is otherwise never unpacked by the reader;
* all streams together (max-total-mb);
* the objects the file holds or claims (max-objects).

Nothing is kept, so the check costs time in proportion to what a real document
unpacks and a few hundred KB of memory whatever the file claims.

LZW and RunLength data is not unpacked but measured from its codes. Not
measured here, and left to the worker's memory ceiling and the per-file time
limit (checker.batch): zlib data behind LZW or RunLength (no PDF writer makes
it), and the streams of an encrypted file that opens without a password, which
only PDFium can decrypt.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from checker.limits import RATIO_FLOOR_BYTES, Limits, describe_mb, how_to_raise


class PdfProblem(Exception):
    """The PDF must not be handed to PDFium; `problem` says why, in Swedish."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# A stream's data begins after "stream" and one end of line, and its dictionary closes just before.
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJECT_START = re.compile(rb"(\d+)\s+\d+\s+obj\b")
# A filter is a name, an array of names, or a reference to either.
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>(){}%]+|\d+\s+\d+\s+R)")
_NAME = re.compile(rb"/([^\s/\[\]<>()%{}]+)")
_NUMBER = {key: re.compile(rb"/" + key + rb"\s+(\d+)") for key in (b"Width", b"Height", b"BitsPerComponent", b"N")}
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_SIZE_CLAIM = re.compile(rb"/Size\s+(\d{1,20})")
# How far back from "stream" its dictionary may start (a real one is a few hundred bytes).
_DICTIONARY_WINDOW = 64 * 1024
_PIECE = 256 * 1024
# Packed more often than this, zlib data is not looked into further (no writer packs twice, let alone 8 times).
_MAX_PACKINGS = 8
# An image holds at most this many bytes per pixel (CMYK with 16 bits per component), plus some slack
# for row padding; and no image in a report comes near 1 GB unpacked.
_IMAGE_BYTES_PER_PIXEL = 8
_IMAGE_SLACK = 64 * 1024
_IMAGE_CEILING = 1024 * 1024 * 1024

_FLATE = {"FlateDecode", "Fl"}
_HEX = {"ASCIIHexDecode", "AHx"}
_A85 = {"ASCII85Decode", "A85"}
_LZW = {"LZWDecode", "LZW"}
_RUN_LENGTH = {"RunLengthDecode", "RL"}
_EARLY_CHANGE_OFF = re.compile(rb"/EarlyChange\s+0\b")


@dataclass(frozen=True)
class _Stream:
    number: str  # the object number, for the message ("" when not found)
    dictionary: bytes
    data: memoryview


def check_pdf_bytes(data: bytes, limits: Limits) -> None:
    """Refuse a PDF whose streams unpack beyond the limits, or that holds too many objects. Raises PdfProblem."""
    view = memoryview(data)
    objects = data.count(b"endobj")
    claimed = max((int(m.group(1)) for m in _SIZE_CLAIM.finditer(data)), default=0)
    total = 0
    resolved: dict[bytes, bytes] = {}
    for stream in _streams(data, view):
        if _OBJECT_STREAM.search(stream.dictionary):
            objects += _number(stream.dictionary, b"N")
        total += _measure(stream, _filters(stream.dictionary, data, resolved), limits, total)
    if max(objects, claimed) > limits.max_objects:
        raise PdfProblem(
            f"PDF-filen består av {_thousands(max(objects, claimed))} objekt, fler än gränsen "
            f"{_thousands(limits.max_objects)} (en rapport på 500 sidor har några tusen). Filen lästes inte, "
            "eftersom den skulle fylla minnet. " + how_to_raise("max-objects")
        )


def _streams(data: bytes, view: memoryview) -> Iterator[_Stream]:
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        window = max(0, match.start() - _DICTIONARY_WINDOW)
        head = data.rfind(b"obj", window, match.start())
        before = data[max(0, head - 24): head + 3] if head >= 0 else b""
        found = list(_OBJECT_START.finditer(before))
        number = found[-1].group(1).decode() if found else ""
        yield _Stream(number, data[head + 3 if head >= 0 else window: match.start() + 2], view[start:end])


def _filters(dictionary: bytes, data: bytes, resolved: dict[bytes, bytes]) -> list[str]:
    match = _FILTER.search(dictionary)
    if match is None:
        return []
    value = match.group(1)
    if value.endswith(b"R"):  # /Filter 7 0 R: the names stand in object 7
        value = resolved.setdefault(value, _referenced(value, data))
    return [_unescaped(name) for name in _NAME.findall(value)]


def _referenced(reference: bytes, data: bytes) -> bytes:
    number, generation = reference.split()[:2]
    target = re.search(rb"(?<!\d)" + number + rb"\s+" + generation + rb"\s+obj\s*(\[[^\]]*\]|/[^\s/\[\]<>()%{}]+)", data)
    return target.group(1) if target else b""


def _unescaped(name: bytes) -> str:
    """A PDF name as PDFium reads it: "#46" is "F" (/Fl#61teDecode is /FlateDecode)."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")


def _number(dictionary: bytes, key: bytes) -> int:
    match = _NUMBER[key].search(dictionary)
    return int(match.group(1)) if match else 0


def _measure(stream: _Stream, filters: list[str], limits: Limits, total_before: int) -> int:
    """The unpacked size of one stream as far as its filters are measured here (the raw size when it is not packed).

    Raises PdfProblem as soon as the stream passes a limit, having unpacked no more than that.
    """
    sizes = _sizes(stream, filters)
    if sizes is None:
        return 0  # behind a filter only PDFium decodes: the memory ceiling and the time limit hold
    image = _IMAGE.search(stream.dictionary) is not None
    allowed = _image_allowance(stream.dictionary) if image else limits.max_entry_bytes
    size = 0
    for piece in sizes:
        size += piece
        if size > allowed:
            raise PdfProblem(_too_large(stream, size, allowed, image, limits))
        if image:
            continue  # the reader never unpacks an image: its size is only compared with its own dimensions
        if size > RATIO_FLOOR_BYTES and size > limits.max_ratio * max(len(stream.data), 1):
            raise PdfProblem(_too_packed(stream, size, limits))
        if total_before + size > limits.max_total_bytes:
            raise PdfProblem(
                f"PDF-filens strömmar skulle packas upp till mer än {describe_mb(limits.max_total_bytes)} "
                "tillsammans, mer än gränsen. Filen packades inte upp (den kan vara en så kallad "
                "dekomprimeringsbomb). " + how_to_raise("max-total-mb")
            )
    return 0 if image else size


def _sizes(stream: _Stream, filters: list[str]) -> Iterator[int] | None:
    """The sizes of the stream's data unpacked piece by piece, or None when a filter that can expand it
    comes before the last one measured here (zlib behind LZW, say)."""
    stages = list(filters)
    raw: bytes | memoryview = stream.data
    if not stages and _looks_zlib(bytes(raw[:2])):
        # No filter read from the dictionary, yet the data is zlib's: a dictionary written to be misread
        # here ("/Fil#74er", a comment, "(1 0 obj)" in a string) is no reason to let PDFium unpack it unmeasured.
        return (len(piece) for piece in _unpacked_as_it_looks(_chunks(raw)))
    while stages and (stages[0] in _HEX or stages[0] in _A85):
        # Text encodings only shrink what they encode, so the stream is decoded whole: its size is the file's.
        raw = _text_decoded(bytes(raw), stages.pop(0))
    pieces: Iterable[bytes] = _chunks(raw)
    while stages and stages[0] in _FLATE:
        stages.pop(0)
        pieces = _inflated(pieces)
    last = stages.pop(0) if stages and (stages[0] in _LZW or stages[0] in _RUN_LENGTH) else None
    if any(name in _FLATE or name in _LZW or name in _RUN_LENGTH for name in stages):
        return None
    if last in _LZW:
        return _lzw_sizes(pieces, early=0 if _EARLY_CHANGE_OFF.search(stream.dictionary) else 1)
    if last in _RUN_LENGTH:
        return _run_length_sizes(pieces)
    return (len(piece) for piece in pieces)


def _looks_zlib(head: bytes) -> bool:
    """The two bytes zlib data starts with: the deflate method, a window of at most 32 KB, and their checksum."""
    return len(head) == 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0


def _unpacked_as_it_looks(pieces: Iterator[bytes], depth: int = 0) -> Iterator[bytes]:
    """zlib data unpacked as many times over as it is zlib data again (at most _MAX_PACKINGS)."""
    first = next(pieces, b"")
    rest = itertools.chain([first], pieces)
    if depth >= _MAX_PACKINGS or not _looks_zlib(first[:2]):
        return rest
    return _unpacked_as_it_looks(_inflated(rest), depth + 1)


def _lzw_sizes(pieces: Iterable[bytes], early: int) -> Iterator[int]:
    """What LZW data unpacks to, counted from the lengths of its table's entries alone (each is one longer
    than the entry it extends), so nothing is unpacked: a few KB that claim GBs cost a few KB here."""
    lengths = [1] * 258  # 0-255 the bytes; 256 clears the table, 257 ends the data
    width, previous, buffer, bits, out = 9, -1, 0, 0, 0
    for piece in pieces:
        for byte in piece:
            buffer, bits = (buffer << 8) | byte, bits + 8
            while bits >= width:
                bits -= width
                code = buffer >> bits
                buffer &= (1 << bits) - 1
                if code == 256:
                    del lengths[258:]
                    width, previous = 9, -1
                    continue
                if code == 257 or code > len(lengths) or (code == len(lengths) and previous < 0):
                    yield out  # the end, or damage where PDFium stops too
                    return
                length = lengths[code] if code < len(lengths) else lengths[previous] + 1
                if previous >= 0 and len(lengths) < 4096:
                    lengths.append(lengths[previous] + 1)
                previous = code
                out += length
                if width < 12 and len(lengths) + early >= 1 << width:
                    width += 1
        yield out
        out = 0


def _run_length_sizes(pieces: Iterable[bytes]) -> Iterator[int]:
    """What RunLength data unpacks to: a length byte n < 128 copies n + 1 bytes, n > 128 repeats one 257 - n times."""
    skip = 0
    for piece in pieces:
        index, out = skip, 0
        while index < len(piece):
            length = piece[index]
            if length == 128:
                yield out
                return
            out += length + 1 if length < 128 else 257 - length
            index += length + 2 if length < 128 else 2
        skip = index - len(piece)
        yield out


def _text_decoded(data: bytes, name: str) -> bytes:
    try:
        if name in _HEX:
            digits = re.sub(rb"\s", b"", data.split(b">", 1)[0])
            return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
        return base64.a85decode(re.sub(rb"\s", b"", data).split(b"~>", 1)[0])
    except (ValueError, binascii.Error):
        return b""  # damaged: PDFium gets nothing from it either


def _chunks(data: bytes | memoryview) -> Iterator[bytes]:
    for start in range(0, len(data), _PIECE):
        yield bytes(data[start: start + _PIECE])


def _inflated(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """zlib-unpacked pieces of at most _PIECE bytes each, however much one packed piece holds."""
    decompressor = zlib.decompressobj()
    try:
        for piece in pieces:
            while True:
                out = decompressor.decompress(piece, _PIECE)
                piece = decompressor.unconsumed_tail
                if out:
                    yield out
                if decompressor.eof:
                    return
                if not piece and len(out) < _PIECE:
                    break
    except zlib.error:
        return  # damaged from here on: PDFium's zlib stops where this one does


def _image_allowance(dictionary: bytes) -> int:
    pixels = _number(dictionary, b"Width") * _number(dictionary, b"Height")
    return min(pixels * _IMAGE_BYTES_PER_PIXEL + _IMAGE_SLACK, _IMAGE_CEILING)


def _where(stream: _Stream) -> str:
    return f"strömmen i objekt {stream.number}" if stream.number else "en ström"


def _too_large(stream: _Stream, size: int, allowed: int, image: bool, limits: Limits) -> str:
    if image:
        return (f"PDF-filens bild i objekt {stream.number or '?'} packas upp till mer än {describe_mb(allowed)}, mer än "
                "en bild av den storlek den anger kan innehålla. Filen packades inte upp (den kan vara en så kallad "
                "dekomprimeringsbomb) och granskas inte.")
    return (f"{_where(stream)} i PDF-filen skulle packas upp till mer än {describe_mb(allowed)}, gränsen för en del. "
            "Filen packades inte upp (den kan vara en så kallad dekomprimeringsbomb). " + how_to_raise("max-entry-mb"))


def _too_packed(stream: _Stream, size: int, limits: Limits) -> str:
    return (f"{_where(stream)} i PDF-filen är packad mer än {limits.max_ratio:g} gånger (från "
            f"{describe_mb(len(stream.data))} till över {describe_mb(size)}), något bara en så kallad "
            "dekomprimeringsbomb gör. Filen packades inte upp. " + how_to_raise("max-ratio"))


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")
