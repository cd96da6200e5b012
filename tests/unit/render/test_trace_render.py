"""Trace renderers: bounded waterfall (runs, chains, budget), span detail, JSON schema."""

from __future__ import annotations

import io
import json

from rich.console import Console

from obsctl.analysis.traces import analyze_trace
from obsctl.model.trace_analysis import FetchedTrace, TraceResult, TraceView
from obsctl.model.traces import Span, SpanKind, StatusCode, Trace
from obsctl.render import emit
from obsctl.render.console import Consoles
from obsctl.render.trace import rfc3339_ns

TID = "a" * 32
MS = 1_000_000


def span(
    i: int, parent: int | None, start: int, end: int, name: str, service: str = "api", **kw
) -> Span:
    return Span(
        TID,
        f"{i:016x}",
        f"{parent:016x}" if parent is not None else None,
        name,
        service,
        SpanKind.INTERNAL,
        start,
        end,
        **kw,
    )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(
    spans: list[Span],
    fmt: str = "text",
    view: TraceView | None = None,
    width: int = 80,
    *,
    tty: bool = False,
):
    trace = Trace(TID, tuple(spans))
    result = TraceResult(
        FetchedTrace(trace, b"{}", "t.json", "otlp"), analyze_trace(trace), view=view or TraceView()
    )
    out, err = (Tty() if tty else io.StringIO()), io.StringIO()
    consoles = Consoles(
        out=Console(file=out, width=width, color_system=None, markup=False, highlight=False),
        err=Console(file=err, width=width, color_system=None, markup=False, highlight=False),
    )
    emit(result, fmt, consoles)
    return out.getvalue(), err.getvalue()


def big_trace() -> list[Span]:
    spans = [span(1, None, 0, 1000 * MS, "GET /")]
    # A 40-deep recursion under the root.
    for d in range(40):
        spans.append(span(100 + d, 1 if d == 0 else 99 + d, d * MS, (400 - d) * MS, "recurse"))
    # 100 sequential SELECTs under one span.
    spans.append(span(2, 1, 500 * MS, 900 * MS, "load", "db"))
    for k in range(100):
        spans.append(
            span(1000 + k, 2, 500 * MS + k * 4 * MS, 500 * MS + k * 4 * MS + 3 * MS, "SELECT", "db")
        )
    return spans


def test_runs_and_chains_collapse():
    text, err = render(big_trace())
    assert err == ""
    lines = text.splitlines()
    assert "          8›… 30 nested `recurse` spans (all on the critical path)" in lines
    assert sum("recurse" in line for line in lines) == 1 + 6 + 1 + 3
    assert "    … 98 more `SELECT` spans, total 294ms (all on the critical path)" in lines
    assert sum("SELECT" in line for line in lines) == 3
    assert max(len(line) for line in lines) <= 80
    assert len(lines) < 40


def test_full_draws_every_span():
    text, _ = render(big_trace(), view=TraceView(max_lines=None))
    assert sum(" SELECT " in line for line in text.splitlines()) == 100
    assert sum(" recurse " in line for line in text.splitlines()) == 40


def test_line_budget_counts_what_is_left_out():
    text, _ = render(big_trace(), view=TraceView(max_lines=5))
    waterfall = [
        ln for ln in text.splitlines() if "recurse" in ln or "SELECT" in ln or "GET /" in ln
    ]
    assert len(waterfall) <= 6
    assert "spans not shown (--full, --depth, --min-duration, --service or -o json)" in text


def test_orphans_under_missing_parent_and_warning():
    spans = [span(1, None, 0, 10 * MS, "root"), span(2, 99, 2 * MS, 4 * MS, "lost")]
    text, err = render(spans)
    assert "⚠ missing parent span 0000000000000063 (not in this trace)" in text
    assert "  · api lost                                 2ms       ━━━━━━" in text
    assert "this trace may be incomplete: 1 span under 1 missing parent" in err


def test_span_detail_view():
    spans = [
        span(
            1,
            None,
            0,
            10 * MS,
            "root",
            status_code=StatusCode.ERROR,
            status_message="boom",
            attributes=(("http.route", "/x"), ("retries", (1, 2))),
        ),
    ]
    text, _ = render(spans, view=TraceView(span="1"))
    assert text.splitlines()[0] == "Span 0000000000000001  api: root"
    assert "  status    ERROR: boom" in text
    assert "  retries     [1, 2]" in text


def test_json_schema_fields():
    text, _ = render(big_trace(), fmt="json")
    doc = json.loads(text)
    assert doc["span_count"] == 142
    assert doc["duration_ms"] == 1000.0
    first = doc["spans"][0]
    assert set(first) >= {
        "span_id",
        "parent_span_id",
        "service",
        "name",
        "kind",
        "start_time",
        "duration_ms",
        "self_time_ms",
        "critical_path_ms",
        "error",
    }
    assert sum(s["critical_path_ms"] for s in doc["spans"]) == 1000.0


def test_rfc3339_ns():
    assert rfc3339_ns(1_764_064_800_000_000_001) == "2025-11-25T10:00:00.000000001Z"
    assert rfc3339_ns(0) == "1970-01-01T00:00:00Z"


LONG = "SELECT orders.id, orders.total FROM orders JOIN customers ON customers.id = orders.cid"
LONG_SERVICE = "payments-database-read-replica-eu-west-1"


def long_names() -> list[Span]:
    return [
        span(1, None, 0, 100 * MS, "GET /checkout", "frontend"),
        span(2, 1, 10 * MS, 60 * MS, LONG, LONG_SERVICE),
        span(3, 1, 60 * MS, 90 * MS, "render", "frontend"),
    ]


def test_waterfall_on_a_terminal_shortens_names_to_fit():
    out, _ = render(long_names(), tty=True)
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert LONG not in out and LONG_SERVICE not in out
    assert any(
        "…" in line and line.lstrip().startswith("· payments-database… SELECT") for line in lines
    )


def test_waterfall_piped_or_wide_keeps_names_whole_and_bars_aligned():
    for out in (render(long_names())[0], render(long_names(), "wide", tty=True)[0]):
        lines = out.splitlines()
        assert f"{LONG_SERVICE} {LONG}" in out
        assert [line for line in lines if line != line.rstrip()] == []
        rows = [line for line in lines if "ms " in line and ("█" in line or "━" in line)]
        assert len(rows) == 3
        # Durations end in one column, whatever the length of the names before them.
        assert len({line.index("ms ") for line in rows}) == 1
        head = next(line for line in lines if line.startswith("SPAN"))
        assert head.index("DUR") + 3 == rows[0].index("ms ") + 2
        # The services table: the long service name whole too.
        assert any(line.startswith(LONG_SERVICE + "  ") for line in lines)


def test_services_table_on_a_terminal_fits():
    out, _ = render(long_names(), tty=True, width=60)
    table = out.split("Services\n", 1)[1].splitlines()
    assert table[0].startswith("SERVICE") and all(len(line) <= 60 for line in table)


def render_search(fmt: str, *, tty: bool) -> str:
    from datetime import UTC, datetime

    from obsctl.model.trace_analysis import TraceSearchResult
    from obsctl.model.traces import TraceSummary

    root = "POST /api/v2/checkout/{cart_id}/confirm-payment-and-reserve-inventory"
    summary = TraceSummary(TID, "checkout", root, datetime(2025, 11, 25, tzinfo=UTC), 120 * MS, 5)
    out = Tty() if tty else io.StringIO()
    consoles = Consoles(
        out=Console(file=out, width=80, color_system=None, markup=False, highlight=False),
        err=Console(file=io.StringIO(), width=80, color_system=None),
    )
    emit(TraceSearchResult("tempo", "{}", (summary,), 20), fmt, consoles)
    return out.getvalue()


def test_search_on_a_terminal_shortens_root_and_wide_does_not():
    lines = render_search("text", tty=True).splitlines()
    assert all(len(line) <= 80 for line in lines)
    # Trace IDs stay whole (they are what one copies); ROOT gives up the width.
    assert lines[1].startswith(f"{TID}  checkout…  20")
    wide = render_search("wide", tty=True)
    assert wide == render_search("text", tty=False)
    assert "confirm-payment-and-reserve-inventory  " in wide
