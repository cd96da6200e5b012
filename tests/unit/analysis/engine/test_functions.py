"""PromQL's element-wise, date and range functions, one behaviour per test."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from obsctl.analysis.engine.functions import DATE, RANGE_IMPL, SIMPLE, RangeArgs

INF, NAN = math.inf, math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@pytest.mark.parametrize(
    ("fn", "v", "want"),
    [
        ("abs", -3.0, 3.0),
        ("abs", 2.0, 2.0),
        ("ceil", 1.2, 2.0),
        ("ceil", -1.2, -1.0),
        ("ceil", INF, INF),
        ("ceil", NAN, NAN),
        ("floor", -1.2, -2.0),
        ("floor", 1.8, 1.0),
        ("floor", -INF, -INF),
        ("floor", NAN, NAN),
        ("exp", 0.0, 1.0),
        ("exp", 1000.0, INF),
        ("exp", -INF, 0.0),
        ("exp", NAN, NAN),
        ("sqrt", 4.0, 2.0),
        ("sqrt", 0.0, 0.0),
        ("sqrt", -1.0, NAN),
        ("sqrt", INF, INF),
        ("sqrt", NAN, NAN),
        ("ln", 1.0, 0.0),
        ("ln", 0.0, -INF),
        ("ln", -1.0, NAN),
        ("ln", INF, INF),
        ("ln", NAN, NAN),
        ("log2", 8.0, 3.0),
        ("log2", 0.5, -1.0),
        ("log2", 0.0, -INF),
        ("log2", -1.0, NAN),
        ("log2", INF, INF),
        ("log2", NAN, NAN),
        ("log10", 1000.0, 3.0),
        ("log10", 0.01, -2.0),
        ("log10", 0.0, -INF),
        ("log10", -1.0, NAN),
        ("log10", NAN, NAN),
        ("sin", 0.0, 0.0),
        ("sin", INF, NAN),
        ("sin", NAN, NAN),
        ("cos", 0.0, 1.0),
        ("cos", -INF, NAN),
        ("tan", 0.0, 0.0),
        ("tan", INF, NAN),
        ("asin", 1.0, math.pi / 2),
        ("asin", 2.0, NAN),
        ("asin", NAN, NAN),
        ("acos", 1.0, 0.0),
        ("acos", -2.0, NAN),
        ("atan", INF, math.pi / 2),
        ("atan", 0.0, 0.0),
        ("sinh", 0.0, 0.0),
        ("sinh", 1000.0, INF),
        ("sinh", -1000.0, -INF),
        ("sinh", NAN, NAN),
        ("cosh", 0.0, 1.0),
        ("cosh", 1000.0, INF),
        ("cosh", -1000.0, INF),
        ("tanh", INF, 1.0),
        ("tanh", -INF, -1.0),
        ("asinh", 0.0, 0.0),
        ("asinh", INF, INF),
        ("asinh", -INF, -INF),
        ("acosh", 1.0, 0.0),
        ("acosh", 0.5, NAN),
        ("acosh", INF, INF),
        ("acosh", -INF, NAN),
        ("atanh", 0.0, 0.0),
        ("atanh", 1.0, INF),
        ("atanh", -1.0, -INF),
        ("atanh", 2.0, NAN),
        ("atanh", NAN, NAN),
        ("rad", 180.0, math.pi),
        ("deg", math.pi, 180.0),
        ("sgn", -2.0, -1.0),
        ("sgn", 3.0, 1.0),
        ("sgn", 0.5, 1.0),
        ("sgn", 0.0, 0.0),
        ("sgn", -0.0, -0.0),
        ("sgn", NAN, NAN),
        ("sgn", -INF, -1.0),
    ],
)
def test_simple_functions_follow_go_math(fn: str, v: float, want: float) -> None:
    assert _same(SIMPLE[fn](v), want)


LEAP_DAY = 1709210096.0  # 2024-02-29T12:34:56Z, a Thursday
NEW_YEARS_EVE = 1704067140.0  # 2023-12-31T23:59:00Z, a Sunday


@pytest.mark.parametrize(
    ("fn", "t", "want"),
    [
        ("year", LEAP_DAY, 2024.0),
        ("month", LEAP_DAY, 2.0),
        ("day_of_month", LEAP_DAY, 29.0),
        ("day_of_year", LEAP_DAY, 60.0),
        ("day_of_week", LEAP_DAY, 4.0),
        ("days_in_month", LEAP_DAY, 29.0),
        ("hour", LEAP_DAY, 12.0),
        ("minute", LEAP_DAY, 34.0),
        ("day_of_week", NEW_YEARS_EVE, 0.0),
        ("day_of_year", NEW_YEARS_EVE, 365.0),
        ("days_in_month", NEW_YEARS_EVE, 31.0),
        ("hour", NEW_YEARS_EVE + 59.9, 23.0),  # fractions of a second are cut, not rounded
        ("minute", NEW_YEARS_EVE + 59.9, 59.0),
    ],
)
def test_date_functions_read_utc(fn: str, t: float, want: float) -> None:
    assert DATE[fn](t) == want


@pytest.mark.parametrize("t", [NAN, INF, -INF, 1e20])
def test_date_functions_of_an_unrepresentable_time_are_nan(t: float) -> None:
    assert math.isnan(DATE["year"](t))


def _ra(
    vals: Sequence[float],
    ts: Sequence[int] | None = None,
    *,
    params: Sequence[float] = (),
    t: int = 0,
    range_ms: int = 60_000,
) -> RangeArgs:
    ts = list(ts) if ts is not None else [1000 * (i + 1) for i in range(len(vals))]
    return RangeArgs(
        ts, vals, range_start=t - range_ms, range_end=t, range_ms=range_ms, t=t, params=params
    )


@pytest.mark.parametrize(
    ("fn", "vals", "want"),
    [
        ("min_over_time", [3.0, 1.0, 2.0], 1.0),
        ("min_over_time", [NAN, 2.0, 1.0], 1.0),
        ("min_over_time", [1.0, NAN], 1.0),
        ("min_over_time", [NAN, NAN], NAN),
        ("max_over_time", [1.0, 3.0, 2.0], 3.0),
        ("max_over_time", [NAN, 1.0, 2.0], 2.0),
        ("max_over_time", [2.0, NAN], 2.0),
        ("sum_over_time", [1.0, 2.0, 3.5], 6.5),
        ("avg_over_time", [1.0, 2.0, 3.0, 4.0], 2.5),
        ("count_over_time", [5.0, 5.0, 5.0], 3.0),
        ("present_over_time", [7.0], 1.0),
        ("first_over_time", [4.0, 5.0, 6.0], 4.0),
        ("last_over_time", [4.0, 5.0, 6.0], 6.0),
        ("stdvar_over_time", [1.0, 2.0, 3.0, 4.0], 1.25),
        ("stddev_over_time", [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 2.0),
        ("mad_over_time", [1.0, 2.0, 3.0, 4.0, 100.0], 1.0),
        ("changes", [1.0, 1.0, 2.0, 1.0], 2.0),
        ("resets", [1.0, 0.0, 2.0, 1.0], 2.0),
    ],
)
def test_over_time_functions(fn: str, vals: list[float], want: float) -> None:
    got = RANGE_IMPL[fn](_ra(vals))
    assert got is not None and _same(got, want)


def test_quantile_over_time_takes_q_from_the_parameters() -> None:
    assert RANGE_IMPL["quantile_over_time"](_ra([1.0, 2.0, 3.0, 4.0], params=[0.25])) == 1.75


def test_ts_of_min_and_max_take_the_last_of_equal_extremes() -> None:
    ts = [1000, 2000, 3000]
    assert RANGE_IMPL["ts_of_max_over_time"](_ra([3.0, 1.0, 3.0], ts)) == 3.0
    assert RANGE_IMPL["ts_of_min_over_time"](_ra([1.0, 3.0, 1.0], ts)) == 3.0
    assert RANGE_IMPL["ts_of_max_over_time"](_ra([1.0, 3.0, 2.0], ts)) == 2.0
    assert RANGE_IMPL["ts_of_min_over_time"](_ra([3.0, 1.0, 2.0], ts)) == 2.0
    assert RANGE_IMPL["ts_of_max_over_time"](_ra([NAN, 1.0], ts[:2])) == 2.0


def test_ts_of_first_and_last_are_seconds() -> None:
    ts = [1500, 2500]
    assert RANGE_IMPL["ts_of_first_over_time"](_ra([1.0, 2.0], ts)) == 1.5
    assert RANGE_IMPL["ts_of_last_over_time"](_ra([1.0, 2.0], ts)) == 2.5


def test_rate_increase_and_delta_of_a_window() -> None:
    ts = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000]
    vals = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    assert RANGE_IMPL["increase"](_ra(vals, ts, t=60_000)) == pytest.approx(60.0)
    assert RANGE_IMPL["rate"](_ra(vals, ts, t=60_000)) == pytest.approx(1.0)
    assert RANGE_IMPL["rate"](_ra(vals, ts, t=60_000, range_ms=120_000)) == pytest.approx(
        55.0 / 120.0
    )
    down = [60.0, 50.0, 40.0, 30.0, 20.0, 10.0]
    assert RANGE_IMPL["delta"](_ra(down, ts, t=60_000)) == pytest.approx(-60.0)


def test_irate_and_idelta() -> None:
    ts = [0, 10_000, 20_000]
    assert RANGE_IMPL["irate"](_ra([0.0, 10.0, 30.0], ts)) == 2.0
    assert RANGE_IMPL["idelta"](_ra([0.0, 10.0, 30.0], ts)) == 20.0


def test_deriv_is_the_regression_slope_per_second() -> None:
    assert RANGE_IMPL["deriv"](_ra([1.0, 3.0, 5.0], [0, 1000, 2000])) == 2.0
    assert RANGE_IMPL["deriv"](_ra([1.0], [0])) is None
    assert RANGE_IMPL["deriv"](_ra([1.0, 4.0], [0, 1000])) == 3.0


def test_predict_linear_extrapolates_from_the_evaluation_time() -> None:
    ra = _ra([1.0, 3.0, 5.0], [0, 1000, 2000], params=[10.0], t=2000)
    assert RANGE_IMPL["predict_linear"](ra) == 25.0
    ra = _ra([1.0, 3.0, 5.0], [0, 1000, 2000], params=[0.0], t=3000)
    assert RANGE_IMPL["predict_linear"](ra) == 7.0
    assert RANGE_IMPL["predict_linear"](_ra([1.0], [0], params=[10.0])) is None
    ra = _ra([1.0, 3.0], [0, 1000], params=[1.0], t=1000)
    assert RANGE_IMPL["predict_linear"](ra) == 5.0


def test_double_exponential_smoothing_takes_both_factors_in_order() -> None:
    ra = _ra([1.0, 3.0, 4.0], params=[0.3, 0.5])
    assert RANGE_IMPL["double_exponential_smoothing"](ra) == pytest.approx(4.7)
    ra = _ra([1.0, 3.0, 4.0, 10.0], params=[0.5, 0.25])
    assert RANGE_IMPL["holt_winters"](ra) == pytest.approx(8.1875)


def test_date_functions_read_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert DATE["hour"](LEAP_DAY) == 12.0
    finally:
        monkeypatch.undo()
        time.tzset()
