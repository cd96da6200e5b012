"""The bottom line: context, endpoint health, last refresh, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rich.text import Text
from textual.widgets import Static

from obsctl.model.time import format_prom_duration

HEALTH_STYLES = {"up": "green", "down": "bold red", "error": "yellow", "off": "dim", "…": "dim"}
HEALTH_MARKS = {"up": "●", "down": "✗", "error": "▲", "off": "○", "…": "○"}


@dataclass
class Health:
    """What the status line shows."""

    context: str | None = None
    metrics_label: str = "Prometheus"
    metrics: str = "…"
    """``up``, ``down`` (unreachable), ``error`` (answers with errors), ``…`` (not yet known)."""
    alerts_label: str = "Alertmanager"
    alerts: str = "…"
    """As ``metrics``, plus ``off`` (not configured)."""
    last_refresh: datetime | None = None
    every: timedelta = field(default_factory=lambda: timedelta(seconds=10))
    errors: int = 0
    """Panels whose last refresh failed."""


def render_status(h: Health) -> Text:
    """One line: ``ctx prod │ ● Prometheus │ ● Alertmanager │ 08:42:10 (every 10s) │ 1 error``."""
    text = Text()
    if h.context:
        text.append("ctx ", style="dim")
        text.append(h.context, style="bold")
    else:
        text.append("no context", style="dim")
    for label, state in ((h.metrics_label, h.metrics), (h.alerts_label, h.alerts)):
        style = HEALTH_STYLES.get(state, "")
        text.append("  │  ", style="dim")
        text.append(f"{HEALTH_MARKS.get(state, '?')} ", style=style)
        text.append(label, style=style if state in ("down", "error") else "")
        if state == "down":
            text.append(" unreachable", style=style)
        elif state == "error":
            text.append(" error", style=style)
        elif state == "off":
            text.append(" off", style="dim")
    text.append("  │  ", style="dim")
    if h.last_refresh is None:
        text.append("loading…", style="dim")
    else:
        text.append(h.last_refresh.strftime("%H:%M:%S"))
        text.append(f" every {format_prom_duration(h.every)}", style="dim")
    if h.errors:
        text.append("  │  ", style="dim")
        text.append(f"{h.errors} error" + ("s" if h.errors != 1 else ""), style="bold red")
    return text


class StatusLine(Static):
    """Endpoint health and refresh state, updated after every refresh."""

    def show(self, health: Health) -> None:
        """Redraw from ``health``."""
        self.update(render_status(health))
