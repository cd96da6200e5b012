"""Benchmark ``obsctl rules check`` and ``obsctl rules backtest``.

1. ``rules check`` on a generated 5,000-rule file against ``promtool check rules`` on the same
   file, runs interleaved in the same process tree; target ratio ≤ 1.0 (median wall time).
   Two files: the benchmark's own shape (two expression templates, the target's file) and
   diverse shapes as real rule sets have them (``MIXED_*``).
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


# Diverse rule shapes in the style of the kube-prometheus and node mixins (written for this
# benchmark): histograms, ratios, on/group_left, absent(), predict_linear, subqueries, offsets,
# label_replace, topk, set operators, multi-line block scalars and templated annotations. "@"
# in a text stands for the rule's number, so that no two expressions are the same.
MIXED_RECORDS = (
    "sum by (cluster, namespace, pod, container) (rate(container_cpu_usage_seconds_@_total"
    '{job="kubelet", metrics_path="/metrics/cadvisor", image!=""}[5m]))',
    "histogram_quantile(0.99, sum by (le, job, verb, resource) (rate(apiserver_request_"
    'duration_seconds_@_bucket{job="apiserver", verb!~"WATCH|CONNECT"}[5m])))',
    "1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_@_total"
    '{job="node", mode=~"idle|iowait|steal"}[5m])))',
    'sum by (namespace) (kube_pod_container_resource_requests_@{resource="memory"}) '
    "* on (namespace) group_left (team) max by (namespace, team) (namespace_team_info_@)",
    'label_replace(max by (node) (node_uname_info_@), "host", "$1", "nodename", "(.+)")',
    'sum(rate(grpc_server_handled_@_total{grpc_code!="OK"}[5m])) by (grpc_service) '
    "/ sum(rate(grpc_server_handled_@_total[5m])) by (grpc_service)",
    "max_over_time(rate(process_cpu_seconds_@_total[2m])[30m:1m])",
    'count by (job) (up{job=~"kube-.*|node", instance!="probe-@"} offset 5m == 1)',
)
MIXED_ALERTS = (
    (
        '(\n  node_filesystem_avail_bytes_@{job="node", fstype!=""}\n'
        '  / node_filesystem_size_bytes_@{job="node", fstype!=""} * 100 < 15\nand\n'
        '  predict_linear(node_filesystem_avail_bytes_@{job="node", fstype!=""}[6h], 4 * 3600)'
        ' < 0\nand\n  node_filesystem_readonly_@{job="node", fstype!=""} == 0\n)\n',
        "Filesystem {{ $labels.device }} on {{ $labels.instance }}: "
        '{{ printf "%.2f" $value }}% left.',
    ),
    (
        'increase(kube_pod_container_status_restarts_@_total{job="kube-state-metrics"}[10m]) > 3',
        "Pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value }} times.",
    ),
    ('absent(up{job="kube-scheduler-@"} == 1)', "kube-scheduler is gone from discovery."),
    (
        "sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase_@"
        '{job="kube-state-metrics", phase=~"Pending|Unknown|Failed"}) * on (namespace, pod) '
        "group_left (owner_kind) topk by (namespace, pod) (1, max by (namespace, pod, owner_kind)"
        ' (kube_pod_owner_@{owner_kind!="Job"}))) > 0',
        "Pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready.",
    ),
    (
        '(kube_deployment_spec_replicas_@{job="kube-state-metrics"} > '
        'kube_deployment_status_replicas_available_@{job="kube-state-metrics"}) and '
        "(changes(kube_deployment_status_replicas_updated_@[10m]) == 0)",
        "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} lacks replicas.",
    ),
    (
        "histogram_quantile(0.99, sum by (le, instance) (rate(etcd_disk_wal_fsync_duration_"
        'seconds_@_bucket{job=~".*etcd.*"}[5m]))) > 0.5',
        "etcd {{ $labels.instance }}: p99 fsync takes {{ $value | humanizeDuration }}.",
    ),
    (
        "rate(node_network_receive_errs_@_total[2m]) / rate(node_network_receive_packets_@"
        '_total[2m]) > 0.01 unless on (instance) node_network_up_@{device="lo"}',
        "{{ $labels.instance }} {{ $labels.device }}: {{ $value | humanizePercentage }} errors.",
    ),
    (
        "min without (instance) (certmanager_certificate_expiration_timestamp_seconds_@ - "
        "time()) < 21 * 24 * 3600 and on () time() - process_start_time_seconds_@ > 600",
        "A certificate expires in {{ $value | humanizeDuration }}.",
    ),
)


def generate_mixed_rules(path: Path, rules: int) -> None:
    """``rules`` rules of the ``MIXED_*`` shapes in groups of 40, half of them alerts."""
    lines = ["groups:"]
    for g in range(rules // 40):
        lines += [f"  - name: mixed-{g}", f"    interval: {30 if g % 2 else 60}s", "    rules:"]
        for r in range(40):
            i = g * 40 + r
            if r % 2 == 0:
                expr = MIXED_RECORDS[i // 2 % len(MIXED_RECORDS)].replace("@", str(i))
                lines += [f"      - record: ns:mixed_{i}:sum", f"        expr: {expr}"]
                continue
            expr, summary = MIXED_ALERTS[i // 2 % len(MIXED_ALERTS)]
            expr = expr.replace("@", str(i))
            lines.append(f"      - alert: Mixed{i}")
            if "\n" in expr:  # a block scalar, as the mixins write long expressions
                lines += ["        expr: |", *("          " + x for x in expr.splitlines())]
            else:
                lines.append(f"        expr: {expr}")
            summary = summary.replace("\\", "\\\\").replace('"', '\\"')
            lines += [
                f"        for: {i % 4 * 5 + 5}m",
                "        labels:",
                f"          severity: {'critical' if i % 3 == 0 else 'warning'}",
                "        annotations:",
                f'          summary: "{summary}"',
                f"          runbook_url: https://runbooks.example.com/mixed/{i % 97}",
            ]
    path.write_text("\n".join(lines) + "\n")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, user+system CPU seconds, helper processes included) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bench_check(tmp: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        print("promtool not installed: skipping the rules check comparison")
        return
    shapes = {
        "benchmark shape (2 templates)": generate_rules,
        "mixed shapes (16 templates)": generate_mixed_rules,
    }
    for title, generate in shapes.items():
        big = tmp / "rules.yaml"
        generate(big, 5000)
        compare_check(big, promtool, title)


def compare_check(big: Path, promtool: str, title: str) -> None:
    check = [*obsctl_cmd(), "rules", "check", str(big), "-o", "json"]
    # The default starts a helper process only while a CPU is idle; the two forced settings
    # show both ways on whatever machine this runs.
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "promtool check rules": ([promtool, "check", "rules", str(big)], {}),
        "obsctl rules check -o json": (check, {}),
        "  with the helper process": (check, {"OBSCTL_RULES_PROCESSES": "2"}),
        "  in one process": (check, {"OBSCTL_RULES_PROCESSES": "1"}),
    }
    for cmd, env in commands.values():
        timed(cmd, env)  # warm-up
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, (cmd, env) in commands.items():
            samples[name].append(timed(cmd, env))
    size = big.stat().st_size / 1024
    print(f"5,000 rules, {title}, {size:.0f} KiB, median of {RUNS} interleaved runs")
    print(f"{'command':30} {'wall':>8} {'cpu':>8}")
    medians = {}
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[name] = (wall, cpu)
        print(f"{name:30} {wall:7.2f}s {cpu:7.2f}s")
    pw, pc = medians["promtool check rules"]
    for name, (ow, oc) in medians.items():
        if name.startswith("promtool"):
            continue
        verdict = "OK" if ow / pw <= 1.0 else "OVER TARGET"
        print(
            f"{name.strip():30} / promtool: wall {ow / pw:.2f}x, cpu {oc / pc:.2f}x "
            f"(target wall <= 1.0): {verdict}"
        )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


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
