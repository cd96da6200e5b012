"""``obsctl rules check`` end to end: promtool-parity errors, checks beyond, formats, exits."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from obsctl.exit_codes import ExitCode

RULES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

# fixture → the promtool-parity findings (rule ID, line, column) it must produce
PROMTOOL_ERRORS = {
    "bad-duration.yaml": [("RUL110", 6, 14)],
    # promtool: "1:26: parse error: unclosed left parenthesis", the end of the expression.
    "bad-promql.yaml": [("RUL107", 5, 40)],
    "bad-template.yaml": [("RUL111", 7, 20)],
    "braces-in-record.yaml": [("RUL109", 4, 17)],
    "duplicate-group.yaml": [("RUL103", 6, 11)],
    "duplicate-rule.yaml": [("RUL112", 6, 9)],
    "empty-group-name.yaml": [("RUL102", 2, 5)],
    "label-name.yaml": [("RUL109", 6, 9)],
    "map-into-string.yaml": [("RUL106", 6, 11)],
    "seq-into-expr.yaml": [("RUL106", 5, 15)],
    "empty-record.yaml": [("RUL105", 4, 17)],
    "neither.yaml": [("RUL105", 4, 9)],
    "no-expr.yaml": [("RUL106", 4, 9)],
    "not-a-list.yaml": [("RUL100", 2, 3)],
    "prometheusrule.yaml": [("RUL107", 19, 49)],
    "record-and-alert.yaml": [("RUL104", 5, 17)],
    "recording-annotations.yaml": [("RUL108", 6, 9)],
    "unclosed-template.yaml": [("RUL111", 7, 17)],
    "undefined-variable.yaml": [("RUL111", 7, 20)],
    "unknown-field.yaml": [("RUL101", 6, 9)],
    "mixed.yaml": [("RUL110", 8, 14)],
    "merge-keys.yaml": [],
    "null-values.yaml": [],
    "good.yaml": [],
    "empty.yaml": [],
    "multi-document.yaml": [],
    "query-offset.yaml": [],
    "utf8-record.yaml": [],
}


def _findings(stdout: str) -> list[dict[str, object]]:
    return json.loads(stdout)["findings"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(PROMTOOL_ERRORS))
def test_promtool_parity_findings(cli, name) -> None:
    res = cli("rules", "check", str(RULES / name), "--select", "RUL1", "-o", "json")
    found = [(f["rule_id"], f["line"], f["column"]) for f in _findings(res.stdout)]
    assert found == PROMTOOL_ERRORS[name]
    errors = any(rule != "RUL112" for rule, _, _ in found)
    assert res.exit_code == (ExitCode.FINDINGS if errors else ExitCode.OK)


def test_messages_are_promtools(cli) -> None:
    res = cli("rules", "check", str(RULES / "bad-template.yaml"), "-o", "json")
    messages = {f["rule_id"]: f["message"] for f in _findings(res.stdout)}
    assert messages["RUL111"] == (
        'annotation "summary": template: __alert_A:1: function "nosuchfunction" not defined'
    )
    res = cli("rules", "check", str(RULES / "duplicate-group.yaml"), "-o", "json")
    messages = {f["rule_id"]: f["message"] for f in _findings(res.stdout)}
    assert messages["RUL103"] == 'groupname: "g" is repeated in the same file'


def test_json_contract(cli) -> None:
    res = cli("rules", "check", str(RULES / "prometheusrule.yaml"), "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1 and doc["tool"] == "rules check"
    assert doc["summary"] == {"info": 0, "warning": 2, "error": 1}  # Broken: no severity/summary
    (finding,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert {k: finding[k] for k in ("rule_id", "severity", "line", "column", "group", "rule")} == {
        "rule_id": "RUL107",
        "severity": "error",
        "line": 19,
        "column": 49,
        "group": "api",
        "rule": "Broken",
    }
    assert finding["file"].endswith("prometheusrule.yaml")
    assert finding["rule_name"] == "invalid-promql"


def test_beyond_promtool_on_one_file(cli, tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        """\
groups:
  - name: api
    rules:
      - alert: AlwaysOn
        expr: up
        labels: {severity: page}
        annotations: {summary: x}
      - alert: Flappy
        expr: sum by (job) (rate(http_requests_total[1m])) > 1
        for: 30s
        annotations:
          summary: "{{ $labels.instance }}"
      - record: temperature_rate
        expr: rate(temperature_celsius[5m])
      - alert: Regex
        expr: up{job=~"api", env=~".*"} == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
      - alert: NoFor
        expr: increase(errors_total[5m]) > 0
        labels: {severity: page}
        annotations: {summary: x}
"""
    )
    res = cli("rules", "check", str(path), "-o", "json")
    assert res.exit_code == ExitCode.OK  # all warnings
    found = sorted((f["rule_id"], f["line"]) for f in _findings(res.stdout))
    assert found == [
        ("RUL200", 5),  # up: no comparison
        ("RUL201", 14),  # rate over a gauge name
        ("RUL202", 9),  # [1m] < 2 × 1m
        ("RUL203", 9),  # $labels.instance aggregated away by sum by (job)
        ("RUL204", 10),  # for: 30s < 1m
        ("RUL205", 16),  # job=~"api"
        ("RUL205", 16),  # env=~".*"
        ("RUL206", 13),  # temperature_rate is not level:metric:operations
        ("RUL207", 8),  # Flappy has no severity
        ("RUL209", 20),  # increase() without for
    ]
    res = cli("rules", "check", str(path), "--scrape-interval", "15s", "-o", "json",
              "--require-label", "", "--select", "RUL202,RUL207")  # fmt: skip
    assert _findings(res.stdout) == []
    res = cli("rules", "check", str(path), "--require-annotation", "runbook_url", "-o", "json",
              "--select", "RUL208")  # fmt: skip
    assert len(_findings(res.stdout)) == 4


def test_exit_codes_for_unreadable_input(cli, tmp_path) -> None:
    res = cli("rules", "check", str(tmp_path / "missing.yaml"))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith("obsctl: error: ") and "no such file" in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups: [\n  - name: x\n")
    res = cli("rules", "check", str(bad))
    assert res.exit_code == ExitCode.USAGE
    assert "not YAML" in res.stderr and "Traceback" not in res.stderr
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert cli("rules", "check", str(binary)).exit_code == ExitCode.USAGE
    assert cli("rules", "check").exit_code == ExitCode.USAGE
    assert cli("rules", "check", str(tmp_path / "*.nothing")).exit_code == ExitCode.USAGE


@pytest.mark.parametrize("processes", ["1", "2"])
def test_the_first_bad_input_decides_the_error(cli, tmp_path, monkeypatch, processes) -> None:
    # All inputs are read before the YAML is (so that a helper process can start on them):
    # the error is still the first one in input order, as when they are read one by one.
    from obsctl.workflows import rules_early

    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", processes)
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - record: a\n        expr: up\n[")
    missing = tmp_path / "missing.yaml"
    res = cli("rules", "check", str(bad), str(missing))
    assert res.exit_code == ExitCode.USAGE
    assert "not YAML" in res.stderr and "no such file" not in res.stderr
    res = cli("rules", "check", str(missing), str(bad))
    assert res.exit_code == ExitCode.USAGE
    assert "no such file" in res.stderr and "not YAML" not in res.stderr


def test_directories_globs_and_stdin(cli, tmp_path) -> None:
    res = cli("rules", "check", str(RULES), "--select", "RUL1", "-o", "json")
    doc = json.loads(res.stdout)
    assert len(doc["inputs"]) == len(PROMTOOL_ERRORS)
    assert res.exit_code == ExitCode.FINDINGS
    res = cli("rules", "check", str(RULES / "good*.yaml"), "-o", "json")
    assert json.loads(res.stdout)["inputs"] == [str(RULES / "good.yaml")]
    text = (RULES / "bad-duration.yaml").read_text()
    res = cli("rules", "check", "-", "-o", "json", "--select", "RUL1", input=text)
    (finding,) = _findings(res.stdout)
    assert (finding["file"], finding["line"]) == ("<stdin>", 6)


def test_other_formats(cli) -> None:
    path = str(RULES / "bad-promql.yaml")
    gh = cli("rules", "check", path, "-o", "github", "--select", "RUL1").stdout
    assert gh.startswith("::error file=") and ",line=5,col=40," in gh
    xml = cli("rules", "check", path, "-o", "junit", "--select", "RUL1").stdout
    cases = {c.get("name"): c for c in ElementTree.fromstring(xml).iter("testcase")}
    assert cases["RUL107 invalid-promql"].find("failure") is not None
    text = cli("rules", "check", path, "--select", "RUL1")
    assert "RUL107 could not parse expression: unclosed left parenthesis" in text.stdout
    assert text.stderr == "1 error, 0 warnings, 0 info in 1 input\n"


def test_explain_and_list(cli) -> None:
    res = cli("rules", "check", "--explain", "alert-always-fires")
    assert res.exit_code == ExitCode.OK
    assert res.stdout.startswith("RUL200 alert-always-fires  (warning)")
    doc = json.loads(cli("rules", "check", "--list-rules", "-o", "json").stdout)
    assert [r["rule_id"] for r in doc["rules"]][:3] == ["RUL100", "RUL101", "RUL102"]
    assert all(r["explanation"] for r in doc["rules"])


def test_backtest_usage_errors(cli, tmp_path) -> None:
    path = str(RULES / "good.yaml")
    res = cli("rules", "backtest", path, "--budget", "firings<=x", "--prometheus-url",
              "http://127.0.0.1:9")  # fmt: skip
    assert res.exit_code == ExitCode.USAGE
    assert "--budget: firings takes a count" in res.stderr
    res = cli("rules", "backtest", path, "--start", "now", "--end", "now-1h")
    assert res.exit_code == ExitCode.USAGE
    res = cli("rules", "backtest", str(tmp_path / "missing.yaml"))
    assert res.exit_code == ExitCode.USAGE
