"""Deterministic seed data for the shared Prometheus, with the values tests can rely on.

Every series is sampled every ``STEP`` seconds from ``start`` to ``end`` (inclusive), where
``end`` is the seeding time rounded down to a whole minute minus one minute, and
``start = end - SPAN``. Counters grow linearly, so ``rate(x[5m])`` is exactly the slope.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

STEP = 15
SPAN = 2 * 3600

COUNTERS = {
    # (labels) -> per-second slope
    (("code", "200"), ("instance", "api-1"), ("job", "api")): 1.0,
    (("code", "200"), ("instance", "api-2"), ("job", "api")): 2.0,
    (("code", "500"), ("instance", "api-1"), ("job", "api")): 0.1,
}
GAUGES = {
    (("room", "a"),): 21.5,
    (("room", "b"),): 19.0,
}
MEMORY_BYTES = 1_073_741_824
BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5)
# Per-second increments per bucket (cumulative), +Inf included; 10 observations/s, sum 3.0/s.
BUCKET_SLOPES = (2.0, 5.0, 8.0, 9.0, 10.0, 10.0)
HIST_SUM_SLOPE = 3.0


@dataclass(frozen=True)
class Seed:
    """What was backfilled, and when."""

    start: int
    end: int
    text: str


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "+Inf"
    return repr(float(value))


def make_seed(now: float) -> Seed:
    """OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics``."""
    end = int(now // 60 * 60) - 60
    start = end - SPAN
    times = range(start, end + 1, STEP)
    lines = ["# HELP demo_requests Requests served.", "# TYPE demo_requests counter"]
    for labels, slope in COUNTERS.items():
        ls = _labels(labels)
        lines += [f"demo_requests_total{ls} {_fmt(slope * (t - start))} {t}" for t in times]
    lines += [
        "# HELP demo_temperature_celsius Room temperature.",
        "# TYPE demo_temperature_celsius gauge",
    ]
    for labels, value in GAUGES.items():
        ls = _labels(labels)
        lines += [f"demo_temperature_celsius{ls} {_fmt(value)} {t}" for t in times]
    lines += ["# HELP demo_memory_bytes Resident memory.", "# TYPE demo_memory_bytes gauge"]
    lines += [f'demo_memory_bytes{{instance="api-1"}} {MEMORY_BYTES} {t}' for t in times]
    lines += [
        "# HELP demo_request_duration_seconds Request latency.",
        "# TYPE demo_request_duration_seconds histogram",
    ]
    for t in times:
        elapsed = t - start
        for le, slope in zip((*BUCKETS, math.inf), BUCKET_SLOPES, strict=True):
            lines.append(
                f'demo_request_duration_seconds_bucket{{job="api",le="{_fmt(le)}"}} '
                f"{_fmt(slope * elapsed)} {t}"
            )
        lines.append(
            f'demo_request_duration_seconds_count{{job="api"}} '
            f"{_fmt(BUCKET_SLOPES[-1] * elapsed)} {t}"
        )
        lines.append(
            f'demo_request_duration_seconds_sum{{job="api"}} {_fmt(HIST_SUM_SLOPE * elapsed)} {t}'
        )
    lines.append("# EOF")
    return Seed(start=start, end=end, text="\n".join(lines) + "\n")


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+) (\d+)$")
_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def to_import_jsonl(seed: Seed) -> str:
    """The same samples as ``seed.text``, as VictoriaMetrics ``/api/v1/import`` JSON lines."""
    series: dict[tuple[tuple[str, str], ...], tuple[list[float], list[int]]] = {}
    for line in seed.text.splitlines():
        m = _SAMPLE.match(line)
        if m is None:
            continue
        name, labels, value, ts = m.groups()
        key = (("__name__", name), *_PAIR.findall(labels or ""))
        values, stamps = series.setdefault(key, ([], []))
        values.append(float(value))
        stamps.append(int(ts) * 1000)
    out = []
    for key, (values, stamps) in series.items():
        doc = {"metric": dict(key), "values": values, "timestamps": stamps}
        out.append(json.dumps(doc))
    return "\n".join(out) + "\n"
