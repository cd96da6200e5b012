"""``obsctl --help`` stays light: no httpx, yaml or textual at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("httpx", "textual", "yaml", "orjson", "obsctl.parsers.promql_parser")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["doctor", "--help"]])
def test_help_does_not_import_heavy_modules(args):
    code = (
        "import sys\n"
        "from obsctl.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='obsctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    marker = [line for line in out.stdout.splitlines() if line.startswith("LOADED:")]
    assert marker == ["LOADED:"], f"{args} imported {marker}"


def test_trace_file_runs_without_an_event_loop():
    """Reading a trace file waits on nothing: ``trace --file`` does not import asyncio
    (~15 ms of start-up with ssl), while a trace fetched from a backend still runs in one."""
    trace = Path(__file__).resolve().parents[2] / "examples" / "traces" / "checkout-slow.otlp.json"
    code = (
        "import sys\n"
        "from obsctl.cli import app\n"
        "try:\n"
        f"    app(['trace', '--file', {str(trace)!r}], prog_name='obsctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('ASYNCIO:', 'asyncio' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "Critical path" in out.stdout or "SPAN" in out.stdout
    assert out.stdout.splitlines()[-1] == "ASYNCIO: False"


_TEARDOWN_PROBE = (
    "import sys\n"
    "class Probe:\n"
    "    def __del__(self):\n"
    "        sys.__stderr__.write('interpreter teardown\\n')\n"
    "probe = Probe()\n"
    "sys.argv = ['obsctl', *sys.argv[1:]]\n"
    "from obsctl.cli import main\n"
    "main()\n"
)


def test_findings_commands_end_without_teardown_and_lose_no_output():
    """``validate`` (like ``lint`` and ``rules check``) ends with ``os._exit`` once its
    report is flushed: the whole report reaches a pipe, the exit status is the command's,
    and the interpreter's teardown (a module-level finalizer) does not run."""
    examples = Path(__file__).resolve().parents[2] / "examples" / "otelcol"
    inputs = sorted(str(p) for p in examples.glob("*.yaml"))
    proc = subprocess.run(
        [sys.executable, "-c", _TEARDOWN_PROBE, "validate", "-o", "json", *inputs],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)  # complete: the last byte was flushed
    assert report["summary"]["error"] == 4
    assert "interpreter teardown" not in proc.stderr


def test_other_commands_keep_the_teardown():
    proc = subprocess.run(
        [sys.executable, "-c", _TEARDOWN_PROBE, "config", "get-contexts"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "interpreter teardown" in proc.stderr
