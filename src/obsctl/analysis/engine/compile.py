"""From the PromQL syntax tree (``model.promql_ast``) to the engine's evaluation plan.

Compiling resolves what Prometheus resolves before evaluating: duration expressions
(``[step() * 2]``, ``offset min_of(step(), 1m)``) against the query's step and range,
parentheses around function arguments, regex matchers (compiled once), and node positions
as ``line:column`` for annotations.
"""

from __future__ import annotations

import math

from obsctl.analysis.engine import plan as P
from obsctl.analysis.engine.evaluator import EvalError
from obsctl.model import promql_ast as A


class _Compiler:
    def __init__(self, query: str, step_ms: int, range_ms: int) -> None:
        self.query = query
        self.step_ms = step_ms
        self.range_ms = range_ms

    def pos(self, node: A.Expr | A.PosRange) -> P.Pos:
        pr = node if isinstance(node, A.PosRange) else node.pos
        start = pr.start
        if start < 0 or start > len(self.query):
            return None
        line = self.query.count("\n", 0, start) + 1
        col = start - self.query.rfind("\n", 0, start)
        return (line, col)

    # -- durations ------------------------------------------------------------------------

    def _dur_value(self, expr: A.DurationValue) -> float:
        if isinstance(expr, A.NumberLiteral):
            return expr.value
        lhs = self._dur_value(expr.lhs) if expr.lhs is not None else 0.0
        rhs = self._dur_value(expr.rhs) if expr.rhs is not None else 0.0
        op = expr.op
        where = f"{expr.pos.start}:{expr.pos.end}"
        if op == "step":
            return self.step_ms / 1000
        if op == "range":
            return self.range_ms / 1000
        if op == "min_of":
            return math.nan if math.isnan(lhs) or math.isnan(rhs) else min(lhs, rhs)
        if op == "max_of":
            return math.nan if math.isnan(lhs) or math.isnan(rhs) else max(lhs, rhs)
        if op == "+":
            return rhs if expr.lhs is None else lhs + rhs
        if op == "-":
            return -rhs if expr.lhs is None else lhs - rhs
        if op == "*":
            return lhs * rhs
        if op == "/":
            if rhs == 0:
                raise EvalError(f"{where}: division by zero")
            return lhs / rhs
        if op == "%":
            if rhs == 0:
                raise EvalError(f"{where}: modulo by zero")
            return math.fmod(lhs, rhs)
        if op == "^":
            from obsctl.analysis.engine.mathops import pow_

            return pow_(lhs, rhs)
        raise EvalError(f"unexpected duration expression operator {op!r}")

    def duration_ms(self, seconds: float, expr: A.DurationExpr | None, *, negative_ok: bool) -> int:
        if expr is None:
            return round(seconds * 1000)
        d = self._dur_value(expr)
        where = f"{expr.pos.start}:{expr.pos.end}"
        if math.isnan(d) or math.isinf(d):
            raise EvalError(f"{where}: duration is NaN or infinite")
        if d <= 0 and not negative_ok:
            raise EvalError(f"{where}: duration must be greater than 0")
        if abs(d) > (1 << 63) / 1e9:
            raise EvalError(f"{where}: duration is out of range")
        return int(d * 1000)

    # -- nodes -------------------------------------------------------------------------------

    def _at(self, timestamp: int | None, start_or_end: str | None) -> P.AtRef:
        if start_or_end == "start":
            return "start"
        if start_or_end == "end":
            return "end"
        if timestamp is not None:
            return timestamp / 1000
        return None

    def selector(self, vs: A.VectorSelector) -> P.VectorSel:
        matchers = []
        for mt in vs.matchers:
            op = mt.op.value
            rx = P.compile_regex(mt.value) if op in ("=~", "!~") else None
            matchers.append(P.Matcher(mt.name, op, mt.value, rx))  # type: ignore[arg-type]
        return P.VectorSel(
            vs.name,
            tuple(matchers),
            offset_ms=self.duration_ms(vs.offset, vs.offset_expr, negative_ok=True),
            at=self._at(vs.timestamp, vs.start_or_end),
            anchored=vs.anchored,
            smoothed=vs.smoothed,
            pos=self.pos(vs),
        )

    def node(self, e: A.Expr) -> P.Node:
        if isinstance(e, A.NumberLiteral):
            return P.Number(e.value, pos=self.pos(e))
        if isinstance(e, A.StringLiteral):
            return P.String(e.value, pos=self.pos(e))
        if isinstance(e, A.VectorSelector):
            return self.selector(e)
        if isinstance(e, A.MatrixSelector):
            return P.MatrixSel(
                self.selector(e.vector_selector),
                self.duration_ms(e.range, e.range_expr, negative_ok=False),
                pos=self.pos(e),
            )
        if isinstance(e, A.SubqueryExpr):
            return P.Subquery(
                self.node(e.expr),
                self.duration_ms(e.range, e.range_expr, negative_ok=False),
                self.duration_ms(e.step, e.step_expr, negative_ok=False)
                if e.step or e.step_expr
                else 0,
                self.duration_ms(e.offset, e.offset_expr, negative_ok=True),
                self._at(e.timestamp, e.start_or_end),
                pos=self.pos(e),
            )
        if isinstance(e, A.ParenExpr):
            return P.Paren(self.node(e.expr), pos=self.pos(e))
        if isinstance(e, A.UnaryExpr):
            inner = self.node(e.expr)
            if e.op == "+":
                return inner
            return P.Unary("-", inner, pos=self.pos(e))
        if isinstance(e, A.StepInvariantExpr):
            return self.node(e.expr)
        if isinstance(e, A.Call):
            args = []
            for a in e.args:
                while isinstance(a, A.ParenExpr):
                    a = a.expr  # noqa: PLW2901 - Prometheus unwraps call arguments too
                args.append(self.node(a))
            return P.Call(e.func.name, tuple(args), pos=self.pos(e))
        if isinstance(e, A.AggregateExpr):
            param = e.param
            while isinstance(param, A.ParenExpr):
                param = param.expr
            return P.Aggregate(
                e.op,
                self.node(e.expr),
                self.node(param) if param is not None else None,
                tuple(sorted(e.grouping)),
                e.without,
                pos=self.pos(e),
            )
        if isinstance(e, A.BinaryExpr):
            mt = e.matching
            if mt is None:
                return P.Binary(
                    e.op, self.node(e.lhs), self.node(e.rhs), e.return_bool, pos=self.pos(e)
                )
            return P.Binary(
                e.op,
                self.node(e.lhs),
                self.node(e.rhs),
                e.return_bool,
                mt.card.value,
                mt.on,
                mt.matching_labels,
                mt.include,
                mt.fill_lhs,
                mt.fill_rhs,
                pos=self.pos(e),
            )
        if isinstance(e, A.DurationExpr):
            return P.Number(self._dur_value(e), pos=self.pos(e))
        raise EvalError(f"unsupported expression {type(e).__name__}")


def compile_expr(expr: A.Expr, query: str = "", *, step_ms: int = 0, range_ms: int = 0) -> P.Node:
    """The evaluation plan of ``expr``.

    Args:
        expr: the parsed expression.
        query: its text, for annotation positions (``line:column``).
        step_ms: the query step, for ``step()`` in duration expressions (0: instant query).
        range_ms: the query's ``end - start``, for ``range()``.

    Raises:
        EvalError: a duration expression is invalid (division by zero, not positive…).
    """
    return _Compiler(query, step_ms, range_ms).node(expr)
