"""An OpenTelemetry Collector configuration as a located YAML tree.

Every key and value keeps the file, line and column it came from (1-based), also when the
config was embedded in a Kubernetes object or a Helm values file, so findings point into the
file the user edits. The tree is deliberately untyped (maps, lists, scalars): the collector's
own config is a free-form map until each component decodes its part, and validation works the
same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, NamedTuple

ScalarValue = str | int | float | bool | None
"""What a YAML scalar resolves to (YAML 1.2 core schema, as the collector's YAML library)."""

Signal = Literal["traces", "metrics", "logs", "profiles"]
SIGNALS: tuple[str, ...] = ("traces", "metrics", "logs", "profiles")
COMPONENT_KINDS: tuple[str, ...] = (
    "receivers",
    "processors",
    "exporters",
    "connectors",
    "extensions",
)
"""The component sections of a collector config, in the order the collector documents them."""


# The tree's node classes and the parser's records are written out by hand (nodes) or are
# NamedTuples (records), not dataclasses: a dataclass compiles its generated methods from
# source when it is defined, and these are defined on every `obsctl validate` start-up.
# Nodes compare by identity (a node is a place in a file, not a value).


class Node:
    """Base of the located tree: where the node starts."""

    __slots__ = ("col", "file", "line")
    _FIELDS: tuple[str, ...] = ("file", "line", "col")

    def __init__(self, file: str, line: int, col: int) -> None:
        self.file = file
        self.line = line
        self.col = col

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}({fields})"


class YamlScalar(Node):
    """A scalar: its resolved value and the text as written.

    Attributes:
        value: the value after ``${…}`` expansion (the written value when nothing expands).
        text: the scalar as written, before expansion.
        quoted: written in quotes or as a block scalar (always a string).
        known: False when the value depends on something obsctl cannot see offline (an unset
            environment variable, ``${file:…}``, ``${http:…}``); value checks skip it.
    """

    __slots__ = ("known", "quoted", "text", "value")
    _FIELDS = ("file", "line", "col", "value", "text", "quoted", "known")

    def __init__(
        self,
        file: str,
        line: int,
        col: int,
        value: ScalarValue = None,
        text: str = "",
        quoted: bool = False,
        known: bool = True,
    ) -> None:
        self.file = file
        self.line = line
        self.col = col
        self.value = value
        self.text = text
        self.quoted = quoted
        self.known = known


class YamlSeq(Node):
    """A sequence."""

    __slots__ = ("items",)
    _FIELDS = ("file", "line", "col", "items")

    def __init__(self, file: str, line: int, col: int, items: list[Node] | None = None) -> None:
        self.file = file
        self.line = line
        self.col = col
        self.items: list[Node] = [] if items is None else items


class YamlMap(Node):
    """A mapping: key text → (key node, value node), in document order."""

    __slots__ = ("entries",)
    _FIELDS = ("file", "line", "col", "entries")

    def __init__(
        self,
        file: str,
        line: int,
        col: int,
        entries: dict[str, tuple[YamlScalar, Node]] | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.col = col
        self.entries: dict[str, tuple[YamlScalar, Node]] = {} if entries is None else entries

    def get(self, key: str) -> Node | None:
        """The value node under ``key``, if present."""
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_node(self, key: str) -> YamlScalar | None:
        """The key node of ``key``, if present."""
        entry = self.entries.get(key)
        return entry[0] if entry else None

    def items(self) -> Iterator[tuple[str, YamlScalar, Node]]:
        """``(key, key node, value node)`` in document order."""
        for key, (knode, vnode) in self.entries.items():
            yield key, knode, vnode

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __len__(self) -> int:
        return len(self.entries)


def is_null(node: Node | None) -> bool:
    """True for a missing node or an explicit YAML null (``key:`` or ``~``)."""
    return node is None or (isinstance(node, YamlScalar) and node.value is None and node.known)


class Problem(NamedTuple):
    """Something the parser noticed, reported as a finding by the validator.

    Attributes:
        rule_id: the ``OTC`` rule it belongs to.
        message: one line.
        file, line, col: where (1-based; 0 when unknown).
        path: dotted path in the config (``receivers.otlp``), if any.
        hint: optional fix.
        severity: ``error``, ``warning`` or ``info``; empty means the rule's default.
    """

    rule_id: str
    message: str
    file: str
    line: int = 0
    col: int = 0
    path: str = ""
    hint: str | None = None
    severity: str = ""


class SourceDocument(NamedTuple):
    """One input after unwrapping: the collector config it holds and how it was found.

    Attributes:
        file: the display name of the input (a path or ``-``).
        root: the config mapping; ``None`` when the input could not be parsed or is empty.
        wrapper: ``plain``, ``configmap``, ``opentelemetrycollector`` or ``helm``.
        problems: parse-time problems (YAML errors, duplicate keys, env syntax …).
        empty: the input held no document at all (empty, or comments only).
        defaults_at: Helm values: the position (line, col) every node of the chart's own
            default ``config`` carries, so findings about those defaults can be told apart.
        pod_env: Helm values: environment variables the chart sets in the collector's pod
            (``MY_POD_IP``, ``extraEnvs``); the value is ``None`` when it is known only at
            run time (``valueFrom``, the pod IP).
    """

    file: str
    root: YamlMap | None
    wrapper: str = "plain"
    problems: tuple[Problem, ...] = ()
    empty: bool = False
    detail: str = ""
    defaults_at: tuple[int, int] | None = None
    pod_env: tuple[tuple[str, str | None], ...] = ()


class CollectorConfig(NamedTuple):
    """The effective config: every input merged the way ``--config a --config b`` merges.

    Attributes:
        root: the merged tree (``None`` when nothing parsed).
        documents: the inputs, in order.
    """

    root: YamlMap | None
    documents: tuple[SourceDocument, ...]

    @property
    def wrappers(self) -> tuple[str, ...]:
        """The wrapper kinds seen (for rules that depend on where the config runs)."""
        return tuple(d.wrapper for d in self.documents)


class PipelineView(NamedTuple):
    """One pipeline, for ``--graph``: its components in order and connector links."""

    pipeline_id: str
    receivers: tuple[str, ...]
    processors: tuple[str, ...]
    exporters: tuple[str, ...]


class PipelineGraph(NamedTuple):
    """All pipelines and the connectors that bridge them (rendered by ``--graph``).

    NamedTuple records like the others here, not frozen dataclasses: defining those costs
    start-up time on every ``validate``. ``as_dict`` is the JSON shape."""

    pipelines: tuple[PipelineView, ...]
    connectors: tuple[str, ...]
    extensions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """``{"pipelines": [{"pipeline_id", "receivers", "processors", "exporters"}],
        "connectors", "extensions"}``."""
        return {
            "pipelines": [p._asdict() for p in self.pipelines],
            "connectors": self.connectors,
            "extensions": self.extensions,
        }
