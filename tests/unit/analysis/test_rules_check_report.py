"""What `obsctl rules check` reports for a file: every hit's rule, position, message, hint,
subject, JSON fields (group, rule) and the offending line, in file order."""

from __future__ import annotations

from obsctl.analysis.rules import CheckOptions, check_rule_file, metric_names, recorded_names
from obsctl.model.rules import ServerFacts
from obsctl.parsers.rule_expr import expression_facts
from obsctl.parsers.rule_file import parse_rule_file

Row = tuple[str, int, int, str, str | None]


def _report(
    text: str, options: CheckOptions | None = None, server: ServerFacts | None = None
) -> list[Row]:
    rf = parse_rule_file(text, source="r.yaml")
    hits = check_rule_file(rf, options or CheckOptions(), facts=expression_facts(rf), server=server)
    return [(h.rule.rule_id, h.line, h.col, h.message, h.hint) for h in hits]


def _where(text: str) -> list[tuple[str, str, tuple[tuple[str, str], ...], str | None]]:
    rf = parse_rule_file(text, source="r.yaml")
    hits = check_rule_file(rf, CheckOptions(), facts=expression_facts(rf))
    return [(h.rule.rule_id, h.subject, h.extra, h.text) for h in hits]


STRUCTURE = """\
groups:
  - name: ""
    rules:
      - alert: A
        expr: up == 0
  - name: g
    labels:
      __name__: x
    rules:
      - record: a:b:c
        alert: B
        expr: x
      - expr: up
      - record: job:up:sum
        expr: ""
      - record: "x{a}"
        expr: sum(up)
        for: 5m
        keep_firing_for: 1m
        annotations:
          s: t
      - record: job:up:sum
        expr: sum(up)
        labels:
          "": v
  - name: g
    rules:
      - alert: C
        expr: up == 0 +
        for: 5m
        labels:
          severity: page
        annotations:
          "": x
          summary: "{{ $nope }}"
"""


def test_promtool_errors_with_positions_and_messages() -> None:
    assert _report(STRUCTURE) == [
        ("RUL102", 2, 5, "Groupname must not be empty", None),
        ("RUL207", 4, 9, "alert A has no 'severity' label", None),
        ("RUL208", 4, 9, "alert A has no 'summary' annotation", None),
        ("RUL109", 6, 5, "invalid label name: __name__", None),
        ("RUL104", 10, 17, "only one of 'record' and 'alert' must be set", None),
        ("RUL105", 13, 9, "one of 'record' or 'alert' must be set", None),
        ("RUL106", 15, 15, "field 'expr' must be set in rule", None),
        (
            "RUL109",
            16,
            17,
            "braces present in the recording rule name; should it be in expr?: x{a}",
            None,
        ),
        ("RUL108", 18, 14, "invalid field 'for' in recording rule", None),
        ("RUL108", 19, 26, "invalid field 'keep_firing_for' in recording rule", None),
        ("RUL108", 20, 9, "invalid field 'annotations' in recording rule", None),
        ("RUL109", 24, 9, "invalid label name: ", None),
        (
            "RUL103",
            26,
            11,
            'groupname: "g" is repeated in the same file',
            "first defined at line 6",
        ),
        ("RUL107", 29, 24, "could not parse expression: unexpected end of input", None),
        ("RUL109", 33, 9, "invalid annotation name: ", None),
        (
            "RUL111",
            35,
            20,
            'annotation "summary": template: __alert_C:1: undefined variable "$nope"',
            None,
        ),
    ]


def test_hits_name_their_group_and_rule_and_quote_the_line() -> None:
    rows = _where(STRUCTURE)
    assert rows[0] == ("RUL102", "/", (), '  - name: ""')  # no group name, no rule: no fields
    assert rows[1] == (
        "RUL207",
        "/A",
        (("group", ""), ("rule", "A")),
        "      - alert: A",
    )
    assert rows[3] == ("RUL109", "g/", (("group", "g"), ("rule", "")), "  - name: g")
    assert rows[6] == (
        "RUL106",
        "g/job:up:sum",
        (("group", "g"), ("rule", "job:up:sum")),
        '        expr: ""',
    )
    assert rows[11] == (
        "RUL109",
        "g/job:up:sum",
        (("group", "g"), ("rule", "job:up:sum")),
        "        labels:",
    )
    assert rows[12] == (
        "RUL103",
        "g/",
        (("group", "g"), ("rule", "")),
        "  - name: g",
    )
    assert rows[-1] == (
        "RUL111",
        "g/C",
        (("group", "g"), ("rule", "C")),
        '          summary: "{{ $nope }}"',
    )


def test_parser_problems_keep_their_group_and_rule() -> None:
    text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
    text += "        for: 1.5m\n"
    rf = parse_rule_file(text, source="r.yaml")
    opts = CheckOptions(required_labels=(), required_annotations=())
    hits = check_rule_file(rf, opts, facts=expression_facts(rf))
    assert [(h.rule.rule_id, h.line, h.col, h.message, h.subject, h.extra) for h in hits] == [
        (
            "RUL110",
            6,
            14,
            'for: not a valid duration string: "1.5m"',
            "g/A",
            (("group", "g"), ("rule", "A")),
        )
    ]


def test_problem_on_the_first_line_quotes_it() -> None:
    rf = parse_rule_file("groupz: []\n", source="r.yaml")
    hits = check_rule_file(rf, CheckOptions(), facts=expression_facts(rf))
    assert [(h.rule.rule_id, h.line, h.col, h.text, h.extra) for h in hits] == [
        ("RUL101", 1, 1, "groupz: []", ())
    ]


def test_duplicate_rules_across_groups_point_at_the_first() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum(up)
      - record: job:up:sum
        expr: sum(up)
      - record: job:up:sum
        expr: sum(up)
        labels:
          a: b
  - name: h
    labels:
      a: b
    rules:
      - record: job:up:sum
        expr: sum(up)
"""
    hint = "Might cause inconsistency while recording expressions"
    assert _report(text) == [
        ("RUL112", 6, 9, "duplicate rule job:up:sum (same name and labels as line 4)", hint),
        # group labels count: h's rule carries a="b" like the third rule of g
        ("RUL112", 16, 9, "duplicate rule job:up:sum (same name and labels as line 8)", hint),
    ]


def test_rules_without_kind_are_never_duplicates() -> None:
    text = "groups:\n  - name: g\n    rules:\n      - expr: up\n      - expr: up\n"
    assert [r[0] for r in _report(text)] == ["RUL105", "RUL105"]


ALERTS = """\
groups:
  - name: alerts
    interval: 2m
    rules:
      - alert: AlwaysFires
        expr: sum by (job) (rate(queue_depth[1m]))
        for: 1m
        labels:
          severity: page
          team: "{{ $labels.nope"
        annotations:
          summary: "{{ $labels.instance }} on {{ index $labels \\"pod\\" }}"
      - alert: Noisy
        expr: 'increase(x_total[10m]) > 0 and absent(y)'
        labels:
          severity: "{{ .Labels.job }}"
      - alert: Regex
        expr: up{job=~"api", env!~".*"} == 0
        for: 10m
        annotations:
          summary: ok
"""


def test_checks_beyond_promtool_with_messages_and_hints() -> None:
    at = "use deriv() or delta() for gauges"
    assert _report(ALERTS) == [
        (
            "RUL200",
            6,
            15,
            "the expression has no comparison or filter: every series it returns is an alert",
            "compare with a threshold (> 0.05) or filter with and/unless",
        ),
        ("RUL201", 6, 15, "rate() over queue_depth, which is not a counter by its name", at),
        (
            "RUL202",
            6,
            15,
            "range [1m] over queue_depth is shorter than twice the scrape interval (1m)",
            "use at least [2m], better [4m]",
        ),
        (
            "RUL203",
            6,
            15,
            "templates use $labels.instance, which the expression aggregates away",
            "keep it: by (..., instance)",
        ),
        (
            "RUL203",
            6,
            15,
            "templates use $labels.nope, which the expression aggregates away",
            "keep it: by (..., nope)",
        ),
        (
            "RUL203",
            6,
            15,
            "templates use $labels.pod, which the expression aggregates away",
            "keep it: by (..., pod)",
        ),
        ("RUL204", 7, 14, "for: 1m is shorter than the evaluation interval 2m", None),
        (
            "RUL111",
            10,
            17,
            'label "team": template: __alert_AlwaysFires:1: unclosed action',
            None,
        ),
        ("RUL208", 13, 9, "alert Noisy has no 'summary' annotation", None),
        (
            "RUL209",
            13,
            9,
            "alert Noisy has no 'for' and its expression uses absent, increase",
            "add for: 5m (or at least a few evaluation intervals)",
        ),
        ("RUL207", 17, 9, "alert Regex has no 'severity' label", None),
        ("RUL205", 18, 15, 'job=~"api" is a plain string: use job="api"', None),
        ("RUL205", 18, 15, 'env!~".*" matches nothing', None),
    ]


def test_range_hint_scales_with_the_scrape_interval() -> None:
    text = "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n"
    text += "        expr: rate(x_total[30s])\n"
    opts = CheckOptions(scrape_interval_s=20.0)
    assert _report(text, opts) == [
        (
            "RUL202",
            5,
            15,
            "range [30s] over x_total is shorter than twice the scrape interval (20s)",
            "use at least [40s], better [1m20s]",
        )
    ]


SERVER = ServerFacts(
    scrape_interval_s=30.0,
    present={"up": True, "gone": False, "node_load1": True, "req_total": True},
    label_names={
        "up": frozenset("abcdefghijklmn"),
        "node_load1": frozenset({"instance", "job"}),
        "req_total": frozenset({"job", "code"}),
    },
    types={
        "node_load1": "gauge",
        "h_bucket": "histogram",
        "s": "summary",
        "gh": "gaugehistogram",
        "hh": "histogram",
        "c": "counter",
    },
    series={"sum by (pod) (node_load1 + req_total) > 0": 10_000, 'up{zz="1"} == 0': 10_001},
)

SERVER_RULES = """\
groups:
  - name: s
    rules:
      - alert: Sum
        expr: sum by (pod) (node_load1 + req_total) > 0
        for: 5m
      - alert: Up
        expr: up{zz="1"} == 0
        for: 5m
      - alert: Rates
        expr: rate(node_load1[1m]) + rate(h_bucket[1m]) + rate(s[1m]) + rate(gh[1m]) + rate(hh[1m]) + rate(c[1m]) + rate(gone[1m]) + rate(recorded:x:y[1m]) > 0
        for: 5m
      - alert: Empty
        expr: up{a="", b=~".*", p!="x", r!~"y", q="", s=~".*"} > 0 or rate(req_total[45s]) > 0
        for: 5m
      - alert: Templ
        expr: node_load1 > 0
        for: 5m
        labels:
          host: x
        annotations:
          s: "{{ $labels.host }} {{ $labels.region }} {{ $labels.__name__ }}"
"""  # noqa: E501


def test_server_checks_with_messages_and_hints() -> None:
    opts = CheckOptions(
        required_labels=(), required_annotations=(), recorded=frozenset({"recorded:x:y"})
    )
    not_counter = "use deriv() or delta() for gauges"
    assert _report(SERVER_RULES, opts, SERVER) == [
        # the union of the labels of every metric; 10,000 series is not more than 10,000
        ("RUL301", 5, 15, "label 'pod' is used but none of node_load1, req_total has it", None),
        # the first twelve of the metric's labels, sorted
        ("RUL301", 8, 15, "label 'zz' does not exist on up", "its labels: a, b, c, d, e, f, g, h, i, j, k, l"),  # noqa: E501
        ("RUL302", 8, 15, "the expression touches 10,001 series (more than 10,000)", None),
        # histogram, summary, gaugehistogram and counter metadata are counters
        ("RUL201", 11, 15, "rate() over node_load1, which is a gauge", not_counter),
        ("RUL201", 11, 15, "rate() over gone, which is not a counter by its name", not_counter),
        ("RUL201", 11, 15, "rate() over recorded:x:y, which is not a counter by its name", not_counter),  # noqa: E501
        # recorded by the checked files: not missing
        ("RUL300", 11, 15, "metric gone has no series on the server in the lookback window", "a typo, or an exporter that is not (yet) scraped"),  # noqa: E501
        # the server's scrape interval (30s), not the default (1m)
        ("RUL202", 14, 15, "range [45s] over req_total is shorter than twice the scrape interval (30s)", "use at least [1m], better [2m]"),  # noqa: E501
        # matchers that match the empty value never need the label; [1m] is twice 30s
        ("RUL205", 14, 15, 'b=~".*" matches every series', None),
        ("RUL205", 14, 15, 'r!~"y" is a plain string: use r!="y"', None),
        ("RUL205", 14, 15, 's=~".*" matches every series', None),
        # templates count; labels the rule sets and __name__ do not
        ("RUL301", 17, 15, "label 'region' is used but none of node_load1 has it", None),
    ]  # fmt: skip


PARSE_ERRORS = """\
groups:
  - name: p
    rules:
      - record: a:b:c
        expr: sum(x) +
      - record: a:b:d
        expr: |
          sum(x) +
      - record: a:b:e
        expr: >-
          sum(x) by
      - record: a:b:f
        expr: |-
          sum(
      - record: a:b:g
        expr: "sum(x)\\n +"
      - record: a:b:h
        expr: sum(x) +  # trailing comment
"""


def test_parse_error_column_is_exact_only_on_a_plain_one_line_expression() -> None:
    # In a block scalar or a multi-line string the offset inside the expression does not map to
    # a column of the file: the hit points at the expression's start.
    assert [(r[1], r[2], r[3]) for r in _report(PARSE_ERRORS)] == [
        (5, 23, "could not parse expression: unexpected end of input"),
        (7, 15, "could not parse expression: unexpected end of input"),
        (
            10,
            15,
            'could not parse expression: unexpected end of input in grouping opts, expected "("',
        ),
        (13, 15, "could not parse expression: unclosed left parenthesis"),
        (16, 15, "could not parse expression: unexpected end of input"),
        (18, 23, "could not parse expression: unexpected end of input"),
    ]


def test_recorded_names_are_the_recording_rules_names() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: job:a:sum
        expr: sum(a)
      - alert: job:b:sum
        expr: b > 0
      - expr: c
"""
    rf = parse_rule_file(text, source="r.yaml")
    assert recorded_names([rf]) == frozenset({"job:a:sum"})


def test_metric_names_of_the_parsed_expressions() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: job:a:sum
        expr: sum(b) + sum(a) + sum({job="x"})
      - record: job:c:sum
        expr: sum(
"""
    rf = parse_rule_file(text, source="r.yaml")
    assert metric_names(expression_facts(rf).values()) == ["a", "b"]


def test_empty_record_or_alert_name_is_neither() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: ""
        expr: sum(up)
      - alert: ""
        expr: up == 0
"""
    opts = CheckOptions(required_labels=(), required_annotations=())
    # At the record's value where there is one (promtool: 4:17, and 0:0 without one).
    assert _report(text, opts) == [
        ("RUL105", 4, 17, "one of 'record' or 'alert' must be set", None),
        ("RUL105", 6, 9, "one of 'record' or 'alert' must be set", None),
    ]


def test_selector_without_a_name_and_unknown_metrics_before_known_ones() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: job:a:sum
        expr: rate({job="x"}[1m]) + foo + up{zz="1"}
"""
    server = ServerFacts(label_names={"up": frozenset({"job"})})
    opts = CheckOptions(required_labels=(), required_annotations=())
    assert _report(text, opts, server) == [
        (
            "RUL202",
            5,
            15,
            "range [1m] over {…} is shorter than twice the scrape interval (1m)",
            "use at least [2m], better [4m]",
        ),
        # foo's labels are not known: up is still checked
        ("RUL301", 5, 15, "label 'zz' does not exist on up", "its labels: job"),
    ]


def test_recording_rule_name_convention_message_and_hint() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: http_requests_rate
        expr: sum(x)
      - record: "x}"
        expr: sum(x)
      - record: "{x"
        expr: sum(x)
"""
    assert _report(text) == [
        (
            "RUL206",
            4,
            17,
            "recording rule name 'http_requests_rate' is not level:metric:operations",
            "e.g. job:http_requests:rate5m",
        ),
        (
            "RUL109",
            6,
            17,
            "braces present in the recording rule name; should it be in expr?: x}",
            None,
        ),
        (
            "RUL109",
            8,
            17,
            "braces present in the recording rule name; should it be in expr?: {x",
            None,
        ),
    ]


def test_duplicate_rule_points_at_its_record_key() -> None:
    text = """\
groups:
  - name: g
    rules:
      - expr: sum(up)
        record: job:up:sum
      - expr: sum(up)
        record: job:up:sum
"""
    rf = parse_rule_file(text, source="r.yaml")
    hits = check_rule_file(rf, CheckOptions(), facts=expression_facts(rf))
    assert [(h.rule.rule_id, h.line, h.col, h.message, h.subject, h.extra) for h in hits] == [
        (
            "RUL112",
            7,
            9,
            "duplicate rule job:up:sum (same name and labels as line 5)",
            "g/job:up:sum",
            (("group", "g"), ("rule", "job:up:sum")),
        )
    ]


def test_rules_with_both_record_and_alert_are_not_compared_for_duplicates() -> None:
    text = """\
groups:
  - name: g
    rules:
      - record: a:b:c
        alert: B
        expr: x
      - record: a:b:c
        alert: B
        expr: x
"""
    assert [r[:2] for r in _report(text)] == [("RUL104", 4), ("RUL104", 7)]
