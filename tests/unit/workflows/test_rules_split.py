"""Expression facts in two processes (``workflows.rules_split``) are the one-process facts."""

from __future__ import annotations

import os

import pytest

from obsctl.parsers.rule_expr import expression_facts, expression_plan, facts_or_error
from obsctl.parsers.rule_file import parse_rule_file
from obsctl.workflows import rules_split
from tests.cli.test_rules_check_golden import bench_shaped

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

MIXED = """groups:
  - name: a
    rules:
      - alert: Templated
        expr: sum by (job) (rate(x_total[5m])) > 1
        annotations: {summary: "{{ $labels.job }}"}
      - record: job:x:rate5m
        expr: sum by (job) (rate(x_total[5m])) > 1
      - record: bad
        expr: sum by (job) (rate(x_total[5m])
      - alert: Plain
        expr: label_replace(up, "a", "$1", "b", "(.*)") == 0 unless on (a) y offset 5m
"""


def _keys(text: str) -> list[tuple[str, bool]]:
    rule_file = parse_rule_file(text, source="x.yaml")
    return list(expression_plan(rule_file).items())


def test_split_facts_are_the_one_process_facts() -> None:
    keys = _keys(bench_shaped(300)) + _keys(MIXED)
    split = rules_split.facts_split(keys)
    assert list(split) == keys
    assert split == {key: facts_or_error(*key) for key in keys}
    assert any(not hasattr(f, "selectors") for f in split.values())  # parse errors travel too


def test_a_failing_child_leaves_the_work_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_facts: object) -> tuple[object, ...]:
        raise RuntimeError("child fails")

    monkeypatch.setattr(rules_split, "_encode", broken)  # only the child encodes
    keys = _keys(bench_shaped(100))
    assert rules_split.facts_split(keys) == {key: facts_or_error(*key) for key in keys}


def test_file_facts_per_file_keep_each_files_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same expression is templated in one file and not in the other: each file gets the
    # facts its own plan asks for, whether split or not.
    one = parse_rule_file(MIXED, source="one.yaml")
    plain = MIXED.replace('annotations: {summary: "{{ $labels.job }}"}', "")
    two = parse_rule_file(plain, source="two.yaml")
    want = [expression_facts(one), expression_facts(two)]
    assert want[0] != want[1]  # the templated alert's output labels are worked out
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    monkeypatch.setattr(rules_split, "SPLIT_MIN_EXPRESSIONS", 1)
    assert rules_split.file_expression_facts([one, two]) == want
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "1")
    assert rules_split.file_expression_facts([one, two]) == want


@pytest.mark.parametrize(
    ("setting", "count", "load", "cpus", "expected"),
    [
        ("", 5000, 0.3, 2, True),
        ("", 5000, 1.5, 2, False),  # no CPU to spare
        ("", 999, 0.0, 2, False),  # too few expressions
        ("", 5000, 0.0, 1, False),
        ("1", 5000, 0.0, 4, False),
        ("2", 5000, 9.0, 2, True),
        ("2", 10, 0.0, 2, False),
    ],
)
def test_when_to_split(
    monkeypatch: pytest.MonkeyPatch, setting: str, count: int, load: float, cpus: int,
    expected: bool,
) -> None:  # fmt: skip
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", setting)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    assert rules_split.split_enabled(count) is expected
