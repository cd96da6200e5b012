"""``obsctl lint`` analysis: rules over parsed expositions and server statistics.

Pure functions only. ``lint_exposition`` runs every selected rule over an ``Exposition``;
``LintConfig.from_settings`` binds the ``lint:`` config section (``config.lint``) to the rule
catalogue; snapshot diffs are here too. Selection and baselines are the shared mechanism of
``analysis.catalogue``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from obsctl.analysis.catalogue import apply_baseline, baseline_key

# Import order is catalogue order (--list-rules, SARIF rule descriptors): cardinality first.
from obsctl.analysis.lint import cardinality, naming, structure
from obsctl.analysis.lint.registry import LINT, RULES, Hit, RuleSelection, define, resolve_rule
from obsctl.errors import ConfigError
from obsctl.model.budgets import Budgets
from obsctl.model.findings import Finding, Location, Severity
from obsctl.model.metric_families import Exposition, LintSummary, SnapshotDiff

__all__ = [
    "LINT",
    "RULES",
    "Budgets",
    "LintConfig",
    "RuleSelection",
    "apply_baseline",
    "baseline_key",
    "diff_expositions",
    "lint_exposition",
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

    selection: RuleSelection = field(default_factory=LINT.selection)
    budgets: Budgets = field(default_factory=Budgets)

    @classmethod
    def configured(
        cls,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severities: Sequence[tuple[str, Severity]] = (),
        budgets: Budgets | None = None,
        source: str = "config",
    ) -> LintConfig:
        """Bind a parsed ``lint:`` section (``config.lint.LintSettings``) to the lint rules.

        Raises:
            ConfigError: the section names rules that do not exist.
        """
        selection = LINT.selection(select=select, ignore=ignore, severities=dict(severities))
        bad = selection.validate()
        if bad:
            raise ConfigError(
                f"lint: unknown rule(s) {', '.join(bad)}",
                location=Location(source),
                hint="see `obsctl lint --help` and docs/lint.md for the lint: section",
            )
        return cls(selection, budgets or Budgets())

    def with_flags(self, *, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> LintConfig:
        """Flags replace the configured ``select`` and extend ``ignore``."""
        return replace(self, selection=self.selection.with_flags(select=select, ignore=ignore))


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
            hits.extend(cardinality.check_cardinality(fam, budgets))
    findings = config.selection.findings(hits, expo.source)
    findings.sort(key=lambda f: (f.location.line, f.location.col, f.rule_id, f.message))
    return findings


def summarize_exposition(expo: Exposition, *, limit: int = 10) -> LintSummary:
    """The per-input summary: totals and top metrics/labels."""
    metrics, labels = cardinality.top_entries(expo, limit)
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
