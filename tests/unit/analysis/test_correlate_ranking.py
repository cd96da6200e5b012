"""Candidate de-duplication, ranking with fallbacks, bottleneck and baseline arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.analysis.correlate import (
    bottleneck_summary,
    exemplar_candidates,
    find_root,
    merge_candidates,
    preliminary_order,
    rank_traces,
    slower_operations,
    trace_facts,
    trace_id_from_labels,
    window_of,
)
from obsctl.model.alerts import AlertWindow, make_labels
from obsctl.model.correlation import (
    Candidate,
    LatencySource,
    PathShare,
    RankBy,
    TraceExemplar,
    TraceFacts,
)
from obsctl.model.traces import Span, SpanKind, StatusCode, Trace

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MS = 1_000_000


def tid(n: int) -> str:
    return f"{n:032x}"


def test_trace_ids_from_every_label_spelling_normalise_to_one() -> None:
    spellings = [
        {"trace_id": "0000000000000000000000000000ABCD"},
        {"traceID": "abcd"},
        {"trace-id": "ABCD"},
        {"trace.id": "00abcd"},
    ]
    assert {trace_id_from_labels(x) for x in spellings} == {tid(0xABCD)}
    assert trace_id_from_labels({"trace_id": "not-hex!"}) is None


def test_dedup_across_exemplars_search_and_labelled_series() -> None:
    ex = exemplar_candidates(
        [
            TraceExemplar(tid(1), NOW, 0.7, make_labels({"le": "1"}), latency_ns=700 * MS),
            TraceExemplar(
                tid(1), NOW + timedelta(seconds=5), 0.9, make_labels({"le": "1"}), 900 * MS
            ),
            TraceExemplar(tid(2), NOW, 0.3, make_labels({"le": "0.5"}), 300 * MS),
        ]
    )
    hits = [
        Candidate(
            tid(1),
            "search:tempo",
            time=NOW - timedelta(seconds=1),
            search_duration_ns=950 * MS,
            error_count=2,
            root_service="checkout",
            root_name="POST /checkout",
        ),
        Candidate(tid(3), "metric_label", time=NOW),
    ]
    merged = merge_candidates([(0, c) for c in ex] + [(1, hits[0]), (0, hits[1])])
    assert [
        (
            m.trace_id,
            m.window,
            m.sources,
            m.time,
            m.exemplar_latency_ns,
            m.search_duration_ns,
            m.error_count,
            m.root_service,
            m.evidence,
        )
        for m in merged
    ] == [
        (
            tid(1),
            0,
            ("exemplar", "search:tempo"),
            NOW - timedelta(seconds=1),
            900 * MS,
            950 * MS,
            2,
            "checkout",
            3,
        ),
        (tid(2), 0, ("exemplar",), NOW, 300 * MS, None, None, None, 1),
        (tid(3), 0, ("metric_label",), NOW, None, None, None, None, 1),
    ]


def test_window_of_requires_time_and_consistent_labels() -> None:
    windows = [
        AlertWindow(NOW, NOW + timedelta(minutes=5), make_labels({"service": "a"})),
        AlertWindow(NOW, NOW + timedelta(minutes=5), make_labels({"service": "b"})),
    ]
    b_series = make_labels({"service": "b", "le": "1"})
    assert window_of(NOW + timedelta(minutes=1), b_series, windows) == 1
    assert window_of(NOW + timedelta(minutes=6), b_series, windows) is None
    assert window_of(NOW, make_labels({"le": "1"}), windows) == 0
    assert window_of(None, (), windows) is None


def span(
    sid: int,
    parent: int | None,
    name: str,
    service: str,
    start_ms: int,
    end_ms: int,
    *,
    trace: int = 1,
    error: bool = False,
) -> Span:
    base = 1_764_064_800_000 * MS
    return Span(
        trace_id=tid(trace),
        span_id=f"{sid:016x}",
        parent_span_id=f"{parent:016x}" if parent is not None else None,
        name=name,
        service=service,
        kind=SpanKind.SERVER,
        start_ns=base + start_ms * MS,
        end_ns=base + end_ms * MS,
        status_code=StatusCode.ERROR if error else StatusCode.UNSET,
    )


def test_trace_facts_root_latency_extent_errors_and_critical_path() -> None:
    # Root 0-100 ms; db 10-80 ms (error); async tail 90-300 ms outlives the request.
    trace = Trace(
        tid(1),
        (
            span(1, None, "POST /checkout", "checkout", 0, 100),
            span(2, 1, "SELECT orders", "payments-db", 10, 80, error=True),
            span(3, 1, "publish", "checkout", 90, 300),
        ),
    )
    assert find_root(trace) == f"{1:016x}"
    cp = {f"{1:016x}": 30 * MS, f"{2:016x}": 70 * MS}
    facts = trace_facts(trace, cp)
    assert facts.root_duration_ns == 100 * MS
    assert facts.extent_ns == 300 * MS
    assert facts.error_count == 1
    assert facts.error_spans == (("payments-db", "SELECT orders"),)
    assert facts.span_count == 3
    # Error spans as the trace analysis found them (e.g. an HTTP 5xx without ERROR status).
    by_analysis = trace_facts(trace, cp, error_span_keys=[f"{3:016x}", f"{1:016x}"])
    assert by_analysis.error_spans == (
        ("checkout", "publish"),
        ("checkout", "POST /checkout"),
    )
    assert by_analysis.error_count == 2
    assert facts.critical_path == (
        PathShare("payments-db", "SELECT orders", 70 * MS),
        PathShare("checkout", "POST /checkout", 30 * MS),
    )
    assert facts.bottleneck == PathShare("payments-db", "SELECT orders", 70 * MS)


def facts(
    n: int,
    latency_ms: int,
    cp: list[tuple[str, str, int]],
    *,
    errors: int = 0,
    extent_ms: int | None = None,
) -> TraceFacts:
    return TraceFacts(
        trace_id=tid(n),
        start=NOW,
        root_service="checkout",
        root_name="POST /checkout",
        root_duration_ns=latency_ms * MS,
        extent_ns=(extent_ms or latency_ms) * MS,
        span_count=3,
        error_count=errors,
        critical_path=tuple(
            PathShare(s, o, ms * MS) for s, o, ms in sorted(cp, key=lambda x: (-x[2], x[0], x[1]))
        ),
    )


def cand(
    n: int,
    *,
    search_ms: int | None = None,
    exemplar_ms: int | None = None,
    errors: int | None = None,
):
    return merge_candidates(
        [
            (
                0,
                Candidate(
                    tid(n),
                    "exemplar" if exemplar_ms is not None else "search:tempo",
                    time=NOW,
                    latency_ns=exemplar_ms * MS if exemplar_ms is not None else None,
                    search_duration_ns=search_ms * MS if search_ms is not None else None,
                    error_count=errors,
                ),
            )
        ]
    )[0]


def test_rank_by_latency_uses_root_span_then_search_then_exemplar() -> None:
    cands = [
        cand(1, exemplar_ms=2000),  # fetched: root span 500 ms beats the exemplar value
        cand(2, search_ms=800),  # not found: search duration
        cand(3, exemplar_ms=650),  # not found, only an exemplar
        cand(4, search_ms=100),  # fetched: 1200 ms root span (async tail extent 5 s)
        cand(5),  # nothing known
    ]
    fetched = {
        tid(1): facts(1, 500, [("db", "SELECT", 400), ("checkout", "POST", 100)]),
        tid(4): facts(4, 1200, [("db", "SELECT", 300), ("pay", "charge", 900)], extent_ms=5000),
    }
    ranked = rank_traces(cands, fetched, notes={tid(2): "not found", tid(3): "not found"})
    assert [(r.rank, r.trace_id, r.latency_ns, r.latency_source, r.found) for r in ranked] == [
        (1, tid(4), 1200 * MS, LatencySource.ROOT_SPAN, True),
        (2, tid(2), 800 * MS, LatencySource.SEARCH, False),
        (3, tid(3), 650 * MS, LatencySource.EXEMPLAR, False),
        (4, tid(1), 500 * MS, LatencySource.ROOT_SPAN, True),
        (5, tid(5), None, None, False),
    ]
    assert ranked[0].extent_ns == 5000 * MS
    assert ranked[0].bottleneck == PathShare("pay", "charge", 900 * MS)
    assert ranked[0].bottleneck_share == pytest.approx(0.75)
    assert ranked[1].note == "not found"
    assert ranked[4].note == "not fetched"


def test_rank_by_errors_and_extent() -> None:
    cands = [
        cand(1, search_ms=300, errors=0),
        cand(2, search_ms=200, errors=3),
        cand(3, search_ms=900, errors=3),
    ]
    by_errors = rank_traces(cands, {}, rank_by=RankBy.ERRORS)
    assert [r.trace_id for r in by_errors] == [tid(3), tid(2), tid(1)]
    fetched = {tid(1): facts(1, 300, [], extent_ms=4000)}
    by_extent = rank_traces(cands, fetched, rank_by=RankBy.EXTENT)
    assert [(r.trace_id, r.extent_ns) for r in by_extent] == [
        (tid(1), 4000 * MS),
        (tid(3), 900 * MS),
        (tid(2), 200 * MS),
    ]


def test_preliminary_order_without_fetching() -> None:
    cands = [cand(1, exemplar_ms=700), cand(2, search_ms=600), cand(3), cand(4, exemplar_ms=900)]
    assert [c.trace_id for c in preliminary_order(cands, RankBy.LATENCY)] == [
        tid(4),
        tid(1),
        tid(2),
        tid(3),
    ]


def test_bottleneck_summary_arithmetic() -> None:
    # Critical-path totals: 100 + 200 + 100 = 400 ms; db SELECT has 70 + 150 + 20 = 240 ms.
    fs = [
        facts(1, 100, [("payments-db", "SELECT orders", 70), ("checkout", "POST", 30)]),
        facts(2, 200, [("payments-db", "SELECT orders", 150), ("checkout", "POST", 50)]),
        facts(3, 100, [("cache", "GET", 80), ("payments-db", "SELECT orders", 20)]),
    ]
    summary = bottleneck_summary(fs)
    assert [
        (
            b.service,
            b.operation,
            b.critical_path_ns,
            b.traces_dominant,
            b.traces_on_path,
            b.traces_total,
        )
        for b in summary
    ] == [
        ("payments-db", "SELECT orders", 240 * MS, 2, 3, 3),
        ("cache", "GET", 80 * MS, 1, 1, 3),
        ("checkout", "POST", 80 * MS, 0, 2, 3),
    ]
    assert [b.share for b in summary] == [0.6, 0.2, 0.2]
    assert bottleneck_summary([]) == []


def test_slower_operations_compare_medians_with_the_baseline() -> None:
    def with_spans(n: int, spans_: list[tuple[str, str, int]]) -> TraceFacts:
        f = facts(n, 100, [])
        return TraceFacts(
            **{
                **{s: getattr(f, s) for s in f.__slots__},
                "span_durations": tuple((s, o, d * MS) for s, o, d in spans_),
            }
        )

    incident = [
        with_spans(1, [("db", "SELECT", 300), ("api", "GET", 12)]),
        with_spans(2, [("db", "SELECT", 500), ("api", "GET", 10)]),
        with_spans(3, [("db", "SELECT", 400), ("new", "only", 50)]),
    ]
    baseline = [
        with_spans(4, [("db", "SELECT", 40), ("api", "GET", 10)]),
        with_spans(5, [("db", "SELECT", 60), ("api", "GET", 10)]),
    ]
    slower = slower_operations(incident, baseline)
    # db: median 400 vs 50 → +350 ms, 8×. api: 11 vs 10 is +1 ms but only 1.1× → not reported.
    assert [
        (
            s.service,
            s.operation,
            s.baseline_ns,
            s.incident_ns,
            s.delta_ns,
            s.ratio,
            s.baseline_spans,
            s.incident_spans,
        )
        for s in slower
    ] == [("db", "SELECT", 50 * MS, 400 * MS, 350 * MS, 8.0, 2, 3)]
