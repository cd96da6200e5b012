"""Config I/O: which file, reading it, secrets from env/files, flag > env > context > default.

The only config code that touches the file system or ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from obsctl.config.kinds import KINDS
from obsctl.config.schema import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_URLS,
    ENDPOINT_KINDS,
    Config,
    Endpoint,
    EndpointSpec,
    Secret,
    Settings,
)
from obsctl.errors import ConfigError
from obsctl.model.findings import Location

if TYPE_CHECKING:
    from obsctl.config.lint import LintSettings

APP_NAME = "obsctl"


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/obsctl/config.yaml`` (``~/.config/obsctl`` on Linux)."""
    env = os.environ if env is None else env
    if os.name == "nt":  # pragma: no cover - platform specific
        base = Path(env.get("APPDATA", Path.home()))
    elif (Path.home() / "Library" / "Application Support").is_dir() and not env.get(
        "XDG_CONFIG_HOME"
    ):  # pragma: no cover - macOS
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / APP_NAME / "config.yaml"


def config_path(explicit: str | None) -> tuple[Path, bool]:
    """The config file to use and whether ``--config`` named it.

    ``explicit`` folds ``--config`` and ``OBSCTL_CONFIG`` (Click reads the envvar). A file named
    by ``--config`` must exist; one named by ``OBSCTL_CONFIG`` may not exist yet (it is
    created by ``config set-context``), like the default location.
    """
    if explicit:
        return Path(explicit).expanduser(), explicit != os.environ.get("OBSCTL_CONFIG")
    return default_config_path(), False


def load_config_file(explicit: str | None, *, substitute: bool = True) -> tuple[Config, str]:
    """Read and parse the config file; a missing default file is an empty config.

    ``substitute=False`` keeps ``${VAR}`` references verbatim (for editing the file).

    Raises:
        ConfigError: unreadable or invalid file, or an explicitly named file that is missing.
    """
    path, named = config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if named:
            raise ConfigError(
                f"config file {path} does not exist",
                hint="create one with `obsctl config set-context NAME --prometheus-url URL`",
            ) from None
        return Config(), str(path)
    except UnicodeDecodeError:
        raise ConfigError("config file is not UTF-8 text", location=Location(str(path))) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    from obsctl.config.load import load_config  # yaml: ~16 ms, only when a file exists

    return load_config(text, source=str(path), env=os.environ, substitute=substitute), str(path)


def write_config_file(config: Config, path: str, *, rename: tuple[str, str] | None = None) -> None:
    """Write ``config`` to ``path`` atomically with mode 0600. Over an existing file, the
    user's comments, key order and quoting are kept (``config.roundtrip``); ``rename`` is a
    context renamed from its first name to its second."""
    from obsctl.config.load import config_document, dump_config

    target = Path(path)
    try:
        old_text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        old_text = None
    text = None
    if old_text is not None and old_text.strip():
        from obsctl.config.roundtrip import merge_into_text

        text = merge_into_text(old_text, config_document(config), rename)
    if text is None:
        text = dump_config(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.chmod(0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_secret_file(path: str, *, what: str) -> str:
    """Read a secret from a file (whitespace stripped); errors never echo the contents."""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}") from None


def _secret(
    literal: str | None, env_name: str | None, file: str | None, *, what: str, where: str
) -> Secret | None:
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise ConfigError(
                f"{where}: {what} environment variable {env_name} is not set",
                hint=f"export {env_name}=… or change {where}",
            )
        return Secret(value, f"env {env_name}")
    if file:
        return Secret(read_secret_file(file, what=what), f"file {file}")
    if literal:
        return Secret(literal, "literal")
    return None


def resolve_endpoint(
    kind: str,
    spec: EndpointSpec | None,
    *,
    context: str | None,
    flag_url: str | None,
    env: Mapping[str, str],
) -> Endpoint:
    """Apply flag > env > context > default for one endpoint and load its secrets.

    ``flag_url`` is the value of the kind's option (``--tempo-url``, ``--store`` …), which
    Click also fills from the kind's environment variable.
    """
    spec_of_kind = KINDS[kind]
    env_name = spec_of_kind.env

    def clean(value: str) -> str:
        return value.rstrip("/") if spec_of_kind.locator == "url" else value

    where = f"context {context!r} {kind}" if context else kind
    base = Endpoint(
        kind=kind,
        url=DEFAULT_URLS.get(kind, "")
        or (str(default_store_path(env)) if spec_of_kind.locator == "path" else ""),
        source="default",
        configured=False,
        context=context,
    )
    if spec is not None:
        base = Endpoint(
            kind=kind,
            url=spec.url,
            source=f"context {context}",
            configured=True,
            context=context,
            flavor=spec.flavor,
            path_prefix=spec.path_prefix,
            tenant=spec.tenant,
            token=_secret(spec.token, spec.token_env, spec.token_file, what="token", where=where),
            username=spec.username,
            password=_secret(
                spec.password, spec.password_env, spec.password_file, what="password", where=where
            ),
            headers=spec.headers,
            cert_file=spec.cert_file,
            key_file=spec.key_file,
            ca_file=spec.ca_file,
            insecure_skip_verify=spec.insecure_skip_verify,
            timeout=spec.timeout or DEFAULT_TIMEOUT,
            max_response_bytes=spec.max_response_size or DEFAULT_MAX_RESPONSE_BYTES,
        )
    # Flags and OBSCTL_*_URL arrive through the same Click option; tell them apart for messages.
    if flag_url:
        source = f"env {env_name}" if env.get(env_name) == flag_url else "flag"
        base = replace(base, url=clean(flag_url), source=source, configured=True)
    elif env.get(env_name):
        base = replace(base, url=clean(env[env_name]), source=f"env {env_name}", configured=True)
    return base


def resolve_settings(
    *,
    config_path: str | None,
    context: str | None,
    url_flags: Mapping[str, str | None],
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Everything commands need, resolved from the config file, the environment and flags.

    ``url_flags`` maps a kind's name to the value of its option (``None``: not given).

    Raises:
        ConfigError: bad file, unknown context, missing secret.
    """
    env = os.environ if env is None else env
    config, path = load_config_file(config_path)
    name = context or config.current_context
    ctx = None
    if name is not None:
        ctx = config.contexts.get(name)
        if ctx is None:
            known = ", ".join(sorted(config.contexts)) or "none defined"
            raise ConfigError(
                f"unknown context {name!r} (known: {known})",
                hint="list them with `obsctl config get-contexts`",
            )
    elif len(config.contexts) == 1:
        # One context and no current-context: use it rather than silently ignoring it.
        name, ctx = next(iter(config.contexts.items()))
    endpoints = {
        kind: resolve_endpoint(
            kind,
            ctx.endpoints.get(kind) if ctx else None,
            context=name,
            flag_url=url_flags.get(kind),
            env=env,
        )
        for kind in ENDPOINT_KINDS
    }
    return Settings(
        context=name,
        endpoints=endpoints,
        config_path=path,
        extra=config.extra,
        panels=ctx.panels if ctx else (),
    )


# ----------------------------------------------------------------------- capabilities cache


def capabilities_path(env: Mapping[str, str] | None = None) -> Path:
    """Where ``doctor`` records detected capabilities (``$XDG_CACHE_HOME/obsctl``)."""
    env = os.environ if env is None else env
    base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / APP_NAME / "capabilities.json"


def _cap_key(endpoint: Endpoint) -> str:
    return f"{endpoint.kind} {endpoint.base_url}"


def save_capabilities(
    endpoint: Endpoint, *, flavor: str | None, capabilities: Mapping[str, bool]
) -> None:
    """Record what ``doctor`` detected for ``endpoint``; failures to write are ignored."""
    import json

    path = capabilities_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(doc, dict):
            doc = {}
    except (OSError, ValueError):
        doc = {}
    doc[_cap_key(endpoint)] = {"flavor": flavor, "capabilities": dict(capabilities)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1, sort_keys=True), encoding="utf-8")
    except OSError:
        pass  # a read-only home must not fail doctor


def load_capabilities(endpoint: Endpoint) -> tuple[str | None, dict[str, bool]]:
    """What ``doctor`` last recorded for ``endpoint``: (flavor, capabilities)."""
    import json

    try:
        doc = json.loads(capabilities_path().read_text(encoding="utf-8"))
        entry = doc.get(_cap_key(endpoint)) if isinstance(doc, dict) else None
    except (OSError, ValueError):
        return None, {}
    if not isinstance(entry, dict):
        return None, {}
    caps = entry.get("capabilities")
    flavor = entry.get("flavor")
    return (
        flavor if isinstance(flavor, str) else None,
        {k: bool(v) for k, v in caps.items()} if isinstance(caps, dict) else {},
    )


def default_store_path(env: Mapping[str, str] | None = None) -> Path:
    """Where ``obsctl receive`` keeps its store unless told (``--store``/``OBSCTL_STORE``):
    the platform's user data directory (``$XDG_DATA_HOME/obsctl/store.sqlite``, by default
    ``~/.local/share/obsctl/store.sqlite`` on Linux)."""
    env = os.environ if env is None else env
    if os.name != "nt" and not (Path.home() / "Library").is_dir():
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return base / APP_NAME / "store.sqlite"
    import platformdirs  # pragma: no cover - macOS and Windows

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "store.sqlite"


# ---------------------------------------------------------------------------- lint: section


def find_project_config(start: Path) -> Path | None:
    """The nearest ``obsctl.yaml`` (or ``.obsctl.yaml``) in ``start`` or a parent directory."""
    from obsctl.config.lint import PROJECT_FILES

    for folder in (start, *start.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def _project_lint_section(path: Path) -> object:
    import yaml  # deferred: yaml costs ~15 ms and only config-reading commands need it

    from obsctl.yaml_limits import safe_load

    try:
        doc = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", location=loc) from None
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping at the top level", location=Location(str(path)))
    return doc.get("lint")


def load_lint_settings(
    user_extra: Mapping[str, object], *, cwd: Path, explicit: Path | None = None
) -> LintSettings:
    """The effective ``lint:`` section: the user config's overlaid by the project file's.

    Args:
        user_extra: the user config's sections obsctl itself does not model (``Settings.extra``).
        cwd: where the project-file search starts (walking up).
        explicit: a project file to use instead of searching.

    Raises:
        ConfigError: unreadable or invalid sections, with the file they came from.
    """
    from obsctl.config.lint import merge_sections, parse_lint_section

    section: dict[str, object] = {}
    sources: list[str] = []
    user = user_extra.get("lint")
    if user is not None:
        if not isinstance(user, Mapping):
            raise ConfigError("lint: expected a mapping in the user config")
        section = merge_sections(section, user)
        sources.append("user config")
    project = explicit if explicit is not None else find_project_config(cwd)
    if project is not None:
        local = _project_lint_section(project)
        if local is not None:
            if not isinstance(local, Mapping):
                raise ConfigError("lint: expected a mapping", location=Location(str(project)))
            section = merge_sections(section, local)
        sources.append(str(project))
    return parse_lint_section(section or None, source=" + ".join(sources) or "config")
