"""``doctor``: probe every configured endpoint concurrently and record capabilities; then
judge the telemetry pipeline (Collectors, Prometheus, Alertmanager) from their own metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from obsctl.analysis import pipeline
from obsctl.backends.http import LogFn, make_client, redact_url
from obsctl.backends.prometheus import PrometheusClient
from obsctl.backends.registry import probe_endpoint
from obsctl.config.discover import save_capabilities
from obsctl.config.kinds import BACKEND_KINDS
from obsctl.config.schema import Endpoint, Settings
from obsctl.errors import BackendError, BackendUnreachable, ConfigError, ObsctlError
from obsctl.model.doctor import (
    SEVERITY,
    CheckStatus,
    DoctorReport,
    EndpointCheck,
    PipelineCheck,
    PipelineReport,
    PipelineStatus,
)
from obsctl.model.time import TimeSyntaxError, format_prom_duration, parse_duration

_NOT_SCRAPED = {
    "collector": "no OpenTelemetry Collector metrics (otelcol_*) in Prometheus: scrape each "
    "Collector's own telemetry endpoint (:8888/metrics) to watch it",
    "prometheus": "Prometheus does not scrape its own /metrics: add a scrape job for it to "
    "watch rule evaluation, the TSDB and remote write",
    "alertmanager": "no Alertmanager metrics in Prometheus: add a scrape job for "
    "Alertmanager's /metrics to watch its notifications",
}


def _window_text(seconds: int) -> str:
    return format_prom_duration(timedelta(seconds=seconds))


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """How ``doctor`` judges the pipeline.

    Args:
        window: seconds the counters are compared over.
        specs: the checks, with the thresholds of the config file applied.
    """

    window: int = pipeline.DEFAULT_WINDOW
    specs: tuple[pipeline.CheckSpec, ...] = pipeline.CATALOGUE


def pipeline_options(settings: Settings, window: str | None) -> PipelineOptions:
    """``--window`` (else the config's ``doctor.window``, else 15m) and the config's thresholds.

    The config file's ``doctor:`` section::

        doctor:
          window: 30m
          thresholds:
            collector.exporter_queue_usage: {degraded: 0.7, failing: 0.95}

    Raises:
        ConfigError: a malformed section, an unknown check or a bad window.
    """
    section = settings.extra.get("doctor") or {}
    if not isinstance(section, Mapping):
        raise ConfigError("doctor: expected a mapping in the config file")
    unknown = set(section) - {"window", "thresholds"}
    if unknown:
        raise ConfigError(
            f"doctor: unknown key {sorted(unknown)[0]!r}", hint="keys: window, thresholds"
        )
    text = window if window is not None else section.get("window")
    seconds = pipeline.DEFAULT_WINDOW
    if text is not None:
        try:
            seconds = int(parse_duration(str(text)).total_seconds())
        except TimeSyntaxError as exc:
            raise ConfigError(f"doctor window: {exc}") from None
        if seconds < 60:
            raise ConfigError(
                f"doctor window {text!r} is shorter than 1m",
                hint="counters need several scrapes inside the window",
            )
    overrides = section.get("thresholds") or {}
    if not isinstance(overrides, Mapping) or not all(
        isinstance(v, Mapping) and all(x is None or isinstance(x, int | float) for x in v.values())
        for v in overrides.values()
    ):
        raise ConfigError("doctor.thresholds: expected check: {degraded: NUMBER, failing: NUMBER}")
    try:
        specs = pipeline.with_thresholds(pipeline.CATALOGUE, overrides)
    except ValueError as exc:
        raise ConfigError(
            f"doctor.thresholds: {exc}", hint="`obsctl doctor --list-checks` names them"
        ) from None
    return PipelineOptions(window=seconds, specs=specs)


def endpoints_to_probe(settings: Settings) -> list[Endpoint]:
    """Configured endpoints; with none configured, the local defaults of the kinds the
    backend-kind table marks ``probe_by_default`` (Prometheus and Alertmanager); and the
    local store when its file exists."""
    kinds = settings.configured_kinds() or [k.name for k in BACKEND_KINDS if k.probe_by_default]
    # A local store on disk is reported even when nothing names it.
    from obsctl.workflows.trace import local_stores

    kinds += [k for k in local_stores(settings) if k not in kinds]
    return [settings.endpoint(k) for k in kinds]


async def _check(ep: Endpoint, log: LogFn | None) -> EndpointCheck:
    url = redact_url(ep.base_url)
    try:
        res = await probe_endpoint(ep, log=log)
    except BackendUnreachable as err:
        return EndpointCheck(
            ep.kind, url, ep.source, CheckStatus.UNREACHABLE, error=err.message, hint=err.hint
        )
    except (BackendError, ConfigError) as err:
        return EndpointCheck(
            ep.kind, url, ep.source, CheckStatus.ERROR, error=err.message, hint=err.hint
        )
    status = CheckStatus.DEGRADED if res.health else CheckStatus.OK
    return EndpointCheck(
        ep.kind,
        url,
        ep.source,
        status,
        latency_ms=res.latency_ms,
        version=res.version,
        flavor=res.flavor,
        capabilities=dict(res.capabilities),
        health=tuple(res.health),
        stats=dict(res.stats),
    )


async def run_doctor(
    settings: Settings,
    *,
    log: LogFn | None = None,
    pipeline_opts: PipelineOptions | None = None,
) -> DoctorReport:
    """Probe all endpoints concurrently; save detected capabilities for other commands.

    With ``pipeline_opts``, also judge the pipeline through the Prometheus endpoint once it
    answered (whether or not it was configured: the default local one counts).
    """
    eps = endpoints_to_probe(settings)
    checks = await asyncio.gather(*(_check(ep, log) for ep in eps))
    for ep, check in zip(eps, checks, strict=True):
        if check.status in (CheckStatus.OK, CheckStatus.DEGRADED):
            save_capabilities(ep, flavor=check.flavor, capabilities=check.capabilities)
    report = None
    if pipeline_opts is not None:
        prom = next((c for c in checks if c.kind == "prometheus"), None)
        window = _window_text(pipeline_opts.window)
        if prom is None:
            report = PipelineReport(
                window, notes=("no Prometheus endpoint: the pipeline checks need one",)
            )
        elif prom.status in (CheckStatus.UNREACHABLE, CheckStatus.ERROR):
            report = PipelineReport(
                window, notes=("Prometheus is not answering: pipeline checks skipped",)
            )
        else:
            ep = settings.endpoint("prometheus")
            report = await check_pipeline(ep, pipeline_opts, flavor=prom.flavor, log=log)
    return DoctorReport(context=settings.context, checks=tuple(checks), pipeline=report)


async def check_pipeline(
    endpoint: Endpoint,
    opts: PipelineOptions,
    *,
    flavor: str | None = None,
    log: LogFn | None = None,
) -> PipelineReport:
    """Run every pipeline check through ``endpoint`` concurrently and judge the answers.

    A component that Prometheus does not scrape is a note, not a check; so is a query the
    server refused (the other checks still run).
    """
    window = _window_text(opts.window)
    notes: list[str] = []
    results: list[PipelineCheck] = []
    async with make_client(endpoint, log=log) as client:
        prom = PrometheusClient(client, endpoint, flavor if flavor != "unknown" else None)

        async def vector(expr: str) -> list[tuple[Mapping[str, str], float]]:
            res = await prom.query(expr)
            return [(s.labels, s.values[-1]) for s in res.series if len(s.values)]

        components = list(pipeline.PRESENCE)
        present = await asyncio.gather(
            *(vector(pipeline.presence_query(c)) for c in components), return_exceptions=True
        )
        scraped: set[str] = set()
        for component, found in zip(components, present, strict=True):
            if isinstance(found, ObsctlError):
                notes.append(f"{component}: cannot tell whether it is scraped: {found.message}")
            elif isinstance(found, BaseException):
                raise found
            elif found:
                scraped.add(component)
            elif component != "prometheus" or prom.flavor == "prometheus":
                notes.append(_NOT_SCRAPED[component])
        # Prometheus's own checks start from ``up``, which needs no self-scrape.
        scraped.add("prometheus")
        specs = [s for s in opts.specs if s.component in scraped]
        answers = await asyncio.gather(
            *(vector(s.query(opts.window)) for s in specs), return_exceptions=True
        )
        for spec, answer in zip(specs, answers, strict=True):
            if isinstance(answer, ObsctlError):
                notes.append(f"{spec.key}: not checked: {answer.message}")
            elif isinstance(answer, BaseException):
                raise answer
            else:
                results.extend(pipeline.judge(spec, answer, window))
    return PipelineReport(window, checks=tuple(results), notes=tuple(notes))


def pipeline_failures(report: DoctorReport, fail_on: PipelineStatus) -> list[PipelineCheck]:
    """Pipeline checks at or above ``fail_on`` (``--fail-on``)."""
    if report.pipeline is None:
        return []
    level = SEVERITY[fail_on]
    return [c for c in report.pipeline.checks if SEVERITY[c.status] >= level]


def raise_for_failures(report: DoctorReport) -> None:
    """Exit 3 when any endpoint is unreachable, else 4 when any answered with an error.

    An endpoint obsctl only links to (Grafana) is reported but does not fail the run: no
    command of obsctl needs it to answer.
    """
    from obsctl.config.kinds import KINDS, UI

    needed = [c for c in report.checks if c.kind not in KINDS or KINDS[c.kind].role != UI]
    unreachable = [c for c in needed if c.status is CheckStatus.UNREACHABLE]
    failing = [c for c in needed if c.status is CheckStatus.ERROR]
    if unreachable:
        names = ", ".join(f"{c.kind} ({c.url})" for c in unreachable)
        raise BackendUnreachable(f"unreachable: {names}")
    if failing:
        names = ", ".join(f"{c.kind} ({c.url})" for c in failing)
        raise BackendError(f"failing: {names}")
