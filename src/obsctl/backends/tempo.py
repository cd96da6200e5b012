"""Grafana Tempo: trace by ID (``/api/v2/traces``, falling back to ``/api/traces``) and
TraceQL search (``/api/search``).

Tempo answers JSON when asked (``Accept: application/json``) in gogo/jsonpb encoding: base64
IDs, enum names, 64-bit integers as strings; ``parsers.otlp`` reads all of it. The tenant
(``X-Scope-OrgID``) comes from the endpoint through ``make_client``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from obsctl.backends.http import decode_json
from obsctl.backends.trace_http import HttpTraceBackend
from obsctl.errors import BackendError
from obsctl.model.time import from_unix_ns
from obsctl.model.trace_analysis import FetchedTrace
from obsctl.model.traces import TraceIdError, TraceSearch, TraceSummary, normalize_trace_id
from obsctl.parsers.otlp import find_resource_spans, parse_otlp_trace
from obsctl.parsers.otlp_struct import parse_otlp_bytes

_MISSING_ROUTE = frozenset({404, 405, 501})


def go_duration(ns: int) -> str:
    """A Go/TraceQL duration for ``ns`` nanoseconds, in the largest exact unit.

    >>> go_duration(300_000_000), go_duration(1_500), go_duration(2_000_000_000)
    ('300ms', '1500ns', '2s')
    """
    for unit, size in (
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
    ):
        if ns and ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def traceql_for(query: TraceSearch) -> str:
    """The TraceQL of a search: ``query.traceql`` as given (``errors`` is then the caller's to
    refuse), else built from the other fields.

    >>> from datetime import datetime, UTC
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> traceql_for(TraceSearch(t, t, service="api", tags=(("http.route", "/x"),),
    ...                         min_duration_ns=300_000_000))
    '{ resource.service.name = "api" && .http.route = "/x" && duration >= 300ms }'
    >>> traceql_for(TraceSearch(t, t, service="api", errors=True))
    '{ resource.service.name = "api" && status = error }'
    """
    if query.traceql:
        return query.traceql
    conds: list[str] = []
    if query.service:
        conds.append(f"resource.service.name = {_quote(query.service)}")
    if query.operation:
        conds.append(f"name = {_quote(query.operation)}")
    for key, value in query.tags:
        attr = key if key.startswith(("span.", "resource.", ".")) else f".{key}"
        conds.append(f"{attr} = {_quote(value)}")
    if query.min_duration_ns:
        conds.append(f"duration >= {go_duration(query.min_duration_ns)}")
    if query.max_duration_ns:
        conds.append(f"duration <= {go_duration(query.max_duration_ns)}")
    if query.errors:
        conds.append("status = error")
    return "{ " + " && ".join(conds) + " }" if conds else "{ }"


class TempoBackend(HttpTraceBackend):
    """``TraceBackend`` for Tempo."""

    name = "tempo"
    retention = "its block retention (14 days by default)"
    check = "check the ID and tenant, widen --start/--end"

    async def _fetch(
        self, trace_id: str, start: datetime | None, end: datetime | None
    ) -> FetchedTrace:
        """Fetch a trace with its raw body: v2 API first, v1 on servers older than 2.6.

        An unknown trace is a 404 or an empty trace.
        """
        params: dict[str, str] = {}
        if start is not None:
            params["start"] = str(int(start.timestamp()))
        if end is not None:
            params["end"] = str(int(end.timestamp()) + 1)
        what = f"trace {trace_id}"
        api = "/api/v2/traces"
        resp = await self._get(
            f"{api}/{trace_id}", params=params, ok_statuses=_MISSING_ROUTE, what=what
        )
        if resp.status_code in _MISSING_ROUTE and not self._is_trace_not_found(resp):
            # Tempo < 2.6 has no v2 endpoint: Go's mux answers "404 page not found".
            api = "/api/traces"
            resp = await self._get(
                f"{api}/{trace_id}", params=params, ok_statuses=frozenset({404}), what=what
            )
        if resp.status_code == 404:
            raise self._not_found(trace_id)
        what = f"Tempo {'v2' if api.startswith('/api/v2') else 'v1'} trace"
        if b'"PARTIAL"' not in resp.content:  # partial traces need the status: full decode
            fast = parse_otlp_bytes(resp.content, trace_id=trace_id, from_backend=True, what=what)
            if fast is not None and fast.spans:
                return self._fetched(trace_id, fast, resp, api)
        doc = decode_json(resp, self.endpoint, what=f"trace {trace_id}")
        # An empty trace ({"trace": {}} or no resource spans) is an unknown trace.
        if find_resource_spans(doc) == [] or (
            isinstance(doc, dict) and "trace" in doc and not doc["trace"]
        ):
            raise self._not_found(trace_id)
        trace = parse_otlp_trace(doc, trace_id=trace_id, from_backend=True, what=what)
        if trace.spans and isinstance(doc, dict) and doc.get("status") == "PARTIAL":
            note = f"Tempo returned a partial trace: {doc.get('message') or 'no reason given'}"
            trace = replace(trace, warnings=(*trace.warnings, note))
        return self._fetched(trace_id, trace, resp, api)

    @staticmethod
    def _is_trace_not_found(resp: httpx.Response) -> bool:
        # The v2 endpoint answers an unknown trace with 404 and an empty body.
        if resp.status_code != 404:
            return False
        body = resp.text.strip().lower()
        if body.startswith("<"):  # a proxy's HTML 404 page: the route, not the trace
            return False
        return body == "" or ("not found" in body and "page not found" not in body)

    async def search(self, query: TraceSearch) -> list[TraceSummary]:
        """TraceQL search over ``[query.start, query.end]`` (always sent: without it Tempo
        searches recent data only)."""
        params = {
            "q": traceql_for(query),
            "limit": str(query.limit),
            "start": str(int(query.start.timestamp())),
            "end": str(max(int(query.end.timestamp()), int(query.start.timestamp()) + 1)),
        }
        resp = await self._get("/api/search", params=params, what="trace search")
        doc = decode_json(resp, self.endpoint, what="trace search")
        # Tempo sends "traces" (possibly empty) next to "metrics"; anything else is not a
        # search answer, however successful it claims to be.
        if not isinstance(doc, dict) or not isinstance(
            doc.get("traces", [] if "metrics" in doc else None), list
        ):
            raise BackendError("Tempo search answered without a traces list", backend=self.name)
        return [self._summary(t) for t in doc.get("traces") or []]

    def _summary(self, t: Any) -> TraceSummary:
        try:
            trace_id = normalize_trace_id(str(t["traceID"]))
            stats = t.get("serviceStats") or {}
            spans = sum(int(v.get("spanCount", 0)) for v in stats.values()) if stats else None
            errors = sum(int(v.get("errorCount", 0)) for v in stats.values()) if stats else None
            return TraceSummary(
                trace_id=trace_id,
                root_service=str(t.get("rootServiceName") or ""),
                root_name=str(t.get("rootTraceName") or ""),
                start=from_unix_ns(int(t.get("startTimeUnixNano") or 0)),
                duration_ns=int(float(t.get("durationMs") or 0) * 1_000_000),
                span_count=spans,
                error_count=errors,
                services=tuple(stats),
            )
        except (KeyError, TypeError, ValueError, AttributeError, TraceIdError) as exc:
            raise BackendError(
                f"Tempo search result malformed ({type(exc).__name__}: {exc})", backend=self.name
            ) from None
