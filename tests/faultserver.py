"""A local HTTP server that misbehaves on demand, for the fault-matrix tests.

One ``FaultServer`` listens on a free 127.0.0.1 port and answers every path according to its
``mode`` (see ``MODES``). Credential-echoing modes put what the client sent (the
``Authorization`` and ``Cookie`` headers, the request target) into the answer, the way a
hostile or careless proxy would, so tests can check that obsctl never prints them.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote_plus

MODES = (
    "closed",
    "stall",
    "401",
    "403",
    "429",
    "500",
    "502",
    "html",
    "truncated",
    "wrong_shape",
    "huge",
    "redirect_loop",
    "redirect_echo",
    "cross_origin",
    "reset",
)
"""Every behaviour; ``closed`` is a port nobody listens on."""


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on purpose here (caps, timeouts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FaultServer:
    """A threaded server on a free loopback port; set ``mode`` before each request.

    Args:
        huge_bytes: size of the ``huge`` answer (streamed, chunked, no Content-Length).
    """

    def __init__(self, *, huge_bytes: int = 4 * 1024 * 1024) -> None:
        self.mode = "wrong_shape"
        self.huge_bytes = huge_bytes
        self.redirect_to = ""
        self.seen: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

            do_POST = do_GET
            do_HEAD = do_GET

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ------------------------------------------------------------------ answers
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        self.seen.append({k.lower(): v for k, v in h.headers.items()} | {":path": h.path})
        echo = (
            f"rejected credentials: {h.headers.get('Authorization', '')} "
            f"cookie={h.headers.get('Cookie', '')} target={h.path}"
        )
        mode = self.mode
        if mode == "stall":
            time.sleep(1.5)
            return self._send(h, 200, b"{}")
        if mode in ("401", "403", "500", "502"):
            body = json.dumps({"status": "error", "errorType": "auth", "error": echo})
            return self._send(h, int(mode), body.encode(), "application/json")
        if mode == "429":
            return self._send(h, 429, echo.encode(), "text/plain", {"Retry-After": "0"})
        if mode == "html":
            page = f"<html><body><form>Log in ({echo})</form></body></html>"
            return self._send(h, 200, page.encode(), "text/html")
        if mode == "truncated":
            return self._send(h, 200, b'{"status":"success","data":{"resultType":"vector","re')
        if mode == "wrong_shape":
            return self._send(h, 200, b'{"status":"success","data":42}')
        if mode == "huge":
            return self._huge(h)
        if mode == "redirect_loop":
            return self._send(h, 302, b"", headers={"Location": h.path})
        if mode == "redirect_echo":
            if "echo=" in h.path:
                return self._send(h, 401, echo.encode(), "text/plain")
            auth = quote_plus(h.headers.get("Authorization", ""))
            sep = "&" if "?" in h.path else "?"
            return self._send(h, 302, b"", headers={"Location": f"{h.path}{sep}echo={auth}"})
        if mode == "cross_origin":
            return self._send(h, 302, b"", headers={"Location": self.redirect_to + h.path})
        if mode == "reset":
            return self._reset(h)
        raise AssertionError(mode)

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(body)
        except OSError:
            pass

    def _huge(self, h: BaseHTTPRequestHandler) -> None:
        chunk = b'{"x":"' + b"a" * (1 << 20) + b'"},'
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            h.wfile.write(b"1\r\n[\r\n")
            sent = 0
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while sent < self.huge_bytes:
                h.wfile.write(frame)
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        h.close_connection = True

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            h.wfile.write(b'{"status":"success","data":{"resultType":"vector","result":[')
            h.wfile.flush()
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        h.close_connection = True
