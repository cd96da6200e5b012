"""Which regular expressions Prometheus refuses, and in Go's words.

Prometheus parses a label matcher's regex with Go's ``regexp/syntax`` (``syntax.Parse(v,
Perl|DotNL)``, Prometheus 3) and reports its error as ``error parsing regexp: <what>:
`<where>```. Python's ``re`` accepts patterns RE2 refuses (lookarounds, backreferences,
possessive repeats, ``\\Z``, counts over 1,000 …), and words its errors differently, so
``check`` follows the order in which Go's parser meets each construct and returns the first
error it would return, with the same text. It only validates: matching stays with
``model.promql_ast.compile_matcher_regex``.

Not checked: whether a well-formed Unicode class name (``\\p{Greek}``) is one Go knows
(Python's ``re`` has no ``\\p`` at all), invalid UTF-8, and the size and nesting limits of
Go's parser.
"""

from __future__ import annotations

import re
from typing import Final

MAX_REPEAT: Final = 1000
"""Go's ``maxRepeat``: the largest count, and the largest product of nested counts."""

_POSIX: Final = frozenset(
    f"[:{neg}{name}:]"
    for neg in ("", "^")
    for name in (
        "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
        "punct", "space", "upper", "word", "xdigit",
    )
)  # fmt: skip
_PERL_CLASSES: Final = frozenset("dDsSwW")
_C_ESCAPES: Final = frozenset("afnrtv")
_OCTAL: Final = frozenset("01234567")
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_WORD: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_COUNT: Final = re.compile(r"\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}")
"""A repeat count as Go reads one; any other brace is a literal."""
_CLASS_NAME: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_ -")
"""What the name of a Unicode class (``\\p{Greek}``, ``\\p{Lu}``) may hold."""

# The parse stack holds operands (the product of the repeat counts nested in each, for Go's
# limit on them) and two pseudo-operators.
_LEFT_PAREN: Final = -1
_BAR: Final = -2


class RegexSyntaxError(Exception):
    """Go's ``syntax.Error``: ``code`` (``missing closing )`` …) and the offending text."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"{code}: `{expr}`")
        self.code = code
        self.expr = expr


def check(pattern: str) -> None:
    """Raise ``RegexSyntaxError`` where Go's parser would fail on ``pattern``.

    >>> check("api|web")
    >>> check("(a")
    Traceback (most recent call last):
    ...
    obsctl.model.re2_syntax.RegexSyntaxError: missing closing ): `(a`
    """
    _Parser(pattern).parse()


def error_text(pattern: str) -> str | None:
    """``check``'s error as Prometheus prints it (``error parsing regexp: …``), or ``None``."""
    try:
        check(pattern)
    except RegexSyntaxError as exc:
        return f"error parsing regexp: {exc}"
    return None


class _Parser:
    __slots__ = ("stack", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[int] = []  # operand: product of nested counts (>= 1); or pseudo-op

    def parse(self) -> None:
        s = self.text
        n = len(s)
        i = 0
        last_repeat = -1  # where the repeat operator just before this token started
        while i < n:
            repeat_at = -1
            c = s[i]
            if c == "(":
                if s.startswith("(?", i):
                    i = self._perl_flags(i)
                else:
                    self.stack.append(_LEFT_PAREN)
                    i += 1
            elif c == "|":
                self._collapse()
                self.stack.append(_BAR)
                i += 1
            elif c == ")":
                self._collapse()
                group = self.stack.pop()
                if not self.stack or self.stack[-1] != _LEFT_PAREN:
                    raise RegexSyntaxError("unexpected )", s)
                self.stack[-1] = group  # the group is one operand
                i += 1
            elif c == "[":
                i = self._class(i)
                self.stack.append(1)
            elif c in "*+?":
                repeat_at = i
                i = self._repeat(i, i + 1, 0, 0, last_repeat)
            elif c == "{":
                parsed = self._counts(i)
                if parsed is None:  # not a repeat: a literal brace
                    self.stack.append(1)
                    i += 1
                else:
                    lo, hi, end = parsed
                    if lo > MAX_REPEAT or hi > MAX_REPEAT or (hi >= 0 and lo > hi):
                        raise RegexSyntaxError("invalid repeat count", s[i:end])
                    repeat_at = i
                    i = self._repeat(i, end, lo, hi, last_repeat)
            elif c == "\\":
                i = self._escape_operand(i)
            else:  # a literal, ^, $ or .
                self.stack.append(1)
                i += 1
            last_repeat = repeat_at
        self._collapse()
        if len(self.stack) != 1 or self.stack[0] < 0:
            raise RegexSyntaxError("missing closing )", s)

    # ----------------------------------------------------------------- stack

    def _collapse(self) -> None:
        """Concatenate the operands above the topmost pseudo-operator, and join alternatives
        down to the topmost ``(``: one operand remains (Go's ``concat`` and ``alternate``)."""
        stack = self.stack
        top = 1
        while stack and stack[-1] != _LEFT_PAREN:
            value = stack.pop()
            if value > 0:
                top = max(top, value)
        stack.append(top)

    # ---------------------------------------------------------------- repeats

    def _repeat(self, start: int, after: int, lo: int, hi: int, last_repeat: int) -> int:
        """A repeat operator at ``start`` (``*+?`` or ``{…}``, ``after`` its end; ``lo``,
        ``hi`` its counts for ``{}``): the new position."""
        s = self.text
        if after < len(s) and s[after] == "?":
            after += 1  # non-greedy
        if last_repeat >= 0:
            raise RegexSyntaxError("invalid nested repetition operator", s[last_repeat:after])
        if not self.stack or self.stack[-1] < 0:
            raise RegexSyntaxError("missing argument to repetition operator", s[start:after])
        if s[start] == "{":
            # x{0}: Go does not look inside; x{n,} counts n times (x{0,} once).
            product = 1 if hi == 0 else max(hi if hi > 0 else lo, 1) * self.stack[-1]
            if (lo >= 2 or hi >= 2) and product > MAX_REPEAT:
                raise RegexSyntaxError("invalid repeat count", s[start:after])
            self.stack[-1] = product
        return after

    def _counts(self, i: int) -> tuple[int, int, int] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` at ``i``: (min, max or -1, end); ``None`` when it is
        not one (Go: digits only, no leading zeros) and the brace is a literal."""
        m = _COUNT.match(self.text, i)
        if m is None:
            return None
        lo = int(m.group(1))
        hi = lo if m.group(2) is None else (-1 if m.group(3) is None else int(m.group(3)))
        return lo, hi, m.end()

    # ------------------------------------------------------------ groups, flags

    def _perl_flags(self, i: int) -> int:
        """``(?…`` at ``i``: a named group, a non-capturing group and/or flags."""
        s = self.text
        rest = s[i:]
        if (rest.startswith("(?P<") and len(rest) > 4) or (
            rest.startswith("(?<") and len(rest) > 3
        ):
            start = 4 if rest[2] == "P" else 3
            end = rest.find(">")
            if end < 0:
                raise RegexSyntaxError("invalid named capture", rest)
            name = rest[start:end]
            if not name or any(ch not in _WORD for ch in name):
                raise RegexSyntaxError("invalid named capture", rest[: end + 1])
            self.stack.append(_LEFT_PAREN)
            return i + end + 1
        j = i + 2
        sign = 1
        saw_flag = False
        while j < len(s):
            c = s[j]
            j += 1
            if c in "imsU":
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw_flag = False
            elif c in ":)":
                if sign < 0 and not saw_flag:
                    break
                if c == ":":
                    self.stack.append(_LEFT_PAREN)
                return j
            else:
                break
        raise RegexSyntaxError("invalid or unsupported Perl syntax", s[i:j])

    # ---------------------------------------------------------------- escapes

    def _escape_operand(self, i: int) -> int:
        """An escape outside brackets at ``i``: the new position (one operand pushed, or
        literals for ``\\Q…\\E``)."""
        s = self.text
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if nxt in ("A", "b", "B", "z"):
            self.stack.append(1)
            return i + 2
        if nxt == "C":
            raise RegexSyntaxError("invalid escape sequence", "\\C")
        if nxt == "Q":
            end = s.find("\\E", i + 2)
            literal = s[i + 2 :] if end < 0 else s[i + 2 : end]
            self.stack.extend([1] * len(literal))
            return len(s) if end < 0 else end + 2
        if nxt in ("p", "P"):
            end = self._unicode_class(i)
            self.stack.append(1)
            return end
        if nxt in _PERL_CLASSES:
            self.stack.append(1)
            return i + 2
        end = self._escape(i)
        self.stack.append(1)
        return end

    def _unicode_class(self, i: int) -> int:
        """``\\pX`` or ``\\p{Name}`` at ``i``: the end. One-letter names are checked, of
        names in braces only the braces."""
        s = self.text
        if i + 2 >= len(s) or s[i + 2] != "{":
            if i + 2 >= len(s) or s[i + 2] not in "CLMNPSZ":
                raise RegexSyntaxError("invalid character class range", s[i : i + 3])
            return i + 3
        end = s.find("}", i)
        if end < 0:
            raise RegexSyntaxError("invalid character class range", s[i:])
        name = s[i + 3 : end].removeprefix("^")
        if not name or any(c not in _CLASS_NAME for c in name):
            # No Unicode category or script is named so (which of the well-formed names
            # Go knows is not checked).
            raise RegexSyntaxError("invalid character class range", s[i : end + 1])
        return end + 1

    def _escape(self, i: int) -> int:
        """A single-character escape at ``i`` (Go's ``parseEscape``): its end."""
        s = self.text
        if i + 1 >= len(s):
            raise RegexSyntaxError("trailing backslash at end of expression", "")
        c = s[i + 1]
        j = i + 2
        if (c < "\x80" and c not in _WORD) or c == "_":
            return j  # an escaped punctuation character is itself
        if c in "1234567" and not (j < len(s) and s[j] in _OCTAL):
            pass  # a backreference: not supported
        elif c in _OCTAL:
            for _ in range(2):
                if j < len(s) and s[j] in _OCTAL:
                    j += 1
            return j
        elif c == "x":
            end = self._hex_escape(j)
            if end > 0:
                return end
            j = -end
        elif c in _C_ESCAPES:
            return j
        raise RegexSyntaxError("invalid escape sequence", s[i:j])

    def _hex_escape(self, j: int) -> int:
        """After ``\\x`` at ``j``: the escape's end, or minus how far Go read on failure."""
        s = self.text
        if j >= len(s):
            return -j
        if s[j] == "{":
            k = j + 1
            value = 0
            digits = 0
            while True:
                if k >= len(s):
                    return -k
                ch = s[k]
                k += 1
                if ch == "}":
                    break
                if ch not in _HEX:
                    return -k
                value = value * 16 + int(ch, 16)
                if value > 0x10FFFF:
                    return -k
                digits += 1
            return k if digits else -k
        first, second = s[j], s[j + 1] if j + 1 < len(s) else ""
        if first in _HEX and second and second in _HEX:
            return j + 2
        return -min(j + 2, len(s))

    # ---------------------------------------------------------------- classes

    def _class(self, i: int) -> int:
        """A bracketed class at ``i`` (Go's ``parseClass``): its end."""
        s = self.text
        whole = s[i:]
        j = i + 1
        if j < len(s) and s[j] == "^":
            j += 1
        first = True
        while j >= len(s) or s[j] != "]" or first:
            first = False
            if s.startswith("[:", j) and len(s) - j > 2:
                close = s.find(":]", j + 2)
                if close >= 0:
                    name = s[j : close + 2]
                    if name not in _POSIX:
                        raise RegexSyntaxError("invalid character class range", name)
                    j = close + 2
                    continue
            if s.startswith(("\\p", "\\P"), j):
                j = self._unicode_class(j)
                continue
            if s.startswith("\\", j) and j + 1 < len(s) and s[j + 1] in _PERL_CLASSES:
                j += 2
                continue
            start = j
            lo, j = self._class_char(j, whole)
            if j + 1 < len(s) and s[j] == "-" and s[j + 1] != "]":
                hi, j = self._class_char(j + 1, whole)
                if hi < lo:
                    raise RegexSyntaxError("invalid character class range", s[start:j])
        return j + 1

    def _class_char(self, j: int, whole: str) -> tuple[str, int]:
        s = self.text
        if j >= len(s):
            raise RegexSyntaxError("missing closing ]", whole)
        if s[j] == "\\":
            end = self._escape(j)
            return _escaped_value(s[j:end]), end
        return s[j], j + 1


def _escaped_value(escape: str) -> str:
    """The character a valid single-character escape stands for (for range order)."""
    c = escape[1]
    if c == "x":
        digits = escape[3:-1] if escape[2] == "{" else escape[2:4]
        return chr(int(digits, 16))
    if c in _OCTAL:
        return chr(int(escape[1:], 8))
    if c in _C_ESCAPES:
        return {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}[c]
    return c
