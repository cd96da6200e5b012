"""Protocols that the workflows and the TUI program against, and what the trace backends share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from obsctl.analysis.traces import summarize_trace
from obsctl.errors import UsageError
from obsctl.model.logs import LogQuery, LogRecord
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


class LogBackend(Protocol):
    """A source of log records (the local store today; Loki would be the next).

    Implementations map their lines into ``LogRecord`` (time, trace and span IDs, service,
    severity number and text, body, attributes) and answer a ``LogQuery``.
    """

    name: str

    async def logs(self, query: LogQuery) -> list[LogRecord]:
        """Records matching ``query``, oldest first, at most ``query.limit``."""
        ...


def reject_traceql(query: TraceSearch, backend: str) -> None:
    """Refuse a TraceQL search on a backend (``Jaeger``, ``Zipkin``) that has no TraceQL.

    Raises:
        UsageError: ``query.traceql`` is set.
    """
    if query.traceql:
        raise UsageError(
            f"--query (TraceQL) works with Tempo only; {backend} searches by "
            "--service, --operation, --tag and --min-duration"
        )


def newest_first(traces: Iterable[Trace], limit: int) -> list[TraceSummary]:
    """Summaries of ``traces``, most recent first, at most ``limit`` of them."""
    summaries = [summarize_trace(t) for t in traces]
    summaries.sort(key=lambda s: s.start, reverse=True)
    return summaries[:limit]
