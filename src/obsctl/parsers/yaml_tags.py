"""How Go's YAML decoder (gopkg.in/yaml.v3) names a node in its "cannot unmarshal" errors (pure).

promtool reports a rule file whose ``groups:`` is ``5`` as ``cannot unmarshal !!int `5` into
[]rulefmt.RuleGroup``: the resolved tag of the node, and for a scalar its text (the first 7
bytes and ``...`` when longer than 10). The tags are resolved here as yaml.v3 resolves an
unquoted scalar, whatever tags the Python loader gave it.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_FLOAT_WORDS = frozenset(
    {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
    | {".nan", ".NaN", ".NAN"}
)
# strconv.ParseInt(s, 0, 64) after yaml.v3 drops the underscores, and its 0b/-0b forms.
_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?"
)


def scalar_tag(text: str, *, plain: bool) -> str:
    """The short tag yaml.v3 resolves a scalar to: ``!!str``, ``!!int``, ``!!float``, …"""
    if not plain:
        return "!!str"
    if text in _NULLS:
        return "!!null"
    if text in _BOOLS:
        return "!!bool"
    if text in _FLOAT_WORDS:
        return "!!float"
    if text[:1] in "0123456789+-.":
        if _TIMESTAMP.fullmatch(text):
            return "!!timestamp"
        number = text.replace("_", "")
        if _INT.fullmatch(number):
            return "!!int"
        if _FLOAT.fullmatch(number):
            return "!!float"
    return "!!str"


def go_yaml_kind(node: Node) -> str:
    """``!!map``, ``!!seq`` or a scalar's tag and text: ``!!int `5```, ``!!str `abcdefg...```."""
    if isinstance(node, MappingNode):
        return "!!map"
    if isinstance(node, SequenceNode):
        return "!!seq"
    text = str(node.value)
    plain = isinstance(node, ScalarNode) and not node.style
    raw = text.encode("utf-8")
    shown = raw[:7].decode("utf-8", errors="ignore") + "..." if len(raw) > 10 else text
    return f"{scalar_tag(text, plain=plain)} `{shown}`"
