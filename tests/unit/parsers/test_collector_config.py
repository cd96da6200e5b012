"""The located YAML tree: positions, wrappers, merging, ${…} expansion, hostile input."""

from __future__ import annotations

import time

import pytest

from obsctl.model.collector import YamlMap, YamlScalar, YamlSeq
from obsctl.parsers.collector_config import (
    ExpansionContext,
    compose_yaml,
    expand_env,
    merge_documents,
    parse_collector_document,
    parse_env_file,
)


def test_positions_of_keys_and_values() -> None:
    doc = parse_collector_document("receivers:\n  otlp:\n    protocols: {grpc: {}}\n", "c.yaml")
    assert isinstance(doc.root, YamlMap)
    receivers = doc.root.get("receivers")
    assert isinstance(receivers, YamlMap)
    key = receivers.key_node("otlp")
    assert key is not None and (key.line, key.col) == (2, 3)
    otlp = receivers.get("otlp")
    assert isinstance(otlp, YamlMap)
    proto = otlp.get("protocols")
    assert isinstance(proto, YamlMap) and (proto.line, proto.col) == (3, 16)


def test_scalars_resolve_like_go_yaml() -> None:
    (root,), _ = compose_yaml("a: 5\nb: yes\nc: '5'\nd: ~\ne: 1.5\nf: true\n", "x")
    assert isinstance(root, YamlMap)
    values = {k: v.value for k, _k, v in root.items() if isinstance(v, YamlScalar)}
    assert values == {"a": 5, "b": "yes", "c": "5", "d": None, "e": 1.5, "f": True}


def test_merge_keys_and_duplicates() -> None:
    (root,), problems = compose_yaml("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nm: 1\n", "x")
    assert isinstance(root, YamlMap)
    assert [p.rule_id for p in problems] == ["OTC001"]
    assert problems[0].message == 'mapping key "m" already defined at line 2'
    assert (problems[0].line, problems[0].col) == (5, 1)


def test_merge_keys_explicit_wins() -> None:
    (root,), _ = compose_yaml("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", "x")
    assert isinstance(root, YamlMap)
    m = root.get("m")
    assert isinstance(m, YamlMap)
    assert {k: v.value for k, _k, v in m.items() if isinstance(v, YamlScalar)} == {"y": 3, "x": 1}


def test_configmap_lines_point_into_the_original_file() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
        "  other: hello\n"
        "  relay: |\n"
        "    receivers:\n"
        "      otlp:\n"
        "        protocols: {}\n"
    )
    doc = parse_collector_document(text, "cm.yaml")
    assert doc.wrapper == "configmap" and doc.detail == "data.relay"
    assert isinstance(doc.root, YamlMap)
    receivers = doc.root.get("receivers")
    assert isinstance(receivers, YamlMap)
    key = receivers.key_node("otlp")
    assert key is not None and (key.line, key.col) == (9, 7)
    assert text.splitlines()[key.line - 1][key.col - 1 :].startswith("otlp:")


@pytest.mark.parametrize(
    ("config", "line", "col"),
    [
        ("  config: |\n    receivers:\n      otlp: {}\n", 7, 7),  # string
        ("  config:\n    receivers:\n      otlp: {}\n", 7, 7),  # object (v1beta1)
    ],
)
def test_operator_resource(config: str, line: int, col: int) -> None:
    text = (
        "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\n"
        "metadata: {name: x}\nspec:\n" + config
    )
    doc = parse_collector_document(text, "cr.yaml")
    assert doc.wrapper == "opentelemetrycollector"
    assert isinstance(doc.root, YamlMap)
    receivers = doc.root.get("receivers")
    assert isinstance(receivers, YamlMap)
    key = receivers.key_node("otlp")
    assert key is not None and (key.line, key.col) == (line, col)


def test_helm_values_merge_over_chart_defaults() -> None:
    text = "mode: deployment\nconfig:\n  receivers:\n    jaeger: null\n    zipkin: null\n"
    doc = parse_collector_document(text, "values.yaml")
    assert doc.wrapper == "helm"
    assert isinstance(doc.root, YamlMap)
    receivers = doc.root.get("receivers")
    assert isinstance(receivers, YamlMap)
    assert sorted(receivers.entries) == ["otlp", "prometheus"]
    # defaults are located at the config: key of the user's file
    assert (receivers.line, receivers.col) == (4, 5)
    otlp = receivers.key_node("otlp")
    assert otlp is not None and otlp.line == 2


def test_merge_like_collector_lists_replaced_maps_merged() -> None:
    a = parse_collector_document("exporters:\n  debug: {}\nlist: [1, 2]\n", "a.yaml")
    b = parse_collector_document("exporters:\n  nop: {}\nlist: [3]\n", "b.yaml")
    merged = merge_documents([a, b]).root
    assert isinstance(merged, YamlMap)
    exporters = merged.get("exporters")
    assert isinstance(exporters, YamlMap) and sorted(exporters.entries) == ["debug", "nop"]
    assert exporters.key_node("nop") is not None
    assert exporters.key_node("nop").file == "b.yaml"  # type: ignore[union-attr]
    lst = merged.get("list")
    assert isinstance(lst, YamlSeq) and [i.value for i in lst.items] == [3]  # type: ignore[attr-defined]


def _expand(value: str, env: dict[str, str]) -> tuple[object, bool, list[str]]:
    doc = parse_collector_document(f"k: {value}\n", "e.yaml")
    assert isinstance(doc.root, YamlMap)
    ctx = ExpansionContext(env=env)
    expand_env(doc.root, ctx)
    node = doc.root.get("k")
    assert isinstance(node, YamlScalar)
    return node.value, node.known, [p.rule_id for p in ctx.problems]


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("${env:A}", {"A": "5"}, (5, True, [])),  # whole value keeps its YAML type
        ("x-${env:A}", {"A": "5"}, ("x-5", True, [])),  # embedded: text
        ("${A}", {"A": "b"}, ("b", True, [])),  # default scheme is env
        ("${env:A:-dflt}", {}, ("dflt", True, [])),
        ("$${env:A}", {"A": "5"}, ("${env:A}", True, [])),  # escaped
        ("a$$b", {}, ("a$b", True, [])),
        ("$A", {"A": "5"}, ("$A", True, ["OTC153"])),  # bare $VAR is not expanded
        ("${env:A", {}, (None, False, ["OTC152"])),
        ("${env:MISSING}", {}, (None, False, ["OTC154"])),
        ("${vault:x}", {}, (None, False, ["OTC150"])),
        ("${file:/etc/x}", {}, (None, False, [])),  # supported, but not read offline
        ("${env:9x}", {}, (None, False, ["OTC151"])),
        ("^foo$", {}, ("^foo$", True, [])),  # a regex anchor is not a variable
    ],
)
def test_env_expansion(
    value: str, env: dict[str, str], expected: tuple[object, bool, list[str]]
) -> None:
    got = _expand(value, env)
    if expected[1]:
        assert got == expected
    else:
        assert got[1:] == expected[1:]


def test_env_file() -> None:
    assert parse_env_file("export A=1\nB='x y'\n# c\nbad line\nC=v # note\n") == {
        "A": "1",
        "B": "x y",
        "C": "v",
    }


# ------------------------------------------------------------------ hostile input


def _refused(text: str) -> tuple[str, float]:
    start = time.perf_counter()
    doc = parse_collector_document(text, "h.yaml")
    elapsed = time.perf_counter() - start
    assert doc.root is None
    (problem,) = doc.problems
    assert problem.rule_id == "OTC000"
    assert "\n" not in problem.message
    return problem.message, elapsed


def test_billion_laughs_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    message, elapsed = _refused("\n".join(lines) + "\n")
    assert "excessive aliasing" in message
    assert elapsed < 0.5


def test_deep_nesting_refused_fast() -> None:
    message, elapsed = _refused("[" * 100_000 + "]" * 100_000)
    assert elapsed < 0.5
    message, elapsed = _refused("a:\n" + "".join(" " * i + "- \n" for i in range(1, 400)))
    assert "nesting" in message  # our depth budget, or libyaml's own
    assert elapsed < 0.5


def test_huge_input_refused_without_parsing() -> None:
    message, elapsed = _refused("a: " + "x" * (9 * 1024 * 1024) + "\n")
    assert message == "input larger than 8 MiB refused"
    assert elapsed < 0.5


def test_python_tags_are_not_constructed() -> None:
    doc = parse_collector_document("a: !!python/object/apply:os.system ['echo hi']\n", "t.yaml")
    assert isinstance(doc.root, YamlMap)
    node = doc.root.get("a")
    assert isinstance(node, YamlSeq)  # kept as data, never executed


def test_folded_block_points_at_the_scalar() -> None:
    text = "kind: ConfigMap\ndata:\n  relay: >\n    receivers:\n\n      otlp: {}\n"
    doc = parse_collector_document(text, "cm.yaml")
    assert isinstance(doc.root, YamlMap)
    key = doc.root.key_node("receivers")
    assert key is not None and (key.line, key.col) == (3, 10)


def test_string_scalars_containing_match_the_full_walk() -> None:
    from obsctl.parsers.collector_config import iter_scalars
    from obsctl.parsers.collector_yaml import iter_string_scalars_containing

    text = (
        "a: &x {k: '$1', n: 5}\n"
        "b: [plain, '${env:A}', [deep, {q: 'x$y'}], *x]\n"
        "'': {'': '$e'}\n"
        "c: {d: {e: $z, f: 1}}\n"
    )
    (root,), _ = compose_yaml(text, "x")
    assert isinstance(root, YamlMap)
    expected = [
        (node, path)
        for node, path in iter_scalars(root)
        if isinstance(node.value, str) and "$" in node.value
    ]
    got = list(iter_string_scalars_containing(root, "$"))
    assert [(id(n), p) for n, p in got] == [(id(n), p) for n, p in expected]
    # The anchored map is visited once, through the alias met first.
    assert [p for _n, p in got] == ["c.d.e", "", "b[3].k", "b[2][1].q", "b[1]"]
