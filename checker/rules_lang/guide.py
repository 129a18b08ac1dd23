"""The user guide's lists of nouns, fields and functions, written from the registry.

docs/regelsprak.md §5 (Saker och fält) and §8 (Inbyggda funktioner) hold
blocks between two markers that this module writes from the vocabulary
(ENTITIES, ENUMS) and the functions (FUNCTIONS), so the guide names exactly
the words the language accepts. tests/test_guide.py fails when the committed
guide differs from what this writes; to bring it up to date:

    python -m checker.rules_lang.guide docs/regelsprak.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from checker.rules_lang.functions import FUNCTIONS, Function
from checker.rules_lang.vocabulary import ENTITIES, ENUMS, Base, EntityDef, FieldDef, Type, name_key

BEGIN = "<!-- genererat: {name} (python -m checker.rules_lang.guide docs/regelsprak.md; ändra inte för hand) -->"
END = "<!-- slut: {name} -->"
_KIND_WORDS = {
    Base.TEXT: "text",
    Base.PART: "textdel",
    Base.VALUE: "tabellvärde",
    Base.NUMBER: "tal",
    Base.DATE: "datum",
    Base.BOOL: "sant/falskt/okänt",
}


def kind_words(type_: Type | None) -> str:
    """A field's or a function's kind as the guide's tables name it."""
    if type_ is None:
        return "en sak av samma slag"
    if type_.base is Base.ENUM and type_.ref in ENUMS:
        return "fast lista: " + ", ".join(f'`"{word}"`' for word in ENUMS[type_.ref].spellings())
    if type_.base is Base.ENTITY:
        return f"sak ({ENTITIES[type_.ref].label})" if type_.ref in ENTITIES else "sak"
    if type_.base is Base.ENTITIES:
        return f"lista av {ENTITIES[type_.ref].label}" if type_.ref in ENTITIES else "lista"
    return _KIND_WORDS[type_.base]


def _other_names(label: str, aliases: tuple[str, ...]) -> list[str]:
    """The aliases that are not just another spelling of the label (case, accents, punctuation)."""
    seen = {name_key(label)}
    names = []
    for alias in aliases:
        key = name_key(alias)
        if key not in seen:
            seen.add(key)
            names.append(alias)
    return names


def _named(label: str, aliases: tuple[str, ...]) -> str:
    others = _other_names(label, aliases)
    return f"`{label}`" + (f" ({', '.join(f'`{a}`' for a in others)})" if others else "")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "…")) else text + "."


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def entity_section(entity: EntityDef) -> str:
    others = _other_names(entity.label, entity.aliases)
    heading = f"### {entity.label}" + (f" ({', '.join(f'`{a}`' for a in others)})" if others else "")
    rows = [_field_row(field) for field in entity.fields.values()]
    return "\n".join([
        heading, "", _sentence(entity.doc), "",
        "| fält | slag | innehåll |", "|---|---|---|", *rows,
    ])


def _field_row(field: FieldDef) -> str:
    return f"| {_cell(_named(field.label, field.aliases))} | {_cell(kind_words(field.type))} | {_cell(field.doc)} |"


def entities_markdown() -> str:
    """§5: every noun of the language, its other names and its fields."""
    return "\n\n".join(entity_section(entity) for entity in ENTITIES.values())


def _signature(function: Function) -> str:
    params = ", ".join(param.name for param in function.params)
    if function.variadic:
        params += ", …"
    return f"{function.name}({params})"


def _function_row(function: Function) -> str:
    text = _sentence(function.doc)
    others = _other_names(function.name, function.aliases)
    if others:
        text += " Kan också skrivas " + ", ".join(f"`{a}`" for a in others) + "."
    if function.evidence:
        text += " Fyller " + ", ".join(f"`{{{name}}}`" for name in function.evidence) + "."
    if function.example:
        text += f" Exempel: `{function.example}`"
    return f"| `{_signature(function)}` | {_cell(kind_words(function.returns))} | {_cell(text)} |"


def functions_markdown() -> str:
    """§8: every built-in function, what it gives and what it does, with an example."""
    rows = [_function_row(function) for function in FUNCTIONS.values()]
    return "\n".join(["| funktion | ger | beskrivning |", "|---|---|---|", *rows])


BLOCKS = {"saker och fält": entities_markdown, "inbyggda funktioner": functions_markdown}


def _block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(BEGIN.format(name=name)) + r"\n.*?\n" + re.escape(END.format(name=name)), re.S)


def generated(guide: str) -> str:
    """The guide's text with every generated block written anew."""
    for name, make in BLOCKS.items():
        pattern = _block_pattern(name)
        if not pattern.search(guide):
            raise ValueError(f"Regelspråkets guide saknar markeringarna för ”{name}”.")
        block = f"{BEGIN.format(name=name)}\n\n{make()}\n\n{END.format(name=name)}"
        guide = pattern.sub(lambda _match: block, guide, count=1)
    return guide


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("användning: python -m checker.rules_lang.guide docs/regelsprak.md\n")
        return 2
    path = Path(argv[0])
    text = path.read_text(encoding="utf-8")
    path.write_text(generated(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
