"""Benchmark ``obsctl rules check`` and ``obsctl rules backtest``.

1. ``rules check`` on a generated 5,000-rule file against ``promtool check rules`` on the same
   file, runs interleaved in the same process tree; target ratio ≤ 1.0 (median wall time).
   User CPU time is printed too: on a shared machine it is the steadier number.
2. ``rules backtest`` of 50 alerts over 7 days at a 1m interval against a local Prometheus
   holding 7 days of backfilled 1m data; target ≤ 10 s.

Run: ``.venv/bin/python bench/rules.py [--skip-backtest]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import ROOT, obsctl_cmd

RUNS = 5
ALERTS = 50


def generate_rules(path: Path, rules: int) -> None:
    """``rules`` rules in groups of 50: half recording rules, half alerts with templates."""
    lines = ["groups:"]
    for g in range(rules // 50):
        lines += [f"  - name: group-{g}", "    interval: 1m", "    rules:"]
        for r in range(50):
            i = g * 50 + r
            if r % 2 == 0:
                lines += [
                    f"      - record: job:http_requests_{i}:rate5m",
                    f"        expr: sum by (job) "
                    f'(rate(http_requests_{i}_total{{code=~"5.."}}[5m]))',
                ]
            else:
                lines += [
                    f"      - alert: HighErrors{i}",
                    f"        expr: sum by (job, instance) (rate(http_requests_{i}_total"
                    f'{{code=~"5.."}}[5m])) / sum by (job, instance) '
                    f"(rate(http_requests_{i}_total[5m])) > 0.05",
                    "        for: 10m",
                    "        labels:",
                    "          severity: page",
                    "        annotations:",
                    '          summary: "{{ $labels.instance }}: '
                    '{{ $value | humanizePercentage }}"',
                    f"          runbook_url: https://runbooks.example.com/{i}",
                ]
    path.write_text("\n".join(lines) + "\n")


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, user+system CPU seconds) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bench_check(tmp: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        print("promtool not installed: skipping the rules check comparison")
        return
    big = tmp / "rules.yaml"
    generate_rules(big, 5000)
    commands = {
        "promtool check rules": [promtool, "check", "rules", str(big)],
        "obsctl rules check -o json": [*obsctl_cmd(), "rules", "check", str(big), "-o", "json"],
    }
    for cmd in commands.values():
        timed(cmd)  # warm-up
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    size = big.stat().st_size / 1024
    print(f"5,000 rules, {size:.0f} KiB, median of {RUNS} interleaved runs")
    print(f"{'command':30} {'wall':>8} {'cpu':>8}")
    medians = {}
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[name] = (wall, cpu)
        print(f"{name:30} {wall:7.2f}s {cpu:7.2f}s")
    (pw, pc), (ow, oc) = medians["promtool check rules"], medians["obsctl rules check -o json"]
    verdict = "OK" if ow / pw <= 1.0 else "OVER TARGET"
    print(
        f"obsctl / promtool: wall {ow / pw:.2f}x, cpu {oc / pc:.2f}x "
        f"(target wall <= 1.0): {verdict}"
    )


def backtest_data(now: int) -> str:
    """7 days of 1m samples: 10 services, an error counter each, bursts every few hours."""
    start = now - 7 * 86400
    lines = ["# HELP bench_errors Errors.", "# TYPE bench_errors gauge"]
    for service in range(10):
        for t in range(start, now, 60):
            minute = (t - start) // 60
            burst = 1 if (minute + service * 37) % 240 < 12 else 0
            lines.append(f'bench_errors{{service="s{service}"}} {burst} {t}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def bench_backtest(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CI", "")
    from tests.integration import servers

    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        print("prometheus/promtool not installed: skipping the backtest benchmark")
        return
    now = int(time.time()) // 60 * 60
    t0 = time.perf_counter()
    server = servers.start_prometheus(
        tmp / "prom", openmetrics=backtest_data(now), self_scrape=False
    )
    print(
        f"Prometheus with 7 days x 10 series at 1m backfilled in {time.perf_counter() - t0:.1f} s"
    )
    try:
        rules = ["groups:", "  - name: bench", "    interval: 1m", "    rules:"]
        for i in range(ALERTS):
            rules += [
                f"      - alert: Burst{i}",
                f'        expr: bench_errors{{service="s{i % 10}"}} > {i % 3 / 10}',
                f"        for: {i % 5}m",
                "        labels: {severity: page}",
            ]
        path = tmp / "alerts.yaml"
        path.write_text("\n".join(rules) + "\n")
        cmd = [*obsctl_cmd(), "rules", "backtest", str(path), "--since", "7d",
               "--prometheus-url", server.url, "-o", "json"]  # fmt: skip
        wall, cpu = timed(cmd)
        verdict = "OK" if wall <= 10 else "OVER TARGET"
        print(f"backtest of {ALERTS} alerts over 7 days at 1m: {wall:.2f} s wall, {cpu:.2f} s cpu "
              f"(target <= 10 s): {verdict}")  # fmt: skip
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-backtest", action="store_true")
    args = ap.parse_args()
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "obsctl"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        bench_check(Path(tmp))
        if not args.skip_backtest:
            bench_backtest(Path(tmp))


if __name__ == "__main__":
    main()
