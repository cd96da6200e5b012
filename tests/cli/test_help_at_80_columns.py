"""Every command's --help at 80 columns: nothing wider, no Markdown backticks, examples that
copy-paste (a wrapped example line ends in a backslash), choice lists never split."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.cli.test_flag_vocabulary import COMMANDS

PATHS = [path.split() for path, _ in COMMANDS] + [[]]


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "obsctl" for p in PATHS])
def test_help_fits_80_columns_and_reads_as_text(cli, monkeypatch, path):
    monkeypatch.setenv("COLUMNS", "80")
    res = cli(*path, "--help")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "`" not in res.stdout
    for line in lines:
        assert not re.search(r"\[[\w.-]+(\|[\w.-]+)+\|?[\w.-]*\s*│?$", line.rstrip()), line
    for line, nxt in itertools.pairwise(lines):
        text = line.strip(" │")
        follow = nxt.strip(" │")
        if text.startswith("obsctl ") and follow and not follow.startswith(("obsctl ", "#")):
            assert text.endswith("\\") or len(line.rstrip()) < 76, (line, nxt)
