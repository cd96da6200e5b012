"""The engine's API around the evaluation: storage, compile errors, query types, helpers."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis.engine.compile import compile_expr
from obsctl.analysis.engine.evaluator import Engine, EvalError, Matrix, Vector
from obsctl.analysis.engine.plan import compile_regex
from obsctl.analysis.engine.storage import Storage
from obsctl.analysis.engine.xxhash import labels_hash, xxh64
from obsctl.model.promql_ast import re2_to_python
from obsctl.parsers.promql_parser import parse_expr


def _engine() -> Engine:
    st = Storage()
    for i in range(10):
        st.add((("__name__", "x"), ("i", "a")), i * 60_000, float(i))
    st.add((("__name__", "x"), ("i", "b")), 0, 5.0)
    return Engine(st)


def _plan(q: str, step_ms: int = 0, range_ms: int = 0):  # type: ignore[no-untyped-def]
    return compile_expr(parse_expr(q), q, step_ms=step_ms, range_ms=range_ms)


def test_storage_keeps_time_order_and_replaces_duplicates() -> None:
    st = Storage()
    lbls = (("__name__", "x"),)
    for t, v in ((2000, 2.0), (0, 0.0), (1000, 1.0), (1000, 1.5)):
        st.add(lbls, t, v)
    (s,) = list(st)
    assert s.ts == [0, 1000, 2000]
    assert s.vals == [0.0, 1.5, 2.0]
    assert s.at(2500, 300_000) == (2000, 2.0)
    assert s.window(0, 2000) == ([1000, 2000], [1.5, 2.0])  # left-open


def test_stale_marker_ends_the_series_for_instant_selectors() -> None:
    st = Storage()
    lbls = (("__name__", "x"),)
    st.add(lbls, 0, 1.0)
    st.add(lbls, 60_000, math.nan, stale=True)
    eng = Engine(st)
    assert len(eng.instant(_plan("x"), 30_000).value) == 1  # type: ignore[arg-type]
    assert eng.instant(_plan("x"), 90_000).value == Vector()


def test_lookback_is_five_minutes() -> None:
    eng = _engine()
    res = eng.instant(_plan('x{i="b"}'), 299_999).value
    assert isinstance(res, Vector) and [s.v for s in res] == [5.0]
    assert eng.instant(_plan('x{i="b"}'), 300_000).value == Vector()


def test_range_query_merges_steps_into_sorted_series() -> None:
    res = _engine().range(_plan("x", 60_000, 120_000), 0, 120_000, 60_000).value
    assert isinstance(res, Matrix)
    assert [dict(s.labels)["i"] for s in res] == ["a", "b"]
    assert res[0].ts == [0, 60_000, 120_000]
    assert res[1].vals == [5.0, 5.0, 5.0]


def test_range_query_of_a_range_vector_is_an_error() -> None:
    with pytest.raises(EvalError, match='invalid expression type "range vector"'):
        _engine().range(_plan("x[5m]"), 0, 60_000, 60_000)


def test_duration_expression_errors() -> None:
    with pytest.raises(EvalError, match="division by zero"):
        _plan("x[1m / step()]", step_ms=0)
    with pytest.raises(EvalError, match="duration must be greater than 0"):
        _plan("x[step()]", step_ms=0)


def test_annotations_carry_positions() -> None:
    res = _engine().instant(_plan("sum(rate(x[5m]))"), 540_000)
    assert res.annotations.infos == [
        "PromQL info: metric might not be a counter, name does not end in "
        '_total/_sum/_count/_bucket: "x" (1:10)'
    ]


@pytest.mark.parametrize(
    ("re2", "py"),
    [
        ("(?i)abc", "(?i:abc)"),
        ("a((?i)b)c", "a((?i:b))c"),
        ("x(?i)a|b", "x(?i:a)|(?i:b)"),
        (r"a\z", r"a\Z"),
        ("[]a]", r"[\]a]"),
    ],
)
def test_re2_constructs_translate(re2: str, py: str) -> None:
    assert re2_to_python(re2) == py
    compile_regex(re2)


def test_xxhash_matches_reference_vectors() -> None:
    assert xxh64(b"") == 0xEF46DB3751D8E999
    assert xxh64(b"abc") == 0x44BC2CF5AD770999
    assert xxh64(b"Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1
    assert labels_hash((("a", "b"),)) == xxh64(b"a\xffb\xff")


def test_runaway_queries_fail_instead_of_running_for_hours() -> None:
    with pytest.raises(EvalError, match="subquery has more than 1000000 steps"):
        _engine().instant(_plan("max_over_time(x[10y:1ms])"), 0)
    with pytest.raises(EvalError, match="range query has more than 1000000 steps"):
        _engine().range(_plan("x"), 0, 10**10, 1)
