"""Förväntat resultat as a list of items.

An item is one numbered entry ("1. …", "2) …", or Word's automatic
numbering), one bullet, or — when neither numbers nor bullets are used — one
paragraph. Un-numbered paragraphs between numbered entries continue the entry
above them (an item that runs over two paragraphs).
"""

from __future__ import annotations

import re

from checker.model import Part, ResultItem

_NUMBERED = re.compile(r"^\s*(\d{1,2})\s?[.)]\s*(?=\S)")
_BULLET = re.compile(r"^\s*(?:[-–—•·▪*o]|[\ue000-\uf8ff])\s+")


def starts_with_marker(text: str) -> bool:
    """True when a paragraph starts with a typed number or bullet."""
    return bool(_NUMBERED.match(text) or _BULLET.match(text))


def result_items(part: Part | None) -> list[ResultItem]:
    if part is None:
        return []
    found: list[ResultItem] = []
    for paragraph in part.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        number = _NUMBERED.match(text)
        if number is not None:
            found.append(
                ResultItem(number=int(number.group(1)), marker="number", text=text[number.end():].strip(), source=paragraph.source)
            )
            continue
        bullet = _BULLET.match(text)
        if bullet is not None or paragraph.marker == "•":
            body = text[bullet.end():].strip() if bullet else text
            found.append(ResultItem(marker="bullet", text=body, source=paragraph.source))
            continue
        if found and found[-1].marker == "number":
            found[-1] = found[-1].model_copy(update={"text": f"{found[-1].text} {text}"})
            continue
        found.append(ResultItem(marker="paragraph", text=text, source=paragraph.source))
    return found
