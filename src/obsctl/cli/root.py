"""The root command: global options and the table of (lazily loaded) subcommands.

Each command lives in its own module and keeps heavy imports inside its function body, so
``obsctl --help`` imports neither httpx, yaml nor textual.
"""

from typing import Annotated

import typer

from obsctl import __version__
from obsctl.cli.boundary import ObsctlGroup
from obsctl.cli.complete import context_names
from obsctl.cli.lazy import LazyCommand
from obsctl.cli.options import CONNECTION, GLOBAL, GLOBAL_KINDS, endpoint_options
from obsctl.cli.state import get_state

app = typer.Typer(
    cls=ObsctlGroup,
    name="obsctl",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=(
        "Observability troubleshooting from the terminal: PromQL, traces, alert → trace "
        "correlation, metric lint and OpenTelemetry Collector config validation.\n\n"
        "Global options (--context, --prometheus-url, --debug …) work before or after the "
        "command. Exit codes: 0 ok, 1 findings, 2 usage/bad input, 3 unreachable, "
        "4 backend error, 5 not found, 70 internal, 130 interrupted."
    ),
    epilog="Docs and examples: README.md · obsctl COMMAND --help",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"obsctl {__version__}")
        raise typer.Exit(0)


@app.callback()
@endpoint_options(GLOBAL_KINDS, envvar=True, panel=CONNECTION)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
            rich_help_panel=GLOBAL,
        ),
    ] = False,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="OBSCTL_CONFIG",
            metavar="PATH",
            help="Config file.",
            rich_help_panel=GLOBAL,
        ),
    ] = None,
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            envvar="OBSCTL_CONTEXT",
            metavar="NAME",
            help="Context to use.",
            shell_complete=context_names,
            rich_help_panel=CONNECTION,
        ),
    ] = None,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Force colour on or off.", rich_help_panel=GLOBAL),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Log requests to stderr; show tracebacks (OBSCTL_DEBUG=1: tracebacks only).",
            rich_help_panel=GLOBAL,
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            help="No notes or progress on stderr (warnings and errors still show).",
            rich_help_panel=GLOBAL,
        ),
    ] = False,
    endpoints: dict[str, str | None] | None = None,
) -> None:
    """Observability troubleshooting toolkit."""
    state = get_state(ctx)
    state.apply(
        config=config,
        context=context,
        color=color,
        debug=debug,
        quiet=quiet,
        endpoints=endpoints,
    )


COMMANDS: dict[str, LazyCommand] = {
    # name: LazyCommand("module:attribute", help panel, one-line summary for `obsctl --help`)
    "query": LazyCommand(
        "obsctl.cli.query:query", "Metrics", "Run a PromQL query (instant, range, chart)."
    ),
    "series": LazyCommand(
        "obsctl.cli.query:series", "Metrics", "List the series matching selectors."
    ),
    "labels": LazyCommand(
        "obsctl.cli.query:labels", "Metrics", "List label names, or the values of one label."
    ),
    "metadata": LazyCommand(
        "obsctl.cli.query:metadata", "Metrics", "Show type, unit and help of metrics."
    ),
    "tui": LazyCommand(
        "obsctl.cli.tui:tui", "Metrics", "Live dashboard: query panels, firing alerts, health."
    ),
    "trace": LazyCommand(
        "obsctl.cli.trace:app",
        "Traces",
        "Show where a trace's time went (Tempo, Jaeger, Zipkin or a file); search traces.",
    ),
    "alerts": LazyCommand(
        "obsctl.cli.alerts:app",
        "Alerts",
        "List firing and pending alerts; show which receiver an alert reaches.",
    ),
    "silence": LazyCommand(
        "obsctl.cli.silence:app", "Alerts", "Create, list and expire Alertmanager silences."
    ),
    "exemplars": LazyCommand(
        "obsctl.cli.exemplars:exemplars",
        "Traces",
        "List the exemplars (trace IDs) behind a query.",
    ),
    "correlate": LazyCommand(
        "obsctl.cli.correlate:correlate",
        "Traces",
        "Find the slow traces behind an alert and where their time went.",
    ),
    "receive": LazyCommand(
        "obsctl.cli.receive:receive",
        "Traces",
        "Receive OTLP/HTTP traces and logs into the local store.",
    ),
    "lint": LazyCommand(
        "obsctl.cli.lint:lint",
        "Check",
        "Check metric naming, exposition structure and cardinality (CI-friendly).",
    ),
    "validate": LazyCommand(
        "obsctl.cli.validate:validate",
        "Check",
        "Validate OpenTelemetry Collector configs offline, every problem at once.",
    ),
    "rules": LazyCommand(
        "obsctl.cli.rules:app",
        "Check",
        "Prometheus rule files: check them (promtool and beyond), unit-test them, backtest alerts.",
    ),
    "doctor": LazyCommand(
        "obsctl.cli.doctor:doctor",
        "Setup",
        "Check every configured endpoint: reachability, version, capabilities.",
    ),
    "demo": LazyCommand(
        "obsctl.cli.demo:demo",
        "Setup",
        "Live demo: receiver, demo shop, Prometheus, an incident, then the tour.",
    ),
    "config": LazyCommand(
        "obsctl.cli.config:app", "Setup", "View and edit contexts (endpoints, auth, tenants)."
    ),
    "options": LazyCommand(
        "obsctl.cli.global_options:options",
        "Setup",
        "List the global options every command accepts.",
    ),
    "completion": LazyCommand(
        "obsctl.cli.completion:completion",
        "Setup",
        "Print the shell completion script (bash, zsh, fish).",
    ),
}
"""Every subcommand, loaded on first use (see ``cli/lazy.py``)."""
