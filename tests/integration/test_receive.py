"""`obsctl receive` end to end: the real OpenTelemetry SDK exports into a receiver process."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from obsctl.store import StoreReader
from tests.integration.otel_export import export_checkout
from tests.integration.receiver import receiving, start_receiver, stop_receiver


def post(
    url: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    host = url.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_sdk_export_lands_in_the_store(tmp_path: Path) -> None:
    with receiving(tmp_path) as rcv:
        sent = export_checkout(rcv.url)
        reader = StoreReader(rcv.store)
        trace = reader.trace(sent.trace_id)
        assert trace is not None
        by_name = {s.name: s for s in trace.spans}
        assert set(by_name) == {"GET /checkout", "call payments", "POST /pay", "SELECT accounts"}
        assert by_name["GET /checkout"].parent_span_id is None
        assert by_name["GET /checkout"].service == "frontend"
        assert by_name["POST /pay"].service == "payments"
        assert by_name["POST /pay"].parent_span_id == by_name["call payments"].span_id
        assert by_name["POST /pay"].links[0].trace_id == sent.linked_trace_id
        db = by_name["SELECT accounts"]
        assert db.status_code == "error" and db.status_message == "deadlock detected"
        assert db.events[0].name == "retry" and ("attempt", 2) in db.events[0].attributes
        assert ("deployment.environment", "test") in db.resource
        logs = reader.logs_for_trace(sent.trace_id)
        assert [(r.severity, r.body) for r in logs] == [
            ("INFO", "charging card"),
            ("ERROR", "database deadlock, giving up"),
        ]
        assert logs[1].span_id == sent.db_span_id and logs[1].service == "payments"
        assert reader.trace(sent.linked_trace_id) is not None
        stats = reader.stats()
        assert (stats.spans, stats.traces, stats.logs) == (5, 2, 2)
    # The last progress line, on the way out.
    assert "obsctl: receive: 5 spans" in rcv.stderr() and "2 logs" in rcv.stderr()


def _trace_json(trace_id: str, name: str = "GET /health") -> bytes:
    doc = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "demo"}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "manual"},
                        "spans": [
                            {
                                "traceId": trace_id,
                                "spanId": "b7ad6b7169203331",
                                "name": name,
                                "kind": 2,
                                "startTimeUnixNano": "1700000000000000000",
                                "endTimeUnixNano": "1700000000250000000",
                                "status": {"code": 2, "message": "boom"},
                                "someFutureField": {"x": 1},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    return json.dumps(doc).encode()


def test_json_gzip_and_bad_input(tmp_path: Path) -> None:
    with receiving(tmp_path, "--max-body", "1MiB") as rcv:
        tid = "0af7651916cd43dd8448eb211c80319c"
        # OTLP/JSON (hex IDs, unknown field) with gzip: 200 with a JSON response body.
        status, headers, body = post(
            rcv.url,
            "/v1/traces",
            gzip.compress(_trace_json(tid)),
            {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip"},
        )
        assert status == 200, body
        assert headers["content-type"] == "application/json" and json.loads(body) == {}
        span = StoreReader(rcv.store).trace(tid).spans[0]  # type: ignore[union-attr]
        assert (span.span_id, span.service, span.status_message) == (
            "b7ad6b7169203331",
            "demo",
            "boom",
        )

        # Garbage protobuf: 400 with a google.rpc.Status body, and one stderr line.
        status, _, body = post(
            rcv.url,
            "/v1/traces",
            b"\xff\xff\xff\xff garbage",
            {"Content-Type": "application/x-protobuf"},
        )
        assert status == 400 and body.startswith(b"\x08\x03\x12")
        # Truncated JSON.
        status, _, body = post(
            rcv.url, "/v1/logs", b'{"resourceLogs": [', {"Content-Type": "application/json"}
        )
        assert status == 400 and json.loads(body)["code"] == 3
        # Wrong content type.
        status, _, _ = post(rcv.url, "/v1/traces", b"x", {"Content-Type": "text/plain"})
        assert status == 415
        # Over the limit, by Content-Length and by decompression (a gzip bomb).
        status, _, _ = post(
            rcv.url, "/v1/traces", b"\0" * (2 << 20), {"Content-Type": "application/x-protobuf"}
        )
        assert status == 413
        bomb = gzip.compress(b"\0" * (50 << 20))
        status, _, _ = post(
            rcv.url,
            "/v1/traces",
            bomb,
            {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
        )
        assert status == 413
        # Wrong-length trace ID: the whole request is refused.
        status, _, _ = post(
            rcv.url, "/v1/traces", _trace_json("abcd"), {"Content-Type": "application/json"}
        )
        assert status == 400
        # Still serving.
        status, _, _ = post(rcv.url, "/v1/traces", b"", {"Content-Type": "application/x-protobuf"})
        assert status == 200
        err = rcv.stderr()
        assert "400" in err and "413" in err and "Traceback" not in err
    assert rcv.proc.returncode == 0


def test_kill_9_after_acknowledged_exports_loses_nothing(tmp_path: Path) -> None:
    rcv = start_receiver(tmp_path)
    acked: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(25):
            tid = os.urandom(16).hex()
            status, _, _ = post(
                rcv.url,
                "/v1/traces",
                _trace_json(tid, f"op-{n}-{i}"),
                {"Content-Type": "application/json"},
            )
            if status == 200:
                with lock:
                    acked.append(tid)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rcv.proc.send_signal(signal.SIGKILL)
    rcv.proc.wait()
    assert len(acked) == 100
    reader = StoreReader(rcv.store)
    missing = [tid for tid in acked if reader.trace(tid) is None]
    assert missing == []


def test_sigterm_and_sigint_stop_cleanly(tmp_path: Path) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        workdir = tmp_path / sig.name
        workdir.mkdir()
        rcv = start_receiver(workdir)
        export_checkout(rcv.url)
        assert stop_receiver(rcv, sig) == 0
        lines = rcv.stderr().splitlines()
        assert "obsctl: receive: stopping (flushing the store)" in lines
        # The last report counts what was stored and the store's real size (not "0 B").
        assert re.fullmatch(
            r"obsctl: receive: [1-9]\d* spans .*, store [1-9][\d.]* [KM]iB", lines[-1]
        )


@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999"])
def test_bad_listen_is_a_usage_error(cli, listen: str) -> None:  # type: ignore[no-untyped-def]
    res = cli("receive", "--listen", listen)
    assert res.exit_code == 2, res.output
    assert "--listen" in res.stderr


def test_trace_and_search_through_the_local_backend(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with receiving(tmp_path) as rcv:
        sent = export_checkout(rcv.url)
        monkeypatch.setenv("OBSCTL_STORE", str(rcv.store))

        res = cli("trace", sent.trace_id, "--backend", "local", "-o", "json")
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["source"] == "local" and doc["span_count"] == 4
        assert doc["root_name"] == "GET /checkout" and doc["root_service"] == "frontend"
        db = next(s for s in doc["spans"] if s["name"] == "SELECT accounts")
        assert db["error"] and db["status"]["message"] == "deadlock detected"
        assert db["events"][0]["name"] == "retry"
        pay = next(s for s in doc["spans"] if s["name"] == "POST /pay")
        assert pay["links"][0]["trace_id"] == sent.linked_trace_id
        assert [(lg["severity"], lg["body"], lg["service"]) for lg in doc["logs"]] == [
            ("INFO", "charging card", "payments"),
            ("ERROR", "database deadlock, giving up", "payments"),
        ]
        assert doc["logs"][1]["span_id"] == sent.db_span_id
        assert doc["logs"][1]["attributes"] == {"db.system": "postgresql"}

        # Text: each log line sits under its span.
        res = cli("trace", sent.trace_id, "--backend", "local")
        assert res.exit_code == 0, res.output
        lines = res.stdout.splitlines()
        at = next(i for i, ln in enumerate(lines) if "SELECT accounts" in ln)
        assert "ERROR database deadlock, giving up" in lines[at + 1]
        assert "↳" in lines[at + 1]

        # With no trace backend configured and a store present, local is the default.
        res = cli("trace", sent.trace_id, "-o", "json")
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["source"] == "local"

        res = cli(
            "trace",
            "search",
            "--backend",
            "local",
            "--service",
            "payments",
            "--operation",
            "SELECT accounts",
            "--tag",
            "attempt=2",
            "-o",
            "json",
        )
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["traces"] == []  # the tag is on an event, not the span
        res = cli(
            "trace",
            "search",
            "--backend",
            "local",
            "--service",
            "payments",
            "--tag",
            "http.route=/pay",
            "--min-duration",
            "1us",
            "-o",
            "json",
        )
        assert res.exit_code == 0, res.output
        found = json.loads(res.stdout)["traces"]
        assert [t["trace_id"] for t in found] == [sent.trace_id]
        assert found[0]["span_count"] == 4 and found[0]["error_count"] == 1

        res = cli("trace", "0" * 31 + "1", "--backend", "local")
        assert res.exit_code == 5, res.output
        assert "not found in the local store" in res.stderr


def test_local_backend_without_a_store_says_how_to_get_one(
    tmp_path: Path, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OBSCTL_STORE", str(tmp_path / "nothing.sqlite"))
    res = cli("trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--backend", "local")
    assert res.exit_code == 3, res.output
    assert "no obsctl store" in res.stderr and "obsctl receive" in res.stderr


def test_doctor_reports_the_store(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with receiving(tmp_path) as rcv:
        export_checkout(rcv.url)
        res = cli("doctor", "--store", str(rcv.store), "-o", "json")
    doc = json.loads(res.stdout)
    local = next(c for c in doc["endpoints"] if c["kind"] == "local")
    assert local["status"] == "ok", res.output
    assert local["stats"]["spans"] == 5 and local["stats"]["traces"] == 2
    assert local["stats"]["logs"] == 2 and local["stats"]["size_bytes"] > 0
    assert local["version"].startswith("store v3, ")


def test_doctor_on_a_missing_store_is_unreachable(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("doctor", "--store", str(tmp_path / "none.sqlite"))
    assert res.exit_code == 3, res.output
    assert "no obsctl store" in res.stdout + res.stderr


def test_correlate_reads_the_local_store(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with receiving(tmp_path) as rcv:
        sent = export_checkout(rcv.url)
        now = datetime.now(UTC)
        start, end = now - timedelta(minutes=5), now + timedelta(minutes=1)
        window = f"{start.isoformat()}..{end.isoformat()}"
        res = cli(
            "correlate",
            "CheckoutSlow",
            "--window",
            window,
            "--store",
            str(rcv.store),
            "--backend",
            "local",
            "-o",
            "json",
        )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ranked = {t["trace_id"]: t for t in doc["traces"]}
    assert sent.trace_id in ranked, res.output
    t = ranked[sent.trace_id]
    assert t["found"] and t["bottleneck"]["operation"] == "SELECT accounts"
    # The bottleneck span's error log line comes along.
    assert [lg["body"] for lg in t["error_logs"]] == ["database deadlock, giving up"]


def _peak_rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize("chunked", [False, True])
def test_a_300_mb_body_is_refused_in_bounded_memory(tmp_path: Path, chunked: bool) -> None:
    size, chunk = 300 << 20, b"\0" * (1 << 20)
    with receiving(tmp_path) as rcv:
        conn = http.client.HTTPConnection(rcv.url.removeprefix("http://"), timeout=60)
        conn.putrequest("POST", "/v1/traces")
        conn.putheader("Content-Type", "application/x-protobuf")
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(size))
        conn.endheaders()
        try:
            for _ in range(size // len(chunk)):
                if chunked:
                    conn.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                else:
                    conn.send(chunk)
            if chunked:
                conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # the receiver may close once it has answered
        status = conn.getresponse().status
        conn.close()
        assert status == 413
        assert _peak_rss_mib(rcv.proc.pid) < 600
        # And it still serves.
        status, _, _ = post(rcv.url, "/v1/traces", b"", {"Content-Type": "application/x-protobuf"})
        assert status == 200


def test_retention_is_enforced_while_running(tmp_path: Path) -> None:
    import time

    old, new = os.urandom(16).hex(), os.urandom(16).hex()
    two_hours_ago = time.time_ns() - 2 * 3600 * 10**9
    with receiving(tmp_path, "--retention", "1h") as rcv:
        for tid, start in ((old, two_hours_ago), (new, time.time_ns())):
            body = _trace_json(tid).replace(b"1700000000000000000", str(start).encode())
            body = body.replace(b"1700000000250000000", str(start + 10**6).encode())
            status, _, _ = post(rcv.url, "/v1/traces", body, {"Content-Type": "application/json"})
            assert status == 200
        reader = StoreReader(rcv.store)
        deadline = time.monotonic() + 30  # pruning runs every 10 s
        while reader.trace(old) is not None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert reader.trace(old) is None
        assert reader.trace(new) is not None
