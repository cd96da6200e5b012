"""Jaeger query API v1 JSON (``{"data": [Trace…]}``, also Jaeger UI "Download JSON") → ``Trace``.

Times are microseconds; IDs hex (16 chars for 64-bit trace IDs); tags are typed key/values;
each span points into ``processes`` through ``processID``. OTLP data stored in Jaeger comes
back with the OTel fields folded into tags (``span.kind``, ``otel.status_code``,
``otel.status_description``, ``error``, ``otel.scope.name``); those are lifted back into the
model so the same trace decodes equally from every backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.errors import ParseError
from obsctl.model.traces import (
    Attributes,
    AttrValue,
    RefType,
    Span,
    SpanEvent,
    SpanKind,
    SpanLink,
    StatusCode,
    Trace,
)
from obsctl.parsers._trace_common import (
    check_size,
    clip_string,
    fail,
    finish_trace,
    finish_traces,
    int_of,
    malformed,
    optional_span_id,
    span_id_of,
    trace_id_of,
)

_KINDS = {k.value: k for k in SpanKind}
_STATUS = {"ERROR": StatusCode.ERROR, "OK": StatusCode.OK, "UNSET": StatusCode.UNSET}
# Tags that Jaeger's OTLP translation derives from span fields; lifted back, never shown twice.
_DERIVED = frozenset(
    {
        "span.kind",
        "otel.status_code",
        "otel.status_description",
        "otel.scope.name",
        "otel.scope.version",
        "otel.library.name",
        "otel.library.version",
        "internal.span.format",
    }
)


def _tag_value(tag: Mapping[str, Any]) -> AttrValue:
    value = tag.get("value")
    vtype = tag.get("type", "string")
    if vtype == "int64":
        # Jaeger sends int64 beyond ±2^53 as a string.
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
    if vtype == "float64":
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
    if vtype == "bool":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if value is None:
        return None
    return clip_string(value) if isinstance(value, str) else str(value)


def _tags(items: object) -> Attributes:
    if not items:
        return ()
    if not isinstance(items, list):
        raise TypeError("tags is not a list")
    return tuple((str(t["key"]), _tag_value(t)) for t in items)


def _process(raw: object) -> tuple[str, Attributes]:
    if not isinstance(raw, Mapping):
        return "unknown", ()
    service = str(raw.get("serviceName") or "unknown")
    return service, (("service.name", service), *_tags(raw.get("tags")))


def _parse_span(
    raw: Mapping[str, Any],
    processes: Mapping[str, tuple[str, Attributes]],
    trace_warnings: list[str],
    from_backend: bool,
    what: str,
    where: str,
) -> Span:
    kw = {"from_backend": from_backend, "what": what, "where": where}
    trace_id = trace_id_of(raw.get("traceID"), **kw)  # type: ignore[arg-type]
    span_id = span_id_of(raw.get("spanID"), **kw)  # type: ignore[arg-type]
    if "startTime" not in raw:
        raise fail(f"{where}: startTime missing", from_backend=from_backend, what=what)
    start_us = int_of(raw["startTime"], **kw)  # type: ignore[arg-type]
    dur_us = int_of(raw.get("duration", 0), **kw)  # type: ignore[arg-type]
    if dur_us < 0:
        trace_warnings.append(f"span {span_id} has a negative duration; set to 0")
        dur_us = 0
    parent: str | None = None
    ref_type = RefType.CHILD_OF
    links: list[SpanLink] = []
    refs = raw.get("references") or []
    parent_idx: int | None = None
    for kind in ("CHILD_OF", "FOLLOWS_FROM"):
        for i, ref in enumerate(refs):
            if ref.get("refType") == kind and trace_id_of(ref.get("traceID"), **kw) == trace_id:  # type: ignore[arg-type]
                parent_idx = i
                break
        if parent_idx is not None:
            break
    for i, ref in enumerate(refs):
        ref_span = span_id_of(ref.get("spanID"), **kw)  # type: ignore[arg-type]
        if i == parent_idx:
            parent = ref_span
            if ref.get("refType") == "FOLLOWS_FROM":
                ref_type = RefType.FOLLOWS_FROM
        else:
            links.append(SpanLink(trace_id_of(ref.get("traceID"), **kw), ref_span))  # type: ignore[arg-type]
    if parent is None:
        parent = optional_span_id(raw.get("parentSpanID"), **kw)  # type: ignore[arg-type]
    if "process" in raw and isinstance(raw["process"], Mapping):
        service, resource = _process(raw["process"])
    else:
        pid = raw.get("processID")
        service, resource = processes.get(str(pid), ("unknown", ()))
    kind = SpanKind.UNSPECIFIED
    code = StatusCode.UNSET
    message = ""
    scope: str | None = None
    tags = _tags(raw.get("tags"))
    keys = {k for k, _ in tags}
    kept: list[tuple[str, AttrValue]] = []
    for key, value in tags:
        if key == "span.kind":
            kind = _KINDS.get(str(value).lower(), SpanKind.UNSPECIFIED)
        elif key == "otel.status_code":
            code = _STATUS.get(str(value).upper(), StatusCode.UNSET)
        elif key == "otel.status_description":
            message = str(value)
        elif key in ("otel.scope.name", "otel.library.name"):
            scope = str(value)
        elif key in _DERIVED or (key == "error" and "otel.status_code" in keys):
            continue
        else:
            kept.append((key, value))
    events: list[SpanEvent] = []
    for log in raw.get("logs") or ():
        fields = _tags(log.get("fields"))
        name = next((str(v) for k, v in fields if k == "event"), "log")
        events.append(
            SpanEvent(
                time_ns=int_of(log.get("timestamp", start_us), **kw) * 1000,  # type: ignore[arg-type]
                name=name,
                attributes=tuple((k, v) for k, v in fields if k != "event"),
            )
        )
    for warning in raw.get("warnings") or ():
        trace_warnings.append(f"span {span_id}: {warning}")
    return Span(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=str(raw.get("operationName") or ""),
        service=service,
        kind=kind,
        start_ns=start_us * 1000,
        end_ns=(start_us + dur_us) * 1000,
        status_code=code,
        status_message=message,
        attributes=tuple(kept),
        resource=resource,
        events=tuple(events),
        links=tuple(links),
        ref_type=ref_type,
        scope=scope,
    )


def _trace_list(doc: object, *, from_backend: bool, what: str) -> list[Any]:
    if isinstance(doc, Mapping) and "data" in doc:
        data = doc["data"]
        if data is None:
            errors = doc.get("errors") or []
            msg = "; ".join(str(e.get("msg", e)) for e in errors if isinstance(e, Mapping))
            raise fail(msg or "data is null", from_backend=from_backend, what=what)
        if isinstance(data, Mapping):
            return [data]
        if isinstance(data, list):
            return data
    elif isinstance(doc, Mapping) and "spans" in doc:
        return [doc]
    raise fail('no "data" list of traces: not Jaeger JSON', from_backend=from_backend, what=what)


def _parse_one(
    raw_trace: object, index: int, *, from_backend: bool, what: str
) -> tuple[list[Span], list[str]]:
    where_t = f"data[{index}]"
    if not isinstance(raw_trace, Mapping):
        raise fail(f"{where_t} is not an object", from_backend=from_backend, what=what)
    raw_spans = raw_trace.get("spans")
    if not isinstance(raw_spans, list):
        raise fail(f"{where_t}.spans missing or not a list", from_backend=from_backend, what=what)
    check_size(len(raw_spans), from_backend=from_backend, what=what)
    warnings: list[str] = []
    try:
        processes = {str(k): _process(v) for k, v in (raw_trace.get("processes") or {}).items()}
    except (TypeError, KeyError, AttributeError) as exc:
        raise fail(
            f"{where_t}.processes malformed ({exc})", from_backend=from_backend, what=what
        ) from None
    for w in raw_trace.get("warnings") or ():
        warnings.append(str(w))
    spans: list[Span] = []
    for k, raw in enumerate(raw_spans):
        where = f"{where_t}.spans[{k}]"
        try:
            if not isinstance(raw, Mapping):
                raise TypeError("not an object")
            spans.append(_parse_span(raw, processes, warnings, from_backend, what, where))
        except ParseError:
            raise
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            raise malformed(where, exc, from_backend=from_backend, what=what) from None
    return spans, warnings


def parse_jaeger_trace(
    doc: object,
    *,
    trace_id: str | None = None,
    from_backend: bool = False,
    what: str = "Jaeger JSON",
) -> Trace:
    """Decode one trace from a Jaeger v1 document.

    Args:
        doc: the decoded JSON (``{"data": [Trace]}``, or a bare ``Trace``).
        trace_id: the trace to keep (32 hex); default: the first.
        from_backend: the payload came from a backend (errors exit 4, not 2).
        what: payload name for messages.

    Raises:
        ParseError: not Jaeger JSON, a malformed span, or no spans.
    """
    traces = _trace_list(doc, from_backend=from_backend, what=what)
    spans: list[Span] = []
    warnings: list[str] = []
    for i, raw_trace in enumerate(traces):
        s, w = _parse_one(raw_trace, i, from_backend=from_backend, what=what)
        spans += s
        warnings += w
    return finish_trace(
        spans, trace_id=trace_id, warnings=warnings, from_backend=from_backend, what=what
    )


def parse_jaeger_traces(
    doc: object, *, from_backend: bool = True, what: str = "Jaeger search"
) -> list[Trace]:
    """Decode every trace of a Jaeger v1 search response (empty traces are skipped)."""
    return finish_traces(
        (
            _parse_one(raw_trace, i, from_backend=from_backend, what=what)
            for i, raw_trace in enumerate(_trace_list(doc, from_backend=from_backend, what=what))
        ),
        from_backend=from_backend,
        what=what,
    )
