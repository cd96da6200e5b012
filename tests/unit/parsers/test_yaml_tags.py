"""Tags as Go's yaml.v3 resolves them, for promtool's "cannot unmarshal" messages.

Each expectation is what promtool 2.42 printed for ``groups: <text>``.
"""

from __future__ import annotations

import pytest
import yaml

from obsctl.parsers.yaml_tags import go_yaml_kind, scalar_tag


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("5", "!!int `5`"),
        ("+5", "!!int `+5`"),
        ("0x1F", "!!int `0x1F`"),
        ("0o17", "!!int `0o17`"),
        ("017", "!!int `017`"),
        ("-0b11", "!!int `-0b11`"),
        ("1_000", "!!int `1_000`"),
        ("08", "!!float `08`"),  # not octal: a float
        ("1.5", "!!float `1.5`"),
        ("1.", "!!float `1.`"),
        ("-.5", "!!float `-.5`"),
        ("1e3", "!!float `1e3`"),
        (".inf", "!!float `.inf`"),
        ("-.Inf", "!!float `-.Inf`"),
        (".NaN", "!!float `.NaN`"),
        ("true", "!!bool `true`"),
        ("FALSE", "!!bool `FALSE`"),
        ("yes", "!!str `yes`"),  # YAML 1.1 only
        ("~", "!!null `~`"),
        ("2024-01-01", "!!timestamp `2024-01-01`"),
        ("2024-01-01T10:00:00Z", "!!timestamp `2024-01...`"),
        ("5m", "!!str `5m`"),
        ("0.5.5", "!!str `0.5.5`"),
        ("abcdefghij", "!!str `abcdefghij`"),  # 10 bytes: whole
        ("abcdefghijk", "!!str `abcdefg...`"),  # 11 bytes: the first 7
        ('"5"', "!!str `5`"),  # quoted: a string whatever it spells
        ("'true'", "!!str `true`"),
        ("{a: 1}", "!!map"),
        ("[5]", "!!seq"),
    ],
)
def test_go_yaml_kind_names_the_resolved_tag_and_text(text: str, kind: str) -> None:
    node = yaml.compose(f"groups: {text}\n").value[0][1]
    assert go_yaml_kind(node) == kind


def test_quoted_scalars_are_strings_whatever_they_spell() -> None:
    assert scalar_tag("5", plain=False) == "!!str"
    assert scalar_tag("5", plain=True) == "!!int"
    assert scalar_tag("", plain=True) == "!!null"
