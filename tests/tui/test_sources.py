"""The dashboard's data layer: Alertmanager decoding, query checks, and the live clients (respx)."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import respx

from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable, ParseError, UsageError
from obsctl.tui.sources import open_sources
from obsctl.tui.widgets import alerts_panel, query_panel
from obsctl.workflows import tui_sources
from obsctl.workflows.tui_sources import (
    LiveBackends,
    check_queries,
    panel_step,
    parse_alertmanager_alerts,
)
from tests.conftest import FIXTURES

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=30)

AM_ALERTS = [
    {
        "labels": {"alertname": "DiskAlmostFull", "severity": "warning", "instance": "db-1"},
        "annotations": {"description": "Disk /var is 91% full"},
        "startsAt": "2026-11-25T06:55:00.123456789Z",
        "endsAt": "2026-11-25T10:15:00Z",
        "updatedAt": "2026-11-25T10:00:00Z",
        "fingerprint": "a1b2",
        "receivers": [{"name": "pager"}, {"name": "slack"}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        "generatorURL": "http://prom:9090/graph?g0.expr=disk",
    },
    {
        "labels": {"alertname": "TargetDown", "severity": "critical"},
        "annotations": {"summary": "api-2 down", "description": "longer text"},
        "startsAt": "2026-11-25T09:18:00Z",
        "fingerprint": "c3d4",
        "status": {"state": "active"},
    },
    {
        "labels": {"alertname": "Watchdog"},
        "annotations": {},
        "startsAt": "0001-01-01T00:00:00Z",
        "status": {"state": "unprocessed"},
    },
]


def endpoint(kind: str, url: str, *, configured: bool = True) -> Endpoint:
    return Endpoint(kind=kind, url=url, source="flag", configured=configured)


def test_alerts_are_decoded_and_sorted_by_severity_then_age():
    alerts = parse_alertmanager_alerts(AM_ALERTS)
    assert [(a.name, a.severity, a.state) for a in alerts] == [
        ("TargetDown", "critical", "active"),
        ("DiskAlmostFull", "warning", "active"),
        ("Watchdog", "", "unprocessed"),
    ]
    disk = alerts[1]
    assert disk.starts_at == datetime(2026, 11, 25, 6, 55, 0, 123456, tzinfo=UTC)
    assert disk.summary == "Disk /var is 91% full"  # description when there is no summary
    assert disk.receivers == ("pager", "slack")
    assert disk.labels["instance"] == "db-1"
    assert disk.generator_url == "http://prom:9090/graph?g0.expr=disk"
    assert alerts[0].summary == "api-2 down"  # summary wins over description
    assert alerts[2].starts_at is None  # Go's zero time


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"data": []}, "Alertmanager /api/v2/alerts did not return a list"),
        (["x"], "Alertmanager alert is not an object"),
        (
            [{"labels": ["a"], "startsAt": "2026-11-25T06:55:00Z"}],
            "Alertmanager alert labels is not an object",
        ),
        ([{"labels": {"alertname": "X"}}], "Alertmanager alert without startsAt"),
    ],
)
def test_bad_alert_payloads_are_backend_parse_errors(payload, message):
    with pytest.raises(ParseError) as info:
        parse_alertmanager_alerts(payload)
    assert info.value.message == message
    assert info.value.from_backend


def test_check_queries_rejects_bad_promql_before_anything_is_sent():
    check_queries(["up", "sum by (job) (up == 0)"])
    with pytest.raises(UsageError, match="empty expression"):
        check_queries(["up", "  "])
    with pytest.raises(UsageError, match="syntax error"):
        check_queries(["rate(x[5m]"])


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (timedelta(seconds=30), timedelta(seconds=1)),
        (timedelta(minutes=30), timedelta(seconds=15)),
        (timedelta(hours=6), timedelta(minutes=5)),
        (timedelta(days=7), timedelta(hours=2)),
    ],
)
def test_panel_step_gives_about_120_round_points(span, step):
    assert panel_step(span) == step


@pytest.mark.parametrize("module", [tui_sources, query_panel, alerts_panel])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


async def test_live_sources_share_clients_and_send_the_right_requests():
    prom_ep = endpoint("prometheus", "http://prom.test")
    am_ep = endpoint("alertmanager", "http://am.test")
    metrics, alerts = open_sources(prom_ep, am_ep)
    assert (metrics.label, alerts.label, alerts.url, alerts.configured) == (
        "Prometheus",
        "Alertmanager",
        "http://am.test",
        True,
    )
    with respx.mock(assert_all_called=True) as mock:
        rng = mock.post("http://prom.test/api/v1/query_range", name="range").respond(
            200, content=(FIXTURES / "prometheus" / "v2.42" / "matrix.json").read_bytes()
        )
        am = mock.get("http://am.test/api/v2/alerts", name="alerts").respond(200, json=AM_ALERTS)
        for _ in range(2):
            result = await metrics.query_range("up", START, END, timedelta(seconds=15))
            found = await alerts.active_alerts()
        await metrics.aclose()
        await alerts.aclose()
    assert result.result_type == "matrix"
    assert [a.name for a in found] == ["TargetDown", "DiskAlmostFull", "Watchdog"]
    assert parse_qs(rng.calls.last.request.content.decode()) == {
        "query": ["up"],
        "start": ["1795600800"],
        "end": ["1795602600"],
        "step": ["15s"],
    }
    assert dict(am.calls.last.request.url.params) == {
        "active": "true",
        "silenced": "false",
        "inhibited": "false",
    }
    assert rng.call_count == 2 and am.call_count == 2


async def test_live_errors_are_domain_errors():
    live = LiveBackends(
        endpoint("prometheus", "http://prom.test"), endpoint("alertmanager", "http://am.test")
    )
    with respx.mock(assert_all_called=True) as mock:
        mock.get("http://am.test/api/v2/alerts", name="alerts").respond(
            200, text="<html>login</html>", headers={"content-type": "text/html"}
        )
        with pytest.raises(BackendError, match="HTML page"):
            await live.active_alerts()
        mock.post("http://prom.test/api/v1/query_range", name="range").respond(
            400,
            json={"status": "error", "errorType": "bad_data", "error": "unknown function foo"},
        )
        with pytest.raises(BackendError, match="unknown function foo"):
            await live.query_range("foo(up)", START, END, timedelta(seconds=15))
    await live.aclose()
    with pytest.raises(UsageError, match="no Alertmanager endpoint"):
        await LiveBackends(endpoint("prometheus", "http://prom.test"), None).active_alerts()


async def test_unreachable_alertmanager_raises_unreachable():
    live = LiveBackends(
        endpoint("prometheus", "http://prom.test"),
        endpoint("alertmanager", "http://127.0.0.1:9", configured=False),
    )
    with pytest.raises(BackendUnreachable):
        await live.active_alerts()
    await live.aclose()
