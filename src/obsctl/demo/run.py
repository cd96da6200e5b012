"""``obsctl demo``: start a small live stack, inject an incident, and walk the tour.

Everything runs on free 127.0.0.1 ports in a scratch directory:

* ``obsctl receive`` (traces and logs into a fresh store);
* the demo shop (``obsctl.demo.service``: real OpenTelemetry SDK + prometheus_client);
* Prometheus (exemplar storage on, scraping the shop every second, one alerting rule) and
  Alertmanager, when their binaries are on PATH; without them the trace half runs alone.

Then the incident starts (the shop's database waits on a lock), and once the alert fires (or
after a few seconds without Prometheus) obsctl is run as a user would: doctor, correlate,
trace search, the slowest trace with its logs, a query, lint of the shop's metrics, and
validate of a Collector config that ships to the receiver. Every process started here is
stopped at the end, on Ctrl-C too; ``keep`` leaves them running and prints the environment
to use them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from obsctl.errors import UsageError

ALERT = "CheckoutLatencyHigh"
RULES = f"""\
groups:
  - name: demo
    interval: 1s
    rules:
      - alert: {ALERT}
        expr: >-
          histogram_quantile(0.9, sum by (le, service)
          (rate(demo_request_duration_seconds_bucket[15s]))) > 0.5
        for: 3s
        labels:
          severity: page
        annotations:
          summary: checkout p90 latency above 500ms
"""
ALERTMANAGER_CONFIG = """\
route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: blackhole
"""
COLLECTOR_CONFIG = """\
# A Collector that forwards everything to `obsctl receive` (validated by the demo).
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:14318
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch: {{}}
exporters:
  otlp_http/obsctl:
    endpoint: {endpoint}
extensions:
  health_check:
    endpoint: 127.0.0.1:13133
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp_http/obsctl]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp_http/obsctl]
"""
INSTALL_HINT = "Debian/Ubuntu: apt-get install prometheus prometheus-alertmanager"


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the demo dies, even by SIGKILL (Linux)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _get(url: str, timeout: float = 2.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bytes(resp.read())
    except (OSError, urllib.error.URLError):
        return None


@dataclass
class Stack:
    """The processes the demo started, and how to reach them."""

    work: Path
    out: Callable[[str], None]
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    receiver_url: str = ""
    metrics_url: str = ""
    prometheus_url: str | None = None
    alertmanager_url: str | None = None
    incident_file: Path = Path()

    def launch(self, name: str, args: list[str], ready: str, timeout: float = 60) -> None:
        """Start ``args`` (output to ``<work>/<name>.log``) and wait until ``ready`` answers.

        Raises:
            UsageError: it exited or did not get ready in time (the log's tail is quoted).
        """
        log = self.work / f"{name}.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                args,
                stdout=fh,
                stderr=subprocess.STDOUT,
                cwd=self.work,
                env=self.env,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        self.procs.append((name, proc))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _get(ready, timeout=1) is not None:
                return
            time.sleep(0.1)
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise UsageError(
            f"demo: {name} did not start ({' / '.join(tail) or 'no output'})",
            hint=f"its log is {log}",
        )

    def stop(self) -> None:
        """Stop every process, newest first (SIGTERM, then SIGKILL after 15 s): the shop
        flushes its last spans into a receiver that is still running."""
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def _obsctl() -> list[str]:
    return [sys.executable, "-m", "obsctl"]


def start_stack(stack: Stack) -> None:
    """Start the receiver, the shop, and Prometheus + Alertmanager when installed."""
    work = stack.work
    env = stack.env
    env.update(
        {
            "OBSCTL_CONFIG": str(work / "config.yaml"),
            "OBSCTL_STORE": str(work / "store.sqlite"),
        }
    )
    for name in [k for k in env if k.startswith("OBSCTL_") and k.endswith("_URL")]:
        del env[name]
    port = free_port()
    stack.receiver_url = f"http://127.0.0.1:{port}"
    stack.out(f"starting obsctl receive on {stack.receiver_url} (store {work / 'store.sqlite'})")
    stack.launch(
        "receive",
        [
            *_obsctl(),
            "receive",
            "--listen",
            f"127.0.0.1:{port}",
            "--store",
            str(work / "store.sqlite"),
        ],
        f"{stack.receiver_url}/health",
    )
    metrics_port = free_port()
    stack.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    stack.incident_file = work / "incident"
    stack.out(f"starting the demo shop (metrics on {stack.metrics_url})")
    stack.launch(
        "shop",
        [
            sys.executable,
            "-m",
            "obsctl.demo.service",
            "--otlp",
            stack.receiver_url,
            "--metrics-port",
            str(metrics_port),
            "--incident-file",
            str(stack.incident_file),
        ],
        stack.metrics_url,
    )
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        stack.out(
            f"Prometheus is not on PATH ({INSTALL_HINT}): running the trace half of the demo alone"
        )
        return
    alertmanager = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    am_port = free_port()
    if alertmanager:
        (work / "alertmanager.yml").write_text(ALERTMANAGER_CONFIG)
        stack.alertmanager_url = f"http://127.0.0.1:{am_port}"
        stack.out(f"starting Alertmanager on {stack.alertmanager_url}")
        stack.launch(
            "alertmanager",
            [
                alertmanager,
                f"--config.file={work / 'alertmanager.yml'}",
                f"--storage.path={work / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{am_port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            f"{stack.alertmanager_url}/-/ready",
        )
    else:
        stack.out(f"Alertmanager is not on PATH ({INSTALL_HINT}): alerts stay in Prometheus")
    prom_port = free_port()
    (work / "rules.yml").write_text(RULES)
    config: dict[str, object] = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(work / "rules.yml")],
        "scrape_configs": [
            {"job_name": "shop", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]},
            {"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{prom_port}"]}]},
        ],
    }
    if stack.alertmanager_url:
        config["alerting"] = {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]
        }
    (work / "prometheus.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
    stack.prometheus_url = f"http://127.0.0.1:{prom_port}"
    stack.out(f"starting Prometheus on {stack.prometheus_url} (exemplar storage on)")
    stack.launch(
        "prometheus",
        [
            prometheus,
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={work / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--enable-feature=exemplar-storage",
            "--log.level=warn",
        ],
        f"{stack.prometheus_url}/-/ready",
    )
    env["OBSCTL_PROMETHEUS_URL"] = stack.prometheus_url
    if stack.alertmanager_url:
        env["OBSCTL_ALERTMANAGER_URL"] = stack.alertmanager_url


def alert_firing(prometheus_url: str) -> bool:
    """Whether the demo alert is firing in Prometheus."""
    query = urllib.parse.urlencode({"query": f'ALERTS{{alertname="{ALERT}",alertstate="firing"}}'})
    body = _get(f"{prometheus_url}/api/v1/query?{query}")
    if body is None:
        return False
    try:
        return bool(json.loads(body)["data"]["result"])
    except (ValueError, KeyError, TypeError):
        return False


def inject_incident(stack: Stack, *, baseline: float, timeout: float) -> bool:
    """Let normal traffic run, start the incident, wait for the alert; whether it fired."""
    stack.out(f"normal traffic for {baseline:.0f} s …")
    time.sleep(baseline)
    stack.incident_file.write_text("payments-db: orders row lock\n")
    stack.out("incident: the payments database starts waiting on a row lock")
    if stack.prometheus_url is None:
        time.sleep(min(timeout, 6.0))
        return True
    stack.out(f"waiting for {ALERT} to fire …")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alert_firing(stack.prometheus_url):
            stack.out(f"{ALERT} is firing")
            time.sleep(2.0)  # a few more slow traces behind the alert
            return True
        time.sleep(0.5)
    stack.out(f"{ALERT} did not fire within {timeout:.0f} s; the tour goes on")
    return False


@dataclass
class Step:
    """One command of the tour and the exit codes that count as success."""

    args: list[str]
    ok: tuple[int, ...] = (0,)
    note: str = ""


def run_step(stack: Stack, step: Step) -> int:
    """Run one obsctl command as a user would (output straight to the terminal)."""
    shown = "obsctl " + " ".join(shlex.quote(a) for a in step.args)
    stack.out("")
    if step.note:
        stack.out(f"# {step.note}")
    stack.out(f"$ {shown}")
    sys.stdout.flush()
    code = subprocess.call([*_obsctl(), *step.args], env=stack.env)
    if code not in step.ok:
        stack.out(f"(exit {code}, expected {' or '.join(map(str, step.ok))})")
        return 1
    return 0


def slowest_trace(stack: Stack) -> str | None:
    """The slowest failing (else slowest) checkout in the store, via ``trace search``."""
    res = subprocess.run(
        [
            *_obsctl(),
            "trace",
            "search",
            "--backend",
            "local",
            "--service",
            "payments-db",
            "--min-duration",
            "500ms",
            "--since",
            "15m",
            "--limit",
            "50",
            "-o",
            "json",
        ],
        env=stack.env,
        capture_output=True,
        check=False,
    )
    try:
        traces = json.loads(res.stdout)["traces"]
    except (ValueError, KeyError):
        return None
    if not traces:
        return None
    best = max(traces, key=lambda t: ((t.get("error_count") or 0) > 0, t.get("duration_ms", 0)))
    return str(best["trace_id"])


def tour(stack: Stack) -> int:
    """Run the tour; the number of steps that failed."""
    (stack.work / "otelcol.yaml").write_text(COLLECTOR_CONFIG.format(endpoint=stack.receiver_url))
    failures = run_step(stack, Step(["doctor"], note="what obsctl can reach"))
    if stack.prometheus_url:
        failures += run_step(
            stack,
            Step(
                ["correlate", ALERT, "--since", "10m"],
                note="the alert, the slow traces behind it, where their time went",
            ),
        )
    failures += run_step(
        stack,
        Step(
            [
                "trace",
                "search",
                "--service",
                "payments-db",
                "--min-duration",
                "500ms",
                "--since",
                "15m",
                "--limit",
                "5",
            ],
            note="slow database calls in the local store",
        ),
    )
    slow = slowest_trace(stack)
    if slow is None:
        stack.out("(no slow trace in the store yet)")
        failures += 1
    else:
        failures += run_step(
            stack, Step(["trace", slow], note="the slowest one, with its log lines under the spans")
        )
    if stack.prometheus_url:
        failures += run_step(
            stack,
            Step(
                [
                    "query",
                    "histogram_quantile(0.9, sum by (le) "
                    "(rate(demo_request_duration_seconds_bucket[15s])))",
                    "--since",
                    "5m",
                ],
                note="p90 latency from the shop's histogram",
            ),
        )
    failures += run_step(
        stack,
        Step(["lint", stack.metrics_url], ok=(0, 1), note="the shop's metrics, checked"),
    )
    failures += run_step(
        stack,
        Step(
            ["validate", str(stack.work / "otelcol.yaml")],
            note="a Collector config that forwards to the receiver",
        ),
    )
    return failures


@contextlib.contextmanager
def _workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="obsctl-demo-"))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def run_demo(
    *,
    out: Callable[[str], None],
    keep: bool = False,
    baseline: float = 5.0,
    alert_timeout: float = 60.0,
    wait: Callable[[], None] | None = None,
) -> int:
    """Start the stack, inject the incident, walk the tour, stop everything.

    Args:
        out: writes one line of narration.
        keep: leave the stack running after the tour (until ``wait`` returns).
        baseline: seconds of normal traffic before the incident.
        alert_timeout: longest wait for the alert to fire.
        wait: blocks until the user is done exploring (``keep`` only).

    Returns:
        the number of tour steps that failed.
    """
    # Ctrl-C and SIGTERM both end the demo through the cleanup below (SIGINT may arrive
    # ignored, e.g. from a non-interactive shell's background job).
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _interrupt),
    }
    try:
        return _run(out=out, keep=keep, baseline=baseline, alert_timeout=alert_timeout, wait=wait)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(
    *,
    out: Callable[[str], None],
    keep: bool,
    baseline: float,
    alert_timeout: float,
    wait: Callable[[], None] | None,
) -> int:
    with _workdir(keep) as work:
        stack = Stack(work=work, out=out, env=dict(os.environ))
        try:
            start_stack(stack)
            inject_incident(stack, baseline=baseline, timeout=alert_timeout)
            failures = tour(stack)
            if keep:
                # Ctrl-C is how a kept demo ends: from here on it is not an interruption.
                with contextlib.suppress(KeyboardInterrupt):
                    out("")
                    out("The demo keeps running. In another shell:")
                    for name in (
                        "OBSCTL_CONFIG",
                        "OBSCTL_STORE",
                        "OBSCTL_PROMETHEUS_URL",
                        "OBSCTL_ALERTMANAGER_URL",
                    ):
                        if name in stack.env:
                            out(f"  export {name}={shlex.quote(stack.env[name])}")
                    out(f"  export OTEL_EXPORTER_OTLP_ENDPOINT={stack.receiver_url}")
                    out("  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")
                    out(f"Files and logs: {work}. Ctrl-C stops everything.")
                    if wait is not None:
                        wait()
            return failures
        finally:
            out("stopping the demo stack")
            stack.stop()
