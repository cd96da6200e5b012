"""One table per rule: good inputs (no finding of that rule), bad inputs (exactly the message)."""

from __future__ import annotations

import pytest

from obsctl.analysis.lint import LintConfig, lint_exposition
from obsctl.analysis.lint.cardinality import classify_value
from obsctl.analysis.lint.registry import RULES, make_selection
from obsctl.errors import ConfigError
from obsctl.model.findings import Severity
from obsctl.parsers.exposition import parse_exposition_text
from obsctl.workflows.lint import load_lint_config


def _run(text: str, rule: str, fmt: str = "text", config: LintConfig | None = None) -> list[str]:
    expo = parse_exposition_text(text, fmt=fmt)
    return [f.message for f in lint_exposition(expo, config or LintConfig()) if f.rule_id == rule]


H = "# HELP {n} x\n# TYPE {n} {t}\n"


def fam(name: str, type_: str, *samples: str) -> str:
    return H.format(n=name, t=type_) + "".join(s + "\n" for s in samples)


TABLE: list[tuple[str, str, list[str]]] = [
    # (rule, exposition, expected messages); an empty list is a good case
    ("OBS101", fam("a", "gauge", "a 1"), []),
    ("OBS101", "# TYPE a gauge\na 1\n", ["no help text"]),  # no HELP at all
    ("OBS101", "# HELP a \n# TYPE a gauge\na 1\n", ["no help text"]),  # empty HELP = missing
    ("OBS102", fam("a_seconds", "gauge", "a_seconds 1"), []),
    (
        "OBS102",
        fam("a_milliseconds", "gauge", "a_milliseconds 1"),
        ['use base unit "seconds" instead of "milliseconds"'],
    ),  # prefixed unit
    (
        "OBS102",
        fam("disk_mebibytes", "gauge", "disk_mebibytes 1"),
        ['use base unit "bytes" instead of "mebibytes"'],
    ),  # promlint misses this (mibi typo)
    (
        "OBS102",
        fam("uptime_hours", "gauge", "uptime_hours 1"),
        ['use base unit "seconds" instead of "hours"'],
    ),  # mapped unit
    ("OBS103", fam("a_total", "counter", "a_total 1"), []),
    ("OBS103", fam("a", "counter", "a 1"), ['counter metrics should have "_total" suffix']),
    (
        "OBS104",
        fam("a_total", "gauge", "a_total 1"),
        ['non-counter metrics should not have "_total" suffix'],
    ),  # gauge with _total
    ("OBS104", "# HELP a_total x\na_total 1\n", []),  # untyped is exempt
    (
        "OBS105",
        fam("a_bucket", "gauge", "a_bucket 1"),
        ['non-histogram metrics should not have "_bucket" suffix'],
    ),
    (
        "OBS105",
        fam("a_count", "counter", "a_count 1"),
        ['non-histogram and non-summary metrics should not have "_count" suffix'],
    ),
    (
        "OBS106",
        fam("a", "gauge", 'a{le="1"} 1', 'a{le="2"} 1'),
        ['non-histogram metrics should not have "le" label'],
    ),  # once per family, not per series
    (
        "OBS106",
        fam("a", "gauge", 'a{quantile="1"} 1'),
        ['non-summary metrics should not have "quantile" label'],
    ),
    (
        "OBS107",
        fam("queue_gauge", "gauge", "queue_gauge 1"),
        ["metric name should not include type 'gauge'"],
    ),
    ("OBS107", fam("queue_gauge", "counter", "queue_gauge 1"), []),  # only its own type
    (
        "OBS108",
        fam("job:req:rate5m", "gauge", "job:req:rate5m 1"),
        ["metric names should not contain ':'"],
    ),
    (
        "OBS109",
        fam("httpRequests", "gauge", "httpRequests 1"),
        ["metric names should be written in 'snake_case' not 'camelCase'"],
    ),
    ("OBS109", fam("HTTP_requests", "gauge", "HTTP_requests 1"), []),  # no [a-z][A-Z]
    (
        "OBS110",
        fam("a", "gauge", 'a{statusCode="1"} 1', 'a{statusCode="2"} 1'),
        ["label names should be written in 'snake_case' not 'camelCase'"],
    ),
    (
        "OBS111",
        fam("lat_ms", "gauge", "lat_ms 1"),
        ["metric names should not contain abbreviated units"],
    ),
    (
        "OBS111",
        fam("size_kb_s", "gauge", "size_kb_s 1"),
        ["metric names should not contain abbreviated units"] * 2,
    ),  # one per abbreviation
    ("OBS112", fam("cpu_percent", "gauge", "cpu_percent 1"), ["metric name uses percent"]),
    ("OBS113", fam("hit_ratio", "counter", "hit_ratio 1"), ["_ratio metric has type counter"]),
    (
        "OBS115",
        fam("a", "gauge", 'a{__tmp="1"} 1'),
        ['label name "__tmp" starts with "__", which is reserved'],
    ),
    (
        "OBS116",
        fam("cpu_total_seconds", "counter", "cpu_total_seconds 1"),
        ["the unit follows _total"],
    ),
    (
        "OBS117",
        fam("last_run_timestamp", "gauge", "last_run_timestamp 1"),
        ['timestamp metric without "_seconds" unit'],
    ),
    (
        "OBS117",
        fam("last_run_timestamp_ms", "gauge", "last_run_timestamp_ms 1"),
        ['timestamp metric without "_seconds" unit'],
    ),  # a unit other than seconds
    ("OBS117", fam("dup_timestamp_total", "counter", "dup_timestamp_total 1"), []),  # a count
    ("OBS117", fam("last_run_timestamp_seconds", "gauge", "last_run_timestamp_seconds 1"), []),
    (
        "OBS114",
        fam("build_info", "gauge", 'build_info{v="1"} 1', 'build_info{v="2"} 2'),
        ["_info metric has a value other than 1"],
    ),
    ("OBS114", fam("build_info", "counter", "build_info 1"), ["_info metric has type counter"]),
    ("OBS114", fam("build_info", "gauge", 'build_info{v="1"} 1'), []),
    (
        "OBS207",
        fam("q", "gauge", 'q{sql="' + "x" * 200 + '"} 1'),
        ["label 'sql' of q has a 200-byte value (limit 128)"],
    ),
    (
        "OBS208",
        fam(
            "h",
            "histogram",
            *(f'h_bucket{{le="{i}"}} {i}' for i in range(40)),
            'h_bucket{le="+Inf"} 40',
            "h_count 40",
            "h_sum 1",
        ),
        ["histogram h has 41 distinct buckets (budget 30)"],
    ),
    # structure
    (
        "OBS301",
        fam("a", "gauge", 'a{x="1"} 1', 'a{x="1"} 2'),
        ['metric not unique: a{x="1"} already appeared'],
    ),
    (
        "OBS301",
        fam("a", "gauge", 'a{x="1",y="2"} 1', 'a{y="2",x="1"} 2'),
        ['metric not unique: a{y="2",x="1"} already appeared'],
    ),  # label order does not matter
    ("OBS301", fam("a", "gauge", 'a{x="1"} 1', 'a{x="2"} 2'), []),
    (
        "OBS302",
        fam("h", "histogram", 'h_bucket{x="1"} 1', 'h_bucket{le="+Inf"} 1', "h_count 1", "h_sum 1"),
        ['h_bucket has no "le" label'],
    ),
    (
        "OBS303",
        fam("h", "histogram", 'h_bucket{le="1"} 1', "h_count 1", "h_sum 1"),
        ['h has no le="+Inf" bucket'],
    ),
    (
        "OBS304",
        fam(
            "h", "histogram", 'h_bucket{le="1"} 5', 'h_bucket{le="+Inf"} 3', "h_count 3", "h_sum 1"
        ),
        ['h: bucket le="+Inf" has 3, less than the bucket below (5)'],
    ),
    (
        "OBS305",
        fam("h", "histogram", 'h_bucket{le="+Inf"} 3', "h_count 4", "h_sum 1"),
        ["h_count is 4 but the +Inf bucket is 3"],
    ),
    (
        "OBS306",
        fam("h", "histogram", 'h_bucket{le="+Inf"} -1', "h_count -1", "h_sum 1"),
        ["negative bucket population for histogram h: -1", "negative count for histogram h: -1"],
    ),
    (
        "OBS307",
        fam("s", "summary", 's{quantile="99"} 1', "s_count 1", "s_sum 1"),
        ['s: quantile="99" is outside [0, 1]'],
    ),
    ("OBS307", fam("s", "summary", 's{quantile="0.99"} 1', "s_count 1", "s_sum 1"), []),
    ("OBS308", fam("s", "summary", "s_count 1"), ["s has _count but not _sum"]),
    ("OBS309", fam("h", "histogram", 'h_bucket{le="+Inf"} 1'), ["h has no _count and no _sum"]),
    ("OBS310", fam("c_total", "counter", "c_total -1"), ["counter has a negative value"]),
    ("OBS310", fam("c_total", "counter", "c_total NaN"), []),  # text format: accepted
    (
        "OBS311",
        fam(
            "h",
            "histogram",
            'h_bucket{le="2"} 0',
            'h_bucket{le="1"} 0',
            'h_bucket{le="+Inf"} 0',
            "h_count 0",
            "h_sum 0",
        ),
        ['h: bucket le="1" follows le="2"'],
    ),
    (
        "OBS312",
        '# HELP a x\na 1\n# HELP b x\nb 1\na{x="1"} 2\n',
        ["family a continues here after another family (first line 1)"],
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), TABLE)
def test_rule_table(rule: str, text: str, expected: list[str]) -> None:
    assert _run(text, rule) == expected


def test_cardinality_budgets_and_overrides() -> None:
    lines = "".join(f'a{{id="{i}"}} 1\n' for i in range(1200))
    text = fam("a", "gauge") + lines
    assert _run(text, "OBS201") == ["a has many series: 1,200 (warning at 1,000)"]
    assert _run(text, "OBS204") == [
        "label 'id' of a has many distinct values: 1,200 (budget 1,000)"
    ]
    cfg = load_lint_config(
        {"budgets": {"metrics": {"a": {"series": {"warn": 5000}, "label_values": 2000}}}}
    )
    assert _run(text, "OBS201", config=cfg) == []
    assert _run(text, "OBS204", config=cfg) == []
    assert _run(text, "OBS203", config=cfg) == [
        "label 'id' of a has many distinct values: 1,200 (warning at 100)"
    ]


def test_unbounded_values_by_content_and_name() -> None:
    ids = "".join(f'a{{trace_id="{i:032x}"}} 1\n' for i in range(20))
    found = lint_exposition(
        parse_exposition_text(fam("a", "gauge") + ids, fmt="text"), LintConfig()
    )
    by_rule = {f.rule_id: f for f in found}
    assert by_rule["OBS205"].message == (
        "label 'trace_id' of a looks unbounded: 20 of 20 sampled values look like a hex ID "
        "(20 distinct)"
    )
    assert by_rule["OBS205"].severity is Severity.WARNING
    assert by_rule["OBS206"].severity is Severity.INFO
    assert "exemplars" in (by_rule["OBS206"].hint or "")
    cpus = "".join(f'b{{cpu="{i}"}} 1\n' for i in range(64))  # small integers are bounded
    assert _run(fam("b", "gauge") + cpus, "OBS205") == []


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("550e8400-e29b-41d4-a716-446655440000", "UUID"),
        ("4bf92f3577b34da6a3ce929d0e0e4736", "hex ID"),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "ULID"),
        ("1732521600", "Unix timestamp"),
        ("1234567", "long number"),
        ("2026-11-25T10:00:00Z", "date/time"),
        ("alice@example.com", "e-mail address"),
        ("10.1.2.3:8080", "IP address"),
        ("2001:db8::1", "IP address"),
        ("/api/orders/8812/items", "URL path with IDs"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", "JWT"),
        ("connection reset by peer while reading the response body", "free text"),
        ("/api/orders/{id}/items", None),  # templates are bounded
        ("GET", None),
        ("63", None),
        ("us-east-1", None),
    ],
)
def test_classify_value(value: str, cls: str | None) -> None:
    assert classify_value(value) == cls


def test_selection_and_severity_overrides() -> None:
    text = "# TYPE a counter\na 1\n"
    sel = make_selection(
        select=["OBS1"], ignore=["help-missing"], severities={"OBS103": Severity.ERROR}
    )
    cfg = LintConfig(selection=sel)
    found = lint_exposition(parse_exposition_text(text, fmt="text"), cfg)
    assert [(f.rule_id, f.severity.value) for f in found] == [("OBS103", "error")]
    assert make_selection(select=["OBS9"]).validate() == ["OBS9"]


def test_every_rule_has_metadata() -> None:
    assert len(RULES) >= 35
    for rule in RULES.values():
        assert rule.rule_id[:3] == "OBS" and len(rule.rule_id) == 6
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary and len(rule.explanation) > 40, rule.rule_id


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"selekt": []}, "unknown key(s) ['selekt']"),
        ({"select": ["OBS999"]}, "unknown rule(s) OBS999"),
        ({"severity": {"OBS101": "fatal"}}, "unknown severity 'fatal'"),
        ({"budgets": {"series": {"warn": -1}}}, "expected a non-negative number"),
    ],
)
def test_config_errors(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_lint_config(section, source="obsctl.yaml")
    assert message in str(err.value)


def test_metric_unit_finds_what_trying_every_prefix_finds() -> None:
    from obsctl.analysis.lint.naming import BASE_UNITS, UNIT_PREFIXES, metric_unit

    def by_trying(name: str) -> tuple[str, str] | None:
        for seg in name.split("_"):
            if seg in BASE_UNITS:
                return seg, BASE_UNITS[seg]
            for prefix in UNIT_PREFIXES:
                if seg.startswith(prefix) and seg[len(prefix) :] in BASE_UNITS:
                    return seg, BASE_UNITS[seg[len(prefix) :]]
        return None

    assert not [(a, b) for a in UNIT_PREFIXES for b in UNIT_PREFIXES if a != b and b.startswith(a)]
    words = [*BASE_UNITS, *UNIT_PREFIXES, "", "x", "kilox", "mega", "kil", "total", "ratio"]
    names = [f"{p}{u}" for p in UNIT_PREFIXES for u in BASE_UNITS]
    names += [f"app_{a}_{b}_{c}" for a in words[::5] for b in words[::3] for c in ("", "total")]
    names += [f"q_{p}{u}x_{w}" for p in UNIT_PREFIXES[::4] for u in BASE_UNITS for w in words[:3]]
    for name in names:
        assert metric_unit(name) == by_trying(name), name
