"""The trace searches correlate sends, as each backend puts them on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import respx

from obsctl.backends.http import make_client
from obsctl.backends.registry import make_trace_backend
from obsctl.config.schema import Endpoint
from obsctl.model.time import TimeRange
from obsctl.workflows.correlate import build_search

WINDOW = TimeRange(
    datetime(2026, 11, 25, 9, 31, tzinfo=UTC), datetime(2026, 11, 25, 9, 41, tzinfo=UTC)
)
MS = 1_000_000


def endpoint(kind: str, url: str) -> Endpoint:
    return Endpoint(kind=kind, url=url, source="flag", configured=True)


async def search(kind: str, url: str, **kw):  # type: ignore[no-untyped-def]
    ep = endpoint(kind, url)
    query = build_search(
        kind,
        WINDOW,
        service=kw.get("service", "checkout"),
        min_duration_ns=kw.get("min_ns", 400 * MS),
        limit=20,
    )
    async with make_client(ep) as client:
        return await make_trace_backend(kind, client, ep).search(query)


async def test_tempo_traceql_with_service_and_threshold() -> None:
    url = "http://tempo.test:3200"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{url}/api/search", name="search").respond(
            200,
            json={
                "traces": [
                    {
                        "traceID": "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
                        "rootServiceName": "checkout",
                        "rootTraceName": "POST /checkout",
                        "startTimeUnixNano": "1795594000000000000",
                        "durationMs": 500,
                    }
                ]
            },
        )
        hits = await search("tempo", url)
    assert dict(route.calls.last.request.url.params) == {
        "q": '{ resource.service.name = "checkout" && duration > 400ms }',
        "limit": "20",
        "start": str(int(WINDOW.start.timestamp())),
        "end": str(int(WINDOW.end.timestamp())),
    }
    assert [(h.trace_id, h.duration_ns) for h in hits] == [
        ("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", 500 * MS)
    ]


async def test_tempo_without_service_or_threshold_searches_everything() -> None:
    url = "http://tempo.test:3200"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{url}/api/search").respond(200, json={"traces": []})
        assert await search("tempo", url, service=None, min_ns=None) == []
    assert route.calls.last.request.url.params["q"] == "{ }"


async def test_jaeger_api_v3_service_window_and_span_duration() -> None:
    url = "http://jaeger.test:16686"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{url}/api/v3/traces", name="search").respond(
            404,
            text='{"error":{"httpCode":404,"message":"No traces found"}}',
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        assert await search("jaeger", url) == []
    assert dict(route.calls.last.request.url.params) == {
        "query.service_name": "checkout",
        "query.start_time_min": "2026-11-25T09:31:00.000000000Z",
        "query.start_time_max": "2026-11-25T09:41:00.000000000Z",
        "query.search_depth": "20",
        "query.duration_min": "400ms",
    }


async def test_zipkin_end_lookback_and_microsecond_min_duration() -> None:
    url = "http://zipkin.test:9411"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{url}/api/v2/traces", name="search").respond(200, json=[])
        assert await search("zipkin", url) == []
    assert dict(route.calls.last.request.url.params) == {
        "endTs": str(int(WINDOW.end.timestamp() * 1000)),
        "lookback": "600000",
        "limit": "20",
        "serviceName": "checkout",
        "minDuration": "400000",
    }
