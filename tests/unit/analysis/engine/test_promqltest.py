"""Prometheus's own engine conformance scripts, run against the embedded engine.

The scripts live in ``../shared/data/promqltest`` (Apache-2.0, see its README); the suite
skips cleanly when that directory is absent. Every ``eval`` becomes one test; evals that need
native histograms (not modelled by the engine) are skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from obsctl.analysis.engine.compile import compile_expr
from obsctl.analysis.engine.evaluator import Engine
from obsctl.analysis.engine.plan import Node
from obsctl.parsers.promql_parser import parse_expr
from tests.unit.analysis.engine.promqltest import EvalCase, parse_script

_ROOT = Path(__file__).resolve().parents[4]
# ``shared/data/promqltest`` in the nearest directory above the checkout: ``../shared`` next
# to it, one level further up from a worktree under ``wt/``, and further still from mutmut's
# copy of the tests in ``mutants/`` (where a miss would skip the suite, and every mutant it
# alone would catch would "survive").
DATA = next(
    (
        d / "shared" / "data" / "promqltest"
        for d in _ROOT.parents
        if (d / "shared" / "data" / "promqltest").is_dir()
    ),
    _ROOT.parent / "shared" / "data" / "promqltest",
)


def _compile(query: str, step_ms: int, range_ms: int) -> Node:
    return compile_expr(parse_expr(query), query, step_ms=step_ms, range_ms=range_ms)


def _cases() -> list[EvalCase]:
    if not DATA.is_dir():
        return []
    out: list[EvalCase] = []
    for path in sorted(DATA.glob("*.test")):
        out.extend(parse_script(path.name, path.read_text(encoding="utf-8")).cases)
    return out


CASES = _cases()
_GAPS_FILE = Path(__file__).with_name("promqltest_gaps.txt")
GAPS = {
    line.split("\t", 1)[0]
    for line in _GAPS_FILE.read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
}


@pytest.mark.skipif(not DATA.is_dir(), reason=f"promqltest scripts not found at {DATA}")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_eval(case: EvalCase) -> None:
    if case.skip:
        pytest.skip(case.skip)
    if case.name in GAPS:
        pytest.xfail("listed in promqltest_gaps.txt")
    problem = case.run(_compile, Engine)
    if problem is not None and problem.startswith("skip: "):
        pytest.skip(problem[6:])
    assert problem is None, f"{case.expr}\n{problem}"
