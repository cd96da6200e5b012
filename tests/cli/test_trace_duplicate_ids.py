"""Duplicate span IDs are rendered (keyed <id>_1 …) and warned about, like parent loops."""

from __future__ import annotations

import json

from obsctl.exit_codes import ExitCode

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def _span(span_id: str, parent: str | None, start: int, name: str) -> dict[str, object]:
    span: dict[str, object] = {
        "traceId": TRACE,
        "spanId": span_id,
        "name": name,
        "startTimeUnixNano": str(1_764_064_800_000_000_000 + start * 1_000_000),
        "endTimeUnixNano": str(1_764_064_800_000_000_000 + (start + 5) * 1_000_000),
    }
    if parent:
        span["parentSpanId"] = parent
    return span


def _file(tmp_path, spans):
    doc = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]
                },
                "scopeSpans": [{"spans": spans}],
            }
        ]
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_duplicate_span_ids_warn(cli, tmp_path):
    spans = [
        _span("00000000000000a1", None, 0, "root"),
        _span("00000000000000b2", "00000000000000a1", 1, "first"),
        _span("00000000000000b2", "00000000000000a1", 2, "second"),
    ]
    res = cli("trace", "--file", _file(tmp_path, spans))
    assert res.exit_code == ExitCode.OK, res.output
    assert "1 span ID used by more than one span: 00000000000000b2" in res.stderr
    assert "first" in res.stdout and "second" in res.stdout


def test_unique_ids_do_not_warn(cli, tmp_path):
    spans = [_span("00000000000000a1", None, 0, "root")]
    res = cli("trace", "--file", _file(tmp_path, spans))
    assert res.exit_code == ExitCode.OK, res.output
    assert "more than one span" not in res.stderr
