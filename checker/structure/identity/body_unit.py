"""The unit's name from the body, for a file with no front page and no header that names it.

The body names its unit in a few recurring ways:

* the planning system's analysis rows: "Analys" / the unit's name / the text;
* the first sentences about the unit: "Hägersten-Älvsjö hemtjänst ska
  erbjuda …", "… består av …";
* "vårt arbete på Aspuddens hemtjänst".

A name found this way must look like a unit's: a proper name beside a word
for the kind of unit a stadsdelsförvaltning runs (hemtjänst, förskola,
boende …), so that "Alla medarbetare ska …" or "Enheterna inom
äldreomsorgen" is never taken for one. Each sighting is a weak clue;
the name that recurs wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from checker.reading.blocks import Block, ParagraphBlock, TableBlock
from checker.structure.identity.clues import Clue
from checker.structure.identity.unit import is_template_heading, is_unit_candidate
from checker.text import fold_ocr

# What a unit of a stadsdelsförvaltning is called: the head word of its name (folded, as a stem).
_UNIT_NOUN = re.compile(
    r"(?:hemtjanst|forskol[ae]|boende|servicehus|bostad|assistans|enhet|fritidsgard|familjecentral|mottagning"
    r"|traffpunkt|oppenvard|bibliotek|skol[ae]|dagcenter|dagverksamhet|boendestod|korttidsvard|socialpsykiatri"
    r"|parklek|ungdomsgard|hem)(?:en|et|n|na|er|erna|ar|arna|or|orna)?$"
)
# The noun may close a compound: "äldreboende", "korttidshem", "Solrosens förskola".
_UNIT_NOUN_ANYWHERE = re.compile(_UNIT_NOUN.pattern.rstrip("$"))


def _is_unit_noun(word: str) -> bool:
    return _UNIT_NOUN.search(fold_ocr(word)) is not None
_SUBJECT_VERBS = frozenset({"ska", "skall", "bestar", "ar", "har", "arbetar", "erbjuder", "bedriver", "ansvarar", "driver", "utfor", "ger"})
_PREPOSITION = re.compile(r"\b(?:p[åa]|inom|vid|hos)\s+(?P<name>[A-ZÅÄÖ][\w]+(?:-\s?[A-ZÅÄÖ][\w]+)?\s+[\w]+)")
_ANALYS_RUN_IN = re.compile(r"^analys\s+(?P<name>.{3,60}?)\s+analys\b", re.IGNORECASE)
_SIGHTING = 0.15
_MAX_SIGHTINGS = 5
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def body_unit_clues(blocks: Sequence[Block]) -> list[Clue]:
    sightings: dict[str, list[str]] = {}
    for name, where in _sightings(blocks):
        sightings.setdefault(_spelling(name), []).append(where)
    clues = []
    for name, places in sightings.items():
        for where in places[:_MAX_SIGHTINGS]:
            clues.append(Clue("unit", name, "innehall", where, _SIGHTING))
    return clues


def _sightings(blocks: Sequence[Block]) -> Iterator[tuple[str, str]]:
    for block in blocks:
        if isinstance(block, TableBlock):
            for row in block.rows:
                if len(row) == 1 or len({cell.text for cell in row}) == 1:
                    yield from _in_analysis(row[0].raw)
        elif isinstance(block, ParagraphBlock):
            folded = fold_ocr(block.text)
            # Most paragraphs name no kind of unit at all: one search rules them out.
            if _UNIT_NOUN_ANYWHERE.search(folded) is None:
                continue
            if folded.startswith("analys "):
                yield from _in_analysis(block.raw)
            yield from _in_sentences(block.text)


def _in_analysis(raw: str) -> Iterator[tuple[str, str]]:
    """"<p>Analys</p> <p>Aspuddens hemtjänst</p> …", "Analys Aspuddens hemtjänst Analys …", "Analys\nAspuddens hemtjänst"."""
    pieces = [piece.strip() for piece in re.split(r"</?p>|\n", raw) if piece.strip()]
    if len(pieces) >= 2 and fold_ocr(pieces[0]) == "analys":
        name: str | None = pieces[1]
    else:
        run_in = _ANALYS_RUN_IN.match(pieces[0] if pieces else "")
        name = run_in.group("name") if run_in is not None else _name_run_in(pieces[0] if pieces else "")
    if name is not None and _unit_like(name):
        yield name, f"innehållet: en analysrad under namnet ”{name}”"


def _name_run_in(text: str) -> str | None:
    """"Analys Aspuddens hemtjänst Enheterna arbetar …" (the cell's lines run together): the unit's words."""
    words = text.split()
    if not words or fold_ocr(words[0]) != "analys":
        return None
    for end in range(3, min(7, len(words) + 1)):
        if _is_unit_noun(words[end - 1]) and _unit_like(" ".join(words[1:end])):
            return " ".join(words[1:end])
    return None


def _in_sentences(text: str) -> Iterator[tuple[str, str]]:
    for sentence in _SENTENCE_SPLIT.split(text):
        words = sentence.split()
        for end in range(2, min(5, len(words))):
            if fold_ocr(words[end]) in _SUBJECT_VERBS:
                name = " ".join(words[:end])
                if _unit_like(name):
                    yield name, f"innehållet: ”{name} {words[end]} …”"
                break
        for match in _PREPOSITION.finditer(sentence):
            if _unit_like(match.group("name")):
                yield match.group("name"), f"innehållet: ”… {match.group()} …”"


@lru_cache(maxsize=4096)  # the same names recur in every analysis row and sentence
def _unit_like(name: str) -> bool:
    """A unit's kind of name: a unit noun first or last, and a proper name beside it.

    The proper name is capitalised throughout, and the word next to the noun
    is a place in the genitive ("Aspuddens hemtjänst"), a compound place
    ("Hägersten-Älvsjö hemtjänst"), or the name after the noun ("Förskolan
    Solrosen"): a capitalised sentence start ("Resursanvändning för
    hemtjänsten") is none of those.
    """
    name = _spelling(name)
    words = name.split()
    if not 2 <= len(words) <= 5 or any(not word[:1].isalpha() for word in words):
        return False
    if is_template_heading(words[0]):
        return False  # "Analys Enheter har …": a label run into the text
    if _is_unit_noun(words[-1]):
        others, beside = words[:-1], words[-2]
        named = beside.endswith("s") or "-" in beside
    elif _is_unit_noun(words[0]):
        others, named = words[1:], True
    else:
        return False
    return named and all(word[:1].isupper() for word in others) and is_unit_candidate(name)


def _spelling(name: str) -> str:
    """One spelling per name: "Hägersten- Älvsjö hemtjänst" → "Hägersten-Älvsjö hemtjänst"."""
    return re.sub(r"(\w)-\s+(\w)", r"\1-\2", name.strip(" ,;:"))
