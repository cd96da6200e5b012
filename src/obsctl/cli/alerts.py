"""``obsctl alerts``: what fires now; ``obsctl alerts route``: who would get it.

``obsctl alerts [MATCHER…]`` runs the ``list`` subcommand: ``DefaultGroup`` routes any first
token that is not a subcommand name to it.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.groups import DefaultGroup
from obsctl.cli.options import output_option
from obsctl.cli.state import get_state


class AlertsGroup(DefaultGroup):
    """``alerts X`` is ``alerts list X``; ``alerts`` alone lists."""

    default_command = "list"


app = typer.Typer(
    cls=AlertsGroup,
    rich_markup_mode="rich",
    help=(
        "Firing and pending alerts (Alertmanager and the Prometheus rules API), and which "
        "receiver an alert would reach.\n\n"
        "[bold]Examples[/bold]\n\n"
        "  obsctl alerts\n\n"
        "  obsctl alerts severity=page --silenced\n\n"
        "  obsctl alerts HighCheckoutLatency -o json\n\n"
        "  obsctl alerts route severity=page team=db"
    ),
)

MatchersArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[MATCHER]...",
        help='Label matchers (job=api, severity=~"page|critical"); a bare NAME is alertname=NAME.',
        show_default=False,
    ),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    matchers: MatchersArg = None,
    silenced: Annotated[bool, typer.Option("--silenced", help="Include silenced alerts.")] = False,
    inhibited: Annotated[
        bool, typer.Option("--inhibited", help="Include inhibited alerts.")
    ] = False,
    pending: Annotated[
        bool,
        typer.Option("--pending/--no-pending", help="Include pending alerts (rules API)."),
    ] = True,
    output: Annotated[Literal["text", "wide", "json"], output_option(wide=True)] = "text",
) -> None:
    """List firing and pending alerts, most urgent first.

    Firing alerts come from Alertmanager (silenced and inhibited ones with --silenced and
    --inhibited); pending ones from the Prometheus rules API. When Alertmanager cannot be
    reached, the rules API's firing alerts stand in (a note says so). Exit codes: 0 ok, 2
    bad matcher, 3 unreachable, 4 backend error.
    """
    from obsctl.parsers.matchers import parse_matchers
    from obsctl.render import emit
    from obsctl.workflows.alerts import AlertsRequest, list_alerts

    state = get_state(ctx)
    req = AlertsRequest(parse_matchers(matchers or []), silenced, inhibited, pending)
    result = state.run(list_alerts(state.settings, req, log=state.http_log))
    for note in result.notes:
        state.consoles.note(note)
    emit(result, output, state.consoles)


@app.command("route")
def route(
    ctx: typer.Context,
    labels: Annotated[
        list[str],
        typer.Argument(metavar="LABEL=VALUE...", help="The alert's labels.", show_default=False),
    ],
    config_file: Annotated[
        str | None,
        typer.Option(
            "--config-file",
            metavar="PATH",
            help="Alertmanager config to route with (default: the running Alertmanager's).",
        ),
    ] = None,
    output: Annotated[Literal["text", "json"], output_option()] = "text",
) -> None:
    """Show which receivers an alert with these labels would reach.

    Walks Alertmanager's routing tree as Alertmanager does (first matching child unless
    continue: true). The first line is the receivers, comma-separated, as amtool prints
    them; then the route path to each.

    [bold]Examples[/bold]

      obsctl alerts route severity=page team=db
      obsctl alerts route alertname=DiskFull --config-file alertmanager.yml -o json
    """
    from obsctl.render import emit
    from obsctl.workflows.alerts import parse_label_args, route_labels

    state = get_state(ctx)
    text = None
    if config_file is not None:
        from pathlib import Path

        from obsctl.errors import UsageError

        try:
            text = Path(config_file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"cannot read {config_file}: {exc.strerror}") from None
    result = state.run(
        route_labels(
            state.settings,
            parse_label_args(labels),
            config_text=text,
            config_name=config_file,
            log=state.http_log,
        )
    )
    emit(result, output, state.consoles)
