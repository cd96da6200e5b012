"""Structure rules (``OBS000``, ``OBS3xx``): parse errors, duplicates, histogram/summary shape,
values that are invalid for the type.

Together with the parser these implement OpenMetrics 1.0's semantic requirements (the ones the
OpenMetrics parser test suite checks); in the text format they catch what Prometheus' parser
accepts silently but the exposition format documentation forbids.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from obsctl.analysis.lint.registry import Hit, define
from obsctl.model.findings import Severity
from obsctl.model.metric_families import (
    COUNTER,
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    INFO,
    MAX_DUPLICATES,
    STATESET,
    SUMMARY,
    Exposition,
    MetricFamily,
    Sample,
)

E = Severity.ERROR

MAX_LISTED = MAX_DUPLICATES
"""Findings of one repeated kind (OBS301, OBS311) listed per family; one more counts the rest."""

PARSE_ERROR = define(
    "OBS000",
    "parse-error",
    E,
    "the input is not a valid exposition",
    """
    A line does not follow the exposition grammar (Prometheus text format 0.0.4, or
    OpenMetrics 1.0 when the input is OpenMetrics): a bad name, label, escape, value or
    timestamp, misplaced metadata, a missing `# EOF`, invalid UTF-8, binary data. Prometheus
    fails the whole scrape on such a line, so the target shows as down.

    The message follows Prometheus' own parser where it has one (`expected float as value`,
    `unit "x" not a suffix of metric "y"`). Parsing resumes on the next line, so one run shows
    every broken line (up to 100).
    """,
)
DUPLICATE = define(
    "OBS301",
    "duplicate-series",
    E,
    "the same series (name and labels) appears twice",
    """
    Each series may appear once per exposition (OpenMetrics: unless each repetition carries a
    newer timestamp). Prometheus keeps one of the values and counts the rest as
    `prometheus_target_scrapes_sample_duplicate_timestamp_total`: data silently lost. Label
    order does not matter: `{a="1",b="2"}` and `{b="2",a="1"}` are the same series.

    promtool (≥ 2.55): `metric not unique`.
    """,
)
BUCKET_NO_LE = define(
    "OBS302",
    "bucket-without-le",
    E,
    'a histogram "_bucket" sample has no "le" label',
    """
    Every bucket needs an upper bound. Prometheus' text parser drops such lines silently, so
    the histogram loses data without any error.
    """,
)
NO_INF = define(
    "OBS303",
    "histogram-without-inf",
    E,
    'a histogram series has no le="+Inf" bucket',
    """
    The `+Inf` bucket counts every observation; `histogram_quantile()` needs it and returns
    NaN without it. In OpenMetrics it must be written exactly `le="+Inf"`.
    """,
)
NOT_CUMULATIVE = define(
    "OBS304",
    "buckets-not-cumulative",
    E,
    "histogram bucket counts decrease as le grows",
    """
    Buckets are cumulative: the count for `le="1"` includes everything counted for `le="0.5"`.
    A decreasing count means per-bucket (non-cumulative) values were exported, and every
    quantile computed from them is wrong.
    """,
)
COUNT_MISMATCH = define(
    "OBS305",
    "count-inf-mismatch",
    E,
    'histogram "_count" differs from its +Inf bucket',
    """
    `_count` and the `+Inf` bucket both count all observations and must be equal. A mismatch
    means they were read at different times or computed differently.
    """,
)
NEGATIVE_BUCKET = define(
    "OBS306",
    "negative-bucket",
    E,
    "a histogram bucket or count is negative or NaN",
    """
    Bucket populations and counts are counts of observations: never negative, never NaN.

    Prometheus' parser (client_golang ≥ 1.21): `negative bucket population for histogram`,
    `negative count for histogram`.
    """,
)
QUANTILE_RANGE = define(
    "OBS307",
    "quantile-out-of-range",
    E,
    "a summary quantile label is outside [0, 1]",
    """
    `quantile` is a φ-quantile between 0 and 1 (`0.99` is the 99th percentile). `99` or `-1`
    or `NaN` are bugs in the exporter.
    """,
)
UNPAIRED = define(
    "OBS308",
    "count-sum-unpaired",
    E,
    'a histogram/summary has "_count" without "_sum" or the reverse',
    """
    `_sum` and `_count` go together: averages are `rate(x_sum) / rate(x_count)`. OpenMetrics
    requires both or neither (`_gsum`/`_gcount` for gauge histograms).
    """,
)
MISSING_COUNT_SUM = define(
    "OBS309",
    "count-sum-missing",
    Severity.WARNING,
    'a histogram/summary has neither "_count" nor "_sum"',
    """
    Without `_count` and `_sum` there is no request rate and no average. The formats allow it,
    but dashboards built on the usual `rate(x_sum) / rate(x_count)` stay empty.
    """,
)
INVALID_VALUE = define(
    "OBS310",
    "invalid-value-for-type",
    E,
    "a value is invalid for the metric type (negative counter, NaN sum, stateset ≠ 0/1…)",
    """
    Counters, counts and sums of positive observations are never negative or NaN; a state set
    sample is 0 or 1; an info sample is 1; a histogram with negative buckets has no `_sum`
    (OpenMetrics). A negative counter makes `rate()` report a counter reset on every scrape.
    A NaN counter is reported in OpenMetrics only: the text format, Prometheus and promtool
    accept it.
    """,
)
BUCKET_ORDER = define(
    "OBS311",
    "bucket-order",
    E,
    "histogram buckets are not in increasing le order",
    """
    Buckets are exposed in increasing `le` order (the text format documentation and
    OpenMetrics both require it). Consumers that stream the exposition rely on the order.

    Reported once per series; as with duplicates, the first 100 series of a family are
    listed, then one finding counts the rest.
    """,
)
INTERLEAVED = define(
    "OBS312",
    "family-interleaved",
    Severity.WARNING,
    "a metric family's lines are split by another family",
    """
    All lines of one family must form one group, metadata first (a `# HELP` after the
    family's samples splits it too). Prometheus' text parser regroups them silently, other
    consumers (and OpenMetrics, where it is a parse error) do not.
    """,
)
NOT_GROUPED = define(
    "OBS313",
    "series-not-grouped",
    E,
    "the samples of one histogram/summary series are not together, buckets first",
    """
    OpenMetrics requires the samples of one metric point (buckets, `_count`, `_sum`,
    `_created` of one label set) to be adjacent, with the buckets first.
    """,
)


@dataclass(slots=True)
class _Group:
    key: tuple[tuple[str, str], ...]
    line: int
    indexes: list[int] = field(default_factory=list)
    buckets: list[tuple[str, float, Sample]] = field(default_factory=list)
    count: Sample | None = None
    sum: Sample | None = None
    gcount: Sample | None = None
    gsum: Sample | None = None
    quantiles: list[Sample] = field(default_factory=list)
    first_other: int = -1
    last_bucket: int = -1


class _LazySeries:
    """``name{labels}`` formatted on first use (in f-strings)."""

    __slots__ = ("key", "name")

    def __init__(self, name: str, key: tuple[tuple[str, str], ...]) -> None:
        self.name = name
        self.key = key

    def __str__(self) -> str:
        return f"{self.name}{_labels_text(self.key)}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def parse_problems(expo: Exposition) -> Iterator[Hit]:
    """OBS000 hits for the parser's problems."""
    for p in expo.problems:
        yield Hit(PARSE_ERROR, p.message, p.line, "", None, p.col, p.text)


def _groups(fam: MetricFamily) -> dict[tuple[tuple[str, str], ...], _Group]:
    groups: dict[tuple[tuple[str, str], ...], _Group] = {}
    base_len = len(fam.name)
    suffixes = {n: n[base_len:] for n in fam.sample_names}
    le_floats: dict[str, float] = {}
    summary = fam.type == SUMMARY
    # A series is its labels but the bound: ``le`` for histograms, ``quantile`` for
    # summaries. The other one is an ordinary label there (and OBS105/OBS106 say so).
    drop = "quantile" if summary else "le"
    for idx, s in enumerate(fam.samples):
        labels = s.labels
        last = labels[-1][0] if labels else ""
        if last == drop:
            # The common layout (the bound last): no scan needed.
            rest = labels[:-1]
            key = rest if len(rest) < 2 else tuple(sorted(rest))
            le = labels[-1][1] if last == "le" else s.label("le")
        else:
            key = tuple(sorted(p for p in labels if p[0] != drop))
            le = s.label("le")
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(key, s.line)
        g.indexes.append(idx)
        suffix = suffixes.get(s.name)
        if suffix is None:
            suffix = s.name[base_len:]
        if suffix == "_bucket":
            if le is not None:
                bound = le_floats.get(le)
                if bound is None:
                    try:
                        bound = le_floats[le] = float(le)
                    except ValueError:
                        continue
                g.buckets.append((le, bound, s))
                g.last_bucket = idx
            else:
                g.buckets.append(("", math.nan, s))
            continue
        if suffix == "":
            if summary:
                g.quantiles.append(s)
            continue
        if g.first_other < 0 and suffix in ("_count", "_sum", "_gcount", "_gsum", "_created"):
            g.first_other = idx
        if suffix == "_count":
            g.count = s
        elif suffix == "_sum":
            g.sum = s
        elif suffix == "_gcount":
            g.gcount = s
        elif suffix == "_gsum":
            g.gsum = s
    return groups


def _bad(v: float) -> bool:
    return v < 0 or math.isnan(v)


def _labels_text(key: tuple[tuple[str, str], ...]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in key) + "}" if key else ""


def check_structure(fam: MetricFamily, om: bool) -> Iterator[Hit]:
    """Structure hits for one family.

    Args:
        fam: the family (samples kept for histogram/summary/stateset/info types).
        om: whether the input is OpenMetrics (stricter value and ordering rules).
    """
    name = fam.name
    for line, text in fam.duplicates:
        yield Hit(
            DUPLICATE,
            f"metric not unique: {text} already appeared",
            line,
            name,
            "drop or merge the repeated series",
            0,
            text,
        )
    more = fam.duplicate_count - len(fam.duplicates)
    if more > 0:
        yield Hit(
            DUPLICATE,
            f"{more:,} more duplicate samples of {name} (only the first "
            f"{len(fam.duplicates)} are listed)",
            fam.duplicates[-1][0],
            name,
        )
    if fam.interleaved_line:
        yield Hit(
            INTERLEAVED,
            f"family {name} continues here after another family (first line {fam.line})",
            fam.interleaved_line,
            name,
            "emit each family's lines together",
        )
    if fam.late_help_line:
        yield Hit(
            INTERLEAVED,
            f"HELP of {name} comes after its samples (first sample line {fam.first_sample_line})",
            fam.late_help_line,
            name,
            "put # HELP and # TYPE before the family's samples",
        )
    if fam.type == COUNTER:
        if fam.negative_line:
            yield Hit(INVALID_VALUE, "counter has a negative value", fam.negative_line, name)
        if fam.nan_line and om:
            # The text format, Prometheus and promtool accept NaN; OpenMetrics forbids it.
            yield Hit(INVALID_VALUE, "counter has a NaN value", fam.nan_line, name)
    elif fam.type == STATESET:
        for s in fam.samples:
            if s.value not in (0.0, 1.0):
                yield Hit(INVALID_VALUE, f"stateset value {s.value:g} is not 0 or 1", s.line, name)
    elif fam.type == INFO:
        for s in fam.samples:
            if s.value != 1.0:
                yield Hit(INVALID_VALUE, f"info value {s.value:g} is not 1", s.line, name)
    if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM) and not fam.structure_verified:
        yield from _check_histogram(fam, om)
    elif fam.type == SUMMARY and not fam.structure_verified:
        yield from _check_summary(fam, om)


def _check_grouping(fam: MetricFamily, groups: dict[object, _Group]) -> Iterator[Hit]:
    for g in groups.values():
        idx = g.indexes
        if idx[-1] - idx[0] + 1 != len(idx):
            yield Hit(
                NOT_GROUPED,
                f"samples of {fam.name}{_labels_text(g.key)} are not adjacent",
                fam.samples[idx[-1]].line,
                fam.name,
            )
        elif g.first_other >= 0 and g.last_bucket > g.first_other:
            yield Hit(
                NOT_GROUPED,
                f"buckets of {fam.name}{_labels_text(g.key)} come after _count/_sum",
                fam.samples[g.last_bucket].line,
                fam.name,
            )


def _check_histogram(fam: MetricFamily, om: bool) -> Iterator[Hit]:
    name = fam.name
    gauge = fam.type == GAUGE_HISTOGRAM
    groups = _groups(fam)
    if om:
        yield from _check_grouping(fam, groups)  # type: ignore[arg-type]
    isnan = math.isnan
    inf_value = math.inf
    # OBS311 is listed for the first MAX_LISTED series and counted after, as OBS301 is: an
    # exporter that writes every histogram's buckets backwards would otherwise bury the rest.
    unordered = 0
    last_unordered_line = 0
    for g in groups.values():
        # Built only when a finding needs it: most series are fine, and there may be many.
        series = _LazySeries(name, g.key)
        inf: Sample | None = None
        last_le = -inf_value
        seen_any = False
        ordered_ok = True
        negative_le = False
        for le_text, le, s in g.buckets:
            v = s.value
            if le_text == "" and isnan(le):
                yield Hit(BUCKET_NO_LE, f'{s.name} has no "le" label', s.line, name)
                continue
            if le == inf_value:
                if om and le_text != "+Inf":
                    yield Hit(
                        NO_INF,
                        f'{series}: the +Inf bucket must be written le="+Inf", not {le_text!r}',
                        s.line,
                        name,
                    )
                    continue
                inf = s
            if le < 0:
                negative_le = True
            if (v < 0 or isnan(v)) and not (gauge and le < 0 and not isnan(v)):
                yield Hit(
                    NEGATIVE_BUCKET,
                    f"negative bucket population for histogram {series}: {v:g}",
                    s.line,
                    name,
                )
            if seen_any and le <= last_le and ordered_ok:
                ordered_ok = False
                unordered += 1
                if unordered <= MAX_LISTED:
                    last_unordered_line = s.line
                    yield Hit(
                        BUCKET_ORDER,
                        f'{series}: bucket le="{le_text}" follows le="{last_le:g}"',
                        s.line,
                        name,
                    )
            seen_any = True
            last_le = le
        valid = [(le, s) for _t, le, s in g.buckets if not isnan(le) and not isnan(s.value)]
        if not ordered_ok:
            valid.sort(key=lambda p: p[0])
        prev = -inf_value
        for _le, s in valid:
            if s.value < prev:
                yield Hit(
                    NOT_CUMULATIVE,
                    f'{series}: bucket le="{s.label("le")}" has {s.value:g}, less than the bucket '
                    f"below ({prev:g})",
                    s.line,
                    name,
                    "export cumulative counts (each bucket includes all lower ones)",
                )
                break
            prev = s.value
        first_line = g.line
        if inf is None:
            yield Hit(
                NO_INF,
                f'{series} has no le="+Inf" bucket' + ("" if g.buckets else " (no buckets at all)"),
                first_line,
                name,
                'add a bucket with le="+Inf" equal to _count',
            )
        count, total = (g.gcount, g.gsum) if gauge else (g.count, g.sum)
        cname, sname = ("_gcount", "_gsum") if gauge else ("_count", "_sum")
        if count is not None and _bad(count.value) and not gauge:
            yield Hit(
                NEGATIVE_BUCKET,
                f"negative count for histogram {series}: {count.value:g}",
                count.line,
                name,
            )
        elif count is not None and gauge and (count.value != count.value or count.value < 0):
            yield Hit(NEGATIVE_BUCKET, f"{series}{cname} is {count.value:g}", count.line, name)
        if count is not None and inf is not None and count.value != inf.value:
            yield Hit(
                COUNT_MISMATCH,
                f"{series}{cname} is {count.value:g} but the +Inf bucket is {inf.value:g}",
                count.line,
                name,
            )
        if (count is None) != (total is None):
            present = count or total
            assert present is not None
            missing = sname if total is None else cname
            yield Hit(
                UNPAIRED,
                f"{series} has {present.name[len(name) :]} but no {missing}",
                present.line,
                name,
            )
        elif count is None and total is None and not om:
            yield Hit(
                MISSING_COUNT_SUM, f"{series} has no {cname} and no {sname}", first_line, name
            )
        if total is not None:
            if total.value != total.value:
                if om:
                    yield Hit(INVALID_VALUE, f"{series}{sname} is NaN", total.line, name)
            elif total.value < 0 and om and not negative_le:
                yield Hit(
                    INVALID_VALUE,
                    f"{series}{sname} is negative but no bucket is below 0",
                    total.line,
                    name,
                )
            if om and negative_le and not gauge:
                yield Hit(
                    INVALID_VALUE,
                    f"{series} has negative buckets, so it must not have {sname}",
                    total.line,
                    name,
                )
    if unordered > MAX_LISTED:
        yield Hit(
            BUCKET_ORDER,
            f"{unordered - MAX_LISTED:,} more series of {name} with buckets out of order "
            f"(only the first {MAX_LISTED} are listed)",
            last_unordered_line,
            name,
        )


def _check_summary(fam: MetricFamily, om: bool) -> Iterator[Hit]:
    name = fam.name
    groups = _groups(fam)
    if om:
        yield from _check_grouping(fam, groups)  # type: ignore[arg-type]
    for g in groups.values():
        series = f"{name}{_labels_text(g.key)}"
        for s in g.quantiles:
            q_text = s.label("quantile")
            if q_text is None:
                continue
            q = float(q_text)
            if not 0 <= q <= 1:
                yield Hit(
                    QUANTILE_RANGE,
                    f'{series}: quantile="{q_text}" is outside [0, 1]',
                    s.line,
                    name,
                    "quantiles are fractions: 0.99, not 99",
                )
            if om and s.value < 0:
                yield Hit(INVALID_VALUE, f"{series} quantile value {s.value:g}", s.line, name)
        if g.count is not None and _bad(g.count.value):
            yield Hit(INVALID_VALUE, f"{series}_count is {g.count.value:g}", g.count.line, name)
        if om and g.sum is not None and _bad(g.sum.value):
            yield Hit(INVALID_VALUE, f"{series}_sum is {g.sum.value:g}", g.sum.line, name)
        if (g.count is None) != (g.sum is None):
            present = g.count or g.sum
            assert present is not None
            yield Hit(
                UNPAIRED,
                f"{series} has {present.name[len(name) :]} but not "
                f"{'_sum' if g.sum is None else '_count'}",
                present.line,
                name,
            )
        elif g.count is None and g.sum is None and not om:
            yield Hit(MISSING_COUNT_SUM, f"{series} has no _count and no _sum", g.line, name)
