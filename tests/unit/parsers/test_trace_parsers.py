"""Trace decoders: OTLP/Tempo, Jaeger v1, Zipkin v2 edge cases."""

from __future__ import annotations

import pytest

from obsctl.errors import ParseError
from obsctl.exit_codes import ExitCode
from obsctl.model.traces import RefType, SpanKind, StatusCode
from obsctl.parsers.jaeger import parse_jaeger_trace, parse_jaeger_traces
from obsctl.parsers.otlp import any_value, parse_otlp_trace, parse_otlp_traces
from obsctl.parsers.zipkin import parse_zipkin_trace, parse_zipkin_traces

TID = "4bf92f3577b34da6a3ce929d0e0e4736"


def otlp_span(**kw):
    span = {
        "traceId": TID,
        "spanId": "00f067aa0ba902b7",
        "name": "op",
        "startTimeUnixNano": "1000",
        "endTimeUnixNano": "3000",
    }
    span.update(kw)
    return span


def otlp_doc(*spans, service="svc"):
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
                },
                "scopeSpans": [{"scope": {"name": "lib"}, "spans": list(spans)}],
            }
        ]
    }


# ----------------------------------------------------------------------------- OTLP


def test_otlp_numbers_and_enum_names():
    doc = otlp_doc(
        otlp_span(
            kind="SPAN_KIND_CONSUMER",
            startTimeUnixNano=1000,
            status={"code": "STATUS_CODE_ERROR", "message": "boom", "deprecatedCode": "X"},
        )
    )
    span = parse_otlp_trace(doc).spans[0]
    assert span.kind is SpanKind.CONSUMER
    assert span.status_code is StatusCode.ERROR and span.status_message == "boom"
    assert (span.start_ns, span.end_ns) == (1000, 3000)
    assert span.scope == "lib" and span.service == "svc"


def test_otlp_integer_enums_and_all_zero_parent():
    doc = otlp_doc(otlp_span(kind=3, status={"code": 1}, parentSpanId="0000000000000000"))
    span = parse_otlp_trace(doc).spans[0]
    assert span.kind is SpanKind.CLIENT
    assert span.status_code is StatusCode.OK
    assert span.parent_span_id is None


def test_otlp_base64_ids_like_tempo():
    doc = {
        "batches": otlp_doc(
            otlp_span(
                traceId="S/kvNXezTaajzpKdDg5HNg==",
                spanId="APBnqgupArc=",
                parentSpanId="ERERERERERE=",
            )
        )["resourceSpans"]
    }
    span = parse_otlp_trace(doc).spans[0]
    assert span.trace_id == TID
    assert span.span_id == "00f067aa0ba902b7"
    assert span.parent_span_id == "1111111111111111"


def test_otlp_uppercase_and_short_hex_ids_are_normalised():
    doc = otlp_doc(otlp_span(traceId="ABC", spanId="00F067AA0BA902B7"))
    span = parse_otlp_trace(doc).spans[0]
    assert span.trace_id == "0" * 29 + "abc"
    assert span.span_id == "00f067aa0ba902b7"


def test_otlp_any_values():
    doc = otlp_doc(
        otlp_span(
            attributes=[
                {"key": "s", "value": {"stringValue": "x"}},
                {"key": "i", "value": {"intValue": "9007199254740993"}},
                {"key": "d", "value": {"doubleValue": 0.5}},
                {"key": "b", "value": {"boolValue": True}},
                {
                    "key": "a",
                    "value": {"arrayValue": {"values": [{"intValue": 1}, {"stringValue": "y"}]}},
                },
                {
                    "key": "kv",
                    "value": {
                        "kvlistValue": {"values": [{"key": "k", "value": {"intValue": "2"}}]}
                    },
                },
                {"key": "empty", "value": {}},
            ]
        )
    )
    attrs = dict(parse_otlp_trace(doc).spans[0].attributes)
    assert attrs == {
        "s": "x",
        "i": 9007199254740993,
        "d": 0.5,
        "b": True,
        "a": (1, "y"),
        "kv": ("k=2",),
        "empty": None,
    }


def test_otlp_deeply_nested_value_is_cut_not_recursed():
    value: dict = {"stringValue": "leaf"}
    for _ in range(5000):
        value = {"arrayValue": {"values": [value]}}
    decoded = any_value(value)
    depth = 0
    while isinstance(decoded, tuple):
        decoded = decoded[0]
        depth += 1
    assert decoded == "…"
    assert depth == 16


def test_otlp_events_links_and_follows_from_link():
    parent = "1111111111111111"
    doc = otlp_doc(
        otlp_span(
            parentSpanId=parent,
            events=[
                {
                    "timeUnixNano": "2000",
                    "name": "exception",
                    "attributes": [{"key": "exception.type", "value": {"stringValue": "E"}}],
                }
            ],
            links=[
                {
                    "traceId": TID,
                    "spanId": parent,
                    "attributes": [
                        {"key": "opentracing.ref_type", "value": {"stringValue": "follows_from"}}
                    ],
                },
                {"traceId": "1" * 32, "spanId": "2" * 16},
            ],
        )
    )
    span = parse_otlp_trace(doc).spans[0]
    assert span.ref_type is RefType.FOLLOWS_FROM
    assert [(ln.trace_id, ln.span_id) for ln in span.links] == [("1" * 32, "2" * 16)]
    assert span.events[0].name == "exception"
    assert span.events[0].attributes == (("exception.type", "E"),)


def test_otlp_legacy_instrumentation_library_spans():
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "instrumentationLibrarySpans": [
                    {"instrumentationLibrary": {"name": "old"}, "spans": [otlp_span()]}
                ],
            }
        ]
    }
    span = parse_otlp_trace(doc).spans[0]
    assert span.scope == "old" and span.service == "unknown"


def test_otlp_end_before_start_is_clamped_with_a_warning():
    trace = parse_otlp_trace(otlp_doc(otlp_span(endTimeUnixNano="500")))
    assert trace.spans[0].duration_ns == 0
    assert any("ends before it starts" in w for w in trace.warnings)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"foo": 1}, "no resourceSpans"),
        ({"resourceSpans": []}, "no spans in the payload (empty trace)"),
        (otlp_doc(otlp_span(spanId="zz!")), "invalid span ID 'zz!'"),
        (otlp_doc(otlp_span(startTimeUnixNano="soon")), "expected an integer, got 'soon'"),
        (otlp_doc({"traceId": TID, "spanId": "1"}), "startTimeUnixNano missing"),
        (
            {"resourceSpans": [{"scopeSpans": [{"spans": ["x"]}]}]},
            "resourceSpans[0].scopeSpans[0].spans[0] malformed",
        ),
        ({"resourceSpans": [{"scopeSpans": "x"}]}, "scopeSpans is not a list"),
    ],
)
def test_otlp_malformed(doc, message):
    with pytest.raises(ParseError) as info:
        parse_otlp_trace(doc, from_backend=True, what="Tempo v2 trace")
    assert message in str(info.value)
    assert str(info.value).startswith("Tempo v2 trace: ")
    assert info.value.effective_exit_code == ExitCode.BACKEND_ERROR


def test_otlp_file_errors_are_usage_errors():
    with pytest.raises(ParseError) as info:
        parse_otlp_trace({"foo": 1})
    assert info.value.effective_exit_code == ExitCode.USAGE


def test_otlp_split_by_trace_and_filter():
    a = otlp_span()
    b = otlp_span(traceId="1" * 32, spanId="2" * 16, startTimeUnixNano="10")
    traces = parse_otlp_traces({"result": otlp_doc(a, b)})
    assert [t.trace_id for t in traces] == [TID, "1" * 32]
    one = parse_otlp_trace(otlp_doc(a, b), trace_id="1" * 32)
    assert [s.span_id for s in one.spans] == ["2" * 16]
    assert one.warnings == ("ignored 1 spans of 1 other trace(s)",)


# ----------------------------------------------------------------------------- Jaeger v1


def jaeger_doc(*spans, processes=None):
    return {
        "data": [
            {
                "traceID": "a3ce929d0e0e4736",
                "spans": list(spans),
                "processes": processes
                or {
                    "p1": {
                        "serviceName": "api",
                        "tags": [{"key": "ip", "type": "string", "value": "10.0.0.1"}],
                    }
                },
                "warnings": None,
            }
        ],
        "errors": None,
    }


def jspan(**kw):
    span = {
        "traceID": "a3ce929d0e0e4736",
        "spanID": "0000000000000001",
        "operationName": "op",
        "references": [],
        "startTime": 1000,
        "duration": 5,
        "tags": [],
        "logs": [],
        "processID": "p1",
        "warnings": None,
    }
    span.update(kw)
    return span


def test_jaeger_16_char_trace_id_and_units():
    trace = parse_jaeger_trace(jaeger_doc(jspan()))
    assert trace.trace_id == "0000000000000000a3ce929d0e0e4736"
    span = trace.spans[0]
    assert (span.start_ns, span.end_ns) == (1_000_000, 1_005_000)
    assert span.resource == (("service.name", "api"), ("ip", "10.0.0.1"))


def test_jaeger_references_follows_from_and_links():
    trace = parse_jaeger_trace(
        jaeger_doc(
            jspan(
                references=[
                    {
                        "refType": "FOLLOWS_FROM",
                        "traceID": "a3ce929d0e0e4736",
                        "spanID": "0000000000000002",
                    },
                    {"refType": "CHILD_OF", "traceID": "ffff", "spanID": "0000000000000003"},
                ]
            )
        )
    )
    span = trace.spans[0]
    assert span.parent_span_id == "0000000000000002"
    assert span.ref_type is RefType.FOLLOWS_FROM
    assert [(ln.trace_id, ln.span_id) for ln in span.links] == [
        ("0" * 28 + "ffff", "0000000000000003")
    ]


def test_jaeger_tag_types_and_legacy_error_tag_kept():
    tags = [
        {"key": "big", "type": "int64", "value": "9007199254740993"},
        {"key": "f", "type": "float64", "value": 1.5},
        {"key": "error", "type": "bool", "value": True},
        {"key": "span.kind", "type": "string", "value": "producer"},
    ]
    span = parse_jaeger_trace(jaeger_doc(jspan(tags=tags))).spans[0]
    assert span.kind is SpanKind.PRODUCER
    assert span.status_code is StatusCode.UNSET
    assert span.attributes == (("big", 9007199254740993), ("f", 1.5), ("error", True))


def test_jaeger_logs_become_events_and_span_warnings_are_kept():
    logs = [
        {
            "timestamp": 1002,
            "fields": [
                {"key": "event", "type": "string", "value": "retry"},
                {"key": "n", "type": "int64", "value": 2},
            ],
        }
    ]
    trace = parse_jaeger_trace(
        jaeger_doc(
            jspan(
                logs=logs,
                warnings=["clock skew adjustment disabled; not applying calculated delta of 1ms"],
            )
        )
    )
    event = trace.spans[0].events[0]
    assert (event.time_ns, event.name, event.attributes) == (1_002_000, "retry", (("n", 2),))
    assert trace.warnings == (
        "span 0000000000000001: clock skew adjustment disabled; "
        "not applying calculated delta of 1ms",
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"data": None, "errors": [{"code": 404, "msg": "trace not found"}]}, "trace not found"),
        ({"nope": 1}, 'no "data" list'),
        ({"data": [{"spans": "x"}]}, "data[0].spans missing or not a list"),
        (jaeger_doc(jspan(spanID=None)), "invalid span ID"),
        (jaeger_doc(jspan(startTime="x")), "expected an integer"),
        (jaeger_doc(jspan(tags=[{"value": 1}])), "data[0].spans[0] malformed"),
        ({"data": []}, "empty trace"),
    ],
)
def test_jaeger_malformed(doc, message):
    with pytest.raises(ParseError) as info:
        parse_jaeger_trace(doc, from_backend=True)
    assert message in str(info.value)
    assert info.value.from_backend


def test_jaeger_search_returns_each_trace():
    doc = jaeger_doc(jspan())
    doc["data"].append({"traceID": "b", "spans": [jspan(traceID="b", spanID="2")], "processes": {}})
    traces = parse_jaeger_traces(doc)
    assert [t.trace_id for t in traces] == ["0000000000000000a3ce929d0e0e4736", "0" * 31 + "b"]
    assert traces[1].spans[0].service == "unknown"


# ----------------------------------------------------------------------------- Zipkin v2


def zspan(**kw):
    span = {
        "traceId": "a3ce929d0e0e4736",
        "id": "0000000000000001",
        "name": "op",
        "timestamp": 1000,
        "duration": 10,
        "localEndpoint": {"serviceName": "front"},
    }
    span.update(kw)
    return span


def test_zipkin_shared_span_becomes_two_spans():
    spans = [
        zspan(kind="CLIENT", parentId="0000000000000009"),
        zspan(
            kind="SERVER",
            shared=True,
            parentId="0000000000000009",
            timestamp=1002,
            duration=6,
            localEndpoint={"serviceName": "back", "ipv4": "10.0.0.2"},
        ),
    ]
    trace = parse_zipkin_trace(spans)
    client, server = trace.spans
    assert (client.kind, client.shared, client.parent_span_id) == (
        SpanKind.CLIENT,
        False,
        "0000000000000009",
    )
    assert (server.kind, server.shared, server.parent_span_id) == (
        SpanKind.SERVER,
        True,
        "0000000000000001",
    )
    assert server.resource == (("service.name", "back"), ("host.ip", "10.0.0.2"))


def test_zipkin_shared_flag_back_filled_and_lone_server_keeps_parent():
    trace = parse_zipkin_trace([zspan(kind="CLIENT"), zspan(kind="SERVER", timestamp=1001)])
    assert [s.shared for s in trace.spans] == [False, True]
    lone = parse_zipkin_trace([zspan(kind="SERVER", shared=True, parentId="0000000000000005")])
    assert lone.spans[0].parent_span_id == "0000000000000005"


def test_zipkin_fragments_are_merged():
    trace = parse_zipkin_trace(
        [zspan(tags={"a": "1"}), zspan(name="", timestamp=1005, duration=20, tags={"b": "2"})]
    )
    (span,) = trace.spans
    assert (span.start_ns, span.end_ns) == (1_000_000, 1_025_000)
    assert dict(span.attributes) == {"a": "1", "b": "2"}


def test_zipkin_error_tag_presence_is_an_error():
    trace = parse_zipkin_trace(
        [zspan(tags={"error": ""}), zspan(id="2", tags={"error": "timeout"})]
    )
    assert [(s.status_code, s.status_message) for s in trace.spans] == [
        (StatusCode.ERROR, ""),
        (StatusCode.ERROR, "timeout"),
    ]
    assert all(dict(s.attributes).get("error") is None for s in trace.spans)


def test_zipkin_missing_timestamp_takes_parent_start_and_no_kind_is_internal():
    trace = parse_zipkin_trace(
        [zspan(), zspan(id="2", parentId="0000000000000001", timestamp=None, duration=None)]
    )
    child = next(s for s in trace.spans if s.span_id == "0000000000000002")
    assert child.start_ns == 1_000_000 and child.duration_ns == 0
    assert child.kind is SpanKind.INTERNAL
    assert "1 span(s) without a timestamp" in trace.warnings[0]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"a": 1}, "expected a JSON list of spans"),
        ([1], "span [0] is not an object"),
        ([{"id": "1"}], "traceId or id missing"),
        ([zspan(timestamp="x")], "expected an integer"),
        ([], "empty trace"),
    ],
)
def test_zipkin_malformed(doc, message):
    with pytest.raises(ParseError) as info:
        parse_zipkin_trace(doc)
    assert message in str(info.value)
    assert info.value.effective_exit_code == ExitCode.USAGE


def test_zipkin_search_list_of_lists():
    traces = parse_zipkin_traces([[zspan()], [], [zspan(traceId="b")]])
    assert [t.trace_id for t in traces] == ["0000000000000000a3ce929d0e0e4736", "0" * 31 + "b"]


def test_span_count_limit(monkeypatch):
    import obsctl.parsers._trace_common as common

    monkeypatch.setattr(common, "MAX_SPANS", 2)
    doc = otlp_doc(otlp_span(), otlp_span(spanId="1"), otlp_span(spanId="2"))
    with pytest.raises(ParseError, match="3 spans exceed the limit of 2"):
        parse_otlp_trace(doc, from_backend=True)
    with pytest.raises(ParseError, match="exceed the limit"):
        parse_zipkin_trace([zspan(), zspan(id="2"), zspan(id="3")])
