"""Alertmanager v2 client: request shape, decoding, failures."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from obsctl.backends.alertmanager import AlertmanagerClient, parse_alerts
from obsctl.backends.http import make_client
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable, ParseError
from obsctl.model.alerts import make_labels

BASE = "http://am.test:9093"

ALERT = {
    "annotations": {"summary": "p99 > 400ms"},
    "endsAt": "2026-11-25T10:04:00.000Z",
    "fingerprint": "4a2b5c6d7e8f9012",
    "receivers": [{"name": "pager"}],
    "startsAt": "2026-11-25T09:31:15.123Z",
    "status": {"inhibitedBy": [], "mutedBy": [], "silencedBy": [], "state": "active"},
    "updatedAt": "2026-11-25T09:59:00.000456789+01:00",
    "generatorURL": "http://prom/graph?g0.expr=x",
    "labels": {"alertname": "HighCheckoutLatency", "service": "checkout", "severity": "page"},
}


def endpoint(**kw) -> Endpoint:
    values = {"kind": "alertmanager", "url": BASE, "source": "flag", "configured": True}
    values.update(kw)
    return Endpoint(**values)


async def test_active_alerts_request_shape_and_decoding() -> None:
    ep = endpoint(tenant="team-a")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}/api/v2/alerts", name="alerts").respond(200, json=[ALERT])
        async with make_client(ep) as client:
            alerts = await AlertmanagerClient(client, ep).active_alerts('High"Checkout')
    req = route.calls.last.request
    assert list(req.url.params.multi_items()) == [
        ("active", "true"),
        ("silenced", "true"),
        ("inhibited", "true"),
        ("filter", 'alertname="High\\"Checkout"'),
    ]
    assert req.headers["X-Scope-OrgID"] == "team-a"
    (a,) = alerts
    assert a.labels == make_labels(ALERT["labels"])
    assert a.alertname == "HighCheckoutLatency"
    assert a.annotations == (("summary", "p99 > 400ms"),)
    assert a.starts_at == datetime(2026, 11, 25, 9, 31, 15, 123000, tzinfo=UTC)
    assert a.ends_at == datetime(2026, 11, 25, 10, 4, tzinfo=UTC)
    assert a.updated_at == datetime(2026, 11, 25, 8, 59, 0, 456, tzinfo=UTC)
    assert (a.fingerprint, a.state, a.generator_url) == (
        "4a2b5c6d7e8f9012",
        "active",
        "http://prom/graph?g0.expr=x",
    )


async def test_without_alertname_no_filter_is_sent() -> None:
    ep = endpoint()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}/api/v2/alerts", name="alerts").respond(200, json=[])
        async with make_client(ep) as client:
            assert await AlertmanagerClient(client, ep).active_alerts() == []
    assert "filter" not in route.calls.last.request.url.params


async def test_unreachable_and_http_errors_map_to_domain_errors() -> None:
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/api/v2/alerts").mock(side_effect=httpx.ConnectError("Connection refused"))
        async with make_client(ep) as client:
            with pytest.raises(BackendUnreachable) as info:
                await AlertmanagerClient(client, ep).active_alerts("X")
    assert str(info.value) == f"cannot connect to Alertmanager at {BASE}: connection refused"
    with respx.mock() as mock:
        mock.get(f"{BASE}/api/v2/alerts").respond(400, text='"bad matcher format: alertname=\\"X"')
        async with make_client(ep) as client:
            with pytest.raises(BackendError) as err:
                await AlertmanagerClient(client, ep).active_alerts("X")
    assert err.value.status == 400


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"alerts": []}, "Alertmanager /api/v2/alerts did not return a list"),
        ([{"labels": {}}], "Alertmanager alert without startsAt"),
        (
            [{**ALERT, "startsAt": "yesterday"}],
            "Alertmanager alert startsAt 'yesterday' is not RFC 3339",
        ),
        ([{**ALERT, "labels": ["a"]}], "Alertmanager alert labels is not an object"),
    ],
)
def test_bad_payloads_are_backend_parse_errors(doc: object, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_alerts(doc)
    assert str(info.value) == message
    assert info.value.effective_exit_code == 4
