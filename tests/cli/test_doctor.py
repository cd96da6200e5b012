"""``obsctl doctor`` exit codes and output, with mocked endpoints (real ones: integration)."""

from __future__ import annotations

import json

import httpx
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


def _query_of(request):
    from urllib.parse import parse_qs

    params = parse_qs(request.content.decode()) if request.method == "POST" else {}
    return params.get("query", [request.url.params.get("query", "")])[0]


def _pipeline_prometheus(mock, answers):
    """A Prometheus answering the probes, and pipeline queries from ``answers``.

    ``answers`` maps a substring of the query to a vector ``[(labels, value)]`` or to an
    HTTP status (an error answer); other queries get an empty vector.
    """

    def query(request):
        expr = _query_of(request)
        if expr == "vector(1)":
            result = [{"metric": {}, "value": [0, "1"]}]
            return httpx.Response(
                200, json={"status": "success", "data": {"resultType": "vector", "result": result}}
            )
        for needle, answer in answers.items():
            if needle in expr:
                if isinstance(answer, int):
                    return httpx.Response(
                        answer,
                        json={"status": "error", "errorType": "bad_data", "error": "boom"},
                    )
                result = [{"metric": m, "value": [0, repr(v)]} for m, v in answer]
                return httpx.Response(
                    200,
                    json={"status": "success", "data": {"resultType": "vector", "result": result}},
                )
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "vector", "result": []}}
        )

    mock.route(url=f"{PROM}/api/v1/query").mock(side_effect=query)
    mock.get(url__startswith=PROM).respond(404)


def test_pipeline_problem_exits_1_with_fail_on_and_0_without(cli):
    answers = {
        "otelcol_process_uptime": [({"instance": "c:8888"}, 1)],
        "otelcol_exporter_queue_size": [({"instance": "c:8888", "exporter": "otlp"}, 0.95)],
    }
    for fail_on, code in (("degraded", ExitCode.FINDINGS), ("failing", ExitCode.OK)):
        with respx.mock() as mock:
            _pipeline_prometheus(mock, answers)
            res = cli("doctor", "-o", "json", "--prometheus-url", PROM, "--fail-on", fail_on)
        assert res.exit_code == code, res.output
        (queue,) = json.loads(res.stdout)["pipeline"]["checks"]
        assert queue == {
            "component": "collector",
            "instance": "c:8888 (otlp)",
            "check": "exporter_queue_usage",
            "status": "degraded",
            "value": 0.95,
            "threshold": 0.8,
            "message": "95% of the exporter's sending queue in use (15m)",
            "hint": queue["hint"],
            "labels": {"instance": "c:8888", "exporter": "otlp"},
        }
        assert queue["hint"].startswith("the exporter cannot keep up")


def test_a_refused_pipeline_query_is_a_note_not_a_failure(cli):
    answers = {
        "otelcol_process_uptime": [({"instance": "c:8888"}, 1)],
        "otelcol_exporter_queue_size": 422,
    }
    with respx.mock() as mock:
        _pipeline_prometheus(mock, answers)
        res = cli("doctor", "-o", "json", "--prometheus-url", PROM, "--fail-on", "degraded")
    assert res.exit_code == ExitCode.OK, res.output
    notes = json.loads(res.stdout)["pipeline"]["notes"]
    assert any(n.startswith("collector.exporter_queue_usage: not checked: ") for n in notes)


def test_no_pipeline_skips_the_queries(cli):
    with respx.mock() as mock:
        _pipeline_prometheus(mock, {})
        res = cli("doctor", "-o", "json", "--prometheus-url", PROM, "--no-pipeline")
        queries = [_query_of(c.request) for c in mock.calls]
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["pipeline"] is None
    assert not any("otelcol" in q for q in queries)


def test_list_checks_names_every_check_with_its_thresholds(cli):
    res = cli("doctor", "--list-checks")
    assert res.exit_code == ExitCode.OK, res.output
    rows = {line.split()[0]: line.split()[1:] for line in res.stdout.splitlines()[1:]}
    assert rows["collector.exporter_queue_usage"] == ["0.8", "0.99", "above", "(ratio)"]
    assert rows["prometheus.config_reload"] == ["-", "1", "below", "(bool)"]
    assert len(rows) == 29
    doc = json.loads(cli("doctor", "--list-checks", "-o", "json").stdout)
    keys = [c["check"] for c in doc["checks"]]
    assert "alertmanager.notifications_failed" in keys
    assert all(c["query"] for c in doc["checks"])


def test_bad_window_and_thresholds_are_usage_errors(cli, tmp_path):
    res = cli("doctor", "--window", "30s", "--list-checks")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines()[0] == "obsctl: error: doctor window '30s' is shorter than 1m"
    cfg = tmp_path / "c.yaml"
    cfg.write_text("doctor:\n  thresholds:\n    collector.nope: {degraded: 1}\n")
    res = cli("--config", str(cfg), "doctor", "--list-checks")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines()[0] == (
        "obsctl: error: doctor.thresholds: unknown pipeline check 'collector.nope'"
    )
    cfg.write_text("doctor:\n  windw: 1h\n")
    res = cli("--config", str(cfg), "doctor", "--list-checks")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines()[0] == "obsctl: error: doctor: unknown key 'windw'"


VM = "http://vm.test:8428"
_OK = {"status": "success"}


def _vm_routes(mock, *, exemplars: list[object], metrics: str) -> None:
    mock.get(f"{VM}/api/v1/status/buildinfo").respond(
        200,
        json={**_OK, "data": {"version": "2.24.0"}},  # a Prometheus-compatible version
    )
    mock.get(f"{VM}/api/v1/query").respond(
        200, json={**_OK, "data": {"resultType": "vector", "result": []}}
    )
    mock.get(f"{VM}/api/v1/status/top_queries").respond(
        200, json={"topN": "20", "topByCount": [], "topByAvgDuration": []}
    )
    mock.get(f"{VM}/metrics").respond(200, text=metrics)
    mock.get(f"{VM}/api/v1/query_exemplars").respond(200, json={**_OK, "data": exemplars})
    mock.get(f"{VM}/api/v1/write").respond(400, text="cannot decompress request")
    mock.get(f"{VM}/api/v1/status/tsdb").respond(200, json={**_OK, "data": {"totalSeries": 7}})
    mock.get(f"{VM}/api/v1/rules").respond(200, json={**_OK, "data": {"groups": []}})


def test_victoria_metrics_version_and_probed_exemplars(cli):
    metrics = (
        'vm_app_version{version="victoria-metrics-20230902-002838-tags-v1.93.4-0-g2cb0b2e8f", '
        'short_version="v1.93.4"} 1\n'
    )
    exemplar = {"seriesLabels": {"__name__": "x"}, "exemplars": [{"labels": {}, "value": "1"}]}
    with respx.mock() as mock:
        _vm_routes(mock, exemplars=[exemplar], metrics=metrics)
        res = cli("doctor", "-o", "json", "--prometheus-url", VM, "--no-pipeline")
    assert res.exit_code == ExitCode.OK, res.output
    (vm,) = json.loads(res.stdout)["endpoints"]
    assert (vm["flavor"], vm["version"]) == ("victoriametrics", "1.93.4")
    assert vm["capabilities"]["exemplar_storage"] is True
    assert vm["capabilities"]["metricsql"] is True
    assert vm["stats"]["total_series"] == 7


def test_victoria_metrics_stub_exemplars_are_no_exemplar_storage(cli):
    with respx.mock() as mock:
        _vm_routes(mock, exemplars=[], metrics='vm_app_version{version="", short_version=""} 1\n')
        res = cli("doctor", "-o", "json", "--prometheus-url", VM, "--no-pipeline")
    assert res.exit_code == ExitCode.OK, res.output
    (vm,) = json.loads(res.stdout)["endpoints"]
    assert (vm["flavor"], vm["version"]) == ("victoriametrics", None)
    assert vm["capabilities"]["exemplar_storage"] is False


def test_an_unreachable_link_only_grafana_does_not_fail_doctor(cli):
    import os
    from pathlib import Path

    from tests.integration.servers import closed_port_url

    grafana = closed_port_url()
    Path(os.environ["OBSCTL_CONFIG"]).write_text(
        f"contexts:\n  c:\n    prometheus: {PROM}\n    grafana: {grafana}\n"
    )
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        _pipeline_prometheus(mock, {})
        res = cli("doctor", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    by_kind = {e["kind"]: e for e in json.loads(res.stdout)["endpoints"]}
    assert by_kind["grafana"]["status"] == "unreachable"


def test_piped_text_keeps_each_message_on_one_line_without_padding(cli):
    """Off a terminal nothing is folded at 80 columns or padded with blanks: a long error and
    its hint survive ``| grep`` whole."""
    long_url = f"{PROM}/a/very/long/path/prefix/that/makes/the/line/longer/than/eighty/columns"
    with respx.mock() as mock:
        mock.get(url__startswith=long_url).mock(side_effect=httpx.ConnectError("refused"))
        res = cli("doctor", "--no-pipeline", "--prometheus-url", long_url)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    lines = res.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    table = [line for line in lines if line.startswith(("ENDPOINT", "prometheus "))]
    assert table[0].split() == ["ENDPOINT", "STATUS", "LATENCY", "VERSION", "URL"]
    assert table[1].split() == ["prometheus", "✗", "unreachable", "-", "-", long_url]
    assert table[0].index("URL") == table[1].index(long_url)
    error = next(line for line in lines if line.startswith("error "))
    assert error == f"error cannot connect to Prometheus at {long_url}: refused"
    hint = next(line for line in lines if line.startswith("hint "))
    assert hint.startswith(f"hint  is Prometheus running at {long_url}? Set --prometheus-url")
    assert len(error) > 80
