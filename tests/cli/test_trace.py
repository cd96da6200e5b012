"""``obsctl trace``: every exit code, output formats, the ID/--file/search forms."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import orjson
import respx

from obsctl.exit_codes import ExitCode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"
TEMPO = "http://tempo.test"
JAEGER = "http://jaeger.test"
OTLP = str(FIXTURES / "otlp/checkout.json")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- 0: success


def test_text_waterfall_from_file(cli):
    res = cli("trace", "--file", OTLP, env={"COLUMNS": "80"})
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"Trace {TID}  frontend: GET /checkout"
    assert "120ms · 5 spans · 2 services · 1 error" in lines[1]
    body = "\n".join(lines)
    assert "◆ frontend GET /checkout                   120ms ████" in body
    assert "    ✗ payment POST /charge                  75ms" in body
    assert "      ◆ db.query                            50ms" in body
    assert "  ✗ payment POST /charge (2222222222222222): status ERROR: card declined" in body
    assert "payment       2       1       75ms     75ms (62%)" in body
    assert "frontend      3       0       45ms     45ms (38%)" in body
    assert all(len(line) <= 80 for line in lines)
    assert res.stderr == ""


def test_json_output(cli):
    res = cli("trace", "--file", OTLP, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert {k: doc[k] for k in ("schema_version", "trace_id", "span_count", "service_count")} == {
        "schema_version": 1,
        "trace_id": TID,
        "span_count": 5,
        "service_count": 2,
    }
    assert doc["duration_ms"] == 120.0
    assert doc["root_span_id"] == "00f067aa0ba902b7"
    spans = {s["span_id"]: s for s in doc["spans"]}
    pay = spans["2222222222222222"]
    assert {k: pay[k] for k in ("parent_span_id", "service", "name", "kind", "start_time")} == {
        "parent_span_id": "1111111111111111",
        "service": "payment",
        "name": "POST /charge",
        "kind": "server",
        "start_time": "2025-11-25T10:00:00.012Z",
    }
    assert (pay["duration_ms"], pay["self_time_ms"], pay["critical_path_ms"], pay["error"]) == (
        75.0,
        25.0,
        25.0,
        True,
    )
    assert sum(s["critical_path_ms"] for s in doc["spans"]) == doc["duration_ms"]
    assert [s["critical_path_ms"] for s in doc["spans"]] == [20.0, 5.0, 25.0, 50.0, 20.0]


def test_ndjson_one_span_per_line(cli):
    res = cli("trace", "--file", OTLP, "-o", "ndjson")
    assert res.exit_code == ExitCode.OK, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["span_id"] for r in rows][:2] == ["00f067aa0ba902b7", "1111111111111111"]
    assert len(rows) == 5 and all(r["trace_id"] == TID for r in rows)


def test_raw_is_the_body_unchanged(cli):
    res = cli("trace", "--file", OTLP, "--raw")
    assert res.exit_code == ExitCode.OK
    assert res.stdout == Path(OTLP).read_text()


def test_stdin_and_span_detail(cli):
    data = (FIXTURES / "zipkin/v2/checkout.json").read_bytes()
    res = cli("trace", "--file", "-", "--span", "3333333333333333", input=data)
    assert res.exit_code == ExitCode.OK, res.output
    assert res.stdout.splitlines()[0] == "Span 3333333333333333  payment: db.query"
    assert (
        "duration  50ms · self 50ms · critical path 50ms (42% of the critical path)" in res.stdout
    )
    assert "db.system  postgresql" in res.stdout


def test_pruning_depth_min_duration_service(cli):
    res = cli("trace", "--file", OTLP, "--depth", "1")
    assert "GET /checkout (+4)" in res.stdout
    assert "render" not in res.stdout
    res = cli("trace", "--file", OTLP, "--min-duration", "60ms")
    assert "POST /charge" in res.stdout and "render" not in res.stdout
    assert "… 2 spans not shown" in res.stdout
    res = cli("trace", "--file", OTLP, "--service", "payment")
    assert "db.query" in res.stdout and "render" not in res.stdout


def test_fetch_by_id_from_tempo(cli):
    with respx.mock(base_url=TEMPO, assert_all_called=True) as mock:
        route = mock.get(f"/api/v2/traces/{TID}").respond(
            200, content=(FIXTURES / "tempo/v2/checkout.json").read_bytes()
        )
        res = cli("trace", TID.upper(), "--tempo-url", TEMPO, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    assert route.calls.last.request.headers["accept"] == "application/json"
    doc = json.loads(res.stdout)
    assert (doc["source"], doc["api"], doc["span_count"]) == ("tempo", "/api/v2/traces", 5)


def test_base64_id_and_next_backend_when_first_does_not_know_it(cli):
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{TEMPO}/api/v2/traces/{TID}").respond(404, text="")
        mock.get(f"{JAEGER}/api/v3/traces/{TID}").respond(
            200, content=(FIXTURES / "jaeger/v3/checkout.json").read_bytes()
        )
        res = cli("trace", "S/kvNXezTaajzpKdDg5HNg==", "--tempo-url", TEMPO, "--jaeger-url", JAEGER)
    assert res.exit_code == ExitCode.OK, res.output
    assert "from jaeger (/api/v3/traces)" in res.stdout
    assert f"Jaeger UI: {JAEGER}/trace/{TID}" in res.stdout


def test_search_table_and_json(cli):
    body = {
        "traces": [
            {
                "traceID": TID,
                "rootServiceName": "frontend",
                "rootTraceName": "GET /checkout",
                "startTimeUnixNano": "1764064800000000000",
                "durationMs": 120,
                "serviceStats": {
                    "frontend": {"spanCount": 3},
                    "payment": {"spanCount": 2, "errorCount": 1},
                },
            }
        ]
    }
    with respx.mock(base_url=TEMPO) as mock:
        route = mock.get("/api/search").respond(200, json=body)
        res = cli("trace", "search", "--service", "frontend", "--since", "2h", "--tempo-url", TEMPO)
        assert res.exit_code == ExitCode.OK, res.output
        assert route.calls.last.request.url.params["q"] == '{ resource.service.name = "frontend" }'
        assert TID in res.stdout and "frontend: GET /checkout" in res.stdout
        # START carries the year: a search can reach back across a new year.
        local = datetime.fromtimestamp(1764064800, UTC).astimezone().strftime("%Y-%m-%d %H:%M")
        assert local in res.stdout
        assert "1 trace from tempo" in res.stderr
        res = cli("trace", "search", "-q", "{ status = error }", "--tempo-url", TEMPO, "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["query"] == "{ status = error }"
    assert doc["traces"][0] == {
        "trace_id": TID,
        "root_service": "frontend",
        "root_name": "GET /checkout",
        "start_time": "2025-11-25T10:00:00Z",
        "duration_ms": 120.0,
        "span_count": 5,
        "error_count": 1,
        "services": ["frontend", "payment"],
    }


def test_search_for_errors_on_tempo_and_not_with_traceql(cli):
    with respx.mock(base_url=TEMPO) as mock:
        route = mock.get("/api/search").respond(200, json={"traces": []})
        res = cli("trace", "search", "--service", "api", "--error", "--tempo-url", TEMPO)
        assert res.exit_code == ExitCode.OK, res.output
        q = '{ resource.service.name = "api" && status = error }'
        assert route.calls.last.request.url.params["q"] == q
    res = cli("trace", "search", "--error", "-q", "{ }", "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines() == [
        "obsctl: error: --error goes with the search fields, not --query",
        "  hint: add status = error to the TraceQL",
    ]


def test_search_piped_at_80_columns_is_never_cut(cli):
    root = "POST /api/v2/checkout/{cart_id}/confirm-payment-and-reserve-inventory"
    body = {
        "traces": [
            {
                "traceID": TID,
                "rootServiceName": "checkout-frontend-gateway",
                "rootTraceName": root,
                "startTimeUnixNano": "1764064800000000000",
                "durationMs": 120,
            }
        ]
    }
    for fmt in ("text", "wide"):
        with respx.mock(base_url=TEMPO) as mock:
            mock.get("/api/search").respond(200, json=body)
            res = cli("trace", "search", "--tempo-url", TEMPO, "-o", fmt, env={"COLUMNS": "80"})
        assert res.exit_code == ExitCode.OK, res.output
        lines = res.stdout.splitlines()
        assert lines[0].split() == ["TRACE", "ID", "ROOT", "START", "DUR", "SPANS", "ERR"]
        assert lines[1].startswith(f"{TID}  checkout-frontend-gateway: {root}  ")
        assert len(lines[1]) > 80
        assert [line for line in lines if line != line.rstrip()] == []


def test_waterfall_piped_at_80_columns_keeps_span_names_whole(cli, tmp_path):
    doc = json.loads(Path(OTLP).read_text())
    long = "POST /charge/with-a-very-long-operation-name-that-does-not-fit-in-eighty-columns"
    text = json.dumps(doc).replace('"POST /charge"', json.dumps(long))
    assert long in text
    path = tmp_path / "long.json"
    path.write_text(text)
    res = cli("trace", "--file", str(path), env={"COLUMNS": "80"})
    assert res.exit_code == ExitCode.OK, res.output
    lines = res.stdout.splitlines()
    assert any(f"✗ payment {long}  " in line for line in lines)
    assert [line for line in lines if line != line.rstrip()] == []


def test_help_shows_all_three_forms(cli):
    res = cli("trace", "--help")
    assert res.exit_code == ExitCode.OK
    assert "Usage: obsctl trace [OPTIONS] [TRACE_ID] | search [OPTIONS]" in res.stdout
    for text in ("--file", "--span", "--min-duration", "search", "--adjust-skew"):
        assert text in res.stdout
    res = cli("trace", "search", "--help")
    assert res.exit_code == ExitCode.OK and "--query" in res.stdout


# ----------------------------------------------------------------------------- 2: usage


def test_usage_errors(cli, tmp_path):
    cases = [
        (("trace", "xyz!"), "invalid trace ID 'xyz!'"),
        (("trace", "--depth", "2"), "give a TRACE_ID, or --file PATH"),
        (("trace", "--file", str(tmp_path / "nope.json")), "cannot read"),
        (("trace", "--file", str(tmp_path)), "is a directory"),
        (("trace", "--file", OTLP, "--backend", "tempo"), "exclude each other"),
        (("trace", "--file", OTLP, "--min-duration", "soon"), "--min-duration"),
        (("trace", "search", "--tag", "novalue"), "expected KEY=VALUE"),
        (("trace", "search", "--backend", "jaeger", "--jaeger-url", JAEGER), "needs --service"),
        (("trace", "search", "-q", "{}", "--backend", "zipkin"), "Tempo only"),
    ]
    for args, message in cases:
        res = cli(*args)
        assert res.exit_code == ExitCode.USAGE, (args, res.output)
        assert message in res.stderr, (args, res.stderr)


def test_bad_files_exit_2(cli, tmp_path):
    bad = tmp_path / "bad.json"
    for content, message in [
        (b"", "the file is empty"),
        (b'{"resourceSpans": [', "not valid JSON"),
        (b'{"hello": 1}', "not a trace"),
        (
            orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "x"}]}]}]}),
            "invalid trace ID",
        ),
    ]:
        bad.write_bytes(content)
        res = cli("trace", "--file", str(bad))
        assert res.exit_code == ExitCode.USAGE, res.output
        assert message in res.stderr
        assert res.stderr.count("\n") <= 2  # one line and maybe a hint, no traceback


# ----------------------------------------------------------------------------- 3: unreachable


def test_unreachable_backend_exits_3(cli):
    url = f"http://127.0.0.1:{closed_port()}"
    res = cli("trace", TID, "--backend", "tempo", "--tempo-url", url)
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert f"cannot connect to Tempo at {url}" in res.stderr


# ----------------------------------------------------------------------------- 4: backend error


def test_backend_error_and_malformed_payload_exit_4(cli):
    with respx.mock(base_url=TEMPO) as mock:
        mock.get(f"/api/v2/traces/{TID}").respond(400, text="invalid trace id")
        res = cli("trace", TID, "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert "Tempo answered HTTP 400" in res.stderr
    with respx.mock(base_url=TEMPO) as mock:
        mock.get(f"/api/v2/traces/{TID}").respond(200, json={"trace": {"resourceSpans": "x"}})
        res = cli("trace", TID, "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.BACKEND_ERROR, res.output
    assert "Tempo v2 trace: " in res.stderr


# ----------------------------------------------------------------------------- 5: not found


def test_unknown_trace_exits_5(cli):
    with respx.mock(base_url=TEMPO) as mock:
        mock.get(f"/api/v2/traces/{TID}").respond(404, text="")
        res = cli("trace", TID, "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    assert f"obsctl: error: trace {TID} not found in Tempo at {TEMPO}" in res.stderr
    assert "retention" in res.stderr


def test_unknown_span_exits_5(cli):
    res = cli("trace", "--file", OTLP, "--span", "abcdef")
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    assert "span abcdef is not in trace" in res.stderr


# ----------------------------------------------------------------------------- skew, shared


SKEWED = str(FIXTURES / "zipkin/v2/shared_skewed.json")


def test_zipkin_shared_span_with_clock_skew(cli):
    res = cli("trace", "--file", SKEWED, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    server = next(s for s in doc["spans"] if s["shared"])
    assert (server["span_id"], server["parent_span_id"], server["service"]) == (
        "00000000000000b2",
        "00000000000000b2",
        "backend",
    )
    select = next(s for s in doc["spans"] if s["name"] == "select")
    assert select["depth"] == 3  # root → client half → server half → select
    assert doc["clock_skew"] == [
        {
            "span_id": "00000000000000b2",
            "parent_span_id": "00000000000000b2",
            "service": "backend",
            "parent_service": "frontend",
            "delta_ms": 60.0,
            "applied": False,
        }
    ]
    assert server["start_time"] == "2025-11-25T09:59:59.96Z"
    assert doc["error_origin_span_ids"] == ["00000000000000c3"]
    assert sum(s["critical_path_ms"] for s in doc["spans"]) == 150.0


def test_adjust_skew_shifts_the_server_subtree(cli):
    res = cli("trace", "--file", SKEWED, "--adjust-skew", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    starts = {(s["name"], s["shared"]): s["start_time"] for s in doc["spans"]}
    assert starts[("get /items", True)] == "2025-11-25T10:00:00.02Z"
    assert starts[("select", False)] == "2025-11-25T10:00:00.03Z"
    assert doc["clock_skew"][0]["applied"] is True
    text = cli("trace", "--file", SKEWED)
    assert "clock skew detected" in text.stderr and "60ms on backend under frontend" in text.stderr
    assert "✗ select" in text.stdout and "HTTP 503" not in text.stdout


def test_file_works_with_a_broken_config(cli, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("contexts: [\n")
    res = cli("trace", "--file", OTLP, "--config", str(bad), "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output


def test_every_backend_unreachable_exits_3(cli):
    urls = [f"http://127.0.0.1:{closed_port()}" for _ in range(2)]
    res = cli("trace", TID, "--tempo-url", urls[0], "--jaeger-url", urls[1])
    assert res.exit_code == ExitCode.UNREACHABLE, res.output
    assert "no trace backend reachable (tempo, jaeger)" in res.stderr


def test_not_found_in_one_unreachable_other_exits_5(cli):
    url = f"http://127.0.0.1:{closed_port()}"
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.get(f"{TEMPO}/api/v2/traces/{TID}").respond(404, text="")
        res = cli("trace", TID, "--tempo-url", TEMPO, "--jaeger-url", url)
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    assert f"trace {TID} not found in any trace backend (tempo, jaeger)" in res.stderr


def test_grafana_explore_link_when_configured(cli, tmp_path):
    config = tmp_path / "obsctl.yaml"
    config.write_text(
        f"current-context: c\ncontexts:\n  c:\n    tempo: {TEMPO}\n    grafana: http://grafana.test\n"
    )
    with respx.mock(base_url=TEMPO) as mock:
        mock.get(f"/api/v2/traces/{TID}").respond(
            200, content=(FIXTURES / "tempo/v2/checkout.json").read_bytes()
        )
        res = cli("trace", TID, "--config", str(config), "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    link = json.loads(res.stdout)["links"]["grafana"]
    assert link.startswith("http://grafana.test/explore?schemaVersion=1&panes=")
    assert TID in link and "%22type%22%3A%22tempo%22" in link


def test_a_shortened_id_not_found_says_it_was_padded(cli):
    padded = "00000000000000000000000004bf92f3"
    with respx.mock() as mock:
        mock.get(f"{TEMPO}/api/v2/traces/{padded}").respond(404, text="")
        res = cli("trace", "4bf92f3", "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.NOT_FOUND, res.output
    lines = res.stderr.splitlines()
    assert lines[0].startswith(f"obsctl: error: trace {padded} not found")
    assert lines[0].endswith(
        f"(the 7-digit ID 4bf92f3 was padded with zeros to {padded}: trace IDs have 16 or "
        "32 hex digits)"
    )
    assert lines[1] == "  hint: give the whole ID; `obsctl trace search` lists recent ones"
    with respx.mock() as mock:
        mock.get(f"{TEMPO}/api/v2/traces/{TID}").respond(404, text="")
        res = cli("trace", TID, "--tempo-url", TEMPO)
    assert res.exit_code == ExitCode.NOT_FOUND
    assert "padded" not in res.stderr


def test_search_for_errors_in_the_local_store(cli, tmp_path):
    from obsctl.parsers.otlp_proto import decode_trace_request
    from obsctl.store import StoreWriter
    from tests.unit.store.otlp_builders import trace_request

    failing, fine = "4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c"
    writer = StoreWriter(tmp_path / "store.sqlite")
    for tid, error in ((failing, True), (fine, False)):
        body = trace_request(trace_ids=[bytes.fromhex(tid)], error=error)
        writer.write([decode_trace_request(body, json=False)], [])
    writer.close()
    args = (
        "trace",
        "search",
        "--backend",
        "local",
        "--store",
        str(tmp_path),
        "--start",
        "2023-11-14",
    )
    found = json.loads(cli(*args, "-o", "json").stdout)["traces"]
    assert {t["trace_id"] for t in found} == {failing, fine}
    res = cli(*args, "--error", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    assert [t["trace_id"] for t in doc["traces"]] == [failing]
    assert doc["query"] == "status=error"
