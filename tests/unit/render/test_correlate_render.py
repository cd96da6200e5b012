"""Renderers of ``correlate``: text at 80 columns, the JSON contract, Markdown notes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from obsctl.model.alerts import AlertRule, AlertWindow, WindowSource, make_labels
from obsctl.model.correlation import (
    Bottleneck,
    CorrelationResult,
    LatencySource,
    PathShare,
    RankBy,
    RankedTrace,
    SlowerOperation,
)
from obsctl.model.time import TimeRange
from obsctl.model.trace_analysis import TraceLinks
from obsctl.render import emit
from obsctl.render.console import Consoles
from obsctl.render.correlate import correlation_json, correlation_markdown

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MS = 1_000_000


@pytest.fixture
def correlation() -> CorrelationResult:
    """Two windows, a fetched and a missing trace, bottlenecks and a baseline."""
    return sample()


def sample() -> CorrelationResult:
    w = AlertWindow(
        start=NOW - timedelta(minutes=31),
        end=NOW - timedelta(minutes=9),
        labels=make_labels({"service": "checkout", "severity": "page"}),
        sources=(WindowSource.ALERTS, WindowSource.RULES),
        pending_since=NOW - timedelta(minutes=35),
    )
    w2 = AlertWindow(
        start=NOW - timedelta(minutes=5),
        end=NOW,
        labels=make_labels({"service": "checkout", "severity": "page"}),
        sources=(WindowSource.ALERTMANAGER,),
        open=True,
    )
    traces = (
        RankedTrace(
            1,
            "4bf92f3577b34da6a3ce929d0e0e4736",
            0,
            ("exemplar", "search:tempo"),
            True,
            1_234 * MS,
            LatencySource.ROOT_SPAN,
            3_000 * MS,
            2,
            NOW - timedelta(minutes=20),
            "checkout",
            "POST /checkout",
            PathShare("payments-db", "SELECT orders", 876 * MS),
            0.71,
            critical_path=(
                PathShare("payments-db", "SELECT orders", 876 * MS),
                PathShare("checkout", "POST /checkout", 358 * MS),
            ),
            error_spans=(("payments-db", "SELECT orders"), ("checkout", "POST /checkout")),
        ),
        RankedTrace(
            2,
            "00000000000000000000000000abc123",
            1,
            ("exemplar",),
            False,
            950 * MS,
            LatencySource.EXEMPLAR,
            None,
            None,
            NOW - timedelta(minutes=3),
            None,
            None,
            note="not found (expired or sampled out?)",
        ),
    )
    return CorrelationResult(
        alert="HighCheckoutLatency",
        range=TimeRange(NOW - timedelta(hours=1), NOW),
        windows=(w, w2),
        traces=traces,
        bottlenecks=(
            Bottleneck("payments-db", "SELECT orders", 876 * MS, 0.71, 1, 1, 1),
            Bottleneck("checkout", "POST /checkout", 358 * MS, 0.29, 0, 1, 1),
        ),
        slower=(SlowerOperation("payments-db", "SELECT orders", 45 * MS, 820 * MS, 12, 1),),
        baseline=TimeRange(NOW - timedelta(minutes=53), NOW - timedelta(minutes=31)),
        baseline_traces=12,
        rank_by=RankBy.LATENCY,
        rule=AlertRule(
            "HighCheckoutLatency", "x > 0.4", timedelta(minutes=5), source="r.yml", line=7
        ),
        candidates=14,
        sources=("rule expression", "ALERTS series", "Alertmanager", "exemplars", "tempo search"),
        skipped=("skipped jaeger search: cannot connect to Jaeger at http://localhost:16686",),
        links={
            "4bf92f3577b34da6a3ce929d0e0e4736": TraceLinks(
                jaeger_ui="https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736"
            )
        },
        slack_s=60.0,
    )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(result: CorrelationResult, fmt: str, width: int = 80, *, tty: bool = False) -> str:
    out = Tty() if tty else io.StringIO()
    console = Console(file=out, width=width, color_system=None, markup=False, highlight=False)
    emit(result, fmt, Consoles(out=console, err=Console(file=io.StringIO())))
    return out.getvalue().rstrip("\n")


# Piped (not a terminal), COLUMNS=80: nothing is cut or wrapped, and no line ends in a blank.
TEXT_PIPED = """\
HighCheckoutLatency: 2 firing windows in 2026-11-25 09:00:00–10:00:00 UTC
#  START     END                DURATION  LABELS                          SOURCES
1  09:29:00  09:51:00             22m00s  service=checkout severity=page  alerts_series, rules
2  09:55:00  10:00:00 (firing)     5m00s  service=checkout severity=page  alertmanager

Traces ranked by latency: 2 of 14 candidates
  #  TRACE ID                          START     LATENCY  EXTENT  ERR  SERVICE
  1  4bf92f3577b34da6a3ce929d0e0e4736  09:40:00    1.23s      3s    2  checkout
      bottleneck payments-db SELECT orders (71% of its critical path); root checkout POST /checkout
  2  00000000000000000000000000abc123  09:57:00   950ms*       -    -  -
      not found (expired or sampled out?)
  * latency from the search or the exemplar: trace not fetched

Bottlenecks: critical-path time across 1 trace
  payments-db SELECT orders: 71% of critical-path time; the largest share in 1 of 1 trace
  checkout POST /checkout: 29% of critical-path time; the largest share in 0 of 1 trace

Compared with the baseline 09:07:00–09:29:00 (12 traces)
  payments-db SELECT orders: median 45ms → 820ms (+775ms, 18.2×; 12 vs 1 spans)

Links
   1 jaeger: https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736"""

# On an 80-column terminal: the labels column gives up width, long lines wrap.
TEXT_TTY_HEAD = """\
HighCheckoutLatency: 2 firing windows in 2026-11-25 09:00:00–10:00:00 UTC
#  START     END                DURATION  LABELS            SOURCES
1  09:29:00  09:51:00             22m00s  service=checkou…  alerts_series, rules
2  09:55:00  10:00:00 (firing)     5m00s  service=checkou…  alertmanager

Traces ranked by latency: 2 of 14 candidates
  #  TRACE ID                          START     LATENCY  EXTENT  ERR  SERVICE
  1  4bf92f3577b34da6a3ce929d0e0e4736  09:40:00    1.23s      3s    2  checkout
      bottleneck payments-db SELECT orders (71% of its critical path); root
      checkout POST /checkout"""


def test_text_piped_is_never_cut(correlation: CorrelationResult) -> None:
    text = render(correlation, "text")
    assert text == TEXT_PIPED
    assert not [line for line in text.splitlines() if line != line.rstrip()]


def test_text_on_an_80_column_terminal_fits_and_wide_does_not_cut(
    correlation: CorrelationResult,
) -> None:
    text = render(correlation, "text", tty=True)
    assert text.startswith(TEXT_TTY_HEAD)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert render(correlation, "wide", tty=True) == TEXT_PIPED


def test_json_contract(correlation: CorrelationResult) -> None:
    doc = json.loads(render(correlation, "json"))
    assert doc == correlation_json(correlation)
    assert doc["schema_version"] == 1
    assert doc["alert"] == "HighCheckoutLatency"
    assert doc["windows"][0] == {
        "start": "2026-11-25T09:29:00Z",
        "end": "2026-11-25T09:51:00Z",
        "labels": {"service": "checkout", "severity": "page"},
        "sources": ["alerts_series", "rules"],
        "pending_since": "2026-11-25T09:25:00Z",
        "open": False,
    }
    first, second = doc["traces"]
    assert {k: first[k] for k in ("trace_id", "window", "latency_ms", "sources", "found")} == {
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "window": 0,
        "latency_ms": 1234.0,
        "sources": ["exemplar", "search:tempo"],
        "found": True,
    }
    assert first["error_count"] == 2
    assert first["critical_path"] == [
        {"service": "payments-db", "operation": "SELECT orders", "critical_path_ms": 876.0},
        {"service": "checkout", "operation": "POST /checkout", "critical_path_ms": 358.0},
    ]
    assert first["error_spans"] == [
        {"service": "payments-db", "operation": "SELECT orders"},
        {"service": "checkout", "operation": "POST /checkout"},
    ]
    assert (second["critical_path"], second["error_spans"]) == ([], [])
    assert first["links"] == {
        "jaeger": "https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736"
    }
    assert (second["found"], second["latency_source"], second["error_count"]) == (
        False,
        "exemplar",
        None,
    )
    assert doc["bottlenecks"][0] == {
        "service": "payments-db",
        "operation": "SELECT orders",
        "critical_path_share": 0.71,
        "critical_path_ms": 876.0,
        "traces_dominant": 1,
        "traces_on_path": 1,
        "traces_total": 1,
    }
    assert doc["slower_operations"][0]["delta_ms"] == 775.0
    assert doc["baseline"] == {
        "start": "2026-11-25T09:07:00Z",
        "end": "2026-11-25T09:29:00Z",
        "traces": 12,
    }


def test_markdown_incident_notes(correlation: CorrelationResult) -> None:
    md = correlation_markdown(correlation)
    assert render(correlation, "markdown") == md.rstrip("\n")
    assert md.startswith("## Incident notes: HighCheckoutLatency\n")
    assert (
        "| 1 | [`4bf92f3577b34da6a3ce929d0e0e4736`]"
        "(https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736) | 2026-11-25T09:40:00Z"
        " | 1.23s | 3s | checkout POST /checkout | 2 | `payments-db SELECT orders` (71%) |"
    ) in md
    assert (
        "- **payments-db** `SELECT orders`: 71% of critical-path time; the largest share in 1 "
        "of 1 trace\n"
    ) in md
    assert "| 2 | 2026-11-25T09:55:00Z | 2026-11-25T10:00:00Z (still firing) | 5m00s |" in md
    assert "- skipped jaeger search: cannot connect to Jaeger at http://localhost:16686\n" in md


def test_times_in_a_range_share_one_format() -> None:
    from datetime import UTC, datetime

    from obsctl.render import correlate as rc

    day = rc._time_format(
        datetime(2026, 11, 25, 1, tzinfo=UTC), datetime(2026, 11, 25, 9, tzinfo=UTC)
    )
    two_days = rc._time_format(
        datetime(2026, 11, 24, 22, tzinfo=UTC), datetime(2026, 11, 25, 9, tzinfo=UTC)
    )
    t1, t2 = datetime(2026, 11, 24, 23, 58, 2, tzinfo=UTC), datetime(2026, 11, 25, 0, 1, tzinfo=UTC)
    assert [rc._short_time(t, day) for t in (t1, t2)] == ["23:58:02", "00:01:00"]
    assert [rc._short_time(t, two_days) for t in (t1, t2)] == ["11-24 23:58:02", "11-25 00:01:00"]
    assert rc._short_time(None, two_days) == "-"
