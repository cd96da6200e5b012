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
    urls = [k.name for k in BACKEND_KINDS if k.locator == "url"]
    assert {k.flag for k in BACKEND_KINDS if k.locator == "url"} == {f"--{n}-url" for n in urls}
    assert {k.env for k in BACKEND_KINDS if k.locator == "url"} == {
        f"OBSCTL_{n.upper()}_URL" for n in urls
    }
    assert [(k.flag, k.env) for k in BACKEND_KINDS if k.locator == "path"] == [
        ("--store", "OBSCTL_STORE")
    ]
    assert all(k.role in ROLES for k in BACKEND_KINDS)


def test_schema_constants_derive_from_the_table():
    assert schema.ENDPOINT_KINDS == (
        "prometheus",
        "alertmanager",
        "tempo",
        "jaeger",
        "zipkin",
        "local",
        "grafana",
    )
    assert schema.TRACE_KINDS == ("tempo", "jaeger", "zipkin", "local") == kinds_with_role(TRACES)
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
    # Unset, a path kind points at the store in the user data directory.
    env = {"XDG_DATA_HOME": "/home/u/.local/share"}
    ep = discover.resolve_endpoint("local", None, context=None, flag_url=None, env=env)
    assert (ep.url, ep.configured) == ("/home/u/.local/share/obsctl/store.sqlite", False)


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


def test_search_facts_of_the_trace_kinds():
    from obsctl.workflows.correlate import SEARCH_NEEDS_SERVICE, build_search
    from obsctl.workflows.trace import describe_search

    assert [k.name for k in BACKEND_KINDS if k.traceql] == ["tempo"]
    assert frozenset({"jaeger"}) == SEARCH_NEEDS_SERVICE
    from datetime import UTC, datetime

    from obsctl.model.time import TimeRange

    t = datetime(2026, 1, 1, tzinfo=UTC)
    window = TimeRange(t, t)
    tempo = build_search("tempo", window, service="api", min_duration_ns=None, limit=5)
    zipkin = build_search("zipkin", window, service="api", min_duration_ns=None, limit=5)
    assert (tempo.traceql, zipkin.traceql) == ('{ resource.service.name = "api" }', None)
    assert describe_search("tempo", tempo) == '{ resource.service.name = "api" }'
    assert describe_search("zipkin", zipkin) == "service=api"
