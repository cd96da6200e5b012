"""Protocols that the workflows and the TUI program against."""

from __future__ import annotations

from typing import Protocol

from obsctl.model.traces import Trace, TraceSearch, TraceSummary


class TraceBackend(Protocol):
    """A source of traces (Tempo, Jaeger, Zipkin).

    Implementations take an ``httpx.AsyncClient`` made by ``backends.http.make_client`` and
    the resolved ``Endpoint``; they never print and never read the environment.
    """

    name: str
    """``tempo``, ``jaeger`` or ``zipkin``."""

    async def fetch_trace(self, trace_id: str) -> Trace:
        """The trace with ``trace_id`` (32 lowercase hex).

        Raises:
            NotFound: the backend does not know the trace.
            BackendError, BackendUnreachable: as the HTTP layer maps them.
        """
        ...

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Traces matching ``query``, most recent first."""
        ...
