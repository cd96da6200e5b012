"""Config loading: schema, substitution, errors with file:line."""

from __future__ import annotations

import pytest

from obsctl.config.load import dump_config, load_config
from obsctl.errors import ConfigError

GOOD = """\
current-context: prod
contexts:
  prod:
    prometheus:
      url: https://mimir.example.com/
      flavor: mimir
      path_prefix: /prometheus
      tenant: team-a
      token_env: MIMIR_TOKEN
      timeout: 45s
      headers:
        X-Extra: "${EXTRA:-none}"
    tempo: https://tempo.example.com
    grafana: https://grafana.example.com
  local:
    prometheus: http://localhost:9090
lint:
  ignore: [OBS101]
"""


def test_good_config():
    cfg = load_config(GOOD, source="c.yaml", env={})
    assert cfg.current_context == "prod"
    prom = cfg.contexts["prod"].endpoints["prometheus"]
    assert prom.url == "https://mimir.example.com"
    assert (prom.flavor, prom.path_prefix, prom.tenant) == ("mimir", "/prometheus", "team-a")
    assert prom.timeout == 45.0
    assert prom.headers == (("X-Extra", "none"),)
    assert prom.line == 5
    assert cfg.contexts["prod"].endpoints["tempo"].url == "https://tempo.example.com"
    assert cfg.contexts["local"].endpoints["prometheus"].url == "http://localhost:9090"
    assert cfg.extra == {"lint": {"ignore": ["OBS101"]}}


def test_substitution_and_escape():
    text = "contexts:\n  a:\n    prometheus:\n      url: http://${HOST}:9090\n      tenant: $${X}\n"
    cfg = load_config(text, source="c", env={"HOST": "prom"})
    spec = cfg.contexts["a"].endpoints["prometheus"]
    assert spec.url == "http://prom:9090"
    assert spec.tenant == "${X}"


def test_substitution_off_keeps_references():
    text = "contexts:\n  a:\n    prometheus:\n      url: http://h\n      token: ${SECRET}\n"
    cfg = load_config(text, source="c", env={"SECRET": "s3cr3t"}, substitute=False)
    assert cfg.contexts["a"].endpoints["prometheus"].token == "${SECRET}"
    assert "s3cr3t" not in dump_config(cfg)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contexts:\n  a:\n    prometheus: {url: http://h\n", "c.yaml:4:"),  # unclosed flow map
        ("contexts:\n  a:\n    promethues: http://h\n", "c.yaml:3:5: unknown endpoint"),
        ("contexts:\n  a:\n    prometheus:\n      urll: http://h\n", "did you mean"),
        ("contexts:\n  a:\n    prometheus: ftp://h\n", "not an http(s) URL"),
        (
            "contexts:\n  a:\n    prometheus:\n      url: http://h\n      flavor: cortexx\n",
            "flavor must be one of",
        ),
        (
            "contexts:\n  a:\n    prometheus:\n      url: http://h\n      timeout: soon\n",
            "c.yaml:5:16: contexts.a.prometheus.timeout",
        ),
        ("current-context: b\ncontexts:\n  a:\n    prometheus: http://h\n", "not defined"),
        ("contexts: [1, 2]\n", "contexts must be a mapping"),
        (
            "contexts:\n  a:\n    prometheus: http://h\n  a:\n    tempo: http://t\n",
            "c.yaml:4:3: duplicate key 'a'",
        ),
        ("bogus: 1\n", "unknown top-level key 'bogus'"),
        (
            "contexts:\n  a:\n    prometheus:\n      url: http://h\n      token: x\n"
            "      token_env: Y\n",
            "only one of token and token_env",
        ),
        (
            "contexts:\n  a:\n    prometheus:\n      url: http://${NOPE}\n",
            "environment variable NOPE is not set",
        ),
        (
            "contexts:\n  a:\n    prometheus:\n      url: http://h\n      cert_file: c.pem\n",
            "cert_file and key_file go together",
        ),
    ],
)
def test_errors_carry_location(text, message):
    with pytest.raises(ConfigError) as err:
        load_config(text, source="c.yaml", env={})
    assert message in f"{err.value} {err.value.hint}"
    assert str(err.value).startswith("c.yaml")


def test_env_value_with_newline_is_refused():
    text = "contexts:\n  a:\n    prometheus:\n      url: http://h\n      tenant: ${T}\n"
    with pytest.raises(ConfigError, match="contains a newline"):
        load_config(text, source="c", env={"T": "a\nb"})


def test_empty_file_is_empty_config():
    cfg = load_config("# nothing\n", source="c", env={})
    assert cfg.contexts == {}
    assert cfg.current_context is None


def test_roundtrip():
    cfg = load_config(GOOD, source="c", env={"EXTRA": "x"}, substitute=False)
    again = load_config(dump_config(cfg), source="c", env={}, substitute=False)
    assert again.contexts.keys() == cfg.contexts.keys()
    for name in cfg.contexts:
        for kind, spec in cfg.contexts[name].endpoints.items():
            other = again.contexts[name].endpoints[kind]
            assert (other.url, other.flavor, other.tenant, other.token_env, other.headers) == (
                spec.url,
                spec.flavor,
                spec.tenant,
                spec.token_env,
                spec.headers,
            )
