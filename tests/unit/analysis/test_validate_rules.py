"""One table per rule: good cases (rule silent) and bad cases (rule fires at these lines)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from validate_helpers import BASE, run

from obsctl.analysis.validate.rules import RULES
from obsctl.model.findings import Severity


def sub(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (rule, yaml, lines where the rule must fire; [] = a good case)
CASES = [
    # --- OTC000 yaml-syntax
    ("OTC000", BASE, []),
    ("OTC000", "receivers:\n  otlp: [\n", [3]),  # unclosed flow sequence
    ("OTC000", "receivers:\n\totlp: {}\n", [2]),  # tab used for indentation
    ("OTC000", "a: *nope\n", [1]),  # alias to an undefined anchor
    # --- OTC001 duplicate-key
    ("OTC001", BASE, []),
    ("OTC001", sub("  batch: {}\n", "  batch: {}\n  batch: {}\n"), [11]),  # batch defined twice
    # --- OTC100 empty-config
    ("OTC100", BASE, []),
    ("OTC100", "# only a comment\n", [0]),  # comments only
    ("OTC100", "", [0]),  # empty file
    # --- OTC101 invalid-keys
    ("OTC101", BASE, []),
    ("OTC101", BASE + "receiver:\n  otlp: {}\n", [25]),  # misspelt top-level section
    ("OTC101", sub("  extensions: [health_check]\n", "  extension: [health_check]\n"), [19]),
    # ^ misspelt service key
    (
        "OTC101",
        sub(
            "      exporters: [otlp_grpc]\n", "      exporters: [otlp_grpc]\n      procesors: []\n"
        ),
        [25],
    ),  # misspelt pipeline key
    # --- OTC102 not-a-mapping
    ("OTC102", sub("processors:\n", "processors: [batch]\nunused:\n"), [6]),  # list as a section
    ("OTC102", "- receivers\n", [1]),  # document is a list
    # --- OTC103 invalid-id
    ("OTC103", sub("  batch: {}\n", "  batch/: {}\n"), [10]),  # empty name after /
    ("OTC103", sub("  batch: {}\n", "  9batch: {}\n"), [10]),  # type starts with a digit
    ("OTC103", sub("    traces:\n", "    spans:\n"), [21]),  # unknown pipeline signal
    # --- OTC104 no-receivers-or-exporters
    (
        "OTC104",
        sub(
            "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: localhost:4317\n",
            "receivers: {}\n",
        ),
        [1],
    ),  # no receiver at all
    # --- OTC105 no-pipelines
    ("OTC105", BASE.split("  pipelines:")[0] + "  pipelines: {}\n", [20]),  # empty pipelines
    # --- OTC106 pipeline-incomplete
    ("OTC106", sub("      exporters: [otlp_grpc]\n", ""), [21]),  # no exporter
    # --- OTC107 undefined-component
    ("OTC107", sub("exporters: [otlp_grpc]", "exporters: [otlp_grpc, otlp_http]"), [24]),
    # ^ otlp_http not defined
    ("OTC107", sub("extensions: [health_check]", "extensions: [health_check, pprof]"), [19]),
    # ^ extension not defined
    # --- OTC108 duplicate-reference
    ("OTC108", sub("[memory_limiter, batch]", "[memory_limiter, batch, batch]"), [23]),
    # --- OTC109 list-expected
    ("OTC109", sub("receivers: [otlp]", "receivers: otlp, zipkin"), [22]),  # comma string
    # --- OTC110 ambiguous-id
    ("OTC110", BASE + "connectors:\n  otlp_grpc: {}\n", [26]),  # same ID exporter + connector
    # --- OTC111 removed-key
    ("OTC111", BASE + "  telemetry:\n    metrics:\n      address: localhost:8888\n", [27]),
    # --- OTC112 feature-gate-required
    (
        "OTC112",
        BASE + "    profiles:\n      receivers: [otlp]\n      exporters: [otlp_grpc]\n",
        [25],
    ),
    # --- OTC113 connector-unpaired
    ("OTC113", BASE + "connectors:\n  span_metrics: {}\n", []),  # defined but unused: only OTC115
    (
        "OTC113",
        sub("exporters: [otlp_grpc]", "exporters: [otlp_grpc, span_metrics]")
        + "connectors:\n  span_metrics: {}\n",
        [24],
    ),  # exporter side only
    (
        "OTC113",
        sub("exporters: [otlp_grpc]", "exporters: [otlp_grpc, span_metrics]")
        + "    logs:\n      receivers: [span_metrics]\n      exporters: [otlp_grpc]\n"
        "connectors:\n  span_metrics: {}\n",
        [24, 26],
    ),  # traces→logs is not a span_metrics pair
    # --- OTC114 connector-cycle
    (
        "OTC114",
        sub("exporters: [otlp_grpc]", "exporters: [otlp_grpc, forward]")
        + "    traces/2:\n      receivers: [forward]\n      exporters: [forward]\n"
        "connectors:\n  forward: {}\n",
        [25],
    ),  # forward feeds itself through two pipelines
    # --- OTC115 unused-component
    ("OTC115", sub("  batch: {}\n", "  batch: {}\n  attributes: {}\n"), [11]),  # never used
    # --- OTC116 telemetry-config
    ("OTC116", BASE + "  telemetry:\n    metrics:\n      views: []\n", [27]),  # views need detailed
    # --- OTC150 unsupported-provider
    ("OTC150", sub("backend:4317", "${vault:secret/otel}"), [13]),
    # --- OTC151 invalid-reference
    ("OTC151", sub("backend:4317", "${env:1BAD}"), [13]),  # env name starts with digit
    # --- OTC152 unclosed-reference
    ("OTC152", sub("backend:4317", "${env:HOST:4317"), [13]),
    # --- OTC153 bare-env-var
    ("OTC153", sub("backend:4317", "$BACKEND:4317"), [13]),
    ("OTC153", sub("backend:4317", "$$BACKEND:4317"), []),  # escaped: a literal $
    # --- OTC154 unresolved-env
    ("OTC154", sub("backend:4317", "${env:BACKEND}:4317"), [13]),
    ("OTC154", sub("backend:4317", "${env:BACKEND:-backend}:4317"), []),  # has a default
    # --- OTC200 unknown-component
    ("OTC200", sub("  batch: {}\n", "  bacth: {}\n"), [10]),  # typo
    ("OTC200", sub("extensions:\n", "  logging: {}\nextensions:\n"), [16]),
    # ^ the removed logging exporter
    # --- OTC201 deprecated-alias
    ("OTC201", sub("  otlp_grpc:\n", "  otlp:\n").replace("[otlp_grpc]", "[otlp]"), [12]),
    # --- OTC202 signal-unsupported
    (
        "OTC202",
        sub("  batch: {}\n", "  batch: {}\nreceivers/x: {}\n").replace("receivers/x: {}\n", "")
        + "",
        [],
    ),
    (
        "OTC202",
        sub("receivers:\n", "receivers:\n  prometheus:\n    config: {}\n").replace(
            "receivers: [otlp]", "receivers: [otlp, prometheus]"
        ),
        [24],
    ),  # prometheus has no traces
    # --- OTC204 not-in-distribution
    ("OTC204", sub("  batch: {}\n", "  batch: {}\n  tail_sampling: {policies: []}\n"), []),
    # --- OTC205 unknown-option
    ("OTC205", sub("        endpoint: localhost:4317", "        endpont: localhost:4317"), [5]),
    ("OTC205", sub("    limit_mib: 400", "    limit_mb: 400"), [9]),
    ("OTC205", sub("  batch: {}", "  batch: {size: 10}"), [10]),
    ("OTC205", sub("      ca_file: ca.pem", "      insecure_skip: true"), [15]),
    # --- OTC206 invalid-option
    ("OTC206", sub("    limit_mib: 400\n", ""), [7]),  # memory_limiter without a limit
    ("OTC206", sub("    check_interval: 1s\n", "    check_interval: 0s\n"), [8]),
    ("OTC206", sub("    endpoint: backend:4317\n", ""), [12]),  # otlp exporter, no endpoint
    ("OTC206", sub("    limit_mib: 400", "    limit_mib: lots"), [9]),  # not an int
    # --- OTC300 memory-limiter-first
    ("OTC300", sub("[memory_limiter, batch]", "[batch, memory_limiter]"), [23]),
    # --- OTC301 batching
    ("OTC301", sub("[memory_limiter, batch]", "[memory_limiter]"), [21]),  # no batching
    # --- OTC303 bind-all-interfaces
    ("OTC303", sub("localhost:4317", "0.0.0.0:4317"), [5]),
    ("OTC303", sub("localhost:4317", ":4317"), [5]),  # empty host = every interface
    # --- OTC304 insecure-transport
    ("OTC304", sub("      ca_file: ca.pem", "      insecure: true"), [15]),
    (
        "OTC304",
        sub("backend:4317", "localhost:4317").replace("ca_file: ca.pem", "insecure: true"),
        [],
    ),  # loopback is fine
    # --- OTC305 plaintext-secret
    ("OTC305", sub("    tls:\n", "    headers:\n      x-api-key: abc123\n    tls:\n"), [15]),
    ("OTC305", sub("    tls:\n", "    headers:\n      x-api-key: ${env:KEY}\n    tls:\n"), []),
    # --- OTC306 health-check-missing
    ("OTC306", sub("  extensions: [health_check]\n", ""), [18]),
    # --- OTC307 debug-detailed
    (
        "OTC307",
        BASE.replace("exporters:\n", "exporters:\n  debug:\n    verbosity: detailed\n", 1).replace(
            "[otlp_grpc]", "[otlp_grpc, debug]"
        ),
        [13],
    ),
    # --- OTC308 tail-sampling
    (
        "OTC308",
        sub("  batch: {}\n", "  batch: {}\n  tail_sampling:\n    policies: []\n").replace(
            "[memory_limiter, batch]", "[memory_limiter, tail_sampling, batch]"
        ),
        [12],
    ),
    (
        "OTC308",
        sub(
            "  batch: {}\n",
            "  batch: {}\n  tail_sampling:\n    policies:\n"
            "      - {name: a, type: latency}\n      - {name: a, type: always_sample}\n",
        ).replace("[memory_limiter, batch]", "[memory_limiter, tail_sampling, batch]"),
        [13, 14],
    ),  # latency without settings; name "a" twice
]


def test_localhost_in_container() -> None:
    cm = "kind: ConfigMap\ndata:\n  relay: |\n" + "".join(
        f"    {line}\n" for line in BASE.splitlines()
    )
    (found,) = [f for f in run(cm) if f.rule_id == "OTC309"]
    # line 5 of the embedded config is line 8 of the ConfigMap
    assert (found.location.line, found.location.col) == (8, 23)
    assert not [f for f in run(BASE) if f.rule_id == "OTC309"]  # plain file: fine


@pytest.mark.parametrize(("rule", "text", "lines"), CASES)
def test_rule_table(rule: str, text: str, lines: list[int]) -> None:
    found = [f for f in run(text) if f.rule_id == rule]
    assert [f.location.line for f in found] == lines, [str(f.location) + f.message for f in found]


def test_base_is_clean_except_stability_info() -> None:
    found = run(BASE)
    assert [(f.rule_id, f.severity) for f in found] == [("OTC203", Severity.INFO)]


def test_distribution_narrows_components() -> None:
    text = sub("  batch: {}\n", "  batch: {}\n  tail_sampling: {policies: []}\n")
    assert [f.rule_id for f in run(text, distribution="core") if f.rule_id == "OTC204"] == [
        "OTC204"
    ]
    hint = next(f for f in run(text, distribution="core") if f.rule_id == "OTC204").hint
    assert hint == "distributions with it: contrib, k8s"


def test_typo_suggestion_and_removed_message() -> None:
    found = run(sub("  batch: {}\n", "  bacth: {}\n"))
    typo = next(f for f in found if f.rule_id == "OTC200")
    assert typo.message == 'unknown type: "bacth" for id: "bacth"'
    assert typo.hint == 'did you mean "batch"?'
    found = run(sub("extensions:\n", "  logging: {}\nextensions:\n"))
    removed = next(f for f in found if f.rule_id == "OTC200")
    assert (
        removed.message
        == "the logging exporter has been deprecated, use the debug exporter instead"
    )


def test_both_names_valid_old_one_warns() -> None:
    old = sub("  otlp_grpc:\n", "  otlp:\n").replace("[otlp_grpc]", "[otlp]")
    found = run(old)
    alias = [f for f in found if f.rule_id == "OTC201"]
    assert [f.message for f in alias] == ['"otlp" alias is deprecated; use "otlp_grpc" instead']
    assert alias[0].severity is Severity.WARNING
    assert not [f for f in found if f.severity is Severity.ERROR]
    # the old name keeps its option schema
    assert [
        f.rule_id
        for f in run(old.replace("endpoint: backend", "endpont: backend"))
        if f.rule_id == "OTC205"
    ] == ["OTC205"]


def test_profiles_gate_enabled() -> None:
    text = BASE + "    profiles:\n      receivers: [otlp]\n      exporters: [otlp_grpc]\n"
    assert "OTC112" not in {f.rule_id for f in run(text, profiles=True)}


def test_strict_env_makes_unresolved_an_error() -> None:
    text = sub("backend:4317", "${env:BACKEND}:4317")
    (lenient,) = [f for f in run(text) if f.rule_id == "OTC154"]
    (strict,) = [f for f in run(text, strict=True) if f.rule_id == "OTC154"]
    assert lenient.severity is Severity.WARNING
    assert strict.severity is Severity.ERROR
    assert not [f for f in run(text, env={"BACKEND": "b"}) if f.rule_id == "OTC154"]


def test_whole_value_reference_keeps_type() -> None:
    text = sub("    limit_mib: 400", "    limit_mib: ${env:LIMIT}")
    assert not [f for f in run(text, env={"LIMIT": "512"}) if f.severity is Severity.ERROR]
    bad = [f for f in run(text, env={"LIMIT": "lots"}) if f.rule_id == "OTC206"]
    assert len(bad) == 1


def test_cycle_message_names_the_path() -> None:
    text = (
        sub("exporters: [otlp_grpc]", "exporters: [otlp_grpc, forward]")
        + "    traces/2:\n      receivers: [forward]\n      exporters: [forward]\n"
        "connectors:\n  forward: {}\n"
    )
    (cycle,) = [f for f in run(text) if f.rule_id == "OTC114"]
    assert cycle.message.startswith("cycle detected: pipeline ")
    assert 'connector "forward" (traces to traces)' in cycle.message


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.name and rule.summary and rule.explanation


def test_missing_service_is_no_pipelines() -> None:
    found = run(BASE.split("service:")[0])
    assert [f.rule_id for f in found if f.rule_id == "OTC105"] == ["OTC105"]


def test_empty_leading_documents_are_skipped() -> None:
    found = run("---\n---\n" + BASE)
    assert [f.rule_id for f in found] == ["OTC203"]


def test_non_map_component_config_reports_once() -> None:
    found = run(sub("  batch: {}", "  batch: 7"))
    assert [(f.rule_id, f.location.line) for f in found if f.rule_id.startswith("OTC20")] == [
        ("OTC206", 10),
        ("OTC203", 17),
    ]


_KEY_PIECES = [
    *("api", "Api", "_", "-", "key", "KEY", "token", "Token", "pass", "word", "wd", "secret"),
    *("x-", "honeycomb", "team", "auth", "orization", "proxy", "pem", "dd", "sf", "file"),
    *("\u212a", "\u017f", "\u0131", "\u0130", "e", "y", "\n"),
]


@given(st.lists(st.sampled_from(_KEY_PIECES), max_size=6).map("".join))
def test_secret_key_check_agrees_with_its_pattern(key):
    from obsctl.analysis.validate.best_practice import _secret_keys, is_secret_key

    assert is_secret_key(key) == (_secret_keys().match(key) is not None)
