"""``obsctl rules``: work with Prometheus rule files."""

from __future__ import annotations

import typer

from obsctl.cli.rule_unittests import test

app = typer.Typer(
    rich_markup_mode="rich",
    help="Work with Prometheus rule files: unit-test them offline.",
    no_args_is_help=True,
)


@app.callback()
def rules() -> None:
    """Work with Prometheus rule files: unit-test them offline."""


app.command("test")(test)
