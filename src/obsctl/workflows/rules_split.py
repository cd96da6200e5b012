"""The expression facts of big rule sets in two processes: this one parses the first half of
the distinct expressions, a forked child the second half.

Parsing PromQL is most of ``rules check``'s time on a big rule set (5,000 rules: 0.3 s of
0.55 s CPU), and each expression is parsed on its own, so the work splits without any join
logic: the child sends back what ``facts_or_error`` returned for each of its expressions, as
plain tuples through a pipe (half the pickling cost of the dataclasses), and this process
puts them in place. When the child fails or dies for any reason, this process parses the rest
itself: the result is always the one-process result, the child only saves time.

When: ``SPLIT_MIN_EXPRESSIONS`` distinct expressions or more, where ``os.fork`` exists and the
process may run on two CPUs, and, by default, only while the machine has a CPU to spare (the
1-minute load average at least one below the CPU count): on busy cores the second process
costs about 15 % more CPU and saves no wall time. ``OBSCTL_RULES_PROCESSES=1`` never splits,
``=2`` splits whatever the load.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from typing import Any, Final

from obsctl.model.rules import ExprError, ExprFacts, RuleFile, Selector
from obsctl.parsers._fast_init import fast_init
from obsctl.parsers.rule_expr import expression_plan, facts_or_error

SPLIT_MIN_EXPRESSIONS: Final = 1000
"""Fewer distinct expressions are parsed in one process (a fork and the transfer cost about
20 ms; one expression takes 50-80 µs)."""

Facts = ExprFacts | ExprError
_Encoded = tuple[Any, ...]  # plain data: see _encode
_new_ExprFacts = fast_init(ExprFacts)
_new_Selector = fast_init(Selector)


def file_expression_facts(files: Sequence[RuleFile]) -> list[dict[str, Facts]]:
    """``expression_facts`` of each file: every distinct expression parsed once over all the
    files, in two processes when ``split_enabled`` says so."""
    plans = [expression_plan(f) for f in files]
    keys = list(dict.fromkeys((e, o) for plan in plans for e, o in plan.items()))
    if split_enabled(len(keys)):
        done = facts_split(keys)
    else:
        done = {key: facts_or_error(*key) for key in keys}
    return [{e: done[e, o] for e, o in plan.items()} for plan in plans]


def split_enabled(count: int) -> bool:
    """Whether ``count`` distinct expressions are parsed in two processes (module docstring)."""
    setting = os.environ.get("OBSCTL_RULES_PROCESSES", "").strip()
    if count < SPLIT_MIN_EXPRESSIONS or setting == "1" or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return False
    if setting == "2":
        return True
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return False
    return load <= cpus - 1


def facts_split(keys: Sequence[tuple[str, bool]]) -> dict[tuple[str, bool], Facts]:
    """``facts_or_error`` of each (expression, outputs) key: the first half here, the second
    in a forked child."""
    import pickle  # before the fork: the child has it too

    half = len(keys) // 2
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (tests compare what it sends back)
        code = 1
        try:
            os.close(r)
            encoded = [_encode(facts_or_error(e, o)) for e, o in keys[half:]]
            with os.fdopen(w, "wb") as out:
                pickle.dump(encoded, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    done = {key: facts_or_error(*key) for key in keys[:half]}
    loaded: object = None
    try:
        with os.fdopen(r, "rb") as pipe:
            r = -1
            try:
                loaded = pickle.load(pipe)  # our own child's bytes, not input
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                loaded = None  # the child failed or died: parse the rest here
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) != 0:
            loaded = None
    finally:
        if r >= 0:
            os.close(r)
        if pid:
            _stop(pid)
    rest = keys[half:]
    if isinstance(loaded, list) and len(loaded) == len(rest):
        for key, item in zip(rest, loaded, strict=True):
            done[key] = _decode(item)
    else:
        for key in rest:
            done[key] = facts_or_error(*key)
    return done


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


def _decode(item: _Encoded) -> Facts:
    if len(item) == 2:
        reason, pos = item
        return ExprError(reason, pos)
    selectors, comparison, output, dropped, uses, functions, created = item
    return _new_ExprFacts(
        tuple(_new_Selector(*s) for s in selectors),
        comparison,
        output,
        dropped,
        uses,
        functions,
        created,
    )


def _stop(pid: int) -> None:
    """End a child whose part is no longer wanted, and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
