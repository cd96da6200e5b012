"""Small helpers shared by the benchmark scripts: timing and peak memory of subprocesses."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def obsctl_cmd() -> list[str]:
    """How to run obsctl: the venv's console script when present."""
    script = VENV_BIN / "obsctl"
    return [str(script)] if script.exists() else [sys.executable, "-m", "obsctl"]


def run_measured(
    cmd: Sequence[str], *, stdin: Path | None = None, stdout: int | None = subprocess.DEVNULL
) -> tuple[float, int, int]:
    """Run ``cmd``; return (wall seconds, peak RSS in KiB of that child, exit code).

    Peak RSS comes from ``wait4`` on the child alone, so earlier runs do not leak into it.
    """
    fin = stdin.open("rb") if stdin else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdin=fin, stdout=stdout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    finally:
        if stdin:
            fin.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, int(usage.ru_maxrss), proc.returncode


def best_of(cmd: Sequence[str], runs: int, **kw: object) -> tuple[float, float, int]:
    """(min wall, median wall, max peak RSS KiB) over ``runs`` runs."""
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak, _code = run_measured(cmd, **kw)  # type: ignore[arg-type]
        walls.append(wall)
        peaks.append(peak)
    return min(walls), statistics.median(walls), max(peaks)


def self_peak_kib() -> int:
    """Peak RSS of finished children so far (KiB)."""
    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
