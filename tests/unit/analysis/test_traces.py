"""Trace analysis: tree, self time, Jaeger UI critical path, skew, errors, services."""

from __future__ import annotations

import sys

import pytest

from obsctl.analysis.traces import analyze_trace, error_reason
from obsctl.model.traces import RefType, Span, SpanEvent, SpanKind, StatusCode, Trace

TID = "1" * 32


def sid(name: str) -> str:
    return name.encode().hex().rjust(16, "0")[-16:]


def mk(
    name: str,
    parent: str | None,
    start: int,
    end: int,
    *,
    service: str = "svc",
    kind: SpanKind = SpanKind.INTERNAL,
    ref: RefType = RefType.CHILD_OF,
    status: StatusCode = StatusCode.UNSET,
    attrs=(),
    resource=(),
    shared: bool = False,
    span_id: str | None = None,
    events=(),
) -> Span:
    return Span(
        trace_id=TID,
        span_id=span_id or sid(name),
        parent_span_id=sid(parent) if parent and len(parent) != 16 else parent,
        name=name,
        service=service,
        kind=kind,
        start_ns=start,
        end_ns=end,
        status_code=status,
        attributes=tuple(attrs),
        resource=tuple(resource),
        ref_type=ref,
        shared=shared,
        events=tuple(events),
    )


def run(*spans: Span, adjust: bool = False):
    return analyze_trace(Trace(TID, tuple(spans)), adjust_skew=adjust)


def cp_by_name(a) -> dict[str, int]:
    return {a.span(k).name: v for k, v in a.critical_path_ns.items()}


def self_by_name(a) -> dict[str, int]:
    return {a.span(k).name: v for k, v in a.self_time_ns.items()}


# ----------------------------------------------------------------------------- critical path


def test_sequential_children():
    a = run(mk("root", None, 0, 100), mk("A", "root", 10, 40), mk("B", "root", 50, 90))
    assert cp_by_name(a) == {"root": 30, "A": 30, "B": 40}
    assert self_by_name(a) == {"root": 30, "A": 30, "B": 40}
    assert [(a.span(s.span_key).name, s.start_ns, s.end_ns) for s in a.critical_path] == [
        ("root", 0, 10),
        ("A", 10, 40),
        ("root", 40, 50),
        ("B", 50, 90),
        ("root", 90, 100),
    ]
    assert a.root_span_id == sid("root")


def test_overlapping_children_last_finishing_wins():
    a = run(mk("root", None, 0, 100), mk("A", "root", 10, 60), mk("B", "root", 20, 50))
    assert cp_by_name(a) == {"root": 50, "A": 50, "B": 0}
    assert self_by_name(a)["root"] == 50


def test_child_outliving_parent_is_truncated():
    a = run(mk("root", None, 0, 100), mk("A", "root", 10, 50), mk("C", "A", 30, 150))
    assert cp_by_name(a) == {"root": 60, "A": 20, "C": 20}
    assert sum(a.critical_path_ns.values()) == 100
    # Self time uses the children's time within the span only.
    assert self_by_name(a) == {"root": 60, "A": 20, "C": 120}


def test_fire_and_forget_child_hides_its_siblings():
    a = run(mk("root", None, 0, 100), mk("X", "root", 5, 300), mk("Y", "root", 10, 90))
    assert cp_by_name(a) == {"root": 5, "X": 95, "Y": 0}


def test_follows_from_and_producer_consumer_are_not_blocking():
    a = run(
        mk("root", None, 0, 100),
        mk("F", "root", 10, 95, ref=RefType.FOLLOWS_FROM),
        mk("B", "root", 20, 60),
        mk("Fchild", "F", 12, 94),
    )
    assert cp_by_name(a) == {"root": 60, "F": 0, "B": 40, "Fchild": 0}
    b = run(
        mk("produce", None, 0, 100, kind=SpanKind.PRODUCER),
        mk("consume", "produce", 10, 95, kind=SpanKind.CONSUMER),
    )
    assert cp_by_name(b) == {"produce": 100, "consume": 0}


def test_sibling_ending_exactly_at_next_start_is_skipped():
    a = run(mk("root", None, 0, 100), mk("A", "root", 10, 50), mk("B", "root", 50, 90))
    assert cp_by_name(a) == {"root": 60, "A": 0, "B": 40}


def test_equal_ends_go_to_the_earlier_child():
    a = run(mk("root", None, 0, 100), mk("B", "root", 20, 60), mk("A", "root", 10, 60))
    assert cp_by_name(a) == {"root": 50, "A": 50, "B": 0}


def test_children_entirely_outside_parent_are_dropped():
    a = run(
        mk("root", None, 100, 200),
        mk("before", "root", 0, 100),
        mk("after", "root", 200, 300),
        mk("inside", "root", 120, 180),
    )
    assert cp_by_name(a) == {"root": 40, "before": 0, "after": 0, "inside": 60}


def test_nested_path_sums_to_root_duration():
    a = run(
        mk("root", None, 0, 1000),
        mk("A", "root", 100, 900),
        mk("A1", "A", 150, 400),
        mk("A2", "A", 300, 850),
        mk("A2x", "A2", 310, 320),
        mk("B", "root", 200, 300),
    )
    assert cp_by_name(a) == {"root": 200, "A": 250, "A1": 0, "A2": 540, "A2x": 10, "B": 0}
    assert sum(a.critical_path_ns.values()) == 1000


def test_multiple_roots_each_contribute():
    a = run(mk("r1", None, 0, 100), mk("r2", None, 200, 250), mk("c", "r2", 210, 220))
    assert cp_by_name(a) == {"r1": 100, "r2": 40, "c": 10}
    assert a.root_span_ids == (sid("r1"), sid("r2"))
    assert a.duration_ns == 250


# ----------------------------------------------------------------------------- orphans, cycles


def test_orphans_grouped_by_missing_parent_and_off_the_critical_path():
    a = run(
        mk("root", None, 0, 100),
        mk("o1", "ghost", 10, 200),
        mk("o2", "ghost", 20, 30),
        mk("o1c", "o1", 15, 40),
    )
    assert a.orphan_span_ids == (sid("o1"), sid("o2"))
    assert a.missing_parents == {sid("ghost"): (sid("o1"), sid("o2"))}
    assert cp_by_name(a) == {"root": 100, "o1": 0, "o2": 0, "o1c": 0}
    assert a.depth[sid("o1c")] == 1
    assert a.duration_ns == 200


def test_trace_without_its_root_uses_the_orphan_tops():
    a = run(mk("o1", "ghost", 10, 110), mk("c", "o1", 20, 60))
    assert a.root_span_id == sid("o1")
    assert a.root_span_ids == ()
    assert cp_by_name(a) == {"o1": 60, "c": 40}


def test_parent_cycle_is_cut_not_followed():
    a = run(
        mk("root", None, 0, 100), mk("A", "B", 10, 50), mk("B", "A", 20, 40), mk("C", "B", 25, 30)
    )
    assert a.cycle_span_ids == (sid("A"),)
    assert a.parent[sid("A")] is None
    assert a.parent[sid("B")] == sid("A")
    assert a.depth[sid("C")] == 2
    assert cp_by_name(a)["root"] == 100


def test_self_parent_is_an_orphan():
    a = run(mk("root", None, 0, 100), mk("me", "me", 10, 20))
    assert a.orphan_span_ids == (sid("me"),)


def test_deep_chain_has_no_recursion_limit():
    n = 50_000
    spans = [mk(f"s{i}", f"s{i - 1}" if i else None, i, 2 * n - i) for i in range(n)]
    a = run(*spans)
    assert a.depth[sid(f"s{n - 1}")] == n - 1
    assert sum(a.critical_path_ns.values()) == 2 * n
    assert a.critical_path_ns[sid(f"s{n - 1}")] == 2  # the innermost span [n-1, n+1]


def _wide(n: int) -> list[Span]:
    return [mk("root", None, 0, 10 * n)] + [
        Span(TID, f"{i + 1:016x}", sid("root"), "child", "svc", SpanKind.CLIENT, 10 * i, 10 * i + 5)
        for i in range(n)
    ]


def _deep(n: int) -> list[Span]:
    return [mk(f"s{i}", f"s{i - 1}" if i else None, i, 2 * n - i) for i in range(n)]


def _bushy(n: int) -> list[Span]:
    """Fan-out 4, children clipped by their parents, some async and some erroring."""
    spans = [mk("n0", None, 0, 4**12)]
    for i in range(1, n):
        p = (i - 1) // 4
        lo, hi = spans[p].start_ns, spans[p].end_ns
        width = (hi - lo) // 4
        start = lo + (i % 4) * width
        spans.append(
            mk(
                f"n{i}",
                f"n{p}",
                start,
                start + width + (width // 3 if i % 7 == 0 else 0),
                service=f"svc{i % 5}",
                ref=RefType.FOLLOWS_FROM if i % 11 == 0 else RefType.CHILD_OF,
                status=StatusCode.ERROR if i % 13 == 0 else StatusCode.UNSET,
            )
        )
    return spans


def _lines_executed(spans: list[Span]) -> int:
    """Python lines run by ``analyze_trace``: an operation count, unlike wall time the
    same on a busy machine as on an idle one."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    trace = Trace(TID, tuple(spans))
    sys.settrace(lambda frame, event, arg: local)
    try:
        analyze_trace(trace)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("shape", [_wide, _deep, _bushy])
def test_analysis_work_grows_linearly(shape):
    # A quadratic step (a list scan per child of a 100,000-child span, say) would multiply
    # the work by 16 here; linear work by 4 (plus sorting's log factor, in C).
    small, big = _lines_executed(shape(1_500)), _lines_executed(shape(6_000))
    assert big / small < 4.3, (small, big)


def test_wide_trace():
    n = 100_000
    a = run(*_wide(n))
    assert sum(a.critical_path_ns.values()) == 10 * n
    assert a.self_time_ns[sid("root")] == 5 * n
    assert a.subtree_size[sid("root")] == n + 1


def test_empty_trace():
    a = analyze_trace(Trace(TID, ()))
    assert a.root_span_id is None
    assert a.critical_path == () and a.services == () and a.duration_ns == 0


# ----------------------------------------------------------------------------- Zipkin shared


def test_zipkin_shared_halves_and_children():
    x = "00000000000000aa"
    a = run(
        mk("root", None, 0, 100, service="front"),
        mk("call", "root", 10, 90, service="front", kind=SpanKind.CLIENT, span_id=x),
        mk("serve", x, 12, 88, service="back", kind=SpanKind.SERVER, span_id=x, shared=True),
        mk("db", x, 20, 80, service="back"),
        mk("log", x, 89, 90, service="front"),
    )
    assert a.span_keys == (sid("root"), x, f"{x}_1", sid("db"), sid("log"))
    assert a.parent[f"{x}_1"] == x
    assert a.parent[sid("db")] == f"{x}_1"
    assert a.parent[sid("log")] == x
    assert cp_by_name(a) == {"root": 20, "call": 3, "serve": 16, "db": 60, "log": 1}
    assert a.find(x) == [x, f"{x}_1"]


# ----------------------------------------------------------------------------- clock skew


def test_skew_detected_but_not_applied_by_default():
    spans = (
        mk("root", None, 0, 100, service="a"),
        mk("remote", "root", -50, -10, service="b"),
        mk("inner", "remote", -40, -20, service="b"),
    )
    a = run(*spans)
    (w,) = a.skew_warnings
    assert (w.span_key, w.parent_key, w.delta_ns, w.applied) == (
        sid("remote"),
        sid("root"),
        80,
        False,
    )
    assert (w.service, w.parent_service) == ("b", "a")
    assert a.span(sid("remote")).start_ns == -50
    assert not a.skew_adjusted


def test_skew_adjustment_shifts_the_same_host_subtree():
    spans = (
        mk("root", None, 0, 100, service="a"),
        mk("remote", "root", -50, -10, service="b", events=[SpanEvent(-30, "e")]),
        mk("inner", "remote", -40, -20, service="b"),
    )
    a = run(*spans, adjust=True)
    assert a.skew_adjusted
    assert (a.span(sid("remote")).start_ns, a.span(sid("remote")).end_ns) == (30, 70)
    assert (a.span(sid("inner")).start_ns, a.span(sid("inner")).end_ns) == (40, 60)
    assert a.span(sid("remote")).events[0].time_ns == 50
    assert cp_by_name(a) == {"root": 60, "remote": 20, "inner": 20}


def test_skew_rules_longer_child_inside_child_same_host():
    longer = run(mk("p", None, 0, 100, service="a"), mk("c", "p", -10, 200, service="b"))
    assert [w.delta_ns for w in longer.skew_warnings] == [10]
    async_longer = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 10, 200, service="b"))
    assert async_longer.skew_warnings == ()
    inside = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 10, 20, service="b"))
    assert inside.skew_warnings == ()
    same_host = run(
        mk("p", None, 0, 100, service="a", resource=[("host.name", "h1")]),
        mk("c", "p", -50, -10, service="b", resource=[("host.name", "h1")]),
    )
    assert same_host.skew_warnings == ()


# ----------------------------------------------------------------------------- errors, services


@pytest.mark.parametrize(
    ("span", "reason"),
    [
        (mk("s", None, 0, 1, status=StatusCode.ERROR), "status ERROR"),
        (mk("s", None, 0, 1, attrs=[("error", True)]), "error=true"),
        (mk("s", None, 0, 1, attrs=[("error", "true")]), "error=true"),
        (mk("s", None, 0, 1, attrs=[("http.status_code", 503)]), "HTTP 503"),
        (mk("s", None, 0, 1, attrs=[("http.response.status_code", "500")]), "HTTP 500"),
        # not errors:
        (mk("s", None, 0, 1, attrs=[("error", False)]), None),
        (mk("s", None, 0, 1, attrs=[("error", "false")]), None),
        (mk("s", None, 0, 1, attrs=[("http.status_code", 404)]), None),
        (mk("s", None, 0, 1, events=[SpanEvent(0, "exception")]), None),
    ],
)
def test_error_reason(span, reason):
    assert error_reason(span) == reason


def test_errors_origin_and_service_summary():
    a = run(
        mk("root", None, 0, 100, service="front", status=StatusCode.ERROR),
        mk("call", "root", 10, 90, service="front", attrs=[("http.status_code", 502)]),
        mk("pay", "call", 20, 80, service="pay", status=StatusCode.ERROR),
        mk("ok", "root", 91, 95, service="front"),
    )
    assert a.error_span_ids == (sid("root"), sid("call"), sid("pay"))
    assert a.error_origin_ids == (sid("pay"),)
    assert a.error_reasons[sid("call")] == "HTTP 502"
    assert [
        (s.service, s.span_count, s.error_count, s.self_time_ns, s.critical_path_ns)
        for s in a.services
    ] == [
        ("front", 3, 2, 40, 40),
        ("pay", 1, 1, 60, 60),
    ][::-1]
