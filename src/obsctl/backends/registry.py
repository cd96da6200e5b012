"""Trace backend kind → implementation."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import httpx

from obsctl.backends.base import TraceBackend
from obsctl.backends.jaeger import JaegerBackend
from obsctl.backends.tempo import TempoBackend
from obsctl.backends.zipkin import ZipkinBackend
from obsctl.config.schema import Endpoint
from obsctl.errors import UsageError
from obsctl.model.trace_analysis import FetchedTrace


class TraceFetcher(TraceBackend, Protocol):
    """A ``TraceBackend`` that also hands back the raw body and takes time hints."""

    async def fetch(
        self, trace_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> FetchedTrace:
        """The trace and its raw body; ``start``/``end`` narrow the lookup where supported."""
        ...


TRACE_BACKENDS: dict[str, type[TempoBackend] | type[JaegerBackend] | type[ZipkinBackend]] = {
    "tempo": TempoBackend,
    "jaeger": JaegerBackend,
    "zipkin": ZipkinBackend,
}


def make_trace_backend(kind: str, client: httpx.AsyncClient, endpoint: Endpoint) -> TraceFetcher:
    """The ``TraceBackend`` for ``kind`` (``tempo``, ``jaeger`` or ``zipkin``).

    Args:
        kind: backend kind.
        client: from ``backends.http.make_client(endpoint)``.
        endpoint: the resolved endpoint.

    Raises:
        UsageError: unknown kind.
    """
    try:
        factory = TRACE_BACKENDS[kind]
    except KeyError:
        raise UsageError(
            f"unknown trace backend {kind!r}: expected one of {', '.join(TRACE_BACKENDS)}"
        ) from None
    return factory(client, endpoint)
