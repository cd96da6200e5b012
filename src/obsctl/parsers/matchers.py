"""Label matchers as users type them on the command line (amtool's grammar).

``name=value``, ``name!=value``, ``name=~regex``, ``name!~regex``; the value may be double
quoted (``\\"`` and ``\\\\`` escape inside quotes); a name may be double quoted for UTF-8
names (``"service.name"="checkout"``). A brace list ``{a="1", b=~"2"}`` is several matchers.
A bare word that is not a matcher means ``alertname=WORD``, as in amtool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from obsctl.errors import ParseError
from obsctl.model.alerts import Matcher
from obsctl.model.promql_ast import compile_matcher_regex
from obsctl.model.re2_syntax import error_text as regex_error_text

_NAME = r'(?:[a-zA-Z_][a-zA-Z0-9_]*|"(?:[^"\\]|\\.)*")'
_VALUE = r'(?:"(?:[^"\\]|\\.)*"|[^,"{}]*)'
_ONE = re.compile(rf"\s*({_NAME})\s*(=~|!~|!=|=)\s*({_VALUE})\s*")
_BARE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_:.\-]*")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text.strip()


def parse_matcher(text: str) -> Matcher:
    """One matcher.

    >>> parse_matcher('severity=~"page|critical"')
    Matcher(name='severity', op='=~', value='page|critical')
    >>> parse_matcher("HighLatency")
    Matcher(name='alertname', op='=', value='HighLatency')

    Raises:
        ParseError: not a matcher (exit 2), or an invalid regex.
    """
    m = _ONE.fullmatch(text)
    if m is None:
        if _BARE.fullmatch(text.strip()):
            return Matcher("alertname", "=", text.strip())
        raise ParseError(
            f"bad matcher {text!r}",
            hint='write name=value, name!=value, name=~"regex" or name!~"regex"',
        )
    name, op, value = _unquote(m.group(1)), m.group(2), _unquote(m.group(3))
    if op in ("=~", "!~"):
        # Alertmanager compiles it with Go's regexp: what RE2 refuses is refused here too.
        go_error = regex_error_text(value)
        if go_error is not None:
            raise ParseError(f"bad regex in matcher {text!r}: {go_error}")
        try:
            compile_matcher_regex(value)  # what Matcher.matches runs
        except re.error as exc:
            raise ParseError(f"bad regex in matcher {text!r}: {exc}") from None
    return Matcher(name, op, value)


def parse_matchers(args: Iterable[str]) -> tuple[Matcher, ...]:
    """Every matcher in ``args``; each argument is one matcher or a ``{…, …}`` list.

    >>> [str(m) for m in parse_matchers(['{job="api", env!="dev"}', "Down"])]
    ['job="api"', 'env!="dev"', 'alertname="Down"']
    """
    out: list[Matcher] = []
    for arg in args:
        text = arg.strip()
        if text.startswith("{") and text.endswith("}"):
            body = text[1:-1]
            pos = 0
            while pos < len(body):
                m = _ONE.match(body, pos)
                if m is None or (m.end() < len(body) and body[m.end()] != ","):
                    raise ParseError(f"bad matcher list {arg!r}")
                out.append(parse_matcher(m.group(0)))
                pos = m.end() + 1
        else:
            out.append(parse_matcher(text))
    return tuple(out)
