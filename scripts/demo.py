"""Run obsctl's main jobs on built-in data: examples/ files and a small live incident.

When Prometheus and Alertmanager are installed, it starts them on free 127.0.0.1 ports with
demo data: backfilled service metrics, a checkout service (served here) whose latency
histogram carries exemplars, an alerting rule that fires on it, and a Tempo-compatible trace
server (served here) holding the traces behind the exemplars. obsctl is pointed at them
through the environment and run as a user would. Everything stops at the end.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The integration test bed doubles as the demo stack.
from tests.integration import servers  # noqa: E402
from tests.integration.correlate_replay import (  # noqa: E402
    ExemplarTarget,
    ReplaySpan,
    ReplayTrace,
    TempoReplay,
)
from tests.integration.seed import make_seed  # noqa: E402

OBSCTL = str(Path(sys.executable).parent / "obsctl")
ALERT = "HighCheckoutLatency"
RULES = f"""\
groups:
  - name: checkout
    interval: 1s
    rules:
      - alert: {ALERT}
        expr: >-
          histogram_quantile(0.99, sum by (le, service)
          (rate(checkout_duration_seconds_bucket[10s]))) > 0.4
        for: 2s
        labels:
          severity: page
        annotations:
          summary: checkout p99 latency above 400ms
"""
SLOW = "4bf92f3577b34da6a3ce929d0e0e4736"
SLOWER = "5b8efff798038103d269b633813fc60c"
OK = "0af7651916cd43dd8448eb211c80319c"
BEFORE = "6e0c63257de34c926f9efcd03899cd01"


def incident_traces(start_ns: int) -> list[ReplayTrace]:
    """Three checkout requests: two stuck behind a database lock, one slow on the cache; and
    a normal one from before the incident, for the baseline comparison."""

    def trace(trace_id: str, root_ms: int, *rest: ReplaySpan) -> ReplayTrace:
        root = ReplaySpan(1, None, "checkout", "POST /checkout", 0, root_ms)
        return ReplayTrace(trace_id, start_ns, (root, *rest))

    return [
        trace(
            SLOWER,
            1850,
            ReplaySpan(2, 1, "payments", "POST /charge", 20, 1700),
            ReplaySpan(3, 2, "payments-db", "SELECT orders FOR UPDATE", 40, 1600),
            ReplaySpan(4, 1, "cache", "GET cart", 1710, 1760),
        ),
        trace(
            SLOW,
            1200,
            ReplaySpan(2, 1, "payments", "POST /charge", 15, 1050),
            ReplaySpan(3, 2, "payments-db", "SELECT orders FOR UPDATE", 30, 980),
            ReplaySpan(4, 1, "cache", "GET cart", 1060, 1150, error=True),
        ),
        trace(
            OK,
            620,
            ReplaySpan(2, 1, "cache", "GET cart", 10, 480),
            ReplaySpan(3, 1, "payments", "POST /charge", 490, 600),
        ),
        ReplayTrace(
            BEFORE,
            start_ns - 240 * 10**9,
            (
                ReplaySpan(1, None, "checkout", "POST /checkout", 0, 260),
                ReplaySpan(2, 1, "payments", "POST /charge", 10, 200),
                ReplaySpan(3, 2, "payments-db", "SELECT orders FOR UPDATE", 20, 90),
                ReplaySpan(4, 1, "cache", "GET cart", 210, 240),
            ),
        ),
    ]


def run(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> int:
    """Run obsctl as a user would; 1 when its exit code is not one of ``ok``."""
    shown = "obsctl " + " ".join(shlex.quote(a) for a in args)
    sys.stdout.write(f"\n\033[1m$ {shown}\033[0m\n")
    sys.stdout.flush()
    code = subprocess.call([OBSCTL, *args], env=env, cwd=ROOT)
    sys.stdout.write(f"(exit {code})\n" if code else "")
    return int(code not in ok)


def wait_for(url: str, query: str, what: str, timeout: float = 45.0) -> bool:
    """Poll an instant query until it returns something."""
    import urllib.parse

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = servers.http_get_json(
            f"{url}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
        )
        if doc["data"]["result"]:  # type: ignore[index]
            return True
        time.sleep(0.5)
    sys.stdout.write(f"(gave up waiting for {what})\n")
    return False


@contextlib.contextmanager
def live_stack(work: Path, env: dict[str, str]) -> Iterator[bool]:
    """Start the demo servers and point obsctl at them; yields whether the incident is live."""
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        sys.stdout.write("prometheus is not installed: the live part is skipped\n")
        yield False
        return
    now = time.time()
    exemplars = {
        "1.0": f'{{trace_id="{OK}"}} 0.62',
        "2.5": f'{{trace_id="{SLOW}"}} 1.2',
        "+Inf": f'{{traceID="{SLOWER}"}} 1.85',
    }
    with contextlib.ExitStack() as stack:
        target = stack.enter_context(ExemplarTarget(exemplars))
        tempo = stack.enter_context(
            TempoReplay(
                incident_traces(int(now * 1e9)),
                incident_hits=[SLOW, SLOWER, OK],
                baseline_hits=[BEFORE],
                cutover=now,
            )
        )
        prom = servers.start_prometheus(
            work / "prometheus",
            openmetrics=make_seed(now).text,
            rules=RULES,
            scrape_configs=[
                {
                    "job_name": "checkout",
                    "static_configs": [{"targets": [target.url.removeprefix("http://")]}],
                }
            ],
        )
        stack.callback(prom.stop)
        env["OBSCTL_PROMETHEUS_URL"] = prom.url
        env["OBSCTL_TEMPO_URL"] = tempo.url
        if shutil.which("prometheus-alertmanager") or shutil.which("alertmanager"):
            am = servers.start_alertmanager(work / "alertmanager")
            stack.callback(am.stop)
            env["OBSCTL_ALERTMANAGER_URL"] = am.url
            servers.post_alerts(
                am.url,
                [
                    {
                        "labels": {"alertname": ALERT, "service": "checkout", "severity": "page"},
                        "annotations": {"summary": "checkout p99 latency above 400ms"},
                    }
                ],
            )
        sys.stdout.write(
            "starting a local Prometheus, Alertmanager and trace server; waiting "
            f"for {ALERT} to fire …\n"
        )
        sys.stdout.flush()
        yield wait_for(
            prom.url, f'ALERTS{{alertname="{ALERT}",alertstate="firing"}}', "the alert to fire"
        )


def main() -> int:
    env = dict(os.environ)
    env.setdefault("COLUMNS", str(shutil.get_terminal_size((100, 40)).columns))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="obsctl-demo-") as tmp:
        work = Path(tmp)
        env["OBSCTL_CONFIG"] = str(work / "config.yaml")
        with live_stack(work, env) as live:
            if live:
                failures += run(["doctor"], env)
                failures += run(["correlate", ALERT, "--since", "10m"], env)
                failures += run(["query", "sum by (code) (rate(demo_requests_total[5m]))"], env)
                failures += run(["query", "rate(demo_requests_total[5m])", "--since", "2h"], env)
                failures += run(
                    [
                        "query",
                        "histogram_quantile(0.9, sum by (le) (rate("
                        "demo_request_duration_seconds_bucket[5m])))",
                        "--since",
                        "2h",
                        "--plot",
                    ],
                    env,
                )
                failures += run(
                    ["query", "--check", "sum(rate(demo_requests_total[5m]"], env, ok=(2,)
                )
                failures += run(["trace", SLOWER], env)
                failures += run(["lint", "--server"], env)
        failures += run(["trace", "--file", "examples/traces/checkout-slow.otlp.json"], env)
        failures += run(["lint", "examples/metrics/checkout-service.prom"], env, ok=(1,))
        failures += run(["validate", "examples/otelcol/demo.yaml", "--graph"], env)
        failures += run(["validate", "examples/otelcol/broken.yaml"], env, ok=(1,))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
