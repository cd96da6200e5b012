"""Per-invocation state kept in ``ctx.obj``: paths and flags, with everything else lazy.

The config file is read, and HTTP clients are built, on first use only, so ``obsctl lint
file.prom`` never touches backend config and ``--help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from datetime import timedelta

    from obsctl.config.schema import Config, Endpoint, Settings
    from obsctl.model.time import TimeRange
    from obsctl.render.console import Consoles

T = TypeVar("T")


class AppState:
    """Global options of one invocation, and lazily built resources.

    A plain class rather than a dataclass: it is defined at every start-up, where a dataclass
    costs ~0.7 ms.
    """

    def __init__(self) -> None:
        self.config: str | None = None
        self.context: str | None = None
        self.endpoints: dict[str, str | None] = {}
        """Endpoint options given (kind name → URL or path), e.g. ``{"tempo": "http://…"}``."""
        self.color: bool | None = None
        self.debug = False
        self.quiet = False
        self._consoles: Consoles | None = None
        self._settings: Settings | None = None

    def apply(self, *, endpoints: dict[str, str | None] | None = None, **values: Any) -> None:
        """Set global options given after the subcommand (they win over earlier ones).

        ``endpoints`` (kind name → value of its option) updates the endpoint options.
        """
        if endpoints:
            self.endpoints = {**self.endpoints, **endpoints}
            self._settings = None
        for name, value in values.items():
            setattr(self, name, value)
            if name == "color":
                self._consoles = None
            if name == "quiet" and self._consoles is not None:
                self._consoles.quiet = bool(value)
            if name not in {"color", "debug", "quiet"}:
                self._settings = None

    # ----------------------------------------------------------------- output
    @property
    def consoles(self) -> Consoles:
        """stdout/stderr consoles honouring ``--color``, ``NO_COLOR`` and the TTY."""
        if self._consoles is None:
            from obsctl.render.console import make_consoles

            self._consoles = make_consoles(color=self.color)
            self._consoles.quiet = self.quiet
        return self._consoles

    def progress(self, text: str) -> None:
        """Show ``text`` as the transient status line (a terminal only; see ``--quiet``)."""
        self.consoles.progress()(text)

    # ----------------------------------------------------------------- config
    @property
    def settings(self) -> Settings:
        """The resolved settings (config file + environment + flags), loaded on first use."""
        if self._settings is None:
            from obsctl.config.discover import resolve_settings

            self._settings = resolve_settings(
                config_path=self.config,
                context=self.context,
                url_flags=self.endpoints,
            )
        return self._settings

    def load_config_file(self) -> tuple[Config, str]:
        """The config file as written (``${VAR}`` kept) and its path, for ``config`` commands."""
        from obsctl.config.discover import load_config_file

        return load_config_file(self.config, substitute=False)

    def endpoint(self, kind: str) -> Endpoint:
        """The resolved endpoint of ``kind`` (``prometheus``, ``tempo`` …)."""
        return self.settings.endpoint(kind)

    @property
    def http_log(self) -> Callable[[str], None] | None:
        """With ``--debug``, a callback that logs one line per HTTP request to stderr."""
        if not self.debug:
            return None
        consoles = self.consoles
        return lambda line: consoles.write_err(f"obsctl: debug: {line}\n")

    # ----------------------------------------------------------------- time
    def now(self) -> datetime:
        """The current time (aware UTC)."""
        return datetime.now(UTC)

    def time_range(
        self,
        *,
        since: str | None,
        start: str | None,
        end: str | None,
        default_since: timedelta | None = None,
    ) -> TimeRange:
        """Resolve ``--since/--start/--end``; bad input is a usage error."""
        from datetime import timedelta as _td

        from obsctl.errors import UsageError
        from obsctl.model.time import TimeSyntaxError, resolve_range

        try:
            return resolve_range(
                now=self.now(),
                since=since,
                start=start,
                end=end,
                default_since=default_since or _td(hours=1),
            )
        except TimeSyntaxError as exc:
            raise UsageError(str(exc)) from None

    def duration(self, text: str, *, option: str) -> timedelta:
        """Parse a duration flag; bad input is a usage error naming the option
        (``cli.values.duration_flag``)."""
        from obsctl.cli.values import duration_flag

        return duration_flag(text, option=option)

    # ----------------------------------------------------------------- async
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run one coroutine to completion: the CLI's single crossing into async."""
        import asyncio  # ~19 ms: only commands that talk to backends pay for it

        # asyncio.run formats repr() of the main task's result (twice, on Python 3.11); for a
        # 100k-span trace that took seconds. The task returns None and hands the value over.
        box: list[T] = []

        async def main() -> None:
            box.append(await coro)

        try:
            asyncio.run(main())
        finally:
            if self._consoles is not None:
                self._consoles.clear_progress()
        return box[0]


def get_state(ctx: click.Context) -> AppState:
    """The ``AppState`` of this invocation (created on first use)."""
    return ctx.ensure_object(AppState)
