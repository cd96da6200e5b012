"""Precedence flag > environment > context > default, secrets, trace-backend selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsctl.config.discover import resolve_settings
from obsctl.errors import ConfigError

CONFIG = """\
current-context: prod
contexts:
  prod:
    prometheus:
      url: http://prom.prod:9090
      token_env: PROD_TOKEN
    jaeger: http://jaeger.prod:16686
  staging:
    prometheus:
      url: http://prom.staging:9090
      password_file: {pw}
      username: bob
"""


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    pw = tmp_path / "pw"
    pw.write_text("hunter2\n")
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(pw=pw))
    return str(path)


def settings(cfg, context=None, flags=None, env=None):
    return resolve_settings(config_path=cfg, context=context, url_flags=flags or {}, env=env or {})


def test_context_values_and_secret(cfg, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "t0k3n")
    s = settings(cfg)
    prom = s.endpoint("prometheus")
    assert (prom.url, prom.source, prom.configured) == (
        "http://prom.prod:9090",
        "context prod",
        True,
    )
    assert prom.token is not None and prom.token.reveal() == "t0k3n"
    assert repr(prom.token) == "'***'" and "t0k3n" not in repr(prom)


def test_defaults_fill_unconfigured(cfg, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "x")
    am = settings(cfg).endpoint("alertmanager")
    assert (am.url, am.configured, am.source) == ("http://localhost:9093", False, "default")


def test_env_beats_context_and_flag_beats_env(cfg, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "x")
    env = {"OBSCTL_PROMETHEUS_URL": "http://from-env:9090"}
    s = settings(cfg, env=env)
    assert s.endpoint("prometheus").url == "http://from-env:9090"
    assert s.endpoint("prometheus").source == "env OBSCTL_PROMETHEUS_URL"
    # The token still comes from the context: only the URL is overridden.
    assert s.endpoint("prometheus").token is not None
    s = settings(cfg, env=env, flags={"prometheus": "http://from-flag:9090"})
    assert (s.endpoint("prometheus").url, s.endpoint("prometheus").source) == (
        "http://from-flag:9090",
        "flag",
    )


def test_context_switch_and_password_file(cfg):
    s = settings(cfg, context="staging")
    prom = s.endpoint("prometheus")
    assert prom.url == "http://prom.staging:9090"
    assert prom.username == "bob"
    assert prom.password is not None and prom.password.reveal() == "hunter2"


def test_unknown_context(cfg):
    with pytest.raises(ConfigError, match=r"unknown context 'nope'.*prod, staging"):
        settings(cfg, context="nope")


def test_missing_token_env_names_variable_not_value(cfg):
    with pytest.raises(ConfigError, match="PROD_TOKEN is not set"):
        settings(cfg)


def test_trace_backends_only_configured(cfg, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "x")
    assert settings(cfg).trace_backends() == ["jaeger"]
    s = settings(cfg, flags={"zipkin": "http://z:9411"})
    assert s.trace_backends() == ["jaeger", "zipkin"]
    assert settings(cfg, context="staging").trace_backends() == ["tempo", "jaeger", "zipkin"]


def test_no_config_file_uses_local_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    s = resolve_settings(config_path=None, context=None, url_flags={}, env={})
    assert s.endpoint("prometheus").url == "http://localhost:9090"
    assert s.endpoint("tempo").url == "http://localhost:3200"
    assert s.endpoint("jaeger").url == "http://localhost:16686"
    assert s.endpoint("zipkin").url == "http://localhost:9411"
    assert s.configured_kinds() == []


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_settings(
            config_path=str(tmp_path / "nope.yaml"), context=None, url_flags={}, env={}
        )


def test_saved_tui_panels_round_trip_and_keep_the_rest(cfg, monkeypatch):
    from obsctl.config.discover import load_config_file
    from obsctl.workflows.config import save_panels

    monkeypatch.setenv("PROD_TOKEN", "t")
    import yaml

    before = yaml.safe_load(Path(cfg).read_text())
    config, path = load_config_file(cfg, substitute=False)
    panels = ("up", 'sum by (code) (rate(http_requests_total{job="api"}[5m]))', "x ${NOT_A_VAR}")
    save_panels(config, path, "prod", panels)
    assert settings(cfg, env={"PROD_TOKEN": "t"}).panels == panels
    # The other context, the endpoints and the token reference are as they were.
    assert settings(cfg, context="staging").panels == ()
    after = yaml.safe_load(Path(cfg).read_text())
    assert after["contexts"]["prod"].pop("tui") == {"panels": list(panels)}
    assert after == before
    again, _ = load_config_file(cfg, substitute=False)
    # Saving again replaces the list.
    save_panels(again, path, "prod", ("up",))
    assert settings(cfg, env={"PROD_TOKEN": "t"}).panels == ("up",)


def test_saving_panels_keeps_the_files_comments(tmp_path):
    from obsctl.config.discover import load_config_file
    from obsctl.workflows.config import save_panels

    path = tmp_path / "c.yaml"
    text = "contexts:\n  # on call\n  prod:\n    prometheus: http://p:9090  # HA pair\n"
    path.write_text(text)
    config, _ = load_config_file(str(path), substitute=False)
    save_panels(config, str(path), "prod", ("up", "rate(x[5m])"))
    assert (
        path.read_text() == text + "    tui:\n      panels:\n        - up\n        - rate(x[5m])\n"
    )


def test_saving_panels_needs_a_context_in_the_file(cfg):
    from obsctl.config.discover import load_config_file
    from obsctl.workflows.config import save_panels

    config, path = load_config_file(cfg, substitute=False)
    with pytest.raises(ConfigError, match="no context to save the panels in"):
        save_panels(config, path, None, ("up",))
    with pytest.raises(ConfigError, match="context 'nope' is not in"):
        save_panels(config, path, "nope", ("up",))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("    tui:\n      colors: dark\n", "unknown key 'colors' in contexts.prod.tui"),
        ("    tui:\n      panels: up\n", "contexts.prod.tui.panels must be a list"),
        ("    tui:\n      panels: ['']\n", "contexts.prod.tui.panels: an empty expression"),
        ("    tui:\n      panels: [[up]]\n", "each panel is one PromQL string"),
    ],
)
def test_bad_tui_sections_name_the_key(tmp_path, section, message):
    path = tmp_path / "c.yaml"
    path.write_text("contexts:\n  prod:\n    prometheus: http://p:9090\n" + section)
    with pytest.raises(ConfigError, match=message):
        settings(str(path))
