"""``obsctl completion bash|zsh|fish``: print the shell completion script."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

SHELLS = ("bash", "zsh", "fish")

# Typer's zsh script only calls ``compdef`` when it runs, so installed in $fpath (as the
# README says) the first Tab merely registers it and completes nothing. This one completes
# both when autoloaded from $fpath and when sourced.
ZSH_SCRIPT = """#compdef obsctl

_obsctl() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _OBSCTL_COMPLETE=complete_zsh obsctl)
}

if [[ "$funcstack[1]" == "_obsctl" ]]; then
  _obsctl "$@"
else
  compdef _obsctl obsctl
fi
"""


def completion_script(shell: str) -> str:
    """The completion script for ``shell`` (what ``completions/`` holds)."""
    if shell == "zsh":
        return ZSH_SCRIPT
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
