"""``obsctl rules check`` findings pinned byte for byte (golden files).

The speed work on the rule-file reader, the PromQL parser and the checks must not change a
single finding. Two kinds of input are pinned: every rule file the suite ships, and a small
file of the benchmark's shape (``bench/rules.py``: groups of 50, recording rules and templated
alerts) salted with the mistakes every check looks for, so that each check fires many times.

Regenerate after an intended change with ``OBSCTL_UPDATE_GOLDEN=1 pytest
tests/cli/test_rules_check_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.integration.test_rules_promtool import EMBEDDED, FIXTURES

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "rules-golden"
UPDATE = os.environ.get("OBSCTL_UPDATE_GOLDEN") == "1"


def bench_shaped(rules: int) -> str:
    """``rules`` rules in the benchmark's shape; ``i`` picks which mistakes a rule carries."""
    lines = ["groups:"]
    for g in range(rules // 50):
        interval = "1m" if g % 3 else "2m"
        lines += [f"  - name: group-{g % 7}", f"    interval: {interval}", "    rules:"]
        for r in range(50):
            i = g * 50 + r
            rng = "30s" if i % 7 == 3 else "5m"
            regex = '"500"' if i % 11 == 5 else '"5.."'
            metric = f"temperature_celsius_{i}" if i % 17 == 4 else f"http_requests_{i}_total"
            if i % 29 == 9:
                metric = "http_requests_total"  # the same expression again (parsed once)
            if r % 2 == 0:
                name = f"job:http_requests_{i}:rate5m" if i % 13 else f"http_requests_{i}_rate"
                expr = f"sum by (job) (rate({metric}{{code=~{regex}}}[{rng}]))"
                if i % 23 == 6:
                    expr = f"sum by (job) (rate({metric}[{rng}])"  # unclosed parenthesis
                lines += [f"      - record: {name}", f"        expr: {expr}"]
                continue
            by = "job" if i % 9 == 1 else "job, instance"
            expr = (
                f"sum by ({by}) (rate({metric}{{code=~{regex}}}[{rng}])) / "
                f"sum by ({by}) (rate({metric}[{rng}]))"
            )
            if i % 19 != 2:
                expr += " > 0.05"
            lines += [f"      - alert: HighErrors{i % 400}", f"        expr: {expr}"]
            if i % 5 == 1:
                lines.append("        for: 30s")
            elif i % 5 != 3:
                lines.append("        for: 10m")
            if i % 8 != 5:
                lines += ["        labels:", "          severity: page"]
            if i % 10 != 7:
                summary = "{{ $labels.instance }}: {{ $value | humanizePercentage }}"
                if i % 31 == 15:
                    summary = "{{ $labels.instance "  # does not parse
                lines += ["        annotations:", f'          summary: "{summary}"']
                lines.append(f"          runbook_url: https://runbooks.example.com/{i}")
    return "\n".join(lines) + "\n"


def _findings(cli, path: Path) -> dict[str, object]:
    res = cli("rules", "check", str(path), "-o", "json", "--fail-on", "never")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    for finding in report["findings"]:
        finding["file"] = path.name
    return {"summary": report["summary"], "findings": report["findings"]}


def _check(name: str, got: dict[str, object]) -> None:
    golden = GOLDEN / f"{name}.json"
    text = json.dumps(got, indent=1, ensure_ascii=False) + "\n"
    if UPDATE:
        golden.write_text(text)
    assert text == golden.read_text(), f"findings of {name} changed"


@pytest.mark.parametrize("rules", [100, 500])
def test_bench_shaped_file(cli, tmp_path: Path, rules: int) -> None:
    path = tmp_path / f"bench-{rules}.yaml"
    path.write_text(bench_shaped(rules))
    got = _findings(cli, path)
    assert len(got["findings"]) > rules // 2  # type: ignore[arg-type]
    _check(f"bench-{rules}", got)


def test_bench_shaped_file_in_two_processes(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The expressions parsed partly by a forked helper (``workflows.rules_split``): the same
    findings, byte for byte."""
    from obsctl.workflows import rules_early

    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    path = tmp_path / "bench-500.yaml"
    path.write_text(bench_shaped(500))
    _check("bench-500", _findings(cli, path))
    assert forks == [1]


def test_every_shipped_rule_file(cli, tmp_path: Path) -> None:
    got: dict[str, object] = {}
    for path in sorted(FIXTURES.glob("*.yaml")):
        got[path.name] = _findings(cli, path)
    for name, text in sorted(EMBEDDED.items()):
        path = tmp_path / name
        path.write_text(text)
        got[name] = _findings(cli, path)
    _check("shipped", got)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_entry_point_with_the_helper_started_before_the_cli(tmp_path: Path) -> None:
    """Through the console entry point, which forks the helper before the CLI loads
    (``workflows/rules_early.py``): the same report, byte for byte, as in one process."""
    import subprocess
    import sys

    path = tmp_path / "bench-1500.yaml"
    path.write_text(bench_shaped(1500))
    assert path.stat().st_size >= 256 << 10  # big enough for the helper
    code = "import sys; from obsctl.cli import main; sys.argv[0] = 'obsctl'; main()"
    outs = []
    for processes in ("2", "1"):
        proc = subprocess.run(
            [sys.executable, "-c", code, "rules", "check", "-o", "json", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "OBSCTL_RULES_PROCESSES": processes},
        )
        assert proc.returncode == 1, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["summary"]["error"] > 0
