"""Fixtures for the integration tier: real Prometheus, Alertmanager and VictoriaMetrics.

* ``prometheus`` (session): seeded with ``seed.make_seed`` data; ``prometheus.seed`` says
  exactly what is in it.
* ``alertmanager`` (session): empty; post alerts with ``servers.post_alerts``.
* ``victoria_metrics`` (session): seeded with the same ``make_seed`` data through its import
  API; ``victoria_metrics.seed`` says exactly what is in it.
* ``prometheus_factory`` / ``alertmanager_factory``: start your own (own backfill, scrape
  targets, rules, flags); stopped at the end of the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration import servers
from tests.integration.seed import Seed, make_seed, to_import_jsonl


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration is in the ``integration`` tier."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class SeededPrometheus:
    """The shared Prometheus and what it was seeded with."""

    server: servers.Server
    seed: Seed

    @property
    def url(self) -> str:
        """Base URL (``http://127.0.0.1:PORT``)."""
        return self.server.url


def _factory(
    tmp_path_factory: pytest.TempPathFactory, start: Callable[..., servers.Server], name: str
) -> Iterator[Callable[..., servers.Server]]:
    started: list[servers.Server] = []

    def start_one(**kwargs: Any) -> servers.Server:
        server = start(tmp_path_factory.mktemp(name), **kwargs)
        started.append(server)
        return server

    yield start_one
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def prometheus_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., servers.Server]]:
    """``start(**kwargs)`` → a running Prometheus (see ``servers.start_prometheus``)."""
    yield from _factory(tmp_path_factory, servers.start_prometheus, "prometheus")


@pytest.fixture(scope="session")
def alertmanager_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., servers.Server]]:
    """``start(**kwargs)`` → a running Alertmanager (see ``servers.start_alertmanager``)."""
    yield from _factory(tmp_path_factory, servers.start_alertmanager, "alertmanager")


@pytest.fixture(scope="session")
def prometheus(prometheus_factory: Callable[..., servers.Server]) -> SeededPrometheus:
    """The shared, seeded Prometheus (do not mutate its data)."""
    seed = make_seed(time.time())
    return SeededPrometheus(server=prometheus_factory(openmetrics=seed.text), seed=seed)


@pytest.fixture(scope="session")
def alertmanager(alertmanager_factory: Callable[..., servers.Server]) -> servers.Server:
    """The shared Alertmanager."""
    return alertmanager_factory()


@pytest.fixture(scope="session")
def victoria_metrics_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., servers.Server]]:
    """``start(**kwargs)`` → a running VictoriaMetrics (see ``servers.start_victoria_metrics``)."""
    yield from _factory(tmp_path_factory, servers.start_victoria_metrics, "victoria-metrics")


@pytest.fixture(scope="session")
def victoria_metrics(
    victoria_metrics_factory: Callable[..., servers.Server],
) -> SeededPrometheus:
    """The shared VictoriaMetrics, seeded like ``prometheus`` (do not mutate its data)."""
    seed = make_seed(time.time())
    return SeededPrometheus(server=victoria_metrics_factory(jsonl=to_import_jsonl(seed)), seed=seed)
