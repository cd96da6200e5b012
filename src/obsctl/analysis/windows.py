"""Firing windows of an alert: from its expression, ``ALERTS``, Alertmanager or by hand.

Pure: every time comes in as an argument. Times inside the simulation are integer Unix
milliseconds on the range query's step grid, so equality tests are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from obsctl.model.alerts import (
    ActiveAlert,
    AlertWindow,
    Labels,
    SeriesPoints,
    WindowSource,
    WindowStats,
    instance_labels,
    make_labels,
)
from obsctl.model.time import TimeRange

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms_to_dt(ms: int) -> datetime:
    """Aware UTC datetime from Unix milliseconds."""
    return _EPOCH + timedelta(milliseconds=ms)


def dt_to_ms(t: datetime) -> int:
    """Unix milliseconds (exact for millisecond-aligned datetimes)."""
    delta = t.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _td_ms(d: timedelta) -> int:
    return (d.days * 86_400 + d.seconds) * 1000 + d.microseconds // 1000


def step_grid(start_ms: int, end_ms: int, step_ms: int) -> list[int]:
    """The evaluation times of a range query: ``start``, ``start+step`` … up to ``end``."""
    if step_ms <= 0:
        raise ValueError("step must be positive")
    return list(range(start_ms, end_ms + 1, step_ms))


@dataclass
class AlertInstance:
    """One alert instance of an alerting rule, as Prometheus's rule evaluation tracks it.

    ``state`` is ``inactive``, ``pending`` or ``firing``; times are Unix ms.
    """

    state: str = "inactive"  # inactive | pending | firing
    active_at: int = 0
    fired_at: int = 0
    keep_since: int | None = None

    def step(self, present: bool, t: int, *, hold_ms: int, keep_ms: int) -> AlertInstance | None:
        """One rule evaluation at ``t``; ``present``: the expression returned this instance.

        A new activation goes pending (``active_at = t``) and fires once
        ``t - active_at >= hold_ms`` (at once for ``for: 0``). A missing instance drops a
        pending alert and resolves a firing one, unless ``keep_ms`` (``keep_firing_for``)
        keeps it firing until that long after the first missing evaluation.

        Returns:
            The instance as it was when it ended at ``t`` (``state`` tells whether it was
            pending or firing), after which this instance is inactive again; else None.
        """
        if present:
            self.keep_since = None
            if self.state == "inactive":
                self.state, self.active_at = "pending", t
        else:
            if self.state == "firing" and keep_ms > 0:
                if self.keep_since is None:
                    self.keep_since = t
                if t - self.keep_since < keep_ms:
                    return None
            if self.state == "inactive":
                return None
            ended = replace(self)
            self.state, self.active_at, self.fired_at, self.keep_since = "inactive", 0, 0, None
            return ended
        if self.state == "pending" and t - self.active_at >= hold_ms:
            self.state, self.fired_at = "firing", t
        return None


def rule_labels_for(series_labels: Labels, rule_labels: Labels) -> Labels:
    """Alert instance labels: the result's labels without ``__name__``, plus the rule's.

    Rule label values that are templates (``{{ … }}``) cannot be expanded offline and are
    left out, so such windows still merge with ones from ``ALERTS`` (see ``merge_windows``).
    """
    merged = {k: v for k, v in series_labels if k != "__name__"}
    for k, v in rule_labels:
        if "{{" not in v:
            merged[k] = v
    return instance_labels(merged)


def simulate_rule(
    series: Sequence[SeriesPoints],
    *,
    start_ms: int,
    end_ms: int,
    step_ms: int,
    hold: timedelta = timedelta(0),
    keep_firing_for: timedelta = timedelta(0),
    rule_labels: Labels = (),
) -> tuple[list[AlertWindow], WindowStats]:
    """Replay Prometheus's alerting-rule state machine over a range query of the expression.

    Each grid step is one rule evaluation: a label set present in the result is active. A new
    activation goes *pending* (``activeAt`` = that step) and *fires* at the first evaluation
    where ``t - activeAt >= for`` (so ``for: 0`` fires at once). A step where the label set is
    missing (the condition was false, or a gap / stale series) resolves it: a pending alert
    is dropped, a firing one resolves at that step, unless ``keep_firing_for`` keeps it firing
    until that long after the first missing step. A later activation starts over from pending.

    Args:
        series: the expression's range-query result, one entry per label set.
        start_ms: first evaluation (the range query's start).
        end_ms: last possible evaluation (the range query's end).
        step_ms: the evaluation interval (the range query's step).
        hold: the rule's ``for``.
        keep_firing_for: the rule's ``keep_firing_for``.
        rule_labels: the rule's ``labels:``, added to each instance.

    Returns:
        Firing windows ``[fired_at, resolved_at]`` (``open`` and ending at the last step when
        still firing), each with ``pending_since`` = ``activeAt``; and counts of what never
        fired.
    """
    grid = step_grid(start_ms, end_ms, step_ms)
    hold_ms = _td_ms(hold)
    keep_ms = _td_ms(keep_firing_for)
    windows: list[AlertWindow] = []
    pending_only = 0
    by_labels: dict[Labels, set[int]] = {}
    for s in series:
        labels = rule_labels_for(s.labels, rule_labels)
        by_labels.setdefault(labels, set()).update(t for t, _ in s.points)

    def emit(labels: Labels, a: AlertInstance, end: int, *, open_: bool) -> None:
        windows.append(
            AlertWindow(
                start=ms_to_dt(a.fired_at),
                end=ms_to_dt(end),
                labels=labels,
                sources=(WindowSource.RULES,),
                pending_since=ms_to_dt(a.active_at),
                open=open_,
            )
        )

    for labels, present in sorted(by_labels.items()):
        a = AlertInstance()
        for t in grid:
            ended = a.step(t in present, t, hold_ms=hold_ms, keep_ms=keep_ms)
            if ended is None:
                continue
            if ended.state == "firing":
                emit(labels, ended, t, open_=False)
            else:
                pending_only += 1
        if a.state == "firing":
            emit(labels, a, grid[-1], open_=True)
        elif a.state == "pending":
            pending_only += 1
    windows.sort(key=lambda w: (w.start, w.labels))
    return windows, WindowStats(pending_only=pending_only, label_sets=len(by_labels))


def windows_from_alerts_series(
    series: Sequence[SeriesPoints], *, step_ms: int, end_ms: int
) -> list[AlertWindow]:
    """Firing windows from ``ALERTS{alertname=…, alertstate="firing"}`` range-query series.

    Each run of consecutive steps is one window. The true start lies in
    ``(first - step, first]`` and the resolution in ``(last, last + step]``, so each run is
    widened by one step on both sides. A run reaching the last step is still open.
    """
    windows: list[AlertWindow] = []
    grouped: dict[Labels, set[int]] = {}
    for s in series:
        grouped.setdefault(instance_labels(s.labels), set()).update(t for t, _ in s.points)
    for labels, times in sorted(grouped.items()):
        run: list[int] = []
        for t in sorted(times):
            if run and t - run[-1] > step_ms:
                windows.append(_alerts_window(labels, run, step_ms, end_ms))
                run = []
            run.append(t)
        if run:
            windows.append(_alerts_window(labels, run, step_ms, end_ms))
    windows.sort(key=lambda w: (w.start, w.labels))
    return windows


def _alerts_window(labels: Labels, run: list[int], step_ms: int, end_ms: int) -> AlertWindow:
    open_ = run[-1] + step_ms > end_ms
    return AlertWindow(
        start=ms_to_dt(run[0] - step_ms),
        end=ms_to_dt(min(run[-1] + step_ms, end_ms) if open_ else run[-1] + step_ms),
        labels=labels,
        sources=(WindowSource.ALERTS,),
        open=open_,
    )


def windows_from_active_alerts(
    alerts: Iterable[ActiveAlert], *, alertname: str, now: datetime
) -> list[AlertWindow]:
    """Windows for alerts Alertmanager lists as active: from ``startsAt`` until ``now``.

    ``endsAt`` of an active alert is only a validity horizon, so it is ignored. Alerts in the
    ``unprocessed`` state and alerts of other names are skipped.
    """
    out = []
    for a in alerts:
        if a.alertname != alertname or a.state == "unprocessed":
            continue
        start = min(a.starts_at, now)
        out.append(
            AlertWindow(
                start=start,
                end=now,
                labels=instance_labels(a.labels),
                sources=(WindowSource.ALERTMANAGER,),
                open=True,
            )
        )
    out.sort(key=lambda w: (w.start, w.labels))
    return out


def _canonical_sets(label_sets: Iterable[Labels]) -> dict[Labels, Labels]:
    """Map each label set to the unique maximal label set that contains it (or itself).

    Sources disagree on labels: Alertmanager adds external labels, rule files hold
    unexpanded templates. A set that is a subset of exactly one maximal set is the same
    alert instance seen with fewer labels.
    """
    sets = sorted(set(label_sets), key=lambda s: (-len(s), s))
    as_sets = {s: set(s) for s in sets}
    maximal = [s for s in sets if not any(as_sets[s] < as_sets[o] for o in sets)]
    mapping: dict[Labels, Labels] = {}
    for s in sets:
        supers = [m for m in maximal if as_sets[s] <= as_sets[m]]
        mapping[s] = supers[0] if len(supers) == 1 else s
    return mapping


def merge_windows(
    windows: Iterable[AlertWindow], *, slack: timedelta, clip: TimeRange
) -> list[AlertWindow]:
    """Pad by ``slack``, merge overlapping windows per alert instance, clip to ``clip``.

    Windows whose label sets differ only by labels one source lacks are the same instance
    (see ``_canonical_sets``). Merged windows keep every source, the earliest
    ``pending_since``, and are open when any part is. Windows entirely outside the range
    disappear.

    Returns:
        Windows sorted by start time, then labels.
    """
    items = list(windows)
    canon = _canonical_sets(w.labels for w in items)
    grouped: dict[Labels, list[AlertWindow]] = {}
    for w in items:
        labels = canon[w.labels]
        padded = replace(w, start=w.start - slack, end=w.end + slack, labels=labels)
        grouped.setdefault(labels, []).append(padded)
    merged: list[AlertWindow] = []
    for group in grouped.values():
        group.sort(key=lambda w: (w.start, w.end))
        cur = group[0]
        for w in group[1:]:
            if w.start <= cur.end:
                cur = _union(cur, w)
            else:
                merged.append(cur)
                cur = w
        merged.append(cur)
    out = []
    for w in merged:
        start, end = max(w.start, clip.start), min(w.end, clip.end)
        if start < end:
            out.append(replace(w, start=start, end=end))
    out.sort(key=lambda w: (w.start, w.labels))
    return out


def _union(a: AlertWindow, b: AlertWindow) -> AlertWindow:
    sources = tuple(sorted(set(a.sources) | set(b.sources)))
    pend = [p for p in (a.pending_since, b.pending_since) if p is not None]
    return AlertWindow(
        start=min(a.start, b.start),
        end=max(a.end, b.end),
        labels=a.labels,
        sources=sources,
        pending_since=min(pend) if pend else None,
        open=a.open or b.open,
    )


def manual_window(start: datetime, end: datetime) -> AlertWindow:
    """A window given by hand (no labels)."""
    return AlertWindow(start=start, end=end, labels=make_labels({}), sources=(WindowSource.MANUAL,))


def baseline_range(windows: Sequence[AlertWindow]) -> TimeRange | None:
    """The default baseline: as long as the earliest window, ending where it starts."""
    if not windows:
        return None
    first = min(windows, key=lambda w: (w.start, w.end))
    return TimeRange(first.start - first.duration, first.start)
