"""What ``analysis.traces.analyze_trace`` computes for a trace, and the ``trace`` command's results.

Spans are identified by a *span key*: the span ID, except for a second span with the same ID
(Zipkin's shared server half, or a duplicate) which gets ``<id>_1``, ``<id>_2`` … as Jaeger UI
does. ``TraceAnalysis.span_keys[i]`` is the key of ``trace.spans[i]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter, ne
from typing import NamedTuple

from obsctl.model.logs import LogRecord
from obsctl.model.traces import Span, Trace, TraceSummary

_SPAN_ID = attrgetter("span_id")


class CriticalSection(NamedTuple):
    """One stretch of the critical path: ``span_key`` was what the trace waited on.

    A named tuple, not a dataclass: a 100,000-span trace can have 100,000 sections.
    """

    span_key: str
    start_ns: int
    end_ns: int

    @property
    def duration_ns(self) -> int:
        """``end_ns - start_ns``."""
        return self.end_ns - self.start_ns


@dataclass(frozen=True, slots=True)
class SkewWarning:
    """A child span that does not fit in its parent on another host's (or service's) clock.

    ``delta_ns`` is the shift Jaeger's clock-skew adjuster would apply to the child and its
    same-host descendants; ``applied`` says whether it was applied (``--adjust-skew``).
    """

    span_key: str
    parent_key: str
    service: str
    parent_service: str
    delta_ns: int
    applied: bool


@dataclass(frozen=True, slots=True)
class ServiceSummary:
    """Per-service totals."""

    service: str
    span_count: int
    error_count: int
    self_time_ns: int
    """Sum of the service's spans' self time."""
    critical_path_ns: int
    """Sum of the service's spans' critical-path time."""


@dataclass(frozen=True, slots=True, repr=False)
class TraceAnalysis:
    """A trace with its tree, timings, critical path, errors and clock-skew findings.

    All mappings are keyed by span key (see the module docstring); the per-span ones are
    read-only views over lists (``dict(...)`` them to copy).
    """

    def __repr__(self) -> str:
        t = self.trace
        return f"TraceAnalysis({t.trace_id}, {len(t.spans)} spans, root={self.root_span_id})"

    trace: Trace
    """The trace as analysed (timestamps shifted when clock skew was adjusted)."""
    span_keys: tuple[str, ...]
    """Key of each span of ``trace.spans``, in the same order."""
    root_span_id: str | None
    """The trace's root: the earliest true root (longest on ties); else the earliest top span."""
    root_span_ids: tuple[str, ...]
    """Spans without a parent, by start time."""
    orphan_span_ids: tuple[str, ...]
    """Spans whose parent is not in the trace, by start time."""
    missing_parents: dict[str, tuple[str, ...]]
    """Missing parent span ID → its orphaned children (keys)."""
    cycle_span_ids: tuple[str, ...]
    """Spans whose parent link was cut because the parent chain loops back on itself."""
    parent: Mapping[str, str | None]
    """Resolved parent key of each span (``None`` for roots, orphans and cycle cuts)."""
    children: Mapping[str, tuple[str, ...]]
    """Children keys of each span, by start time."""
    preorder: tuple[str, ...]
    """Every span key in tree pre-order (top spans by start, children by start)."""
    depth: Mapping[str, int]
    """0 for top spans (roots, orphans), +1 per level."""
    subtree_size: Mapping[str, int]
    """Spans in each span's subtree, itself included."""
    self_time_ns: Mapping[str, int]
    """Duration minus the union of the children's time within the span."""
    critical_path_ns: Mapping[str, int]
    """Time each span owns on the critical path (0 off it); sums to the roots' durations."""
    critical_path: tuple[CriticalSection, ...]
    """The critical path, chronological, adjacent sections of one span merged."""
    error_span_ids: tuple[str, ...]
    """Spans with status ERROR, a true ``error`` tag, or an HTTP 5xx status code."""
    error_reasons: dict[str, str]
    """Why each error span counts as one (``status ERROR: timeout``, ``HTTP 503`` …)."""
    error_origin_ids: tuple[str, ...]
    """Error spans with no erroring descendant: where the errors started."""
    services: tuple[ServiceSummary, ...]
    """Per-service summary, by critical-path time then self time (descending)."""
    skew_warnings: tuple[SkewWarning, ...]
    skew_adjusted: bool
    start_ns: int
    end_ns: int
    index: dict[str, int] = field(repr=False, compare=False)
    """Span key → position in ``trace.spans``."""

    @property
    def duration_ns(self) -> int:
        """Earliest span start to latest span end."""
        return self.end_ns - self.start_ns

    @property
    def duplicate_span_ids(self) -> tuple[str, ...]:
        """Span IDs carried by more than one span (the repeats are keyed ``<id>_1`` …)."""
        # Unique IDs are their own keys; a repeat's key (``<id>_1``) differs from its ID.
        if not any(map(ne, self.span_keys, map(_SPAN_ID, self.trace.spans))):
            return ()
        seen: set[str] = set()
        dups: dict[str, None] = {}
        for s in self.trace.spans:
            if s.span_id in seen:
                dups[s.span_id] = None
            seen.add(s.span_id)
        return tuple(dups)

    def span(self, key: str) -> Span:
        """The span with ``key``.

        Raises:
            KeyError: no such span.
        """
        return self.trace.spans[self.index[key]]

    def find(self, span_id: str) -> list[str]:
        """Keys of the spans whose ID (or key) is ``span_id`` (hex, any case, zero-padded)."""
        wanted = span_id.strip().lower()
        if "_" in wanted:
            return [wanted] if wanted in self.index else []
        padded = wanted.rjust(16, "0")
        return [
            k for k, s in zip(self.span_keys, self.trace.spans, strict=True) if s.span_id == padded
        ]


@dataclass(frozen=True, slots=True)
class TraceLinks:
    """Links to open one trace in a UI; ``config.links.trace_links`` builds them."""

    jaeger_ui: str | None = None
    grafana: str | None = None
    zipkin_ui: str | None = None

    def by_ui(self) -> dict[str, str]:
        """The links that are set, by UI name: ``grafana``, ``jaeger``, ``zipkin``."""
        pairs = (("grafana", self.grafana), ("jaeger", self.jaeger_ui), ("zipkin", self.zipkin_ui))
        return {ui: url for ui, url in pairs if url}


@dataclass(frozen=True, slots=True)
class LinkTargets:
    """The UIs trace links may point to: what is configured (``config.links.link_targets``)."""

    grafana: str | None = None
    """Grafana base URL."""
    ui: tuple[tuple[str, str], ...] = ()
    """``(kind, base URL)`` of the configured trace backends that have a UI of their own."""
    grafana_datasource: str | None = None
    """UID of the Grafana data source to open traces in, when one is named."""


@dataclass(frozen=True, slots=True, repr=False)
class FetchedTrace:
    """A trace as it came from a backend or a file, with the raw body for ``--raw``."""

    def __repr__(self) -> str:
        t = self.trace
        return f"FetchedTrace({t.trace_id}, {len(t.spans)} spans, source={self.source!r})"

    trace: Trace
    raw: bytes
    source: str
    """``tempo``, ``jaeger``, ``zipkin``, or the file name (``-`` for stdin)."""
    api: str = ""
    """What answered: ``/api/v2/traces``, ``/api/traces``, ``otlp`` (file format) …"""


@dataclass(frozen=True, slots=True)
class TraceView:
    """Display options for the text waterfall (they do not change JSON output)."""

    max_depth: int | None = None
    min_duration_ns: int = 0
    service: str | None = None
    span: str | None = None
    """Show only this span in full (``--span ID``)."""
    raw: bool = False
    """Print the backend's body unchanged."""
    max_lines: int | None = 400
    """Waterfall line budget (``None``: no limit, no collapsing); a note counts the rest."""


@dataclass(frozen=True, slots=True, repr=False)
class TraceResult:
    """What ``obsctl trace ID`` returns to the renderers."""

    def __repr__(self) -> str:
        # Short on purpose: Python 3.11's asyncio.run formats the main task's result with
        # repr() (signal.signal → enum ValueError message → repr of the SIGINT handler's
        # task); a full repr of a 100,000-span trace took 5.7 s there.
        return f"TraceResult({self.fetched!r})"

    fetched: FetchedTrace
    analysis: TraceAnalysis
    links: TraceLinks = TraceLinks()
    view: TraceView = TraceView()
    logs: tuple[LogRecord, ...] = ()
    """The trace's log records (from a log source: the local store), oldest first."""


@dataclass(frozen=True, slots=True)
class TraceSearchResult:
    """What ``obsctl trace search`` returns."""

    backend: str
    query: str
    """The query as sent (TraceQL for Tempo, parameters for the others), for the header."""
    traces: tuple[TraceSummary, ...]
    limit: int
