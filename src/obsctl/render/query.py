"""Renderers for ``query``, ``series``, ``labels`` and ``metadata``.

Text output is for people (it may change); ``json``/``ndjson``/``csv`` are the stable contract
documented in docs/query.md. Large range results are written without building one Python
object per sample where it can be avoided: each series' samples are encoded once by orjson and
spliced into the document as a ``Fragment``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import accumulate, pairwise
from typing import Any

import orjson
from rich.text import Text

from obsctl.model.metrics import (
    LabelList,
    Metadata,
    QueryAnswer,
    Series,
    SeriesList,
    WatchFrame,
)
from obsctl.model.time import format_duration
from obsctl.render import emit, renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, json_float, write_json
from obsctl.render.table import PlainTable, fit_width, truncate, write_lines

SPARK = "▁▂▃▄▅▆▇█"
MAX_LABEL_COLUMNS = 4
PLOT_HEIGHT = 12
MAX_PLOT_SERIES = 8
PLOT_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red", "bright_white", "bright_cyan")
PLOT_GLYPHS = "*+ox#@%="
_BRAILLE = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))

# ----------------------------------------------------------------------------- values


def format_number(v: float) -> str:
    """A value for people: integers whole, others with four significant digits.

    >>> [format_number(x) for x in (1441.0, 0.0666666, 123.456, 12345.6, float("nan"))]
    ['1441', '0.06667', '123.5', '12346', 'NaN']
    """
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    a = abs(v)
    if v == int(v) and a < 1e15:
        return str(int(v))
    if 1e4 <= a < 1e15:
        return f"{v:.0f}"
    return f"{v:.4g}"


def format_bytes(v: float) -> str:
    """Binary byte units: ``512 B``, ``1.50 KiB``, ``1.00 GiB``.

    >>> format_bytes(1073741824)
    '1.00 GiB'
    """
    a = abs(v)
    if a < 1024:
        return f"{format_number(v)} B"
    for i, unit in enumerate(("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"), start=1):
        x = v / 1024**i
        if abs(x) < 1024 or unit == "EiB":
            digits = 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0
            return f"{x:.{digits}f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_value(v: float, unit: str | None) -> str:
    """``v`` with human units for ``seconds``, ``bytes`` and ``bytes/s``."""
    if math.isnan(v) or math.isinf(v) or unit is None:
        return format_number(v)
    if unit == "seconds":
        return format_duration(v)
    if unit == "bytes":
        return format_bytes(v)
    if unit == "bytes/s":
        return f"{format_bytes(v)}/s"
    return format_number(v)


def format_labels(labels: Mapping[str, str], *, with_name: bool = True) -> str:
    """``name{a="b", c="d"}`` the PromQL way."""
    name = labels.get("__name__", "") if with_name else ""
    inner = ", ".join(f"{k}={_quote(v)}" for k, v in sorted(labels.items()) if k != "__name__")
    if not inner:
        return name or "{}"
    return f"{name}{{{inner}}}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def split_labels(label_sets: Sequence[Mapping[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Labels shared by every set (with the same value), and the names that vary.

    With fewer than two sets nothing is common: a single series keeps all its labels.
    """
    if len(label_sets) < 2:
        names = sorted({k for ls in label_sets for k in ls})
        return {}, _name_first(names)
    first = label_sets[0]
    common = {k: v for k, v in first.items() if all(ls.get(k, None) == v for ls in label_sets[1:])}
    varying = sorted({k for ls in label_sets for k in ls} - common.keys())
    return common, _name_first(varying)


def _name_first(names: list[str]) -> list[str]:
    if "__name__" in names:
        names.remove("__name__")
        names.insert(0, "__name__")
    return names


def _header_line(common: Mapping[str, str]) -> str | None:
    if not common:
        return None
    return format_labels(common)


def _label_columns(
    label_sets: Sequence[Mapping[str, str]],
) -> tuple[str | None, list[str], list[list[str]]]:
    """Header line, column titles and per-row label cells for ``label_sets``.

    A single series gets its whole label set as the header line and no label columns.
    """
    if len(label_sets) == 1:
        return (format_labels(label_sets[0]) if label_sets[0] else None), [], [[]]
    common, varying = split_labels(label_sets)
    if len(varying) <= MAX_LABEL_COLUMNS:
        titles = ["NAME" if k == "__name__" else k for k in varying]
        cells = [[ls.get(k, "") for k in varying] for ls in label_sets]
        return _header_line(common), titles, cells
    cells = [[format_labels({k: v for k, v in ls.items() if k in varying})] for ls in label_sets]
    return _header_line(common), ["SERIES"], cells


def render_instant_lines(answer: QueryAnswer, width: int | None) -> list[str]:
    """Text lines for an instant vector, scalar or string (header lines first); ``width``
    ``None`` never shortens a label."""
    res = answer.result
    if res.result_type == "string":
        return [res.string_value or ""]
    if res.result_type == "scalar":
        return [format_value(res.series[0].values[0], answer.unit)]
    header, titles, cells = _label_columns([s.labels for s in res.series])
    table = PlainTable(
        [*titles, "VALUE"], [False] * len(titles) + [True], [True] * len(titles) + [False]
    )
    rows = sorted(zip(res.series, cells, strict=True), key=lambda sr: natural_key(sr[0].labels))
    for s, row in rows:
        table.add([*row, format_value(s.values[0] if s.values else math.nan, answer.unit)])
    lines = table.lines(width)
    return [header, *lines] if header else lines


def natural_key(labels: Mapping[str, str]) -> tuple[tuple[str, int, float, str], ...]:
    """Sort key of a label set where numeric values (``le``, ``quantile``) sort as numbers.

    >>> sorted(["10", "2.5", "+Inf", "0.1"], key=lambda v: natural_key({"le": v}))
    ['0.1', '2.5', '10', '+Inf']
    """
    key = []
    for name in sorted(labels):
        value = labels[name]
        try:
            number = float(value)
        except ValueError:
            key.append((name, 1, 0.0, value))
        else:
            key.append((name, 0, number, value))
    return tuple(key)


def series_stats(s: Series) -> tuple[float, float, float, float]:
    """(min, avg, max, last) over the finite values of ``s``; NaN when it has none."""
    values = s.values
    if not values:
        return (math.nan,) * 4
    total = sum(values)  # C loop; NaN (or Inf - Inf) here means the slow path is needed
    if math.isnan(total) or math.isinf(total):
        finite = [v for v in values if math.isfinite(v)]
        if not finite:
            return (math.nan, math.nan, math.nan, values[-1])
        return min(finite), math.fsum(finite) / len(finite), max(finite), values[-1]
    return min(values), total / len(values), max(values), values[-1]


def sparkline(values: Sequence[float], width: int, lo: float, hi: float) -> str:
    """``values`` squeezed into ``width`` block characters (bin means) scaled to ``[lo, hi]``."""
    n = len(values)
    if n == 0 or width <= 0:
        return ""
    width = min(width, n)
    top = len(SPARK) - 1
    scale = top / (hi - lo) if hi > lo else 0.0
    bounds = [i * n // width for i in range(width + 1)]
    if math.isfinite(sum(values)):
        # Prefix sums (one C loop) make every bin mean two lookups.
        prefix = [0.0, *accumulate(values)]
        means = [(prefix[b] - prefix[a]) / (b - a) for a, b in pairwise(bounds)]
    else:
        means = []
        for a, b in pairwise(bounds):
            finite = [v for v in values[a:b] if math.isfinite(v)]
            means.append(math.fsum(finite) / len(finite) if finite else math.nan)
    return "".join(
        " " if math.isnan(m) else SPARK[min(top, max(0, round((m - lo) * scale)))] for m in means
    )


def _last_key(item: tuple[Series, tuple[float, float, float, float]]) -> tuple[int, float]:
    last = item[1][3]
    return (1, 0.0) if math.isnan(last) else (0, -last)


def render_range_lines(answer: QueryAnswer, width: int | None) -> list[str]:
    """One line per series: labels, MIN, AVG, MAX, LAST and a sparkline; sorted by last;
    ``width`` ``None`` never shortens a label."""
    res = answer.result
    rows = sorted(((s, series_stats(s)) for s in res.series), key=_last_key)
    header, titles, cells = _label_columns([s.labels for s, _ in rows])
    unit = answer.unit
    table = PlainTable(
        [*titles, "MIN", "AVG", "MAX", "LAST"],
        [False] * len(titles) + [True] * 4,
        [True] * len(titles) + [False] * 4,
    )
    for (_, st), label_cells in zip(rows, cells, strict=True):
        table.add([*label_cells, *(format_value(x, unit) for x in st)])
    # The sparkline takes the room the other columns leave (labels shrink first).
    used = sum(min(w, 24) for w in table.natural_widths()) + 2 * len(table.headers)
    spark_width = 40 if width is None else max(8, min(40, width - used))
    table.headers.append("TREND")
    table.right.append(False)
    table.shrink.append(False)
    for (s, st), row in zip(rows, table.rows, strict=True):
        row.append(sparkline(s.values, spark_width, st[0], st[2]))
    lines = table.lines(width)
    return [header, *lines] if header else lines


# ----------------------------------------------------------------------------- plot


def _local(t: float, fmt: str) -> str:
    return datetime.fromtimestamp(t).astimezone().strftime(fmt)


def _time_format(span: float) -> str:
    if span >= 2 * 86400:
        return "%m-%d %H:%M"
    if span <= 180:
        return "%H:%M:%S"
    return "%H:%M"


def _line(x0: int, y0: int, x1: int, y1: int) -> Iterable[tuple[int, int]]:
    """Pixels of a segment (Bresenham)."""
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        yield x0, y0
        if x0 == x1 and y0 == y1:
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


_UNIT_SUFFIX = {"seconds": "s", "bytes": "B", "bytes/s": "B/s"}


def axis_labels(ticks: Sequence[float], unit: str | None) -> list[str]:
    """Human tick labels, with as many digits as it takes to tell them apart.

    >>> axis_labels([1.0, 0.9999, 0.9998], "seconds")
    ['1s', '0.9999s', '0.9998s']
    """
    labels = [format_value(v, unit) for v in ticks]
    if len(set(labels)) == len(labels):
        return labels
    suffix = _UNIT_SUFFIX.get(unit or "", "")
    for digits in range(4, 16):
        labels = [f"{v:.{digits}g}{suffix}" for v in ticks]
        if len(set(labels)) == len(labels):
            break
    return labels


def render_plot(answer: QueryAnswer, width: int, *, color: bool) -> list[Text]:
    """A line chart: y axis with units, local-time x axis, legend; fits ``width`` columns.

    On a colour terminal each series is a braille line in its own colour; without colour each
    series gets its own glyph (``* + o x …``) at character resolution.
    """
    res = answer.result
    ranked = sorted(((s, series_stats(s)) for s in res.series), key=_last_key)
    drawn = [s for s, _ in ranked[:MAX_PLOT_SERIES]]
    finite = [st for _, st in ranked[:MAX_PLOT_SERIES] if not math.isnan(st[0])]
    if not drawn or not finite:
        return [Text("no data points to plot")]
    lo = min(st[0] for st in finite)
    hi = max(st[2] for st in finite)
    flat: float | None = None
    if hi - lo <= max(abs(hi), abs(lo)) * 1e-9:
        # Flat, or flat up to float noise (1e-15 of rate() on a constant): a cliff drawn
        # from rounding errors would be a lie; one line on the middle tick instead.
        flat = (hi + lo) / 2
        pad = abs(flat) * 0.1 or 1.0
        lo, hi = flat - pad, flat + pad
    t0 = answer.start if answer.start is not None else min(s.timestamps[0] for s in drawn)
    t1 = answer.end if answer.end is not None else max(s.timestamps[-1] for s in drawn)
    if t1 <= t0:
        t1 = t0 + 1
    ticks = [hi, (hi + lo) / 2, lo]
    tick_text = axis_labels(ticks, answer.unit)
    ylw = max(len(t) for t in tick_text)
    cols = max(10, width - ylw - 2)
    rows = PLOT_HEIGHT
    xres, yres = (2, 4) if color else (1, 1)
    px_w, px_h = cols * xres, rows * yres
    # cells[row][col] = (braille bits, series index)
    mid_px = (rows // 2) * yres + yres // 2
    bits = [[0] * cols for _ in range(rows)]
    owner = [[-1] * cols for _ in range(rows)]
    for idx, s in enumerate(drawn):
        prev: tuple[int, int] | None = None
        for t, v in s.samples:
            if not math.isfinite(v):
                prev = None
                continue
            x = round((t - t0) / (t1 - t0) * (px_w - 1))
            y = round((hi - v) / (hi - lo) * (px_h - 1)) if flat is None else mid_px
            x, y = min(max(x, 0), px_w - 1), min(max(y, 0), px_h - 1)
            points = _line(prev[0], prev[1], x, y) if prev else [(x, y)]
            for px, py in points:
                r, c = py // yres, px // xres
                bits[r][c] |= _BRAILLE[py % yres][px % xres] if color else 1
                owner[r][c] = idx
            prev = (x, y)
    lines: list[Text] = []
    tick_rows = {0: tick_text[0], rows // 2: tick_text[1], rows - 1: tick_text[2]}
    for r in range(rows):
        line = Text(tick_rows.get(r, "").rjust(ylw) + (" ┤" if r in tick_rows else " │"))
        for c in range(cols):
            if owner[r][c] < 0:
                line.append(" ")
            elif color:
                line.append(chr(0x2800 + bits[r][c]), PLOT_COLORS[owner[r][c]])
            else:
                line.append(PLOT_GLYPHS[owner[r][c]])
        line.rstrip()
        lines.append(line)
    lines.append(Text(" " * ylw + " └" + "─" * cols))
    fmt = _time_format(t1 - t0)
    tz = datetime.fromtimestamp(t1).astimezone().strftime("%Z")
    left, mid = _local(t0, fmt), _local((t0 + t1) / 2, fmt)
    right = f"{_local(t1, fmt)} {tz}".rstrip()
    start_col = ylw + 2
    axis = [" "] * (cols + start_col)
    mid_col = start_col + cols // 2 - len(mid) // 2
    right_col = len(axis) - len(right)
    labels = [(left, start_col), (right, right_col)]
    if start_col + len(left) < mid_col and mid_col + len(mid) < right_col:
        labels.append((mid, mid_col))
    for text, col in labels:
        axis[col : col + len(text)] = list(text)
    lines.append(Text("".join(axis).rstrip()))
    _, varying = split_labels([s.labels for s in drawn])
    for idx, s in enumerate(drawn):
        label = format_labels({k: v for k, v in s.labels.items() if k in varying} or s.labels)
        if label == "{}":
            label = answer.expr
        marker = "━━" if color else PLOT_GLYPHS[idx] * 2
        last = format_value(s.last, answer.unit)
        entry = Text(" " * (ylw + 2))
        entry.append(marker, PLOT_COLORS[idx] if color else "")
        entry.append(f" {truncate(label, width - ylw - 6 - len(last) - 8)}  last {last}")
        lines.append(entry)
    if len(ranked) > len(drawn):
        lines.append(
            Text(
                " "
                * (ylw + 2)
                + f"… {len(ranked) - len(drawn)} more series not drawn (top {len(drawn)} by "
                "last value)",
                style="dim",
            )
        )
    return lines


# ----------------------------------------------------------------------------- text


@renderer(QueryAnswer, "text")
def render_query_text(answer: QueryAnswer, consoles: Consoles) -> None:
    """Table, summary or chart, depending on the result."""
    width = consoles.out.width
    res = answer.result
    if res.is_empty:
        consoles.note("no data: the query matched no series")
        return
    if answer.plot and res.result_type == "matrix":
        color = not (consoles.out.no_color or consoles.out.color_system is None)
        for line in render_plot(answer, width, color=color):
            consoles.out.print(line, soft_wrap=True)
        return
    if res.result_type == "matrix":
        lines = render_range_lines(answer, fit_width(consoles))
    else:
        lines = render_instant_lines(answer, fit_width(consoles))
    header = len(lines) - len(res.series) if res.result_type in ("vector", "matrix") else 0
    write_lines(consoles, lines, header=header)


# ----------------------------------------------------------------------------- machine formats


def _timestamp(t: float) -> float | int:
    t = float(t)
    return int(t) if t.is_integer() else t


def samples_json(s: Series) -> bytes:
    """``[[unix_seconds, value], …]`` for one series (NaN/±Inf as strings, whole seconds as
    integers), encoded once by orjson."""
    if s.wire is not None:
        return s.wire
    pairs: Iterable[tuple[float, Any]]
    if all(map(math.isfinite, s.values)):
        pairs = zip(s.timestamps.tolist(), s.values.tolist(), strict=True)
    else:
        pairs = zip(s.timestamps.tolist(), map(json_float, s.values), strict=True)
    # orjson writes float timestamps as 1795571910.0; only timestamps are followed by ",".
    return orjson.dumps(list(pairs)).replace(b".0,", b",")


def _series_docs(answer: QueryAnswer) -> list[dict[str, Any]]:
    res = answer.result
    if res.result_type == "string":
        pair = [_timestamp(res.string_time or 0.0), res.string_value]
        return [{"labels": {}, "samples": orjson.Fragment(orjson.dumps([pair]))}]
    return [
        {"labels": dict(s.labels), "samples": orjson.Fragment(samples_json(s))} for s in res.series
    ]


def query_document(answer: QueryAnswer) -> dict[str, Any]:
    """The ``-o json`` document (schema in docs/query.md)."""
    res = answer.result
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "query": answer.expr,
        "result_type": res.result_type,
    }
    if answer.is_range:
        doc["start"] = _timestamp(answer.start or 0.0)
        doc["end"] = _timestamp(answer.end or 0.0)
        doc["step"] = _timestamp(answer.step or 0.0)
    elif answer.time is not None:
        doc["time"] = _timestamp(answer.time)
    doc["series"] = _series_docs(answer)
    doc["warnings"] = list(res.warnings)
    doc["infos"] = list(res.infos)
    return doc


@renderer(QueryAnswer, "json")
def render_query_json(answer: QueryAnswer, consoles: Consoles) -> None:
    """One JSON document."""
    write_json(query_document(answer), consoles)


@renderer(QueryAnswer, "ndjson")
def render_query_ndjson(answer: QueryAnswer, consoles: Consoles) -> None:
    """One ``{"labels", "samples"}`` object per line."""
    _write_bytes(consoles, b"".join(orjson.dumps(d) + b"\n" for d in _series_docs(answer)))


def _csv_value(v: float) -> str:
    if math.isfinite(v):
        return repr(v) if not v.is_integer() else str(int(v))
    return format_number(v)


@renderer(QueryAnswer, "csv")
def render_query_csv(answer: QueryAnswer, consoles: Consoles) -> None:
    """Long format: one row per sample, a column per label name, then timestamp and value."""
    res = answer.result
    names = _name_first(sorted({k for s in res.series for k in s.labels}))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*names, "timestamp", "value"])
    if res.result_type == "string":
        writer.writerow([*names, _timestamp(res.string_time or 0.0), res.string_value])
    for s in res.series:
        prefix = [s.labels.get(k, "") for k in names]
        writer.writerows([*prefix, _timestamp(t), _csv_value(v)] for t, v in s.samples)
    stream = consoles.out.file
    stream.write(buf.getvalue())
    stream.flush()


@renderer(QueryAnswer, "raw")
def render_query_raw(answer: QueryAnswer, consoles: Consoles) -> None:
    """The server's body, byte for byte."""
    _write_bytes(consoles, answer.raw or b"")


def _write_bytes(consoles: Consoles, data: bytes) -> None:
    stream = consoles.out.file
    buffer = getattr(stream, "buffer", None)
    stream.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8", "replace"))
        stream.flush()


# ----------------------------------------------------------------------------- series/labels


@renderer(SeriesList, "text")
def render_series_text(result: SeriesList, consoles: Consoles) -> None:
    """One ``name{labels}`` per line."""
    if not result.series:
        consoles.note("no series matched")
        return
    write_lines(consoles, [format_labels(ls) for ls in result.series])


@renderer(SeriesList, "json")
def render_series_json(result: SeriesList, consoles: Consoles) -> None:
    """``{"schema_version", "series": [{labels…}], "warnings"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "series": [dict(ls) for ls in result.series],
            "warnings": list(result.warnings),
        },
        consoles,
    )


@renderer(LabelList, "text")
def render_labels_text(result: LabelList, consoles: Consoles) -> None:
    """One name (or value) per line."""
    if not result.values:
        consoles.note("no labels" if result.label is None else f"no values for {result.label}")
        return
    write_lines(consoles, list(result.values))


@renderer(LabelList, "json")
def render_labels_json(result: LabelList, consoles: Consoles) -> None:
    """``{"schema_version", "label", "values", "warnings"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "label": result.label,
            "values": list(result.values),
            "warnings": list(result.warnings),
        },
        consoles,
    )


@renderer(Metadata, "text")
def render_metadata_text(result: Metadata, consoles: Consoles) -> None:
    """A table: metric, type, unit, help."""
    if not result.entries:
        if result.metric:
            consoles.note(
                f"no metadata for {result.metric}: no scraped target exposes it with "
                "TYPE/HELP (a recording rule's output, a typo, or not scraped yet)"
            )
        else:
            consoles.note("no metadata (the server has scraped no metric with metadata)")
        return
    table = PlainTable(["METRIC", "TYPE", "UNIT", "HELP"], [False] * 4, [True, False, False, True])
    for e in result.entries:
        table.add([e.metric, e.type, e.unit, e.help])
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


@renderer(Metadata, "json")
def render_metadata_json(result: Metadata, consoles: Consoles) -> None:
    """``{"schema_version", "metadata": [{metric, type, help, unit}]}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "metadata": [
                {"metric": e.metric, "type": e.type, "help": e.help, "unit": e.unit}
                for e in result.entries
            ],
            "warnings": list(result.warnings),
        },
        consoles,
    )


# ----------------------------------------------------------------------------- diagnostics


def render_annotations(consoles: Consoles, warnings: Sequence[str], infos: Sequence[str]) -> None:
    """Server warnings and info annotations, one ``obsctl: warning|note: …`` line each, on
    stderr (server messages stay on one line: no wrapping, no markup)."""
    for kind, style, messages in (("warning", "yellow", warnings), ("note", "dim", infos)):
        for message in messages:
            consoles.err.print(Text.assemble((f"obsctl: {kind}: ", style), message), soft_wrap=True)


def render_watch_frame(frame: WatchFrame, fmt: str, consoles: Consoles) -> None:
    """One ``--watch`` redraw: clear the terminal (not a pipe), the header line on stderr,
    then the answer in ``fmt`` or the run's error."""
    from obsctl.model.time import format_prom_duration

    out = consoles.out
    if out.is_terminal:
        out.file.write("\x1b[H\x1b[2J")  # home + clear: redraw in place
    every = format_prom_duration(timedelta(seconds=frame.interval_s))
    consoles.err.print(
        f"every {every}: {frame.expr}   {frame.at}   (Ctrl-C to stop)",
        markup=False,
        soft_wrap=True,
    )
    if frame.error is not None:
        consoles.error(frame.error, frame.hint)
    elif frame.answer is not None:
        render_annotations(consoles, frame.answer.result.warnings, frame.answer.result.infos)
        emit(frame.answer, fmt, consoles)
