"""The PromQL lexer: token kinds, offsets and texts, and Prometheus's lexical error messages."""

from __future__ import annotations

import pytest

from obsctl.parsers.promql_lexer import Token, go_quote, go_rune, go_unicode, tokenize


def _stream(text: str) -> list[tuple[str, int, str]]:
    return [(t.kind, t.pos, t.text) for t in tokenize(text)]


# -- how tokens are named in "unexpected …" messages --------------------------------------------


@pytest.mark.parametrize(
    ("text", "desc"),
    [
        ("(", '"("'),
        ("{", '"{"'),
        ("[", '"["'),
        (",", '","'),
        ("+", "<op:+>"),
        ("and", "<op:and>"),
        ("atan2", "<op:atan2>"),
        ("sum", "<aggr:sum>"),
        ("by", "<by>"),
        ("step", '"step"'),
        ("start", '"start"'),
        ("foo", 'identifier "foo"'),
        ("abcdefghijk", 'identifier "abcdefghijk"'),  # identifiers are never cut
        ("a:b", 'metric identifier "a:b"'),
        (":", 'metric identifier ":"'),
        ("12", 'number "12"'),
        ("1234567890", 'number "1234567890"'),  # ten characters: whole
        ("12345678901", 'number "1234567890"...'),  # eleven: cut to ten
        ("5m", 'duration "5m"'),
        ('"s"', 'string "\\"s\\""'),
        ('"abcdefghij"', 'string "\\"abcdefghi"...'),
        ("# c", 'comment "# c"'),
    ],
)
def test_first_token_is_described_as_prometheus_does(text: str, desc: str) -> None:
    assert tokenize(text)[0].desc() == desc


def test_end_of_input_and_error_tokens_are_described() -> None:
    assert Token("EOF", 4, "").desc() == "end of input"
    assert Token("ERROR", 0, "boom").desc() == 'error "boom"'
    assert Token("SPACE", 0, " ").desc() == 'SPACE " "'  # a kind without a name: the kind


def test_token_end_is_its_offset_plus_its_length() -> None:
    assert Token("IDENTIFIER", 3, "abc").end == 6


# -- Go's quoting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "string", "rune"),
    [
        ('a"b', '"a\\"b"', "'a\"b'"),  # only the quote in use is escaped
        ("'", '"\'"', "'\\''"),
        ("a\\b", '"a\\\\b"', "'a\\\\b'"),
        ("\n\t\r\a\b\f\v", '"\\n\\t\\r\\a\\b\\f\\v"', "'\\n\\t\\r\\a\\b\\f\\v'"),
        ("\x01\x1f\x7f", '"\\x01\\x1f\\x7f"', "'\\x01\\x1f\\x7f'"),
        ("\udc80", '"\\x80"', "'\\ufffd'"),  # a byte that is not UTF-8
        ("\ud7ff", '"\\ud7ff"', "'\\ud7ff'"),  # just below the surrogates: not printable
        ("\ue000", '"\\ue000"', "'\\ue000'"),  # just above them: private use, not printable
        ("\xa0", '"\\u00a0"', "'\\u00a0'"),  # not printable
        ("\U000e0001", '"\\U000e0001"', "'\\U000e0001'"),  # not printable, past the BMP
        (" é~", '" é~"', "' é~'"),  # printable, kept
    ],
)
def test_go_quote_escapes_like_go(text: str, string: str, rune: str) -> None:
    assert go_quote(text) == string
    assert go_quote(text, "'") == rune


def test_go_rune_of_end_of_input_is_the_replacement_character() -> None:
    assert go_rune("") == "'\ufffd'"
    assert go_rune("x") == "'x'"
    assert go_rune("'") == "'\\''"


@pytest.mark.parametrize(
    ("ch", "text"),
    [("", "U+FFFFFFFFFFFFFFFF"), ("q", "U+0071 'q'"), ("\n", "U+000A"), ("é", "U+00E9 'é'")],
)
def test_go_unicode_names_code_point_and_printable_rune(ch: str, text: str) -> None:
    assert go_unicode(ch) == text


# -- token streams ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "sum by (job) (x)",
            [("sum", 0, "sum"), ("by", 4, "by"), ("(", 7, "("), ("IDENTIFIER", 8, "job"),
             (")", 11, ")"), ("(", 13, "("), ("IDENTIFIER", 14, "x"), (")", 15, ")"),
             ("EOF", 16, "")],
        ),
        ("SUM BY", [("sum", 0, "SUM"), ("by", 4, "BY"), ("EOF", 6, "")]),
        ("a:b:c", [("METRIC_IDENTIFIER", 0, "a:b:c"), ("EOF", 5, "")]),
        ("_a1", [("IDENTIFIER", 0, "_a1"), ("EOF", 3, "")]),
        ("Zz", [("IDENTIFIER", 0, "Zz"), ("EOF", 2, "")]),
        (
            "fill(0) fill",  # a keyword only before "("
            [("fill", 0, "fill"), ("(", 4, "("), ("NUMBER", 5, "0"), (")", 6, ")"),
             ("IDENTIFIER", 8, "fill"), ("EOF", 12, "")],
        ),
        (
            "fill_left (1) fill_right",
            [("fill_left", 0, "fill_left"), ("(", 10, "("), ("NUMBER", 11, "1"), (")", 12, ")"),
             ("IDENTIFIER", 14, "fill_right"), ("EOF", 24, "")],
        ),
        ("fill ", [("IDENTIFIER", 0, "fill"), ("EOF", 5, "")]),
        ("fill_left", [("IDENTIFIER", 0, "fill_left"), ("EOF", 9, "")]),
        (
            "x # XX y\n+1",  # a comment holds anything up to the end of its line
            [("IDENTIFIER", 0, "x"), ("COMMENT", 2, "# XX y"), ("+", 9, "+"), ("NUMBER", 10, "1"),
             ("EOF", 11, "")],
        ),
        (
            "a == b",
            [("IDENTIFIER", 0, "a"), ("==", 2, "=="), ("IDENTIFIER", 5, "b"), ("EOF", 6, "")],
        ),
        (
            "1 >= 2 != 3 </ 4 >/ 5 <= 6 < 7 > 8",
            [("NUMBER", 0, "1"), (">=", 2, ">="), ("NUMBER", 5, "2"), ("!=", 7, "!="),
             ("NUMBER", 10, "3"), ("</", 12, "</"), ("NUMBER", 15, "4"), (">/", 17, ">/"),
             ("NUMBER", 20, "5"), ("<=", 22, "<="), ("NUMBER", 25, "6"), ("<", 27, "<"),
             ("NUMBER", 29, "7"), (">", 31, ">"), ("NUMBER", 33, "8"), ("EOF", 34, "")],
        ),
        (
            "1*2/3%4^5-6@7",
            [("NUMBER", 0, "1"), ("*", 1, "*"), ("NUMBER", 2, "2"), ("/", 3, "/"),
             ("NUMBER", 4, "3"), ("%", 5, "%"), ("NUMBER", 6, "4"), ("^", 7, "^"),
             ("NUMBER", 8, "5"), ("-", 9, "-"), ("NUMBER", 10, "6"), ("@", 11, "@"),
             ("NUMBER", 12, "7"), ("EOF", 13, "")],
        ),
        (
            '{a=~"b",c!~"d",e!="f",g="h"}',
            [("{", 0, "{"), ("IDENTIFIER", 1, "a"), ("=~", 2, "=~"), ("STRING", 4, '"b"'),
             (",", 7, ","), ("IDENTIFIER", 8, "c"), ("!~", 9, "!~"), ("STRING", 11, '"d"'),
             (",", 14, ","), ("IDENTIFIER", 15, "e"), ("!=", 16, "!="), ("STRING", 18, '"f"'),
             (",", 21, ","), ("IDENTIFIER", 22, "g"), ("=", 23, "="), ("STRING", 24, '"h"'),
             ("}", 27, "}"), ("EOF", 28, "")],
        ),
        (
            "{ a = 'b' , `c` }",
            [("{", 0, "{"), ("IDENTIFIER", 2, "a"), ("=", 4, "="), ("STRING", 6, "'b'"),
             (",", 10, ","), ("STRING", 12, "`c`"), ("}", 16, "}"), ("EOF", 17, "")],
        ),
        (
            '{a="b" # c\n}',
            [("{", 0, "{"), ("IDENTIFIER", 1, "a"), ("=", 2, "="), ("STRING", 3, '"b"'),
             ("COMMENT", 7, "# c"), ("}", 11, "}"), ("EOF", 12, "")],
        ),
        (
            "foo # c\r\n+1",
            [("IDENTIFIER", 0, "foo"), ("COMMENT", 4, "# c"), ("+", 9, "+"), ("NUMBER", 10, "1"),
             ("EOF", 11, "")],
        ),
        ("#", [("COMMENT", 0, "#"), ("EOF", 1, "")]),
        (
            "x[5m:1m]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, "5m"), (":", 4, ":"),
             ("DURATION", 5, "1m"), ("]", 7, "]"), ("EOF", 8, "")],
        ),
        (
            "x[ 5m\t:\n1m ]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 3, "5m"), (":", 6, ":"),
             ("DURATION", 8, "1m"), ("]", 11, "]"), ("EOF", 12, "")],
        ),
        (
            "x[5m:]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, "5m"), (":", 4, ":"),
             ("]", 5, "]"), ("EOF", 6, "")],
        ),
        (
            "x[(1+2)*3-4/5%6^7,8]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("(", 2, "("), ("NUMBER", 3, "1"),
             ("+", 4, "+"), ("NUMBER", 5, "2"), (")", 6, ")"), ("*", 7, "*"), ("NUMBER", 8, "3"),
             ("-", 9, "-"), ("NUMBER", 10, "4"), ("/", 11, "/"), ("NUMBER", 12, "5"),
             ("%", 13, "%"), ("NUMBER", 14, "6"), ("^", 15, "^"), ("NUMBER", 16, "7"),
             (",", 17, ","), ("NUMBER", 18, "8"), ("]", 19, "]"), ("EOF", 20, "")],
        ),
        (
            "x[5m:Step()]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, "5m"), (":", 4, ":"),
             ("step", 5, "Step"), ("(", 9, "("), (")", 10, ")"), ("]", 11, "]"),
             ("EOF", 12, "")],
        ),
        (
            "x[range()] offset -1h @ .5",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("range", 2, "range"), ("(", 7, "("),
             (")", 8, ")"), ("]", 9, "]"), ("offset", 11, "offset"), ("-", 18, "-"),
             ("DURATION", 19, "1h"), ("@", 22, "@"), ("NUMBER", 24, ".5"), ("EOF", 26, "")],
        ),
        (
            "x[1m]offset 1m",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, "1m"), ("]", 4, "]"),
             ("offset", 5, "offset"), ("DURATION", 12, "1m"), ("EOF", 14, "")],
        ),
        (
            "x[1m:1m] [2m]",  # the colon is forgotten once the bracket closes
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, "1m"), (":", 4, ":"),
             ("DURATION", 5, "1m"), ("]", 7, "]"), ("[", 9, "["), ("DURATION", 10, "2m"),
             ("]", 12, "]"), ("EOF", 13, "")],
        ),
        (
            "x[ (1m) ]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("(", 3, "("), ("DURATION", 4, "1m"),
             (")", 6, ")"), ("]", 8, "]"), ("EOF", 9, "")],
        ),
        (
            "x[-1m]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("-", 2, "-"), ("DURATION", 3, "1m"),
             ("]", 5, "]"), ("EOF", 6, "")],
        ),
        (
            "x[step]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("step", 2, "step"), ("]", 6, "]"),
             ("EOF", 7, "")],
        ),
        (
            "x[.5m]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("DURATION", 2, ".5m"), ("]", 5, "]"),
             ("EOF", 6, "")],
        ),
        (
            "x[min_of(1m, 2m):max_of(3m, 4m)]",
            [("IDENTIFIER", 0, "x"), ("[", 1, "["), ("min_of", 2, "min_of"), ("(", 8, "("),
             ("DURATION", 9, "1m"), (",", 11, ","), ("DURATION", 13, "2m"), (")", 15, ")"),
             (":", 16, ":"), ("max_of", 17, "max_of"), ("(", 23, "("), ("DURATION", 24, "3m"),
             (",", 26, ","), ("DURATION", 28, "4m"), (")", 30, ")"), ("]", 31, "]"),
             ("EOF", 32, "")],
        ),
    ],
)  # fmt: skip
def test_token_stream_kinds_offsets_and_texts(
    text: str, tokens: list[tuple[str, int, str]]
) -> None:
    assert _stream(text) == tokens


@pytest.mark.parametrize(
    "text",
    ["0x1F", "0XaB", "0x_53_AB", "1e3", "1E-3", "1e+3", ".5", "1.", "1.5", "1_000", "1.2_3",
     "Inf", "NaN", "inf", "1.5e3"],
)  # fmt: skip
def test_numbers_are_one_token(text: str) -> None:
    assert _stream(text) == [("NUMBER", 0, text), ("EOF", len(text), "")]


@pytest.mark.parametrize(
    "text", ["5m", "1h30m", "1y2w", "10ms", "1d12h", "1s", "2w", "3y", "1h1s", "1m0ms"]
)
def test_durations_are_one_token(text: str) -> None:
    assert _stream(text) == [("DURATION", 0, text), ("EOF", len(text), "")]


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("5mx", "5mx"),
        ("1h30", "1h30"),
        ("1h30x", "1h30"),  # the text read up to the break
        ("1e", "1e"),
        ("1__0", "1__"),
        ("1_.0", "1_."),
        ("1_", "1_"),
        ("1._5", "1._"),
        ("1..2", "1.."),
        ("1.2.3", "1.2."),
        ("1e3e4", "1e3e"),
        ("1e+", "1e+"),
        ("1e_5", "1e_"),
        ("1x", "1"),
        ("0x1.5", "0x1."),
        ("12a", "12"),
        ("1X", "1"),  # any letter ends the text: X is no exponent, no base prefix here
        ("1eX", "1e"),
        ("1_X", "1_"),
        ("0xX1", "0x"),
    ],
)
def test_bad_numbers_and_durations_name_the_bad_text(text: str, bad: str) -> None:
    assert _stream(text) == [("ERROR", 0, f'bad number or duration syntax: "{bad}"')]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("$", (0, "unexpected character: '$'")),
        ("up )", (4, "unexpected right parenthesis ')'")),
        ("(up", (3, "unclosed left parenthesis")),
        ("x[5m", (4, "unclosed left bracket")),
        ("x[5m[", (4, "unexpected left bracket '['")),
        ("x]", (1, "unexpected right bracket ']'")),
        ("a!b", (1, "unexpected character after '!': 'b'")),
        ("a!", (1, "unexpected character after '!': '\ufffd'")),
        ("a=~b", (1, "unexpected character after '=': '~'")),
        ("{a", (2, "unexpected end of input inside braces")),
        ("{a!}", (2, "unexpected character after '!' inside braces: '}'")),
        ("{a!", (2, "unexpected character after '!' inside braces: '\ufffd'")),
        ("{a{", (2, "unexpected left brace '{'")),
        ("{a$}", (2, "unexpected character inside braces: '$'")),
        ("x[5m$]", (4, "unexpected character: '$'")),
        ("x[5m:1m:1m]", (7, "unexpected colon ':'")),
        ("x[:1m]", (3, "unexpected colon before duration in duration expression")),
        ("x[(1m)]]", (7, "unexpected right bracket ']'")),
        ("x[1m))", (5, "unexpected right parenthesis ')'")),
        ("x[(1m))", (7, "unexpected right parenthesis ')'")),
        ("x[)", (3, "unexpected right parenthesis ')'")),
        ("x[1m+", (5, "unclosed left bracket")),
        ("x[1m:1m", (7, "unclosed left bracket")),
        ("x[1m+$", (5, "unexpected character: '$'")),
        ("x[", (2, "unexpected end of input in duration expression")),
        ("x[(", (3, "unexpected end of input in duration expression")),
        ("x[$", (2, "unexpected character in duration expression: '$'")),
        ("x[.m]", (2, "unexpected character in duration expression: '.'")),
        ("x[sx", (2, "unexpected character in duration expression: 's'")),
        ("x[rang]", (2, "unexpected character in duration expression: 'r'")),
        ("x[1m:s]", (5, "unexpected character: 's', expected ':'")),
        ("x[1m:mi]", (5, "unexpected character: 'm', expected ':'")),
        ("x[1m:rate]", (5, "unexpected character: 'r', expected ':'")),
        ('"abc', (0, "unterminated quoted string")),
        ('"ab\nc"', (0, "unterminated quoted string")),
        ("'a\\'", (0, "unterminated quoted string")),
        ("`abc", (0, "unterminated raw string")),
        ('"\\q"', (0, "unknown escape sequence U+0071 'q'")),
        ('"\\', (0, "escape sequence not terminated")),
        ('"\\x4', (0, "escape sequence not terminated")),
        ('"\\x4g"', (0, "illegal character U+0067 'g' in escape sequence")),
        ('"\\u12"', (0, "illegal character U+0022 '\"' in escape sequence")),
        ('"\\U0011000"', (0, "illegal character U+0022 '\"' in escape sequence")),
        ('"\\08"', (0, "illegal character U+0038 '8' in escape sequence")),
        ('"\\777"', (0, "escape sequence is an invalid Unicode code point")),
        ('"\\400"', (0, "escape sequence is an invalid Unicode code point")),  # 256: one past
        ('"\\500"', (0, "escape sequence is an invalid Unicode code point")),  # 5 is octal too
        ('"\\ud800"', (0, "escape sequence is an invalid Unicode code point")),
        ('"\\udfff"', (0, "escape sequence is an invalid Unicode code point")),
        ('"\\U00110000"', (0, "escape sequence is an invalid Unicode code point")),
        ('"a\udc80"', (0, "invalid UTF-8 rune")),
        ('"\\n\udc80"', (0, "invalid UTF-8 rune")),
        ("`a\udc80`", (0, "invalid UTF-8 rune")),
    ],
)
def test_lexical_errors_have_prometheus_message_and_offset(
    text: str, error: tuple[int, str]
) -> None:
    tokens = tokenize(text)
    assert tokens[-1].kind == "ERROR"
    assert (tokens[-1].pos, tokens[-1].text) == error


@pytest.mark.parametrize(
    "text",
    [
        '"\\a\\b\\f\\n\\r\\t\\v\\\\\\""',
        "'\\''",
        '"\\101\\x41\\u0041\\U00000041"',
        '"\\377"',
        '"\\ud7ff\\ue000\\U0010ffff"',
        "'\"'",
        '"\'"',
        "`a\\qb\"'`",
        '"é"',
    ],
)
def test_valid_strings_and_escapes_are_one_token(text: str) -> None:
    assert _stream(text) == [("STRING", 0, text), ("EOF", len(text), "")]


def test_unterminated_string_points_at_its_quote_after_other_tokens() -> None:
    assert _stream('up{a="b') == [
        ("IDENTIFIER", 0, "up"),
        ("{", 2, "{"),
        ("IDENTIFIER", 3, "a"),
        ("=", 4, "="),
        ("ERROR", 5, "unterminated quoted string"),
    ]


# -- one bracket after another --------------------------------------------------------------------
# Prometheus's lexer (promql/parser/lex.go) resets "got a colon" at every "[" but "got a
# duration" only for a histogram's buckets in the test-series notation, never for a range: a
# colon first in a later bracket is then no lexical error, and the parser reports it instead
# (its rule ``expr LEFT_BRACKET error``, which names the colon).


def test_colon_first_in_a_later_bracket_is_left_to_the_parser_as_prometheus_does() -> None:
    from obsctl.parsers.promql_parser import PromQLParseError, parse_expr

    text = "a[5m] + b[:1m]"
    assert _stream(text) == [
        ("IDENTIFIER", 0, "a"),
        ("[", 1, "["),
        ("DURATION", 2, "5m"),
        ("]", 4, "]"),
        ("+", 6, "+"),
        ("IDENTIFIER", 8, "b"),
        ("[", 9, "["),
        (":", 10, ":"),
        ("DURATION", 11, "1m"),
        ("]", 13, "]"),
        ("EOF", 14, ""),
    ]
    with pytest.raises(PromQLParseError) as info:
        parse_expr(text)
    first = info.value.first
    assert (first.pos.start, first.pos.end, first.message) == (
        10,
        11,
        'unexpected ":" in subquery or range selector, expected number, duration, step(), '
        "or range()",
    )


def test_colon_first_in_the_first_bracket_is_a_lexical_error() -> None:
    assert _stream("b[:1m] + a[5m]") == [
        ("IDENTIFIER", 0, "b"),
        ("[", 1, "["),
        ("ERROR", 3, "unexpected colon before duration in duration expression"),
    ]


def test_subquery_colon_is_forgotten_at_the_next_bracket() -> None:
    # "[" forgets the colon of the subquery before it: the second range may have its own.
    assert _stream("a[5m:1m] + b[1h:]") == [
        ("IDENTIFIER", 0, "a"),
        ("[", 1, "["),
        ("DURATION", 2, "5m"),
        (":", 4, ":"),
        ("DURATION", 5, "1m"),
        ("]", 7, "]"),
        ("+", 9, "+"),
        ("IDENTIFIER", 11, "b"),
        ("[", 12, "["),
        ("DURATION", 13, "1h"),
        (":", 15, ":"),
        ("]", 16, "]"),
        ("EOF", 17, ""),
    ]


def test_second_colon_in_a_later_bracket_is_still_refused() -> None:
    assert _stream("a[1m] + b[1m::1m]")[-1] == ("ERROR", 13, "unexpected colon ':'")
    # Two colons before any number: the second is refused in the duration expression.
    assert _stream("a[1m] + b[::]")[-1] == (
        "ERROR",
        12,
        "unexpected repeated colon in duration expression",
    )


def test_offset_and_at_after_ranges_read_plain_durations_and_numbers() -> None:
    assert _stream("rate(a[5m:1m] offset 1h)[1h:] offset 2m @ 10") == [
        ("IDENTIFIER", 0, "rate"),
        ("(", 4, "("),
        ("IDENTIFIER", 5, "a"),
        ("[", 6, "["),
        ("DURATION", 7, "5m"),
        (":", 9, ":"),
        ("DURATION", 10, "1m"),
        ("]", 12, "]"),
        ("offset", 14, "offset"),
        ("DURATION", 21, "1h"),
        (")", 23, ")"),
        ("[", 24, "["),
        ("DURATION", 25, "1h"),
        (":", 27, ":"),
        ("]", 28, "]"),
        ("offset", 30, "offset"),
        ("DURATION", 37, "2m"),
        ("@", 40, "@"),
        ("NUMBER", 42, "10"),
        ("EOF", 44, ""),
    ]
