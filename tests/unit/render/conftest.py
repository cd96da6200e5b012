"""A CorrelationResult shared by the renderer tests (fixture ``correlation``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.model.alerts import AlertRule, AlertWindow, WindowSource, make_labels
from obsctl.model.correlation import (
    Bottleneck,
    CorrelationResult,
    LatencySource,
    PathShare,
    RankBy,
    RankedTrace,
    SlowerOperation,
    TraceLinks,
)
from obsctl.model.time import TimeRange

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
        links=TraceLinks(jaeger="https://jaeger.example/trace/{trace_id}"),
        slack_s=60.0,
    )
