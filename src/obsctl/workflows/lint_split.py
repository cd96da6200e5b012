"""Parsing a big exposition file in two processes: this one reads the first part, a forked
child the rest, and the parts are joined when the parser proves them independent.

The split is at a family's first metadata line near the middle of the file. The child parses
from there with the line numbers of the whole file and sends back its ``PartResult``
(pickled through a pipe); ``ExpositionParser.join`` then appends it only when no line of one
part could have been read differently with the other part before it (see there). Otherwise,
or when the child failed for any reason, this process parses the rest itself, as if it had
never split: the result is always the one-process result, and the child only saves time.

For plain seekable files of ``SPLIT_MIN_BYTES`` or more, where ``os.fork`` exists and the
process may run on two CPUs, by default only while one of them is idle
(``second_process.wanted``; ``OBSCTL_LINT_PROCESSES`` forces one or two). The child is forked, not
spawned: it shares the parent's hash seed, so the series and value hashes of both parts
agree. While it waits for the child's part, the parent keeps its last family packed, and the
child sends its families packed (``MetricFamily.seal``): on 1M samples the two processes
together peak at 1.5 to 1.9 times one process's memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from obsctl.model.metric_families import Exposition
from obsctl.parsers.exposition import ExpositionParser, PartResult
from obsctl.workflows import second_process
from obsctl.workflows.inputs import CHUNK

SPLIT_MIN_BYTES: Final = 8 << 20
"""Smaller files are parsed in one process (a fork and the transfer cost ~20 ms)."""
_NEEDLES: Final = (b"\n# HELP ", b"\n# TYPE ")
_LOOK_BACK: Final = 4096


def split_enabled(size: int | None) -> bool:
    """Whether a plain file of ``size`` bytes is parsed in two processes
    (``second_process.wanted`` with ``OBSCTL_LINT_PROCESSES``)."""
    return second_process.wanted("OBSCTL_LINT_PROCESSES", size, SPLIT_MIN_BYTES)


_CHILD_EXTRA: Final = 0.03
"""What the child does besides parsing its part, as a share of parsing as much as this
process: it counts the lines before its part first (for their numbers, ~2 %), and pickles
and sends its result at the end (~1 %)."""


def split_point(fd: int, size: int) -> int:
    """The offset of a family's first metadata line nearest the point that gives both
    processes the same work (0: none): a little past the middle (``_CHILD_EXTRA``).

    A ``# HELP``/``# TYPE`` line whose previous lines are comments too moves back to the first
    of them (``# TYPE`` before ``# HELP``). Only a heuristic: ``join`` decides.
    """
    # This process parses [0, s); the child parses [s, size) and does _CHILD_EXTRA more:
    # s = (size - s) + _CHILD_EXTRA * s.
    mid = int(size / (2 - _CHILD_EXTRA))
    found = [p for p in (_search(fd, size, mid, forward) for forward in (True, False)) if p]
    return min(found, key=lambda p: abs(p - mid)) if found else 0


def _search(fd: int, size: int, mid: int, forward: bool) -> int:
    step = CHUNK
    pos = mid
    while 0 < pos < size:
        start = pos if forward else max(0, pos - step)
        block = os.pread(fd, min(step, size - start) + 8, start)
        hits = [i for i in (_find(block, n, forward) for n in _NEEDLES) if i >= 0]
        if hits:
            line = start + (min(hits) if forward else max(hits)) + 1
            return _family_start(fd, line)
        pos = start + step if forward else start
    return 0


def _find(block: bytes, needle: bytes, forward: bool) -> int:
    return block.find(needle) if forward else block.rfind(needle)


def _family_start(fd: int, line: int) -> int:
    """``line``, or the first of the comment lines right before it."""
    while line > 0:
        head = os.pread(fd, min(line, _LOOK_BACK), max(0, line - _LOOK_BACK))
        cut = head.rfind(b"\n", 0, len(head) - 1)
        if cut < 0:
            return line if line <= _LOOK_BACK else 0
        prev = line - len(head) + cut + 1
        if head[cut + 1 : cut + 2] != b"#":
            return line
        line = prev
    return 0


def _child(name: str, source: str, fmt: str, start: int, w: int) -> None:
    """The forked child: parse ``name`` from ``start``, pickle the part into ``w``."""
    import pickle

    with Path(name).open("rb") as f:
        fd = f.fileno()
        lines = 0
        for off in range(0, start, CHUNK):
            lines += os.pread(fd, min(CHUNK, start - off), off).count(b"\n")
        parser = ExpositionParser(source, fmt, start_line=lines)
        f.seek(start)
        while chunk := f.read(CHUNK):
            if not parser.feed(chunk):
                break
        part = parser.part()
    del parser  # its working state (patterns, proven rows kept packed) is not sent
    with os.fdopen(w, "wb") as out:
        pickle.dump(part, out, protocol=pickle.HIGHEST_PROTOCOL)


def _upto(chunks: Iterator[bytes], limit: int, rest: list[bytes]) -> Iterator[bytes]:
    """The chunks' first ``limit`` bytes; the remainder of the chunk cut goes into ``rest``."""
    seen = 0
    for chunk in chunks:
        if seen + len(chunk) <= limit:
            seen += len(chunk)
            yield chunk
            if seen == limit:
                return
            continue
        keep = limit - seen
        yield chunk[:keep]
        rest.append(chunk[keep:])
        return


def parse_split(
    name: str,
    fmt: str,
    first: bytes,
    chunks: Iterator[bytes],
    size: int,
    *,
    source: str | None = None,
    progress: Callable[[], None] = lambda: None,
) -> Exposition | None:
    """Parse ``name`` (its first chunk ``first``, the following ones in ``chunks``) in two
    processes; ``None`` when there is no split point (``chunks`` is then untouched).
    ``source`` names the input in the result (default ``name``); ``progress`` is called after
    each chunk this process parses.
    """
    import pickle  # before the fork: the child has it too

    with Path(name).open("rb") as f:
        start = split_point(f.fileno(), size)
    if start <= len(first) or start >= size:
        return None
    pid, r = second_process.start(lambda w: _child(name, source or name, fmt, start, w))
    part: PartResult | None = None
    rest: list[bytes] = []
    parser = ExpositionParser(source or name, fmt)
    try:
        if parser.feed(first):
            progress()
            for chunk in _upto(chunks, start - len(first), rest):
                if not parser.feed(chunk):
                    break
                progress()
        if parser.stopped:
            return parser.close()  # the rest would not have been read
        parser.pause()  # the child's part may arrive later: wait at an ended family's size
        with os.fdopen(r, "rb") as pipe:
            r = -1
            try:
                loaded = pickle.load(pipe)  # our own child's bytes, not input
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                loaded = None  # the child failed or died: parse the rest here
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) == 0 and isinstance(loaded, PartResult):
            part = loaded
    finally:
        if r >= 0:
            os.close(r)
        if pid:
            second_process.stop(pid)
    joined = parser.join(part) if part is not None else None
    if joined is not None:
        return joined
    for chunk in _chain(rest, chunks):
        if not parser.feed(chunk):
            break
        progress()
    return parser.close()


def _chain(first: list[bytes], then: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from then
