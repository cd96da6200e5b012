"""The first steps of an incident: what fires, silence it, who gets paged, which exemplars.

``alerts`` merges Alertmanager's active alerts with the pending (and, without Alertmanager,
firing) alerts of the Prometheus rules API; ``silence`` creates, lists and expires
Alertmanager silences; ``route`` walks Alertmanager's routing tree for a label set;
``exemplars`` lists the exemplars behind a query, ready for ``obsctl trace ID``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import yaml

from obsctl.analysis.correlate import trace_id_from_labels
from obsctl.analysis.routing import route_alert
from obsctl.backends.alertmanager import AlertmanagerClient
from obsctl.backends.http import LogFn, make_client, redact_url
from obsctl.backends.prometheus import PrometheusClient
from obsctl.config.schema import Settings
from obsctl.errors import ConfigError, NotFound, ObsctlError, UsageError
from obsctl.model.alerts import (
    ActiveAlert,
    AlertList,
    Matcher,
    RouteResult,
    SilenceList,
    make_labels,
)
from obsctl.model.metrics import ExemplarList, SeriesExemplar
from obsctl.parsers.alertmanager_config import parse_routing_tree
from obsctl.yaml_limits import safe_load

Note = Callable[[str], None]

_STATE_ORDER = {"active": 0, "firing": 0, "suppressed": 1, "pending": 2}


def _matches(alert: ActiveAlert, matchers: Sequence[Matcher]) -> bool:
    labels = dict(alert.labels)
    return all(m.matches(labels) for m in matchers)


@dataclass(frozen=True, slots=True)
class AlertsRequest:
    """``obsctl alerts`` options.

    Args:
        matchers: only alerts whose labels satisfy every matcher.
        silenced: include silenced alerts.
        inhibited: include inhibited alerts.
        pending: include the rules API's pending alerts.
    """

    matchers: tuple[Matcher, ...] = ()
    silenced: bool = False
    inhibited: bool = False
    pending: bool = True


async def list_alerts(
    settings: Settings, req: AlertsRequest, *, log: LogFn | None = None
) -> AlertList:
    """Active alerts from Alertmanager and pending ones from Prometheus's rules API.

    Alertmanager is asked when configured (or when nothing is); Prometheus likewise. When
    Alertmanager cannot be reached, the rules API's firing alerts stand in and a note says so.

    Raises:
        BackendUnreachable, BackendError: neither source answered (the first error).
    """
    am_ep, prom_ep = settings.endpoint("alertmanager"), settings.endpoint("prometheus")
    nothing = not am_ep.configured and not prom_ep.configured
    use_am = am_ep.configured or nothing
    use_prom = prom_ep.configured or nothing

    async def from_am() -> list[ActiveAlert]:
        async with make_client(am_ep, log=log) as client:
            am = AlertmanagerClient(client, am_ep)
            return await am.active_alerts(
                silenced=req.silenced, inhibited=req.inhibited, filters=req.matchers
            )

    async def from_prom() -> list[ActiveAlert]:
        async with make_client(prom_ep, log=log) as client:
            return await PrometheusClient(client, prom_ep).active_alerts()

    jobs: dict[str, asyncio.Task[list[ActiveAlert]]] = {}
    if use_am:
        jobs["alertmanager"] = asyncio.ensure_future(from_am())
    if use_prom:
        jobs["prometheus"] = asyncio.ensure_future(from_prom())
    answers: dict[str, list[ActiveAlert] | ObsctlError] = {}
    for name, job in jobs.items():
        try:
            answers[name] = await job
        except ObsctlError as err:
            answers[name] = err
    errors = [a for a in answers.values() if isinstance(a, ObsctlError)]
    if len(errors) == len(answers):
        raise errors[0]
    notes: list[str] = []
    alerts: list[ActiveAlert] = []
    am_alerts = answers.get("alertmanager")
    prom_alerts = answers.get("prometheus")
    if isinstance(am_alerts, list):
        alerts += am_alerts
    elif isinstance(am_alerts, ObsctlError):
        notes.append(
            f"Alertmanager: {am_alerts.message}; showing the firing alerts of the rules API"
        )
    if isinstance(prom_alerts, list):
        keep = {"pending"} if req.pending else set()
        if not isinstance(am_alerts, list):
            keep.add("firing")
        alerts += [a for a in prom_alerts if a.state in keep]
    elif isinstance(prom_alerts, ObsctlError):
        notes.append(f"Prometheus: {prom_alerts.message}; pending alerts not shown")
    alerts = [a for a in alerts if _matches(a, req.matchers)]
    alerts.sort(key=lambda a: (_STATE_ORDER.get(a.state, 3), a.starts_at, a.alertname))
    sources = tuple(name for name, a in answers.items() if isinstance(a, list))
    return AlertList(tuple(alerts), sources, tuple(notes))


# ----------------------------------------------------------------------------- silences


@dataclass(frozen=True, slots=True)
class SilenceRequest:
    """``obsctl silence add`` options."""

    matchers: tuple[Matcher, ...]
    duration: timedelta
    comment: str
    author: str
    start: datetime
    from_alert: str | None = None


def _matchers_for_alert(alerts: Sequence[ActiveAlert], name: str) -> tuple[Matcher, ...]:
    """Equality matchers on the labels every instance of the alert shares."""
    if not alerts:
        raise NotFound(
            f"alert {name!r} is not active in Alertmanager",
            hint="obsctl alerts lists what fires now",
        )
    common = set(alerts[0].labels)
    for alert in alerts[1:]:
        common &= set(alert.labels)
    return tuple(Matcher(k, "=", v) for k, v in sorted(common))


async def add_silence(
    settings: Settings, req: SilenceRequest, *, log: LogFn | None = None
) -> tuple[str, tuple[Matcher, ...]]:
    """Create the silence; its ID and the matchers it uses.

    Raises:
        UsageError: no matchers, or every matcher matches the empty string.
        NotFound: ``--from-alert`` names an alert that is not active.
    """
    ep = settings.endpoint("alertmanager")
    async with make_client(ep, log=log) as client:
        am = AlertmanagerClient(client, ep)
        matchers = req.matchers
        if req.from_alert is not None:
            alerts = await am.active_alerts(req.from_alert)
            matchers = _matchers_for_alert(alerts, req.from_alert) + matchers
        if not matchers:
            raise UsageError("a silence needs matchers", hint="e.g. alertname=HighLatency job=api")
        if all(m.matches({}) for m in matchers):
            raise UsageError(
                "every matcher matches the empty string: the silence would mute everything",
                hint='add one that requires a label, e.g. alertname="X"',
            )
        silence_id = await am.create_silence(
            matchers,
            starts_at=req.start,
            ends_at=req.start + req.duration,
            created_by=req.author,
            comment=req.comment,
        )
    return silence_id, matchers


async def list_silences(
    settings: Settings,
    matchers: tuple[Matcher, ...],
    *,
    expired: bool,
    log: LogFn | None = None,
) -> SilenceList:
    """Silences, active and pending (and expired ones with ``expired``)."""
    ep = settings.endpoint("alertmanager")
    async with make_client(ep, log=log) as client:
        silences = await AlertmanagerClient(client, ep).silences(matchers)
    if not expired:
        silences = [s for s in silences if s.state != "expired"]
    return SilenceList(tuple(silences))


async def expire_silences(
    settings: Settings, ids: Sequence[str], *, log: LogFn | None = None
) -> None:
    """Expire each silence, in order.

    Raises:
        NotFound: an unknown ID (the ones before it are expired).
    """
    ep = settings.endpoint("alertmanager")
    async with make_client(ep, log=log) as client:
        am = AlertmanagerClient(client, ep)
        for silence_id in ids:
            await am.expire_silence(silence_id)


# ----------------------------------------------------------------------------- routing


def parse_label_args(args: Sequence[str]) -> dict[str, str]:
    """``name=value`` arguments (amtool's ``config routes test`` form).

    Raises:
        UsageError: an argument that is not ``name=value``.
    """
    labels: dict[str, str] = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep or not name or name.endswith(("!", "~")) or value.startswith("~"):
            raise UsageError(
                f"bad label {arg!r}: labels are name=value", hint="e.g. severity=page team=db"
            )
        labels[name.strip()] = value.strip().strip('"')
    return labels


async def route_labels(
    settings: Settings,
    labels: Mapping[str, str],
    *,
    config_text: str | None = None,
    config_name: str | None = None,
    log: LogFn | None = None,
) -> RouteResult:
    """The receivers Alertmanager would notify for ``labels``.

    The routing tree comes from ``config_text`` (a file's contents) when given, else from
    the running Alertmanager (``/api/v2/status``).

    Raises:
        ConfigError: the config is not YAML.
        ParseError: it has no usable ``route:``.
    """
    if config_text is None:
        ep = settings.endpoint("alertmanager")
        async with make_client(ep, log=log) as client:
            config_text = await AlertmanagerClient(client, ep).config_yaml()
        source = redact_url(ep.base_url)
    else:
        source = config_name or "config"
    try:
        doc = safe_load(config_text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not YAML: {exc}") from None
    tree = parse_routing_tree(doc)
    return RouteResult(make_labels(labels), route_alert(tree, labels), source)


# ----------------------------------------------------------------------------- exemplars


@dataclass(frozen=True, slots=True)
class ExemplarsRequest:
    """``obsctl exemplars`` options."""

    expr: str
    start: datetime
    end: datetime
    above: float | None = None
    sort: str = "newest"
    limit: int | None = None


def select_exemplars(
    exemplars: Sequence[SeriesExemplar], req: ExemplarsRequest
) -> list[SeriesExemplar]:
    """Filter by ``above``, order newest or largest first, cut at ``limit``."""
    chosen = [e for e in exemplars if req.above is None or e.value > req.above]
    if req.sort == "largest":
        chosen.sort(key=lambda e: (-e.value, -e.timestamp))
    else:
        chosen.sort(key=lambda e: -e.timestamp)
    return chosen[: req.limit] if req.limit is not None else chosen


async def list_exemplars(
    settings: Settings, req: ExemplarsRequest, *, note: Note, log: LogFn | None = None
) -> ExemplarList:
    """The exemplars of every series ``req.expr`` selects in the range.

    Raises:
        BackendUnreachable, BackendError: as the HTTP layer maps them.
    """
    ep = settings.endpoint("prometheus")
    async with make_client(ep, log=log) as client:
        prom = PrometheusClient(client, ep)
        found = await prom.query_exemplars(req.expr, req.start, req.end)
    if not found:
        note(
            f"no exemplars for {req.expr} in the range: is exemplar storage on "
            "(--enable-feature=exemplar-storage) and does the exporter attach them? "
            "(obsctl doctor checks the first)"
        )
    chosen = select_exemplars(found, req)
    return ExemplarList(
        expr=req.expr,
        start=req.start,
        end=req.end,
        exemplars=tuple(chosen),
        total=len(found),
        trace_ids=tuple(trace_id_from_labels(e.labels) for e in chosen),
    )
