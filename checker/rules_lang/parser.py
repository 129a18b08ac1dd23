"""Rule text → syntax tree, with syntax errors in Swedish.

The file is first cut into top-level items (a line starting with `regel`,
`profil` or `fraser`, outside any quoted text, starts a new item) and each
item is parsed on its own. A syntax error therefore costs only the item it is
in, and all syntax errors of a file are reported together.

The lark parser (LALR, contextual lexer) is built once per process and its
tables are cached on disk by lark (`cache=True`), so starting Målkoll does not
pay for grammar analysis. On top of that, the syntax tree of every rule file
that parsed cleanly is kept in a per-user cache (~/.cache/malkoll, or
$MALKOLL_CACHE_DIR; an empty value turns it off), keyed by a hash of the
grammar, this code and the file's text: an unchanged rule set is loaded
without importing lark at all.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.rules_lang import ast, disk_cache
from checker.rules_lang.errors import RuleError

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput

# lark is imported only when a file actually has to be parsed (see _import_lark).
Token: Any = None
Tree: Any = None


def _import_lark() -> None:
    global Token, Tree
    if Token is None:
        from lark import Token as LarkToken, Tree as LarkTree

        Token, Tree = LarkToken, LarkTree

GRAMMAR = Path(__file__).with_name("grammar.lark")

# Limits against hostile or accidental input; each is explained in docs/regelsprak.md.
MAX_FILE_CHARS = 2_000_000
MAX_ITEM_CHARS = 200_000
MAX_DEPTH = 60

_ITEM_START = re.compile(r"^[ \t]*(?:rule|regel|profile|profil|phrases|fraser)(?![\w\-])", re.IGNORECASE)
# Inside an unclosed quote only a line that clearly is a new item's header starts
# one, so a forgotten quote costs one item, not the rest of the file.
_ITEM_HEADER = re.compile(
    r"^(?:(?:rule|regel)[ \t]+\S+[ \t]+\S+[ \t]+[\"”“]"
    r"|(?:profile|profil)[ \t]+\S+[^\n]*:"
    r"|(?:phrases|fraser)[ \t]+\S+[ \t]*=)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The one parser of the process; lark caches the analysed grammar on disk."""
    from lark import Lark

    options: dict[str, Any] = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)
    try:
        return Lark.open(str(GRAMMAR), cache=True, **options)
    except OSError:  # an unwritable temp directory must not stop Målkoll
        return Lark.open(str(GRAMMAR), **options)


def parse_file(path: Path, text: str) -> tuple[ast.RuleFile, list[RuleError]]:
    """Parse one rule file. Returns the items that parsed and the errors of those that did not."""
    lines = text.splitlines()
    rule_file = ast.RuleFile(path=path, lines=lines)
    if len(text) > MAX_FILE_CHARS:
        message = (
            f"filen är för stor för en regelfil ({len(text):,} tecken, högst {MAX_FILE_CHARS:,}); "
            "dela upp reglerna i flera filer"
        ).replace(",", " ")
        return rule_file, [RuleError(path, 0, 0, message)]
    cached = _cache_get(text)
    if cached is not None:
        rule_file.items.extend(cached)
        return rule_file, []
    errors: list[RuleError] = []
    for first_line, chunk in split_items(text):
        try:
            item = parse_item(path, chunk, first_line, lines)
        except _ItemError as error:
            errors.append(error.error)
            continue
        if item is not None:
            rule_file.items.append(item)
    if not errors:
        _cache_put(text, rule_file.items)
    return rule_file, errors


# --- the syntax-tree cache -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """Changes whenever the grammar or the code that builds the tree changes."""
    here = Path(__file__).parent
    return disk_cache.fingerprint([here / name for name in ("grammar.lark", "parser.py", "ast.py")])


def _cache_get(text: str) -> list[ast.Item] | None:
    items = disk_cache.load(disk_cache.entry("ast", _code_fingerprint() + text.encode("utf-8")))
    return items if isinstance(items, list) else None


def _cache_put(text: str, items: list[ast.Item]) -> None:
    disk_cache.store(disk_cache.entry("ast", _code_fingerprint() + text.encode("utf-8")), items)


def split_items(text: str) -> list[tuple[int, str]]:
    """Cut the file into (first line number, text) pieces, one per top-level item.

    Lines inside a quoted text do not start an item, so a help text may contain
    a line beginning with "regel" – unless the line is a complete item header
    at the start of the line, which means a quote was left open above it.
    Comment-only pieces are dropped.
    """
    pieces: list[tuple[int, list[str]]] = []
    quote: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if (quote is None and _ITEM_START.match(line)) or (quote is not None and _ITEM_HEADER.match(line)):
            quote = None
            pieces.append((number, []))
        elif not pieces:
            pieces.append((number, []))
        pieces[-1][1].append(line)
        quote = _quote_state_after(line, quote)
    result: list[tuple[int, str]] = []
    for first_line, piece_lines in pieces:
        chunk = "\n".join(piece_lines)
        if _has_content(chunk):
            result.append((first_line, chunk))
    return result


def _quote_state_after(line: str, quote: str | None) -> str | None:
    """Track whether a line ends inside a quoted text (and which closing quote is awaited)."""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote is None:
            if ch == "#":
                break
            if ch == '"':
                quote = '"'
            elif ch in "”“":
                quote = "”"
        elif quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
        elif ch == "”":
            quote = None
        i += 1
    return quote


def _has_content(chunk: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in chunk.split("\n"))


class _ItemError(Exception):
    def __init__(self, error: RuleError) -> None:
        super().__init__(error.message)
        self.error = error


def parse_item(path: Path, chunk: str, first_line: int, lines: list[str]) -> ast.Item | None:
    def error(line: int, column: int, message: str, length: int = 1) -> _ItemError:
        file_line = first_line + line - 1
        source = lines[file_line - 1] if 1 <= file_line <= len(lines) else None
        return _ItemError(RuleError(path, file_line, column, message, source, max(1, length)))

    if len(chunk) > MAX_ITEM_CHARS:
        raise error(1, 1, f"den här posten är för lång ({len(chunk)} tecken, högst {MAX_ITEM_CHARS})")
    from lark.exceptions import LarkError, UnexpectedInput

    _import_lark()
    try:
        tree = get_parser().parse(chunk)
    except UnexpectedInput as exc:
        line, column, message, length = describe_syntax_error(exc, chunk)
        raise error(line, column, message, length) from None
    except (LarkError, RecursionError) as exc:  # never let lark's own trouble reach the user as a traceback
        raise error(1, 1, f"regeltexten kunde inte tolkas ({type(exc).__name__})") from None
    too_deep = _too_deep(tree)
    if too_deep is not None:
        raise error(
            too_deep[0], too_deep[1],
            f"uttrycket är för djupt nästlat (mer än {MAX_DEPTH} nivåer av parenteser, "
            "”inte”, ”om … så” eller nästlade ”varje”); dela upp regeln i enklare delar",
        )
    builder = _AstBuilder(chunk, first_line)
    try:
        return builder.item(tree.children[0])
    except RecursionError:
        raise error(1, 1, "uttrycket är för djupt nästlat; dela upp regeln i enklare delar") from None


def _too_deep(tree: Tree) -> tuple[int, int] | None:
    """The position of the first subtree nested deeper than the builder may recurse, if any.

    Measured iteratively so that a hostile file cannot cause a RecursionError
    here. Lark's LALR parser itself builds trees without recursion.
    """
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    # Every level of the language adds a few tree levels (cond → and → not → atom …).
    limit = MAX_DEPTH * 4
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            meta = node.meta
            return (getattr(meta, "line", 1) or 1, getattr(meta, "column", 1) or 1)
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return None


# --- Swedish syntax errors ------------------------------------------------------

# How each terminal is described to a rule author.
_TERMINAL_WORDS: dict[str, str] = {
    "NAME": "ett namn",
    "STRING": "en text inom citattecken",
    "NUMBER": "ett tal",
    "_RULE": "”regel”",
    "_PROFILE": "”profil”",
    "_PHRASES": "”fraser”",
    "_IN": "”i”",
    "_HELP": "”hjälp”",
    "_MESSAGE": "”meddelande”",
    "EVERY": "”varje”",
    "NO": "”ingen”",
    "AT_MOST": "”högst”",
    "AT_LEAST": "”minst”",
    "_WHERE": "”där”",
    "_WITH": "”med”",
    "_WITHOUT": "”utan”",
    "_LET": "”låt”",
    "_BE": "”=”",
    "_HAS": "”har”",
    "_LACKS": "”saknar”",
    "_IS": "”är”",
    "NOT": "”inte”",
    "_AND": "”och”",
    "_OR": "”eller”",
    "_ONE_OF": "”något av”",
    "CONTAINS": "”innehåller”",
    "_MATCHES": "”matchar”",
    "_STARTS_WITH": "”börjar med”",
    "_LIKE": "”liknar”",
    "_WITH_AT_LEAST": "”med minst”",
    "_WORDS": "”ord”",
    "_BESIDES": "”utöver”",
    "_COUNT": "”antal”",
    "_IF": "”om”",
    "_THEN": "”så”",
    "_ELSE": "”annars”",
    "_FOR_EACH": "”för varje”",
    "ADDOP": "”+” eller ”-”",
    "COLON": "ett kolon (:)",
    "COMMA": "ett kommatecken (,)",
    "LPAR": "”(”",
    "RPAR": "”)”",
    "DOT": "en punkt (.)",
    "EQUAL": "”=”",
}
_COMPARISON = "en jämförelse (=, !=, <, <=, >, >=)"
# Shown first when many alternatives are possible: the ones an author most likely meant.
_PREFERENCE = [
    "COLON", "NAME", "STRING", "NUMBER", "EVERY", "_HAS", "_IS", "_AND", "_OR", "RPAR", "COMMA",
    "_IN", "_WHERE", "_WITH", "_HELP", "_THEN", "_WORDS",
]
_MAX_ALTERNATIVES = 6


def describe_syntax_error(exc: UnexpectedInput, chunk: str) -> tuple[int, int, str, int]:
    """(line, column, Swedish message, underline length) for a lark error."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream if exc.pos_in_stream is not None else -1
        char = chunk[position] if 0 <= position < len(chunk) else "?"
        if char in "\"”“":
            return exc.line, exc.column, "texten som börjar här avslutas aldrig – det saknas ett avslutande citattecken", 1
        expected = _expected_words(getattr(exc, "allowed", None) or set())
        message = f"oväntat tecken ”{char}”"
        if expected:
            message += f"; här förväntades {expected}"
        return exc.line, exc.column, message, 1
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        dangling = _dangling(chunk, token)
        if dangling is not None:
            return dangling
        expected = _expected_words(exc.expected)
        shown = str(token.value).split("\n")[0]
        message = f"oväntat ”{_clip(shown)}”"
        hint = _hint(exc.expected, token)
        if hint:
            message += f" – {hint}"
        elif expected:
            message += f" – här förväntades {expected}"
        length = len(shown) if token.end_line == token.line else 1
        return token.line, token.column, message, max(1, length)
    # End of the item reached too early.
    expected_set = getattr(exc, "expected", None) or set()
    expected = _expected_words(expected_set)
    line, column = _end_position(chunk)
    message = "regeln tar slut för tidigt"
    if expected:
        message += f" – här förväntades {expected}"
    return line, column, message, 1


def _expected_words(expected: set[str] | frozenset[str]) -> str:
    names = [name for name in expected if name != "$END"]
    # Many comparison operators at once are summarised as "en jämförelse".
    comparisons = {name for name in names if _terminal_literal(name) in _COMPARISON_OPS}
    summarise = len(comparisons) >= 3
    words: list[str] = []
    ordered = sorted(names, key=lambda n: (_PREFERENCE.index(n) if n in _PREFERENCE else len(_PREFERENCE), n))
    for name in ordered:
        if summarise and name in comparisons:
            continue
        word = _TERMINAL_WORDS.get(name) or _literal_word(name)
        if word not in words:
            words.append(word)
    if summarise:
        words.append(_COMPARISON)
    if not words:
        return ""
    if len(words) > _MAX_ALTERNATIVES:
        return ", ".join(words[:_MAX_ALTERNATIVES]) + " eller något annat som passar här"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " eller " + words[-1]


_COMPARISON_OPS = {"=", "==", "!=", "<>", "<", "<=", ">", ">=", "≤", "≥", "≠"}


def _literal_word(name: str) -> str:
    value = _terminal_literal(name)
    return f"”{value}”" if value is not None else name.lower()


@lru_cache(maxsize=256)
def _terminal_literal(name: str) -> str | None:
    for terminal in get_parser().terminals:
        if terminal.name == name and terminal.pattern.type == "str":
            return str(terminal.pattern.value)
    return None


def _hint(expected: set[str], token: Token) -> str | None:
    """A few mistakes are common enough to deserve an explanation of their own."""
    if expected == {"NAME"} and token.type == "STRING":
        return "efter regelns id ska nivån stå: fel, varning eller info"
    if "COLON" in expected and token.type in {"EVERY", "NO", "AT_MOST", "AT_LEAST"}:
        return "det saknas ett kolon (:) efter dokumenttyperna"
    if token.type == "NAME" and "_HAS" in expected:
        return (
            "ett villkor direkt efter urvalet ska börja med ”har”, ”saknar” eller ”innehåller”; "
            "andra villkor skrivs efter ett kolon, t.ex. ”varje indikator: utfall >= årsmål”"
        )
    return None


_LAST_WORD = re.compile(r"([^\W\d][\w\-]*)\s*$")
_CLOSING_WORDS = {"hjalp": "hjälp", "help": "help", "meddelande": "meddelande", "message": "message"}


def _dangling(chunk: str, token: Token) -> tuple[int, int, str, int] | None:
    """"hjälp" read as a field name means the requirement before it was left unfinished."""
    start = getattr(token, "start_pos", None)
    if start is None:
        return None
    match = _LAST_WORD.search(chunk[:start])
    if match is None:
        return None
    word = _CLOSING_WORDS.get(match.group(1).casefold().replace("ä", "a"))
    if word is None:
        return None
    position = match.start(1)
    line = chunk.count("\n", 0, position) + 1
    column = position - (chunk.rfind("\n", 0, position) + 1) + 1
    message = f"kravet före ”{match.group(1)}” är inte färdigt – står det ett ”och” eller ”eller” för mycket?"
    return line, column, message, len(match.group(1))


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _end_position(chunk: str) -> tuple[int, int]:
    """The last non-blank, non-comment character of an item (where "too early" happened)."""
    lines = chunk.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        content = lines[index].split("#", 1)[0].rstrip()
        if content:
            return index + 1, len(content)
    return 1, 1


# --- tree → AST -------------------------------------------------------------------


class _AstBuilder:
    """Turns lark's tree for one item into typed AST nodes with file positions."""

    def __init__(self, chunk: str, first_line: int) -> None:
        self.chunk = chunk
        self.offset = first_line - 1

    # positions

    def tpos(self, token: Token) -> ast.Pos:
        length = len(str(token.value)) if token.end_line == token.line else 1
        return ast.Pos(token.line + self.offset, token.column, max(1, length))

    def npos(self, tree: Tree | Token) -> ast.Pos:
        if isinstance(tree, Token):
            return self.tpos(tree)
        meta = tree.meta
        if getattr(meta, "empty", True):
            for child in tree.children:
                if isinstance(child, (Tree, Token)):
                    return self.npos(child)
            return ast.Pos(1 + self.offset, 1)
        length = meta.end_column - meta.column if meta.end_line == meta.line else 1
        return ast.Pos(meta.line + self.offset, meta.column, max(1, length))

    def word(self, token: Token) -> ast.Word:
        return ast.Word(str(token.value), self.tpos(token))

    def text(self, tokens: list[Token]) -> ast.TextLit:
        value_parts: list[str] = []
        offsets: list[tuple[int, int]] = []
        for token in tokens:
            part, part_offsets = _unquote(token, self.offset)
            # Adjacent literals are lines of one text: join them like words.
            if value_parts and part and not value_parts[-1][-1:].isspace() and not part[0].isspace():
                value_parts.append(" ")
                offsets.append(part_offsets[0])
            value_parts.append(part)
            offsets.extend(part_offsets)
        return ast.TextLit("".join(value_parts), self.tpos(tokens[0]), tuple(offsets))

    # items

    def item(self, tree: Tree) -> ast.Item:
        if tree.data == "rule":
            return self.rule(tree)
        if tree.data == "profile":
            return self.profile(tree)
        return self.phrases(tree)

    def rule(self, tree: Tree) -> ast.Rule:
        children = tree.children
        rule_id, severity = children[0], children[1]
        message = self.text(_tokens(children[2]))
        kinds: tuple[ast.Word, ...] | None = None
        statements: list[ast.Statement] = []
        help_text: ast.TextLit | None = None
        for child in children[3:]:
            if not isinstance(child, Tree):
                continue
            if child.data == "scope":
                kinds = tuple(self.word(t) for t in child.children if isinstance(t, Token))
            elif child.data == "top_statement":
                statements.append(self.top_statement(child))
            elif child.data == "help":
                help_text = self.text(_tokens(child))
        return ast.Rule(
            id=self.word(rule_id),
            severity=self.word(severity),
            message=message,
            kinds=kinds,
            statements=tuple(statements),
            help=help_text,
            pos=self.tpos(rule_id),
            source_text=_source_text(self.chunk),
        )

    def profile(self, tree: Tree) -> ast.Profile:
        tokens = [t for t in tree.children if isinstance(t, Token)]
        name = tokens[0]
        strings = [t for t in tokens[1:] if t.type == "STRING"]
        members = [t for t in tokens[1:] if t.type == "NAME"]
        description = self.text(strings).value if strings else None
        return ast.Profile(self.word(name), description, tuple(self.word(m) for m in members), self.tpos(name))

    def phrases(self, tree: Tree) -> ast.PhraseDef:
        tokens = [t for t in tree.children if isinstance(t, Token)]
        name = tokens[0]
        phrases = tuple(ast.PhraseText(self.text([t]), self.tpos(t)) for t in tokens[1:] if t.type == "STRING")
        return ast.PhraseDef(self.word(name), phrases, self.tpos(name))

    # statements

    def top_statement(self, tree: Tree) -> ast.Statement:
        statement = self.statement(tree.children[0])
        tokens = [t for t in tree.children[1:] if isinstance(t, Token)]
        strings = [t for t in tokens if t.type == "STRING"]
        level = next((self.word(t) for t in tokens if t.type == "NAME"), None)
        if strings or level is not None:
            return ast.Statement(
                statement.quantifier, statement.entity, statement.filters, statement.body,
                self.text(strings) if strings else None, statement.pos, statement.source, level,
            )
        return statement

    def statement(self, tree: Tree) -> ast.Statement:
        quantifier_tree, entity, *rest = tree.children
        filters: list[ast.Filter] = []
        body: ast.Cond | ast.Statement | None = None
        source: ast.Path | None = None
        for child in rest:
            if child.data == "source":
                source = self.path(child.children[0])
            elif child.data in {"where", "with_", "without", "let"}:
                filters.append(self.filter(child))
            elif child.data == "nested":
                body = self.statement(child.children[0])
            elif child.data == "check":
                body = self.cond(child.children[0])
        return ast.Statement(
            self.quantifier(quantifier_tree), self.word(entity), tuple(filters), body, None, self.npos(quantifier_tree),
            source,
        )

    def quantifier(self, tree: Tree) -> ast.Quantifier:
        tokens = tree.children
        count = None
        if tree.data in {"at_most", "at_least"}:
            count = int(float(str(tokens[1]).replace(",", ".")))
        return ast.Quantifier(tree.data, count, self.tpos(tokens[0]))  # type: ignore[arg-type]

    def filter(self, tree: Tree) -> ast.Filter:
        if tree.data == "let":
            name, expr = tree.children
            return ast.Let(self.word(name), self.expr(expr), self.tpos(name))
        mode = {"where": "where", "with_": "with", "without": "without"}[tree.data]
        return ast.Where(self.cond(tree.children[0]), mode, self.npos(tree))  # type: ignore[arg-type]

    # conditions

    def cond(self, tree: Tree | Token) -> ast.Cond:
        if isinstance(tree, Token) or tree.data not in _COND_KINDS:
            return ast.Truthy(self.expr(tree), self.npos(tree))
        return getattr(self, "c_" + tree.data)(tree)

    def c_or_(self, tree: Tree) -> ast.Cond:
        return ast.Or(tuple(self.cond(c) for c in tree.children), self.npos(tree))

    def c_and_(self, tree: Tree) -> ast.Cond:
        return ast.And(tuple(self.cond(c) for c in tree.children), self.npos(tree))

    def c_not_(self, tree: Tree) -> ast.Cond:
        return ast.Not(self.cond(tree.children[-1]), self.npos(tree))

    def c_truthy(self, tree: Tree) -> ast.Cond:
        return ast.Truthy(self.expr(tree.children[0]), self.npos(tree))

    def c_has(self, tree: Tree) -> ast.Cond:
        expr = self.expr(tree.children[0])
        min_words = besides = None
        if len(tree.children) > 1:
            words = tree.children[1]
            min_words = self.expr(words.children[0])
            if len(words.children) > 1:
                besides = self.phrase_list(words.children[1])
        return ast.Has(expr, min_words, besides, self.npos(tree))

    def c_lacks(self, tree: Tree) -> ast.Cond:
        return ast.Lacks(self.expr(tree.children[0]), self.npos(tree))

    def c_contains_self(self, tree: Tree) -> ast.Cond:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in tree.children)
        return ast.Contains(None, self.phrase_list(tree.children[-1]), negated, self.npos(tree))

    def c_contains(self, tree: Tree) -> ast.Cond:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in tree.children)
        return ast.Contains(self.expr(tree.children[0]), self.phrase_list(tree.children[-1]), negated, self.npos(tree))

    def c_compare(self, tree: Tree) -> ast.Cond:
        operands: list[ast.Expr] = []
        ops: list[tuple[str, ast.Pos]] = []
        for child in tree.children:
            if isinstance(child, Tree) and child.data == "cmp_op":
                token = child.children[0]
                ops.append((str(token.value), self.tpos(token)))
            else:
                operands.append(self.expr(child))
        return ast.Compare(tuple(operands), tuple(ops), self.npos(tree))

    def c_is_(self, tree: Tree) -> ast.Cond:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in tree.children)
        exprs = [c for c in tree.children if not (isinstance(c, Token) and c.type == "NOT")]
        return ast.Is(self.expr(exprs[0]), self.expr(exprs[1]), negated, self.npos(tree))

    def c_is_one_of(self, tree: Tree) -> ast.Cond:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in tree.children)
        left = self.expr(tree.children[0])
        values = tuple(
            ast.String(self.text([t]), self.tpos(t))
            for t in tree.children[1:]
            if isinstance(t, Token) and t.type == "STRING"
        )
        return ast.IsOneOf(left, values, negated, self.npos(tree))

    def c_matches(self, tree: Tree) -> ast.Cond:
        token = tree.children[1]
        return ast.Matches(self.expr(tree.children[0]), ast.String(self.text([token]), self.tpos(token)), self.npos(tree))

    def c_starts_with(self, tree: Tree) -> ast.Cond:
        return ast.StartsWith(self.expr(tree.children[0]), self.phrase_list(tree.children[1]), self.npos(tree))

    def c_like(self, tree: Tree) -> ast.Cond:
        token = tree.children[1]
        return ast.Like(self.expr(tree.children[0]), ast.String(self.text([token]), self.tpos(token)), self.npos(tree))

    def c_if_(self, tree: Tree) -> ast.Cond:
        parts = [self.cond(c) for c in tree.children]
        otherwise = parts[2] if len(parts) > 2 else None
        return ast.If(parts[0], parts[1], otherwise, self.npos(tree))

    def c_for_each(self, tree: Tree) -> ast.Cond:
        var, *rest = tree.children
        fields = tuple(self.path(c) for c in rest[:-1])
        return ast.ForEach(self.word(var), fields, self.cond(rest[-1]), self.tpos(var))

    def phrase_list(self, tree: Tree) -> ast.PhraseList:
        items: list[ast.PhraseText | ast.PhraseRef] = []
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            token = child.children[0]
            if child.data == "phrase_text":
                items.append(ast.PhraseText(self.text([token]), self.tpos(token)))
            else:
                items.append(ast.PhraseRef(self.word(token), self.tpos(token)))
        return ast.PhraseList(tuple(items), self.npos(tree))

    # expressions

    def expr(self, tree: Tree | Token) -> ast.Expr:
        if isinstance(tree, Token):  # pragma: no cover - the grammar always wraps terminals
            return ast.Path((self.word(tree),), self.tpos(tree))
        kind = tree.data
        if kind == "number":
            token = tree.children[0]
            return ast.Number(float(str(token.value).replace(",", ".")), self.tpos(token))
        if kind == "string":
            token = tree.children[0]
            return ast.String(self.text([token]), self.tpos(token))
        if kind == "path":
            return self.path(tree)
        if kind == "call":
            name, *rest = tree.children
            tail = None
            args: list[ast.Expr] = []
            for child in rest:
                if isinstance(child, Tree) and child.data == "call_tail":
                    tail = self.path(child.children[0])
                else:
                    args.append(self.expr(child))
            return ast.Call(self.word(name), tuple(args), tail, self.tpos(name))
        if kind == "count":
            entity, *filters = tree.children
            return ast.Count(self.word(entity), tuple(self.filter(f) for f in filters), self.npos(tree))
        if kind == "in_doc":
            subject, document = tree.children
            return ast.InDoc(self.path(subject), self.path(document), self.npos(tree))
        if kind == "arith":
            first = self.expr(tree.children[0])
            rest_items: list[tuple[str, ast.Expr]] = []
            children = tree.children[1:]
            for i in range(0, len(children), 2):
                rest_items.append((str(children[i].value), self.expr(children[i + 1])))
            return ast.Arith(first, tuple(rest_items), self.npos(tree))
        # A condition where an expression was expected cannot come out of this grammar.
        raise ValueError(kind)  # pragma: no cover

    def path(self, tree: Tree) -> ast.Path:
        segments: list[ast.Word] = []
        for words in tree.children:
            tokens = [t for t in words.children if isinstance(t, Token)]
            text = " ".join(str(t.value) for t in tokens)
            first, last = tokens[0], tokens[-1]
            length = (last.end_column - first.column) if last.line == first.line else len(str(first.value))
            segments.append(ast.Word(text, ast.Pos(first.line + self.offset, first.column, max(1, length))))
        return ast.Path(tuple(segments), segments[0].pos)


_COND_KINDS = {
    "or_", "and_", "not_", "truthy", "has", "lacks", "contains_self", "contains", "compare", "is_",
    "is_one_of", "matches", "starts_with", "like", "if_", "for_each",
}


def _tokens(tree: Tree) -> list[Token]:
    return [t for t in tree.children if isinstance(t, Token)]


def _unquote(token: Token, line_offset: int) -> tuple[str, list[tuple[int, int]]]:
    """The text of a string literal and the file position of each of its characters."""
    raw = str(token.value)
    line = token.line + line_offset
    column = token.column
    positions: list[tuple[int, int]] = []
    # Position of every raw character.
    for ch in raw:
        positions.append((line, column))
        if ch == "\n":
            line += 1
            column = 1
        else:
            column += 1
    body = raw[1:-1]
    body_positions = positions[1:-1]
    if not raw.startswith('"'):
        return body, body_positions
    out: list[str] = []
    out_positions: list[tuple[int, int]] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            replacement = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}.get(nxt)
            if replacement is not None:
                out.append(replacement)
                out_positions.append(body_positions[i])
                i += 2
                continue
        out.append(ch)
        out_positions.append(body_positions[i])
        i += 1
    return "".join(out), out_positions


def _source_text(chunk: str) -> str:
    """The item as written, without the blank and comment lines that trail it."""
    lines = chunk.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].strip().startswith("#")):
        lines.pop()
    return "\n".join(lines)
