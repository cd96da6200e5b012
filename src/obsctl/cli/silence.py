"""``obsctl silence add|list|expire``: Alertmanager silences from the terminal."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.options import output_option
from obsctl.cli.state import get_state

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="rich",
    help=(
        "Create, list and expire Alertmanager silences.\n\n"
        "[bold]Examples[/bold]\n\n"
        "  obsctl silence add alertname=HighLatency job=api -d 2h -c 'deploy rollback'\n\n"
        "  obsctl silence add --from-alert DiskFull -d 30m -c 'cleaning up'\n\n"
        "  obsctl silence list\n\n"
        "  obsctl silence expire 0c6a5f7e-…"
    ),
)


def _default_author() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "obsctl"


@app.command("add")
def add(
    ctx: typer.Context,
    matchers: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[MATCHER]...",
            help='Label matchers (job=api, severity=~"page|critical"); a bare NAME is '
            "alertname=NAME.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        str, typer.Option("--duration", "-d", metavar="DURATION", help="How long it lasts.")
    ] = "1h",
    comment: Annotated[
        str | None,
        typer.Option("--comment", "-c", help="Why (required, as in amtool)."),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option("--author", "-a", help="Who (default: your user name)."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="TIME", help="When it starts (default: now)."),
    ] = None,
    from_alert: Annotated[
        str | None,
        typer.Option(
            "--from-alert",
            metavar="NAME",
            help="Silence this active alert: matchers from the labels its instances share.",
        ),
    ] = None,
    output: Annotated[Literal["text", "json"], output_option()] = "text",
) -> None:
    """Create a silence; print its ID.

    Exit codes: 0 created, 2 bad matchers/duration or no comment, 3 unreachable, 4
    Alertmanager refused it, 5 --from-alert names an alert that is not active.
    """
    from obsctl.errors import UsageError
    from obsctl.model.alerts import SilenceCreated
    from obsctl.model.time import TimeSyntaxError, parse_instant
    from obsctl.parsers.matchers import parse_matchers
    from obsctl.render import emit
    from obsctl.workflows.alerts import SilenceRequest, add_silence

    state = get_state(ctx)
    if not comment or not comment.strip():
        raise UsageError("a silence needs a comment", hint="-c 'why it is silenced'")
    span = state.duration(duration, option="--duration")
    now = state.now()
    try:
        begin = parse_instant(start, now=now) if start else now
    except TimeSyntaxError as exc:
        raise UsageError(f"--start: {exc}") from None
    req = SilenceRequest(
        matchers=parse_matchers(matchers or []),
        duration=span,
        comment=comment.strip(),
        author=author or _default_author(),
        start=begin,
        from_alert=from_alert,
    )
    silence_id, used = state.run(add_silence(state.settings, req, log=state.http_log))
    emit(SilenceCreated(silence_id, used, begin, begin + span), output, state.consoles)


@app.command("list")
def list_(
    ctx: typer.Context,
    matchers: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[MATCHER]...",
            help="Only silences with these matchers (Alertmanager's filter).",
            show_default=False,
        ),
    ] = None,
    expired: Annotated[bool, typer.Option("--expired", help="Include expired silences.")] = False,
    output: Annotated[Literal["text", "wide", "json"], output_option(wide=True)] = "text",
) -> None:
    """List active and pending silences (and expired ones with --expired)."""
    from obsctl.parsers.matchers import parse_matchers
    from obsctl.render import emit
    from obsctl.workflows.alerts import list_silences

    state = get_state(ctx)
    result = state.run(
        list_silences(
            state.settings, parse_matchers(matchers or []), expired=expired, log=state.http_log
        )
    )
    emit(result, output, state.consoles)


@app.command("expire")
def expire(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="Silence IDs.", show_default=False),
    ],
) -> None:
    """Expire silences (an already expired one is fine). Exit 5 for an unknown ID."""
    from obsctl.workflows.alerts import expire_silences

    state = get_state(ctx)
    state.run(expire_silences(state.settings, ids, log=state.http_log))
    state.consoles.note(f"expired {len(ids)} silence" + ("s" if len(ids) != 1 else ""))
