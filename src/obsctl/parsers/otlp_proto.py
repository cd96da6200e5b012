"""OTLP export requests (traces and logs, protobuf or JSON) → store rows → model.

What ``obsctl receive`` decodes, and how the embedded store's blobs turn back into ``Span`` and
``LogRecord``. Protobuf decoding uses ``opentelemetry-proto`` on the ``protobuf`` runtime (upb,
C): a 500-span request parses in ~0.3 ms. Each span is kept as its own serialized ``Span``
message (a C-level copy) next to the few columns the store indexes, so ingest never walks
attributes in Python; they are decoded only when a trace is read.

OTLP/JSON goes through the same messages: ``json_format`` reads every ``bytes`` field as
base64, but OTLP/JSON writes trace and span IDs as hex, so those keys are rewritten first
(anything else, e.g. ``bytesValue``, stays base64). Unknown fields are ignored, enum names and
snake_case keys accepted, 64-bit integers taken as strings or numbers.

Pure: bytes in, rows or model objects out. Every failure is a ``ParseError``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any, NamedTuple

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord as PbLogRecord
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan

from obsctl.errors import ParseError
from obsctl.model.logs import LogRecord
from obsctl.model.traces import (
    Attributes,
    AttrValue,
    Span,
    SpanEvent,
    SpanKind,
    SpanLink,
    StatusCode,
)
from obsctl.parsers._trace_common import MAX_VALUE_DEPTH, clip_string, split_follows_from

_KINDS = (
    SpanKind.UNSPECIFIED,
    SpanKind.INTERNAL,
    SpanKind.SERVER,
    SpanKind.CLIENT,
    SpanKind.PRODUCER,
    SpanKind.CONSUMER,
)
_STATUS = (StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR)
_INT64_MAX = (1 << 63) - 1
_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"})


class ResourceRow(NamedTuple):
    """A resource, stored once: ``key`` is a hash of its serialized message."""

    key: bytes
    service: str
    blob: bytes


class SpanRow(NamedTuple):
    """One span as the store writes it: indexed columns, then the serialized ``Span``."""

    trace_id: bytes
    span_id: bytes
    parent_span_id: bytes | None
    service: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    duration_ns: int
    status: int
    resource_key: bytes
    scope: str
    blob: bytes


class LogRow(NamedTuple):
    """One log record as the store writes it: indexed columns, then the serialized record."""

    time_ns: int
    trace_id: bytes | None
    span_id: bytes | None
    service: str
    severity: int
    severity_text: str
    body: str
    resource_key: bytes
    scope: str
    blob: bytes


class Decoded(NamedTuple):
    """A decoded export request: its resources and rows (``SpanRow`` or ``LogRow``)."""

    resources: list[ResourceRow]
    rows: list[Any]


# ----------------------------------------------------------------------- requests
def _bad(message: str) -> ParseError:
    return ParseError(message, from_backend=False)


def _hex_ids_to_base64(node: Any, depth: int = 0) -> None:
    """Rewrite OTLP/JSON's hex ID fields in place into the base64 ``json_format`` reads."""
    if depth > 12:  # requests are 5 levels deep down to a link; deeper is not OTLP
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_KEYS and isinstance(value, str):
                try:
                    node[key] = base64.b64encode(bytes.fromhex(value)).decode()
                except ValueError:
                    raise _bad(f"{key} {value[:40]!r} is not hex") from None
            elif isinstance(value, dict | list) and key not in ("attributes", "body", "resource"):
                _hex_ids_to_base64(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _hex_ids_to_base64(item, depth + 1)


def _parse(body: bytes, *, json: bool, message: Any, what: str) -> Any:
    if json:
        import orjson
        from google.protobuf import json_format  # ~50 ms; OTLP/JSON only

        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise _bad(f"{what}: invalid JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise _bad(f"{what}: expected a JSON object")
        _hex_ids_to_base64(doc)
        try:
            json_format.ParseDict(doc, message, ignore_unknown_fields=True)
        except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
            raise _bad(f"{what}: {str(exc).splitlines()[0][:200]}") from None
        return message
    try:
        message.ParseFromString(body)
    except (DecodeError, RecursionError, ValueError) as exc:
        raise _bad(f"{what}: not a protobuf message ({exc})") from None
    return message


def _resource(resource: Resource, seen: dict[bytes, ResourceRow]) -> ResourceRow:
    blob = resource.SerializeToString(deterministic=True)
    key = hashlib.blake2b(blob, digest_size=16).digest()
    row = seen.get(key)
    if row is None:
        service = "unknown"
        for kv in resource.attributes:
            if kv.key == "service.name" and kv.value.string_value:
                service = kv.value.string_value
                break
        row = seen[key] = ResourceRow(key, service, blob)
    return row


def decode_trace_request(body: bytes, *, json: bool) -> Decoded:
    """Decode an ``ExportTraceServiceRequest`` into store rows.

    Raises:
        ParseError: not a request, or a span with a trace ID that is not 16 bytes, a span ID
        that is not 8 bytes, or a timestamp past 2262 (the whole request is refused, as the
        Collector does).
    """
    req = _parse(body, json=json, message=ExportTraceServiceRequest(), what="OTLP traces")
    seen: dict[bytes, ResourceRow] = {}
    rows: list[SpanRow] = []
    append = rows.append
    for rs in req.resource_spans:
        res = _resource(rs.resource, seen)
        service, rkey = res.service, res.key
        for ss in rs.scope_spans:
            scope = ss.scope.name
            for span in ss.spans:
                tid, sid, parent = span.trace_id, span.span_id, span.parent_span_id
                if len(tid) != 16 or tid == bytes(16):
                    raise _bad(f"OTLP traces: span {span.name!r} has an invalid trace ID")
                if len(sid) != 8 or sid == bytes(8):
                    raise _bad(f"OTLP traces: span {span.name!r} has an invalid span ID")
                if parent and len(parent) != 8:
                    raise _bad(f"OTLP traces: span {span.name!r} has an invalid parent span ID")
                start, end = span.start_time_unix_nano, span.end_time_unix_nano
                if start > _INT64_MAX or end > _INT64_MAX:
                    raise _bad(f"OTLP traces: span {span.name!r} has a timestamp out of range")
                end = max(end, start)
                append(
                    SpanRow(
                        tid,
                        sid,
                        parent or None,
                        service,
                        span.name,
                        span.kind,
                        start,
                        end,
                        end - start,
                        span.status.code,
                        rkey,
                        scope,
                        span.SerializeToString(),
                    )
                )
    return Decoded(list(seen.values()), rows)


def decode_logs_request(body: bytes, *, json: bool) -> Decoded:
    """Decode an ``ExportLogsServiceRequest`` into store rows.

    Records with a missing or malformed trace/span ID are kept, uncorrelated (the data model
    makes the IDs optional).

    Raises:
        ParseError: not a request.
    """
    req = _parse(body, json=json, message=ExportLogsServiceRequest(), what="OTLP logs")
    seen: dict[bytes, ResourceRow] = {}
    rows: list[LogRow] = []
    for rl in req.resource_logs:
        res = _resource(rl.resource, seen)
        for sl in rl.scope_logs:
            scope = sl.scope.name
            for rec in sl.log_records:
                t = rec.time_unix_nano or rec.observed_time_unix_nano
                if t > _INT64_MAX:
                    raise _bad("OTLP logs: a record has a timestamp out of range")
                tid = rec.trace_id if len(rec.trace_id) == 16 and any(rec.trace_id) else None
                sid = rec.span_id if tid and len(rec.span_id) == 8 and any(rec.span_id) else None
                rows.append(
                    LogRow(
                        t,
                        tid,
                        sid,
                        res.service,
                        rec.severity_number,
                        rec.severity_text,
                        body_text(rec.body),
                        res.key,
                        scope,
                        rec.SerializeToString(),
                    )
                )
    return Decoded(list(seen.values()), rows)


def trace_response(*, json: bool, rejected: int = 0, message: str = "") -> bytes:
    """An ``ExportTraceServiceResponse`` in the request's encoding (empty = full success)."""
    resp = ExportTraceServiceResponse()
    if rejected or message:
        resp.partial_success.rejected_spans = rejected
        resp.partial_success.error_message = message
    return _encode(resp, json=json)


def logs_response(*, json: bool, rejected: int = 0, message: str = "") -> bytes:
    """An ``ExportLogsServiceResponse`` in the request's encoding (empty = full success)."""
    resp = ExportLogsServiceResponse()
    if rejected or message:
        resp.partial_success.rejected_log_records = rejected
        resp.partial_success.error_message = message
    return _encode(resp, json=json)


def status_body(code: int, message: str, *, json: bool) -> bytes:
    """A ``google.rpc.Status`` (the body OTLP/HTTP requires for 4xx/5xx), hand-encoded.

    >>> status_body(3, "bad", json=False)
    b'\\x08\\x03\\x12\\x03bad'
    >>> status_body(3, "bad", json=True)
    b'{"code":3,"message":"bad"}'
    """
    if json:
        import orjson

        return orjson.dumps({"code": code, "message": message})
    text = message.encode()
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(text)) + text


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _encode(message: Any, *, json: bool) -> bytes:
    if json:
        import orjson
        from google.protobuf import json_format

        return orjson.dumps(json_format.MessageToDict(message))
    data: bytes = message.SerializeToString()
    return data


# ----------------------------------------------------------------------- model
def any_value(value: AnyValue, depth: int = 0) -> AttrValue:
    """An ``AnyValue`` as an attribute value (arrays → tuples, maps → ``"k=v"`` tuples)."""
    which = value.WhichOneof("value")
    if which == "string_value":
        return clip_string(value.string_value)
    if which == "int_value":
        return value.int_value
    if which == "bool_value":
        return value.bool_value
    if which == "double_value":
        return value.double_value
    if which == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    if which is None:
        return None
    if depth >= MAX_VALUE_DEPTH:
        return "…"
    if which == "array_value":
        return tuple(any_value(v, depth + 1) for v in value.array_value.values)
    if which == "kvlist_value":
        return tuple(
            f"{kv.key}={any_value(kv.value, depth + 1)}" for kv in value.kvlist_value.values
        )
    return None


def attributes(items: Iterable[KeyValue]) -> Attributes:
    """Decode a repeated ``KeyValue``."""
    return tuple((kv.key, any_value(kv.value)) for kv in items)


def body_text(value: AnyValue) -> str:
    """A log body as one string (structured bodies as ``k=v`` / list text)."""
    which = value.WhichOneof("value")
    if which == "string_value":
        return value.string_value
    v = any_value(value)
    if v is None:
        return ""
    if isinstance(v, tuple):
        return " ".join(str(x) for x in v)
    return str(v)


def resource_attributes(blob: bytes) -> Attributes:
    """The attributes of a stored resource."""
    return attributes(Resource.FromString(blob).attributes)


def span_from_blob(blob: bytes, *, service: str, resource: Attributes, scope: str) -> Span:
    """A stored span as a model ``Span``."""
    pb = PbSpan.FromString(blob)
    trace_id = pb.trace_id.hex()
    parent = pb.parent_span_id.hex() or None
    links = tuple(
        SpanLink(
            trace_id=link.trace_id.hex().rjust(32, "0"),
            span_id=link.span_id.hex().rjust(16, "0"),
            attributes=attributes(link.attributes),
        )
        for link in pb.links
    )
    ref_type, links = split_follows_from(links, parent=parent, trace_id=trace_id)
    start = pb.start_time_unix_nano
    return Span(
        trace_id=trace_id,
        span_id=pb.span_id.hex(),
        parent_span_id=parent,
        name=pb.name,
        service=service,
        kind=_KINDS[pb.kind] if 0 <= pb.kind < len(_KINDS) else SpanKind.UNSPECIFIED,
        start_ns=start,
        end_ns=max(pb.end_time_unix_nano, start),
        status_code=_STATUS[pb.status.code] if 0 <= pb.status.code < 3 else StatusCode.UNSET,
        status_message=pb.status.message,
        attributes=attributes(pb.attributes),
        resource=resource,
        events=tuple(
            SpanEvent(time_ns=e.time_unix_nano, name=e.name, attributes=attributes(e.attributes))
            for e in pb.events
        ),
        links=links,
        ref_type=ref_type,
        scope=scope or None,
    )


def log_from_blob(blob: bytes, *, service: str, resource: Attributes, scope: str) -> LogRecord:
    """A stored log record as a model ``LogRecord``."""
    pb = PbLogRecord.FromString(blob)
    tid = pb.trace_id.hex() if len(pb.trace_id) == 16 and any(pb.trace_id) else None
    sid = pb.span_id.hex() if tid and len(pb.span_id) == 8 and any(pb.span_id) else None
    return LogRecord(
        time_ns=pb.time_unix_nano or pb.observed_time_unix_nano,
        service=service,
        severity_number=pb.severity_number,
        severity_text=pb.severity_text,
        body=body_text(pb.body),
        trace_id=tid,
        span_id=sid,
        attributes=attributes(pb.attributes),
        resource=resource,
        scope=scope or None,
        event_name=pb.event_name,
    )


def span_has_attribute(blob: bytes, key: str, value: str) -> bool:
    """Whether the stored span has attribute ``key`` whose value, as text, is ``value``."""
    for kv in PbSpan.FromString(blob).attributes:
        if kv.key == key:
            v = any_value(kv.value)
            text = str(v).lower() if isinstance(v, bool) else str(v)
            if text == value:
                return True
    return False
