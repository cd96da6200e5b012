"""Offline PromQL syntax check, with the position where an expression broke.

The grammar is Prometheus's own, ported to Python in :mod:`obsctl.parsers.promql_parser`
(every parser feature flag on: what the newest Prometheus accepts is accepted here). Errors
carry Prometheus's message and position; this module turns them into one clear message with
a caret under the place where the expression broke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.model.promql_ast import Expr


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
        where = _where(expr, pos)
        hint = "the expression was checked locally and not sent to the server"
        kind = _UNCLOSED.get(reason)
        opener = _unclosed_opener(expr, kind) if kind is not None else None
        if opener is not None:
            hint = f"the unclosed {expr[opener]!r} is at {_where(expr, opener)}; {hint}"
        super().__init__(
            f"PromQL syntax error at {where}: {reason}\n    {line}\n    {caret}", hint=hint
        )
        self.expr = expr
        self.reason = reason
        self.pos = pos


# The lexer's messages for input that ends inside brackets, and the bracket each one names.
_UNCLOSED = {
    "unclosed left parenthesis": "(",
    "unclosed left bracket": "[",
    "unexpected end of input inside braces": "{",
}


def _where(expr: str, pos: int) -> str:
    lineno = expr.count("\n", 0, pos) + 1
    col = pos - (expr.rfind("\n", 0, pos) + 1) + 1
    return f"line {lineno}, column {col}" if "\n" in expr else f"column {col}"


def _unclosed_opener(expr: str, kind: str) -> int | None:
    """Offset of the innermost ``kind`` bracket left open at the end of ``expr``."""
    from obsctl.parsers.promql_lexer import tokenize

    stack: list[int] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for tok in tokenize(expr):
        if tok.kind in ("(", "[", "{"):
            stack.append(tok.pos)
        elif tok.kind in pairs and stack and expr[stack[-1]] == pairs[tok.kind]:
            stack.pop()
    return next((pos for pos in reversed(stack) if expr[pos] == kind), None)


def check_promql(expr: str) -> Expr:
    """Parse ``expr`` offline and return its syntax tree.

    Raises:
        UsageError: an empty expression.
        PromQLSyntaxError: a syntax or type error, with the position where it broke.
    """
    if not expr.strip():
        raise UsageError("empty PromQL expression", hint="e.g. obsctl query 'up'")
    from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

    try:
        return parse_expr(expr)
    except PromQLParseError as exc:
        first = exc.first
        raise PromQLSyntaxError(expr, first.message, first.pos.start) from None


def metric_names(expr: str) -> list[str]:
    """Metric names selected by ``expr`` (order of appearance, de-duplicated).

    Used to pick human units (``_seconds``, ``_bytes``). Returns ``[]`` when it does not parse.
    """
    from obsctl.model.promql_ast import metric_names as names_in
    from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

    try:
        return names_in(parse_expr(expr))
    except PromQLParseError:
        return []


def check_selector(selector: str) -> None:
    """Check a series selector (``match[]``) offline, as Prometheus parses it.

    Raises:
        UsageError: an empty selector.
        PromQLSyntaxError: not a selector (``up + 1``, ``rate(x[5m])``), or a bad one.
    """
    if not selector.strip():
        raise UsageError("empty series selector", hint="e.g. 'up{job=\"api\"}'")
    from obsctl.parsers.promql_parser import PromQLParseError, parse_metric_selector

    try:
        parse_metric_selector(selector)
    except PromQLParseError as exc:
        first = exc.first
        raise PromQLSyntaxError(selector, first.message, first.pos.start) from None
