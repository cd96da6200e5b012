"""Renderers for ``obsctl alerts``, ``alerts route``, ``silence`` and ``exemplars``.

Tables are plain text (``render.table``): nothing is cut when piped, no trailing blanks.
Times are UTC, ``2026-11-25 10:04:05Z``, with the age beside it on a terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime

from obsctl.model.alerts import (
    ActiveAlert,
    AlertList,
    Matcher,
    RouteResult,
    Silence,
    SilenceCreated,
    SilenceList,
    format_labels,
)
from obsctl.model.metrics import ExemplarList
from obsctl.model.time import format_duration, format_rfc3339
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, json_float, write_json
from obsctl.render.table import PlainTable, fit_width, write_lines

_HIDDEN_IN_LABELS = frozenset({"alertname", "severity"})


def _when(t: datetime | None) -> str:
    return "-" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _ago(t: datetime, now: datetime) -> str:
    return format_duration(max(0.0, (now - t).total_seconds()))


def _matchers(ms: tuple[Matcher, ...]) -> str:
    return "{" + ", ".join(str(m) for m in ms) + "}"


def _state(alert: ActiveAlert) -> str:
    return {"active": "firing", "suppressed": "muted"}.get(alert.state, alert.state)


# ----------------------------------------------------------------------------- alerts


@renderer(AlertList, "text")
def render_alerts_text(result: AlertList, consoles: Consoles) -> None:
    """One row per alert: state, since, name, severity, the other labels, summary."""
    if not result.alerts:
        consoles.note("no alerts firing or pending")
        return
    now = datetime.now(UTC)
    table = PlainTable(
        ["STATE", "SINCE", "FOR", "ALERT", "SEVERITY", "LABELS", "SUMMARY"],
        [False, False, True, False, False, False, False],
        [False, False, False, False, False, True, True],
    )
    for a in result.alerts:
        labels = dict(a.labels)
        annotations = dict(a.annotations)
        rest = tuple((k, v) for k, v in a.labels if k not in _HIDDEN_IN_LABELS)
        table.add(
            [
                _state(a),
                _when(a.starts_at),
                _ago(a.starts_at, now),
                a.alertname,
                labels.get("severity", ""),
                format_labels(rest),
                annotations.get("summary") or annotations.get("description") or "",
            ]
        )
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


def _alert_json(a: ActiveAlert) -> dict[str, object]:
    return {
        "alertname": a.alertname,
        "state": _state(a),
        "starts_at": format_rfc3339(a.starts_at),
        "labels": dict(a.labels),
        "annotations": dict(a.annotations),
        "fingerprint": a.fingerprint or None,
        "receivers": list(a.receivers),
        "generator_url": a.generator_url or None,
    }


@renderer(AlertList, "json")
def render_alerts_json(result: AlertList, consoles: Consoles) -> None:
    """``{"schema_version", "sources", "alerts": [...], "notes"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "sources": list(result.sources),
            "alerts": [_alert_json(a) for a in result.alerts],
            "notes": list(result.notes),
        },
        consoles,
    )


# ----------------------------------------------------------------------------- routing


@renderer(RouteResult, "text")
def render_route_text(result: RouteResult, consoles: Consoles) -> None:
    """The receivers (amtool's ``a,b`` line), then the path to each."""
    lines = [",".join(result.receivers)]
    for m in result.matches:
        path = " → ".join(m.path) if m.path else "(root route)"
        group = f"  group_by {','.join(m.group_by)}" if m.group_by else ""
        lines.append(f"  {m.receiver}: {path}{group}")
    write_lines(consoles, lines)


@renderer(RouteResult, "json")
def render_route_json(result: RouteResult, consoles: Consoles) -> None:
    """``{"schema_version", "labels", "receivers", "routes": [...], "source"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "labels": dict(result.labels),
            "receivers": list(result.receivers),
            "routes": [
                {
                    "receiver": m.receiver,
                    "path": list(m.path),
                    "group_by": list(m.group_by),
                    "continue": m.continue_,
                }
                for m in result.matches
            ],
            "source": result.source,
        },
        consoles,
    )


# ----------------------------------------------------------------------------- silences


@renderer(SilenceCreated, "text")
def render_silence_created_text(result: SilenceCreated, consoles: Consoles) -> None:
    """The new silence's ID alone on stdout (for ``$(obsctl silence add …)``)."""
    write_lines(consoles, [result.id])
    consoles.note(
        f"silenced {_matchers(result.matchers)} until {_when(result.ends_at)}; "
        f"undo: obsctl silence expire {result.id}"
    )


@renderer(SilenceCreated, "json")
def render_silence_created_json(result: SilenceCreated, consoles: Consoles) -> None:
    """``{"schema_version", "id", "matchers", "starts_at", "ends_at"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "id": result.id,
            "matchers": [str(m) for m in result.matchers],
            "starts_at": format_rfc3339(result.starts_at),
            "ends_at": format_rfc3339(result.ends_at),
        },
        consoles,
    )


@renderer(SilenceList, "text")
def render_silences_text(result: SilenceList, consoles: Consoles) -> None:
    """One row per silence: ID, state, ends, author, matchers, comment."""
    if not result.silences:
        consoles.note("no silences")
        return
    table = PlainTable(
        ["ID", "STATE", "ENDS", "CREATED BY", "MATCHERS", "COMMENT"],
        [False] * 6,
        [False, False, False, False, True, True],
    )
    for s in result.silences:
        table.add([s.id, s.state, _when(s.ends_at), s.created_by, _matchers(s.matchers), s.comment])
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


def _silence_json(s: Silence) -> dict[str, object]:
    return {
        "id": s.id,
        "state": s.state,
        "matchers": [str(m) for m in s.matchers],
        "starts_at": format_rfc3339(s.starts_at),
        "ends_at": format_rfc3339(s.ends_at),
        "created_by": s.created_by,
        "comment": s.comment,
    }


@renderer(SilenceList, "json")
def render_silences_json(result: SilenceList, consoles: Consoles) -> None:
    """``{"schema_version", "silences": [...]}``."""
    write_json(
        {"schema_version": SCHEMA_VERSION, "silences": [_silence_json(s) for s in result.silences]},
        consoles,
    )


# ----------------------------------------------------------------------------- exemplars


@renderer(ExemplarList, "text")
def render_exemplars_text(result: ExemplarList, consoles: Consoles) -> None:
    """One row per exemplar: time, value, trace ID, the series' labels."""
    if not result.exemplars:
        if result.total:
            consoles.note(f"none of the {result.total} exemplars passed --above")
        return
    table = PlainTable(
        ["TIME", "VALUE", "TRACE ID", "SERIES"], [False, True, False, False], [False] * 3 + [True]
    )
    for e, trace_id in zip(result.exemplars, result.trace_ids, strict=True):
        table.add(
            [
                _when(datetime.fromtimestamp(e.timestamp, UTC)),
                f"{e.value:.6g}",
                trace_id or "-",
                format_labels(tuple(sorted(e.series_labels.items()))),
            ]
        )
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)
    if len(result.exemplars) < result.total:
        consoles.note(f"{len(result.exemplars)} of {result.total} exemplars shown")


@renderer(ExemplarList, "json")
def render_exemplars_json(result: ExemplarList, consoles: Consoles) -> None:
    """``{"schema_version", "expr", "start", "end", "total", "exemplars": [...]}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "expr": result.expr,
            "start": format_rfc3339(result.start),
            "end": format_rfc3339(result.end),
            "total": result.total,
            "exemplars": [
                {
                    "time": format_rfc3339(datetime.fromtimestamp(e.timestamp, UTC)),
                    "value": json_float(e.value),
                    "trace_id": trace_id,
                    "labels": dict(e.labels),
                    "series_labels": dict(e.series_labels),
                }
                for e, trace_id in zip(result.exemplars, result.trace_ids, strict=True)
            ],
        },
        consoles,
    )
