"""``obsctl tui`` as a command: option checks before the screen starts, and a light --help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from obsctl.exit_codes import ExitCode


def test_bad_promql_is_a_usage_error_before_anything_starts(cli):
    res = cli("tui", "-q", "up", "-q", "rate(x[5m]")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr.splitlines()[0].startswith("obsctl: error: PromQL syntax error at column")
    assert res.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--refresh", "500ms"], "obsctl: error: --refresh must be at least 1s"),
        (["--refresh", "soon"], "obsctl: error: --refresh: "),
        (["--since", "-5m"], "obsctl: error: --since: "),
    ],
)
def test_bad_durations_are_usage_errors(cli, args, message):
    res = cli("tui", *args)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr.startswith(message)


def test_without_a_terminal_it_points_to_query_watch(cli):
    res = cli("tui")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr.splitlines() == [
        "obsctl: error: obsctl tui needs a terminal",
        "  hint: for a pipe or a log, use: obsctl query EXPR --watch",
    ]


def test_help_lists_keys_and_defaults(cli):
    res = cli("tui", "--help")
    assert res.exit_code == ExitCode.OK
    assert "Watch PromQL queries and firing alerts live" in res.stdout
    assert "[default: 30m]" in res.stdout and "[default: 10s]" in res.stdout


def test_tui_help_does_not_import_textual_or_httpx():
    code = (
        "import sys\n"
        "from obsctl.cli import app\n"
        "try:\n"
        "    app(['tui', '--help'], prog_name='obsctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED:' + ','.join(m for m in ('textual', 'httpx', 'yaml') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.splitlines()[-1] == "LOADED:"
