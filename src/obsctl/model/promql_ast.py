"""The PromQL syntax tree: what ``obsctl.parsers.promql_parser.parse_expr`` returns.

The node types mirror Prometheus's ``promql/parser`` AST (``ast.go``) so that code written
against Prometheus's semantics (evaluation, selector extraction, printing) carries over:

=====================  ==========================================================
Prometheus             here
=====================  ==========================================================
``NumberLiteral``      :class:`NumberLiteral` (``duration`` as in Prometheus)
``StringLiteral``      :class:`StringLiteral`
``VectorSelector``     :class:`VectorSelector` (``matchers`` include ``__name__``)
``MatrixSelector``     :class:`MatrixSelector`
``SubqueryExpr``       :class:`SubqueryExpr`
``Call`` + Function    :class:`Call` + :class:`Function` (``FUNCTIONS``)
``AggregateExpr``      :class:`AggregateExpr`
``BinaryExpr``         :class:`BinaryExpr` + :class:`VectorMatching`
``UnaryExpr``          :class:`UnaryExpr`
``ParenExpr``          :class:`ParenExpr`
``StepInvariantExpr``  :class:`StepInvariantExpr` (never produced by the parser)
``DurationExpr``       :class:`DurationExpr`
=====================  ==========================================================

Differences from the Go types, all deliberate:

* Nodes are frozen, slotted dataclasses; the parser builds them bottom-up.
* Every node carries ``pos``, a :class:`PosRange` of **character** offsets into the query
  string (``str`` indices, end exclusive). Prometheus counts bytes; the two agree for ASCII.
* Durations (ranges, offsets, steps) are **float seconds**. Prometheus keeps nanosecond
  ``time.Duration`` values rounded from the same float; ``round(seconds * 1000)`` gives the
  millisecond value the engine works with.
* ``@`` timestamps are **int milliseconds** (``timestamp.FromFloatSeconds``), as in Prometheus.
* Operators are their PromQL spelling (``"+"``, ``"and"``, ``"atan2"``, ``"sum"``), not item
  type numbers.

This module is stdlib-only (it lives in ``model``) so that both the parser and the analysis
code (an evaluator, rule checks) can import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal, TypeAlias


class ValueType(StrEnum):
    """The type an expression evaluates to (Prometheus ``ValueType``)."""

    NONE = "none"
    VECTOR = "vector"
    SCALAR = "scalar"
    MATRIX = "matrix"
    STRING = "string"

    @property
    def documented(self) -> str:
        """The name the PromQL docs and error messages use (``DocumentedType``).

        >>> ValueType.MATRIX.documented
        'range vector'
        """
        return _DOCUMENTED.get(self, self.value)


_DOCUMENTED = {ValueType.VECTOR: "instant vector", ValueType.MATRIX: "range vector"}


@dataclass(frozen=True, slots=True)
class PosRange:
    """A half-open span ``[start, end)`` of character offsets into the query."""

    start: int
    end: int


# ----------------------------------------------------------------------------- functions


@dataclass(frozen=True, slots=True)
class Function:
    """A PromQL function's signature (Prometheus ``parser.Function``).

    ``variadic`` follows Prometheus: ``0`` means exactly ``len(arg_types)`` arguments; ``n > 0``
    means the last argument type may appear between zero and ``n`` times... precisely, between
    ``len(arg_types) - 1`` and ``len(arg_types) - 1 + n`` arguments; ``-1`` means any number of
    arguments from ``len(arg_types) - 1`` up, the extra ones of the last type.
    """

    name: str
    arg_types: tuple[ValueType, ...]
    return_type: ValueType
    variadic: int = 0
    experimental: bool = False

    @property
    def min_args(self) -> int:
        """Fewest arguments a call may have."""
        return len(self.arg_types) if self.variadic == 0 else len(self.arg_types) - 1

    @property
    def max_args(self) -> int | None:
        """Most arguments a call may have (``None``: unbounded)."""
        if self.variadic == 0:
            return len(self.arg_types)
        if self.variadic < 0:
            return None
        return len(self.arg_types) - 1 + self.variadic

    def arg_type(self, index: int) -> ValueType:
        """Expected type of argument ``index`` (variadic tails repeat the last type)."""
        return self.arg_types[min(index, len(self.arg_types) - 1)]


_V, _S, _M, _STR = ValueType.VECTOR, ValueType.SCALAR, ValueType.MATRIX, ValueType.STRING


def _functions() -> dict[str, Function]:
    out: dict[str, Function] = {}

    def fn(
        name: str,
        args: tuple[ValueType, ...],
        ret: ValueType = _V,
        *,
        variadic: int = 0,
        experimental: bool = False,
    ) -> None:
        out[name] = Function(name, args, ret, variadic, experimental)

    for name in [
        "abs",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atanh",
        "ceil",
        "cos",
        "cosh",
        "deg",
        "exp",
        "floor",
        "histogram_avg",
        "histogram_count",
        "histogram_sum",
        "histogram_stddev",
        "histogram_stdvar",
        "ln",
        "log10",
        "log2",
        "rad",
        "sgn",
        "sin",
        "sinh",
        "sort",
        "sort_desc",
        "sqrt",
        "tan",
        "tanh",
        "timestamp",
        "absent",
    ]:
        fn(name, (_V,))
    for name in [
        "absent_over_time",
        "avg_over_time",
        "changes",
        "count_over_time",
        "delta",
        "deriv",
        "first_over_time",
        "idelta",
        "increase",
        "irate",
        "last_over_time",
        "max_over_time",
        "min_over_time",
        "present_over_time",
        "rate",
        "resets",
        "stddev_over_time",
        "stdvar_over_time",
        "sum_over_time",
    ]:
        fn(name, (_M,))
    for name in [
        "days_in_month",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "hour",
        "minute",
        "month",
        "year",
    ]:
        fn(name, (_V,), variadic=1)
    for name in ["mad_over_time", "ts_of_first_over_time", "ts_of_max_over_time"]:
        fn(name, (_M,), experimental=True)
    for name in ["ts_of_min_over_time", "ts_of_last_over_time"]:
        fn(name, (_M,), experimental=True)
    for name in ("start", "end", "range", "step"):
        fn(name, (), _S, experimental=True)
    fn("min_of", (_S, _S), _S, experimental=True)
    fn("max_of", (_S, _S), _S, experimental=True)
    fn("clamp", (_V, _S, _S))
    fn("clamp_max", (_V, _S))
    fn("clamp_min", (_V, _S))
    fn("histogram_fraction", (_S, _S, _V))
    fn("histogram_quantile", (_S, _V))
    fn("histogram_quantiles", (_V, _STR, _S, _S), variadic=9, experimental=True)
    fn("double_exponential_smoothing", (_M, _S, _S), experimental=True)
    fn("info", (_V, _V), variadic=1, experimental=True)
    fn("label_replace", (_V, _STR, _STR, _STR, _STR))
    fn("label_join", (_V, _STR, _STR, _STR), variadic=-1)
    fn("pi", (), _S)
    fn("time", (), _S)
    fn("predict_linear", (_M, _S))
    fn("quantile_over_time", (_S, _M))
    fn("round", (_V, _S), variadic=1)
    fn("scalar", (_V,), _S)
    fn("vector", (_S,))
    fn("sort_by_label", (_V, _STR), variadic=-1, experimental=True)
    fn("sort_by_label_desc", (_V, _STR), variadic=-1, experimental=True)
    fn("start_timestamp", (_V,), experimental=True)
    return dict(sorted(out.items()))


FUNCTIONS: Mapping[str, Function] = _functions()
"""Every function Prometheus knows (``promql/parser/functions.go``), by name."""

AGGREGATORS: frozenset[str] = frozenset(
    [
        "avg",
        "bottomk",
        "count",
        "count_values",
        "group",
        "max",
        "min",
        "quantile",
        "stddev",
        "stdvar",
        "sum",
        "topk",
        "limitk",
        "limit_ratio",
    ]
)
"""Aggregation operators (``sum``, ``topk``, …)."""
AGGREGATORS_WITH_PARAM: frozenset[str] = frozenset(
    {"topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"}
)
"""Aggregators whose first argument is a parameter (``topk(3, x)``)."""
EXPERIMENTAL_AGGREGATORS: frozenset[str] = frozenset({"limitk", "limit_ratio"})
"""Aggregators behind ``--enable-feature=promql-experimental-functions``."""

BinaryOp: TypeAlias = Literal[
    "+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<=", "and", "or",
    "unless", "</", ">/",
]  # fmt: skip
COMPARISON_OPS: frozenset[str] = frozenset({"==", "!=", ">", "<", ">=", "<="})
SET_OPS: frozenset[str] = frozenset({"and", "or", "unless"})


# ----------------------------------------------------------------------------- matchers


class MatchOp(StrEnum):
    """A label matcher's operator."""

    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


@lru_cache(maxsize=1024)
def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^(?s:{pattern})$")


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    """``name op "value"`` inside a selector's braces; regexes are fully anchored."""

    name: str
    op: MatchOp
    value: str

    def matches(self, value: str) -> bool:
        """Whether a label value (``""`` for a missing label) satisfies this matcher.

        Regexes use Python's ``re`` (RE2 syntax is nearly a subset of it).

        >>> LabelMatcher("job", MatchOp.REGEX, "api|web").matches("web")
        True
        >>> LabelMatcher("job", MatchOp.NOT_EQUAL, "").matches("")
        False
        """
        if self.op is MatchOp.EQUAL:
            return value == self.value
        if self.op is MatchOp.NOT_EQUAL:
            return value != self.value
        hit = _anchored(self.value).match(value) is not None
        return hit if self.op is MatchOp.REGEX else not hit

    def __str__(self) -> str:
        return f"{format_label_name(self.name)}{self.op.value}{quote_string(self.value)}"


_LEGACY_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_LEGACY_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")


def quote_string(value: str) -> str:
    """``value`` as a double-quoted PromQL string literal (Go ``%q`` style).

    >>> quote_string('a"b\\n')
    '"a\\\\"b\\\\n"'
    """
    out = ['"']
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}


def format_label_name(name: str) -> str:
    """A label name as PromQL: bare when legacy-valid, else quoted (UTF-8 names)."""
    return name if _LEGACY_LABEL.match(name) else quote_string(name)


def format_metric_name(name: str) -> str:
    """A metric name as PromQL: bare when legacy-valid, else ``{"quoted"}`` style content."""
    return name if _LEGACY_METRIC.match(name) else quote_string(name)


# ----------------------------------------------------------------------------- nodes


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """A float literal; ``duration`` is set when it was written as a duration (``5m``)."""

    value: float
    pos: PosRange
    duration: bool = False

    @property
    def type(self) -> ValueType:
        return ValueType.SCALAR


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A string literal, unquoted (escapes resolved; backtick strings raw)."""

    value: str
    pos: PosRange

    @property
    def type(self) -> ValueType:
        return ValueType.STRING


DurationOp: TypeAlias = Literal["+", "-", "*", "/", "%", "^", "step", "range", "min_of", "max_of"]


@dataclass(frozen=True, slots=True)
class DurationExpr:
    """Arithmetic on durations, inside ``[…]`` and after ``offset`` (Prometheus ≥ 3.4).

    * binary ``+ - * / % ^``: ``lhs`` and ``rhs`` set;
    * unary minus: ``op="-"``, ``lhs=None``; Prometheus also represents a parenthesised
      plain literal ``(5m)`` as ``op="+"`` with ``lhs=None`` and ``wrapped=True``;
    * ``step()`` / ``range()``: both operands ``None`` (the query step / range at evaluation);
    * ``min_of(a, b)`` / ``max_of(a, b)``: ``lhs`` and ``rhs`` are the arguments.

    Operands are :class:`NumberLiteral` (seconds) or nested :class:`DurationExpr`.
    """

    op: DurationOp
    lhs: NumberLiteral | DurationExpr | None
    rhs: NumberLiteral | DurationExpr | None
    pos: PosRange
    wrapped: bool = False

    @property
    def type(self) -> ValueType:
        return ValueType.SCALAR


DurationValue: TypeAlias = NumberLiteral | DurationExpr
"""A range, step or offset as written: a literal (seconds) or a duration expression."""


AtPreprocessor: TypeAlias = Literal["start", "end"]


@dataclass(frozen=True, slots=True)
class VectorSelector:
    """An instant vector selector, ``name{matchers} offset … @ …``.

    ``matchers`` holds every matcher, the ``__name__="name"`` one included (last, as
    Prometheus appends it); ``name`` is the bare name before the braces, or ``None``.
    Offsets and ``@`` written after a range (``x[5m] offset 1h``) are stored here too, as in
    Prometheus.
    """

    name: str | None
    matchers: tuple[LabelMatcher, ...]
    pos: PosRange
    offset: float = 0.0
    """Offset in seconds (negative looks ahead); 0 when absent or given by ``offset_expr``."""
    offset_expr: DurationExpr | None = None
    timestamp: int | None = None
    """``@`` time in milliseconds since the epoch."""
    start_or_end: AtPreprocessor | None = None
    """``@ start()`` / ``@ end()``."""
    anchored: bool = False
    smoothed: bool = False

    @property
    def type(self) -> ValueType:
        return ValueType.VECTOR

    def metric_name(self) -> str | None:
        """The selected metric name: ``name`` or an ``__name__="…"`` equality matcher."""
        if self.name is not None:
            return self.name
        for m in self.matchers:
            if m.name == "__name__" and m.op is MatchOp.EQUAL:
                return m.value
        return None


@dataclass(frozen=True, slots=True)
class MatrixSelector:
    """A range vector selector ``selector[range]``."""

    vector_selector: VectorSelector
    range: float
    """Range in seconds (0 when given by ``range_expr``)."""
    pos: PosRange
    range_expr: DurationExpr | None = None

    @property
    def type(self) -> ValueType:
        return ValueType.MATRIX


@dataclass(frozen=True, slots=True)
class SubqueryExpr:
    """``expr[range:step]`` with its own offset and ``@``."""

    expr: Expr
    range: float
    """Seconds (0 when given by ``range_expr``)."""
    pos: PosRange
    range_expr: DurationExpr | None = None
    step: float = 0.0
    """Seconds; 0 means the evaluation's default step."""
    step_expr: DurationExpr | None = None
    offset: float = 0.0
    offset_expr: DurationExpr | None = None
    timestamp: int | None = None
    start_or_end: AtPreprocessor | None = None

    @property
    def type(self) -> ValueType:
        return ValueType.MATRIX


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``func`` carries the signature (argument and return types)."""

    func: Function
    args: tuple[Expr, ...]
    pos: PosRange

    @property
    def type(self) -> ValueType:
        return self.func.return_type


@dataclass(frozen=True, slots=True)
class AggregateExpr:
    """``op [by|without (grouping)] ([param,] expr)``."""

    op: str
    expr: Expr
    pos: PosRange
    param: Expr | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False

    @property
    def type(self) -> ValueType:
        return ValueType.VECTOR


class Cardinality(StrEnum):
    """Vector matching cardinality."""

    ONE_TO_ONE = "one-to-one"
    MANY_TO_ONE = "many-to-one"
    ONE_TO_MANY = "one-to-many"
    MANY_TO_MANY = "many-to-many"


@dataclass(frozen=True, slots=True)
class VectorMatching:
    """How the two sides of a vector/vector binary operation are matched.

    ``on`` tells whether ``matching_labels`` came from ``on(…)`` (else ``ignoring(…)`` or
    nothing); ``include`` is the ``group_left/right(…)`` label list. Set operators always get
    ``MANY_TO_MANY``. ``fill_lhs``/``fill_rhs`` are the ``fill*()`` modifier values.
    """

    card: Cardinality = Cardinality.ONE_TO_ONE
    matching_labels: tuple[str, ...] = ()
    on: bool = False
    include: tuple[str, ...] = ()
    fill_lhs: float | None = None
    fill_rhs: float | None = None


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    """``lhs op [bool] [on|ignoring(…) [group_left|group_right(…)]] [fill…] rhs``.

    ``matching`` is ``None`` unless both sides are instant vectors (as Prometheus sets it).
    """

    op: BinaryOp
    lhs: Expr
    rhs: Expr
    pos: PosRange
    matching: VectorMatching | None = None
    return_bool: bool = False

    @property
    def type(self) -> ValueType:
        return _binary_type(self)


@dataclass(frozen=True, slots=True)
class UnaryExpr:
    """``-expr`` or ``+expr`` (a signed number literal is folded into the literal instead)."""

    op: Literal["+", "-"]
    expr: Expr
    pos: PosRange

    @property
    def type(self) -> ValueType:
        return _unwrapped_type(self.expr)


@dataclass(frozen=True, slots=True)
class ParenExpr:
    """``( expr )``."""

    expr: Expr
    pos: PosRange

    @property
    def type(self) -> ValueType:
        return _unwrapped_type(self.expr)


@dataclass(frozen=True, slots=True)
class StepInvariantExpr:
    """Marks a subtree whose value is the same at every step (Prometheus's
    ``PreprocessExpr`` wraps ``@``-pinned selectors this way). The parser never builds it; an
    evaluator may."""

    expr: Expr

    @property
    def pos(self) -> PosRange:
        return self.expr.pos

    @property
    def type(self) -> ValueType:
        return self.expr.type


Expr: TypeAlias = (
    NumberLiteral
    | StringLiteral
    | VectorSelector
    | MatrixSelector
    | SubqueryExpr
    | Call
    | AggregateExpr
    | BinaryExpr
    | UnaryExpr
    | ParenExpr
    | StepInvariantExpr
    | DurationExpr
)
"""Any expression node."""


def _unwrapped_type(node: Expr) -> ValueType:
    while isinstance(node, ParenExpr | UnaryExpr | StepInvariantExpr):
        node = node.expr
    return _binary_type(node) if isinstance(node, BinaryExpr) else node.type


def _binary_type(node: BinaryExpr) -> ValueType:
    """A binary expression is a scalar when all its leaves are; computed without recursion
    (operator chains can be tens of thousands deep)."""
    stack: list[Expr] = [node]
    while stack:
        current = stack.pop()
        while isinstance(current, ParenExpr | UnaryExpr | StepInvariantExpr):
            current = current.expr
        if isinstance(current, BinaryExpr):
            stack.append(current.lhs)
            stack.append(current.rhs)
        elif current.type is not ValueType.SCALAR:
            return ValueType.VECTOR
    return ValueType.SCALAR


def children(node: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions, in source order (Prometheus ``Children``; duration
    expressions inside ranges and offsets are not children, as in Prometheus)."""
    if isinstance(node, BinaryExpr):
        return (node.lhs, node.rhs)
    if isinstance(node, AggregateExpr):
        return (node.param, node.expr) if node.param is not None else (node.expr,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, MatrixSelector):
        return (node.vector_selector,)
    if isinstance(node, SubqueryExpr | ParenExpr | UnaryExpr | StepInvariantExpr):
        return (node.expr,)
    if isinstance(node, DurationExpr):
        return tuple(x for x in (node.lhs, node.rhs) if x is not None)
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, depth first, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def selectors(node: Expr) -> list[VectorSelector]:
    """Every vector selector in the tree, in source order."""
    return [n for n in walk(node) if isinstance(n, VectorSelector)]


def metric_names(node: Expr) -> list[str]:
    """Metric names the expression selects, de-duplicated, in source order."""
    seen: dict[str, None] = {}
    for sel in selectors(node):
        name = sel.metric_name()
        if name is not None:
            seen.setdefault(name)
    return list(seen)
