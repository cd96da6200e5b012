"""``obsctl trace`` end to end against local servers replaying each backend's exact wire format.

Tempo, Jaeger and Zipkin cannot run here; a ``http.server`` on 127.0.0.1 answers with their
recorded payloads, status codes, content types and error bodies (Tempo's empty 404, Go's
"404 page not found" on old servers, Jaeger's JSON-in-text/plain errors, Zipkin's text 404).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from obsctl.exit_codes import ExitCode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"
UNKNOWN = "0" * 31 + "1"
Reply = tuple[int, str, bytes]
GO_404: Reply = (404, "text/plain; charset=utf-8", b"404 page not found\n")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@contextmanager
def replay(routes: dict[str, Reply]) -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    """Serve ``routes`` (path without query → reply) on a free loopback port."""
    seen: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            status, ctype, body = routes.get(path, GO_404)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_tempo_v2_with_tenant(cli, tmp_path):
    routes = {
        f"/api/v2/traces/{TID}": (200, "application/json", fixture("tempo/v2/checkout.json")),
        f"/api/v2/traces/{UNKNOWN}": (404, "text/plain; charset=utf-8", b""),
    }
    with replay(routes) as (url, seen):
        config = tmp_path / "obsctl.yaml"
        config.write_text(
            f"current-context: t\ncontexts:\n  t:\n    tempo: {{url: {url}, tenant: team-a}}\n"
        )
        res = cli("trace", TID, "-o", "json", "--config", str(config))
        assert res.exit_code == ExitCode.OK, res.output
        doc = json.loads(res.stdout)
        assert (doc["span_count"], doc["error_count"], doc["api"]) == (5, 1, "/api/v2/traces")
        path, headers = seen[-1]
        assert path == f"/api/v2/traces/{TID}"
        assert headers["x-scope-orgid"] == "team-a"
        assert headers["accept"] == "application/json"
        res = cli("trace", "1", "--config", str(config))
        assert res.exit_code == ExitCode.NOT_FOUND, res.output
        assert f"trace {UNKNOWN} not found in Tempo" in res.stderr
        assert "(tenant team-a)" in res.stderr


def test_old_tempo_falls_back_to_v1(cli):
    routes = {f"/api/traces/{TID}": (200, "application/json", fixture("tempo/v1/checkout.json"))}
    with replay(routes) as (url, seen):
        res = cli("trace", TID, "--tempo-url", url, env={"COLUMNS": "80"})
    assert res.exit_code == ExitCode.OK, res.output
    assert [p for p, _ in seen] == [f"/api/v2/traces/{TID}", f"/api/traces/{TID}"]
    assert "from tempo (/api/traces)" in res.stdout
    assert "✗ payment POST /charge" in res.stdout


def test_jaeger_v1_only_server_and_not_found(cli):
    not_found = json.dumps(
        {
            "data": None,
            "total": 0,
            "limit": 0,
            "offset": 0,
            "errors": [{"code": 404, "msg": "trace not found"}],
        }
    ).encode()
    routes = {
        f"/api/traces/{TID}": (200, "application/json", fixture("jaeger/v1/checkout.json")),
        f"/api/traces/{UNKNOWN}": (404, "text/plain; charset=utf-8", not_found),
    }
    with replay(routes) as (url, _seen):
        res = cli("trace", TID, "--jaeger-url", url, "-o", "ndjson")
        assert res.exit_code == ExitCode.OK, res.output
        assert len(res.stdout.splitlines()) == 5
        res = cli("trace", UNKNOWN, "--jaeger-url", url)
        assert res.exit_code == ExitCode.NOT_FOUND, res.output
        assert "not found in Jaeger" in res.stderr


def test_jaeger_v2_api_v3(cli):
    err = b'{"error":{"httpCode":404,"message":"trace not found"}}'
    routes = {
        f"/api/v3/traces/{TID}": (200, "application/json", fixture("jaeger/v3/checkout.json")),
        f"/api/v3/traces/{UNKNOWN}": (404, "text/plain; charset=utf-8", err),
    }
    with replay(routes) as (url, seen):
        res = cli("trace", TID, "--jaeger-url", url, "--span", "2222222222222222")
        assert res.exit_code == ExitCode.OK, res.output
        assert "status    ERROR: card declined" in res.stdout
        res = cli("trace", UNKNOWN, "--jaeger-url", url)
        assert res.exit_code == ExitCode.NOT_FOUND
        assert [p for p, _ in seen] == [f"/api/v3/traces/{TID}", f"/api/v3/traces/{UNKNOWN}"]


def test_zipkin_and_truncated_payload(cli):
    body = fixture("zipkin/v2/checkout.json")
    routes = {
        f"/api/v2/trace/{TID}": (200, "application/json", body),
        # A 64-bit ID goes to Zipkin as 16 hex chars.
        f"/api/v2/trace/{UNKNOWN[16:]}": (200, "application/json", body[: len(body) // 2]),
    }
    with replay(routes) as (url, _seen):
        res = cli("trace", TID, "--zipkin-url", url, "--raw")
        assert res.exit_code == ExitCode.OK, res.output
        assert res.stdout.encode() == body
        res = cli("trace", UNKNOWN, "--zipkin-url", url)
        assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
        assert "Zipkin sent non-JSON" in res.stderr


def test_zipkin_text_404(cli):
    with replay({}) as (url, _seen):
        res = cli("trace", TID, "--backend", "zipkin", "--zipkin-url", url)
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    assert f"trace {TID} not found in Zipkin" in res.stderr
