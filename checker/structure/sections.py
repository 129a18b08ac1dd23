"""The template's section headings outside the goal hierarchy.

Hand-edited and scanned documents lose heading styles, so the section
headings the city template uses are known by name, with the sub-headings each
one normally has. Headings that are not in the template are still recognised
when they *look* like headings (heading style, or a short all-bold line),
but only outside the goals, where such a line cannot be part of a goal's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.text import SimilarLabels, document_cache, fold_ocr, similar

# Top-level section → the sub-headings the template puts under it.
_TEMPLATE: dict[str, tuple[str, ...]] = {
    "sammanfattande analys": ("medarbetarnas delaktighet", "kvalitets- och utvecklingsarbete", "kompetensutveckling"),
    "inledning": ("enhetens uppdrag", "utvecklingsomraden", "organisationsbeskrivning", "verksamhetsbeskrivning", "medarbetarnas delaktighet"),
    "medarbetarnas delaktighet": (),
    "uppfoljning av kommunfullmaktiges inriktningsmal": (),
    "uppfoljning av ekonomi": (
        "analys av resultatrakning",
        "investeringar",
        "medel for lokalandamal",
        "ovrigt",
    ),
    "redovisning av ekonomi": ("resursanvandning", "budget", "ovrigt"),
    "ekonomi": ("resursanvandning", "budget", "investeringar"),
    "systematiskt kvalitetsarbete": (
        "arbetet med kvalitetsprogrammet",
        "systematiskt kvalitetsarbete enligt",
        "personalens medverkan i kvalitetsarbetet",
    ),
    "ovrigt": ("agenda",),
    "agenda": (),
    "redovisning av synpunkter och klagomal": ("redovisning av synpunkter och klagomal",),
    "innehallsforteckning": (),
}
# The same names, for the length-first lookups below (see SimilarLabels).
_TOP_LEVEL = SimilarLabels(_TEMPLATE, 0.12)
_ANY_CHILD = SimilarLabels([child for children in _TEMPLATE.values() for child in children], 0.12)
_TRAILING_YEAR = re.compile(r"\s*(?:19|20)\d{2}\s*$")
_TRAILING_DOTS = re.compile(r"[\s.…]+$")
_LEADING_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+")


@document_cache(maxsize=8192)  # asked about the same line several times per document
def section_key(text: str) -> str:
    """Folded heading without trailing year or dot leaders: "Budget 2024" → "budget"."""
    folded = fold_ocr(text)
    # The trailing patterns are only tried where they can match: searched over
    # every line of a document they cost more than the rest of the key.
    if folded[-1:].isspace() or folded[-1:] in (".", "…"):
        folded = _TRAILING_DOTS.sub("", folded)
    folded = _LEADING_NUMBER.sub("", folded)
    if folded[-1:].isdecimal() or folded[-1:].isspace():
        folded = _TRAILING_YEAR.sub("", folded)
    return folded.strip(" :")


@dataclass(frozen=True, slots=True)
class KnownHeading:
    key: str
    top_level: bool


@document_cache(maxsize=8192)  # asked about the same line several times per document
def match_top_level(text: str) -> str | None:
    """The template key of a top-level section heading, or None."""
    key = section_key(text)
    if len(key) > 60:
        return None
    return _TOP_LEVEL.first(key)


@document_cache(maxsize=8192)  # asked about the same line several times per document
def match_child(text: str, parent_key: str | None) -> str | None:
    """The template key of `text` if it is a known sub-heading of `parent_key`."""
    if parent_key is None:
        return None
    key = section_key(text)
    for child in _TEMPLATE.get(parent_key, ()):
        if similar(key, child, 0.12) or (key.startswith(child) and len(child) > 20):
            return child
    return None


@document_cache(maxsize=8192)  # asked about the same line several times per document
def is_known_heading(text: str) -> bool:
    """Any heading the template uses, at any level."""
    if match_top_level(text):
        return True
    key = section_key(text)
    return _ANY_CHILD.first(key) is not None


def is_goal_container(key: str) -> bool:
    """The heading that wraps the goal hierarchy ("Uppföljning av Kommunfullmäktiges inriktningsmål")."""
    return key == "uppfoljning av kommunfullmaktiges inriktningsmal"
