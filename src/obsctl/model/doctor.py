"""Result of ``obsctl doctor``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class CheckStatus(StrEnum):
    """Outcome of probing one endpoint."""

    OK = "ok"
    DEGRADED = "degraded"
    """Reachable and answering, but the monitoring stack reports problems."""
    UNREACHABLE = "unreachable"
    ERROR = "error"


class PipelineStatus(StrEnum):
    """Outcome of one pipeline check."""

    OK = "ok"
    DEGRADED = "degraded"
    FAILING = "failing"


SEVERITY: Final = {PipelineStatus.OK: 0, PipelineStatus.DEGRADED: 1, PipelineStatus.FAILING: 2}
"""Order of the statuses, for ``--fail-on`` and for sorting."""


@dataclass(frozen=True, slots=True)
class PipelineCheck:
    """One judged value: a check about one subject."""

    component: str
    instance: str
    check: str
    status: PipelineStatus
    value: float | None
    threshold: float | None
    message: str
    hint: str | None
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class EndpointCheck:
    """What doctor found out about one endpoint."""

    kind: str
    url: str
    source: str
    status: CheckStatus
    latency_ms: float | None = None
    version: str | None = None
    flavor: str | None = None
    capabilities: dict[str, bool] = field(default_factory=dict)
    health: tuple[str, ...] = ()
    """Findings about the monitored stack itself (targets down, failing rule groups…)."""
    stats: dict[str, int] = field(default_factory=dict)
    """Numbers worth showing (head series, targets up/down)."""
    error: str | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class PipelineReport:
    """The telemetry pipeline's health, from its components' own metrics."""

    window: str
    """The window the counters were compared over (``15m``)."""
    checks: tuple[PipelineCheck, ...] = ()
    notes: tuple[str, ...] = ()
    """What could not be checked, and why (a component nobody scrapes, a failed query)."""

    def worst(self) -> PipelineStatus:
        """The most severe status (OK when there are no checks)."""
        return max(
            (c.status for c in self.checks), key=SEVERITY.__getitem__, default=PipelineStatus.OK
        )


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """All endpoint checks of one context, and the pipeline checks when they ran."""

    context: str | None
    checks: tuple[EndpointCheck, ...]
    pipeline: PipelineReport | None = None
