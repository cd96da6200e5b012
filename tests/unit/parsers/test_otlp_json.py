"""The full OTLP/JSON trace decoder (``parsers.otlp``), behaviour by behaviour.

Literal expectations throughout; the mutation run of docs/testing.md checks that each test
pins what its name says. Both of its span paths are covered: the inline fast path (known
trace ID, 16-hex span IDs, no events or links) and the general one it falls back to.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from obsctl.errors import ParseError
from obsctl.model.traces import (
    RefType,
    Span,
    SpanEvent,
    SpanKind,
    SpanLink,
    StatusCode,
    Trace,
)
from obsctl.parsers import otlp
from obsctl.parsers.otlp import (
    any_value,
    attributes,
    find_resource_spans,
    iter_otlp_spans,
    parse_otlp_trace,
    parse_otlp_traces,
)

TID = "4bf92f3577b34da6a3ce929d0e0e4736"
SID = "00f067aa0ba902b7"


def _span(**fields: Any) -> dict[str, Any]:
    return {"traceId": TID, "spanId": SID, "startTimeUnixNano": "100", **fields}


def _doc(*spans: dict[str, Any], **group: Any) -> dict[str, Any]:
    return {"resourceSpans": [{"scopeSpans": [{"spans": list(spans)}], **group}]}


PRIMER = "f" * 16


def _trace(raw: dict[str, Any], *, prime: bool = False, **group: Any) -> Trace:
    """The trace of one span; ``prime`` puts a span of the same trace ID before it, so that
    the ID is known and ``raw`` takes the fast path (when it has no events or links), which
    the first span of a trace never does. The primer is left out of the result."""
    spans = [raw]
    if prime:
        spans.insert(
            0,
            {
                "traceId": raw["traceId"],
                "spanId": PRIMER,
                "startTimeUnixNano": "1",
                "endTimeUnixNano": "1",
            },
        )
    trace = parse_otlp_trace(_doc(*spans, **group))
    return Trace(
        trace.trace_id,
        tuple(s for s in trace.spans if s.span_id != PRIMER),
        trace.warnings,
    )


def _one(raw: dict[str, Any], *, prime: bool = False, **group: Any) -> Span:
    (span,) = _trace(raw, prime=prime, **group).spans
    return span


def _error(doc: object, **kw: Any) -> str:
    with pytest.raises(ParseError) as exc:
        parse_otlp_trace(doc, **kw)
    return exc.value.message


# ----------------------------------------------------------------------- documents


def test_find_resource_spans_in_every_container_and_wrapper() -> None:
    rs = [{"scopeSpans": []}]
    assert find_resource_spans(rs) is rs
    assert find_resource_spans({"resourceSpans": rs}) is rs
    assert find_resource_spans({"batches": rs}) is rs
    assert find_resource_spans({"trace": {"batches": rs}}) is rs
    assert find_resource_spans({"result": {"resourceSpans": rs}}) is rs
    assert find_resource_spans({"result": {"trace": {"resourceSpans": rs}}}) is rs
    assert find_resource_spans({"trace": {"trace": {"result": {"resourceSpans": rs}}}}) is None
    assert find_resource_spans({"result": {"trace": [1]}}) is None  # three levels at most


def test_find_resource_spans_of_null_is_empty_and_of_other_types_none() -> None:
    assert find_resource_spans({"resourceSpans": None}) == []
    assert find_resource_spans({"resourceSpans": "x"}) is None
    assert find_resource_spans({"batches": {}}) is None
    assert find_resource_spans("x") is None
    assert find_resource_spans({"trace": "x"}) is None
    assert find_resource_spans({"data": []}) is None
    assert find_resource_spans({"resourceSpans": [], "batches": None}) == []


def test_not_otlp_names_what_was_expected() -> None:
    assert _error({"data": []}, what="Tempo") == (
        "Tempo: no resourceSpans (or batches) found: not an OTLP trace"
    )
    with pytest.raises(ParseError) as exc:
        parse_otlp_traces({"data": []}, what="Jaeger")
    assert exc.value.message == "Jaeger: no resourceSpans found: not an OTLP trace"
    assert exc.value.from_backend is False


def test_errors_from_a_backend_say_so() -> None:
    with pytest.raises(ParseError) as exc:
        parse_otlp_traces({"data": []}, from_backend=True)
    assert exc.value.from_backend is True
    with pytest.raises(ParseError) as exc:
        parse_otlp_trace(_doc(_span(spanId="x!")), from_backend=True)
    assert exc.value.from_backend is True


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"resourceSpans": ["x"]}, "OTLP JSON: resourceSpans[0] is not an object"),
        (
            {"resourceSpans": [{"resource": {"attributes": "x"}}]},
            "OTLP JSON: resourceSpans[0].resource.attributes malformed (attributes is not a list)",
        ),
        (
            {"resourceSpans": [{"resource": {"attributes": [{"value": 1}]}}]},
            "OTLP JSON: resourceSpans[0].resource.attributes malformed ('key')",
        ),
        (
            {"resourceSpans": [{"resource": "x"}]},
            "OTLP JSON: resourceSpans[0].resource.attributes malformed "
            "('str' object has no attribute 'get')",
        ),
        (
            {"resourceSpans": [{"instrumentationLibrarySpans": 3}]},
            "OTLP JSON: resourceSpans[0].instrumentationLibrarySpans is not a list",
        ),
        (
            {"resourceSpans": [{"scopeSpans": [{}, 3]}]},
            "OTLP JSON: resourceSpans[0].scopeSpans[1] is not an object",
        ),
        (
            {"resourceSpans": [{}, {"scopeSpans": [{"spans": {"a": 1}}]}]},
            "OTLP JSON: resourceSpans[1].scopeSpans[0].spans is not a list",
        ),
        (
            _doc(_span(), _span(spanId="zz!")),
            "OTLP JSON: resourceSpans[0].scopeSpans[0].spans[1]: invalid span ID 'zz!'",
        ),
        (
            _doc(_span(), {"traceId": TID, "spanId": SID}),
            "OTLP JSON: resourceSpans[0].scopeSpans[0].spans[1]: startTimeUnixNano missing",
        ),
        (
            _doc(_span(events=[3])),
            "OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0] malformed "
            "(AttributeError: 'int' object has no attribute 'get')",
        ),
        (
            _doc(_span(), 5),
            "OTLP JSON: resourceSpans[0].scopeSpans[0].spans[1] malformed "
            "(AttributeError: 'int' object has no attribute 'get')",
        ),
    ],
)
def test_malformed_documents_name_the_place(doc: object, message: str) -> None:
    assert _error(doc) == message


def test_the_span_count_is_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("obsctl.parsers._trace_common.MAX_SPANS", 2)
    assert len(parse_otlp_trace(_doc(_span(), _span(spanId="1" * 16))).spans) == 2
    doc = {
        "resourceSpans": [
            {"scopeSpans": [{"spans": [_span()]}, {"spans": [_span(), _span()]}]},
        ]
    }
    with pytest.raises(ParseError, match="spans"):
        parse_otlp_trace(doc)


# ----------------------------------------------------------------------- spans


def test_a_minimal_span_takes_every_default() -> None:
    for span in (_one(_span()), _one(_span(endTimeUnixNano="100"), prime=True)):
        assert span == Span(
            trace_id=TID,
            span_id=SID,
            parent_span_id=None,
            name="",
            service="unknown",
            kind=SpanKind.UNSPECIFIED,
            start_ns=100,
            end_ns=100,
            status_code=StatusCode.UNSET,
            status_message="",
            attributes=(),
            resource=(),
            events=(),
            links=(),
            ref_type=RefType.CHILD_OF,
            scope=None,
        )


@pytest.mark.parametrize("fast", [True, False])
def test_every_field_of_a_span(fast: bool) -> None:
    raw = _span(
        parentSpanId="1111111111111111",
        name="GET /x",
        kind="SPAN_KIND_SERVER",
        startTimeUnixNano=100,
        endTimeUnixNano="250",
        attributes=[{"key": "k", "value": {"stringValue": "v"}}],
        status={"code": "STATUS_CODE_ERROR", "message": "boom"},
    )
    if not fast:
        raw["events"] = [{"name": "retry"}]
    span = _one(
        raw,
        prime=True,
        resource={"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
    )
    assert span == Span(
        trace_id=TID,
        span_id=SID,
        parent_span_id="1111111111111111",
        name="GET /x",
        service="api",
        kind=SpanKind.SERVER,
        start_ns=100,
        end_ns=250,
        status_code=StatusCode.ERROR,
        status_message="boom",
        attributes=(("k", "v"),),
        resource=(("service.name", "api"),),
        events=() if fast else (SpanEvent(100, "retry", ()),),
        links=(),
        ref_type=RefType.CHILD_OF,
        scope=None,
    )


@pytest.mark.parametrize("fast", [True, False])
def test_ids_are_lower_cased_and_an_all_zero_or_empty_parent_is_none(fast: bool) -> None:
    extra: dict[str, Any] = {} if fast else {"events": [{}]}
    upper = _one(
        _span(spanId=SID.upper(), parentSpanId="ABCDEF0123456789", endTimeUnixNano=5**9, **extra),
        prime=True,
    )
    assert (upper.span_id, upper.parent_span_id) == (SID, "abcdef0123456789")
    for parent in ("0" * 16, "", None):
        got = _one(_span(parentSpanId=parent, endTimeUnixNano=100, **extra), prime=True)
        assert got.parent_span_id is None
    for short_id in ("f00", "f00f"):  # odd and even lengths, span and parent apart
        got = _one(_span(spanId=short_id, endTimeUnixNano=100), prime=True)
        assert got.span_id == short_id.rjust(16, "0")
        got = _one(_span(parentSpanId=short_id, endTimeUnixNano=100), prime=True)
        assert got.parent_span_id == short_id.rjust(16, "0")
    for bad in ("zzzzzzzzzzzzzzzz", "zz!"):
        with pytest.raises(ParseError, match="invalid span ID"):
            _one(_span(parentSpanId=bad, endTimeUnixNano=100), prime=True)


def test_short_and_base64_ids_are_padded_or_decoded() -> None:
    span = _one(_span(traceId="abc", spanId="f", parentSpanId="ERERERERERE="))
    assert (span.trace_id, span.span_id, span.parent_span_id) == (
        "0" * 29 + "abc",
        "0" * 15 + "f",
        "1111111111111111",
    )
    # A 16-character span ID that is not hex is read as base64 (of 12 bytes: too long).
    assert _error(_doc(_span(spanId="ABCDEFGHIJKLMNOP"))).endswith(
        "invalid span ID 'ABCDEFGHIJKLMNOP'"
    )


def test_trace_ids_are_cached_only_up_to_1024(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = otlp.trace_id_of

    def counting(value: object, **kw: Any) -> str:
        calls.append(value)
        return real(value, **kw)

    monkeypatch.setattr(otlp, "trace_id_of", counting)
    ids = otlp._Ids(False, "x")
    for i in range(1030):
        ids.trace(f"{i:032x}", "")
    assert len(ids.trace_ids) == 1024
    calls.clear()
    assert ids.trace(f"{5:032x}", "") == f"{5:032x}"
    assert ids.trace(f"{1029:032x}", "") == f"{1029:032x}"
    assert calls == [f"{1029:032x}"]  # past the limit: decoded again, not kept
    assert ids.trace(TID.upper(), "") == TID


@pytest.mark.parametrize("prime", [False, True])
def test_times_as_numbers_or_strings_and_the_end_defaults_to_the_start(prime: bool) -> None:
    assert _one(_span(startTimeUnixNano=7), prime=prime).start_ns == 7
    assert _one(_span(), prime=prime).end_ns == 100
    for start, end in ((7, 9), ("7", 9), (7, "9"), ("7", "9"), (7.0, 9.0), (7, 9.0), (7.0, 9)):
        span = _one(_span(startTimeUnixNano=start, endTimeUnixNano=end), prime=prime)
        assert (span.start_ns, span.end_ns) == (7, 9)
        assert type(span.start_ns) is int and type(span.end_ns) is int
    with pytest.raises(ParseError, match="expected an integer, got 'x'"):
        _one(_span(endTimeUnixNano="x"), prime=prime)


@pytest.mark.parametrize("extra", [{}, {"events": [{}]}])
def test_a_span_ending_before_it_starts_is_clamped_with_a_warning(extra: dict[str, Any]) -> None:
    trace = _trace(_span(endTimeUnixNano="99", **extra), prime=True)
    assert (trace.spans[0].start_ns, trace.spans[0].end_ns) == (100, 100)
    assert trace.warnings == (f"span {SID} ends before it starts; duration set to 0",)
    same = _trace(_span(endTimeUnixNano="100", **extra), prime=True)
    assert same.warnings == () and same.spans[0].end_ns == 100


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (4, {"code": 1}, (SpanKind.PRODUCER, StatusCode.OK)),
        ("SPAN_KIND_INTERNAL", {"code": "STATUS_CODE_OK"}, (SpanKind.INTERNAL, StatusCode.OK)),
        (9, {"code": 7}, (SpanKind.UNSPECIFIED, StatusCode.UNSET)),
        (None, {"message": "m"}, (SpanKind.UNSPECIFIED, StatusCode.UNSET)),
        (None, None, (SpanKind.UNSPECIFIED, StatusCode.UNSET)),
    ],
)
@pytest.mark.parametrize("extra", [{}, {"events": [{}]}])
def test_kinds_and_status_codes_unknown_ones_unspecified_and_unset(
    kind: object,
    status: dict[str, Any] | None,
    expected: tuple[SpanKind, StatusCode],
    extra: dict[str, Any],
) -> None:
    span = _one(_span(kind=kind, status=status, endTimeUnixNano=100, **extra), prime=True)
    assert (span.kind, span.status_code) == expected
    assert span.status_message == (status or {}).get("message", "")


def test_a_name_or_status_message_that_is_not_a_string_is_turned_into_one() -> None:
    for prime in (False, True):
        span = _one(_span(name=5, status={"message": 7}, endTimeUnixNano=100), prime=prime)
        assert (span.name, span.status_message) == ("5", "7")
        span = _one(_span(name=None, status={"message": None}, endTimeUnixNano=1), prime=prime)
        assert (span.name, span.status_message) == ("", "")
        span = _one(_span(name=5, endTimeUnixNano=100), prime=prime)
        assert (span.name, span.status_message) == ("5", "")
        span = _one(_span(name="n", status={"code": 2}, endTimeUnixNano=100), prime=prime)
        assert (span.name, span.status_message) == ("n", "")
        span = _one(_span(name="n", status={"message": 7}, endTimeUnixNano=100), prime=prime)
        assert (span.name, span.status_message) == ("n", "7")


def test_events_take_the_span_start_when_they_have_no_time() -> None:
    span = _one(
        _span(
            events=[
                {"timeUnixNano": "150", "name": "a", "attributes": [{"key": "k"}]},
                {"name": 5},
                {},
            ]
        )
    )
    assert span.events == (
        SpanEvent(150, "a", (("k", None),)),
        SpanEvent(100, "5", ()),
        SpanEvent(100, "", ()),
    )


@pytest.mark.parametrize("prime", [False, True])
def test_links_keep_their_order_and_a_follows_from_parent_becomes_the_reference(
    prime: bool,
) -> None:
    follows = {"key": "opentracing.ref_type", "value": {"stringValue": "follows_from"}}
    span = _one(
        _span(
            parentSpanId="1" * 16,
            endTimeUnixNano="100",
            links=[
                {"traceId": "a" * 32, "spanId": "3" * 16, "attributes": [{"key": "x"}]},
                {"traceId": TID, "spanId": "1" * 16, "attributes": [follows]},
                {"traceId": "B" * 32, "spanId": "4" * 16},
            ],
        ),
        prime=prime,
    )
    assert span.ref_type == RefType.FOLLOWS_FROM
    assert span.links == (
        SpanLink("a" * 32, "3" * 16, (("x", None),)),
        SpanLink("b" * 32, "4" * 16, ()),
    )


def test_the_scope_is_named_by_scope_or_instrumentation_library() -> None:
    def scope_of(ss: dict[str, Any]) -> str | None:
        ss["spans"] = [_span()]
        (span,) = parse_otlp_trace({"resourceSpans": [{"scopeSpans": [ss]}]}).spans
        return span.scope

    assert scope_of({"scope": {"name": "a"}}) == "a"
    assert scope_of({"instrumentationLibrary": {"name": "b"}}) == "b"
    assert scope_of({"scope": {}, "instrumentationLibrary": {"name": "c"}}) == "c"
    assert scope_of({"scope": {"name": ""}}) is None
    assert scope_of({"scope": {"name": 5}}) == "5"
    assert scope_of({"scope": "x"}) is None


def test_instrumentation_library_spans_only_without_scope_spans() -> None:
    group = {
        "scopeSpans": [{"spans": [_span()]}],
        "instrumentationLibrarySpans": [{"spans": [_span(spanId="2" * 16)]}],
    }
    (span,) = parse_otlp_trace({"resourceSpans": [group]}).spans
    assert span.span_id == SID


def test_spans_of_groups_keep_their_own_resource_and_null_lists_are_empty() -> None:
    def group(service: str, span_id: str) -> dict[str, Any]:
        return {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"spans": [_span(spanId=span_id)]}, {"spans": None}],
        }

    doc = {"resourceSpans": [group("a", "1" * 16), {"scopeSpans": None}, group("b", "2" * 16)]}
    trace = parse_otlp_trace(doc)
    assert [(s.span_id, s.service) for s in trace.spans] == [("1" * 16, "a"), ("2" * 16, "b")]


def test_iter_otlp_spans_keeps_every_trace_and_collects_warnings() -> None:
    warnings: list[str] = []
    spans = iter_otlp_spans(
        _doc(_span(), _span(traceId="c" * 32, endTimeUnixNano="1"))["resourceSpans"],
        from_backend=False,
        what="x",
        warnings=warnings,
    )
    assert [s.trace_id for s in spans] == [TID, "c" * 32]
    assert warnings == [f"span {SID} ends before it starts; duration set to 0"]


def test_parse_otlp_traces_groups_by_trace_in_order_of_first_appearance() -> None:
    doc = _doc(
        _span(traceId="c" * 32, spanId="1" * 16, startTimeUnixNano="300"),
        _span(spanId="2" * 16, endTimeUnixNano="5"),
        _span(traceId="c" * 32, spanId="3" * 16, startTimeUnixNano="200"),
    )
    traces = parse_otlp_traces(doc)
    assert [(t.trace_id, [s.span_id for s in t.spans]) for t in traces] == [
        ("c" * 32, ["3" * 16, "1" * 16]),
        (TID, ["2" * 16]),
    ]
    warning = f"span {'2' * 16} ends before it starts; duration set to 0"
    assert [t.warnings for t in traces] == [(warning,), (warning,)]
    assert parse_otlp_traces({"resourceSpans": []}) == []


# ----------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("plain", "plain"),
        (5, "5"),
        ({"stringValue": "s"}, "s"),
        ({"stringValue": 5}, "5"),
        ({"intValue": "12"}, 12),
        ({"intValue": 13}, 13),
        ({"intValue": "1.5"}, "1.5"),
        ({"intValue": None}, "None"),
        ({"boolValue": 1}, True),
        ({"boolValue": 0}, False),
        ({"doubleValue": "2.5"}, 2.5),
        ({"doubleValue": "Infinity"}, math.inf),
        ({"doubleValue": "x"}, "x"),
        ({"doubleValue": None}, "None"),
        ({"bytesValue": "AAEC"}, "AAEC"),
        ({"bytesValue": 5}, "5"),
        ({"arrayValue": None}, ()),
        ({"arrayValue": {"values": None}}, ()),
        ({"kvlistValue": None}, ()),
        (
            {"kvlistValue": {"values": [{"key": "k"}, {"value": {"intValue": 1}}]}},
            ("k=None", "None=1"),
        ),
        ({"other": 1}, None),
        ({}, None),
    ],
)
def test_any_values(value: object, expected: object) -> None:
    got = any_value(value)
    assert got == expected and type(got) is type(expected)


def test_any_value_nan_is_a_float() -> None:
    got = any_value({"doubleValue": "NaN"})
    assert isinstance(got, float) and math.isnan(got)


def test_any_value_strings_are_clipped() -> None:
    clipped = "x" * 65_535 + "…"
    assert any_value({"stringValue": "x" * 70_000}) == clipped
    assert any_value("x" * 70_000) == clipped
    assert any_value({"stringValue": "y" * 65_536}) == "y" * 65_536


def test_any_value_maps_and_arrays_nest_to_sixteen_levels() -> None:
    def nested(levels: int, kind: str) -> dict[str, Any]:
        value: dict[str, Any] = {"stringValue": "leaf"}
        for _ in range(levels):
            if kind == "array":
                value = {"arrayValue": {"values": [value]}}
            else:
                value = {"kvlistValue": {"values": [{"key": "k", "value": value}]}}
        return value

    for kind in ("array", "map"):
        assert "leaf" in str(any_value(nested(16, kind)))
        assert "…" not in str(any_value(nested(16, kind)))
        assert "leaf" not in str(any_value(nested(17, kind)))
    assert any_value(nested(1, "array"), 16) == "…"
    assert any_value({"intValue": 1}, 99) == 1


# ----------------------------------------------------------------------- attributes


def test_attributes_of_every_shape() -> None:
    assert attributes(None) == () and attributes([]) == ()
    with pytest.raises(TypeError, match="attributes is not a list"):
        attributes({"k": "v"})
    assert attributes(
        [
            {"key": "s", "value": {"stringValue": "v"}},
            {"key": 5, "value": {"stringValue": "v"}},  # a key that is not a string
            {"key": 6, "value": {"intValue": 1}},
            {"key": "two", "value": {"stringValue": "v", "other": 1}},
            {"key": "notstr", "value": {"stringValue": 3}},
            {"key": "none"},
        ]
    ) == (
        ("s", "v"),
        ("5", "v"),
        ("6", 1),
        ("two", "v"),
        ("notstr", "3"),
        ("none", None),
    )


def test_long_string_attributes_are_clipped_on_both_paths() -> None:
    assert attributes([{"key": "l", "value": {"stringValue": "x" * 65_537}}]) == (
        ("l", "x" * 65_535 + "…"),
    )
    assert attributes([{"key": "e", "value": {"stringValue": "y" * 65_536}}]) == (
        ("e", "y" * 65_536),
    )


PLACE = "Tempo: resourceSpans[0].scopeSpans[0].spans[1]"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"parentSpanId": "zz!"}, "invalid span ID 'zz!'"),
        ({"traceId": [1]}, "invalid trace ID '[1]'"),
        (
            {"spanId": [1] * 16},
            "invalid span ID " + repr(str([1] * 16)[:40]),
        ),
        ({"startTimeUnixNano": "x"}, "expected an integer, got 'x'"),
        ({"endTimeUnixNano": True}, "expected an integer, got a boolean"),
        ({"events": [{"timeUnixNano": "t"}]}, "expected an integer, got 't'"),
        ({"links": [{"traceId": "q!", "spanId": SID}]}, "invalid trace ID 'q!'"),
        ({"links": [{"traceId": TID, "spanId": "q!"}]}, "invalid span ID 'q!'"),
        # A warning first, then the failure: the failure is what is reported.
        (
            {"endTimeUnixNano": "1", "events": [{"timeUnixNano": "t"}]},
            "expected an integer, got 't'",
        ),
    ],
)
def test_a_bad_field_is_named_with_its_span_and_the_backend_flag(
    fields: dict[str, Any], message: str
) -> None:
    doc = _doc(_span(spanId="1" * 16), _span(**fields))
    for parse in (parse_otlp_trace, parse_otlp_traces):
        with pytest.raises(ParseError) as exc:
            parse(doc, from_backend=True, what="Tempo")
        assert exc.value.message == f"{PLACE}: {message}"
        assert exc.value.from_backend is True


@pytest.mark.parametrize(
    "doc",
    [
        {"resourceSpans": ["x"]},
        {"resourceSpans": [{"resource": {"attributes": "x"}}]},
        {"resourceSpans": [{"scopeSpans": "x"}]},
        {"resourceSpans": [{"scopeSpans": ["x"]}]},
        {"resourceSpans": [{"scopeSpans": [{"spans": "x"}]}]},
        {"resourceSpans": [{"scopeSpans": [{"spans": ["x"]}]}]},
    ],
)
def test_every_structural_error_carries_the_backend_flag_and_the_payload_name(
    doc: object,
) -> None:
    for parse in (parse_otlp_trace, parse_otlp_traces):
        with pytest.raises(ParseError) as exc:
            parse(doc, from_backend=True, what="Tempo")
        assert exc.value.from_backend is True
        assert exc.value.message.startswith("Tempo: resourceSpans[0]")
        with pytest.raises(ParseError) as exc:
            parse(doc)
        assert exc.value.from_backend is False
        assert exc.value.message.startswith("OTLP JSON: resourceSpans[0]")


def test_too_many_spans_is_named_with_the_backend_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("obsctl.parsers._trace_common.MAX_SPANS", 1)
    with pytest.raises(ParseError) as exc:
        parse_otlp_trace(_doc(_span(), _span()), from_backend=True, what="Tempo")
    assert exc.value.message.startswith("Tempo: ") and exc.value.from_backend is True
