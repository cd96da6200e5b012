"""``obsctl rules test`` end to end: verdicts, the diff, JSON, JUnit, --run, --coverage, errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from obsctl.exit_codes import ExitCode
from tests.conftest import FIXTURES, Cli

DIR = FIXTURES / "rules_test"
PASS = str(DIR / "pass_test.yml")
FAIL = str(DIR / "fail_test.yml")


def test_all_pass_exits_0(cli: Cli) -> None:
    res = cli("rules", "test", PASS)
    assert res.exit_code == ExitCode.OK, res.output
    assert "  PASS  instance down fires after for" in res.stdout
    assert "  PASS  keep firing" in res.stdout
    assert "FAIL" not in res.stdout
    assert "4 passed, 0 failed" in res.stderr


def test_failures_exit_1_with_a_diff_per_group(cli: Cli) -> None:
    res = cli("rules", "test", FAIL)
    assert res.exit_code == ExitCode.FINDINGS, res.output
    assert "  PASS  passes" in res.stdout
    assert "  FAIL  fires too early" in res.stdout
    # expected-only alert marked -, nothing got
    assert (
        "    alert InstanceDown at 4m: expected 1 firing alert, got 0\n"
        '      - {alertname="InstanceDown", instance="a:9100", job="node", severity="page"}\n'
    ) in res.stdout
    # a changed annotation shows both sides
    assert 'summary="Instance a:9100 is down"}' in res.stdout
    assert '      + {alertname="InstanceDown"' in res.stdout
    # sample values, series by series
    assert '      - {__name__="job:http_requests:rate5m", job="api"} 2\n' in res.stdout
    assert '      + {__name__="job:http_requests:rate5m", job="api"} 1\n' in res.stdout
    assert "1 passed, 3 failed" in res.stderr
    assert "obsctl: error" not in res.stderr


def test_json_contract(cli: Cli) -> None:
    res = cli("rules", "test", PASS, FAIL, "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1
    assert [f["file"] for f in doc["files"]] == [PASS, FAIL]
    groups = {g["name"]: g for g in doc["files"][1]["groups"]}
    assert groups["passes"] == {"name": "passes", "passed": True, "failures": []}
    early = groups["fires too early"]
    assert early["passed"] is False
    (failure,) = early["failures"]
    assert failure["kind"] == "alert"
    assert failure["eval_time"] == 240.0
    assert failure["alertname"] == "InstanceDown"
    assert failure["expected"] == [
        {
            "labels": {
                "alertname": "InstanceDown",
                "instance": "a:9100",
                "job": "node",
                "severity": "page",
            },
            "annotations": {},
        }
    ]
    assert failure["got"] == []
    assert "InstanceDown" in failure["message"]
    (value,) = groups["wrong value"]["failures"]
    assert value["kind"] == "expr"
    assert value["expr"] == "job:http_requests:rate5m"
    assert value["expected"] == [
        {"labels": {"__name__": "job:http_requests:rate5m", "job": "api"}, "value": 2.0}
    ]
    assert value["got"] == [
        {"labels": {"__name__": "job:http_requests:rate5m", "job": "api"}, "value": 1.0}
    ]


def test_junit(cli: Cli) -> None:
    res = cli("rules", "test", FAIL, "-o", "junit")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    root = ET.fromstring(res.stdout)
    assert root.tag == "testsuites"
    assert root.get("tests") == "4"
    assert root.get("failures") == "3"
    (suite,) = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["passes"].find("failure") is None
    failure = cases["wrong value"].find("failure")
    assert failure is not None
    assert "job:http_requests:rate5m" in (failure.text or "")


def test_run_selects_groups(cli: Cli) -> None:
    res = cli("rules", "test", FAIL, "--run", "^pass", "--run", "nomatch", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    names = [g["name"] for g in json.loads(res.stdout)["files"][0]["groups"]]
    assert names == ["passes"]


def test_invalid_run_regex_is_usage_error(cli: Cli) -> None:
    res = cli("rules", "test", FAIL, "--run", "(")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith("obsctl: error: --run: invalid regular expression")


def test_coverage_lists_untested_alerts(cli: Cli) -> None:
    res = cli("rules", "test", PASS, "--coverage", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    uncovered = json.loads(res.stdout)["uncovered_alerts"]
    names = [u["alertname"] for u in uncovered]
    assert names == ["Untested"]
    assert uncovered[0]["file"].endswith("rules.yml")
    assert uncovered[0]["line"] == 32
    text = cli("rules", "test", PASS, "--coverage")
    assert "rules.yml:32: Untested (group alerts)" in text.stdout


def test_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    res = cli("rules", "test", str(tmp_path / "nope.yml"))
    assert res.exit_code == ExitCode.USAGE
    assert (
        res.stderr.strip().splitlines()[-1]
        == f"obsctl: error: {tmp_path / 'nope.yml'}: no such file"
    )


def test_unreadable_file_does_not_stop_the_others(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("tests: [\n")
    res = cli("rules", "test", str(bad), PASS, "-o", "json")
    assert res.exit_code == ExitCode.USAGE
    files = json.loads(res.stdout)["files"]
    assert "invalid YAML" in files[0]["error"]
    assert all(g["passed"] for g in files[1]["groups"])


def test_unknown_key_is_rejected_like_promtool(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "t.yml"
    f.write_text("rule_files: []\ntests:\n  - name: x\n    intervall: 1m\n")
    res = cli("rules", "test", str(f))
    assert res.exit_code == ExitCode.USAGE
    assert f"{f}:4:5: field intervall not found in a test group" in res.stderr


def test_bad_promql_in_rule_file_fails_the_group(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "r.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n"
    )
    (tmp_path / "t.yml").write_text(
        "rule_files: [r.yml]\ntests:\n  - name: x\n    interval: 1m\n"
        "    alert_rule_test:\n      - eval_time: 1m\n        alertname: A\n"
    )
    res = cli("rules", "test", str(tmp_path / "t.yml"), "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    (failure,) = json.loads(res.stdout)["files"][0]["groups"][0]["failures"]
    assert failure["kind"] == "error"
    assert "parse error" in failure["message"]


def test_rule_files_glob_relative_to_the_test_file(cli: Cli, tmp_path: Path) -> None:
    sub = tmp_path / "rules"
    sub.mkdir()
    (sub / "a.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - record: two\n        expr: vector(2)\n"
    )
    (tmp_path / "t.yml").write_text(
        "rule_files: ['rules/*.yml', 'missing/*.yml']\ntests:\n  - name: x\n    interval: 1m\n"
        "    promql_expr_test:\n      - expr: two\n        eval_time: 1m\n"
        "        exp_samples:\n          - labels: two\n            value: 2\n"
    )
    res = cli("rules", "test", str(tmp_path / "t.yml"))
    assert res.exit_code == ExitCode.OK, res.output
    assert "obsctl: warning: " in res.stderr
    assert "no file match pattern" in res.stderr
    assert "warning" not in res.stdout
