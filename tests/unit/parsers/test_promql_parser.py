"""The PromQL parser's trees, node by node, and its literal readers.

The conformance suite (``test_promql_conformance.py``) checks Prometheus's parser cases by node
kind, printed form and errors; these tests spell whole trees, positions included, as
Prometheus's ``parse_test.go`` states them (positions are character offsets here), and pin
the literal readers (durations, numbers, strings) value by value.
"""

from __future__ import annotations

import math

import pytest

from obsctl.model.promql_ast import (
    FUNCTIONS,
    AggregateExpr,
    BinaryExpr,
    Call,
    Cardinality,
    DurationExpr,
    LabelMatcher,
    MatchOp,
    MatrixSelector,
    NumberLiteral,
    ParenExpr,
    PosRange,
    StringLiteral,
    SubqueryExpr,
    UnaryExpr,
    VectorMatching,
    VectorSelector,
)
from obsctl.parsers.promql_parser import (
    ParseErr,
    ParseOptions,
    PromQLParseError,
    parse_duration,
    parse_expr,
    parse_metric_selector,
    parse_number,
    unquote_string,
)

EQ = MatchOp.EQUAL


def sel(name: str, start: int, end: int, *matchers: LabelMatcher, **kw: object) -> VectorSelector:
    """``name{matchers}``: Prometheus appends the ``__name__`` matcher after the others."""
    every = (*matchers, LabelMatcher("__name__", EQ, name))
    return VectorSelector(name, every, PosRange(start, end), **kw)  # type: ignore[arg-type]


def num(value: float, start: int, end: int, *, duration: bool = False) -> NumberLiteral:
    return NumberLiteral(value, PosRange(start, end), duration)


ONE_TO_ONE = VectorMatching(Cardinality.ONE_TO_ONE, (), False, (), None, None)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("-some_metric", UnaryExpr("-", sel("some_metric", 1, 12), PosRange(0, 12))),
        ("+some_metric", UnaryExpr("+", sel("some_metric", 1, 12), PosRange(0, 12))),
        ("-1", num(-1.0, 0, 2)),
        ("+1", num(1.0, 0, 2)),
        ("- 5m", num(-300.0, 0, 4, duration=True)),
        ("(foo)", ParenExpr(sel("foo", 1, 4), PosRange(0, 5))),
        ('"a\\tb"', StringLiteral("a\tb", PosRange(0, 6))),
        ("`a\\tb`", StringLiteral("a\\tb", PosRange(0, 6))),
        ("0x1F", num(31.0, 0, 4)),
        ("1h30m", num(5400.0, 0, 5, duration=True)),
        (
            "foo / on(test,blub) group_left(bar) bar",
            BinaryExpr(
                "/",
                sel("foo", 0, 3),
                sel("bar", 36, 39),
                PosRange(0, 39),
                VectorMatching(Cardinality.MANY_TO_ONE, ("test", "blub"), True, ("bar",)),
            ),
        ),
        (
            "foo / ignoring(test,blub) group_right(blub) bar",
            BinaryExpr(
                "/",
                sel("foo", 0, 3),
                sel("bar", 44, 47),
                PosRange(0, 47),
                VectorMatching(Cardinality.ONE_TO_MANY, ("test", "blub"), False, ("blub",)),
            ),
        ),
        (
            "foo * on(a) group_left bar",  # no include list
            BinaryExpr(
                "*",
                sel("foo", 0, 3),
                sel("bar", 23, 26),
                PosRange(0, 26),
                VectorMatching(Cardinality.MANY_TO_ONE, ("a",), True, ()),
            ),
        ),
        (
            "foo and bar",  # set operators are many-to-many
            BinaryExpr(
                "and",
                sel("foo", 0, 3),
                sel("bar", 8, 11),
                PosRange(0, 11),
                VectorMatching(Cardinality.MANY_TO_MANY),
            ),
        ),
        (
            "foo == bool bar",
            BinaryExpr(
                "==", sel("foo", 0, 3), sel("bar", 12, 15), PosRange(0, 15), ONE_TO_ONE, True
            ),
        ),
        (
            "1 > bool 2",  # scalar operands: no vector matching at all
            BinaryExpr(">", num(1.0, 0, 1), num(2.0, 9, 10), PosRange(0, 10), None, True),
        ),
        (
            "a + fill(1) b",
            BinaryExpr(
                "+",
                sel("a", 0, 1),
                sel("b", 12, 13),
                PosRange(0, 13),
                VectorMatching(Cardinality.ONE_TO_ONE, (), False, (), 1.0, 1.0),
            ),
        ),
        (
            "a + fill_left(-1) fill_right(2) b",
            BinaryExpr(
                "+",
                sel("a", 0, 1),
                sel("b", 32, 33),
                PosRange(0, 33),
                VectorMatching(Cardinality.ONE_TO_ONE, (), False, (), -1.0, 2.0),
            ),
        ),
        (
            "a + fill_right(+2) fill_left(1) b",
            BinaryExpr(
                "+",
                sel("a", 0, 1),
                sel("b", 32, 33),
                PosRange(0, 33),
                VectorMatching(Cardinality.ONE_TO_ONE, (), False, (), 1.0, 2.0),
            ),
        ),
        (
            "a - fill_right(3) b",
            BinaryExpr(
                "-",
                sel("a", 0, 1),
                sel("b", 18, 19),
                PosRange(0, 19),
                VectorMatching(Cardinality.ONE_TO_ONE, (), False, (), None, 3.0),
            ),
        ),
        (
            "1 - 2 - 3",  # left-associative
            BinaryExpr(
                "-",
                BinaryExpr("-", num(1.0, 0, 1), num(2.0, 4, 5), PosRange(0, 5)),
                num(3.0, 8, 9),
                PosRange(0, 9),
            ),
        ),
        (
            "2 ^ 3 ^ 2",  # right-associative
            BinaryExpr(
                "^",
                num(2.0, 0, 1),
                BinaryExpr("^", num(3.0, 4, 5), num(2.0, 8, 9), PosRange(4, 9)),
                PosRange(0, 9),
            ),
        ),
        (
            "-2 ^ 2",  # unary minus binds looser than ^
            UnaryExpr(
                "-",
                BinaryExpr("^", num(2.0, 1, 2), num(2.0, 5, 6), PosRange(1, 6)),
                PosRange(0, 6),
            ),
        ),
        (
            "a + b * c > bool d or e",
            BinaryExpr(
                "or",
                BinaryExpr(
                    ">",
                    BinaryExpr(
                        "+",
                        sel("a", 0, 1),
                        BinaryExpr("*", sel("b", 4, 5), sel("c", 8, 9), PosRange(4, 9), ONE_TO_ONE),
                        PosRange(0, 9),
                        ONE_TO_ONE,
                    ),
                    sel("d", 17, 18),
                    PosRange(0, 18),
                    ONE_TO_ONE,
                    True,
                ),
                sel("e", 22, 23),
                PosRange(0, 23),
                VectorMatching(Cardinality.MANY_TO_MANY),
            ),
        ),
        (
            "sum by (foo)(some_metric)",
            AggregateExpr("sum", sel("some_metric", 13, 24), PosRange(0, 25), None, ("foo",)),
        ),
        (
            "sum(some_metric) without (foo, 'bar')",
            AggregateExpr(
                "sum", sel("some_metric", 4, 15), PosRange(0, 37), None, ("foo", "bar"), True
            ),
        ),
        (
            "avg by (a,) (x)",  # a trailing comma is allowed in grouping
            AggregateExpr("avg", sel("x", 13, 14), PosRange(0, 15), None, ("a",)),
        ),
        (
            "count by () (x)",
            AggregateExpr("count", sel("x", 13, 14), PosRange(0, 15), None, ()),
        ),
        (
            "topk(5, some_metric)",
            AggregateExpr("topk", sel("some_metric", 8, 19), PosRange(0, 20), num(5.0, 5, 6)),
        ),
        (
            'count_values("value", some_metric)',
            AggregateExpr(
                "count_values",
                sel("some_metric", 22, 33),
                PosRange(0, 34),
                StringLiteral("value", PosRange(13, 20)),
            ),
        ),
        (
            "rate(foo[5m])",
            Call(
                FUNCTIONS["rate"],
                (MatrixSelector(sel("foo", 5, 8), 300.0, PosRange(5, 12)),),
                PosRange(0, 13),
            ),
        ),
        ("time()", Call(FUNCTIONS["time"], (), PosRange(0, 6))),
        (
            'foo{a="b", c!~"d"}',
            sel(
                "foo",
                0,
                18,
                LabelMatcher("a", EQ, "b"),
                LabelMatcher("c", MatchOp.NOT_REGEX, "d"),
            ),
        ),
        (
            '{"foo", a=~"b"}',  # a quoted name alone is the metric name
            VectorSelector(
                None,
                (LabelMatcher("__name__", EQ, "foo"), LabelMatcher("a", MatchOp.REGEX, "b")),
                PosRange(0, 15),
            ),
        ),
        (
            '{a="b",}',
            VectorSelector(None, (LabelMatcher("a", EQ, "b"),), PosRange(0, 8)),
        ),
        ("foo offset 5m", sel("foo", 0, 13, offset=300.0)),
        ("foo offset -7m", sel("foo", 0, 14, offset=-420.0)),
        (
            "foo offset +(5)",
            sel(
                "foo",
                0,
                15,
                offset_expr=DurationExpr("+", None, num(5.0, 13, 14), PosRange(13, 14), True),
            ),
        ),
        (
            "foo offset -(5)",
            sel(
                "foo",
                0,
                15,
                offset_expr=DurationExpr(
                    "-",
                    None,
                    DurationExpr("+", None, num(5.0, 13, 14), PosRange(13, 14), True),
                    PosRange(11, 14),
                ),
            ),
        ),
        (
            "foo offset -step()",
            sel(
                "foo",
                0,
                18,
                offset_expr=DurationExpr(
                    "-", None, DurationExpr("step", None, None, PosRange(12, 18)), PosRange(11, 18)
                ),
            ),
        ),
        (
            "foo offset max_of(1m, 2m)",
            sel(
                "foo",
                0,
                25,
                offset_expr=DurationExpr(
                    "max_of",
                    num(60.0, 18, 20, duration=True),
                    num(120.0, 22, 24, duration=True),
                    PosRange(11, 25),
                ),
            ),
        ),
        (
            "test[5w] offset 2w",
            MatrixSelector(sel("test", 0, 4, offset=1209600.0), 3024000.0, PosRange(0, 18)),
        ),
        (
            "foo[5m+1m]",
            MatrixSelector(
                sel("foo", 0, 3),
                0.0,
                PosRange(0, 10),
                DurationExpr(
                    "+",
                    num(300.0, 4, 6, duration=True),
                    num(60.0, 7, 9, duration=True),
                    PosRange(4, 9),
                ),
            ),
        ),
        (
            "foo[(5m)]",
            MatrixSelector(
                sel("foo", 0, 3),
                0.0,
                PosRange(0, 9),
                DurationExpr("+", None, num(300.0, 5, 7, duration=True), PosRange(4, 8), True),
            ),
        ),
        (
            "foo[2 * 3m - 1m]",  # * binds tighter than -
            MatrixSelector(
                sel("foo", 0, 3),
                0.0,
                PosRange(0, 16),
                DurationExpr(
                    "-",
                    DurationExpr(
                        "*", num(2.0, 4, 5), num(180.0, 8, 10, duration=True), PosRange(4, 10)
                    ),
                    num(60.0, 13, 15, duration=True),
                    PosRange(4, 15),
                ),
            ),
        ),
        (
            "foo offset -max_of(1m, 2m)",
            sel(
                "foo",
                0,
                26,
                offset_expr=DurationExpr(
                    "-",
                    None,
                    DurationExpr(
                        "max_of",
                        num(60.0, 19, 21, duration=True),
                        num(120.0, 23, 25, duration=True),
                        PosRange(12, 26),
                    ),
                    PosRange(11, 26),
                ),
            ),
        ),
        ("foo @ 1603774568", sel("foo", 0, 16, timestamp=1603774568000)),
        ("foo @ -1.5", sel("foo", 0, 10, timestamp=-1500)),
        ("foo @ start()", sel("foo", 0, 13, start_or_end="start")),
        ("foo @ end()", sel("foo", 0, 11, start_or_end="end")),
        (
            "foo[1m] @ 10",
            MatrixSelector(sel("foo", 0, 3, timestamp=10000), 60.0, PosRange(0, 12)),
        ),
        ("foo smoothed", sel("foo", 0, 3, smoothed=True)),
        (
            "foo[5m] anchored",
            MatrixSelector(sel("foo", 0, 3, anchored=True), 300.0, PosRange(0, 7)),
        ),
        (
            "foo[10m:6s] @ end()",
            SubqueryExpr(sel("foo", 0, 3), 600.0, PosRange(0, 19), None, 6.0, start_or_end="end"),
        ),
        (
            "some_metric[10m:5s] offset 1m @ 123",
            SubqueryExpr(
                sel("some_metric", 0, 11),
                600.0,
                PosRange(0, 35),
                None,
                5.0,
                offset=60.0,
                timestamp=123000,
            ),
        ),
        (
            "foo[5m:]",
            SubqueryExpr(sel("foo", 0, 3), 300.0, PosRange(0, 8)),
        ),
        (
            "foo[5m:step()]",
            SubqueryExpr(
                sel("foo", 0, 3),
                300.0,
                PosRange(0, 14),
                None,
                0.0,
                DurationExpr("step", None, None, PosRange(7, 13)),
            ),
        ),
    ],
    ids=lambda v: None,  # the text, spelled by tests/conftest.py
)
def test_expression_parses_to_prometheus_tree(text: str, tree: object) -> None:
    assert parse_expr(text) == tree


# -- literal readers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("1ms", 0.001),
        ("1s", 1.0),
        ("1m", 60.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1w", 604800.0),
        ("1y", 31536000.0),
        ("1y2w3d4h5m6s7ms", 31536000.0 + 1209600 + 259200 + 14400 + 300 + 6 + 0.007),
        ("90s", 90.0),
        ("0s", 0.0),
        ("106751d", 9223286400.0),  # just below Go's largest duration
    ],
)
def test_duration_literal_in_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == (seconds, "")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", 'not a valid duration string: ""'),
        ("m", 'not a valid duration string: "m"'),
        ("5", 'not a valid duration string: "5"'),
        ("5m1h", 'not a valid duration string: "5m1h"'),  # units out of order
        ("5m5m", 'not a valid duration string: "5m5m"'),  # a unit twice
        ("1h30", 'not a valid duration string: "1h30"'),
        ("5x", 'unknown unit "x" in duration "5x"'),
        ("5mm", 'unknown unit "mm" in duration "5mm"'),
        ("106752d", "duration out of range"),
        ("9223372036854775808ms", "duration out of range"),
        ("106751d23h48m", "duration out of range"),  # the sum overflows, not a part
    ],
)
def test_bad_duration_literal_has_prometheus_message(text: str, error: str) -> None:
    assert parse_duration(text) == (0.0, error)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5", 1.5),
        ("12", 12.0),
        ("0x1F", 31.0),
        ("0X1f", 31.0),
        ("0x_1F", 31.0),
        ("017", 15.0),  # a leading 0 is octal
        ("0o17", 15.0),
        ("0O17", 15.0),
        ("0", 0.0),
        ("1_000", 1000.0),
        ("1e3", 1000.0),
        ("1.5e-3", 0.0015),
        (".5", 0.5),
        ("5.", 5.0),
        ("1_0.2_5", 10.25),
        ("Inf", math.inf),
        ("+inf", math.inf),
        ("infinity", math.inf),
        ("-Inf", -math.inf),
        ("-infinity", -math.inf),
        ("9223372036854775807", 9223372036854775807.0),
        ("9223372036854775808", 9223372036854775808.0),  # past int64: read as a float
        ("089", 89.0),  # not octal: read as a float
    ],
)
def test_number_literal_value(text: str, value: float) -> None:
    assert parse_number(text) == (value, "")


def test_nan_literal_is_nan() -> None:
    value, error = parse_number("NaN")
    assert math.isnan(value)
    assert error == ""


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
        ("0x1p3", 'strconv.ParseFloat: parsing "0x1p3": invalid syntax'),
        ("1__0", 'strconv.ParseFloat: parsing "1__0": invalid syntax'),
        ("1_", 'strconv.ParseFloat: parsing "1_": invalid syntax'),
        ("1_.5", 'strconv.ParseFloat: parsing "1_.5": invalid syntax'),
        ("1._5", 'strconv.ParseFloat: parsing "1._5": invalid syntax'),
        ("_1", 'strconv.ParseFloat: parsing "_1": invalid syntax'),
        ("abc", 'strconv.ParseFloat: parsing "abc": invalid syntax'),
    ],
)
def test_bad_number_literal_has_go_message(text: str, error: str) -> None:
    assert parse_number(text)[1] == error


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"abc"', "abc"),
        ("'abc'", "abc"),
        ("`a\\nb`", "a\\nb"),
        ('"a\\nb"', "a\nb"),
        ('"\\a\\b\\f\\n\\r\\t\\v\\\\"', "\a\b\f\n\r\t\v\\"),
        ('"\\x41\\101\\u00e9\\U0001F600"', "AA\u00e9\U0001f600"),
        ('"\\xc3\\xa9"', "\u00e9"),  # \x escapes are bytes: these two are UTF-8 for é
        ('"\\xff"', "\udcff"),  # a byte that is not UTF-8 comes back as a surrogate escape
        ("'\\''", "'"),
        ('"\\""', '"'),
        ('"\'"', "'"),
        ("'\"'", '"'),
        ('""', ""),
    ],
)
def test_string_literal_value(text: str, value: str) -> None:
    assert unquote_string(text) == (value, True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        '"',
        "'abc\"",
        "abc",
        '"a\nb"',
        '"a"b"',
        "`a`b`",
        '"\\"',
        '"\\q"',
        '"\\x4"',
        '"\\x4g"',
        '"\\u12"',
        '"\\ud800"',
        '"\\U00110000"',
        '"\\08"',
        '"\\400"',
        '"\\\'"',  # \' inside a double-quoted string
        "'\\\"'",  # \" inside a single-quoted string
    ],
)
def test_malformed_string_literal_is_refused(text: str) -> None:
    assert unquote_string(text)[1] is False


# -- errors as a list and where they are -----------------------------------------------------------


def test_error_location_counts_lines_and_characters() -> None:
    err = ParseErr(PosRange(7, 8), "x")
    assert err.location("ab\ncdé\nf") == (3, 1)
    assert err.location("abcdefgh") == (1, 8)
    assert ParseErr(PosRange(50, 50), "x").location("ab\ncd") == (2, 3)  # clamped to the end


def test_parse_error_message_names_line_and_column_of_the_first_error() -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_expr("sum(\n  rate(x))")
    assert str(info.value) == (
        '2:8: parse error: expected type range vector in call to function "rate", '
        "got instant vector"
    )
    assert info.value.query == "sum(\n  rate(x))"
    assert info.value.first is info.value.errors[0]


def test_semantic_errors_are_all_collected_in_order() -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_expr('rate(x) + "a"')
    assert [(e.pos.start, e.pos.end, e.message) for e in info.value.errors] == [
        (5, 6, 'expected type range vector in call to function "rate", got instant vector'),
        (10, 13, "binary expression must contain only scalar and instant vector types"),
    ]


def test_empty_input_has_no_expression() -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_expr("  # only a comment")
    assert [(e.pos.start, e.pos.end, e.message) for e in info.value.errors] == [
        (0, 0, "no expression found in input")
    ]


# -- feature flags off: Prometheus's messages ------------------------------------------------------

_OFF = ParseOptions(
    experimental_functions=False,
    duration_expr=False,
    extended_range_selectors=False,
    binop_fill_modifiers=False,
)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("foo[5m+1m]", (4, 6, "experimental duration expression is not enabled")),
        ("foo[(5m)]", (5, 7, "experimental duration expression is not enabled")),
        ("foo offset step()", (11, 17, "experimental duration expression is not enabled")),
        ("foo[5m] anchored", (0, 7, "anchored modifier is experimental and not enabled")),
        ("foo smoothed", (0, 3, "smoothed modifier is experimental and not enabled")),
        ("a + fill(0) b", (0, 13, "binop fill modifiers are experimental and not enabled")),
        ("a + fill_left(0) b", (0, 18, "binop fill modifiers are experimental and not enabled")),
        ("mad_over_time(x[5m])", (0, 13, 'function "mad_over_time" is not enabled')),
    ],
)
def test_feature_off_is_refused_with_prometheus_message(
    text: str, error: tuple[int, int, str]
) -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_expr(text, _OFF)
    first = info.value.first
    assert (first.pos.start, first.pos.end, first.message) == error


def test_features_on_by_default_accept_the_same_expressions() -> None:
    for text in ("foo[5m+1m]", "foo[5m] anchored", "a + fill(0) b", "mad_over_time(x[5m])"):
        parse_expr(text)


# -- series selectors (match[]) -------------------------------------------------------------------


def test_metric_selector_is_name_and_matchers() -> None:
    assert parse_metric_selector('up{job="api"}') == sel(
        "up", 0, 13, LabelMatcher("job", EQ, "api")
    )
    assert parse_metric_selector('{job="api"}') == VectorSelector(
        None, (LabelMatcher("job", EQ, "api"),), PosRange(0, 11)
    )
    assert parse_metric_selector("sum") == sel("sum", 0, 3)  # a keyword names a metric here


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("up + 1", (3, 4, "unexpected <op:+>")),
        ("1", (0, 1, 'unexpected number "1"')),
        ('{job=""}', (0, 8, "vector selector must contain at least one non-empty matcher")),
        ('up{__name__="x"}', (0, 16, 'metric name must not be set twice: "up" or "x"')),
        ("up[5m]", (2, 3, 'unexpected "["')),
    ],
)
def test_metric_selector_refuses_what_prometheus_refuses(
    text: str, error: tuple[int, int, str]
) -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_metric_selector(text)
    first = info.value.first
    assert (first.pos.start, first.pos.end, first.message) == error


def test_parsing_a_long_chain_restores_the_recursion_limit() -> None:
    import sys

    before = sys.getrecursionlimit()
    tree = parse_expr(" + ".join(["x"] * 3000))
    assert isinstance(tree, BinaryExpr)
    assert tree.pos == PosRange(0, 4 * 3000 - 3)
    assert sys.getrecursionlimit() == before


# -- errors: message and range, as Prometheus reports them ----------------------------------------


def _errors(text: str, options: ParseOptions | None = None) -> list[tuple[int, int, str]]:
    with pytest.raises(PromQLParseError) as info:
        parse_expr(text) if options is None else parse_expr(text, options)
    return [(e.pos.start, e.pos.end, e.message) for e in info.value.errors]


_WRONG_COUNT = "wrong number of arguments for aggregate expression provided, "


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        # the whole string token, quotes included (Prometheus: the item's range)
        ('sum by ("") (x)', [(8, 10, 'invalid label name for grouping: ""')]),
        (
            "sum by (a b) (x)",
            [(10, 11, 'unexpected identifier "b" in grouping opts, expected "," or ")"')],
        ),
        ("foo offset 1m offset 2m", [(0, 13, "offset may not be set multiple times")]),
        ("foo[5m] offset 1m offset 2m", [(0, 17, "offset may not be set multiple times")]),
        ("foo[5m:] offset 1m offset 2m", [(0, 18, "offset may not be set multiple times")]),
        ("foo offset -1e10", [(11, 12, "duration out of range")]),  # at the sign
        ("foo offset 1e10", [(11, 15, "duration out of range")]),
        ("round()", [(0, 7, 'expected at least 1 argument(s) in call to "round", got 0')]),
        ("sum()", [(0, 5, "no arguments for aggregate expression provided")]),
        ("foo[5m,]", [(6, 7, 'unexpected "," in subquery or range, expected ":" or "]"')]),
        ("foo[5m:1m,]", [(9, 10, 'unexpected "," in subquery selector, expected "]"')]),
        ("sum(1)", [(4, 5, "expected type instant vector in aggregation expression, got scalar")]),
        (
            'limitk("a", x)',
            [(7, 10, "expected type scalar in aggregation parameter, got string")],
        ),
        ("foo @ start", [(11, 11, "unexpected end of input in @, expected timestamp")]),
        ("foo @ start(1)", [(12, 13, 'unexpected number "1" in @, expected timestamp')]),
        ("(foo) anchored", [(0, 5, "anchored modifier not implemented")]),
        ("1 smoothed", [(0, 1, "smoothed modifier not implemented")]),
        ('sum by ("\\xff") (x)', [(8, 14, 'invalid label name for grouping: "\\xff"')]),
        ('abs({a=""})', [(4, 10, "vector selector must contain at least one non-empty matcher")]),
        (
            'bottomk("a", x)',
            [(8, 11, "expected type scalar in aggregation parameter, got string")],
        ),
        (
            "1 + fill(0) x",
            [(0, 13, "filling in missing series only allowed between instant vectors")],
        ),
        (
            "a and fill(0) b",
            [(0, 15, "filling in missing series not allowed for set operators")],
        ),
        (
            "sum(x, y) by (a) + 1",  # the node of a refused aggregation still has its range
            [
                (
                    0,
                    16,
                    _WRONG_COUNT + "expected 1, got 2",
                )
            ],
        ),
        (
            "topk(x)",
            [
                (
                    0,
                    7,
                    _WRONG_COUNT + "expected 2, got 1",
                )
            ],
        ),
    ],
)
def test_error_has_prometheus_message_and_range(
    text: str, errors: list[tuple[int, int, str]]
) -> None:
    assert _errors(text) == errors


def test_refused_experimental_aggregation_keeps_its_range_for_what_follows() -> None:
    assert _errors("limitk(2, x) + 1", _OFF) == [
        (
            0,
            12,
            "limitk() is experimental and must be enabled with "
            "--enable-feature=promql-experimental-functions",
        )
    ]


def test_bad_regex_matcher_is_refused_over_the_whole_matcher() -> None:
    ((start, end, message),) = _errors('x{a=~"("}')
    assert (start, end) == (2, 8)
    assert message.startswith("error parsing regexp: ")
    assert message.endswith(": `(`")


def test_error_location_on_an_earlier_line() -> None:
    assert ParseErr(PosRange(1, 2), "x").location("ab\ncd\nef") == (1, 2)
    assert ParseErr(PosRange(2, 3), "x").location("\nab") == (2, 2)  # a leading newline counts


def test_info_second_argument_must_be_an_instant_vector() -> None:
    assert _errors("info(x, 1)")[0] == (
        0,
        10,
        'expected type instant vector in call to function "info", got scalar',
    )


def test_metric_selector_with_a_parse_error_is_not_checked_further() -> None:
    with pytest.raises(PromQLParseError) as info:
        parse_metric_selector('{a=~"("}')
    assert [(e.pos.start, e.pos.end) for e in info.value.errors] == [(1, 7)]


def test_code_point_just_past_the_surrogates_is_a_string() -> None:
    assert unquote_string('"\\ue000"') == ("\ue000", True)


def test_largest_code_point_escape_is_a_string() -> None:
    assert unquote_string('"\\U0010ffff"') == ("\U0010ffff", True)


def test_nesting_past_the_recursion_budget_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from obsctl.parsers import promql_parser

    monkeypatch.setattr(promql_parser, "_MAX_RECURSION", 1500)  # the budget, made small
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        errors = _errors("(" * 2000 + "1" + ")" * 2000)
    finally:
        sys.setrecursionlimit(before)
    assert errors == [(0, 4001, "expression nested too deeply")]
