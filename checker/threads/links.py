"""A thread as the rule language sees it.

The rule language follows a goal from one document to another through the
small `ThreadLinks` interface ("årsmål i planen", "varje enhetsmål i
planen"). This module implements it over the documents of one thread: it
builds each document's node tree once, marks every tree as part of the
thread, and pairs two documents (checker.threads.matching) the first time a
rule asks about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checker.model import Report
from checker.rules_lang.vocabulary import (
    MATCHABLE_KINDS,
)
from checker.rules_lang.runtime import Node, ReportIndex, ThreadLinks, root_of
from checker.threads.grouping import ROLES
from checker.threads.matching import Comparison, Item, compare, items_of


class Links(ThreadLinks):
    """The documents of one thread, each with its role ("VP", "T1", "T2", "VB").

    Several documents may share a role (the same report in two versions);
    the first of a role is the one the others are compared with, and a
    document is always its own "vb" when it is a VB.
    """

    def __init__(self, documents: Sequence[tuple[str, Report]]) -> None:
        self.indexes: list[ReportIndex] = []
        self._index_by_root: dict[int, ReportIndex] = {}
        self._role_by_root: dict[int, str] = {}
        self._primary: dict[str, Node] = {}
        self._nodes: dict[int, dict[int, Node]] = {}  # id(report) → id(model object) → node
        self._comparisons: dict[tuple[int, int], Comparison] = {}
        self._items: dict[int, list[Item]] = {}  # each report's pairing items, folded once
        for role, report in documents:
            index = ReportIndex(report)
            index.thread = self
            self.indexes.append(index)
            self._index_by_root[id(index.root)] = index
            self._role_by_root[id(index.root)] = role
            self._primary.setdefault(role, index.root)
            self._nodes[id(report)] = {
                id(node.obj): node for kind in MATCHABLE_KINDS - {"dokument"} for node in index.by_kind.get(kind, [])
            }

    # the ThreadLinks interface

    def document(self, role: str, current: Node) -> Node | None:
        own = self._role_by_root.get(id(current))
        if role == "previous":
            if own not in ROLES:
                return None
            earlier = [r for r in ROLES[: ROLES.index(own)] if r in self._primary]
            return self._primary[earlier[-1]] if earlier else None
        if role == own:
            return current
        return self._primary.get(role)

    def counterpart(self, node: Node, document: Node) -> Node | None:
        root = root_of(node)
        if root is document:
            return node
        if node.kind == "dokument":
            return document
        if node.kind not in MATCHABLE_KINDS:
            return None
        comparison = self.comparison(root.obj, document.obj)
        if comparison is None:
            return None
        other = comparison.counterpart(node.obj)
        return self._nodes[id(document.obj)].get(id(other)) if other is not None else None

    def index_of(self, node: Node) -> ReportIndex | None:
        return self._index_by_root.get(id(root_of(node)))

    def index_of_report(self, report: Report) -> ReportIndex | None:
        return next((index for index in self.indexes if index.report is report), None)

    # pairing

    def role_of(self, report: Report) -> str | None:
        index = self.index_of_report(report)
        return self._role_by_root.get(id(index.root)) if index is not None else None

    def comparison(self, a: Report, b: Report) -> Comparison | None:
        """The pairing of two of the thread's documents, the earlier one on the left (computed once)."""
        if id(a) not in self._nodes or id(b) not in self._nodes:
            return None
        left, right = (a, b) if self._order(a) <= self._order(b) else (b, a)
        key = (id(left), id(right))
        found = self._comparisons.get(key)
        if found is None:
            found = self._comparisons[key] = compare(left, right, self._items_of)
        return found

    def _items_of(self, report: Report) -> list[Item]:
        found = self._items.get(id(report))
        if found is None:
            found = self._items[id(report)] = items_of(report)
        return found

    def _order(self, report: Report) -> tuple[int, int]:
        role = self.role_of(report)
        position = next(i for i, index in enumerate(self.indexes) if index.report is report)
        return (ROLES.index(role) if role in ROLES else len(ROLES), position)

    def primary_report(self, role: str) -> Report | None:
        root = self._primary.get(role)
        return root.obj if root is not None else None

    def reports(self) -> list[tuple[str, Report]]:
        return [(self._role_by_root[id(index.root)], index.report) for index in self.indexes]

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        roles: dict[str, Any] = {role: sum(1 for r, _ in self.reports() if r == role) for role in ROLES}
        return f"Links({roles})"
