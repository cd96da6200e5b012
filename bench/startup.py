"""Start-up cost: ``obsctl --version`` against ``python -c "import typer"``, same run.

Runs are interleaved (one of each command per round, after a warm-up), so that load changes
on a shared machine hit every command alike; the ratio reported is the median of the
per-round ratios. Target: ratio ≤ 1.1.
"""

from __future__ import annotations

import statistics
import sys

from _util import best_of, obsctl_cmd

RUNS = 21
TARGET = 1.1


def main() -> int:
    cases = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "obsctl --version": [*obsctl_cmd(), "--version"],
        "obsctl --help": [*obsctl_cmd(), "--help"],
    }
    for cmd in cases.values():
        best_of(cmd, 1)
    walls: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(RUNS):
        for name, cmd in cases.items():
            walls[name].append(best_of(cmd, 1)[0])
    base = walls["python -c 'import typer'"]
    print(f"{'command':28} {'min':>8} {'median':>8} {'ratio':>6}")
    for name, runs in walls.items():
        ratio = statistics.median(w / b for w, b in zip(runs, base, strict=True))
        print(
            f"{name:28} {min(runs) * 1000:7.0f}ms {statistics.median(runs) * 1000:7.0f}ms "
            f"{ratio:6.2f}"
        )
    ratio = statistics.median(w / b for w, b in zip(walls["obsctl --version"], base, strict=True))
    verdict = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"obsctl --version / import typer = {ratio:.2f} (target <= {TARGET}): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
