"""One rule expression → ``ExprFacts``: what the ``rules check`` checks need to know about it.

The expression is parsed with the same offline check as ``obsctl query`` (``check_promql``);
only this module walks the syntax tree, so the checks stay independent of the parser behind it.
"""

from __future__ import annotations

from typing import Any

from obsctl.errors import UsageError
from obsctl.model.rules import ExprError, ExprFacts, RuleFile, Selector
from obsctl.parsers.promql import PromQLSyntaxError, check_promql

_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
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


def _name(value: Any) -> str:
    return str(value).rsplit(".", 1)[-1]


def _seconds(value: Any) -> float | None:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else None


def expr_facts(expr: str, *, outputs: bool = True) -> ExprFacts:
    """Parse ``expr`` and describe it.

    ``outputs=False`` skips working out which labels survive (``output_labels`` is then
    ``None``): only alerts whose templates use labels need it.

    Raises:
        UsageError / PromQLSyntaxError: the expression is empty or does not parse.
    """
    root = check_promql(expr)
    selectors: list[Selector] = []
    functions: set[str] = set()
    label_uses: set[str] = set()
    created: set[str] = set()
    comparison = False

    def walk(node: Any, funcs: tuple[str, ...], range_s: float | None) -> None:
        nonlocal comparison
        kind = type(node).__name__
        if kind == "VectorSelector":
            groups = [list(node.matchers.matchers)]
            if node.matchers.or_matchers:
                groups = [list(g) for g in node.matchers.or_matchers]
            for group in groups:
                name = node.name
                matchers = []
                for m in group:
                    op = _MATCH_OPS[_name(m.op)]
                    if m.name == "__name__" and op == "=" and name is None:
                        name = m.value
                        continue
                    matchers.append((str(m.name), op, str(m.value)))
                    label_uses.add(str(m.name))
                selectors.append(Selector(name, tuple(matchers), range_s, funcs))
        elif kind == "MatrixSelector":
            walk(node.vector_selector, funcs, _seconds(node.range))
        elif kind == "SubqueryExpr":
            walk(node.expr, funcs, _seconds(node.range))
        elif kind == "Call":
            fname = str(node.func.name)
            functions.add(fname)
            if fname in FILTER_FUNCTIONS:
                comparison = True
            if fname in _LABEL_SETTERS and len(node.args) > 1:
                created.add(str(getattr(node.args[1], "val", "")))
            for arg in node.args:
                walk(arg, (fname, *funcs), range_s)
        elif kind == "AggregateExpr":
            op = str(node.op)
            if op in FILTER_AGGREGATIONS:
                comparison = True
            if node.modifier is not None:
                label_uses.update(str(x) for x in node.modifier.labels)
            walk(node.expr, funcs, range_s)
            if node.param is not None:
                walk(node.param, funcs, range_s)
        elif kind == "BinaryExpr":
            op = str(node.op)
            modifier = node.modifier
            if op in ("and", "unless") or (
                op in COMPARISON_OPS and not (modifier is not None and modifier.return_bool)
            ):
                comparison = True
            if modifier is not None and modifier.matching is not None:
                label_uses.update(str(x) for x in modifier.matching.labels)
            if modifier is not None:
                label_uses.update(str(x) for x in modifier.group_labels or ())
            walk(node.lhs, funcs, range_s)
            walk(node.rhs, funcs, range_s)
        elif kind in ("ParenExpr", "UnaryExpr"):
            walk(node.expr, funcs, range_s)

    walk(root, (), None)
    output, dropped = _output_labels(root) if outputs else (None, frozenset[str]())
    return ExprFacts(
        selectors=tuple(selectors),
        comparison=comparison,
        output_labels=output,
        dropped_labels=dropped,
        label_uses=frozenset(label_uses),
        functions=frozenset(functions),
        created_labels=frozenset(created - {""}),
    )


def _output_labels(node: Any) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The labels the result can carry (``None``: any input label) and those removed.

    Follows the outermost path: an aggregation ``by (a, b)`` keeps only ``a, b``; ``without
    (c)`` removes ``c``; a binary operation keeps its left side's labels (``on``/
    ``group_left`` cases included only as far as they narrow), and a number has none.
    """
    kind = type(node).__name__
    if kind == "AggregateExpr":
        op = str(node.op)
        inner, dropped = _output_labels(node.expr)
        if op in ("count_values",):
            return None, frozenset()
        modifier = node.modifier
        if modifier is None:
            return (inner if op in FILTER_AGGREGATIONS else frozenset()), dropped
        labels = frozenset(str(x) for x in modifier.labels)
        if "Without" in str(modifier.type):
            if op in FILTER_AGGREGATIONS:
                return inner, dropped
            return (None if inner is None else inner - labels), dropped | labels
        if op in FILTER_AGGREGATIONS:
            return inner, dropped
        return (labels if inner is None else labels & inner), dropped
    if kind == "BinaryExpr":
        left, ldrop = _output_labels(node.lhs)
        right, rdrop = _output_labels(node.rhs)
        lhs_kind = type(node.lhs).__name__
        if lhs_kind in ("NumberLiteral", "StringLiteral"):
            return right, rdrop
        modifier = node.modifier
        if modifier is not None and modifier.group_labels:
            extra = frozenset(str(x) for x in modifier.group_labels)
            return (None if left is None else left | extra), ldrop
        return left, ldrop
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return _output_labels(node.expr)
    if kind == "MatrixSelector":
        return None, frozenset()
    if kind == "Call":
        fname = str(node.func.name)
        vectors = [
            a for a in node.args if type(a).__name__ not in ("NumberLiteral", "StringLiteral")
        ]
        if fname in _LABEL_SETTERS and vectors and len(node.args) > 1:
            inner, dropped = _output_labels(vectors[0])
            dst = str(getattr(node.args[1], "val", ""))
            return (None if inner is None else inner | {dst}), dropped - {dst}
        if fname in _LABEL_KEEPING and vectors:
            return _output_labels(vectors[0])
        if fname in ("vector", "time", "scalar", "pi"):
            return frozenset(), frozenset()
        if fname in ("absent", "absent_over_time"):
            return None, frozenset()
        return _output_labels(vectors[0]) if vectors else (None, frozenset())
    if kind in ("NumberLiteral", "StringLiteral"):
        return frozenset(), frozenset()
    return None, frozenset()


def expression_facts(rule_file: RuleFile) -> dict[str, ExprFacts | ExprError]:
    """Each distinct non-empty expression of the file, parsed once."""
    rules = [r for g in rule_file.groups for r in g.rules if r.expr.strip()]
    templated = {
        r.expr
        for r in rules
        if r.kind == "alert" and any("abels" in v for _, v in (*r.labels, *r.annotations))
    }
    out: dict[str, ExprFacts | ExprError] = {}
    for rule in rules:
        if rule.expr in out:
            continue
        try:
            out[rule.expr] = expr_facts(rule.expr, outputs=rule.expr in templated)
        except PromQLSyntaxError as err:
            out[rule.expr] = ExprError(err.reason, err.pos)
        except UsageError as err:  # pragma: no cover - blank expressions are skipped
            out[rule.expr] = ExprError(err.message, 0)
    return out
