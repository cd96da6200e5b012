"""Run obsctl's main jobs on built-in data: examples/ files and local real servers.

Starts Prometheus (seeded with demo series) and Alertmanager on free 127.0.0.1 ports when
they are installed, points obsctl at them through the environment, runs each command as a
user would, and stops the servers at the end.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration import servers  # noqa: E402 - the test bed doubles as the demo stack
from tests.integration.seed import make_seed  # noqa: E402

OBSCTL = str(Path(sys.executable).parent / "obsctl")


def run(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> int:
    """Run obsctl as a user would; 1 when its exit code is not one of ``ok``."""
    shown = "obsctl " + " ".join(shlex.quote(a) for a in args)
    sys.stdout.write(f"\n\033[1m$ {shown}\033[0m\n")
    sys.stdout.flush()
    code = subprocess.call([OBSCTL, *args], env=env, cwd=ROOT)
    sys.stdout.write(f"(exit {code})\n" if code else "")
    return int(code not in ok)


def wait_for_first_scrape(url: str, timeout: float = 15.0) -> None:
    """Prometheus applies discovered targets after up to 5 s; wait for its self-scrape."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = servers.http_get_json(f"{url}/api/v1/query?query=up")
        if doc["data"]["result"]:  # type: ignore[index]
            return
        time.sleep(0.25)


def main() -> int:
    env = dict(os.environ)
    env.setdefault("COLUMNS", str(shutil.get_terminal_size((100, 40)).columns))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="obsctl-demo-") as tmp:
        work = Path(tmp)
        env["OBSCTL_CONFIG"] = str(work / "config.yaml")
        started: list[servers.Server] = []
        try:
            if shutil.which("prometheus") and shutil.which("promtool"):
                seed = make_seed(time.time())
                prom = servers.start_prometheus(work / "prometheus", openmetrics=seed.text)
                started.append(prom)
                env["OBSCTL_PROMETHEUS_URL"] = prom.url
                wait_for_first_scrape(prom.url)
            else:
                sys.stdout.write("prometheus is not installed: skipping the live part\n")
            if shutil.which("prometheus-alertmanager") or shutil.which("alertmanager"):
                am = servers.start_alertmanager(work / "alertmanager")
                started.append(am)
                env["OBSCTL_ALERTMANAGER_URL"] = am.url
            if started:
                failures += run(["doctor"], env)
            if "OBSCTL_PROMETHEUS_URL" in env:
                failures += run(["query", "sum by (code) (rate(demo_requests_total[5m]))"], env)
                failures += run(["query", "rate(demo_requests_total[5m])", "--since", "2h"], env)
                failures += run(
                    [
                        "query",
                        "histogram_quantile(0.9, sum by (le) "
                        "(rate(demo_request_duration_seconds_bucket[5m])))",
                        "--since",
                        "2h",
                        "--plot",
                    ],
                    env,
                )
                failures += run(
                    ["query", "--check", "sum(rate(demo_requests_total[5m]"], env, ok=(2,)
                )
                failures += run(["lint", "--server"], env)
            failures += run(["trace", "--file", "examples/traces/checkout-slow.otlp.json"], env)
            failures += run(["lint", "examples/metrics/checkout-service.prom"], env, ok=(1,))
            failures += run(["validate", "examples/otelcol/demo.yaml", "--graph"], env)
            failures += run(["validate", "examples/otelcol/broken.yaml"], env, ok=(1,))
        finally:
            for server in started:
                server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
