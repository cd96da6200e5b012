"""Alerting rules from the server's rules API, as correlate uses them without --rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx

from obsctl.backends.http import make_client
from obsctl.backends.prometheus import PrometheusClient
from obsctl.config.schema import Endpoint
from obsctl.errors import ParseError, exit_code_of
from obsctl.exit_codes import ExitCode
from obsctl.parsers.prom_api import parse_alert_rules_response
from obsctl.workflows.correlate import server_rule

URL = "http://prom.test:9090"
RULES = {
    "status": "success",
    "data": {
        "groups": [
            {
                "name": "checkout",
                "file": "/etc/prometheus/rules/checkout.yml",
                "rules": [
                    {"type": "recording", "name": "job:rate5m", "query": "sum(rate(x[5m]))"},
                    {
                        "type": "alerting",
                        "name": "HighCheckoutLatency",
                        "query": "histogram_quantile(0.9, rate(http_seconds_bucket[5m])) > 0.4",
                        "duration": 120,
                        "keepFiringFor": 60,
                        "labels": {"severity": "page"},
                        "annotations": {"summary": "slow"},
                        "state": "firing",
                    },
                ],
            }
        ]
    },
}


def endpoint() -> Endpoint:
    return Endpoint(kind="prometheus", url=URL, source="flag", configured=True)


def test_parse_keeps_alerting_rules_only():
    (rule,) = parse_alert_rules_response(RULES)
    assert (rule.name, rule.for_seconds, rule.keep_firing_for_seconds) == (
        "HighCheckoutLatency",
        120.0,
        60.0,
    )
    assert rule.labels == {"severity": "page"}
    assert rule.file == "/etc/prometheus/rules/checkout.yml"


@pytest.mark.parametrize(
    "doc",
    [
        {"status": "success", "data": {"groups": "x"}},
        {"status": "success", "data": {"groups": [{"rules": [{"type": "alerting", "name": 1}]}]}},
    ],
)
def test_malformed_rules_payload_is_a_backend_error(doc):
    with pytest.raises(ParseError) as err:
        parse_alert_rules_response(doc)
    assert "unexpected rules response" in str(err.value)
    assert exit_code_of(err.value) == ExitCode.BACKEND_ERROR


async def test_server_rule_found_and_converted():
    notes: list[str] = []
    with respx.mock() as mock:
        route = mock.get(f"{URL}/api/v1/rules").respond(200, json=RULES)
        async with make_client(endpoint()) as client:
            rule = await server_rule(
                PrometheusClient(client, endpoint()), "HighCheckoutLatency", note=notes.append
            )
    assert route.calls.last.request.url.params["type"] == "alert"
    assert rule is not None
    assert rule.expr.startswith("histogram_quantile(0.9")
    assert rule.for_ == timedelta(minutes=2)
    assert rule.source == "/etc/prometheus/rules/checkout.yml"
    assert notes == []


async def test_server_without_rules_api_is_noted_and_skipped():
    notes: list[str] = []
    with respx.mock() as mock:
        mock.get(f"{URL}/api/v1/rules").respond(404, text="404 page not found")
        async with make_client(endpoint()) as client:
            rule = await server_rule(PrometheusClient(client, endpoint()), "X", note=notes.append)
    assert rule is None
    assert len(notes) == 1 and notes[0].startswith("skipped: alerting rules from ")
