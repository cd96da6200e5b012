"""Cardinality statistics from a Prometheus-compatible server.

Two sources: ``/api/v1/status/tsdb`` (head block; Prometheus, VictoriaMetrics; ``limit`` from
Prometheus 2.45) and instant queries (``count by (__name__)``, ``count(count by (label))``)
that every flavour answers and that can be scoped with a selector.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from obsctl.backends.http import decode_json, send
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError

MISSING = frozenset({400, 404, 405, 501})


@dataclass(slots=True)
class TsdbStatus:
    """The parts of ``/api/v1/status/tsdb`` that lint uses."""

    num_series: int | None
    series_by_metric: dict[str, int] = field(default_factory=dict)
    values_by_label: dict[str, int] = field(default_factory=dict)
    bytes_by_label: dict[str, int] = field(default_factory=dict)


def _data(doc: Any, endpoint: Endpoint, what: str, expect: type = object) -> Any:
    if isinstance(doc, dict) and doc.get("status") == "success":
        data = doc.get("data")
        if not isinstance(data, expect):
            shape = "an object" if expect is dict else "a list" if expect is list else "data"
            raise BackendError(
                f"{endpoint.display_name} answered {what} with JSON of the wrong shape: "
                f"data should be {shape}, got {type(data).__name__}",
                backend=endpoint.kind,
                hint=f"is {endpoint.base_url} a Prometheus-compatible API?",
            )
        return data
    if isinstance(doc, dict) and doc.get("status") == "error":
        raise BackendError(
            f"{endpoint.display_name} rejected {what}: {doc.get('error', 'unknown error')}",
            backend=endpoint.kind,
            error_type=str(doc.get("errorType") or ""),
            server_message=str(doc.get("error") or ""),
        )
    raise BackendError(
        f"{endpoint.display_name} sent an unexpected document for {what}", backend=endpoint.kind
    )


def _pairs(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                try:
                    out[item["name"]] = int(item.get("value", 0))
                except (TypeError, ValueError):
                    continue
    return out


async def fetch_tsdb_status(
    client: httpx.AsyncClient, endpoint: Endpoint, *, limit: int
) -> TsdbStatus | None:
    """``/api/v1/status/tsdb?limit=N``; ``None`` when the server has no such endpoint."""
    resp = await send(
        client,
        endpoint,
        "GET",
        "/api/v1/status/tsdb",
        params={"limit": str(limit)},
        ok_statuses=MISSING,
        what="/api/v1/status/tsdb",
    )
    if resp.status_code in MISSING:
        if resp.status_code == 400 and limit != 10:
            return await fetch_tsdb_status(client, endpoint, limit=10)
        return None
    data = _data(decode_json(resp, endpoint, what="TSDB status"), endpoint, "TSDB status", dict)
    if not isinstance(data, dict):
        return None
    head = data.get("headStats") if isinstance(data.get("headStats"), dict) else {}
    num = head.get("numSeries") if isinstance(head, dict) else None
    return TsdbStatus(
        num_series=int(num) if isinstance(num, int | float) else None,
        series_by_metric=_pairs(data.get("seriesCountByMetricName")),
        values_by_label=_pairs(data.get("labelValueCountByLabelName")),
        bytes_by_label=_pairs(data.get("memoryInBytesByLabelName")),
    )


async def query_vector(
    client: httpx.AsyncClient, endpoint: Endpoint, expr: str
) -> list[tuple[dict[str, str], float]]:
    """An instant query returning ``(labels, value)`` pairs."""
    resp = await send(
        client,
        endpoint,
        "POST",
        "/api/v1/query",
        data={"query": expr},
        idempotent=True,
        ok_statuses=frozenset({400, 422}),
        what="the cardinality query",
    )
    data = _data(decode_json(resp, endpoint, what="query"), endpoint, f"query {expr!r}", dict)
    out: list[tuple[dict[str, str], float]] = []
    if data.get("resultType") != "vector" or not isinstance(data.get("result") or [], list):
        raise BackendError(
            f"{endpoint.display_name} answered query {expr!r} without a vector result",
            backend=endpoint.kind,
        )
    for item in data.get("result") or []:
        try:
            out.append((dict(item["metric"]), float(item["value"][1])))
        except (KeyError, TypeError, ValueError, IndexError):
            continue
    return out


async def series_by_metric(
    client: httpx.AsyncClient, endpoint: Endpoint, selector: str
) -> dict[str, int]:
    """Series per metric name among the series matching ``selector``."""
    rows = await query_vector(client, endpoint, f"count by (__name__) ({selector})")
    return {labels.get("__name__", ""): int(value) for labels, value in rows}


async def label_names(client: httpx.AsyncClient, endpoint: Endpoint, selector: str) -> list[str]:
    """Label names used by the series matching ``selector``."""
    resp = await send(
        client, endpoint, "GET", "/api/v1/labels", params={"match[]": selector}, what="labels"
    )
    data = _data(decode_json(resp, endpoint, what="labels"), endpoint, "labels", list)
    return [str(x) for x in data] if isinstance(data, list) else []


async def values_by_label(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    selector: str,
    labels: list[str],
    *,
    concurrency: int = 8,
) -> dict[str, int]:
    """Distinct values per label name among the series matching ``selector``."""
    sem = asyncio.Semaphore(concurrency)

    async def one(name: str) -> tuple[str, int]:
        async with sem:
            rows = await query_vector(client, endpoint, f"count(count by ({name}) ({selector}))")
        return name, int(rows[0][1]) if rows else 0

    results = await asyncio.gather(*(one(n) for n in labels if n != "__name__"))
    return dict(results)


async def label_values(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    label: str,
    *,
    selector: str | None,
    limit: int,
) -> list[str]:
    """Up to ``limit`` values of ``label`` (servers before Prometheus 2.51 ignore ``limit``)."""
    params: dict[str, str] = {"limit": str(limit)}
    if selector:
        params["match[]"] = selector
    resp = await send(
        client,
        endpoint,
        "GET",
        f"/api/v1/label/{label}/values",
        params=params,
        ok_statuses=MISSING,
        what=f"values of label {label}",
    )
    if resp.status_code in MISSING:
        return []
    data = _data(decode_json(resp, endpoint, what="label values"), endpoint, "label values")
    return [str(x) for x in data[:limit]] if isinstance(data, list) else []
