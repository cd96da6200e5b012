"""Aggregations, k-selection and binary operators on small hand-checked vectors."""

from __future__ import annotations

import math

import pytest

from tests.unit.analysis.engine.evalhelp import load, ordered, scalar, vec

ST = load(
    'x{g="a", i="1"} 1',
    'x{g="a", i="2"} 3',
    'x{g="b", i="3"} 10',
    'x{g="b", i="4"} NaN',
    'y{g="a"} 100',
    'y{g="b"} 200',
)


def _same(got: dict[str, float], want: dict[str, float]) -> bool:
    return got.keys() == want.keys() and all(
        (math.isnan(got[k]) and math.isnan(want[k])) or got[k] == want[k] for k in got
    )


@pytest.mark.parametrize(
    ("q", "want"),
    [
        ("sum by (g) (x)", {'{g="a"}': 4.0, '{g="b"}': math.nan}),
        ('sum by (g) (x{i!="4"})', {'{g="a"}': 4.0, '{g="b"}': 10.0}),
        ("avg by (g) (x{i!='4'})", {'{g="a"}': 2.0, '{g="b"}': 10.0}),
        ("count by (g) (x)", {'{g="a"}': 2.0, '{g="b"}': 2.0}),
        ("group by (g) (x)", {'{g="a"}': 1.0, '{g="b"}': 1.0}),
        ("min by (g) (x)", {'{g="a"}': 1.0, '{g="b"}': 10.0}),
        ("max by (g) (x)", {'{g="a"}': 3.0, '{g="b"}': 10.0}),
        ("stdvar by (g) (x{i!='4'})", {'{g="a"}': 1.0, '{g="b"}': 0.0}),
        ("stddev by (g) (x{i!='4'})", {'{g="a"}': 1.0, '{g="b"}': 0.0}),
        ("stddev by (g) (x)", {'{g="a"}': 1.0, '{g="b"}': math.nan}),
        ("quantile by (g) (0.5, x{i!='4'})", {'{g="a"}': 2.0, '{g="b"}': 10.0}),
        ("sum without (i) (x{i!='4'})", {'{g="a"}': 4.0, '{g="b"}': 10.0}),
        ("sum(x{i!='4'})", {"{}": 14.0}),
        ("sum by (nope) (x{i!='4'})", {"{}": 14.0}),
        ("count without (g, i) (x)", {"{}": 4.0}),
    ],
)
def test_aggregations(q: str, want: dict[str, float]) -> None:
    got = vec(ST, q)
    assert _same(got, want), got


def test_min_and_max_skip_a_leading_nan() -> None:
    st = load('z{i="1"} NaN', 'z{i="2"} 5', 'z{i="3"} 2')
    assert vec(st, "min(z)") == {"{}": 2.0}
    assert vec(st, "max(z)") == {"{}": 5.0}
    assert math.isnan(vec(load('z{i="1"} NaN'), "max(z)")["{}"])


def test_stdvar_of_an_infinite_first_value_is_nan() -> None:
    st = load('z{i="1"} Inf', 'z{i="2"} 1')
    assert math.isnan(vec(st, "stdvar(z)")["{}"])
    assert vec(load('z{i="1"} 2', 'z{i="2"} 4', 'z{i="3"} 6'), "stdvar(z)") == {
        "{}": pytest.approx(8 / 3)
    }


def test_aggregation_keeps_the_name_only_with_by_name() -> None:
    assert vec(ST, "max by (__name__) (x{i!='4'})") == {"x": 10.0}
    assert vec(ST, "max without (g, i) (x{i!='4'})") == {"{}": 10.0}


def test_topk_and_bottomk_per_group_with_nan_last() -> None:
    assert vec(ST, "topk by (g) (1, x)") == {'x{g="a", i="2"}': 3.0, 'x{g="b", i="3"}': 10.0}
    assert vec(ST, "bottomk by (g) (1, x)") == {'x{g="a", i="1"}': 1.0, 'x{g="b", i="3"}': 10.0}
    assert ordered(ST, "topk(3, x)") == ['x{g="b", i="3"}', 'x{g="a", i="2"}', 'x{g="a", i="1"}']
    assert ordered(ST, "bottomk(3, x)") == [
        'x{g="a", i="1"}',
        'x{g="a", i="2"}',
        'x{g="b", i="3"}',
    ]
    assert len(vec(ST, "topk(10, x)")) == 4


def test_topk_breaks_value_ties_by_labels() -> None:
    st = load('t{i="b"} 1', 't{i="a"} 1', 't{i="c"} 1')
    assert ordered(st, "topk(2, t)") == ['t{i="a"}', 't{i="b"}']
    assert ordered(st, "bottomk(2, t)") == ['t{i="a"}', 't{i="b"}']


def test_k_below_one_selects_nothing_and_fractions_truncate() -> None:
    assert vec(ST, "topk(0, x)") == {}
    assert vec(ST, "topk(0.9, x)") == {}
    assert vec(ST, "topk(-3, x)") == {}
    assert len(vec(ST, "topk(1.9, x)")) == 1


def test_limitk_keeps_the_first_k_series_of_each_group() -> None:
    assert len(vec(ST, "limitk(1, x)")) == 1
    assert vec(ST, "limitk by (g) (1, x)").keys() == {'x{g="a", i="1"}', 'x{g="b", i="3"}'}
    assert vec(ST, "limitk(0, x)") == {}


def test_limit_ratio_splits_series_by_label_hash() -> None:
    st = load(*[f'r{{i="{i}"}} {i}' for i in range(20)])
    half = vec(st, "limit_ratio(0.5, r)")
    other = vec(st, "limit_ratio(-0.5, r)")
    assert half.keys().isdisjoint(other.keys())
    assert len(half) + len(other) == 20
    assert vec(st, "limit_ratio(0, r)") == {}
    assert len(vec(st, "limit_ratio(1, r)")) == 20
    assert len(vec(st, "limit_ratio(-1, r)")) == 20


def test_scalar_vector_arithmetic_drops_the_name() -> None:
    assert vec(ST, "y * 2") == {'{g="a"}': 200.0, '{g="b"}': 400.0}
    assert vec(ST, "2 - y") == {'{g="a"}': -98.0, '{g="b"}': -198.0}
    assert vec(ST, "y / 0") == {'{g="a"}': math.inf, '{g="b"}': math.inf}
    assert vec(ST, "1000 % y") == {'{g="a"}': 0.0, '{g="b"}': 0.0}
    assert vec(ST, "y ^ 0.5") == {'{g="a"}': 10.0, '{g="b"}': pytest.approx(math.sqrt(200))}
    assert vec(ST, "y atan2 0") == {
        '{g="a"}': pytest.approx(math.pi / 2),
        '{g="b"}': pytest.approx(math.pi / 2),
    }


@pytest.mark.parametrize(
    ("q", "want"),
    [
        ("y > 150", {'y{g="b"}': 200.0}),
        ("y >= 200", {'y{g="b"}': 200.0}),
        ("y < 150", {'y{g="a"}': 100.0}),
        ("y <= 100", {'y{g="a"}': 100.0}),
        ("y == 100", {'y{g="a"}': 100.0}),
        ("y != 100", {'y{g="b"}': 200.0}),
        ("150 < y", {'y{g="b"}': 200.0}),
        ("150 > y", {'y{g="a"}': 100.0}),
        ("y > bool 150", {'{g="a"}': 0.0, '{g="b"}': 1.0}),
        ("150 >= bool y", {'{g="a"}': 1.0, '{g="b"}': 0.0}),
    ],
)
def test_comparison_filters_and_bool_returns_zero_or_one(q: str, want: dict[str, float]) -> None:
    assert vec(ST, q) == want


def test_scalar_comparisons_need_bool_and_give_zero_or_one() -> None:
    assert scalar(ST, "1 < bool 2") == 1.0
    assert scalar(ST, "2 < bool 1") == 0.0
    assert scalar(ST, "2 == bool 2") == 1.0
    assert scalar(ST, "2 != bool 2") == 0.0
    assert scalar(ST, "2 >= bool 2") == 1.0
    assert scalar(ST, "1 <= bool 2") == 1.0
    assert scalar(ST, "1 > bool 2") == 0.0
    assert scalar(ST, "2 ^ 3") == 8.0
    assert scalar(ST, "7 % 4") == 3.0
    assert scalar(ST, "1 / 0") == math.inf


def test_vector_matching_one_to_one_on_and_ignoring() -> None:
    assert vec(ST, "x{i!='4'} / ignoring(i) group_left y") == {
        '{g="a", i="1"}': 0.01,
        '{g="a", i="2"}': 0.03,
        '{g="b", i="3"}': 0.05,
    }
    assert vec(ST, "y - on(g) sum by (g) (x{i!='4'})") == {'{g="a"}': 96.0, '{g="b"}': 190.0}


def test_comparison_between_vectors_keeps_the_left_value_and_name() -> None:
    # one-to-one with on(): only the matching labels stay, the name with them
    assert vec(ST, "y > on(g) sum by (g) (x{i!='4'}) * 20") == {'{g="a"}': 100.0}
    assert vec(ST, "y > ignoring(nope) sum by (g) (x{i!='4'}) * 20") == {'y{g="a"}': 100.0}
    assert vec(ST, "y > bool on(g) sum by (g) (x{i!='4'}) * 20") == {
        '{g="a"}': 1.0,
        '{g="b"}': 0.0,
    }


def test_group_right_keeps_the_right_side_labels_and_value_for_comparisons() -> None:
    assert vec(ST, "y < on(g) group_right x") == {}
    assert vec(ST, "y > on(g) group_right x{i!='4'}") == {
        'x{g="a", i="1"}': 100.0,
        'x{g="a", i="2"}': 100.0,
        'x{g="b", i="3"}': 200.0,
    }
    assert vec(ST, "y - on(g) group_right x{i!='4'}") == {
        '{g="a", i="1"}': 99.0,
        '{g="a", i="2"}': 97.0,
        '{g="b", i="3"}': 190.0,
    }


def test_group_left_copies_included_labels_from_the_right() -> None:
    st = load('a{k="1", i="x"} 1', 'a{k="2", i="y"} 2', 'info{k="1", ver="v1", i="z"} 1')
    assert vec(st, "a * on(k) group_left(ver) info") == {'{i="x", k="1", ver="v1"}': 1.0}
    assert vec(st, "a * on(k) group_left(i) info") == {'{i="z", k="1"}': 1.0}
    assert vec(st, "a * on(k) group_left(nope) info") == {'{i="x", k="1"}': 1.0}


def test_one_to_one_on_keeps_only_the_matching_labels() -> None:
    st = load('a{k="1", i="x"} 1', 'b{k="1", j="y"} 2')
    assert vec(st, "a + on(k) b") == {'{k="1"}': 3.0}
    assert vec(st, "a + ignoring(i, j) b") == {'{k="1"}': 3.0}


def test_set_operators() -> None:
    st = load('a{k="1"} 1', 'a{k="2"} 2', 'b{k="2"} 20', 'b{k="3"} 30')
    assert vec(st, "a and b") == {'a{k="2"}': 2.0}  # the name never takes part
    assert vec(st, "a and on(k) b") == {'a{k="2"}': 2.0}
    assert vec(st, "a unless on(k) b") == {'a{k="1"}': 1.0}
    assert vec(st, "a or on(k) b") == {'a{k="1"}': 1.0, 'a{k="2"}': 2.0, 'b{k="3"}': 30.0}
    assert vec(st, "a and ignoring(__name__) b") == {'a{k="2"}': 2.0}
    assert vec(st, "a or b") == {'a{k="1"}': 1.0, 'a{k="2"}': 2.0, 'b{k="3"}': 30.0}
    assert vec(st, "b unless a") == {'b{k="3"}': 30.0}


def test_arithmetic_drops_metadata_labels_comparisons_keep_them() -> None:
    st = load('m{__type__="gauge", __unit__="s", k="1"} 5', 'n{k="1"} 1')
    assert vec(st, "m + on(k) group_left n") == {'{k="1"}': 6.0}
    assert vec(st, "m > on(k) group_left n") == {'m{__type__="gauge", __unit__="s", k="1"}': 5.0}
    assert vec(st, "m * 1") == {'{k="1"}': 5.0}
    assert vec(st, "m > 1") == {'m{__type__="gauge", __unit__="s", k="1"}': 5.0}


def test_empty_sides_give_empty_results() -> None:
    assert vec(ST, "y + nothing") == {}
    assert vec(ST, "nothing + y") == {}
    assert vec(ST, "nothing + nothing") == {}
