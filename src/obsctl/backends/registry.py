"""Backend kind name → implementation: how to open its trace backend and how doctor probes it.

The facts about each kind (role, default URL, flag, environment variable) live in the
backend-kind table, ``obsctl.config.kinds``; this module adds the code, keyed by the same
names. A test checks that both list the same kinds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import NamedTuple

import httpx

from obsctl.backends import probes
from obsctl.backends.base import TraceBackend
from obsctl.backends.http import LogFn, make_client, redact_url
from obsctl.backends.jaeger import JaegerBackend
from obsctl.backends.local import open_local_endpoint, probe_local
from obsctl.backends.tempo import TempoBackend
from obsctl.backends.zipkin import ZipkinBackend
from obsctl.config.kinds import TRACES, kinds_with_role
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendUnreachable, UsageError

HttpTraceFactory = Callable[[httpx.AsyncClient, Endpoint], TraceBackend]
"""Builds a trace backend on an HTTP client made for its endpoint (a backend class)."""
TraceOpener = Callable[[Endpoint, "LogFn | None"], AbstractAsyncContextManager[TraceBackend]]
"""Opens a trace backend for an endpoint and closes what it holds (client, store) on exit."""
Probe = Callable[[Endpoint, probes.ProbeResult, "LogFn | None", float], Awaitable[None]]
"""Fills a ``ProbeResult`` for ``doctor``; raises domain errors when the endpoint fails."""


def probe_over_http(probe: probes.HttpProbe) -> Probe:
    """A ``Probe`` that makes the endpoint's HTTP client (timeout capped) and runs ``probe``."""

    async def run(
        endpoint: Endpoint, res: probes.ProbeResult, log: LogFn | None, timeout: float
    ) -> None:
        limit = min(timeout, endpoint.timeout)
        # Probe answers are small (build info, service lists) and doctor probes endpoints
        # concurrently: each gets a small cap rather than the one sized for query answers.
        endpoint = replace(
            endpoint, max_response_bytes=min(endpoint.max_response_bytes, probes.PROBE_MAX_BYTES)
        )
        # A probe makes up to ~8 small requests; a server trickling bytes slower than the
        # read timeout must not hold doctor up for longer than this.
        deadline = 4 * limit
        try:
            async with (
                asyncio.timeout(deadline),
                make_client(endpoint, log=log, timeout=limit) as c,
            ):
                await probe(c, endpoint, res)
        except TimeoutError:
            url = redact_url(endpoint.base_url)
            raise BackendUnreachable(
                f"{endpoint.display_name} at {url} did not finish answering the probes "
                f"within {deadline:g}s",
                backend=endpoint.kind,
                url=url,
                hint=f"raise `timeout` for {endpoint.kind} in the context if it is just slow",
            ) from None

    return run


class Implementation(NamedTuple):
    """The code behind one backend kind."""

    probe: Probe
    """How ``doctor`` checks an endpoint of this kind."""
    traces: HttpTraceFactory | None = None
    """The trace backend class of a kind with the ``traces`` role that speaks HTTP."""
    open_traces: TraceOpener | None = None
    """How to open a trace backend that does not speak HTTP (a local store)."""


IMPLEMENTATIONS: dict[str, Implementation] = {
    "prometheus": Implementation(probe_over_http(probes.probe_prometheus)),
    "alertmanager": Implementation(probe_over_http(probes.probe_alertmanager)),
    "tempo": Implementation(probe_over_http(probes.probe_tempo), TempoBackend),
    "jaeger": Implementation(probe_over_http(probes.probe_jaeger), JaegerBackend),
    "zipkin": Implementation(probe_over_http(probes.probe_zipkin), ZipkinBackend),
    "local": Implementation(probe_local, open_traces=open_local_endpoint),
    "grafana": Implementation(probe_over_http(probes.probe_grafana)),
}
"""Every kind of the backend-kind table, by name."""


def _trace_impl(kind: str) -> Implementation:
    impl = IMPLEMENTATIONS.get(kind)
    if impl is None or (impl.traces is None and impl.open_traces is None):
        raise UsageError(
            f"unknown trace backend {kind!r}: expected one of {', '.join(kinds_with_role(TRACES))}"
        )
    return impl


@asynccontextmanager
async def _over_http(
    factory: HttpTraceFactory, endpoint: Endpoint, log: LogFn | None
) -> AsyncIterator[TraceBackend]:
    async with make_client(endpoint, log=log) as client:
        yield factory(client, endpoint)


def open_trace_backend(
    kind: str, endpoint: Endpoint, *, log: LogFn | None = None
) -> AbstractAsyncContextManager[TraceBackend]:
    """Open the trace backend of ``kind`` on ``endpoint``: ``async with … as backend``.

    HTTP backends get a client made for the endpoint, closed on exit.

    Raises:
        UsageError: ``kind`` is not a trace backend.
    """
    impl = _trace_impl(kind)
    if impl.traces is not None:
        return _over_http(impl.traces, endpoint, log)
    assert impl.open_traces is not None  # _trace_impl checked
    return impl.open_traces(endpoint, log)


def make_trace_backend(kind: str, client: httpx.AsyncClient, endpoint: Endpoint) -> TraceBackend:
    """The HTTP trace backend of ``kind`` on an existing client (``tempo``, ``jaeger`` …).

    Raises:
        UsageError: ``kind`` is not a trace backend, or not one spoken over HTTP.
    """
    factory = _trace_impl(kind).traces
    if factory is None:
        raise UsageError(f"trace backend {kind!r} does not speak HTTP")
    return factory(client, endpoint)


async def probe_endpoint(
    endpoint: Endpoint, *, log: LogFn | None = None, timeout: float = 10.0
) -> probes.ProbeResult:
    """Probe one endpoint for ``doctor``.

    Raises:
        BackendUnreachable, BackendError, ConfigError: the endpoint fails.
    """
    res = probes.ProbeResult()
    await IMPLEMENTATIONS[endpoint.kind].probe(endpoint, res, log, timeout)
    return res
