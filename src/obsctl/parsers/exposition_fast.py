"""The exposition parser's fast path: runs of lines of a known shape, validated in bulk.

Once a family and its label-name shapes (``name{a=…,b=…}``, up to eight per family) have been
seen, runs of lines with those shapes, plain label values and a plain value are validated and
split into columns by one anchored ``findall`` call per run, so the per-line work happens in
C. Text-format histograms are kept as those rows and verified in bulk at the end; ``Sample``
objects are built only when that proof fails. Anything the patterns do not match goes back to
the line parser (``parsers.exposition``), which has the last word on every line.
"""

from __future__ import annotations

import marshal
import math
import re
from collections.abc import Callable, Sequence
from functools import partial
from itertools import compress, filterfalse, islice, repeat
from operator import and_, attrgetter, eq, gt, itemgetter, le, lt, not_
from typing import Any, Final, Literal

from obsctl.model.metric_families import (
    GAUGE_HISTOGRAM,
    HISTOGRAM,
    INFO,
    LABEL_SAMPLE_LIMIT,
    MAX_DUPLICATES,
    STATESET,
    SUMMARY,
    Exposition,
    ExpositionExemplar,
    LabelStats,
    MetricFamily,
    Sample,
)
from obsctl.parsers.exposition_tokens import (
    _TEXT_CLIP,
    KEEP_SAMPLE_TYPES,
    _clip,
    _parse_float,
    _q,
    _series_key,
)

_MAX_SHAPES: Final = 8
_REGION_MIN: Final = 1 << 12
_REGION_MAX: Final = 1 << 18
_Shape = tuple[str, tuple[str, ...]]
_Deferred = tuple[str, tuple[str, ...], list[Any], Sequence[int]]
"""Rows of one shape kept for bulk verification: sample name, label names, findall rows
(``("", label values…, value)``, or ``(value,)`` without labels), line numbers."""
_FAST_VALUE: Final = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|NaN|[+-]Inf)"
_FAST_LABEL_VALUE: Final = r'"([^"\\\n]*)"'


class FastPath:
    """The fast-path half of ``ExpositionParser`` (a mixin: the state lives in the parser)."""

    result: Exposition
    _om: bool
    _keep_all: bool
    _max_distinct: int
    _line: int
    _current: MetricFamily | None
    _families: dict[str, MetricFamily]
    _sample_owner: dict[str, MetricFamily]
    _fast: re.Pattern[str] | None
    _fast_rows: re.Pattern[str] | None
    _fast_prefixes: tuple[str, ...] | None
    _shapes: tuple[_Shape, ...]
    _fast_cache: dict[_PatternKey, tuple[re.Pattern[str], re.Pattern[str]]]
    _floats_ok: set[str]
    _optimistic: bool
    _trusting: bool
    _learned: dict[str, tuple[_Shape, ...]]
    """Per family type, the last multi-shape family's shapes as (suffix, label names)."""
    """Whether the last optimistic attempt succeeded: a new family then starts optimistic (a
    big exporter's families are one run each), so most runs cost one findall, not a match
    and a findall."""
    _region: int
    _deferred: dict[str, list[_Deferred]]
    _packed_rows: dict[str, list[bytes]]

    def _problem(self, line: int, message: str, col: int = 0, text: str | None = None) -> None:
        raise NotImplementedError

    def _fast_advance(self, buf: str, pos: int) -> int:
        """Absorb the run of known-shape lines at ``pos``; the offset after it (``pos``: none)."""
        if self._optimistic and buf[pos] != "#":
            # Optimistic: every line up to the next comment (within the region)
            # fits a known shape. One anchored findall both validates (one row per
            # line) and splits the lines into columns. The region grows on success
            # and shrinks on a miss, and a miss falls back to validating run by run
            # until runs show up again, so mixed input cannot make this quadratic.
            limit = min(len(buf), pos + self._region)
            stop = buf.find("\n#", pos, limit)
            if stop < 0:
                stop = buf.rfind("\n", pos, limit)
            if stop >= pos:
                block = buf[pos : stop + 1]
                rows = self._fast_rows.findall(block)  # type: ignore[union-attr]
                if len(rows) == block.count("\n") and self._names_ok(block, len(rows)):
                    self._absorb_block(block, rows)
                    self._region = min(_REGION_MAX, self._region * 2)
                    self._trusting = True
                    return stop + 1
                self._region = max(_REGION_MIN, self._region // 2)
            self._optimistic = self._trusting = False
        m = self._fast.match(buf, pos)  # type: ignore[union-attr]
        end = m.end() if m is not None else pos
        if end > pos:
            block = buf[pos:end]
            rows = self._fast_rows.findall(block)  # type: ignore[union-attr]
            if not self._names_ok(block, len(rows)):
                return self._fast_advance(buf, pos)
            self._absorb_block(block, rows)
            self._optimistic = len(rows) >= 8
            self._trusting = self._trusting or self._optimistic
        return end

    def _settle_deferred(self) -> None:
        """Verify deferred histograms and summaries in bulk (see ``_settle``)."""
        for name, entries in self._deferred.items():
            self._settle(self._families[name], entries)
        self._deferred.clear()

    def _settle_closed(self, fam: MetricFamily) -> None:
        """Settle a family as soon as it ends, so that its rows do not stay in memory until
        the end of the input.

        An OpenMetrics family cannot continue later. A text-format one can (expfmt regroups
        it): when its rows were proven well-formed they are kept packed (``marshal``, about
        a fifth of the memory of the rows) and come back, unproven, if the family resumes;
        rows that failed the proof are samples by now, which ``_settle`` extends.
        """
        entries = self._deferred.pop(fam.name, None)
        if entries is None:
            return
        self._settle(fam, entries)
        if not self._om and fam.structure_verified:
            packed = []
            for sname, names, rows, lines in entries:
                span = (lines.start, lines.stop) if isinstance(lines, range) else list(lines)
                packed.append(marshal.dumps((sname, names, rows, span)))
                rows.clear()  # one entry's rows at a time: the peak stays a family's rows
            self._packed_rows[fam.name] = packed

    def _resume_settled(self, fam: MetricFamily) -> None:
        """Text format: a family continues after another one; its proven rows, if any, are
        deferred again so that the proof covers all of its samples."""
        blob = self._packed_rows.pop(fam.name, None)
        if blob is None:
            return
        fam.structure_verified = False
        entries: list[_Deferred] = []
        for part in blob:
            sname, names, rows, span = marshal.loads(part)
            entries.append((sname, names, rows, range(*span) if isinstance(span, tuple) else span))
        self._deferred[fam.name] = entries

    def _settle(self, fam: MetricFamily, entries: list[_Deferred]) -> None:
        """Verify a family's rows in bulk; turn them into samples when that fails.

        When the bulk check proves a histogram or summary well-formed, its rules have nothing
        to report and no ``Sample`` objects are built: 3-4x less work per line. Anything the
        check cannot prove (or gets wrong) goes through the detailed per-sample rules.
        """
        if not fam.samples and verify_deferred(fam.type, fam.name, entries, self._om):
            fam.structure_verified = True
            return
        samples = list(fam.samples)
        for sample_name, names, rows, lines in entries:
            labelsets: Any = (
                map(tuple, map(zip, repeat(names), map(itemgetter(slice(1, None)), rows)))
                if names
                else repeat(())
            )
            values = map(float, map(itemgetter(-1), rows))
            samples.extend(map(Sample, repeat(sample_name), labelsets, values, repeat(None), lines))
        samples.sort(key=attrgetter("line"))
        fam.samples = samples

    def _defers(self, fam: MetricFamily) -> bool:
        """Whether ``fam``'s samples are kept as rows and verified in bulk at the end."""
        return fam.type in (HISTOGRAM, SUMMARY) and not self._keep_all

    def _duplicate(self, fam: MetricFamily, lineno: int, text: Callable[[], str]) -> None:
        fam.duplicate_count += 1
        if len(fam.duplicates) < MAX_DUPLICATES:
            fam.duplicates.append((lineno, _clip(text())))

    def _maybe_enable_fast(
        self,
        fam: MetricFamily,
        sample_name: str,
        labels: list[tuple[str, str]],
        line: str,
        timestamp: float | None,
        exemplar: ExpositionExemplar | None,
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
        base = fam.name
        if len(shapes) == 1 and sample_name.startswith(base):
            # A family's first shape: families of one type in one exposition usually have the
            # same shapes (a histogram's _bucket, _sum, _count, _created with the same
            # labels), so start with the last such family's, which lets the family's first
            # run cover all its lines. Shapes that do not occur cost nothing.
            learned = self._learned.get(fam.type, ())
            if (sample_name[len(base) :], shape[1]) in learned:
                shapes = tuple((base + sfx, names) for sfx, names in learned)
        # The patterns leave the family's name open, so that the families of a big exporter
        # sharing label names share compiled patterns (compiling costs far more than
        # matching a family of a few hundred lines). With one shape any name matches; with
        # several, a name of the family name's length followed by each shape's suffix. The
        # names are then checked per run by counting the lines that start with them.
        if len(shapes) == 1:
            key: _PatternKey = (None, (("", shapes[0][1]),))
        elif all(sname.startswith(base) for sname, _ in shapes):
            key = (len(base), tuple((sname[len(base) :], names) for sname, names in shapes))
            self._learned[fam.type] = key[1]
        else:
            key = (-1, shapes)
        pats = self._fast_cache.get(key)
        if pats is None:
            pats = _compile_shapes(*key)
            self._fast_cache[key] = pats
        self._fast, self._fast_rows = pats
        # What the lines of a run must start with (see ``_names_ok``): with several shapes,
        # the family's name (the patterns then read a name that long and the suffix).
        self._fast_prefixes = (
            None
            if key[0] == -1
            else (base,)
            if key[0] is not None
            else tuple({sname + ("{" if names else " "): None for sname, names in shapes})
        )
        self._shapes = shapes

    def _names_ok(self, block: str, count: int) -> bool:
        """Whether all ``count`` lines of ``block`` carry the metric names of their shapes.

        Every line of the block matched a shape's pattern with a legal name, ending in the
        shape's suffix (several shapes: and as long as the family name), and a name ends at
        ``{`` or a blank; so the lines start with the expected names exactly when as many
        lines as the block has start with one of them (``name{`` or ``name ``). With several
        shapes the pattern reads a name as long as the family's, then a suffix: a line
        starting with the family name then names one of its samples, so one count does.
        """
        prefixes = self._fast_prefixes
        if prefixes is None:
            return True
        found = 0
        for prefix in prefixes:
            found += block.startswith(prefix) + block.count("\n" + prefix)
        if found == count:
            return True
        # Another family's lines of the same shape follow without metadata in between:
        # go on with the pattern naming the metric, which stops the run at them.
        self._fast, self._fast_rows = _compile_shapes(-1, self._shapes)
        self._fast_prefixes = None
        return False

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
            # Columns per shape: an empty one, one per label, value (just the value without labels).
            width = len(shape[1]) + 2 if shape[1] else 1
            value_at = offset + width - 1
            idxs = list(compress(range(count), map(itemgetter(value_at), rows)))
            if idxs:
                sub = list(
                    map(itemgetter(slice(offset, offset + width)), map(rows.__getitem__, idxs))
                )
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
            col = list(map(itemgetter(at), rows))
            bad = set()
            for v in set(col).difference(ok):  # a handful of distinct bounds
                if _parse_float(v, self._om) is None:
                    bad.add(v)
                else:
                    ok.add(v)
            if bad:
                for pos, v in enumerate(col):
                    if v in bad:
                        rejected.setdefault(
                            pos, f"expected float as value for '{checked}' label, got {_q(v)}"
                        )
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
            # ``_series_key`` from the columns: the label values in name order.
            order = sorted(range(k), key=names.__getitem__)
            getter = itemgetter(*[i + 1 for i in order])
            sorted_names = tuple(names[i] for i in order)
            keys = list(
                map(hash, zip(repeat(sample_name), repeat(sorted_names), map(getter, rows)))
            )
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
            # ``known``: every value of this block was seen before (by hash, as the distinct
            # count itself is kept), so none is longer than the longest so far, and none is a
            # new example when every distinct value so far is one. Most label columns of a
            # big family (le, code, method) are known after its first block.
            known = False
            distinct = 0
            if not st.saturated:
                hashes = st.value_hashes
                distinct = len(hashes)
                # A label with few distinct values in the blocks before (under a quarter of
                # this block's rows): hash each value of the block once, not once per row.
                few = 0 < distinct * 4 < len(col)
                hashes.update(map(hash, set(col) if few else col))
                known = len(hashes) == distinct
                if len(hashes) >= self._max_distinct:
                    st.saturated = True
            need = LABEL_SAMPLE_LIMIT - len(st.examples)
            if need > 0 and not (known and len(st.examples) == distinct):
                # The first ``need`` new distinct values among the block's first ones, in
                # order (what adding them one by one until the limit gives), in C.
                seen = dict.fromkeys(islice(col, LABEL_SAMPLE_LIMIT * 4))
                st.examples.update(islice(filterfalse(st.examples.__contains__, seen), need))
            if known:
                continue
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


_ANY_NAME: Final = "[a-zA-Z_:][a-zA-Z0-9_:]*"


_PatternKey = tuple[int | None, tuple[_Shape, ...]]
"""How the patterns name the metric: ``None``, any name (one shape, no sample name); a
length, a name that long followed by each shape's suffix (the sample names are suffixes);
``-1``, the sample names as written."""


def _compile_shapes(
    base_len: int | None, shapes: tuple[_Shape, ...]
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The block pattern (a run of lines of these shapes) and the rows pattern (their columns)."""
    if base_len is None:
        head = _ANY_NAME
    elif base_len > 0:
        head = f"[a-zA-Z_:][a-zA-Z0-9_:]{{{base_len - 1}}}"
    else:
        head = ""
    # The name's head is matched once for all shapes, then each shape's suffix and labels.
    # A shape with labels starts with an empty column (the series is identified from the
    # label columns), so that its columns are (placeholder, label values…, value).
    lines = []
    for sname, names in shapes:
        if names:
            body = ",".join(f"{re.escape(k)}={_FAST_LABEL_VALUE}" for k in names)
            lines.append(f"(){re.escape(sname)}\\{{{body}\\}} {_FAST_VALUE}\\n")
        else:
            lines.append(f"{re.escape(sname)} {_FAST_VALUE}\\n")
    capture = f"{head}(?:{'|'.join(lines)})"
    block = re.sub(r"\((?!\?)", "(?:", capture)
    return re.compile(f"(?:{block})+"), re.compile(f"(?m)^(?:{capture})")


def _first(known: int, line: int) -> int:
    """The earlier of a known first line (0: none yet) and ``line``."""
    return line if not known or line < known else known


def _series_text(block: str, j: int) -> str:
    """``name{labels}`` of line ``j`` of a fast-path block (the value is the last token)."""
    return block.split("\n", j + 1)[j].rsplit(" ", 1)[0]


def verify_deferred(type_: str, base: str, entries: Sequence[_Deferred], om: bool) -> bool:
    """True when a histogram or summary provably has no structure problem (see below)."""
    if type_ == HISTOGRAM:
        return verify_histogram(base, entries, om)
    if type_ == SUMMARY:
        return verify_summary(base, entries, om)
    return False


def _split(
    entries: Sequence[_Deferred], suffixes: dict[str, str]
) -> dict[str, list[_Deferred]] | None:
    """Entries by suffix (``None`` when a sample name is none of ``suffixes``)."""
    out: dict[str, list[_Deferred]] = {sfx: [] for sfx in suffixes.values()}
    for entry in entries:
        sfx = suffixes.get(entry[0])
        if sfx is None:
            return None
        out[sfx].append(entry)
    return out


def _rows(entries: list[_Deferred]) -> list[Any]:
    return [r for e in entries for r in e[2]]


def _lines(entries: list[_Deferred]) -> list[int]:
    return [n for e in entries for n in e[3]]


def _grouped_in_order(parts: Sequence[tuple[list[Any], list[int], int]]) -> bool:
    """OpenMetrics: each group's samples adjacent, the buckets (kind 1) before the rest.

    ``parts`` are ``(group keys, line numbers, kind)`` of every sample of the family, so in
    line order they are the family's samples in order.
    """
    keys: list[Any] = []
    lines: list[int] = []
    kinds: list[int] = []
    for part_keys, part_lines, kind in parts:
        keys += part_keys
        lines += part_lines
        kinds += [kind] * len(part_keys)
    order = sorted(range(len(lines)), key=lines.__getitem__)
    keys = list(map(keys.__getitem__, order))
    kinds = list(map(kinds.__getitem__, order))
    same = list(map(eq, keys[1:], keys[:-1]))
    if len(same) - sum(same) + 1 != len(set(keys)):
        return False  # a group comes back after another one
    return not any(map(and_, same, map(lt, kinds[:-1], kinds[1:])))


def _grouped_after_buckets(
    series: list[Any],
    m: int,
    bucket_lines: list[int],
    others: Sequence[tuple[list[Any], list[int]]],
) -> bool:
    """``_grouped_in_order`` for a histogram whose buckets passed ``_periodic_buckets``:
    ``m`` buckets per series, ``series`` their keys in order, and ``others`` the keys and
    lines of the ``_count``, ``_sum`` and ``_created`` samples (keys all among ``series``).

    With the bucket lines rising, each series' samples are adjacent with its buckets first
    exactly when every other sample of the series lies after its last bucket and before the
    next series' first bucket: no sorting of the family's lines needed.
    """
    if not all(map(lt, bucket_lines[:-1], bucket_lines[1:])):
        return False
    index = dict(zip(series, range(len(series)), strict=True))
    after = bucket_lines[m - 1 :: m]
    before = [*bucket_lines[m::m], math.inf]
    for keys, lines in others:
        at = list(map(index.__getitem__, keys))
        if not all(map(lt, map(after.__getitem__, at), lines)):
            return False
        if not all(map(lt, lines, map(before.__getitem__, at))):
            return False
    return True


def verify_summary(base: str, entries: Sequence[_Deferred], om: bool) -> bool:
    """True when a summary provably has no structure problem.

    Quantile samples all with the same label names (``quantile`` among them),
    ``_count``/``_sum``(/``_created``) with the others; quantiles in [0, 1]; exactly one
    ``_count`` and one ``_sum`` per series, for every series with quantiles or ``_created``;
    counts non-negative and not NaN. OpenMetrics also: quantile values and sums not negative
    (nor NaN sums), each series' samples adjacent. ``False`` means "not proven".
    """
    parts = _split(
        entries,
        {base: "", f"{base}_count": "_count", f"{base}_sum": "_sum", f"{base}_created": "_c"},
    )
    if parts is None or not parts[""] or not parts["_count"] or not parts["_sum"]:
        return False
    names = parts[""][0][1]
    if "quantile" not in names:
        return False
    q_at = names.index("quantile") + 1
    other = tuple(n for n in names if n != "quantile")
    key_at = [i + 1 for i, n in enumerate(names) if n != "quantile"]
    if any(e[1] != names for e in parts[""]):
        return False
    if any(e[1] != other for sfx in ("_count", "_sum", "_c") for e in parts[sfx]):
        return False
    q_rows = _rows(parts[""])
    key_of: Callable[[Any], Any] = itemgetter(*key_at) if key_at else (lambda _r: "")
    other_key: Callable[[Any], Any] = (
        itemgetter(*range(1, len(other) + 1)) if other else (lambda _r: "")
    )
    try:
        qs = {t: float(t) for t in set(map(itemgetter(q_at), q_rows))}
        q_vals = list(map(float, map(itemgetter(-1), q_rows)))
        count_rows = _rows(parts["_count"])
        sum_rows = _rows(parts["_sum"])
        counts = list(map(float, map(itemgetter(-1), count_rows)))
        sums = list(map(float, map(itemgetter(-1), sum_rows)))
    except ValueError:
        return False
    if not all(0 <= q <= 1 for q in qs.values()):
        return False
    if any(map(math.isnan, counts)) or any(map(lt, counts, repeat(0.0))):
        return False
    count_keys = list(map(other_key, count_rows))
    sum_keys = list(map(other_key, sum_rows))
    known = set(count_keys)
    if len(known) != len(count_keys) or set(sum_keys) != known or len(sum_keys) != len(known):
        return False
    q_keys = list(map(key_of, q_rows))
    created_rows = _rows(parts["_c"])
    created_keys = list(map(other_key, created_rows))
    if not known.issuperset(q_keys) or not known.issuperset(created_keys):
        return False
    if not om:
        return True
    if any(map(lt, q_vals, repeat(0.0))) or any(map(math.isnan, sums)):
        return False
    if any(map(lt, sums, repeat(0.0))):
        return False
    return _grouped_in_order(
        (
            (q_keys, _lines(parts[""]), 0),
            (count_keys, _lines(parts["_count"]), 0),
            (sum_keys, _lines(parts["_sum"]), 0),
            (created_keys, _lines(parts["_c"]), 0),
        )
    )


def _periodic_buckets(
    rows: list[Any], key_at: list[int], les: list[float], vals: list[float]
) -> tuple[list[Any], list[int]] | Literal[False] | None:
    """The bucket checks of ``verify_histogram`` when every series has the same bounds (the
    usual case), with list slices and comparisons in C instead of one step per row.

    When the bounds ``les`` repeat the first series' (up to the first ``+Inf``) all along,
    the buckets are well-formed exactly when the label columns are constant within each
    period, the periods' label values are all different, the bounds rise strictly within
    the first period and the counts do not fall within any. Returns ``(the series' keys in
    order, the index of each one's +Inf bucket)`` then, ``False`` when that proves a
    problem, and ``None`` when the bounds do not repeat (the general check decides).
    """
    n = len(rows)
    try:
        m = les.index(math.inf) + 1
    except ValueError:
        return False  # no +Inf bucket at all
    if n % m or les != les[:m] * (n // m):
        return None
    if not all(map(lt, les[: m - 1], les[1:m])):
        return False
    for k in range(1, m):
        if not all(map(le, vals[k - 1 :: m], vals[k::m])):
            return False
    columns = [list(map(itemgetter(i), rows)) for i in key_at]
    for col in columns:
        heads = col[::m]
        if any(col[k::m] != heads for k in range(1, m)):
            return False
    keys: list[Any]
    if not columns:
        keys = [""] * (n // m)
    elif len(columns) == 1:
        keys = columns[0][::m]
    else:
        keys = list(zip(*(col[::m] for col in columns), strict=True))
    if len(set(keys)) != len(keys):
        return False
    return keys, list(range(m - 1, n, m))


def verify_histogram(base: str, entries: Sequence[_Deferred], om: bool) -> bool:
    """True when a histogram provably has no structure problem.

    Checks with C-level iterators over all rows: only ``_bucket``/``_count``/``_sum``
    samples (and ``_created`` in OpenMetrics); the same non-``le`` labels everywhere; each
    series' buckets adjacent, ``le`` strictly increasing, counts
    non-decreasing, non-negative and not NaN, ending with ``+Inf``; exactly one ``_count``
    (equal to the ``+Inf`` bucket) and one ``_sum`` per series. OpenMetrics also: no bucket
    below 0, ``+Inf`` written so, sums not negative nor NaN, ``_created`` only for series with
    buckets, each series' samples adjacent with the buckets first. ``False`` means "not
    proven": the per-sample rules then run and explain.
    """
    parts = _split(
        entries,
        {
            f"{base}_bucket": "_bucket",
            f"{base}_count": "_count",
            f"{base}_sum": "_sum",
            f"{base}_created": "_c",
        },
    )
    if parts is None:
        return False
    buckets, counts, sums = parts["_bucket"], parts["_count"], parts["_sum"]
    if not buckets or not counts or not sums or (parts["_c"] and not om):
        return False
    names = buckets[0][1]
    if "le" not in names:
        return False
    le_at = names.index("le") + 1
    other = tuple(n for n in names if n != "le")
    key_at = [i + 1 for i, n in enumerate(names) if n != "le"]
    if any(e[1] != names for e in buckets) or any(
        e[1] != other for e in (*counts, *sums, *parts["_c"])
    ):
        return False
    rows = _rows(buckets)
    n = len(rows)
    key_of: Callable[[Any], Any] = itemgetter(*key_at) if key_at else (lambda _r: "")
    le_texts = list(map(itemgetter(le_at), rows))
    try:
        le_floats = {t: float(t) for t in set(le_texts)}
        les = list(map(le_floats.__getitem__, le_texts))
        vals = list(map(float, map(itemgetter(-1), rows)))
    except ValueError:
        return False
    if any(map(math.isnan, vals)) or min(vals) < 0:
        return False
    inf = math.inf
    periodic = _periodic_buckets(rows, key_at, les, vals)
    keys: list[Any] | None = None
    if periodic is None:
        keys = list(map(key_of, rows))
        same = list(map(eq, keys[1:], keys[:-1]))
        rising = map(and_, map(lt, les[:-1], les[1:]), map(le, vals[:-1], vals[1:]))
        if any(map(gt, same, rising)):
            return False
        last = [*compress(range(n - 1), map(not_, same)), n - 1]
        if len(set(keys)) != len(last):
            return False
        if not all(map(eq, map(les.__getitem__, last), repeat(inf))):
            return False
        inf_counts = dict(
            zip(map(keys.__getitem__, last), map(vals.__getitem__, last), strict=True)
        )
    elif not periodic:
        return False
    else:
        series_keys, last = periodic
        inf_counts = dict(zip(series_keys, map(vals.__getitem__, last), strict=True))
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
    if not (
        len(count_map) == len(count_rows)
        and len(sum_keys) == len(sum_rows)
        and count_map == inf_counts
        and sum_keys == inf_counts.keys()
    ):
        return False
    if not om:
        return True
    created_rows = _rows(parts["_c"])
    created_keys = list(map(other_key, created_rows))
    if not inf_counts.keys() >= set(created_keys):
        return False
    if min(les) < 0 or not all(map(eq, map(le_texts.__getitem__, last), repeat("+Inf"))):
        return False
    try:
        sum_vals = list(map(float, map(itemgetter(-1), sum_rows)))
    except ValueError:
        return False
    if any(map(math.isnan, sum_vals)) or any(map(lt, sum_vals, repeat(0.0))):
        return False
    others = (
        (list(map(other_key, count_rows)), _lines(counts)),
        (list(map(other_key, sum_rows)), _lines(sums)),
        (created_keys, _lines(parts["_c"])),
    )
    bucket_lines = _lines(buckets)
    if periodic:
        return _grouped_after_buckets(
            periodic[0], len(rows) // len(periodic[0]), bucket_lines, others
        )
    assert keys is not None
    return _grouped_in_order(((keys, bucket_lines, 1), *((k, ln, 0) for k, ln in others)))
