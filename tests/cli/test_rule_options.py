"""The shared rule options behave identically on every findings command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.exit_codes import ExitCode

REPO = Path(__file__).resolve().parents[2]
LINT_INPUT = str(REPO / "examples" / "metrics" / "checkout-service.prom")
VALIDATE_INPUT = str(REPO / "examples" / "otelcol" / "broken.yaml")
RULES_INPUT = str(REPO / "tests" / "fixtures" / "rules" / "mixed.yaml")

# command, input, a rule that fires on the input, a prefix covering it, a rule that does not
COMMANDS = [
    pytest.param("lint", LINT_INPUT, "OBS103", "OBS1", "OBS402", id="lint"),
    pytest.param("validate", VALIDATE_INPUT, "OTC303", "OTC3", "OTC900", id="validate"),
    pytest.param("rules check", RULES_INPUT, "RUL202", "RUL2", "RUL300", id="rules-check"),
]
SHARED = (
    "--select",
    "--ignore",
    "--baseline",
    "--write-baseline",
    "--fail-on",
    "--list-rules",
    "--explain",
    "--stdin-name",
)


def _run(cli, command: str, *args: str, **kw: object):
    return cli(*command.split(), *args, **kw)


def _ids(stdout: str) -> list[str]:
    return [f["rule_id"] for f in json.loads(stdout)["findings"]]


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_select_and_ignore(cli, command, path, rule, prefix, quiet) -> None:
    everything = _ids(_run(cli, command, path, "-o", "json").stdout)
    assert rule in everything
    assert any(not r.startswith(prefix) for r in everything)
    selected = _ids(_run(cli, command, path, "-o", "json", "--select", prefix).stdout)
    assert selected and all(r.startswith(prefix) for r in selected)
    ignored = _ids(_run(cli, command, path, "-o", "json", "--ignore", f"{rule},{quiet}").stdout)
    assert rule not in ignored
    assert len(ignored) == len(everything) - everything.count(rule)


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_baseline_round_trip(cli, tmp_path, command, path, rule, prefix, quiet) -> None:
    baseline = tmp_path / "baseline.json"
    res = _run(cli, command, path, "--baseline", str(baseline), "--write-baseline")
    assert res.exit_code == ExitCode.OK
    assert res.stdout == ""
    assert "accepted findings to" in res.stderr
    doc = json.loads(baseline.read_text())
    assert doc["tool"] == f"obsctl {command}"
    assert any(key.startswith(f"{rule}|") for key in doc["accepted"])
    res = _run(cli, command, path, "--baseline", str(baseline), "-o", "json")
    assert res.exit_code == ExitCode.OK
    assert _ids(res.stdout) == []
    # A baseline without one accepted finding lets exactly that one through.
    doc["accepted"] = [k for k in doc["accepted"] if not k.startswith(f"{rule}|")]
    baseline.write_text(json.dumps(doc))
    res = _run(cli, command, path, "--baseline", str(baseline), "-o", "json")
    assert set(_ids(res.stdout)) == {rule}


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_usage_errors(cli, tmp_path, command, path, rule, prefix, quiet) -> None:
    res = _run(cli, command, path, "--select", "NOPE9")
    assert res.exit_code == ExitCode.USAGE
    assert "unknown rule(s) NOPE9" in res.stderr
    res = _run(cli, command, path, "--baseline", str(tmp_path / "missing.json"))
    assert res.exit_code == ExitCode.USAGE
    assert "cannot read baseline" in res.stderr
    res = _run(cli, command, "--explain", "nope")
    assert res.exit_code == ExitCode.USAGE
    assert f"obsctl {command} --list-rules" in res.stderr


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_list_rules_and_explain(cli, command, path, rule, prefix, quiet) -> None:
    doc = json.loads(_run(cli, command, "--list-rules", "-o", "json", "--ignore", prefix).stdout)
    entries = {r["rule_id"]: r for r in doc["rules"]}
    assert not entries[rule]["enabled"] and entries[quiet]["enabled"]
    assert set(doc["rules"][0]) == {
        "rule_id",
        "name",
        "default_severity",
        "severity",
        "enabled",
        "summary",
        "explanation",
        "help_uri",
    }
    # --explain is repeatable; json lists the rules in the order asked.
    doc = json.loads(_run(cli, command, "--explain", quiet, "--explain", rule, "-o", "json").stdout)
    assert [r["rule_id"] for r in doc["rules"]] == [quiet, rule]
    # Formats without a catalogue renderer print the text listing, on both commands.
    res = _run(cli, command, "--list-rules", "-o", "sarif")
    assert res.exit_code == ExitCode.OK
    assert res.stdout.splitlines()[0].split()[:2] == ["ID", "SEVERITY"]


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_fail_on(cli, command, path, rule, prefix, quiet) -> None:
    assert _run(cli, command, path).exit_code == ExitCode.FINDINGS
    assert _run(cli, command, path, "--fail-on", "never").exit_code == ExitCode.OK
    res = _run(cli, command, path, "--select", rule, "--fail-on", "error")
    assert res.exit_code == ExitCode.OK  # both rules are warnings by default
    res = _run(cli, command, path, "--select", rule, "--fail-on", "warning")
    assert res.exit_code == ExitCode.FINDINGS


def _panels(cli, command: str) -> dict[str, str]:
    """Option → the help panel it is listed in."""
    text = _run(cli, command, "--help", env={"COLUMNS": "200"}).stdout
    panel, out = "", {}
    for line in text.splitlines():
        stripped = line.strip("│ ")
        if line.startswith("╭─"):
            panel = line.strip("╭─╮ ").strip("─ ")
        elif stripped.startswith("--"):
            out[stripped.split()[0]] = panel
    return out


def test_shared_options_share_one_panel(cli) -> None:
    lint, validate = _panels(cli, "lint"), _panels(cli, "validate")
    rules = _panels(cli, "rules check")
    for option in SHARED:
        assert lint[option] == validate[option] == rules[option] == "Rules", option


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_stdin_name_names_stdin_in_findings_sarif_and_baseline_keys(
    cli, tmp_path, monkeypatch, command, path, rule, prefix, quiet
) -> None:
    monkeypatch.chdir(tmp_path)
    data = Path(path).read_bytes()
    name = f"deploy/{Path(path).name}"
    (tmp_path / "deploy").mkdir()
    (tmp_path / name).write_bytes(data)
    res = _run(cli, command, "-", "--stdin-name", name, "-o", "json", input=data)
    findings = json.loads(res.stdout)["findings"]
    assert rule in [f["rule_id"] for f in findings]
    assert {f["file"] for f in findings} == {name}
    assert json.loads(res.stdout)["inputs"] == [name]
    res = _run(cli, command, "-", "--stdin-name", name, "-o", "sarif", input=data)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(res.stdout)["runs"][0]["results"]
        for loc in result["locations"]
    }
    assert uris == {name}
    # A baseline written from the file itself accepts the same findings read from stdin.
    res = _run(cli, command, name, "--write-baseline")
    assert res.exit_code == ExitCode.OK, res.output
    res = _run(cli, command, "-", "--stdin-name", name, "--baseline",
               "obsctl-baseline.json", "-o", "json", input=data)  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert _ids(res.stdout) == []
    assert json.loads(res.stdout)["summary"]["suppressed"] == len(findings)
    # Without the name, stdin is another input: nothing is suppressed.
    res = _run(cli, command, "-", "--baseline", "obsctl-baseline.json", "-o", "json", input=data)
    assert rule in _ids(res.stdout)


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_stdin_name_needs_stdin(cli, command, path, rule, prefix, quiet) -> None:
    res = _run(cli, command, path, "--stdin-name", "x.yaml")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr == (
        "obsctl: error: --stdin-name names standard input: give - among the inputs\n"
    )


@pytest.mark.parametrize(("command", "path", "rule", "prefix", "quiet"), COMMANDS)
def test_list_rules_piped_at_80_columns_is_one_whole_line_per_rule(
    cli, command, path, rule, prefix, quiet
) -> None:
    doc = json.loads(_run(cli, command, "--list-rules", "-o", "json").stdout)
    res = _run(cli, command, "--list-rules", "--ignore", rule, env={"COLUMNS": "80"})
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == 1 + len(doc["rules"])
    for r, line in zip(doc["rules"], lines[1:], strict=True):
        assert line.split()[0] == r["rule_id"]
        assert line.endswith("  " + r["summary"]), line
    assert lines[1 + [r["rule_id"] for r in doc["rules"]].index(rule)].split()[1] == "off"
    assert [line for line in lines if line != line.rstrip()] == []
