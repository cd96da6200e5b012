"""The correlate workflow over fake sources: fan-out, skipping, failures, bounded fetching."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from obsctl.analysis.correlate import trace_facts
from obsctl.errors import BackendError, BackendUnreachable, NotFound
from obsctl.model.alerts import ActiveAlert, AlertRule, SeriesPoints, make_labels
from obsctl.model.correlation import RankBy, TraceFacts
from obsctl.model.metrics import SeriesExemplar
from obsctl.model.time import TimeRange
from obsctl.model.traces import Span, SpanKind, Trace, TraceSearch, TraceSummary
from obsctl.workflows.correlate import (
    CorrelateRequest,
    Sources,
    build_search,
    correlate_alert,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
RANGE = TimeRange(NOW - timedelta(hours=1), NOW)
MS = 1_000_000
RULE = AlertRule(
    name="HighLatency",
    expr="histogram_quantile(0.99, sum by (le, service) (rate(req_seconds_bucket[5m]))) > 0.4",
    for_=timedelta(minutes=2),
    labels=make_labels({"severity": "page"}),
    source="rules.yml",
    line=3,
)


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def tid(n: int) -> str:
    return f"{n:032x}"


class FakeMetrics:
    name = "Prometheus"

    def __init__(
        self,
        *,
        expr_series: list[SeriesPoints] | None = None,
        alerts_series: list[SeriesPoints] | None = None,
        exemplars: list[SeriesExemplar] | None = None,
        labelled: list[dict[str, str]] | None = None,
        fail: Exception | None = None,
    ) -> None:
        self.expr_series = expr_series or []
        self.alerts_series = alerts_series or []
        self._exemplars = exemplars or []
        self.labelled = labelled or []
        self.fail = fail
        self.calls: list[tuple[str, str]] = []

    async def range_series(self, expr, start, end, step):
        self.calls.append(("range", expr))
        if self.fail:
            raise self.fail
        return self.alerts_series if expr.startswith("ALERTS") else self.expr_series

    async def exemplars(self, expr, start, end):
        self.calls.append(("exemplars", expr))
        if self.fail:
            raise self.fail
        return [e for e in self._exemplars if start.timestamp() <= e.timestamp <= end.timestamp()]

    async def series_labels(self, matchers, start, end):
        self.calls.append(("series", ",".join(matchers)))
        if self.fail:
            raise self.fail
        return self.labelled


class FakeAM:
    name = "alertmanager"

    def __init__(self, alerts: list[ActiveAlert], fail: Exception | None = None) -> None:
        self.alerts = alerts
        self.fail = fail

    async def active_alerts(self, alertname=None):
        if self.fail:
            raise self.fail
        return [a for a in self.alerts if a.alertname == alertname]


def make_trace(
    n: int, start: datetime, root_ms: int, children: Sequence[tuple[str, str, int]]
) -> Trace:
    base = int(start.timestamp() * 1e9)
    spans = [
        Span(
            tid(n),
            f"{1:016x}",
            None,
            "GET /checkout",
            "checkout",
            SpanKind.SERVER,
            base,
            base + root_ms * MS,
        )
    ]
    offset = base
    for i, (svc, op, d) in enumerate(children, start=2):
        spans.append(
            Span(
                tid(n), f"{i:016x}", f"{1:016x}", op, svc, SpanKind.CLIENT, offset, offset + d * MS
            )
        )
        offset += d * MS
    return Trace(tid(n), tuple(spans))


def simple_analyze(trace: Trace) -> TraceFacts:
    """Sequential children: each owns its duration on the path; the root owns the rest."""
    root = trace.spans[0]
    children = trace.spans[1:]
    cp = {s.span_id: s.duration_ns for s in children}
    cp[root.span_id] = root.duration_ns - sum(cp.values())
    return trace_facts(trace, cp)


class FakeTraces:
    def __init__(
        self,
        name: str,
        traces: dict[str, Trace],
        hits: dict[str, list[TraceSummary]] | None = None,
        *,
        delay: float = 0.0,
        search_fail: Exception | None = None,
    ) -> None:
        self.name = name
        self.traces = traces
        self.hits = hits or {}
        self.delay = delay
        self.search_fail = search_fail
        self.searches: list[TraceSearch] = []
        self.fetched: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def fetch_trace(self, trace_id):
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            self.fetched.append(trace_id)
            if trace_id not in self.traces:
                raise NotFound(f"trace {trace_id} not found")
            return self.traces[trace_id]
        finally:
            self.in_flight -= 1

    async def search(self, query):
        self.searches.append(query)
        if self.search_fail:
            raise self.search_fail
        key = "baseline" if query.end <= T_FIRE + timedelta(minutes=1) else "incident"
        return self.hits.get(key, [])


def req(**kw) -> CorrelateRequest:
    base = {"alert": "HighLatency", "range": RANGE, "now": NOW, "rule": RULE, "limit": 10}
    base.update(kw)
    return CorrelateRequest(**base)


def grid(start: datetime, minutes: int, **labels: str) -> SeriesPoints:
    # 15 s steps from `start`, for `minutes` minutes.
    t0 = ms(start)
    return SeriesPoints(
        make_labels(labels), tuple((t0 + i * 15_000, 0.9) for i in range(minutes * 4))
    )


async def run(
    r: CorrelateRequest,
    sources: Sources,
    notes: list[str] | None = None,
    progress: list[str] | None = None,
):
    sink = notes if notes is not None else []
    steps = progress if progress is not None else []
    return await correlate_alert(
        r, sources, analyze=simple_analyze, note=sink.append, progress=steps.append
    )


T_FIRE = NOW - timedelta(minutes=30)  # condition true from here for 10 minutes


async def test_rule_windows_exemplars_and_search_rank_and_explain() -> None:
    t1 = make_trace(
        1, T_FIRE + timedelta(minutes=3), 900, [("db", "SELECT", 700), ("cache", "GET", 50)]
    )
    t2 = make_trace(
        2, T_FIRE + timedelta(minutes=4), 600, [("db", "SELECT", 300), ("cache", "GET", 200)]
    )
    base_t = make_trace(
        9, T_FIRE - timedelta(minutes=8), 120, [("db", "SELECT", 40), ("cache", "GET", 45)]
    )
    metrics = FakeMetrics(
        expr_series=[grid(T_FIRE, 10, service="checkout")],
        exemplars=[
            SeriesExemplar(
                {"__name__": "req_seconds_bucket", "service": "checkout", "le": "1"},
                {"trace_id": tid(1)},
                0.95,
                (T_FIRE + timedelta(minutes=3)).timestamp(),
            ),
            # The same trace under another label spelling, shorter ID form.
            SeriesExemplar(
                {"__name__": "req_seconds_bucket", "service": "checkout", "le": "1"},
                {"traceID": "1"},
                0.91,
                (T_FIRE + timedelta(minutes=3, seconds=5)).timestamp(),
            ),
            # Another service's series: not this alert instance.
            SeriesExemplar(
                {"__name__": "req_seconds_bucket", "service": "other", "le": "1"},
                {"trace_id": tid(7)},
                2.0,
                (T_FIRE + timedelta(minutes=3)).timestamp(),
            ),
            # Outside every window.
            SeriesExemplar(
                {"__name__": "req_seconds_bucket", "service": "checkout", "le": "1"},
                {"trace_id": tid(8)},
                2.0,
                (NOW - timedelta(minutes=55)).timestamp(),
            ),
        ],
    )
    tempo = FakeTraces(
        "tempo",
        {tid(1): t1, tid(2): t2, tid(9): base_t},
        {
            "incident": [
                TraceSummary(
                    tid(2),
                    "checkout",
                    "GET /checkout",
                    T_FIRE + timedelta(minutes=4),
                    600 * MS,
                    error_count=1,
                ),
                TraceSummary(
                    tid(3), "checkout", "GET /checkout", T_FIRE + timedelta(minutes=5), 1500 * MS
                ),
            ],
            "baseline": [
                TraceSummary(
                    tid(9), "checkout", "GET /checkout", T_FIRE - timedelta(minutes=8), 120 * MS
                )
            ],
        },
    )
    notes: list[str] = []
    steps: list[str] = []
    res = await run(req(), Sources(metrics=metrics, traces=[tempo]), notes, steps)
    fetched = [s for s in steps if s.startswith("fetching traces")]
    assert steps[:2] == [
        "finding when HighLatency fired…",
        "looking for traces behind 1 firing window(s)…",
    ]
    total = int(fetched[0].split("/")[1].rstrip("…"))
    assert fetched == [f"fetching traces {i}/{total}…" for i in range(total + 1)]
    # for=2m: fires 2 minutes after the condition starts; resolves when it stops; +1m slack.
    assert [(w.start, w.end, w.labels) for w in res.windows] == [
        (
            T_FIRE + timedelta(minutes=1),
            T_FIRE + timedelta(minutes=11),
            (("service", "checkout"), ("severity", "page")),
        )
    ]
    assert res.windows[0].pending_since == T_FIRE
    assert [(t.trace_id, t.latency_ns, t.found, t.sources) for t in res.traces] == [
        (tid(3), 1500 * MS, False, ("search:tempo",)),
        (tid(1), 900 * MS, True, ("exemplar",)),
        (tid(2), 600 * MS, True, ("search:tempo",)),
    ]
    assert res.traces[0].note == "not found (expired or sampled out?)"
    assert res.candidates == 3
    # Tempo got TraceQL with the alert's service and the rule's 400 ms threshold.
    incident_search = tempo.searches[0]
    assert incident_search.traceql == '{ resource.service.name = "checkout" && duration > 400ms }'
    assert (incident_search.start, incident_search.end) == (
        res.windows[0].start,
        res.windows[0].end,
    )
    # Bottlenecks: db SELECT 700 + 300 of 1500 ms of critical path.
    b = res.bottlenecks[0]
    assert (b.service, b.operation, b.critical_path_ns, b.traces_dominant) == (
        "db",
        "SELECT",
        1000 * MS,
        2,
    )
    assert b.share == pytest.approx(1000 / 1500)
    # Baseline: the 10 minutes before the window. Medians: root 120 → 750 ms (900, 600),
    # db SELECT 40 → 500 ms (700, 300), cache GET 45 → 125 ms (50, 200).
    assert res.baseline == TimeRange(T_FIRE - timedelta(minutes=9), T_FIRE + timedelta(minutes=1))
    assert res.baseline_traces == 1
    assert [(s.service, s.operation, s.baseline_ns, s.incident_ns) for s in res.slower] == [
        ("checkout", "GET /checkout", 120 * MS, 750 * MS),
        ("db", "SELECT", 40 * MS, 500 * MS),
        ("cache", "GET", 45 * MS, 125 * MS),
    ]
    assert "1 of 3 traces could not be fetched; ranked with what is known" in notes


async def test_never_fired_is_not_found_with_the_range() -> None:
    metrics = FakeMetrics(expr_series=[grid(T_FIRE, 1, service="a")])  # 1 min < for: 2m
    with pytest.raises(NotFound) as info:
        await run(req(), Sources(metrics=metrics, alertmanager=FakeAM([]), traces=[]))
    assert str(info.value) == (
        "alert HighLatency never fired between 2026-11-25T09:00:00Z and 2026-11-25T10:00:00Z"
    )
    assert info.value.hint is not None
    assert "went pending 1 time(s) but never for the rule's `for` (2m)" in info.value.hint


async def test_window_sources_all_unreachable_is_exit_3_one_failing_is_a_note() -> None:
    down = BackendUnreachable("cannot connect to Prometheus at http://x: connection refused")
    with pytest.raises(BackendUnreachable):
        await run(
            req(), Sources(metrics=FakeMetrics(fail=down), alertmanager=FakeAM([], fail=down))
        )
    am = FakeAM(
        [
            ActiveAlert(
                make_labels({"alertname": "HighLatency", "service": "checkout"}),
                (),
                T_FIRE,
                NOW + timedelta(minutes=3),
                None,
                "f",
                "active",
            ),
        ]
    )
    tempo = FakeTraces("tempo", {})
    notes: list[str] = []
    res = await run(
        req(rule=None),
        Sources(metrics=FakeMetrics(fail=down), alertmanager=am, traces=[tempo]),
        notes,
    )
    assert [(w.start, w.end, w.open) for w in res.windows] == [
        (T_FIRE - timedelta(minutes=1), NOW, True)
    ]
    assert (
        notes[0]
        == "skipped ALERTS series: cannot connect to Prometheus at http://x: connection refused"
    )
    # Without a rule there is no expression: Tempo searches the service, no threshold.
    assert tempo.searches[0].traceql == '{ resource.service.name = "checkout" }'


async def test_trace_sources_all_failing_is_a_backend_error() -> None:
    bad = BackendError("Tempo answered HTTP 500 for search")
    tempo = FakeTraces("tempo", {}, search_fail=bad)
    with pytest.raises(BackendError) as info:
        await run(req(rule=None, manual=((T_FIRE, NOW),)), Sources(metrics=None, traces=[tempo]))
    assert str(info.value) == "no trace source worked: Tempo answered HTTP 500 for search"


async def test_fetching_is_bounded_and_concurrent() -> None:
    traces = {tid(i): make_trace(i, T_FIRE, 100 + i, [("db", "q", 50)]) for i in range(1, 41)}
    hits = [TraceSummary(tid(i), "checkout", "GET", T_FIRE, (100 + i) * MS) for i in range(1, 41)]
    tempo = FakeTraces("tempo", traces, {"incident": hits}, delay=0.05)
    started = asyncio.get_running_loop().time()
    res = await run(
        req(
            rule=None,
            manual=((T_FIRE, T_FIRE + timedelta(minutes=10)),),
            limit=40,
            concurrency=8,
            compare_baseline=False,
        ),
        Sources(traces=[tempo]),
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert tempo.max_in_flight == 8
    assert len(tempo.fetched) == 40
    assert elapsed < 40 * 0.05 / 2  # 5 rounds of 50 ms, far from the 2 s of fetching one by one
    assert [t.rank for t in res.traces][:3] == [1, 2, 3]
    assert res.traces[0].trace_id == tid(40)


async def test_labelled_series_and_rank_by_errors() -> None:
    metrics = FakeMetrics(
        expr_series=[grid(T_FIRE, 10)],
        labelled=[
            {"__name__": "req_seconds_bucket", "trace_id": tid(5), "le": "1"},
            {"__name__": "req_seconds_bucket", "le": "1"},
        ],
    )
    t5 = make_trace(5, T_FIRE + timedelta(minutes=3), 200, [("db", "q", 100)])
    at = T_FIRE + timedelta(minutes=3)
    hits = [
        TraceSummary(tid(6), "c", "GET", at, 900 * MS, error_count=0),
        TraceSummary(tid(7), "c", "GET", at, 100 * MS, error_count=2),
    ]
    tempo = FakeTraces("tempo", {tid(5): t5}, {"incident": hits})
    res = await run(
        req(rank_by=RankBy.ERRORS, compare_baseline=False), Sources(metrics=metrics, traces=[tempo])
    )
    # Errors first (7: 2 errors), then latency among the error-free (6: 900 ms, 5: 200 ms).
    assert [(t.trace_id, t.sources, t.error_count) for t in res.traces] == [
        (tid(7), ("search:tempo",), 2),
        (tid(6), ("search:tempo",), 0),
        (tid(5), ("metric_label",), 0),
    ]
    assert ("series", "req_seconds_bucket") in metrics.calls


@pytest.mark.parametrize(
    ("backend", "traceql"),
    [
        ("tempo", '{ resource.service.name = "a\\"b" && duration > 1s500ms }'),
        ("jaeger", None),
        ("zipkin", None),
    ],
)
def test_search_shapes(backend: str, traceql: str | None) -> None:
    q = build_search(backend, RANGE, service='a"b', min_duration_ns=1500 * MS, limit=20)
    assert (q.service, q.min_duration_ns, q.limit, q.traceql) == ('a"b', 1500 * MS, 20, traceql)
    assert (q.start, q.end) == (RANGE.start, RANGE.end)


async def test_capabilities_from_doctor_skip_sources_with_a_note() -> None:
    metrics = FakeMetrics(expr_series=[grid(T_FIRE, 10)])
    tempo = FakeTraces("tempo", {})
    zipkin = FakeTraces("zipkin", {})
    sources = Sources(
        metrics=metrics,
        traces=[tempo, zipkin],
        exemplars=False,
        no_search={"tempo": "Tempo search API unavailable (obsctl doctor)"},
    )
    notes: list[str] = []
    res = await run(req(compare_baseline=False), sources, notes)
    assert notes[:2] == [
        "skipped exemplars: the metrics server keeps no exemplars (obsctl doctor)",
        "skipped tempo search: Tempo search API unavailable (obsctl doctor)",
    ]
    assert not any(call[0] == "exemplars" for call in metrics.calls)
    assert tempo.searches == []
    assert len(zipkin.searches) == 1
    assert res.traces == ()


async def test_jaeger_search_needs_a_service_label() -> None:
    jaeger = FakeTraces("jaeger", {})
    zipkin = FakeTraces("zipkin", {})
    notes: list[str] = []
    manual = ((T_FIRE, T_FIRE + timedelta(minutes=5)),)
    res = await run(
        req(rule=None, manual=manual, compare_baseline=False),
        Sources(traces=[jaeger, zipkin]),
        notes,
    )
    assert notes[0] == (
        "skipped jaeger search: no window has a service label (service, service_name, job); "
        "see --service-label"
    )
    assert jaeger.searches == []
    assert [(q.service, q.traceql) for q in zipkin.searches] == [(None, None)]
    assert res.sources == ("zipkin search",)


class _StaggeredTraces(FakeTraces):
    """Trace ``n`` takes ``n`` × 10 ms to fetch: they land in ID order, not rank order."""

    async def fetch_trace(self, trace_id):
        await asyncio.sleep(int(trace_id, 16) * 0.01)
        return await super().fetch_trace(trace_id)


async def test_ranked_traces_stream_in_as_they_are_fetched() -> None:
    # Latency grows with the ID, except 5, which is missing: the slowest lands last.
    traces = {tid(i): make_trace(i, T_FIRE, 100 * i, [("db", "q", 50)]) for i in (1, 2, 3, 4)}
    hits = [TraceSummary(tid(i), "checkout", "GET", T_FIRE, 100 * i * MS) for i in range(1, 6)]
    tempo = _StaggeredTraces("tempo", traces, {"incident": hits})
    calls: list[list[tuple[int, str, bool]]] = []
    res = await correlate_alert(
        req(
            rule=None,
            manual=((T_FIRE, T_FIRE + timedelta(minutes=10)),),
            compare_baseline=False,
        ),
        Sources(traces=[tempo]),
        analyze=simple_analyze,
        on_ranked=lambda ranked: calls.append([(t.rank, t.trace_id, t.found) for t in ranked]),
    )
    # One call per fetched trace; each ranks what has arrived so far, slowest first.
    assert [len(c) for c in calls] == [1, 2, 3, 4, 5]
    assert calls[0] == [(1, tid(1), True)]
    assert calls[1] == [(1, tid(2), True), (2, tid(1), True)]
    assert calls[3] == [(1, tid(4), True), (2, tid(3), True), (3, tid(2), True), (4, tid(1), True)]
    # The last call is the result's ranking.
    assert calls[-1] == [(t.rank, t.trace_id, t.found) for t in res.traces]
    assert calls[-1][0] == (1, tid(5), False)  # known from the search only: still first
