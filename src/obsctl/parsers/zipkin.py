"""Zipkin v2 JSON (a list of spans; a search answers a list of such lists) → ``Trace``.

Times are microseconds. B3 "shared" spans (the client and server halves of one RPC reported
with the **same** span ID, the server half flagged ``shared: true``) become two spans: the
server half keeps the ID, is marked ``shared`` and names the client half (same ID) as its
parent. Children of that ID are resolved to the half on their own service by the analysis.
Fragments of one span reported separately (same ID and ``shared`` flag) are merged, as
zipkin-lens does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from obsctl.errors import ParseError
from obsctl.model.traces import AttrValue, Span, SpanEvent, SpanKind, StatusCode, Trace
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

_KINDS = {
    "CLIENT": SpanKind.CLIENT,
    "SERVER": SpanKind.SERVER,
    "PRODUCER": SpanKind.PRODUCER,
    "CONSUMER": SpanKind.CONSUMER,
}
_STATUS = {"ERROR": StatusCode.ERROR, "OK": StatusCode.OK, "UNSET": StatusCode.UNSET}
_DERIVED = frozenset(
    {
        "otel.status_code",
        "otel.scope.name",
        "otel.scope.version",
        "otel.library.name",
        "otel.library.version",
    }
)


def _merge(a: dict[str, Any], b: Mapping[str, Any]) -> None:
    """Merge fragment ``b`` into ``a`` (same span ID and shared flag)."""
    for key in ("name", "kind", "parentId", "localEndpoint", "remoteEndpoint"):
        if not a.get(key) and b.get(key):
            a[key] = b[key]
    ts_a, ts_b = a.get("timestamp"), b.get("timestamp")
    if ts_b is not None:
        end_a = (ts_a or 0) + (a.get("duration") or 0) if ts_a is not None else None
        end_b = ts_b + (b.get("duration") or 0)
        start = min(ts_a, ts_b) if ts_a is not None else ts_b
        end = max(end_a, end_b) if end_a is not None else end_b
        a["timestamp"], a["duration"] = start, end - start
    a["tags"] = {**(a.get("tags") or {}), **(b.get("tags") or {})}
    a["annotations"] = [*(a.get("annotations") or []), *(b.get("annotations") or [])]


def _normalise(raw_spans: list[Any], *, from_backend: bool, what: str) -> list[dict[str, Any]]:
    merged: dict[tuple[str, bool, bool], dict[str, Any]] = {}
    order: list[tuple[str, bool, bool]] = []
    for k, raw in enumerate(raw_spans):
        where = f"[{k}]"
        if not isinstance(raw, Mapping):
            raise fail(f"span {where} is not an object", from_backend=from_backend, what=what)
        if "traceId" not in raw or "id" not in raw:
            raise fail(f"span {where}: traceId or id missing", from_backend=from_backend, what=what)
        tid = trace_id_of(raw["traceId"], from_backend=from_backend, what=what, where=where)
        sid = span_id_of(raw["id"], from_backend=from_backend, what=what, where=where)
        # A SERVER half without the shared flag (old instrumentation) is not a fragment of
        # the CLIENT half with the same ID: keep them apart, the flag is back-filled below.
        key = (f"{tid}:{sid}", bool(raw.get("shared")), raw.get("kind") == "SERVER")
        if key in merged:
            _merge(merged[key], raw)
        else:
            merged[key] = {**raw, "_tid": tid, "_sid": sid, "_where": where}
            order.append(key)
    # Back-fill "shared" when a CLIENT and a SERVER carry the same ID (old instrumentation).
    by_id: dict[str, list[dict[str, Any]]] = {}
    for key in order:
        by_id.setdefault(key[0], []).append(merged[key])
    for group in by_id.values():
        if len(group) == 2 and not any(g.get("shared") for g in group):
            kinds = {g.get("kind") for g in group}
            if kinds == {"CLIENT", "SERVER"}:
                next(g for g in group if g.get("kind") == "SERVER")["shared"] = True
    return [merged[key] for key in order]


def _to_span(
    raw: Mapping[str, Any],
    has_client_half: bool,
    warnings: list[str],
    from_backend: bool,
    what: str,
) -> Span:
    where = raw["_where"]
    kw: dict[str, Any] = {"from_backend": from_backend, "what": what, "where": where}
    span_id: str = raw["_sid"]
    shared = bool(raw.get("shared"))
    parent = optional_span_id(raw.get("parentId"), **kw)
    if shared and has_client_half:
        parent = span_id
    ts = raw.get("timestamp")
    start_us = int_of(ts, **kw) if ts is not None else -1
    dur_us = int_of(raw.get("duration") or 0, **kw)
    endpoint = raw.get("localEndpoint") or {}
    service = str(endpoint.get("serviceName") or "unknown")
    resource: list[tuple[str, AttrValue]] = [("service.name", service)]
    for field, attr in (("ipv4", "host.ip"), ("ipv6", "host.ip")):
        if endpoint.get(field) and all(k != attr for k, _ in resource):
            resource.append((attr, str(endpoint[field])))
    tags = raw.get("tags") or {}
    if not isinstance(tags, Mapping):
        raise TypeError("tags is not an object")
    code = StatusCode.UNSET
    message = ""
    scope: str | None = None
    attrs: list[tuple[str, AttrValue]] = []
    if "otel.status_code" in tags:
        code = _STATUS.get(str(tags["otel.status_code"]).upper(), StatusCode.UNSET)
        if "error" in tags:
            message = str(tags["error"])
    elif "error" in tags:
        # Zipkin: the tag's presence marks an error, whatever its value (even empty).
        code = StatusCode.ERROR
        message = str(tags["error"])
    for key, value in tags.items():
        if key in ("otel.scope.name", "otel.library.name"):
            scope = str(value)
        elif key in _DERIVED or key == "error":
            continue
        else:
            attrs.append((str(key), clip_string(str(value))))
    events = tuple(
        SpanEvent(time_ns=int_of(a.get("timestamp", 0), **kw) * 1000, name=str(a.get("value", "")))
        for a in raw.get("annotations") or ()
    )
    remote = raw.get("remoteEndpoint") or {}
    if remote.get("serviceName"):
        attrs.append(("peer.service", str(remote["serviceName"])))
    return Span(
        trace_id=raw["_tid"],
        span_id=span_id,
        parent_span_id=parent,
        name=str(raw.get("name") or ""),
        service=service,
        kind=_KINDS.get(str(raw.get("kind") or "").upper(), SpanKind.INTERNAL),
        start_ns=start_us * 1000,
        end_ns=(start_us + dur_us) * 1000,
        status_code=code,
        status_message=message,
        attributes=tuple(attrs),
        resource=tuple(resource),
        events=events,
        scope=scope,
        shared=shared,
    )


def _spans_of(raw_spans: object, *, from_backend: bool, what: str) -> tuple[list[Span], list[str]]:
    if not isinstance(raw_spans, list):
        raise fail("expected a JSON list of spans", from_backend=from_backend, what=what)
    check_size(len(raw_spans), from_backend=from_backend, what=what)
    norm = _normalise(raw_spans, from_backend=from_backend, what=what)
    client_ids = {r["_tid"] + r["_sid"] for r in norm if not r.get("shared")}
    warnings: list[str] = []
    spans: list[Span] = []
    for raw in norm:
        try:
            spans.append(
                _to_span(raw, raw["_tid"] + raw["_sid"] in client_ids, warnings, from_backend, what)
            )
        except ParseError:
            raise
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            raise malformed(
                f"span {raw['_where']}", exc, from_backend=from_backend, what=what
            ) from None
    return _fill_missing_starts(spans, warnings), warnings


def _fill_missing_starts(spans: list[Span], warnings: list[str]) -> list[Span]:
    """Spans without a timestamp take their parent's start (zipkin-lens does the same)."""
    missing = [s for s in spans if s.start_ns < 0]
    if not missing:
        return spans
    known = {s.span_id: s.start_ns for s in spans if s.start_ns >= 0}
    fallback = min(known.values(), default=0)
    warnings.append(f"{len(missing)} span(s) without a timestamp placed at their parent's start")
    out = []
    for s in spans:
        if s.start_ns < 0:
            start = known.get(s.parent_span_id or "", fallback)
            out.append(replace(s, start_ns=start, end_ns=start + s.end_ns - s.start_ns))
        else:
            out.append(s)
    return out


def parse_zipkin_trace(
    doc: object,
    *,
    trace_id: str | None = None,
    from_backend: bool = False,
    what: str = "Zipkin v2 JSON",
) -> Trace:
    """Decode one trace from a Zipkin v2 span list.

    Raises:
        ParseError: not a list of Zipkin spans, a malformed span, or no spans.
    """
    spans, warnings = _spans_of(doc, from_backend=from_backend, what=what)
    return finish_trace(
        spans, trace_id=trace_id, warnings=warnings, from_backend=from_backend, what=what
    )


def parse_zipkin_traces(
    doc: object, *, from_backend: bool = True, what: str = "Zipkin search"
) -> list[Trace]:
    """Decode a Zipkin search response: a list of traces, each a list of spans."""
    if not isinstance(doc, list):
        raise fail("expected a JSON list of traces", from_backend=from_backend, what=what)
    return finish_traces(
        (
            _spans_of(raw, from_backend=from_backend, what=f"{what} trace [{i}]")
            for i, raw in enumerate(doc)
        ),
        from_backend=from_backend,
        what=what,
    )
