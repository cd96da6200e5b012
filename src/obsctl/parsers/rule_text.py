"""Guesses at a rule file's ``expr:`` values from its raw text, without reading the YAML.

Apart from the YAML reader (``parsers/rule_file.py``) so that work that starts before the
file is read, in a process of its own (``workflows/rules_split.py``), does not import it.
"""

from __future__ import annotations

import re

_KEY_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?")
_BLOCK_HEADER = re.compile(r"\|[-+]?")


def expression_candidates(text: str) -> list[str]:
    r"""The ``expr:`` values of a rule file's text as YAML most likely reads them, found
    without composing the YAML: one-line plain and quoted scalars and literal block scalars
    (``|``, ``|-``, ``|+``); other spellings are left out.

    Only a guess, for work that may start before the file is read (each candidate's facts,
    keyed by the exact text): a wrong or missing candidate costs time, never a result.

    >>> expression_candidates("- expr: up == 0\n  x: 1\n- expr: |\n    a\n    or b\n")
    ['up == 0', 'a\nor b\n']
    """
    found: list[str] = []
    size = len(text)
    at = text.find("expr:")
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        if line_end < 0:
            line_end = size
        key_col = at - line_start
        value = text[at + 5 : line_end].strip(" \t\r")
        if (
            value
            and text[at + 5] in " \t"
            and _KEY_PREFIX.fullmatch(text, line_start, at) is not None
        ):
            candidate = _candidate(text, value, key_col, line_end)
            if candidate is not None:
                found.append(candidate)
        at = text.find("expr:", line_end)
    return found


def _candidate(text: str, value: str, key_col: int, line_end: int) -> str | None:
    head = value[0]
    if head == "|":
        if _BLOCK_HEADER.fullmatch(value):
            return _literal_block(text, line_end + 1, key_col, value[1:])
        return None
    if head == '"':
        if len(value) > 1 and value[-1] == '"' and "\\" not in value:
            return value[1:-1]
        return None
    if head == "'":
        if len(value) > 1 and value[-1] == "'":
            return value[1:-1].replace("''", "'")
        return None
    if head in "#>[]{}&*!%@`,?:-" or " #" in value:
        return None
    if text.startswith(" " * (key_col + 1), line_end + 1):
        return None  # a plain scalar continued on the next line
    return value


def _literal_block(text: str, pos: int, key_col: int, chomp: str) -> str:
    lines: list[str] = []
    indent = -1
    size = len(text)
    while pos < size:
        end = text.find("\n", pos)
        if end < 0:
            end = size
        line = text[pos:end].removesuffix("\r")
        pos = end + 1
        stripped = line.lstrip(" ")
        if not stripped:
            lines.append("")
            continue
        col = len(line) - len(stripped)
        if indent < 0:
            indent = col
        if col <= key_col or col < indent:
            break
        lines.append(line[indent:])
    body = "\n".join(lines)
    if chomp == "+":
        return body + "\n" if lines else ""
    body = body.rstrip("\n")
    return body if chomp == "-" or not body else body + "\n"
