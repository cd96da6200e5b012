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


def test_a_bug_inside_the_dashboard_is_one_error_line_and_exit_70():
    """On a real terminal (a pty): no hang, no traceback with locals, the boundary's line."""
    import os
    import select
    import time

    code = (
        "import sys\n"
        "from obsctl.workflows import tui_sources\n"
        "async def broken(self, *args):\n"
        "    raise AttributeError(\"'NoneType' object has no attribute 'series'\")\n"
        "tui_sources.LiveBackends.query_range = broken\n"
        "from obsctl.cli import main\n"
        "sys.argv = ['obsctl', 'tui', '--prometheus-url', 'http://127.0.0.1:9',\n"
        "            '--alertmanager-url', 'http://127.0.0.1:9', '--refresh', '1s']\n"
        "main()\n"
    )
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("OBSCTL_DEBUG", None)  # --debug shows the traceback, by design
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the pty
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = out.decode("utf-8", "replace")
    assert rc == ExitCode.INTERNAL, text[-2000:]
    assert "obsctl: error: internal error: AttributeError: 'NoneType' object has no" in text
    assert "hint: rerun with --debug for the traceback, and report it" in text
    assert "Traceback" not in text and "locals" not in text
