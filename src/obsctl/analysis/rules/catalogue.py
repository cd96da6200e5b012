"""The ``rules check`` rule catalogue.

Bands: ``RUL1xx`` what ``promtool check rules`` rejects (errors) or lints (duplicates, a
warning); ``RUL2xx`` checks beyond promtool, offline; ``RUL3xx`` checks against a server
(``--server``).
"""

from __future__ import annotations

from obsctl.analysis.catalogue import Catalogue
from obsctl.model.findings import Severity

E, W = Severity.ERROR, Severity.WARNING
_RULEFMT = "https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/"
_ALERTING = "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/"
_PRACTICES = "https://prometheus.io/docs/practices/rules/"

RULES_CHECK = Catalogue("rules check")
define = RULES_CHECK.define

STRUCTURE = define(
    "RUL100",
    "invalid-structure",
    E,
    "the file, a group or a rule does not have the shape of a rule file",
    """
    Prometheus decodes rule files strictly: the top level holds `groups:`, a list of mappings;
    each rule is a mapping of strings; a key appears once. promtool rejects the whole file
    otherwise (`cannot unmarshal !!map into string`, `mapping key "x" already defined`).
    """,
    _RULEFMT,
)
UNKNOWN_FIELD = define(
    "RUL101",
    "unknown-field",
    E,
    "a key that rule files do not have",
    """
    Unknown keys are errors (`field bogus not found in type rulefmt.RuleGroup`): a misspelt
    `annotation:` or `label:` would otherwise silently drop what it holds. Group keys are `name`,
    `interval`, `limit`, `query_offset`, `labels` and `rules` (`partial_response_strategy` too in a
    PrometheusRule, for Thanos); rule keys are `record`/`alert`, `expr`, `for`,
    `keep_firing_for`, `labels` and `annotations`.
    """,
    _RULEFMT,
)
GROUP_NAME_EMPTY = define(
    "RUL102",
    "group-name-empty",
    E,
    "a group without a name",
    "promtool: `Groupname must not be empty`.",
    _RULEFMT,
)
DUPLICATE_GROUP = define(
    "RUL103",
    "duplicate-group",
    E,
    "two groups of one file share a name",
    """
    promtool: `groupname: "x" is repeated in the same file`. Prometheus identifies a group by file
    and name; the second would replace the first's state.
    """,
    _RULEFMT,
)
RECORD_AND_ALERT = define(
    "RUL104",
    "record-and-alert",
    E,
    "a rule sets both `record` and `alert`",
    "promtool: `only one of 'record' and 'alert' must be set`.",
    _RULEFMT,
)
NO_RECORD_OR_ALERT = define(
    "RUL105",
    "record-or-alert-missing",
    E,
    "a rule sets neither `record` nor `alert`",
    "promtool: `one of 'record' or 'alert' must be set`.",
    _RULEFMT,
)
EXPR_MISSING = define(
    "RUL106",
    "expr-missing",
    E,
    "a rule without `expr`",
    "promtool: `field 'expr' must be set in rule`.",
    _RULEFMT,
)
INVALID_PROMQL = define(
    "RUL107",
    "invalid-promql",
    E,
    "the expression does not parse",
    """
    promtool: `could not parse expression: …`. The expression is checked offline with the same
    parser as `obsctl query`; the finding points at the `expr:` value and the message says
    where in the expression it broke.
    """,
    _RULEFMT,
)
RECORDING_FIELD = define(
    "RUL108",
    "recording-rule-field",
    E,
    "a recording rule with `annotations`, `for` or `keep_firing_for`",
    """
    promtool: `invalid field 'annotations' in recording rule` (likewise `for` and
    `keep_firing_for`): a recording rule has no pending state and no notification.
    """,
    _RULEFMT,
)
INVALID_NAME = define(
    "RUL109",
    "invalid-name",
    E,
    "an invalid recording-rule, label or annotation name",
    """
    Names follow Prometheus 3: any non-empty UTF-8 text is a valid metric or label name, so
    `record: http.requests:rate5m` is accepted (Prometheus 2 rejected it). Still rejected: an
    empty name, a `record` that contains `{` or `}` (PromQL pasted into the name, as promtool
    3.2+ says), a rule or group label called `__name__`, and names that are not valid UTF-8.
    """,
    _RULEFMT,
)
INVALID_DURATION = define(
    "RUL110",
    "invalid-duration",
    E,
    "`for`, `keep_firing_for`, `interval` or `query_offset` is not a Prometheus duration",
    """
    Durations are Prometheus durations: units `ms`, `s`, `m`, `h`, `d`, `w`, `y`, largest
    first, integers only (`1h30m`; `0`). `5` or `1.5m` are errors: `not a valid duration string`.
    """,
    _RULEFMT,
)
INVALID_TEMPLATE = define(
    "RUL111",
    "invalid-template",
    E,
    "an alert label or annotation template does not parse",
    """
    Prometheus parses each alert label and annotation value as a Go template (with `$labels`,
    `$externalLabels`, `$externalURL` and `$value` defined) when it loads the file: an unknown
    function, an undefined variable, an unclosed action or an `{{ if }}` without `{{ end }}`
    makes the whole file fail to load.
    """,
    _ALERTING,
)
DUPLICATE_RULE = define(
    "RUL112",
    "duplicate-rule",
    W,
    "two rules with the same name and the same labels",
    """
    As promtool's `duplicate-rules` lint: two alerts or recordings with one name and the same
    label set (group labels merged) produce the same series, and the two expressions fight
    over it (`Might cause inconsistency while recording expressions`). The expressions are not
    compared.
    """,
)
ALWAYS_FIRES = define(
    "RUL200",
    "alert-always-fires",
    W,
    "an alert expression with no comparison or filter",
    """
    An alert fires for every series its expression returns. Without a comparison
    (`> 0.05`), `and`/`unless`, `absent()` or a filtering aggregation (`topk`), every series the
    selector finds is an alert, all the time. `… > bool 1` does not filter either: it returns
    0 or 1 for every series.
    """,
    _ALERTING,
)
RATE_ON_NON_COUNTER = define(
    "RUL201",
    "rate-on-non-counter",
    W,
    "`rate`/`irate`/`increase` over a metric that is not a counter",
    """
    These functions assume the value only goes up and treat every decrease as a counter reset:
    over a gauge they report nonsense. A metric is taken for a counter when the server's
    metadata says so (`--server`), else when its name ends in `_total`, `_count`, `_sum`,
    `_bucket` or `_created`, or ends in `_seconds` or `_bytes` only when metadata says counter.
    Use `deriv()` or `delta()` for gauges.
    """,
    _PRACTICES,
)
RANGE_TOO_SHORT = define(
    "RUL202",
    "range-too-short",
    W,
    "a range shorter than twice the scrape interval",
    """
    `rate(x[1m])` with a 1m scrape interval often sees a single sample in the window and
    returns nothing; two scrapes per window is the minimum and four is comfortable. The scrape
    interval is `--scrape-interval` (default 1m), or the server's global `scrape_interval`
    with `--server`.
    """,
    _PRACTICES,
)
LABEL_AGGREGATED_AWAY = define(
    "RUL203",
    "template-label-aggregated-away",
    W,
    "a template uses a label the expression aggregates away",
    """
    `sum by (job) (…)` keeps only `job`: `{{ $labels.instance }}` in a summary is then always
    empty. Keep the label in `by (…)`, or stop using it in the template.
    """,
)
FOR_SHORTER_THAN_INTERVAL = define(
    "RUL204",
    "for-shorter-than-interval",
    W,
    "`for` shorter than the group's evaluation interval",
    """
    Alerts are evaluated once per interval, so a `for` shorter than it acts like the
    interval itself (or like no `for` on the first evaluation after a restart). The interval
    is the group's `interval`, else `--evaluation-interval` (default 1m).
    """,
)
LITERAL_REGEX = define(
    "RUL205",
    "regex-matcher-literal",
    W,
    "a regex matcher that is a plain string, or `.*`",
    """
    `job=~"api"` is `job="api"` done slower (regexes are fully anchored); `x=~".*"` matches
    every series, with or without the label, and selects nothing it would not select without
    the matcher. `x!~".*"` matches nothing.
    """,
)
RECORD_NAME_CONVENTION = define(
    "RUL206",
    "recording-name-convention",
    W,
    "a recording-rule name that does not follow `level:metric:operations`",
    """
    The Prometheus naming practice for recording rules is `level:metric:operations` (for
    example `job:http_requests:rate5m`): the aggregation level, the metric, and what was done
    to it. The colons set recorded series apart from scraped ones.
    """,
    _PRACTICES,
)
REQUIRED_LABEL = define(
    "RUL207",
    "required-label",
    W,
    "an alert without a required label",
    """
    Routing depends on labels such as `severity` or `team`. Which labels are required comes
    from `--require-label` (repeatable; default `severity`).
    """,
)
REQUIRED_ANNOTATION = define(
    "RUL208",
    "required-annotation",
    W,
    "an alert without a required annotation",
    """
    Annotations such as `summary`, `description` and `runbook_url` tell the person paged what
    to do. Which are required comes from `--require-annotation` (repeatable; default
    `summary`).
    """,
)
NO_FOR_ON_NOISY = define(
    "RUL209",
    "alert-without-for",
    W,
    "an alert without `for` on a noisy expression",
    """
    Expressions over rates, deltas, `absent()` and the like blip for one evaluation when a
    target restarts or a scrape is missed. Without `for`, each blip pages. Which functions
    count as noisy comes from `--noisy-function` (repeatable; default `rate`, `irate`,
    `increase`, `delta`, `idelta`, `deriv`, `absent`, `absent_over_time`, `changes`,
    `resets`).
    """,
    _ALERTING,
)
METRIC_MISSING = define(
    "RUL300",
    "metric-missing",
    W,
    "a selector's metric has no series on the server (in `--lookback`)",
    """
    A typo in a metric name or a metric that an exporter stopped exposing makes a rule
    silently return nothing: the alert never fires. Checked with `--server` over
    `--lookback` (default 7d). Metrics recorded by rules in the checked files count as
    present.
    """,
)
LABEL_MISSING = define(
    "RUL301",
    "label-missing",
    W,
    "a label that a matcher, `by`/`without` or a template uses does not exist on the metric",
    """
    `sum by (instnace)` or `{{ $labels.servce }}` give empty groups or empty text. Checked
    with `--server` against the label names of the metric's series in `--lookback`.
    """,
)
TOO_MANY_SERIES = define(
    "RUL302",
    "too-many-series",
    W,
    "an expression touches more series than `--max-series`",
    """
    Every evaluation reads every series each selector matches. Above `--max-series`
    (default 10,000) the rule costs real CPU and memory each interval; narrow the selectors
    or record an aggregate first.
    """,
)
