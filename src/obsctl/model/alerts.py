"""Alerting rules, active alerts and the windows in which an alert fired."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

Labels = tuple[tuple[str, str], ...]
"""A label set as sorted ``(name, value)`` pairs (hashable, comparable)."""

ALERT_META_LABELS = frozenset({"alertname", "alertstate", "__name__"})
"""Labels that name the alert or its state rather than an alert instance."""


def make_labels(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> Labels:
    """A canonical (sorted) label set.

    >>> make_labels({"b": "2", "a": "1"})
    (('a', '1'), ('b', '2'))
    """
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return tuple(sorted((str(k), str(v)) for k, v in items))


def instance_labels(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> Labels:
    """The labels identifying one alert instance: ``alertname``/``alertstate`` dropped."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return make_labels((k, v) for k, v in items if k not in ALERT_META_LABELS)


def format_labels(labels: Labels) -> str:
    """``{a="1", b="2"}`` (``{}`` for the empty set)."""
    inner = ", ".join(f'{k}="{v}"' for k, v in labels)
    return "{" + inner + "}"


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A Prometheus alerting rule, as written in a rule file.

    Attributes:
        name: the ``alert:`` name.
        expr: the PromQL expression.
        for_: the ``for`` hold duration (0 when absent).
        keep_firing_for: ``keep_firing_for`` (0 when absent).
        labels: the rule's ``labels:`` (values may be templates).
        annotations: the rule's ``annotations:``.
        group: the rule group's name.
        interval: the group's ``interval`` when set.
        source: the file it came from.
        line: line of the ``alert:`` key in that file (1-based).
    """

    name: str
    expr: str
    for_: timedelta = timedelta(0)
    keep_firing_for: timedelta = timedelta(0)
    labels: Labels = ()
    annotations: Labels = ()
    group: str = ""
    interval: timedelta | None = None
    source: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """An alert as Alertmanager's v2 API lists it (only active, never resolved, ones).

    ``ends_at`` of a firing alert is a validity horizon in the future, not an end time.
    """

    labels: Labels
    annotations: Labels
    starts_at: datetime
    ends_at: datetime | None
    updated_at: datetime | None
    fingerprint: str
    state: str
    generator_url: str = ""
    receivers: tuple[str, ...] = ()

    @property
    def alertname(self) -> str:
        """The ``alertname`` label ("" when missing)."""
        return dict(self.labels).get("alertname", "")


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One row of the dashboard's alerts panel: an ``ActiveAlert`` flattened for display
    (``workflows.tui_sources.alert_row`` makes it)."""

    name: str
    """``alertname`` label."""
    severity: str
    """``severity`` label, empty when the alert has none."""
    state: str
    """``active``, ``suppressed`` or ``unprocessed``."""
    starts_at: datetime | None
    summary: str
    """``summary`` annotation, else ``description``, else empty."""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    generator_url: str = ""
    receivers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeriesPoints:
    """One series of a range-query result, in the shape window computation needs.

    Attributes:
        labels: the series labels.
        points: ``(unix_ms, value)`` pairs in time order.
    """

    labels: Labels
    points: tuple[tuple[int, float], ...]


class WindowSource(StrEnum):
    """Where a firing window came from."""

    RULES = "rules"
    """Evaluating the rule's expression over the range (``--rules``)."""
    ALERTS = "alerts_series"
    """Prometheus's ``ALERTS{alertstate="firing"}`` series."""
    ALERTMANAGER = "alertmanager"
    """An alert that Alertmanager lists as active (firing since ``startsAt`` until now)."""
    MANUAL = "manual"
    """``--window START..END``."""


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """A period in which one alert instance fired.

    Attributes:
        start: firing start (aware UTC).
        end: firing end, or the end of the searched range when still firing.
        labels: the alert instance's labels (``alertname`` excluded).
        sources: where this window was seen.
        pending_since: when the instance went pending, if known (``for`` semantics).
        open: still firing at the end of the range.
    """

    start: datetime
    end: datetime
    labels: Labels = ()
    sources: tuple[WindowSource, ...] = ()
    pending_since: datetime | None = None
    open: bool = False

    @property
    def duration(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start

    def contains(self, t: datetime) -> bool:
        """``start <= t <= end`` (inclusive: exemplars land exactly on padded edges)."""
        return self.start <= t <= self.end


@dataclass(frozen=True, slots=True)
class WindowStats:
    """What the simulation of ``for`` saw besides the firing windows."""

    pending_only: int = 0
    """Pending episodes that ended before lasting ``for`` (never fired)."""
    label_sets: int = 0
    """Distinct label sets for which the expression was true at least once."""


MATCH_OPS: Final = ("=", "!=", "=~", "!~")


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher as Alertmanager and PromQL write it (``severity=~"page|critical"``).

    Regex matchers are anchored at both ends, as everywhere in Prometheus.
    """

    name: str
    op: str
    value: str

    @property
    def is_regex(self) -> bool:
        """``=~`` or ``!~``."""
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        """``=`` or ``=~`` (the positive forms)."""
        return self.op in ("=", "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies the matcher (a missing label is the empty string).

        >>> Matcher("job", "=~", "api|web").matches({"job": "api"})
        True
        >>> Matcher("env", "!=", "prod").matches({})
        True
        """
        value = labels.get(self.name, "")
        if self.is_regex:
            # RE2 as Python's re reads it (the translation PromQL matchers use), anchored.
            from obsctl.model.promql_ast import compile_matcher_regex

            hit = compile_matcher_regex(self.value).match(value) is not None
        else:
            hit = value == self.value
        return hit if self.is_equal else not hit

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        name = self.name if _PLAIN_NAME.fullmatch(self.name) else f'"{self.name}"'
        return f'{name}{self.op}"{escaped}"'


_PLAIN_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence as Alertmanager's v2 API lists it."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    state: str
    """``active``, ``pending`` or ``expired``."""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlertList:
    """What ``obsctl alerts`` shows: active alerts, and pending ones from the rules API."""

    alerts: tuple[ActiveAlert, ...]
    sources: tuple[str, ...]
    """Where the alerts came from (``alertmanager``, ``prometheus``)."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SilenceList:
    """What ``obsctl silence list`` shows."""

    silences: tuple[Silence, ...]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """One route an alert's labels reach in Alertmanager's routing tree."""

    receiver: str
    path: tuple[str, ...]
    """The matchers of each route from the root's child down, as written."""
    group_by: tuple[str, ...] = ()
    continue_: bool = False


@dataclass(frozen=True, slots=True)
class RouteResult:
    """What ``obsctl alerts route`` shows: the receivers, in tree order."""

    labels: Labels
    matches: tuple[RouteMatch, ...]
    source: str
    """Where the routing tree came from (a file, or the Alertmanager's URL)."""

    @property
    def receivers(self) -> tuple[str, ...]:
        """Receiver names in tree order (amtool's ``a,b``)."""
        return tuple(m.receiver for m in self.matches)


@dataclass(frozen=True, slots=True)
class Route:
    """A node of Alertmanager's routing tree, with inherited settings already applied."""

    receiver: str
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    group_by: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True, slots=True)
class SilenceCreated:
    """What ``obsctl silence add`` made."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
