"""The evaluation plan: a typed, resolved form of a PromQL expression.

The engine evaluates these nodes, not parser output directly: a front end
(``analysis.engine.compile``) turns the parser's AST into a plan once, resolving durations to
milliseconds, compiling regex matchers and looking up functions, so repeated evaluation (a
range query, a rule evaluated every interval) does no parsing work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from obsctl.model.promql_ast import re2_to_python

ValueType = Literal["scalar", "vector", "matrix", "string"]
Pos = tuple[int, int] | None
"""``(line, column)`` of a node in the query text, 1-based, for annotations."""

MatchOp = Literal["=", "!=", "=~", "!~"]


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher; regexes are anchored and dot-matches-newline, as in Prometheus."""

    name: str
    op: MatchOp
    value: str
    regex: re.Pattern[str] | None = None

    def matches(self, v: str) -> bool:
        """Whether a label value (``""`` when absent) satisfies the matcher."""
        if self.op == "=":
            return v == self.value
        if self.op == "!=":
            return v != self.value
        assert self.regex is not None
        hit = self.regex.fullmatch(v) is not None
        return hit if self.op == "=~" else not hit


@dataclass(eq=False, slots=True)
class Node:
    """Base of plan nodes."""

    pos: Pos = field(default=None, kw_only=True)

    @property
    def type(self) -> ValueType:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(eq=False, slots=True)
class Number(Node):
    value: float

    @property
    def type(self) -> ValueType:
        return "scalar"


@dataclass(eq=False, slots=True)
class String(Node):
    value: str

    @property
    def type(self) -> ValueType:
        return "string"


AtRef = float | Literal["start", "end"] | None


@dataclass(eq=False, slots=True)
class VectorSel(Node):
    name: str | None
    matchers: tuple[Matcher, ...]
    offset_ms: int = 0
    at: AtRef = None
    """``@`` time in Unix seconds, ``"start"``/``"end"`` of the query, or None."""
    anchored: bool = False
    smoothed: bool = False

    @property
    def type(self) -> ValueType:
        return "vector"


@dataclass(eq=False, slots=True)
class MatrixSel(Node):
    sel: VectorSel
    range_ms: int

    @property
    def type(self) -> ValueType:
        return "matrix"


@dataclass(eq=False, slots=True)
class Subquery(Node):
    expr: Node
    range_ms: int
    step_ms: int = 0
    offset_ms: int = 0
    at: AtRef = None

    @property
    def type(self) -> ValueType:
        return "matrix"


@dataclass(eq=False, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]

    @property
    def type(self) -> ValueType:
        from obsctl.analysis.engine.functions import RETURN_TYPES

        return RETURN_TYPES.get(self.func, "vector")


@dataclass(eq=False, slots=True)
class Aggregate(Node):
    op: str
    expr: Node
    param: Node | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False

    @property
    def type(self) -> ValueType:
        return "vector"


Card = Literal["one-to-one", "many-to-one", "one-to-many", "many-to-many"]


@dataclass(eq=False, slots=True)
class Binary(Node):
    op: str
    lhs: Node
    rhs: Node
    return_bool: bool = False
    card: Card = "one-to-one"
    on: bool = False
    matching: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    fill_lhs: float | None = None
    fill_rhs: float | None = None

    @property
    def type(self) -> ValueType:
        if self.lhs.type == "scalar" and self.rhs.type == "scalar":
            return "scalar"
        return "vector"


@dataclass(eq=False, slots=True)
class Unary(Node):
    op: str
    expr: Node

    @property
    def type(self) -> ValueType:
        return self.expr.type


@dataclass(eq=False, slots=True)
class Paren(Node):
    expr: Node

    @property
    def type(self) -> ValueType:
        return self.expr.type


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A Prometheus (RE2) label regex as a Python pattern (use ``fullmatch``: anchored), with
    the translation the parser's check uses (``model.promql_ast.re2_to_python``)."""
    return re.compile(f"(?s:{re2_to_python(pattern)})")
