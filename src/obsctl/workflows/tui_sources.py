"""What ``obsctl tui`` fetches: range queries for its panels and Alertmanager's active alerts.

The TUI never touches HTTP itself: it calls ``LiveBackends`` through its injected sources. One
HTTP client per endpoint stays open for the life of the dashboard, so a refresh every few
seconds reuses connections (and TLS sessions) instead of opening new ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from obsctl.backends.alertmanager import AlertmanagerClient, parse_alerts
from obsctl.backends.http import LogFn, make_client
from obsctl.backends.prometheus import PrometheusClient
from obsctl.config.schema import Endpoint
from obsctl.errors import UsageError
from obsctl.model import alerts as model_alerts
from obsctl.model.alerts import AlertRow
from obsctl.model.doctor import PipelineReport
from obsctl.model.metrics import QueryResult
from obsctl.workflows.query import ROUND_STEPS, precheck, resolve_flavor, round_step_at_least

DEFAULT_QUERIES: tuple[str, ...] = ("up", "sum by (job) (up == 0)")
"""Panels shown when no ``--query`` is given: every target, then the jobs with targets down."""
SPARK_POINTS = 120
"""Points per series a panel asks for: enough for a 40-column sparkline, cheap to refresh."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


SEVERITY_ORDER = {"critical": 0, "page": 0, "error": 1, "high": 1, "warning": 2, "warn": 2}


def alert_sort_key(alert: AlertRow) -> tuple[int, float, str]:
    """Most severe first, then oldest first, then by name."""
    rank = SEVERITY_ORDER.get(alert.severity.lower(), 3 if alert.severity else 4)
    started = alert.starts_at.timestamp() if alert.starts_at else math.inf
    return rank, started, alert.name


def alert_row(alert: model_alerts.ActiveAlert) -> AlertRow:
    """The dashboard's view of an alert decoded by ``backends.alertmanager``."""
    labels = dict(alert.labels)
    annotations = dict(alert.annotations)
    return AlertRow(
        name=labels.get("alertname", ""),
        severity=labels.get("severity", ""),
        state=alert.state,
        # Go's zero time (0001-01-01) marks an alert not yet processed: no start to show.
        starts_at=alert.starts_at if alert.starts_at.year > 1 else None,
        summary=annotations.get("summary") or annotations.get("description") or "",
        labels=labels,
        annotations=annotations,
        fingerprint=alert.fingerprint,
        generator_url=alert.generator_url,
        receivers=alert.receivers,
    )


def parse_alertmanager_alerts(payload: object) -> list[AlertRow]:
    """Decode ``GET /api/v2/alerts`` (``backends.alertmanager``); most severe and oldest first.

    Raises:
        ParseError: (``from_backend``) the body is not a list of alert objects.
    """
    return sorted((alert_row(a) for a in parse_alerts(payload)), key=alert_sort_key)


def check_queries(exprs: Sequence[str], flavor: str | None = None) -> None:
    """Every panel query must parse (a usage error before the dashboard starts).

    On VictoriaMetrics (``flavor``), MetricsQL is left to the server, whose error then shows
    in the panel.

    Raises:
        UsageError: an expression is empty or not valid PromQL.
    """
    for expr in exprs:
        if not expr.strip():
            raise UsageError("--query: empty expression")
        precheck(expr, flavor)


def panel_step(span: timedelta) -> timedelta:
    """The round step giving about ``SPARK_POINTS`` points over ``span`` (at least 1s).

    >>> panel_step(timedelta(minutes=30))
    datetime.timedelta(seconds=15)
    """
    return max(ROUND_STEPS[0], round_step_at_least(span.total_seconds() / SPARK_POINTS))


class LiveBackends:
    """Long-lived clients for the dashboard: Prometheus and, optionally, Alertmanager.

    Clients are opened on first use inside the running event loop and closed by ``aclose``.

    Args:
        prometheus: the Prometheus-compatible endpoint.
        alertmanager: the Alertmanager endpoint, or ``None`` to show no alerts.
        log: debug request logger.
    """

    def __init__(
        self, prometheus: Endpoint, alertmanager: Endpoint | None, *, log: LogFn | None = None
    ) -> None:
        self.prometheus = prometheus
        self.alertmanager = alertmanager
        self._log = log
        self._stack = AsyncExitStack()
        self._prom: PrometheusClient | None = None
        self._am: AlertmanagerClient | None = None

    async def _prometheus(self) -> PrometheusClient:
        if self._prom is None:
            client = await self._stack.enter_async_context(
                make_client(self.prometheus, log=self._log)
            )
            self._prom = PrometheusClient(client, self.prometheus, resolve_flavor(self.prometheus))
        return self._prom

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        """Run ``expr`` over ``[start, end]`` every ``step``.

        Raises:
            BackendError, BackendUnreachable, ParseError: from the server.
        """
        prom = await self._prometheus()
        points = int((end - start) / step) + 1
        if points > prom.max_points_per_series:
            step = round_step_at_least((end - start).total_seconds() / prom.max_points_per_series)
        return await prom.query_range(expr, start, end, step)

    async def active_alerts(self) -> list[AlertRow]:
        """Alerts that are firing and neither silenced nor inhibited.

        Raises:
            UsageError: no Alertmanager endpoint was given.
            BackendError, BackendUnreachable, ParseError: from the server.
        """
        endpoint = self.alertmanager
        if endpoint is None:
            raise UsageError("no Alertmanager endpoint")
        if self._am is None:
            client = await self._stack.enter_async_context(make_client(endpoint, log=self._log))
            self._am = AlertmanagerClient(client, endpoint)
        alerts = await self._am.active_alerts(muted=False)
        return sorted((alert_row(a) for a in alerts), key=alert_sort_key)

    async def pipeline(self) -> PipelineReport:
        """The pipeline checks of ``obsctl doctor`` through the same Prometheus.

        Raises:
            BackendError, BackendUnreachable, ParseError: the server could not be asked.
        """
        from obsctl.workflows.doctor import PipelineOptions, check_pipeline

        prom = await self._prometheus()
        return await check_pipeline(
            self.prometheus, PipelineOptions(), flavor=prom.flavor, log=self._log
        )

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        await self._stack.aclose()
        self._prom = None
        self._am = None
