"""Label matchers as typed on the command line, and Alertmanager's routing tree."""

from __future__ import annotations

import pytest

from obsctl.analysis.routing import route_alert
from obsctl.errors import ParseError
from obsctl.model.alerts import Matcher
from obsctl.parsers.alertmanager_config import parse_routing_tree
from obsctl.parsers.matchers import parse_matcher, parse_matchers


@pytest.mark.parametrize(
    ("text", "matcher"),
    [
        ("job=api", Matcher("job", "=", "api")),
        ('job="api"', Matcher("job", "=", "api")),
        ("job != api", Matcher("job", "!=", "api")),
        ('severity=~"page|critical"', Matcher("severity", "=~", "page|critical")),
        ("path!~/health.*", Matcher("path", "!~", "/health.*")),
        ('msg="say \\"hi\\""', Matcher("msg", "=", 'say "hi"')),
        ('"service.name"="checkout"', Matcher("service.name", "=", "checkout")),
        ("job=", Matcher("job", "=", "")),
        ("HighLatency", Matcher("alertname", "=", "HighLatency")),
    ],
)
def test_parse_matcher(text, matcher):
    assert parse_matcher(text) == matcher


@pytest.mark.parametrize("text", ["=x", "a=~(", 'a="unterminated', "{a=1"])
def test_bad_matchers_are_parse_errors(text):
    with pytest.raises(ParseError):
        parse_matcher(text)


def test_brace_lists_give_several_matchers():
    assert parse_matchers(['{job="api", env!="dev"}', "Down"]) == (
        Matcher("job", "=", "api"),
        Matcher("env", "!=", "dev"),
        Matcher("alertname", "=", "Down"),
    )
    with pytest.raises(ParseError, match="bad matcher list"):
        parse_matchers(['{job="api" env="x"}'])


def test_matchers_print_back_quoted():
    assert str(Matcher("service.name", "=~", 'a"b')) == '"service.name"=~"a\\"b"'


@pytest.mark.parametrize(
    ("matcher", "labels", "hit"),
    [
        (Matcher("job", "=", "api"), {"job": "api"}, True),
        (Matcher("job", "=", "api"), {}, False),
        (Matcher("job", "!=", "api"), {}, True),
        (Matcher("job", "=~", "ap"), {"job": "api"}, False),  # anchored
        (Matcher("job", "=~", "ap.*"), {"job": "api"}, True),
        (Matcher("job", "!~", "ap.*"), {"job": "api"}, False),
        (Matcher("job", "=", ""), {}, True),
    ],
)
def test_matches_is_anchored_and_missing_is_empty(matcher, labels, hit):
    assert matcher.matches(labels) is hit


CONFIG = {
    "route": {
        "receiver": "default",
        "group_by": ["alertname"],
        "routes": [
            {
                "receiver": "pager",
                "matchers": ['severity="page"'],
                "continue": True,
                "routes": [{"match": {"team": "db"}, "receiver": "db-pager"}],
            },
            {"receiver": "db", "match_re": {"team": "db|storage"}, "group_by": ["team"]},
            {"matchers": ['env="dev"']},
        ],
    }
}


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({"severity": "page", "team": "db"}, ["db-pager", "db"]),
        ({"severity": "page"}, ["pager"]),
        ({"team": "storage"}, ["db"]),
        ({"team": "dbx"}, ["default"]),
        ({"env": "dev"}, ["default"]),  # no receiver: inherited from the root
        ({}, ["default"]),
    ],
)
def test_routing_follows_alertmanagers_walk(labels, receivers):
    tree = parse_routing_tree(CONFIG)
    assert [m.receiver for m in route_alert(tree, labels)] == receivers


def test_routes_inherit_group_by_and_report_their_path():
    tree = parse_routing_tree(CONFIG)
    (m,) = route_alert(tree, {"severity": "page"})
    assert m.path == ('{severity="page"}',)
    assert m.group_by == ("alertname",)
    assert m.continue_ is True
    (d,) = route_alert(tree, {"team": "db"})
    assert d.group_by == ("team",)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "no route: section"),
        ({"route": {"routes": []}}, "the root route needs a receiver"),
        ({"route": {"receiver": "x", "matchers": "a=b"}}, "expected a list of strings"),
        ({"route": {"receiver": "x", "routes": [{"matchers": ["a=~("]}]}}, "bad regex"),
    ],
)
def test_bad_configs_say_where(doc, message):
    with pytest.raises(ParseError, match=message):
        parse_routing_tree(doc)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('job=~"(?=api)"', "invalid or unsupported Perl syntax: `(?=`"),
        ('job=~"(a)\\\\1"', "invalid escape sequence: `\\1`"),
        ('job!~"a{1001}"', "invalid repeat count: `{1001}`"),
    ],
)
def test_regexes_alertmanager_would_refuse_are_refused(text: str, why: str) -> None:
    """Alertmanager compiles matcher regexes with Go's regexp: Python's re accepts these."""
    with pytest.raises(ParseError) as err:
        parse_matcher(text)
    assert err.value.message == f"bad regex in matcher {text!r}: error parsing regexp: {why}"


def test_regex_matchers_read_re2_spellings_as_re2_does() -> None:
    """Go-valid spellings Python's re reads otherwise: a{,5} is literal text, (?<n>…) a group."""
    assert parse_matcher('path=~"/a{,5}"').matches({"path": "/a{,5}"})
    assert not parse_matcher('path=~"/a{,5}"').matches({"path": "/aaa"})
    assert parse_matcher('job=~"(?<svc>api)-.*"').matches({"job": "api-1"})
