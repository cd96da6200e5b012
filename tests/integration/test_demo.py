"""`obsctl demo` end to end, as a user runs it: a live stack, the incident, the tour, and
nothing left running afterwards (also when stopped with Ctrl-C under --keep)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.integration.servers import ALERTMANAGER_BIN, PROMETHEUS_BIN, require_binary


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCTL_")}
    env.update({"COLUMNS": "120", "NO_COLOR": "1"})
    return env


def _ports(output: str) -> list[int]:
    return [int(p) for p in re.findall(r"on http://127\.0\.0\.1:(\d+)", output)]


def _closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(autouse=True)
def _servers() -> None:
    require_binary(PROMETHEUS_BIN)
    require_binary(ALERTMANAGER_BIN)


def test_demo_walks_the_tour_and_stops_everything() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "obsctl", "demo", "--warmup", "3s"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    assert "CheckoutLatencyHigh is firing" in out
    for step in (
        "doctor",
        "correlate CheckoutLatencyHigh",
        "trace search",
        "query",
        "lint",
        "validate",
    ):
        assert f"$ obsctl {step}" in out, step
    # doctor sees the store, correlate finds the database behind the alert with its logs,
    # and the trace shows log lines under spans.
    assert re.search(r"local\s+✓ ok", out), out
    assert "bottleneck payments-db SELECT orders FOR UPDATE" in out
    assert "↳ ERROR payments-db: lock wait timeout exceeded" in out
    assert "↳ +" in out and "WARN lock wait on orders" in out
    assert "stopping the demo stack" in out
    ports = _ports(out)
    assert len(ports) == 4  # receiver, shop metrics, Alertmanager, Prometheus
    assert all(_closed(p) for p in ports)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_demo_keep_runs_until_stopped_then_stops_everything(sig: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "obsctl", "demo", "--keep", "--warmup", "1s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
        start_new_session=True,  # so a failed test can stop the whole group
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C stops everything" in line or time.monotonic() > deadline:
            break
    out = "".join(lines)
    assert "export OBSCTL_STORE=" in out and "OTEL_EXPORTER_OTLP_ENDPOINT=" in out, out
    ports = _ports(out)
    assert ports and not any(_closed(p) for p in ports)  # still serving
    proc.send_signal(sig)
    try:
        rest, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate()
        raise AssertionError(f"the demo did not stop after {sig}:\n{out}{rest}") from exc
    kept = re.search(r"Files and logs: (\S+)\.", out)
    assert kept is not None
    if sig == signal.SIGKILL:
        # No cleanup can run: the processes it started go with it (parent-death signal).
        assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while not all(_closed(p) for p in ports) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert all(_closed(p) for p in ports)
        shutil.rmtree(kept.group(1))
        return
    assert proc.returncode == 0, out + rest
    assert "stopping the demo stack" in rest
    assert all(_closed(p) for p in ports)
    shutil.rmtree(kept.group(1))  # --keep leaves it for exploring
