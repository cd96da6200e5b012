"""Shared options.

Global options (``--config``, ``--context``, ``--debug``, ``--color``, the endpoint URL flags)
are declared once in ``GLOBAL_OPTIONS`` and accepted both before the subcommand
(``obsctl --context prod query up``) and after it (``obsctl query up --context prod``), where
users type them. ``ObsctlGroup.get_command`` appends them to every subcommand and strips them
from the keyword arguments before the command's own callback runs, so commands never declare
them. Per-command options with different choices (``--output``) are declared with the aliases
below.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import click
import typer
import typer.core

from obsctl.cli.complete import context_names, rule_ids
from obsctl.config.kinds import BACKEND_KINDS, TRACES, BackendKind, kinds_with_role

if TYPE_CHECKING:
    from obsctl.model.findings import RuleRequest
    from obsctl.workflows.findings import FindingsOutcome

CONNECTION = "Connection"
TIME_RANGE = "Time range"
OUTPUT = "Output"
GLOBAL = "Global"

F = TypeVar("F", bound=Callable[..., Any])

GLOBAL_KINDS = tuple(k for k in BACKEND_KINDS if k.global_flag)
"""Kinds whose option (``--tempo-url`` …) is a global option."""

ENDPOINT_PARAMS = {k.param: k.name for k in BACKEND_KINDS}
"""Python name of each kind's option (``tempo_url``) → kind name."""


def _global_option_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {
            "decls": ["--config"],
            "name": "config",
            "envvar": "OBSCTL_CONFIG",
            "help": "Config file (default: OBSCTL_CONFIG, else the user config dir).",
            "metavar": "PATH",
            "panel": GLOBAL,
        },
        {
            "decls": ["--context"],
            "name": "context",
            "envvar": "OBSCTL_CONTEXT",
            "help": "Context to use instead of the current one.",
            "metavar": "NAME",
            "panel": CONNECTION,
            "complete": context_names,
        },
    ]
    for kind in GLOBAL_KINDS:
        specs.append(
            {
                "decls": [kind.flag],
                "name": kind.param,
                "envvar": kind.env,
                "help": f"{kind.help} (overrides the context).",
                "metavar": kind.metavar,
                "panel": CONNECTION,
            }
        )
    specs += [
        {
            "decls": ["--color/--no-color"],
            "name": "color",
            "envvar": None,
            "help": "Force colour on or off (default: on for a terminal; NO_COLOR honoured).",
            "panel": GLOBAL,
            "flag": True,
        },
        {
            "decls": ["--quiet"],
            "name": "quiet",
            "envvar": None,
            "help": "No notes or progress on stderr (warnings and errors still show).",
            "panel": GLOBAL,
            "flag": True,
        },
        {
            "decls": ["--debug"],
            "name": "debug",
            "envvar": None,
            "help": "Log requests to stderr (secrets redacted); show tracebacks.",
            "panel": GLOBAL,
            "flag": True,
        },
    ]
    return specs


GLOBAL_OPTION_NAMES = tuple(spec["name"] for spec in _global_option_specs())

GLOBALS_POINTER = (
    "Global options (--context, --prometheus-url …, --config, --debug) work here too: "
    "obsctl options lists them."
)


def make_global_options() -> list[click.Option]:
    """Fresh click options for the global settings (one list per command)."""
    options: list[click.Option] = []
    for spec in _global_option_specs():
        kwargs: dict[str, Any] = {
            "param_decls": [*spec["decls"], spec["name"]],
            "help": spec["help"],
            "envvar": spec["envvar"],
            "rich_help_panel": spec["panel"],
            "default": None,
            "show_envvar": spec["envvar"] is not None,
            "shell_complete": spec.get("complete"),
        }
        if spec.get("flag"):
            if "/" not in spec["decls"][0]:
                kwargs["is_flag"] = True
        else:
            kwargs["metavar"] = spec["metavar"]
        options.append(typer.core.TyperOption(**kwargs))
    return options


def attach_global_options(cmd: click.Command) -> None:
    """Append the global options to ``cmd`` (recursively for groups), once."""
    if getattr(cmd, "_obsctl_globals", False):
        return
    cmd._obsctl_globals = True  # type: ignore[attr-defined]
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            attach_global_options(sub)
        return
    names = {p.name for p in cmd.params}
    flags = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    added = [
        o
        for o in make_global_options()
        if o.name not in names and not flags.intersection((*o.opts, *o.secondary_opts))
    ]
    for option in added:
        # Accepted after the command, but listed once (`obsctl options`), not in every help.
        option.hidden = True
    cmd.params.extend(added)
    if added:
        cmd.epilog = f"{cmd.epilog}\n\n{GLOBALS_POINTER}" if cmd.epilog else GLOBALS_POINTER
    if cmd.callback is not None:
        cmd.callback = _strip_globals(cmd.callback, frozenset(o.name for o in added if o.name))


def _strip_globals(callback: Callable[..., Any], attached: frozenset[str]) -> Callable[..., Any]:
    """Wrap ``callback`` to take the global options ``attached`` to its command out of its
    arguments and into the ``AppState`` (a command's own option of the same name stays)."""

    @functools.wraps(callback)
    def wrapper(**kwargs: Any) -> Any:
        from obsctl.cli.state import AppState

        ctx = click.get_current_context()
        state = ctx.ensure_object(AppState)
        overrides = {name: kwargs.pop(name) for name in attached if name in kwargs}
        # Only what was typed after the subcommand overrides; environment values were already
        # taken by the root callback, and must not beat a flag given before the subcommand.
        typed = {
            k: v
            for k, v in overrides.items()
            if v is not None
            and ctx.get_parameter_source(k) is click.core.ParameterSource.COMMANDLINE
        }
        endpoints = {ENDPOINT_PARAMS[k]: typed.pop(k) for k in list(typed) if k in ENDPOINT_PARAMS}
        state.apply(**typed, endpoints=endpoints)
        return callback(**kwargs)

    return wrapper


def endpoint_options(
    kinds: Iterable[BackendKind],
    *,
    envvar: bool,
    panel: str | None,
    suffix: str = ".",
    before: str | None = None,
) -> Callable[[F], F]:
    """Give a Typer command one option per backend kind (``--tempo-url URL`` …).

    The decorated function takes ``endpoints: dict[str, str | None]`` (kind name → value)
    instead of one parameter per kind, so the command follows the backend-kind table.

    Args:
        kinds: the kinds to offer, in order.
        envvar: also read each kind's environment variable (``OBSCTL_TEMPO_URL``).
        panel: rich help panel of the options.
        suffix: appended to each kind's help text.
        before: the parameter the options go in front of (default: after all of them).
    """
    chosen = tuple(kinds)

    def decorate(fn: F) -> F:
        hints = typing.get_type_hints(fn, include_extras=True)
        hints.pop("endpoints", None)
        signature = inspect.signature(fn)
        # Resolved annotations: Typer does not evaluate a ``__signature__``'s strings.
        params = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values()
            if p.name != "endpoints"
        ]
        at = next((i for i, p in enumerate(params) if p.name == before), len(params))
        added: list[inspect.Parameter] = []
        for kind in chosen:
            option = typer.Option(
                kind.flag,
                envvar=kind.env if envvar else None,
                metavar=kind.metavar,
                help=kind.help + suffix,
                rich_help_panel=panel,
            )
            hints[kind.param] = Annotated[str | None, option]
            added.append(
                inspect.Parameter(
                    kind.param,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=None,
                    annotation=hints[kind.param],
                )
            )
        params[at:at] = added

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            endpoints = {kind.name: kwargs.pop(kind.param, None) for kind in chosen}
            return fn(*args, endpoints=endpoints, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = hints
        return wrapper  # type: ignore[return-value]

    return decorate


# ------------------------------------------------------------------ per-command option aliases


def _output_from_env(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """``OBSCTL_OUTPUT`` when ``-o`` was not given and the command offers that format.

    One variable serves every command, so a value a command does not offer (``sarif`` for
    ``query``) is ignored with a note instead of breaking the command.
    """
    import os

    from click.core import ParameterSource

    env = os.environ.get("OBSCTL_OUTPUT", "").strip()
    if not env or param.name is None:
        return value
    if ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT:
        return value
    choices = list(getattr(param.type, "choices", ()))
    if env in choices:
        return env
    from obsctl.cli.state import get_state

    get_state(ctx).consoles.note(
        f"OBSCTL_OUTPUT={env} ignored: {ctx.command_path} writes {', '.join(choices)}"
    )
    return value


def output_option(*, wide: bool = False) -> Any:
    """A ``-o/--output`` option (env ``OBSCTL_OUTPUT``, used where the command offers that
    format); annotate it with a ``Literal`` of the command's formats, e.g.
    ``Annotated[Literal["text", "json"], output_option()]``. ``wide``: the formats include
    ``wide`` (text with nothing shortened to the terminal's width), and the help says so."""
    help_text = "Output format (default from OBSCTL_OUTPUT when the command offers it)."
    if wide:
        help_text = (
            "Output format; wide: text with nothing shortened to fit the terminal (default "
            "from OBSCTL_OUTPUT when the command offers it)."
        )
    return typer.Option(
        "--output",
        "-o",
        callback=_output_from_env,
        help=help_text,
        rich_help_panel=OUTPUT,
        show_default=True,
    )


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Look back this far from --end (e.g. 30m, 6h, 2d).",
        rich_help_panel=TIME_RANGE,
        metavar="DURATION",
    ),
]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        help="Range start: now-1h, RFC 3339, '2026-11-25 10:00', Unix time.",
        rich_help_panel=TIME_RANGE,
        metavar="TIME",
    ),
]
EndOpt = Annotated[
    str | None,
    typer.Option(
        "--end",
        help="Range end (default now); same forms as --start.",
        rich_help_panel=TIME_RANGE,
        metavar="TIME",
    ),
]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        click_type=click.Choice(kinds_with_role(TRACES)),
        help="Trace backend (default: the first configured).",
        rich_help_panel=CONNECTION,
    ),
]

# ------------------------------------------------------------------ shared rule options
# Declared once for every findings command (lint, validate, rules check): same flags, same help,
# same panel, same behaviour (workflows.findings.run_findings).

RULES = "Rules"

FindingsFormat = Literal["text", "json", "sarif", "junit", "github"]
FindingsOutputOpt = Annotated[FindingsFormat, output_option()]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULES",
        help="Only these rules (IDs, prefixes such as OBS1, or names; comma-separated).",
        rich_help_panel=RULES,
        shell_complete=rule_ids,
    ),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="RULES",
        help="Skip these rules.",
        rich_help_panel=RULES,
        shell_complete=rule_ids,
    ),
]
BaselineOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="Do not report findings accepted in this baseline file.",
        rich_help_panel=RULES,
    ),
]
WriteBaselineOpt = Annotated[
    bool,
    typer.Option(
        "--write-baseline",
        help="Accept every current finding: write them to the --baseline file "
        "(default obsctl-baseline.json).",
        rich_help_panel=RULES,
    ),
]
FailOnOpt = Annotated[
    Literal["error", "warning", "info", "never"],
    typer.Option(
        "--fail-on",
        envvar="OBSCTL_FAIL_ON",
        help="Exit 1 when a finding reaches this severity.",
        rich_help_panel=RULES,
        show_default=True,
    ),
]
ListRulesOpt = Annotated[
    bool,
    typer.Option("--list-rules", help="List the rules and exit.", rich_help_panel=RULES),
]
ExplainOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--explain",
        metavar="RULE",
        help="Explain a rule (ID or name; repeatable) and exit.",
        rich_help_panel=RULES,
        shell_complete=rule_ids,
    ),
]

StdinNameOpt = Annotated[
    str | None,
    typer.Option(
        "--stdin-name",
        metavar="NAME",
        help="The file name standard input (-) stands for in findings, SARIF and baseline keys.",
        rich_help_panel=RULES,
    ),
]


def rule_request(
    select: list[str] | None,
    ignore: list[str] | None,
    baseline: str | None,
    write_baseline: bool,
    list_rules: bool,
    explain: list[str] | None,
    stdin_name: str | None = None,
) -> RuleRequest:
    """The shared rule options as a ``model.findings.RuleRequest``."""
    from obsctl.model.findings import RuleRequest

    return RuleRequest(
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        baseline=baseline,
        write_baseline=write_baseline,
        list_rules=list_rules,
        explain=tuple(explain or ()),
        stdin_name=stdin_name,
    )


def emit_findings(ctx: click.Context, outcome: FindingsOutcome, output: str, fail_on: str) -> None:
    """Print a findings command's outcome and exit 1 when the report reaches ``fail_on``.

    A rule listing or explanation prints as JSON with ``-o json`` and as text otherwise.
    """
    from obsctl.cli.state import get_state
    from obsctl.errors import FindingsFailed
    from obsctl.model.findings import FindingsReport
    from obsctl.render import emit

    state = get_state(ctx)
    state.consoles.clear_progress()  # reading a big input may have shown it
    if not isinstance(outcome, FindingsReport) and output != "json":
        output = "text"  # a rule listing, an explanation, or the baseline note
    emit(outcome, output, state.consoles)
    if isinstance(outcome, FindingsReport) and outcome.fails(fail_on):
        raise FindingsFailed(f"findings at or above {fail_on}")
