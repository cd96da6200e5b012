"""The one error boundary: domain errors → one line on stderr + a documented exit code.

Installed as ``invoke`` of the root Click group so that ``CliRunner`` sees real exit codes.
This module holds the only broad ``except`` in obsctl.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import click
import typer
import typer.core

from obsctl.errors import ObsctlError, exit_code_of
from obsctl.exit_codes import ExitCode


def _debug_enabled(ctx: click.Context) -> bool:
    from obsctl.cli.state import AppState

    state = ctx.find_object(AppState)
    if state is not None and state.debug:
        return True
    return os.environ.get("OBSCTL_DEBUG", "") not in ("", "0", "false")


def _stderr_consoles(ctx: click.Context) -> Any:
    from obsctl.cli.state import AppState

    state = ctx.find_object(AppState)
    if state is not None:
        return state.consoles
    from obsctl.render.console import make_consoles

    return make_consoles()


def report_error(ctx: click.Context, err: ObsctlError) -> ExitCode:
    """Print ``err`` the boundary's way and return its exit code."""
    if not getattr(err, "silent", False):
        _stderr_consoles(ctx).error(err.message, err.hint)
    return exit_code_of(err)


class ObsctlGroup(typer.core.TyperGroup):
    """Root group: lazily loaded subcommands with the global options, and the error boundary.

    ``get_command`` (used by help listings and completion) answers with light placeholders;
    ``resolve_command`` (used to run a command or show its own help) loads the real one.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        from obsctl.cli import COMMANDS

        # Table order: the root help lists commands as the table groups them.
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from obsctl.cli import COMMANDS
        from obsctl.cli.lazy import placeholder

        spec = COMMANDS.get(cmd_name)
        if spec is not None:
            return placeholder(cmd_name, spec)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        from obsctl.cli import COMMANDS
        from obsctl.cli.lazy import load_command
        from obsctl.cli.options import attach_global_options

        name, cmd, rest = super().resolve_command(ctx, args)
        if name is not None and name in COMMANDS:
            cmd = self._loaded.get(name)
            if cmd is None:
                cmd = self._loaded[name] = load_command(name, COMMANDS[name])
        if cmd is not None:
            attach_global_options(cmd)
        return name, cmd, rest

    @property
    def _loaded(self) -> dict[str, click.Command]:
        cache: dict[str, click.Command] | None = getattr(self, "_obsctl_loaded", None)
        if cache is None:
            cache = {}
            self._obsctl_loaded = cache
        return cache

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ObsctlError as err:
            raise typer.Exit(int(report_error(ctx, err))) from None
        except KeyboardInterrupt:
            _stderr_consoles(ctx).error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # `obsctl query … | head`: the reader went away; that is not an error.
            _silence_broken_pipe()
            raise typer.Exit(0) from None
        except Exception as exc:
            if _debug_enabled(ctx):
                raise
            _stderr_consoles(ctx).error(
                f"internal error: {type(exc).__name__}: {exc}",
                "rerun with --debug for the traceback, and report it",
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None
        finally:
            _flush_outputs(ctx)


def _flush_outputs(ctx: click.Context) -> None:
    """Write out what the redacting streams still hold (an unfinished last line)."""
    from obsctl.cli.state import AppState

    state = ctx.find_object(AppState)
    consoles = getattr(state, "_consoles", None)
    for stream in (consoles.out_stream, consoles.err_stream) if consoles is not None else ():
        with contextlib.suppress(OSError, ValueError):  # closed, or a broken pipe
            stream.flush()


def _silence_broken_pipe() -> None:
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
