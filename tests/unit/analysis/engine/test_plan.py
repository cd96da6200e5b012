"""Plan nodes: label matchers, RE2 regexes as Python patterns, and result types."""

from __future__ import annotations

import pytest

from obsctl.analysis.engine import plan as P
from obsctl.model.promql_ast import re2_to_python


@pytest.mark.parametrize(
    ("op", "value", "label", "hit"),
    [
        ("=", "a", "a", True),
        ("=", "a", "b", False),
        ("=", "", "", True),  # an absent label reads as ""
        ("!=", "a", "a", False),
        ("!=", "a", "b", True),
        ("!=", "", "", False),
        ("=~", "a.*", "abc", True),
        ("=~", "a.*", "bab", False),  # anchored at both ends
        ("=~", "b", "abc", False),
        ("=~", ".*", "", True),
        ("!~", "a.*", "abc", False),
        ("!~", "a.*", "bab", True),
        ("!~", ".+", "", True),
    ],
)
def test_matcher_ops(op: P.MatchOp, value: str, label: str, hit: bool) -> None:
    rx = P.compile_regex(value) if op in ("=~", "!~") else None
    assert P.Matcher("l", op, value, rx).matches(label) is hit


def test_regex_dot_matches_newline() -> None:
    assert P.compile_regex("a.b").fullmatch("a\nb") is not None


@pytest.mark.parametrize(
    ("re2", "py"),
    [
        ("abc", "abc"),
        ("(?i)abc", "(?i:abc)"),
        ("a(?i)bc", "a(?i:bc)"),
        ("(a(?i)b)c", "(a(?i:b))c"),
        ("(?i)a|b", "(?i:a)|(?i:b)"),
        ("((?i)a|b)c", "((?i:a)|(?i:b))c"),
        ("(?i)(?s)a", "(?i:(?s:a))"),
        ("(?i)a|(?m)b|c", "(?i:a)|(?i:(?m:b))|(?i:(?m:c))"),
        ("(?U)a", "a"),  # RE2's ungreedy flag has no Python spelling: dropped
        ("(?iU)a", "(?i:a)"),
        ("(?-U)a", "a"),
        ("(?-i)a", "(?-i:a)"),
        ("a|b", "a|b"),
        ("[(?i)]", "[(?i)]"),  # no flag group inside a class
        ("[^]a]", r"[^\]a]"),
        ("[]a]", r"[\]a]"),
        (r"[\]]x", r"[\]]x"),
        (r"[a\]b](?i)c", r"[a\]b](?i:c)"),
        (r"a\z", r"a\Z"),
        (r"\(?i)", r"\(?i)"),  # an escaped parenthesis opens nothing
        ("(a)(?i)b", "(a)(?i:b)"),
        ("a)", "a)"),  # an unbalanced close is left for the compiler to reject
        ("[a", "[a"),
        ("[", "["),
        ("[^", "[^"),
        ("[ab(?i)]", "[ab(?i)]"),  # still inside the class after its first character
        ("a\\", "a\\"),
    ],
)
def test_re2_constructs_translate_for_the_engine(re2: str, py: str) -> None:
    assert re2_to_python(re2) == py


@pytest.mark.parametrize(
    ("pattern", "text", "hit"),
    [
        ("a(?i)bc", "aBC", True),
        ("a(?i)bc", "ABC", False),
        ("(a(?i)b)c", "aBc", True),
        ("(a(?i)b)c", "aBC", False),
        ("(?i)a|b", "B", True),
        ("x(?i)a|b", "B", True),
        (r"a\z", "a", True),
    ],
)
def test_compiled_re2_flags_apply_to_the_rest_of_their_group(
    pattern: str, text: str, hit: bool
) -> None:
    assert (P.compile_regex(pattern).fullmatch(text) is not None) is hit


def _vs() -> P.VectorSel:
    return P.VectorSel("x", ())


def test_node_types() -> None:
    num, s, vs = P.Number(1.0), P.String("a"), _vs()
    assert (num.type, s.type, vs.type) == ("scalar", "string", "vector")
    assert P.MatrixSel(vs, 1000).type == "matrix"
    assert P.Subquery(vs, 1000).type == "matrix"
    assert P.Aggregate("sum", vs).type == "vector"
    assert P.Binary("+", num, num).type == "scalar"
    assert P.Binary("+", num, vs).type == "vector"
    assert P.Binary("+", vs, num).type == "vector"
    assert P.Unary("-", num).type == "scalar"
    assert P.Unary("-", vs).type == "vector"
    assert P.Paren(s).type == "string"
    assert P.Call("time", ()).type == "scalar"
    assert P.Call("rate", ()).type == "vector"
    assert P.Call("no_such_function", ()).type == "vector"
