"""PrometheusClient request shapes per flavour, and error translation (respx)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from obsctl.backends.http import make_client
from obsctl.backends.prometheus import PrometheusClient
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable, ParseError
from tests.conftest import FIXTURES

PROM = FIXTURES / "prometheus" / "v2.42"
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


def endpoint(**kw: object) -> Endpoint:
    base: dict[str, object] = {
        "kind": "prometheus",
        "url": "http://prom.test",
        "source": "flag",
        "configured": True,
    }
    base.update(kw)
    return Endpoint(**base)  # type: ignore[arg-type]


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode())


async def _client(ep: Endpoint, flavor: str | None = None) -> PrometheusClient:
    return PrometheusClient(make_client(ep), ep, flavor)


async def test_prometheus_range_query_shape() -> None:
    ep = endpoint()
    with respx.mock(base_url="http://prom.test", assert_all_called=True) as mock:
        route = mock.post("/api/v1/query_range", name="range").respond(
            200, content=(PROM / "matrix.json").read_bytes()
        )
        prom = await _client(ep)
        res = await prom.query_range("rate(x[5m])", START, END, timedelta(seconds=30))
        await prom.client.aclose()
    req = route.calls.last.request
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(req) == {
        "query": ["rate(x[5m])"],
        "start": ["1795600800"],
        "end": ["1795604400"],
        "step": ["30s"],
    }
    assert "X-Scope-OrgID" not in req.headers
    assert res.sample_count == 6
    assert prom.max_points_per_series == 11_000


async def test_thanos_adds_dedup_and_partial_response_and_keeps_warnings() -> None:
    ep = endpoint(flavor="thanos")
    body = (
        b'{"status":"success","data":{"resultType":"vector","result":[]},'
        b'"warnings":["No StoreAPIs matched for this query"]}'
    )
    with respx.mock(base_url="http://prom.test", assert_all_called=True) as mock:
        q = mock.post("/api/v1/query", name="query").respond(200, content=body)
        s = mock.get("/api/v1/series", name="series").respond(
            200, content=(PROM / "series.json").read_bytes()
        )
        prom = await _client(ep)
        assert prom.flavor == "thanos" and prom.name == "Thanos"
        res = await prom.query("up", at=END)
        await prom.series(['up{job="a"}'], start=START, end=END)
        await prom.client.aclose()
    assert form(q.calls.last.request) == {
        "query": ["up"],
        "time": ["1795604400"],
        "dedup": ["true"],
        "partial_response": ["true"],
    }
    assert list(res.warnings) == ["No StoreAPIs matched for this query"]
    params = s.calls.last.request.url.params
    assert params.get_list("match[]") == ['up{job="a"}']
    assert params["partial_response"] == "true"
    assert "dedup" not in params


async def test_mimir_prefix_and_tenant_header() -> None:
    ep = endpoint(flavor="auto", path_prefix="/prometheus", tenant="team-a")
    with respx.mock(base_url="http://prom.test", assert_all_called=True) as mock:
        route = mock.get("/prometheus/api/v1/labels", name="labels").respond(
            200, content=(PROM / "labels.json").read_bytes()
        )
        prom = await _client(ep, "cortex")
        labels = await prom.labels(['{job="bench"}'])
        await prom.client.aclose()
    assert prom.flavor == "mimir"
    req = route.calls.last.request
    assert req.headers["X-Scope-OrgID"] == "team-a"
    assert req.url.params.get_list("match[]") == ['{job="bench"}']
    assert list(labels.values) == ["__name__", "instance", "job"]


async def test_victoriametrics_shape_and_point_limit() -> None:
    ep = endpoint(flavor="victoriametrics")
    with respx.mock(base_url="http://prom.test", assert_all_called=True) as mock:
        route = mock.get("/api/v1/label/job/values", name="values").respond(
            200, content=(PROM / "label_values.json").read_bytes()
        )
        prom = await _client(ep)
        values = await prom.label_values("job", start=START)
        await prom.client.aclose()
    assert route.calls.last.request.url.params["start"] == "1795600800"
    assert (values.label, list(values.values)) == ("job", ["bench"])
    assert prom.max_points_per_series == 30_000


async def test_metadata_and_exemplars_shape() -> None:
    ep = endpoint()
    exemplars = (
        b'{"status":"success","data":[{"seriesLabels":{"le":"0.5"},'
        b'"exemplars":[{"labels":{"trace_id":"abc"},"value":"0.4","timestamp":1795600900.5}]}]}'
    )
    with respx.mock(base_url="http://prom.test", assert_all_called=True) as mock:
        md = mock.get("/api/v1/metadata", name="metadata").respond(
            200,
            json={"status": "success", "data": {"x": [{"type": "gauge", "help": "X", "unit": ""}]}},
        )
        ex = mock.post("/api/v1/query_exemplars", name="exemplars").respond(200, content=exemplars)
        prom = await _client(ep)
        meta = await prom.metadata("x", limit=5)
        found = await prom.query_exemplars("rate(x_bucket[5m])", START, END)
        await prom.client.aclose()
    assert dict(md.calls.last.request.url.params) == {"metric": "x", "limit": "5"}
    assert form(ex.calls.last.request) == {
        "query": ["rate(x_bucket[5m])"],
        "start": ["1795600800"],
        "end": ["1795604400"],
    }
    assert [(e.metric, e.type) for e in meta.entries] == [("x", "gauge")]
    assert [(e.labels["trace_id"], e.value, e.timestamp) for e in found] == [
        ("abc", 0.4, 1795600900.5)
    ]


@pytest.mark.parametrize(
    ("status", "body", "error_type", "message"),
    [
        (
            400,
            (PROM / "error_bad_data.json").read_bytes(),
            "bad_data",
            'Prometheus rejected the query (bad_data): invalid parameter "query": 1:5: '
            "parse error: unclosed left parenthesis",
        ),
        (
            422,
            b'{"status":"error","errorType":"execution","error":"query processing would load '
            b'too many samples into memory in query execution"}',
            "execution",
            "Prometheus rejected the query (execution): query processing would load too many "
            "samples into memory in query execution",
        ),
        (
            500,
            b'{"status":"error","errorType":"internal","error":"boom"}',
            "internal",
            "Prometheus rejected the query (internal): boom",
        ),
    ],
)
async def test_error_envelopes(status: int, body: bytes, error_type: str, message: str) -> None:
    ep = endpoint()
    with respx.mock(base_url="http://prom.test") as mock:
        mock.post("/api/v1/query", name="query").respond(status, content=body)
        prom = await _client(ep)
        with pytest.raises(BackendError) as info:
            await prom.query("sum(")
        await prom.client.aclose()
    assert info.value.status == status
    assert info.value.error_type == error_type
    assert info.value.message == message
    assert info.value.hint


async def test_503_timeout_is_retried_then_reported_with_hint() -> None:
    ep = endpoint()
    body = (
        b'{"status":"error","errorType":"timeout",'
        b'"error":"query timed out in expression evaluation"}'
    )
    with respx.mock(base_url="http://prom.test") as mock:
        route = mock.post("/api/v1/query_range", name="range").respond(503, content=body)
        prom = await _client(ep)
        with pytest.raises(BackendError) as info:
            await prom.query_range("up", START, END, timedelta(minutes=1))
        await prom.client.aclose()
    assert route.call_count == 3  # idempotent: retried like a GET
    assert info.value.status == 503
    assert info.value.message == (
        "Prometheus could not answer the range query (HTTP 503): "
        "query timed out in expression evaluation"
    )
    assert info.value.hint is not None and info.value.hint.startswith("the query timed out")


async def test_non_json_success_body_is_backend_parse_error() -> None:
    ep = endpoint()
    with respx.mock(base_url="http://prom.test") as mock:
        mock.post("/api/v1/query", name="query").respond(
            200, content=b"<html><body>Sign in</body></html>", headers={"content-type": "text/html"}
        )
        prom = await _client(ep)
        with pytest.raises(ParseError) as info:
            await prom.query("up")
        await prom.client.aclose()
    assert info.value.from_backend
    assert "not JSON ('<html><body>Sign in</body></html>')" in info.value.message


async def test_non_json_error_body_is_http_error() -> None:
    ep = endpoint()
    with respx.mock(base_url="http://prom.test") as mock:
        mock.post("/api/v1/query", name="query").respond(400, content=b"bad request from proxy")
        prom = await _client(ep)
        with pytest.raises(BackendError) as info:
            await prom.query("up")
        await prom.client.aclose()
    assert info.value.status == 400
    assert info.value.message == "Prometheus answered HTTP 400 for query: bad request from proxy"


async def test_404_hints_at_prefix() -> None:
    ep = endpoint(flavor="mimir")
    with respx.mock(base_url="http://prom.test") as mock:
        mock.get("/api/v1/labels", name="labels").respond(404, content=b"404 page not found")
        prom = await _client(ep)
        with pytest.raises(BackendError) as info:
            await prom.labels()
        await prom.client.aclose()
    assert info.value.status == 404
    assert info.value.hint is not None and "path_prefix /prometheus" in info.value.hint


async def test_connect_error_is_unreachable() -> None:
    ep = endpoint()
    with respx.mock(base_url="http://prom.test") as mock:
        mock.post("/api/v1/query", name="query").mock(side_effect=httpx.ConnectError("refused"))
        prom = await _client(ep)
        with pytest.raises(BackendUnreachable) as info:
            await prom.query("up")
        await prom.client.aclose()
    assert info.value.message.startswith("cannot connect to Prometheus at http://prom.test")
