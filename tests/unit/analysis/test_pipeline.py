"""Pipeline checks: thresholds, the catalogue's queries, judging answers."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis import pipeline
from obsctl.analysis.pipeline import CATALOGUE, Thresholds, format_value, judge, with_thresholds
from obsctl.model.doctor import PipelineStatus

SPECS = {s.key: s for s in CATALOGUE}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (0.0, PipelineStatus.OK),
        (0.8, PipelineStatus.OK),
        (0.81, PipelineStatus.DEGRADED),
        (0.99, PipelineStatus.DEGRADED),
        (0.995, PipelineStatus.FAILING),
    ],
)
def test_above_thresholds_are_strict(value, status):
    assert Thresholds(0.8, 0.99).judge(value) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [(1.0, PipelineStatus.OK), (0.5, PipelineStatus.DEGRADED), (0.0, PipelineStatus.FAILING)],
)
def test_below_thresholds_are_strict(value, status):
    assert Thresholds(0.9, 0.01, "below").judge(value) is status


def test_a_missing_level_is_never_reached():
    assert Thresholds(None, 0.0).judge(5) is PipelineStatus.FAILING
    assert Thresholds(None, 0.0).judge(0) is PipelineStatus.OK
    assert Thresholds(0.0, None).judge(1e9) is PipelineStatus.DEGRADED


def test_threshold_reported_is_the_one_behind_the_status():
    t = Thresholds(0.8, 0.99)
    assert t.applying(PipelineStatus.FAILING) == 0.99
    assert t.applying(PipelineStatus.DEGRADED) == 0.8
    assert t.applying(PipelineStatus.OK) == 0.8
    assert Thresholds(None, 0.0).applying(PipelineStatus.OK) == 0.0


def test_window_is_substituted_as_duration_and_seconds():
    q = SPECS["prometheus.slow_scrapes"].query(1800)
    assert "[1800s]" in q
    assert "(1800) / count_over_time" in q
    assert "{w" not in q


def test_collector_selectors_accept_both_spellings_of_a_counter():
    q = SPECS["collector.receiver_refused_spans"].query(900)
    assert '{__name__=~"otelcol_receiver_refused_spans(_total)?"}' in q
    assert '{__name__=~"otelcol_receiver_accepted_spans(_total)?"}' in q


def test_every_signal_has_refused_failed_dropped_memory_and_accepted_checks():
    for signal in ("spans", "metric_points", "log_records"):
        for check in (
            "receiver_refused",
            "exporter_send_failed",
            "processor_dropped",
            "memory_limiter_refused",
            "accepted_rate",
        ):
            assert f"collector.{check}_{signal}" in SPECS


def test_check_keys_are_unique():
    assert len(SPECS) == len(CATALOGUE)


def test_judge_skips_nan_and_names_the_subject():
    spec = SPECS["collector.exporter_queue_usage"]
    answers = [
        ({"instance": "b:8888", "exporter": "otlp"}, 0.9),
        ({"instance": "a:8888", "exporter": "otlp"}, math.nan),
        ({"instance": "a:8888", "exporter": "debug"}, 0.1),
    ]
    got = judge(spec, answers, "15m")
    assert [(c.instance, c.status, c.value) for c in got] == [
        ("a:8888 (debug)", PipelineStatus.OK, 0.1),
        ("b:8888 (otlp)", PipelineStatus.DEGRADED, 0.9),
    ]
    assert got[0].hint is None
    assert got[1].hint == spec.hint
    assert got[1].message == "90% of the exporter's sending queue in use (15m)"
    assert got[1].labels == {"instance": "b:8888", "exporter": "otlp"}


def test_bool_checks_read_yes_or_no():
    spec = SPECS["prometheus.config_reload"]
    (c,) = judge(spec, [({"instance": "p:9090"}, 0.0)], "15m")
    assert (c.status, c.message) == (
        PipelineStatus.FAILING,
        "last configuration reload succeeded: no",
    )


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.0625, "ratio", "6.2%"),
        (0.06250000000000001, "ratio", "6.2%"),
        (0.05000000000000001, "ratio", "5%"),
        (0.0078125, "ratio", "0.78%"),
        (0.25, "ratio", "25%"),
        (1.0, "ratio", "100%"),
        (12345.0, "count", "12,345"),
        (1.5, "factor", "1.5×"),
        (0.25, "seconds", "0.25s"),
        (1.0, "bool", "yes"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_overrides_replace_only_the_levels_given():
    specs = {
        s.key: s
        for s in with_thresholds(CATALOGUE, {"collector.exporter_queue_usage": {"degraded": 0.5}})
    }
    t = specs["collector.exporter_queue_usage"].thresholds
    assert (t.degraded, t.failing, t.direction) == (0.5, 0.99, "above")
    assert specs["prometheus.targets_down"] == SPECS["prometheus.targets_down"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"collector.nope": {"degraded": 1}}, "unknown pipeline check 'collector.nope'"),
        (
            {"prometheus.targets_down": {"warn": 1}},
            "prometheus.targets_down: unknown threshold 'warn'",
        ),
    ],
)
def test_bad_overrides_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        with_thresholds(CATALOGUE, overrides)


def test_presence_query_counts_instances():
    assert pipeline.presence_query("alertmanager") == (
        "count by (instance) (alertmanager_build_info)"
    )


def test_docs_describe_every_check():
    from tests.conftest import REPO

    text = (REPO / "docs" / "doctor.md").read_text()
    missing = [key for key in SPECS if f"`{key}`" not in text]
    assert missing == []
