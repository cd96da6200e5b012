"""Mutation testing for the modules a change touches, or for modules you name.

    .venv/bin/python scripts/mutate.py                      # modules changed vs main
    .venv/bin/python scripts/mutate.py --base origin/main   # ... vs another ref
    .venv/bin/python scripts/mutate.py obsctl.model.time src/obsctl/analysis/windows.py
    .venv/bin/python scripts/mutate.py --show obsctl.model.time   # with the survivors' diffs
    .venv/bin/python scripts/mutate.py --survivors obsctl.model.time  # re-test survivors only
    .venv/bin/python scripts/mutate.py --tests tests/unit/analysis obsctl.analysis.windows
    .venv/bin/python scripts/mutate.py --sample 5 obsctl.analysis.engine.evaluator  # 1 in 5

Runs mutmut (configured in pyproject.toml under ``[tool.mutmut]``) on those modules only, with
the fast test tiers (``tests/unit``, ``tests/backends``), or only the tests named with
``--tests``; mutmut then runs, for each mutant, only the tests that reach the mutated
function. Prints one line per module (killed, survived, no tests, kill rate) and the surviving
mutants, which ``.venv/bin/mutmut show NAME`` explains. Results are kept in ``mutants/``
(git-ignored). A named run re-tests every mutant of the module; ``--survivors`` re-tests only
those not killed last time (and mutants of changed functions), the quick loop while writing
tests. See docs/testing.md.

Modules that most of the suite reaches (every PromQL evaluation runs the lexer and the
parser) would run thousands of tests per mutant; ``[tool.mutate.tests]`` in pyproject.toml
names, per module, the tests about it, and a run of those modules uses only them
(``--tests`` overrides it).

Exit status: 0, or 1 when a module scores below ``--fail-under``, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path("src")
PACKAGE = "obsctl"

# mutmut's statuses, grouped: "detected" counts as killed in the kill rate; "undetected" is
# what a test could have caught; the rest (not run yet, skipped) is left out of the rate.
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
UNDETECTED = {"survived", "no tests", "suspicious"}


def _mutmut_config() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    config = data.get("tool", {}).get("mutmut", {})
    if not isinstance(config, dict):  # pragma: no cover - a broken pyproject.toml
        raise SystemExit("mutate: [tool.mutmut] in pyproject.toml is not a table")
    return config


def tests_for(modules: list[str]) -> list[str]:
    """The tests ``[tool.mutate.tests]`` names for every one of ``modules`` (``[]``: the default
    selection, ``pytest_add_cli_args_test_selection`` of ``[tool.mutmut]``)."""
    table = _mutate_config().get("tests", {})
    assert isinstance(table, dict)
    if not modules or any(m not in table for m in modules):
        return []
    return sorted({str(t) for m in modules for t in table[m]})


def _mutate_config() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    config = data.get("tool", {}).get("mutate", {})
    if not isinstance(config, dict):  # pragma: no cover - a broken pyproject.toml
        raise SystemExit("mutate: [tool.mutate] in pyproject.toml is not a table")
    return config


def _excluded(path: str, config: dict[str, object]) -> bool:
    patterns = config.get("do_not_mutate", [])
    assert isinstance(patterns, list)
    return any(fnmatch.fnmatch(path, str(p)) for p in patterns)


def module_of(arg: str) -> str:
    """``src/obsctl/model/time.py`` or ``obsctl/model/time.py`` or ``obsctl.model.time``."""
    text = arg.strip().removeprefix("./")
    if text.endswith(".py") or "/" in text:
        path = Path(text).with_suffix("")
        parts = path.parts[1:] if path.parts[:1] == ("src",) else path.parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        text = ".".join(parts)
    if text != PACKAGE and not text.startswith(PACKAGE + "."):
        print(
            f"mutate: {arg!r} is not a module of {PACKAGE} (e.g. obsctl.model.time)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return text


def path_of(module: str) -> Path:
    base = SRC.joinpath(*module.split("."))
    package_init = base / "__init__.py"
    return package_init if (ROOT / package_init).exists() else base.with_suffix(".py")


def changed_modules(base: str, config: dict[str, object]) -> list[str]:
    """Python modules under src/ that differ from ``base`` (committed, staged or not)."""

    def git(*args: str) -> list[str]:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        return [line for line in out.splitlines() if line]

    merge_base = git("merge-base", base, "HEAD")[0]
    paths = set(git("diff", "--name-only", merge_base, "--", "src"))
    paths |= set(git("ls-files", "--others", "--exclude-standard", "--", "src"))
    return sorted(
        module_of(p)
        for p in paths
        if p.endswith(".py") and (ROOT / p).exists() and not _excluded(p, config)
    )


def _ensure_mutmut() -> None:
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("mutate: installing mutmut (the 'mutation' extra) …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-e", f"{ROOT}[mutation]"], check=True
        )


# Runs mutmut's CLI with ``only_mutate`` narrowed to the target files, so a run generates
# mutants for those modules only (a first run over the whole package takes minutes), and with
# the test selection narrowed to ``tests`` when given. mutmut keeps cached results valid across
# ``only_mutate`` changes (a change of test selection re-tests everything).
_NARROWED = """
import sys
from mutmut import configuration
from mutmut.__main__ import cli
only = [p for p in sys.argv[1].split(",") if p]
if only:
    configuration.config().only_mutate = only
tests = [t for t in sys.argv[2].split(",") if t]
if tests:
    configuration.config().pytest_add_cli_args_test_selection = tests
sys.argv = ["mutmut", *sys.argv[3:]]
cli()
"""


def _mutmut(
    *args: str,
    log: Path | None = None,
    only: list[str] | None = None,
    tests: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", _NARROWED, ",".join(only or []), ",".join(tests or []), *args]
    if log is None:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    with log.open("w", encoding="utf-8") as fh:
        return subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, check=False)


def _drop_unmutated_copy(path: Path) -> None:
    """Make mutmut regenerate ``mutants/<path>`` when it holds a plain copy.

    A run narrowed to other modules copies this one unmutated; the copy is newer than the
    source, so mutmut would take it as already mutated and every mutant would "survive".
    """
    copy = ROOT / "mutants" / path
    if copy.exists() and "__mutmut_" not in copy.read_text("utf-8", errors="replace"):
        copy.unlink()


def _drop_copied_tests() -> None:
    """mutmut copies ``tests/`` into ``mutants/`` on every run but never deletes from the copy: a
    removed ``conftest.py`` would still load there. Each run starts from a fresh copy."""
    shutil.rmtree(ROOT / "mutants" / "tests", ignore_errors=True)


def _forget_test_map_unless_same_targets(modules: list[str], tests: list[str]) -> None:
    """mutmut maps tests to the functions they reach only in the files it mutated in that run,
    and only re-maps new tests later; after a run on other modules (or with other tests),
    build the map afresh."""
    marker = ROOT / "mutants" / "mutate-targets.txt"
    marker.parent.mkdir(exist_ok=True)
    wanted = "\n".join([*sorted(modules), *(f"tests: {t}" for t in tests)])
    if not marker.exists() or marker.read_text("utf-8") != wanted:
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        marker.write_text(wanted, "utf-8")


def _glob(module: str, sample: int = 1) -> str:
    # mutmut names a mutant <module>.x_<function>__mutmut_<n> (methods: x<sep><Class><sep>...).
    # A 1-in-K sample: the mutants whose number is a multiple of K, by their last digits.
    tail = {1: "", 2: "[02468]", 5: "[05]", 10: "0", 20: "[02468]0"}[sample]
    return f"{module}.x*__mutmut_*{tail}" if tail else f"{module}.x*"


def _in_sample(name: str, sample: int) -> bool:
    return int(name.rsplit("_", 1)[1]) % sample == 0


def results(modules: list[str]) -> dict[str, dict[str, str]]:
    """mutant name → status, per module (only mutants named directly in that module)."""
    out = _mutmut("results", "--all", "true")
    by_module: dict[str, dict[str, str]] = {m: {} for m in modules}
    for line in out.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if not sep:
            continue
        module = name.rsplit(".", 1)[0]
        if module in by_module:
            by_module[module][name] = status
    return by_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        epilog="Without modules, mutates the modules changed since the merge base with --base.",
    )
    parser.add_argument("modules", nargs="*", help="obsctl.pkg.module or src/obsctl/pkg/module.py")
    parser.add_argument("--base", default="main", help="git ref to diff against (default: main)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=2, help="parallel mutant runs (default: 2)"
    )
    parser.add_argument(
        "--tests",
        action="append",
        default=None,
        metavar="PATH",
        help="run only these tests per mutant (repeatable; default: [tool.mutate.tests])",
    )
    parser.add_argument(
        "--sample",
        type=int,
        choices=(1, 2, 5, 10, 20),
        default=1,
        metavar="K",
        help="test only every K-th mutant of each function (K = 2, 5, 10 or 20): an estimate for "
        "big modules on a busy machine; --survivors then stays within the sample",
    )
    parser.add_argument("--show", action="store_true", help="print the diff of each survivor")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="re-test only the mutants not killed in the last run (and new ones)",
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        default=None,
        metavar="PCT",
        help="exit 1 when a module's kill rate is below PCT",
    )
    args = parser.parse_args(argv)

    config = _mutmut_config()
    modules = [module_of(m) for m in args.modules] or changed_modules(args.base, config)
    if not modules:
        print(f"mutate: no module under src/ differs from {args.base}", file=sys.stderr)
        return 0
    for m in modules:
        if not (ROOT / path_of(m)).exists():
            print(f"mutate: no such module {m} ({path_of(m)})", file=sys.stderr)
            return 2
        if _excluded(str(path_of(m)), config):
            print(f"mutate: {m} is in [tool.mutmut] do_not_mutate", file=sys.stderr)
            return 2

    _ensure_mutmut()
    for m in modules:
        _drop_unmutated_copy(path_of(m))
    _drop_copied_tests()
    tests = args.tests or tests_for(modules)
    for t in tests:
        if not (ROOT / t).exists():
            print(f"mutate: no such test path {t}", file=sys.stderr)
            return 2
    _forget_test_map_unless_same_targets(modules, tests)
    log = ROOT / "mutants" / "mutate.log"
    log.parent.mkdir(exist_ok=True)
    print(f"mutate: {', '.join(modules)} (log: {log.relative_to(ROOT)})", file=sys.stderr)
    if tests:
        print(f"mutate: tests: {' '.join(tests)}", file=sys.stderr)
    targets = [_glob(m, args.sample) for m in modules]
    if args.survivors:
        previous = results(modules)
        targets = sorted(
            name
            for statuses in previous.values()
            for name, status in statuses.items()
            if status not in DETECTED and _in_sample(name, args.sample)
        )
        if not targets and not any(previous.values()):
            targets = [_glob(m, args.sample) for m in modules]  # never run: everything
        elif not targets:
            print("mutate: no survivors left", file=sys.stderr)
    run = (
        _mutmut(
            "run",
            "--max-children",
            str(args.jobs),
            *targets,
            log=log,
            only=[str(path_of(m)) for m in modules],
            tests=tests,
        )
        if targets
        else subprocess.CompletedProcess([], 0)
    )
    if run.returncode != 0:
        tail = log.read_text("utf-8", errors="replace").splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
        print(f"mutate: mutmut failed (exit {run.returncode}); see {log}", file=sys.stderr)
        if "BadTestExecutionCommandsException" in log.read_text("utf-8", errors="replace"):
            print(
                "mutate: hint: a test was renamed since mutmut mapped tests to functions; "
                "delete mutants/mutmut-stats.json and run again",
                file=sys.stderr,
            )
        return 2

    failed = False
    width = max(len(m) for m in modules)
    print(f"{'module':<{width}}  mutants  killed  survived  no-tests  kill rate")
    survivors: list[str] = []
    for module, all_statuses in results(modules).items():
        statuses = {n: s for n, s in all_statuses.items() if _in_sample(n, args.sample)}
        counts = Counter(statuses.values())
        detected = sum(counts[s] for s in DETECTED)
        undetected = sum(counts[s] for s in UNDETECTED)
        tried = detected + undetected
        rate = 100.0 * detected / tried if tried else 100.0
        print(
            f"{module:<{width}}  {tried:>7}  {detected:>6}  {counts['survived']:>8}  "
            f"{counts['no tests']:>8}  {rate:8.1f}%"
        )
        if tried and counts["no tests"] == tried:
            print(
                f"mutate: no test reaches any function of {module}; if that is wrong, delete "
                "mutants/mutmut-stats.json (the map of tests to functions) and run again",
                file=sys.stderr,
            )
        survivors += sorted(n for n, s in statuses.items() if s in UNDETECTED)
        if args.fail_under is not None and rate < args.fail_under:
            failed = True
    if survivors:
        print("\nnot killed (`.venv/bin/mutmut show NAME` prints the change):")
        for name in survivors:
            print(f"  {name}")
            if args.show:
                diff = _mutmut("show", name).stdout
                print("    " + "\n    ".join(diff.splitlines()[1:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
