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

* Nodes are read-only slotted records (``model.record.Record``); the parser builds them bottom-up.
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

import math
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from functools import cache, lru_cache
from typing import Final, Literal, TypeAlias

from obsctl.model.record import Record

_set = object.__setattr__


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


class PosRange(Record):
    """A half-open span ``[start, end)`` of character offsets into the query."""

    __match_args__ = ("start", "end")
    __slots__ = __match_args__

    start: int
    end: int

    def __init__(self, start: int, end: int) -> None:
        _set(self, "start", start)
        _set(self, "end", end)


# ----------------------------------------------------------------------------- functions


class Function(Record):
    """A PromQL function's signature (Prometheus ``parser.Function``).

    ``variadic`` follows Prometheus: ``0`` means exactly ``len(arg_types)`` arguments; ``n > 0``
    means between ``len(arg_types) - 1`` and ``len(arg_types) - 1 + n`` arguments; ``-1`` means
    ``len(arg_types) - 1`` or more. Arguments past the list take the last type
    (:meth:`arg_type`). ``experimental`` functions need
    ``--enable-feature=promql-experimental-functions`` on the server.
    """

    __match_args__ = ("name", "arg_types", "return_type", "variadic", "experimental")
    __slots__ = __match_args__

    name: str
    arg_types: tuple[ValueType, ...]
    return_type: ValueType
    variadic: int
    experimental: bool

    def __init__(
        self,
        name: str,
        arg_types: tuple[ValueType, ...],
        return_type: ValueType,
        variadic: int = 0,
        experimental: bool = False,
    ) -> None:
        _set(self, "name", name)
        _set(self, "arg_types", arg_types)
        _set(self, "return_type", return_type)
        _set(self, "variadic", variadic)
        _set(self, "experimental", experimental)

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


@lru_cache(maxsize=1024)  # matchers repeat their patterns; compiled once each
def compile_matcher_regex(pattern: str) -> re.Pattern[str]:
    """A label matcher's regex, fully anchored as Prometheus anchors it (``^(?s:…)$``).

    Prometheus uses Go's RE2 syntax; :func:`re2_to_python` translates what Python's ``re``
    spells differently. Raises ``re.error`` for a pattern neither accepts.
    """
    return re.compile(f"^(?s:{re2_to_python(pattern)})$")


_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_INLINE_FLAGS = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?)\)")


def re2_to_python(pattern: str) -> str:
    """Translate RE2 syntax that Python's ``re`` spells differently.

    * inline flags anywhere (``a(?i)b``) apply to the rest of the group in RE2; Python allows
      them only at the start, so they become scoped groups (``a(?i:b)``), re-opened after
      each ``|`` of that group;
    * ``\\z`` (end of text) is Python's ``\\Z``; ``\\Q…\\E`` quotes literally;
      ``\\x{…}`` (any number of hex digits) is the character itself;
    * POSIX classes inside brackets (``[[:alpha:]]``), and a ``-`` after a class escape
      (``[\\d-z]``) is a literal ``-``;
    * ``(?<name>…)`` is Python's ``(?P<name>…)``; a repeated assertion (``^*``) is grouped,
      since Python has nothing to repeat there; a brace that does not start an RE2 count
      (``a{,5}``, ``a{01}``: Python reads both as counts) is a literal brace;
    * a negated POSIX class inside brackets (``[[:^digit:]]``) is spelled out as ranges.

    >>> re2_to_python(".*((?i)duc).*")
    '.*((?i:duc)).*'
    >>> re2_to_python("x(?i)a|b")
    'x(?i:a)|(?i:b)'
    >>> re2_to_python("[[:digit:]_]+")
    '[0-9_]+'
    """
    out: list[str] = []
    # Per open group: the inline flags in force that were opened as scoped groups.
    scopes: list[list[str]] = [[]]
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if pattern.startswith("\\Q", i):
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : end if end >= 0 else n]
                out.append(re.escape(literal))
                i = end + 2 if end >= 0 else n
                continue
            escape, end = _escape_at(pattern, i)
            out.append(_assertion(_ESCAPES_TO_PYTHON.get(escape, escape), pattern, end))
            i = end
            continue
        if ch in "^$":
            out.append(_assertion(ch, pattern, i + 1))
            i += 1
            continue
        if ch == "{" and _COUNTS.match(pattern, i) is None:
            out.append("\\{")  # not a repeat in RE2 (a{,5}, a{01}): the brace itself
            i += 1
            continue
        if pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            scopes.append([])  # a named group, (?<name>…) in RE2, (?P<name>…) in Python
            out.append("(?P<")
            i += 3
            continue
        if ch == "[":
            i = _copy_class(pattern, i, out)
            continue
        if ch == "(":
            m = _INLINE_FLAGS.match(pattern, i)
            if m is not None and m.group(1):
                # RE2's ungreedy flag has no Python spelling: dropped.
                flags = m.group(1).replace("U", "")
                if flags and flags != "-":
                    out.append(f"(?{flags}:")
                    scopes[-1].append(flags)
                i = m.end()
                continue
            scopes.append([])
            out.append("(")
            i += 1
            continue
        if ch == ")":
            if len(scopes) > 1:
                out.append(")" * len(scopes.pop()))
            out.append(")")
            i += 1
            continue
        if ch == "|" and scopes[-1]:
            flags = scopes[-1]
            out.append(")" * len(flags) + "|" + "".join(f"(?{f}:" for f in flags))
            i += 1
            continue
        out.append(ch)
        i += 1
    out.append(")" * len(scopes[0]))
    return "".join(out)


_ESCAPES_TO_PYTHON: Final = {"\\z": "\\Z"}
_ZERO_WIDTH: Final = frozenset({"^", "$", "\\b", "\\B", "\\A", "\\Z"})
_COUNTS: Final = re.compile(r"\{(?:0|[1-9][0-9]*)(?:,(?:0|[1-9][0-9]*)?)?\}")
"""A repeat count as RE2 reads one (no leading zeros, no empty minimum)."""
_REPEAT: Final = re.compile(f"[*+?]|{_COUNTS.pattern}")


def _escape_at(pattern: str, i: int) -> tuple[str, int]:
    """The escape at ``pattern[i]`` as Python spells it, and where it ends: ``\\x{…}`` (any
    number of hex digits in RE2) becomes the character itself."""
    if pattern.startswith("\\x{", i):
        end = pattern.find("}", i + 3)
        if end > i + 3:
            try:
                return re.escape(chr(int(pattern[i + 3 : end], 16))), end + 1
            except ValueError:
                pass  # not hex, or past U+10FFFF: left for re.compile to refuse
    return pattern[i : i + 2], i + 2


def _assertion(token: str, pattern: str, after: int) -> str:
    """``token`` as Python spells it; a zero-width assertion that a repeat follows (``^*``,
    valid in RE2) in a group, since Python has nothing to repeat there."""
    if token in _ZERO_WIDTH and _REPEAT.match(pattern, after):
        return f"(?:{token})"
    return token


@cache
def _negated_posix(name: str) -> str:
    """``[:^name:]`` inside brackets, which Python cannot negate in place: the ranges of every
    other character."""
    inside = {c for c in range(128) if re.fullmatch(f"[{_POSIX_CLASSES[name]}]", chr(c))}
    ranges = []
    start = 0
    for c in sorted(inside):
        if c > start:
            ranges.append((start, c - 1))
        start = c + 1
    ranges.append((start, 0x10FFFF))
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


def _copy_class(pattern: str, i: int, out: list[str]) -> int:
    """Copy the bracket expression at ``pattern[i]``; return the index after it."""
    n = len(pattern)
    j = i + 1
    parts = ["["]
    if j < n and pattern[j] == "^":
        parts.append("^")
        j += 1
    if j < n and pattern[j] == "]":
        parts.append("\\]")
        j += 1
    while j < n and pattern[j] != "]":
        if pattern.startswith("[:", j):
            k = pattern.find(":]", j + 2)
            name = pattern[j + 2 : k] if k > 0 else ""
            if name in _POSIX_CLASSES:
                parts.append(_POSIX_CLASSES[name])
                j = k + 2
                continue
            if name[:1] == "^" and name[1:] in _POSIX_CLASSES:
                parts.append(_negated_posix(name[1:]))
                j = k + 2
                continue
        if pattern[j] == "\\":
            escape, j = _escape_at(pattern, j)
            parts.append(escape)
            if (
                escape[1:] in ("d", "D", "s", "S", "w", "W")
                and pattern.startswith("-", j)
                and j + 1 < n
            ):
                parts.append("\\-")  # [\d-z]: no range from a class in RE2, a literal -
                j += 1
            continue
        parts.append("\\[" if pattern[j] == "[" else pattern[j])
        j += 1
    if j >= n:  # unterminated: leave it to re.compile to complain
        out.append(pattern[i:])
        return n
    parts.append("]")
    out.append("".join(parts))
    return j + 1


class LabelMatcher(Record):
    """``name op "value"`` inside a selector's braces; regexes are fully anchored."""

    __match_args__ = ("name", "op", "value")
    __slots__ = __match_args__

    name: str
    op: MatchOp
    value: str

    def __init__(self, name: str, op: MatchOp, value: str) -> None:
        _set(self, "name", name)
        _set(self, "op", op)
        _set(self, "value", value)

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
        hit = compile_matcher_regex(self.value).match(value) is not None
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
        elif "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8 (surrogate escape)
            out.append(f"\\x{ord(ch) & 0xFF:02x}")
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


class NumberLiteral(Record):
    """A float literal; ``duration`` is set when it was written as a duration (``5m``)."""

    __match_args__ = ("value", "pos", "duration")
    __slots__ = __match_args__

    value: float
    pos: PosRange
    duration: bool

    def __init__(self, value: float, pos: PosRange, duration: bool = False) -> None:
        _set(self, "value", value)
        _set(self, "pos", pos)
        _set(self, "duration", duration)

    @property
    def type(self) -> ValueType:
        return ValueType.SCALAR


class StringLiteral(Record):
    """A string literal, unquoted (escapes resolved; backtick strings raw)."""

    __match_args__ = ("value", "pos")
    __slots__ = __match_args__

    value: str
    pos: PosRange

    def __init__(self, value: str, pos: PosRange) -> None:
        _set(self, "value", value)
        _set(self, "pos", pos)

    @property
    def type(self) -> ValueType:
        return ValueType.STRING


DurationOp: TypeAlias = Literal["+", "-", "*", "/", "%", "^", "step", "range", "min_of", "max_of"]


class DurationExpr(Record):
    """Arithmetic on durations, inside ``[…]`` and after ``offset`` (Prometheus ≥ 3.4).

    * binary ``+ - * / % ^``: ``lhs`` and ``rhs`` set;
    * unary minus: ``op="-"``, ``lhs=None``; Prometheus also represents a parenthesised
      plain literal ``(5m)`` as ``op="+"`` with ``lhs=None`` and ``wrapped=True``;
    * ``step()`` / ``range()``: both operands ``None`` (the query step / range at evaluation);
    * ``min_of(a, b)`` / ``max_of(a, b)``: ``lhs`` and ``rhs`` are the arguments.

    Operands are :class:`NumberLiteral` (seconds) or nested :class:`DurationExpr`.
    """

    __match_args__ = ("op", "lhs", "rhs", "pos", "wrapped")
    __slots__ = __match_args__

    op: DurationOp
    lhs: NumberLiteral | DurationExpr | None
    rhs: NumberLiteral | DurationExpr | None
    pos: PosRange
    wrapped: bool

    def __init__(
        self,
        op: DurationOp,
        lhs: NumberLiteral | DurationExpr | None,
        rhs: NumberLiteral | DurationExpr | None,
        pos: PosRange,
        wrapped: bool = False,
    ) -> None:
        _set(self, "op", op)
        _set(self, "lhs", lhs)
        _set(self, "rhs", rhs)
        _set(self, "pos", pos)
        _set(self, "wrapped", wrapped)

    @property
    def type(self) -> ValueType:
        return ValueType.SCALAR


DurationValue: TypeAlias = NumberLiteral | DurationExpr
"""A range, step or offset as written: a literal (seconds) or a duration expression."""


AtPreprocessor: TypeAlias = Literal["start", "end"]


class VectorSelector(Record):
    """An instant vector selector, ``name{matchers} offset … @ …``.

    ``matchers`` holds every matcher, the ``__name__="name"`` one included (last, as
    Prometheus appends it); ``name`` is the bare name before the braces, or ``None``.
    Offsets and ``@`` written after a range (``x[5m] offset 1h``) are stored here too, as in
    Prometheus.
    """

    __match_args__ = (
        "name",
        "matchers",
        "pos",
        "offset",
        "offset_expr",
        "timestamp",
        "start_or_end",
        "anchored",
        "smoothed",
    )
    __slots__ = __match_args__

    name: str | None
    matchers: tuple[LabelMatcher, ...]
    pos: PosRange
    offset: float
    """Offset in seconds (negative looks ahead); 0 when absent or given by ``offset_expr``."""
    offset_expr: DurationExpr | None
    timestamp: int | None
    """``@`` time in milliseconds since the epoch."""
    start_or_end: AtPreprocessor | None
    """``@ start()`` / ``@ end()``."""
    anchored: bool
    smoothed: bool

    def __init__(
        self,
        name: str | None,
        matchers: tuple[LabelMatcher, ...],
        pos: PosRange,
        offset: float = 0.0,
        offset_expr: DurationExpr | None = None,
        timestamp: int | None = None,
        start_or_end: AtPreprocessor | None = None,
        anchored: bool = False,
        smoothed: bool = False,
    ) -> None:
        _set(self, "name", name)
        _set(self, "matchers", matchers)
        _set(self, "pos", pos)
        _set(self, "offset", offset)
        _set(self, "offset_expr", offset_expr)
        _set(self, "timestamp", timestamp)
        _set(self, "start_or_end", start_or_end)
        _set(self, "anchored", anchored)
        _set(self, "smoothed", smoothed)

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


class MatrixSelector(Record):
    """A range vector selector ``selector[range]``."""

    __match_args__ = ("vector_selector", "range", "pos", "range_expr")
    __slots__ = __match_args__

    vector_selector: VectorSelector
    range: float
    """Range in seconds (0 when given by ``range_expr``)."""
    pos: PosRange
    range_expr: DurationExpr | None

    def __init__(
        self,
        vector_selector: VectorSelector,
        range: float,
        pos: PosRange,
        range_expr: DurationExpr | None = None,
    ) -> None:
        _set(self, "vector_selector", vector_selector)
        _set(self, "range", range)
        _set(self, "pos", pos)
        _set(self, "range_expr", range_expr)

    @property
    def type(self) -> ValueType:
        return ValueType.MATRIX


class SubqueryExpr(Record):
    """``expr[range:step]`` with its own offset and ``@``."""

    __match_args__ = (
        "expr",
        "range",
        "pos",
        "range_expr",
        "step",
        "step_expr",
        "offset",
        "offset_expr",
        "timestamp",
        "start_or_end",
    )
    __slots__ = __match_args__

    expr: Expr
    range: float
    """Seconds (0 when given by ``range_expr``)."""
    pos: PosRange
    range_expr: DurationExpr | None
    step: float
    """Seconds; 0 means the evaluation's default step."""
    step_expr: DurationExpr | None
    offset: float
    offset_expr: DurationExpr | None
    timestamp: int | None
    start_or_end: AtPreprocessor | None

    def __init__(
        self,
        expr: Expr,
        range: float,
        pos: PosRange,
        range_expr: DurationExpr | None = None,
        step: float = 0.0,
        step_expr: DurationExpr | None = None,
        offset: float = 0.0,
        offset_expr: DurationExpr | None = None,
        timestamp: int | None = None,
        start_or_end: AtPreprocessor | None = None,
    ) -> None:
        _set(self, "expr", expr)
        _set(self, "range", range)
        _set(self, "pos", pos)
        _set(self, "range_expr", range_expr)
        _set(self, "step", step)
        _set(self, "step_expr", step_expr)
        _set(self, "offset", offset)
        _set(self, "offset_expr", offset_expr)
        _set(self, "timestamp", timestamp)
        _set(self, "start_or_end", start_or_end)

    @property
    def type(self) -> ValueType:
        return ValueType.MATRIX


class Call(Record):
    """A function call; ``func`` carries the signature (argument and return types)."""

    __match_args__ = ("func", "args", "pos")
    __slots__ = __match_args__

    func: Function
    args: tuple[Expr, ...]
    pos: PosRange

    def __init__(self, func: Function, args: tuple[Expr, ...], pos: PosRange) -> None:
        _set(self, "func", func)
        _set(self, "args", args)
        _set(self, "pos", pos)

    @property
    def type(self) -> ValueType:
        return self.func.return_type


class AggregateExpr(Record):
    """``op [by|without (grouping)] ([param,] expr)``."""

    __match_args__ = ("op", "expr", "pos", "param", "grouping", "without")
    __slots__ = __match_args__

    op: str
    expr: Expr
    pos: PosRange
    param: Expr | None
    grouping: tuple[str, ...]
    without: bool

    def __init__(
        self,
        op: str,
        expr: Expr,
        pos: PosRange,
        param: Expr | None = None,
        grouping: tuple[str, ...] = (),
        without: bool = False,
    ) -> None:
        _set(self, "op", op)
        _set(self, "expr", expr)
        _set(self, "pos", pos)
        _set(self, "param", param)
        _set(self, "grouping", grouping)
        _set(self, "without", without)

    @property
    def type(self) -> ValueType:
        return ValueType.VECTOR


class Cardinality(StrEnum):
    """Vector matching cardinality."""

    ONE_TO_ONE = "one-to-one"
    MANY_TO_ONE = "many-to-one"
    ONE_TO_MANY = "one-to-many"
    MANY_TO_MANY = "many-to-many"


class VectorMatching(Record):
    """How the two sides of a vector/vector binary operation are matched.

    ``on`` tells whether ``matching_labels`` came from ``on(…)`` (else ``ignoring(…)`` or
    nothing); ``include`` is the ``group_left/right(…)`` label list. Set operators always get
    ``MANY_TO_MANY``. ``fill_lhs``/``fill_rhs`` are the ``fill*()`` modifier values.
    """

    __match_args__ = ("card", "matching_labels", "on", "include", "fill_lhs", "fill_rhs")
    __slots__ = __match_args__

    card: Cardinality
    matching_labels: tuple[str, ...]
    on: bool
    include: tuple[str, ...]
    fill_lhs: float | None
    fill_rhs: float | None

    def __init__(
        self,
        card: Cardinality = Cardinality.ONE_TO_ONE,
        matching_labels: tuple[str, ...] = (),
        on: bool = False,
        include: tuple[str, ...] = (),
        fill_lhs: float | None = None,
        fill_rhs: float | None = None,
    ) -> None:
        _set(self, "card", card)
        _set(self, "matching_labels", matching_labels)
        _set(self, "on", on)
        _set(self, "include", include)
        _set(self, "fill_lhs", fill_lhs)
        _set(self, "fill_rhs", fill_rhs)


class BinaryExpr(Record):
    """``lhs op [bool] [on|ignoring(…) [group_left|group_right(…)]] [fill…] rhs``.

    ``matching`` is ``None`` unless both sides are instant vectors (as Prometheus sets it).
    """

    __match_args__ = ("op", "lhs", "rhs", "pos", "matching", "return_bool")
    __slots__ = __match_args__

    op: BinaryOp
    lhs: Expr
    rhs: Expr
    pos: PosRange
    matching: VectorMatching | None
    return_bool: bool

    def __init__(
        self,
        op: BinaryOp,
        lhs: Expr,
        rhs: Expr,
        pos: PosRange,
        matching: VectorMatching | None = None,
        return_bool: bool = False,
    ) -> None:
        _set(self, "op", op)
        _set(self, "lhs", lhs)
        _set(self, "rhs", rhs)
        _set(self, "pos", pos)
        _set(self, "matching", matching)
        _set(self, "return_bool", return_bool)

    @property
    def type(self) -> ValueType:
        return _binary_type(self)


class UnaryExpr(Record):
    """``-expr`` or ``+expr`` (a signed number literal is folded into the literal instead)."""

    __match_args__ = ("op", "expr", "pos")
    __slots__ = __match_args__

    op: Literal["+", "-"]
    expr: Expr
    pos: PosRange

    def __init__(self, op: Literal["+", "-"], expr: Expr, pos: PosRange) -> None:
        _set(self, "op", op)
        _set(self, "expr", expr)
        _set(self, "pos", pos)

    @property
    def type(self) -> ValueType:
        return _unwrapped_type(self.expr)


class ParenExpr(Record):
    """``( expr )``."""

    __match_args__ = ("expr", "pos")
    __slots__ = __match_args__

    expr: Expr
    pos: PosRange

    def __init__(self, expr: Expr, pos: PosRange) -> None:
        _set(self, "expr", expr)
        _set(self, "pos", pos)

    @property
    def type(self) -> ValueType:
        return _unwrapped_type(self.expr)


class StepInvariantExpr(Record):
    """Marks a subtree whose value is the same at every step (Prometheus's
    ``PreprocessExpr`` wraps ``@``-pinned selectors this way). The parser never builds it; an
    evaluator may."""

    __match_args__ = ("expr",)
    __slots__ = __match_args__

    expr: Expr

    def __init__(self, expr: Expr) -> None:
        _set(self, "expr", expr)

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


# ----------------------------------------------------------------------------- printing


def format_duration(seconds: float) -> str:
    """A duration as Prometheus prints it (``model.Duration``: ``1h30m``, ``1w``, ``0s``).

    >>> format_duration(5400)
    '1h30m'
    >>> format_duration(0.25)
    '250ms'
    """
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    out = []
    for unit, mult, exact in (
        ("y", 365 * 86_400_000, True),
        ("w", 7 * 86_400_000, True),
        ("d", 86_400_000, False),
        ("h", 3_600_000, False),
        ("m", 60_000, False),
        ("s", 1000, False),
        ("ms", 1, False),
    ):
        if exact and ms % mult:
            continue
        if ms >= mult:
            out.append(f"{ms // mult}{unit}")
            ms %= mult
    return sign + "".join(out)


def format_number(value: float) -> str:
    """A float as Go's ``strconv.FormatFloat(v, 'f', -1, 64)`` prints it."""
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text


def _format_labels(names: tuple[str, ...]) -> str:
    return ", ".join(format_label_name(n) for n in names)


def _format_offset(offset: float, expr: DurationExpr | None) -> str:
    if expr is not None:
        return " offset " + format_expr(expr)
    if offset > 0:
        return " offset " + format_duration(offset)
    if offset < 0:
        return " offset -" + format_duration(-offset)
    return ""


def _format_at(timestamp: int | None, start_or_end: str | None) -> str:
    if timestamp is not None:
        return f" @ {timestamp / 1000:.3f}"
    if start_or_end is not None:
        return f" @ {start_or_end}()"
    return ""


def _format_selector_core(node: VectorSelector) -> str:
    parts = sorted(
        str(m)
        for m in node.matchers
        if not (
            m.name == "__name__"
            and m.op is MatchOp.EQUAL
            and m.value == node.name
            and m.value != ""
        )
    )
    body = "{" + ",".join(parts) + "}" if parts else ""
    return (node.name or "") + body


def format_expr(node: Expr) -> str:
    """The expression as PromQL text, the way Prometheus's printer (``String()``) writes it.

    >>> from obsctl.model.promql_ast import PosRange as P
    >>> format_expr(VectorSelector("up", (LabelMatcher("job", MatchOp.EQUAL, "a"),), P(0, 2)))
    'up{job="a"}'
    """
    if isinstance(node, NumberLiteral):
        if node.duration:
            if node.value < 0:
                return "-" + format_duration(-node.value)
            return format_duration(node.value)
        return format_number(node.value)
    if isinstance(node, StringLiteral):
        return quote_string(node.value)
    if isinstance(node, VectorSelector):
        text = _format_selector_core(node)
        text += _format_at(node.timestamp, node.start_or_end)
        text += " anchored" if node.anchored else " smoothed" if node.smoothed else ""
        return text + _format_offset(node.offset, node.offset_expr)
    if isinstance(node, MatrixSelector):
        vs = node.vector_selector
        rng = format_expr(node.range_expr) if node.range_expr else format_duration(node.range)
        extended = " anchored" if vs.anchored else " smoothed" if vs.smoothed else ""
        return (
            f"{_format_selector_core(vs)}[{rng}]{extended}"
            f"{_format_at(vs.timestamp, vs.start_or_end)}"
            f"{_format_offset(vs.offset, vs.offset_expr)}"
        )
    if isinstance(node, SubqueryExpr):
        rng = format_expr(node.range_expr) if node.range_expr else format_duration(node.range)
        step = ""
        if node.step:
            step = format_duration(node.step)
        elif node.step_expr is not None:
            step = format_expr(node.step_expr)
        return (
            f"{format_expr(node.expr)}[{rng}:{step}]"
            f"{_format_at(node.timestamp, node.start_or_end)}"
            f"{_format_offset(node.offset, node.offset_expr)}"
        )
    if isinstance(node, Call):
        return f"{node.func.name}({', '.join(format_expr(a) for a in node.args)})"
    if isinstance(node, AggregateExpr):
        head = node.op
        if node.without:
            head += f" without ({_format_labels(node.grouping)}) "
        elif node.grouping:
            head += f" by ({_format_labels(node.grouping)}) "
        param = format_expr(node.param) + ", " if node.param is not None else ""
        return f"{head}({param}{format_expr(node.expr)})"
    if isinstance(node, BinaryExpr):
        # Left-deep chains (a or b or c …, thousands long in generated queries) are walked
        # without recursion.
        spine: list[BinaryExpr] = []
        current: Expr = node
        while isinstance(current, BinaryExpr):
            spine.append(current)
            current = current.lhs
        parts = [format_expr(current)]
        for binary in reversed(spine):
            parts.append(
                f" {binary.op}{' bool' if binary.return_bool else ''}"
                f"{_format_matching(binary.matching)} "
            )
            parts.append(format_expr(binary.rhs))
        return "".join(parts)
    if isinstance(node, UnaryExpr):
        return node.op + format_expr(node.expr)
    if isinstance(node, ParenExpr):
        return f"({format_expr(node.expr)})"
    if isinstance(node, StepInvariantExpr):
        return format_expr(node.expr)
    return _format_duration_expr(node)


def _format_matching(vm: VectorMatching | None) -> str:
    if vm is None:
        return ""
    grouped = vm.card in (Cardinality.MANY_TO_ONE, Cardinality.ONE_TO_MANY)
    text = ""
    if vm.matching_labels or vm.on or grouped:
        text = f" {'on' if vm.on else 'ignoring'} ({_format_labels(vm.matching_labels)})"
    if grouped:
        side = "left" if vm.card is Cardinality.MANY_TO_ONE else "right"
        text += f" group_{side} ({_format_labels(vm.include)})"
    if vm.fill_lhs is not None and vm.fill_lhs == vm.fill_rhs:
        text += f" fill ({format_number(vm.fill_lhs)})"
    else:
        if vm.fill_lhs is not None:
            text += f" fill_left ({format_number(vm.fill_lhs)})"
        if vm.fill_rhs is not None:
            text += f" fill_right ({format_number(vm.fill_rhs)})"
    return text


def _format_duration_expr(node: DurationExpr) -> str:
    if node.op in ("step", "range"):
        text = f"{node.op}()"
    elif node.op in ("min_of", "max_of"):
        assert node.lhs is not None and node.rhs is not None
        text = f"{node.op}({format_expr(node.lhs)}, {format_expr(node.rhs)})"
    elif node.lhs is None:
        assert node.rhs is not None
        text = ("-" if node.op == "-" else "") + format_expr(node.rhs)
    else:
        assert node.rhs is not None
        text = f"{format_expr(node.lhs)} {node.op} {format_expr(node.rhs)}"
    return f"({text})" if node.wrapped else text


def pretty_expr(node: Expr, width: int = 100) -> str:
    """The expression laid out over several lines the way Prometheus's ``Prettify`` does:
    a node whose one-line form is longer than ``width`` puts its operands on their own lines,
    indented by two spaces per level."""
    return _Pretty(width).pretty(node, 0)


class _Pretty:
    """Prettify with each node's one-line length computed once (long operator chains would
    otherwise be printed again at every level)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lengths: dict[int, int] = {}

    def length(self, node: Expr) -> int:
        """``len(format_expr(node))``, without building the text of operator chains."""
        known = self.lengths.get(id(node))
        if known is not None:
            return known
        spine: list[BinaryExpr] = []
        current: Expr = node
        while isinstance(current, BinaryExpr) and id(current) not in self.lengths:
            spine.append(current)
            current = current.lhs
        total = self.lengths.get(id(current))
        if total is None:
            total = len(format_expr(current))
            self.lengths[id(current)] = total
        for binary in reversed(spine):
            op = (
                f" {binary.op}{' bool' if binary.return_bool else ''}"
                f"{_format_matching(binary.matching)} "
            )
            total += len(op) + self.length(binary.rhs)
            self.lengths[id(binary)] = total
        return total

    def pretty(self, node: Expr, level: int) -> str:
        if isinstance(node, BinaryExpr):
            return self.pretty_binary(node, level)
        return _pretty(node, level, self.width, self)

    def pretty_binary(self, node: BinaryExpr, level: int) -> str:
        # Each split level indents its operands once more; walk the left spine iteratively.
        spine: list[tuple[BinaryExpr, int]] = []
        current: Expr = node
        depth = level
        while isinstance(current, BinaryExpr) and self.length(current) > self.width:
            spine.append((current, depth))
            current = current.lhs
            depth += 1
        if isinstance(current, BinaryExpr):
            parts = ["  " * depth + format_expr(current)]
        else:
            parts = [self.pretty(current, depth)]
        for binary, at in reversed(spine):
            op = binary.op + (" bool" if binary.return_bool else "")
            op += _format_matching(binary.matching)
            parts.append(f"\n{'  ' * at}{op}\n{self.pretty(binary.rhs, at + 1)}")
        return "".join(parts)


def _agg_head(node: AggregateExpr) -> str:
    if node.without:
        return f"{node.op} without ({_format_labels(node.grouping)}) "
    if node.grouping:
        return f"{node.op} by ({_format_labels(node.grouping)}) "
    return node.op


def _subquery_suffix(node: SubqueryExpr) -> str:
    return format_expr(node)[len(format_expr(node.expr)) :]


def _pretty(node: Expr, level: int, width: int, ctx: _Pretty) -> str:
    pad = "  " * level
    split = ctx.length(node) > width
    if not split and not isinstance(node, UnaryExpr):
        return (pad if not isinstance(node, SubqueryExpr) else "") + format_expr(node)
    if isinstance(node, AggregateExpr):
        param = ctx.pretty(node.param, level + 1) + ",\n" if node.param is not None else ""
        return f"{pad}{_agg_head(node)}(\n{param}{ctx.pretty(node.expr, level + 1)}\n{pad})"
    if isinstance(node, Call):
        args = ",\n".join(ctx.pretty(a, level + 1) for a in node.args)
        return f"{pad}{node.func.name}(\n{args}\n{pad})"
    if isinstance(node, ParenExpr):
        return f"{pad}(\n{ctx.pretty(node.expr, level + 1)}\n{pad})"
    if isinstance(node, StepInvariantExpr):
        return ctx.pretty(node.expr, level)
    if isinstance(node, SubqueryExpr):
        return ctx.pretty(node.expr, level) + _subquery_suffix(node)
    if isinstance(node, UnaryExpr):
        return f"{pad}{node.op}{ctx.pretty(node.expr, level).strip()}"
    return pad + format_expr(node)
