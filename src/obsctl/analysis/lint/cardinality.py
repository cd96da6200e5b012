"""Cardinality rules (``OBS2xx``): series and label-value budgets, unbounded label values.

For an exposition (one target), budgets apply per family (series) and per family and label
(distinct values). For a server (the whole TSDB head), they apply per metric name and per
label name, with larger defaults. Unbounded label values are recognised by content (UUIDs,
hex IDs, long numbers, timestamps, IPs, e-mail addresses, URL paths with IDs, tokens, free
text) on a sample of each label's distinct values, and by name (``user_id``, ``trace_id``,
``path``…).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import compress
from operator import not_
from typing import Final

from obsctl.analysis.lint.registry import Hit, define
from obsctl.model.budgets import EXEMPT_LABELS, Budgets, Threshold
from obsctl.model.findings import Severity
from obsctl.model.metric_families import (
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    CountEntry,
    Exposition,
    MetricFamily,
)

W = Severity.WARNING
E = Severity.ERROR

SERIES_WARN = define(
    "OBS201",
    "series-warn",
    W,
    "a metric has many series (≥ 1,000 by default)",
    """
    Every series costs memory in Prometheus (a few KB in the head block) and in every
    downstream system. The Prometheus instrumentation guide asks to keep most metrics below
    10 series and to investigate above 100. The warning budget is `budgets.series.warn`
    (default 1,000 per metric in one exposition, 10,000 per metric name on a server);
    override it per metric under `budgets.metrics.<name>`.
    """,
)
SERIES_ERROR = define(
    "OBS202",
    "series-error",
    E,
    "a metric exceeds its series budget (≥ 10,000 by default)",
    """
    The metric is over the hard budget `budgets.series.error` (default 10,000 per metric in
    one exposition, 100,000 per metric name on a server). At this size one target can push a
    Prometheus over its memory limit or a hosted service over its active-series quota.
    """,
)
VALUES_WARN = define(
    "OBS203",
    "label-values-warn",
    W,
    "a label has many distinct values (≥ 100 by default)",
    """
    A label with many values multiplies the series of its metric. `budgets.label_values.warn`
    (default 100 per label in a family; 1,000 per label name on a server). `le` and
    `quantile` are exempt.
    """,
)
VALUES_ERROR = define(
    "OBS204",
    "label-values-error",
    E,
    "a label exceeds its distinct-value budget (≥ 1,000 by default)",
    """
    The label is over `budgets.label_values.error` (default 1,000 per label in a family;
    10,000 per label name on a server). This is almost always an unbounded value: an ID,
    a path, a timestamp.
    """,
)
UNBOUNDED = define(
    "OBS205",
    "unbounded-label-values",
    W,
    "label values look unbounded (UUIDs, IDs, IPs, e-mails, paths with IDs, timestamps…)",
    """
    When at least 10 distinct values of a label are seen and at least 80 % of them look like
    one class of unbounded value, the label will keep growing: every user, request, trace or
    minute adds series. Classes: UUID, hex ID (trace/span/container IDs), ULID, long number,
    Unix timestamp, date/time, IP address, e-mail address, URL/path containing an ID, opaque
    token or JWT, free text.

    Fix: drop the label, or replace it with a bounded one (a route template such as
    `/users/{id}` instead of the path, a status class instead of a message). Put request or
    trace IDs in exemplars or logs, not labels.
    """,
)
RISKY_NAME = define(
    "OBS206",
    "risky-label-name",
    Severity.INFO,
    "label name suggests unbounded values (user_id, trace_id, path, email…)",
    """
    Labels named like per-user, per-request or per-trace identifiers (`user_id`, `request_id`,
    `trace_id`, `session_id`, `email`, `ip`, `path`, `url`, `user_agent`, `timestamp`…) usually
    carry unbounded values even when the current exposition shows few of them. For
    `trace_id`/`span_id`, use exemplars instead: they link a sample to a trace without
    creating a series per trace.
    """,
)
LONG_VALUE = define(
    "OBS207",
    "long-label-value",
    W,
    "a label value is very long (> 128 bytes by default)",
    """
    Long label values (SQL, error messages, user agents, URLs) cost index memory and usually
    mean unbounded content. Prometheus' `label_value_length_limit` fails the whole scrape when
    a value is over the configured limit. Budget: `budgets.label_value_length`.
    """,
)
BUCKETS = define(
    "OBS208",
    "too-many-buckets",
    W,
    "a histogram has many buckets (> 30 by default)",
    """
    Each classic-histogram bucket is a series, for every label combination. Beyond ~30 buckets
    the histogram is usually more precise than anybody reads it. Budget: `budgets.buckets`.
    Consider fewer buckets or native histograms.
    """,
)

RISKY_LABEL_NAMES = frozenset(
    {
        "user_id",
        "userid",
        "uid",
        "user",
        "username",
        "customer_id",
        "account_id",
        "email",
        "session_id",
        "request_id",
        "correlation_id",
        "trace_id",
        "traceid",
        "span_id",
        "spanid",
        "transaction_id",
        "order_id",
        "ip",
        "client_ip",
        "remote_addr",
        "path",
        "url",
        "uri",
        "query",
        "user_agent",
        "token",
        "timestamp",
    }
)
EXEMPLAR_LABELS = frozenset({"trace_id", "traceid", "span_id", "spanid"})
SERVER_EXEMPT_LABELS = frozenset(
    {"__name__", "instance", "job", "le", "pod", "container", "id", "quantile"}
)

_HEX = "0-9a-fA-F"
CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "UUID",
        re.compile(f"[{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}"),
    ),
    ("ULID", re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")),
    ("Unix timestamp", re.compile(r"1\d{9}(?:\.\d+)?|1\d{12}")),
    ("hex ID", re.compile(f"(?:0x)?[{_HEX}]{{16,}}")),
    ("long number", re.compile(r"\d{6,}")),
    (
        "date/time",
        re.compile(
            r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
        ),
    ),
    ("e-mail address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("JWT", re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-.]*")),
)
_IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?")
_ID_SEGMENT = re.compile(
    f"\\d+|[{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}"
    f"|(?=[{_HEX}]*\\d)[{_HEX}]{{12,}}"
)
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{24,}")
_MAYBE_REST = re.compile(f"[: ?]|[^\\n]{{24}}|/(?:{_ID_SEGMENT.pattern})(?=[/?]|$)")
"""Found in every value that ``_classify_rest`` may classify: ``:`` for IPv6 and URLs with a
scheme, ``?`` for a query string, a blank for free text, 24 characters for tokens, and for a
path an ID segment (``/`` then an ID up to the next ``/``, ``?`` or the end). Paths without
IDs (``/api/users``), most of a big exporter's path labels, are turned down here instead of
one by one in Python."""
# CLASSES and then IPv4 as one alternation: a full match takes the first alternative that
# matches the whole value, so this is the loop over them in one call (this runs for every
# sampled label value of every family). Every class starts with a hex digit or a capital
# (UUID, ULID, timestamps, hex, numbers, dates, JWT "eyJ", IPv4), except e-mail addresses,
# which hold an "@": the lookahead turns most other values (pod names, routes, codes) down
# before the alternatives are tried one by one.
_CLASS_OF_GROUP = {f"c{i}": name for i, (name, _) in enumerate(CLASSES)} | {"ip": "IP address"}
_CLASS_STARTS = "(?=[0-9A-Za-f]|[^@]*@)"
_CLASSES_FIRST = re.compile(
    _CLASS_STARTS
    + "(?:"
    + "|".join(f"(?P<c{i}>{pat.pattern})" for i, (_, pat) in enumerate(CLASSES))
    + f"|(?P<ip>{_IPV4.pattern}))"
)


def classify_value(value: str) -> str | None:
    """The unbounded-value class of ``value``, or ``None``.

    >>> classify_value("0af7651916cd43dd8448eb211c80319c")
    'hex ID'
    >>> classify_value("/api/users/12345/orders")
    'URL path with IDs'
    >>> classify_value("/api/users/{id}") is None
    True
    >>> classify_value("42") is None
    True
    """
    m = _CLASSES_FIRST.fullmatch(value)
    if m is not None:
        return _CLASS_OF_GROUP[m.lastgroup]  # type: ignore[index]
    return _classify_rest(value) if _MAYBE_REST.search(value) else None


def _classify_rest(value: str) -> str | None:
    """``classify_value`` for a value none of ``CLASSES`` (nor IPv4) matches."""
    if ":" in value and len(value) > 2:
        try:
            ipaddress.IPv6Address(value.strip("[]"))
        except ValueError:
            pass
        else:
            return "IP address"
    if value.startswith("/") or "://" in value:
        path = value.split("://", 1)[-1]
        path = path.split("?", 1)[0]
        if any(_ID_SEGMENT.fullmatch(seg) for seg in path.split("/")[1:]):
            return "URL path with IDs"
        if "?" in value:
            return "URL with query string"
        return None
    if (
        _TOKEN.fullmatch(value)
        and any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
    ):
        return "opaque token"
    if " " in value and len(value) > 40:
        return "free text"
    return None


_PHRASES = {
    "e-mail address": "an e-mail address",
    "IP address": "an IP address",
    "opaque token": "an opaque token",
    "free text": "free text",
    "URL with query string": "a URL with a query string",
}


def _article(cls: str) -> str:
    """The class as a noun phrase: ``a UUID``, ``an IP address``, ``free text``."""
    return _PHRASES.get(cls, f"a {cls}")


_CLASSIFY_SLICE: Final = 32


def dominant_class(values: Iterable[str], *, min_values: int = 10) -> tuple[str, int, int] | None:
    """``(class, matching, total)`` when ≥ 80 % of ≥ ``min_values`` values share a class."""
    values = list(values)
    total = len(values)
    if total < min_values:
        return None
    # ``classify_value`` over all values, with the common cases in C: one alternation for
    # the classes, one search that rules out the rest (IPv6, URLs, tokens, free text).
    # Values go in slices: once more than a fifth of them has no class, no class can reach
    # 80 % and the answer is ``None`` whatever the other values are (most labels: pods,
    # routes, codes).
    counts: dict[str, int] = {}
    classified = 0
    for start in range(0, total, _CLASSIFY_SLICE):
        part = values[start : start + _CLASSIFY_SLICE]
        firsts = list(map(_CLASSES_FIRST.fullmatch, part))
        for m in filter(None, firsts):
            cls = _CLASS_OF_GROUP[m.lastgroup]  # type: ignore[index]
            counts[cls] = counts.get(cls, 0) + 1
            classified += 1
        for v in filter(_MAYBE_REST.search, compress(part, map(not_, firsts))):
            rest = _classify_rest(v)
            if rest is not None:
                counts[rest] = counts.get(rest, 0) + 1
                classified += 1
        if (start + len(part) - classified) * 5 > total:
            return None
    if not counts:
        return None
    cls, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if n * 5 >= total * 4:
        return cls, n, total
    return None


def _threshold_hits(
    count: int,
    th: Threshold,
    warn_rule: object,
    error_rule: object,
    what: str,
    line: int,
    subject: str,
    text: str | None,
    hint: str | None,
    floor: bool = False,
) -> Iterator[Hit]:
    shown = f"≥ {count:,}" if floor else f"{count:,}"
    if th.error is not None and count >= th.error:
        yield Hit(
            error_rule,  # type: ignore[arg-type]
            f"{what}: {shown} (budget {th.error:,})",
            line,
            subject,
            hint,
            0,
            text,
        )
    elif th.warn is not None and count >= th.warn:
        yield Hit(
            warn_rule,  # type: ignore[arg-type]
            f"{what}: {shown} (warning at {th.warn:,})",
            line,
            subject,
            hint,
            0,
            text,
        )


def label_name_hint(label: str) -> str | None:
    """The fix hint for a risky label name."""
    if label.lower() in EXEMPLAR_LABELS:
        return f"use exemplars to link samples to traces instead of a {label!r} label"
    return "use a bounded value (a route template, a class, a bucket) or drop the label"


def check_cardinality(fam: MetricFamily, budgets: Budgets) -> Iterator[Hit]:
    """Cardinality hits for one family of an exposition."""
    name = fam.name
    yield from _threshold_hits(
        fam.series_count,
        budgets.series_for(name),
        SERIES_WARN,
        SERIES_ERROR,
        f"{name} has many series",
        fam.line,
        name,
        fam.first_text,
        "drop or aggregate high-cardinality labels, or raise budgets.metrics."
        f"{name}.series in obsctl.yaml",
        fam.saturated,
    )
    for lname, st in fam.labels.items():
        if lname in budgets.exempt_labels:
            continue
        subject = f"{name}{{{lname}}}"
        yield from _threshold_hits(
            st.distinct,
            budgets.values_for(name, lname),
            VALUES_WARN,
            VALUES_ERROR,
            f"label {lname!r} of {name} has many distinct values",
            st.first_line,
            subject,
            st.first_text,
            None,
            st.saturated,
        )
        found = dominant_class(st.sampled_values)
        if found is not None:
            cls, n, total = found
            yield Hit(
                UNBOUNDED,
                f"label {lname!r} of {name} looks unbounded: {n} of {total} sampled values "
                f"look like {_article(cls)} ({st.distinct:,} distinct)",
                st.first_line,
                subject,
                label_name_hint(lname)
                if lname.lower() in EXEMPLAR_LABELS
                else "replace it with a bounded value or drop it",
                0,
                st.first_text,
            )
        if lname.lower() in RISKY_LABEL_NAMES:
            yield Hit(
                RISKY_NAME,
                f"label {lname!r} of {name} is named like an unbounded identifier",
                st.first_line,
                subject,
                label_name_hint(lname),
                0,
                st.first_text,
            )
        if st.max_length > budgets.label_value_length:
            yield Hit(
                LONG_VALUE,
                f"label {lname!r} of {name} has a {st.max_length}-byte value "
                f"(limit {budgets.label_value_length})",
                st.longest_line,
                subject,
                "long values are usually unbounded (messages, SQL, URLs)",
            )
    if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM):
        le = fam.labels.get("le")
        if le is not None and le.distinct > budgets.buckets:
            yield Hit(
                BUCKETS,
                f"histogram {name} has {le.distinct} distinct buckets (budget {budgets.buckets})",
                fam.line,
                name,
                "use fewer buckets, or native histograms",
                0,
                fam.first_text,
            )


def top_entries(expo: Exposition, limit: int = 10) -> tuple[tuple[CountEntry, ...], ...]:
    """Top metrics by series and top ``metric{label}`` by distinct values."""
    metrics = sorted(
        (CountEntry(f.name, f.series_count) for f in expo.families),
        key=lambda e: (-e.count, e.name),
    )[:limit]
    labels = sorted(
        (
            CountEntry(f"{f.name}{{{lname}}}", st.distinct)
            for f in expo.families
            for lname, st in f.labels.items()
            if lname not in EXEMPT_LABELS
        ),
        key=lambda e: (-e.count, e.name),
    )[:limit]
    return tuple(metrics), tuple(labels)


def check_server(
    series_by_metric: Mapping[str, int],
    values_by_label: Mapping[str, int],
    label_examples: Mapping[str, list[str]],
    budgets: Budgets,
) -> Iterator[Hit]:
    """Cardinality hits for a server's TSDB head (metric names and label names)."""
    for metric, count in sorted(series_by_metric.items(), key=lambda kv: (-kv[1], kv[0])):
        yield from _threshold_hits(
            count,
            budgets.series_for(metric, server=True),
            SERIES_WARN,
            SERIES_ERROR,
            f"{metric} has many series",
            0,
            metric,
            None,
            None,
        )
    for label, count in sorted(values_by_label.items(), key=lambda kv: (-kv[1], kv[0])):
        if label in SERVER_EXEMPT_LABELS or label in budgets.exempt_labels:
            continue
        yield from _threshold_hits(
            count,
            budgets.values_for(None, label, server=True),
            VALUES_WARN,
            VALUES_ERROR,
            f"label {label!r} has many distinct values",
            0,
            f"{{{label}}}",
            None,
            None,
        )
        found = dominant_class(label_examples.get(label, ()))
        if found is not None:
            cls, n, total = found
            yield Hit(
                UNBOUNDED,
                f"label {label!r} looks unbounded: {n} of {total} sampled values look like "
                f"{_article(cls)} ({count:,} distinct)",
                0,
                f"{{{label}}}",
                label_name_hint(label),
            )
        if label.lower() in RISKY_LABEL_NAMES:
            yield Hit(
                RISKY_NAME,
                f"label {label!r} is named like an unbounded identifier",
                0,
                f"{{{label}}}",
                label_name_hint(label),
            )
