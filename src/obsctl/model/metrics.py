"""Metric query results: series, samples, exemplars, and the metadata API results.

Samples are stored column-wise in two ``array('d')`` per series (timestamps in Unix seconds,
values as floats, NaN/±Inf included). A 720,000-point range result then costs about 11 MB
instead of the ~110 MB that one tuple of two floats per sample would, and summaries
(min/max/last) run over C arrays.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ResultType = Literal["vector", "matrix", "scalar", "string"]
RESULT_TYPES: tuple[ResultType, ...] = ("vector", "matrix", "scalar", "string")


def float_array(values: Sequence[float] = ()) -> array[float]:
    """An ``array('d')`` holding ``values``."""
    return array("d", values)


@dataclass(frozen=True, slots=True, repr=False)
class Series:
    """One time series: its label set and its samples (column-wise).

    An instant-vector element has exactly one sample. ``timestamps`` and ``values`` always
    have the same length.
    """

    labels: Mapping[str, str]
    """All labels, ``__name__`` included when the server returned it."""
    timestamps: array[float] = field(default_factory=float_array)
    """Sample times, Unix seconds (millisecond precision)."""
    values: array[float] = field(default_factory=float_array)
    """Sample values; NaN and ±Inf are kept as floats."""
    wire: bytes | None = field(default=None, compare=False)
    """The samples already encoded as a JSON array of ``[unix_seconds, number]`` pairs, when
    the decoder got it for free (Prometheus' own bytes minus the quotes); ``None`` otherwise.
    JSON encoders use it instead of re-encoding 720,000 samples."""

    @property
    def name(self) -> str | None:
        """The metric name (``__name__``) when present."""
        return self.labels.get("__name__")

    @property
    def samples(self) -> Iterator[tuple[float, float]]:
        """``(timestamp, value)`` pairs in time order."""
        return zip(self.timestamps, self.values, strict=True)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def last(self) -> float:
        """The latest value (NaN for an empty series)."""
        return self.values[-1] if self.values else math.nan

    def __repr__(self) -> str:
        # Short on purpose: asyncio formats the repr of a finished task's result when the
        # SIGINT handler is restored, and a full repr of 720,000 samples costs ~0.8 s.
        return f"Series({dict(self.labels)!r}, {len(self.values)} samples)"


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to an instant or range query.

    ``scalar`` results carry one series with no labels and one sample; ``string`` results
    carry the text in ``string_value`` (and its time in ``string_time``).
    """

    result_type: ResultType
    series: Sequence[Series] = ()
    string_value: str | None = None
    string_time: float | None = None
    warnings: Sequence[str] = ()
    """Server warnings (Thanos partial responses, Prometheus annotations)."""
    infos: Sequence[str] = ()
    """Server info annotations (Prometheus ≥ 2.50)."""

    @property
    def sample_count(self) -> int:
        """Total samples across all series."""
        return sum(len(s.values) for s in self.series)

    @property
    def is_empty(self) -> bool:
        """True when the query matched nothing."""
        return not self.series and self.string_value is None


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """What ``obsctl query`` shows: the result plus the question that produced it."""

    expr: str
    result: QueryResult
    time: float | None = None
    """Evaluation time of an instant query (Unix seconds)."""
    start: float | None = None
    """Range start (Unix seconds); ``None`` for instant queries."""
    end: float | None = None
    step: float | None = None
    """Range step in seconds."""
    unit: str | None = None
    """``seconds``, ``bytes``, ``bytes/s`` when every metric in the expression agrees."""
    plot: bool = False
    """Draw a line chart instead of the summary table (text output)."""
    raw: bytes | None = field(default=None, repr=False)
    """The server's body, unchanged (``--raw``)."""

    @property
    def is_range(self) -> bool:
        """True for a range query."""
        return self.start is not None


@dataclass(frozen=True, slots=True)
class SeriesExemplar:
    """An exemplar as a metrics server returns it: the series it belongs to, its own labels
    (usually a trace ID), value and time."""

    series_labels: Mapping[str, str]
    """Labels of the series the exemplar belongs to (``le`` included for histogram buckets)."""
    labels: Mapping[str, str]
    """The exemplar's own labels, e.g. ``{"trace_id": "…"}``."""
    value: float
    timestamp: float
    """Unix seconds."""


@dataclass(frozen=True, slots=True)
class ExemplarList:
    """What ``obsctl exemplars`` shows: the exemplars behind a query, chosen and ordered."""

    expr: str
    start: datetime
    end: datetime
    exemplars: tuple[SeriesExemplar, ...]
    total: int
    """Exemplars the server returned before ``--above``/``--limit``."""
    trace_ids: tuple[str | None, ...]
    """The trace ID of each exemplar (``None`` when it carries none)."""


@dataclass(frozen=True, slots=True)
class SeriesList:
    """Label sets returned by ``/api/v1/series``."""

    series: Sequence[Mapping[str, str]]
    warnings: Sequence[str] = ()
    infos: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class LabelList:
    """Label names (``label`` is ``None``) or the values of one label."""

    values: Sequence[str]
    label: str | None = None
    """The label whose values these are; ``None`` for a list of label names."""
    warnings: Sequence[str] = ()
    infos: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class MetricMetadata:
    """One metadata entry of a metric (a metric may have several, one per target kind)."""

    metric: str
    type: str
    """``counter``, ``gauge``, ``histogram``, ``summary``, ``unknown`` …"""
    help: str
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Metadata:
    """Result of ``/api/v1/metadata``: entries sorted by metric name."""

    entries: Sequence[MetricMetadata]
    warnings: Sequence[str] = ()
    metric: str | None = None
    """The metric asked for, when one was."""


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """``/api/v1/status/buildinfo``: what the server says it is."""

    version: str
    revision: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ServerAlertRule:
    """An alerting rule as a Prometheus-compatible server has it loaded (``/api/v1/rules``).

    Attributes:
        name: the ``alert:`` name.
        expr: the PromQL expression.
        for_seconds: the ``for`` hold duration.
        keep_firing_for_seconds: ``keep_firing_for`` (0 where the server lacks it).
        labels: the rule's labels.
        annotations: the rule's annotations.
        group: the rule group's name.
        file: the rule file the group came from, when the server says.
    """

    name: str
    expr: str
    for_seconds: float
    keep_firing_for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]
    group: str
    file: str = ""


@dataclass(frozen=True, slots=True)
class WatchFrame:
    """One redraw of ``obsctl query --watch``: the answer, or why there is none this time.

    Attributes:
        expr: the expression being watched.
        interval_s: seconds between runs.
        at: when this run started (RFC 3339 UTC, seconds).
        answer: the result, or ``None`` when the run failed.
        error: the failure's message (the server may come back: watching goes on).
        hint: the failure's hint, if any.
    """

    expr: str
    interval_s: float
    at: str
    answer: QueryAnswer | None = None
    error: str | None = None
    hint: str | None = None
