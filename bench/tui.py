"""Dashboard cost: time to first data and per refresh, against a bare Textual app, same run.

Fake sources (no network) serve two panels of 200 series × 121 points (a 30 minute range at
15 s) and 20 alerts; the app runs headless at 120×40. Reported (median of ``--runs``):

* bare: a Textual app with one ``Static``, mount to first idle (the reference);
* first data: ``ObsctlApp`` mount until every panel shows its rows;
* refresh: ``r`` until every panel has redrawn;
* correlate: ``c`` on the first alert until the ranked traces are listed (an in-process
  correlate source answering 10 ranked traces at once: this is the console's own cost);
* correlate, replayed: ``c`` until the first ranked trace shows, through the real workflow
  (``LiveIncidents``, as ``obsctl tui`` runs it) over HTTP: a local Alertmanager answering the
  alert (its firing window) and a local server speaking Tempo's wire format (the replay of
  ``tests/integration/correlate_replay.py``: ``/api/search``, ``/api/traces/<id>``) with 10
  incident and 3 baseline traces of 12 spans; the dashboard's metrics are the fake source.

Targets: first data ≤ 10× bare; correlate key to first ranked trace ≤ 1.5 s (both cases,
the replayed one being the target of record); one refresh
≤ 250 ms, i.e. at most 2.5% of the default 10 s
interval spent redrawing 400 rows (most of it is Textual laying out and painting the tables).

Usage: ``python bench/tui.py [--runs 7] [--tempo-delay SECONDS]`` (``--tempo-delay``: a
slower Tempo, each answer held that long).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collections.abc import Callable, Sequence

from textual.app import App, ComposeResult
from textual.widgets import Static

from obsctl.model.alerts import AlertRow
from obsctl.model.correlation import CorrelationResult, LatencySource, PathShare, RankedTrace
from obsctl.model.doctor import PipelineReport
from obsctl.model.metrics import QueryResult, Series, float_array
from obsctl.model.time import TimeRange
from obsctl.model.trace_analysis import TraceAnalysis
from obsctl.model.traces import TraceSearch, TraceSummary
from obsctl.tui.app import ObsctlApp
from obsctl.tui.screens.drill import CorrelateScreen
from tests.integration.correlate_replay import ReplaySpan, ReplayTrace, TempoReplay

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
SIZE = (120, 40)


def _result(name: str, n: int) -> QueryResult:
    end = NOW.timestamp()
    times = float_array([end - 15 * (120 - i) for i in range(121)])
    return QueryResult(
        "matrix",
        [
            Series(
                {"__name__": name, "job": f"job-{i % 7}", "instance": f"host-{i:03d}:9100"},
                times,
                float_array([(i * 7 + k) % 13 for k in range(121)]),
            )
            for i in range(n)
        ],
    )


class Metrics:
    label = "Prometheus"

    def __init__(self) -> None:
        self.answers = {"up": _result("up", 200), "rate(x[5m])": _result("x", 200)}

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        return self.answers[expr]

    async def pipeline(self) -> PipelineReport:
        return PipelineReport("15m")

    async def aclose(self) -> None:
        pass


class Alerts:
    label = "Alertmanager"
    configured = True
    url = "http://am"

    async def active_alerts(self) -> list[AlertRow]:
        return [
            AlertRow(
                name=f"Alert{i}",
                severity="warning",
                state="active",
                starts_at=NOW - timedelta(minutes=i),
                summary=f"s{i}",
                labels={"alertname": f"Alert{i}"},
                annotations={},
                fingerprint=f"fp{i}",
            )
            for i in range(20)
        ]

    async def aclose(self) -> None:
        pass


class Incidents:
    """Ten ranked traces, answered at once."""

    async def correlate(
        self,
        alert: AlertRow,
        start: datetime,
        end: datetime,
        note: Callable[[str], None],
        ranked: Callable[[Sequence[RankedTrace]], None] | None = None,
    ) -> CorrelationResult:
        note("1 firing window")
        traces = tuple(
            RankedTrace(
                rank=i + 1,
                trace_id=f"{i:032x}",
                window=0,
                sources=("exemplar",),
                found=True,
                latency_ns=(1000 - i) * 10**6,
                latency_source=LatencySource.ROOT_SPAN,
                extent_ns=None,
                error_count=0,
                start=NOW,
                root_service="api",
                root_name="GET /",
                bottleneck=PathShare("db", "SELECT", 500 * 10**6),
                bottleneck_share=0.5,
            )
            for i in range(10)
        )
        return CorrelationResult(alert.name, TimeRange(start, end), (), traces, ())

    async def trace(self, trace_id: str) -> TraceAnalysis:
        raise NotImplementedError

    async def silence(
        self, alert: AlertRow, duration: timedelta, comment: str, now: datetime
    ) -> str:
        raise NotImplementedError

    async def recent_traces(self, search: TraceSearch) -> list[TraceSummary]:
        raise NotImplementedError

    def search_is_live(self) -> bool:
        return False

    async def logs(self, trace: object) -> None:
        return None


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


async def bare() -> float:
    t0 = time.perf_counter()
    async with Bare().run_test(size=SIZE) as pilot:
        await pilot.pause()
        return time.perf_counter() - t0


async def dashboard() -> tuple[float, float, float]:
    app = ObsctlApp(
        Metrics(),
        Alerts(),
        queries=["up", "rate(x[5m])"],
        since=timedelta(minutes=30),
        refresh=None,
        clock=lambda: NOW,
        incidents=Incidents(),
    )
    t0 = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        while app.refreshes < 1:
            await pilot.pause()
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        await pilot.press("r")
        while app.refreshes < 2:
            await pilot.pause()
        refresh = time.perf_counter() - t1
        await pilot.press("1")
        t2 = time.perf_counter()
        await pilot.press("c")
        while True:
            screen = app.screen
            if isinstance(screen, CorrelateScreen) and screen.first_result_at is not None:
                break
            await pilot.pause()
        correlate = screen.first_result_at - t2
    return first, refresh, correlate


# ----------------------------------------------------------------------------- replayed


class _AlertmanagerHandler(BaseHTTPRequestHandler):
    """``GET /api/v2/alerts``: the one firing alert (Alertmanager's v2 JSON)."""

    alert: ClassVar[dict[str, object]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps([self.alert] if self.path.startswith("/api/v2/alerts") else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _replay_traces(now_ns: int) -> tuple[list[ReplayTrace], list[str], list[str]]:
    """10 incident traces (last 5 minutes) and 3 baseline ones (before the alert), 12 spans
    each: a root, a database call that grows with the index, and 10 cache calls."""
    traces, incident, baseline = [], [], []
    for i in range(13):
        trace_id = f"{i + 1:032x}"
        slow = 100 + 90 * i if i < 10 else 40
        start = now_ns - (60 + 20 * i) * 10**9 if i < 10 else now_ns - (1500 + 60 * i) * 10**9
        spans = [ReplaySpan(1, None, "checkout", "POST /checkout", 0, slow + 120)]
        spans.append(ReplaySpan(2, 1, "payments-db", "SELECT orders", 5, 5 + slow))
        spans += [
            ReplaySpan(3 + k, 1, "cache", "GET", slow + 6 + k * 10, slow + 14 + k * 10)
            for k in range(10)
        ]
        traces.append(ReplayTrace(trace_id, start, tuple(spans)))
        (incident if i < 10 else baseline).append(trace_id)
    return traces, incident, baseline


async def replayed(am_url: str, tempo_url: str) -> tuple[float, float]:
    """``c`` to the first ranked trace, and to the final ranking, through ``LiveIncidents``
    over HTTP."""
    from obsctl.config.discover import resolve_settings
    from obsctl.workflows.tui_sources import LiveIncidents

    settings = resolve_settings(
        config_path=None,
        context=None,
        url_flags={"alertmanager": am_url, "tempo": tempo_url},
        env={},
    )
    now = datetime.now(UTC)
    app = ObsctlApp(
        Metrics(),
        Alerts(),
        queries=["up", "rate(x[5m])"],
        since=timedelta(minutes=30),
        refresh=None,
        clock=lambda: now,
        incidents=LiveIncidents(settings),
    )
    async with app.run_test(size=SIZE) as pilot:
        while app.refreshes < 1:
            await pilot.pause()
        await pilot.press("1")
        t0 = time.perf_counter()
        await pilot.press("c")
        while True:
            screen = app.screen
            if isinstance(screen, CorrelateScreen):
                if screen.first_result_at is not None:
                    break
                if screen.error is not None:
                    raise SystemExit(f"correlate failed: {screen.error.message}")
            await pilot.pause(0.005)
        took = screen.first_result_at - t0
        # The whole answer too: the workflow ran for real.
        while screen.result is None and screen.error is None:
            await pilot.pause(0.005)
        done = time.perf_counter() - t0
        assert screen.result is not None and len(screen.result.traces) == 10, screen.error
    return took, done


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tempo-delay", type=float, default=0.0)
    args = parser.parse_args()
    runs = args.runs
    # No user config or capability cache: the flags name every endpoint.
    scratch = tempfile.mkdtemp(prefix="obsctl-bench-tui-")
    os.environ["OBSCTL_CONFIG"] = str(Path(scratch, "none.yaml"))
    os.environ["XDG_CACHE_HOME"] = scratch
    now = time.time()
    traces, incident, baseline = _replay_traces(int(now * 1e9))
    _AlertmanagerHandler.alert = {
        "labels": {"alertname": "Alert0", "service": "checkout", "severity": "page"},
        "annotations": {"summary": "p99 above 400ms"},
        "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 600)),
        "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 600)),
        "updatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "fingerprint": "0123456789abcdef",
        "receivers": [{"name": "pager"}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []},
        "generatorURL": "",
    }
    am = ThreadingHTTPServer(("127.0.0.1", 0), _AlertmanagerHandler)
    Thread(target=am.serve_forever, daemon=True).start()
    am_url = f"http://127.0.0.1:{am.server_address[1]}"
    with TempoReplay(
        traces,
        incident_hits=incident,
        baseline_hits=baseline,
        cutover=now - 600,
        delay=args.tempo_delay,
    ) as tempo:
        asyncio.run(bare())  # warm-up: imports, CSS parsing caches
        asyncio.run(dashboard())
        asyncio.run(replayed(am_url, tempo.url))
        bares, firsts, refreshes, correlates, replays, wholes = [], [], [], [], [], []
        for _ in range(runs):  # interleaved, so machine load hits all alike
            bares.append(asyncio.run(bare()))
            first, refresh, correlate = asyncio.run(dashboard())
            firsts.append(first)
            refreshes.append(refresh)
            correlates.append(correlate)
            first_trace, whole = asyncio.run(replayed(am_url, tempo.url))
            replays.append(first_trace)
            wholes.append(whole)
    am.shutdown()
    b, f, r, c, rp, w = (
        statistics.median(x) for x in (bares, firsts, refreshes, correlates, replays, wholes)
    )
    print(f"{'case':52} {'median':>9} {'ratio':>6}")
    for label, value in (
        ("bare Textual app, first idle (reference)", b),
        ("obsctl tui, first data (2×200 series, 20 alerts)", f),
        ("obsctl tui, one refresh (r)", r),
        ("obsctl tui, c to first ranked trace (in-process)", c),
        ("obsctl tui, c to first ranked trace (replayed HTTP)", rp),
        ("obsctl tui, c to all 10 ranked (replayed HTTP)", w),
    ):
        print(f"{label:52} {value * 1000:8.0f}ms {value / b:6.2f}")
    ok = f / b <= 10 and r <= 0.25 and c <= 1.5 and rp <= 1.5
    print(
        f"first data / bare = {f / b:.2f} (target <= 10), refresh {r * 1000:.0f} ms "
        f"(target <= 250 ms), correlate {c * 1000:.0f} ms in-process and "
        f"{rp * 1000:.0f} ms replayed (target <= 1500 ms): {'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
