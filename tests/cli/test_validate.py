"""``obsctl validate`` end to end: exit codes, formats, stdin, merging, examples, --graph."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from obsctl.exit_codes import ExitCode

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "otelcol"

GOOD = """\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: localhost:4317
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch: {}
exporters:
  otlp_grpc:
    endpoint: backend:4317
    tls:
      ca_file: ca.pem
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp_grpc]
"""
BAD = GOOD.replace("exporters: [otlp_grpc]", "exporters: [otlp_grpc, jaeger]")
WARN = GOOD.replace("localhost:4317", "0.0.0.0:4317")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_clean_config_exits_0(cli, tmp_path):
    res = cli("validate", write(tmp_path, "c.yaml", GOOD))
    assert res.exit_code == ExitCode.OK, res.output
    assert "0 errors, 0 warnings, 1 info in 1 input" in res.stderr


def test_rejected_config_exits_1_with_position(cli, tmp_path):
    path = write(tmp_path, "c.yaml", BAD)
    res = cli("validate", path)
    assert res.exit_code == ExitCode.FINDINGS, res.output
    assert "25:30   error   OTC107" in res.stdout
    assert 'references exporter "jaeger" which is not configured' in res.stdout
    assert "      exporters: [otlp_grpc, jaeger]" in res.stdout  # code frame


def test_warnings_exit_0_unless_fail_on_warning(cli, tmp_path):
    path = write(tmp_path, "c.yaml", WARN)
    assert cli("validate", path).exit_code == ExitCode.OK
    res = cli("validate", path, "--fail-on", "warning")
    assert res.exit_code == ExitCode.FINDINGS
    assert cli("validate", write(tmp_path, "b.yaml", BAD), "--fail-on", "never").exit_code == 0


def test_missing_file_exits_2(cli, tmp_path):
    res = cli("validate", str(tmp_path / "nope.yaml"))
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.strip().splitlines()[0].endswith("nope.yaml: no such file")


def test_too_large_input_exits_2_with_one_line(cli, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (9 * 1024 * 1024))
    res = cli("validate", str(path))
    assert res.exit_code == ExitCode.USAGE
    assert len(res.stderr.strip().splitlines()) == 1
    assert "larger than the 8 MiB limit" in res.stderr


def test_stdin(cli):
    res = cli("validate", "-", input=BAD)
    assert res.exit_code == ExitCode.FINDINGS
    assert "<stdin>" in res.stdout


def test_multi_file_merge(cli, tmp_path):
    base = write(tmp_path, "base.yaml", BAD)
    extra = write(tmp_path, "extra.yaml", "exporters:\n  otlp_grpc/jaeger:\n    endpoint: j:4317\n")
    res = cli("validate", base, extra, "-o", "json")
    # still undefined: "jaeger" is not "otlp_grpc/jaeger"
    doc = json.loads(res.stdout)
    assert [f["rule_id"] for f in doc["findings"] if f["severity"] == "error"] == ["OTC107"]
    fixed = write(tmp_path, "fix.yaml", "exporters:\n  jaeger:\n    endpoint: j:4317\n")
    res = cli("validate", base, fixed, "-o", "json")
    doc = json.loads(res.stdout)
    # jaeger is now defined in fix.yaml, but it is a removed component
    (err,) = [f for f in doc["findings"] if f["severity"] == "error"]
    assert err["rule_id"] == "OTC200" and err["file"] == fixed and err["line"] == 2


def test_json_output(cli, tmp_path):
    res = cli("validate", write(tmp_path, "c.yaml", BAD), "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["tool"] == "validate" and doc["schema_version"] == 1
    assert doc["summary"] == {"info": 1, "warning": 0, "error": 1}
    finding = next(f for f in doc["findings"] if f["rule_id"] == "OTC107")
    assert finding["line"] == 25 and finding["column"] == 30
    assert finding["path"] == "service.pipelines.traces.exporters[1]"


def test_sarif_output(cli, tmp_path):
    res = cli("validate", write(tmp_path, "c.yaml", BAD), "-o", "sarif")
    doc = json.loads(res.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"OTC107", "OTC203"} <= rules
    result = next(r for r in run["results"] if r["ruleId"] == "OTC107")
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 25,
        "startColumn": 30,
    }


def test_junit_output(cli, tmp_path):
    res = cli("validate", write(tmp_path, "c.yaml", BAD), "-o", "junit")
    root = ET.fromstring(res.stdout)
    assert root.attrib["failures"] == "1"
    failure = root.find(".//testcase[@name='OTC107 undefined-component']/failure")
    assert failure is not None and "jaeger" in failure.attrib["message"]


def test_github_output_escapes(cli, tmp_path):
    path = write(tmp_path, "a,b:c.yaml", BAD)
    res = cli("validate", path, "-o", "github")
    line = next(ln for ln in res.stdout.splitlines() if "OTC107" in ln)
    assert line.startswith("::error file=")
    assert "a%2Cb%3Ac.yaml" in line
    assert ",line=25,col=30," in line


def test_secrets_never_printed(cli, tmp_path):
    text = GOOD.replace(
        "    tls:\n", "    headers:\n      authorization: Bearer s3cr3t\n    tls:\n"
    )
    path = write(tmp_path, "c.yaml", text)
    for fmt in ("text", "json", "sarif", "github", "junit"):
        res = cli("validate", path, "-o", fmt)
        assert "OTC305" in res.stdout, fmt
        assert "s3cr3t" not in res.stdout + res.stderr, fmt


def test_env_file_and_strict_env(cli, tmp_path):
    path = write(tmp_path, "c.yaml", GOOD.replace("backend:4317", "${env:BACKEND_ADDR}"))
    res = cli("validate", path)
    assert res.exit_code == ExitCode.OK and "OTC154" in res.stdout
    assert cli("validate", path, "--strict-env").exit_code == ExitCode.FINDINGS
    env = write(tmp_path, ".env", "BACKEND_ADDR=backend:4317\n")
    res = cli("validate", path, "--strict-env", "--env-file", env)
    assert res.exit_code == ExitCode.OK and "OTC154" not in res.stdout


def test_distribution_and_components_file(cli, tmp_path):
    text = GOOD.replace("  batch: {}\n", "  batch: {}\n  k8s_attributes: {}\n").replace(
        "[memory_limiter, batch]", "[memory_limiter, k8s_attributes, batch]"
    )
    path = write(tmp_path, "c.yaml", text)
    assert cli("validate", path, "--distribution", "k8s").exit_code == ExitCode.OK
    res = cli("validate", path, "--distribution", "core")
    assert res.exit_code == ExitCode.FINDINGS and "OTC204" in res.stdout
    listing = write(
        tmp_path,
        "components.yaml",
        "receivers:\n  - name: otlp\nprocessors:\n  - name: batch\n  - name: memory_limiter\n"
        "exporters:\n  - name: otlp_grpc\nextensions:\n  - name: health_check\n",
    )
    res = cli("validate", path, "--components", listing)
    assert res.exit_code == ExitCode.FINDINGS
    assert 'processor "k8s_attributes" is not part of the custom distribution' in res.stdout
    manifest = write(
        tmp_path,
        "builder.yaml",
        "receivers:\n  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v0.159.0\n"
        "processors:\n"
        "  - gomod: go.opentelemetry.io/collector/processor/batchprocessor v0.159.0\n"
        "  - gomod: go.opentelemetry.io/collector/processor/memorylimiterprocessor v0.159.0\n"
        "  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/processor/"
        "k8sattributesprocessor v0.159.0\n"
        "exporters:\n  - gomod: go.opentelemetry.io/collector/exporter/otlpexporter v0.159.0\n"
        "extensions:\n  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/"
        "extension/healthcheckextension v0.159.0\n",
    )
    assert cli("validate", path, "--components", manifest).exit_code == ExitCode.OK
    bad = write(tmp_path, "bad.yaml", "just text\n")
    assert cli("validate", path, "--components", bad).exit_code == ExitCode.USAGE


def test_feature_gates_enable_profiles(cli, tmp_path):
    text = GOOD + "    profiles:\n      receivers: [otlp]\n      exporters: [otlp_grpc]\n"
    path = write(tmp_path, "c.yaml", text)
    assert cli("validate", path).exit_code == ExitCode.FINDINGS
    res = cli("validate", path, "--feature-gates", "service.profilesSupport")
    assert "OTC112" not in res.stdout


def test_hostile_yaml_is_one_finding(cli, tmp_path):
    bomb = ['a: &a ["l","l","l","l","l","l","l","l","l"]']
    for i in range(1, 10):
        p, c = chr(96 + i), chr(97 + i)
        bomb.append(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]")
    res = cli("validate", write(tmp_path, "bomb.yaml", "\n".join(bomb) + "\n"), "-o", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == ExitCode.FINDINGS
    assert [f["rule_id"] for f in doc["findings"]] == ["OTC000"]
    assert "excessive aliasing" in doc["findings"][0]["message"]


def test_empty_file(cli, tmp_path):
    res = cli("validate", write(tmp_path, "e.yaml", "# nothing\n"))
    assert res.exit_code == ExitCode.FINDINGS
    assert "empty configuration file" in res.stdout


def test_graph_in_a_pipe_keeps_cells_whole_past_columns(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    res = cli("validate", str(EXAMPLES / "connectors.yaml"), "--graph")
    assert res.exit_code == ExitCode.OK, res.output
    # the graph follows the findings (whose text lines are the shared renderer's)
    all_lines = res.stdout.splitlines()
    lines = all_lines[next(i for i, ln in enumerate(all_lines) if ln == "traces") :]
    assert lines[1].startswith("╭")
    assert any("│ routing ▶ traces/acme, traces/default │" in ln for ln in lines)
    assert any("routing ◀ traces" in ln for ln in lines)
    assert "connector span_metrics: traces ▶ metrics" in res.stdout
    assert all(ln == ln.rstrip() for ln in lines)


def test_graph_in_json(cli):
    res = cli("validate", str(EXAMPLES / "connectors.yaml"), "--graph", "-o", "json")
    graph = json.loads(res.stdout)["summaries"]["graph"]
    assert [p["pipeline_id"] for p in graph["pipelines"]] == [
        "traces",
        "traces/acme",
        "traces/default",
        "metrics",
    ]
    assert graph["connectors"] == ["routing", "span_metrics", "service_graph"]


# Each realistic example validates with exactly these findings (rule, line).
EXPECTED = {
    "demo.yaml": [("OTC203", 15), ("OTC203", 24), ("OTC203", 32), ("OTC203", 59)],
    "connectors.yaml": [("OTC203", 40)],
    "tail-sampling.yaml": [("OTC154", 8), ("OTC203", 51)],
    # The chart's own defaults (debug exporter, health_check, MY_POD_IP) are not the user's.
    "helm-values.yaml": [("OTC154", 17)],
    "configmap.yaml": [("OTC303", 12), ("OTC201", 16), ("OTC306", 18), ("OTC302", 20)],
}
BROKEN = [
    ("OTC205", 7), ("OTC303", 9), ("OTC206", 16), ("OTC201", 20), ("OTC304", 23),
    ("OTC201", 24), ("OTC305", 27), ("OTC200", 28), ("OTC201", 31), ("OTC306", 33),
    ("OTC202", 36), ("OTC301", 37), ("OTC300", 37), ("OTC113", 38), ("OTC301", 39),
    ("OTC109", 40), ("OTC107", 41),
]  # fmt: skip


def test_broken_example_reports_everything_at_once(cli):
    res = cli("validate", str(EXAMPLES / "broken.yaml"), "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS
    doc = json.loads(res.stdout)
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == BROKEN
    assert doc["summary"] == {"info": 1, "warning": 9, "error": 7}


def test_list_rules_and_explain(cli):
    res = cli("validate", "--list-rules", "-o", "json")
    assert res.exit_code == ExitCode.OK
    rules = json.loads(res.stdout)["rules"]
    assert rules[0]["rule_id"] == "OTC000" and len(rules) == 42
    res = cli("validate", "--explain", "memory-limiter-first")
    assert res.exit_code == ExitCode.OK
    assert "OTC300 memory-limiter-first" in res.stdout
    assert "processor/README.md" in res.stdout
    res = cli("validate", "--explain", "OTC999")
    assert res.exit_code == ExitCode.USAGE
    assert "unknown rule 'OTC999'" in res.stderr


def test_no_input_is_usage_error(cli):
    res = cli("validate")
    assert res.exit_code == ExitCode.USAGE
    assert "no input" in res.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples(cli, name):
    env = str(EXAMPLES / "demo.env")
    res = cli("validate", str(EXAMPLES / name), "--env-file", env, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == EXPECTED[name]


def _fake_otelcol(tmp_path: Path, body: str) -> str:
    path = tmp_path / "otelcol"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_otelcol_verdict_merged(cli, tmp_path):
    binary = _fake_otelcol(
        tmp_path,
        'echo "Error: failed to build pipelines: service::pipelines::traces: boom" >&2\nexit 1\n',
    )
    res = cli("validate", write(tmp_path, "c.yaml", GOOD), "--otelcol", binary, "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS
    (err,) = [f for f in json.loads(res.stdout)["findings"] if f["rule_id"] == "OTC900"]
    assert err["message"].endswith("service::pipelines::traces: boom")
    assert err["line"] == 22  # located at the traces pipeline key
    ok = _fake_otelcol(tmp_path, 'case "$1 $2" in "validate --config="*) exit 0;; esac\nexit 3\n')
    assert cli("validate", write(tmp_path, "d.yaml", GOOD), "--otelcol", ok).exit_code == 0


def test_otelcol_not_executable(cli, tmp_path):
    res = cli("validate", write(tmp_path, "c.yaml", GOOD), "--otelcol", str(tmp_path / "x"))
    assert res.exit_code == ExitCode.USAGE
    assert "not an executable file" in res.stderr


def test_help_imports_no_yaml(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from obsctl.cli import app\n"
        "assert 'yaml' not in sys.modules and 'obsctl.analysis.validate' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


def test_otelcol_gets_the_unwrapped_config(cli, tmp_path):
    # A ConfigMap is not a collector config: the binary must get the extracted one.
    binary = _fake_otelcol(
        tmp_path,
        'f="${2#--config=}"\n'
        'grep -q "^receivers:" "$f" && ! grep -q "ConfigMap" "$f" && exit 0\n'
        'echo "Error: got the wrapper" >&2\nexit 1\n',
    )
    res = cli("validate", str(EXAMPLES / "configmap.yaml"), "--otelcol", binary)
    assert res.exit_code == ExitCode.OK, res.output
    assert "OTC900" not in res.stdout


def test_otelcol_error_located_by_component_id(cli, tmp_path):
    binary = _fake_otelcol(
        tmp_path,
        "echo 'Error: failed to get config: cannot unmarshal the configuration: decoding "
        'failed due to the following error(s):\' >&2\necho "" >&2\n'
        'echo "error reading configuration for \\"otlp_grpc\\": boom" >&2\nexit 1\n',
    )
    res = cli("validate", write(tmp_path, "c.yaml", GOOD), "--otelcol", binary, "-o", "json")
    (err,) = [f for f in json.loads(res.stdout)["findings"] if f["rule_id"] == "OTC900"]
    assert err["line"] == 13  # the otlp_grpc exporter key
    assert err["message"].endswith('error reading configuration for "otlp_grpc": boom')


def test_docs_list_every_rule():
    from obsctl.analysis.validate.rules import RULES

    docs = (REPO / "docs" / "validate.md").read_text()
    for rule in RULES.values():
        assert f"| `{rule.rule_id}` | {rule.name} | {rule.severity.value} |" in docs


def test_json_golden(cli, monkeypatch):
    """The JSON contract, pinned (regenerate with UPDATE_GOLDEN=1)."""
    monkeypatch.chdir(REPO)
    res = cli("validate", "examples/otelcol/broken.yaml", "-o", "json")
    golden = REPO / "tests" / "fixtures" / "otelcol" / "broken.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(res.stdout)
    assert json.loads(res.stdout) == json.loads(golden.read_text())


HELM_GATEWAY = Path(__file__).resolve().parents[1] / "fixtures/otelcol/helm-gateway-values.yaml"


def test_helm_values_chart_defaults_are_not_the_users_warnings(cli):
    # Before, the chart's defaults gave: OTC115 for the unused default debug exporter, OTC203
    # for the chart's mandatory health_check extension, OTC154 for MY_POD_IP (which the chart
    # sets in the pod), and OTC154 for the values' own extraEnvs.
    res = cli("validate", str(HELM_GATEWAY), "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert doc["findings"] == []
    assert doc["summary"] == {"info": 0, "warning": 0, "error": 0, "chart_defaults": 2}
    res = cli("validate", str(HELM_GATEWAY))
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == ""
    assert res.stderr == (
        "0 errors, 0 warnings, 0 info in 1 input; 2 about the Helm chart's default config not "
        "shown\n"
    )


def test_helm_values_user_mistakes_still_show(cli, tmp_path):
    text = HELM_GATEWAY.read_text()
    text = text.replace("${env:MIMIR_TENANT}", "${env:MIMIR_TENANTS}")  # a typo: not in extraEnvs
    text = text.replace("exporters: [otlp_grpc/tempo]", "exporters: [otlp_grpc/temp]")
    path = write(tmp_path, "values.yaml", text)
    res = cli("validate", path, "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    found = [(f["rule_id"], f["line"], f["message"]) for f in json.loads(res.stdout)["findings"]]
    assert [(r, line) for r, line, _ in found] == [("OTC115", 57), ("OTC154", 64), ("OTC107", 69)]
    assert "MIMIR_TENANTS is not set" in found[1][2]
    assert "(in the Helm chart" not in " ".join(m for _, _, m in found)


def test_helm_values_an_error_in_the_merged_defaults_stays_and_says_so(cli, tmp_path):
    # Removing the chart's health_check extension leaves the chart's service.extensions
    # naming it: the collector would refuse the config, so the error is kept.
    text = HELM_GATEWAY.read_text().replace(
        "config:\n", "config:\n  extensions:\n    health_check: null\n"
    )
    path = write(tmp_path, "values.yaml", text)
    res = cli("validate", path, "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    errors = [f for f in json.loads(res.stdout)["findings"] if f["severity"] == "error"]
    assert [(f["rule_id"], f["line"]) for f in errors] == [("OTC107", 42)]
    assert errors[0]["message"].endswith("(in the Helm chart's default config)")


def test_my_pod_ip_outside_helm_values_is_still_not_set(cli, tmp_path):
    text = "receivers:\n  otlp:\n    protocols:\n      grpc:\n"
    text += "        endpoint: ${env:MY_POD_IP}:4317\n"
    text += "exporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n"
    text += "      receivers: [otlp]\n      exporters: [debug]\n"
    res = cli("validate", write(tmp_path, "c.yaml", text), "-o", "json")
    rules = [f["rule_id"] for f in json.loads(res.stdout)["findings"]]
    assert "OTC154" in rules
