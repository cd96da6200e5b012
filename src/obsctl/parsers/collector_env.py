"""``${…}`` references expanded the way the collector's confmap does (``${env:NAME}``,
``${NAME:-default}``, ``$$`` escapes, other providers), reporting syntax problems instead of
failing; and ``.env`` files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from obsctl.model.collector import (
    Problem,
    YamlMap,
    YamlScalar,
)
from obsctl.parsers.collector_yaml import iter_scalars, resolve_plain_scalar

SUPPORTED_SCHEMES = frozenset({"env", "file", "yaml", "http", "https"})
"""Config providers compiled into the standard distributions."""

_ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", re.DOTALL)
_BARE_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ----------------------------------------------------------------------------- ${…} expansion


class EnvReference(NamedTuple):
    """One ``${…}`` reference found in a value."""

    start: int
    end: int
    scheme: str
    opaque: str
    raw: str


@dataclass(slots=True)
class ExpansionContext:
    """What expansion needs: the environment and the collected problems."""

    env: Mapping[str, str]
    strict: bool = False
    runtime: frozenset[str] = frozenset()
    """Variables set where the collector runs but unknown offline (a Helm chart's
    ``MY_POD_IP``): their values are unknown, not missing."""
    problems: list[Problem] = field(default_factory=list)
    unresolved: dict[str, list[tuple[YamlScalar, str]]] = field(default_factory=dict)
    references: int = 0


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start`` (nested ``${`` counted), or -1."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _problem(
    ctx: ExpansionContext,
    node: YamlScalar,
    path: str,
    rule: str,
    message: str,
    hint: str | None = None,
    severity: str = "",
) -> None:
    ctx.problems.append(
        Problem(rule, message, node.file, node.line, node.col, path, hint, severity)
    )


def _expand_string(
    text: str, node: YamlScalar, path: str, ctx: ExpansionContext, depth: int = 0
) -> tuple[str, bool, bool]:
    """Expand references in ``text``.

    Returns:
        (expanded text with ``$$`` kept for the caller, known, whole) where ``whole`` means
        the text was exactly one reference (its value keeps its YAML type).
    """
    out: list[str] = []
    known = True
    i = 0
    n = len(text)
    whole = False
    while i < n:
        ch = text[i]
        if ch != "$":
            j = text.find("$", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        run = i
        while run < n and text[run] == "$":
            run += 1
        count = run - i
        escaped = count // 2
        if run < n and text[run] == "{" and count % 2 == 1:
            out.append("$$" * escaped)
            ref_start = run - 1
            close = _find_close(text, ref_start)
            if close < 0:
                _problem(
                    ctx,
                    node,
                    path,
                    "OTC152",
                    f'unclosed "${{" in {_clip(text)}: the reference is left as written',
                    hint="close it with }, or write $${ for a literal ${",
                )
                out.append(text[ref_start:])
                known = False
                break
            inner = text[ref_start + 2 : close]
            value, ok = _resolve_reference(
                inner, text[ref_start : close + 1], node, path, ctx, depth
            )
            known = known and ok
            if ref_start == 0 and close == n - 1 and count == 1:
                whole = True
            out.append(value)
            i = close + 1
            continue
        if count % 2 == 1 and run < n and _BARE_VAR.match(text, run):
            name = _BARE_VAR.match(text, run)
            assert name is not None
            _problem(
                ctx,
                node,
                path,
                "OTC153",
                f"${name.group(0)} is not expanded by the collector (bare $VAR syntax was removed)",
                hint=f"write ${{env:{name.group(0)}}}, or $${name.group(0)} for a literal $",
            )
        out.append(text[i:run])
        i = run
    return "".join(out), known, whole


def _resolve_reference(
    inner: str, raw: str, node: YamlScalar, path: str, ctx: ExpansionContext, depth: int
) -> tuple[str, bool]:
    ctx.references += 1
    if depth > 20:
        _problem(ctx, node, path, "OTC151", f"too many recursive expansions in {raw}")
        return raw, False
    if "${" in inner:
        inner, known, _ = _expand_string(inner, node, path, ctx, depth + 1)
        if not known:
            return raw, False
    match = _SCHEME.match(inner)
    if match is None:
        scheme, opaque = "env", inner
    else:
        scheme, opaque = match.group(1), match.group(2)
    if scheme not in SUPPORTED_SCHEMES:
        if match is not None and not _ENV_NAME.match(inner.split(":", 1)[0]):
            pass
        _problem(
            ctx,
            node,
            path,
            "OTC150",
            f'scheme "{scheme}" is not supported for uri "{inner}"',
            hint="the standard distributions have env, file, yaml, http and https providers",
        )
        return raw, False
    if "$" in opaque:
        _problem(
            ctx,
            node,
            path,
            "OTC151",
            f"the uri \"{inner}\" contains unsupported characters ('$')",
        )
        return raw, False
    if scheme != "env":
        # file/http/https/yaml values are not read offline.
        return raw, False
    name, sep, default = opaque.partition(":-")
    if not _ENV_NAME.match(name):
        _problem(
            ctx,
            node,
            path,
            "OTC151",
            f'environment variable "{name}" has invalid name: must match regex '
            "^[a-zA-Z_][a-zA-Z0-9_]*$",
        )
        return raw, False
    if name in ctx.env:
        return ctx.env[name], True
    if name in ctx.runtime:
        return raw, False
    if sep:
        return default, True
    ctx.unresolved.setdefault(name, []).append((node, path))
    return "", False


def _clip(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def expand_env(root: YamlMap, ctx: ExpansionContext) -> None:
    """Expand ``${…}`` references in every value of ``root`` in place.

    A value that is exactly one reference takes the referenced value's YAML type (``${env:N}``
    with ``N=5`` is the integer 5); embedded references are substituted as text; ``$$`` becomes
    ``$`` afterwards. Values that cannot be known offline are marked ``known=False``.
    """
    for node, path in iter_scalars(root):
        if isinstance(node.value, str) and "$" in node.value:
            _expand_scalar(node, path, ctx)
    for name, uses in sorted(ctx.unresolved.items()):
        # One finding per variable, at its first use: a pod IP referenced ten times is one
        # problem, not ten.
        first, path = min(uses, key=lambda u: (u[0].file, u[0].line, u[0].col))
        more = f" (referenced {len(uses)} times)" if len(uses) > 1 else ""
        _problem(
            ctx,
            first,
            path,
            "OTC154",
            f"environment variable {name} is not set{more}: the collector will use an empty value",
            hint="pass --env-file, export it, or give a default: ${env:" + name + ":-value}",
            severity="error" if ctx.strict else "",
        )


def _expand_scalar(node: YamlScalar, path: str, ctx: ExpansionContext) -> None:
    text = node.value if isinstance(node.value, str) else ""
    expanded, known, whole = _expand_string(text, node, path, ctx)
    expanded = expanded.replace("$$", "$")
    node.known = known
    if not known:
        return
    if whole and not node.quoted:
        node.value = resolve_plain_scalar(expanded) if expanded.strip() else expanded
    else:
        node.value = expanded


def parse_env_file(text: str) -> dict[str, str]:
    """Parse a ``.env`` file: ``NAME=value`` lines, ``export`` prefix, quotes, ``#`` comments.

    >>> parse_env_file('export A=1\\nB="two words" # c\\n# x\\nC=\\'$x\\'')
    {'A': '1', 'B': 'two words', 'C': '$x'}
    """
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not _ENV_NAME.match(name):
            continue
        value = value.strip()
        if value[:1] in ("'", '"'):
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end > 0 else value[1:]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        env[name] = value
    return env
