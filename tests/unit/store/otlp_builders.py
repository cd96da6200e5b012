"""Build OTLP export requests for store and receiver tests."""

from __future__ import annotations

import os

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def trace_request(
    *,
    traces: int = 1,
    spans: int = 3,
    service: str = "api",
    start_ns: int = 1_700_000_000_000_000_000,
    duration_ns: int = 1_000_000,
    trace_ids: list[bytes] | None = None,
    error: bool = True,
) -> bytes:
    """``traces`` traces of ``spans`` spans each (a root and its children); attribute
    ``i`` on each span holds its index, ``route`` is ``/r<trace index>``; the last span's
    status is error unless ``error`` is false."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", service
    ss = rs.scope_spans.add()
    ss.scope.name = "test"
    for t in range(traces):
        tid = trace_ids[t] if trace_ids else os.urandom(16)
        root = b""
        for i in range(spans):
            s = ss.spans.add()
            s.trace_id, s.span_id = tid, os.urandom(8)
            if root:
                s.parent_span_id = root
            else:
                root = s.span_id
            s.name = "root" if i == 0 else f"child{i}"
            s.start_time_unix_nano = start_ns + t * 1000 + i
            s.end_time_unix_nano = s.start_time_unix_nano + duration_ns * (1 if i else 2)
            if error and i == spans - 1:
                s.status.code = 2
            a = s.attributes.add()
            a.key, a.value.int_value = "i", i
            r = s.attributes.add()
            r.key, r.value.string_value = "route", f"/r{t}"
    return req.SerializeToString()


def logs_request(
    trace_id: bytes, *, count: int = 2, time_ns: int = 1_700_000_000_000_000_000
) -> bytes:
    """``count`` log records in ``trace_id``; the last one is an ERROR."""
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    kv = rl.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "api"
    sl = rl.scope_logs.add()
    for i in range(count):
        r = sl.log_records.add()
        r.time_unix_nano = time_ns + i
        r.trace_id, r.span_id = trace_id, b"\x01" * 8
        r.severity_number = 17 if i == count - 1 else 9
        r.body.string_value = f"line {i}"
    return req.SerializeToString()
