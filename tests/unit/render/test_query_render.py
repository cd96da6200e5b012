"""Renderers of query results: tables, summaries, chart, json/ndjson/csv."""

from __future__ import annotations

import io
import json
import math
import os
from array import array

import pytest

from obsctl.model.metrics import (
    LabelList,
    Metadata,
    MetricMetadata,
    QueryAnswer,
    QueryResult,
    Series,
    SeriesList,
)
from obsctl.render import emit
from obsctl.render import query as rq
from obsctl.render.console import Consoles, make_console
from obsctl.render.table import PlainTable


def consoles(width: int = 80, color: bool = False) -> tuple[Consoles, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return (
        Consoles(
            make_console(out, color=color, width=width), make_console(err, color=False, width=width)
        ),
        out,
        err,
    )


def series(labels: dict[str, str], ts: list[float], vs: list[float]) -> Series:
    return Series(labels, array("d", ts), array("d", vs))


VECTOR = QueryResult(
    "vector",
    [
        series(
            {"__name__": "demo_requests_total", "job": "api", "code": "200", "instance": "api-1"},
            [100],
            [7200],
        ),
        series(
            {"__name__": "demo_requests_total", "job": "api", "code": "200", "instance": "api-2"},
            [100],
            [14400],
        ),
        series(
            {"__name__": "demo_requests_total", "job": "api", "code": "500", "instance": "api-1"},
            [100],
            [720.5],
        ),
    ],
)
MATRIX = QueryResult(
    "matrix",
    [
        series({"job": "api", "instance": "a"}, [0, 30, 60, 90], [1, 2, 3, 4]),
        series({"job": "api", "instance": "b"}, [0, 30, 60, 90], [8, 6, math.nan, 5]),
        series({"job": "api", "instance": "c"}, [0, 30, 60, 90], [0.5, 0.5, 0.5, 0.5]),
    ],
)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1441.0, None, "1441"),
        (0.06666666, None, "0.06667"),
        (123.456, None, "123.5"),
        (1e-7, None, "1e-07"),
        (-0.0, None, "0"),
        (math.inf, "seconds", "+Inf"),
        (-math.inf, None, "-Inf"),
        (math.nan, "bytes", "NaN"),
        (0.45, "seconds", "450ms"),
        (2.5, "seconds", "2.5s"),
        (65, "seconds", "1m05s"),
        (1073741824, "bytes", "1.00 GiB"),
        (1536, "bytes", "1.50 KiB"),
        (512, "bytes", "512 B"),
        (1572864, "bytes/s", "1.50 MiB/s"),
    ],
)
def test_format_value(value: float, unit: str | None, text: str) -> None:
    assert rq.format_value(value, unit) == text


def test_split_labels_lifts_common() -> None:
    common, varying = rq.split_labels([s.labels for s in VECTOR.series])
    assert common == {"__name__": "demo_requests_total", "job": "api"}
    assert varying == ["code", "instance"]
    assert rq.split_labels([{"a": "1", "__name__": "x"}]) == ({}, ["__name__", "a"])


def test_instant_table() -> None:
    cons, out, _ = consoles()
    emit(QueryAnswer("demo_requests_total", VECTOR, time=100), "text", cons)
    assert out.getvalue().splitlines() == [
        'demo_requests_total{job="api"}',
        "code  instance  VALUE",
        "200   api-1      7200",
        "200   api-2     14400",
        "500   api-1     720.5",
    ]


def test_instant_table_with_units_and_many_labels() -> None:
    labels = {f"l{i}": f"v{i}" for i in range(6)}
    res = QueryResult(
        "vector",
        [
            series(
                {**labels, "l0": "x", "l1": "y", "l2": "z", "l3": "q", "l4": "r"}, [1], [1073741824]
            ),
            series(labels, [1], [512]),
        ],
    )
    lines = rq.render_instant_lines(QueryAnswer("m_bytes", res, unit="bytes"), 80)
    assert lines == [
        '{l5="v5"}',
        "SERIES                                            VALUE",
        '{l0="v0", l1="v1", l2="v2", l3="v3", l4="v4"}     512 B',
        '{l0="x", l1="y", l2="z", l3="q", l4="r"}       1.00 GiB',
    ]


def test_instant_rows_sort_bucket_bounds_as_numbers() -> None:
    bounds = ["10", "+Inf", "0.25", "2.5", "1"]
    res = QueryResult("vector", [series({"le": le, "job": "api"}, [1], [1]) for le in bounds])
    lines = rq.render_instant_lines(QueryAnswer("m", res), 80)
    assert [line.split()[0] for line in lines[2:]] == ["0.25", "1", "2.5", "10", "+Inf"]


def test_long_labels_are_shortened_to_width() -> None:
    res = QueryResult(
        "vector", [series({"path": "/" + "x" * 200}, [1], [1]), series({"path": "/y"}, [1], [2])]
    )
    lines = rq.render_instant_lines(QueryAnswer("m", res), 40)
    assert max(len(line) for line in lines) <= 40
    assert lines[1].startswith("/xxxx") and "…" in lines[1]


def test_scalar_and_string_text() -> None:
    cons, out, _ = consoles()
    emit(
        QueryAnswer("1", QueryResult("scalar", [series({}, [5], [0.25])]), unit="seconds"),
        "text",
        cons,
    )
    emit(QueryAnswer('"hi"', QueryResult("string", string_value="hi", string_time=5)), "text", cons)
    assert out.getvalue() == "250ms\nhi\n"


def test_empty_result_is_a_note() -> None:
    cons, out, err = consoles()
    emit(QueryAnswer("nothing", QueryResult("vector")), "text", cons)
    assert out.getvalue() == ""
    assert err.getvalue() == "obsctl: note: no data: the query matched no series\n"


def test_range_summary_sorted_by_last_with_sparklines() -> None:
    cons, out, _ = consoles()
    emit(QueryAnswer("x", MATRIX, start=0, end=90, step=30), "text", cons)
    assert out.getvalue().splitlines() == [
        '{job="api"}',
        "instance  MIN    AVG  MAX  LAST  TREND",
        "b           5  6.333    8     5  █▃ ▁",
        "a           1    2.5    4     4  ▁▃▆█",
        "c         0.5    0.5  0.5   0.5  ▁▁▁▁",
    ]


def test_sparkline_buckets_long_series() -> None:
    values = array("d", range(100))
    assert rq.sparkline(values, 8, 0, 99) == "▁▂▃▄▅▆▇█"


def test_series_stats_skip_nan_and_inf() -> None:
    s = series({}, [1, 2, 3, 4], [1, math.nan, math.inf, 3])
    assert rq.series_stats(s) == (1, 2, 3, 3)
    assert all(math.isnan(x) for x in rq.series_stats(series({}, [], [])))


def test_plot_fits_80_columns_with_axes_and_legend() -> None:
    os.environ["TZ"] = "UTC"
    import time

    time.tzset()
    t = [1795600800 + 60 * i for i in range(61)]
    res = QueryResult(
        "matrix",
        [
            series({"job": "a"}, t, [0.1 * (i % 10) for i in range(61)]),
            series({"job": "b"}, t, [0.5] * 61),
        ],
    )
    answer = QueryAnswer(
        "x_seconds", res, start=t[0], end=t[-1], step=60, unit="seconds", plot=True
    )
    cons, out, _ = consoles(width=80)
    emit(answer, "text", cons)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("900ms ┤")
    assert lines[6].startswith("450ms ┤")
    assert lines[11].startswith("   0s ┤")
    assert lines[12].startswith("      └──")
    assert lines[13].split() == ["10:00", "10:30", "11:00", "UTC"]
    assert lines[14].strip() == '** {job="b"}  last 500ms'
    assert lines[15].strip() == '++ {job="a"}  last 0s'
    assert lines[11][7] == "+"  # series a starts at 0
    assert lines[5].count("*") > 50  # series b: a flat line at 500ms


def test_plot_in_colour_uses_braille() -> None:
    res = QueryResult("matrix", [series({}, [0, 1, 2], [1, 2, 3])])
    lines = rq.render_plot(QueryAnswer("x", res, start=0, end=2, step=1), 60, color=True)
    assert any("⠀" < ch <= "⣿" for line in lines for ch in line.plain)
    assert max(len(line.plain) for line in lines) <= 60


def test_json_document() -> None:
    res = QueryResult(
        "matrix",
        [series({"a": "1"}, [10, 20.5], [1.5, math.nan]), series({"a": "2"}, [10], [math.inf])],
        warnings=["careful"],
    )
    cons, out, _ = consoles()
    emit(QueryAnswer("x", res, start=10, end=20.5, step=10.5), "json", cons)
    assert json.loads(out.getvalue()) == {
        "schema_version": 1,
        "query": "x",
        "result_type": "matrix",
        "start": 10,
        "end": 20.5,
        "step": 10.5,
        "series": [
            {"labels": {"a": "1"}, "samples": [[10, 1.5], [20.5, "NaN"]]},
            {"labels": {"a": "2"}, "samples": [[10, "+Inf"]]},
        ],
        "warnings": ["careful"],
        "infos": [],
    }
    assert '"samples": [[10,1.5],[20.5,"NaN"]]' in out.getvalue()


def test_json_instant_and_string() -> None:
    cons, out, _ = consoles()
    emit(QueryAnswer("demo", VECTOR, time=100), "json", cons)
    doc = json.loads(out.getvalue())
    assert doc["result_type"] == "vector"
    assert doc["time"] == 100
    assert [s["samples"] for s in doc["series"]] == [
        [[100, 7200.0]],
        [[100, 14400.0]],
        [[100, 720.5]],
    ]
    cons, out, _ = consoles()
    emit(
        QueryAnswer('"hi"', QueryResult("string", string_value="hi", string_time=5.5), time=5.5),
        "json",
        cons,
    )
    assert json.loads(out.getvalue())["series"] == [{"labels": {}, "samples": [[5.5, "hi"]]}]


def test_ndjson_one_series_per_line() -> None:
    cons, out, _ = consoles()
    emit(QueryAnswer("x", MATRIX, start=0, end=90, step=30), "ndjson", cons)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1]) == {
        "labels": {"job": "api", "instance": "b"},
        "samples": [[0, 8.0], [30, 6.0], [60, "NaN"], [90, 5.0]],
    }


def test_csv_long_format() -> None:
    cons, out, _ = consoles()
    res = QueryResult(
        "matrix",
        [
            series({"__name__": "m", "a": "x,y"}, [0, 1.5], [1, 0.25]),
            series({"b": "2"}, [0], [math.inf]),
        ],
    )
    emit(QueryAnswer("m", res, start=0, end=1.5, step=1.5), "csv", cons)
    assert out.getvalue().splitlines() == [
        "__name__,a,b,timestamp,value",
        'm,"x,y",,0,1',
        'm,"x,y",,1.5,0.25',
        ",,2,0,+Inf",
    ]


def test_raw_is_unchanged() -> None:
    cons, out, _ = consoles()
    emit(QueryAnswer("x", QueryResult("vector"), raw=b'{"status":"success"}'), "raw", cons)
    assert out.getvalue() == '{"status":"success"}'


def test_series_labels_metadata_renderers() -> None:
    cons, out, _ = consoles()
    emit(SeriesList([{"__name__": "up", "job": "a", "instance": 'x"y'}]), "text", cons)
    emit(LabelList(["job", "instance"]), "text", cons)
    emit(
        Metadata([MetricMetadata("demo_memory_bytes", "gauge", "Resident memory.", "bytes")]),
        "text",
        cons,
    )
    assert out.getvalue().splitlines() == [
        'up{instance="x\\"y", job="a"}',
        "job",
        "instance",
        "METRIC             TYPE   UNIT   HELP",
        "demo_memory_bytes  gauge  bytes  Resident memory.",
    ]
    cons, out, _ = consoles()
    emit(LabelList(["api"], label="job"), "json", cons)
    assert json.loads(out.getvalue()) == {
        "schema_version": 1,
        "label": "job",
        "values": ["api"],
        "warnings": [],
    }


def test_single_series_labels_go_to_the_header() -> None:
    res = QueryResult(
        "matrix", [series({"__name__": "m_bytes", "instance": "a:9090"}, [0, 60], [1024, 2048])]
    )
    lines = rq.render_range_lines(QueryAnswer("m_bytes", res, unit="bytes"), 60)
    assert lines[0] == 'm_bytes{instance="a:9090"}'
    assert lines[1].split() == ["MIN", "AVG", "MAX", "LAST", "TREND"]
    assert lines[2].split()[:8] == ["1.00", "KiB", "1.50", "KiB", "2.00", "KiB", "2.00", "KiB"]
    assert lines[2].endswith("▁█")
    unlabelled = QueryResult("vector", [series({}, [0], [0.25])])
    assert rq.render_instant_lines(QueryAnswer("x", unlabelled), 60) == ["VALUE", " 0.25"]


def test_shrinking_balances_long_columns() -> None:
    table = PlainTable(["A", "B"], [False, False], [True, True])
    table.add(["a" * 60, "b" * 40])
    line = table.lines(62)[1]
    assert len(line) == 62
    a, b = line.split("  ")
    assert len(a) == len(b) == 30 and a.endswith("…") and b.endswith("…")


def test_wire_samples_equal_reencoded_samples() -> None:
    from obsctl.parsers.prom_api import parse_query_response
    from tests.conftest import FIXTURES

    for name in ("matrix", "matrix_special"):
        res = parse_query_response(
            (FIXTURES / "prometheus" / "v2.42" / f"{name}.json").read_bytes()
        )
        for s in res.series:
            plain = Series(s.labels, s.timestamps, s.values)
            assert plain.wire is None
            assert json.loads(rq.samples_json(s)) == json.loads(rq.samples_json(plain))
        assert [s.wire is not None for s in res.series] == (
            [True, True] if name == "matrix" else [False, False, True, True]
        )


def test_axis_labels_stay_distinct_when_units_round_them_together():
    from obsctl.render.query import axis_labels

    assert axis_labels([1.0, 0.9999, 0.9998], "seconds") == ["1s", "0.9999s", "0.9998s"]
    assert axis_labels([2.0, 1.0, 0.0], None) == ["2", "1", "0"]
    assert axis_labels([1.5, 1.0, 0.5], "seconds") == ["1.5s", "1s", "500ms"]


def test_no_width_never_shortens_a_cell() -> None:
    table = PlainTable(["POD", "VALUE"], [False, True], [True, False])
    table.add(["checkout-7d9f8c6b5-abcde-" + "x" * 80, "1"])
    lines = table.lines(None)
    assert lines[1] == "checkout-7d9f8c6b5-abcde-" + "x" * 80 + "      1"
    assert "…" not in "".join(lines)


def test_plot_of_a_constant_with_float_noise_is_a_flat_line() -> None:
    noise = [1.0, 1.0 + 1e-15, 1.0 - 1e-15, 1.0, 1.0 + 2e-15]
    res = QueryResult("matrix", [series({}, [0, 1, 2, 3, 4], noise)])
    answer = QueryAnswer("rate(x[5m])", res, start=0, end=4, step=1, unit="seconds")
    lines = [line.plain for line in rq.render_plot(answer, 60, color=False)]
    ticks = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    assert ticks == ["1.1s", "1s", "900ms"]
    # Every point on the middle row: no cliff drawn from rounding errors.
    drawn_rows = [i for i, line in enumerate(lines[: rq.PLOT_HEIGHT]) if "*" in line]
    assert drawn_rows == [rq.PLOT_HEIGHT // 2]
    assert lines[-1].strip().startswith("** rate(x[5m])  last 1s")
