"""``model.record.Record``: the behaviour the PromQL syntax tree and the rule model kept from
the frozen dataclasses they were."""

from __future__ import annotations

import copy
import pickle

import pytest

from obsctl.model.promql_ast import LabelMatcher, MatchOp, NumberLiteral, PosRange, VectorSelector
from obsctl.model.record import Record
from obsctl.model.rules import RuleDef, RuleFile, ServerFacts
from obsctl.parsers.promql_parser import parse_expr


def _rule(**changes: object) -> RuleDef:
    rule = RuleDef("alert", "A", "up == 0", None, None, (), (), (1, 1), {"expr": (2, 9)})
    return rule.replace(**changes)


def test_equality_and_hash_over_the_fields_between_the_same_class_only() -> None:
    a, b = PosRange(1, 4), PosRange(1, 4)
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != PosRange(1, 5) and a != (1, 4)
    assert NumberLiteral(1.0, a) != NumberLiteral(1.0, a, duration=True)

    class Other(Record):
        __match_args__ = ("start", "end")
        __slots__ = __match_args__

        def __init__(self, start: int, end: int) -> None:
            object.__setattr__(self, "start", start)
            object.__setattr__(self, "end", end)

    assert Other(1, 4) != a and a != Other(1, 4)


def test_fields_left_out_of_comparison_and_repr() -> None:
    # RuleDef compares without field_pos; RuleFile neither compares nor shows its lines.
    assert _rule() == _rule(field_pos={}) and hash(_rule()) == hash(_rule(field_pos={}))
    assert _rule() != _rule(name="B")
    one = RuleFile("r.yaml", (), (), ("groups: []",))
    assert one == RuleFile("r.yaml", (), (), ()) and "lines" not in repr(one)
    assert repr(one) == "RuleFile(source='r.yaml', groups=(), problems=())"


def test_keyword_positional_and_default_arguments() -> None:
    m = LabelMatcher(name="job", op=MatchOp.EQUAL, value="api")
    assert m == LabelMatcher("job", MatchOp.EQUAL, "api")
    vs = VectorSelector("up", (m,), PosRange(0, 2))
    assert (vs.offset, vs.offset_expr, vs.anchored) == (0.0, None, False)
    assert ServerFacts().present == {} and ServerFacts().present is not ServerFacts().present
    with pytest.raises(TypeError):
        PosRange(1)  # type: ignore[call-arg]


def test_read_only() -> None:
    pos = PosRange(0, 1)
    with pytest.raises(AttributeError):
        pos.start = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del pos.end  # type: ignore[misc]


def test_replace_pickle_copy_and_match() -> None:
    tree = parse_expr('sum by (job) (rate(x{a="b"}[5m])) > 1')
    assert pickle.loads(pickle.dumps(tree)) == tree
    assert copy.deepcopy(tree) == tree
    pos = PosRange(2, 7)
    assert pos.replace(end=9) == PosRange(2, 9) and pos == PosRange(2, 7)
    match pos:
        case PosRange(start, end=e):
            assert (start, e) == (2, 7)
        case _:
            pytest.fail("class pattern did not match")
