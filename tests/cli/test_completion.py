"""Completion scripts: printed by the CLI, committed in completions/, and they complete in the
real shells.

bash and fish are driven through their own completion machinery (bash calls the script's
completion function and reads ``COMPREPLY``; fish answers ``complete -C``); zsh has no such
entry point, so a real interactive zsh runs in tmux and the test reads what Tab inserted on
the command line. Each compares what the shell would offer or insert, exactly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO

FILES = {"bash": "obsctl.bash", "zsh": "_obsctl", "fish": "obsctl.fish"}
IN_CI = bool(os.environ.get("CI"))


def _need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        if IN_CI:
            pytest.fail(f"{binary} is not installed (scripts/install-servers.sh installs it)")
        pytest.skip(f"{binary} is not installed")
    return path


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with an ``obsctl`` executable running this checkout's code."""
    d = tmp_path_factory.mktemp("bin")
    exe = d / "obsctl"
    exe.write_text(f'#!/bin/sh\nexec {sys.executable} -m obsctl "$@"\n')
    exe.chmod(0o755)
    return d


def _env(bin_dir: Path, home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OBSCTL_", "_OBSCTL", "COMP_", "_TYPER"))
    }
    env.update(
        PATH=f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}",
        HOME=str(home),
        OBSCTL_CONFIG=str(home / "obsctl.yaml"),
        TERM="xterm",
    )
    return env


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_scripts_match_cli(cli, shell):
    res = cli("completion", shell)
    assert res.exit_code == 0, res.output
    assert res.stdout == (REPO / "completions" / FILES[shell]).read_text(), (
        "completions/ drifted: run python scripts/gen_completions.py"
    )


def test_unknown_shell_is_usage_error(cli):
    res = cli("completion", "tcsh")
    assert res.exit_code == 2


# ----------------------------------------------------------------------------- bash


def _bash_complete(words: str, bin_dir: Path, home: Path) -> list[str]:
    """What the committed bash script puts in COMPREPLY for ``words`` (cursor at the end)."""
    bash = _need("bash")
    script = (
        f"source {REPO / 'completions' / FILES['bash']}\n"
        f"COMP_WORDS=({words})\n"
        f"[[ '{words}' == *' ' ]] && COMP_WORDS+=('')\n"
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        "_obsctl_completion obsctl\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    out = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", script],
        env=_env(bin_dir, home),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [line for line in out.stdout.splitlines() if line]


def test_bash_completes_a_command_name(bin_dir, tmp_path):
    assert _bash_complete("obsctl qu", bin_dir, tmp_path) == ["query"]
    assert _bash_complete("obsctl do", bin_dir, tmp_path) == ["doctor"]


def test_bash_completes_options_and_choices(bin_dir, tmp_path):
    assert _bash_complete("obsctl doctor --fail", bin_dir, tmp_path) == ["--fail-on"]
    assert _bash_complete("obsctl completion ", bin_dir, tmp_path) == ["bash", "zsh", "fish"]


# ----------------------------------------------------------------------------- fish


def _fish_complete(line: str, bin_dir: Path, home: Path) -> list[str]:
    """Candidates (without descriptions) fish offers for ``line``."""
    fish = _need("fish")
    script = f"source {REPO / 'completions' / FILES['fish']}; complete -C '{line}'"
    out = subprocess.run(
        [fish, "--no-config", "-c", script],
        env=_env(bin_dir, home),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [row.split("\t", 1)[0] for row in out.stdout.splitlines() if row]


def test_fish_completes_a_command_name_with_its_summary(bin_dir, tmp_path):
    assert _fish_complete("obsctl qu", bin_dir, tmp_path) == ["query"]
    fish = _need("fish")
    script = f"source {REPO / 'completions' / FILES['fish']}; complete -C 'obsctl do'"
    out = subprocess.run(
        [fish, "--no-config", "-c", script],
        env=_env(bin_dir, tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert out.stdout.splitlines() == [
        "doctor\tCheck every configured endpoint: reachability, version, capabilities."
    ]


def test_fish_completes_choices(bin_dir, tmp_path):
    # fish sorts what it offers.
    assert _fish_complete("obsctl completion ", bin_dir, tmp_path) == ["bash", "fish", "zsh"]


# ----------------------------------------------------------------------------- zsh in tmux


class Tmux:
    """One tmux server with one window running ``argv``, on its own socket."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.tmux = _need("tmux")
        self.socket = f"obsctl-test-{uuid.uuid4().hex[:8]}"
        self.env = env
        subprocess.run(
            [
                self.tmux,
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "80",
                "-y",
                "24",
                *argv,
            ],
            env=env,
            check=True,
            timeout=10,
        )

    def send(self, *keys: str) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "send-keys", *keys], check=True, timeout=10)

    def screen(self) -> str:
        return subprocess.run(
            [self.tmux, "-L", self.socket, "capture-pane", "-p"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout

    def wait_for(self, predicate, timeout: float = 20.0) -> str:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"tmux screen never matched:\n{screen}")
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], check=False, timeout=10)


@pytest.fixture
def zsh(bin_dir, tmp_path):
    zsh_bin = _need("zsh")
    fpath = tmp_path / "zfunc"
    fpath.mkdir()
    shutil.copy(REPO / "completions" / FILES["zsh"], fpath / "_obsctl")
    (tmp_path / ".zshrc").write_text(
        f"fpath=({fpath} $fpath)\nautoload -Uz compinit && compinit -u -D\nPROMPT='READY> '\n"
    )
    env = _env(bin_dir, tmp_path)
    env["ZDOTDIR"] = str(tmp_path)
    term = Tmux([zsh_bin, "-i"], env)
    term.wait_for(lambda s: "READY>" in s)
    yield term
    term.close()


def _last_prompt_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.startswith("READY> ")]
    return lines[-1] if lines else ""


def test_zsh_tab_inserts_the_command_name(zsh):
    zsh.send("obsctl qu", "Tab")
    zsh.wait_for(lambda s: _last_prompt_line(s) not in ("", "READY> obsctl qu"))
    zsh.send("X")  # tmux drops trailing blanks: a typed letter shows the inserted space
    line = zsh.wait_for(lambda s: _last_prompt_line(s).endswith("X"))
    assert _last_prompt_line(line) == "READY> obsctl query X"


def test_zsh_lists_choices(zsh):
    zsh.send("obsctl completion ", "Tab")
    screen = zsh.wait_for(lambda s: "bash" in s)
    assert screen.splitlines()[1].split() == ["bash", "fish", "zsh"]


def test_zsh_tab_completes_an_option(zsh):
    zsh.send("obsctl doctor --fail", "Tab")
    line = zsh.wait_for(lambda s: "--fail-on" in _last_prompt_line(s))
    assert _last_prompt_line(line).rstrip() == "READY> obsctl doctor --fail-on"


# ----------------------------------------------------------------------------- dynamic values


def test_bash_completes_context_names_from_the_config_file(bin_dir, tmp_path):
    (tmp_path / "obsctl.yaml").write_text(
        "current-context: prod\ncontexts:\n  prod: {}\n  staging: {}\n  stage-2: {}\n"
    )
    assert _bash_complete("obsctl --context ", bin_dir, tmp_path) == ["prod", "staging", "stage-2"]
    assert _bash_complete("obsctl query up --context st", bin_dir, tmp_path) == [
        "staging",
        "stage-2",
    ]
    assert _bash_complete("obsctl config use-context pr", bin_dir, tmp_path) == ["prod"]


def test_a_broken_config_file_completes_nothing_and_prints_nothing(bin_dir, tmp_path):
    (tmp_path / "obsctl.yaml").write_text("contexts: [unclosed\n")
    assert _bash_complete("obsctl --context ", bin_dir, tmp_path) == []


def test_bash_completes_rule_ids_of_the_command(bin_dir, tmp_path):
    lint_ids = _bash_complete("obsctl lint --explain OBS10", bin_dir, tmp_path)
    assert lint_ids and all(i.startswith("OBS10") for i in lint_ids)
    validate_ids = _bash_complete("obsctl validate --select OTC10", bin_dir, tmp_path)
    assert validate_ids and all(i.startswith("OTC10") for i in validate_ids)
    # The last item of a comma-separated list.
    listed = _bash_complete("obsctl lint --ignore OBS101,OBS10", bin_dir, tmp_path)
    assert listed and all(i.startswith("OBS101,OBS10") for i in listed)


def test_fish_shows_rule_summaries(bin_dir, tmp_path):
    fish = _need("fish")
    script = (
        f"source {REPO / 'completions' / FILES['fish']}; complete -C 'obsctl lint --explain OBS101'"
    )
    out = subprocess.run(
        [fish, "--no-config", "-c", script],
        env=_env(bin_dir, tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    (row,) = out.stdout.splitlines()
    rule_id, summary = row.split("\t")
    assert rule_id == "OBS101"
    assert summary


def test_an_unreachable_server_completes_nothing_quickly(bin_dir, tmp_path):
    from tests.integration.servers import closed_port_url

    env_url = closed_port_url()
    (tmp_path / "obsctl.yaml").write_text(
        f"contexts:\n  c:\n    prometheus: {env_url}\ncurrent-context: c\n"
    )
    t0 = time.monotonic()
    assert _bash_complete("obsctl metadata demo_", bin_dir, tmp_path) == []
    assert time.monotonic() - t0 < 10
