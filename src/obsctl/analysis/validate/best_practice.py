"""Best-practice rules (``OTC3xx``): configs the collector accepts but that will hurt.

Each rule cites its source in the catalogue (``rules.py``): the collector's processor README
(memory_limiter first, batch placement), opentelemetry.io configuration best practices
(resource safeguards, listeners, secrets), security-best-practices.md (TLS), the Helm chart
(health_check) and the tail sampling processor's README.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from obsctl.analysis.validate.components import Declared
from obsctl.analysis.validate.pipelines import Pipeline
from obsctl.analysis.validate.registry import SINGULAR
from obsctl.analysis.validate.rules import finding_at
from obsctl.model.collector import Node, YamlMap, YamlScalar, YamlSeq
from obsctl.model.findings import Finding, Severity

K8S_WRAPPERS = frozenset({"configmap", "opentelemetrycollector", "helm"})
CONTEXT_PROCESSORS = (
    "k8s_attributes",
    "tail_sampling",
    "probabilistic_sampler",
    "filter",
    "group_by_trace",
    "groupbytrace",
)
QUIET_EXPORTERS = frozenset({"debug", "nop", "file"})
DEBUG_EXTENSIONS = frozenset(
    {"zpages", "pprof", "health_check", "healthcheckv2", "remote_tap", "remotetap"}
)


@functools.cache
def _secret_keys() -> re.Pattern[str]:
    return re.compile(
        r"^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|"
        r"[a-z0-9_-]*[-_]api[-_]?key|"
        r"[a-z0-9_-]*token|password|passwd|secret|client_secret|secret_key|[a-z0-9_-]*secret|"
        r"key_pem|x-honeycomb-team|dd-api-key|x-sf-token|signalfx_access_token)$",
        re.IGNORECASE,
    )


# Every alternative of the pattern contains one of these words: an ASCII key holding none of
# them (case-insensitively) cannot match, and most keys of a config are such keys, so the
# pattern (slow to compile, case-insensitive) is only built when a key might be a secret.
# Other keys go to the pattern: its Unicode case folding is not str.lower().
_SECRET_WORDS = ("authorization", "key", "token", "passw", "secret", "team")


def is_secret_key(key: str) -> bool:
    """Whether a component option named ``key`` holds a credential (``api_key``, ``token`` …)."""
    if key.isascii():
        low = key.lower()
        if not any(word in low for word in _SECRET_WORDS):
            return False
    return _secret_keys().match(key) is not None


POLICY_TYPES = {
    "always_sample": None,
    "latency": "latency",
    "numeric_attribute": "numeric_attribute",
    "probabilistic": "probabilistic",
    "status_code": "status_code",
    "string_attribute": "string_attribute",
    "rate_limiting": "rate_limiting",
    "bytes_limiting": "bytes_limiting",
    "span_count": "span_count",
    "trace_state": "trace_state",
    "trace_flags": None,
    "boolean_attribute": "boolean_attribute",
    "ottl_condition": "ottl_condition",
    "and": "and",
    "composite": "composite",
    "drop": "drop",
    "not": "not",
}
SPAN_DERIVED = frozenset({"span_metrics", "service_graph", "signal_to_metrics"})


def _ctype(decl: Declared | None) -> str:
    return decl.canonical_type if decl else ""


def _host_of(endpoint: str) -> str | None:
    """The host part of ``host:port``, ``scheme://host:port/path`` or ``dns:///host:port``."""
    text = endpoint.strip()
    if "://" in text:
        text = text.split("://", 1)[1].lstrip("/")
        text = text.split("/", 1)[0]
    if text.startswith("["):
        end = text.find("]")
        return text[1:end] if end > 0 else None
    if text.count(":") > 1:
        return text  # a bare IPv6 address
    return text.rsplit(":", 1)[0] if ":" in text else text


def _is_all_interfaces(endpoint: str) -> bool:
    host = _host_of(endpoint)
    return host is not None and (host in ("0.0.0.0", "::", "") and endpoint.strip() != "")


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def check_best_practices(
    root: YamlMap,
    declared: dict[str, dict[str, Declared]],
    pipelines: list[Pipeline],
    ext_ids: list[str],
    wrappers: tuple[str, ...],
) -> Iterator[Finding]:
    """All ``OTC3xx`` findings."""
    k8s = any(w in K8S_WRAPPERS for w in wrappers)
    yield from _processor_order(declared, pipelines)
    yield from _listeners(declared, root, k8s)
    yield from _insecure_exporters(declared)
    yield from _secrets(declared)
    yield from _health_check(declared, ext_ids, k8s, root)
    yield from _debug_detailed(declared, pipelines, k8s)
    yield from _tail_sampling(declared, pipelines)


def _lookup(declared: dict[str, dict[str, Declared]], kind: str, cid: str) -> Declared | None:
    return declared.get(kind, {}).get(cid)


def _processor_order(
    declared: dict[str, dict[str, Declared]], pipelines: list[Pipeline]
) -> Iterator[Finding]:
    for pipe in pipelines:
        procs = [(ref, _ctype(_lookup(declared, "processors", ref.id))) for ref in pipe.processors]
        types = [t for _r, t in procs]
        where = f'pipeline "{pipe.id}"'
        if "memory_limiter" in types and types.index("memory_limiter") > 0:
            ref = procs[types.index("memory_limiter")][0]
            yield finding_at(
                "OTC300",
                f"{where}: memory_limiter is processor #{types.index('memory_limiter') + 1}, "
                "not the first",
                ref.node,
                path=ref.path,
                subject=ref.id,
                hint="move it to the start of the processors list so it can refuse data early",
            )
        if "batch" in types:
            b = types.index("batch")
            ref = procs[b][0]
            if "memory_limiter" in types and types.index("memory_limiter") > b:
                yield finding_at(
                    "OTC301",
                    f"{where}: batch runs before memory_limiter",
                    ref.node,
                    path=ref.path,
                    subject=ref.id,
                    hint="order: memory_limiter, …, batch",
                )
            later = [t for t in types[b + 1 :] if t in CONTEXT_PROCESSORS]
            if later:
                yield finding_at(
                    "OTC301",
                    f"{where}: batch runs before {', '.join(later)}: batching drops the request "
                    "context and makes those processors work on larger, mixed batches",
                    ref.node,
                    path=ref.path,
                    subject=ref.id,
                    hint="put batch after sampling, filtering and k8s_attributes",
                )
        elif not _exporters_batch(declared, pipe):
            yield finding_at(
                "OTC301",
                f"{where} has no batching",
                pipe.key,
                path=pipe.path,
                subject=pipe.id,
                hint="add the batch processor after memory_limiter, or enable "
                "sending_queue: {batch: {}} on the exporters",
            )
        fed_by_receivers = any(ref.id in declared["receivers"] for ref in pipe.receivers)
        if fed_by_receivers and "memory_limiter" not in types:
            yield finding_at(
                "OTC302",
                f"{where} has no memory_limiter",
                pipe.key,
                path=pipe.path,
                subject=pipe.id,
                hint="add memory_limiter (limit_percentage: 80, spike_limit_percentage: 20) "
                "as the first processor",
            )


def _exporters_batch(declared: dict[str, dict[str, Declared]], pipe: Pipeline) -> bool:
    """True when batching is not needed or is done by every network exporter."""
    network = []
    for ref in pipe.exporters:
        decl = _lookup(declared, "exporters", ref.id)
        if decl is None or _ctype(decl) in QUIET_EXPORTERS:
            continue
        network.append(decl)
    if not network:
        return True
    for decl in network:
        cfg = decl.config
        queue = cfg.get("sending_queue") if isinstance(cfg, YamlMap) else None
        if not (isinstance(queue, YamlMap) and "batch" in queue):
            return False
    return True


def _walk(node: Node, path: str) -> Iterator[tuple[str, YamlScalar, YamlScalar, str]]:
    """``(key, key node, scalar value, path)`` for every scalar under a mapping key."""
    stack: list[tuple[Node, str]] = [(node, path)]
    seen: set[int] = set()
    while stack:
        cur, cpath = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, YamlMap):
            for key, knode, value in cur.items():
                sub = f"{cpath}.{key}"
                if isinstance(value, YamlScalar):
                    yield key, knode, value, sub
                else:
                    stack.append((value, sub))
        elif isinstance(cur, YamlSeq):
            for index, item in enumerate(cur.items):
                stack.append((item, f"{cpath}[{index}]"))


def _listeners(
    declared: dict[str, dict[str, Declared]], root: YamlMap, k8s: bool
) -> Iterator[Finding]:
    targets: list[tuple[Declared, bool]] = [(d, False) for d in declared["receivers"].values()]
    targets += [(d, _ctype(d) in DEBUG_EXTENSIONS) for d in declared["extensions"].values()]
    targets += [(d, False) for d in declared["exporters"].values() if _ctype(d) == "prometheus"]
    hint = (
        "bind to ${env:MY_POD_IP} (the pod IP) instead"
        if k8s
        else "bind to localhost, or to a specific interface address"
    )
    for decl, debug in targets:
        for key, _k, value, path in _walk(decl.config, decl.path):
            if key != "endpoint" or not value.known or not isinstance(value.value, str):
                continue
            host = _host_of(value.value)
            if k8s and decl.kind == "receivers" and host is not None and _is_loopback(host):
                yield finding_at(
                    "OTC309",
                    f'receiver "{decl.id}" listens on {value.value}: unreachable from other pods',
                    value,
                    path=path,
                    subject=decl.id,
                    hint="bind to ${env:MY_POD_IP} (the pod IP)",
                )
            if _is_all_interfaces(value.value):
                what = "exposes a debug endpoint" if debug else "listens"
                yield finding_at(
                    "OTC303",
                    f'{SINGULAR[decl.kind]} "{decl.id}" {what} on all interfaces ({value.value})',
                    value,
                    path=path,
                    subject=decl.id,
                    hint=hint,
                )
    service = root.get("service")
    telemetry = service.get("telemetry") if isinstance(service, YamlMap) else None
    if isinstance(telemetry, YamlMap):
        for key, _k, value, path in _walk(telemetry, "service.telemetry"):
            if key == "host" and value.known and value.value in ("0.0.0.0", "::", "[::]"):
                yield finding_at(
                    "OTC303",
                    f"the collector's own metrics are served on all interfaces ({value.value})",
                    value,
                    path=path,
                    hint=hint,
                )


def _insecure_exporters(declared: dict[str, dict[str, Declared]]) -> Iterator[Finding]:
    for decl in declared["exporters"].values():
        cfg = decl.config
        if not isinstance(cfg, YamlMap):
            continue
        endpoint = cfg.get("endpoint")
        host = None
        if isinstance(endpoint, YamlScalar) and endpoint.known and isinstance(endpoint.value, str):
            host = _host_of(endpoint.value)
        if host is None or _is_loopback(host):
            continue
        tls = cfg.get("tls")
        if not isinstance(tls, YamlMap):
            continue
        for flag, what in (
            ("insecure", "without TLS"),
            ("insecure_skip_verify", "without verifying the server certificate"),
        ):
            node = tls.get(flag)
            if isinstance(node, YamlScalar) and node.known and node.value is True:
                yield finding_at(
                    "OTC304",
                    f'exporter "{decl.id}" sends telemetry {what} to {host}',
                    node,
                    path=f"{decl.path}.tls.{flag}",
                    subject=decl.id,
                    hint="configure tls (ca_file) for connections that leave the host or pod",
                )


def _secrets(declared: dict[str, dict[str, Declared]]) -> Iterator[Finding]:
    for kind in ("receivers", "processors", "exporters", "connectors", "extensions"):
        for decl in declared[kind].values():
            for key, knode, value, path in _walk(decl.config, decl.path):
                if not is_secret_key(key) or key.endswith("_file"):
                    continue
                if "${" in value.text or not isinstance(value.value, str) or not value.value:
                    continue
                if key.lower().endswith("token") and value.value.lower() in ("true", "false"):
                    continue
                yield finding_at(
                    "OTC305",
                    f'{SINGULAR[kind]} "{decl.id}": "{key}" holds a literal credential',
                    knode,
                    path=path,
                    subject=decl.id,
                    hint=f"reference it instead: {key}: ${{env:{_env_name(key)}}}",
                )


def _env_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper() or "SECRET"


def _health_check(
    declared: dict[str, dict[str, Declared]], ext_ids: list[str], k8s: bool, root: YamlMap
) -> Iterator[Finding]:
    enabled = [
        cid
        for cid in ext_ids
        if _ctype(declared["extensions"].get(cid)) in ("health_check", "healthcheckv2")
    ]
    if enabled:
        return
    at: Node = root.key_node("service") or root
    yield finding_at(
        "OTC306",
        "no health_check extension is enabled"
        + (": Kubernetes liveness/readiness probes need it" if k8s else ""),
        at,
        path="service.extensions",
        severity=Severity.WARNING if k8s else Severity.INFO,
        hint="extensions: {health_check: {endpoint: ${env:MY_POD_IP}:13133}} and list it in "
        "service.extensions",
    )


def _debug_detailed(
    declared: dict[str, dict[str, Declared]], pipelines: list[Pipeline], k8s: bool
) -> Iterator[Finding]:
    for decl in declared["exporters"].values():
        if _ctype(decl) != "debug" or not isinstance(decl.config, YamlMap):
            continue
        verbosity = decl.config.get("verbosity")
        if not (
            isinstance(verbosity, YamlScalar)
            and verbosity.known
            and str(verbosity.value).lower() == "detailed"
        ):
            continue
        production = k8s
        for pipe in pipelines:
            if not any(r.id == decl.id for r in pipe.exporters):
                continue
            for ref in pipe.exporters:
                other = _lookup(declared, "exporters", ref.id)
                if other is not None and _ctype(other) not in QUIET_EXPORTERS:
                    production = True
        if production:
            yield finding_at(
                "OTC307",
                f'exporter "{decl.id}" logs every item (verbosity: detailed) next to '
                "production exporters",
                verbosity,
                path=f"{decl.path}.verbosity",
                subject=decl.id,
                hint="use verbosity: basic, or drop the debug exporter outside development",
            )


def _tail_sampling(
    declared: dict[str, dict[str, Declared]], pipelines: list[Pipeline]
) -> Iterator[Finding]:
    for decl in declared["processors"].values():
        if _ctype(decl) != "tail_sampling":
            continue
        label = f'processor "{decl.id}"'
        cfg = decl.config if isinstance(decl.config, YamlMap) else None
        policies = cfg.get("policies") if cfg else None
        if not isinstance(policies, YamlSeq) or not policies.items:
            at = policies if isinstance(policies, Node) else decl.key
            yield finding_at(
                "OTC308",
                f"{label} has no policies: no trace will be sampled",
                at,
                path=f"{decl.path}.policies",
                subject=decl.id,
                hint="add at least one policy, e.g. {name: errors, type: status_code, "
                "status_code: {status_codes: [ERROR]}}",
            )
            continue
        yield from _policies(decl, label, policies, f"{decl.path}.policies")
    sampling_pipes = {
        p.id
        for p in pipelines
        if any(
            _ctype(_lookup(declared, "processors", r.id)) == "tail_sampling" for r in p.processors
        )
    }
    for pipe in pipelines:
        if pipe.id not in sampling_pipes:
            continue
        for ref in pipe.exporters:
            conn = _lookup(declared, "connectors", ref.id)
            if conn is not None and _ctype(conn) in SPAN_DERIVED:
                yield finding_at(
                    "OTC308",
                    f'pipeline "{pipe.id}" feeds {ref.id} after tail_sampling: the derived '
                    "metrics only count sampled traces",
                    ref.node,
                    path=ref.path,
                    subject=ref.id,
                    hint="compute span metrics in a pipeline before sampling (split with the "
                    "forward connector)",
                )


def _policies(decl: Declared, label: str, policies: YamlSeq, path: str) -> Iterator[Finding]:
    names: dict[str, int] = {}
    for index, policy in enumerate(policies.items):
        ppath = f"{path}[{index}]"
        if not isinstance(policy, YamlMap):
            yield finding_at(
                "OTC308",
                f"{label}: policy #{index + 1} is not a mapping",
                policy,
                path=ppath,
                subject=decl.id,
            )
            continue
        name = policy.get("name")
        name_text = str(name.value) if isinstance(name, YamlScalar) and name.value else ""
        if not name_text:
            yield finding_at(
                "OTC308",
                f"{label}: policy #{index + 1} has no name",
                policy,
                path=ppath,
                subject=decl.id,
            )
        elif name_text in names:
            assert name is not None
            yield finding_at(
                "OTC308",
                f'{label}: policy name "{name_text}" is used twice (first at line '
                f"{names[name_text]})",
                name,
                path=f"{ppath}.name",
                subject=decl.id,
            )
        else:
            assert name is not None
            names[name_text] = name.line
        ptype = policy.get("type")
        type_text = str(ptype.value) if isinstance(ptype, YamlScalar) and ptype.value else ""
        shown = f'"{name_text}"' if name_text else f"#{index + 1}"
        if not type_text:
            yield finding_at(
                "OTC308",
                f"{label}: policy {shown} has no type",
                policy,
                path=ppath,
                subject=decl.id,
            )
            continue
        assert ptype is not None
        if type_text not in POLICY_TYPES:
            import difflib

            close = difflib.get_close_matches(type_text, list(POLICY_TYPES), n=1)
            yield finding_at(
                "OTC308",
                f'{label}: policy {shown} has unknown type "{type_text}"',
                ptype,
                path=f"{ppath}.type",
                subject=decl.id,
                hint=f'did you mean "{close[0]}"?' if close else None,
            )
            continue
        block = POLICY_TYPES[type_text]
        if block and block not in policy:
            yield finding_at(
                "OTC308",
                f'{label}: policy {shown} of type {type_text} has no "{block}" settings',
                ptype,
                path=f"{ppath}.{block}",
                subject=decl.id,
            )
        if type_text == "probabilistic":
            settings = policy.get("probabilistic")
            pct = settings.get("sampling_percentage") if isinstance(settings, YamlMap) else None
            value = pct.value if isinstance(pct, YamlScalar) and pct.known else None
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and not (0 < value <= 100)
            ):
                assert pct is not None
                yield finding_at(
                    "OTC308",
                    f"{label}: policy {shown} samples {value}% (expected more than 0, at most 100)",
                    pct,
                    path=f"{ppath}.probabilistic.sampling_percentage",
                    subject=decl.id,
                )
