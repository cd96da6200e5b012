"""Every YAML reader refuses absurd nesting with its usual error, not RecursionError."""

from __future__ import annotations

import pytest
import yaml

from obsctl.config.load import load_config
from obsctl.errors import ConfigError, ParseError
from obsctl.exit_codes import ExitCode
from obsctl.parsers.rules import parse_alert_rules
from obsctl.yaml_limits import MAX_DEPTH, safe_load

DEEP = "a: " + "[" * 10_000 + "]" * 10_000  # far past the recursion limit


def test_safe_load_refuses_deep_nesting_but_takes_the_limit():
    ok = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert safe_load(ok) is not None
    with pytest.raises(Exception, match=f"nesting deeper than {MAX_DEPTH} levels"):
        safe_load(DEEP)


def test_check_depth_for_c_loaders():
    from obsctl.yaml_limits import check_depth

    check_depth("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    block = "a:\n" + "".join("  " * i + "- \n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(yaml.MarkedYAMLError, match="nesting deeper") as info:
        check_depth(block)
    assert info.value.problem_mark.line == MAX_DEPTH  # type: ignore[union-attr]
    # libyaml's scanner refuses very deep flow collections by itself, as invalid YAML too.
    with pytest.raises(yaml.MarkedYAMLError):
        check_depth(DEEP)


def test_contexts_file():
    with pytest.raises(ConfigError, match="nesting deeper") as info:
        load_config(DEEP, source="c.yaml", env={})
    assert info.value.exit_code == ExitCode.USAGE


def test_rule_file():
    with pytest.raises(ParseError, match="nesting deeper"):
        parse_alert_rules(DEEP, source="r.yaml")


def test_cli_exits_2_on_a_deep_contexts_file(cli, isolation):
    (isolation / "obsctl.yaml").write_text(DEEP)
    res = cli("query", "up")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "nesting deeper than" in res.stderr
