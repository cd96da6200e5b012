"""One vocabulary for flags: walks every command of the Click tree and fails on drift.

docs/flags.md is the vocabulary; this test is what keeps commands to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import click
import pytest
import typer

from obsctl.cli import app
from obsctl.cli.boundary import ObsctlGroup
from tests.conftest import REPO

# Commands whose --start is a moment, not the start of a range.
INSTANT_START = {"silence add"}
# Options that take a range of two instants rather than a duration (docs/flags.md).
RANGE_VALUED = {"correlate --window", "correlate --baseline-window"}


def _commands() -> Iterator[tuple[str, click.Command]]:
    root = typer.main.get_command(app)
    ctx = click.Context(root)

    def walk(cmd: click.Command, path: list[str]) -> Iterator[tuple[str, click.Command]]:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                if isinstance(cmd, ObsctlGroup):
                    sub = cmd.resolve_command(ctx, [name])[1]
                else:
                    sub = cmd.get_command(ctx, name)
                assert sub is not None
                yield from walk(sub, [*path, name])
            return
        yield " ".join(path), cmd

    yield from walk(root, [])


COMMANDS = list(_commands())


def _options(cmd: click.Command) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and not p.hidden]


def test_a_short_flag_means_one_long_flag_everywhere():
    longs_of: dict[str, set[str]] = defaultdict(set)
    for _, cmd in COMMANDS:
        for p in _options(cmd):
            long = next(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
            for short in (o for o in p.opts if not o.startswith("--")):
                longs_of[short].add(long)
    drift = {s: sorted(ls) for s, ls in longs_of.items() if len(ls) > 1}
    assert drift == {}


def test_a_long_flag_has_the_same_short_form_everywhere():
    shorts_of: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    where: dict[str, list[str]] = defaultdict(list)
    for path, cmd in COMMANDS:
        for p in _options(cmd):
            shorts = tuple(sorted(o for o in p.opts if not o.startswith("--")))
            for long in (o for o in p.opts if o.startswith("--")):
                shorts_of[long].add(shorts)
                where[long].append(path)
    drift = {long: sorted(s) for long, s in shorts_of.items() if len(s) > 1}
    assert drift == {}


@pytest.mark.parametrize(
    ("long", "short"), [("--output", "-o"), ("--limit", "-n"), ("--match", "-m"), ("--query", "-q")]
)
def test_the_documented_short_forms(long, short):
    seen = False
    for _, cmd in COMMANDS:
        for p in _options(cmd):
            if long in p.opts:
                seen = True
                assert short in p.opts
    assert seen


def test_every_range_command_takes_since_start_and_end():
    partial = {}
    for path, cmd in COMMANDS:
        names = {o for p in _options(cmd) for o in p.opts}
        rng = {"--since", "--start", "--end"} & names
        if path in INSTANT_START:
            rng -= {"--start"}
        if rng and rng != {"--since", "--start", "--end"}:
            partial[path] = sorted(rng)
    assert partial == {}


def test_duration_options_use_the_duration_grammar():
    wrong = {}
    for path, cmd in COMMANDS:
        for p in _options(cmd):
            long = next(o for o in p.opts if o.startswith("--"))
            durations = (
                "--since", "--duration", "--window", "--refresh", "--step", "--timeout",
                "--retention",
            )  # fmt: skip
            if f"{path} {long}" in RANGE_VALUED:
                continue
            if (long in durations or long.endswith("-duration")) and not (
                p.metavar or ""
            ).startswith("DURATION"):
                wrong[f"{path} {long}"] = p.metavar
    assert wrong == {}


def test_the_vocabulary_is_written_down():
    text = (REPO / "docs" / "flags.md").read_text()
    for flag in (
        "--output",
        "-o",
        "--limit",
        "-n",
        "--match",
        "-m",
        "--query",
        "-q",
        "--since",
        "--start",
        "--end",
        "--select",
        "--ignore",
        "--fail-on",
    ):
        assert f"`{flag}`" in text


def test_size_options_use_the_size_grammar():
    wrong = {}
    for path, cmd in COMMANDS:
        for p in _options(cmd):
            long = next(o for o in p.opts if o.startswith("--"))
            if long in ("--max-bytes", "--max-size") and p.metavar != "SIZE":
                wrong[f"{path} {long}"] = p.metavar
    assert wrong == {}
