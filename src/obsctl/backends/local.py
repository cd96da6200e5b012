"""The ``local`` trace backend: the embedded store that ``obsctl receive`` writes.

No HTTP: the endpoint's locator is a file path. Reads go through ``store.StoreReader`` (a
read-only SQLite connection, safe while the receiver writes). The store also holds log
records, so this backend is a log source too (``logs``), the first implementation of the
``LogBackend`` protocol a remote log store (Loki) would implement next.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from obsctl.backends.http import LogFn
from obsctl.backends.probes import ProbeResult
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable, NotFound, ObsctlError
from obsctl.model.logs import LogQuery, LogRecord
from obsctl.model.time import from_unix_ns
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import Trace, TraceSearch, TraceSummary

if TYPE_CHECKING:
    from obsctl.store.sqlite import StoreStats


class LocalBackend:
    """``TraceBackend`` and ``LogBackend`` over the local store.

    Args:
        store: the store file (or its directory).

    Raises:
        BackendUnreachable: no store there (hint: start ``obsctl receive``), like a server
            that does not answer: with several trace backends, the next one is asked.
        UsageError: the file is not an obsctl store.
    """

    name = "local"

    def __init__(self, store: str | Path) -> None:
        # The store (sqlite3, protobuf, the OTLP messages: ~100 ms) loads only when a local
        # store is opened; the registry imports this module for every trace backend.
        from obsctl.store.sqlite import StoreReader

        try:
            self.reader = StoreReader(store)
        except NotFound as err:
            raise BackendUnreachable(
                err.message, backend=self.name, url=str(store), hint=err.hint
            ) from None
        self.path = self.reader.path

    def close(self) -> None:
        """Close the store connection."""
        self.reader.close()

    async def fetch(
        self, trace_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> FetchedTrace:
        """The trace from the store (``start``/``end`` are not needed: lookups are by ID).

        Raises:
            NotFound: the store does not hold the trace.
        """
        trace = await asyncio.to_thread(self.reader.trace, trace_id)
        if trace is None:
            raise NotFound(
                f"trace {trace_id} not found in the local store {self.path}",
                hint="the store holds what `obsctl receive` was sent (within its --retention); "
                "is the application exporting to it?",
            )
        return FetchedTrace(trace=trace, raw=b"", source=self.name, api="store")

    async def fetch_trace(self, trace_id: str) -> Trace:
        """The trace with ``trace_id``; see ``fetch``."""
        return (await self.fetch(trace_id)).trace

    async def trace_ids_with_prefix(self, prefix: str, limit: int = 6) -> list[str]:
        """Up to ``limit`` stored trace IDs starting with the hex ``prefix`` (as git resolves a
        shortened commit ID)."""
        return await asyncio.to_thread(self.reader.trace_ids_with_prefix, prefix, limit)

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Traces with a span matching ``query``, most recent first."""
        return await asyncio.to_thread(self.reader.search, query)

    async def logs(self, query: LogQuery) -> list[LogRecord]:
        """Log records matching ``query``, oldest first."""
        return await asyncio.to_thread(self.reader.logs, query)

    async def stats(self) -> StoreStats:
        """Counts, time range and size of the store."""
        return await asyncio.to_thread(self.reader.stats)


@asynccontextmanager
async def open_local(store: str | Path) -> AsyncIterator[LocalBackend]:
    """``async with open_local(path) as backend``: the store is closed on exit."""
    backend = LocalBackend(store)
    try:
        yield backend
    finally:
        backend.close()


def open_local_endpoint(
    endpoint: Endpoint, log: LogFn | None = None
) -> AbstractAsyncContextManager[LocalBackend]:
    """The registry's opener: the store at the endpoint's path (``--store``)."""
    return open_local(endpoint.url)


async def probe_local(
    endpoint: Endpoint, res: ProbeResult, log: LogFn | None, timeout: float
) -> None:
    """``doctor``: the store's spans, traces, logs, time range and size.

    Raises:
        BackendUnreachable: no store at the path; BackendError: not an obsctl store.
    """
    started = time.perf_counter()
    try:
        async with open_local(endpoint.url) as local:
            stats = await local.stats()
    except BackendUnreachable:
        raise
    except ObsctlError as err:
        raise BackendError(err.message, backend="local", hint=err.hint) from None
    res.latency_ms = (time.perf_counter() - started) * 1000
    res.version = f"store v{stats.schema}"
    res.stats.update(
        {
            "spans": stats.spans,
            "traces": stats.traces,
            "logs": stats.logs,
            "size_bytes": stats.size_bytes,
        }
    )
    if stats.oldest_ns is not None and stats.newest_ns is not None:
        oldest, newest = from_unix_ns(stats.oldest_ns), from_unix_ns(stats.newest_ns)
        last = (
            f"{newest:%H:%M:%S}"
            if newest.date() == oldest.date()
            else f"{newest:%Y-%m-%d %H:%M:%S}"
        )
        res.version += f", data {oldest:%Y-%m-%d %H:%M:%S}–{last} UTC"
    else:
        res.health.append("empty: nothing received yet (is anything exporting to it?)")
