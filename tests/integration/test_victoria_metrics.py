"""``obsctl query/series/labels/lint --server`` against a real, seeded VictoriaMetrics.

The shared server holds the ``tests/integration/seed.py`` data (the same as the shared
Prometheus), imported through VictoriaMetrics' ``/api/v1/import``. MetricsQL-only queries go
through once the flavour is known (``doctor`` records it).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import seed as seed_data
from tests.integration import servers


def q(cli, vm, *args: str):
    return cli(*args, "--prometheus-url", vm.url)


@pytest.fixture
def known_vm(cli, victoria_metrics):
    """The shared VictoriaMetrics after ``doctor`` recorded its flavour."""
    res = q(cli, victoria_metrics, "doctor")
    assert res.exit_code == ExitCode.OK, res.output
    return victoria_metrics


def test_instant_counter_values(cli, victoria_metrics):
    end = victoria_metrics.seed.end
    res = q(cli, victoria_metrics, "query", "demo_requests_total", "--at", str(end), "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["result_type"] == "vector"
    got = {(s["labels"]["instance"], s["labels"]["code"]): s["samples"] for s in doc["series"]}
    assert got == {
        ("api-1", "200"): [[end, 7200.0]],
        ("api-2", "200"): [[end, 14400.0]],
        ("api-1", "500"): [[end, 720.0]],
    }


def test_rate_and_aggregation(cli, victoria_metrics):
    at = str(victoria_metrics.seed.end)
    res = q(cli, victoria_metrics, "query", "sum by (code) (rate(demo_requests_total[5m]))",
            "--at", at, "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    by_code = {s["labels"]["code"]: s["samples"][0][1] for s in json.loads(res.stdout)["series"]}
    assert by_code == {"200": 3.0, "500": pytest.approx(0.1)}


def test_range_query_values(cli, victoria_metrics):
    end = victoria_metrics.seed.end
    res = q(cli, victoria_metrics, "query", "rate(demo_requests_total[5m])", "--start",
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
        (s["labels"]["instance"], s["labels"]["code"]): {round(v, 9) for _, v in s["samples"]}
        for s in doc["series"]
    }
    assert slopes == {("api-1", "200"): {1.0}, ("api-2", "200"): {2.0}, ("api-1", "500"): {0.1}}
    stamps = [t for t, _ in doc["series"][0]["samples"]]
    assert stamps == list(range(end - 3600, end + 1, 60))


def test_series_and_labels(cli, victoria_metrics):
    seed = victoria_metrics.seed
    res = q(cli, victoria_metrics, "series", "demo_requests_total",
            "--start", str(seed.start), "--end", str(seed.end), "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    got = sorted((s["instance"], s["code"]) for s in json.loads(res.stdout)["series"])
    assert got == [("api-1", "200"), ("api-1", "500"), ("api-2", "200")]
    res = q(cli, victoria_metrics, "labels", "--match", "demo_requests_total")
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines() == ["__name__", "code", "instance", "job"]
    res = q(cli, victoria_metrics, "labels", "code", "--match", "demo_requests_total")
    assert res.stdout.splitlines() == ["200", "500"]
    res = q(cli, victoria_metrics, "labels", "room")
    assert res.stdout.splitlines() == [room for ((_, room),) in seed_data.GAUGES]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # WITH templates: the three counters summed at the seed's end.
        ("WITH (f = demo_requests_total) sum(f)", 7200.0 + 14400.0 + 720.0),
        # rate() without a window: VictoriaMetrics picks one; the slope is the same.
        ('sum(rate(demo_requests_total{instance="api-2"}))', 2.0),
        ('median_over_time(demo_temperature_celsius{room="a"}[10m])', 21.5),
    ],
)
def test_metricsql_reaches_victoria_metrics(cli, known_vm, expr, expected):
    at = str(known_vm.seed.end)
    res = q(cli, known_vm, "query", expr, "--at", at, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    (series,) = json.loads(res.stdout)["series"]
    assert series["samples"][0][1] == pytest.approx(expected)
    assert "sent to VictoriaMetrics as MetricsQL" in res.stderr


def test_keep_metric_names_keeps_the_name(cli, known_vm):
    at = str(known_vm.seed.end)
    expr = 'rate(demo_requests_total{instance="api-2"}[5m]) keep_metric_names'
    res = q(cli, known_vm, "query", expr, "--at", at, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    (series,) = json.loads(res.stdout)["series"]
    assert series["labels"]["__name__"] == "demo_requests_total"
    assert series["samples"][0][1] == pytest.approx(2.0)


def test_server_error_is_shown_for_bad_metricsql(cli, known_vm):
    res = q(cli, known_vm, "query", "sum(rate(demo_requests_total[5m]")
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    first = res.stderr.splitlines()[-2] if "hint" in res.stderr else res.stderr.splitlines()[-1]
    assert first.startswith("obsctl: error: ")
    assert "unclosed left parenthesis" not in first  # the server's words, not ours


def test_unknown_flavour_asks_the_server_before_refusing(cli, victoria_metrics):
    # No context flavour and no doctor run: the server is asked whether it is VictoriaMetrics.
    at = str(victoria_metrics.seed.end)
    res = q(cli, victoria_metrics, "query", "WITH (f = demo_requests_total) sum(f)",
            "--at", at, "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["series"][0]["samples"][0][1] == 22320.0


def test_no_check_sends_to_prometheus_and_shows_its_error(cli, prometheus):
    expr = "WITH (f = demo_requests_total) sum(f)"
    res = q(cli, prometheus, "query", expr)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "PromQL syntax error" in res.stderr
    res = q(cli, prometheus, "query", expr, "--no-check")
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert "Prometheus rejected the query" in res.stderr
    assert "PromQL syntax error" not in res.stderr


def test_no_check_on_victoria_metrics(cli, victoria_metrics):
    at = str(victoria_metrics.seed.end)
    res = q(cli, victoria_metrics, "query", "sum(demo_requests_total)", "--no-check",
            "--at", at, "-o", "json")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["series"][0]["samples"][0][1] == 22320.0


USERS = 1200


@pytest.fixture(scope="module")
def busy_vm(victoria_metrics_factory: Callable[..., servers.Server]) -> servers.Server:
    now_ms = int(time.time() * 1000)
    lines = [
        json.dumps(
            {
                "metric": {"__name__": "sessions_active", "user_id": str(uuid.UUID(int=i + 1))},
                "values": [1.0],
                "timestamps": [now_ms],
            }
        )
        for i in range(USERS)
    ]
    return victoria_metrics_factory(jsonl="\n".join(lines) + "\n")


def test_lint_server_reads_victoria_metrics_tsdb_status(cli, busy_vm: servers.Server) -> None:
    res = cli("lint", "--server", "--prometheus-url", busy_vm.url, "-o", "json")
    assert res.exit_code == 0, res.output  # warnings and info only
    doc = json.loads(res.stdout)
    by_rule = {(f["rule_id"], f["subject"]): f for f in doc["findings"]}
    assert by_rule[("OBS203", "{user_id}")]["message"] == (
        f"label 'user_id' has many distinct values: {USERS:,} (warning at 1,000)"
    )
    assert "look like a UUID" in by_rule[("OBS205", "{user_id}")]["message"]
    summary = next(iter(doc["summaries"].values()))
    assert summary["format"] == "server"
    assert {"name": "sessions_active", "count": USERS} in summary["top_metrics"]
