"""``obsctl --help`` stays light: no httpx, yaml or textual at start-up."""

from __future__ import annotations

import subprocess
import sys

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
