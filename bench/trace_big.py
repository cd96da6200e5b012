"""``obsctl trace`` on big traces: a generated OTLP JSON trace of 10k, 50k and 100k spans.

The trace has a deep part (a 2,000-level recursive chain), a wide part (one span with tens of
thousands of ``SELECT`` children, in repeated runs) and a bushy part (fan-out 4 over 20
services, with errors and events). Each size is timed as a subprocess:
``obsctl trace --file F`` (the default text render) and ``obsctl trace --file F -o json``,
against the reference of merely decoding the same file with orjson in a fresh interpreter,
measured in the same run.

Targets (2-core machine): text render at 100k spans <= 0.8 s and <= 200 MB peak RSS, and
linear growth (marginal time per span from 50k to 100k within 1.5x of that from 10k to 50k).
The analysis of one very wide span is checked for linear growth the same way, in-process
(the unit tests bound its operation count instead of timing it).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from _util import obsctl_cmd

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


def measure(cmd: list[str], runs: int = RUNS) -> tuple[float, float, float]:
    """(min wall s, min CPU s = user + sys, max peak RSS MB) of ``cmd`` over ``runs`` runs.

    CPU time is printed beside wall time because this machine is shared: wall time varies
    with whatever else runs, CPU time much less.
    """
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t0)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}")
    return min(walls), min(cpus), max(peaks)


def wide_analysis_growth() -> float:
    """``analyze_trace`` on one span with 25k, 50k and 100k children, in this process: the
    marginal CPU per span from 50k to 100k over that from 25k to 50k (linear: about 1)."""
    import gc

    from obsctl.analysis.traces import analyze_trace
    from obsctl.model.traces import Span, SpanKind, Trace

    def cpu(n: int) -> float:
        tid, root = "1" * 32, "f" * 16
        spans = [Span(tid, root, None, "root", "svc", SpanKind.SERVER, 0, 10 * n)]
        spans += [
            Span(tid, f"{i + 1:016x}", root, "q", "db", SpanKind.CLIENT, 10 * i, 10 * i + 5)
            for i in range(n)
        ]
        trace = Trace(tid, tuple(spans))
        best = float("inf")
        gc.disable()
        try:
            for _ in range(RUNS):
                t0 = time.process_time()
                analyze_trace(trace)
                best = min(best, time.process_time() - t0)
        finally:
            gc.enable()
        return best

    t25, t50, t100 = cpu(25_000), cpu(50_000), cpu(100_000)
    growth = ((t100 - t50) / 50_000) / ((t50 - t25) / 25_000)
    print(
        f"analysis of one span with 25k/50k/100k children: {t25 * 1000:.0f}/{t50 * 1000:.0f}/"
        f"{t100 * 1000:.0f} ms CPU; marginal per span, 50k-100k vs 25k-50k: {growth:.2f}x "
        "(linear: <= 1.5x)"
    )
    return growth


def main() -> int:
    obsctl = obsctl_cmd()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            path = Path(tmp) / f"trace_{n}.json"
            # Generated in a child: a child's peak RSS counts the memory it shared with this
            # process until it exec'd, so this process stays small.
            subprocess.run([sys.executable, __file__, "--write", str(n), str(path)], check=True)
            decode = f"import orjson; orjson.loads(open({str(path)!r}, 'rb').read())"
            ref = measure([sys.executable, "-c", decode])
            text = measure([*obsctl, "trace", "--file", str(path)])
            js = measure([*obsctl, "trace", "--file", str(path), "-o", "json"])
            out = subprocess.run(
                [*obsctl, "trace", "--file", str(path)], capture_output=True, check=True
            )
            rows.append((n, path.stat().st_size, ref, text, js, out.stdout.count(b"\n")))
    print(
        f"{'spans':>8} {'file':>6} | {'orjson decode (ref)':>19} | "
        f"{'text: wall   cpu   peak':>24} | {'json: wall   cpu   peak':>24} | "
        f"{'text/ref':>8} {'lines':>5}"
    )
    for n, size, ref, text, js, lines in rows:
        print(
            f"{n:>8,} {size / 1e6:5.1f}M | {ref[0]:8.2f}s {ref[1]:6.2f}s cpu | "
            f"{text[0]:6.2f}s {text[1]:5.2f}s {text[2]:5.0f}MB | "
            f"{js[0]:6.2f}s {js[1]:5.2f}s {js[2]:5.0f}MB | {text[0] / ref[0]:8.1f} {lines:>5}"
        )
    # Linear growth: the marginal CPU per span from 50k to 100k against 10k to 50k (start-up
    # cost, about 0.3 s, cancels out).
    # After the subprocesses, for the same reason as the files are generated in a child.
    wide_growth = wide_analysis_growth()
    small, mid, big = rows
    growth = ((big[3][1] - mid[3][1]) / (big[0] - mid[0])) / (
        (mid[3][1] - small[3][1]) / (mid[0] - small[0])
    )
    wall, cpu, peak = big[3]
    ok = wall <= 0.8 and peak <= 200 and growth <= 1.5 and wide_growth <= 1.5
    print(
        f"text render at 100k spans: {wall:.2f}s wall, {cpu:.2f}s CPU (target <= 0.8 s), "
        f"{peak:.0f} MB peak (target <= 200 MB); marginal CPU per span, 50k-100k vs 10k-50k: "
        f"{growth:.2f}x (linear: <= 1.5x): {'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        Path(sys.argv[3]).write_bytes(orjson.dumps(generate(int(sys.argv[2]))))
        raise SystemExit(0)
    raise SystemExit(main())
