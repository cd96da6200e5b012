"""Real Prometheus, Alertmanager and VictoriaMetrics processes for the integration tier.

All bind to free 127.0.0.1 ports with throwaway data directories. Prometheus data is seeded
by backfilling OpenMetrics text with ``promtool tsdb create-blocks-from openmetrics`` before
start-up (and can be scraped or remote-written at run time: exemplar storage and the
remote-write receiver are enabled). VictoriaMetrics is seeded after start-up through its
``/api/v1/import`` (JSON lines) API. A missing binary skips the test locally and fails it when
``CI`` is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROMETHEUS_BIN = os.environ.get("OBSCTL_TEST_PROMETHEUS", "prometheus")
PROMTOOL_BIN = os.environ.get("OBSCTL_TEST_PROMTOOL", "promtool")
ALERTMANAGER_BIN = os.environ.get("OBSCTL_TEST_ALERTMANAGER", "prometheus-alertmanager")
VICTORIA_METRICS_BIN = os.environ.get("OBSCTL_TEST_VICTORIA_METRICS", "victoria-metrics")
READY_TIMEOUT = 60.0


def require_binary(name: str) -> str:
    """Path of ``name``; skip (locally) or fail (in CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        alternatives = {"prometheus-alertmanager": "alertmanager"}
        alt = alternatives.get(name)
        path = shutil.which(alt) if alt else None
    if path is None:
        message = (
            f"{name} is not installed (Debian: apt-get install prometheus "
            "prometheus-alertmanager victoria-metrics; or scripts/install-servers.sh)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get_json(url: str, timeout: float = 5.0) -> object:
    """GET ``url`` and decode JSON (test helper; stdlib only)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def http_post_json(url: str, doc: object, timeout: float = 5.0) -> int:
    """POST ``doc`` as JSON; returns the HTTP status."""
    req = urllib.request.Request(
        url,
        data=json.dumps(doc).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return int(resp.status)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(
        f"server not ready after {READY_TIMEOUT}s:\n{log.read_text(errors='replace')[-3000:]}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class Server:
    """A running server process."""

    url: str
    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] = field(repr=False)
    log: Path = field(repr=False)

    def stop(self) -> None:
        """Terminate the process (idempotent)."""
        _stop(self.proc)

    def logs(self) -> str:
        """The server's combined output so far."""
        return self.log.read_text(errors="replace")


def backfill(openmetrics: str, data_dir: Path, workdir: Path) -> None:
    """Write ``openmetrics`` (must end with ``# EOF``) into TSDB blocks under ``data_dir``."""
    promtool = require_binary(PROMTOOL_BIN)
    src = workdir / "seed.om"
    src.write_text(openmetrics if openmetrics.endswith("\n") else openmetrics + "\n")
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"promtool backfill failed: {proc.stderr or proc.stdout}")


def start_prometheus(
    workdir: Path,
    *,
    openmetrics: str | None = None,
    scrape_configs: Sequence[dict[str, object]] = (),
    rules: str | None = None,
    scrape_interval: str = "1s",
    evaluation_interval: str = "1s",
    extra_flags: Iterable[str] = (),
    self_scrape: bool = True,
) -> Server:
    """Start a real Prometheus on a free loopback port.

    Args:
        workdir: a fresh directory for config, data and logs.
        openmetrics: data to backfill before start-up (OpenMetrics text ending in ``# EOF``).
        scrape_configs: Prometheus ``scrape_configs`` entries (targets on 127.0.0.1 only).
        rules: contents of a rule file to load.
        scrape_interval: global scrape interval.
        evaluation_interval: global rule evaluation interval.
        extra_flags: more command-line flags.
        self_scrape: add a ``job="prometheus"`` scrape of itself (gives ``up`` and metadata).
    """
    binary = require_binary(PROMETHEUS_BIN)
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    if openmetrics:
        backfill(openmetrics, data_dir, workdir)
    port = free_port()
    jobs = list(scrape_configs)
    if self_scrape:
        jobs.insert(
            0, {"job_name": "prometheus", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
        )
    config: dict[str, object] = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval},
        "scrape_configs": jobs,
    }
    if rules:
        (workdir / "rules.yml").write_text(rules)
        config["rule_files"] = [str(workdir / "rules.yml")]
    config_file = workdir / "prometheus.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    args = [
        binary,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={data_dir}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=100y",
        "--enable-feature=exemplar-storage",
        "--web.enable-remote-write-receiver",
        "--web.enable-lifecycle",
        "--log.level=warn",
        *extra_flags,
    ]
    return _launch(args, workdir, port, "prometheus.log")


def dying_with_parent(args: Sequence[str]) -> list[str]:
    """``args`` run so that the server gets SIGTERM when the test process dies, however it
    dies (a pytest killed mid-run used to leave Prometheus and Alertmanager running):
    util-linux's ``setpriv --pdeathsig``, which Debian always has; elsewhere ``args`` as
    they are, and the session's teardown still stops them."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or not sys.platform.startswith("linux"):
        return list(args)
    return [setpriv, "--pdeathsig", "TERM", "--", *args]


def _launch(
    args: list[str], workdir: Path, port: int, log_name: str, *, ready_path: str = "/-/ready"
) -> Server:
    """Start ``args`` logging to ``workdir/log_name``; return once ``ready_path`` answers."""
    log = workdir / log_name
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            dying_with_parent(args), stdout=fh, stderr=subprocess.STDOUT, cwd=workdir
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{url}{ready_path}", proc, log)
    except BaseException:
        _stop(proc)
        raise
    return Server(url=url, port=port, workdir=workdir, proc=proc, log=log)


def start_alertmanager(workdir: Path, *, config_yaml: str | None = None) -> Server:
    """Start a real Alertmanager (clustering disabled) on a free loopback port."""
    binary = require_binary(ALERTMANAGER_BIN)
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(
        config_yaml
        or (
            "route:\n  receiver: blackhole\n  group_wait: 1s\n  group_interval: 1s\n"
            "receivers:\n  - name: blackhole\n"
        )
    )
    port = free_port()
    args = [
        binary,
        f"--config.file={config_file}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=warn",
    ]
    return _launch(args, workdir, port, "alertmanager.log")


def start_victoria_metrics(workdir: Path, *, jsonl: str | None = None) -> Server:
    """Start a real single-node VictoriaMetrics on a free loopback port.

    Args:
        workdir: a fresh directory for data and logs.
        jsonl: data to import after start-up, in ``/api/v1/import`` JSON-lines form
            (``{"metric": {...}, "values": [...], "timestamps": [ms, ...]}`` per line).
    """
    binary = require_binary(VICTORIA_METRICS_BIN)
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [
        binary,
        f"-storageDataPath={workdir / 'data'}",
        f"-httpListenAddr=127.0.0.1:{port}",
        "-retentionPeriod=100y",
        # Make imported points visible at once and keep answers independent of earlier ones.
        "-search.latencyOffset=0s",
        "-search.disableCache",
        "-loggerLevel=WARN",
    ]
    server = _launch(args, workdir, port, "victoria-metrics.log", ready_path="/health")
    if jsonl:
        try:
            import_victoria_metrics(server.url, jsonl)
        except BaseException:
            server.stop()
            raise
    return server


def import_victoria_metrics(url: str, jsonl: str) -> None:
    """POST JSON lines to ``/api/v1/import`` and flush them so queries see them at once."""
    req = urllib.request.Request(f"{url}/api/v1/import", data=jsonl.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=60) as resp:
        if resp.status not in (200, 204):
            raise RuntimeError(f"VictoriaMetrics refused the import: HTTP {resp.status}")
    with urllib.request.urlopen(f"{url}/internal/force_flush", timeout=60) as resp:
        if resp.status != 200:
            raise RuntimeError(f"VictoriaMetrics force_flush: HTTP {resp.status}")


def post_alerts(alertmanager_url: str, alerts: list[dict[str, object]]) -> None:
    """POST alerts to Alertmanager's v2 API (``labels``, ``annotations``, ``startsAt``…)."""
    status = http_post_json(f"{alertmanager_url}/api/v2/alerts", alerts)
    if status != 200:
        raise RuntimeError(f"Alertmanager refused alerts: HTTP {status}")


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (for 'unreachable' tests)."""
    return f"http://127.0.0.1:{free_port()}"


@contextlib.contextmanager
def running(server: Server):  # type: ignore[no-untyped-def]
    """Stop ``server`` on exit."""
    try:
        yield server
    finally:
        server.stop()
