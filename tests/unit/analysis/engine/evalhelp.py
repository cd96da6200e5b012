"""Small helpers for evaluator tests: load series in the expanding notation, run a query."""

from __future__ import annotations

import math

from obsctl.analysis.engine.compile import compile_expr
from obsctl.analysis.engine.evaluator import Engine, Matrix, Result, Vector
from obsctl.analysis.engine.labels import fmt
from obsctl.analysis.engine.notation import STALE, parse_series_line
from obsctl.analysis.engine.plan import Node
from obsctl.analysis.engine.storage import Storage
from obsctl.parsers.promql_parser import parse_expr


def load(*lines: str, interval_ms: int = 60_000) -> Storage:
    """Series lines (``x{a="1"} 1+1x5``) with one value every ``interval_ms`` from 0."""
    st = Storage()
    for line in lines:
        lbls, vals = parse_series_line(line)
        for i, v in enumerate(vals):
            if v is None:
                continue
            if v is STALE:
                st.add(lbls, i * interval_ms, math.nan, stale=True)
            else:
                assert isinstance(v, float)
                st.add(lbls, i * interval_ms, v)
    return st


def plan(q: str, step_ms: int = 0, range_ms: int = 0) -> Node:
    return compile_expr(parse_expr(q), q, step_ms=step_ms, range_ms=range_ms)


def instant(st: Storage, q: str, t_s: float = 0) -> Result:
    return Engine(st).instant(plan(q), round(t_s * 1000))


def vec(st: Storage, q: str, t_s: float = 0) -> dict[str, float]:
    """An instant query's vector as ``{printed labels: value}``."""
    v = instant(st, q, t_s).value
    assert isinstance(v, Vector), v
    out = {fmt(s.labels): s.v for s in v}
    assert len(out) == len(v)
    return out


def ordered(st: Storage, q: str, t_s: float = 0) -> list[str]:
    """An instant query's vector as printed label sets, in result order."""
    v = instant(st, q, t_s).value
    assert isinstance(v, Vector), v
    return [fmt(s.labels) for s in v]


def scalar(st: Storage, q: str, t_s: float = 0) -> float:
    v = instant(st, q, t_s).value
    assert isinstance(v, float), v
    return v


def matrix(
    st: Storage, q: str, start_s: float, end_s: float, step_s: float
) -> dict[str, list[tuple[float, float]]]:
    """A range query as ``{printed labels: [(t seconds, value), ...]}``."""
    step = round(step_s * 1000)
    res = (
        Engine(st)
        .range(
            plan(q, step, round((end_s - start_s) * 1000)),
            round(start_s * 1000),
            round(end_s * 1000),
            step,
        )
        .value
    )
    assert isinstance(res, Matrix)
    return {fmt(s.labels): [(t / 1000, v) for t, v in zip(s.ts, s.vals, strict=True)] for s in res}
