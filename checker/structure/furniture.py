"""Page furniture that a PDF or scan round trip leaves in the body text.

Page headers and footers ("Tjänsteutlåtande", "Sid 7 (14)", "start.stockholm",
a phone number, the unit's street address) end up as paragraphs of their own
or in the middle of a paragraph. They are removed before structure is
recognised so that they neither break a goal apart nor count as analysis.
"""

from __future__ import annotations

import re

from checker.text import document_cache, fold_ocr

_FURNITURE_LINE = re.compile(
    r"""^(?:
        tjansteutlatande
      | sid(?:a)?\s*\d+\s*(?:\(\s*\d+\s*\)|av\s*\d+)?
      | \d+\s*\(\s*\d+\s*\)
      | start\.stockholm
      | stockholm\.se
      | \d{2,4}-\d{2,3}\s?\d{2}\s?\d{2,3}\s?\d{0,3}
      | dnr:?\s*\S+(?:\s\d{4}/\d+)?
      | \d{1,3}
    )$""",
    re.VERBOSE,
)
# Furniture glued into running text ("… insatserna Tjänsteutlåtande Sid 7 (14) erbjuds …").
_INLINE = re.compile(r"\s*\b(?:Tj[aä]nsteutl[aå]tande|Tjansteutlatande)\b\s*|\s*\bSid(?:a)?\s+\d+\s*\(\s*\d+\s*\)\s*|\s*\bstart\.stockholm\b\s*", re.IGNORECASE)


@document_cache(maxsize=65536)  # asked of every paragraph twice (finding repeated lines, then preparing)
def is_furniture(text: str) -> bool:
    folded = fold_ocr(text).strip()
    if not folded:
        return False
    return bool(_FURNITURE_LINE.match(folded))


# What every match of _INLINE contains, without its leading "\s*\b" that the
# regex engine tries at every position: searched first, it rules out the
# long paragraphs that merely mention a "hemtjänst" in a few microseconds.
_INLINE_CORE = re.compile(r"Tj[aä]nsteutl[aå]tande|Tjansteutlatande|Sid(?:a)?\s+\d|start\.stockholm", re.IGNORECASE)


def strip_inline_furniture(text: str) -> str:
    """Remove page-header phrases glued into a paragraph's text."""
    lowered = text.lower()
    if "tj" not in lowered and "sid" not in lowered and "start.stockholm" not in lowered:
        return text
    if _INLINE_CORE.search(text) is None:
        return text.strip()  # what the substitution gives when nothing matches
    return _INLINE.sub(" ", text).strip()
