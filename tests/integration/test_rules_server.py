"""``obsctl rules check --server`` against the real, seeded Prometheus of the test bed."""

from __future__ import annotations

import json
import time
from pathlib import Path

from obsctl.exit_codes import ExitCode
from tests.integration import servers
from tests.integration.conftest import SeededPrometheus

RULES = """\
groups:
  - name: api
    rules:
      - alert: Good
        expr: sum by (job, instance) (rate(demo_requests_total{code="500"}[5m])) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }}"}
      - alert: Typo
        expr: rate(demo_requets_total[5m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - alert: MissingLabels
        expr: sum by (servce) (rate(demo_requests_total{region="eu"}[5m])) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.servce }}"}
      - alert: GaugeRate
        expr: rate(prometheus_tsdb_head_series[5m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - record: job:demo_requests:rate1s
        expr: sum by (job) (rate(demo_requests_total[1s]))
      - alert: UsesRecorded
        expr: job:demo_requests:rate1s > 100
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
"""


def _check(cli, path: Path, url: str, *args: str, select: str = "RUL2,RUL3"):  # type: ignore[no-untyped-def]
    return cli("rules", "check", str(path), "--server", "--prometheus-url", url, "-o", "json",
               "--select", select, *args)  # fmt: skip


def _scraped_itself(url: str) -> None:
    """Wait for the self-scrape that brings prometheus_* series and their metadata."""
    deadline = time.monotonic() + 30
    query = "/api/v1/metadata?metric=prometheus_tsdb_head_series"
    while time.monotonic() < deadline:
        doc = servers.http_get_json(url + query)
        if doc["data"]:  # type: ignore[index]
            return
        time.sleep(0.3)
    raise AssertionError("Prometheus did not scrape itself in 30 s")


def test_server_checks_on_seeded_data(cli, prometheus: SeededPrometheus, tmp_path) -> None:
    _scraped_itself(prometheus.url)
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    res = _check(cli, path, prometheus.url)
    assert res.exit_code == ExitCode.OK, res.output  # all warnings
    found = sorted(
        (f["rule"], f["rule_id"], f["message"]) for f in json.loads(res.stdout)["findings"]
    )
    assert found == [
        (
            "GaugeRate",
            "RUL201",
            "rate() over prometheus_tsdb_head_series, which is a gauge",  # from metadata
        ),
        (
            "MissingLabels",
            "RUL301",
            "label 'region' does not exist on demo_requests_total",
        ),
        (
            "MissingLabels",
            "RUL301",
            "label 'servce' is used but none of demo_requests_total has it",
        ),
        (
            "Typo",
            "RUL300",
            "metric demo_requets_total has no series on the server in the lookback window",
        ),
        (
            "job:demo_requests:rate1s",
            "RUL202",
            "range [1s] over demo_requests_total is shorter than twice the scrape interval (1s)",
        ),
    ]
    # The recorded metric counts as present; [5m] is long enough for the real 1s interval.


def test_series_budget(cli, prometheus: SeededPrometheus, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    _scraped_itself(prometheus.url)
    res = _check(cli, path, prometheus.url, "--max-series", "2", select="RUL302")
    found = sorted((f["rule"], f["message"]) for f in json.loads(res.stdout)["findings"])
    # Good selects code="500" only (1 series); the recording rule all 3 demo_requests_total.
    assert found == [("job:demo_requests:rate1s", "the expression touches 3 series (more than 2)")]


def test_unreachable_server_exits_3(cli, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    res = _check(cli, path, servers.closed_port_url())
    assert res.exit_code == ExitCode.UNREACHABLE
    assert res.stderr.startswith("obsctl: error: ")


# ---------------------------------------------------------------------------- VictoriaMetrics

# The shared VictoriaMetrics holds the same seed as the Prometheus (``seed.make_seed``) but,
# being no scraper, nothing of its own: no prometheus_* series, no metadata, no config.
VM_RULES = """\
groups:
  - name: api
    rules:
      - alert: Good
        expr: sum by (job, instance) (rate(demo_requests_total{code="500"}[5m])) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }}"}
      - alert: Typo
        expr: rate(demo_requets_total[5m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - alert: MissingLabels
        expr: sum by (servce) (rate(demo_requests_total{region="eu"}[5m])) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.servce }}"}
      - alert: GaugeRate
        expr: rate(demo_temperature_celsius[5m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - alert: HistogramOk
        expr: |
          histogram_quantile(0.9,
            sum by (le) (rate(demo_request_duration_seconds_bucket[5m]))) > 1
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - record: job:demo_requests:rate1s
        expr: sum by (job) (rate(demo_requests_total[1m]))
      - alert: UsesRecorded
        expr: job:demo_requests:rate1s > 100
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
"""
VM_NOTES = [
    "obsctl: note: VictoriaMetrics returned no metric metadata: counters are recognised by name",
    "obsctl: note: VictoriaMetrics does not show its scrape interval: using --scrape-interval",
]


def test_server_checks_on_victoria_metrics(cli, victoria_metrics, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(VM_RULES)
    res = _check(cli, path, victoria_metrics.url)
    assert res.exit_code == ExitCode.OK, res.output  # all warnings
    found = sorted(
        (f["rule"], f["rule_id"], f["message"]) for f in json.loads(res.stdout)["findings"]
    )
    assert found == [
        # No metadata on VictoriaMetrics: the gauge is known by its name only.
        ("GaugeRate", "RUL201", "rate() over demo_temperature_celsius, which is not a counter "
                                "by its name"),
        ("MissingLabels", "RUL301", "label 'region' does not exist on demo_requests_total"),
        ("MissingLabels", "RUL301", "label 'servce' is used but none of demo_requests_total has "
                                    "it"),
        ("Typo", "RUL300", "metric demo_requets_total has no series on the server in the lookback "
                           "window"),
        # No scrape interval on VictoriaMetrics: the default 1m, against which [1m] is short.
        ("job:demo_requests:rate1s", "RUL202", "range [1m] over demo_requests_total is shorter "
                                               "than twice the scrape interval (1m)"),
    ]  # fmt: skip
    # What VictoriaMetrics cannot answer is said once each, naming it, and is no finding.
    assert res.stderr.splitlines() == VM_NOTES


def test_victoria_metrics_scrape_interval_and_series_budget(
    cli, victoria_metrics, tmp_path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(VM_RULES)
    # The seed's real interval is 15s: given on the command line, [1m] is long enough.
    res = _check(cli, path, victoria_metrics.url, "--scrape-interval", "15s", select="RUL202")
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["findings"] == []
    res = _check(cli, path, victoria_metrics.url, "--max-series", "2", select="RUL302")
    found = sorted((f["rule"], f["message"]) for f in json.loads(res.stdout)["findings"])
    # Good selects code="500" only (1 series); the histogram has 6 buckets, the recording
    # rule all 3 demo_requests_total.
    assert found == [
        ("HistogramOk", "the expression touches 6 series (more than 2)"),
        ("job:demo_requests:rate1s", "the expression touches 3 series (more than 2)"),
    ]


def test_victoria_metrics_flavour_from_the_context_is_not_probed(
    cli, victoria_metrics, tmp_path
) -> None:
    config = tmp_path / "obsctl.yaml"
    config.write_text(
        "contexts:\n  vm:\n    prometheus:\n"
        f"      url: {victoria_metrics.url}\n      flavor: victoriametrics\n"
        "current-context: vm\n"
    )
    path = tmp_path / "rules.yaml"
    path.write_text(VM_RULES)
    res = cli("--config", str(config), "rules", "check", str(path), "--server", "-o", "json",
              "--select", "RUL3")  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stderr.splitlines() == VM_NOTES
    rules = sorted(f["rule"] for f in json.loads(res.stdout)["findings"])
    assert rules == ["MissingLabels", "MissingLabels", "Typo"]
