"""The HTTP layer against every httpx failure class, bounded bodies and redirects."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from obsctl import redact
from obsctl.backends import http as obs_http
from obsctl.backends.http import (
    RetryPolicy,
    make_client,
    send,
    translate_httpx_error,
)
from obsctl.config.schema import Endpoint, Secret
from obsctl.errors import BackendError, BackendUnreachable, ConfigError, exit_code_of
from obsctl.exit_codes import ExitCode

BASE = "http://prom.test:9090"
NO_RETRY = RetryPolicy(attempts=1)


def endpoint(**kw) -> Endpoint:
    values = {
        "kind": "prometheus",
        "url": BASE,
        "source": "context prod",
        "configured": True,
        "context": "prod",
    }
    values.update(kw)
    return Endpoint(**values)


REQ = httpx.Request("GET", f"{BASE}/api/v1/query")

# Every concrete httpx exception class → (exit code, words the message must contain).
CLASSES: list[tuple[Exception, ExitCode, str]] = [
    (httpx.ConnectError("All connection attempts failed"), ExitCode.UNREACHABLE, "refused"),
    (httpx.ConnectTimeout("t"), ExitCode.UNREACHABLE, "timed out"),
    (httpx.ReadTimeout("t"), ExitCode.UNREACHABLE, "timed out"),
    (httpx.WriteTimeout("t"), ExitCode.UNREACHABLE, "timed out"),
    (httpx.PoolTimeout("t"), ExitCode.UNREACHABLE, "timed out"),
    (httpx.ReadError("reset"), ExitCode.UNREACHABLE, "cannot connect"),
    (httpx.WriteError("broken"), ExitCode.UNREACHABLE, "cannot connect"),
    (httpx.CloseError("x"), ExitCode.UNREACHABLE, "cannot connect"),
    (httpx.RemoteProtocolError("Server disconnected"), ExitCode.BACKEND_ERROR, "protocol"),
    (httpx.LocalProtocolError("Illegal header value"), ExitCode.USAGE, "cannot send"),
    (httpx.ProxyError("407"), ExitCode.UNREACHABLE, "proxy"),
    (httpx.UnsupportedProtocol("ftp"), ExitCode.BACKEND_ERROR, "not http(s)"),
    (httpx.DecodingError("bad gzip"), ExitCode.BACKEND_ERROR, "cannot be decoded"),
    (httpx.TooManyRedirects("loop"), ExitCode.BACKEND_ERROR, "redirect loop"),
    (
        httpx.HTTPStatusError("x", request=REQ, response=httpx.Response(503, request=REQ)),
        ExitCode.BACKEND_ERROR,
        "HTTP 503",
    ),
    (httpx.InvalidURL("bad"), ExitCode.USAGE, "invalid URL"),
    (httpx.CookieConflict("two"), ExitCode.BACKEND_ERROR, "CookieConflict"),
    (httpx.StreamConsumed(), ExitCode.BACKEND_ERROR, "StreamConsumed"),
    (httpx.StreamClosed(), ExitCode.BACKEND_ERROR, "StreamClosed"),
    (httpx.ResponseNotRead(), ExitCode.BACKEND_ERROR, "ResponseNotRead"),
    (httpx.RequestNotRead(), ExitCode.BACKEND_ERROR, "RequestNotRead"),
]


def _all_httpx_exception_classes() -> set[type]:
    found: set[type] = set()
    todo = [httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return {c for c in found if c.__module__.startswith("httpx") and not c.__subclasses__()}


def test_the_table_covers_every_httpx_exception_class():
    covered = {type(exc) for exc, _, _ in CLASSES}
    assert _all_httpx_exception_classes() <= covered


@pytest.mark.parametrize(("exc", "code", "words"), CLASSES, ids=lambda v: type(v).__name__)
async def test_every_class_is_translated(exc, code, words):
    ep = endpoint()
    async with make_client(ep) as client:
        err = translate_httpx_error(exc, ep, client, what="query")
    assert exit_code_of(err) == code, err.message
    assert words in err.message, err.message
    assert "\n" not in err.message


@pytest.mark.parametrize(("exc", "code", "words"), CLASSES[:14], ids=lambda v: type(v).__name__)
async def test_send_translates_what_the_transport_raises(exc, code, words):
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(side_effect=exc)
        async with make_client(ep) as client:
            with pytest.raises((BackendError, BackendUnreachable, ConfigError)) as info:
                await send(client, ep, "GET", "/x", policy=NO_RETRY)
    assert exit_code_of(info.value) == code, info.value.message


class _Broken(httpx.AsyncByteStream):
    """A body that delivers some bytes, then fails like a reset connection."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"status":"success","data":{'
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (httpx.ReadError("reset"), ExitCode.BACKEND_ERROR, "closed the connection while answering"),
        (
            httpx.RemoteProtocolError("incomplete"),
            ExitCode.BACKEND_ERROR,
            "closed the connection while answering",
        ),
        (httpx.ReadTimeout("t"), ExitCode.UNREACHABLE, "stalled"),
        (httpx.DecodingError("gzip"), ExitCode.BACKEND_ERROR, "cannot be decoded"),
    ],
)
async def test_failures_mid_body(exc, code, words):
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(return_value=httpx.Response(200, stream=_Broken(exc)))
        async with make_client(ep) as client:
            with pytest.raises((BackendError, BackendUnreachable)) as info:
                await send(client, ep, "GET", "/x", policy=NO_RETRY, what="query")
    assert exit_code_of(info.value) == code
    assert words in info.value.message


class _Endless(httpx.AsyncByteStream):
    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.sent += 65536
            yield b"x" * 65536


async def test_a_body_over_the_cap_stops_reading():
    ep = endpoint(max_response_bytes=1 << 20)
    body = _Endless()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(return_value=httpx.Response(200, stream=body))
        async with make_client(ep) as client:
            with pytest.raises(BackendError) as info:
                await send(client, ep, "GET", "/x", what="query")
    assert "1 MiB limit" in info.value.message
    assert "max_response_size" in (info.value.hint or "")
    assert body.sent <= (1 << 20) + 65536


async def test_an_announced_size_over_the_cap_is_refused_before_reading():
    ep = endpoint(max_response_bytes=1000)
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(200, content=b"x" * 5000)
        async with make_client(ep) as client:
            with pytest.raises(BackendError, match=r"announced a 4\.88 KiB answer"):
                await send(client, ep, "GET", "/x", what="query")


async def test_a_body_at_the_cap_is_read_whole():
    ep = endpoint(max_response_bytes=5000)
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(200, content=b"y" * 5000)
        async with make_client(ep) as client:
            resp = await send(client, ep, "GET", "/x")
    assert resp.content == b"y" * 5000


async def test_error_bodies_are_read_bounded_and_redacted():
    redact.forget_all()
    ep = endpoint(token=Secret("CANARY-abcdef", "env T"))
    body = b"rejected Bearer CANARY-abcdef " + b"z" * (1 << 20)
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(401, content=body)
        async with make_client(ep) as client:
            with pytest.raises(BackendError) as info:
                await send(client, ep, "GET", "/x")
    assert "CANARY" not in info.value.message
    assert len(info.value.message) < 400
    redact.forget_all()


async def test_secret_headers_do_not_follow_a_redirect_to_another_origin():
    ep = endpoint(headers=(("X-Api-Key", "k-123456"), ("Cookie", "sid=9")))
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(302, headers={"Location": "http://other.test/y"})
        other = mock.get("http://other.test/y").respond(200, json={})
        same = mock.get(f"{BASE}/z").respond(200, json={})
        async with make_client(ep) as client:
            await send(client, ep, "GET", "/x")
            await send(client, ep, "GET", "/z")
    assert "x-api-key" not in other.calls.last.request.headers
    assert "cookie" not in other.calls.last.request.headers
    assert same.calls.last.request.headers["x-api-key"] == "k-123456"


def test_make_client_registers_the_credentials_it_sends():
    redact.forget_all()
    ep = endpoint(
        url="http://u:url-pass-77@prom.test",
        username="alice",
        password=Secret("pw-secret-1", "env P"),
        headers=(("Authorization", "Token tk-999999"),),
    )
    make_client(ep)
    import base64

    pair = base64.b64encode(b"alice:pw-secret-1").decode()
    out = redact.redact(f"url-pass-77 {pair} tk-999999 pw-secret-1")
    # Base64 keeps at most the last group's padding characters, which carry no secret.
    assert [w[:3] for w in out.split()] == ["***"] * 4, out
    assert pair[:-3] not in out
    redact.forget_all()


def test_human_size():
    assert obs_http.human_size(128 * 1024 * 1024) == "128 MiB"
