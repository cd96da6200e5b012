"""``obsctl query/series/labels/metadata`` through the CLI: outputs and every exit code."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from obsctl.exit_codes import ExitCode
from tests.conftest import FIXTURES, Cli

PROM = FIXTURES / "prometheus" / "v2.42"
URL = "http://prom.test"


def body(name: str) -> bytes:
    return (PROM / f"{name}.json").read_bytes()


def form(call: respx.models.Call) -> dict[str, list[str]]:
    return parse_qs(call.request.content.decode())


@pytest.fixture
def prom():  # type: ignore[no-untyped-def]
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        yield mock


def write_config(home: Path, text: str) -> None:
    (home / "obsctl.yaml").write_text(text)


def test_instant_query_json(cli: Cli, prom: respx.MockRouter) -> None:
    route = prom.post("/api/v1/query", name="query").respond(200, content=body("vector"))
    res = cli("query", "bench_requests_total", "--at", "1795593480", "-o", "json",
              "--prometheus-url", URL)  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert form(route.calls.last) == {"query": ["bench_requests_total"], "time": ["1795593480"]}
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1
    assert doc["result_type"] == "vector"
    assert doc["time"] == 1795593480
    assert [(s["labels"]["instance"], s["samples"]) for s in doc["series"]] == [
        ("host-0000", [[1795593480, 1441.0]]),
        ("host-0001", [[1795593480, 2882.0]]),
    ]
    assert res.stderr == ""


def test_instant_query_text(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query", name="query").respond(200, content=body("vector"))
    res = cli("query", "bench_requests_total", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines() == [
        'bench_requests_total{job="bench"}',
        "instance   VALUE",
        "host-0000   1441",
        "host-0001   2882",
    ]


def test_range_query_auto_step_and_text(cli: Cli, prom: respx.MockRouter) -> None:
    route = prom.post("/api/v1/query_range", name="range").respond(200, content=body("matrix"))
    res = cli("query", "rate(x[5m])", "--start", "1795590000", "--end", "1795593600",
              "--prometheus-url", URL)  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    sent = form(route.calls.last)
    assert sent["step"] == ["30s"]  # 1 h over a 100-column terminal
    assert (sent["start"], sent["end"]) == (["1795590000"], ["1795593600"])
    lines = res.stdout.splitlines()
    assert lines[0] == '{job="bench"}'
    assert lines[1].split() == ["instance", "MIN", "AVG", "MAX", "LAST", "TREND"]
    assert lines[2].split()[:5] == ["host-0001", "0.1333", "0.1333", "0.1333", "0.1333"]
    assert lines[3].split()[:5] == ["host-0000", "0.06667", "0.06667", "0.06667", "0.06667"]


def test_range_over_limit_is_split_with_a_note(cli: Cli, prom: respx.MockRouter) -> None:
    route = prom.post("/api/v1/query_range", name="range").respond(200, content=body("matrix"))
    res = cli("query", "up", "--since", "1d", "--step", "5s", "-o", "json",
              "--prometheus-url", URL)  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert route.call_count == 2
    assert "split into 2 requests" in res.stderr
    doc = json.loads(res.stdout)
    assert doc["step"] == 5
    assert [len(s["samples"]) for s in doc["series"]] == [6, 6]  # both answers merged


def test_csv_and_ndjson(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query_range", name="range").respond(200, content=body("matrix_special"))
    res = cli("query", "x", "--since", "1m", "-o", "csv", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "instance,job,k,timestamp,value"
    assert lines[1:4] == [
        "host-0000,bench,,1795593450,-719.5",
        "host-0000,bench,,1795593465,-1440",
        "host-0000,bench,,1795593480,+Inf",
    ]
    res = cli("query", "x", "--since", "1m", "-o", "ndjson", "--prometheus-url", URL)
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[1] == {
        "labels": {"instance": "host-0000", "job": "bench", "k": "nan"},
        "samples": [[1795593450, 1.0], [1795593465, 1.0], [1795593480, "NaN"]],
    }


def test_raw_prints_body_unchanged(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query", name="query").respond(200, content=body("vector"))
    res = cli("query", "bench_requests_total", "--raw", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == body("vector").decode()


def test_check_parses_offline(cli: Cli, prom: respx.MockRouter) -> None:
    route = prom.route(name="any").respond(500)
    res = cli("query", "--check", "sum by (job)(rate(x[5m]))", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == "sum by (job) (rate(x[5m]))\n"
    assert route.call_count == 0


def test_syntax_error_exits_2_without_sending_the_query(cli: Cli, prom: respx.MockRouter) -> None:
    probe = prom.get("/api/v1/status/top_queries", name="probe").respond(404)
    route = prom.route(name="any").respond(500)
    res = cli("query", "sum(rate(x[5m])", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.USAGE, res.output
    # The expression is never sent; with the flavour unknown, one GET asks whether the
    # server is VictoriaMetrics (whose MetricsQL would be judged by the server).
    assert route.call_count == 0
    assert probe.call_count == 1
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        "obsctl: error: PromQL syntax error at column 16: unclosed left parenthesis",
        "    sum(rate(x[5m])",
        "                   ^",
        "  hint: the unclosed '(' is at column 4; the expression was checked locally and not "
        "sent to the server",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "--at", "now", "--since", "1h"], "--at is for instant queries"),
        (["up", "--plot"], "--plot needs a range"),
        (["up", "--since", "1h", "--step", "fast"], "--step: invalid duration 'fast'"),
        (["up", "--at", "yesterday-ish"], "--at: invalid time 'yesterday-ish'"),
        (["up", "--since", "1h", "--start", "now-2h"], "give either --since or --start"),
        (["up", "--raw", "-o", "json"], "--raw prints the server's body"),
        (["up", "--grafana"], "--grafana needs a Grafana URL in the context"),
        (["up", "--watch", "0s"], "--watch: duration '0s' is zero"),
        (["up", "-o", "yaml"], "obsctl: error: invalid value for '--output' / '-o'"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str], message: str) -> None:
    res = cli("query", *args, "--prometheus-url", URL)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert message in res.stderr


def test_unreachable_exits_3(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query", name="query").mock(side_effect=httpx.ConnectError("refused"))
    res = cli("query", "up", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert res.stderr.startswith(f"obsctl: error: cannot connect to Prometheus at {URL}")


def test_server_error_exits_4_with_message_and_hint(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query_range", name="range").respond(
        422,
        content=b'{"status":"error","errorType":"execution","error":"query processing would '
        b'load too many samples into memory in query execution"}',
    )
    res = cli("query", "rate(x[5m])", "--since", "30d", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert res.stderr.splitlines() == [
        "obsctl: error: Prometheus rejected the range query (execution): query processing "
        "would load too many samples into memory in query execution",
        "  hint: the query touches too many samples: shorten the range, use a larger --step, "
        "or aggregate (sum by (…)) first",
    ]


def test_non_json_answer_exits_4(cli: Cli, prom: respx.MockRouter) -> None:
    prom.post("/api/v1/query", name="query").respond(200, content=b"<html>proxy login</html>")
    res = cli("query", "up", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert "not JSON" in res.stderr


def test_thanos_context_flavour_and_partial_response_warning(
    cli: Cli, prom: respx.MockRouter, isolation: Path
) -> None:
    write_config(
        isolation,
        "current-context: t\ncontexts:\n  t:\n"
        f"    prometheus: {{url: {URL}, flavor: thanos}}\n"
        "    grafana: https://grafana.test\n",
    )
    route = prom.post("/api/v1/query", name="query").respond(
        200,
        content=b'{"status":"success","data":{"resultType":"vector","result":[]},'
        b'"warnings":["store 10.0.0.1:10901 unavailable"]}',
    )
    res = cli("query", "up", "--grafana")
    assert res.exit_code == ExitCode.OK, res.output
    assert form(route.calls.last)["dedup"] == ["true"]
    assert form(route.calls.last)["partial_response"] == ["true"]
    err = res.stderr.splitlines()
    assert err[0] == "obsctl: warning: partial response: store 10.0.0.1:10901 unavailable"
    assert err[1] == "obsctl: note: no data: the query matched no series"
    assert err[2].startswith("grafana: https://grafana.test/explore?schemaVersion=1")


def test_flavour_detected_by_doctor_is_used(cli: Cli, prom: respx.MockRouter) -> None:
    from obsctl.config.discover import save_capabilities
    from obsctl.config.schema import Endpoint

    ep = Endpoint(kind="prometheus", url=URL, source="flag", configured=True)
    save_capabilities(ep, flavor="thanos", capabilities={})
    route = prom.post("/api/v1/query", name="query").respond(
        200,
        content=b'{"status":"success","data":{"resultType":"scalar","result":[1,"1"]},'
        b'"warnings":["store down"]}',
    )
    res = cli("query", "up", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert form(route.calls.last)["dedup"] == ["true"]
    assert res.stderr == "obsctl: warning: partial response: store down\n"


def test_watch_redraws_until_interrupted(
    cli: Cli, prom: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = prom.post("/api/v1/query", name="query").respond(200, content=body("scalar"))
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", fake_sleep)
    res = cli("query", "scalar(sum(x))", "--watch", "10s", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.INTERRUPTED, res.output
    assert res.stderr.endswith("obsctl: error: interrupted\n")
    assert route.call_count == 2
    assert res.stdout == "4323\n4323\n"
    assert res.stderr.count("every 10s: scalar(sum(x))") == 2
    assert all(0 < s <= 10 for s in sleeps)


def test_series_labels_metadata(cli: Cli, prom: respx.MockRouter) -> None:
    s = prom.get("/api/v1/series", name="series").respond(200, content=body("series"))
    prom.get("/api/v1/labels", name="labels").respond(200, content=body("labels"))
    v = prom.get("/api/v1/label/job/values", name="values").respond(
        200, content=body("label_values")
    )
    prom.get("/api/v1/metadata", name="metadata").respond(
        200,
        json={"status": "success", "data": {"up": [{"type": "gauge", "help": "Up.", "unit": ""}]}},
    )
    res = cli("series", 'bench_requests_total{job="bench"}', "--since", "1h",
              "--prometheus-url", URL)  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines() == [
        'bench_requests_total{instance="host-0000", job="bench"}',
        'bench_requests_total{instance="host-0001", job="bench"}',
    ]
    params = s.calls.last.request.url.params
    assert params.get_list("match[]") == ['bench_requests_total{job="bench"}']
    assert "start" in params and "end" in params
    res = cli("labels", "--prometheus-url", URL)
    assert res.stdout == "__name__\ninstance\njob\n"
    res = cli("labels", "job", "--match", "up", "-o", "json", "--prometheus-url", URL)
    assert json.loads(res.stdout) == {
        "schema_version": 1,
        "label": "job",
        "values": ["bench"],
        "warnings": [],
    }
    assert v.calls.last.request.url.params.get_list("match[]") == ["up"]
    res = cli("metadata", "-o", "json", "--prometheus-url", URL)
    assert json.loads(res.stdout)["metadata"] == [
        {"metric": "up", "type": "gauge", "help": "Up.", "unit": ""}
    ]


def test_no_check_sends_a_selector_the_offline_check_refuses(
    cli: Cli, prom: respx.MockRouter
) -> None:
    s = prom.get("/api/v1/series", name="series").respond(
        400, json={"status": "error", "errorType": "bad_data", "error": "parse error"}
    )
    res = cli("series", "up + 1", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert s.call_count == 0
    res = cli("series", "up + 1", "--no-check", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert s.calls.last.request.url.params.get_list("match[]") == ["up + 1"]


def test_utf8_label_name_is_escaped_in_the_path(cli: Cli, prom: respx.MockRouter) -> None:
    v = prom.get("/api/v1/label/U__http_2e_request_2e_method/values", name="values").respond(
        200, json={"status": "success", "data": ["GET", "POST"]}
    )
    res = cli("labels", "http.request.method", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout == "GET\nPOST\n"
    assert v.call_count == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["series", "up{"], "PromQL syntax error"),
        (["labels", ""], "invalid label name ''"),
        (["labels", "--match", "up{"], "PromQL syntax error"),
        (["series"], "obsctl: error: missing argument"),
        (["metadata", "--limit", "0"], "obsctl: error: invalid value for '--limit'"),
    ],
)
def test_listing_usage_errors(cli: Cli, args: list[str], message: str) -> None:
    res = cli(*args, "--prometheus-url", URL)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert message in res.stderr


def test_listing_unreachable_and_backend_errors(cli: Cli, prom: respx.MockRouter) -> None:
    prom.get("/api/v1/labels", name="labels").mock(side_effect=httpx.ConnectError("refused"))
    prom.get("/api/v1/metadata", name="metadata").respond(
        400, content=b'{"status":"error","errorType":"bad_data","error":"bad limit"}'
    )
    prom.get("/api/v1/series", name="series").respond(503, content=b"overloaded")
    assert cli("labels", "--prometheus-url", URL).exit_code == ExitCode.UNREACHABLE
    res = cli("metadata", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert "Prometheus rejected the metadata request (bad_data): bad limit" in res.stderr
    res = cli("series", "up", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert "HTTP 503" in res.stderr


def test_grafana_link_covers_the_queried_time(
    cli: Cli, prom: respx.MockRouter, isolation: Path
) -> None:
    write_config(
        isolation,
        f"current-context: g\ncontexts:\n  g:\n    prometheus: {URL}\n"
        "    grafana: https://grafana.test/\n",
    )
    prom.post("/api/v1/query", name="query").respond(200, content=body("vector"))
    res = cli("query", "bench_requests_total", "--at", "1795593480", "--grafana")
    assert res.exit_code == ExitCode.OK, res.output
    link = res.stderr.strip().removeprefix("grafana: ")
    from urllib.parse import parse_qs as qs
    from urllib.parse import urlsplit

    pane = json.loads(qs(urlsplit(link).query)["panes"][0])["obsctl"]
    assert pane["range"] == {"from": "1795589880000", "to": "1795593480000"}
    assert pane["queries"][0]["expr"] == "bench_requests_total"


def test_output_env_var_applies_where_offered_and_is_ignored_elsewhere(
    cli: Cli, prom: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    prom.post("/api/v1/query", name="query").respond(200, content=body("vector"))
    monkeypatch.setenv("OBSCTL_OUTPUT", "sarif")
    res = cli("query", "bench_requests_total", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stderr.splitlines() == [
        "obsctl: note: OBSCTL_OUTPUT=sarif ignored: obsctl query writes text, wide, json, "
        "ndjson, csv"
    ]
    assert not res.stdout.startswith("{")
    monkeypatch.setenv("OBSCTL_OUTPUT", "json")
    res = cli("query", "bench_requests_total", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert json.loads(res.stdout)["schema_version"] == 1
    res = cli("query", "bench_requests_total", "--prometheus-url", URL, "-o", "csv")
    assert res.exit_code == ExitCode.OK, res.output
    assert not res.stdout.startswith("{")


def test_metadata_of_an_unknown_metric_names_it(cli: Cli, prom: respx.MockRouter) -> None:
    prom.get("/api/v1/metadata").respond(200, json={"status": "success", "data": {}})
    res = cli("metadata", "checkout_latency", "--prometheus-url", URL)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stderr.startswith("obsctl: note: no metadata for checkout_latency: ")
    res = cli("metadata", "--prometheus-url", URL)
    assert res.stderr.startswith("obsctl: note: no metadata (the server has scraped no metric")
