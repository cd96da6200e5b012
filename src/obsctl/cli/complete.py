"""Dynamic shell completion: context names, rule IDs, metric, label and alert names.

Completion runs on every Tab, so it must be quick and quiet: an unreadable config file, an
unreachable server or anything else unexpected gives no candidates, never an error. Answers
from a server are asked with a 2-second timeout and kept for a minute in the user cache
directory (``OBSCTL_CACHE_DIR`` overrides it), keyed by the endpoint's URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import click
    from click.shell_completion import CompletionItem

# Imported by the CLI at start-up for its option declarations: everything a completion
# needs loads inside the functions, when a Tab asks.

CACHE_TTL = 60.0
SERVER_TIMEOUT = 2.0


def _item(value: str, help: str | None = None) -> Any:
    from click.shell_completion import CompletionItem

    return CompletionItem(value, help=help)


def _quietly(fn: Callable[..., list[CompletionItem]]) -> Callable[..., list[CompletionItem]]:
    def wrapper(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        try:
            return fn(ctx, param, incomplete)
        except Exception:  # noqa: BLE001 - a Tab must never print a traceback
            return []

    wrapper.__doc__ = fn.__doc__
    return wrapper


def _root_params(ctx: click.Context) -> dict[str, Any]:
    """Parameters typed so far on every level (``--config``, ``--context``, URLs…)."""
    merged: dict[str, Any] = {}
    chain = []
    c: click.Context | None = ctx
    while c is not None:
        chain.append(c)
        c = c.parent
    for c in reversed(chain):
        merged.update({k: v for k, v in c.params.items() if v is not None})
    return merged


def _settings(ctx: click.Context) -> Any:
    from obsctl.cli.options import ENDPOINT_PARAMS
    from obsctl.config.discover import resolve_settings

    params = _root_params(ctx)
    flags = {kind: params.get(param) for param, kind in ENDPOINT_PARAMS.items()}
    return resolve_settings(
        config_path=params.get("config"), context=params.get("context"), url_flags=flags
    )


@_quietly
def context_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Context names from the config file (no server is asked)."""
    from obsctl.config.discover import load_config_file

    config, _ = load_config_file(_root_params(ctx).get("config"), substitute=False)
    return [_item(name) for name in config.contexts if name.startswith(incomplete)]


def _catalogue(ctx: click.Context) -> Any:
    path = ctx.command_path.split()[1:]
    if path[:1] == ["lint"]:
        from obsctl.analysis.lint import LINT

        return LINT
    if path[:1] == ["validate"]:
        from obsctl.analysis.validate.rules import VALIDATE

        return VALIDATE
    if path[:2] == ["rules", "check"]:
        from obsctl.analysis.rules import RULES_CHECK

        return RULES_CHECK
    return None


@_quietly
def rule_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Rule IDs (with their summary) of the command's own catalogue."""
    catalogue = _catalogue(ctx)
    if catalogue is None:
        return []
    # --select/--ignore take comma-separated lists: complete the last item.
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return [
        _item(prefix + rule.rule_id, rule.summary)
        for rule in catalogue.rules.values()
        if rule.rule_id.lower().startswith(last.lower()) or rule.name.startswith(last)
    ]


def _cache_dir() -> Path:
    import os
    from pathlib import Path

    explicit = os.environ.get("OBSCTL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "obsctl" / "completion"


def _cached(key: str, fetch: Callable[[], list[str]]) -> list[str]:
    import hashlib
    import json
    import time

    path = _cache_dir() / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")
    try:
        if time.time() - path.stat().st_mtime < CACHE_TTL:
            cached = json.loads(path.read_text())
            if isinstance(cached, list):
                return [str(v) for v in cached]
    except (OSError, ValueError):
        pass
    values = fetch()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    except OSError:
        pass
    return values


def _prometheus_values(ctx: click.Context, what: str, fetch: Callable[[Any], Any]) -> list[str]:
    """``fetch(PrometheusClient)`` against the configured server, short timeout, cached."""
    from dataclasses import replace

    settings = _settings(ctx)
    endpoint = replace(settings.endpoint("prometheus"), timeout=SERVER_TIMEOUT)

    def ask() -> list[str]:
        import asyncio

        from obsctl.backends.http import make_client
        from obsctl.backends.prometheus import PrometheusClient

        async def run() -> list[str]:
            async with make_client(endpoint) as client:
                return list(await fetch(PrometheusClient(client, endpoint)))

        return asyncio.run(run())

    return _cached(f"{what}\0{endpoint.base_url}\0{endpoint.tenant}", ask)


async def _metric_names(prom: Any) -> list[str]:
    return list((await prom.label_values("__name__")).values)


async def _label_names(prom: Any) -> list[str]:
    return list((await prom.labels()).values)


async def _alert_names(prom: Any) -> list[str]:
    return sorted({rule.name for rule in await prom.alert_rules()})


@_quietly
def metric_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Metric names the server knows."""
    names = _prometheus_values(ctx, "metrics", _metric_names)
    return [_item(n) for n in names if n.startswith(incomplete)]


@_quietly
def label_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Label names the server knows."""
    names = _prometheus_values(ctx, "labels", _label_names)
    return [_item(n) for n in names if n.startswith(incomplete)]


@_quietly
def alert_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Alert names from the server's rules API."""
    names = _prometheus_values(ctx, "alerts", _alert_names)
    return [_item(n) for n in names if n.startswith(incomplete)]
