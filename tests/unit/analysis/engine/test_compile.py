"""From the syntax tree to the plan: duration expressions, @ and offset, positions, unwrapping."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine import plan as P
from obsctl.analysis.engine.compile import compile_expr
from obsctl.analysis.engine.evaluator import EvalError
from obsctl.parsers.promql_parser import parse_expr


def _c(q: str, step_ms: int = 15_000, range_ms: int = 3_600_000) -> P.Node:
    return compile_expr(parse_expr(q), q, step_ms=step_ms, range_ms=range_ms)


def _range_ms(q: str, **kw: int) -> int:
    node = _c(q, **kw)
    assert isinstance(node, P.MatrixSel)
    return node.range_ms


@pytest.mark.parametrize(
    ("q", "ms"),
    [
        ("x[5m]", 300_000),
        ("x[1500ms]", 1_500),
        ("x[step()]", 15_000),
        ("x[range()]", 3_600_000),
        ("x[step() * 2]", 30_000),
        ("x[2m - 30s]", 90_000),
        ("x[1m + 30s]", 90_000),
        ("x[+1m]", 60_000),
        ("x[10 / 4]", 2_500),
        ("x[1m % 40s]", 20_000),
        ("x[2 ^ 3]", 8_000),
        ("x[min_of(1m, 2m)]", 60_000),
        ("x[min_of(2m, 1m)]", 60_000),
        ("x[max_of(1m, 2m)]", 120_000),
        ("x[max_of(2m, 1m)]", 120_000),
        ("x[max_of(step(), 1m)]", 60_000),
    ],
)
def test_range_durations_resolve_against_step_and_range(q: str, ms: int) -> None:
    assert _range_ms(q) == ms


def test_duration_expression_with_fraction_of_a_millisecond_truncates() -> None:
    assert _range_ms("x[1 / 3]") == 333


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("x[1m / (step() - 15s)]", "2:20: division by zero"),
        ("x[1m % (step() - 15s)]", "2:20: modulo by zero"),
        ("x[step() - 15s]", "2:14: duration must be greater than 0"),
        ("x[step() - 1m]", "2:13: duration must be greater than 0"),
        ("x[(1 - 1) ^ -1]", "3:14: duration is NaN or infinite"),
        ("x[max_of(1m, (1 - 1) ^ -1 - (1 - 1) ^ -1)]", "2:41: duration is NaN or infinite"),
        ("x[min_of((1 - 1) ^ -1 - (1 - 1) ^ -1, 1m)]", "2:41: duration is NaN or infinite"),
        ("x[10 ^ 12]", "2:9: duration is out of range"),
        ("x[min_of(1m, (1 - 1) ^ -1 - (1 - 1) ^ -1)]", "2:41: duration is NaN or infinite"),
        ("x[max_of((1 - 1) ^ -1 - (1 - 1) ^ -1, 1m)]", "2:41: duration is NaN or infinite"),
        ("x offset -(10^12)", "9:16: duration is out of range"),
        ("x[10 ^ 10]", "2:9: duration is out of range"),
        ("x[(step() - 1m):1m]", "3:14: duration must be greater than 0"),
        ("x[1m:(step() - 1m)]", "6:17: duration must be greater than 0"),
    ],
)
def test_invalid_duration_expressions_fail_naming_the_span(q: str, message: str) -> None:
    """``start:end`` character offsets of the duration expression, as Prometheus prints."""
    with pytest.raises(EvalError) as exc:
        _c(q)
    assert str(exc.value) == message


def test_duration_just_inside_the_range_is_accepted() -> None:
    assert _range_ms("x[9 * 10 ^ 9]") == 9_000_000_000_000
    assert _range_ms("x[9223372030 * 1]") == 9_223_372_030_000
    assert _range_ms("x[9223372036.854776 * 1]") == 9_223_372_036_854  # 2^63 ns exactly


def test_subquery_durations_from_expressions() -> None:
    sq = _c("x[step() * 4:step()] offset (step() - 1m)")
    assert isinstance(sq, P.Subquery)
    assert (sq.range_ms, sq.step_ms, sq.offset_ms) == (60_000, 15_000, -45_000)


def test_fill_values_are_carried_over() -> None:
    b = _c("x + fill(0) y")
    assert isinstance(b, P.Binary) and (b.fill_lhs, b.fill_rhs) == (0.0, 0.0)
    b = _c("x + fill_left(1) y")
    assert isinstance(b, P.Binary) and (b.fill_lhs, b.fill_rhs) == (1.0, None)
    b = _c("x + on(a) fill_right(2) y")
    assert isinstance(b, P.Binary) and (b.fill_lhs, b.fill_rhs) == (None, 2.0)


def test_offsets_may_be_negative_and_zero() -> None:
    vs = _c("x offset -(1m)")
    assert isinstance(vs, P.VectorSel) and vs.offset_ms == -60_000
    vs = _c("x offset (step() - 15s)")
    assert isinstance(vs, P.VectorSel) and vs.offset_ms == 0
    vs = _c("x offset min_of(step(), 1m)")
    assert isinstance(vs, P.VectorSel) and vs.offset_ms == 15_000
    vs = _c("x offset 1m30s")
    assert isinstance(vs, P.VectorSel) and vs.offset_ms == 90_000


def test_at_modifiers() -> None:
    at = [_c(q) for q in ("x @ start()", "x @ end()", "x @ 100.5", "x")]
    assert [n.at for n in at if isinstance(n, P.VectorSel)] == ["start", "end", 100.5, None]


def test_subquery_step_defaults_to_zero_offset_and_at_are_kept() -> None:
    sq = _c("x[1h:]")
    assert isinstance(sq, P.Subquery)
    assert (sq.range_ms, sq.step_ms, sq.offset_ms, sq.at) == (3_600_000, 0, 0, None)
    sq = _c("x[1h:step()] offset 5m @ end()")
    assert isinstance(sq, P.Subquery)
    assert (sq.range_ms, sq.step_ms, sq.offset_ms, sq.at) == (3_600_000, 15_000, 300_000, "end")
    assert isinstance(sq.expr, P.VectorSel)


def test_selector_matchers_compile_regexes_only() -> None:
    vs = _c('x{a="1", b!="2", c=~"3.*", d!~"4"}')
    assert isinstance(vs, P.VectorSel)
    assert vs.name == "x"
    got = [(m.name, m.op, m.value, m.regex is not None) for m in vs.matchers]
    assert got == [
        ("a", "=", "1", False),
        ("b", "!=", "2", False),
        ("c", "=~", "3.*", True),
        ("d", "!~", "4", True),
        ("__name__", "=", "x", False),
    ]
    rx = next(m for m in vs.matchers if m.name == "c")
    assert rx.matches("3abc") and not rx.matches("a3")


def test_positions_are_line_and_column_of_each_node() -> None:
    q = "sum(\n  rate(x[5m])\n)"
    agg = _c(q)
    assert isinstance(agg, P.Aggregate)
    assert agg.pos == (1, 1)
    call = agg.expr
    assert isinstance(call, P.Call)
    assert call.pos == (2, 3)
    assert call.args[0].pos == (2, 8)


def test_positions_outside_the_query_text_are_none() -> None:
    node = compile_expr(parse_expr("  x"), "")
    assert node.pos is None
    assert compile_expr(parse_expr("x"), "x").pos == (1, 1)


def test_unary_plus_disappears_and_minus_stays() -> None:
    assert isinstance(_c("+x"), P.VectorSel)
    neg = _c("-x")
    assert isinstance(neg, P.Unary) and neg.op == "-" and isinstance(neg.expr, P.VectorSel)


def test_call_arguments_lose_their_parentheses_but_expressions_keep_them() -> None:
    call = _c("rate(((x[5m])))")
    assert isinstance(call, P.Call) and call.func == "rate"
    assert isinstance(call.args[0], P.MatrixSel)
    par = _c("(x)")
    assert isinstance(par, P.Paren) and isinstance(par.expr, P.VectorSel)


def test_aggregation_parameter_loses_parentheses_and_grouping_is_sorted() -> None:
    agg = _c("topk by (b, a) (((2)), x)")
    assert isinstance(agg, P.Aggregate)
    assert agg.op == "topk"
    assert isinstance(agg.param, P.Number) and agg.param.value == 2.0
    assert agg.grouping == ("a", "b")
    assert agg.without is False
    agg = _c("sum without (z) (x)")
    assert isinstance(agg, P.Aggregate)
    assert (agg.grouping, agg.without, agg.param) == (("z",), True, None)


def test_binary_matching_is_carried_over() -> None:
    b = _c("x > bool on (b, a) group_left (c) y")
    assert isinstance(b, P.Binary)
    assert (b.op, b.return_bool, b.card, b.on) == (">", True, "many-to-one", True)
    assert (b.matching, b.include) == (("b", "a"), ("c",))
    assert isinstance(b.lhs, P.VectorSel) and b.lhs.name == "x"
    assert isinstance(b.rhs, P.VectorSel) and b.rhs.name == "y"
    b = _c("x - ignoring (a) group_right y")
    assert isinstance(b, P.Binary)
    assert (b.op, b.card, b.on, b.matching) == ("-", "one-to-many", False, ("a",))
    b = _c("1 + 2")
    assert isinstance(b, P.Binary)
    assert (b.op, b.return_bool, b.card, b.matching) == ("+", False, "one-to-one", ())


def test_literals() -> None:
    n = _c("1.5")
    assert isinstance(n, P.Number) and n.value == 1.5
    s = _c('"a"')
    assert isinstance(s, P.String) and s.value == "a"
    inf = _c("Inf")
    assert isinstance(inf, P.Number) and math.isinf(inf.value)


def test_without_query_text_nodes_have_no_position() -> None:
    node = compile_expr(parse_expr("(x)"))
    assert isinstance(node, P.Paren) and node.expr.pos is None


def test_step_and_range_default_to_zero() -> None:
    node = compile_expr(parse_expr("x[step() + range() + 1m]"))
    assert isinstance(node, P.MatrixSel) and node.range_ms == 60_000


def test_positions_count_lines_from_the_start_of_the_text() -> None:
    node = compile_expr(parse_expr("\nx"), "\nx")
    assert node.pos == (2, 1)
    agg = compile_expr(parse_expr("sum(\n\n  x)"), "sum(\n\n  x)")
    assert isinstance(agg, P.Aggregate) and agg.expr.pos == (3, 3)
