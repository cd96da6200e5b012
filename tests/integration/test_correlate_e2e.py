"""``obsctl correlate`` end to end: real Prometheus (exemplars scraped from an OpenMetrics
endpoint, the alert evaluated by its rule), real Alertmanager, and a Tempo replay server whose
traces have known critical paths."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration import servers
from tests.integration.correlate_replay import (
    ExemplarTarget,
    JaegerReplay,
    ReplaySpan,
    ReplayTrace,
    TempoReplay,
)

ALERT = "HighCheckoutLatency"
RULES = """\
groups:
  - name: checkout
    interval: 1s
    rules:
      - alert: HighCheckoutLatency
        expr: >-
          histogram_quantile(0.99, sum by (le, service)
          (rate(checkout_duration_seconds_bucket[10s]))) > 0.4
        for: 2s
        labels:
          severity: page
"""

A = "4bf92f3577b34da6a3ce929d0e0e4736"  # exemplar (trace_id) and search
B = "00000000000000000000000000b0b0b0"  # exemplar as traceID="b0b0b0" (zeros stripped)
C = "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"  # search only (Tempo strips the leading zero)
D = "dddddddddddddddddddddddddddddddd"  # exemplar only, expired: 404
E = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"  # baseline

ROOT = ("checkout", "POST /checkout")
DB = ("payments-db", "SELECT orders")
CACHE = ("cache", "GET")


def _trace(
    trace_id: str, start_ns: int, root_ms: int, *children: tuple[tuple[str, str], int, int]
) -> ReplayTrace:
    spans = [ReplaySpan(1, None, *ROOT, 0, root_ms)]
    for i, ((svc, op), a, b) in enumerate(children, start=2):
        spans.append(ReplaySpan(i, 1, svc, op, a, b))
    return ReplayTrace(trace_id, start_ns, tuple(spans))


@dataclass
class Bed:
    prometheus: str
    alertmanager: str
    tempo: TempoReplay
    jaeger: JaegerReplay
    rules: Path
    started: float


def _get(url: str, path: str, **params: str) -> object:
    return servers.http_get_json(f"{url}{path}?{urllib.parse.urlencode(params)}")


def _wait(what: str, ready: Callable[[], bool], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def bed(
    prometheus_factory: Callable[..., servers.Server],
    alertmanager_factory: Callable[..., servers.Server],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Bed]:
    started = time.time()
    now_ns = int(started * 1e9)
    # Critical paths (Jaeger UI's algorithm): A root 210 / db 900 / cache 90;
    # B root 100 / db 600 / cache 100; C root 50 / cache 400 / db 50.
    traces = [
        _trace(A, now_ns, 1200, (DB, 100, 1000), (CACHE, 1010, 1100)),
        _trace(B, now_ns, 800, (DB, 50, 650), (CACHE, 660, 760)),
        _trace(C, now_ns, 500, (CACHE, 20, 420), (DB, 430, 480)),
        _trace(E, now_ns - 120 * 10**9, 300, (DB, 10, 60)),
    ]
    exemplars = {
        "1.0": '{traceID="b0b0b0"} 0.8',
        "2.5": f'{{trace_id="{A}"}} 1.2',
        "+Inf": f'{{trace_id="{D.upper()}"}} 3.0',
    }
    rules = tmp_path_factory.mktemp("correlate") / "rules.yml"
    rules.write_text(RULES)
    with (
        ExemplarTarget(exemplars) as target,
        TempoReplay(traces, incident_hits=[A, C], baseline_hits=[E], cutover=started) as tempo,
        JaegerReplay(traces, incident_hits=[A, C], baseline_hits=[E], cutover=started) as jaeger,
    ):
        host = target.url.removeprefix("http://")
        prom = prometheus_factory(
            scrape_configs=[{"job_name": "checkout", "static_configs": [{"targets": [host]}]}],
            rules=RULES,
        )
        am = alertmanager_factory()
        servers.post_alerts(
            am.url,
            [
                {
                    "labels": {
                        "alertname": ALERT,
                        "service": "checkout",
                        "severity": "page",
                        "cluster": "test",
                    },
                    "annotations": {"summary": "p99 above 400ms"},
                    "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                }
            ],
        )

        def firing() -> bool:
            doc = _get(
                prom.url,
                "/api/v1/query",
                query=f'ALERTS{{alertname="{ALERT}",alertstate="firing"}}',
            )
            return bool(doc["data"]["result"])  # type: ignore[index]

        def exemplars_stored() -> bool:
            doc = _get(
                prom.url,
                "/api/v1/query_exemplars",
                query="checkout_duration_seconds_bucket",
                start=str(started - 60),
                end=str(time.time() + 60),
            )
            ids = {
                next(iter(e["labels"].values())).lower()
                for s in doc["data"] or []  # type: ignore[index]
                for e in s["exemplars"]
            }
            return {"b0b0b0", A, D} <= ids

        _wait("the alert to fire", firing)
        _wait("exemplars", exemplars_stored)
        # Let ALERTS gather a few samples on whole seconds: the range-query grid ends on the
        # last whole step before now.
        time.sleep(3)
        yield Bed(prom.url, am.url, tempo, jaeger, rules, started)


def _run(cli, bed: Bed, *extra: str, backend: str = "tempo"):  # type: ignore[no-untyped-def]
    return cli(
        "correlate",
        ALERT,
        "--rules",
        str(bed.rules),
        "--since",
        "5m",
        "--backend",
        backend,
        "--prometheus-url",
        bed.prometheus,
        "--alertmanager-url",
        bed.alertmanager,
        "--tempo-url",
        bed.tempo.url,
        "--jaeger-url",
        bed.jaeger.url,
        *extra,
    )


@pytest.mark.parametrize("backend", ["tempo", "jaeger"])
def test_ranking_and_bottleneck_end_to_end(cli, bed: Bed, backend: str) -> None:
    res = _run(cli, bed, "-o", "json", backend=backend)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1
    assert doc["alert"] == ALERT
    # One alert instance, seen by the rule replay, ALERTS and Alertmanager (whose extra
    # external-style label makes it the canonical label set), still firing.
    assert len(doc["windows"]) == 1
    (window,) = doc["windows"]
    assert window["labels"] == {"cluster": "test", "service": "checkout", "severity": "page"}
    assert window["sources"] == ["alertmanager", "alerts_series", "rules"]
    assert window["open"] is True
    got = [
        (t["trace_id"], t["latency_ms"], t["latency_source"], t["found"], t["sources"], t["window"])
        for t in doc["traces"]
    ]
    searched = f"search:{backend}"
    assert got == [
        (D, 3000.0, "exemplar", False, ["exemplar"], 0),
        (A, 1200.0, "root_span", True, ["exemplar", searched], 0),
        (B, 800.0, "root_span", True, ["exemplar"], 0),
        (C, 500.0, "root_span", True, [searched], 0),
    ]
    assert doc["traces"][0]["note"] == "not found (expired or sampled out?)"
    assert [
        (t["bottleneck"]["service"], t["bottleneck"]["critical_path_ms"]) for t in doc["traces"][1:]
    ] == [
        ("payments-db", 900.0),
        ("payments-db", 600.0),
        ("cache", 400.0),
    ]
    assert doc["traces"][1]["critical_path"] == [
        {"service": "payments-db", "operation": "SELECT orders", "critical_path_ms": 900.0},
        {"service": "checkout", "operation": "POST /checkout", "critical_path_ms": 210.0},
        {"service": "cache", "operation": "GET", "critical_path_ms": 90.0},
    ]
    # 2500 ms of critical path: db 900+600+50, cache 90+100+400, root 210+100+50.
    assert [
        (
            b["service"],
            b["operation"],
            b["critical_path_ms"],
            b["traces_dominant"],
            b["traces_total"],
        )
        for b in doc["bottlenecks"]
    ] == [
        ("payments-db", "SELECT orders", 1550.0, 2, 3),
        ("cache", "GET", 590.0, 1, 3),
        ("checkout", "POST /checkout", 360.0, 0, 3),
    ]
    assert [b["critical_path_share"] for b in doc["bottlenecks"]] == [0.62, 0.236, 0.144]
    # Baseline: trace E only; medians db 50 → 600 ms, root 300 → 800 ms.
    assert doc["baseline"]["traces"] == 1
    assert [
        (s["service"], s["operation"], s["baseline_ms"], s["incident_ms"])
        for s in doc["slower_operations"]
    ] == [
        ("payments-db", "SELECT orders", 50.0, 600.0),
        ("checkout", "POST /checkout", 300.0, 800.0),
    ]
    if backend == "jaeger":
        searches = [
            urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
            for p in bed.jaeger.requests
            if p.startswith("/api/v3/traces?")
        ]
        incident = [s for s in searches if "query.duration_min" in s]
        assert incident
        assert {(s["query.service_name"][0], s["query.duration_min"][0]) for s in incident} == {
            ("checkout", "400ms")
        }
        return
    # Tempo was searched with TraceQL for the alert's service above the rule's threshold.
    searches = [
        urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
        for p in bed.tempo.requests
        if p.startswith("/api/search")
    ]
    assert {s["q"][0] for s in searches} >= {
        '{ resource.service.name = "checkout" && duration > 400ms }',
    }


def test_text_output_piped_at_80_columns_is_whole(
    cli, bed: Bed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not a terminal: nothing is cut or wrapped at COLUMNS (render.table.fit_width), and no
    # line ends in a blank.
    monkeypatch.setenv("COLUMNS", "80")
    res = _run(cli, bed)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"{ALERT}: 1 firing window in ")
    assert [line for line in lines if line != line.rstrip()] == []
    assert any(line.startswith(f"  2  {A}") for line in lines)
    assert (
        "  payments-db SELECT orders: 62% of critical-path time; the largest share in 2 of 3 "
        "traces\n"
    ) in res.stdout
    assert (
        f"  2  {A}  {time.strftime('%H:%M:%S', time.gmtime(bed.started))}     1.2s    1.2s"
        "    0  checkout\n"
        "      bottleneck payments-db SELECT orders (75% of its critical path); root checkout "
        "POST /checkout\n"
    ) in res.stdout


def test_alert_that_never_fired_exits_5_naming_the_range(cli, bed: Bed) -> None:
    rules = bed.rules.with_name("never.yml")
    rules.write_text(
        "groups:\n- name: g\n  rules:\n  - alert: NeverFires\n    expr: vector(1) < 0\n"
    )
    res = cli(
        "correlate",
        "NeverFires",
        "--rules",
        str(rules),
        "--start",
        "2026-01-01T00:00:00Z",
        "--end",
        "2026-01-01T01:00:00Z",
        "--prometheus-url",
        bed.prometheus,
        "--alertmanager-url",
        bed.alertmanager,
        "--tempo-url",
        bed.tempo.url,
    )
    assert res.exit_code == 5, res.output
    assert res.stderr.startswith(
        "obsctl: error: alert NeverFires never fired between 2026-01-01T00:00:00Z and "
        "2026-01-01T01:00:00Z"
    )
    assert res.stdout == ""


def test_unreachable_sources_are_skipped_with_a_note(cli, bed: Bed) -> None:
    down = servers.closed_port_url()
    res = cli(
        "correlate",
        ALERT,
        "--since",
        "5m",
        "--prometheus-url",
        bed.prometheus,
        "--alertmanager-url",
        down,
        "--tempo-url",
        bed.tempo.url,
        "--jaeger-url",
        down,
        "-o",
        "json",
    )
    assert res.exit_code == 0, res.output
    notes = [line for line in res.stderr.splitlines() if line.startswith("obsctl: note: skipped")]
    refused = "connection refused"
    assert notes == [
        f"obsctl: note: skipped Alertmanager: cannot connect to Alertmanager at {down}: {refused}",
        f"obsctl: note: skipped jaeger search: cannot connect to Jaeger at {down}: {refused}",
    ]
    doc = json.loads(res.stdout)
    # Without --rules the expression comes from Prometheus's rules API, so exemplars count
    # as well as Tempo search (above the rule's 400 ms threshold).
    assert [t["trace_id"] for t in doc["traces"]] == [D, A, B, C]
    assert doc["windows"][0]["sources"] == ["alerts_series"]


def test_everything_unreachable_exits_3(cli) -> None:
    down = servers.closed_port_url()
    res = cli(
        "correlate",
        ALERT,
        "--prometheus-url",
        down,
        "--alertmanager-url",
        down,
        "--tempo-url",
        down,
    )
    assert res.exit_code == 3, res.output
    # Both window sources failed: the first (in source order) is the error, the other a note.
    lines = res.stderr.splitlines()
    assert lines[:2] == [
        f"obsctl: note: skipped Alertmanager: cannot connect to Alertmanager at {down}: "
        "connection refused",
        "obsctl: error: no alert window source could be reached: cannot connect to Prometheus "
        f"at {down}: connection refused",
    ]
    assert res.stdout == ""
