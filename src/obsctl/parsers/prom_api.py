"""Prometheus HTTP API JSON → ``model.metrics``.

Every Prometheus-compatible server (Prometheus, Thanos, Mimir/Cortex, VictoriaMetrics) answers
with the same envelope::

    {"status": "success", "data": …, "warnings": […], "infos": […]}
    {"status": "error", "errorType": "bad_data", "error": "…"}

Query results carry ``resultType`` ``vector`` | ``matrix`` | ``scalar`` | ``string``; sample
values are strings (``"1.5"``, ``"NaN"``, ``"+Inf"``) and timestamps float seconds.

Range results are the big ones (a 1,000-series × 720-step answer is 22 MB of JSON), so
``parse_query_response`` first tries a fast path over the raw bytes that never builds a Python
object per sample: each series' ``values`` array is turned into one flat JSON number array with
two C-level byte replacements and decoded straight into ``array('d')``. Anything the fast path
does not recognise (other key order, whitespace, NaN, native histograms) falls back to the
general decoder, which gives the same result.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import orjson

from obsctl.errors import BackendError, ParseError
from obsctl.model.alerts import ActiveAlert, make_labels
from obsctl.model.metrics import (
    RESULT_TYPES,
    BuildInfo,
    LabelList,
    Metadata,
    MetricMetadata,
    QueryResult,
    ResultType,
    Series,
    SeriesExemplar,
    SeriesList,
    ServerAlertRule,
)

_ERROR_HINTS: dict[str, str] = {
    "bad_data": "the server rejected the request: check the expression, times and step",
    "execution": "the query failed while running: narrow the range or the selectors",
    "timeout": "the query timed out on the server: narrow the time range or the selectors, "
    "use a larger --step, or raise the server's query timeout",
    "canceled": "the server cancelled the query (overloaded or shutting down?): try again",
    "unavailable": "the server is not ready or overloaded: try again shortly",
    "internal": "the server hit an internal error: check its logs",
    "not_found": "the server does not know this resource",
}


def error_hint(error_type: str, message: str) -> str | None:
    """A one-line hint for a Prometheus ``errorType`` (and its message).

    >>> error_hint("bad_data", "exceeded maximum resolution of 11,000 points per timeseries")
    'use a larger --step or a shorter range (at most 11,000 points per series)'
    """
    lowered = message.lower()
    if "too many samples" in lowered or "would load too many" in lowered:
        return (
            "the query touches too many samples: shorten the range, use a larger --step, "
            "or aggregate (sum by (…)) first"
        )
    if "maximum resolution" in lowered or "11,000 points" in lowered:
        return "use a larger --step or a shorter range (at most 11,000 points per series)"
    if "many-to-many" in lowered or "duplicate series" in lowered:
        return (
            "each series on one side must match one series on the other: refine on(…)/"
            "ignoring(…), use group_left/group_right, or aggregate one side first"
        )
    if "parse error" in lowered:
        return "check the PromQL syntax (obsctl query --check EXPR parses it offline)"
    if "tenant" in lowered or "no org id" in lowered:
        return "set `tenant` on the prometheus endpoint of the context (sent as X-Scope-OrgID)"
    return _ERROR_HINTS.get(error_type)


def _bad_payload(what: str, detail: str) -> ParseError:
    return ParseError(
        f"unexpected {what} response from the server: {detail}",
        from_backend=True,
        hint="is the URL a Prometheus-compatible API? (obsctl doctor checks it)",
    )


def decode_body(body: bytes | str, *, what: str) -> Any:
    """Decode a JSON body; a non-JSON body is a ``ParseError`` from the backend."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body if isinstance(body, str) else body[:200].decode("utf-8", "replace")
        snippet = " ".join(text.split())[:80]
        raise _bad_payload(what, f"not JSON ({snippet!r})") from None


def unwrap(doc: Any, *, what: str, backend: str = "Prometheus") -> tuple[Any, list[str], list[str]]:
    """Check the envelope and return ``(data, warnings, infos)``.

    Args:
        doc: the decoded JSON document.
        what: what was requested, for messages (``query``, ``series`` …).
        backend: display name of the server, for messages.

    Raises:
        BackendError: an error envelope (``status: error``), with the server's message and a
            hint for its ``errorType``.
        ParseError: (``from_backend``) a document that is not an API envelope.
    """
    if not isinstance(doc, dict) or "status" not in doc:
        raise _bad_payload(what, "no status envelope")
    warnings = _strings(doc.get("warnings"))
    if doc.get("isPartial") is True:  # VictoriaMetrics cluster
        warnings.append(PARTIAL_WARNING)
    infos = _strings(doc.get("infos"))
    status = doc["status"]
    if status == "error":
        error_type = str(doc.get("errorType") or "error")
        message = " ".join(str(doc.get("error") or "no message").split())
        raise BackendError(
            f"{backend} rejected the {what} ({error_type}): {message}",
            backend="prometheus",
            error_type=error_type,
            server_message=message,
            hint=error_hint(error_type, message),
        )
    if status != "success":
        raise _bad_payload(what, f"status {status!r}")
    return doc.get("data"), warnings, infos


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v) for v in value]


def _labels(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _bad_payload(what, "series labels are not an object")
    return {str(k): str(v) for k, v in value.items()}


def _float(text: Any) -> float:
    # float() accepts the API's "NaN", "+Inf" and "-Inf" as they are.
    return float(text)


# ----------------------------------------------------------------------------- queries


def parse_query_response(
    body: bytes | str | Mapping[str, Any], *, backend: str = "Prometheus", what: str = "query"
) -> QueryResult:
    """Decode a ``/api/v1/query`` or ``/api/v1/query_range`` response.

    Args:
        body: the raw body (preferred: enables the fast path) or an already decoded document.
        backend: display name of the server, for messages.
        what: ``query`` or ``range query``, for messages.

    Raises:
        BackendError: an error envelope.
        ParseError: (``from_backend``) not JSON or not the documented shape.
    """
    if isinstance(body, bytes | bytearray):
        fast = _parse_matrix_fast(bytes(body))
        if fast is not None:
            return fast
    doc = decode_body(body, what=what) if isinstance(body, bytes | bytearray | str) else body
    data, warnings, infos = unwrap(doc, what=what, backend=backend)
    if not isinstance(data, dict):
        raise _bad_payload(what, "no data object")
    result_type = data.get("resultType")
    if result_type not in RESULT_TYPES:
        raise _bad_payload(what, f"unknown resultType {result_type!r}")
    result = data.get("result")
    try:
        return _decode_result(result_type, result, warnings, infos, what)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        # AttributeError: an item that is not an object (null, a number) where a series goes.
        raise _bad_payload(what, f"malformed {result_type} ({type(exc).__name__}: {exc})") from None


def _decode_result(
    result_type: ResultType, result: Any, warnings: list[str], infos: list[str], what: str
) -> QueryResult:
    if result_type == "scalar":
        ts, value = result
        return QueryResult(
            "scalar",
            [Series({}, array("d", [float(ts)]), array("d", [_float(value)]))],
            warnings=warnings,
            infos=infos,
        )
    if result_type == "string":
        ts, value = result
        return QueryResult(
            "string", (), string_value=str(value), string_time=float(ts), warnings=warnings,
            infos=infos,
        )  # fmt: skip
    if result is None:
        result = []
    if not isinstance(result, list):
        raise _bad_payload(what, f"{result_type} result is not a list")
    series: list[Series] = []
    histograms = 0
    if result_type == "vector":
        for item in result:
            labels = _labels(item.get("metric", {}), what)
            if "value" not in item and "histogram" in item:
                histograms += 1
                continue
            ts, value = item["value"]
            series.append(Series(labels, array("d", [float(ts)]), array("d", [_float(value)])))
    else:
        for item in result:
            labels = _labels(item.get("metric", {}), what)
            histograms += "histograms" in item
            pairs = item.get("values") or []
            if not pairs and "histograms" in item:
                continue
            flat = list(chain.from_iterable(pairs))
            series.append(
                Series(labels, array("d", flat[0::2]), array("d", map(_float, flat[1::2])))
            )
    if histograms:
        warnings = [
            *warnings,
            f"{histograms} series hold native histogram samples, which are not shown: "
            "use histogram_quantile(), histogram_count() or histogram_sum()",
        ]
    return QueryResult(result_type, series, warnings=warnings, infos=infos)


_MATRIX_HEAD = re.compile(
    rb'\s*\{"status":"success",(?:"isPartial":(true|false),)?'
    rb'"data":\{"resultType":"matrix","result":\['
)
PARTIAL_WARNING = "partial response: some storage nodes did not answer (isPartial)"
# One series up to the start of its values: an object of string pairs (no nesting).
_SERIES_HEAD = re.compile(rb'\{"metric":(\{(?:"(?:[^"\\]|\\.)*"|[^"{}])*\}),"values":\[')


def _parse_matrix_fast(body: bytes) -> QueryResult | None:
    """The fast path for Prometheus' own matrix encoding; ``None`` when it does not apply."""
    head = _MATRIX_HEAD.match(body)
    if head is None:
        return None
    pos = head.end()
    series: list[Series] = []
    loads = orjson.loads
    try:
        if body[pos : pos + 1] != b"]":
            while True:
                m = _SERIES_HEAD.match(body, pos)
                if m is None:
                    return None
                labels = loads(m.group(1))
                start = m.end()
                wire: bytes | None
                if body[start : start + 1] == b"]":
                    timestamps, values, wire = array("d"), array("d"), b"[]"
                    pos = start + 1
                else:
                    end = body.index(b"]]", start)
                    timestamps, values, wire = _decode_pairs(body[start : end + 1])
                    pos = end + 2
                if body[pos : pos + 1] != b"}":
                    return None
                series.append(Series(labels, timestamps, values, wire))
                sep = body[pos + 1 : pos + 2]
                pos += 2
                if sep == b"]":
                    break
                if sep != b",":
                    return None
        else:
            pos += 1
        # Re-read whatever follows the result list (warnings, infos, stats) as JSON.
        tail = loads(b'{"status":"success","data":{"result":[]' + body[pos:])
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(tail, dict):
        return None
    warnings = _strings(tail.get("warnings"))
    if head.group(1) == b"true":
        warnings.append(PARTIAL_WARNING)
    return QueryResult("matrix", series, warnings=warnings, infos=_strings(tail.get("infos")))


def _decode_pairs(segment: bytes) -> tuple[array[float], array[float], bytes | None]:
    """``[t,"v"],[t,"v"]`` → (timestamps, values, JSON of the pairs) without per-sample
    Python work. The JSON is ``None`` when values include NaN/±Inf (not JSON numbers)."""
    if b"N" in segment or b"I" in segment:
        # NaN/±Inf are not JSON numbers: decode the pairs and let float() read them.
        pairs = orjson.loads(b"[" + segment + b"]")
        flat = list(chain.from_iterable(pairs))
        return array("d", flat[0::2]), array("d", map(float, flat[1::2])), None
    unquoted = segment.replace(b'"', b"")  # [1,0.5],[2,0.7]: the pairs as JSON numbers
    # [1,0.5],[2,0.7] → [1,0.5,2,0.7]: one flat JSON array of numbers.
    numbers = array("d", orjson.loads(unquoted.replace(b"],[", b",")))
    return numbers[0::2], numbers[1::2], b"[" + unquoted + b"]"


# ----------------------------------------------------------------------------- metadata APIs


def parse_series_response(doc: Any, *, backend: str = "Prometheus") -> SeriesList:
    """Decode ``/api/v1/series``: a list of label sets."""
    data, warnings, infos = unwrap(doc, what="series request", backend=backend)
    if data is None:
        data = []
    if not isinstance(data, list):
        raise _bad_payload("series", "data is not a list")
    return SeriesList([_labels(item, "series") for item in data], warnings, infos)


def parse_labels_response(
    doc: Any, *, label: str | None = None, backend: str = "Prometheus"
) -> LabelList:
    """Decode ``/api/v1/labels`` or ``/api/v1/label/<name>/values``: a list of strings."""
    data, warnings, infos = unwrap(doc, what="labels request", backend=backend)
    if data is None:
        data = []
    if not isinstance(data, list):
        raise _bad_payload("labels", "data is not a list")
    return LabelList([str(v) for v in data], label=label, warnings=warnings, infos=infos)


def parse_metadata_response(doc: Any, *, backend: str = "Prometheus") -> Metadata:
    """Decode ``/api/v1/metadata``: ``{metric: [{type, help, unit}, …]}``."""
    data, warnings, _ = unwrap(doc, what="metadata request", backend=backend)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _bad_payload("metadata", "data is not an object")
    entries: list[MetricMetadata] = []
    for metric in sorted(data):
        items = data[metric]
        if not isinstance(items, list):
            raise _bad_payload("metadata", f"entry of {metric!r} is not a list")
        seen: set[tuple[str, str, str]] = set()
        for item in items:
            if not isinstance(item, dict):
                raise _bad_payload("metadata", f"entry of {metric!r} is not an object")
            key = (str(item.get("type", "")), str(item.get("help", "")), str(item.get("unit", "")))
            if key not in seen:
                seen.add(key)
                entries.append(MetricMetadata(str(metric), *key))
    return Metadata(entries, warnings)


def parse_exemplars_response(doc: Any, *, backend: str = "Prometheus") -> list[SeriesExemplar]:
    """Decode ``/api/v1/query_exemplars``; sorted by timestamp.

    ``data`` is ``null`` for a query without selectors, and ``[]`` when exemplar storage is
    off; both give an empty list. SeriesExemplar values are strings, timestamps float seconds.
    """
    data, _, _ = unwrap(doc, what="exemplar query", backend=backend)
    if data is None:
        return []
    if not isinstance(data, list):
        raise _bad_payload("exemplars", "data is not a list")
    out: list[SeriesExemplar] = []
    try:
        for group in data:
            series_labels = _labels(group.get("seriesLabels", {}), "exemplars")
            for ex in group.get("exemplars") or []:
                out.append(
                    SeriesExemplar(
                        series_labels=series_labels,
                        labels=_labels(ex.get("labels", {}), "exemplars"),
                        value=_float(ex["value"]),
                        timestamp=float(ex["timestamp"]),
                    )
                )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise _bad_payload("exemplars", f"malformed exemplar ({exc})") from None
    out.sort(key=lambda e: e.timestamp)
    return out


def parse_buildinfo_response(doc: Any, *, backend: str = "Prometheus") -> BuildInfo:
    """Decode ``/api/v1/status/buildinfo``."""
    data, _, _ = unwrap(doc, what="buildinfo request", backend=backend)
    if not isinstance(data, dict):
        raise _bad_payload("buildinfo", "data is not an object")
    extra = {str(k): str(v) for k, v in data.items() if k not in ("version", "revision")}
    return BuildInfo(str(data.get("version", "")), str(data.get("revision", "")), extra)


def parse_flags_response(doc: Any, *, backend: str = "Prometheus") -> dict[str, str]:
    """Decode ``/api/v1/status/flags``: flag name → value."""
    data, _, _ = unwrap(doc, what="flags request", backend=backend)
    if not isinstance(data, dict):
        raise _bad_payload("flags", "data is not an object")
    return {str(k): str(v) for k, v in data.items()}


def label_sets(series: Sequence[Series]) -> list[Mapping[str, str]]:
    """The label sets of ``series``, in order."""
    return [s.labels for s in series]


def parse_alert_rules_response(doc: Any, *, backend: str = "Prometheus") -> list[ServerAlertRule]:
    """Decode ``/api/v1/rules`` into its alerting rules (recording rules are skipped)."""
    data, _, _ = unwrap(doc, what="rules request", backend=backend)
    if not isinstance(data, dict) or not isinstance(data.get("groups", []), list):
        raise _bad_payload("rules", "data.groups is not a list")
    rules: list[ServerAlertRule] = []
    for group in data.get("groups", []):
        if not isinstance(group, dict):
            raise _bad_payload("rules", "a group is not an object")
        for rule in group.get("rules", []) or []:
            if not isinstance(rule, dict) or rule.get("type") != "alerting":
                continue
            name, expr = rule.get("name"), rule.get("query")
            if not isinstance(name, str) or not isinstance(expr, str):
                raise _bad_payload("rules", "an alerting rule lacks name or query")
            rules.append(
                ServerAlertRule(
                    name=name,
                    expr=expr,
                    for_seconds=_seconds(rule.get("duration")),
                    keep_firing_for_seconds=_seconds(rule.get("keepFiringFor")),
                    labels=_str_map(rule.get("labels")),
                    annotations=_str_map(rule.get("annotations")),
                    group=str(group.get("name", "")),
                    file=str(group.get("file", "")),
                )
            )
    return rules


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def parse_alerts_response(doc: Any, *, backend: str = "Prometheus") -> list[ActiveAlert]:
    """Decode ``/api/v1/alerts``: the pending and firing alerts of the server's rules.

    ``state`` is ``pending`` or ``firing``; ``starts_at`` is the rule's ``activeAt``.
    """
    data, _, _ = unwrap(doc, what="alerts request", backend=backend)
    if not isinstance(data, dict) or not isinstance(data.get("alerts", []), list):
        raise _bad_payload("alerts", "data.alerts is not a list")
    out: list[ActiveAlert] = []
    for item in data.get("alerts") or []:
        if not isinstance(item, dict):
            raise _bad_payload("alerts", "an alert is not an object")
        try:
            started = datetime.fromisoformat(str(item.get("activeAt", "")).replace("Z", "+00:00"))
        except ValueError:
            raise _bad_payload("alerts", f"activeAt {item.get('activeAt')!r}") from None
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        out.append(
            ActiveAlert(
                labels=make_labels(_str_map(item.get("labels"))),
                annotations=make_labels(_str_map(item.get("annotations"))),
                starts_at=started.astimezone(UTC),
                ends_at=None,
                updated_at=None,
                fingerprint="",
                state=str(item.get("state", "")),
            )
        )
    return out
