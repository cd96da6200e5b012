"""``obsctl alerts``, ``alerts route``, ``silence`` and ``exemplars`` against the real
Alertmanager and Prometheus of the test bed.

The Alertmanager routes ``severity=page`` to ``pager`` (and, continuing, ``team=db`` to
``db``), everything else to ``default``; it holds two firing alerts posted to it. The
Prometheus evaluates a rule that is pending for an hour, and scrapes an OpenMetrics
endpoint whose histogram carries exemplars with trace IDs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import servers
from tests.integration.correlate_replay import ExemplarTarget

AM_CONFIG = """
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  routes:
    - receiver: pager
      matchers: ['severity="page"']
      continue: true
    - receiver: db
      match: {team: db}
receivers:
  - name: default
  - name: pager
  - name: db
"""

RULES = """
groups:
  - name: slow
    interval: 1s
    rules:
      - alert: CapacityLow
        expr: vector(1)
        for: 1h
        labels: {severity: ticket}
"""

A = "4bf92f3577b34da6a3ce929d0e0e4736"
B = "00f067aa0ba902b700f067aa0ba902b7"


@dataclass
class Bed:
    prometheus: str
    alertmanager: str
    am_config: str


@pytest.fixture(scope="module")
def bed(
    prometheus_factory: Callable[..., servers.Server],
    alertmanager_factory: Callable[..., servers.Server],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Bed]:
    am = alertmanager_factory(config_yaml=AM_CONFIG)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 300))
    servers.post_alerts(
        am.url,
        [
            {
                "labels": {"alertname": "CheckoutDown", "severity": "page", "team": "web"},
                "annotations": {"summary": "checkout answers 503"},
                "startsAt": now,
            },
            {
                "labels": {"alertname": "DiskFull", "severity": "warning", "instance": "db-1"},
                "annotations": {"description": "/var at 97%"},
                "startsAt": now,
            },
        ],
    )
    exemplars = {"1.0": f'{{trace_id="{B}"}} 0.7', "2.5": f'{{trace_id="{A}"}} 1.9'}
    with ExemplarTarget(exemplars) as target:
        host = target.url.removeprefix("http://")
        prom = prometheus_factory(
            scrape_configs=[{"job_name": "checkout", "static_configs": [{"targets": [host]}]}],
            rules=RULES,
        )
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            doc = servers.http_get_json(
                f"{prom.url}/api/v1/query_exemplars?query=checkout_duration_seconds_bucket"
                f"&start={time.time() - 120}&end={time.time() + 60}"
            )
            alerts = servers.http_get_json(f"{prom.url}/api/v1/alerts")
            got = sum(len(s["exemplars"]) for s in doc["data"] or [])  # type: ignore[index]
            if got >= 2 and alerts["data"]["alerts"]:  # type: ignore[index]
                break
            time.sleep(0.5)
        else:
            pytest.fail("exemplars or the pending alert never showed up")
        config = tmp_path_factory.mktemp("am") / "alertmanager.yml"
        config.write_text(AM_CONFIG)
        yield Bed(prom.url, am.url, str(config))


def _urls(bed: Bed) -> tuple[str, ...]:
    return ("--prometheus-url", bed.prometheus, "--alertmanager-url", bed.alertmanager)


def test_alerts_lists_firing_then_pending(cli, bed: Bed) -> None:
    res = cli("alerts", "-o", "json", *_urls(bed))
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["sources"] == ["alertmanager", "prometheus"]
    rows = [(a["alertname"], a["state"]) for a in doc["alerts"]]
    assert rows == [("CheckoutDown", "firing"), ("DiskFull", "firing"), ("CapacityLow", "pending")]
    checkout = doc["alerts"][0]
    assert checkout["labels"] == {"alertname": "CheckoutDown", "severity": "page", "team": "web"}
    assert checkout["annotations"] == {"summary": "checkout answers 503"}
    assert checkout["receivers"] == ["pager"]


def test_alerts_matchers_filter(cli, bed: Bed) -> None:
    res = cli("alerts", 'severity=~"page|ticket"', "-o", "json", *_urls(bed))
    assert res.exit_code == ExitCode.OK, res.output
    assert [a["alertname"] for a in json.loads(res.stdout)["alerts"]] == [
        "CheckoutDown",
        "CapacityLow",
    ]
    res = cli("alerts", "DiskFull", "-o", "json", *_urls(bed))
    assert [a["alertname"] for a in json.loads(res.stdout)["alerts"]] == ["DiskFull"]
    res = cli("alerts", "job=", "--no-pending", "-o", "json", *_urls(bed))
    assert res.exit_code == ExitCode.OK, res.output
    assert len(json.loads(res.stdout)["alerts"]) == 2


def test_alerts_text_is_whole_when_piped(cli, bed: Bed, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    res = cli("alerts", *_urls(bed))
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["STATE", "SINCE", "FOR", "ALERT", "SEVERITY", "LABELS", "SUMMARY"]
    assert "checkout answers 503" in lines[1]
    assert '{team="web"}' in lines[1]
    assert all(line == line.rstrip() for line in lines)
    assert "…" not in res.stdout


def test_a_bad_matcher_is_a_usage_error(cli, bed: Bed) -> None:
    res = cli("alerts", "job=~(", *_urls(bed))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith("obsctl: error: bad regex in matcher 'job=~('")


def test_silence_add_list_expire_round_trip(cli, bed: Bed) -> None:
    am = ("--alertmanager-url", bed.alertmanager)
    res = cli(
        "silence",
        "add",
        "alertname=DiskFull",
        "instance=db-1",
        "-d",
        "2h",
        "-c",
        "cleaning /var",
        "-a",
        "sre",
        *am,
    )
    assert res.exit_code == ExitCode.OK, res.output
    silence_id = res.stdout.strip()
    assert len(silence_id) == 36
    assert f"undo: obsctl silence expire {silence_id}" in res.stderr
    res = cli("silence", "list", "-o", "json", *am)
    (sil,) = [s for s in json.loads(res.stdout)["silences"] if s["id"] == silence_id]
    assert sil["matchers"] == ['alertname="DiskFull"', 'instance="db-1"']
    assert (sil["state"], sil["created_by"], sil["comment"]) == ("active", "sre", "cleaning /var")
    # The silenced alert leaves the default listing and comes back with --silenced.
    deadline = time.monotonic() + 20
    while True:
        names = [
            a["alertname"]
            for a in json.loads(cli("alerts", "--no-pending", "-o", "json", *am).stdout)["alerts"]
        ]
        if names == ["CheckoutDown"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert names == ["CheckoutDown"]
    res = cli("alerts", "--silenced", "--no-pending", "-o", "json", *am)
    assert [(a["alertname"], a["state"]) for a in json.loads(res.stdout)["alerts"]] == [
        ("CheckoutDown", "firing"),
        ("DiskFull", "muted"),
    ]
    res = cli("silence", "expire", silence_id, *am)
    assert res.exit_code == ExitCode.OK, res.output
    res = cli("silence", "list", "-o", "json", *am)
    assert silence_id not in [s["id"] for s in json.loads(res.stdout)["silences"]]
    res = cli("silence", "list", "--expired", "-o", "json", *am)
    states = {s["id"]: s["state"] for s in json.loads(res.stdout)["silences"]}
    assert states[silence_id] == "expired"


def test_silence_from_alert_uses_its_labels(cli, bed: Bed) -> None:
    am = ("--alertmanager-url", bed.alertmanager)
    res = cli(
        "silence",
        "add",
        "--from-alert",
        "CheckoutDown",
        "-d",
        "10m",
        "-c",
        "deploy",
        "-o",
        "json",
        *am,
    )
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["matchers"] == ['alertname="CheckoutDown"', 'severity="page"', 'team="web"']
    assert cli("silence", "expire", doc["id"], *am).exit_code == ExitCode.OK


def test_silence_errors(cli, bed: Bed) -> None:
    am = ("--alertmanager-url", bed.alertmanager)
    res = cli("silence", "add", "alertname=X", *am)
    assert (res.exit_code, res.stderr.splitlines()[0]) == (
        ExitCode.USAGE,
        "obsctl: error: a silence needs a comment",
    )
    res = cli("silence", "add", 'job=~".*"', "-c", "x", *am)
    assert res.exit_code == ExitCode.USAGE
    assert "would mute everything" in res.stderr
    res = cli("silence", "add", "--from-alert", "NoSuchAlert", "-c", "x", *am)
    assert res.exit_code == ExitCode.NOT_FOUND
    res = cli("silence", "expire", "6f1a1d0e-0000-4000-8000-000000000000", *am)
    assert res.exit_code == ExitCode.NOT_FOUND
    assert res.stderr.splitlines()[0] == (
        "obsctl: error: no silence 6f1a1d0e-0000-4000-8000-000000000000 in Alertmanager"
    )


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        (["severity=page", "team=db"], "pager,db"),
        (["severity=page"], "pager"),
        (["team=db"], "db"),
        (["alertname=Other"], "default"),
    ],
)
def test_route_from_the_running_alertmanager_and_a_file(cli, bed: Bed, labels, receivers) -> None:
    res = cli("alerts", "route", *labels, "--alertmanager-url", bed.alertmanager)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines()[0] == receivers
    res = cli("alerts", "route", *labels, "--config-file", bed.am_config, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    assert ",".join(json.loads(res.stdout)["receivers"]) == receivers


def test_route_bad_labels_exit_2(cli, bed: Bed) -> None:
    res = cli("alerts", "route", "severity=~page", "--config-file", bed.am_config)
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith("obsctl: error: bad label 'severity=~page'")


def test_exemplars_newest_largest_and_above(cli, bed: Bed) -> None:
    prom = ("--prometheus-url", bed.prometheus)
    expr = "checkout_duration_seconds_bucket"
    res = cli("exemplars", expr, "--since", "10m", "--sort", "largest", "-o", "json", *prom)
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert [(e["trace_id"], e["value"]) for e in doc["exemplars"][:1]] == [(A, 1.9)]
    assert {e["trace_id"] for e in doc["exemplars"]} == {A, B}
    assert doc["exemplars"][0]["series_labels"]["le"] == "2.5"
    res = cli("exemplars", expr, "--since", "10m", "--above", "1s", "-o", "json", *prom)
    doc = json.loads(res.stdout)
    assert {e["trace_id"] for e in doc["exemplars"]} == {A}
    assert doc["total"] >= 2
    res = cli("exemplars", expr, "--since", "10m", "-n", "1", *prom)
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["TIME", "VALUE", "TRACE", "ID", "SERIES"]
    assert len(lines) == 2
    assert "exemplars shown" in res.stderr


def test_exemplars_of_a_metric_without_any_say_why(cli, bed: Bed) -> None:
    res = cli("exemplars", "up", "--since", "5m", "--prometheus-url", bed.prometheus)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == ""
    assert "no exemplars for up in the range" in res.stderr
