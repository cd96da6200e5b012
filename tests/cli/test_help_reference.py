"""docs/cli-reference.md is the --help of every command, as the CLI prints it now."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def test_cli_reference_is_current():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", REPO / "scripts" / "gen_cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = (REPO / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert module.render() == expected, (
        "docs/cli-reference.md drifted: run python scripts/gen_cli_reference.py"
    )
