"""Trace analysis at the edges of its documented rules: which children block (the critical
path's rules 1 and 2), self time of covered spans, clock skew reported or applied, the host a
span runs on, duplicate span IDs, and the search-result summary."""

from __future__ import annotations

from datetime import UTC, datetime

from obsctl.analysis.traces import (
    analyze_trace,
    critical_path_sections,
    error_reason,
    span_keys_of,
    summarize_trace,
)
from obsctl.model.traces import RefType, Span, SpanEvent, SpanKind, StatusCode, Trace

TID = "1" * 32


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
    events=(),
    span_id: str | None = None,
    shared: bool = False,
) -> Span:
    return Span(
        trace_id=TID,
        span_id=span_id or name,
        parent_span_id=parent,
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


def cp(a) -> dict[str, int]:
    return {a.span(k).name: v for k, v in a.critical_path_ns.items()}


def self_time(a) -> dict[str, int]:
    return {a.span(k).name: v for k, v in a.self_time_ns.items()}


def sections(a) -> list[tuple[str, int, int]]:
    return [(a.span(s.span_key).name, s.start_ns, s.end_ns) for s in a.critical_path]


# ----------------------------------------------------------------------------- rule 1: blocking


def test_consumer_under_a_non_producer_parent_is_blocking():
    a = run(
        mk("root", None, 0, 100, kind=SpanKind.SERVER),
        mk("consume", "root", 10, 90, kind=SpanKind.CONSUMER),
    )
    assert cp(a) == {"root": 20, "consume": 80}


def test_consumer_under_a_producer_is_async_and_so_is_its_subtree():
    a = run(
        mk("root", None, 0, 100, kind=SpanKind.PRODUCER),
        mk("consume", "root", 10, 90, kind=SpanKind.CONSUMER),
        mk("work", "consume", 20, 80),
    )
    assert cp(a) == {"root": 100, "consume": 0, "work": 0}


def test_producer_under_a_consumer_is_blocking():
    a = run(
        mk("root", None, 0, 100, kind=SpanKind.CONSUMER),
        mk("produce", "root", 10, 90, kind=SpanKind.PRODUCER),
    )
    assert cp(a) == {"root": 20, "produce": 80}


def test_follows_from_child_is_async_whatever_its_kind():
    a = run(mk("root", None, 0, 100), mk("later", "root", 10, 90, ref=RefType.FOLLOWS_FROM))
    assert cp(a) == {"root": 100, "later": 0}


# ----------------------------------------------------------------------------- rule 2: clipping


def test_child_starting_exactly_at_the_parent_end_is_dropped():
    a = run(mk("root", None, 0, 100), mk("after", "root", 100, 150))
    assert cp(a) == {"root": 100, "after": 0}
    assert sections(a) == [("root", 0, 100)]


def test_child_ending_exactly_at_the_parent_start_is_dropped():
    a = run(mk("root", None, 100, 200), mk("before", "root", 50, 100))
    assert cp(a) == {"root": 100, "before": 0}


def test_child_starting_before_the_parent_is_clipped_to_its_start():
    a = run(mk("root", None, 100, 200), mk("early", "root", 50, 150))
    assert sections(a) == [("early", 100, 150), ("root", 150, 200)]


def test_grandchild_is_clipped_to_the_clipped_child():
    # child is cut at 100 (the root's end); the grandchild at 100 too, not at child's 150.
    a = run(mk("root", None, 0, 100), mk("child", "root", 50, 150), mk("gc", "child", 90, 140))
    assert sections(a) == [("root", 0, 50), ("child", 50, 90), ("gc", 90, 100)]
    assert sum(a.critical_path_ns.values()) == 100


def test_critical_path_sections_merge_consecutive_pieces_of_one_span():
    a = run(mk("root", None, 0, 100), mk("A", "root", 0, 100))
    assert sections(a) == [("A", 0, 100)]
    assert cp(a) == {"root": 0, "A": 100}


# ----------------------------------------------------------------------------- self time


def test_fully_covered_span_has_zero_self_time():
    a = run(mk("root", None, 0, 100), mk("A", "root", 0, 60), mk("B", "root", 40, 100))
    assert self_time(a) == {"root": 0, "A": 60, "B": 60}


def test_child_covering_more_than_its_parent_leaves_zero_not_negative():
    a = run(mk("root", None, 10, 90), mk("A", "root", 0, 100))
    assert self_time(a)["root"] == 0


def test_self_time_subtracts_the_union_of_children_once():
    a = run(
        mk("root", None, 0, 100),
        mk("A", "root", 10, 30),
        mk("B", "root", 20, 40),  # overlaps A: 10..40 counted once
        mk("C", "root", 40, 50),  # touches B's end
        mk("D", "root", 60, 60),  # zero length
        mk("E", "root", 70, 80),
    )
    assert self_time(a)["root"] == 100 - 40 - 10


def test_self_time_counts_async_children_too():
    a = run(mk("root", None, 0, 100), mk("later", "root", 0, 50, ref=RefType.FOLLOWS_FROM))
    assert self_time(a)["root"] == 50


# ----------------------------------------------------------------------------- clock skew


def skewed(adjust: bool):
    return run(
        mk("root", None, 0, 100, service="a"),
        mk("remote", "root", -50, -10, service="b", events=[SpanEvent(-30, "e")]),
        mk("inner", "remote", -40, -20, service="b"),
        adjust=adjust,
    )


def test_report_only_skew_mode_does_not_shift_any_span():
    a = skewed(adjust=False)
    assert [(s.name, s.start_ns, s.end_ns) for s in a.trace.spans] == [
        ("root", 0, 100),
        ("remote", -50, -10),
        ("inner", -40, -20),
    ]
    assert a.span("remote").events[0].time_ns == -30
    assert a.skew_adjusted is False
    assert [w.applied for w in a.skew_warnings] == [False]
    assert (a.start_ns, a.end_ns) == (-50, 100)


def test_applied_skew_moves_the_subtree_and_the_trace_bounds():
    a = skewed(adjust=True)
    assert [(s.name, s.start_ns, s.end_ns) for s in a.trace.spans] == [
        ("root", 0, 100),
        ("remote", 30, 70),
        ("inner", 40, 60),
    ]
    assert a.skew_adjusted is True
    assert [w.applied for w in a.skew_warnings] == [True]
    assert (a.start_ns, a.end_ns) == (0, 100)
    assert a.preorder == ("root", "remote", "inner")


def test_adjusting_a_trace_without_skew_changes_nothing():
    a = run(
        mk("root", None, 0, 100, service="a"), mk("c", "root", 10, 20, service="b"), adjust=True
    )
    assert a.skew_adjusted is False
    assert a.skew_warnings == ()


def test_shorter_child_overhanging_the_parent_end_is_centred():
    # Child 80..120 (40) in parent 0..100: latency (100-40)//2 = 30, so it moves to 30..70.
    a = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 80, 120, service="b"))
    assert [(w.span_key, w.parent_key, w.delta_ns) for w in a.skew_warnings] == [("c", "p", -50)]


def test_longer_child_starting_before_the_parent_moves_to_its_start():
    a = run(mk("p", None, 100, 200, service="a"), mk("c", "p", 40, 400, service="b"))
    assert [w.delta_ns for w in a.skew_warnings] == [60]


def test_child_exactly_filling_its_parent_has_no_skew():
    a = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 0, 100, service="b"))
    assert a.skew_warnings == ()


def test_skew_is_measured_against_the_adjusted_parent():
    # b is shifted by +80; c (host c) is inside b's *adjusted* interval, so no second warning.
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("b", "root", -50, -10, service="b"),
        mk("c", "b", 35, 65, service="c"),
        adjust=True,
    )
    assert [(w.span_key, w.delta_ns) for w in a.skew_warnings] == [("b", 80)]


def test_async_child_on_another_host_is_not_skew_checked():
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("later", "root", 500, 900, service="b", ref=RefType.FOLLOWS_FROM),
    )
    assert a.skew_warnings == ()


def test_same_host_descendant_inherits_the_shift():
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("remote", "root", -50, -10, service="b"),
        mk("deep", "remote", -45, -15, service="b"),
        mk("deeper", "deep", -44, -16, service="b"),
        adjust=True,
    )
    assert a.span("deeper").start_ns == 36


def test_host_identity_comes_from_resource_keys_before_the_service():
    # Different services on one host.name: no skew; same service on two hosts: skew.
    same_host = run(
        mk("p", None, 0, 100, service="a", resource=[("host.name", "h1")]),
        mk("c", "p", -50, -10, service="b", resource=[("host.name", "h1")]),
    )
    assert same_host.skew_warnings == ()
    two_hosts = run(
        mk("p", None, 0, 100, service="a", resource=[("host.id", "h1")]),
        mk("c", "p", -50, -10, service="a", resource=[("host.id", "h2")]),
    )
    assert [w.delta_ns for w in two_hosts.skew_warnings] == [80]


def test_host_keys_in_order_and_empty_values_skipped():
    for key in ("host.id", "host.ip", "host.name", "ip", "hostname"):
        a = run(
            mk("p", None, 0, 100, service="a", resource=[(key, "h1")]),
            mk("c", "p", -50, -10, service="b", resource=[(key, "h1")]),
        )
        assert a.skew_warnings == (), key
    # An empty host.name does not identify a host: the services differ, so it is skew.
    a = run(
        mk("p", None, 0, 100, service="a", resource=[("host.name", "")]),
        mk("c", "p", -50, -10, service="b", resource=[("host.name", "")]),
    )
    assert [w.delta_ns for w in a.skew_warnings] == [80]
    # A list value names the host by its first element.
    a = run(
        mk("p", None, 0, 100, service="a", resource=[("host.ip", ("10.0.0.1", "10.0.0.2"))]),
        mk("c", "p", -50, -10, service="b", resource=[("host.ip", ("10.0.0.1",))]),
    )
    assert a.skew_warnings == ()


def test_earlier_host_key_wins_over_a_later_one():
    # Same host.id, different hostname: one host.
    a = run(
        mk("p", None, 0, 100, service="a", resource=[("hostname", "x"), ("host.id", "h")]),
        mk("c", "p", -50, -10, service="b", resource=[("hostname", "y"), ("host.id", "h")]),
    )
    assert a.skew_warnings == ()


# ----------------------------------------------------------------------------- keys, roots


def test_duplicate_span_ids_get_numbered_keys():
    spans = [
        mk("a", None, 0, 1),
        mk("b", None, 0, 1, span_id="a"),
        mk("c", None, 0, 1, span_id="a"),
    ]
    assert span_keys_of(spans) == ["a", "a_1", "a_2"]
    assert span_keys_of([mk("x", None, 0, 1), mk("y", None, 0, 1)]) == ["x", "y"]


def test_root_is_the_earliest_then_longest_true_root():
    a = run(mk("short", None, 0, 10), mk("long", None, 0, 50), mk("late", None, 5, 500))
    assert a.root_span_id == "long"
    assert a.root_span_ids == ("short", "long", "late")


def test_depth_and_parent_views():
    a = run(mk("r", None, 0, 100), mk("c", "r", 10, 90), mk("g", "c", 20, 30))
    assert dict(a.depth) == {"r": 0, "c": 1, "g": 2}
    assert dict(a.parent) == {"r": None, "c": "r", "g": "c"}
    assert a.children["r"] == ("c",)
    assert len(a.children) == 3
    assert list(a.children) == ["r", "c", "g"]


def test_error_origins_are_errors_with_no_error_below():
    a = run(
        mk("root", None, 0, 100, status=StatusCode.ERROR),
        mk("a", "root", 10, 50, status=StatusCode.ERROR),
        mk("a1", "a", 20, 30),
        mk("b", "root", 60, 90, attrs=[("error", True)]),
    )
    assert a.error_origin_ids == ("a", "b")
    assert a.error_reasons == {"root": "status ERROR", "a": "status ERROR", "b": "error=true"}


def test_service_summary_is_ordered_by_critical_path_then_self_time_then_name():
    a = run(
        mk("root", None, 0, 100, service="front"),
        mk("x", "root", 10, 20, service="b-svc"),
        mk("y", "root", 30, 40, service="a-svc"),
        mk("z", "root", 50, 90, service="z-svc", status=StatusCode.ERROR),
        # async: counts against root's self time (now 35), not its critical path (40)
        mk("w", "root", 92, 97, service="d-svc", ref=RefType.FOLLOWS_FROM),
    )
    got = [
        (s.service, s.span_count, s.error_count, s.self_time_ns, s.critical_path_ns)
        for s in a.services
    ]
    assert got == [
        ("z-svc", 1, 1, 40, 40),  # same critical path as front, more self time
        ("front", 1, 0, 35, 40),
        ("a-svc", 1, 0, 10, 10),  # a tie: by name
        ("b-svc", 1, 0, 10, 10),
        ("d-svc", 1, 0, 5, 0),
    ]


# ----------------------------------------------------------------------------- summary


def test_summary_root_counts_and_services():
    trace = Trace(
        TID,
        (
            mk(
                "child", "root", 1_000_000_000, 2_000_000_000, service="db", status=StatusCode.ERROR
            ),
            mk("root", None, 1_000_000_000, 3_000_000_000, service="api"),
            mk("other", None, 1_000_000_000, 1_500_000_000, service="api"),
            mk(
                "late",
                "root",
                2_500_000_000,
                3_500_000_000,
                service="cache",
                attrs=[("http.status_code", 500)],
            ),
        ),
    )
    s = summarize_trace(trace)
    assert (s.root_service, s.root_name) == ("api", "root")
    assert s.start == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert s.duration_ns == 2_500_000_000
    assert (s.span_count, s.error_count) == (4, 2)
    assert s.services == ("db", "api", "cache")


def test_summary_of_a_trace_without_a_root_uses_the_earliest_span():
    trace = Trace(
        TID, (mk("b", "ghost", 20, 30, service="s2"), mk("a", "ghost", 10, 40, service="s1"))
    )
    s = summarize_trace(trace)
    assert (s.root_service, s.root_name) == ("s1", "a")


def test_summary_of_an_empty_trace():
    s = summarize_trace(Trace(TID, ()))
    assert (s.root_service, s.root_name, s.span_count, s.error_count) == ("", "", 0, 0)


# ----------------------------------------------------------------------------- more edges


def test_analyze_trace_reports_skew_without_applying_it_by_default():
    trace = Trace(TID, (mk("p", None, 0, 100, service="a"), mk("c", "p", -50, -10, service="b")))
    a = analyze_trace(trace)
    assert a.skew_adjusted is False
    assert a.span("c").start_ns == -50


def test_critical_path_sections_works_out_async_children_itself():
    spans = [
        mk("root", None, 0, 100, kind=SpanKind.PRODUCER),
        mk("consume", "root", 10, 90, kind=SpanKind.CONSUMER),
        mk("later", "root", 20, 95, ref=RefType.FOLLOWS_FROM),
        mk("call", "root", 30, 60),
    ]
    children = [[1, 2, 3], [], [], []]
    assert critical_path_sections(spans, children, 0) == [(0, 60, 100), (3, 30, 60), (0, 0, 30)]


def test_critical_path_child_listed_before_its_parent():
    a = run(mk("child", "root", 10, 40), mk("root", None, 0, 100))
    assert sections(a) == [("root", 0, 10), ("child", 10, 40), ("root", 40, 100)]


def test_zero_length_children_leave_one_merged_section():
    a = run(mk("root", None, 0, 100), mk("A", "root", 20, 20), mk("B", "root", 60, 60))
    assert sections(a) == [("root", 0, 100)]
    assert cp(a) == {"root": 100, "A": 0, "B": 0}


def test_self_time_with_three_separate_runs_of_children():
    a = run(
        mk("root", None, 0, 100),
        mk("A", "root", 10, 20),
        mk("B", "root", 30, 40),
        mk("C", "root", 50, 60),
    )
    assert self_time(a)["root"] == 70


def test_self_time_of_one_nanosecond_and_of_negative_timestamps():
    a = run(mk("root", None, 0, 100), mk("A", "root", 0, 99))
    assert self_time(a)["root"] == 1
    b = run(mk("root", None, -100, 0), mk("A", "root", -50, -20))
    assert self_time(b)["root"] == 70


def test_cycle_is_cut_at_the_span_on_the_loop_not_at_an_earlier_child_of_it():
    a = run(
        mk("root", None, 0, 100),
        mk("A", "B", 10, 50),
        mk("B", "A", 20, 40),
        mk("C", "B", 5, 30),  # the earliest span of the unreachable part, not on the loop
    )
    assert a.cycle_span_ids == ("B",)
    assert a.parent["B"] is None
    assert a.parent["C"] == "B"


def test_cycle_cut_keeps_children_of_the_first_span_in_place():
    a = run(
        mk("root", None, 0, 100),
        mk("a", "root", 10, 20),
        mk("X", "Y", 30, 60),
        mk("Y", "X", 40, 50),
    )
    assert a.preorder == ("root", "a", "X", "Y")
    assert a.cycle_span_ids == ("X",)


def test_orphan_tops_are_ordered_by_start():
    a = run(mk("o2", "ghost", 30, 40), mk("o1", "ghost", 10, 20), mk("root", None, 0, 100))
    assert a.orphan_span_ids == ("o1", "o2")
    assert a.preorder == ("root", "o1", "o2")


def test_duplicate_span_id_child_of_a_shared_id_prefers_the_unshared_half():
    # Two server halves share the client's ID; each one's parent is the client half.
    x = "00000000000000aa"
    a = run(
        mk("serve1", x, 12, 50, service="back", kind=SpanKind.SERVER, span_id=x, shared=True),
        mk("call", None, 10, 90, service="front", kind=SpanKind.CLIENT, span_id=x),
        mk("serve2", x, 52, 88, service="back", kind=SpanKind.SERVER, span_id=x, shared=True),
    )
    assert a.span_keys == (x, f"{x}_1", f"{x}_2")
    assert a.parent[x] == f"{x}_1"
    assert a.parent[f"{x}_2"] == f"{x}_1"
    assert a.parent[f"{x}_1"] is None
    assert (a.root_span_ids, a.orphan_span_ids, a.cycle_span_ids) == ((f"{x}_1",), (), ())


def test_children_of_a_shared_id_listed_server_half_first():
    # The server half comes first in the input: a child on the server's service belongs to
    # it, a child on the client's service to the client half.
    x = "00000000000000aa"
    a = run(
        mk("serve", x, 12, 88, service="back", kind=SpanKind.SERVER, span_id=x, shared=True),
        mk("call", None, 10, 90, service="front", kind=SpanKind.CLIENT, span_id=x),
        mk("db", x, 20, 80, service="back"),
        mk("log", x, 89, 90, service="front"),
    )
    assert a.parent["db"] == x
    assert a.parent["log"] == f"{x}_1"


def test_orphan_in_a_trace_with_duplicate_ids():
    x = "00000000000000aa"
    a = run(
        mk("call", None, 10, 90, span_id=x),
        mk("again", None, 10, 90, span_id=x),
        mk("lost", "ghost", 20, 30),
        mk("next", "root2", 40, 50),
    )
    assert a.orphan_span_ids == ("lost", "next")
    assert a.missing_parents == {"ghost": ("lost",), "root2": ("next",)}
    assert a.root_span_ids == (x, f"{x}_1")


def test_skew_of_an_equally_long_child_shifted_later():
    a = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 50, 150, service="b"))
    assert [w.delta_ns for w in a.skew_warnings] == [-50]


def test_child_starting_or_ending_with_its_parent_is_not_skewed():
    for c_start, c_end in ((0, 40), (60, 100)):
        a = run(mk("p", None, 0, 100, service="a"), mk("c", "p", c_start, c_end, service="b"))
        assert a.skew_warnings == (), (c_start, c_end)


def test_skew_latency_is_rounded_down_to_whole_nanoseconds():
    # (100 - 41) // 2 = 29: the child moves to 29..70, a shift of -51.
    a = run(mk("p", None, 0, 100, service="a"), mk("c", "p", 80, 121, service="b"))
    assert [w.delta_ns for w in a.skew_warnings] == [-51]
    assert isinstance(a.skew_warnings[0].delta_ns, int)


def test_skew_checks_go_on_after_same_host_and_async_children():
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("local", "root", 1, 2, service="a"),
        mk("async", "root", 3, 4, service="c", ref=RefType.FOLLOWS_FROM),
        mk("remote", "root", -50, -10, service="b"),
    )
    assert [(w.span_key, w.delta_ns) for w in a.skew_warnings] == [("remote", 80)]


def test_shifted_events_keep_their_name_and_attributes():
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("remote", "root", -50, -10, service="b", events=[SpanEvent(-30, "retry", (("n", 2),))]),
        adjust=True,
    )
    assert a.span("remote").events == (SpanEvent(50, "retry", (("n", 2),)),)


def test_adjusted_roots_stay_ordered_by_start():
    a = run(
        mk("late", None, 500, 600, service="a"),
        mk("early", None, 0, 100, service="a"),
        mk("remote", "early", -50, -10, service="b"),
        adjust=True,
    )
    assert a.preorder == ("early", "remote", "late")


def test_error_reason_details():
    assert error_reason(mk("s", None, 0, 1, status=StatusCode.ERROR)) == "status ERROR"
    span = Span(TID, "s", None, "s", "svc", SpanKind.INTERNAL, 0, 1, StatusCode.ERROR, "boom")
    assert error_reason(span) == "status ERROR: boom"
    # Only the first HTTP status attribute counts.
    first = mk(
        "s", None, 0, 1, attrs=[("http.status_code", 200), ("http.response.status_code", 500)]
    )
    assert error_reason(first) is None
    # An unreadable status code is skipped, and the attributes after it still count.
    odd = mk("s", None, 0, 1, attrs=[("http.status_code", "abc"), ("error", True)])
    assert error_reason(odd) == "error=true"
    assert error_reason(mk("s", None, 0, 1, attrs=[("http.status_code", 499)])) is None
    assert error_reason(mk("s", None, 0, 1, attrs=[("http.status_code", "500")])) == "HTTP 500"


def test_self_time_of_a_parent_listed_after_a_childless_span():
    a = run(mk("leaf", None, 0, 5), mk("root", None, 0, 100), mk("A", "root", 10, 30))
    assert self_time(a) == {"leaf": 5, "root": 80, "A": 20}


def test_skew_after_an_async_sibling_is_still_found_and_only_reported():
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("async", "root", 10, 20, service="c", ref=RefType.FOLLOWS_FROM),
        mk("remote", "root", 150, 190, service="b"),
    )
    assert [(w.span_key, w.delta_ns) for w in a.skew_warnings] == [("remote", -120)]
    assert a.end_ns == 190  # report-only: nothing moved
    assert self_time(a)["remote"] == 40


def test_grandchild_skew_is_measured_against_the_shifted_parent():
    # b moves +80 to 30..70; c (third host) at 0..20 is outside that: centred, +40.
    a = run(
        mk("root", None, 0, 100, service="a"),
        mk("b", "root", -50, -10, service="b"),
        mk("c", "b", 0, 20, service="c"),
    )
    assert [(w.span_key, w.delta_ns) for w in a.skew_warnings] == [("b", 80), ("c", 40)]


def test_two_separate_parent_loops_are_both_cut():
    a = run(
        mk("root", None, 0, 100),
        mk("A", "B", 10, 20),
        mk("B", "A", 11, 19),
        mk("X", "Y", 30, 40),
        mk("Y", "X", 31, 39),
    )
    assert a.cycle_span_ids == ("A", "X")
    assert set(a.preorder) == {"root", "A", "B", "X", "Y"}


def test_loop_through_the_first_span_is_cut():
    a = run(mk("X", "Y", 30, 40), mk("Y", "X", 31, 39), mk("Z", "X", 32, 33))
    assert a.cycle_span_ids == ("X",)
    assert a.preorder == ("X", "Y", "Z")


def test_tops_after_a_cut_are_ordered_by_start():
    a = run(mk("late", None, 50, 60), mk("A", "B", 10, 20), mk("B", "A", 11, 19))
    assert a.preorder == ("A", "B", "late")


def test_skew_centring_uses_the_parent_duration_not_its_end():
    # Parent 100..200 (100), child 180..220 (40): latency 30, so it moves to 130..170.
    a = run(mk("p", None, 100, 200, service="a"), mk("c", "p", 180, 220, service="b"))
    assert [w.delta_ns for w in a.skew_warnings] == [-50]
