"""The HTTP layer's promises, one by one: which query parameters are secret, what is retried
and how long it waits, how TLS and connect failures read, what an error answer says."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import httpx
import pytest
import respx

from obsctl.backends import http as obs_http
from obsctl.backends.http import (
    RetryPolicy,
    decode_json,
    make_client,
    redact_url,
    send,
    short_reason,
)
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable

BASE = "http://prom.test:9090"


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


class FakeClock:
    """Stands in for the ``time`` module inside ``obsctl.backends.http`` only (the event loop
    keeps the real clock): ``monotonic`` reads the given values in turn, the last one forever."""

    def __init__(self, monotonic=(0.0,), wall: float = 0.0) -> None:
        self._mono = list(monotonic)
        self._wall = wall

    def monotonic(self) -> float:
        return self._mono.pop(0) if len(self._mono) > 1 else self._mono[0]

    def time(self) -> float:
        return self._wall

    def perf_counter(self) -> float:
        return 0.0


@pytest.fixture
def sleeps(monkeypatch):
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(obs_http.asyncio, "sleep", fake_sleep)
    return delays


async def call(ep: Endpoint, side_effect, *, method: str = "GET", **kw):
    """Send one request through ``send`` to a mocked route; returns (response or error, route)."""
    with respx.mock() as mock:
        route = mock.route(method=method, url=f"{ep.base_url}/x").mock(side_effect=side_effect)
        async with make_client(ep) as client:
            try:
                result = await send(client, ep, method, "/x", **kw)
            except (BackendError, BackendUnreachable) as exc:
                return exc, route
    return result, route


# ----------------------------------------------------------------------------- redaction

# Every name the redaction treats as secret, written out so that dropping one fails a test.
SECRET_NAMES = [
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
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_every_secret_query_parameter_is_redacted(name):
    got = redact_url(f"https://h/api?query=up&{name}=s3cr3t-value")
    assert "s3cr3t-value" not in got
    assert got == f"https://h/api?query=up&{name}=***"


@pytest.mark.parametrize("name", ["Access_Token", "X-Amz-Signature", "API_KEY", "Sig"])
def test_secret_query_parameter_names_match_in_any_case(name):
    assert redact_url(f"https://h/?{name}=s3cr3t") == f"https://h/?{name}=***"


@pytest.mark.parametrize("name", ["query", "match[]", "start", "keys", "tokens", "signed"])
def test_ordinary_query_parameters_are_kept(name):
    assert "v4lue" in redact_url(f"https://h/?{name}=v4lue")


def test_redaction_drops_user_info_and_keeps_path_fragment_and_blank_values():
    assert redact_url("https://user:pa55@h:8443/p/a?x=&token=&y=1#frag") == (
        "https://h:8443/p/a?x=&token=***&y=1#frag"
    )
    assert redact_url("https://user@h/p") == "https://h/p"
    assert redact_url(httpx.URL("https://h/p?sig=abc")) == "https://h/p?sig=***"


# ----------------------------------------------------------------------------- retries


async def test_connect_errors_are_retried_until_success(sleeps):
    ep = endpoint()
    resp, route = await call(
        ep,
        [
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.Response(200, text="ok"),
        ],
    )
    assert isinstance(resp, httpx.Response) and resp.text == "ok"
    assert route.call_count == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_timeouts_are_retried_until_success(sleeps, exc_type):
    ep = endpoint()
    resp, route = await call(ep, [exc_type("slow"), httpx.Response(200, text="ok")])
    assert isinstance(resp, httpx.Response) and resp.text == "ok"
    assert route.call_count == 2
    assert len(sleeps) == 1


async def test_connect_errors_give_up_after_the_attempt_budget(sleeps):
    ep = endpoint()
    err, route = await call(
        ep, httpx.ConnectError("[Errno 111] Connection refused"), policy=RetryPolicy(attempts=4)
    )
    assert isinstance(err, BackendUnreachable)
    assert route.call_count == 4
    assert len(sleeps) == 3


async def test_timeouts_give_up_after_the_attempt_budget(sleeps):
    ep = endpoint()
    err, route = await call(ep, httpx.ReadTimeout("slow"), policy=RetryPolicy(attempts=2))
    assert isinstance(err, BackendUnreachable)
    assert route.call_count == 2


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(503)]
)
async def test_post_is_tried_once_whatever_the_failure(sleeps, failure):
    err, route = await call(endpoint(), failure, method="POST")
    assert isinstance(err, BackendError | BackendUnreachable)
    assert route.call_count == 1
    assert sleeps == []


async def test_head_is_retried_like_get(sleeps):
    _, route = await call(endpoint(), [httpx.Response(502), httpx.Response(200)], method="HEAD")
    assert route.call_count == 2


async def test_idempotent_false_disables_retries_for_get(sleeps):
    err, route = await call(endpoint(), httpx.Response(503), idempotent=False)
    assert isinstance(err, BackendError) and err.status == 503
    assert route.call_count == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_retryable_statuses(sleeps, status):
    resp, route = await call(endpoint(), [httpx.Response(status), httpx.Response(200)])
    assert isinstance(resp, httpx.Response) and resp.status_code == 200
    assert route.call_count == 2


@pytest.mark.parametrize("status", [400, 401, 404, 500, 501])
async def test_other_error_statuses_are_not_retried(sleeps, status):
    err, route = await call(endpoint(), httpx.Response(status))
    assert isinstance(err, BackendError) and err.status == status
    assert route.call_count == 1


async def test_ok_statuses_are_returned_not_raised(sleeps):
    resp, route = await call(endpoint(), httpx.Response(404), ok_statuses=frozenset({404}))
    assert isinstance(resp, httpx.Response) and resp.status_code == 404
    assert route.call_count == 1


@pytest.mark.parametrize("status", [200, 204, 299])
async def test_every_2xx_is_success(sleeps, status):
    resp, _ = await call(endpoint(), httpx.Response(status))
    assert isinstance(resp, httpx.Response) and resp.status_code == status


async def test_no_retry_once_the_total_time_budget_is_spent(sleeps, monkeypatch):
    # start, then the first failure 20 s later
    monkeypatch.setattr(obs_http, "time", FakeClock(monotonic=[100.0, 120.0]))
    err, route = await call(endpoint(), httpx.Response(503), policy=RetryPolicy(total=20.0))
    assert isinstance(err, BackendError)
    assert route.call_count == 1


async def test_retry_while_within_the_total_time_budget(sleeps, monkeypatch):
    monkeypatch.setattr(obs_http, "time", FakeClock(monotonic=[100.0, 119.9]))
    resp, route = await call(
        endpoint(), [httpx.Response(503), httpx.Response(200)], policy=RetryPolicy(total=20.0)
    )
    assert isinstance(resp, httpx.Response)
    assert route.call_count == 2


# ----------------------------------------------------------------------------- backoff


@pytest.mark.parametrize(
    ("pick", "expected"),
    [
        (lambda lo, hi: hi, [0.2, 0.4, 0.8, 1.6]),  # doubling from base_delay
        (lambda lo, hi: lo, [0.1, 0.2, 0.4, 0.8]),  # full jitter down to half the ceiling
    ],
)
async def test_backoff_doubles_from_the_base_delay_with_jitter(sleeps, monkeypatch, pick, expected):
    monkeypatch.setattr(obs_http.random, "uniform", pick)
    await call(endpoint(), httpx.Response(503), policy=RetryPolicy(attempts=5))
    assert sleeps == pytest.approx(expected)


async def test_backoff_is_capped_at_max_delay(sleeps, monkeypatch):
    monkeypatch.setattr(obs_http.random, "uniform", lambda lo, hi: hi)
    policy = RetryPolicy(attempts=4, base_delay=2.0, max_delay=5.0)
    await call(endpoint(), httpx.ConnectError("refused"), policy=policy)
    assert sleeps == pytest.approx([2.0, 4.0, 5.0])


# ----------------------------------------------------------------------------- Retry-After

NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Wed, 25 Nov 2026 10:00:03 GMT", 3.0),  # an HTTP date 3 s from now
        ("Wed, 25 Nov 2026 10:05:00 GMT", 5.0),  # capped at max_delay
        ("Wed, 25 Nov 2026 09:59:00 GMT", 0.0),  # already past: retry at once
        ("1.5", 1.5),
        ("600", 5.0),  # capped
        ("-3", 0.0),
    ],
)
async def test_retry_after_seconds_and_http_date(sleeps, monkeypatch, header, expected):
    monkeypatch.setattr(obs_http, "time", FakeClock(wall=NOW))
    await call(
        endpoint(), [httpx.Response(503, headers={"Retry-After": header}), httpx.Response(200)]
    )
    assert sleeps == [pytest.approx(expected)]


@pytest.mark.parametrize("header", ["soon", "", "Someday, 99 Foo 2026"])
async def test_unparseable_retry_after_falls_back_to_backoff(sleeps, monkeypatch, header):
    monkeypatch.setattr(obs_http.random, "uniform", lambda lo, hi: hi)
    await call(
        endpoint(), [httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200)]
    )
    assert sleeps == [pytest.approx(0.2)]


# ----------------------------------------------------------------------------- TLS


def tls_error(message: str, cause: BaseException | None = None) -> httpx.ConnectError:
    exc = httpx.ConnectError(message)
    exc.__cause__ = cause
    return exc


async def call_raising(ep: Endpoint, exc: Exception, **kw):
    """Like ``call``, through a transport that raises ``exc`` as is (respx replaces the
    ``__cause__`` chain, where httpx keeps the ``ssl`` error)."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise exc

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url=ep.base_url) as client:
        with pytest.raises(BackendUnreachable) as err:
            await send(client, ep, "GET", "/x", **kw)
    return err.value, len(calls)


TLS_HINT = "set ca_file (or insecure_skip_verify: true for testing) on the endpoint"


@pytest.mark.parametrize(
    "exc",
    [
        # An ssl exception as the cause ...
        tls_error("handshake failed", ssl.SSLCertVerificationError(1, "verify failed")),
        # ... or only the words of the message (any case for "certificate").
        tls_error("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"),
        tls_error("peer sent a bad certificate"),
    ],
)
async def test_tls_failures_are_classified_not_retried_and_hint_at_ca_file(sleeps, exc):
    ep = endpoint(url="https://prom.test:9090")
    err, calls = await call_raising(ep, exc)
    assert err.message.startswith(
        "TLS handshake with Prometheus at https://prom.test:9090 failed: "
    )
    assert err.hint == f"{TLS_HINT} (context prod)"
    assert calls == 1
    assert sleeps == []


async def test_tls_error_deep_in_the_context_chain_is_found(sleeps):
    middle = OSError("wrapped")
    middle.__context__ = ssl.SSLError(1, "tlsv1 alert")
    err, calls = await call_raising(endpoint(), tls_error("handshake failed", middle))
    assert err.message.startswith("TLS handshake with Prometheus")
    assert calls == 1


async def test_cyclic_cause_chain_without_tls_is_a_plain_connect_error(sleeps):
    a = OSError("a")
    b = OSError("b")
    a.__cause__, b.__cause__ = b, a
    err, calls = await call_raising(endpoint(), tls_error("refused", a))
    assert err.message == f"cannot connect to Prometheus at {BASE}: refused"
    assert calls == 3  # a plain connect error is retried


async def test_tls_hint_outside_a_context_has_no_context_note(sleeps):
    ep = endpoint(source="flag", context=None)
    err, _ = await call_raising(ep, tls_error("[SSL] handshake"))
    assert err.hint == TLS_HINT


# ----------------------------------------------------------------------------- messages


async def test_connect_error_hint_names_the_url_flag_and_context(sleeps):
    err, _ = await call(endpoint(), httpx.ConnectError("[Errno 111] Connection refused"))
    assert err.hint == (
        f"is Prometheus running at {BASE}? (context prod) "
        "Set --prometheus-url or the context's prometheus url"
    )


async def test_connect_error_hint_for_grafana_points_at_the_context(sleeps):
    ep = endpoint(kind="grafana", source="flag", context=None)
    err, _ = await call(ep, httpx.ConnectError("[Errno 111] Connection refused"))
    assert err.hint == (
        f"is Grafana running at {BASE}? Set the context or the context's grafana url"
    )


async def test_connect_error_message_and_fields_redact_the_url(sleeps):
    ep = endpoint(url="http://bob:pw@prom.test:9090")
    err, _ = await call(ep, httpx.ConnectError("[Errno 111] Connection refused"))
    assert err.message == f"cannot connect to Prometheus at {BASE}: connection refused"
    assert err.url == BASE
    assert err.backend == "prometheus"


@pytest.mark.parametrize(
    ("exc", "word", "seconds"),
    [
        (httpx.ConnectTimeout("slow"), "connecting", "3"),
        (httpx.ReadTimeout("slow"), "waiting for an answer", "3"),
        (httpx.WriteTimeout("slow"), "waiting for an answer", "3"),
    ],
)
async def test_timeout_message_says_what_timed_out(sleeps, exc, word, seconds):
    ep = endpoint(timeout=3.0)
    err, _ = await call(ep, exc)
    assert err.message == f"Prometheus at {BASE} timed out after {seconds}s {word}"
    assert err.hint == "raise `timeout` for prometheus in the context, or narrow the request"
    assert err.url == BASE


async def test_timeout_message_uses_the_client_timeout_when_given(sleeps):
    ep = endpoint(timeout=3.0)
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(side_effect=httpx.ReadTimeout("slow"))
        async with make_client(ep, timeout=7.5) as client:
            with pytest.raises(BackendUnreachable) as err:
                await send(client, ep, "GET", "/x")
    assert "timed out after 7.5s" in err.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[Errno 111] Connection refused", "connection refused"),
        ("All connection attempts failed", "connection refused"),
        ("[Errno -2] Name or service not known", "unknown host"),
        ("nodename nor servname provided, or not known", "unknown host"),
        ("[Errno -3] Temporary failure in name resolution", "DNS lookup failed"),
        (
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: x",
            "certificate verify failed",
        ),
        ("first line\nsecond line", "first line"),
        ("https://u:p@h/x?token=abc", "https://***@h/x?token=***"),
    ],
)
def test_short_reason(text, reason):
    assert short_reason(OSError(text)) == reason


def test_short_reason_of_an_empty_error_is_its_type_and_long_reasons_are_cut():
    assert short_reason(httpx.ConnectError("")) == "ConnectError"
    assert short_reason(OSError("x" * 500)) == "x" * 200


@pytest.mark.parametrize(
    ("status", "tenant", "hint"),
    [
        (
            401,
            None,
            "credentials missing or expired for prometheus (context prod): check "
            "token/username/password (multi-tenant servers also need `tenant`)",
        ),
        (
            401,
            "team-a",
            "credentials missing or expired for prometheus (context prod): check "
            "token/username/password",
        ),
        (403, None, "access denied for prometheus (context prod): check token/username/password"),
        (404, None, f"is {BASE} the right base URL? Mimir needs path_prefix /prometheus"),
        (500, None, None),
    ],
)
async def test_error_status_hints(sleeps, status, tenant, hint):
    err, _ = await call(endpoint(tenant=tenant), httpx.Response(status))
    assert isinstance(err, BackendError)
    assert err.hint == hint
    assert err.message == f"Prometheus answered HTTP {status} for /x"


async def test_rate_limited_hint_after_retries(sleeps):
    err, route = await call(endpoint(), httpx.Response(429), policy=RetryPolicy(attempts=2))
    assert err.hint == "rate limited; try again shortly or narrow the request"
    assert route.call_count == 2


async def test_error_message_names_what_was_fetched(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500), what="the rules")
    assert err.message == "Prometheus answered HTTP 500 for the rules"


@pytest.mark.parametrize("key", ["error", "message", "msg", "detail"])
async def test_server_message_from_json_error_keys(sleeps, key):
    err, _ = await call(endpoint(), httpx.Response(500, json={key: "disk\n  full"}))
    assert err.server_message == "disk full"
    assert err.message == "Prometheus answered HTTP 500 for /x: disk full"


async def test_server_message_prefers_error_over_message(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500, json={"message": "b", "error": "a"}))
    assert err.server_message == "a"


async def test_server_message_from_a_json_body_without_content_type(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500, content=b'{"error": "bad"}'))
    assert err.server_message == "bad"


async def test_server_message_of_json_without_a_known_key_is_the_body(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500, json={"status": 5}))
    assert err.server_message == '{"status":5}'


async def test_server_message_of_an_html_page(sleeps):
    err, _ = await call(
        endpoint(),
        httpx.Response(502, html="<html>Bad gateway</html>"),
        policy=RetryPolicy(attempts=1),
    )
    assert err.server_message == "(an HTML page: a proxy or login page?)"
    err, _ = await call(endpoint(), httpx.Response(500, content=b"  <!doctype html>"))
    assert err.server_message == "(an HTML page: a proxy or login page?)"


async def test_server_message_of_plain_text_is_one_line_and_bounded(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500, text="a\nb\t c"))
    assert err.server_message == "a b c"
    err, _ = await call(endpoint(), httpx.Response(500, text="y" * 1000))
    assert err.server_message == "y" * 299 + "…"
    err, _ = await call(endpoint(), httpx.Response(500, text="z" * 300))
    assert err.server_message == "z" * 300


async def test_empty_error_body_gives_no_server_message(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500))
    assert err.server_message == ""
    assert err.message == "Prometheus answered HTTP 500 for /x"


# ----------------------------------------------------------------------------- decode_json


def test_decode_json_of_valid_json():
    resp = httpx.Response(200, content=b'{"a": [1, 2]}')
    assert decode_json(resp, endpoint(), what="/x") == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (httpx.Response(200, content=b""), "an empty body"),
        (
            httpx.Response(
                200, content=b"hello", headers={"content-type": "text/plain; charset=utf-8"}
            ),
            "non-JSON text/plain (5 bytes)",
        ),
        (httpx.Response(200, content=b"oops"), "non-JSON unknown (4 bytes)"),
        (
            httpx.Response(200, content=b"  <p>hi</p>"),
            "an HTML page (a proxy or login page in front of it?)",
        ),
    ],
)
def test_decode_json_says_what_came_instead(response, detail):
    with pytest.raises(BackendError) as err:
        decode_json(response, endpoint(), what="/api/v1/query")
    assert err.value.message == f"Prometheus sent {detail} for /api/v1/query, expected JSON"
    assert err.value.hint == f"check that {BASE} is the Prometheus API"
    assert err.value.status == 200


async def test_server_message_of_an_html_content_type_without_markup(sleeps):
    resp = httpx.Response(500, text="Sign in", headers={"content-type": "text/html"})
    err, _ = await call(endpoint(), resp)
    assert err.server_message == "(an HTML page: a proxy or login page?)"


# ----------------------------------------------------------------------------- debug log


class TickingClock(FakeClock):
    """``perf_counter`` reads 1.0 when the request starts, 5.0 next (the fallback start the
    response hook evaluates) and 3.0 ever after: 2,000 ms only when the start was recorded."""

    def __init__(self) -> None:
        super().__init__()
        self._ticks = [1.0, 5.0]

    def perf_counter(self) -> float:
        return self._ticks.pop(0) if self._ticks else 3.0


async def test_debug_log_line_has_method_redacted_url_status_and_milliseconds(monkeypatch):
    monkeypatch.setattr(obs_http, "time", TickingClock())
    ep = endpoint()
    lines: list[str] = []
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(204)
        async with make_client(ep, log=lines.append) as client:
            await send(client, ep, "GET", "/x", params={"api_key": "k"})
    assert lines == [f"GET {BASE}/x?api_key=*** → 204 (2000 ms)"]


# ----------------------------------------------------------------------------- fields, client


async def test_every_error_carries_backend_and_redacted_url(sleeps):
    ep = endpoint(url="https://bob:pw@prom.test:9090")
    clean = "https://prom.test:9090"
    tls, _ = await call_raising(ep, tls_error("[SSL] handshake failed"))
    assert (tls.backend, tls.url) == ("prometheus", clean)
    assert tls.message == f"TLS handshake with Prometheus at {clean} failed: [SSL] handshake failed"
    slow, _ = await call(ep, httpx.ReadTimeout("slow"))
    assert (slow.backend, slow.url) == ("prometheus", clean)
    status, _ = await call(ep, httpx.Response(500))
    assert status.backend == "prometheus"
    with pytest.raises(BackendError) as err:
        decode_json(httpx.Response(200, content=b"x"), ep, what="/x")
    assert err.value.backend == "prometheus"


async def test_json_error_body_with_leading_whitespace_is_still_read(sleeps):
    resp = httpx.Response(
        500, content=b'  {"error": "bad"}', headers={"content-type": "application/json"}
    )
    err, _ = await call(endpoint(), resp)
    assert err.server_message == "bad"


async def test_error_body_that_is_not_utf8_is_shown_with_replacement_characters(sleeps):
    err, _ = await call(endpoint(), httpx.Response(500, content=b"\xff\xfe broken"))
    assert err.server_message == "\ufffd\ufffd broken"


def test_decode_json_names_an_html_content_type_without_markup():
    resp = httpx.Response(200, content=b"Sign in", headers={"content-type": "text/html"})
    with pytest.raises(BackendError, match="sent an HTML page"):
        decode_json(resp, endpoint(), what="/x")


async def test_a_300_answer_is_an_error_not_a_success(sleeps):
    err, _ = await call(endpoint(), httpx.Response(300))
    assert isinstance(err, BackendError) and err.status == 300


async def test_json_body_is_sent():
    ep = endpoint()
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/x").respond(200)
        async with make_client(ep) as client:
            await send(client, ep, "POST", "/x", json_body={"a": 1})
    assert route.calls.last.request.content == b'{"a":1}'


async def test_username_without_password_sends_an_empty_password():
    ep = endpoint(username="bob")
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/x").respond(200)
        async with make_client(ep) as client:
            await send(client, ep, "GET", "/x")
    assert route.calls.last.request.headers["Authorization"] == "Basic Ym9iOg=="


def test_password_containing_an_at_sign_is_removed_whole():
    assert redact_url("https://bob:p@ss@h/x") == "https://h/x"


async def test_client_settings():
    client = make_client(endpoint(timeout=30.0))
    try:
        assert client.follow_redirects is True
        assert client.trust_env is True
        assert client.timeout.read == 30.0
        assert client.timeout.connect == 10.0
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 32
        assert pool._max_keepalive_connections == 16
    finally:
        await client.aclose()
    short = make_client(endpoint(timeout=2.0))
    try:
        assert short.timeout.connect == 2.0
    finally:
        await short.aclose()


def test_missing_client_certificate_files_are_a_config_error_with_a_hint(tmp_path):
    from obsctl.errors import ConfigError

    ep = endpoint(
        url="https://prom.test",
        cert_file=str(tmp_path / "client.crt"),
        key_file=str(tmp_path / "client.key"),
    )
    with pytest.raises(ConfigError) as err:
        make_client(ep)
    assert err.value.message == "prometheus: cannot load TLS files: No such file or directory"
    assert err.value.hint == "check ca_file, cert_file and key_file in the context"


async def test_a_certificate_without_a_key_is_not_loaded(tmp_path):
    ep = endpoint(url="https://prom.test", cert_file=str(tmp_path / "client.crt"))
    client = make_client(ep)  # loading the (missing) file would raise ConfigError
    assert isinstance(client, httpx.AsyncClient)
    await client.aclose()
