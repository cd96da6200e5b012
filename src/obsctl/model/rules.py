"""Prometheus rule files as ``obsctl rules`` checks them: groups and rules with positions.

A ``RuleFile`` is what ``parsers.rule_file`` read, warts included: ``problems`` are the
shape errors ``promtool check rules`` would reject (unknown fields, wrong types, bad
durations), each tagged with the rule ID that reports it. ``ExprFacts`` is what the rule checks
need to know about an expression (selectors, ranges, aggregations, comparisons), extracted once
by ``parsers.rule_expr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Pos = tuple[int, int]
"""``(line, column)``, 1-based; ``(0, 0)`` when unknown."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A shape problem found while reading the file.

    Attributes:
        rule_id: the ``rules check`` rule that reports it (``RUL1xx``).
        message: one line, in promtool's words where it has them.
        pos: where.
        group / rule: the group and rule it is about (empty when not inside one).
    """

    rule_id: str
    message: str
    pos: Pos
    group: str = ""
    rule: str = ""


@dataclass(frozen=True, slots=True)
class RuleDef:
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

    kind: Literal["alert", "record", ""]
    name: str
    expr: str
    for_s: float | None
    keep_firing_for_s: float | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    pos: Pos
    field_pos: dict[str, Pos] = field(default_factory=dict, compare=False)
    group: str = ""

    def at(self, key: str) -> Pos:
        """Where ``key``'s value is (the rule's position when it is not written)."""
        return self.field_pos.get(key, self.pos)


@dataclass(frozen=True, slots=True)
class RuleGroupDef:
    """One rule group.

    Attributes:
        name: the group's name.
        interval_s: evaluation interval in seconds (``None``: the server's global default).
        labels: group labels (Prometheus 3), merged into every rule's.
        rules: the rules, in order.
        pos: the group's first key.
        name_pos: where the name is.
    """

    name: str
    interval_s: float | None
    labels: tuple[tuple[str, str], ...]
    rules: tuple[RuleDef, ...]
    pos: Pos
    name_pos: Pos


@dataclass(frozen=True, slots=True)
class RuleFile:
    """Everything read from one input.

    Attributes:
        source: the name findings use (a path, or ``<stdin>``).
        groups: the groups of every document (and every ``PrometheusRule`` in it).
        problems: shape errors found on the way.
        lines: the file's lines, for code frames.
    """

    source: str
    groups: tuple[RuleGroupDef, ...]
    problems: tuple[Problem, ...]
    lines: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Selector:
    """A vector selector inside an expression.

    Attributes:
        name: the metric name (``None`` when selected by matchers only).
        matchers: ``(label, op, value)`` besides the name.
        range_s: the range of the enclosing matrix selector or subquery (``None``: instant).
        functions: enclosing function calls, innermost first.
        offset: character offset of the selector in the expression.
    """

    name: str | None
    matchers: tuple[tuple[str, str, str], ...]
    range_s: float | None
    functions: tuple[str, ...]
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ExprError:
    """An expression that does not parse: the parser's reason and the character offset."""

    reason: str
    pos: int


@dataclass(frozen=True, slots=True)
class ExprFacts:
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

    selectors: tuple[Selector, ...]
    comparison: bool
    output_labels: frozenset[str] | None
    dropped_labels: frozenset[str]
    label_uses: frozenset[str]
    functions: frozenset[str]
    created_labels: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What ``--server`` learnt, for the server checks (absent keys: not known).

    Attributes:
        scrape_interval_s: the global scrape interval, when the server says.
        present: metric name → whether it had series in the lookback window.
        label_names: metric name → the label names its series carry.
        types: metric name → metadata type (``counter``, ``gauge`` …).
        series: expression → how many series its selectors touch.
    """

    scrape_interval_s: float | None = None
    present: dict[str, bool] = field(default_factory=dict)
    label_names: dict[str, frozenset[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertBacktest:
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
    over_budget: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordingBacktest:
    """What one recording rule would have produced over the range.

    Attributes:
        name / group / file: which rule.
        interval_s: the evaluation step used.
        series: distinct series produced.
        samples_per_eval: average samples written per evaluation.
    """

    name: str
    group: str
    file: str
    interval_s: float
    series: int
    samples_per_eval: float


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """``obsctl rules backtest``: every rule's result over one range.

    Attributes:
        start / end: the range (RFC 3339 UTC).
        flap_window_s: the flap window.
        budget: the ``--budget`` text, if any.
        alerts / recordings: per rule.
        notes: what could not be done as asked (a widened step, skipped rules).
    """

    start: str
    end: str
    flap_window_s: float
    budget: str | None
    alerts: tuple[AlertBacktest, ...]
    recordings: tuple[RecordingBacktest, ...]
    notes: tuple[str, ...] = ()

    @property
    def over_budget(self) -> bool:
        """Whether any alert breaks the budget."""
        return any(a.over_budget for a in self.alerts)
