"""What ``obsctl tui`` fetches: range queries for its panels and Alertmanager's active alerts.

The TUI never touches HTTP itself: it calls ``LiveBackends`` through its injected sources. One
HTTP client per endpoint stays open for the life of the dashboard, so a refresh every few
seconds reuses connections (and TLS sessions) instead of opening new ones.
"""

from __future__ import annotations

import getpass
import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, urlsplit

from obsctl.backends.alertmanager import AlertmanagerClient, parse_alerts
from obsctl.backends.http import LogFn, make_client
from obsctl.backends.prometheus import PrometheusClient
from obsctl.config.kinds import KINDS
from obsctl.config.schema import Endpoint, Settings
from obsctl.errors import UsageError
from obsctl.model import alerts as model_alerts
from obsctl.model.alerts import AlertRow, Matcher
from obsctl.model.correlation import CorrelationResult, RankedTrace
from obsctl.model.doctor import PipelineReport
from obsctl.model.logs import LogRecord
from obsctl.model.metrics import QueryResult
from obsctl.model.time import format_rfc3339
from obsctl.model.trace_analysis import TraceAnalysis
from obsctl.model.traces import Trace, TraceSearch, TraceSummary
from obsctl.redact import redact
from obsctl.workflows.query import ROUND_STEPS, precheck, resolve_flavor, round_step_at_least

DEFAULT_QUERIES: tuple[str, ...] = ("up", "sum by (job) (up == 0)")
"""Panels shown when no ``--query`` is given: every target, then the jobs with targets down."""
SPARK_POINTS = 120
"""Points per series a panel asks for: enough for a 40-column sparkline, cheap to refresh."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_NAMES = 50_000
"""Names kept for completion (a server with millions of metric names is cut, not a hang)."""


SEVERITY_ORDER = {"critical": 0, "page": 0, "error": 1, "high": 1, "warning": 2, "warn": 2}


def alert_sort_key(alert: AlertRow) -> tuple[int, float, str]:
    """Most severe first, then oldest first, then by name."""
    rank = SEVERITY_ORDER.get(alert.severity.lower(), 3 if alert.severity else 4)
    started = alert.starts_at.timestamp() if alert.starts_at else math.inf
    return rank, started, alert.name


def _masked(values: Mapping[str, str]) -> dict[str, str]:
    return {k: redact(v, shapes=False) for k, v in values.items()}


def redact_result(result: QueryResult) -> QueryResult:
    """``result`` with every label value passed through the redaction point: the dashboard
    draws what servers answer, and a label may carry a known secret.

    >>> from obsctl.model.metrics import Series
    >>> redact_result(QueryResult("vector", [Series({"a": "b"})])).series[0].labels
    {'a': 'b'}
    """
    series = [replace(s, labels=_masked(s.labels)) for s in result.series]
    return replace(result, series=series)


def redact_row(row: AlertRow) -> AlertRow:
    """An alert row with its labels, annotations, summary and source URL redacted."""
    return replace(
        row,
        name=redact(row.name, shapes=False),
        summary=redact(row.summary, shapes=False),
        labels=_masked(row.labels),
        annotations=_masked(row.annotations),
        generator_url=redact(row.generator_url),
    )


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


def query_problem(expr: str, flavor: str | None = None) -> str | None:
    """Why ``expr`` cannot be a panel (the offline PromQL check, as ``--query`` gets), or
    ``None`` when it can. On VictoriaMetrics (``flavor``) MetricsQL is left to the server.

    >>> query_problem("rate(x[5m])") is None
    True
    >>> query_problem("") is not None
    True
    """
    try:
        precheck(expr, flavor)
    except UsageError as err:
        return err.message
    return None


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
        return redact_result(await prom.query_range(expr, start, end, step))

    async def names(self) -> list[str]:
        """Metric names and label names the server knows, sorted (for completion).

        Raises:
            BackendError, BackendUnreachable, ParseError: from the server.
        """
        prom = await self._prometheus()
        metrics = await prom.label_values("__name__")
        labels = await prom.labels()
        return sorted(set(metrics.values[:MAX_NAMES]) | set(labels.values[:MAX_NAMES]))

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
        return sorted((redact_row(alert_row(a)) for a in alerts), key=alert_sort_key)

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


# ----------------------------------------------------------------------------- incidents


def alert_expression(alert: AlertRow) -> str:
    """The PromQL behind an alert: the ``g0.expr`` of its generator URL (Prometheus links the
    rule's graph there), else the ``ALERTS`` series of the alert.

    >>> row = AlertRow(name="Up", severity="", state="active", starts_at=None, summary="",
    ...     labels={}, annotations={}, fingerprint="",
    ...     generator_url="http://p:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1")
    >>> alert_expression(row)
    'up == 0'
    """
    if alert.generator_url:
        exprs = parse_qs(urlsplit(alert.generator_url).query).get("g0.expr")
        if exprs and exprs[0].strip():
            return exprs[0].strip()
    name = alert.name.replace("\\", "\\\\").replace('"', '\\"')
    return f'ALERTS{{alertname="{name}", alertstate="firing"}}'


def silence_matchers(alert: AlertRow) -> tuple[Matcher, ...]:
    """Equality matchers on every label of this alert instance (it and only it is muted)."""
    return tuple(Matcher(k, "=", v) for k, v in sorted(alert.labels.items()))


@runtime_checkable
class NameSource(Protocol):
    """A metrics source that can list metric and label names (PromQL completion)."""

    async def names(self) -> list[str]:
        """Metric and label names, sorted."""
        ...


class IncidentSource(Protocol):
    """What the dashboard's drill-down asks: correlate an alert, fetch a trace, silence."""

    async def correlate(
        self,
        alert: AlertRow,
        start: datetime,
        end: datetime,
        note: Callable[[str], None],
        ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
    ) -> CorrelationResult:
        """The ranked traces behind ``alert`` in ``[start, end]``; ``note`` gets progress,
        ``ranked`` the traces fetched so far, ranked, each time one more lands."""
        ...

    async def trace(self, trace_id: str) -> TraceAnalysis:
        """One trace, analysed (critical path, errors)."""
        ...

    async def silence(
        self, alert: AlertRow, duration: timedelta, comment: str, now: datetime
    ) -> str:
        """Silence this alert instance from ``now`` for ``duration``; the silence ID."""
        ...

    async def recent_traces(self, search: TraceSearch) -> Sequence[TraceSummary]:
        """Traces found by a trace search, newest first."""
        ...

    def search_is_live(self) -> bool:
        """Whether the trace search reads the local store (``obsctl receive`` adds to it as
        traces arrive, so searching again shows new ones)."""
        ...

    async def logs(self, trace: Trace) -> Sequence[LogRecord] | None:
        """The trace's log records, oldest first, where a log source has them; ``None``
        when there is no log source."""
        ...


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """The traces view's ``/`` filter, parsed.

    Attributes:
        service: ``service:NAME``: a span of that service (the backend's search).
        operation: ``op:NAME``: a span of that name (the backend's search).
        min_duration_ns: ``>500ms``: at least that long (the backend's search, and the trace).
        errors: ``error``: an error span (the backend's search where it can, and the trace).
        words: any other word: in the root service or operation (filtered here).
    """

    service: str | None = None
    operation: str | None = None
    min_duration_ns: int | None = None
    errors: bool = False
    words: tuple[str, ...] = ()

    def search(self, start: datetime, end: datetime, limit: int) -> TraceSearch:
        """The backend search for this filter over ``[start, end]``."""
        return TraceSearch(
            start=start,
            end=end,
            service=self.service,
            operation=self.operation,
            min_duration_ns=self.min_duration_ns,
            limit=limit,
            errors=self.errors,
        )

    def pushed(self) -> tuple[str | None, str | None, int | None, bool]:
        """What goes to the backend: a change asks it again."""
        return self.service, self.operation, self.min_duration_ns, self.errors

    def keeps(self, trace: TraceSummary) -> bool:
        """Whether ``trace`` passes what can be checked on its summary (duration, errors,
        words); service and operation were the backend's to match, on any span."""
        if self.min_duration_ns is not None and trace.duration_ns < self.min_duration_ns:
            return False
        if self.errors and not trace.error_count:
            return False
        where = f"{trace.root_service} {trace.root_name}".lower()
        return all(word in where for word in self.words)


def parse_trace_filter(text: str) -> TraceFilter:
    """``service:checkout op:PlaceOrder >500ms error slow``: see ``TraceFilter``.

    A ``>`` word that is not a duration is an ordinary word.

    >>> parse_trace_filter("service:checkout >1.5s error pay")
    TraceFilter(service='checkout', operation=None, min_duration_ns=1500000000, errors=True, words=('pay',))
    """  # noqa: E501 - a doctest line
    service = operation = None
    min_ns: int | None = None
    errors = False
    words: list[str] = []
    for word in text.split():
        key, sep, value = word.partition(":")
        low = key.lower()
        if sep and value and low in ("service", "svc"):
            service = value
        elif sep and value and low in ("op", "operation", "name"):
            operation = value
        elif word.startswith(">") and (ns := duration_ns(word[1:])) is not None:
            min_ns = ns
        elif word.lower() in ("error", "errors"):
            errors = True
        else:
            words.append(word.lower())
    return TraceFilter(service, operation, min_ns, errors, tuple(words))


def duration_ns(text: str) -> int | None:
    """``500ms``, ``2s``, ``150us`` in nanoseconds (``None`` when not a duration).

    >>> duration_ns("500ms"), duration_ns("1.5s"), duration_ns("fast")
    (500000000, 1500000000, None)
    """
    for unit, scale in (("ms", 10**6), ("us", 10**3), ("µs", 10**3), ("ns", 1), ("s", 10**9)):
        if text.endswith(unit):
            try:
                value = float(text[: -len(unit)])
            except ValueError:
                return None
            return int(value * scale) if value >= 0 and math.isfinite(value) else None
    return None


class LiveIncidents:
    """``IncidentSource`` over the same workflows as ``obsctl correlate``, ``trace`` and
    ``silence add``.

    Args:
        settings: the resolved settings (endpoints, trace backends, correlate config).
        log: debug request logger.
    """

    def __init__(self, settings: Settings, *, log: LogFn | None = None) -> None:
        self._settings = settings
        self._log = log

    async def correlate(
        self,
        alert: AlertRow,
        start: datetime,
        end: datetime,
        note: Callable[[str], None],
        ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
    ) -> CorrelationResult:
        """``run_correlate`` for the alert over the dashboard's range; ``ranked`` hears the
        traces ranked so far as each one is fetched.

        Raises:
            NotFound, BackendUnreachable, BackendError: as ``obsctl correlate``.
        """
        from obsctl.workflows.correlate import CorrelateOptions, plan_correlate, run_correlate

        options = CorrelateOptions(
            alert=alert.name, start=format_rfc3339(start), end=format_rfc3339(end)
        )
        request = plan_correlate(options, end)
        # Each step and each fetched trace (``fetching traces 4/10…``) reaches the view's
        # status line through ``note``, as the workflow reports it.
        return await run_correlate(
            self._settings, request, log=self._log, note=note, progress=note, on_ranked=ranked
        )

    async def trace(self, trace_id: str) -> TraceAnalysis:
        """``fetch_trace`` from the configured trace backends, then ``analyze_trace``.

        Raises:
            NotFound, BackendUnreachable, BackendError, ParseError: as ``obsctl trace``.
        """
        from obsctl.analysis.traces import analyze_trace
        from obsctl.workflows.trace import fetch_trace

        found = await fetch_trace(self._settings, trace_id, log=self._log)
        return analyze_trace(found)

    async def silence(
        self, alert: AlertRow, duration: timedelta, comment: str, now: datetime
    ) -> str:
        """``add_silence`` with matchers on the alert instance's labels.

        Raises:
            UsageError, BackendUnreachable, BackendError: as ``obsctl silence add``.
        """
        from obsctl.workflows.alerts import SilenceRequest, add_silence

        try:
            author = getpass.getuser()
        except (KeyError, OSError):
            author = "obsctl"
        request = SilenceRequest(
            matchers=silence_matchers(alert),
            duration=duration,
            comment=comment,
            author=author,
            start=now,
        )
        silence_id, _ = await add_silence(self._settings, request, log=self._log)
        return silence_id

    def _search_kind(self) -> str:
        from obsctl.workflows.trace import backends_to_try

        return backends_to_try(self._settings, None)[0]

    async def recent_traces(self, search: TraceSearch) -> Sequence[TraceSummary]:
        """``search_traces`` on the first configured trace backend, newest first.

        Raises:
            UsageError: Jaeger without a service.
            BackendUnreachable, BackendError, ParseError: as ``obsctl trace search``.
        """
        from obsctl.workflows.trace import search_traces

        kind = self._search_kind()
        found = await search_traces(self._settings, search, backend=kind, log=self._log)
        return sorted(found.traces, key=lambda t: t.start, reverse=True)

    def search_is_live(self) -> bool:
        """The search reads the local store."""
        return KINDS[self._search_kind()].locator == "path"

    async def logs(self, trace: Trace) -> Sequence[LogRecord] | None:
        """``trace_logs`` (the local store's OTLP logs of the trace), as ``obsctl trace``
        shows them under its spans; ``None`` without a local store. Bodies and attributes
        pass the redaction point: the console draws them.
        """
        from obsctl.workflows.trace import local_stores, trace_logs

        if not local_stores(self._settings):
            return None
        records = await trace_logs(self._settings, trace)
        return [
            replace(
                r,
                body=redact(r.body, shapes=False),
                attributes=tuple((k, redact(str(v), shapes=False)) for k, v in r.attributes),
            )
            for r in records
        ]
