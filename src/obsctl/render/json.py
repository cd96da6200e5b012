"""Helpers shared by the JSON renderers: one encoder, stable formatting, special floats."""

from __future__ import annotations

import math
from collections.abc import Iterable

import orjson

from obsctl.render.console import Consoles

SCHEMA_VERSION = 1
"""Bumped only when a field is renamed or removed; new fields do not bump it."""


def json_float(value: float) -> float | str:
    """A float as JSON allows it: ``NaN``, ``+Inf`` and ``-Inf`` become strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def dumps(doc: object, *, pretty: bool = True) -> bytes:
    """Encode ``doc`` (dicts, lists, str, int, float, bool, None) as UTF-8 JSON."""
    opts = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(doc, option=opts | orjson.OPT_NON_STR_KEYS)


def write_json(doc: object, consoles: Consoles, *, pretty: bool = True) -> None:
    """Write one JSON document (and a newline) to stdout, bypassing Rich for speed."""
    _write_bytes(consoles, dumps(doc, pretty=pretty) + b"\n")


def write_ndjson(docs: Iterable[object], consoles: Consoles) -> None:
    """Write one compact JSON document per line."""
    _write_bytes(consoles, b"".join(dumps(d, pretty=False) + b"\n" for d in docs))


def _write_bytes(consoles: Consoles, data: bytes) -> None:
    stream = consoles.out_stream
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))
        stream.flush()
