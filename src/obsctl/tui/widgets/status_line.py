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
    range: str = ""
    """``last 30m · live`` or ``08:00–10:00 (2h)``."""
    sort: str = ""
    """``value`` when rows are sorted by last value."""
    pipeline: str = ""
    """The pipeline checks' worst status (``ok``, ``degraded``, ``failing``) and counts, e.g.
    ``failing 2``; empty until they answered."""


SEP = " │ "
PIPELINE_MARKS = {
    "ok": ("●", "green"),
    "degraded": ("▲", "yellow"),
    "failing": ("✗", "bold red"),
}


def render_status(h: Health) -> Text:
    """One line: ``ctx prod │ ● Prometheus │ ✗ Alertmanager down │ 1 error │ 08:42:10 every 10s``.

    Most important first: at 80 columns the refresh time is what gets cut.
    """
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if h.context:
        text.append("ctx ", style="dim")
        text.append(h.context, style="bold")
    else:
        text.append("no context", style="dim")
    for label, state in ((h.metrics_label, h.metrics), (h.alerts_label, h.alerts)):
        style = HEALTH_STYLES.get(state, "")
        text.append(SEP, style="dim")
        text.append(f"{HEALTH_MARKS.get(state, '?')} ", style=style)
        text.append(label, style=style if state in ("down", "error") else "")
        if state == "down":
            text.append(" down", style=style)
        elif state == "error":
            text.append(" error", style=style)
        elif state == "off":
            text.append(" off", style="dim")
    if h.pipeline:
        state, _, count = h.pipeline.partition(" ")
        mark, style = PIPELINE_MARKS.get(state, ("?", ""))
        text.append(SEP, style="dim")
        text.append(f"{mark} pipeline", style=style)
        if count:
            text.append(f" {count} {state}", style=style)
    if h.errors:
        text.append(SEP, style="dim")
        text.append(f"{h.errors} error" + ("s" if h.errors != 1 else ""), style="bold red")
    if h.range:
        text.append(SEP, style="dim")
        text.append(h.range)
    if h.sort:
        text.append(f" · by {h.sort}", style="dim")
    text.append(SEP, style="dim")
    if h.last_refresh is None:
        text.append("loading…", style="dim")
    else:
        text.append(h.last_refresh.strftime("%H:%M:%S"))
        if h.every > timedelta(0):
            text.append(f" every {format_prom_duration(h.every)}", style="dim")
        else:
            text.append(" (r to refresh)", style="dim")
    return text


class StatusLine(Static):
    """Endpoint health and refresh state, updated after every refresh."""

    def show(self, health: Health) -> None:
        """Redraw from ``health``."""
        self.update(render_status(health))
