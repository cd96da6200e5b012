"""Lazily loaded subcommands.

The root group knows each command's name, help panel and one-line summary from a static table
and imports the command's module only when it is invoked (or its own ``--help`` is asked for).
``obsctl --version`` and ``obsctl --help`` therefore cost the same however many commands there
are: building a Typer command inspects its whole signature, several ms per command.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click
import typer
import typer.main


class LazyCommand(NamedTuple):
    """Where a command lives and how the root help lists it.

    A NamedTuple, not a dataclass: it is built at every start-up, and a frozen dataclass
    costs ~0.6 ms to define.
    """

    target: str
    """``module:attribute``: a command function, or a ``typer.Typer`` sub-app."""
    panel: str
    """Help panel in ``obsctl --help``."""
    summary: str
    """One-line summary shown in ``obsctl --help``."""


def load_command(name: str, spec: LazyCommand) -> click.Command:
    """Import and build the click command described by ``spec``."""
    module_name, attr = spec.target.split(":", 1)
    obj = getattr(importlib.import_module(module_name), attr)
    if isinstance(obj, typer.Typer):
        obj._add_completion = False  # completion is `obsctl completion SHELL`
        cmd = typer.main.get_command(obj)
    else:
        holder = typer.Typer(rich_markup_mode="rich", add_completion=False)
        holder.command(name)(obj)
        cmd = typer.main.get_command(holder)
    cmd.name = name
    cmd.rich_help_panel = spec.panel  # type: ignore[attr-defined]
    return cmd


def placeholder(name: str, spec: LazyCommand) -> click.Command:
    """A stand-in carrying only what the root help and completion listing need."""
    cmd = click.Command(name, short_help=spec.summary, help=spec.summary)
    cmd.rich_help_panel = spec.panel  # type: ignore[attr-defined]
    return cmd
