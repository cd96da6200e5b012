"""``obsctl doctor`` against the real Prometheus and Alertmanager."""

from __future__ import annotations

import json
import subprocess

from obsctl.exit_codes import ExitCode
from tests.integration import servers


def _version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    # "prometheus, version 2.42.0+ds (branch: …)" → "2.42.0+ds"
    return (out.stdout or out.stderr).split("version ", 1)[1].split()[0]


def test_doctor_reports_both_healthy(cli, prometheus, alertmanager):
    res = cli(
        "doctor",
        "-o",
        "json",
        "--prometheus-url",
        prometheus.url,
        "--alertmanager-url",
        alertmanager.url,
    )
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    by_kind = {e["kind"]: e for e in doc["endpoints"]}
    assert set(by_kind) == {"prometheus", "alertmanager"}
    prom, am = by_kind["prometheus"], by_kind["alertmanager"]
    assert prom["status"] == "ok", prom
    assert prom["version"] == _version(servers.require_binary("prometheus"))
    assert prom["flavor"] == "prometheus"
    assert prom["capabilities"]["exemplar_storage"] is True
    assert prom["capabilities"]["tsdb_status"] is True
    assert prom["capabilities"]["remote_write_receiver"] is True
    assert prom["stats"]["targets_down"] == 0
    assert isinstance(prom["stats"]["head_series"], int)
    assert am["status"] == "ok", am
    assert am["version"] == _version(servers.require_binary("prometheus-alertmanager"))
    assert am["capabilities"]["v2_api"] is True


def test_doctor_text_piped_keeps_each_line_whole(cli, prometheus, alertmanager, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    res = cli("doctor", "--prometheus-url", prometheus.url, "--alertmanager-url", alertmanager.url)
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert "prometheus    ✓ ok" in res.stdout
    (caps,) = [line for line in lines if line.startswith("capabilities query_api")]
    assert caps.endswith("tsdb_status yes, rules_api yes")  # not folded at 80 columns


def test_doctor_closed_port_exits_3(cli, prometheus):
    dead = servers.closed_port_url()
    res = cli("doctor", "--prometheus-url", prometheus.url, "--alertmanager-url", dead)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert res.stderr.strip() == f"obsctl: error: unreachable: alertmanager ({dead})"
    assert "alertmanager  ✗ unreachable" in res.stdout
    res = cli(
        "doctor", "-o", "json", "--prometheus-url", prometheus.url, "--alertmanager-url", dead
    )
    assert res.exit_code == ExitCode.UNREACHABLE
    am = json.loads(res.stdout)["endpoints"][1]
    assert am["error"] == f"cannot connect to Alertmanager at {dead}: connection refused"


def test_doctor_only_probes_configured_endpoints(cli, prometheus):
    res = cli("doctor", "-o", "json", "--prometheus-url", prometheus.url)
    assert res.exit_code == ExitCode.OK, res.output
    assert [e["kind"] for e in json.loads(res.stdout)["endpoints"]] == ["prometheus"]


def test_doctor_reports_down_targets_as_degraded(cli, prometheus_factory):
    dead_port = servers.free_port()
    server = prometheus_factory(
        scrape_configs=[
            {"job_name": "ghost", "static_configs": [{"targets": [f"127.0.0.1:{dead_port}"]}]}
        ]
    )
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        res = cli("doctor", "-o", "json", "--prometheus-url", server.url)
        prom = json.loads(res.stdout)["endpoints"][0]
        if prom["stats"].get("targets_down"):
            break
        time.sleep(0.5)
    assert res.exit_code == ExitCode.OK, res.output
    assert prom["status"] == "degraded"
    assert prom["health"] == [f"target down: job=ghost instance=127.0.0.1:{dead_port}"]


def _vm_version(binary: str) -> str | None:
    # Official builds print "victoria-metrics-20230902-…-tags-v1.93.4-0-g…"; Debian's prints "".
    out = subprocess.run([binary, "-version"], capture_output=True, text=True, check=False)
    text = (out.stdout or out.stderr).strip()
    if "-v" not in text:
        return None
    return text.rsplit("-tags-v", 1)[-1].split("-", 1)[0] or None


def test_doctor_detects_victoria_metrics(cli, victoria_metrics):
    res = cli("doctor", "-o", "json", "--prometheus-url", victoria_metrics.url)
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    (vm,) = doc["endpoints"]
    assert vm["status"] == "ok", vm
    assert vm["flavor"] == "victoriametrics"
    assert vm["version"] == _vm_version(servers.require_binary("victoria-metrics"))
    # Probed, not assumed: VictoriaMetrics 1.79 answers query_exemplars with a stub.
    assert vm["capabilities"] == {
        "query_api": True,
        "metricsql": True,
        "exemplar_storage": False,
        "remote_write_receiver": True,
        "tsdb_status": True,
        "rules_api": True,
    }
    # 3 counters, 2 temperatures, 1 memory gauge, 6 buckets + _count + _sum.
    assert vm["stats"] == {"total_series": 14, "targets_down": 0}
