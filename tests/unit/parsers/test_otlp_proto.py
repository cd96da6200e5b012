"""OTLP export requests (protobuf and JSON) → store rows → model."""

from __future__ import annotations

import json

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from obsctl.errors import ParseError
from obsctl.parsers.otlp_proto import (
    decode_logs_request,
    decode_trace_request,
    log_from_blob,
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
