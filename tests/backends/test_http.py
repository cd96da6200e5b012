"""The HTTP layer: request shape, retries, failure translation, redaction."""

from __future__ import annotations

import httpx
import pytest
import respx

from obsctl.backends import http as obs_http
from obsctl.backends.http import RetryPolicy, decode_json, make_client, redact_url, send
from obsctl.config.schema import Endpoint, Secret
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


@pytest.fixture
def no_sleep(monkeypatch):
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(obs_http.asyncio, "sleep", fake_sleep)
    return delays


async def test_request_shape_auth_tenant_prefix():
    ep = endpoint(
        path_prefix="/prometheus",
        tenant="team-a",
        token=Secret("tok", "env T"),
        headers=(("X-Extra", "1"),),
    )
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}/prometheus/api/v1/query").respond(200, json={"ok": 1})
        async with make_client(ep) as client:
            resp = await send(client, ep, "GET", "/api/v1/query", params={"query": "up"})
    req = route.calls.last.request
    assert resp.status_code == 200
    assert req.url.params["query"] == "up"
    assert req.headers["X-Scope-OrgID"] == "team-a"
    assert req.headers["Authorization"] == "Bearer tok"
    assert req.headers["X-Extra"] == "1"
    assert req.headers["User-Agent"].startswith("obsctl/")


async def test_basic_auth():
    ep = endpoint(username="bob", password=Secret("pw", "literal"))
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/x").respond(200)
        async with make_client(ep) as client:
            await send(client, ep, "GET", "/x")
    assert route.calls.last.request.headers["Authorization"] == "Basic Ym9iOnB3"


async def test_retries_503_then_succeeds(no_sleep):
    ep = endpoint()
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/x").mock(
            side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok")]
        )
        async with make_client(ep) as client:
            resp = await send(client, ep, "GET", "/x")
    assert resp.text == "ok"
    assert route.call_count == 3
    assert len(no_sleep) == 2 and all(0 < d <= 5 for d in no_sleep)


async def test_retry_after_is_honoured(no_sleep):
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(
            side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)]
        )
        async with make_client(ep) as client:
            await send(client, ep, "GET", "/x")
    assert no_sleep == [2.0]


async def test_gives_up_after_attempts(no_sleep):
    ep = endpoint()
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/x").respond(503, text="overloaded")
        async with make_client(ep) as client:
            with pytest.raises(BackendError) as err:
                await send(client, ep, "GET", "/x", policy=RetryPolicy(attempts=3))
    assert route.call_count == 3
    assert err.value.status == 503
    assert "HTTP 503" in err.value.message and "overloaded" in err.value.message


async def test_post_is_not_retried_unless_idempotent(no_sleep):
    ep = endpoint()
    with respx.mock() as mock:
        route = mock.post(f"{BASE}/x").respond(503)
        async with make_client(ep) as client:
            with pytest.raises(BackendError):
                await send(client, ep, "POST", "/x")
        assert route.call_count == 1
        route.reset()
        async with make_client(ep) as client:
            with pytest.raises(BackendError):
                await send(client, ep, "POST", "/x", idempotent=True)
        assert route.call_count == 3


async def test_connect_error_becomes_unreachable_with_hint(no_sleep):
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
        async with make_client(ep) as client:
            with pytest.raises(BackendUnreachable) as err:
                await send(client, ep, "GET", "/x")
    assert err.value.message == f"cannot connect to Prometheus at {BASE}: connection refused"
    assert "is Prometheus running at" in err.value.hint and "context prod" in err.value.hint


async def test_timeout_becomes_unreachable(no_sleep):
    ep = endpoint(timeout=2.0)
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").mock(side_effect=httpx.ReadTimeout("slow"))
        async with make_client(ep) as client:
            with pytest.raises(BackendUnreachable, match="timed out after 2s"):
                await send(client, ep, "GET", "/x")


@pytest.mark.parametrize(
    ("status", "needle"), [(401, "credentials missing or expired"), (403, "access denied")]
)
async def test_auth_failures_hint_at_context(status, needle):
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(status, json={"error": "nope"})
        async with make_client(ep) as client:
            with pytest.raises(BackendError) as err:
                await send(client, ep, "GET", "/x")
    assert err.value.status == status
    assert needle in err.value.hint and "context prod" in err.value.hint
    assert "nope" in err.value.message


async def test_html_login_page_is_named():
    ep = endpoint()
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(200, html="<html><body>Sign in</body></html>")
        async with make_client(ep) as client:
            resp = await send(client, ep, "GET", "/x")
    with pytest.raises(BackendError, match="HTML page"):
        decode_json(resp, ep, what="/x")


async def test_debug_log_redacts(no_sleep):
    ep = endpoint(token=Secret("tok-123", "env T"))
    lines: list[str] = []
    with respx.mock() as mock:
        mock.get(f"{BASE}/x").respond(200)
        async with make_client(ep, log=lines.append) as client:
            await send(client, ep, "GET", "/x", params={"query": "up", "token": "abc"})
    assert len(lines) == 1
    assert lines[0].startswith(f"GET {BASE}/x?query=up&token=***")
    assert "→ 200" in lines[0]
    assert "tok-123" not in lines[0] and "abc" not in lines[0]


def test_redact_url():
    assert redact_url("https://u:p@h:1/x?a=1&password=2&api_key=3") == (
        "https://h:1/x?a=1&password=***&api_key=***"
    )


def test_unreadable_ca_file_is_a_config_error(tmp_path):
    from obsctl.errors import ConfigError

    ep = endpoint(ca_file=str(tmp_path / "missing-ca.pem"))
    with pytest.raises(ConfigError, match="cannot load TLS files"):
        make_client(ep)


def test_insecure_skip_verify_disables_verification():
    ep = endpoint(url="https://prom.test", insecure_skip_verify=True)
    client = make_client(ep)
    try:
        transport = client._transport  # the pool's SSL context is what httpx verifies with
        ctx = transport._pool._ssl_context  # type: ignore[attr-defined]
        import ssl

        assert ctx.verify_mode == ssl.CERT_NONE
    finally:
        import asyncio

        asyncio.run(client.aclose())
