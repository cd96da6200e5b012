"""The drill-down: an alert's ranked traces (``c``), a trace's waterfall, a span's details.

Each view is a full screen pushed on the dashboard; escape walks back one level. Fetching
runs in the screen's worker, so a slow backend never blocks keys, and an answer that lands
after the screen was closed is dropped with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from obsctl.errors import ObsctlError
from obsctl.model.alerts import AlertRow
from obsctl.model.correlation import CorrelationResult, RankedTrace
from obsctl.model.logs import LogRecord
from obsctl.model.trace_analysis import TraceAnalysis
from obsctl.model.traces import Span, Trace, TraceSummary
from obsctl.redact import redact
from obsctl.tui.screens.detail import DetailScreen
from obsctl.tui.widgets.query_panel import error_text, fit
from obsctl.workflows.tui_sources import IncidentSource, TraceFilter, parse_trace_filter

CP_MARK = "◆"
"""Marks a span on the critical path (a glyph, so it shows without colour)."""
ERR_MARK = "✗"


def format_ns(ns: int | None) -> str:
    """``850µs``, ``12.3ms``, ``1.24s``, ``-`` when unknown.

    >>> [format_ns(x) for x in (850_000, 12_345_678, 1_240_000_000, None)]
    ['850µs', '12.3ms', '1.24s', '-']
    """
    if ns is None:
        return "-"
    if ns < 1_000_000:
        return f"{ns // 1000}µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f}ms"
    return f"{ns / 1e9:.2f}s"


def bottleneck_text(trace: RankedTrace) -> str:
    """``checkout: SELECT orders 78%`` (or why the trace could not be fetched)."""
    if not trace.found:
        return redact(trace.note) if trace.note else "not fetched"
    if trace.bottleneck is None:
        return "-"
    share = f" {trace.bottleneck_share:.0%}" if trace.bottleneck_share is not None else ""
    return f"{trace.bottleneck.service}: {trace.bottleneck.operation}{share}"


class DrillScreen(Screen[None]):
    """A title line, a status line (progress or error) and one table."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit_app", "Quit"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title_text = title

    def compose(self) -> ComposeResult:
        """Title, status, table, keys."""
        with Vertical(classes="panel drill"):
            yield Static(classes="drill-status")
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Title the panel and focus the table."""
        panel = self.query_one(".drill", Vertical)
        panel.border_title = Text(self._title_text, style="bold")
        self.table.focus()

    @property
    def table(self) -> DataTable[Text]:
        """The screen's table."""
        return self.query_one(DataTable)

    def status(self, text: Text | str) -> None:
        """Replace the status line."""
        self.query_one(".drill-status", Static).update(text)

    def action_back(self) -> None:
        """One level up."""
        self.dismiss(None)


class CorrelateScreen(DrillScreen):
    """``c`` on an alert: correlate it over the dashboard's range, list the ranked traces."""

    def __init__(
        self,
        source: IncidentSource,
        alert: AlertRow,
        start: datetime,
        end: datetime,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(f"Traces behind {alert.name or '(no alertname)'}")
        self.clock = clock or (lambda: datetime.now(UTC))
        """Times the run for the status line (the app's clock: frozen in tests)."""
        self.source = source
        self.alert = alert
        self.start = start
        self.end = end
        self.result: CorrelationResult | None = None
        self.error: ObsctlError | None = None
        self.notes: list[str] = []
        self.ranked: list[RankedTrace] = []
        """The traces in the table, by rank: those fetched so far while correlate runs."""
        self.first_result_at: float | None = None
        """``time.perf_counter()`` when the first ranked trace was shown (the benchmark reads
        it)."""
        self._began = datetime.now(UTC)

    def on_mount(self) -> None:
        """Start correlating."""
        super().on_mount()
        self.table.add_column(Text("#", justify="right"), key="rank", width=3)
        self.table.add_column(Text("TRACE"), key="trace", width=16)
        self.table.add_column(Text("LATENCY", justify="right"), key="latency", width=8)
        self.table.add_column(Text("ERR", justify="right"), key="errors", width=3)
        self.table.add_column(Text("BOTTLENECK"), key="bottleneck")
        self.status(Text("correlating… (windows, candidate traces, fetch, rank)", style="dim"))
        self.run_correlate()

    def _note(self, line: str) -> None:
        # Called from the workflow (same event loop): show each step as it is reported.
        line = redact(line)
        self.notes.append(line)
        self.status(Text(f"correlating… {line}", no_wrap=True, overflow="ellipsis"))

    @work(exclusive=True, group="correlate")
    async def run_correlate(self) -> None:
        """``obsctl correlate`` for the alert; ranked traces fill the table as they are
        fetched, and the final ranking replaces them when it is done."""
        self._began = self.clock()
        try:
            result = await self.source.correlate(
                self.alert, self.start, self.end, self._note, self._ranked
            )
        except ObsctlError as err:
            self.error = err
            self.status(error_text(err))
            return
        if not self.is_attached:
            return
        self.show_result(result, self._took())

    def _ranked(self, traces: Sequence[RankedTrace]) -> None:
        # Called from the workflow (same event loop) each time one more trace is fetched.
        if not self.is_attached or self.result is not None:
            return
        self.fill(traces)
        took = self._took()
        self.status(
            Text(
                f"correlating… {len(traces)} traces ranked so far · {took:.1f}s",
                no_wrap=True,
                overflow="ellipsis",
            )
        )

    def _took(self) -> float:
        return max(0.0, (self.clock() - self._began).total_seconds())

    def fill(self, traces: Sequence[RankedTrace]) -> None:
        """The table shows ``traces`` by rank. A cursor moved down stays on its trace as
        others land above it; on the first row it stays on the first (the best so far)."""
        table = self.table
        at = None
        if table.row_count and 0 < table.cursor_row < len(self.ranked):
            at = self.ranked[table.cursor_row].trace_id
        self.ranked = list(traces)
        table.clear()
        width = max(20, self.size.width - 3 - 16 - 8 - 3 - 12)
        for trace in self.ranked:
            errors = str(trace.error_count) if trace.error_count is not None else "-"
            table.add_row(
                Text(str(trace.rank), justify="right"),
                Text(trace.trace_id[:16]),
                Text(format_ns(trace.latency_ns), justify="right", style="bold"),
                Text(errors, justify="right", style="red" if trace.error_count else ""),
                Text(fit(bottleneck_text(trace), width)),
                key=trace.trace_id,
            )
        if at is not None:
            row = next((i for i, t in enumerate(self.ranked) if t.trace_id == at), 0)
            table.move_cursor(row=row, animate=False)
        if self.ranked and self.first_result_at is None:
            self.first_result_at = time.perf_counter()

    def show_result(self, result: CorrelationResult, took: float) -> None:
        """Fill the table with the final ranking."""
        self.result = result
        table = self.table
        self.fill(result.traces)
        parts = [f"{len(result.traces)} traces ranked by {result.rank_by.value}"]
        n = len(result.windows)
        parts.append(f"{n} firing window" + ("s" if n != 1 else ""))
        if result.bottlenecks:
            top = result.bottlenecks[0]
            parts.append(f"bottleneck {top.service}: {top.operation} {top.share:.0%}")
        parts.append(f"{took:.1f}s")
        text = Text(" · ".join(parts), no_wrap=True, overflow="ellipsis")
        if result.skipped:
            text.append(f"\n{redact(result.skipped[0])}", style="dim")
        self.status(text)
        if not result.traces:
            table.add_row(Text(""), Text("no traces", style="dim"), Text(""), Text(""), Text(""))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if not 0 <= event.cursor_row < len(self.ranked):
            return
        trace = self.ranked[event.cursor_row]
        self.app.push_screen(WaterfallScreen(self.source, trace.trace_id))


class TracesScreen(DrillScreen):
    """``t``: recent traces from the trace backend's search over the dashboard's range;
    ``/`` filters them (``service:NAME``, ``op:NAME``, ``>500ms``, ``error`` go to the
    backend's search; other words match the root service or operation here), enter opens
    one. On the local store with a live dashboard, the search follows now and runs again
    every ``LIVE_EVERY`` seconds: traces appear as ``obsctl receive`` stores them."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "reload", "Reload"),
        Binding("l", "live", "Live"),
        Binding("q", "app.quit_app", "Quit"),
    ]

    LIMIT = 50
    LIVE_EVERY = 2.0

    def __init__(
        self,
        source: IncidentSource,
        start: datetime,
        end: datetime,
        *,
        live: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__("Recent traces")
        self.source = source
        self.start = start
        self.end = end
        self.span = end - start
        self.clock = clock or (lambda: datetime.now(UTC))
        self.can_live = live and source.search_is_live()
        """The search reads the local store and the dashboard follows now."""
        self.live = self.can_live
        self.found: list[TraceSummary] = []
        self.shown: list[TraceSummary] = []
        self.filter_text = ""
        self.filter = TraceFilter()
        self.searched: TraceFilter | None = None
        """The filter of the last search sent (what the backend was asked)."""
        self.searches = 0
        """Completed searches (tests wait on it)."""
        self.error: ObsctlError | None = None

    def on_mount(self) -> None:
        """Search (and again every ``LIVE_EVERY`` seconds while live)."""
        super().on_mount()
        self.status(Text("searching…", style="dim"))
        self.search()
        if self.can_live:
            self.set_interval(self.LIVE_EVERY, self._tick)

    def _tick(self) -> None:
        if self.live and not any(w.group == "traces" and w.is_running for w in self.workers):
            self.search()

    def action_reload(self) -> None:
        """Search again."""
        self.search()

    def action_live(self) -> None:
        """``l``: follow the local store as it fills, or stop (keeps the list still)."""
        if not self.can_live:
            self.notify(
                "live needs the local store (obsctl receive) and a live dashboard", timeout=4
            )
            return
        self.live = not self.live
        if self.live:
            self.search()
        else:
            self.redraw()

    def range(self) -> tuple[datetime, datetime]:
        """The range searched: the dashboard's, or while live the same length up to now."""
        if self.live:
            end = self.clock()
            return end - self.span, end
        return self.start, self.end

    @work(exclusive=True, group="traces")
    async def search(self) -> None:
        """The backend's search over the range with the filter's service, operation, minimum
        duration and errors; newest first."""
        wanted = self.filter
        start, end = self.range()
        query = wanted.search(start, end, self.LIMIT)
        try:
            found = await self.source.recent_traces(query)
        except ObsctlError as err:
            self.error = err
            self.searched = wanted
            self.status(error_text(err))
            return
        if self.is_attached:
            self.error = None
            self.searched = wanted
            self.found = list(found)
            self.searches += 1
            self.redraw()

    def redraw(self) -> None:
        """Fill the table with the traces the filter keeps; the cursor stays on its trace."""
        at = None
        table = self.table
        if table.row_count and 0 <= table.cursor_row < len(self.shown):
            at = self.shown[table.cursor_row].trace_id
        self.shown = [t for t in self.found if self.filter.keeps(t)]
        table.clear(columns=True)
        width = self.size.width or 80
        root_w = max(16, width - 8 - 16 - 8 - 5 - 4 - 14)
        table.add_column(Text("START"), key="start", width=8)
        table.add_column(Text("TRACE"), key="trace", width=16)
        table.add_column(Text("ROOT"), key="root", width=root_w)
        table.add_column(Text("DURATION", justify="right"), key="duration", width=8)
        table.add_column(Text("SPANS", justify="right"), key="spans", width=5)
        table.add_column(Text("ERR", justify="right"), key="errors", width=4)
        for t in self.shown:
            errors = t.error_count
            table.add_row(
                Text(t.start.astimezone(UTC).strftime("%H:%M:%S")),
                Text(t.trace_id[:16]),
                Text(fit(f"{t.root_service}: {t.root_name}", root_w)),
                Text(format_ns(t.duration_ns), justify="right", style="bold"),
                Text("-" if t.span_count is None else str(t.span_count), justify="right"),
                Text(
                    "-" if errors is None else str(errors),
                    justify="right",
                    style="red" if errors else "",
                ),
                key=t.trace_id,
            )
        if at is not None:
            row = next((i for i, t in enumerate(self.shown) if t.trace_id == at), 0)
            table.move_cursor(row=row, animate=False)
        self.status(self.summary())

    def summary(self) -> Text:
        """``7 of 50 traces · live · searched service=api >500.0ms error`` (what matters
        first: it is cut at the width)."""
        if self.filter_text:
            parts = [f"{len(self.shown)} of {len(self.found)} traces"]
        else:
            parts = [f"{len(self.found)} traces (newest first, at most {self.LIMIT})"]
        if self.live:
            parts.append("live")
        elif self.can_live:
            parts.append("paused (l: live)")
        asked = self.searched
        if asked is not None and any(asked.pushed()):
            terms = []
            if asked.service:
                terms.append(f"service={asked.service}")
            if asked.operation:
                terms.append(f"op={asked.operation}")
            if asked.min_duration_ns:
                terms.append(f">{format_ns(asked.min_duration_ns)}")
            if asked.errors:
                terms.append("error")
            parts.append("searched " + " ".join(terms))
        if self.filter_text:
            parts.append(f"/{self.filter_text}")
        else:
            parts.append("/ filters: service:NAME op:NAME >500ms error, words")
        return Text(" · ".join(parts), no_wrap=True, overflow="ellipsis")

    def action_filter(self) -> None:
        """Ask for the filter in a line under the table."""
        from textual.widgets import Input

        for old in self.query("#trace-filter"):
            old.remove()
        box = Input(
            value=self.filter_text,
            placeholder="service:NAME op:NAME >500ms error words (enter searches)",
            id="trace-filter",
        )
        self.mount(box, before=self.query_one(Footer))
        box.focus()

    def on_input_changed(self, event: object) -> None:
        """Filter what was found as you type (duration, errors, words)."""
        from textual.widgets import Input

        if isinstance(event, Input.Changed):
            self.filter_text = event.value.strip()
            self.filter = parse_trace_filter(self.filter_text)
            self.redraw()

    def on_input_submitted(self, event: object) -> None:
        """Keep the filter, back to the table; ask the backend again when what it is asked
        (service, operation, duration, errors) changed."""
        from textual.widgets import Input

        if isinstance(event, Input.Submitted):
            event.input.remove()
            self.table.focus()
            if self.searched is None or self.filter.pushed() != self.searched.pushed():
                self.status(Text("searching…", style="dim"))
                self.search()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.shown):
            self.app.push_screen(
                WaterfallScreen(self.source, self.shown[event.cursor_row].trace_id)
            )


def bar(start: int, end: int, lo: int, hi: int, width: int) -> str:
    """A span's place on the trace's time axis, ``width`` cells wide.

    >>> bar(0, 50, 0, 100, 10)
    '█████     '
    >>> bar(90, 91, 0, 100, 10)
    '         ▏'
    """
    total = max(1, hi - lo)
    a = round((start - lo) / total * width)
    b = round((end - lo) / total * width)
    a = min(max(0, a), width - 1)
    if b <= a:
        return " " * a + "▏" + " " * (width - a - 1)
    b = min(b, width)
    return " " * a + "█" * (b - a) + " " * (width - b)


class WaterfallScreen(DrillScreen):
    """Enter on a trace: its spans in tree order, time bars, the critical path marked."""

    def __init__(self, source: IncidentSource, trace_id: str) -> None:
        super().__init__(f"Trace {trace_id}")
        self.source = source
        self.trace_id = trace_id
        self.analysis: TraceAnalysis | None = None
        self.error: ObsctlError | None = None
        self.keys: list[str] = []
        self._spans: dict[str, Span] = {}
        self.logs: Sequence[LogRecord] | None = None
        """The trace's log records (``None``: no log source)."""
        self.logs_loaded = False
        """Whether the log source has answered (or failed: then no logs)."""
        self._summary = ""

    def on_mount(self) -> None:
        """Fetch the trace."""
        super().on_mount()
        self.status(Text("fetching trace…", style="dim"))
        self.fetch()

    @work(exclusive=True, group="trace")
    async def fetch(self) -> None:
        """Fetch and analyse the trace, draw it, then fetch its log lines (for the span
        view)."""
        try:
            analysis = await self.source.trace(self.trace_id)
        except ObsctlError as err:
            self.error = err
            self.status(error_text(err))
            return
        if not self.is_attached:
            return
        self.show(analysis)
        self.fetch_logs(analysis.trace)

    @work(exclusive=True, group="logs")
    async def fetch_logs(self, trace: Trace) -> None:
        """The trace's log lines from the log source, for the span view."""
        try:
            logs = await self.source.logs(trace)
        except ObsctlError:
            logs = None  # no logs is never a failed view
        if not self.is_attached:
            return
        self.logs = logs
        self.logs_loaded = True
        if logs:
            self._show_summary()

    def show(self, a: TraceAnalysis) -> None:
        """The waterfall: one row per span, tree order."""
        self.analysis = a
        spans = dict(zip(a.span_keys, a.trace.spans, strict=True))
        self._spans = spans
        self.keys = list(a.preorder)
        lo = min((s.start_ns for s in spans.values()), default=0)
        hi = max((s.end_ns for s in spans.values()), default=1)
        width = self.size.width or 80
        name_w = max(16, min(48, width * 2 // 5))
        bar_w = max(10, width - name_w - 9 - 2 - 10)
        table = self.table
        table.clear(columns=True)
        table.add_column(Text("SPAN"), key="span", width=name_w)
        table.add_column(Text("DURATION", justify="right"), key="duration", width=9)
        table.add_column(Text(CP_MARK), key="cp", width=2)
        table.add_column(Text("TIMELINE"), key="bar", width=bar_w)
        errors = set(a.error_span_ids)
        on_path = 0
        for key in self.keys:
            span = spans[key]
            cp = a.critical_path_ns.get(key, 0) > 0
            on_path += cp
            name = "  " * a.depth.get(key, 0) + f"{span.service}: {span.name}"
            mark = (CP_MARK if cp else " ") + (ERR_MARK if key in errors else " ")
            table.add_row(
                Text(fit(name, name_w), style="bold" if cp else ""),
                Text(format_ns(span.duration_ns), justify="right"),
                Text(mark, style="red" if key in errors else "yellow"),
                Text(bar(span.start_ns, span.end_ns, lo, hi, bar_w), style="cyan"),
                key=key,
            )
        started = datetime.fromtimestamp(lo / 1e9, tz=UTC).strftime("%H:%M:%S")
        self._summary = (
            f"{format_ns(hi - lo)} from {started} UTC · "
            f"{CP_MARK} critical path ({on_path} spans) · {ERR_MARK} error"
        )
        self._show_summary()

    def _show_summary(self) -> None:
        n = len(self.logs or ())
        logs = f" · {n} log line{'s' if n != 1 else ''}" if n else ""
        spans = len(self.keys)
        line = (
            f"{spans} span{'s' if spans != 1 else ''}{logs} · {self._summary} · enter: span details"
        )
        self.status(Text(line, no_wrap=True, overflow="ellipsis"))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.analysis is None or not 0 <= event.cursor_row < len(self.keys):
            return
        key = self.keys[event.cursor_row]
        span = self._spans[key]
        logs = None
        if self.logs is not None:
            logs = [r for r in self.logs if r.span_id == span.span_id]
        body = span_detail(span, self.analysis, logs, loading=not self.logs_loaded)
        self.app.push_screen(DetailScreen("Span", body))


def _value(v: object) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def span_detail(
    span: Span,
    a: TraceAnalysis,
    logs: Sequence[LogRecord] | None = None,
    *,
    loading: bool = False,
) -> Text:
    """A span's timing, critical-path share, attributes, resource, events and log lines.

    ``logs``: the span's log records, oldest first (``None``: no log source, no section);
    ``loading``: the log source has not answered yet.
    """
    key = next((k for k, s in zip(a.span_keys, a.trace.spans, strict=True) if s is span), "")
    text = Text()
    text.append(f"{span.service}: {span.name}\n", style="bold")
    text.append(f"span {span.span_id} · {span.kind.value} · {format_ns(span.duration_ns)}")
    cp = a.critical_path_ns.get(key, 0)
    if cp:
        text.append(f" · {CP_MARK} {format_ns(cp)} on the critical path")
    text.append("\n")
    if key in a.error_reasons:
        text.append(f"{ERR_MARK} {a.error_reasons[key]}\n", style="bold red")
    text.append("\n")
    lists: list[tuple[str, tuple[tuple[str, object], ...]]] = [
        ("Attributes", tuple(span.attributes)),
        ("Resource", tuple(span.resource)),
    ]
    for title, pairs in lists:
        text.append(f"{title}\n", style="bold underline")
        if not pairs:
            text.append("  (none)\n", style="dim")
        width = max((len(k) for k, _ in pairs), default=0)
        for k, v in pairs:
            text.append(f"  {k:<{width}}  ", style="cyan")
            text.append(_value(v) + "\n")
        text.append("\n")
    text.append("Events\n", style="bold underline")
    if not span.events:
        text.append("  (none)\n", style="dim")
    for event in span.events:
        offset = format_ns(max(0, event.time_ns - span.start_ns))
        text.append(f"  +{offset} ", style="cyan")
        text.append(event.name + "\n", style="bold")
        for k, v in event.attributes:
            text.append(f"      {k}: ", style="dim")
            text.append(_value(v) + "\n")
    if loading:
        text.append("\nLogs\n", style="bold underline")
        text.append("  (loading…)\n", style="dim")
        return text
    if logs is None:
        return text
    text.append("\nLogs\n", style="bold underline")
    if not logs:
        text.append("  (none)\n", style="dim")
    for record in logs:
        offset = format_ns(max(0, record.time_ns - span.start_ns))
        style = "bold red" if record.is_error else "bold"
        text.append(f"  +{offset} ", style="cyan")
        text.append(record.severity or "LOG", style=style)
        text.append(
            " " + " ".join(record.body.split()) + "\n", style="red" if record.is_error else ""
        )
        for k, v in record.attributes:
            text.append(f"      {k}: ", style="dim")
            text.append(_value(v) + "\n")
    return text
