"""The expression facts of big rule sets with a helper process: while this process reads the
YAML and then parses the expressions front to back, a forked child parses them back to front
and streams what it found; the two meet in the middle.

Parsing PromQL is most of ``rules check``'s time on a big rule set (5,000 rules: 0.3 s of
0.55 s CPU, reading the YAML 0.1 s), and each expression is parsed on its own. The child starts
before the YAML is read: it takes the ``expr:`` values from the raw texts
(``expression_candidates``, a guess) and sends, in batches through a pipe, what
``facts_or_error`` returned for each, as plain tuples (half the pickling cost of the
records). This process never waits for it: before parsing an expression it looks whether
the child's batches already hold it (keyed by the exact text, so a wrong guess is only a
miss), and when it is done it stops the child. The result is always the one-process result;
the child only saves time, and the two halves balance themselves whatever the file's shape.
The console entry point usually forks the child already, before the CLI loads
(``rules_early``).

When: inputs of ``rules_early.SPLIT_MIN_BYTES`` or more, and when ``second_process.wanted``
says so (by default only while a CPU is idle; ``OBSCTL_RULES_PROCESSES=1`` never, ``=2``
whatever the load).
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Sequence
from typing import Any, Final

from obsctl.model.rules import ExprError, ExprFacts, RuleFile, Selector
from obsctl.parsers._fast_init import fast_init
from obsctl.parsers.rule_expr import expression_plan, facts_or_error
from obsctl.parsers.rule_text import expression_candidates
from obsctl.workflows import rules_early, second_process

BATCH: Final = 32
"""Expressions per batch the child sends."""
_POLL: Final = 16
"""This process looks for the child's batches at most every so many expressions."""

Facts = ExprFacts | ExprError
_Encoded = tuple[Any, ...]  # plain data: see _encode
_LEN = struct.Struct("<I")
_COUNT = rules_early.PROGRESS
_new_ExprFacts = fast_init(ExprFacts)
_new_Selector = fast_init(Selector)


def split_enabled(size: int) -> bool:
    """Whether inputs of ``size`` characters get a helper process (``rules_early.wanted``)."""
    return rules_early.wanted(size)


class Helper:
    """The forked child parsing expressions back to front, seen from this process."""

    def __init__(self, pid: int, fd: int, progress: mmap.mmap) -> None:
        self.pid = pid
        self.fd = fd
        self.got: dict[str, _Encoded] = {}
        self._buffer = bytearray()
        self._progress = progress

    def reached(self, count: int) -> None:
        """Tell the child that this process has started on its ``count``-th expression: the
        child stops where it would only repeat this process's work (``run_child``)."""
        _COUNT.pack_into(self._progress, 0, count)

    @classmethod
    def start(cls, texts: Sequence[str]) -> Helper | None:
        """The child the console entry point started (``rules_early``), else a child forked
        now for the rule files ``texts`` when ``split_enabled``."""
        early = rules_early.claim()
        if early is not None:
            pid, r, progress = early
        elif split_enabled(sum(len(t) for t in texts)):
            import pickle  # noqa: F401 - before the fork: the child has it too

            progress = mmap.mmap(-1, _COUNT.size)  # shared with the child
            pid, r = second_process.start(lambda w: run_child(texts, w, progress))
        else:
            return None
        os.set_blocking(r, False)
        return cls(pid, r, progress)

    def drain(self) -> None:
        """Take in the batches the child has sent so far (never waits)."""
        import pickle

        if self.fd < 0:
            return
        try:
            while chunk := os.read(self.fd, 1 << 20):
                self._buffer += chunk
            self._close()  # end of file: the child is done or died
        except BlockingIOError:
            pass
        except OSError:
            self._close()
        buf = self._buffer
        at = 0
        while len(buf) - at >= 4:
            (size,) = _LEN.unpack_from(buf, at)
            if len(buf) - at - 4 < size:
                break
            try:
                batch = pickle.loads(buf[at + 4 : at + 4 + size])  # our own child's bytes
            except (pickle.UnpicklingError, EOFError, ValueError):
                self.stop()
                return
            self.got.update(batch)
            at += 4 + size
        del buf[:at]

    def stop(self) -> None:
        """End the child (its remaining work is not needed) and reap it."""
        self._close()
        if self.pid:
            second_process.stop(self.pid)
            self.pid = 0

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def run_child(texts: Sequence[str], w: int, progress: mmap.mmap) -> None:
    """The child's work: parse the candidates back to front, sending batches to ``w``, until
    this process's progress (it parses the file's distinct expressions front to back, the
    same list when the guesses are right) reaches the next one."""
    from pickle import dumps

    todo = list(dict.fromkeys(c for t in texts for c in expression_candidates(t) if c.strip()))
    read = _COUNT.unpack_from
    with os.fdopen(w, "wb") as out:
        index = len(todo)
        while index > 0:
            batch: list[tuple[str, _Encoded]] = []
            while index > 0 and len(batch) < BATCH and index > read(progress, 0)[0]:
                index -= 1
                expr = todo[index]
                batch.append((expr, _encode(facts_or_error(expr, True))))
            if not batch:
                return
            data = dumps(batch, protocol=5)
            out.write(_LEN.pack(len(data)) + data)
            out.flush()


def file_expression_facts(
    files: Sequence[RuleFile], helper: Helper | None = None
) -> list[dict[str, Facts]]:
    """``expression_facts`` of each file: every distinct expression parsed once over all the
    files, front to back, taking what ``helper`` has already parsed; ``helper`` is stopped."""
    plans = [expression_plan(f) for f in files]
    keys = list(dict.fromkeys((e, o) for plan in plans for e, o in plan.items()))
    done: dict[tuple[str, bool], Facts] = {}
    if helper is None:
        done = {key: facts_or_error(*key) for key in keys}
    else:
        try:
            got = helper.got
            poll = 0
            for n, key in enumerate(keys):
                item = got.get(key[0])
                if item is None and n >= poll:
                    helper.drain()
                    poll = n + _POLL
                    item = got.get(key[0])
                if item is None:
                    helper.reached(n + 1)
                    done[key] = facts_or_error(*key)
                else:
                    done[key] = _decode(item, key[1])
        finally:
            helper.stop()
    return [{e: done[e, o] for e, o in plan.items()} for plan in plans]


def _encode(facts: Facts) -> _Encoded:
    if isinstance(facts, ExprError):
        return (facts.reason, facts.pos)
    return (
        tuple((s.name, s.matchers, s.range_s, s.functions, s.offset) for s in facts.selectors),
        facts.comparison,
        facts.output_labels,
        facts.dropped_labels,
        facts.label_uses,
        facts.functions,
        facts.created_labels,
    )


def _decode(item: _Encoded, outputs: bool) -> Facts:
    """The facts ``facts_or_error(expr, outputs)`` returns, from the child's
    ``facts_or_error(expr, True)``."""
    if len(item) == 2:
        return ExprError(*item)
    selectors, comparison, output, dropped, uses, functions, created = item
    if not outputs:
        output, dropped = None, frozenset()
    return _new_ExprFacts(
        tuple(_new_Selector(*s) for s in selectors),
        comparison,
        output,
        dropped,
        uses,
        functions,
        created,
    )
