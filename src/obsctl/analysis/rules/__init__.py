"""``obsctl rules check``: Prometheus rule files checked as promtool does, and beyond.

``check_rule_file`` turns a ``RuleFile`` (``parsers.rule_file``) into hits of the
``RULES_CHECK`` catalogue: what promtool rejects (``RUL1xx``), the offline checks beyond it
(``RUL2xx``) and, when ``ServerFacts`` are given, the server checks (``RUL3xx``). Pure: the
workflow reads the files and asks the server.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from obsctl.analysis.catalogue import Hit
from obsctl.analysis.rules import catalogue as c
from obsctl.analysis.rules.catalogue import RULES_CHECK
from obsctl.analysis.rules.templates import TemplateError, check_template
from obsctl.model.findings import RuleInfo
from obsctl.model.rules import (
    ExprError,
    ExprFacts,
    Pos,
    RuleDef,
    RuleFile,
    RuleGroupDef,
    ServerFacts,
)

__all__ = ["RULES_CHECK", "CheckOptions", "check_rule_file", "metric_names", "recorded_names"]

DEFAULT_NOISY = frozenset(
    {"rate", "irate", "increase", "delta", "idelta", "deriv", "absent", "absent_over_time",
     "changes", "resets"}
)  # fmt: skip
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
_COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket", "_created")
_REGEX_META = re.compile(r"[.*+?()\[\]{}|^$\\]")
_TEMPLATE_LABEL = re.compile(r"(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)")
_TEMPLATE_INDEX = re.compile(r"index\s+(?:\$labels|\.Labels)\s+\"([^\"]+)\"")
_LEVEL_METRIC_OPS = re.compile(r"[^:]+(?::[^:]+){2,}")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Settings of the checks beyond promtool.

    Attributes:
        scrape_interval_s: for ``range-too-short`` (``--scrape-interval``; the server's with
            ``--server``).
        evaluation_interval_s: a group's interval when it sets none.
        required_labels / required_annotations: what every alert must carry.
        noisy_functions: functions that make an alert without ``for`` noisy.
        max_series: ``too-many-series`` threshold.
        recorded: metric names recorded by the checked files (present for ``metric-missing``).
    """

    scrape_interval_s: float = 60.0
    evaluation_interval_s: float = 60.0
    required_labels: tuple[str, ...] = ("severity",)
    required_annotations: tuple[str, ...] = ("summary",)
    noisy_functions: frozenset[str] = DEFAULT_NOISY
    max_series: int = 10_000
    recorded: frozenset[str] = field(default_factory=frozenset)


def _rule(rule_id: str) -> RuleInfo:
    return RULES_CHECK.rules[rule_id]


class _Out:
    """Collects hits for one file, with the group and rule as extra JSON fields."""

    def __init__(self, rule_file: RuleFile) -> None:
        self.lines = rule_file.lines
        self.hits: list[Hit] = []

    def add(
        self,
        rule: RuleInfo,
        message: str,
        pos: Pos,
        *,
        group: str = "",
        name: str = "",
        hint: str | None = None,
        subject: str = "",
    ) -> None:
        line, col = pos
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        extra = (("group", group), ("rule", name)) if group or name else ()
        self.hits.append(
            Hit(rule, message, line, subject or f"{group}/{name}", hint, col, text, extra)
        )


@functools.lru_cache(maxsize=4096)  # rule files repeat their templates
def _template_problem(text: str) -> tuple[int, str] | None:
    """``check_template``'s complaint about ``text`` (line, message), or ``None``."""
    try:
        check_template(text)
    except TemplateError as err:
        return err.line, err.message
    return None


def recorded_names(files: Iterable[RuleFile]) -> frozenset[str]:
    """Metric names recorded by the recording rules of ``files``."""
    return frozenset(
        r.name for f in files for g in f.groups for r in g.rules if r.kind == "record" and r.name
    )


def metric_names(facts: Iterable[ExprFacts | ExprError]) -> list[str]:
    """Every metric name selected by the expressions (sorted, once each)."""
    names = {
        s.name for f in facts if isinstance(f, ExprFacts) for s in f.selectors if s.name is not None
    }
    return sorted(names)


def check_rule_file(
    rule_file: RuleFile,
    options: CheckOptions,
    *,
    facts: Mapping[str, ExprFacts | ExprError],
    server: ServerFacts | None = None,
) -> list[Hit]:
    """Every hit for one file, in file order.

    Args:
        rule_file: what the parser read.
        options: settings of the checks beyond promtool.
        facts: the file's parsed expressions (``parsers.rule_expr.expression_facts``).
        server: what ``--server`` learnt; ``None`` skips the server checks.
    """
    out = _Out(rule_file)
    for p in rule_file.problems:
        out.add(_rule(p.rule_id), p.message, p.pos, group=p.group, name=p.rule)
    parsed = facts
    seen_groups: dict[str, Pos] = {}
    seen_rules: dict[tuple[str, tuple[tuple[str, str], ...]], Pos] = {}
    for group in rule_file.groups:
        if not group.name:
            out.add(c.GROUP_NAME_EMPTY, "Groupname must not be empty", group.pos)
        elif group.name in seen_groups:
            out.add(
                c.DUPLICATE_GROUP,
                f'groupname: "{group.name}" is repeated in the same file',
                group.name_pos,
                group=group.name,
                hint=f"first defined at line {seen_groups[group.name][0]}",
            )
        else:
            seen_groups[group.name] = group.name_pos
        _check_label_names(out, group.labels, group.pos, group.name, "")
        for rule in group.rules:
            _check_rule(out, group, rule, options, parsed.get(rule.expr), server)
            if rule.kind and rule.name:
                merged = tuple(sorted({**dict(group.labels), **dict(rule.labels)}.items()))
                key = (rule.name, merged)
                if key in seen_rules:
                    out.add(
                        c.DUPLICATE_RULE,
                        f"duplicate rule {rule.name} (same name and labels as line "
                        f"{seen_rules[key][0]})",
                        rule.at(f"{rule.kind}:key"),
                        group=group.name,
                        name=rule.name,
                        hint="Might cause inconsistency while recording expressions",
                    )
                else:
                    seen_rules[key] = rule.at(f"{rule.kind}:key")
    out.hits.sort(key=lambda h: (h.line, h.col, h.rule.rule_id))
    return out.hits


def _check_label_names(
    out: _Out, labels: tuple[tuple[str, str], ...], pos: Pos, group: str, name: str
) -> None:
    for key, _value in labels:
        if not key or key == "__name__":
            out.add(c.INVALID_NAME, f"invalid label name: {key}", pos, group=group, name=name)


def _check_rule(
    out: _Out,
    group: RuleGroupDef,
    rule: RuleDef,
    options: CheckOptions,
    facts: ExprFacts | ExprError | None,
    server: ServerFacts | None,
) -> None:
    g, n = group.name, rule.name

    def add(info: RuleInfo, message: str, pos: Pos, **kw: str | None) -> None:
        out.add(info, message, pos, group=g, name=n, **kw)  # type: ignore[arg-type]

    if not rule.kind:
        # Both written and not empty (the name is then the alert's), or neither: promtool
        # reports either at the record's value, where there is one.
        if rule.name and "record" in rule.field_pos and "alert" in rule.field_pos:
            add(
                c.RECORD_AND_ALERT,
                "only one of 'record' and 'alert' must be set",
                rule.at("record"),
            )
        else:
            add(c.NO_RECORD_OR_ALERT, "one of 'record' or 'alert' must be set", rule.at("record"))
    if not rule.expr.strip():
        add(c.EXPR_MISSING, "field 'expr' must be set in rule", rule.at("expr"))
    elif isinstance(facts, ExprError):
        line, col = rule.at("expr")
        single = "\n" not in rule.expr and not _block_scalar(out.lines, line)
        pos = (line, col + facts.pos) if single else (line, col)
        add(c.INVALID_PROMQL, f"could not parse expression: {facts.reason}", pos)
    if rule.kind == "record":
        for key in ("annotations", "for", "keep_firing_for"):
            if key in rule.field_pos:
                add(c.RECORDING_FIELD, f"invalid field '{key}' in recording rule", rule.at(key))
        if "{" in rule.name or "}" in rule.name:
            add(
                c.INVALID_NAME,
                f"braces present in the recording rule name; should it be in expr?: {rule.name}",
                rule.at("record"),
            )
        elif not _LEVEL_METRIC_OPS.fullmatch(rule.name):
            add(
                c.RECORD_NAME_CONVENTION,
                f"recording rule name {rule.name!r} is not level:metric:operations",
                rule.at("record"),
                hint="e.g. job:http_requests:rate5m",
            )
    _check_label_names(out, rule.labels, rule.at("labels"), g, n)
    for key, _value in rule.annotations:
        if not key:
            add(c.INVALID_NAME, f"invalid annotation name: {key}", rule.at("annotations"))
    if rule.kind != "alert":
        _check_expr(add, rule, facts, options, server)
        return
    for what, pairs in (("label", rule.labels), ("annotation", rule.annotations)):
        for key, value in pairs:
            problem = _template_problem(value)
            if problem is not None:
                line, message = problem
                where = f"{'labels' if what == 'label' else 'annotations'}.{key}:value"
                add(
                    c.INVALID_TEMPLATE,
                    f'{what} "{key}": template: __alert_{rule.name}:{line}: {message}',
                    rule.at(where),
                )
    interval = group.interval_s if group.interval_s is not None else options.evaluation_interval_s
    if rule.for_s and interval and rule.for_s < interval:
        add(
            c.FOR_SHORTER_THAN_INTERVAL,
            f"for: {_fmt(rule.for_s)} is shorter than the evaluation interval {_fmt(interval)}",
            rule.at("for"),
        )
    labels = {k for k, _ in (*group.labels, *rule.labels)}
    for required in options.required_labels:
        if required not in labels:
            add(c.REQUIRED_LABEL, f"alert {rule.name} has no {required!r} label", rule.pos)
    annotations = {k for k, _ in rule.annotations}
    for required in options.required_annotations:
        if required not in annotations:
            add(
                c.REQUIRED_ANNOTATION, f"alert {rule.name} has no {required!r} annotation", rule.pos
            )
    if not isinstance(facts, ExprFacts):
        return
    if not facts.comparison:
        add(
            c.ALWAYS_FIRES,
            "the expression has no comparison or filter: every series it returns is an alert",
            rule.at("expr"),
            hint="compare with a threshold (> 0.05) or filter with and/unless",
        )
    noisy = sorted(facts.functions & options.noisy_functions)
    if noisy and not rule.for_s:
        add(
            c.NO_FOR_ON_NOISY,
            f"alert {rule.name} has no 'for' and its expression uses {', '.join(noisy)}",
            rule.pos,
            hint="add for: 5m (or at least a few evaluation intervals)",
        )
    used = _template_labels(rule)
    for label in sorted(used):
        gone = label in facts.dropped_labels or (
            facts.output_labels is not None and label not in facts.output_labels
        )
        if gone and label not in dict(rule.labels):
            add(
                c.LABEL_AGGREGATED_AWAY,
                f"templates use $labels.{label}, which the expression aggregates away",
                rule.at("expr"),
                hint=f"keep it: by (..., {label})",
            )
    _check_expr(add, rule, facts, options, server, template_labels=used)


def _template_labels(rule: RuleDef) -> set[str]:
    used: set[str] = set()
    for _key, value in (*rule.labels, *rule.annotations):
        used.update(_labels_used(value))
    return used


@functools.lru_cache(maxsize=4096)  # rule files repeat their templates
def _labels_used(text: str) -> tuple[str, ...]:
    """The labels a label or annotation template reads (``$labels.x``, ``index $labels "x"``)."""
    if "abels" not in text:
        return ()
    return (*_TEMPLATE_LABEL.findall(text), *_TEMPLATE_INDEX.findall(text))


def _block_scalar(lines: tuple[str, ...], line: int) -> bool:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return bool(re.search(r":\s*[|>][-+0-9]*\s*$", text))


def _fmt(seconds: float) -> str:
    from datetime import timedelta

    from obsctl.model.time import format_prom_duration

    return format_prom_duration(timedelta(seconds=seconds))


def _is_counter(name: str, server: ServerFacts | None) -> bool:
    """Whether ``name`` counts up: by metadata when the server typed it, else by its name."""
    kind = server.types.get(name) if server is not None else None
    if kind in ("counter", "histogram", "summary", "gaugehistogram"):
        return True
    if kind == "gauge":
        return False
    return name.endswith(_COUNTER_SUFFIXES)


Emit = Callable[..., None]


def _check_expr(
    emit: Emit,
    rule: RuleDef,
    facts: ExprFacts | ExprError | None,
    options: CheckOptions,
    server: ServerFacts | None,
    *,
    template_labels: set[str] | None = None,
) -> None:
    if not isinstance(facts, ExprFacts):
        return
    at = rule.at("expr")
    scrape = options.scrape_interval_s
    if server is not None and server.scrape_interval_s:
        scrape = server.scrape_interval_s
    for sel in facts.selectors:
        label = sel.name or "{…}"
        rated = sel.name and sel.functions and sel.functions[0] in RATE_FUNCTIONS
        if rated and sel.name and _is_counter(sel.name, server) is False:
            kind = server.types.get(sel.name) if server is not None else None
            why = f"a {kind}" if kind else "not a counter by its name"
            emit(
                c.RATE_ON_NON_COUNTER,
                f"{sel.functions[0]}() over {sel.name}, which is {why}",
                at,
                hint="use deriv() or delta() for gauges",
            )
        if sel.range_s is not None and scrape and sel.range_s < 2 * scrape:
            emit(
                c.RANGE_TOO_SHORT,
                f"range [{_fmt(sel.range_s)}] over {label} is shorter than twice the scrape "
                f"interval ({_fmt(scrape)})",
                at,
                hint=f"use at least [{_fmt(2 * scrape)}], better [{_fmt(4 * scrape)}]",
            )
        for lname, op, value in sel.matchers:
            if op in ("=~", "!~") and (value == ".*" or not _REGEX_META.search(value)):
                plain = "=" if op == "=~" else "!="
                message = (
                    f'{lname}{op}".*" {"matches every series" if op == "=~" else "matches nothing"}'
                    if value == ".*"
                    else f'{lname}{op}"{value}" is a plain string: use {lname}{plain}"{value}"'
                )
                emit(c.LITERAL_REGEX, message, at)
    if server is None:
        return
    for name in sorted({s.name for s in facts.selectors if s.name}):
        if server.present.get(name) is False and name not in options.recorded:
            emit(
                c.METRIC_MISSING,
                f"metric {name} has no series on the server in the lookback window",
                at,
                hint="a typo, or an exporter that is not (yet) scraped",
            )
    for sel in facts.selectors:
        known = server.label_names.get(sel.name) if sel.name else None
        if known is None:
            continue
        for lname, op, value in sel.matchers:
            matches_empty = op in ("!=", "!~") or value in ("", ".*")
            if lname not in known and not matches_empty:
                emit(
                    c.LABEL_MISSING,
                    f"label {lname!r} does not exist on {sel.name}",
                    at,
                    hint=f"its labels: {', '.join(sorted(known)[:12])}",
                )
    names = [s.name for s in facts.selectors if s.name]
    if names and all(n in server.label_names for n in names):
        union = frozenset().union(*(server.label_names[n] for n in names))
        grouping = facts.label_uses - {m[0] for s in facts.selectors for m in s.matchers}
        used = (grouping | (template_labels or set())) - facts.created_labels
        for lname in sorted(used - union - {"__name__"}):
            if lname in dict(rule.labels):
                continue
            metrics = ", ".join(sorted(set(names)))
            emit(c.LABEL_MISSING, f"label {lname!r} is used but none of {metrics} has it", at)
    count = server.series.get(rule.expr)
    if count is not None and count > options.max_series:
        emit(
            c.TOO_MANY_SERIES,
            f"the expression touches {count:,} series (more than {options.max_series:,})",
            at,
        )


def iter_selectors(facts: Iterable[ExprFacts]) -> Iterator[str]:
    """Selector names, for the workflow's server queries."""
    for f in facts:
        for s in f.selectors:
            if s.name:
                yield s.name
