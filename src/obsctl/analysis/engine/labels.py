"""Label sets: tuples of ``(name, value)`` pairs sorted by name.

Hashable, and ordered the way Prometheus orders label sets (name by name, then value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Labels = tuple[tuple[str, str], ...]

NAME = "__name__"


def make_labels(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> Labels:
    """A label set from a mapping or pairs; empty values are dropped (Prometheus semantics)."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return tuple(sorted((k, v) for k, v in items if v != ""))


def get(labels: Labels, name: str) -> str:
    """The value of ``name`` (``""`` when absent)."""
    for k, v in labels:
        if k == name:
            return v
    return ""


METADATA = frozenset({NAME, "__type__", "__unit__"})


def drop_name(labels: Labels) -> Labels:
    """``labels`` without ``__name__`` (and the ``__type__``/``__unit__`` metadata labels)."""
    if labels and any(k in METADATA for k, _ in labels):
        return tuple(p for p in labels if p[0] not in METADATA)
    return labels


def keep_only(labels: Labels, names: frozenset[str]) -> Labels:
    """Only the labels named in ``names``."""
    return tuple(p for p in labels if p[0] in names)


def without(labels: Labels, names: frozenset[str]) -> Labels:
    """``labels`` minus the labels named in ``names``."""
    return tuple(p for p in labels if p[0] not in names)


def with_label(labels: Labels, name: str, value: str) -> Labels:
    """``labels`` with ``name`` set to ``value`` (removed when ``value`` is empty)."""
    d = dict(labels)
    if value == "":
        d.pop(name, None)
    else:
        d[name] = value
    return tuple(sorted(d.items()))


def fmt(labels: Labels) -> str:
    """``name{a="b", …}`` as Prometheus prints a label set."""
    d = dict(labels)
    name = d.pop(NAME, "")
    inner = ", ".join(f"{k}={_quote(v)}" for k, v in sorted(d.items()))
    if name and not inner:
        return name
    return f"{name}{{{inner}}}"


def _quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
