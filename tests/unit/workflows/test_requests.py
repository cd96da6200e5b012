"""Command requests of trace and correlate: options as typed → checked, parsed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from obsctl.config.schema import Settings
from obsctl.errors import ConfigError, UsageError
from obsctl.model.correlation import RankBy
from obsctl.workflows.correlate import CorrelateOptions, plan_correlate
from obsctl.workflows.trace import TraceEnvironment, TraceShowRequest, run_trace_show

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_correlate_windows_are_padded_and_clipped_to_now():
    req = plan_correlate(
        CorrelateOptions(alert="A", windows=("now-30m..now-10m",), slack="2m", rank_by="errors"),
        NOW,
    )
    assert req.manual == ((NOW - timedelta(minutes=30), NOW - timedelta(minutes=10)),)
    assert (req.range.start, req.range.end) == (
        NOW - timedelta(minutes=32),
        NOW - timedelta(minutes=8),
    )
    assert (req.slack, req.rank_by, req.compare_baseline) == (
        timedelta(minutes=2),
        RankBy.ERRORS,
        True,
    )


def test_correlate_range_options_and_baseline_off():
    req = plan_correlate(
        CorrelateOptions(alert="A", since="6h", slack="0", baseline_window="off"), NOW
    )
    assert (req.range.start, req.range.end) == (NOW - timedelta(hours=6), NOW)
    assert (req.slack, req.compare_baseline, req.baseline) == (timedelta(0), False, None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CorrelateOptions(alert="A", windows=("x",)), "--window: expected START..END"),
        (CorrelateOptions(alert="A", slack="soon"), "--slack: invalid duration"),
        (
            CorrelateOptions(alert="A", baseline_window="now..now-1h"),
            "--baseline-window: start 'now' is not before end",
        ),
        (CorrelateOptions(alert="A", rules="/no/such.yml"), "--rules: /no/such.yml does not"),
    ],
)
def test_correlate_bad_options_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        plan_correlate(options, NOW)


def _env(settings):
    def stdin():
        raise AssertionError("stdin not expected")

    return TraceEnvironment(settings=settings, now=NOW, stdin=stdin)


async def test_trace_request_checks_options_before_loading_settings():
    def settings() -> Settings:
        raise AssertionError("settings must not be loaded for a bad request")

    for request, message in [
        (TraceShowRequest(file="f.json", backend="tempo"), "exclude each other"),
        (TraceShowRequest(trace_id="1", start="bogus"), "--start: invalid time"),
        (TraceShowRequest(trace_id="1", min_duration="x"), "--min-duration: invalid duration"),
    ]:
        with pytest.raises(UsageError, match=message):
            await run_trace_show(request, _env(settings))


async def test_a_trace_file_is_read_despite_a_broken_config(tmp_path):
    from tests.conftest import FIXTURES

    def settings() -> Settings:
        raise ConfigError("broken")

    result = await run_trace_show(
        TraceShowRequest(file=str(FIXTURES / "otlp/checkout.json"), depth=2), _env(settings)
    )
    assert result.fetched.trace.spans and result.view.max_depth == 2
    with pytest.raises(ConfigError):
        await run_trace_show(TraceShowRequest(trace_id="1"), _env(settings))
