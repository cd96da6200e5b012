"""``obsctl alerts`` and ``silence`` with mocked endpoints (real ones: integration)."""

from __future__ import annotations

import json

import httpx
import respx

from obsctl.exit_codes import ExitCode
from tests.integration import servers

AM = "http://am.test:9093"
PROM = "http://prom.test:9090"

RULES_ALERTS = {
    "status": "success",
    "data": {
        "alerts": [
            {
                "labels": {"alertname": "Saturation", "severity": "page"},
                "annotations": {},
                "state": "firing",
                "activeAt": "2026-11-25T10:00:00.123456789Z",
                "value": "1e+00",
            },
            {
                "labels": {"alertname": "Slow"},
                "annotations": {},
                "state": "pending",
                "activeAt": "2026-11-25T10:05:00Z",
                "value": "1e+00",
            },
        ]
    },
}


def test_without_alertmanager_the_rules_api_firing_alerts_stand_in(cli):
    dead = servers.closed_port_url()
    with respx.mock() as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.get(f"{PROM}/api/v1/alerts").respond(200, json=RULES_ALERTS)
        res = cli("alerts", "-o", "json", "--prometheus-url", PROM, "--alertmanager-url", dead)
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["sources"] == ["prometheus"]
    assert [(a["alertname"], a["state"]) for a in doc["alerts"]] == [
        ("Saturation", "firing"),
        ("Slow", "pending"),
    ]
    assert doc["alerts"][0]["starts_at"] == "2026-11-25T10:00:00.123456Z"
    assert doc["notes"][0].startswith("Alertmanager: cannot connect to Alertmanager")
    assert "showing the firing alerts of the rules API" in res.stderr


def test_both_sources_unreachable_exits_3(cli):
    res = cli(
        "alerts",
        "--prometheus-url",
        servers.closed_port_url(),
        "--alertmanager-url",
        servers.closed_port_url(),
    )
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert res.stderr.startswith("obsctl: error: cannot connect to ")


def test_a_refused_silence_exits_4_with_alertmanagers_reason(cli):
    with respx.mock() as mock:
        mock.post(f"{AM}/api/v2/silences").respond(400, text='"end time can\'t be in the past"')
        res = cli("silence", "add", "job=api", "-c", "x", "--alertmanager-url", AM)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith("obsctl: error: Alertmanager answered HTTP 400")
    assert "end time can't be in the past" in first


def test_silence_request_body_is_alertmanagers_shape(cli):
    with respx.mock() as mock:
        route = mock.post(f"{AM}/api/v2/silences").respond(200, json={"silenceID": "abc"})
        res = cli(
            "silence",
            "add",
            'job=~"api|web"',
            "env!=dev",
            "-d",
            "90m",
            "-c",
            "deploy",
            "-a",
            "sre",
            "--start",
            "2030-01-02T03:04:05Z",
            "--alertmanager-url",
            AM,
        )
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == "abc\n"
    body = json.loads(route.calls[0].request.content)
    assert body == {
        "matchers": [
            {"name": "job", "value": "api|web", "isRegex": True, "isEqual": True},
            {"name": "env", "value": "dev", "isRegex": False, "isEqual": False},
        ],
        "startsAt": "2030-01-02T03:04:05.000Z",
        "endsAt": "2030-01-02T04:34:05.000Z",
        "createdBy": "sre",
        "comment": "deploy",
    }


def test_a_silence_post_is_not_retried(cli):
    with respx.mock() as mock:
        route = mock.post(f"{AM}/api/v2/silences").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json={"silenceID": "x"})]
        )
        res = cli("silence", "add", "job=api", "-c", "x", "--alertmanager-url", AM)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert route.call_count == 1
