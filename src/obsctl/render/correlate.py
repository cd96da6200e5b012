"""Renderers for ``obsctl correlate``: text, JSON (versioned contract) and Markdown notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.text import Text

from obsctl.model.alerts import AlertWindow, format_labels
from obsctl.model.correlation import (
    Bottleneck,
    CorrelationResult,
    RankedTrace,
    SlowerOperation,
)
from obsctl.model.time import format_duration, format_rfc3339
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, json_float, write_json
from obsctl.render.table import PlainTable, fit_width, write_lines
from obsctl.render.trace import log_doc

TOP_BOTTLENECKS = 5


def _ms(ns: int | None) -> float | None:
    return None if ns is None else round(ns / 1e6, 3)


def _dur(ns: int | None) -> str:
    return "-" if ns is None else format_duration(timedelta(microseconds=ns / 1000))


def _clock(t: datetime | None) -> str:
    return "-" if t is None else format_rfc3339(t.replace(microsecond=0))


def _time_format(start: datetime, end: datetime) -> str:
    """One format for every time of a range: ``HH:MM:SS`` within a day (UTC), else with the
    date (``11-24 23:58:02``) — never a mix of the two."""
    same_day = start.astimezone(UTC).date() == end.astimezone(UTC).date()
    return "%H:%M:%S" if same_day else "%m-%d %H:%M:%S"


_TIME_WIDTH = {"%H:%M:%S": 8, "%m-%d %H:%M:%S": 14}


def _short_time(t: datetime | None, fmt: str) -> str:
    """``t`` in UTC in the range's format (``_time_format``)."""
    return "-" if t is None else t.astimezone(UTC).strftime(fmt)


def _n(count: int, noun: str) -> str:
    """``1 trace``, ``3 traces``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _op(service: str, operation: str) -> str:
    return f"{service} {operation}".strip()


def _bottleneck_line(b: Bottleneck) -> str:
    return (
        f"{b.share:.0%} of critical-path time; the largest share in {b.traces_dominant} of "
        f"{_n(b.traces_total, 'trace')}"
    )


def _slower_line(s: SlowerOperation) -> str:
    return (
        f"median {_dur(s.baseline_ns)} → {_dur(s.incident_ns)} "
        f"(+{_dur(s.delta_ns)}, {s.ratio:.1f}×; {s.baseline_spans} vs {s.incident_spans} spans)"
    )


def _range_text(start: datetime, end: datetime) -> str:
    """``2026-11-25 09:00:00–10:00:00 UTC`` (both dates when they differ)."""
    a, b = start.astimezone(UTC), end.astimezone(UTC)
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M:%S}–{b:%H:%M:%S} UTC"
    return f"{a:%Y-%m-%d %H:%M:%S} – {b:%Y-%m-%d %H:%M:%S} UTC"


def _window_title(result: CorrelationResult) -> str:
    n = len(result.windows)
    return (
        f"{result.alert}: {n} firing window{'s' if n != 1 else ''} in "
        f"{_range_text(result.range.start, result.range.end)}"
    )


# ----------------------------------------------------------------------------- text


@renderer(CorrelationResult, "text")
def render_correlation_text(result: CorrelationResult, consoles: Consoles) -> None:
    """Windows, the ranked traces, the bottleneck summary, slower operations and links."""
    out = consoles.out
    ref = _time_format(result.range.start, result.range.end)
    out.print(Text(_window_title(result), style="bold"))
    wt = PlainTable(
        ["#", "START", "END", "DURATION", "LABELS", "SOURCES"],
        right=[True, False, False, True, False, False],
        shrink=[False, False, False, False, True, False],
    )
    for i, w in enumerate(result.windows, start=1):
        end = _short_time(w.end, ref) + (" (firing)" if w.open else "")
        wt.add(
            [
                str(i),
                _short_time(w.start, ref),
                end,
                format_duration(w.duration),
                " ".join(f"{k}={v}" for k, v in w.labels) or "-",
                ", ".join(str(s) for s in w.sources),
            ]
        )
    width = fit_width(consoles)
    write_lines(consoles, wt.lines(width), header=1)
    out.print()
    n = len(result.traces)
    title = f"Traces ranked by {result.rank_by}: {n} of {result.candidates} candidates"
    out.print(Text(title, style="bold"))
    if not result.traces:
        out.print(Text("  no candidate traces found in the firing windows"))
    else:
        out.print(Text(_TRACE_HEADER, style="bold"))
        for r in result.traces:
            first, detail = _trace_lines(r, ref)
            out.print(first, soft_wrap=width is None)
            if detail:
                _print_indented(out, detail, 6, width)
            for record in r.error_logs:
                line = Text("↳ ", style="dim").append(record.severity, style="red")
                line.append(f" {record.service}: ", style="dim")
                line.append(" ".join(record.body.split()))
                line = Text("      ").append_text(line)
                if width is None:  # whole off a terminal and with -o wide
                    out.print(line, soft_wrap=True)
                else:
                    out.print(line, no_wrap=True, overflow="ellipsis")
        if any(r.latency_source and r.latency_source.value != "root_span" for r in result.traces):
            out.print(
                Text("  * latency from the search or the exemplar: trace not fetched", style="dim")
            )
    if result.bottlenecks:
        out.print()
        traces = result.bottlenecks[0].traces_total
        out.print(
            Text(f"Bottlenecks: critical-path time across {_n(traces, 'trace')}", style="bold")
        )
        for b in result.bottlenecks[:TOP_BOTTLENECKS]:
            _print_indented(
                out,
                Text(_op(b.service, b.operation), style="bold").append(
                    f": {_bottleneck_line(b)}", style="not bold"
                ),
                2,
                width,
            )
    if result.baseline is not None:
        out.print()
        out.print(
            Text(
                f"Compared with the baseline {_short_time(result.baseline.start, ref)}–"
                f"{_short_time(result.baseline.end, ref)} ({_n(result.baseline_traces, 'trace')})",
                style="bold",
            )
        )
        if not result.slower:
            out.print(Text("  no operation got markedly slower"))
        for s in result.slower[:TOP_BOTTLENECKS]:
            _print_indented(
                out,
                Text(_op(s.service, s.operation), style="bold").append(
                    f": {_slower_line(s)}", style="not bold"
                ),
                2,
                width,
            )
    links = [(r.rank, _links(result, r)) for r in result.traces if r.found]
    if any(by_ui for _, by_ui in links):
        out.print()
        out.print(Text("Links", style="bold"))
        for rank, by_ui in links:
            for ui, url in by_ui.items():
                out.print(Text(f"  {rank:>2} {ui}: {url}"), soft_wrap=True)


def _links(result: CorrelationResult, trace: RankedTrace) -> dict[str, str]:
    """The links of one ranked trace, by UI name (none when it was not fetched)."""
    links = result.links.get(trace.trace_id) if trace.found else None
    return links.by_ui() if links is not None else {}


_TRACE_HEADER = (
    f" {'#':>2}  {'TRACE ID':<32}  {'START':<8}  {'LATENCY':>7}  {'EXTENT':>6}  ERR  SERVICE"
)


def _print_indented(out: Console, text: Text, indent: int, width: int | None) -> None:
    """``text`` wrapped to ``width`` with every line indented (no trailing blanks); one line
    when ``width`` is ``None`` (off a terminal, ``-o wide``)."""
    if width is None:
        out.print(Text(" " * indent).append_text(text), soft_wrap=True)
        return
    for line in text.wrap(out, max(20, width - indent)):
        line.rstrip()
        out.print(Text(" " * indent).append_text(line), soft_wrap=True)


def _trace_lines(r: RankedTrace, ref: str) -> tuple[Text, Text]:
    latency = _dur(r.latency_ns)
    if r.latency_source is not None and r.latency_source.value != "root_span":
        latency += "*"
    errors = "-" if r.error_count is None else str(r.error_count)
    start = _short_time(r.start, ref).ljust(_TIME_WIDTH[ref])
    first = Text(
        f" {r.rank:>2}  {r.trace_id:<32}  {start}  {latency:>7}  "
        f"{_dur(r.extent_ns):>6}  {errors:>3}  ",
        no_wrap=True,
        overflow="ellipsis",
    )
    first.append(r.root_service or "-")
    root = _op(r.root_service or "", r.root_name or "")
    detail = Text()
    if r.found and r.bottleneck is not None:
        detail.append("bottleneck ").append(
            _op(r.bottleneck.service, r.bottleneck.operation), style="bold"
        )
        if r.bottleneck_share is not None:
            detail.append(f" ({r.bottleneck_share:.0%} of its critical path)")
        if root:
            detail.append(f"; root {root}")
    elif not r.found:
        detail.append(r.note or "not fetched", style="dim")
    elif root:
        detail.append(f"root {root}")
    return first, detail


# ----------------------------------------------------------------------------- json


def _window_doc(w: AlertWindow) -> dict[str, Any]:
    return {
        "start": format_rfc3339(w.start),
        "end": format_rfc3339(w.end),
        "labels": dict(w.labels),
        "sources": [str(s) for s in w.sources],
        "pending_since": format_rfc3339(w.pending_since) if w.pending_since else None,
        "open": w.open,
    }


def correlation_json(result: CorrelationResult) -> dict[str, Any]:
    """The stable JSON document (see docs/correlate.md)."""
    rule = None
    if result.rule is not None:
        rule = {
            "name": result.rule.name,
            "expr": result.rule.expr,
            "for_s": result.rule.for_.total_seconds(),
            "file": result.rule.source,
            "line": result.rule.line,
        }
    traces = []
    for r in result.traces:
        bottleneck = None
        if r.bottleneck is not None:
            bottleneck = {
                "service": r.bottleneck.service,
                "operation": r.bottleneck.operation,
                "critical_path_ms": _ms(r.bottleneck.critical_path_ns),
                "share": json_float(r.bottleneck_share) if r.bottleneck_share is not None else None,
            }
        traces.append(
            {
                "rank": r.rank,
                "trace_id": r.trace_id,
                "window": r.window,
                "latency_ms": _ms(r.latency_ns),
                "latency_source": str(r.latency_source) if r.latency_source else None,
                "extent_ms": _ms(r.extent_ns),
                "sources": list(r.sources),
                "found": r.found,
                "error_count": r.error_count,
                "start": format_rfc3339(r.start) if r.start else None,
                "root_service": r.root_service,
                "root_operation": r.root_name,
                "bottleneck": bottleneck,
                "critical_path": [
                    {
                        "service": p.service,
                        "operation": p.operation,
                        "critical_path_ms": _ms(p.critical_path_ns),
                    }
                    for p in r.critical_path
                ],
                "error_spans": [{"service": svc, "operation": op} for svc, op in r.error_spans],
                "error_logs": [log_doc(record) for record in r.error_logs],
                "note": r.note or None,
                "links": _links(result, r),
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "alert": result.alert,
        "range": {
            "start": format_rfc3339(result.range.start),
            "end": format_rfc3339(result.range.end),
        },
        "rule": rule,
        "slack_s": result.slack_s,
        "windows": [_window_doc(w) for w in result.windows],
        "rank_by": str(result.rank_by),
        "candidates": result.candidates,
        "traces": traces,
        "bottlenecks": [
            {
                "service": b.service,
                "operation": b.operation,
                "critical_path_share": json_float(b.share),
                "critical_path_ms": _ms(b.critical_path_ns),
                "traces_dominant": b.traces_dominant,
                "traces_on_path": b.traces_on_path,
                "traces_total": b.traces_total,
            }
            for b in result.bottlenecks
        ],
        "baseline": (
            {
                "start": format_rfc3339(result.baseline.start),
                "end": format_rfc3339(result.baseline.end),
                "traces": result.baseline_traces,
            }
            if result.baseline is not None
            else None
        ),
        "slower_operations": [
            {
                "service": s.service,
                "operation": s.operation,
                "baseline_ms": _ms(s.baseline_ns),
                "incident_ms": _ms(s.incident_ns),
                "delta_ms": _ms(s.delta_ns),
                "ratio": json_float(s.ratio),
                "baseline_spans": s.baseline_spans,
                "incident_spans": s.incident_spans,
            }
            for s in result.slower
        ],
        "sources": list(result.sources),
        "skipped": list(result.skipped),
    }


@renderer(CorrelationResult, "json")
def render_correlation_json(result: CorrelationResult, consoles: Consoles) -> None:
    """One JSON document on stdout."""
    write_json(correlation_json(result), consoles)


# ----------------------------------------------------------------------------- markdown


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def correlation_markdown(result: CorrelationResult) -> str:
    """Paste-ready incident notes."""
    lines = [
        f"## Incident notes: {result.alert}",
        "",
        f"Searched {_clock(result.range.start)} to {_clock(result.range.end)}; "
        f"windows padded by {format_duration(timedelta(seconds=result.slack_s))}.",
        "",
        "### Firing windows",
        "",
        "| # | Start | End | Duration | Labels | Sources |",
        "|---|---|---|---|---|---|",
    ]
    for i, w in enumerate(result.windows, start=1):
        end = _clock(w.end) + (" (still firing)" if w.open else "")
        lines.append(
            f"| {i} | {_clock(w.start)} | {end} | {format_duration(w.duration)} | "
            f"{_cell(_code(format_labels(w.labels)))} | "
            f"{_cell(', '.join(str(s) for s in w.sources))} |"
        )
    lines += ["", f"### Slowest traces (by {result.rank_by})", ""]
    if not result.traces:
        lines.append("No candidate traces were found in the firing windows.")
    else:
        lines += [
            "| # | Trace | Start | Latency | Extent | Root | Errors | Bottleneck |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in result.traces:
            links = _links(result, r)
            trace = (
                f"[`{r.trace_id}`]({next(iter(links.values()))})" if links else _code(r.trace_id)
            )
            root = _op(r.root_service or "", r.root_name or "") or "-"
            if r.bottleneck is not None:
                share = f" ({r.bottleneck_share:.0%})" if r.bottleneck_share is not None else ""
                neck = _code(_op(r.bottleneck.service, r.bottleneck.operation)) + share
            else:
                neck = r.note or "-"
            lines.append(
                f"| {r.rank} | {trace} | {_clock(r.start)} | {_dur(r.latency_ns)} | "
                f"{_dur(r.extent_ns)} | {_cell(root)} | "
                f"{'-' if r.error_count is None else r.error_count} | {_cell(neck)} |"
            )
    if result.bottlenecks:
        lines += ["", "### Where the time went", ""]
        for b in result.bottlenecks[:TOP_BOTTLENECKS]:
            lines.append(f"- **{_cell(b.service)}** {_code(b.operation)}: {_bottleneck_line(b)}")
    if result.baseline is not None:
        lines += [
            "",
            f"### Compared with {_clock(result.baseline.start)} to {_clock(result.baseline.end)} "
            f"({_n(result.baseline_traces, 'trace')})",
            "",
        ]
        if not result.slower:
            lines.append("No operation got markedly slower.")
        for s in result.slower[:TOP_BOTTLENECKS]:
            lines.append(f"- **{_cell(s.service)}** {_code(s.operation)}: {_slower_line(s)}")
    if result.skipped:
        lines += ["", "### Sources skipped", ""]
        lines += [f"- {_cell(line)}" for line in result.skipped]
    return "\n".join(lines) + "\n"


@renderer(CorrelationResult, "markdown")
def render_correlation_markdown(result: CorrelationResult, consoles: Consoles) -> None:
    """Markdown incident notes on stdout (no Rich interpretation)."""
    stream = consoles.out.file
    stream.write(correlation_markdown(result))
    stream.flush()
