"""The typed OTLP fast path gives exactly what the full decoder gives, or steps aside."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest

from obsctl.parsers.otlp import parse_otlp_trace
from obsctl.parsers.otlp_struct import parse_otlp_bytes

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"


def both(doc: object) -> tuple[object, object]:
    data = orjson.dumps(doc)
    return parse_otlp_bytes(data), parse_otlp_trace(orjson.loads(data))


@pytest.mark.parametrize("name", ["otlp/checkout.json", "jaeger/v3/checkout.json"])
def test_fixtures_equal(name):
    fast, full = both(json.loads((FIXTURES / name).read_text()))
    assert fast is not None
    assert fast == full


def test_generated_trace_equal():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from trace_big import generate
    finally:
        sys.path.pop(0)
    fast, full = both(generate(3_000))
    assert fast is not None and full is not None
    assert fast == full
    assert [s.attributes for s in fast.spans] == [s.attributes for s in full.spans]
    assert [s.events for s in fast.spans] == [s.events for s in full.spans]


def test_rich_values_links_events_equal():
    span = {
        "traceId": TID,
        "spanId": "00f067aa0ba902b7",
        "parentSpanId": "1111111111111111",
        "name": "op",
        "kind": "SPAN_KIND_CLIENT",
        "startTimeUnixNano": 100,
        "endTimeUnixNano": "300",
        "attributes": [
            {
                "key": "a",
                "value": {"arrayValue": {"values": [{"intValue": "1"}, {"boolValue": True}]}},
            },
            {
                "key": "kv",
                "value": {"kvlistValue": {"values": [{"key": "x", "value": {"doubleValue": 1.5}}]}},
            },
            {"key": "n", "value": {"intValue": 7}},
            {"key": "e", "value": {}},
            {"key": "long", "value": {"stringValue": "x" * 70_000}},
        ],
        "events": [
            {
                "timeUnixNano": "200",
                "name": "exception",
                "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
            }
        ],
        "links": [
            {
                "traceId": TID,
                "spanId": "1111111111111111",
                "attributes": [
                    {"key": "opentracing.ref_type", "value": {"stringValue": "follows_from"}}
                ],
            },
            {"traceId": "1" * 32, "spanId": "2" * 16},
        ],
        "status": {"code": "STATUS_CODE_ERROR", "message": "boom", "deprecatedCode": "X"},
    }
    doc = {
        "result": {
            "resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [span]}]}]
        }
    }
    fast, full = both(doc)
    assert fast is not None
    assert fast == full
    assert fast.spans[0].attributes == full.spans[0].attributes


@pytest.mark.parametrize(
    "doc",
    [
        {
            "resourceSpans": [
                {
                    "scopeSpans": [
                        {"spans": [{"traceId": TID, "spanId": "zz", "startTimeUnixNano": "1"}]}
                    ]
                }
            ]
        },
        {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": TID, "spanId": "0" * 16}]}]}]},
        {"resourceSpans": "nope"},
        {"resourceSpans": []},
        {"data": []},
    ],
)
def test_steps_aside_for_anything_else(doc):
    assert parse_otlp_bytes(orjson.dumps(doc)) is None


def test_not_json_steps_aside():
    assert parse_otlp_bytes(b'{"resourceSpans": [') is None
