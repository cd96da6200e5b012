"""Shared options.

Global options (``--config``, ``--context``, ``--debug``, ``--color``, the endpoint URL flags)
are declared once in ``GLOBAL_OPTIONS`` and accepted both before the subcommand
(``obsctl --context prod query up``) and after it (``obsctl query up --context prod``), where
users type them. ``ObsctlGroup.get_command`` appends them to every subcommand and strips them
from the keyword arguments before the command's own callback runs, so commands never declare
them. Per-command options with different choices (``--output``) are declared with the aliases
below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

import click
import typer
import typer.core

CONNECTION = "Connection"
TIME_RANGE = "Time range"
OUTPUT = "Output"
GLOBAL = "Global"

_URL_FLAGS = ("prometheus", "alertmanager", "tempo", "jaeger", "zipkin")


def _global_option_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {
            "decls": ["--config"],
            "name": "config",
            "envvar": "OBSCTL_CONFIG",
            "help": "Config file (default: OBSCTL_CONFIG, else the user config dir).",
            "metavar": "PATH",
            "panel": GLOBAL,
        },
        {
            "decls": ["--context"],
            "name": "context",
            "envvar": "OBSCTL_CONTEXT",
            "help": "Context to use instead of the current one.",
            "metavar": "NAME",
            "panel": CONNECTION,
        },
    ]
    for kind in _URL_FLAGS:
        specs.append(
            {
                "decls": [f"--{kind}-url"],
                "name": f"{kind}_url",
                "envvar": f"OBSCTL_{kind.upper()}_URL",
                "help": f"{kind.capitalize()} base URL (overrides the context).",
                "metavar": "URL",
                "panel": CONNECTION,
            }
        )
    specs += [
        {
            "decls": ["--color/--no-color"],
            "name": "color",
            "envvar": None,
            "help": "Force colour on or off (default: on for a terminal; NO_COLOR honoured).",
            "panel": GLOBAL,
            "flag": True,
        },
        {
            "decls": ["--debug"],
            "name": "debug",
            "envvar": None,
            "help": "Log requests to stderr (secrets redacted); show tracebacks.",
            "panel": GLOBAL,
            "flag": True,
        },
    ]
    return specs


GLOBAL_OPTION_NAMES = tuple(spec["name"] for spec in _global_option_specs())


def make_global_options() -> list[click.Option]:
    """Fresh click options for the global settings (one list per command)."""
    options: list[click.Option] = []
    for spec in _global_option_specs():
        kwargs: dict[str, Any] = {
            "param_decls": [*spec["decls"], spec["name"]],
            "help": spec["help"],
            "envvar": spec["envvar"],
            "rich_help_panel": spec["panel"],
            "default": None,
            "show_envvar": spec["envvar"] is not None,
        }
        if spec.get("flag"):
            if "/" not in spec["decls"][0]:
                kwargs["is_flag"] = True
        else:
            kwargs["metavar"] = spec["metavar"]
        options.append(typer.core.TyperOption(**kwargs))
    return options


def attach_global_options(cmd: click.Command) -> None:
    """Append the global options to ``cmd`` (recursively for groups), once."""
    if getattr(cmd, "_obsctl_globals", False):
        return
    cmd._obsctl_globals = True  # type: ignore[attr-defined]
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            attach_global_options(sub)
        return
    names = {p.name for p in cmd.params}
    flags = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    cmd.params.extend(
        o
        for o in make_global_options()
        if o.name not in names and not flags.intersection((*o.opts, *o.secondary_opts))
    )
    if cmd.callback is not None:
        cmd.callback = _strip_globals(cmd.callback)


def _strip_globals(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def wrapper(**kwargs: Any) -> Any:
        from obsctl.cli.state import AppState

        ctx = click.get_current_context()
        state = ctx.ensure_object(AppState)
        overrides = {name: kwargs.pop(name) for name in GLOBAL_OPTION_NAMES if name in kwargs}
        # Only what was typed after the subcommand overrides; environment values were already
        # taken by the root callback, and must not beat a flag given before the subcommand.
        typed = {
            k: v
            for k, v in overrides.items()
            if v is not None
            and ctx.get_parameter_source(k) is click.core.ParameterSource.COMMANDLINE
        }
        state.apply(**typed)
        return callback(**kwargs)

    return wrapper


# ------------------------------------------------------------------ per-command option aliases


def output_option() -> Any:
    """A ``-o/--output`` option (env ``OBSCTL_OUTPUT``); annotate it with a ``Literal`` of
    the command's formats, e.g. ``Annotated[Literal["text", "json"], output_option()]``."""
    return typer.Option(
        "--output",
        "-o",
        envvar="OBSCTL_OUTPUT",
        help="Output format.",
        rich_help_panel=OUTPUT,
        show_default=True,
    )


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Look back this far from --end (e.g. 30m, 6h, 2d).",
        rich_help_panel=TIME_RANGE,
        metavar="DURATION",
    ),
]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        help="Range start: now-1h, RFC 3339, '2026-11-25 10:00', Unix time.",
        rich_help_panel=TIME_RANGE,
        metavar="TIME",
    ),
]
EndOpt = Annotated[
    str | None,
    typer.Option(
        "--end",
        help="Range end (default now); same forms as --start.",
        rich_help_panel=TIME_RANGE,
        metavar="TIME",
    ),
]
BackendOpt = Annotated[
    Literal["tempo", "jaeger", "zipkin", "local"] | None,
    typer.Option(
        "--backend",
        help="Trace backend (default: the first configured).",
        rich_help_panel=CONNECTION,
    ),
]

FailOnOpt = Annotated[
    Literal["error", "warning", "info", "never"],
    typer.Option(
        "--fail-on",
        envvar="OBSCTL_FAIL_ON",
        help="Exit 1 when a finding reaches this severity.",
        rich_help_panel=OUTPUT,
        show_default=True,
    ),
]


def raise_for_findings(report: Any, fail_on: str) -> None:
    """Exit 1 (silently: the findings are printed) when ``report`` reaches ``fail_on``."""
    from obsctl.errors import FindingsFailed
    from obsctl.model.findings import Severity

    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    if report.reaches(threshold):
        raise FindingsFailed(f"findings at or above {fail_on}")
