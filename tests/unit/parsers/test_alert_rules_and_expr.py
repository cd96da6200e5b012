"""Rule files (plain and PrometheusRule) and alert expression → selector extraction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from obsctl.errors import ParseError, UsageError
from obsctl.model.alerts import make_labels
from obsctl.parsers.alert_expr import (
    MetricSelector,
    duration_unit_ns,
    exemplar_selectors,
    extract_selectors,
    latency_threshold,
)
from obsctl.parsers.rules import find_alert_rule, parse_alert_rules

RULE_FILE = """\
groups:
  - name: checkout
    interval: 30s
    rules:
      - record: job:latency:p99
        expr: histogram_quantile(0.99, rate(x_bucket[5m]))
      - alert: HighCheckoutLatency
        expr: |
          histogram_quantile(0.99, sum by (le, service)
            (rate(http_server_duration_seconds_bucket{service="checkout"}[5m]))) > 0.4
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: page
        annotations:
          summary: "p99 {{ $value }}"
"""

PROMETHEUS_RULE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: checkout
spec:
  groups:
    - name: g
      rules:
        - alert: Errors
          expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1
"""


def test_rule_file_alerting_rule_with_all_fields() -> None:
    rules = parse_alert_rules(RULE_FILE, source="rules.yml")
    assert len(rules) == 1
    r = rules[0]
    assert r.name == "HighCheckoutLatency"
    assert r.expr.startswith("histogram_quantile(0.99")
    assert r.for_ == timedelta(minutes=5)
    assert r.keep_firing_for == timedelta(minutes=1)
    assert r.labels == make_labels({"severity": "page"})
    assert r.annotations == make_labels({"summary": "p99 {{ $value }}"})
    assert (r.group, r.interval, r.source, r.line) == (
        "checkout",
        timedelta(seconds=30),
        "rules.yml",
        7,
    )


def test_prometheus_rule_resource_in_a_multi_document_manifest() -> None:
    rules = parse_alert_rules(PROMETHEUS_RULE, source="pr.yaml")
    assert [(r.name, r.for_, r.line) for r in rules] == [("Errors", timedelta(0), 13)]


def test_kubernetes_list_of_prometheus_rules() -> None:
    text = "kind: List\nitems:\n" + "".join(
        "  - " + line + "\n" if i == 0 else "    " + line + "\n"
        for i, line in enumerate(PROMETHEUS_RULE.split("---\n")[1].splitlines())
    )
    assert [r.name for r in parse_alert_rules(text, source="l.yaml")] == ["Errors"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Broken YAML: location of the scanner error.
        ("groups:\n  - name: [x\n", "l.yml:3:1: invalid YAML"),
        # Not a rule file at all.
        ("foo: 1\n", "l.yml:1:1: no 'groups:' key"),
        # An alert without expr.
        ("groups:\n- name: g\n  rules:\n  - alert: A\n", "l.yml:4:5: alert 'A' has no expr"),
        # A bad duration, located at its value.
        (
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: five\n",
            "l.yml:6:10: for: invalid duration 'five'",
        ),
        # groups must be a list.
        ("groups: {a: 1}\n", "l.yml:1:9: groups must be a list"),
    ],
)
def test_rule_file_errors_carry_file_line_col(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_alert_rules(text, source="l.yml")
    assert str(info.value).startswith(message)
    assert info.value.effective_exit_code == 2


def test_find_alert_rule_lists_known_alerts() -> None:
    rules = parse_alert_rules(RULE_FILE, source="rules.yml")
    assert find_alert_rule(rules, "HighCheckoutLatency", source="rules.yml") is rules[0]
    with pytest.raises(UsageError) as info:
        find_alert_rule(rules, "Nope", source="rules.yml")
    assert str(info.value) == "no alerting rule named 'Nope' in rules.yml"
    assert info.value.hint == "alerts defined there: HighCheckoutLatency"


def test_extract_selectors_with_enclosing_functions_in_source_order() -> None:
    got = extract_selectors(
        'histogram_quantile(0.9, sum by (le) (rate(a_bucket{job="x",le!=""}[5m] offset 1m)))'
        ' / on() group_left max_over_time(b[10m:1m]) and {__name__="c", d!~"e"}'
    )
    assert got == [
        MetricSelector(
            "a_bucket", (("job", "=", "x"), ("le", "!=", "")), ("rate", "histogram_quantile")
        ),
        MetricSelector("b", (), ("max_over_time",)),
        MetricSelector("c", (("d", "!~", "e"),), ()),
    ]


def test_or_inside_braces_is_not_promql() -> None:
    # Some PromQL dialects allow {a="1" or b="2"}; Prometheus does not.
    with pytest.raises(ParseError, match="unexpected identifier"):
        extract_selectors('{d!~"e" or f="g"}')


@pytest.mark.parametrize(
    ("expr", "selectors"),
    [
        # Classic histogram quantile: the bucket series, le dropped.
        (
            "histogram_quantile(0.99, sum by (le) "
            '(rate(h_seconds_bucket{job="api",le=~".+"}[5m]))) > 0.4',
            ['h_seconds_bucket{job="api"}'],
        ),
        # Average latency from _sum/_count: exemplars live on _bucket.
        (
            'rate(h_seconds_sum{job="api"}[5m]) / rate(h_seconds_count{job="api"}[5m]) > 0.2',
            [
                'h_seconds_bucket{job="api"}',
                'h_seconds_sum{job="api"}',
                'h_seconds_count{job="api"}',
            ],
        ),
        # A counter: exemplars sit on the _total series itself.
        ('sum(increase(errors_total{code="500"}[5m])) > 3', ['errors_total{code="500"}']),
        # Native histogram: the series itself.
        ("histogram_quantile(0.5, rate(h[1m]))", ["h"]),
        # Values with quotes and backslashes are re-escaped.
        ('x{path="a\\\\b\\"c"}', ['x{path="a\\\\b\\"c"}']),
        # Repeated selectors appear once.
        ("a > 1 and a < 5", ["a"]),
    ],
)
def test_exemplar_selectors(expr: str, selectors: list[str]) -> None:
    assert exemplar_selectors(expr) == selectors


def test_invalid_promql_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        exemplar_selectors("rate(x[")
    assert "invalid PromQL in alert expression" in str(info.value)


@pytest.mark.parametrize(
    ("expr", "threshold"),
    [
        ("histogram_quantile(0.99, rate(h_seconds_bucket[5m])) > 0.4", timedelta(milliseconds=400)),
        (
            "0.25 <= histogram_quantile(0.99, rate(rpc_duration_milliseconds_bucket[5m]))",
            timedelta(microseconds=250),
        ),
        (
            "(histogram_quantile(0.9, rate(request_latency_bucket[5m])) >= 2) and on() up",
            timedelta(seconds=2),
        ),
        ("sum(rate(http_requests_total[5m])) > 100", None),  # not a duration
        ("histogram_quantile(0.99, rate(h_seconds_bucket[5m])) < 0.4", None),  # too fast
    ],
)
def test_latency_threshold(expr: str, threshold: timedelta | None) -> None:
    assert latency_threshold(expr) == threshold


def test_duration_units() -> None:
    assert duration_unit_ns("x_microseconds_bucket") == 1_000
    assert duration_unit_ns("db_query_ms_bucket") == 1_000_000
    assert duration_unit_ns("process_cpu_seconds_total") == 1_000_000_000
    assert duration_unit_ns("queue_size") is None
