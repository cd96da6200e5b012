"""Rule files read strictly, with positions into the original file."""

from __future__ import annotations

import pytest

from obsctl.errors import ParseError
from obsctl.parsers.rule_expr import expr_facts
from obsctl.parsers.rule_file import parse_prom_duration, parse_rule_file


def test_plain_file_with_positions() -> None:
    text = (
        "groups:\n"
        "  - name: g\n"
        "    interval: 30s\n"
        "    rules:\n"
        "      - alert: A\n"
        "        expr: up == 0\n"
        "        for: 5m\n"
        "        labels: {severity: page}\n"
    )
    rf = parse_rule_file(text, source="r.yaml")
    (group,) = rf.groups
    (rule,) = group.rules
    assert (group.name, group.interval_s, group.name_pos) == ("g", 30.0, (2, 11))
    assert (rule.kind, rule.name, rule.expr, rule.for_s) == ("alert", "A", "up == 0", 300.0)
    assert rule.labels == (("severity", "page"),)
    assert (rule.pos, rule.at("expr"), rule.at("for")) == ((5, 9), (6, 15), (7, 14))
    assert rf.problems == ()


def test_prometheus_rule_and_list_keep_original_lines() -> None:
    crd = (
        "apiVersion: v1\n"
        "kind: List\n"
        "items:\n"
        "  - apiVersion: monitoring.coreos.com/v1\n"
        "    kind: PrometheusRule\n"
        "    spec:\n"
        "      groups:\n"
        "        - name: g\n"
        "          rules:\n"
        "            - record: a:b:c\n"
        "              expr: sum(x)\n"
        "  - kind: ConfigMap\n"
        "    data: {}\n"
    )
    rf = parse_rule_file(crd, source="k.yaml")
    (group,) = rf.groups
    assert group.rules[0].at("expr") == (11, 21)
    assert rf.problems == ()


def test_problems_are_collected_not_raised() -> None:
    text = (
        "groups:\n"
        "  - name: g\n"
        "    bogus: 1\n"
        "    rules:\n"
        "      - alert: A\n"
        "        alert: B\n"
        "        expr: [up]\n"
        "        for: 1.5m\n"
    )
    rf = parse_rule_file(text, source="r.yaml")
    # ``expr: [up]`` is no unmarshal error (Prometheus keeps expr as a YAML node): an empty
    # expression, which the checks report where it is written.
    assert rf.groups[0].rules[0].expr == "" and rf.groups[0].rules[0].at("expr") == (7, 15)
    assert [(p.rule_id, p.message, p.pos) for p in rf.problems] == [
        ("RUL101", "field bogus not found in type rulefmt.RuleGroup", (3, 5)),
        ("RUL100", 'mapping key "alert" already defined at line 5', (6, 9)),
        ("RUL110", 'for: not a valid duration string: "1.5m"', (8, 14)),
    ]


def test_not_yaml_raises_with_position() -> None:
    with pytest.raises(ParseError) as err:
        parse_rule_file("groups: [\n", source="r.yaml")
    assert err.value.location is not None and err.value.location.line == 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("5m", 300.0), ("1h30m", 5400.0), ("100ms", 0.1), ("1y", 31536000.0),
     ("5", None), ("1.5m", None), ("m", None), ("", None), ("30m1h", None)],
)  # fmt: skip
def test_prometheus_durations(text: str, seconds: float | None) -> None:
    assert parse_prom_duration(text) == seconds


def test_expression_facts() -> None:
    f = expr_facts(
        'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / on (job) '
        "sum by (job) (rate(http_requests_total[5m])) > bool 0.1"
    )
    assert not f.comparison  # > bool filters nothing
    assert f.output_labels == frozenset({"job"})
    assert [(s.name, s.range_s, s.functions) for s in f.selectors] == [
        ("http_requests_total", 300.0, ("rate",)),
        ("http_requests_total", 300.0, ("rate",)),
    ]
    assert f.label_uses == frozenset({"job", "code"})
    assert expr_facts("up == 0").comparison
    assert expr_facts("absent(up)").comparison
    assert expr_facts("topk(3, x)").comparison
    assert expr_facts("x unless y").comparison
    g = expr_facts("sum without (instance) (x)")
    assert g.output_labels is None and g.dropped_labels == frozenset({"instance"})
    assert expr_facts("max_over_time(x[10m:1m])").selectors[0].range_s == 600.0


def test_nulls_and_merge_keys() -> None:
    text = (
        "groups:\n"
        "  - name: g\n"
        "    rules:\n"
        "      - alert: A\n"
        "        expr: up == 0\n"
        "        labels: &common\n"
        "          severity: page\n"
        "        annotations:\n"
        "      - alert: B\n"
        "        expr: up == 1\n"
        "        labels:\n"
        "          <<: *common\n"
        "          team: api\n"
        "        annotations: ~\n"
        "  - name: empty\n"
        "    rules:\n"
        "      - record: a:b:c\n"
        "        expr: '1'\n"
        '        labels: {quoted: ""}\n'
    )
    rf = parse_rule_file(text, source="r.yaml")
    assert rf.problems == ()
    a, b = rf.groups[0].rules
    assert a.annotations == () and b.annotations == ()
    assert b.labels == (("severity", "page"), ("team", "api"))
    assert rf.groups[1].rules[0].labels == (("quoted", ""),)
