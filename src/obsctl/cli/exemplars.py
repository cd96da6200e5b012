"""``obsctl exemplars``: the exemplars behind a query, from a latency spike to a trace ID."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.complete import metric_names
from obsctl.cli.options import EndOpt, SinceOpt, StartOpt, output_option
from obsctl.cli.state import get_state


def exemplars(
    ctx: typer.Context,
    expr: Annotated[
        str,
        typer.Argument(
            metavar="EXPR", help="PromQL whose series to read.", shell_complete=metric_names
        ),
    ],
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    above: Annotated[
        str | None,
        typer.Option(
            "--above",
            metavar="VALUE",
            help="Only exemplars whose value is above this (a number, or a duration: 500ms).",
        ),
    ] = None,
    sort: Annotated[
        Literal["newest", "largest"],
        typer.Option("--sort", help="Order of the rows.", show_default=True),
    ] = "newest",
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="Show at most this many exemplars."),
    ] = None,
    output: Annotated[Literal["text", "wide", "json"], output_option(wide=True)] = "text",
) -> None:
    """List the exemplars behind a query: time, value, trace ID and series.

    Needs exemplar storage on the server (Prometheus: --enable-feature=exemplar-storage).
    Then obsctl trace TRACE_ID shows where that request's time went. Durations given to
    --above are in seconds, as latency histograms are.

    [bold]Examples[/bold]

      obsctl exemplars 'http_request_duration_seconds_bucket{job="checkout"}' --since 1h
      obsctl exemplars checkout_latency_seconds_bucket --above 500ms --sort largest -n 5
    """
    from obsctl.errors import UsageError
    from obsctl.parsers.promql import check_promql
    from obsctl.render import emit
    from obsctl.workflows.alerts import ExemplarsRequest, list_exemplars

    state = get_state(ctx)
    check_promql(expr)
    rng = state.time_range(since=since, start=start, end=end)
    threshold = None
    if above is not None:
        try:
            threshold = float(above)
        except ValueError:
            threshold = state.duration(above, option="--above").total_seconds()
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    req = ExemplarsRequest(expr, rng.start, rng.end, threshold, sort, limit)
    result = state.run(
        list_exemplars(state.settings, req, note=state.consoles.note, log=state.http_log)
    )
    emit(result, output, state.consoles)
