"""The named built-in functions of the rule language, and the text algorithms they share.

Where a requirement needs an algorithm — similarity, numbering, restatement,
counting words beside standard phrases — rule text calls a function by name,
the way Schematron calls XPath functions. Each function is implemented once
here and knows nothing about any particular rule: which phrases are
"standard", which indicator is the total of which, all come from rule text.

A function returns its value and, optionally, `Evidence`: where in the
document the finding should point, a short quote, and values for the
message's placeholders ({förlaga}, {avvikelse} …).
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq, Levenshtein

from checker.model import Source, Value
from checker.rules_lang.errors import swedish_list
from checker.rules_lang.vocabulary import (
    BOOL,
    NUMBER,
    ENUMS,
    Base,
    DateCell,
    FieldDef,
    Para,
    TextBlock,
    Type,
    as_number,
    as_paragraphs,
    as_text,
    paragraph_number,
)
from checker.rules_lang.runtime import Node, ReportIndex
from checker.text import document_cache, fold, fold_ocr, shorten, similar, words

# --- evidence ------------------------------------------------------------------------


@dataclass(slots=True)
class Evidence:
    """What a condition found: where to point, what to quote, values for placeholders."""

    source: Source | None = None
    quote: str | None = None
    values: dict[str, str | Shown] = field(default_factory=dict)
    # Fields found missing by "har …" (merged into {saknas}).
    missing: list[str] = field(default_factory=list)

    def merge(self, other: Evidence | None) -> Evidence:
        if other is None:
            return self
        return Evidence(
            source=other.source or self.source,
            quote=other.quote or self.quote,
            values={**self.values, **other.values},
            missing=self.missing + [m for m in other.missing if m not in self.missing],
        )


def merge(first: Evidence | None, second: Evidence | None) -> Evidence | None:
    if first is None:
        return second
    return first.merge(second)


# --- display of values in messages ------------------------------------------------------

MISSING = "–"


def format_number(number: float) -> str:
    """Swedish style: 8,5 and 10 (not 10.0)."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def display(value: Any, type_: Type | None = None, limit: int = 80) -> str:
    """A run-time value as a coordinator should read it inside a message."""
    if value is None:
        return MISSING
    if value.__class__ is str and (type_ is None or type_.base is not Base.ENUM):
        return shorten(value, limit) if value.strip() else MISSING  # the common case, as below
    if type_ is not None and type_.base is Base.ENUM and isinstance(value, str):
        if type_.ref in ENUMS:
            return ENUMS[type_.ref].display(value) or MISSING
        return value
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, float)):
        return format_number(float(value))
    if isinstance(value, Value):
        return value.text or MISSING
    if isinstance(value, DateCell):
        return value.text or MISSING
    if isinstance(value, TextBlock):
        return shorten(value.text, limit) if value.text else MISSING
    if isinstance(value, Node):
        return shorten(value.title or MISSING, limit)
    if isinstance(value, FieldRef):
        return value.field.label
    if isinstance(value, (list, tuple)):
        return swedish_list([display(v, None, limit) for v in value]) or MISSING
    text = str(value)
    return shorten(text, limit) if text.strip() else MISSING


class Shown:
    """A value for a message placeholder, put in words only when a message shows it.

    Most conditions hold, and the evidence of one that holds is seldom shown:
    formatting every compared value up front cost more than comparing it.
    """

    __slots__ = ("value", "type")

    def __init__(self, value: Any, type_: Type | None) -> None:
        self.value = value
        self.type = type_

    def text(self) -> str:
        return display(self.value, self.type)


def shown(value: str | Shown | None) -> str | None:
    """A placeholder value from evidence, in words."""
    return value.text() if isinstance(value, Shown) else value


def excerpt(text: str, position: int, limit: int = 110) -> str:
    """A one-line quote of `text` that shows what is at `position`."""
    one_line = " ".join(text.split())
    if position <= limit // 2 or len(one_line) <= limit:
        return shorten(one_line, limit)
    start = one_line.rfind(" ", 0, max(0, position - 30)) + 1
    return "…" + shorten(one_line[start:], limit - 1)


# --- phrases ------------------------------------------------------------------------------

_GAP_WORDS = 12
_SEPARATOR = r"[\W_]+"
_GAP = r"(?:[\W_]+[^\W_]+){0,%d}?[\W_]+" % _GAP_WORDS
_COMPACT_MIN = 8
_NON_ALNUM = re.compile(r"[\W_]+")

# Folding leaves almost every paragraph in ASCII, where str.translate does what
# the Unicode-aware class [\W_] does (ASCII letters and digits are exactly
# [^\W_] there) several times faster than the regex engine.
_ASCII_NON_ALNUM = [chr(code) for code in range(128) if not chr(code).isalnum()]
_NON_ALNUM_TO_SPACE = str.maketrans(dict.fromkeys(_ASCII_NON_ALNUM, " "))
_NON_ALNUM_DELETED = str.maketrans(dict.fromkeys(_ASCII_NON_ALNUM, None))


def without_punctuation(text: str) -> str:
    """`text` with everything but letters and digits removed."""
    if text.isascii():
        return text.translate(_NON_ALNUM_DELETED)
    return _NON_ALNUM.sub("", text)


def word_runs(text: str) -> list[str]:
    """The runs of letters and digits in `text`."""
    if text.isascii():
        return text.translate(_NON_ALNUM_TO_SPACE).split()
    return _ALNUM_RUN.findall(text)


_ALNUM_RUN = re.compile(r"[^\W_]+")


@document_cache(maxsize=65536)
def compact(text: str) -> str:
    """Folded text without spaces or punctuation: "Medarbetar index" → "medarbetarindex"."""
    return without_punctuation(fold(text))


class PhraseMatcher:
    """Finds any of a list of phrases in text, tolerant of case, diacritics and spacing.

    A phrase matches whole words ("delvis" does not match "delvisa"). In a
    phrase, "…" (or "...") stands for up to twelve words, a trailing "*" for
    any word ending ("personal*" matches "personalen") and a leading "*" for
    any word beginning ("*frånvaro" matches "sjukfrånvaro"). Two fallbacks
    catch what documents do to words:

    * a phrase of at least eight letters without "…" also matches when the
      document splits a word in a narrow table cell ("Medarbetar index"), by
      comparing without spaces;
    * a phrase of two or more words without "…" also matches scanned text
      with OCR letter errors ("Enheten bed6mer att enhetsmalet"): after
      undoing typical substitutions, each word of five letters or more may
      differ by one letter; shorter words must be exact.
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = tuple(phrases)
        # One expression per phrase, with a word every match of it must contain:
        # most texts contain none of them, and a substring test is far cheaper
        # than the expression, which then starts with a word the regex engine
        # can look for directly.
        self._each = tuple(
            (i, _longest_literal(p), re.compile(_phrase_pattern(p))) for i, p in enumerate(self.phrases)
        )
        self._compact = [
            (i, compact(p)) for i, p in enumerate(self.phrases)
            if "*" not in p and "…" not in p and "..." not in p and len(compact(p)) >= _COMPACT_MIN
        ]
        self._fuzzy = [
            (i, tokens, frozenset(t for t in tokens if "*" not in t), (len(tokens) + 1) // 2, _anchor(tokens))
            for i, tokens in ((i, tuple(_ocr_tokens(p))) for i, p in enumerate(self.phrases))
            if len(tokens) >= 2 and "…" not in self.phrases[i] and "..." not in self.phrases[i]
        ]

    def __reduce__(self) -> tuple[Any, tuple[tuple[str, ...]]]:
        # The plan cache keeps matchers as their phrases: the compiled patterns are rebuilt, not unpickled.
        return PhraseMatcher, (self.phrases,)

    def search(self, text: str) -> tuple[str, int] | None:
        """(the phrase as written in the rule, position in the folded text) of the first match."""
        if not text or not self.phrases:
            return None
        return self.search_folded(fold(text))

    def search_folded(self, folded: str) -> tuple[str, int] | None:
        """Like `search`, for text that is already folded (sentences cut from a folded paragraph)."""
        if not folded or not self.phrases:
            return None
        # The leftmost match of any phrase, the first phrase among those starting
        # there: what one alternation of all the phrases finds.
        best: tuple[int, int] | None = None
        for index, literal, regex in self._each:
            if literal is not None and literal not in folded:
                continue
            match = regex.search(folded)
            if match is not None and (best is None or match.start() < best[1]):
                best = (index, match.start())
        if best is not None:
            return self.phrases[best[0]], best[1]
        if self._compact:
            squeezed = _squeeze(folded)
            for index, key in self._compact:
                if key in squeezed:  # cheap test first; edges are checked only on a hit
                    found = _compact_hit(folded, key)
                    if found is not None:
                        return self.phrases[index], found
        if self._fuzzy:
            found_fuzzy = self._fuzzy_search(folded)
            if found_fuzzy is not None:
                return found_fuzzy
        return None

    def _fuzzy_search(self, folded: str) -> tuple[str, int] | None:
        tokens, present = _ocr_view(folded)
        for index, phrase, exact_words, needed, anchor in self._fuzzy:
            # Most of a phrase's words survive a scan intact; skip texts where they do not occur.
            if len(exact_words & present) < needed:
                continue
            start = _fuzzy_start(tokens, present, phrase, anchor)
            if start is not None:
                # A word position is close enough to a character position for a quote.
                return self.phrases[index], len(" ".join(tokens[:start])) + (1 if start else 0)
        return None

    def find_in(self, paragraphs: Sequence[Para]) -> tuple[Para, str, int] | None:
        for paragraph in paragraphs:
            found = self.search(paragraph.text)
            if found is not None:
                return paragraph, found[0], found[1]
        return None

    def starts(self, text: str) -> str | None:
        """The phrase a text begins with, if any."""
        found = self.search(text)
        if found is None:
            return None
        folded = fold(text)
        return found[0] if not folded[: found[1]].strip(" -–•.:0123456789)") else None


def _longest_literal(phrase: str) -> str | None:
    """The longest wildcard-free word of a phrase, folded; None when every word has a wildcard."""
    candidates: list[str] = [t.strip("*") for t in fold(phrase).replace("…", " ... ").split() if t not in ("...", "*")]
    longest = max(candidates, key=len, default="")
    return longest or None


def _phrase_pattern(phrase: str) -> str:
    tokens = fold(phrase).replace("…", " ... ").split()
    pieces: list[str] = []
    pending_gap = False
    for token in tokens:
        if token in ("...", "*"):
            pending_gap = True
            continue
        if pieces:
            pieces.append(_GAP if pending_gap else _SEPARATOR)
        pending_gap = False
        head = r"[^\W_]*" if token.startswith("*") else ""
        tail = r"[^\W_]*" if token.endswith("*") and len(token) > 1 else ""
        pieces.append(head + re.escape(token.strip("*")) + tail)
    if not pieces:
        return r"(?!x)x"
    first, last = tokens[0], tokens[-1]
    end = r"(?![^\W_])" if re.search(r"[^\W_]\*?$", last) else ""
    if not re.match(r"\*?[^\W_]", first):
        return "".join(pieces) + end
    if first.startswith("*"):
        return r"(?<![^\W_])" + "".join(pieces) + end
    # The phrase starts on a word edge. Said after its first word, as "not a
    # letter before this word", the expression starts with a plain word, which
    # the regex engine finds by a fast scan; a look-behind first is tried at
    # every position of the text (ten times slower).
    word = re.escape(first.strip("*"))
    pieces[0] = word + r"(?<![^\W_]" + word + ")" + pieces[0][len(word):]
    return "".join(pieces) + end


def _compact_hit(folded: str, key: str) -> int | None:
    """Where `key` occurs in `folded` ignoring spaces and punctuation, starting and ending on word edges."""
    kept = [i for i, ch in enumerate(folded) if ch.isalnum()]
    squeezed = "".join(folded[i] for i in kept)
    position = squeezed.find(key)
    while position >= 0:
        start, end = kept[position], kept[position + len(key) - 1]
        # A split inside the phrase is fine; the phrase must still start and end on word edges.
        if _word_edge(folded, start - 1) and _word_edge(folded, end + 1):
            return start
        position = squeezed.find(key, position + 1)
    return None


def _word_edge(folded: str, index: int) -> bool:
    return index < 0 or index >= len(folded) or not folded[index].isalnum()


_OCR_WORD = re.compile(r"[^\W_]+\*?")


# Mirrors checker.text.fold_ocr, applied to text that is already folded.
_OCR_TABLE = str.maketrans({"6": "o", "&": "a", "¢": "c", "€": "e"})


def _ocr_tokens(text: str) -> list[str]:
    return _OCR_WORD.findall(fold_ocr(text))


@document_cache(maxsize=8192)
def _ocr_view(folded: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The OCR-folded words of a folded text and their set, shared by every phrase list that looks at it."""
    text = folded.translate(_OCR_TABLE)
    # Without a "*" to keep at the end of a word, the words are the runs of letters and digits.
    tokens = tuple(word_runs(text) if "*" not in text else _OCR_WORD.findall(text))
    return tokens, frozenset(tokens)


@document_cache(maxsize=8192)
def _squeeze(folded: str) -> str:
    return without_punctuation(folded)


_FUZZY_MIN = 5


def _anchor(phrase: tuple[str, ...]) -> int | None:
    """The position of the phrase's longest word that only matches itself (short, no "*"), if any."""
    exact = [k for k, word in enumerate(phrase) if "*" not in word and len(word) < _FUZZY_MIN]
    return max(exact, key=lambda k: len(phrase[k]), default=None)


def _fuzzy_start(
    tokens: tuple[str, ...], present: frozenset[str], phrase: tuple[str, ...], anchor: int | None
) -> int | None:
    """The first word position where every word of `phrase` is alike the text's, if any.

    A short word must occur as it is, so where the phrase has one, only the
    places where that word stands are tried (found by tuple.index, in C),
    in increasing order: the same first position as trying every one.
    """
    width = len(phrase)
    last = len(tokens) - width
    if anchor is None:
        starts: Iterable[int] = range(last + 1)
    elif phrase[anchor] not in present:
        return None
    else:
        starts = (p - anchor for p in _positions(tokens, phrase[anchor]) if anchor <= p <= last + anchor)
    for start in starts:
        if all(_word_alike(tokens[start + k], phrase[k]) for k in range(width)):
            return start
    return None


def _positions(tokens: tuple[str, ...], word: str) -> Iterator[int]:
    position = -1
    try:
        while True:
            position = tokens.index(word, position + 1)
            yield position
    except ValueError:
        return


def _word_alike(word: str, pattern: str) -> bool:
    """One word of text against one word of a phrase, allowing one OCR error in long words."""
    if pattern.endswith("*"):
        stem = pattern[:-1]
        head = word[: len(stem)]
        return head == stem or (len(stem) >= _FUZZY_MIN and Levenshtein.distance(head, stem, score_cutoff=1) <= 1)
    if word == pattern:
        return True
    if len(pattern) < _FUZZY_MIN or abs(len(word) - len(pattern)) > 1:
        return False
    return Levenshtein.distance(word, pattern, score_cutoff=1) <= 1


def names_alike(a: str | None, b: str | None) -> bool:
    """Two names are the same despite case, diacritics, spacing and a typo or two."""
    if not a or not b:
        return False
    x, y = compact(a), compact(b)
    return x == y or similar(x, y, 0.1)


# --- sentences -----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LEADING_MARK = re.compile(r"^\s*(?:\d{1,2}\s?[.)](?!\d)|[-–—•·▪*]|[\ue000-\uf8ff])+\s*")


def sentences(paragraphs: Sequence[Para]) -> list[tuple[str, Para]]:
    """Folded sentences of running text, list numbers and bullets removed, each with its paragraph.

    Folding the paragraph once (cached) rather than each sentence keeps this
    cheap on long documents; words and phrases are compared folded anyway.
    """
    return [(sentence, paragraph) for paragraph in paragraphs for sentence in _split_sentences(paragraph.text)]


@document_cache(maxsize=16384)
def _split_sentences(text: str) -> tuple[str, ...]:
    """A paragraph's folded sentences (cached: several rules ask for the same analysis)."""
    found: list[str] = []
    for sentence in _SENTENCE_END.split(_unmarked(text)):
        sentence = _LEADING_MARK.sub("", sentence).strip()
        if sentence:
            found.append(sentence)
    return tuple(found)


def _unmarked(text: str) -> str:
    """A paragraph folded, without the list number or bullet it starts with."""
    return _LEADING_MARK.sub("", fold(text))


def sentences_besides(paragraphs: Sequence[Para], standard: PhraseMatcher | None) -> list[tuple[str, Para]]:
    """The (folded) sentences that do not contain one of the standard phrases."""
    if standard is None:
        return sentences(paragraphs)
    return [
        (sentence, paragraph)
        for paragraph in paragraphs
        for sentence in _split_sentences_besides(paragraph.text, standard)
    ]


@document_cache(maxsize=16384)
def _split_sentences_besides(text: str, standard: PhraseMatcher) -> tuple[str, ...]:
    """A paragraph's folded sentences without a standard phrase.

    A sentence is a stretch of the folded paragraph that starts and ends
    next to a space or punctuation, so a phrase found in it (whole words, the
    word split in a narrow cell, OCR letters) is found in the paragraph too:
    a paragraph without any — most of them — keeps every sentence after one
    search instead of one per sentence.
    """
    found = _split_sentences(text)
    if not found or standard.search_folded(_unmarked(text)) is None:
        return found
    return tuple(sentence for sentence in found if standard.search_folded(sentence) is None)


def words_besides(value: Any, standard: PhraseMatcher | None) -> int:
    """Words of a text outside the sentences that contain a standard phrase."""
    return sum(len(words(s)) for s, _ in sentences_besides(as_paragraphs(value), standard))


# --- function machinery ----------------------------------------------------------------------

ParamKind = Literal["text", "part", "number", "phrases", "field", "own_field", "string"]


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    doc: str


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field passed by name to a function: its definition and its value here."""

    field: FieldDef
    value: Any


@dataclass(frozen=True, slots=True)
class CallContext:
    node: Node
    index: ReportIndex


Impl = Callable[[CallContext, tuple[Any, ...]], tuple[Any, Evidence | None]]


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    aliases: tuple[str, ...]
    params: tuple[Param, ...]
    returns: Type | None  # None: an entity of the same kind as the current one
    impl: Impl
    doc: str
    example: str
    variadic: bool = False
    # The current entity must be one of these kinds (None: any).
    entity_kinds: frozenset[str] | None = None
    # Placeholders the function can fill in a message.
    evidence: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


FUNCTIONS: dict[str, Function] = {}


def _register(function: Function) -> None:
    FUNCTIONS[function.name] = function


def lookup_function(written: str) -> Function | None:
    key = fold(written).replace("-", "_")
    for function in FUNCTIONS.values():
        if key in {fold(n).replace("-", "_") for n in function.names()}:
            return function
    return None


# ord(text) ---------------------------------------------------------------------------------


def _ord(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    return float(len(words(as_text(args[0])))), None


_register(Function(
    "ord", ("words", "antal_ord"), (Param("text", "text", "texten som ska räknas"),), NUMBER, _ord,
    "Antalet ord i en text.", "ord(analys) >= 25",
))


# ord_utöver(text, fraser) ---------------------------------------------------------------------


def _ord_utover(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    return float(words_besides(args[0], args[1])), None


_register(Function(
    "ord_utöver", ("ord_utover", "words_besides"),
    (Param("text", "text", "texten som ska räknas"), Param("fraser", "phrases", "meningar med dessa fraser räknas inte")),
    NUMBER, _ord_utover,
    "Antalet ord i en text utanför de meningar som innehåller någon av fraserna.",
    "ord_utöver(analys, mina_fraser) >= 25",
))


# återges_i(del) -----------------------------------------------------------------------------

_RESTATE_SCORE = 85
_RESTATE_MIN_SHARE = 0.6
_TOKEN_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class _RestatePart:
    """A part's paragraphs in the form every item asked about them is compared with (built once per part)."""

    numbers: frozenset[int]
    # The comparable text of each paragraph that has one, and its set of words.
    texts: tuple[tuple[str, frozenset[str]], ...]


def _restate_part(paragraphs: Sequence[Para]) -> _RestatePart:
    numbers = frozenset(n for n in (paragraph_number(p.text) for p in paragraphs) if n is not None)
    texts = []
    for paragraph in paragraphs:
        runs = _comparable_runs(paragraph.text)  # _comparable(text) is these words joined
        if runs:
            texts.append((" ".join(runs), frozenset(runs)))
    return _RestatePart(numbers, tuple(texts))


def _restated(item: Any, part: _RestatePart) -> bool:
    """Whether a förväntat-resultat item is taken up in a part, by its number or its words.

    A paragraph restates the item when it shares most of the item's words or
    when its text is close to the item's (partial_ratio). Any one paragraph
    passing either test settles it, so the cheap word test runs over every
    paragraph before the first edit distance is computed.
    """
    number = getattr(item, "number", None)
    if number is not None and number in part.numbers:
        return True
    target = _comparable(item.text)
    if not target:
        return True
    target_words = frozenset(w for w in target.split() if len(w) > 2)
    if len(target_words) >= 3:
        share = len(target_words)
        if any(len(target_words & words) / share >= _TOKEN_SHARE for _, words in part.texts):
            return True
    long_enough = _RESTATE_MIN_SHARE * len(target)
    return any(
        min(len(text), len(target)) >= long_enough and partial_ratio_reaches(target, text, _RESTATE_SCORE)
        for text, _ in part.texts
    )


def partial_ratio_reaches(a: str, b: str, cutoff: float) -> bool:
    """fuzz.partial_ratio(a, b) >= cutoff, without the costly call where it cannot be.

    partial_ratio scores the shorter text (n characters) against windows of
    the longer one, each at most n long, as 200·LCS/(n + window). An LCS
    with a window is at most the LCS l with any stretch of text containing
    it, and then the score is at most 200·l/(n + l). Every window lies inside
    one of the stretches longer[k·n : k·n + 2n], so when none of them has
    l >= cutoff·n/(200 − cutoff), no window reaches the cutoff. That LCS is
    computed bit-parallel in C, tens of times faster than partial_ratio with
    a needle over 64 characters (~60 µs); most paragraphs end here.
    """
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    if not n:
        return fuzz.partial_ratio(a, b, score_cutoff=cutoff) >= cutoff
    if short in long_:
        return True  # the shorter text is a window of the longer: a score of 100
    # Rounded down: a bound that errs lets the exact call decide, never skips it wrongly.
    needed = int(cutoff * n / (200 - cutoff))
    for start in range(0, max(1, len(long_) - n), n):
        if LCSseq.similarity(short, long_[start : start + 2 * n], score_cutoff=needed) >= needed:
            return fuzz.partial_ratio(a, b, score_cutoff=cutoff) >= cutoff
    return False


@document_cache(maxsize=16384)
def _comparable(text: str) -> str:
    """Folded words only: the form in which restatements, titles and copies are compared."""
    return _comparable_folded(fold(text))


def _comparable_folded(folded: str) -> str:
    # The runs of letters and digits joined by single spaces.
    return " ".join(word_runs(_LEADING_MARK.sub("", folded)))


def _comparable_runs(text: str) -> list[str]:
    """The words of _comparable(text)."""
    return word_runs(_LEADING_MARK.sub("", fold(text)))


def _aterges_i(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    ref: FieldRef = args[0]
    part = ref.value
    evidence = Evidence(values={"del": ref.field.label})
    if not isinstance(part, TextBlock) or not part.present:
        return None, evidence  # a missing part is another rule's business
    # Each part is asked about every item of its goal: prepare its paragraphs once.
    key = ("återges_i", id(part))
    cached = ctx.index.cache.get(key)
    if cached is None or cached[0] is not part:
        cached = ctx.index.cache[key] = (part, _restate_part(part.paragraphs))
    return _restated(ctx.node.obj, cached[1]), evidence


_register(Function(
    "återges_i", ("aterges_i", "restated_in", "följs_upp_i", "foljs_upp_i"),
    (Param("del", "field", "delen där resultatet ska tas upp, t.ex. arbetssätt"),),
    BOOL, _aterges_i,
    "Sant när det förväntade resultatet tas upp i delen: ett stycke börjar med dess nummer "
    "(”2.”), eller upprepar dess text (tolerant för små skillnader). Okänt när delen saknas.",
    "varje resultat: återges_i(arbetssätt)",
    entity_kinds=frozenset({"resultat"}),
    evidence=("del",),
))


# besvarar_numren(svar, frågor) ------------------------------------------------------------------


def _numbers(block: TextBlock) -> list[int]:
    if block.items and any(i.number is not None for i in block.items):
        return [i.number for i in block.items if i.number is not None]
    return [n for n in (paragraph_number(p.text) for p in block.paragraphs) if n is not None]


def _besvarar_numren(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    answer, questions = args
    if not isinstance(answer, TextBlock) or not isinstance(questions, TextBlock):
        return None, None
    asked, answered = _numbers(questions), _numbers(answer)
    if not asked or not answered:
        return None, None
    unanswered = sorted(set(asked) - set(answered))
    extra = sorted(set(answered) - set(asked))
    problems: list[str] = []
    if unanswered:
        noun = "resultat" if len(unanswered) > 1 else "resultat"
        problems.append(f"{noun} {swedish_list([str(n) for n in unanswered])} besvaras inte")
    if extra:
        problems.append(f"nummer {swedish_list([str(n) for n in extra])} finns inte bland de förväntade resultaten")
    evidence = Evidence(
        source=answer.source,
        values={
            "obesvarade": swedish_list([str(n) for n in unanswered]) or MISSING,
            "extra": swedish_list([str(n) for n in extra]) or MISSING,
            "avvikelse": "; ".join(problems) or MISSING,
        },
    )
    return not problems, evidence


_register(Function(
    "besvarar_numren", ("answers_numbers",),
    (Param("svar", "part", "den numrerade texten som svarar, t.ex. analys"),
     Param("frågor", "part", "den numrerade texten som ska besvaras, t.ex. förväntat resultat")),
    BOOL, _besvarar_numren,
    "Sant när varje nummer i frågor finns i svar och svar inte har några andra nummer. "
    "Okänt när någon av dem saknar numrering.",
    "besvarar_numren(analys, förväntat resultat)",
    evidence=("obesvarade", "extra", "avvikelse"),
))


# kopia_av_tidigare(fält, fraser) ------------------------------------------------------------------

_SHINGLE = 4
_MIN_SENTENCE_WORDS = 5
_MIN_TEXT_WORDS = 20
_SAME_SENTENCE = 90
_CANDIDATES = 8
_MAX_SENTENCES = 300


@dataclass(slots=True)
class _CopyEntry:
    node: Node
    sentences: list[str]
    text: str
    first_sentence: dict[str, Para]
    # The sentences long enough to count as copied, and their set.
    long_sentences: list[str]
    long_set: frozenset[str]
    words: int
    # The words of each sentence.
    tokens: list[list[str]]


def _copy_entry(node: Node, block: Any, standard: PhraseMatcher | None) -> _CopyEntry:
    kept = sentences_besides(as_paragraphs(block), standard)[:_MAX_SENTENCES]
    normalised: list[str] = []
    tokens: list[list[str]] = []
    where: dict[str, Para] = {}
    for sentence, paragraph in kept:
        runs = word_runs(_LEADING_MARK.sub("", sentence))  # _comparable_folded(sentence), split once
        if runs:
            key = " ".join(runs)
            normalised.append(key)
            tokens.append(runs)
            where.setdefault(key, paragraph)
    long_sentences = [key for key, runs in zip(normalised, tokens) if len(runs) >= _MIN_SENTENCE_WORDS]
    return _CopyEntry(node, normalised, " ".join(normalised), where, long_sentences, frozenset(long_sentences),
                      sum(map(len, tokens)), tokens)


def _shingles(sentences_: list[list[str]]) -> set[tuple[str, ...]]:
    """The runs of four words of each sentence (a sentence of two or three words is one run)."""
    found: set[tuple[str, ...]] = set()
    for tokens in sentences_:
        if len(tokens) < _SHINGLE:
            if len(tokens) >= 2:
                found.add(tuple(tokens))
            continue
        found.update(zip(tokens, tokens[1:], tokens[2:], tokens[3:]))
    return found


def _shared_sentences(this: _CopyEntry, other: _CopyEntry) -> list[str]:
    shared: list[str] = []
    others = other.long_sentences
    for sentence in this.long_sentences:
        if sentence in shared:
            continue
        # extractOne: the best of `others` at or above the cutoff, in one call, or None.
        if sentence in other.long_set or process.extractOne(
            sentence, others, scorer=fuzz.ratio, score_cutoff=_SAME_SENTENCE
        ) is not None:
            shared.append(sentence)
    return shared


def _copy_index(index: ReportIndex, kind: str, ref: FieldRef, standard: PhraseMatcher | None) -> dict[int, Evidence]:
    """For every node of `kind`, evidence that its text copies an earlier one's, if it does.

    Linear in the number of nodes: each text's word shingles are looked up in
    a map from shingle to the first node that had it, and only the few
    earlier nodes sharing most shingles are compared in detail.
    """
    results: dict[int, Evidence] = {}
    entries: list[_CopyEntry] = []
    first_seen: dict[tuple[str, ...], int] = {}
    for node in index.by_kind.get(kind, []):
        entry = _copy_entry(node, ref.field.get(node), standard)
        shingles = _shingles(entry.tokens)
        candidates = Counter(map(first_seen.get, shingles))
        candidates.pop(None, None)
        best: tuple[float, int, Evidence] | None = None
        # The earlier texts sharing most runs of words, the earliest first among equals.
        for position, _count in heapq.nsmallest(_CANDIDATES, candidates.items(), key=_most_shared):
            evidence = _compare_copy(entry, entries[position])
            if evidence is not None:
                score = float(str(evidence.values.get("_score", "0")))
                if best is None or score > best[0] or (score == best[0] and position < best[1]):
                    best = (score, position, evidence)
        if best is not None:
            evidence = best[2]
            evidence.values.pop("_score", None)
            results[node.order] = evidence
        # set.difference with the dict itself looks each shingle up (with its keys view it walked the dict).
        first_seen.update(dict.fromkeys(shingles.difference(first_seen), len(entries)))
        entries.append(entry)
    return results


def _most_shared(item: tuple[int, int]) -> tuple[int, int]:
    position, count = item
    return -count, position


def _compare_copy(this: _CopyEntry, other: _CopyEntry) -> Evidence | None:
    shared = _shared_sentences(this, other)
    ratio = 0.0
    if this.words >= _MIN_TEXT_WORDS and other.words >= _MIN_TEXT_WORDS:
        ratio = fuzz.ratio(this.text, other.text) / 100
    if len(shared) < 2 and ratio < 0.8:
        return None
    paragraph = this.first_sentence.get(shared[0]) if shared else None
    quote_para = paragraph or (next(iter(this.first_sentence.values()), None))
    return Evidence(
        source=quote_para.source if quote_para else None,
        quote=shorten(quote_para.text, 110) if quote_para else None,
        values={
            "förlaga": shorten(other.node.title or MISSING, 80),
            "likhet": f"{round(max(ratio, 0.0) * 100)} %",
            "meningar": str(len(shared)),
            "_score": str(len(shared) + ratio),
        },
    )


def _kopia_av_tidigare(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    ref, standard = args
    key = ("kopia", ctx.node.kind, ref.field.id, id(standard))
    results = ctx.index.cache.get(key)
    if results is None:
        results = ctx.index.cache[key] = _copy_index(ctx.index, ctx.node.kind, ref, standard)
    evidence = results.get(ctx.node.order)
    return evidence is not None, evidence


_register(Function(
    "kopia_av_tidigare", ("kopierad", "copy_of_earlier"),
    (Param("fält", "own_field", "texten som jämförs, t.ex. analys"),
     Param("fraser", "phrases", "meningar med dessa fraser räknas inte (standardmeningar)")),
    BOOL, _kopia_av_tidigare,
    "Sant när texten är en kopia av samma fält hos ett tidigare mål av samma slag i dokumentet: "
    "minst två likadana meningar (utöver dem med fraserna, minst fem ord långa) eller minst 80 % "
    "likhet i stort. Namnger det tidigare målet i {förlaga}.",
    "inget enhetsmål där kopia_av_tidigare(analys, mina_fraser)",
    evidence=("förlaga", "likhet", "meningar"),
))


# upprepad(fält) ---------------------------------------------------------------------------------


def _upprepad(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    ref: FieldRef = args[0]
    node = ctx.node
    parent = node.parent
    key = ("upprepad", id(parent), node.kind, ref.field.id)
    seen = ctx.index.cache.get(key)
    if seen is None:
        seen = {}
        for sibling in ctx.index.siblings(node):
            text = _comparable(as_text(ref.field.get(sibling)))
            if text:
                seen.setdefault(text, sibling)
        ctx.index.cache[key] = seen
    text = _comparable(as_text(ref.value))
    first = seen.get(text) if text else None
    if first is None or first is node:
        return False, None
    return True, Evidence(values={"förlaga": shorten(first.title or MISSING, 80)})


_register(Function(
    "upprepad", ("dubblett", "duplicate"),
    (Param("fält", "own_field", "fältet som jämförs, t.ex. titel"),),
    BOOL, _upprepad,
    "Sant när ett tidigare syskon (samma slag, under samma mål) har samma värde i fältet, "
    "oberoende av skiftläge, diakritiska tecken och skiljetecken.",
    "ingen aktivitet där upprepad(titel)",
    evidence=("förlaga",),
))


# syskon("namn") ---------------------------------------------------------------------------------


def _syskon(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    wanted: str = args[0]
    node = ctx.node
    matches = [
        other for other in ctx.index.siblings(node)
        if other is not node and names_alike(other.title, wanted)
    ]
    if not matches:
        return None, None
    period = fold(getattr(node.obj, "period", None) or "")
    same_period = [m for m in matches if fold(getattr(m.obj, "period", None) or "") == period]
    return (same_period or matches)[0], None


_register(Function(
    "syskon", ("sibling",),
    (Param("namn", "string", "syskonets namn; jämförs tolerant mot skiftläge, mellanslag och små stavfel"),),
    None, _syskon,
    "Ett annat syskon av samma slag under samma mål med det namnet (helst samma period), "
    "eller ingenting. Används med punkt: syskon(\"Totalen\").utfall.",
    "utfall <= syskon(\"Totalen\").utfall",
))


# summa(…) ---------------------------------------------------------------------------------------


def _summa(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    total = 0.0
    for value in args:
        if value is None or (isinstance(value, Value) and value.is_empty):
            continue
        number = as_number(value)
        if number is None:
            return None, None  # text in a number cell: nothing can be said
        total += number
    return total, None


_register(Function(
    "summa", ("sum",), (Param("värde", "number", "tabellvärden eller tal; tomma celler räknas som 0"),),
    NUMBER, _summa,
    "Summan av värdena; tomma celler räknas som 0. Okänd om en cell innehåller text i stället för ett tal.",
    "summa(t1, t2, vb) = summa(totalt)",
    variadic=True,
))


# likhet(a, b) ---------------------------------------------------------------------------------------


def _likhet(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    a, b = (_comparable(as_text(v)) for v in args)
    if not a or not b:
        return None, None
    return fuzz.ratio(a, b) / 100, None


_register(Function(
    "likhet", ("similarity",),
    (Param("a", "text", "den ena texten"), Param("b", "text", "den andra texten")),
    NUMBER, _likhet,
    "Hur lika två texter är, från 0 (inget gemensamt) till 1 (likadana), oberoende av skiftläge och skiljetecken.",
    "likhet(analys, förväntat resultat) < 0.9",
))


# samma_lydelse(a, b) ----------------------------------------------------------------------------


def same_wording(a: str, b: str) -> bool:
    """The same words in the same order, tolerant of case, diacritics, punctuation and OCR errors.

    Scanned documents garble letters even in short words ("fbr" for "för",
    "k6per", "Uppfbljning"), so a word of three letters or more may differ by
    one letter and one of eight or more by two; numbers and shorter words
    must agree. A word split in two ("Sjukfrånvar o") is the same wording; a
    word added, dropped or replaced is not.
    """
    x, y = _ocr_tokens(a), _ocr_tokens(b)
    if x == y or "".join(x) == "".join(y):
        return True
    if len(x) != len(y):
        return False
    return all(_same_word(u, v) for u, v in zip(x, y, strict=True))


def _same_word(u: str, v: str) -> bool:
    if u == v:
        return True
    shortest = min(len(u), len(v))
    if shortest < 3 or u.isdigit() or v.isdigit():
        return False
    allowed = 2 if shortest >= 8 else 1
    return Levenshtein.distance(u, v, score_cutoff=allowed) <= allowed


def _samma_lydelse(ctx: CallContext, args: tuple[Any, ...]) -> tuple[Any, Evidence | None]:
    a, b = (as_text(v) for v in args)
    if not a.strip() or not b.strip():
        return None, None
    return same_wording(a, b), None


_register(Function(
    "samma_lydelse", ("same_wording", "ordagrant"),
    (Param("a", "text", "den ena texten"), Param("b", "text", "den andra texten")),
    BOOL, _samma_lydelse,
    "Sant när två texter har samma ord i samma ordning, oberoende av skiftläge, diakritiska tecken och "
    "skiljetecken; i ord på tre bokstäver eller mer tåls ett felläst tecken, i ord på åtta eller mer två "
    "(inskannade dokument). "
    "Okänt när någon av texterna saknas.",
    "samma_lydelse(titel, titel i planen)",
))
