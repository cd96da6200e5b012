"""Parse 5,000 rule expressions with obsctl's PromQL parser; the Rust ``promql-parser`` wheel
(when installed) is the reference measured in the same run.

Run: python bench/promql_parse.py [N]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

# Expressions shaped like real alerting and recording rules.
TEMPLATES = (
    'sum by (job, instance) (rate(http_requests_total{{job="api-{i}",code=~"5.."}}[5m]))'
    ' / sum by (job, instance) (rate(http_requests_total{{job="api-{i}"}}[5m])) > 0.05',
    "histogram_quantile(0.99, sum by (le, service) "
    '(rate(http_server_duration_seconds_bucket{{service="svc-{i}"}}[10m]))) > 0.4',
    'max_over_time(up{{job="node-{i}"}}[1h:5m]) == 0 and on (instance) node_load1 > {i}',
    'predict_linear(node_filesystem_avail_bytes{{mountpoint="/"}}[6h], 4 * 3600) < 0'
    ' unless node_filesystem_readonly{{instance="host-{i}"}} == 1',
    'label_replace(kube_pod_info{{namespace="ns-{i}"}}, "node", "$1", "node", "(.*)")'
    " * on (node) group_left (zone) kube_node_labels",
)


def corpus(n: int) -> list[str]:
    return [TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n)]


def timed(fn: Callable[[str], object], exprs: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for e in exprs:
            fn(e)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    exprs = corpus(n)
    from obsctl.parsers.promql_parser import parse_expr

    ours = timed(parse_expr, exprs)
    print(f"obsctl parser: {n} expressions in {ours:.3f}s ({ours / n * 1e6:.0f} µs each)")
    try:
        import promql_parser
    except ImportError:
        print("reference promql-parser not installed; no ratio")
        return
    ref = timed(promql_parser.parse, exprs)
    print(f"promql-parser (Rust): {ref:.3f}s; ratio obsctl/reference = {ours / ref:.1f}x")


if __name__ == "__main__":
    main()
