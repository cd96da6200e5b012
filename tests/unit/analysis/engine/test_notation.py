"""The expanding series notation: numbers, value sequences and series lines."""

from __future__ import annotations

import math
import re

import pytest

from obsctl.analysis.engine.notation import (
    STALE,
    NotationError,
    parse_metric,
    parse_number,
    parse_series_line,
    parse_values,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1.0),
        ("+2.5", 2.5),
        ("-2.5", -2.5),
        (" 3 ", 3.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("0x1F", 31.0),
        ("-0x10", -16.0),
        ("+0X10", 16.0),
        ("Inf", math.inf),
        ("+inf", math.inf),
        ("-Inf", -math.inf),
        ("INF", math.inf),
    ],
)
def test_parse_number_reads_decimal_hex_signed_and_infinite(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["NaN", "nan", "-NaN", "+nan"])
def test_parse_number_reads_nan_with_any_sign(text: str) -> None:
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize("text", ["abc", "1.2.3", "-", "", "--1", "+-1", "-+1"])
def test_parse_number_rejects_garbage_naming_it(text: str) -> None:
    with pytest.raises(NotationError, match=f"^{re.escape(f'invalid number {text!r}')}$"):
        parse_number(text)


def test_values_blank_repeats_count_the_steps_without_samples() -> None:
    assert parse_values("_x3 1") == [None, None, None, 1.0]
    assert parse_values("_") == [None]


def test_values_increment_and_decrement_expand_to_n_plus_one_steps() -> None:
    assert parse_values("1+0.5x2") == [1.0, 1.5, 2.0]
    assert parse_values("-1-1x2") == [-1.0, -2.0, -3.0]
    assert parse_values("2x0") == [2.0]
    assert parse_values("Inf+1x1") == [math.inf, math.inf]


def test_values_stale_is_one_marker() -> None:
    assert parse_values("1 stale 2") == [1.0, STALE, 2.0]


def test_values_reject_an_unknown_item_naming_it() -> None:
    with pytest.raises(NotationError, match=r"^invalid value 'stalex2' in series values$"):
        parse_values("1 stalex2")


def test_values_refuse_to_expand_past_the_limit() -> None:
    assert parse_values("1x2 _x1", max_values=5) == [1.0, 1.0, 1.0, None]
    assert len(parse_values("1x4", max_values=5)) == 5
    with pytest.raises(NotationError, match=r"^series values expand to more than 5 samples$"):
        parse_values("1x5", max_values=5)
    with pytest.raises(NotationError, match="more than 5 samples"):
        parse_values("1x3 _x2", max_values=5)


def test_values_of_an_empty_text_are_empty() -> None:
    assert parse_values("  ") == []


def test_metric_name_alone() -> None:
    assert parse_metric("up 1") == ((("__name__", "up"),), 2)
    assert parse_metric("  ns:metric_total") == ((("__name__", "ns:metric_total"),), 17)


def test_metric_braces_alone_with_spaces_and_a_trailing_comma() -> None:
    lbls, end = parse_metric('{ a = "1" , b="2", } 5')
    assert lbls == (("a", "1"), ("b", "2"))
    assert end == 20


def test_metric_empty_braces() -> None:
    assert parse_metric("x{} 1") == ((("__name__", "x"),), 3)


def test_metric_label_values_in_single_quotes_and_backticks() -> None:
    lbls, _ = parse_metric("x{a='q\"', b=`raw\\n`}")
    assert lbls == (("__name__", "x"), ("a", 'q"'), ("b", "raw\\n"))


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        ("\\n", "\n"),
        ("\\t", "\t"),
        ("\\r", "\r"),
        ("\\a", "\a"),
        ("\\b", "\b"),
        ("\\\\", "\\"),
        ('\\"', '"'),
        ("\\'", "'"),
        ("\\x41", "A"),
        ("\\u00e9", "é"),
        ("\\U0001F600", "\U0001f600"),
        ("a\\x41b", "aAb"),
    ],
)
def test_metric_label_value_escapes(escaped: str, value: str) -> None:
    lbls, _ = parse_metric(f'x{{a="{escaped}"}}')
    assert lbls == (("__name__", "x"), ("a", value))


def test_metric_unknown_escape_is_an_error() -> None:
    with pytest.raises(NotationError, match=r"^unknown escape sequence \\q$"):
        parse_metric('x{a="\\q"}')


@pytest.mark.parametrize("text", ['x{a="abc', 'x{a="abc\\', "x{a='"])
def test_metric_unterminated_string_is_an_error(text: str) -> None:
    with pytest.raises(NotationError, match=r"^unterminated quoted string$"):
        parse_metric(text)


def test_metric_quoted_name_inside_braces_then_labels() -> None:
    lbls, _ = parse_metric('{"a.b", "c.d"="1"}')
    assert lbls == (("__name__", "a.b"), ("c.d", "1"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('x{1a="b"}', "expected a label name"),
        ('x{a="1" b="2"}', "expected ',' or '}'"),
        ("x{a=1}", "expected a quoted label value"),
        ("x{a=", "expected a quoted label value"),
        ('x{a="1", b}', "expected '='"),
        ('x{a="1"', "expected ',' or '}'"),
        ("5 1", "expected a metric name or '{'"),
        ("", "expected a metric name or '{'"),
    ],
)
def test_metric_errors_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(
        NotationError, match=f"^{re.escape(f'invalid series {text!r}: {message}')}$"
    ):
        parse_metric(text)


def test_series_line_values_follow_after_a_space_or_tab() -> None:
    assert parse_series_line("x\t1 2") == ((("__name__", "x"),), [1.0, 2.0])
    assert parse_series_line('x{a="b"}') == ((("__name__", "x"), ("a", "b")), [])


def test_series_line_rejects_text_glued_to_the_metric() -> None:
    with pytest.raises(NotationError, match=r"^invalid series line 'x\{\}1'$"):
        parse_series_line("x{}1")


def test_values_limit_counts_one_step_per_plain_value() -> None:
    assert parse_values("1 2", max_values=2) == [1.0, 2.0]


def test_metric_label_names_may_start_with_a_capital_x() -> None:
    assert parse_metric('x{X="1", Xa="2"}')[0] == (("X", "1"), ("Xa", "2"), ("__name__", "x"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x{", "expected a label name"),
        ("x{a", "expected '='"),
        ("x{a=X1X}", "expected a quoted label value"),
    ],
)
def test_metric_ending_early_is_an_error_not_a_crash(text: str, message: str) -> None:
    with pytest.raises(NotationError) as exc:
        parse_metric(text)
    assert str(exc.value) == f"invalid series {text!r}: {message}"


def test_metric_capital_x_escape_is_unknown() -> None:
    with pytest.raises(NotationError, match=r"^unknown escape sequence \\X$"):
        parse_metric('x{a="\\X41"}')


def test_series_line_rejects_a_capital_x_glued_to_the_metric() -> None:
    with pytest.raises(NotationError, match=r"^invalid series line 'x\{\}X1'$"):
        parse_series_line("x{}X1")
