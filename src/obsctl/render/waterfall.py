"""The trace waterfall: visible spans laid out as an indented tree with durations and bars.

A span's children that repeat one operation many times collapse into a summary line, long
single-child chains collapse to their ends, deep levels stop indenting, and a line budget
caps the rest, so the waterfall stays bounded for huge traces. ``render.trace`` draws the
rest of the trace view around it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from obsctl.model.logs import LogRecord
from obsctl.model.time import format_duration
from obsctl.model.trace_analysis import TraceAnalysis, TraceView

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


def _dur(ns: int) -> str:
    return format_duration(ns / 1e9)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _clip(text: str, width: int) -> str:
    if width <= 1:
        return text[:width]
    return text if len(text) <= width else text[: width - 1] + "…"


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
        *,
        clip: bool = True,
    ) -> None:
        self.a = a
        self.clip = clip
        """Shorten names to the width (on a terminal); else the label column grows to fit."""
        self.span_labels: list[tuple[int, int]] = []
        """Unclipped: (line index, label length) of each span line, for ``align_labels``."""
        self._label_len = 0
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
        self.sizes = a.subtree_size
        self.visible = self._service_filter()

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
        if not self.clip:
            self.span_labels.append((len(self.lines) - 1, self._label_len))
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
        if self.clip:
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
            svc = _clip(span.service, max(4, room // 2)) if self.clip else span.service
            label.append(svc, style=_DIM if dim else _SERVICE)
            label.append(" ")
            room -= len(svc) + 1
        if self.clip:
            name = _clip(name, max(1, room))
        label.append(name, style=_ERROR if is_error else (_DIM if dim else ""))
        label.append(suffix, style=_DIM)
        self._label_len = len(label.plain)
        if self.clip or self._label_len < self.label_w:
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
        if self.clip:
            line.truncate(self.width)
        return line

    def _children_items(self, key: str) -> Iterator[tuple[str, Any]]:
        """Children to draw: ``("span", key)`` or ``("run", (keys…))`` for collapsed repeats."""
        children = self.a.children[key]
        # What _shown does, inlined: a span can have tens of thousands of children.
        spans, index = self.a.trace.spans, self.a.index
        visible, min_ns = self.visible, self.view.min_duration_ns
        kids = [
            k
            for k in children
            if (visible is None or k in visible)
            and (s := spans[index[k]]).end_ns - s.start_ns >= min_ns
        ]
        if len(kids) != len(children):
            sizes = self.sizes
            self.hidden += sum(sizes[k] for k in children) - sum(sizes[k] for k in kids)
        yield from self._group(kids)

    def _group(self, kids: list[str]) -> Iterator[tuple[str, Any]]:
        if len(kids) <= RUN_COLLAPSE or self.view.max_lines is None:
            for k in kids:
                yield "span", k
            return
        spans, index = self.a.trace.spans, self.a.index
        ops = [((s := spans[index[k]]).service, s.name) for k in kids]
        counts: dict[tuple[str, str], list[str]] = {}
        for k, op in zip(kids, ops, strict=True):
            group = counts.get(op)
            if group is None:
                counts[op] = [k]
            else:
                group.append(k)
        for k, op in zip(kids, ops, strict=True):
            group = counts[op]
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
        spans, index, sizes, cp_ns = a.trace.spans, a.index, self.sizes, a.critical_path_ns
        total = sum((s := spans[index[k]]).end_ns - s.start_ns for k in keys)
        below = sum(sizes[k] for k in keys) - len(keys)
        errors = sum(map(a.error_reasons.__contains__, keys)) if a.error_reasons else 0
        cp = sum(1 for k in keys if cp_ns[k] > 0)
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

    def align_labels(self) -> None:
        """Unclipped, widen the label column to the longest label drawn, so that durations and
        bars stay aligned (only the lines drawn are measured: bounded by the line budget)."""
        longest = max((n for _, n in self.span_labels), default=0)
        if longest <= self.label_w:
            return
        for i, n in self.span_labels:
            line = self.lines[i]
            head, tail = line.divide([max(n, self.label_w)])
            self.lines[i] = head.append(" " * (longest - max(n, self.label_w))).append_text(tail)
        self.label_w = longest


def print_waterfall(
    a: TraceAnalysis,
    view: TraceView,
    out: Console,
    logs: Sequence[LogRecord] = (),
    width: int | None = None,
) -> None:
    """The waterfall with its column header, what it left out, and the legend; each log
    record under its span (those of no span of the trace after the legend).

    ``width``: the terminal's, names shortened to fit; ``None`` (off a terminal, ``-o wide``):
    nothing shortened, bars as wide as on an ``out.width`` terminal.
    """
    by_span: dict[str, list[LogRecord]] = {}
    for record in logs:
        by_span.setdefault(record.span_id or "", []).append(record)
    wf = _Waterfall(a, view, out.width if width is None else width, by_span, clip=width is not None)
    lines = wf.build()
    wf.align_labels()

    def show(line: Text) -> None:
        if wf.clip:
            out.print(line, no_wrap=True, overflow="crop")
        else:  # no cropping, and no trailing blanks (the bars' right margin)
            line.rstrip()
            out.print(line, soft_wrap=True)

    legend = Text("◆ critical path  ✗ error", style=_DIM)
    scale = Text(
        f"0{' ' * (wf.bar_w - len(_dur(a.duration_ns)) - 1)}{_dur(a.duration_ns)}", style=_DIM
    )
    head = Text(_clip("SPAN", wf.label_w).ljust(wf.label_w), style="bold")
    head.append(" " + "DUR".rjust(wf.dur_w) + " ", style="bold").append(scale)
    # One print for the header and every line, as ``show`` prints each of them (cropped
    # to the width, or without trailing blanks): rich's cost per print call (~0.1 ms) was a
    # third of the text render.
    if wf.clip:
        out.print(Text("\n").join([head, *lines]), no_wrap=True, overflow="crop")
    else:
        for line in (head, *lines):
            line.rstrip()
        out.print(Text("\n").join([head, *lines]), soft_wrap=True)
    if wf.hidden:
        hint = "--full, --depth, --min-duration, --service or -o json"
        out.print(Text(f"… {_plural(wf.hidden, 'span')} not shown ({hint})", style=_DIM))
    out.print(legend)
    span_ids = {s.span_id for s in a.trace.spans} if logs else set()
    loose = [r for r in logs if r.span_id not in span_ids]
    if loose:
        out.print(Text(f"\nLogs of the trace outside its spans ({len(loose):,})", style="bold"))
        for record in loose[:50]:
            show(wf.log_line(record, 0))
