"""Evaluation errors: each says what is wrong, in Prometheus's words where it has them."""

from __future__ import annotations

import pytest

from obsctl.analysis.engine import plan as P
from obsctl.analysis.engine.evaluator import Engine, EvalError
from obsctl.analysis.engine.storage import Storage
from tests.unit.analysis.engine.evalhelp import instant, load, plan

ST = load('x{a="1"} 1 2 3', 'x{a="2"} 4 5 6', 'y{a="1"} 7 8 9')


def _fails(q: str, message: str, t_s: float = 120) -> None:
    with pytest.raises(EvalError) as exc:
        instant(ST, q, t_s)
    assert str(exc.value) == message


def _plan_fails(node: P.Node, message: str) -> None:
    with pytest.raises(EvalError) as exc:
        Engine(ST).instant(node, 0)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("topk(NaN, x)", "Parameter value is NaN"),
        ("topk(1e19, x)", "Scalar value 1e+19 overflows int64"),
        ("topk(-1e19, x)", "Scalar value -1e+19 underflows int64"),
        ("bottomk(9223372036854775808, x)", "Scalar value 9.223372036854776e+18 overflows int64"),
        ("limitk(-9223372036854775808, x)", "Scalar value -9.223372036854776e+18 underflows int64"),
        ("limit_ratio(NaN, x)", "Ratio value is NaN"),
        ('count_values("", x)', 'invalid label name ""'),
        (
            'label_replace(x, "a", "$1", "a", "(")',
            "invalid regular expression in label_replace(): (",
        ),
        (
            # Python's re accepts a look-ahead; RE2, and so Prometheus, refuses it.
            'label_replace(x, "a", "$1", "a", "(?=b).*")',
            "invalid regular expression in label_replace(): (?=b).*",
        ),
        (
            'label_replace(x, "", "$1", "a", "(.*)")',
            "invalid destination label name in label_replace(): ",
        ),
        ('label_join(x, "", ",", "a")', "invalid destination label name in label_join(): "),
        ('label_join(x, "b", ",", "a", "")', "invalid source label name in label_join(): "),
        (
            "double_exponential_smoothing(x[5m], 1, 0.5)",
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000",
        ),
        (
            "double_exponential_smoothing(x[5m], 0, 0.5)",
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000",
        ),
        (
            "double_exponential_smoothing(x[5m], 0.5, 1)",
            "invalid trend factor. Expected: 0 < tf < 1, got: 1.000000",
        ),
        (
            "double_exponential_smoothing(x[5m], 0.5, 0)",
            "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000",
        ),
        (
            "max_over_time(x[5m] anchored)",
            "anchored modifier can only be used with: changes, delta, increase, rate, resets"
            " - not with max_over_time",
        ),
        (
            "changes(x[5m] smoothed)",
            "smoothed modifier can only be used with: delta, increase, rate - not with changes",
        ),
        (
            "x + ignoring(a) y",
            "multiple matches for labels: many-to-one matching must be explicit"
            " (group_left/group_right)",
        ),
        (
            "y + ignoring(a) x",
            "found duplicate series for the match group {} on the right hand-side of the"
            ' operation: [{__name__="x", a="1"}, {__name__="x", a="2"}];many-to-many matching'
            " not allowed: matching labels must be unique on one side",
        ),
        (
            "x + ignoring(a) group_right y",
            "found duplicate series for the match group {} on the left hand-side of the"
            ' operation: [{__name__="x", a="1"}, {__name__="x", a="2"}];many-to-many matching'
            " not allowed: matching labels must be unique on one side",
        ),
        (
            '{a="1"} + on() group_left label_replace(y, "b", "1", "", "")',
            "multiple matches for labels: grouping labels must ensure unique matches",
        ),
        (
            'label_replace(x, "a", "same", "", "")',
            "vector cannot contain metrics with the same labelset",
        ),
        ('label_join(x, "a", "", "nope")', "vector cannot contain metrics with the same labelset"),
        ("max_over_time(x[1h:1ms])", "subquery has more than 1000000 steps"),
    ],
)
def test_error_messages(q: str, message: str) -> None:
    _fails(q, message)


def test_one_to_one_matching_with_several_left_matches_asks_for_group_left() -> None:
    st = load('a{i="1", j="1"} 1', 'a{i="1", j="2"} 2', 'b{i="1"} 3')
    with pytest.raises(EvalError) as exc:
        instant(st, "b + on(i) a")
    assert str(exc.value) == (
        'found duplicate series for the match group {i="1"} on the right hand-side of the'
        ' operation: [{__name__="a", i="1", j="1"}, {__name__="a", i="1", j="2"}];many-to-many'
        " matching not allowed: matching labels must be unique on one side"
    )
    with pytest.raises(EvalError) as exc:
        instant(st, "a + on(i) b")
    assert str(exc.value) == (
        "multiple matches for labels: many-to-one matching must be explicit"
        " (group_left/group_right)"
    )


def test_range_query_argument_errors() -> None:
    eng = Engine(ST)
    for step in (0, -1):
        with pytest.raises(EvalError) as exc:
            eng.range(plan("x"), 0, 60_000, step)
        assert str(exc.value) == "zero or negative query resolution step widths are not accepted"
    with pytest.raises(EvalError) as exc:
        eng.range(plan('"a"'), 0, 60_000, 60_000)
    assert str(exc.value) == (
        'invalid expression type "string" for range query, must be Scalar or instant Vector'
    )
    with pytest.raises(EvalError) as exc:
        eng.range(plan("x[5m]"), 0, 60_000, 60_000)
    assert str(exc.value) == (
        'invalid expression type "range vector" for range query, must be Scalar or instant Vector'
    )


def test_range_query_step_limit_counts_the_steps_after_the_first() -> None:
    with pytest.raises(EvalError, match=r"^range query has more than 1000000 steps$"):
        Engine(Storage()).range(plan("1"), 0, 1_000_000, 1)


VS = P.VectorSel("x", (P.Matcher("__name__", "=", "x"),))


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (P.Call("nope", (VS,)), "function 'nope' is not supported by the embedded engine"),
        (
            P.Unary("-", P.String("s")),
            "unary minus is only defined for scalars and instant vectors",
        ),
        (P.Call("abs", (P.Number(1.0),)), "expected an instant vector argument"),
        (P.Call("round", (VS, VS)), "expected a scalar argument"),
        (P.Call("rate", (VS,)), "expected a range vector argument to rate"),
        (P.Call("label_join", (VS, P.Number(1.0), P.String(","))), "expected a string argument"),
        (P.Aggregate("topk", VS, VS), "expected a scalar parameter"),
        (P.Aggregate("nope", VS), "unsupported aggregation 'nope'"),
        (P.Subquery(P.String("s"), 60_000), "subquery is only allowed on instant vector or scalar"),
        (
            P.Binary("+", P.String("a"), VS),
            "binary operator '+' not defined between these operand types",
        ),
        (
            P.Binary("and", P.Number(1.0), P.Number(2.0)),
            "operator 'and' not allowed for float operations",
        ),
        (P.Binary("+", VS, VS, card="many-to-many"), "many-to-many only allowed for set operators"),
        (
            P.Call("info", (VS, P.Number(1.0))),
            "info() expects a label selector as its second argument",
        ),
        (P.Node(), "unsupported expression Node"),
    ],
)
def test_plans_the_parser_would_reject_fail_cleanly(node: P.Node, message: str) -> None:
    _plan_fails(node, message)
