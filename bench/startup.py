"""Start-up cost: ``obsctl --version`` against ``python -c "import typer"``, same run.

Target: ratio ≤ 1.3 (median wall time over repeated runs).
"""

from __future__ import annotations

import sys

from _util import best_of, obsctl_cmd

RUNS = 15


def main() -> int:
    baseline = [sys.executable, "-c", "import typer"]
    cases = {
        "python -c 'import typer'": baseline,
        "obsctl --version": [*obsctl_cmd(), "--version"],
        "obsctl --help": [*obsctl_cmd(), "--help"],
    }
    results = {name: best_of(cmd, RUNS) for name, cmd in cases.items()}
    base = results["python -c 'import typer'"][1]
    print(f"{'command':28} {'min':>8} {'median':>8} {'ratio':>6}")
    for name, (lo, med, _peak) in results.items():
        print(f"{name:28} {lo * 1000:7.0f}ms {med * 1000:7.0f}ms {med / base:6.2f}")
    ratio = results["obsctl --version"][1] / base
    verdict = "OK" if ratio <= 1.3 else "OVER TARGET"
    print(f"obsctl --version / import typer = {ratio:.2f} (target <= 1.3): {verdict}")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
