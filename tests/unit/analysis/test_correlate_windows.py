"""Firing windows: Prometheus ``for`` semantics, flapping, gaps, label sets, merging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from obsctl.analysis.windows import (
    baseline_range,
    manual_window,
    merge_windows,
    simulate_rule,
    windows_from_active_alerts,
    windows_from_alerts_series,
)
from obsctl.model.alerts import ActiveAlert, AlertWindow, SeriesPoints, WindowSource, make_labels
from obsctl.model.time import TimeRange

T0 = 1_700_000_000_000  # ms, on a 60 s grid
STEP = 60_000
START = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # T0 as a datetime


def at(*steps: int) -> tuple[tuple[int, float], ...]:
    return tuple((T0 + s * STEP, 1.0) for s in steps)


def series(steps: list[int], **labels: str) -> SeriesPoints:
    return SeriesPoints(make_labels(labels), at(*steps))


def sim(ss: list[SeriesPoints], *, hold_min: int = 0, keep_min: int = 0, last: int = 30, **kw):
    return simulate_rule(
        ss,
        start_ms=T0,
        end_ms=T0 + last * STEP,
        step_ms=STEP,
        hold=timedelta(minutes=hold_min),
        keep_firing_for=timedelta(minutes=keep_min),
        **kw,
    )


def t(step: int) -> datetime:
    return START + timedelta(minutes=step)


def spans(ws: list[AlertWindow]) -> list[tuple[datetime, datetime]]:
    return [(w.start, w.end) for w in ws]


def test_for_zero_fires_at_first_evaluation_and_resolves_at_first_absence() -> None:
    ws, stats = sim([series([3, 4, 5])])
    assert spans(ws) == [(t(3), t(6))]
    assert ws[0].pending_since == t(3)
    assert not ws[0].open
    assert stats.pending_only == 0


def test_for_holds_pending_until_for_has_elapsed() -> None:
    # Active from step 2; for=5m fires at the evaluation where t - activeAt >= 5m: step 7.
    ws, _ = sim([series(list(range(2, 11)))], hold_min=5)
    assert spans(ws) == [(t(7), t(11))]
    assert ws[0].pending_since == t(2)


def test_exactly_for_long_fires_once_shorter_never_fires() -> None:
    # Steps 2..7 present: at step 7, 7-2 = 5 min >= 5 min → fires, resolves at 8.
    ws, stats = sim([series([2, 3, 4, 5, 6, 7]), series([12, 13, 14, 15, 16], job="b")], hold_min=5)
    assert [(w.labels, w.start, w.end) for w in ws] == [((), t(7), t(8))]
    # The job=b episode lasted 4 minutes: pending only.
    assert stats.pending_only == 1
    assert stats.label_sets == 2


def test_flapping_restarts_pending_each_time() -> None:
    # True 4 min, false 1 step, true 4 min, false, true 6 min: for=5m fires only the last run.
    steps = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18]
    ws, stats = sim([series(steps)], hold_min=5)
    assert spans(ws) == [(t(17), t(19))]
    assert ws[0].pending_since == t(12)
    assert stats.pending_only == 2


def test_gap_in_series_resolves_a_firing_alert() -> None:
    # A missing evaluation (scrape gap / staleness) resolves; it fires again after the gap.
    ws, _ = sim([series([1, 2, 3, 5, 6])])
    assert spans(ws) == [(t(1), t(4)), (t(5), t(7))]


def test_keep_firing_for_bridges_short_gaps() -> None:
    # keep_firing_for 2m: the 1-step gap at 4 keeps firing; the alert resolves 2 min after
    # the condition last cleared at step 8 (i.e. at step 10).
    ws, _ = sim([series([1, 2, 3, 5, 6, 7])], keep_min=2)
    assert spans(ws) == [(t(1), t(10))]


def test_still_firing_at_range_end_is_open() -> None:
    ws, _ = sim([series(list(range(25, 31)))], last=30)
    assert spans(ws) == [(t(25), t(30))]
    assert ws[0].open


def test_several_label_sets_get_their_own_windows_with_rule_labels() -> None:
    ws, _ = sim(
        [
            SeriesPoints(make_labels({"__name__": "x", "service": "a"}), at(1, 2, 3)),
            SeriesPoints(make_labels({"service": "b"}), at(2, 3, 4, 5)),
        ],
        rule_labels=make_labels({"severity": "page", "summary": "{{ $value }}"}),
    )
    assert [(w.labels, w.start, w.end) for w in ws] == [
        ((("service", "a"), ("severity", "page")), t(1), t(4)),
        ((("service", "b"), ("severity", "page")), t(2), t(6)),
    ]
    assert all(w.sources == (WindowSource.RULES,) for w in ws)


def test_alerts_series_runs_are_widened_by_one_step() -> None:
    ws = windows_from_alerts_series(
        [
            SeriesPoints(
                make_labels({"alertname": "X", "alertstate": "firing", "job": "a"}),
                at(3, 4, 5, 9, 10),
            )
        ],
        step_ms=STEP,
        end_ms=T0 + 30 * STEP,
    )
    assert spans(ws) == [(t(2), t(6)), (t(8), t(11))]
    assert ws[0].labels == (("job", "a"),)


def test_alerts_series_reaching_the_end_is_open() -> None:
    ws = windows_from_alerts_series(
        [SeriesPoints(make_labels({"alertname": "X"}), at(28, 29, 30))],
        step_ms=STEP,
        end_ms=T0 + 30 * STEP,
    )
    assert spans(ws) == [(t(27), t(30))]
    assert ws[0].open


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_alertmanager_active_alert_runs_until_now_ignoring_ends_at() -> None:
    alert = ActiveAlert(
        labels=make_labels({"alertname": "X", "service": "a"}),
        annotations=(),
        starts_at=NOW - timedelta(minutes=7),
        ends_at=NOW + timedelta(minutes=4),
        updated_at=None,
        fingerprint="f",
        state="active",
    )
    other = ActiveAlert(make_labels({"alertname": "Y"}), (), NOW, None, None, "g", "active")
    ws = windows_from_active_alerts([alert, other], alertname="X", now=NOW)
    assert spans(ws) == [(NOW - timedelta(minutes=7), NOW)]
    assert ws[0].labels == (("service", "a"),)
    assert ws[0].open


def w(start_min: int, end_min: int, src: WindowSource, **labels: str) -> AlertWindow:
    return AlertWindow(
        start=NOW + timedelta(minutes=start_min),
        end=NOW + timedelta(minutes=end_min),
        labels=make_labels(labels),
        sources=(src,),
    )


RANGE = TimeRange(NOW - timedelta(hours=1), NOW + timedelta(hours=1))


def test_merge_pads_by_slack_and_merges_overlaps_per_label_set() -> None:
    merged = merge_windows(
        [
            w(0, 10, WindowSource.RULES, service="a"),
            w(11, 20, WindowSource.ALERTS, service="a"),  # 1 min gap < 2 × slack
            w(30, 40, WindowSource.RULES, service="a"),
            w(5, 6, WindowSource.RULES, service="b"),
        ],
        slack=timedelta(minutes=1),
        clip=RANGE,
    )
    got = [(m.labels, m.start - NOW, m.end - NOW, tuple(str(s) for s in m.sources)) for m in merged]
    mins = timedelta(minutes=1)
    assert got == [
        ((("service", "a"),), -1 * mins, 21 * mins, ("alerts_series", "rules")),
        ((("service", "b"),), 4 * mins, 7 * mins, ("rules",)),
        ((("service", "a"),), 29 * mins, 41 * mins, ("rules",)),
    ]


def test_merge_treats_a_subset_label_set_as_the_same_instance() -> None:
    # Alertmanager adds external labels (cluster); the rule file has fewer labels.
    merged = merge_windows(
        [
            w(0, 10, WindowSource.RULES, service="a"),
            w(5, 15, WindowSource.ALERTMANAGER, service="a", cluster="eu"),
        ],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert [(m.labels, m.start - NOW, m.end - NOW) for m in merged] == [
        ((("cluster", "eu"), ("service", "a")), timedelta(0), timedelta(minutes=15))
    ]


def test_merge_keeps_ambiguous_subsets_apart_and_clips_to_the_range() -> None:
    merged = merge_windows(
        [
            w(-70, -50, WindowSource.MANUAL),  # {} is a subset of both: ambiguous
            w(0, 10, WindowSource.RULES, service="a"),
            w(0, 10, WindowSource.RULES, service="b"),
            w(200, 210, WindowSource.RULES, service="a"),  # outside the range: dropped
        ],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert [(m.labels, m.start - NOW, m.end - NOW) for m in merged] == [
        ((), -timedelta(hours=1), -timedelta(minutes=50)),
        ((("service", "a"),), timedelta(0), timedelta(minutes=10)),
        ((("service", "b"),), timedelta(0), timedelta(minutes=10)),
    ]


def test_manual_window_and_default_baseline() -> None:
    m = manual_window(NOW, NOW + timedelta(minutes=10))
    assert m.sources == (WindowSource.MANUAL,)
    assert baseline_range([w(30, 40, WindowSource.RULES), m]) == TimeRange(
        NOW - timedelta(minutes=10), NOW
    )
    assert baseline_range([]) is None
