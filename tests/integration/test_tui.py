"""``obsctl tui`` with its real sources against the shared Prometheus and Alertmanager."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import DataTable

from obsctl.config.schema import Endpoint
from obsctl.model.alerts import AlertRow
from obsctl.tui.app import ObsctlApp
from obsctl.tui.sources import open_sources
from obsctl.tui.widgets.alerts_panel import AlertsPanel
from obsctl.tui.widgets.query_panel import QueryPanel
from obsctl.tui.widgets.status_line import StatusLine
from tests.integration import servers


def _cells(table: DataTable[object]) -> list[list[str]]:
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


async def test_dashboard_shows_seeded_series_and_a_posted_alert(prometheus, alertmanager):
    end = datetime.fromtimestamp(prometheus.seed.end, UTC)
    servers.post_alerts(
        alertmanager.url,
        [
            {
                "labels": {"alertname": "TuiIntegrationDown", "severity": "critical"},
                "annotations": {"summary": "posted by the tui integration test"},
                "startsAt": (end - timedelta(minutes=7)).isoformat().replace("+00:00", "Z"),
            }
        ],
    )
    metrics, alerts = open_sources(
        Endpoint(kind="prometheus", url=prometheus.url, source="flag", configured=True),
        Endpoint(kind="alertmanager", url=alertmanager.url, source="flag", configured=True),
    )
    app = ObsctlApp(
        metrics,
        alerts,
        queries=["demo_requests_total", "sum by (code) (rate(demo_requests_total[5m]))"],
        since=timedelta(minutes=30),
        refresh=None,
        clock=lambda: end,
        context=None,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.refreshes:
                break
        counters = app.query_one("#query-0", QueryPanel)
        assert counters.error is None
        # Counters grow linearly from the seed's start: slope × 2 h at its end.
        assert [r[:2] for r in _cells(counters.table)] == [
            ["code=200 instance=api-1", "7200"],
            ["code=200 instance=api-2", "14400"],
            ["code=500 instance=api-1", "720"],
        ]
        # 30 minutes at the 15 s panel step: 121 points, one sparkline cell per bin.
        assert [len(s) for s in counters.rows] == [121, 121, 121]
        assert set(_cells(counters.table)[0][2]) <= set("▁▂▃▄▅▆▇█")
        rates = app.query_one("#query-1", QueryPanel)
        assert [r[:2] for r in _cells(rates.table)] == [["code=200", "3"], ["code=500", "0.1"]]
        panel = app.query_one(AlertsPanel)
        assert panel.alerts is not None
        mine = [a for a in panel.alerts if a.name == "TuiIntegrationDown"]
        assert mine == [
            AlertRow(
                name="TuiIntegrationDown",
                severity="critical",
                state=mine[0].state,
                starts_at=end - timedelta(minutes=7),
                summary="posted by the tui integration test",
                labels={"alertname": "TuiIntegrationDown", "severity": "critical"},
                annotations={"summary": "posted by the tui integration test"},
                fingerprint=mine[0].fingerprint,
                generator_url="",
                receivers=("blackhole",),
            )
        ]
        row = next(r for r in _cells(panel.table) if r[0] == "TuiIntegrationDown")
        assert row == [
            "TuiIntegrationDown",
            "critical",
            "7m00s",
            "posted by the tui integration test",
        ]
        status = str(app.query_one(StatusLine).render())
        assert status.startswith("no context │ ● Prometheus │ ● Alertmanager │ ")
        await pilot.press("q")
    assert app.return_code == 0


async def test_dashboard_survives_servers_that_are_not_there():
    url = servers.closed_port_url()
    metrics, alerts = open_sources(
        Endpoint(kind="prometheus", url=url, source="flag", configured=True),
        Endpoint(kind="alertmanager", url=url, source="default", configured=False),
    )
    app = ObsctlApp(
        metrics,
        alerts,
        queries=["up"],
        since=timedelta(minutes=30),
        refresh=None,
        clock=lambda: datetime.now(UTC),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(400):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.refreshes:
                break
        panel = app.query_one("#query-0", QueryPanel)
        assert panel.error is not None
        assert panel.error.message.startswith(f"cannot connect to Prometheus at {url}")
        status = str(app.query_one(StatusLine).render())
        assert status.startswith("no context │ ✗ Prometheus down │ ○ Alertmanager off │ 1 error")


async def test_pipeline_checks_through_the_dashboards_clients(prometheus):
    import asyncio

    from obsctl.workflows.tui_sources import LiveBackends
    from tests.integration import servers

    for _ in range(100):  # until Prometheus has scraped itself once
        doc = servers.http_get_json(f"{prometheus.url}/api/v1/query?query=up")
        if doc["data"]["result"]:  # type: ignore[index]
            break
        await asyncio.sleep(0.1)
    backends = LiveBackends(Endpoint("prometheus", prometheus.url, "flag", True), None)
    try:
        report = await backends.pipeline()
    finally:
        await backends.aclose()
    assert report.window == "15m"
    targets = {c.instance: c for c in report.checks if c.check == "targets_down"}
    assert targets["prometheus"].status.value == "ok"
    assert targets["prometheus"].value == 0.0
    assert report.notes[0].startswith("no OpenTelemetry Collector metrics")


async def test_dashboard_data_passes_through_the_redaction_point(prometheus, alertmanager_factory):
    from obsctl import redact
    from obsctl.workflows.tui_sources import LiveBackends
    from tests.integration import servers

    canary = "CANARY-tui-9f3b"
    alertmanager = alertmanager_factory()
    servers.post_alerts(
        alertmanager.url,
        [{"labels": {"alertname": "Leak", "token": canary}, "annotations": {"summary": canary}}],
    )
    redact.remember(canary)
    backends = LiveBackends(
        Endpoint("prometheus", prometheus.url, "flag", True),
        Endpoint("alertmanager", alertmanager.url, "flag", True),
    )
    try:
        end = datetime.now(UTC)
        result = await backends.query_range(
            f'label_replace(vector(1), "secret", "{canary}", "", "")',
            end - timedelta(minutes=1),
            end,
            timedelta(seconds=15),
        )
        rows = await backends.active_alerts()
    finally:
        await backends.aclose()
        redact.forget_all()
    assert result.series and all(s.labels["secret"] == "***" for s in result.series)
    (leak,) = [r for r in rows if r.name == "Leak"]
    assert leak.labels["token"] == "***" and leak.summary == "***"
    assert canary not in repr(rows) + repr(result.series)
