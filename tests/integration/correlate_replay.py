"""Local HTTP servers for the correlate integration tests.

* ``ExemplarTarget``: an OpenMetrics endpoint Prometheus scrapes: a latency histogram that is
  slow enough to fire the alert, with exemplars carrying trace IDs (several label spellings).
* ``TempoReplay``: Tempo's HTTP API in its exact wire format (``/api/search``,
  ``/api/traces/<id>`` v1 with base64 IDs and ``batches``, ``/api/v2/traces/<id>``), with
  Tempo's empty-body 404 for unknown traces. Search answers differ before/after a cut-over
  time, so a baseline window sees normal traces.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MS = 1_000_000


@dataclass(frozen=True)
class ReplaySpan:
    """One span: offsets in ms from the trace start."""

    span_id: int
    parent: int | None
    service: str
    name: str
    start_ms: int
    end_ms: int
    error: bool = False


@dataclass(frozen=True)
class ReplayTrace:
    """A trace to serve; ``start_ns`` is its absolute start."""

    trace_id: str
    start_ns: int
    spans: Sequence[ReplaySpan]

    @property
    def duration_ms(self) -> int:
        return max(s.end_ms for s in self.spans) - min(s.start_ms for s in self.spans)


def _b64(hex_id: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def tempo_resource_spans(trace: ReplayTrace) -> list[dict[str, object]]:
    """The trace as Tempo's protojson ResourceSpans (base64 IDs, enum names, string ints)."""
    by_service: dict[str, list[dict[str, object]]] = {}
    for s in trace.spans:
        span: dict[str, object] = {
            "traceId": _b64(trace.trace_id),
            "spanId": _b64(f"{s.span_id:016x}"),
            "name": s.name,
            "kind": "SPAN_KIND_SERVER" if s.parent is None else "SPAN_KIND_CLIENT",
            "startTimeUnixNano": str(trace.start_ns + s.start_ms * MS),
            "endTimeUnixNano": str(trace.start_ns + s.end_ms * MS),
            "status": {"code": "STATUS_CODE_ERROR"} if s.error else {},
        }
        if s.parent is not None:
            span["parentSpanId"] = _b64(f"{s.parent:016x}")
        by_service.setdefault(s.service, []).append(span)
    return [
        {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"scope": {"name": "replay"}, "spans": spans}],
        }
        for service, spans in by_service.items()
    ]


class _Threading(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops SYNs when many connections open at once


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _Threading(("127.0.0.1", 0), handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TempoReplay(_Server):
    """Tempo's query API over a fixed set of traces.

    Args:
        traces: every trace the server knows.
        incident_hits: trace IDs ``/api/search`` returns for windows ending after ``cutover``.
        baseline_hits: trace IDs returned for windows ending at or before ``cutover``.
        cutover: Unix seconds.
        missing: IDs that search lists but that cannot be fetched (404).
        delay: seconds to sleep before every answer.
    """

    def __init__(
        self,
        traces: Sequence[ReplayTrace],
        *,
        incident_hits: Sequence[str] = (),
        baseline_hits: Sequence[str] = (),
        cutover: float = 0.0,
        delay: float = 0.0,
    ) -> None:
        self.traces = {t.trace_id: t for t in traces}
        self.incident_hits = list(incident_hits)
        self.baseline_hits = list(baseline_hits)
        self.cutover = cutover
        self.delay = delay
        self.requests: list[str] = []
        self.lock = threading.Lock()
        super().__init__(_TempoHandler)

    def lookup(self, raw_id: str) -> ReplayTrace | None:
        wanted = raw_id.lower().rjust(32, "0")
        return self.traces.get(wanted)


class _TempoHandler(_Quiet):
    def do_GET(self) -> None:
        server: TempoReplay = self.server.owner  # type: ignore[attr-defined]
        with server.lock:
            server.requests.append(self.path)
        if server.delay:
            time.sleep(server.delay)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/search":
            end = float(query.get("end", "0"))
            ids = server.baseline_hits if end <= server.cutover else server.incident_hits
            hits = []
            for trace_id in ids:
                t = server.traces[trace_id]
                root = next(s for s in t.spans if s.parent is None)
                hits.append(
                    {
                        "traceID": trace_id.lstrip("0"),  # Tempo strips leading zeros
                        "rootServiceName": root.service,
                        "rootTraceName": root.name,
                        "startTimeUnixNano": str(t.start_ns),
                        "durationMs": t.duration_ms,
                    }
                )
            limit = int(query.get("limit", "20"))
            body = {"traces": hits[:limit], "metrics": {"inspectedTraces": len(hits)}}
            self._send(200, json.dumps(body).encode())
            return
        for prefix, wrap in (
            ("/api/v2/traces/", lambda rs: {"trace": {"resourceSpans": rs}}),
            ("/api/traces/", lambda rs: {"batches": rs}),
        ):
            if parts.path.startswith(prefix):
                t = server.lookup(parts.path[len(prefix) :])
                if t is None:
                    self._send(404, b"", "text/plain; charset=utf-8")  # Tempo: empty 404
                    return
                self._send(200, json.dumps(wrap(tempo_resource_spans(t))).encode())
                return
        if parts.path in ("/api/echo", "/ready"):
            self._send(200, b"echo", "text/plain")
            return
        self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")


def otlp_resource_spans(trace: ReplayTrace) -> list[dict[str, object]]:
    """The trace as OTLP/JSON (Jaeger api_v3): hex IDs, integer enums."""
    by_service: dict[str, list[dict[str, object]]] = {}
    for s in trace.spans:
        span: dict[str, object] = {
            "traceId": trace.trace_id,
            "spanId": f"{s.span_id:016x}",
            "name": s.name,
            "kind": 2 if s.parent is None else 3,
            "startTimeUnixNano": str(trace.start_ns + s.start_ms * MS),
            "endTimeUnixNano": str(trace.start_ns + s.end_ms * MS),
            "status": {"code": 2} if s.error else {},
        }
        if s.parent is not None:
            span["parentSpanId"] = f"{s.parent:016x}"
        by_service.setdefault(s.service, []).append(span)
    return [
        {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"scope": {}, "spans": spans}],
        }
        for service, spans in by_service.items()
    ]


class JaegerReplay(TempoReplay):
    """Jaeger's api_v3 (``/api/v3/traces``, ``/api/v3/traces/<id>``) over the same traces.

    Search returns every matching trace's spans concatenated in one ``result``; an unknown
    trace is a 404 with Jaeger's JSON error sent as ``text/plain``.
    """

    def __init__(self, traces: Sequence[ReplayTrace], **kwargs: object) -> None:
        super().__init__(traces, **kwargs)  # type: ignore[arg-type]
        self.httpd.RequestHandlerClass = _JaegerHandler


class _JaegerHandler(_Quiet):
    def do_GET(self) -> None:
        server: JaegerReplay = self.server.owner  # type: ignore[attr-defined]
        with server.lock:
            server.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/v3/traces":
            until = query.get("query.start_time_max", "")
            end = datetime.fromisoformat(until[:26].rstrip("Z") + "+00:00").timestamp()
            ids = server.baseline_hits if end <= server.cutover else server.incident_hits
            spans = [rs for i in ids for rs in otlp_resource_spans(server.traces[i])]
            if not spans:
                error = {"error": {"httpCode": 404, "message": "No traces found"}}
                self._send(404, json.dumps(error).encode(), "text/plain; charset=utf-8")
                return
            self._send(200, json.dumps({"result": {"resourceSpans": spans}}).encode())
            return
        if parts.path.startswith("/api/v3/traces/"):
            t = server.lookup(parts.path[len("/api/v3/traces/") :])
            if t is None:
                error = {"error": {"httpCode": 404, "message": "trace not found"}}
                self._send(404, json.dumps(error).encode(), "text/plain; charset=utf-8")
                return
            self._send(
                200, json.dumps({"result": {"resourceSpans": otlp_resource_spans(t)}}).encode()
            )
            return
        self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")


class ExemplarTarget(_Server):
    """An OpenMetrics endpoint: ``checkout_duration_seconds`` with exemplars.

    Observations grow by ``rate`` per second since start-up; 90% of them are slower than
    0.5 s, so ``histogram_quantile(0.99, …)`` is well above 0.4 s.
    """

    def __init__(self, exemplars: dict[str, str], rate: float = 10.0) -> None:
        self.exemplars = exemplars  # le → exemplar text ('{trace_id="…"} 1.2')
        self.rate = rate
        self.started = time.monotonic()
        self.scrapes = 0
        super().__init__(_MetricsHandler)

    def exposition(self) -> str:
        n = int(self.rate * (time.monotonic() - self.started)) + 10
        shares = {"0.1": 0.0, "0.25": 0.0, "0.5": 0.1, "1.0": 0.4, "2.5": 0.9, "+Inf": 1.0}
        lines = ["# TYPE checkout_duration_seconds histogram"]
        for le, share in shares.items():
            line = (
                f'checkout_duration_seconds_bucket{{service="checkout",le="{le}"}} {int(n * share)}'
            )
            if le in self.exemplars:
                line += f" # {self.exemplars[le]}"
            lines.append(line)
        lines.append(f'checkout_duration_seconds_sum{{service="checkout"}} {n * 1.1:.3f}')
        lines.append(f'checkout_duration_seconds_count{{service="checkout"}} {n}')
        lines.append("# EOF")
        return "\n".join(lines) + "\n"


class _MetricsHandler(_Quiet):
    def do_GET(self) -> None:
        target: ExemplarTarget = self.server.owner  # type: ignore[attr-defined]
        target.scrapes += 1
        self._send(
            200,
            target.exposition().encode(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
