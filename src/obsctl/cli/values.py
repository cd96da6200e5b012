"""Flag values in the shared grammars: durations (``model.time``) and byte sizes (``model.units``).

Every command parses its duration and size flags here, so one grammar holds everywhere
(``30s``, ``1h30m``, a bare number of seconds; ``10MiB``, ``2GB``, a bare number of bytes)
and a bad value reads the same on every command: ``obsctl: error: --timeout: invalid
duration 'soon': …`` (exit 2).
"""

from __future__ import annotations

from datetime import timedelta

from obsctl.errors import UsageError


def duration_flag(text: str, *, option: str, allow_zero: bool = False) -> timedelta:
    """The duration ``option`` was given.

    >>> duration_flag("1h30m", option="--window")
    datetime.timedelta(seconds=5400)
    >>> duration_flag("45", option="--timeout")
    datetime.timedelta(seconds=45)

    Raises:
        UsageError: not a duration, negative, or zero (unless ``allow_zero``), naming the flag.
    """
    from obsctl.model.time import TimeSyntaxError, parse_duration

    try:
        return parse_duration(text, allow_zero=allow_zero)
    except TimeSyntaxError as exc:
        raise UsageError(f"{option}: {exc}") from None


def seconds_flag(text: str, *, option: str, allow_zero: bool = False) -> float:
    """``duration_flag`` in seconds.

    >>> seconds_flag("250ms", option="--timeout")
    0.25
    """
    return duration_flag(text, option=option, allow_zero=allow_zero).total_seconds()


def size_flag(text: str, *, option: str, minimum: int = 0) -> int:
    """The byte size ``option`` was given.

    >>> size_flag("10MiB", option="--max-bytes"), size_flag("1000", option="--max-bytes")
    (10485760, 1000)

    Raises:
        UsageError: not a size, or below ``minimum`` bytes, naming the flag.
    """
    from obsctl.model.units import parse_size

    try:
        size = parse_size(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None
    if size < minimum:
        least = "above 0" if minimum == 1 else f"at least {minimum} bytes"
        raise UsageError(f"{option}: {text!r} is too small: the size must be {least}")
    return size
