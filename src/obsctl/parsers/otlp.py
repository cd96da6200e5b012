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
    MAX_ATTR_STRING,
    MAX_VALUE_DEPTH,
    check_size,
    clip_string,
    fail,
    finish_trace,
    finish_traces,
    int_of,
    malformed,
    service_of,
    span_id_of,
    split_follows_from,
    trace_id_of,
)

# OTLP enums arrive as integers or as their proto names; ``None`` is an absent field.
OTLP_KINDS: dict[object, SpanKind] = {
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
OTLP_STATUS: dict[object, StatusCode] = {
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
    if type(items) is not list:
        raise TypeError("attributes is not a list")
    out: list[tuple[str, AttrValue]] = []
    for kv in items:
        key = kv["key"]
        value = kv.get("value")
        # Fast path: most attributes are short strings.
        if type(value) is dict and len(value) == 1:
            text = value.get("stringValue")
            if type(text) is str and len(text) <= MAX_ATTR_STRING:
                out.append((key if type(key) is str else str(key), text))
                continue
        out.append((key if type(key) is str else str(key), any_value(value)))
    return tuple(out)


_EMPTY: dict[str, Any] = {}


class _Ids:
    """ID normalisation with a fast path for well-formed hex and a cache for trace IDs."""

    __slots__ = ("from_backend", "trace_ids", "what")

    def __init__(self, from_backend: bool, what: str) -> None:
        self.from_backend = from_backend
        self.what = what
        self.trace_ids: dict[object, str] = {}

    def trace(self, value: object, where: str) -> str:
        got = self.trace_ids.get(value) if type(value) is str else None
        if got is None:
            got = trace_id_of(value, from_backend=self.from_backend, what=self.what, where=where)
            if len(self.trace_ids) < 1024:
                self.trace_ids[value] = got
        return got

    def span(self, value: object, where: str) -> str:
        if type(value) is str and len(value) == 16:
            try:
                return bytes.fromhex(value).hex()
            except ValueError:
                pass
        return span_id_of(value, from_backend=self.from_backend, what=self.what, where=where)

    def parent(self, value: object, where: str) -> str | None:
        if value is None or value == "":
            return None
        sid = self.span(value, where)
        return None if sid == "0000000000000000" else sid

    def nanos(self, value: object, where: str) -> int:
        if type(value) is int:
            return value
        if type(value) is str:
            try:
                return int(value)
            except ValueError:
                pass
        return int_of(value, from_backend=self.from_backend, what=self.what, where=where)


def _parse_span(
    raw: Mapping[str, Any],
    service: str,
    resource: Attributes,
    scope: str | None,
    ids: _Ids,
    where: str,
    warnings: list[str],
) -> Span:
    trace_id = ids.trace(raw.get("traceId"), where)
    span_id = ids.span(raw.get("spanId"), where)
    parent = ids.parent(raw.get("parentSpanId"), where)
    start_raw = raw.get("startTimeUnixNano")
    if start_raw is None:
        raise fail(
            f"{where}: startTimeUnixNano missing", from_backend=ids.from_backend, what=ids.what
        )
    start = ids.nanos(start_raw, where)
    end_raw = raw.get("endTimeUnixNano")
    end = start if end_raw is None else ids.nanos(end_raw, where)
    if end < start:
        warnings.append(f"span {span_id} ends before it starts; duration set to 0")
        end = start
    kind = OTLP_KINDS.get(raw.get("kind"), SpanKind.UNSPECIFIED)
    status = raw.get("status") or _EMPTY
    code = OTLP_STATUS.get(status.get("code"), StatusCode.UNSET)
    raw_events = raw.get("events")
    events: tuple[SpanEvent, ...] = ()
    if raw_events:
        events = tuple(
            SpanEvent(
                ids.nanos(ev.get("timeUnixNano", start), where),
                str(ev.get("name", "")),
                attributes(ev.get("attributes")),
            )
            for ev in raw_events
        )
    ref_type = RefType.CHILD_OF
    links: tuple[SpanLink, ...] = ()
    raw_links = raw.get("links")
    if raw_links:
        ref_type, links = split_follows_from(
            [
                SpanLink(
                    ids.trace(ln.get("traceId"), where),
                    ids.span(ln.get("spanId"), where),
                    attributes(ln.get("attributes")),
                )
                for ln in raw_links
            ],
            parent=parent,
            trace_id=trace_id,
        )
    name = raw.get("name")
    message = status.get("message")
    return Span(
        trace_id,
        span_id,
        parent,
        name if type(name) is str else str(name or ""),
        service,
        kind,
        start,
        end,
        code,
        message if type(message) is str else str(message or ""),
        attributes(raw.get("attributes")),
        resource,
        events,
        links,
        ref_type,
        scope,
    )


_UNSET = StatusCode.UNSET
_CHILD_OF = RefType.CHILD_OF
_ZERO_SPAN = "0000000000000000"


def _fast_span(
    raw: Mapping[str, Any],
    service: str,
    resource: Attributes,
    scope: str | None,
    trace_ids: Mapping[object, str],
) -> Span:
    """The common case only (known trace ID, 16-hex span IDs, no events or links), inline.

    Raises on anything else (``KeyError``/``ValueError``/``TypeError``), and the caller falls
    back to ``_parse_span``, which handles every form and words the errors. Worth it: 40% of
    the decode time of a 100,000-span trace.
    """
    if raw.get("events") or raw.get("links"):
        raise KeyError("events")
    trace_id = trace_ids[raw["traceId"]]
    sid = raw["spanId"]
    if len(sid) != 16:
        raise ValueError(sid)
    span_id = bytes.fromhex(sid).hex()
    pid = raw.get("parentSpanId")
    parent: str | None = None
    if pid:
        if len(pid) != 16:
            raise ValueError(pid)
        parent = bytes.fromhex(pid).hex()
        if parent == _ZERO_SPAN:
            parent = None
    start = raw["startTimeUnixNano"]
    end = raw["endTimeUnixNano"]
    if type(start) is str:
        start = int(start)
    elif type(start) is not int:
        raise TypeError(start)
    if type(end) is str:
        end = int(end)
    elif type(end) is not int:
        raise TypeError(end)
    if end < start:
        raise ValueError(end)
    name = raw.get("name", "")
    if type(name) is not str:
        raise TypeError(name)
    status = raw.get("status")
    if status:
        code = OTLP_STATUS[status.get("code")]
        message = status.get("message") or ""
        if type(message) is not str:
            raise TypeError(message)
    else:
        code, message = _UNSET, ""
    return Span(
        trace_id,
        span_id,
        parent,
        name,
        service,
        OTLP_KINDS[raw.get("kind")],
        start,
        end,
        code,
        message,
        attributes(raw.get("attributes")),
        resource,
        (),
        (),
        _CHILD_OF,
        scope,
    )


def iter_otlp_spans(
    resource_spans: Sequence[Any], *, from_backend: bool, what: str, warnings: list[str]
) -> list[Span]:
    """Every span of a resource-spans list, decoded (no trace-ID filtering)."""
    spans: list[Span] = []
    ids = _Ids(from_backend, what)
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
        service = service_of(res_attrs)
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
            append = spans.append
            trace_ids = ids.trace_ids
            k = -1
            try:
                for k, raw in enumerate(raw_spans):  # noqa: B007 - k names the failing span
                    try:
                        append(_fast_span(raw, service, res_attrs, scope, trace_ids))
                    except (KeyError, ValueError, TypeError, AttributeError):
                        append(_parse_span(raw, service, res_attrs, scope, ids, "", warnings))
            except (ParseError, TypeError, KeyError, AttributeError, ValueError):
                # Locations are built only on failure: decode the failing span again, naming it.
                where = f"{where_ss}.spans[{k}]"
                try:
                    _parse_span(raw_spans[k], service, res_attrs, scope, ids, where, warnings)
                except ParseError:
                    raise
                except (TypeError, KeyError, AttributeError, ValueError) as exc:
                    raise malformed(where, exc, from_backend=from_backend, what=what) from None
                raise  # not reached: the same span fails the same way
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
    return finish_traces(
        ((group, list(warnings)) for group in by_trace.values()),
        from_backend=from_backend,
        what=what,
    )
