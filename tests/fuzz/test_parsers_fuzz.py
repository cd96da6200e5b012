"""Property-based fuzzing of every parser of untrusted input (targets in ``targets.py``).

The one property: a parser returns, or raises one of its typed errors with the documented
exit code, within the profile's deadline. Inputs are raw bytes, token soup in each format's
vocabulary, structured YAML/JSON built from the format's keys, and real fixtures with random
subtrees replaced. Budget and regression workflow: the hypothesis profiles in ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from obsctl.errors import ObsctlError, exit_code_of
from obsctl.exit_codes import ExitCode
from tests.fuzz.targets import TARGETS, Target

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"

# Exit codes each kind of target may document (file inputs 2; backend payloads 4, or 5 for a
# trace that is not there).
CODES: dict[str, set[int]] = {
    "file": {ExitCode.USAGE},
    "backend": {ExitCode.BACKEND_ERROR, ExitCode.NOT_FOUND},
}
BACKEND_TARGETS = {
    "otlp-json",
    "otlp-bytes",
    "jaeger-json",
    "zipkin-json",
    "prom-query-response",
    "prom-api-responses",
}


def run(target: Target, payload: bytes) -> None:
    """Feed ``payload`` to ``target``; fail on anything but a documented outcome."""
    try:
        target.call(payload)
    except target.allowed as exc:
        if isinstance(exc, ObsctlError):
            kind = "backend" if target.name in BACKEND_TARGETS else "file"
            assert exit_code_of(exc) in CODES[kind], (target.name, exc, exit_code_of(exc))
            assert exc.message, target.name


# ------------------------------------------------------------------ vocabularies
EXPOSITION_TOKENS = [
    "# HELP ",
    "# TYPE ",
    "# UNIT ",
    "# EOF\n",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "info",
    "stateset",
    "gaugehistogram",
    "unknown",
    "http_requests",
    "_total",
    "_bucket",
    "_count",
    "_sum",
    "_created",
    "{",
    "}",
    "=",
    '"',
    ",",
    " ",
    "\n",
    "le",
    "quantile",
    '"+Inf"',
    "0.5",
    "1e3",
    "NaN",
    "-Inf",
    "+Inf",
    "17",
    "1700000000",
    '# {trace_id="ab"} 1 1',
    "\\",
    "\\n",
    '\\"',
    "é",
    "\t",
    '{"quoted.name"}',
    "_",
    ":",
    "0x1",
    "1_000",
]
PROMQL_TOKENS = [
    "up",
    "rate(",
    "sum",
    " by ",
    "(",
    ")",
    "[5m]",
    "[",
    "]",
    "{",
    "}",
    "job",
    "=",
    "=~",
    "!=",
    '"x"',
    ",",
    " offset ",
    "1h",
    "@",
    " start()",
    "histogram_quantile(",
    "0.99",
    " + ",
    " / ",
    " and ",
    " or ",
    " unless ",
    " on(",
    "ignoring(",
    "group_left",
    " > ",
    "bool ",
    "-",
    ":",
    "5m:1m",
    "topk(",
    "3",
    "'",
    "`",
    "\\",
    "#",
    "\n",
    "__name__",
    "absent(",
    "vector(",
    "[1d:]",
]
TIME_TOKENS = [
    "now",
    "-",
    "+",
    "1",
    "5",
    "30",
    "h",
    "m",
    "s",
    "ms",
    "d",
    "w",
    "y",
    "1h30m",
    "2026",
    "-11-25",
    "T",
    "10:00",
    ":00",
    "Z",
    "+02:00",
    ".5",
    " ",
    "|",
    "0",
    "today",
    "yesterday",
    "1764064800",
    "e9",
    "1e400",
    "99999999999",
    "μs",
    "us",
    "ns",
]
YAML_KEYS = [
    "current-context",
    "contexts",
    "prometheus",
    "alertmanager",
    "tempo",
    "jaeger",
    "zipkin",
    "grafana",
    "url",
    "token",
    "token_env",
    "token_file",
    "username",
    "password",
    "tenant",
    "headers",
    "timeout",
    "max_response_size",
    "flavor",
    "path_prefix",
    "insecure_skip_verify",
    "lint",
    "validate",
    "groups",
    "name",
    "rules",
    "alert",
    "expr",
    "for",
    "labels",
    "annotations",
    "record",
    "keep_firing_for",
    "receivers",
    "processors",
    "exporters",
    "connectors",
    "extensions",
    "service",
    "pipelines",
    "traces",
    "metrics",
    "logs",
    "otlp",
    "batch",
    "memory_limiter",
    "debug",
    "endpoint",
    "protocols",
    "grpc",
    "http",
    "<<",
]
YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "http://localhost:9090",
            "${TOKEN}",
            "${MISSING}",
            "${env:HOST}:4317",
            "30s",
            "1GiB",
            "up > 0",
            "5m",
            "",
            "~",
            "rate(x[5m])",
            "otlp/2",
            "ftp://x",
            "${",
            "$$",
        ]
    ),
    st.text(max_size=12),
)
JSON_KEYS = [
    "resourceSpans",
    "scopeSpans",
    "instrumentationLibrarySpans",
    "spans",
    "resource",
    "attributes",
    "key",
    "value",
    "stringValue",
    "intValue",
    "arrayValue",
    "kvlistValue",
    "values",
    "traceId",
    "spanId",
    "parentSpanId",
    "name",
    "kind",
    "startTimeUnixNano",
    "endTimeUnixNano",
    "status",
    "code",
    "message",
    "events",
    "links",
    "batches",
    "data",
    "traceID",
    "spanID",
    "operationName",
    "references",
    "refType",
    "startTime",
    "duration",
    "tags",
    "logs",
    "processID",
    "processes",
    "serviceName",
    "id",
    "parentId",
    "timestamp",
    "localEndpoint",
    "remoteEndpoint",
    "annotations",
    "resultType",
    "result",
    "metric",
    "value",
    "values",
    "status",
    "errorType",
    "error",
    "warnings",
    "groups",
    "rules",
    "exemplars",
    "seriesLabels",
    "version",
    "trace",
    "traces",
]
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "success",
            "error",
            "matrix",
            "vector",
            "scalar",
            "string",
            "4bf92f3577b34da6",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "S/kvNXezTaajzpKdDg5HNg==",
            "1764064800000000000",
            "NaN",
            "+Inf",
            "CHILD_OF",
            "FOLLOWS_FROM",
            "SERVER",
            "",
            "1.5",
            "-1",
        ]
    ),
    st.text(max_size=10),
)


def _soup(tokens: list[str]) -> st.SearchStrategy[bytes]:
    piece = st.one_of(st.sampled_from(tokens), st.text(max_size=4))
    return st.lists(piece, max_size=60).map(lambda p: "".join(p).encode("utf-8", "replace"))


def _yaml_docs() -> st.SearchStrategy[bytes]:
    tree = st.recursive(
        YAML_SCALARS,
        lambda c: st.one_of(
            st.lists(c, max_size=4),
            st.dictionaries(st.sampled_from(YAML_KEYS) | st.text(max_size=6), c, max_size=5),
        ),
        max_leaves=25,
    )
    return tree.map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode())


def _json_values() -> st.SearchStrategy[object]:
    return st.recursive(
        JSON_SCALARS,
        lambda c: st.one_of(
            st.lists(c, max_size=4),
            st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=6), c, max_size=5),
        ),
        max_leaves=30,
    )


def _paths(doc: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, value)}
    assert isinstance(doc, list) and isinstance(head, int)
    return [*doc[:head], _replace(doc[head], rest, value), *doc[head + 1 :]]


@st.composite
def _mutated(draw: st.DrawFn, docs: list[object]) -> bytes:
    doc = draw(st.sampled_from(docs))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        doc = _replace(doc, path, draw(_json_values()))
    return json.dumps(doc).encode()


def _fixture_docs() -> list[object]:
    files = [
        FIXTURES / "otlp" / "checkout.json",
        FIXTURES / "jaeger" / "v1" / "checkout.json",
        FIXTURES / "jaeger" / "v3" / "checkout.json",
        *sorted((FIXTURES / "prometheus" / "v2.42").glob("*.json")),
        REPO / "examples" / "traces" / "checkout-slow.otlp.json",
    ]
    docs = [json.loads(f.read_text()) for f in files if f.exists()]
    # Keep the mutation space small: the first spans of each trace are enough.
    return docs


FIXTURE_DOCS = _fixture_docs()


def _protobuf_seeds() -> list[bytes]:
    """Real OTLP export requests in protobuf: the trace fixture, and one log record."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    from obsctl.parsers.otlp_proto import _hex_ids_to_base64

    doc = json.loads((FIXTURES / "otlp" / "checkout.json").read_text())
    _hex_ids_to_base64(doc)
    traces = json_format.ParseDict(doc, ExportTraceServiceRequest(), ignore_unknown_fields=True)
    logs = json_format.ParseDict(
        {
            "resourceLogs": [
                {
                    "resource": {
                        "attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]
                    },
                    "scopeLogs": [
                        {"logRecords": [{"timeUnixNano": "1", "body": {"stringValue": "x"}}]}
                    ],
                }
            ]
        },
        ExportLogsServiceRequest(),
    )
    return [traces.SerializeToString(), logs.SerializeToString()]


@st.composite
def _mutated_bytes(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A real message with a few bytes flipped, inserted, deleted, or cut short."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(("flip", "insert", "delete", "cut")))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            del data[at:]
    return bytes(data)


def strategy(target: Target) -> st.SearchStrategy[bytes]:
    raw = st.binary(max_size=512)
    if target.json:
        return st.one_of(
            raw,
            _json_values().map(lambda v: json.dumps(v).encode()),
            _mutated(FIXTURE_DOCS),
        )
    if target.name.endswith("-proto"):
        return st.one_of(raw, _mutated_bytes(_protobuf_seeds()))
    if target.name.startswith("exposition"):
        return st.one_of(raw, _soup(EXPOSITION_TOKENS))
    if target.name in ("promql", "alert-expr"):
        return st.one_of(raw, _soup(PROMQL_TOKENS))
    if target.name in ("duration", "instant", "time-range"):
        return st.one_of(raw, _soup(TIME_TOKENS))
    return st.one_of(raw, _yaml_docs(), _soup([*(k + ": " for k in YAML_KEYS), "\n", "  ", "- "]))


STRATEGIES = {t.name: strategy(t) for t in TARGETS}


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
@given(data=st.data())
@example(data=None)  # the empty input, for every target
def test_documented_outcomes_only(target: Target, data: st.DataObject | None) -> None:
    payload = b"" if data is None else data.draw(STRATEGIES[target.name], label="input")
    run(target, payload)


def _regression_cases() -> list[tuple[Target, Path]]:
    by_name = {t.name: t for t in TARGETS}
    cases = []
    for folder in sorted(REGRESSIONS.iterdir()) if REGRESSIONS.is_dir() else ():
        for file in sorted(folder.iterdir()) if folder.is_dir() else ():
            cases.append((by_name[folder.name], file))
    return cases


@pytest.mark.parametrize(
    ("target", "file"),
    _regression_cases(),
    ids=[f"{t.name}/{f.name}" for t, f in _regression_cases()],
)
def test_regressions(target: Target, file: Path) -> None:
    run(target, file.read_bytes())


def test_every_target_is_fuzzed():
    assert {t.name for t in TARGETS} == set(STRATEGIES)
