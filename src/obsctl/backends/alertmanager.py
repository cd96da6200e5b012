"""Alertmanager v2 API: the alerts it currently holds, silences, and its routing config.

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
from obsctl.errors import BackendError, NotFound, ParseError
from obsctl.model.alerts import ActiveAlert, Matcher, Silence, make_labels


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


def _silence_matchers(value: Any) -> tuple[Matcher, ...]:
    if not isinstance(value, list):
        raise ParseError("Alertmanager silence matchers are not a list", from_backend=True)
    out: list[Matcher] = []
    for m in value:
        if not isinstance(m, dict) or not isinstance(m.get("name"), str):
            raise ParseError("Alertmanager silence matcher is malformed", from_backend=True)
        regex, equal = bool(m.get("isRegex")), m.get("isEqual", True) is not False
        op = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
        out.append(Matcher(m["name"], op[regex, equal], str(m.get("value", ""))))
    return tuple(out)


def parse_silences(doc: Any) -> list[Silence]:
    """Decode a ``GET /api/v2/silences`` body (a JSON array of gettableSilence).

    Raises:
        ParseError: the body is not the v2 shape (``from_backend=True``).
    """
    if not isinstance(doc, list):
        raise ParseError("Alertmanager silences are not a JSON array", from_backend=True)
    out: list[Silence] = []
    for item in doc:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ParseError("Alertmanager silence without an id", from_backend=True)
        status = item.get("status")
        starts, ends = _time(item.get("startsAt"), "startsAt"), _time(item.get("endsAt"), "endsAt")
        if starts is None or ends is None:
            raise ParseError("Alertmanager silence without startsAt/endsAt", from_backend=True)
        out.append(
            Silence(
                id=item["id"],
                matchers=_silence_matchers(item.get("matchers")),
                starts_at=starts,
                ends_at=ends,
                created_by=str(item.get("createdBy", "")),
                comment=str(item.get("comment", "")),
                state=str(status.get("state", "")) if isinstance(status, dict) else "",
                updated_at=_time(item.get("updatedAt"), "updatedAt"),
            )
        )
    return out


def _rfc3339(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class AlertmanagerClient:
    """A client for Alertmanager's v2 API: alerts, silences, status.

    Args:
        client: from ``backends.http.make_client(endpoint)``.
        endpoint: the resolved Alertmanager endpoint.
    """

    name = "alertmanager"

    def __init__(self, client: httpx.AsyncClient, endpoint: Endpoint) -> None:
        self._client = client
        self._endpoint = endpoint

    async def active_alerts(
        self,
        alertname: str | None = None,
        *,
        muted: bool = True,
        silenced: bool | None = None,
        inhibited: bool | None = None,
        filters: tuple[Matcher, ...] = (),
    ) -> list[ActiveAlert]:
        """Alerts Alertmanager holds now.

        Args:
            alertname: only alerts with this ``alertname`` (server-side filter).
            muted: include silenced and inhibited alerts.
            silenced: include silenced alerts (overrides ``muted``).
            inhibited: include inhibited alerts (overrides ``muted``).
            filters: more server-side matchers.

        Raises:
            BackendUnreachable, BackendError: as the HTTP layer maps them.
            ParseError: the body is not the v2 shape.
        """

        def flag(value: bool | None) -> str:
            return "true" if (muted if value is None else value) else "false"

        params: list[tuple[str, str]] = [
            ("active", "true"),
            ("silenced", flag(silenced)),
            ("inhibited", flag(inhibited)),
        ]
        if alertname is not None:
            params.append(("filter", f"alertname={_quote(alertname)}"))
        params += [("filter", str(m)) for m in filters]
        resp = await send(
            self._client, self._endpoint, "GET", "/api/v2/alerts", params=params, what="alerts"
        )
        return parse_alerts(decode_json(resp, self._endpoint, what="/api/v2/alerts"))

    async def silences(self, matchers: tuple[Matcher, ...] = ()) -> list[Silence]:
        """Silences Alertmanager knows (active, pending and expired), filtered server-side."""
        params = [("filter", str(m)) for m in matchers]
        resp = await send(
            self._client, self._endpoint, "GET", "/api/v2/silences", params=params, what="silences"
        )
        return parse_silences(decode_json(resp, self._endpoint, what="/api/v2/silences"))

    async def create_silence(
        self,
        matchers: tuple[Matcher, ...],
        *,
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
    ) -> str:
        """Create a silence; its ID.

        Raises:
            BackendError: Alertmanager refused it (its reason in the message), or HTTP errors.
        """
        body = {
            "matchers": [
                {"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal}
                for m in matchers
            ],
            "startsAt": _rfc3339(starts_at),
            "endsAt": _rfc3339(ends_at),
            "createdBy": created_by,
            "comment": comment,
        }
        resp = await send(
            self._client,
            self._endpoint,
            "POST",
            "/api/v2/silences",
            json_body=body,
            idempotent=False,
            what="silence",
        )
        doc = decode_json(resp, self._endpoint, what="/api/v2/silences")
        if not isinstance(doc, dict) or not isinstance(doc.get("silenceID"), str):
            raise ParseError("Alertmanager did not return a silenceID", from_backend=True)
        return str(doc["silenceID"])

    async def expire_silence(self, silence_id: str) -> None:
        """Expire a silence (idempotent for an expired one).

        Raises:
            NotFound: no silence with that ID.
            BackendError: other HTTP errors.
        """
        resp = await send(
            self._client,
            self._endpoint,
            "DELETE",
            f"/api/v2/silence/{silence_id}",
            idempotent=True,
            ok_statuses=frozenset({404, 500}),
            what="silence expiry",
        )
        if resp.status_code in (404, 500):
            # Alertmanager 0.25 answers 500 for an unknown ID, later versions 404.
            known = await self.silences()
            if not any(s.id == silence_id for s in known):
                raise NotFound(
                    f"no silence {silence_id} in Alertmanager",
                    hint="obsctl silence list shows the IDs",
                )
            raise BackendError(
                f"Alertmanager answered HTTP {resp.status_code} expiring silence {silence_id}",
                backend="alertmanager",
                status=resp.status_code,
            )

    async def config_yaml(self) -> str:
        """The configuration Alertmanager runs (``/api/v2/status`` ``config.original``)."""
        resp = await send(self._client, self._endpoint, "GET", "/api/v2/status", what="status")
        doc = decode_json(resp, self._endpoint, what="/api/v2/status")
        config = doc.get("config") if isinstance(doc, dict) else None
        original = config.get("original") if isinstance(config, dict) else None
        if not isinstance(original, str):
            raise ParseError("Alertmanager status has no config.original", from_backend=True)
        return original
