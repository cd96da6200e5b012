"""The expanding series notation of rule unit tests and engine test scripts.

``metric{label="v"} 1+2x3 _ stale 5x2`` describes one series: a label set, then values at
successive steps. ``a+bxn`` (or ``a-bxn``) expands to the ``n+1`` values ``a, a+b, … a+nb``,
``axn`` repeats ``a`` ``n+1`` times, ``_`` is a step without a sample (``_xn``: ``n`` of
them), ``stale`` is a staleness marker, and ``Inf``/``NaN`` are floats. Increments add up
one step at a time, so rounding matches Prometheus (``0.1+0.1x9`` does not end at exactly 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from obsctl.analysis.engine.labels import Labels, make_labels


class NotationError(ValueError):
    """A series line or value sequence that cannot be read."""


OMITTED = None


@dataclass(frozen=True, slots=True)
class Stale:
    """A staleness marker in a value sequence."""


STALE = Stale()

SeqValue = float | Stale | None
"""One step of a sequence: a float, ``STALE`` or ``None`` (no sample)."""

_NUM = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[Ii]nf|NaN|nan)"
_ITEM = re.compile(
    rf"""^(?:
      (?P<blank>_)(?:x(?P<bn>\d+))?
    | (?P<stale>stale)
    | (?P<a>{_NUM})(?:(?P<d>[-+]{_NUM[5:]})?x(?P<n>\d+))?
    )$""",
    re.VERBOSE,
)


def parse_number(text: str) -> float:
    """A float as the notation writes it: decimal, hex, ``Inf``, ``NaN``, signed."""
    t = text.strip()
    sign = 1.0
    body = t
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if body[:1] in ("+", "-"):
        raise NotationError(f"invalid number {text!r}")
    low = body.lower()
    if low == "inf":
        return sign * math.inf
    if low == "nan":
        return math.nan
    if low.startswith("0x"):
        return sign * float(int(low, 16))
    try:
        return sign * float(body)
    except ValueError:
        raise NotationError(f"invalid number {text!r}") from None


MAX_VALUES = 5_000_000
"""Most steps one sequence may expand to (``1x1000000000`` would otherwise exhaust memory)."""


def parse_values(text: str, *, max_values: int = MAX_VALUES) -> list[SeqValue]:
    """Expand a value sequence (``1+2x3 _ stale``) into one entry per step.

    Raises:
        NotationError: an invalid item, or more than ``max_values`` steps.
    """
    out: list[SeqValue] = []
    for item in text.split():
        m = _ITEM.match(item)
        if m is None:
            raise NotationError(f"invalid value {item!r} in series values")
        count = int(m["bn"] or m["n"] or 0) + 1
        if len(out) + count > max_values:
            raise NotationError(f"series values expand to more than {max_values} samples")
        if m["blank"]:
            out.extend([OMITTED] * (int(m["bn"]) if m["bn"] else 1))
        elif m["stale"]:
            out.append(STALE)
        else:
            a = parse_number(m["a"])
            if m["n"] is None:
                out.append(a)
                continue
            d = parse_number(m["d"]) if m["d"] else 0.0
            for _ in range(int(m["n"]) + 1):
                out.append(a)
                a += d
    return out


_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_LNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESC = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "r": "\r", "a": "\a", "b": "\b"}


def _read_string(s: str, i: int) -> tuple[str, int]:
    q = s[i]
    i += 1
    buf: list[str] = []
    while i < len(s):
        c = s[i]
        if c == q:
            return "".join(buf), i + 1
        if c == "\\" and q != "`":
            i += 1
            if i >= len(s):
                break
            e = s[i]
            if e in _ESC:
                buf.append(_ESC[e])
            elif e in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[e]
                buf.append(chr(int(s[i + 1 : i + 1 + width], 16)))
                i += width
            else:
                raise NotationError(f"unknown escape sequence \\{e}")
            i += 1
            continue
        buf.append(c)
        i += 1
    raise NotationError("unterminated quoted string")


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def parse_metric(text: str) -> tuple[Labels, int]:
    """Read ``name{l="v",…}`` (name or braces optional) from the start of ``text``.

    Returns the label set and the offset just after it.
    """
    s = text
    i = _skip_ws(s, 0)
    pairs: dict[str, str] = {}
    m = _IDENT.match(s, i)
    if m:
        pairs["__name__"] = m.group()
        i = m.end()
    if i < len(s) and s[i] == "{":
        i += 1
        while True:
            i = _skip_ws(s, i)
            if i < len(s) and s[i] == "}":
                i += 1
                break
            if i < len(s) and s[i] in "\"'`":
                name, i = _read_string(s, i)
            else:
                lm = _LNAME.match(s, i)
                if lm is None:
                    raise NotationError(f"invalid series {text!r}: expected a label name")
                name, i = lm.group(), lm.end()
            i = _skip_ws(s, i)
            if i < len(s) and s[i] == "=":
                i = _skip_ws(s, i + 1)
                if i >= len(s) or s[i] not in "\"'`":
                    raise NotationError(f"invalid series {text!r}: expected a quoted label value")
                value, i = _read_string(s, i)
                pairs[name] = value
            elif "__name__" not in pairs:
                pairs["__name__"] = name  # a quoted metric name inside the braces
            else:
                raise NotationError(f"invalid series {text!r}: expected '='")
            i = _skip_ws(s, i)
            if i < len(s) and s[i] == ",":
                i += 1
                continue
            if i < len(s) and s[i] == "}":
                i += 1
                break
            raise NotationError(f"invalid series {text!r}: expected ',' or '}}'")
    elif not pairs:
        raise NotationError(f"invalid series {text!r}: expected a metric name or '{{'")
    return make_labels(pairs), i


def parse_series_line(line: str) -> tuple[Labels, list[SeqValue]]:
    """``metric{…} values…`` → (labels, expanded values)."""
    labels, end = parse_metric(line)
    rest = line[end:]
    if rest and rest[0] not in " \t":
        raise NotationError(f"invalid series line {line!r}")
    return labels, parse_values(rest)
