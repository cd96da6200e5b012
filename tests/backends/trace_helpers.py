"""Shared bits for the trace backend tests."""

from __future__ import annotations

import json
from pathlib import Path

from obsctl.config.schema import Endpoint
from obsctl.parsers.otlp import parse_otlp_trace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def reference_trace():
    return parse_otlp_trace(json.loads(fixture_bytes("otlp/checkout.json")))


def endpoint(kind: str, url: str, *, tenant: str | None = None) -> Endpoint:
    return Endpoint(kind=kind, url=url, source="flag", configured=True, tenant=tenant, timeout=5)
