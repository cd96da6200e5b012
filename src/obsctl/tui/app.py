"""``obsctl tui``: a live dashboard of PromQL panels, firing alerts and endpoint health.

The app is built from injected sources (``tui.sources``), a refresh interval and a clock, so
tests drive it with fakes, a frozen clock and no timer. Each refresh runs in one exclusive
worker: ``r`` cancels a refresh still in flight and starts over; the timer skips a beat while
one is running, so a slow server is never asked twice at once. Answers come back as messages
(``tui.messages``); a failing backend turns into an error line in its panel (and one
notification when an endpoint goes down or comes back), never an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import DataTable, Footer

from obsctl.backends.base import AlertPanelSource, QueryPanelSource
from obsctl.errors import BackendUnreachable, ObsctlError
from obsctl.model.time import format_prom_duration
from obsctl.redact import redact
from obsctl.tui.messages import AlertsFetched, PipelineFetched, QueryFetched, RefreshFinished
from obsctl.tui.screens.detail import DetailScreen, alert_detail, series_detail
from obsctl.tui.screens.help import HelpScreen
from obsctl.tui.screens.pipeline import PipelineScreen
from obsctl.tui.widgets.alerts_panel import AlertsPanel
from obsctl.tui.widgets.query_panel import QueryPanel
from obsctl.tui.widgets.status_line import Health, StatusLine
from obsctl.workflows.query import infer_unit
from obsctl.workflows.tui_sources import panel_step


class ObsctlApp(App[int]):
    """Query panels, an alerts panel and a status line, refreshed on a timer.

    Args:
        metrics: where the query panels get their data.
        alerts: where the alerts panel gets its data; ``None`` hides the panel.
        queries: one panel per PromQL expression.
        since: each panel shows the range ``[now - since, now]``.
        refresh: time between refreshes; ``None`` refreshes only at start and on ``r``.
        clock: the current time (aware); range ends and alert ages come from it.
        context: the config context, for the status line.
    """

    CSS_PATH = Path(__file__).with_name("obsctl.tcss")
    TITLE = "obsctl"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_app", "Quit"),
        # Textual makes ctrl+c "copy"; with nothing to copy here it means what it means in
        # every other command: stop (exit 130).
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
        Binding("r", "refresh", "Refresh"),
        Binding("tab", "app.focus_next", "Next panel", show=False),
        Binding("p", "pipeline", "Pipeline"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        metrics: QueryPanelSource,
        alerts: AlertPanelSource | None,
        *,
        queries: Sequence[str],
        since: timedelta,
        refresh: timedelta | None,
        clock: Callable[[], datetime],
        context: str | None = None,
    ) -> None:
        super().__init__()
        self.metrics = metrics
        self.alerts = alerts
        self.queries = tuple(queries)
        self.since = since
        self.refresh_every = refresh
        self.clock = clock
        self.health = Health(
            context=context,
            metrics_label=metrics.label,
            alerts_label=alerts.label if alerts is not None else "Alertmanager",
            alerts="…" if alerts is not None else "off",
            every=refresh or timedelta(0),
        )
        self.refreshes = 0
        """Completed refreshes (tests wait on it)."""
        self._timer: Timer | None = None
        self._panel_errors: dict[str, bool] = {}
        self.pipeline: PipelineFetched | None = None
        """The last answer of the pipeline checks."""

    # ------------------------------------------------------------------ layout
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's toast, with ``message`` passed through the redaction point first."""
        super().notify(
            redact(message), title=title, severity=severity, timeout=timeout, markup=markup
        )

    def compose(self) -> ComposeResult:
        """Alerts on top (small when nothing fires), one panel per query, the status line."""
        with Vertical(id="panels"):
            if self.alerts is not None:
                yield AlertsPanel(label=self.alerts.label, id="alerts")
            for i, expr in enumerate(self.queries):
                yield QueryPanel(expr, unit=infer_unit(expr), index=i, id=f"query-{i}")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """First refresh now, then on the timer."""
        self.query_one(StatusLine).show(self.health)
        if self.refresh_every is not None and self.refresh_every > timedelta(0):
            self._timer = self.set_interval(self.refresh_every.total_seconds(), self._tick)
            # ~30 queries: the pipeline is judged once a minute, not at every refresh.
            every = max(60.0, self.refresh_every.total_seconds())
            self.set_interval(every, self.refresh_pipeline)
        self.refresh_panels()
        self.refresh_pipeline()

    async def on_unmount(self) -> None:
        """Close the sources' connections."""
        await self.metrics.aclose()
        if self.alerts is not None:
            await self.alerts.aclose()

    # ------------------------------------------------------------------ refresh
    def _tick(self) -> None:
        # A refresh still running (slow server) is left to finish rather than cancelled.
        if not any(w.group == "refresh" and w.is_running for w in self.workers):
            self.refresh_panels()

    @work(exclusive=True, group="refresh")
    async def refresh_panels(self) -> None:
        """Fetch every panel at once; each posts its answer as soon as it has one."""
        now = self.clock()
        start = now - self.since
        step = panel_step(self.since)

        async def one_query(index: int, expr: str) -> None:
            try:
                result = await self.metrics.query_range(expr, start, now, step)
            except ObsctlError as err:
                self.post_message(QueryFetched(index, now, error=err))
            else:
                self.post_message(QueryFetched(index, now, result=result, start=start, step=step))

        async def alerts(source: AlertPanelSource) -> None:
            try:
                found = await source.active_alerts()
            except ObsctlError as err:
                self.post_message(AlertsFetched(now, error=err))
            else:
                self.post_message(AlertsFetched(now, alerts=found))

        jobs = [one_query(i, expr) for i, expr in enumerate(self.queries)]
        if self.alerts is not None:
            jobs.append(alerts(self.alerts))
        await asyncio.gather(*jobs)
        self.post_message(RefreshFinished(now))

    @work(exclusive=True, group="pipeline")
    async def refresh_pipeline(self) -> None:
        """Judge the telemetry pipeline (``obsctl doctor``'s checks) off the UI thread."""
        try:
            report = await self.metrics.pipeline()
        except ObsctlError as err:
            self.post_message(PipelineFetched(error=err))
        else:
            self.post_message(PipelineFetched(report=report))

    @on(PipelineFetched)
    def _pipeline_fetched(self, message: PipelineFetched) -> None:
        if not self.screen_stack:
            return
        self.pipeline = message
        report = message.report
        if report is None or not report.checks:
            self.health.pipeline = ""
        else:
            worst = report.worst()
            count = sum(c.status is worst for c in report.checks)
            self.health.pipeline = worst.value if worst.value == "ok" else f"{worst.value} {count}"
        try:
            self.query_one(StatusLine).show(self.health)
        except NoMatches:
            return

    @on(QueryFetched)
    def _query_fetched(self, message: QueryFetched) -> None:
        if not self.screen_stack:  # an answer that lands while the app is closing
            return
        try:
            panel = self.query_one(f"#query-{message.index}", QueryPanel)
        except NoMatches:
            return
        if message.error is not None:
            panel.show_error(message.error)
            self._panel_errors[f"query-{message.index}"] = True
        elif message.result is not None:
            panel.show_result(
                message.result, start=message.start, end=message.at, step=message.step
            )
            self._panel_errors[f"query-{message.index}"] = False
        self._update_metrics_health()

    def _update_metrics_health(self) -> None:
        panels = list(self.query(QueryPanel))
        errors = [p.error for p in panels if p.error is not None]
        answered = [p for p in panels if p.result is not None or p.error is not None]
        if not answered:
            return
        if any(isinstance(e, BackendUnreachable) for e in errors):
            state = "down"
        elif errors:
            state = "error"
        else:
            state = "up"
        previous = self.health.metrics
        self.health.metrics = state
        if state == "down" and previous != "down":
            err = next(e for e in errors if isinstance(e, BackendUnreachable))
            self.notify(
                err.message,
                title=f"{self.health.metrics_label} unreachable",
                severity="error",
                timeout=8,
                markup=False,
            )
        elif previous == "down" and state != "down":
            self.notify(f"{self.health.metrics_label} is answering again", timeout=5, markup=False)
        self._show_status()

    @on(AlertsFetched)
    def _alerts_fetched(self, message: AlertsFetched) -> None:
        source = self.alerts
        if source is None:
            return
        if not self.screen_stack:
            return
        try:
            panel = self.query_one(AlertsPanel)
        except NoMatches:
            return
        previous = self.health.alerts
        err = message.error
        if err is None:
            panel.show_alerts(message.alerts or (), message.at)
            self.health.alerts = "up"
            self._panel_errors["alerts"] = False
        elif isinstance(err, BackendUnreachable) and not source.configured:
            panel.show_unconfigured(source.url)
            self.health.alerts = "off"
            self._panel_errors["alerts"] = False
        else:
            panel.show_error(err)
            self.health.alerts = "down" if isinstance(err, BackendUnreachable) else "error"
            self._panel_errors["alerts"] = True
            if self.health.alerts == "down" and previous != "down":
                self.notify(
                    err.message,
                    title=f"{source.label} unreachable",
                    severity="error",
                    timeout=8,
                    markup=False,
                )
        if previous == "down" and self.health.alerts == "up":
            self.notify(f"{source.label} is answering again", timeout=5, markup=False)
        self._show_status()

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        self.health.last_refresh = message.at
        self.refreshes += 1
        if not self.screen_stack:  # the app is closing
            return
        self._show_status()
        tables = self.query(DataTable)
        if len(self.screen_stack) == 1 and self.focused is None and tables:
            # Tables cannot take focus while loading: focus the first once data is in.
            tables.first().focus()

    def _show_status(self) -> None:
        self.health.errors = sum(self._panel_errors.values())
        if not self.screen_stack:
            return
        for line in self.query(StatusLine):
            line.show(self.health)

    # ------------------------------------------------------------------ details
    @on(QueryPanel.SeriesSelected)
    def _series_selected(self, message: QueryPanel.SeriesSelected) -> None:
        width = max(20, min(self.size.width - 12, 100))
        body = series_detail(message.panel.expr, message.series, message.panel.unit, width=width)
        self.push_screen(DetailScreen("Series", body))

    @on(AlertsPanel.AlertSelected)
    def _alert_selected(self, message: AlertsPanel.AlertSelected) -> None:
        self.push_screen(DetailScreen("Alert", alert_detail(message.alert, self.clock())))

    # ------------------------------------------------------------------ actions
    def action_quit_app(self) -> None:
        """Leave with exit code 0."""
        self.exit(0, return_code=0)

    def action_interrupt(self) -> None:
        """Leave with exit code 130, as an interrupted command does."""
        self.exit(130, return_code=130)

    def action_refresh(self) -> None:
        """Refresh every panel now (a refresh in flight is cancelled)."""
        self.refresh_panels()

    def action_pipeline(self) -> None:
        """Show the pipeline checks."""
        fetched = self.pipeline
        error = redact(fetched.error.message) if fetched and fetched.error else None
        self.push_screen(PipelineScreen(fetched.report if fetched else None, error))

    def action_help(self) -> None:
        """Show the keys."""
        every = format_prom_duration(self.refresh_every) if self.refresh_every else None
        self.push_screen(HelpScreen(refresh=every, since=format_prom_duration(self.since)))
