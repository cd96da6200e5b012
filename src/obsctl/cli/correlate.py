"""``obsctl correlate ALERTNAME``: from an alert to the slow traces behind it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer

from obsctl.cli.complete import alert_names
from obsctl.cli.options import (
    CONNECTION,
    TIME_RANGE,
    BackendOpt,
    EndOpt,
    SinceOpt,
    StartOpt,
    output_option,
)
from obsctl.cli.state import AppState, get_state

ANALYSIS = "Analysis"

# Typer shows line breaks inside a paragraph, so each paragraph is one (long) line.
HELP = (
    "Find the slow traces behind an alert and where their time went.\n\n"
    "Firing windows come from every configured source: the rule's expression replayed over "
    "the range with --rules (pending vs firing, as Prometheus would have fired it), the ALERTS "
    "series, Alertmanager's active alerts, and --window. Candidate traces come from exemplars "
    "of the alert's series, series with a trace_id label, and Tempo/Jaeger/Zipkin search. The "
    "top traces are fetched concurrently, ranked, and summarised by critical path, with the "
    "operations that got slower than in a baseline window.\n\n"
    "A source that is missing or unreachable is skipped with a note on stderr. Exits 5 when "
    "the alert never fired in the range, 3 or 4 when no window source or no trace source "
    "works.\n\n"
    "[bold]Examples[/bold]\n\n"
    "  obsctl correlate HighCheckoutLatency --since 6h\n\n"
    "  obsctl correlate HighCheckoutLatency --rules alerts.yml \\\n"
    "      --start '2026-11-25 09:00' --end '2026-11-25 11:00'\n\n"
    "  obsctl correlate HighCheckoutLatency --window now-40m..now-10m \\\n"
    "      --backend tempo -o markdown"
)


def _one_line_note(state: AppState) -> Callable[[str], None]:
    """``obsctl: note: …`` on stderr, never wrapped (one line per skipped source)."""
    from rich.text import Text

    err = state.consoles.err

    def note(line: str) -> None:
        err.print(Text.assemble(("obsctl: note: ", "dim"), line), soft_wrap=True)

    return note


def correlate(
    ctx: typer.Context,
    alertname: Annotated[
        str,
        typer.Argument(help="The alert's name (its alertname label).", shell_complete=alert_names),
    ],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            metavar="FILE",
            help="Prometheus rule file or Kubernetes PrometheusRule defining the alert: its "
            "expression is replayed over the range (with for) and its series give exemplars.",
            rich_help_panel=ANALYSIS,
        ),
    ] = None,
    window: Annotated[
        list[str] | None,
        typer.Option(
            "--window",
            metavar="START..END",
            help="A firing window given by hand (repeatable).",
            rich_help_panel=TIME_RANGE,
        ),
    ] = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    slack: Annotated[
        str,
        typer.Option(
            "--slack",
            metavar="DURATION",
            help="Padding added on both sides of every window.",
            rich_help_panel=TIME_RANGE,
        ),
    ] = "1m",
    baseline_window: Annotated[
        str | None,
        typer.Option(
            "--baseline-window",
            metavar="START..END|off",
            help="Normal period to compare operations with (default: as long as the first "
            "window, just before it); 'off' skips the comparison.",
            rich_help_panel=TIME_RANGE,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=1000,
            help="Traces to fetch and list.",
            rich_help_panel=ANALYSIS,
        ),
    ] = 10,
    rank_by: Annotated[
        Literal["latency", "errors", "extent"],
        typer.Option(
            "--rank-by",
            help="latency: root span duration; errors: error spans; extent: whole trace "
            "including async tails.",
            rich_help_panel=ANALYSIS,
        ),
    ] = "latency",
    backend: BackendOpt = None,
    service_label: Annotated[
        list[str] | None,
        typer.Option(
            "--service-label",
            metavar="LABEL",
            help="Alert label naming the service to search traces for (repeatable; default "
            "service, service_name, job).",
            rich_help_panel=CONNECTION,
        ),
    ] = None,
    output: Annotated[
        Literal["text", "wide", "json", "markdown"], output_option(wide=True)
    ] = "text",
) -> None:
    """Find the slow traces behind an alert and where their time went (see HELP)."""
    from obsctl.render import emit
    from obsctl.workflows.correlate import CorrelateEnvironment, CorrelateOptions
    from obsctl.workflows.correlate import correlate as run

    state = get_state(ctx)
    options = CorrelateOptions(
        alert=alertname,
        rules=str(rules) if rules is not None else None,
        windows=tuple(window or ()),
        since=since,
        start=start,
        end=end,
        slack=slack,
        baseline_window=baseline_window,
        limit=limit,
        rank_by=rank_by,
        backend=backend,
        service_labels=tuple(service_label or ()),
    )
    env = CorrelateEnvironment(
        settings=lambda: state.settings,
        now=state.now(),
        log=state.http_log,
        note=_one_line_note(state),
        progress=state.progress,
    )
    emit(state.run(run(options, env)), output, state.consoles)


correlate.__doc__ = HELP
