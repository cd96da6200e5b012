"""A forked second process for half of a big job (``lint``'s parse of a big file, ``rules
check``'s PromQL): when to start one, and how to end one no longer wanted.

The second process only saves wall time when a CPU is spare: on busy cores it runs in the
time of others, for 10-15 % more CPU and no shorter wall time. So by default it starts only
when a CPU is idle right now: Linux's count of runnable tasks (this process included) below
the number of usable CPUs; elsewhere the 1-minute load average, which lags (a benchmark's
own runs keep it near one). A setting (environment variable) of ``1`` never starts it, ``2``
starts it whatever the load; anything else is that default.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable


def wanted(setting: str, size: int | None, min_size: int) -> bool:
    """Whether a job of ``size`` (``None``: unknown) gets a second process: at least
    ``min_size``, ``os.fork`` there, two usable CPUs, and the environment variable
    ``setting`` (module docstring)."""
    choice = os.environ.get(setting, "").strip()
    if size is None or size < min_size or choice == "1" or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return False
    if choice == "2":
        return True
    busy = runnable()
    return busy is not None and busy <= cpus - 1


def runnable() -> float | None:
    """How many tasks want a CPU right now, this process included (Linux's count of runnable
    tasks), else the 1-minute load average; ``None`` when neither is known."""
    try:
        with open("/proc/loadavg", "rb") as f:  # noqa: PTH123 - one small read
            return float(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


PIPE_BYTES = 1 << 20
"""What the pipe from the child holds (Linux's default is 64 KiB, and 1 MiB the most an
unprivileged process may ask for): ``rules check``'s helper sends ~240 bytes per expression
while this process is still reading the YAML, not yet the pipe. With 64 KiB it stopped after
~270 of 5,000 expressions and waited for most of that time."""


def start(work: Callable[[int], None]) -> tuple[int, int]:
    """Fork a child that runs ``work(fd)``, ``fd`` the write end of a pipe (``PIPE_BYTES``
    where the system allows), and exits: status 0 when ``work`` returned, 1 when it raised.
    Returns the child's pid and the read end."""
    r, w = os.pipe()
    _widen(w)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its callers' tests compare what it sends)
        code = 1
        try:
            os.close(r)
            work(w)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def stop(pid: int) -> None:
    """End child ``pid`` (its remaining work is not needed) and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or over the system's limit: the default size still works
