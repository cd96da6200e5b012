"""``obsctl config``: view and edit contexts (kubectl style)."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.complete import context_names
from obsctl.cli.options import endpoint_options, output_option
from obsctl.cli.state import get_state
from obsctl.config.kinds import BACKEND_KINDS

app = typer.Typer(
    rich_markup_mode="rich",
    help="View and edit contexts: named sets of endpoints (Prometheus, Alertmanager, Tempo…).",
    no_args_is_help=True,
)


@app.command("view")
def view(
    ctx: typer.Context, output: Annotated[Literal["text", "json"], output_option()] = "text"
) -> None:
    """Show the configuration with secrets redacted.

    Literal secrets in the file are flagged: prefer token_env / token_file.

    [bold]Example[/bold]: obsctl config view -o json
    """
    from obsctl.render import emit
    from obsctl.workflows.config import view_config

    state = get_state(ctx)
    config, path = state.load_config_file()
    emit(view_config(config, path), output, state.consoles)


@app.command("get-contexts")
def get_contexts(
    ctx: typer.Context,
    output: Annotated[Literal["text", "wide", "json"], output_option(wide=True)] = "text",
) -> None:
    """List contexts; the current one is marked with *.

    [bold]Example[/bold]: obsctl config get-contexts
    """
    from obsctl.render import emit
    from obsctl.workflows.config import list_contexts

    state = get_state(ctx)
    config, path = state.load_config_file()
    emit(list_contexts(config, path, override=state.context), output, state.consoles)


@app.command("current-context")
def current_context(ctx: typer.Context) -> None:
    """Print the current context's name.

    [bold]Example[/bold]: obsctl config current-context
    """
    state = get_state(ctx)
    config, _ = state.load_config_file()
    name = state.context or config.current_context
    if name is None:
        from obsctl.errors import ConfigError

        raise ConfigError(
            "no current context is set", hint="set one with `obsctl config use-context NAME`"
        )
    state.consoles.out.print(name)


@app.command("use-context")
def use_context(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Context name.", shell_complete=context_names)],
) -> None:
    """Make NAME the current context.

    [bold]Example[/bold]: obsctl config use-context prod
    """
    from obsctl.workflows.config import set_current

    state = get_state(ctx)
    config, path = state.load_config_file()
    set_current(config, path, name)
    state.consoles.note(f"switched to context {name!r} ({path})")


@app.command("set-context")
@endpoint_options(BACKEND_KINDS, envvar=False, panel=None, before="flavor")
def set_context(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="Context name (created if new).", shell_complete=context_names)
    ],
    flavor: Annotated[
        Literal["auto", "prometheus", "thanos", "mimir", "victoriametrics"] | None,
        typer.Option("--flavor", help="Prometheus flavour."),
    ] = None,
    path_prefix: Annotated[
        str | None,
        typer.Option("--path-prefix", help="API path prefix for Prometheus (Mimir: /prometheus)."),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", help="Tenant (X-Scope-OrgID) for Prometheus and trace endpoints."),
    ] = None,
    token_env: Annotated[
        str | None,
        typer.Option(
            "--token-env",
            metavar="VAR",
            help="Environment variable holding a bearer token (all given endpoints).",
        ),
    ] = None,
    token_file: Annotated[
        str | None,
        typer.Option("--token-file", metavar="PATH", help="File holding a bearer token."),
    ] = None,
    username: Annotated[
        str | None, typer.Option("--username", metavar="USER", help="Basic-auth user.")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", metavar="VAR", help="Variable holding the password."),
    ] = None,
    password_file: Annotated[
        str | None,
        typer.Option("--password-file", metavar="PATH", help="File holding the password."),
    ] = None,
    ca_file: Annotated[
        str | None, typer.Option("--ca-file", metavar="PATH", help="CA bundle (PEM).")
    ] = None,
    cert_file: Annotated[
        str | None,
        typer.Option("--cert-file", metavar="PATH", help="Client certificate (PEM), mTLS."),
    ] = None,
    key_file: Annotated[
        str | None, typer.Option("--key-file", metavar="PATH", help="Client key (PEM), mTLS.")
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", metavar="'NAME: VALUE'", help="Extra header (repeatable)."),
    ] = None,
    timeout: Annotated[
        str | None, typer.Option("--timeout", metavar="DURATION", help="Request timeout.")
    ] = None,
    max_response_size: Annotated[
        str | None,
        typer.Option("--max-response-size", metavar="SIZE", help="Cap on one answer (256MiB)."),
    ] = None,
    insecure_skip_verify: Annotated[
        bool | None,
        typer.Option(
            "--insecure-skip-verify/--verify-tls", help="Skip TLS verification (explicit opt-in)."
        ),
    ] = None,
    unset: Annotated[
        list[str] | None,
        typer.Option("--unset", metavar="SETTING", help="Remove a setting (repeatable)."),
    ] = None,
    use: Annotated[bool, typer.Option("--use", help="Also make it the current context.")] = False,
    endpoints: dict[str, str | None] | None = None,
) -> None:
    """Create or update a context; other contexts in the file are kept.

    The file is written with permissions 0600.

    [bold]Examples[/bold]

      obsctl config set-context local --prometheus-url http://localhost:9090 --use
      obsctl config set-context prod --prometheus-url https://mimir.example.com \\
          --flavor mimir --path-prefix /prometheus --tenant team-a --token-env MIMIR_TOKEN
    """
    from obsctl.cli.values import seconds_flag, size_flag
    from obsctl.errors import UsageError
    from obsctl.workflows.config import upsert_context

    state = get_state(ctx)
    settings: dict[str, object] = {
        k: v
        for k, v in {
            "token_file": token_file,
            "username": username,
            "password_env": password_env,
            "password_file": password_file,
            "ca_file": ca_file,
            "cert_file": cert_file,
            "key_file": key_file,
            "insecure_skip_verify": insecure_skip_verify,
        }.items()
        if v is not None
    }
    if timeout is not None:
        settings["timeout"] = seconds_flag(timeout, option="--timeout")
    if max_response_size is not None:
        # At least a byte: the config loader refuses a zero size (the file would not load).
        settings["max_response_size"] = size_flag(
            max_response_size, option="--max-response-size", minimum=1
        )
    if header:
        pairs = []
        for text in header:
            key, sep, value = text.partition(":")
            if not sep or not key.strip():
                raise UsageError(f"--header {text!r}: expected 'NAME: VALUE'")
            pairs.append((key.strip(), value.strip()))
        settings["headers"] = tuple(pairs)
    config, path = state.load_config_file()
    created = upsert_context(
        config,
        path,
        name,
        urls=endpoints or {},
        flavor=flavor,
        path_prefix=path_prefix,
        tenant=tenant,
        token_env=token_env,
        make_current=use,
        settings=settings,
        unset=tuple(unset or ()),
    )
    state.consoles.note(f"{'created' if created else 'updated'} context {name!r} in {path}")


@app.command("rename-context")
def rename_context(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="Context name.", shell_complete=context_names)],
    new: Annotated[str, typer.Argument(help="Its new name.")],
) -> None:
    """Rename a context (the current context follows)."""
    from obsctl.workflows.config import rename_context as rename

    state = get_state(ctx)
    config, path = state.load_config_file()
    rename(config, path, old, new)
    state.consoles.note(f"renamed context {old!r} to {new!r} in {path}")


@app.command("delete-context")
def delete_context(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Context name.", shell_complete=context_names)],
) -> None:
    """Delete a context from the config file.

    [bold]Example[/bold]: obsctl config delete-context staging
    """
    from obsctl.workflows.config import remove_context

    state = get_state(ctx)
    config, path = state.load_config_file()
    remove_context(config, path, name)
    state.consoles.note(f"deleted context {name!r} from {path}")
