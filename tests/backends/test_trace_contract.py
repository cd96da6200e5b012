"""Contract: one logical trace in every wire format decodes to equal ``Trace`` objects."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from obsctl.model.traces import SpanKind, StatusCode, Trace
from obsctl.parsers.jaeger import parse_jaeger_trace
from obsctl.parsers.otlp import parse_otlp_trace
from obsctl.parsers.zipkin import parse_zipkin_trace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"

DECODERS = {
    "otlp/checkout.json": parse_otlp_trace,
    "tempo/v2/checkout.json": parse_otlp_trace,
    "tempo/v1/checkout.json": parse_otlp_trace,
    "tempo/v1/checkout_legacy_ils.json": parse_otlp_trace,
    "jaeger/v3/checkout.json": parse_otlp_trace,
    "jaeger/v1/checkout.json": parse_jaeger_trace,
    "zipkin/v2/checkout.json": parse_zipkin_trace,
}


def load(name: str) -> Trace:
    doc = json.loads((FIXTURES / name).read_text())
    return DECODERS[name](doc, from_backend=True)


def lowercase_names(trace: Trace) -> Trace:
    # Zipkin servers store span names lowercased; that is the one difference on the wire.
    return replace(trace, spans=tuple(replace(s, name=s.name.lower()) for s in trace.spans))


@pytest.mark.parametrize("name", [n for n in DECODERS if n != "otlp/checkout.json"])
def test_same_trace_in_every_format(name):
    reference = load("otlp/checkout.json")
    other = load(name)
    if name.startswith("zipkin"):
        reference = lowercase_names(reference)
    assert other == reference


def test_reference_trace_content():
    trace = load("otlp/checkout.json")
    assert trace.trace_id == TRACE_ID
    assert [s.span_id for s in trace.spans] == [
        "00f067aa0ba902b7",
        "1111111111111111",
        "2222222222222222",
        "3333333333333333",
        "4444444444444444",
    ]
    root, client, server, db, render = trace.spans
    assert root.parent_span_id is None
    assert root.kind is SpanKind.SERVER and root.service == "frontend"
    assert root.scope == "checkout-instr"
    assert root.start_ns == 1_764_064_800_000_000_000
    assert root.duration_ns == 120_000_000
    assert root.attributes == (("http.method", "GET"), ("http.route", "/checkout"))
    assert root.resource == (("service.name", "frontend"),)
    assert server.parent_span_id == client.span_id
    assert server.status_code is StatusCode.ERROR
    assert server.status_message == "card declined"
    assert [(e.name, e.time_ns) for e in server.events] == [
        ("exception", 1_764_064_800_080_000_000)
    ]
    assert db.kind is SpanKind.INTERNAL and db.service == "payment" and db.scope is None
    assert render.status_code is StatusCode.OK
