"""Property-based tests: the recogniser survives any sequence of plausible and implausible lines."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.reading.blocks import Cell, DocumentContent, ParagraphBlock, Run, TableBlock
from checker.structure.recognizer import recognise

_LINES = [
    "Verksamhetsberättelse 2025",
    "KF:s inriktningsmål: 1. Ett Stockholm",
    "KF:s mål för verksamhetsområdet: 1.4 Stockholm ska",
    "Nämndmål: Äldre har ett tryggt liv",
    "Enhetsmål: Enheten arbetar",
    "Enhetsmal: Omradesmal:",
    "Enhetsmål:",
    "— Inga data",
    "Uppfylls helt",
    "Förväntat resultat",
    "Forvantat resultat: 1. Något",
    "Arbetssätt",
    "Uppfbljning",
    "Analys",
    "Analys av resultaträkning",
    "Sammanfattande analys",
    "Redovisning av ekonomi",
    "Budget 2024",
    "Innehållsförteckning",
    "Övrigt\t19",
    "1. Ett resultat.",
    "- en punkt",
    "fortsättning på raden",
    "Tjänsteutlåtande",
    "Sid 7 (14)",
    "Indikator\tPeriodens utfall\tÅrsmål",
    "Andel nöjda\t70 %\t75 %",
    "Aktivitet\tStartdatum\tSlutdatum",
    "Utbilda\t2025-01-01\t2024-01-01",
    "Uppdelning\tKlagomål\tUtfall T1\tTotalt ack",
    "",
]


def _paragraph(index: int, text: str, bold: bool, level: int | None) -> ParagraphBlock:
    return ParagraphBlock(
        block=index,
        paragraph=index,
        raw=text,
        text=text.replace("\t", " "),
        style="Normal",
        heading_level=level,
        runs=[Run(text, bold, False)],
    )


def _table(index: int, rows: list[list[str]]) -> TableBlock:
    cells = [[Cell(r, c, 1, text, text) for c, text in enumerate(row)] for r, row in enumerate(rows)]
    return TableBlock(block=index, table=index, rows=cells, columns=max((len(r) for r in rows), default=0))


_block = st.one_of(
    st.tuples(st.sampled_from(_LINES) | st.text(max_size=40), st.booleans(), st.sampled_from([None, 1, 2, 3])),
    st.lists(st.lists(st.sampled_from(["Indikator", "Aktivitet", "Analys x", "70 %", "", "Årsmål", "2025-01-01"]), min_size=1, max_size=4), max_size=5),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_block, max_size=40))
def test_recognise_never_crashes(spec: list) -> None:
    blocks = []
    for index, item in enumerate(spec):
        if isinstance(item, tuple):
            blocks.append(_paragraph(index, *item))
        else:
            blocks.append(_table(index, item))
    report = recognise(DocumentContent(path=Path("x.docx"), blocks=blocks))
    for goal in report.all_enhetsmal():
        assert goal.source.block < len(blocks)
        for item in goal.forvantat_resultat:
            assert item.text
