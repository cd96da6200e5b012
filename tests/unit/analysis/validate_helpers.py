"""Run the validator on inline YAML (shared by the rule tables)."""

from __future__ import annotations

from functools import cache

from obsctl.analysis.validate import validate_collector_config
from obsctl.analysis.validate.registry import Registry, build_registry
from obsctl.model.findings import Finding
from obsctl.parsers.collector_config import (
    ExpansionContext,
    expand_env,
    merge_documents,
    parse_collector_document,
)
from obsctl.workflows.validate import load_registry_data

BASE = """\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: localhost:4317
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 400
  batch: {}
exporters:
  otlp_grpc:
    endpoint: backend:4317
    tls:
      ca_file: ca.pem
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp_grpc]
"""


@cache
def registry(distribution: str = "any") -> Registry:
    return build_registry(load_registry_data(), distribution=distribution)


def run(
    *texts: str,
    env: dict[str, str] | None = None,
    strict: bool = False,
    distribution: str = "any",
    profiles: bool = False,
) -> list[Finding]:
    docs = [parse_collector_document(t, f"f{i}.yaml") for i, t in enumerate(texts)]
    config = merge_documents(docs)
    ctx = ExpansionContext(env=env or {}, strict=strict)
    if config.root is not None:
        expand_env(config.root, ctx)
    result = validate_collector_config(
        config, registry(distribution), problems=ctx.problems, profiles_gate=profiles
    )
    return list(result.findings)


def ids(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)
