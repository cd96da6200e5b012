"""``PrometheusClient``: the Prometheus HTTP API, spoken by Prometheus, Thanos, Mimir/Cortex and
VictoriaMetrics, with each flavour's request shape.

* **prometheus**: the plain API.
* **thanos**: query, series and label requests add ``partial_response=true`` (a store that
  is down gives a partial answer plus a warning instead of a failure; the warning is surfaced),
  and queries add ``dedup=true`` (replica labels merged).
* **mimir** (Mimir and Cortex): the API lives under the endpoint's ``path_prefix``
  (``/prometheus`` by default in Mimir) and needs the ``X-Scope-OrgID`` tenant header; both
  come from the endpoint through ``make_client``.
* **victoriametrics**: the plain API, with VictoriaMetrics' larger per-series point limit
  (30,000 instead of 11,000).

Queries are sent as ``POST`` forms so that long expressions never hit URL length limits; they
are read-only, so they are retried like ``GET`` requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from obsctl.backends.http import http_status_error, send
from obsctl.config.schema import Endpoint
from obsctl.errors import BackendError
from obsctl.model.alerts import ActiveAlert
from obsctl.model.metrics import (
    BuildInfo,
    LabelList,
    Metadata,
    QueryResult,
    SeriesExemplar,
    SeriesList,
    ServerAlertRule,
)
from obsctl.model.time import format_prom_duration, to_prom_param
from obsctl.parsers import prom_api

FLAVOR_NAMES: dict[str, str] = {
    "prometheus": "Prometheus",
    "thanos": "Thanos",
    "mimir": "Mimir",
    "victoriametrics": "VictoriaMetrics",
}
MAX_POINTS: dict[str, int] = {"victoriametrics": 30_000}
"""Points per series a range query may return, by flavour (Prometheus' limit is 11,000)."""
DEFAULT_MAX_POINTS = 11_000
# Statuses whose body is a Prometheus error envelope (bad_data 400, execution 422,
# internal 500). 503 (timeout/unavailable) stays retryable in ``send`` and is re-labelled below.
_ENVELOPE_STATUSES = frozenset({400, 422, 500})


def normalize_flavor(flavor: str | None) -> str | None:
    """Map ``cortex`` → ``mimir``; ``auto``, ``unknown``, empty → ``None``."""
    if not flavor:
        return None
    flavor = flavor.lower()
    if flavor == "cortex":
        return "mimir"
    return flavor if flavor in FLAVOR_NAMES else None


_LEGACY_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def escape_label_name(name: str) -> str:
    """A label name as Prometheus 3 takes it in a URL path (``values`` escaping).

    Legacy names are unchanged; others get ``U__``, ``_`` doubled and every other character
    that is not ``[a-zA-Z0-9]`` as ``_<hex>_`` (a leading digit too).

    >>> escape_label_name("http.method")
    'U__http_2e_method'
    >>> escape_label_name("job")
    'job'
    """
    if _LEGACY_LABEL.fullmatch(name):
        return name
    out = ["U__"]
    for i, ch in enumerate(name):
        if ch == "_":
            out.append("__")
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9" and i > 0):
            out.append(ch)
        else:
            out.append(f"_{ord(ch):x}_")
    return "".join(out)


class PrometheusClient:
    """A Prometheus-compatible query API.

    Args:
        client: from ``backends.http.make_client(endpoint)`` (base URL with the path prefix,
            auth, tenant header, TLS and timeouts already set).
        endpoint: the resolved endpoint (for messages, retries and its ``flavor``).
        flavor: ``prometheus`` | ``thanos`` | ``mimir`` | ``victoriametrics``; ``None`` or
            ``auto`` uses ``endpoint.flavor``, then plain Prometheus.
    """

    def __init__(
        self, client: httpx.AsyncClient, endpoint: Endpoint, flavor: str | None = None
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.flavor: str = (
            normalize_flavor(flavor) or normalize_flavor(endpoint.flavor) or "prometheus"
        )

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        """Display name of the server kind: ``Prometheus``, ``Thanos`` …"""
        return FLAVOR_NAMES[self.flavor]

    @property
    def max_points_per_series(self) -> int:
        """The most points one series of a range query may have on this flavour."""
        return MAX_POINTS.get(self.flavor, DEFAULT_MAX_POINTS)

    def _query_params(self) -> dict[str, str]:
        if self.flavor == "thanos":
            return {"dedup": "true", "partial_response": "true"}
        return {}

    def _listing_params(self) -> dict[str, str]:
        if self.flavor == "thanos":
            return {"partial_response": "true"}
        return {}

    # ------------------------------------------------------------------ transport
    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        try:
            response = await send(
                self.client,
                self.endpoint,
                method,
                path,
                params=params,
                data=data,
                idempotent=True,
                ok_statuses=_ENVELOPE_STATUSES,
                what=what,
            )
        except BackendError as err:
            if err.status == 503 and err.server_message:
                raise BackendError(
                    f"{self.name} could not answer the {what} (HTTP 503): {err.server_message}",
                    backend=err.backend,
                    status=503,
                    server_message=err.server_message,
                    hint=prom_api.error_hint("timeout", err.server_message)
                    if "timeout" in err.server_message or "timed out" in err.server_message
                    else prom_api.error_hint("unavailable", err.server_message),
                ) from None
            raise
        if response.status_code != 200:
            # A Prometheus error envelope, or some other error body (a proxy's page).
            try:
                doc = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                doc = None
            if isinstance(doc, dict) and doc.get("status") == "error":
                try:
                    prom_api.unwrap(doc, what=what, backend=self.name)
                except BackendError as err:
                    err.status = response.status_code
                    raise
            raise http_status_error(self.endpoint, response, what=what)
        return response

    async def _get_json(
        self, path: str, *, what: str, params: Mapping[str, Any] | list[tuple[str, Any]]
    ) -> Any:
        response = await self._request("GET", path, what=what, params=params)
        return prom_api.decode_body(response.content, what=what)

    # ------------------------------------------------------------------ queries
    def build_query_params(self, expr: str, *, at: datetime | None = None) -> dict[str, str]:
        """Form fields of an instant query (``query``, ``time`` and the flavour's extras)."""
        params = {"query": expr, **self._query_params()}
        if at is not None:
            params["time"] = to_prom_param(at)
        return params

    def build_range_params(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> dict[str, str]:
        """Form fields of a range query."""
        return {
            "query": expr,
            "start": to_prom_param(start),
            "end": to_prom_param(end),
            "step": format_prom_duration(step),
            **self._query_params(),
        }

    async def query_raw(self, expr: str, *, at: datetime | None = None) -> bytes:
        """The server's body for an instant query, unchanged (after error checks)."""
        response = await self._request(
            "POST", "/api/v1/query", what="query", data=self.build_query_params(expr, at=at)
        )
        return response.content

    async def query_range_raw(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> bytes:
        """The server's body for a range query, unchanged (after error checks)."""
        response = await self._request(
            "POST",
            "/api/v1/query_range",
            what="range query",
            data=self.build_range_params(expr, start, end, step),
        )
        return response.content

    async def query(self, expr: str, *, at: datetime | None = None) -> QueryResult:
        """Evaluate ``expr`` at one instant (``at``, default: the server's now).

        Raises:
            BackendError: the server rejected or failed the query (message and hint from its
                ``errorType``/``error``), or answered an HTTP error.
            BackendUnreachable: connection failure or timeout.
            ParseError: (``from_backend``) an answer that is not the API's JSON.
        """
        body = await self.query_raw(expr, at=at)
        return prom_api.parse_query_response(body, backend=self.name, what="query")

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        """Evaluate ``expr`` over ``[start, end]`` every ``step``; a ``matrix`` result.

        Args:
            expr: PromQL.
            start: first evaluation time (aware datetime).
            end: last evaluation time (aware datetime).
            step: resolution; ``(end - start) / step`` must stay under
                ``max_points_per_series``.

        Raises:
            BackendError, BackendUnreachable, ParseError: as for ``query``.
        """
        body = await self.query_range_raw(expr, start, end, step)
        return prom_api.parse_query_response(body, backend=self.name, what="range query")

    async def query_exemplars(
        self, expr: str, start: datetime, end: datetime
    ) -> list[SeriesExemplar]:
        """Exemplars of every series selected by ``expr`` in ``[start, end]``, oldest first.

        The server extracts the selectors of ``expr`` (no function is evaluated), so an alert
        expression can be passed as it is. An empty list when exemplar storage is off.

        Raises:
            BackendError, BackendUnreachable, ParseError: as for ``query``.
        """
        response = await self._request(
            "POST",
            "/api/v1/query_exemplars",
            what="exemplar query",
            data={"query": expr, "start": to_prom_param(start), "end": to_prom_param(end)},
        )
        doc = prom_api.decode_body(response.content, what="exemplar query")
        return prom_api.parse_exemplars_response(doc, backend=self.name)

    # ------------------------------------------------------------------ metadata APIs
    @staticmethod
    def _range_params(start: datetime | None, end: datetime | None) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if start is not None:
            params.append(("start", to_prom_param(start)))
        if end is not None:
            params.append(("end", to_prom_param(end)))
        return params

    async def series(
        self,
        matchers: Sequence[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> SeriesList:
        """Label sets of the series matching any of ``matchers`` (``match[]``)."""
        params = [("match[]", m) for m in matchers]
        params += self._range_params(start, end)
        if limit is not None:
            params.append(("limit", str(limit)))
        params += list(self._listing_params().items())
        doc = await self._get_json("/api/v1/series", what="series request", params=params)
        return prom_api.parse_series_response(doc, backend=self.name)

    async def labels(
        self,
        matchers: Sequence[str] = (),
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> LabelList:
        """Label names (of the series matching ``matchers`` when given)."""
        params = [("match[]", m) for m in matchers]
        params += self._range_params(start, end)
        params += list(self._listing_params().items())
        doc = await self._get_json("/api/v1/labels", what="labels request", params=params)
        return prom_api.parse_labels_response(doc, backend=self.name)

    async def label_values(
        self,
        name: str,
        matchers: Sequence[str] = (),
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> LabelList:
        """Values of label ``name`` (of the series matching ``matchers`` when given)."""
        params = [("match[]", m) for m in matchers]
        params += self._range_params(start, end)
        params += list(self._listing_params().items())
        doc = await self._get_json(
            f"/api/v1/label/{quote(escape_label_name(name), safe='')}/values",
            what="label values request",
            params=params,
        )
        return prom_api.parse_labels_response(doc, label=name, backend=self.name)

    async def metadata(self, metric: str | None = None, *, limit: int | None = None) -> Metadata:
        """Type, help and unit of scraped metrics (of ``metric`` only when given)."""
        params: list[tuple[str, str]] = []
        if metric:
            params.append(("metric", metric))
        if limit is not None:
            params.append(("limit", str(limit)))
        doc = await self._get_json("/api/v1/metadata", what="metadata request", params=params)
        result = prom_api.parse_metadata_response(doc, backend=self.name)
        return replace(result, metric=metric or None)

    async def alert_rules(self) -> list[ServerAlertRule]:
        """The alerting rules the server evaluates (``/api/v1/rules?type=alert``)."""
        doc = await self._get_json(
            "/api/v1/rules", what="rules request", params=[("type", "alert")]
        )
        return prom_api.parse_alert_rules_response(doc, backend=self.name)

    async def active_alerts(self) -> list[ActiveAlert]:
        """Pending and firing alerts of the server's rules (``/api/v1/alerts``)."""
        doc = await self._get_json("/api/v1/alerts", what="alerts request", params=[])
        return prom_api.parse_alerts_response(doc, backend=self.name)

    async def buildinfo(self) -> BuildInfo:
        """``/api/v1/status/buildinfo`` (Prometheus ≥ 2.14, Thanos, Mimir)."""
        doc = await self._get_json("/api/v1/status/buildinfo", what="buildinfo request", params=[])
        return prom_api.parse_buildinfo_response(doc, backend=self.name)

    async def flags(self) -> dict[str, str]:
        """``/api/v1/status/flags``: the server's command-line flags."""
        doc = await self._get_json("/api/v1/status/flags", what="flags request", params=[])
        return prom_api.parse_flags_response(doc, backend=self.name)

    async def config_yaml(self) -> str:
        """``/api/v1/status/config``: the server's loaded configuration as YAML text
        (VictoriaMetrics answers an empty string; Thanos and Mimir have no such endpoint)."""
        doc = await self._get_json("/api/v1/status/config", what="config request", params=[])
        data, _, _ = prom_api.unwrap(doc, what="config request", backend=self.name)
        if not isinstance(data, dict) or not isinstance(data.get("yaml", ""), str):
            return ""
        return str(data.get("yaml", ""))

    async def is_victoria_metrics(self) -> bool:
        """Whether the server is VictoriaMetrics (its own ``/api/v1/status/top_queries``).

        One GET, not retried and cut short after 2 s: it runs before a query that does not
        parse as PromQL is refused, so a dead server must not delay that answer. Any failure
        answers ``False``.
        """
        try:
            resp = await self.client.get("/api/v1/status/top_queries", timeout=2.0)
        except (httpx.HTTPError, OSError):
            return False
        return resp.status_code == 200 and "topByCount" in resp.text
