"""Backtest arithmetic: flaps, shares, budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.analysis.rules.backtest import judge, parse_budget, summarize_alert
from obsctl.errors import UsageError
from obsctl.model.alerts import AlertWindow, WindowSource
from obsctl.parsers.rule_file import parse_prom_duration

T = datetime(2026, 12, 1, tzinfo=UTC)


def w(a: int, b: int, who: str = "x", *, open_: bool = False) -> AlertWindow:
    return AlertWindow(
        T + timedelta(minutes=a), T + timedelta(minutes=b), (("i", who),),
        (WindowSource.RULES,), open=open_,
    )  # fmt: skip


def _summary(*windows: AlertWindow, flap: int = 60) -> object:
    return summarize_alert(
        windows, name="A", group="g", file="f", interval_s=60.0, start=T,
        end=T + timedelta(minutes=100), flap_window=timedelta(minutes=flap),
    )  # fmt: skip


def test_flaps_are_per_instance_and_within_the_window() -> None:
    s = _summary(w(0, 10), w(30, 40), w(200, 210), w(35, 45, "y"))
    # (30-10)=20m ≤ 60m flaps; y is another instance; the window at 200m is outside the range.
    assert (s.firings, s.instances, s.flaps) == (3, 2, 1)  # type: ignore[attr-defined]
    assert s.firing_s == 30 * 60 and s.longest_s == 10 * 60  # type: ignore[attr-defined]
    assert s.share == pytest.approx(25 / 100)  # type: ignore[attr-defined]  # union 0-10, 30-45
    assert _summary(w(0, 10), w(30, 40), flap=15).flaps == 0  # type: ignore[attr-defined]


def test_clipping_and_still_firing() -> None:
    s = _summary(w(-30, 5), w(90, 100, open_=True))
    assert s.firing_s == 15 * 60 and s.still_firing  # type: ignore[attr-defined]


def test_budget_terms() -> None:
    terms = parse_budget("firings<=1, firing<5%, flaps<=0, longest<=5m", parse_prom_duration)
    assert [(t.key, t.op, t.value, t.is_share) for t in terms] == [
        ("firings", "<=", 1.0, False),
        ("firing", "<", 0.05, True),
        ("flaps", "<=", 0.0, False),
        ("longest", "<=", 300.0, False),
    ]
    judged = judge(_summary(w(0, 10), w(30, 40)), terms)  # type: ignore[arg-type]
    assert judged.over_budget == (
        "firings 2 breaks firings<=1",
        "firing 20.00% breaks firing<5%",
        "flaps 1 breaks flaps<=0",
        "longest 600 breaks longest<=5m",
    )
    assert parse_budget("firing<=1h", parse_prom_duration)[0].value == 3600.0


@pytest.mark.parametrize("text", ["firings<=x", "nope<=1", "firings>=1", "firing<=1.5q"])
def test_bad_budgets_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_budget(text, parse_prom_duration)
