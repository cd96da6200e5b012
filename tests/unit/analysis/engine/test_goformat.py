"""Go's float and duration formatting, as PromQL messages, templates and promtool print them."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine.goformat import go_duration, go_float, go_float_e, go_time_duration


@pytest.mark.parametrize(
    ("v", "text"),
    [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (-1.0, "-1"),
        (100.0, "100"),
        (12.5, "12.5"),
        (-12.5, "-12.5"),
        (0.1, "0.1"),
        (123456.0, "123456"),  # six digits before the point: still plain
        (999999.0, "999999"),
        (1e6, "1e+06"),  # exponent 6: %e form
        (1234567.0, "1.234567e+06"),
        (-1234567.0, "-1.234567e+06"),
        (1e21, "1e+21"),
        (1e100, "1e+100"),
        (0.0001, "0.0001"),  # exponent -4: still plain
        (0.000123, "0.000123"),
        (0.00001, "1e-05"),  # exponent -5: %e form
        (-2.5e-7, "-2.5e-07"),
        (5e-324, "5e-324"),
        (1.0000000000000002, "1.0000000000000002"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (123.456, "123.456"),
        (0.5, "0.5"),
        (10.25, "10.25"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
        (math.nan, "NaN"),
    ],
)
def test_go_float_is_percent_v(v: float, text: str) -> None:
    assert go_float(v) == text


@pytest.mark.parametrize(
    ("v", "text"),
    [
        (0.0, "0E+00"),
        (1.0, "1E+00"),
        (-2.5, "-2.5E+00"),
        (0.1, "1E-01"),
        (123.456, "1.23456E+02"),
        (1e100, "1E+100"),
        (5e-324, "5E-324"),
        (1.7976931348623157e308, "1.7976931348623157E+308"),
        (0.30000000000000004, "3.0000000000000004E-01"),
        (math.inf, "+Inf"),
        (math.nan, "NaN"),
    ],
)
def test_go_float_e_is_the_shortest_round_trip_in_capital_e_form(v: float, text: str) -> None:
    assert go_float_e(v) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0s"),
        (1, "1ms"),
        (999, "999ms"),
        (1_000, "1s"),
        (1_500, "1s500ms"),
        (60_000, "1m"),
        (5_400_000, "1h30m"),
        (3_661_001, "1h1m1s1ms"),
        (86_400_000, "1d"),
        (90_000_000, "1d1h"),
        (-90_000, "-1m30s"),
    ],
)
def test_go_duration_prints_each_unit_from_days_down(ms: int, text: str) -> None:
    assert go_duration(ms) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (604_800_000, "1w"),
        (1_209_600_000, "2w"),
        (691_200_000, "8d"),  # not 1w1d
        (7_776_000_000, "90d"),  # not 12w6d
        (31_536_000_000, "1y"),
        (63_072_000_000, "2y"),
        (31_622_400_000, "366d"),  # not 1y1d
        (32_140_800_000, "372d"),  # neither whole years nor whole weeks
        (604_800_001, "7d1ms"),
        (-1_209_600_000, "-2w"),
    ],
)
def test_go_duration_uses_years_and_weeks_only_when_they_divide_exactly(ms: int, text: str) -> None:
    assert go_duration(ms) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0s"),
        (1, "1ms"),
        (999, "999ms"),
        (1000, "1s"),
        (1500, "1.5s"),
        (1010, "1.01s"),
        (60_000, "1m0s"),
        (61_000, "1m1s"),
        (60_500, "1m0.5s"),
        (3_600_000, "1h0m0s"),
        (3_660_000, "1h1m0s"),
        (3_600_001, "1h0m0.001s"),
        (90_000_000, "25h0m0s"),  # no days
        (604_800_000, "168h0m0s"),  # no weeks
        (-61_000, "-1m1s"),
        (-500, "-500ms"),
    ],
)
def test_go_time_duration_is_gos_time_duration_string(ms: int, text: str) -> None:
    assert go_time_duration(ms) == text
