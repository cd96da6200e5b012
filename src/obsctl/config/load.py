"""Pure config loading: YAML text + an environment mapping → ``Config``.

Errors become ``ConfigError`` with ``file:line``. ``${VAR}`` and ``${VAR:-default}`` are
substituted inside scalar values *after* YAML parsing (``$$`` is a literal ``$``), so a
variable's value can never inject YAML structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from obsctl.config.kinds import KINDS
from obsctl.config.schema import ENDPOINT_KINDS, FLAVORS, Config, Context, EndpointSpec
from obsctl.errors import ConfigError
from obsctl.model.findings import Location
from obsctl.model.time import TimeSyntaxError, parse_duration
from obsctl.model.units import parse_size
from obsctl.yaml_limits import SafeLoader

MAX_CONFIG_BYTES = 1 << 20
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ENDPOINT_KEYS = {
    "url",
    "flavor",
    "path_prefix",
    "tenant",
    "token",
    "token_env",
    "token_file",
    "username",
    "password",
    "password_env",
    "password_file",
    "headers",
    "cert_file",
    "key_file",
    "ca_file",
    "insecure_skip_verify",
    "timeout",
    "max_response_size",
}


def substitute_env(value: str, env: Mapping[str, str], *, where: Location) -> str:
    """Expand ``${VAR}`` / ``${VAR:-default}``; ``$$`` is a literal ``$``.

    >>> substitute_env("${A}-$${B}", {"A": "x"}, where=Location("f"))
    'x-${B}'

    Raises:
        ConfigError: an unset variable without default, or a value containing a newline.
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name, default = m.group(1), m.group(2)
        if name in env:
            result = env[name]
        elif default is not None:
            result = default
        else:
            raise ConfigError(f"environment variable {name} is not set", location=where)
        if "\n" in result or "\r" in result:
            raise ConfigError(f"environment variable {name} contains a newline", location=where)
        return result

    return _VAR.sub(repl, value)


class _Loader(SafeLoader):
    """Safe loader; node composition only (we walk nodes to keep line numbers)."""


def _loc(source: str, node: yaml.Node) -> Location:
    return Location(source, node.start_mark.line + 1, node.start_mark.column + 1)


def load_config(
    text: str, *, source: str, env: Mapping[str, str], substitute: bool = True
) -> Config:
    """Parse and validate a config file.

    Args:
        text: the file's contents.
        source: its path, for messages.
        env: environment for ``${VAR}`` substitution.
        substitute: expand ``${VAR}``; off when the file is loaded for editing, so that
            rewriting it keeps references instead of writing their (secret) values.

    Raises:
        ConfigError: with ``file:line`` for every problem.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigError("config file is larger than 1 MiB", location=Location(source))
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", location=loc) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", location=Location(source)) from exc
    if root is None:
        return Config()
    walker = _Walker(source, env, substitute)
    top = walker.mapping(root, "the config file")
    current: str | None = None
    contexts: dict[str, Context] = {}
    extra: dict[str, object] = {}
    for key, knode, vnode in top:
        if key in ("current-context", "current_context"):
            current = walker.scalar(vnode, key) or None
        elif key == "contexts":
            if isinstance(vnode, yaml.ScalarNode) and vnode.value in ("", "~", "null"):
                continue
            for name, cknode, cvnode in walker.mapping(vnode, "contexts"):
                contexts[name] = walker.context(name, cknode, cvnode)
        elif key == "validate":
            extra[key] = walker.validate_section(vnode)
        elif key in ("lint", "correlate", "query", "trace", "doctor"):
            extra[key] = walker.plain(vnode)
        else:
            raise ConfigError(
                f"unknown top-level key {key!r}",
                location=_loc(source, knode),
                hint="top-level keys: current-context, contexts, lint, validate, correlate, doctor",
            )
    if current is not None and current not in contexts:
        raise ConfigError(
            f"current-context {current!r} is not defined under contexts",
            location=Location(source, 1),
        )
    return Config(current_context=current, contexts=contexts, extra=extra)


class _Walker:
    def __init__(self, source: str, env: Mapping[str, str], substitute: bool) -> None:
        self.source = source
        self.env = env
        self.substitute = substitute

    def err(self, message: str, node: yaml.Node, hint: str | None = None) -> ConfigError:
        return ConfigError(message, location=_loc(self.source, node), hint=hint)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.err(f"{what} must be a mapping", node)
        seen: set[str] = set()
        items: list[tuple[str, yaml.Node, yaml.Node]] = []
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise self.err(f"keys in {what} must be strings", knode)
            key = str(knode.value)
            if key in seen:
                raise self.err(f"duplicate key {key!r} in {what}", knode)
            seen.add(key)
            items.append((key, knode, vnode))
        return items

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.err(f"{what} must be a single value", node)
        if not self.substitute:
            return str(node.value)
        return substitute_env(str(node.value), self.env, where=_loc(self.source, node))

    def plain(self, node: yaml.Node) -> Any:
        try:
            return yaml.load(yaml.serialize(node), Loader=_Loader)
        except yaml.YAMLError as exc:
            raise self.err(f"invalid value: {exc}", node) from exc

    def validate_section(self, node: yaml.Node) -> Any:
        """``validate:``: unknown keys are refused, as in ``lint:`` sections.

        ``obsctl validate`` reads no settings from the config file yet, so every key is
        unknown; the hint names the flag that does what the key was probably meant for.
        """
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return None
        for key, knode, _ in self.mapping(node, "validate"):
            flag = _closest(key.replace("_", "-"), set(VALIDATE_FLAGS))
            raise self.err(
                f"unknown key {key!r} in validate",
                knode,
                hint=f"did you mean the flag --{flag}? validate takes its settings as flags"
                if flag
                else "validate takes no settings from the config file: use its flags "
                "(obsctl validate --help)",
            )
        return {}

    def context(self, name: str, knode: yaml.Node, node: yaml.Node) -> Context:
        endpoints: dict[str, EndpointSpec] = {}
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return Context(name=name, line=knode.start_mark.line + 1)
        panels: tuple[str, ...] = ()
        for kind, eknode, evnode in self.mapping(node, f"context {name!r}"):
            if kind == "tui":
                panels = self.tui_section(evnode, f"contexts.{name}.tui")
                continue
            if kind not in ENDPOINT_KINDS:
                raise self.err(
                    f"unknown endpoint {kind!r} in context {name!r}",
                    eknode,
                    hint="endpoints: " + ", ".join(ENDPOINT_KINDS),
                )
            endpoints[kind] = self.endpoint(kind, evnode, f"contexts.{name}.{kind}")
        return Context(
            name=name, endpoints=endpoints, line=knode.start_mark.line + 1, panels=panels
        )

    def tui_section(self, node: yaml.Node, path: str) -> tuple[str, ...]:
        """A context's ``tui:`` section: ``panels``, a list of PromQL strings."""
        panels: list[str] = []
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return ()
        for key, knode, vnode in self.mapping(node, path):
            if key != "panels":
                raise self.err(f"unknown key {key!r} in {path}", knode, hint="keys: panels")
            if isinstance(vnode, yaml.ScalarNode) and vnode.value in ("", "~", "null"):
                continue
            if not isinstance(vnode, yaml.SequenceNode):
                raise self.err(f"{path}.panels must be a list of PromQL strings", vnode)
            for item in vnode.value:
                # PromQL as written: no ${VAR} substitution in a query.
                if not isinstance(item, yaml.ScalarNode):
                    raise self.err(f"{path}.panels: each panel is one PromQL string", item)
                expr = str(item.value)
                if not expr.strip():
                    raise self.err(f"{path}.panels: an empty expression", item)
                panels.append(expr)
        return tuple(panels)

    def endpoint(self, kind: str, node: yaml.Node, path: str) -> EndpointSpec:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            url = self.scalar(node, path)
            return EndpointSpec(url=self._url(kind, url, node, path), line=line)
        values: dict[str, Any] = {}
        for key, knode, vnode in self.mapping(node, path):
            if key not in _ENDPOINT_KEYS:
                close = _closest(key, _ENDPOINT_KEYS)
                raise self.err(
                    f"unknown key {key!r} in {path}",
                    knode,
                    hint=f"did you mean {close!r}?" if close else None,
                )
            if key == "headers":
                values[key] = tuple(
                    (hk, self.scalar(hv, f"{path}.headers.{hk}"))
                    for hk, _, hv in self.mapping(vnode, f"{path}.headers")
                )
            elif key == "insecure_skip_verify":
                raw = self.scalar(vnode, f"{path}.{key}").lower()
                if raw not in ("true", "false", "yes", "no"):
                    raise self.err(f"{path}.{key} must be true or false", vnode)
                values[key] = raw in ("true", "yes")
            elif key == "timeout":
                raw = self.scalar(vnode, f"{path}.timeout")
                try:
                    values[key] = parse_duration(raw).total_seconds()
                except TimeSyntaxError as exc:
                    raise self.err(f"{path}.timeout: {exc}", vnode) from None
            elif key == "max_response_size":
                raw = self.scalar(vnode, f"{path}.{key}")
                try:
                    size = parse_size(raw)
                except ValueError:
                    size = 0
                if size <= 0:
                    raise self.err(
                        f"{path}.{key}: {raw!r} is not a size",
                        vnode,
                        hint="write bytes or a unit: 200000000, 256MiB, 1GiB, 500MB",
                    )
                values[key] = size
            else:
                values[key] = self.scalar(vnode, f"{path}.{key}")
        if "url" not in values:
            raise self.err(f"{path} needs a url", node)
        values["url"] = self._url(kind, values["url"], node, path)
        if values.get("flavor", "auto") not in FLAVORS:
            raise self.err(f"{path}.flavor must be one of {', '.join(FLAVORS)}", node)
        if kind != "prometheus" and values.get("flavor", "auto") != "auto":
            raise self.err(f"{path}.flavor applies to prometheus endpoints only", node)
        for a, b in (
            ("token", "token_env"),
            ("token", "token_file"),
            ("token_env", "token_file"),
            ("password", "password_env"),
            ("password", "password_file"),
            ("password_env", "password_file"),
        ):
            if a in values and b in values:
                raise self.err(f"{path}: give only one of {a} and {b}", node)
        if ("cert_file" in values) != ("key_file" in values):
            raise self.err(f"{path}: cert_file and key_file go together (mTLS)", node)
        return EndpointSpec(line=line, **values)

    def _url(self, kind: str, url: str, node: yaml.Node, path: str) -> str:
        if not self.substitute and "$" in url:
            return url
        if KINDS[kind].locator == "path":
            if not url.strip():
                raise self.err(f"{path}: the path is empty", node)
            return url
        if not re.match(r"^https?://[^\s/]+", url):
            raise self.err(f"{path}: {url!r} is not an http(s) URL", node)
        return url.rstrip("/")


VALIDATE_FLAGS = (
    "fail-on",
    "distribution",
    "components",
    "feature-gates",
    "env-file",
    "strict-env",
    "otelcol",
    "graph",
    "output",
)
"""``obsctl validate`` options a ``validate:`` key may have been meant as."""


def _closest(word: str, options: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def dump_config(config: Config) -> str:
    """Serialise ``config`` back to YAML (used by ``config set-context``/``use-context``)."""
    return yaml.safe_dump(config_document(config), sort_keys=False, default_flow_style=False)


def config_document(config: Config) -> dict[str, Any]:
    """``config`` as the YAML document's plain data (what ``dump_config`` writes)."""
    doc: dict[str, Any] = {}
    if config.current_context:
        doc["current-context"] = config.current_context
    contexts: dict[str, Any] = {}
    for name, ctx in config.contexts.items():
        eps: dict[str, Any] = {}
        for kind, spec in ctx.endpoints.items():
            eps[kind] = _spec_to_doc(spec)
        if ctx.panels:
            eps["tui"] = {"panels": list(ctx.panels)}
        contexts[name] = eps
    doc["contexts"] = contexts
    doc.update(config.extra)
    return doc


def _spec_to_doc(spec: EndpointSpec) -> str | dict[str, Any]:
    out: dict[str, Any] = {}
    for name in spec.__dataclass_fields__:
        if name == "line":
            continue
        value = getattr(spec, name)
        default = EndpointSpec.__dataclass_fields__[name].default
        if value == default:
            continue
        if name == "headers":
            value = dict(value)
        if name == "timeout":
            value = f"{value:g}s"
        out[name] = value
    if list(out) == ["url"]:
        return str(out["url"])
    return out
