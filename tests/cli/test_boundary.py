"""The error boundary: one line on stderr, the documented exit code, no traceback."""

from __future__ import annotations

import pytest

from obsctl.exit_codes import ExitCode
from obsctl.workflows import doctor as doctor_workflow


def test_internal_error_without_debug_is_one_line_exit_70(cli, monkeypatch):
    monkeypatch.delenv("OBSCTL_DEBUG")

    async def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(doctor_workflow, "run_doctor", boom)
    res = cli("doctor")
    assert res.exit_code == ExitCode.INTERNAL
    assert res.stderr.splitlines()[0] == "obsctl: error: internal error: RuntimeError: kaboom"
    assert "Traceback" not in res.stderr
    assert "--debug" in res.stderr


def test_internal_error_with_debug_raises(cli, monkeypatch):
    async def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(doctor_workflow, "run_doctor", boom)
    with pytest.raises(RuntimeError, match="kaboom"):
        cli("doctor")


def test_ctrl_c_exits_130(cli, monkeypatch):
    async def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(doctor_workflow, "run_doctor", interrupted)
    res = cli("doctor")
    assert res.exit_code == ExitCode.INTERRUPTED
    assert res.stderr.strip() == "obsctl: error: interrupted"


def test_global_options_after_subcommand(cli, tmp_path):
    # --config after the subcommand is honoured (missing explicit file → exit 2, named).
    missing = tmp_path / "nope.yaml"
    res = cli("doctor", "--config", str(missing))
    assert res.exit_code == ExitCode.USAGE
    assert str(missing) in res.stderr


def test_state_run_does_not_format_the_result():
    from obsctl.cli.state import AppState

    class NoRepr:
        def __repr__(self) -> str:
            raise AssertionError("repr() of a command result is never needed")

    async def produce() -> NoRepr:
        return NoRepr()

    assert isinstance(AppState().run(produce()), NoRepr)


def test_usage_errors_are_one_line_with_a_help_hint(cli):
    res = cli("query", "up", "--sinc", "1h")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines() == [
        "obsctl: error: no such option '--sinc'. Did you mean '--since'?",
        "  hint: obsctl query --help",
    ]
    assert res.stdout == ""


def test_a_mistyped_command_suggests_the_lazy_command(cli):
    res = cli("qeury", "up")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.splitlines() == [
        "obsctl: error: no such command 'qeury'; did you mean 'query'?",
        "  hint: obsctl --help",
    ]
    res = cli("zzzz")
    assert res.stderr.splitlines()[0] == "obsctl: error: no such command 'zzzz'."
