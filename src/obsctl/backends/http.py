"""The HTTP layer: one async client factory, retries, and failure → domain-error translation.

Everything that goes over the wire goes through ``make_client`` and ``send``.

* **Secrets.** ``make_client`` registers what it sends (the basic-auth pair, secret header
  values, a password in the URL) with ``obsctl.redact``, so no output shows them, even when a
  server echoes them back; messages built here are redacted at the source as well. Secret
  headers are not forwarded across a redirect to another origin.
* **Bounded bodies.** ``send`` streams each answer and stops at the endpoint's
  ``max_response_size`` (``DEFAULT_MAX_BODY_BYTES``): memory stays bounded whatever a server
  sends, and an oversized answer is a ``BackendError`` saying how to raise the limit.
* **Every httpx failure** becomes a domain error (``translate_httpx_error``).
"""

from __future__ import annotations

import asyncio
import random
import ssl
import sys
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson

from obsctl import __version__
from obsctl.config.kinds import KINDS
from obsctl.config.schema import DEFAULT_MAX_RESPONSE_BYTES, Endpoint
from obsctl.errors import BackendError, BackendUnreachable, ConfigError, ObsctlError
from obsctl.redact import (
    SECRET_PARAMS,
    is_secret_header,
    redact,
    remember,
    remember_basic_auth,
)

USER_AGENT = f"obsctl/{__version__}"
ACCEPT_JSON = {"Accept": "application/json"}
LogFn = Callable[[str], None]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_RESPONSE_BYTES
"""Default cap on one answer: 128 MiB. The largest legitimate answers measured are a
720,000-point range query (1,000 series x 720 steps, ~15 MB of JSON) and a 100,000-span trace
(~44 MB of OTLP JSON; Jaeger's JSON is about 1.5x that): roughly 2-8x headroom, while a
hostile 500 MB answer stops at ~200 MB peak RSS. Per endpoint: ``max_response_size``."""
LARGE_BODY_BYTES = 16 * 1024 * 1024
"""Past this size an answer is read under a process-wide lock (one large answer at a time),
which keeps a concurrent fan-out to about one cap plus 16 MiB per request."""
ERROR_BODY_BYTES = 64 * 1024
"""How much of an error answer is read for its message."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry budget for idempotent requests."""

    attempts: int = 3
    """Total tries, the first included."""
    base_delay: float = 0.2
    """First backoff in seconds; doubles each retry, with full jitter."""
    max_delay: float = 5.0
    """Cap on one backoff (and on an honoured ``Retry-After``)."""
    total: float = 20.0
    """Give up retrying once this many seconds have passed since the first try."""


DEFAULT_RETRY = RetryPolicy()


def redact_url(url: str | httpx.URL) -> str:
    """``url`` without user-info and with secret query values replaced by ``***``.

    >>> redact_url("https://u:p@h/x?query=up&token=abc")
    'https://h/x?query=up&token=***'
    """
    parts = urlsplit(str(url))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs], safe="/:,*"
        )
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def human_size(n: int) -> str:
    """``134217728`` → ``128 MiB``.

    >>> human_size(500 * 1024 * 1024), human_size(1536), human_size(12)
    ('500 MiB', '1.5 KiB', '12 bytes')
    """
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.3g} {unit}"
        value /= 1024
    return f"{n} bytes"  # pragma: no cover


def _remember_secrets(endpoint: Endpoint) -> None:
    """Tell the redaction point about every credential this endpoint sends."""
    if endpoint.username is not None:
        password = endpoint.password.reveal() if endpoint.password is not None else ""
        remember_basic_auth(endpoint.username, password)
    for name, value in endpoint.headers:
        if is_secret_header(name):
            remember(value)
            scheme, _, credential = value.partition(" ")
            if credential and scheme.lower() in ("bearer", "basic", "token"):
                remember(credential)
    parts = urlsplit(endpoint.url)
    if parts.password:
        from urllib.parse import unquote

        remember_basic_auth(unquote(parts.username or ""), unquote(parts.password))


def _auth_headers(endpoint: Endpoint) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    for name, value in endpoint.headers:
        headers[name] = value
    if endpoint.tenant:
        headers["X-Scope-OrgID"] = endpoint.tenant
    if endpoint.token is not None:
        headers["Authorization"] = f"Bearer {endpoint.token.reveal()}"
    return headers


def _verify(endpoint: Endpoint) -> ssl.SSLContext | bool:
    if endpoint.insecure_skip_verify:
        return False
    if endpoint.url.startswith("http://") and not (endpoint.cert_file or endpoint.ca_file):
        # Loading the CA store costs ~35 ms and plain HTTP never uses it. This context still
        # requires verification but trusts no CA, so a redirect to https fails closed.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        ctx = (
            ssl.create_default_context(cafile=endpoint.ca_file)
            if endpoint.ca_file
            else (ssl.create_default_context())
        )
        if endpoint.cert_file and endpoint.key_file:
            ctx.load_cert_chain(endpoint.cert_file, endpoint.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"{endpoint.kind}: cannot load TLS files: {getattr(exc, 'strerror', None) or exc}",
            hint="check ca_file, cert_file and key_file in the context",
        ) from None
    return ctx


def make_client(
    endpoint: Endpoint, *, log: LogFn | None = None, timeout: float | None = None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for ``endpoint``: base URL + prefix, auth, TLS, timeouts.

    Proxies come from the standard environment variables (``HTTPS_PROXY``, ``NO_PROXY``).
    Use it as ``async with make_client(ep) as client``.
    """
    _remember_secrets(endpoint)
    auth: httpx.Auth | None = None
    if endpoint.username is not None:
        password = endpoint.password.reveal() if endpoint.password is not None else ""
        auth = httpx.BasicAuth(endpoint.username, password)
    limit = timeout if timeout is not None else endpoint.timeout
    hooks: dict[str, list[Callable[..., Any]]] = {
        "request": [_make_cross_origin_guard(endpoint)],
        "response": [],
    }
    if log is not None:
        hooks["request"].append(_log_request_start)
        hooks["response"].append(_make_response_logger(log))
    return httpx.AsyncClient(
        base_url=endpoint.base_url,
        headers=_auth_headers(endpoint),
        auth=auth,
        verify=_verify(endpoint),
        timeout=httpx.Timeout(limit, connect=min(limit, 10.0)),
        follow_redirects=True,
        trust_env=True,
        event_hooks=hooks,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _make_cross_origin_guard(endpoint: Endpoint) -> Callable[[httpx.Request], Any]:
    """A request hook dropping secret headers when a redirect leads to another origin.

    httpx already drops ``Authorization`` there; this covers ``Cookie`` and configured
    headers such as ``X-Api-Key``.
    """
    home = _origin(httpx.URL(endpoint.base_url))

    async def hook(request: httpx.Request) -> None:
        if _origin(request.url) != home:
            for name in list(request.headers):
                if is_secret_header(name):
                    del request.headers[name]

    return hook


async def _log_request_start(request: httpx.Request) -> None:
    request.extensions["obsctl_t0"] = time.perf_counter()


def _make_response_logger(log: LogFn) -> Callable[[httpx.Response], Any]:
    async def hook(response: httpx.Response) -> None:
        t0 = response.request.extensions.get("obsctl_t0", time.perf_counter())
        ms = (time.perf_counter() - t0) * 1000
        req = response.request
        log(f"{req.method} {redact_url(req.url)} → {response.status_code} ({ms:.0f} ms)")

    return hook


def _retry_after(response: httpx.Response, policy: RetryPolicy) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, policy.max_delay))


async def send(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    idempotent: bool | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    ok_statuses: frozenset[int] = frozenset(),
    what: str | None = None,
    max_bytes: int | None = None,
) -> httpx.Response:
    """Send a request with retries for idempotent calls; read the answer, bounded.

    Args:
        client: from ``make_client(endpoint)``.
        endpoint: the endpoint (for messages and hints).
        method: HTTP method.
        path: path relative to the endpoint's base URL.
        params: query parameters.
        data: form body.
        json_body: JSON body.
        headers: extra headers for this request.
        idempotent: may the request be retried (default: GET/HEAD only).
        policy: retry budget.
        ok_statuses: non-2xx statuses returned to the caller instead of raised (e.g. 404
            for "trace not found", 400/422 for Prometheus error envelopes).
        what: what is being fetched, for messages (default: the path).
        max_bytes: cap on the body (default: the endpoint's ``max_response_size``).

    Returns:
        The response with its body read (``response.content``).

    Raises:
        BackendUnreachable: connect/TLS failure or timeout (after retries).
        BackendError: an HTTP error status not in ``ok_statuses``, a body over the cap, a
            redirect loop, a connection closed mid-answer.
    """
    retryable = idempotent if idempotent is not None else method in ("GET", "HEAD")
    started = time.monotonic()
    attempt = 0
    what = what or path
    limit = max_bytes if max_bytes is not None else endpoint.max_response_bytes
    while True:
        attempt += 1
        try:
            request = client.build_request(
                method, path, params=params, data=data, json=json_body, headers=headers
            )
            response = await client.send(request, stream=True)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if (isinstance(exc, httpx.ConnectError) and _is_tls_error(exc)) or not _may_retry(
                retryable, attempt, started, policy
            ):
                raise translate_httpx_error(exc, endpoint, client, what=what) from None
            await asyncio.sleep(_backoff(attempt, policy))
            continue
        except httpx.HTTPError as exc:
            raise translate_httpx_error(exc, endpoint, client, what=what) from None
        except httpx.InvalidURL as exc:
            raise translate_httpx_error(exc, endpoint, client, what=what) from None
        status = response.status_code
        if 200 <= status < 300 or status in ok_statuses:
            await read_bounded(response, endpoint, client, limit=limit, what=what)
            return response
        if status in RETRY_STATUSES and _may_retry(retryable, attempt, started, policy):
            delay = _retry_after(response, policy)
            await response.aclose()
            await asyncio.sleep(delay if delay is not None else _backoff(attempt, policy))
            continue
        await read_bounded(
            response, endpoint, client, limit=ERROR_BODY_BYTES, what=what, truncate=True
        )
        raise http_status_error(endpoint, response, what=what)


async def read_bounded(
    response: httpx.Response,
    endpoint: Endpoint,
    client: httpx.AsyncClient,
    *,
    limit: int,
    what: str,
    truncate: bool = False,
) -> bytes:
    """Read a streamed body into ``response.content``, never holding more than ``limit`` bytes.

    Args:
        response: from ``client.send(..., stream=True)``; closed on return.
        endpoint: for messages.
        client: for the timeout in messages.
        limit: most (decoded) bytes kept.
        what: what is being fetched, for messages.
        truncate: keep the first ``limit`` bytes and drop the rest (error bodies) instead of
            raising.

    Raises:
        BackendError: the body is over ``limit`` (unless ``truncate``), the server closed
            the connection mid-answer, or the body cannot be decoded.
        BackendUnreachable: the server stalled mid-answer past the timeout.
    """
    announced = response.headers.get("content-length", "")
    chunks: list[bytes] = []
    lock: asyncio.Lock | None = None
    size = 0
    try:
        if not truncate and announced.isdigit() and int(announced) > limit:
            raise _too_big(endpoint, what, limit, announced=int(announced))
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                if not truncate:
                    raise _too_big(endpoint, what, limit)
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            chunks.append(chunk)
            if lock is None and size > LARGE_BODY_BYTES:
                # One large answer at a time per process: concurrent fan-outs (correlate,
                # doctor) would otherwise hold one cap's worth of bytes per request.
                lock = _large_body_lock()
                await lock.acquire()
    except httpx.HTTPError as exc:
        raise translate_httpx_error(exc, endpoint, client, what=what, answering=True) from None
    finally:
        if lock is not None:
            lock.release()
        if sys.exc_info()[0] is not None:
            # The error's traceback keeps this frame alive (correlate keeps errors as
            # notes): drop the bytes read so far now, not when the error goes.
            chunks.clear()
        await response.aclose()
    body = b"".join(chunks)
    # What Response.aread() does; the body is set here so that it is read under the cap.
    response._content = body
    return body


_LARGE_BODY_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _large_body_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _LARGE_BODY_LOCKS.get(loop)
    if lock is None:
        lock = _LARGE_BODY_LOCKS[loop] = asyncio.Lock()
    return lock


def _too_big(endpoint: Endpoint, what: str, limit: int, *, announced: int = 0) -> BackendError:
    cap = f"the {human_size(limit)} limit on one answer"
    message = (
        f"{endpoint.display_name} announced a {human_size(announced)} answer for {what}, over {cap}"
        if announced
        else f"{endpoint.display_name} sent more than {cap} for {what}; stopped reading"
    )
    return BackendError(
        message,
        backend=endpoint.kind,
        hint=f"narrow the request, or raise `max_response_size` for {endpoint.kind}"
        f"{_context_note(endpoint) or ' in the context'} (e.g. max_response_size: 1GiB)",
    )


def translate_httpx_error(
    exc: Exception,
    endpoint: Endpoint,
    client: httpx.AsyncClient | None,
    *,
    what: str,
    answering: bool = False,
) -> ObsctlError:
    """The domain error for any httpx exception.

    Args:
        exc: an ``httpx.HTTPError``, ``httpx.InvalidURL`` or ``httpx.CookieConflict``.
        endpoint: for messages and hints.
        client: for the timeout in messages (``None``: the endpoint's).
        what: what was being fetched.
        answering: the failure came while reading the body (the server had answered).
    """
    name = endpoint.display_name
    url = redact_url(endpoint.base_url)
    if isinstance(exc, httpx.TooManyRedirects):
        return BackendError(
            f"{name} at {url} redirected too many times for {what} (a redirect loop?)",
            backend=endpoint.kind,
            hint="check the URL (a login page or a proxy sending the request round in circles?)",
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        if urlsplit(endpoint.url).scheme not in ("http", "https"):
            return ConfigError(
                f"{endpoint.kind} URL {url} is not http(s)", hint="use an http:// or https:// URL"
            )
        return BackendError(
            f"{name} at {url} redirected {what} to a URL that is not http(s)",
            backend=endpoint.kind,
        )
    if isinstance(exc, httpx.DecodingError):
        return BackendError(
            f"{name} sent a body for {what} that cannot be decoded "
            f"(bad compression or charset): {short_reason(exc)}",
            backend=endpoint.kind,
        )
    if isinstance(exc, httpx.TimeoutException):
        if answering or client is None:
            timeout = (client.timeout.read if client else None) or endpoint.timeout
            return BackendUnreachable(
                f"{name} at {url} stalled for {timeout:g}s in the middle of answering {what}",
                backend=endpoint.kind,
                url=url,
                hint=f"raise `timeout` for {endpoint.kind} in the context, or narrow the request",
            )
        return _unreachable(endpoint, exc, client)
    if answering and isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return BackendError(
            f"{name} at {url} closed the connection while answering {what}",
            backend=endpoint.kind,
            hint=f"the answer was cut short: check {name}'s logs, or a proxy's size or time "
            "limits; narrowing the request may help",
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return BackendError(
            f"{name} at {url} broke the HTTP protocol for {what}: {short_reason(exc)}",
            backend=endpoint.kind,
            hint=f"is {url} an HTTP server (and the right port)?",
        )
    if isinstance(exc, httpx.LocalProtocolError):
        return ConfigError(
            f"cannot send the request for {what} to {name}: {short_reason(exc)}",
            hint=f"check the headers and URL of {endpoint.kind}{_context_note(endpoint)}",
        )
    if isinstance(exc, httpx.ProxyError):
        return BackendUnreachable(
            f"the proxy refused the connection to {name} at {url}: {short_reason(exc)}",
            backend=endpoint.kind,
            url=url,
            hint="check HTTPS_PROXY / HTTP_PROXY / NO_PROXY",
        )
    if isinstance(exc, httpx.TransportError):
        return _unreachable(endpoint, exc, client)
    if isinstance(exc, httpx.InvalidURL):
        return ConfigError(
            f"invalid URL for {endpoint.kind}{_context_note(endpoint)}: {short_reason(exc)}",
            hint="check the endpoint's url and path_prefix",
        )
    if isinstance(exc, httpx.HTTPStatusError):
        return http_status_error(endpoint, exc.response, what=what)
    # RequestError's other subclasses, StreamError, CookieConflict: the client misbehaved
    # or the server's answer could not be used.
    return BackendError(
        f"request for {what} to {name} at {url} failed: {type(exc).__name__}: {short_reason(exc)}",
        backend=endpoint.kind,
    )


def _may_retry(retryable: bool, attempt: int, started: float, policy: RetryPolicy) -> bool:
    return retryable and attempt < policy.attempts and (time.monotonic() - started < policy.total)


def _backoff(attempt: int, policy: RetryPolicy) -> float:
    ceiling = min(policy.max_delay, policy.base_delay * (2 ** (attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)


def _is_tls_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLError):
            return True
        cur = cur.__cause__ or cur.__context__
    return "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper()


def _context_note(endpoint: Endpoint) -> str:
    return f" (context {endpoint.context})" if endpoint.source.startswith("context") else ""


def _flag_for(endpoint: Endpoint) -> str:
    kind = KINDS.get(endpoint.kind)
    return kind.flag if kind is not None and kind.global_flag else "the context"


def _unreachable(
    endpoint: Endpoint, exc: Exception, client: httpx.AsyncClient | None
) -> BackendUnreachable:
    url = redact_url(endpoint.base_url)
    name = endpoint.display_name
    if isinstance(exc, httpx.TimeoutException):
        timeout = (client.timeout.read if client else None) or endpoint.timeout
        kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for an answer"
        return BackendUnreachable(
            f"{name} at {url} timed out after {timeout:g}s {kind}",
            backend=endpoint.kind,
            url=url,
            hint=f"raise `timeout` for {endpoint.kind} in the context, or narrow the request",
        )
    if _is_tls_error(exc):
        return BackendUnreachable(
            f"TLS handshake with {name} at {url} failed: {short_reason(exc)}",
            backend=endpoint.kind,
            url=url,
            hint="set ca_file (or insecure_skip_verify: true for testing) on the endpoint"
            + _context_note(endpoint),
        )
    detail = short_reason(exc)
    return BackendUnreachable(
        f"cannot connect to {name} at {url}: {detail}",
        backend=endpoint.kind,
        url=url,
        hint=f"is {name} running at {url}?{_context_note(endpoint)} "
        f"Set {_flag_for(endpoint)} or the context's {endpoint.kind} url",
    )


def short_reason(exc: Exception) -> str:
    """A short reason for a transport failure (``connection refused``, ``unknown host``)."""
    text = str(exc) or type(exc).__name__
    for needle, short in (
        ("Connection refused", "connection refused"),
        # httpx's async transport words a refused loopback/IPv4 connection like this.
        ("All connection attempts failed", "connection refused"),
        ("Name or service not known", "unknown host"),
        ("nodename nor servname", "unknown host"),
        ("Temporary failure in name resolution", "DNS lookup failed"),
        ("certificate verify failed", "certificate verify failed"),
    ):
        if needle in text:
            return short
    lines = text.splitlines()
    return redact(lines[0] if lines else text)[:200]


def http_status_error(endpoint: Endpoint, response: httpx.Response, *, what: str) -> BackendError:
    """A ``BackendError`` for a non-2xx response, with an auth hint for 401/403."""
    status = response.status_code
    name = endpoint.display_name
    server_msg = _server_message(response)
    msg = f"{name} answered HTTP {status} for {what}"
    if server_msg:
        msg += f": {server_msg}"
    hint = None
    if status in (401, 403):
        hint = (
            f"{'credentials missing or expired' if status == 401 else 'access denied'} for "
            f"{endpoint.kind}{_context_note(endpoint)}: check token/username/password"
        )
        if endpoint.tenant is None and status == 401:
            hint += " (multi-tenant servers also need `tenant`)"
    elif status == 404:
        hint = (
            f"is {redact_url(endpoint.base_url)} the right base URL? "
            "Mimir needs path_prefix /prometheus"
        )
    elif status == 429:
        hint = "rate limited; try again shortly or narrow the request"
    return BackendError(
        msg, backend=endpoint.kind, status=status, server_message=server_msg, hint=hint
    )


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.content[:4096]
    except httpx.ResponseNotRead:
        return ""
    ctype = response.headers.get("content-type", "")
    if "json" in ctype or body[:1] in (b"{", b"["):
        try:
            doc = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            doc = None
        if isinstance(doc, dict):
            for key in ("error", "message", "msg", "detail"):
                if isinstance(doc.get(key), str):
                    return _one_line(doc[key])
    if "html" in ctype or body.lstrip()[:1] == b"<":
        return "(an HTML page: a proxy or login page?)"
    return _one_line(body.decode("utf-8", "replace"))


def _one_line(text: str, limit: int = 300) -> str:
    line = redact(" ".join(text.split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"


def decode_json(response: httpx.Response, endpoint: Endpoint, *, what: str) -> Any:
    """Decode a JSON body, or raise ``BackendError`` saying what came back instead."""
    content = response.content
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        ctype = response.headers.get("content-type", "unknown")
        sample = content[:200].lstrip()
        if sample[:1] == b"<" or "html" in ctype:
            detail = "an HTML page (a proxy or login page in front of it?)"
        elif not content:
            detail = "an empty body"
        else:
            detail = f"non-JSON {ctype.split(';')[0]} ({len(content)} bytes)"
        raise BackendError(
            f"{endpoint.display_name} sent {detail} for {what}, expected JSON",
            backend=endpoint.kind,
            status=response.status_code,
            hint=f"check that {redact_url(endpoint.base_url)} is the {endpoint.display_name} API",
        ) from None
