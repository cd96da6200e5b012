"""PromQL evaluation over in-memory series, with Prometheus 3 semantics.

An expression is evaluated one timestamp at a time: an instant query is one evaluation, a
range query one per step (results are merged into series), and a subquery evaluates its inner
expression at each of its own steps. Selectors look back ``lookback_ms`` (5m) for the newest
sample and respect staleness markers; range selectors are left-open ``(t - range, t]``.
The metric name is removed lazily, as Prometheus 3 does: functions and operators that change
a sample's meaning mark it, and ``__name__`` is dropped from marked samples at the end.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from obsctl.analysis.engine import labels as L
from obsctl.analysis.engine import mathops as m
from obsctl.analysis.engine.functions import (
    DATE,
    KEEP_NAME_RANGE,
    RANGE_FUNCS,
    RANGE_IMPL,
    SIMPLE,
    RangeArgs,
)
from obsctl.analysis.engine.labels import Labels
from obsctl.analysis.engine.plan import (
    Aggregate,
    AtRef,
    Binary,
    Call,
    Matcher,
    MatrixSel,
    Node,
    Number,
    Paren,
    Pos,
    String,
    Subquery,
    Unary,
    VectorSel,
    compile_regex,
)
from obsctl.analysis.engine.storage import Storage, StoredSeries
from obsctl.model.re2_syntax import error_text as regex_error_text

DEFAULT_LOOKBACK_MS = 300_000
DEFAULT_SUBQUERY_STEP_MS = 60_000
MAX_STEPS = 1_000_000
"""Most evaluation steps of one range query or subquery: beyond that a query would run for
hours (``x[10y:1ms]``); it fails instead."""


class EvalError(Exception):
    """The query failed at evaluation time (Prometheus's execution errors)."""


class Sample:
    """One instant-vector element: labels, value, sample time, and whether to drop the name."""

    __slots__ = ("drop", "labels", "t", "v")

    def __init__(self, labels: Labels, v: float, t: int, drop: bool = False) -> None:
        self.labels = labels
        self.v = v
        self.t = t
        self.drop = drop

    def __repr__(self) -> str:
        return f"Sample({L.fmt(self.labels)}, {self.v}, t={self.t})"


class RSeries:
    """One range-vector element: labels and the samples in the window."""

    __slots__ = ("drop", "labels", "ts", "vals")

    def __init__(
        self, labels: Labels, ts: list[int], vals: list[float], drop: bool = False
    ) -> None:
        self.labels = labels
        self.ts = ts
        self.vals = vals
        self.drop = drop


class Vector(list[Sample]):
    """An instant vector."""


class Matrix(list[RSeries]):
    """A range vector (or a range query's result)."""


Value = float | str | Vector | Matrix


class Annotations:
    """Warnings and infos, deduplicated, in the order they were raised."""

    def __init__(self) -> None:
        self._warnings: dict[str, None] = {}
        self._infos: dict[str, None] = {}
        self._mono: dict[str, list[float]] = {}

    @property
    def warnings(self) -> list[str]:
        """``PromQL warning: …`` messages, each ending in the position it is about."""
        return list(self._warnings)

    @property
    def infos(self) -> list[str]:
        """``PromQL info: …`` messages."""
        out = list(self._infos)
        for head, (lo_t, hi_t, lo_b, hi_b, diff, count) in self._mono.items():
            msg, _, pos = head.rpartition("\x00")
            out.append(
                f"{msg}, from buckets {_fmt_g(lo_b)} to {_fmt_g(hi_b)}, with a max diff of "
                f"{_fmt_2g(diff)}, over {int(count)} samples from {_rfc3339(lo_t)} to "
                f"{_rfc3339(hi_t)}{pos}"
            )
        return out

    def warn(self, msg: str, pos: Pos) -> None:
        self._warnings[_with_pos(f"PromQL warning: {msg}", pos)] = None

    def info(self, msg: str, pos: Pos) -> None:
        self._infos[_with_pos(f"PromQL info: {msg}", pos)] = None

    def monotonicity(
        self, metric: str, pos: Pos, t: int, lo: float, hi: float, diff: float
    ) -> None:
        """histogram_quantile had to fix bucket counts; merged over the query's steps."""
        msg = (
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
            "(see https://prometheus.io/docs/prometheus/latest/querying/functions/"
            "#histogram_quantile)"
        )
        if metric:
            msg += f" for metric name {_go_quote(metric)}"
        key = msg + "\x00" + (f" ({pos[0]}:{pos[1]})" if pos else "")
        st = self._mono.get(key)
        if st is None:
            self._mono[key] = [t, t, lo, hi, diff, 1]
            return
        st[0] = min(st[0], t)
        st[1] = max(st[1], t)
        st[2] = min(st[2], lo)
        st[3] = max(st[3], hi)
        st[4] = max(st[4], diff)
        st[5] += 1


def _rfc3339(ms: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(ms) // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_2g(v: float) -> str:
    """Go's ``%.2g``."""
    s = f"{v:.2g}"
    mant, e, exp = s.partition("e")
    if e:
        return f"{mant}e{exp[0]}{int(exp[1:]):02d}"
    return s


def _with_pos(msg: str, pos: Pos) -> str:
    return f"{msg} ({pos[0]}:{pos[1]})" if pos else msg


@dataclass
class Result:
    """A query's value and its annotations."""

    value: Value
    annotations: Annotations


def _go_float(v: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)`` (shortest round-trip, no exponent)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    r = repr(v)
    if "e" in r or "E" in r:
        from decimal import Decimal

        s = format(Decimal(r), "f")
    else:
        s = r
    if s.endswith(".0"):
        s = s[:-2]
    return s


def _fmt_g(v: float) -> str:
    """Go's ``%g`` of a float64."""
    from obsctl.analysis.engine.goformat import go_float

    return go_float(v)


class _Query:
    """State of one query: its time range, annotations and selector cache."""

    def __init__(self, storage: Storage, start: int, end: int, step: int, lookback: int) -> None:
        self.storage = storage
        self.start = start
        self.end = end
        self.step = step
        self.lookback = lookback
        self.annos = Annotations()
        self.series_cache: dict[int, list[StoredSeries]] = {}


class Engine:
    """Evaluates plans (``analysis.engine.plan``) over a ``Storage``."""

    def __init__(
        self,
        storage: Storage,
        *,
        lookback_ms: int = DEFAULT_LOOKBACK_MS,
        subquery_step_ms: int = DEFAULT_SUBQUERY_STEP_MS,
    ) -> None:
        self.storage = storage
        self.lookback_ms = lookback_ms
        self.subquery_step_ms = subquery_step_ms

    # -- public ------------------------------------------------------------------------------

    def instant(self, node: Node, t: int) -> Result:
        """Evaluate at ``t`` (Unix ms). Vectors come back with the name dropped where due."""
        q = _Query(self.storage, t, t, 0, self.lookback_ms)
        v = self._eval(q, node, t)
        if isinstance(v, Vector):
            v = _cleanup_vector(v)
        elif isinstance(v, Matrix):
            for s in v:
                if s.drop:
                    s.labels = L.drop_name(s.labels)
            v = Matrix(sorted(v, key=lambda s: s.labels))
        return Result(v, q.annos)

    def range(self, node: Node, start: int, end: int, step: int) -> Result:
        """Evaluate at ``start, start+step … end``; the result is a Matrix sorted by labels."""
        if step <= 0:
            raise EvalError("zero or negative query resolution step widths are not accepted")
        kind = node.type
        if kind not in ("scalar", "vector"):
            raise EvalError(
                f'invalid expression type "{_type_name(kind)}" for range query, '
                "must be Scalar or instant Vector"
            )
        if (end - start) // step >= MAX_STEPS:
            raise EvalError(f"range query has more than {MAX_STEPS} steps")
        q = _Query(self.storage, start, end, step, self.lookback_ms)
        out: dict[Labels, RSeries] = {}
        order: list[Labels] = []
        for t in range(start, end + 1, step):
            v = self._eval(q, node, t)
            if isinstance(v, float):
                _append(out, order, (), t, v, False)
            elif isinstance(v, Vector):
                for s in v:
                    _append(out, order, s.labels, t, s.v, s.drop)
        mat = _cleanup_matrix([out[k] for k in order])
        return Result(mat, q.annos)

    # -- evaluation ----------------------------------------------------------------------------

    def _eval(self, q: _Query, node: Node, t: int) -> Value:
        if isinstance(node, VectorSel):
            return self._vector_sel(q, node, t)
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Binary):
            return self._binary(q, node, t)
        if isinstance(node, Call):
            return self._call(q, node, t)
        if isinstance(node, Aggregate):
            return self._aggregate(q, node, t)
        if isinstance(node, Paren):
            return self._eval(q, node.expr, t)
        if isinstance(node, Unary):
            v = self._eval(q, node.expr, t)
            if node.op != "-":
                return v
            if isinstance(v, float):
                return -v
            if isinstance(v, Vector):
                return Vector(Sample(s.labels, -s.v, t, True) for s in v)
            raise EvalError("unary minus is only defined for scalars and instant vectors")
        if isinstance(node, String):
            return node.value
        if isinstance(node, MatrixSel):
            return self._matrix_sel(q, node, t)
        if isinstance(node, Subquery):
            return self._subquery(q, node, t)
        raise EvalError(f"unsupported expression {type(node).__name__}")

    def _ref_time(self, q: _Query, at: AtRef, offset_ms: int, t: int) -> int:
        if at is None:
            return t - offset_ms
        if at == "start":
            base = q.start
        elif at == "end":
            base = q.end
        else:
            base = round(float(at) * 1000)
        return base - offset_ms

    def _select(self, q: _Query, sel: VectorSel) -> list[StoredSeries]:
        key = id(sel)
        got = q.series_cache.get(key)
        if got is None:
            matchers = [mt for mt in sel.matchers if not (mt.name == "__name__" and mt.op == "=")]
            name = next(
                (mt.value for mt in sel.matchers if mt.name == "__name__" and mt.op == "="), None
            )

            def match(lbls: Labels) -> bool:
                if not matchers:
                    return True
                d = dict(lbls)
                return all(mt.matches(d.get(mt.name, "")) for mt in matchers)

            got = q.storage.select(name, match)
            q.series_cache[key] = got
        return got

    def _vector_sel(self, q: _Query, sel: VectorSel, t: int) -> Vector:
        ref = self._ref_time(q, sel.at, sel.offset_ms, t)
        if sel.smoothed:
            return self._smoothed_sel(q, sel, ref, t)
        out = Vector()
        lookback = q.lookback
        for s in self._select(q, sel):
            hit = s.at(ref, lookback)
            if hit is not None:
                out.append(Sample(s.labels, hit[1], hit[0]))
        return out

    def _smoothed_sel(self, q: _Query, sel: VectorSel, ref: int, t: int) -> Vector:
        """A ``smoothed`` selector: the value at ``ref`` interpolated between neighbours."""
        out = Vector()
        lb = q.lookback
        for s in self._select(q, sel):
            ts, vals = s.window(ref - lb, ref + lb)
            if not ts:
                continue
            i = bisect.bisect_left(ts, ref)
            if i < len(ts) and ts[i] == ref:
                out.append(Sample(s.labels, vals[i], t))
            elif 0 < i < len(ts):
                v = m.interpolate(ts[i - 1], vals[i - 1], ts[i], vals[i], ref, is_counter=False)
                out.append(Sample(s.labels, v, t))
            elif i > 0:
                out.append(Sample(s.labels, vals[i - 1], t))
        return out

    def _matrix_sel(self, q: _Query, node: MatrixSel, t: int) -> Matrix:
        sel = node.sel
        ref = self._ref_time(q, sel.at, sel.offset_ms, t)
        out = Matrix()
        lo = ref - node.range_ms
        hi = ref
        if sel.anchored:
            lo -= q.lookback
        elif sel.smoothed:
            lo -= q.lookback
            hi += q.lookback
        for s in self._select(q, sel):
            ts, vals = s.window(lo, hi)
            if ts:
                out.append(RSeries(s.labels, ts, vals))
        return out

    def _subquery(self, q: _Query, node: Subquery, t: int) -> Matrix:
        ref = self._ref_time(q, node.at, node.offset_ms, t)
        step = node.step_ms or self.subquery_step_ms
        lo = ref - node.range_ms
        first = (lo // step) * step
        if first <= lo:
            first += step
        if (ref - first) // step >= MAX_STEPS:
            raise EvalError(f"subquery has more than {MAX_STEPS} steps")
        sub = _Query(q.storage, first, ref, step, q.lookback)
        sub.annos = q.annos
        sub.series_cache = q.series_cache
        # `@ start()`/`@ end()` inside a subquery still refer to the outer query.
        sub.start, sub.end = q.start, q.end
        series: dict[Labels, RSeries] = {}
        order: list[Labels] = []
        for st in range(first, ref + 1, step):
            v = self._eval(sub, node.expr, st)
            if isinstance(v, float):
                _append(series, order, (), st, v, False)
            elif isinstance(v, Vector):
                for s in v:
                    _append(series, order, s.labels, st, s.v, s.drop)
            else:
                raise EvalError("subquery is only allowed on instant vector or scalar")
        return Matrix(series[k] for k in sorted(order))

    # -- functions -----------------------------------------------------------------------------

    def _scalar_arg(self, q: _Query, node: Node, t: int) -> float:
        v = self._eval(q, node, t)
        if isinstance(v, float):
            return v
        raise EvalError("expected a scalar argument")

    def _vector_arg(self, q: _Query, node: Node, t: int) -> Vector:
        v = self._eval(q, node, t)
        if isinstance(v, Vector):
            return v
        raise EvalError("expected an instant vector argument")

    def _call(self, q: _Query, node: Call, t: int) -> Value:
        name = node.func
        args = node.args
        if name in RANGE_FUNCS:
            return self._range_call(q, node, t)
        if name in SIMPLE:
            f = SIMPLE[name]
            return Vector(
                Sample(s.labels, f(s.v), t, True) for s in self._vector_arg(q, args[0], t)
            )
        if name in DATE:
            f = DATE[name]
            if not args:
                return Vector([Sample((), f(t / 1000), t)])
            return Vector(
                Sample(s.labels, f(s.v), t, True) for s in self._vector_arg(q, args[0], t)
            )
        handler = _CALLS.get(name)
        if handler is None:
            raise EvalError(f"function {name!r} is not supported by the embedded engine")
        return handler(self, q, node, t)

    def _range_call(self, q: _Query, node: Call, t: int) -> Vector:
        name = node.func
        idx = RANGE_FUNCS[name]
        arg = node.args[idx]
        params = [self._scalar_arg(q, a, t) for i, a in enumerate(node.args) if i != idx]
        extended = ""
        if isinstance(arg, MatrixSel):
            sel = arg.sel
            if sel.anchored:
                extended = "anchored"
                if name not in _ANCHORED_SAFE:
                    raise EvalError(
                        "anchored modifier can only be used with: "
                        f"{', '.join(sorted(_ANCHORED_SAFE))} - not with {name}"
                    )
            elif sel.smoothed:
                extended = "smoothed"
                if name not in _SMOOTHED_SAFE:
                    raise EvalError(
                        "smoothed modifier can only be used with: "
                        f"{', '.join(sorted(_SMOOTHED_SAFE))} - not with {name}"
                    )
            ref = self._ref_time(q, sel.at, sel.offset_ms, t)
            range_ms = arg.range_ms
            mat = self._matrix_sel(q, arg, t)
        elif isinstance(arg, Subquery):
            ref = self._ref_time(q, arg.at, arg.offset_ms, t)
            range_ms = arg.range_ms
            mat = self._subquery(q, arg, t)
        else:
            raise EvalError(f"expected a range vector argument to {name}")
        if name == "absent_over_time":
            if mat:
                return Vector()
            return Vector([Sample(_absent_labels(arg), 1.0, t)])
        annos = q.annos
        pos = arg.pos
        if name == "quantile_over_time" and mat:
            qv = params[0]
            if math.isnan(qv) or qv < 0 or qv > 1:
                annos.warn(
                    f"quantile value should be between 0 and 1, got {_fmt_g(qv)}", node.args[0].pos
                )
        if name in ("double_exponential_smoothing", "holt_winters") and mat:
            sf, tf = params[0], params[1]
            if not 0 < sf < 1:
                raise EvalError(f"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:f}")
            if not 0 < tf < 1:
                raise EvalError(f"invalid trend factor. Expected: 0 < tf < 1, got: {tf:f}")
        impl = RANGE_IMPL[name]
        if extended:
            impl = _extended_impl(name, smoothed=extended == "smoothed")
        keep = name in KEEP_NAME_RANGE
        out = Vector()
        counter_check = name in ("rate", "increase")
        for s in mat:
            ra = RangeArgs(
                s.ts,
                s.vals,
                range_start=ref - range_ms,
                range_end=ref,
                range_ms=range_ms,
                t=t,
                params=params,
            )
            r = impl(ra)
            if r is None:
                continue
            out.append(Sample(s.labels, r, t, s.drop if keep else True))
            if counter_check:
                mname = L.get(s.labels, "__name__")
                if mname and not mname.endswith(("_total", "_sum", "_count", "_bucket")):
                    annos.info(
                        "metric might not be a counter, name does not end in "
                        f'_total/_sum/_count/_bucket: "{mname}"',
                        pos,
                    )
        return out

    # -- aggregation ---------------------------------------------------------------------------

    def _aggregate(self, q: _Query, node: Aggregate, t: int) -> Vector:
        op = node.op
        param: float | str | None = None
        if node.param is not None:
            pv = self._eval(q, node.param, t)
            if not isinstance(pv, float | str):
                raise EvalError("expected a scalar parameter")
            param = pv
        vec = self._vector_arg(q, node.expr, t)
        grouping = frozenset(node.grouping)
        without = node.without

        def key_of(lbls: Labels) -> Labels:
            if without:
                return tuple(p for p in lbls if p[0] not in grouping and p[0] != "__name__")
            return tuple(p for p in lbls if p[0] in grouping)

        if op == "count_values":
            assert isinstance(param, str)
            return self._count_values(vec, param, grouping, without, t)
        if op in ("topk", "bottomk", "limitk", "limit_ratio"):
            assert isinstance(param, float)
            return self._aggregate_k(q, node, vec, param, key_of, t)
        if op == "quantile":
            assert isinstance(param, float)
            if math.isnan(param) or param < 0 or param > 1:
                q.annos.warn(
                    f"quantile value should be between 0 and 1, got {_fmt_g(param)}",
                    node.param.pos if node.param else None,
                )
        groups: dict[Labels, list[Sample]] = {}
        for s in vec:
            groups.setdefault(key_of(s.labels), []).append(s)
        out = Vector()
        for k, members in groups.items():
            vals = [s.v for s in members]
            drop = any(s.drop for s in members)
            if op == "sum":
                r = m.kahan_sum(vals)
            elif op == "avg":
                r = m.avg_values(vals)
            elif op == "count":
                r = float(len(vals))
            elif op == "group":
                r = 1.0
            elif op == "min":
                r = vals[0]
                for v in vals[1:]:
                    if r > v or math.isnan(r):
                        r = v
            elif op == "max":
                r = vals[0]
                for v in vals[1:]:
                    if r < v or math.isnan(r):
                        r = v
            elif op in ("stddev", "stdvar"):
                r = self._stdvar(vals)
                if op == "stddev":
                    r = math.sqrt(r)
            elif op == "quantile":
                assert isinstance(param, float)
                r = m.quantile(param, vals)
            else:
                raise EvalError(f"unsupported aggregation {op!r}")
            out.append(Sample(k, r, t, drop))
        return out

    @staticmethod
    def _stdvar(vals: Sequence[float]) -> float:
        count = 1.0
        first = vals[0]
        mean = first
        value = math.nan if math.isnan(first) or math.isinf(first) else 0.0
        for f in vals[1:]:
            count += 1
            delta = f - mean
            mean += delta / count
            value += delta * (f - mean)
        return value / count

    def _count_values(
        self, vec: Vector, label: str, grouping: frozenset[str], without: bool, t: int
    ) -> Vector:
        if not _valid_label_name(label):
            raise EvalError(f"invalid label name {_go_quote(label)}")
        counts: dict[Labels, int] = {}
        for s in vec:
            lbls = L.with_label(s.labels, label, _go_float(s.v))
            if without:
                k = tuple(p for p in lbls if p[0] not in grouping and p[0] != "__name__")
            else:
                keep = grouping | {label}
                k = tuple(p for p in lbls if p[0] in keep)
            counts[k] = counts.get(k, 0) + 1
        return Vector(Sample(k, float(c), t) for k, c in counts.items())

    def _aggregate_k(
        self,
        q: _Query,
        node: Aggregate,
        vec: Vector,
        param: float,
        key_of: Callable[[Labels], Labels],
        t: int,
    ) -> Vector:
        op = node.op
        ppos = node.param.pos if node.param else None
        if op == "limit_ratio":
            if math.isnan(param):
                raise EvalError("Ratio value is NaN")
            if param > 1:
                q.annos.warn(
                    f"ratio value should be between -1 and 1, got {_fmt_g(param)}, capping to 1",
                    ppos,
                )
            elif param < -1:
                q.annos.warn(
                    f"ratio value should be between -1 and 1, got {_fmt_g(param)}, capping to -1",
                    ppos,
                )
            r = max(-1.0, min(1.0, param))
            if r == 0:
                return Vector()
            out = Vector()
            for s in vec:
                off = _ratio_offset(s.labels)
                if (r >= 0 and off < r) or (r < 0 and off >= 1.0 + r):
                    out.append(s)
            return out
        if math.isnan(param):
            raise EvalError("Parameter value is NaN")
        if param <= -(2.0**63):
            raise EvalError(f"Scalar value {_fmt_g(param)} underflows int64")
        if param >= 2.0**63:
            raise EvalError(f"Scalar value {_fmt_g(param)} overflows int64")
        k = min(int(param), len(vec))
        if k < 1:
            return Vector()
        groups: dict[Labels, list[Sample]] = {}
        for s in vec:
            groups.setdefault(key_of(s.labels), []).append(s)
        out = Vector()
        for members in groups.values():
            if op == "limitk":
                out.extend(members[:k])
                continue
            if op == "topk":
                chosen = sorted(members, key=_topk_key)[:k]
            else:
                chosen = sorted(members, key=_bottomk_key)[:k]
            out.extend(chosen)
        return out

    # -- binary operators ----------------------------------------------------------------------

    def _binary(self, q: _Query, node: Binary, t: int) -> Value:
        lv = self._eval(q, node.lhs, t)
        rv = self._eval(q, node.rhs, t)
        op = node.op
        if isinstance(lv, float) and isinstance(rv, float):
            return _scalar_op(op, lv, rv)
        if isinstance(lv, Vector) and isinstance(rv, float):
            return _vector_scalar(op, lv, rv, swap=False, return_bool=node.return_bool, t=t)
        if isinstance(lv, float) and isinstance(rv, Vector):
            return _vector_scalar(op, rv, lv, swap=True, return_bool=node.return_bool, t=t)
        if isinstance(lv, Vector) and isinstance(rv, Vector):
            if op == "and":
                return _vector_and(node, lv, rv)
            if op == "or":
                return _vector_or(node, lv, rv)
            if op == "unless":
                return _vector_unless(node, lv, rv)
            return _vector_binop(node, lv, rv, t)
        raise EvalError(f"binary operator {op!r} not defined between these operand types")


# -- helpers ---------------------------------------------------------------------------------------

_ANCHORED_SAFE = frozenset({"resets", "changes", "rate", "increase", "delta"})
_SMOOTHED_SAFE = frozenset({"rate", "increase", "delta"})


def _extended_impl(name: str, *, smoothed: bool) -> Callable[[RangeArgs], float | None]:
    """Range functions over ``anchored``/``smoothed`` windows (which reach past the range)."""
    if name in ("rate", "increase", "delta"):
        counter = name != "delta"
        is_rate = name == "rate"

        def rate(a: RangeArgs) -> float | None:
            return m.extended_rate(
                a.ts,
                a.vals,
                a.range_start,
                a.range_end,
                a.range_ms / 1000,
                smoothed=smoothed,
                is_counter=counter,
                is_rate=is_rate,
            )

        return rate

    def from_anchor(a: RangeArgs) -> float | None:
        # Start at the last sample at or before the range start; nothing when no sample
        # falls inside the range itself.
        i = bisect.bisect_right(a.ts, a.range_start)
        if i >= len(a.ts):
            return None
        first = max(0, i - 1)
        vals = a.vals[first:]
        return float(m.changes(vals) if name == "changes" else m.resets(vals))

    return from_anchor


def _type_name(kind: str) -> str:
    return {"matrix": "range vector", "vector": "instant vector"}.get(kind, kind)


def _append(
    out: dict[Labels, RSeries], order: list[Labels], lbls: Labels, t: int, v: float, drop: bool
) -> None:
    s = out.get(lbls)
    if s is None:
        s = RSeries(lbls, [], [], drop)
        out[lbls] = s
        order.append(lbls)
    s.ts.append(t)
    s.vals.append(v)


def _cleanup_vector(v: Vector) -> Vector:
    seen: set[Labels] = set()
    for s in v:
        if s.drop:
            s.labels = L.drop_name(s.labels)
            s.drop = False
        if s.labels in seen:
            raise EvalError("vector cannot contain metrics with the same labelset")
        seen.add(s.labels)
    return v


def _cleanup_matrix(series: list[RSeries]) -> Matrix:
    merged: dict[Labels, RSeries] = {}
    for s in series:
        lbls = L.drop_name(s.labels) if s.drop else s.labels
        prev = merged.get(lbls)
        if prev is None:
            merged[lbls] = RSeries(lbls, list(s.ts), list(s.vals))
            continue
        points = dict(zip(prev.ts, prev.vals, strict=True))
        for tt, vv in zip(s.ts, s.vals, strict=True):
            if tt in points:
                raise EvalError("vector cannot contain metrics with the same labelset")
            points[tt] = vv
        items = sorted(points.items())
        prev.ts = [a for a, _ in items]
        prev.vals = [b for _, b in items]
    return Matrix(merged[k] for k in sorted(merged))


def _absent_labels(node: Node) -> Labels:
    sel: VectorSel | None = None
    if isinstance(node, VectorSel):
        sel = node
    elif isinstance(node, MatrixSel):
        sel = node.sel
    if sel is None:
        return ()
    out: dict[str, str] = {}
    has: set[str] = set()
    for mt in sel.matchers:
        if mt.name == "__name__":
            continue
        if mt.op == "=" and mt.name not in has:
            out[mt.name] = mt.value
            has.add(mt.name)
        else:
            out.pop(mt.name, None)
    return L.make_labels(out)


_LABEL_NAME = re.compile(r"^[^\x00]+$")


def _valid_label_name(name: str) -> bool:
    if not name:
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # surrogate-escaped invalid UTF-8 byte
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _topk_key(s: Sample) -> tuple[int, float, Labels]:
    return (1, 0.0, s.labels) if math.isnan(s.v) else (0, -s.v, s.labels)


def _bottomk_key(s: Sample) -> tuple[int, float, Labels]:
    return (1, 0.0, s.labels) if math.isnan(s.v) else (0, s.v, s.labels)


def _ratio_offset(lbls: Labels) -> float:
    from obsctl.analysis.engine.xxhash import labels_hash

    return labels_hash(lbls) / 18446744073709551615.0


_CMP = frozenset({"==", "!=", ">", "<", ">=", "<="})


def _arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return m.div(a, b)
    if op == "%":
        return m.mod(a, b)
    if op == "^":
        return m.pow_(a, b)
    if op == "atan2":
        return math.atan2(a, b)
    raise EvalError(f"operator {op!r} not allowed for float operations")


def _compare(op: str, a: float, b: float) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == ">":
        return a > b
    if op == "<":
        return a < b
    if op == ">=":
        return a >= b
    return a <= b


def _scalar_op(op: str, a: float, b: float) -> float:
    if op in _CMP:
        return 1.0 if _compare(op, a, b) else 0.0
    return _arith(op, a, b)


def _vector_scalar(
    op: str, vec: Vector, sc: float, *, swap: bool, return_bool: bool, t: int
) -> Vector:
    out = Vector()
    cmp = op in _CMP
    for s in vec:
        a, b = (sc, s.v) if swap else (s.v, sc)
        if cmp:
            keep = _compare(op, a, b)
            value = b if swap else a
            if return_bool:
                out.append(Sample(s.labels, 1.0 if keep else 0.0, t, True))
            elif keep:
                out.append(Sample(s.labels, value, t, s.drop))
        else:
            out.append(Sample(s.labels, _arith(op, a, b), t, True))
    return out


def _signature(node: Binary) -> Callable[[Labels], Labels]:
    names = frozenset(node.matching)
    if node.on:
        return lambda lbls: tuple(p for p in lbls if p[0] in names)
    return lambda lbls: tuple(p for p in lbls if p[0] not in names and p[0] != "__name__")


def _vector_and(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    sig = _signature(node)
    right = {sig(s.labels) for s in rhs}
    return Vector(s for s in lhs if sig(s.labels) in right)


def _vector_or(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    sig = _signature(node)
    left = {sig(s.labels) for s in lhs}
    out = Vector(lhs)
    out.extend(s for s in rhs if sig(s.labels) not in left)
    return out


def _vector_unless(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    sig = _signature(node)
    right = {sig(s.labels) for s in rhs}
    return Vector(s for s in lhs if sig(s.labels) not in right)


def _result_labels(node: Binary, ls: Labels, rs: Labels) -> Labels:
    d = dict(ls)
    if node.op not in _CMP:
        for n in L.METADATA:
            d.pop(n, None)
    if node.card == "one-to-one":
        if node.on:
            names = set(node.matching)
            d = {k: v for k, v in d.items() if k in names}
        else:
            for n in node.matching:
                d.pop(n, None)
    if node.include:
        rd = dict(rs)
        for n in node.include:
            v = rd.get(n, "")
            if v:
                d[n] = v
            else:
                d.pop(n, None)
    return tuple(sorted(d.items()))


def _vector_binop(node: Binary, lhs: Vector, rhs: Vector, t: int) -> Vector:
    card = node.card
    if card == "many-to-many":
        raise EvalError("many-to-many only allowed for set operators")
    fill_l, fill_r = node.fill_lhs, node.fill_rhs
    if (not lhs and not rhs) or ((not lhs or not rhs) and fill_l is None and fill_r is None):
        return Vector()
    swapped = card == "one-to-many"
    if swapped:
        # The sides swap, the fill values do not (as in Prometheus).
        lhs, rhs = rhs, lhs
    sig = _signature(node)
    right: dict[Labels, Sample] = {}
    for rs in rhs:
        k = sig(rs.labels)
        dup = right.get(k)
        if dup is not None:
            one_side = "left" if swapped else "right"
            d1, d2 = _go_labels(rs.labels), _go_labels(dup.labels)
            if d1 > d2:
                d1, d2 = d2, d1
            raise EvalError(
                "found duplicate series for the match group "
                f"{_go_labels(_match_labels(node, rs.labels))} "
                f"on the {one_side} hand-side of the operation: [{d1}, {d2}]"
                ";many-to-many matching not allowed: matching labels must be unique on one side"
            )
        right[k] = rs
    op = node.op
    cmp = op in _CMP
    out = Vector()
    matched_one: set[Labels] = set()
    matched_many: dict[Labels, set[Labels]] = {}

    def do(ls: Sample, rs: Sample, k: Labels) -> None:
        a, b = ls.v, rs.v
        ll, rl = ls.labels, rs.labels
        if swapped:
            a, b = b, a
        if cmp:
            keep = _compare(op, a, b)
            value = a
        else:
            keep = True
            value = _arith(op, a, b)
        if node.return_bool:
            value = 1.0 if keep else 0.0
        metric = _result_labels(node, ll, rl)
        if card == "one-to-one":
            if k in matched_one:
                raise EvalError(
                    "multiple matches for labels: many-to-one matching must be explicit "
                    "(group_left/group_right)"
                )
            matched_one.add(k)
        else:
            seen = matched_many.setdefault(k, set())
            if metric in seen:
                raise EvalError(
                    "multiple matches for labels: grouping labels must ensure unique matches"
                )
            seen.add(metric)
        if not keep and not node.return_bool:
            return
        drop = node.return_bool or (cmp and ls.drop)
        if swapped and cmp and not node.return_bool:
            drop = rs.drop  # the kept element is the right-hand (many) side
        out.append(Sample(metric, value, t, drop))

    for ls in lhs:
        k = sig(ls.labels)
        found = right.get(k)
        if found is None:
            if fill_r is None:
                continue
            found = Sample(_match_labels(node, ls.labels), fill_r, t)
        do(ls, found, k)
    if fill_l is not None:
        for rs in rhs:
            k = sig(rs.labels)
            if k in matched_one or matched_many.get(k):
                continue
            do(Sample(_match_labels(node, rs.labels), fill_l, t), rs, k)
    return out


def _match_labels(node: Binary, lbls: Labels) -> Labels:
    names = set(node.matching)
    if node.on:
        return tuple(p for p in lbls if p[0] in names)
    return tuple(p for p in lbls if p[0] not in names and p[0] != "__name__")


def _go_labels(lbls: Labels) -> str:
    return "{" + ", ".join(f"{k}={_go_quote(v)}" for k, v in lbls) + "}"


# -- special functions ---------------------------------------------------------------------------


def _string_arg(node: Node) -> str:
    n = node
    while isinstance(n, Paren):
        n = n.expr
    if not isinstance(n, String):
        raise EvalError("expected a string argument")
    return n.value


def _expand_template(template: str, match: re.Match[str]) -> str:
    """Go's ``regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = template.find("}", i + 2)
            name = template[i + 2 : end] if end != -1 else ""
            if end == -1 or not name or not re.fullmatch(r"\w+", name):
                out.append("$")
                i += 1
                continue
            i = end + 1
        else:
            mm = re.match(r"\w+", template[i + 1 :])
            if mm is None:
                out.append("$")
                i += 1
                continue
            name = mm.group()
            i += 1 + len(name)
        out.append(_group(match, name))
    return "".join(out)


def _group(match: re.Match[str], name: str) -> str:
    try:
        if name.isdigit():
            idx = int(name)
            g = match.group(idx) if idx <= (match.re.groups or 0) else None
        else:
            g = match.group(name)
    except (IndexError, error_types()):
        return ""
    return g or ""


def error_types() -> type[Exception]:
    return re.error


def _label_replace(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    args = node.args
    dst, repl, src, regex = (_string_arg(a) for a in args[1:5])
    try:
        if regex_error_text(regex) is not None:  # RE2 refuses it, as Prometheus does
            raise re.error(regex)
        rx = compile_regex(regex)
    except re.error as exc:
        raise EvalError(f"invalid regular expression in label_replace(): {regex}") from exc
    if not _valid_label_name(dst):
        raise EvalError(f"invalid destination label name in label_replace(): {dst}")
    vec = eng._vector_arg(q, args[0], t)
    out = Vector()
    for s in vec:
        sv = L.get(s.labels, src)
        mt = rx.fullmatch(sv)
        if mt is None:
            out.append(s)
            continue
        res = _expand_template(repl, mt)
        lbls = L.with_label(s.labels, dst, res)
        drop = False if dst == "__name__" else s.drop
        out.append(Sample(lbls, s.v, t, drop))
    _check_dupes(out)
    return out


def _label_join(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    args = node.args
    dst = _string_arg(args[1])
    sep = _string_arg(args[2])
    srcs = [_string_arg(a) for a in args[3:]]
    for src in srcs:
        if not _valid_label_name(src):
            raise EvalError(f"invalid source label name in label_join(): {src}")
    if not _valid_label_name(dst):
        raise EvalError(f"invalid destination label name in label_join(): {dst}")
    vec = eng._vector_arg(q, args[0], t)
    out = Vector()
    for s in vec:
        joined = sep.join(L.get(s.labels, x) for x in srcs)
        lbls = L.with_label(s.labels, dst, joined)
        drop = False if dst == "__name__" else s.drop
        out.append(Sample(lbls, s.v, t, drop))
    _check_dupes(out)
    return out


def _check_dupes(vec: Vector) -> None:
    seen: set[tuple[Labels, bool]] = set()
    for s in vec:
        k = (L.drop_name(s.labels) if s.drop else s.labels, False)
        if k in seen:
            raise EvalError("vector cannot contain metrics with the same labelset")
        seen.add(k)


def _timestamp(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    arg = node.args[0]
    vec = eng._vector_arg(q, arg, t)
    direct = isinstance(arg, VectorSel)
    return Vector(Sample(s.labels, (s.t if direct else t) / 1000, t, True) for s in vec)


def _vector_fn(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    return Vector([Sample((), eng._scalar_arg(q, node.args[0], t), t)])


def _scalar_fn(eng: Engine, q: _Query, node: Call, t: int) -> float:
    vec = eng._vector_arg(q, node.args[0], t)
    if len(vec) != 1:
        return math.nan
    return vec[0].v


def _absent(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    vec = eng._vector_arg(q, node.args[0], t)
    if vec:
        return Vector()
    return Vector([Sample(_absent_labels(node.args[0]), 1.0, t)])


def _clamp(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    vec = eng._vector_arg(q, node.args[0], t)
    if node.func == "clamp":
        lo = eng._scalar_arg(q, node.args[1], t)
        hi = eng._scalar_arg(q, node.args[2], t)
    elif node.func == "clamp_min":
        lo, hi = eng._scalar_arg(q, node.args[1], t), math.inf
    else:
        lo, hi = -math.inf, eng._scalar_arg(q, node.args[1], t)
    if hi < lo:
        return Vector()
    return Vector(Sample(s.labels, _go_max(lo, _go_min(hi, s.v)), t, True) for s in vec)


def _go_max(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a > b else b


def _go_min(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a < b else b


def _round(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    vec = eng._vector_arg(q, node.args[0], t)
    to = eng._scalar_arg(q, node.args[1], t) if len(node.args) > 1 else 1.0
    inv = m.div(1.0, to)
    out = Vector()
    for s in vec:
        x = s.v * inv + 0.5
        f = x if math.isinf(x) or math.isnan(x) else float(math.floor(x))
        out.append(Sample(s.labels, m.div(f, inv), t, True))
    return out


def _sort(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    if q.start != q.end:
        q.annos.warn(
            "sort is ineffective for range queries since results are always ordered by labels",
            node.pos,
        )
    vec = eng._vector_arg(q, node.args[0], t)
    name = node.func
    if name == "sort":
        return Vector(sorted(vec, key=lambda s: (1, 0.0) if math.isnan(s.v) else (0, s.v)))
    if name == "sort_desc":
        return Vector(sorted(vec, key=lambda s: (1, 0.0) if math.isnan(s.v) else (0, -s.v)))
    names = [_string_arg(a) for a in node.args[1:]]
    desc = name == "sort_by_label_desc"
    import functools

    def cmp(a: Sample, b: Sample) -> int:
        for n in names:
            va, vb = L.get(a.labels, n), L.get(b.labels, n)
            if va == vb:
                continue
            r = -1 if _natsort_less(va, vb) else 1
            return -r if desc else r
        c = (a.labels > b.labels) - (a.labels < b.labels)
        return -c if desc else c

    return Vector(sorted(vec, key=functools.cmp_to_key(cmp)))


_CHUNK = re.compile(r"(\d+|\D+)")


def _natsort_less(a: str, b: str) -> bool:
    ca = _CHUNK.findall(a)
    cb = _CHUNK.findall(b)
    for x, y in zip(ca, cb, strict=False):
        if x == y:
            continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd:
            xs, ys = x.lstrip("0"), y.lstrip("0")
            if len(xs) != len(ys):
                return bool(len(xs) < len(ys))
            if xs != ys:
                return bool(xs < ys)
            continue
        return bool(x < y)
    return len(ca) < len(cb)


def _min_max_of(eng: Engine, q: _Query, node: Call, t: int) -> float:
    a = eng._scalar_arg(q, node.args[0], t)
    b = eng._scalar_arg(q, node.args[1], t)
    return _go_min(a, b) if node.func == "min_of" else _go_max(a, b)


def _histogram_quantile(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    qv = eng._scalar_arg(q, node.args[0], t)
    vec = eng._vector_arg(q, node.args[1], t)
    if math.isnan(qv) or qv < 0 or qv > 1:
        q.annos.warn(
            f"quantile value should be between 0 and 1, got {_fmt_g(qv)}", node.args[0].pos
        )
    out = Vector()
    for metric, buckets in _classic_buckets(q, vec, node.args[1]):
        r, forced, lo, hi, diff = m.bucket_quantile(qv, buckets)
        if forced:
            name = L.get(metric[0], "__name__")
            q.annos.monotonicity(name, node.args[1].pos, t, lo, hi, diff)
        out.append(Sample(metric[0], r, t, True))
    return out


def _histogram_quantiles(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    vec = eng._vector_arg(q, node.args[0], t)
    label = _string_arg(node.args[1])
    qs: list[float] = []
    for a in node.args[2:]:
        qv = eng._scalar_arg(q, a, t)
        if math.isnan(qv) or qv < 0 or qv > 1:
            q.annos.warn(f"quantile value should be between 0 and 1, got {_fmt_g(qv)}", a.pos)
        qs.append(qv)
    groups = _classic_buckets(q, vec, node.args[0])
    out = Vector()
    for qv in qs:
        for metric, buckets in groups:
            r, forced, lo, hi, diff = m.bucket_quantile(qv, [list(b) for b in buckets])
            if forced:
                q.annos.monotonicity(
                    L.get(metric[0], "__name__"), node.args[0].pos, t, lo, hi, diff
                )
            out.append(Sample(L.with_label(metric[0], label, _om_float(qv)), r, t, True))
    return out


def _om_float(f: float) -> str:
    """``labels.FormatOpenMetricsFloat``."""
    if f == 1:
        return "1.0"
    if f == 0:
        return "0.0"
    if f == -1:
        return "-1.0"
    s = _fmt_g(f)
    if s in ("NaN", "+Inf", "-Inf"):
        return s
    if "e" not in s and "." not in s:
        s += ".0"
    return s


def _histogram_fraction(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    lo = eng._scalar_arg(q, node.args[0], t)
    hi = eng._scalar_arg(q, node.args[1], t)
    vec = eng._vector_arg(q, node.args[2], t)
    out = Vector()
    for metric, buckets in _classic_buckets(q, vec, node.args[2]):
        out.append(Sample(metric[0], m.bucket_fraction(lo, hi, buckets), t, True))
    return out


def _classic_buckets(
    q: _Query, vec: Vector, arg: Node
) -> list[tuple[tuple[Labels], list[list[float]]]]:
    groups: dict[Labels, tuple[tuple[Labels], list[list[float]]]] = {}
    for s in vec:
        le = L.get(s.labels, "le")
        try:
            ub = _parse_go_float(le)
        except ValueError:
            q.annos.warn(
                f'bucket label "le" is missing or has a malformed value of {_go_quote(le)} '
                f"for metric name {_go_quote(L.get(s.labels, '__name__'))}",
                arg.pos,
            )
            continue
        key = tuple(p for p in s.labels if p[0] != "le")
        g = groups.get(key)
        if g is None:
            g = ((key,), [])
            groups[key] = g
        g[1].append([ub, s.v])
    return [g for g in groups.values() if g[1]]


def _parse_go_float(s: str) -> float:
    t = s.strip()
    if t != s or not t:
        raise ValueError(s)
    low = t.lower().lstrip("+-")
    if low in ("inf", "infinity"):
        return -math.inf if t.startswith("-") else math.inf
    if low == "nan":
        return math.nan
    if "_" in t:
        raise ValueError(s)
    if low.startswith("0x"):
        return float.fromhex(t)
    return float(t)


def _constant(
    value: Callable[[_Query, int], float],
) -> Callable[[Engine, _Query, Call, int], float]:
    def f(eng: Engine, q: _Query, node: Call, t: int) -> float:
        return value(q, t)

    return f


_TARGET_INFO = "target_info"
_ID_LABELS = ("instance", "job")


def _info_time(node: Node) -> tuple[AtRef, int]:
    """``@`` and offset the info series are read at: those of the first selector, with the
    offsets of the subqueries around it (up to one with an ``@``)."""
    stack: list[tuple[Node, tuple[Node, ...]]] = [(node, ())]
    while stack:
        n, path = stack.pop()
        if isinstance(n, VectorSel):
            at, offset = n.at, n.offset_ms
            for parent in reversed(path):
                if at is not None:
                    break
                if isinstance(parent, Subquery):
                    offset += parent.offset_ms
                    at = parent.at
            return at, offset
        children: list[Node] = []
        for attr in ("param", "expr", "lhs", "rhs", "sel"):
            c = getattr(n, attr, None)
            if isinstance(c, Node):
                children.append(c)
        children.extend(getattr(n, "args", ()))
        stack.extend((c, (*path, n)) for c in reversed(children))
    return None, 0


def _info(eng: Engine, q: _Query, node: Call, t: int) -> Vector:
    """``info(v [, {selector}])``: add the data labels of info metrics (``target_info`` by
    default) that share ``instance`` and ``job`` with each sample."""
    base = eng._vector_arg(q, node.args[0], t)
    data: dict[str, list[Matcher]] = {}
    name_matchers: list[Matcher] = []
    if len(node.args) > 1:
        sel = node.args[1]
        if not isinstance(sel, VectorSel):
            raise EvalError("info() expects a label selector as its second argument")
        for mt in sel.matchers:
            data.setdefault(mt.name, []).append(mt)
            if mt.name == "__name__":
                name_matchers.append(mt)
    else:
        name_matchers = [Matcher("__name__", "=", _TARGET_INFO)]
    effective = _effective_name_matchers(name_matchers)
    ignored: set[Labels] = set()
    for s in base:
        name = L.get(s.labels, "__name__")
        if all(mt.matches(name) for mt in effective):
            ignored.add(s.labels)
    id_values: dict[str, set[str]] = {}
    for s in base:
        if s.labels in ignored:
            continue
        for ln in _ID_LABELS:
            v = L.get(s.labels, ln)
            if v:
                id_values.setdefault(ln, set()).add(v)
    data_names = {n for n in data if n != "__name__"}
    data_matchers = [mt for n, ms in data.items() if n != "__name__" for mt in ms]
    info_vec: list[tuple[Labels, int]] = []
    if id_values:
        at, offset = _info_time(node.args[0])
        ref = eng._ref_time(q, at, offset, t)
        name_sel = _effective_name_matchers(list(data.get("__name__", [])))
        if len(node.args) == 1:
            name_sel = effective

        def match(lbls: Labels) -> bool:
            d = dict(lbls)
            for ln, vals in id_values.items():
                if d.get(ln, "") not in vals:
                    return False
            return all(mt.matches(d.get(mt.name, "")) for mt in (*data_matchers, *name_sel))

        for st in q.storage.select(None, match):
            hit = st.at(ref, q.lookback)
            if hit is not None:
                info_vec.append((st.labels, hit[0]))
    by_sig: dict[tuple[str, Labels], tuple[Labels, int]] = {}
    names: set[str] = set()
    for lbls, orig_t in info_vec:
        name = L.get(lbls, "__name__")
        names.add(name)
        sig = (name, tuple(p for p in lbls if p[0] in _ID_LABELS))
        prev = by_sig.get(sig)
        if prev is None or prev[1] < orig_t:
            by_sig[sig] = (lbls, orig_t)
        elif prev[1] == orig_t:
            raise EvalError(
                f"found duplicate series for info metric: existing {_go_labels(prev[0])} @ "
                f"{prev[1]}, new {_go_labels(lbls)} @ {orig_t}"
            )
    out = Vector()
    for s in base:
        if s.labels in ignored:
            out.append(s)
            continue
        base_d = dict(s.labels)
        added: dict[str, str] = {}
        seen = 0
        ids = tuple(p for p in s.labels if p[0] in _ID_LABELS)
        for name in sorted(names):
            found = by_sig.get((name, ids))
            if found is None:
                continue
            for k, v in found[0]:
                if k == "__name__":
                    continue
                if data_names and k not in data_names:
                    continue
                if added.get(k, v) != v:
                    raise EvalError(f"conflicting label: {k}")
                if k in base_d:
                    continue
                added[k] = v
            seen += 1
        if not seen and not all(mt.matches("") for mt in data_matchers):
            continue
        out.append(Sample(L.make_labels({**base_d, **added}), s.v, t, s.drop))
    return out


def _effective_name_matchers(matchers: list[Matcher]) -> list[Matcher]:
    if any(mt.op in ("=", "=~") for mt in matchers):
        return matchers
    if matchers:
        return [Matcher("__name__", "=~", ".+_info", compile_regex(".+_info")), *matchers]
    return [Matcher("__name__", "=", _TARGET_INFO)]


_CALLS: dict[str, Callable[[Engine, _Query, Call, int], Value]] = {
    "info": _info,
    "label_replace": _label_replace,
    "label_join": _label_join,
    "timestamp": _timestamp,
    "vector": _vector_fn,
    "scalar": _scalar_fn,
    "absent": _absent,
    "clamp": _clamp,
    "clamp_min": _clamp,
    "clamp_max": _clamp,
    "round": _round,
    "sort": _sort,
    "sort_desc": _sort,
    "sort_by_label": _sort,
    "sort_by_label_desc": _sort,
    "min_of": _min_max_of,
    "max_of": _min_max_of,
    "histogram_quantile": _histogram_quantile,
    "histogram_fraction": _histogram_fraction,
    "histogram_quantiles": _histogram_quantiles,
    "pi": _constant(lambda q, t: math.pi),
    "time": _constant(lambda q, t: t / 1000),
    "start": _constant(lambda q, t: q.start / 1000),
    "end": _constant(lambda q, t: q.end / 1000),
    "range": _constant(lambda q, t: (q.end - q.start) / 1000),
    "step": _constant(lambda q, t: q.step / 1000),
}
