"""Prometheus rule files and Kubernetes ``PrometheusRule`` resources → alerting rules.

Accepted shapes (several YAML documents per file are fine):

* a Prometheus rule file: ``groups: [{name, interval?, rules: [{alert, expr, for, …}]}]``;
* a ``PrometheusRule`` (``apiVersion: monitoring.coreos.com/v1``): the same under ``spec:``;
* a Kubernetes ``List`` whose ``items`` hold ``PrometheusRule`` resources.

Errors carry ``file:line:col`` of the offending node.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from obsctl.errors import ParseError, UsageError
from obsctl.model.alerts import AlertRule, Labels, make_labels
from obsctl.model.findings import Location
from obsctl.model.time import TimeSyntaxError, parse_duration
from obsctl.yaml_limits import SafeLoader


def _loc(source: str, node: Node) -> Location:
    return Location(source, node.start_mark.line + 1, node.start_mark.column + 1)


def _get(node: MappingNode, key: str) -> Node | None:
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found: Node = v
            return found
    return None


def _key_node(node: MappingNode, key: str) -> Node | None:
    for k, _ in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k
    return None


def _scalar(node: Node, source: str, what: str) -> str:
    if not isinstance(node, ScalarNode):
        raise ParseError(f"{what} must be a string", location=_loc(source, node))
    return str(node.value)


def _mapping(node: Node, source: str, what: str) -> MappingNode:
    if not isinstance(node, MappingNode):
        raise ParseError(f"{what} must be a mapping", location=_loc(source, node))
    return node


def _sequence(node: Node, source: str, what: str) -> SequenceNode:
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        return SequenceNode(tag="tag:yaml.org,2002:seq", value=[])
    if not isinstance(node, SequenceNode):
        raise ParseError(f"{what} must be a list", location=_loc(source, node))
    return node


def _duration(node: Node | None, source: str, what: str) -> timedelta | None:
    if node is None:
        return None
    text = _scalar(node, source, what)
    try:
        return parse_duration(text, allow_zero=True)
    except TimeSyntaxError as exc:
        raise ParseError(f"{what}: {exc}", location=_loc(source, node)) from None


def _string_map(node: Node | None, source: str, what: str) -> Labels:
    if node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
        return ()
    mapping = _mapping(node, source, what)
    return make_labels(
        (_scalar(k, source, f"{what} key"), _scalar(v, source, f"{what}.{k.value}"))
        for k, v in mapping.value
    )


def _group_nodes(doc: Node, source: str) -> Iterator[SequenceNode]:
    """The ``groups`` list(s) of one YAML document, whatever its shape."""
    if isinstance(doc, ScalarNode) and doc.tag.endswith(":null"):
        return
    top = _mapping(doc, source, "a rule file")
    kind = _get(top, "kind")
    kind_name = kind.value if isinstance(kind, ScalarNode) else None
    if kind_name == "List":
        items = _get(top, "items")
        for item in _sequence(items, source, "items").value if items is not None else []:
            yield from _group_nodes(item, source)
        return
    if kind_name is not None and kind_name != "PrometheusRule":
        return  # another Kubernetes resource in the same manifest
    holder = top
    if kind_name == "PrometheusRule":
        spec = _get(top, "spec")
        if spec is None:
            raise ParseError("PrometheusRule without spec", location=_loc(source, top))
        holder = _mapping(spec, source, "spec")
    groups = _get(holder, "groups")
    if groups is None:
        raise ParseError(
            "no 'groups:' key: not a Prometheus rule file or PrometheusRule",
            location=_loc(source, holder),
        )
    yield _sequence(groups, source, "groups")


def parse_alert_rules(text: str, *, source: str) -> list[AlertRule]:
    """Every alerting rule in a rule file (recording rules are skipped).

    Args:
        text: the file's contents.
        source: the file name, for locations.

    Raises:
        ParseError: invalid YAML or an invalid rule (with ``file:line:col``).
    """
    try:
        docs = [d for d in yaml.compose_all(text, Loader=SafeLoader) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise ParseError(f"invalid YAML: {exc.problem}", location=loc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", location=Location(source)) from None
    rules: list[AlertRule] = []
    for doc in docs:
        for groups in _group_nodes(doc, source):
            for gnode in groups.value:
                rules.extend(_group_rules(gnode, source))
    return rules


def _group_rules(gnode: Node, source: str) -> Iterator[AlertRule]:
    group = _mapping(gnode, source, "a rule group")
    name_node = _get(group, "name")
    gname = _scalar(name_node, source, "group name") if name_node is not None else ""
    interval = _duration(_get(group, "interval"), source, "interval")
    rules_node = _get(group, "rules")
    if rules_node is None:
        return
    for rnode in _sequence(rules_node, source, "rules").value:
        rule = _mapping(rnode, source, "a rule")
        alert = _get(rule, "alert")
        if alert is None:
            continue  # recording rule
        name = _scalar(alert, source, "alert")
        expr = _get(rule, "expr")
        if expr is None:
            raise ParseError(f"alert {name!r} has no expr", location=_loc(source, rule))
        key = _key_node(rule, "alert") or rule
        yield AlertRule(
            name=name,
            expr=_scalar(expr, source, "expr").strip(),
            for_=_duration(_get(rule, "for"), source, "for") or timedelta(0),
            keep_firing_for=_duration(_get(rule, "keep_firing_for"), source, "keep_firing_for")
            or timedelta(0),
            labels=_string_map(_get(rule, "labels"), source, "labels"),
            annotations=_string_map(_get(rule, "annotations"), source, "annotations"),
            group=gname,
            interval=interval,
            source=source,
            line=key.start_mark.line + 1,
        )


def find_alert_rule(rules: list[AlertRule], name: str, *, source: str) -> AlertRule:
    """The rule named ``name`` (the first one when several groups define it).

    Raises:
        UsageError: no alerting rule with that name; the message lists the known ones.
    """
    for rule in rules:
        if rule.name == name:
            return rule
    known = sorted({r.name for r in rules})
    listed = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
    raise UsageError(
        f"no alerting rule named {name!r} in {source}",
        hint=f"alerts defined there: {listed}" if known else "the file defines no alerts",
    )
