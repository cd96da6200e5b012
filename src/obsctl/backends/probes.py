"""Probes used by ``obsctl doctor``: version, capabilities and health of each endpoint kind.

``backends.registry`` says which probe checks which kind.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from obsctl.backends.http import decode_json, send
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError


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
    if _prom_data(doc) is None:
        raise BackendError(
            f"{ep.display_name} did not answer a test query (vector(1))", backend=ep.kind
        )
    res.capabilities["query_api"] = True
    flavor = await _detect_flavor(client, ep, build)
    res.flavor = flavor if ep.flavor == "auto" else ep.flavor
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
    status, doc = await _get_json(client, ep, "/api/v1/status/tsdb", ok=missing)
    tsdb = _prom_data(doc) if status == 200 else None
    res.capabilities["tsdb_status"] = isinstance(tsdb, dict)
    if isinstance(tsdb, dict):
        head = tsdb.get("headStats") or {}
        if isinstance(head.get("numSeries"), int):
            res.stats["head_series"] = head["numSeries"]
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
        if build.get("version"):
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
    status, _doc = await _get_json(client, ep, "/api/services", ok=missing)
    res.latency_ms = (time.perf_counter() - t0) * 1000
    res.capabilities["api_v1"] = status == 200
    status, _ = await _get_json(client, ep, "/api/v3/services", ok=missing)
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
    res.capabilities["api_v2"] = isinstance(doc, list)


async def probe_grafana(client: httpx.AsyncClient, ep: Endpoint, res: ProbeResult) -> None:
    """``/api/health``: version and database state."""
    t0 = time.perf_counter()
    _status, doc = await _get_json(client, ep, "/api/health")
    res.latency_ms = (time.perf_counter() - t0) * 1000
    if isinstance(doc, dict):
        res.version = str(doc.get("version", "")) or None
        if doc.get("database") not in (None, "ok"):
            res.health.append(f"database: {doc.get('database')}")
