"""Functions the evaluator implements itself, selectors, subqueries and range queries."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine.evaluator import Engine
from obsctl.analysis.engine.storage import Storage
from tests.unit.analysis.engine.evalhelp import instant, load, matrix, plan, scalar, vec

ST = load('x{i="1"} 1 2 3 4 5', 'x{i="2"} -5 _ _ _ 10', "c_total 0 10 20 30 40")


def test_timestamp_of_a_selector_is_the_sample_time_otherwise_the_evaluation_time() -> None:
    assert vec(ST, "timestamp(x)", 150) == {'{i="1"}': 120.0, '{i="2"}': 0.0}
    assert vec(ST, "timestamp(-x)", 150) == {'{i="1"}': 150.0, '{i="2"}': 150.0}
    assert vec(ST, "timestamp(x offset 1m)", 150) == {'{i="1"}': 60.0, '{i="2"}': 0.0}


def test_scalar_of_one_element_else_nan_and_vector_of_a_scalar() -> None:
    assert scalar(ST, 'scalar(x{i="1"})', 120) == 3.0
    assert math.isnan(scalar(ST, "scalar(x)", 120))
    assert math.isnan(scalar(ST, "scalar(nothing)", 120))
    assert vec(ST, "vector(7)") == {"{}": 7.0}
    assert vec(ST, "vector(time())", 12.5) == {"{}": 12.5}


def test_absent_labels_come_from_equality_matchers_only() -> None:
    assert vec(ST, "absent(x)") == {}
    assert vec(ST, 'absent(nope{a="1", b=~"2", c!="3"})') == {'{a="1"}': 1.0}
    assert vec(ST, 'absent(nope{a="1", a="2"})') == {"{}": 1.0}
    assert vec(ST, 'absent({__name__="nope", a="1"})') == {'{a="1"}': 1.0}
    assert vec(ST, "absent(sum(nope))") == {"{}": 1.0}
    assert vec(ST, 'absent_over_time(nope{a="1"}[1m])') == {'{a="1"}': 1.0}
    assert vec(ST, "absent_over_time(x[1m])", 60) == {}
    assert vec(ST, "absent_over_time(nope[1m:])", 60) == {"{}": 1.0}


def test_absent_of_a_label_matched_twice_leaves_it_out() -> None:
    # as Prometheus: a later matcher of any kind on the label removes it again
    assert vec(ST, 'absent(nope{a="1", a=~"1"})') == {"{}": 1.0}
    assert vec(ST, 'absent(nope{a=~"1", a="1"})') == {'{a="1"}': 1.0}
    assert vec(ST, 'absent(nope{a="1", b="2"})') == {'{a="1", b="2"}': 1.0}


def test_clamp_min_max_and_empty_when_max_below_min() -> None:
    assert vec(ST, "clamp(x, 0, 3)", 240) == {'{i="1"}': 3.0, '{i="2"}': 3.0}
    assert vec(ST, "clamp(x, 0, 3)", 0) == {'{i="1"}': 1.0, '{i="2"}': 0.0}
    assert vec(ST, "clamp_min(x, 2)", 0) == {'{i="1"}': 2.0, '{i="2"}': 2.0}
    assert vec(ST, "clamp_max(x, 0)", 0) == {'{i="1"}': 0.0, '{i="2"}': -5.0}
    assert vec(ST, "clamp(x, 3, 2)", 0) == {}
    assert vec(ST, "clamp(x, 2, 2)", 0) == {'{i="1"}': 2.0, '{i="2"}': 2.0}
    got = vec(ST, "clamp(x, NaN, 2)", 0)
    assert all(math.isnan(v) for v in got.values()) and len(got) == 2


def test_round_to_the_nearest_multiple_halves_up() -> None:
    st = load('r{i="a"} 2.5', 'r{i="b"} -2.5', 'r{i="c"} 1.26')
    assert vec(st, "round(r)") == {'{i="a"}': 3.0, '{i="b"}': -2.0, '{i="c"}': 1.0}
    assert vec(st, "round(r, 0.1)") == {'{i="a"}': 2.5, '{i="b"}': -2.5, '{i="c"}': 1.3}
    assert vec(st, "round(r, 2)") == {'{i="a"}': 2.0, '{i="b"}': -2.0, '{i="c"}': 2.0}
    assert vec(load("r Inf"), "round(r)") == {"{}": math.inf}


def test_date_functions_default_to_the_evaluation_time() -> None:
    assert vec(ST, "hour()", 7200) == {"{}": 2.0}
    assert vec(ST, "minute(vector(150))") == {"{}": 2.0}
    # -5 s is 1969-12-31T23:59:55Z
    assert vec(ST, "minute(x)", 0) == {'{i="1"}': 0.0, '{i="2"}': 59.0}


def test_min_of_and_max_of_scalars() -> None:
    assert scalar(ST, "min_of(1, 2)") == 1.0
    assert scalar(ST, "max_of(1, 2)") == 2.0
    assert math.isnan(scalar(ST, "max_of(NaN, 2)"))


def test_time_start_end_range_step_in_a_range_query() -> None:
    got = matrix(ST, "time() + start() * 1000 + end() * 100 + range() * 10 + step()", 60, 120, 30)
    assert got == {
        "{}": [
            (60.0, 60 + 60_000 + 12_000 + 600 + 30.0),
            (90.0, 90 + 60_000 + 12_000 + 600 + 30.0),
            (120.0, 120 + 60_000 + 12_000 + 600 + 30.0),
        ]
    }


def test_pi_and_instant_query_time_constants() -> None:
    assert scalar(ST, "pi()") == math.pi
    assert scalar(ST, "time()", 42) == 42.0
    assert scalar(ST, "start()", 42) == 42.0
    assert scalar(ST, "end()", 42) == 42.0
    assert scalar(ST, "range()", 42) == 0.0
    assert scalar(ST, "step()", 42) == 0.0


def test_lookback_and_stale_markers() -> None:
    st = load("s 1 _ _ _ _ _ _", "t 1 stale 2")
    assert vec(st, "s", 299.999) == {"s": 1.0}
    assert vec(st, "s", 300) == {}
    assert vec(st, "t", 30) == {"t": 1.0}
    assert vec(st, "t", 60) == {}
    assert vec(st, "t", 120) == {"t": 2.0}
    assert vec(st, "count_over_time(t[3m])", 120) == {"{}": 2.0}


def test_offset_and_at_move_the_evaluation_time() -> None:
    assert vec(ST, 'x{i="1"} offset 2m', 240) == {'x{i="1"}': 3.0}
    assert vec(ST, 'x{i="1"} offset -1m', 60) == {'x{i="1"}': 3.0}
    assert vec(ST, 'x{i="1"} @ 60', 240) == {'x{i="1"}': 2.0}
    assert vec(ST, 'x{i="1"} @ 120 offset 1m', 0) == {'x{i="1"}': 2.0}
    assert vec(ST, 'x{i="1"} @ 60.0005', 240) == {'x{i="1"}': 2.0}


def test_at_start_and_end_refer_to_the_query_range() -> None:
    got = matrix(ST, 'x{i="1"} @ start() + x{i="1"} @ end()', 60, 180, 60)
    assert got == {'{i="1"}': [(60.0, 6.0), (120.0, 6.0), (180.0, 6.0)]}


def test_range_selectors_are_left_open() -> None:
    assert vec(ST, 'count_over_time(x{i="1"}[1m])', 120) == {'{i="1"}': 1.0}
    assert vec(ST, 'count_over_time(x{i="1"}[61s])', 120) == {'{i="1"}': 2.0}
    assert vec(ST, 'last_over_time(x{i="1"}[1m] offset 1m)', 120) == {'x{i="1"}': 2.0}


def test_subquery_steps_align_to_multiples_of_the_step() -> None:
    assert vec(ST, 'count_over_time(x{i="1"}[2m:1m])', 150) == {'{i="1"}': 2.0}
    assert vec(ST, 'count_over_time(x{i="1"}[2m:1m])', 120) == {'{i="1"}': 2.0}
    assert vec(ST, 'count_over_time(x{i="1"}[2m:45s])', 120) == {'{i="1"}': 2.0}  # 45s, 90s
    assert vec(ST, 'count_over_time(x{i="1"}[2m:45s])', 135) == {'{i="1"}': 3.0}
    assert vec(ST, 'sum_over_time(x{i="1"}[2m:1m] offset 1m)', 180) == {'{i="1"}': 5.0}
    assert vec(ST, 'sum_over_time(x{i="1"}[2m:1m] @ 180)', 0) == {'{i="1"}': 7.0}


def test_subquery_default_step_is_one_minute() -> None:
    assert vec(ST, 'count_over_time(x{i="1"}[3m:])', 180) == {'{i="1"}': 3.0}
    eng = Engine(ST, subquery_step_ms=30_000)
    res = eng.instant(plan('count_over_time(x{i="1"}[3m:])'), 180_000).value
    assert [s.v for s in res] == [6.0]  # type: ignore[union-attr]


def test_subquery_of_a_scalar_and_at_start_inside_a_subquery() -> None:
    assert vec(ST, "sum_over_time(vector(time())[2m:1m])", 120) == {"{}": 180.0}
    got = matrix(ST, 'max_over_time((x{i="1"} @ start())[2m:1m])', 120, 180, 60)
    assert got == {'{i="1"}': [(120.0, 3.0), (180.0, 3.0)]}


def test_range_query_keeps_series_that_appear_later_and_names_where_due() -> None:
    assert matrix(ST, "x", 0, 120, 60) == {
        'x{i="1"}': [(0.0, 1.0), (60.0, 2.0), (120.0, 3.0)],
        'x{i="2"}': [(0.0, -5.0), (60.0, -5.0), (120.0, -5.0)],
    }
    assert matrix(ST, "-x", 240, 240, 60) == {
        '{i="1"}': [(240.0, -5.0)],
        '{i="2"}': [(240.0, -10.0)],
    }


def test_range_query_of_a_scalar_is_one_series_without_labels() -> None:
    assert matrix(Storage(), "1 + 1", 0, 60, 30) == {"{}": [(0.0, 2.0), (30.0, 2.0), (60.0, 2.0)]}


def test_instant_query_of_a_range_vector_returns_it_sorted() -> None:
    res = instant(ST, "x[1m]", 60).value
    assert [(s.labels, s.ts, s.vals) for s in res] == [  # type: ignore[union-attr]
        ((("__name__", "x"), ("i", "1")), [60_000], [2.0]),
    ]
    res = instant(ST, "rate(c_total[2m])[1m:1m]", 240).value
    assert [s.labels for s in res] == [()]  # type: ignore[union-attr]


def test_functions_that_change_the_meaning_drop_the_name_others_keep_it() -> None:
    assert vec(ST, 'last_over_time(x{i="1"}[1m])', 60) == {'x{i="1"}': 2.0}
    assert vec(ST, 'first_over_time(x{i="1"}[2m])', 120) == {'x{i="1"}': 2.0}
    assert vec(ST, 'max_over_time(x{i="1"}[1m])', 60) == {'{i="1"}': 2.0}
    assert vec(ST, 'sort(x{i="1"})', 60) == {'x{i="1"}': 2.0}
    assert vec(ST, 'abs(x{i="1"})', 60) == {'{i="1"}': 2.0}
    assert vec(ST, 'label_replace(x{i="1"}, "j", "1", "", "")', 60) == {'x{i="1", j="1"}': 2.0}


def test_rate_family_over_a_counter() -> None:
    assert vec(ST, "rate(c_total[2m])", 240) == {"{}": pytest.approx(1 / 6)}
    assert vec(ST, "increase(c_total[2m])", 240) == {"{}": pytest.approx(20.0)}
    assert vec(ST, "irate(c_total[2m])", 240) == {"{}": pytest.approx(1 / 6)}
    assert vec(ST, "idelta(c_total[2m])", 240) == {"{}": 10.0}
    assert vec(ST, "resets(c_total[5m])", 240) == {"{}": 0.0}
    assert vec(ST, "changes(c_total[5m])", 240) == {"{}": 4.0}
    assert vec(ST, "deriv(c_total[5m])", 240) == {"{}": pytest.approx(1 / 6)}
    assert vec(ST, "predict_linear(c_total[5m], 60)", 240) == {"{}": pytest.approx(50.0)}


def test_anchored_and_smoothed_rate_reach_before_the_range() -> None:
    st = load("a_total 0 10 20 30 40")
    assert vec(st, "increase(a_total[1m] anchored)", 90) == {"{}": 10.0}
    assert vec(st, "increase(a_total[1m] smoothed)", 90) == {"{}": pytest.approx(10.0)}
    assert vec(st, "changes(a_total[1m] anchored)", 90) == {"{}": 1.0}
    assert vec(st, "resets(a_total[1m] anchored)", 90) == {"{}": 0.0}
    assert vec(st, "a_total smoothed", 90) == {"a_total": 15.0}
    assert vec(st, "a_total smoothed", 120) == {"a_total": 20.0}
    assert vec(st, "a_total smoothed", 270) == {"a_total": 40.0}
    assert vec(st, "a_total smoothed", 0) == {"a_total": 0.0}


def test_smoothed_selector_takes_the_last_sample_when_none_follows() -> None:
    st = load("one 7")
    assert vec(st, "one smoothed", 100) == {"one": 7.0}
    assert vec(st, "one smoothed", 0) == {"one": 7.0}
    assert vec(st, "one smoothed", 301) == {}


def test_smoothed_selector_samples_are_stamped_with_the_evaluation_time() -> None:
    st = load("a_total 0 10 20 30 40")
    assert vec(st, "timestamp(a_total smoothed)", 90) == {"{}": 90.0}
    assert vec(st, "timestamp(a_total)", 90) == {"{}": 60.0}


def test_info_reads_the_info_series_at_the_time_of_the_selector_inside_a_function() -> None:
    st = load(
        'target_info{instance="a", job="j", ver="old"} 1 1 stale',
        'target_info{instance="a", job="j", ver="new"} _ _ _ 1 1 1 1 1 1 1 1',
        'm_total{instance="a", job="j"} 0+1x10',
    )
    assert vec(st, 'info(rate(m_total{instance="a"}[2m] offset 9m))', 600) == {
        '{instance="a", job="j", ver="old"}': pytest.approx(1 / 120)
    }
    assert vec(st, 'info(rate(m_total{instance="a"}[2m] @ 60))', 600) == {
        '{instance="a", job="j", ver="old"}': pytest.approx(1 / 120)
    }
    assert vec(st, 'info(rate(m_total{instance="a"}[2m]))', 600) == {
        '{instance="a", job="j", ver="new"}': pytest.approx(1 / 60)
    }


def test_sample_repr_shows_labels_value_and_time() -> None:
    from obsctl.analysis.engine.evaluator import Sample

    assert (
        repr(Sample((("__name__", "x"), ("a", "1")), 1.5, 1000)) == 'Sample(x{a="1"}, 1.5, t=1000)'
    )


def test_scalar_arguments_are_evaluated_at_the_evaluation_time() -> None:
    assert vec(ST, "clamp(x, time() - 100, time() - 98)", 100) == {'{i="1"}': 2.0, '{i="2"}': 0.0}
    assert vec(ST, "clamp_min(x, time() - 97)", 100) == {'{i="1"}': 3.0, '{i="2"}': 3.0}
    assert vec(ST, "clamp_max(x, time() - 99)", 100) == {'{i="1"}': 1.0, '{i="2"}': -5.0}


def test_min_of_and_max_of_evaluate_selector_arguments() -> None:
    assert scalar(ST, 'max_of(scalar(x{i="1"}), 2)', 120) == 3.0
    assert scalar(ST, 'min_of(2, scalar(x{i="1"}))', 120) == 2.0


def test_histogram_quantiles_labels_each_quantile() -> None:
    st = load('h_bucket{le="1"} 5', 'h_bucket{le="2"} 10', 'h_bucket{le="+Inf"} 10', "qq 0.5")
    assert vec(st, 'histogram_quantiles(h_bucket, "q", 0.25, scalar(qq), 1)') == {
        '{q="0.25"}': 0.5,
        '{q="0.5"}': 1.0,
        '{q="1.0"}': 2.0,
    }


def test_histogram_fraction_evaluates_its_bounds_at_the_step() -> None:
    st = load('h_bucket{le="1"} 5', 'h_bucket{le="2"} 10', 'h_bucket{le="+Inf"} 10', "hi 1")
    assert vec(st, "histogram_fraction(0, scalar(hi), h_bucket)") == {"{}": 0.5}
    assert vec(st, "histogram_fraction(scalar(hi), 2, h_bucket)") == {"{}": 0.5}


INFO = load(
    'target_info{instance="a", job="j", ver="old"} 1 1 stale',
    'target_info{instance="a", job="j", ver="new"} _ _ _ 1 1 1 1 1 1 1 1',
    'target_info{instance="b", job="j", ver="x"} 1 1 1 1 1 1 1 1 1 1 1',
    'target_info{instance="b", job="j", ver="y"} 1 1 1 1 1 1 1 1 1 1 1',
    'm_total{instance="a", job="j"} 0+1x10',
)


def test_info_of_a_binary_expression_reads_at_the_left_selectors_time() -> None:
    assert vec(INFO, 'info(m_total{instance="a"} offset 9m * 2)', 600) == {
        '{instance="a", job="j", ver="old"}': 2.0
    }


def test_info_ignores_info_series_of_other_targets_even_when_ambiguous() -> None:
    assert vec(INFO, 'info(m_total{instance="a"})', 600) == {
        'm_total{instance="a", job="j", ver="new"}': 10.0
    }


def test_info_with_two_info_series_for_one_target_at_the_same_time_fails() -> None:
    from obsctl.analysis.engine.evaluator import EvalError

    st = load(
        'target_info{instance="b", job="j", ver="x"} 1',
        'target_info{instance="b", job="j", ver="y"} 1',
        'm{instance="b", job="j"} 1',
    )
    with pytest.raises(EvalError) as exc:
        instant(st, "info(m)", 0)
    assert str(exc.value) == (
        'found duplicate series for info metric: existing {__name__="target_info", '
        'instance="b", job="j", ver="x"} @ 0, new {__name__="target_info", instance="b", '
        'job="j", ver="y"} @ 0'
    )


def test_annotations_from_inside_a_subquery_reach_the_query() -> None:
    res = instant(ST, "max_over_time(rate(x[2m])[4m:1m])", 240)
    assert res.annotations.infos == [
        "PromQL info: metric might not be a counter, name does not end in "
        '_total/_sum/_count/_bucket: "x" (1:20)'
    ]


def test_a_subquery_of_a_scalar_plan_is_one_series_without_labels() -> None:
    from obsctl.analysis.engine import plan as P

    res = Engine(ST).instant(P.Subquery(P.Call("time", ()), 120_000, 60_000), 120_000).value
    assert [(s.labels, s.ts, s.vals) for s in res] == [  # type: ignore[union-attr]
        ((), [60_000, 120_000], [60.0, 120.0])
    ]


def test_smoothed_selector_goes_on_after_a_series_without_samples_nearby() -> None:
    st = load("a_old 1", "b_new _ _ _ _ _ _ _ _ _ _ 5")
    assert vec(st, '{__name__=~"a_old|b_new"} smoothed', 600) == {"b_new": 5.0}
