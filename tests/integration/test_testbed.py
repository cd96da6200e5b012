"""The test bed itself: seeded data is queryable exactly as seeded."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.integration import servers
from tests.integration.seed import COUNTERS


@pytest.mark.parametrize("server", ["prometheus", "victoria_metrics"])
def test_seeded_counter_values(server, request):
    seeded = request.getfixturevalue(server)
    seed = seeded.seed
    q = urllib.parse.urlencode({"query": "demo_requests_total", "time": seed.end})
    doc = servers.http_get_json(f"{seeded.url}/api/v1/query?{q}")
    got = {
        tuple(sorted((k, v) for k, v in r["metric"].items() if k != "__name__")): float(
            r["value"][1]
        )
        for r in doc["data"]["result"]
    }
    expected = {labels: slope * (seed.end - seed.start) for labels, slope in COUNTERS.items()}
    assert got == expected


def test_alertmanager_accepts_alerts(alertmanager):
    servers.post_alerts(alertmanager.url, [{"labels": {"alertname": "TestbedProbe"}}])
    alerts = servers.http_get_json(f"{alertmanager.url}/api/v2/alerts")
    assert any(a["labels"]["alertname"] == "TestbedProbe" for a in alerts)
