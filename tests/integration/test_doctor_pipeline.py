"""``obsctl doctor``'s pipeline checks against a real Prometheus and Alertmanager.

The Prometheus of these tests holds:

* two OpenTelemetry Collectors' own metrics, backfilled with known slopes: ``collector-a``
  refuses 1 span in 16 (failing), fails to export 1 in 128 (degraded) and has a sending
  queue at 90 % (degraded); ``collector-b`` accepted spans until ten minutes ago and
  nothing since, while it is up (failing);
* a scrape of a port nobody listens on (job ``ghost``: every target down, failing);
* a recording rule that fails at every evaluation (duplicate output series);
* a scrape of a real Alertmanager whose only receiver is a webhook on a closed port, with
  an alert posted to it, so its notifications really fail.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import servers

STEP = 15
SPAN = 3600


def _collector_seed(now: float) -> str:
    end = int(now // 60 * 60) - 60
    start = end - SPAN
    stalled_at = end - 600
    a = 'instance="collector-a:8888",job="otelcol"'
    b = 'instance="collector-b:8888",job="otelcol"'
    lines = [
        "# TYPE otelcol_receiver_accepted_spans counter",
        "# TYPE otelcol_receiver_refused_spans counter",
        "# TYPE otelcol_exporter_sent_spans counter",
        "# TYPE otelcol_exporter_send_failed_spans counter",
        "# TYPE otelcol_exporter_queue_size gauge",
        "# TYPE otelcol_exporter_queue_capacity gauge",
        "# TYPE otelcol_process_uptime counter",
        "# TYPE up gauge",
    ]
    samples: dict[str, list[str]] = {}

    def add(name: str, labels: str, value: float, t: int) -> None:
        samples.setdefault(name, []).append(f"{name}{{{labels}}} {value!r} {t}")

    for t in range(start, end + 1, STEP):
        e = float(t - start)
        add("otelcol_receiver_accepted_spans_total", f'{a},receiver="otlp"', 15 * e, t)
        add("otelcol_receiver_refused_spans_total", f'{a},receiver="otlp"', 1 * e, t)
        add("otelcol_exporter_sent_spans_total", f'{a},exporter="otlp/tempo"', 127 * e, t)
        add("otelcol_exporter_send_failed_spans_total", f'{a},exporter="otlp/tempo"', 1 * e, t)
        add("otelcol_exporter_queue_size", f'{a},exporter="otlp/tempo"', 900.0, t)
        add("otelcol_exporter_queue_capacity", f'{a},exporter="otlp/tempo"', 1000.0, t)
        b_accepted = 10.0 * (min(t, stalled_at) - start)
        add("otelcol_receiver_accepted_spans_total", f'{b},receiver="otlp"', b_accepted, t)
        add("otelcol_receiver_refused_spans_total", f'{b},receiver="otlp"', 0.0, t)
        for labels in (a, b):
            add("otelcol_process_uptime_total", labels, e, t)
            add("up", labels, 1.0, t)
    families = {
        "otelcol_receiver_accepted_spans": "otelcol_receiver_accepted_spans_total",
        "otelcol_receiver_refused_spans": "otelcol_receiver_refused_spans_total",
        "otelcol_exporter_sent_spans": "otelcol_exporter_sent_spans_total",
        "otelcol_exporter_send_failed_spans": "otelcol_exporter_send_failed_spans_total",
        "otelcol_exporter_queue_size": "otelcol_exporter_queue_size",
        "otelcol_exporter_queue_capacity": "otelcol_exporter_queue_capacity",
        "otelcol_process_uptime": "otelcol_process_uptime_total",
        "up": "up",
    }
    out: list[str] = []
    for line in lines:
        family = line.split()[2]
        out.append(line)
        out.extend(samples[families[family]])
    out.append("# EOF")
    return "\n".join(out) + "\n"


FAILING_RULE = """
groups:
  - name: broken
    interval: 1s
    rules:
      - record: job:scrape:dup
        expr: '{__name__=~"scrape_duration_seconds|scrape_samples_scraped", job="prometheus"}'
"""


@pytest.fixture(scope="module")
def stack(prometheus_factory: Any, alertmanager_factory: Any) -> dict[str, Any]:
    hook = servers.closed_port_url()
    am = alertmanager_factory(
        config_yaml=(
            "route:\n  receiver: hook\n  group_wait: 1s\n  group_interval: 1s\n"
            "  repeat_interval: 1h\n"
            f"receivers:\n  - name: hook\n    webhook_configs:\n      - url: {hook}/hook\n"
        )
    )
    ghost = servers.free_port()
    prom = prometheus_factory(
        openmetrics=_collector_seed(time.time()),
        rules=FAILING_RULE,
        scrape_configs=[
            {"job_name": "alertmanager", "static_configs": [{"targets": [f"127.0.0.1:{am.port}"]}]},
            {"job_name": "ghost", "static_configs": [{"targets": [f"127.0.0.1:{ghost}"]}]},
        ],
    )
    servers.post_alerts(am.url, [{"labels": {"alertname": "PipelineTest", "severity": "page"}}])
    return {"prometheus": prom, "alertmanager": am, "ghost": ghost}


def _by_key(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(c["component"], c["check"], c["instance"]): c for c in doc["pipeline"]["checks"]}


def _doctor_until_notifications_fail(cli: Any, stack: dict[str, Any]) -> dict[str, Any]:
    """Doctor's JSON once Alertmanager's failed notifications reached Prometheus."""
    args = ("doctor", "-o", "json", "--prometheus-url", stack["prometheus"].url)
    deadline = time.monotonic() + 90
    while True:
        res = cli(*args, "--alertmanager-url", stack["alertmanager"].url)
        assert res.exit_code == ExitCode.OK, res.output
        doc = json.loads(res.stdout)
        checks = doc["pipeline"]["checks"]
        if any(
            c["check"] == "notifications_failed" and c["status"] == "failing" for c in checks
        ) and any(c["check"] == "targets_down" and c["status"] == "failing" for c in checks):
            return doc
        if time.monotonic() > deadline:
            pytest.fail(f"notifications never failed: {json.dumps(doc['pipeline'], indent=1)}")
        time.sleep(1)


def test_pipeline_checks_report_exact_values(cli, stack):
    doc = _doctor_until_notifications_fail(cli, stack)
    checks = _by_key(doc)
    refused = checks["collector", "receiver_refused_spans", "collector-a:8888 (otlp)"]
    assert refused["status"] == "failing"
    assert refused["value"] == pytest.approx(1 / 16, rel=1e-9)
    assert refused["threshold"] == 0.01
    assert refused["message"] == "6.2% of spans refused by receivers (15m)"
    assert refused["hint"].startswith("the pipeline pushes back")
    assert refused["labels"] == {"instance": "collector-a:8888", "receiver": "otlp"}

    failed = checks["collector", "exporter_send_failed_spans", "collector-a:8888 (otlp/tempo)"]
    assert failed["status"] == "degraded"
    assert failed["value"] == pytest.approx(1 / 128, rel=1e-9)
    assert failed["threshold"] == 0.0

    queue = checks["collector", "exporter_queue_usage", "collector-a:8888 (otlp/tempo)"]
    assert (queue["status"], queue["value"], queue["threshold"]) == ("degraded", 0.9, 0.8)
    assert queue["message"] == "90% of the exporter's sending queue in use (15m)"

    ok_b = checks["collector", "receiver_refused_spans", "collector-b:8888 (otlp)"]
    assert (ok_b["status"], ok_b["value"], ok_b["hint"]) == ("ok", 0.0, None)

    stalled = checks["collector", "accepted_rate_spans", "collector-b:8888"]
    assert (stalled["status"], stalled["value"], stalled["threshold"]) == ("failing", 0.0, 0.01)
    assert ("collector", "accepted_rate_spans", "collector-a:8888") in checks
    assert checks["collector", "accepted_rate_spans", "collector-a:8888"]["status"] == "ok"

    ghost = checks["prometheus", "targets_down", "ghost"]
    assert (ghost["status"], ghost["value"]) == ("failing", 1.0)
    assert checks["prometheus", "targets_down", "prometheus"]["value"] == 0.0
    rule = next(
        c
        for (comp, check, _), c in checks.items()
        if (comp, check) == ("prometheus", "rule_failures")
    )
    assert rule["status"] == "failing"
    assert rule["instance"].endswith(";broken")
    # Every evaluation fails, but the failure counter only appears with the first failure,
    # one evaluation after the evaluation counter: live counters give "nearly all".
    assert 0.5 < rule["value"] <= 1.0

    am_port = stack["alertmanager"].port
    hook = checks["alertmanager", "notifications_failed", f"127.0.0.1:{am_port} (webhook)"]
    assert hook["status"] == "failing"
    assert 0.5 < hook["value"] <= 1.0
    assert hook["hint"].startswith("pages are not leaving Alertmanager")
    reload_ = checks["alertmanager", "config_reload", f"127.0.0.1:{am_port}"]
    assert (reload_["status"], reload_["value"]) == ("ok", 1.0)
    assert doc["pipeline"]["status"] == "failing"
    assert doc["pipeline"]["window"] == "15m"
    assert doc["pipeline"]["notes"] == []


def test_fail_on_gives_exit_1_and_text_names_the_problems(cli, stack, monkeypatch):
    _doctor_until_notifications_fail(cli, stack)
    monkeypatch.setenv("COLUMNS", "80")
    args = ("doctor", "--prometheus-url", stack["prometheus"].url)
    res = cli(*args, "--alertmanager-url", stack["alertmanager"].url, "--fail-on", "failing")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    # Piped, each problem and each hint is one whole line, even past COLUMNS.
    assert all(line == line.rstrip() for line in res.stdout.splitlines())
    assert (
        "✗ failing  collector collector-a:8888 (otlp): 6.2% of spans refused by receivers (15m)\n"
        "           hint: the pipeline pushes back (memory_limiter, full queues) or the data is "
        "invalid: see the Collector's log and its exporters' checks\n"
    ) in res.stdout
    assert "pipeline over 15m: 5 failing, 2 degraded, 13 ok\n" in res.stdout
    assert "✗ failing  collector collector-a:8888 (otlp): 6.2% of spans refused by" in res.stdout
    assert "! degraded collector collector-a:8888 (otlp/tempo): 90% of the exporter's" in (
        res.stdout
    )
    assert "✓ ok       13 checks (collector 2, prometheus 10, alertmanager 1)" in res.stdout
    section = res.stdout.split("pipeline over 15m")[1]
    assert section.rindex("✗ failing") < section.index("! degraded")
    res = cli(*args, "--alertmanager-url", stack["alertmanager"].url, "--fail-on", "never")
    assert res.exit_code == ExitCode.OK


def test_thresholds_from_the_config_file(cli, stack, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        "doctor:\n  window: 30m\n  thresholds:\n"
        "    collector.exporter_queue_usage: {degraded: 0.95, failing: 0.99}\n"
        "    prometheus.targets_down: {degraded: 0.0, failing: null}\n"
    )
    res = cli(
        "--config", str(cfg), "doctor", "-o", "json", "--prometheus-url", stack["prometheus"].url
    )
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    checks = _by_key(doc)
    queue = checks["collector", "exporter_queue_usage", "collector-a:8888 (otlp/tempo)"]
    assert (queue["status"], queue["threshold"]) == ("ok", 0.95)
    assert checks["prometheus", "targets_down", "ghost"]["status"] == "degraded"
    assert doc["pipeline"]["window"] == "30m"


def test_a_prometheus_scraping_nothing_of_the_pipeline_says_so(cli, prometheus_factory):
    bare = prometheus_factory(self_scrape=False)
    res = cli("doctor", "-o", "json", "--prometheus-url", bare.url)
    assert res.exit_code == ExitCode.OK, res.output
    pipeline = json.loads(res.stdout)["pipeline"]
    assert pipeline["checks"] == []
    assert [n.split(":")[0] for n in pipeline["notes"]] == [
        "no OpenTelemetry Collector metrics (otelcol_*) in Prometheus",
        "Prometheus does not scrape its own /metrics",
        "no Alertmanager metrics in Prometheus",
    ]
