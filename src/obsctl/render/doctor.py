"""Renderers for ``obsctl doctor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from obsctl.model.doctor import CheckStatus, DoctorReport, PipelineReport, PipelineStatus
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from obsctl.analysis.pipeline import CheckSpec

_STYLE = {
    CheckStatus.OK: ("✓ ok", "green"),
    CheckStatus.DEGRADED: ("! degraded", "yellow"),
    CheckStatus.UNREACHABLE: ("✗ unreachable", "red"),
    CheckStatus.ERROR: ("✗ error", "red"),
}


@renderer(DoctorReport, "text")
def render_doctor_text(report: DoctorReport, consoles: Consoles) -> None:
    """One table row per endpoint, then details (capabilities, health, errors)."""
    out = consoles.out
    ctx = report.context or "(none)"
    out.print(Text(f"context: {ctx}", style="bold"))
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("ENDPOINT", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("LATENCY", justify="right", no_wrap=True)
    table.add_column("VERSION", no_wrap=True)
    table.add_column("URL", overflow="fold")
    for c in report.checks:
        label, style = _STYLE[c.status]
        latency = f"{c.latency_ms:.0f} ms" if c.latency_ms is not None else "-"
        version = c.version or "-"
        if c.flavor and c.flavor not in ("prometheus", "unknown"):
            version = f"{version} ({c.flavor})"
        table.add_row(Text(c.kind), Text(label, style=style), latency, Text(version), Text(c.url))
    out.print(table)
    for c in report.checks:
        details = Table.grid(padding=(0, 1))
        details.add_column(no_wrap=True, style="dim")
        details.add_column(overflow="fold")
        if c.capabilities:
            caps = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in c.capabilities.items())
            details.add_row("capabilities", Text(caps))
        for key, value in c.stats.items():
            details.add_row(key.replace("_", " "), f"{value:,}")
        for line in c.health:
            details.add_row("health", Text(line, style="yellow"))
        if c.error:
            details.add_row("error", Text(c.error, style="red"))
        if c.hint:
            details.add_row("hint", Text(c.hint, style="cyan"))
        if details.row_count:
            out.print(Text(f"\n{c.kind} ({c.source})", style="bold"))
            out.print(details)
    if report.pipeline is not None:
        _render_pipeline_text(report.pipeline, consoles)


_PIPELINE_STYLE = {
    PipelineStatus.OK: ("✓ ok", "green"),
    PipelineStatus.DEGRADED: ("! degraded", "yellow"),
    PipelineStatus.FAILING: ("✗ failing", "red"),
}


def pipeline_summary(report: PipelineReport) -> str:
    """``2 failing, 1 degraded, 13 ok`` (``nothing to check`` when empty)."""
    counts = {s: sum(c.status is s for c in report.checks) for s in PipelineStatus}
    summary = ", ".join(f"{counts[s]} {s.value}" for s in reversed(PipelineStatus) if counts[s])
    return summary or "nothing to check"


def pipeline_view(report: PipelineReport) -> Group:
    """The pipeline section as a Rich renderable (``doctor`` prints it; the TUI shows it):
    problems one by one, worst first, with their hints; the ok checks counted; the notes."""
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True)
    rows.add_column(overflow="fold")
    order = {PipelineStatus.FAILING: 0, PipelineStatus.DEGRADED: 1}
    problems = sorted(
        (c for c in report.checks if c.status is not PipelineStatus.OK),
        key=lambda c: order[c.status],
    )
    for c in problems:
        label, style = _PIPELINE_STYLE[c.status]
        rows.add_row(Text(label, style=style), Text(f"{c.component} {c.instance}: {c.message}"))
        if c.hint:
            rows.add_row("", Text(f"hint: {c.hint}", style="cyan"))
    ok = [c for c in report.checks if c.status is PipelineStatus.OK]
    if ok:
        per: dict[str, int] = {}
        for c in ok:
            per[c.component] = per.get(c.component, 0) + 1
        parts = ", ".join(f"{k} {n}" for k, n in per.items())
        label, style = _PIPELINE_STYLE[PipelineStatus.OK]
        rows.add_row(Text(label, style=style), Text(f"{len(ok)} checks ({parts})"))
    for note in report.notes:
        rows.add_row(Text("note", style="dim"), Text(note))
    title = Text(f"pipeline over {report.window}: {pipeline_summary(report)}", "bold")
    return Group(title, rows) if rows.row_count else Group(title)


def _render_pipeline_text(report: PipelineReport, consoles: Consoles) -> None:
    consoles.out.print()
    consoles.out.print(pipeline_view(report))


def _pipeline_json(report: PipelineReport) -> dict[str, object]:
    return {
        "window": report.window,
        "status": report.worst().value,
        "checks": [
            {
                "component": c.component,
                "instance": c.instance,
                "check": c.check,
                "status": c.status.value,
                "value": c.value,
                "threshold": c.threshold,
                "message": c.message,
                "hint": c.hint,
                "labels": dict(c.labels),
            }
            for c in report.checks
        ],
        "notes": list(report.notes),
    }


def render_check_list(specs: Sequence[CheckSpec], fmt: str, consoles: Consoles) -> None:
    """``doctor --list-checks``: every pipeline check, its thresholds and its query."""
    if fmt == "json":
        write_json(
            {
                "schema_version": SCHEMA_VERSION,
                "checks": [
                    {
                        "check": s.key,
                        "unit": s.unit,
                        "direction": s.thresholds.direction,
                        "degraded": s.thresholds.degraded,
                        "failing": s.thresholds.failing,
                        "query": s.expr,
                        "message": s.what,
                        "hint": s.hint,
                    }
                    for s in specs
                ],
            },
            consoles,
        )
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("CHECK", no_wrap=True)
    table.add_column("DEGRADED", justify="right", no_wrap=True)
    table.add_column("FAILING", justify="right", no_wrap=True)
    table.add_column("WHEN", no_wrap=True)

    def level(x: float | None) -> str:
        return "-" if x is None else f"{x:g}"

    for s in specs:
        table.add_row(
            Text(s.key),
            level(s.thresholds.degraded),
            level(s.thresholds.failing),
            f"{s.thresholds.direction} ({s.unit})",
        )
    consoles.out.print(table)


@renderer(DoctorReport, "json")
def render_doctor_json(report: DoctorReport, consoles: Consoles) -> None:
    """The report as JSON."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "context": report.context,
            "endpoints": [
                {
                    "kind": c.kind,
                    "url": c.url,
                    "source": c.source,
                    "status": c.status.value,
                    "latency_ms": c.latency_ms,
                    "version": c.version,
                    "flavor": c.flavor,
                    "capabilities": c.capabilities,
                    "stats": c.stats,
                    "health": list(c.health),
                    "error": c.error,
                    "hint": c.hint,
                }
                for c in report.checks
            ],
            "pipeline": None if report.pipeline is None else _pipeline_json(report.pipeline),
        },
        consoles,
    )
