"""PromQL's function table: return types, element-wise float functions and range functions."""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from obsctl.analysis.engine import mathops as m
from obsctl.analysis.engine.plan import ValueType

_VECTOR_FUNCS = (
    "abs",
    "absent",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "deg",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_sum",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_quantiles",
    "hour",
    "info",
    "label_replace",
    "label_join",
    "ln",
    "log2",
    "log10",
    "minute",
    "month",
    "rad",
    "round",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_desc",
    "sort_by_label",
    "sort_by_label_desc",
    "sqrt",
    "tan",
    "tanh",
    "timestamp",
    "start_timestamp",
    "vector",
    "year",
)

RANGE_FUNCS: dict[str, int] = {
    # function → index of its range-vector argument
    **dict.fromkeys(
        [
            "absent_over_time",
            "avg_over_time",
            "changes",
            "count_over_time",
            "delta",
            "deriv",
            "double_exponential_smoothing",
            "holt_winters",
            "first_over_time",
            "idelta",
            "increase",
            "irate",
            "last_over_time",
            "mad_over_time",
            "max_over_time",
            "min_over_time",
            "present_over_time",
            "predict_linear",
            "rate",
            "resets",
            "stddev_over_time",
            "stdvar_over_time",
            "sum_over_time",
            "ts_of_first_over_time",
            "ts_of_last_over_time",
            "ts_of_max_over_time",
            "ts_of_min_over_time",
        ],
        0,
    ),
    "quantile_over_time": 1,
}

RETURN_TYPES: dict[str, ValueType] = {
    **dict.fromkeys(_VECTOR_FUNCS, "vector"),
    **dict.fromkeys(RANGE_FUNCS, "vector"),
    **dict.fromkeys(
        ("pi", "scalar", "time", "start", "end", "range", "step", "min_of", "max_of"), "scalar"
    ),
}

KEEP_NAME_RANGE = frozenset({"last_over_time", "first_over_time"})


def _sgn(v: float) -> float:
    if v < 0:
        return -1.0
    if v > 0:
        return 1.0
    return v


def _safe(f: Callable[[float], float]) -> Callable[[float], float]:
    def g(v: float) -> float:
        try:
            return f(v)
        except (ValueError, OverflowError):
            return _domain_result(f, v)

    return g


def _domain_result(f: Callable[[float], float], v: float) -> float:
    if math.isnan(v):
        return math.nan
    if f is math.exp:
        return math.inf
    if f in (math.cosh,):
        return math.inf
    if f is math.sinh:
        return math.copysign(math.inf, v)
    if f is math.log or f is math.log2 or f is math.log10:
        return -math.inf if v == 0 else math.nan
    if f is math.atanh and abs(v) == 1:
        return math.copysign(math.inf, v)
    return math.nan


def _sqrt(v: float) -> float:
    return math.sqrt(v) if v >= 0 or math.isnan(v) else math.nan


def _ln(v: float) -> float:
    if v > 0:
        return math.log(v) if not math.isinf(v) else math.inf
    if v == 0:
        return -math.inf
    return math.nan


def _log2(v: float) -> float:
    return _ln(v) if v <= 0 or math.isnan(v) else math.log2(v)


def _log10(v: float) -> float:
    return _ln(v) if v <= 0 or math.isnan(v) else math.log10(v)


def _trig(f: Callable[[float], float]) -> Callable[[float], float]:
    def g(v: float) -> float:
        if math.isinf(v) or math.isnan(v):
            return math.nan
        return f(v)

    return g


def _asinh(v: float) -> float:
    return v if math.isinf(v) else math.asinh(v)


def _acosh(v: float) -> float:
    if math.isinf(v) and v > 0:
        return math.inf
    return math.acosh(v) if v >= 1 else math.nan


def _atan(v: float) -> float:
    return math.atan(v)


def _tanh(v: float) -> float:
    return math.tanh(v)


def _exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _ceil(v: float) -> float:
    return v if math.isinf(v) or math.isnan(v) else float(math.ceil(v))


def _floor(v: float) -> float:
    return v if math.isinf(v) or math.isnan(v) else float(math.floor(v))


def _abs(v: float) -> float:
    return abs(v)


SIMPLE: dict[str, Callable[[float], float]] = {
    "abs": _abs,
    "ceil": _ceil,
    "floor": _floor,
    "exp": _exp,
    "sqrt": _sqrt,
    "ln": _ln,
    "log2": _log2,
    "log10": _log10,
    "sin": _trig(math.sin),
    "cos": _trig(math.cos),
    "tan": _trig(math.tan),
    "asin": _safe(math.asin),
    "acos": _safe(math.acos),
    "atan": _atan,
    "sinh": _safe(math.sinh),
    "cosh": _safe(math.cosh),
    "tanh": _tanh,
    "asinh": _asinh,
    "acosh": _acosh,
    "atanh": _safe(math.atanh),
    "rad": lambda v: v * math.pi / 180,
    "deg": lambda v: v * 180 / math.pi,
    "sgn": _sgn,
}


def _date(v: float) -> datetime | None:
    if math.isnan(v) or math.isinf(v):
        return None
    try:
        return datetime.fromtimestamp(int(v), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _date_fn(f: Callable[[datetime], float]) -> Callable[[float], float]:
    def g(v: float) -> float:
        d = _date(v)
        return math.nan if d is None else f(d)

    return g


DATE: dict[str, Callable[[float], float]] = {
    "days_in_month": _date_fn(lambda d: float(calendar.monthrange(d.year, d.month)[1])),
    "day_of_month": _date_fn(lambda d: float(d.day)),
    "day_of_week": _date_fn(lambda d: float((d.weekday() + 1) % 7)),
    "day_of_year": _date_fn(lambda d: float(d.timetuple().tm_yday)),
    "hour": _date_fn(lambda d: float(d.hour)),
    "minute": _date_fn(lambda d: float(d.minute)),
    "month": _date_fn(lambda d: float(d.month)),
    "year": _date_fn(lambda d: float(d.year)),
}


class RangeArgs:
    """What a range function sees of one series in one window."""

    __slots__ = ("params", "range_end", "range_ms", "range_start", "t", "ts", "vals")

    def __init__(
        self,
        ts: Sequence[int],
        vals: Sequence[float],
        *,
        range_start: int,
        range_end: int,
        range_ms: int,
        t: int,
        params: Sequence[float],
    ) -> None:
        self.ts = ts
        self.vals = vals
        self.range_start = range_start
        self.range_end = range_end
        self.range_ms = range_ms
        self.t = t
        self.params = params


def _rate(a: RangeArgs) -> float | None:
    return m.extrapolated_rate(
        a.ts, a.vals, a.range_start, a.range_end, a.range_ms / 1000, is_counter=True, is_rate=True
    )


def _increase(a: RangeArgs) -> float | None:
    return m.extrapolated_rate(
        a.ts, a.vals, a.range_start, a.range_end, a.range_ms / 1000, is_counter=True, is_rate=False
    )


def _delta(a: RangeArgs) -> float | None:
    return m.extrapolated_rate(
        a.ts, a.vals, a.range_start, a.range_end, a.range_ms / 1000, is_counter=False, is_rate=False
    )


def _compare(vals: Sequence[float], better: Callable[[float, float], bool]) -> int:
    best = 0
    for i in range(len(vals)):
        if better(vals[i], vals[best]) or math.isnan(vals[best]):
            best = i
    return best


def _max_idx(vals: Sequence[float]) -> int:
    return _compare(vals, lambda c, b: c > b)


def _min_idx(vals: Sequence[float]) -> int:
    return _compare(vals, lambda c, b: c < b)


def _ts_max_idx(vals: Sequence[float]) -> int:
    return _compare(vals, lambda c, b: c >= b)


def _ts_min_idx(vals: Sequence[float]) -> int:
    return _compare(vals, lambda c, b: c <= b)


def _predict_linear(a: RangeArgs) -> float | None:
    if len(a.vals) < 2:
        return None
    slope, intercept = m.linear_regression(a.ts, a.vals, a.t)
    return slope * a.params[0] + intercept


def _deriv(a: RangeArgs) -> float | None:
    if len(a.vals) < 2:
        return None
    return m.linear_regression(a.ts, a.vals, a.ts[0])[0]


def _holt(a: RangeArgs) -> float | None:
    return m.double_exponential_smoothing(a.vals, a.params[0], a.params[1])


RANGE_IMPL: dict[str, Callable[[RangeArgs], float | None]] = {
    "rate": _rate,
    "increase": _increase,
    "delta": _delta,
    "irate": lambda a: m.instant_value(a.ts, a.vals, is_rate=True),
    "idelta": lambda a: m.instant_value(a.ts, a.vals, is_rate=False),
    "avg_over_time": lambda a: m.avg_values(a.vals),
    "sum_over_time": lambda a: m.kahan_sum(a.vals),
    "count_over_time": lambda a: float(len(a.vals)),
    "min_over_time": lambda a: a.vals[_min_idx(a.vals)],
    "max_over_time": lambda a: a.vals[_max_idx(a.vals)],
    "ts_of_min_over_time": lambda a: a.ts[_ts_min_idx(a.vals)] / 1000,
    "ts_of_max_over_time": lambda a: a.ts[_ts_max_idx(a.vals)] / 1000,
    "ts_of_first_over_time": lambda a: a.ts[0] / 1000,
    "ts_of_last_over_time": lambda a: a.ts[-1] / 1000,
    "first_over_time": lambda a: a.vals[0],
    "last_over_time": lambda a: a.vals[-1],
    "present_over_time": lambda a: 1.0,
    "stdvar_over_time": lambda a: m.variance(a.vals),
    "stddev_over_time": lambda a: math.sqrt(m.variance(a.vals)),
    "mad_over_time": lambda a: m.mad(a.vals),
    "quantile_over_time": lambda a: m.quantile(a.params[0], a.vals),
    "changes": lambda a: float(m.changes(a.vals)),
    "resets": lambda a: float(m.resets(a.vals)),
    "deriv": _deriv,
    "predict_linear": _predict_linear,
    "double_exponential_smoothing": _holt,
    "holt_winters": _holt,
}
