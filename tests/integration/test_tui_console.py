"""The incident console against the test bed: ``c`` on a firing alert correlates it with the
real Prometheus and Alertmanager and a replayed Tempo, ``enter`` opens a trace's waterfall
from Tempo, and ``s`` creates a silence in the real Alertmanager."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from obsctl.config.discover import resolve_settings
from obsctl.tui.app import ObsctlApp
from obsctl.tui.screens.drill import CorrelateScreen, WaterfallScreen
from obsctl.tui.sources import open_sources
from obsctl.tui.widgets.alerts_panel import AlertsPanel
from obsctl.workflows.tui_sources import LiveIncidents
from tests.integration import servers
from tests.integration.test_correlate_e2e import ALERT, A, Bed, D, bed  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def _cells(table: DataTable[object]) -> list[list[str]]:
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


@pytest.fixture
def console(
    bed: Bed,  # noqa: F811 - fixture use
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ObsctlApp]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config file: flags only
    settings = resolve_settings(
        config_path=None,
        context=None,
        url_flags={
            "prometheus": bed.prometheus,
            "alertmanager": bed.alertmanager,
            "tempo": bed.tempo.url,
        },
        env={},
    )
    metrics, alerts = open_sources(
        settings.endpoint("prometheus"), settings.endpoint("alertmanager")
    )
    yield ObsctlApp(
        metrics,
        alerts,
        queries=["up"],
        since=timedelta(minutes=5),
        refresh=None,
        clock=lambda: datetime.now(UTC),
        incidents=LiveIncidents(settings),
    )


async def _until(pilot: Pilot[int], ready, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if ready():
            return
    raise AssertionError(f"timed out waiting for {what}")


async def _select(pilot: Pilot[int], app: ObsctlApp, name: str) -> None:
    await _until(pilot, lambda: app.refreshes > 0, "the first refresh")
    await pilot.press("1", "slash", *name, "enter")
    selected = app.selected_alert()
    assert selected is not None and selected.name == name


async def test_correlate_then_waterfall_from_the_replayed_tempo(console: ObsctlApp) -> None:
    app = console
    async with app.run_test(size=(120, 40)) as pilot:
        await _select(pilot, app, ALERT)
        # Names for completion in the query input, from the server's label APIs.
        await _until(pilot, lambda: "checkout_duration_seconds_bucket" in app.names, "names")
        assert "alertname" in app.names
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorrelateScreen)
        await _until(pilot, lambda: screen.result is not None or screen.error, "correlate")
        assert screen.error is None
        ids = [t.trace_id for t in screen.result.traces]  # type: ignore[union-attr]
        # Exemplars and Tempo search, fetched and ranked as `obsctl correlate` does.
        assert ids[:2] == [D, A]
        rows = _cells(screen.table)
        assert rows[1][:3] == ["2", A[:16], "1.20s"]
        assert rows[1][4].startswith("payments-db: SELECT orders")
        await pilot.press("down", "enter")
        fall = app.screen
        assert isinstance(fall, WaterfallScreen)
        await _until(pilot, lambda: fall.analysis is not None or fall.error, "the trace")
        spans = _cells(fall.table)
        assert spans[0][0].startswith("checkout: POST /checkout")
        assert any(r[0].strip().startswith("payments-db: SELECT orders") for r in spans)
        assert all(r[2].startswith("◆") for r in spans if "SELECT orders" in r[0])
        await pilot.press("escape", "escape")
        assert len(app.screen_stack) == 1


async def test_silence_from_the_console_reaches_alertmanager(console: ObsctlApp, bed: Bed) -> None:  # noqa: F811
    app = console
    async with app.run_test(size=(80, 24)) as pilot:
        await _select(pilot, app, ALERT)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"tui integration", "enter")  # the default duration: 2h
        await _until(
            pilot,
            lambda: any("silenced" in n.message for n in app._notifications),
            "the silence",
        )
        doc = servers.http_get_json(f"{bed.alertmanager}/api/v2/silences")
        mine = [s for s in doc if s["comment"] == "tui integration"]  # type: ignore[union-attr]
        assert len(mine) == 1
        matchers = {(m["name"], m["value"]) for m in mine[0]["matchers"]}
        assert ("alertname", ALERT) in matchers
        starts = datetime.fromisoformat(mine[0]["startsAt"].replace("Z", "+00:00"))
        ends = datetime.fromisoformat(mine[0]["endsAt"].replace("Z", "+00:00"))
        assert abs((ends - starts) - timedelta(hours=2)) < timedelta(seconds=2)
        await _until(pilot, lambda: app.refreshes >= 2, "the refresh after the silence")
        panel = app.query_one(AlertsPanel)
        assert panel.alerts is not None
        assert ALERT not in [a.name for a in panel.alerts]


async def test_traces_view_filters_go_to_tempo_search(console: ObsctlApp, bed: Bed) -> None:  # noqa: F811
    from urllib.parse import parse_qs, urlsplit

    from obsctl.tui.screens.drill import TracesScreen

    app = console
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.refreshes > 0, "the first refresh")
        before = len(bed.tempo.requests)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TracesScreen)
        assert not screen.can_live  # Tempo is not the local store
        await _until(pilot, lambda: screen.searches >= 1, "the search")
        await pilot.press("slash", *"service:checkout op:POST >250ms error", "enter")
        await _until(pilot, lambda: screen.searches >= 2, "the filtered search")
        searches = [
            parse_qs(urlsplit(p).query)
            for p in bed.tempo.requests[before:]
            if p.startswith("/api/search")
        ]
        assert searches[0]["q"] == ["{ }"]
        assert searches[-1]["q"] == [
            '{ resource.service.name = "checkout" && name = "POST" && duration >= 250ms'
            " && status = error }"
        ]
        assert searches[-1]["limit"] == ["50"]
