"""Renderers for ``obsctl trace`` and ``obsctl trace search``.

Text: a header, a waterfall (indented tree, duration, a bar scaled to the terminal width,
critical-path and error marks), then a per-service summary. The waterfall stays bounded for
huge traces: a span's children that repeat one operation many times collapse into a summary
line, and a line budget caps the rest. JSON and NDJSON carry every span.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from obsctl.model.logs import LogRecord
from obsctl.model.time import format_duration, format_rfc3339
from obsctl.model.trace_analysis import (
    TraceAnalysis,
    TraceResult,
    TraceSearchResult,
    TraceView,
)
from obsctl.model.traces import Span
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, dumps, write_json

RUN_SHOWN = 2
"""Siblings of one operation shown before the rest of them collapse."""
RUN_COLLAPSE = 6
"""Siblings of one operation collapse when there are more than this many."""
CHAIN_COLLAPSE = 16
"""Single-child chains deeper than this collapse to their first and last levels."""
CHAIN_HEAD = 6
CHAIN_TAIL = 3
MAX_INDENT = 12
"""Deeper levels are not indented further; the depth is printed instead."""

_ERROR = "red"
_CRITICAL = "bold"
_DIM = "dim"
_SERVICE = "cyan"


# ----------------------------------------------------------------------------- helpers


def _dur(ns: int) -> str:
    return format_duration(ns / 1e9)


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


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _clip(text: str, width: int) -> str:
    if width <= 1:
        return text[:width]
    return text if len(text) <= width else text[: width - 1] + "…"


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
    dups = a.duplicate_span_ids
    if dups:
        more = f" and {len(dups) - 3} more" if len(dups) > 3 else ""
        consoles.warn(
            f"{_plural(len(dups), 'span ID')} used by more than one span: "
            f"{', '.join(dups[:3])}{more} (repeats shown as <id>_1 …; children may attach "
            "to either)"
        )
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


def _extras(below: int, errors: int, on_cp: int, count: int) -> str:
    """`` (12 spans below, 2 errors, all on the critical path)`` for summary lines."""
    parts = []
    if below:
        parts.append(f"{below:,} spans below")
    if errors:
        parts.append(_plural(errors, "error"))
    if on_cp:
        parts.append("all on the critical path" if on_cp == count else f"{on_cp:,} on it")
    return f" ({', '.join(parts)})" if parts else ""


class _Waterfall:
    """Lays out the visible spans as lines; bounded by the view's line budget."""

    def __init__(
        self,
        a: TraceAnalysis,
        view: TraceView,
        width: int,
        logs: Mapping[str, Sequence[LogRecord]] | None = None,
    ) -> None:
        self.a = a
        self.logs = logs or {}
        self.view = view
        self.width = max(width, 40)
        self.label_w = min(70, max(24, self.width // 2))
        self.dur_w = 7
        self.bar_w = max(8, self.width - self.label_w - self.dur_w - 2)
        self.t0 = a.start_ns
        self.total = max(a.duration_ns, 1)
        self.lines: list[Text] = []
        self.hidden = 0
        self.budget = view.max_lines
        self.sizes = self._subtree_sizes()
        self.visible = self._service_filter()

    def _subtree_sizes(self) -> dict[str, int]:
        a = self.a
        sizes = dict.fromkeys(a.span_keys, 1)
        parent = a.parent
        for k in reversed(a.preorder):  # children before their parents
            p = parent[k]
            if p is not None:
                sizes[p] += sizes[k]
        return sizes

    def _service_filter(self) -> set[str] | None:
        svc = self.view.service
        if svc is None:
            return None
        keep: set[str] = set()
        for k, s in zip(self.a.span_keys, self.a.trace.spans, strict=True):
            if s.service == svc:
                cur: str | None = k
                while cur is not None and cur not in keep:
                    keep.add(cur)
                    cur = self.a.parent[cur]
        return keep

    def _shown(self, key: str) -> bool:
        span = self.a.span(key)
        if self.visible is not None and key not in self.visible:
            return False
        return span.duration_ns >= self.view.min_duration_ns

    def _bar(self, start: int, end: int, style: str, critical: bool) -> Text:
        scale = self.bar_w / self.total
        x0 = min(self.bar_w - 1, max(0, int((start - self.t0) * scale)))
        x1 = min(self.bar_w, max(x0 + 1, round((end - self.t0) * scale)))
        char = "█" if critical else "━"
        return Text(" " * x0).append(char * (x1 - x0), style=style).append(" " * (self.bar_w - x1))

    def _indent(self, depth: int) -> str:
        # Indentation stops growing at a third of the label column; deeper levels print
        # their depth instead.
        cap = max(3, min(MAX_INDENT, self.label_w // 6))
        if depth <= cap:
            return "  " * depth
        return "  " * (cap - 1) + f"{depth}›"

    def _emit(self, text: Text) -> bool:
        if self.budget is not None and len(self.lines) >= self.budget:
            return False
        self.lines.append(text)
        return True

    def _emit_span(self, key: str, depth: int, parent_service: str | None, below: int) -> bool:
        """The span's line, then its log lines (those that fit the line budget)."""
        if not self._emit(self.span_line(key, depth, parent_service, below)):
            return False
        for record in self.logs.get(self.a.span(key).span_id, ()):
            if not self._emit(self.log_line(record, depth + 1)):
                break
        return True

    def log_line(self, record: LogRecord, depth: int) -> Text:
        """``  ↳ +12.3ms ERROR message`` under its span."""
        offset = _dur(max(record.time_ns - self.t0, 0))
        style = _ERROR if record.is_error else _DIM
        line = Text(self._indent(depth)).append("↳ ", style=_DIM)
        line.append(f"+{offset} ", style=_DIM).append(record.severity or "LOG", style=style)
        line.append(" " + " ".join(record.body.split()), style=_ERROR if record.is_error else "")
        line.truncate(self.width)
        return line

    def span_line(
        self, key: str, depth: int, parent_service: str | None, hidden_below: int
    ) -> Text:
        a = self.a
        span = a.span(key)
        is_error = key in a.error_reasons
        on_cp = a.critical_path_ns.get(key, 0) > 0
        dim = self.visible is not None and span.service != self.view.service
        mark = "✗" if is_error else ("◆" if on_cp else "·")
        label = Text(self._indent(depth))
        label.append(mark + " ", style=_ERROR if is_error else (_CRITICAL if on_cp else _DIM))
        name = span.name or "(unnamed)"
        suffix = f" (+{hidden_below:,})" if hidden_below else ""
        room = self.label_w - len(label.plain) - len(suffix)
        if span.service != parent_service:
            svc = _clip(span.service, max(4, room // 2))
            label.append(svc, style=_DIM if dim else _SERVICE)
            label.append(" ")
            room -= len(svc) + 1
        label.append(_clip(name, max(1, room)), style=_ERROR if is_error else (_DIM if dim else ""))
        label.append(suffix, style=_DIM)
        label.truncate(self.label_w, pad=True)
        dur = Text(_dur(span.duration_ns).rjust(self.dur_w), style=_ERROR if is_error else "")
        style = _ERROR if is_error else (_CRITICAL if on_cp else _DIM)
        return (
            label.append(" ")
            .append(dur)
            .append(" ")
            .append(self._bar(span.start_ns, span.end_ns, style, on_cp))
        )

    def note_line(self, depth: int, text: str, style: str = _DIM) -> Text:
        line = Text(self._indent(depth)) + Text(text, style=style)
        line.truncate(self.width)
        return line

    def _children_items(self, key: str) -> Iterator[tuple[str, Any]]:
        """Children to draw: ``("span", key)`` or ``("run", (keys…))`` for collapsed repeats."""
        kids = [k for k in self.a.children[key] if self._shown(k)]
        self.hidden += sum(self.sizes[k] for k in self.a.children[key]) - sum(
            self.sizes[k] for k in kids
        )
        yield from self._group(kids)

    def _group(self, kids: list[str]) -> Iterator[tuple[str, Any]]:
        if len(kids) <= RUN_COLLAPSE or self.view.max_lines is None:
            for k in kids:
                yield "span", k
            return
        counts: dict[tuple[str, str], list[str]] = {}
        for k in kids:
            s = self.a.span(k)
            counts.setdefault((s.service, s.name), []).append(k)
        for k in kids:
            s = self.a.span(k)
            group = counts[(s.service, s.name)]
            if len(group) <= RUN_COLLAPSE:
                yield "span", k
            elif k == group[0]:
                # The group's first members in place, then one line for the rest of them.
                for member in group[:RUN_SHOWN]:
                    yield "span", member
                yield "run", tuple(group[RUN_SHOWN:])

    def run_line(self, keys: tuple[str, ...], depth: int) -> Text:
        a = self.a
        first = a.span(keys[0])
        total = sum(a.span(k).duration_ns for k in keys)
        below = sum(self.sizes[k] - 1 for k in keys)
        errors = sum(1 for k in keys if k in a.error_reasons)
        cp = sum(1 for k in keys if a.critical_path_ns.get(k, 0) > 0)
        text = f"… {len(keys):,} more `{first.name}` spans, total {_dur(total)}"
        text += _extras(below, errors, cp, len(keys))
        return self.note_line(depth, text, _ERROR if errors else _DIM)

    def _only_child(self, key: str, depth: int) -> str | None:
        """The single shown child of ``key`` (drawn at ``depth``), or ``None``."""
        max_depth = self.view.max_depth
        if max_depth is not None and depth + 1 >= max_depth:
            return None
        kids = self.a.children[key]
        if len(kids) != 1 or not self._shown(kids[0]):
            return None
        return kids[0]

    def _collapse_chain(
        self, first: str, depth: int, parent_service: str | None
    ) -> tuple[str, int, str | None] | None:
        """Long single-child chains (recursion, deep call stacks) keep their first and last
        levels; the middle becomes one line, so a deep part cannot use up the line budget.

        Returns the chain's last span (to be drawn by the caller with its subtree), its depth
        and its parent's service; or ``None`` when the budget ran out.
        """
        chain = [first]
        while True:
            nxt = self._only_child(chain[-1], depth + len(chain) - 1)
            if nxt is None:
                break
            chain.append(nxt)
        if len(chain) <= CHAIN_COLLAPSE:
            return first, depth, parent_service
        # Every chain member but the last has exactly one child, the next member: nothing is
        # hidden along the way.
        a = self.a
        head, middle, tail = chain[:CHAIN_HEAD], chain[CHAIN_HEAD:-CHAIN_TAIL], chain[-CHAIN_TAIL:]
        service = parent_service
        d = depth
        for k in head:
            if not self._emit_span(k, d, service, 0):
                self.hidden += self.sizes[k]
                return None
            service = a.span(k).service
            d += 1
        names: dict[str, int] = {}
        for k in middle:
            name = a.span(k).name
            names[name] = names.get(name, 0) + 1
        if len(names) == 1:
            text = f"… {len(middle):,} nested `{next(iter(names))}` spans"
        else:
            common = sorted(names.items(), key=lambda kv: -kv[1])[:2]
            text = (
                f"… {len(middle):,} nested spans ("
                + ", ".join(f"`{n}` ×{c:,}" for n, c in common)
                + (", …)" if len(names) > 2 else ")")
            )
        text += _extras(
            0,
            sum(1 for k in middle if k in a.error_reasons),
            sum(1 for k in middle if a.critical_path_ns[k] > 0),
            len(middle),
        )
        errors = any(k in a.error_reasons for k in middle)
        if not self._emit(self.note_line(d, text, _ERROR if errors else _DIM)):
            self.hidden += self.sizes[middle[0]]
            return None
        d += len(middle)
        service = a.span(middle[-1]).service
        for k in tail[:-1]:
            if not self._emit_span(k, d, service, 0):
                self.hidden += self.sizes[k]
                return None
            service = a.span(k).service
            d += 1
        return tail[-1], d, service

    def build(self) -> list[Text]:
        a = self.a
        tops: list[tuple[int, str, Any]] = []
        for k in a.root_span_ids + a.cycle_span_ids:
            tops.append((a.span(k).start_ns, "span", k))
        for pid, orphans in a.missing_parents.items():
            tops.append((min(a.span(k).start_ns for k in orphans), "missing", (pid, orphans)))
        tops.sort(key=lambda t: t[0])
        # Explicit stack of (item kind, payload, depth, parent service).
        stack: list[tuple[str, Any, int, str | None]] = [
            (kind, payload, 0, None) for _, kind, payload in reversed(tops)
        ]
        max_depth = self.view.max_depth
        while stack:
            kind, payload, depth, parent_service = stack.pop()
            if kind == "missing":
                pid, orphans = payload
                if not self._emit(
                    self.note_line(
                        depth, f"⚠ missing parent span {pid} (not in this trace)", "yellow"
                    )
                ):
                    self.hidden += sum(self.sizes[k] for k in orphans)
                    continue
                shown = [k for k in orphans if self._shown(k)]
                self.hidden += sum(self.sizes[k] for k in orphans) - sum(
                    self.sizes[k] for k in shown
                )
                for item in reversed(list(self._group(shown))):
                    stack.append((*item, depth + 1, None))
                continue
            if kind == "run":
                if not self._emit(self.run_line(payload, depth)):
                    self.hidden += sum(self.sizes[k] for k in payload)
                continue
            key = payload
            if not self._shown(key):
                self.hidden += self.sizes[key]
                continue
            cut = max_depth is not None and depth + 1 >= max_depth
            below = self.sizes[key] - 1 if cut else 0
            if not self._emit_span(key, depth, parent_service, below):
                self.hidden += self.sizes[key]
                continue
            if cut:
                continue
            service: str | None = a.span(key).service
            items = list(self._children_items(key))
            if self.view.max_lines is not None and len(items) == 1 and items[0][0] == "span":
                last = self._collapse_chain(items[0][1], depth + 1, service)
                if last is None:
                    continue
                items = [("span", last[0])]
                depth, service = last[1] - 1, last[2]
            for item in reversed(items):
                stack.append((*item, depth + 1, service))
        return self.lines


def _services_table(a: TraceAnalysis) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("SERVICE", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("SPANS", justify="right", no_wrap=True)
    table.add_column("ERRORS", justify="right", no_wrap=True)
    table.add_column("SELF TIME", justify="right", no_wrap=True)
    table.add_column("CRITICAL PATH", justify="right", no_wrap=True)
    cp_total = sum(s.critical_path_ns for s in a.services) or 1
    for s in a.services[:20]:
        share = f"{_dur(s.critical_path_ns)} ({100 * s.critical_path_ns / cp_total:.0f}%)"
        table.add_row(
            Text(s.service, style=_SERVICE),
            f"{s.span_count:,}",
            Text(f"{s.error_count:,}", style=_ERROR if s.error_count else ""),
            _dur(s.self_time_ns),
            share if s.critical_path_ns else "-",
        )
    if len(a.services) > 20:
        table.add_row(Text(f"… {len(a.services) - 20} more services", style=_DIM), "", "", "", "")
    return table


def _errors_block(a: TraceAnalysis, consoles: Consoles) -> None:
    if not a.error_span_ids:
        return
    out = consoles.out
    out.print(Text("\nErrors", style="bold"))
    origins = set(a.error_origin_ids)
    shown = [k for k in a.error_span_ids if k in origins][:5]
    for k in shown:
        span = a.span(k)
        line = Text("  ✗ ", style=_ERROR).append(span.service, style=_SERVICE)
        line.append(f" {span.name} ({k}): {a.error_reasons[k]}", style=_ERROR)
        out.print(line, overflow="fold")
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
                out.print(Text(text, style=_DIM), overflow="fold")
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
    by_span: dict[str, list[LogRecord]] = {}
    for record in result.logs:
        by_span.setdefault(record.span_id or "", []).append(record)
    wf = _Waterfall(a, result.view, out.width, by_span)
    lines = wf.build()
    legend = Text("◆ critical path  ✗ error", style=_DIM)
    scale = Text(
        f"0{' ' * (wf.bar_w - len(_dur(a.duration_ns)) - 1)}{_dur(a.duration_ns)}", style=_DIM
    )
    head = Text(_clip("SPAN", wf.label_w).ljust(wf.label_w), style="bold")
    head.append(" " + "DUR".rjust(wf.dur_w) + " ", style="bold").append(scale)
    out.print(head, no_wrap=True, overflow="crop")
    for line in lines:
        out.print(line, no_wrap=True, overflow="crop")
    if wf.hidden:
        hint = "--full, --depth, --min-duration, --service or -o json"
        out.print(Text(f"… {_plural(wf.hidden, 'span')} not shown ({hint})", style=_DIM))
    out.print(legend)
    span_ids = {s.span_id for s in a.trace.spans}
    loose = [r for r in result.logs if r.span_id not in span_ids]
    if loose:
        out.print(Text(f"\nLogs of the trace outside its spans ({len(loose):,})", style="bold"))
        for record in loose[:50]:
            out.print(wf.log_line(record, 0), no_wrap=True, overflow="crop")
    _errors_block(a, consoles)
    out.print(Text("\nServices", style="bold"))
    out.print(_services_table(a))
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
    out = consoles.out
    if not result.traces:
        consoles.note(f"no traces found in {result.backend} for {result.query}")
        return
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("TRACE ID", no_wrap=True, min_width=32)
    # Trace IDs stay whole (they are what one copies); ROOT takes what is left.
    root_w = max(8, out.width - (32 + 16 + 6 + 5 + 3 + 5 * 2))
    table.add_column("ROOT", overflow="ellipsis", no_wrap=True, max_width=root_w)
    table.add_column("START", no_wrap=True, min_width=16)
    table.add_column("DUR", justify="right", no_wrap=True, min_width=6)
    table.add_column("SPANS", justify="right", no_wrap=True, min_width=5)
    table.add_column("ERR", justify="right", no_wrap=True, min_width=3)
    for s in result.traces:
        root = Text(s.root_service, style=_SERVICE)
        if s.root_name:
            root.append(f": {s.root_name}")
        local = s.start.astimezone().strftime("%Y-%m-%d %H:%M")
        errors = s.error_count
        table.add_row(
            Text(s.trace_id),
            root,
            local,
            _dur(s.duration_ns),
            "-" if s.span_count is None else f"{s.span_count:,}",
            Text("-" if errors is None else f"{errors:,}", style=_ERROR if errors else ""),
        )
    out.print(table)
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
