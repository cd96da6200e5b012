"""A trace's log records: under their spans in text, ``logs[]`` in JSON."""

from __future__ import annotations

import io
import json
from dataclasses import replace

from rich.console import Console

from obsctl.analysis.traces import analyze_trace
from obsctl.model.logs import LogRecord
from obsctl.model.trace_analysis import FetchedTrace, TraceResult
from obsctl.model.traces import Span, SpanKind, Trace
from obsctl.render import emit
from obsctl.render import trace as _render  # noqa: F401 - registers renderers
from obsctl.render.console import Consoles

TID = "a" * 32
MS = 1_000_000
T0 = 1_764_064_800_000_000_000


def _span(i: int, parent: int | None, name: str) -> Span:
    return Span(
        TID,
        f"{i:016x}",
        f"{parent:016x}" if parent is not None else None,
        name,
        "api",
        SpanKind.SERVER,
        T0 + i * MS,
        T0 + (10 - i) * MS * 10,
    )


LOGS = (
    LogRecord(T0 + 2 * MS, "api", 9, "INFO", "starting [bold]x[/x]", TID, f"{2:016x}"),
    LogRecord(
        T0 + 5 * MS, "db", 17, "ERROR", "deadlock\n  detected", TID, f"{2:016x}", (("k", 1),)
    ),
    LogRecord(T0 + 6 * MS, "api", 0, "notice", "outside any span", TID, None),
)


def _draw(fmt: str) -> str:
    trace = Trace(TID, (_span(1, None, "GET /"), _span(2, 1, "SELECT")))
    result = TraceResult(
        FetchedTrace(trace, b"", "local", "store"), analyze_trace(trace), logs=LOGS
    )
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, markup=False, highlight=False)
    emit(result, fmt, Consoles(out=console, err=console))
    return out.getvalue()


def test_text_puts_each_record_under_its_span_verbatim() -> None:
    lines = _draw("text").splitlines()
    at = next(i for i, ln in enumerate(lines) if "SELECT" in ln)
    # Offsets from the trace start (T0 + 1 ms); markup-looking text stays as written;
    # multi-line bodies become one line.
    assert lines[at + 1].strip() == "↳ +1ms INFO starting [bold]x[/x]"
    assert lines[at + 2].strip() == "↳ +4ms ERROR deadlock detected"
    rest = "\n".join(lines[at + 3 :])
    assert "Logs of the trace outside its spans (1)" in rest
    assert "↳ +5ms notice outside any span" in rest


def test_json_lists_the_records() -> None:
    doc = json.loads(_draw("json"))
    assert doc["logs"][1] == {
        "time": "2025-11-25T10:00:00.005Z",
        "span_id": f"{2:016x}",
        "service": "db",
        "severity": "ERROR",
        "severity_number": 17,
        "body": "deadlock\n  detected",
        "attributes": {"k": 1},
    }
    assert [lg["severity"] for lg in doc["logs"]] == ["INFO", "ERROR", "notice"]


def test_no_log_source_means_an_empty_list() -> None:
    trace = Trace(TID, (_span(1, None, "GET /"),))
    result = replace(
        TraceResult(FetchedTrace(trace, b"", "tempo", "/api"), analyze_trace(trace)), logs=()
    )
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, markup=False, highlight=False)
    emit(result, "json", Consoles(out=console, err=console))
    assert json.loads(out.getvalue())["logs"] == []
