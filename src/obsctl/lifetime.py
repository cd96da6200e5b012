"""Process lifetime: keep the last big result alive until exit, then exit without teardown.

Freeing a parsed million-sample exposition (millions of small objects) takes a noticeable
share of a lint run, and the process is about to end anyway. ``keep_until_exit`` holds the
most recent such object (the previous one is freed, so memory stays bounded across inputs)
and the console entry point then leaves with ``os._exit`` once output is flushed and the
exit handlers ran. Nothing here imports anything heavy.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

_kept: list[object] = []


def keep_until_exit(obj: object) -> None:
    """Hold ``obj`` until the process exits (replacing the object held before)."""
    _kept[:] = [obj]


def holding() -> bool:
    """Whether an object is being held for a fast exit."""
    return bool(_kept)


def exit_code(code: object) -> int:
    """The process exit status ``SystemExit(code)`` stands for (a message goes to stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def fast_exit(code: int) -> None:
    """Run the exit handlers, flush the standard streams and end the process now."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to do
            stream.flush()
    os._exit(code)
