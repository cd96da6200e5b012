"""``model.re2_syntax``: the regexes Prometheus refuses, in Go's words.

Every expectation here was checked against Debian's promtool 2.42
(``tests/integration/test_rules_promtool.py::test_regex_errors_as_prometheus_reports_them``
does it on every run). promtool 2.42 parsed ``^(?:…)$`` around the pattern where
Prometheus 3 parses the pattern itself, so errors that quote the whole pattern or run to its
end quote the pattern alone here; ``RAW_ONLY`` lists where that changes the verdict.
"""

from __future__ import annotations

import pytest

from obsctl.model.re2_syntax import error_text
from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

# pattern → (Go's error code, the text it quotes), or None: accepted
CASES: dict[str, tuple[str, str] | None] = {
    "api|web": None,
    "5..": None,
    ".*": None,
    "(?i)a": None,
    "(?P<n>a)": None,
    "(?<name>x)": None,  # Go 1.22 and later (Prometheus 3); promtool 2.42 refuses it
    "a{,5}": None,  # not a repeat in RE2: literal text
    "a{01}": None,
    "a{1,2": None,
    "a{1000}": None,
    "a{1000,}": None,
    "\\x41": None,
    "\\x{41}": None,
    "\\0": None,
    "\\07": None,
    "\\012": None,
    "\\_": None,
    "\\-": None,
    "[\\d-z]": None,
    "[]a]": None,
    "[^]a]": None,
    "[a-]": None,
    "[-a]": None,
    "\\pL": None,
    "\\p{Greek}": None,
    "^*": None,
    "$+": None,
    "\\b*": None,
    "a(?i)*": None,
    "()": None,
    "(|)": None,
    "\\Q*+\\E": None,
    "\\A\\z": None,
    "[[:alpha:][:^digit:]]": None,
    "[[:alpha]": None,
    "(?=a)": ("invalid or unsupported Perl syntax", "(?="),
    "(?#c)": ("invalid or unsupported Perl syntax", "(?#"),
    "(?'n'x)": ("invalid or unsupported Perl syntax", "(?'"),
    "(?P=n)": ("invalid or unsupported Perl syntax", "(?P"),
    "(?-)": ("invalid or unsupported Perl syntax", "(?-)"),
    "(?i-)": ("invalid or unsupported Perl syntax", "(?i-)"),
    "(?--i)": ("invalid or unsupported Perl syntax", "(?--"),
    "(?P<>x)": ("invalid named capture", "(?P<>"),
    "(?<=a)": ("invalid named capture", "(?<=a)"),
    "(?<na-me>x)": ("invalid named capture", "(?<na-me>"),
    "(a)\\1": ("invalid escape sequence", "\\1"),
    "a\\Z": ("invalid escape sequence", "\\Z"),
    "\\q": ("invalid escape sequence", "\\q"),
    "\\8": ("invalid escape sequence", "\\8"),
    "\\é": ("invalid escape sequence", "\\é"),
    "\\C": ("invalid escape sequence", "\\C"),
    "\\xZ1": ("invalid escape sequence", "\\xZ1"),
    "\\x{}": ("invalid escape sequence", "\\x{}"),
    "\\x{110000}": ("invalid escape sequence", "\\x{110000"),
    "[\\b]": ("invalid escape sequence", "\\b"),
    "[a-\\d]": ("invalid escape sequence", "\\d"),
    "a*+": ("invalid nested repetition operator", "*+"),
    "a**": ("invalid nested repetition operator", "**"),
    "x{2}{3}": ("invalid nested repetition operator", "{2}{3}"),
    "a{2}*": ("invalid nested repetition operator", "{2}*"),
    "a*?*": ("invalid nested repetition operator", "*?*"),
    "a*??": ("invalid nested repetition operator", "*??"),
    "*a": ("missing argument to repetition operator", "*"),
    "(?i)*": ("missing argument to repetition operator", "*"),
    "(*)": ("missing argument to repetition operator", "*"),
    "a|*": ("missing argument to repetition operator", "*"),
    "a{1001}": ("invalid repeat count", "{1001}"),
    "a{2,1}": ("invalid repeat count", "{2,1}"),
    "(a{500}){3}": ("invalid repeat count", "{3}"),
    "((a{500}){1}){3}": ("invalid repeat count", "{3}"),
    "(a{0}){2000}": ("invalid repeat count", "{2000}"),
    "(a{0,}){2000}": ("invalid repeat count", "{2000}"),
    "\\b{600}": None,  # an assertion counts once: Go multiplies repeat counts only
    "(\\b{2}){500}": None,
    "(\\b{2}){501}": ("invalid repeat count", "{501}"),
    "a{99999999999}": ("invalid repeat count", "{99999999999}"),
    "a{1,99999999999}": ("invalid repeat count", "{1,99999999999}"),
    "[[:foo:]]": ("invalid character class range", "[:foo:]"),
    "[z-a]": ("invalid character class range", "z-a"),
    "\\pX": ("invalid character class range", "\\pX"),
    "(a": ("missing closing )", "(a"),
    "a)": ("unexpected )", "a)"),
    "[a": ("missing closing ]", "[a"),
    "[]": ("missing closing ]", "[]"),
    "[^]": ("missing closing ]", "[^]"),
    # Errors that promtool 2.42 words differently only because it parsed ^(?:…)$:
    "a\\": ("trailing backslash at end of expression", ""),
    "\\x": ("invalid escape sequence", "\\x"),
    "\\x{12": ("invalid escape sequence", "\\x{12"),
    "\\p": ("invalid character class range", "\\p"),
    "\\p{Greek": ("invalid character class range", "\\p{Greek"),
    "(?i": ("invalid or unsupported Perl syntax", "(?i"),
}
# Refused by both, but worded differently by promtool 2.42 only because it parsed the pattern
# inside ^(?:…)$: Go's error runs on into that wrapping.
ANCHORED_WORDS = {"a\\", "\\x", "\\x{12", "\\p", "\\p{Greek", "(?i", "[a", "[]", "[^]"}
# Refused by both, but promtool 2.42's Go did not know (?<name>…) yet and words it
# "invalid or unsupported Perl syntax: `(?<`".
NEWER_GO_WORDS = {"(?<=a)", "(?<na-me>x)"}
RAW_ONLY = {"(?<name>x)": "named groups without P", "\\Qab": "\\Q without \\E"}
# Valid in RE2 but not translated for Python's re, so obsctl could not evaluate the matcher
# and reports Python's error (docs/query.md): Unicode classes, a repeat after inline flags.
NO_PYTHON = {
    "\\pL": "\\p classes",
    "\\p{Greek}": "\\p classes",
    "a(?i)*": "a repeat right after inline flags",
}
CASES["\\Qab"] = None  # 2.42: the unterminated \Q swallowed the closing ``)$``


def _ids(patterns: object) -> list[str]:
    """Plain test IDs (a pattern's backslashes and quotes do not survive a round trip)."""
    return [f"p{i}" for i, _ in enumerate(patterns)]  # type: ignore[call-overload]


@pytest.mark.parametrize(("pattern", "want"), CASES.items(), ids=_ids(CASES))
def test_go_verdict_and_words(pattern: str, want: tuple[str, str] | None) -> None:
    got = error_text(pattern)
    if want is None:
        assert got is None
    else:
        assert got == f"error parsing regexp: {want[0]}: `{want[1]}`"


_ACCEPTED = [p for p, want in CASES.items() if want is None]


@pytest.mark.parametrize("pattern", _ACCEPTED, ids=_ids(_ACCEPTED))
def test_what_go_accepts_the_parser_accepts(pattern: str) -> None:
    """Go-valid patterns compile for evaluation too (``re2_to_python``), but for
    ``NO_PYTHON``."""
    matcher = 'up{job=~"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"}'
    if pattern in NO_PYTHON:
        with pytest.raises(PromQLParseError, match="error parsing regexp"):
            parse_expr(matcher)
    else:
        parse_expr(matcher)


def test_the_parser_reports_the_go_error_at_the_matcher() -> None:
    with pytest.raises(PromQLParseError) as err:
        parse_expr('up{job=~"(?=a)x"}')
    assert str(err.value) == (
        "1:4: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
    )
    parse_expr('up{job=~"api|web", path!~"/x/\\\\d{1,3}"}')  # accepted


MATCHING = [
    ("a{,5}", "a{,5}", True),  # not a count in RE2: literal text
    ("a{,5}", "aaa", False),
    ("a{01}", "a{01}", True),
    ("a{1,3}", "aaa", True),
    ("[[:^digit:]]+", "abc-é", True),
    ("[[:^digit:]]+", "a1", False),
    ("[[:alpha:][:^digit:]]", "5", False),
    ("[\\d-z]", "-", True),
    ("[\\d-z]", "y", False),
    ("(?<n>x)y", "xy", True),
    ("^*a$*", "a", True),
    ("\\x{41}\\x{e9}", "Aé", True),
]


@pytest.mark.parametrize(("pattern", "value", "hit"), MATCHING, ids=_ids(MATCHING))
def test_matchers_match_as_re2_matches(pattern: str, value: str, hit: bool) -> None:
    """What RE2 spells differently from Python's re is translated, not only accepted: by
    the parser's matchers and the engine's (``rules test``) alike."""
    from obsctl.analysis.engine.plan import compile_regex
    from obsctl.model.promql_ast import LabelMatcher, MatchOp

    assert LabelMatcher("l", MatchOp.REGEX, pattern).matches(value) is hit
    assert (compile_regex(pattern).fullmatch(value) is not None) is hit


def test_agrees_with_promtool_on_a_random_corpus() -> None:
    """586 random patterns (``tests/fixtures/re2``): promtool's verdict and words for each."""
    import json
    from pathlib import Path

    corpus = json.loads(
        (Path(__file__).parents[2] / "fixtures" / "re2" / "promtool.json").read_text("utf-8")
    )
    assert len(corpus) > 500
    wrong = {p: error_text(p) for p, said in corpus.items() if error_text(p) != said}
    assert wrong == {}
