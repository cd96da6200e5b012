"""``obsctl.lifetime``: the kept object, the exit status, a fast exit that still flushes."""

from __future__ import annotations

import subprocess
import sys

from obsctl import lifetime


def test_keep_replaces_the_previous_object() -> None:
    a, b = object(), object()
    lifetime.keep_until_exit(a)
    lifetime.keep_until_exit(b)
    assert lifetime.holding()
    assert lifetime._kept == [b]


def test_exit_code_follows_system_exit() -> None:
    assert lifetime.exit_code(None) == 0
    assert lifetime.exit_code(3) == 3
    assert lifetime.exit_code("boom") == 1


def test_fast_exit_flushes_output_and_runs_exit_handlers() -> None:
    code = (
        "import atexit, sys\n"
        "from obsctl import lifetime\n"
        "atexit.register(lambda: sys.stdout.write('handler\\n'))\n"
        "sys.stdout.write('data')\n"
        "lifetime.fast_exit(4)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert proc.returncode == 4
    assert proc.stdout == "datahandler\n"


def test_a_command_without_a_kept_object_can_ask_for_the_fast_exit() -> None:
    lifetime._kept.clear()
    lifetime._quick.clear()
    assert not lifetime.holding()
    lifetime.end_without_teardown()
    try:
        assert lifetime.holding()
    finally:
        lifetime._quick.clear()


def test_a_running_thread_gets_the_normal_exit() -> None:
    import threading

    lifetime.end_without_teardown()
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert lifetime.holding()
        assert not lifetime.fast_exit_wanted()
    finally:
        release.set()
        worker.join()
        lifetime._quick.clear()
