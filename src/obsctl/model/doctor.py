"""Result of ``obsctl doctor``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CheckStatus(StrEnum):
    """Outcome of probing one endpoint."""

    OK = "ok"
    DEGRADED = "degraded"
    """Reachable and answering, but the monitoring stack reports problems."""
    UNREACHABLE = "unreachable"
    ERROR = "error"


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
class DoctorReport:
    """All endpoint checks of one context."""

    context: str | None
    checks: tuple[EndpointCheck, ...]
