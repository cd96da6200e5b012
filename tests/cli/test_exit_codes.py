"""The README's exit-code table is the ExitCode enum, and CLI tests produce every code."""

from __future__ import annotations

import re

from obsctl.exit_codes import ExitCode
from tests.conftest import REPO


def test_readme_table_matches_enum():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    codes = {int(m) for m in re.findall(r"^\| (\d+) \|", section, flags=re.M)}
    assert codes == {int(c) for c in ExitCode}


def test_every_exit_code_is_asserted_by_a_cli_level_test():
    # CLI-level tests live in tests/cli and tests/integration; each code must appear in an
    # `exit_code == ExitCode.X` assertion somewhere there.
    asserted: set[str] = set()
    for folder in ("cli", "integration"):
        for path in (REPO / "tests" / folder).rglob("test_*.py"):
            asserted |= set(re.findall(r"exit_code == ExitCode\.([A-Z_]+)", path.read_text()))
    missing = {c.name for c in ExitCode} - asserted
    assert not missing, missing
