"""The dashboard's real sources of metrics and alerts.

``ObsctlApp`` only knows the protocols ``QueryPanelSource`` and ``AlertPanelSource`` of
``backends.base``. ``open_sources`` builds the real ones on top of
``workflows.tui_sources.LiveBackends``; tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from obsctl.config.schema import Endpoint
from obsctl.model.alerts import AlertRow
from obsctl.model.doctor import PipelineReport
from obsctl.model.metrics import QueryResult
from obsctl.workflows.tui_sources import LiveBackends


class PrometheusSource:
    """``QueryPanelSource`` over a Prometheus-compatible API."""

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

    async def names(self) -> list[str]:
        """See ``LiveBackends.names``."""
        return await self._backends.names()

    async def pipeline(self) -> PipelineReport:
        """See ``LiveBackends.pipeline``."""
        return await self._backends.pipeline()

    async def aclose(self) -> None:
        """Close the shared clients."""
        await self._backends.aclose()


class AlertmanagerSource:
    """``AlertPanelSource`` over Alertmanager's v2 API."""

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

    async def active_alerts(self) -> Sequence[AlertRow]:
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
