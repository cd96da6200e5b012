"""Text the evaluator produces or reads: Go number formats, quoting, templates, natural sort."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine.evaluator import (
    Engine,
    EvalError,
    Matrix,
    _fmt_2g,
    _go_float,
    _go_labels,
    _go_quote,
    _natsort_less,
    _om_float,
    _parse_go_float,
    _rfc3339,
)
from obsctl.analysis.engine.labels import fmt
from obsctl.analysis.engine.storage import Storage
from tests.unit.analysis.engine.evalhelp import load, ordered, plan, vec


@pytest.mark.parametrize(
    ("v", "text"),
    [
        (1.5, "1.5"),
        (100.0, "100"),
        (-0.0, "-0"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (-2.5e-10, "-0.00000000025"),
        (123456789012.0, "123456789012"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
        (math.nan, "NaN"),
    ],
)
def test_count_values_formats_values_without_exponent(v: float, text: str) -> None:
    assert _go_float(v) == text


def test_count_values_counts_per_formatted_value() -> None:
    st = load('x{i="1"} 1e21', 'x{i="2"} 1e21', 'x{i="3"} 0.5')
    assert vec(st, 'count_values("v", x)') == {
        '{v="1000000000000000000000"}': 2.0,
        '{v="0.5"}': 1.0,
    }
    assert vec(st, 'count_values by (i) ("v", x)') == {
        '{i="1", v="1000000000000000000000"}': 1.0,
        '{i="2", v="1000000000000000000000"}': 1.0,
        '{i="3", v="0.5"}': 1.0,
    }
    assert vec(st, 'count_values without (i) ("v", x)') == {
        '{v="1000000000000000000000"}': 2.0,
        '{v="0.5"}': 1.0,
    }


@pytest.mark.parametrize(
    ("v", "text"),
    [(6.0, "6"), (0.5, "0.5"), (1234.0, "1.2e+03"), (1e-5, "1e-05"), (0.000123, "0.00012")],
)
def test_two_significant_digits_like_go(v: float, text: str) -> None:
    assert _fmt_2g(v) == text


def test_rfc3339_of_milliseconds_cuts_to_seconds() -> None:
    assert _rfc3339(0) == "1970-01-01T00:00:00Z"
    assert _rfc3339(1_709_210_096_999) == "2024-02-29T12:34:56Z"


def test_rfc3339_is_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert _rfc3339(0) == "1970-01-01T00:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("q", "text"),
    [
        (1.0, "1.0"),
        (0.0, "0.0"),
        (-1.0, "-1.0"),
        (2.0, "2.0"),
        (0.5, "0.5"),
        (1e-5, "1e-05"),
        (1e21, "1e+21"),
        (math.nan, "NaN"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
    ],
)
def test_openmetrics_float_label_values(q: float, text: str) -> None:
    assert _om_float(q) == text


def test_go_quote_escapes_and_shows_invalid_utf8_bytes_as_hex() -> None:
    assert _go_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert _go_quote("\udcff\udc80") == '"\\xff\\x80"'
    assert _go_quote("é") == '"é"'
    assert _go_labels((("a", "1"), ("b", 'x"y'))) == '{a="1", b="x\\"y"}'
    assert _go_labels(()) == "{}"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1.0),
        ("0.25", 0.25),
        ("1e3", 1000.0),
        ("+Inf", math.inf),
        ("inf", math.inf),
        ("-Inf", -math.inf),
        ("Infinity", math.inf),
        ("-infinity", -math.inf),
        ("0x10", 16.0),
        ("-0x1p-2", -0.25),
    ],
)
def test_le_values_parse_like_go_parse_float(text: str, value: float) -> None:
    assert _parse_go_float(text) == value


def test_le_nan_parses() -> None:
    assert math.isnan(_parse_go_float("NaN"))
    assert math.isnan(_parse_go_float("nan"))


@pytest.mark.parametrize("text", ["", " 1", "1 ", "1_000", "abc", "0x"])
def test_le_values_go_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        _parse_go_float(text)


R = load('x{a="abc-123", b="x"} 1', 'x{a="", b="y"} 2')


@pytest.mark.parametrize(
    ("repl", "value"),
    [
        ("$1", "abc"),
        ("${1}", "abc"),
        ("$2", "123"),
        ("$name", "abc"),
        ("${name}", "abc"),
        ("${name}x", "abcx"),
        ("$namex", ""),  # the longest name: there is no group "namex"
        ("$1x", ""),  # "1x" is a name, not group 1 followed by x
        ("${1}x", "abcx"),
        ("$$1", "$1"),
        ("a$$1", "a$1"),
        ("}${1}", "}abc"),
        ("a$", "a$"),
        ("$-", "$-"),
        ("${1", "${1"),
        ("${}", "${}"),
        ("${a-b}", "${a-b}"),
        ("$9", ""),
        ("${9}", ""),
        ("$0", "abc-123"),
        ("[$2]-[$1]", "[123]-[abc]"),
        ("${1}-${2}", "abc-123"),  # each ${ closes at its own }
        ("a}${1}", "a}abc"),  # a } before the ${ is not its end
        ("x${1", "x${1"),
        ("a$-", "a$-"),
    ],
)
def test_label_replace_expands_templates_like_go_regexp_expand(repl: str, value: str) -> None:
    got = vec(R, f'label_replace(x{{b="x"}}, "d", "{repl}", "a", "(?P<name>[a-z]+)-([0-9]+)")')
    want = f'x{{a="abc-123", b="x", d="{value}"}}' if value else 'x{a="abc-123", b="x"}'
    assert got == {want: 1.0}


def test_label_replace_leaves_non_matching_series_alone() -> None:
    assert vec(R, 'label_replace(x, "d", "$1", "b", "(y)z")') == {
        'x{a="abc-123", b="x"}': 1.0,
        'x{b="y"}': 2.0,
    }


def test_label_replace_matches_the_whole_value_with_dot_matching_newline() -> None:
    st = load('x{a="l1\\nl2"} 1')
    assert vec(st, 'label_replace(x, "d", "$1", "a", "l1.(l2)")') == {'x{a="l1\\nl2", d="l2"}': 1.0}
    assert vec(st, 'label_replace(x, "d", "$1", "a", "(l2)")') == {'x{a="l1\\nl2"}': 1.0}


def test_label_replace_of_an_absent_source_label_matches_the_empty_string() -> None:
    assert vec(R, 'label_replace(x{b="y"}, "d", "empty", "a", "")') == {'x{b="y", d="empty"}': 2.0}


def test_label_join_joins_values_in_argument_order_with_empty_for_missing() -> None:
    assert vec(R, 'label_join(x, "d", "-", "b", "a", "missing")') == {
        'x{a="abc-123", b="x", d="x-abc-123-"}': 1.0,
        'x{b="y", d="y--"}': 2.0,
    }


def test_label_join_into_the_name_keeps_it() -> None:
    assert vec(R, 'label_join(x{b="x"}, "__name__", "", "b")') == {'x{a="abc-123", b="x"}': 1.0}
    assert vec(R, 'label_join(-x{b="x"}, "__name__", "", "b")') == {'x{a="abc-123", b="x"}': -1.0}
    assert vec(R, 'label_join(-x{b="x"}, "c", "", "b")') == {'{a="abc-123", b="x", c="x"}': -1.0}


S = load(
    'n{v="a10"} 1',
    'n{v="a9"} 2',
    'n{v="a09x"} 3',
    'n{v="b"} 5',
    'n{v="a"} 6',
    'n{w="only"} 7',
)


def test_sort_by_label_sorts_numbers_inside_values_naturally() -> None:
    assert ordered(S, 'sort_by_label(n, "v")') == [
        'n{w="only"}',
        'n{v="a"}',
        'n{v="a9"}',
        'n{v="a09x"}',
        'n{v="a10"}',
        'n{v="b"}',
    ]


def test_sort_by_label_desc_is_the_reverse() -> None:
    assert ordered(S, 'sort_by_label_desc(n, "v")') == [
        'n{v="b"}',
        'n{v="a10"}',
        'n{v="a09x"}',
        'n{v="a9"}',
        'n{v="a"}',
        'n{w="only"}',
    ]


def test_sort_by_label_ties_fall_back_to_the_whole_label_set() -> None:
    st = load('m{g="1", i="b"} 1', 'm{g="1", i="a"} 2', 'm{g="0", i="z"} 3')
    assert ordered(st, 'sort_by_label(m, "g")') == [
        'm{g="0", i="z"}',
        'm{g="1", i="a"}',
        'm{g="1", i="b"}',
    ]
    assert ordered(st, 'sort_by_label_desc(m, "g")') == [
        'm{g="1", i="b"}',
        'm{g="1", i="a"}',
        'm{g="0", i="z"}',
    ]
    assert ordered(st, 'sort_by_label(m, "g", "i")') == [
        'm{g="0", i="z"}',
        'm{g="1", i="a"}',
        'm{g="1", i="b"}',
    ]


@pytest.mark.parametrize(
    ("a", "b", "less"),
    [
        ("a9", "a10", True),
        ("a10", "a9", False),
        ("a9", "a010", True),
        ("a010", "a9", False),
        ("a09", "a9", False),  # equal numbers: neither is less
        ("a9", "a09", False),
        ("a9", "a09x", True),  # then the shorter wins
        ("a09x", "a9", False),
        ("a", "b", True),
        ("b", "a", False),
        ("1", "a", True),
        ("10", "a", True),  # a number against text: compared as text
        ("a", "10", False),
        ("a", "1", False),
        ("x2y", "x2z", True),
        ("", "a", True),
        ("a", "", False),
        ("a12", "a13", True),  # same length: compared digit by digit
        ("a13", "a12", False),
        ("a09b", "a9c", True),  # equal numbers: the next chunks decide
        ("a9b", "a09a", False),  # leading zeros do not make a number longer
    ],
)
def test_natural_order_compares_digit_runs_as_numbers(a: str, b: str, less: bool) -> None:
    assert _natsort_less(a, b) is less


def test_sort_desc_orders_by_value_with_nan_last() -> None:
    st = load('s{i="a"} 2', 's{i="b"} NaN', 's{i="c"} -1', 's{i="d"} 10')
    assert ordered(st, "sort_desc(s)") == ['s{i="d"}', 's{i="a"}', 's{i="c"}', 's{i="b"}']


def test_sort_orders_by_value_with_nan_last_as_prometheus_does() -> None:
    st = load('s{i="a"} 2', 's{i="b"} NaN', 's{i="c"} -1', 's{i="d"} 10')
    assert ordered(st, "sort(s)") == ['s{i="c"}', 's{i="a"}', 's{i="d"}', 's{i="b"}']


def test_sort_by_label_ties_are_ordered_by_labels_whatever_the_input_order() -> None:
    st = load('m{g="1", i="a"} 1', 'm{g="1", i="b"} 2', 'm{g="1", i="c"} 3', 'm{g="1", i="d"} 4')
    assert ordered(st, 'sort_by_label(sort_desc(m), "g")') == [
        'm{g="1", i="a"}',
        'm{g="1", i="b"}',
        'm{g="1", i="c"}',
        'm{g="1", i="d"}',
    ]


def test_sort_by_label_moves_on_to_the_next_label_on_a_tie() -> None:
    st = load('m{a="1", g="1", i="y"} 1', 'm{a="2", g="1", i="x"} 2')
    assert ordered(st, 'sort_by_label(m, "g", "i")') == [
        'm{a="2", g="1", i="x"}',
        'm{a="1", g="1", i="y"}',
    ]


def test_label_replace_and_join_keep_a_dropped_name_dropped() -> None:
    # rate() drops the metric name; a label written by label_replace/label_join keeps it
    # dropped, unless the label written is __name__ itself.
    st = load('x{a="1"} 0+60x10')
    assert vec(st, 'label_replace(rate(x[5m]), "b", "c", "", "")', 600) == {'{a="1", b="c"}': 1.0}
    assert vec(st, 'label_join(rate(x[5m]), "b", "-", "a")', 600) == {'{a="1", b="1"}': 1.0}
    assert vec(st, 'label_replace(rate(x[5m]), "__name__", "y", "", "")', 600) == {'y{a="1"}': 1.0}


def _range(
    st: Storage, q: str, end_s: int, step_s: int = 60
) -> list[tuple[str, list[int], list[float]]]:
    res = Engine(st).range(plan(q, step_ms=step_s * 1000), 0, end_s * 1000, step_s * 1000).value
    assert isinstance(res, Matrix)
    return [(fmt(s.labels), s.ts, s.vals) for s in res]


def test_range_query_merges_series_that_lose_their_name_at_disjoint_steps() -> None:
    # a until 4m, b from 6m: once rate() drops the names, one series {x="1"} over both.
    st = load('a{x="1"} 0+60x4', 'b{x="1"} _x6 0+120x4')
    assert _range(st, 'rate({__name__=~"a|b"}[2m])', 600) == [
        (
            '{x="1"}',
            [60_000, 120_000, 180_000, 240_000, 420_000, 480_000, 540_000, 600_000],
            [
                0.5,
                1.0,
                1.0,
                1.0,
                1.0,
                2.0,
                2.0,
                2.0,
            ],  # extrapolated to the zero point at each start
        ),
    ]


def test_range_query_refuses_series_that_lose_their_name_at_the_same_step() -> None:
    st = load('a{x="1"} 0+60x4', 'b{x="1"} _x3 0+60x4')
    with pytest.raises(EvalError) as err:
        _range(st, 'rate({__name__=~"a|b"}[2m])', 600)
    assert str(err.value) == "vector cannot contain metrics with the same labelset"


def test_clamp_bounds_may_be_scalar_expressions_over_series() -> None:
    st = load('x{a="1"} 5', "lo 2", "hi 4")
    assert vec(st, "clamp(x, scalar(lo), scalar(hi))") == {'{a="1"}': 4.0}
    assert vec(st, "clamp_min(x, scalar(hi) + 2)") == {'{a="1"}': 6.0}
    assert vec(st, "clamp_max(x, scalar(lo))") == {'{a="1"}': 2.0}
