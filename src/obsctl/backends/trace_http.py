"""What the HTTP trace backends (Tempo, Jaeger, Zipkin) share: ``HttpTraceBackend``.

A subclass sets ``name`` and ``retention`` and implements ``_fetch`` and ``search``; the base
supplies the constructor, ``fetch`` (an empty trace is an unknown one), ``fetch_trace``, the
not-found error with its hint, and JSON ``GET``s through ``backends.http.send``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

import httpx

from obsctl.backends.http import ACCEPT_JSON, redact_url, send
from obsctl.config.kinds import KINDS, TRACES, kinds_with_role
from obsctl.config.schema import Endpoint
from obsctl.errors import NotFound
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import Trace, TraceSearch, TraceSummary


class HttpTraceBackend:
    """Base of the ``TraceBackend`` implementations that speak HTTP.

    Args:
        client: from ``backends.http.make_client(endpoint)``; the tenant header and auth
            come with it.
        endpoint: the resolved endpoint.
    """

    name: ClassVar[str]
    """The backend kind (a row of the backend-kind table)."""
    retention: ClassVar[str]
    """How long the backend keeps traces, for the not-found hint: ``its block retention …``."""
    check: ClassVar[str] = "check the ID"
    """What the not-found hint suggests checking first."""

    def __init__(self, client: httpx.AsyncClient, endpoint: Endpoint) -> None:
        self.client = client
        self.endpoint = endpoint

    @property
    def title(self) -> str:
        """Display name: ``Tempo``."""
        return KINDS[self.name].title

    def _not_found(self, trace_id: str) -> NotFound:
        """The error for a trace the backend does not know, with what to try next."""
        tenant = f" (tenant {self.endpoint.tenant})" if self.endpoint.tenant else ""
        others = "|".join(k for k in kinds_with_role(TRACES) if k != self.name)
        return NotFound(
            f"trace {trace_id} not found in {self.title} at "
            f"{redact_url(self.endpoint.base_url)}{tenant}",
            hint=f"{self.title} keeps traces only for {self.retention} and a trace may have "
            f"been sampled out; {self.check}, or try --backend {others}",
        )

    async def _get(
        self,
        path: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """``GET path`` asking for JSON; statuses in ``ok_statuses`` are returned, not raised."""
        return await send(
            self.client,
            self.endpoint,
            "GET",
            path,
            params=params,
            headers=ACCEPT_JSON,
            ok_statuses=ok_statuses,
            what=what,
        )

    def _fetched(self, trace_id: str, trace: Trace, resp: httpx.Response, api: str) -> FetchedTrace:
        """``trace`` with the body it came in; an empty trace is an unknown one."""
        if not trace.spans:
            raise self._not_found(trace_id)
        return FetchedTrace(trace=trace, raw=resp.content, source=self.name, api=api)

    async def fetch(
        self, trace_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> FetchedTrace:
        """The trace with ``trace_id`` (32 lowercase hex) and its raw body; ``start``/``end``
        narrow the lookup where the backend supports it.

        Raises:
            NotFound: the backend does not know the trace.
            BackendError, BackendUnreachable: HTTP failures; ParseError (exit 4): bad payload.
        """
        return await self._fetch(trace_id, start, end)

    async def _fetch(
        self, trace_id: str, start: datetime | None, end: datetime | None
    ) -> FetchedTrace:
        raise NotImplementedError

    async def fetch_trace(self, trace_id: str) -> Trace:
        """The trace with ``trace_id`` (32 lowercase hex); see ``fetch``."""
        return (await self.fetch(trace_id)).trace

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Traces matching ``query``, most recent first."""
        raise NotImplementedError
