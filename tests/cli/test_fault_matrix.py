"""Every networked command against every hostile-server behaviour (``tests/faultserver.py``).

Each case asserts the documented exit code, exactly one ``obsctl: error:`` line, no
traceback, and that no credential of the context shows up anywhere in stdout or stderr, in
any encoding. The credential-echoing behaviours run plain, with ``--debug`` and with
``-o json`` (``-o sarif`` for lint). Huge
answers are checked in-process against a small ``max_response_size`` here; the peak memory
of a real process on a 500 MB answer is measured in ``test_huge_answer_memory``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from obsctl import redact
from obsctl.backends import http as obs_http
from obsctl.exit_codes import ExitCode
from tests.faultserver import MODES, FaultServer, free_port

TOKEN = "CANARY-t0k/en+Zq=9"
USER = "canary-user"
PASSWORD = "CANARY-pa55 w/rd"
SCRAPE_PASSWORD = "CANARYscrape77"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def _forms(secret: str) -> set[str]:
    b64 = base64.b64encode(secret.encode()).decode()
    return {secret, quote(secret, safe=""), quote_plus(secret), b64, b64.rstrip("=")}


CANARIES = (
    _forms(TOKEN)
    | _forms(PASSWORD)
    | _forms(f"{USER}:{PASSWORD}")
    | _forms(f"scrape:{SCRAPE_PASSWORD}")
    | {SCRAPE_PASSWORD, "CANARY"}
)

COMMANDS: dict[str, list[str]] = {
    "query": ["query", "up"],
    "query-range": ["query", "up", "--since", "1h"],
    "series": ["series", "up"],
    "labels": ["labels"],
    "trace-tempo": ["trace", TRACE_ID, "--backend", "tempo"],
    "trace-jaeger": ["trace", TRACE_ID, "--backend", "jaeger"],
    "trace-zipkin": ["trace", TRACE_ID, "--backend", "zipkin"],
    "search-tempo": ["trace", "search", "--backend", "tempo", "--since", "1h"],
    "search-jaeger": ["trace", "search", "--backend", "jaeger", "--service", "api"],
    "correlate": ["correlate", "HighLatency", "--window", "now-40m..now-10m"],
    "lint-url": ["lint", "{scrape_url}"],
    "lint-server": ["lint", "--server"],
    "doctor": ["doctor"],
    # Networked commands beyond the original thirteen.
    "metadata": ["metadata"],
    "exemplars": ["exemplars", "up"],
    "alerts": ["alerts", "list"],
    "alerts-route": ["alerts", "route", "severity=page"],
    "silences": ["silence", "list"],
    "rules-check-server": ["rules", "check", "--server", "{rule_file}"],
    "rules-backtest": ["rules", "backtest", "{rule_file}", "--since", "1h"],
}
RULES = """groups:
- name: g
  rules:
  - alert: HighLatency
    expr: histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m])) > 0.5
    for: 5m
"""

EXPECTED: dict[str, set[int]] = {
    "closed": {ExitCode.UNREACHABLE},
    "stall": {ExitCode.UNREACHABLE},
    "401": {ExitCode.BACKEND_ERROR},
    "403": {ExitCode.BACKEND_ERROR},
    "429": {ExitCode.BACKEND_ERROR},
    "500": {ExitCode.BACKEND_ERROR},
    "502": {ExitCode.BACKEND_ERROR},
    "html": {ExitCode.BACKEND_ERROR},
    "truncated": {ExitCode.BACKEND_ERROR},
    "wrong_shape": {ExitCode.BACKEND_ERROR},
    "huge": {ExitCode.BACKEND_ERROR},
    "redirect_loop": {ExitCode.BACKEND_ERROR},
    "redirect_echo": {ExitCode.BACKEND_ERROR},
    "cross_origin": {ExitCode.BACKEND_ERROR},
    "reset": {ExitCode.BACKEND_ERROR},
}
ECHOING = {"401", "403", "429", "500", "502", "html", "redirect_echo", "cross_origin"}
# Commands for which a behaviour has another documented outcome.
OVERRIDES: dict[tuple[str, str], set[int]] = {
    # A trace-shaped answer that is not a trace: "not found" is as honest as "bad answer".
    **{(c, "wrong_shape"): {ExitCode.BACKEND_ERROR, ExitCode.NOT_FOUND} for c in COMMANDS},
    # lint checks what it scraped: an HTML page or garbage is a finding about the target,
    # and so is a body that lint stops reading (an over-long line) before its --max-bytes.
    **{
        ("lint-url", m): {ExitCode.FINDINGS, ExitCode.BACKEND_ERROR}
        for m in ("html", "truncated", "wrong_shape", "huge")
    },
    # A scrape has its own --timeout (default 30s), longer than the stall: the late answer
    # ("{}") is then linted.
    ("lint-url", "stall"): {ExitCode.FINDINGS},
}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FaultServer, FaultServer]]:
    main, other = FaultServer(), FaultServer()
    main.redirect_to = other.url
    other.mode = "401"
    yield main, other
    main.close()
    other.close()


def _config(home: Path, url: str, timeout: str = "0.4s") -> None:
    basic = f"{{url: {url}, username: {USER}, password: '{PASSWORD}', timeout: {timeout}"
    (home / "obsctl.yaml").write_text(
        f"""current-context: fault
contexts:
  fault:
    prometheus: {{url: {url}, token: '{TOKEN}', timeout: {timeout}, max_response_size: 1MiB,
                 headers: {{Cookie: 'session={TOKEN}'}}}}
    alertmanager: {{url: {url}, token: '{TOKEN}', timeout: {timeout}, max_response_size: 1MiB}}
    tempo: {basic}, max_response_size: 1MiB}}
    jaeger: {basic}, max_response_size: 1MiB}}
    zipkin: {basic}, max_response_size: 1MiB}}
"""
    )


def _check(res, mode: str, name: str, argv: list[str]) -> None:
    expected = OVERRIDES.get((name, mode), EXPECTED[mode])
    seen = res.stdout + res.stderr
    where = f"{name} × {mode} ({' '.join(argv)})\n{res.output}"
    assert res.exit_code in expected, where
    assert "Traceback" not in seen, where
    errors = [line for line in res.stderr.splitlines() if line.startswith("obsctl: error:")]
    if res.exit_code != ExitCode.FINDINGS:
        assert len(errors) == 1, where
        assert "internal error" not in errors[0], where
    for canary in CANARIES:
        assert canary not in seen, f"{canary!r} leaked: {where}"


CASES = [(c, m) for c in COMMANDS for m in MODES]


@pytest.mark.parametrize(("name", "mode"), CASES, ids=[f"{c}-{m}" for c, m in CASES])
def test_fault_matrix(cli, isolation, servers, name, mode, monkeypatch):
    main, other = servers
    url = f"http://127.0.0.1:{free_port()}" if mode == "closed" else main.url
    main.mode = mode
    # Retries still happen, without their backoff; a stalled server never answers, so a
    # shorter timeout changes nothing but the suite's time.
    monkeypatch.setattr(obs_http, "_backoff", lambda attempt, policy: 0.0)
    _config(isolation, url, timeout="0.2s" if mode == "stall" else "0.4s")
    scrape_url = url.replace("http://", f"http://scrape:{SCRAPE_PASSWORD}@") + "/metrics"
    rule_file = isolation / "rules.yml"
    rule_file.write_text(RULES)
    argv = [
        a.replace("{scrape_url}", scrape_url).replace("{rule_file}", str(rule_file))
        for a in COMMANDS[name]
    ]
    other.seen.clear()
    # The echoing behaviours also run with --debug (request logs) and machine output (the
    # JSON and SARIF writers take their own path to stdout).
    machine = [*argv, "-o", "sarif" if name.startswith("lint") else "json"]
    runs = [argv, [*argv, "--debug"], machine] if mode in ECHOING else [argv]
    for args in runs:
        t0 = time.monotonic()
        res = cli(*args)
        assert time.monotonic() - t0 < 20, f"{name} × {mode} took too long"
        _check(res, mode, name, args)
    if mode == "cross_origin":
        for headers in other.seen:
            assert "authorization" not in headers, headers
            assert TOKEN not in str(headers), headers


@pytest.fixture(autouse=True)
def _fresh_secrets() -> Iterator[None]:
    redact.forget_all()
    yield
    redact.forget_all()


# ---------------------------------------------------------------- a real process, 500 MB
def _peak_rss_mb(argv: list[str], env: dict[str, str], tmp: Path) -> tuple[int, float, str]:
    """Run ``argv``; its exit code, peak RSS in MB (``wait4``) and its stdout + stderr."""
    out_path, err_path = tmp / "out.txt", tmp / "err.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, out_path.read_text() + err_path.read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "up"],
        ["trace", TRACE_ID, "--backend", "tempo"],
        ["doctor"],
        ["correlate", "HighLatency", "--window", "now-40m..now-10m"],
    ],
    ids=["query", "trace", "doctor", "correlate"],
)
def test_huge_answer_memory(isolation, argv):
    """A 500 MB answer: exit 4 naming the limit, peak RSS well under 300 MB, in bounded time."""
    server = FaultServer(huge_bytes=500 * 1024 * 1024)
    server.mode = "huge"
    try:
        (isolation / "obsctl.yaml").write_text(
            f"current-context: c\ncontexts:\n  c:\n"
            f"    prometheus: {server.url}\n    tempo: {server.url}\n"
            f"    alertmanager: {server.url}\n    jaeger: {server.url}\n"
        )
        env = {k: v for k, v in os.environ.items() if k != "OBSCTL_DEBUG"}
        t0 = time.monotonic()
        code, rss, err = _peak_rss_mb([sys.executable, "-m", "obsctl", *argv], env, isolation)
        elapsed = time.monotonic() - t0
    finally:
        server.close()
    assert code == ExitCode.BACKEND_ERROR, err
    limit = "16 MiB limit" if argv == ["doctor"] else "128 MiB limit"
    assert limit in err and "max_response_size" in err, err
    assert "Traceback" not in err
    assert rss < 300, f"peak RSS {rss:.0f} MB"
    assert elapsed < 30, elapsed
