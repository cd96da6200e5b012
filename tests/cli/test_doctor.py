"""``obsctl doctor`` exit codes and output, with mocked endpoints (real ones: integration)."""

from __future__ import annotations

import json

import respx

from obsctl.exit_codes import ExitCode

PROM = "http://prom.test:9090"


def test_auth_failure_exits_4_with_hint(cli):
    with respx.mock() as mock:
        mock.get(url__startswith=PROM).respond(401, json={"error": "unauthorized"})
        res = cli("doctor", "-o", "json", "--prometheus-url", PROM)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    check = json.loads(res.stdout)["endpoints"][0]
    assert check["status"] == "error"
    assert check["error"].startswith("Prometheus answered HTTP 401")
    assert "credentials missing or expired" in check["hint"]
    assert res.stderr.strip() == f"obsctl: error: failing: prometheus ({PROM})"


def test_login_page_instead_of_api_exits_4(cli):
    with respx.mock() as mock:
        mock.get(url__startswith=PROM).respond(200, html="<html>Please log in</html>")
        res = cli("doctor", "-o", "json", "--prometheus-url", PROM)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert "HTML page" in json.loads(res.stdout)["endpoints"][0]["error"]


def test_debug_logs_requests_without_secrets(cli, monkeypatch):
    monkeypatch.setenv("OBSCTL_CONFIG", str(_config(monkeypatch)))
    with respx.mock() as mock:
        mock.get(url__startswith=PROM).respond(401)
        res = cli("doctor", "--debug")
    assert res.exit_code == ExitCode.BACKEND_ERROR
    debug = [line for line in res.stderr.splitlines() if line.startswith("obsctl: debug: GET ")]
    assert debug and all("→ 401" in line for line in debug)
    assert "sekrit" not in res.stderr + res.stdout


def _config(monkeypatch):
    import os
    from pathlib import Path

    path = Path(os.environ["OBSCTL_CONFIG"])
    path.write_text(f"contexts:\n  t:\n    prometheus:\n      url: {PROM}\n      token_env: T\n")
    monkeypatch.setenv("T", "sekrit")
    return path


TEMPO = "http://tempo.test:3200"


def _tempo_routes(mock, v2_missing: bool) -> None:
    mock.get(f"{TEMPO}/api/echo").respond(200, text="echo")
    mock.get(f"{TEMPO}/api/status/buildinfo").respond(200, json={"version": "2.6.1"})
    v2 = (404, "404 page not found\n") if v2_missing else (404, "")
    mock.get(url__startswith=f"{TEMPO}/api/v2/traces/").respond(v2[0], text=v2[1])
    mock.get(url__startswith=f"{TEMPO}/api/search").respond(200, json={"traces": []})


def test_tempo_v2_api_detection(cli):
    for missing, expected in ((False, True), (True, False)):
        with respx.mock() as mock:
            _tempo_routes(mock, v2_missing=missing)
            res = cli("doctor", "-o", "json", "--tempo-url", TEMPO)
        assert res.exit_code == ExitCode.OK, res.output
        tempo = json.loads(res.stdout)["endpoints"][0]
        assert tempo["version"] == "2.6.1"
        assert tempo["capabilities"] == {"trace_api_v2": expected, "search": True}
