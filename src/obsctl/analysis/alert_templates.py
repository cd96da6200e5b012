"""Alert label and annotation templates: the part of Go's ``text/template`` rules use.

Supported: text and ``{{ … }}`` actions with ``{{-``/``-}}`` trimming; variables
(``$labels``, ``$value``, ``$externalLabels``, ``$externalURL``, and ``$x := …``); field
access (``$labels.job``, ``.Labels.job``, ``.Value``); pipelines (``$value | humanize``);
``if``/``else if``/``else``/``end``, ``with`` and ``range``; literals; and the Prometheus
template functions that need no server except ``query``, which runs on the embedded engine
through an injected function. Anything else is an error, reported the way Prometheus reports
a failed expansion (``<error expanding template: …>``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from obsctl.analysis.engine.goformat import go_float


class TemplateError(Exception):
    """The template does not parse or cannot be executed."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One sample as ``query`` returns it to templates (``.Labels``, ``.Value``)."""

    Labels: Mapping[str, str]
    Value: float


QueryFunc = Callable[[str], list[QueryResult]]

# ----------------------------------------------------------------------------- lexing

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)
    | (?P<num>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+))
    | (?P<var>\$[A-Za-z0-9_]*)
    | (?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
    | (?P<decl>:=|=)
    | (?P<pipe>\|)
    | (?P<lp>\()
    | (?P<rp>\))
    | (?P<comma>,)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X | re.S,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise TemplateError(f"unexpected {text[pos:]!r} in action")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        # A field chain right after a variable or a parenthesis: $labels.job, (x).y
        if kind in ("var", "rp") and pos < len(text) and text[pos] == ".":
            fm = re.compile(r"(?:\.[A-Za-z0-9_]+)+").match(text, pos)
            if fm:
                out.append(("chain", fm.group()))
                pos = fm.end()
    return out


# ----------------------------------------------------------------------------- parsing


@dataclass
class _Node:
    kind: str  # text | action | if | range | with
    text: str = ""
    pipe: list[list[tuple[str, str]]] | None = None
    decl: str | None = None
    decl2: str | None = None
    body: list[_Node] | None = None
    orelse: list[_Node] | None = None


def _split_pipe(toks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    cmds: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for t in toks:
        if t[0] == "lp":
            depth += 1
        elif t[0] == "rp":
            depth -= 1
        if t[0] == "pipe" and depth == 0:
            cmds.append([])
        else:
            cmds[-1].append(t)
    if any(not c for c in cmds):
        raise TemplateError("missing command in pipeline")
    return cmds


def _parse(text: str) -> list[_Node]:
    pieces: list[tuple[str, str]] = []
    pos = 0
    for m in _ACTION.finditer(text):
        lit = text[pos : m.start()]
        if m.group(1):
            lit = lit.rstrip()
        if pieces and pieces[-1][0] == "trim":
            lit = lit.lstrip()
            pieces.pop()
        pieces.append(("text", lit))
        body = m.group(2)
        if body.strip().startswith("/*"):
            pieces.append(("comment", ""))
        else:
            pieces.append(("action", body))
        if m.group(3):
            pieces.append(("trim", ""))
        pos = m.end()
    tail = text[pos:]
    if pieces and pieces[-1][0] == "trim":
        tail = tail.lstrip()
        pieces.pop()
    pieces.append(("text", tail))
    nodes, _rest, end = _parse_list(pieces, 0)
    if end is not None:
        raise TemplateError(f"unexpected {{{{{end}}}}}")
    return nodes


def _parse_list(pieces: list[tuple[str, str]], i: int) -> tuple[list[_Node], int, str | None]:
    out: list[_Node] = []
    while i < len(pieces):
        kind, body = pieces[i]
        i += 1
        if kind == "text":
            if body:
                out.append(_Node("text", body))
            continue
        if kind in ("comment", "trim"):
            continue
        toks = _tokens(body)
        if not toks:
            raise TemplateError("missing value for command")
        head = toks[0]
        if head == ("ident", "end"):
            return out, i, "end"
        if head == ("ident", "else"):
            return out, i - 1, "else"
        if head[0] == "ident" and head[1] in ("if", "with", "range"):
            node = _Node(head[1])
            rest = toks[1:]
            if head[1] == "range" and len(rest) >= 2 and rest[0][0] == "var":
                if rest[1][0] == "comma" and len(rest) >= 4 and rest[2][0] == "var":
                    node.decl, node.decl2, rest = rest[0][1], rest[2][1], rest[4:]
                elif rest[1][0] == "decl":
                    node.decl, rest = rest[0][1], rest[2:]
            node.pipe = _split_pipe(rest)
            node.body, i, end = _parse_list(pieces, i)
            if end == "else":
                etoks = _tokens(pieces[i][1])
                i += 1
                if len(etoks) > 1 and etoks[1] == ("ident", "if"):
                    # `else if`: a nested if in the else branch, sharing this `end`.
                    pieces = [*pieces[:i], ("action", body_of(etoks[1:])), *pieces[i:]]
                    sub, i, end = _parse_list(pieces, i)
                    node.orelse = sub
                    if end != "end":
                        raise TemplateError("unexpected EOF")
                    # the nested if consumed the shared end; nothing more to read here
                    out.append(node)
                    continue
                node.orelse, i, end = _parse_list(pieces, i)
            if end != "end":
                raise TemplateError("unexpected EOF")
            out.append(node)
            continue
        node = _Node("action")
        if len(toks) >= 2 and toks[0][0] == "var" and toks[1][0] == "decl":
            node.decl, toks = toks[0][1], toks[2:]
        node.pipe = _split_pipe(toks)
        out.append(node)
    return out, i, None


def body_of(toks: list[tuple[str, str]]) -> str:
    return " ".join(v for _, v in toks)


# ----------------------------------------------------------------------------- execution


def _go_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    if v is None:
        return "<no value>"
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{k}:{_go_str(x)}" for k, x in sorted(v.items())) + "]"
    if isinstance(v, list):
        return "[" + " ".join(_go_str(x) for x in v) + "]"
    return str(v)


def _humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return f"{_g4(v)}"
    if abs(v) >= 1:
        prefixes = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"]
        i = 0
        while abs(v) >= 1000 and i < len(prefixes) - 1:
            v /= 1000
            i += 1
        return f"{_g4(v)}{prefixes[i]}"
    prefixes = ["", "m", "u", "n", "p", "f", "a", "z", "y"]
    i = 0
    while abs(v) < 1 and i < len(prefixes) - 1:
        v *= 1000
        i += 1
    return f"{_g4(v)}{prefixes[i]}"


def _humanize1024(v: float) -> str:
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return f"{_g4(v)}"
    prefixes = ["", "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]
    i = 0
    while abs(v) >= 1024 and i < len(prefixes) - 1:
        v /= 1024
        i += 1
    return f"{_g4(v)}{prefixes[i]}"


def _g4(v: float) -> str:
    """Go's ``%.4g``."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    s = f"{v:.4g}"
    mant, e, exp = s.partition("e")
    if e:
        return f"{mant}e{exp[0]}{int(exp[1:]):02d}"
    return s


def _humanize_duration(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return f"{_g4(v)}"
    if v == 0:
        return "0s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        secs = int(v) % 60
        mins = int(v) // 60 % 60
        hours = int(v) // 3600 % 24
        days = int(v) // 86400
        if days:
            return f"{sign}{days}d {hours}h {mins}m {secs}s"
        if hours:
            return f"{sign}{hours}h {mins}m {secs}s"
        if mins:
            return f"{sign}{mins}m {secs}s"
        return f"{sign}{_g4(v)}s"
    prefixes = ["", "m", "u", "n", "p", "f", "a", "z", "y"]
    i = 0
    while abs(v) < 1 and i < len(prefixes) - 1:
        v *= 1000
        i += 1
    return f"{_g4(v)}{prefixes[i]}s"


def _to_float(v: Any) -> float:
    if isinstance(v, bool):
        raise TemplateError("can't convert bool to float")
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise TemplateError(f'strconv.ParseFloat: parsing "{v}": invalid syntax') from None
    raise TemplateError(f"can't convert {type(v).__name__} to float")


def _printf(fmt: str, *args: Any) -> str:
    out: list[str] = []
    it = iter(args)
    i = 0
    spec = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([vsdqfgeExXt%])")
    while i < len(fmt):
        m = spec.match(fmt, i)
        if fmt[i] != "%" or m is None:
            out.append(fmt[i])
            i += 1
            continue
        i = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        try:
            a = next(it)
        except StopIteration:
            out.append(f"%!{verb}(MISSING)")
            continue
        pyspec = f"{flags or ''}{width or ''}{'.' + prec if prec else ''}"
        if verb in "vs":
            s = _go_str(a)
            out.append(format(s, f">{width}") if width else s)
        elif verb == "q":
            out.append('"' + str(a).replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif verb == "d":
            out.append(format(int(_to_float(a)), pyspec + "d"))
        elif verb in "xX":
            out.append(format(int(_to_float(a)), pyspec + verb))
        elif verb == "t":
            out.append(_go_str(a))
        else:
            f = _to_float(a)
            if verb == "g" and not prec:
                out.append(go_float(f))
            else:
                out.append(format(f, pyspec + verb))
    return "".join(out)


def _truth(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0
    if isinstance(v, str | list | dict | tuple):
        return len(v) > 0
    return True


def _strip_port(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end != -1 else host
    if host.count(":") == 1:
        return host.split(":", maxsplit=1)[0]
    return host


def _strip_domain(host: str) -> str:
    port = ""
    if host.count(":") == 1 and not host.startswith("["):
        host, port = host.split(":")
        port = ":" + port
    if re.fullmatch(r"[\d.]+", host):
        return host + port
    return host.split(".")[0] + port


def _title(s: str) -> str:
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), s)


class _Exec:
    def __init__(self, data: Mapping[str, Any], query: QueryFunc | None, now_ms: int) -> None:
        self.data = data
        self.vars: dict[str, Any] = {"$": data}
        self.query = query
        self.now_ms = now_ms
        self.funcs: dict[str, Callable[..., Any]] = {
            "humanize": lambda v: _humanize(_to_float(v)),
            "humanize1024": lambda v: _humanize1024(_to_float(v)),
            "humanizeDuration": lambda v: _humanize_duration(_to_float(v)),
            "humanizePercentage": lambda v: f"{_g4(_to_float(v) * 100)}%",
            "humanizeTimestamp": self._humanize_ts,
            "printf": _printf,
            "print": lambda *a: "".join(_go_str(x) for x in a),
            "println": lambda *a: " ".join(_go_str(x) for x in a) + "\n",
            "toUpper": lambda s: str(s).upper(),
            "toLower": lambda s: str(s).lower(),
            "title": lambda s: _title(str(s)),
            "reReplaceAll": lambda p, r, s: re.sub(
                p, re.sub(r"\$(\d+)|\$\{(\d+)\}", lambda m: "\\" + (m.group(1) or m.group(2)), r), s
            ),
            "match": lambda p, s: re.search(p, s) is not None,
            "stripPort": lambda s: _strip_port(str(s)),
            "stripDomain": lambda s: _strip_domain(str(s)),
            "query": self._query,
            "first": self._first,
            "label": lambda name, s: s.Labels.get(name, "") if isinstance(s, QueryResult) else "",
            "value": lambda s: s.Value if isinstance(s, QueryResult) else 0.0,
            "strvalue": lambda s: (
                s.Labels.get("__value__", "") if isinstance(s, QueryResult) else ""
            ),
            "safeHtml": str,
            "len": len,
            "index": lambda v, *ks: self._index(v, ks),
            "eq": lambda a, *bs: any(a == b for b in bs),
            "ne": lambda a, b: a != b,
            "lt": lambda a, b: a < b,
            "le": lambda a, b: a <= b,
            "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b,
            "not": lambda a: not _truth(a),
            "and": lambda *a: next((x for x in a if not _truth(x)), a[-1]),
            "or": lambda *a: next((x for x in a if _truth(x)), a[-1]),
            "urlquery": lambda *a: __import__("urllib.parse").parse.quote_plus(
                "".join(_go_str(x) for x in a)
            ),
            "args": lambda *a: {f"arg{i}": x for i, x in enumerate(a)},
            "toTime": lambda v: datetime.fromtimestamp(_to_float(v), tz=UTC),
            "externalURL": lambda: data.get("ExternalURL", ""),
            "parseDuration": self._parse_duration,
        }

    def _humanize_ts(self, v: Any) -> str:
        f = _to_float(v)
        if math.isnan(f) or math.isinf(f):
            return _g4(f)
        t = datetime.fromtimestamp(f, tz=UTC)
        frac = f - math.floor(f)
        base = t.strftime("%Y-%m-%d %H:%M:%S")
        if frac:
            base += (f"{frac:.9f}"[1:]).rstrip("0")
        return base + " +0000 UTC"

    def _parse_duration(self, s: str) -> float:
        from obsctl.model.time import TimeSyntaxError, parse_duration

        try:
            return parse_duration(str(s), allow_zero=True).total_seconds()
        except TimeSyntaxError as exc:
            raise TemplateError(str(exc)) from None

    def _query(self, q: str) -> list[QueryResult]:
        if self.query is None:
            raise TemplateError("query is not available")
        return self.query(str(q))

    @staticmethod
    def _first(v: Any) -> Any:
        if not isinstance(v, list) or not v:
            raise TemplateError("first() called on vector with no elements")
        return v[0]

    @staticmethod
    def _index(v: Any, keys: Sequence[Any]) -> Any:
        for k in keys:
            if isinstance(v, Mapping):
                v = v.get(k, "")
            elif isinstance(v, list):
                v = v[int(k)]
            else:
                raise TemplateError("can't index item")
        return v

    def field(self, base: Any, chain: str) -> Any:
        for name in chain.strip(".").split("."):
            if not name:
                continue
            if isinstance(base, Mapping):
                base = base.get(name, "")  # map[string]string: a missing key is ""
            elif hasattr(base, name):
                base = getattr(base, name)
            else:
                raise TemplateError(f"can't evaluate field {name} in type {type(base).__name__}")
        return base

    def operand(self, toks: list[tuple[str, str]], i: int) -> tuple[Any, int]:
        kind, val = toks[i]
        i += 1
        if kind == "str":
            v: Any = (
                val[1:-1] if val[0] == "`" else bytes(val[1:-1], "utf-8").decode("unicode_escape")
            )
        elif kind == "num":
            v = float(val) if any(c in val for c in ".eE") else int(val)
        elif kind == "var":
            if val not in self.vars:
                raise TemplateError(f"undefined variable: {val}")
            v = self.vars[val]
        elif kind == "field":
            v = self.data if val == "." else self.field(self.vars.get(".", self.data), val)
        elif kind == "lp":
            depth = 1
            j = i
            while j < len(toks) and depth:
                if toks[j][0] == "lp":
                    depth += 1
                elif toks[j][0] == "rp":
                    depth -= 1
                j += 1
            v = self.pipeline(_split_pipe(toks[i : j - 1]))
            i = j
        elif kind == "ident":
            if val in ("true", "false"):
                v = val == "true"
            elif val == "nil":
                v = None
            elif val in self.funcs:
                v = self.funcs[val]()
            else:
                raise TemplateError(f'function "{val}" not defined')
        else:
            raise TemplateError(f"unexpected {val!r} in operand")
        if i < len(toks) and toks[i][0] == "chain":
            v = self.field(v, toks[i][1])
            i += 1
        return v, i

    def command(self, toks: list[tuple[str, str]], prev: Any, has_prev: bool) -> Any:
        kind, val = toks[0]
        if kind == "ident" and val in self.funcs and val not in ("true", "false", "nil"):
            args: list[Any] = []
            i = 1
            while i < len(toks):
                a, i = self.operand(toks, i)
                args.append(a)
            if has_prev:
                args.append(prev)
            try:
                return self.funcs[val](*args)
            except TemplateError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported as a failed expansion
                raise TemplateError(f"error calling {val}: {exc}") from None
        if kind == "ident" and val not in ("true", "false", "nil"):
            raise TemplateError(f'function "{val}" not defined')
        v, i = self.operand(toks, 0)
        if i != len(toks) or has_prev:
            raise TemplateError(f"can't give argument to non-function {val}")
        return v

    def pipeline(self, cmds: list[list[tuple[str, str]]]) -> Any:
        v: Any = None
        for n, c in enumerate(cmds):
            v = self.command(c, v, n > 0)
        return v

    def run(self, nodes: list[_Node], out: list[str]) -> None:
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "action":
                assert node.pipe is not None
                v = self.pipeline(node.pipe)
                if node.decl:
                    self.vars[node.decl] = v
                else:
                    out.append(_go_str(v))
            elif node.kind in ("if", "with"):
                assert node.pipe is not None
                v = self.pipeline(node.pipe)
                if _truth(v):
                    saved = self.vars.get(".")
                    if node.kind == "with":
                        self.vars["."] = v
                    self.run(node.body or [], out)
                    if node.kind == "with":
                        self.vars["."] = saved
                else:
                    self.run(node.orelse or [], out)
            elif node.kind == "range":
                assert node.pipe is not None
                v = self.pipeline(node.pipe)
                items = sorted(v.items()) if isinstance(v, Mapping) else list(enumerate(v or []))
                if not items:
                    self.run(node.orelse or [], out)
                saved = self.vars.get(".")
                for k, x in items:
                    self.vars["."] = x
                    if node.decl and node.decl2:
                        self.vars[node.decl], self.vars[node.decl2] = k, x
                    elif node.decl:
                        self.vars[node.decl] = x
                    self.run(node.body or [], out)
                self.vars["."] = saved


def expand(
    text: str,
    *,
    labels: Mapping[str, str],
    value: float,
    external_labels: Mapping[str, str],
    external_url: str,
    query: QueryFunc | None = None,
    now_ms: int = 0,
) -> str:
    """Expand an alert label or annotation template as Prometheus does.

    Raises:
        TemplateError: the template does not parse or fails to execute.
    """
    if "{{" not in text:
        return text
    data = {
        "Labels": dict(labels),
        "ExternalLabels": dict(external_labels),
        "ExternalURL": external_url,
        "Value": value,
    }
    ex = _Exec(data, query, now_ms)
    ex.vars.update(
        {
            "$labels": data["Labels"],
            "$externalLabels": data["ExternalLabels"],
            "$externalURL": external_url,
            "$value": value,
        }
    )
    out: list[str] = []
    ex.run(_parse(text), out)
    return "".join(out)
