"""Text normalisation shared by the reader, the recogniser and the rule language.

Real documents arrive with non-breaking spaces, leaked HTML, lost or garbled
diacritics ("Forvantat resultat", "Uppfbljning") and odd spacing. Everything
that *compares* text goes through `fold`, so that comparisons are tolerant of
case, spacing and diacritics; everything that is *shown* keeps the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz.distance import Levenshtein

# Characters that Word or a PDF round trip puts where a plain space belongs.
_SPACE_LIKE = dict.fromkeys(
    map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t\r\f\v"), " "
)
# Zero-width characters and soft hyphens vanish entirely.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Only what an HTML export writes: a known tag name, and attributes (if any) with "=". Text a person wrote
# between angle brackets ("<Skriv analysen här>", "<b och c>") is text, and is kept and quoted.
_HTML_TAG_NAMES = ("p|div|span|br|hr|b|i|u|s|em|strong|small|big|sub|sup|font|a|li|ul|ol|dl|dt|dd|h[1-6]|"
                   "table|thead|tbody|tfoot|tr|td|th|caption|col|colgroup|blockquote|pre|code|img|center|strike|del|ins")
_HTML_TAG = re.compile(r"</?\s*(?:" + _HTML_TAG_NAMES + r")(?:\s+[a-zA-Z_:][-\w:.]*\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=]+))*"
                       r"\s*/?>", re.IGNORECASE)
_HTML_BLOCK_END = re.compile(r"</\s*(?:p|div|li|h[1-6])\s*>|<\s*br\s*/?\s*>", re.IGNORECASE)
_MULTISPACE = re.compile(r"[ ]{2,}")
# What clean_spaces would change besides the ends (with double spaces): a plain
# character class, which the regex engine scans far faster than an alternation.
_SPACE_OR_INVISIBLE = re.compile("[" + re.escape("".join(map(chr, {**_SPACE_LIKE, **_INVISIBLE}))) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)

# OCR substitutions seen in scanned documents, applied only when folding
# labels for comparison (never to displayed text): "6ka" → "oka", "&r" → "ar".
# Only characters that touch a letter are replaced, so numbers ("2026",
# "6.1") and a lone "&" keep their meaning.
_OCR_LETTERS = {"6": "o", "0": "o", "&": "a", "¢": "c", "€": "e"}
# A zero is an O only where no number can be: between letters, or opening a word ("0kat" for "Ökat");
# "10st" and "2020-talet" keep their digits.
_OCR_CANDIDATE = re.compile(r"(?<=[a-z])[6&¢€]|[6&¢€](?=[a-z])|(?<=[a-z])0(?=[a-z])|(?<![0-9a-z])0(?=[a-z]{2})")
_OCR_ANY = re.compile(r"[60&¢€]")


def clean_spaces(text: str) -> str:
    """Replace space-like characters, drop invisible ones, collapse runs of spaces."""
    if "  " not in text and _SPACE_OR_INVISIBLE.search(text) is None:
        return text.strip()  # the common case; str.translate walks every character in Python-level lookups
    text = text.translate(_INVISIBLE).translate(_SPACE_LIKE)
    return _MULTISPACE.sub(" ", text).strip()


def strip_html(text: str) -> str:
    """Remove HTML tags leaked by the planning system's export.

    Block-level closing tags become line breaks so that "<p>Analys</p> <p>…</p>"
    keeps its paragraphs apart.
    """
    if "<" not in text and "&" not in text:
        return text
    # Imported here: its table of entities is a start-up cost most documents never need.
    from html import unescape

    text = _HTML_BLOCK_END.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    return unescape(text)


def normalise(text: str) -> str:
    """Display-safe normalised text: no HTML, single spaces, lines kept."""
    if "\n" not in text and "<" not in text and "&" not in text:
        return clean_spaces(text)  # one line, no HTML: what the general path gives, without it
    lines = (clean_spaces(line) for line in strip_html(text).split("\n"))
    return "\n".join(line for line in lines if line)


def strip_diacritics(text: str) -> str:
    if text.isascii():  # the common case for labels and numbers: nothing to strip
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    if _beyond_ascii_and_marks().search(decomposed) is None:
        # Only combining marks outside ASCII (most Swedish text: "å" became
        # "a" + ring): dropping everything non-ASCII drops exactly them, in C.
        return decomposed.encode("ascii", "ignore").decode("ascii")
    if _ASTRAL.search(decomposed) is None:
        # Every paragraph is folded once: a regex over the combining marks is
        # several times faster than asking unicodedata about each character.
        return _bmp_combining_marks().sub("", decomposed)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _bmp_combining_marks() -> re.Pattern[str]:
    """The characters of the Basic Multilingual Plane that unicodedata.combining() removes.

    Built on first use from this Python's own Unicode tables (a few ms), so it
    always agrees with the character-by-character test it replaces.
    """
    return re.compile("[" + _bmp_combining_ranges() + "]")


@lru_cache(maxsize=1)
def _beyond_ascii_and_marks() -> re.Pattern[str]:
    """A character that is neither ASCII nor one of _bmp_combining_marks()."""
    return re.compile("[^\x00-\x7f" + _bmp_combining_ranges() + "]")


@lru_cache(maxsize=1)
def _bmp_combining_ranges() -> str:
    """The combining marks of the BMP as the body of a character class, in ranges
    ("\u0300-\u036f…"): 120 ranges compile in half the time of 700 characters."""
    # filter() keeps the per-character test in C: twice as fast as a comprehension, and paid in every process.
    codes = [ord(ch) for ch in filter(unicodedata.combining, map(chr, range(0x300, 0x10000)))]
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(
        re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in ranges
    )


_Fn = TypeVar("_Fn", bound=Callable[..., Any])
_DOCUMENT_CACHES: list[Any] = []


def document_cache(maxsize: int) -> Callable[[_Fn], _Fn]:
    """An lru_cache for answers about a document's text, emptied when the next document is read.

    Within a document the same lines are asked about many times (preparing,
    the contents list, the goals, the rules); across documents the texts
    differ, so a process-wide cache only grew with the batch: a worker held
    ~50 MB more after 600 documents than after 100.
    """

    def decorate(fn: _Fn) -> _Fn:
        cached = lru_cache(maxsize=maxsize)(fn)
        _DOCUMENT_CACHES.append(cached)
        return cached  # type: ignore[return-value]

    return decorate


def clear_document_caches() -> None:
    """Forget every document_cache's answers (checker.reading.report does this before each document)."""
    for cached in _DOCUMENT_CACHES:
        cached.cache_clear()


@document_cache(maxsize=65536)
def fold(text: str) -> str:
    """Comparison key: lower case, no diacritics, single spaces."""
    return clean_spaces(strip_diacritics(text).casefold())


@document_cache(maxsize=65536)
def fold_ocr(text: str) -> str:
    """Like `fold`, but also undoes typical OCR letter substitutions."""
    # Cached like `fold`: the recogniser asks for the same paragraph's key many times.
    folded = fold(text)
    if not _OCR_ANY.search(folded):
        return folded
    return _OCR_CANDIDATE.sub(lambda match: _OCR_LETTERS[match.group()], folded)


def words(text: str) -> list[str]:
    """The words of a text (letters and digits, hyphenated words kept whole)."""
    return _WORD.findall(text)


def similar(a: str, b: str, max_ratio: float = 0.2) -> bool:
    """True when `a` and `b` differ by at most `max_ratio` of their length in edits."""
    if a == b:
        return True
    len_a, len_b = len(a), len(b)
    limit = int(max(len_a, len_b) * max_ratio)
    # The distance is at least the difference in length: most pairs end here,
    # without the C call.
    if len_a - len_b > limit or len_b - len_a > limit:
        return False
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


class SimilarLabels:
    """A fixed list of labels, asked which of them a text is `similar` to.

    `similar` first compares lengths, and most texts are far longer (or
    shorter) than every label; those calls all ended at the length test, but
    each cost a Python call. Here the labels whose length allows a match are
    looked up by the text's length, so only they are compared. The answers are
    exactly those of calling `similar` on every label in order.
    """

    def __init__(self, labels: Iterable[str], max_ratio: float) -> None:
        self.labels = tuple(labels)
        self.max_ratio = max_ratio
        self._by_length: dict[int, tuple[str, ...]] = {}
        # Above this length no label can match: the length difference grows by
        # one per character, the allowed edits by at most one.
        longest = max((len(label) for label in self.labels), default=0)
        self._beyond = longest
        while self._beyond - longest <= int(self._beyond * max_ratio):
            self._beyond += 1

    def candidates(self, text: str) -> tuple[str, ...]:
        """The labels (in their order) whose length is within reach of `text`'s."""
        size = len(text)
        if size >= self._beyond:
            return ()
        found = self._by_length.get(size)
        if found is None:
            ratio = self.max_ratio
            found = tuple(
                label for label in self.labels if abs(size - len(label)) <= int(max(size, len(label)) * ratio)
            )
            self._by_length[size] = found
        return found

    def first(self, text: str) -> str | None:
        """The first label `text` is similar to, or None."""
        for label in self.candidates(text):
            if similar(text, label, self.max_ratio):
                return label
        return None


def starts_like(text: str, label: str, max_ratio: float = 0.2) -> int | None:
    """If folded `text` starts with something close to folded `label`, return its length.

    Used for labels at the start of a line ("Enhetsmal: …", "Forvantat
    resultat"). Tolerates a small number of OCR edits proportional to the
    label's length. Returns the number of characters of `text` consumed.
    """
    n = len(label)
    if text[:n] == label:
        return n
    limit = int(n * max_ratio)
    if limit == 0:
        return None
    # One call rules out almost every line: a prefix within `limit` edits of the
    # label is at most 2*limit characters shorter than text[:n + limit], so that
    # is then within 3*limit edits.
    if Levenshtein.distance(text[: n + limit], label, score_cutoff=3 * limit) > 3 * limit:
        return None
    # The closest prefix, not the first one within reach: "kf:s mal fbr verksamhetsomradet: …"
    # is one edit from the label at its full length but also four edits from it
    # three letters earlier, which would cut the label short of its colon.
    best: tuple[int, int, int] | None = None  # (edits, distance from the label's length, length)
    for length in range(max(1, n - limit), n + limit + 1):
        edits = Levenshtein.distance(text[:length], label, score_cutoff=limit)
        if edits <= limit and (best is None or (edits, abs(length - n)) < best[:2]):
            best = (edits, abs(length - n), length)
    return best[2] if best is not None else None


# --- unit names (a document's identity, and the threads that group documents by it) -------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


def unit_key(name: str) -> tuple[str, ...]:
    """The words of a unit's name, folded (case, diacritics, typical OCR letters) and without punctuation."""
    return tuple(_NOT_WORD.sub(" ", fold_ocr(name)).split())


def same_unit(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The same unit despite spelling: the words agree one by one (in order or sorted).

    A word of five letters or more may differ by one letter ("Aspuddens" and
    "Aspudden", a scanner's "hemtjanst" and "hemtjänst"); shorter words and
    numbers must agree exactly, so "Förskolan 2" is not "Förskolan 3".
    """
    if a == b or "".join(a) == "".join(b):
        return True
    return _aligned(a, b) or _aligned(tuple(sorted(a)), tuple(sorted(b)))


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if len(a) != len(b) or not a:
        return False
    return all(
        x == y or (min(len(x), len(y)) >= 5 and not (x.isdigit() or y.isdigit())
                   and Levenshtein.distance(x, y, score_cutoff=1) <= 1)
        for x, y in zip(a, b, strict=True)
    )
