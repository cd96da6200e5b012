"""``obsctl lint --server`` against a real Prometheus that scrapes a high-cardinality target."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from tests.integration import servers

USERS = 1500
EXPOSITION = (
    "# HELP sessions_active Active sessions.\n# TYPE sessions_active gauge\n"
    + "".join(
        f'sessions_active{{user_id="{uuid.UUID(int=i * 7919 + 1)}"}} 1\n' for i in range(USERS)
    )
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(EXPOSITION)))
        self.end_headers()
        self.wfile.write(EXPOSITION)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def target() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def prom(prometheus_factory: Callable[..., servers.Server], target: str) -> servers.Server:
    server = prometheus_factory(
        scrape_configs=[{"job_name": "sessions", "static_configs": [{"targets": [target]}]}]
    )
    query = quote('count({__name__="sessions_active"})')
    deadline = time.time() + 30
    while time.time() < deadline:
        doc = servers.http_get_json(f"{server.url}/api/v1/query?query={query}")
        result = doc["data"]["result"]  # type: ignore[index]
        if result and int(result[0]["value"][1]) >= USERS:
            return server
        time.sleep(0.5)
    raise AssertionError("Prometheus did not scrape the target in 30 s")


def test_server_tsdb_status(cli, prom: servers.Server) -> None:
    res = cli("lint", "--server", "--prometheus-url", prom.url, "-o", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0, res.output  # warnings and info only
    by_rule = {(f["rule_id"], f["subject"]): f for f in doc["findings"]}
    assert by_rule[("OBS203", "{user_id}")]["message"] == (
        f"label 'user_id' has many distinct values: {USERS:,} (warning at 1,000)"
    )
    assert "look like a UUID" in by_rule[("OBS205", "{user_id}")]["message"]
    assert by_rule[("OBS206", "{user_id}")]["severity"] == "info"
    summary = next(iter(doc["summaries"].values()))
    assert summary["format"] == "server"
    assert {"name": "sessions_active", "count": USERS} in summary["top_metrics"]


def test_server_match_uses_count_queries(cli, prom: servers.Server) -> None:
    res = cli(
        "lint",
        "--server",
        "--prometheus-url",
        prom.url,
        "--match",
        '{__name__="sessions_active"}',
        "-o",
        "json",
        "--fail-on",
        "warning",
    )
    doc = json.loads(res.stdout)
    assert res.exit_code == 1
    summary = next(iter(doc["summaries"].values()))
    assert summary["top_metrics"] == [{"name": "sessions_active", "count": USERS}]
    assert {"name": "user_id", "count": USERS} in summary["top_labels"]


def test_scrape_url_of_live_target(cli, target: str) -> None:
    res = cli("lint", f"http://{target}/metrics", "-o", "json")
    doc = json.loads(res.stdout)
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"OBS201", "OBS204", "OBS205", "OBS206"} <= rules
    assert res.exit_code == 1  # 1,500 values ≥ 1,000 per label in one exposition
