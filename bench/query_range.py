"""Benchmark: a 720,000-point range query, obsctl against promtool, in the same run.

Starts a real Prometheus seeded (``promtool tsdb create-blocks-from openmetrics``) with
1,000 counter series × 6 h at 15 s, then runs ``rate(bench_requests_total[5m])`` over the 6 h
at a 30 s step (1,000 series × 720 points) with:

* ``obsctl query … -o json`` and ``obsctl query …`` (default text output),
* ``promtool query range …`` (text) and ``promtool query range -o json …``.

Each command runs ``--runs`` times after a warm-up, the commands taking turns; the median
wall time and the median peak RSS (``wait4`` rusage of the child) are reported, with the
ratios obsctl/promtool and the targets: json ≤ 0.8× promtool json, text ≤ promtool text,
peak memory ≤ promtool json.

Usage: ``python bench/query_range.py [--runs 5] [--keep]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SERIES = 1000
SPAN = 6 * 3600
SCRAPE = 15
STEP = 30
EXPR = "rate(bench_requests_total[5m])"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_seed(path: Path, end: int) -> None:
    start = end - SPAN
    with path.open("w") as fh:
        fh.write("# HELP bench_requests Requests.\n# TYPE bench_requests counter\n")
        for i in range(SERIES):
            slope = (i % 7) + 1
            labels = f'{{instance="host-{i:04d}",job="bench"}}'
            fh.writelines(
                f"bench_requests_total{labels} {slope * (t - start) // SCRAPE} {t}\n"
                for t in range(start, end + 1, SCRAPE)
            )
        fh.write("# EOF\n")


def start_prometheus(workdir: Path, end: int) -> tuple[subprocess.Popen[bytes], str]:
    seed = workdir / "seed.om"
    write_seed(seed, end)
    data = workdir / "data"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(seed), str(data)],
        check=True,
        capture_output=True,
    )
    seed.unlink()
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("prometheus did not become ready")


def run(cmd: list[str], out: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run, stdout to ``out``."""
    with out.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err}")
    if proc.stderr:
        proc.stderr.close()
    return wall, int(usage.ru_maxrss)


def check_outputs(obsctl_json: Path, promtool_json: Path) -> None:
    ours = json.loads(obsctl_json.read_bytes())
    theirs = json.loads(promtool_json.read_bytes())
    points = sum(len(s["samples"]) for s in ours["series"])
    assert points == SERIES * (SPAN // STEP), points  # rate() needs 2 samples: no point at start
    by_labels = {json.dumps(s["metric"], sort_keys=True): s["values"] for s in theirs}
    for s in ours["series"][:50]:
        values = by_labels[json.dumps(s["labels"], sort_keys=True)]
        assert [[int(t), float(v)] for t, v in values] == [[t, v] for t, v in s["samples"]]
    print(f"outputs agree: {len(ours['series'])} series, {points:,} points")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found on PATH")
    obsctl = shutil.which("obsctl", path=str(Path(sys.executable).parent)) or "obsctl"
    workdir = Path(tempfile.mkdtemp(prefix="obsctl-bench-"))
    end = int(time.time()) // 60 * 60 - 60
    start = end - SPAN
    print(f"seeding {SERIES} series × {SPAN // 3600} h at {SCRAPE} s …", flush=True)
    proc, url = start_prometheus(workdir, end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSCTL_")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "OBSCTL_CONFIG": str(workdir / "none.yaml")})
    rng = ["--start", str(start), "--end", str(end)]
    commands = {
        "obsctl -o json": [obsctl, "query", EXPR, *rng, "--step", f"{STEP}s", "-o", "json",
                           "--prometheus-url", url],
        "obsctl text": [obsctl, "query", EXPR, *rng, "--step", f"{STEP}s",
                        "--prometheus-url", url],
        "promtool -o json": ["promtool", "query", "range", "-o", "json", *rng,
                             f"--step={STEP}s", url, EXPR],
        "promtool text": ["promtool", "query", "range", *rng, f"--step={STEP}s", url, EXPR],
    }  # fmt: skip
    results: dict[str, tuple[float, int]] = {}
    outs = {name: workdir / (name.replace(" ", "_") + ".out") for name in commands}
    walls: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[int]] = {name: [] for name in commands}
    try:
        for name, cmd in commands.items():
            run(cmd, outs[name], env)  # warm-up (server caches, page cache)
        # Round-robin, so that load from elsewhere on the machine hits every command alike.
        for _ in range(args.runs):
            for name, cmd in commands.items():
                wall, peak = run(cmd, outs[name], env)
                walls[name].append(wall)
                rss[name].append(peak)
        for name in commands:
            results[name] = (statistics.median(walls[name]), int(statistics.median(rss[name])))
        check_outputs(workdir / "obsctl_-o_json.out", workdir / "promtool_-o_json.out")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'command':<18} {'wall (median)':>14} {'peak RSS':>12}")
    for name, (wall, rss) in results.items():
        print(f"{name:<18} {wall:>12.3f} s {rss / 1024:>9.1f} MiB")
    oj, ot = results["obsctl -o json"], results["obsctl text"]
    pj, pt = results["promtool -o json"], results["promtool text"]
    checks = [
        ("json wall   obsctl/promtool", oj[0] / pj[0], 0.8),
        ("text wall   obsctl/promtool", ot[0] / pt[0], 1.0),
        ("json memory obsctl/promtool", oj[1] / pj[1], 1.0),
        ("text memory obsctl/promtool(json)", ot[1] / pj[1], 1.0),
    ]
    print()
    for label, ratio, target in checks:
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(f"{label:<34} {ratio:5.2f}  (target ≤ {target:.1f})  {verdict}")


if __name__ == "__main__":
    main()
