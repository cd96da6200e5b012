"""``obsctl trace``: show one trace (by ID, or from a file) or search traces.

``obsctl trace TRACE_ID`` and ``obsctl trace --file PATH`` run the ``show`` subcommand:
``TraceGroup`` routes any first token that is not a subcommand name to it, and its help shows
``show``'s options together with the ``search`` subcommand.
"""

from __future__ import annotations

from typing import Annotated, BinaryIO, Literal

import click
import typer
import typer.core

from obsctl.cli.groups import DefaultGroup
from obsctl.cli.options import OUTPUT, BackendOpt, EndOpt, SinceOpt, StartOpt, output_option
from obsctl.cli.state import get_state


class TraceGroup(DefaultGroup):
    """A group whose default subcommand is ``show``: ``trace ID`` = ``trace show ID``."""

    default_command = "show"

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from typer import rich_utils

        show = self.commands[self.default_command]
        view = typer.core.TyperGroup(
            name=self.name,
            commands={n: c for n, c in self.commands.items() if n != self.default_command},
            params=[p for p in show.get_params(ctx) if p.name != "help"],
            help=self.help,
            epilog=self.epilog,
            subcommand_metavar="| search [OPTIONS]",
            rich_markup_mode=self.rich_markup_mode,
        )
        rich_utils.rich_format_help(obj=view, ctx=ctx, markup_mode="rich")


app = typer.Typer(
    cls=TraceGroup,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help=(
        "Show where a trace's time went: fetch it by ID from Tempo, Jaeger or Zipkin, or read "
        "a file.\n\n"
        "Draws a waterfall with the critical path and errors marked, then a per-service "
        "summary; -o json gives every span with its self and critical-path time.\n\n"
        "TRACE_ID is 1-32 hex characters (left-padded) or Tempo's base64 form; in the local "
        "store a shortened ID resolves to the one trace it starts, as in git. Without "
        "--backend, each configured trace backend is asked in turn. Files may be OTLP JSON "
        "(also the Collector's file exporter), Jaeger JSON or Zipkin v2 JSON. Exit codes: 0 ok, "
        "2 bad arguments or file, or a shortened ID several stored traces start with, "
        "3 backend unreachable, 4 backend error or bad payload, 5 trace (or --span) not "
        "found.\n\n"
        "[bold]Examples[/bold]\n\n"
        "  obsctl trace 4bf92f3577b34da6a3ce929d0e0e4736\n\n"
        "  obsctl trace --file trace.json --min-duration 5ms -o json\n\n"
        "  obsctl trace search --service checkout --min-duration 500ms --since 1h"
    ),
)


SEARCH_HELP = (
    "Search traces by service, operation, tags, duration and errors (every backend), or "
    "TraceQL (Tempo).\n\n"
    "Lists trace ID, root service and operation, start, duration, span and error counts, most "
    "recent first. Duration filters apply to spans. Jaeger needs --service.\n\n"
    "[bold]Examples[/bold]\n\n"
    "  obsctl trace search --service checkout --min-duration 500ms --since 6h\n\n"
    "  obsctl trace search --service checkout --error --since 1h\n\n"
    "  obsctl trace search -q '{ status = error }' --backend tempo --limit 50"
)


def _stdin() -> BinaryIO:
    import sys

    return sys.stdin.buffer


@app.command("show", hidden=True)
def show(
    ctx: typer.Context,
    trace_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[TRACE_ID]",
            help="Trace ID: 1-32 hex characters or base64.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            metavar="PATH",
            help="Read the trace from a file ('-' for stdin) instead of a backend.",
        ),
    ] = None,
    backend: BackendOpt = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    adjust_skew: Annotated[
        bool,
        typer.Option(
            "--adjust-skew",
            help="Shift spans to correct clock skew as Jaeger's adjuster does (default: warn).",
        ),
    ] = False,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth", min=1, metavar="N", help="Show N levels of the tree.", rich_help_panel=OUTPUT
        ),
    ] = None,
    min_duration: Annotated[
        str | None,
        typer.Option(
            "--min-duration",
            metavar="DURATION",
            help="Hide spans shorter than this (e.g. 5ms).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            "-s",
            metavar="NAME",
            help="Show this service's spans (and their ancestors).",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    span: Annotated[
        str | None,
        typer.Option(
            "--span",
            metavar="SPAN_ID",
            help="Show one span in full: attributes, events, links.",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Draw every span: no collapsing, no line limit.", rich_help_panel=OUTPUT
        ),
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw", help="Print the backend's (or file's) body unchanged.", rich_help_panel=OUTPUT
        ),
    ] = False,
    output: Annotated[Literal["text", "wide", "json", "ndjson"], output_option(wide=True)] = "text",
) -> None:
    """Show one trace: by ID from a backend, or from a file."""
    from obsctl.render import emit
    from obsctl.workflows.trace import TraceEnvironment, TraceShowRequest, run_trace_show

    state = get_state(ctx)
    request = TraceShowRequest(
        trace_id=trace_id,
        file=file,
        backend=backend,
        since=since,
        start=start,
        end=end,
        adjust_skew=adjust_skew,
        depth=depth,
        min_duration=min_duration,
        service=service,
        span=span,
        full=full,
        raw=raw,
    )
    env = TraceEnvironment(
        settings=lambda: state.settings, now=state.now(), stdin=_stdin, log=state.http_log
    )
    emit(state.run(run_trace_show(request, env)), output, state.consoles)


@app.command("search", help=SEARCH_HELP)
def search(
    ctx: typer.Context,
    service: Annotated[
        str | None, typer.Option("--service", "-s", metavar="NAME", help="Root or span service.")
    ] = None,
    operation: Annotated[
        str | None, typer.Option("--operation", metavar="NAME", help="Span (operation) name.")
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="KEY=VALUE", help="Span attribute match; repeatable."),
    ] = None,
    min_duration: Annotated[
        str | None,
        typer.Option(
            "--min-duration", metavar="DURATION", help="Only spans at least this long (e.g. 500ms)."
        ),
    ] = None,
    max_duration: Annotated[
        str | None,
        typer.Option("--max-duration", metavar="DURATION", help="Only spans at most this long."),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", metavar="TRACEQL", help="A TraceQL query (Tempo only)."),
    ] = None,
    errors: Annotated[
        bool,
        typer.Option("--error", help="Only traces with a span whose status is error."),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=10_000, help="Most traces to list.")
    ] = 20,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    backend: BackendOpt = None,
    output: Annotated[Literal["text", "wide", "json"], output_option(wide=True)] = "text",
) -> None:
    """Search traces (help text: ``SEARCH_HELP``)."""
    from obsctl.errors import UsageError
    from obsctl.model.traces import TraceSearch
    from obsctl.render import emit
    from obsctl.workflows.trace import search_traces

    state = get_state(ctx)
    if errors and query:
        raise UsageError(
            "--error goes with the search fields, not --query",
            hint="add status = error to the TraceQL",
        )
    tags: list[tuple[str, str]] = []
    for item in tag or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--tag {item!r}: expected KEY=VALUE")
        tags.append((key.strip(), value.strip()))
    window = state.time_range(since=since, start=start, end=end)

    def ns(text: str | None, option: str) -> int | None:
        return int(state.duration(text, option=option).total_seconds() * 1e9) if text else None

    q = TraceSearch(
        start=window.start,
        end=window.end,
        service=service,
        operation=operation,
        tags=tuple(tags),
        min_duration_ns=ns(min_duration, "--min-duration"),
        max_duration_ns=ns(max_duration, "--max-duration"),
        limit=limit,
        traceql=query,
        errors=errors,
    )
    result = state.run(
        search_traces(
            state.settings, q, backend=backend, log=state.http_log, progress=state.progress
        )
    )
    emit(result, output, state.consoles)
