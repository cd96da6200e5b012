"""``doctor``: probe every configured endpoint concurrently and record capabilities."""

from __future__ import annotations

import asyncio

from obsctl.backends.http import LogFn, redact_url
from obsctl.backends.registry import probe_endpoint
from obsctl.config.discover import save_capabilities
from obsctl.config.kinds import BACKEND_KINDS
from obsctl.config.schema import Endpoint, Settings
from obsctl.errors import BackendError, BackendUnreachable, ConfigError
from obsctl.model.doctor import CheckStatus, DoctorReport, EndpointCheck


def endpoints_to_probe(settings: Settings) -> list[Endpoint]:
    """Configured endpoints; with none configured, the local defaults of the kinds the
    backend-kind table marks ``probe_by_default`` (Prometheus and Alertmanager)."""
    kinds = settings.configured_kinds() or [k.name for k in BACKEND_KINDS if k.probe_by_default]
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


async def run_doctor(settings: Settings, *, log: LogFn | None = None) -> DoctorReport:
    """Probe all endpoints concurrently; save detected capabilities for other commands."""
    eps = endpoints_to_probe(settings)
    checks = await asyncio.gather(*(_check(ep, log) for ep in eps))
    for ep, check in zip(eps, checks, strict=True):
        if check.status in (CheckStatus.OK, CheckStatus.DEGRADED):
            save_capabilities(ep, flavor=check.flavor, capabilities=check.capabilities)
    return DoctorReport(context=settings.context, checks=tuple(checks))


def raise_for_failures(report: DoctorReport) -> None:
    """Exit 3 when any endpoint is unreachable, else 4 when any answered with an error."""
    unreachable = [c for c in report.checks if c.status is CheckStatus.UNREACHABLE]
    failing = [c for c in report.checks if c.status is CheckStatus.ERROR]
    if unreachable:
        names = ", ".join(f"{c.kind} ({c.url})" for c in unreachable)
        raise BackendUnreachable(f"unreachable: {names}")
    if failing:
        names = ", ".join(f"{c.kind} ({c.url})" for c in failing)
        raise BackendError(f"failing: {names}")
