"""The test bed itself: seeded data is queryable exactly as seeded, and servers do not
outlive a killed test process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


CHILD = """
import subprocess, sys
from tests.integration.servers import dying_with_parent
proc = subprocess.Popen(dying_with_parent(["sleep", "60"]))
print(proc.pid, flush=True)
sys.stdin.read()
"""


def test_a_server_dies_with_the_test_process_that_started_it() -> None:
    tester = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert tester.stdout is not None
    server = int(tester.stdout.readline())
    os.kill(tester.pid, signal.SIGKILL)  # no teardown runs
    tester.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(server, signal.SIGKILL)
    raise AssertionError("the server outlived the killed test process")
