"""The fuzz targets: every parser of untrusted input, with the outcomes it documents.

A target takes bytes (the fuzzer's input, or a regression file) and either returns or raises
one of its ``allowed`` exceptions (typed domain errors). Anything else, or running past the
profile's deadline, is a bug. To fuzz a new decoder (e.g. the OTLP receiver's), add a
``Target`` to ``TARGETS`` and, when it reads JSON, let ``json_docs`` feed it documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from obsctl.errors import ObsctlError, exit_code_of
from obsctl.exit_codes import ExitCode
from obsctl.model.time import TimeSyntaxError

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    """One parser under fuzz."""

    name: str
    call: Callable[[bytes], object]
    allowed: tuple[type[BaseException], ...] = (ObsctlError,)
    json: bool = False
    """The input is a JSON document (the fuzzer also sends structured JSON)."""


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _exposition(fmt: str) -> Callable[[bytes], object]:
    def call(data: bytes) -> object:
        from obsctl.parsers.exposition import parse_exposition_text

        return parse_exposition_text(data, fmt=fmt, source="fuzz")

    return call


def _exposition_detect(data: bytes) -> object:
    from obsctl.parsers.exposition import parse_exposition_text

    return parse_exposition_text(data, source="fuzz")


def _promql(data: bytes) -> object:
    from obsctl.parsers.promql import check_promql

    return check_promql(_text(data))


def _alert_expr(data: bytes) -> object:
    from obsctl.parsers.alert_expr import extract_selectors

    return extract_selectors(_text(data))


def _collector(data: bytes) -> object:
    from obsctl.analysis.validate import validate_collector_config
    from obsctl.analysis.validate.registry import build_registry
    from obsctl.parsers.collector_config import (
        ExpansionContext,
        expand_env,
        merge_documents,
        parse_collector_document,
    )
    from obsctl.workflows.validate import load_registry_data

    doc = parse_collector_document(_text(data), "fuzz.yaml")
    config = merge_documents([doc])
    ctx = ExpansionContext(env={"HOST": "0.0.0.0"}, strict=False)
    if config.root is not None:
        expand_env(config.root, ctx)
    return validate_collector_config(config, build_registry(load_registry_data()))


def _rules(data: bytes) -> object:
    from obsctl.parsers.rules import parse_alert_rules

    return parse_alert_rules(_text(data), source="fuzz.yml")


def _contexts(data: bytes) -> object:
    from obsctl.config.load import load_config

    return load_config(_text(data), source="fuzz.yaml", env={"TOKEN": "t", "EMPTY": ""})


def _trace_file(data: bytes) -> object:
    import orjson

    from obsctl.parsers.trace_file import parse_trace_file

    return parse_trace_file(data, source="fuzz.json", loads=orjson.loads)


def _json_then(decode: Callable[[object], object]) -> Callable[[bytes], object]:
    def call(data: bytes) -> object:
        import orjson

        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None  # not JSON: the HTTP layer refuses it before any decoder
        return decode(doc)

    return call


def _otlp(doc: object) -> object:
    from obsctl.parsers.otlp import parse_otlp_traces

    return parse_otlp_traces(doc, from_backend=True)


def _otlp_bytes(data: bytes) -> object:
    from obsctl.parsers.otlp_struct import parse_otlp_bytes

    return parse_otlp_bytes(data, from_backend=True)


def _jaeger(doc: object) -> object:
    from obsctl.parsers.jaeger import parse_jaeger_traces

    return parse_jaeger_traces(doc, from_backend=True)


def _zipkin(doc: object) -> object:
    from obsctl.parsers.zipkin import parse_zipkin_traces

    return parse_zipkin_traces(doc, from_backend=True)


def _prom_query(data: bytes) -> object:
    from obsctl.parsers.prom_api import parse_query_response

    return parse_query_response(data)


def _prom_other(doc: object) -> object:
    from obsctl.parsers import prom_api

    out = []
    for parse in (
        prom_api.parse_series_response,
        prom_api.parse_metadata_response,
        prom_api.parse_exemplars_response,
        prom_api.parse_buildinfo_response,
        prom_api.parse_flags_response,
        prom_api.parse_alert_rules_response,
    ):
        try:
            out.append(parse(doc))
        except ObsctlError as exc:  # each decoder: a backend payload error, or nothing
            assert exit_code_of(exc) == ExitCode.BACKEND_ERROR, (parse.__name__, exc)
    return out


def _duration(data: bytes) -> object:
    from obsctl.model.time import parse_duration

    return parse_duration(_text(data))


def _instant(data: bytes) -> object:
    from obsctl.model.time import parse_instant

    return parse_instant(_text(data), now=NOW)


def _range(data: bytes) -> object:
    from obsctl.model.time import resolve_range

    text = _text(data)
    since, _, rest = text.partition("|")
    start, _, end = rest.partition("|")
    return resolve_range(
        now=NOW,
        since=since or None,
        start=start or None,
        end=end or None,
        default_since=NOW - NOW.replace(hour=9),
    )


TIME_ERRORS = (TimeSyntaxError,)


def _receiver(kind: str, *, json: bool) -> Callable[[bytes], object]:
    """The OTLP receiver's request decoder for ``traces``/``logs`` in one encoding."""

    def call(data: bytes) -> object:
        from obsctl.parsers import otlp_proto

        decode = (
            otlp_proto.decode_trace_request if kind == "traces" else otlp_proto.decode_logs_request
        )
        return decode(data, json=json)

    return call


TARGETS: tuple[Target, ...] = (
    Target("exposition-text", _exposition("text")),
    Target("exposition-openmetrics", _exposition("openmetrics")),
    Target("exposition-detect", _exposition_detect),
    Target("promql", _promql),
    Target("alert-expr", _alert_expr),
    Target("collector-config", _collector),
    Target("rule-file", _rules),
    Target("contexts-file", _contexts),
    Target("trace-file", _trace_file, json=True),
    Target("otlp-json", _json_then(_otlp), json=True),
    Target("otlp-bytes", _otlp_bytes, json=True),
    Target("jaeger-json", _json_then(_jaeger), json=True),
    Target("zipkin-json", _json_then(_zipkin), json=True),
    Target("prom-query-response", _prom_query, json=True),
    Target("prom-api-responses", _json_then(_prom_other), json=True),
    Target("duration", _duration, TIME_ERRORS),
    Target("instant", _instant, TIME_ERRORS),
    Target("time-range", _range, TIME_ERRORS),
    Target("receiver-traces-proto", _receiver("traces", json=False)),
    Target("receiver-logs-proto", _receiver("logs", json=False)),
    Target("receiver-traces-json", _receiver("traces", json=True), json=True),
    Target("receiver-logs-json", _receiver("logs", json=True), json=True),
)
