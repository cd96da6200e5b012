"""Prometheus rule files as ``obsctl rules`` checks them: groups and rules with positions.

A ``RuleFile`` is what ``parsers.rule_file`` read, warts included: ``problems`` are the
shape errors ``promtool check rules`` would reject (unknown fields, wrong types, bad
durations), each tagged with the rule ID that reports it. ``ExprFacts`` is what the rule checks
need to know about an expression (selectors, ranges, aggregations, comparisons), extracted once
by ``parsers.rule_expr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from obsctl.model.record import Record

_set = object.__setattr__

Pos = tuple[int, int]
"""``(line, column)``, 1-based; ``(0, 0)`` when unknown."""
_NOWHERE: Mapping[str, Pos] = MappingProxyType({})


class Problem(Record):
    """A shape problem found while reading the file.

    Attributes:
        rule_id: the ``rules check`` rule that reports it (``RUL1xx``).
        message: one line, in promtool's words where it has them.
        pos: where.
        group / rule: the group and rule it is about (empty when not inside one).
    """

    __match_args__ = ("rule_id", "message", "pos", "group", "rule")
    __slots__ = __match_args__

    rule_id: str
    message: str
    pos: Pos
    group: str
    rule: str

    def __init__(
        self, rule_id: str, message: str, pos: Pos, group: str = "", rule: str = ""
    ) -> None:
        _set(self, "rule_id", rule_id)
        _set(self, "message", message)
        _set(self, "pos", pos)
        _set(self, "group", group)
        _set(self, "rule", rule)


class RuleDef(Record):
    """One rule as written.

    Attributes:
        kind: ``alert``, ``record``, or ``""`` when neither (or both) is set.
        name: the alert or record name.
        expr: the PromQL expression (``""`` when missing).
        for_s / keep_firing_for_s: seconds (``None`` when absent or invalid).
        labels / annotations: as written, in order.
        pos: the rule's first key.
        field_pos: position of each key's value (``expr``, ``for``, ``labels.severity`` …).
        group: the group's name.
    """

    __match_args__ = (
        "kind",
        "name",
        "expr",
        "for_s",
        "keep_firing_for_s",
        "labels",
        "annotations",
        "pos",
        "field_pos",
        "group",
    )
    __slots__ = __match_args__
    _compared = (
        "kind",
        "name",
        "expr",
        "for_s",
        "keep_firing_for_s",
        "labels",
        "annotations",
        "pos",
        "group",
    )

    kind: Literal["alert", "record", ""]
    name: str
    expr: str
    for_s: float | None
    keep_firing_for_s: float | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    pos: Pos
    field_pos: Mapping[str, Pos]
    group: str

    def __init__(
        self,
        kind: Literal["alert", "record", ""],
        name: str,
        expr: str,
        for_s: float | None,
        keep_firing_for_s: float | None,
        labels: tuple[tuple[str, str], ...],
        annotations: tuple[tuple[str, str], ...],
        pos: Pos,
        field_pos: Mapping[str, Pos] = _NOWHERE,
        group: str = "",
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "name", name)
        _set(self, "expr", expr)
        _set(self, "for_s", for_s)
        _set(self, "keep_firing_for_s", keep_firing_for_s)
        _set(self, "labels", labels)
        _set(self, "annotations", annotations)
        _set(self, "pos", pos)
        _set(self, "field_pos", field_pos)
        _set(self, "group", group)

    def at(self, key: str) -> Pos:
        """Where ``key``'s value is (the rule's position when it is not written)."""
        return self.field_pos.get(key, self.pos)


class RuleGroupDef(Record):
    """One rule group.

    Attributes:
        name: the group's name.
        interval_s: evaluation interval in seconds (``None``: the server's global default).
        labels: group labels (Prometheus 3), merged into every rule's.
        rules: the rules, in order.
        pos: the group's first key.
        name_pos: where the name is.
    """

    __match_args__ = ("name", "interval_s", "labels", "rules", "pos", "name_pos")
    __slots__ = __match_args__

    name: str
    interval_s: float | None
    labels: tuple[tuple[str, str], ...]
    rules: tuple[RuleDef, ...]
    pos: Pos
    name_pos: Pos

    def __init__(
        self,
        name: str,
        interval_s: float | None,
        labels: tuple[tuple[str, str], ...],
        rules: tuple[RuleDef, ...],
        pos: Pos,
        name_pos: Pos,
    ) -> None:
        _set(self, "name", name)
        _set(self, "interval_s", interval_s)
        _set(self, "labels", labels)
        _set(self, "rules", rules)
        _set(self, "pos", pos)
        _set(self, "name_pos", name_pos)


class RuleFile(Record):
    """Everything read from one input.

    Attributes:
        source: the name findings use (a path, or ``<stdin>``).
        groups: the groups of every document (and every ``PrometheusRule`` in it).
        problems: shape errors found on the way.
        lines: the file's lines, for code frames.
    """

    __match_args__ = ("source", "groups", "problems", "lines")
    __slots__ = __match_args__
    _compared = ("source", "groups", "problems")
    _shown = ("source", "groups", "problems")

    source: str
    groups: tuple[RuleGroupDef, ...]
    problems: tuple[Problem, ...]
    lines: tuple[str, ...]

    def __init__(
        self,
        source: str,
        groups: tuple[RuleGroupDef, ...],
        problems: tuple[Problem, ...],
        lines: tuple[str, ...] = (),
    ) -> None:
        _set(self, "source", source)
        _set(self, "groups", groups)
        _set(self, "problems", problems)
        _set(self, "lines", lines)


class Selector(Record):
    """A vector selector inside an expression.

    Attributes:
        name: the metric name (``None`` when selected by matchers only).
        matchers: ``(label, op, value)`` besides the name.
        range_s: the range of the enclosing matrix selector or subquery (``None``: instant).
        functions: enclosing function calls, innermost first.
        offset: character offset of the selector in the expression.
    """

    __match_args__ = ("name", "matchers", "range_s", "functions", "offset")
    __slots__ = __match_args__

    name: str | None
    matchers: tuple[tuple[str, str, str], ...]
    range_s: float | None
    functions: tuple[str, ...]
    offset: int

    def __init__(
        self,
        name: str | None,
        matchers: tuple[tuple[str, str, str], ...],
        range_s: float | None,
        functions: tuple[str, ...],
        offset: int = 0,
    ) -> None:
        _set(self, "name", name)
        _set(self, "matchers", matchers)
        _set(self, "range_s", range_s)
        _set(self, "functions", functions)
        _set(self, "offset", offset)


class ExprError(Record):
    """An expression that does not parse: the parser's reason and the character offset."""

    __match_args__ = ("reason", "pos")
    __slots__ = __match_args__

    reason: str
    pos: int

    def __init__(self, reason: str, pos: int) -> None:
        _set(self, "reason", reason)
        _set(self, "pos", pos)


class ExprFacts(Record):
    """What the rule checks need to know about one expression.

    Attributes:
        selectors: every vector selector, in source order.
        comparison: the expression filters its result (a comparison without ``bool``,
            ``and``/``unless``, ``absent``, a filtering function such as ``topk``).
        output_labels: the labels the result can carry when an aggregation on the outer path
            narrows them (``by``/``without``); ``None`` when every input label may survive.
        dropped_labels: labels an outer ``without`` removes.
        label_uses: every label named by a matcher, ``by``/``without`` or ``on``/``ignoring``.
        functions: every function called.
        created_labels: labels the expression itself sets (``label_replace``/``label_join``
            destinations), which no stored series needs to have.
    """

    __match_args__ = (
        "selectors",
        "comparison",
        "output_labels",
        "dropped_labels",
        "label_uses",
        "functions",
        "created_labels",
    )
    __slots__ = __match_args__

    selectors: tuple[Selector, ...]
    comparison: bool
    output_labels: frozenset[str] | None
    dropped_labels: frozenset[str]
    label_uses: frozenset[str]
    functions: frozenset[str]
    created_labels: frozenset[str]

    def __init__(
        self,
        selectors: tuple[Selector, ...],
        comparison: bool,
        output_labels: frozenset[str] | None,
        dropped_labels: frozenset[str],
        label_uses: frozenset[str],
        functions: frozenset[str],
        created_labels: frozenset[str] = frozenset(),
    ) -> None:
        _set(self, "selectors", selectors)
        _set(self, "comparison", comparison)
        _set(self, "output_labels", output_labels)
        _set(self, "dropped_labels", dropped_labels)
        _set(self, "label_uses", label_uses)
        _set(self, "functions", functions)
        _set(self, "created_labels", created_labels)


class ServerFacts(Record):
    """What ``--server`` learnt, for the server checks (absent keys: not known).

    Attributes:
        scrape_interval_s: the global scrape interval, when the server says.
        present: metric name → whether it had series in the lookback window.
        label_names: metric name → the label names its series carry.
        types: metric name → metadata type (``counter``, ``gauge`` …).
        series: expression → how many series its selectors touch.
    """

    __match_args__ = ("scrape_interval_s", "present", "label_names", "types", "series")
    __slots__ = __match_args__

    scrape_interval_s: float | None
    present: dict[str, bool]
    label_names: dict[str, frozenset[str]]
    types: dict[str, str]
    series: dict[str, int]

    def __init__(
        self,
        scrape_interval_s: float | None = None,
        present: dict[str, bool] | None = None,
        label_names: dict[str, frozenset[str]] | None = None,
        types: dict[str, str] | None = None,
        series: dict[str, int] | None = None,
    ) -> None:
        _set(self, "scrape_interval_s", scrape_interval_s)
        _set(self, "present", {} if present is None else present)
        _set(self, "label_names", {} if label_names is None else label_names)
        _set(self, "types", {} if types is None else types)
        _set(self, "series", {} if series is None else series)


class AlertBacktest(Record):
    """How one alert would have behaved over the range.

    Attributes:
        name / group / file: which alert.
        interval_s: the evaluation step used.
        firings: firing windows (one per alert instance and episode).
        instances: distinct label sets that fired.
        firing_s: total firing time, summed over instances.
        longest_s: the longest single firing.
        flaps: firings that started within the flap window after the same instance resolved.
        share: fraction of the range during which at least one instance was firing.
        still_firing: firing at the end of the range.
        over_budget: the budget terms this alert breaks (``firings 7 > 5``).
    """

    __match_args__ = (
        "name",
        "group",
        "file",
        "interval_s",
        "firings",
        "instances",
        "firing_s",
        "longest_s",
        "flaps",
        "share",
        "still_firing",
        "over_budget",
    )
    __slots__ = __match_args__

    name: str
    group: str
    file: str
    interval_s: float
    firings: int
    instances: int
    firing_s: float
    longest_s: float
    flaps: int
    share: float
    still_firing: bool
    over_budget: tuple[str, ...]

    def __init__(
        self,
        name: str,
        group: str,
        file: str,
        interval_s: float,
        firings: int,
        instances: int,
        firing_s: float,
        longest_s: float,
        flaps: int,
        share: float,
        still_firing: bool,
        over_budget: tuple[str, ...] = (),
    ) -> None:
        _set(self, "name", name)
        _set(self, "group", group)
        _set(self, "file", file)
        _set(self, "interval_s", interval_s)
        _set(self, "firings", firings)
        _set(self, "instances", instances)
        _set(self, "firing_s", firing_s)
        _set(self, "longest_s", longest_s)
        _set(self, "flaps", flaps)
        _set(self, "share", share)
        _set(self, "still_firing", still_firing)
        _set(self, "over_budget", over_budget)


class RecordingBacktest(Record):
    """What one recording rule would have produced over the range.

    Attributes:
        name / group / file: which rule.
        interval_s: the evaluation step used.
        series: distinct series produced.
        samples_per_eval: average samples written per evaluation.
    """

    __match_args__ = ("name", "group", "file", "interval_s", "series", "samples_per_eval")
    __slots__ = __match_args__

    name: str
    group: str
    file: str
    interval_s: float
    series: int
    samples_per_eval: float

    def __init__(
        self,
        name: str,
        group: str,
        file: str,
        interval_s: float,
        series: int,
        samples_per_eval: float,
    ) -> None:
        _set(self, "name", name)
        _set(self, "group", group)
        _set(self, "file", file)
        _set(self, "interval_s", interval_s)
        _set(self, "series", series)
        _set(self, "samples_per_eval", samples_per_eval)


class BacktestReport(Record):
    """``obsctl rules backtest``: every rule's result over one range.

    Attributes:
        start / end: the range (RFC 3339 UTC).
        flap_window_s: the flap window.
        budget: the ``--budget`` text, if any.
        alerts / recordings: per rule.
        notes: what could not be done as asked (a widened step, skipped rules).
    """

    __match_args__ = ("start", "end", "flap_window_s", "budget", "alerts", "recordings", "notes")
    __slots__ = __match_args__

    start: str
    end: str
    flap_window_s: float
    budget: str | None
    alerts: tuple[AlertBacktest, ...]
    recordings: tuple[RecordingBacktest, ...]
    notes: tuple[str, ...]

    def __init__(
        self,
        start: str,
        end: str,
        flap_window_s: float,
        budget: str | None,
        alerts: tuple[AlertBacktest, ...],
        recordings: tuple[RecordingBacktest, ...],
        notes: tuple[str, ...] = (),
    ) -> None:
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "flap_window_s", flap_window_s)
        _set(self, "budget", budget)
        _set(self, "alerts", alerts)
        _set(self, "recordings", recordings)
        _set(self, "notes", notes)

    @property
    def over_budget(self) -> bool:
        """Whether any alert breaks the budget."""
        return any(a.over_budget for a in self.alerts)
