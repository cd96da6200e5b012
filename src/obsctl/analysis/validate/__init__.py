"""Offline validation of OpenTelemetry Collector configs: every problem at once.

``validate_collector_config`` runs the checks ``otelcol validate`` performs (structure,
references, component types and options, connectors, signals), plus best-practice rules, over
a located config tree and returns findings sorted by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from obsctl.analysis.validate.best_practice import check_best_practices
from obsctl.analysis.validate.components import collect_components
from obsctl.analysis.validate.pipelines import (
    TOP_LEVEL,
    check_keys,
    check_references,
    read_pipelines,
)
from obsctl.analysis.validate.registry import Registry
from obsctl.analysis.validate.rules import RULES, finding, finding_at
from obsctl.model.collector import (
    CollectorConfig,
    PipelineGraph,
    PipelineView,
    Problem,
    YamlMap,
    is_null,
)
from obsctl.model.findings import Finding, Severity

__all__ = ["RULES", "ValidationResult", "problem_to_finding", "validate_collector_config"]


class ValidationResult(NamedTuple):
    """Findings, sorted, and the pipeline graph (``None`` when the config did not parse)."""

    findings: tuple[Finding, ...]
    graph: PipelineGraph | None


def problem_to_finding(problem: Problem) -> Finding:
    """A parser ``Problem`` as a finding of its rule."""
    return finding(
        problem.rule_id,
        problem.message,
        problem.file,
        problem.line,
        problem.col,
        path=problem.path,
        hint=problem.hint,
        severity=Severity.parse(problem.severity) if problem.severity else None,
    )


def _sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.location.file, f.location.line, f.location.col, f.rule_id, f.message)


def validate_collector_config(
    config: CollectorConfig,
    registry: Registry,
    *,
    problems: Sequence[Problem] = (),
    profiles_gate: bool = False,
) -> ValidationResult:
    """Validate the merged config.

    Args:
        config: the merged inputs (``parsers.collector_config.merge_documents``).
        registry: the component registry for the chosen distribution.
        problems: extra parser problems (``${…}`` expansion) to report.
        profiles_gate: the ``service.profilesSupport`` feature gate is enabled.

    Returns:
        Every finding, sorted by file, line and column, and the pipeline graph.
    """
    found: list[Finding] = []
    for doc in config.documents:
        found.extend(problem_to_finding(p) for p in doc.problems)
    found.extend(problem_to_finding(p) for p in problems)
    root = config.root
    fatal = any(f.rule_id == "OTC000" for f in found)
    if root is None or not root.entries:
        if not fatal:
            first = config.documents[0].file if config.documents else "-"
            line = root.line if root is not None else 0
            if not any(f.rule_id == "OTC102" and f.severity is Severity.ERROR for f in found):
                found.append(
                    finding(
                        "OTC100",
                        "empty configuration file",
                        first,
                        line,
                        0,
                        hint="a config needs receivers, exporters and service.pipelines",
                    )
                )
        return ValidationResult(tuple(sorted(found, key=_sort_key)), None)

    found.extend(check_keys(root, TOP_LEVEL, "", ""))
    declared, component_findings = collect_components(root, registry)
    found.extend(component_findings)
    for kind, what in (("receivers", "receiver"), ("exporters", "exporter")):
        section = root.get(kind)
        empty_map = isinstance(section, YamlMap) and not section.entries
        if not declared[kind] and (is_null(section) or empty_map):
            at = root.key_node(kind) or root
            found.append(
                finding_at(
                    "OTC104",
                    f"no {what} configuration specified in config",
                    at,
                    path=kind,
                )
            )
    pipelines, ext_refs, pipeline_findings, _service = read_pipelines(
        root, profiles_gate=profiles_gate
    )
    found.extend(pipeline_findings)
    found.extend(check_references(root, declared, pipelines, ext_refs, registry))
    found.extend(
        check_best_practices(root, declared, pipelines, [r.id for r in ext_refs], config.wrappers)
    )
    graph = PipelineGraph(
        pipelines=tuple(
            PipelineView(
                p.id,
                tuple(r.id for r in p.receivers),
                tuple(r.id for r in p.processors),
                tuple(r.id for r in p.exporters),
            )
            for p in pipelines
        ),
        connectors=tuple(declared["connectors"]),
        extensions=tuple(r.id for r in ext_refs),
    )
    return ValidationResult(tuple(sorted(found, key=_sort_key)), graph)
