"""Prometheus API envelopes and result types → model.metrics."""

from __future__ import annotations

import math

import orjson
import pytest

from obsctl.errors import BackendError, ParseError
from obsctl.exit_codes import ExitCode
from obsctl.parsers import prom_api
from obsctl.parsers.prom_api import parse_query_response
from tests.conftest import FIXTURES

PROM = FIXTURES / "prometheus" / "v2.42"


def load(name: str) -> bytes:
    return (PROM / f"{name}.json").read_bytes()


def test_vector_fixture() -> None:
    res = parse_query_response(load("vector"))
    assert res.result_type == "vector"
    assert [dict(s.labels) for s in res.series] == [
        {"__name__": "bench_requests_total", "instance": "host-0000", "job": "bench"},
        {"__name__": "bench_requests_total", "instance": "host-0001", "job": "bench"},
    ]
    assert [list(s.samples) for s in res.series] == [
        [(1795593480.0, 1441.0)],
        [(1795593480.0, 2882.0)],
    ]


@pytest.mark.parametrize("decoded", [False, True], ids=["fast-bytes", "decoded-doc"])
def test_matrix_fixture_both_paths(decoded: bool) -> None:
    body = load("matrix")
    res = parse_query_response(orjson.loads(body) if decoded else body)
    assert res.result_type == "matrix"
    assert res.sample_count == 6
    first, second = res.series
    assert list(first.timestamps) == [1795593360.0, 1795593420.0, 1795593480.0]
    assert list(first.values) == [0.06666666666666667] * 3
    assert list(second.values) == [0.13333333333333333] * 3
    assert second.labels == {"instance": "host-0001", "job": "bench"}


def test_matrix_special_values() -> None:
    res = parse_query_response(load("matrix_special"))
    inf_series, nan_series, finite, _ = res.series
    assert list(inf_series.values[:2]) == [-719.5, -1440.0]
    assert math.isinf(inf_series.values[2]) and inf_series.values[2] > 0
    assert math.isnan(nan_series.values[2])
    assert nan_series.labels["k"] == "nan"
    assert list(finite.values) == [2.0027835768963116, 2.001389854065323, 2.0]


def test_fast_and_general_paths_agree_on_tricky_labels() -> None:
    doc = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {"metric": {"a": 'x}],[{"y', "b": '\\"q'}, "values": [[1.5, "-Inf"], [2, "3"]]},
                {"metric": {}, "values": []},
                {"metric": {"c": "1"}, "values": [[1700000000.123, "1e-7"]]},
            ],
        },
        "warnings": ["w1"],
        "infos": ["i1"],
    }
    body = orjson.dumps(doc)
    fast = prom_api._parse_matrix_fast(body)
    assert fast is not None
    slow = parse_query_response(doc)
    assert [(dict(s.labels), list(s.timestamps), list(s.values)) for s in fast.series] == [
        (dict(s.labels), list(s.timestamps), list(s.values)) for s in slow.series
    ]
    assert fast.series[0].labels == {"a": 'x}],[{"y', "b": '\\"q'}
    assert fast.series[0].values[0] == -math.inf
    assert fast.series[2].timestamps[0] == 1700000000.123
    assert fast.warnings == ["w1"] and fast.infos == ["i1"]


def test_fast_path_declines_other_layouts() -> None:
    pretty = orjson.dumps(orjson.loads(load("matrix")), option=orjson.OPT_INDENT_2)
    assert prom_api._parse_matrix_fast(pretty) is None
    res = parse_query_response(pretty)
    assert res.sample_count == 6


def test_scalar_and_string() -> None:
    scalar = parse_query_response(load("scalar"))
    assert scalar.result_type == "scalar"
    assert list(scalar.series[0].samples) == [(1795593480.0, 4323.0)]
    string = parse_query_response(load("string"))
    assert string.result_type == "string"
    assert string.string_value == "hello"
    assert string.string_time == 1795593480.0


def test_error_envelope_is_backend_error_with_hint() -> None:
    with pytest.raises(BackendError) as info:
        parse_query_response(load("error_bad_data"))
    err = info.value
    assert err.error_type == "bad_data"
    assert err.message == (
        'Prometheus rejected the query (bad_data): invalid parameter "query": 1:5: '
        "parse error: unclosed left parenthesis"
    )
    assert err.hint == "check the PromQL syntax (obsctl query --check EXPR parses it offline)"
    assert err.exit_code == ExitCode.BACKEND_ERROR


def test_resolution_error_hint() -> None:
    with pytest.raises(BackendError) as info:
        parse_query_response(load("error_resolution"))
    assert info.value.hint == (
        "use a larger --step or a shorter range (at most 11,000 points per series)"
    )


@pytest.mark.parametrize(
    ("error_type", "message", "hint_start"),
    [
        (
            "execution",
            "query processing would load too many samples into memory",
            "the query touches too many samples",
        ),
        ("timeout", "query timed out in expression evaluation", "the query timed out"),
        ("canceled", "context canceled", "the server cancelled"),
        ("internal", "boom", "the server hit an internal error"),
        ("bad_data", "no org id", "set `tenant`"),
    ],
)
def test_error_hints(error_type: str, message: str, hint_start: str) -> None:
    hint = prom_api.error_hint(error_type, message)
    assert hint is not None and hint.startswith(hint_start)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"<html>login</html>", "not JSON ('<html>login</html>')"),
        (b"[1, 2]", "no status envelope"),
        (b'{"status": "weird"}', "status 'weird'"),
        (
            b'{"status": "success", "data": {"resultType": "table", "result": []}}',
            "unknown resultType 'table'",
        ),
        (
            b'{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}}',
            "malformed vector",
        ),
    ],
)
def test_bad_payloads_are_backend_parse_errors(body: bytes, detail: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_query_response(body)
    assert detail in info.value.message
    assert info.value.from_backend
    assert info.value.effective_exit_code == ExitCode.BACKEND_ERROR


def test_series_labels_metadata_exemplars() -> None:
    series = prom_api.parse_series_response(orjson.loads(load("series")))
    assert [s["instance"] for s in series.series] == ["host-0000", "host-0001"]
    labels = prom_api.parse_labels_response(orjson.loads(load("labels")))
    assert list(labels.values) == ["__name__", "instance", "job"]
    assert labels.label is None
    values = prom_api.parse_labels_response(orjson.loads(load("label_values")), label="job")
    assert (values.label, list(values.values)) == ("job", ["bench"])
    assert prom_api.parse_metadata_response(orjson.loads(load("metadata"))).entries == []
    assert prom_api.parse_exemplars_response(orjson.loads(load("exemplars_empty"))) == []


def test_metadata_dedups_and_sorts() -> None:
    doc = {
        "status": "success",
        "data": {
            "zz_bytes": [{"type": "gauge", "help": "Z.", "unit": "bytes"}],
            "aa_total": [
                {"type": "counter", "help": "A.", "unit": ""},
                {"type": "counter", "help": "A.", "unit": ""},
            ],
        },
    }
    md = prom_api.parse_metadata_response(doc)
    assert [(e.metric, e.type, e.help, e.unit) for e in md.entries] == [
        ("aa_total", "counter", "A.", ""),
        ("zz_bytes", "gauge", "Z.", "bytes"),
    ]


def test_exemplars_decode_and_sort() -> None:
    doc = {
        "status": "success",
        "data": [
            {
                "seriesLabels": {"__name__": "h_bucket", "le": "0.5"},
                "exemplars": [
                    {"labels": {"trace_id": "b"}, "value": "0.41", "timestamp": 20.5},
                    {"labels": {"trace_id": "a"}, "value": "0.2", "timestamp": 10.002},
                ],
            }
        ],
    }
    out = prom_api.parse_exemplars_response(doc)
    assert [(e.labels["trace_id"], e.value, e.timestamp) for e in out] == [
        ("a", 0.2, 10.002),
        ("b", 0.41, 20.5),
    ]
    assert out[0].series_labels["le"] == "0.5"
    assert prom_api.parse_exemplars_response({"status": "success", "data": None}) == []


def test_native_histograms_are_reported_not_shown() -> None:
    hist = {"count": "3", "sum": "1.5", "buckets": [[0, "0.5", "1", "3"]]}
    doc = {
        "status": "success",
        "data": {
            "resultType": "vector",
            "result": [
                {"metric": {"a": "1"}, "value": [10, "2"]},
                {"metric": {"a": "2"}, "histogram": [10, hist]},
            ],
        },
    }
    res = parse_query_response(orjson.dumps(doc))
    assert [dict(s.labels) for s in res.series] == [{"a": "1"}]
    assert list(res.warnings) == [
        "1 series hold native histogram samples, which are not shown: use histogram_quantile(), "
        "histogram_count() or histogram_sum()"
    ]
    doc["data"] = {
        "resultType": "matrix",
        "result": [{"metric": {"a": "2"}, "histograms": [[10, hist]]}],
    }
    res = parse_query_response(orjson.dumps(doc))
    assert res.series == [] and len(res.warnings) == 1


@pytest.mark.parametrize("partial", [False, True])
def test_victoriametrics_envelope_with_is_partial(partial: bool) -> None:
    flag = b"true" if partial else b"false"
    body = (
        b'{"status":"success","isPartial":' + flag + b',"data":{"resultType":"matrix",'
        b'"result":[{"metric":{"a":"1"},"values":[[1,"2"],[2,"3"]]}]}}'
    )
    assert prom_api._parse_matrix_fast(body) is not None  # still the fast path
    res = parse_query_response(body)
    assert list(res.series[0].values) == [2.0, 3.0]
    expected = [prom_api.PARTIAL_WARNING] if partial else []
    assert list(res.warnings) == expected
    vector = (
        b'{"status":"success","isPartial":' + flag + b',"data":{"resultType":"vector","result":[]}}'
    )
    assert list(parse_query_response(vector).warnings) == expected
