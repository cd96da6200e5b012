"""Cardinality budgets of ``obsctl lint`` (the ``lint.budgets`` config section).

Plain values shared by the config loader (which reads them) and the cardinality rules (which
apply them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

EXEMPT_LABELS = frozenset({"le", "quantile"})
"""Label names whose values are never counted or classified (bucket and quantile bounds)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A warn/error pair (either may be disabled with ``None``)."""

    warn: int | None
    error: int | None


@dataclass(frozen=True, slots=True)
class Budgets:
    """Cardinality budgets.

    Attributes:
        series: series per metric (exposition: per family).
        label_values: distinct values per label (exposition: per family and label).
        label_value_length: longest label value in bytes before OBS207.
        buckets: buckets per histogram series before OBS208.
        metrics: per-metric overrides of ``series`` and ``label_values`` (exact name).
        labels: per-label-name overrides of ``label_values``.
        server_series / server_label_values: the same for ``--server`` (whole TSDB head).
        growth_percent / growth_min: ``--diff`` fails when a metric's series grow by more than
            this percentage *and* this many series.
        exempt_labels: label names never checked for value counts or content.
    """

    series: Threshold = Threshold(1000, 10000)
    label_values: Threshold = Threshold(100, 1000)
    label_value_length: int = 128
    buckets: int = 30
    metrics: Mapping[str, tuple[Threshold | None, Threshold | None]] = field(default_factory=dict)
    labels: Mapping[str, Threshold] = field(default_factory=dict)
    server_series: Threshold = Threshold(10000, 100000)
    server_label_values: Threshold = Threshold(1000, 10000)
    growth_percent: float = 20.0
    growth_min: int = 100
    exempt_labels: frozenset[str] = EXEMPT_LABELS

    def series_for(self, metric: str, *, server: bool = False) -> Threshold:
        """The series threshold for ``metric``."""
        override = self.metrics.get(metric)
        if override is not None and override[0] is not None:
            return override[0]
        return self.server_series if server else self.series

    def values_for(self, metric: str | None, label: str, *, server: bool = False) -> Threshold:
        """The distinct-values threshold for ``label`` (of ``metric``)."""
        if metric is not None:
            override = self.metrics.get(metric)
            if override is not None and override[1] is not None:
                return override[1]
        if label in self.labels:
            return self.labels[label]
        return self.server_label_values if server else self.label_values
