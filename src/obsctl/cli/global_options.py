"""``obsctl options``: the global options every command accepts, listed once."""

from __future__ import annotations

import typer

from obsctl.cli.options import make_global_options


def options(ctx: typer.Context) -> None:
    """List the global options: accepted before or after any command.

    They are listed here once rather than in every command's help. Precedence: flag >
    environment variable > context > default.

    [bold]Examples[/bold]

      obsctl --context prod query up
      obsctl query up --prometheus-url http://localhost:9090 --debug
    """
    lines = []
    for opt in make_global_options():
        names = ", ".join(opt.opts + opt.secondary_opts)
        meta = f" {opt.metavar}" if opt.metavar else ""
        env = f"  [env: {opt.envvar}]" if opt.envvar else ""
        lines.append(f"{names}{meta}")
        lines.append(f"    {opt.help}{env}")
    typer.echo("\n".join(lines))
