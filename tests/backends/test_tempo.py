"""Tempo backend: request shape, v2 → v1 fallback, not found, bad payloads, search."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx
from trace_helpers import TRACE_ID, endpoint, fixture_bytes, reference_trace

from obsctl.backends.http import make_client
from obsctl.backends.registry import make_trace_backend
from obsctl.errors import BackendError, BackendUnreachable, NotFound, ParseError, exit_code_of
from obsctl.exit_codes import ExitCode
from obsctl.model.traces import TraceSearch

URL = "http://tempo.test"
TID = TRACE_ID


async def fetch(tenant=None, **kw):
    ep = endpoint("tempo", URL, tenant=tenant)
    async with make_client(ep) as client:
        return await make_trace_backend("tempo", client, ep).fetch(TRACE_ID, **kw)


async def test_v2_request_shape_and_decoding():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get(f"/api/v2/traces/{TRACE_ID}", name="v2").respond(
            200, content=fixture_bytes("tempo/v2/checkout.json")
        )
        fetched = await fetch(
            tenant="team-a",
            start=datetime(2025, 11, 25, 9, 0, tzinfo=UTC),
            end=datetime(2025, 11, 25, 11, 0, tzinfo=UTC),
        )
    request = route.calls.last.request
    assert request.headers["accept"] == "application/json"
    assert request.headers["x-scope-orgid"] == "team-a"
    assert dict(request.url.params) == {"start": "1764061200", "end": "1764068401"}
    assert fetched.trace == reference_trace()
    assert fetched.api == "/api/v2/traces"
    assert fetched.raw == fixture_bytes("tempo/v2/checkout.json")


async def test_falls_back_to_v1_on_old_servers():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}", name="v2").respond(404, text="404 page not found\n")
        v1 = mock.get(f"/api/traces/{TRACE_ID}", name="v1").respond(
            200, content=fixture_bytes("tempo/v1/checkout.json")
        )
        fetched = await fetch()
    assert v1.calls.last.request.headers["accept"] == "application/json"
    assert fetched.api == "/api/traces"
    assert fetched.trace == reference_trace()


async def test_legacy_instrumentation_library_spans_from_tempo_1():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(404, text="404 page not found")
        mock.get(f"/api/traces/{TRACE_ID}").respond(
            200, content=fixture_bytes("tempo/v1/checkout_legacy_ils.json")
        )
        fetched = await fetch()
    assert fetched.trace == reference_trace()


@pytest.mark.parametrize("body", ["", "trace not found"])
async def test_unknown_trace_is_not_found_without_fallback(body):
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}", name="v2").respond(404, text=body)
        with pytest.raises(NotFound) as info:
            await fetch(tenant="team-a")
    assert info.value.message == (f"trace {TRACE_ID} not found in Tempo at {URL} (tenant team-a)")
    assert "retention" in (info.value.hint or "")
    assert exit_code_of(info.value) == ExitCode.NOT_FOUND


async def test_unknown_trace_on_v1_and_empty_trace():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(404, text="404 page not found")
        mock.get(f"/api/traces/{TRACE_ID}").respond(404, text="")
        with pytest.raises(NotFound):
            await fetch()
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(200, json={"trace": {}, "metrics": {}})
        with pytest.raises(NotFound):
            await fetch()


async def test_partial_trace_warns():
    import json

    doc = json.loads(fixture_bytes("tempo/v2/checkout.json"))
    doc.update(status="PARTIAL", message="trace exceeds max size (max bytes: 5000000)")
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(200, json=doc)
        fetched = await fetch()
    assert fetched.trace.warnings[-1] == (
        "Tempo returned a partial trace: trace exceeds max size (max bytes: 5000000)"
    )


async def test_truncated_body_is_a_backend_error():
    body = fixture_bytes("tempo/v2/checkout.json")[:300]
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(
            200, content=body, headers={"content-type": "application/json"}
        )
        with pytest.raises(BackendError) as info:
            await fetch()
    assert "expected JSON" in info.value.message
    assert exit_code_of(info.value) == ExitCode.BACKEND_ERROR


async def test_malformed_payload_is_a_backend_parse_error():
    bad = {"trace": {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "x"}]}]}]}}
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(200, json=bad)
        with pytest.raises(ParseError) as info:
            await fetch()
    assert str(info.value).startswith("Tempo v2 trace: resourceSpans[0].scopeSpans[0].spans[0]")
    assert exit_code_of(info.value) == ExitCode.BACKEND_ERROR


async def test_auth_failure_and_unreachable():
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").respond(401, text="no org id")
        with pytest.raises(BackendError) as info:
            await fetch()
    assert info.value.status == 401
    assert "tenant" in (info.value.hint or "")
    with respx.mock(base_url=URL) as mock:
        mock.get(f"/api/v2/traces/{TRACE_ID}").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(BackendUnreachable):
            await fetch()


async def test_search_traceql_request_and_results():
    body = {
        "traces": [
            {
                "traceID": "2f3577b34da6a3ce929d0e0e4736",
                "rootServiceName": "frontend",
                "rootTraceName": "GET /checkout",
                "startTimeUnixNano": "1764064800000000000",
                "durationMs": 120,
                "serviceStats": {
                    "frontend": {"spanCount": 3},
                    "payment": {"spanCount": 2, "errorCount": 1},
                },
            },
            {
                "traceID": "abc",
                "rootServiceName": "<root span not yet received>",
                "startTimeUnixNano": "1764064700000000000",
            },
        ],
        "metrics": {"inspectedTraces": 10},
    }
    ep = endpoint("tempo", URL)
    query = TraceSearch(
        start=datetime(2025, 11, 25, 9, 0, tzinfo=UTC),
        end=datetime(2025, 11, 25, 10, 0, tzinfo=UTC),
        service="frontend",
        min_duration_ns=100_000_000,
        limit=5,
    )
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        route = mock.get("/api/search", name="search").respond(200, json=body)
        async with make_client(ep) as client:
            found = await make_trace_backend("tempo", client, ep).search(query)
    assert dict(route.calls.last.request.url.params) == {
        "q": '{ resource.service.name = "frontend" && duration >= 100ms }',
        "limit": "5",
        "start": "1764061200",
        "end": "1764064800",
    }
    first, second = found
    assert first.trace_id == "00002f3577b34da6a3ce929d0e0e4736"
    assert (first.root_service, first.root_name, first.duration_ns) == (
        "frontend",
        "GET /checkout",
        120_000_000,
    )
    assert (first.span_count, first.error_count, first.services) == (5, 1, ("frontend", "payment"))
    assert first.start == datetime(2025, 11, 25, 10, 0, tzinfo=UTC)
    assert second.root_name == "" and second.span_count is None


async def test_proxy_html_404_falls_back_to_v1():
    with respx.mock(base_url=URL, assert_all_called=True) as mock:
        mock.get(f"/api/v2/traces/{TID}").respond(
            404,
            text="<html><body><h1>404 Not Found</h1></body></html>",
            headers={"content-type": "text/html"},
        )
        mock.get(f"/api/traces/{TID}").respond(200, content=fixture_bytes("tempo/v1/checkout.json"))
        fetched = await fetch()
    assert fetched.api == "/api/traces"
