"""Jaeger backend: api_v3 first, legacy /api fallback, not found, bad payloads, search."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import respx
from trace_helpers import TRACE_ID, endpoint, fixture_bytes, reference_trace

from obsctl.backends.http import make_client
from obsctl.backends.registry import make_trace_backend
from obsctl.errors import BackendError, NotFound, ParseError, UsageError, exit_code_of
from obsctl.exit_codes import ExitCode
from obsctl.model.traces import TraceSearch

URL = "http://jaeger.test"
V1_NOT_FOUND = {
    "data": None,
    "total": 0,
    "limit": 0,
    "offset": 0,
    "errors": [{"code": 404, "msg": "trace not found"}],
}
V3_NOT_FOUND = {"error": {"httpCode": 404, "message": "trace not found"}}
T1 = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
T2 = datetime(2025, 11, 25, 10, 0, tzinfo=UTC)


async def fetch(**kw):
    ep = endpoint("jaeger", URL)
    async with make_client(ep) as client:
        return await make_trace_backend("jaeger", client, ep).fetch(TRACE_ID, **kw)


async def search(query):
    ep = endpoint("jaeger", URL)
    async with make_client(ep) as client:
        return await make_trace_backend("jaeger", client, ep).search(query)


def text_json(status, doc):
    # Jaeger writes its JSON error bodies with http.Error: Content-Type text/plain.
    return {
        "status_code": status,
        "content": json.dumps(doc).encode(),
        "headers": {"content-type": "text/plain; charset=utf-8"},
    }


async def test_api_v3_request_shape_and_decoding():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get(f"/api/v3/traces/{TRACE_ID}", name="v3").respond(
            200, content=fixture_bytes("jaeger/v3/checkout.json")
        )
        fetched = await fetch(start=T1, end=T2)
    request = route.calls.last.request
    assert request.headers["accept"] == "application/json"
    assert dict(request.url.params) == {
        "start_time": "2025-11-25T09:00:00.000000000Z",
        "end_time": "2025-11-25T10:00:00.000000000Z",
    }
    assert fetched.api == "/api/v3/traces"
    assert fetched.trace == reference_trace()


async def test_v3_not_found_does_not_fall_back():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get(f"/api/v3/traces/{TRACE_ID}", name="v3").respond(**text_json(404, V3_NOT_FOUND))
        with pytest.raises(NotFound) as info:
            await fetch()
    assert info.value.message == f"trace {TRACE_ID} not found in Jaeger at {URL}"
    assert "retention" in (info.value.hint or "")


@pytest.mark.parametrize(
    "v3",
    [
        {"status_code": 404, "text": "404 page not found"},
        {
            "status_code": 200,
            "text": "<!doctype html><html>Jaeger UI</html>",
            "headers": {"content-type": "text/html"},
        },
        {"status_code": 405, "text": ""},
    ],
)
async def test_falls_back_to_legacy_api(v3):
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get(f"/api/v3/traces/{TRACE_ID}", name="v3").respond(**v3)
        v1 = mock.get(f"/api/traces/{TRACE_ID}", name="v1").respond(
            200, content=fixture_bytes("jaeger/v1/checkout.json")
        )
        fetched = await fetch(start=T1)
    assert dict(v1.calls.last.request.url.params) == {"start": "1764061200000000"}
    assert fetched.api == "/api/traces"
    assert fetched.trace == reference_trace()


async def test_legacy_not_found_envelope():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v3/traces/{TRACE_ID}").respond(404, text="404 page not found")
        mock.get(f"/api/traces/{TRACE_ID}").respond(**text_json(404, V1_NOT_FOUND))
        with pytest.raises(NotFound) as info:
            await fetch()
    assert exit_code_of(info.value) == ExitCode.NOT_FOUND


async def test_malformed_legacy_payload_exits_4():
    doc = json.loads(fixture_bytes("jaeger/v1/checkout.json"))
    doc["data"][0]["spans"][2]["startTime"] = "yesterday"
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v3/traces/{TRACE_ID}").respond(404, text="404 page not found")
        mock.get(f"/api/traces/{TRACE_ID}").respond(200, json=doc)
        with pytest.raises(ParseError) as info:
            await fetch()
    assert str(info.value) == "Jaeger trace: data[0].spans[2]: expected an integer, got 'yesterday'"
    assert exit_code_of(info.value) == ExitCode.BACKEND_ERROR


async def test_server_error_is_a_backend_error():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v3/traces/{TRACE_ID}").respond(
            **text_json(500, {"error": {"httpCode": 500, "message": "storage down"}})
        )
        with pytest.raises(BackendError) as info:
            await fetch()
    assert info.value.status == 500


async def test_search_api_v3_params_and_summaries():
    query = TraceSearch(
        start=T1,
        end=T2,
        service="frontend",
        operation="GET /checkout",
        tags=(("http.method", "GET"),),
        min_duration_ns=50_000_000,
        limit=10,
    )
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get("/api/v3/traces", name="search").respond(
            200, content=fixture_bytes("jaeger/v3/checkout.json")
        )
        found = await search(query)
    assert dict(route.calls.last.request.url.params) == {
        "query.service_name": "frontend",
        "query.operation_name": "GET /checkout",
        "query.start_time_min": "2025-11-25T09:00:00.000000000Z",
        "query.start_time_max": "2025-11-25T10:00:00.000000000Z",
        "query.search_depth": "10",
        "query.attributes": '{"http.method":"GET"}',
        "query.duration_min": "50ms",
    }
    (s,) = found
    assert (s.trace_id, s.root_service, s.root_name) == (TRACE_ID, "frontend", "GET /checkout")
    assert (s.duration_ns, s.span_count, s.error_count) == (120_000_000, 5, 1)


async def test_search_for_errors_sends_the_error_tag():
    query = TraceSearch(start=T1, end=T2, service="frontend", tags=(("a", "b"),), errors=True)
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get("/api/v3/traces").respond(200, json={"result": {"resourceSpans": []}})
        await search(query)
    assert route.calls.last.request.url.params["query.attributes"] == '{"a":"b","error":"true"}'


async def test_search_no_traces_and_legacy_fallback():
    query = TraceSearch(start=T1, end=T2, service="frontend", limit=3)
    with respx.mock(base_url=URL) as mock:
        mock.get("/api/v3/traces").respond(
            **text_json(404, {"error": {"httpCode": 404, "message": "No traces found"}})
        )
        assert await search(query) == []
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get("/api/v3/traces").respond(404, text="404 page not found")
        v1 = mock.get("/api/traces", name="v1").respond(
            200, content=fixture_bytes("jaeger/v1/checkout.json")
        )
        (s,) = await search(query)
    assert dict(v1.calls.last.request.url.params) == {
        "service": "frontend",
        "start": "1764061200000000",
        "end": "1764064800000000",
        "limit": "3",
    }
    assert s.trace_id == TRACE_ID


async def test_search_needs_a_service_and_no_traceql():
    with pytest.raises(UsageError, match="needs --service"):
        await search(TraceSearch(start=T1, end=T2))
    with pytest.raises(UsageError, match="Tempo only"):
        await search(TraceSearch(start=T1, end=T2, traceql="{ }"))
