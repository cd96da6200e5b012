"""Renderers for ``obsctl lint`` results other than the findings themselves.

Findings go through ``render.findings`` and the rule catalogue through ``render.catalogue``;
this module draws the per-input cardinality summary (shown after the findings in text output)
and the ``--diff`` summary.
"""

from __future__ import annotations

from rich.text import Text

from obsctl.model.metric_families import CountEntry, LintSummary, SnapshotDiff
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.table import PlainTable, fit_width, write_lines


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
    _top_table(consoles, "top metrics", "series", summary.top_metrics)
    if summary.top_metrics and summary.top_labels:
        out.print()
    _top_table(consoles, "top labels", "values", summary.top_labels)
    out.print()


def _top_table(consoles: Consoles, title: str, unit: str, entries: tuple[CountEntry, ...]) -> None:
    """One ranked list; stacked (not side by side) so long names fit a terminal (they give
    up width there), and stay whole in a pipe (one line each, for ``grep``)."""
    if not entries:
        return
    table = PlainTable([title, unit], right=[False, True], shrink=[True, False])
    for entry in entries:
        table.add([entry.name, f"{entry.count:,}"])
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


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
