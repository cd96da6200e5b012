"""Fake sources for the dashboard: canned answers or errors, and a record of every call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from obsctl.analysis.traces import analyze_trace
from obsctl.errors import ObsctlError
from obsctl.model.alerts import AlertRow, AlertWindow
from obsctl.model.correlation import CorrelationResult, LatencySource, PathShare, RankedTrace
from obsctl.model.doctor import PipelineReport
from obsctl.model.logs import LogRecord
from obsctl.model.metrics import QueryResult, Series, float_array
from obsctl.model.time import TimeRange
from obsctl.model.trace_analysis import TraceAnalysis
from obsctl.model.traces import (
    Span,
    SpanEvent,
    SpanKind,
    StatusCode,
    Trace,
    TraceSearch,
    TraceSummary,
)

NOW = datetime(2026, 11, 25, 3, 0, 0, tzinfo=UTC)
"""The frozen clock of every TUI test."""


def fixed_clock() -> datetime:
    return NOW


def series(labels: Mapping[str, str], values: Sequence[float], *, step: float = 15.0) -> Series:
    """A range series ending at ``NOW``, one sample every ``step`` seconds."""
    end = NOW.timestamp()
    times = [end - step * (len(values) - 1 - i) for i in range(len(values))]
    return Series(dict(labels), float_array(times), float_array(values))


def levels(*values: float, points: int = 121) -> list[float]:
    """``points`` samples (30 minutes at 15 s) going through ``values`` in equal stretches."""
    return [values[i * len(values) // points] for i in range(points)]


def matrix(*items: Series) -> QueryResult:
    return QueryResult("matrix", list(items))


class FakeMetrics:
    """``QueryPanelSource`` answering from ``answers`` (a QueryResult, or an error to raise)."""

    label = "Prometheus"

    def __init__(
        self,
        answers: dict[str, QueryResult | ObsctlError],
        *,
        default: QueryResult | None = None,
    ) -> None:
        self.answers = answers
        self.default = default
        """The answer to an expression not in ``answers`` (``None``: a KeyError)."""
        self.calls: list[tuple[str, datetime, datetime, timedelta]] = []
        self.closed = False
        self.known_names = ["http_request_duration_seconds_bucket", "http_requests_total", "up"]
        self.pipeline_report: PipelineReport | ObsctlError = PipelineReport("15m")

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        self.calls.append((expr, start, end, step))
        answer = (
            self.answers[expr] if self.default is None else self.answers.get(expr, self.default)
        )
        if isinstance(answer, ObsctlError):
            raise answer
        return answer

    async def names(self) -> list[str]:
        return sorted(self.known_names)

    async def pipeline(self) -> PipelineReport:
        if isinstance(self.pipeline_report, ObsctlError):
            raise self.pipeline_report
        return self.pipeline_report

    async def aclose(self) -> None:
        self.closed = True


class FakeAlerts:
    """``AlertPanelSource`` answering ``answer`` (a list of alerts, or an error to raise)."""

    label = "Alertmanager"

    def __init__(
        self,
        answer: Sequence[AlertRow] | ObsctlError,
        *,
        configured: bool = True,
        url: str = "http://am.example:9093",
    ) -> None:
        self.answer = answer
        self.configured = configured
        self.url = url
        self.calls = 0
        self.closed = False

    async def active_alerts(self) -> Sequence[AlertRow]:
        self.calls += 1
        if isinstance(self.answer, ObsctlError):
            raise self.answer
        return self.answer

    async def aclose(self) -> None:
        self.closed = True


def alert(
    name: str,
    severity: str,
    age: timedelta,
    summary: str,
    **labels: str,
) -> AlertRow:
    return AlertRow(
        name=name,
        severity=severity,
        state="active",
        starts_at=NOW - age,
        summary=summary,
        labels={"alertname": name, "severity": severity, **labels},
        annotations={"summary": summary, "runbook_url": f"https://runbooks.example/{name}"},
        fingerprint=f"fp-{name.lower()}",
        receivers=("pager",),
    )


UP = matrix(
    series({"__name__": "up", "job": "api", "instance": "api-1:8080"}, levels(1)),
    series({"__name__": "up", "job": "api", "instance": "api-2:8080"}, levels(1, 0, 0)),
    # Scraped for the last ten minutes only.
    series({"__name__": "up", "job": "db", "instance": "db-1:9187"}, levels(1, points=41)),
)
DOWN = matrix(series({"job": "api"}, levels(0, 1, 1)))
ALERTS = [
    alert(
        "TargetDown",
        "critical",
        timedelta(minutes=42),
        "api-2:8080 has been down for 1m",
        job="api",
    ),
    alert(
        "DiskAlmostFull",
        "warning",
        timedelta(hours=3, minutes=5),
        "Disk /var is 91% full",
        instance="db-1",
    ),
]


# ----------------------------------------------------------------------------- incidents

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
_T0 = int(NOW.timestamp() * 1e9) - 600 * 10**9
_MS = 10**6


def _span(
    span_id: str, parent: str | None, service: str, name: str, start: int, end: int, **extra: Any
) -> Span:
    return Span(
        trace_id=TRACE_ID,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        service=service,
        kind=SpanKind.SERVER,
        start_ns=_T0 + start * _MS,
        end_ns=_T0 + end * _MS,
        **extra,
    )


TRACE = Trace(
    TRACE_ID,
    (
        _span("a" * 16, None, "frontend", "GET /checkout", 0, 1200),
        _span("b" * 16, "a" * 16, "checkout", "PlaceOrder", 10, 1190),
        _span(
            "c" * 16,
            "b" * 16,
            "postgres",
            "SELECT orders",
            20,
            950,
            attributes=(("db.statement", "SELECT * FROM orders"), ("db.rows", 12)),
            events=(SpanEvent(_T0 + 900 * _MS, "slow query", (("threshold_ms", 500),)),),
        ),
        _span(
            "d" * 16,
            "b" * 16,
            "payments",
            "Charge",
            960,
            1180,
            status_code=StatusCode.ERROR,
            status_message="card declined",
        ),
    ),
)


LOGS = [
    LogRecord(
        time_ns=_T0 + 880 * _MS,
        service="postgres",
        severity_number=13,
        severity_text="WARN",
        body="slow query:\n  930 ms on orders",
        trace_id=TRACE_ID,
        span_id="c" * 16,
        attributes=(("db.table", "orders"),),
    ),
    LogRecord(
        time_ns=_T0 + 1170 * _MS,
        service="payments",
        severity_number=17,
        severity_text="ERROR",
        body="card declined by issuer",
        trace_id=TRACE_ID,
        span_id="d" * 16,
    ),
]
"""The fake trace's log lines (a local store's OTLP logs): one under the database span, an
error under the payment."""


def correlation(alert_name: str = "TargetDown") -> CorrelationResult:
    """What correlate answers for the fake incident: two ranked traces."""
    window = AlertWindow(NOW - timedelta(minutes=42), NOW, (("job", "api"),))
    first = RankedTrace(
        rank=1,
        trace_id=TRACE_ID,
        window=0,
        sources=("exemplar",),
        found=True,
        latency_ns=1200 * _MS,
        latency_source=LatencySource.ROOT_SPAN,
        extent_ns=1200 * _MS,
        error_count=1,
        start=NOW - timedelta(minutes=10),
        root_service="frontend",
        root_name="GET /checkout",
        bottleneck=PathShare("postgres", "SELECT orders", 930 * _MS),
        bottleneck_share=0.78,
    )
    second = RankedTrace(
        rank=2,
        trace_id="0" * 31 + "7",
        window=0,
        sources=("tempo",),
        found=False,
        latency_ns=800 * _MS,
        latency_source=LatencySource.SEARCH,
        extent_ns=None,
        error_count=None,
        start=None,
        root_service=None,
        root_name=None,
        note="not found (expired or sampled out?)",
    )
    return CorrelationResult(
        alert=alert_name,
        range=TimeRange(NOW - timedelta(minutes=30), NOW),
        windows=(window,),
        traces=(first, second),
        bottlenecks=(),
    )


class FakeIncidents:
    """``IncidentSource``: canned correlate/trace answers; ``gate`` holds correlate until set."""

    def __init__(self, *, error: ObsctlError | None = None) -> None:
        self.error = error
        self.gate: asyncio.Event | None = None
        self.stream_gate: asyncio.Event | None = None
        """Set: correlate streams its ranked traces, then waits for it before it ends."""
        self.correlated: list[tuple[str, datetime, datetime]] = []
        self.traces: list[str] = []
        self.silences: list[tuple[AlertRow, timedelta, str, datetime]] = []
        self.searches: list[TraceSearch] = []
        """``errors`` of each search."""
        self.recent: list[TraceSummary] = list(RECENT)
        """What the trace search answers (a test adds to it: traces arriving)."""
        self.local_store = False
        """Whether the search reads the local store (the traces view can go live)."""
        self.log_records: list[LogRecord] | None = list(LOGS)
        """What ``logs`` answers (``None``: no log source)."""
        self.logs_asked: list[str] = []

    async def correlate(
        self,
        alert: AlertRow,
        start: datetime,
        end: datetime,
        note: Callable[[str], None],
        ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
    ) -> CorrelationResult:
        self.correlated.append((alert.name, start, end))
        note("1 firing window (alertmanager)")
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        result = correlation(alert.name)
        if ranked is not None and self.stream_gate is not None:
            # The missing trace is known first (ranked 1st of 1), then the slow one lands
            # ahead of it; correlate ends only when ``stream_gate`` is set.
            ranked([replace(result.traces[1], rank=1)])
            await asyncio.sleep(0)
            ranked(result.traces)
            await self.stream_gate.wait()
        return result

    async def trace(self, trace_id: str) -> TraceAnalysis:
        self.traces.append(trace_id)
        return analyze_trace(TRACE)

    async def silence(
        self, alert: AlertRow, duration: timedelta, comment: str, now: datetime
    ) -> str:
        self.silences.append((alert, duration, comment, now))
        if self.error is not None:
            raise self.error
        return "5b9c1f0e-silence"

    async def recent_traces(self, search: TraceSearch) -> Sequence[TraceSummary]:
        self.searches.append(search)
        if self.error is not None:
            raise self.error
        return list(self.recent)

    def search_is_live(self) -> bool:
        return self.local_store

    async def logs(self, trace: Trace) -> Sequence[LogRecord] | None:
        self.logs_asked.append(trace.trace_id)
        return self.log_records


RECENT = [
    TraceSummary(
        TRACE_ID,
        "frontend",
        "GET /checkout",
        NOW - timedelta(minutes=1),
        1200 * _MS,
        span_count=4,
        error_count=1,
    ),
    TraceSummary(
        "1" * 32,
        "frontend",
        "GET /",
        NOW - timedelta(minutes=2),
        35 * _MS,
        span_count=2,
        error_count=0,
    ),
    TraceSummary(
        "2" * 32,
        "search",
        "GET /search",
        NOW - timedelta(minutes=3),
        640 * _MS,
        span_count=9,
        error_count=0,
    ),
]
