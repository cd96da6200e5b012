"""``obsctl receive`` ingest, and ``trace``/``trace search`` on a store of 1M spans.

Ingest: 8 concurrent clients (threads with keep-alive connections in this process) post
pre-built OTLP/protobuf exports (50 traces x 10 spans = 500 spans, 10 attributes and one event
per span) to a receiver subprocess for DURATION seconds, retrying 429/503 after Retry-After.
Afterwards the store must hold exactly the acknowledged spans (zero loss); the receiver's
peak RSS is read from /proc. The reference, measured in the same run, is the same exports
decoded and written into a store in this process by one thread with no HTTP: the ratio says
what the server around the store costs.

Reads: a store of 1M spans (100k traces) is built in-process, then trace-by-ID (random IDs)
and searches (service + operation, service + min duration, a tag) are timed in-process, and
the whole command (`obsctl trace ID --backend local -o json`) as a subprocess against the
reference of `obsctl --version` (start-up alone).

Targets (2-core machine): >= 50,000 spans/s with zero loss; trace ID <= 50 ms and search
<= 300 ms on 1M spans.
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _util import obsctl_cmd
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from obsctl.model.traces import TraceSearch
from obsctl.parsers.otlp_proto import decode_trace_request
from obsctl.store import StoreReader, StoreWriter

CLIENTS = 8
DURATION = float(os.environ.get("BENCH_DURATION", "20"))
RANDOM_IDS = os.environ.get("BENCH_TRACE_IDS", "") == "random"
"""By default the 50 trace IDs of a post share their first 4 bytes (a counter), so they land
next to each other in the store's trace-ID index; ``BENCH_TRACE_IDS=random`` scatters them
over the index, as the random IDs of SDKs are."""
BIG = int(os.environ.get("BENCH_SPANS", "1000000"))
SERVICES = [f"svc-{i}" for i in range(10)]


def export(
    rng: random.Random, t0: int, *, spread_ns: int = 3_600_000_000_000, traces: int = 50
) -> tuple[bytes, list[bytes]]:
    """One export request of ``traces`` 10-span traces starting in ``[t0, t0 + spread_ns)``,
    and its trace IDs."""
    spans = 10
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", rng.choice(SERVICES)
    ss = rs.scope_spans.add()
    ss.scope.name = "bench"
    ids = []
    for _ in range(traces):
        tid = rng.randbytes(16)
        ids.append(tid)
        start = t0 + rng.randrange(spread_ns)
        root = b""
        for i in range(spans):
            s = ss.spans.add()
            s.trace_id, s.span_id = tid, rng.randbytes(8)
            if root:
                s.parent_span_id = root
            else:
                root = s.span_id
            s.name = f"op-{i}"
            s.kind = 2 if i == 0 else 3
            s.start_time_unix_nano = start + i * 1000
            s.end_time_unix_nano = s.start_time_unix_nano + rng.randrange(1_000, 2_000_000_000)
            if rng.random() < 0.01:
                s.status.code = 2
            for a in range(10):
                kv = s.attributes.add()
                kv.key, kv.value.string_value = f"attr.{a}", f"value-{rng.randrange(100)}"
            e = s.events.add()
            e.name, e.time_unix_nano = "event", s.start_time_unix_nano
    return req.SerializeToString(), ids


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each thread of process ``pid``."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_ingest(work: Path) -> None:
    rng = random.Random(1)
    # As exporters send them: spans that ended within the last few seconds.
    exports = [
        export(rng, time.time_ns() - 5_000_000_000, spread_ns=5_000_000_000) for _ in range(16)
    ]
    bodies = [b for b, _ in exports]
    kib = len(bodies[0]) // 1024
    ids_kind = "random" if RANDOM_IDS else "a counter per post as the first 4 bytes of"
    print(
        f"ingest: {CLIENTS} clients, {kib} KiB per 500-span export, {DURATION:.0f} s, "
        f"{ids_kind} trace IDs"
    )

    counter = iter(range(1, 1 << 31))
    lock = threading.Lock()

    def fresh() -> bytes:
        # Every post carries new trace IDs: the first 4 bytes of each become a counter, or
        # scattered (a byte-level replace, ~1 ms per export, so the clients stay cheap).
        with lock:
            n = next(counter)
        body, ids = exports[n % len(exports)]
        prefix = n.to_bytes(4, "big")
        for j, tid in enumerate(ids):
            if RANDOM_IDS:  # a bijection of the trace's number: scattered, never repeated
                prefix = ((n * len(ids) + j) * 0x9E3779B1 % (1 << 32)).to_bytes(4, "big")
            body = body.replace(tid, prefix + tid[4:])
        return body

    # Reference: the same exports decoded and written in this process, one thread, no HTTP,
    # four requests per transaction.
    ref_writer = StoreWriter(work / "ref.sqlite")
    ref_bodies = [fresh() for _ in range(64)]
    cpu0 = time.process_time()
    t = time.perf_counter()
    n = 0
    while time.perf_counter() - t < min(DURATION / 2, 10) and n < len(ref_bodies):
        batch = [decode_trace_request(b, json=False) for b in ref_bodies[n : n + 4]]
        ref_writer.write(batch, [])
        n += len(batch)
    ref_rate = n * 500 / (time.perf_counter() - t)
    ref_cpu_rate = n * 500 / (time.process_time() - cpu0)
    ref_writer.close()

    port = free_port()
    store = work / "store.sqlite"
    proc = subprocess.Popen(
        [
            *obsctl_cmd(),
            "receive",
            "--listen",
            f"127.0.0.1:{port}",
            "--store",
            str(store),
            "--retention",
            "0",
            "--max-size",
            "0",
        ],
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.05)
    cpu_start = proc_cpu(proc.pid)  # start-up (imports) excluded
    threads_start = thread_cpu(proc.pid)
    acked = [0] * CLIENTS
    retried = [0] * CLIENTS
    failed = [0] * CLIENTS
    stop = time.perf_counter() + DURATION

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = fresh()
        while time.perf_counter() < stop:
            try:
                conn.request(
                    "POST",
                    "/v1/traces",
                    body=body,
                    headers={"Content-Type": "application/x-protobuf"},
                )
                resp = conn.getresponse()
                resp.read()
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                failed[k] += 1
                continue
            if resp.status == 200:
                acked[k] += 500
                body = fresh()
            elif resp.status in (429, 503):
                retried[k] += 1
                time.sleep(float(resp.getheader("Retry-After") or 1))
            else:
                failed[k] += 1
            if resp.getheader("Connection") == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    t = time.perf_counter()
    clients_cpu = time.process_time()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    clients_cpu = time.process_time() - clients_cpu
    cpu_s = proc_cpu(proc.pid) - cpu_start
    # The busiest thread is the store writer: all commits go through it, so spans per
    # CPU-second of it is the ceiling where it has a core of its own (a quiet machine).
    writer_s = max(t - threads_start.get(tid, 0.0) for tid, t in thread_cpu(proc.pid).items())
    hwm = 0
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) // 1024
    proc.terminate()
    proc.wait(30)
    total = sum(acked)
    stored = StoreReader(store).stats().spans
    rate = total / elapsed
    print(
        f"  receiver: {rate:,.0f} spans/s acknowledged ({total:,} spans in {elapsed:.1f} s, "
        f"{sum(retried)} retried after 429/503, {sum(failed)} failed), peak RSS {hwm} MiB"
    )
    print(
        f"  receiver CPU: {cpu_s:.1f} s, {total / cpu_s:,.0f} spans per CPU-second "
        f"(load-independent; the machine's load average was {os.getloadavg()[0]:.1f}); "
        f"the clients used {clients_cpu:.1f} CPU-s"
    )
    print(
        f"  busiest thread (the store writer): {writer_s:.1f} CPU-s, "
        f"{total / writer_s:,.0f} spans per CPU-second: the ceiling with a core of its own"
    )
    print(
        f"  reference (decode + write in-process, one thread, no HTTP): {ref_rate:,.0f} spans/s,"
        f" {ref_cpu_rate:,.0f} per CPU-second; ratios {rate / ref_rate:.2f} (wall), "
        f"{total / cpu_s / ref_cpu_rate:.2f} (CPU)"
    )
    print(
        f"  zero loss: store holds {stored:,} spans, acknowledged {total:,}: "
        f"{'ok' if stored >= total else 'LOST DATA'}"
    )
    print(f"  target >= 50,000 spans/s: {'ok' if rate >= 50_000 else 'MISSED'}")


def bench_reads(work: Path) -> None:
    store = work / "big.sqlite"
    rng = random.Random(2)
    t0 = time.time_ns() - 3_600_000_000_000
    writer = StoreWriter(store, durable=False)
    ids: list[bytes] = []
    t = time.perf_counter()
    for _ in range(BIG // 500):
        body, tids = export(rng, t0)
        ids += tids
        writer.write([decode_trace_request(body, json=False)], [])
    writer.close()
    built, mib = time.perf_counter() - t, store.stat().st_size >> 20
    print(f"reads: store of {BIG:,} spans built in {built:.0f} s, {mib} MiB")
    reader = StoreReader(store)
    picks = rng.sample(ids, 50)
    times = []
    for tid in picks:
        t = time.perf_counter()
        trace = reader.trace(tid.hex())
        times.append(time.perf_counter() - t)
        assert trace is not None and len(trace.spans) == 10
    median, worst = statistics.median(times) * 1e3, max(times) * 1e3
    print(
        f"  trace by ID (10 spans, decoded to the model): median {median:.2f} ms, "
        f"max {worst:.2f} ms (target <= 50 ms)"
    )
    now = datetime.now(UTC)
    window = (now - timedelta(hours=3), now + timedelta(minutes=1))
    for label, q in (
        ("newest 20, no filter", TraceSearch(*window, limit=20)),
        ("service + operation", TraceSearch(*window, service="svc-3", operation="op-4", limit=20)),
        (
            "service + min duration 1.9s",
            TraceSearch(*window, service="svc-3", min_duration_ns=1_900_000_000, limit=20),
        ),
        (
            "min duration 1.99s (rare)",
            TraceSearch(*window, min_duration_ns=1_990_000_000, limit=20),
        ),
        ("tag attr.3=value-42", TraceSearch(*window, tags=(("attr.3", "value-42"),), limit=20)),
        (
            "an operation no span has (the whole time index)",
            TraceSearch(*window, operation="no-such-op", limit=20),
        ),
    ):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            found = reader.search(q)
            times.append(time.perf_counter() - t)
        median = statistics.median(times) * 1e3
        print(f"  search {label}: median {median:.1f} ms, {len(found)} traces (target <= 300 ms)")
    # Whole commands, against start-up alone.
    env = {**os.environ, "OBSCTL_STORE": str(store)}

    def wall(args: list[str]) -> float:
        best = []
        for _ in range(3):
            t = time.perf_counter()
            done = subprocess.run(
                [*obsctl_cmd(), *args],
                check=False,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            best.append(time.perf_counter() - t)
            if done.returncode:  # its notes (e.g. "limit reached") are not this report's
                sys.exit(f"obsctl {' '.join(args)} failed: {done.stderr.decode().strip()}")
        return min(best)

    ref = wall(["--version"])
    show = wall(["trace", picks[0].hex(), "--backend", "local", "-o", "json"])
    search = wall(
        [
            "trace",
            "search",
            "--backend",
            "local",
            "--service",
            "svc-3",
            "--min-duration",
            "1900ms",
            "--since",
            "3h",
        ]
    )
    print(
        f"  obsctl trace ID --backend local: {show * 1e3:.0f} ms; trace search: "
        f"{search * 1e3:.0f} ms; obsctl --version {ref * 1e3:.0f} ms "
        f"(ratios {show / ref:.1f}, {search / ref:.1f})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="obsctl-bench-receive-") as tmp:
        work = Path(tmp)
        if "--reads-only" not in sys.argv:
            bench_ingest(work)
        if "--ingest-only" not in sys.argv:
            bench_reads(work)


if __name__ == "__main__":
    main()
