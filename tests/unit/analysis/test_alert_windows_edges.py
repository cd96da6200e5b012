"""The alert state machine and window merging at their boundaries.

Expectations are literal datetimes: T0 (Unix ms 1_700_000_000_000) is 2023-11-14T22:13:20Z and
the grid step is one minute, so step n is T0 + n minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.analysis.windows import (
    dt_to_ms,
    merge_windows,
    ms_to_dt,
    simulate_rule,
    step_grid,
    windows_from_active_alerts,
    windows_from_alerts_series,
)
from obsctl.model.alerts import ActiveAlert, AlertWindow, SeriesPoints, WindowSource, make_labels
from obsctl.model.time import TimeRange

T0 = 1_700_000_000_000
STEP = 60_000
START = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
MIN = timedelta(minutes=1)


def step(n: int) -> datetime:
    return START + n * MIN


def series(steps: list[int], **labels: str) -> SeriesPoints:
    return SeriesPoints(make_labels(labels), tuple((T0 + s * STEP, 1.0) for s in steps))


def sim(ss, *, hold=timedelta(0), keep=timedelta(0), last=30, step_ms=STEP, **kw):
    return simulate_rule(
        ss,
        start_ms=T0,
        end_ms=T0 + last * step_ms,
        step_ms=step_ms,
        hold=hold,
        keep_firing_for=keep,
        **kw,
    )


# ----------------------------------------------------------------------------- conversions


def test_ms_and_datetime_conversions_use_literal_instants():
    assert ms_to_dt(T0) == START
    assert ms_to_dt(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert dt_to_ms(START) == T0
    assert dt_to_ms(datetime(2023, 11, 14, 22, 13, 20, 999_999, tzinfo=UTC)) == T0 + 999
    assert dt_to_ms(datetime(1970, 1, 2, 0, 0, 0, 500_000, tzinfo=UTC)) == 86_400_500


def test_step_grid_includes_end_only_when_on_the_grid():
    assert step_grid(0, 30, 10) == [0, 10, 20, 30]
    assert step_grid(0, 29, 10) == [0, 10, 20]
    assert step_grid(0, 9, 10) == [0]
    assert step_grid(5, 7, 1) == [5, 6, 7]


@pytest.mark.parametrize("bad", [0, -60_000])
def test_step_grid_rejects_a_step_that_is_not_positive(bad):
    with pytest.raises(ValueError, match=r"^step must be positive$"):
        step_grid(0, 10, bad)


# ----------------------------------------------------------------------------- for / keep


def test_for_is_measured_in_milliseconds_including_the_sub_second_part():
    # 1 ms grid: with for=999ms an alert active from t=0 fires at t=999, not a step earlier.
    ws, _ = simulate_rule(
        [SeriesPoints((), tuple((t, 1.0) for t in range(0, 2001)))],
        start_ms=0,
        end_ms=2000,
        step_ms=1,
        hold=timedelta(milliseconds=999),
    )
    assert [(w.start, w.end) for w in ws] == [
        (
            datetime(1970, 1, 1, 0, 0, 0, 999_000, tzinfo=UTC),
            datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC),
        )
    ]


def test_for_of_one_day_fires_after_exactly_24_hourly_evaluations():
    hour = 3_600_000
    ss = [SeriesPoints((), tuple((T0 + h * hour, 1.0) for h in range(30)))]
    ws, _ = simulate_rule(
        ss, start_ms=T0, end_ms=T0 + 29 * hour, step_ms=hour, hold=timedelta(days=1)
    )
    assert [w.start for w in ws] == [datetime(2023, 11, 15, 22, 13, 20, tzinfo=UTC)]
    assert ws[0].pending_since == START


def test_keep_firing_for_does_not_hold_a_pending_alert_through_a_gap():
    # Pending from step 0; the gap at step 3 drops it (keep_firing_for only keeps *firing*
    # alerts). Active again from step 4, it fires at step 9, not at step 5.
    ws, stats = sim([series([0, 1, 2, 4, 5, 6, 7, 8, 9, 10])], hold=5 * MIN, keep=10 * MIN)
    assert [(w.start, w.pending_since) for w in ws] == [(step(9), step(4))]
    assert stats.pending_only == 1


def test_keep_firing_for_of_one_millisecond_still_keeps_one_missing_step():
    ws, _ = sim([series([1, 2])], keep=timedelta(milliseconds=1))
    assert [(w.start, w.end) for w in ws] == [(step(1), step(4))]


def test_keep_firing_for_zero_resolves_at_the_first_missing_step():
    ws, _ = sim([series([1, 2, 4])])
    assert [(w.start, w.end) for w in ws] == [(step(1), step(3)), (step(4), step(5))]


def test_keep_firing_for_expiring_at_range_end_leaves_the_window_open():
    ws, _ = sim([series([27, 28])], keep=10 * MIN)
    assert [(w.start, w.end, w.open) for w in ws] == [(step(27), step(30), True)]


def test_resolved_window_is_closed_and_open_window_keeps_its_labels():
    ws, _ = sim([series([1, 2], job="a"), series([28, 29, 30], job="b")])
    assert [(w.labels, w.start, w.end, w.open) for w in ws] == [
        ((("job", "a"),), step(1), step(3), False),
        ((("job", "b"),), step(28), step(30), True),
    ]
    assert ws[0].open is False
    assert ws[1].open is True
    assert all(w.sources == (WindowSource.RULES,) for w in ws)


def test_alert_still_pending_at_the_end_of_the_range_is_counted():
    ws, stats = sim([series([27, 28, 29, 30], job="late")], hold=5 * MIN)
    assert ws == []
    assert stats.pending_only == 1
    assert stats.label_sets == 1


def test_each_pending_only_episode_is_counted_once():
    # Three short episodes, none lasting for=5m; the last one is still pending at the end.
    ws, stats = sim([series([0, 1, 5, 6, 29, 30])], hold=5 * MIN)
    assert ws == []
    assert stats.pending_only == 3


def test_fires_exactly_when_for_has_elapsed_at_the_last_step():
    ws, stats = sim([series([25, 26, 27, 28, 29, 30])], hold=5 * MIN)
    assert [(w.start, w.end, w.open, w.pending_since) for w in ws] == [
        (step(30), step(30), True, step(25))
    ]
    assert stats.pending_only == 0


def test_windows_of_several_label_sets_are_sorted_by_start_then_labels():
    ws, _ = sim([series([5, 6], job="b"), series([5, 6], job="a"), series([1], job="c")])
    assert [(w.start, w.labels) for w in ws] == [
        (step(1), (("job", "c"),)),
        (step(5), (("job", "a"),)),
        (step(5), (("job", "b"),)),
    ]


# ----------------------------------------------------------------------------- ALERTS


def alerts_series(steps: list[int], **labels: str) -> SeriesPoints:
    return series(steps, alertname="X", alertstate="firing", **labels)


def test_alerts_run_ending_one_step_before_the_end_is_closed():
    ws = windows_from_alerts_series(
        [alerts_series([26, 27, 28, 29])], step_ms=STEP, end_ms=T0 + 30 * STEP
    )
    assert [(w.start, w.end, w.open) for w in ws] == [(step(25), step(30), False)]
    assert ws[0].sources == (WindowSource.ALERTS,)


def test_alerts_run_reaching_the_end_is_open_and_clipped_to_the_end():
    ws = windows_from_alerts_series(
        [alerts_series([26, 27, 28, 29, 30])], step_ms=STEP, end_ms=T0 + 30 * STEP
    )
    assert [(w.start, w.end, w.open) for w in ws] == [(step(25), step(30), True)]


def test_alerts_runs_split_at_a_gap_keep_their_labels():
    ws = windows_from_alerts_series(
        [alerts_series([1, 2, 5, 6], job="a")], step_ms=STEP, end_ms=T0 + 30 * STEP
    )
    assert [(w.labels, w.start, w.end) for w in ws] == [
        ((("job", "a"),), step(0), step(3)),
        ((("job", "a"),), step(4), step(7)),
    ]


def test_alerts_consecutive_steps_form_one_run():
    ws = windows_from_alerts_series([alerts_series([1, 2, 3])], step_ms=STEP, end_ms=T0 + 30 * STEP)
    assert [(w.start, w.end) for w in ws] == [(step(0), step(4))]


# ----------------------------------------------------------------------------- Alertmanager

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def active(name: str, started_min_ago: int, state: str = "active", **labels: str) -> ActiveAlert:
    return ActiveAlert(
        labels=make_labels({"alertname": name, **labels}),
        annotations=(),
        starts_at=NOW - timedelta(minutes=started_min_ago),
        ends_at=None,
        updated_at=None,
        fingerprint=f"{name}{labels}",
        state=state,
    )


def test_alertmanager_unprocessed_alerts_are_skipped():
    ws = windows_from_active_alerts(
        [active("X", 5, "unprocessed", job="a"), active("X", 3, "suppressed", job="b")],
        alertname="X",
        now=NOW,
    )
    assert [(w.labels, w.start) for w in ws] == [
        ((("job", "b"),), datetime(2026, 11, 25, 9, 57, tzinfo=UTC))
    ]
    assert ws[0].sources == (WindowSource.ALERTMANAGER,)


def test_alertmanager_other_alert_names_are_skipped_not_the_rest():
    ws = windows_from_active_alerts(
        [active("Y", 9), active("X", 2, job="late"), active("X", 8, job="early")],
        alertname="X",
        now=NOW,
    )
    assert [(w.labels, w.start, w.end) for w in ws] == [
        ((("job", "early"),), datetime(2026, 11, 25, 9, 52, tzinfo=UTC), NOW),
        ((("job", "late"),), datetime(2026, 11, 25, 9, 58, tzinfo=UTC), NOW),
    ]


def test_alertmanager_alert_starting_in_the_future_starts_now():
    ws = windows_from_active_alerts([active("X", -5)], alertname="X", now=NOW)
    assert [(w.start, w.end) for w in ws] == [(NOW, NOW)]


# ----------------------------------------------------------------------------- merging

RANGE = TimeRange(
    datetime(2026, 11, 25, 9, 0, tzinfo=UTC), datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
)


def win(start: str, end: str, src=WindowSource.RULES, *, pending=None, open_=False, **labels):
    return AlertWindow(
        start=datetime.fromisoformat(f"2026-11-25T{start}:00+00:00"),
        end=datetime.fromisoformat(f"2026-11-25T{end}:00+00:00"),
        labels=make_labels(labels),
        sources=(src,),
        pending_since=None
        if pending is None
        else datetime.fromisoformat(f"2026-11-25T{pending}:00+00:00"),
        open=open_,
    )


def hm(t: datetime) -> str:
    return t.strftime("%H:%M")


def test_merge_joins_windows_that_only_touch():
    merged = merge_windows(
        [win("10:00", "10:10"), win("10:10", "10:20")], slack=timedelta(0), clip=RANGE
    )
    assert [(hm(m.start), hm(m.end)) for m in merged] == [("10:00", "10:20")]


def test_merge_accepts_unordered_input():
    merged = merge_windows(
        [
            win("10:30", "10:40"),
            win("10:00", "10:10"),
            win("10:05", "10:20"),
            win("10:35", "10:50"),
        ],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert [(hm(m.start), hm(m.end)) for m in merged] == [("10:00", "10:20"), ("10:30", "10:50")]


def test_merge_keeps_a_window_contained_in_another_as_the_outer_one():
    merged = merge_windows(
        [win("10:00", "10:30"), win("10:05", "10:10")], slack=timedelta(0), clip=RANGE
    )
    assert [(hm(m.start), hm(m.end)) for m in merged] == [("10:00", "10:30")]


def test_merge_drops_windows_that_clip_to_zero_length():
    merged = merge_windows(
        [
            win("08:00", "09:00", job="before"),
            win("11:00", "11:30", job="after"),
            win("10:00", "10:00", job="point"),
        ],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert merged == []


def test_merge_clips_a_window_crossing_the_range_start():
    merged = merge_windows([win("08:50", "09:01")], slack=timedelta(0), clip=RANGE)
    assert [(hm(m.start), hm(m.end)) for m in merged] == [("09:00", "09:01")]


def test_merged_window_keeps_the_earliest_pending_since_and_is_open_if_any_part_is():
    merged = merge_windows(
        [
            win("10:00", "10:10", pending="09:55"),
            win("10:05", "10:20", WindowSource.ALERTS, open_=True),
            win("10:08", "10:12", pending="09:50"),
        ],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert len(merged) == 1
    m = merged[0]
    assert (hm(m.start), hm(m.end)) == ("10:00", "10:20")
    assert m.pending_since == datetime(2026, 11, 25, 9, 50, tzinfo=UTC)
    assert m.open is True
    assert m.sources == (WindowSource.ALERTS, WindowSource.RULES)


def test_merged_windows_without_pending_since_or_open_parts():
    merged = merge_windows(
        [win("10:00", "10:10"), win("10:05", "10:20", pending="10:01")],
        slack=timedelta(0),
        clip=RANGE,
    )
    assert merged[0].pending_since == datetime(2026, 11, 25, 10, 1, tzinfo=UTC)
    assert merged[0].open is False
    merged = merge_windows(
        [win("10:00", "10:10"), win("10:05", "10:20")], slack=timedelta(0), clip=RANGE
    )
    assert merged[0].pending_since is None
    assert merged[0].open is False


def test_for_is_truncated_to_whole_milliseconds():
    # for=999.5ms counts as 999 ms: on a 1 ms grid the alert fires at t=999.
    ws, _ = simulate_rule(
        [SeriesPoints((), tuple((t, 1.0) for t in range(0, 1201)))],
        start_ms=0,
        end_ms=1200,
        step_ms=1,
        hold=timedelta(microseconds=999_500),
    )
    assert [w.start for w in ws] == [datetime(1970, 1, 1, 0, 0, 0, 999_000, tzinfo=UTC)]


def test_alerts_open_run_ends_at_a_range_end_between_steps():
    # The range ends half a step after step 30; the open run ends there, not at step 30.
    ws = windows_from_alerts_series(
        [alerts_series([28, 29, 30])], step_ms=STEP, end_ms=T0 + 30 * STEP + 30_000
    )
    assert [(w.end, w.open) for w in ws] == [(step(30) + timedelta(seconds=30), True)]
