"""``query``, ``series``, ``labels``, ``metadata``: PromQL against a Prometheus-compatible API.

The pure parts (step selection, range splitting, unit inference, Grafana links) are plain
functions, tested without a server; the async functions open one client per invocation.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import quote

from obsctl.backends.http import LogFn, make_client
from obsctl.backends.prometheus import PrometheusClient, normalize_flavor
from obsctl.config.schema import Endpoint
from obsctl.errors import UsageError
from obsctl.model.metrics import (
    LabelList,
    Metadata,
    QueryAnswer,
    QueryResult,
    Series,
    SeriesList,
    WatchFrame,
)
from obsctl.model.time import TimeRange, format_prom_duration
from obsctl.parsers.promql import (
    PromQLSyntaxError,
    check_promql,
    check_selector,
    metric_names,
)

ROUND_STEPS: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s)
    for s in (
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
        86400, 172800, 604800,
    )
)  # fmt: skip
"""Steps ``--step auto`` picks from: values people read at a glance."""
MAX_SPLIT = 8
"""Split an over-limit range into at most this many requests; beyond, widen the step."""
CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class RangePlan:
    """How a range query will be sent: the step, the requests, and notes for stderr."""

    start: datetime
    end: datetime
    step: timedelta
    chunks: tuple[tuple[datetime, datetime], ...]
    notes: tuple[str, ...] = ()

    @property
    def points(self) -> int:
        """Points per series over the whole range."""
        return points_in(self.end - self.start, self.step)


def points_in(span: timedelta, step: timedelta) -> int:
    """Evaluation points in ``[start, start+span]`` at ``step`` (both ends included)."""
    return int(span.total_seconds() // step.total_seconds()) + 1


def round_step_at_least(seconds: float) -> timedelta:
    """The smallest round step ≥ ``seconds`` (whole weeks beyond the table).

    >>> round_step_at_least(18)
    datetime.timedelta(seconds=30)
    """
    for step in ROUND_STEPS:
        if step.total_seconds() >= seconds:
            return step
    return timedelta(weeks=math.ceil(seconds / 604800))


def target_points(width: int) -> int:
    """Points per series that fill a chart ``width`` columns wide (2 braille dots a column)."""
    return max(60, 2 * (width - 10))


def plan_range(
    time_range: TimeRange, step: timedelta | None, *, width: int, max_points: int
) -> RangePlan:
    """Choose the step (``None`` = auto) and split over-limit ranges.

    Auto: the smallest round step giving at most ``target_points(width)`` points, which is
    always well under ``max_points``. An explicit step over the limit is split into up to
    ``MAX_SPLIT`` requests; beyond that, the step is widened to the smallest round step that
    fits. Either way a note says so.
    """
    span = time_range.end - time_range.start
    seconds = span.total_seconds()
    notes: list[str] = []
    if step is None:
        step = round_step_at_least(seconds / target_points(width))
    elif step.total_seconds() <= 0:
        raise UsageError("--step must be positive")
    points = points_in(span, step)
    if points > max_points:
        requests = math.ceil(points / max_points)
        if requests <= MAX_SPLIT:
            notes.append(
                f"{points:,} points per series at step {format_prom_duration(step)} exceed the "
                f"server's limit of {max_points:,}: split into {requests} requests"
            )
        else:
            wider = round_step_at_least(seconds / (max_points - 1))
            notes.append(
                f"{points:,} points per series at step {format_prom_duration(step)} exceed the "
                f"server's limit of {max_points:,}: step widened to {format_prom_duration(wider)}"
            )
            step = wider
    chunks: list[tuple[datetime, datetime]] = []
    per_chunk = max_points  # points per request, both ends included
    cursor = time_range.start
    while cursor <= time_range.end:
        chunk_end = min(cursor + step * (per_chunk - 1), time_range.end)
        chunks.append((cursor, chunk_end))
        cursor = chunk_end + step
        if chunk_end >= time_range.end:
            break
    return RangePlan(time_range.start, time_range.end, step, tuple(chunks), tuple(notes))


def merge_chunks(results: Sequence[QueryResult]) -> QueryResult:
    """Concatenate the series of consecutive range results by label set."""
    if len(results) == 1:
        return results[0]
    merged: dict[tuple[tuple[str, str], ...], Series] = {}
    warnings: list[str] = []
    infos: list[str] = []
    for res in results:
        warnings += [w for w in res.warnings if w not in warnings]
        infos += [i for i in res.infos if i not in infos]
        for s in res.series:
            key = tuple(sorted(s.labels.items()))
            if key in merged:
                merged[key].timestamps.extend(s.timestamps)
                merged[key].values.extend(s.values)
            else:
                merged[key] = Series(s.labels, s.timestamps[:], s.values[:])
    return QueryResult("matrix", list(merged.values()), warnings=warnings, infos=infos)


_RATE = re.compile(r"\b(?:i?rate|deriv)\s*\(")
_COUNTING = re.compile(
    r"\b(?:count|count_values|count_over_time|absent|absent_over_time|group)\s*\("
)


def infer_unit(expr: str, names: Sequence[str] | None = None) -> str | None:
    """``seconds``, ``bytes`` or ``bytes/s`` when every metric in ``expr`` agrees, else None.

    ``_count`` series do not vote (``rate(x_seconds_sum) / rate(x_seconds_count)`` is in
    seconds); ``rate()`` of a ``_bytes_total`` counter is ``bytes/s``, of a
    ``_seconds_total`` counter a plain ratio.

    >>> infer_unit("histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))")
    'seconds'
    >>> infer_unit("rate(node_network_receive_bytes_total[5m])")
    'bytes/s'
    """
    if _COUNTING.search(expr):
        return None
    names = list(names) if names is not None else metric_names(expr)
    has_rate = bool(_RATE.search(expr))
    quantile = "histogram_quantile" in expr
    votes: set[str | None] = set()
    for name in names:
        if name.endswith("_count"):
            continue
        if name.endswith("_bucket") and not quantile:
            votes.add(None)  # bucket counts, not durations
            continue
        if name.endswith("_sum") and has_rate and name[:-4] + "_count" not in names:
            votes.add(None)  # rate(x_seconds_sum) alone: seconds per second
            continue
        base = name.removesuffix("_bucket").removesuffix("_sum")
        counter = base.endswith("_total")
        base = base.removesuffix("_total")
        unit: str | None = None
        if base.endswith("_seconds"):
            unit = None if counter and has_rate else "seconds"
        elif base.endswith("_bytes"):
            unit = ("bytes/s" if has_rate else "bytes") if counter else "bytes"
            if not counter and has_rate and name == base:
                unit = None  # deriv() of a gauge
        votes.add(unit)
    if len(votes) == 1:
        return votes.pop()
    return None


def grafana_explore_url(
    grafana: str, expr: str, *, start: datetime | None, end: datetime | None
) -> str:
    """A Grafana Explore link for ``expr`` over ``[start, end]`` (last hour when unset)."""
    time_from = str(int(start.timestamp() * 1000)) if start else "now-1h"
    time_to = str(int(end.timestamp() * 1000)) if end else "now"
    pane = {
        "obsctl": {
            "queries": [{"refId": "A", "expr": expr, "editorMode": "code"}],
            "range": {"from": time_from, "to": time_to},
        }
    }
    panes = json.dumps(pane, separators=(",", ":"))
    return f"{grafana.rstrip('/')}/explore?schemaVersion=1&orgId=1&panes={quote(panes, safe='')}"


# ----------------------------------------------------------------------------- I/O


def resolve_flavor(endpoint: Endpoint) -> str | None:
    """The endpoint's flavour: the context's, else what ``obsctl doctor`` detected."""
    flavor = normalize_flavor(endpoint.flavor)
    if flavor is not None:
        return flavor
    from obsctl.config.discover import load_capabilities

    detected, _ = load_capabilities(endpoint)
    return normalize_flavor(detected)


@asynccontextmanager
async def open_prometheus(
    endpoint: Endpoint, *, log: LogFn | None = None, flavor: str | None = None
) -> AsyncIterator[PrometheusClient]:
    """A ``PrometheusClient`` for ``endpoint`` (flavour resolved as ``resolve_flavor``)."""
    async with make_client(endpoint, log=log) as client:
        yield PrometheusClient(client, endpoint, flavor or resolve_flavor(endpoint))


def _label_partial(prom: PrometheusClient, result: QueryResult) -> QueryResult:
    """Thanos reports a partial answer (a store down) as warnings: say so."""
    if prom.flavor != "thanos" or not result.warnings:
        return result
    return replace(result, warnings=[f"partial response: {w}" for w in result.warnings])


async def fetch_range(prom: PrometheusClient, expr: str, plan: RangePlan) -> QueryResult:
    """Run a planned range query (several requests when split) and merge the answers."""
    if len(plan.chunks) == 1:
        start, end = plan.chunks[0]
        return await prom.query_range(expr, start, end, plan.step)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(start: datetime, end: datetime) -> QueryResult:
        async with gate:
            return await prom.query_range(expr, start, end, plan.step)

    results = await asyncio.gather(*(one(s, e) for s, e in plan.chunks))
    return merge_chunks(results)


async def run_query(
    endpoint: Endpoint,
    expr: str,
    *,
    at: datetime | None = None,
    time_range: TimeRange | None = None,
    step: timedelta | None = None,
    width: int = 100,
    raw: bool = False,
    plot: bool = False,
    log: LogFn | None = None,
    on_note: LogFn | None = None,
    check: bool = True,
) -> QueryAnswer:
    """Check ``expr`` offline, then run it as an instant (``at``) or range query.

    Args:
        endpoint: the Prometheus-compatible endpoint.
        expr: PromQL.
        at: evaluation time of an instant query (default: now on the server).
        time_range: run a range query over this range.
        step: range step; ``None`` picks one (see ``plan_range``).
        width: terminal width, for the automatic step.
        raw: keep the server's body unchanged (``QueryAnswer.raw``), without decoding it.
        plot: mark the answer for a chart.
        log: debug request logger.
        on_note: receives notes about the plan (split ranges, widened steps) and about
            MetricsQL sent to VictoriaMetrics unchecked.
        check: check the expression offline first (``--no-check`` turns it off).

    Raises:
        UsageError: the expression does not parse (nothing is sent).
        BackendError, BackendUnreachable, ParseError: from the server.
    """
    flavor = resolve_flavor(endpoint)
    try:
        precheck(expr, flavor, check=check, on_note=on_note)
    except PromQLSyntaxError:
        # Not PromQL and the flavour unknown (no context flavor, no doctor run yet): one
        # request asks whether the server is VictoriaMetrics before the expression is refused.
        if flavor is not None or not await _server_is_victoria_metrics(endpoint, log):
            raise
        flavor = "victoriametrics"
        precheck(expr, flavor, check=check, on_note=on_note)
    unit = infer_unit(expr)
    async with open_prometheus(endpoint, log=log, flavor=flavor) as prom:
        if time_range is None:
            if raw:
                body = await prom.query_raw(expr, at=at)
                return QueryAnswer(expr, QueryResult("vector"), raw=body)
            result = _label_partial(prom, await prom.query(expr, at=at))
            when = at.timestamp() if at is not None else None
            if when is None and result.series and result.series[0].timestamps:
                when = result.series[0].timestamps[0]
            elif when is None and result.string_time is not None:
                when = result.string_time
            return QueryAnswer(expr, result, time=when, unit=unit, plot=plot)
        plan = plan_range(time_range, step, width=width, max_points=prom.max_points_per_series)
        for note in plan.notes:
            if on_note is not None:
                on_note(note)
        if raw:
            if len(plan.chunks) > 1:
                raise UsageError(
                    "--raw needs a single request, but this range is over the server's limit",
                    hint="use a larger --step or a shorter range",
                )
            body = await prom.query_range_raw(expr, plan.start, plan.end, plan.step)
            return QueryAnswer(expr, QueryResult("matrix"), raw=body)
        result = await fetch_range(prom, expr, plan)
        result = _label_partial(prom, result)
    return QueryAnswer(
        expr,
        result,
        start=plan.start.timestamp(),
        end=plan.end.timestamp(),
        step=plan.step.total_seconds(),
        unit=unit,
        plot=plot,
    )


async def _server_is_victoria_metrics(endpoint: Endpoint, log: LogFn | None) -> bool:
    async with open_prometheus(endpoint, log=log, flavor="prometheus") as prom:
        return await prom.is_victoria_metrics()


def precheck(
    expr: str, flavor: str | None, *, check: bool = True, on_note: LogFn | None = None
) -> None:
    """The offline check before ``expr`` is sent.

    PromQL is checked locally (errors exit 2 with the position, nothing is sent), unless
    ``check`` is off. VictoriaMetrics speaks MetricsQL, a superset of PromQL: an expression
    that is not PromQL goes to the server, which judges it (and its error is shown).

    Raises:
        UsageError: an empty expression, or (not VictoriaMetrics) one that does not parse.
    """
    if not expr.strip():
        raise UsageError("empty PromQL expression", hint="e.g. obsctl query 'up'")
    if not check:
        return
    try:
        check_promql(expr)
    except PromQLSyntaxError as err:
        if flavor != "victoriametrics":
            raise
        if on_note is not None:
            on_note(f"not PromQL ({err.reason}); sent to VictoriaMetrics as MetricsQL")


def check_selectors(
    matchers: Sequence[str], flavor: str | None = None, *, check: bool = True
) -> None:
    """Every series matcher must be a series selector (``name{matchers}``), as Prometheus
    parses ``match[]``; on VictoriaMetrics, what is not one is left to the server."""
    for m in matchers:
        if not check:
            continue
        try:
            check_selector(m)
        except PromQLSyntaxError:
            if flavor != "victoriametrics":
                raise


async def run_series(
    endpoint: Endpoint,
    matchers: Sequence[str],
    *,
    time_range: TimeRange | None = None,
    limit: int | None = None,
    log: LogFn | None = None,
    check: bool = True,
) -> SeriesList:
    """Label sets of the series matching ``matchers`` (checked offline unless ``check`` is off)."""
    if not matchers:
        raise UsageError("give at least one series selector, e.g. 'up{job=\"api\"}'")
    flavor = resolve_flavor(endpoint)
    check_selectors(matchers, flavor, check=check)
    async with open_prometheus(endpoint, log=log, flavor=flavor) as prom:
        return await prom.series(
            matchers,
            start=time_range.start if time_range else None,
            end=time_range.end if time_range else None,
            limit=limit,
        )


async def run_labels(
    endpoint: Endpoint,
    name: str | None,
    *,
    matchers: Sequence[str] = (),
    time_range: TimeRange | None = None,
    log: LogFn | None = None,
    check: bool = True,
) -> LabelList:
    """Label names, or the values of label ``name``."""
    flavor = resolve_flavor(endpoint)
    check_selectors(matchers, flavor, check=check)
    if name is not None and not name:
        # Prometheus 3 label names may be any UTF-8 (sent escaped); only empty is invalid.
        raise UsageError("invalid label name ''", hint="give a label name, e.g. job")
    start = time_range.start if time_range else None
    end = time_range.end if time_range else None
    async with open_prometheus(endpoint, log=log, flavor=flavor) as prom:
        if name is None:
            return await prom.labels(matchers, start=start, end=end)
        return await prom.label_values(name, matchers, start=start, end=end)


async def run_metadata(
    endpoint: Endpoint,
    metric: str | None,
    *,
    limit: int | None = None,
    log: LogFn | None = None,
) -> Metadata:
    """Type, help and unit of metrics (of ``metric`` only when given)."""
    async with open_prometheus(endpoint, log=log) as prom:
        return await prom.metadata(metric, limit=limit)


# ---------------------------------------------------------------------------- --watch


def watch_query(
    run_once: Callable[[], QueryAnswer],
    expr: str,
    interval: timedelta,
    draw: Callable[[WatchFrame], None],
    *,
    now: Callable[[], datetime],
) -> None:
    """Run ``run_once`` every ``interval`` and hand each outcome to ``draw``, until Ctrl-C
    (which propagates: the boundary exits 130, as for any interrupted command).

    A backend that is down, errors or answers garbage does not stop the watch: the frame
    carries the error and the next run tries again. Sleeping subtracts the time the run took.
    """
    import time

    from obsctl.errors import BackendError, BackendUnreachable, ParseError
    from obsctl.model.time import format_rfc3339

    while True:
        started = time.monotonic()
        stamp = format_rfc3339(now().replace(microsecond=0))
        try:
            frame = WatchFrame(expr, interval.total_seconds(), stamp, answer=run_once())
        except (BackendError, BackendUnreachable, ParseError) as err:
            frame = WatchFrame(
                expr, interval.total_seconds(), stamp, error=err.message, hint=err.hint
            )
        draw(frame)
        elapsed = time.monotonic() - started
        time.sleep(max(0.0, interval.total_seconds() - elapsed))
