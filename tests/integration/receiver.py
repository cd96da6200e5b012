"""Run ``obsctl receive`` as a real process on a free loopback port (test helper)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.integration.servers import dying_with_parent, free_port


@dataclass
class RunningReceiver:
    """A receiver process and where it listens and stores."""

    proc: subprocess.Popen[bytes]
    url: str
    store: Path
    log: Path

    def stderr(self) -> str:
        """What the receiver wrote to stderr so far."""
        return self.log.read_text(errors="replace")


def start_receiver(workdir: Path, *extra: str, store: Path | None = None) -> RunningReceiver:
    """Start ``obsctl receive`` and wait until it answers ``GET /health``."""
    port = free_port()
    store = store or workdir / "store.sqlite"
    log = workdir / f"receive-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCTL_")}
    proc = subprocess.Popen(
        dying_with_parent(
            [
                sys.executable,
                "-m",
                "obsctl",
                "receive",
                "--listen",
                f"127.0.0.1:{port}",
                "--store",
                str(store),
                *extra,
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"obsctl receive exited {proc.returncode}: {log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health", timeout=1) as resp,
        ):
            if resp.status == 200:
                return RunningReceiver(proc, url, store, log)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"obsctl receive did not start: {log.read_text()}")


def stop_receiver(rcv: RunningReceiver, sig: int = signal.SIGTERM) -> int:
    """Stop the receiver with ``sig`` and return its exit code."""
    if rcv.proc.poll() is None:
        rcv.proc.send_signal(sig)
        try:
            rcv.proc.wait(20)
        except subprocess.TimeoutExpired:
            rcv.proc.kill()
            rcv.proc.wait()
    return rcv.proc.returncode


@contextlib.contextmanager
def receiving(workdir: Path, *extra: str) -> Iterator[RunningReceiver]:
    """A receiver for the duration of the block."""
    rcv = start_receiver(workdir, *extra)
    try:
        yield rcv
    finally:
        stop_receiver(rcv)
