"""Write the trace fixtures: one logical trace in every wire format obsctl reads.

The encodings follow each server's documented output (see docs/trace.md): Tempo's gogo/jsonpb
(base64 IDs, enum names, 64-bit integers as strings), OTLP/JSON (hex IDs, integer enums),
Jaeger api_v3 (OTLP/JSON in ``result``), Jaeger v1 (µs, typed tags, processes, OTel fields
folded into tags) and Zipkin v2 (µs, string tags). Run from the repository root:

    python scripts/trace_fixtures.py
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
T0 = 1_764_064_800_000_000_000  # 2025-11-25T10:00:00Z, in ns
MS = 1_000_000

# span_id, parent, service, name, kind, start_ms, dur_ms, attrs, status(code, msg), events, scope
SPANS = [
    (
        "00f067aa0ba902b7",
        None,
        "frontend",
        "GET /checkout",
        "SERVER",
        0,
        120,
        [("http.method", "GET"), ("http.route", "/checkout")],
        ("UNSET", ""),
        [],
        "checkout-instr",
    ),
    (
        "1111111111111111",
        "00f067aa0ba902b7",
        "frontend",
        "POST /charge",
        "CLIENT",
        10,
        80,
        [("http.method", "POST")],
        ("UNSET", ""),
        [],
        "checkout-instr",
    ),
    (
        "2222222222222222",
        "1111111111111111",
        "payment",
        "POST /charge",
        "SERVER",
        12,
        75,
        [("http.method", "POST")],
        ("ERROR", "card declined"),
        [("exception", 80)],
        None,
    ),
    (
        "3333333333333333",
        "2222222222222222",
        "payment",
        "db.query",
        "INTERNAL",
        15,
        50,
        [("db.system", "postgresql")],
        ("UNSET", ""),
        [],
        None,
    ),
    (
        "4444444444444444",
        "00f067aa0ba902b7",
        "frontend",
        "render",
        "INTERNAL",
        95,
        20,
        [],
        ("OK", ""),
        [],
        "checkout-instr",
    ),
]
KIND_INT = {"INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
STATUS_INT = {"UNSET": 0, "OK": 1, "ERROR": 2}


def b64(hexid: str) -> str:
    return base64.b64encode(bytes.fromhex(hexid)).decode()


def otlp(tempo: bool, legacy: bool = False) -> list[dict]:
    """resourceSpans; ``tempo`` → gogo/jsonpb encoding (base64 IDs, enum names)."""
    by_service: dict[str, dict[str | None, list[dict]]] = {}
    for sid, parent, svc, name, kind, start, dur, attrs, (code, msg), events, scope in SPANS:
        span: dict = {
            "traceId": b64(TRACE_ID) if tempo else TRACE_ID,
            "spanId": b64(sid) if tempo else sid,
        }
        if parent:
            span["parentSpanId"] = b64(parent) if tempo else parent
        span["name"] = name
        span["kind"] = f"SPAN_KIND_{kind}" if tempo else KIND_INT[kind]
        span["startTimeUnixNano"] = str(T0 + start * MS)
        span["endTimeUnixNano"] = str(T0 + (start + dur) * MS)
        if attrs:
            span["attributes"] = [{"key": k, "value": {"stringValue": v}} for k, v in attrs]
        if events:
            span["events"] = [{"timeUnixNano": str(T0 + t * MS), "name": n} for n, t in events]
        status: dict = {}
        if code != "UNSET":
            status["code"] = f"STATUS_CODE_{code}" if tempo else STATUS_INT[code]
        if msg:
            status["message"] = msg
        span["status"] = status
        by_service.setdefault(svc, {}).setdefault(scope, []).append(span)
    out = []
    for svc, scopes in by_service.items():
        scope_key = "instrumentationLibrarySpans" if legacy else "scopeSpans"
        scope_obj_key = "instrumentationLibrary" if legacy else "scope"
        out.append(
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": svc}}]
                },
                scope_key: [
                    {scope_obj_key: ({"name": sc} if sc else {}), "spans": spans}
                    for sc, spans in scopes.items()
                ],
            }
        )
    return out


def jaeger_v1() -> dict:
    procs: dict[str, str] = {}
    spans = []
    for sid, parent, svc, name, kind, start, dur, attrs, (code, msg), events, scope in SPANS:
        pid = procs.setdefault(svc, f"p{len(procs) + 1}")
        tags = [{"key": "span.kind", "type": "string", "value": kind.lower()}]
        if scope:
            tags.append({"key": "otel.scope.name", "type": "string", "value": scope})
        tags += [{"key": k, "type": "string", "value": v} for k, v in attrs]
        if code != "UNSET":
            tags.append({"key": "otel.status_code", "type": "string", "value": code})
        if code == "ERROR":
            tags.append({"key": "error", "type": "bool", "value": True})
        if msg:
            tags.append({"key": "otel.status_description", "type": "string", "value": msg})
        spans.append(
            {
                "traceID": TRACE_ID,
                "spanID": sid,
                "operationName": name,
                "references": (
                    [{"refType": "CHILD_OF", "traceID": TRACE_ID, "spanID": parent}]
                    if parent
                    else []
                ),
                "startTime": (T0 + start * MS) // 1000,
                "duration": dur * 1000,
                "tags": tags,
                "logs": [
                    {
                        "timestamp": (T0 + t * MS) // 1000,
                        "fields": [{"key": "event", "type": "string", "value": n}],
                    }
                    for n, t in events
                ],
                "processID": pid,
                "warnings": None,
            }
        )
    return {
        "data": [
            {
                "traceID": TRACE_ID,
                "spans": spans,
                "processes": {p: {"serviceName": s, "tags": []} for s, p in procs.items()},
                "warnings": None,
            }
        ],
        "total": 0,
        "limit": 0,
        "offset": 0,
        "errors": None,
    }


def zipkin() -> list[dict]:
    out = []
    for sid, parent, svc, name, kind, start, dur, attrs, (code, msg), events, scope in SPANS:
        span: dict = {"traceId": TRACE_ID, "id": sid}
        if parent:
            span["parentId"] = parent
        if kind != "INTERNAL":
            span["kind"] = kind
        span["name"] = name.lower()
        span["timestamp"] = (T0 + start * MS) // 1000
        span["duration"] = dur * 1000
        span["localEndpoint"] = {"serviceName": svc}
        if events:
            span["annotations"] = [
                {"timestamp": (T0 + t * MS) // 1000, "value": n} for n, t in events
            ]
        tags = dict(attrs)
        if scope:
            tags["otel.scope.name"] = scope
        if code != "UNSET":
            tags["otel.status_code"] = code
        if code == "ERROR":
            tags["error"] = msg
        if tags:
            span["tags"] = tags
        out.append(span)
    return out


def write(path: str, doc: object) -> None:
    target = OUT / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    write(
        "tempo/v2/checkout.json",
        {"trace": {"resourceSpans": otlp(tempo=True)}, "metrics": {"inspectedBytes": "2048"}},
    )
    write("tempo/v1/checkout.json", {"batches": otlp(tempo=True)})
    write("tempo/v1/checkout_legacy_ils.json", {"batches": otlp(tempo=True, legacy=True)})
    write("otlp/checkout.json", {"resourceSpans": otlp(tempo=False)})
    write("jaeger/v3/checkout.json", {"result": {"resourceSpans": otlp(tempo=False)}})
    write("jaeger/v1/checkout.json", jaeger_v1())
    write("zipkin/v2/checkout.json", zipkin())


if __name__ == "__main__":
    main()
