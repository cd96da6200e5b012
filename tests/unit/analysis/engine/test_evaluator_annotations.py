"""Warnings and infos: when they are raised, their exact text and position, deduplication."""

from __future__ import annotations

from obsctl.analysis.engine.evaluator import Engine
from tests.unit.analysis.engine.evalhelp import instant, load, plan

ST = load(
    'x{a="1"} 0+1x10',
    'x_total{a="1"} 0+1x10',
    'x_sum{a="1"} 0+1x10',
    'x_count{a="1"} 0+1x10',
    'x_bucket{a="1"} 0+1x10',
    'x_totals{a="1"} 0+1x10',
)


def _annos(q: str, t_s: float = 300) -> tuple[list[str], list[str]]:
    res = instant(ST, q, t_s)
    return res.annotations.warnings, res.annotations.infos


def test_rate_and_increase_of_a_name_without_counter_suffix_raise_an_info() -> None:
    msg = (
        "PromQL info: metric might not be a counter, name does not end in "
        '_total/_sum/_count/_bucket: "x" (1:6)'
    )
    assert _annos("rate(x[5m])") == ([], [msg])
    assert _annos("increase(x[5m])") == ([], [msg.replace("(1:6)", "(1:10)")])
    _, infos = _annos("rate(x_totals[5m])")
    assert infos == [
        "PromQL info: metric might not be a counter, name does not end in "
        '_total/_sum/_count/_bucket: "x_totals" (1:6)'
    ]


def test_counter_suffixes_and_other_functions_raise_no_info() -> None:
    for name in ("x_total", "x_sum", "x_count", "x_bucket"):
        assert _annos(f"rate({name}[5m])") == ([], [])
    assert _annos("delta(x[5m])") == ([], [])
    assert _annos('rate({a="none"}[5m])') == ([], [])


def test_an_info_is_raised_once_per_query_however_many_steps() -> None:
    res = Engine(ST).range(plan("rate(x[5m])", 60_000, 240_000), 300_000, 540_000, 60_000)
    assert len(res.annotations.infos) == 1


def test_quantile_out_of_range_warns_with_the_value_and_the_parameter_position() -> None:
    assert _annos("quantile(1.5, x)") == (
        ["PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:10)"],
        [],
    )
    assert _annos("quantile(-0.5, x)")[0] == [
        "PromQL warning: quantile value should be between 0 and 1, got -0.5 (1:10)"
    ]
    assert _annos("quantile(NaN, x)")[0] == [
        "PromQL warning: quantile value should be between 0 and 1, got NaN (1:10)"
    ]
    assert _annos("quantile(0, x)") == ([], [])
    assert _annos("quantile(1, x)") == ([], [])


def test_quantile_over_time_warns_only_when_there_is_data() -> None:
    assert _annos("quantile_over_time(2, x[5m])")[0] == [
        "PromQL warning: quantile value should be between 0 and 1, got 2 (1:20)"
    ]
    assert _annos("quantile_over_time(-1, x[5m])")[0] == [
        "PromQL warning: quantile value should be between 0 and 1, got -1 (1:20)"
    ]
    assert _annos("quantile_over_time(1, x[5m])") == ([], [])
    assert _annos("quantile_over_time(0, x[5m])") == ([], [])
    assert _annos('quantile_over_time(2, x{a="none"}[5m])') == ([], [])


def test_limit_ratio_outside_minus_one_to_one_warns_and_caps() -> None:
    assert _annos("limit_ratio(1.5, x)")[0] == [
        "PromQL warning: ratio value should be between -1 and 1, got 1.5, capping to 1 (1:13)"
    ]
    assert _annos("limit_ratio(-1.5, x)")[0] == [
        "PromQL warning: ratio value should be between -1 and 1, got -1.5, capping to -1 (1:13)"
    ]
    assert _annos("limit_ratio(1, x)") == ([], [])
    assert _annos("limit_ratio(-1, x)") == ([], [])


def test_sort_warns_in_a_range_query_only() -> None:
    res = Engine(ST).range(plan("sort(x)", 60_000, 60_000), 0, 60_000, 60_000)
    assert res.annotations.warnings == [
        "PromQL warning: sort is ineffective for range queries since results are always "
        "ordered by labels (1:1)"
    ]
    assert _annos("sort(x)") == ([], [])
    assert _annos("sort_desc(x)") == ([], [])


H = load(
    # forced at le=2 at 0s (by 6), at le=3 at 60s (by 5)
    'h_bucket{le="1"} 10 10',
    'h_bucket{le="2"} 4 10',
    'h_bucket{le="3"} 12 5',
    'h_bucket{le="+Inf"} 12 12',
    'g_bucket{le="abc"} 1',
    'g_bucket{le="+Inf"} 1',
)


def test_histogram_quantile_monotonicity_info_merges_the_steps() -> None:
    res = Engine(H).range(
        plan("histogram_quantile(0.5, h_bucket)", 60_000, 60_000), 0, 60_000, 60_000
    )
    assert res.annotations.warnings == []
    assert res.annotations.infos == [
        "PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
        "(see https://prometheus.io/docs/prometheus/latest/querying/functions/"
        '#histogram_quantile) for metric name "h_bucket", from buckets 2 to 3, with a max '
        "diff of 6, over 2 samples from 1970-01-01T00:00:00Z to 1970-01-01T00:01:00Z (1:25)"
    ]


def test_histogram_quantile_monotonicity_info_of_one_step() -> None:
    res = instant(H, "histogram_quantile(0.5, h_bucket)", 0)
    assert res.annotations.infos == [
        "PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
        "(see https://prometheus.io/docs/prometheus/latest/querying/functions/"
        '#histogram_quantile) for metric name "h_bucket", from buckets 2 to 2, with a max '
        "diff of 6, over 1 samples from 1970-01-01T00:00:00Z to 1970-01-01T00:00:00Z (1:25)"
    ]


def test_histogram_quantile_warns_about_a_malformed_le_and_skips_the_bucket() -> None:
    res = instant(H, "histogram_quantile(0.5, g_bucket)", 0)
    assert res.annotations.warnings == [
        'PromQL warning: bucket label "le" is missing or has a malformed value of "abc" '
        'for metric name "g_bucket" (1:25)'
    ]


def test_histogram_quantile_out_of_range_q_warns() -> None:
    res = instant(H, "histogram_quantile(1.5, h_bucket)", 0)
    assert res.annotations.warnings == [
        "PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)"
    ]
    res = instant(H, "histogram_quantile(-1, h_bucket)", 0)
    assert res.annotations.warnings == [
        "PromQL warning: quantile value should be between 0 and 1, got -1 (1:20)"
    ]
    assert instant(H, "histogram_quantile(1, g_bucket)", 0).annotations.warnings == [
        'PromQL warning: bucket label "le" is missing or has a malformed value of "abc" '
        'for metric name "g_bucket" (1:23)'
    ]


def test_monotonicity_info_without_a_position_has_no_suffix() -> None:
    from obsctl.analysis.engine.compile import compile_expr
    from obsctl.parsers.promql_parser import parse_expr

    node = compile_expr(parse_expr("histogram_quantile(0.5, h_bucket)"))  # no query text
    res = Engine(H).instant(node, 0)
    assert res.annotations.infos == [
        "PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
        "(see https://prometheus.io/docs/prometheus/latest/querying/functions/"
        '#histogram_quantile) for metric name "h_bucket", from buckets 2 to 2, with a max '
        "diff of 6, over 1 samples from 1970-01-01T00:00:00Z to 1970-01-01T00:00:00Z"
    ]
    res = Engine(ST).instant(compile_expr(parse_expr("quantile(2, x)")), 0)
    assert res.annotations.warnings == [
        "PromQL warning: quantile value should be between 0 and 1, got 2"
    ]


def test_positions_of_negated_parameters_and_subquery_arguments() -> None:
    assert _annos("quantile(-(2), x)")[0] == [
        "PromQL warning: quantile value should be between 0 and 1, got -2 (1:10)"
    ]
    assert _annos("rate(x[5m:1m])")[1] == [
        "PromQL info: metric might not be a counter, name does not end in "
        '_total/_sum/_count/_bucket: "x" (1:6)'
    ]
