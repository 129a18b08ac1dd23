"""The built-in function besvarar_numren(svar, frågor)."""

from __future__ import annotations

from typing import Any

from checker.rules_lang.errors import swedish_list
from checker.rules_lang.functions.evidence import Evidence, MISSING
from checker.rules_lang.functions.registry import CallContext, Function, Param, register
from checker.rules_lang.vocabulary import BOOL, TextBlock, paragraph_number


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


register(Function(
    "besvarar_numren", ("answers_numbers",),
    (Param("svar", "part", "den numrerade texten som svarar, t.ex. analys"),
     Param("frågor", "part", "den numrerade texten som ska besvaras, t.ex. förväntat resultat")),
    BOOL, _besvarar_numren,
    "Sant när varje nummer i frågor finns i svar och svar inte har några andra nummer. "
    "Okänt när någon av dem saknar numrering.",
    "besvarar_numren(analys, förväntat resultat)",
    evidence=("obesvarade", "extra", "avvikelse"),
))
