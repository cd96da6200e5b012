"""Differential test: ``obsctl rules test`` against Debian's ``promtool test rules`` (2.42).

Each test group is written to a file of its own, so that both tools give a verdict per group
(promtool 2.42 has no ``--run``); one promtool process runs all of them.

* The unit-test files the suite ships (``tests/fixtures/rules_test``): the same verdict for
  every group.
* Unit tests generated from ``../shared/data/promqltest`` instant evals (see
  ``promqltest.to_unit_test_group``): where promtool passes, obsctl passes too. Where only
  obsctl passes, the expected values are Prometheus 3's (the engine reproduces upstream's
  own expectations), and 2.42 predates them: left-open range selectors, delayed name
  removal, Kahan summation, newer syntax (duration expressions, ``anchored``/``smoothed``,
  ``fill()``, experimental functions). docs/rules.md lists these.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from obsctl.analysis.engine.evaluator import Engine
from obsctl.workflows.rule_unittests import run_rules_tests
from tests.integration.servers import PROMTOOL_BIN, require_binary
from tests.unit.analysis.engine.promqltest import parse_script, to_unit_test_group
from tests.unit.analysis.engine.test_promqltest import DATA, _compile

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules_test"


def _split(test_file: Path, out: Path) -> list[Path]:
    """One file per test group, rule_files made absolute."""
    doc = yaml.safe_load(test_file.read_text(encoding="utf-8"))
    base = test_file.parent
    rule_files = [str(base / r) for r in doc.get("rule_files") or []]
    paths = []
    for i, group in enumerate(doc["tests"]):
        single = {k: v for k, v in doc.items() if k != "tests"}
        single["rule_files"] = rule_files
        single["tests"] = [group]
        path = out / f"{test_file.stem}--{i:04d}.yml"
        path.write_text(yaml.safe_dump(single, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _promtool_verdicts(paths: list[Path]) -> dict[str, bool]:
    """Per file: did promtool print SUCCESS after its ``Unit Testing:`` header."""
    promtool = require_binary(PROMTOOL_BIN)
    proc = subprocess.run(
        [promtool, "test", "rules", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    verdicts: dict[str, bool] = {}
    current = None
    for line in proc.stdout.splitlines():
        m = re.match(r"Unit Testing:\s+(.*)$", line)
        if m:
            current = m.group(1).strip()
            verdicts[current] = False
        elif line.strip() == "SUCCESS" and current is not None:
            verdicts[current] = True
    assert set(verdicts) == {str(p) for p in paths}, proc.stdout[-2000:] + proc.stderr[-2000:]
    return verdicts


def _obsctl_verdicts(paths: list[Path]) -> dict[str, bool]:
    report = run_rules_tests([str(p) for p in paths])
    return {f.file: f.passed for f in report.files}


def test_shipped_unit_test_files_agree_with_promtool(tmp_path: Path) -> None:
    paths: list[Path] = []
    for f in sorted(FIXTURES.glob("*_test.yml")):
        paths.extend(_split(f, tmp_path))
    assert paths
    promtool = _promtool_verdicts(paths)
    obsctl = _obsctl_verdicts(paths)
    differ = {p: (obsctl[p], promtool[p]) for p in promtool if obsctl[p] != promtool[p]}
    assert differ == {}, f"(obsctl, promtool) verdicts differ: {differ}"
    assert any(promtool.values()) and not all(promtool.values())


RULE_LIMIT = """\
groups:
- name: g
  limit: 1
  rules:
  - alert: Down
    expr: up == 0
"""
EVAL_ERROR_AT_61M = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  - series: 'up{job="a"}'
    values: '1x60 0x10'
  - series: 'up{job="b"}'
    values: '1x60 0x10'
  alert_rule_test:
  - alertname: Down
    eval_time: 70m
"""


def test_evaluation_error_message_is_promtools(tmp_path: Path) -> None:
    # The time of a failed evaluation is a Go time.Duration in promtool's message (1h1m0s).
    (tmp_path / "rules.yml").write_text(RULE_LIMIT, encoding="utf-8")
    test_file = tmp_path / "t.yml"
    test_file.write_text(EVAL_ERROR_AT_61M, encoding="utf-8")
    promtool = require_binary(PROMTOOL_BIN)
    proc = subprocess.run(
        [promtool, "test", "rules", str(test_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = proc.stdout + proc.stderr
    theirs = [line.strip() for line in output.splitlines() if "rule: Down" in line]
    (result,) = run_rules_tests([str(test_file)]).files
    ours = [f.message for g in result.groups for f in g.failures]
    assert theirs == ["rule: Down, time: 1h1m0s, err: exceeded limit of 1 with 2 alerts"]
    assert ours == theirs


def _interval_for(eval_ms: int) -> str:
    """The coarsest evaluation_interval whose grid holds ``eval_ms`` (promtool loads input
    samples only up to the last evaluation step)."""
    for step in (60_000, 30_000, 15_000, 10_000, 5_000, 1_000):
        if eval_ms % step == 0:
            return f"{step // 1000}s"
    return "1s"


def _generated(out: Path) -> list[Path]:
    paths = []
    for script in sorted(DATA.glob("*.test")):
        for case in parse_script(script.name, script.read_text(encoding="utf-8")).cases:
            group: dict[str, Any] | None = to_unit_test_group(case, Engine, _compile)
            if group is None:
                continue
            doc = {"evaluation_interval": _interval_for(case.end), "tests": [group]}
            path = out / f"{script.stem}--{case.line:05d}.yml"
            path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            paths.append(path)
    return paths


@pytest.mark.skipif(not DATA.is_dir(), reason="promqltest scripts not found")
def test_promqltest_derived_unit_tests_agree_with_promtool(tmp_path: Path) -> None:
    paths = _generated(tmp_path)
    assert len(paths) > 300
    promtool = _promtool_verdicts(paths)
    obsctl = _obsctl_verdicts(paths)
    only_promtool = sorted(p for p in promtool if promtool[p] and not obsctl[p])
    assert only_promtool == [], "groups promtool passes and obsctl fails"
    both = sum(1 for p in promtool if promtool[p] and obsctl[p])
    only_obsctl = sum(1 for p in promtool if obsctl[p] and not promtool[p])
    neither = sum(1 for p in promtool if not obsctl[p] and not promtool[p])
    if os.environ.get("RULES_TEST_DIFF_REPORT"):
        Path(os.environ["RULES_TEST_DIFF_REPORT"]).write_text(
            "\n".join(
                f"{Path(p).name}\t{'pass' if obsctl[p] else 'fail'}\t"
                f"{'pass' if promtool[p] else 'fail'}"
                for p in sorted(promtool)
            )
            + "\n",
            encoding="utf-8",
        )
    # The agreement counts are part of the report (pytest -s shows them).
    print(f"both pass {both}, only obsctl {only_obsctl}, neither {neither}")
    assert both > len(paths) // 2
