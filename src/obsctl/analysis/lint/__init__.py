"""``obsctl lint`` analysis: rules over parsed expositions and server statistics.

Pure functions only. ``lint_exposition`` runs every selected rule over an ``Exposition``;
``load_lint_config`` turns the ``lint:`` config section into a ``LintConfig``; baselines and
snapshot diffs are here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from obsctl.analysis.lint import cardinality, naming, structure
from obsctl.analysis.lint.cardinality import Budgets, Threshold, check_cardinality, top_entries
from obsctl.analysis.lint.registry import (
    RULES,
    Hit,
    RuleSelection,
    define,
    make_selection,
    resolve_rule,
)
from obsctl.errors import ConfigError
from obsctl.model.findings import Finding, Location, Severity
from obsctl.model.metric_families import Exposition, LintSummary, SnapshotDiff

__all__ = [
    "RULES",
    "Budgets",
    "LintConfig",
    "RuleSelection",
    "apply_baseline",
    "baseline_key",
    "diff_expositions",
    "lint_exposition",
    "load_lint_config",
    "merge_sections",
    "resolve_rule",
    "summarize_exposition",
]

NEW_METRIC = define(
    "OBS401",
    "new-metric",
    Severity.INFO,
    "a metric exists in HEAD but not in BASE",
    """
    `obsctl lint --diff BASE HEAD` lists metrics that a change adds, so that reviewers see new
    series before they reach production.
    """,
)
NEW_LABEL = define(
    "OBS402",
    "new-label",
    Severity.WARNING,
    "a metric gained a label between BASE and HEAD",
    """
    A new label multiplies the metric's series by its number of values, and it breaks queries
    and recording rules that aggregate `by (...)` or match on the old label set.
    """,
)
SERIES_GROWTH = define(
    "OBS403",
    "series-growth",
    Severity.ERROR,
    "a metric's series grew beyond the growth budget between BASE and HEAD",
    """
    The metric has more series in HEAD than in BASE, by more than `budgets.growth.percent`
    (default 20 %) and more than `budgets.growth.min` series (default 100). New metrics count
    from zero.
    """,
)
REMOVED_METRIC = define(
    "OBS404",
    "removed-metric",
    Severity.INFO,
    "a metric exists in BASE but not in HEAD",
    """
    Dashboards, alerts and recording rules that use a removed metric go silent. Check that
    nothing depends on it.
    """,
)


@dataclass(frozen=True, slots=True)
class LintConfig:
    """Rule selection and budgets, from config files and flags."""

    selection: RuleSelection = field(default_factory=RuleSelection)
    budgets: Budgets = field(default_factory=Budgets)

    def with_flags(self, *, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> LintConfig:
        """Flags replace the configured ``select`` and extend ``ignore``."""
        sel = self.selection
        return replace(
            self,
            selection=RuleSelection(
                select=tuple(select) or sel.select,
                ignore=(*sel.ignore, *ignore),
                severities=sel.severities,
            ),
        )


def lint_exposition(expo: Exposition, config: LintConfig) -> list[Finding]:
    """Run every selected rule over ``expo``.

    Returns:
        Findings sorted by line, column and rule.
    """
    om = expo.format == "openmetrics"
    budgets = config.budgets
    hits: list[Hit] = list(structure.parse_problems(expo))
    for fam in expo.families:
        if not fam.sample_count and not fam.declared:
            continue
        hits.extend(structure.check_structure(fam, om))
        if fam.sample_count:
            hits.extend(naming.check_naming(fam, om))
            hits.extend(check_cardinality(fam, budgets))
    findings = config.selection.findings(hits, expo.source)
    findings.sort(key=lambda f: (f.location.line, f.location.col, f.rule_id, f.message))
    return findings


def summarize_exposition(expo: Exposition, *, limit: int = 10) -> LintSummary:
    """The per-input summary: totals and top metrics/labels."""
    metrics, labels = top_entries(expo, limit)
    notes: tuple[str, ...] = (f"parsing stopped early: {expo.stopped}",) if expo.stopped else ()
    if any(f.saturated or any(st.saturated for st in f.labels.values()) for f in expo.families):
        notes += ("some counts reached the counting limit and are lower bounds",)
    return LintSummary(
        input=expo.source,
        format=expo.format,
        families=sum(1 for f in expo.families if f.sample_count),
        samples=expo.sample_count,
        series=expo.series_count,
        top_metrics=metrics,
        top_labels=labels,
        notes=notes,
    )


# ---------------------------------------------------------------------------- config


def merge_sections(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two ``lint:`` sections; ``override`` wins (the project file over the user's).

    >>> merge_sections({"budgets": {"buckets": 10, "series": 5}}, {"budgets": {"buckets": 20}})
    {'budgets': {'buckets': 20, 'series': 5}}
    """
    out: dict[str, Any] = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_sections(out[key], value)
        else:
            out[key] = value
    return out


def _err(source: str, path: str, message: str) -> ConfigError:
    return ConfigError(
        f"{path}: {message}",
        location=Location(source),
        hint="see `obsctl lint --help` and docs/lint.md for the lint: section",
    )


def _int(value: object, source: str, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _err(source, path, f"expected a non-negative number, got {value!r}")
    return int(value)


def _threshold(value: object, default: Threshold, source: str, path: str) -> Threshold:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Threshold(default.warn, _int(value, source, path))
    if not isinstance(value, Mapping):
        raise _err(source, path, "expected {warn: N, error: N} or a number")
    unknown = set(value) - {"warn", "error"}
    if unknown:
        raise _err(source, path, f"unknown key(s) {sorted(unknown)}; expected warn, error")
    return Threshold(
        _int(value.get("warn"), source, f"{path}.warn") if "warn" in value else default.warn,
        _int(value.get("error"), source, f"{path}.error") if "error" in value else default.error,
    )


def _str_list(value: object, source: str, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(source, path, "expected a list of rule IDs, prefixes or names")
    return tuple(value)


def load_lint_config(section: object, *, source: str = "config") -> LintConfig:
    """Validate a ``lint:`` section (already YAML-decoded) into a ``LintConfig``.

    Raises:
        ConfigError: unknown keys, bad values or unknown rules, with the dotted key path.
    """
    if section is None:
        return LintConfig()
    if not isinstance(section, Mapping):
        raise _err(source, "lint", "expected a mapping")
    known = {"select", "ignore", "severity", "budgets", "exempt_labels", "name_validation"}
    unknown = set(section) - known
    if unknown:
        raise _err(source, "lint", f"unknown key(s) {sorted(unknown)}; expected {sorted(known)}")
    select = _str_list(section.get("select"), source, "lint.select")
    ignore = _str_list(section.get("ignore"), source, "lint.ignore")
    sev_raw = section.get("severity") or {}
    if not isinstance(sev_raw, Mapping):
        raise _err(source, "lint.severity", "expected a mapping of rule → error|warning|info")
    severities: dict[str, Severity] = {}
    for key, value in sev_raw.items():
        try:
            severities[str(key)] = Severity.parse(str(value))
        except ValueError:
            raise _err(
                source, f"lint.severity.{key}", f"unknown severity {value!r} (error|warning|info)"
            ) from None
    scheme = section.get("name_validation", "utf8")
    if scheme not in ("utf8", "legacy"):
        raise _err(source, "lint.name_validation", f"expected utf8 or legacy, got {scheme!r}")
    if scheme == "legacy":
        # As Prometheus' metric_name_validation_scheme: legacy (and every 2.x scraper):
        # quoted UTF-8 names are errors. An explicit severity for the rule still wins.
        severities.setdefault(naming.UTF8_NAME.rule_id, Severity.ERROR)
    selection = make_selection(select=select, ignore=ignore, severities=severities)
    bad = selection.validate()
    if bad:
        raise _err(source, "lint", f"unknown rule(s) {', '.join(bad)}")
    budgets = _budgets(section.get("budgets"), source)
    exempt = section.get("exempt_labels")
    if exempt is not None:
        budgets = replace(
            budgets,
            exempt_labels=frozenset(_str_list(exempt, source, "lint.exempt_labels"))
            | cardinality.EXEMPT_LABELS,
        )
    return LintConfig(selection, budgets)


def _budgets(raw: object, source: str) -> Budgets:
    b = Budgets()
    if raw is None:
        return b
    if not isinstance(raw, Mapping):
        raise _err(source, "lint.budgets", "expected a mapping")
    known = {
        "series",
        "label_values",
        "label_value_length",
        "buckets",
        "metrics",
        "labels",
        "server",
        "growth",
    }
    unknown = set(raw) - known
    if unknown:
        raise _err(source, "lint.budgets", f"unknown key(s) {sorted(unknown)}")
    p = "lint.budgets"
    if "series" in raw:
        b = replace(b, series=_threshold(raw["series"], b.series, source, f"{p}.series"))
    if "label_values" in raw:
        b = replace(
            b,
            label_values=_threshold(
                raw["label_values"], b.label_values, source, f"{p}.label_values"
            ),
        )
    if "label_value_length" in raw:
        b = replace(
            b,
            label_value_length=_int(raw["label_value_length"], source, f"{p}.label_value_length")
            or b.label_value_length,
        )
    if "buckets" in raw:
        b = replace(b, buckets=_int(raw["buckets"], source, f"{p}.buckets") or b.buckets)
    metrics: dict[str, tuple[Threshold | None, Threshold | None]] = {}
    for name, spec in (raw.get("metrics") or {}).items():
        mp = f"{p}.metrics.{name}"
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            metrics[str(name)] = (_threshold(spec, b.series, source, mp), None)
            continue
        if not isinstance(spec, Mapping) or set(spec) - {"series", "label_values"}:
            raise _err(source, mp, "expected {series: …, label_values: …}")
        metrics[str(name)] = (
            _threshold(spec["series"], b.series, source, f"{mp}.series")
            if "series" in spec
            else None,
            _threshold(spec["label_values"], b.label_values, source, f"{mp}.label_values")
            if "label_values" in spec
            else None,
        )
    labels = {
        str(name): _threshold(spec, b.label_values, source, f"{p}.labels.{name}")
        for name, spec in (raw.get("labels") or {}).items()
    }
    b = replace(b, metrics=metrics, labels=labels)
    server = raw.get("server")
    if server is not None:
        if not isinstance(server, Mapping) or set(server) - {"series", "label_values"}:
            raise _err(source, f"{p}.server", "expected {series: …, label_values: …}")
        if "series" in server:
            b = replace(
                b,
                server_series=_threshold(
                    server["series"], b.server_series, source, f"{p}.server.series"
                ),
            )
        if "label_values" in server:
            b = replace(
                b,
                server_label_values=_threshold(
                    server["label_values"],
                    b.server_label_values,
                    source,
                    f"{p}.server.label_values",
                ),
            )
    growth = raw.get("growth")
    if growth is not None:
        if not isinstance(growth, Mapping) or set(growth) - {"percent", "min"}:
            raise _err(source, f"{p}.growth", "expected {percent: N, min: N}")
        b = replace(
            b,
            growth_percent=float(
                _int(growth.get("percent"), source, f"{p}.growth.percent") or b.growth_percent
            )
            if "percent" in growth
            else b.growth_percent,
            growth_min=_int(growth.get("min"), source, f"{p}.growth.min") or 0
            if "min" in growth
            else b.growth_min,
        )
    return b


# ---------------------------------------------------------------------------- baseline


def baseline_key(f: Finding) -> str:
    """A finding's identity for baselines: rule, input and subject (not line or counts).

    Counts and line numbers change from run to run; a baseline that accepted "metric x has
    many series" keeps accepting it while it stays in the same rule.
    """
    subject = f.subject or f.message
    return f"{f.rule_id}|{f.location.file}|{subject}"


def apply_baseline(findings: Iterable[Finding], accepted: set[str]) -> list[Finding]:
    """Findings whose ``baseline_key`` is not in ``accepted``."""
    return [f for f in findings if baseline_key(f) not in accepted]


# ---------------------------------------------------------------------------- diff


def diff_expositions(
    base: Exposition, head: Exposition, config: LintConfig
) -> tuple[list[Finding], SnapshotDiff]:
    """Compare two snapshots: new/removed metrics, new labels, series growth.

    Findings are located in HEAD (the family's first line); removed metrics in BASE.
    """
    budgets = config.budgets
    base_fams = {f.name: f for f in base.families if f.sample_count}
    head_fams = {f.name: f for f in head.families if f.sample_count}
    hits_head: list[Hit] = []
    hits_base: list[Hit] = []
    new_labels: list[str] = []
    growth: list[tuple[str, int, int]] = []
    for name, fam in head_fams.items():
        old = base_fams.get(name)
        before = old.series_count if old is not None else 0
        after = fam.series_count
        if old is None:
            hits_head.append(
                Hit(
                    NEW_METRIC,
                    f"new metric {name} ({after:,} series)",
                    fam.line,
                    name,
                    None,
                    0,
                    fam.first_text,
                )
            )
        else:
            for lname, st in fam.labels.items():
                if lname not in old.labels:
                    new_labels.append(f"{name}{{{lname}}}")
                    hits_head.append(
                        Hit(
                            NEW_LABEL,
                            f"{name} gained label {lname!r} ({st.distinct:,} values)",
                            st.first_line,
                            f"{name}{{{lname}}}",
                            "check queries and recording rules that aggregate this metric",
                            0,
                            st.first_text,
                        )
                    )
        if after > before:
            growth.append((name, before, after))
            delta = after - before
            percent = 100.0 * delta / before if before else float("inf")
            if delta > budgets.growth_min and percent > budgets.growth_percent:
                pct = f"+{percent:.0f} %" if before else "new"
                hits_head.append(
                    Hit(
                        SERIES_GROWTH,
                        f"{name} grew from {before:,} to {after:,} series ({pct}; budget "
                        f"+{budgets.growth_percent:g} % and {budgets.growth_min:,} series)",
                        fam.line,
                        name,
                        "find the label that grew with `obsctl lint HEAD` (top labels)",
                        0,
                        fam.first_text,
                    )
                )
    removed = [n for n in base_fams if n not in head_fams]
    for name in removed:
        fam = base_fams[name]
        hits_base.append(
            Hit(
                REMOVED_METRIC,
                f"metric {name} was removed",
                fam.line,
                name,
                None,
                0,
                fam.first_text,
            )
        )
    sel = config.selection
    findings = sel.findings(hits_head, head.source) + sel.findings(hits_base, base.source)
    diff = SnapshotDiff(
        base=base.source,
        head=head.source,
        new_metrics=tuple(n for n in head_fams if n not in base_fams),
        removed_metrics=tuple(removed),
        new_labels=tuple(new_labels),
        growth=tuple(sorted(growth, key=lambda g: (-(g[2] - g[1]), g[0]))),
    )
    return findings, diff
