"""Temporary front end: promql-parser (Rust) AST → engine plan. Replaced by compile.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import promql_parser as pp

from obsctl.analysis.engine import plan as P


def _ms(d: timedelta | None) -> int:
    if d is None:
        return 0
    return (d.days * 86_400 + d.seconds) * 1000 + d.microseconds // 1000


def _at(a: Any) -> P.AtRef:
    if a is None:
        return None
    t = str(a.type)
    if t.endswith("Start"):
        return "start"
    if t.endswith("End"):
        return "end"
    return a.at.timestamp()


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def _sel(e: Any) -> P.VectorSel:
    ms = []
    name = e.name
    if name:
        ms.append(P.Matcher("__name__", "=", name))
    for mt in e.matchers.matchers:
        op = _OPS[str(mt.op).split(".")[-1]]
        ms.append(
            P.Matcher(mt.name, op, mt.value, P.compile_regex(mt.value) if "~" in op else None)  # type: ignore[arg-type]
        )
    return P.VectorSel(name, tuple(ms), offset_ms=_ms(e.offset), at=_at(e.at))


def convert(e: Any) -> P.Node:
    n = type(e).__name__
    if n == "NumberLiteral":
        return P.Number(float(e.val))
    if n == "StringLiteral":
        return P.String(e.val)
    if n == "VectorSelector":
        return _sel(e)
    if n == "MatrixSelector":
        return P.MatrixSel(_sel(e.vector_selector), _ms(e.range))
    if n == "SubqueryExpr":
        return P.Subquery(convert(e.expr), _ms(e.range), _ms(e.step), _ms(e.offset), _at(e.at))
    if n == "ParenExpr":
        return P.Paren(convert(e.expr))
    if n == "UnaryExpr":
        return P.Unary("-", convert(e.expr))
    if n == "Call":
        args = []
        for a in e.args:
            c = convert(a)
            while isinstance(c, P.Paren):
                c = c.expr
            args.append(c)
        return P.Call(e.func.name, tuple(args))
    if n == "AggregateExpr":
        mod = e.modifier
        without = mod is not None and str(mod.type).endswith("Without")
        grouping = tuple(mod.labels) if mod is not None else ()
        return P.Aggregate(
            str(e.op),
            convert(e.expr),
            convert(e.param) if e.param is not None else None,
            grouping,
            without,
        )
    if n == "BinaryExpr":
        mod = e.modifier
        kw: dict[str, Any] = {}
        if mod is not None:
            kw["return_bool"] = bool(mod.return_bool)
            card = str(mod.card).split(".")[-1] if mod.card is not None else "OneToOne"
            kw["card"] = {
                "OneToOne": "one-to-one",
                "ManyToOne": "many-to-one",
                "OneToMany": "one-to-many",
                "ManyToMany": "many-to-many",
            }[card]
            if mod.matching is not None:
                kw["on"] = str(mod.matching.type).endswith("Include")
                kw["matching"] = tuple(mod.matching.labels)
            if mod.group_labels:
                kw["include"] = tuple(mod.group_labels)
        return P.Binary(str(e.op), convert(e.lhs), convert(e.rhs), **kw)
    raise ValueError(f"unsupported node {n}")


def parse(q: str) -> P.Node:
    return convert(pp.parse(q))
