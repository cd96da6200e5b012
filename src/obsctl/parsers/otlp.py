"""OTLP/JSON traces → ``Trace``: OTLP files, Tempo (v2 and v1 APIs) and Jaeger api_v3.

Accepted shapes (see the OTLP "JSON Protobuf Encoding" rules):

* containers ``{"resourceSpans": […]}``, Tempo v1 ``{"batches": […]}``, Tempo v2
  ``{"trace": {…}}``, Jaeger api_v3 ``{"result": {…}}``, or a bare list of resource spans;
* ``scopeSpans[].scope`` and the pre-1.0 ``instrumentationLibrarySpans[].instrumentationLibrary``;
* IDs in hex (OTLP, Jaeger) or base64 (Tempo's gogo/jsonpb encoding);
* enums as integers or names (``2`` or ``"SPAN_KIND_SERVER"``); 64-bit integers as strings or
  numbers; ``status.deprecatedCode`` ignored.

Pure: the caller decodes the JSON (orjson) and passes the document in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    MAX_VALUE_DEPTH,
    check_size,
    clip_string,
    fail,
    finish_trace,
    int_of,
    optional_span_id,
    span_id_of,
    trace_id_of,
)

_KINDS: dict[object, SpanKind] = {
    0: SpanKind.UNSPECIFIED,
    1: SpanKind.INTERNAL,
    2: SpanKind.SERVER,
    3: SpanKind.CLIENT,
    4: SpanKind.PRODUCER,
    5: SpanKind.CONSUMER,
    "SPAN_KIND_UNSPECIFIED": SpanKind.UNSPECIFIED,
    "SPAN_KIND_INTERNAL": SpanKind.INTERNAL,
    "SPAN_KIND_SERVER": SpanKind.SERVER,
    "SPAN_KIND_CLIENT": SpanKind.CLIENT,
    "SPAN_KIND_PRODUCER": SpanKind.PRODUCER,
    "SPAN_KIND_CONSUMER": SpanKind.CONSUMER,
    None: SpanKind.UNSPECIFIED,
}
_STATUS: dict[object, StatusCode] = {
    0: StatusCode.UNSET,
    1: StatusCode.OK,
    2: StatusCode.ERROR,
    "STATUS_CODE_UNSET": StatusCode.UNSET,
    "STATUS_CODE_OK": StatusCode.OK,
    "STATUS_CODE_ERROR": StatusCode.ERROR,
    None: StatusCode.UNSET,
}
_CONTAINERS = ("resourceSpans", "batches")
_WRAPPERS = ("trace", "result")


def find_resource_spans(doc: object) -> list[Any] | None:
    """The resource-spans list of an OTLP-shaped document, or ``None`` if it has none."""
    for _ in range(3):  # {"result": {"resourceSpans": …}} is the deepest wrapper
        if isinstance(doc, list):
            return doc
        if not isinstance(doc, Mapping):
            return None
        for key in _CONTAINERS:
            if key in doc:
                value = doc[key]
                return value if isinstance(value, list) else [] if value is None else None
        for key in _WRAPPERS:
            if isinstance(doc.get(key), Mapping):
                doc = doc[key]
                break
        else:
            return None
    return None


def any_value(value: object, depth: int = 0) -> AttrValue:
    """Decode an OTLP ``AnyValue`` (``{"stringValue": …}`` …) into an attribute value.

    Arrays become tuples; key/value lists become tuples of ``"key=value"`` strings (the model
    has no maps). Nesting deeper than ``MAX_VALUE_DEPTH`` is cut to ``"…"``.
    """
    if not isinstance(value, Mapping):
        return None if value is None else clip_string(str(value))
    if "stringValue" in value:
        v = value["stringValue"]
        return clip_string(v) if isinstance(v, str) else str(v)
    if "intValue" in value:
        v = value["intValue"]
        try:
            return int(v)
        except (TypeError, ValueError):
            return str(v)
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "doubleValue" in value:
        v = value["doubleValue"]
        try:
            return float(v)  # "NaN"/"Infinity" arrive as strings
        except (TypeError, ValueError):
            return str(v)
    if "bytesValue" in value:
        return str(value["bytesValue"])
    if depth >= MAX_VALUE_DEPTH:
        return "…"
    if "arrayValue" in value:
        items = (value["arrayValue"] or {}).get("values") or []
        return tuple(any_value(v, depth + 1) for v in items)
    if "kvlistValue" in value:
        items = (value["kvlistValue"] or {}).get("values") or []
        return tuple(f"{kv.get('key')}={any_value(kv.get('value'), depth + 1)}" for kv in items)
    return None


def attributes(items: object) -> Attributes:
    """Decode an OTLP ``attributes`` list."""
    if not items:
        return ()
    if not isinstance(items, list):
        raise TypeError("attributes is not a list")
    return tuple((str(kv["key"]), any_value(kv.get("value"))) for kv in items)


def _parse_span(
    raw: Mapping[str, Any],
    service: str,
    resource: Attributes,
    scope: str | None,
    from_backend: bool,
    what: str,
    where: str,
    warnings: list[str],
) -> Span:
    trace_id = trace_id_of(raw.get("traceId"), from_backend=from_backend, what=what, where=where)
    span_id = span_id_of(raw.get("spanId"), from_backend=from_backend, what=what, where=where)
    parent = optional_span_id(
        raw.get("parentSpanId"), from_backend=from_backend, what=what, where=where
    )
    if "startTimeUnixNano" not in raw:
        raise fail(f"{where}: startTimeUnixNano missing", from_backend=from_backend, what=what)
    start = int_of(raw["startTimeUnixNano"], from_backend=from_backend, what=what, where=where)
    end_raw = raw.get("endTimeUnixNano")
    end = (
        start
        if end_raw is None
        else int_of(end_raw, from_backend=from_backend, what=what, where=where)
    )
    if end < start:
        warnings.append(f"span {span_id} ends before it starts; duration set to 0")
        end = start
    kind = _KINDS.get(raw.get("kind"))
    if kind is None:
        kind = SpanKind.UNSPECIFIED
    status = raw.get("status") or {}
    code = _STATUS.get(status.get("code"), StatusCode.UNSET)
    events = tuple(
        SpanEvent(
            time_ns=int_of(
                ev.get("timeUnixNano", start), from_backend=from_backend, what=what, where=where
            ),
            name=str(ev.get("name", "")),
            attributes=attributes(ev.get("attributes")),
        )
        for ev in raw.get("events") or ()
    )
    ref_type = RefType.CHILD_OF
    links: list[SpanLink] = []
    for ln in raw.get("links") or ():
        link = SpanLink(
            trace_id=trace_id_of(
                ln.get("traceId"), from_backend=from_backend, what=what, where=where
            ),
            span_id=span_id_of(ln.get("spanId"), from_backend=from_backend, what=what, where=where),
            attributes=attributes(ln.get("attributes")),
        )
        # Jaeger's OTLP translation keeps a FOLLOWS_FROM parent as a link tagged
        # opentracing.ref_type=follows_from.
        if (
            link.span_id == parent
            and link.trace_id == trace_id
            and ("opentracing.ref_type", "follows_from") in link.attributes
        ):
            ref_type = RefType.FOLLOWS_FROM
            continue
        links.append(link)
    return Span(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=str(raw.get("name") or ""),
        service=service,
        kind=kind,
        start_ns=start,
        end_ns=end,
        status_code=code,
        status_message=str(status.get("message") or ""),
        attributes=attributes(raw.get("attributes")),
        resource=resource,
        events=events,
        links=tuple(links),
        ref_type=ref_type,
        scope=scope,
    )


def iter_otlp_spans(
    resource_spans: Sequence[Any], *, from_backend: bool, what: str, warnings: list[str]
) -> list[Span]:
    """Every span of a resource-spans list, decoded (no trace-ID filtering)."""
    spans: list[Span] = []
    for i, rs in enumerate(resource_spans):
        where_rs = f"resourceSpans[{i}]"
        if not isinstance(rs, Mapping):
            raise fail(f"{where_rs} is not an object", from_backend=from_backend, what=what)
        try:
            res_attrs = attributes((rs.get("resource") or {}).get("attributes"))
        except (TypeError, KeyError, AttributeError) as exc:
            raise fail(
                f"{where_rs}.resource.attributes malformed ({exc})",
                from_backend=from_backend,
                what=what,
            ) from None
        service = "unknown"
        for key, value in res_attrs:
            if key == "service.name" and isinstance(value, str) and value:
                service = value
                break
        scope_key = "scopeSpans" if "scopeSpans" in rs else "instrumentationLibrarySpans"
        scope_list = rs.get(scope_key) or []
        if not isinstance(scope_list, list):
            raise fail(
                f"{where_rs}.{scope_key} is not a list", from_backend=from_backend, what=what
            )
        for j, ss in enumerate(scope_list):
            where_ss = f"{where_rs}.{scope_key}[{j}]"
            if not isinstance(ss, Mapping):
                raise fail(f"{where_ss} is not an object", from_backend=from_backend, what=what)
            scope_obj = ss.get("scope") or ss.get("instrumentationLibrary") or {}
            scope_name = scope_obj.get("name") if isinstance(scope_obj, Mapping) else None
            scope = str(scope_name) if scope_name else None
            raw_spans = ss.get("spans") or []
            if not isinstance(raw_spans, list):
                raise fail(f"{where_ss}.spans is not a list", from_backend=from_backend, what=what)
            check_size(len(spans) + len(raw_spans), from_backend=from_backend, what=what)
            for k, raw in enumerate(raw_spans):
                where = f"{where_ss}.spans[{k}]"
                try:
                    spans.append(
                        _parse_span(
                            raw, service, res_attrs, scope, from_backend, what, where, warnings
                        )
                    )
                except ParseError:
                    raise
                except (TypeError, KeyError, AttributeError, ValueError) as exc:
                    raise fail(
                        f"{where} malformed ({type(exc).__name__}: {exc})",
                        from_backend=from_backend,
                        what=what,
                    ) from None
    return spans


def parse_otlp_trace(
    doc: object,
    *,
    trace_id: str | None = None,
    from_backend: bool = False,
    what: str = "OTLP JSON",
) -> Trace:
    """Decode one trace from an OTLP/JSON document.

    Args:
        doc: the decoded JSON document.
        trace_id: keep only this trace (32 hex); default: the first span's trace.
        from_backend: the payload came from a backend (errors exit 4, not 2).
        what: payload name for messages (``Tempo v2 trace``, ``Jaeger api_v3 trace`` …).

    Raises:
        ParseError: not OTLP-shaped, a malformed span, or no spans at all.
    """
    resource_spans = find_resource_spans(doc)
    if resource_spans is None:
        raise fail(
            "no resourceSpans (or batches) found: not an OTLP trace",
            from_backend=from_backend,
            what=what,
        )
    warnings: list[str] = []
    spans = iter_otlp_spans(resource_spans, from_backend=from_backend, what=what, warnings=warnings)
    return finish_trace(
        spans, trace_id=trace_id, warnings=warnings, from_backend=from_backend, what=what
    )


def parse_otlp_traces(
    doc: object, *, from_backend: bool = False, what: str = "OTLP JSON"
) -> list[Trace]:
    """Decode every trace in an OTLP/JSON document (a Jaeger api_v3 search merges them all).

    Returns:
        One ``Trace`` per trace ID, in order of first appearance; empty when there are no spans.
    """
    resource_spans = find_resource_spans(doc)
    if resource_spans is None:
        raise fail(
            "no resourceSpans found: not an OTLP trace", from_backend=from_backend, what=what
        )
    warnings: list[str] = []
    spans = iter_otlp_spans(resource_spans, from_backend=from_backend, what=what, warnings=warnings)
    by_trace: dict[str, list[Span]] = {}
    for s in spans:
        by_trace.setdefault(s.trace_id, []).append(s)
    return [
        finish_trace(
            group, trace_id=tid, warnings=list(warnings), from_backend=from_backend, what=what
        )
        for tid, group in by_trace.items()
    ]
