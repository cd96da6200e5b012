"""The receiver in-process: back-pressure answers 429/503 with Retry-After, never grows."""

from __future__ import annotations

import http.client
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from obsctl.receiver.server import Receiver, ReceiverConfig
from obsctl.store import StoreReader
from tests.unit.store.otlp_builders import trace_request


@pytest.fixture
def gate() -> threading.Event:
    return threading.Event()


def _start(tmp_path: Path, gate: threading.Event, **cfg: Any) -> Receiver:
    errors: list[str] = []
    rcv = Receiver(
        ReceiverConfig(port=0, store=tmp_path / "s.sqlite", **cfg), on_error=errors.append
    )
    real_write = rcv.writer.write
    writing = threading.Event()

    def slow_write(*args: Any) -> None:
        writing.set()
        gate.wait(10)
        real_write(*args)

    rcv.writing = writing  # type: ignore[attr-defined]

    rcv.writer.write = slow_write  # type: ignore[method-assign]
    rcv.errors = errors  # type: ignore[attr-defined]
    rcv.start()
    return rcv


@pytest.fixture
def receiver(
    tmp_path: Path, gate: threading.Event, request: pytest.FixtureRequest
) -> Iterator[Receiver]:
    rcv = _start(tmp_path, gate, **getattr(request, "param", {}))
    yield rcv
    gate.set()
    rcv.stop()


def _post(rcv: Receiver, body: bytes) -> tuple[int, str | None]:
    host, port = rcv.address
    conn = http.client.HTTPConnection(host, port, timeout=20)
    try:
        conn.request(
            "POST", "/v1/traces", body=body, headers={"Content-Type": "application/x-protobuf"}
        )
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("Retry-After")
    finally:
        conn.close()


def _concurrently(rcv: Receiver, n: int) -> list[tuple[int, str | None]]:
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def one() -> None:
        r = _post(rcv, trace_request())
        with lock:
            results.append(r)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    return results, threads  # type: ignore[return-value]


@pytest.mark.parametrize("receiver", [{"queue_size": 1}], indirect=True)
def test_a_full_queue_answers_429_with_retry_after(
    receiver: Receiver, gate: threading.Event
) -> None:
    first, first_threads = _concurrently(receiver, 1)  # type: ignore[misc]
    assert receiver.writing.wait(10)  # type: ignore[attr-defined]
    results, threads = _concurrently(receiver, 3)  # type: ignore[misc]
    # One is being written (blocked), one waits in the queue: the others are turned away.
    for t in threads:
        t.join(0.5)
    refused = [r for r in results if r[0] == 429]
    assert len(refused) == 2 and all(r[1] == "1" for r in refused)
    gate.set()
    for t in threads + first_threads:
        t.join()
    assert sorted(r[0] for r in first + results) == [200, 200, 429, 429]
    assert StoreReader(receiver.store_path).stats().spans == 6


@pytest.mark.parametrize("receiver", [{"max_inflight": 500}], indirect=True)
def test_the_in_flight_budget_answers_503(receiver: Receiver, gate: threading.Event) -> None:
    assert len(trace_request()) > 250  # two requests do not fit in 500 bytes
    results, threads = _concurrently(receiver, 3)  # type: ignore[misc]
    for t in threads:
        t.join(0.5)
    assert [r for r in results if r[0] == 503] == [(503, "1"), (503, "1")]
    gate.set()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == [200, 503, 503]


def test_unknown_paths_and_methods(receiver: Receiver, gate: threading.Event) -> None:
    gate.set()
    host, port = receiver.address
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request(
        "POST", "/v1/metrics", body=b"x", headers={"Content-Type": "application/x-protobuf"}
    )
    assert conn.getresponse().status == 404
    conn.close()
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("PUT", "/v1/traces", body=b"x")
    assert conn.getresponse().status == 501  # the stdlib's answer for an unsupported method
    conn.close()
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request(
        "POST",
        "/v1/traces",
        body=b"x",
        headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "br"},
    )
    assert conn.getresponse().status == 400
    conn.close()


def test_connections_beyond_the_cap_get_503(
    receiver: Receiver, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from obsctl.receiver import server

    gate.set()
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 2)
    host, port = receiver.address
    idle = [socket.create_connection((host, port)) for _ in range(2)]
    try:
        time.sleep(0.3)  # both are being served (waiting for a request line)
        with socket.create_connection((host, port), timeout=5) as third:
            answer = third.recv(200)
        assert answer.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in answer
    finally:
        for s in idle:
            s.close()
    time.sleep(0.3)
    assert _post(receiver, trace_request())[0] == 200  # served again once they are gone


def test_the_gil_switch_interval_is_short_while_serving_and_restored_after(
    tmp_path: Path,
) -> None:
    before = sys.getswitchinterval()
    rcv = Receiver(ReceiverConfig(port=0, store=tmp_path / "s.sqlite"))
    rcv.start()
    try:
        assert sys.getswitchinterval() == pytest.approx(0.0005)
    finally:
        rcv.stop()
    assert sys.getswitchinterval() == before
