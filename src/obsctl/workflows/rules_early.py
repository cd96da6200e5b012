"""``rules check``'s helper process, started by the console entry point before the CLI loads.

The helper (``workflows/rules_split.py``) parses a big rule set's expressions back to front
while this process reads the YAML. Started by ``check_report``, it begins after every module
of the command is imported, the CLI framework included (~60 ms on a 5,000-rule file, with
one CPU idle the whole time). ``obsctl.cli.main`` calls ``start`` first instead, with the
arguments after ``rules check``: the child imports only the PromQL parser (~15 ms) and starts
on the inputs it can guess, the arguments that name existing regular files, while this
process loads the CLI. ``Helper.start`` then ``claim``\\s it. A guess is only a guess: the
helper's answers are keyed by the expression's text, so a wrong file costs time, never a
result. A helper nobody claims (a usage error, ``--list-rules``) is stopped at exit.

Nothing here imports more than the standard library's process and memory-map modules: it
runs before anything else is loaded. The input limits live here for the same reason.
"""

from __future__ import annotations

import atexit
import mmap
import os
import struct
from collections.abc import Sequence
from typing import Final

from obsctl.workflows import second_process

MAX_BYTES: Final = 32 * 1024 * 1024
"""Largest rule file accepted (32 MiB; large rule sets are a few MiB)."""
SPLIT_MIN_BYTES: Final = 256 << 10
"""Smaller inputs (under ~1,000 rules) are parsed in one process: a fork costs a few ms."""
SETTING: Final = "OBSCTL_RULES_PROCESSES"
PROGRESS: Final = struct.Struct("=q")
"""How far this process has got, in a memory map shared with the helper (``rules_split``)."""

Started = tuple[int, int, mmap.mmap]
"""The helper's pid, the read end of its pipe, and the shared progress map."""
_started: list[Started] = []


def wanted(size: int) -> bool:
    """Whether inputs of ``size`` bytes get a helper process (``second_process.wanted``)."""
    return second_process.wanted(SETTING, size, SPLIT_MIN_BYTES)


def start(args: Sequence[str]) -> None:
    """Fork the helper for the arguments of ``rules check`` that name regular files, when
    they add up to a big enough input (and no file is over the limit)."""
    paths: list[str] = []
    size = 0
    for arg in args:
        if arg.startswith("-"):
            continue
        try:
            st = os.stat(arg)  # noqa: PTH116 - no pathlib before the CLI loads
        except (OSError, ValueError):
            continue
        if (st.st_mode & 0o170000) != 0o100000:  # not a regular file
            continue
        if st.st_size > MAX_BYTES:
            return
        paths.append(arg)
        size += st.st_size
    if not paths or not wanted(size):
        return
    progress = mmap.mmap(-1, PROGRESS.size)

    def work(w: int) -> None:
        from obsctl.workflows.rules_split import run_child

        texts = []
        for path in paths:
            with open(path, "rb") as f:  # noqa: PTH123 - no pathlib before the CLI loads
                texts.append(f.read(MAX_BYTES).decode("utf-8-sig", "replace"))
        run_child(texts, w, progress)

    pid, r = second_process.start(work)
    _started.append((pid, r, progress))
    atexit.register(_stop_unclaimed)


def claim() -> Started | None:
    """The helper ``start`` forked, for ``Helper.start`` to take over (once)."""
    return _started.pop() if _started else None


def _stop_unclaimed() -> None:
    while _started:
        pid, r, _progress = _started.pop()
        os.close(r)
        second_process.stop(pid)
