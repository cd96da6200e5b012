"""Parse-only check of Go ``text/template`` text, as Prometheus checks alert templates (pure).

Prometheus prefixes a label or annotation value with definitions of ``$labels``,
``$externalLabels``, ``$externalURL`` and ``$value`` and parses it with its function map; it is
never executed. This module finds the same classes of error: an unclosed action, an unknown
function, an undefined variable, unbalanced ``if``/``range``/``with``/``define``/``block`` and
``end``, unbalanced parentheses, an empty action. It does not type-check field paths (neither
does the parse).
"""

from __future__ import annotations

import re

PROMETHEUS_FUNCTIONS = frozenset(
    {
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml",
        "match", "title", "toUpper", "toLower", "graphLink", "tableLink", "sortByLabel",
        "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
        "humanizeTimestamp", "toTime", "toDuration", "pathPrefix", "externalURL",
        "parseDuration", "stripPort", "stripDomain", "now", "urlQueryEscape",
    }
)  # fmt: skip
"""Prometheus's template functions (every version's, 2.x and 3.x)."""
GO_FUNCTIONS = frozenset(
    {
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
        "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    }
)  # fmt: skip
ALERT_VARIABLES = ("$labels", "$externalLabels", "$externalURL", "$value")
_OPENERS = frozenset({"if", "range", "with", "define", "block"})
_CONSTANTS = frozenset({"nil", "true", "false"})
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)+')
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)
  | (?P<num>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+)i?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<comma>,)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class TemplateError(ValueError):
    """A template that does not parse; ``line`` is 1-based within the template text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_QUOTES = re.compile("[\"`']")


def _actions(text: str) -> list[tuple[str, int]]:
    """Each ``{{ … }}`` action's inner text (trim markers removed) and its line."""
    out: list[tuple[str, int]] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return out
        line = text.count("\n", 0, start) + 1
        i = start + 2
        quote: str | None = None
        close = text.find("}}", i)
        if close >= 0 and not _QUOTES.search(text, i, close):
            i = close  # no quoted text inside: the first "}}" closes the action
        while i < len(text):
            ch = text[i]
            if quote is not None:
                if ch == "\\" and quote != "`":
                    i += 2
                    continue
                if ch == quote:
                    quote = None
            elif ch in "\"`'":
                quote = ch
            elif text.startswith("}}", i):
                break
            i += 1
        else:
            raise TemplateError("unclosed action", line)
        inner = text[start + 2 : i]
        if inner.startswith("- ") or inner == "-":
            inner = inner[1:]
        if inner.endswith(" -"):
            inner = inner[:-1]
        out.append((inner, line))
        pos = i + 2


def check_template(
    text: str, *, functions: frozenset[str] = PROMETHEUS_FUNCTIONS | GO_FUNCTIONS
) -> None:
    """Parse ``text`` as an alert template.

    Raises:
        TemplateError: the first problem, in Go's words where it has them.
    """
    declared = set(ALERT_VARIABLES) | {"$"}
    blocks: list[str] = []
    for inner, line in _actions(text):
        stripped = inner.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise TemplateError("unclosed comment", line)
            continue
        tokens = [
            (m.lastgroup or "other", m.group())
            for m in _TOKEN.finditer(stripped)
            if m.lastgroup != "ws"
        ]
        if not tokens:
            raise TemplateError("missing value for command", line)
        kind, first = tokens[0]
        rest = tokens
        if kind == "ident" and first == "end":
            if len(tokens) > 1:
                raise TemplateError(f"unexpected {tokens[1][1]} in end", line)
            if not blocks:
                raise TemplateError("unexpected {{end}}", line)
            blocks.pop()
            continue
        if kind == "ident" and first == "else":
            if not blocks or blocks[-1] not in ("if", "with", "range"):
                raise TemplateError("unexpected {{else}}", line)
            rest = tokens[1:]
            if rest and rest[0][1] in ("if", "with"):
                rest = rest[1:]
            if not rest:
                continue
        elif kind == "ident" and first in ("break", "continue"):
            if "range" not in blocks:
                raise TemplateError(f"{{{{{first}}}}} outside {{{{range}}}}", line)
            continue
        elif kind == "ident" and first in _OPENERS:
            blocks.append(first)
            rest = tokens[1:]
            if first in ("define", "block"):
                if not rest or rest[0][0] != "str":
                    raise TemplateError(f"unexpected token in {first} clause", line)
                rest = rest[1:]
                if first == "define":
                    continue
            if not rest:
                raise TemplateError(f"missing value for {first}", line)
        elif kind == "ident" and first == "template":
            rest = tokens[1:]
            if not rest or rest[0][0] != "str":
                raise TemplateError("unexpected token in template clause", line)
            rest = rest[1:]
        _check_pipeline(rest, line, declared, functions)
    if blocks:
        raise TemplateError("unexpected EOF", text.count("\n") + 1)


def _check_pipeline(
    tokens: list[tuple[str, str]], line: int, declared: set[str], functions: frozenset[str]
) -> None:
    depth = 0
    if len(tokens) >= 2 and tokens[0][0] == "var" and tokens[1][0] in ("declare", "assign"):
        declared.add(tokens[0][1])
        tokens = tokens[2:]
    elif len(tokens) >= 4 and tokens[0][0] == "var" and tokens[1][0] == "comma":
        declared.update((tokens[0][1], tokens[2][1]))
        tokens = tokens[4:]
    if not tokens:
        raise TemplateError("missing value for command", line)
    expect_command = True
    for kind, text in tokens:
        if kind == "open":
            depth += 1
            expect_command = True
            continue
        if kind == "close":
            depth -= 1
            if depth < 0:
                raise TemplateError("unexpected right paren", line)
            expect_command = False
            continue
        if kind == "pipe":
            if expect_command:
                raise TemplateError("missing value for command", line)
            expect_command = True
            continue
        expect_command = False
        if kind == "var":
            base = text
            if base not in declared:
                raise TemplateError(f'undefined variable "{base}"', line)
        elif kind == "ident":
            if text not in functions and text not in _CONSTANTS:
                raise TemplateError(f'function "{text}" not defined', line)
        elif kind == "other":
            raise TemplateError(f"unexpected {text!r} in command", line)
    if depth > 0:
        raise TemplateError("unclosed left paren", line)
    if expect_command:
        raise TemplateError("missing value for command", line)
