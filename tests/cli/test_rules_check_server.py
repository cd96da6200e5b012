"""``rules check --server`` against answers a real server may give: VictoriaMetrics' empty
metadata and config, Thanos without a config endpoint, errors (exit 4)."""

from __future__ import annotations

import json

import pytest
import respx

from obsctl.exit_codes import ExitCode

URL = "http://prom.test"
RULES = """\
groups:
  - name: g
    rules:
      - alert: A
        expr: rate(app_queue_depth[1m]) > 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: x}
"""


def ok(data: object) -> dict[str, object]:
    return {"status": "success", "data": data}


@pytest.fixture
def rules_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.yaml"
    path.write_text(RULES)
    return str(path)


def _mock(
    mock: respx.MockRouter, *, metadata: object, config: object, victoria: bool = False
) -> None:
    mock.get("/api/v1/labels").respond(200, json=ok(["__name__", "instance", "job"]))
    # VictoriaMetrics' own endpoint: how a server of unknown flavour is recognised.
    if victoria:
        mock.get("/api/v1/status/top_queries").respond(200, json={"topByCount": []})
    else:
        mock.get("/api/v1/status/top_queries").respond(404, text="404 page not found")
    mock.get("/api/v1/metadata").respond(**metadata)  # type: ignore[arg-type]
    mock.get("/api/v1/status/config").respond(**config)  # type: ignore[arg-type]
    mock.post("/api/v1/query").respond(
        200, json=ok({"resultType": "vector", "result": [{"metric": {}, "value": [1, "2"]}]})
    )


def test_victoriametrics_gaps_are_notes(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        _mock(mock, metadata={"json": ok({})}, config={"json": ok({"yaml": ""})}, victoria=True)
        res = cli("rules", "check", rules_file, "--server", "--prometheus-url", URL, "-o", "json")
        probes = mock.routes[1].call_count
    assert res.exit_code == ExitCode.OK
    found = [(f["rule_id"], f["message"]) for f in json.loads(res.stdout)["findings"]]
    assert found == [
        ("RUL201", "rate() over app_queue_depth, which is not a counter by its name"),
        ("RUL202", "range [1m] over app_queue_depth is shorter than twice the scrape "
                   "interval (1m)"),
    ]  # fmt: skip
    assert res.stderr.splitlines() == [
        "obsctl: note: VictoriaMetrics returned no metric metadata: counters are recognised "
        "by name",
        "obsctl: note: VictoriaMetrics does not show its scrape interval: using --scrape-interval",
    ]
    assert probes == 1  # asked once, when the first gap showed


def test_metadata_and_config_are_used(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        _mock(
            mock,
            metadata={
                "json": ok({"app_queue_depth": [{"type": "counter", "help": "", "unit": ""}]})
            },
            config={"json": ok({"yaml": "global:\n  scrape_interval: 15s\n"})},
        )
        res = cli("rules", "check", rules_file, "--server", "--prometheus-url", URL, "-o", "json")
    assert res.exit_code == ExitCode.OK
    assert json.loads(res.stdout)["findings"] == []  # a counter by metadata; [1m] ≥ 2 × 15s


def test_thanos_without_config_endpoint(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        _mock(
            mock,
            metadata={"json": ok({})},
            config={"status_code": 404, "text": "404 page not found"},
        )
        res = cli("rules", "check", rules_file, "--server", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK
    assert "Prometheus has no config endpoint (" in res.stderr  # not VictoriaMetrics


def test_server_error_exits_4(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        mock.get("/api/v1/labels").respond(500, text="boom")
        res = cli("rules", "check", rules_file, "--server", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert res.stderr.startswith("obsctl: error: ")


def test_backtest_server_failures(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        mock.post("/api/v1/query_range").respond(
            422, json={"status": "error", "errorType": "execution", "error": "too many samples"}
        )
        res = cli("rules", "backtest", rules_file, "--since", "1h", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert "too many samples" in res.stderr
    res = cli("rules", "backtest", rules_file, "--since", "1h",
              "--prometheus-url", "http://127.0.0.1:9")  # fmt: skip
    assert res.exit_code == ExitCode.UNREACHABLE


def test_backtest_of_an_empty_answer(cli, rules_file) -> None:
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        mock.post("/api/v1/query_range").respond(
            200, json=ok({"resultType": "matrix", "result": []})
        )
        res = cli("rules", "backtest", rules_file, "--since", "1h", "--prometheus-url", URL,
                  "-o", "json", "--budget", "firings<=0")  # fmt: skip
    assert res.exit_code == ExitCode.OK
    (alert,) = json.loads(res.stdout)["alerts"]
    assert (alert["firings"], alert["firing_seconds"], alert["over_budget"]) == (0, 0.0, [])
