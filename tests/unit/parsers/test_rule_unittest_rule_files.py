"""Rule files as ``obsctl rules test`` reads them: shape errors in promtool's words.

The messages are those promtool 2.42 prints for the same files (``test rules`` and ``check
rules`` report them alike); the location is the offending node's.
"""

from __future__ import annotations

import pytest

from obsctl.errors import ParseError
from obsctl.parsers.rules_unittest import parse_rule_groups

SHAPES = [
    ("groups: 5", (1, 9), "cannot unmarshal !!int `5` into []rulefmt.RuleGroup"),
    (
        "groups: abcdefghijklmn",
        (1, 9),
        "cannot unmarshal !!str `abcdefg...` into []rulefmt.RuleGroup",
    ),
    ('groups: "5"', (1, 9), "cannot unmarshal !!str `5` into []rulefmt.RuleGroup"),
    ("groups: {a: 1}", (1, 9), "cannot unmarshal !!map into []rulefmt.RuleGroup"),
    ("groups: [5]", (1, 10), "cannot unmarshal !!int `5` into rulefmt.RuleGroup"),
    (
        "groups: [{name: a, rules: 5}]",
        (1, 27),
        "cannot unmarshal !!int `5` into []rulefmt.RuleNode",
    ),
    (
        "groups: [{name: a, rules: [5]}]",
        (1, 28),
        "cannot unmarshal !!int `5` into rulefmt.RuleNode",
    ),
    (
        "groups: [{name: a, rules: [{alert: A, expr: up, labels: 5}]}]",
        (1, 57),
        "cannot unmarshal !!int `5` into map[string]string",
    ),
    (
        "groups: [{name: a, rules: [{alert: A, expr: up, labels: {a: [1]}}]}]",
        (1, 61),
        "cannot unmarshal !!seq into string",
    ),
    (
        "groups: [{name: a, rules: [{alert: A, expr: up, annotations: true}]}]",
        (1, 62),
        "cannot unmarshal !!bool `true` into map[string]string",
    ),
    (
        "groups: [{name: a, bogus: 1, rules: []}]",
        (1, 20),
        "field bogus not found in type rulefmt.RuleGroup",
    ),
    (
        "groups: [{name: a, rules: [{alert: A, expr: up, bogus: 1}]}]",
        (1, 49),
        "field bogus not found in type rulefmt.RuleNode",
    ),
    ("5", (1, 1), "cannot unmarshal !!int `5` into rulefmt.RuleGroups"),
]


@pytest.mark.parametrize(("text", "pos", "message"), SHAPES)
def test_rule_file_shape_errors_use_promtools_words(
    text: str, pos: tuple[int, int], message: str
) -> None:
    with pytest.raises(ParseError) as err:
        parse_rule_groups(text + "\n", source="r.yml")
    assert err.value.message == f"r.yml:{pos[0]}:{pos[1]}: {message}"


# Rule errors as `promtool test rules` prints them for the same files (Prometheus keeps
# record, alert and expr as YAML nodes: a sequence or a mapping there is an empty value).
RULE_ERRORS = [
    (
        "groups: [{name: g, rules: [{record: a, expr: [up]}]}]",
        (1, 46),
        'group "g", rule 1, "a": field \'expr\' must be set in rule',
    ),
    (
        "groups: [{name: g, rules: [{record: [a], expr: up}]}]",
        (1, 37),
        "group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set",
    ),
    (
        'groups: [{name: g, rules: [{record: "", expr: up}]}]',
        (1, 37),
        "group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set",
    ),
    (
        "groups: [{name: g, rules: [{record: b, expr: up}, {alert: B, record: a, expr: up}]}]",
        (1, 70),
        "1:59: group \"g\", rule 2, \"B\": only one of 'record' and 'alert' must be set",
    ),
    (
        "groups: [{name: g, rules: [{record: a, expr: up, annotations: {a: b}}]}]",
        (1, 37),
        'group "g", rule 1, "a": invalid field \'annotations\' in recording rule',
    ),
]


@pytest.mark.parametrize(("text", "pos", "message"), RULE_ERRORS)
def test_rule_errors_are_placed_and_worded_as_promtool_does(
    text: str, pos: tuple[int, int], message: str
) -> None:
    with pytest.raises(ParseError) as err:
        parse_rule_groups(text + "\n", source="r.yml")
    assert err.value.message == f"r.yml:{pos[0]}:{pos[1]}: {message}"
