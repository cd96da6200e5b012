"""Offline PromQL check: errors say where the expression broke."""

from __future__ import annotations

import pytest

from obsctl.errors import UsageError
from obsctl.exit_codes import ExitCode
from obsctl.parsers.promql import PromQLSyntaxError, caret_excerpt, check_promql, metric_names


@pytest.mark.parametrize(
    "expr",
    [
        "up",
        "sum by (job) (rate(http_requests_total[5m]))",
        'up{job=~"a|b"} offset 5m',
        "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.4",
        "max_over_time(up[1h:5m])",
    ],
)
def test_valid_expressions_parse(expr: str) -> None:
    check_promql(expr)


@pytest.mark.parametrize(
    ("expr", "reason", "col"),
    [
        # Prometheus's own messages and positions (its lexer reports an unclosed
        # parenthesis at the end of the input).
        ("sum(rate(x[5m])", "unclosed left parenthesis", 16),
        ("up ) + 1", "unexpected right parenthesis ')'", 5),
        ('foo{a="b"', "unexpected end of input inside braces", 10),
        ("up +", "unexpected end of input", 5),  # operator without right-hand side
        ("foo bar", 'unexpected identifier "bar"', 5),  # two selectors in a row
        ("up == == 1", "unexpected <op:==>", 7),  # doubled operator
        ('up{a="b" c="d"}', 'unexpected identifier "c" in label matching, expected "," or "}"', 10),
        ("rate(x[5m]) by (a)", "unexpected <by>", 13),  # grouping on a function
        ("up{a=b}", 'unexpected identifier "b" in label matching, expected string', 6),
        ("rate(x[5x])", 'bad number or duration syntax: "5"', 8),
        ("unknownfunc(x)", 'unknown function with name "unknownfunc"', 1),
        (
            "rate(x)",
            'expected type range vector in call to function "rate", got instant vector',
            6,
        ),
        ('"abc', "unterminated quoted string", 1),
    ],
)
def test_errors_point_at_the_break(expr: str, reason: str, col: int) -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        check_promql(expr)
    err = info.value
    assert err.reason == reason
    assert err.pos == col - 1
    lines = err.message.splitlines()
    assert lines[0] == f"PromQL syntax error at column {col}: {reason}"
    assert lines[1] == f"    {expr}"
    assert lines[2] == "    " + " " * (col - 1) + "^"
    assert err.exit_code == ExitCode.USAGE


def test_multiline_expression_names_line() -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        check_promql("sum(\n  rate(x[5m]) +\n)")
    assert info.value.message.splitlines()[0].startswith("PromQL syntax error at line 3, column 1")


def test_empty_expression() -> None:
    with pytest.raises(UsageError, match="empty PromQL expression"):
        check_promql("  ")


def test_caret_excerpt_cuts_long_lines() -> None:
    expr = "a" * 100 + " + " + "b" * 100
    line, caret = caret_excerpt(expr, 101, width=20)
    assert len(line) <= 22
    assert line[caret.index("^")] == "+"


def test_metric_names() -> None:
    expr = "histogram_quantile(0.9, rate(x_seconds_bucket[5m])) / on() group_left y_bytes"
    assert metric_names(expr) == ["x_seconds_bucket", "y_bytes"]
    assert metric_names("sum(") == []


@pytest.mark.parametrize(
    "expr",
    [
        "foo[5m+1m]",
        "rate(foo[2m*2])",
        "foo offset (5m)",
        "foo[step()]",
        "foo[min_of(step(), 5m):range()]",
        'anchored{job="x"}',
        "sum by (smoothed) (x)",
        "rate(x[5m] anchored)",
        "x smoothed",
        '{"http.server.request.duration", le="0.1"}',
        'sum by ("k8s.pod.name") ({"a.b"=~"x"})',
        '`a\\"b`',
        "1_000_000 + 0x_53_AB",
        "mad_over_time(x[5m]) + limitk(2, y) + info(z)",
        "a + fill(0) b",
        "foo @ 9223372036.854",
        "foo[300]",
    ],
)
def test_newest_prometheus_syntax_is_accepted(expr: str) -> None:
    check_promql(expr)


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("9" * 310, "value out of range"),
        ("1e400", "value out of range"),
        ("foo @ 9223372036854775808.0", "timestamp out of bounds for @ modifier"),
        ("foo @ +Inf", "timestamp out of bounds for @ modifier: +Inf"),
        ("on", "unexpected <on>"),
        ("atan2{a='b'}", "unexpected <op:atan2>"),
        ("foo[5m1h]", 'not a valid duration string: "5m1h"'),
        ("foo[5m/0]", "division by zero"),
        ('"a\\qb"', "unknown escape sequence U+0071 'q'"),
        ("rate(x[5m] anchored smoothed)", "anchored and smoothed modifiers cannot be used"),
    ],
)
def test_what_prometheus_refuses_is_refused(expr: str, reason: str) -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        check_promql(expr)
    assert reason in info.value.reason


def test_raw_string_keeps_backslashes() -> None:
    from obsctl.model.promql_ast import StringLiteral

    node = check_promql('`a\\"b`')
    assert isinstance(node, StringLiteral)
    assert node.value == 'a\\"b'


@pytest.mark.parametrize(
    "expr",
    ["(" * 5000 + "x" + ")" * 5000, "-" * 5000 + "x", "x" + " + x" * 5000, "x" + "^x" * 5000],
    ids=["parens", "unary", "plus", "pow"],
)
def test_deep_nesting_parses_in_linear_time(expr: str) -> None:
    import time

    started = time.perf_counter()
    check_promql(expr)
    assert time.perf_counter() - started < 5  # quadratic checking took minutes here


def test_absurd_nesting_is_refused_not_crashed() -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        check_promql("(" * 100_000 + "1" + ")" * 100_000)
    assert info.value.reason == "expression nested too deeply"


@pytest.mark.parametrize(
    ("selector", "reason", "col"),
    [
        ("up + 1", "unexpected <op:+>", 4),
        ("rate(x[5m])", 'unexpected "("', 5),
        ("up offset 5m", "unexpected <offset>", 4),
        ("up[5m]", 'unexpected "["', 3),
        ('{a=""}', "vector selector must contain at least one non-empty matcher", 1),
    ],
)
def test_series_selector_is_a_selector_only(selector: str, reason: str, col: int) -> None:
    from obsctl.parsers.promql import check_selector

    with pytest.raises(PromQLSyntaxError) as info:
        check_selector(selector)
    assert (info.value.reason, info.value.pos + 1) == (reason, col)


@pytest.mark.parametrize("selector", ["up", 'up{job="a"}', '{"http.server.duration"}', "sum"])
def test_series_selectors_accepted(selector: str) -> None:
    from obsctl.parsers.promql import check_selector

    check_selector(selector)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        # RE2 lets inline flags apply from the middle of a group (promqltest selectors.test).
        (".*((?i)DUC).*", "proDUCtion", True),
        (".*((?i)DUC).*", "production", True),
        ("a(?i)b|c", "C", True),
        ("a(?i)b|c", "A", False),
        ("[[:alpha:]_]+", "ab_c", True),
        ("[[:alpha:]_]+", "ab1", False),
        ("\\Qa.b\\E", "axb", False),
    ],
)
def test_matcher_regex_speaks_re2(pattern: str, value: str, matches: bool) -> None:
    from obsctl.model.promql_ast import LabelMatcher, MatchOp

    check_promql(f"x{{l=~{pattern!r}}}".replace("'", '"'))
    assert LabelMatcher("l", MatchOp.REGEX, pattern).matches(value) is matches


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("mad_over_time(x[5m])", 'function "mad_over_time" is not enabled'),
        (
            "limitk(2, x)",
            "limitk() is experimental and must be enabled with "
            "--enable-feature=promql-experimental-functions",
        ),
        ("rate(x[5m] anchored)", "anchored modifier is experimental and not enabled"),
        ("a + fill(0) b", "binop fill modifiers are experimental and not enabled"),
        ("foo[5m+1m]", "experimental duration expression is not enabled"),
    ],
)
def test_feature_flags_off_give_prometheus_messages(expr: str, message: str) -> None:
    from obsctl.parsers.promql_parser import ParseOptions, PromQLParseError, parse_expr

    off = ParseOptions(
        experimental_functions=False,
        duration_expr=False,
        extended_range_selectors=False,
        binop_fill_modifiers=False,
    )
    parse_expr(expr)  # all flags on (the default): accepted
    with pytest.raises(PromQLParseError) as info:
        parse_expr(expr, off)
    assert info.value.first.message == message


def test_long_operator_chains_check_and_print_without_recursion() -> None:
    from obsctl.model.promql_ast import format_expr, pretty_expr

    # Generated queries chain thousands of terms; far past Python's default recursion limit.
    expr = " or ".join(f'up{{job="j{i}"}}' for i in range(3_000))
    tree = check_promql(expr)
    assert format_expr(tree) == expr
    lines = pretty_expr(tree).splitlines()
    assert len(lines) > 5_000  # split at every "or" once a line would pass 100 characters
    assert lines[-1] == '  up{job="j2999"}'
