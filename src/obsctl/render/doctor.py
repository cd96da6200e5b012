"""Renderers for ``obsctl doctor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from obsctl.model.doctor import CheckStatus, DoctorReport, PipelineReport, PipelineStatus
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json
from obsctl.render.table import PlainTable, align, fit_width, write_lines, write_text_lines

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
    """One table row per endpoint, then details (capabilities, health, errors).

    Off a terminal lines are never wrapped nor padded (an error message piped to a file
    stays one line); on one, a long message wraps under its column (``render.table.align``)."""
    ctx = report.context or "(none)"
    lines = [Text(f"context: {ctx}", style="bold")]
    rows: list[list[Text | str]] = [
        [Text(h, style="bold") for h in ("ENDPOINT", "STATUS", "LATENCY", "VERSION", "URL")]
    ]
    for c in report.checks:
        label, style = _STYLE[c.status]
        latency = f"{c.latency_ms:.0f} ms" if c.latency_ms is not None else "-"
        version = c.version or "-"
        if c.flavor and c.flavor not in ("prometheus", "unknown"):
            version = f"{version} ({c.flavor})"
        rows.append([c.kind, Text(label, style=style), latency, version, c.url])
    width = fit_width(consoles)
    lines += align(rows, right=(2,), width=width)
    for c in report.checks:
        details: list[tuple[str, Text | str]] = []
        if c.capabilities:
            caps = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in c.capabilities.items())
            details.append(("capabilities", caps))
        details += [(key.replace("_", " "), f"{value:,}") for key, value in c.stats.items()]
        details += [("health", Text(line, style="yellow")) for line in c.health]
        if c.error:
            details.append(("error", Text(c.error, style="red")))
        if c.hint:
            details.append(("hint", Text(c.hint, style="cyan")))
        if details:
            lines += [Text(), Text(f"{c.kind} ({c.source})", style="bold")]
            rows = [[Text(key, style="dim"), value] for key, value in details]
            lines += align(rows, gap=1, width=width)
    if report.pipeline is not None:
        lines += [Text(), *pipeline_lines(report.pipeline, width)]
    write_text_lines(consoles, lines)


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


def pipeline_lines(report: PipelineReport, width: int | None = None) -> list[Text]:
    """The pipeline section as lines (``doctor`` prints them; the TUI shows them): problems
    one by one, worst first, with their hints; the ok checks counted; the notes. ``width``
    as ``render.table.align``'s."""
    rows: list[list[Text | str]] = []
    order = {PipelineStatus.FAILING: 0, PipelineStatus.DEGRADED: 1}
    problems = sorted(
        (c for c in report.checks if c.status is not PipelineStatus.OK),
        key=lambda c: order[c.status],
    )
    for c in problems:
        label, style = _PIPELINE_STYLE[c.status]
        rows.append([Text(label, style=style), f"{c.component} {c.instance}: {c.message}"])
        if c.hint:
            rows.append(["", Text(f"hint: {c.hint}", style="cyan")])
    ok = [c for c in report.checks if c.status is PipelineStatus.OK]
    if ok:
        per: dict[str, int] = {}
        for c in ok:
            per[c.component] = per.get(c.component, 0) + 1
        parts = ", ".join(f"{k} {n}" for k, n in per.items())
        label, style = _PIPELINE_STYLE[PipelineStatus.OK]
        rows.append([Text(label, style=style), f"{len(ok)} checks ({parts})"])
    for note in report.notes:
        rows.append([Text("note", style="dim"), note])
    title = Text(f"pipeline over {report.window}: {pipeline_summary(report)}", "bold")
    return [title, *align(rows, gap=1, width=width)]


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
    table = PlainTable(
        ["CHECK", "DEGRADED", "FAILING", "WHEN"], [False, True, True, False], [False] * 4
    )

    def level(x: float | None) -> str:
        return "-" if x is None else f"{x:g}"

    for s in specs:
        table.add(
            [
                s.key,
                level(s.thresholds.degraded),
                level(s.thresholds.failing),
                f"{s.thresholds.direction} ({s.unit})",
            ]
        )
    write_lines(consoles, table.lines(None), header=1)


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
