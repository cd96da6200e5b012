"""Duration and size flags share one parser (cli.values): one grammar, one message, exit 2.

lint's --timeout took any float (0, -5 and nan included) and set-context wrote a zero
--max-response-size that the config loader then refused."""

from __future__ import annotations

import pytest

from obsctl.exit_codes import ExitCode
from tests.conftest import Cli

URL = "http://127.0.0.1:9/metrics"


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ("lint", URL, "--timeout", "0"),
            "obsctl: error: --timeout: duration '0' is zero",
        ),
        (
            ("lint", URL, "--timeout", "-5"),
            "obsctl: error: --timeout: negative duration '-5': durations count forward, e.g. '15m'",
        ),
        (
            ("lint", URL, "--timeout", "nan"),
            "obsctl: error: --timeout: invalid duration 'nan': use a number and a unit",
        ),
        (
            ("lint", URL, "--max-bytes", "0"),
            "obsctl: error: --max-bytes: '0' is too small: the size must be above 0",
        ),
        (
            ("lint", URL, "--max-bytes", "ten"),
            "obsctl: error: --max-bytes: invalid size 'ten': expected e.g. 512MiB, 2GB, 1000000",
        ),
        (
            ("config", "set-context", "c", "--max-response-size", "0"),
            "obsctl: error: --max-response-size: '0' is too small: the size must be above 0",
        ),
        (
            ("config", "set-context", "c", "--max-response-size", "lots"),
            "obsctl: error: --max-response-size: invalid size 'lots'",
        ),
        (
            ("config", "set-context", "c", "--timeout", "0s"),
            "obsctl: error: --timeout: duration '0s' is zero",
        ),
        (
            ("receive", "--max-body", "0"),
            "obsctl: error: --max-body: '0' is too small: the size must be above 0",
        ),
        (
            ("receive", "--retention", "soon"),
            "obsctl: error: --retention: invalid duration 'soon'",
        ),
    ],
)
def test_bad_duration_and_size_flags_are_one_line_usage_errors(
    cli: Cli, args: tuple[str, ...], first_line: str
) -> None:
    res = cli(*args)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stdout == ""
    assert res.stderr.splitlines()[0].startswith(first_line), res.stderr


def test_set_context_writes_parsed_values(cli: Cli) -> None:
    res = cli(
        "config", "set-context", "c", "--prometheus-url", "http://p.test",
        "--timeout", "1m30s", "--max-response-size", "2MiB",
    )  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    res = cli("config", "view", "-o", "json")
    assert res.exit_code == ExitCode.OK, res.output
    assert '"timeout": "90.0",' in res.stdout
    assert '"max_response_size": "2097152"' in res.stdout
