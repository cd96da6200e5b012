"""Fixtures for the TUI tests: an app factory over fake sources with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from obsctl.tui.app import ObsctlApp
from tests.tui.fakes import ALERTS, DOWN, UP, FakeAlerts, FakeMetrics, fixed_clock

QUERIES = ("up", "sum by (job) (up == 0)")


@pytest.fixture
def make_app() -> Callable[..., ObsctlApp]:
    """``make_app(metrics=…, alerts=…, **options)`` → an app with no auto-refresh."""

    def make(
        metrics: FakeMetrics | None = None,
        alerts: FakeAlerts | bool | None = True,
        **options: Any,
    ) -> ObsctlApp:
        metrics = metrics or FakeMetrics({QUERIES[0]: UP, QUERIES[1]: DOWN})
        source = FakeAlerts(list(ALERTS)) if alerts is True else alerts or None
        options.setdefault("queries", QUERIES)
        options.setdefault("since", timedelta(minutes=30))
        options.setdefault("refresh", None)
        options.setdefault("clock", fixed_clock)
        options.setdefault("context", "prod")
        return ObsctlApp(metrics, source, **options)

    return make
