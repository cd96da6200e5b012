"""The component registry: which types exist, their signals, stability, aliases, distributions.

Built from the data shipped in ``obsctl/data/otelcol_components.py`` (imported by the workflow
and passed in as a mapping, so this module stays pure), optionally narrowed to a distribution
or to the components of a custom build (``--components``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")
SINGULAR = {
    "receivers": "receiver",
    "processors": "processor",
    "exporters": "exporter",
    "connectors": "connector",
    "extensions": "extension",
}
DISTRIBUTIONS = ("core", "contrib", "k8s", "otlp")
_EMPTY: Mapping[str, str] = MappingProxyType({})
# The registry's records are NamedTuples, not frozen dataclasses: `obsctl validate` starts in
# ~110 ms, and each frozen dataclass costs ~0.6 ms to define.


class ComponentInfo(NamedTuple):
    """What the registry knows about one component type.

    Attributes:
        kind: ``receivers`` … ``extensions``.
        type: the canonical type (``otlp_grpc``).
        signals: supported signals (receivers/processors/exporters); empty for extensions.
        stability: signal (or ``extension``) → stability level.
        pairs: connectors only: ``traces_to_metrics`` → stability.
        aliases: deprecated old type names.
        distributions: distributions that ship it.
        known: False for components named by ``--components`` that the registry lacks (their
            signals are not checked).
    """

    kind: str
    type: str
    signals: tuple[str, ...] = ()
    stability: Mapping[str, str] = _EMPTY
    pairs: Mapping[str, str] = _EMPTY
    aliases: tuple[str, ...] = ()
    distributions: tuple[str, ...] = ()
    known: bool = True

    def supports(self, signal: str) -> bool:
        """Whether this receiver/processor/exporter handles ``signal``."""
        return not self.known or signal in self.signals

    def supports_pair(self, source: str, target: str) -> bool:
        """Whether this connector turns ``source`` into ``target``."""
        return not self.known or f"{source}_to_{target}" in self.pairs


class Removed(NamedTuple):
    """A component type that no longer exists, with its replacement."""

    kind: str
    type: str
    status: str
    replacement: str | None
    collector_error: str | None


class Lookup(NamedTuple):
    """Result of resolving a written type: the component, and whether an alias was used."""

    info: ComponentInfo
    alias: str | None = None


class Registry:
    """Component types by kind, narrowed to what the chosen build contains.

    A plain class, not a dataclass: defining a dataclass costs start-up time.

    Attributes:
        version: the collector version the registry describes.
        label: ``any``, a distribution name or ``custom``.
    """

    __slots__ = (
        "aliases",
        "components",
        "deprecated",
        "everything",
        "label",
        "removed",
        "unmaintained",
        "version",
    )

    def __init__(
        self,
        *,
        version: str,
        label: str,
        components: dict[str, dict[str, ComponentInfo]],
        everything: dict[str, dict[str, ComponentInfo]],
        aliases: dict[str, dict[str, str]],
        removed: dict[str, dict[str, Removed]],
        deprecated: dict[str, dict[str, tuple[str, ...]]],
        unmaintained: dict[str, set[str]],
    ) -> None:
        self.version = version
        self.label = label
        self.components = components
        self.everything = everything
        self.aliases = aliases
        self.removed = removed
        self.deprecated = deprecated
        self.unmaintained = unmaintained

    def lookup(self, kind: str, type_: str) -> Lookup | None:
        """Resolve ``type_`` (canonical or deprecated alias) within the chosen build."""
        return self._resolve(self.components, kind, type_)

    def lookup_anywhere(self, kind: str, type_: str) -> Lookup | None:
        """Resolve ``type_`` in the whole registry (ignoring the distribution)."""
        return self._resolve(self.everything, kind, type_)

    def _resolve(
        self, tables: dict[str, dict[str, ComponentInfo]], kind: str, type_: str
    ) -> Lookup | None:
        """``type_`` (canonical or deprecated alias) in ``tables[kind]``."""
        table = tables.get(kind, {})
        if type_ in table:
            return Lookup(table[type_])
        canonical = self.aliases.get(kind, {}).get(type_)
        if canonical is not None and canonical in table:
            return Lookup(table[canonical], alias=type_)
        return None

    def kinds_of(self, type_: str) -> list[str]:
        """Other kinds that have a component called ``type_``."""
        return [k for k in KINDS if self.lookup(k, type_) is not None]

    def suggest(self, kind: str, type_: str) -> str | None:
        """The closest known type name (typo suggestion)."""
        names = list(self.components.get(kind, {})) + list(self.aliases.get(kind, {}))
        lowered = type_.lower().replace("-", "_")
        for name in names:
            if name.replace("_", "") == lowered.replace("_", ""):
                return name
        close = difflib.get_close_matches(lowered, names, n=1, cutoff=0.75)
        return close[0] if close else None

    def valid_values(self, kind: str) -> list[str]:
        """Every accepted type of ``kind`` (sorted; aliases included)."""
        names = set(self.components.get(kind, {}))
        names.update(a for a, c in self.aliases.get(kind, {}).items() if c in names)
        return sorted(names)


def _info(kind: str, type_: str, raw: Mapping[str, Any]) -> ComponentInfo:
    stability = raw.get("stability")
    if isinstance(stability, str):
        stability = {"extension": stability}
    return ComponentInfo(
        kind=kind,
        type=type_,
        signals=tuple(raw.get("signals", ())),
        stability=dict(stability or {}),
        pairs=dict(raw.get("pairs", {})),
        aliases=tuple(raw.get("deprecated_aliases", ())),
        distributions=tuple(raw.get("distributions", ())),
    )


def build_registry(
    data: Mapping[str, Any],
    *,
    distribution: str = "any",
    custom: Mapping[str, Iterable[str]] | None = None,
) -> Registry:
    """Build the registry from the shipped JSON.

    Args:
        data: ``obsctl.data.otelcol_components.DATA``.
        distribution: ``any`` (every known component), ``core``, ``contrib``, ``k8s`` or
            ``otlp``.
        custom: components of a custom build, by kind (overrides ``distribution``); types the
            registry does not know are accepted without signal checks.
    """
    everything: dict[str, dict[str, ComponentInfo]] = {
        kind: {t: _info(kind, t, raw) for t, raw in data.get(kind, {}).items()} for kind in KINDS
    }
    aliases: dict[str, dict[str, str]] = {
        kind: dict(data.get("deprecated_aliases", {}).get(kind, {})) for kind in KINDS
    }
    removed: dict[str, dict[str, Removed]] = {kind: {} for kind in KINDS}
    for item in data.get("removed_or_renamed", ()):
        kind = item.get("kind", "")
        if kind in removed:
            removed[kind][item["type"]] = Removed(
                kind,
                item["type"],
                str(item.get("status", "removed")),
                item.get("replacement"),
                item.get("collector_error"),
            )
    deprecated: dict[str, dict[str, tuple[str, ...]]] = {kind: {} for kind in KINDS}
    unmaintained: dict[str, set[str]] = {kind: set() for kind in KINDS}
    status = data.get("currently_deprecated_or_unmaintained", {})
    for item in status.get("deprecated", ()):
        deprecated[item["kind"]][item["type"]] = tuple(item.get("deprecated_signals", ()))
    for item in status.get("unmaintained", ()):
        unmaintained[item["kind"]].add(item["type"])

    if custom is not None:
        label = "custom"
        components: dict[str, dict[str, ComponentInfo]] = {kind: {} for kind in KINDS}
        for kind in KINDS:
            for name in custom.get(kind, ()):
                canonical = aliases[kind].get(name, name)
                info = everything[kind].get(canonical)
                components[kind][canonical] = info or ComponentInfo(kind, canonical, known=False)
    elif distribution == "any":
        label = "any"
        components = everything
    else:
        label = distribution
        components = {
            kind: {t: i for t, i in table.items() if distribution in i.distributions}
            for kind, table in everything.items()
        }
    return Registry(
        version=str(data.get("collector_version", "")),
        label=label,
        components=components,
        everything=everything,
        aliases=aliases,
        removed=removed,
        deprecated=deprecated,
        unmaintained=unmaintained,
    )


def parse_components_listing(
    doc: object, modules: Mapping[str, tuple[str, str]]
) -> dict[str, list[str]]:
    """Component names of a custom build, from one of three shapes.

    * ``otelcol components`` output: ``receivers: [{name: otlp, …}]``;
    * an OCB builder manifest: ``receivers: [{gomod: "…/otlpreceiver v0.159.0"}]`` (module
      paths are matched to types through ``modules``: module name → (kind, type));
    * plain lists: ``receivers: [otlp, zipkin]``.

    Raises:
        ValueError: the document has none of these shapes.
    """
    if not isinstance(doc, Mapping):
        raise ValueError("expected a mapping with receivers/processors/exporters/… lists")
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    found = False
    for kind in KINDS:
        items = doc.get(kind)
        if items is None:
            continue
        if not isinstance(items, list):
            raise ValueError(f"{kind} must be a list")
        found = True
        for item in items:
            if isinstance(item, str):
                out[kind].append(item)
            elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
                out[kind].append(item["name"])
            elif isinstance(item, Mapping) and isinstance(item.get("gomod"), str):
                module_path = item["gomod"].split()[0].rstrip("/")
                module = module_path.rsplit("/", 1)[-1]
                hit = modules.get(module)
                out[kind].append(hit[1] if hit and hit[0] == kind else module)
            else:
                raise ValueError(f"unrecognised {kind} entry: {item!r}")
    if not found:
        raise ValueError("no receivers/processors/exporters/connectors/extensions lists found")
    return out


def module_index(data: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Go module name (``otlpreceiver``) → (kind, type), for builder manifests."""
    index: dict[str, tuple[str, str]] = {}
    for kind in KINDS:
        for type_, raw in data.get(kind, {}).items():
            module = raw.get("module")
            if isinstance(module, str):
                index[module] = (kind, type_)
    return index
