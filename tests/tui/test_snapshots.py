"""Screenshots of the dashboard (frozen clock, no timer) at the two sizes people use.

Review the report (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from obsctl.errors import BackendUnreachable
from obsctl.tui.app import ObsctlApp
from tests.tui.fakes import UP, FakeMetrics


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
