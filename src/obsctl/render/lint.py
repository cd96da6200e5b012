"""Renderers for ``obsctl lint`` results other than the findings themselves.

Findings go through ``render.findings``; this module draws the per-input cardinality summary
(shown after the findings in text output), the rule catalogue (``--list-rules``), rule
explanations (``--explain``) and the ``--diff`` summary.
"""

from __future__ import annotations

import dataclasses

from rich.console import Console
from rich.table import Table
from rich.text import Text

from obsctl.model.metric_families import (
    CountEntry,
    LintSummary,
    RuleCatalog,
    RuleExplanation,
    SnapshotDiff,
)
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json

_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@renderer(LintSummary, "text")
def render_lint_summary_text(summary: LintSummary, consoles: Consoles) -> None:
    """Totals and the top metrics/labels of one input."""
    out = consoles.out
    head = Text(summary.input, style="bold")
    if summary.format == "server":
        head.append(f"  {summary.families:,} metrics, {summary.series:,} series (head block)")
    else:
        head.append(
            f"  {summary.format}, {summary.families:,} families, {summary.samples:,} samples, "
            f"{summary.series:,} series"
        )
    out.print(head, soft_wrap=True)
    for note in summary.notes:
        out.print(Text(f"  note: {note}", style="dim"), soft_wrap=True)
    if not summary.top_metrics and not summary.top_labels:
        out.print()
        return
    _top_table(out, "top metrics", "series", summary.top_metrics)
    if summary.top_metrics and summary.top_labels:
        out.print()
    _top_table(out, "top labels", "values", summary.top_labels)
    out.print()


def _top_table(out: Console, title: str, unit: str, entries: tuple[CountEntry, ...]) -> None:
    """One ranked list; stacked (not side by side) so long names fit 80 columns."""
    if not entries:
        return
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1, 0, 2))
    table.add_column(title, overflow="fold", ratio=1)
    table.add_column(unit, justify="right", no_wrap=True)
    for entry in entries:
        table.add_row(Text(entry.name), f"{entry.count:,}")
    out.print(table)


@renderer(SnapshotDiff, "text")
def render_diff_text(diff: SnapshotDiff, consoles: Consoles) -> None:
    """New/removed metrics, new labels and the largest series growth."""
    out = consoles.out
    out.print(Text(f"{diff.base} → {diff.head}", style="bold"), soft_wrap=True)
    out.print(
        Text(
            f"  {len(diff.new_metrics)} new metrics, {len(diff.removed_metrics)} removed, "
            f"{len(diff.new_labels)} new labels, {len(diff.growth)} metrics grew"
        )
    )
    for name, before, after in diff.growth[:10]:
        out.print(Text(f"  {name}: {before:,} → {after:,} series"), soft_wrap=True)
    out.print()


@renderer(RuleCatalog, "text")
def render_rules_text(catalog: RuleCatalog, consoles: Consoles) -> None:
    """One line per rule: ID, severity, name, summary (disabled rules dimmed)."""
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 0))
    table.add_column("ID", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for r in catalog.rules:
        sev = Text(r.severity, style=_SEV_STYLE.get(r.severity, ""))
        if r.severity != r.default_severity:
            sev.append("*")
        style = "" if r.enabled else "dim"
        table.add_row(
            Text(r.rule_id, style=style or "bold"),
            sev if r.enabled else Text("off", style="dim"),
            Text(r.name, style=style),
            Text(r.summary, style=style),
        )
    consoles.out.print(table)


@renderer(RuleCatalog, "json")
def render_rules_json(catalog: RuleCatalog, consoles: Consoles) -> None:
    """``{"schema_version", "rules": [{rule_id, name, default_severity, severity, …}]}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "rules": [dataclasses.asdict(r) for r in catalog.rules],
        },
        consoles,
    )


@renderer(RuleExplanation, "text")
def render_explain_text(rule: RuleExplanation, consoles: Consoles) -> None:
    """The rule's header line and its explanation."""
    out = consoles.out
    head = Text(f"{rule.rule_id} {rule.name}", style="bold")
    head.append(f"  ({rule.severity})", style=_SEV_STYLE.get(rule.severity, ""))
    out.print(head)
    out.print(Text(rule.summary))
    out.print()
    out.print(Text(rule.explanation), soft_wrap=False)


@renderer(RuleExplanation, "json")
def render_explain_json(rule: RuleExplanation, consoles: Consoles) -> None:
    """The explanation as one JSON object."""
    write_json({"schema_version": SCHEMA_VERSION, **dataclasses.asdict(rule)}, consoles)
