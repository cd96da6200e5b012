"""The time grammar, at its edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from obsctl.model.time import (
    TimeSyntaxError,
    format_duration,
    format_prom_duration,
    format_rfc3339,
    format_rfc3339_nano,
    parse_duration,
    parse_instant,
    resolve_range,
    to_prom_param,
    to_unix_ms,
    to_unix_ns,
    to_unix_us,
)

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(minutes=90)),
        ("250ms", timedelta(milliseconds=250)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1y", timedelta(days=365)),
        ("90", timedelta(seconds=90)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("-5m", "negative duration"),  # durations count forward
        ("", "empty"),
        ("5 minutes", "invalid duration"),
        ("m5", "invalid duration"),
        ("1h-5m", "invalid duration"),
        ("0s", "zero"),
    ],
)
def test_bad_durations(text, needle):
    with pytest.raises(TimeSyntaxError, match=needle):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("now-1h", NOW - timedelta(hours=1)),
        ("now+5m", NOW + timedelta(minutes=5)),
        ("-15m", NOW - timedelta(minutes=15)),
        ("now - 2d", NOW - timedelta(days=2)),
        ("2026-11-25T10:00:00Z", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("2026-11-25T10:00:00+01:00", datetime(2026, 11, 25, 9, tzinfo=UTC)),
        ("2026-11-25T10:00:00.250-05:30", datetime(2026, 11, 25, 15, 30, 0, 250000, tzinfo=UTC)),
        ("1764064800", datetime(2025, 11, 25, 10, tzinfo=UTC)),
        ("1764064800.5", datetime(2025, 11, 25, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1764064800123", datetime(2025, 11, 25, 10, 0, 0, 123000, tzinfo=UTC)),
        ("1764064800123456", datetime(2025, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_instants(text, expected):
    assert parse_instant(text, now=NOW, tz=BERLIN) == expected


def test_local_time_uses_zone_and_dst():
    # Winter: CET (+01:00); summer: CEST (+02:00).
    assert parse_instant("2026-11-25 10:00", now=NOW, tz=BERLIN) == datetime(
        2026, 11, 25, 9, tzinfo=UTC
    )
    assert parse_instant("2026-07-01 10:00", now=NOW, tz=BERLIN) == datetime(
        2026, 7, 1, 8, tzinfo=UTC
    )
    assert parse_instant("2026-11-25", now=NOW, tz=BERLIN) == datetime(2026, 11, 24, 23, tzinfo=UTC)


def test_local_time_in_dst_gap_is_rejected():
    # 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 → 03:00).
    with pytest.raises(TimeSyntaxError, match="does not exist"):
        parse_instant("2026-03-29 02:30", now=NOW, tz=BERLIN)


def test_ambiguous_local_time_takes_first_occurrence():
    # 2026-10-25 02:30 happens twice in Berlin; the first (CEST, +02:00) is used.
    assert parse_instant("2026-10-25 02:30", now=NOW, tz=BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_leap_days():
    assert parse_instant("2028-02-29T00:00:00Z", now=NOW) == datetime(2028, 2, 29, tzinfo=UTC)
    with pytest.raises(TimeSyntaxError, match="day is out of range"):
        parse_instant("2026-02-29T00:00:00Z", now=NOW)
    with pytest.raises(TimeSyntaxError, match="day is out of range"):
        parse_instant("2026-02-29 10:00", now=NOW, tz=BERLIN)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00Z", "now-", "12:00", "now-x"])
def test_bad_instants(text):
    with pytest.raises(TimeSyntaxError):
        parse_instant(text, now=NOW, tz=BERLIN)


def test_resolve_range_since_and_end():
    r = resolve_range(now=NOW, since="30m")
    assert (r.start, r.end) == (NOW - timedelta(minutes=30), NOW)
    r = resolve_range(now=NOW, since="1h", end="now-1h")
    assert (r.start, r.end) == (NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    r = resolve_range(now=NOW)
    assert r.duration == timedelta(hours=1)


def test_resolve_range_rejects_conflicts_and_inverted():
    with pytest.raises(TimeSyntaxError, match="either --since or --start"):
        resolve_range(now=NOW, since="1h", start="now-2h")
    with pytest.raises(TimeSyntaxError, match="not before end"):
        resolve_range(now=NOW, start="now", end="now-1h")


def test_backend_units():
    t = datetime(2025, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)
    assert to_prom_param(t) == "1764064800.123"
    assert to_prom_param(datetime(2025, 11, 25, 10, tzinfo=UTC)) == "1764064800"
    assert to_unix_ms(t) == 1764064800123
    assert to_unix_us(t) == 1764064800123456
    assert to_unix_ns(t) == 1764064800123456000
    assert format_rfc3339(t) == "2025-11-25T10:00:00.123456Z"
    assert format_rfc3339(datetime(2025, 11, 25, 10, tzinfo=UTC)) == "2025-11-25T10:00:00Z"
    assert format_rfc3339_nano(t) == "2025-11-25T10:00:00.123456000Z"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.00085, "850µs"),
        (0.0123, "12.3ms"),
        (0.25, "250ms"),
        (1.2, "1.2s"),
        (12.34, "12.3s"),
        (245, "4m05s"),
        (11520, "3h12m"),
        (187200, "2d4h"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_prom_duration():
    assert format_prom_duration(timedelta(minutes=90)) == "1h30m"
    assert format_prom_duration(timedelta(milliseconds=1500)) == "1s500ms"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.9999996, "1s"), (0.0009999, "1ms"), (59.99, "1m00s"), (0.09996, "100ms"), (9.999, "10.0s")],
)
def test_format_duration_rounds_across_unit_boundaries(seconds, text):
    assert format_duration(seconds) == text


def test_format_duration_just_below_a_second():
    assert format_duration(0.9999) == "1s"
    assert format_duration(0.9994) == "999ms"
