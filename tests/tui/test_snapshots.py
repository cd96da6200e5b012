"""Screenshots of the dashboard (frozen clock, no timer) at the two sizes people use.

Review the report (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from obsctl.errors import BackendUnreachable
from obsctl.tui.app import ObsctlApp
from tests.tui.fakes import UP, FakeIncidents, FakeMetrics


async def loaded(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, ObsctlApp)
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.refreshes:
            break
    app.clear_notifications()
    await pilot.pause()


def test_dashboard_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=loaded)


def test_dashboard_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=loaded)


def test_error_state_80x24(snap_compare, make_app):
    down = BackendUnreachable(
        "cannot connect to Prometheus at http://prom:9090: connection refused",
        hint="is Prometheus running at http://prom:9090?",
    )
    metrics = FakeMetrics({"up": UP, "sum by (job) (up == 0)": down})
    assert snap_compare(make_app(metrics), terminal_size=(80, 24), run_before=loaded)


# ------------------------------------------------------------------ the incident console
SIZES = [(80, 24), (120, 40)]


def _five(make_app, incidents=None):
    metrics = FakeMetrics({}, default=UP)
    queries = ("up", "sum by (job) (up == 0)", "rate(a[5m])", "rate(b[5m])", "rate(c[5m])")
    return make_app(metrics, queries=queries, incidents=incidents)


def keys(*pressed: str):
    async def run(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        for key in pressed:
            await pilot.press(key)
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES)
def test_five_panels_scrolled_to_the_last(snap_compare, make_app, size):
    assert snap_compare(_five(make_app), terminal_size=size, run_before=keys("6"))


@pytest.mark.parametrize("size", SIZES)
def test_correlate_results(snap_compare, make_app, size):
    app = _five(make_app, FakeIncidents())
    assert snap_compare(app, terminal_size=size, run_before=keys("c"))


@pytest.mark.parametrize("size", SIZES)
def test_waterfall(snap_compare, make_app, size):
    app = _five(make_app, FakeIncidents())
    assert snap_compare(app, terminal_size=size, run_before=keys("c", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_span_detail(snap_compare, make_app, size):
    app = _five(make_app, FakeIncidents())
    run = keys("c", "enter", "down", "down", "enter")
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=keys("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_silence_dialog(snap_compare, make_app, size):
    app = make_app(incidents=FakeIncidents())
    assert snap_compare(app, terminal_size=size, run_before=keys("s", "o", "k"))


@pytest.mark.parametrize("size", SIZES)
def test_query_editor(snap_compare, make_app, size):
    run = keys("n", *"rate(x[5m]")
    assert snap_compare(make_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_traces_view(snap_compare, make_app, size):
    app = make_app(incidents=FakeIncidents())
    assert snap_compare(app, terminal_size=size, run_before=keys("t"))


@pytest.mark.parametrize("size", SIZES)
def test_correlate_streaming(snap_compare, make_app, size):
    """Ranked traces listed while correlate still runs (it never ends here)."""
    import asyncio

    from obsctl.tui.screens.drill import CorrelateScreen

    incidents = FakeIncidents()
    incidents.stream_gate = asyncio.Event()

    async def run(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("c")
        for _ in range(50):
            await pilot.pause()
            screen = pilot.app.screen
            if isinstance(screen, CorrelateScreen) and len(screen.ranked) == 2:
                break
        await pilot.pause()

    app = _five(make_app, incidents)
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_traces_view_filtered(snap_compare, make_app, size):
    app = make_app(incidents=FakeIncidents())
    run = keys("t", "slash", *"service:frontend >500ms", "enter")
    assert snap_compare(app, terminal_size=size, run_before=run)
