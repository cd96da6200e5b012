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
  | (?P<var>\$\w*)
  | (?P<field>(?:\.[^\W\d]\w*)+|\.)
  | (?P<num>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+)i?)
  | (?P<ident>[^\W\d]\w*)
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
_UNTERMINATED = {
    '"': "unterminated quoted string",
    "'": "unterminated character constant",
    "`": "unterminated raw quoted string",
}


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
        body = i + 2 if text.startswith("- ", i) else i
        if text.startswith("/*", body):
            pos = _comment_end(text, body, line)
            out.append(("/**/", line))
            continue
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
                elif ch == "\n" and quote != "`":
                    raise TemplateError(_UNTERMINATED[quote], line)
            elif ch in "\"`'":
                quote = ch
            elif text.startswith("}}", i):
                break
            i += 1
        else:
            raise TemplateError(_UNTERMINATED[quote] if quote else "unclosed action", line)
        inner = text[start + 2 : i]
        if inner.startswith("- ") or inner == "-":
            inner = inner[1:]
        if inner.endswith(" -"):
            inner = inner[:-1]
        out.append((inner, line))
        pos = i + 2


def _comment_end(text: str, body: int, line: int) -> int:
    """Where the text goes on after the comment action whose ``/*`` is at ``body``."""
    end = text.find("*/", body + 2)
    if end < 0:
        raise TemplateError("unclosed comment", line)
    end += 2
    if text.startswith(" -}}", end):
        return end + 4
    if text.startswith("}}", end):
        return end + 2
    raise TemplateError("comment ends before closing delimiter", line)


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
        if inner == "/**/":
            continue
        tokens = [(_kind(m), m.group()) for m in _TOKEN.finditer(inner) if m.lastgroup != "ws"]
        tokens.append(("end", "}}"))
        action = _Action(tokens, line, declared, functions)
        kind, first = tokens[0]
        if kind != "keyword":  # nil is an operand of its own kind
            action.pipeline("command")
            continue
        action.pos = 1
        if first == "end":
            action.expect_end("end")
            if not blocks:
                raise TemplateError("unexpected {{end}}", line)
            blocks.pop()
        elif first == "else":
            if not blocks or blocks[-1] not in ("if", "with", "range"):
                raise TemplateError("unexpected {{else}}", line)
            kind, word = tokens[1]
            if kind == "keyword" and word in ("if", "with"):
                if blocks[-1] != word:  # Go reads it as an {{if}} or {{with}} out of place
                    raise TemplateError(f"unexpected <{word}> in input", line)
                action.pos = 2
                action.pipeline(word)
            else:
                action.expect_end("else")
        elif first in ("break", "continue"):
            action.expect_end(f"{{{{{first}}}}}")
            if "range" not in blocks:
                raise TemplateError(f"{{{{{first}}}}} outside {{{{range}}}}", line)
        elif first in ("if", "range", "with"):
            blocks.append(first)
            action.pipeline(first)
        elif first in ("define", "block", "template") and (first != "define" or not blocks):
            context = f"{first} clause"
            action.expect_name(context)
            if first == "define":
                action.expect_end(context)
            if first != "template":
                blocks.append(first)
            if first == "block" or action.peek()[0] != "end":
                action.pipeline(context)
        else:  # a {{define}} inside a block
            raise action.unexpected(tokens[0], "command")
    if blocks:
        raise TemplateError("unexpected EOF", text.count("\n") + 1)


_KEYWORDS = frozenset(
    {
        "block",
        "break",
        "continue",
        "define",
        "else",
        "end",
        "if",
        "nil",
        "range",
        "template",
        "with",
    }
)
_OPERANDS = frozenset({"str", "var", "field", "num", "ident", "open", "nil"})
_NOT_EXECUTABLE = frozenset({"str", "num", "nil", "true", "false", "."})


def _kind(m: re.Match[str]) -> str:
    kind = m.lastgroup or "other"
    if kind == "ident" and m.group() in _KEYWORDS:
        return "nil" if m.group() == "nil" else "keyword"
    return kind


def _item(kind: str, text: str) -> str:
    """A token as Go's ``text/template`` names it in an "unexpected …" message."""
    if kind == "keyword":
        return f"<{text}>"
    if len(text) > 10:
        return _go_quote(text[:10]) + "..."
    return _go_quote(text)


def _go_quote(text: str) -> str:
    """``text`` as Go's ``%q`` writes it (for the characters a template action can hold)."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not ch.isprintable():
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


class _Action:
    """One action's tokens (the last one ``end``), read as Go's template parser reads them."""

    def __init__(
        self,
        tokens: list[tuple[str, str]],
        line: int,
        declared: set[str],
        functions: frozenset[str],
    ) -> None:
        self.tokens = tokens
        self.pos = 0
        self.line = line
        self.declared = declared
        self.functions = functions

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def next(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if token[0] != "end":
            self.pos += 1
        return token

    def unexpected(self, token: tuple[str, str], context: str) -> TemplateError:
        kind, text = token
        if kind == "other" and not (text.isascii() and text.isprintable()):
            message = f"unrecognized character in action: U+{ord(text):04X} {text!r}"
            return TemplateError(message, self.line)
        return TemplateError(f"unexpected {_item(kind, text)} in {context}", self.line)

    def expect_end(self, context: str) -> None:
        token = self.next()
        if token[0] != "end":
            raise self.unexpected(token, context)

    def expect_name(self, context: str) -> None:
        token = self.next()
        if token[0] != "str" or token[1].startswith("'"):
            raise self.unexpected(token, context)

    def pipeline(self, context: str, end: str = "end") -> None:
        """Go's ``pipeline``: declarations, then commands separated by ``|``, up to ``end``."""
        self._declarations(context)
        firsts: list[str] = []
        while True:
            token = self.next()
            if token[0] == end:
                break
            if token[0] == "end":  # the action ends inside parentheses
                raise TemplateError("unclosed left paren", self.line)
            if token[0] not in _OPERANDS:
                raise self.unexpected(token, context)
            self.pos -= 1
            firsts.append(self._command())
        if not firsts:
            raise TemplateError(f"missing value for {context}", self.line)
        for stage, first in enumerate(firsts[1:], start=2):
            if first in _NOT_EXECUTABLE:
                raise TemplateError(f"non executable command in pipeline stage {stage}", self.line)

    def _declarations(self, context: str) -> None:
        tokens, i = self.tokens, self.pos
        if tokens[i][0] != "var":
            return
        if tokens[i + 1][0] in ("declare", "assign"):
            self.declared.add(tokens[i][1])
            self.pos = i + 2
        elif tokens[i + 1][0] == "comma":
            if context != "range":
                raise TemplateError(f"too many declarations in {context}", self.line)
            if tokens[i + 2][0] not in ("var", "end", "close"):
                raise TemplateError("range can only initialize variables", self.line)
            self.declared.add(tokens[i][1])
            self.pos = i + 2
            if tokens[i + 2][0] == "var" and tokens[i + 3][0] in ("declare", "assign"):
                self.declared.add(tokens[i + 2][1])
                self.pos = i + 4
            elif tokens[i + 2][0] == "var" and tokens[i + 3][0] == "comma":
                raise TemplateError(f"too many declarations in {context}", self.line)

    def _command(self) -> str:
        """Go's ``command``: operands up to ``|`` or the end; the kind of the first one."""
        first = ""
        while True:
            kind, text = self.peek()
            if kind in _OPERANDS:
                operand = self._operand()
                first = first or operand
                continue
            if kind in ("end", "close"):
                return first
            self.pos += 1
            if kind == "pipe":
                return first
            raise self.unexpected((kind, text), "operand")

    def _operand(self) -> str:
        kind, text = self.next()
        if kind == "var":
            if text not in self.declared:
                raise TemplateError(f"undefined variable {_go_quote(text)}", self.line)
        elif kind == "ident" and text not in _CONSTANTS and text not in self.functions:
            raise TemplateError(f"function {_go_quote(text)} not defined", self.line)
        elif kind == "open":
            self.pipeline("parenthesized pipeline", end="close")
        while self.peek()[0] == "field":
            self.pos += 1
        return text if kind == "field" or text in _CONSTANTS else kind
