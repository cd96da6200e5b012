"""Convert the ``testExpr`` cases of Prometheus's ``promql/parser/parse_test.go`` to JSON.

Usage:
    python scripts/promql_cases_from_go.py PARSE_TEST_GO COMMIT \
        > tests/data/promql/parse_test_cases.json
    python scripts/promql_cases_from_go.py --lex LEX_TEST_GO COMMIT \
        > tests/data/promql/lex_test_cases.json
    python scripts/promql_cases_from_go.py --pretty PRETTIER_TEST_GO COMMIT \
        > tests/data/promql/prettier_test_cases.json
    python scripts/promql_cases_from_go.py --printer PRINTER_TEST_GO COMMIT \
        > tests/data/promql/printer_test_cases.json

Each case keeps the input, whether Prometheus refuses it, the kind of the expected top-level
node and the expected errors (byte offsets, as Prometheus reports them; at most the first five,
with the total count). Inputs holding bytes that are not UTF-8 are decoded with
``surrogateescape`` (JSON ``\\udcXX``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

_GO_SIMPLE_ESC = {
    "a": b"\a",
    "b": b"\b",
    "f": b"\f",
    "n": b"\n",
    "r": b"\r",
    "t": b"\t",
    "v": b"\v",
    "\\": b"\\",
    '"': b'"',
    "'": b"'",
}


def _skip_string(src: str, i: int) -> int:
    """Index just past the Go string/rune literal starting at ``i``."""
    q = src[i]
    j = i + 1
    if q == "`":
        return src.index("`", j) + 1
    while src[j] != q:
        j += 2 if src[j] == "\\" else 1
    return j + 1


def _go_string_bytes(lit: str) -> bytes:
    if lit[0] == "`":
        return lit[1:-1].replace("\r", "").encode()
    body = lit[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _GO_SIMPLE_ESC:
            out += _GO_SIMPLE_ESC[nxt]
            i += 2
        elif nxt == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif nxt in "01234567":
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif nxt == "u":
            out += chr(int(body[i + 2 : i + 6], 16)).encode()
            i += 6
        elif nxt == "U":
            out += chr(int(body[i + 2 : i + 10], 16)).encode()
            i += 10
        else:
            raise ValueError(f"escape {nxt!r} in {lit!r}")
    return bytes(out)


_SPECIAL = {
    "fmt.Sprintf(`foo @ %f`, float64(math.MaxInt64)+1)": b"foo @ 9223372036854775808.000000",
    "fmt.Sprintf(`foo @ %f`, float64(math.MinInt64)-1)": b"foo @ -9223372036854775808.000000",
}


def _eval(expr: str) -> bytes:
    """Evaluate a Go string expression: literals, ``+`` and ``strings.Repeat``."""
    expr = expr.strip()
    if expr in _SPECIAL:
        return _SPECIAL[expr]
    out = b""
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch in " \t\n+":
            i += 1
        elif ch in '"`':
            j = _skip_string(expr, i)
            out += _go_string_bytes(expr[i:j])
            i = j
        elif expr.startswith("strings.Repeat(", i):
            j = _matching(expr, i + len("strings.Repeat"))
            inner = expr[i + len("strings.Repeat(") : j]
            arg, count = inner.rsplit(",", 1)
            out += _eval(arg) * int(count)
            i = j + 1
        else:
            raise ValueError(f"cannot evaluate Go expression {expr[:80]!r}")
    return out


def _matching(src: str, i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    depth = 0
    j = i
    while True:
        ch = src[j]
        if ch in "\"`'":
            j = _skip_string(src, j)
            continue
        if src.startswith("//", j):
            j = src.index("\n", j)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return j
        j += 1


def _field_expr(entry: str, name: str) -> str | None:
    """The Go expression after ``name:`` at the entry's top level."""
    m = re.search(rf"^\t\t{name}:\s*", entry, re.M)
    if not m:
        return None
    i = m.end()
    j = i
    while True:
        ch = entry[j]
        if ch in "\"`'":
            j = _skip_string(entry, j)
            continue
        if ch in "([{":
            j = _matching(entry, j) + 1
            continue
        if ch == "," and entry[j + 1] == "\n":
            return entry[i:j]
        if ch == "\n" and entry[i:j].strip() and not entry[i:j].rstrip().endswith("+"):
            return entry[i:j]
        j += 1


def _errors(entry: str) -> tuple[list[dict[str, Any]], int]:
    if "repeatError(" in entry:
        # The deeply nested case: 10000 empty-selector errors, then 1000 subquery errors.
        return (
            [
                {
                    "start": 2,
                    "end": 4,
                    "message": "vector selector must contain at least one non-empty matcher",
                }
            ],
            11000,
        )
    found = []
    error_at = re.compile(
        r"PositionRange\{(?:Start: (\d+),?\s*)?(?:End: (\d+))?\},\s*(?://[^\n]*\n\s*)?Err:\s*"
    )
    for m in error_at.finditer(entry):
        rest = entry[m.end() :]
        if rest.startswith("errors.New("):
            close = _matching(rest, len("errors.New"))
            message = _eval(rest[len("errors.New(") : close]).decode()
        elif rest.startswith("fmt.Errorf("):
            call = rest[: _matching(rest, len("fmt.Errorf")) + 1]
            if "math.MaxInt64" in call:
                message = "timestamp out of bounds for @ modifier: 9223372036854775808.000000"
            elif "math.MinInt64" in call:
                message = "timestamp out of bounds for @ modifier: -9223372036854775808.000000"
            else:
                raise ValueError(call)
        else:
            raise ValueError(rest[:60])
        start, end = int(m.group(1) or 0), int(m.group(2) or 0)
        found.append({"start": start, "end": end, "message": message})
    return found, len(found)


def convert(src: str) -> list[dict[str, Any]]:
    start = src.index("var testExpr = []struct {")
    body_open = src.index("}{", start) + 1
    body_close = _matching(src, body_open)
    i = body_open + 1
    cases = []
    while i < body_close:
        ch = src[i]
        if src.startswith("//", i):
            i = src.index("\n", i)
            continue
        if ch != "{":
            i += 1
            continue
        j = _matching(src, i)
        entry = src[i : j + 1]
        i = j + 1
        raw = _field_expr(entry, "input")
        if raw is None:
            raise ValueError(entry[:200])
        text = _eval(raw).decode("utf-8", "surrogateescape")
        fail = re.search(r"^\t\tfail:\s*true", entry, re.M) is not None
        case: dict[str, Any] = {"input": text, "fail": fail}
        kind = re.search(r"^\t\texpected:\s*&(\w+)\{", entry, re.M)
        if kind:
            case["expected"] = kind.group(1)
        if fail:
            errors, count = _errors(entry)
            case["errors"] = errors[:5]
            case["error_count"] = count
        cases.append(case)
    return cases


_ITEM = re.compile(r'\{([A-Z0-9_]+), (\d+), ("(?:[^"\\]|\\.)*"|`[^`]*`)\}')
# Go item types -> obsctl.parsers.promql_lexer token kinds.
_KINDS = {
    "COMMA": ",", "LEFT_PAREN": "(", "RIGHT_PAREN": ")", "LEFT_BRACE": "{", "RIGHT_BRACE": "}",
    "LEFT_BRACKET": "[", "RIGHT_BRACKET": "]", "COLON": ":", "EQL": "=", "ADD": "+", "SUB": "-",
    "MUL": "*", "DIV": "/", "MOD": "%", "POW": "^", "AT": "@", "EQLC": "==", "NEQ": "!=",
    "LSS": "<", "LTE": "<=", "GTR": ">", "GTE": ">=", "EQL_REGEX": "=~", "NEQ_REGEX": "!~",
    "LAND": "and", "LOR": "or", "LUNLESS": "unless",
}  # fmt: skip


def convert_lex(src: str) -> list[dict[str, Any]]:
    """Cases of ``lex_test.go`` (series descriptions left out: obsctl does not lex them)."""
    start = src.index("var tests = []struct {")
    body_open = src.index("}{", start) + 1
    src = src[: _matching(src, body_open)]
    cases = []
    for m in re.finditer(r"\binput:\s*", src):
        i = m.end()
        j = i
        while src[j] not in ",\n":
            j = _skip_string(src, j) if src[j] in '"`' else j + 1
        entry_end = src.find("\n\t\t\t}", j)
        entry = src[m.start() : entry_end]
        if "seriesDesc: true" in entry:
            continue
        text = _eval(src[i:j]).decode("utf-8", "surrogateescape")
        fail = re.search(r"\bfail:\s*true", entry) is not None
        expected = []
        if not fail:
            block = entry[entry.find("expected:") :]
            for typ, pos, lit in _ITEM.findall(block):
                kind = _KINDS.get(typ, typ.lower() if typ not in _PLAIN else typ)
                expected.append([kind, int(pos), _eval(lit).decode()])
        cases.append({"input": text, "fail": fail, "tokens": expected})
    return cases


_PLAIN = {"IDENTIFIER", "METRIC_IDENTIFIER", "NUMBER", "DURATION", "STRING", "COMMENT", "ERROR"}


def convert_pretty(src: str) -> list[dict[str, str]]:
    """``in``/``out`` pairs of ``prettier_test.go`` (every test there sets the width to 10)."""
    cases = []
    for m in re.finditer(r"\bin:\s*", src):
        i = m.end()
        j = i
        while src[j] not in ",\n":
            j = _skip_string(src, j) if src[j] in '"`' else j + 1
        text = _eval(src[i:j]).decode()
        out = re.compile(r"\s*out:\s*").match(src, j + 1)
        if out is None:
            cases.append({"in": text, "out": text})  # printer_test.go: no out means unchanged
            continue
        k = out.end()
        end = k
        while src[end] not in ",\n":
            end = _skip_string(src, end) if src[end] in '"`' else end + 1
        cases.append({"in": text, "out": _eval(src[k:end]).decode()})
    return cases


def main() -> None:
    if sys.argv[1] == "--printer":
        src = Path(sys.argv[2]).read_text()
        start = src.index("func TestExprString(")
        body = src[start : src.index("\nfunc ", start + 1)]
        printer_doc = {
            "source": "https://github.com/prometheus/prometheus/blob/"
            f"{sys.argv[3]}/promql/parser/printer_test.go (TestExprString)",
            "licence": "Apache-2.0, Copyright The Prometheus Authors",
            "converted_by": "scripts/promql_cases_from_go.py --printer",
            "cases": convert_pretty(body),
        }
        json.dump(printer_doc, sys.stdout, indent=1, ensure_ascii=True)
        sys.stdout.write("\n")
        return
    if sys.argv[1] == "--pretty":
        pretty_doc = {
            "source": "https://github.com/prometheus/prometheus/blob/"
            f"{sys.argv[3]}/promql/parser/prettier_test.go",
            "licence": "Apache-2.0, Copyright The Prometheus Authors",
            "converted_by": "scripts/promql_cases_from_go.py --pretty",
            "width": 10,
            "cases": convert_pretty(Path(sys.argv[2]).read_text()),
        }
        json.dump(pretty_doc, sys.stdout, indent=1, ensure_ascii=True)
        sys.stdout.write("\n")
        return
    if sys.argv[1] == "--lex":
        src = Path(sys.argv[2]).read_text()
        lex_doc = {
            "source": "https://github.com/prometheus/prometheus/blob/"
            f"{sys.argv[3]}/promql/parser/lex_test.go (var tests)",
            "licence": "Apache-2.0, Copyright The Prometheus Authors",
            "converted_by": "scripts/promql_cases_from_go.py --lex",
            "positions": "byte offsets into input (UTF-8)",
            "cases": convert_lex(src),
        }
        json.dump(lex_doc, sys.stdout, indent=1, ensure_ascii=True)
        sys.stdout.write("\n")
        return
    src = Path(sys.argv[1]).read_text()
    commit = sys.argv[2]
    doc = {
        "source": "https://github.com/prometheus/prometheus/blob/"
        f"{commit}/promql/parser/parse_test.go (var testExpr)",
        "licence": "Apache-2.0, Copyright The Prometheus Authors",
        "converted_by": "scripts/promql_cases_from_go.py",
        "positions": "byte offsets into input (UTF-8), end exclusive",
        "cases": convert(src),
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
