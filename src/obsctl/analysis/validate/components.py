"""Component checks: IDs, types against the registry, deprecated names, and option schemas.

Option schemas follow the collector's own config structs (their generated
``config.schema.yaml``): the otlp receiver, the otlp_grpc/otlp_http/debug exporters (also under
their old names ``otlp``/``otlphttp``), and the batch and memory_limiter processors. Like the
collector's decoder (mapstructure with ErrorUnused), an unknown key anywhere in those is an
error.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping

from obsctl.analysis.validate.registry import SINGULAR, Lookup, Registry
from obsctl.analysis.validate.rules import finding_at
from obsctl.model.collector import Node, YamlMap, YamlScalar, YamlSeq, is_null
from obsctl.model.findings import Finding, Severity

_TYPE_RE = re.compile(r"^[a-zA-Z][0-9a-zA-Z_]{0,62}$")

Spec = Mapping[str, "Spec"] | str
"""An option schema: a mapping of known keys, or a leaf type name (``str``, ``int``, ``bool``,
``float``, ``duration``, ``list``, ``map`` (free-form keys), ``any``)."""


def _merge(*specs: Mapping[str, Spec]) -> dict[str, Spec]:
    out: dict[str, Spec] = {}
    for spec in specs:
        out.update(spec)
    return out


_TLS: dict[str, Spec] = {
    "ca_file": "str",
    "ca_pem": "str",
    "cert_file": "str",
    "cert_pem": "str",
    "key_file": "str",
    "key_pem": "str",
    "cipher_suites": "list",
    "curve_preferences": "list",
    "include_system_ca_certs_pool": "bool",
    "max_version": "str",
    "min_version": "str",
    "reload_interval": "duration",
    "tpm": {"auth": "str", "enabled": "bool", "owner_auth": "str", "path": "str"},
}
_TLS_CLIENT = _merge(
    _TLS, {"insecure": "bool", "insecure_skip_verify": "bool", "server_name_override": "str"}
)
_TLS_SERVER = _merge(_TLS, {"client_ca_file": "str", "client_ca_file_reload": "bool"})
_AUTH: dict[str, Spec] = {"authenticator": "str"}
_GRPC_SERVER: dict[str, Spec] = {
    "endpoint": "str",
    "transport": "str",
    "dialer": {"timeout": "duration"},
    "auth": _AUTH,
    "include_metadata": "bool",
    "keepalive": {
        "enforcement_policy": {"min_time": "duration", "permit_without_stream": "bool"},
        "server_parameters": {
            "max_connection_age": "duration",
            "max_connection_age_grace": "duration",
            "max_connection_idle": "duration",
            "time": "duration",
            "timeout": "duration",
        },
    },
    "max_concurrent_streams": "int",
    "max_recv_msg_size_mib": "int",
    "middlewares": "list",
    "read_buffer_size": "int",
    "tls": _TLS_SERVER,
    "write_buffer_size": "int",
}
_HTTP_SERVER: dict[str, Spec] = {
    "auth": _merge(_AUTH, {"request_params": "list"}),
    "compression_algorithms": "list",
    "cors": {
        "allowed_headers": "list",
        "allowed_origins": "list",
        "exposed_headers": "list",
        "max_age": "int",
    },
    "endpoint": "str",
    "include_metadata": "bool",
    "keepalive": {"enabled": "bool", "idle_timeout": "duration"},
    "max_request_body_size": "int",
    "middlewares": "list",
    "read_header_timeout": "duration",
    "read_timeout": "duration",
    "response_headers": "map",
    "tls": _TLS_SERVER,
    "write_timeout": "duration",
    # Accepted before keepalive moved into its own section.
    "idle_timeout": "duration",
}
_GRPC_CLIENT: dict[str, Spec] = {
    "auth": _AUTH,
    "authority": "str",
    "balancer_name": "str",
    "compression": "str",
    "compression_params": {"level": "int"},
    "endpoint": "str",
    "headers": "map",
    "keepalive": {"permit_without_stream": "bool", "time": "duration", "timeout": "duration"},
    "middlewares": "list",
    "read_buffer_size": "int",
    "tls": _TLS_CLIENT,
    "wait_for_ready": "bool",
    "write_buffer_size": "int",
}
_HTTP_CLIENT: dict[str, Spec] = {
    "auth": _AUTH,
    "compression": "str",
    "compression_params": {"level": "int"},
    "cookies": {"enabled": "bool"},
    "endpoint": "str",
    "force_attempt_http2": "bool",
    "headers": "map",
    "http2_ping_timeout": "duration",
    "http2_read_idle_timeout": "duration",
    "keepalive": {
        "enabled": "bool",
        "idle_conn_timeout": "duration",
        "max_idle_conns": "int",
        "max_idle_conns_per_host": "int",
    },
    "max_conns_per_host": "int",
    "middlewares": "list",
    "proxy_url": "str",
    "read_buffer_size": "int",
    "timeout": "duration",
    "tls": _TLS_CLIENT,
    "write_buffer_size": "int",
    # Accepted before keepalive moved into its own section.
    "idle_conn_timeout": "duration",
    "max_idle_conns": "int",
    "max_idle_conns_per_host": "int",
    "disable_keep_alives": "bool",
}
_QUEUE: dict[str, Spec] = {
    "batch": {
        "flush_timeout": "duration",
        "max_size": "int",
        "min_size": "int",
        "partition": {"metadata_keys": "list", "cardinality_limit": "int"},
        "sizer": "str",
    },
    "block_on_overflow": "bool",
    "enabled": "bool",
    "num_consumers": "int",
    "queue_size": "int",
    "sizer": "str",
    "storage": "str",
    "wait_for_result": "bool",
}
_RETRY: dict[str, Spec] = {
    "enabled": "bool",
    "initial_interval": "duration",
    "max_elapsed_time": "duration",
    "max_interval": "duration",
    "max_retries": "int",
    "multiplier": "float",
    "randomization_factor": "float",
}

SCHEMAS: dict[tuple[str, str], dict[str, Spec]] = {
    ("receivers", "otlp"): {
        "protocols": {
            "grpc": _GRPC_SERVER,
            "http": _merge(
                _HTTP_SERVER,
                {
                    "logs_url_path": "str",
                    "metrics_url_path": "str",
                    "traces_url_path": "str",
                    "profiles_url_path": "str",
                },
            ),
        }
    },
    ("exporters", "otlp_grpc"): _merge(
        _GRPC_CLIENT, {"timeout": "duration", "retry_on_failure": _RETRY, "sending_queue": _QUEUE}
    ),
    ("exporters", "otlp_http"): _merge(
        _HTTP_CLIENT,
        {
            "encoding": "str",
            "logs_endpoint": "str",
            "metrics_endpoint": "str",
            "traces_endpoint": "str",
            "profiles_endpoint": "str",
            "retry_on_failure": _RETRY,
            "sending_queue": _QUEUE,
        },
    ),
    ("exporters", "debug"): {
        "output_paths": "list",
        "sampling_initial": "int",
        "sampling_thereafter": "int",
        "sending_queue": _QUEUE,
        "use_internal_logger": "bool",
        "verbosity": "str",
    },
    ("processors", "batch"): {
        "metadata_cardinality_limit": "int",
        "metadata_keys": "list",
        "send_batch_max_size": "int",
        "send_batch_size": "int",
        "timeout": "duration",
    },
    ("processors", "memory_limiter"): {
        "check_interval": "duration",
        "limit_mib": "int",
        "limit_percentage": "int",
        "max_gc_interval_when_hard_limited": "duration",
        "max_gc_interval_when_soft_limited": "duration",
        "min_gc_interval_when_hard_limited": "duration",
        "min_gc_interval_when_soft_limited": "duration",
        "spike_limit_mib": "int",
        "spike_limit_percentage": "int",
    },
}


# ------------------------------------------------------------------------------ IDs


@functools.lru_cache(maxsize=8192)
def parse_id(raw: str) -> tuple[str, str] | str:
    """Split ``type[/name]`` as the collector does; an error message when malformed.

    >>> parse_id("otlp/internal"), parse_id(" otlp "), parse_id("otlp/")
    (('otlp', 'internal'), ('otlp', ''), 'in "otlp/" id: the part after / should not be empty')
    """
    text = raw.strip()
    if not text:
        return "id must not be empty"
    type_, sep, name = text.partition("/")
    type_, name = type_.strip(), name.strip()
    if sep and not type_:
        return f'in "{raw}" id: the part before / should not be empty'
    if sep and not name:
        return f'in "{raw}" id: the part after / should not be empty'
    if not _TYPE_RE.match(type_):
        return f'in "{raw}" id: invalid character(s) in type "{type_}"'
    if name:
        if len(name) > 1024:
            return f'in "{raw}" id: name is longer than 1024 characters'
        if any(unicodedata.category(c)[0] in "ZCS" for c in name):
            return f'in "{raw}" id: invalid character(s) in name "{name}"'
    return type_, name


@functools.lru_cache(maxsize=8192)
def canonical_id(raw: str) -> str:
    """The ID with spaces around its parts removed (how references are matched)."""
    parsed = parse_id(raw)
    if isinstance(parsed, str):
        return raw.strip()
    type_, name = parsed
    return f"{type_}/{name}" if name else type_


class Declared:
    """One component defined in a section (a plain class: a dataclass costs start-up time)."""

    __slots__ = ("config", "id", "key", "kind", "lookup", "path", "type")

    def __init__(
        self,
        kind: str,
        id: str,
        type: str,
        key: YamlScalar,
        config: Node,
        lookup: Lookup | None,
        path: str,
    ) -> None:
        self.kind = kind
        self.id = id
        self.type = type
        self.key = key
        self.config = config
        self.lookup = lookup
        self.path = path

    @property
    def canonical_type(self) -> str:
        """The type after resolving a deprecated alias."""
        return self.lookup.info.type if self.lookup else self.type


# ------------------------------------------------------------------------------ value helpers


def parse_go_duration(value: object) -> float | None:
    """Seconds in a Go duration (``1m30s``, ``500ms``; an int is nanoseconds), or None.

    >>> parse_go_duration("1m30s"), parse_go_duration("500ms"), parse_go_duration(0)
    (90.0, 0.5, 0.0)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value / 1e9
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in ("0", "+0", "-0"):
        return 0.0
    units = {
        "ns": 1e-9,
        "us": 1e-6,
        "µs": 1e-6,
        "μs": 1e-6,
        "ms": 1e-3,
        "s": 1.0,
        "m": 60.0,
        "h": 3600.0,
    }
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    if not text:
        return None
    total = 0.0
    for number, unit in re.findall(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)", text):
        total += float(number) * units[unit]
    rebuilt = "".join(
        n + u for n, u in re.findall(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)", text)
    )
    if rebuilt != text:
        return None
    return sign * total


def scalar_value(node: Node | None) -> object:
    """The scalar's value, ``None`` when absent, not a scalar, or not known offline."""
    if isinstance(node, YamlScalar) and node.known:
        return node.value
    return None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]+", value.strip()):
        return int(value)
    return None


_GO_TYPES = {
    "str": "string",
    "int": "int",
    "bool": "bool",
    "float": "float64",
    "duration": "time.Duration",
    "list": "slice",
    "map": "map",
}


def _kind_name(node: Node) -> str:
    if isinstance(node, YamlMap):
        return "map"
    if isinstance(node, YamlSeq):
        return "slice"
    value = node.value if isinstance(node, YamlScalar) else None
    return {bool: "bool", int: "int", float: "float64"}.get(type(value), "string")


def _type_error(spec: str, node: Node) -> str | None:
    """Why ``node`` cannot decode as ``spec`` (None when it can, or cannot be known)."""
    if spec == "any" or is_null(node):
        return None
    if isinstance(node, YamlScalar) and not node.known:
        return None
    if spec == "list":
        return (
            None
            if isinstance(node, YamlSeq)
            else (f"source data must be an array or slice, got {_kind_name(node)}")
        )
    if spec == "map":
        return None if isinstance(node, YamlMap) else f"expected a map, got {_kind_name(node)}"
    if not isinstance(node, YamlScalar):
        return f"expected type '{_GO_TYPES[spec]}', got unconvertible type '{_kind_name(node)}'"
    value = node.value
    if spec == "str":
        return None
    if spec == "int" and _as_int(value) is None:
        return f"expected type 'int', got unconvertible type '{_kind_name(node)}' ({node.text})"
    if spec == "bool" and not (isinstance(value, bool) or value in ("true", "false")):
        return f"expected type 'bool', got unconvertible type '{_kind_name(node)}' ({node.text})"
    if spec == "float" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected type 'float64', got unconvertible type '{_kind_name(node)}'"
    if spec == "duration" and parse_go_duration(value) is None:
        return f'time: invalid duration "{node.text}"'
    return None


def _suggest(key: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    return close[0] if close else None


def check_options(
    decl: Declared, spec: Mapping[str, Spec], node: Node, path: str
) -> Iterator[Finding]:
    """Unknown keys and undecodable values in ``node`` against ``spec``."""
    label = f'{SINGULAR[decl.kind]} "{decl.id}"'
    if is_null(node):
        return
    if not isinstance(node, YamlMap):
        where = path[len(decl.path) + 1 :] or "config"
        yield finding_at(
            "OTC206",
            f"{label}: '{where}' expected a map, got {_kind_name(node)}",
            node,
            path=path,
            subject=decl.id,
        )
        return
    for key, knode, value in node.items():
        sub = f"{path}.{key}"
        if key not in spec:
            suggestion = _suggest(key, list(spec))
            inner = path[len(decl.path) + 1 :]
            where = f"'{inner}' has" if inner else "config has"
            yield finding_at(
                "OTC205",
                f'{label}: {where} invalid key "{key}"'
                + (f' (did you mean "{suggestion}"?)' if suggestion else ""),
                knode,
                path=sub,
                subject=decl.id,
                hint=None if suggestion else "valid keys: " + ", ".join(sorted(spec)),
            )
            continue
        child = spec[key]
        if isinstance(child, str):
            error = _type_error(child, value)
            if error:
                yield finding_at(
                    "OTC206",
                    f"{label}: '{sub[len(decl.path) + 1 :]}' {error}",
                    value,
                    path=sub,
                    subject=decl.id,
                )
        else:
            yield from check_options(decl, child, value, sub)


# ------------------------------------------------------------------------------ semantics


def _at(node: Node | None, fallback: Node) -> Node:
    return node if node is not None else fallback


def check_semantics(decl: Declared) -> Iterator[Finding]:
    """The value rules each component's ``Validate()`` enforces, for the schema'd ones."""
    cfg = decl.config if isinstance(decl.config, YamlMap) else None
    key = decl.key
    label = f'{SINGULAR[decl.kind]} "{decl.id}"'
    ctype = decl.canonical_type

    def get(name: str) -> Node | None:
        return cfg.get(name) if cfg else None

    def invalid(option: str, message: str, *, hint: str | None = None) -> Finding:
        """OTC206 at ``option``, or at the component's key when the option is not set."""
        return finding_at(
            "OTC206",
            f"{label}: {message}",
            _at(get(option), key),
            path=f"{decl.path}.{option}",
            subject=decl.id,
            hint=hint,
        )

    if decl.kind == "processors" and ctype == "memory_limiter":
        interval = get("check_interval")
        seconds = parse_go_duration(scalar_value(interval)) if interval is not None else 0.0
        unknown = isinstance(interval, YamlScalar) and not interval.known
        if (
            not unknown
            and (seconds is None or seconds <= 0)
            and (interval is None or seconds is not None)
        ):
            yield invalid(
                "check_interval",
                "'check_interval' must be greater than zero",
                hint="1s is the recommended interval",
            )
        limit_mib = _as_int(scalar_value(get("limit_mib")))
        limit_pct = _as_int(scalar_value(get("limit_percentage")))
        # Unknown offline, or not an integer (already reported as a type error).
        unknown_limit = any(
            isinstance(n, YamlScalar)
            and (not n.known or (n.value is not None and _as_int(n.value) is None))
            for n in (get("limit_mib"), get("limit_percentage"))
        )
        if not unknown_limit and not (limit_mib or 0) > 0 and not (limit_pct or 0) > 0:
            yield finding_at(
                "OTC206",
                f"{label}: 'limit_mib' or 'limit_percentage' must be greater than zero",
                key,
                path=decl.path,
                subject=decl.id,
                hint="in containers prefer limit_percentage: 80 with spike_limit_percentage: 20",
            )
        spike_mib = _as_int(scalar_value(get("spike_limit_mib")))
        if limit_mib and spike_mib is not None and spike_mib >= limit_mib:
            yield invalid("spike_limit_mib", "'spike_limit_mib' must be smaller than 'limit_mib'")
        spike_pct = _as_int(scalar_value(get("spike_limit_percentage")))
        if (
            limit_pct is not None
            and not limit_mib
            and (limit_pct > 100 or (spike_pct is not None and spike_pct >= limit_pct))
        ):
            yield invalid(
                "limit_percentage",
                "'limit_percentage' and 'spike_limit_percentage' must be greater "
                "than zero and less than or equal to hundred, with the spike below the limit",
            )
    elif decl.kind == "processors" and ctype == "batch":
        size = _as_int(scalar_value(get("send_batch_size")))
        max_size = _as_int(scalar_value(get("send_batch_max_size")))
        if max_size and size is not None and max_size < size:
            yield invalid(
                "send_batch_max_size",
                "send_batch_max_size must be greater or equal to send_batch_size",
            )
        timeout = parse_go_duration(scalar_value(get("timeout")))
        if timeout is not None and timeout < 0:
            yield invalid("timeout", "timeout must be greater or equal to 0")
    elif decl.kind == "receivers" and ctype == "otlp":
        protocols = get("protocols")
        if not isinstance(protocols, YamlMap) or not ("grpc" in protocols or "http" in protocols):
            yield invalid(
                "protocols",
                "must specify at least one protocol when using the OTLP receiver",
                hint="add protocols: {grpc: {endpoint: localhost:4317}}",
            )
    elif decl.kind == "exporters" and ctype == "otlp_grpc":
        endpoint = get("endpoint")
        if not (isinstance(endpoint, YamlScalar) and not endpoint.known) and not scalar_value(
            endpoint
        ):
            yield invalid("endpoint", 'requires a non-empty "endpoint"')
    elif decl.kind == "exporters" and ctype == "otlp_http":
        names = (
            "endpoint",
            "traces_endpoint",
            "metrics_endpoint",
            "logs_endpoint",
            "profiles_endpoint",
        )
        nodes = [get(n) for n in names]
        if not any((isinstance(n, YamlScalar) and not n.known) or scalar_value(n) for n in nodes):
            yield finding_at(
                "OTC206",
                f"{label}: at least one endpoint must be specified",
                key,
                path=f"{decl.path}.endpoint",
                subject=decl.id,
            )
        encoding = get("encoding")
        if scalar_value(encoding) not in (None, "proto", "json"):
            yield invalid(
                "encoding",
                f'invalid encoding "{scalar_value(encoding)}" (expected "proto" or "json")',
            )
    elif decl.kind == "exporters" and ctype == "debug":
        verbosity = get("verbosity")
        value = scalar_value(verbosity)
        if value is not None and str(value).lower() not in ("basic", "normal", "detailed"):
            yield invalid(
                "verbosity",
                f'unrecognized verbosity level: "{value}"',
                hint="use basic, normal or detailed",
            )


# ------------------------------------------------------------------------------ sections


def collect_components(
    root: YamlMap, registry: Registry
) -> tuple[dict[str, dict[str, Declared]], list[Finding]]:
    """Every declared component by kind and ID, with findings about IDs, types and options."""
    declared: dict[str, dict[str, Declared]] = {}
    findings: list[Finding] = []
    for kind in SINGULAR:
        section = root.get(kind)
        declared[kind] = {}
        if is_null(section):
            continue
        if not isinstance(section, YamlMap):
            assert section is not None
            findings.append(
                finding_at(
                    "OTC102",
                    f"'{kind}' expected a map, got {_kind_name(section)}",
                    section,
                    path=kind,
                    hint=f"write each component as a key under {kind}: (e.g. otlp: {{}})",
                )
            )
            continue
        canon_seen: dict[str, YamlScalar] = {}
        for raw, knode, value in section.items():
            path = f"{kind}.{raw}"
            parsed = parse_id(raw)
            if isinstance(parsed, str):
                findings.append(finding_at("OTC103", parsed, knode, path=path, subject=raw))
                continue
            type_, name = parsed
            cid = f"{type_}/{name}" if name else type_
            if cid in canon_seen:
                findings.append(
                    finding_at(
                        "OTC103",
                        f'duplicate name "{raw}" after unmarshaling {cid}',
                        knode,
                        path=path,
                        subject=cid,
                    )
                )
                continue
            canon_seen[cid] = knode
            lookup = registry.lookup(kind, type_)
            decl = Declared(kind, cid, type_, knode, value, lookup, path)
            declared[kind][cid] = decl
            findings.extend(_check_type(decl, registry))
            if lookup is not None:
                spec = SCHEMAS.get((kind, lookup.info.type))
                if spec is not None:
                    options = list(check_options(decl, spec, value, path))
                    findings.extend(options)
                    if is_null(value) or isinstance(value, YamlMap):
                        findings.extend(check_semantics(decl))
    return declared, findings


def _check_type(decl: Declared, registry: Registry) -> Iterator[Finding]:
    key = decl.key
    singular = SINGULAR[decl.kind]
    if decl.lookup is not None:
        if decl.lookup.alias:
            yield finding_at(
                "OTC201",
                f'"{decl.lookup.alias}" alias is deprecated; use "{decl.lookup.info.type}" instead',
                key,
                path=decl.path,
                subject=decl.id,
                hint=f"rename {singular} {decl.id} to "
                + decl.id.replace(decl.lookup.alias, decl.lookup.info.type, 1)
                + " (and every reference to it)",
            )
        if decl.kind == "extensions":
            level = decl.lookup.info.stability.get("extension", "")
            if level in ("development", "alpha", "deprecated", "unmaintained"):
                yield stability_finding(decl, level, None)
        return
    removed = registry.removed.get(decl.kind, {}).get(decl.type)
    if removed is not None and removed.collector_error:
        yield finding_at(
            "OTC200",
            removed.collector_error,
            key,
            path=decl.path,
            subject=decl.id,
        )
        return
    anywhere = registry.lookup_anywhere(decl.kind, decl.type)
    if anywhere is not None:
        yield finding_at(
            "OTC204",
            f'{singular} "{decl.type}" is not part of the {registry.label} distribution',
            key,
            path=decl.path,
            subject=decl.id,
            hint="distributions with it: "
            + (", ".join(anywhere.info.distributions) or "none (custom builds only)"),
        )
        return
    message = f'unknown type: "{decl.type}" for id: "{decl.id}"'
    hint: str | None = None
    if removed is not None:
        message += f" ({removed.status}"
        message += f"; use {removed.replacement})" if removed.replacement else ")"
    else:
        suggestion = registry.suggest(decl.kind, decl.type)
        others = [SINGULAR[k] for k in registry.kinds_of(decl.type) if k != decl.kind]
        if suggestion:
            hint = f'did you mean "{suggestion}"?'
        elif others:
            hint = f'"{decl.type}" is a {" and ".join(others)}, not a {singular}'
        else:
            hint = (
                f"the {registry.label} registry (collector {registry.version}) "
                f"has no such {singular}"
            )
    yield finding_at(
        "OTC200",
        message,
        key,
        path=decl.path,
        subject=decl.id,
        hint=hint,
    )


def stability_finding(decl: Declared, level: str, signal: str | None) -> Finding:
    """OTC203 for a component at ``level`` (info for development/alpha, else a warning)."""
    key = decl.key
    severity = Severity.INFO if level in ("development", "alpha") else Severity.WARNING
    what = f'{SINGULAR[decl.kind]} "{decl.id}"'
    on = f" for {signal}" if signal else ""
    return finding_at(
        "OTC203",
        f"{what} is {level}{on}",
        key,
        path=decl.path,
        subject=decl.id,
        severity=severity,
        hint=(
            "its configuration and behaviour may change between releases"
            if severity is Severity.INFO
            else "plan a replacement: it will be removed"
        ),
    )
