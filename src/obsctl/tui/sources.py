"""The seams of the dashboard: what it reads metrics and alerts from.

``ObsctlApp`` only knows the two Protocols below. ``open_sources`` builds the real ones on top
of ``workflows.tui_sources.LiveBackends``; tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from obsctl.config.schema import Endpoint
from obsctl.model.metrics import QueryResult
from obsctl.workflows.tui_sources import ActiveAlert, LiveBackends


class MetricsSource(Protocol):
    """Range queries for the query panels."""

    @property
    def label(self) -> str:
        """What the status line calls it (``Prometheus``)."""
        ...

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        """Evaluate ``expr`` over ``[start, end]``; raise ``ObsctlError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections (called once when the app exits)."""
        ...


class AlertsSource(Protocol):
    """Active alerts for the alerts panel."""

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

    async def active_alerts(self) -> Sequence[ActiveAlert]:
        """Firing alerts, most severe first; raise ``ObsctlError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections (called once when the app exits)."""
        ...


class PrometheusSource:
    """``MetricsSource`` over a Prometheus-compatible API."""

    def __init__(self, backends: LiveBackends) -> None:
        self._backends = backends

    @property
    def label(self) -> str:
        """The endpoint's display name."""
        return self._backends.prometheus.display_name

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        """See ``LiveBackends.query_range``."""
        return await self._backends.query_range(expr, start, end, step)

    async def aclose(self) -> None:
        """Close the shared clients."""
        await self._backends.aclose()


class AlertmanagerSource:
    """``AlertsSource`` over Alertmanager's v2 API."""

    def __init__(self, backends: LiveBackends, endpoint: Endpoint) -> None:
        self._backends = backends
        self._endpoint = endpoint

    @property
    def label(self) -> str:
        """``Alertmanager``."""
        return self._endpoint.display_name

    @property
    def configured(self) -> bool:
        """Set by a flag, the environment or the context."""
        return self._endpoint.configured

    @property
    def url(self) -> str:
        """The endpoint URL."""
        return self._endpoint.url

    async def active_alerts(self) -> Sequence[ActiveAlert]:
        """See ``LiveBackends.active_alerts``."""
        return await self._backends.active_alerts()

    async def aclose(self) -> None:
        """Close the shared clients."""
        await self._backends.aclose()


def open_sources(
    prometheus: Endpoint, alertmanager: Endpoint
) -> tuple[PrometheusSource, AlertmanagerSource]:
    """The real sources for ``obsctl tui`` (sharing one set of HTTP clients)."""
    backends = LiveBackends(prometheus, alertmanager)
    return PrometheusSource(backends), AlertmanagerSource(backends, alertmanager)
