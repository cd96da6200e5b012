"""The shipped component registry module against the registry JSON it is generated from."""

from __future__ import annotations

import json

import pytest

from obsctl.data.otelcol_components import DATA
from tests.conftest import SHARED

REGISTRY_JSON = SHARED / "data" / "otelcol-components.json"


@pytest.mark.skipif(not REGISTRY_JSON.exists(), reason="../shared/data is absent")
def test_module_holds_the_registry_json() -> None:
    """``scripts/gen_registry.py`` was re-run after the JSON changed."""
    assert json.loads(REGISTRY_JSON.read_text(encoding="utf-8")) == DATA


def test_every_kind_has_components() -> None:
    for kind in ("receivers", "processors", "exporters", "extensions", "connectors"):
        assert DATA[kind], kind
    assert DATA["receivers"]["otlp"]
