"""``obsctl completion bash|zsh|fish``: print the shell completion script."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

SHELLS = ("bash", "zsh", "fish")


def completion_script(shell: str) -> str:
    """The completion script for ``shell`` (what ``completions/`` holds)."""
    from typer._completion_shared import get_completion_script

    return (
        get_completion_script(prog_name="obsctl", complete_var="_OBSCTL_COMPLETE", shell=shell)
        + "\n"
    )


def completion(
    shell: Annotated[Literal["bash", "zsh", "fish"], typer.Argument(help="Shell.")],
) -> None:
    """Print the shell completion script.

    [bold]Examples[/bold]

      obsctl completion bash > ~/.local/share/bash-completion/completions/obsctl
      obsctl completion zsh > "${fpath[1]}/_obsctl"
      obsctl completion fish > ~/.config/fish/completions/obsctl.fish
    """
    typer.echo(completion_script(shell), nl=False)
