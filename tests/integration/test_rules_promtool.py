"""Differential test: ``obsctl rules check`` and Debian's ``promtool check rules`` (2.42) agree.

On every rule file the suite ships (tests/fixtures/rules and the rule files the integration
tests load), the verdict is the same: promtool exits 1 exactly when obsctl reports an error
with the promtool-parity rules (``--select RUL1``). Where they differ on purpose the reason is
written down in ``DIFFERENT``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import servers
from tests.integration.test_correlate_e2e import RULES as CORRELATE_RULES
from tests.integration.test_doctor_pipeline import FAILING_RULE
from tests.integration.test_rules_backtest import RULES as BACKTEST_RULES
from tests.integration.test_rules_server import RULES as SERVER_RULES
from tests.integration.test_rules_server import VM_RULES
from tests.unit.parsers.test_alert_rules_and_expr import PROMETHEUS_RULE, RULE_FILE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
EMBEDDED = {
    "correlate-e2e.yaml": CORRELATE_RULES,
    "doctor-failing-rule.yaml": FAILING_RULE,
    "rules-backtest.yaml": BACKTEST_RULES,
    "rules-server.yaml": SERVER_RULES,
    "rules-server-victoria-metrics.yaml": VM_RULES,
    "alert-rules-unit.yaml": RULE_FILE,
    "alert-rules-unit-prometheusrule.yaml": PROMETHEUS_RULE,
}

DIFFERENT = {
    # Prometheus 3 accepts any UTF-8 metric name; promtool 2.42 still checks the legacy charset.
    "utf8-record.yaml": "Prometheus 3 UTF-8 names",
    # query_offset (2.53) and group labels (3.0) are newer than promtool 2.42.
    "query-offset.yaml": "group keys newer than 2.42",
    # promtool reads the top level as a rule file and rejects apiVersion/kind/metadata/spec;
    # obsctl unwraps spec.groups, as the Prometheus Operator does.
    "alert-rules-unit-prometheusrule.yaml": "PrometheusRule objects are unwrapped",
}


def _promtool(path: Path) -> subprocess.CompletedProcess[str]:
    """``promtool check rules path``."""
    binary = servers.require_binary(servers.PROMTOOL_BIN)
    return subprocess.run(
        [binary, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _cases() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.yaml")) + sorted(EMBEDDED)


@pytest.mark.parametrize("name", _cases())
def test_same_verdict_as_promtool(cli, tmp_path, name: str) -> None:
    path = FIXTURES / name
    if name in EMBEDDED:
        path = tmp_path / name
        path.write_text(EMBEDDED[name])
    promtool_fails = _promtool(path).returncode == 1
    res = cli("rules", "check", str(path), "--select", "RUL1", "-o", "json")
    assert res.exit_code in (ExitCode.OK, ExitCode.FINDINGS), res.output
    errors = [f for f in json.loads(res.stdout)["findings"] if f["severity"] == "error"]
    obsctl_fails = bool(errors)
    if name in DIFFERENT:
        assert promtool_fails and not obsctl_fails, DIFFERENT[name]
    else:
        assert obsctl_fails == promtool_fails, errors


def test_shape_errors_are_worded_as_promtool_words_them(tmp_path: Path) -> None:
    # "groups: 5" and its kin: promtool says what the node is (`!!int `5``) and the Go type it
    # would not decode into; `rules check` and `rules test` read rule files with these words.
    import re

    from obsctl.errors import ParseError
    from obsctl.parsers.rule_file import parse_rule_file
    from obsctl.parsers.rules_unittest import parse_rule_groups
    from tests.unit.parsers.test_rule_unittest_rule_files import SHAPES

    for i, (text, pos, message) in enumerate(SHAPES):
        path = tmp_path / f"shape{i:02d}.yml"
        path.write_text(text + "\n", encoding="utf-8")
        out = _promtool(path)
        theirs = re.findall(rf"line {pos[0]}: (.*)", out.stdout + out.stderr)
        assert message in theirs, (text, out.stdout + out.stderr)
        with pytest.raises(ParseError) as err:
            parse_rule_groups(text + "\n", source=path.name)
        assert err.value.message == f"{path.name}:{pos[0]}:{pos[1]}: {message}"
        if text != "5":  # `rules check` says what a rule file is instead
            problems = parse_rule_file(text + "\n", source=path.name).problems
            assert [(p.message, p.pos) for p in problems] == [(message, pos)], text


def test_regex_errors_as_prometheus_reports_them(tmp_path: Path) -> None:
    """Every regex of ``tests/unit/model/test_re2_syntax.py`` in one rule file: promtool
    refuses exactly the ones obsctl does, in the same words, but for the differences listed
    there (promtool 2.42 parsed ``^(?:…)$`` around the pattern where Prometheus 3 parses the
    pattern alone, and its Go was older)."""
    from tests.unit.model.test_re2_syntax import (
        ANCHORED_WORDS,
        CASES,
        NEWER_GO_WORDS,
        NO_PYTHON,
        RAW_ONLY,
    )

    corpus = _re2_corpus_script()
    patterns = list(CASES)
    path = tmp_path / "regexes.yaml"
    path.write_text(corpus.regex_rule_file(patterns), encoding="utf-8")
    out = _promtool(path)
    said = corpus.promtool_answers(patterns, out.stdout + out.stderr)
    theirs = {pattern: message for pattern, message in said.items() if message is not None}
    res = subprocess.run(
        [sys.executable, "-m", "obsctl", "rules", "check", str(path), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    mine = {
        patterns[int(f["rule"].split(":")[-1])]: f["message"].removeprefix(
            "could not parse expression: "
        )
        for f in json.loads(res.stdout)["findings"]
        if f["rule_id"] == "RUL107"
    }
    for pattern in patterns:
        if pattern in RAW_ONLY:
            assert pattern in theirs and pattern not in mine, RAW_ONLY[pattern]
            continue
        if pattern in NO_PYTHON:
            assert pattern in mine and pattern not in theirs, NO_PYTHON[pattern]
            continue
        assert (pattern in theirs) == (pattern in mine), (pattern, theirs.get(pattern))
        if pattern not in mine or pattern in NEWER_GO_WORDS or pattern in ANCHORED_WORDS:
            continue
        # Errors quoting the whole pattern quote ^(?:pattern)$ in promtool 2.42.
        assert mine[pattern] == theirs[pattern].replace(f"`^(?:{pattern})$`", f"`{pattern}`")


def test_the_regex_corpus_is_what_promtool_says() -> None:
    """``tests/fixtures/re2/promtool.json`` (the unit tests hold obsctl to it) is current."""
    servers.require_binary(servers.PROMTOOL_BIN)
    proc = subprocess.run(
        [sys.executable, str(_RE2_CORPUS), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


_RE2_CORPUS = Path(__file__).resolve().parents[2] / "scripts" / "re2_corpus.py"


def _re2_corpus_script() -> Any:
    """``scripts/re2_corpus.py``, whose rule file and reading of promtool's answers the
    regex tests share."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("re2_corpus", _RE2_CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
