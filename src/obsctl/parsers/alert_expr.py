"""Alert expressions → the metric selectors behind them, for exemplar and series queries.

Exemplars hang off the raw series an alert is computed from: the ``_bucket`` series of a
classic histogram (``histogram_quantile(0.99, rate(x_bucket[5m]))``), the native histogram
itself, or a ``_total`` counter. An expression over ``x_sum``/``x_count`` (an average
latency) has its exemplars on ``x_bucket``, so those are mapped there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from obsctl.errors import ParseError
from obsctl.model.findings import Location
from obsctl.model.promql_ast import (
    BinaryExpr,
    Call,
    MatchOp,
    NumberLiteral,
    ParenExpr,
    VectorSelector,
    children,
)

if TYPE_CHECKING:
    from obsctl.model.promql_ast import Expr

Matcher = tuple[str, str, str]
"""``(label, op, value)`` with op one of ``=``, ``!=``, ``=~``, ``!~``."""

_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
_COMPARISONS = {">", ">=", "<", "<="}
_UNIT_NS = (
    ("nanoseconds", 1),
    ("microseconds", 1_000),
    ("milliseconds", 1_000_000),
    ("seconds", 1_000_000_000),
)


@dataclass(frozen=True, slots=True)
class MetricSelector:
    """A vector selector found in an expression.

    Attributes:
        name: metric name (``None`` when selected by matchers only).
        matchers: label matchers besides the name.
        functions: names of the enclosing function calls, innermost first.
    """

    name: str | None
    matchers: tuple[Matcher, ...]
    functions: tuple[str, ...] = ()

    def promql(self) -> str:
        """The selector as PromQL (values escaped).

        >>> MetricSelector("x_bucket", (("job", "=", 'a"b'),)).promql()
        'x_bucket{job="a\\\\"b"}'
        """
        inner = ",".join(f"{k}{op}{_quote(v)}" for k, op, v in self.matchers)
        if self.name is None:
            return "{" + inner + "}"
        return f"{self.name}{{{inner}}}" if inner else self.name


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def parse_alert_expr(expr: str, *, location: Location | None = None) -> Expr:
    """Parse PromQL, raising ``ParseError`` (exit 2) with the rule's location on failure."""
    from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

    try:
        return parse_expr(expr)
    except PromQLParseError as exc:
        raise ParseError(f"invalid PromQL in alert expression: {exc}", location=location) from None


def extract_selectors(expr: str, *, location: Location | None = None) -> list[MetricSelector]:
    """Every vector selector of ``expr``, in source order, with its enclosing functions.

    Raises:
        ParseError: ``expr`` is not valid PromQL.
    """
    root = parse_alert_expr(expr, location=location)
    found: list[MetricSelector] = []
    stack: list[tuple[Expr, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, funcs = stack.pop()
        if isinstance(node, VectorSelector):
            found.append(_selector_of(node, funcs))
            continue
        inner = (node.func.name, *funcs) if isinstance(node, Call) else funcs
        # Reverse so the stack pops children left to right (source order).
        stack.extend((child, inner) for child in reversed(children(node)))
    return found


def _selector_of(vs: VectorSelector, funcs: tuple[str, ...]) -> MetricSelector:
    name = vs.name
    matchers: list[Matcher] = []
    for m in vs.matchers:
        if m.name == "__name__" and m.op is MatchOp.EQUAL and (name is None or m.value == name):
            name = m.value
            continue
        matchers.append((m.name, m.op.value, m.value))
    return MetricSelector(name, tuple(matchers), funcs)


def _base_name(name: str) -> tuple[str, str]:
    for suffix in _HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def exemplar_selectors(expr: str, *, location: Location | None = None) -> list[str]:
    """Selectors whose series can carry the exemplars of ``expr``'s alert, de-duplicated.

    ``le`` and ``quantile`` matchers are dropped (exemplars sit on every bucket); ``x_sum``
    and ``x_count`` add ``x_bucket`` with the same matchers.

    >>> exemplar_selectors(
    ...     'histogram_quantile(0.99, sum by (le) (rate(http_seconds_bucket{job="api"}[5m]))) > 0.4'
    ... )
    ['http_seconds_bucket{job="api"}']
    >>> exemplar_selectors("rate(x_sum[5m]) / rate(x_count[5m])")
    ['x_bucket', 'x_sum', 'x_count']

    Raises:
        ParseError: ``expr`` is not valid PromQL.
    """
    out: list[str] = []
    for sel in extract_selectors(expr, location=location):
        if sel.name is None and not sel.matchers:
            continue
        matchers = tuple(m for m in sel.matchers if m[0] not in ("le", "quantile"))
        names: list[str | None] = [sel.name]
        if sel.name is not None:
            base, suffix = _base_name(sel.name)
            if suffix in ("_sum", "_count"):
                names = [base + "_bucket", sel.name]
        for name in names:
            text = MetricSelector(name, matchers).promql()
            if text not in out:
                out.append(text)
    return out


def duration_unit_ns(metric_name: str) -> int | None:
    """Nanoseconds per unit of a duration metric's values, from its name; ``None`` if not one.

    >>> duration_unit_ns("http_server_request_duration_seconds_bucket")
    1000000000
    >>> duration_unit_ns("rpc_latency_milliseconds_bucket")
    1000000
    >>> duration_unit_ns("http_requests_total") is None
    True
    """
    base, _ = _base_name(metric_name)
    for unit, ns in _UNIT_NS:
        if base.endswith("_" + unit) or f"_{unit}_" in base:
            return ns
    if re.search(r"(^|_)(ms)$", base):
        return 1_000_000
    if re.search(r"(^|_)(duration|latency)($|_)", base):
        return 1_000_000_000  # Prometheus convention: base unit seconds
    return None


def latency_threshold(expr: str, *, location: Location | None = None) -> timedelta | None:
    """The latency an alert compares against, when it reads as one.

    ``histogram_quantile(0.99, rate(x_seconds_bucket[5m])) > 0.4`` → 400 ms. Only ``>`` and
    ``>=`` (or the mirrored ``<``/``<=`` with the number first) against a duration metric
    count; anything else gives ``None``.

    Raises:
        ParseError: ``expr`` is not valid PromQL.
    """
    root = parse_alert_expr(expr, location=location)
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ParenExpr):
            stack.append(node.expr)
            continue
        if not isinstance(node, BinaryExpr):
            continue
        op = node.op
        if op in _COMPARISONS:
            lhs, rhs = node.lhs, node.rhs
            number: float | None = None
            other: Expr | None = None
            if isinstance(rhs, NumberLiteral) and op in (">", ">="):
                number, other = rhs.value, lhs
            elif isinstance(lhs, NumberLiteral) and op in ("<", "<="):
                number, other = lhs.value, rhs
            if number is not None and other is not None:
                unit = _duration_unit_of(other)
                if unit is not None and number > 0:
                    return timedelta(microseconds=number * unit / 1000)
        if op in ("and", "unless", "or"):
            stack.extend([node.rhs, node.lhs])
    return None


def _duration_unit_of(node: Expr) -> int | None:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, VectorSelector) and cur.name:
            unit = duration_unit_ns(cur.name)
            if unit is not None:
                return unit
        stack.extend(children(cur))
    return None
