"""The OTLP/HTTP receiver: ``POST /v1/traces`` and ``POST /v1/logs`` into the store.

Request path (one thread per connection, from ``ThreadingHTTPServer``):

1. route, media type (``application/x-protobuf`` or ``application/json``, parameters
   ignored; anything else 415), ``Content-Encoding`` (identity, gzip, deflate);
2. admission: ``Content-Length`` over the body limit → 413 without reading it; over the
   in-flight byte budget (all bodies being read or decoded at once) → 503 + ``Retry-After``;
3. read and inflate in bounded chunks: more than the limit after decompression → 413;
4. decode (``parsers.otlp_proto``); a body that does not decode → 400, the server goes on;
5. hand the rows to the single writer thread's bounded queue (full → 429 + ``Retry-After``)
   and wait: the writer groups whatever is queued into one SQLite transaction, and the
   handler answers 200 only once that transaction has committed.

So memory is bounded by the in-flight budget plus the queue, whatever clients send, and an
acknowledged export survives ``kill -9`` (WAL mode: a committed transaction is in the OS's
hands); ``durable`` (``--fsync``) also fsyncs each commit, for power cuts.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from obsctl.errors import ParseError
from obsctl.parsers.otlp_proto import (
    Decoded,
    decode_logs_request,
    decode_trace_request,
    logs_response,
    status_body,
    trace_response,
)
from obsctl.store.sqlite import StoreWriter

DEFAULT_MAX_BODY = 64 << 20
"""Largest request body accepted, after decompression (the OTLP recommendation)."""
DEFAULT_INFLIGHT = 192 << 20
"""Most request bytes being read and decoded at once, across all connections."""
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_READ_CHUNK = 1 << 20
MAX_CONNECTIONS = 256
"""Open connections served at once (a thread each); more are answered 503 and closed."""
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n"
)
_SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while others wait (``sys.setswitchinterval``)."""
_STATUS_INVALID_ARGUMENT = 3
_STATUS_RESOURCE_EXHAUSTED = 8
_STATUS_UNAVAILABLE = 14


@dataclass(frozen=True, slots=True)
class ReceiverConfig:
    """How to run the receiver."""

    host: str = "127.0.0.1"
    port: int = 4318
    store: Path = Path("store.sqlite")
    retention_ns: int | None = None
    """Delete data older than this (by span start / log time)."""
    max_store_bytes: int | None = None
    """Delete the oldest data while the store uses more than this."""
    max_body: int = DEFAULT_MAX_BODY
    max_inflight: int = DEFAULT_INFLIGHT
    queue_size: int = 64
    """Decoded requests waiting for the writer; beyond it clients get 429."""
    durable: bool = False
    """fsync every commit (``--fsync``)."""
    prune_interval: float = 10.0
    progress_interval: float = 60.0


@dataclass(slots=True)
class Progress:
    """Running totals, reported through ``on_progress``."""

    spans: int = 0
    logs: int = 0
    requests: int = 0
    rejected: int = 0
    pruned: int = 0
    store_bytes: int = 0
    started: float = field(default_factory=time.monotonic)


class _Job:
    __slots__ = ("decoded", "done", "error", "signal")

    def __init__(self, signal: str, decoded: Decoded) -> None:
        self.signal = signal
        self.decoded = decoded
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Budget:
    """A non-blocking byte budget for request bodies in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.lock = threading.Lock()

    def take(self, n: int) -> bool:
        with self.lock:
            if self.used + n > self.limit and self.used:
                return False
            self.used += n
            return True

    def give(self, n: int) -> None:
        with self.lock:
            self.used -= n


class _TooLarge(Exception):
    pass


class Receiver:
    """The server and its writer thread.

    Args:
        config: where to listen, which store, limits.
        on_error: called with one line per rejected request (from handler threads).
        on_progress: called with the running totals every ``config.progress_interval`` s.
        on_note: called with a line before and after an older store is upgraded.
    """

    def __init__(
        self,
        config: ReceiverConfig,
        *,
        on_error: Callable[[str], None] = lambda _line: None,
        on_progress: Callable[[Progress], None] = lambda _p: None,
        on_note: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self.config = config
        self.on_error = on_error
        self.on_progress = on_progress
        self.progress = Progress()
        self.writer = StoreWriter(config.store, durable=config.durable, note=on_note)
        self.store_path = self.writer.path
        self.jobs: queue.Queue[_Job | None] = queue.Queue(config.queue_size)
        self.budget = _Budget(config.max_inflight)
        self.httpd = _Server((config.host, config.port), _Handler, self)
        self._writer_thread = threading.Thread(target=self._write_loop, name="store-writer")
        self._serve_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._switch_interval = sys.getswitchinterval()

    @property
    def address(self) -> tuple[str, int]:
        """The bound host and port (the port is real when 0 was asked)."""
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Start the writer and serve in a background thread."""
        # The writer gives up the GIL for every SQLite statement and must get it back from
        # the request threads decoding protobuf, which keep it for a whole switch interval
        # (5 ms by default). At 0.5 ms the writer waits less: ingest rose ~10% under
        # bench/receive.py (three paired runs). Restored by stop().
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH_INTERVAL)
        self._writer_thread.start()
        self._serve_thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="otlp-http"
        )
        self._serve_thread.start()

    def stop(self) -> None:
        """Stop accepting, let in-flight requests finish, flush the queue, close the store."""
        self.httpd.shutdown()
        self.httpd.server_close()
        deadline = time.monotonic() + 10
        while self.httpd.busy and time.monotonic() < deadline:  # idle keep-alives don't count
            time.sleep(0.02)
        self._stopping.set()
        self.jobs.put(None)
        self._writer_thread.join()
        with contextlib.suppress(Exception):  # the last report gives the store's real size
            self.progress.store_bytes = self.writer.used_bytes()
        self.writer.close()
        sys.setswitchinterval(self._switch_interval)

    # ----------------------------------------------------------------- writer
    def _write_loop(self) -> None:
        last_prune = last_progress = time.monotonic()
        stop = False
        while not stop:
            try:
                first = self.jobs.get(timeout=0.5)
            except queue.Empty:
                first = None
                if not self._stopping.is_set():
                    last_prune, last_progress = self._housekeeping(last_prune, last_progress)
                    continue
            batch: list[_Job] = []
            if first is None:
                stop = True
            else:
                batch.append(first)
            rows = len(first.decoded.rows) if first else 0
            while rows < 50_000:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    continue
                batch.append(job)
                rows += len(job.decoded.rows)
            if batch:
                self._commit(batch)
            last_prune, last_progress = self._housekeeping(last_prune, last_progress)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            self.writer.write(
                [j.decoded for j in batch if j.signal == "traces"],
                [j.decoded for j in batch if j.signal == "logs"],
            )
        except Exception as exc:  # noqa: BLE001 - handed to each waiting request as a 503
            for job in batch:
                job.error = exc
        else:
            p = self.progress
            for job in batch:
                if job.signal == "traces":
                    p.spans += len(job.decoded.rows)
                else:
                    p.logs += len(job.decoded.rows)
        for job in batch:
            job.done.set()

    def _housekeeping(self, last_prune: float, last_progress: float) -> tuple[float, float]:
        now = time.monotonic()
        cfg = self.config
        if now - last_prune >= cfg.prune_interval and (cfg.retention_ns or cfg.max_store_bytes):
            cut = time.time_ns() - cfg.retention_ns if cfg.retention_ns else None
            try:
                self.progress.pruned += self.writer.prune(
                    before_ns=cut, max_bytes=cfg.max_store_bytes
                )
            except Exception as exc:  # noqa: BLE001 - a failed prune must not stop ingest
                self.on_error(f"pruning the store failed: {exc}")
            last_prune = now
        if now - last_progress >= cfg.progress_interval:
            with contextlib.suppress(Exception):
                self.progress.store_bytes = self.writer.used_bytes()
            self.on_progress(self.progress)
            last_progress = now
        return last_prune, last_progress

    # ----------------------------------------------------------------- requests
    def submit(self, signal: str, decoded: Decoded) -> _Job | None:
        """Queue rows for the writer; ``None`` when the queue is full."""
        job = _Job(signal, decoded)
        try:
            self.jobs.put_nowait(job)
        except queue.Full:
            return None
        return job


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Any, receiver: Receiver) -> None:
        self.receiver = receiver
        self.active = 0
        """Open connections (each has a thread)."""
        self.busy = 0
        """Requests being handled right now."""
        self.active_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """One thread per connection, up to ``MAX_CONNECTIONS``; beyond, 503 and close."""
        with self.active_lock:
            full = self.active >= MAX_CONNECTIONS
            if not full:
                self.active += 1
        if full:
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.active_lock:
                self.active -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "obsctl-receive"
    timeout = 30  # a stalled client frees its thread after this many seconds
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's per-request log (progress is reported instead)."""

    # ----------------------------------------------------------------- helpers
    def _send(
        self,
        code: int,
        body: bytes,
        content_type: str,
        *,
        retry_after: int | None = None,
        close: bool = False,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _fail(
        self,
        code: int,
        status: int,
        message: str,
        *,
        json: bool,
        retry_after: int | None = None,
        close: bool = False,
    ) -> None:
        self.server.receiver.progress.rejected += 1
        peer = self.client_address[0] if self.client_address else "?"
        self.server.receiver.on_error(f"{self.command} {self.path} from {peer}: {code} {message}")
        self._send(
            code,
            status_body(status, message, json=json),
            JSON if json else PROTOBUF,
            retry_after=retry_after,
            close=close,
        )

    def _discard(self) -> None:
        """Read and drop an unread body (up to 1 GiB), so the client sees the answer rather
        than a reset connection; memory stays at one chunk."""
        try:
            left = min(int(self.headers.get("Content-Length") or 0), 1 << 30)
            while left > 0:
                chunk = self.rfile.read(min(left, _READ_CHUNK))
                if not chunk:
                    break
                left -= len(chunk)
        except (OSError, ValueError):
            pass
        self.close_connection = True

    def _text(self, code: int, text: str, **kw: Any) -> None:
        self._send(code, text.encode() + b"\n", "text/plain; charset=utf-8", **kw)

    # ----------------------------------------------------------------- methods
    def do_GET(self) -> None:
        """Health check for scripts: ``GET /`` answers ``ok``."""
        if self.path in ("/", "/health"):
            self._text(200, "ok")
        else:
            self._text(404, "not found: the OTLP paths are POST /v1/traces and /v1/logs")

    def do_POST(self) -> None:
        """An OTLP export."""
        server = self.server
        with server.active_lock:
            server.busy += 1
        try:
            self._post()
        finally:
            with server.active_lock:
                server.busy -= 1

    def _post(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in ("/v1/traces", "/v1/logs"):
            self._discard()
            self._text(404, f"not found: {path} (OTLP/HTTP: /v1/traces, /v1/logs)", close=True)
            return
        signal = path[4:]
        media = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media not in (PROTOBUF, JSON):
            self._discard()
            self._text(
                415,
                f"unsupported content type {media or '(none)'!r}: use {PROTOBUF} or {JSON}",
                close=True,
            )
            return
        json = media == JSON
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "deflate", "none", ""):
            self._discard()
            self._fail(
                400,
                _STATUS_INVALID_ARGUMENT,
                f"unsupported Content-Encoding {encoding!r} (gzip, deflate or none)",
                json=json,
                close=True,
            )
            return
        receiver = self.server.receiver
        limit = receiver.config.max_body
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        try:
            length = int(self.headers.get("Content-Length") or (0 if not chunked else -1))
        except ValueError:
            length = -2
        if length < -1 or (length == -1 and not chunked):
            self._fail(400, _STATUS_INVALID_ARGUMENT, "bad Content-Length", json=json, close=True)
            return
        if length > limit:
            self._discard()
            self._fail(
                413,
                _STATUS_INVALID_ARGUMENT,
                f"body of {length:,} bytes is over the limit of {limit:,}",
                json=json,
                close=True,
            )
            return
        reserve = limit if length < 0 else length
        if not receiver.budget.take(reserve):
            self._discard()
            self._fail(
                503,
                _STATUS_UNAVAILABLE,
                "too many bytes in flight; retry later",
                json=json,
                retry_after=1,
                close=True,
            )
            return
        try:
            self._export(signal, json=json, length=length, encoding=encoding, limit=limit)
        finally:
            receiver.budget.give(reserve)

    def _export(self, signal: str, *, json: bool, length: int, encoding: str, limit: int) -> None:
        receiver = self.server.receiver
        try:
            body = self._read_body(length, encoding, limit)
        except _TooLarge:
            self._fail(
                413,
                _STATUS_INVALID_ARGUMENT,
                f"body is over the limit of {limit:,} bytes after decompression",
                json=json,
                close=True,
            )
            return
        except (zlib.error, EOFError) as exc:
            self._fail(
                400,
                _STATUS_INVALID_ARGUMENT,
                f"body does not inflate ({encoding}): {exc}",
                json=json,
                close=True,
            )
            return
        except (OSError, ValueError) as exc:
            receiver.on_error(f"{self.path}: reading the body failed: {exc}")
            self.close_connection = True
            return
        try:
            if signal == "traces":
                decoded = decode_trace_request(body, json=json)
            else:
                decoded = decode_logs_request(body, json=json)
        except ParseError as exc:
            self._fail(400, _STATUS_INVALID_ARGUMENT, exc.message, json=json)
            return
        del body
        receiver.progress.requests += 1
        if decoded.rows:
            job = receiver.submit(signal, decoded)
            if job is None:
                self._fail(
                    429,
                    _STATUS_RESOURCE_EXHAUSTED,
                    "the store is behind; retry later",
                    json=json,
                    retry_after=1,
                )
                return
            if not job.done.wait(60):
                self._fail(
                    503,
                    _STATUS_UNAVAILABLE,
                    "the store did not commit in time",
                    json=json,
                    retry_after=5,
                )
                return
            if job.error is not None:
                self._fail(
                    503,
                    _STATUS_UNAVAILABLE,
                    f"the store refused the write: {job.error}",
                    json=json,
                    retry_after=5,
                )
                return
        make = trace_response if signal == "traces" else logs_response
        self._send(200, make(json=json), JSON if json else PROTOBUF)

    def _read_body(self, length: int, encoding: str, limit: int) -> bytes:
        raw = bytearray()
        inflate = (
            zlib.decompressobj(16 + zlib.MAX_WBITS)
            if encoding == "gzip"
            else zlib.decompressobj()
            if encoding == "deflate"
            else None
        )
        out = bytearray() if inflate is not None else raw
        for chunk in self._chunks(length, limit):
            if inflate is None:
                raw += chunk
                if len(raw) > limit:
                    raise _TooLarge
                continue
            out += inflate.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit or inflate.unconsumed_tail:
                raise _TooLarge
        if inflate is not None:
            out += inflate.flush(limit + 1 - len(out))
            if len(out) > limit:
                raise _TooLarge
            if not inflate.eof:
                raise EOFError("truncated compressed stream")
        return bytes(out)

    def _chunks(self, length: int, limit: int) -> Any:
        rfile = self.rfile
        if length >= 0:
            left = length
            while left:
                chunk = rfile.read(min(left, _READ_CHUNK))
                if not chunk:
                    raise ValueError("connection closed mid-body")
                left -= len(chunk)
                yield chunk
            return
        total = 0
        while True:  # Transfer-Encoding: chunked
            line = rfile.readline(1024)
            size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return
            total += size
            if total > limit:
                raise _TooLarge
            left = size
            while left:
                chunk = rfile.read(min(left, _READ_CHUNK))
                if not chunk:
                    raise ValueError("connection closed mid-body")
                left -= len(chunk)
                yield chunk
            rfile.readline(8)
