"""One rule expression → ``ExprFacts``: what the ``rules check`` checks need to know about it.

The expression is parsed with the same offline check as ``obsctl query`` (``check_promql``);
only this module walks the syntax tree, so the checks stay independent of the parser behind it.
"""

from __future__ import annotations

from typing import Any

from obsctl.model.promql_ast import (
    AggregateExpr,
    BinaryExpr,
    Call,
    Expr,
    MatchOp,
    MatrixSelector,
    NumberLiteral,
    ParenExpr,
    StringLiteral,
    SubqueryExpr,
    UnaryExpr,
    VectorSelector,
)
from obsctl.model.rules import ExprError, ExprFacts, RuleFile, Selector
from obsctl.parsers._fast_init import fast_init
from obsctl.parsers.promql import check_promql
from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

_new_Selector = fast_init(Selector)
_new_ExprFacts = fast_init(ExprFacts)

COMPARISON_OPS = frozenset({"==", "!=", ">", "<", ">=", "<="})
FILTER_FUNCTIONS = frozenset({"absent", "absent_over_time"})
FILTER_AGGREGATIONS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
# Functions whose result keeps the labels of their (first) vector argument.
_LABEL_KEEPING = frozenset(
    {
        "rate", "irate", "increase", "delta", "idelta", "deriv", "abs", "ceil", "floor", "round",
        "clamp", "clamp_min", "clamp_max", "exp", "ln", "log2", "log10", "sqrt", "sgn",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
        "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
        "present_over_time", "changes", "resets", "predict_linear", "holt_winters",
        "double_exponential_smoothing", "histogram_quantile", "label_replace", "label_join",
        "timestamp", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "mad_over_time",
        "histogram_avg", "histogram_count", "histogram_sum", "histogram_fraction",
        "histogram_stddev", "histogram_stdvar", "rad", "deg",
    }
)  # fmt: skip


_LABEL_SETTERS = frozenset({"label_replace", "label_join"})


def _string_arg(node: Call, index: int) -> str:
    arg = node.args[index] if len(node.args) > index else None
    return arg.value if isinstance(arg, StringLiteral) else ""


def expr_facts(expr: str, *, outputs: bool = True) -> ExprFacts:
    """Parse ``expr`` and describe it.

    ``outputs=False`` skips working out which labels survive (``output_labels`` is then
    ``None``): only alerts whose templates use labels need it.

    Raises:
        UsageError / PromQLSyntaxError: the expression is empty or does not parse.
    """
    return _describe(check_promql(expr), outputs)


_OP_TEXT = {op: op.value for op in MatchOp}
_EQUAL = MatchOp.EQUAL


def _describe(root: Expr, outputs: bool) -> ExprFacts:
    selectors: list[Selector] = []
    functions: set[str] = set()
    label_uses: set[str] = set()
    created: set[str] = set()
    comparison = False

    def walk(node: Any, funcs: tuple[str, ...], range_s: float | None) -> None:
        # ``node`` is an ``Expr``; one identity test per node kind, the frequent ones first
        # (the node classes have no subclasses).
        nonlocal comparison
        kind = type(node)
        if kind is VectorSelector:
            name = node.name
            matchers = []
            for m in node.matchers:
                if m.name == "__name__" and m.op is _EQUAL and name in (None, m.value):
                    name = m.value
                    continue
                matchers.append((m.name, _OP_TEXT[m.op], m.value))
                label_uses.add(m.name)
            selectors.append(_new_Selector(name, tuple(matchers), range_s, funcs))
        elif kind is Call:
            fname = node.func.name
            args = node.args
            functions.add(fname)
            if fname in FILTER_FUNCTIONS:
                comparison = True
            if fname in _LABEL_SETTERS and len(args) > 1:
                created.add(_string_arg(node, 1))
            inner = (fname, *funcs)
            for arg in args:
                walk(arg, inner, range_s)
        elif kind is MatrixSelector:
            rng = node.range if node.range_expr is None else None
            walk(node.vector_selector, funcs, rng)
        elif kind is BinaryExpr:
            op = node.op
            if op in ("and", "unless") or (op in COMPARISON_OPS and not node.return_bool):
                comparison = True
            matching = node.matching
            if matching is not None:
                label_uses.update(matching.matching_labels)
                label_uses.update(matching.include)
            walk(node.lhs, funcs, range_s)
            walk(node.rhs, funcs, range_s)
        elif kind is AggregateExpr:
            if node.op in FILTER_AGGREGATIONS:
                comparison = True
            label_uses.update(node.grouping)
            walk(node.expr, funcs, range_s)
            if node.param is not None:
                walk(node.param, funcs, range_s)
        elif kind is SubqueryExpr:
            rng = node.range if node.range_expr is None else None
            walk(node.expr, funcs, rng)
        elif kind is ParenExpr or kind is UnaryExpr:
            walk(node.expr, funcs, range_s)

    walk(root, (), None)
    output, dropped = _output_labels(root) if outputs else (None, frozenset[str]())
    return _new_ExprFacts(
        selectors=tuple(selectors),
        comparison=comparison,
        output_labels=output,
        dropped_labels=dropped,
        label_uses=frozenset(label_uses),
        functions=frozenset(functions),
        created_labels=frozenset(created - {""}),
    )


def _output_labels(node: Expr) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The labels the result can carry (``None``: any input label) and those removed.

    Follows the outermost path: an aggregation ``by (a, b)`` keeps only ``a, b``; ``without
    (c)`` removes ``c``; a binary operation keeps its left side's labels (``on``/
    ``group_left`` cases included only as far as they narrow), and a number has none.
    """
    if isinstance(node, AggregateExpr):
        op = node.op
        inner, dropped = _output_labels(node.expr)
        if op in ("count_values",):
            return None, frozenset()
        labels = frozenset(node.grouping)
        if node.without:
            if op in FILTER_AGGREGATIONS:
                return inner, dropped
            return (None if inner is None else inner - labels), dropped | labels
        if op in FILTER_AGGREGATIONS:
            return inner, dropped
        return (labels if inner is None else labels & inner), dropped
    if isinstance(node, BinaryExpr):
        left, ldrop = _output_labels(node.lhs)
        right, rdrop = _output_labels(node.rhs)
        if isinstance(node.lhs, NumberLiteral | StringLiteral):
            return right, rdrop
        if node.matching is not None and node.matching.include:
            extra = frozenset(node.matching.include)
            return (None if left is None else left | extra), ldrop
        return left, ldrop
    if isinstance(node, ParenExpr | UnaryExpr | SubqueryExpr):
        return _output_labels(node.expr)
    if isinstance(node, MatrixSelector):
        return None, frozenset()
    if isinstance(node, Call):
        fname = node.func.name
        vectors = [a for a in node.args if not isinstance(a, NumberLiteral | StringLiteral)]
        if fname in _LABEL_SETTERS and vectors and len(node.args) > 1:
            inner, dropped = _output_labels(vectors[0])
            dst = _string_arg(node, 1)
            return (None if inner is None else inner | {dst}), dropped - {dst}
        if fname in _LABEL_KEEPING and vectors:
            return _output_labels(vectors[0])
        if fname in ("vector", "time", "scalar", "pi"):
            return frozenset(), frozenset()
        if fname in ("absent", "absent_over_time"):
            return None, frozenset()
        return _output_labels(vectors[0]) if vectors else (None, frozenset())
    if isinstance(node, NumberLiteral | StringLiteral):
        return frozenset(), frozenset()
    return None, frozenset()


def expression_plan(rule_file: RuleFile) -> dict[str, bool]:
    """Each distinct non-empty expression of the file → whether its output labels are needed
    (an alert whose labels or annotations use ``$labels``/``.Labels``), in file order."""
    plan: dict[str, bool] = {}
    for group in rule_file.groups:
        for rule in group.rules:
            expr = rule.expr
            if not expr.strip():
                continue
            templated = rule.kind == "alert" and any(
                "abels" in v for _, v in (*rule.labels, *rule.annotations)
            )
            plan[expr] = plan.get(expr, False) or templated
    return plan


def facts_or_error(expr: str, outputs: bool) -> ExprFacts | ExprError:
    """``expr_facts``, with a parse error as a value (the reason and offset
    ``PromQLSyntaxError`` would carry)."""
    if not expr.strip():  # pragma: no cover - blank expressions are not planned
        return ExprError("empty PromQL expression", 0)
    try:
        root = parse_expr(expr)
    except PromQLParseError as exc:
        return ExprError(exc.first.message, exc.first.pos.start)
    return _describe(root, outputs)


def expression_facts(rule_file: RuleFile) -> dict[str, ExprFacts | ExprError]:
    """Each distinct non-empty expression of the file, parsed once."""
    return {e: facts_or_error(e, o) for e, o in expression_plan(rule_file).items()}
