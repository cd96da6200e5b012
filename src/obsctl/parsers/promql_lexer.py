"""PromQL lexer: the state machine of Prometheus's ``promql/parser/lex.go``, in Python.

It keeps the Go lexer's states (statements, inside braces, inside a range/duration
expression) and its error texts, so that a lexical error has the message and the position
Prometheus reports. Offsets are ``str`` indices (characters), not bytes.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

# Token kinds. Punctuation and operators use their own spelling ("(", "+", "=~", "@");
# keywords use their lower-case word ("sum", "by", "offset", "step"); the rest:
IDENTIFIER: Final = "IDENTIFIER"
METRIC_IDENTIFIER: Final = "METRIC_IDENTIFIER"
NUMBER: Final = "NUMBER"
DURATION: Final = "DURATION"
STRING: Final = "STRING"
EOF: Final = "EOF"
ERROR: Final = "ERROR"
COMMENT: Final = "COMMENT"

OPERATORS: Final = frozenset(
    [
        "+",
        "/",
        "==",
        "=~",
        ">=",
        ">",
        "</",
        ">/",
        "and",
        "or",
        "<",
        "<=",
        "unless",
        "%",
        "*",
        "!=",
        "!~",
        "^",
        "-",
        "@",
        "atan2",
    ]
)
AGGREGATORS: Final = frozenset(
    [
        "avg",
        "bottomk",
        "count",
        "count_values",
        "group",
        "max",
        "min",
        "quantile",
        "stddev",
        "stdvar",
        "sum",
        "topk",
        "limitk",
        "limit_ratio",
    ]
)
KEYWORDS: Final = frozenset(
    [
        "bool",
        "by",
        "group_left",
        "group_right",
        "fill",
        "fill_left",
        "fill_right",
        "ignoring",
        "offset",
        "smoothed",
        "anchored",
        "on",
        "without",
    ]
)
PREPROCESSORS: Final = frozenset(["start", "end", "step", "range", "max_of", "min_of"])
_KEY: Final = {
    w: w
    for w in (
        *("and", "or", "unless", "atan2"),
        *AGGREGATORS,
        *KEYWORDS,
        *PREPROCESSORS,
    )
} | {"inf": NUMBER, "nan": NUMBER}
_PUNCT_DESC: Final = frozenset(["(", ")", "{", "}", "[", "]", ",", "=", ":"])
_DURATION_KEYWORDS: Final = frozenset({"step", "range", "max_of", "min_of"})
_SPACE: Final = " \t\n\r"
_SPACES_RE: Final = re.compile(r"[ \t\n\r]*")
_WORD_RE: Final = re.compile(r"[a-zA-Z0-9_:]*")
_LABEL_RE: Final = re.compile(r"[a-zA-Z0-9_]*")
# A quoted string without escapes, embedded quotes of the other kind allowed.
_PLAIN_STRING_RE: Final = {
    '"': re.compile(r'[^"\\\n\udc80-\udcff]*"'),
    "'": re.compile(r"[^'\\\n\udc80-\udcff]*'"),
}
_DIGITS: Final = "0123456789"
_HEX: Final = "0123456789abcdefABCDEF"


class Token(NamedTuple):
    """One lexical item: ``kind`` (see module constants), start offset and text.

    For ``ERROR`` tokens ``text`` is the error message. (A named tuple: the lexer makes one
    per token, and a tuple is several times cheaper to build than a frozen dataclass.)
    """

    kind: str
    pos: int
    text: str

    @property
    def end(self) -> int:
        return self.pos + len(self.text)

    def desc(self) -> str:
        """How Prometheus names this token in ``unexpected …`` messages."""
        kind = self.kind
        if kind == EOF:
            return "end of input"
        if kind in _PUNCT_DESC:
            return go_quote(self.text)
        if kind in OPERATORS:
            return f"<op:{self.text}>"
        if kind in AGGREGATORS:
            return f"<aggr:{self.text}>"
        if kind in KEYWORDS:
            return f"<{self.text}>"
        if kind in PREPROCESSORS:
            return self._short()
        names = {
            IDENTIFIER: "identifier",
            METRIC_IDENTIFIER: "metric identifier",
            NUMBER: "number",
            DURATION: "duration",
            STRING: "string",
            ERROR: "error",
            COMMENT: "comment",
        }
        if kind in (IDENTIFIER, METRIC_IDENTIFIER):
            return f"{names[kind]} {go_quote(self.text)}"
        return f"{names.get(kind, kind)} {self._short()}"

    def _short(self) -> str:
        if len(self.text) > 10:
            return go_quote(self.text[:10]) + "..."
        return go_quote(self.text)


def go_quote(s: str, quote: str = '"') -> str:
    """Go's ``%q`` for a string (``quote='"'``) or a rune (``quote="'"``)."""
    out = [quote]
    for ch in s:
        code = ord(ch)
        if ch in (quote, "\\"):
            out.append("\\" + ch)
        elif ch in _GO_ESC:
            out.append(_GO_ESC[ch])
        elif 0xD800 <= code < 0xE000:
            out.append("\\ufffd" if quote == "'" else f"\\x{code & 0xFF:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


_GO_ESC: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_rune(ch: str) -> str:
    """Go's ``%q`` for one rune (``'x'``); end of input is Go's ``eof`` rune (-1)."""
    if ch == "":
        return "'\ufffd'"
    return go_quote(ch, "'")


def go_unicode(ch: str) -> str:
    """Go's ``%#U`` for one rune: ``U+0071 'q'``."""
    if ch == "":
        return "U+FFFFFFFFFFFFFFFF"
    code = ord(ch)
    text = f"U+{code:04X}"
    if ch.isprintable():
        text += f" '{ch}'"
    return text


def _is_alpha(ch: str) -> bool:
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_alnum(ch: str) -> bool:
    return _is_alpha(ch) or ("0" <= ch <= "9")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" and ch != ""


class _Lexer:
    """Go ``Lexer`` state, driven by :func:`tokenize`."""

    __slots__ = (
        "brace_open",
        "bracket_open",
        "got_colon",
        "got_duration",
        "input",
        "n",
        "out",
        "paren_depth",
        "pos",
        "start",
        "string_open",
    )

    def __init__(self, text: str) -> None:
        self.input = text
        self.n = len(text)
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.brace_open = False
        self.bracket_open = False
        self.got_colon = False
        self.got_duration = False
        self.string_open = ""
        self.out: list[Token] = []

    # -- primitives
    def next(self) -> str:
        if self.pos >= self.n:
            self.pos = self.n + 1  # past the end: backup() returns to n
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        return ch

    def backup(self) -> None:
        self.pos -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < self.n else ""

    def accept(self, valid: str) -> bool:
        ch = self.peek()
        if ch and ch in valid:
            self.pos += 1
            return True
        return False

    def is_(self, valid: str) -> bool:
        ch = self.peek()
        return bool(ch) and ch in valid

    def emit(self, kind: str) -> None:
        self.out.append(Token(kind, self.start, self.input[self.start : self.pos]))
        self.start = self.pos

    def error(self, message: str) -> None:
        self.out.append(Token(ERROR, self.start, message))

    def ignore(self) -> None:
        self.start = self.pos

    # -- states; each returns the next state's name or None when done (EOF or error)
    def run(self) -> list[Token]:
        state: str | None = "statements"
        states = {
            "statements": self.lex_statements,
            "braces": self.lex_inside_braces,
            "duration": self.lex_duration_expr,
            "string": self.lex_string,
            "raw": self.lex_raw_string,
            "number": self.lex_number_or_duration,
            "keyword": self.lex_keyword_or_identifier,
            "identifier": self.lex_identifier,
            "comment": self.lex_line_comment,
            "space": self.lex_space,
        }
        while state is not None:
            state = states[state]()
        return self.out

    def lex_statements(self) -> str | None:
        if self.brace_open:
            return "braces"
        if self.input.startswith("#", self.pos):
            return "comment"
        r = self.next()
        # Branches are disjoint; the most frequent characters come first.
        if _is_alpha(r) or r == ":":
            if not self.bracket_open:
                self.backup()
                return "keyword"
            if r == ":":
                if self.got_colon:
                    self.error("unexpected colon ':'")
                    return None
                self.emit(":")
                self.got_colon = True
                return "statements"
            if r.lower() in "srm" and self.scan_duration_keyword():
                return "statements"
            self.error(f"unexpected character: {go_rune(r)}, expected ':'")
            return None
        if r in _SPACE and r:
            return "space"
        if r == "(":
            self.emit("(")
            self.paren_depth += 1
        elif r == ")":
            self.emit(")")
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.out.pop()  # Go overwrites the item just emitted with the error
                self.error("unexpected right parenthesis ')'")
                return None
        elif r == "{":
            self.emit("{")
            self.brace_open = True
            return "braces"
        elif r == ",":
            self.emit(",")
        elif r == "":
            self.pos = self.n
            if self.paren_depth != 0:
                self.error("unclosed left parenthesis")
                return None
            if self.bracket_open:
                self.error("unclosed left bracket")
                return None
            self.emit(EOF)
            return None
        elif _is_digit(r) or (r == "." and _is_digit(self.peek())):
            self.backup()
            return "number"
        elif r in "*/%+-^@":
            self.emit(r)
        elif r in "\"'":
            self.string_open = r
            return "string"
        elif r == "[":
            if self.bracket_open:
                self.error("unexpected left bracket '['")
                return None
            self.got_colon = False
            self.emit("[")
            while self.peek() and self.peek() in _SPACE:
                self.pos += 1
            self.ignore()
            self.bracket_open = True
            return "duration"
        elif r == "]":
            if not self.bracket_open:
                self.error("unexpected right bracket ']'")
                return None
            self.emit("]")
            self.bracket_open = False
        elif r == "=":
            t = self.peek()
            if t == "=":
                self.next()
                self.emit("==")
            elif t == "~":
                self.error(f"unexpected character after '=': {go_rune(t)}")
                return None
            else:
                self.emit("=")
        elif r == "!":
            t = self.next()
            if t != "=":
                self.error(f"unexpected character after '!': {go_rune(t)}")
                return None
            self.emit("!=")
        elif r in "<>":
            t = self.peek()
            if t in ("=", "/"):
                self.next()
                self.emit(r + t)
            else:
                self.emit(r)
        elif r == "`":
            self.string_open = r
            return "raw"
        else:
            self.error(f"unexpected character: {go_rune(r)}")
            return None
        return "statements"

    def lex_inside_braces(self) -> str | None:
        if self.input.startswith("#", self.pos):
            return "comment"
        r = self.next()
        if r == "":
            self.pos = self.n
            self.error("unexpected end of input inside braces")
            return None
        if r in _SPACE:
            return "space"
        if _is_alpha(r):
            self.backup()
            return "identifier"
        if r == ",":
            self.emit(",")
        elif r in "\"'":
            self.string_open = r
            return "string"
        elif r == "`":
            self.string_open = r
            return "raw"
        elif r == "=":
            if self.peek() == "~":
                self.next()
                self.emit("=~")
            else:
                self.emit("=")
        elif r == "!":
            nr = self.next()
            if nr == "~":
                self.emit("!~")
            elif nr == "=":
                self.emit("!=")
            else:
                if nr == "":
                    self.pos = self.n
                self.error(f"unexpected character after '!' inside braces: {go_rune(nr)}")
                return None
        elif r == "{":
            self.error("unexpected left brace '{'")
            return None
        elif r == "}":
            self.emit("}")
            self.brace_open = False
            return "statements"
        else:
            self.error(f"unexpected character inside braces: {go_rune(r)}")
            return None
        return "braces"

    def lex_duration_expr(self) -> str | None:
        r = self.next()
        if r == "":
            self.pos = self.n
            self.error("unexpected end of input in duration expression")
            return None
        if r == "]":
            self.emit("]")
            self.bracket_open = False
            self.got_colon = False
            return "statements"
        if r == ":":
            self.emit(":")
            if not self.got_duration or self.got_colon:
                self.out.pop()  # Go overwrites the item just emitted with the error
            if not self.got_duration:
                self.error("unexpected colon before duration in duration expression")
                return None
            if self.got_colon:
                self.error("unexpected repeated colon in duration expression")
                return None
            self.got_colon = True
            return "duration"
        if r == "(":
            self.emit("(")
            self.paren_depth += 1
            return "duration"
        if r == ")":
            self.emit(")")
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.out.pop()  # Go overwrites the item just emitted with the error
                self.error("unexpected right parenthesis ')'")
                return None
            return "duration"
        if r in _SPACE:
            while self.peek() and self.peek() in _SPACE:
                self.pos += 1
            self.ignore()
            return "duration"
        if r in "+-*/%^,":
            self.emit(r)
            return "duration"
        if r.lower() in ("s", "r", "m"):
            if self.scan_duration_keyword():
                return "duration"
            self.error(f"unexpected character in duration expression: {go_rune(r)}")
            return None
        if _is_digit(r) or (r == "." and _is_digit(self.peek())):
            self.backup()
            self.got_duration = True
            return "number"
        self.error(f"unexpected character in duration expression: {go_rune(r)}")
        return None

    def scan_duration_keyword(self) -> bool:
        while _is_alpha(self.peek()):
            self.pos += 1
        word = self.input[self.start : self.pos].lower()
        if word in _DURATION_KEYWORDS:
            self.emit(word)
            return True
        return False

    def lex_escape(self) -> bool:
        """After a backslash in a quoted string; False when an error was emitted."""
        ch = self.next()
        if ch in ("a", "b", "f", "n", "r", "t", "v", "\\") or (ch and ch == self.string_open):
            return True
        if ch in ("0", "1", "2", "3", "4", "5", "6", "7"):
            n, base, max_val = 3, 8, 255
        elif ch == "x":
            ch = self.next()
            n, base, max_val = 2, 16, 255
        elif ch == "u":
            ch = self.next()
            n, base, max_val = 4, 16, 0x10FFFF
        elif ch == "U":
            ch = self.next()
            n, base, max_val = 8, 16, 0x10FFFF
        elif ch == "":
            self.pos = self.n
            self.error("escape sequence not terminated")
            return False
        else:
            self.error(f"unknown escape sequence {go_unicode(ch)}")
            return False
        x = 0
        while n > 0:
            d = int(ch, 16) if ch and ch in _HEX else 16
            if d >= base:
                if ch == "":
                    self.pos = self.n
                    self.error("escape sequence not terminated")
                    return False
                self.error(f"illegal character {go_unicode(ch)} in escape sequence")
                return False
            x = x * base + d
            n -= 1
            if n > 0:
                ch = self.next()
        if x > max_val or 0xD800 <= x < 0xE000:
            self.error("escape sequence is an invalid Unicode code point")
            return False
        return True

    def lex_string(self) -> str | None:
        m = _PLAIN_STRING_RE[self.string_open].match(self.input, self.pos)
        if m is not None:
            self.pos = m.end()
            self.emit(STRING)
            return "statements"
        while True:
            ch = self.next()
            if ch == "\\":
                if not self.lex_escape():
                    return None
                continue
            if ch in ("", "\n"):
                if ch == "":
                    self.pos = self.n
                self.error("unterminated quoted string")
                return None
            if "\udc80" <= ch <= "\udcff":
                self.error("invalid UTF-8 rune")
                return None
            if ch == self.string_open:
                break
        self.emit(STRING)
        return "statements"

    def lex_raw_string(self) -> str | None:
        while True:
            ch = self.next()
            if ch == "":
                self.pos = self.n
                self.error("unterminated raw string")
                return None
            if "\udc80" <= ch <= "\udcff":
                self.error("invalid UTF-8 rune")
                return None
            if ch == self.string_open:
                break
        self.emit(STRING)
        return "statements"

    def lex_space(self) -> str | None:
        m = _SPACES_RE.match(self.input, self.pos)
        self.pos = m.end() if m else self.pos
        self.ignore()
        return "statements"

    def lex_line_comment(self) -> str | None:
        end = self.pos + 1
        while end < self.n and self.input[end] not in "\r\n":
            end += 1
        self.pos = end
        self.emit(COMMENT)
        return "statements"

    def lex_number_or_duration(self) -> str | None:
        if self.scan_number():
            self.emit(NUMBER)
            return "statements"
        if self.accept_remaining_duration():
            self.backup()
            self.emit(DURATION)
            return "statements"
        self.pos = min(self.pos, self.n)
        self.error(f"bad number or duration syntax: {go_quote(self.input[self.start : self.pos])}")
        return None

    def accept_remaining_duration(self) -> bool:
        if not self.accept("smhdwy"):
            return False
        self.accept("s")
        while self.accept(_DIGITS):
            while self.accept(_DIGITS):
                pass
            if not self.accept("smhdw"):
                return False
            self.accept("s")
        return not _is_alnum(self.next())

    def scan_number(self) -> bool:
        initial = self.pos
        digits = _DIGITS
        if self.accept("0") and self.accept("xX"):
            self.accept("_")
            digits = _HEX
        self.accept(".")
        self.accept(digits)
        dot = False
        exponent = False
        pattern = digits + "._eE"
        while self.is_(pattern):
            if self.is_(".") and dot:
                self.accept(".")
                return False
            if self.is_("eE") and exponent:
                self.accept("eE")
                return False
            if self.accept("."):
                dot = True
                if self.accept("_."):
                    return False
                if len(digits) > 10:
                    return False
                continue
            if self.accept("eE"):
                exponent = True
                self.accept("+-")
                if self.accept("._eE") or self.peek() == "":
                    return False
                continue
            if self.accept("_"):
                if self.accept("._eE") or self.peek() == "":
                    return False
                continue
            while self.accept(digits):
                pass
        if self.pos == initial:
            return False
        return not _is_alnum(self.peek())

    def lex_identifier(self) -> str | None:
        m = _LABEL_RE.match(self.input, self.pos)
        self.pos = m.end() if m else self.pos
        self.emit(IDENTIFIER)
        return "braces"

    def lex_keyword_or_identifier(self) -> str | None:
        m = _WORD_RE.match(self.input, self.pos)
        self.pos = m.end() if m else self.pos
        word = self.input[self.start : self.pos]
        kind = _KEY.get(word.lower())
        if kind is not None:
            if kind in ("fill", "fill_left", "fill_right") and not self._followed_by_paren():
                self.emit(IDENTIFIER)
            else:
                self.emit(kind)
        elif ":" not in word:
            self.emit(IDENTIFIER)
        else:
            self.emit(METRIC_IDENTIFIER)
        return "statements"

    def _followed_by_paren(self) -> bool:
        i = self.pos
        while i < self.n and self.input[i] in _SPACE:
            i += 1
        return i < self.n and self.input[i] == "("


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` up to and including ``EOF`` or the first ``ERROR``.

    Comments are kept (kind ``COMMENT``); whitespace is dropped.

    >>> [t.kind for t in tokenize('sum(rate(x{a="b"}[5m]))')]
    ['sum', '(', 'IDENTIFIER', '(', 'IDENTIFIER', '{', 'IDENTIFIER', '=', 'STRING', '}', \
'[', 'DURATION', ']', ')', ')', 'EOF']
    """
    tokens = _fast_tokenize(text)
    return _Lexer(text).run() if tokens is None else tokens


# ---------------------------------------------------------------------------- fast path
#
# Most expressions use a small part of the language: names, calls, selectors with quoted
# values, plain ranges, numbers and operators. ``_fast_tokenize`` reads those with one regular
# expression match per token and gives up (``None``) on anything else (comments, escapes,
# backquotes, ``fill`` modifiers, duration arithmetic, every error), leaving it to the state
# machine above. Where it answers, its tokens are the state machine's, to the offset (tested
# differentially on Prometheus's parser cases and on generated text).

_FAST_STATEMENT: Final = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<word>[a-zA-Z_:][a-zA-Z0-9_:]*)
      | (?P<number>[0-9]|\.(?=[0-9]))
      | (?P<string>"[^"\\\n\udc80-\udcff]*"|'[^'\\\n\udc80-\udcff]*')
      | (?P<op>==|!=|<=|</|>=|>/|=(?!~)|[-+*/%^@,<>])
      | (?P<open>\()
      | (?P<close>\))
      | (?P<brace>\{)
      | (?P<bracket>\[)
      | (?P<eof>\Z)
    )""",
    re.VERBOSE,
)
_FAST_BRACES: Final = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<label>[a-zA-Z_][a-zA-Z0-9_]*)
      | (?P<string>"[^"\\\n\udc80-\udcff]*"|'[^'\\\n\udc80-\udcff]*')
      | (?P<op>=~|!~|!=|=|,)
      | (?P<close>\})
    )""",
    re.VERBOSE,
)
_FAST_RANGE: Final = re.compile(r"[ \t\n\r]*(?:(?P<number>[0-9]|\.(?=[0-9]))|(?P<other>.?))", re.S)
_FILL: Final = frozenset({"fill", "fill_left", "fill_right"})
_new = tuple.__new__  # Token(...) without the named tuple's Python-level __new__


# Plain integers/decimals and integer durations (``5m``, ``1h30m``), where the state machine
# would read exactly this much; anything else goes through its own number routine.
_FAST_NUMBER: Final = re.compile(
    r"(?P<DURATION>[0-9]+[smhdwy]s?(?:[0-9]+[smhdw]s?)*)(?![a-zA-Z0-9_])"
    r"|(?P<NUMBER>[0-9]+(?:\.[0-9]+)?)(?![a-zA-Z0-9_.])"
)


def _fast_number(lexer: _Lexer, start: int) -> Token | None:
    """The number or duration at ``start`` (``lexer.pos`` is left after it)."""
    m = _FAST_NUMBER.match(lexer.input, start)
    if m is not None:
        lexer.pos = m.end()
        return _new(Token, (m.lastgroup, start, m.group()))
    lexer.start = lexer.pos = start
    lexer.out = []
    lexer.lex_number_or_duration()
    tok = lexer.out[0]
    return None if tok.kind == ERROR else tok


def _fast_tokenize(text: str) -> list[Token] | None:
    """The tokens of a common expression, or ``None`` when the state machine must read it."""
    out: list[Token] = []
    append = out.append
    statement = _FAST_STATEMENT.match
    braces = _FAST_BRACES.match
    key = _KEY.get
    lexer: _Lexer | None = None
    depth = 0
    pos = 0
    while True:
        m = statement(text, pos)
        if m is None:
            return None
        group = m.lastgroup
        start, pos = m.span(group)  # type: ignore[arg-type]
        if group == "word":
            word = text[start:pos]
            kind = key(word.lower())
            if kind is None:
                kind = METRIC_IDENTIFIER if ":" in word else IDENTIFIER
            elif kind in _FILL:
                return None
            append(_new(Token, (kind, start, word)))
        elif group == "op":
            op = text[start:pos]
            append(_new(Token, (op, start, op)))
        elif group == "string":
            append(_new(Token, (STRING, start, text[start:pos])))
        elif group == "open":
            depth += 1
            append(_new(Token, ("(", start, "(")))
        elif group == "close":
            depth -= 1
            if depth < 0:
                return None
            append(_new(Token, (")", start, ")")))
        elif group == "number":
            if lexer is None:
                lexer = _Lexer(text)
            tok = _fast_number(lexer, start)
            if tok is None:
                return None
            append(tok)
            pos = lexer.pos
        elif group == "brace":
            append(_new(Token, ("{", start, "{")))
            while True:
                m = braces(text, pos)
                if m is None:
                    return None
                group = m.lastgroup
                start, pos = m.span(group)  # type: ignore[arg-type]
                value = text[start:pos]
                if group == "label":
                    append(_new(Token, (IDENTIFIER, start, value)))
                elif group == "string":
                    append(_new(Token, (STRING, start, value)))
                elif group == "op":
                    append(_new(Token, (value, start, value)))
                else:
                    append(_new(Token, ("}", start, "}")))
                    break
        elif group == "bracket":
            # ``[`` d ``]``, ``[`` d ``:`` ``]`` or ``[`` d ``:`` d ``]`` (d: number or duration)
            append(_new(Token, ("[", start, "[")))
            if lexer is None:
                lexer = _Lexer(text)
            colon = False
            while True:
                m = _FAST_RANGE.match(text, pos)
                if m is None or m.lastgroup != "number":
                    return None
                tok = _fast_number(lexer, m.start("number"))
                if tok is None:
                    return None
                append(tok)
                m = _FAST_RANGE.match(text, lexer.pos)
                assert m is not None
                ch = m.group("other")
                pos = m.end()
                if ch == ":" and not colon:
                    colon = True
                    append(_new(Token, (":", pos - 1, ":")))
                    m = _FAST_RANGE.match(text, pos)
                    assert m is not None
                    if m.group("other") == "]":
                        pos = m.end()
                        append(_new(Token, ("]", pos - 1, "]")))
                        break
                    continue
                if ch != "]":
                    return None
                append(_new(Token, ("]", pos - 1, "]")))
                break
        else:  # end of input
            if depth != 0:
                return None
            append(_new(Token, (EOF, len(text), "")))
            return out
