"""Structure, ``service`` and pipeline checks: what ``otelcol validate`` rejects, all at once."""

from __future__ import annotations

from collections.abc import Iterator

from obsctl.analysis.validate.components import Declared, canonical_id, parse_id, stability_finding
from obsctl.analysis.validate.registry import SINGULAR, Registry
from obsctl.analysis.validate.rules import finding_at
from obsctl.model.collector import SIGNALS, Node, YamlMap, YamlScalar, YamlSeq, is_null
from obsctl.model.findings import Finding, Severity

TOP_LEVEL = ("receivers", "processors", "exporters", "connectors", "extensions", "service")
SERVICE_KEYS = ("telemetry", "extensions", "pipelines")
PIPELINE_KEYS = ("receivers", "processors", "exporters")
TELEMETRY_KEYS = ("logs", "metrics", "traces", "resource")


# Plain slotted classes, not dataclasses: defining a dataclass costs ~0.2 ms of start-up.


class Ref:
    """One ID listed in a pipeline."""

    __slots__ = ("id", "node", "path")

    def __init__(self, id: str, node: YamlScalar, path: str) -> None:
        self.id = id
        self.node = node
        self.path = path


class Pipeline:
    """One ``service.pipelines`` entry, with its references in order."""

    __slots__ = ("exporters", "id", "key", "path", "processors", "receivers", "signal")

    def __init__(self, id: str, signal: str, key: YamlScalar, path: str) -> None:
        self.id = id
        self.signal = signal
        self.key = key
        self.path = path
        self.receivers: list[Ref] = []
        self.processors: list[Ref] = []
        self.exporters: list[Ref] = []


def _suggest_key(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.7)
    return close[0] if close else None


def check_keys(node: YamlMap, allowed: tuple[str, ...], where: str, path: str) -> Iterator[Finding]:
    """OTC101 for every key of ``node`` not in ``allowed``."""
    for key, knode, _v in node.items():
        if key in allowed:
            continue
        suggestion = _suggest_key(key, allowed)
        yield finding_at(
            "OTC101",
            f"'{where}' has invalid key \"{key}\""
            + (f' (did you mean "{suggestion}"?)' if suggestion else ""),
            knode,
            path=f"{path}.{key}" if path else key,
            hint=None if suggestion else "valid keys: " + ", ".join(allowed),
        )


def _id_list(node: Node | None, path: str, what: str) -> tuple[list[Ref], list[Finding]]:
    if is_null(node):
        return [], []
    assert node is not None
    if isinstance(node, YamlScalar):
        shown = node.text
        hint = "write a YAML list: [" + ", ".join(p.strip() for p in shown.split(",")) + "]"
        return [], [
            finding_at(
                "OTC109",
                f"'{path}' source data must be an array or slice, got string",
                node,
                path=path,
                hint=hint,
            )
        ]
    if not isinstance(node, YamlSeq):
        return [], [
            finding_at(
                "OTC109",
                f"'{path}' source data must be an array or slice, got map",
                node,
                path=path,
            )
        ]
    refs: list[Ref] = []
    problems: list[Finding] = []
    for index, item in enumerate(node.items):
        ipath = f"{path}[{index}]"
        if not isinstance(item, YamlScalar) or item.value is None:
            problems.append(
                finding_at(
                    "OTC103",
                    f"{what} IDs must be strings",
                    item,
                    path=ipath,
                )
            )
            continue
        raw = str(item.value)
        parsed = parse_id(raw)
        if isinstance(parsed, str):
            problems.append(finding_at("OTC103", parsed, item, path=ipath, subject=raw))
            continue
        refs.append(Ref(canonical_id(raw), item, ipath))
    return refs, problems


def _no_pipelines(at: Node) -> Finding:
    """OTC105 at ``at``: the service has no pipelines (no service, or no pipelines in it)."""
    return finding_at(
        "OTC105",
        "service::pipelines: service must have at least one pipeline",
        at,
        path="service.pipelines",
    )


def read_pipelines(
    root: YamlMap, *, profiles_gate: bool
) -> tuple[list[Pipeline], list[Ref], list[Finding], Node | None]:
    """Parse ``service``: pipelines, ``service.extensions``, and structural findings.

    Returns:
        (pipelines, extension refs, findings, the service node).
    """
    findings: list[Finding] = []
    service = root.get("service")
    pipelines: list[Pipeline] = []
    ext_refs: list[Ref] = []
    if is_null(service):
        findings.append(_no_pipelines(root.key_node("service") or root))
        return pipelines, ext_refs, findings, None
    assert service is not None
    if not isinstance(service, YamlMap):
        findings.append(finding_at("OTC102", "'service' expected a map", service, path="service"))
        return pipelines, ext_refs, findings, service
    findings.extend(check_keys(service, SERVICE_KEYS, "service", "service"))
    refs, problems = _id_list(service.get("extensions"), "service.extensions", "extension")
    ext_refs = refs
    findings.extend(problems)
    findings.extend(_check_telemetry(service.get("telemetry")))
    node = service.get("pipelines")
    if is_null(node) or (isinstance(node, YamlMap) and not node.entries):
        findings.append(_no_pipelines(service.key_node("pipelines") or service))
        return pipelines, ext_refs, findings, service
    assert node is not None
    if not isinstance(node, YamlMap):
        findings.append(
            finding_at(
                "OTC102", "'service.pipelines' expected a map", node, path="service.pipelines"
            )
        )
        return pipelines, ext_refs, findings, service
    seen: set[str] = set()
    for raw, knode, value in node.items():
        path = f"service.pipelines.{raw}"
        parsed = parse_id(raw)
        if isinstance(parsed, str):
            findings.append(finding_at("OTC103", parsed, knode, path=path))
            continue
        signal, name = parsed
        pid = f"{signal}/{name}" if name else signal
        if signal not in SIGNALS:
            findings.append(
                finding_at(
                    "OTC103",
                    f'unknown pipeline signal: "{signal}"',
                    knode,
                    path=path,
                    hint="pipelines are traces, metrics, logs or profiles, optionally with /name",
                )
            )
            continue
        if pid in seen:
            findings.append(
                finding_at(
                    "OTC103",
                    f'duplicate name "{raw}" after unmarshaling {pid}',
                    knode,
                    path=path,
                )
            )
            continue
        seen.add(pid)
        if signal == "profiles" and not profiles_gate:
            findings.append(
                finding_at(
                    "OTC112",
                    f'service::pipelines: pipeline "{pid}": profiling signal support is at '
                    'alpha level, gated under the "service.profilesSupport" feature gate',
                    knode,
                    path=path,
                    hint="pass --feature-gates=service.profilesSupport (to obsctl and the "
                    "collector)",
                )
            )
        pipe = Pipeline(pid, signal, knode, path)
        if not is_null(value) and not isinstance(value, YamlMap):
            findings.append(
                finding_at(
                    "OTC102",
                    f"'{path}' expected a map",
                    value,
                    path=path,
                )
            )
            continue
        body = value if isinstance(value, YamlMap) else YamlMap(knode.file, knode.line, knode.col)
        findings.extend(check_keys(body, PIPELINE_KEYS, path, path))
        pipe_problems: list[Finding] = []
        for part in PIPELINE_KEYS:
            refs, problems = _id_list(body.get(part), f"{path}.{part}", part[:-1])
            pipe_problems.extend(problems)
            setattr(pipe, part, refs)
        findings.extend(pipe_problems)
        for part in ("receivers", "exporters"):
            if not getattr(pipe, part) and not any(
                f.path.startswith(f"{path}.{part}") for f in pipe_problems
            ):
                findings.append(
                    finding_at(
                        "OTC106",
                        f"service::pipelines::{pid}: must have at least one {part[:-1]}",
                        knode,
                        path=path,
                    )
                )
        pipelines.append(pipe)
    return pipelines, ext_refs, findings, service


def _check_telemetry(node: Node | None) -> Iterator[Finding]:
    if not isinstance(node, YamlMap):
        return
    yield from check_keys(node, TELEMETRY_KEYS, "service.telemetry", "service.telemetry")
    metrics = node.get("metrics")
    if not isinstance(metrics, YamlMap):
        return
    address = metrics.key_node("address")
    if address is not None:
        yield finding_at(
            "OTC111",
            "'service.telemetry.metrics' has invalid keys: address (removed: use readers)",
            address,
            path="service.telemetry.metrics.address",
            hint="readers: [{pull: {exporter: {prometheus: {host: localhost, port: 8888}}}}]",
        )
    level = metrics.get("level")
    value = level.value if isinstance(level, YamlScalar) and level.known else None
    if value is not None and str(value).lower() not in ("none", "basic", "normal", "detailed"):
        assert level is not None
        yield finding_at(
            "OTC116",
            f'unknown metrics level "{value}" (none, basic, normal, detailed)',
            level,
            path="service.telemetry.metrics.level",
        )
    views = metrics.key_node("views")
    if views is not None and str(value or "normal").lower() != "detailed":
        yield finding_at(
            "OTC116",
            "service::telemetry::metrics::views can only be set when "
            "service::telemetry::metrics::level is detailed",
            views,
            path="service.telemetry.metrics.views",
        )


# ------------------------------------------------------------------------------ references


def check_references(
    root: YamlMap,
    declared: dict[str, dict[str, Declared]],
    pipelines: list[Pipeline],
    ext_refs: list[Ref],
    registry: Registry,
) -> Iterator[Finding]:
    """Undefined, duplicate, ambiguous, unsupported and unused references; connectors."""
    receivers = declared["receivers"]
    processors = declared["processors"]
    exporters = declared["exporters"]
    connectors = declared["connectors"]
    extensions = declared["extensions"]

    if not is_null(root.get("connectors")):
        for cid, conn in connectors.items():
            for other, label in ((exporters, "exporter"), (receivers, "receiver")):
                if cid in other:
                    k = conn.key
                    yield finding_at(
                        "OTC110",
                        f'connectors::{cid}: ambiguous ID: Found both "{cid}" {label} and '
                        f'"{cid}" connector. Change one of the components\' IDs to eliminate '
                        f'ambiguity (e.g. rename "{cid}" connector to "{cid}/connector")',
                        k,
                        path=conn.path,
                        subject=cid,
                    )

    for ref in ext_refs:
        if ref.id not in extensions:
            yield _undefined(
                "extension", ref, "service::extensions", list(extensions), "extensions"
            )

    stability: dict[tuple[str, str], tuple[Declared, dict[str, list[str]]]] = {}
    for pipe in pipelines:
        where = f"service::pipelines::{pipe.id}"
        for part, tables in (
            ("receivers", (receivers, connectors)),
            ("processors", (processors,)),
            ("exporters", (exporters, connectors)),
        ):
            refs: list[Ref] = getattr(pipe, part)
            counts: dict[str, int] = {}
            for ref in refs:
                counts[ref.id] = counts.get(ref.id, 0) + 1
                if counts[ref.id] == 2:
                    yield finding_at(
                        "OTC108",
                        f'{where}: references {part[:-1]} "{ref.id}" multiple times',
                        ref.node,
                        path=ref.path,
                        subject=ref.id,
                        severity=Severity.ERROR if part == "processors" else Severity.WARNING,
                    )
                if not any(ref.id in t for t in tables):
                    yield _undefined(part[:-1], ref, where, [c for t in tables for c in t], part)
                    continue
                decl = next(t[ref.id] for t in tables if ref.id in t)
                if decl.kind == "connectors":
                    continue
                info = decl.lookup.info if decl.lookup else None
                if info is None or not info.known:
                    continue
                if not info.supports(pipe.signal):
                    kind = SINGULAR[decl.kind]
                    detail = (
                        f'failed to create "{ref.id}" {kind}, in pipeline "{pipe.id}": '
                        "telemetry type is not supported"
                        if kind == "processor"
                        else f'failed to create "{ref.id}" {kind} for data type '
                        f'"{pipe.signal}": telemetry type is not supported'
                    )
                    yield finding_at(
                        "OTC202",
                        detail,
                        ref.node,
                        path=ref.path,
                        subject=ref.id,
                        hint=f"{info.type} supports: " + (", ".join(info.signals) or "nothing"),
                    )
                    continue
                level = info.stability.get(pipe.signal, "")
                if decl.type in registry.unmaintained.get(decl.kind, set()):
                    level = "unmaintained"
                if level in ("development", "alpha", "deprecated", "unmaintained"):
                    stability.setdefault((decl.kind, decl.id), (decl, {}))[1].setdefault(
                        level, []
                    ).append(pipe.signal)

    for decl, levels in stability.values():
        for level, signals in levels.items():
            yield stability_finding(decl, level, ", ".join(sorted(set(signals))))

    yield from _check_connectors(connectors, pipelines)
    yield from _check_unused(declared, pipelines, ext_refs)


def _undefined(kind: str, ref: Ref, where: str, candidates: list[str], section: str) -> Finding:
    import difflib

    close = difflib.get_close_matches(ref.id, candidates, n=1, cutoff=0.6)
    return finding_at(
        "OTC107",
        f'{where}: references {kind} "{ref.id}" which is not configured',
        ref.node,
        path=ref.path,
        subject=ref.id,
        hint=f'did you mean "{close[0]}"?' if close else f"define it under {section}:",
    )


def _check_connectors(
    connectors: dict[str, Declared], pipelines: list[Pipeline]
) -> Iterator[Finding]:
    as_exporter: dict[str, list[tuple[Pipeline, Ref]]] = {}
    as_receiver: dict[str, list[tuple[Pipeline, Ref]]] = {}
    for pipe in pipelines:
        for ref in pipe.exporters:
            if ref.id in connectors:
                as_exporter.setdefault(ref.id, []).append((pipe, ref))
        for ref in pipe.receivers:
            if ref.id in connectors:
                as_receiver.setdefault(ref.id, []).append((pipe, ref))
    edges: dict[str, list[tuple[str, str, str]]] = {}
    for cid, conn in connectors.items():
        info = conn.lookup.info if conn.lookup else None
        exp_uses = as_exporter.get(cid, [])
        rec_uses = as_receiver.get(cid, [])
        if not exp_uses and not rec_uses:
            continue

        def pair_ok(src: str, dst: str, info: object = info) -> bool:
            return info is None or info.supports_pair(src, dst)  # type: ignore[attr-defined]

        for pipe, ref in exp_uses:
            if not any(pair_ok(pipe.signal, r.signal) for r, _ in rec_uses):
                yield finding_at(
                    "OTC113",
                    f'connector "{cid}" used as exporter in [{pipe.signal}] pipeline but not '
                    "used in any supported receiver pipeline",
                    ref.node,
                    path=ref.path,
                    subject=cid,
                    hint=_pairs_hint(cid, info),
                )
        for pipe, ref in rec_uses:
            if not any(pair_ok(e.signal, pipe.signal) for e, _ in exp_uses):
                yield finding_at(
                    "OTC113",
                    f'connector "{cid}" used as receiver in [{pipe.signal}] pipeline but not '
                    "used in any supported exporter pipeline",
                    ref.node,
                    path=ref.path,
                    subject=cid,
                    hint=_pairs_hint(cid, info),
                )
        for src, _ in exp_uses:
            for dst, _ in rec_uses:
                if pair_ok(src.signal, dst.signal):
                    edges.setdefault(src.id, []).append(
                        (dst.id, cid, f"{src.signal} to {dst.signal}")
                    )
    yield from _check_cycles(edges, pipelines)


def _pairs_hint(cid: str, info: object) -> str | None:
    pairs = getattr(info, "pairs", None)
    if not pairs:
        return None
    shown = ", ".join(p.replace("_to_", " → ") for p in pairs)
    return f"{cid.split('/', maxsplit=1)[0]} connects: {shown}"


def _check_cycles(
    edges: dict[str, list[tuple[str, str, str]]], pipelines: list[Pipeline]
) -> Iterator[Finding]:
    """Report each cycle of pipelines linked by connectors once (iterative DFS)."""
    by_id = {p.id: p for p in pipelines}
    color: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    for start in edges:
        if color.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        via: list[tuple[str, str]] = []
        color[start] = 1
        trail.append(start)
        while stack:
            node, index = stack[-1]
            out = edges.get(node, [])
            if index >= len(out):
                stack.pop()
                color[node] = 2
                trail.pop()
                if via:
                    via.pop()
                continue
            stack[-1] = (node, index + 1)
            nxt, cid, pair = out[index]
            state = color.get(nxt, 0)
            if state == 0:
                color[nxt] = 1
                stack.append((nxt, 0))
                trail.append(nxt)
                via.append((cid, pair))
            elif state == 1:
                at = trail.index(nxt)
                members = frozenset(trail[at:])
                if members in reported:
                    continue
                reported.add(members)
                cycle_pipes = trail[at:]
                links = [*via[at:], (cid, pair)]
                parts = []
                for pipe_id, (conn, conn_pair) in zip(cycle_pipes, links, strict=False):
                    parts.append(f'pipeline "{pipe_id}" -> connector "{conn}" ({conn_pair})')
                first = by_id[nxt]
                yield finding_at(
                    "OTC114",
                    "cycle detected: " + " -> ".join(parts) + f' -> pipeline "{nxt}"',
                    first.key,
                    path=first.path,
                    subject=nxt,
                )


def _check_unused(
    declared: dict[str, dict[str, Declared]], pipelines: list[Pipeline], ext_refs: list[Ref]
) -> Iterator[Finding]:
    used: set[tuple[str, str]] = set()
    for pipe in pipelines:
        for ref in pipe.receivers:
            used.update({("receivers", ref.id), ("connectors", ref.id)})
        for ref in pipe.processors:
            used.add(("processors", ref.id))
        for ref in pipe.exporters:
            used.update({("exporters", ref.id), ("connectors", ref.id)})
    for ref in ext_refs:
        used.add(("extensions", ref.id))
    for kind, table in declared.items():
        for cid, decl in table.items():
            if (kind, cid) in used or decl.lookup is None:
                # unknown types already have their error; "unused" would be noise
                continue
            k = decl.key
            where = "service.extensions" if kind == "extensions" else "any pipeline"
            yield finding_at(
                "OTC115",
                f'{SINGULAR[kind]} "{cid}" is defined but not used in {where}',
                k,
                path=decl.path,
                subject=cid,
                hint="remove it, or add it to " + where,
            )
