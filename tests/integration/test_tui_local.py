"""The console's traces view, waterfall and span logs over the local store, filled by a real
``obsctl receive`` from the OpenTelemetry SDK: search filters go to the store's search, the
view is live as traces arrive, and the span view shows the span's log lines."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from obsctl.config.discover import resolve_settings
from obsctl.tui.app import ObsctlApp
from obsctl.tui.screens.drill import TracesScreen, WaterfallScreen
from obsctl.workflows.tui_sources import LiveIncidents
from tests.integration.otel_export import export_checkout
from tests.integration.receiver import receiving
from tests.tui.fakes import DOWN, UP, FakeMetrics


def _rows(table: DataTable[object]) -> list[list[str]]:
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


async def _until(pilot: Pilot[int], ready, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if ready():
            return
        await pilot.pause(0.1)
    raise AssertionError("not ready in time")


async def test_traces_view_live_filters_and_span_logs_from_the_local_store(
    tmp_path: Path,
) -> None:
    with receiving(tmp_path) as rcv:
        first = export_checkout(rcv.url)
        settings = resolve_settings(
            config_path=None, context=None, url_flags={}, env={"OBSCTL_STORE": str(rcv.store)}
        )
        incidents = LiveIncidents(settings)
        assert incidents.search_is_live()
        app = ObsctlApp(
            FakeMetrics({"up": UP, "sum by (job) (up == 0)": DOWN}),
            None,
            queries=["up", "sum by (job) (up == 0)"],
            since=timedelta(minutes=30),
            refresh=None,
            clock=lambda: datetime.now().astimezone(),
            incidents=incidents,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("t")
            await _until(pilot, lambda: isinstance(app.screen, TracesScreen))
            screen = app.screen
            assert isinstance(screen, TracesScreen) and screen.live
            await _until(pilot, lambda: screen.searches >= 1)
            ids = [r[1] for r in _rows(screen.table)]
            assert first.trace_id[:16] in ids and first.linked_trace_id[:16] in ids

            # The store's search gets the service; errors are checked on its answer.
            await pilot.press("slash", *"service:payments error", "enter")
            await _until(pilot, lambda: screen.searched is not None and screen.searched.errors)
            assert screen.searched.service == "payments"
            assert [r[1] for r in _rows(screen.table)] == [first.trace_id[:16]]

            # Live: a trace the receiver stores now shows up without a key.
            second = export_checkout(rcv.url)
            await _until(pilot, lambda: second.trace_id[:16] in [r[1] for r in _rows(screen.table)])
            assert [r[1] for r in _rows(screen.table)] == [
                second.trace_id[:16],
                first.trace_id[:16],
            ]

            # Waterfall, then the database span: its log line from the store.
            await pilot.press("down", "enter")
            await _until(pilot, lambda: isinstance(app.screen, WaterfallScreen))
            fall = app.screen
            assert isinstance(fall, WaterfallScreen)
            await _until(pilot, lambda: fall.logs_loaded)
            assert "2 log lines" in str(fall.query_one(".drill-status", Static).render())
            names = [r[0].strip() for r in _rows(fall.table)]
            at = next(i for i, n in enumerate(names) if n.endswith("SELECT accounts"))
            await pilot.press(*["down"] * at, "enter")
            body = str(app.screen.query_one("#detail-body", Static).render())
            assert "SELECT accounts" in body
            assert "ERROR database deadlock, giving up" in body
            assert "db.system: postgresql" in body
            assert "charging card" not in body  # the parent span's line
