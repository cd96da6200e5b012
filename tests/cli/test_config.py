"""``obsctl config``: view (redacted), contexts, writing keeps others and mode 0600."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import yaml

from obsctl.exit_codes import ExitCode

CONFIG = """\
current-context: prod
contexts:
  prod:
    prometheus:
      url: https://prom.prod
      token: literal-s3cret
      headers:
        Authorization: Bearer hdr-s3cret
    tempo:
      url: https://tempo.prod
      token_env: TEMPO_TOKEN
  dev:
    prometheus: http://localhost:9090
"""


def write_config(text: str = CONFIG) -> Path:
    path = Path(os.environ["OBSCTL_CONFIG"])
    path.write_text(text)
    return path


def test_view_redacts_and_warns_about_literal_secrets(cli):
    write_config()
    res = cli("config", "view")
    assert res.exit_code == ExitCode.OK, res.output
    assert "s3cret" not in res.stdout + res.stderr
    assert "token: *** (literal in file)" in res.stdout
    assert "token_env: TEMPO_TOKEN" in res.stdout
    assert "literal token in the config file" in res.stderr


def test_view_json(cli):
    write_config()
    res = cli("config", "view", "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1
    assert doc["current_context"] == "prod"
    assert [c["name"] for c in doc["contexts"]] == ["prod", "dev"]
    assert doc["contexts"][0]["endpoints"]["prometheus"]["url"] == "https://prom.prod"
    assert "s3cret" not in res.stdout


def test_get_contexts_marks_current(cli):
    write_config()
    res = cli("config", "get-contexts")
    assert res.exit_code == ExitCode.OK, res.output
    rows = [line.split() for line in res.stdout.splitlines()[1:]]
    assert rows == [["*", "prod", "https://prom.prod", "tempo"], ["dev", "http://localhost:9090"]]


def test_get_contexts_piped_at_80_columns_keeps_every_column_whole(cli):
    url = "https://mimir-query-frontend.observability.svc.cluster.local:8080/prometheus"
    am = "https://alertmanager.observability.svc.cluster.local:9093"
    res = cli(
        "config", "set-context", "production-eu-west-1", "--prometheus-url", url,
        "--alertmanager-url", am, "--use",
    )  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    for fmt in ("text", "wide"):
        res = cli("config", "get-contexts", "-o", fmt, env={"COLUMNS": "80"})
        assert res.exit_code == ExitCode.OK, res.output
        lines = res.stdout.splitlines()
        assert lines[0].split() == ["CURRENT", "NAME", "PROMETHEUS", "ALERTMANAGER", "TRACES"]
        assert lines[1].split() == ["*", "production-eu-west-1", url, am]
        assert [line for line in lines if line != line.rstrip()] == []


def test_use_context_and_current_context(cli):
    path = write_config()
    res = cli("config", "use-context", "dev")
    assert res.exit_code == ExitCode.OK, res.output
    assert cli("config", "current-context").stdout.strip() == "dev"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    res = cli("config", "use-context", "nope")
    assert res.exit_code == ExitCode.USAGE
    assert "unknown context 'nope'" in res.stderr


def test_set_context_keeps_other_contexts_and_references(cli, monkeypatch):
    text = CONFIG.replace("token_env: TEMPO_TOKEN", "token: ${TEMPO_TOKEN}")
    path = write_config(text)
    monkeypatch.setenv("TEMPO_TOKEN", "expanded-secret")
    res = cli(
        "config",
        "set-context",
        "staging",
        "--prometheus-url",
        "https://prom.stg",
        "--tempo-url",
        "https://tempo.stg",
        "--tenant",
        "team-b",
        "--token-env",
        "STG",
    )
    assert res.exit_code == ExitCode.OK, res.output
    doc = yaml.safe_load(path.read_text())
    assert set(doc["contexts"]) == {"prod", "dev", "staging"}
    assert doc["current-context"] == "prod"
    assert doc["contexts"]["staging"]["prometheus"] == {
        "url": "https://prom.stg",
        "tenant": "team-b",
        "token_env": "STG",
    }
    # ${VAR} references are kept, never replaced by their values.
    assert doc["contexts"]["prod"]["tempo"]["token"] == "${TEMPO_TOKEN}"
    assert "expanded-secret" not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_set_context_creates_file_with_0600(cli):
    path = Path(os.environ["OBSCTL_CONFIG"])
    res = cli("config", "set-context", "local", "--prometheus-url", "http://127.0.0.1:9090")
    assert res.exit_code == ExitCode.OK, res.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert yaml.safe_load(path.read_text()) == {
        "current-context": "local",
        "contexts": {"local": {"prometheus": "http://127.0.0.1:9090"}},
    }


def test_set_context_rejects_bad_url(cli):
    res = cli("config", "set-context", "x", "--prometheus-url", "prom:9090")
    assert res.exit_code == ExitCode.USAGE
    assert "not an http(s) URL" in res.stderr
    assert not Path(os.environ["OBSCTL_CONFIG"]).exists()


def test_broken_config_reports_file_and_line(cli):
    path = write_config("contexts:\n  a:\n    prometheus: http://h\n    tempo: [\n")
    res = cli("doctor")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.startswith(f"obsctl: error: {path}:")
    assert len(res.stderr.strip().splitlines()) <= 2


def test_delete_context(cli):
    path = write_config()
    assert cli("config", "delete-context", "prod").exit_code == ExitCode.OK
    doc = yaml.safe_load(path.read_text())
    assert list(doc["contexts"]) == ["dev"]
    assert "current-context" not in doc


def test_set_context_sets_auth_tls_headers_timeout_and_unsets(cli):
    path = write_config()
    res = cli(
        "config", "set-context", "dev", "--alertmanager-url", "https://am.dev",
        "--username", "sre", "--password-file", "/run/pw", "--ca-file", "/etc/ca.pem",
        "--cert-file", "/c.pem", "--key-file", "/k.pem", "--header", "X-Team: a",
        "--timeout", "45s", "--max-response-size", "512MiB",
    )  # fmt: skip
    assert res.exit_code == ExitCode.OK, res.output
    dev = yaml.safe_load(path.read_text())["contexts"]["dev"]
    # Only the endpoint given in this call gets the settings.
    assert dev["prometheus"] == "http://localhost:9090"
    assert dev["alertmanager"] == {
        "url": "https://am.dev",
        "username": "sre",
        "password_file": "/run/pw",
        "headers": {"X-Team": "a"},
        "cert_file": "/c.pem",
        "key_file": "/k.pem",
        "ca_file": "/etc/ca.pem",
        "timeout": "45s",
        "max_response_size": 536870912,
    }
    res = cli("config", "set-context", "dev", "--unset", "timeout", "--unset", "ca_file")
    assert res.exit_code == ExitCode.OK, res.output
    am = yaml.safe_load(path.read_text())["contexts"]["dev"]["alertmanager"]
    assert "timeout" not in am and "ca_file" not in am and am["username"] == "sre"


def test_set_context_refuses_bad_values_naming_the_flag(cli):
    write_config()
    for args, first in (
        (("--flavor", "mimr"), "obsctl: error: invalid value for '--flavor': 'mimr' is not one"),
        (("--timeout", "soon"), "obsctl: error: --timeout: invalid duration 'soon'"),
        (("--header", "nocolon"), "obsctl: error: --header 'nocolon': expected 'NAME: VALUE'"),
        (("--unset", "nope"), "obsctl: error: --unset: unknown setting 'nope'"),
    ):
        res = cli("config", "set-context", "prod", *args)
        assert res.exit_code == ExitCode.USAGE, args
        assert res.stderr.splitlines()[0].startswith(first), res.stderr


def test_rename_context_moves_current(cli):
    path = write_config()
    res = cli("config", "rename-context", "prod", "production")
    assert res.exit_code == ExitCode.OK, res.output
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "production"
    assert list(doc["contexts"]) == ["production", "dev"]
    res = cli("config", "rename-context", "dev", "production")
    assert res.exit_code == ExitCode.USAGE
    assert "context 'production' already exists" in res.stderr


def test_get_contexts_shows_alertmanager(cli):
    write_config(CONFIG.replace("  dev:\n", "  dev:\n    alertmanager: http://am:9093\n"))
    res = cli("config", "get-contexts", "-o", "json")
    doc = json.loads(res.stdout)
    assert [c["alertmanager"] for c in doc["contexts"]] == [None, "http://am:9093"]


COMMENTED = """\
# team config: ask #sre before changing prod
current-context: prod
contexts:
  # production, through the VPN
  prod:
    prometheus: https://prom.prod   # the HA pair's load balancer
    alertmanager:
      url: 'https://am.prod'
      token_env: AM_TOKEN  # from vault
  dev:
    prometheus: http://localhost:9090
doctor:
  window: 30m   # our pipelines are slow
"""


def test_set_context_keeps_comments_quoting_and_order(cli):
    path = write_config(COMMENTED)
    res = cli("config", "set-context", "dev", "--tempo-url", "http://localhost:3200")
    assert res.exit_code == ExitCode.OK, res.output
    assert path.read_text() == COMMENTED.replace(
        "    prometheus: http://localhost:9090\n",
        "    prometheus: http://localhost:9090\n    tempo: http://localhost:3200\n",
    )
    head = path.read_text().partition("doctor:")[0]
    res = cli(
        "config", "set-context", "staging", "--prometheus-url", "https://p.stg", "--tenant", "b"
    )
    assert res.exit_code == ExitCode.OK, res.output
    assert path.read_text().startswith(head + "  staging:\n")
    assert yaml.safe_load(path.read_text())["contexts"]["staging"] == {
        "prometheus": {"url": "https://p.stg", "tenant": "b"}
    }
    assert "  window: 30m   # our pipelines are slow\n" in path.read_text()


def test_a_changed_value_is_replaced_and_the_rest_keeps_its_comments(cli):
    path = write_config(COMMENTED)
    res = cli("config", "set-context", "prod", "--alertmanager-url", "https://am2.prod")
    assert res.exit_code == ExitCode.OK, res.output
    text = path.read_text()
    assert "      url: 'https://am2.prod'\n" in text  # its quoting kept too
    assert "am.prod" not in text
    assert "      token_env: AM_TOKEN  # from vault\n" in text
    assert "    prometheus: https://prom.prod   # the HA pair's load balancer\n" in text


def test_rename_use_and_delete_keep_comments_and_places(cli):
    path = write_config(COMMENTED)
    assert cli("config", "rename-context", "prod", "production").exit_code == ExitCode.OK
    assert cli("config", "use-context", "dev").exit_code == ExitCode.OK
    expected = COMMENTED.replace("  prod:\n", "  production:\n").replace(
        "current-context: prod\n", "current-context: dev\n"
    )
    assert path.read_text() == expected
    assert cli("config", "delete-context", "dev").exit_code == ExitCode.OK
    text = path.read_text()
    assert "current-context" not in text
    assert "  dev:" not in text
    assert text.startswith("# team config: ask #sre before changing prod\n")
    assert "  # production, through the VPN\n  production:\n" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
