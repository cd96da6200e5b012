"""Root command: version, help, unknown command."""

from __future__ import annotations

from obsctl import __version__
from obsctl.exit_codes import ExitCode


def test_version(cli):
    res = cli("--version")
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.strip() == f"obsctl {__version__}"


def test_help_lists_commands(cli):
    res = cli("--help")
    assert res.exit_code == ExitCode.OK, res.output
    for name in ("doctor", "config", "completion"):
        assert name in res.stdout


def test_unknown_command_is_usage_error(cli):
    res = cli("frobnicate")
    assert res.exit_code == ExitCode.USAGE
    assert "frobnicate" in res.stderr


def test_global_options_are_listed_once_not_in_every_command_help(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    res = cli("query", "--help")
    assert res.exit_code == 0
    own_help, pointer = res.stdout.split("Global options (")
    assert "--prometheus-url" not in own_help
    assert "--context" not in own_help
    assert "obsctl options lists them." in pointer
    res = cli("options")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert "--prometheus-url URL" in lines
    assert "--context NAME" in lines
    assert "--color, --no-color" in lines


def test_hidden_global_options_still_work_after_the_command(cli, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("contexts:\n  a:\n    prometheus: http://a.test\n")
    res = cli("config", "get-contexts", "--config", str(cfg))
    assert res.exit_code == 0, res.output
    assert "a" in res.stdout.split()
