"""``obsctl query/series/labels/metadata`` end to end against a real, seeded Prometheus.

The shared server holds ``tests/integration/seed.py`` data: linear counters (so ``rate()`` is
exactly the slope), constant gauges and a histogram with known bucket rates.
"""

from __future__ import annotations

import json
import time

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import seed as seed_data
from tests.integration import servers


def q(cli, prometheus, *args: str):
    return cli(*args, "--prometheus-url", prometheus.url)


def test_instant_counter_values(cli, prometheus):
    end = str(prometheus.seed.end)
    res = q(cli, prometheus, "query", "demo_requests_total", "--at", end, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["result_type"] == "vector"
    assert doc["time"] == prometheus.seed.end
    got = {(s["labels"]["instance"], s["labels"]["code"]): s["samples"] for s in doc["series"]}
    assert got == {
        ("api-1", "200"): [[prometheus.seed.end, 7200.0]],
        ("api-2", "200"): [[prometheus.seed.end, 14400.0]],
        ("api-1", "500"): [[prometheus.seed.end, 720.0]],
    }


def test_instant_text_table(cli, prometheus):
    res = q(cli, prometheus, "query", "rate(demo_requests_total[5m])",
            "--at", str(prometheus.seed.end))  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines() == [
        '{job="api"}',
        "code  instance  VALUE",
        "200   api-1         1",
        "200   api-2         2",
        "500   api-1       0.1",
    ]


def test_rate_and_aggregation(cli, prometheus):
    at = str(prometheus.seed.end)
    res = q(cli, prometheus, "query", "sum by (code) (rate(demo_requests_total[5m]))",
            "--at", at, "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    by_code = {s["labels"]["code"]: s["samples"][0][1] for s in json.loads(res.stdout)["series"]}
    assert by_code == {"200": 3.0, "500": pytest.approx(0.1)}
    res = q(cli, prometheus, "query", "scalar(sum(rate(demo_requests_total[5m])))", "--at", at)
    assert res.stdout == "3.1\n"


def test_units_in_text(cli, prometheus):
    at = str(prometheus.seed.end)
    res = q(cli, prometheus, "query", "demo_memory_bytes", "--at", at)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines() == [
        'demo_memory_bytes{instance="api-1"}',
        "   VALUE",
        "1.00 GiB",
    ]
    # 90% of 10 obs/s are ≤ 1.0 s (bucket le="1.0" grows 9/s): the quantile is exactly 1 s.
    res = q(cli, prometheus, "query",
            "histogram_quantile(0.9, sum by (le) (rate(demo_request_duration_seconds_bucket[5m])))",
            "--at", at)  # fmt: skip
    assert res.stdout.splitlines() == ["VALUE", "   1s"]
    # Mean latency: 3.0 s of latency per 10 requests a second.
    mean = (
        "rate(demo_request_duration_seconds_sum[5m])"
        " / rate(demo_request_duration_seconds_count[5m])"
    )
    res = q(cli, prometheus, "query", mean, "--at", at, "-o", "json")
    assert json.loads(res.stdout)["series"][0]["samples"][0][1] == pytest.approx(0.3)


def test_range_query_values(cli, prometheus):
    end = prometheus.seed.end
    res = q(cli, prometheus, "query", "rate(demo_requests_total[5m])", "--start",
            str(end - 3600), "--end", str(end), "--step", "1m", "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert (doc["result_type"], doc["start"], doc["end"], doc["step"]) == (
        "matrix",
        end - 3600,
        end,
        60,
    )
    slopes = {
        (s["labels"]["instance"], s["labels"]["code"]): {v for _, v in s["samples"]}
        for s in doc["series"]
    }
    assert slopes == {("api-1", "200"): {1.0}, ("api-2", "200"): {2.0}, ("api-1", "500"): {0.1}}
    stamps = [t for t, _ in doc["series"][0]["samples"]]
    assert stamps == list(range(end - 3600, end + 1, 60))


def test_range_text_summary_sorted_by_last(cli, prometheus, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    end = prometheus.seed.end
    res = q(cli, prometheus, "query", "demo_temperature_celsius",
            "--start", str(end - 3600), "--end", str(end))  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert [line.split()[:5] for line in res.stdout.splitlines()] == [
        ["demo_temperature_celsius"],
        ["room", "MIN", "AVG", "MAX", "LAST"],
        ["a", "21.5", "21.5", "21.5", "21.5"],
        ["b", "19", "19", "19", "19"],
    ]


def test_plot_at_80_columns(cli, prometheus, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    end = prometheus.seed.end
    res = q(cli, prometheus, "query", "rate(demo_requests_total[5m])",
            "--start", str(end - 3600), "--end", str(end), "--plot")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0] == "   2 ┤" + "*" * 74  # api-2: a flat line at the top
    assert lines[11] == " 0.1 ┤" + "o" * 74  # code 500: at the bottom
    assert lines[12] == "     └" + "─" * 74
    assert '{code="200", instance="api-2"}  last 2' in res.stdout


def test_split_range_is_merged_exactly(cli, prometheus):
    end = prometheus.seed.end
    res = q(cli, prometheus, "query", "vector(1)", "--start", str(end - 86400),
            "--end", str(end), "--step", "5s", "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert "split into 2 requests" in res.stderr
    samples = json.loads(res.stdout)["series"][0]["samples"]
    assert len(samples) == 17_281
    assert [t for t, _ in samples] == list(range(end - 86400, end + 1, 5))
    assert {v for _, v in samples} == {1.0}


def test_empty_result(cli, prometheus):
    res = q(cli, prometheus, "query", 'demo_requests_total{job="nope"}', "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["series"] == []
    res = q(cli, prometheus, "query", 'demo_requests_total{job="nope"}')
    assert res.stdout == ""
    assert res.stderr == "obsctl: note: no data: the query matched no series\n"


def test_series_labels_values(cli, prometheus):
    seed = prometheus.seed
    res = q(cli, prometheus, "series", "demo_requests_total",
            "--start", str(seed.start), "--end", str(seed.end), "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    got = sorted((s["instance"], s["code"]) for s in json.loads(res.stdout)["series"])
    assert got == [("api-1", "200"), ("api-1", "500"), ("api-2", "200")]
    res = q(cli, prometheus, "labels", "--match", "demo_requests_total")
    assert res.stdout.splitlines() == ["__name__", "code", "instance", "job"]
    res = q(cli, prometheus, "labels", "code", "--match", "demo_requests_total")
    assert res.stdout.splitlines() == ["200", "500"]
    res = q(cli, prometheus, "labels", "room")
    assert res.stdout.splitlines() == [room for ((_, room),) in seed_data.GAUGES]


def test_metadata_of_scraped_metric(cli, prometheus):
    deadline = time.monotonic() + 15
    while True:  # the self-scrape runs every second; metadata appears after the first one
        res = q(cli, prometheus, "metadata", "prometheus_http_requests_total", "-o", "json")
        assert res.exit_code == ExitCode.OK, res.output
        entries = json.loads(res.stdout)["metadata"]
        if entries or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert entries == [
        {
            "metric": "prometheus_http_requests_total",
            "type": "counter",
            "help": "Counter of HTTP requests.",
            "unit": "",
        }
    ]


def test_server_side_failure_exits_4(cli, prometheus):
    res = q(cli, prometheus, "query", "demo_requests_total / on(job) demo_requests_total")
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    first, hint = res.stderr.splitlines()
    assert first.startswith("obsctl: error: Prometheus rejected the query (execution): found ")
    assert "many-to-many matching not allowed" in first
    assert hint.startswith("  hint: each series on one side must match one series")


def test_syntax_error_never_reaches_server(cli, prometheus):
    res = q(cli, prometheus, "query", "rate(demo_requests_total[5m]) by (code)")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "unexpected <by>" in res.stderr


def test_server_down_exits_3(cli):
    dead = servers.closed_port_url()
    res = cli("query", "up", "--prometheus-url", dead)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert res.stderr.startswith(f"obsctl: error: cannot connect to Prometheus at {dead}")


EXPOSITION = """# TYPE demo_latency_seconds histogram
# HELP demo_latency_seconds Latency.
demo_latency_seconds_bucket{le="0.5"} 10 # {trace_id="0af7651916cd43dd8448eb211c80319c"} 0.43
demo_latency_seconds_bucket{le="+Inf"} 12 # {trace_id="00f067aa0ba902b7"} 2.5
demo_latency_seconds_sum 5.0
demo_latency_seconds_count 12
# EOF
"""


@pytest.fixture(scope="module")
def exemplar_prometheus(prometheus_factory):
    """A Prometheus scraping an OpenMetrics target that carries exemplars."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = EXPOSITION.encode()
            self.send_response(200)
            self.send_header(
                "Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=target.serve_forever, daemon=True)
    thread.start()
    port = target.server_address[1]
    server = prometheus_factory(
        scrape_configs=[{"job_name": "ex", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}],
        self_scrape=False,
    )
    yield server
    target.shutdown()


def test_query_exemplars_from_a_real_scrape(exemplar_prometheus):
    import asyncio
    from datetime import UTC, datetime, timedelta

    from obsctl.config.schema import Endpoint
    from obsctl.workflows.query import open_prometheus

    ep = Endpoint(kind="prometheus", url=exemplar_prometheus.url, source="flag", configured=True)

    async def fetch():
        async with open_prometheus(ep) as prom:
            now = datetime.now(UTC)
            return await prom.query_exemplars(
                "histogram_quantile(0.99, rate(demo_latency_seconds_bucket[5m])) > 0.4",
                now - timedelta(minutes=5),
                now + timedelta(minutes=1),
            )

    deadline = time.monotonic() + 20
    found = asyncio.run(fetch())
    while not found and time.monotonic() < deadline:
        time.sleep(0.5)
        found = asyncio.run(fetch())
    by_le = {e.series_labels["le"]: e for e in found}
    assert set(by_le) == {"0.5", "+Inf"}
    assert dict(by_le["0.5"].labels) == {"trace_id": "0af7651916cd43dd8448eb211c80319c"}
    assert by_le["0.5"].value == 0.43
    assert by_le["+Inf"].value == 2.5
    assert by_le["0.5"].series_labels["__name__"] == "demo_latency_seconds_bucket"
    assert abs(by_le["0.5"].timestamp - time.time()) < 60
