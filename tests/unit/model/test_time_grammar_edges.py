"""The time grammar at the edges no other test reaches: seconds and fractions in RFC 3339, the
minute-only form, offsets out of range, sub-millisecond units and the Unix-time cut-overs
between seconds, milliseconds, microseconds and nanoseconds.

Every expectation is a literal, worked out by hand (or by the comment next to it).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from obsctl.model.time import (
    TimeRange,
    TimeSyntaxError,
    format_duration,
    format_prom_duration,
    format_rfc3339,
    format_rfc3339_nano,
    from_unix_ns,
    from_unix_us,
    parse_duration,
    parse_instant,
    resolve_range,
    to_prom_param,
    to_unix_ms,
    to_unix_ns,
    to_unix_seconds,
    to_unix_us,
)

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return parse_instant(text, now=NOW, tz=UTC)


# ----------------------------------------------------------------------------- RFC 3339


def test_rfc3339_keeps_the_seconds():
    assert at("2026-11-25T10:00:30Z") == datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)
    assert at("2026-11-25T10:17:59+01:00") == datetime(2026, 11, 25, 9, 17, 59, tzinfo=UTC)


def test_rfc3339_minute_only_form_means_second_zero():
    assert at("2026-11-25T10:07Z") == datetime(2026, 11, 25, 10, 7, tzinfo=UTC)
    assert at("2026-11-25T10:07+02:00") == datetime(2026, 11, 25, 8, 7, tzinfo=UTC)


def test_rfc3339_fraction_is_padded_or_truncated_to_microseconds():
    assert at("2026-11-25T10:00:01.5Z") == datetime(2026, 11, 25, 10, 0, 1, 500000, tzinfo=UTC)
    assert at("2026-11-25T10:00:01.000042Z") == datetime(2026, 11, 25, 10, 0, 1, 42, tzinfo=UTC)
    # Nanoseconds are cut (not rounded) to microseconds.
    assert at("2026-11-25T10:00:01.123456999Z") == datetime(
        2026, 11, 25, 10, 0, 1, 123456, tzinfo=UTC
    )


def test_rfc3339_lowercase_t_and_z_and_space_separator():
    expected = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)
    assert at("2026-11-25t10:00:30z") == expected
    assert at("2026-11-25 10:00:30Z") == expected
    assert at("2026-11-25 10:00:30 Z") == expected


def test_rfc3339_offset_without_colon_and_with_minutes():
    assert at("2026-11-25T10:00:00+0130") == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert at("2026-11-25T10:00:00-0945") == datetime(2026, 11, 25, 19, 45, tzinfo=UTC)


def test_rfc3339_largest_valid_offsets_are_accepted():
    assert at("2026-11-25T23:59:00+23:59") == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    assert at("2026-11-25T00:00:00-23:59") == datetime(2026, 11, 25, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25T10:00:00+24:00",  # hours past 23
        "2026-11-25T10:00:00-24:00",
        "2026-11-25T10:00:00+23:60",  # minutes past 59
        "2026-11-25T10:00:00+9900",
    ],
)
def test_rfc3339_invalid_utc_offset_is_rejected(text):
    with pytest.raises(TimeSyntaxError, match=r"^invalid UTC offset in '"):
        at(text)


@pytest.mark.parametrize(
    "text",
    ["2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T10:00:60Z", "2026-02-30T10:00Z"],
)
def test_rfc3339_out_of_range_fields_are_rejected_with_the_input(text):
    with pytest.raises(TimeSyntaxError, match=rf"^invalid time '{text}': "):
        at(text)


# ----------------------------------------------------------------------------- local time


def test_local_forms_with_seconds_and_fraction():
    assert at("2026-11-25 10:00:30") == datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)
    assert at("2026-11-25T10:00:30.25") == datetime(2026, 11, 25, 10, 0, 30, 250000, tzinfo=UTC)
    assert at("2026-11-25 9:05") == datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    assert at("2026-11-25") == datetime(2026, 11, 25, tzinfo=UTC)


def test_local_time_in_a_fixed_zone_is_converted_to_utc():
    plus_three = timezone(timedelta(hours=3))
    got = parse_instant("2026-11-25 10:00", now=NOW, tz=plus_three)
    assert got == datetime(2026, 11, 25, 7, tzinfo=UTC)
    assert got.tzinfo is UTC


def test_local_invalid_date_names_the_input():
    with pytest.raises(TimeSyntaxError, match=r"^invalid time '2026-04-31': day is out of range"):
        at("2026-04-31")


# ----------------------------------------------------------------------------- relative


def test_relative_times_are_returned_in_utc_even_when_now_is_not():
    now_plus_two = datetime(2026, 11, 25, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    for text in ("now", "now-1h", "-30m"):
        got = parse_instant(text, now=now_plus_two, tz=UTC)
        assert got.tzinfo is UTC
    assert parse_instant("now-1h", now=now_plus_two) == datetime(2026, 11, 25, 11, tzinfo=UTC)
    assert parse_instant("now", now=now_plus_two) == datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_relative_zero_offset_is_allowed():
    assert at("now-0s") == NOW
    assert at("now+0m") == NOW


def test_relative_with_bad_duration_names_the_input_and_the_reason():
    with pytest.raises(TimeSyntaxError, match=r"^invalid relative time 'now-5x': invalid duration"):
        at("now-5x")


def test_plus_without_now_is_not_a_relative_time():
    with pytest.raises(TimeSyntaxError, match=r"^invalid time '\+5m': use now"):
        at("+5m")


def test_whitespace_around_an_instant_is_ignored():
    assert at("  now-1h \t") == datetime(2026, 11, 25, 11, tzinfo=UTC)


def test_empty_instant_is_rejected():
    with pytest.raises(TimeSyntaxError, match=r"^empty time$"):
        at("   ")


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        parse_instant("now", now=datetime(2026, 11, 25, 12))


# ----------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1us", timedelta(microseconds=1)),
        ("250us", timedelta(microseconds=250)),
        ("1µs", timedelta(microseconds=1)),  # U+00B5 MICRO SIGN
        ("7µs", timedelta(microseconds=7)),
        ("1000ns", timedelta(microseconds=1)),
        ("5000ns", timedelta(microseconds=5)),
        ("1ms500us", timedelta(microseconds=1500)),
        ("1s1ms1us", timedelta(seconds=1, microseconds=1001)),
    ],
)
def test_sub_millisecond_duration_units(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1m", timedelta(minutes=1)),  # minutes, not months or milliseconds
        ("1h1m1s", timedelta(seconds=3661)),
        ("1d", timedelta(hours=24)),
        ("1w1d", timedelta(days=8)),
        ("2y", timedelta(days=730)),
        ("1.5s", timedelta(milliseconds=1500)),
        ("0.5", timedelta(milliseconds=500)),
        ("+5m", timedelta(minutes=5)),
        (" 5m ", timedelta(minutes=5)),
    ],
)
def test_each_duration_unit_has_its_size(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["0", "0s", "0ms", "0h0m"])
def test_zero_duration_is_rejected_unless_allowed(text):
    with pytest.raises(TimeSyntaxError, match=rf"^duration '{text}' is zero$"):
        parse_duration(text)
    assert parse_duration(text, allow_zero=True) == timedelta(0)


@pytest.mark.parametrize("text", ["5m3", "5m junk", "h", "5mm", "5 m", "1..5s"])
def test_durations_with_trailing_or_missing_parts_are_rejected(text):
    with pytest.raises(TimeSyntaxError, match=rf"^invalid duration '{text}': use a number"):
        parse_duration(text)


def test_empty_and_negative_duration_messages():
    with pytest.raises(TimeSyntaxError, match=r"^empty duration$"):
        parse_duration("  ")
    with pytest.raises(TimeSyntaxError, match=r"^negative duration '-5m': durations count"):
        parse_duration("-5m")


# ----------------------------------------------------------------------------- Unix time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Up to 11 digits: seconds.
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("86400", datetime(1970, 1, 2, tzinfo=UTC)),
        ("10000000000", datetime(2286, 11, 20, 17, 46, 40, tzinfo=UTC)),  # 11 digits: 1e10 s
        # 12 to 14 digits: milliseconds.
        ("100000000000", datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # 12 digits: 1e8 s
        ("10000000000000", datetime(2286, 11, 20, 17, 46, 40, tzinfo=UTC)),  # 14 digits
        # 15 to 17 digits: microseconds.
        ("100000000000000", datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # 15 digits
        ("10000000000000000", datetime(2286, 11, 20, 17, 46, 40, tzinfo=UTC)),  # 17 digits
        # 18 digits and more: nanoseconds.
        ("100000000000000000", datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # 18 digits
        ("1764064800000000000", datetime(2025, 11, 25, 10, tzinfo=UTC)),  # 19 digits
    ],
)
def test_unix_time_cut_overs_between_seconds_ms_us_and_ns(text, expected):
    assert at(text) == expected


def test_unix_time_counts_digits_before_the_decimal_point_only():
    # 10 digits and a long fraction are still seconds.
    assert at("1764064800.250000") == datetime(2025, 11, 25, 10, 0, 0, 250000, tzinfo=UTC)


def test_unix_time_out_of_range_is_a_syntax_error():
    with pytest.raises(TimeSyntaxError, match=r"^Unix time '99999999999999999999999' is out of"):
        at("99999999999999999999999")


# ----------------------------------------------------------------------------- ranges


def test_time_range_is_half_open():
    r = TimeRange(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    assert r.contains(datetime(2026, 1, 1, tzinfo=UTC))
    assert r.contains(datetime(2026, 1, 1, 23, 59, 59, 999999, tzinfo=UTC))
    assert not r.contains(datetime(2026, 1, 2, tzinfo=UTC))
    assert not r.contains(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert r.duration == timedelta(days=1)


def test_resolve_range_with_start_and_end():
    r = resolve_range(now=NOW, start="2026-11-25T10:00:00Z", end="2026-11-25T11:00:00Z")
    assert (r.start, r.end) == (
        datetime(2026, 11, 25, 10, tzinfo=UTC),
        datetime(2026, 11, 25, 11, tzinfo=UTC),
    )


def test_resolve_range_start_defaults_end_to_now_in_utc():
    now_plus_two = datetime(2026, 11, 25, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    r = resolve_range(now=now_plus_two, start="now-2h")
    assert r.end == datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert r.end.tzinfo is UTC
    assert r.start == datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_resolve_range_uses_the_given_default_span_and_zone():
    r = resolve_range(now=NOW, default_since=timedelta(minutes=5))
    assert (r.start, r.end) == (datetime(2026, 11, 25, 11, 55, tzinfo=UTC), NOW)
    plus_one = timezone(timedelta(hours=1))
    r = resolve_range(now=NOW, start="2026-11-25 10:00", end="2026-11-25 12:00", tz=plus_one)
    assert (r.start, r.end) == (
        datetime(2026, 11, 25, 9, tzinfo=UTC),
        datetime(2026, 11, 25, 11, tzinfo=UTC),
    )


def test_resolve_range_rejects_an_empty_range_and_names_both_ends():
    with pytest.raises(
        TimeSyntaxError,
        match=r"^start 2026-11-25T12:00:00Z is not before end 2026-11-25T12:00:00Z$",
    ):
        resolve_range(now=NOW, start="now", end="now")


def test_resolve_range_since_and_start_message():
    with pytest.raises(TimeSyntaxError, match=r"^give either --since or --start, not both$"):
        resolve_range(now=NOW, since="1h", start="now-2h")


# ----------------------------------------------------------------------------- conversions


def test_conversions_of_a_time_before_1970():
    t = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    assert to_unix_seconds(t) == -0.5
    assert to_unix_ms(t) == -500
    assert to_unix_us(t) == -500000
    assert to_unix_ns(t) == -500000000


def test_conversions_of_an_aware_non_utc_time():
    t = datetime(1970, 1, 1, 2, 0, 1, 7, tzinfo=timezone(timedelta(hours=2)))
    assert to_unix_us(t) == 1_000_007
    assert to_unix_ms(t) == 1000
    assert to_unix_ns(t) == 1_000_007_000
    assert to_prom_param(t) == "1"


def test_to_prom_param_keeps_milliseconds_without_trailing_zeros():
    assert to_prom_param(datetime(2025, 11, 25, 10, 0, 0, 500000, tzinfo=UTC)) == "1764064800.5"
    assert to_prom_param(datetime(2025, 11, 25, 10, 0, 0, 120000, tzinfo=UTC)) == "1764064800.12"
    assert to_prom_param(datetime(2025, 11, 25, 10, 0, 10, tzinfo=UTC)) == "1764064810"


def test_from_unix_ns_and_us():
    assert from_unix_ns(1_764_064_800_123_456_789) == datetime(
        2025, 11, 25, 10, 0, 0, 123456, tzinfo=UTC
    )
    assert from_unix_us(1_764_064_800_000_001) == datetime(2025, 11, 25, 10, 0, 0, 1, tzinfo=UTC)
    assert from_unix_ns(0) == datetime(1970, 1, 1, tzinfo=UTC)


def test_format_rfc3339_converts_to_utc_and_trims_the_fraction():
    plus_two = timezone(timedelta(hours=2))
    assert format_rfc3339(datetime(2026, 1, 1, 2, 0, 0, 500000, tzinfo=plus_two)) == (
        "2026-01-01T00:00:00.5Z"
    )
    assert format_rfc3339(datetime(2026, 1, 1, 2, 0, 7, tzinfo=plus_two)) == "2026-01-01T00:00:07Z"
    assert format_rfc3339_nano(datetime(2026, 1, 1, 2, 0, 0, 42, tzinfo=plus_two)) == (
        "2026-01-01T00:00:00.000042000Z"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(microseconds=850), "850µs"),
        (-0.25, "-250ms"),
        (-90, "-1m30s"),
        (0.1, "100ms"),
        (99.94e-3, "99.9ms"),
        (9.99, "9.99s"),
        (59.9, "59.9s"),
        (3599, "59m59s"),
        (3600, "1h00m"),
        (86399, "23h59m"),
        (86400, "1d0h"),
        (90061, "1d1h"),
    ],
)
def test_format_duration_unit_boundaries(value, text):
    assert format_duration(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=-5), "0s"),
        (
            timedelta(weeks=1, days=1, hours=1, minutes=1, seconds=1, milliseconds=1),
            "1w1d1h1m1s1ms",
        ),
        (timedelta(milliseconds=1), "1ms"),
        (timedelta(days=7), "1w"),
        (timedelta(seconds=60), "1m"),
    ],
)
def test_format_prom_duration_every_unit(value, text):
    assert format_prom_duration(value) == text


# ----------------------------------------------------------------------------- overflow


@pytest.mark.parametrize("text", ["99999999999y", "99999999999999999999", "9" * 400])
def test_duration_too_long_for_a_timedelta_is_a_syntax_error(text):
    with pytest.raises(TimeSyntaxError, match=r"^duration '9+y?' is too long$"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["now-99999y", "now+99999y"])
def test_relative_time_beyond_the_calendar_is_a_syntax_error(text):
    with pytest.raises(TimeSyntaxError, match=rf"^relative time '{re.escape(text)}' is out of"):
        at(text)


def test_since_reaching_before_year_one_is_a_syntax_error():
    with pytest.raises(TimeSyntaxError, match=r"^--since 99999y reaches before year 1$"):
        resolve_range(now=NOW, since="99999y")


# ----------------------------------------------------------------------------- messages, zones


def test_invalid_time_message_lists_every_form():
    with pytest.raises(TimeSyntaxError) as err:
        at("yesterday")
    assert str(err.value) == (
        "invalid time 'yesterday': use now, now-1h, -15m, RFC 3339 (2026-11-25T10:00:00Z), "
        "local '2026-11-25 10:00', or Unix seconds/milliseconds"
    )


def test_invalid_duration_message_names_the_units_and_examples():
    with pytest.raises(TimeSyntaxError) as err:
        parse_duration("5x")
    assert str(err.value) == (
        "invalid duration '5x': use a number and a unit (ms, s, m, h, d, w, y), "
        "e.g. '30s', '15m', '1h30m'"
    )


def test_local_time_in_a_dst_gap_message_suggests_an_offset():
    from zoneinfo import ZoneInfo

    with pytest.raises(TimeSyntaxError) as err:
        parse_instant("2026-03-29 02:30", now=NOW, tz=ZoneInfo("Europe/Berlin"))
    assert str(err.value) == (
        "local time '2026-03-29 02:30' does not exist (skipped by a daylight-saving change); "
        "give an explicit offset, e.g. 2026-03-29T02:30:00+01:00"
    )


def test_naive_now_message():
    with pytest.raises(ValueError, match=r"^now must be timezone-aware$"):
        parse_instant("now", now=datetime(2026, 11, 25, 12))


def test_rfc3339_output_is_utc_whatever_the_system_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        t = datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
        assert format_rfc3339(t) == "2026-01-01T00:00:00.5Z"
        assert format_rfc3339_nano(t) == "2026-01-01T00:00:00.500000000Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_format_duration_rounds_at_the_microsecond_and_ten_second_lines():
    assert format_duration(0.0009994999) == "999µs"
    assert format_duration(9.995) == "10.0s"  # the float just below 9.995 still reads 10.0s
