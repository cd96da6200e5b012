"""The float arithmetic behind PromQL's functions, with hand-computed expectations."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine import mathops as m

INF, NAN = math.inf, math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# -- sums and means ------------------------------------------------------------------------


def test_kahan_sum_recovers_what_a_naive_sum_loses() -> None:
    assert m.kahan_sum([1e100, 1.0, -1e100]) == 1.0
    assert m.kahan_sum([0.1] * 10) == 1.0
    assert m.kahan_sum([1.0, 1e100, 1.0, -1e100]) == 2.0


def test_kahan_sum_of_nothing_infinities_and_nan() -> None:
    assert m.kahan_sum([]) == 0.0
    assert m.kahan_sum([INF, 1.0]) == INF
    assert m.kahan_sum([1.0, -INF]) == -INF
    assert math.isnan(m.kahan_sum([INF, -INF]))


def test_kahan_inc_resets_the_compensation_on_infinity() -> None:
    assert m.kahan_inc(INF, 1.0, 0.5) == (INF, 0.0)
    assert m.kahan_inc(1.0, 1e100, 0.0) == (1e100, 1.0)
    assert m.kahan_inc(1e100, 1.0, 0.0) == (1e100, 1.0)


def test_avg_values_plain_and_single() -> None:
    assert m.avg_values([1.0, 2.0, 3.0, 4.0]) == 2.5
    assert m.avg_values([5.0]) == 5.0
    assert m.avg_values([1e100, 1.0, -1e100, 2.0]) == 0.75


def test_avg_values_switches_to_an_incremental_mean_on_overflow() -> None:
    assert m.avg_values([1e308, 1e308]) == 1e308
    assert m.avg_values([6e307, 6e307, 6e307]) == pytest.approx(6e307, rel=1e-15)  # at the 3rd
    assert m.avg_values([1e308, 1e308, -1e308]) == pytest.approx(1e308 / 3, rel=1e-15)
    assert m.avg_values([1e308, 1e308, 1e308, 1e308]) == pytest.approx(1e308, rel=1e-15)
    assert m.avg_values([-1e308, -1e308, 0.0]) == pytest.approx(-6.666666666666667e307, rel=1e-15)


def test_avg_values_with_infinities() -> None:
    assert m.avg_values([INF, 1.0]) == INF
    assert math.isnan(m.avg_values([INF, -INF]))


def test_variance_is_the_population_variance() -> None:
    assert m.variance([1.0, 2.0, 3.0, 4.0]) == 1.25
    assert m.variance([2.0]) == 0.0
    assert m.variance([1e9 + 1, 1e9 + 2, 1e9 + 3]) == pytest.approx(2 / 3, rel=1e-9)


# -- quantiles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "want"),
    [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.9, 3.7), (1.0, 4.0), (-0.1, -INF), (1.1, INF)],
)
def test_quantile_interpolates_between_ranks(q: float, want: float) -> None:
    assert m.quantile(q, [4.0, 1.0, 3.0, 2.0]) == pytest.approx(want)


def test_quantile_nan_and_empty() -> None:
    assert math.isnan(m.quantile(NAN, [1.0]))
    assert math.isnan(m.quantile(0.5, []))
    assert m.quantile(0.5, [7.0]) == 7.0


def test_quantile_sorts_nan_first() -> None:
    assert math.isnan(m.quantile(0.0, [1.0, NAN]))
    assert m.quantile(1.0, [1.0, NAN]) == 1.0
    assert m.quantile(1.0, [NAN, 2.0, 1.0]) == 2.0


def test_mad_is_the_median_absolute_deviation() -> None:
    assert m.mad([1.0, 2.0, 3.0, 4.0, 100.0]) == 1.0
    assert m.mad([1.0, 1.0, 5.0]) == 0.0
    assert math.isnan(m.mad([1.0, NAN]))


# -- regression ------------------------------------------------------------------------------


def test_linear_regression_slope_per_second_and_intercept_at_a_time() -> None:
    assert m.linear_regression([0, 1000, 2000], [1.0, 3.0, 5.0], 0) == (2.0, 1.0)
    assert m.linear_regression([0, 1000, 2000], [1.0, 3.0, 5.0], 1000) == (2.0, 3.0)
    assert m.linear_regression([0, 1000, 2000], [1.0, 3.0, 5.0], 3000) == (2.0, 7.0)
    slope, icpt = m.linear_regression([0, 1000, 2000, 3000], [0.0, 2.0, 2.0, 4.0], 0)
    assert slope == pytest.approx(1.2)
    assert icpt == pytest.approx(0.2)


def test_linear_regression_of_a_constant_is_flat_or_nan_when_infinite() -> None:
    assert m.linear_regression([0, 1000], [5.0, 5.0], 0) == (0.0, 5.0)
    assert m.linear_regression([0], [3.0], 0) == (0.0, 3.0)
    slope, icpt = m.linear_regression([0, 1000], [INF, INF], 0)
    assert math.isnan(slope) and math.isnan(icpt)


def test_linear_regression_is_not_constant_when_only_a_later_value_differs() -> None:
    assert m.linear_regression([0, 1000, 2000], [1.0, 1.0, 4.0], 0)[0] == pytest.approx(1.5)


# -- Go float semantics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        (1.0, 2.0, 0.5),
        (1.0, 0.0, INF),
        (0.5, 0.0, INF),
        (-1.0, 0.0, -INF),
        (1.0, -0.0, -INF),
        (-1.0, -0.0, INF),
        (0.0, 0.0, NAN),
        (NAN, 0.0, NAN),
    ],
)
def test_div_by_zero_is_signed_infinity_or_nan(a: float, b: float, want: float) -> None:
    assert _same(m.div(a, b), want)


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        (5.0, 3.0, 2.0),
        (-5.0, 3.0, -2.0),
        (5.0, -3.0, 2.0),
        (5.5, 2.0, 1.5),
        (5.0, 0.0, NAN),
        (INF, 3.0, NAN),
        (-INF, 3.0, NAN),
        (5.0, INF, 5.0),
        (NAN, 1.0, NAN),
        (1.0, NAN, NAN),
    ],
)
def test_mod_has_the_sign_of_the_dividend(a: float, b: float, want: float) -> None:
    assert _same(m.mod(a, b), want)


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        (2.0, 10.0, 1024.0),
        (4.0, 0.5, 2.0),
        (0.0, -1.0, INF),
        (-0.0, -1.0, -INF),
        (-0.0, -3.0, -INF),
        (-0.0, -2.0, INF),
        (-0.0, -1.5, INF),
        (0.0, -3.0, INF),
        (10.0, 400.0, INF),
        (-10.0, 401.0, -INF),
        (0.5, -2001.0, INF),
        (-10.0, 400.0, INF),
        (-10.0, 400.5, INF),
        (-8.0, 1 / 3, NAN),
        (NAN, 0.0, 1.0),
    ],
)
def test_pow_never_raises(a: float, b: float, want: float) -> None:
    assert _same(m.pow_(a, b), want)


# -- rate and friends -----------------------------------------------------------------------------


def _secs(*s: int) -> list[int]:
    return [x * 1000 for x in s]


def test_rate_of_a_steady_counter_extrapolates_to_the_window_start() -> None:
    ts, vals = _secs(10, 20, 30, 40, 50, 60), [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    args = (ts, vals, 0, 60_000, 60.0)
    assert m.extrapolated_rate(*args, is_counter=True, is_rate=False) == pytest.approx(60.0)
    assert m.extrapolated_rate(*args, is_counter=True, is_rate=True) == pytest.approx(1.0)


def test_increase_adds_the_value_before_a_counter_reset() -> None:
    ts, vals = _secs(15, 30, 45, 60), [5.0, 10.0, 2.0, 7.0]
    got = m.extrapolated_rate(ts, vals, 0, 60_000, 60.0, is_counter=True, is_rate=False)
    assert got == pytest.approx(16.0)  # (7 - 5 + 10) * 60 / 45


def test_counter_extrapolation_stops_where_the_counter_would_be_zero() -> None:
    ts, vals = _secs(10, 20, 30, 40, 50, 60), [1.0, 11.0, 21.0, 31.0, 41.0, 51.0]
    got = m.extrapolated_rate(ts, vals, 0, 60_000, 60.0, is_counter=True, is_rate=False)
    assert got == pytest.approx(51.0)  # 50 * (50 + 1) / 50
    ts, vals = _secs(10, 20), [0.0, 10.0]
    got = m.extrapolated_rate(ts, vals, 0, 20_000, 20.0, is_counter=True, is_rate=False)
    assert got == pytest.approx(10.0)  # starts at zero: no extrapolation before it


def test_counter_starting_negative_extrapolates_the_full_gap() -> None:
    ts, vals = _secs(10, 20), [-5.0, 5.0]
    got = m.extrapolated_rate(ts, vals, 0, 20_000, 20.0, is_counter=True, is_rate=False)
    assert got == pytest.approx(20.0)


def test_gauge_delta_extrapolates_half_an_interval_past_a_far_boundary() -> None:
    ts, vals = _secs(30, 40, 50, 60), [100.0, 110.0, 120.0, 130.0]
    got = m.extrapolated_rate(ts, vals, 0, 60_000, 60.0, is_counter=False, is_rate=False)
    assert got == pytest.approx(35.0)  # start gap 30s > 1.1 * 10s: only 5s
    ts, vals = _secs(10, 20, 30), [1.0, 2.0, 3.0]
    got = m.extrapolated_rate(ts, vals, 0, 60_000, 60.0, is_counter=False, is_rate=False)
    assert got == pytest.approx(3.5)  # end gap 30s: 5s; start gap 10s kept


def test_gauge_delta_may_extrapolate_below_zero_and_ignores_decreases() -> None:
    ts, vals = _secs(10, 20), [10.0, 0.0]
    got = m.extrapolated_rate(ts, vals, 0, 20_000, 20.0, is_counter=False, is_rate=False)
    assert got == pytest.approx(-20.0)


def test_extrapolated_rate_needs_two_samples() -> None:
    assert (
        m.extrapolated_rate([1000], [1.0], 0, 60_000, 60.0, is_counter=True, is_rate=True) is None
    )
    same = m.extrapolated_rate(
        [1000, 1000], [1.0, 3.0], 0, 2000, 2.0, is_counter=False, is_rate=False
    )
    assert same == 2.0


def test_interpolate_is_a_straight_line_and_a_reset_starts_at_zero() -> None:
    assert m.interpolate(0, 10.0, 10, 5.0, 5, is_counter=False) == 7.5
    assert m.interpolate(0, 10.0, 10, 5.0, 5, is_counter=True) == 2.5
    assert m.interpolate(0, 10.0, 10, 20.0, 2, is_counter=True) == 12.0


def test_irate_and_idelta_use_the_last_two_samples() -> None:
    ts, vals = _secs(0, 10, 20), [0.0, 10.0, 30.0]
    assert m.instant_value(ts, vals, is_rate=True) == 2.0
    assert m.instant_value(ts, vals, is_rate=False) == 20.0


def test_irate_after_a_reset_counts_from_zero_but_idelta_goes_negative() -> None:
    ts, vals = _secs(0, 10), [20.0, 5.0]
    assert m.instant_value(ts, vals, is_rate=True) == 0.5
    assert m.instant_value(ts, vals, is_rate=False) == -15.0


def test_instant_value_needs_two_samples_at_different_times() -> None:
    assert m.instant_value([0], [1.0], is_rate=True) is None
    assert m.instant_value([5, 5], [1.0, 2.0], is_rate=False) is None


@pytest.mark.parametrize(
    ("vals", "sf", "tf", "want"),
    [
        ([1.0, 2.0, 3.0, 4.0], 0.5, 0.5, 4.0),
        ([1.0, 3.0, 4.0, 10.0], 0.5, 0.25, 8.1875),
        ([1.0, 3.0, 4.0], 0.3, 0.5, 4.7),
        ([1.0, 3.0], 0.5, 0.5, 3.0),
    ],
)
def test_double_exponential_smoothing(vals: list[float], sf: float, tf: float, want: float) -> None:
    assert m.double_exponential_smoothing(vals, sf, tf) == pytest.approx(want)


def test_double_exponential_smoothing_needs_two_samples() -> None:
    assert m.double_exponential_smoothing([1.0], 0.5, 0.5) is None


def test_resets_and_changes() -> None:
    assert m.resets([1.0, 2.0, 1.0, 3.0, 0.0, 0.0]) == 2
    assert m.changes([1.0, 1.0, 2.0, NAN, NAN, 3.0]) == 3
    assert m.changes([]) == 0
    assert m.resets([5.0]) == 0


# -- classic histograms -------------------------------------------------------------------------


def test_almost_equal() -> None:
    assert m.almost_equal(NAN, NAN, 1e-12)
    assert not m.almost_equal(NAN, 1.0, 1e-12)
    assert m.almost_equal(INF, INF, 1e-12)
    assert m.almost_equal(1.0, 1.0 + 1e-13, 1e-12)
    assert m.almost_equal(1.0 + 1e-13, 1.0, 1e-12)
    assert not m.almost_equal(0.0, 1e-12 * 2.2250738585072014e-308, 1e-12)
    assert not m.almost_equal(1.0, 1.0 + 1e-11, 1e-12)
    assert not m.almost_equal(1.0, 1.1, 1e-12)
    assert m.almost_equal(0.0, 1e-320, 1e-12)
    assert not m.almost_equal(0.0, 1e-300, 1e-12)
    assert not m.almost_equal(1e-320, 0.0, 1e-30)
    assert m.almost_equal(1e-310, 1.0000001e-310, 1e-6)
    assert not m.almost_equal(1e308, INF, 1e-12)
    assert not m.almost_equal(-1e308, 1e308, 1e-12)


def _b(*pairs: tuple[float, float]) -> list[list[float]]:
    return [[ub, c] for ub, c in pairs]


@pytest.mark.parametrize(
    ("q", "want"),
    [(0.0, 0.0), (0.25, 0.5), (0.5, 1.0), (0.75, 1.5), (1.0, 2.0)],
)
def test_bucket_quantile_interpolates_inside_the_bucket(q: float, want: float) -> None:
    r, forced, *_ = m.bucket_quantile(q, _b((2.0, 20.0), (INF, 20.0), (1.0, 10.0)))
    assert (r, forced) == (want, False)


def test_bucket_quantile_out_of_range_q() -> None:
    buckets = _b((1.0, 10.0), (INF, 10.0))
    assert m.bucket_quantile(-0.5, buckets)[0] == -INF
    assert m.bucket_quantile(1.5, buckets)[0] == INF
    assert math.isnan(m.bucket_quantile(NAN, buckets)[0])


def test_bucket_quantile_in_the_inf_bucket_is_the_highest_finite_bound() -> None:
    assert m.bucket_quantile(0.5, _b((1.0, 0.0), (2.0, 0.0), (INF, 10.0)))[0] == 2.0


def test_bucket_quantile_in_a_first_bucket_at_or_below_zero_is_its_bound() -> None:
    assert m.bucket_quantile(0.25, _b((-1.0, 5.0), (INF, 10.0)))[0] == -1.0
    assert m.bucket_quantile(0.25, _b((0.0, 5.0), (INF, 10.0)))[0] == 0.0


def test_bucket_quantile_without_inf_bucket_or_observations_is_nan() -> None:
    assert math.isnan(m.bucket_quantile(0.5, _b((1.0, 10.0), (2.0, 20.0)))[0])
    assert math.isnan(
        m.bucket_quantile(
            0.5,
            _b(
                (INF, 10.0),
            ),
        )[0]
    )
    assert math.isnan(m.bucket_quantile(0.5, _b((1.0, 0.0), (INF, 0.0)))[0])
    assert math.isnan(m.bucket_quantile(0.5, _b((1.0, 0.0), (-INF, 0.0)))[0])


def test_bucket_quantile_merges_buckets_with_the_same_bound() -> None:
    assert m.bucket_quantile(0.5, _b((1.0, 3.0), (1.0, 2.0), (INF, 10.0)))[0] == 1.0


def test_bucket_quantile_forces_monotonic_counts_and_reports_the_fix() -> None:
    buckets = _b((1.0, 10.0), (2.0, 5.0), (3.0, 4.0), (INF, 12.0))
    assert m.bucket_quantile(0.5, buckets) == (0.6, True, 2.0, 3.0, 6.0)


def test_bucket_quantile_treats_almost_equal_counts_as_equal() -> None:
    buckets = _b((1.0, 10.0), (2.0, 10.0 - 1e-12), (INF, 20.0))
    r, forced, lo, hi, diff = m.bucket_quantile(0.5, buckets)
    assert (r, forced, lo, hi, diff) == (1.0, False, INF, -INF, 0.0)


@pytest.mark.parametrize(
    ("lower", "upper", "want"),
    [
        (0.0, 1.0, 0.5),
        (1.0, 2.0, 0.5),
        (0.5, 1.5, 0.5),
        (0.0, 0.5, 0.25),
        (-INF, INF, 1.0),
        (2.0, INF, 0.0),
        (1.0, 1.0, 0.0),
        (2.0, 1.0, 0.0),
        (-5.0, 0.0, 0.0),
        (1.5, 10.0, 0.25),
    ],
)
def test_bucket_fraction(lower: float, upper: float, want: float) -> None:
    assert m.bucket_fraction(lower, upper, _b((2.0, 20.0), (1.0, 10.0), (INF, 20.0))) == want


def test_bucket_fraction_with_a_negative_first_bucket_counts_it_whole() -> None:
    buckets = _b((-1.0, 2.0), (1.0, 6.0), (INF, 10.0))
    assert m.bucket_fraction(-2.0, 0.0, buckets) == pytest.approx(0.2)
    assert m.bucket_fraction(-INF, -1.0, buckets) == pytest.approx(0.2)


def test_bucket_fraction_nan_cases() -> None:
    assert math.isnan(m.bucket_fraction(0.0, 1.0, _b((1.0, 10.0), (2.0, 20.0))))
    assert math.isnan(m.bucket_fraction(0.0, 1.0, _b((1.0, 0.0), (INF, 0.0))))
    assert math.isnan(m.bucket_fraction(NAN, 1.0, _b((1.0, 5.0), (INF, 10.0))))
    assert math.isnan(m.bucket_fraction(0.0, NAN, _b((1.0, 5.0), (INF, 10.0))))


def test_bucket_fraction_with_only_a_minus_inf_bucket_is_nan() -> None:
    assert math.isnan(
        m.bucket_fraction(
            0.0,
            1.0,
            _b(
                (-INF, 5.0),
            ),
        )
    )


def test_bucket_fraction_with_a_first_bucket_at_zero_counts_it_whole() -> None:
    assert m.bucket_fraction(-1.0, 1.0, _b((0.0, 2.0), (2.0, 6.0), (INF, 10.0))) == 0.2


def test_bucket_fraction_caps_ranks_of_decreasing_counts_at_the_total() -> None:
    assert m.bucket_fraction(1.5, INF, _b((1.0, 10.0), (2.0, 4.0), (INF, 5.0))) == 0.0


def test_bucket_quantile_reads_buckets_fixed_as_almost_equal() -> None:
    buckets = _b((1.0, 10.0), (2.0, 10.0 - 1e-12), (INF, 20.0))
    assert m.bucket_quantile(0.75, buckets)[0] == 2.0


def test_bucket_quantile_keeps_fixing_after_an_almost_equal_bucket() -> None:
    buckets = _b((1.0, 10.0), (2.0, 10.0 - 1e-12), (3.0, 5.0), (INF, 20.0))
    assert m.bucket_quantile(0.5, buckets) == (1.0, True, 3.0, 3.0, 5.0)


def test_anchored_increase_adds_every_value_before_a_reset() -> None:
    ts, vals = _secs(0, 10, 20, 30, 40), [5.0, 1.0, 6.0, 2.0, 3.0]
    got = m.extended_rate(ts, vals, 0, 40_000, 40.0, smoothed=False, is_counter=True, is_rate=False)
    assert got == 9.0


def test_irate_of_an_unchanged_counter_is_zero() -> None:
    assert m.instant_value([0, 10_000], [5.0, 5.0], is_rate=True) == 0.0


def test_interpolating_a_counter_between_equal_values_is_flat() -> None:
    assert m.interpolate(0, 5.0, 10, 5.0, 5, is_counter=True) == 5.0
