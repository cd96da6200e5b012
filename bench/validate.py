"""Benchmark ``obsctl validate``.

1. A small config (startup dominated) against ``python -c "import typer, yaml"`` measured in
   the same run; target ratio ≤ 1.3.
2. A generated config with 2,000 pipelines; target ≤ 0.3 s.

Run: ``.venv/bin/python bench/validate.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import ROOT, best_of, obsctl_cmd

SMALL = ROOT / "examples" / "otelcol" / "connectors.yaml"
RUNS = 9


def timed_together(commands: list[list[str]]) -> list[float]:
    """Median wall time of each command, runs interleaved so that load changes on the machine
    hit every command alike (one warm-up each first)."""
    for argv in commands:
        best_of(argv, 1)
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(RUNS):
        for index, argv in enumerate(commands):
            samples[index].append(best_of(argv, 1)[0])
    return [statistics.median(s) for s in samples]


def generate(pipelines: int) -> str:
    lines = [
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: localhost:4317}",
        "processors:",
        "  memory_limiter: {check_interval: 1s, limit_mib: 1000}",
        "  batch: {}",
        "exporters:",
    ]
    lines += [
        f"  otlp_grpc/e{i}: {{endpoint: 'b{i}:4317', tls: {{ca_file: ca.pem}}}}"
        for i in range(pipelines)
    ]
    lines += [
        "extensions:",
        "  health_check: {}",
        "service:",
        "  extensions: [health_check]",
        "  pipelines:",
    ]
    signals = ("traces", "metrics", "logs")
    for i in range(pipelines):
        lines += [
            f"    {signals[i % 3]}/p{i}:",
            "      receivers: [otlp]",
            "      processors: [memory_limiter, batch]",
            f"      exporters: [otlp_grpc/e{i}]",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    # An installed wheel has bytecode; a checkout run with PYTHONDONTWRITEBYTECODE=1 would
    # otherwise recompile every obsctl module on every run (~25 ms).
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "obsctl"), quiet=1)
    obsctl = obsctl_cmd()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.yaml"
        big.write_text(generate(2000))
        size = big.stat().st_size / 1024
        reference, version, rules, small, large = timed_together(
            [
                [sys.executable, "-c", "import typer, yaml"],
                [*obsctl, "--version"],
                [*obsctl, "validate", "--list-rules", "-o", "json"],
                [*obsctl, "validate", str(SMALL)],
                [*obsctl, "validate", str(big), "-o", "json"],
            ]
        )
    print(f"python -c 'import typer, yaml': {reference * 1000:7.1f} ms")
    print(f"obsctl --version:               {version * 1000:7.1f} ms  (CLI root)")
    print(f"obsctl validate --list-rules:   {rules * 1000:7.1f} ms  (command dispatch, no YAML)")
    print(f"obsctl validate (small config): {small * 1000:7.1f} ms")
    print(f"  ratio: {small / reference:.2f}x (target <= 1.3x)")
    print(
        f"obsctl validate (2,000 pipelines, {size:.0f} KiB): {large * 1000:7.1f} ms "
        f"(target <= 300 ms)"
    )
    print(f"  ratio to the reference: {large / reference:.2f}x")


if __name__ == "__main__":
    main()
