"""Zipkin: trace by ID (``/api/v2/trace/{id}``) and search (``/api/v2/traces``).

Zipkin speaks microseconds for durations and milliseconds for query times (``endTs``,
``lookback``); its 404 for an unknown trace is ``text/plain`` "<id> not found".
"""

from __future__ import annotations

from datetime import datetime

from obsctl.backends.base import newest_first, reject_traceql
from obsctl.backends.http import decode_json
from obsctl.backends.trace_http import HttpTraceBackend
from obsctl.model.time import to_unix_ms
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import TraceSearch, TraceSummary
from obsctl.parsers.zipkin import parse_zipkin_trace, parse_zipkin_traces


def zipkin_trace_id(trace_id: str) -> str:
    """Zipkin's form of a 32-hex ID: 16 chars when the high half is zero (64-bit IDs).

    >>> zipkin_trace_id("0000000000000000a3ce929d0e0e4736")
    'a3ce929d0e0e4736'
    """
    return trace_id[16:] if trace_id.startswith("0" * 16) else trace_id


class ZipkinBackend(HttpTraceBackend):
    """``TraceBackend`` for Zipkin."""

    name = "zipkin"
    retention = "its storage's TTL (the in-memory store keeps a bounded number of spans)"

    async def _fetch(
        self, trace_id: str, start: datetime | None, end: datetime | None
    ) -> FetchedTrace:
        """Fetch a trace with its raw body (``start``/``end`` are not used by Zipkin)."""
        del start, end
        what = f"trace {trace_id}"
        resp = await self._get(
            f"/api/v2/trace/{zipkin_trace_id(trace_id)}", ok_statuses=frozenset({404}), what=what
        )
        if resp.status_code == 404:
            raise self._not_found(trace_id)
        doc = decode_json(resp, self.endpoint, what=what)
        if doc == []:
            raise self._not_found(trace_id)
        trace = parse_zipkin_trace(doc, trace_id=trace_id, from_backend=True, what="Zipkin trace")
        return self._fetched(trace_id, trace, resp, "/api/v2/trace")

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Search by service, span name, tags and errors (``annotationQuery``) and span
        duration."""
        reject_traceql(query, "Zipkin")
        end_ms = to_unix_ms(query.end)
        params: dict[str, str] = {
            "endTs": str(end_ms),
            "lookback": str(max(1, end_ms - to_unix_ms(query.start))),
            "limit": str(query.limit),
        }
        if query.service:
            params["serviceName"] = query.service
        if query.operation:
            params["spanName"] = query.operation
        terms = [f"{k}={v}" for k, v in query.tags]
        if query.errors:
            terms.append("error")  # a span tagged ``error``, whatever its value
        if terms:
            params["annotationQuery"] = " and ".join(terms)
        if query.min_duration_ns:
            params["minDuration"] = str(max(1, query.min_duration_ns // 1000))
        if query.max_duration_ns:
            params["maxDuration"] = str(max(1, query.max_duration_ns // 1000))
        resp = await self._get("/api/v2/traces", params=params, what="trace search")
        doc = decode_json(resp, self.endpoint, what="trace search")
        traces = parse_zipkin_traces(doc, from_backend=True, what="Zipkin search")
        return newest_first(traces, query.limit)
