"""Byte-for-byte outputs of ``validate`` and ``trace`` on the examples, pinned.

The speed work on these commands (the YAML composer, the trace decoder, the waterfall) must
not change a byte of what they print. Each case's exit code, stdout and stderr are compared
with ``tests/fixtures/pinned/<case>.txt`` (a big stdout by its SHA-256); after an intended
change of the output, ``UPDATE_GOLDEN=1`` regenerates them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import REPO

PINNED = REPO / "tests" / "fixtures" / "pinned"
CONFIGS = sorted((REPO / "examples" / "otelcol").glob("*.yaml"))
TRACES = [
    "examples/traces/checkout-slow.otlp.json",
    "tests/fixtures/tempo/v1/checkout_legacy_ils.json",
    "tests/fixtures/jaeger/v1/checkout.json",
    "tests/fixtures/zipkin/v2/shared_skewed.json",
]

CASES: dict[str, list[str]] = {}
for _path in CONFIGS:
    _rel = str(_path.relative_to(REPO))
    CASES[f"validate-{_path.stem}"] = ["validate", _rel]
    CASES[f"validate-{_path.stem}-json"] = ["validate", _rel, "-o", "json"]
CASES["validate-demo-graph"] = [
    "validate",
    "examples/otelcol/demo.yaml",
    "--env-file",
    "examples/otelcol/demo.env",
    "--graph",
]
CASES["validate-broken-sarif"] = ["validate", "examples/otelcol/broken.yaml", "-o", "sarif"]
for _rel in TRACES:
    _stem = Path(_rel).name.split(".")[0] + "-" + Path(_rel).parent.name
    CASES[f"trace-{_stem}"] = ["trace", "--file", _rel]
    CASES[f"trace-{_stem}-json"] = ["trace", "--file", _rel, "-o", "json"]
CASES["trace-checkout-traces-full"] = [
    "trace",
    "--file",
    "examples/traces/checkout-slow.otlp.json",
    "--full",
]
# The benchmark's shape (deep chain, wide fan-out in runs, bushy part with errors), small.
CASES["validate-generated"] = ["validate", "{generated}"]
CASES["validate-generated-json"] = ["validate", "{generated}", "-o", "json"]
CASES["trace-generated"] = ["trace", "--file", "{generated}"]
CASES["trace-generated-json"] = ["trace", "--file", "{generated}", "-o", "json"]
CASES["trace-generated-ndjson"] = ["trace", "--file", "{generated}", "-o", "ndjson"]
CASES["trace-generated-depth"] = ["trace", "--file", "{generated}", "--depth", "3"]
CASES["trace-generated-service"] = ["trace", "--file", "{generated}", "-s", "svc-03"]


def _bench(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(REPO / "bench"))  # for its `_util` import
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if kind == "trace":
        path = tmp_path / "generated.json"
        path.write_bytes(orjson.dumps(_bench("trace_big", monkeypatch).generate(3_000)))
    else:
        # The benchmark's many-pipeline config, with a few problems and ${env:…} added.
        text = _bench("validate", monkeypatch).generate(300)
        text = text.replace("otlp_grpc/e7:", "otlp_grpc/e7 :").replace(
            "      exporters: [otlp_grpc/e12]", "      exporters: [otlp_grpc/e12, nope]"
        )
        text = text.replace("'b5:4317'", "'${env:HOST5:-b5}:4317'")
        text += "    traces/x:\n      receivers: [otlp]\n      exporters: ['${env:UNSET_X}']\n"
        path = tmp_path / "generated.yaml"
        path.write_text(text)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_unchanged(case, cli, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    args = CASES[case]
    if "{generated}" in args:
        generated = str(_generated(args[0], tmp_path, monkeypatch))
        args = [generated if a == "{generated}" else a for a in args]
    res = cli(*args)
    stdout = res.stdout.replace(str(tmp_path), "<tmp>")
    if len(stdout) > 64 * 1024:
        # Big documents (every span of the generated trace) are pinned by digest.
        digest = hashlib.sha256(stdout.encode()).hexdigest()
        stdout = f"{len(stdout)} characters, sha256 {digest}\n"
    stderr = res.stderr.replace(str(tmp_path), "<tmp>")
    got = f"exit {res.exit_code}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    pinned = PINNED / f"{case}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_text(got)
    assert got == pinned.read_text()
