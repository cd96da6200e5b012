"""Prometheus's own parser cases (``promql/parser/parse_test.go``), run against our parser.

The cases live in ``tests/data/promql/parse_test_cases.json`` (converted from the Go test by
``scripts/promql_cases_from_go.py``; Apache-2.0 test data, source and commit in the file).
Valid inputs must parse to the same top-level node kind; invalid inputs must be refused with
the first error starting inside Prometheus's error range and with Prometheus's message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

_DATA = Path(__file__).parents[2] / "data" / "promql" / "parse_test_cases.json"
_DOC = json.loads(_DATA.read_text())
_CASES: list[dict[str, Any]] = _DOC["cases"]


def _char_offset(text: str, byte_offset: int) -> int:
    raw = text.encode("utf-8", "surrogateescape")
    return len(raw[:byte_offset].decode("utf-8", "surrogateescape"))


def _case_id(case: dict[str, Any]) -> str:
    text = case["input"]
    return text if len(text) <= 40 else text[:40] + "…"


def test_case_file_names_its_source() -> None:
    assert "prometheus/prometheus/blob/" in _DOC["source"]
    assert "Apache-2.0" in _DOC["licence"]
    assert len(_CASES) > 300


@pytest.mark.parametrize("case", [c for c in _CASES if not c["fail"]], ids=_case_id)
def test_valid_expression_parses(case: dict[str, Any]) -> None:
    expr = parse_expr(case["input"])
    if "expected" in case:
        assert type(expr).__name__ == case["expected"]


@pytest.mark.parametrize("case", [c for c in _CASES if c["fail"]], ids=_case_id)
def test_invalid_expression_is_refused_where_prometheus_points(case: dict[str, Any]) -> None:
    text = case["input"]
    with pytest.raises(PromQLParseError) as info:
        parse_expr(text)
    want = case["errors"][0]
    start, end = _char_offset(text, want["start"]), _char_offset(text, want["end"])
    got = info.value.first
    assert start <= got.pos.start <= max(start, end), (got, want)
    assert got.message == want["message"]
