"""Renderers for ``obsctl trace`` and ``obsctl trace search``.

Text: a header, the waterfall (``render.waterfall``: indented tree, duration, a bar scaled to
the terminal width, critical-path and error marks, bounded for huge traces), then errors and a
per-service summary. JSON and NDJSON carry every span.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from obsctl.model.logs import LogRecord
from obsctl.model.time import format_rfc3339
from obsctl.model.trace_analysis import (
    TraceAnalysis,
    TraceResult,
    TraceSearchResult,
)
from obsctl.model.traces import Span
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, dumps, write_json
from obsctl.render.table import PlainTable, fit_width, write_lines
from obsctl.render.waterfall import (
    _DIM,
    _ERROR,
    _SERVICE,
    _dur,
    _plural,
    print_waterfall,
)

# ----------------------------------------------------------------------------- helpers


_SECOND_CACHE: dict[int, str] = {}


def rfc3339_ns(ns: int) -> str:
    """RFC 3339 UTC with nanoseconds, trailing zeros trimmed (fast: cached per second).

    >>> rfc3339_ns(1_764_064_800_120_000_000)
    '2025-11-25T10:00:00.12Z'
    >>> rfc3339_ns(1_764_064_800_000_000_000)
    '2025-11-25T10:00:00Z'
    """
    sec, frac = divmod(ns, 1_000_000_000)
    base = _SECOND_CACHE.get(sec)
    if base is None:
        if len(_SECOND_CACHE) > 100_000:
            _SECOND_CACHE.clear()
        base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        _SECOND_CACHE[sec] = base
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def _local(ns: int) -> str:
    t = datetime.fromtimestamp(ns / 1e9, tz=UTC).astimezone()
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d} {t.strftime('%Z')}"


# ----------------------------------------------------------------------------- text


def _header(result: TraceResult, consoles: Consoles) -> None:
    a = result.analysis
    trace = a.trace
    out = consoles.out
    title = Text("Trace ", style="bold").append(trace.trace_id, style="bold")
    if a.root_span_id is not None:
        root = a.span(a.root_span_id)
        title.append("  ").append(root.service, style=_SERVICE).append(f": {root.name}")
    out.print(title)
    services = len(a.services)
    errors = len(a.error_span_ids)
    line = Text(f"{_local(a.start_ns)} · {_dur(a.duration_ns)} · ")
    line.append(f"{_plural(len(trace.spans), 'span')} · {_plural(services, 'service')} · ")
    line.append(_plural(errors, "error"), style=_ERROR if errors else "")
    out.print(line)
    src = result.fetched
    origin = f"from {src.source}" + (f" ({src.api})" if src.api else "")
    out.print(Text(origin, style=_DIM), overflow="ellipsis", no_wrap=True)


def _warnings(a: TraceAnalysis, consoles: Consoles) -> None:
    orphans = len(a.orphan_span_ids)
    if orphans:
        consoles.warn(
            f"this trace may be incomplete: {_plural(orphans, 'span')} under "
            f"{_plural(len(a.missing_parents), 'missing parent')}"
        )
    if a.cycle_span_ids:
        consoles.warn(f"parent references loop; cut at span {', '.join(a.cycle_span_ids[:3])}")
    if a.skew_warnings:
        w = max(a.skew_warnings, key=lambda x: abs(x.delta_ns))
        verb = "adjusted" if a.skew_adjusted else "detected (times shown as recorded; "
        tail = "" if a.skew_adjusted else "--adjust-skew shifts them)"
        consoles.warn(
            f"clock skew {verb}{tail}: {_plural(len(a.skew_warnings), 'span')}, largest "
            f"{_dur(abs(w.delta_ns))} on {w.service} under {w.parent_service}"
        )
    for note in a.trace.warnings[:5]:
        consoles.warn(note)
    if len(a.trace.warnings) > 5:
        consoles.warn(f"… and {len(a.trace.warnings) - 5} more decoder warnings")
    dups = a.duplicate_span_ids
    if dups:
        more = f" and {len(dups) - 3} more" if len(dups) > 3 else ""
        consoles.warn(
            f"{_plural(len(dups), 'span ID')} used by more than one span: "
            f"{', '.join(dups[:3])}{more} (repeats shown as <id>_1 …; children may attach "
            "to either)"
        )


def _services_table(a: TraceAnalysis) -> PlainTable:
    table = PlainTable(
        ["SERVICE", "SPANS", "ERRORS", "SELF TIME", "CRITICAL PATH"],
        right=[False, True, True, True, True],
        shrink=[True, False, False, False, False],
    )
    cp_total = sum(s.critical_path_ns for s in a.services) or 1
    for s in a.services[:20]:
        share = f"{_dur(s.critical_path_ns)} ({100 * s.critical_path_ns / cp_total:.0f}%)"
        table.add(
            [
                s.service,
                f"{s.span_count:,}",
                f"{s.error_count:,}",
                _dur(s.self_time_ns),
                share if s.critical_path_ns else "-",
            ]
        )
    if len(a.services) > 20:
        table.add([f"… {len(a.services) - 20} more services", "", "", "", ""])
    return table


def _errors_block(a: TraceAnalysis, consoles: Consoles, width: int | None) -> None:
    if not a.error_span_ids:
        return
    out = consoles.out
    # Folded to a terminal's width; whole lines off a terminal (and with -o wide).
    fold: dict[str, Any] = {"overflow": "fold"} if width is not None else {"soft_wrap": True}
    out.print(Text("\nErrors", style="bold"))
    origins = set(a.error_origin_ids)
    shown = [k for k in a.error_span_ids if k in origins][:5]
    for k in shown:
        span = a.span(k)
        line = Text("  ✗ ", style=_ERROR).append(span.service, style=_SERVICE)
        line.append(f" {span.name} ({k}): {a.error_reasons[k]}", style=_ERROR)
        out.print(line, **fold)
        for ev in span.events:
            if ev.name == "exception":
                attrs = dict(ev.attributes)
                detail = ": ".join(
                    str(attrs[key])
                    for key in ("exception.type", "exception.message")
                    if key in attrs
                )
                text = f"      exception at +{_dur(ev.time_ns - a.start_ns)}"
                text += f": {detail}" if detail else ""
                out.print(Text(text, style=_DIM), **fold)
    rest = len(a.error_span_ids) - len(shown)
    if rest:
        more = _plural(rest, "more error span")
        out.print(Text(f"  … {more} (callers or siblings of these)", style=_DIM))


def _span_detail(result: TraceResult, key: str, consoles: Consoles) -> None:
    a = result.analysis
    out = consoles.out
    span = a.span(key)
    title = Text("Span ", style="bold").append(span.span_id, style="bold")
    title.append("  ").append(span.service, style=_SERVICE).append(f": {span.name}")
    out.print(title)
    parent = a.parent.get(key)
    rows: list[tuple[str, Text]] = [("trace", Text(span.trace_id))]
    if parent is not None:
        p = a.span(parent)
        rows.append(("parent", Text(f"{p.span_id} ({p.service}: {p.name})")))
    elif span.parent_span_id:
        rows.append(
            ("parent", Text(f"{span.parent_span_id} (missing from the trace)", style="yellow"))
        )
    else:
        rows.append(("parent", Text("none (root)")))
    rows.append(("kind", Text(span.kind.value + (" (shared server half)" if span.shared else ""))))
    if span.ref_type.value != "child_of":
        rows.append(("reference", Text(span.ref_type.value)))
    rows.append(("start", Text(f"{_local(span.start_ns)} (+{_dur(span.start_ns - a.start_ns)})")))
    cp = a.critical_path_ns.get(key, 0)
    share = (
        f" ({100 * cp / max(1, sum(a.critical_path_ns.values())):.0f}% of the critical path)"
        if cp
        else ""
    )
    rows.append(
        (
            "duration",
            Text(
                f"{_dur(span.duration_ns)} · self {_dur(a.self_time_ns[key])} · "
                f"critical path {_dur(cp)}{share}"
            ),
        )
    )
    status = span.status_code.value.upper() + (
        f": {span.status_message}" if span.status_message else ""
    )
    rows.append(("status", Text(status, style=_ERROR if key in a.error_reasons else "")))
    if key in a.error_reasons:
        rows.append(("error", Text(a.error_reasons[key], style=_ERROR)))
    if span.scope:
        rows.append(("scope", Text(span.scope)))
    for w in a.skew_warnings:
        if w.span_key == key:
            rows.append(
                ("clock skew", Text(f"{_dur(w.delta_ns)} vs {w.parent_service}", style="yellow"))
            )
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        out.print(Text(f"  {k.ljust(width)}  ", style=_DIM).append(v), overflow="fold")
    for title_text, attrs in (("Attributes", span.attributes), ("Resource", span.resource)):
        if attrs:
            out.print(Text(f"\n{title_text}", style="bold"))
            kw = min(40, max(len(k) for k, _ in attrs))
            for name, value in attrs:
                out.print(
                    Text(f"  {name.ljust(kw)}  ", style=_DIM).append(_value(value)), overflow="fold"
                )
    if span.events:
        out.print(Text("\nEvents", style="bold"))
        for ev in span.events:
            line = Text(f"  +{_dur(ev.time_ns - span.start_ns)} ", style=_DIM).append(
                ev.name, style=_ERROR if ev.name == "exception" else ""
            )
            for name, value in ev.attributes:
                line.append(f"\n      {name}: ", style=_DIM).append(_value(value))
            out.print(line, overflow="fold")
    if span.links:
        out.print(Text("\nLinks", style="bold"))
        for ln in span.links:
            out.print(Text(f"  trace {ln.trace_id} span {ln.span_id}"), overflow="fold")


def _value(v: object) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)


def _write_out(consoles: Consoles, data: bytes) -> None:
    """Bytes straight to stdout (bypassing Rich), as ``render.json`` does."""
    stream = consoles.out.file
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8", "replace"))
        stream.flush()


def _write_raw(result: TraceResult, consoles: Consoles) -> None:
    _write_out(consoles, result.fetched.raw)


@renderer(TraceResult, "text")
def render_trace_text(result: TraceResult, consoles: Consoles) -> None:
    """Header, waterfall, errors, services; or one span in full with ``--span``."""
    if result.view.raw:
        _write_raw(result, consoles)
        return
    a = result.analysis
    out = consoles.out
    if result.view.span is not None:
        for i, key in enumerate(a.find(result.view.span)):
            if i:
                out.print()
            _span_detail(result, key, consoles)
        return
    _warnings(a, consoles)
    _header(result, consoles)
    out.print()
    width = fit_width(consoles)
    print_waterfall(a, result.view, out, result.logs, width)
    _errors_block(a, consoles, width)
    out.print(Text("\nServices", style="bold"))
    write_lines(consoles, _services_table(a).lines(width), header=1)
    links = result.links
    for label, url in (
        ("Jaeger UI", links.jaeger_ui),
        ("Zipkin UI", links.zipkin_ui),
        ("Grafana", links.grafana),
    ):
        if url:
            out.print(Text(f"\n{label}: ", style=_DIM).append(url), soft_wrap=True)


# ----------------------------------------------------------------------------- json


def _span_doc(a: TraceAnalysis, key: str, span: Span) -> dict[str, Any]:
    parent = a.parent[key]
    return {
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "parent_missing": span.parent_span_id is not None and parent is None,
        "service": span.service,
        "name": span.name,
        "kind": span.kind.value,
        "start_time": rfc3339_ns(span.start_ns),
        "start_unix_nano": span.start_ns,
        "duration_ms": (span.end_ns - span.start_ns) / 1e6,
        "self_time_ms": a.self_time_ns[key] / 1e6,
        "critical_path_ms": a.critical_path_ns[key] / 1e6,
        "depth": a.depth[key],
        "error": key in a.error_reasons,
        "error_reason": a.error_reasons.get(key),
        "status": {"code": span.status_code.value, "message": span.status_message},
        "ref_type": span.ref_type.value,
        "shared": span.shared,
        "scope": span.scope,
        "attributes": dict(span.attributes),
        "resource": dict(span.resource),
        "events": [
            {"time": rfc3339_ns(e.time_ns), "name": e.name, "attributes": dict(e.attributes)}
            for e in span.events
        ],
        "links": [
            {"trace_id": ln.trace_id, "span_id": ln.span_id, "attributes": dict(ln.attributes)}
            for ln in span.links
        ],
    }


def log_doc(record: LogRecord) -> dict[str, Any]:
    """One log record in JSON (``logs`` of a trace document)."""
    return {
        "time": rfc3339_ns(record.time_ns),
        "span_id": record.span_id,
        "service": record.service,
        "severity": record.severity,
        "severity_number": record.severity_number,
        "body": record.body,
        "attributes": dict(record.attributes),
    }


def trace_document(result: TraceResult, *, with_spans: bool = True) -> dict[str, Any]:
    """The ``-o json`` document (schema in docs/trace.md); ``spans`` last."""
    a = result.analysis
    trace = a.trace
    root = a.span(a.root_span_id) if a.root_span_id is not None else None
    links = result.links
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "trace_id": trace.trace_id,
        "source": result.fetched.source,
        "api": result.fetched.api,
        "root_span_id": root.span_id if root else None,
        "root_service": root.service if root else None,
        "root_name": root.name if root else None,
        "start_time": rfc3339_ns(a.start_ns),
        "duration_ms": a.duration_ns / 1e6,
        "span_count": len(trace.spans),
        "service_count": len(a.services),
        "error_count": len(a.error_span_ids),
        "error_origin_span_ids": [a.span(k).span_id for k in a.error_origin_ids],
        "orphan_span_count": len(a.orphan_span_ids),
        "missing_parent_span_ids": list(a.missing_parents),
        "clock_skew": [
            {
                "span_id": a.span(w.span_key).span_id,
                "parent_span_id": a.span(w.parent_key).span_id,
                "service": w.service,
                "parent_service": w.parent_service,
                "delta_ms": w.delta_ns / 1e6,
                "applied": w.applied,
            }
            for w in a.skew_warnings
        ],
        "critical_path": [
            {
                "span_id": a.span(s.span_key).span_id,
                "start_time": rfc3339_ns(s.start_ns),
                "duration_ms": s.duration_ns / 1e6,
            }
            for s in a.critical_path
        ],
        "services": [
            {
                "service": s.service,
                "span_count": s.span_count,
                "error_count": s.error_count,
                "self_time_ms": s.self_time_ns / 1e6,
                "critical_path_ms": s.critical_path_ns / 1e6,
            }
            for s in a.services
        ],
        "warnings": list(trace.warnings),
        "links": {
            "jaeger_ui": links.jaeger_ui,
            "grafana": links.grafana,
            "zipkin_ui": links.zipkin_ui,
        },
    }
    doc["logs"] = [log_doc(r) for r in result.logs]
    if with_spans:
        doc["spans"] = [
            _span_doc(a, key, span) for key, span in zip(a.span_keys, trace.spans, strict=True)
        ]
    return doc


@renderer(TraceResult, "json")
def render_trace_json(result: TraceResult, consoles: Consoles) -> None:
    """The normalised trace with computed fields, or the raw body with ``--raw``."""
    if result.view.raw:
        _write_raw(result, consoles)
        return
    a = result.analysis
    if len(a.trace.spans) <= 10_000:
        write_json(trace_document(result), consoles)
        return
    # Big traces: compact, and the spans encoded in chunks so that no list of 100,000 span
    # dicts is alive at once (580 MB → under 300 MB at 100k spans).
    head = trace_document(result, with_spans=False)
    pairs = list(zip(a.span_keys, a.trace.spans, strict=True))
    _write_out(consoles, dumps(head, pretty=False)[:-1] + b',"spans":[')
    for lo in range(0, len(pairs), 2_000):
        chunk = [_span_doc(a, key, span) for key, span in pairs[lo : lo + 2_000]]
        _write_out(consoles, (b"," if lo else b"") + dumps(chunk, pretty=False)[1:-1])
    _write_out(consoles, b"]}\n")


@renderer(TraceResult, "ndjson")
def render_trace_ndjson(result: TraceResult, consoles: Consoles) -> None:
    """One span per line (with the trace ID), for jq and log tools."""
    if result.view.raw:
        _write_raw(result, consoles)
        return
    a = result.analysis
    tid = a.trace.trace_id
    pairs = list(zip(a.span_keys, a.trace.spans, strict=True))
    for lo in range(0, len(pairs), 2_000):  # in chunks: bounded memory for huge traces
        _write_out(
            consoles,
            b"".join(
                dumps({"trace_id": tid, **_span_doc(a, k, s)}, pretty=False) + b"\n"
                for k, s in pairs[lo : lo + 2_000]
            ),
        )


# ----------------------------------------------------------------------------- search


def _summary_doc(s: Any) -> dict[str, Any]:
    return {
        "trace_id": s.trace_id,
        "root_service": s.root_service,
        "root_name": s.root_name,
        "start_time": format_rfc3339(s.start),
        "duration_ms": s.duration_ns / 1e6,
        "span_count": s.span_count,
        "error_count": s.error_count,
        "services": list(s.services),
    }


@renderer(TraceSearchResult, "text")
def render_search_text(result: TraceSearchResult, consoles: Consoles) -> None:
    """One row per trace."""
    if not result.traces:
        consoles.note(f"no traces found in {result.backend} for {result.query}")
        return
    # Trace IDs stay whole (they are what one copies); on a terminal ROOT gives up the width.
    table = PlainTable(
        ["TRACE ID", "ROOT", "START", "DUR", "SPANS", "ERR"],
        right=[False, False, False, True, True, True],
        shrink=[False, True, False, False, False, False],
    )
    for s in result.traces:
        root = f"{s.root_service}: {s.root_name}" if s.root_name else s.root_service
        errors = s.error_count
        table.add(
            [
                s.trace_id,
                root,
                s.start.astimezone().strftime("%Y-%m-%d %H:%M"),
                _dur(s.duration_ns),
                "-" if s.span_count is None else f"{s.span_count:,}",
                "-" if errors is None else f"{errors:,}",
            ]
        )
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)
    consoles.note(
        f"{_plural(len(result.traces), 'trace')} from {result.backend}: {result.query}"
        + (" (limit reached: raise --limit)" if len(result.traces) >= result.limit else "")
    )


@renderer(TraceSearchResult, "json")
def render_search_json(result: TraceSearchResult, consoles: Consoles) -> None:
    """The search results as JSON."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "backend": result.backend,
            "query": result.query,
            "limit": result.limit,
            "traces": [_summary_doc(s) for s in result.traces],
        },
        consoles,
    )
