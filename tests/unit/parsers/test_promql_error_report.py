"""How a PromQL syntax error is reported: the excerpt, the caret, the position and the hint."""

from __future__ import annotations

import pytest

from obsctl.errors import UsageError
from obsctl.parsers.promql import PromQLSyntaxError, caret_excerpt, check_promql, check_selector

LOCAL = "the expression was checked locally and not sent to the server"


def _error(expr: str) -> PromQLSyntaxError:
    with pytest.raises(PromQLSyntaxError) as info:
        check_promql(expr)
    return info.value


# -- caret_excerpt ------------------------------------------------------------------------------

TWENTY = "0123456789abcdefghij"


@pytest.mark.parametrize(
    ("pos", "line", "caret"),
    [
        (0, "0123456789…", "^"),  # at the start: no leading ellipsis
        (6, "…123456789a…", "      ^"),  # cut one character in: both ellipses
        (12, "…789abcdefg…", "      ^"),  # centred on the caret
        (19, "…abcdefghij", "          ^"),  # at the end: no trailing ellipsis
    ],
)
def test_long_line_is_cut_around_the_caret_with_ellipses(pos: int, line: str, caret: str) -> None:
    assert caret_excerpt(TWENTY, pos, width=10) == (line, caret)


def test_line_as_long_as_the_width_is_not_cut() -> None:
    assert caret_excerpt("x" * 72, 71) == ("x" * 72, " " * 71 + "^")


def test_default_width_is_72_characters() -> None:
    assert caret_excerpt("x" * 73, 0) == ("x" * 72 + "…", "^")


@pytest.mark.parametrize(
    ("expr", "pos", "line", "caret"),
    [
        ("ab\ncd\nef", 1, "ab", " ^"),  # first line: the lines after it are left out
        ("ab\ncd\nef", 4, "cd", " ^"),  # a middle line: only that line
        ("ab\ncd\nef", 7, "ef", " ^"),  # last line
        ("\nab", 1, "ab", "^"),  # after a leading newline
        ("\nab", 0, "", "^"),  # on the newline itself: the (empty) first line
        ("ab\n", 3, "", "^"),  # past the last newline
    ],
)
def test_excerpt_is_the_line_holding_the_position(
    expr: str, pos: int, line: str, caret: str
) -> None:
    assert caret_excerpt(expr, pos) == (line, caret)


# -- where the error is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "where"),
    [
        ("up ) +\n1", "line 1, column 5"),  # first line of several
        ("\nup )", "line 2, column 5"),  # after a leading newline
        ("1 +\n2 +\nup )", "line 3, column 5"),
        ("up )", "column 5"),  # one line: no line number
    ],
)
def test_error_position_names_line_and_column(expr: str, where: str) -> None:
    err = _error(expr)
    assert err.message.splitlines()[0] == (
        f"PromQL syntax error at {where}: unexpected right parenthesis ')'"
    )


def test_error_keeps_expression_reason_and_offset() -> None:
    err = _error("up ) + 1")
    assert (err.expr, err.reason, err.pos) == ("up ) + 1", "unexpected right parenthesis ')'", 4)


def test_error_hint_says_nothing_was_sent() -> None:
    assert _error("up ) + 1").hint == LOCAL


def test_error_message_for_a_long_line_shows_the_cut_excerpt() -> None:
    expr = "a" * 100 + " + ) " + "b" * 100
    assert _error(expr).message.splitlines()[1:] == [
        "    …" + "a" * 32 + " + ) " + "b" * 35 + "…",
        "    " + " " * 37 + "^",
    ]


# -- the unclosed bracket -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "reason", "hint"),
    [
        ("sum(rate(x[5m])", "unclosed left parenthesis", "the unclosed '(' is at column 4"),
        ("x[5m", "unclosed left bracket", "the unclosed '[' is at column 2"),
        ('x{a="b"', "unexpected end of input inside braces", "the unclosed '{' is at column 2"),
        # brackets closed inside other brackets are matched innermost first
        ('(sum(x{a="b"})', "unclosed left parenthesis", "the unclosed '(' is at column 1"),
        (
            'sum(\n  x{a="b"\n',
            "unexpected end of input inside braces",
            "the unclosed '{' is at line 2, column 4",
        ),
    ],
)
def test_unclosed_bracket_hint_points_at_the_opener(expr: str, reason: str, hint: str) -> None:
    err = _error(expr)
    assert err.reason == reason
    assert err.hint == f"{hint}; {LOCAL}"


@pytest.mark.parametrize(
    ("expr", "reason", "hint"),
    [
        # Prometheus names the parenthesis first; the hint points at the '(' too, not at the
        # '[' opened inside it.
        ("sum(x[5m", "unclosed left parenthesis", "the unclosed '(' is at column 4"),
        ("(a[1m]) + (b[1m]", "unclosed left parenthesis", "the unclosed '(' is at column 11"),
        ('rate(x{a="("}[5m', "unclosed left parenthesis", "the unclosed '(' is at column 5"),
    ],
)
def test_unclosed_hint_names_the_bracket_the_message_names(
    expr: str, reason: str, hint: str
) -> None:
    err = _error(expr)
    assert err.reason == reason
    assert err.hint == f"{hint}; {LOCAL}"


def test_other_errors_do_not_point_at_an_open_bracket() -> None:
    err = _error("sum(x}")  # a '(' is open, but the error is the stray '}'
    assert err.reason == "unexpected character: '}'"
    assert err.hint == LOCAL


# -- empty input --------------------------------------------------------------------------------


def test_empty_expression_has_a_hint_with_an_example() -> None:
    with pytest.raises(UsageError) as info:
        check_promql(" \n ")
    assert (info.value.message, info.value.hint) == (
        "empty PromQL expression",
        "e.g. obsctl query 'up'",
    )


def test_empty_selector_has_a_hint_with_an_example() -> None:
    with pytest.raises(UsageError) as info:
        check_selector("  ")
    assert (info.value.message, info.value.hint) == (
        "empty series selector",
        "e.g. 'up{job=\"api\"}'",
    )


def test_bad_selector_error_has_message_and_hint() -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        check_selector("up{")
    err = info.value
    assert err.message.splitlines() == [
        "PromQL syntax error at column 4: unexpected end of input inside braces",
        "    up{",
        "       ^",
    ]
    assert err.hint == f"the unclosed '{{' is at column 3; {LOCAL}"
