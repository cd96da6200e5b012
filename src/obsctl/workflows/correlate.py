"""``correlate``: from an alert's firing windows to the slow traces behind it.

Orchestration only; the decisions live in ``analysis.windows`` and ``analysis.correlate``.

1. Firing windows from every available source, concurrently: the rule's expression (with
   ``for`` replayed), ``ALERTS``, Alertmanager, ``--window``.
2. Candidate traces per window, concurrently: exemplars of the alert's series, series that
   carry a trace ID label, and each trace backend's search.
3. The top N candidates (and a few baseline traces) fetched through one bounded pool,
   analysed, ranked and summarised.

A source that is missing or fails is skipped with a one-line note; the command fails only
when no window source, or no candidate source, worked at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from obsctl.analysis.correlate import (
    METRIC_LABEL_SOURCE,
    bottleneck_summary,
    exemplar_candidates,
    labels_consistent,
    merge_candidates,
    preliminary_order,
    rank_traces,
    slower_operations,
    trace_facts,
    trace_id_from_labels,
    window_of,
)
from obsctl.analysis.windows import (
    baseline_range,
    dt_to_ms,
    manual_window,
    merge_windows,
    ms_to_dt,
    simulate_rule,
    windows_from_active_alerts,
    windows_from_alerts_series,
)
from obsctl.backends.alertmanager import AlertmanagerClient
from obsctl.backends.base import AlertSource, LogBackend, MetricsSource, TraceBackend
from obsctl.backends.http import LogFn, make_client
from obsctl.config.discover import load_capabilities
from obsctl.config.kinds import BACKEND_KINDS, KINDS
from obsctl.config.links import link_targets, trace_links
from obsctl.config.schema import TRACE_KINDS, Settings
from obsctl.errors import (
    BackendError,
    BackendUnreachable,
    NotFound,
    ObsctlError,
    ParseError,
    UsageError,
)
from obsctl.model.alerts import AlertRule, AlertWindow, Labels, SeriesPoints
from obsctl.model.correlation import (
    Candidate,
    CorrelationResult,
    MergedCandidate,
    RankBy,
    RankedTrace,
    TraceExemplar,
    TraceFacts,
)
from obsctl.model.findings import Location
from obsctl.model.logs import LogQuery
from obsctl.model.metrics import SeriesExemplar
from obsctl.model.time import (
    TimeRange,
    TimeSyntaxError,
    format_prom_duration,
    format_rfc3339,
    parse_duration,
    parse_instant,
    resolve_range,
)
from obsctl.model.trace_analysis import LinkTargets, TraceLinks
from obsctl.model.traces import Trace, TraceSearch
from obsctl.parsers.alert_expr import duration_unit_ns, exemplar_selectors, latency_threshold
from obsctl.parsers.rules import find_alert_rule, parse_alert_rules

if TYPE_CHECKING:
    from obsctl.backends.prometheus import PrometheusClient

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_SERVICE_LABELS = ("service", "service_name", "job")
"""Alert labels that name the service to search traces for, in order."""
DEFAULT_CONCURRENCY = 16
"""Trace fetches in flight at once."""
DEFAULT_STEP = timedelta(seconds=15)
"""Evaluation step for rule replay and ``ALERTS`` when the rule group names no interval."""
MAX_POINTS = 10_000
"""Stay under Prometheus's 11,000 points per series."""
SEARCH_NEEDS_SERVICE = frozenset(k.name for k in BACKEND_KINDS if k.search_needs_service)
"""Backends whose search API requires a service name."""
BASELINE_MAX_TRACES = 20
"""Baseline traces fetched for the slower-operations comparison."""


# ----------------------------------------------------------------------------- seams


Analyzer = Callable[[Trace], TraceFacts]


@dataclass
class Sources:
    """The backends correlate may use; ``None``/empty means not configured."""

    metrics: MetricsSource | None = None
    alertmanager: AlertSource | None = None
    traces: list[TraceBackend] = field(default_factory=list)
    exemplars: bool = True
    """False when the metrics server is known to keep no exemplars (doctor, flavour)."""
    no_search: dict[str, str] = field(default_factory=dict)
    """Trace backends (by name) whose search is known not to work, with the reason."""
    logs: LogBackend | None = None
    """Where the traces' log lines are (the local store), when there is one."""


@dataclass(frozen=True, slots=True)
class CorrelateRequest:
    """What the user asked for.

    Attributes:
        alert: the alert name.
        range: the time range to search.
        now: the current time (open windows from Alertmanager end here).
        rule: the alerting rule (from ``--rules``), when given.
        manual: windows given by hand.
        slack: padding on each side of every window.
        baseline: explicit baseline range; ``None`` for the default.
        compare_baseline: whether to compare with a baseline at all.
        limit: traces to fetch and list.
        rank_by: ranking key.
        service_labels: alert labels naming the service for trace search, in order.
        concurrency: trace fetches in flight at once.
        step: evaluation step override.
    """

    alert: str
    range: TimeRange
    now: datetime
    rule: AlertRule | None = None
    manual: tuple[tuple[datetime, datetime], ...] = ()
    slack: timedelta = timedelta(minutes=1)
    baseline: TimeRange | None = None
    compare_baseline: bool = True
    limit: int = 10
    rank_by: RankBy = RankBy.LATENCY
    service_labels: tuple[str, ...] = DEFAULT_SERVICE_LABELS
    concurrency: int = DEFAULT_CONCURRENCY
    step: timedelta | None = None
    link_targets: LinkTargets = field(default_factory=LinkTargets)
    """The configured UIs that fetched traces get links to."""


class _Log:
    """Collects source notes (for stderr and the JSON) and failures (for exit codes).

    Skip notes are held until the phase ends (``flush``): when every source failed, the
    failure that becomes the error message is not also printed as a note.
    """

    def __init__(self, note: Callable[[str], None]) -> None:
        self._note = note
        self.skipped: list[str] = []
        self.used: list[str] = []
        self._held: list[tuple[ObsctlError | None, str]] = []

    def skip(self, what: str, err: ObsctlError | str) -> None:
        reason = err if isinstance(err, str) else err.message
        line = f"skipped {what}: {reason}"
        self.skipped.append(line)
        self._held.append((None if isinstance(err, str) else err, line))

    def flush(self, *, omit: ObsctlError | None = None) -> None:
        for err, line in self._held:
            if omit is None or err is not omit:
                self._note(line)
        self._held.clear()

    def tell(self, line: str) -> None:
        self._note(line)


def _raise_for(failures: Sequence[ObsctlError], what: str, log: _Log) -> None:
    """All sources of a kind failed: unreachable (3) when all were, else backend error (4).

    The failure named in the error is not repeated as a note; the others are.
    """
    if not failures:
        skipped = "; ".join(log.skipped)
        log.flush()
        raise BackendError(
            f"no {what} source could be used" + (f" ({skipped})" if skipped else ""),
            hint="configure a trace backend ("
            + ", ".join(KINDS[k].flag for k in TRACE_KINDS)
            + ") or give --rules so exemplars can be used",
        )
    if all(isinstance(f, BackendUnreachable) for f in failures):
        first = failures[0]
        log.flush(omit=first)
        raise BackendUnreachable(
            f"no {what} source could be reached: {first.message}", hint=first.hint
        )
    first = next(f for f in failures if not isinstance(f, BackendUnreachable))
    log.flush(omit=first)
    raise BackendError(f"no {what} source worked: {first.message}", hint=first.hint)


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[V]):
    what: str
    value: V | None = None
    error: ObsctlError | None = None


async def _attempt(what: str, coro: Awaitable[T]) -> _Outcome[T]:
    """Run one source; a domain failure becomes part of the outcome instead of propagating."""
    try:
        return _Outcome(what, value=await coro)
    except (BackendUnreachable, BackendError) as err:
        return _Outcome(what, error=err)
    except ObsctlError as err:  # a bad payload (ParseError from a backend)
        return _Outcome(what, error=BackendError(err.message, hint=err.hint))


def _settle(outcomes: Sequence[_Outcome[T]], log: _Log, failures: list[ObsctlError]) -> list[T]:
    """Values of the sources that worked; notes and failures in source order (deterministic)."""
    values = []
    for out in outcomes:
        if out.error is not None:
            failures.append(out.error)
            log.skip(out.what, out.error)
        else:
            log.used.append(out.what)
            if out.value is not None:
                values.append(out.value)
    return values


# ----------------------------------------------------------------------------- windows


def _step_for(req: CorrelateRequest, span: timedelta) -> timedelta:
    step = req.step or (req.rule.interval if req.rule and req.rule.interval else DEFAULT_STEP)
    floor = span / MAX_POINTS
    if step < floor:
        step = timedelta(seconds=max(1, int(floor.total_seconds()) + 1))
    return step


def _alerts_selector(alert: str) -> str:
    escaped = alert.replace("\\", "\\\\").replace('"', '\\"')
    return f'ALERTS{{alertname="{escaped}",alertstate="firing"}}'


def _aligned(start: datetime, end: datetime, step: timedelta) -> tuple[int, int, int]:
    """Range-query grid in Unix ms: start floored to a multiple of the step, end on the grid.

    Aligned starts make every evaluation time an exact millisecond that the server echoes
    back unchanged.
    """
    step_ms = max(1, round(step.total_seconds() * 1000))
    start_ms = dt_to_ms(start) // step_ms * step_ms
    end_ms = start_ms + (dt_to_ms(end) - start_ms) // step_ms * step_ms
    return start_ms, end_ms, step_ms


async def _rule_windows(
    metrics: MetricsSource, req: CorrelateRequest, rule: AlertRule
) -> tuple[list[AlertWindow], int]:
    # Start early by `for` so an alert already pending when the range starts fires on time.
    step = _step_for(req, req.range.end - req.range.start + rule.for_)
    start_ms, end_ms, step_ms = _aligned(req.range.start - rule.for_, req.range.end, step)
    series = await metrics.range_series(
        rule.expr, ms_to_dt(start_ms), ms_to_dt(end_ms), timedelta(milliseconds=step_ms)
    )
    windows, stats = simulate_rule(
        series,
        start_ms=start_ms,
        end_ms=end_ms,
        step_ms=step_ms,
        hold=rule.for_,
        keep_firing_for=rule.keep_firing_for,
        rule_labels=rule.labels,
    )
    return windows, stats.pending_only


async def _alerts_windows(metrics: MetricsSource, req: CorrelateRequest) -> list[AlertWindow]:
    # ALERTS has a handful of series: sample it finely (1 s, or what 10,000 points allow) so
    # an alert that started firing moments ago is seen, and end the grid on the step after
    # the range end (the lookback carries the latest sample forward).
    seconds = max(1, math.ceil(req.range.duration.total_seconds() / MAX_POINTS))
    step_ms = seconds * 1000
    start_ms = dt_to_ms(req.range.start) // step_ms * step_ms
    end_ms = -(-dt_to_ms(req.range.end) // step_ms) * step_ms
    series = await metrics.range_series(
        _alerts_selector(req.alert),
        ms_to_dt(start_ms),
        ms_to_dt(end_ms),
        timedelta(milliseconds=step_ms),
    )
    return windows_from_alerts_series(series, step_ms=step_ms, end_ms=end_ms)


async def _am_windows(am: AlertSource, req: CorrelateRequest) -> list[AlertWindow]:
    alerts = await am.active_alerts(req.alert)
    return windows_from_active_alerts(alerts, alertname=req.alert, now=req.now)


async def find_windows(
    req: CorrelateRequest, sources: Sources, log: _Log
) -> tuple[list[AlertWindow], list[str]]:
    """Merged firing windows, and the names of the sources consulted.

    Raises:
        BackendUnreachable, BackendError: every source that was tried failed and no window
            was given by hand.
    """
    failures: list[ObsctlError] = []
    raw: list[AlertWindow] = [manual_window(a, b) for a, b in req.manual]
    consulted: list[str] = ["--window"] if req.manual else []
    tasks: list[Awaitable[_Outcome[object]]] = []
    pending_only = 0
    if sources.metrics is not None:
        metrics = sources.metrics
        if req.rule is not None:
            consulted.append("rule expression")
            tasks.append(_attempt("rule expression", _rule_windows(metrics, req, req.rule)))
        consulted.append("ALERTS series")
        tasks.append(_attempt("ALERTS series", _alerts_windows(metrics, req)))
    elif req.rule is not None:
        log.skip("rule expression", "no Prometheus-compatible server configured")
    if sources.alertmanager is not None:
        consulted.append("Alertmanager")
        tasks.append(_attempt("Alertmanager", _am_windows(sources.alertmanager, req)))
    results = _settle(await asyncio.gather(*tasks), log, failures)
    for res in results:
        if isinstance(res, tuple):
            windows, pend = res
            raw.extend(windows)
            pending_only += pend
        elif isinstance(res, list):
            raw.extend(res)
    if not req.manual and tasks and len(failures) == len(tasks):
        _raise_for(failures, "alert window", log)
    log.flush()
    if not req.manual and not tasks:
        raise BackendError(
            "no source of alert windows: no Prometheus or Alertmanager configured",
            hint="pass --prometheus-url / --alertmanager-url, --rules FILE with a Prometheus, "
            "or --window START..END",
        )
    merged = merge_windows(raw, slack=req.slack, clip=req.range)
    if not merged:
        hint = f"sources consulted: {', '.join(consulted)}"
        if pending_only:
            hint += (
                f"; it went pending {pending_only} time(s) but never for the rule's "
                f"`for` ({format_prom_duration(req.rule.for_) if req.rule else '?'})"
            )
        start, end = (t.replace(microsecond=0) for t in (req.range.start, req.range.end))
        raise NotFound(
            f"alert {req.alert} never fired between {format_rfc3339(start)} and "
            f"{format_rfc3339(end)}",
            hint=hint + "; widen the range with --since or --start/--end",
        )
    return merged, consulted


# ----------------------------------------------------------------------------- candidates


def _service_for(labels: Labels, service_labels: Sequence[str]) -> str | None:
    values = dict(labels)
    for name in service_labels:
        if values.get(name):
            return values[name]
    return None


def _traceql(service: str | None, min_ns: int | None) -> str:
    parts = []
    if service:
        escaped = service.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'resource.service.name = "{escaped}"')
    if min_ns:
        parts.append(f"duration > {format_prom_duration(timedelta(microseconds=min_ns / 1000))}")
    return "{ " + " && ".join(parts) + " }" if parts else "{ }"


def _speaks_traceql(backend: str) -> bool:
    kind = KINDS.get(backend)
    return kind is not None and kind.traceql


def build_search(
    backend: str,
    window: TimeRange,
    *,
    service: str | None,
    min_duration_ns: int | None,
    limit: int,
) -> TraceSearch:
    """The trace search for one window on one backend.

    A backend that speaks TraceQL (Tempo) gets ``{ resource.service.name = "…" && duration >
    X }``; the others (Jaeger, Zipkin) get the service and a minimum duration.
    """
    return TraceSearch(
        start=window.start,
        end=window.end,
        service=service,
        min_duration_ns=min_duration_ns,
        limit=limit,
        traceql=_traceql(service, min_duration_ns) if _speaks_traceql(backend) else None,
    )


def _exemplar_to_candidate(raw: SeriesExemplar) -> TraceExemplar | None:
    trace_id = trace_id_from_labels(raw.labels)
    if trace_id is None:
        return None
    name = raw.series_labels.get("__name__", "")
    unit = duration_unit_ns(name) if name else None
    latency = round(raw.value * unit) if unit is not None and raw.value >= 0 else None
    return TraceExemplar(
        trace_id=trace_id,
        time=ms_to_dt(round(raw.timestamp * 1000)),
        value=raw.value,
        series_labels=tuple(sorted(raw.series_labels.items())),
        latency_ns=latency,
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    selectors: list[str]
    min_duration_ns: int | None


def _plan(req: CorrelateRequest) -> _Plan:
    if req.rule is None:
        return _Plan([], None)
    loc = Location(req.rule.source, req.rule.line)
    threshold = latency_threshold(req.rule.expr, location=loc)
    return _Plan(
        exemplar_selectors(req.rule.expr, location=loc),
        int(threshold.total_seconds() * 1e9) if threshold else None,
    )


async def _exemplar_source(
    metrics: MetricsSource, selectors: list[str], span: TimeRange, windows: Sequence[AlertWindow]
) -> list[tuple[int, Candidate]]:
    raws = await metrics.exemplars(" or ".join(selectors), span.start, span.end)
    exemplars = [e for e in (_exemplar_to_candidate(r) for r in raws) if e is not None]
    out = []
    for cand in exemplar_candidates(exemplars):
        idx = window_of(cand.time, cand.series_labels, windows)
        if idx is not None:
            out.append((idx, cand))
    return out


async def _label_source(
    metrics: MetricsSource, selectors: list[str], windows: Sequence[AlertWindow]
) -> list[tuple[int, Candidate]]:
    out = []
    for idx, w in enumerate(windows):
        for labels in await metrics.series_labels(selectors, w.start, w.end):
            trace_id = trace_id_from_labels(labels)
            series = tuple(sorted(labels.items()))
            if trace_id is not None and labels_consistent(w.labels, series):
                out.append(
                    (idx, Candidate(trace_id, METRIC_LABEL_SOURCE, w.start, series_labels=series))
                )
    return out


async def _search_source(
    backend: TraceBackend,
    windows: Sequence[AlertWindow],
    req: CorrelateRequest,
    min_ns: int | None,
    limit: int,
) -> list[tuple[int, Candidate]]:
    async def one(idx: int, w: AlertWindow) -> list[tuple[int, Candidate]]:
        service = _service_for(w.labels, req.service_labels)
        if service is None and backend.name in SEARCH_NEEDS_SERVICE:
            return []
        query = build_search(
            backend.name,
            TimeRange(w.start, w.end),
            service=service,
            min_duration_ns=min_ns,
            limit=limit,
        )
        hits = await backend.search(query)
        return [
            (
                idx,
                Candidate(
                    trace_id=h.trace_id,
                    source=f"search:{backend.name}",
                    time=h.start,
                    search_duration_ns=h.duration_ns,
                    error_count=h.error_count,
                    root_service=h.root_service or None,
                    root_name=h.root_name or None,
                ),
            )
            for h in hits
        ]

    results = await asyncio.gather(*(one(i, w) for i, w in enumerate(windows)))
    return [pair for chunk in results for pair in chunk]


async def find_candidates(
    req: CorrelateRequest,
    sources: Sources,
    windows: Sequence[AlertWindow],
    log: _Log,
    *,
    min_duration_ns: int | None,
    selectors: list[str],
    search_limit: int,
    label: str = "",
) -> tuple[list[MergedCandidate], list[ObsctlError], int]:
    """Candidates from every trace source, merged; also the failures and sources tried."""
    failures: list[ObsctlError] = []
    tasks: list[Awaitable[_Outcome[list[tuple[int, Candidate]]]]] = []
    span = TimeRange(min(w.start for w in windows), max(w.end for w in windows))
    if sources.metrics is not None and selectors and sources.exemplars:
        tasks.append(
            _attempt(
                f"{label}exemplars",
                _exemplar_source(sources.metrics, selectors, span, windows),
            )
        )
        tasks.append(
            _attempt(
                f"{label}trace-ID labelled series",
                _label_source(sources.metrics, selectors, windows),
            )
        )
    if sources.metrics is not None and selectors and not sources.exemplars and not label:
        log.skip("exemplars", "the metrics server keeps no exemplars (obsctl doctor)")
    for backend in sources.traces:
        reason = sources.no_search.get(backend.name)
        if (
            reason is None
            and backend.name in SEARCH_NEEDS_SERVICE
            and not any(_service_for(w.labels, req.service_labels) for w in windows)
        ):
            labels = ", ".join(req.service_labels)
            reason = f"no window has a service label ({labels}); see --service-label"
        if reason is not None:
            if not label:
                log.skip(f"{backend.name} search", reason)
            continue
        tasks.append(
            _attempt(
                f"{label}{backend.name} search",
                _search_source(backend, windows, req, min_duration_ns, search_limit),
            )
        )
    results = _settle(await asyncio.gather(*tasks), log, failures)
    placed = [pair for res in results for pair in res]
    return merge_candidates(placed), failures, len(tasks)


# ----------------------------------------------------------------------------- fetching


async def _bottleneck_logs(logs: LogBackend, trace: Trace, facts: TraceFacts) -> TraceFacts:
    """``facts`` with the error log lines of its bottleneck operation's spans."""
    b = facts.bottleneck
    if b is None:
        return facts
    ids = {s.span_id for s in trace.spans if s.service == b.service and s.name == b.operation}
    try:
        records = await logs.logs(
            LogQuery(trace_id=trace.trace_id, span_ids=tuple(sorted(ids)), min_severity=17, limit=5)
        )
    except ObsctlError:
        return facts
    return replace(facts, error_logs=tuple(records))


async def _fetch_one(
    trace_id: str,
    backends: Sequence[TraceBackend],
    preferred: Sequence[str],
    sem: asyncio.Semaphore,
    analyze: Analyzer,
    targets: LinkTargets,
    logs: LogBackend | None = None,
) -> tuple[TraceFacts, TraceLinks] | str:
    order = sorted(backends, key=lambda b: (f"search:{b.name}" not in preferred,))
    reasons: list[str] = []
    for backend in order:
        try:
            async with sem:
                trace = await backend.fetch_trace(trace_id)
        except NotFound:
            reasons.append(f"not found in {backend.name}")
            continue
        except ObsctlError as err:
            reasons.append(f"{backend.name}: {err.message}")
            continue
        if not trace.spans:
            reasons.append(f"empty in {backend.name}")
            continue
        facts = analyze(trace)
        if logs is not None:
            facts = await _bottleneck_logs(logs, trace, facts)
        return facts, trace_links(targets, source=backend.name, trace=trace)
    if not backends:
        return "no trace backend to fetch from"
    if all(r.startswith("not found") for r in reasons):
        return "not found (expired or sampled out?)"
    return "; ".join(reasons)


async def fetch_all(
    cands: Sequence[MergedCandidate],
    backends: Sequence[TraceBackend],
    sem: asyncio.Semaphore,
    analyze: Analyzer,
    targets: LinkTargets | None = None,
    logs: LogBackend | None = None,
    *,
    on_done: Callable[[], None] = lambda: None,
    on_fetched: Callable[[MergedCandidate, TraceFacts | str], None] | None = None,
) -> tuple[dict[str, TraceFacts], dict[str, str], dict[str, TraceLinks]]:
    """Fetch and analyse ``cands`` concurrently (bounded by ``sem``); missing ones get notes,
    fetched ones links to ``targets``; ``on_done`` hears each one finish, ``on_fetched`` gets
    each one's facts (or the note on why it is missing) as it lands. With a log source, each
    trace's facts carry the error log lines of its bottleneck."""
    targets = targets or LinkTargets()

    async def one(cand: MergedCandidate) -> tuple[TraceFacts, TraceLinks] | str:
        try:
            res = await _fetch_one(
                cand.trace_id, backends, cand.sources, sem, analyze, targets, logs
            )
        finally:
            on_done()
        if on_fetched is not None:
            on_fetched(cand, res if isinstance(res, str) else res[0])
        return res

    results = await asyncio.gather(*(one(c) for c in cands))
    facts: dict[str, TraceFacts] = {}
    notes: dict[str, str] = {}
    links: dict[str, TraceLinks] = {}
    for cand, res in zip(cands, results, strict=True):
        if isinstance(res, str):
            notes[cand.trace_id] = res
        else:
            facts[cand.trace_id], links[cand.trace_id] = res
    return facts, notes, links


# ----------------------------------------------------------------------------- the workflow


async def correlate_alert(
    req: CorrelateRequest,
    sources: Sources,
    *,
    analyze: Analyzer,
    note: Callable[[str], None] = lambda _line: None,
    progress: Callable[[str], None] = lambda _line: None,
    on_ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
) -> CorrelationResult:
    """Find the alert's firing windows, the traces behind them, rank and explain them.

    ``progress`` hears each step as it starts, and each fetched trace (``fetching traces
    4/10…``). ``on_ranked`` gets the traces fetched so far, ranked among themselves (the same
    ``rank_traces``), each time one more lands: a console can show them as they arrive. The
    last call has every trace, in the order of the result.

    Raises:
        NotFound: the alert never fired in the range (exit 5).
        BackendUnreachable, BackendError: no window source, or no trace source, worked.
    """
    log = _Log(note)
    progress(f"finding when {req.alert} fired…")
    windows, _ = await find_windows(req, sources, log)
    progress(f"looking for traces behind {len(windows)} firing window(s)…")
    plan = _plan(req)
    search_limit = max(req.limit * 2, 20)

    baseline = None
    if req.compare_baseline:
        baseline = req.baseline or baseline_range(windows)
    incident_task = find_candidates(
        req,
        sources,
        windows,
        log,
        min_duration_ns=plan.min_duration_ns,
        selectors=plan.selectors,
        search_limit=search_limit,
    )
    base_windows: list[AlertWindow] = []
    if baseline is not None:
        base_windows = [AlertWindow(baseline.start, baseline.end, windows[0].labels)]

    async def baseline_cands() -> list[MergedCandidate]:
        if not base_windows:
            return []
        found, _, _ = await find_candidates(
            req,
            sources,
            base_windows,
            _Log(lambda _line: None),
            min_duration_ns=None,
            selectors=plan.selectors,
            search_limit=BASELINE_MAX_TRACES,
            label="baseline ",
        )
        ordered = sorted(found, key=lambda c: (c.time is None, c.time, c.trace_id))
        return ordered[:BASELINE_MAX_TRACES]

    (merged, failures, tried), base_cands = await asyncio.gather(incident_task, baseline_cands())
    if tried == 0 or len(failures) == tried:
        _raise_for(failures, "trace", log)
    log.flush()
    incident_ids = {c.trace_id for c in merged}
    base_cands = [c for c in base_cands if c.trace_id not in incident_ids]

    top = preliminary_order(merged, req.rank_by)[: req.limit]
    sem = asyncio.Semaphore(max(1, req.concurrency))
    total = len(top) + len(base_cands)
    done = 0

    def fetched() -> None:
        nonlocal done
        done += 1
        progress(f"fetching traces {done}/{total}…")

    arrived: list[MergedCandidate] = []
    so_far: dict[str, TraceFacts] = {}
    why: dict[str, str] = {}

    def landed(cand: MergedCandidate, got: TraceFacts | str) -> None:
        arrived.append(cand)
        if isinstance(got, str):
            why[cand.trace_id] = got
        else:
            so_far[cand.trace_id] = got
        if on_ranked is not None:
            on_ranked(rank_traces(arrived, so_far, rank_by=req.rank_by, notes=why))

    progress(f"fetching traces 0/{total}…")
    (facts, notes, links), (base_facts, _, _) = await asyncio.gather(
        fetch_all(
            top,
            sources.traces,
            sem,
            analyze,
            req.link_targets,
            sources.logs,
            on_done=fetched,
            on_fetched=landed if on_ranked is not None else None,
        ),
        fetch_all(base_cands, sources.traces, sem, analyze, on_done=fetched),
    )
    if not merged:
        log.tell("no candidate traces found in the firing windows")
    missing = sum(1 for c in top if c.trace_id not in facts)
    if missing:
        log.tell(f"{missing} of {len(top)} traces could not be fetched; ranked with what is known")
    ranked = rank_traces(top, facts, rank_by=req.rank_by, notes=notes)
    incident_facts = [facts[r.trace_id] for r in ranked if r.trace_id in facts]
    slower = slower_operations(incident_facts, list(base_facts.values())) if base_facts else []
    if baseline is not None and not base_facts:
        log.tell(
            "no baseline traces found between "
            f"{format_rfc3339(baseline.start.replace(microsecond=0))} and "
            f"{format_rfc3339(baseline.end.replace(microsecond=0))}; no comparison made"
        )
    return CorrelationResult(
        alert=req.alert,
        range=req.range,
        windows=tuple(windows),
        traces=tuple(ranked),
        bottlenecks=tuple(bottleneck_summary(incident_facts)),
        slower=tuple(slower),
        baseline=baseline if base_facts else None,
        baseline_traces=len(base_facts),
        rank_by=req.rank_by,
        rule=req.rule,
        candidates=len(merged),
        sources=tuple(log.used),
        skipped=tuple(log.skipped),
        links={r.trace_id: links[r.trace_id] for r in ranked if r.trace_id in links},
        slack_s=req.slack.total_seconds(),
    )


# ----------------------------------------------------------------------------- wiring


def load_rule(text: str, *, source: str, alert: str) -> AlertRule:
    """The alerting rule named ``alert`` in a rule file's text.

    Raises:
        ParseError: the file is not a valid rule file (exit 2).
        UsageError: it defines no alert of that name (exit 2).
    """
    rules = parse_alert_rules(text, source=source)
    rule = find_alert_rule(rules, alert, source=source)
    # Validate the expression now: a typo is the user's input error, before any request.
    exemplar_selectors(rule.expr, location=Location(rule.source, rule.line))
    return rule


def _config_section(settings: Settings) -> dict[str, object]:
    section = settings.extra.get("correlate")
    return dict(section) if isinstance(section, dict) else {}


def _config_labels(section: Mapping[str, object]) -> tuple[str, ...]:
    value = section.get("service_labels")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(str(v) for v in value)
    return DEFAULT_SERVICE_LABELS


def _config_int(section: Mapping[str, object], key: str, default: int) -> int:
    value = section.get(key)
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


@dataclass(frozen=True, slots=True)
class CorrelateOptions:
    """What ``obsctl correlate`` was asked, as typed.

    Attributes:
        alert: the alert's name.
        rules: ``--rules`` file defining the alert, if given.
        windows: ``--window START..END``, in order.
        since / start / end: the range options.
        slack: padding on both sides of every window (a duration).
        baseline_window: ``START..END``, ``off``, or ``None`` for the default.
        limit / rank_by: how many traces, ranked how.
        backend: ``--backend``.
        service_labels: ``--service-label`` (empty: from the config, else the defaults).
    """

    alert: str
    rules: str | None = None
    windows: tuple[str, ...] = ()
    since: str | None = None
    start: str | None = None
    end: str | None = None
    slack: str = "1m"
    baseline_window: str | None = None
    limit: int = 10
    rank_by: str = RankBy.LATENCY.value
    backend: str | None = None
    service_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CorrelateEnvironment:
    """What ``correlate`` needs from the invocation.

    Attributes:
        settings: the resolved settings, loaded on first use.
        now: the current time.
        log: ``--debug`` request logger.
        note: prints one ``obsctl: note: …`` line (a skipped source).
    """

    settings: Callable[[], Settings]
    now: datetime
    log: LogFn | None = None
    note: Callable[[str], None] = lambda _line: None
    progress: Callable[[str], None] = lambda _line: None
    """Shows the current step (the CLI's status line on a terminal; the TUI's progress)."""


def parse_span(text: str, *, option: str, now: datetime) -> tuple[datetime, datetime]:
    """``START..END`` as typed after ``option``.

    Raises:
        UsageError: not two instants, or start not before end.
    """
    start_text, sep, end_text = text.partition("..")
    if not sep or not start_text.strip() or not end_text.strip():
        raise UsageError(
            f"{option}: expected START..END, got {text!r}",
            hint=f"e.g. {option} 2026-11-25T09:10:00Z..2026-11-25T09:40:00Z or now-30m..now",
        )
    try:
        start = parse_instant(start_text, now=now)
        end = parse_instant(end_text, now=now)
    except TimeSyntaxError as exc:
        raise UsageError(f"{option}: {exc}") from None
    if start >= end:
        raise UsageError(f"{option}: start {start_text.strip()!r} is not before end")
    return start, end


def _search_range(
    options: CorrelateOptions,
    manual: Sequence[tuple[datetime, datetime]],
    slack: timedelta,
    now: datetime,
) -> TimeRange:
    """The range searched: the manual windows padded by ``slack``, else the range options."""
    if manual and not (options.since or options.start or options.end):
        first = min(a for a, _ in manual) - slack
        # Padding must not reach into the future: nothing has happened there yet.
        last = max(max(b for _, b in manual) + slack, first + timedelta(seconds=1))
        return TimeRange(first, min(last, max(now, first + timedelta(seconds=1))))
    try:
        return resolve_range(
            now=now,
            since=options.since,
            start=options.start,
            end=options.end,
            default_since=timedelta(hours=1),
        )
    except TimeSyntaxError as exc:
        raise UsageError(str(exc)) from None


def read_rule_file(path: str) -> str:
    """The text of a ``--rules`` file.

    Raises:
        UsageError: missing, a directory, not UTF-8, or unreadable.
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--rules: {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"--rules: {path} is a directory") from None
    except UnicodeDecodeError:
        raise UsageError(f"--rules: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"--rules: cannot read {path}: {exc.strerror}") from None


def plan_correlate(options: CorrelateOptions, now: datetime) -> CorrelateRequest:
    """Parse and check the options into a ``CorrelateRequest``.

    Raises:
        UsageError: bad times, durations or windows; a rule file that is unreadable or does
            not define the alert. ParseError: an invalid rule file.
    """
    if options.slack.strip() in ("0", "0s"):
        slack = timedelta(0)
    else:
        try:
            slack = parse_duration(options.slack)
        except TimeSyntaxError as exc:
            raise UsageError(f"--slack: {exc}") from None
    manual = [parse_span(w, option="--window", now=now) for w in options.windows]
    time_range = _search_range(options, manual, slack, now)
    baseline = None
    compare = True
    if options.baseline_window is not None:
        if options.baseline_window.strip().lower() in ("off", "none", "no"):
            compare = False
        else:
            baseline = TimeRange(
                *parse_span(options.baseline_window, option="--baseline-window", now=now)
            )
    rule = None
    if options.rules is not None:
        rule = load_rule(read_rule_file(options.rules), source=options.rules, alert=options.alert)
    return CorrelateRequest(
        alert=options.alert,
        range=time_range,
        now=now,
        rule=rule,
        manual=tuple(manual),
        slack=slack,
        baseline=baseline,
        compare_baseline=compare,
        limit=options.limit,
        rank_by=RankBy(options.rank_by),
        service_labels=options.service_labels,
    )


async def correlate(options: CorrelateOptions, env: CorrelateEnvironment) -> CorrelationResult:
    """``obsctl correlate``: plan the request, then ``run_correlate`` on the settings' backends.

    Raises:
        UsageError, ParseError: as ``plan_correlate``; plus what ``run_correlate`` raises.
    """
    request = plan_correlate(options, env.now)
    return await run_correlate(
        env.settings(),
        request,
        backend=options.backend,
        log=env.log,
        note=env.note,
        progress=env.progress,
    )


async def run_correlate(
    settings: Settings,
    req: CorrelateRequest,
    *,
    backend: str | None = None,
    log: LogFn | None = None,
    note: Callable[[str], None] = lambda _line: None,
    analyze: Analyzer | None = None,
    progress: Callable[[str], None] = lambda _line: None,
    on_ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
) -> CorrelationResult:
    """Build the backends the settings name, run ``correlate_alert``, close the clients.

    ``on_ranked`` hears the traces ranked so far as each one is fetched (``correlate_alert``).

    Prometheus is used when configured or when ``--rules`` needs it; Alertmanager when
    configured. With neither configured and no ``--window``, their local defaults are tried.
    Trace backends: ``backend`` if given, else the configured ones (when none is: the local
    store if there is one, else the local defaults). A local store is also the log source.
    """
    from obsctl.backends.prometheus import PrometheusClient
    from obsctl.backends.registry import open_trace_backend
    from obsctl.workflows.trace import backends_to_try, local_stores

    section = _config_section(settings)
    req = replace(
        req,
        service_labels=req.service_labels or _config_labels(section),
        concurrency=_config_int(section, "concurrency", req.concurrency),
    )
    prom_ep = settings.endpoint("prometheus")
    am_ep = settings.endpoint("alertmanager")
    nothing = not prom_ep.configured and not am_ep.configured and not req.manual
    kinds = backends_to_try(settings, backend)
    datasource = section.get("grafana_datasource")
    req = replace(
        req,
        link_targets=link_targets(
            settings, grafana_datasource=str(datasource) if datasource else None
        ),
    )
    async with AsyncExitStack() as stack:
        sources = Sources()
        if prom_ep.configured or req.rule is not None or nothing:
            client = await stack.enter_async_context(make_client(prom_ep, log=log))
            _, caps = load_capabilities(prom_ep)
            prom = PrometheusClient(client, prom_ep)
            sources.metrics = PrometheusMetrics(prom)
            # What doctor probed (VictoriaMetrics 1.79 has no exemplar storage), not assumed
            # from the flavour.
            if caps.get("exemplar_storage") is False:
                sources.exemplars = False
            if req.rule is None:
                req = replace(req, rule=await server_rule(prom, req.alert, note=note))
        if am_ep.configured or nothing:
            client = await stack.enter_async_context(make_client(am_ep, log=log))
            sources.alertmanager = AlertmanagerClient(client, am_ep)
        stores = local_stores(settings)
        if stores:  # the traces' log lines
            from obsctl.backends.local import open_local

            with contextlib.suppress(ObsctlError):
                store = settings.endpoint(stores[0]).url
                sources.logs = await stack.enter_async_context(open_local(store))
        for kind in kinds:
            ep = settings.endpoint(kind)
            sources.traces.append(
                await stack.enter_async_context(open_trace_backend(kind, ep, log=log))
            )
            _, trace_caps = load_capabilities(ep)
            if trace_caps.get("search") is False:
                sources.no_search[kind] = (
                    f"{ep.display_name} search API unavailable (obsctl doctor)"
                )
        return await correlate_alert(
            req,
            sources,
            analyze=analyze or analyze_for_correlate,
            note=note,
            progress=progress,
            on_ranked=on_ranked,
        )


async def server_rule(
    prom: PrometheusClient, alert: str, *, note: Callable[[str], None]
) -> AlertRule | None:
    """The alerting rule named ``alert`` as the server has it loaded, when it has one.

    Without ``--rules`` this gives the expression (for exemplar selectors and the latency
    threshold of trace search) and ``for``. A server without the rules API is noted and
    skipped; an unreachable one is left to the window sources to report.

    Raises:
        UsageError: no rule has that name but one has a name very close to it (a typo).
    """
    try:
        rules = await prom.alert_rules()
    except BackendUnreachable:
        return None
    except (BackendError, ParseError) as err:
        note(f"skipped: alerting rules from {prom.name}: {err.message}")
        return None
    for rule in rules:
        if rule.name == alert:
            return AlertRule(
                name=rule.name,
                expr=rule.expr,
                for_=timedelta(seconds=rule.for_seconds),
                keep_firing_for=timedelta(seconds=rule.keep_firing_for_seconds),
                labels=tuple(sorted(rule.labels.items())),
                annotations=tuple(sorted(rule.annotations.items())),
                group=rule.group,
                source=rule.file or f"{prom.name} rules API",
            )
    from difflib import get_close_matches

    close = get_close_matches(alert, sorted({r.name for r in rules}), n=3, cutoff=0.8)
    if close:
        # A typo would otherwise read "never fired": in an incident, "no incident".
        raise UsageError(
            f"{prom.name} has no alerting rule named {alert!r}; did you mean "
            + " or ".join(repr(c) for c in close)
            + "?",
            hint="alert names are case-sensitive; `obsctl alerts` lists what fires now",
        )
    return None


class PrometheusMetrics:
    """``MetricsSource`` over ``PrometheusClient``."""

    def __init__(self, client: PrometheusClient) -> None:
        self._client = client
        self.name = client.name

    async def range_series(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[SeriesPoints]:
        result = await self._client.query_range(expr, start, end, step)
        return [
            SeriesPoints(
                labels=tuple(sorted(s.labels.items())),
                points=tuple((round(t * 1000), v) for t, v in s.samples),
            )
            for s in result.series
        ]

    async def exemplars(self, expr: str, start: datetime, end: datetime) -> list[SeriesExemplar]:
        return await self._client.query_exemplars(expr, start, end)

    async def series_labels(
        self, matchers: Sequence[str], start: datetime, end: datetime
    ) -> list[dict[str, str]]:
        listing = await self._client.series(matchers, start=start, end=end, limit=10_000)
        return [dict(s) for s in listing.series]


def analyze_for_correlate(trace: Trace) -> TraceFacts:
    """Critical path, root and errors of ``trace`` (``analysis.traces``), as ``TraceFacts``."""
    from obsctl.analysis.traces import analyze_trace

    analysis = analyze_trace(trace)
    return trace_facts(
        analysis.trace,
        analysis.critical_path_ns,
        span_keys=analysis.span_keys,
        root_span_id=analysis.root_span_id,
        error_span_keys=analysis.error_span_ids,
    )
