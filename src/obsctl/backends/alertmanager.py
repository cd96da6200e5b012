"""Alertmanager v2 API: the alerts it currently holds.

Alertmanager keeps no history: ``GET /api/v2/alerts`` lists active alerts only (resolved ones
are dropped), and a firing alert's ``endsAt`` is a validity horizon in the future, not an
end time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from obsctl.backends.http import decode_json, send
from obsctl.config.schema import Endpoint
from obsctl.errors import ParseError
from obsctl.model.alerts import ActiveAlert, make_labels


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _time(value: Any, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ParseError(f"Alertmanager alert {what} is not a string", from_backend=True)
    text = value.replace("Z", "+00:00").replace("z", "+00:00")
    # Go prints up to 9 fractional digits; fromisoformat takes at most 6.
    if "." in text:
        head, _, rest = text.partition(".")
        n = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:n][:6]}{rest[n:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(
            f"Alertmanager alert {what} {value!r} is not RFC 3339", from_backend=True
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _str_map(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"Alertmanager alert {what} is not an object", from_backend=True)
    return {str(k): str(v) for k, v in value.items()}


def parse_alerts(doc: Any) -> list[ActiveAlert]:
    """Decode a ``GET /api/v2/alerts`` body (a bare JSON array of gettableAlert).

    Raises:
        ParseError: the body is not the v2 shape (``from_backend=True``).
    """
    if not isinstance(doc, list):
        raise ParseError(
            "Alertmanager /api/v2/alerts did not return a list",
            from_backend=True,
            hint="is this the Alertmanager v2 API (Alertmanager ≥ 0.16)?",
        )
    alerts = []
    for item in doc:
        if not isinstance(item, dict):
            raise ParseError("Alertmanager alert is not an object", from_backend=True)
        starts = _time(item.get("startsAt"), "startsAt")
        if starts is None:
            raise ParseError("Alertmanager alert without startsAt", from_backend=True)
        status = item.get("status")
        state = str(status.get("state", "")) if isinstance(status, dict) else ""
        receivers = item.get("receivers")
        alerts.append(
            ActiveAlert(
                labels=make_labels(_str_map(item.get("labels"), "labels")),
                annotations=make_labels(_str_map(item.get("annotations"), "annotations")),
                starts_at=starts,
                ends_at=_time(item.get("endsAt"), "endsAt"),
                updated_at=_time(item.get("updatedAt"), "updatedAt"),
                fingerprint=str(item.get("fingerprint", "")),
                state=state,
                generator_url=str(item.get("generatorURL", "") or ""),
                receivers=tuple(
                    str(r.get("name", ""))
                    for r in (receivers if isinstance(receivers, list) else [])
                    if isinstance(r, dict)
                ),
            )
        )
    return alerts


class AlertmanagerClient:
    """A read-only client for Alertmanager's v2 alert list.

    Args:
        client: from ``backends.http.make_client(endpoint)``.
        endpoint: the resolved Alertmanager endpoint.
    """

    name = "alertmanager"

    def __init__(self, client: httpx.AsyncClient, endpoint: Endpoint) -> None:
        self._client = client
        self._endpoint = endpoint

    async def active_alerts(
        self, alertname: str | None = None, *, muted: bool = True
    ) -> list[ActiveAlert]:
        """Alerts Alertmanager holds now.

        Args:
            alertname: only alerts with this ``alertname`` (server-side filter).
            muted: include silenced and inhibited alerts.

        Raises:
            BackendUnreachable, BackendError: as the HTTP layer maps them.
            ParseError: the body is not the v2 shape.
        """
        flag = "true" if muted else "false"
        params: list[tuple[str, str]] = [
            ("active", "true"),
            ("silenced", flag),
            ("inhibited", flag),
        ]
        if alertname is not None:
            params.append(("filter", f"alertname={_quote(alertname)}"))
        resp = await send(
            self._client, self._endpoint, "GET", "/api/v2/alerts", params=params, what="alerts"
        )
        return parse_alerts(decode_json(resp, self._endpoint, what="/api/v2/alerts"))
