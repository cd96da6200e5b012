"""The ``OTC`` rule catalogue: stable IDs, names, default severities and why each exists.

Bands: ``OTC0xx`` YAML, ``OTC1xx`` structure and references (what ``otelcol validate``
rejects), ``OTC15x`` ``${…}`` references, ``OTC2xx`` components (registry, options),
``OTC3xx`` best practice, ``OTC9xx`` a real collector's verdict (``--otelcol``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obsctl.analysis.catalogue import Catalogue
from obsctl.model.findings import Finding, Location, RuleInfo, Severity

if TYPE_CHECKING:
    from obsctl.model.collector import Node

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO

_CORE = "https://github.com/open-telemetry/opentelemetry-collector/blob/main/"
_BP = "https://opentelemetry.io/docs/security/config-best-practices/"

VALIDATE = Catalogue("validate")
"""The ``validate`` rules (the shared rule framework: selection, baselines, ``--explain``)."""

RULES: dict[str, RuleInfo] = VALIDATE.rules
"""Every rule, by ID, in catalogue order."""

for _rule in (
    RuleInfo(
        "OTC000",
        "yaml-syntax",
        E,
        "The file is not valid YAML, or breaks a safety limit.",
        "The collector parses configs with go-yaml v3 and refuses the whole file on a "
        "syntax error, a tab used for indentation, or excessive aliasing.",
    ),
    RuleInfo(
        "OTC001",
        "duplicate-key",
        E,
        "A mapping defines the same key twice.",
        'go-yaml v3 rejects duplicate keys (`mapping key "k" already defined at line '
        "N`); most YAML tools silently keep the last one.",
    ),
    RuleInfo(
        "OTC100",
        "empty-config",
        E,
        "The configuration is empty.",
        "`otelcol validate` fails with `empty configuration file`.",
    ),
    RuleInfo(
        "OTC101",
        "invalid-keys",
        E,
        "A key the collector does not know.",
        "The collector decodes with ErrorUnused: unknown keys anywhere are errors "
        "(`'<path>' has invalid keys: …`).",
    ),
    RuleInfo(
        "OTC102",
        "not-a-mapping",
        E,
        "A section that must be a mapping is not.",
        "Component sections, each pipeline and `service` are maps.",
    ),
    RuleInfo(
        "OTC103",
        "invalid-id",
        E,
        "A component or pipeline ID is malformed.",
        "IDs are `type[/name]`: type `^[a-zA-Z][0-9a-zA-Z_]{0,62}$`, name without "
        "spaces, control or symbol characters (component/identifiable.go).",
    ),
    RuleInfo(
        "OTC104",
        "no-receivers-or-exporters",
        E,
        "No receiver or no exporter is configured.",
        "`no receiver configuration specified in config` / `no exporter …`.",
    ),
    RuleInfo(
        "OTC105",
        "no-pipelines",
        E,
        "`service.pipelines` is missing or empty.",
        "`service must have at least one pipeline`.",
    ),
    RuleInfo(
        "OTC106",
        "pipeline-incomplete",
        E,
        "A pipeline lacks a receiver or an exporter.",
        "Every pipeline needs at least one receiver and one exporter.",
    ),
    RuleInfo(
        "OTC107",
        "undefined-component",
        E,
        "A pipeline or `service.extensions` references an undefined component.",
        '`references receiver "x" which is not configured`.',
    ),
    RuleInfo(
        "OTC108",
        "duplicate-reference",
        E,
        "A component is listed twice in a pipeline.",
        '`references processor "x" multiple times` (processors); receivers and '
        "exporters listed twice are a warning.",
    ),
    RuleInfo(
        "OTC109",
        "list-expected",
        E,
        "A list of IDs was written as a scalar.",
        "`receivers: otlp, zipkin` is one string: `source data must be an array or "
        "slice, got string`. Write `[otlp, zipkin]`.",
    ),
    RuleInfo(
        "OTC110",
        "ambiguous-id",
        E,
        "An ID is both an exporter/receiver and a connector.",
        '`ambiguous ID: Found both "x" exporter and "x" connector`.',
    ),
    RuleInfo(
        "OTC111",
        "removed-key",
        E,
        "A key that was removed from the collector.",
        "e.g. `service.telemetry.metrics.address` (replaced by `readers`).",
    ),
    RuleInfo(
        "OTC112",
        "feature-gate-required",
        E,
        "A profiles pipeline without the `service.profilesSupport` feature gate.",
        "Profiles are alpha; pass `--feature-gates=service.profilesSupport`.",
    ),
    RuleInfo(
        "OTC113",
        "connector-unpaired",
        E,
        "A connector used on only one side, or with no supported signal pair.",
        "A connector must be an exporter in one pipeline and a receiver in another, "
        "with a signal pair its factory supports.",
    ),
    RuleInfo(
        "OTC114",
        "connector-cycle",
        E,
        "Connectors form a cycle between pipelines.",
        "The collector refuses graphs with cycles (`cycle detected: …`).",
    ),
    RuleInfo(
        "OTC115",
        "unused-component",
        W,
        "A component is defined but never used.",
        "Unused components are never started; remove them (config best practices).",
        _BP,
    ),
    RuleInfo(
        "OTC116",
        "telemetry-config",
        E,
        "Invalid `service.telemetry` settings.",
        "e.g. views require `metrics.level: detailed`.",
    ),
    RuleInfo(
        "OTC150",
        "unsupported-provider",
        E,
        "A `${scheme:…}` provider that is not built in.",
        '`scheme "x" is not supported for uri …`.',
    ),
    RuleInfo(
        "OTC151",
        "invalid-reference",
        E,
        "A malformed `${…}` reference.",
        "Invalid env names and `$` inside a uri are rejected by confmap.",
    ),
    RuleInfo(
        "OTC152",
        "unclosed-reference",
        W,
        "A `${` without a closing `}`.",
        "The text is kept as written, which is rarely what was meant.",
    ),
    RuleInfo(
        "OTC153",
        "bare-env-var",
        W,
        "A bare `$VAR`, which the collector no longer expands.",
        "Since the confmap.unifyEnvVarExpansion gate was removed only `${env:VAR}` "
        "expands; write `$$` for a literal dollar.",
    ),
    RuleInfo(
        "OTC154",
        "unresolved-env",
        W,
        "A referenced environment variable is not set.",
        "The collector substitutes an empty value. Error with `--strict-env`.",
    ),
    RuleInfo(
        "OTC200",
        "unknown-component",
        E,
        "A component type the distribution does not know.",
        '`unknown type: "x" for id: "x" (valid values: …)`.',
    ),
    RuleInfo(
        "OTC201",
        "deprecated-alias",
        W,
        "A component's old (deprecated) type name.",
        "Renamed components keep their old name as an alias; the collector logs "
        '`"<alias>" alias is deprecated; use "<type>" instead`.',
    ),
    RuleInfo(
        "OTC202",
        "signal-unsupported",
        E,
        "A component does not support the pipeline's signal.",
        '`failed to create "x" receiver for data type "traces": telemetry type is not supported`.',
    ),
    RuleInfo(
        "OTC203",
        "component-stability",
        N,
        "A component is in development/alpha, deprecated or unmaintained.",
        "Stability comes from the component's metadata.yaml; deprecated and "
        "unmaintained components are warnings.",
    ),
    RuleInfo(
        "OTC204",
        "not-in-distribution",
        E,
        "A known component that the chosen distribution does not include.",
        "Each distribution (core, contrib, k8s, otlp) ships a subset of components.",
    ),
    RuleInfo(
        "OTC205",
        "unknown-option",
        E,
        "An option the component does not have.",
        "Components decode with ErrorUnused: `'<path>' has invalid keys: …`.",
    ),
    RuleInfo(
        "OTC206",
        "invalid-option",
        E,
        "An option value the component rejects.",
        "e.g. a memory_limiter without a limit, an OTLP exporter without endpoint.",
    ),
    RuleInfo(
        "OTC300",
        "memory-limiter-first",
        W,
        "`memory_limiter` is not the first processor.",
        "The memory limiter must be first so that it can refuse data before other "
        "processors spend memory on it (processor/README.md, Recommended Processors).",
        _CORE + "processor/README.md",
    ),
    RuleInfo(
        "OTC301",
        "batching",
        W,
        "A pipeline without batching, or batch placed too early.",
        "Batch after memory_limiter and after sampling/filtering and context-dependent "
        "processors such as k8s_attributes: batching drops request context "
        "(processor/README.md, batchprocessor/README.md).",
        _CORE + "processor/batchprocessor/README.md",
    ),
    RuleInfo(
        "OTC302",
        "memory-limiter-missing",
        N,
        "A pipeline fed by receivers has no memory_limiter.",
        "Safeguard resource utilisation: use memory_limiter and batching on every "
        "pipeline (config best practices).",
        _BP,
    ),
    RuleInfo(
        "OTC303",
        "bind-all-interfaces",
        W,
        "A listener bound to all interfaces.",
        "Defaults are localhost since v0.104.0; binding 0.0.0.0 exposes the endpoint "
        "to every network (CWE-1327). In Kubernetes use ${env:MY_POD_IP}.",
        _BP,
    ),
    RuleInfo(
        "OTC304",
        "insecure-transport",
        W,
        "TLS disabled or unverified toward a non-loopback endpoint.",
        "Exporters MUST default to encrypted connections (security-best-practices.md).",
        _CORE + "docs/security-best-practices.md",
    ),
    RuleInfo(
        "OTC305",
        "plaintext-secret",
        W,
        "A credential written in the file.",
        "Store secrets outside the configuration: reference them as ${env:NAME}.",
        _BP,
    ),
    RuleInfo(
        "OTC306",
        "health-check-missing",
        W,
        "No health_check extension enabled.",
        "Kubernetes probes need it (the Helm chart makes it mandatory).",
        "https://github.com/open-telemetry/opentelemetry-helm-charts/blob/main/charts/"
        "opentelemetry-collector/values.yaml",
    ),
    RuleInfo(
        "OTC307",
        "debug-detailed",
        W,
        "The debug exporter at `verbosity: detailed` in a production pipeline.",
        "Detailed debug output logs every item: costly and may leak data.",
    ),
    RuleInfo(
        "OTC308",
        "tail-sampling",
        W,
        "A tail_sampling setup that will not work as meant.",
        "Policies need a name, a known type and its settings; span-derived metrics "
        "must be computed before sampling (tailsamplingprocessor/README.md).",
        "https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/main/"
        "processor/tailsamplingprocessor/README.md",
    ),
    RuleInfo(
        "OTC309",
        "localhost-in-container",
        W,
        "A receiver in a Kubernetes config listens on localhost only.",
        "Since v0.104.0 endpoints default to localhost; inside a pod that is unreachable "
        "from other pods and from the node. Bind to the pod IP (${env:MY_POD_IP}).",
        "https://github.com/open-telemetry/opentelemetry-collector/blob/main/CHANGELOG.md",
    ),
    RuleInfo(
        "OTC900",
        "otelcol-validate",
        E,
        "The real collector binary rejected the config.",
        "`--otelcol PATH` runs `otelcol validate` and reports its verdict.",
    ),
):
    VALIDATE.add(_rule)


def finding(
    rule_id: str,
    message: str,
    file: str,
    line: int = 0,
    col: int = 0,
    *,
    path: str = "",
    hint: str | None = None,
    subject: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``rule_id`` with the rule's default severity unless overridden."""
    rule = RULES[rule_id]
    return Finding(
        rule_id=rule_id,
        rule_name=rule.name,
        severity=severity or rule.severity,
        message=message,
        location=Location(file, line, col),
        hint=hint,
        subject=subject,
        path=path,
    )


def finding_at(
    rule_id: str,
    message: str,
    node: Node,
    *,
    path: str = "",
    hint: str | None = None,
    subject: str = "",
    severity: Severity | None = None,
) -> Finding:
    """:func:`finding` located at ``node``'s file, line and column."""
    return finding(
        rule_id,
        message,
        node.file,
        node.line,
        node.col,
        path=path,
        hint=hint,
        subject=subject,
        severity=severity,
    )
