"""Trace files: format detection, JSON lines, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from obsctl.errors import ParseError
from obsctl.exit_codes import ExitCode
from obsctl.parsers.trace_file import TraceFormat, detect_trace_format, parse_trace_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("otlp/checkout.json", TraceFormat.OTLP),
        ("tempo/v2/checkout.json", TraceFormat.OTLP),
        ("tempo/v1/checkout.json", TraceFormat.OTLP),
        ("jaeger/v3/checkout.json", TraceFormat.OTLP),
        ("jaeger/v1/checkout.json", TraceFormat.JAEGER),
        ("zipkin/v2/checkout.json", TraceFormat.ZIPKIN),
    ],
)
def test_detects_every_fixture(name, fmt):
    trace, got = parse_trace_file((FIXTURES / name).read_bytes(), source=name, loads=orjson.loads)
    assert got is fmt
    assert len(trace.spans) == 5
    assert trace.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_collector_file_exporter_json_lines():
    doc = json.loads((FIXTURES / "otlp/checkout.json").read_text())
    lines = b"\n".join(orjson.dumps({"resourceSpans": [rs]}) for rs in doc["resourceSpans"])
    trace, fmt = parse_trace_file(lines, source="spans.jsonl")
    assert fmt is TraceFormat.OTLP
    assert len(trace.spans) == 5


def test_zipkin_list_of_traces_and_bare_resource_spans():
    spans = json.loads((FIXTURES / "zipkin/v2/checkout.json").read_text())
    trace, _ = parse_trace_file(json.dumps([spans]).encode(), source="z.json")
    assert len(trace.spans) == 5
    doc = json.loads((FIXTURES / "otlp/checkout.json").read_text())
    assert detect_trace_format(doc["resourceSpans"]) is TraceFormat.OTLP


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "t.json: the file is empty"),
        (b"  \n", "t.json: the file is empty"),
        (b'{"resourceSpans": [', "t.json: not valid JSON"),
        (b'{"a": 1}\n{"b": ', "t.json: not JSON and not JSON lines (line 2"),
        (b'{"a": 1}\n{"b": 2}', "t.json: line 1 is not an OTLP JSON document"),
        (b'{"hello": "world"}', "t.json: not a trace: expected OTLP JSON"),
        (b"[1, 2]", "t.json: not a trace"),
        (b'{"data": []}', "empty trace"),
    ],
)
def test_bad_files_are_usage_errors(data, message):
    with pytest.raises(ParseError) as info:
        parse_trace_file(data, source="t.json", loads=orjson.loads)
    assert message in str(info.value)
    assert info.value.effective_exit_code == ExitCode.USAGE
