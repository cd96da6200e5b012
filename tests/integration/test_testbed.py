"""The test bed itself: servers it starts do not outlive a killed test process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

CHILD = """
import subprocess, sys
from tests.integration.servers import dying_with_parent
proc = subprocess.Popen(dying_with_parent(["sleep", "60"]))
print(proc.pid, flush=True)
sys.stdin.read()
"""


def test_a_server_dies_with_the_test_process_that_started_it() -> None:
    tester = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert tester.stdout is not None
    server = int(tester.stdout.readline())
    os.kill(tester.pid, signal.SIGKILL)  # no teardown runs
    tester.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(server, signal.SIGKILL)
    raise AssertionError("the server outlived the killed test process")
