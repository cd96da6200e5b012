"""The lexer's fast path reads common expressions exactly as the state machine does.

``_fast_tokenize`` either gives up (``None``) or returns the very tokens (kind, offset, text)
of ``_Lexer``; checked on Prometheus's parser cases and on generated near-PromQL text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from obsctl.parsers.promql_lexer import Token, _fast_tokenize, _Lexer, tokenize

_CASES = json.loads(
    (Path(__file__).parents[2] / "data" / "promql" / "parse_test_cases.json").read_text()
)["cases"]

FRAGMENTS = [
    *("sum", "by", "without", "rate", "x", "job", "a:b", ":c", "on", "group_left", "bool"),
    *("offset", "fill", "fill_left", "inf", "NaN", "step", "start", "Sum", "é", "_x1"),
    *("(", ")", "{", "}", "[", "]", ",", ":", "=", "=~", "!=", "!~", "==", "!", "~"),
    *(">", ">=", "<", "<=", "</", ">/", "+", "-", "*", "/", "%", "^", "@", "#c\n"),
    *("5m", "1h30m", "5ms", "5mss", "5m3", "1.5m", "0.05", ".5", "5.", "0x1f", "1e3", "1_0"),
    *("10", "0", "07", "5y", "5ys", "3w2d", "5m:1m", "5m:", "1e", "5_m"),
    *('"v"', "'v'", '"a\\"b"', '"\\x41"', "`r`", '"', "'", '"é"', '"\n"'),
    *(" ", "  ", "\n", "\t", "\r", "\f", "\v"),
]


def _same(text: str) -> list[Token] | None:
    fast = _fast_tokenize(text)
    if fast is not None:
        slow = _Lexer(text).run()
        assert fast == slow
        assert all(type(tok) is Token for tok in fast)
    return fast


def _case_id(case: dict[str, object]) -> str:
    """The case's first 40 characters, in printable ASCII: a node ID pytest can select again
    (mutmut runs a mutant's tests by node ID; see tests/conftest.py)."""
    text = str(case["input"])[:40]
    safe = "".join(ch if " " <= ch <= "~" and ch != "\\" else "?" for ch in text)
    return safe.replace("::", ": :")


@pytest.mark.parametrize("case", _CASES, ids=_case_id)
def test_prometheus_cases(case: dict[str, object]) -> None:
    _same(str(case["input"]))


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join))
@example('sum by (job) (rate(x_total{code=~"5.."}[5m])) / sum(rate(x_total[5m])) > 0.05')
@example("a[5m:1m] offset 1h30m @ 100")
@example("a[ 5m : ]")
@example("x{a!~'y',b=\"\"}")
def test_generated_text(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "text",
    [
        'sum by (job, instance) (rate(http_requests_1_total{code=~"5.."}[5m])) > 0.05',
        "job:http_requests:rate5m[5m:1m] offset 1h",
        "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
        "up == 0 and on (job) absent(y)",
        "",
    ],
)
def test_common_shapes_take_the_fast_path(text: str) -> None:
    assert _same(text) is not None
    assert tokenize(text) == _Lexer(text).run()


def test_tokenize_answers_common_shapes_without_the_state_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: _Lexer) -> list[Token]:
        raise AssertionError("the state machine was used")

    monkeypatch.setattr(_Lexer, "run", refuse)
    assert [(t.kind, t.pos, t.text) for t in tokenize("rate(x[5m])")] == [
        ("IDENTIFIER", 0, "rate"),
        ("(", 4, "("),
        ("IDENTIFIER", 5, "x"),
        ("[", 6, "["),
        ("DURATION", 7, "5m"),
        ("]", 9, "]"),
        (")", 10, ")"),
        ("EOF", 11, ""),
    ]


@pytest.mark.parametrize(
    "text", ["a # comment", 'x{a="\\n"}', "fill(1)", "x[5m+1m]", "(", ")", "a =~ b", "`r`"]
)
def test_everything_else_goes_to_the_state_machine(text: str) -> None:
    assert _fast_tokenize(text) is None


@pytest.mark.parametrize(
    ("module", "cls"),
    [
        *(
            ("obsctl.parsers.promql_parser", name)
            for name in (
                "PosRange", "VectorSelector", "MatrixSelector", "LabelMatcher", "BinaryExpr",
                "AggregateExpr", "Call", "NumberLiteral", "StringLiteral", "ParenExpr",
                "VectorMatching",
            )
        ),
        ("obsctl.parsers.rule_expr", "Selector"),
        ("obsctl.parsers.rule_expr", "ExprFacts"),
        ("obsctl.workflows.rules_split", "Selector"),
        ("obsctl.workflows.rules_split", "ExprFacts"),
        ("obsctl.parsers.rule_file", "RuleDef"),
    ],
)  # fmt: skip
def test_fast_constructors_build_the_same_objects(module: str, cls: str) -> None:
    """The parsers' slot-setting constructors give the objects the classes' own would, with
    every argument given, with only the required ones (the defaults), and by keyword."""
    import importlib

    from obsctl.model import promql_ast, rules

    real = getattr(promql_ast, cls, None) or getattr(rules, cls)
    fast = getattr(importlib.import_module(module), f"_new_{cls}")
    assert fast is not real  # the fast path is in use
    fields = real.__match_args__
    required = [object() for _ in fields[: len(fields) - len(real.__init__.__defaults__ or ())]]
    everything = [object() for _ in fields]
    for args in (required, everything):
        made, want = fast(*args), real(*args)
        assert type(made) is real
        assert all(getattr(made, name) is getattr(want, name) for name in fields)
        with pytest.raises(AttributeError):
            made.pos = None
    keywords = {name: object() for name in fields}
    assert fast(**keywords) == real(**keywords)
