"""Prometheus rule files read strictly, as ``promtool check rules`` reads them, with positions.

Accepted shapes: a plain rule file (``groups:``), several YAML documents, a Kubernetes
``PrometheusRule`` (``spec.groups``) and a ``List`` of them. Positions always point into the
original file. What promtool rejects while *decoding* (an unknown key, a map where a string
belongs, a bad duration, a duplicate key) becomes a ``Problem`` and reading goes on, so one run
reports every problem. Only text that is not YAML at all raises.

The names (``RUL1xx``) are those of ``analysis.rules``' catalogue; this module stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from obsctl.errors import ParseError
from obsctl.model.findings import Location
from obsctl.model.rules import Pos, Problem, RuleDef, RuleFile, RuleGroupDef
from obsctl.parsers._fast_init import fast_init
from obsctl.parsers.yaml_tags import go_yaml_kind

GROUP_KEYS = ("name", "interval", "limit", "rules", "query_offset", "labels")
RULE_KEYS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
CRD_GROUP_KEYS = (*GROUP_KEYS, "partial_response_strategy")

STRUCTURE = "RUL100"
UNKNOWN_FIELD = "RUL101"
BAD_DURATION = "RUL110"

_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_UNITS_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)

_new_RuleDef = fast_init(RuleDef)


def parse_prom_duration_ms(text: str) -> int | None:
    """Milliseconds of a Prometheus duration (``model.ParseDuration``: ``1h30m``, ``0``), or
    ``None`` when invalid: the one reader of rule-file durations (rule checks, backtests and
    rule unit tests).

    >>> parse_prom_duration_ms("1h30m"), parse_prom_duration_ms("1s5ms")
    (5400000, 1005)
    >>> parse_prom_duration_ms("5"), parse_prom_duration_ms("5m1h")
    (None, None)
    """
    if text == "0":
        return 0
    m = _DURATION.match(text)
    if not text or m is None:
        return None
    return sum(int(v) * u for v, u in zip(m.groups(), _UNITS_MS, strict=True) if v)


def parse_prom_duration(text: str) -> float | None:
    """Seconds of a Prometheus duration (``1h30m``, ``0``), or ``None`` when invalid.

    >>> parse_prom_duration("1h30m"), parse_prom_duration("0"), parse_prom_duration("5")
    (5400.0, 0.0, None)
    """
    ms = parse_prom_duration_ms(text)
    return None if ms is None else ms / 1000


def _pos(node: Node) -> Pos:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def _plain(node: Node) -> bool:
    # An unquoted scalar: libyaml's composer says style "", the Python one None.
    return isinstance(node, ScalarNode) and not node.style


def _is_null(node: Node) -> bool:
    # The base loader tags every scalar as a string; a plain (unquoted) null spelling is null.
    return _plain(node) and node.value in _NULLS


def _pairs(node: MappingNode) -> list[tuple[Node, Node]]:
    """A mapping's key/value pairs with YAML merge keys (``<<: *anchor``) expanded, as go-yaml
    does: keys written in the mapping win over merged ones."""
    pairs: list[tuple[Node, Node]] = node.value
    for k, _ in pairs:
        if k.value == "<<":
            break
    else:
        return pairs  # no merge key (a non-scalar key's value is a list, never "<<")
    merged: list[tuple[Node, Node]] = []
    own: list[tuple[Node, Node]] = []
    for k, v in pairs:
        if _plain(k) and k.value == "<<":
            sources = v.value if isinstance(v, SequenceNode) else [v]
            for src in sources:
                if isinstance(src, MappingNode):
                    merged.extend(_pairs(src))
                else:
                    own.append((k, v))  # not a mapping: reported as an unknown key
        else:
            own.append((k, v))
    written = {k.value for k, _ in own if isinstance(k, ScalarNode)}
    return [(k, v) for k, v in merged if k.value not in written] + own


class _Reader:
    """Walks the composed documents of one file and collects groups and problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.groups: list[RuleGroupDef] = []

    def problem(
        self, rule_id: str, message: str, node: Node, group: str = "", rule: str = ""
    ) -> None:
        self.problems.append(Problem(rule_id, message, _pos(node), group, rule))

    def entries(
        self, node: MappingNode, allowed: tuple[str, ...], where: str
    ) -> dict[str, tuple[Node, Node]]:
        """Keys of ``node`` → (key node, value node); unknown and repeated keys reported."""
        out: dict[str, tuple[Node, Node]] = {}
        for k, v in _pairs(node):
            key = k.value if k.__class__ is ScalarNode else "?"  # no subclasses: see string()
            if key in out:
                line = out[key][0].start_mark.line + 1
                self.problem(STRUCTURE, f'mapping key "{key}" already defined at line {line}', k)
                continue
            if key not in allowed:
                self.problem(UNKNOWN_FIELD, f"field {key} not found in type {where}", k)
                continue
            out[key] = (k, v)
        return out

    def string(self, node: Node, where: str) -> str | None:
        """A scalar as a string (YAML numbers and booleans decode into strings too)."""
        if node.__class__ is ScalarNode:  # the composers make no subclasses
            value: str = node.value
            return "" if not node.style and value in _NULLS else value
        self.problem(STRUCTURE, f"cannot unmarshal {go_yaml_kind(node)} into {where}", node)
        return None

    def string_map(
        self, node: Node, what: str
    ) -> tuple[tuple[tuple[str, str], ...], dict[str, Pos]]:
        if _is_null(node):
            return (), {}
        if not isinstance(node, MappingNode):
            self.problem(
                STRUCTURE, f"cannot unmarshal {go_yaml_kind(node)} into map[string]string", node
            )
            return (), {}
        pairs: list[tuple[str, str]] = []
        where: dict[str, Pos] = {}
        seen: dict[str, int] = {}
        for k, v in _pairs(node):
            if k.__class__ is ScalarNode and v.__class__ is ScalarNode:
                key = k.value  # self.string() of both, inline: the common case
                if not k.style and key in _NULLS:
                    key = ""
                value = v.value
                if not v.style and value in _NULLS:
                    value = ""
            else:
                key = self.string(k, "string")
                value = self.string(v, "string")
                if key is None or value is None:
                    continue
            if key in seen:
                self.problem(
                    STRUCTURE, f'mapping key "{key}" already defined at line {seen[key]}', k
                )
                continue
            mark = k.start_mark
            seen[key] = mark.line + 1
            pairs.append((key, value))
            where[f"{what}.{key}"] = (mark.line + 1, mark.column + 1)
            mark = v.start_mark
            where[f"{what}.{key}:value"] = (mark.line + 1, mark.column + 1)
        return tuple(pairs), where

    def duration(self, node: Node, what: str, group: str = "", rule: str = "") -> float | None:
        if _is_null(node):
            return None  # go-yaml leaves a null duration unset, as if the key were absent
        text = self.string(node, "model.Duration")
        if text is None:
            return None
        seconds = parse_prom_duration(text)
        if seconds is None:
            self.problem(
                BAD_DURATION, f'{what}: not a valid duration string: "{text}"', node, group, rule
            )
        return seconds

    # ------------------------------------------------------------------------ documents

    def document(self, doc: Node) -> None:
        if _is_null(doc):
            return
        if not isinstance(doc, MappingNode):
            self.problem(STRUCTURE, "a rule file must be a mapping with a groups: list", doc)
            return
        kind = next(
            (
                v.value
                for k, v in doc.value
                if isinstance(k, ScalarNode) and k.value == "kind" and isinstance(v, ScalarNode)
            ),
            None,
        )
        if kind == "List":
            items = next(
                (v for k, v in doc.value if isinstance(k, ScalarNode) and k.value == "items"), None
            )
            if isinstance(items, SequenceNode):
                for item in items.value:
                    if isinstance(item, MappingNode):
                        self.document(item)
            return
        if kind is not None and kind != "PrometheusRule":
            return  # another Kubernetes resource in the same manifest
        if kind == "PrometheusRule":
            spec = next(
                (v for k, v in doc.value if isinstance(k, ScalarNode) and k.value == "spec"), None
            )
            if not isinstance(spec, MappingNode):
                self.problem(STRUCTURE, "PrometheusRule without a spec mapping", doc)
                return
            groups = next(
                (v for k, v in spec.value if isinstance(k, ScalarNode) and k.value == "groups"),
                None,
            )
            if groups is not None:
                self.group_list(groups, crd=True)
            return
        top = self.entries(doc, ("groups",), "rulefmt.RuleGroups")
        if "groups" in top:
            self.group_list(top["groups"][1], crd=False)

    def group_list(self, node: Node, *, crd: bool) -> None:
        if _is_null(node):
            return
        if not isinstance(node, SequenceNode):
            self.problem(
                STRUCTURE,
                f"cannot unmarshal {go_yaml_kind(node)} into []rulefmt.RuleGroup",
                node,
            )
            return
        for gnode in node.value:
            self.group(gnode, crd=crd)

    def group(self, gnode: Node, *, crd: bool) -> None:
        if not isinstance(gnode, MappingNode):
            self.problem(
                STRUCTURE, f"cannot unmarshal {go_yaml_kind(gnode)} into rulefmt.RuleGroup", gnode
            )
            return
        fields = self.entries(gnode, CRD_GROUP_KEYS if crd else GROUP_KEYS, "rulefmt.RuleGroup")
        name = ""
        name_pos = _pos(gnode)
        if "name" in fields:
            name = self.string(fields["name"][1], "string") or ""
            name_pos = _pos(fields["name"][1])
        interval = None
        if "interval" in fields:
            interval = self.duration(fields["interval"][1], "interval", name)
        if "query_offset" in fields:
            self.duration(fields["query_offset"][1], "query_offset", name)
        if "limit" in fields:
            limit = fields["limit"][1]
            if not _is_null(limit) and not (
                isinstance(limit, ScalarNode) and re.fullmatch(r"-?\d+", str(limit.value))
            ):
                self.problem(STRUCTURE, "limit: cannot unmarshal into int", limit, name)
        labels: tuple[tuple[str, str], ...] = ()
        if "labels" in fields:
            labels, _ = self.string_map(fields["labels"][1], "labels")
        rules: list[RuleDef] = []
        if "rules" in fields:
            rnode = fields["rules"][1]
            if isinstance(rnode, SequenceNode):
                rules = [r for r in (self.rule(n, name) for n in rnode.value) if r is not None]
            elif not _is_null(rnode):
                self.problem(
                    STRUCTURE,
                    f"cannot unmarshal {go_yaml_kind(rnode)} into []rulefmt.RuleNode",
                    rnode,
                    name,
                )
        self.groups.append(
            RuleGroupDef(name, interval, labels, tuple(rules), _pos(gnode), name_pos)
        )

    def rule(self, rnode: Node, group: str) -> RuleDef | None:
        if not isinstance(rnode, MappingNode):
            self.problem(
                STRUCTURE,
                f"cannot unmarshal {go_yaml_kind(rnode)} into rulefmt.RuleNode",
                rnode,
                group,
            )
            return None
        fields = self.entries(rnode, RULE_KEYS, "rulefmt.RuleNode")
        where: dict[str, Pos] = {}
        text: dict[str, str] = {}
        for key in ("record", "alert", "expr"):
            if key in fields:
                node = fields[key][1]
                # Prometheus keeps these three as YAML nodes: a sequence or a mapping is no
                # unmarshal error but an empty value, reported where it is written.
                value = self.string(node, "string") if node.__class__ is ScalarNode else ""
                if value is not None:
                    text[key] = value
                    where[key] = _pos(node)
                    where[f"{key}:key"] = _pos(fields[key][0])
        kind: str = ""
        if text.get("alert") and not text.get("record"):
            kind = "alert"
        elif text.get("record") and not text.get("alert"):
            kind = "record"
        name = text.get("alert") or text.get("record") or ""
        durations: dict[str, float | None] = {}
        for key in ("for", "keep_firing_for"):
            if key in fields:
                where[key] = _pos(fields[key][1])
                durations[key] = self.duration(fields[key][1], key, group, name)
        labels: tuple[tuple[str, str], ...] = ()
        annotations: tuple[tuple[str, str], ...] = ()
        if "labels" in fields:
            labels, more = self.string_map(fields["labels"][1], "labels")
            where.update(more)
            where["labels"] = _pos(fields["labels"][0])
        if "annotations" in fields:
            annotations, more = self.string_map(fields["annotations"][1], "annotations")
            where.update(more)
            where["annotations"] = _pos(fields["annotations"][0])
        return _new_RuleDef(
            kind=kind,  # type: ignore[arg-type]
            name=name,
            expr=text.get("expr", ""),
            for_s=durations.get("for"),
            keep_firing_for_s=durations.get("keep_firing_for"),
            labels=labels,
            annotations=annotations,
            pos=_pos(rnode),
            field_pos=where,
            group=group,
        )


def _loader() -> type[Any]:
    """libyaml's composer without tag resolution, or the pure-Python base loader.

    libyaml composes ~10x faster than the pure-Python loader (a 5,000-rule file: 0.4 s instead
    of 4 s) with the same nodes and marks. No tag is resolved: every scalar stays a string, as
    Prometheus decodes them, and the reader looks at node kinds and plain/quoted style only; the
    resolver hooks libyaml calls back for every node are no-ops (10% of composing).
    """
    global _LOADER  # noqa: PLW0603 - built once, on first use
    if _LOADER is None:
        try:
            from yaml._yaml import CParser
        except ImportError:  # pragma: no cover - PyYAML built without libyaml
            _LOADER = yaml.BaseLoader
        else:

            class _CLoader(CParser):
                def descend_resolver(self, parent: object, index: object) -> None:
                    pass

                def ascend_resolver(self) -> None:
                    pass

                def resolve(self, kind: type[Node], value: object, implicit: object) -> str:
                    return _TAGS[kind]

            _LOADER = _CLoader
    return _LOADER


_LOADER: type[Any] | None = None
_TAGS: dict[type[Node], str] = {
    ScalarNode: "tag:yaml.org,2002:str",
    SequenceNode: "tag:yaml.org,2002:seq",
    MappingNode: "tag:yaml.org,2002:map",
}


def parse_rule_file(text: str, *, source: str) -> RuleFile:
    """Read one rule file (any of the accepted shapes) strictly, collecting problems.

    Raises:
        ParseError: the text is not YAML at all (exit 2), with where it broke.
    """
    try:
        docs = list(yaml.compose_all(text, Loader=_loader()))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise ParseError(f"not YAML: {exc.problem}", location=loc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"not YAML: {exc}", location=Location(source)) from None
    reader = _Reader(source)
    for doc in docs:
        if doc is not None:
            reader.document(doc)
    return RuleFile(source, tuple(reader.groups), tuple(reader.problems), tuple(text.splitlines()))


def iter_rules(rule_file: RuleFile) -> Iterator[tuple[RuleGroupDef, RuleDef]]:
    """Every (group, rule) pair in file order."""
    for group in rule_file.groups:
        for rule in group.rules:
            yield group, rule
