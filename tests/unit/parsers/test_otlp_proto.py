"""OTLP export requests (protobuf and JSON) → store rows → model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord as PbLogRecord
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan

from obsctl.errors import ParseError
from obsctl.model.logs import LogRecord
from obsctl.model.traces import RefType, Span, SpanEvent, SpanKind, SpanLink, StatusCode
from obsctl.parsers.otlp_proto import (
    _hex_ids_to_base64,
    any_value,
    body_text,
    decode_logs_request,
    decode_trace_request,
    log_from_blob,
    logs_response,
    resource_attributes,
    span_from_blob,
    span_has_attribute,
    status_body,
    trace_response,
)

TID = "0af7651916cd43dd8448eb211c80319c"
SID = "b7ad6b7169203331"


def _json_request(**span: object) -> bytes:
    base = {
        "traceId": TID,
        "spanId": SID,
        "name": "GET /x",
        "kind": 2,
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000000250000000",
    }
    base.update(span)
    doc = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]
                },
                "scopeSpans": [{"scope": {"name": "s"}, "spans": [base]}],
            }
        ]
    }
    return json.dumps(doc).encode()


def test_json_hex_ids_enum_names_and_bytes_values() -> None:
    body = _json_request(
        kind="SPAN_KIND_CLIENT",
        parentSpanId="00f067aa0ba902b7",
        attributes=[
            {"key": "blob", "value": {"bytesValue": "AAEC"}},
            {"key": "n", "value": {"intValue": "42"}},
        ],
        links=[{"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b8"}],
        unknownField=True,
    )
    d = decode_trace_request(body, json=True)
    (row,) = d.rows
    assert row.trace_id.hex() == TID and row.span_id.hex() == SID
    assert row.parent_span_id is not None and row.parent_span_id.hex() == "00f067aa0ba902b7"
    assert (row.service, row.kind, row.duration_ns) == ("api", 3, 250_000_000)
    span = span_from_blob(
        row.blob, service=row.service, resource=resource_attributes(d.resources[0].blob), scope=""
    )
    assert span.kind == "client" and span.parent_span_id == "00f067aa0ba902b7"
    # bytesValue stays base64 (only ID fields are hex in OTLP/JSON).
    assert dict(span.attributes) == {"blob": "AAEC", "n": 42}
    assert span.links[0].trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span.resource == (("service.name", "api"),)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_json_request(traceId="zz"), "not hex"),
        (_json_request(traceId="abcd"), "invalid trace ID"),  # 2 bytes, not 16
        (_json_request(spanId="00" * 8), "invalid span ID"),  # all-zero
        (_json_request(startTimeUnixNano=str(1 << 63)), "out of range"),
        (b'{"resourceSpans": [', "invalid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"resourceSpans": 3}', "OTLP traces"),
    ],
)
def test_bad_json_requests_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        decode_trace_request(body, json=True)


def test_bad_protobuf_is_refused() -> None:
    with pytest.raises(ParseError, match="not a protobuf message"):
        decode_trace_request(b"\xff\xff\xff\xff", json=False)


def test_empty_requests_decode_to_nothing() -> None:
    assert decode_trace_request(b"", json=False).rows == []
    assert decode_trace_request(b"{}", json=True).rows == []
    assert decode_logs_request(b"", json=False).rows == []


def test_binary_span_with_short_trace_id_fails_the_request() -> None:
    req = ExportTraceServiceRequest()
    span = req.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id, span.span_id = b"\x01" * 8, b"\x02" * 8
    with pytest.raises(ParseError, match="invalid trace ID"):
        decode_trace_request(req.SerializeToString(), json=False)


def test_logs_keep_trace_context_and_structured_bodies() -> None:
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    kv = rl.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "pay"
    recs = rl.scope_logs.add().log_records
    a = recs.add()
    a.observed_time_unix_nano = 5  # no event time: the observed time stands in
    a.severity_number, a.severity_text = 17, "ERROR"
    a.body.string_value = "boom"
    a.trace_id, a.span_id = bytes.fromhex(TID), bytes.fromhex(SID)
    b = recs.add()
    b.time_unix_nano = 6
    b.trace_id = b"\x01\x02"  # malformed: kept, uncorrelated
    item = b.body.kvlist_value.values.add()
    item.key, item.value.int_value = "retries", 3
    d = decode_logs_request(req.SerializeToString(), json=False)
    first, second = d.rows
    assert (first.time_ns, first.trace_id.hex(), first.severity, first.body) == (  # type: ignore[union-attr]
        5,
        TID,
        17,
        "boom",
    )
    assert second.trace_id is None and second.body == "retries=3"
    rec = log_from_blob(first.blob, service="pay", resource=(), scope="app")
    assert (rec.severity, rec.is_error, rec.span_id, rec.scope) == ("ERROR", True, SID, "app")


def test_span_attribute_check_is_exact() -> None:
    d = decode_trace_request(
        _json_request(
            attributes=[
                {"key": "a", "value": {"stringValue": "xy"}},
                {"key": "ok", "value": {"boolValue": True}},
            ]
        ),
        json=True,
    )
    blob = d.rows[0].blob
    assert span_has_attribute(blob, "a", "xy")
    assert not span_has_attribute(blob, "a", "x")
    assert span_has_attribute(blob, "ok", "true")


def test_responses_in_the_request_encoding() -> None:
    assert trace_response(json=False) == b""
    assert trace_response(json=True) == b"{}"
    assert json.loads(trace_response(json=True, rejected=2, message="m")) == {
        "partialSuccess": {"rejectedSpans": "2", "errorMessage": "m"}
    }
    assert status_body(14, "é", json=False) == b"\x08\x0e\x12\x02\xc3\xa9"


# --------------------------------------------------------------------------- behaviours
# Each test below states one behaviour of the receiver's decoder in its name, with literal
# expectations (the mutation run of docs/testing.md checks that they pin it).

T0 = 1_700_000_000_000_000_000


def _pb_request(
    *,
    resource: dict[str, str] | None = None,
    scope: str = "lib",
    spans: int = 1,
) -> ExportTraceServiceRequest:
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    for key, value in (resource if resource is not None else {"service.name": "api"}).items():
        kv = rs.resource.attributes.add()
        kv.key, kv.value.string_value = key, value
    ss = rs.scope_spans.add()
    ss.scope.name = scope
    for i in range(spans):
        s = ss.spans.add()
        s.trace_id, s.span_id = bytes.fromhex(TID), bytes([i + 1]) * 8
        s.name = f"op{i}"
        s.start_time_unix_nano, s.end_time_unix_nano = T0, T0 + 10
    return req


def _one_row(req: ExportTraceServiceRequest) -> Any:
    (row,) = decode_trace_request(req.SerializeToString(), json=False).rows
    return row


def test_trace_row_columns_in_store_order() -> None:
    req = _pb_request()
    s = req.resource_spans[0].scope_spans[0].spans[0]
    s.parent_span_id = bytes.fromhex("00f067aa0ba902b7")
    s.kind, s.status.code = 3, 2
    d = decode_trace_request(req.SerializeToString(), json=False)
    (row,) = d.rows
    (res,) = d.resources
    assert tuple(row[:10]) == (
        bytes.fromhex(TID),
        b"\x01" * 8,
        bytes.fromhex("00f067aa0ba902b7"),
        "api",
        "op0",
        3,
        T0,
        T0 + 10,
        10,
        2,
    )
    assert row.resource_key == res.key and len(res.key) == 16
    assert row.scope == "lib"
    assert PbSpan.FromString(row.blob) == s
    assert Resource.FromString(res.blob) == req.resource_spans[0].resource
    assert res.service == "api"


def test_a_span_without_parent_has_none_and_an_end_before_start_is_clamped() -> None:
    req = _pb_request()
    s = req.resource_spans[0].scope_spans[0].spans[0]
    s.end_time_unix_nano = T0 - 5
    row = _one_row(req)
    assert row.parent_span_id is None
    assert (row.start_ns, row.end_ns, row.duration_ns) == (T0, T0, 0)


@pytest.mark.parametrize(
    ("resource", "service"),
    [
        ({}, "unknown"),
        ({"service.name": ""}, "unknown"),
        ({"host.name": "h", "service.name": "cart"}, "cart"),
    ],
)
def test_the_service_is_the_resources_service_name_else_unknown(
    resource: dict[str, str], service: str
) -> None:
    assert _one_row(_pb_request(resource=resource)).service == service


def test_the_first_service_name_of_a_resource_wins() -> None:
    req = _pb_request()
    kv = req.resource_spans[0].resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "second"
    assert _one_row(req).service == "api"


def test_equal_resources_are_stored_once_and_different_ones_apart() -> None:
    req = _pb_request(spans=2)
    again = req.resource_spans.add()
    again.CopyFrom(req.resource_spans[0])
    other = req.resource_spans.add()
    other.CopyFrom(req.resource_spans[0])
    other.resource.attributes[0].value.string_value = "web"
    d = decode_trace_request(req.SerializeToString(), json=False)
    assert [r.service for r in d.resources] == ["api", "web"]
    assert len({r.key for r in d.resources}) == 2
    assert [r.service for r in d.rows] == ["api"] * 4 + ["web"] * 2
    assert d.rows[0].resource_key == d.rows[2].resource_key != d.rows[4].resource_key


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("trace_id", b"\x01" * 15, "invalid trace ID"),
        ("trace_id", b"\x01" * 17, "invalid trace ID"),
        ("trace_id", bytes(16), "invalid trace ID"),
        ("span_id", b"\x01" * 7, "invalid span ID"),
        ("span_id", b"\x01" * 9, "invalid span ID"),
        ("span_id", bytes(8), "invalid span ID"),
        ("parent_span_id", b"\x01" * 7, "invalid parent span ID"),
        ("parent_span_id", b"\x01" * 16, "invalid parent span ID"),
        ("start_time_unix_nano", 1 << 63, "timestamp out of range"),
        ("end_time_unix_nano", 1 << 63, "timestamp out of range"),
    ],
)
def test_a_span_with_a_bad_id_or_timestamp_fails_the_whole_request(
    field: str, value: object, message: str
) -> None:
    req = _pb_request(spans=2)
    setattr(req.resource_spans[0].scope_spans[0].spans[1], field, value)
    with pytest.raises(ParseError, match=f"^OTLP traces: span 'op1' has an? {message}$"):
        decode_trace_request(req.SerializeToString(), json=False)


def test_the_largest_int64_timestamp_is_accepted() -> None:
    req = _pb_request()
    s = req.resource_spans[0].scope_spans[0].spans[0]
    s.start_time_unix_nano = s.end_time_unix_nano = (1 << 63) - 1
    assert _one_row(req).start_ns == (1 << 63) - 1


def test_protobuf_errors_name_the_signal_and_are_not_from_a_backend() -> None:
    with pytest.raises(ParseError) as exc:
        decode_logs_request(b"\xff\xff\xff\xff", json=False)
    assert exc.value.message.startswith("OTLP logs: not a protobuf message (")
    assert exc.value.from_backend is False


def test_json_errors_name_the_signal() -> None:
    with pytest.raises(ParseError, match=r"^OTLP logs: invalid JSON \("):
        decode_logs_request(b"{", json=True)
    with pytest.raises(ParseError, match=r"^OTLP logs: expected a JSON object$"):
        decode_logs_request(b"3", json=True)
    with pytest.raises(ParseError) as exc:
        decode_trace_request(b'{"resourceSpans": [{"scopeSpans": 3}]}', json=True)
    assert exc.value.message.startswith("OTLP traces: ")
    assert "\n" not in exc.value.message and len(exc.value.message) <= len("OTLP traces: ") + 200


def test_json_snake_case_ids_are_hex_too() -> None:
    doc = {
        "resource_spans": [
            {
                "scope_spans": [
                    {
                        "spans": [
                            {
                                "trace_id": TID,
                                "span_id": SID,
                                "parent_span_id": "00f067aa0ba902b7",
                                "links": [{"trace_id": TID, "span_id": "00f067aa0ba902b8"}],
                            }
                        ]
                    }
                ]
            }
        ]
    }
    (row,) = decode_trace_request(json.dumps(doc).encode(), json=True).rows
    assert (row.trace_id.hex(), row.span_id.hex(), row.parent_span_id.hex()) == (
        TID,
        SID,
        "00f067aa0ba902b7",
    )
    assert PbSpan.FromString(row.blob).links[0].span_id.hex() == "00f067aa0ba902b8"


def test_json_id_keys_inside_attributes_resource_and_bodies_stay_as_they_are() -> None:
    """Only span, link and log-record IDs are hex; an attribute named ``traceId`` holding
    a key-value list is data, as are a resource's and a body's."""
    kv = {"kvlistValue": {"values": [{"key": "traceId", "value": {"stringValue": "zz"}}]}}
    body = _json_request(attributes=[{"key": "m", "value": kv}])
    (row,) = decode_trace_request(body, json=True).rows
    attrs = dict(span_from_blob(row.blob, service="api", resource=(), scope="").attributes)
    assert attrs == {"m": ("traceId=zz",)}
    doc = json.loads(body)
    doc["resourceSpans"][0]["resource"]["attributes"].append({"key": "traceId", "value": kv})
    d = decode_trace_request(json.dumps(doc).encode(), json=True)
    assert ("traceId", ("traceId=zz",)) in resource_attributes(d.resources[0].blob)
    logs = {
        "resourceLogs": [
            {"scopeLogs": [{"logRecords": [{"timeUnixNano": "5", "body": kv, "traceId": TID}]}]}
        ]
    }
    (rec,) = decode_logs_request(json.dumps(logs).encode(), json=True).rows
    assert rec.body == "traceId=zz" and rec.trace_id.hex() == TID


def test_json_deeper_than_twelve_levels_is_not_rewritten() -> None:
    """Requests are five levels deep down to a link; the rewrite stops past twelve, so a
    hex ID that deep reaches json_format as it is (and fails there as base64)."""
    node: dict[str, Any] = {"traceId": TID}
    for _ in range(13):
        node = {"x": node}
    _hex_ids_to_base64(node)
    inner = node
    for _ in range(13):
        inner = inner["x"]
    assert inner == {"traceId": TID}
    node = {"traceId": TID}
    for _ in range(6):
        node = {"x": [node]}  # a dict in a list: two levels
    _hex_ids_to_base64(node)
    inner = node
    for _ in range(6):
        inner = inner["x"][0]
    assert inner == {"traceId": "CvdlGRbNQ92ESOshHIAxnA=="}


def test_a_non_hex_json_id_names_the_key_and_the_value() -> None:
    with pytest.raises(ParseError, match=r"^spanId 'xyz' is not hex$"):
        _hex_ids_to_base64({"spanId": "xyz"})
    with pytest.raises(ParseError, match=r"^traceId '" + "a" * 39 + "g' is not hex$"):
        _hex_ids_to_base64({"traceId": "a" * 39 + "g" * 10})


def test_json_id_that_is_not_a_string_is_left_to_json_format() -> None:
    doc: dict[str, Any] = {"spanId": 5, "a": [{"traceId": None}]}
    _hex_ids_to_base64(doc)
    assert doc == {"spanId": 5, "a": [{"traceId": None}]}


def test_logs_rows_in_store_order() -> None:
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    kv = rl.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "pay"
    sl = rl.scope_logs.add()
    sl.scope.name = "app.logger"
    rec = sl.log_records.add()
    rec.time_unix_nano, rec.observed_time_unix_nano = 7, 9
    rec.severity_number, rec.severity_text = 13, "WARN"
    rec.body.string_value = "slow"
    rec.trace_id, rec.span_id = bytes.fromhex(TID), bytes.fromhex(SID)
    d = decode_logs_request(req.SerializeToString(), json=False)
    (row,) = d.rows
    (res,) = d.resources
    assert tuple(row[:9]) == (
        7,
        bytes.fromhex(TID),
        bytes.fromhex(SID),
        "pay",
        13,
        "WARN",
        "slow",
        res.key,
        "app.logger",
    )
    assert PbLogRecord.FromString(row.blob) == rec
    assert res.service == "pay"


@pytest.mark.parametrize(
    ("trace_id", "span_id", "kept"),
    [
        (bytes.fromhex(TID), bytes.fromhex(SID), (TID, SID)),
        (bytes(16), bytes.fromhex(SID), (None, None)),  # all-zero trace: no span either
        (b"\x01" * 15, bytes.fromhex(SID), (None, None)),
        (b"\x01" * 17, bytes.fromhex(SID), (None, None)),
        (bytes.fromhex(TID), bytes(8), (TID, None)),
        (bytes.fromhex(TID), b"\x01" * 7, (TID, None)),
        (bytes.fromhex(TID), b"\x01" * 9, (TID, None)),
    ],
)
def test_log_trace_context_is_kept_only_when_well_formed(
    trace_id: bytes, span_id: bytes, kept: tuple[str | None, str | None]
) -> None:
    req = ExportLogsServiceRequest()
    rec = req.resource_logs.add().scope_logs.add().log_records.add()
    rec.time_unix_nano = 1
    rec.trace_id, rec.span_id = trace_id, span_id
    (row,) = decode_logs_request(req.SerializeToString(), json=False).rows
    got = (
        row.trace_id.hex() if row.trace_id else None,
        row.span_id.hex() if row.span_id else None,
    )
    assert got == kept
    model = log_from_blob(row.blob, service="s", resource=(), scope="")
    assert (model.trace_id, model.span_id) == kept
    assert model.scope is None and row.service == "unknown"


def test_a_log_time_past_2262_fails_the_request_and_the_event_time_wins() -> None:
    req = ExportLogsServiceRequest()
    recs = req.resource_logs.add().scope_logs.add().log_records
    recs.add().observed_time_unix_nano = (1 << 63) - 1
    a = recs.add()
    a.time_unix_nano, a.observed_time_unix_nano = 3, 1 << 63
    assert [r.time_ns for r in decode_logs_request(req.SerializeToString(), json=False).rows] == [
        (1 << 63) - 1,
        3,
    ]
    recs.add().time_unix_nano = 1 << 63
    with pytest.raises(ParseError, match=r"^OTLP logs: a record has a timestamp out of range$"):
        decode_logs_request(req.SerializeToString(), json=False)


def test_log_model_carries_every_field() -> None:
    rec = PbLogRecord()
    rec.observed_time_unix_nano = 11
    rec.severity_number, rec.severity_text = 9, "INFO"
    rec.body.string_value = "hello"
    rec.trace_id, rec.span_id = bytes.fromhex(TID), bytes.fromhex(SID)
    rec.event_name = "checkout.done"
    kv = rec.attributes.add()
    kv.key, kv.value.int_value = "n", 3
    model = log_from_blob(
        rec.SerializeToString(), service="pay", resource=(("k", "v"),), scope="lg"
    )
    assert model == LogRecord(
        time_ns=11,
        service="pay",
        severity_number=9,
        severity_text="INFO",
        body="hello",
        trace_id=TID,
        span_id=SID,
        attributes=(("n", 3),),
        resource=(("k", "v"),),
        scope="lg",
        event_name="checkout.done",
    )
    rec.time_unix_nano = 12
    assert log_from_blob(rec.SerializeToString(), service="", resource=(), scope="").time_ns == 12


def _value(**field: Any) -> AnyValue:
    v = AnyValue()
    for key, item in field.items():
        setattr(v, key, item)
    return v


def test_any_value_scalars() -> None:
    assert any_value(_value(string_value="s")) == "s"
    assert any_value(_value(int_value=-3)) == -3
    assert any_value(_value(bool_value=False)) is False
    assert any_value(_value(double_value=0.5)) == 0.5
    assert any_value(_value(bytes_value=b"\x00\x01\x02")) == "AAEC"
    assert any_value(AnyValue()) is None


def test_any_value_long_strings_are_clipped() -> None:
    v = any_value(_value(string_value="x" * 70_000))
    assert isinstance(v, str) and len(v) == 65_536 and v.endswith("…")


def test_any_value_arrays_and_maps_nest() -> None:
    v = AnyValue()
    v.array_value.values.add().int_value = 1
    inner = v.array_value.values.add()
    kv = inner.kvlist_value.values.add()
    kv.key, kv.value.string_value = "a", "b"
    kv = inner.kvlist_value.values.add()
    kv.key = "empty"
    assert any_value(v) == (1, ("a=b", "empty=None"))


def test_any_value_nesting_is_cut_at_sixteen_levels() -> None:
    def nested(levels: int) -> AnyValue:
        v = _value(string_value="leaf")
        for _ in range(levels):
            outer = AnyValue()
            outer.array_value.values.add().CopyFrom(v)
            v = outer
        return v

    def depth(x: Any) -> int:
        return 1 + depth(x[0]) if isinstance(x, tuple) else 0

    full = any_value(nested(16))
    assert depth(full) == 16
    inner = full
    for _ in range(16):
        inner = inner[0]
    assert inner == "leaf"
    cut = any_value(nested(17))
    assert depth(cut) == 16
    for _ in range(16):
        cut = cut[0]
    assert cut == "…"
    assert any_value(nested(1), depth=16) == "…"
    assert any_value(_value(int_value=1), depth=99) == 1  # scalars are never cut


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (_value(string_value="plain"), "plain"),
        (_value(string_value="x" * 70_000), "x" * 70_000),  # a body is never clipped
        (AnyValue(), ""),
        (_value(int_value=42), "42"),
        (_value(bool_value=True), "True"),
    ],
)
def test_log_bodies_as_text(value: AnyValue, text: str) -> None:
    assert body_text(value) == text


def test_a_list_body_is_its_items_joined_by_spaces() -> None:
    v = AnyValue()
    v.array_value.values.add().string_value = "a"
    v.array_value.values.add().int_value = 2
    assert body_text(v) == "a 2"


def test_span_model_from_a_stored_blob() -> None:
    s = PbSpan()
    s.trace_id, s.span_id = bytes.fromhex(TID), bytes.fromhex(SID)
    s.parent_span_id = bytes.fromhex("00f067aa0ba902b7")
    s.name, s.kind = "GET /x", 5
    s.start_time_unix_nano, s.end_time_unix_nano = 100, 50
    s.status.code, s.status.message = 2, "boom"
    kv = s.attributes.add()
    kv.key, kv.value.string_value = "k", "v"
    e = s.events.add()
    e.time_unix_nano, e.name = 101, "retry"
    ea = e.attributes.add()
    ea.key, ea.value.int_value = "n", 1
    link = s.links.add()
    link.trace_id, link.span_id = b"\x01" * 4, b"\x02" * 2  # short IDs are left-padded
    la = link.attributes.add()
    la.key, la.value.string_value = "why", "batch"
    span = span_from_blob(s.SerializeToString(), service="api", resource=(("r", 1),), scope="lib")
    assert span == Span(
        trace_id=TID,
        span_id=SID,
        parent_span_id="00f067aa0ba902b7",
        name="GET /x",
        service="api",
        kind=SpanKind.CONSUMER,
        start_ns=100,
        end_ns=100,
        status_code=StatusCode.ERROR,
        status_message="boom",
        attributes=(("k", "v"),),
        resource=(("r", 1),),
        events=(SpanEvent(time_ns=101, name="retry", attributes=(("n", 1),)),),
        links=(
            SpanLink(
                trace_id="0" * 24 + "01010101",
                span_id="0" * 12 + "0202",
                attributes=(("why", "batch"),),
            ),
        ),
        ref_type=RefType.CHILD_OF,
        scope="lib",
    )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (0, SpanKind.UNSPECIFIED),
        (1, SpanKind.INTERNAL),
        (2, SpanKind.SERVER),
        (4, SpanKind.PRODUCER),
        (6, SpanKind.UNSPECIFIED),
        (-1, SpanKind.UNSPECIFIED),
    ],
)
def test_span_kinds_out_of_range_are_unspecified(kind: int, expected: SpanKind) -> None:
    s = PbSpan(trace_id=bytes.fromhex(TID), span_id=bytes.fromhex(SID), kind=kind)
    assert span_from_blob(s.SerializeToString(), service="", resource=(), scope="").kind == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [(0, StatusCode.UNSET), (1, StatusCode.OK), (3, StatusCode.UNSET), (-1, StatusCode.UNSET)],
)
def test_status_codes_out_of_range_are_unset(code: int, expected: StatusCode) -> None:
    s = PbSpan(trace_id=bytes.fromhex(TID), span_id=bytes.fromhex(SID))
    s.status.code = code  # type: ignore[assignment]
    got = span_from_blob(s.SerializeToString(), service="", resource=(), scope="")
    assert got.status_code == expected


def test_a_span_without_parent_or_scope_has_none() -> None:
    s = PbSpan(trace_id=bytes.fromhex(TID), span_id=bytes.fromhex(SID))
    span = span_from_blob(s.SerializeToString(), service="", resource=(), scope="")
    assert span.parent_span_id is None and span.scope is None


def test_a_follows_from_link_to_the_parent_becomes_the_reference_type() -> None:
    s = PbSpan(trace_id=bytes.fromhex(TID), span_id=bytes.fromhex(SID))
    s.parent_span_id = bytes.fromhex("00f067aa0ba902b7")
    link = s.links.add()
    link.trace_id, link.span_id = s.trace_id, s.parent_span_id
    kv = link.attributes.add()
    kv.key, kv.value.string_value = "opentracing.ref_type", "follows_from"
    span = span_from_blob(s.SerializeToString(), service="", resource=(), scope="")
    assert span.ref_type == RefType.FOLLOWS_FROM and span.links == ()


def test_span_attribute_check_matches_any_attribute_with_the_key() -> None:
    s = PbSpan()
    for key, value in (("a", "1"), ("k", "x"), ("k", "y")):
        kv = s.attributes.add()
        kv.key, kv.value.string_value = key, value
    kv = s.attributes.add()
    kv.key, kv.value.bool_value = "flag", False
    kv = s.attributes.add()
    kv.key, kv.value.int_value = "n", 7
    blob = s.SerializeToString()
    assert span_has_attribute(blob, "k", "y")
    assert not span_has_attribute(blob, "a", "x")  # the value belongs to another key
    assert span_has_attribute(blob, "flag", "false")
    assert not span_has_attribute(blob, "flag", "False")
    assert span_has_attribute(blob, "n", "7")
    assert not span_has_attribute(blob, "missing", "1")


def test_resource_attributes_decode_a_stored_resource() -> None:
    res = Resource()
    kv = res.attributes.add()
    kv.key, kv.value.string_value = "service.name", "api"
    kv = res.attributes.add()
    kv.key, kv.value.int_value = "pid", 12
    assert resource_attributes(res.SerializeToString()) == (("service.name", "api"), ("pid", 12))


def test_partial_success_responses() -> None:
    assert logs_response(json=False) == b""
    assert logs_response(json=True) == b"{}"
    assert json.loads(logs_response(json=True, rejected=3, message="m")) == {
        "partialSuccess": {"rejectedLogRecords": "3", "errorMessage": "m"}
    }
    assert json.loads(logs_response(json=True, message="only a message")) == {
        "partialSuccess": {"errorMessage": "only a message"}
    }
    assert json.loads(trace_response(json=True, rejected=1)) == {
        "partialSuccess": {"rejectedSpans": "1"}
    }
    pb = ExportTraceServiceResponse.FromString(trace_response(json=False, rejected=4, message="x"))
    assert (pb.partial_success.rejected_spans, pb.partial_success.error_message) == (4, "x")
    pb_logs = ExportLogsServiceResponse.FromString(logs_response(json=False, rejected=2))
    assert pb_logs.partial_success.rejected_log_records == 2


def test_status_bodies_encode_long_messages_and_codes_as_varints() -> None:
    body = status_body(300, "m" * 200, json=False)
    assert body == b"\x08\xac\x02\x12\xc8\x01" + b"m" * 200
    assert status_body(0, "", json=False) == b"\x08\x00\x12\x00"
    assert json.loads(status_body(8, "full", json=True)) == {"code": 8, "message": "full"}


def test_json_errors_keep_the_first_200_characters_of_the_reason() -> None:
    with pytest.raises(ParseError) as exc:
        decode_trace_request(b'{"resourceSpans": [{"scopeSpans": 3}]}', json=True)
    assert exc.value.message == (
        "OTLP traces: Failed to parse resourceSpans field: Failed to parse scopeSpans field: "
        "repeated field scopeSpans must be in [] which is 3 at "
        "ExportTraceServiceRequest.resourceSpans[0].."
    )
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "x" * 300}]}]}]}
    with pytest.raises(ParseError) as exc:
        decode_trace_request(json.dumps(doc).encode(), json=True)
    assert (
        exc.value.message
        == "OTLP traces: "
        + (
            "Failed to parse resourceSpans field: Failed to parse scopeSpans field: Failed to "
            "parse spans field: Failed to parse startTimeUnixNano field: invalid literal for "
            "int() with base 10: '" + "x" * 300
        )[:200]
    )


def test_json_unknown_id_keys_in_attributes_bodies_and_resources_are_ignored() -> None:
    """The ID rewrite does not descend into attribute lists, log bodies or resources: an
    unknown ``traceId`` there is ignored as any unknown field, not refused as bad hex."""
    odd = {"key": "k", "value": {"stringValue": "v", "traceId": "zz"}, "spanId": "zz"}
    body = _json_request(attributes=[odd])
    (row,) = decode_trace_request(body, json=True).rows
    assert dict(span_from_blob(row.blob, service="", resource=(), scope="").attributes) == {
        "k": "v"
    }
    doc = json.loads(body)
    doc["resourceSpans"][0]["resource"]["traceId"] = "zz"
    doc["resourceSpans"][0]["resource"]["attributes"].append(odd)
    d = decode_trace_request(json.dumps(doc).encode(), json=True)
    assert resource_attributes(d.resources[0].blob) == (("service.name", "api"), ("k", "v"))
    logs = {
        "resourceLogs": [
            {
                "resource": {"traceId": "zz"},
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": "5",
                                "body": {"stringValue": "hi", "traceId": "zz"},
                                "attributes": [odd],
                            }
                        ]
                    }
                ],
            }
        ]
    }
    (rec,) = decode_logs_request(json.dumps(logs).encode(), json=True).rows
    assert rec.body == "hi"


def test_json_lists_count_towards_the_twelve_levels_too() -> None:
    node: dict[str, Any] = {"traceId": "zz"}  # not hex: refused if it were reached
    for _ in range(7):
        node = {"x": [node]}  # fourteen levels
    _hex_ids_to_base64(node)
    with pytest.raises(ParseError, match="is not hex"):
        _hex_ids_to_base64({"x": [{"x": [{"traceId": "zz"}]}]})


def test_any_value_maps_nest_to_sixteen_levels_too() -> None:
    def nested(levels: int) -> AnyValue:
        v = _value(string_value="leaf")
        for _ in range(levels):
            outer = AnyValue()
            kv = outer.kvlist_value.values.add()
            kv.key = "k"
            kv.value.CopyFrom(v)
            v = outer
        return v

    assert any_value(nested(2)) == ("k=('k=leaf',)",)
    deep = any_value(nested(16))
    assert "leaf" in str(deep) and "…" not in str(deep)
    cut = any_value(nested(17))
    assert "leaf" not in str(cut) and "…" in str(cut)
    mixed = AnyValue()
    kv = mixed.kvlist_value.values.add()
    kv.key = "a"
    kv.value.array_value.values.add().int_value = 1
    assert any_value(mixed) == ("a=(1,)",)


def test_span_attribute_check_is_case_sensitive_except_for_booleans() -> None:
    s = PbSpan()
    kv = s.attributes.add()
    kv.key, kv.value.string_value = "env", "Prod"
    blob = s.SerializeToString()
    assert span_has_attribute(blob, "env", "Prod")
    assert not span_has_attribute(blob, "env", "prod")
