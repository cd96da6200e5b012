"""The HTTP layer: one async client factory, retries, and failure → domain-error translation.

Everything that goes over the wire goes through ``make_client`` and ``send``. Secrets never
reach messages or logs: URLs are redacted (user-info and secret query parameters), and the
debug log shows method, URL, status and duration only.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson

from obsctl import __version__
from obsctl.config.kinds import KINDS
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable, ConfigError

USER_AGENT = f"obsctl/{__version__}"
ACCEPT_JSON = {"Accept": "application/json"}
LogFn = Callable[[str], None]

SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "api_key",
        "apikey",
        "key",
        "password",
        "passwd",
        "secret",
        "auth",
        "authorization",
        "sig",
        "signature",
        "x-amz-signature",
        "client_secret",
    }
)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 1 << 30


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
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


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
    auth: httpx.Auth | None = None
    if endpoint.username is not None:
        password = endpoint.password.reveal() if endpoint.password is not None else ""
        auth = httpx.BasicAuth(endpoint.username, password)
    limit = timeout if timeout is not None else endpoint.timeout
    hooks: dict[str, list[Callable[..., Any]]] = {}
    if log is not None:
        hooks = {"request": [_log_request_start], "response": [_make_response_logger(log)]}
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
) -> httpx.Response:
    """Send a request with retries for idempotent calls, translating failures.

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

    Raises:
        BackendUnreachable: connect/TLS failure or timeout (after retries).
        BackendError: an HTTP error status not in ``ok_statuses``.
    """
    retryable = idempotent if idempotent is not None else method in ("GET", "HEAD")
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await client.request(
                method, path, params=params, data=data, json=json_body, headers=headers
            )
        except httpx.TimeoutException as exc:
            if not _may_retry(retryable, attempt, started, policy):
                raise _unreachable(endpoint, exc, client) from None
        except httpx.TransportError as exc:
            if _is_tls_error(exc) or not _may_retry(retryable, attempt, started, policy):
                raise _unreachable(endpoint, exc, client) from None
        else:
            status = response.status_code
            if 200 <= status < 300 or status in ok_statuses:
                return response
            if status in RETRY_STATUSES and _may_retry(retryable, attempt, started, policy):
                delay = _retry_after(response, policy)
                await response.aclose()
                await asyncio.sleep(delay if delay is not None else _backoff(attempt, policy))
                continue
            raise http_status_error(endpoint, response, what=what or path)
        await asyncio.sleep(_backoff(attempt, policy))


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
    endpoint: Endpoint, exc: Exception, client: httpx.AsyncClient
) -> BackendUnreachable:
    url = redact_url(endpoint.base_url)
    name = endpoint.display_name
    if isinstance(exc, httpx.TimeoutException):
        timeout = client.timeout.read or endpoint.timeout
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
    return redact_url(text.splitlines()[0])[:200]


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
    line = " ".join(text.split())
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
