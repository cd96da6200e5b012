"""Jaeger query: trace by ID and search, over api_v3 (OTLP JSON) with the legacy ``/api``
(Jaeger JSON) as fallback for servers that predate api_v3.

api_v3 is preferred because Jaeger removed the legacy search after v2.20. Jaeger sends its
error bodies as JSON with ``Content-Type: text/plain``; ``send``/``decode_json`` cope.
Parameters use the snake_case names that every api_v3 version accepts.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import orjson

from obsctl.backends.base import newest_first, reject_traceql
from obsctl.backends.http import decode_json
from obsctl.backends.trace_http import HttpTraceBackend
from obsctl.errors import UsageError
from obsctl.model.time import format_rfc3339_nano, to_unix_us
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import Trace, TraceSearch, TraceSummary
from obsctl.parsers.jaeger import parse_jaeger_trace, parse_jaeger_traces
from obsctl.parsers.otlp import parse_otlp_trace, parse_otlp_traces
from obsctl.parsers.otlp_struct import parse_otlp_bytes

_FALLBACK = frozenset({404, 405, 501})


def go_duration(ns: int) -> str:
    """A Go duration (``300ms``, ``1500us``) for ``ns`` nanoseconds.

    >>> go_duration(300_000_000), go_duration(1_500_000_000)
    ('300ms', '1500ms')
    """
    for unit, size in (("ms", 1_000_000), ("us", 1_000)):
        if ns and ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


def _filters(
    query: TraceSearch, *, operation: str, tags: str, min_duration: str, max_duration: str
) -> dict[str, str]:
    """The optional filters of a search, under the parameter names of one API version."""
    params: dict[str, str] = {}
    if query.operation:
        params[operation] = query.operation
    wanted = dict(query.tags)
    if query.errors:
        wanted["error"] = "true"  # how Jaeger tags a span whose status is error
    if wanted:
        params[tags] = orjson.dumps(wanted).decode()
    if query.min_duration_ns:
        params[min_duration] = go_duration(query.min_duration_ns)
    if query.max_duration_ns:
        params[max_duration] = go_duration(query.max_duration_ns)
    return params


def _json_error(resp: httpx.Response) -> str | None:
    """The message of a Jaeger JSON error body (api_v3 or v1 envelope), if it is one."""
    try:
        doc = orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        return None
    if isinstance(doc, dict):
        err = doc.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        errors = doc.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("msg", ""))
    return None


def _is_html(resp: httpx.Response) -> bool:
    return "html" in resp.headers.get("content-type", "") or resp.content.lstrip()[:1] == b"<"


class JaegerBackend(HttpTraceBackend):
    """``TraceBackend`` for Jaeger."""

    name = "jaeger"
    retention = "its storage's retention (the in-memory store loses them on restart)"

    async def _fetch(
        self, trace_id: str, start: datetime | None, end: datetime | None
    ) -> FetchedTrace:
        """Fetch a trace with its raw body: ``/api/v3/traces/{id}``, else ``/api/traces/{id}``."""
        params: dict[str, str] = {}
        if start is not None:
            params["start_time"] = format_rfc3339_nano(start)
        if end is not None:
            params["end_time"] = format_rfc3339_nano(end)
        what = f"trace {trace_id}"
        resp = await self._get(
            f"/api/v3/traces/{trace_id}", params=params, ok_statuses=_FALLBACK, what=what
        )
        if resp.status_code == 404 and _json_error(resp) is not None:
            raise self._not_found(trace_id)
        if resp.status_code == 200 and not _is_html(resp):
            v3 = "Jaeger api_v3 trace"
            trace = parse_otlp_bytes(
                resp.content, trace_id=trace_id, from_backend=True, what=v3
            ) or parse_otlp_trace(
                decode_json(resp, self.endpoint, what=what),
                trace_id=trace_id,
                from_backend=True,
                what=v3,
            )
            return FetchedTrace(
                trace=trace, raw=resp.content, source=self.name, api="/api/v3/traces"
            )
        # No api_v3 here (404 page, 405/501, or the UI's index.html): the legacy API.
        v1_params: dict[str, str] = {}
        if start is not None:
            v1_params["start"] = str(to_unix_us(start))
        if end is not None:
            v1_params["end"] = str(to_unix_us(end))
        resp = await self._get(
            f"/api/traces/{trace_id}",
            params=v1_params,
            ok_statuses=frozenset({404}),
            what=what,
        )
        if resp.status_code == 404:
            raise self._not_found(trace_id)
        doc = decode_json(resp, self.endpoint, what=what)
        trace = parse_jaeger_trace(doc, trace_id=trace_id, from_backend=True, what="Jaeger trace")
        return self._fetched(trace_id, trace, resp, "/api/traces")

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """Search by service (required by Jaeger), operation, tags and span duration.

        Raises:
            UsageError: no service given.
        """
        reject_traceql(query, "Jaeger")
        if not query.service:
            raise UsageError("Jaeger search needs --service")
        params: dict[str, str] = {
            "query.service_name": query.service,
            "query.start_time_min": format_rfc3339_nano(query.start),
            "query.start_time_max": format_rfc3339_nano(query.end),
            "query.search_depth": str(query.limit),
        }
        params.update(
            _filters(
                query,
                operation="query.operation_name",
                tags="query.attributes",
                min_duration="query.duration_min",
                max_duration="query.duration_max",
            )
        )
        resp = await self._get(
            "/api/v3/traces", params=params, ok_statuses=_FALLBACK, what="trace search"
        )
        if resp.status_code == 404 and _json_error(resp) is not None:
            return []  # api_v3 says "No traces found" with a 404
        if resp.status_code == 200 and not _is_html(resp):
            doc = decode_json(resp, self.endpoint, what="trace search")
            traces = parse_otlp_traces(doc, from_backend=True, what="Jaeger api_v3 search")
        else:
            traces = await self._search_v1(query)
        return newest_first(traces, query.limit)

    async def _search_v1(self, query: TraceSearch) -> list[Trace]:
        params: dict[str, str] = {
            "service": query.service or "",
            "start": str(to_unix_us(query.start)),
            "end": str(to_unix_us(query.end)),
            "limit": str(query.limit),
        }
        params.update(
            _filters(
                query,
                operation="operation",
                tags="tags",
                min_duration="minDuration",
                max_duration="maxDuration",
            )
        )
        resp = await self._get("/api/traces", params=params, what="trace search")
        doc = decode_json(resp, self.endpoint, what="trace search")
        return parse_jaeger_traces(doc, from_backend=True, what="Jaeger search")
