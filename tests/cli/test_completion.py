"""Completion scripts: printed by the CLI, committed in completions/, and they complete."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

FILES = {"bash": "obsctl.bash", "zsh": "_obsctl", "fish": "obsctl.fish"}


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_scripts_match_cli(cli, shell):
    res = cli("completion", shell)
    assert res.exit_code == 0, res.output
    assert res.stdout == (REPO / "completions" / FILES[shell]).read_text(), (
        "completions/ drifted: run python scripts/gen_completions.py"
    )


def test_runtime_completion_lists_commands():
    env = dict(os.environ, _OBSCTL_COMPLETE="complete_bash", COMP_WORDS="obsctl do", COMP_CWORD="1")
    out = subprocess.run(
        [sys.executable, "-m", "obsctl"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    # Typer's bash protocol: one "type,value" line per candidate.
    candidates = [line.split(",", 1)[1] for line in out.stdout.splitlines() if "," in line]
    assert candidates == ["doctor"]


def test_unknown_shell_is_usage_error(cli):
    res = cli("completion", "tcsh")
    assert res.exit_code == 2
