"""``obsctl trace`` on big traces: a generated OTLP JSON trace of 10k, 50k and 100k spans.

The trace has a deep part (a 2,000-level recursive chain), a wide part (one span with tens of
thousands of ``SELECT`` children, in repeated runs) and a bushy part (fan-out 4 over 20
services, with errors and events). Each size is timed as a subprocess:
``obsctl trace --file F`` (the default text render) and ``obsctl trace --file F -o json``,
against the reference of merely decoding the same file with orjson in a fresh interpreter,
measured in the same run.

Targets (2-core machine): text render at 100k spans <= 2 s and <= 500 MB peak RSS, and
linear growth (time per span at 100k within 1.5x of 10k).
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson
from _util import best_of, obsctl_cmd

SIZES = (10_000, 50_000, 100_000)
RUNS = 3
T0 = 1_764_064_800_000_000_000
SERVICES = [f"svc-{i:02d}" for i in range(20)]


def generate(n: int, seed: int = 7) -> dict[str, object]:
    """An OTLP JSON document with one trace of ``n`` spans."""
    rng = random.Random(seed)
    trace_id = f"{rng.getrandbits(128):032x}"
    spans: list[tuple[str, dict[str, object]]] = []
    counter = iter(range(1, 10 * n))

    def add(
        parent: str | None, service: str, name: str, start: int, dur: int, **extra: object
    ) -> str:
        sid = f"{next(counter):016x}"
        span: dict[str, object] = {
            "traceId": trace_id,
            "spanId": sid,
            "name": name,
            "kind": 2 if parent is None else rng.choice((1, 3)),
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + dur),
            "attributes": [
                {"key": "http.method", "value": {"stringValue": "GET"}},
                {"key": "net.peer.port", "value": {"intValue": str(rng.randint(1, 65535))}},
                {
                    "key": "db.statement",
                    "value": {"stringValue": f"SELECT * FROM t WHERE id = {sid}"},
                },
            ],
            "status": {},
        }
        if parent is not None:
            span["parentSpanId"] = parent
        span.update(extra)
        spans.append((service, span))
        return sid

    ms = 1_000_000
    root = add(None, "frontend", "GET /checkout", T0, 10_000 * ms)
    # Deep: a 2,000-level chain (or a fifth of the trace for small sizes).
    depth = min(2_000, n // 5)
    parent, start, dur = root, T0 + ms, 4_000 * ms
    for i in range(depth):
        parent = add(parent, SERVICES[i % 3], "recurse", start, dur)
        start += 1_000
        dur -= 2_000
    # Wide: one span with 45% of the trace as children, in runs of SELECT/INSERT.
    wide_n = int(n * 0.45)
    db = add(root, "orders", "load orders", T0 + 4_100 * ms, 3_000 * ms)
    for i in range(wide_n):
        name = "SELECT" if (i // 500) % 4 else "INSERT"
        add(db, "postgres", name, T0 + 4_100 * ms + i * 60_000, 50_000)
    # Bushy: fan-out 4 for the rest, with some errors and exception events.
    remaining = n - len(spans)
    frontier = [(root, T0 + 7_200 * ms, 2_700 * ms)]
    while remaining > 0:
        next_frontier = []
        for p, s, d in frontier:
            for k in range(4):
                if remaining <= 0:
                    break
                child_d = d // 5
                extra: dict[str, object] = {}
                if rng.random() < 0.01:
                    extra["status"] = {"code": 2, "message": "upstream timeout"}
                    extra["events"] = [
                        {
                            "timeUnixNano": str(s + k * child_d + child_d // 2),
                            "name": "exception",
                            "attributes": [
                                {"key": "exception.type", "value": {"stringValue": "TimeoutError"}}
                            ],
                        }
                    ]
                sid = add(
                    p,
                    rng.choice(SERVICES),
                    f"rpc-{rng.randint(0, 30)}",
                    s + k * child_d,
                    max(child_d, 1000),
                    **extra,
                )
                next_frontier.append((sid, s + k * child_d, max(child_d, 1000)))
                remaining -= 1
        frontier = next_frontier
    by_service: dict[str, list[dict[str, object]]] = {}
    for service, span in spans:
        by_service.setdefault(service, []).append(span)
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": svc}}]
                },
                "scopeSpans": [{"scope": {"name": "bench"}, "spans": group}],
            }
            for svc, group in by_service.items()
        ]
    }


def main() -> int:
    obsctl = obsctl_cmd()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            path = Path(tmp) / f"trace_{n}.json"
            path.write_bytes(orjson.dumps(generate(n)))
            ref = best_of(
                [
                    sys.executable,
                    "-c",
                    f"import orjson; orjson.loads(open({str(path)!r}, 'rb').read())",
                ],
                RUNS,
            )
            text = best_of([*obsctl, "trace", "--file", str(path)], RUNS)
            js = best_of([*obsctl, "trace", "--file", str(path), "-o", "json"], RUNS)
            check = subprocess.run(
                [*obsctl, "trace", "--file", str(path)], capture_output=True, check=False
            )
            lines = check.stdout.count(b"\n")
            rows.append((n, path.stat().st_size, ref, text, js, lines, check.returncode))
    print(
        f"{'spans':>8} {'file':>7} {'decode ref':>11} {'text':>14} {'json':>14} {'text/ref':>8} {'lines':>6}"
    )
    for n, size, ref, text, js, lines, _code in rows:
        print(
            f"{n:>8,} {size / 1e6:6.1f}M {ref[1]:10.2f}s "
            f"{text[1]:6.2f}s {text[2] / 1024:5.0f}MB {js[1]:6.2f}s {js[2] / 1024:5.0f}MB "
            f"{text[1] / ref[1]:8.1f} {lines:>6}"
        )
    small, big = rows[0], rows[-1]
    per_span_small = small[3][1] / small[0]
    per_span_big = big[3][1] / big[0]
    growth = per_span_big / per_span_small
    wall, peak = big[3][1], big[3][2] / 1024
    ok = wall <= 2.0 and peak <= 500 and growth <= 1.5 and all(r[6] == 0 for r in rows)
    print(
        f"100k text render: {wall:.2f}s (target <= 2s), {peak:.0f} MB (target <= 500 MB); "
        f"time/span 100k vs 10k: {growth:.2f}x (linear: <= 1.5x): {'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
