"""Documents that are recognisably not a plan or report: protocols, letters, a bare tjänsteutlåtande.

A shared folder also holds the nämnd's protocol that mentions "§ 3
Tertialrapport 1 2025 för …", a covering letter, or the tjänsteutlåtande
without the report it proposes. They are only judged so when the document has
no goal structure at all: a plan or report with goals is a plan or report,
whatever else it quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from checker.text import fold_ocr

_PARAGRAPH_MARK = re.compile(r"^§\s*\d+")
_PROTOCOL_WORDS = re.compile(r"\b(?:protokoll|protokollsutdrag|justera(?:s|t|re)?|justering|narvarande|ordforande|sekreterare|sammantrade)\b")
_LETTER_WORDS = re.compile(r"^(?:hej|med vanlig(?:a)? halsning(?:ar)?|vanliga halsningar|halsningar|varma halsningar|mvh)\b")
_TJANSTEUTLATANDE_WORDS = re.compile(r"^(?:forslag till beslut|arendet|bakgrund|forvaltningens forslag|beredning)\b")


@dataclass(frozen=True, slots=True)
class Other:
    """What the document is instead ("ett protokoll"), and what gave it away."""

    what: str
    evidence: tuple[str, ...]


def recognise_other(lines: Sequence[str]) -> Other | None:
    """For a document without goals: a protocol, a letter or a bare tjänsteutlåtande, or None."""
    folded = [fold_ocr(line).strip() for line in lines if line.strip()]
    marks = [line for line, key in zip(lines, folded) if _PARAGRAPH_MARK.match(key)]
    protocol = [line for line, key in zip(lines, folded) if _PROTOCOL_WORDS.search(key) and len(key) <= 80]
    if protocol and (marks or len(protocol) >= 2):
        return Other("ett protokoll", tuple(_quote(line) for line in [*protocol, *marks][:3]))
    letter = [line for line, key in zip(lines, folded) if _LETTER_WORDS.match(key)]
    if letter:
        return Other("ett brev", tuple(_quote(line) for line in letter[:3]))
    if any(key.startswith("tjansteutlatande") for key in folded):
        headings = [line for line, key in zip(lines, folded) if _TJANSTEUTLATANDE_WORDS.match(key)]
        if headings:
            return Other(
                "ett tjänsteutlåtande utan själva planen eller rapporten",
                tuple(_quote(line) for line in ["Tjänsteutlåtande", *headings][:3]),
            )
    return None


def _quote(line: str) -> str:
    text = line.strip()
    return f"”{text[:60]}…”" if len(text) > 60 else f"”{text}”"
