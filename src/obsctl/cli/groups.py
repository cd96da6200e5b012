"""Groups with a default subcommand: ``trace ID`` is ``trace show ID``, ``alerts X`` is
``alerts list X``."""

from __future__ import annotations

import click
import typer.core


class DefaultGroup(typer.core.TyperGroup):
    """Routes a first token that is not a subcommand name to ``default_command``; with no
    arguments at all, too, unless the group shows its help then (``no_args_is_help``)."""

    default_command = ""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args:
            if args[0] not in self.commands and args[0] not in ctx.help_option_names:
                args = [self.default_command, *args]
        elif not self.no_args_is_help:
            args = [self.default_command]
        return super().parse_args(ctx, args)
