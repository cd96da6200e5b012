"""The float arithmetic of Prometheus's PromQL functions, over plain lists.

Operation order follows Prometheus (Kahan–Neumaier sums, the incremental mean, the
extrapolation rules of ``rate``), so results agree to the last bits where it matters.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

INF = math.inf
NAN = math.nan


def kahan_inc(inc: float, s: float, c: float) -> tuple[float, float]:
    """One step of a Kahan–Neumaier sum: returns the new sum and compensation."""
    t = s + inc
    if math.isinf(t):
        c = 0.0
    elif abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def kahan_sum(vals: Sequence[float]) -> float:
    """``sum_over_time``: compensated sum."""
    s = c = 0.0
    for v in vals:
        s, c = kahan_inc(v, s, c)
    if math.isinf(s):
        return s
    return s + c


def avg_values(vals: Sequence[float]) -> float:
    """``avg_over_time``: compensated sum, switching to an incremental mean on overflow."""
    s = vals[0]
    c = 0.0
    mean = 0.0
    incremental = False
    count = 1.0
    for i, f in enumerate(vals[1:]):
        count = float(i + 2)
        if not incremental:
            ns, nc = kahan_inc(f, s, c)
            if not math.isinf(ns):
                s, c = ns, nc
                continue
            incremental = True
            mean = s / (count - 1)
            c /= count - 1
        q = (count - 1) / count
        mean, c = kahan_inc(f / count, q * mean, q * c)
    if incremental:
        return mean + c
    return s / count + c / count


def variance(vals: Sequence[float]) -> float:
    """Population variance (Welford with compensated sums), as ``stdvar_over_time``."""
    count = 0.0
    mean = c_mean = aux = c_aux = 0.0
    for f in vals:
        count += 1
        delta = f - (mean + c_mean)
        mean, c_mean = kahan_inc(delta / count, mean, c_mean)
        aux, c_aux = kahan_inc(delta * (f - (mean + c_mean)), aux, c_aux)
    return (aux + c_aux) / count


def _nan_first_key(v: float) -> tuple[int, float]:
    return (0, 0.0) if math.isnan(v) else (1, v)


def quantile(q: float, values: Sequence[float]) -> float:
    """The q-quantile by linear interpolation between ranks (NaNs sort first)."""
    if not values or math.isnan(q):
        return NAN
    if q < 0:
        return -INF
    if q > 1:
        return INF
    vs = sorted(values, key=_nan_first_key)
    n = float(len(vs))
    rank = q * (n - 1)
    lower = max(0.0, math.floor(rank))
    upper = min(n - 1, lower + 1)
    weight = rank - math.floor(rank)
    return vs[int(lower)] * (1 - weight) + vs[int(upper)] * weight


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation (``mad_over_time``)."""
    if any(math.isnan(v) for v in values):
        return NAN
    med = quantile(0.5, values)
    return quantile(0.5, [abs(v - med) for v in values])


def linear_regression(
    ts: Sequence[int], vals: Sequence[float], intercept_ms: int
) -> tuple[float, float]:
    """Least-squares slope (per second) and intercept at ``intercept_ms``."""
    n = 0.0
    sx = cx = sy = cy = sxy = cxy = sx2 = cx2 = 0.0
    init = vals[0]
    const = True
    for i, (t, v) in enumerate(zip(ts, vals, strict=True)):
        if const and i > 0 and v != init:
            const = False
        n += 1.0
        x = (t - intercept_ms) / 1e3
        sx, cx = kahan_inc(x, sx, cx)
        sy, cy = kahan_inc(v, sy, cy)
        sxy, cxy = kahan_inc(x * v, sxy, cxy)
        sx2, cx2 = kahan_inc(x * x, sx2, cx2)
    if const:
        if math.isinf(init):
            return NAN, NAN
        return 0.0, init
    sx += cx
    sy += cy
    sxy += cxy
    sx2 += cx2
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    slope = _div(cov, var)
    return slope, sy / n - slope * sx / n


def _div(a: float, b: float) -> float:
    """IEEE division: x/0 is ±Inf or NaN, as in Go."""
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0:
            return NAN
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -INF if neg else INF


def div(a: float, b: float) -> float:
    """``a / b`` with Go float semantics."""
    return _div(a, b)


def mod(a: float, b: float) -> float:
    """Go's ``math.Mod``: result has the sign of ``a``; NaN for a zero divisor or infinite ``a``."""
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return NAN
    return math.fmod(a, b)


def pow_(a: float, b: float) -> float:
    """Go's ``math.Pow`` (no exceptions: overflow is Inf, domain errors NaN)."""
    try:
        r = a**b
    except ZeroDivisionError:
        # 0 ** negative
        if b == math.floor(b) and int(b) % 2 == 1 and math.copysign(1.0, a) < 0:
            return -INF
        return INF
    except OverflowError:
        if a < 0 and b == math.floor(b) and int(b) % 2 == 1:
            return -INF
        return INF
    if isinstance(r, complex):
        return NAN
    return float(r)


def extrapolated_rate(
    ts: Sequence[int],
    vals: Sequence[float],
    range_start: int,
    range_end: int,
    range_seconds: float,
    *,
    is_counter: bool,
    is_rate: bool,
) -> float | None:
    """``rate``/``increase``/``delta`` over the samples in ``(range_start, range_end]``."""
    n = len(vals)
    if n < 2:
        return None
    result = vals[-1] - vals[0]
    if is_counter:
        prev = vals[0]
        for cur in vals[1:]:
            if cur < prev:
                result += prev
            prev = cur
    first_t, last_t = ts[0], ts[-1]
    to_start = (first_t - range_start) / 1000
    to_end = (range_end - last_t) / 1000
    sampled = (last_t - first_t) / 1000
    avg = sampled / (n - 1)
    threshold = avg * 1.1
    if to_start >= threshold:
        to_start = avg / 2
    if is_counter:
        to_zero = to_start
        if result > 0 and vals[0] >= 0:
            to_zero = sampled * (vals[0] / result)
        to_start = min(to_start, to_zero)
    if to_end >= threshold:
        to_end = avg / 2
    factor = 1.0
    if sampled != 0:
        factor = (sampled + to_start + to_end) / sampled
    if is_rate:
        factor /= range_seconds
    return result * factor


def interpolate(t1: int, v1: float, t2: int, v2: float, t: int, *, is_counter: bool) -> float:
    """The straight line through two samples, at ``t`` (a counter reset starts from 0)."""
    if is_counter and v2 < v1:
        v1 = 0.0
    return v1 + (v2 - v1) * (t - t1) / (t2 - t1)


def extended_rate(
    ts: Sequence[int],
    vals: Sequence[float],
    range_start: int,
    range_end: int,
    range_seconds: float,
    *,
    smoothed: bool,
    is_counter: bool,
    is_rate: bool,
) -> float | None:
    """``rate``/``increase``/``delta`` over an ``anchored`` or ``smoothed`` window.

    Anchored: from the last sample at or before the range start to the last sample.
    Smoothed: the values at both range boundaries are interpolated between neighbours.
    """
    if not ts:
        return None
    last = len(ts) - 1
    first = max(0, bisect.bisect_right(ts, range_start, 0, last) - 1)
    if smoothed:
        last = bisect.bisect_left(ts, range_end, 0, last)
    if ts[last] <= range_start:
        return None
    if smoothed and ts[first] > range_end:
        return None
    left = vals[first]
    if smoothed and ts[first] < range_start:
        left = interpolate(
            ts[first],
            vals[first],
            ts[first + 1],
            vals[first + 1],
            range_start,
            is_counter=is_counter,
        )
    right = vals[last]
    if smoothed and last > 0 and ts[last] > range_end:
        right = interpolate(
            ts[last - 1], vals[last - 1], ts[last], vals[last], range_end, is_counter=is_counter
        )
    result = right - left
    if is_counter:
        lo, hi = first, last
        if ts[lo] <= range_start:
            lo += 1
        if ts[hi] >= range_end:
            hi -= 1
        correction = 0.0
        prev = left
        for v in vals[lo : hi + 1]:
            if v < prev:
                correction += prev
            prev = v
        if right < prev:
            correction += prev
        result += correction
    if is_rate:
        result /= range_seconds
    return result


def instant_value(ts: Sequence[int], vals: Sequence[float], *, is_rate: bool) -> float | None:
    """``irate``/``idelta`` from the last two samples."""
    if len(vals) < 2:
        return None
    t0, t1 = ts[-2], ts[-1]
    v0, v1 = vals[-2], vals[-1]
    interval = t1 - t0
    if interval == 0:
        return None
    result = v1
    if not is_rate or not v1 < v0:
        result = v1 - v0
    if is_rate:
        result /= interval / 1000
    return result


def double_exponential_smoothing(vals: Sequence[float], sf: float, tf: float) -> float | None:
    """Holt's linear smoothing (``double_exponential_smoothing``, formerly ``holt_winters``)."""
    if len(vals) < 2:
        return None
    s0 = 0.0
    s1 = vals[0]
    b = vals[1] - vals[0]
    for i in range(1, len(vals)):
        x = sf * vals[i]
        b = b if i - 1 == 0 else tf * (s1 - s0) + (1 - tf) * b
        y = (1 - sf) * (s1 + b)
        s0, s1 = s1, x + y
    return s1


def resets(vals: Sequence[float]) -> int:
    """Counter resets: how often a value is below its predecessor."""
    return sum(1 for a, b in itertools.pairwise(vals) if b < a)


def changes(vals: Sequence[float]) -> int:
    """How often the value changed (NaN to NaN is no change)."""
    n = 0
    for a, b in itertools.pairwise(vals):
        if a != b and not (math.isnan(a) and math.isnan(b)):
            n += 1
    return n


# -- classic histogram buckets ------------------------------------------------------------------

SMALL_DELTA_TOLERANCE = 1e-12
_MIN_NORMAL = 2.2250738585072014e-308


def almost_equal(a: float, b: float, epsilon: float) -> bool:
    """Relative float comparison with NaN == NaN (Prometheus ``util/almost``)."""
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    abs_sum = abs(a) + abs(b)
    diff = abs(a - b)
    if a == 0 or b == 0 or abs_sum < _MIN_NORMAL:
        return diff < epsilon * _MIN_NORMAL
    if math.isinf(abs_sum):
        abs_sum = 1.7976931348623157e308
    return diff / abs_sum < epsilon


def _prepare_buckets(buckets: list[list[float]]) -> list[list[float]]:
    buckets.sort(key=lambda b: b[0])
    out: list[list[float]] = []
    for b in buckets:
        if out and out[-1][0] == b[0]:
            out[-1][1] += b[1]
        else:
            out.append([b[0], b[1]])
    return out


def bucket_quantile(
    q: float, buckets: list[list[float]]
) -> tuple[float, bool, float, float, float]:
    """``histogram_quantile`` over classic ``[upper_bound, cumulative_count]`` buckets.

    Returns the quantile, whether counts had to be forced monotonic, and the smallest and
    largest affected bucket bounds and the largest correction (for the info annotation).
    """
    forced = False
    min_b, max_b, max_diff = INF, -INF, 0.0
    if math.isnan(q):
        return NAN, forced, min_b, max_b, max_diff
    if q < 0:
        return -INF, forced, min_b, max_b, max_diff
    if q > 1:
        return INF, forced, min_b, max_b, max_diff
    buckets.sort(key=lambda b: b[0])
    if not math.isinf(buckets[-1][0]) or buckets[-1][0] < 0:
        return NAN, forced, min_b, max_b, max_diff
    bs = _prepare_buckets(buckets)
    prev = bs[0][1]
    for i in range(1, len(bs)):
        curr = bs[i][1]
        if curr == prev:
            continue
        if almost_equal(prev, curr, SMALL_DELTA_TOLERANCE):
            bs[i][1] = prev
            continue
        if curr < prev:
            bs[i][1] = prev
            forced = True
            min_b = min(min_b, bs[i][0])
            max_b = max(max_b, bs[i][0])
            max_diff = max(max_diff, prev - curr)
            continue
        prev = curr
    if len(bs) < 2:
        return NAN, forced, min_b, max_b, max_diff
    observations = bs[-1][1]
    if observations == 0:
        return NAN, forced, min_b, max_b, max_diff
    rank = q * observations
    b = len(bs) - 1
    for i in range(len(bs) - 1):
        if bs[i][1] >= rank:
            b = i
            break
    if b == len(bs) - 1:
        return bs[-2][0], forced, min_b, max_b, max_diff
    if b == 0 and bs[0][0] <= 0:
        return bs[0][0], forced, min_b, max_b, max_diff
    start = 0.0
    end = bs[b][0]
    count = bs[b][1]
    if b > 0:
        start = bs[b - 1][0]
        count -= bs[b - 1][1]
        rank -= bs[b - 1][1]
    return start + (end - start) * div(rank, count), forced, min_b, max_b, max_diff


def bucket_fraction(lower: float, upper: float, buckets: list[list[float]]) -> float:
    """``histogram_fraction`` over classic buckets."""
    buckets.sort(key=lambda b: b[0])
    if not math.isinf(buckets[-1][0]) or buckets[-1][0] < 0:
        return NAN
    bs = _prepare_buckets(buckets)
    count = bs[-1][1]
    if count == 0 or math.isnan(lower) or math.isnan(upper):
        return NAN
    if lower >= upper:
        return 0.0
    rank = lower_rank = upper_rank = 0.0
    lower_set = upper_set = False
    lower_bound = -INF if bs[0][0] <= 0 else 0.0
    for i, (ub, cnt) in enumerate(bs):
        if i > 0:
            lower_bound = bs[i - 1][0]

        def interp(
            v: float, lb: float = lower_bound, ub: float = ub, cnt: float = cnt, rk: float = rank
        ) -> float:
            if lb == -INF:
                return cnt
            return rk + (cnt - rk) * (v - lb) / (ub - lb)

        if not lower_set and lower_bound >= lower:
            lower_rank, lower_set = rank, True
        if not upper_set and lower_bound >= upper:
            upper_rank, upper_set = rank, True
        if lower_set and upper_set:
            break
        if not lower_set and lower_bound < lower < ub:
            lower_rank, lower_set = interp(lower), True
        if not upper_set and lower_bound < upper < ub:
            upper_rank, upper_set = interp(upper), True
        if lower_set and upper_set:
            break
        rank = cnt
    if not lower_set or lower_rank > count:
        lower_rank = count
    if not upper_set or upper_rank > count:
        upper_rank = count
    return (upper_rank - lower_rank) / count
