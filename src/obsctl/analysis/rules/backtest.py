"""Backtest arithmetic: firings, durations, flaps and budgets from simulated alert windows.

The windows come from ``analysis.windows.simulate_rule`` (Prometheus's pending/firing/``for``/
``keep_firing_for`` state machine, the one ``correlate --rules`` uses); everything here is
pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise

from obsctl.errors import UsageError
from obsctl.model.alerts import AlertWindow, SeriesPoints
from obsctl.model.rules import AlertBacktest, RecordingBacktest

_TERM = re.compile(r"^\s*(firings|firing|flaps|longest)\s*(<=|<)\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class BudgetTerm:
    """One ``key<=value`` term of ``--budget``.

    Attributes:
        key: ``firings`` (count), ``flaps`` (count), ``firing`` (share of the range, ``2%``, or
            total time, ``1h``), ``longest`` (one firing's duration).
        op: ``<=`` or ``<``.
        value: the limit (count, fraction 0–1, or seconds).
        is_share: ``firing`` given in percent.
        text: as written.
    """

    key: str
    op: str
    value: float
    is_share: bool
    text: str


def parse_budget(text: str, parse_seconds: Callable[[str], float | None]) -> tuple[BudgetTerm, ...]:
    """Parse ``firings<=5,firing<=2%,flaps<3,longest<=1h``.

    Args:
        text: the ``--budget`` value.
        parse_seconds: ``str -> float | None`` for durations.

    Raises:
        UsageError: a term that is not ``KEY<=VALUE`` with a known key and a valid value.
    """
    terms: list[BudgetTerm] = []
    for raw in text.split(","):
        if not raw.strip():
            continue
        m = _TERM.match(raw)
        if m is None:
            raise UsageError(
                f"--budget: cannot read {raw.strip()!r}",
                hint="e.g. --budget 'firings<=5,firing<=2%,flaps<=1,longest<=1h'",
            )
        key, op, value = m.groups()
        if key in ("firings", "flaps"):
            if not value.isdigit():
                raise UsageError(f"--budget: {key} takes a count, not {value!r}")
            terms.append(BudgetTerm(key, op, float(value), False, raw.strip()))
        elif key == "firing" and value.endswith("%"):
            try:
                share = float(value[:-1]) / 100
            except ValueError:
                raise UsageError(f"--budget: bad percentage {value!r}") from None
            terms.append(BudgetTerm(key, op, share, True, raw.strip()))
        else:
            seconds = parse_seconds(value)
            if seconds is None:
                raise UsageError(f"--budget: {key} takes a duration (or a % for firing)")
            terms.append(BudgetTerm(key, op, float(seconds), False, raw.strip()))
    return tuple(terms)


def _breaks(term: BudgetTerm, actual: float) -> bool:
    return actual > term.value if term.op == "<=" else actual >= term.value


def judge(result: AlertBacktest, terms: Sequence[BudgetTerm]) -> AlertBacktest:
    """``result`` with the budget terms it breaks."""
    broken: list[str] = []
    for term in terms:
        actual = {
            "firings": float(result.firings),
            "flaps": float(result.flaps),
            "longest": result.longest_s,
            "firing": result.share if term.is_share else result.firing_s,
        }[term.key]
        if _breaks(term, actual):
            shown = f"{actual:.2%}" if term.is_share else f"{actual:g}"
            broken.append(f"{term.key} {shown} breaks {term.text}")
    return result.replace(over_budget=tuple(broken))


def summarize_alert(
    windows: Sequence[AlertWindow],
    *,
    name: str,
    group: str,
    file: str,
    interval_s: float,
    start: datetime,
    end: datetime,
    flap_window: timedelta,
) -> AlertBacktest:
    """Firings, durations, flaps and share of one alert's windows, clipped to ``[start, end]``."""
    clipped = []
    for w in windows:
        s, e = max(w.start, start), min(w.end, end)
        if s < e or (s == e and w.open):
            clipped.append(replace(w, start=s, end=e))
    by_instance: dict[object, list[AlertWindow]] = {}
    for w in clipped:
        by_instance.setdefault(w.labels, []).append(w)
    flaps = 0
    for group_windows in by_instance.values():
        group_windows.sort(key=lambda w: w.start)
        for before, after in pairwise(group_windows):
            if after.start - before.end <= flap_window:
                flaps += 1
    total = sum((w.end - w.start).total_seconds() for w in clipped)
    longest = max(((w.end - w.start).total_seconds() for w in clipped), default=0.0)
    span = (end - start).total_seconds()
    return AlertBacktest(
        name=name,
        group=group,
        file=file,
        interval_s=interval_s,
        firings=len(clipped),
        instances=len(by_instance),
        firing_s=total,
        longest_s=longest,
        flaps=flaps,
        share=_union_seconds(clipped) / span if span > 0 else 0.0,
        still_firing=any(w.open for w in clipped),
    )


def _union_seconds(windows: Sequence[AlertWindow]) -> float:
    """Seconds during which at least one window is open."""
    total = 0.0
    cur_start: datetime | None = None
    cur_end: datetime | None = None
    for w in sorted(windows, key=lambda w: w.start):
        if cur_end is None or w.start > cur_end:
            if cur_start is not None and cur_end is not None:
                total += (cur_end - cur_start).total_seconds()
            cur_start, cur_end = w.start, w.end
        else:
            cur_end = max(cur_end, w.end)
    if cur_start is not None and cur_end is not None:
        total += (cur_end - cur_start).total_seconds()
    return total


def summarize_recording(
    series: Sequence[SeriesPoints], *, name: str, group: str, file: str, interval_s: float,
    evaluations: int,
) -> RecordingBacktest:  # fmt: skip
    """Series produced and samples per evaluation of one recording rule."""
    samples = sum(len(s.points) for s in series)
    return RecordingBacktest(
        name=name,
        group=group,
        file=file,
        interval_s=interval_s,
        series=len({s.labels for s in series}),
        samples_per_eval=samples / evaluations if evaluations else 0.0,
    )
