"""Rule unit-test files (``promtool test rules``) and the rule groups they load.

Decoding is strict, as promtool's: an unknown key is an error naming the key and its line.
Durations use the Prometheus form (``1m``, ``1h30m``, ``0``).
"""

from __future__ import annotations

import math

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from obsctl.errors import ParseError
from obsctl.model.findings import Location
from obsctl.model.rule_unittests import (
    AlertTestCase,
    ExpectedAlert,
    ExpectedSample,
    ExprTestCase,
    InputSeries,
    Rule,
    RuleGroup,
    TestGroup,
    UnitTestFile,
)
from obsctl.parsers.rule_file import parse_prom_duration_ms
from obsctl.parsers.yaml_tags import go_yaml_kind


def parse_duration_ms(text: str) -> int:
    """A Prometheus duration (``model.ParseDuration``) in milliseconds.

    >>> parse_duration_ms("1h30m")
    5400000
    >>> parse_duration_ms("0")
    0

    Raises:
        ValueError: not a duration.
    """
    total = parse_prom_duration_ms(text.strip())
    if total is None:
        raise ValueError(f"not a valid duration string: {text!r}")
    return total


class _Doc:
    """Helpers bound to one source file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def loc(self, node: Node) -> Location:
        return Location(self.source, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, message: str) -> ParseError:
        return ParseError(message, location=self.loc(node))

    def is_null(self, node: Node | None) -> bool:
        return node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null"))

    def mapping(
        self, node: Node, what: str, allowed: frozenset[str], go_type: str | None = None
    ) -> dict[str, Node]:
        """``go_type``: the Go type promtool decodes ``node`` into, for its own words."""
        if not isinstance(node, MappingNode):
            raise self.fail(node, self._mismatch(node, what, "a mapping", go_type))
        out: dict[str, Node] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, ScalarNode) else None
            if key is None:
                raise self.fail(k, f"{what}: keys must be strings")
            if key not in allowed:
                where = what if go_type is None else f"type {go_type}"
                raise self.fail(k, f"field {key} not found in {where}")
            if key in out:
                raise self.fail(k, f"{what}: key {key!r} given twice")
            out[key] = v
        return out

    def _mismatch(self, node: Node, what: str, shape: str, go_type: str | None) -> str:
        if go_type is None:
            return f"{what} must be {shape}"
        return f"cannot unmarshal {go_yaml_kind(node)} into {go_type}"

    def seq(self, node: Node | None, what: str, go_type: str | None = None) -> list[Node]:
        if self.is_null(node):
            return []
        assert node is not None
        if not isinstance(node, SequenceNode):
            raise self.fail(node, self._mismatch(node, what, "a list", go_type))
        return list(node.value)

    def string(
        self, node: Node | None, what: str, default: str = "", go_type: str | None = None
    ) -> str:
        if self.is_null(node):
            return default
        assert node is not None
        if not isinstance(node, ScalarNode):
            raise self.fail(node, self._mismatch(node, what, "a string", go_type))
        return str(node.value)

    def duration(self, node: Node | None, what: str, default: int = 0) -> int:
        if self.is_null(node):
            return default
        assert node is not None
        try:
            return parse_duration_ms(self.string(node, what))
        except ValueError as exc:
            raise self.fail(node, f"{what}: {exc}") from None

    def number(self, node: Node | None, what: str) -> float:
        text = self.string(node, what, "0").strip()
        low = text.lower().lstrip("+-")
        if low in (".inf", "inf", "+inf"):
            return -math.inf if text.startswith("-") else math.inf
        if low in (".nan", "nan"):
            return math.nan
        try:
            return float(text)
        except ValueError:
            if node is None:
                raise
            raise self.fail(node, f"{what}: not a number: {text!r}") from None

    def boolean(self, node: Node | None, what: str) -> bool:
        text = self.string(node, what, "false").strip().lower()
        if text in ("true", "yes", "on"):
            return True
        if text in ("false", "no", "off", ""):
            return False
        assert node is not None
        raise self.fail(node, f"{what} must be true or false")

    def string_map(
        self, node: Node | None, what: str, *, go: bool = False
    ) -> tuple[tuple[str, str], ...]:
        """``go``: mismatches in the words of promtool's ``map[string]string``."""
        if self.is_null(node):
            return ()
        assert node is not None
        if not isinstance(node, MappingNode):
            go_type = "map[string]string" if go else None
            raise self.fail(node, self._mismatch(node, what, "a mapping", go_type))
        out: dict[str, str] = {}
        string = "string" if go else None
        for k, v in node.value:
            out[self.string(k, f"{what} key", go_type=string)] = self.string(
                v, f"{what}.{k.value}", go_type=string
            )
        return tuple(sorted(out.items()))


def _compose(text: str, source: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.composer.ComposerError:
        # Several documents: like promtool, read the first one.
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        return docs[0] if docs else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise ParseError(f"invalid YAML: {exc.problem}", location=loc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", location=Location(source)) from None


_FILE_KEYS = frozenset(
    {"rule_files", "evaluation_interval", "group_eval_order", "tests", "fuzzy_compare"}
)
_GROUP_KEYS = frozenset(
    {
        "name",
        "interval",
        "input_series",
        "alert_rule_test",
        "promql_expr_test",
        "external_labels",
        "external_url",
        "start_timestamp",
    }
)


def parse_unit_test_file(text: str, *, source: str) -> UnitTestFile:
    """Decode a rule unit-test file.

    Raises:
        ParseError: invalid YAML, an unknown key, or a value of the wrong type
            (with ``file:line:col``).
    """
    d = _Doc(source)
    root = _compose(text, source)
    if d.is_null(root):
        return UnitTestFile((), 60_000, (), ())
    assert root is not None
    top = d.mapping(root, "the test file", _FILE_KEYS)
    rule_files = tuple(
        d.string(n, "rule_files[]") for n in d.seq(top.get("rule_files"), "rule_files")
    )
    eval_interval = d.duration(top.get("evaluation_interval"), "evaluation_interval") or 60_000
    order = tuple(
        d.string(n, "group_eval_order[]")
        for n in d.seq(top.get("group_eval_order"), "group_eval_order")
    )
    seen: set[str] = set()
    for name, node in zip(
        order, d.seq(top.get("group_eval_order"), "group_eval_order"), strict=True
    ):
        if name in seen:
            raise d.fail(node, f"group name repeated in evaluation order: {name}")
        seen.add(name)
    tests = tuple(_test_group(d, n, eval_interval) for n in d.seq(top.get("tests"), "tests"))
    return UnitTestFile(
        rule_files=rule_files,
        evaluation_interval_ms=eval_interval,
        group_eval_order=order,
        tests=tests,
        fuzzy_compare=d.boolean(top.get("fuzzy_compare"), "fuzzy_compare"),
    )


def _test_group(d: _Doc, node: Node, eval_interval: int) -> TestGroup:
    g = d.mapping(node, "a test group", _GROUP_KEYS)
    series = []
    for sn in d.seq(g.get("input_series"), "input_series"):
        s = d.mapping(sn, "an input series", frozenset({"series", "values"}))
        series.append(
            InputSeries(
                d.string(s.get("series"), "series"),
                d.string(s.get("values"), "values"),
                sn.start_mark.line + 1,
            )
        )
    alerts = []
    for an in d.seq(g.get("alert_rule_test"), "alert_rule_test"):
        a = d.mapping(an, "an alert_rule_test", frozenset({"eval_time", "alertname", "exp_alerts"}))
        exp = []
        for en in d.seq(a.get("exp_alerts"), "exp_alerts"):
            e = d.mapping(en, "an exp_alerts item", frozenset({"exp_labels", "exp_annotations"}))
            exp.append(
                ExpectedAlert(
                    d.string_map(e.get("exp_labels"), "exp_labels"),
                    d.string_map(e.get("exp_annotations"), "exp_annotations"),
                )
            )
        alerts.append(
            AlertTestCase(
                d.duration(a.get("eval_time"), "eval_time"),
                d.string(a.get("alertname"), "alertname"),
                tuple(exp),
                an.start_mark.line + 1,
            )
        )
    exprs = []
    for xn in d.seq(g.get("promql_expr_test"), "promql_expr_test"):
        x = d.mapping(xn, "a promql_expr_test", frozenset({"expr", "eval_time", "exp_samples"}))
        samples = []
        for sn in d.seq(x.get("exp_samples"), "exp_samples"):
            s = d.mapping(sn, "an exp_samples item", frozenset({"labels", "value", "histogram"}))
            if not d.is_null(s.get("histogram")):
                hist = s["histogram"]
                raise d.fail(hist, "exp_samples: native histogram values are not supported")
            samples.append(
                ExpectedSample(
                    d.string(s.get("labels"), "labels"), d.number(s.get("value"), "value")
                )
            )
        exprs.append(
            ExprTestCase(
                d.string(x.get("expr"), "expr"),
                d.duration(x.get("eval_time"), "eval_time"),
                tuple(samples),
                xn.start_mark.line + 1,
            )
        )
    start = 0
    if not d.is_null(g.get("start_timestamp")):
        start = _timestamp_ms(d, g["start_timestamp"])
    return TestGroup(
        name=d.string(g.get("name"), "name"),
        interval_ms=d.duration(g.get("interval"), "interval") or eval_interval,
        input_series=tuple(series),
        alert_tests=tuple(alerts),
        expr_tests=tuple(exprs),
        external_labels=d.string_map(g.get("external_labels"), "external_labels"),
        external_url=d.string(g.get("external_url"), "external_url"),
        start_ms=start,
        line=node.start_mark.line + 1,
    )


def _timestamp_ms(d: _Doc, node: Node) -> int:
    text = d.string(node, "start_timestamp").strip()
    try:
        return round(float(text) * 1000)
    except ValueError:
        pass
    from datetime import datetime

    try:
        return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        raise d.fail(node, f"start_timestamp: not a Unix time or RFC 3339 time: {text!r}") from None


_RULE_GROUP_KEYS = frozenset({"name", "interval", "rules", "limit", "query_offset", "labels"})
_RULE_KEYS = frozenset(
    {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
)


def parse_rule_groups(text: str, *, source: str) -> list[RuleGroup]:
    """The rule groups of a Prometheus rule file (or a ``PrometheusRule`` resource).

    Raises:
        ParseError: invalid YAML or an invalid group or rule (with ``file:line:col``).
    """
    d = _Doc(source)
    root = _compose(text, source)
    if d.is_null(root):
        return []
    assert root is not None
    if isinstance(root, MappingNode):
        keys = {k.value for k, _ in root.value if isinstance(k, ScalarNode)}
        if "spec" in keys and "kind" in keys:
            spec = {k.value: v for k, v in root.value if isinstance(k, ScalarNode)}["spec"]
            root = spec
    top = d.mapping(root, "a rule file", frozenset({"groups"}), "rulefmt.RuleGroups")
    groups: list[RuleGroup] = []
    names: set[str] = set()
    for gn in d.seq(top.get("groups"), "groups", "[]rulefmt.RuleGroup"):
        g = d.mapping(gn, "a rule group", _RULE_GROUP_KEYS, "rulefmt.RuleGroup")
        name = d.string(g.get("name"), "name", go_type="string")
        if not name:
            raise d.fail(gn, "Groupname must not be empty")
        if name in names:
            raise d.fail(gn, f'groupname: "{name}" is repeated in the same file')
        names.add(name)
        group_labels = d.string_map(g.get("labels"), "labels", go=True)
        rules = []
        for index, rn in enumerate(d.seq(g.get("rules"), "rules", "[]rulefmt.RuleNode"), 1):
            rules.append(_rule(d, rn, name, index, group_labels))
        limit_text = d.string(g.get("limit"), "limit", "0")
        try:
            limit = int(limit_text)
        except ValueError:
            raise d.fail(g["limit"], "limit must be an integer") from None
        groups.append(
            RuleGroup(
                name=name,
                rules=tuple(rules),
                interval_ms=d.duration(g.get("interval"), "interval") or None,
                query_offset_ms=d.duration(g.get("query_offset"), "query_offset"),
                limit=limit,
                source=source,
            )
        )
    return groups


def _rule(
    d: _Doc, node: Node, group: str, index: int, group_labels: tuple[tuple[str, str], ...]
) -> Rule:
    r = d.mapping(node, "a rule", _RULE_KEYS, "rulefmt.RuleNode")

    def text(key: str) -> str:
        # Prometheus keeps record, alert and expr as YAML nodes: a sequence or a mapping is
        # no unmarshal error but an empty value.
        value = r.get(key)
        if value is not None and not isinstance(value, ScalarNode):
            return ""
        return d.string(value, key, go_type="string")

    record, alert, expr = text("record"), text("alert"), text("expr")
    where = f'group "{group}", rule {index}, "{alert or record}"'
    if record and alert:
        mark = r["alert"].start_mark  # promtool gives both places, the record's first
        also = f"{mark.line + 1}:{mark.column + 1}"
        raise d.fail(r["record"], f"{also}: {where}: only one of 'record' and 'alert' must be set")
    if not record and not alert:
        raise d.fail(r.get("record", node), f"{where}: one of 'record' or 'alert' must be set")
    if not expr.strip():
        raise d.fail(r.get("expr", node), f"{where}: field 'expr' must be set in rule")
    labels = dict(group_labels)
    labels.update(d.string_map(r.get("labels"), "labels", go=True))
    if record:
        for key in ("annotations", "for", "keep_firing_for"):
            if key in r and not d.is_null(r[key]):
                raise d.fail(r["record"], f"{where}: invalid field '{key}' in recording rule")
    return Rule(
        kind="record" if record else "alert",
        name=record or alert,
        expr=expr,
        for_ms=d.duration(r.get("for"), "for"),
        keep_firing_for_ms=d.duration(r.get("keep_firing_for"), "keep_firing_for"),
        labels=tuple(sorted(labels.items())),
        annotations=d.string_map(r.get("annotations"), "annotations", go=True),
        source=d.source,
        line=node.start_mark.line + 1,
    )
