"""``obsctl lint`` through the CLI: exit codes, formats, config, baseline, diff, URLs."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import respx

from obsctl.exit_codes import ExitCode

GOOD = '# HELP a_total Things.\n# TYPE a_total counter\na_total{k="x"} 1\n'
BAD = (
    "# HELP http_requests Requests.\n# TYPE http_requests counter\n"
    'http_requests{method="GET",statusCode="200"} 3\n'
    'http_requests{method="GET",statusCode="200"} 4\n'
    "bad line here\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("good.prom", GOOD), ("bad.prom", BAD)):
        out[name] = tmp_path / name
        out[name].write_text(text)
    return out


def test_clean_file_exits_0(cli, files) -> None:
    res = cli("lint", str(files["good.prom"]))
    assert res.exit_code == ExitCode.OK, res.output
    assert "0 errors, 0 warnings, 0 info in 1 input" in res.stderr


def test_findings_exit_1_with_code_frame(cli, files) -> None:
    res = cli("lint", str(files["bad.prom"]))
    assert res.exit_code == ExitCode.FINDINGS, res.output
    assert "OBS301 metric not unique" in res.stdout
    assert "    5 | bad line here" in res.stdout
    assert "2 errors, 2 warnings, 0 info in 1 input" in res.stderr


def test_fail_on_never_and_warning(cli, files) -> None:
    assert cli("lint", str(files["bad.prom"]), "--fail-on", "never").exit_code == 0
    res = cli("lint", str(files["good.prom"]), "--fail-on", "warning", "--select", "OBS1")
    assert res.exit_code == 0


def test_missing_file_exits_2(cli, tmp_path) -> None:
    res = cli("lint", str(tmp_path / "nope.prom"))
    assert res.exit_code == ExitCode.USAGE
    assert "cannot read" in res.stderr and "Traceback" not in res.stderr


def test_unknown_rule_exits_2(cli, files) -> None:
    res = cli("lint", str(files["good.prom"]), "--select", "OBS999")
    assert res.exit_code == ExitCode.USAGE
    assert "unknown rule(s) OBS999" in res.stderr


def test_stdin_and_gzip(cli, tmp_path) -> None:
    import gzip

    res = cli("lint", "-", "-o", "json", input=BAD.encode())
    doc = json.loads(res.stdout)
    assert res.exit_code == 1
    assert doc["summary"] == {"info": 0, "warning": 2, "error": 2}
    assert {f["file"] for f in doc["findings"]} == {"-"}
    gz = tmp_path / "m.prom.gz"
    gz.write_bytes(gzip.compress(BAD.encode()))
    doc2 = json.loads(cli("lint", str(gz), "-o", "json").stdout)
    assert [f["rule_id"] for f in doc2["findings"]] == [f["rule_id"] for f in doc["findings"]]


def test_json_contract(cli, files) -> None:
    doc = json.loads(cli("lint", str(files["bad.prom"]), "-o", "json").stdout)
    assert doc["schema_version"] == 1 and doc["tool"] == "lint"
    first = doc["findings"][0]
    assert set(first) >= {"rule_id", "rule_name", "severity", "message", "file", "line"}
    summary = doc["summaries"][str(files["bad.prom"])]
    assert summary["series"] == 1 and summary["samples"] == 2
    assert summary["top_metrics"] == [{"name": "http_requests", "count": 1}]


def test_sarif_structure(cli, files) -> None:
    # The SARIF 2.1.0 JSON schema is not available offline: check the parts consumers need.
    doc = json.loads(cli("lint", str(files["bad.prom"]), "-o", "sarif").stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "OBS301" in ids and "OBS000" in ids
    for r in rules:
        assert r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in (
            "error",
            "warning",
            "note",
        )
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert ("OBS301", "error") in levels and ("OBS103", "warning") in levels
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("bad.prom")
        assert loc["region"]["startLine"] >= 1


def test_junit_and_github(cli, files) -> None:
    xml = cli("lint", str(files["bad.prom"]), "-o", "junit").stdout
    root = ElementTree.fromstring(xml)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["OBS301 duplicate-series"].find("failure") is not None
    assert cases["OBS101 help-missing"].find("failure") is None
    gh = cli("lint", str(files["bad.prom"]), "-o", "github").stdout.splitlines()
    assert any(
        line.startswith("::error file=") and ",line=4," in line and "OBS301" in line for line in gh
    )


def test_explain_and_list_rules(cli) -> None:
    res = cli("lint", "--explain", "OBS206")
    assert res.exit_code == 0
    assert res.stdout.startswith("OBS206 risky-label-name  (info)")
    assert "exemplars" in res.stdout
    assert cli("lint", "--explain", "nope").exit_code == ExitCode.USAGE
    doc = json.loads(cli("lint", "--list-rules", "-o", "json", "--ignore", "OBS2").stdout)
    rules = {r["rule_id"]: r for r in doc["rules"]}
    assert rules["OBS101"]["enabled"] and not rules["OBS201"]["enabled"]


def test_project_config_found_by_walking_up(cli, files, tmp_path, monkeypatch) -> None:
    (tmp_path / "obsctl.yaml").write_text(
        "lint:\n  ignore: [OBS000]\n  severity:\n    OBS301: warning\n"
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    res = cli("lint", str(files["bad.prom"]), "-o", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0  # no error left
    assert {f["rule_id"]: f["severity"] for f in doc["findings"]}["OBS301"] == "warning"
    assert "OBS000" not in {f["rule_id"] for f in doc["findings"]}


def test_user_config_lint_section(cli, files, isolation) -> None:
    Path(os.environ["OBSCTL_CONFIG"]).write_text("lint:\n  select: [OBS103]\n")
    doc = json.loads(cli("lint", str(files["bad.prom"]), "-o", "json").stdout)
    assert [f["rule_id"] for f in doc["findings"]] == ["OBS103"]


def test_baseline(cli, files, tmp_path) -> None:
    base = tmp_path / "baseline.json"
    res = cli("lint", str(files["bad.prom"]), "--baseline", str(base), "--write-baseline")
    assert res.exit_code == 0 and base.is_file()
    res = cli("lint", str(files["bad.prom"]), "--baseline", str(base))
    assert res.exit_code == 0, res.output
    files["bad.prom"].write_text(BAD + "# TYPE lat_ms gauge\nlat_ms 1\n")
    doc = json.loads(
        cli("lint", str(files["bad.prom"]), "--baseline", str(base), "-o", "json").stdout
    )
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["OBS101", "OBS111"]


def test_diff(cli, tmp_path) -> None:
    base = tmp_path / "base.prom"
    head = tmp_path / "head.prom"
    base.write_text(
        "# HELP a x\n# TYPE a gauge\n" + "".join(f'a{{k="{i}"}} 1\n' for i in range(100))
    )
    head.write_text(
        "# HELP a x\n# TYPE a gauge\n"
        + "".join(f'a{{k="{i}",pod="p{i % 2}"}} 1\n' for i in range(400))
        + "# HELP b x\n# TYPE b gauge\nb 1\n"
    )
    res = cli("lint", "--diff", str(base), str(head), "-o", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 1
    msgs = {f["rule_id"]: f["message"] for f in doc["findings"]}
    assert msgs["OBS401"] == "new metric b (1 series)"
    assert msgs["OBS402"] == "a gained label 'pod' (2 values)"
    assert msgs["OBS403"].startswith("a grew from 100 to 400 series (+300 %")
    assert cli("lint", "--diff", str(base)).exit_code == ExitCode.USAGE


@respx.mock
def test_url_is_scraped_with_openmetrics_accept(cli) -> None:
    route = respx.get("http://target.test/metrics", name="metrics").mock(
        return_value=httpx.Response(
            200,
            content=b"# TYPE a gauge\na 1\n",
            headers={"Content-Type": "application/openmetrics-text; version=1.0.0"},
        )
    )
    res = cli("lint", "http://target.test/metrics", "-o", "json")
    assert "application/openmetrics-text" in route.calls[0].request.headers["accept"]
    doc = json.loads(res.stdout)
    assert doc["findings"][-1]["message"] == "data does not end with # EOF"
    assert res.exit_code == 1


@respx.mock
def test_url_errors_exit_4(cli) -> None:
    respx.get("http://target.test/metrics").mock(return_value=httpx.Response(500, text="boom"))
    res = cli("lint", "http://target.test/metrics")
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert "HTTP 500" in res.stderr


@respx.mock
def test_url_size_limit_exits_4(cli) -> None:
    respx.get("http://target.test/metrics").mock(
        return_value=httpx.Response(200, content=b"a 1\n" * 10000)
    )
    res = cli("lint", "http://target.test/metrics", "--max-bytes", "1000")
    assert res.exit_code == ExitCode.BACKEND_ERROR
    assert "more than 1,000 bytes" in res.stderr


def test_dead_port_exits_3(cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = cli("lint", f"http://127.0.0.1:{port}/metrics", "--timeout", "2")
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    res = cli("lint", "--server", "--prometheus-url", f"http://127.0.0.1:{port}")
    assert res.exit_code == ExitCode.UNREACHABLE, res.output


def _ok(data: object) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data})


@respx.mock
def test_server_without_tsdb_status_degrades_to_queries(cli) -> None:
    base = "http://mimir.test"
    status = respx.get(f"{base}/api/v1/status/tsdb").mock(return_value=httpx.Response(404))
    query = respx.post(f"{base}/api/v1/query").mock(
        side_effect=lambda request: _ok(
            {
                "resultType": "vector",
                "result": [{"metric": {"__name__": "up"}, "value": [0, "12000"]}]
                if b"__name__" in request.content and b"count+by+%28__name__%29" in request.content
                else [{"metric": {}, "value": [0, "1500"]}],
            }
        )
    )
    respx.get(f"{base}/api/v1/labels").mock(return_value=_ok(["__name__", "user_id"]))
    respx.get(f"{base}/api/v1/label/user_id/values").mock(
        return_value=_ok([f"{i:032x}" for i in range(50)])
    )
    res = cli("lint", "--server", "--prometheus-url", base, "-o", "json")
    doc = json.loads(res.stdout)
    assert status.called and query.call_count == 2
    assert status.calls[0].request.url.params["limit"] == "1000"
    summary = doc["summaries"][base]
    assert summary["notes"] == ["Prometheus has no /api/v1/status/tsdb; used count queries instead"]
    msgs = {(f["rule_id"], f["subject"]): f["message"] for f in doc["findings"]}
    assert ("OBS202", "up") not in msgs  # 12,000 is under the server error budget (100,000)
    assert msgs[("OBS201", "up")] == "up has many series: 12,000 (warning at 10,000)"
    assert msgs[("OBS203", "{user_id}")] == (
        "label 'user_id' has many distinct values: 1,500 (warning at 1,000)"
    )
    assert "look like a hex ID" in msgs[("OBS205", "{user_id}")]
    assert res.exit_code == 0


@respx.mock
def test_scrape_sends_context_credentials_only_to_the_same_host(cli, isolation) -> None:
    Path(os.environ["OBSCTL_CONFIG"]).write_text(
        "current-context: c\ncontexts:\n  c:\n    prometheus:\n"
        "      url: http://prom.test:9090\n      token: s3cret\n"
    )
    same = respx.get("http://prom.test:9090/metrics").mock(
        return_value=httpx.Response(200, text="# HELP a x\n# TYPE a gauge\na 1\n")
    )
    other = respx.get("http://other.test/metrics").mock(
        return_value=httpx.Response(200, text="# HELP a x\n# TYPE a gauge\na 1\n")
    )
    assert cli("lint", "http://prom.test:9090/metrics").exit_code == 0
    assert cli("lint", "http://other.test/metrics").exit_code == 0
    assert same.calls[0].request.headers["authorization"] == "Bearer s3cret"
    assert "authorization" not in other.calls[0].request.headers


def test_endless_response_times_out_with_exit_3(cli) -> None:
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Endless(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            try:
                for i in range(100_000):  # a trickle that never ends within the timeout
                    self.wfile.write(f'a{{i="{i}"}} 1\n'.encode())
                    self.wfile.flush()
                    time.sleep(0.01)
            except OSError:
                return

        def log_message(self, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        res = cli("lint", f"http://127.0.0.1:{httpd.server_address[1]}/metrics", "--timeout", "1")
        assert time.monotonic() - started < 10
        assert res.exit_code == ExitCode.UNREACHABLE, res.output
        assert "did not finish within 1s" in res.stderr
    finally:
        httpd.shutdown()


def test_format_flag_overrides_detection(cli, tmp_path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("# HELP a x\n# TYPE a gauge\na 1\n# EOF\n")  # detected as OpenMetrics
    assert cli("lint", str(path)).exit_code == 0
    assert cli("lint", str(path), "--format", "text").exit_code == 0  # "# EOF" is a comment
    plain = tmp_path / "plain.txt"
    plain.write_text("# HELP a x\n# TYPE a gauge\na 1\n")
    res = cli("lint", str(plain), "--format", "openmetrics", "-o", "json")
    assert [f["message"] for f in json.loads(res.stdout)["findings"]] == [
        "data does not end with # EOF"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to lint"),
        (("x.prom", "--match", "up"), "--match applies to --server only"),
        (("-", "-"), "stdin (-) can be read only once"),
    ],
)
def test_usage_errors_exit_2(cli, args: tuple[str, ...], message: str) -> None:
    res = cli("lint", *args)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert message in res.stderr


def test_bad_project_config_exits_2_with_location(cli, files, tmp_path, monkeypatch) -> None:
    (tmp_path / "obsctl.yaml").write_text("lint:\n  select: [OBS1\n")
    monkeypatch.chdir(tmp_path)
    res = cli("lint", str(files["good.prom"]))
    assert res.exit_code == ExitCode.USAGE
    assert "obsctl.yaml:" in res.stderr and "invalid YAML" in res.stderr


def test_gzip_on_stdin_and_truncated_gzip(cli, tmp_path) -> None:
    import gzip

    data = gzip.compress(BAD.encode())
    res = cli("lint", "-", "-o", "json", input=data)
    assert json.loads(res.stdout)["summary"]["error"] == 2
    cut = tmp_path / "cut.prom.gz"
    cut.write_bytes(data[:40])
    res = cli("lint", str(cut))
    assert res.exit_code == ExitCode.USAGE
    assert "gzip data is truncated" in res.stderr


def test_timeout_and_max_bytes_take_durations_and_sizes(cli):
    res = cli("lint", "http://127.0.0.1:9/metrics", "--max-bytes", "ten")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0].startswith("obsctl: error: --max-bytes: invalid size 'ten'")
    res = cli("lint", "http://127.0.0.1:9/metrics", "--timeout", "soon")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0].startswith("obsctl: error: --timeout: ")


def test_baseline_keys_do_not_depend_on_how_the_path_is_typed(
    cli, files, tmp_path, monkeypatch
) -> None:
    bad = files["bad.prom"]
    ci = tmp_path / "ci"
    ci.mkdir()
    # Written from the file's folder with the default name, typed as ./bad.prom …
    monkeypatch.chdir(bad.parent)
    res = cli("lint", "./" + bad.name, "--write-baseline")
    assert res.exit_code == 0, res.output
    written = bad.parent / "obsctl-baseline.json"
    assert written.is_file()
    keys = json.loads(written.read_text())["accepted"]
    assert keys and all(k.split("|")[1] == bad.name for k in keys)
    moved = ci / "baseline.json"
    cli("lint", "./" + bad.name, "--baseline", str(moved), "--write-baseline")
    # … and read from another folder with an absolute path: every finding is accepted.
    monkeypatch.chdir(tmp_path)
    res = cli("lint", str(bad), "--baseline", str(moved), "-o", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["findings"] == []
    assert doc["summary"]["suppressed"] == len(keys)
    res = cli("lint", str(bad), "--baseline", str(moved))
    assert res.stderr.rstrip().endswith(f"; {len(keys)} suppressed by the baseline")


def test_summary_piped_at_80_columns_keeps_names_whole(cli, tmp_path):
    name = "a_really_long_metric_name_for_http_server_request_duration_in_the_gateway_total"
    path = tmp_path / "long.prom"
    path.write_text(f'# HELP {name} x\n# TYPE {name} counter\n{name}{{route="/a"}} 1\n')
    res = cli("lint", str(path), env={"COLUMNS": "80"})
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert f"{name}       1" in lines
    assert f"{name}{{route}}       1" in lines
    assert [line for line in lines if line != line.rstrip()] == []
