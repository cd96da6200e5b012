"""Trace analysis: span tree, self time, critical path, clock skew, errors, per-service totals.

Everything is iterative (explicit stacks), so a 100,000-span trace or a 50,000-deep chain
never hits Python's recursion limit, and linear or ``n log n`` in the number of spans. Parent
references that loop (A → B → A) are cut, never followed forever.

Critical path: Jaeger UI's algorithm (jaeger-ui ``TracePage/CriticalPath``):

1. from each true root, keep the *blocking* descendants: children are dropped with their
   subtree when they are async, i.e. a ``FOLLOWS_FROM`` reference (the pre-2026 UI rule) or a
   CONSUMER under a PRODUCER (the current UI rule);
2. clip every kept child to its (already clipped) parent: a child that starts at or after the
   parent's end, or ends at or before its start, is dropped; one that outlives the parent is
   truncated at the parent's end;
3. walk back from the root's end: the span owns the time after its last-finishing child
   (LFC), then the walk descends into the LFC; with no LFC left the span owns the time back
   to its start, and the walk returns to the parent, whose next LFC must end strictly before
   the returning child started (ties go to the earlier-starting child).

The sections tile each root exactly, so the spans' critical-path times add up to the root's
duration. One extension: when a trace has no true root (its root span is missing), the top
spans of the orphan subtrees are used as roots, so the critical path is still shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from operator import attrgetter, eq, itemgetter, le
from typing import TypeVar

from obsctl.model.time import from_unix_ns
from obsctl.model.trace_analysis import (
    CriticalSection,
    ServiceSummary,
    SkewWarning,
    TraceAnalysis,
)
from obsctl.model.traces import (
    RefType,
    Span,
    SpanEvent,
    SpanKind,
    StatusCode,
    Trace,
    TraceSummary,
)

_V = TypeVar("_V")
# One span field of every span, at C speed: list(map(_START, spans)).
_START = attrgetter("start_ns")
_END = attrgetter("end_ns")
_SPAN_ID = attrgetter("span_id")
_PARENT_ID = attrgetter("parent_span_id")
_KEY = itemgetter(0)
_HOST_KEYS = ("host.id", "host.ip", "host.name", "ip", "hostname")
_HTTP_STATUS_KEYS = ("http.response.status_code", "http.status_code")
_ERROR_KEYS = frozenset({"error", *_HTTP_STATUS_KEYS})
"""The attributes ``error_reason`` reads."""


# ----------------------------------------------------------------------------- tree


def span_keys_of(spans: Sequence[Span]) -> list[str]:
    """Unique keys: the span ID, then ``<id>_1``, ``<id>_2`` … for repeats (as Jaeger UI)."""
    return _keys_and_index(spans)[0]


def _keys_and_index(spans: Sequence[Span]) -> tuple[list[str], dict[str, int], bool]:
    """``span_keys_of(spans)``, key → position, and whether the span IDs are unique (the
    common case: one dict then serves as the uniqueness test and the index)."""
    ids = list(map(_SPAN_ID, spans))
    index = dict(zip(ids, range(len(ids)), strict=True))
    if len(index) == len(ids):
        return ids, index, True
    keys = _repeat_keys(spans)
    return keys, dict(zip(keys, range(len(keys)), strict=True)), False


def _repeat_keys(spans: Sequence[Span]) -> list[str]:
    seen: Counter[str] = Counter()
    keys: list[str] = []
    for s in spans:
        n = seen[s.span_id]
        seen[s.span_id] += 1
        keys.append(s.span_id if n == 0 else f"{s.span_id}_{n}")
    return keys


def _resolve_parents(
    spans: Sequence[Span], first: Mapping[str, int] | None = None
) -> tuple[list[int], list[str | None]]:
    """Parent index per span: ``>= 0`` resolved, ``-1`` root, ``-2`` missing (orphan).

    ``first``: span ID → position when the IDs are unique (built here when not given).
    """
    n = len(spans)
    if first is None:
        first = dict(zip([s.span_id for s in spans], range(n), strict=True))
    pids = list(map(_PARENT_ID, spans))
    if len(first) == n:
        # Unique IDs (the common case): one dict lookup per span.
        get = first.get
        fast = [-1 if pid is None else get(pid, -2) for pid in pids]
        if any(map(eq, fast, range(n))):  # a span that is its own parent (rare)
            for i, sid in enumerate(pids):
                if sid is not None and fast[i] == i:
                    fast[i] = -2
        if -2 not in fast:
            return fast, [None] * n
        return fast, [pid if p == -2 else None for pid, p in zip(pids, fast, strict=True)]
    by_id: dict[str, list[int]] = {}
    for i, s in enumerate(spans):
        by_id.setdefault(s.span_id, []).append(i)
    parents: list[int] = []
    missing: list[str | None] = []
    for i, s in enumerate(spans):
        pid = s.parent_span_id
        if pid is None:
            parents.append(-1)
            missing.append(None)
            continue
        cands = by_id.get(pid)
        if cands is not None and i in cands:
            cands = [c for c in cands if c != i]
        if not cands:
            parents.append(-2)
            missing.append(pid)
            continue
        if len(cands) == 1:
            parents.append(cands[0])
        elif s.shared and pid == s.span_id:
            # Zipkin server half: its parent is the client half (same ID, not shared).
            parents.append(next((c for c in cands if not spans[c].shared), cands[0]))
        else:
            # A child of a shared ID belongs to the half on its own service (zipkin-lens).
            same = [c for c in cands if spans[c].shared and spans[c].service == s.service]
            plain = [c for c in cands if not spans[c].shared]
            parents.append((same or plain or cands)[0])
        missing.append(None)
    return parents, missing


def _children(starts: Sequence[int], parents: Sequence[int]) -> list[list[int]]:
    """Children of each span, by start time (then position): filled in global start order."""
    children: list[list[int]] = [[] for _ in starts]
    n = len(starts)
    # Decoders hand spans over sorted by start: then start order is position order.
    in_order = all(map(le, starts, islice(starts, 1, None)))
    for i in range(n) if in_order else sorted(range(n), key=starts.__getitem__):
        p = parents[i]
        if p >= 0:
            children[p].append(i)
    return children


def _cut_cycles(spans: Sequence[Span], parents: list[int], children: list[list[int]]) -> list[int]:
    """Spans unreachable from any top span sit on (or under) a parent cycle: cut the link of
    the earliest span of each cycle, making it a top span. Returns the cut spans."""
    seen = bytearray(len(spans))
    stack = [i for i, p in enumerate(parents) if p < 0]
    while stack:
        i = stack.pop()
        seen[i] = 1
        stack.extend(children[i])
    cut: list[int] = []
    if all(seen):
        return cut
    order = sorted(
        (i for i in range(len(spans)) if not seen[i]), key=lambda i: (spans[i].start_ns, i)
    )
    for start in order:
        if seen[start]:
            continue
        # Walk up from ``start`` until a span repeats: that span is on the cycle.
        on_path: set[int] = set()
        cur = start
        while cur not in on_path:
            on_path.add(cur)
            cur = parents[cur]
        head = cur
        children[parents[head]].remove(head)
        parents[head] = -3
        cut.append(head)
        stack = [head]
        while stack:
            i = stack.pop()
            seen[i] = 1
            stack.extend(children[i])
    return cut


def _preorder(tops: Sequence[int], children: Sequence[Sequence[int]]) -> list[int]:
    out: list[int] = []
    stack = list(reversed(tops))
    while stack:
        i = stack.pop()
        out.append(i)
        kids = children[i]
        if kids:
            stack.extend(kids[::-1])
    return out


# ----------------------------------------------------------------------------- clock skew


def _host_key(span: Span) -> str:
    for key in _HOST_KEYS:
        for k, v in span.resource:
            if k == key and v not in (None, ""):
                return f"{key}={v[0] if isinstance(v, tuple) and v else v}"
    return f"service={span.service}"


def _hosts(spans: Sequence[Span]) -> list[str]:
    """Host key per span; spans of one resource share the resource tuple, so cache by it."""
    cache: dict[int, tuple[str, str]] = {}
    out: list[str] = []
    for s in spans:
        hit = cache.get(id(s.resource))
        if hit is None or hit[0] != s.service:
            hit = cache[id(s.resource)] = (s.service, _host_key(s))
        out.append(hit[1])
    return out


def _async_flags(spans: Sequence[Span], parents: Sequence[int]) -> bytearray:
    """1 where the span is async work of its parent: FOLLOWS_FROM, or CONSUMER of a PRODUCER."""
    flags = bytearray(len(spans))
    follows, producer, consumer = RefType.FOLLOWS_FROM, SpanKind.PRODUCER, SpanKind.CONSUMER
    for i, s in enumerate(spans):
        if s.ref_type is follows:
            flags[i] = 1
        elif s.kind is consumer:
            p = parents[i]
            if p >= 0 and spans[p].kind is producer:
                flags[i] = 1
    return flags


def _skew_delta(p_start: int, p_end: int, c_start: int, c_end: int) -> int:
    """Jaeger's clock-skew rule for a child on another host, against the adjusted parent."""
    p_dur, c_dur = p_end - p_start, c_end - c_start
    if c_dur > p_dur:
        return p_start - c_start if c_start < p_start else 0
    if c_start >= p_start and c_end <= p_end:
        return 0
    latency = (p_dur - c_dur) // 2
    return p_start + latency - c_start


def _clock_skew(
    spans: list[Span],
    parents: Sequence[int],
    order: Sequence[int],
    keys: Sequence[str],
    is_async: bytearray,
    adjust: bool,
    starts: Sequence[int],
    ends: Sequence[int],
) -> tuple[list[Span], list[SkewWarning]]:
    delta = [0] * len(spans)
    hosts = _hosts(spans)
    warnings: list[SkewWarning] = []
    for i in order:  # pre-order: the parent's delta is known first
        p = parents[i]
        if p < 0:
            continue
        if hosts[i] == hosts[p]:
            delta[i] = delta[p]
            continue
        if is_async[i]:
            continue
        dp = delta[p]
        p_start, p_end, c_start, c_end = starts[p] + dp, ends[p] + dp, starts[i], ends[i]
        if c_start >= p_start and c_end <= p_end:
            continue  # inside its parent: no skew (most spans; _skew_delta would say 0)
        d = _skew_delta(p_start, p_end, c_start, c_end)
        delta[i] = d
        if d:
            warnings.append(
                SkewWarning(keys[i], keys[p], spans[i].service, spans[p].service, d, applied=adjust)
            )
    if adjust and warnings:
        for i, d in enumerate(delta):
            if d:
                s = spans[i]
                spans[i] = replace(
                    s,
                    start_ns=s.start_ns + d,
                    end_ns=s.end_ns + d,
                    events=tuple(SpanEvent(e.time_ns + d, e.name, e.attributes) for e in s.events),
                )
    return spans, warnings


# ----------------------------------------------------------------------------- timings


def _self_times(
    starts: Sequence[int], ends: Sequence[int], children: Sequence[Sequence[int]]
) -> list[int]:
    """Duration minus the union of all children (async included) clipped to the span."""
    out = [e - s for s, e in zip(starts, ends, strict=True)]
    for i, kids in enumerate(children):
        if not kids:
            continue
        s0, e0 = starts[i], ends[i]
        covered = 0
        cur_s = cur_e = -1
        open_run = False
        for c in kids:  # sorted by start
            # Plain comparisons: max()/min() calls cost a third of this loop at 100k spans.
            cs = starts[c]
            ce = ends[c]
            if cs < s0:  # noqa: PLR1730
                cs = s0
            if ce > e0:  # noqa: PLR1730
                ce = e0
            if ce <= cs:
                continue
            if not open_run or cs > cur_e:
                if open_run:
                    covered += cur_e - cur_s
                cur_s, cur_e, open_run = cs, ce, True
            elif ce > cur_e:
                cur_e = ce
        if open_run:
            covered += cur_e - cur_s
        self_ns = e0 - s0 - covered
        out[i] = self_ns if self_ns > 0 else 0
    return out


def critical_path_sections(
    spans: Sequence[Span],
    children: Sequence[Sequence[int]],
    root: int,
    is_async: bytearray | None = None,
    *,
    starts: Sequence[int] | None = None,
    ends: Sequence[int] | None = None,
    work: tuple[list[int], list[int], list[int]] | None = None,
) -> list[tuple[int, int, int]]:
    """Jaeger UI's critical path under ``root`` as ``(span index, start, end)`` sections,
    latest first. See the module docstring for the rules.

    ``starts``/``ends``: the spans' times, when the caller has them as lists; ``work``: three
    lists as long as ``spans`` to use as scratch space (reused across the roots of a trace:
    their subtrees are disjoint), instead of allocating them here.
    """
    n = len(spans)
    if is_async is None:
        parents = [-1] * n
        for i, kids in enumerate(children):
            for c in kids:
                parents[c] = i
        is_async = _async_flags(spans, parents)
    if starts is None or ends is None:
        starts = [s.start_ns for s in spans]
        ends = [s.end_ns for s in spans]
    # Lists indexed by span, not dicts: each span is looked up several times below.
    clip_s, clip_e, cp_parent = work if work is not None else ([0] * n, [0] * n, [0] * n)
    # 1+2: blocking descendants, clipped to their clipped parent, in pre-order.
    clip_s[root] = starts[root]
    clip_e[root] = ends[root]
    cp_children: dict[int, Sequence[int]] = {}
    kept_count = 1
    stack = [root]
    while stack:
        i = stack.pop()
        kids = children[i]
        if not kids:
            continue
        ps, pe = clip_s[i], clip_e[i]
        kept: list[int] = []
        for c in kids:
            if is_async[c]:
                continue
            cs, ce = starts[c], ends[c]
            if cs >= pe or ce <= ps:
                continue
            clip_s[c] = cs if cs > ps else ps
            clip_e[c] = ce if ce < pe else pe
            cp_parent[c] = i
            kept.append(c)
        if kept:
            cp_children[i] = kept
            kept_count += len(kept)
            stack.extend(kept)  # order does not matter here: each span is clipped once
    # 3: the walk, iteratively. Each span's kept children are ranked by end (latest first,
    # ties to the earlier start); the return time only decreases on each revisit, so a
    # cursor per span finds the next LFC in amortised O(1): linear overall, even for a
    # span with 100,000 children.
    ranked: dict[int, list[int]] = {}
    cursor: dict[int, int] = {}
    sections: list[tuple[int, int, int]] = []
    cur, ret = root, 0
    has_ret = False  # a return time is set (JS tests it for truthiness; 0 is a valid time here)
    for _ in range(4 * kept_count + 4):  # each span is entered once and left once
        start, end = clip_s[cur], clip_e[cur]
        cp_kids = cp_children.get(cur)
        lfc = -1
        if cp_kids:
            ranking = ranked.get(cur)
            if ranking is None:
                # Stable: equal ends keep start order, so ties go to the earlier child.
                ranking = sorted(cp_kids, key=clip_e.__getitem__, reverse=True)
                ranked[cur] = ranking
                cursor[cur] = 0
            pos = cursor[cur]
            if has_ret:
                n_ranked = len(ranking)
                while pos < n_ranked and clip_e[ranking[pos]] >= ret:
                    pos += 1
                cursor[cur] = pos
            if pos < len(ranking):
                lfc = ranking[pos]
        hi = ret if has_ret else end
        if lfc >= 0:
            lfc_end = clip_e[lfc]
            if lfc_end != hi:
                sections.append((cur, lfc_end, hi))
            cur, has_ret = lfc, False
            continue
        if start != hi:
            sections.append((cur, start, hi))
        if cur == root:
            break
        cur, ret, has_ret = cp_parent[cur], start, True
    return sections


# ----------------------------------------------------------------------------- errors


def error_reason(span: Span) -> str | None:
    """Why ``span`` is an error span, or ``None``.

    Status ERROR (OTLP, or Jaeger/Zipkin's mapped status), an ``error`` tag that is true
    (Jaeger/OpenTracing; ``error=false`` is not an error), or an HTTP status code >= 500.
    """
    if span.status_code is StatusCode.ERROR:
        return f"status ERROR: {span.status_message}" if span.status_message else "status ERROR"
    http: int | None = None
    for key, value in span.attributes:
        if key == "error":
            if value is True or (isinstance(value, str) and value.lower() == "true"):
                return "error=true"
        elif http is None and key in _HTTP_STATUS_KEYS:
            try:
                http = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
    return f"HTTP {http}" if http is not None and http >= 500 else None


# ----------------------------------------------------------------------------- entry point


class ValuesView(Mapping[str, _V]):
    """Span key → a per-span value, read from a list aligned with the spans.

    Building five 100,000-entry dicts (parent, depth, self time, critical path) cost 80 ms
    per 100k spans; a view over the lists costs nothing until looked up.
    """

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[_V]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> _V:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class ChildrenView(Mapping[str, tuple[str, ...]]):
    """Span key → children keys (by start), built per lookup from the index lists.

    A mapping rather than a dict: a renderer looks up a few hundred spans, and building
    100,000 tuples up front cost 40 ms per 100k spans.
    """

    __slots__ = ("_children", "_index", "_keys")

    def __init__(
        self, keys: Sequence[str], children: Sequence[Sequence[int]], index: Mapping[str, int]
    ) -> None:
        self._keys = keys
        self._children = children
        self._index = index

    def __getitem__(self, key: str) -> tuple[str, ...]:
        keys = self._keys
        return tuple([keys[c] for c in self._children[self._index[key]]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def analyze_trace(trace: Trace, *, adjust_skew: bool = False) -> TraceAnalysis:
    """Analyse a trace: tree, self time, critical path, clock skew, errors, services.

    Stable API (``obsctl correlate`` uses it too).

    Args:
        trace: a decoded trace (any span order; duplicate IDs and loops tolerated).
        adjust_skew: shift spans as Jaeger's clock-skew adjuster would, instead of only
            reporting the skew.

    Returns:
        The analysis; see ``TraceAnalysis``. An empty trace gives an empty analysis.
    """
    spans = list(trace.spans)
    n = len(spans)
    keys, index, unique = _keys_and_index(spans)
    # With unique IDs the keys are the IDs, and the index is what _resolve_parents needs.
    parents, missing = _resolve_parents(spans, index if unique else None)
    starts = list(map(_START, spans))
    children = _children(starts, parents)
    tops = sorted([i for i, p in enumerate(parents) if p < 0], key=starts.__getitem__)
    order = _preorder(tops, children)
    cut: list[int] = []
    if len(order) < n:  # some spans hang off a parent loop
        cut = _cut_cycles(spans, parents, children)
        tops = sorted([i for i, p in enumerate(parents) if p < 0], key=starts.__getitem__)
        order = _preorder(tops, children)
    is_async = _async_flags(spans, parents)
    ends = list(map(_END, spans))

    spans, skew = _clock_skew(
        spans, parents, order, keys, is_async, adjust_skew, starts=starts, ends=ends
    )
    if adjust_skew and skew:
        starts = list(map(_START, spans))
        ends = list(map(_END, spans))
        children = _children(starts, parents)
        tops.sort(key=starts.__getitem__)
        order = _preorder(tops, children)
        trace = replace(trace, spans=tuple(spans))

    depth = [0] * n
    for i in order:
        p = parents[i]
        if p >= 0:
            depth[i] = depth[p] + 1
    sizes = [1] * n
    for i in reversed(order):  # children before their parents
        p = parents[i]
        if p >= 0:
            sizes[p] += sizes[i]

    self_time = _self_times(starts, ends, children)

    true_roots = [i for i in tops if parents[i] == -1]
    cp_roots = true_roots or tops
    cp = [0] * n
    raw_sections: list[tuple[int, int, int]] = []
    work = ([0] * n, [0] * n, [0] * n)
    for r in cp_roots:
        secs = critical_path_sections(
            spans, children, r, is_async, starts=starts, ends=ends, work=work
        )
        for i, lo, hi in secs:
            cp[i] += hi - lo
        raw_sections.extend(reversed(secs))
    merged: list[CriticalSection] = []
    # tuple.__new__ directly: the NamedTuple's own __new__ is a Python function, and a
    # 100,000-span trace can have 100,000 sections.
    new_section, section = tuple.__new__, CriticalSection
    for i, lo, hi in raw_sections:
        if merged and merged[-1].span_key == keys[i] and merged[-1].end_ns == lo:
            merged[-1] = merged[-1]._replace(end_ns=hi)
        else:
            merged.append(new_section(section, (keys[i], lo, hi)))

    # Errors and per-service totals in one pass over the spans.
    reasons: dict[str, str] = {}
    is_error = bytearray(n)
    per_service: dict[str, list[int]] = {}
    error_status, no_error_key = StatusCode.ERROR, _ERROR_KEYS.isdisjoint
    for i, s in enumerate(spans):
        acc = per_service.get(s.service)
        if acc is None:
            acc = per_service[s.service] = [0, 0, 0, 0]
        acc[0] += 1
        acc[2] += self_time[i]
        acc[3] += cp[i]
        # Most spans carry none of the attributes error_reason looks at: skip the call.
        if s.status_code is not error_status and no_error_key(map(_KEY, s.attributes)):
            continue
        why = error_reason(s)
        if why is not None:
            reasons[keys[i]] = why
            is_error[i] = 1
            acc[1] += 1
    origins: tuple[str, ...] = ()
    if reasons:
        below = bytearray(n)  # an error somewhere beneath
        for i in reversed(order):
            p = parents[i]
            if p >= 0 and (is_error[i] or below[i]):
                below[p] = 1
        origins = tuple([keys[i] for i in order if is_error[i] and not below[i]])

    services = tuple(
        sorted(
            (ServiceSummary(name, a[0], a[1], a[2], a[3]) for name, a in per_service.items()),
            key=lambda x: (-x.critical_path_ns, -x.self_time_ns, x.service),
        )
    )

    missing_parents: dict[str, list[str]] = {}
    for i in tops:
        pid = missing[i]
        if parents[i] == -2 and pid is not None:
            missing_parents.setdefault(pid, []).append(keys[i])
    root: int | None = None
    if true_roots:
        root = min(true_roots, key=lambda i: (starts[i], starts[i] - ends[i], i))
    elif tops:
        root = tops[0]

    return TraceAnalysis(
        trace=trace,
        span_keys=tuple(keys),
        root_span_id=keys[root] if root is not None else None,
        root_span_ids=tuple(keys[i] for i in true_roots),
        orphan_span_ids=tuple(keys[i] for i in tops if parents[i] == -2),
        missing_parents={k: tuple(v) for k, v in missing_parents.items()},
        cycle_span_ids=tuple(keys[i] for i in cut),
        parent=ValuesView(index, [keys[p] if p >= 0 else None for p in parents]),
        children=ChildrenView(keys, children, index),
        preorder=tuple([keys[i] for i in order]),
        depth=ValuesView(index, depth),
        # A dict, not a view: the waterfall looks up tens of thousands of them.
        subtree_size=dict(zip(keys, sizes, strict=True)),
        self_time_ns=ValuesView(index, self_time),
        critical_path_ns=ValuesView(index, cp),
        critical_path=tuple(merged),
        error_span_ids=tuple([keys[i] for i in order if is_error[i]]) if reasons else (),
        error_reasons=reasons,
        error_origin_ids=origins,
        services=services,
        skew_warnings=tuple(skew),
        skew_adjusted=adjust_skew and bool(skew),
        start_ns=min(starts, default=0),
        end_ns=max(ends, default=0),
        index=index,
    )


def summarize_trace(trace: Trace) -> TraceSummary:
    """A search-result line for a whole trace: root, start, duration, span and error counts.

    The root is the earliest span without a parent (else the earliest span); the duration is
    earliest start to latest end; errors use the same rules as ``analyze_trace``.
    """
    spans = trace.spans
    roots = [s for s in spans if s.parent_span_id is None] or list(spans)
    root = min(roots, key=lambda s: (s.start_ns, -(s.end_ns - s.start_ns)), default=None)
    start = trace.start_ns
    services = tuple(dict.fromkeys(s.service for s in spans))
    return TraceSummary(
        trace_id=trace.trace_id,
        root_service=root.service if root else "",
        root_name=root.name if root else "",
        start=from_unix_ns(start),
        duration_ns=trace.end_ns - start,
        span_count=len(spans),
        error_count=sum(1 for s in spans if error_reason(s) is not None),
        services=services,
    )
