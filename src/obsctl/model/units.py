"""Byte sizes as users type them (``64MiB``, ``1GB``, ``500k``)."""

from __future__ import annotations

import re

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1 << 10,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1 << 20,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1 << 30,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1 << 40,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def parse_size(text: str) -> int:
    """Parse a byte size: a number with an optional SI (``MB``) or IEC (``MiB``) unit.

    >>> parse_size("64MiB"), parse_size("1GB"), parse_size("500k"), parse_size("4096")
    (67108864, 1000000000, 500000, 4096)

    Raises:
        ValueError: not a size (the message names the accepted forms).
    """
    m = _SIZE.fullmatch(text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        raise ValueError(f"invalid size {text!r}: expected e.g. 512MiB, 2GB, 1000000")
    return int(float(m.group(1)) * _UNITS[unit])


def format_size(n: int) -> str:
    """A byte count for people.

    >>> format_size(512), format_size(1536), format_size(3 << 30)
    ('512 B', '1.5 KiB', '3.0 GiB')
    """
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"  # pragma: no cover - unreachable
