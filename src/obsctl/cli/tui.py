"""``obsctl tui``: the live dashboard."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from obsctl.cli.options import TIME_RANGE, EndOpt, StartOpt
from obsctl.cli.state import get_state


def tui(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Option(
            "--query",
            "-q",
            metavar="EXPR",
            help=(
                "PromQL for one panel; repeat for more. Default: the context's saved "
                "panels (w), else up and sum by (job) (up == 0)."
            ),
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="DURATION",
            help="Range each panel shows, up to now.",
            rich_help_panel=TIME_RANGE,
        ),
    ] = "30m",
    start: StartOpt = None,
    end: EndOpt = None,
    refresh: Annotated[
        str,
        typer.Option("--refresh", metavar="DURATION", help="Time between refreshes (≥ 1s)."),
    ] = "10s",
) -> None:
    """Watch PromQL queries and firing alerts live, in a full-screen dashboard.

    One panel per query lists its series with the latest value and a sparkline over --since; an alerts panel shows what Alertmanager is firing (name, severity, age, summary); the status line shows the context, endpoint health and the last refresh. A backend that fails shows its error in its panel and the dashboard keeps refreshing. Keys: tab or 1-9 move between panels, enter shows all labels or annotations, t lists recent traces, c correlates the selected alert with its traces (enter opens a trace's waterfall, then a span), s silences it, a adds its expression as a panel, n/e/d add, edit and remove panels, w saves them to the context, / filters rows, o sorts by value, + - [ ] zoom and pan the range, l goes live, r refreshes, ? helps, q quits (docs/tui.md). For a plain terminal or a pipe use [bold]obsctl query --watch[/bold].

    [bold]Examples[/bold]

      obsctl tui
      obsctl tui -q 'rate(http_requests_total[5m])' -q up --since 1h
      obsctl tui --context prod --refresh 30s
      obsctl tui --start '2026-11-25 08:00' --end '2026-11-25 10:00'
    """  # noqa: E501 - Typer help: one paragraph per line
    from datetime import datetime, timedelta

    from obsctl.errors import UsageError
    from obsctl.workflows.query import resolve_flavor
    from obsctl.workflows.tui_sources import DEFAULT_QUERIES, check_queries

    state = get_state(ctx)
    # -q wins; else the context's saved panels (`w` in the dashboard); else the defaults.
    exprs = list(query or state.settings.panels or DEFAULT_QUERIES)
    flavor = resolve_flavor(state.endpoint("prometheus"))
    check_queries(exprs, flavor)
    span = state.duration(since, option="--since")
    clock = lambda: datetime.now().astimezone()  # noqa: E731 - live: the range follows now
    fixed_end = None
    if start or end:
        # A fixed range (the incident of two hours ago): panels show [start, end); pan and
        # zoom move it, `l` goes live.
        window = state.time_range(since=None if start else since, start=start, end=end)
        span = window.end - window.start
        fixed_end = window.end
    every = state.duration(refresh, option="--refresh")
    if every < timedelta(seconds=1):
        raise UsageError("--refresh must be at least 1s")
    # Textual draws on stderr and reads keys from stdin.
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(
            "obsctl tui needs a terminal",
            hint="for a pipe or a log, use: obsctl query EXPR --watch",
        )
    prometheus = state.endpoint("prometheus")
    alertmanager = state.endpoint("alertmanager")

    from obsctl.tui.app import ObsctlApp  # textual: ~110 ms, paid by this command only
    from obsctl.tui.sources import open_sources
    from obsctl.workflows.tui_sources import LiveIncidents

    def save_panels(panels: tuple[str, ...]) -> str:
        from obsctl.workflows.config import save_panels as save

        config, path = state.load_config_file()
        name = state.settings.context
        save(config, path, name, panels)
        n = len(panels)
        return f"{n} panel{'s' if n != 1 else ''} saved to context {name!r} in {path}"

    metrics, alerts = open_sources(prometheus, alertmanager)
    incidents = LiveIncidents(state.settings, log=state.http_log)
    app = ObsctlApp(
        metrics,
        alerts,
        queries=exprs,
        since=span,
        refresh=every,
        clock=clock,
        context=state.settings.context,
        end=fixed_end,
        incidents=incidents,
        flavor=flavor,
        save_panels=save_panels,
    )
    app.run()
    if app.crash is not None:
        # A bug inside the dashboard: the error boundary reports it as one line (exit 70).
        raise app.crash
    raise typer.Exit(app.return_code or 0)
