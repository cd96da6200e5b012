"""Zipkin backend: request shape, not found, bad payloads, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import respx
from trace_helpers import TRACE_ID, endpoint, fixture_bytes, reference_trace

from obsctl.backends.http import make_client
from obsctl.backends.registry import make_trace_backend
from obsctl.errors import NotFound, ParseError, UsageError, exit_code_of
from obsctl.exit_codes import ExitCode
from obsctl.model.traces import TraceSearch

URL = "http://zipkin.test"


async def backend_call(fn):
    ep = endpoint("zipkin", URL)
    async with make_client(ep) as client:
        return await fn(make_trace_backend("zipkin", client, ep))


async def test_fetch_request_and_decoding():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get(f"/api/v2/trace/{TRACE_ID}", name="trace").respond(
            200, content=fixture_bytes("zipkin/v2/checkout.json")
        )
        fetched = await backend_call(lambda b: b.fetch(TRACE_ID))
    assert route.calls.last.request.headers["accept"] == "application/json"
    expected = reference_trace()
    expected = replace(
        expected, spans=tuple(replace(s, name=s.name.lower()) for s in expected.spans)
    )
    assert fetched.trace == expected


async def test_64_bit_ids_are_sent_as_16_chars():
    short = "0000000000000000a3ce929d0e0e4736"
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get("/api/v2/trace/a3ce929d0e0e4736", name="trace").respond(
            200,
            json=[
                {
                    "traceId": "a3ce929d0e0e4736",
                    "id": "0000000000000001",
                    "timestamp": 1,
                    "duration": 2,
                }
            ],
        )
        fetched = await backend_call(lambda b: b.fetch(short))
    assert fetched.trace.trace_id == short


async def test_not_found_text_404():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/trace/{TRACE_ID}").respond(
            404, text=f"{TRACE_ID} not found", headers={"content-type": "text/plain"}
        )
        with pytest.raises(NotFound) as info:
            await backend_call(lambda b: b.fetch(TRACE_ID))
    assert info.value.message == f"trace {TRACE_ID} not found in Zipkin at {URL}"
    assert "TTL" in (info.value.hint or "")
    assert exit_code_of(info.value) == ExitCode.NOT_FOUND


async def test_malformed_payload_exits_4():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/trace/{TRACE_ID}").respond(200, json={"not": "a list"})
        with pytest.raises(ParseError) as info:
            await backend_call(lambda b: b.fetch(TRACE_ID))
    assert str(info.value) == "Zipkin trace: expected a JSON list of spans"
    assert exit_code_of(info.value) == ExitCode.BACKEND_ERROR


async def test_search_params_and_summaries():
    query = TraceSearch(
        start=datetime(2025, 11, 25, 9, 0, tzinfo=UTC),
        end=datetime(2025, 11, 25, 10, 0, tzinfo=UTC),
        service="frontend",
        operation="get /checkout",
        tags=(("http.method", "GET"), ("error", "true")),
        min_duration_ns=1_500_000,
        limit=7,
    )
    body = b"[" + fixture_bytes("zipkin/v2/checkout.json") + b"]"
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get("/api/v2/traces", name="search").respond(200, content=body)
        (s,) = await backend_call(lambda b: b.search(query))
    assert dict(route.calls.last.request.url.params) == {
        "endTs": "1764064800000",
        "lookback": "3600000",
        "limit": "7",
        "serviceName": "frontend",
        "spanName": "get /checkout",
        "annotationQuery": "http.method=GET and error=true",
        "minDuration": "1500",
    }
    assert (s.root_service, s.span_count, s.error_count) == ("frontend", 5, 1)


async def test_search_for_errors_adds_the_error_tag_to_the_annotation_query():
    t = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get("/api/v2/traces").respond(200, json=[])
        await backend_call(lambda b: b.search(TraceSearch(t, t, errors=True)))
        assert route.calls.last.request.url.params["annotationQuery"] == "error"
        query = TraceSearch(t, t, tags=(("http.method", "GET"),), errors=True)
        await backend_call(lambda b: b.search(query))
    assert route.calls.last.request.url.params["annotationQuery"] == "http.method=GET and error"


async def test_search_rejects_traceql():
    q = TraceSearch(
        start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 1, 2, tzinfo=UTC), traceql="{}"
    )
    with pytest.raises(UsageError):
        await backend_call(lambda b: b.search(q))
