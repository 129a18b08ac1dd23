"""The built-in function kopia_av_tidigare(fält, fraser)."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from checker.rules_lang.functions.algorithms import (
    PhraseMatcher,
    _LEADING_MARK,
    sentences,
    sentences_besides,
    word_runs,
)
from checker.rules_lang.functions.evidence import Evidence, MISSING
from checker.rules_lang.functions.registry import CallContext, FieldRef, Function, Param, register
from checker.rules_lang.runtime import Node, ReportIndex
from checker.rules_lang.vocabulary import BOOL, Para, as_paragraphs
from checker.display import shorten
from checker.text import words


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
        quote=shorten(quote_para.text, 110, keep_controls=True) if quote_para else None,
        values={
            "förlaga": shorten(other.node.title or MISSING, 80, keep_controls=True),
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


register(Function(
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
