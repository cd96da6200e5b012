"""Process lifetime: keep the last big result alive until exit, then exit without teardown.

Freeing a parsed million-sample exposition (millions of small objects) takes a noticeable
share of a lint run, and the process is about to end anyway. ``keep_until_exit`` holds the
most recent such object (the previous one is freed, so memory stays bounded across inputs)
and the console entry point then leaves with ``os._exit`` once output is flushed and the
exit handlers ran. Nothing here imports anything heavy.

Even with nothing big to free, the interpreter's own teardown (every imported module's
objects) costs ~8 ms, 12 % of a small ``obsctl validate``. Commands that only read their
inputs and write to the standard streams (``lint``, ``validate``, ``rules check``, ``rules
test``) call ``end_without_teardown`` to leave the same way. Commands that write files,
run threads or hold connections do not: the teardown closes what they left open. A thread
still running at the end always gets the normal exit, which waits for it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

_kept: list[object] = []
_quick: list[bool] = []


def keep_until_exit(obj: object) -> None:
    """Hold ``obj`` until the process exits (replacing the object held before)."""
    _kept[:] = [obj]


def end_without_teardown() -> None:
    """Let the process end with ``fast_exit`` (the caller leaves nothing open)."""
    _quick[:] = [True]


def holding() -> bool:
    """Whether an object is held for a fast exit, or a command asked for one
    (``end_without_teardown``)."""
    return bool(_kept or _quick)


def fast_exit_wanted() -> bool:
    """Whether the process should end with ``fast_exit``: ``holding``, and no other thread
    is running (the normal exit waits for it)."""
    threading = sys.modules.get("threading")
    return holding() and (threading is None or threading.active_count() == 1)


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
