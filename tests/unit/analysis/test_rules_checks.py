"""The checks beyond promtool, one table per rule: inputs that pass, then inputs that fire."""

from __future__ import annotations

import pytest

from obsctl.analysis.rules import CheckOptions, check_rule_file
from obsctl.model.rules import ServerFacts
from obsctl.parsers.rule_expr import expression_facts
from obsctl.parsers.rule_file import parse_rule_file

OPTIONS = CheckOptions(required_labels=(), required_annotations=())


def _alert(expr: str, *, extra: str = "        for: 5m\n") -> str:
    return f"groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '{expr}'\n{extra}"


def _hits(text: str, rule_id: str, options: CheckOptions = OPTIONS, server=None) -> list[str]:  # type: ignore[no-untyped-def]
    rf = parse_rule_file(text, source="r.yaml")
    hits = check_rule_file(rf, options, facts=expression_facts(rf), server=server)
    return [h.message for h in hits if h.rule.rule_id == rule_id]


@pytest.mark.parametrize(
    ("expr", "fires"),
    [
        ("up == 0", False),
        ("rate(x_total[5m]) > 1", False),
        ("x and on(job) y", False),
        ("x unless y", False),
        ("absent(up)", False),
        ("topk(1, x)", False),
        ("up", True),  # every series is an alert
        ("rate(x_total[5m]) > bool 1", True),  # bool returns 0/1 for every series
        ("sum(x) + 1", True),
    ],
)
def test_alert_always_fires(expr: str, fires: bool) -> None:
    assert bool(_hits(_alert(expr), "RUL200")) is fires


@pytest.mark.parametrize(
    ("expr", "types", "fires"),
    [
        ("rate(x_total[5m]) > 0", {}, False),
        ("increase(x_bucket[5m]) > 0", {}, False),
        ("rate(queue_depth[5m]) > 0", {}, True),  # a gauge by its name
        ("rate(queue_depth[5m]) > 0", {"queue_depth": "counter"}, False),  # metadata wins
        ("rate(widgets_total[5m]) > 0", {"widgets_total": "gauge"}, True),
        ("deriv(queue_depth[5m]) > 0", {}, False),  # not a counter function
        ("rate(sum_over_time(queue_depth[5m])[10m:1m]) > 0", {}, False),  # not directly
    ],
)
def test_rate_on_non_counter(expr: str, types: dict[str, str], fires: bool) -> None:
    server = ServerFacts(types=types) if types else None
    assert bool(_hits(_alert(expr), "RUL201", server=server)) is fires


@pytest.mark.parametrize(
    ("expr", "scrape", "fires"),
    [
        ("rate(x_total[2m]) > 0", 60.0, False),
        ("rate(x_total[119s]) > 0", 60.0, True),
        ("rate(x_total[1m]) > 0", 15.0, False),
        ("max_over_time(x[1m:10s]) > 0", 60.0, True),  # subquery ranges too
        ("x > 0", 60.0, False),
    ],
)
def test_range_too_short(expr: str, scrape: float, fires: bool) -> None:
    options = CheckOptions(required_labels=(), required_annotations=(), scrape_interval_s=scrape)
    assert bool(_hits(_alert(expr), "RUL202", options)) is fires


def test_range_uses_the_servers_interval() -> None:
    text = _alert("rate(x_total[1m]) > 0")
    assert _hits(text, "RUL202", server=ServerFacts(scrape_interval_s=15.0)) == []
    assert _hits(text, "RUL202") != []


@pytest.mark.parametrize(
    ("expr", "template", "fires"),
    [
        ("sum by (job, instance) (x) > 0", "{{ $labels.instance }}", False),
        ("x > 0", "{{ $labels.instance }}", False),
        ("sum by (job) (x) > 0", "{{ $labels.job }}", False),
        ("sum by (job) (x) > 0", "{{ $labels.instance }}", True),
        ("sum without (instance) (x) > 0", "{{ $labels.instance }}", True),
        ("sum(x) > 0", '{{ index $labels "job" }}', True),
        ("sum by (job) (x) > 0", "{{ .Labels.pod }}", True),
        ("count(x) > 0", "no labels used", False),
    ],
)
def test_template_label_aggregated_away(expr: str, template: str, fires: bool) -> None:
    text = _alert(expr, extra=f"        for: 5m\n        annotations:\n          s: '{template}'\n")
    assert bool(_hits(text, "RUL203")) is fires


def test_for_shorter_than_interval() -> None:
    assert _hits(_alert("up == 0", extra="        for: 30s\n"), "RUL204") == [
        "for: 30s is shorter than the evaluation interval 1m"
    ]
    assert _hits(_alert("up == 0", extra="        for: 1m\n"), "RUL204") == []
    text = _alert("up == 0", extra="        for: 30s\n").replace(
        "- name: g", "- name: g\n    interval: 15s"
    )
    assert _hits(text, "RUL204") == []


@pytest.mark.parametrize(
    ("expr", "messages"),
    [
        ('up{job=~"api|web"} == 0', []),
        ('up{job=~"api.*"} == 0', []),
        ('up{job=~"api"} == 0', ['job=~"api" is a plain string: use job="api"']),
        ('up{job!~"api"} == 0', ['job!~"api" is a plain string: use job!="api"']),
        ('up{job=~".*"} == 0', ['job=~".*" matches every series']),
        ('up{job!~".*"} == 0', ['job!~".*" matches nothing']),
    ],
)
def test_regex_matcher_literal(expr: str, messages: list[str]) -> None:
    assert _hits(_alert(expr), "RUL205") == messages


@pytest.mark.parametrize(
    ("name", "fires"),
    [("job:http_requests:rate5m", False), ("instance_path:requests:rate5m:sum", False),
     ("http_requests_rate", True), ("job:http_requests", True), (":a:b", True)],
)  # fmt: skip
def test_recording_name_convention(name: str, fires: bool) -> None:
    text = f"groups:\n  - name: g\n    rules:\n      - record: '{name}'\n        expr: sum(x)\n"
    assert bool(_hits(text, "RUL206")) is fires


def test_required_labels_and_annotations() -> None:
    options = CheckOptions(
        required_labels=("severity", "team"), required_annotations=("runbook_url",)
    )
    text = _alert("up == 0", extra="        for: 5m\n        labels: {severity: page}\n")
    assert _hits(text, "RUL207", options) == ["alert A has no 'team' label"]
    assert _hits(text, "RUL208", options) == ["alert A has no 'runbook_url' annotation"]
    grouped = text.replace("- name: g", "- name: g\n    labels: {team: api}")
    assert _hits(grouped, "RUL207", options) == []  # group labels count


@pytest.mark.parametrize(
    ("expr", "extra", "fires"),
    [
        ("rate(x_total[5m]) > 1", "        for: 5m\n", False),
        ("rate(x_total[5m]) > 1", "", True),
        ("absent(up)", "", True),
        ("up == 0", "", False),  # nothing noisy
    ],
)
def test_alert_without_for(expr: str, extra: str, fires: bool) -> None:
    assert bool(_hits(_alert(expr, extra=extra), "RUL209")) is fires
    quiet = CheckOptions(required_labels=(), required_annotations=(), noisy_functions=frozenset())
    assert _hits(_alert(expr, extra=extra), "RUL209", quiet) == []


def test_server_checks() -> None:
    server = ServerFacts(
        present={"up": True, "gone_total": False},
        label_names={"up": frozenset({"job", "instance"})},
        series={'up{env="prod"} == 0': 20_000},
    )
    text = _alert('up{env="prod"} == 0')
    assert _hits(text, "RUL301", server=server) == ["label 'env' does not exist on up"]
    assert _hits(text, "RUL302", server=server) == [
        "the expression touches 20,000 series (more than 10,000)"
    ]
    assert _hits(_alert('up{env!="prod"} == 0'), "RUL301", server=server) == []  # matches empty
    assert _hits(_alert("rate(gone_total[5m]) > 0"), "RUL300", server=server) == [
        "metric gone_total has no series on the server in the lookback window"
    ]
    recorded = CheckOptions(
        required_labels=(), required_annotations=(), recorded=frozenset({"gone_total"})
    )
    assert _hits(_alert("rate(gone_total[5m]) > 0"), "RUL300", recorded, server) == []
    assert _hits(_alert("sum by (pod) (up) > 0"), "RUL301", server=server) == [
        "label 'pod' is used but none of up has it"
    ]


def test_labels_the_expression_sets_are_not_missing() -> None:
    server = ServerFacts(present={"up": True}, label_names={"up": frozenset({"job", "instance"})})
    expr = 'label_replace(up, "host", "$1", "instance", "(.*):.*") == 0'
    text = _alert(
        expr, extra="        for: 5m\n        annotations:\n          s: '{{ $labels.host }}'\n"
    )
    assert _hits(text, "RUL301", server=server) == []
    assert _hits(text, "RUL203") == []
    summed = 'sum by (job) (label_replace(up, "host", "$1", "instance", "(.*):.*")) == 0'
    text = _alert(
        summed, extra="        for: 5m\n        annotations:\n          s: '{{ $labels.host }}'\n"
    )
    assert _hits(text, "RUL203") == [
        "templates use $labels.host, which the expression aggregates away"
    ]
