"""Collector YAML → a located tree (``model.collector``), safely.

The YAML is read as an event stream (no Python objects are ever constructed from tags), the
tree is composed here with an explicit stack, and three budgets keep hostile input cheap to
refuse:

* nesting deeper than ``MAX_DEPTH`` stops the parse at the offending event;
* aliases are never copied: each alias adds the *size* of the anchored subtree to a running
  total, so a "billion laughs" document is refused after a few hundred events, using the same
  ratio rule as the collector's YAML library (go-yaml v3 ``allowedAliasRatio``);
* inputs larger than ``MAX_BYTES`` are refused before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from obsctl.model.collector import (
    Node,
    Problem,
    ScalarValue,
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

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_INT_PREFIXED = re.compile(r"^[-+]?0(x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")

_STR_TAG = "tag:yaml.org,2002:str"
_CORE_TAGS = "tag:yaml.org,2002:"
_SPECIAL_START = frozenset("~nNtTfF+-.0123456789")
"""First characters of the plain scalars that resolve to something other than a string."""

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
    if text and text[0] not in _SPECIAL_START:
        return text  # the common case: a word no pattern below can match
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
    __slots__ = ("anchor", "is_seq", "key", "key_is_merge", "merges", "node", "size")

    def __init__(self, node: YamlMap | YamlSeq, *, anchor: str | None = None) -> None:
        self.node = node
        self.is_seq = isinstance(node, YamlSeq)
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
            fixed = self.pos.fixed
            line_base, col_base = 1 + self.pos.line_base, 1 + self.pos.col_base
            # The loader's events pulled directly: yaml.parse wraps the same calls in a
            # generator, one more frame switch per event.
            loader = _Loader(text)
            try:
                for raw_event in iter(loader.get_event, None):
                    event: Any = raw_event  # narrowed by the class checks below
                    cls = event.__class__
                    if cls is scalar_ev:
                        # What _scalar does, inlined: most events are scalars.
                        mark = event.start_mark
                        if fixed is not None:
                            line, col = fixed
                        elif mark is None:
                            line, col = 0, 0
                        else:
                            line, col = mark.line + line_base, mark.column + col_base
                        text = event.value
                        tag = event.tag
                        plain = event.style in (None, "") and event.implicit[0]
                        if tag == _STR_TAG or (not plain and tag in (None, "!")):
                            value: ScalarValue = text
                            quoted = not plain
                        elif plain or (tag and tag.startswith(_CORE_TAGS)):
                            value = resolve_plain_scalar(text)
                            quoted = False
                        else:
                            value = text
                            quoted = True
                        node = YamlScalar(file, line, col, value, text, quoted)
                        self.total += 1
                        if event.anchor:
                            self.anchors[event.anchor] = (node, 1)
                        if stack:
                            frame = stack[-1]
                            if frame.key is None and not frame.is_seq:
                                # A mapping key (what _add does for it, inlined).
                                frame.size += 1
                                frame.key = node
                                frame.key_is_merge = text == "<<" and not quoted
                                continue
                        self._add(stack, current, node, 1)
                    elif cls is map_start or cls is seq_start:
                        line, col = at(event.start_mark)
                        if len(stack) >= MAX_DEPTH:
                            raise YamlRefused(
                                f"nesting deeper than {MAX_DEPTH} levels refused", line, col
                            )
                        container: YamlMap | YamlSeq = (
                            YamlMap(file, line, col)
                            if cls is map_start
                            else YamlSeq(file, line, col)
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
            finally:
                loader.dispose()
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


def iter_string_scalars_containing(node: Node, needle: str) -> Iterable[tuple[YamlScalar, str]]:
    """``iter_scalars(node)`` restricted to string values containing ``needle``: the same
    scalars in the same order, but the dotted path is only built for those yielded (building
    it for every scalar is most of the walk's cost on a big config)."""
    seen: set[int] = set()
    # Each entry: (node, parent link); a link is (parent link, key or index, is_index).
    stack: list[tuple[Node, Any]] = [(node, None)]
    while stack:
        cur, link = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, YamlMap):
            for key, (_k, child) in cur.entries.items():
                stack.append((child, (link, key, False)))
        elif isinstance(cur, YamlSeq):
            for index, item in enumerate(cur.items):
                stack.append((item, (link, index, True)))
        elif isinstance(cur, YamlScalar):
            text = cur.value
            if isinstance(text, str) and needle in text:
                yield cur, _path_of(link)


def _path_of(link: Any) -> str:
    parts: list[tuple[str | int, bool]] = []
    while link is not None:
        link, part, is_index = link
        parts.append((part, is_index))
    path = ""
    for part, is_index in reversed(parts):
        path = f"{path}[{part}]" if is_index else f"{path}.{part}" if path else str(part)
    return path
