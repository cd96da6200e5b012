"""Scrape a ``/metrics`` URL as Prometheus does, streaming the body with a size and time limit.

The body is handed to a callback chunk by chunk, so a parser can consume an exposition of any
size in bounded memory, and an endless or oversized response stops with a clear error instead
of filling memory or hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import httpx

from obsctl.backends.http import (
    ERROR_BODY_BYTES,
    LogFn,
    http_status_error,
    make_client,
    read_bounded,
    redact_url,
    short_reason,
    translate_httpx_error,
)
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError, BackendUnreachable

ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)
"""The Accept header Prometheus sends: OpenMetrics preferred, text format accepted."""
DEFAULT_MAX_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class ScrapeInfo:
    """What came back besides the body."""

    url: str
    status: int
    content_type: str
    bytes_read: int
    stopped: bool
    """True when the consumer asked to stop early (it had seen enough)."""


def target_endpoint(url: str, *, auth_from: Endpoint | None, timeout: float) -> Endpoint:
    """An endpoint for scraping ``url``.

    Credentials of ``auth_from`` (the context's Prometheus endpoint) are reused only when
    ``url`` has the same scheme, host and port, so a token never leaks to another host.
    """
    ep = Endpoint(kind="target", url=url, source="argument", configured=True, timeout=timeout)
    if auth_from is not None and _origin(auth_from.url) == _origin(url):
        ep = replace(
            ep,
            tenant=auth_from.tenant,
            token=auth_from.token,
            username=auth_from.username,
            password=auth_from.password,
            headers=auth_from.headers,
            ca_file=auth_from.ca_file,
            cert_file=auth_from.cert_file,
            key_file=auth_from.key_file,
            insecure_skip_verify=auth_from.insecure_skip_verify,
        )
    return ep


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.rsplit("@", 1)[-1].lower()


async def scrape(
    endpoint: Endpoint,
    on_chunk: Callable[[bytes], bool],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    log: LogFn | None = None,
    on_headers: Callable[[str], None] | None = None,
) -> ScrapeInfo:
    """GET ``endpoint.url`` and feed the body to ``on_chunk`` (which returns False to stop).

    The whole exchange (connect, headers, body) must finish within ``endpoint.timeout``
    seconds.

    Raises:
        BackendUnreachable: connect/TLS failure, or the timeout.
        BackendError: an HTTP error status, or a body larger than ``max_bytes``.
    """
    url = endpoint.url
    shown = redact_url(url)
    total = 0
    answered = False
    try:
        async with asyncio.timeout(endpoint.timeout):
            async with (
                make_client(endpoint, log=log) as client,
                client.stream("GET", url, headers={"Accept": ACCEPT}) as response,
            ):
                answered = True
                if response.status_code >= 300:
                    await read_bounded(
                        response,
                        endpoint,
                        client,
                        limit=ERROR_BODY_BYTES,
                        what=shown,
                        truncate=True,
                    )
                    raise http_status_error(endpoint, response, what=shown)
                ctype = response.headers.get("content-type", "")
                if on_headers is not None:
                    on_headers(ctype)
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise BackendError(
                            f"{shown} sent more than {max_bytes:,} bytes; stopped reading",
                            backend="target",
                            hint="raise --max-bytes, or check the target for a runaway exposition",
                        )
                    if not on_chunk(chunk):
                        return ScrapeInfo(url, response.status_code, ctype, total, True)
                return ScrapeInfo(url, response.status_code, ctype, total, False)
    except TimeoutError:
        raise BackendUnreachable(
            f"scraping {shown} did not finish within {endpoint.timeout:g}s ({total:,} bytes read)",
            backend="target",
            url=shown,
            hint="raise --timeout, or check the target",
        ) from None
    except httpx.TimeoutException:
        raise BackendUnreachable(
            f"scraping {shown} timed out after {endpoint.timeout:g}s",
            backend="target",
            url=shown,
            hint="raise --timeout, or check the target",
        ) from None
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        if answered:
            raise BackendError(
                f"{shown} closed the connection while answering ({total:,} bytes read)",
                backend="target",
                hint="the answer was cut short: check the target (or a proxy in front of it)",
            ) from None
        raise BackendUnreachable(
            f"cannot scrape {shown}: {short_reason(exc)}",
            backend="target",
            url=shown,
            hint="is the target running and the URL right?",
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise translate_httpx_error(exc, endpoint, None, what=shown) from None
    except httpx.TransportError as exc:  # pragma: no cover - caught above
        raise BackendUnreachable(
            f"cannot scrape {shown}: {short_reason(exc)}",
            backend="target",
            url=shown,
            hint="is the target running and the URL right?",
        ) from None
