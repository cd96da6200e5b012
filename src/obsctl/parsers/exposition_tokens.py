"""Tokens of the Prometheus text and OpenMetrics exposition formats, shared by the line
parser (``parsers.exposition``) and its fast path (``parsers.exposition_fast``): formats and
limits, name/value/timestamp patterns, Go-style quoting for messages, float parsing and the
canonical series identity.
"""

from __future__ import annotations

import math
import re
from typing import Final

from obsctl.model.metric_families import GAUGE_HISTOGRAM, HISTOGRAM, INFO, STATESET, SUMMARY

TEXT: Final = "text"
OPENMETRICS: Final = "openmetrics"
FORMATS: Final = (TEXT, OPENMETRICS)

MAX_LINE_BYTES: Final = 1 << 20
"""Lines longer than this (1 MiB) are skipped and reported."""
MAX_PROBLEMS: Final = 100
MAX_DISTINCT: Final = 2_000_000
"""Distinct series per family, and distinct values per label, counted exactly up to this;
past it counting stops (reported as a floor) so memory stays bounded on huge inputs."""
"""Parsing stops after this many problems (garbage input would otherwise report every line)."""
EXEMPLAR_MAX_RUNES: Final = 128
_TEXT_CLIP: Final = 200
KEEP_SAMPLE_TYPES: Final = frozenset({HISTOGRAM, GAUGE_HISTOGRAM, SUMMARY, STATESET, INFO})

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_WS = re.compile(r"[ \t]*")
_TEXT_FLOAT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?"
    r"|[nN][aA][nN])"
)
_OM_FLOAT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
    r"|[nN][aA][nN]"
)
_OM_TIMESTAMP = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TEXT_TIMESTAMP = re.compile(r"[+-]?\d+")
_OM_TYPES_WITH_UNIT_FORBIDDEN: Final = frozenset({INFO, STATESET})


class _LineError(Exception):
    def __init__(self, message: str, col: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.col = col


def _q(text: str) -> str:
    """Double-quoted like Go's ``%q`` (for messages that match Prometheus' own parsers).

    >>> _q('a"b')
    '"a\\\\"b"'
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _rune(ch: str) -> str:
    """One character quoted like Go's ``%q`` for a rune: ``'+'``, ``'\\\\'``, ``'\\n'``."""
    return "'" + ch.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def _skip_ws(line: str, pos: int = 0) -> int:
    """Index of the first non-blank character at or after ``pos``."""
    n = len(line)
    while pos < n and line[pos] in " \t":
        pos += 1
    return pos


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT_CLIP else text[: _TEXT_CLIP - 1] + "…"


def _parse_float(token: str, om: bool) -> float | None:
    """The value of ``token``, or ``None`` when the format rejects it.

    Like Go's ``ParseFloat``, a finite literal too large for a float64 is an error, not Inf.
    """
    if (_OM_FLOAT if om else _TEXT_FLOAT).fullmatch(token) is None:
        return None
    value = float(token)
    if math.isinf(value) and "n" not in token and "N" not in token:
        return None
    return value


def _read_quoted(line: str, pos: int, what: str) -> tuple[str, int]:
    """The quoted name at ``line[pos] == '"'`` (escapes ``\\\\``, ``\\"``, ``\\n``) and the
    offset after its closing quote. ``what`` (``metric name``, ``label name``) is for messages.
    """
    end = line.find('"', pos + 1)
    raw = line[pos + 1 : end]
    if end >= 0 and "\\" not in raw:
        return raw, end + 1
    out: list[str] = []
    i = pos + 1
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\":
            nxt = line[i + 1] if i + 1 < n else ""
            if nxt in {"\\", '"'}:
                out.append(nxt)
            elif nxt == "n":
                out.append("\n")
            else:
                raise _LineError(f"invalid escape sequence '\\{nxt}'", i + 1)
            i += 2
            continue
        out.append(ch)
        i += 1
    raise _LineError(f"{what} {_q(''.join(out))} contains unescaped new-line", pos + 1)


def _series_key(sample_name: str, labels: tuple[tuple[str, str], ...]) -> int:
    """Hash of a series identity: the sample name, the label names and their values in name
    order (one value alone, not in a tuple).

    Independent of the label order as written and of quoting (``{"a.b"}`` is one series
    however it is written). The fast path hashes the same tuple built from its columns, so
    that no text has to be formatted per line.
    """
    if not labels:
        return hash((sample_name,))
    if len(labels) == 1:
        ((name, value),) = labels
        return hash((sample_name, (name,), value))
    ordered = sorted(labels)
    return hash((sample_name, tuple(k for k, _ in ordered), tuple(v for _, v in ordered)))
