"""Renderers for ``obsctl doctor``."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from obsctl.model.doctor import CheckStatus, DoctorReport
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json

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
        },
        consoles,
    )
