"""Fast path for OTLP/JSON traces: typed decoding of the bytes straight into structs.

A deviation from "parsers use the stdlib only", for speed and memory: decoding a 100,000-span
(44 MB) OTLP file into dicts with orjson costs 0.31 s and 405 MB and then 0.14 s to free;
msgspec decodes it into typed structs in 0.12 s and 155 MB, and one span at a time (the
document down to raw span texts first) in 0.09 s and 6 MB. Still pure (bytes in, ``Trace``
out, no I/O).

This path handles well-formed documents only. Anything it does not accept (a JSON-lines file,
a malformed span, an unexpected type) makes it return ``None``, and the caller decodes with
``parsers.otlp``, which accepts every form and names what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import msgspec

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
    make_span,
)
from obsctl.parsers._trace_common import (
    MAX_ATTR_STRING,
    clip_string,
    finish_trace,
    service_of,
    split_follows_from,
)
from obsctl.parsers.otlp import OTLP_KINDS, OTLP_STATUS, any_value

# gc=False on the structs decoded per attribute and per span (hundreds of thousands): they
# are not tracked by the cyclic garbage collector, which makes each one cheaper to allocate
# (~10% of decoding). They cannot be part of a reference cycle: decoded JSON has none.


class _AnyValue(msgspec.Struct, gc=False):
    stringValue: str | None = None
    intValue: int | str | None = None
    boolValue: bool | None = None
    doubleValue: float | str | None = None
    bytesValue: str | None = None
    # Rare and nested: decoded as plain JSON values and handed to ``parsers.otlp``.
    arrayValue: Any = None
    kvlistValue: Any = None


class _KV(msgspec.Struct, gc=False):
    key: str
    value: _AnyValue | None = None


class _Status(msgspec.Struct, gc=False):
    code: int | str | None = None
    message: str | None = None


class _Event(msgspec.Struct):
    timeUnixNano: int | str | None = None
    name: str = ""
    attributes: list[_KV] | None = None


class _Link(msgspec.Struct):
    traceId: str
    spanId: str
    attributes: list[_KV] | None = None


class _Span(msgspec.Struct, gc=False):
    traceId: str
    spanId: str
    startTimeUnixNano: int | str
    parentSpanId: str | None = None
    name: str = ""
    kind: int | str | None = None
    endTimeUnixNano: int | str | None = None
    attributes: list[_KV] | None = None
    events: list[_Event] | None = None
    links: list[_Link] | None = None
    status: _Status | None = None


class _Scope(msgspec.Struct):
    name: str | None = None


class _ScopeSpans(msgspec.Struct):
    scope: _Scope | None = None
    instrumentationLibrary: _Scope | None = None
    # Each span is decoded on its own (``_SPAN_DECODER``) right before its ``Span`` is built:
    # the document's structs are then never all alive at once, only the input bytes and the
    # spans built so far (100,000 spans: 62 MB instead of 210 MB after decoding, and faster).
    spans: list[msgspec.Raw] | None = None


class _Resource(msgspec.Struct):
    attributes: list[_KV] | None = None


class _ResourceSpans(msgspec.Struct):
    resource: _Resource | None = None
    scopeSpans: list[_ScopeSpans] | None = None
    instrumentationLibrarySpans: list[_ScopeSpans] | None = None


class _Traces(msgspec.Struct):
    resourceSpans: list[_ResourceSpans] | None = None
    batches: list[_ResourceSpans] | None = None


class _Document(msgspec.Struct):
    resourceSpans: list[_ResourceSpans] | None = None
    batches: list[_ResourceSpans] | None = None
    trace: _Traces | None = None
    result: _Traces | None = None


_DECODER = msgspec.json.Decoder(_Document)
_SPAN_DECODER = msgspec.json.Decoder(_Span)


class _Unsupported(Exception):
    """Something the fast path leaves to ``parsers.otlp``."""


def _value(v: _AnyValue | None) -> AttrValue:
    if v is None:
        return None
    if v.stringValue is not None:
        s = v.stringValue
        return s if len(s) <= MAX_ATTR_STRING else clip_string(s)
    if v.intValue is not None:
        return int(v.intValue)
    if v.boolValue is not None:
        return v.boolValue
    if v.doubleValue is not None:
        return float(v.doubleValue)
    if v.bytesValue is not None:
        return v.bytesValue
    if v.arrayValue is not None:
        return any_value({"arrayValue": v.arrayValue})
    if v.kvlistValue is not None:
        return any_value({"kvlistValue": v.kvlistValue})
    return None


_SHARED_MAX = 16_384
"""Most distinct strings ``_Shared`` keeps (attribute keys, span names, short values)."""
_SHORT = 32
"""Attribute string values up to this length are shared too (``GET``, ``200``, a host)."""


class _Shared(dict[str, str]):
    """One object per distinct string among those repeated on every span (attribute keys,
    span names, short values): 100,000 spans carry a few dozen of them, and a separate copy
    on each span costs ~250 bytes per span. Bounded, so unique strings cost one lookup."""

    def add(self, text: str) -> str:
        """``text``, kept for later lookups while there is room. Callers look strings up
        with ``get`` inline and call this only for one not seen yet."""
        if len(self) < _SHARED_MAX:
            self[text] = text
        return text


def _attrs(items: list[_KV] | None) -> Attributes:
    if not items:
        return ()
    out: list[tuple[str, AttrValue]] = []
    for kv in items:
        v = kv.value
        if v is not None and (text := v.stringValue) is not None and len(text) <= MAX_ATTR_STRING:
            out.append((kv.key, text))
        else:
            out.append((kv.key, _value(v)))
    return tuple(out)


def _span_attrs(items: list[_KV], shared: _Shared) -> Attributes:
    """``_attrs`` for span attributes, one call per span: keys and short string values are
    shared, and the common value types are handled inline (no call per attribute: a
    100,000-span trace has ~300,000 of them)."""
    out: list[tuple[str, AttrValue]] = []
    append = out.append
    get = shared.get
    for kv in items:
        k = kv.key
        key = get(k)
        if key is None:
            key = shared.add(k)
        v = kv.value
        if v is None:
            append((key, None))
        elif (text := v.stringValue) is not None:
            if len(text) <= _SHORT:
                s = get(text)
                append((key, shared.add(text) if s is None else s))
            elif len(text) <= MAX_ATTR_STRING:
                append((key, text))
            else:
                append((key, clip_string(text)))
        elif (number := v.intValue) is not None:
            append((key, number if type(number) is int else int(number)))
        else:
            append((key, _value(v)))
    return tuple(out)


_LOWER_HEX16 = re.compile(r"[0-9a-f]{16}")


def _hex16(text: str) -> str:
    if _LOWER_HEX16.fullmatch(text) is not None:
        return text  # what bytes.fromhex(text).hex() gives, in one call
    if len(text) == 16:
        return bytes.fromhex(text).hex()
    if len(text) == 12:  # Tempo: base64 of the 8 raw bytes
        raw = base64.b64decode(text, validate=True)
        if len(raw) == 8:
            return raw.hex()
    raise _Unsupported(text)


def _nanos(value: int | str) -> int:
    return value if type(value) is int else int(value)


def _trace_id(text: str, cache: dict[str, str]) -> str:
    got = cache.get(text)
    if got is None:
        if len(text) == 32:
            got = bytes.fromhex(text).hex()
        elif len(text) == 24:  # Tempo: base64 of the 16 raw bytes
            raw = base64.b64decode(text, validate=True)
            if len(raw) != 16:
                raise _Unsupported(text)
            got = raw.hex()
        else:
            raise _Unsupported(text)
        cache[text] = got
    return got


def _events(raw: list[_Event], start: int) -> tuple[SpanEvent, ...]:
    return tuple(
        SpanEvent(
            start if e.timeUnixNano is None else _nanos(e.timeUnixNano),
            e.name,
            _attrs(e.attributes),
        )
        for e in raw
    )


def _spans(doc: _Document) -> list[Span]:
    groups = doc.resourceSpans or doc.batches
    if groups is None:
        wrapped = doc.trace or doc.result
        if wrapped is None:
            raise _Unsupported("no resourceSpans")
        groups = wrapped.resourceSpans or wrapped.batches or []
    out: list[Span] = []
    append = out.append
    trace_ids: dict[str, str] = {}
    shared = _Shared()
    shared_get = shared.get
    trace_id_get = trace_ids.get
    unset, child_of = StatusCode.UNSET, RefType.CHILD_OF
    unspecified = SpanKind.UNSPECIFIED
    kinds = OTLP_KINDS.get
    statuses = OTLP_STATUS.get
    hex16 = _LOWER_HEX16.fullmatch
    for rs in groups:
        resource = _attrs(rs.resource.attributes if rs.resource else None)
        service = service_of(resource)
        for ss in rs.scopeSpans or rs.instrumentationLibrarySpans or ():
            scope_obj = ss.scope or ss.instrumentationLibrary
            scope = scope_obj.name if scope_obj is not None and scope_obj.name else None
            raw_spans = ss.spans or []
            ss.spans = None
            decode_span = _SPAN_DECODER.decode
            for raw in raw_spans:
                sp = decode_span(raw)
                # _nanos and _hex16 inlined for their common cases (two calls each per span).
                start = sp.startTimeUnixNano
                if type(start) is not int:
                    start = int(start)
                end = sp.endTimeUnixNano
                if end is None:
                    end = start
                elif type(end) is not int:
                    end = int(end)
                if end < start:
                    raise _Unsupported("end before start")
                span_id = sp.spanId
                if hex16(span_id) is None:
                    span_id = _hex16(span_id)
                parent = sp.parentSpanId
                if parent:
                    if hex16(parent) is None:
                        parent = _hex16(parent)
                    if parent == "0000000000000000":
                        parent = None
                else:
                    parent = None
                status = sp.status
                if status is not None:
                    code = statuses(status.code, unset)
                    message = status.message or ""
                else:
                    code, message = unset, ""
                ref_type = child_of
                links: tuple[SpanLink, ...] = ()
                if sp.links:
                    ref_type, links = split_follows_from(
                        [
                            SpanLink(
                                _trace_id(ln.traceId, trace_ids),
                                _hex16(ln.spanId),
                                _attrs(ln.attributes),
                            )
                            for ln in sp.links
                        ],
                        parent=parent,
                        trace_id=_trace_id(sp.traceId, trace_ids),
                    )
                # Cache lookups inline (a call per span each otherwise).
                trace_id = trace_id_get(sp.traceId)
                if trace_id is None:
                    trace_id = _trace_id(sp.traceId, trace_ids)
                name = shared_get(sp.name)
                if name is None:
                    name = shared.add(sp.name)
                append(
                    make_span(
                        trace_id,
                        span_id,
                        parent,
                        name,
                        service,
                        kinds(sp.kind, unspecified),
                        start,
                        end,
                        code,
                        message,
                        _span_attrs(sp.attributes, shared) if sp.attributes else (),
                        resource,
                        _events(sp.events, start) if sp.events else (),
                        links,
                        ref_type,
                        scope,
                    )
                )
    return out


def parse_otlp_bytes(
    data: bytes,
    *,
    trace_id: str | None = None,
    from_backend: bool = False,
    what: str = "OTLP JSON",
) -> Trace | None:
    """Decode a well-formed OTLP/JSON trace from its bytes, or ``None`` to use the full decoder.

    Handles full-length hex IDs (OTLP files, Jaeger api_v3) and Tempo's base64 IDs. The result
    equals what ``parsers.otlp.parse_otlp_trace`` returns for the same document.
    """
    try:
        doc = _DECODER.decode(data)
        spans = _spans(doc)
    except (msgspec.DecodeError, _Unsupported, ValueError, TypeError, binascii.Error):
        return None
    if not spans:
        return None
    return finish_trace(spans, trace_id=trace_id, warnings=[], from_backend=from_backend, what=what)
