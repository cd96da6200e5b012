"""Shared fixtures: an isolated environment and a CliRunner that raises on bugs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
"""The shared reference data folder (``../shared`` beside the checkout), when present."""
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Hypothesis profiles (property tests, the fuzz suite in tests/fuzz). ``ci``, the default, is a
# fixed budget: derandomised, a set number of examples and a per-example deadline, so the
# suite takes the same time on every run. ``deep`` hunts locally:
# ``HYPOTHESIS_PROFILE=deep pytest tests/fuzz``. Keep what it finds as a regression case: an
# ``@example`` on the property, or a file under ``tests/fuzz/regressions/<target>/``.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=timedelta(seconds=5),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point config and cache at a temp dir, clear OBSCTL_*, fix width, no colour, debug on."""
    for name in list(os.environ):
        if name.startswith("OBSCTL_") or name in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("OBSCTL_CONFIG", str(home / "obsctl.yaml"))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("OBSCTL_DEBUG", "1")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield home


@dataclass
class Result:
    """What a CLI run produced."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr, for assertion messages."""
        return f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class Cli:
    """Runs obsctl in-process through Click's runner, with real exit codes."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> Result:
        from obsctl.cli import app

        res = self.runner.invoke(
            app, list(args), input=input, env=env, catch_exceptions=False, prog_name="obsctl"
        )
        return Result(res.exit_code, res.stdout, res.stderr)


@pytest.fixture
def cli() -> Cli:
    """Invoke obsctl: ``cli("query", "up", "-o", "json")``."""
    return Cli()


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Spell a string (or bytes) parameter's test ID in printable ASCII.

    pytest escapes other characters in node IDs and then cannot select the test by that ID;
    mutmut (scripts/mutate.py) runs each mutant's tests by node ID. IDs of plain ASCII strings
    are left as pytest makes them.
    """
    if isinstance(val, bytes):
        val = val.decode("latin-1")
    if not isinstance(val, str):
        return None
    if all(" " <= ch <= "~" and ch != "\\" for ch in val) and "::" not in val:
        return None
    safe = "".join(ch if " " <= ch <= "~" and ch != "\\" else "?" for ch in val)
    return safe.replace("::", ": :")
