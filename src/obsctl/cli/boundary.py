"""The one error boundary: domain errors → one line on stderr + a documented exit code.

Installed as ``invoke`` of the root Click group so that ``CliRunner`` sees real exit codes.
This module holds the only broad ``except`` in obsctl.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
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


def _stderr_consoles(ctx: click.Context | None) -> Any:
    from obsctl.cli.state import AppState

    state = ctx.find_object(AppState) if ctx is not None else None
    if state is not None:
        return state.consoles
    from obsctl.render.console import make_consoles

    return make_consoles()


def report_error(ctx: click.Context, err: ObsctlError) -> ExitCode:
    """Print ``err`` the boundary's way and return its exit code."""
    if not getattr(err, "silent", False):
        _stderr_consoles(ctx).error(err.message, err.hint)
    return exit_code_of(err)


def report_usage_error(err: click.UsageError) -> ExitCode:
    """One line for a usage error (Click's message), and a hint naming the command's help."""
    ctx = err.ctx
    message = err.format_message().replace("\n", " ")
    if message[:1].isupper() and not message[:2].isupper():
        message = message[0].lower() + message[1:]
    hint = f"{ctx.command_path} --help" if ctx is not None else "obsctl --help"
    _stderr_consoles(ctx).error(message, hint)
    return ExitCode.USAGE


class ObsctlGroup(typer.core.TyperGroup):
    """Root group: lazily loaded subcommands with the global options, and the error boundary.

    ``get_command`` (used by help listings and completion) answers with light placeholders;
    ``resolve_command`` (used to run a command or show its own help) loads the real one.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        from obsctl.cli.root import COMMANDS

        # Table order: the root help lists commands as the table groups them.
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from obsctl.cli.lazy import placeholder
        from obsctl.cli.root import COMMANDS

        spec = COMMANDS.get(cmd_name)
        if spec is not None:
            return placeholder(cmd_name, spec)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        from obsctl.cli.lazy import load_command
        from obsctl.cli.options import attach_global_options
        from obsctl.cli.root import COMMANDS

        try:
            name, cmd, rest = super().resolve_command(ctx, args)
        except click.UsageError as err:
            # Typer suggests from self.commands only; ours load lazily from the table.
            if args and "Did you mean" not in err.message:
                from difflib import get_close_matches

                close = get_close_matches(args[0], self.list_commands(ctx), n=3)
                if close:
                    suggestion = " or ".join(repr(c) for c in close)
                    raise click.UsageError(
                        f"{err.message.rstrip('.')}; did you mean {suggestion}?", ctx=err.ctx
                    ) from None
            raise
        if name is not None and name in COMMANDS:
            cmd = self._loaded.get(name)
            if cmd is None:
                cmd = self._loaded[name] = load_command(name, COMMANDS[name])
        if cmd is not None:
            attach_global_options(cmd)
        return name, cmd, rest

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's main, with usage errors as one line like every other error.

        ``obsctl: error: No such option: --sinc (Possible options: --since)`` and a
        ``hint: obsctl query --help`` line, exit 2 — instead of Click's framed box.
        """
        run = super().main
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        import sys

        try:
            rv = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.UsageError as err:
            sys.exit(int(report_usage_error(err)))
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            _stderr_consoles(None).error("aborted")
            sys.exit(int(ExitCode.INTERRUPTED))
        sys.exit(rv if isinstance(rv, int) else 0)

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
