"""Firing alerts from Alertmanager: name, severity, age and summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Static

from obsctl.errors import ObsctlError
from obsctl.model.alerts import AlertRow
from obsctl.model.time import format_duration
from obsctl.tui.widgets.query_panel import TablePanel, fit

SEVERITY_STYLES = {
    "critical": "bold red",
    "page": "bold red",
    "error": "red",
    "high": "red",
    "warning": "yellow",
    "warn": "yellow",
    "info": "blue",
}


def format_age(seconds: float) -> str:
    """How long an alert has been firing: ``45s``, ``4m05s``, ``3h12m``, ``2d4h``.

    >>> [format_age(s) for s in (3.4, 245, 11520)]
    ['3s', '4m05s', '3h12m']
    """
    if seconds < 60:
        return f"{max(0, int(seconds))}s"
    return format_duration(seconds)


class AlertsPanel(TablePanel):
    """Alertmanager's active alerts, most severe and oldest first."""

    @dataclass
    class AlertSelected(Message):
        """Enter was pressed on an alert."""

        alert: AlertRow

    def __init__(self, *, label: str = "Alertmanager", id: str | None = None) -> None:
        super().__init__(id=id, classes="panel")
        self.label = label
        self.alerts: Sequence[AlertRow] | None = None
        self.error: ObsctlError | None = None
        self.now: datetime | None = None
        self._shown: list[AlertRow] = []
        self.set_title(Text(f"Alerts · {label}", style="bold"))

    def show_alerts(self, alerts: Sequence[AlertRow], now: datetime) -> None:
        """Replace the rows (ages counted up to ``now``)."""
        self.alerts = alerts
        self.now = now
        self.error = None
        self.remove_class("-error", "-off")
        self._redraw()

    def show_unconfigured(self, url: str) -> None:
        """Nothing configured and nothing at the default URL: a quiet note, not an error."""
        self.alerts = None
        self.error = None
        self.remove_class("-error")
        self.add_class("-off")
        self.table.loading = False
        self.query_one(".panel-error", Static).update(
            Text(
                f"no Alertmanager at {url} (none configured: --alertmanager-url)",
                style="dim",
            )
        )
        self.border_subtitle = ""

    @property
    def selected(self) -> AlertRow | None:
        """The alert under the cursor."""
        row = self.table.cursor_row
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def redraw(self) -> None:
        """See ``TablePanel.redraw``."""
        self._redraw()

    def on_resize(self, event: Resize) -> None:
        """The summary column takes the free width."""
        if self.alerts is not None:
            self._redraw()

    def _update_subtitle(self) -> None:
        parts: list[str] = []
        if self.alerts is not None:
            n = len(self.alerts)
            parts.append("no alerts firing" if n == 0 else f"{n} firing")
            if self.filter_text:
                parts.append(f"/{self.filter_text}: {len(self._shown)} shown")
        if self.error is not None:
            parts.append("stale" if self.alerts is not None else "no data")
        self.border_subtitle = Text(" · ".join(parts))

    def _redraw(self) -> None:
        if self.alerts is None:
            return
        alerts = list(self.alerts)
        if self.filter_text:
            needle = self.filter_text.lower()
            alerts = [
                a
                for a in alerts
                if needle in " ".join((a.name, a.severity, a.summary, *a.labels.values())).lower()
            ]
        self._shown = alerts
        table = self.table
        table.loading = False
        keep = table.cursor_row
        now = self.now
        ages = [
            format_age((now - a.starts_at).total_seconds()) if now and a.starts_at else "?"
            for a in alerts
        ]
        name_w = max([5, *(len(a.name) for a in alerts)])
        sev_w = max([8, *(len(a.severity) for a in alerts)])
        age_w = max([3, *(len(x) for x in ages)])
        avail = max(20, (self.size.width or 80) - 2 - 8 - 2)
        name_w = min(name_w, max(12, avail // 3))
        summary_w = max(10, avail - name_w - sev_w - age_w)
        table.clear(columns=True)
        table.add_column(Text("ALERT"), width=name_w, key="name")
        table.add_column(Text("SEVERITY"), width=sev_w, key="severity")
        table.add_column(Text("AGE", justify="right"), width=age_w, key="age")
        table.add_column(Text("SUMMARY"), width=summary_w, key="summary")
        for i, (alert, age) in enumerate(zip(alerts, ages, strict=True)):
            style = SEVERITY_STYLES.get(alert.severity.lower(), "")
            table.add_row(
                Text(fit(alert.name or "(no alertname)", name_w), style="bold"),
                Text(alert.severity or "-", style=style),
                Text(age, justify="right"),
                Text(fit(alert.summary, summary_w)),
                key=f"{i}:{alert.fingerprint}",
            )
        if not alerts:
            empty = "no match" if self.filter_text and self.alerts else "none"
            table.add_row(Text(empty, style="dim"), Text(""), Text(""), Text(""), key="-empty")
        elif 0 <= keep < len(alerts):
            table.move_cursor(row=keep, animate=False)
        self._update_subtitle()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._shown):
            self.post_message(self.AlertSelected(self._shown[event.cursor_row]))
