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


class Pty:
    """``obsctl`` on a pseudo-terminal (Textual needs one): read what it draws, type keys."""

    def __init__(self, argv: list[str], *, code: str | None = None) -> None:
        import os

        self.master, slave = os.openpty()
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        env.pop("OBSCTL_DEBUG", None)  # --debug shows tracebacks, by design
        cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "obsctl", *argv]
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        self.out = b""

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    def read_until(self, ready, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
        """Read until ``ready(text)`` or the program ends; whether ``ready`` was met."""
        import os
        import select
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready(self.text):
                return True
            readable, _, _ = select.select([self.master], [], [], 0.2)
            if readable:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                self.out += chunk
            elif self.proc.poll() is not None:
                break
        return ready(self.text)

    def type(self, keys: str) -> None:
        import os

        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        import os

        self.read_until(lambda _text: False, timeout=0.5)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            os.close(self.master)


def test_a_bug_inside_the_dashboard_is_one_error_line_and_exit_70():
    """On a real terminal: no hang, no traceback with locals, the boundary's line."""
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
    term = Pty([], code=code)
    term.read_until(lambda text: "report it" in text)
    rc = term.wait()
    text = term.text
    assert rc == ExitCode.INTERNAL, text[-2000:]
    assert "obsctl: error: internal error: AttributeError: 'NoneType' object has no" in text
    assert "hint: rerun with --debug for the traceback, and report it" in text
    assert "Traceback" not in text and "locals" not in text


def test_w_saves_the_panels_and_the_next_start_shows_them(tmp_path):
    import yaml

    config = tmp_path / "config.yaml"
    config.write_text(
        "# my contexts\n"
        "current-context: prod\n"
        "contexts:\n"
        "  prod:\n"
        "    prometheus: http://127.0.0.1:9\n"
        "    alertmanager: http://127.0.0.1:9\n"
        "  other:\n"
        "    prometheus: http://other:9090\n"
    )
    base = ["tui", "--config", str(config), "--refresh", "1h"]
    first = Pty([*base, "-q", "up", "-q", "rate(saved_metric_total[5m])"])
    assert first.read_until(lambda text: "saved_metric_total" in text), first.text[-2000:]
    first.type("w")
    assert first.read_until(lambda _text: "tui" in config.read_text(), timeout=20)
    first.type("q")
    assert first.wait() == ExitCode.OK
    doc = yaml.safe_load(config.read_text())
    assert doc["contexts"]["prod"]["tui"] == {"panels": ["up", "rate(saved_metric_total[5m])"]}
    assert doc["contexts"]["other"] == {"prometheus": "http://other:9090"}

    second = Pty(base)  # no -q: the saved panels
    assert second.read_until(lambda text: "saved_metric_total" in text), second.text[-2000:]
    second.type("q")
    assert second.wait() == ExitCode.OK
