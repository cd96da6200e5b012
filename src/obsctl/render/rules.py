"""``obsctl rules backtest``: a table per kind (text), JSON, and markdown for a PR comment."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from obsctl.model.rules import AlertBacktest, BacktestReport
from obsctl.model.time import format_prom_duration
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json
from obsctl.render.table import align, fit_width, write_text_lines


def _dur(seconds: float) -> str:
    if seconds <= 0:
        return "0s"
    return format_prom_duration(timedelta(seconds=round(seconds)))


def _alert_cells(a: AlertBacktest) -> list[str]:
    return [
        a.name,
        str(a.firings),
        _dur(a.firing_s),
        _dur(a.longest_s),
        str(a.flaps),
        f"{a.share:.2%}",
        "over: " + "; ".join(a.over_budget)
        if a.over_budget
        else ("firing now" if a.still_firing else ""),
    ]


_ALERT_HEAD = ["alert", "firings", "firing", "longest", "flaps", "share", ""]
_RECORD_HEAD = ["recording rule", "series", "samples/eval"]


@renderer(BacktestReport, "text")
def render_backtest_text(report: BacktestReport, consoles: Consoles) -> None:
    """The alerts table (those over the budget in red), then the recording rules."""
    out = consoles.out
    out.print(
        Text(f"{report.start} → {report.end}", style="bold")
        + Text(f"   flap window {_dur(report.flap_window_s)}", style="dim")
        + Text(f"   budget {report.budget}" if report.budget else "", style="dim"),
        soft_wrap=True,
    )
    width = fit_width(consoles)
    lines: list[Text] = []
    if report.alerts:
        rows: list[list[Text | str]] = [[Text(h, style="bold") for h in _ALERT_HEAD]]
        for a in report.alerts:
            style = "red" if a.over_budget else ""
            rows.append([Text(c, style=style) for c in _alert_cells(a)])
        lines += align(rows, right=range(1, 6), width=width)
    if report.recordings:
        rows = [[Text(h, style="bold") for h in _RECORD_HEAD]]
        for r in report.recordings:
            rows.append([r.name, f"{r.series:,}", f"{r.samples_per_eval:,.1f}"])
        lines += align(rows, right=(1, 2), width=width)
    if lines:
        write_text_lines(consoles, lines)
    for note in report.notes:
        consoles.note(note)
    over = sum(1 for a in report.alerts if a.over_budget)
    if report.budget:
        consoles.write_err(f"{over} of {len(report.alerts)} alerts over the budget\n")


@renderer(BacktestReport, "json")
def render_backtest_json(report: BacktestReport, consoles: Consoles) -> None:
    """``{"schema_version", "start", "end", "flap_window_seconds", "budget", "alerts": [...],
    "recording_rules": [...], "notes"}``; durations in seconds."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "start": report.start,
            "end": report.end,
            "flap_window_seconds": report.flap_window_s,
            "budget": report.budget,
            "alerts": [
                {
                    "alert": a.name,
                    "group": a.group,
                    "file": a.file,
                    "interval_seconds": a.interval_s,
                    "firings": a.firings,
                    "instances": a.instances,
                    "firing_seconds": a.firing_s,
                    "longest_seconds": a.longest_s,
                    "flaps": a.flaps,
                    "firing_share": a.share,
                    "still_firing": a.still_firing,
                    "over_budget": list(a.over_budget),
                }
                for a in report.alerts
            ],
            "recording_rules": [
                {
                    "record": r.name,
                    "group": r.group,
                    "file": r.file,
                    "interval_seconds": r.interval_s,
                    "series": r.series,
                    "samples_per_evaluation": r.samples_per_eval,
                }
                for r in report.recordings
            ],
            "notes": list(report.notes),
        },
        consoles,
    )


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@renderer(BacktestReport, "markdown")
def render_backtest_markdown(report: BacktestReport, consoles: Consoles) -> None:
    """GitHub-flavoured markdown tables (for a pull-request comment)."""
    lines = [f"**Backtest** {report.start} → {report.end}"]
    if report.budget:
        lines[0] += f" · budget `{_md_escape(report.budget)}`"
    lines.append("")
    if report.alerts:
        lines.append("| " + " | ".join(h or "budget" for h in _ALERT_HEAD) + " |")
        lines.append("|---|" + "---:|" * 5 + "---|")
        for a in report.alerts:
            lines.append("| " + " | ".join(_md_escape(c) for c in _alert_cells(a)) + " |")
        lines.append("")
    if report.recordings:
        lines.append("| " + " | ".join(_RECORD_HEAD) + " |")
        lines.append("|---|---:|---:|")
        for r in report.recordings:
            lines.append(f"| {_md_escape(r.name)} | {r.series:,} | {r.samples_per_eval:,.1f} |")
        lines.append("")
    for note in report.notes:
        lines.append(f"> {_md_escape(note)}")
    consoles.out_stream.write("\n".join(lines).rstrip("\n") + "\n")
    consoles.out_stream.flush()
