"""A strict, streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0 expositions.

``ExpositionParser`` is fed bytes in chunks of any size and builds ``MetricFamily`` objects
with line numbers. Memory stays bounded by the number of distinct series and label values,
not by the input size: sample lines are aggregated per family (series hashes, label value
hashes, a bounded sample of values) rather than kept as objects, except for the families
whose rules need the samples (histograms, summaries, state sets, info), and counting stops
at ``max_distinct`` per family and label.

Speed comes from a fast path: once a family and its label-name shapes (``name{a=…,b=…}``,
up to eight per family) have been seen, runs of lines with those shapes, plain label values
and a plain value are validated and split into columns by one anchored ``findall`` call per
run, so the per-line work happens in C. Text-format histograms are kept as those rows and
verified in bulk at the end; ``Sample`` objects are built only when that proof fails.
Every other line (metadata, escapes, timestamps, exemplars, odd whitespace, errors) goes
through the strict line parser, which
reports problems with the messages of Prometheus' own parsers (``expfmt`` for the text
format, ``textparse`` for OpenMetrics) where they exist.

Grammar problems are collected as ``ParseProblem`` (line, column, message) and parsing goes on
with the next line, up to ``max_problems``; nothing here raises on bad input. Hostile input
is bounded: lines longer than ``max_line_bytes`` are skipped and reported, binary input stops
the parse with one problem, invalid UTF-8 is reported per line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import partial
from itertools import compress, islice, repeat
from operator import and_, attrgetter, eq, gt, itemgetter, le, lt, not_
from typing import Any, Final

from obsctl.model.metric_families import (
    COUNTER,
    GAUGE,
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    INFO,
    LABEL_SAMPLE_LIMIT,
    MAX_DUPLICATES,
    OPENMETRICS_TYPES,
    SAMPLE_SUFFIXES,
    STATESET,
    SUMMARY,
    TEXT_TYPES,
    UNKNOWN,
    UNTYPED,
    Exemplar,
    Exposition,
    LabelStats,
    MetricFamily,
    ParseProblem,
    Sample,
)

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
_MAX_SHAPES: Final = 8
_REGION_MIN: Final = 1 << 12
_REGION_MAX: Final = 1 << 18
_Shape = tuple[str, tuple[str, ...]]
_Deferred = tuple[str, tuple[str, ...], list[Any], Sequence[int]]
"""Rows of one shape kept for bulk verification: sample name, label names, findall rows
(``(series text, label values…, value)``, or ``(value,)`` without labels), line numbers."""

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
_FAST_VALUE: Final = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|NaN|[+-]Inf)"
_FAST_LABEL_VALUE: Final = r'"([^"\\\n]*)"'
_OM_TYPES_WITH_UNIT_FORBIDDEN: Final = frozenset({INFO, STATESET})


class _LineError(Exception):
    def __init__(self, message: str, col: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.col = col


def detect_format(head: bytes, tail: bytes | None = None, content_type: str | None = None) -> str:
    """Guess the exposition format from a Content-Type, the first bytes and the last bytes.

    Args:
        head: the first bytes of the input (a few KB suffice).
        tail: the last bytes, when the input is seekable.
        content_type: the HTTP Content-Type, when scraped.

    Returns:
        ``openmetrics`` or ``text``.

    >>> detect_format(b"a 1\\n# EOF\\n")
    'openmetrics'
    >>> detect_format(b"# TYPE a gauge\\na 1\\n")
    'text'
    """
    if content_type:
        ctype = content_type.lower()
        if "application/openmetrics-text" in ctype:
            return OPENMETRICS
        if "text/plain" in ctype:
            return TEXT
    for blob in (tail, head):
        if blob is not None and re.search(rb"(?:^|\n)# EOF\n?$", blob.rstrip(b"\r\n") + b"\n"):
            return OPENMETRICS
    if re.search(
        rb"(?m)^# UNIT |^# TYPE \S+ (?:info|stateset|unknown)$| # \{[^}\n]*\} ", head or b""
    ):
        return OPENMETRICS
    return TEXT


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


class ExpositionParser:
    """Incremental parser: ``feed(bytes)`` any number of times, then ``close()``.

    Args:
        source: the input's display name, used in the result.
        fmt: ``text`` or ``openmetrics``.
        keep_samples: keep every sample as a ``Sample`` (tests, small inputs); by default
            only the families whose rules need them keep samples.
        max_line_bytes: longer lines are skipped and reported.
        max_problems: stop after this many problems.
        max_distinct: stop counting a family's series or a label's values past this.
    """

    def __init__(
        self,
        source: str,
        fmt: str = TEXT,
        *,
        keep_samples: bool = False,
        max_line_bytes: int = MAX_LINE_BYTES,
        max_problems: int = MAX_PROBLEMS,
        max_distinct: int = MAX_DISTINCT,
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown exposition format {_q(fmt)}")
        self.result = Exposition(source=source, format=fmt)
        self._om = fmt == OPENMETRICS
        self._keep_all = keep_samples
        self._max_line = max_line_bytes
        self._max_problems = max_problems
        self._max_distinct = max_distinct
        self._pending = b""
        self._skipping = False
        self._line = 0
        self._families: dict[str, MetricFamily] = {}
        self._current: MetricFamily | None = None
        self._closed_families: set[str] = set()
        self._sample_owner: dict[str, MetricFamily] = {}
        self._fast: re.Pattern[str] | None = None
        self._fast_rows: re.Pattern[str] | None = None
        self._shapes: tuple[_Shape, ...] = ()
        self._fast_cache: dict[tuple[_Shape, ...], tuple[re.Pattern[str], re.Pattern[str]]] = {}
        self._floats_ok: set[str] = set()
        self._optimistic = False
        self._region = _REGION_MIN
        self._deferred: dict[str, list[_Deferred]] = {}
        self._eof_line = 0
        self._after_eof_reported = False
        self._first = True
        self._crlf_reported = False
        self._last_ts: dict[int, float] = {}

    # ------------------------------------------------------------------ public
    @property
    def stopped(self) -> bool:
        """True once parsing gave up (too many problems, binary input)."""
        return bool(self.result.stopped)

    def feed(self, data: bytes) -> bool:
        """Parse the complete lines in ``pending + data``; returns False once stopped."""
        if self.result.stopped:
            return False
        self.result.bytes_read += len(data)
        if self._first and data:
            self._first = False
            if self._looks_binary(data[:4096]):
                return False
            if data.startswith(b"\xef\xbb\xbf"):
                self._problem(1, "byte order mark at start of input", 1)
                data = data[3:]
        if self._skipping:
            cut = data.find(b"\n")
            if cut < 0:
                return True
            data = data[cut + 1 :]
            self._skipping = False
        buf = self._pending + data if self._pending else data
        cut = buf.rfind(b"\n")
        if cut < 0:
            self._pending = buf
            self._check_overlong()
            return not self.result.stopped
        self._pending = buf[cut + 1 :]
        self._process_bytes(buf[: cut + 1])
        self._check_overlong()
        return not self.result.stopped

    def close(self) -> Exposition:
        """Finish: parse the last line (without newline) and apply end-of-input rules."""
        res = self.result
        if not res.stopped:
            if self._pending:
                tail = self._pending
                self._pending = b""
                if not self._om and tail.strip(b" \t\r"):
                    seen = len(res.problems)
                    self._process_bytes(tail + b"\n")
                    # expfmt reads a stream: a problem found before the end of the last line
                    # comes first, one found at its end is reported as the end of input.
                    at_end = any(
                        p.col >= len(tail) or p.message.endswith('got ""')
                        for p in res.problems[seen:]
                    )
                    col = 0 if at_end else len(tail) + 1
                    self._problem(self._line, "unexpected end of input stream", col)
                elif self._om:
                    self._process_bytes(tail + b"\n")
            if self._om and not self._eof_line and not res.stopped:
                self._problem(self._line or 1, "data does not end with # EOF")
        self._settle_deferred()
        res.lines = self._line
        res.families = list(self._families.values())
        res.problems.sort(key=lambda p: (p.line, p.col))
        return res

    def _settle_deferred(self) -> None:
        """Verify deferred histograms in bulk; turn the rows into samples when that fails.

        When the bulk check proves a histogram well-formed, its rules have nothing to report
        and no ``Sample`` objects are built: 3-4x less work per histogram line. Anything the
        check cannot prove (or gets wrong) goes through the detailed per-sample rules.
        """
        for name, entries in self._deferred.items():
            fam = self._families[name]
            if not fam.samples and verify_text_histogram(fam.name, entries):
                fam.structure_verified = True
                continue
            samples = list(fam.samples)
            for sample_name, names, rows, lines in entries:
                labelsets: Any = (
                    map(tuple, map(zip, repeat(names), map(itemgetter(slice(1, None)), rows)))
                    if names
                    else repeat(())
                )
                values = map(float, map(itemgetter(-1), rows))
                samples.extend(
                    map(Sample, repeat(sample_name), labelsets, values, repeat(None), lines)
                )
            samples.sort(key=attrgetter("line"))
            fam.samples = samples
        self._deferred.clear()

    # ------------------------------------------------------------------ bytes → lines
    def _looks_binary(self, head: bytes) -> bool:
        controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
        if head[:2] == b"\x1f\x8b" or (head and controls > max(8, len(head) // 10)):
            what = "gzip data" if head[:2] == b"\x1f\x8b" else "binary data"
            self.result.problems.append(
                ParseProblem(1, f"input is {what}, not a text exposition", 1)
            )
            self.result.stopped = "binary input"
            return True
        return False

    def _check_overlong(self) -> None:
        if len(self._pending) > self._max_line:
            self._line += 1
            self._problem(
                self._line,
                f"line is longer than {self._max_line} bytes; skipped",
                text=self._pending[:_TEXT_CLIP].decode("utf-8", "replace"),
            )
            self._pending = b""
            self._skipping = True

    def _process_bytes(self, data: bytes) -> None:
        while data:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                start = data.rfind(b"\n", 0, exc.start) + 1
                end = data.find(b"\n", exc.start)
                end = len(data) - 1 if end < 0 else end
                if start:
                    self._process_text(data[:start].decode("utf-8"))
                    if self.result.stopped:
                        return
                self._line += 1
                self._problem(
                    self._line,
                    "invalid UTF-8",
                    exc.start - start + 1,
                    data[start:end].decode("utf-8", "replace"),
                )
                data = data[end + 1 :]
                continue
            self._process_text(text)
            return

    # ------------------------------------------------------------------ text
    def _process_text(self, buf: str) -> None:
        pos = 0
        n = len(buf)
        find = buf.find
        while pos < n:
            if self.result.stopped:
                return
            fast = self._fast
            if fast is not None:
                if self._optimistic and buf[pos] != "#":
                    # Optimistic: every line up to the next comment (within the region)
                    # fits a known shape. One anchored findall both validates (one row per
                    # line) and splits the lines into columns. The region grows on success
                    # and shrinks on a miss, and a miss falls back to validating run by run
                    # until runs show up again, so mixed input cannot make this quadratic.
                    limit = min(n, pos + self._region)
                    stop = find("\n#", pos, limit)
                    if stop < 0:
                        stop = buf.rfind("\n", pos, limit)
                    if stop >= pos:
                        block = buf[pos : stop + 1]
                        rows = self._fast_rows.findall(block)  # type: ignore[union-attr]
                        if len(rows) == block.count("\n"):
                            self._absorb_block(block, rows)
                            pos = stop + 1
                            self._region = min(_REGION_MAX, self._region * 2)
                            continue
                        self._region = max(_REGION_MIN, self._region // 2)
                    self._optimistic = False
                m = fast.match(buf, pos)
                end = m.end() if m is not None else pos
                if end > pos:
                    block = buf[pos:end]
                    rows = self._fast_rows.findall(block)  # type: ignore[union-attr]
                    self._absorb_block(block, rows)
                    self._optimistic = len(rows) >= 8
                    pos = end
                    continue
            eol = find("\n", pos)
            line = buf[pos:eol]
            pos = eol + 1
            self._line += 1
            if line.endswith("\r"):
                if not self._crlf_reported:
                    self._crlf_reported = True
                    self._problem(
                        self._line,
                        "carriage return at end of line (CRLF line endings are not allowed)",
                        len(line),
                        line[:-1],
                    )
                line = line[:-1]
            self._handle_line(line)

    def _problem(self, line: int, message: str, col: int = 0, text: str | None = None) -> None:
        res = self.result
        res.problems.append(ParseProblem(line, message, col, _clip(text) if text else text))
        if len(res.problems) >= self._max_problems and not res.stopped:
            res.stopped = f"too many problems; stopped at line {line}"
            res.problems.append(
                ParseProblem(line, f"too many problems ({len(res.problems)}); parsing stopped")
            )

    def _handle_line(self, line: str) -> None:
        lineno = self._line
        if self._eof_line:
            if not self._after_eof_reported:
                self._after_eof_reported = True
                self._problem(lineno, "unexpected data after # EOF", 1, line)
            return
        if not line:
            if self._om:
                self._problem(lineno, "blank lines are not allowed in OpenMetrics", 1, line)
            return
        try:
            if line[0] == "#":
                self._handle_comment(line, lineno)
            elif self._om or line.strip(" \t"):
                self._handle_sample(line, lineno)
        except _LineError as err:
            self._problem(lineno, err.message, err.col, line)

    # ------------------------------------------------------------------ metadata
    def _handle_comment(self, line: str, lineno: int) -> None:
        if self._om:
            self._handle_om_comment(line, lineno)
            return
        pos = _skip_ws(line, 1)
        m = re.compile(r"\S+").match(line, pos)
        if m is None or m.group() not in ("HELP", "TYPE"):
            return
        keyword = m.group()
        pos = m.end()
        ws = _skip_ws(line, pos)
        if ws == pos and ws < len(line):
            return
        if ws >= len(line):
            return  # ``# HELP`` alone is a plain comment for expfmt
        name_m = re.compile(r"[^ \t]+").match(line, ws)
        if name_m is None:
            raise _LineError("invalid metric name in comment", ws + 1)
        name = name_m.group()
        if _NAME.fullmatch(name) is None:
            raise _LineError("invalid metric name in comment", ws + 1)
        rest_start = _skip_ws(line, name_m.end())
        rest = line[rest_start:]
        if keyword == "HELP":
            help_text = self._unescape_help(rest, rest_start)
            fam = self._family_for_metadata(name, lineno, line)
            if fam.help_line:
                raise _LineError(f"second HELP line for metric name {_q(name)}", 1)
            if help_text:
                fam.help = help_text
                fam.help_line = lineno
            return
        if not rest:
            return  # ``# TYPE name`` without a type is a plain comment for expfmt
        type_word = rest.lower()
        if type_word == "gauge_histogram":
            type_word = GAUGE_HISTOGRAM
        if type_word not in TEXT_TYPES:
            raise _LineError(f"unknown metric type {_q(rest)}", rest_start + 1)
        fam = self._family_for_metadata(name, lineno, line)
        if fam.type_line or fam.sample_count:
            raise _LineError(
                f"second TYPE line for metric name {_q(name)}, or TYPE reported after samples", 1
            )
        fam.type = type_word
        fam.type_line = lineno
        self._fast = None
        self._shapes = ()

    def _unescape_help(self, text: str, offset: int) -> str:
        if "\\" not in text:
            return text
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch == "\\":
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt == "\\":
                    out.append("\\")
                elif nxt == "n":
                    out.append("\n")
                elif nxt == '"' and self._om:
                    out.append('"')
                elif self._om:
                    out.append("\\" + nxt)
                else:
                    raise _LineError(f"invalid escape sequence '\\{nxt}'", offset + i + 1)
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def _handle_om_comment(self, line: str, lineno: int) -> None:
        if line == "# EOF":
            self._eof_line = lineno
            return
        m = re.compile(r"# (HELP|TYPE|UNIT) ([^ ]+)(?: (.*))?").fullmatch(line)
        if m is None:
            raise _LineError(f"invalid comment line {_q(_clip(line))}", 1)
        keyword, name, rest = m.group(1), m.group(2), m.group(3)
        if _NAME.fullmatch(name) is None:
            raise _LineError(f"invalid metric name {_q(name)} in {keyword} line", 8)
        if rest is None:
            raise _LineError(f"{keyword} line without a space after the name", len(line))
        fam = self._family_for_metadata(name, lineno, line)
        if fam.sample_count:
            raise _LineError(f"{keyword} line for {_q(name)} after its samples", 1)
        if keyword == "HELP":
            if fam.help_line:
                raise _LineError(f"second HELP line for metric name {_q(name)}", 1)
            fam.help_line = lineno
            fam.help = self._unescape_help(rest, 9 + len(name)) or None
        elif keyword == "UNIT":
            if fam.unit_line:
                raise _LineError(f"second UNIT line for metric name {_q(name)}", 1)
            fam.unit_line = lineno
            if rest:
                if _LABEL_NAME.fullmatch(rest) is None and not rest.isalnum():
                    raise _LineError(f"invalid unit {_q(rest)}", 9 + len(name))
                if not name.endswith("_" + rest):
                    raise _LineError(f"unit {_q(rest)} not a suffix of metric {_q(name)}", 1)
                fam.unit = rest
            if fam.unit and fam.type in _OM_TYPES_WITH_UNIT_FORBIDDEN:
                raise _LineError(f"{fam.type} metrics cannot have a unit", 1)
        else:
            if fam.type_line:
                raise _LineError(f"second TYPE line for metric name {_q(name)}", 1)
            if rest not in OPENMETRICS_TYPES:
                raise _LineError(f"invalid metric type {_q(rest)}", 9 + len(name))
            self._check_clash(name, rest, lineno)
            fam.type = rest
            fam.type_line = lineno
            if fam.unit and rest in _OM_TYPES_WITH_UNIT_FORBIDDEN:
                raise _LineError(f"{rest} metrics cannot have a unit", 1)
        self._fast = None
        self._shapes = ()

    def _check_clash(self, name: str, type_: str, lineno: int) -> None:
        for suffix in SAMPLE_SUFFIXES[type_]:
            owner = self._sample_owner.get(name + suffix)
            if owner is not None and owner.name != name:
                raise _LineError(
                    f"family {_q(name)} clashes with the samples of family {_q(owner.name)}", 1
                )
        for other in self._families.values():
            if other.name != name and other.type_line:
                for suffix in SAMPLE_SUFFIXES[other.type]:
                    if other.name + suffix in {name + s for s in SAMPLE_SUFFIXES[type_]}:
                        raise _LineError(
                            f"family {_q(name)} clashes with the samples of family "
                            f"{_q(other.name)}",
                            1,
                        )

    def _family_for_metadata(self, name: str, lineno: int, line: str) -> MetricFamily:
        fam = self._families.get(name)
        if fam is None:
            fam = self._new_family(name, UNKNOWN if self._om else UNTYPED, lineno, line)
        elif fam is not self._current and (self._om or fam.sample_count):
            self._mark_interleaved(fam, lineno)
        self._switch_to(fam)
        fam.declared = True
        return fam

    def _new_family(self, name: str, type_: str, lineno: int, line: str) -> MetricFamily:
        fam = MetricFamily(name=name, type=type_, line=lineno, first_text=_clip(line))
        self._families[name] = fam
        return fam

    def _switch_to(self, fam: MetricFamily) -> None:
        cur = self._current
        if cur is fam:
            return
        if cur is not None:
            self._closed_families.add(cur.name)
        self._current = fam
        self._fast = None
        self._shapes = ()
        self._optimistic = False

    def _mark_interleaved(self, fam: MetricFamily, lineno: int) -> None:
        if fam.name in self._closed_families:
            if self._om:
                raise _LineError(
                    f"metric family {_q(fam.name)} continues after another family "
                    "(families must not interleave)",
                    1,
                )
            if not fam.interleaved_line:
                fam.interleaved_line = lineno

    # ------------------------------------------------------------------ samples
    def _resolve(self, sample_name: str, lineno: int, line: str) -> MetricFamily:
        cur = self._current
        if cur is not None and self._belongs(cur, sample_name):
            return cur
        owner = self._sample_owner.get(sample_name)
        if owner is not None:
            fam = owner
        else:
            fam = None
            for suffix in ("_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum"):
                if sample_name.endswith(suffix):
                    base = self._families.get(sample_name[: -len(suffix)])
                    if base is not None and self._belongs(base, sample_name):
                        fam = base
                        break
            if fam is None and sample_name.endswith("_info") and self._om:
                base = self._families.get(sample_name[:-5])
                if base is not None and base.type == INFO:
                    fam = base
            if fam is None:
                fam = self._families.get(sample_name)
                if fam is not None and not self._belongs(fam, sample_name):
                    raise _LineError(
                        f"sample {_q(sample_name)} does not fit the {fam.type} family "
                        f"{_q(fam.name)}",
                        1,
                    )
            if fam is None:
                if self._om:
                    for other in self._families.values():
                        if other.type_line and sample_name in {
                            other.name + s for s in SAMPLE_SUFFIXES[other.type]
                        }:
                            fam = other
                            break
                if fam is None:
                    fam = self._new_family(
                        sample_name, UNKNOWN if self._om else UNTYPED, lineno, line
                    )
        assert fam is not None
        if fam is not cur:
            self._mark_interleaved(fam, lineno)
            self._switch_to(fam)
        return fam

    def _belongs(self, fam: MetricFamily, sample_name: str) -> bool:
        name = fam.name
        if sample_name == name:
            if self._om:
                return fam.type in (GAUGE, SUMMARY, STATESET, UNKNOWN)
            return True
        if not sample_name.startswith(name):
            return False
        suffix = sample_name[len(name) :]
        if self._om:
            return suffix in SAMPLE_SUFFIXES[fam.type]
        if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM):
            return suffix in ("_bucket", "_count", "_sum", "_gcount", "_gsum")
        if fam.type == SUMMARY:
            return suffix in ("_count", "_sum")
        return False

    def _parse_labels(
        self, line: str, pos: int, sample_name: str
    ) -> tuple[list[tuple[str, str]], int]:
        """Parse ``{…}`` starting at ``line[pos] == '{'``; return labels and the end offset.

        Messages follow expfmt (text) and name the metric family, as it does.
        """
        om = self._om
        metric = self._family_name_of(sample_name)
        labels: list[tuple[str, str]] = []
        seen: set[str] = set()
        pos += 1
        n = len(line)
        first = True
        while True:
            if not om:
                pos = _skip_ws(line, pos)
            if pos < n and line[pos] == "}":
                if om and not first:
                    raise _LineError("expected label name, got '}' (trailing comma)", pos + 1)
                return labels, pos + 1
            m = _LABEL_NAME.match(line, pos)
            if m is None:
                raise _LineError(
                    f"invalid label name for metric {_q(metric)}"
                    if not om
                    else f"expected label name, got {_q(line[pos : pos + 10])}",
                    pos + 1,
                )
            lname = m.group()
            if lname == "__name__":
                raise _LineError('label name "__name__" is reserved', pos + 1)
            pos = m.end()
            if not om:
                pos = _skip_ws(line, pos)
            if pos >= n or line[pos] != "=":
                found = _rune(line[pos] if pos < n else "\n")
                raise _LineError(f"expected '=' after label name, found {found}", pos + 1)
            if lname in seen:
                raise _LineError(f"duplicate label names for metric {_q(metric)}", m.start() + 1)
            seen.add(lname)
            pos += 1
            if not om:
                pos = _skip_ws(line, pos)
            if pos >= n or line[pos] != '"':
                found = _rune(line[pos] if pos < n else "\n")
                raise _LineError(f"expected '\"' at start of label value, found {found}", pos + 1)
            value, pos = self._parse_quoted(line, pos + 1)
            labels.append((lname, value))
            first = False
            if not om:
                pos = _skip_ws(line, pos)
            ch = line[pos] if pos < n else ""
            if ch == ",":
                pos += 1
                continue
            if ch == "}":
                return labels, pos + 1
            raise _LineError(f"unexpected end of label value {_q(value)}", pos + 1)

    def _family_name_of(self, sample_name: str) -> str:
        """The family a sample name belongs to, for messages (``a`` for ``a_bucket``)."""
        for suffix in ("_bucket", "_count", "_sum"):
            if sample_name.endswith(suffix):
                base = self._families.get(sample_name[: -len(suffix)])
                if base is not None and base.type in (HISTOGRAM, SUMMARY, GAUGE_HISTOGRAM):
                    return base.name
        return sample_name

    def _parse_quoted(self, line: str, pos: int) -> tuple[str, int]:
        end = line.find('"', pos)
        if end < 0:
            raise _LineError(f"label value {_q(line[pos:])} contains unescaped new-line", pos)
        raw = line[pos:end]
        if "\\" not in raw:
            return raw, end + 1
        out: list[str] = []
        i = pos
        n = len(line)
        while i < n:
            ch = line[i]
            if ch == '"':
                return "".join(out), i + 1
            if ch == "\\":
                nxt = line[i + 1] if i + 1 < n else ""
                if nxt == "\\":
                    out.append("\\")
                elif nxt == '"':
                    out.append('"')
                elif nxt == "n":
                    out.append("\n")
                elif self._om and nxt:
                    out.append("\\" + nxt)
                else:
                    raise _LineError(f"invalid escape sequence '\\{nxt}'", i + 1)
                i += 2
                continue
            out.append(ch)
            i += 1
        raise _LineError(f"label value {_q(line[pos:])} contains unescaped new-line", pos)

    def _handle_sample(self, line: str, lineno: int) -> None:
        om = self._om
        pos = 0 if om else _skip_ws(line)
        m = _NAME.match(line, pos)
        if m is None:
            # expfmt's wording; the column points at it. Quoted (UTF-8) names are not
            # supported, as in promtool (legacy name validation).
            raise _LineError("invalid metric name", pos + 1)
        sample_name = m.group()
        pos = m.end()
        n = len(line)
        labels: list[tuple[str, str]] = []
        label_end = pos
        if not om:
            ws = _skip_ws(line, pos)
            if ws < n and line[ws] == "{":
                pos = ws
        if pos < n and line[pos] == "{":
            labels, pos = self._parse_labels(line, pos, sample_name)
            label_end = pos
        # value
        if om:
            if pos >= n or line[pos] != " ":
                raise _LineError(
                    "expected a single space before the value"
                    if pos < n
                    else "expected value after metric",
                    pos + 1,
                )
            pos += 1
            end = line.find(" ", pos)
            end = n if end < 0 else end
        else:
            # expfmt needs no blank before the value: ``a{b="c"}1`` and ``a+1`` are samples.
            pos = _skip_ws(line, pos)
            end = pos
            while end < n and line[end] not in " \t":
                end += 1
        token = line[pos:end]
        value = _parse_float(token, om)
        if value is None:
            raise _LineError(f"expected float as value, got {_q(token)}", pos + 1)
        timestamp: float | None = None
        exemplar: Exemplar | None = None
        pos = end
        if pos < n:
            if om:
                pos += 1
                if line.startswith("# ", pos):
                    exemplar = self._parse_exemplar(line, pos)
                else:
                    end = line.find(" ", pos)
                    end = n if end < 0 else end
                    token = line[pos:end]
                    if _OM_TIMESTAMP.fullmatch(token) is None:
                        raise _LineError(f"expected timestamp or comment, got {_q(token)}", pos + 1)
                    timestamp = float(token)
                    pos = end
                    if pos < n:
                        if not line.startswith(" # ", pos):
                            raise _LineError("expected exemplar after timestamp", pos + 1)
                        exemplar = self._parse_exemplar(line, pos + 1)
            else:
                pos = _skip_ws(line, pos)
                end = pos
                while end < n and line[end] not in " \t":
                    end += 1
                token = line[pos:end]
                if _TEXT_TIMESTAMP.fullmatch(token) is None:
                    raise _LineError(f"expected integer as timestamp, got {_q(token)}", pos + 1)
                timestamp = float(int(token))
                if end < n:
                    raise _LineError(f"spurious string after timestamp: {_q(line[end:])}", end + 1)
        fam = self._resolve(sample_name, lineno, line)
        self._check_sample_labels(fam, sample_name, labels)
        if exemplar is not None:
            self._check_exemplar_allowed(fam, sample_name)
        key_text = line[m.start() : label_end] if labels else sample_name
        self._add_sample(
            fam, sample_name, tuple(labels), value, timestamp, exemplar, lineno, line, key_text
        )
        self._maybe_enable_fast(fam, sample_name, labels, line, timestamp, exemplar)

    def _check_sample_labels(
        self, fam: MetricFamily, sample_name: str, labels: list[tuple[str, str]]
    ) -> None:
        om = self._om
        if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM) and sample_name.endswith("_bucket"):
            le = next((v for k, v in labels if k == "le"), None)
            if le is not None and _parse_float(le, om) is None:
                raise _LineError(f"expected float as value for 'le' label, got {_q(le)}")
            if le is None and om:
                raise _LineError("histogram bucket without 'le' label")
        if fam.type == SUMMARY and sample_name == fam.name:
            q = next((v for k, v in labels if k == "quantile"), None)
            if q is not None and _parse_float(q, om) is None:
                raise _LineError(f"expected float as value for 'quantile' label, got {_q(q)}")
            if q is None and om:
                raise _LineError("summary quantile sample without 'quantile' label")
        if om and fam.type == STATESET and not any(k == fam.name for k, _ in labels):
            raise _LineError(f"stateset sample without the {_q(fam.name)} label")

    def _check_exemplar_allowed(self, fam: MetricFamily, sample_name: str) -> None:
        if fam.type == COUNTER and sample_name.endswith("_total"):
            return
        if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM) and sample_name.endswith("_bucket"):
            return
        raise _LineError(f"exemplars are not allowed on {fam.type} sample {_q(sample_name)}")

    def _parse_exemplar(self, line: str, pos: int) -> Exemplar:
        # ``pos`` points at "# {"
        if not line.startswith("# {", pos):
            raise _LineError("expected '{' after '#' in exemplar", pos + 3)
        labels, pos = self._parse_labels(line, pos + 2, "exemplar")
        runes = sum(len(k) + len(v) for k, v in labels)
        if runes > EXEMPLAR_MAX_RUNES:
            raise _LineError(
                f"exemplar labels have {runes} characters, more than {EXEMPLAR_MAX_RUNES}"
            )
        n = len(line)
        if pos >= n or line[pos] != " ":
            raise _LineError("expected value after exemplar labels", pos + 1)
        pos += 1
        end = line.find(" ", pos)
        end = n if end < 0 else end
        value = _parse_float(line[pos:end], True)
        if value is None:
            raise _LineError(f"invalid exemplar value {_q(line[pos:end])}", pos + 1)
        ts: float | None = None
        if end < n:
            token = line[end + 1 :]
            if _OM_TIMESTAMP.fullmatch(token) is None:
                raise _LineError(f"invalid exemplar timestamp {_q(token)}", end + 2)
            ts = float(token)
        return Exemplar(tuple(labels), value, ts)

    def _add_sample(
        self,
        fam: MetricFamily,
        sample_name: str,
        labels: tuple[tuple[str, str], ...],
        value: float,
        timestamp: float | None,
        exemplar: Exemplar | None,
        lineno: int,
        line: str,
        key_text: str,
    ) -> None:
        fam.sample_count += 1
        if not fam.first_sample_line:
            fam.first_sample_line = lineno
        if sample_name not in fam.sample_names:
            fam.sample_names[sample_name] = lineno
            self._sample_owner[sample_name] = fam
        key = _series_key(sample_name, labels)
        if timestamp is not None:
            fam.timestamps_seen = True
        if self._om and timestamp is None and key in self._last_ts:
            raise _LineError("series mixes samples with and without timestamps")
        if timestamp is not None and self._om:
            if key in fam.series_hashes and key not in self._last_ts:
                raise _LineError("series mixes samples with and without timestamps")
            last = self._last_ts.get(key)
            if last is not None and timestamp < last:
                raise _LineError("timestamps of a series must not decrease")
            self._last_ts[key] = timestamp
            fam.series_hashes.add(key)
        else:
            if timestamp is not None:
                key = hash((key, timestamp))
            if key in fam.series_hashes:
                self._duplicate(fam, lineno, lambda: key_text)
            if not fam.saturated:
                fam.series_hashes.add(key)
                if len(fam.series_hashes) >= self._max_distinct:
                    fam.saturated = True
        if value != 1 and not fam.not_one_line and sample_name.endswith("_info"):
            fam.not_one_line = lineno
        if value < 0:
            if not fam.negative_line:
                fam.negative_line = lineno
        elif math.isnan(value) and not fam.nan_line:
            fam.nan_line = lineno
        stats = fam.labels
        for lname, lvalue in labels:
            st = stats.get(lname)
            if st is None:
                st = stats[lname] = LabelStats(lname, lineno, first_text=_clip(line))
            if not st.saturated:
                st.value_hashes.add(hash(lvalue))
                if len(st.value_hashes) >= self._max_distinct:
                    st.saturated = True
            if len(st.examples) < LABEL_SAMPLE_LIMIT:
                st.examples.add(lvalue)
            if len(lvalue) > st.max_length:
                st.max_length = len(lvalue)
                st.longest = lvalue[:_TEXT_CLIP]
                st.longest_line = lineno
        if self._keep_all or fam.type in KEEP_SAMPLE_TYPES:
            if timestamp is None and exemplar is None and self._defers(fam):
                row = (key_text, *(v for _, v in labels), repr(value)) if labels else (repr(value),)
                self._deferred.setdefault(fam.name, []).append(
                    (sample_name, tuple(k for k, _ in labels), [row], [lineno])
                )
            else:
                fam.samples.append(Sample(sample_name, labels, value, timestamp, lineno, exemplar))

    def _defers(self, fam: MetricFamily) -> bool:
        """Whether ``fam``'s samples are kept as rows and verified in bulk at the end."""
        return fam.type == HISTOGRAM and not self._om and not self._keep_all

    def _duplicate(self, fam: MetricFamily, lineno: int, text: Callable[[], str]) -> None:
        fam.duplicate_count += 1
        if len(fam.duplicates) < MAX_DUPLICATES:
            fam.duplicates.append((lineno, _clip(text())))

    # ------------------------------------------------------------------ fast path
    def _maybe_enable_fast(
        self,
        fam: MetricFamily,
        sample_name: str,
        labels: list[tuple[str, str]],
        line: str,
        timestamp: float | None,
        exemplar: Exemplar | None,
    ) -> None:
        """Learn the line's shape so that following lines like it take the fast path.

        A family may have up to ``_MAX_SHAPES`` shapes (a histogram has three: ``_bucket``
        with ``le``, ``_sum`` and ``_count``); the block pattern accepts any of them.
        """
        if self._keep_all or timestamp is not None or exemplar is not None:
            self._fast = None
            return
        if fam.type in (STATESET, INFO):
            self._fast = None
            return
        shape = (sample_name, tuple(k for k, _ in labels))
        if shape in self._shapes and self._fast is not None:
            return
        shapes = self._shapes if shape in self._shapes else (*self._shapes, shape)
        if len(shapes) > _MAX_SHAPES:
            shapes = (shape,)
        pats = self._fast_cache.get(shapes)
        if pats is None:
            lines = []
            for sname, names in shapes:
                if names:
                    body = ",".join(f"{re.escape(k)}={_FAST_LABEL_VALUE}" for k in names)
                    lines.append(f"({re.escape(sname)}\\{{{body}\\}}) {_FAST_VALUE}\\n")
                else:
                    lines.append(f"{re.escape(sname)} {_FAST_VALUE}\\n")
            capture = "|".join(lines)
            block = re.sub(r"\((?!\?)", "(?:", capture)
            pats = (re.compile(f"(?:{block})+"), re.compile(f"(?m)^(?:{capture})"))
            self._fast_cache[shapes] = pats
        self._fast, self._fast_rows = pats
        self._shapes = shapes

    def _absorb_block(self, block: str, rows: list[Any]) -> None:
        """Aggregate a run of lines that matched the current family's shapes (as ``rows``)."""
        fam = self._current
        assert fam is not None
        shapes = self._shapes
        first_line = self._line + 1
        count = len(rows)
        self._line += count
        fam.sample_count += count
        keep = fam.type in KEEP_SAMPLE_TYPES
        if len(shapes) == 1:
            self._absorb_shape(fam, shapes[0], rows, None, first_line, block, keep, None)
            return
        placed: list[Sample | None] | None = [None] * count if keep else None
        offset = 0
        for shape in shapes:
            # Columns per shape: series text, one per label, value (just the value without labels).
            width = len(shape[1]) + 2 if shape[1] else 1
            value_at = offset + width - 1
            idxs = [j for j, r in enumerate(rows) if r[value_at]]
            if idxs:
                sub = [rows[j][offset : offset + width] for j in idxs]
                self._absorb_shape(fam, shape, sub, idxs, first_line, block, keep, placed)
            offset += width
        if placed is not None:
            fam.samples.extend(s for s in placed if s is not None)

    def _absorb_shape(
        self,
        fam: MetricFamily,
        shape: _Shape,
        rows: list[Any],
        idxs: list[int] | None,
        first_line: int,
        block: str,
        keep: bool,
        placed: list[Sample | None] | None,
    ) -> None:
        """Column-wise aggregation of the rows of one shape (``idxs``: their block offsets)."""
        sample_name, names = shape
        # Lines the line parser would reject although they fit the shape: a value too large
        # for a float64, or a bucket/quantile bound that is not a number.
        rejected: dict[int, str] = {}
        value_col: list[str] = (
            rows if rows and isinstance(rows[0], str) else list(map(itemgetter(-1), rows))
        )
        exps = "\n".join(value_col)
        if "e" in exps or "E" in exps:
            for pos, v in enumerate(value_col):
                if ("e" in v or "E" in v) and math.isinf(float(v)):
                    rejected[pos] = f"expected float as value, got {_q(v)}"
        checked = None
        if fam.type in (HISTOGRAM, GAUGE_HISTOGRAM) and sample_name == fam.name + "_bucket":
            checked = "le"
        elif fam.type == SUMMARY and sample_name == fam.name:
            checked = "quantile"
        if checked in names:
            at = names.index(checked) + 1
            ok = self._floats_ok
            for pos, v in enumerate(map(itemgetter(at), rows)):
                if v not in ok:
                    if _parse_float(v, self._om) is None:
                        rejected.setdefault(
                            pos, f"expected float as value for '{checked}' label, got {_q(v)}"
                        )
                    else:
                        ok.add(v)
        if rejected:
            for pos in sorted(rejected):
                j = idxs[pos] if idxs is not None else pos
                self._problem(first_line + j, rejected[pos])
            kept_pos = [p for p in range(len(rows)) if p not in rejected]
            idxs = [idxs[p] if idxs is not None else p for p in kept_pos]
            rows = [rows[p] for p in kept_pos]
            value_col = [value_col[p] for p in kept_pos]
            fam.sample_count -= len(rejected)
            if not rows:
                return
        count = len(rows)
        if sample_name not in fam.sample_names:
            fam.sample_names[sample_name] = first_line + (idxs[0] if idxs else 0)
            self._sample_owner[sample_name] = fam

        def line_of(i: int) -> int:
            return first_line + (idxs[i] if idxs is not None else i)

        k = len(names)
        if k == 0:
            values: list[str] = value_col
            keys = [_series_key(sample_name, ())] * count
        elif fam.saturated:
            values = value_col
            keys = []
        else:
            values = value_col
            order = sorted(range(k), key=names.__getitem__)
            if order == list(range(k)):
                # Labels already in name order and values free of escapes: the text as written
                # is the canonical series identity (see ``_series_key``).
                keys = list(map(hash, map(itemgetter(0), rows)))
            else:
                template = sample_name + "{{" + ",".join(f'{names[i]}="{{}}"' for i in order) + "}}"
                cols = [map(itemgetter(i + 1), rows) for i in order]
                keys = list(map(hash, map(template.format, *cols)))
        series = fam.series_hashes
        # Two C-level passes: membership, then insertion. Duplicates (rare) are located in
        # Python only when the counts say there are some.
        prior = None if series.isdisjoint(keys) else {k for k in keys if k in series}
        before = len(series)
        series.update(keys)
        if prior is not None or len(series) - before < len(keys):
            # Keys that were known before or repeat within the block.
            total = len(keys) - (len(series) - before)
            found = 0
            if len(fam.duplicates) < MAX_DUPLICATES:
                seen_here: set[int] = set()
                for i, key in enumerate(keys):
                    if key in seen_here or (prior is not None and key in prior):
                        j = idxs[i] if idxs is not None else i
                        self._duplicate(fam, first_line + j, partial(_series_text, block, j))
                        found += 1
                        if len(fam.duplicates) >= MAX_DUPLICATES:
                            break
                    seen_here.add(key)
            fam.duplicate_count += total - found
        if len(series) >= self._max_distinct:
            fam.saturated = True
        # The first offending line of the family. A block holding several shapes is absorbed
        # shape by shape, so a later shape may hold an earlier line: keep the smallest.
        if sample_name.endswith("_info"):
            for i, v in enumerate(values):
                if float(v) != 1:
                    fam.not_one_line = _first(fam.not_one_line, line_of(i))
                    break
        joined = "\n".join(values)
        if "-" in joined:
            for i, v in enumerate(values):
                if v[0] == "-":
                    fam.negative_line = _first(fam.negative_line, line_of(i))
                    break
        if "N" in joined:
            fam.nan_line = _first(fam.nan_line, line_of(values.index("NaN")))
        stats = fam.labels
        for i, lname in enumerate(names):
            col = list(map(itemgetter(i + 1), rows))
            st = stats.get(lname)
            if st is None:
                j = idxs[0] if idxs is not None else 0
                text = block.split("\n", j + 1)[j]
                st = stats[lname] = LabelStats(lname, first_line + j, first_text=_clip(text))
            if not st.saturated:
                st.value_hashes.update(map(hash, col))
                if len(st.value_hashes) >= self._max_distinct:
                    st.saturated = True
            if len(st.examples) < LABEL_SAMPLE_LIMIT:
                for v in islice(col, LABEL_SAMPLE_LIMIT * 4):
                    st.examples.add(v)
                    if len(st.examples) >= LABEL_SAMPLE_LIMIT:
                        break
            longest = max(map(len, col))
            if longest > st.max_length:
                idx = next(i for i, v in enumerate(col) if len(v) == longest)
                st.max_length = longest
                st.longest = col[idx][:_TEXT_CLIP]
                st.longest_line = line_of(idx)
        if not keep:
            return
        if self._defers(fam):
            rows_kept = rows if k else [r if isinstance(r, tuple) else (r,) for r in rows]
            line_nos: Sequence[int] = (
                range(first_line, first_line + count)
                if idxs is None
                else [first_line + j for j in idxs]
            )
            self._deferred.setdefault(fam.name, []).append(
                (sample_name, names, rows_kept, line_nos)
            )
            return
        # Built with C-level iterators: this runs once per histogram/summary line.
        lines = (
            range(first_line, first_line + count)
            if idxs is None
            else [first_line + j for j in idxs]
        )
        labelsets: Any = (
            map(tuple, map(zip, repeat(names), map(itemgetter(slice(1, None)), rows)))
            if k
            else repeat(())
        )
        samples = list(
            map(Sample, repeat(sample_name), labelsets, map(float, values), repeat(None), lines)
        )
        kept = idxs or []
        if placed is None:
            fam.samples.extend(samples)
        else:
            for j, smp in zip(kept, samples, strict=True):
                placed[j] = smp


def _first(known: int, line: int) -> int:
    """The earlier of a known first line (0: none yet) and ``line``."""
    return line if not known or line < known else known


def _series_text(block: str, j: int) -> str:
    """``name{labels}`` of line ``j`` of a fast-path block (the value is the last token)."""
    return block.split("\n", j + 1)[j].rsplit(" ", 1)[0]


def _series_key(sample_name: str, labels: tuple[tuple[str, str], ...]) -> int:
    """Hash of a series identity: ``name{a="1",b="2"}`` with labels in name order.

    Independent of the label order as written; equal to the hash of the line's own text when
    it is already canonical, which is what the fast path hashes.
    """
    if not labels:
        return hash(sample_name)
    ordered = sorted(labels)
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in ordered)
    return hash(f"{sample_name}{{{body}}}")


def _escape(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value


def parse_exposition_text(
    text: str | bytes, *, fmt: str | None = None, source: str = "-", keep_samples: bool = True
) -> Exposition:
    """Parse a whole exposition held in memory (tests, small inputs).

    Args:
        text: the exposition.
        fmt: ``text`` or ``openmetrics``; detected when ``None``.
        source: display name.
        keep_samples: keep every sample.

    Returns:
        The parsed ``Exposition`` (problems included, never raises on bad input).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    parser = ExpositionParser(
        source, fmt or detect_format(data[:65536], data[-64:]), keep_samples=keep_samples
    )
    parser.feed(data)
    return parser.close()


def is_nan(value: float) -> bool:
    """``math.isnan`` (re-exported for rules that import only the parser)."""
    return math.isnan(value)


def verify_text_histogram(base: str, entries: Sequence[_Deferred]) -> bool:
    """True when a text-format histogram provably has no structure problem.

    Checks with C-level iterators over all rows: only ``_bucket``/``_count``/``_sum``
    samples; the same non-``le`` labels everywhere; each series' buckets adjacent, ``le``
    strictly increasing, counts non-decreasing, non-negative and not NaN, ending with
    ``+Inf``; exactly one ``_count`` (equal to the ``+Inf`` bucket) and one ``_sum`` per
    series. ``False`` means "not proven": the per-sample rules then run and explain.
    """
    buckets: list[_Deferred] = []
    counts: list[_Deferred] = []
    sums: list[_Deferred] = []
    by_suffix = {f"{base}_bucket": buckets, f"{base}_count": counts, f"{base}_sum": sums}
    for entry in entries:
        target = by_suffix.get(entry[0])
        if target is None:
            return False
        target.append(entry)
    if not buckets or not counts or not sums:
        return False
    names = buckets[0][1]
    if "le" not in names:
        return False
    le_at = names.index("le") + 1
    other = tuple(n for n in names if n != "le")
    key_at = [i + 1 for i, n in enumerate(names) if n != "le"]
    if any(e[1] != names for e in buckets) or any(e[1] != other for e in (*counts, *sums)):
        return False
    rows = [r for e in buckets for r in e[2]]
    n = len(rows)
    key_of: Callable[[Any], Any] = itemgetter(*key_at) if key_at else (lambda _r: "")
    keys = list(map(key_of, rows))
    le_texts = list(map(itemgetter(le_at), rows))
    try:
        le_floats = {t: float(t) for t in set(le_texts)}
        les = list(map(le_floats.__getitem__, le_texts))
        vals = list(map(float, map(itemgetter(-1), rows)))
    except ValueError:
        return False
    if any(map(math.isnan, vals)) or min(vals) < 0:
        return False
    same = list(map(eq, keys[1:], keys[:-1]))
    rising = map(and_, map(lt, les[:-1], les[1:]), map(le, vals[:-1], vals[1:]))
    if any(map(gt, same, rising)):
        return False
    last = [*compress(range(n - 1), map(not_, same)), n - 1]
    if len(set(keys)) != len(last):
        return False
    inf = math.inf
    if not all(map(eq, map(les.__getitem__, last), repeat(inf))):
        return False
    inf_counts = dict(zip(map(keys.__getitem__, last), map(vals.__getitem__, last), strict=True))
    count_rows = [r for e in counts for r in e[2]]
    sum_rows = [r for e in sums for r in e[2]]
    other_key: Callable[[Any], Any] = (
        itemgetter(*range(1, len(other) + 1)) if other else (lambda _r: "")
    )
    try:
        count_map = dict(
            zip(
                map(other_key, count_rows),
                map(float, map(itemgetter(-1), count_rows)),
                strict=True,
            )
        )
    except ValueError:
        return False
    sum_keys = set(map(other_key, sum_rows))
    return (
        len(count_map) == len(count_rows)
        and len(sum_keys) == len(sum_rows)
        and count_map == inf_counts
        and sum_keys == inf_counts.keys()
    )
