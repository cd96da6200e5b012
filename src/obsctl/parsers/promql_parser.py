"""Offline PromQL parser: a recursive-descent port of Prometheus's ``promql/parser``.

``parse_expr(text)`` returns the :mod:`obsctl.model.promql_ast` tree or raises
:class:`PromQLParseError` carrying the errors Prometheus would report (message and position).
It follows the grammar of the newest Prometheus (``generated_parser.y``), its semantic checks
(``checkAST``) and its lexer (see :mod:`obsctl.parsers.promql_lexer`), with every parser feature
flag switched on by default (:class:`ParseOptions`): duration expressions, ``anchored`` /
``smoothed``, experimental functions and ``fill*`` binary modifiers.

Where the Go parser recovers from a syntax error and goes on collecting errors, this one stops
at the first syntax error; semantic errors (types, argument counts, modifiers) are collected
like Prometheus does.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from typing import Final, NoReturn, cast

from obsctl.model.promql_ast import (
    AGGREGATORS_WITH_PARAM,
    COMPARISON_OPS,
    EXPERIMENTAL_AGGREGATORS,
    FUNCTIONS,
    SET_OPS,
    AggregateExpr,
    AtPreprocessor,
    BinaryExpr,
    BinaryOp,
    Call,
    Cardinality,
    DurationExpr,
    DurationOp,
    DurationValue,
    Expr,
    Function,
    LabelMatcher,
    MatchOp,
    MatrixSelector,
    NumberLiteral,
    ParenExpr,
    PosRange,
    StepInvariantExpr,
    StringLiteral,
    SubqueryExpr,
    UnaryExpr,
    ValueType,
    VectorMatching,
    VectorSelector,
    compile_matcher_regex,
)
from obsctl.model.re2_syntax import error_text
from obsctl.model.record import Record
from obsctl.parsers._fast_init import fast_init
from obsctl.parsers.promql_lexer import (
    AGGREGATORS,
    COMMENT,
    DURATION,
    EOF,
    ERROR,
    IDENTIFIER,
    METRIC_IDENTIFIER,
    NUMBER,
    STRING,
    Token,
    go_quote,
    tokenize,
)

_set = object.__setattr__

__all__ = ["ParseErr", "ParseOptions", "PromQLParseError", "parse_expr", "parse_metric_selector"]


class ParseOptions(Record):
    """Prometheus's parser feature flags; all on by default (the newest server, every flag)."""

    __match_args__ = (
        "experimental_functions",
        "duration_expr",
        "extended_range_selectors",
        "binop_fill_modifiers",
    )
    __slots__ = __match_args__

    experimental_functions: bool
    duration_expr: bool
    extended_range_selectors: bool
    binop_fill_modifiers: bool

    def __init__(
        self,
        experimental_functions: bool = True,
        duration_expr: bool = True,
        extended_range_selectors: bool = True,
        binop_fill_modifiers: bool = True,
    ) -> None:
        _set(self, "experimental_functions", experimental_functions)
        _set(self, "duration_expr", duration_expr)
        _set(self, "extended_range_selectors", extended_range_selectors)
        _set(self, "binop_fill_modifiers", binop_fill_modifiers)


ALL_FEATURES: Final = ParseOptions()


class ParseErr(Record):
    """One parse error: where (character offsets) and what, in Prometheus's words."""

    __match_args__ = ("pos", "message")
    __slots__ = __match_args__

    pos: PosRange
    message: str

    def __init__(self, pos: PosRange, message: str) -> None:
        _set(self, "pos", pos)
        _set(self, "message", message)

    def location(self, query: str) -> tuple[int, int]:
        """1-based line and column of the error's start (columns count characters)."""
        start = min(self.pos.start, len(query))
        line = query.count("\n", 0, start) + 1
        col = start - (query.rfind("\n", 0, start) + 1) + 1
        return line, col


class PromQLParseError(ValueError):
    """The query does not parse; ``errors`` lists every error found (first one first)."""

    def __init__(self, query: str, errors: list[ParseErr]) -> None:
        self.query = query
        self.errors = tuple(errors)
        first = errors[0]
        line, col = first.location(query)
        super().__init__(f"{line}:{col}: parse error: {first.message}")

    @property
    def first(self) -> ParseErr:
        return self.errors[0]


class _Abort(Exception):
    """A syntax error was recorded; stop parsing."""


_BINARY_BP: Final[dict[str, int]] = {
    "or": 1,
    "and": 2,
    "unless": 2,
    "==": 3,
    "!=": 3,
    "<=": 3,
    "<": 3,
    ">=": 3,
    ">": 3,
    "</": 3,
    ">/": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "atan2": 5,
    "^": 6,
}
_POW_BP: Final = 6
_DURATION_BP: Final[dict[str, int]] = {"+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}
_MATCH_OPS: Final = {"=": MatchOp.EQUAL, "!=": MatchOp.NOT_EQUAL, "=~": MatchOp.REGEX}
_MATCH_OPS["!~"] = MatchOp.NOT_REGEX
# Tokens that may name a metric (grammar ``metric_identifier``).
_METRIC_IDENT: Final = frozenset(
    {IDENTIFIER, METRIC_IDENTIFIER, "by", "without", "offset", "fill", "fill_left"}
    | {"fill_right", "and", "or", "unless", "start", "end", "step", "range", "anchored"}
    | {"smoothed", "max_of", "min_of"}
    | AGGREGATORS
)
# Tokens that may name a label in grouping lists (grammar ``maybe_label``).
_MAYBE_LABEL: Final = frozenset(
    {IDENTIFIER, METRIC_IDENTIFIER, "bool", "by", "group_left", "group_right", "fill"}
    | {"fill_left", "fill_right", "ignoring", "and", "or", "unless", "offset", "on", "start"}
    | {"end", "atan2", "step", "range", "anchored", "smoothed", "max_of", "min_of"}
    | AGGREGATORS
)
_CALLABLE_KEYWORDS: Final = frozenset({"start", "end", "step", "range", "max_of", "min_of"})
_RANGE_EXPECTED: Final = ("subquery or range selector", "number, duration, step(), or range()")
_STEP_EXPECTED: Final = ("subquery selector", 'number, duration, step(), range(), or "]"')
_OFFSET_EXPECTED: Final = ("offset", "number, duration, step(), or range()")
_MAX_NS: Final = 1 << 63
_UNKNOWN_FUNCTION_RETURN: Final = ValueType.VECTOR
_MAX_RECURSION: Final = 200_000
_CLOSING: Final = frozenset({")", "}", "]", NUMBER, DURATION})


def parse_expr(text: str, options: ParseOptions = ALL_FEATURES) -> Expr:
    """Parse a PromQL expression.

    Raises:
        PromQLParseError: with Prometheus's message(s) and position(s).

    >>> parse_expr('sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))').op
    'sum'
    """
    return _Parser(text, options).parse()


def parse_metric_selector(text: str) -> VectorSelector:
    """Parse a series selector (``name{matchers}``), as Prometheus's ``ParseMetricSelector``
    does for ``match[]`` parameters: no operators, functions, ranges or modifiers.

    Raises:
        PromQLParseError: with Prometheus's message and position.

    >>> parse_metric_selector('up{job="api"}').metric_name()
    'up'
    """
    parser = _Parser(text, ALL_FEATURES)
    selector: VectorSelector | None = None
    try:
        tok = parser.peek()
        if tok.kind == "{":
            selector = parser.vector_selector(None)
        elif tok.kind in _METRIC_IDENT:
            selector = parser.vector_selector(parser.advance())
        else:
            parser.unexpected()
        if parser.peek().kind != EOF:
            parser.unexpected()
    except _Abort:
        pass
    if selector is not None and not parser.errors:
        _Checker(parser).check(selector)
    if parser.errors:
        raise PromQLParseError(text, parser.errors)
    assert selector is not None
    return selector


_new_PosRange = fast_init(PosRange)
_new_VectorSelector = fast_init(VectorSelector)
_new_MatrixSelector = fast_init(MatrixSelector)
_new_LabelMatcher = fast_init(LabelMatcher)
_new_BinaryExpr = fast_init(BinaryExpr)
_new_AggregateExpr = fast_init(AggregateExpr)
_new_Call = fast_init(Call)
_new_NumberLiteral = fast_init(NumberLiteral)
_new_StringLiteral = fast_init(StringLiteral)
_new_ParenExpr = fast_init(ParenExpr)
_new_VectorMatching = fast_init(VectorMatching)


class _Parser:
    __slots__ = ("bad_ranges", "errors", "i", "last_closing", "opts", "text", "toks")

    def __init__(self, text: str, opts: ParseOptions) -> None:
        self.text = text
        self.opts = opts
        self.toks = [t for t in tokenize(text) if t.kind != COMMENT]
        self.i = 0
        self.errors: list[ParseErr] = []
        self.last_closing = 0
        # Expressions given a range although they are no selectors (an error already): later
        # modifiers report against the whole ``expr[range]``, as Prometheus does.
        self.bad_ranges: dict[int, PosRange] = {}

    # ------------------------------------------------------------------ token plumbing
    def peek(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind == ERROR:
            self.errors.append(ParseErr(_new_PosRange(tok.pos, len(self.text)), tok.text))
            raise _Abort
        return tok

    def peek2(self) -> Token:
        """The token after the next one (no error handling: lookahead only)."""
        return self.toks[min(self.i + 1, len(self.toks) - 1)]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        kind = tok.kind
        if kind == ERROR:
            self.peek()  # records the lexer's error and aborts
        if kind != EOF:
            self.i += 1
        if kind in _CLOSING:
            self.last_closing = tok.pos + len(tok.text)
        return tok

    def advance_end(self) -> int:
        """``advance()`` and return the end offset of the token passed."""
        tok = self.advance()
        return tok.pos + len(tok.text)

    def expect(self, kind: str, context: str = "", expected: str = "") -> Token:
        if self.peek().kind != kind:
            self.unexpected(context, expected)
        return self.advance()

    def error(self, pos: PosRange, message: str) -> None:
        self.errors.append(ParseErr(pos, message))

    def unexpected(self, context: str = "", expected: str = "") -> NoReturn:
        tok = self.peek()
        message = "unexpected " + tok.desc()
        if context:
            message += " in " + context
        if expected:
            message += ", expected " + expected
        self.errors.append(ParseErr(_new_PosRange(tok.pos, tok.end), message))
        raise _Abort

    # ------------------------------------------------------------------ entry
    def parse(self) -> Expr:
        # Deeply nested or very long operator chains recurse once per level (Prometheus's
        # own test has 20,000 chained operands); lift the limit for the parse only.
        old_limit = sys.getrecursionlimit()
        needed = min(_MAX_RECURSION, 1000 + 8 * len(self.toks))
        if needed > old_limit:
            sys.setrecursionlimit(needed)
        try:
            return self._parse()
        finally:
            if needed > old_limit:
                sys.setrecursionlimit(old_limit)

    def _parse(self) -> Expr:
        expr: Expr | None = None
        try:
            if self.peek().kind == EOF:
                self.error(_new_PosRange(0, 0), "no expression found in input")
                raise _Abort
            expr = self.expr(0)
            if self.peek().kind != EOF:
                self.unexpected()
        except _Abort:
            pass
        except RecursionError:
            self.error(_new_PosRange(0, len(self.text)), "expression nested too deeply")
        if expr is not None and not self.errors:
            try:
                _Checker(self).check(expr)
            except RecursionError:
                self.errors.clear()
                self.error(_new_PosRange(0, len(self.text)), "expression nested too deeply")
        if self.errors:
            raise PromQLParseError(self.text, self.errors)
        assert expr is not None
        return expr

    # ------------------------------------------------------------------ expressions
    def expr(self, min_bp: int) -> Expr:
        lhs = self.unary()
        while True:
            tok = self.peek()
            bp = _BINARY_BP.get(tok.kind)
            if bp is None or bp < min_bp:
                return lhs
            self.advance()
            matching, return_bool = self.bin_modifiers()
            rhs = self.expr(bp if tok.kind == "^" else bp + 1)
            pos = _new_PosRange(lhs.pos.start, rhs.pos.end)
            if not self.opts.binop_fill_modifiers and (
                matching.fill_lhs is not None or matching.fill_rhs is not None
            ):
                self.error(pos, "binop fill modifiers are experimental and not enabled")
            lhs = _new_BinaryExpr(cast(BinaryOp, tok.kind), lhs, rhs, pos, matching, return_bool)

    def unary(self) -> Expr:
        tok = self.peek()
        if tok.kind in ("+", "-"):
            self.advance()
            operand = self.expr(_POW_BP)
            if isinstance(operand, NumberLiteral):
                value = -operand.value if tok.kind == "-" else operand.value
                return operand.replace(value=value, pos=_new_PosRange(tok.pos, operand.pos.end))
            return UnaryExpr(
                "-" if tok.kind == "-" else "+", operand, _new_PosRange(tok.pos, operand.pos.end)
            )
        return self.postfix(self.primary())

    def primary(self) -> Expr:
        tok = self.peek()
        kind = tok.kind
        if kind in (NUMBER, DURATION):
            return self.number_literal()
        if kind == STRING:
            self.advance()
            return _new_StringLiteral(
                self.unquote(tok), _new_PosRange(tok.pos, tok.pos + len(tok.text))
            )
        if kind == "(":
            self.advance()
            inner = self.expr(0)
            if self.peek().kind != ")":
                self.unexpected()
            return _new_ParenExpr(inner, _new_PosRange(tok.pos, self.advance_end()))
        if kind == "{":
            return self.vector_selector(None)
        nxt = self.peek2().kind
        if kind in AGGREGATORS and nxt in ("(", "by", "without"):
            return self.aggregate()
        if nxt == "(" and (kind == IDENTIFIER or kind in _CALLABLE_KEYWORDS):
            return self.call()
        if kind in _METRIC_IDENT:
            return self.vector_selector(self.advance())
        self.unexpected()

    def number_literal(self) -> NumberLiteral:
        tok = self.advance()
        pos = _new_PosRange(tok.pos, tok.pos + len(tok.text))
        if tok.kind == DURATION:
            seconds, err = parse_duration(tok.text)
            if err:
                self.error(pos, err)
            return _new_NumberLiteral(seconds, pos, duration=True)
        value, err = parse_number(tok.text)
        if err:
            self.error(pos, f"error parsing number: {err}")
        return _new_NumberLiteral(value, pos)

    def unquote(self, tok: Token) -> str:
        value, ok = unquote_string(tok.text)
        if not ok:
            self.error(
                _new_PosRange(tok.pos, tok.end),
                f"error unquoting string {go_quote(tok.text)}: invalid syntax",
            )
        return value

    # ------------------------------------------------------------------ calls, aggregations
    def call_args(self) -> tuple[list[Expr], int]:
        """``( args )``; returns the arguments and the end of ``)``."""
        self.expect("(")
        args: list[Expr] = []
        if self.peek().kind == ")":
            return args, self.advance_end()
        while True:
            args.append(self.expr(0))
            tok = self.peek()
            if tok.kind == ",":
                self.advance()
                if self.peek().kind == ")":
                    self.error(
                        _new_PosRange(tok.pos, tok.end),
                        "trailing commas not allowed in function call args",
                    )
                    return args, self.advance_end()
                continue
            if tok.kind != ")":
                self.unexpected()
            return args, self.advance_end()

    def call(self) -> Expr:
        name = self.advance()
        args, end = self.call_args()
        func = FUNCTIONS.get(name.text)
        name_pos = _new_PosRange(name.pos, name.pos + len(name.text))
        if func is None:
            self.error(name_pos, f"unknown function with name {go_quote(name.text)}")
            func = Function(name.text, (), _UNKNOWN_FUNCTION_RETURN, variadic=-1)
        elif func.experimental and not self.opts.experimental_functions:
            self.error(name_pos, f"function {go_quote(name.text)} is not enabled")
        return _new_Call(func, tuple(args), _new_PosRange(name.pos, end))

    def aggregate(self) -> Expr:
        op = self.advance()
        grouping: tuple[str, ...] = ()
        without = False
        if self.peek().kind in ("by", "without"):
            without = self.advance().kind == "without"
            grouping = self.grouping_labels()
            args, end = self.call_args()
        else:
            args, end = self.call_args()
            if self.peek().kind in ("by", "without"):
                without = self.advance().kind == "without"
                grouping = self.grouping_labels()
                end = self.last_closing
        pos = _new_PosRange(op.pos, end)
        name = op.kind
        param: Expr | None = None
        fallback: Expr = args[-1] if args else _new_NumberLiteral(math.nan, pos)
        if not args:
            self.error(pos, "no arguments for aggregate expression provided")
            return _new_AggregateExpr(name, fallback, pos, None, grouping, without)
        desired = 1
        if name in AGGREGATORS_WITH_PARAM:
            if name in EXPERIMENTAL_AGGREGATORS and not self.opts.experimental_functions:
                self.error(
                    pos,
                    f"{name}() is experimental and must be enabled with "
                    "--enable-feature=promql-experimental-functions",
                )
                return _new_AggregateExpr(name, fallback, pos, None, grouping, without)
            desired = 2
            param = args[0]
        if len(args) != desired:
            self.error(
                pos,
                "wrong number of arguments for aggregate expression provided, "
                f"expected {desired}, got {len(args)}",
            )
            return _new_AggregateExpr(name, fallback, pos, param, grouping, without)
        return _new_AggregateExpr(name, args[desired - 1], pos, param, grouping, without)

    def grouping_labels(self) -> tuple[str, ...]:
        self.expect("(", "grouping opts", '"("')
        labels: list[str] = []
        if self.peek().kind == ")":
            self.advance()
            return ()
        while True:
            tok = self.peek()
            if tok.kind in _MAYBE_LABEL:
                self.advance()
                name = tok.text
                pos = _new_PosRange(tok.pos, tok.pos + len(name))
            elif tok.kind == STRING:
                self.advance()
                name = self.unquote(tok)
                pos = _new_PosRange(tok.pos, tok.end)
            else:
                self.unexpected("grouping opts", "label")
            if not name or (max(name) >= "\udc80" and _has_surrogate(name)):
                self.error(pos, f"invalid label name for grouping: {go_quote(name)}")
            labels.append(name)
            tok = self.peek()
            if tok.kind == ",":
                self.advance()
                if self.peek().kind == ")":
                    self.advance()
                    return tuple(labels)
                continue
            if tok.kind == ")":
                self.advance()
                return tuple(labels)
            self.unexpected("grouping opts", '"," or ")"')

    def bin_modifiers(self) -> tuple[VectorMatching, bool]:
        return_bool = False
        if self.peek().kind == "bool":
            self.advance()
            return_bool = True
        card = Cardinality.ONE_TO_ONE
        matching: tuple[str, ...] = ()
        on = False
        include: tuple[str, ...] = ()
        if self.peek().kind in ("on", "ignoring"):
            on = self.advance().kind == "on"
            matching = self.grouping_labels()
            if self.peek().kind in ("group_left", "group_right"):
                left = self.advance().kind == "group_left"
                card = Cardinality.MANY_TO_ONE if left else Cardinality.ONE_TO_MANY
                if self.peek().kind == "(":
                    include = self.grouping_labels()
        fill_lhs: float | None = None
        fill_rhs: float | None = None
        kind = self.peek().kind
        if kind in ("fill", "fill_left", "fill_right"):
            self.advance()
            value = self.fill_value()
            if kind == "fill":
                fill_lhs = fill_rhs = value
            elif kind == "fill_left":
                fill_lhs = value
                if self.peek().kind == "fill_right":
                    self.advance()
                    fill_rhs = self.fill_value()
            else:
                fill_rhs = value
                if self.peek().kind == "fill_left":
                    self.advance()
                    fill_lhs = self.fill_value()
        return _new_VectorMatching(card, matching, on, include, fill_lhs, fill_rhs), return_bool

    def fill_value(self) -> float:
        self.expect("(")
        sign = 1.0
        if self.peek().kind in ("+", "-"):
            sign = -1.0 if self.advance().kind == "-" else 1.0
        if self.peek().kind not in (NUMBER, DURATION):
            self.unexpected()
        value = self.number_literal().value * sign
        self.expect(")")
        return value

    # ------------------------------------------------------------------ selectors
    def vector_selector(self, name: Token | None) -> VectorSelector:
        matchers: list[LabelMatcher] = []
        start = name.pos if name is not None else self.peek().pos
        end = name.pos + len(name.text) if name is not None else start
        if self.peek().kind == "{":
            self.advance()
            while True:
                tok = self.peek()
                if tok.kind == "}":
                    break
                matcher = self.label_matcher()
                if matcher is not None:
                    matchers.append(matcher)
                tok = self.peek()
                if tok.kind == ",":
                    self.advance()
                    continue
                if tok.kind != "}":
                    self.unexpected("label matching", '"," or "}"')
            end = self.advance_end()
        if name is not None:
            matchers.append(_new_LabelMatcher("__name__", MatchOp.EQUAL, name.text))
        return _new_VectorSelector(
            name.text if name is not None else None, tuple(matchers), _new_PosRange(start, end)
        )

    def label_matcher(self) -> LabelMatcher | None:
        tok = self.peek()
        if tok.kind == IDENTIFIER:
            self.advance()
            label = tok.text
            if self.peek().kind not in _MATCH_OPS:
                self.unexpected("label matching", "label matching operator")
        elif tok.kind == STRING:
            self.advance()
            label = self.unquote(tok)
            if self.peek().kind not in _MATCH_OPS:
                return _new_LabelMatcher("__name__", MatchOp.EQUAL, label)
        else:
            self.unexpected("label matching", 'identifier or "}"')
        op = _MATCH_OPS[self.advance().kind]
        value_tok = self.peek()
        if value_tok.kind != STRING:
            self.unexpected("label matching", "string")
        self.advance()
        value = self.unquote(value_tok)
        if op in (MatchOp.REGEX, MatchOp.NOT_REGEX):
            problem = _regex_error(value)
            if problem:
                self.error(_new_PosRange(tok.pos, value_tok.end), problem)
        return _new_LabelMatcher(label, op, value)

    # ------------------------------------------------------------------ postfix modifiers
    def postfix(self, expr: Expr) -> Expr:
        while True:
            kind = self.peek().kind
            if kind == "[":
                expr = self.range_or_subquery(expr)
            elif kind == "offset":
                self.advance()
                expr = self.set_offset(expr, self.offset_duration())
            elif kind == "@":
                expr = self.at_modifier(expr)
            elif kind in ("anchored", "smoothed"):
                self.advance()
                expr = self.set_extended(expr, kind)
            else:
                return expr

    def range_or_subquery(self, expr: Expr) -> Expr:
        lbracket = self.advance()
        if self.peek().kind in ("]", ":"):
            self.unexpected(*_RANGE_EXPECTED)
        rng = self.positive_duration(_RANGE_EXPECTED)
        tok = self.peek()
        if tok.kind == "]":
            rbracket = self.advance()
            problem = ""
            if not isinstance(expr, VectorSelector):
                problem = "ranges only allowed for vector selectors"
            elif expr.offset != 0 or expr.offset_expr is not None:
                problem = "no offset modifiers allowed before range"
            elif expr.timestamp is not None or expr.start_or_end is not None:
                problem = "no @ modifiers allowed before range"
            if problem:
                self.error(_new_PosRange(lbracket.pos, rbracket.pos + 1), problem)
            if not isinstance(expr, VectorSelector):
                self.bad_ranges[id(expr)] = _new_PosRange(expr.pos.start, rbracket.pos + 1)
                return expr
            seconds, rexpr = _split_duration(rng)
            return _new_MatrixSelector(
                expr, seconds, _new_PosRange(expr.pos.start, rbracket.pos + 1), rexpr
            )
        if tok.kind != ":":
            self.unexpected("subquery or range", '":" or "]"')
        self.advance()
        step: DurationValue | None = None
        if self.peek().kind != "]":
            step = self.positive_duration(_STEP_EXPECTED)
            if self.peek().kind != "]":
                self.unexpected("subquery selector", '"]"')
        rbracket = self.advance()
        seconds, rexpr = _split_duration(rng)
        step_s, step_expr = _split_duration(step) if step is not None else (0.0, None)
        return SubqueryExpr(
            expr,
            seconds,
            _new_PosRange(expr.pos.start, rbracket.pos + 1),
            rexpr,
            step_s,
            step_expr,
        )

    def set_offset(self, expr: Expr, value: DurationValue) -> Expr:
        if id(expr) in self.bad_ranges:
            self.error(self.bad_ranges[id(expr)], "ranges only allowed for vector selectors")
            return expr
        seconds, dexpr = _split_duration(value)
        end = self.last_closing
        if isinstance(expr, VectorSelector):
            if expr.offset != 0 or expr.offset_expr is not None:
                self.error(expr.pos, "offset may not be set multiple times")
                return expr
            return expr.replace(
                offset=seconds, offset_expr=dexpr, pos=_new_PosRange(expr.pos.start, end)
            )
        if isinstance(expr, MatrixSelector):
            vs = expr.vector_selector
            if vs.offset != 0 or vs.offset_expr is not None:
                self.error(expr.pos, "offset may not be set multiple times")
                return expr
            return expr.replace(
                vector_selector=vs.replace(offset=seconds, offset_expr=dexpr),
                pos=_new_PosRange(expr.pos.start, end),
            )
        if isinstance(expr, SubqueryExpr):
            if expr.offset != 0 or expr.offset_expr is not None:
                self.error(expr.pos, "offset may not be set multiple times")
                return expr
            return expr.replace(
                offset=seconds, offset_expr=dexpr, pos=_new_PosRange(expr.pos.start, end)
            )
        self.error(
            expr.pos,
            "offset modifier must be preceded by an instant vector selector or range vector "
            "selector or a subquery",
        )
        return expr

    def at_modifier(self, expr: Expr) -> Expr:
        self.advance()
        tok = self.peek()
        if tok.kind in ("start", "end"):
            self.advance()
            self.expect("(", "@", "timestamp")
            self.expect(")", "@", "timestamp")
            return self.set_at(expr, None, tok.kind)
        sign = 1.0
        if tok.kind in ("+", "-"):
            sign = -1.0 if self.advance().kind == "-" else 1.0
            tok = self.peek()
        if tok.kind not in (NUMBER, DURATION):
            self.unexpected("@", "timestamp")
        ts = self.number_literal().value * sign
        if math.isinf(ts) or math.isnan(ts) or ts >= 2.0**63 or ts <= -(2.0**63):
            self.error(expr.pos, f"timestamp out of bounds for @ modifier: {_go_f(ts)}")
        return self.set_at(expr, ts, None)

    def set_at(self, expr: Expr, ts: float | None, preproc: str | None) -> Expr:
        if id(expr) in self.bad_ranges:
            self.error(self.bad_ranges[id(expr)], "ranges only allowed for vector selectors")
            return expr
        millis = None
        if ts is not None and math.isfinite(ts) and abs(ts) < 2.0**63:
            millis = round(ts * 1000)
        start_or_end: AtPreprocessor | None = None
        if preproc == "start":
            start_or_end = "start"
        elif preproc == "end":
            start_or_end = "end"
        end = self.last_closing
        target: VectorSelector | SubqueryExpr
        if isinstance(expr, VectorSelector):
            target = expr
        elif isinstance(expr, MatrixSelector):
            target = expr.vector_selector
        elif isinstance(expr, SubqueryExpr):
            target = expr
        else:
            self.error(
                expr.pos,
                "@ modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery",
            )
            return expr
        if target.timestamp is not None or target.start_or_end is not None:
            self.error(expr.pos, "@ <timestamp> may not be set multiple times")
            return expr
        if isinstance(expr, MatrixSelector):
            vs = expr.vector_selector.replace(timestamp=millis, start_or_end=start_or_end)
            return expr.replace(vector_selector=vs, pos=_new_PosRange(expr.pos.start, end))
        assert isinstance(expr, VectorSelector | SubqueryExpr)
        return expr.replace(
            timestamp=millis,
            start_or_end=start_or_end,
            pos=_new_PosRange(expr.pos.start, end),
        )

    def set_extended(self, expr: Expr, which: str) -> Expr:
        other = "smoothed" if which == "anchored" else "anchored"
        if not self.opts.extended_range_selectors:
            self.error(expr.pos, f"{which} modifier is experimental and not enabled")
            return expr
        if id(expr) in self.bad_ranges:
            return expr
        vs: VectorSelector | None = None
        if isinstance(expr, VectorSelector):
            vs = expr
        elif isinstance(expr, MatrixSelector):
            vs = expr.vector_selector
        elif isinstance(expr, SubqueryExpr):
            self.error(expr.pos, f"{which} modifier is not supported for subqueries")
            return expr
        else:
            self.error(expr.pos, f"{which} modifier not implemented")
            return expr
        if getattr(vs, other):
            self.error(expr.pos, "anchored and smoothed modifiers cannot be used together")
        new_vs = vs.replace(anchored=True) if which == "anchored" else vs.replace(smoothed=True)
        if isinstance(expr, MatrixSelector):
            return expr.replace(vector_selector=new_vs)
        return new_vs

    # ------------------------------------------------------------------ durations
    def positive_duration(self, context: tuple[str, str]) -> DurationValue:
        toks, i = self.toks, self.i
        if toks[i].kind in (NUMBER, DURATION) and toks[i + 1].kind in ("]", ":"):
            value: DurationValue = self.duration_literal()  # what duration_expr comes to
        else:
            value = self.duration_expr(0, context)
        if isinstance(value, NumberLiteral) and value.value <= 0:
            self.error(value.pos, "duration must be greater than 0")
            return _new_NumberLiteral(0.0, value.pos)
        return value

    def offset_duration(self) -> DurationValue:
        tok = self.peek()
        kind = tok.kind
        if kind in (NUMBER, DURATION):
            return self.duration_literal()
        if kind in ("step", "range", "min_of", "max_of"):
            return self.duration_call(_OFFSET_EXPECTED)
        if kind in ("+", "-"):
            nxt = self.peek2().kind
            if nxt in (NUMBER, DURATION, "step", "range", "min_of", "max_of"):
                self.advance()
                if nxt in (NUMBER, DURATION):
                    return self.signed_literal(tok, self.number_literal())
                return self.apply_unary(tok, self.duration_call(_OFFSET_EXPECTED))
            if nxt == "(":
                self.advance()
                self.advance()
                inner = self.duration_expr(0, _OFFSET_EXPECTED)
                self.expect(")")
                return self.apply_unary(tok, _wrap(inner, inner.pos.start, inner.pos.end))
        if kind == "(":
            return self.duration_expr(0, _OFFSET_EXPECTED)
        self.unexpected(*_OFFSET_EXPECTED)

    def signed_literal(self, sign: Token, lit: NumberLiteral) -> NumberLiteral:
        value = -lit.value if sign.kind == "-" else lit.value
        if _duration_out_of_range(value):
            self.error(_new_PosRange(sign.pos, sign.end), "duration out of range")
            return _new_NumberLiteral(0.0, _new_PosRange(0, 0))
        return _new_NumberLiteral(value, _new_PosRange(sign.pos, lit.pos.end), lit.duration)

    def duration_literal(self) -> NumberLiteral:
        lit = self.number_literal()
        if _duration_out_of_range(lit.value):
            self.error(lit.pos, "duration out of range")
            return _new_NumberLiteral(0.0, _new_PosRange(0, 0))
        return lit

    def apply_unary(self, op: Token, value: DurationValue) -> DurationValue:
        if isinstance(value, DurationExpr):
            if op.kind == "-":
                return DurationExpr("-", None, value, _new_PosRange(op.pos, value.pos.end))
            return value
        return self.signed_literal(op, value)

    def duration_expr(self, min_bp: int, context: tuple[str, str]) -> DurationValue:
        lhs = self.duration_unary(context)
        while True:
            tok = self.peek()
            bp = _DURATION_BP.get(tok.kind)
            if bp is None or bp < min_bp:
                return lhs
            self.advance()
            self.experimental_duration(lhs)
            rhs = self.duration_expr(bp if tok.kind == "^" else bp + 1, context)
            pos = _new_PosRange(lhs.pos.start, rhs.pos.end)
            if tok.kind in ("/", "%") and isinstance(rhs, NumberLiteral) and rhs.value == 0:
                what = "division by zero" if tok.kind == "/" else "modulo by zero"
                self.error(_new_PosRange(tok.pos, tok.end), what)
                lhs = _new_NumberLiteral(0.0, _new_PosRange(0, 0))  # Prometheus's placeholder
                continue
            lhs = DurationExpr(cast(DurationOp, tok.kind), lhs, rhs, pos)

    def duration_unary(self, context: tuple[str, str]) -> DurationValue:
        tok = self.peek()
        if tok.kind in ("+", "-"):
            self.advance()
            operand = self.duration_expr(_POW_BP, context)
            return self.apply_unary(tok, operand)
        kind = tok.kind
        if kind in (NUMBER, DURATION):
            return self.duration_literal()
        if kind in ("step", "range", "min_of", "max_of"):
            return self.duration_call(context)
        if kind == "(":
            self.advance()
            inner = self.duration_expr(0, context)
            close = self.peek()
            if close.kind != ")":
                self.unexpected(*context)
            self.advance()
            self.experimental_duration(inner)
            return _wrap(inner, tok.pos, close.end)
        self.unexpected(*context)

    def duration_call(self, context: tuple[str, str]) -> DurationExpr:
        tok = self.advance()
        op = cast(DurationOp, tok.kind)
        if self.peek().kind != "(":
            self.unexpected(*context)
        self.advance()
        lhs: DurationValue | None = None
        rhs: DurationValue | None = None
        if tok.kind in ("min_of", "max_of"):
            lhs = self.duration_expr(0, context)
            if self.peek().kind != ",":
                self.unexpected(*context)
            self.advance()
            rhs = self.duration_expr(0, context)
        if self.peek().kind != ")":
            self.unexpected(*context)
        close = self.advance()
        result = DurationExpr(op, lhs, rhs, _new_PosRange(tok.pos, close.end))
        self.experimental_duration(result)
        return result

    def experimental_duration(self, value: DurationValue) -> None:
        if not self.opts.duration_expr:
            self.error(value.pos, "experimental duration expression is not enabled")


def _wrap(inner: DurationValue, start: int, end: int) -> DurationExpr:
    if isinstance(inner, DurationExpr):
        return inner.replace(wrapped=True)
    return DurationExpr("+", None, inner, _new_PosRange(start, end), wrapped=True)


def _split_duration(value: DurationValue) -> tuple[float, DurationExpr | None]:
    if isinstance(value, NumberLiteral):
        return value.value, None
    return 0.0, value


def _duration_out_of_range(value: float) -> bool:
    return value > _MAX_NS / 1e9 or value < -_MAX_NS / 1e9


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _go_f(value: float) -> str:
    """Go's ``%f``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"{value:.6f}"


# ---------------------------------------------------------------------- literals

_DURATION_UNITS: Final = {
    "ms": (7, 1_000_000),
    "s": (6, 1_000_000_000),
    "m": (5, 60 * 1_000_000_000),
    "h": (4, 3600 * 1_000_000_000),
    "d": (3, 86400 * 1_000_000_000),
    "w": (2, 7 * 86400 * 1_000_000_000),
    "y": (1, 365 * 86400 * 1_000_000_000),
}
_DURATION_PART: Final = re.compile(r"(\d+)(\D*)")


def parse_duration(text: str) -> tuple[float, str]:
    """A duration literal (``1h30m``) in seconds, and an error text (``""`` if valid).

    >>> parse_duration("1m30s")
    (90.0, '')
    >>> parse_duration("5m1h")
    (0.0, 'not a valid duration string: "5m1h"')
    """
    if text == "0":
        return 0.0, ""
    if not text or not text[0].isdigit():
        return 0.0, _bad_duration(text)
    total = 0
    last = 0
    pos = 0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if m is None:
            return 0.0, _bad_duration(text)
        digits, unit = m.group(1), m.group(2)
        if not unit:
            return 0.0, _bad_duration(text)
        pos = m.end()
        if unit not in _DURATION_UNITS:
            return 0.0, f"unknown unit {go_quote(unit)} in duration {go_quote(text)}"
        order, mult = _DURATION_UNITS[unit]
        if order <= last:
            return 0.0, _bad_duration(text)
        last = order
        value = int(digits)
        if value > _MAX_NS // mult:
            return 0.0, "duration out of range"
        total += value * mult
        if total > _MAX_NS - 1:
            return 0.0, "duration out of range"
    return total / 1e9, ""


def _bad_duration(text: str) -> str:
    return f"not a valid duration string: {go_quote(text)}"


def parse_number(text: str) -> tuple[float, str]:
    """A number literal as Prometheus reads it (``ParseInt`` base 0, then ``ParseFloat``).

    Returns the value and an error text (``""`` if valid).

    >>> parse_number("0x1F")
    (31.0, '')
    >>> parse_number("1e400")[1]
    'strconv.ParseFloat: parsing "1e400": value out of range'
    """
    if len(text) < 300 and _PLAIN_DECIMAL.fullmatch(text):
        return float(text), ""  # what the steps below come to, without their exceptions
    as_int = _go_parse_int(text)
    if as_int is not None:
        return float(as_int), ""
    lowered = text.lower()
    if lowered in ("inf", "+inf", "infinity", "+infinity"):
        return math.inf, ""
    if lowered in ("-inf", "-infinity"):
        return -math.inf, ""
    if lowered == "nan":
        return math.nan, ""
    cleaned = text.replace("_", "")
    if lowered.startswith(("0x", "-0x", "+0x")) or not _underscores_ok(text):
        return 0.0, f"strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax"
    try:
        value = float(cleaned)
    except ValueError:
        return 0.0, f"strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax"
    if math.isinf(value):
        return value, f"strconv.ParseFloat: parsing {go_quote(text)}: value out of range"
    return value, ""


_PLAIN_DECIMAL: Final = re.compile(r"[0-9]+\.[0-9]+")


def _underscores_ok(text: str) -> bool:
    """Go's rule: an underscore must sit between digits (or after a base prefix)."""
    if "_" not in text:
        return True
    return re.fullmatch(r"[+-]?(0[xX]_?)?[0-9a-fA-F]+(_[0-9a-fA-F]+)*.*", text) is not None and (
        "__" not in text and not text.endswith("_") and "_." not in text and "._" not in text
    )


def _go_parse_int(text: str) -> int | None:
    body = text.replace("_", "") if _underscores_ok(text) else None
    if body is None or not body:
        return None
    try:
        if body[:2] in ("0x", "0X"):
            value = int(body[2:], 16)
        elif body[:2] in ("0o", "0O"):
            value = int(body[2:], 8)
        elif len(body) > 1 and body[0] == "0":
            value = int(body[1:], 8)
        elif body.isdigit():
            value = int(body)
        else:
            return None
    except ValueError:
        return None
    if value > (1 << 63) - 1:
        return None
    return value


_SIMPLE_ESCAPES: Final = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
}


def unquote_string(text: str) -> tuple[str, bool]:
    """The value of a PromQL string literal (``"…"``, ``'…'`` or raw `` `…` ``).

    Returns the value and whether it was well-formed. ``\\x`` and octal escapes are bytes,
    as in Go; bytes that do not form UTF-8 come back as surrogate escapes.

    >>> unquote_string('"a\\\\tb"')
    ('a\\tb', True)
    >>> unquote_string('`a\\\\tb`')
    ('a\\\\tb', True)
    """
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'`":
        return "", False
    quote = text[0]
    body = text[1:-1]
    if quote == "`":
        return body, "`" not in body
    if "\n" in body:
        return "", False
    if "\\" not in body and quote not in body:
        return body, True
    out = bytearray()
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch == quote:
            return "", False
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= n:
            return "", False
        c = body[i + 1]
        i += 2
        if c in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[c].encode()
        elif c in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[c]
            digits = body[i : i + width]
            if len(digits) < width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                return "", False
            value = int(digits, 16)
            i += width
            if c == "x":
                out.append(value)
            else:
                if value > 0x10FFFF or 0xD800 <= value < 0xE000:
                    return "", False
                out += chr(value).encode()
        elif c in "01234567":
            digits = body[i - 1 : i + 2]
            if len(digits) < 3 or any(d not in "01234567" for d in digits):
                return "", False
            value = int(digits, 8)
            if value > 255:
                return "", False
            out.append(value)
            i += 2
        elif c in "'\"":
            if c != quote:
                return "", False
            out += c.encode()
        else:
            return "", False
    return out.decode("utf-8", "surrogateescape"), True


@functools.lru_cache(maxsize=1024)  # rule files repeat their patterns (code=~"5..")
def _regex_error(pattern: str) -> str:
    """What Prometheus says about the pattern (Go's ``regexp/syntax``: ``re2_syntax``); for
    the few patterns RE2 accepts and Python's ``re`` cannot compile (``\\pL``, ``^*``), the
    error Python gives, since obsctl could not evaluate the matcher."""
    go_error = error_text(pattern)
    if go_error is not None:
        return go_error
    try:
        compile_matcher_regex(pattern)
    except re.error as exc:
        return f"error parsing regexp: {exc}: `{pattern}`"
    return ""


# ---------------------------------------------------------------------- semantic checks


class _Checker:
    """Prometheus's ``checkAST``: types, argument counts, modifier rules."""

    __slots__ = ("p",)

    def __init__(self, parser: _Parser) -> None:
        self.p = parser

    def error(self, pos: PosRange, message: str) -> None:
        self.p.error(pos, message)

    def expect_type(self, node: Expr, want: ValueType, context: str) -> None:
        got = self.check(node)
        if got is not want:
            self.error(
                node.pos,
                f"expected type {want.documented} in {context}, got {got.documented}",
            )

    def check(self, node: Expr) -> ValueType:
        # The most frequent leaves first, by exact type (the node classes have no subclasses).
        kind = type(node)
        if kind is VectorSelector:
            self.check_selector(node, bypass_empty=False)  # type: ignore[arg-type]
            return ValueType.VECTOR
        if kind is MatrixSelector:
            self.check_selector(node.vector_selector, bypass_empty=False)  # type: ignore[union-attr]
            return ValueType.MATRIX
        if kind is NumberLiteral:
            return ValueType.SCALAR
        # Types of wrappers and operators come from their checked operands (bottom-up), so
        # deep nesting stays linear.
        if isinstance(node, ParenExpr | StepInvariantExpr):
            return self.check(node.expr)
        if isinstance(node, BinaryExpr):
            # Walk the left spine (a + b + c … nests to the left) without recursion.
            spine: list[BinaryExpr] = []
            current: Expr = node
            while isinstance(current, BinaryExpr):
                spine.append(current)
                current = current.lhs
            lt = self.check(current)
            for binary in reversed(spine):
                rt = self.check(binary.rhs)
                self.check_binary(binary, lt, rt)
                both_scalar = lt is ValueType.SCALAR and rt is ValueType.SCALAR
                lt = ValueType.SCALAR if both_scalar else ValueType.VECTOR
            return lt
        if isinstance(node, UnaryExpr):
            inner = self.check(node.expr)
            if inner not in (ValueType.SCALAR, ValueType.VECTOR):
                self.error(
                    node.pos,
                    "unary expression only allowed on expressions of type scalar or instant "
                    f'vector, got "{inner.documented}"',
                )
            return inner
        typ = node.type
        if isinstance(node, AggregateExpr):
            self.expect_type(node.expr, ValueType.VECTOR, "aggregation expression")
            if node.op in ("topk", "bottomk", "quantile", "limitk", "limit_ratio"):
                assert node.param is not None
                self.expect_type(node.param, ValueType.SCALAR, "aggregation parameter")
            if node.op == "count_values":
                assert node.param is not None
                self.expect_type(node.param, ValueType.STRING, "aggregation parameter")
        elif isinstance(node, Call):
            self.check_call(node)
        elif isinstance(node, SubqueryExpr):
            inner = self.check(node.expr)
            if inner is not ValueType.VECTOR:
                self.error(
                    node.pos,
                    f"subquery is only allowed on instant vector, got {inner.value} instead",
                )
        elif isinstance(node, MatrixSelector):
            self.check(node.vector_selector)
        elif isinstance(node, VectorSelector):
            self.check_selector(node, bypass_empty=False)
        return typ

    def check_selector(self, node: VectorSelector, *, bypass_empty: bool) -> None:
        if node.name is not None:
            for m in node.matchers[:-1]:
                if m.name == "__name__":
                    self.error(
                        node.pos,
                        f"metric name must not be set twice: {go_quote(node.name)} or "
                        f"{go_quote(m.value)}",
                    )
            return
        if bypass_empty:
            return
        if not any(not m.matches("") for m in node.matchers):
            self.error(node.pos, "vector selector must contain at least one non-empty matcher")

    def op_range(self, node: BinaryExpr) -> PosRange:
        text = self.p.text
        start = node.lhs.pos.end
        while start < len(text) and text[start] in " \t\n\r":
            start += 1
        end = node.rhs.pos.start - 1
        while end > 0 and text[end] in " \t\n\r":
            end -= 1
        return _new_PosRange(start, end)

    def check_binary(self, node: BinaryExpr, lt: ValueType, rt: ValueType) -> None:
        """The operator's own checks, given its operands' (already checked) types."""
        op = node.op
        matching = node.matching
        assert matching is not None
        if node.return_bool and op not in COMPARISON_OPS:
            self.error(
                self.op_range(node), "bool modifier can only be used on comparison operators"
            )
        if (
            op in COMPARISON_OPS
            and not node.return_bool
            and rt is ValueType.SCALAR
            and lt is ValueType.SCALAR
        ):
            self.error(self.op_range(node), "comparisons between scalars must use BOOL modifier")
        card = matching.card
        if op in SET_OPS and card is Cardinality.ONE_TO_ONE:
            card = Cardinality.MANY_TO_MANY
        if matching.on:
            for label in matching.matching_labels:
                if label in matching.include:
                    self.error(
                        self.op_range(node),
                        f"label {go_quote(label)} must not occur in ON and GROUP clause at once",
                    )
        for side, t in ((node.lhs, lt), (node.rhs, rt)):
            if t not in (ValueType.SCALAR, ValueType.VECTOR):
                self.error(
                    side.pos, "binary expression must contain only scalar and instant vector types"
                )
        filled = matching.fill_lhs is not None or matching.fill_rhs is not None
        if lt is not ValueType.VECTOR or rt is not ValueType.VECTOR:
            if matching.matching_labels:
                self.error(node.pos, "vector matching only allowed between instant vectors")
            if filled:
                self.error(
                    node.pos, "filling in missing series only allowed between instant vectors"
                )
            # Prometheus drops the matching for scalar operands.
            object.__setattr__(node, "matching", None)
        elif op in SET_OPS:
            if card in (Cardinality.ONE_TO_MANY, Cardinality.MANY_TO_ONE):
                self.error(node.pos, f"no grouping allowed for {go_quote(op)} operation")
            if card is not Cardinality.MANY_TO_MANY:
                self.error(node.pos, "set operations must always be many-to-many")
            if filled:
                self.error(node.pos, "filling in missing series not allowed for set operators")
        if card is not matching.card and node.matching is not None:
            object.__setattr__(node, "matching", matching.replace(card=card))
        if (lt is ValueType.SCALAR or rt is ValueType.SCALAR) and op in SET_OPS:
            self.error(
                node.pos, f"set operator {go_quote(op)} not allowed in binary scalar expression"
            )

    def check_call(self, node: Call) -> None:
        func = node.func
        nargs = len(func.arg_types)
        got = len(node.args)
        if func.variadic == 0:
            if nargs != got:
                self.error(
                    node.pos,
                    f"expected {nargs} argument(s) in call to {go_quote(func.name)}, got {got}",
                )
        else:
            least = nargs - 1
            if least > got:
                self.error(
                    node.pos,
                    f"expected at least {least} argument(s) in call to {go_quote(func.name)}, "
                    f"got {got}",
                )
            elif func.variadic > 0 and least + func.variadic < got:
                self.error(
                    node.pos,
                    f"expected at most {least + func.variadic} argument(s) in call to "
                    f"{go_quote(func.name)}, got {got}",
                )
        bypass_second = False
        if func.name == "info" and got > 1:
            second = node.args[1]
            if second.type is not ValueType.VECTOR:
                self.error(
                    node.pos,
                    f"expected type instant vector in call to function {go_quote('info')}, "
                    f"got {second.type.documented}",
                )
            if isinstance(second, VectorSelector) and second.name is not None:
                self.error(second.pos, "expected label selectors only, got vector selector instead")
            elif isinstance(second, VectorSelector):
                bypass_second = True
            else:
                self.error(second.pos, "expected label selectors only")
        for index, arg in enumerate(node.args):
            i = index
            if i >= nargs:
                if func.variadic == 0:
                    break
                i = nargs - 1
            if bypass_second and arg is node.args[1] and isinstance(arg, VectorSelector):
                self.check_selector(arg, bypass_empty=True)
                t = arg.type
            else:
                t = self.check(arg)
            if nargs and t is not func.arg_types[i]:
                self.error(
                    arg.pos,
                    f"expected type {func.arg_types[i].documented} in call to function "
                    f"{go_quote(func.name)}, got {t.documented}",
                )
