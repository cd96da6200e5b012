"""Offline PromQL syntax check, with the position where an expression broke.

The grammar check itself is ``promql-parser`` (a Rust port of the Prometheus parser). Its
errors carry no position, so this module finds one: brackets and quotes are matched by a small
lexer, named tokens in the message (``unexpected identifier 'b'``, ``unknown function with name
'x'``) are located in the text, and for the rest the expression is re-parsed token by token
until a prefix can no longer be completed into a valid query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from obsctl.errors import UsageError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
  | (?P<num>(?:0x[0-9a-fA-F]+|\d*\.?\d+(?:[eE][+-]?\d+)?)(?:ms|[smhdwy])?(?:\d+(?:ms|[smhdwy]))*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:.]*)
  | (?P<op>==|!=|<=|>=|=~|!~|[-+*/%^<>=,@:])
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<other>.)
    """,
    re.VERBOSE,
)
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSER_NAMES = {")": "parenthesis", "]": "bracket", "}": "brace"}
# Suffixes tried when deciding whether a prefix could still become a valid expression.
_COMPLETIONS = (
    "",
    " x",
    " x[1m]",
    " 1",
    ' "x"',
    '="x"',
    "[1m]",
    "1m]",
    ":1m]",
    " (x)",
    " (x) (x)",
    "(x)",
)


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token: kind, text and offset in the expression."""

    kind: str
    text: str
    pos: int


def tokenize(expr: str) -> list[Token]:
    """Split ``expr`` into tokens (whitespace and comments dropped)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(expr):
        kind = m.lastgroup or "other"
        if kind != "ws":
            out.append(Token(kind, m.group(), m.start()))
    return out


def _parse(expr: str) -> Any:
    import promql_parser  # Rust extension: ~3 ms to import, only when a query is checked

    return promql_parser.parse(expr)


def _parses(expr: str) -> bool:
    try:
        _parse(expr)
    except ValueError:
        return False
    return True


def _bracket_error(expr: str) -> tuple[int, str] | None:
    """Position and message of the first unbalanced bracket or unterminated string."""
    stack: list[tuple[str, int]] = []
    i = 0
    n = len(expr)
    while i < n:
        ch = expr[i]
        if ch == "#":
            nl = expr.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if ch in "\"'`":
            j = i + 1
            while j < n and expr[j] != ch:
                j += 2 if expr[j] == "\\" and ch != "`" else 1
            if j >= n:
                return i, "unterminated string"
            i = j + 1
            continue
        if ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSER_NAMES:
            if not stack or _PAIRS[stack[-1][0]] != ch:
                return i, f"unexpected {_CLOSER_NAMES[ch]} {ch!r}"
            stack.pop()
        i += 1
    if stack:
        opener, pos = stack[-1]
        return pos, f"unclosed {_CLOSER_NAMES[_PAIRS[opener]]} {opener!r}"
    return None


def _closers(prefix: str) -> str:
    stack: list[str] = []
    for tok in tokenize(prefix):
        if tok.kind == "open":
            stack.append(_PAIRS[tok.text])
        elif tok.kind == "close" and stack:
            stack.pop()
    return "".join(reversed(stack))


def _viable(prefix: str) -> bool:
    closers = _closers(prefix)
    return any(_parses(prefix + tail + closers) for tail in _COMPLETIONS)


def _first_bad_token(expr: str, tokens: list[Token]) -> int | None:
    for tok in tokens:
        prefix = expr[: tok.pos + len(tok.text)]
        if not _viable(prefix):
            return tok.pos
    return None


def locate_error(expr: str, message: str) -> int:
    """Best offset (0-based) where ``expr`` broke, given the parser's ``message``."""
    tokens = tokenize(expr)
    lowered = message.lower()
    if "unexpected end of input" in lowered or lowered.startswith("unclosed"):
        found = _bracket_error(expr)
        if found is not None and lowered.startswith("unclosed"):
            return found[0]
        return len(expr.rstrip())
    if lowered.startswith("unterminated") or lowered.startswith("unexpected right"):
        found = _bracket_error(expr)
        if found is not None:
            return found[0]
    quoted = re.search(r"'([^']+)'|: (\S+)$", message)
    if quoted:
        needle = quoted.group(1) or quoted.group(2)
        if needle and "function" in lowered:
            m = re.search(rf"(?<![\w:]){re.escape(needle)}\s*\(", expr)
            if m:
                return m.start()
        for tok in tokens:
            if needle and tok.text == needle:
                return tok.pos
        if needle:
            at = expr.find(needle)
            if at >= 0:
                return at
    bad = _first_bad_token(expr, tokens)
    if bad is not None:
        return bad
    return len(expr.rstrip())


def caret_excerpt(expr: str, pos: int, *, width: int = 72) -> tuple[str, str]:
    """One line of ``expr`` around ``pos`` and a caret line pointing at it.

    Multi-line expressions show the line holding ``pos``; long lines are cut around it.
    """
    line_start = expr.rfind("\n", 0, pos) + 1
    line_end = expr.find("\n", pos)
    line = expr[line_start : line_end if line_end >= 0 else len(expr)]
    col = pos - line_start
    if len(line) > width:
        left = max(0, min(col - width // 2, len(line) - width))
        cut = line[left : left + width]
        prefix = "…" if left > 0 else ""
        suffix = "…" if left + width < len(line) else ""
        line = prefix + cut + suffix
        col = col - left + len(prefix)
    return line, " " * col + "^"


class PromQLSyntaxError(UsageError):
    """An expression that does not parse (exit 2), with where it broke."""

    def __init__(self, expr: str, reason: str, pos: int) -> None:
        line, caret = caret_excerpt(expr, pos)
        lineno = expr.count("\n", 0, pos) + 1
        col = pos - (expr.rfind("\n", 0, pos) + 1) + 1
        where = f"line {lineno}, column {col}" if "\n" in expr else f"column {col}"
        super().__init__(
            f"PromQL syntax error at {where}: {reason}\n    {line}\n    {caret}",
            hint="the expression was checked locally and not sent to the server",
        )
        self.expr = expr
        self.reason = reason
        self.pos = pos


def check_promql(expr: str) -> Any:
    """Parse ``expr`` offline and return the parsed AST.

    Raises:
        UsageError: an empty expression.
        PromQLSyntaxError: a syntax or type error, with the position where it broke.
    """
    if not expr.strip():
        raise UsageError("empty PromQL expression", hint="e.g. obsctl query 'up'")
    try:
        return _parse(expr)
    except ValueError as exc:
        reason = str(exc) or "invalid expression"
        pos = locate_error(expr, reason)
        if reason == "invalid promql query":
            # promql-parser's generic message: say what the position search found.
            at_end = pos >= len(expr.rstrip())
            reason = "unexpected end of input" if at_end else "unexpected token"
        raise PromQLSyntaxError(expr, reason, pos) from None


def metric_names(expr: str) -> list[str]:
    """Metric names selected by ``expr`` (order of appearance, de-duplicated).

    Used to pick human units (``_seconds``, ``_bytes``). Returns ``[]`` when it does not parse.
    """
    try:
        import promql_parser

        ast = _parse(expr)
    except (ValueError, ImportError):
        return []
    found: list[str] = []

    def visit(node: Any) -> None:
        name = getattr(node, "name", None)
        if isinstance(node, promql_parser.VectorSelector) and name and name not in found:
            found.append(str(name))
        for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, str | int | float):
                visit(child)
        for arg in getattr(node, "args", None) or []:
            visit(arg)

    visit(ast)
    return found
