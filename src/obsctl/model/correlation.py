"""What ``obsctl correlate`` finds: candidate traces, their ranking and the bottlenecks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from obsctl.model.alerts import AlertRule, AlertWindow, Labels
from obsctl.model.logs import LogRecord
from obsctl.model.time import TimeRange
from obsctl.model.trace_analysis import TraceLinks


class RankBy(StrEnum):
    """Ranking key for candidate traces (always descending)."""

    LATENCY = "latency"
    """Request latency: root span duration, else search duration, else exemplar value."""
    ERRORS = "errors"
    """Error span count, then latency."""
    EXTENT = "extent"
    """Whole-trace extent (first span start to last span end, async tails included)."""


class LatencySource(StrEnum):
    """Where a trace's latency figure came from."""

    ROOT_SPAN = "root_span"
    SEARCH = "search"
    EXEMPLAR = "exemplar"


@dataclass(frozen=True, slots=True)
class TraceExemplar:
    """An exemplar that names a trace.

    Attributes:
        trace_id: normalised (32 lowercase hex).
        time: the exemplar's timestamp.
        value: the exemplar's value as stored.
        series_labels: labels of the series it is attached to (``le`` included).
        latency_ns: ``value`` as a latency, when the series is a duration histogram.
    """

    trace_id: str
    time: datetime
    value: float
    series_labels: Labels
    latency_ns: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """Evidence for one trace from one source (an exemplar, a search hit, a labelled series).

    Attributes:
        trace_id: normalised.
        source: ``exemplar``, ``metric_label`` or ``search:<backend>``.
        time: when the evidence places the trace (exemplar/sample time, search start).
        latency_ns: an exemplar's value as a latency.
        search_duration_ns: the duration a trace search reported.
        error_count: the error count a search reported.
        root_service: root service a search reported.
        root_name: root operation a search reported.
        series_labels: labels of the exemplar's or labelled series.
    """

    trace_id: str
    source: str
    time: datetime | None = None
    latency_ns: int | None = None
    search_duration_ns: int | None = None
    error_count: int | None = None
    root_service: str | None = None
    root_name: str | None = None
    series_labels: Labels = ()


@dataclass(frozen=True, slots=True)
class MergedCandidate:
    """All the evidence for one trace ID, de-duplicated across sources.

    Attributes:
        trace_id: normalised.
        window: index into the result's windows.
        sources: distinct sources, sorted.
        time: earliest evidence time.
        exemplar_latency_ns: largest exemplar latency.
        search_duration_ns: largest search-reported duration.
        error_count: largest search-reported error count.
        root_service: from the search, when any.
        root_name: from the search, when any.
        evidence: how many exemplars/hits/series pointed at it.
    """

    trace_id: str
    window: int
    sources: tuple[str, ...]
    time: datetime | None
    exemplar_latency_ns: int | None
    search_duration_ns: int | None
    error_count: int | None
    root_service: str | None
    root_name: str | None
    evidence: int


@dataclass(frozen=True, slots=True)
class PathShare:
    """Critical-path time of one span or operation."""

    service: str
    operation: str
    critical_path_ns: int


@dataclass(frozen=True, slots=True)
class TraceFacts:
    """What correlate keeps from a fetched trace and its analysis.

    Attributes:
        trace_id: normalised.
        start: first span start.
        root_service: the root span's service.
        root_name: the root span's operation.
        root_duration_ns: the root span's duration (request latency).
        extent_ns: first span start to last span end (async tails included).
        span_count: spans in the trace.
        error_count: spans with an error status.
        critical_path: critical-path time per (service, operation), largest first.
        span_durations: ``(service, operation, duration_ns)`` of every span.
        error_spans: ``(service, operation)`` of each error span, in trace order.
    """

    trace_id: str
    start: datetime
    root_service: str
    root_name: str
    root_duration_ns: int
    extent_ns: int
    span_count: int
    error_count: int
    critical_path: tuple[PathShare, ...]
    span_durations: tuple[tuple[str, str, int], ...] = ()
    error_spans: tuple[tuple[str, str], ...] = ()
    error_logs: tuple[LogRecord, ...] = ()
    """Error log lines (ERROR and above) of the bottleneck operation's spans."""

    @property
    def bottleneck(self) -> PathShare | None:
        """The operation with the most critical-path time (first on ties)."""
        return self.critical_path[0] if self.critical_path else None

    @property
    def critical_path_ns(self) -> int:
        """Total critical-path time."""
        return sum(p.critical_path_ns for p in self.critical_path)


@dataclass(frozen=True, slots=True)
class RankedTrace:
    """One trace in the ranked list.

    Attributes:
        rank: 1-based position.
        trace_id: 32 lowercase hex.
        window: index into the result's windows.
        sources: where it was found.
        found: whether the trace could be fetched.
        latency_ns: the ranking latency (see ``latency_source``).
        latency_source: root span, search or exemplar.
        extent_ns: whole-trace extent when known.
        error_count: error spans when known.
        start: trace start (or first evidence time).
        root_service: root service when known.
        root_name: root operation when known.
        bottleneck: the operation with the most critical-path time.
        bottleneck_share: its share of the trace's critical path (0-1).
        note: why it was not fetched (``not found``, an error), else "".
        critical_path: the trace's critical-path time per operation, largest first.
        error_spans: ``(service, operation)`` of its error spans.
    """

    rank: int
    trace_id: str
    window: int
    sources: tuple[str, ...]
    found: bool
    latency_ns: int | None
    latency_source: LatencySource | None
    extent_ns: int | None
    error_count: int | None
    start: datetime | None
    root_service: str | None
    root_name: str | None
    bottleneck: PathShare | None = None
    bottleneck_share: float | None = None
    note: str = ""
    critical_path: tuple[PathShare, ...] = ()
    error_spans: tuple[tuple[str, str], ...] = ()
    error_logs: tuple[LogRecord, ...] = ()
    """Error log lines of the bottleneck operation's spans (from a log source)."""


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """An operation's weight on the critical paths of the incident's traces.

    Attributes:
        service: the span's service.
        operation: the span's name.
        critical_path_ns: its critical-path time summed over the traces.
        share: ``critical_path_ns`` over all critical-path time (0-1).
        traces_dominant: traces in which it has the most critical-path time.
        traces_on_path: traces in which it is on the critical path at all.
        traces_total: fetched traces analysed.
    """

    service: str
    operation: str
    critical_path_ns: int
    share: float
    traces_dominant: int
    traces_on_path: int
    traces_total: int


@dataclass(frozen=True, slots=True)
class SlowerOperation:
    """An operation whose median span duration grew from the baseline to the incident.

    Attributes:
        service: the span's service.
        operation: the span's name.
        baseline_ns: median duration in the baseline traces.
        incident_ns: median duration in the incident traces.
        baseline_spans: spans measured in the baseline.
        incident_spans: spans measured in the incident.
    """

    service: str
    operation: str
    baseline_ns: int
    incident_ns: int
    baseline_spans: int
    incident_spans: int

    @property
    def delta_ns(self) -> int:
        """``incident_ns - baseline_ns``."""
        return self.incident_ns - self.baseline_ns

    @property
    def ratio(self) -> float:
        """``incident_ns / baseline_ns`` (infinite for a zero baseline)."""
        return self.incident_ns / self.baseline_ns if self.baseline_ns else float("inf")


@dataclass(frozen=True, slots=True)
class CorrelationResult:
    """The outcome of ``obsctl correlate``.

    Attributes:
        alert: the alert name.
        range: the searched time range.
        windows: firing windows, merged, padded and clipped, in time order.
        traces: ranked traces, best first.
        bottlenecks: operations by share of critical-path time, largest first.
        slower: operations that got slower than in the baseline, largest increase first.
        baseline: the baseline window when a comparison was made.
        baseline_traces: traces analysed in the baseline.
        rank_by: the ranking key used.
        rule: the alerting rule when known.
        candidates: distinct trace IDs found before the top N were taken.
        sources: window and trace sources that answered.
        skipped: one line per source that was missing or failed.
        links: links to each fetched trace in the configured UIs, by trace ID.
        slack_s: seconds of padding applied to each window.
    """

    alert: str
    range: TimeRange
    windows: tuple[AlertWindow, ...]
    traces: tuple[RankedTrace, ...]
    bottlenecks: tuple[Bottleneck, ...]
    slower: tuple[SlowerOperation, ...] = ()
    baseline: TimeRange | None = None
    baseline_traces: int = 0
    rank_by: RankBy = RankBy.LATENCY
    rule: AlertRule | None = None
    candidates: int = 0
    sources: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    links: Mapping[str, TraceLinks] = field(default_factory=dict)
    slack_s: float = 60.0
