"""Every source protocol: the seams the workflows and the TUI program against.

* ``TraceBackend``: a trace store (Tempo, Jaeger, Zipkin …), fetch by ID and search;
  ``backends.registry.open_trace_backend`` opens one, ``backends.trace_http.HttpTraceBackend``
  is the base of the HTTP ones.
* ``MetricsSource`` and ``AlertSource``: what ``correlate`` reads from a Prometheus-compatible
  server and from Alertmanager.
* ``QueryPanelSource`` and ``AlertPanelSource``: what the dashboard (``obsctl tui``) reads.

Plus two helpers the trace backends share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from obsctl.analysis.traces import summarize_trace
from obsctl.errors import UsageError
from obsctl.model.alerts import ActiveAlert, AlertRow, SeriesPoints
from obsctl.model.doctor import PipelineReport
from obsctl.model.logs import LogQuery, LogRecord
from obsctl.model.metrics import QueryResult, SeriesExemplar
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import Trace, TraceSearch, TraceSummary


class TraceBackend(Protocol):
    """A source of traces (Tempo, Jaeger, Zipkin): fetch one by ID, search.

    ``backends.registry.open_trace_backend`` opens one for an endpoint. Implementations never
    print and never read the environment.
    """

    @property
    def name(self) -> str:
        """The backend kind: ``tempo``, ``jaeger``, ``zipkin`` …"""
        ...

    async def fetch(
        self, trace_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> FetchedTrace:
        """The trace with ``trace_id`` (32 lowercase hex) and the raw body it came in;
        ``start``/``end`` narrow the lookup where the backend supports it.

        Raises:
            NotFound: the backend does not know the trace.
            BackendError, BackendUnreachable: as the HTTP layer maps them.
        """
        ...

    async def fetch_trace(self, trace_id: str) -> Trace:
        """The trace with ``trace_id`` (32 lowercase hex).

        Raises:
            NotFound: the backend does not know the trace.
            BackendError, BackendUnreachable: as the HTTP layer maps them.
        """
        ...

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Traces matching ``query``, most recent first."""
        ...


class LogBackend(Protocol):
    """A source of log records (the local store today; Loki would be the next).

    Implementations map their lines into ``LogRecord`` (time, trace and span IDs, service,
    severity number and text, body, attributes) and answer a ``LogQuery``.
    """

    name: str

    async def logs(self, query: LogQuery) -> list[LogRecord]:
        """Records matching ``query``, oldest first, at most ``query.limit``."""
        ...


class MetricsSource(Protocol):
    """What ``correlate`` needs from a Prometheus-compatible server."""

    name: str

    async def range_series(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[SeriesPoints]:
        """A range query's series with integer-millisecond timestamps."""
        ...

    async def exemplars(self, expr: str, start: datetime, end: datetime) -> list[SeriesExemplar]:
        """Exemplars of the series ``expr`` selects."""
        ...

    async def series_labels(
        self, matchers: Sequence[str], start: datetime, end: datetime
    ) -> list[dict[str, str]]:
        """Label sets of the matching series."""
        ...


class AlertSource(Protocol):
    """Alertmanager, as ``correlate`` reads it (active alerts only)."""

    name: str

    async def active_alerts(self, alertname: str | None = None) -> list[ActiveAlert]:
        """Alerts held now."""
        ...


class QueryPanelSource(Protocol):
    """Range queries for the dashboard's query panels."""

    @property
    def label(self) -> str:
        """What the status line calls it (``Prometheus``)."""
        ...

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        """Evaluate ``expr`` over ``[start, end]``; raise ``ObsctlError`` on failure."""
        ...

    async def pipeline(self) -> PipelineReport:
        """The telemetry pipeline's checks (``obsctl doctor``'s pipeline section)."""
        ...

    async def aclose(self) -> None:
        """Release connections (called once when the app exits)."""
        ...


class AlertPanelSource(Protocol):
    """Active alerts for the dashboard's alerts panel."""

    @property
    def label(self) -> str:
        """What the status line calls it (``Alertmanager``)."""
        ...

    @property
    def configured(self) -> bool:
        """False when only the conventional local default is tried: failures stay quiet."""
        ...

    @property
    def url(self) -> str:
        """Where it is (shown when nothing answers there)."""
        ...

    async def active_alerts(self) -> Sequence[AlertRow]:
        """Firing alerts, most severe first; raise ``ObsctlError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections (called once when the app exits)."""
        ...


def reject_traceql(query: TraceSearch, backend: str) -> None:
    """Refuse a TraceQL search on a backend (``Jaeger``, ``Zipkin``) that has no TraceQL.

    Raises:
        UsageError: ``query.traceql`` is set.
    """
    if query.traceql:
        raise UsageError(
            f"--query (TraceQL) works with Tempo only; {backend} searches by "
            "--service, --operation, --tag and --min-duration"
        )


def newest_first(traces: Iterable[Trace], limit: int) -> list[TraceSummary]:
    """Summaries of ``traces``, most recent first, at most ``limit`` of them."""
    summaries = [summarize_trace(t) for t in traces]
    summaries.sort(key=lambda s: s.start, reverse=True)
    return summaries[:limit]
