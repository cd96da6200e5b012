"""``query --watch``: the loop keeps going through backend failures and stops on Ctrl-C."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.errors import BackendUnreachable
from obsctl.model.metrics import QueryAnswer, QueryResult, WatchFrame
from obsctl.workflows.query import watch_query

ANSWER = QueryAnswer("up", QueryResult(result_type="vector", series=()))


def test_failures_become_frames_and_ctrl_c_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[object] = [ANSWER, BackendUnreachable("http://p:9090 refused"), ANSWER]
    frames: list[WatchFrame] = []
    sleeps: list[float] = []

    def run_once() -> QueryAnswer:
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, QueryAnswer)
        return item

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", fake_sleep)
    clock = datetime(2026, 12, 6, 12, 0, 0, 123456, tzinfo=UTC)
    with pytest.raises(KeyboardInterrupt):
        watch_query(run_once, "up", timedelta(seconds=30), frames.append, now=lambda: clock)
    assert [(f.answer is not None, f.error) for f in frames] == [
        (True, None),
        (False, "http://p:9090 refused"),
        (True, None),
    ]
    assert {f.at for f in frames} == {"2026-12-06T12:00:00Z"}
    assert all(f.interval_s == 30.0 and f.expr == "up" for f in frames)
    assert all(25 < s <= 30 for s in sleeps)
