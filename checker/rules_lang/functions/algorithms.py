"""The text algorithms the built-in functions share: standard phrases (PhraseMatcher), sentences,
words beside the standard phrases, and comparing two texts (partial ratio, same wording).

Nothing here knows a function name or a rule; the functions in checker.rules_lang.functions.builtin
call these."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq, Levenshtein

from checker.rules_lang.vocabulary import Para, as_paragraphs
from checker.text import document_cache, fold, fold_ocr, similar, words


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
_LEADING_MARK = re.compile(r"^\s*(?:\d{1,2}\s?[.)](?!\d(?![a-zåäöA-ZÅÄÖ]))|[-–—•·▪*]|[\ue000-\uf8ff])+\s*")


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


# --- comparing texts ------------------------------------------------------------------


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


def _restatable_runs(text: str) -> list[str]:
    """The words of a result or its restatement, with a scan's letter/digit swaps undone ("0kat" → "okat")."""
    return word_runs(fold_ocr(_LEADING_MARK.sub("", text)))


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
