"""Dashboard cost: time to first data and per refresh, against a bare Textual app, same run.

Fake sources (no network) serve two panels of 200 series × 121 points (a 30 minute range at
15 s) and 20 alerts; the app runs headless at 120×40. Reported (median of ``--runs``):

* bare: a Textual app with one ``Static``, mount to first idle (the reference);
* first data: ``ObsctlApp`` mount until every panel shows its rows;
* refresh: ``r`` until every panel has redrawn;
* correlate: ``c`` on the first alert until the ranked traces are listed (an in-process
  correlate source answering 10 ranked traces at once: this is the console's own cost; the
  workflow's cost against real servers is in ``tests/integration/test_tui_console.py``).

Targets: first data ≤ 10× bare; correlate key to first ranked trace ≤ 1.5 s; one refresh
≤ 250 ms, i.e. at most 2.5% of the default 10 s
interval spent redrawing 400 rows (most of it is Textual laying out and painting the tables).

Usage: ``python bench/tui.py [--runs 7]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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

    async def recent_traces(
        self, search: TraceSearch, *, errors: bool = False
    ) -> list[TraceSummary]:
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    asyncio.run(bare())  # warm-up: imports, CSS parsing caches
    asyncio.run(dashboard())
    bares, firsts, refreshes, correlates = [], [], [], []
    for _ in range(runs):  # interleaved, so machine load hits both alike
        bares.append(asyncio.run(bare()))
        first, refresh, correlate = asyncio.run(dashboard())
        firsts.append(first)
        refreshes.append(refresh)
        correlates.append(correlate)
    b, f, r, c = (statistics.median(x) for x in (bares, firsts, refreshes, correlates))
    print(f"{'case':44} {'median':>9} {'ratio':>6}")
    print(f"{'bare Textual app, first idle (reference)':44} {b * 1000:8.0f}ms {1:6.2f}")
    print(f"{'obsctl tui, first data (2×200 series, 20 alerts)':44} {f * 1000:8.0f}ms {f / b:6.2f}")
    print(f"{'obsctl tui, one refresh (r)':44} {r * 1000:8.0f}ms {r / b:6.2f}")
    print(f"{'obsctl tui, c to first ranked trace':44} {c * 1000:8.0f}ms {c / b:6.2f}")
    ok = f / b <= 10 and r <= 0.25 and c <= 1.5
    print(
        f"first data / bare = {f / b:.2f} (target <= 10), refresh {r * 1000:.0f} ms "
        f"(target <= 250 ms), correlate {c * 1000:.0f} ms (target <= 1500 ms): "
        f"{'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
