"""Exposition data (Prometheus text 0.0.4 and OpenMetrics 1.0) as metric families.

A parsed exposition is a list of ``MetricFamily`` objects with the line numbers of their
metadata and samples. Large expositions are aggregated per family instead of being kept as
one object per sample: a family carries its series count, per-label statistics (distinct
values, longest value, a bounded sample of values) and, where rules need them (histograms,
summaries, state sets, info metrics, or when asked for), the samples themselves.

Families are built incrementally by the parser, so they are mutable; everything handed to
rules after parsing is treated as read-only.

This module also holds the result types of ``obsctl lint`` that renderers draw (summaries,
the rule catalogue, rule explanations, snapshot diffs).
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Final

COUNTER: Final = "counter"
GAUGE: Final = "gauge"
HISTOGRAM: Final = "histogram"
GAUGE_HISTOGRAM: Final = "gaugehistogram"
SUMMARY: Final = "summary"
INFO: Final = "info"
STATESET: Final = "stateset"
UNKNOWN: Final = "unknown"
UNTYPED: Final = "untyped"

TEXT_TYPES: Final = frozenset({COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED, GAUGE_HISTOGRAM})
"""Types the text format 0.0.4 accepts (``gauge_histogram`` is read as ``gaugehistogram``)."""
OPENMETRICS_TYPES: Final = frozenset(
    {COUNTER, GAUGE, HISTOGRAM, GAUGE_HISTOGRAM, SUMMARY, INFO, STATESET, UNKNOWN}
)
"""Types OpenMetrics 1.0 accepts."""

SAMPLE_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    COUNTER: ("_total", "_created"),
    GAUGE: ("",),
    HISTOGRAM: ("_bucket", "_count", "_sum", "_created"),
    GAUGE_HISTOGRAM: ("_bucket", "_gcount", "_gsum"),
    SUMMARY: ("", "_count", "_sum", "_created"),
    INFO: ("_info",),
    STATESET: ("",),
    UNKNOWN: ("",),
    UNTYPED: ("",),
}
"""OpenMetrics: the sample names a family of each type may expose (name + suffix)."""

_LEGACY_NAME: Final = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def is_legacy_name(name: str) -> bool:
    """Whether ``name`` is a metric name Prometheus 2.x reads (``[a-zA-Z_:][a-zA-Z0-9_:]*``).

    Prometheus 3 reads any UTF-8 name, written in quotes when it is not legacy-valid.
    """
    return _LEGACY_NAME.fullmatch(name) is not None


def written_name(name: str) -> str:
    """A metric name as the text format writes it: bare if legacy-valid, quoted otherwise.

    >>> written_name("up"), written_name("http.server.duration")
    ('up', '"http.server.duration"')
    """
    if is_legacy_name(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


LABEL_SAMPLE_LIMIT: Final = 256
MAX_DUPLICATES: Final = 100
"""Duplicate series kept per family with their line (the rest are only counted)."""
"""How many distinct values per label are kept verbatim for content classification."""


@dataclass(frozen=True, slots=True)
class ExpositionExemplar:
    """An OpenMetrics exemplar attached to a sample."""

    labels: tuple[tuple[str, str], ...]
    value: float
    timestamp: float | None = None


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample line.

    Attributes:
        name: the sample's metric name (``http_request_duration_seconds_bucket``).
        labels: label pairs in the order written.
        value: the sample value.
        timestamp: seconds (OpenMetrics) or milliseconds (text 0.0.4) as written, if any.
        line: 1-based line number in the input.
        exemplar: the OpenMetrics exemplar, if any.
    """

    name: str
    labels: tuple[tuple[str, str], ...]
    value: float
    timestamp: float | None
    line: int
    exemplar: ExpositionExemplar | None = None

    def label(self, name: str) -> str | None:
        """The value of label ``name``, or ``None``."""
        for key, value in self.labels:
            if key == name:
                return value
        return None


@dataclass(slots=True)
class LabelStats:
    """What one label name looks like across a family's samples.

    Distinct values are counted through their hashes (exact up to 64-bit hash collisions) so
    that a label with a million unique IDs costs integers, not strings; ``examples`` keeps
    the first ``LABEL_SAMPLE_LIMIT`` distinct values for content classification.
    """

    name: str
    first_line: int
    value_hashes: set[int] = field(default_factory=set)
    examples: set[str] = field(default_factory=set)
    max_length: int = 0
    longest: str = ""
    longest_line: int = 0
    first_text: str = ""
    saturated: bool = False
    """True when counting stopped at the parser's ``max_distinct`` (``distinct`` is a floor)."""
    sealed_hashes: array[int] | None = None
    """``value_hashes`` packed 8 bytes each once the family ended (see ``MetricFamily.seal``)."""
    sealed_examples: str | tuple[str, ...] | None = None
    """``examples`` once the family ended: the values sorted, one a line (a few bytes a value
    instead of a string object and a set slot), or a tuple if one of them holds a newline."""

    @property
    def sampled_values(self) -> list[str]:
        """The sampled values (``examples``), sorted; also once packed."""
        packed = self.sealed_examples
        if packed is None:
            return sorted(self.examples)
        if isinstance(packed, tuple):
            return list(packed)
        return packed.split("\n")

    def seal(self) -> None:
        """Pack the value hashes and the sampled values (see ``MetricFamily.seal``)."""
        if self.sealed_hashes is None:
            self.sealed_hashes = _packed(self.value_hashes)
            self.value_hashes = set()
        if self.sealed_examples is None:
            values = sorted(self.examples)
            text = "\n".join(values)
            fits = values and text.count("\n") == len(values) - 1
            self.sealed_examples = text if fits else tuple(values)
            self.examples = set()

    def unseal(self) -> None:
        """Undo ``seal``."""
        if self.sealed_hashes is not None:
            self.value_hashes = set(self.sealed_hashes)
            self.sealed_hashes = None
        if self.sealed_examples is not None:
            self.examples = set(self.sampled_values)
            self.sealed_examples = None

    @property
    def distinct(self) -> int:
        """Number of distinct values."""
        sealed = self.sealed_hashes
        return len(self.value_hashes) if sealed is None else len(sealed)


@dataclass(slots=True)
class MetricFamily:
    """A metric family with its metadata, line numbers and aggregated sample statistics.

    Attributes:
        name: the family name (``http_requests`` for an OpenMetrics counter whose samples are
            ``http_requests_total``; the sample name itself for text-format counters).
        type: one of the type constants; ``untyped`` (text) or ``unknown`` (OpenMetrics)
            when no ``# TYPE`` line was given.
        help: the HELP text, ``None`` when absent or empty.
        unit: the OpenMetrics UNIT, ``None`` when absent or empty.
        line: first line that belongs to the family (metadata or sample).
        first_text: that line's text (for code frames).
        help_line, type_line, unit_line: lines of the metadata, 0 when absent.
        first_sample_line: line of the first sample, 0 when there is none.
        sample_count: number of sample lines.
        series_hashes: hashes of distinct ``name{labels}`` (plus timestamp) keys.
        labels: per label name statistics (``le`` and ``quantile`` included).
        samples: kept for histograms, summaries, state sets and info families (their rules
            need them), and for every family when the parser was asked to keep samples.
        duplicates: ``(line, series text)`` of each sample repeating an earlier series.
        negative_line / nan_line: first sample line with a negative / NaN value (0 if none).
        interleaved_line: first line where the family resumed after another one (0 if never).
        sample_names: each sample name used, with its first line.
        timestamps_seen: whether any sample carried a timestamp.
    """

    name: str
    type: str
    line: int
    first_text: str = ""
    help: str | None = None
    unit: str | None = None
    help_line: int = 0
    type_line: int = 0
    unit_line: int = 0
    first_sample_line: int = 0
    sample_count: int = 0
    series_hashes: set[int] = field(default_factory=set)
    labels: dict[str, LabelStats] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    negative_line: int = 0
    nan_line: int = 0
    interleaved_line: int = 0
    sample_names: dict[str, int] = field(default_factory=dict)
    timestamps_seen: bool = False
    declared: bool = False
    """True when the family had a ``# TYPE``, ``# HELP`` or ``# UNIT`` line."""
    saturated: bool = False
    """True when series counting stopped at ``max_distinct`` (``series_count`` is a floor;
    duplicates are no longer detected past that point)."""
    duplicate_count: int = 0
    """All duplicate samples (``duplicates`` keeps the first ``MAX_DUPLICATES``)."""
    not_one_line: int = 0
    """For ``*_info`` families: first line whose value is not 1 (0 if none)."""
    structure_verified: bool = False
    """True when the parser proved the histogram or summary well-formed in bulk; ``samples``
    is then empty and the per-sample structure rules have nothing to check."""
    quoted_line: int = 0
    """First line writing one of the family's names quoted (Prometheus 3 UTF-8 syntax:
    ``{"my.metric"}``, ``# TYPE "my.metric" gauge``, ``{"k8s.pod"="x"}``), 0 if none."""
    late_help_line: int = 0
    """Text format: a ``# HELP`` line that comes after the family's samples, 0 if none."""

    sealed_hashes: array[int] | None = None
    """``series_hashes`` packed 8 bytes each once the family ended (see ``seal``)."""

    @property
    def series_count(self) -> int:
        """Number of distinct series (sample name + label set)."""
        sealed = self.sealed_hashes
        return len(self.series_hashes) if sealed is None else len(sealed)

    def seal(self) -> None:
        """Pack the distinct-value hash sets (~50 bytes an entry) into arrays (8 bytes), and
        each label's sampled values into one string (see ``LabelStats.seal``).

        A parser seals a family when another one starts: an exporter's thousands of ended
        families then cost a fraction of the memory. Counts stay the same; ``unseal`` brings
        the sets back if the family continues later.
        """
        if self.sealed_hashes is None:
            self.sealed_hashes = _packed(self.series_hashes)
            self.series_hashes = set()
        for st in self.labels.values():
            st.seal()

    def unseal(self) -> None:
        """Undo ``seal`` (the family continues after another one)."""
        if self.sealed_hashes is not None:
            self.series_hashes = set(self.sealed_hashes)
            self.sealed_hashes = None
        for st in self.labels.values():
            st.unseal()


def _packed(hashes: set[int]) -> array[int]:
    packed = array("q")
    packed.fromlist(list(hashes))  # faster than array("q", hashes)
    return packed


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A line the parser rejected (a grammar or format violation)."""

    line: int
    message: str
    col: int = 0
    text: str | None = None


@dataclass(slots=True)
class Exposition:
    """A parsed exposition: its families in order of first appearance, and the problems.

    Attributes:
        source: the input's display name (path, URL or ``-``).
        format: ``text`` or ``openmetrics``.
        families: families in order of first appearance.
        problems: parse problems, in line order.
        lines: number of lines read.
        bytes_read: number of bytes read.
        stopped: why parsing stopped early (too many problems, binary input), or ``""``.
    """

    source: str
    format: str
    families: list[MetricFamily] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    lines: int = 0
    bytes_read: int = 0
    stopped: str = ""

    @property
    def sample_count(self) -> int:
        """Total sample lines."""
        return sum(f.sample_count for f in self.families)

    @property
    def series_count(self) -> int:
        """Total distinct series."""
        return sum(f.series_count for f in self.families)


# ---------------------------------------------------------------------------- lint results


@dataclass(frozen=True, slots=True)
class CountEntry:
    """A name with a count (``metric``/``series`` or ``metric{label}``/``values``)."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class LintSummary:
    """Per-input summary of ``obsctl lint``: totals and the top cardinality contributors.

    Attributes:
        input: file, URL, ``-`` or server URL.
        format: ``text``, ``openmetrics`` or ``server``.
        families: number of metric families (metric names for a server).
        samples: number of sample lines (0 for a server).
        series: total distinct series.
        top_metrics: metrics with the most series, descending.
        top_labels: ``metric{label}`` (exposition) or label names (server) with the most
            distinct values, descending.
        notes: remarks such as a missing server endpoint.
    """

    input: str
    format: str
    families: int
    samples: int
    series: int
    top_metrics: tuple[CountEntry, ...] = ()
    top_labels: tuple[CountEntry, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Summary of ``obsctl lint --diff BASE HEAD``.

    Attributes:
        base / head: the two inputs.
        new_metrics: metrics in HEAD only.
        removed_metrics: metrics in BASE only.
        new_labels: ``metric{label}`` in HEAD only (for metrics in both).
        growth: ``(metric, base series, head series)`` for metrics whose series grew.
    """

    base: str
    head: str
    new_metrics: tuple[str, ...]
    removed_metrics: tuple[str, ...]
    new_labels: tuple[str, ...]
    growth: tuple[tuple[str, int, int], ...]
