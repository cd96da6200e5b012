"""Probes used by ``obsctl doctor``: version, capabilities and health of each endpoint kind.

``backends.registry`` says which probe checks which kind.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from obsctl.backends.http import decode_json, send
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError

PROBE_MAX_BYTES = 16 * 1024 * 1024
"""Cap on one probe answer (16 MiB)."""


@dataclass
class ProbeResult:
    """Mutable accumulator filled by a probe."""

    version: str | None = None
    flavor: str | None = None
    capabilities: dict[str, bool] = field(default_factory=dict)
    health: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    latency_ms: float | None = None


HttpProbe = Callable[[httpx.AsyncClient, Endpoint, ProbeResult], Awaitable[None]]
"""A probe speaking HTTP; ``backends.registry`` keys them by kind and makes the client."""


async def _get_json(
    client: httpx.AsyncClient,
    ep: Endpoint,
    path: str,
    params: dict[str, str] | None = None,
    ok: frozenset[int] = frozenset(),
) -> tuple[int, Any]:
    resp = await send(client, ep, "GET", path, params=params, ok_statuses=ok)
    if resp.status_code >= 300:
        return resp.status_code, None
    return resp.status_code, decode_json(resp, ep, what=path)


def _prom_data(doc: Any) -> Any:
    if isinstance(doc, dict) and doc.get("status") == "success":
        return doc.get("data")
    return None


def _kind_of(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _wrong_shape(ep: Endpoint, path: str, expected: str, got: Any) -> BackendError:
    return BackendError(
        f"{ep.display_name} answered {path} with JSON of the wrong shape: expected {expected}, "
        f"got {_kind_of(got)}",
        backend=ep.kind,
        hint=f"is {ep.base_url} the {ep.display_name} API (and not a proxy or another service)?",
    )


async def probe_prometheus(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """Build info, flavour, exemplar storage, TSDB status API, targets, rules, head series."""
    missing = frozenset({400, 404, 405, 501})
    t0 = time.perf_counter()
    status, doc = await _get_json(client, ep, "/api/v1/status/buildinfo", ok=missing)
    res.latency_ms = (time.perf_counter() - t0) * 1000
    build = _prom_data(doc) if status == 200 else None
    if isinstance(build, dict):
        res.version = str(build.get("version", "")) or None
    # Reachability/auth are proven by a query every flavour supports.
    status, doc = await _get_json(client, ep, "/api/v1/query", {"query": "vector(1)"})
    data = _prom_data(doc)
    if data is not None and not (isinstance(data, dict) and "resultType" in data):
        raise _wrong_shape(ep, "/api/v1/query", "data with a resultType", data)
    if data is None:
        raise BackendError(
            f"{ep.display_name} did not answer a test query (vector(1))", backend=ep.kind
        )
    res.capabilities["query_api"] = True
    flavor = await _detect_flavor(client, ep, build)
    res.flavor = flavor if ep.flavor == "auto" else ep.flavor
    if res.flavor == "victoriametrics":
        await _probe_victoria_metrics(client, ep, res)
    else:
        await _probe_prometheus_features(client, ep, res)
    status, doc = await _get_json(client, ep, "/api/v1/status/tsdb", ok=missing)
    tsdb = _prom_data(doc) if status == 200 else None
    res.capabilities["tsdb_status"] = isinstance(tsdb, dict)
    if isinstance(tsdb, dict):
        head = tsdb.get("headStats") or {}
        if isinstance(head.get("numSeries"), int):
            res.stats["head_series"] = head["numSeries"]
        elif isinstance(tsdb.get("totalSeries"), int):  # VictoriaMetrics
            res.stats["total_series"] = tsdb["totalSeries"]
    status, doc = await _get_json(client, ep, "/api/v1/query", {"query": "up == 0"}, ok=missing)
    data = _prom_data(doc)
    if isinstance(data, dict):
        down = [r.get("metric", {}) for r in data.get("result", [])]
        res.stats["targets_down"] = len(down)
        for labels in down[:5]:
            res.health.append(
                f"target down: job={labels.get('job', '?')} instance={labels.get('instance', '?')}"
            )
        if len(down) > 5:
            res.health.append(f"… and {len(down) - 5} more targets down")
    status, doc = await _get_json(client, ep, "/api/v1/rules", ok=missing)
    rules = _prom_data(doc)
    res.capabilities["rules_api"] = isinstance(rules, dict)
    if isinstance(rules, dict):
        for group in rules.get("groups", []):
            bad = [
                r for r in group.get("rules", []) if r.get("health") not in (None, "ok", "unknown")
            ]
            for rule in bad[:3]:
                res.health.append(
                    f"rule failing: group {group.get('name')!r} rule {rule.get('name')!r}: "
                    f"{str(rule.get('lastError', ''))[:120]}"
                )


async def _probe_prometheus_features(
    client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult
) -> None:
    missing = frozenset({400, 404, 405, 501})
    # Exemplar storage: the query_exemplars endpoint exists on Prometheus ≥ 2.26, but returns
    # data only with --enable-feature=exemplar-storage; the flags endpoint tells.
    status, doc = await _get_json(client, ep, "/api/v1/status/flags", ok=missing)
    flags = _prom_data(doc) if status == 200 else None
    if isinstance(flags, dict):
        features = str(flags.get("enable-feature", ""))
        res.capabilities["exemplar_storage"] = "exemplar-storage" in features
        res.capabilities["remote_write_receiver"] = (
            "remote-write-receiver" in features
            or str(flags.get("web.enable-remote-write-receiver", "false")) == "true"
        )
    else:
        status, _ = await _get_json(
            client,
            ep,
            "/api/v1/query_exemplars",
            {"query": "up", "start": "0", "end": "1"},
            ok=missing,
        )
        res.capabilities["exemplar_storage"] = status == 200


_VM_VERSION = re.compile(r'vm_app_version\{version="([^"]*)",\s*short_version="([^"]*)"\}')


async def _probe_victoria_metrics(
    client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult
) -> None:
    """VictoriaMetrics: its own version, and capabilities probed rather than assumed.

    Its ``buildinfo`` is empty or names a Prometheus-compatible version, so the version comes
    from ``vm_app_version`` on ``/metrics`` (Debian's build leaves it empty: version unknown).
    ``query_exemplars`` answers on every VictoriaMetrics but is a stub on versions without
    exemplar storage, so exemplar storage counts only when it returns exemplars.
    """
    missing = frozenset({400, 401, 403, 404, 405, 501})
    res.version = None
    resp = await send(client, ep, "GET", "/metrics", ok_statuses=missing)
    if resp.status_code == 200:
        m = _VM_VERSION.search(resp.text)
        if m is not None:
            res.version = m.group(2).lstrip("v") or m.group(1) or None
    res.capabilities["metricsql"] = True
    now = int(time.time())
    status, doc = await _get_json(
        client,
        ep,
        "/api/v1/query_exemplars",
        {"query": '{__name__=~".+"}', "start": str(now - 3600), "end": str(now)},
        ok=missing,
    )
    data = _prom_data(doc) if status == 200 else None
    res.capabilities["exemplar_storage"] = isinstance(data, list) and len(data) > 0
    # The remote-write receiver is always on; an empty GET answers 400 ("cannot decompress").
    resp = await send(client, ep, "GET", "/api/v1/write", ok_statuses=missing)
    res.capabilities["remote_write_receiver"] = resp.status_code in (200, 204, 400, 405)


async def _detect_flavor(client: httpx.AsyncClient, ep: Endpoint, build: Any) -> str:
    missing = frozenset({400, 404, 405, 501, 500})
    resp = await send(client, ep, "GET", "/api/v1/status/buildinfo", ok_statuses=missing)
    server = resp.headers.get("server", "").lower()
    if "victoriametrics" in server:
        return "victoriametrics"
    if isinstance(build, dict):
        text = " ".join(str(v) for v in build.values()).lower()
        for name in ("thanos", "mimir", "cortex", "victoriametrics"):
            if name in text:
                return "mimir" if name == "cortex" else name
    # VictoriaMetrics answers buildinfo with nothing (or a Prometheus-compatible version);
    # its query-statistics API is its own.
    resp = await send(client, ep, "GET", "/api/v1/status/top_queries", ok_statuses=missing)
    if resp.status_code == 200 and "topByCount" in resp.text:
        return "victoriametrics"
    if isinstance(build, dict) and build.get("version"):
        # Thanos answers buildinfo too; its store API is the giveaway.
        resp = await send(client, ep, "GET", "/api/v1/stores", ok_statuses=missing)
        return "thanos" if resp.status_code == 200 else "prometheus"
    if ep.path_prefix.strip("/") == "prometheus":
        return "mimir"
    resp = await send(client, ep, "GET", "/api/v1/status/tsdb", ok_statuses=missing)
    return "victoriametrics" if "victoria" in resp.text.lower() else "unknown"


async def probe_alertmanager(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """Version and cluster status from the v2 API; active alert count."""
    t0 = time.perf_counter()
    _, doc = await _get_json(client, ep, "/api/v2/status")
    res.latency_ms = (time.perf_counter() - t0) * 1000
    if not (isinstance(doc, dict) and ("versionInfo" in doc or "cluster" in doc)):
        raise _wrong_shape(ep, "/api/v2/status", "an object with versionInfo", doc)
    res.capabilities["v2_api"] = isinstance(doc, dict)
    if isinstance(doc, dict):
        res.version = str((doc.get("versionInfo") or {}).get("version", "")) or None
        cluster = doc.get("cluster") or {}
        if cluster.get("status") not in (None, "ready", "disabled"):
            res.health.append(f"cluster status: {cluster.get('status')}")
    _status, alerts = await _get_json(client, ep, "/api/v2/alerts", {"active": "true"})
    if isinstance(alerts, list):
        res.stats["active_alerts"] = len(alerts)


async def probe_tempo(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """Build info, the v2 trace-by-ID API and search."""
    missing = frozenset({400, 404, 405, 501})
    t0 = time.perf_counter()
    resp = await send(client, ep, "GET", "/api/echo", ok_statuses=missing)
    res.latency_ms = (time.perf_counter() - t0) * 1000
    if resp.status_code == 200 and resp.text.strip() != "echo":
        raise BackendError(
            f"{ep.display_name} answered /api/echo with {len(resp.content)} bytes other than "
            "'echo'",
            backend=ep.kind,
            hint=f"is {ep.base_url} the Tempo API (and not a proxy or another service)?",
        )
    _status, doc = await _get_json(client, ep, "/api/status/buildinfo", ok=missing)
    if isinstance(doc, dict):
        res.version = str(doc.get("version", "")) or None
    zero = "0" * 32
    resp = await send(
        client, ep, "GET", f"/api/v2/traces/{zero}", ok_statuses=frozenset({400, 404, 405, 501})
    )
    # An unknown trace is a 404 either way; only a missing route says "404 page not found".
    res.capabilities["trace_api_v2"] = not (
        resp.status_code == 404 and "page not found" in resp.text.lower()
    )
    resp = await send(client, ep, "GET", "/api/search", params={"limit": "1"}, ok_statuses=missing)
    res.capabilities["search"] = resp.status_code == 200


async def probe_jaeger(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """The legacy ``/api`` and ``/api/v3`` query APIs."""
    missing = frozenset({400, 404, 405, 501})
    t0 = time.perf_counter()
    status, doc = await _get_json(client, ep, "/api/services", ok=missing)
    res.latency_ms = (time.perf_counter() - t0) * 1000
    v1_ok = isinstance(doc, dict) and isinstance(doc.get("data") or [], list)
    if status == 200 and not v1_ok:
        raise _wrong_shape(ep, "/api/services", "an object with a data list", doc)
    res.capabilities["api_v1"] = status == 200
    status, doc = await _get_json(client, ep, "/api/v3/services", ok=missing)
    v3_ok = isinstance(doc, dict) and isinstance(doc.get("services") or [], list)
    if status == 200 and not v3_ok:
        raise _wrong_shape(ep, "/api/v3/services", "an object with a services list", doc)
    res.capabilities["api_v3"] = status == 200
    if not (res.capabilities["api_v1"] or res.capabilities["api_v3"]):
        raise BackendError(
            f"{ep.display_name} at {ep.base_url} serves neither /api/services nor /api/v3/services",
            backend=ep.kind,
        )


async def probe_zipkin(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """The v2 API (services list)."""
    t0 = time.perf_counter()
    _status, doc = await _get_json(client, ep, "/api/v2/services")
    res.latency_ms = (time.perf_counter() - t0) * 1000
    if not isinstance(doc, list):
        raise _wrong_shape(ep, "/api/v2/services", "a list of service names", doc)
    res.capabilities["api_v2"] = True


async def probe_grafana(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """``/api/health``: version and database state."""
    t0 = time.perf_counter()
    _status, doc = await _get_json(client, ep, "/api/health")
    res.latency_ms = (time.perf_counter() - t0) * 1000
    if not isinstance(doc, dict):
        raise _wrong_shape(ep, "/api/health", "an object", doc)
    if isinstance(doc, dict):
        res.version = str(doc.get("version", "")) or None
        if doc.get("database") not in (None, "ok"):
            res.health.append(f"database: {doc.get('database')}")
