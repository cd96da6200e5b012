"""Pilot tests of the incident console: panel list and paging, drill-down from an alert to
a span, silences, row sort and filter, zoom/pan/live, and panel editing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.worker import WorkerFailed

from obsctl.errors import BackendUnreachable
from obsctl.tui.app import ObsctlApp
from obsctl.tui.screens.detail import DetailScreen
from obsctl.tui.screens.drill import CorrelateScreen, TracesScreen, WaterfallScreen
from obsctl.tui.screens.forms import QueryScreen, SilenceScreen
from obsctl.tui.widgets.alerts_panel import AlertsPanel
from obsctl.tui.widgets.query_panel import QueryPanel
from obsctl.tui.widgets.status_line import StatusLine
from tests.tui.fakes import (
    NOW,
    TRACE_ID,
    UP,
    FakeAlerts,
    FakeIncidents,
    FakeMetrics,
    matrix,
    series,
)

FIVE = ("up", "sum by (job) (up == 0)", "rate(a[5m])", "rate(b[5m])", "rate(c[5m])")


async def settle(pilot: Pilot[int]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def rows(table: DataTable[object]) -> list[list[str]]:
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


def title(app: ObsctlApp, selector: str) -> str:
    return Text.from_markup(str(app.query_one(selector, QueryPanel).border_title)).plain


def panel_list(app: ObsctlApp) -> str:
    return str(app.query_one("#panelbar", Static).render())


def five_panels(make_app, **options):
    metrics = FakeMetrics({}, default=UP)
    return make_app(metrics, queries=FIVE, **options)


async def test_every_panel_is_reachable_at_80x24_and_marked_when_off_screen(make_app):
    app = five_panels(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Alerts focused; the last panels are below the screen, and the list says so.
        marks = app.offscreen()
        assert marks["query-4"] == "↓"
        assert "▶1 Alerts" in panel_list(app)
        assert "↓6 rate(c[5m])" in panel_list(app) or "↓6 rate(c" in panel_list(app)
        assert "off screen" in panel_list(app)
        # A digit jumps to a panel and scrolls it into view, whole.
        await pilot.press("6")
        await settle(pilot)
        assert app.focused_panel() is app.query_one("#query-4")
        assert "query-4" not in app.offscreen()
        assert app.offscreen()["alerts"] == "↑"
        assert "▶6" in panel_list(app)
        # Focus shows without colour: a mark in the title.
        assert title(app, "#query-4").startswith("▶ rate(c[5m])")
        assert title(app, "#query-0") == "up"


async def test_tab_reaches_every_panel_at_70x20(make_app):
    app = make_app(FakeMetrics({}, default=UP), queries=FIVE[:3])
    async with app.run_test(size=(70, 20)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            panel = app.focused_panel()
            assert panel is not None
            assert (panel.id or "") not in app.offscreen(), panel.id
            seen.append(panel.id)
            await pilot.press("tab")
            await settle(pilot)
        assert seen == ["alerts", "query-0", "query-1", "query-2"]


async def test_sort_by_last_value_and_back(make_app):
    three = matrix(
        series({"job": "a"}, [5, 1]),
        series({"job": "b"}, [0, 9]),
        series({"job": "c"}, [3, 4]),
    )
    app = make_app(FakeMetrics({"x": three}), queries=["x"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one("#query-0", QueryPanel).table
        assert [r[0] for r in rows(table)] == ["job=a", "job=b", "job=c"]
        await pilot.press("o")
        assert [r[:2] for r in rows(table)] == [["job=b", "9"], ["job=c", "4"], ["job=a", "1"]]
        assert "by last value" in str(app.query_one("#query-0", QueryPanel).border_subtitle)
        assert "· by value" in str(app.query_one(StatusLine).render())
        await pilot.press("o")
        assert [r[0] for r in rows(table)] == ["job=a", "job=b", "job=c"]


async def test_slash_filters_the_focused_table_and_escape_clears(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the `up` panel
        await pilot.press("slash", "d", "b")
        table = app.query_one("#query-0", QueryPanel).table
        assert [r[0] for r in rows(table)] == ["instance=db-1:9187 job=db"]
        await pilot.press("enter")
        assert app.focused is table
        assert "/db: 1 of 3" in str(app.query_one("#query-0", QueryPanel).border_subtitle)
        # The alerts panel filters too.
        await pilot.press("1", "slash", *"disk", "enter")
        assert [r[0] for r in rows(app.query_one(AlertsPanel).table)] == ["DiskAlmostFull"]
        assert app.selected_alert() is not None and app.selected_alert().name == "DiskAlmostFull"
        await pilot.press("slash", "escape")
        assert len(rows(app.query_one(AlertsPanel).table)) == 2


async def test_zoom_pan_and_live(make_app):
    metrics = FakeMetrics({"up": UP})
    app = make_app(metrics, queries=["up"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("minus")
        await settle(pilot)
        assert metrics.calls[-1][1:3] == (NOW - timedelta(hours=1), NOW)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        # Half a range back: a fixed range, said so in the status line.
        assert metrics.calls[-1][1:3] == (NOW - timedelta(minutes=90), NOW - timedelta(minutes=30))
        assert "01:30–02:30 (1h)" in str(app.query_one(StatusLine).render())
        await pilot.press("plus")
        await settle(pilot)
        assert metrics.calls[-1][1:3] == (NOW - timedelta(minutes=60), NOW - timedelta(minutes=30))
        await pilot.press("l")
        await settle(pilot)
        assert metrics.calls[-1][1:3] == (NOW - timedelta(minutes=30), NOW)
        assert "last 30m · live" in str(app.query_one(StatusLine).render())
        # Forward past now turns live too.
        await pilot.press("left_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert app.fixed_end is None


async def test_correlate_waterfall_span_and_back(make_app):
    incidents = FakeIncidents()
    incidents.gate = asyncio.Event()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorrelateScreen)
        # Running off the UI thread: progress shows and keys still work while it waits.
        assert "correlating… 1 firing window" in str(
            screen.query_one(".drill-status", Static).render()
        )
        assert incidents.correlated == [("TargetDown", NOW - timedelta(minutes=30), NOW)]
        await pilot.press("down")  # input is not blocked
        incidents.gate.set()
        await settle(pilot)
        table = screen.table
        assert [r[:4] for r in rows(table)] == [
            ["1", TRACE_ID[:16], "1.20s", "1"],
            ["2", "0" * 16, "800.0ms", "-"],
        ]
        assert rows(table)[0][4] == "postgres: SELECT orders 78%"
        assert rows(table)[1][4] == "not found (expired or sampled out?)"
        # Dashboard keys do nothing here.
        await pilot.press("c", "t", "p", "s", "n")
        assert app.screen is screen
        await pilot.press("up", "enter")
        await settle(pilot)
        fall = app.screen
        assert isinstance(fall, WaterfallScreen)
        assert incidents.traces == [TRACE_ID]
        spans = rows(fall.table)
        assert [r[0].strip() for r in spans] == [
            "frontend: GET /checkout",
            "checkout: PlaceOrder",
            "postgres: SELECT orders",
            "payments: Charge",
        ]
        # ◆ on the critical path, ✗ on the error span.
        assert [r[2] for r in spans] == ["◆ ", "◆ ", "◆ ", "◆✗"]
        assert "critical path (4 spans)" in str(fall.query_one(".drill-status", Static).render())
        await pilot.press("down", "down", "enter")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        body = str(detail.query_one("#detail-body", Static).render())
        assert "postgres: SELECT orders" in body
        assert "db.statement  SELECT * FROM orders" in body
        assert "slow query" in body and "threshold_ms: 500" in body
        # The span's own log lines (not the payment's), offset from the span's start.
        assert incidents.logs_asked == [TRACE_ID]
        assert "Logs\n  +860.0ms WARN slow query: 930 ms on orders\n" in body
        assert "db.table: orders" in body
        assert "card declined by issuer" not in body
        assert "1 log line" not in str(fall.query_one(".drill-status", Static).render())
        assert "2 log lines" in str(fall.query_one(".drill-status", Static).render())
        await pilot.press("escape")
        assert app.screen is fall
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert len(app.screen_stack) == 1


async def test_correlate_error_is_shown_in_the_view(make_app):
    incidents = FakeIncidents(error=BackendUnreachable("cannot connect to Tempo at http://t:3200"))
    app = make_app(incidents=incidents)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        status = str(app.screen.query_one(".drill-status", Static).render())
        assert status.startswith("✗ cannot connect to Tempo at http://t:3200")


async def test_correlate_without_trace_backends_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert any("no trace backends" in n.message for n in app._notifications)


async def test_a_adds_the_alert_expression_as_a_panel(make_app):
    metrics = FakeMetrics({}, default=UP)
    app = make_app(metrics)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        added = app.query(QueryPanel).last()
        assert added.expr == 'ALERTS{alertname="TargetDown", alertstate="firing"}'
        assert metrics.calls[-1][0] == added.expr
        assert len(rows(added.table)) == 3
        assert app.focused is added.table


async def test_silence_asks_for_a_comment_then_creates_it(make_app):
    incidents = FakeIncidents()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SilenceScreen)
        await pilot.press("enter")
        assert form.problem == "✗ a silence needs a comment"
        assert incidents.silences == []
        await pilot.press(*"disk swap", "enter")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        [(alert, duration, comment, at)] = incidents.silences
        assert (alert.name, duration, comment, at) == (
            "DiskAlmostFull",
            timedelta(hours=2),
            "disk swap",
            NOW,
        )
        assert any("DiskAlmostFull silenced for 2h" in n.message for n in app._notifications)


async def test_silence_escape_cancels(make_app):
    incidents = FakeIncidents()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "x", "escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert incidents.silences == []


async def test_new_edit_and_remove_panels_with_checked_promql(make_app):
    metrics = FakeMetrics({}, default=UP)
    app = make_app(metrics, queries=["up"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, QueryScreen)
        await pilot.press(*"rate(x[5m]")
        assert form.verdict.startswith("✗ ")
        await pilot.press("enter")  # not valid: stays
        assert app.screen is form
        await pilot.press(")")
        assert form.verdict == "✓ valid PromQL"
        await pilot.press("enter")
        await settle(pilot)
        assert app.queries == ("up", "rate(x[5m])")
        assert metrics.calls[-1][0] == "rate(x[5m])"
        # Edit the focused (new) panel.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("end", "space", "asterisk", "space", "6", "0", "enter")
        await settle(pilot)
        assert app.queries == ("up", "rate(x[5m]) * 60")
        assert app.query(QueryPanel).last().expr == "rate(x[5m]) * 60"
        # Remove it.
        await pilot.press("d")
        await settle(pilot)
        assert app.queries == ("up",)
        assert len(app.query(QueryPanel)) == 1


async def test_traces_view_lists_filters_and_opens_a_trace(make_app):
    incidents = FakeIncidents()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TracesScreen)
        [search] = incidents.searches
        assert (search.start, search.end) == (NOW - timedelta(minutes=30), NOW)
        assert [r[1:4] for r in rows(screen.table)] == [
            [TRACE_ID[:16], "frontend: GET /checkout", "1.20s"],
            ["1" * 16, "frontend: GET /", "35.0ms"],
            ["2" * 16, "search: GET /search", "640.0ms"],
        ]
        assert "live" not in str(screen.query_one(".drill-status", Static).render())
        # As you type, what was found is filtered here; enter asks the backend.
        await pilot.press("slash", *">500ms")
        assert [r[1] for r in rows(screen.table)] == [TRACE_ID[:16], "2" * 16]
        assert len(incidents.searches) == 1
        await pilot.press("enter")
        await settle(pilot)
        assert len(incidents.searches) == 2
        assert incidents.searches[1].min_duration_ns == 500_000_000
        assert [s.errors for s in incidents.searches] == [False, False]
        assert [r[1] for r in rows(screen.table)] == [TRACE_ID[:16], "2" * 16]
        status = str(screen.query_one(".drill-status", Static).render())
        assert status.startswith("2 of 3 traces · searched >500.0ms · />500ms")
        await pilot.press("slash", "ctrl+u", *"service:frontend op:GET error check", "enter")
        await settle(pilot)
        last = incidents.searches[-1]
        assert (last.service, last.operation, last.min_duration_ns) == ("frontend", "GET", None)
        assert incidents.searches[-1].errors is True
        # Errors and words are checked on what the backend answered, too.
        assert [r[1] for r in rows(screen.table)] == [TRACE_ID[:16]]
        # Enter with the same backend terms does not search again.
        n = len(incidents.searches)
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert len(incidents.searches) == n
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WaterfallScreen)
        assert incidents.traces == [TRACE_ID]
        await pilot.press("escape", "escape")
        assert len(app.screen_stack) == 1


async def test_query_input_completes_names_from_the_server(make_app):
    app = make_app(FakeMetrics({}, default=UP), queries=["up"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "http_requests_total" in app.names
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"rate(http_requests_t")
        await pilot.pause()
        await pilot.press("right")
        form = app.screen
        assert isinstance(form, QueryScreen)
        assert form.query_one(Input).value == "rate(http_requests_total"
        await pilot.press(*"[5m])", "enter")
        await settle(pilot)
        assert app.queries == ("up", "rate(http_requests_total[5m])")


async def test_query_input_leaves_metricsql_to_victoriametrics(make_app):
    app = make_app(FakeMetrics({}, default=UP), queries=["up"], flavor="victoriametrics")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"rate(x)")  # MetricsQL (no range), not PromQL
        form = app.screen
        assert isinstance(form, QueryScreen)
        assert form.verdict == "✓ not PromQL: left to the server as MetricsQL"
        await pilot.press("enter")
        await settle(pilot)
        assert app.queries == ("up", "rate(x)")


class _BrokenMetrics(FakeMetrics):
    """A source with a bug: every query raises AttributeError."""

    async def query_range(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AttributeError("'NoneType' object has no attribute 'series'")


async def test_a_bug_in_a_worker_ends_the_app_with_the_error_recorded(make_app):
    app = make_app(_BrokenMetrics({}))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(50):
                if not app.is_running:
                    break
                await pilot.pause(0.05)
    except WorkerFailed as failed:  # Pilot re-raises what ended the app
        assert isinstance(failed.error, AttributeError)
    else:
        raise AssertionError("the worker's exception was swallowed")
    assert isinstance(app.crash, AttributeError)
    assert "'series'" in str(app.crash)
    assert app.return_code == 70


async def test_footer_fits_80_columns_with_help_and_the_incident_keys(make_app):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = make_app(incidents=FakeIncidents())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        shown = [(k.key_display, k.description) for k in keys]
        assert shown[:2] == [("q", "Quit"), ("?", "Help")]
        assert {("c", "Correlate"), ("t", "Traces"), ("s", "Silence"), ("/", "Filter")} <= set(
            shown
        )
        # Nothing is cut: every key ends inside the 80 columns.
        assert footer.virtual_size.width <= 80
        assert all(k.region.right <= 80 and k.region.width > 0 for k in keys)
        line = app.export_screenshot()
        assert "Pipeline" in line  # the last key is drawn whole


async def test_ranked_traces_show_as_they_arrive_in_rank_order(make_app):
    incidents = FakeIncidents()
    incidents.gate = asyncio.Event()
    incidents.stream_gate = asyncio.Event()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorrelateScreen)
        assert screen.table.row_count == 0  # nothing fetched yet
        incidents.gate.set()
        for _ in range(20):
            await pilot.pause()
            if screen.table.row_count == 2:
                break
        # Correlate is still running, and both traces are listed by rank: the slow one,
        # which landed second, went on top.
        assert screen.result is None
        assert [r[:3] for r in rows(screen.table)] == [
            ["1", TRACE_ID[:16], "1.20s"],
            ["2", "0" * 16, "800.0ms"],
        ]
        status = str(screen.query_one(".drill-status", Static).render())
        assert status.startswith("correlating… 2 traces ranked so far")
        assert screen.first_result_at is not None
        # Enter works before correlate ends.
        await pilot.press("enter")
        await settle_until(pilot, lambda: isinstance(app.screen, WaterfallScreen))
        assert incidents.traces == [TRACE_ID]
        await pilot.press("escape")
        incidents.stream_gate.set()
        await settle(pilot)
        assert screen.result is not None
        assert [r[:3] for r in rows(screen.table)] == [
            ["1", TRACE_ID[:16], "1.20s"],
            ["2", "0" * 16, "800.0ms"],
        ]
        assert "2 traces ranked by latency" in str(
            screen.query_one(".drill-status", Static).render()
        )


async def settle_until(pilot: Pilot[int], ready) -> None:  # type: ignore[no-untyped-def]
    for _ in range(50):
        await pilot.pause()
        if ready():
            return
    raise AssertionError("not ready")


async def test_a_cursor_moved_down_stays_on_its_trace_as_others_land(make_app):
    app = make_app(incidents=FakeIncidents())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CorrelateScreen)
        slow, missing = screen.ranked
        # On the top row, the cursor stays on the top row (the best so far).
        screen.fill([replace(missing, rank=1), replace(slow, rank=2)])
        assert screen.table.cursor_row == 0
        screen.fill([slow, missing])
        assert screen.table.cursor_row == 0
        # Moved down, it follows its trace when another one lands above it.
        screen.fill([replace(missing, rank=1)])
        screen.fill([replace(missing, rank=1), replace(slow, rank=2)])
        await pilot.press("down")
        assert screen.ranked[screen.table.cursor_row].trace_id == slow.trace_id
        screen.fill([slow, missing])
        assert screen.table.cursor_row == 0
        await pilot.press("down")
        screen.fill([slow, missing])
        assert screen.table.cursor_row == 1
        assert screen.ranked[1].trace_id == missing.trace_id


async def test_w_saves_the_panels_as_they_are_now(make_app):
    saved: list[tuple[str, ...]] = []

    def save(panels: tuple[str, ...]) -> str:
        saved.append(panels)
        return f"{len(panels)} panels saved to context 'prod' in /x/config.yaml"

    metrics = FakeMetrics({}, default=UP)
    app = make_app(metrics, save_panels=save)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"rate(x[5m])", "enter")
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert saved == [("up", "sum by (job) (up == 0)", "rate(x[5m])")]
        assert any("3 panels saved to context 'prod'" in n.message for n in app._notifications)


async def test_w_says_why_it_could_not_save(make_app):
    from obsctl.errors import ConfigError

    def save(panels: tuple[str, ...]) -> str:
        raise ConfigError("no context to save the panels in", hint="create one: obsctl config …")

    app = make_app(save_panels=save)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        (note,) = [n for n in app._notifications if n.title == "not saved"]
        assert note.message == "no context to save the panels in\ncreate one: obsctl config …"
        assert note.severity == "error"


async def test_span_view_logs_none_and_no_log_source(make_app):
    incidents = FakeIncidents()
    app = make_app(incidents=incidents)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        fall = app.screen
        assert isinstance(fall, WaterfallScreen)
        await pilot.press("enter")  # the root span: no log lines of its own
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert body.endswith("Logs\n  (none)\n")
        await pilot.press("escape", "escape")
        incidents.log_records = None  # no log source: no section at all
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert "payments: Charge" in body and "Logs" not in body


async def test_traces_view_is_live_on_the_local_store(make_app):
    from obsctl.model.traces import TraceSummary

    incidents = FakeIncidents()
    incidents.local_store = True
    clock = [NOW]
    app = make_app(incidents=incidents, clock=lambda: clock[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TracesScreen)
        assert screen.live
        assert str(screen.query_one(".drill-status", Static).render()).find("· live") > 0
        await pilot.press("down")  # on the second trace
        # The receiver stores a new trace; the next search (every 2 s) shows it on top,
        # over a range that follows now, and the cursor stays on its trace.
        clock[0] = NOW + timedelta(seconds=5)
        new = TraceSummary("9" * 32, "api", "GET /new", clock[0], 10_000_000, 1, 0)
        incidents.recent.insert(0, new)
        searched = screen.searches
        for _ in range(60):
            await pilot.pause(0.1)
            if screen.searches > searched:
                break
        assert screen.searches > searched
        assert [r[1] for r in rows(screen.table)][:2] == ["9" * 16, TRACE_ID[:16]]
        assert screen.table.cursor_row == 2  # still "1111…", now third
        last = incidents.searches[-1]
        assert (last.start, last.end) == (clock[0] - timedelta(minutes=30), clock[0])
        # l pauses: no more searches.
        await pilot.press("l")
        assert not screen.live
        assert "paused (l: live)" in str(screen.query_one(".drill-status", Static).render())
        n = len(incidents.searches)
        await pilot.pause(2.5)
        assert len(incidents.searches) == n


async def test_traces_view_is_not_live_on_a_remote_backend_or_a_fixed_range(make_app):
    incidents = FakeIncidents()
    incidents.local_store = True
    app = make_app(incidents=incidents, end=NOW - timedelta(hours=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TracesScreen) and not app.screen.live
        await pilot.press("l")
        assert not app.screen.live
        assert any("live needs the local store" in n.message for n in app._notifications)


async def test_an_empty_panel_says_no_series_whole(make_app):
    metrics = FakeMetrics({"up": UP, "sum by (job) (up == 0)": matrix()})
    app = make_app(metrics)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.query_one("#query-1", QueryPanel)
        assert rows(panel.table) == [["no series", "", ""]]
        width = panel.table.columns[panel.table.ordered_columns[0].key].width
        assert width >= len("no series")


class _BrokenClose(FakeMetrics):
    async def aclose(self) -> None:
        raise AttributeError("'NoneType' object has no attribute 'aclose'")


async def test_a_bug_while_closing_the_sources_is_kept_as_the_crash(make_app):
    alerts = FakeAlerts([])
    app = make_app(_BrokenClose({}, default=UP), alerts=alerts)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
    # The exit went through; the other source was still closed; the bug is reported.
    assert alerts.closed
    assert isinstance(app.crash, AttributeError) and "'aclose'" in str(app.crash)
