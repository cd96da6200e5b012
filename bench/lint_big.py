"""Benchmark: ``obsctl lint FILE -o json`` against ``promtool check metrics < FILE``.

Generates expositions of several shapes and sizes, runs both tools on each in the same run and
prints wall time and peak RSS, and the obsctl/promtool ratios. Shapes:

``huge``
    four huge families (a counter with a URL-path label, a gauge with UUID user IDs, a
    histogram, a plain gauge).
``many``
    a big exporter (kube-state-metrics, cAdvisor): 2,000 families of 500 series, two labels
    each, HELP/TYPE per family.
``om``
    OpenMetrics: counters with ``_created``, histograms and summaries, ``# EOF``.
``mix``
    text format, the realistic mix: counters, gauges, histograms with 10–15 buckets,
    summaries, some ``_created`` gauges, families of very different sizes.

promtool reads OpenMetrics as the text format, so for ``om`` it gets the same file with the
``_created`` samples and ``# EOF`` removed (the equivalent text exposition).

    .venv/bin/python bench/lint_big.py [--shapes huge,many,om,mix] [--sizes 1000000] [--keep DIR]
        [--repeat 3] [--processes auto|1|2]

Besides wall time and memory it prints the CPU time (user + system, children included) of
both tools: promtool's Go runtime uses both cores, and so does obsctl when it parses in two
processes (``--processes 2``, or ``auto`` while a CPU is idle).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

LES = ("0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf")
LES_OM = (
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1.0",
    "2.5",
    "5.0",
    "10.0",
    "+Inf",
)
LES_MIX = (
    "0.001",
    "0.0025",
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1",
    "2.5",
    "5",
    "10",
    "30",
)


def generate(path: Path, n: int) -> None:
    """Write an exposition with ``n`` samples."""
    with path.open("w", encoding="utf-8") as out:
        w = out.write
        k1 = int(n * 0.4)
        w("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n")
        for i in range(k1):
            path = f"/api/v1/items/{i}"
            w(f'http_requests_total{{method="GET",path="{path}",status="{200 + i % 5}"}} {i}\n')
        k2 = int(n * 0.3)
        w("# HELP session_bytes Bytes per session.\n# TYPE session_bytes gauge\n")
        for i in range(k2):
            user = uuid.UUID(int=i * 7919 + 12345)
            w(f'session_bytes{{user_id="{user}",region="eu-{i % 4}"}} {i * 1.5}\n')
        w("# HELP req_duration_seconds Latency.\n# TYPE req_duration_seconds histogram\n")
        k3 = int(n * 0.2) // 10
        for s in range(k3):
            c = 0
            for le in LES:
                c += s % 3
                w(f'req_duration_seconds_bucket{{handler="h{s}",le="{le}"}} {c}\n')
            w(f'req_duration_seconds_sum{{handler="h{s}"}} {c * 0.1}\n')
            w(f'req_duration_seconds_count{{handler="h{s}"}} {c}\n')
        w("# HELP temperature_celsius Temp.\n# TYPE temperature_celsius gauge\n")
        for i in range(n - k1 - k2 - k3 * 10):
            w(f'temperature_celsius{{sensor="s{i % 50}",rack="r{i // 50}"}} {i % 40}\n')


def generate_many(path: Path, n: int, series: int = 500) -> None:
    """``n // series`` families of ``series`` series each, two labels, HELP/TYPE per family."""
    families = max(1, n // series)
    with path.open("w", encoding="utf-8") as out:
        w = out.write
        for f in range(families):
            kind = "counter" if f % 2 == 0 else "gauge"
            name = f"kube_thing_{f}_total" if kind == "counter" else f"kube_thing_{f}_ratio"
            w(f"# HELP {name} Thing number {f}.\n# TYPE {name} {kind}\n")
            w(
                "".join(
                    f'{name}{{namespace="ns-{i % 20}",pod="pod-{f}-{i}"}} {i * 3 % 1000}\n'
                    for i in range(series)
                )
            )


def _histogram(
    w: Callable[[str], None], name: str, series: int, les: Sequence[str], om: bool
) -> int:
    """Write a histogram family; returns its number of samples."""
    w(f"# HELP {name} Latency of {name}.\n# TYPE {name} histogram\n")
    if om:
        w(f"# UNIT {name} seconds\n")
    count = 0
    for s in range(series):
        lab = f'handler="/h{s}",code="{200 + s % 3}"'
        c = 0
        for le in les:
            c += s % 4 + 1
            w(f'{name}_bucket{{{lab},le="{le}"}} {c}\n')
        w(f"{name}_sum{{{lab}}} {c * 0.25}\n{name}_count{{{lab}}} {c}\n")
        count += len(les) + 2
        if om:
            w(f"{name}_created{{{lab}}} 1700000000.5\n")
            count += 1
    return count


def _summary(w: Callable[[str], None], name: str, series: int, om: bool) -> int:
    w(f"# HELP {name} Sizes of {name}.\n# TYPE {name} summary\n")
    if om:
        w(f"# UNIT {name} bytes\n")
    count = 0
    for s in range(series):
        lab = f'route="r{s}"'
        for i, q in enumerate(("0.5", "0.9", "0.99")):
            w(f'{name}{{{lab},quantile="{q}"}} {100 + s + 10 * i}\n')
        w(f"{name}_sum{{{lab}}} {s * 17.5}\n{name}_count{{{lab}}} {s + 3}\n")
        count += 5
        if om:
            w(f"{name}_created{{{lab}}} 1700000000\n")
            count += 1
    return count


def generate_om(path: Path, n: int) -> None:
    """OpenMetrics with counters (and ``_created``), histograms and summaries, ``# EOF``."""
    done = 0
    f = 0
    with path.open("w", encoding="utf-8") as out:
        w = out.write
        while done < n:
            k = f % 3
            if k == 0:
                name = f"app_requests_{f}"
                w(f"# HELP {name} Requests.\n# TYPE {name} counter\n")
                for s in range(400):
                    w(f'{name}_total{{path="/p{s}",method="GET"}} {s * 11}\n')
                    w(f'{name}_created{{path="/p{s}",method="GET"}} 1700000000\n')
                done += 800
            elif k == 1:
                done += _histogram(w, f"app_latency_{f}_seconds", 200, LES_OM, True)
            else:
                done += _summary(w, f"app_payload_{f}_bytes", 200, True)
            f += 1
        w("# EOF\n")


def om_as_text(src: Path, dst: Path) -> None:
    """The text-format equivalent of an OpenMetrics file (what promtool can read)."""
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as out:
        for line in fin:
            if line.startswith("# UNIT ") or line == "# EOF\n":
                continue
            head = line.split("{", 1)[0].split(" ", 1)[0]
            if head.endswith("_created"):
                continue
            out.write(line)


def generate_mix(path: Path, n: int) -> None:
    """Text format, a realistic mix of family kinds and sizes."""
    done = 0
    f = 0
    with path.open("w", encoding="utf-8") as out:
        w = out.write
        while done < n:
            k = f % 6
            size = (20, 300, 50, 1000, 100, 5)[f % 6]
            if k in (0, 3):
                name = f"svc_{f}_events_total"
                w(f"# HELP {name} Events.\n# TYPE {name} counter\n")
                w(
                    "".join(
                        f'{name}{{instance="10.0.{i % 250}.{i // 250}:9100",job="node"}} {i}\n'
                        for i in range(size)
                    )
                )
                done += size
            elif k == 1:
                name = f"svc_{f}_in_flight"
                w(f"# HELP {name} In flight.\n# TYPE {name} gauge\n")
                w("".join(f'{name}{{worker="w{i}"}} {i % 7}\n' for i in range(size)))
                done += size
            elif k == 2:
                les = (*LES_MIX[: 9 + (f // 6) % 6], "+Inf")
                done += _histogram(w, f"svc_{f}_duration_seconds", size, les, False)
            elif k == 4:
                done += _summary(w, f"svc_{f}_size_bytes", size, False)
            else:
                name = f"svc_{f}_start_time_seconds"
                w(f"# HELP {name} Start time.\n# TYPE {name} gauge\n")
                w(f"{name} 1700000000\n")
                w(f"# TYPE svc_{f}_up gauge\nsvc_{f}_up 1\n")
                done += 2
            f += 1


GENERATORS: dict[str, Callable[[Path, int], None]] = {
    "huge": generate,
    "many": generate_many,
    "om": generate_om,
    "mix": generate_mix,
}


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants now (KiB; 0 once it is gone)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text(errors="replace")
            rss = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "")
            total += int(rss.split()[1]) if rss else 0
            children = Path(f"/proc/{p}/task/{p}/children").read_text()
            todo.extend(int(c) for c in children.split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str], stdin_path: Path | None) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak memory MiB, exit code) of one child process.

    CPU is user + system time of the process and the children it waited for (obsctl parses a
    big file in two processes). Memory is the larger of the process's own peak RSS and the
    peak of the sum over its process tree, sampled every 20 ms: shared pages of a forked
    child count twice, so obsctl's figure is an upper bound.
    """
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree_peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, _tree_rss_kib(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, max(usage.ru_maxrss, tree_peak) / 1024, proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="huge,many,om,mix", help=f"of {', '.join(GENERATORS)}")
    ap.add_argument("--sizes", default="1000000", help="samples per file, comma-separated")
    ap.add_argument("--keep", default=None, help="keep (and reuse) the generated files here")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs per tool")
    ap.add_argument(
        "--processes",
        choices=("auto", "1", "2"),
        default="auto",
        help="obsctl's OBSCTL_LINT_PROCESSES (2: big files parsed in two processes; auto, "
        "the default: two while a CPU is idle)",
    )
    args = ap.parse_args()
    if args.processes == "auto":
        os.environ.pop("OBSCTL_LINT_PROCESSES", None)
    else:
        os.environ["OBSCTL_LINT_PROCESSES"] = args.processes
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    promtool = shutil.which("promtool")
    obsctl = str(Path(sys.executable).with_name("obsctl"))
    if promtool is None:
        print("promtool not found", file=sys.stderr)
        return 2
    folder = Path(args.keep or tempfile.mkdtemp(prefix="lint-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"{'shape':>5} {'samples':>9} {'obsctl s':>9} {'promtool s':>10} {'wall ×':>7} "
        f"{'obsctl cpu':>10} {'promtool cpu':>12} {'cpu ×':>6} "
        f"{'obsctl MiB':>10} {'promtool MiB':>12} {'RSS ×':>6}"
    )
    for shape in args.shapes.split(","):
        rows = []
        for n in (int(x) for x in args.sizes.split(",")):
            path = folder / f"lint-{shape}-{n}.prom"
            if not path.exists():
                GENERATORS[shape](path, n)
            ref = path
            if shape == "om":
                ref = folder / f"lint-{shape}-{n}.txt"
                if not ref.exists():
                    om_as_text(path, ref)
            # Interleaved runs on a shared machine: the median of the per-pair ratios, and of
            # the walls and peaks, is the figure reported.
            o_runs, p_runs = [], []
            for _ in range(args.repeat):
                o_runs.append(
                    measure([obsctl, "lint", str(path), "-o", "json", "--fail-on", "never"], None)
                )
                p_runs.append(measure([promtool, "check", "metrics"], ref))
            o_wall = statistics.median(r[0] for r in o_runs)
            p_wall = statistics.median(r[0] for r in p_runs)
            o_cpu = statistics.median(r[1] for r in o_runs)
            p_cpu = statistics.median(r[1] for r in p_runs)
            o_rss = statistics.median(r[2] for r in o_runs)
            p_rss = statistics.median(r[2] for r in p_runs)
            pairs = list(zip(o_runs, p_runs, strict=True))
            wall_x = statistics.median(o[0] / p[0] for o, p in pairs)
            cpu_x = statistics.median(o[1] / p[1] for o, p in pairs)
            rss_x = statistics.median(o[2] / p[2] for o, p in pairs)
            o_rc, p_rc = o_runs[-1][3], p_runs[-1][3]
            rows.append((n, o_wall, p_wall))
            print(
                f"{shape:>5} {n:>9,} {o_wall:>9.2f} {p_wall:>10.2f} {wall_x:>7.2f} "
                f"{o_cpu:>10.2f} {p_cpu:>12.2f} {cpu_x:>6.2f} "
                f"{o_rss:>10.0f} {p_rss:>12.0f} {rss_x:>6.2f}"
                + (
                    ""
                    if o_rc == 0 and p_rc in (0, 3)
                    else f"  (exit obsctl={o_rc} promtool={p_rc})"
                ),
                flush=True,
            )
        # Linear growth: the marginal cost per sample should stay flat from size to size
        # (obsctl's fixed start-up is excluded by the differences).
        for (n0, o0, p0), (n1, o1, p1) in itertools.pairwise(rows):
            dn = n1 - n0
            print(
                f"  marginal cost {n0:,} → {n1:,}: obsctl {1e6 * (o1 - o0) / dn:.2f} µs/sample, "
                f"promtool {1e6 * (p1 - p0) / dn:.2f} µs/sample"
            )
    print("targets: wall × ≤ 0.5, RSS × ≤ 0.25 on every shape, linear growth")
    print(
        f"obsctl processes: {args.processes} (files of 8 MiB and more in two: with 2 always, "
        "with auto while a CPU is idle); cpu × compares the CPU time both tools used"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not args.keep:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
