"""Where collector configs live in practice: a Kubernetes ConfigMap, an
``OpenTelemetryCollector`` resource, a Helm values file (over the chart's defaults). The
config is unwrapped with line numbers still pointing into the original file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from obsctl.model.collector import (
    Node,
    Problem,
    YamlMap,
    YamlScalar,
    YamlSeq,
)
from obsctl.parsers.collector_yaml import YamlRefused, compose_yaml

COLLECTOR_KEYS = frozenset(
    {"receivers", "processors", "exporters", "connectors", "extensions", "service"}
)
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


def unwrap(doc: YamlMap, lines: Sequence[str], file: str) -> _Unwrapped | None:
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


def helm_defaults() -> dict[str, object]:
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


HELM_POD_ENV = ("MY_POD_IP",)
"""Variables the chart's pod template always sets (``MY_POD_IP`` from ``status.podIP``)."""


def helm_pod_env(doc: YamlMap) -> tuple[tuple[str, str | None], ...]:
    """The environment the chart gives the collector's pod: ``HELM_POD_ENV`` and the values'
    ``extraEnvs`` (``name`` with a literal ``value``, or ``None`` for ``valueFrom``)."""
    env: dict[str, str | None] = dict.fromkeys(HELM_POD_ENV)
    extra = doc.get("extraEnvs")
    for item in extra.items if isinstance(extra, YamlSeq) else ():
        if not isinstance(item, YamlMap):
            continue
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, YamlScalar) or not isinstance(name.value, str):
            continue
        literal = value.text if isinstance(value, YamlScalar) and value.value is not None else None
        env[name.value] = literal
    return tuple(env.items())


def is_helm_values(doc: YamlMap) -> bool:
    config = doc.get("config")
    if not isinstance(config, YamlMap) or any(k in COLLECTOR_KEYS for k in doc.entries):
        return False
    return any(k in _HELM_KEYS for k in doc.entries) or _looks_like_collector(config)
