"""Pilot tests: the dashboard driven with fake sources and a frozen clock."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from obsctl.errors import BackendError, BackendUnreachable
from obsctl.tui.app import ObsctlApp
from obsctl.tui.screens.detail import DetailScreen
from obsctl.tui.screens.help import HelpScreen
from obsctl.tui.widgets.alerts_panel import AlertsPanel
from obsctl.tui.widgets.query_panel import QueryPanel
from obsctl.tui.widgets.status_line import StatusLine
from tests.tui.fakes import NOW, UP, FakeAlerts, FakeMetrics, matrix, series

SIZE = (120, 40)


async def settle(pilot: Pilot[int]) -> None:
    """Let the refresh worker finish and its messages land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(table: DataTable[object]) -> list[list[str]]:
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


def status(app: ObsctlApp) -> str:
    return str(app.query_one(StatusLine).render())


def panel(app: ObsctlApp, i: int) -> QueryPanel:
    return app.query_one(f"#query-{i}", QueryPanel)


async def test_panels_show_series_values_and_sparklines(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        up = rows(panel(app, 0).table)
        assert [r[0] for r in up] == [
            "instance=api-1:8080 job=api",
            "instance=api-2:8080 job=api",
            "instance=db-1:9187 job=db",
        ]
        assert [r[1] for r in up] == ["1", "0", "1"]
        # 121 points in the 78 cells the labels leave at 120 columns, scaled between the
        # series' own min and max; a constant series sits on the floor; one scraped for the
        # last 10 minutes fills the right third.
        assert up[0][2] == "▁" * 78
        assert up[1][2] == "█" * 27 + "▁" * 51
        assert up[2][2] == " " * 52 + "▁" * 26
        assert Text.from_markup(str(panel(app, 0).border_title)).plain == "up"
        assert str(panel(app, 0).border_subtitle) == "3 series"
        # A single series keeps its labels in the row; its trend goes 0 → 1.
        # Short labels leave even more to the sparkline.
        assert rows(panel(app, 1).table) == [["job=api", "1", "▁" * 33 + "█" * 64]]
        alerts = rows(app.query_one(AlertsPanel).table)
        assert [r[:3] for r in alerts] == [
            ["TargetDown", "critical", "42m00s"],
            ["DiskAlmostFull", "warning", "3h05m"],
        ]
        assert alerts[0][3] == "api-2:8080 has been down for 1m"
        assert status(app) == (
            "ctx prod │ ● Prometheus │ ● Alertmanager │ last 30m · live │ 03:00:00 (r to refresh)"
        )


async def test_queries_cover_since_up_to_the_clock(make_app):
    metrics = FakeMetrics({"up": UP})
    app = make_app(metrics, queries=["up"], since=timedelta(hours=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert metrics.calls == [("up", NOW - timedelta(hours=1), NOW, timedelta(seconds=30))]
    assert metrics.closed


async def test_r_refreshes_now(make_app):
    metrics = FakeMetrics({"up": UP})
    alerts = FakeAlerts([])
    app = make_app(metrics, alerts, queries=["up"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(metrics.calls) == 1
        assert rows(app.query_one(AlertsPanel).table) == [["none", "", "", ""]]
        metrics.answers["up"] = matrix(series({"__name__": "up", "job": "api"}, [0, 0, 7]))
        await pilot.press("r")
        await settle(pilot)
        assert len(metrics.calls) == 2
        assert alerts.calls == 2
        # Three samples at the end of the range: the sparkline leaves the rest empty.
        assert rows(panel(app, 0).table) == [["job=api", "7", " " * 95 + "▁▅"]]
        assert app.refreshes == 2


async def test_timer_refreshes_without_a_key(make_app):
    metrics = FakeMetrics({"up": UP})
    app = make_app(metrics, queries=["up"], refresh=timedelta(milliseconds=50))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if len(metrics.calls) >= 3:
                break
        assert len(metrics.calls) >= 3


async def test_backend_error_is_shown_then_recovers(make_app):
    down = BackendUnreachable(
        "cannot connect to Prometheus at http://prom:9090: connection refused",
        hint="is Prometheus running at http://prom:9090?",
    )
    metrics = FakeMetrics({"up": UP})
    app = make_app(metrics, queries=["up"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        metrics.answers["up"] = down
        await pilot.press("r")
        await settle(pilot)
        p = panel(app, 0)
        assert p.has_class("-error")
        shown = str(p.query_one(".panel-error", Static).render())
        assert shown.splitlines() == [
            "✗ cannot connect to Prometheus at http://prom:9090: connection refused",
            "is Prometheus running at http://prom:9090?",
        ]
        # The last good rows stay, marked stale.
        assert len(rows(p.table)) == 3
        assert str(p.border_subtitle) == "3 series · stale"
        assert status(app) == (
            "ctx prod │ ✗ Prometheus down │ ● Alertmanager │ 1 error │ last 30m · live │ "
            "03:00:00 (r to refresh)"
        )
        assert [n.title for n in app._notifications] == ["Prometheus unreachable"]
        # It keeps refreshing, and recovers when the server answers again.
        metrics.answers["up"] = matrix(series({"job": "api"}, [2, 3]))
        await pilot.press("r")
        await settle(pilot)
        assert not p.has_class("-error")
        assert rows(p.table) == [["job=api", "3", " " * 96 + "▅"]]
        assert "● Prometheus" in status(app)
        assert "error" not in status(app)
        assert "Prometheus is answering again" in [n.message for n in app._notifications]


async def test_query_error_is_per_panel(make_app):
    bad = BackendError("Prometheus rejected the query: unknown function foo", backend="prometheus")
    metrics = FakeMetrics({"up": UP, "foo(up)": bad})
    app = make_app(metrics, queries=["up", "foo(up)"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not panel(app, 0).has_class("-error")
        assert panel(app, 1).has_class("-error")
        assert str(panel(app, 1).border_subtitle) == "no data"
        assert "▲ Prometheus error" in status(app)
        assert not app._notifications  # only unreachable endpoints notify


async def test_alertmanager_errors_and_unconfigured(make_app):
    refused = BackendUnreachable("cannot connect to Alertmanager at http://localhost:9093")
    app = make_app(alerts=FakeAlerts(refused, configured=False, url="http://localhost:9093"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        am = app.query_one(AlertsPanel)
        assert am.has_class("-off")
        assert str(am.query_one(".panel-error", Static).render()) == (
            "no Alertmanager at http://localhost:9093 (none configured: --alertmanager-url)"
        )
        assert "○ Alertmanager off" in status(app)
        assert "error" not in status(app)
    app = make_app(alerts=FakeAlerts(refused, configured=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(AlertsPanel).has_class("-error")
        assert "✗ Alertmanager down │ 1 error │" in status(app)


async def test_enter_on_series_shows_all_labels(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # alerts → first query panel
        assert app.focused is panel(app, 0).table
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-body", Static).render()).splitlines()
        assert body[0] == 'up{instance="api-2:8080", job="api"}'
        assert body[1] == "from up"
        assert "  __name__  up" in body
        assert "  instance  api-2:8080" in body
        assert "  last  0" in body and "  max   1" in body
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)
        assert app.focused is panel(app, 0).table


async def test_enter_on_alert_shows_annotations(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one(AlertsPanel).table
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-body", Static).render()).splitlines()
        assert body[0] == "TargetDown  critical"
        assert body[1] == "active for 42m00s (since 2026-11-25T02:18:00Z)"
        assert "  runbook_url  https://runbooks.example/TargetDown" in body
        assert "  job        api" in body


async def test_help_and_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_no_alerts_source_hides_the_panel(make_app):
    app = make_app(alerts=None, queries=["up"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.query(AlertsPanel)
        assert "○ Alertmanager off" in status(app)


async def test_ctrl_c_quits_as_interrupted(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 130


async def test_backend_text_is_never_read_as_markup(make_app):
    # Rich would swallow "[bold]" and choke on a stray "[/x]" if these were markup.
    weird = {"__name__": "up", "job": "[bold]api[/x]", "instance": "a"}
    metrics = FakeMetrics(
        {"up": matrix(series(weird, [1.0])), "bad": BackendUnreachable("refused [/x] here")}
    )
    app = make_app(metrics, queries=["up", "bad"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(panel(app, 0).table)[0][0] == "instance=a job=[bold]api[/x]"
        assert [n.message for n in app._notifications] == ["refused [/x] here"]
        await pilot.press("tab", "enter")
        await pilot.pause()
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert "  job       [bold]api[/x]" in body.splitlines()


async def test_float_noise_draws_a_flat_line(make_app):
    noisy = [1.0 + ((i % 3) - 1) * 2.3e-16 * (i % 5) for i in range(121)]
    metrics = FakeMetrics({"q": matrix(series({"le": "x"}, noisy))})
    app = make_app(metrics, queries=["q"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(panel(app, 0).table)[0][2] == "▁" * 97


def _plain(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _pipeline_report():
    from obsctl.model.doctor import PipelineCheck, PipelineReport, PipelineStatus

    def check(status: PipelineStatus, instance: str, message: str) -> PipelineCheck:
        return PipelineCheck(
            "collector", instance, "exporter_queue_usage", status, 0.9, 0.8, message,
            None if status is PipelineStatus.OK else "the exporter cannot keep up", {},
        )  # fmt: skip

    return PipelineReport(
        "15m",
        checks=(
            check(PipelineStatus.FAILING, "otel-a:8888 (otlp)", "12% of spans refused (15m)"),
            check(PipelineStatus.FAILING, "otel-b:8888 (otlp)", "5% of spans refused (15m)"),
            check(PipelineStatus.OK, "otel-c:8888 (otlp)", "0% of spans refused (15m)"),
        ),
        notes=("no Alertmanager metrics in Prometheus: add a scrape job",),
    )


async def test_status_line_and_p_show_the_pipeline_checks(make_app):
    metrics = FakeMetrics({"up": UP, "sum by (job) (up == 0)": matrix()})
    metrics.pipeline_report = _pipeline_report()
    app = make_app(metrics=metrics)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "✗ pipeline 2 failing" in status(app)
        await pilot.press("p")
        await pilot.pause()
        text = _plain(app.screen.query_one(Static).content)
        assert "pipeline over 15m: 2 failing, 1 ok" in text
        assert "✗ failing collector otel-a:8888 (otlp): 12% of spans refused (15m)" in text
        assert "hint: the exporter cannot keep up" in text
        assert "note      no Alertmanager metrics in Prometheus" in text
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_a_failing_pipeline_query_leaves_the_status_line_alone(make_app):
    metrics = FakeMetrics({"up": UP, "sum by (job) (up == 0)": matrix()})
    metrics.pipeline_report = BackendUnreachable("cannot connect to Prometheus")
    app = make_app(metrics=metrics)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "pipeline" not in status(app)
        await pilot.press("p")
        await pilot.pause()
        assert "cannot connect to Prometheus" in _plain(app.screen.query_one(Static).content)
