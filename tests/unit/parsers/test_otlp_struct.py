"""The typed OTLP fast path gives exactly what the full decoder gives, or steps aside."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest

from obsctl.model.traces import RefType, Span, SpanEvent, SpanKind, SpanLink, StatusCode
from obsctl.parsers.otlp import parse_otlp_trace
from obsctl.parsers.otlp_struct import parse_otlp_bytes

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"


def both(doc: object) -> tuple[object, object]:
    data = orjson.dumps(doc)
    return parse_otlp_bytes(data), parse_otlp_trace(orjson.loads(data))


@pytest.mark.parametrize("name", ["otlp/checkout.json", "jaeger/v3/checkout.json"])
def test_fixtures_equal(name):
    fast, full = both(json.loads((FIXTURES / name).read_text()))
    assert fast is not None
    assert fast == full


def test_generated_trace_equal():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from trace_big import generate
    finally:
        sys.path.pop(0)
    fast, full = both(generate(3_000))
    assert fast is not None and full is not None
    assert fast == full
    assert [s.attributes for s in fast.spans] == [s.attributes for s in full.spans]
    assert [s.events for s in fast.spans] == [s.events for s in full.spans]


def test_rich_values_links_events_equal():
    span = {
        "traceId": TID,
        "spanId": "00f067aa0ba902b7",
        "parentSpanId": "1111111111111111",
        "name": "op",
        "kind": "SPAN_KIND_CLIENT",
        "startTimeUnixNano": 100,
        "endTimeUnixNano": "300",
        "attributes": [
            {
                "key": "a",
                "value": {"arrayValue": {"values": [{"intValue": "1"}, {"boolValue": True}]}},
            },
            {
                "key": "kv",
                "value": {"kvlistValue": {"values": [{"key": "x", "value": {"doubleValue": 1.5}}]}},
            },
            {"key": "n", "value": {"intValue": 7}},
            {"key": "e", "value": {}},
            {"key": "long", "value": {"stringValue": "x" * 70_000}},
        ],
        "events": [
            {
                "timeUnixNano": "200",
                "name": "exception",
                "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
            }
        ],
        "links": [
            {
                "traceId": TID,
                "spanId": "1111111111111111",
                "attributes": [
                    {"key": "opentracing.ref_type", "value": {"stringValue": "follows_from"}}
                ],
            },
            {"traceId": "1" * 32, "spanId": "2" * 16},
        ],
        "status": {"code": "STATUS_CODE_ERROR", "message": "boom", "deprecatedCode": "X"},
    }
    doc = {
        "result": {
            "resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [span]}]}]
        }
    }
    fast, full = both(doc)
    assert fast is not None
    assert fast == full
    assert fast.spans[0].attributes == full.spans[0].attributes


@pytest.mark.parametrize(
    "doc",
    [
        {
            "resourceSpans": [
                {
                    "scopeSpans": [
                        {"spans": [{"traceId": TID, "spanId": "zz", "startTimeUnixNano": "1"}]}
                    ]
                }
            ]
        },
        {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": TID, "spanId": "0" * 16}]}]}]},
        {"resourceSpans": "nope"},
        {"resourceSpans": []},
        {"data": []},
    ],
)
def test_steps_aside_for_anything_else(doc):
    assert parse_otlp_bytes(orjson.dumps(doc)) is None


def test_not_json_steps_aside():
    assert parse_otlp_bytes(b'{"resourceSpans": [') is None


# --------------------------------------------------------------------------- behaviours
# Literal expectations, one behaviour per test (the mutation run of docs/testing.md checks
# that they pin it); the equality tests above check agreement with the full decoder.

SID = "00f067aa0ba902b7"


def _doc(*spans: dict[str, object], resource: object = None, scope: object = None) -> bytes:
    group: dict[str, object] = {"scopeSpans": [{"spans": list(spans)}]}
    if scope is not None:
        group["scopeSpans"] = [{"scope": scope, "spans": list(spans)}]
    if resource is not None:
        group["resource"] = resource
    return orjson.dumps({"resourceSpans": [group]})


def _span(**fields: object) -> dict[str, object]:
    return {"traceId": TID, "spanId": SID, "startTimeUnixNano": "100", **fields}


def _one(data: bytes) -> Span:
    trace = parse_otlp_bytes(data)
    assert trace is not None
    (span,) = trace.spans
    return span


def test_a_minimal_span_takes_every_default() -> None:
    assert _one(_doc(_span())) == Span(
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


def test_every_field_of_a_full_span() -> None:
    span = _span(
        parentSpanId="1111111111111111",
        name="GET /x",
        kind=2,
        startTimeUnixNano=100,
        endTimeUnixNano="250",
        attributes=[{"key": "k", "value": {"stringValue": "v"}}],
        events=[{"name": "retry", "attributes": [{"key": "n", "value": {"intValue": "2"}}]}],
        status={"code": 2, "message": "boom"},
    )
    got = _one(
        _doc(
            span,
            resource={"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
            scope={"name": "lib"},
        )
    )
    assert got == Span(
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
        events=(SpanEvent(time_ns=100, name="retry", attributes=(("n", 2),)),),  # no time: start
        links=(),
        ref_type=RefType.CHILD_OF,
        scope="lib",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"stringValue": "s"}, "s"),
        ({"intValue": "12"}, 12),
        ({"intValue": 13}, 13),
        ({"boolValue": False}, False),
        ({"doubleValue": "1.5"}, 1.5),
        ({"doubleValue": 2}, 2.0),
        ({"bytesValue": "AAEC"}, "AAEC"),  # base64 kept as it is
        ({"arrayValue": {"values": [{"intValue": "1"}, {"stringValue": "a"}]}}, (1, "a")),
        ({"kvlistValue": {"values": [{"key": "x", "value": {"boolValue": True}}]}}, ("x=True",)),
        ({}, None),
    ],
)
def test_attribute_values(value: dict[str, object], expected: object) -> None:
    span = _one(_doc(_span(attributes=[{"key": "a", "value": value}])))
    assert span.attributes == (("a", expected),)
    assert type(span.attributes[0][1]) is type(expected)


def test_an_attribute_without_a_value_is_none() -> None:
    assert _one(_doc(_span(attributes=[{"key": "a"}]))).attributes == (("a", None),)


def test_long_string_attributes_are_clipped_on_spans_events_links_and_resources() -> None:
    long = {"key": "l", "value": {"stringValue": "x" * 70_000}}
    exact = {"key": "e", "value": {"stringValue": "y" * 65_536}}
    span = _one(
        _doc(
            _span(
                attributes=[long, exact],
                events=[{"timeUnixNano": 5, "attributes": [long]}],
                links=[{"traceId": TID, "spanId": "2" * 16, "attributes": [long]}],
            ),
            resource={"attributes": [long]},
        )
    )
    clipped = "x" * 65_535 + "…"
    assert span.attributes == (("l", clipped), ("e", "y" * 65_536))
    assert span.events[0].attributes == (("l", clipped),)
    assert span.links[0].attributes == (("l", clipped),)
    assert span.resource == (("l", clipped),)


@pytest.mark.parametrize(
    ("span_id", "expected"),
    [
        ("00F067AA0BA902B7", SID),  # upper-case hex is lower-cased
        ("APBnqgupArc=", SID),  # Tempo: base64 of the 8 bytes
    ],
)
def test_span_ids_in_upper_case_hex_or_base64(span_id: str, expected: str) -> None:
    span = _one(_doc(_span(spanId=span_id, parentSpanId=span_id)))
    assert (span.span_id, span.parent_span_id) == (expected, expected)


@pytest.mark.parametrize(
    "span_id",
    ["f067aa0ba902b7", "APBnqgupArc", "AAAAAAAAAAAAAA==", "APBnqgupAr==", "zzzzzzzzzzzzzzzz"],
)
def test_other_span_ids_step_aside(span_id: str) -> None:
    assert parse_otlp_bytes(_doc(_span(spanId=span_id))) is None


@pytest.mark.parametrize(
    ("trace_id", "expected"),
    [
        (TID.upper(), TID),
        ("S/kvNXezTaajzpKdDg5HNg==", TID),  # Tempo: base64 of the 16 bytes
    ],
)
def test_trace_ids_in_upper_case_hex_or_base64(trace_id: str, expected: str) -> None:
    span = _one(
        _doc(
            _span(traceId=trace_id, links=[{"traceId": trace_id, "spanId": "2" * 16}]),
        )
    )
    assert (span.trace_id, span.links[0].trace_id) == (expected, expected)


@pytest.mark.parametrize(
    "trace_id", [TID[:30], "S/kvNXezTaajzpKdDg5H", "S/kvNXezTaajzpKdDg5HNg==="]
)
def test_other_trace_ids_step_aside(trace_id: str) -> None:
    assert parse_otlp_bytes(_doc(_span(traceId=trace_id))) is None


def test_a_base64_trace_id_of_other_than_16_bytes_steps_aside() -> None:
    assert parse_otlp_bytes(_doc(_span(traceId="AAAAAAAAAAAAAAAAAAAAAAAA"))) is None  # 18 bytes


def test_an_all_zero_parent_is_no_parent_and_an_empty_one_too() -> None:
    assert _one(_doc(_span(parentSpanId="0" * 16))).parent_span_id is None
    assert _one(_doc(_span(parentSpanId=""))).parent_span_id is None


def test_a_span_ending_before_it_starts_steps_aside() -> None:
    assert parse_otlp_bytes(_doc(_span(endTimeUnixNano="99"))) is None
    assert _one(_doc(_span(endTimeUnixNano="100"))).end_ns == 100


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("SPAN_KIND_CONSUMER", {"code": "STATUS_CODE_OK"}, (SpanKind.CONSUMER, StatusCode.OK)),
        (9, {"code": 7}, (SpanKind.UNSPECIFIED, StatusCode.UNSET)),
        (None, {"message": "m"}, (SpanKind.UNSPECIFIED, StatusCode.UNSET)),
    ],
)
def test_kinds_and_status_codes_by_number_or_name_unknown_ones_unset(
    kind: object, status: dict[str, object], expected: tuple[SpanKind, StatusCode]
) -> None:
    span = _one(_doc(_span(kind=kind, status=status)))
    assert (span.kind, span.status_code) == expected
    assert span.status_message == status.get("message", "")


def test_event_times_as_numbers_or_strings() -> None:
    span = _one(_doc(_span(events=[{"timeUnixNano": 7}, {"timeUnixNano": "8", "name": "b"}])))
    assert span.events == (SpanEvent(7, "", ()), SpanEvent(8, "b", ()))


def test_links_keep_their_order_and_a_follows_from_parent_becomes_the_reference() -> None:
    follows = {"key": "opentracing.ref_type", "value": {"stringValue": "follows_from"}}
    span = _one(
        _doc(
            _span(
                parentSpanId="1" * 16,
                links=[
                    {"traceId": "a" * 32, "spanId": "3" * 16},
                    {"traceId": TID, "spanId": "1" * 16, "attributes": [follows]},
                    {"traceId": "b" * 32, "spanId": "4" * 16},
                ],
            )
        )
    )
    assert span.ref_type == RefType.FOLLOWS_FROM
    assert span.links == (SpanLink("a" * 32, "3" * 16, ()), SpanLink("b" * 32, "4" * 16, ()))


@pytest.mark.parametrize("wrapper", ["trace", "result"])
@pytest.mark.parametrize("container", ["resourceSpans", "batches"])
def test_containers_and_wrappers(wrapper: str, container: str) -> None:
    groups = [{"scopeSpans": [{"spans": [_span()]}]}]
    for doc in ({container: groups}, {wrapper: {container: groups}}):
        trace = parse_otlp_bytes(orjson.dumps(doc))
        assert trace is not None and [s.span_id for s in trace.spans] == [SID]


def test_pre_1_0_instrumentation_library_spans() -> None:
    doc = {
        "resourceSpans": [
            {
                "instrumentationLibrarySpans": [
                    {"instrumentationLibrary": {"name": "old"}, "spans": [_span()]}
                ]
            }
        ]
    }
    span = _one(orjson.dumps(doc))
    assert span.scope == "old"


def test_a_wrapper_without_spans_and_empty_scopes_give_nothing() -> None:
    assert parse_otlp_bytes(orjson.dumps({"trace": {}})) is None
    assert parse_otlp_bytes(orjson.dumps({"resourceSpans": [{"scopeSpans": [{}]}]})) is None
    assert parse_otlp_bytes(orjson.dumps({"resourceSpans": [{}]})) is None
    empty_scope = {"resourceSpans": [{"scopeSpans": [{"scope": {"name": ""}, "spans": [_span()]}]}]}
    assert _one(orjson.dumps(empty_scope)).scope is None


def test_spans_of_several_groups_share_the_resource_of_their_own() -> None:
    def group(service: str, span_id: str) -> dict[str, object]:
        return {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"spans": [_span(spanId=span_id)]}],
        }

    trace = parse_otlp_bytes(
        orjson.dumps({"resourceSpans": [group("a", "1" * 16), group("b", "2" * 16)]})
    )
    assert trace is not None
    assert [(s.span_id, s.service) for s in trace.spans] == [("1" * 16, "a"), ("2" * 16, "b")]


def test_the_trace_is_finished_with_the_callers_trace_id() -> None:
    other = _span(traceId="c" * 32, spanId="5" * 16)
    trace = parse_otlp_bytes(_doc(_span(), other), trace_id="c" * 32)
    assert trace is not None and [s.span_id for s in trace.spans] == ["5" * 16]
    assert trace.trace_id == "c" * 32
    assert trace.warnings == ("ignored 1 spans of 1 other trace(s)",)
    first = parse_otlp_bytes(_doc(_span(), other))
    assert first is not None and first.trace_id == TID  # without one: the first span's


def test_an_unexpected_type_steps_aside() -> None:
    assert parse_otlp_bytes(_doc(_span(startTimeUnixNano="abc"))) is None
    assert (
        parse_otlp_bytes(_doc(_span(attributes=[{"key": "n", "value": {"intValue": "x"}}]))) is None
    )
    assert parse_otlp_bytes(_doc(_span(spanId="APBnqgup*rc="))) is None
