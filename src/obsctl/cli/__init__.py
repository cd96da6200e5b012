"""The command-line interface: the only package that imports typer/click.

This module is what the ``obsctl`` console script imports, so it imports nothing heavy:
``obsctl --version`` answers before Typer (~40 ms of imports) is loaded at all. The root
command and its table of subcommands live in ``cli/root.py``; ``from obsctl.cli import app``
still works and loads them on first access.
"""

from __future__ import annotations

import os
import sys

from obsctl import __version__

# Not ``typing.TYPE_CHECKING``: importing typing alone costs a few ms of the --version path.
# Type checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from obsctl.cli.root import COMMANDS, app

__all__ = ["COMMANDS", "app", "main"]


def __getattr__(name: str) -> Any:
    if name in ("app", "COMMANDS"):
        from obsctl.cli import root

        return getattr(root, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point.

    When a command kept a big result for the end of the process, or leaves nothing open
    (``obsctl.lifetime``), exit without tearing the interpreter down: freeing millions of
    objects, or every module's, only to exit is slow.
    """
    if sys.argv[1:] in (["--version"], ["-V"]) and "_OBSCTL_COMPLETE" not in os.environ:
        # What the eager --version option prints, without importing Typer or building the
        # command tree first.
        sys.stdout.write(f"obsctl {__version__}\n")
        return
    if sys.argv[1:3] == ["rules", "check"] and "_OBSCTL_COMPLETE" not in os.environ:
        # Its helper process for big rule sets starts on the named files while the CLI loads.
        from obsctl.workflows import rules_early

        rules_early.start(sys.argv[3:])
    from obsctl.cli.root import app
    from obsctl.redact import redacting

    # Consoles redact what commands print; this also covers what bypasses them (a --debug
    # traceback, Click's own messages).
    sys.stdout = redacting(sys.stdout, shapes=False)
    sys.stderr = redacting(sys.stderr)
    if "_OBSCTL_COMPLETE" in os.environ:
        # The scripts in completions/ speak Typer's completion protocol; Click's own (which
        # answers "plain,query" lines) is what runs unless Typer's classes are registered.
        # Only completion pays for the import.
        from typer._completion_classes import completion_init

        completion_init()
    try:
        app(prog_name="obsctl")
    except SystemExit as exc:
        # Imported by whatever kept something; otherwise there is nothing to skip.
        lifetime = sys.modules.get("obsctl.lifetime")
        if lifetime is None or not lifetime.fast_exit_wanted():
            raise
        lifetime.fast_exit(lifetime.exit_code(exc.code))
