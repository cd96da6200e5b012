"""Alert windows × candidate traces → ranked traces, bottlenecks, and what got slower.

Pure and deterministic: no clock, no I/O; sorting always ends on the trace ID.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from obsctl.model.alerts import AlertWindow, Labels
from obsctl.model.correlation import (
    Bottleneck,
    Candidate,
    LatencySource,
    MergedCandidate,
    PathShare,
    RankBy,
    RankedTrace,
    SlowerOperation,
    TraceExemplar,
    TraceFacts,
)
from obsctl.model.time import from_unix_ns
from obsctl.model.traces import StatusCode, Trace, TraceIdError, normalize_trace_id

TRACE_ID_LABELS: Final = ("trace_id", "traceID", "traceId", "TraceID", "trace.id", "trace-id")
"""Label names that carry a trace ID on exemplars and series, in preference order."""

EXEMPLAR_SOURCE: Final = "exemplar"
METRIC_LABEL_SOURCE: Final = "metric_label"


def trace_id_from_labels(labels: Mapping[str, str]) -> str | None:
    """The normalised trace ID in ``labels`` (first known label name that parses), or None.

    >>> trace_id_from_labels({"traceID": "4bf92f3577b34da6"})
    '00000000000000004bf92f3577b34da6'
    >>> trace_id_from_labels({"span_id": "ab"}) is None
    True
    """
    for name in TRACE_ID_LABELS:
        value = labels.get(name)
        if value:
            try:
                return normalize_trace_id(value)
            except TraceIdError:
                continue
    return None


def labels_consistent(window_labels: Labels, series_labels: Labels) -> bool:
    """True when every label the two sets share has the same value.

    >>> labels_consistent((("service", "a"),), (("le", "0.5"), ("service", "a")))
    True
    >>> labels_consistent((("service", "a"),), (("service", "b"),))
    False
    """
    series = dict(series_labels)
    return all(series.get(k, v) == v for k, v in window_labels)


def window_of(time: datetime | None, labels: Labels, windows: Sequence[AlertWindow]) -> int | None:
    """Index of the first window containing ``time`` whose labels agree with ``labels``."""
    if time is None:
        return None
    for i, w in enumerate(windows):
        if w.contains(time) and labels_consistent(w.labels, labels):
            return i
    return None


def exemplar_candidates(exemplars: Iterable[TraceExemplar]) -> list[Candidate]:
    """One candidate per exemplar."""
    return [
        Candidate(
            trace_id=e.trace_id,
            source=EXEMPLAR_SOURCE,
            time=e.time,
            latency_ns=e.latency_ns,
            series_labels=e.series_labels,
        )
        for e in exemplars
    ]


def _max_opt(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def merge_candidates(
    placed: Iterable[tuple[int, Candidate]],
) -> list[MergedCandidate]:
    """De-duplicate candidates by trace ID, keeping the best evidence of each kind.

    Args:
        placed: ``(window index, candidate)`` pairs; IDs must already be normalised.

    Returns:
        One entry per trace ID (in first-seen order), with the earliest window, all sources,
        the largest exemplar latency / search duration / error count, and the root names the
        search reported.
    """
    groups: dict[str, list[tuple[int, Candidate]]] = {}
    for window, cand in placed:
        groups.setdefault(cand.trace_id, []).append((window, cand))
    merged = []
    for trace_id, items in groups.items():
        cands = [c for _, c in items]
        times = [c.time for c in cands if c.time is not None]
        root = next((c for c in cands if c.root_service or c.root_name), None)
        merged.append(
            MergedCandidate(
                trace_id=trace_id,
                window=min(w for w, _ in items),
                sources=tuple(sorted({c.source for c in cands})),
                time=min(times) if times else None,
                exemplar_latency_ns=_max_opt(c.latency_ns for c in cands),
                search_duration_ns=_max_opt(c.search_duration_ns for c in cands),
                error_count=_max_opt(c.error_count for c in cands),
                root_service=root.root_service if root else None,
                root_name=root.root_name if root else None,
                evidence=len(cands),
            )
        )
    return merged


@dataclass(frozen=True, slots=True)
class _Key:
    latency: int | None
    source: LatencySource | None
    extent: int | None
    errors: int | None


def _key(cand: MergedCandidate, facts: TraceFacts | None) -> _Key:
    if facts is not None:
        return _Key(
            facts.root_duration_ns, LatencySource.ROOT_SPAN, facts.extent_ns, facts.error_count
        )
    if cand.search_duration_ns is not None:
        latency, source = cand.search_duration_ns, LatencySource.SEARCH
    elif cand.exemplar_latency_ns is not None:
        latency, source = cand.exemplar_latency_ns, LatencySource.EXEMPLAR
    else:
        latency, source = None, None
    return _Key(latency, source, cand.search_duration_ns, cand.error_count)


def _sort_tuple(key: _Key, rank_by: RankBy, trace_id: str) -> tuple[int, int, int, str]:
    missing = -1  # unknown values sort after every known one (descending order)
    lat = key.latency if key.latency is not None else missing
    err = key.errors if key.errors is not None else missing
    ext = key.extent if key.extent is not None else lat
    if rank_by is RankBy.ERRORS:
        return (-err, -lat, -ext, trace_id)
    if rank_by is RankBy.EXTENT:
        return (-ext, -lat, -err, trace_id)
    return (-lat, -err, -ext, trace_id)


def preliminary_order(cands: Sequence[MergedCandidate], rank_by: RankBy) -> list[MergedCandidate]:
    """Candidates in ranking order using only what the sources said (before fetching)."""
    return sorted(cands, key=lambda c: _sort_tuple(_key(c, None), rank_by, c.trace_id))


def rank_traces(
    cands: Sequence[MergedCandidate],
    facts: Mapping[str, TraceFacts],
    *,
    rank_by: RankBy = RankBy.LATENCY,
    notes: Mapping[str, str] | None = None,
) -> list[RankedTrace]:
    """Rank candidates, best first.

    The latency key is the fetched trace's root-span duration, else the search result's
    duration, else the exemplar's value. Ties go to more errors, then longer extent, then the
    trace ID. Traces that could not be fetched stay with what is known and ``found=False``.
    """
    notes = notes or {}
    keyed = [(c, _key(c, facts.get(c.trace_id))) for c in cands]
    keyed.sort(key=lambda ck: _sort_tuple(ck[1], rank_by, ck[0].trace_id))
    out = []
    for rank, (c, k) in enumerate(keyed, start=1):
        f = facts.get(c.trace_id)
        bottleneck = f.bottleneck if f else None
        share = None
        if f is not None and bottleneck is not None and f.critical_path_ns:
            share = bottleneck.critical_path_ns / f.critical_path_ns
        out.append(
            RankedTrace(
                rank=rank,
                trace_id=c.trace_id,
                window=c.window,
                sources=c.sources,
                found=f is not None,
                latency_ns=k.latency,
                latency_source=k.source,
                extent_ns=k.extent,
                error_count=k.errors,
                start=f.start if f else c.time,
                root_service=f.root_service if f else c.root_service,
                root_name=f.root_name if f else c.root_name,
                bottleneck=bottleneck,
                bottleneck_share=share,
                note="" if f else notes.get(c.trace_id, "not fetched"),
                critical_path=f.critical_path if f else (),
                error_spans=f.error_spans if f else (),
                error_logs=f.error_logs if f else (),
            )
        )
    return out


def find_root(trace: Trace) -> str | None:
    """The root span's ID: no parent (or a parent missing from the trace), earliest first."""
    ids = {s.span_id for s in trace.spans}
    roots = [s for s in trace.spans if s.parent_span_id is None or s.parent_span_id not in ids]
    true_roots = [s for s in roots if s.parent_span_id is None] or roots
    if not true_roots:
        return None
    return min(true_roots, key=lambda s: (s.start_ns, -s.duration_ns, s.span_id)).span_id


def trace_facts(
    trace: Trace,
    critical_path_ns: Mapping[str, int],
    *,
    span_keys: Sequence[str] | None = None,
    root_span_id: str | None = None,
    error_span_keys: Sequence[str] | None = None,
) -> TraceFacts:
    """Summarise a fetched trace and its critical path for ranking and bottlenecks.

    Args:
        trace: the trace.
        critical_path_ns: critical-path time per span key (from the trace analysis).
        span_keys: the key of each of ``trace.spans`` (default: the span IDs); duplicate span
            IDs get distinct keys in the analysis.
        root_span_id: key of the root span (found with ``find_root`` when ``None``).
        error_span_keys: error spans as the analysis finds them (default: status ERROR).
    """
    keys = list(span_keys) if span_keys is not None else [s.span_id for s in trace.spans]
    by_key = dict(zip(keys, trace.spans, strict=True))
    root_key = root_span_id if root_span_id in by_key else find_root(trace)
    root = by_key.get(root_key) if root_key else None
    per_op: dict[tuple[str, str], int] = {}
    for key, ns in critical_path_ns.items():
        span = by_key.get(key)
        if span is None or ns <= 0:
            continue
        op = (span.service, span.name)
        per_op[op] = per_op.get(op, 0) + ns
    path = tuple(
        PathShare(svc, op, ns)
        for (svc, op), ns in sorted(per_op.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    if error_span_keys is None:
        errors = [s for s in trace.spans if s.status_code is StatusCode.ERROR]
    else:
        errors = [by_key[k] for k in error_span_keys if k in by_key]
    return TraceFacts(
        trace_id=trace.trace_id,
        start=from_unix_ns(trace.start_ns),
        root_service=root.service if root else "",
        root_name=root.name if root else "",
        root_duration_ns=root.duration_ns if root else trace.end_ns - trace.start_ns,
        extent_ns=trace.end_ns - trace.start_ns,
        span_count=len(trace.spans),
        error_count=len(errors),
        critical_path=path,
        span_durations=tuple((s.service, s.name, s.duration_ns) for s in trace.spans),
        error_spans=tuple((s.service, s.name) for s in errors),
    )


def bottleneck_summary(facts: Sequence[TraceFacts]) -> list[Bottleneck]:
    """Operations by their share of all critical-path time across ``facts``, largest first.

    ``share`` is the operation's critical-path time summed over the traces divided by the sum
    of the traces' critical-path times; ``traces_dominant`` counts the traces whose largest
    critical-path contributor it is.
    """
    total = sum(f.critical_path_ns for f in facts)
    if total <= 0:
        return []
    ns: dict[tuple[str, str], int] = {}
    on_path: dict[tuple[str, str], int] = {}
    dominant: dict[tuple[str, str], int] = {}
    for f in facts:
        for p in f.critical_path:
            key = (p.service, p.operation)
            ns[key] = ns.get(key, 0) + p.critical_path_ns
            on_path[key] = on_path.get(key, 0) + 1
        if f.bottleneck is not None:
            key = (f.bottleneck.service, f.bottleneck.operation)
            dominant[key] = dominant.get(key, 0) + 1
    ordered = sorted(ns.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        Bottleneck(
            service=svc,
            operation=op,
            critical_path_ns=value,
            share=value / total,
            traces_dominant=dominant.get((svc, op), 0),
            traces_on_path=on_path[(svc, op)],
            traces_total=sum(1 for f in facts if f.critical_path),
        )
        for (svc, op), value in ordered
    ]


def _durations(facts: Iterable[TraceFacts]) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for f in facts:
        for svc, op, d in f.span_durations:
            out.setdefault((svc, op), []).append(d)
    return out


def slower_operations(
    incident: Sequence[TraceFacts],
    baseline: Sequence[TraceFacts],
    *,
    min_ratio: float = 1.2,
    min_delta_ns: int = 1_000_000,
) -> list[SlowerOperation]:
    """Operations whose median span duration grew from the baseline to the incident.

    An operation is reported when it appears in both, its median grew by at least
    ``min_ratio`` times and by at least ``min_delta_ns``. Largest increase first.
    """
    inc = _durations(incident)
    base = _durations(baseline)
    out = []
    for key in inc.keys() & base.keys():
        b = round(statistics.median(base[key]))
        i = round(statistics.median(inc[key]))
        if i - b >= min_delta_ns and (b == 0 or i / b >= min_ratio):
            out.append(SlowerOperation(key[0], key[1], b, i, len(base[key]), len(inc[key])))
    out.sort(key=lambda s: (-s.delta_ns, s.service, s.operation))
    return out
