"""``obsctl query``, ``series``, ``labels`` and ``metadata``: PromQL in the terminal."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from obsctl.cli.complete import label_names, metric_names
from obsctl.cli.options import (
    OUTPUT,
    TIME_RANGE,
    EndOpt,
    SinceOpt,
    StartOpt,
    output_option,
)
from obsctl.cli.state import get_state

if TYPE_CHECKING:
    from obsctl.cli.state import AppState
    from obsctl.model.metrics import QueryAnswer, WatchFrame
    from obsctl.model.time import TimeRange

QueryFormat = Literal["text", "wide", "json", "ndjson", "csv"]
ListFormat = Literal["text", "wide", "json"]

StepOpt = Annotated[
    str,
    typer.Option(
        "--step",
        help="Range resolution (e.g. 30s, 5m), or auto: a round step that fills the terminal.",
        rich_help_panel=TIME_RANGE,
        metavar="DURATION|auto",
    ),
]
MatchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--match",
        "-m",
        help="Only series matching this selector (repeatable).",
        metavar="SELECTOR",
    ),
]
NoCheckOpt = Annotated[
    bool,
    typer.Option(
        "--no-check",
        help="Send the selectors without the offline check (the server judges them).",
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, help="At most this many entries (server-side)."),
]


def _range_or_none(
    state: AppState, since: str | None, start: str | None, end: str | None
) -> TimeRange | None:
    if since is None and start is None and end is None:
        return None
    return state.time_range(since=since, start=start, end=end)


def _surface_annotations(state: AppState, answer_warnings: list[str], infos: list[str]) -> None:
    from obsctl.render.query import render_annotations

    render_annotations(state.consoles, answer_warnings, infos)


def query(
    ctx: typer.Context,
    expr: Annotated[
        str,
        typer.Argument(metavar="EXPR", help="PromQL expression.", shell_complete=metric_names),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Evaluate an instant query at this time (default now).",
            rich_help_panel=TIME_RANGE,
            metavar="TIME",
        ),
    ] = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    step: StepOpt = "auto",
    check: Annotated[
        bool, typer.Option("--check", help="Only parse the expression (offline) and exit.")
    ] = False,
    no_check: Annotated[
        bool,
        typer.Option(
            "--no-check",
            help="Send the expression without the offline PromQL check (the server judges it).",
        ),
    ] = False,
    output: Annotated[QueryFormat, output_option(wide=True)] = "text",
    raw: Annotated[
        bool,
        typer.Option(
            "--raw", help="Print the server's response body unchanged.", rich_help_panel=OUTPUT
        ),
    ] = False,
    plot: Annotated[
        bool,
        typer.Option("--plot", help="Draw a line chart of a range query.", rich_help_panel=OUTPUT),
    ] = False,
    grafana: Annotated[
        bool,
        typer.Option(
            "--grafana",
            help="Also print a Grafana Explore link (stderr); needs grafana in the context.",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    watch: Annotated[
        str | None,
        typer.Option(
            "--watch",
            help="Re-run every DURATION and redraw in place (Ctrl-C stops).",
            rich_help_panel=OUTPUT,
            metavar="DURATION",
        ),
    ] = None,
) -> None:
    """Run a PromQL query: instant by default, a range with --since or --start/--end.

    The expression is parsed locally first: a syntax error exits 2 and shows where it broke, without contacting the server. Instant vectors print as a table (labels as columns, human units for _seconds and _bytes metrics); ranges print one row per series with min/avg/max/last and a sparkline, sorted by the last value, or a chart with --plot. Server warnings go to stderr. Works with Prometheus, Thanos, Mimir/Cortex and VictoriaMetrics. Exit codes: 0 ok (also for an empty result), 2 bad expression or flags, 3 server unreachable, 4 server error.

    [bold]Examples[/bold]

      obsctl query 'sum by (code) (rate(http_requests_total[5m]))'
      obsctl query 'histogram_quantile(0.99, rate(x_seconds_bucket[5m]))' \\
          --since 6h --plot
      obsctl query up --at '2026-11-25 10:00' -o json
    """  # noqa: E501 - Typer help: one paragraph per line
    from obsctl.errors import UsageError
    from obsctl.parsers.promql import check_promql

    state = get_state(ctx)
    if check and no_check:
        raise UsageError("--check and --no-check exclude each other")
    if check:
        ast = check_promql(expr)
        state.consoles.out.print(_pretty(ast, expr), soft_wrap=True, markup=False)
        return
    is_range = any(v is not None for v in (since, start, end)) or step != "auto"
    if at is not None and is_range:
        raise UsageError("--at is for instant queries; not with --since/--start/--end/--step")
    if plot and not is_range:
        raise UsageError("--plot needs a range", hint="add --since 1h (or --start/--end)")
    if raw and output != "text":
        raise UsageError("--raw prints the server's body; it cannot be combined with -o")
    if raw and watch:
        raise UsageError("--raw cannot be combined with --watch")
    grafana_url = state.settings.grafana_url if grafana else None
    if grafana and grafana_url is None:
        raise UsageError(
            "--grafana needs a Grafana URL in the context",
            hint="obsctl config set-context NAME --grafana-url https://grafana.example.com",
        )
    step_td = None if step == "auto" else state.duration(step, option="--step")
    if watch is None:
        answer = _run_once(
            state, expr, at, since, start, end, step_td, raw=raw, plot=plot, check=not no_check
        )
        _show(state, answer, "raw" if raw else output, grafana_url)
        return
    from obsctl.workflows.query import watch_query

    interval = state.duration(watch, option="--watch")

    def draw(frame: WatchFrame) -> None:
        from obsctl.render.query import render_watch_frame

        render_watch_frame(frame, output, state.consoles)
        if frame.answer is not None:
            _grafana_link(state, frame.answer, grafana_url)

    watch_query(
        lambda: _run_once(
            state, expr, at, since, start, end, step_td, raw=False, plot=plot, check=not no_check
        ),
        expr,
        interval,
        draw,
        now=state.now,
    )


def _pretty(ast: object, expr: str) -> str:
    from obsctl.model.promql_ast import pretty_expr

    try:
        return pretty_expr(ast)  # type: ignore[arg-type]
    except RecursionError:  # a layout thousands of levels deep: print it as given
        return expr


def _run_once(
    state: AppState,
    expr: str,
    at: str | None,
    since: str | None,
    start: str | None,
    end: str | None,
    step: timedelta | None,
    *,
    raw: bool,
    plot: bool,
    check: bool = True,
) -> QueryAnswer:
    from obsctl.model.time import TimeSyntaxError, parse_instant
    from obsctl.workflows.query import run_query

    time_range = None
    if since is not None or start is not None or end is not None or step is not None:
        time_range = state.time_range(since=since, start=start, end=end)
    at_t = None
    if at is not None:
        try:
            at_t = parse_instant(at, now=state.now())
        except TimeSyntaxError as exc:
            from obsctl.errors import UsageError

            raise UsageError(f"--at: {exc}") from None
    return state.run(
        run_query(
            state.endpoint("prometheus"),
            expr,
            at=at_t,
            time_range=time_range,
            step=step,
            width=state.consoles.out.width,
            raw=raw,
            plot=plot,
            log=state.http_log,
            on_note=lambda note: _surface_annotations(state, [], [note]),
            check=check,
        )
    )


def _show(state: AppState, answer: QueryAnswer, fmt: str, grafana_url: str | None) -> None:
    from obsctl.render import emit

    res = answer.result
    _surface_annotations(state, list(res.warnings), list(res.infos))
    emit(answer, fmt, state.consoles)
    _grafana_link(state, answer, grafana_url)


def _grafana_link(state: AppState, answer: QueryAnswer, grafana_url: str | None) -> None:
    if grafana_url is not None:
        from datetime import UTC, datetime

        from obsctl.workflows.query import grafana_explore_url

        start = datetime.fromtimestamp(answer.start, UTC) if answer.start is not None else None
        end = datetime.fromtimestamp(answer.end, UTC) if answer.end is not None else None
        if start is None and answer.time is not None:  # instant: the hour up to its time
            end = datetime.fromtimestamp(answer.time, UTC)
            start = end - timedelta(hours=1)
        state.consoles.err.print(
            f"grafana: {grafana_explore_url(grafana_url, answer.expr, start=start, end=end)}",
            markup=False,
            soft_wrap=True,
        )


def series(
    ctx: typer.Context,
    matchers: Annotated[
        list[str],
        typer.Argument(
            metavar="SELECTOR...",
            help='Series selectors, e.g. up{job="api"}.',
            shell_complete=metric_names,
        ),
    ],
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    limit: LimitOpt = None,
    no_check: NoCheckOpt = False,
    output: Annotated[ListFormat, output_option(wide=True)] = "text",
) -> None:
    """List the series matching one or more selectors.

    Without a time range the server's default applies (Prometheus: everything it holds).

    [bold]Examples[/bold]

      obsctl series 'up{job="api"}' --since 1h
      obsctl series http_requests_total -o json
    """
    from obsctl.render import emit
    from obsctl.workflows.query import run_series

    state = get_state(ctx)
    result = state.run(
        run_series(
            state.endpoint("prometheus"),
            matchers,
            time_range=_range_or_none(state, since, start, end),
            limit=limit,
            log=state.http_log,
            check=not no_check,
        )
    )
    _surface_annotations(state, list(result.warnings), list(result.infos))
    emit(result, output, state.consoles)


def labels(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]",
            help="List the values of this label instead of names.",
            shell_complete=label_names,
        ),
    ] = None,
    match: MatchOpt = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    no_check: NoCheckOpt = False,
    output: Annotated[ListFormat, output_option(wide=True)] = "text",
) -> None:
    """List label names, or the values of one label.

    [bold]Examples[/bold]

      obsctl labels
      obsctl labels job
      obsctl labels instance --match 'up{job="api"}' --since 1h
    """
    from obsctl.render import emit
    from obsctl.workflows.query import run_labels

    state = get_state(ctx)
    result = state.run(
        run_labels(
            state.endpoint("prometheus"),
            name,
            matchers=match or [],
            time_range=_range_or_none(state, since, start, end),
            log=state.http_log,
            check=not no_check,
        )
    )
    _surface_annotations(state, list(result.warnings), list(result.infos))
    emit(result, output, state.consoles)


def metadata(
    ctx: typer.Context,
    metric: Annotated[
        str | None,
        typer.Argument(metavar="[METRIC]", help="Only this metric.", shell_complete=metric_names),
    ] = None,
    limit: LimitOpt = None,
    output: Annotated[ListFormat, output_option(wide=True)] = "text",
) -> None:
    """Show the type, unit and help of scraped metrics.

    [bold]Examples[/bold]

      obsctl metadata
      obsctl metadata http_requests_total -o json
    """
    from obsctl.render import emit
    from obsctl.workflows.query import run_metadata

    state = get_state(ctx)
    result = state.run(
        run_metadata(state.endpoint("prometheus"), metric, limit=limit, log=state.http_log)
    )
    _surface_annotations(state, list(result.warnings), [])
    emit(result, output, state.consoles)
