"""OpenTelemetry Collector YAML → a located tree (``model.collector``).

Safety first: the YAML is read as an event stream (no Python objects are ever constructed from
tags), the tree is composed here with an explicit stack, and three budgets keep hostile input
cheap to refuse:

* nesting deeper than ``MAX_DEPTH`` stops the parse at the offending event;
* aliases are never copied: each alias adds the *size* of the anchored subtree to a running
  total, so a "billion laughs" document is refused after a few hundred events, using the same
  ratio rule as the collector's YAML library (go-yaml v3 ``allowedAliasRatio``);
* inputs larger than ``MAX_BYTES`` are refused before parsing.

On top of plain YAML this module understands where collector configs live in practice (a
Kubernetes ConfigMap, an ``OpenTelemetryCollector`` resource, a Helm values file) and keeps
line numbers pointing into the original file; merges several ``--config`` inputs like the
collector; and expands ``${…}`` references the way the collector's confmap does, reporting
syntax problems instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from obsctl.model.collector import (
    CollectorConfig,
    Node,
    Problem,
    ScalarValue,
    SourceDocument,
    YamlMap,
    YamlScalar,
    YamlSeq,
)
from obsctl.yaml_limits import MAX_DEPTH as YAML_MAX_DEPTH

MAX_BYTES = 8 * 1024 * 1024
"""Largest input accepted (8 MiB; real collector configs are well under 1 MiB)."""
MAX_DEPTH = YAML_MAX_DEPTH
"""Deepest nesting accepted (shared with every YAML reader: ``obsctl.yaml_limits``)."""
MAX_NODES = 4_000_000
"""Most nodes a document may expand to through aliases."""

COLLECTOR_KEYS = frozenset(
    {"receivers", "processors", "exporters", "connectors", "extensions", "service"}
)
SUPPORTED_SCHEMES = frozenset({"env", "file", "yaml", "http", "https"})
"""Config providers compiled into the standard distributions."""

_ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", re.DOTALL)
_BARE_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_INT_PREFIXED = re.compile(r"^[-+]?0(x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (about 8x faster than the pure one)."""


class YamlRefused(Exception):
    """The document breaks a safety budget or is not valid YAML."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


# ----------------------------------------------------------------------------- scalars


def resolve_plain_scalar(text: str) -> ScalarValue:
    """Resolve an unquoted scalar the way go-yaml v3 does for untyped targets.

    >>> resolve_plain_scalar("42"), resolve_plain_scalar("true"), resolve_plain_scalar("~")
    (42, True, None)
    >>> resolve_plain_scalar("yes"), resolve_plain_scalar("1.5"), resolve_plain_scalar("0x1f")
    ('yes', 1.5, 31)
    """
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _INT_PREFIXED.match(text):
        return int(text.replace("_", ""), 0)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    return text


# ----------------------------------------------------------------------------- composing


class _Frame:
    # Plain slotted classes for the composer's private state: each dataclass would add
    # ~0.5 ms to `obsctl validate`'s start-up.
    __slots__ = ("anchor", "key", "key_is_merge", "merges", "node", "size")

    def __init__(self, node: YamlMap | YamlSeq, *, anchor: str | None = None) -> None:
        self.node = node
        self.size = 1
        self.key: YamlScalar | None = None
        self.key_is_merge = False
        self.merges: list[Node] = []
        self.anchor = anchor


class _Position:
    __slots__ = ("col_base", "file", "fixed", "line_base")

    def __init__(
        self,
        file: str,
        line_base: int = 0,
        col_base: int = 0,
        fixed: tuple[int, int] | None = None,
    ) -> None:
        self.file = file
        self.line_base = line_base
        self.col_base = col_base
        # When set, every node gets this (line, col): used for configs embedded in a quoted
        # string, whose inner positions cannot be mapped back.
        self.fixed = fixed

    def at(self, mark: object) -> tuple[int, int]:
        if self.fixed is not None:
            return self.fixed
        if mark is None:
            return 0, 0
        return (
            mark.line + 1 + self.line_base,  # type: ignore[attr-defined]
            mark.column + 1 + self.col_base,  # type: ignore[attr-defined]
        )


def _allowed_alias_ratio(total: int) -> float:
    # go-yaml v3 decode.go: 0.99 up to 400k decoded nodes, falling linearly to 0.10 at 4M.
    if total <= 400_000:
        return 0.99
    if total >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (total - 400_000) / 3_600_000


class _Composer:
    """Builds located trees from PyYAML events with explicit budgets."""

    def __init__(self, pos: _Position, problems: list[Problem]) -> None:
        self.pos = pos
        self.problems = problems
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.total = 0
        self.aliased = 0

    def compose(self, text: str) -> list[Node | None]:
        docs: list[Node | None] = []
        stack: list[_Frame] = []
        current: list[Node | None] = []
        try:
            # Dispatch on the exact event class (about 2x faster than an isinstance chain on
            # the 50k events of a 2,000-pipeline config).
            scalar_ev, alias_ev = yaml.ScalarEvent, yaml.AliasEvent
            map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
            map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
            doc_start, doc_end = yaml.DocumentStartEvent, yaml.DocumentEndEvent
            file = self.pos.file
            at = self.pos.at
            for raw_event in yaml.parse(text, Loader=_Loader):
                event: Any = raw_event  # narrowed by the class checks below
                cls = event.__class__
                if cls is scalar_ev:
                    node = self._scalar(event)
                    self.total += 1
                    if event.anchor:
                        self.anchors[event.anchor] = (node, 1)
                    self._add(stack, current, node, 1)
                elif cls is map_start or cls is seq_start:
                    line, col = at(event.start_mark)
                    if len(stack) >= MAX_DEPTH:
                        raise YamlRefused(
                            f"nesting deeper than {MAX_DEPTH} levels refused", line, col
                        )
                    container: YamlMap | YamlSeq = (
                        YamlMap(file, line, col) if cls is map_start else YamlSeq(file, line, col)
                    )
                    stack.append(_Frame(container, anchor=event.anchor))
                elif cls is map_end or cls is seq_end:
                    frame = stack.pop()
                    self.total += 1
                    if frame.merges and isinstance(frame.node, YamlMap):
                        self._apply_merges(frame.node, frame.merges)
                    self._register(frame.anchor, frame.node, frame.size)
                    self._add(stack, current, frame.node, frame.size)
                elif cls is alias_ev:
                    self._alias(event, stack, current)
                elif cls is doc_start:
                    current = []
                    self.anchors = {}
                elif cls is doc_end:
                    docs.append(current[0] if current else None)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = self.pos.at(mark) if mark is not None else (0, 0)
            raise YamlRefused(_yaml_message(exc), line, col) from None
        except yaml.YAMLError as exc:
            raise YamlRefused(f"invalid YAML: {exc}") from None
        return docs

    def _register(self, anchor: str | None, node: Node, size: int) -> None:
        if anchor:
            self.anchors[anchor] = (node, size)

    def _alias(
        self, event: yaml.AliasEvent, stack: list[_Frame], current: list[Node | None]
    ) -> None:
        line, col = self.pos.at(event.start_mark)
        found = self.anchors.get(event.anchor or "")
        if found is None:
            raise YamlRefused(f'unknown anchor "{event.anchor}" referenced', line, col)
        node, size = found
        self.aliased += size
        self.total += size
        if self.total > MAX_NODES or (
            self.aliased > 100
            and self.total > 1000
            and self.aliased / self.total > _allowed_alias_ratio(self.total)
        ):
            raise YamlRefused(
                "document contains excessive aliasing (an alias-expansion bomb?) refused",
                line,
                col,
            )
        self._add(stack, current, node, size)

    def _scalar(self, event: yaml.ScalarEvent) -> YamlScalar:
        line, col = self.pos.at(event.start_mark)
        text = event.value
        plain = event.style in (None, "") and event.implicit[0]
        tag = event.tag
        if tag == "tag:yaml.org,2002:str" or (not plain and tag in (None, "!")):
            value: ScalarValue = text
            quoted = not plain
        elif plain or (tag and tag.startswith("tag:yaml.org,2002:")):
            value = resolve_plain_scalar(text)
            quoted = False
        else:
            value = text
            quoted = True
        return YamlScalar(self.pos.file, line, col, value=value, text=text, quoted=quoted)

    def _add(self, stack: list[_Frame], current: list[Node | None], node: Node, size: int) -> None:
        if not stack:
            current.append(node)
            return
        frame = stack[-1]
        frame.size += size
        if isinstance(frame.node, YamlSeq):
            frame.node.items.append(node)
            return
        if frame.key is None:
            if isinstance(node, YamlScalar):
                frame.key = node
                frame.key_is_merge = node.text == "<<" and not node.quoted
            else:
                self.problems.append(
                    Problem(
                        "OTC000",
                        "a mapping or list used as a key is not supported",
                        node.file,
                        node.line,
                        node.col,
                    )
                )
                frame.key = YamlScalar(node.file, node.line, node.col, value="", text="")
                frame.key_is_merge = False
            return
        key = frame.key
        frame.key = None
        if frame.key_is_merge:
            frame.merges.append(node)
            return
        name = key.text if key.value is not None or key.quoted else ""
        entries = frame.node.entries
        if name in entries:
            first = entries[name][0]
            self.problems.append(
                Problem(
                    "OTC001",
                    f'mapping key "{name}" already defined at line {first.line}',
                    key.file,
                    key.line,
                    key.col,
                    hint="the collector refuses duplicate keys; merge the two entries",
                )
            )
        entries[name] = (key, node)

    @staticmethod
    def _apply_merges(target: YamlMap, merges: list[Node]) -> None:
        # YAML merge keys: explicit keys win; among merged maps, the first listed wins.
        sources: list[YamlMap] = []
        for m in merges:
            if isinstance(m, YamlMap):
                sources.append(m)
            elif isinstance(m, YamlSeq):
                sources.extend(item for item in m.items if isinstance(item, YamlMap))
        for src in sources:
            for key, entry in src.entries.items():
                if key not in target.entries:
                    target.entries[key] = entry


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "invalid YAML").strip()
    if "'\\t'" in problem or "\\t" in problem:
        return "found a tab character that cannot start any token (indent YAML with spaces)"
    context = (exc.context or "").strip()
    return f"{problem} ({context})" if context and context not in problem else problem


def compose_yaml(
    text: str,
    file: str,
    *,
    line_base: int = 0,
    col_base: int = 0,
    fixed: tuple[int, int] | None = None,
) -> tuple[list[Node | None], list[Problem]]:
    """Parse ``text`` into located trees, one per YAML document.

    Args:
        text: the YAML.
        file: display name stored in every node.
        line_base, col_base: added to every position (for configs embedded in a block scalar).
        fixed: give every node this position (configs embedded in a quoted string).

    Returns:
        The documents (``None`` for an empty one) and non-fatal problems (duplicate keys).

    Raises:
        YamlRefused: invalid YAML or a broken safety budget, with the position.
    """
    if len(text) > MAX_BYTES:
        raise YamlRefused(f"input larger than {MAX_BYTES // (1024 * 1024)} MiB refused", 1, 1)
    problems: list[Problem] = []
    composer = _Composer(_Position(file, line_base, col_base, fixed), problems)
    return composer.compose(text), problems


# ----------------------------------------------------------------------------- wrappers


def _scalar_str(node: Node | None) -> str | None:
    if isinstance(node, YamlScalar) and isinstance(node.value, str):
        return node.value
    return None


def _looks_like_collector(node: Node | None) -> bool:
    return isinstance(node, YamlMap) and any(k in COLLECTOR_KEYS for k in node.entries)


@dataclass(slots=True)
class _Unwrapped:
    root: YamlMap | None
    wrapper: str
    detail: str = ""
    problems: list[Problem] = field(default_factory=list)
    refused: Problem | None = None


def _parse_embedded(
    value: YamlScalar, lines: Sequence[str], file: str, where: str
) -> tuple[YamlMap | None, list[Problem], Problem | None]:
    """Parse a config held in a string (ConfigMap data, CR ``spec.config``)."""
    text = value.value if isinstance(value.value, str) else ""
    line_base = col_base = 0
    fixed: tuple[int, int] | None = None
    first = value.line  # the line of the indicator (| or >) or of the quoted string
    if value.quoted and value.line - 1 < len(lines) and _is_block_indicator(lines, value):
        # Literal block: content starts on the next line, every line indented alike.
        content_index = first  # 0-based index of the line after the indicator
        indent = 0
        for raw in lines[content_index:]:
            if raw.strip():
                indent = len(raw) - len(raw.lstrip(" "))
                break
        line_base = content_index
        col_base = indent
    else:
        fixed = (value.line, value.col)
    try:
        docs, problems = compose_yaml(
            text, file, line_base=line_base, col_base=col_base, fixed=fixed
        )
    except YamlRefused as exc:
        return None, [], Problem("OTC000", f"{where}: {exc.message}", file, exc.line, exc.col)
    root = docs[0] if docs else None
    if root is None:
        return None, problems, None
    if not isinstance(root, YamlMap):
        return (
            None,
            problems,
            Problem("OTC102", f"{where} must hold a YAML mapping", file, root.line, root.col),
        )
    return root, problems, None


def _is_block_indicator(lines: Sequence[str], value: YamlScalar) -> bool:
    line = lines[value.line - 1]
    rest = line[value.col - 1 :].lstrip()
    # Only literal blocks keep lines 1:1; a folded block (>) joins them.
    return rest[:1] == "|"


def _unwrap(doc: YamlMap, lines: Sequence[str], file: str) -> _Unwrapped | None:
    kind = _scalar_str(doc.get("kind"))
    if kind == "ConfigMap":
        data = doc.get("data")
        if isinstance(data, YamlMap):
            for key, _knode, value in data.items():
                if not isinstance(value, YamlScalar) or not isinstance(value.value, str):
                    continue
                if not any(f"{k}:" in value.value for k in COLLECTOR_KEYS):
                    continue
                root, problems, refused = _parse_embedded(value, lines, file, f"data.{key}")
                if refused is None and root is not None and not _looks_like_collector(root):
                    continue
                return _Unwrapped(root, "configmap", f"data.{key}", problems, refused)
        return None
    if kind == "OpenTelemetryCollector":
        spec = doc.get("spec")
        config = spec.get("config") if isinstance(spec, YamlMap) else None
        if isinstance(config, YamlMap):
            return _Unwrapped(config, "opentelemetrycollector", "spec.config")
        if isinstance(config, YamlScalar) and isinstance(config.value, str):
            root, problems, refused = _parse_embedded(config, lines, file, "spec.config")
            return _Unwrapped(root, "opentelemetrycollector", "spec.config", problems, refused)
        return _Unwrapped(
            None,
            "opentelemetrycollector",
            "spec.config",
            refused=Problem(
                "OTC100",
                "OpenTelemetryCollector resource has no spec.config",
                file,
                doc.line,
                doc.col,
            ),
        )
    return None


_HELM_KEYS = frozenset(
    {
        "mode",
        "image",
        "presets",
        "replicaCount",
        "ports",
        "resources",
        "command",
        "serviceAccount",
        "clusterRole",
        "podAnnotations",
        "nameOverride",
        "fullnameOverride",
        "alternateConfig",
        "extraEnvs",
        "configMap",
    }
)


def _helm_defaults() -> dict[str, object]:
    # The default `config:` of the opentelemetry-collector Helm chart (charts/
    # opentelemetry-collector/values.yaml). The chart deep-merges the user's `config:` over it,
    # and a null in the user's values removes a default key.
    pod = "${env:MY_POD_IP}"
    return {
        "exporters": {"debug": {}},
        "extensions": {"health_check": {"endpoint": f"{pod}:13133"}},
        "processors": {
            "batch": {},
            "memory_limiter": {
                "check_interval": "5s",
                "limit_percentage": 80,
                "spike_limit_percentage": 25,
            },
        },
        "receivers": {
            "jaeger": {
                "protocols": {
                    "grpc": {"endpoint": f"{pod}:14250"},
                    "thrift_http": {"endpoint": f"{pod}:14268"},
                    "thrift_compact": {"endpoint": f"{pod}:6831"},
                }
            },
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"{pod}:4317"},
                    "http": {"endpoint": f"{pod}:4318"},
                }
            },
            "prometheus": {
                "config": {
                    "scrape_configs": [
                        {
                            "job_name": "opentelemetry-collector",
                            "scrape_interval": "10s",
                            "static_configs": [{"targets": [f"{pod}:8888"]}],
                        }
                    ]
                }
            },
            "zipkin": {"endpoint": f"{pod}:9411"},
        },
        "service": {
            "telemetry": {
                "metrics": {
                    "readers": [{"pull": {"exporter": {"prometheus": {"host": pod, "port": 8888}}}}]
                }
            },
            "extensions": ["health_check"],
            "pipelines": {
                "logs": {
                    "exporters": ["debug"],
                    "processors": ["memory_limiter", "batch"],
                    "receivers": ["otlp"],
                },
                "metrics": {
                    "exporters": ["debug"],
                    "processors": ["memory_limiter", "batch"],
                    "receivers": ["otlp", "prometheus"],
                },
                "traces": {
                    "exporters": ["debug"],
                    "processors": ["memory_limiter", "batch"],
                    "receivers": ["otlp", "jaeger", "zipkin"],
                },
            },
        },
    }


def tree_from_python(value: object, file: str, line: int, col: int) -> Node:
    """Build a located tree from plain Python data, every node at one position."""
    if isinstance(value, dict):
        out = YamlMap(file, line, col)
        for k, v in value.items():
            key = YamlScalar(file, line, col, value=str(k), text=str(k))
            out.entries[str(k)] = (key, tree_from_python(v, file, line, col))
        return out
    if isinstance(value, list):
        return YamlSeq(file, line, col, [tree_from_python(v, file, line, col) for v in value])
    scalar = value if isinstance(value, str | int | float | bool) or value is None else str(value)
    return YamlScalar(file, line, col, value=scalar, text="" if scalar is None else str(scalar))


def _is_helm_values(doc: YamlMap) -> bool:
    config = doc.get("config")
    if not isinstance(config, YamlMap) or any(k in COLLECTOR_KEYS for k in doc.entries):
        return False
    return any(k in _HELM_KEYS for k in doc.entries) or _looks_like_collector(config)


def parse_collector_document(text: str, file: str) -> SourceDocument:
    """Parse one input into the collector config it holds.

    Plain configs, Kubernetes ConfigMaps (the first ``data`` entry holding a collector config),
    ``OpenTelemetryCollector`` resources (``spec.config`` as a map or a string) and Helm values
    files (``config:``, merged over the chart's defaults) are recognised; in multi-document
    files the first document holding a config is used.

    Args:
        text: the file's content.
        file: display name (path or ``-``).

    Returns:
        The document; parse failures are recorded as problems (``root`` is then ``None``).
    """
    try:
        docs, problems = compose_yaml(text, file)
    except YamlRefused as exc:
        problem = Problem("OTC000", exc.message, file, exc.line, exc.col)
        return SourceDocument(file, None, problems=(problem,))
    present = [
        d for d in docs if d is not None and not (isinstance(d, YamlScalar) and d.value is None)
    ]
    if not present:
        return SourceDocument(file, None, problems=tuple(problems), empty=True)
    lines = text.splitlines()
    for doc in present:
        if not isinstance(doc, YamlMap):
            continue
        unwrapped = _unwrap(doc, lines, file)
        if unwrapped is not None:
            found = [*problems, *unwrapped.problems]
            if unwrapped.refused is not None:
                found.append(unwrapped.refused)
            return SourceDocument(
                file,
                unwrapped.root,
                unwrapped.wrapper,
                tuple(found),
                empty=unwrapped.root is None and unwrapped.refused is None,
                detail=unwrapped.detail,
            )
        if _is_helm_values(doc):
            config = doc.get("config")
            key = doc.key_node("config")
            assert isinstance(config, YamlMap) and key is not None
            base = tree_from_python(_helm_defaults(), file, key.line, key.col)
            assert isinstance(base, YamlMap)
            merged = merge_trees(base, config, null_deletes=True)
            return SourceDocument(file, merged, "helm", tuple(problems), detail="config")
    first = present[0]
    if not isinstance(first, YamlMap):
        kind = "a list" if isinstance(first, YamlSeq) else "a scalar"
        problem = Problem(
            "OTC102",
            f"the configuration must be a mapping, got {kind}",
            file,
            first.line,
            first.col,
        )
        return SourceDocument(file, None, problems=(*problems, problem))
    return SourceDocument(file, first, problems=tuple(problems))


# ----------------------------------------------------------------------------- merging


def merge_trees(base: YamlMap, over: YamlMap, *, null_deletes: bool = False) -> YamlMap:
    """Deep-merge ``over`` onto ``base`` as the collector merges ``--config`` files.

    Maps merge key by key; anything else (lists included) is replaced by the later value. With
    ``null_deletes`` (Helm semantics), a null in ``over`` removes the key.
    """
    out = YamlMap(over.file, over.line, over.col, dict(base.entries))
    for key, (knode, vnode) in over.entries.items():
        if null_deletes and isinstance(vnode, YamlScalar) and vnode.value is None:
            out.entries.pop(key, None)
            continue
        existing = out.entries.get(key)
        if existing is not None and isinstance(existing[1], YamlMap) and isinstance(vnode, YamlMap):
            out.entries[key] = (knode, merge_trees(existing[1], vnode, null_deletes=null_deletes))
        else:
            out.entries[key] = (knode, vnode)
    return out


def merge_documents(documents: Sequence[SourceDocument]) -> CollectorConfig:
    """The effective config of several inputs, in order (later inputs win)."""
    root: YamlMap | None = None
    for doc in documents:
        if doc.root is None:
            continue
        root = doc.root if root is None else merge_trees(root, doc.root)
    return CollectorConfig(root, tuple(documents))


# ----------------------------------------------------------------------------- ${…} expansion


class EnvReference(NamedTuple):
    """One ``${…}`` reference found in a value."""

    start: int
    end: int
    scheme: str
    opaque: str
    raw: str


@dataclass(slots=True)
class ExpansionContext:
    """What expansion needs: the environment and the collected problems."""

    env: Mapping[str, str]
    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    unresolved: dict[str, list[tuple[YamlScalar, str]]] = field(default_factory=dict)
    references: int = 0


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start`` (nested ``${`` counted), or -1."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _problem(
    ctx: ExpansionContext,
    node: YamlScalar,
    path: str,
    rule: str,
    message: str,
    hint: str | None = None,
    severity: str = "",
) -> None:
    ctx.problems.append(
        Problem(rule, message, node.file, node.line, node.col, path, hint, severity)
    )


def _expand_string(
    text: str, node: YamlScalar, path: str, ctx: ExpansionContext, depth: int = 0
) -> tuple[str, bool, bool]:
    """Expand references in ``text``.

    Returns:
        (expanded text with ``$$`` kept for the caller, known, whole) where ``whole`` means
        the text was exactly one reference (its value keeps its YAML type).
    """
    out: list[str] = []
    known = True
    i = 0
    n = len(text)
    whole = False
    while i < n:
        ch = text[i]
        if ch != "$":
            j = text.find("$", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        run = i
        while run < n and text[run] == "$":
            run += 1
        count = run - i
        escaped = count // 2
        if run < n and text[run] == "{" and count % 2 == 1:
            out.append("$$" * escaped)
            ref_start = run - 1
            close = _find_close(text, ref_start)
            if close < 0:
                _problem(
                    ctx,
                    node,
                    path,
                    "OTC152",
                    f'unclosed "${{" in {_clip(text)}: the reference is left as written',
                    hint="close it with }, or write $${ for a literal ${",
                )
                out.append(text[ref_start:])
                known = False
                break
            inner = text[ref_start + 2 : close]
            value, ok = _resolve_reference(
                inner, text[ref_start : close + 1], node, path, ctx, depth
            )
            known = known and ok
            if ref_start == 0 and close == n - 1 and count == 1:
                whole = True
            out.append(value)
            i = close + 1
            continue
        if count % 2 == 1 and run < n and _BARE_VAR.match(text, run):
            name = _BARE_VAR.match(text, run)
            assert name is not None
            _problem(
                ctx,
                node,
                path,
                "OTC153",
                f"${name.group(0)} is not expanded by the collector (bare $VAR syntax was removed)",
                hint=f"write ${{env:{name.group(0)}}}, or $${name.group(0)} for a literal $",
            )
        out.append(text[i:run])
        i = run
    return "".join(out), known, whole


def _resolve_reference(
    inner: str, raw: str, node: YamlScalar, path: str, ctx: ExpansionContext, depth: int
) -> tuple[str, bool]:
    ctx.references += 1
    if depth > 20:
        _problem(ctx, node, path, "OTC151", f"too many recursive expansions in {raw}")
        return raw, False
    if "${" in inner:
        inner, known, _ = _expand_string(inner, node, path, ctx, depth + 1)
        if not known:
            return raw, False
    match = _SCHEME.match(inner)
    if match is None:
        scheme, opaque = "env", inner
    else:
        scheme, opaque = match.group(1), match.group(2)
    if scheme not in SUPPORTED_SCHEMES:
        if match is not None and not _ENV_NAME.match(inner.split(":", 1)[0]):
            pass
        _problem(
            ctx,
            node,
            path,
            "OTC150",
            f'scheme "{scheme}" is not supported for uri "{inner}"',
            hint="the standard distributions have env, file, yaml, http and https providers",
        )
        return raw, False
    if "$" in opaque:
        _problem(
            ctx,
            node,
            path,
            "OTC151",
            f"the uri \"{inner}\" contains unsupported characters ('$')",
        )
        return raw, False
    if scheme != "env":
        # file/http/https/yaml values are not read offline.
        return raw, False
    name, sep, default = opaque.partition(":-")
    if not _ENV_NAME.match(name):
        _problem(
            ctx,
            node,
            path,
            "OTC151",
            f'environment variable "{name}" has invalid name: must match regex '
            "^[a-zA-Z_][a-zA-Z0-9_]*$",
        )
        return raw, False
    if name in ctx.env:
        return ctx.env[name], True
    if sep:
        return default, True
    ctx.unresolved.setdefault(name, []).append((node, path))
    return "", False


def _clip(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def expand_env(root: YamlMap, ctx: ExpansionContext) -> None:
    """Expand ``${…}`` references in every value of ``root`` in place.

    A value that is exactly one reference takes the referenced value's YAML type (``${env:N}``
    with ``N=5`` is the integer 5); embedded references are substituted as text; ``$$`` becomes
    ``$`` afterwards. Values that cannot be known offline are marked ``known=False``.
    """
    for node, path in iter_scalars(root):
        if isinstance(node.value, str) and "$" in node.value:
            _expand_scalar(node, path, ctx)
    for name, uses in sorted(ctx.unresolved.items()):
        # One finding per variable, at its first use: a pod IP referenced ten times is one
        # problem, not ten.
        first, path = min(uses, key=lambda u: (u[0].file, u[0].line, u[0].col))
        more = f" (referenced {len(uses)} times)" if len(uses) > 1 else ""
        _problem(
            ctx,
            first,
            path,
            "OTC154",
            f"environment variable {name} is not set{more}: the collector will use an empty value",
            hint="pass --env-file, export it, or give a default: ${env:" + name + ":-value}",
            severity="error" if ctx.strict else "",
        )


def _expand_scalar(node: YamlScalar, path: str, ctx: ExpansionContext) -> None:
    text = node.value if isinstance(node.value, str) else ""
    expanded, known, whole = _expand_string(text, node, path, ctx)
    expanded = expanded.replace("$$", "$")
    node.known = known
    if not known:
        return
    if whole and not node.quoted:
        node.value = resolve_plain_scalar(expanded) if expanded.strip() else expanded
    else:
        node.value = expanded


def parse_env_file(text: str) -> dict[str, str]:
    """Parse a ``.env`` file: ``NAME=value`` lines, ``export`` prefix, quotes, ``#`` comments.

    >>> parse_env_file('export A=1\\nB="two words" # c\\n# x\\nC=\\'$x\\'')
    {'A': '1', 'B': 'two words', 'C': '$x'}
    """
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not _ENV_NAME.match(name):
            continue
        value = value.strip()
        if value[:1] in ("'", '"'):
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end > 0 else value[1:]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        env[name] = value
    return env


def iter_scalars(node: Node) -> Iterable[tuple[YamlScalar, str]]:
    """Every scalar value below ``node`` with its dotted path (aliases visited once)."""
    seen: set[int] = set()
    stack: list[tuple[Node, str]] = [(node, "")]
    while stack:
        cur, path = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, YamlMap):
            for key, _k, value in cur.items():
                stack.append((value, f"{path}.{key}" if path else key))
        elif isinstance(cur, YamlSeq):
            for index, item in enumerate(cur.items):
                stack.append((item, f"{path}[{index}]"))
        elif isinstance(cur, YamlScalar):
            yield cur, path
