"""One PromQL query: a table of its series with the latest value and a sparkline."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Static

from obsctl.errors import ObsctlError
from obsctl.model.metrics import QueryResult, Series
from obsctl.redact import redact
from obsctl.render.query import format_labels, format_value, series_stats, sparkline, split_labels

MAX_ROWS = 200
"""Rows shown per panel; a query matching more says how many were left out."""


def compact_labels(labels: Mapping[str, str], names: Sequence[str]) -> str:
    """``job=api instance=api-1``: the labels that tell rows apart, readable at a glance.

    >>> compact_labels({"__name__": "up", "job": "api", "instance": "a:1"}, ["job", "instance"])
    'job=api instance=a:1'
    """
    parts = [f"{k}={labels[k]}" for k in names if k in labels and k != "__name__"]
    name = labels.get("__name__") if "__name__" in names else None
    if name:
        parts.insert(0, name)
    return " ".join(parts) or "{}"


def aligned_values(series: Series, start: float, step: float, points: int) -> list[float]:
    """The values of ``series`` on the panel's time grid, NaN where it has no sample.

    A series that appeared five minutes ago then fills only the right end of its sparkline
    instead of being stretched over the whole range.

    >>> from obsctl.model.metrics import float_array
    >>> s = Series({}, float_array([130.0, 145.0]), float_array([4.0, 5.0]))
    >>> aligned_values(s, 100.0, 15.0, 4)
    [nan, nan, 4.0, 5.0]
    >>> gap = Series({}, float_array([100.0, 130.0]), float_array([1.0, 2.0]))
    >>> aligned_values(gap, 100.0, 15.0, 4)
    [1.0, nan, 2.0, nan]
    """
    times = series.timestamps
    n = len(times)
    if n == 0:
        return [math.nan] * points
    first = round((times[0] - start) / step)
    if round((times[-1] - times[0]) / step) == n - 1 and first >= 0 and first + n <= points:
        # No gaps (the usual case): one slice instead of a loop over the samples.
        return [math.nan] * first + list(series.values) + [math.nan] * (points - first - n)
    grid = [math.nan] * points
    for t, v in zip(times, series.values, strict=True):
        i = round((t - start) / step)
        if 0 <= i < points:
            grid[i] = v
    return grid


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def error_text(err: ObsctlError) -> Text:
    """An error as the panels show it: the message, then the hint (dim), a line each.

    Lines are cut with an ellipsis rather than wrapped, so an error never takes more than
    two rows from the data below it.
    """
    text = Text("✗ ", style="bold red", no_wrap=True, overflow="ellipsis", end="")
    text.append(redact(" ".join(err.message.split())), style="red")
    if err.hint:
        text.append("\n" + redact(" ".join(err.hint.split())), style="dim")
    return text


def _by_last_value(series: Series) -> tuple[int, float, list[tuple[str, str]]]:
    """Largest last value first; series without a value (NaN) last; then by labels."""
    last = series.values[-1] if len(series.values) else math.nan
    missing = math.isnan(last)
    return int(missing), 0.0 if missing else -last, sorted(series.labels.items())


class TablePanel(Vertical, can_focus=False):
    """A bordered panel: an error/notice line above a table of rows.

    Subclasses fill the table and keep ``error`` and the border subtitle current
    (``_update_subtitle``).
    """

    error: ObsctlError | None
    _title: Text | str = ""
    filter_text: str = ""
    """``/``: only rows containing this (any case) are shown."""

    def set_filter(self, text: str) -> None:
        """Show only the rows containing ``text``."""
        self.filter_text = text.strip()
        self.redraw()

    def redraw(self) -> None:
        """Draw the rows again (after a filter or sort change)."""
        raise NotImplementedError

    FOCUS_MARK = "▶ "
    """Prefixed to the focused panel's title: focus shows without colour (``NO_COLOR``)."""

    def set_title(self, title: Text | str) -> None:
        """The border title, with the focus mark while a row of this panel has focus."""
        self._title = title
        self._show_title()

    def _show_title(self) -> None:
        title = self._title if isinstance(self._title, Text) else Text(self._title)
        if self.has_focus_within:
            title = Text.assemble((self.FOCUS_MARK, "bold"), title)
        self.border_title = title

    def on_descendant_focus(self) -> None:
        """Mark the title (the border also turns heavy)."""
        self._show_title()

    def on_descendant_blur(self) -> None:
        """Unmark the title."""
        self._show_title()

    def compose(self) -> ComposeResult:
        """An error/notice line (hidden until needed) above the table."""
        yield Static(classes="panel-error")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        table.loading = True
        yield table

    @property
    def table(self) -> DataTable[Text]:
        """The panel's table."""
        return self.query_one(DataTable)

    def show_error(self, err: ObsctlError) -> None:
        """Show ``err`` above the last good rows, which stay visible."""
        self.error = err
        self.add_class("-error")
        self.query_one(".panel-error", Static).update(error_text(err))
        self.table.loading = False
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        raise NotImplementedError


class QueryPanel(TablePanel):
    """The series of one query: labels, latest value, trend over the range."""

    @dataclass
    class SeriesSelected(Message):
        """Enter was pressed on a series."""

        panel: QueryPanel
        series: Series

    def __init__(self, expr: str, *, unit: str | None, index: int, id: str | None = None) -> None:
        super().__init__(id=id, classes="panel")
        self.expr = expr
        self.unit = unit
        self.index = index
        self.result: QueryResult | None = None
        self.error: ObsctlError | None = None
        self._rows: list[Series] = []
        self._grid: tuple[float, float, int] | None = None
        self._drawn_width = -1
        self.sort_by_value = False
        """Rows by last value, largest first (``o``), instead of by labels."""
        self.set_title(Text(expr))

    def set_expr(self, expr: str, *, unit: str | None) -> None:
        """A new query for this panel: rows are cleared until its first answer."""
        self.expr = expr
        self.unit = unit
        self.result = None
        self._rows = []
        self.set_title(Text(expr))
        self.table.clear()
        self.table.loading = True

    def redraw(self) -> None:
        """See ``TablePanel.redraw``."""
        self._redraw()

    @property
    def rows(self) -> Sequence[Series]:
        """Series in display order."""
        return self._rows

    def show_result(
        self,
        result: QueryResult,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        step: timedelta | None = None,
    ) -> None:
        """Replace the rows with ``result`` (the cursor stays on the same series).

        With the range asked for (``start``, ``end``, ``step``), sparklines are drawn on that
        time grid, so gaps and late starts show where they happened.
        """
        self.result = result
        if start is not None and end is not None and step is not None and step.total_seconds():
            points = int((end - start) / step) + 1
            self._grid = (start.timestamp(), step.total_seconds(), points)
        else:
            self._grid = None
        self.error = None
        self.remove_class("-error")
        self.set_class(not result.series, "-empty")
        self._redraw()

    def on_resize(self, event: Resize) -> None:
        """Column widths follow the panel's width."""
        if self.result is not None and self.size.width != self._drawn_width:
            self._redraw()

    def _update_subtitle(self) -> None:
        parts: list[str] = []
        if self.result is not None:
            total = len(self.result.series)
            parts.append(f"{total} series" if total != 1 else "1 series")
            if total > MAX_ROWS:
                parts.append(f"first {MAX_ROWS} shown")
            if self.filter_text:
                shown, matched = getattr(self, "_shown", (0, 0))
                parts.append(f"/{self.filter_text}: {shown} of {matched}")
            if self.sort_by_value:
                parts.append("by last value")
            if self.result.warnings:
                parts.append(f"⚠ {self.result.warnings[0]}")
        if self.error is not None:
            parts.append("stale" if self.result is not None else "no data")
        self.border_subtitle = Text(" · ".join(parts))

    def _redraw(self) -> None:
        result = self.result
        if result is None:
            return
        table = self.table
        table.loading = False
        previous = self._rows[table.cursor_row] if 0 <= table.cursor_row < len(self._rows) else None
        if self.sort_by_value:
            series = sorted(result.series, key=_by_last_value)[:MAX_ROWS]
        else:
            series = sorted(result.series, key=lambda s: sorted(s.labels.items()))[:MAX_ROWS]
        matched = len(series)
        if self.filter_text:
            needle = self.filter_text.lower()
            series = [s for s in series if needle in format_labels(s.labels).lower()]
        self._shown = (len(series), matched)
        common, varying = split_labels([s.labels for s in series])
        if len(series) == 1:
            varying = [k for k in varying if k != "__name__"] or varying
        labels = [compact_labels(s.labels, varying) for s in series]
        stats = [series_stats(s) for s in series]
        values = [format_value(st[3], self.unit) for st in stats]
        # Three columns, each padded by one cell either side; 1 cell for a scrollbar.
        self._drawn_width = self.size.width
        avail = max(20, (self.size.width or 80) - 6 - 1)
        value_w = max([5, *(len(v) for v in values)])
        # Labels take what they need (up to half the width); the sparkline takes the rest.
        # An empty panel's "no series" line fits whole.
        label_w = max(8 if series else 9, min(max([6, *(len(x) for x in labels)]), avail // 2))
        spark_w = max(8, avail - value_w - label_w)
        table.clear(columns=True)
        table.add_column(Text("SERIES"), width=label_w, key="series")
        table.add_column(Text("LAST", justify="right"), width=value_w, key="last")
        table.add_column(Text("TREND"), width=spark_w, key="trend")
        for s, label, st, value in zip(series, labels, stats, values, strict=True):
            key = format_labels(s.labels)
            grid = aligned_values(s, *self._grid) if self._grid else s.values
            lo, hi = st[0], st[2]
            if hi - lo <= 1e-9 * max(abs(lo), abs(hi)):
                hi = lo  # float noise (0.9999999 vs 1.0) is a flat line, not a trend
            spark = sparkline(grid, spark_w, lo, hi)
            table.add_row(
                Text(fit(label, label_w)),
                Text(value, justify="right", style="bold"),
                Text(spark, style="cyan"),
                key=key,
            )
        self._rows = series
        if common.get("__name__") == self.expr.strip():
            del common["__name__"]  # `up` over `up{…}` rows says nothing new
        if common:
            self.set_title(
                Text.assemble((self.expr, "bold"), ("  " + format_labels(common), "dim"))
            )
        else:
            self.set_title(Text(self.expr, style="bold"))
        if not series:
            empty = "no match" if self.filter_text and result.series else "no series"
            table.add_row(Text(empty, style="dim"), Text(""), Text(""), key="-empty")
        elif previous is not None:
            key = format_labels(previous.labels)
            for i, s in enumerate(series):
                if format_labels(s.labels) == key:
                    table.move_cursor(row=i, animate=False)
                    break
        self._update_subtitle()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._rows):
            self.post_message(self.SeriesSelected(self, self._rows[event.cursor_row]))
