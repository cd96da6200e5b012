"""One forgiving time grammar for every command, and conversions to each backend's units.

Pure: ``now`` and the local time zone always come in as arguments.

Instants (``parse_instant``):

* ``now``, ``now-1h``, ``now+5m``, ``-15m`` (relative to now)
* RFC 3339 with an offset or ``Z``: ``2026-11-25T10:00:00Z``, ``2026-11-25T10:00:00.5+01:00``
* local wall-clock time: ``2026-11-25 10:00``, ``2026-11-25T10:00:30``, ``2026-11-25``
* Unix time: seconds (``1764064800``, fractions allowed), milliseconds (13 digits),
  microseconds (16) and nanoseconds (19)

Durations (``parse_duration``) use Prometheus units and may be compound: ``90s``, ``1h30m``,
``500ms``, ``2d``, ``1w``, ``1y`` (365 days). A bare number means seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

# Microseconds per unit, as floats: a ``timedelta`` rounds each part to whole microseconds, so
# a per-unit ``timedelta(microseconds=0.001)`` for ``ns`` would be zero.
_UNIT_US: dict[str, float] = {
    "ns": 1e-3,
    "us": 1.0,
    "µs": 1.0,
    "ms": 1e3,
    "s": 1e6,
    "m": 60e6,
    "h": 3600e6,
    "d": 86_400e6,
    "w": 604_800e6,
    "y": 365 * 86_400e6,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_RELATIVE = re.compile(r"^(?:now)?\s*([+-])\s*(\S+)$")
_LOCAL = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$"
)
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})$"
)


class TimeSyntaxError(ValueError):
    """A time or duration string that the grammar does not accept (message is user-facing)."""


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta:
    """Parse a Prometheus-style duration.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("250ms")
    datetime.timedelta(microseconds=250000)

    Raises:
        TimeSyntaxError: empty, negative, malformed, or zero (unless ``allow_zero``).
    """
    raw = text.strip()
    if not raw:
        raise TimeSyntaxError("empty duration")
    if raw.startswith("-"):
        raise TimeSyntaxError(f"negative duration {text!r}: durations count forward, e.g. '15m'")
    if raw.startswith("+"):
        raw = raw[1:]
    if _NUMBER.fullmatch(raw):
        total_us = float(raw) * 1e6
    else:
        pos = 0
        total_us = 0.0
        for match in _DURATION_PART.finditer(raw):
            if match.start() != pos:
                break
            total_us += float(match.group(1)) * _UNIT_US[match.group(2)]
            pos = match.end()
        if pos != len(raw) or pos == 0:
            raise TimeSyntaxError(
                f"invalid duration {text!r}: use a number and a unit (ms, s, m, h, d, w, y), "
                "e.g. '30s', '15m', '1h30m'"
            )
    try:
        total = timedelta(microseconds=total_us)
    except OverflowError:
        raise TimeSyntaxError(f"duration {text!r} is too long") from None
    if total == timedelta(0) and not allow_zero:
        raise TimeSyntaxError(f"duration {text!r} is zero")
    return total


def parse_instant(text: str, *, now: datetime, tz: tzinfo | None = None) -> datetime:
    """Parse a point in time; the result is an aware UTC datetime.

    Args:
        text: the user's string (see module docstring for the grammar).
        now: the current time (aware).
        tz: the zone for wall-clock times without an offset; ``None`` uses the system zone.

    Raises:
        TimeSyntaxError: the string matches no form, or names a local time that does not
            exist (skipped by a daylight-saving change).
    """
    raw = text.strip()
    if not raw:
        raise TimeSyntaxError("empty time")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lowered = raw.lower()
    if lowered == "now":
        return now.astimezone(UTC)
    rel = _RELATIVE.match(lowered)
    if rel and (lowered.startswith("now") or lowered.startswith("-")):
        sign, amount = rel.groups()
        try:
            delta = parse_duration(amount, allow_zero=True)
        except TimeSyntaxError as exc:
            raise TimeSyntaxError(f"invalid relative time {text!r}: {exc}") from None
        try:
            return (now + delta if sign == "+" else now - delta).astimezone(UTC)
        except OverflowError:
            raise TimeSyntaxError(f"relative time {text!r} is out of range") from None
    if _NUMBER.fullmatch(raw):
        return _from_unix(raw, text)
    m = _RFC3339.match(raw)
    if m:
        return _from_rfc3339(m, text)
    m = _LOCAL.match(raw)
    if m:
        return _from_local(m, text, tz)
    raise TimeSyntaxError(
        f"invalid time {text!r}: use now, now-1h, -15m, RFC 3339 "
        "(2026-11-25T10:00:00Z), local '2026-11-25 10:00', or Unix seconds/milliseconds"
    )


def _from_unix(raw: str, text: str) -> datetime:
    whole = raw.split(".", 1)[0]
    value = float(raw)
    digits = len(whole)
    if digits >= 18:
        seconds = value / 1e9
    elif digits >= 15:
        seconds = value / 1e6
    elif digits >= 12:
        seconds = value / 1e3
    else:
        seconds = value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TimeSyntaxError(f"Unix time {text!r} is out of range") from None


def _fraction_us(frac: str | None) -> int:
    if not frac:
        return 0
    return int((frac + "000000")[:6])


def _from_rfc3339(m: re.Match[str], text: str) -> datetime:
    year, month, day, hour, minute, second, frac, offset = m.groups()
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            _fraction_us(frac),
        )
    except ValueError as exc:
        raise TimeSyntaxError(f"invalid time {text!r}: {exc}") from None
    if offset in ("Z", "z"):
        delta = timedelta(0)
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise TimeSyntaxError(f"invalid UTC offset in {text!r}")
        delta = sign * timedelta(hours=hours, minutes=minutes)
    return (naive - delta).replace(tzinfo=UTC)


def _from_local(m: re.Match[str], text: str, tz: tzinfo | None) -> datetime:
    year, month, day, hour, minute, second, frac = m.groups()
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            _fraction_us(frac),
        )
    except ValueError as exc:
        raise TimeSyntaxError(f"invalid time {text!r}: {exc}") from None
    # With no zone given, astimezone() applies the system zone, DST-aware via mktime.
    aware = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    utc = aware.astimezone(UTC)
    # A wall-clock time inside a spring-forward gap does not exist; round-tripping reveals it.
    back = utc.astimezone(tz) if tz is not None else utc.astimezone()
    if back.replace(tzinfo=None) != naive:
        raise TimeSyntaxError(
            f"local time {text!r} does not exist (skipped by a daylight-saving change); "
            "give an explicit offset, e.g. 2026-03-29T02:30:00+01:00"
        )
    return utc


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open interval ``[start, end)`` of aware UTC datetimes."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start

    def contains(self, t: datetime) -> bool:
        """True when ``start <= t < end``."""
        return self.start <= t < self.end


def resolve_range(
    *,
    now: datetime,
    since: str | None = None,
    start: str | None = None,
    end: str | None = None,
    default_since: timedelta = timedelta(hours=1),
    tz: tzinfo | None = None,
) -> TimeRange:
    """Combine ``--since``, ``--start`` and ``--end`` into one range.

    ``--since D`` means ``[end - D, end)`` where end defaults to now. ``--since`` together with
    ``--start`` is ambiguous and rejected.

    Raises:
        TimeSyntaxError: bad syntax, both since and start, or start not before end.
    """
    if since and start:
        raise TimeSyntaxError("give either --since or --start, not both")
    end_t = parse_instant(end, now=now, tz=tz) if end else now.astimezone(UTC)
    if start:
        start_t = parse_instant(start, now=now, tz=tz)
    else:
        span = parse_duration(since) if since else default_since
        try:
            start_t = end_t - span
        except OverflowError:
            raise TimeSyntaxError(f"--since {since} reaches before year 1") from None
    if start_t >= end_t:
        raise TimeSyntaxError(
            f"start {format_rfc3339(start_t)} is not before end {format_rfc3339(end_t)}"
        )
    return TimeRange(start_t, end_t)


# ----------------------------------------------------------------------------- conversions


def to_unix_seconds(t: datetime) -> float:
    """Unix seconds (Prometheus ``time``/``start``/``end``, Tempo search ``start``/``end``)."""
    return t.timestamp()


def to_prom_param(t: datetime) -> str:
    """Prometheus API time parameter: Unix seconds with millisecond precision, no trailing 0s."""
    text = f"{t.timestamp():.3f}".rstrip("0").rstrip(".")
    return text


def to_unix_ms(t: datetime) -> int:
    """Unix milliseconds (Zipkin ``endTs``)."""
    return _total_us(t) // 1000


def to_unix_us(t: datetime) -> int:
    """Unix microseconds (Jaeger v1 ``start``/``end``, Zipkin span ``timestamp``)."""
    return _total_us(t)


def to_unix_ns(t: datetime) -> int:
    """Unix nanoseconds (OTLP ``startTimeUnixNano``)."""
    return _total_us(t) * 1000


def _total_us(t: datetime) -> int:
    delta = t.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_unix_ns(ns: int) -> datetime:
    """Aware UTC datetime from Unix nanoseconds (microsecond precision kept)."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def from_unix_us(us: int) -> datetime:
    """Aware UTC datetime from Unix microseconds."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def format_rfc3339(t: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; sub-second digits only when present."""
    utc = t.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0") + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_rfc3339_nano(t: datetime) -> str:
    """RFC 3339 with 9 fractional digits (Jaeger api_v3 ``start_time_min``)."""
    utc = t.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}000Z"


def format_duration(d: timedelta | float) -> str:
    """Human duration: ``850µs``, ``12.3ms``, ``1.20s``, ``4m05s``, ``3h12m``, ``2d4h``."""
    seconds = d.total_seconds() if isinstance(d, timedelta) else float(d)
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s == 0:
        return "0s"
    # Thresholds compare rounded values, so 0.9999996 s reads "1s", not "1000ms".
    if round(s * 1e6) < 1000:
        return f"{sign}{s * 1e6:.0f}µs"
    if round(s * 1e3) < 1000:
        ms = s * 1e3
        return f"{sign}{ms:.3g}ms" if ms < 99.95 else f"{sign}{ms:.0f}ms"
    if round(s, 1) < 60:
        return f"{sign}{s:.3g}s" if s < 9.995 else f"{sign}{s:.1f}s"
    if s < 3600:
        m, sec = divmod(round(s), 60)
        return f"{sign}{m}m{sec:02d}s"
    if s < 86400:
        h, rem = divmod(round(s), 3600)
        return f"{sign}{h}h{rem // 60:02d}m"
    d_, rem = divmod(round(s), 86400)
    return f"{sign}{d_}d{rem // 3600}h"


def format_prom_duration(d: timedelta) -> str:
    """Prometheus duration string (``1h30m``, ``15s``, ``250ms``) for a ``timedelta``."""
    ms = round(d.total_seconds() * 1000)
    if ms <= 0:
        return "0s"
    parts = []
    for unit, size in (
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ):
        if ms >= size:
            n, ms = divmod(ms, size)
            parts.append(f"{n}{unit}")
    return "".join(parts)
