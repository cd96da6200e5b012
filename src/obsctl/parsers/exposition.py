"""A strict, streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0 expositions.

``ExpositionParser`` is fed bytes in chunks of any size and builds ``MetricFamily`` objects
with line numbers. Memory stays bounded by the number of distinct series and label values,
not by the input size: sample lines are aggregated per family (series hashes, label value
hashes, a bounded sample of values) rather than kept as objects, except for the families
whose rules need the samples (histograms, summaries, state sets, info), and counting stops
at ``max_distinct`` per family and label.

Speed comes from a fast path (``parsers.exposition_fast``): once a family's line shapes are
known, runs of lines of those shapes are validated and split into columns in bulk. Every
other line (metadata, escapes, timestamps, exemplars, odd whitespace, errors) goes through
the strict line parser here, which reports problems with the messages of Prometheus' own
parsers (``expfmt`` for the text format, ``textparse`` for OpenMetrics) where they exist.
Tokens, limits and quoting shared by both halves live in ``parsers.exposition_tokens``.

Grammar problems are collected as ``ParseProblem`` (line, column, message) and parsing goes on
with the next line, up to ``max_problems``; nothing here raises on bad input. Hostile input
is bounded: lines longer than ``max_line_bytes`` are skipped and reported, binary input stops
the parse with one problem, invalid UTF-8 is reported per line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Final

from obsctl.model.metric_families import (
    COUNTER,
    GAUGE,
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    INFO,
    LABEL_SAMPLE_LIMIT,
    OPENMETRICS_TYPES,
    SAMPLE_SUFFIXES,
    STATESET,
    SUMMARY,
    TEXT_TYPES,
    UNKNOWN,
    UNTYPED,
    Exposition,
    ExpositionExemplar,
    LabelStats,
    MetricFamily,
    ParseProblem,
    Sample,
)
from obsctl.parsers.exposition_fast import (
    _REGION_MIN,
    FastPath,
    _Deferred,
    _PatternKey,
    _Shape,
)
from obsctl.parsers.exposition_tokens import (
    _LABEL_NAME,
    _NAME,
    _OM_TIMESTAMP,
    _OM_TYPES_WITH_UNIT_FORBIDDEN,
    _TEXT_CLIP,
    _TEXT_TIMESTAMP,
    EXEMPLAR_MAX_RUNES,
    FORMATS,
    KEEP_SAMPLE_TYPES,
    MAX_DISTINCT,
    MAX_LINE_BYTES,
    MAX_PROBLEMS,
    OPENMETRICS,
    TEXT,
    _clip,
    _LineError,
    _parse_float,
    _q,
    _read_quoted,
    _rune,
    _series_key,
    _skip_ws,
)

__all__ = [
    "FORMATS",
    "MAX_DISTINCT",
    "MAX_LINE_BYTES",
    "MAX_PROBLEMS",
    "OPENMETRICS",
    "TEXT",
    "ExpositionParser",
    "PartResult",
    "detect_format",
    "is_nan",
    "parse_exposition_text",
]


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


_ALL_SUFFIXES: Final = (
    "_total",
    "_created",
    "_bucket",
    "_count",
    "_sum",
    "_gcount",
    "_gsum",
    "_info",
)


@dataclass(frozen=True, slots=True)
class PartResult:
    """A later part of an input parsed on its own (``ExpositionParser(start_line=…)``):
    its exposition, whether it reported a CRLF, and its names with and without sample
    suffixes (``ExpositionParser.join`` checks that the parts share none)."""

    exposition: Exposition
    crlf_reported: bool
    name_roots: set[str]


class ExpositionParser(FastPath):
    """Incremental parser: ``feed(bytes)`` any number of times, then ``close()``.

    Args:
        source: the input's display name, used in the result.
        fmt: ``text`` or ``openmetrics``.
        keep_samples: keep every sample as a ``Sample`` (tests, small inputs); by default
            only the families whose rules need them keep samples.
        max_line_bytes: longer lines are skipped and reported.
        max_problems: stop after this many problems.
        max_distinct: stop counting a family's series or a label's values past this.
        start_line: the input's first ``start_line`` lines went to another parser: this
            one reads the rest (see ``PartResult``), numbering lines after them and without
            the checks of the start of an input.
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
        start_line: int = 0,
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
        self._exposed: dict[str, MetricFamily] = {}
        """OpenMetrics: the sample names each typed family may expose → that family."""
        self._fast: re.Pattern[str] | None = None
        self._fast_rows: re.Pattern[str] | None = None
        self._fast_prefixes: tuple[str, ...] | None = None
        self._shapes: tuple[_Shape, ...] = ()
        self._fast_cache: dict[_PatternKey, tuple[re.Pattern[str], re.Pattern[str]]] = {}
        self._floats_ok: set[str] = set()
        self._optimistic = False
        self._trusting = False
        self._learned: dict[str, tuple[_Shape, ...]] = {}
        self._region = _REGION_MIN
        self._deferred: dict[str, list[_Deferred]] = {}
        self._packed_rows: dict[str, list[bytes]] = {}
        self._eof_line = 0
        self._after_eof_reported = False
        self._first = not start_line
        self._line = start_line
        self._crlf_reported = False
        self._last_ts: dict[int, float] = {}
        self._paused = False

    # ------------------------------------------------------------------ public
    @property
    def stopped(self) -> bool:
        """True once parsing gave up (too many problems, binary input)."""
        return bool(self.result.stopped)

    def feed(self, data: bytes) -> bool:
        """Parse the complete lines in ``pending + data``; returns False once stopped."""
        if self.result.stopped:
            return False
        if self._paused:
            self._paused = False
            if self._current is not None:
                self._current.unseal()
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

    def close(self, *, at_end: bool = True) -> Exposition:
        """Finish: parse the last line (without newline) and apply end-of-input rules.

        ``at_end=False``: the input goes on in another parser's part (see ``join``); the
        end-of-input rules are that part's.
        """
        res = self.result
        if not res.stopped and at_end:
            if self._pending:
                tail = self._pending
                self._pending = b""
                if not self._om and tail.strip(b" \t\r"):
                    seen = len(res.problems)
                    self._process_bytes(tail + b"\n")
                    # expfmt reads a stream: a problem found before the end of the last line
                    # comes first, one found at its end is reported as the end of input.
                    at_eol = any(
                        p.col >= len(tail) or p.message.endswith('got ""')
                        for p in res.problems[seen:]
                    )
                    col = 0 if at_eol else len(tail) + 1
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

    # ------------------------------------------------------------------ parts
    def pause(self) -> None:
        """The rest of the input is being read elsewhere (see ``join``) and may not come back
        here: pack the current family's hash sets as an ended family's (``MetricFamily.seal``)
        while waiting. ``feed`` unpacks them if the input goes on here after all."""
        if self._current is not None:
            self._current.seal()
            self._paused = True

    def part(self) -> PartResult:
        """``close()``, with what ``join`` needs to tell whether the parts are independent.

        Every family of a part has ended (the input goes on in another parser, or not at
        all), so the last one is packed like the others before it travels.
        """
        res = self.close()
        if self._current is not None:
            self._current.seal()
        return PartResult(res, self._crlf_reported, self._name_roots())

    def join(self, later: PartResult) -> Exposition | None:
        """This parser's exposition followed by ``later``'s (the rest of the input, parsed by
        another parser from ``start_line``), or ``None`` when ``later`` might have come out
        differently after this part: the caller then feeds the rest to this parser.

        The parts are independent when this one stopped nowhere, ended on a line boundary
        before any ``# EOF``, did not leave a too-long line, and when no name of one part
        (families, sample names, the names a typed family may expose), nor any of them
        without a sample suffix, is one of the other part's: then no sample or metadata
        line of ``later`` could have resolved to a family of this part, nor the other way
        round. Problems must stay under the limit, and a CRLF is reported once.
        """
        res = self.result
        rest = later.exposition
        if (
            res.stopped
            or rest.stopped
            or self._pending
            or self._skipping
            or self._eof_line
            or (self._crlf_reported and later.crlf_reported)
            or len(res.problems) + len(rest.problems) >= self._max_problems
            or not self._name_roots().isdisjoint(later.name_roots)
        ):
            return None
        self.close(at_end=False)
        res.families.extend(rest.families)
        res.problems.extend(rest.problems)
        res.lines = rest.lines
        res.bytes_read += rest.bytes_read
        return res

    def _name_roots(self) -> set[str]:
        names = {*self._families, *self._sample_owner, *self._exposed}
        roots = set(names)
        for suffix in _ALL_SUFFIXES:
            cut = len(suffix)
            roots.update(n[:-cut] for n in names if n.endswith(suffix))
        return roots

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
            if self._fast is not None:
                end = self._fast_advance(buf, pos)
                if end > pos:
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
            elif self._om:
                self._handle_sample(line, lineno)
            else:
                # A line whose first non-blank character is ``#`` is a comment (expfmt).
                start = _skip_ws(line)
                if start < len(line):
                    if line[start] == "#":
                        self._handle_comment(line, lineno, start)
                    else:
                        self._handle_sample(line, lineno)
        except _LineError as err:
            self._problem(lineno, err.message, err.col, line)

    # ------------------------------------------------------------------ metadata
    def _handle_comment(self, line: str, lineno: int, start: int = 0) -> None:
        if self._om:
            self._handle_om_comment(line, lineno)
            return
        pos = _skip_ws(line, start + 1)
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
        quoted = line[ws] == '"'
        if quoted:
            # Prometheus 3: ``# HELP "my.metric" …`` (any UTF-8 name, quoted).
            name, name_end = _read_quoted(line, ws, "metric name")
            if not name or (name_end < len(line) and line[name_end] not in " \t"):
                raise _LineError("invalid metric name in comment", ws + 1)
        else:
            name_m = re.compile(r"[^ \t]+").match(line, ws)
            if name_m is None:
                raise _LineError("invalid metric name in comment", ws + 1)
            name = name_m.group()
            name_end = name_m.end()
            if _NAME.fullmatch(name) is None:
                raise _LineError("invalid metric name in comment", ws + 1)
        rest_start = _skip_ws(line, name_end)
        rest = line[rest_start:]
        if keyword == "HELP":
            help_text = self._unescape_help(rest, rest_start)
            fam = self._family_for_metadata(name, lineno, line)
            if fam.help_line:
                raise _LineError(f"second HELP line for metric name {_q(name)}", 1)
            if quoted and not fam.quoted_line:
                fam.quoted_line = lineno
            if fam.sample_count and fam.interleaved_line != lineno and not fam.late_help_line:
                fam.late_help_line = lineno  # expfmt regroups it; other consumers may not
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
        if quoted and not fam.quoted_line:
            fam.quoted_line = lineno
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
            for suffix in SAMPLE_SUFFIXES[rest]:
                self._exposed.setdefault(name + suffix, fam)
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
        exposed = self._exposed
        others = [
            other
            for s in SAMPLE_SUFFIXES[type_]
            if (other := exposed.get(name + s)) is not None and other.name != name
        ]
        if others:
            first = min(others, key=attrgetter("line"))  # the first family declared
            raise _LineError(
                f"family {_q(name)} clashes with the samples of family {_q(first.name)}", 1
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
            self._settle_closed(cur)
            cur.seal()
        fam.unseal()
        if not self._om:
            self._resume_settled(fam)
        self._current = fam
        self._fast = None
        self._shapes = ()
        self._optimistic = self._trusting

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
                    fam = self._exposed.get(sample_name)
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
    ) -> tuple[list[tuple[str, str]], int, str | None, bool]:
        """Parse ``{…}`` starting at ``line[pos] == '{'``.

        Returns:
            The labels, the end offset, the metric name written inside the braces (text
            format, Prometheus 3: ``{"my.metric",…}``) or ``None``, and whether any name was
            quoted.

        Messages follow expfmt (text) and name the metric family, as it does.
        """
        om = self._om
        metric = self._family_name_of(sample_name)
        labels: list[tuple[str, str]] = []
        seen: set[str] = set()
        braced: str | None = None
        quoted = False
        pos += 1
        n = len(line)
        first = True
        while True:
            if not om:
                pos = _skip_ws(line, pos)
            if pos < n and line[pos] == "}":
                if om and not first:
                    raise _LineError("expected label name, got '}' (trailing comma)", pos + 1)
                return labels, pos + 1, braced, quoted
            start = pos
            if not om and pos < n and line[pos] == '"':
                quoted = True
                lname, pos = _read_quoted(line, pos, "label name")
                after = _skip_ws(line, pos)
                if after >= n or line[after] != "=":
                    # Not a label: the metric name, quoted (there is at most one).
                    if braced is not None or sample_name:
                        raise _LineError(
                            f"multiple metric names for metric {_q(braced or sample_name)}",
                            start + 1,
                        )
                    if not lname:
                        raise _LineError("invalid metric name", start + 1)
                    braced = metric = lname
                    pos = after
                    if pos < n and line[pos] == ",":
                        pos += 1
                        continue
                    if pos < n and line[pos] == "}":
                        return labels, pos + 1, braced, quoted
                    raise _LineError("unexpected end of metric name", pos + 1)
                if not lname:
                    raise _LineError(f"invalid label name for metric {_q(metric)}", start + 1)
            else:
                m = _LABEL_NAME.match(line, pos)
                if m is None:
                    raise _LineError(
                        f"invalid label name for metric {_q(metric)}"
                        if not om
                        else f"expected label name, got {_q(line[pos : pos + 10])}",
                        pos + 1,
                    )
                lname = m.group()
                pos = m.end()
            if lname == "__name__":
                raise _LineError('label name "__name__" is reserved', start + 1)
            if not om:
                pos = _skip_ws(line, pos)
            if pos >= n or line[pos] != "=":
                found = _rune(line[pos] if pos < n else "\n")
                raise _LineError(f"expected '=' after label name, found {found}", pos + 1)
            if lname in seen:
                raise _LineError(f"duplicate label names for metric {_q(metric)}", start + 1)
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
                return labels, pos + 1, braced, quoted
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
        n = len(line)
        m = _NAME.match(line, pos)
        name_start = pos
        if m is not None:
            sample_name = m.group()
            pos = m.end()
        elif not om and pos < n and line[pos] == "{":
            sample_name = ""  # Prometheus 3: the quoted name is inside the braces
        elif not om and pos < n and line[pos] == '"':
            # expfmt reads it, Prometheus' scrape parser does not.
            raise _LineError(
                'quoted metric name outside braces (write {"name",…} instead)', pos + 1
            )
        else:
            raise _LineError("invalid metric name", pos + 1)  # expfmt's wording
        labels: list[tuple[str, str]] = []
        label_end = pos
        quoted = False
        if not om:
            ws = _skip_ws(line, pos)
            if ws < n and line[ws] == "{":
                pos = ws
        if pos < n and line[pos] == "{":
            labels, pos, braced, quoted = self._parse_labels(line, pos, sample_name)
            label_end = pos
            if braced is not None:
                sample_name = braced
        if not sample_name:
            raise _LineError("invalid metric name", name_start + 1)
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
        exemplar: ExpositionExemplar | None = None
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
        if quoted and not fam.quoted_line:
            fam.quoted_line = lineno
        self._check_sample_labels(fam, sample_name, labels)
        if exemplar is not None:
            self._check_exemplar_allowed(fam, sample_name)
        key_text = line[name_start:label_end] if labels or quoted else sample_name
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

    def _parse_exemplar(self, line: str, pos: int) -> ExpositionExemplar:
        # ``pos`` points at "# {"
        if not line.startswith("# {", pos):
            raise _LineError("expected '{' after '#' in exemplar", pos + 3)
        labels, pos, _, _ = self._parse_labels(line, pos + 2, "exemplar")
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
        return ExpositionExemplar(tuple(labels), value, ts)

    def _add_sample(
        self,
        fam: MetricFamily,
        sample_name: str,
        labels: tuple[tuple[str, str], ...],
        value: float,
        timestamp: float | None,
        exemplar: ExpositionExemplar | None,
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
                row = ("", *(v for _, v in labels), repr(value)) if labels else (repr(value),)
                self._deferred.setdefault(fam.name, []).append(
                    (sample_name, tuple(k for k, _ in labels), [row], [lineno])
                )
            else:
                fam.samples.append(Sample(sample_name, labels, value, timestamp, lineno, exemplar))


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
