"""The rule language at run time: one report as a tree of nodes, and the links to its thread.

A report is seen as a tree of `Node`s (dokument → KF-mål → nämndmål →
enhetsmål → resultat/indikator/aktivitet/analys, and the sections and
complaint rows beside them), built once per report by `ReportIndex`, which
also answers "all X under this node" in logarithmic time and holds
per-report caches. `ThreadLinks` is what the language needs to know about
the other documents of a thread; checker.threads implements it.

The nouns, fields and types these nodes are talked about with are in
checker.rules_lang.vocabulary.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from checker.model import Enhetsmal, KfInriktningsmal, KfMal, Namndmal, Report, Section, Source
from checker.rules_lang.vocabulary import ENTITIES, GOAL_KINDS, loose_text_block, text_block


class ThreadLinks:
    """What the rule language needs to know about a thread; checker.threads implements it.

    Every `ReportIndex` of the thread's documents has `thread` set to the same
    links object, so a node of any of them can be followed to the others.
    """

    def document(self, role: str, current: Node) -> Node | None:
        """The root node of the document playing `role` ("VP" …) for a check of `current`."""
        raise NotImplementedError

    def counterpart(self, node: Node, document: Node) -> Node | None:
        """The thing in `document` (a root node) that corresponds to `node`, if any."""
        raise NotImplementedError

    def index_of(self, node: Node) -> ReportIndex | None:
        """The index `node` belongs to."""
        raise NotImplementedError

    def index_of_report(self, report: Report) -> ReportIndex | None:
        """The thread's index of `report` (None when the report is not part of the thread)."""
        raise NotImplementedError


def root_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


class Node:
    """One thing in a report that a rule can talk about."""

    __slots__ = ("kind", "obj", "parent", "children", "order", "end", "path", "cache", "depth")
    kind: str
    obj: Any
    parent: Node | None
    children: list[Node]
    order: int
    end: int
    path: tuple[str, ...]
    cache: dict[str, Any]
    depth: int

    def __init__(self, kind: str, obj: Any, parent: Node | None) -> None:
        self.kind = kind
        self.obj = obj
        self.parent = parent
        self.children = []
        self.order = 0
        self.end = 0
        # Nesting level of a section: 1 for a top-level section, 2 for its sub-sections …
        self.depth = parent.depth + 1 if parent is not None and kind == "avsnitt" and parent.kind == "avsnitt" else 1
        self.path = ()
        self.cache = {}

    @property
    def source(self) -> Source | None:
        if self.kind == "dokument":
            return None
        if self.kind == "analys":
            return self.obj.source
        return getattr(self.obj, "source", None)

    @property
    def block(self) -> int:
        source = self.source
        return source.block if source is not None else -1

    @property
    def title(self) -> str | None:
        """What a finding about this node names as its target."""
        kind = self.kind
        if kind == "dokument":
            return None
        if kind == "indikator":
            return self.obj.name
        if kind == "resultat":
            return self.obj.text
        if kind == "synpunkt":
            return self.obj.kategori
        if kind == "analys":
            return self.parent.title if self.parent is not None else None
        return getattr(self.obj, "title", None)

    @property
    def heading(self) -> str | None:
        """How this node appears in the heading path of what lies under it."""
        obj = self.obj
        if self.kind == "kf_mal":
            return f"KF:s mål {obj.number} {obj.title}" if obj.number else f"KF:s mål {obj.title}"
        if self.kind == "namndmal":
            return f"Nämndmål: {obj.title}"
        if self.kind == "enhetsmal":
            prefix = "".join(f"{p}: " for p in obj.prefixes)
            return f"Enhetsmål: {prefix}{obj.title}"
        if self.kind == "avsnitt":
            return obj.title
        return None

    def nearest_goal(self) -> Node | None:
        node: Node | None = self
        while node is not None and node.kind not in GOAL_KINDS:
            node = node.parent
        return node

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.kind}, {self.title!r})"


def _by_block(items: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return sorted(items, key=lambda pair: pair[1].source.block if getattr(pair[1], "source", None) else -1)


class ReportIndex:
    """The node tree of one report, with per-kind lists for fast look-ups and per-report caches."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.root = Node("dokument", report, None)
        self.cache: dict[Any, Any] = {}
        # Set by checker.threads when the report is checked as part of a thread.
        self.thread: ThreadLinks | None = None
        # Every node as it is created, which is document (pre-)order: a node, then its subtree.
        self._nodes: list[Node] = [self.root]
        # The heading path of what lies under a node, computed once per parent.
        self._below: dict[Node, tuple[str, ...]] = {}
        self._build()
        self._number()

    # building

    def _add(self, kind: str, obj: Any, parent: Node) -> Node:
        node = Node(kind, obj, parent)
        parent.children.append(node)
        path = self._below.get(parent)
        if path is None:
            heading = parent.heading
            path = self._below[parent] = parent.path + (heading,) if heading else parent.path
        node.path = path
        self._nodes.append(node)
        return node

    def _build(self) -> None:
        report = self.report
        root = self.root
        top: list[tuple[str, Any]] = [("avsnitt", s) for s in report.sections]
        top += [("kf_inriktningsmal", g) for g in report.inriktningsmal]
        for kind, obj in _by_block(top):
            if kind == "avsnitt":
                self._section(obj, root)
            else:
                self._inriktningsmal(obj, root)
        for row in report.synpunkter:
            self._add("synpunkt", row, root)

    def _section(self, section: Section, parent: Node) -> None:
        node = self._add("avsnitt", section, parent)
        for child in section.children:
            self._section(child, node)

    def _inriktningsmal(self, goal: KfInriktningsmal, parent: Node) -> None:
        node = self._add("kf_inriktningsmal", goal, parent)
        for kf in goal.kf_mal:
            self._kf_mal(kf, node)

    def _kf_mal(self, goal: KfMal, parent: Node) -> None:
        node = self._add("kf_mal", goal, parent)
        items: list[tuple[str, Any]] = [("indikator", i) for i in goal.indikatorer]
        items += [("aktivitet", a) for a in goal.aktiviteter]
        items += [("namndmal", n) for n in goal.namndmal]
        items += [("enhetsmal", e) for e in goal.enhetsmal]
        self._goal_children(node, items)

    def _namndmal(self, goal: Namndmal, parent: Node) -> None:
        node = self._add("namndmal", goal, parent)
        items: list[tuple[str, Any]] = [("resultat", r) for r in goal.forvantat_resultat]
        items += [("indikator", i) for i in goal.indikatorer]
        items += [("aktivitet", a) for a in goal.aktiviteter]
        items += [("enhetsmal", e) for e in goal.enhetsmal]
        self._goal_children(node, items)

    def _enhetsmal(self, goal: Enhetsmal, parent: Node) -> None:
        node = self._add("enhetsmal", goal, parent)
        items: list[tuple[str, Any]] = [("resultat", r) for r in goal.forvantat_resultat]
        items += [("indikator", i) for i in goal.indikatorer]
        items += [("aktivitet", a) for a in goal.aktiviteter]
        self._goal_children(node, items)
        analysis = text_block(goal.analys)
        # The goal's field "analys" is this same block: built once, for the node and the field.
        node.cache["analys"] = analysis
        if analysis is not None:
            self._add("analys", analysis, node)

    def _goal_children(self, node: Node, items: list[tuple[str, Any]]) -> None:
        for kind, obj in _by_block(items):
            if kind == "namndmal":
                self._namndmal(obj, node)
            elif kind == "enhetsmal":
                self._enhetsmal(obj, node)
            elif kind in ("indikator", "aktivitet"):
                child = self._add(kind, obj, node)
                analysis = loose_text_block(obj.analys, obj.analys_source or obj.source)
                child.cache["analys"] = analysis  # what _analysis_block would build again
                if analysis is not None:
                    self._add("analys", analysis, child)
            else:
                self._add(kind, obj, node)

    def _number(self) -> None:
        """Pre-order numbers, subtree ends and per-kind lists (nodes were created in pre-order)."""
        self.by_kind: dict[str, list[Node]] = {kind: [] for kind in ENTITIES}
        by_kind = self.by_kind
        for order, node in enumerate(self._nodes):
            node.order = order
            if node.kind in by_kind:
                by_kind[node.kind].append(node)
            else:
                by_kind[node.kind] = [node]
        # A subtree ends where its last child's subtree ends; children come after their parent.
        for node in reversed(self._nodes):
            node.end = node.children[-1].end if node.children else node.order
        rows = by_kind.get("synpunkt")
        if rows:
            path = self._synpunkt_path()
            for row in rows:
                row.path = path
        self._orders = {kind: [n.order for n in nodes] for kind, nodes in by_kind.items()}
        del self._nodes, self._below

    def _synpunkt_path(self) -> tuple[str, ...]:
        source = self.report.synpunkter_source
        if source is None:
            return ()
        for node in self.by_kind.get("avsnitt", []):
            if source in node.obj.tables:
                path = node.path + (node.obj.title,)
                # "Redovisning av synpunkter och klagomål" often heads both the section and its table.
                return tuple(step for i, step in enumerate(path) if i == 0 or step != path[i - 1])
        return ()

    # queries

    def descendants(self, node: Node, kind: str) -> list[Node]:
        """All nodes of `kind` below `node`, in document order."""
        if kind == "dokument":
            return [self.root]
        nodes = self.by_kind.get(kind, [])
        if node is self.root:
            return nodes
        orders = self._orders[kind]
        start = bisect.bisect_right(orders, node.order)
        stop = bisect.bisect_right(orders, node.end)
        return nodes[start:stop]

    def siblings(self, node: Node) -> list[Node]:
        """Nodes of the same kind under the same parent, including `node`, in document order."""
        parent = node.parent
        if parent is None:
            return [node]
        return [child for child in parent.children if child.kind == node.kind]
