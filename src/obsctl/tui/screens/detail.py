"""``enter``: everything about one series or one alert."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from obsctl.model.alerts import AlertRow
from obsctl.model.metrics import Series
from obsctl.model.time import format_rfc3339
from obsctl.render.query import format_labels, format_value, series_stats, sparkline
from obsctl.tui.widgets.alerts_panel import SEVERITY_STYLES, format_age


def _pairs(text: Text, title: str, pairs: Mapping[str, str]) -> None:
    text.append(f"{title}\n", style="bold underline")
    if not pairs:
        text.append("  (none)\n\n", style="dim")
        return
    width = max(len(k) for k in pairs)
    for key in sorted(pairs):
        text.append(f"  {key:<{width}}  ", style="cyan")
        text.append(f"{pairs[key]}\n")
    text.append("\n")


def series_detail(expr: str, series: Series, unit: str | None, *, width: int) -> Text:
    """Labels, statistics and a wide sparkline of one series."""
    text = Text()
    text.append(format_labels(series.labels), style="bold")
    text.append("\n")
    text.append(f"from {expr}\n\n", style="dim")
    _pairs(text, "Labels", dict(series.labels))
    lo, avg, hi, last = series_stats(series)
    text.append("Values over the range\n", style="bold underline")
    for name, value in (("last", last), ("min", lo), ("avg", avg), ("max", hi)):
        text.append(f"  {name:<4}  ", style="cyan")
        text.append(f"{format_value(value, unit)}\n")
    text.append(f"  {len(series)} points", style="dim")
    if series.timestamps:
        first = datetime.fromtimestamp(series.timestamps[0]).astimezone()
        end = datetime.fromtimestamp(series.timestamps[-1]).astimezone()
        text.append(f", {first:%H:%M:%S} → {end:%H:%M:%S}", style="dim")
    text.append("\n\n")
    text.append(sparkline(series.values, max(10, width), lo, hi), style="cyan")
    text.append("\n")
    return text


def alert_detail(alert: AlertRow, now: datetime) -> Text:
    """Name, state, age, labels, annotations and source of one alert."""
    text = Text()
    text.append(alert.name or "(no alertname)", style="bold")
    if alert.severity:
        text.append(f"  {alert.severity}", style=SEVERITY_STYLES.get(alert.severity.lower(), ""))
    text.append("\n")
    if alert.starts_at is not None:
        age = format_age((now - alert.starts_at).total_seconds())
        text.append(f"{alert.state or 'active'} for {age}", style="dim")
        text.append(f" (since {format_rfc3339(alert.starts_at)})", style="dim")
    text.append("\n\n")
    _pairs(text, "Annotations", dict(alert.annotations))
    _pairs(text, "Labels", dict(alert.labels))
    if alert.receivers:
        text.append(f"{'Receivers':<12}", style="bold")
        text.append(", ".join(alert.receivers) + "\n")
    if alert.generator_url:
        text.append(f"{'Source':<12}", style="bold")
        text.append(alert.generator_url + "\n")
    if alert.fingerprint:
        text.append(f"{'Fingerprint':<12}", style="bold")
        text.append(alert.fingerprint + "\n")
    return text


class DetailScreen(ModalScreen[None]):
    """A scrollable box with the details; escape closes it."""

    BINDINGS = [("escape,enter,backspace", "dismiss", "Close")]  # noqa: RUF012

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        """The details in a bordered box."""
        with VerticalScroll(classes="dialog") as box:
            box.border_title = Text(self._title)
            box.border_subtitle = "escape to close"
            yield Static(self._body, id="detail-body")
