"""Benchmark: ``obsctl correlate`` against a slow trace backend.

A local server speaks Tempo's HTTP API (search, trace by ID in both API versions) and sleeps
100 ms before every answer. Search lists 50 candidate traces in the firing window; correlate
must fetch and analyse all 50 (``--limit 50``) in at most 1.5 s, which only bounded concurrent
fetching achieves: fetching one after the other takes at least 50 × 100 ms = 5 s.

Run: ``python bench/correlate.py`` (prints the time and the ratio to that sequential bound;
exits 1 when over budget).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DELAY = 0.100
CANDIDATES = 50
BUDGET = 1.5
RUNS = 3
MS = 1_000_000
NOW_NS = int(time.time() * 1e9)


def trace_id(n: int) -> str:
    return f"{n:032x}"


def b64(hex_id: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def resource_spans(n: int) -> list[dict[str, object]]:
    """Root (200 + n ms) with a database child taking most of it."""
    tid = trace_id(n)
    start = NOW_NS - 5 * 60 * 10**9 + n * 10**9
    root_ms = 200 + n

    def span(sid: int, parent: int | None, name: str, a: int, b: int) -> dict[str, object]:
        doc: dict[str, object] = {
            "traceId": b64(tid),
            "spanId": b64(f"{sid:016x}"),
            "name": name,
            "kind": "SPAN_KIND_SERVER" if parent is None else "SPAN_KIND_CLIENT",
            "startTimeUnixNano": str(start + a * MS),
            "endTimeUnixNano": str(start + b * MS),
            "status": {},
        }
        if parent is not None:
            doc["parentSpanId"] = b64(f"{parent:016x}")
        return doc

    def resource(service: str, spans: list[dict[str, object]]) -> dict[str, object]:
        return {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
            },
            "scopeSpans": [{"scope": {}, "spans": spans}],
        }

    return [
        resource("checkout", [span(1, None, "POST /checkout", 0, root_ms)]),
        resource("payments-db", [span(2, 1, "SELECT orders", 10, root_ms - 10)]),
    ]


class Server(ThreadingHTTPServer):
    """One thread per connection; a listen backlog large enough for a burst of connects
    (the default 5 drops SYNs, and the client's retry after 1 s would be timed as ours)."""

    daemon_threads = True
    request_queue_size = 256


class Handler(BaseHTTPRequestHandler):
    """Tempo's query API, 100 ms per answer, keep-alive connections."""

    protocol_version = "HTTP/1.1"

    requests = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with Handler.lock:
            Handler.requests += 1
        time.sleep(DELAY)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/search":
            incident = float(query.get("end", "0")) > time.time() - 600
            hits = [
                {
                    "traceID": trace_id(n).lstrip("0"),
                    "rootServiceName": "checkout",
                    "rootTraceName": "POST /checkout",
                    "startTimeUnixNano": str(NOW_NS),
                    "durationMs": 200 + n,
                }
                for n in range(1, CANDIDATES + 1)
            ]
            self._send(200, json.dumps({"traces": hits if incident else []}).encode())
            return
        for prefix, key in (("/api/v2/traces/", "v2"), ("/api/traces/", "v1")):
            if parts.path.startswith(prefix):
                n = int(parts.path[len(prefix) :], 16)
                rs = resource_spans(n)
                doc = {"trace": {"resourceSpans": rs}} if key == "v2" else {"batches": rs}
                self._send(200, json.dumps(doc).encode())
                return
        self._send(404, b"")


def run_once(url: str) -> tuple[float, dict[str, object]]:
    from obsctl.cli import app

    args = [
        "correlate",
        "HighCheckoutLatency",
        "--window",
        "now-10m..now",
        "--backend",
        "tempo",
        "--tempo-url",
        url,
        "--limit",
        str(CANDIDATES),
        "-o",
        "json",
    ]
    out = io.StringIO()
    err = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(args, prog_name="obsctl", standalone_mode=False)
        except SystemExit as exc:  # pragma: no cover - error path
            if exc.code:
                raise
    elapsed = time.perf_counter() - t0
    doc = json.loads(out.getvalue())
    return elapsed, doc


def main() -> int:
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        run_once(url)  # warm-up: imports, first connections
        times = []
        for _ in range(RUNS):
            before = Handler.requests
            elapsed, doc = run_once(url)
            times.append(elapsed)
            traces = doc["traces"]
            assert isinstance(traces, list)
            found = sum(1 for t in traces if t["found"])
            if found != CANDIDATES:
                print(f"error: only {found} of {CANDIDATES} traces fetched", file=sys.stderr)
                return 1
        requests = Handler.requests - before
    finally:
        server.shutdown()
    sequential = CANDIDATES * DELAY
    best, median = min(times), statistics.median(times)
    print(f"correlate, {CANDIDATES} candidate traces, {DELAY * 1000:.0f} ms per request")
    print(f"  requests per run:         {requests}")
    print(f"  wall time (median of {RUNS}): {median:.3f} s (best {best:.3f} s, budget {BUDGET} s)")
    print(f"  sequential lower bound:   {sequential:.3f} s ({CANDIDATES} x {DELAY * 1000:.0f} ms)")
    print(f"  ratio to sequential:      {median / sequential:.3f}")
    return 0 if median <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
