"""The backend-kind table and what derives from it."""

from __future__ import annotations

from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from obsctl.config import discover, load, schema
from obsctl.config.kinds import BACKEND_KINDS, KINDS, ROLES, TRACES, BackendKind, kinds_with_role
from obsctl.errors import ConfigError

STORE = BackendKind(
    "local", TRACES, "local store", None, "--store", "OBSCTL_STORE", "Trace store", locator="path"
)
"""A kind with no URL but a store path, as the embedded trace store needs."""


def test_table_rows_are_consistent():
    names = [k.name for k in BACKEND_KINDS]
    assert len(names) == len(set(names))
    assert {k.flag for k in BACKEND_KINDS} == {f"--{n}-url" for n in names}
    assert {k.env for k in BACKEND_KINDS} == {f"OBSCTL_{n.upper()}_URL" for n in names}
    assert all(k.role in ROLES for k in BACKEND_KINDS)


def test_schema_constants_derive_from_the_table():
    assert schema.ENDPOINT_KINDS == (
        "prometheus",
        "alertmanager",
        "tempo",
        "jaeger",
        "zipkin",
        "grafana",
    )
    assert schema.TRACE_KINDS == ("tempo", "jaeger", "zipkin") == kinds_with_role(TRACES)
    assert schema.DEFAULT_URLS == {
        "prometheus": "http://localhost:9090",
        "alertmanager": "http://localhost:9093",
        "tempo": "http://localhost:3200",
        "jaeger": "http://localhost:16686",
        "zipkin": "http://localhost:9411",
    }


def test_param_and_metavar():
    assert (KINDS["tempo"].param, KINDS["tempo"].metavar) == ("tempo_url", "URL")
    assert (STORE.param, STORE.metavar) == ("store", "PATH")


def test_a_path_kind_resolves_from_flag_and_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(KINDS, "local", STORE)
    ep = discover.resolve_endpoint("local", None, context=None, flag_url="/var/obs/", env={})
    assert (ep.url, ep.source, ep.configured) == ("/var/obs/", "flag", True)
    env = {"OBSCTL_STORE": "/data/traces"}
    ep = discover.resolve_endpoint("local", None, context=None, flag_url=None, env=env)
    assert (ep.url, ep.source) == ("/data/traces", "env OBSCTL_STORE")
    ep = discover.resolve_endpoint("local", None, context=None, flag_url=None, env={})
    assert (ep.url, ep.configured) == ("", False)


def test_a_path_kind_in_a_context_is_not_checked_as_a_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(KINDS, "local", STORE)
    monkeypatch.setattr(load, "ENDPOINT_KINDS", (*schema.ENDPOINT_KINDS, "local"))
    text = "contexts:\n  dev:\n    local: ~/obs/traces\n"
    config = load.load_config(text, source="c.yaml", env={})
    assert config.contexts["dev"].endpoints["local"].url == "~/obs/traces"
    with pytest.raises(ConfigError, match="is not an http"):
        load.load_config("contexts:\n  dev:\n    tempo: ~/obs\n", source="c.yaml", env={})


def test_endpoint_options_follow_the_table(monkeypatch: pytest.MonkeyPatch):
    from obsctl.cli.options import endpoint_options

    seen: list[dict[str, str | None]] = []
    app = typer.Typer()

    @app.command()
    @endpoint_options((KINDS["tempo"], STORE), envvar=True, panel=None, before="verbose")
    def cmd(
        name: Annotated[str, typer.Argument()],
        verbose: Annotated[bool, typer.Option("--verbose")] = False,
        endpoints: dict[str, str | None] | None = None,
    ) -> None:
        assert endpoints is not None
        seen.append({**endpoints, "name": name, "verbose": str(verbose)})

    runner = CliRunner()
    res = runner.invoke(
        app, ["x", "--store", "/s", "--verbose"], env={"OBSCTL_TEMPO_URL": "http://t"}
    )
    assert res.exit_code == 0, res.output
    assert seen == [{"tempo": "http://t", "local": "/s", "name": "x", "verbose": "True"}]
    help_text = runner.invoke(app, ["--help"]).output
    assert "--store" in help_text and "PATH" in help_text and "Trace store." in help_text
    assert help_text.index("--tempo-url") < help_text.index("--verbose")
