"""Step selection, range splitting, unit inference, Grafana links (pure)."""

from __future__ import annotations

import json
from array import array
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from obsctl.errors import UsageError
from obsctl.model.metrics import QueryResult, Series
from obsctl.model.time import TimeRange
from obsctl.workflows.query import (
    grafana_explore_url,
    infer_unit,
    merge_chunks,
    plan_range,
    points_in,
    round_step_at_least,
    target_points,
)

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def rng(**span: float) -> TimeRange:
    return TimeRange(T0, T0 + timedelta(**span))


@pytest.mark.parametrize(
    ("span", "width", "step"),
    [
        (timedelta(hours=1), 100, timedelta(seconds=30)),  # 3600/180 = 20s → 30s
        (timedelta(hours=1), 80, timedelta(seconds=30)),  # 3600/140 = 25.7s → 30s
        (timedelta(hours=6), 100, timedelta(minutes=2)),  # 120s exactly
        (timedelta(minutes=5), 100, timedelta(seconds=2)),  # 1.67s → 2s
        (timedelta(days=7), 100, timedelta(hours=1)),  # 3360s → 1h
        (timedelta(days=365), 100, timedelta(days=7)),  # 2.03 days → 1w
    ],
)
def test_auto_step_is_round_and_fills_width(span: timedelta, width: int, step: timedelta) -> None:
    plan = plan_range(TimeRange(T0, T0 + span), None, width=width, max_points=11_000)
    assert plan.step == step
    assert plan.points <= target_points(width) + 1
    assert plan.chunks == ((T0, T0 + span),)
    assert plan.notes == ()


def test_round_step_beyond_table_is_whole_weeks() -> None:
    assert round_step_at_least(10 * 86400) == timedelta(weeks=2)


def test_explicit_step_within_limit_is_kept() -> None:
    plan = plan_range(rng(hours=6), timedelta(seconds=15), width=100, max_points=11_000)
    assert plan.step == timedelta(seconds=15)
    assert plan.points == 1441
    assert len(plan.chunks) == 1


def test_over_limit_is_split_into_contiguous_requests() -> None:
    # 1 day at 5s = 17,281 points: two requests of at most 11,000 points.
    plan = plan_range(rng(days=1), timedelta(seconds=5), width=100, max_points=11_000)
    assert plan.step == timedelta(seconds=5)
    assert plan.notes == (
        "17,281 points per series at step 5s exceed the server's limit of 11,000: "
        "split into 2 requests",
    )
    (s1, e1), (s2, e2) = plan.chunks
    assert s1 == T0
    assert points_in(e1 - s1, plan.step) == 11_000
    assert s2 == e1 + plan.step  # no point fetched twice, none skipped
    assert e2 == T0 + timedelta(days=1)
    assert points_in(e1 - s1, plan.step) + points_in(e2 - s2, plan.step) == 17_281


def test_far_over_limit_widens_the_step() -> None:
    plan = plan_range(rng(days=30), timedelta(seconds=1), width=100, max_points=11_000)
    assert plan.step == timedelta(minutes=5)  # 2,592,000 s / 10,999 = 235.7 s → 5m
    assert plan.notes == (
        "2,592,001 points per series at step 1s exceed the server's limit of 11,000: "
        "step widened to 5m",
    )
    assert len(plan.chunks) == 1


def test_victoriametrics_limit_allows_more_points() -> None:
    plan = plan_range(rng(days=1), timedelta(seconds=5), width=100, max_points=30_000)
    assert len(plan.chunks) == 1 and plan.notes == ()


def test_zero_step_is_usage_error() -> None:
    with pytest.raises(UsageError):
        plan_range(rng(hours=1), timedelta(0), width=100, max_points=11_000)


def test_merge_chunks_concatenates_by_labels() -> None:
    a = QueryResult(
        "matrix",
        [Series({"i": "1"}, array("d", [1, 2]), array("d", [10, 20]))],
        warnings=["w"],
    )
    b = QueryResult(
        "matrix",
        [
            Series({"i": "2"}, array("d", [3]), array("d", [5])),
            Series({"i": "1"}, array("d", [3]), array("d", [30])),
        ],
        warnings=["w"],
    )
    merged = merge_chunks([a, b])
    assert [(dict(s.labels), list(s.timestamps), list(s.values)) for s in merged.series] == [
        ({"i": "1"}, [1.0, 2.0, 3.0], [10.0, 20.0, 30.0]),
        ({"i": "2"}, [3.0], [5.0]),
    ]
    assert list(merged.warnings) == ["w"]
    assert list(a.series[0].values) == [10.0, 20.0]  # inputs untouched


@pytest.mark.parametrize(
    ("expr", "unit"),
    [
        ("process_resident_memory_bytes", "bytes"),
        (
            "histogram_quantile(0.9, sum by (le) (rate(http_duration_seconds_bucket[5m])))",
            "seconds",
        ),
        ("rate(x_seconds_sum[5m]) / rate(x_seconds_count[5m])", "seconds"),  # mean latency
        ("rate(node_network_receive_bytes_total[5m])", "bytes/s"),
        ("increase(node_network_receive_bytes_total[1h])", "bytes"),
        ("rate(process_cpu_seconds_total[5m])", None),  # CPU seconds per second: a ratio
        ("rate(x_seconds_count[5m])", None),  # a request rate
        ("rate(x_seconds_bucket[5m])", None),  # bucket counts per second
        ("rate(x_seconds_sum[5m])", None),  # seconds per second
        ("x_seconds_sum / x_seconds_count", "seconds"),  # mean since start
        ("count(process_resident_memory_bytes)", None),  # a count of series
        ("x_bytes / y_seconds", None),  # units disagree
        ("up", None),
        ("sum(", None),  # does not parse
    ],
)
def test_infer_unit(expr: str, unit: str | None) -> None:
    assert infer_unit(expr) == unit


def test_grafana_explore_url() -> None:
    url = grafana_explore_url(
        "https://grafana.example.com/",
        'sum(rate(x{a="b"}[5m]))',
        start=T0,
        end=T0 + timedelta(hours=1),
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "grafana.example.com", "/explore")
    query = parse_qs(parts.query)
    assert query["schemaVersion"] == ["1"]
    pane = json.loads(query["panes"][0])["obsctl"]
    assert pane["queries"][0]["expr"] == 'sum(rate(x{a="b"}[5m]))'
    assert pane["range"] == {"from": "1795564800000", "to": "1795568400000"}
    instant = grafana_explore_url("https://g", "up", start=None, end=None)
    assert json.loads(parse_qs(urlsplit(instant).query)["panes"][0])["obsctl"]["range"] == {
        "from": "now-1h",
        "to": "now",
    }
