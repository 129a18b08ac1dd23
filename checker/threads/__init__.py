"""Threads: one unit's year, followed from the plan through the reports.

Each unit writes a Verksamhetsplan (VP) for year N, then Tertialrapport 1
and 2 and a Verksamhetsberättelse (VB) for the same year. Those documents
form a *thread*; the same enhetsmål, förväntade resultat, indicators and
activities should run through all of them.

    grouping   documents → threads by unit and year (what the documents say,
               or [trad] in malkoll.toml); documents that fit no thread are
               kept with a Swedish reason
    matching   each goal, result item, indicator and activity of one document
               paired with its counterpart in another, with a confidence;
               leftovers kept on both sides
    links      a thread as the rule language sees it (checker.rules_lang's
               ThreadLinks): "årsmål i planen", "varje enhetsmål i planen"
    stage      `malkoll check` of a folder: the thread rules (TR…) run on the
               later documents once every document of the folder is read
    view       the goals × documents table, JSON and the overview's section

Nothing here knows any rule: the cross-document requirements are written in
the rule language (rules/trad.rules).
"""

from __future__ import annotations

from checker.threads.grouping import (
    ROLES,
    DocInfo,
    Grouping,
    Override,
    Thread,
    Unplaced,
    group_documents,
)

__all__ = ["ROLES", "DocInfo", "Grouping", "Override", "Thread", "Unplaced", "group_documents"]
