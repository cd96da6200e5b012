"""Config-file workflows: view (redacted), list, switch, create/update, delete contexts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from obsctl.config.discover import write_config_file
from obsctl.config.kinds import BACKEND_KINDS, KINDS, UI
from obsctl.config.schema import ENDPOINT_KINDS, TRACE_KINDS, Config, Context, EndpointSpec
from obsctl.errors import ConfigError, UsageError
from obsctl.model.config_view import ConfigView, ContextList, ContextView, EndpointView

_SECRET_FIELDS = {"token": "token", "password": "password"}


def view_config(config: Config, path: str) -> ConfigView:
    """The config with secrets redacted, plus a warning per literal secret."""
    warnings: list[str] = []
    contexts: list[ContextView] = []
    for name, ctx in config.contexts.items():
        endpoints: list[EndpointView] = []
        for kind in ENDPOINT_KINDS:
            spec = ctx.endpoints.get(kind)
            if spec is None:
                continue
            settings: list[tuple[str, str]] = []
            for field in spec.__dataclass_fields__:
                if field in ("url", "line"):
                    continue
                value = getattr(spec, field)
                if value == EndpointSpec.__dataclass_fields__[field].default:
                    continue
                if field in _SECRET_FIELDS:
                    settings.append((field, "*** (literal in file)"))
                    warnings.append(
                        f"context {name!r} {kind}: literal {field} in the config file; "
                        f"prefer {field}_env or {field}_file"
                    )
                elif field == "headers":
                    settings.append(
                        (
                            field,
                            ", ".join(
                                f"{k}: ***" if _looks_secret(k) else f"{k}: {v}" for k, v in value
                            ),
                        )
                    )
                else:
                    settings.append((field, str(value)))
            endpoints.append(EndpointView(kind=kind, url=spec.url, settings=tuple(settings)))
        contexts.append(
            ContextView(
                name=name, current=name == config.current_context, endpoints=tuple(endpoints)
            )
        )
    return ConfigView(
        path=path,
        exists=Path(path).exists(),
        current_context=config.current_context,
        contexts=tuple(contexts),
        warnings=tuple(warnings),
    )


def _looks_secret(header: str) -> bool:
    h = header.lower()
    return any(word in h for word in ("auth", "token", "key", "secret", "cookie", "password"))


def list_contexts(config: Config, path: str, *, override: str | None = None) -> ContextList:
    """Contexts with their Prometheus and Alertmanager URLs and trace backends."""
    rows = []
    for name, ctx in config.contexts.items():
        prom = ctx.endpoints.get("prometheus")
        am = ctx.endpoints.get("alertmanager")
        traces = ",".join(k for k in TRACE_KINDS if k in ctx.endpoints)
        rows.append((name, prom.url if prom else "", am.url if am else "", traces))
    return ContextList(path=path, current=override or config.current_context, rows=tuple(rows))


def set_current(config: Config, path: str, name: str) -> None:
    """Make ``name`` the current context and save."""
    if name not in config.contexts:
        known = ", ".join(sorted(config.contexts)) or "none defined"
        raise ConfigError(f"unknown context {name!r} (known: {known})")
    write_config_file(replace(config, current_context=name), path)


SETTABLE: tuple[str, ...] = (
    "tenant", "token_env", "token_file", "username", "password_env", "password_file",
    "headers", "cert_file", "key_file", "ca_file", "insecure_skip_verify", "timeout",
    "max_response_size", "flavor", "path_prefix",
)  # fmt: skip
"""Endpoint settings ``config set-context`` can set (``--token-file`` …) and ``--unset``."""


def upsert_context(
    config: Config,
    path: str,
    name: str,
    *,
    urls: dict[str, str | None],
    flavor: str | None,
    path_prefix: str | None,
    tenant: str | None,
    token_env: str | None,
    make_current: bool,
    settings: dict[str, object] | None = None,
    unset: tuple[str, ...] = (),
) -> bool:
    """Create or update context ``name``; returns True when it was created.

    ``settings`` (``SETTABLE`` names → values already checked) and ``unset`` apply to the
    endpoints given in this call, or to every HTTP endpoint of the context when none is.

    Raises:
        UsageError: a bad name, no endpoint for a new context, an unknown ``--unset`` field.
    """
    unknown = sorted(set(unset) - set(SETTABLE))
    if unknown:
        raise UsageError(
            f"--unset: unknown setting {unknown[0]!r}", hint=f"settings: {', '.join(SETTABLE)}"
        )
    from obsctl.config.load import load_config

    if not name or any(c.isspace() for c in name):
        raise UsageError(f"invalid context name {name!r}")
    created = name not in config.contexts
    ctx = config.contexts.get(name, Context(name=name))
    endpoints = dict(ctx.endpoints)
    for kind, url in urls.items():
        if url:
            spec = endpoints.get(kind) or EndpointSpec(url=url)
            endpoints[kind] = replace(
                spec, url=url.rstrip("/") if KINDS[kind].locator == "url" else url
            )
    if not endpoints and created:
        first = BACKEND_KINDS[0]
        raise UsageError(f"give at least one endpoint URL, e.g. {first.flag} {first.metavar}")
    for kind in list(endpoints):
        spec = endpoints[kind]
        if kind == "prometheus":
            if flavor is not None:
                spec = replace(spec, flavor=flavor)
            if path_prefix is not None:
                spec = replace(spec, path_prefix=path_prefix)
        speaks_http = KINDS[kind].locator == "url" and KINDS[kind].role != UI
        if tenant is not None and speaks_http:
            spec = replace(spec, tenant=tenant)
        if token_env is not None and urls.get(kind) and speaks_http:
            spec = replace(spec, token_env=token_env, token=None, token_file=None)
        targeted = bool(urls.get(kind)) if any(urls.values()) else True
        if speaks_http and targeted:
            spec = _apply_settings(spec, kind, settings or {}, unset)
        endpoints[kind] = spec
    contexts = dict(config.contexts)
    contexts[name] = replace(ctx, endpoints=endpoints)
    current = name if make_current or config.current_context is None else config.current_context
    updated = replace(config, contexts=contexts, current_context=current)
    # Round-trip through the loader so that what we write is what we would accept.
    from obsctl.config.load import dump_config

    load_config(dump_config(updated), source=path, env={}, substitute=False)
    write_config_file(updated, path)
    return created


def _apply_settings(
    spec: EndpointSpec, kind: str, settings: dict[str, object], unset: tuple[str, ...]
) -> EndpointSpec:
    defaults = EndpointSpec(url=spec.url)
    only_prometheus = {"flavor", "path_prefix"}
    for field in unset:
        if field not in only_prometheus or kind == "prometheus":
            spec = replace(spec, **{field: getattr(defaults, field)})
    changes: dict[str, Any] = {}
    for field, value in settings.items():
        if field in only_prometheus and kind != "prometheus":
            continue
        if field == "token_file":
            changes.update(token=None, token_env=None)
        if field in ("password_env", "password_file"):
            changes.update(password=None, password_env=None, password_file=None)
        merged = value
        if field == "headers" and isinstance(value, tuple):
            merged = tuple({**dict(spec.headers), **dict(value)}.items())
        changes[field] = merged
    return replace(spec, **changes)


def rename_context(config: Config, path: str, old: str, new: str) -> None:
    """Rename context ``old`` to ``new`` (current-context follows).

    Raises:
        ConfigError: ``old`` is not defined. UsageError: ``new`` is taken or not a name.
    """
    if old not in config.contexts:
        raise ConfigError(f"unknown context {old!r}")
    if not new or any(c.isspace() for c in new):
        raise UsageError(f"invalid context name {new!r}")
    if new in config.contexts:
        raise UsageError(f"context {new!r} already exists", hint="delete it first")
    contexts = {
        (new if k == old else k): (replace(v, name=new) if k == old else v)
        for k, v in config.contexts.items()
    }
    current = new if config.current_context == old else config.current_context
    updated = replace(config, contexts=contexts, current_context=current)
    write_config_file(updated, path, rename=(old, new))


def remove_context(config: Config, path: str, name: str) -> None:
    """Delete context ``name`` and save; clears current-context when it pointed there."""
    if name not in config.contexts:
        raise ConfigError(f"unknown context {name!r}")
    contexts = {k: v for k, v in config.contexts.items() if k != name}
    current = None if config.current_context == name else config.current_context
    write_config_file(replace(config, contexts=contexts, current_context=current), path)


def save_panels(config: Config, path: str, name: str | None, panels: tuple[str, ...]) -> None:
    """Make ``panels`` the PromQL panels ``obsctl tui`` starts with in context ``name``
    (``contexts.NAME.tui.panels``); the rest of the file is kept, as ``set-context`` keeps it.

    Raises:
        ConfigError: no context, or ``name`` is not defined in the file.
    """
    if name is None:
        raise ConfigError(
            "no context to save the panels in",
            hint="create one: obsctl config set-context NAME --prometheus-url URL --use",
        )
    if name not in config.contexts:
        raise ConfigError(
            f"context {name!r} is not in {path}",
            hint=f"create it: obsctl config set-context {name} --prometheus-url URL",
        )
    contexts = dict(config.contexts)
    contexts[name] = replace(contexts[name], panels=tuple(panels))
    updated = replace(config, contexts=contexts)
    from obsctl.config.load import dump_config, load_config

    # Round-trip through the loader so that what we write is what we would accept.
    load_config(dump_config(updated), source=path, env={}, substitute=False)
    write_config_file(updated, path)
