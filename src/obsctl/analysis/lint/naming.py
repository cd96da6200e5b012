"""Naming rules (``OBS1xx``): everything ``promtool check metrics`` reports, and more.

OBS101–OBS111 have the meaning, and the message text, of promlint in client_golang v1.24.1
(``prometheus/testutil/promlint/validations``). Differences, on purpose: label rules fire once
per family and label instead of once per series; ``mebi`` is recognised as a unit prefix
(promlint has the misspelling ``mibi`` and misses ``mebibytes``); the type-in-name check uses
the family's own type, as promlint does since v1.20 (Prometheus 2.42 checked every type name).
OBS112+ add OpenMetrics/OpenTelemetry conventions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from obsctl.analysis.lint.registry import Hit, define
from obsctl.model.findings import Severity
from obsctl.model.metric_families import (
    COUNTER,
    GAUGE,
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    INFO,
    SUMMARY,
    UNKNOWN,
    UNTYPED,
    MetricFamily,
    written_name,
)

W = Severity.WARNING

HELP_MISSING = define(
    "OBS101",
    "help-missing",
    W,
    "metric family has no HELP text",
    """
    Every metric family should carry a `# HELP` line saying what it measures, so that people
    reading dashboards and alerts (and tools such as Grafana's metric browser) know what it
    means. An empty HELP text counts as missing, as in Prometheus' own parser.

    promtool: `no help text`.
    """,
)
NON_BASE_UNIT = define(
    "OBS102",
    "non-base-unit",
    W,
    "metric name uses a non-base unit (milliseconds, kilobytes, hours…)",
    """
    Prometheus metrics use base units: seconds, bytes, meters, grams, joules, volts, amperes,
    celsius/kelvin. Mixed units make PromQL arithmetic wrong without anyone noticing
    (`rate(a_milliseconds) / rate(b_seconds)`). The name is split on `_`; the first segment
    that is a unit (or a prefixed unit such as `kilobytes`, `mebibytes`) decides.

    promtool: `use base unit "seconds" instead of "milliseconds"`.
    """,
)
COUNTER_TOTAL = define(
    "OBS103",
    "counter-total-suffix",
    W,
    'counter name does not end in "_total"',
    """
    Counters are named `<something>_total` so that a reader can tell from the name alone that
    `rate()` applies. OpenMetrics makes the suffix mandatory on counter samples.

    promtool: `counter metrics should have "_total" suffix`.
    """,
)
NON_COUNTER_TOTAL = define(
    "OBS104",
    "non-counter-total-suffix",
    W,
    'a non-counter metric name ends in "_total"',
    """
    `_total` promises a counter. A gauge or histogram named `_total` invites `rate()` on
    something that goes down, which gives nonsense.

    promtool: `non-counter metrics should not have "_total" suffix`.
    """,
)
RESERVED_SUFFIX = define(
    "OBS105",
    "reserved-suffix",
    W,
    'metric name ends in "_bucket", "_count" or "_sum" without being a histogram/summary',
    """
    `_bucket`, `_count` and `_sum` are the sample names of histograms and summaries. A gauge
    or counter using them collides with the series of a histogram of the same base name and
    confuses `histogram_quantile()` users.

    promtool: `non-histogram metrics should not have "_bucket" suffix` and the `_count` /
    `_sum` variants.
    """,
)
RESERVED_LABEL = define(
    "OBS106",
    "reserved-label",
    W,
    'label "le" outside a histogram, or "quantile" outside a summary',
    """
    `le` and `quantile` have a fixed meaning in histograms and summaries; elsewhere they break
    `histogram_quantile()` and recording rules that aggregate `by (le)`.

    promtool: `non-histogram metrics should not have "le" label`,
    `non-summary metrics should not have "quantile" label`.
    """,
)
TYPE_IN_NAME = define(
    "OBS107",
    "type-in-name",
    W,
    "metric name repeats its type (counter, gauge, histogram…)",
    """
    The type is metadata (`# TYPE`), not part of the name: `queue_length_gauge` should be
    `queue_length`.

    promtool: `metric name should not include type 'gauge'`.
    """,
)
COLON_IN_NAME = define(
    "OBS108",
    "colon-in-name",
    W,
    "metric name contains ':' (reserved for recording rules)",
    """
    Colons are reserved for the output of recording rules (`level:metric:operations`).
    Instrumented code must not use them.

    promtool: `metric names should not contain ':'`.
    """,
)
CAMEL_METRIC = define(
    "OBS109",
    "camelcase-metric-name",
    W,
    "metric name is camelCase instead of snake_case",
    """
    Prometheus names are snake_case. A lowercase letter followed by an uppercase one
    (`httpRequests`) is reported; all-caps words (`HTTP_requests`) are not.

    promtool: `metric names should be written in 'snake_case' not 'camelCase'`.
    """,
)
CAMEL_LABEL = define(
    "OBS110",
    "camelcase-label-name",
    W,
    "label name is camelCase instead of snake_case",
    """
    Label names are snake_case too (`status_code`, not `statusCode`). Reported once per family
    and label name (promtool repeats it for every series).

    promtool: `label names should be written in 'snake_case' not 'camelCase'`.
    """,
)
ABBREVIATED_UNIT = define(
    "OBS111",
    "abbreviated-unit",
    W,
    "metric name contains an abbreviated unit (_ms, _sec, _kb…)",
    """
    Spell units out: `_seconds`, not `_s`, `_sec` or `_ms`; `_bytes`, not `_b` or `_kb`. One
    finding per abbreviation (`s ms us ns sec b kb mb gb tb pb m h d`) found as a `_x_`
    segment or a `_x` suffix.

    promtool: `metric names should not contain abbreviated units`.
    """,
)
PERCENT = define(
    "OBS112",
    "percent-not-ratio",
    W,
    "metric name ends in _percent; use a 0–1 _ratio",
    """
    The Prometheus naming guide asks for ratios (0–1, suffix `_ratio`) rather than
    percentages; OpenTelemetry unit `%` is translated to `_percent`, so this shows up in OTel
    exports. Graphing tools can display a ratio as a percentage.
    """,
)
RATIO_TYPE = define(
    "OBS113",
    "ratio-not-gauge",
    W,
    "a _ratio metric is not a gauge",
    """
    A ratio is a point-in-time value between 0 and 1: a gauge. OpenTelemetry only appends
    `_ratio` to gauges with unit `1`. A counter or histogram named `_ratio` is almost always
    misnamed.
    """,
)
INFO_METRIC = define(
    "OBS114",
    "info-metric",
    W,
    "an _info metric is not a gauge/info with value 1",
    """
    `_info` metrics are pseudo-metrics carrying metadata in their labels; their value is
    always 1 so that they can be joined with `* on(...) group_left(...)`. Another type or
    another value breaks those joins.
    """,
)
RESERVED_LABEL_PREFIX = define(
    "OBS115",
    "reserved-label-prefix",
    W,
    'label name starts with "__" (reserved for Prometheus internals)',
    """
    Label names beginning with `__` are reserved for Prometheus' internal use (`__name__`,
    `__address__`, relabelling temporaries) and are dropped or overwritten during scrapes.
    """,
)
UNIT_AFTER_TOTAL = define(
    "OBS116",
    "unit-after-total",
    W,
    'the unit comes after "_total" (e.g. _total_seconds)',
    """
    The unit suffix comes before `_total`: `process_cpu_seconds_total`, not
    `process_cpu_total_seconds`. OpenMetrics and the OpenTelemetry translation put the unit
    first.
    """,
)
TIMESTAMP_UNIT = define(
    "OBS117",
    "timestamp-unit",
    W,
    'a timestamp metric does not end in "_timestamp_seconds"',
    """
    Timestamps are exported as Unix seconds in a gauge named `…_timestamp_seconds`, so that
    `time() - x_timestamp_seconds` reads naturally.
    """,
)
UTF8_NAME = define(
    "OBS118",
    "utf8-name",
    Severity.INFO,
    "a family is written with quoted UTF-8 names, which Prometheus 2.x cannot read",
    """
    Prometheus 3 reads metric and label names of any UTF-8 written in quotes
    (`{"http.server.duration", "http.method"="GET"}`, `# TYPE "http.server.duration"
    histogram`), as OpenTelemetry exports them. Prometheus 2.x, promtool and other legacy
    scrapers reject those lines (`invalid metric name`), and Prometheus 3 itself with
    `metric_name_validation_scheme: legacy`. Teams still scraping with 2.x set
    `name_validation: legacy` in the lint configuration to make this an error.
    """,
)

BASE_UNITS = {
    "amperes": "amperes",
    "bytes": "bytes",
    "celsius": "celsius",
    "grams": "grams",
    "joules": "joules",
    "kelvin": "kelvin",
    "meters": "meters",
    "metres": "metres",
    "seconds": "seconds",
    "volts": "volts",
    "minutes": "seconds",
    "hours": "seconds",
    "days": "seconds",
    "weeks": "seconds",
    "kelvins": "kelvin",
    "fahrenheit": "celsius",
    "rankine": "celsius",
    "inches": "meters",
    "yards": "meters",
    "miles": "meters",
    "bits": "bytes",
    "calories": "joules",
    "pounds": "grams",
    "ounces": "grams",
}
UNIT_PREFIXES = (
    "pico",
    "nano",
    "micro",
    "milli",
    "centi",
    "deci",
    "deca",
    "hecto",
    "kilo",
    "kibi",
    "mega",
    "mibi",
    "mebi",
    "giga",
    "gibi",
    "tera",
    "tebi",
    "peta",
    "pebi",
)
_PREFIXES = frozenset(UNIT_PREFIXES)
_PREFIX_LENGTHS = sorted({len(p) for p in UNIT_PREFIXES})
ABBREVIATIONS = ("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d")
TYPE_WORDS = {
    COUNTER: "counter",
    GAUGE: "gauge",
    SUMMARY: "summary",
    HISTOGRAM: "histogram",
    GAUGE_HISTOGRAM: "gauge_histogram",
}
_CAMEL = re.compile(r"[a-z][A-Z]")


def metric_unit(name: str) -> tuple[str, str] | None:
    """The first unit word in ``name`` and its base unit, as promlint finds it.

    >>> metric_unit("request_duration_milliseconds")
    ('milliseconds', 'seconds')
    >>> metric_unit("queue_length") is None
    True
    """
    for seg in name.split("_"):
        base = BASE_UNITS.get(seg)
        if base is not None:
            return seg, base
        # No prefix starts another one, so at most one can start ``seg``: look it up by
        # length rather than trying each in turn (this runs for every family).
        for cut in _PREFIX_LENGTHS:
            if seg[:cut] in _PREFIXES:
                base = BASE_UNITS.get(seg[cut:])
                if base is not None:
                    return seg, base
    return None


def _untyped(fam: MetricFamily) -> bool:
    return fam.type in (UNTYPED, UNKNOWN)


def check_naming(fam: MetricFamily, om: bool) -> Iterator[Hit]:
    """All naming hits for one family.

    Args:
        fam: the family.
        om: whether the input is OpenMetrics (counter family names then exclude ``_total``).
    """
    name = fam.name
    line = fam.line
    text = fam.first_text
    subj = name

    def hit(rule: object, message: str, hint: str | None = None, sub: str = "") -> Hit:
        return Hit(rule, message, line, sub or subj, hint, 0, text)  # type: ignore[arg-type]

    if fam.help is None:
        yield hit(
            HELP_MISSING, "no help text", f"add `# HELP {written_name(name)} <what it measures>`"
        )
    if fam.quoted_line:
        yield Hit(
            UTF8_NAME,
            f"{name} is written with quoted UTF-8 names: Prometheus 3 reads it, "
            "Prometheus 2.x and promtool reject it",
            fam.quoted_line,
            subj,
            "for 2.x scrapers, use names of [a-zA-Z0-9_:] without quotes "
            "(Prometheus 3 with escaping=underscores does that)",
        )
    unit = metric_unit(name)
    if unit is not None and unit[0] != unit[1]:
        yield hit(
            NON_BASE_UNIT,
            f'use base unit "{unit[1]}" instead of "{unit[0]}"',
            f"convert to {unit[1]} and rename the metric accordingly",
        )
    if fam.type == COUNTER and not om and not name.endswith("_total"):
        yield hit(
            COUNTER_TOTAL, 'counter metrics should have "_total" suffix', f"rename to {name}_total"
        )
    if not _untyped(fam) and fam.type != COUNTER and name.endswith("_total"):
        yield hit(NON_COUNTER_TOTAL, 'non-counter metrics should not have "_total" suffix')
    is_hist = fam.type in (HISTOGRAM, GAUGE_HISTOGRAM)
    if not _untyped(fam) and not is_hist and name.endswith("_bucket"):
        yield hit(RESERVED_SUFFIX, 'non-histogram metrics should not have "_bucket" suffix')
    if not _untyped(fam) and not is_hist and fam.type != SUMMARY:
        if name.endswith("_count"):
            yield hit(
                RESERVED_SUFFIX,
                'non-histogram and non-summary metrics should not have "_count" suffix',
            )
        if name.endswith("_sum"):
            yield hit(
                RESERVED_SUFFIX,
                'non-histogram and non-summary metrics should not have "_sum" suffix',
            )
    for lname, st in fam.labels.items():
        lhit = Hit
        if lname == "le" and not _untyped(fam) and not is_hist:
            yield lhit(
                RESERVED_LABEL,
                'non-histogram metrics should not have "le" label',
                st.first_line,
                f"{name}{{le}}",
                None,
                0,
                st.first_text,
            )
        if lname == "quantile" and not _untyped(fam) and fam.type != SUMMARY:
            yield lhit(
                RESERVED_LABEL,
                'non-summary metrics should not have "quantile" label',
                st.first_line,
                f"{name}{{quantile}}",
                None,
                0,
                st.first_text,
            )
        if _CAMEL.search(lname):
            yield lhit(
                CAMEL_LABEL,
                "label names should be written in 'snake_case' not 'camelCase'",
                st.first_line,
                f"{name}{{{lname}}}",
                f"rename label {lname!r} to {_snake(lname)!r}",
                0,
                st.first_text,
            )
        if lname.startswith("__"):
            yield lhit(
                RESERVED_LABEL_PREFIX,
                f'label name "{lname}" starts with "__", which is reserved',
                st.first_line,
                f"{name}{{{lname}}}",
                None,
                0,
                st.first_text,
            )
    type_word = TYPE_WORDS.get(fam.type)
    lower = name.lower()
    if type_word is not None and (f"_{type_word}_" in lower or lower.endswith(f"_{type_word}")):
        yield hit(TYPE_IN_NAME, f"metric name should not include type '{type_word}'")
    if ":" in name:
        yield hit(
            COLON_IN_NAME,
            "metric names should not contain ':'",
            "colons are reserved for recording rules; use '_'",
        )
    if _CAMEL.search(name):
        yield hit(
            CAMEL_METRIC,
            "metric names should be written in 'snake_case' not 'camelCase'",
            f"rename to {_snake(name)}",
        )
    for abbr in ABBREVIATIONS:
        if f"_{abbr}_" in lower or lower.endswith(f"_{abbr}"):
            yield hit(
                ABBREVIATED_UNIT,
                "metric names should not contain abbreviated units",
                f'"_{abbr}" is an abbreviation: spell the unit out (e.g. _seconds, _bytes)',
                f"{name}:{abbr}",
            )
    if lower.endswith(("_percent", "_percentage")) or "_percent_" in lower:
        yield hit(PERCENT, "metric name uses percent", "export a 0–1 value named …_ratio")
    if lower.endswith("_ratio") and fam.type not in (GAUGE, UNTYPED, UNKNOWN):
        yield hit(RATIO_TYPE, f"_ratio metric has type {fam.type}", "ratios are gauges")
    if name.endswith("_info") or fam.type == INFO:
        bad_type = fam.type not in (GAUGE, INFO, UNTYPED, UNKNOWN)
        if bad_type:
            yield hit(INFO_METRIC, f"_info metric has type {fam.type}", "make it a gauge of 1")
        elif fam.not_one_line and fam.type != INFO:
            yield Hit(
                INFO_METRIC,
                "_info metric has a value other than 1",
                fam.not_one_line,
                subj,
                "put the information in labels and export 1",
            )
    parts = lower.split("_")
    if "total" in parts[:-1] and metric_unit("_".join(parts[parts.index("total") + 1 :])):
        yield hit(UNIT_AFTER_TOTAL, "the unit follows _total", "put the unit before _total")
    ts_unit = lower.rsplit("_timestamp_", 1)[1] if "_timestamp_" in lower else None
    if lower.endswith("_timestamp") or (
        ts_unit is not None
        and ts_unit != "seconds"
        and (ts_unit in ABBREVIATIONS or metric_unit(ts_unit) is not None)
    ):
        yield hit(
            TIMESTAMP_UNIT,
            'timestamp metric without "_seconds" unit',
            "export Unix seconds and name it …_timestamp_seconds",
        )


def _snake(name: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
