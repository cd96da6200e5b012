"""Fake sources for the dashboard: canned answers or errors, and a record of every call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from obsctl.errors import ObsctlError
from obsctl.model.alerts import AlertRow
from obsctl.model.doctor import PipelineReport
from obsctl.model.metrics import QueryResult, Series, float_array

NOW = datetime(2026, 11, 25, 3, 0, 0, tzinfo=UTC)
"""The frozen clock of every TUI test."""


def fixed_clock() -> datetime:
    return NOW


def series(labels: Mapping[str, str], values: Sequence[float], *, step: float = 15.0) -> Series:
    """A range series ending at ``NOW``, one sample every ``step`` seconds."""
    end = NOW.timestamp()
    times = [end - step * (len(values) - 1 - i) for i in range(len(values))]
    return Series(dict(labels), float_array(times), float_array(values))


def levels(*values: float, points: int = 121) -> list[float]:
    """``points`` samples (30 minutes at 15 s) going through ``values`` in equal stretches."""
    return [values[i * len(values) // points] for i in range(points)]


def matrix(*items: Series) -> QueryResult:
    return QueryResult("matrix", list(items))


class FakeMetrics:
    """``QueryPanelSource`` answering from ``answers`` (a QueryResult, or an error to raise)."""

    label = "Prometheus"

    def __init__(self, answers: dict[str, QueryResult | ObsctlError]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, datetime, datetime, timedelta]] = []
        self.closed = False
        self.pipeline_report: PipelineReport | ObsctlError = PipelineReport("15m")

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> QueryResult:
        self.calls.append((expr, start, end, step))
        answer = self.answers[expr]
        if isinstance(answer, ObsctlError):
            raise answer
        return answer

    async def pipeline(self) -> PipelineReport:
        if isinstance(self.pipeline_report, ObsctlError):
            raise self.pipeline_report
        return self.pipeline_report

    async def aclose(self) -> None:
        self.closed = True


class FakeAlerts:
    """``AlertPanelSource`` answering ``answer`` (a list of alerts, or an error to raise)."""

    label = "Alertmanager"

    def __init__(
        self,
        answer: Sequence[AlertRow] | ObsctlError,
        *,
        configured: bool = True,
        url: str = "http://am.example:9093",
    ) -> None:
        self.answer = answer
        self.configured = configured
        self.url = url
        self.calls = 0
        self.closed = False

    async def active_alerts(self) -> Sequence[AlertRow]:
        self.calls += 1
        if isinstance(self.answer, ObsctlError):
            raise self.answer
        return self.answer

    async def aclose(self) -> None:
        self.closed = True


def alert(
    name: str,
    severity: str,
    age: timedelta,
    summary: str,
    **labels: str,
) -> AlertRow:
    return AlertRow(
        name=name,
        severity=severity,
        state="active",
        starts_at=NOW - age,
        summary=summary,
        labels={"alertname": name, "severity": severity, **labels},
        annotations={"summary": summary, "runbook_url": f"https://runbooks.example/{name}"},
        fingerprint=f"fp-{name.lower()}",
        receivers=("pager",),
    )


UP = matrix(
    series({"__name__": "up", "job": "api", "instance": "api-1:8080"}, levels(1)),
    series({"__name__": "up", "job": "api", "instance": "api-2:8080"}, levels(1, 0, 0)),
    # Scraped for the last ten minutes only.
    series({"__name__": "up", "job": "db", "instance": "db-1:9187"}, levels(1, points=41)),
)
DOWN = matrix(series({"job": "api"}, levels(0, 1, 1)))
ALERTS = [
    alert(
        "TargetDown",
        "critical",
        timedelta(minutes=42),
        "api-2:8080 has been down for 1m",
        job="api",
    ),
    alert(
        "DiskAlmostFull",
        "warning",
        timedelta(hours=3, minutes=5),
        "Disk /var is 91% full",
        instance="db-1",
    ),
]
