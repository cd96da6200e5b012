"""``obsctl correlate``: exit codes and messages (backends mocked with respx)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from obsctl.exit_codes import ExitCode

AM = "http://am.test:9093"
TEMPO = "http://tempo.test:3200"


def _cli_am(cli, *args: str):  # type: ignore[no-untyped-def]
    return cli(
        "correlate", "HighCheckoutLatency", "--alertmanager-url", AM, "--tempo-url", TEMPO, *args
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--window", "yesterday"],
            "obsctl: error: --window: expected START..END, got 'yesterday'",
        ),
        (["--window", "now..now-1h"], "obsctl: error: --window: start 'now' is not before end"),
        (["--window", "now-1h..soon"], "obsctl: error: --window: invalid time 'soon'"),
        (["--slack", "-1m"], "obsctl: error: --slack: negative duration '-1m'"),
        (["--baseline-window", "x"], "obsctl: error: --baseline-window: expected START..END"),
        (["--since", "1h", "--start", "now-2h"], "obsctl: error: give either --since or --start"),
        (["--rank-by", "speed"], "obsctl: error: invalid value for '--rank-by'"),
    ],
)
def test_bad_arguments_exit_2(cli, args: list[str], message: str) -> None:
    res = cli("correlate", "HighCheckoutLatency", *args)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert message in res.stderr
    assert res.stdout == ""


def test_rules_file_problems_exit_2(cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yml"
    res = cli("correlate", "X", "--rules", str(missing))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith(f"obsctl: error: --rules: {missing} does not exist")

    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n- name: g\n  rules:\n  - alert: X\n    expr: rate(x[\n")
    res = cli("correlate", "X", "--rules", str(bad))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith(f"obsctl: error: {bad}:4: invalid PromQL in alert expression")

    other = tmp_path / "other.yml"
    other.write_text("groups:\n- name: g\n  rules:\n  - alert: Y\n    expr: up == 0\n")
    res = cli("correlate", "X", "--rules", str(other))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines() == [
        f"obsctl: error: no alerting rule named 'X' in {other}",
        "  hint: alerts defined there: Y",
    ]


def test_alert_not_active_in_alertmanager_exits_5(cli) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{AM}/api/v2/alerts", name="alerts").respond(200, json=[])
        res = _cli_am(cli, "--start", "2026-11-25T09:00:00Z", "--end", "2026-11-25T10:00:00Z")
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    assert res.stderr.splitlines()[0] == (
        "obsctl: error: alert HighCheckoutLatency never fired between 2026-11-25T09:00:00Z "
        "and 2026-11-25T10:00:00Z"
    )
    assert route.calls.last.request.url.params["filter"] == 'alertname="HighCheckoutLatency"'


def test_alertmanager_error_as_only_window_source_exits_4(cli) -> None:
    with respx.mock() as mock:
        mock.get(f"{AM}/api/v2/alerts").respond(500, text="internal error")
        res = _cli_am(cli)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    # The one failure is the error; it is not repeated as a note.
    assert res.stderr.splitlines() == [
        "obsctl: error: no alert window source worked: Alertmanager answered HTTP 500 for "
        "alerts: internal error"
    ]


def test_alertmanager_unreachable_as_only_window_source_exits_3(cli) -> None:
    with respx.mock() as mock:
        mock.get(f"{AM}/api/v2/alerts").mock(side_effect=httpx.ConnectError("Connection refused"))
        res = _cli_am(cli)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert res.stderr.startswith(
        f"obsctl: error: no alert window source could be reached: cannot connect to "
        f"Alertmanager at {AM}: connection refused"
    )


def test_no_trace_source_works_exits_3(cli) -> None:
    starts = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    alert = {
        "labels": {"alertname": "HighCheckoutLatency", "service": "checkout"},
        "annotations": {},
        "startsAt": starts,
        "endsAt": "2099-01-01T00:00:00.000Z",
        "updatedAt": starts,
        "fingerprint": "f",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
    }
    with respx.mock() as mock:
        mock.get(f"{AM}/api/v2/alerts").respond(200, json=[alert])
        mock.get(url__startswith=TEMPO).mock(side_effect=httpx.ConnectError("Connection refused"))
        res = _cli_am(cli, "--backend", "tempo")
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert "obsctl: error: no trace source could be reached: cannot connect to Tempo" in res.stderr


def test_alertmanager_window_and_tempo_traces_exit_0(cli) -> None:
    import json

    from tests.integration.correlate_replay import ReplaySpan, ReplayTrace, tempo_resource_spans

    now = datetime.now(UTC)
    starts = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    alert = {
        "labels": {"alertname": "HighCheckoutLatency", "service": "checkout"},
        "annotations": {},
        "startsAt": starts,
        "endsAt": "2099-01-01T00:00:00.000Z",
        "fingerprint": "f",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
    }
    found = "4bf92f3577b34da6a3ce929d0e0e4736"
    gone = "dddddddddddddddddddddddddddddddd"
    start_ns = int((now - timedelta(minutes=2)).timestamp()) * 10**9
    trace = ReplayTrace(
        found,
        start_ns,
        (
            ReplaySpan(1, None, "checkout", "POST /checkout", 0, 700),
            ReplaySpan(2, 1, "payments-db", "SELECT orders", 100, 600),
        ),
    )
    hits = [
        {
            "traceID": gone,
            "rootServiceName": "checkout",
            "startTimeUnixNano": str(start_ns),
            "durationMs": 900,
        },
        {
            "traceID": found,
            "rootServiceName": "checkout",
            "startTimeUnixNano": str(start_ns),
            "durationMs": 700,
        },
    ]
    with respx.mock() as mock:
        mock.get(f"{AM}/api/v2/alerts").respond(200, json=[alert])
        search = mock.get(f"{TEMPO}/api/search").respond(200, json={"traces": hits})
        mock.get(f"{TEMPO}/api/v2/traces/{found}").respond(
            200, json={"trace": {"resourceSpans": tempo_resource_spans(trace)}}
        )
        mock.get(f"{TEMPO}/api/v2/traces/{gone}").respond(404, text="")
        res = _cli_am(cli, "--backend", "tempo", "--baseline-window", "off", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert [(w["sources"], w["open"]) for w in doc["windows"]] == [(["alertmanager"], True)]
    assert [(t["trace_id"], t["latency_ms"], t["found"]) for t in doc["traces"]] == [
        (gone, 900.0, False),
        (found, 700.0, True),
    ]
    assert doc["bottlenecks"][0]["service"] == "payments-db"
    assert doc["bottlenecks"][0]["critical_path_share"] == 500 / 700
    assert doc["baseline"] is None
    assert search.calls.last.request.url.params["q"] == '{ resource.service.name = "checkout" }'
    assert res.stderr == (
        "obsctl: note: 1 of 2 traces could not be fetched; ranked with what is known\n"
    )


def test_manual_window_sets_the_range_and_reports_no_baseline(cli) -> None:
    import json

    with respx.mock() as mock:
        search = mock.get(f"{TEMPO}/api/search").respond(200, json={"traces": []})
        res = cli(
            "correlate",
            "HighCheckoutLatency",
            "--window",
            "2026-01-01T00:00:00Z..2026-01-01T00:10:00Z",
            "--slack",
            "30s",
            "--tempo-url",
            TEMPO,
            "--backend",
            "tempo",
            "-o",
            "json",
        )
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["range"] == {"start": "2025-12-31T23:59:30Z", "end": "2026-01-01T00:10:30Z"}
    assert doc["windows"] == [
        {
            "start": "2025-12-31T23:59:30Z",
            "end": "2026-01-01T00:10:30Z",
            "labels": {},
            "sources": ["manual"],
            "pending_since": None,
            "open": False,
        }
    ]
    assert doc["traces"] == []
    # The incident window, then the baseline of the same length just before it.
    assert [(c.request.url.params["start"], c.request.url.params["end"]) for c in search.calls] == [
        ("1767225570", "1767226230"),
        ("1767224910", "1767225570"),
    ]
    assert res.stderr.splitlines() == [
        "obsctl: note: no candidate traces found in the firing windows",
        "obsctl: note: no baseline traces found between 2025-12-31T23:48:30Z and "
        "2025-12-31T23:59:30Z; no comparison made",
    ]


def test_a_mistyped_alert_name_is_a_usage_error_not_never_fired(cli):
    prom = "http://prom.test:9090"
    rules = {
        "status": "success",
        "data": {
            "groups": [
                {
                    "name": "checkout",
                    "file": "r.yml",
                    "rules": [
                        {"type": "alerting", "name": "HighCheckoutLatency", "query": "x > 1"},
                        {"type": "alerting", "name": "DiskFull", "query": "y > 1"},
                    ],
                }
            ]
        },
    }
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{prom}/api/v1/rules").respond(200, json=rules)
        mock.route(url__startswith=prom).respond(500)
        res = cli("correlate", "HighCheckoutLatncy", "--prometheus-url", prom, "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr.splitlines()[0] == (
        "obsctl: error: Prometheus has no alerting rule named 'HighCheckoutLatncy'; "
        "did you mean 'HighCheckoutLatency'?"
    )
