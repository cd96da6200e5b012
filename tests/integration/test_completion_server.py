"""Completion of names a server knows, in real bash, against the real Prometheus."""

from __future__ import annotations

from collections.abc import Callable

from tests.cli.test_completion import _bash_complete, bin_dir  # noqa: F401 - fixture
from tests.integration import servers

RULES = """
groups:
  - name: g
    rules:
      - alert: HighCheckoutLatency
        expr: vector(0) > 1
      - alert: HighErrorRate
        expr: vector(0) > 1
      - alert: DiskFull
        expr: vector(0) > 1
"""


def _config(home, url: str) -> None:
    (home / "obsctl.yaml").write_text(
        f"contexts:\n  c:\n    prometheus: {url}\ncurrent-context: c\n"
    )


def test_metric_and_label_names_from_the_server(bin_dir, tmp_path, prometheus):  # noqa: F811
    _config(tmp_path, prometheus.url)
    assert _bash_complete("obsctl metadata demo_requests", bin_dir, tmp_path) == [
        "demo_requests_total"
    ]
    assert set(_bash_complete("obsctl query demo_", bin_dir, tmp_path)) >= {
        "demo_requests_total",
        "demo_temperature_celsius",
        "demo_memory_bytes",
    }
    assert _bash_complete("obsctl labels ro", bin_dir, tmp_path) == ["room"]


def test_alert_names_from_the_rules_api(
    bin_dir,  # noqa: F811
    tmp_path,
    prometheus_factory: Callable[..., servers.Server],
):
    server = prometheus_factory(rules=RULES, self_scrape=False)
    _config(tmp_path, server.url)
    assert _bash_complete("obsctl correlate High", bin_dir, tmp_path) == [
        "HighCheckoutLatency",
        "HighErrorRate",
    ]
