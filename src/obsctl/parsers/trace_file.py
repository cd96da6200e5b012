"""Trace files and stdin: detect the format (OTLP JSON, Jaeger JSON, Zipkin v2) and decode.

Also reads the OpenTelemetry Collector ``file`` exporter's output: one OTLP JSON document per
line. Pure: the bytes come in, and so does the JSON decoder (the workflow passes orjson's).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import StrEnum

from obsctl.errors import ParseError
from obsctl.model.traces import Trace
from obsctl.parsers.jaeger import parse_jaeger_trace
from obsctl.parsers.otlp import find_resource_spans, parse_otlp_trace
from obsctl.parsers.otlp_struct import parse_otlp_bytes
from obsctl.parsers.zipkin import parse_zipkin_trace

Loads = Callable[[bytes], object]


class TraceFormat(StrEnum):
    """A trace wire format."""

    OTLP = "otlp"
    JAEGER = "jaeger"
    ZIPKIN = "zipkin"


def detect_trace_format(doc: object) -> TraceFormat | None:
    """Which format ``doc`` (decoded JSON) is in, or ``None`` when it is none of them.

    >>> detect_trace_format({"resourceSpans": []})
    <TraceFormat.OTLP: 'otlp'>
    >>> detect_trace_format({"data": [{"traceID": "1", "spans": []}]})
    <TraceFormat.JAEGER: 'jaeger'>
    >>> detect_trace_format([{"traceId": "1", "id": "2"}])
    <TraceFormat.ZIPKIN: 'zipkin'>
    """
    if isinstance(doc, Mapping):
        if "data" in doc or ("spans" in doc and "processes" in doc):
            return TraceFormat.JAEGER
        if find_resource_spans(doc) is not None:
            return TraceFormat.OTLP
        return None
    if isinstance(doc, list):
        first = doc[0] if doc else None
        if isinstance(first, list):
            return TraceFormat.ZIPKIN
        if isinstance(first, Mapping):
            if "traceId" in first and "id" in first:
                return TraceFormat.ZIPKIN
            if (
                "scopeSpans" in first
                or "instrumentationLibrarySpans" in first
                or "resource" in first
            ):
                return TraceFormat.OTLP
    return None


def _decode(data: bytes, source: str, loads: Loads) -> object:
    try:
        return loads(data)
    except ValueError as first_error:
        lines = [ln for ln in data.splitlines() if ln.strip()]
        if len(lines) > 1:
            docs = []
            for n, line in enumerate(lines, 1):
                try:
                    docs.append(loads(line))
                except ValueError:
                    raise ParseError(
                        f"{source}: not JSON and not JSON lines (line {n}: {_short(first_error)})"
                    ) from None
            return _merge_lines(docs, source)
        raise ParseError(f"{source}: not valid JSON ({_short(first_error)})") from None


def _merge_lines(docs: list[object], source: str) -> object:
    """Collector file-exporter output: one ``{"resourceSpans": …}`` per line → one document."""
    merged: list[object] = []
    for n, doc in enumerate(docs, 1):
        rs = find_resource_spans(doc)
        if rs is None:
            raise ParseError(f"{source}: line {n} is not an OTLP JSON document")
        merged.extend(rs)
    return {"resourceSpans": merged}


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def parse_trace_file(
    data: bytes,
    *,
    source: str,
    trace_id: str | None = None,
    loads: Loads = json.loads,
) -> tuple[Trace, TraceFormat]:
    """Decode a trace file's bytes, whatever its format.

    Args:
        data: the file contents.
        source: file name (or ``<stdin>``) for messages.
        trace_id: keep this trace when the file holds several; default: the first.
        loads: JSON decoder (``orjson.loads`` is several times faster than the default).

    Returns:
        The trace and the format it was in.

    Raises:
        ParseError: empty, not JSON, an unknown shape, or malformed spans (exit 2).
    """
    if not data.strip():
        raise ParseError(f"{source}: the file is empty")
    head = data[:4096]
    if b'"resourceSpans"' in head or b'"batches"' in head or b'"result"' in head:
        fast = parse_otlp_bytes(data, trace_id=trace_id, what=f"{source} (OTLP JSON)")
        if fast is not None:
            return fast, TraceFormat.OTLP
    doc = _decode(data, source, loads)
    fmt = detect_trace_format(doc)
    what = source
    if fmt is TraceFormat.OTLP:
        return parse_otlp_trace(doc, trace_id=trace_id, what=f"{what} (OTLP JSON)"), fmt
    if fmt is TraceFormat.JAEGER:
        return parse_jaeger_trace(doc, trace_id=trace_id, what=f"{what} (Jaeger JSON)"), fmt
    if fmt is TraceFormat.ZIPKIN:
        if isinstance(doc, list) and doc and isinstance(doc[0], list):
            doc = [span for trace in doc if isinstance(trace, list) for span in trace]
        return parse_zipkin_trace(doc, trace_id=trace_id, what=f"{what} (Zipkin v2 JSON)"), fmt
    raise ParseError(
        f"{source}: not a trace: expected OTLP JSON (resourceSpans), Jaeger JSON (data[]) or "
        "a Zipkin v2 span list",
        hint="export the trace from Tempo, Jaeger or Zipkin as JSON, or use an OTLP JSON file",
    )
