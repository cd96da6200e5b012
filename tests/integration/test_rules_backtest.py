"""``obsctl rules backtest`` over backfilled data with known firing windows (real Prometheus)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from obsctl.exit_codes import ExitCode
from tests.integration import servers

T0 = (int(time.time()) // 3600 - 4) * 3600  # on the hour, four hours ago
ON = {"a": [*range(10, 20), *range(30, 35)], "b": list(range(40, 45))}  # minutes at 1
RULES = """\
groups:
  - name: bt
    interval: 1m
    rules:
      - alert: ErrorsSeen
        expr: bt_errors > 0
        for: 2m
        labels: {severity: page}
      - record: service:bt_errors:sum
        expr: sum by (service) (bt_errors)
"""


def _openmetrics() -> str:
    lines = ["# HELP bt_errors Errors seen.", "# TYPE bt_errors gauge"]
    for service, minutes in ON.items():
        for m in range(0, 61):
            value = 1 if m in minutes else 0
            lines.append(f'bt_errors{{service="{service}"}} {value} {T0 + 60 * m}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def prom(prometheus_factory: Callable[..., servers.Server]) -> servers.Server:
    return prometheus_factory(openmetrics=_openmetrics(), self_scrape=False)


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _backtest(cli, tmp_path, prom: servers.Server, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return cli("rules", "backtest", str(path), "--prometheus-url", prom.url,
               "--start", _iso(T0), "--end", _iso(T0 + 3600), *args)  # fmt: skip


def test_exact_counts_and_durations(cli, tmp_path, prom: servers.Server) -> None:
    res = _backtest(cli, tmp_path, prom, "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    doc = json.loads(res.stdout)
    (alert,) = doc["alerts"]
    # a: pending at 10m, firing 12m → 20m (8m); again 32m → 35m (3m), 12m later: a flap.
    # b: firing 42m → 45m (3m).
    assert {k: alert[k] for k in ("alert", "firings", "instances", "flaps", "still_firing")} == {
        "alert": "ErrorsSeen",
        "firings": 3,
        "instances": 2,
        "flaps": 1,
        "still_firing": False,
    }
    assert alert["firing_seconds"] == 14 * 60
    assert alert["longest_seconds"] == 8 * 60
    assert alert["firing_share"] == pytest.approx(14 / 60)
    (record,) = doc["recording_rules"]
    assert (record["record"], record["series"], record["samples_per_evaluation"]) == (
        "service:bt_errors:sum",
        2,
        2.0,
    )


def test_budget_gate(cli, tmp_path, prom: servers.Server) -> None:
    res = _backtest(cli, tmp_path, prom, "--budget", "firings<=2,firing<=25%", "-o", "json")
    assert res.exit_code == ExitCode.FINDINGS
    (alert,) = json.loads(res.stdout)["alerts"]
    assert alert["over_budget"] == ["firings 3 breaks firings<=2"]
    res = _backtest(cli, tmp_path, prom, "--budget", "firing<=25%,longest<=10m")
    assert res.exit_code == ExitCode.OK, res.output
    text = res.stdout.splitlines()
    assert text[1:] == [
        "alert       firings  firing  longest  flaps   share",
        "ErrorsSeen        3     14m       8m      1  23.33%",
        "recording rule         series  samples/eval",
        "service:bt_errors:sum       2           2.0",
    ]
    assert "0 of 1 alerts over the budget" in res.stderr
    md = _backtest(cli, tmp_path, prom, "-o", "markdown").stdout
    assert "| ErrorsSeen | 3 | 14m | 8m | 1 | 23.33% |" in md
