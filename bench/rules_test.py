"""Benchmark ``obsctl rules test`` against ``promtool test rules`` and the engine's unit costs.

1. ~500 unit-test groups generated from Prometheus's promqltest instant evals
   (``../shared/data/promqltest``), one file; and the shipped rule unit tests
   (``tests/fixtures/rules_test/pass_test.yml``: recording and alerting rules evaluated every
   minute) repeated 50 times. Both run by ``obsctl rules test`` and ``promtool test rules``
   in the same run, interleaved; target: obsctl ≤ 3× promtool.
2. The engine alone: ``sum by (job) (rate(m[W]))`` evaluated over S series with N samples
   in the window, varying one at a time; the cost per sample and per series is the slope of
   a least-squares line, and the fit's R² shows whether it is linear.

Run: ``.venv/bin/python bench/rules_test.py`` (needs ``promtool`` on PATH for part 1).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _util import ROOT, best_of, obsctl_cmd

RUNS = 5


def _shared_promqltest() -> Path | None:
    for base in (ROOT.parent, ROOT.parent.parent):
        d = base / "shared" / "data" / "promqltest"
        if d.is_dir():
            return d
    return None


def build_suites(out: Path) -> list[tuple[str, Path]]:
    import yaml

    from obsctl.analysis.engine.evaluator import Engine
    from tests.unit.analysis.engine.promqltest import parse_script, to_unit_test_group
    from tests.unit.analysis.engine.test_promqltest import _compile

    suites: list[tuple[str, Path]] = []
    data = _shared_promqltest()
    if data is not None:
        groups = []
        for script in sorted(data.glob("*.test")):
            for case in parse_script(script.name, script.read_text(encoding="utf-8")).cases:
                g = to_unit_test_group(case, Engine, _compile)
                if g is not None:
                    groups.append(g)
        path = out / "promqltest_units.yml"
        path.write_text(
            yaml.safe_dump({"evaluation_interval": "1m", "tests": groups}, sort_keys=False),
            encoding="utf-8",
        )
        suites.append((f"{len(groups)} promqltest-derived groups", path))
    fixture = ROOT / "tests" / "fixtures" / "rules_test"
    doc = yaml.safe_load((fixture / "pass_test.yml").read_text(encoding="utf-8"))
    doc["rule_files"] = [str(fixture / r) for r in doc["rule_files"]]
    doc["tests"] = doc["tests"] * 50
    path = out / "rules_units.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    suites.append((f"{len(doc['tests'])} groups with rules (pass_test.yml x50)", path))
    return suites


def compare_with_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        print("promtool not installed: skipping the comparison")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in build_suites(Path(tmp)):
            commands = [
                [*obsctl_cmd(), "rules", "test", str(path), "-o", "json"],
                [promtool, "test", "rules", str(path)],
            ]
            for argv in commands:
                best_of(argv, 1)  # warm-up
            samples: list[list[float]] = [[], []]
            for _ in range(RUNS):
                for i, argv in enumerate(commands):
                    samples[i].append(best_of(argv, 1)[0])
            ours, theirs = (statistics.median(s) for s in samples)
            verdict = "OK" if ours <= 3 * theirs else "SLOWER THAN TARGET"
            print(
                f"{label}: obsctl {ours:.2f} s, promtool {theirs:.2f} s, "
                f"ratio {ours / theirs:.2f} (target <= 3) {verdict}"
            )


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and R² of the least-squares line."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    ss_res = sum((y - (my + slope * (x - mx))) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return slope, 1 - ss_res / ss_tot if ss_tot else 1.0


def _engine_time(series: int, samples: int) -> float:
    from obsctl.analysis.engine.compile import compile_expr
    from obsctl.analysis.engine.evaluator import Engine
    from obsctl.analysis.engine.storage import Storage
    from obsctl.parsers.promql_parser import parse_expr

    storage = Storage()
    step = 15_000
    for s in range(series):
        labels = (("__name__", "m_total"), ("instance", str(s)), ("job", f"j{s % 10}"))
        for i in range(samples + 1):
            storage.add(labels, i * step, float(i * (s + 1)))
    window = samples * step
    query = f"sum by (job) (rate(m_total[{window // 1000}s]))"
    plan = compile_expr(parse_expr(query), query)
    engine = Engine(storage)
    best = float("inf")
    for _ in range(RUNS):
        t0 = time.perf_counter()
        engine.instant(plan, samples * step)
        best = min(best, time.perf_counter() - t0)
    return best


def engine_costs() -> None:
    fixed_n = 100
    sizes = [250, 500, 1000, 2000]
    ys = [_engine_time(s, fixed_n) for s in sizes]
    slope, r2 = _fit([float(s) for s in sizes], ys)
    print(
        f"engine, per series ({fixed_n} samples each, sum by (job) (rate(...))): "
        f"{slope * 1e6:.1f} us/series, linear fit R^2 {r2:.4f}"
    )
    fixed_s = 100
    windows = [250, 500, 1000, 2000]
    ys = [_engine_time(fixed_s, n) for n in windows]
    slope, r2 = _fit([float(fixed_s * n) for n in windows], ys)
    print(
        f"engine, per sample ({fixed_s} series, window of N samples): "
        f"{slope * 1e9:.0f} ns/sample, linear fit R^2 {r2:.4f}"
    )


def main() -> None:
    compare_with_promtool()
    engine_costs()


if __name__ == "__main__":
    main()
