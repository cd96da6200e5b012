"""Bytes-read progress for big lint inputs: a status line on a terminal's stderr, nothing in a
pipe or with --quiet. Driven through a real pseudo-terminal: stderr is a pty, stdout a pipe,
and stdin a pipe that stalls mid-input so the status line's one-second delay passes."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from obsctl.exit_codes import ExitCode
from obsctl.workflows.lint import parse_input

HEAD = "# HELP big_requests_total Requests.\n# TYPE big_requests_total counter\n"


def _rows(first: int, count: int) -> bytes:
    return "".join(
        f'big_requests_total{{instance="host-{i:07d}",job="api"}} {i}\n'
        for i in range(first, first + count)
    ).encode()


def run_on_a_terminal(*args: str, stall: float = 2.0) -> tuple[int, bytes, bytes]:
    """obsctl lint - with stderr on an 80-column pty; stdin sends 2 MiB, stalls, then the rest."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "obsctl", "lint", "-", "--fail-on", "never", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    err = bytearray()

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            err.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(HEAD.encode() + _rows(0, 40_000))  # ~2.4 MiB: more than one read
    proc.stdin.flush()
    time.sleep(stall)
    proc.stdin.write(_rows(40_000, 10_000))
    proc.stdin.close()
    out = proc.stdout.read()
    code = proc.wait(timeout=60)
    reader.join(timeout=10)
    os.close(master)
    return code, out, bytes(err)


@pytest.mark.skipif(sys.platform != "linux", reason="pty semantics")
def test_a_stalled_big_input_shows_bytes_read_on_a_terminal_then_clears() -> None:
    code, out, err = run_on_a_terminal()
    assert code == ExitCode.OK, err
    assert out.startswith(b"-\n") and b"reading" not in out  # findings on stdout, no status
    text = err.decode()
    assert "\r\x1b[2Kreading <stdin>: " in text
    status = text.split("\r\x1b[2Kreading <stdin>: ", 1)[1].split("\r", 1)[0]
    assert status.endswith(" read…") and "MiB" in status  # a pipe has no size: bytes only
    # Erased before the summary, and not drawn again after it (the work is done).
    before, summary = text.rsplit("\r\x1b[2K", 1)
    assert "reading <stdin>" in before
    assert summary == "\x1b[1m2 errors, 0 warnings, 0 info in 1 input\x1b[0m\r\n"


@pytest.mark.skipif(sys.platform != "linux", reason="pty semantics")
def test_quiet_shows_no_status_on_a_terminal() -> None:
    code, _, err = run_on_a_terminal("--quiet")
    assert code == ExitCode.OK, err
    assert b"reading" not in err


def test_no_status_off_a_terminal(cli, tmp_path: Path) -> None:
    path = tmp_path / "big.prom"
    path.write_bytes(HEAD.encode() + _rows(0, 50_000))
    res = cli("lint", str(path), "--fail-on", "never")
    assert res.exit_code == ExitCode.OK, res.output
    assert "reading" not in res.stderr and "\x1b" not in res.stderr


def test_a_file_reports_bytes_of_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.prom"
    data = HEAD.encode() + _rows(0, 50_000)
    data += b"# " + b"x" * ((4 << 20) - len(data) - 3) + b"\n"  # exactly 4 MiB
    path.write_bytes(data)
    seen: list[str] = []
    parse_input(str(path), fmt=None, progress=seen.append)
    # The first update after the first 1 MiB read; later ones at most every 0.2 s.
    assert seen[0] == f"reading {path}: 1.0 MiB of 4.0 MiB (25%)…"
    assert all(line.startswith(f"reading {path}: ") for line in seen)
