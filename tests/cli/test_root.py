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
