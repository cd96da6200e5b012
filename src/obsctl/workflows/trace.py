"""``trace``: fetch a trace (backend or file), analyse it, search traces.

Stable entry points (``correlate`` uses them): ``fetch_trace`` and, from
``obsctl.analysis.traces``, ``analyze_trace``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import orjson

from obsctl.analysis.traces import analyze_trace
from obsctl.config.kinds import KINDS
from obsctl.config.links import link_targets, trace_links
from obsctl.config.schema import TRACE_KINDS, Settings
from obsctl.errors import BackendUnreachable, ConfigError, NotFound, UsageError
from obsctl.model.logs import LogQuery, LogRecord
from obsctl.model.time import TimeSyntaxError, format_duration, parse_duration, parse_instant
from obsctl.model.trace_analysis import (
    FetchedTrace,
    TraceLinks,
    TraceResult,
    TraceSearchResult,
    TraceView,
)
from obsctl.model.traces import Trace, TraceIdError, TraceSearch, normalize_trace_id

if TYPE_CHECKING:
    from obsctl.backends.http import LogFn
from obsctl.lifetime import keep_until_exit
from obsctl.parsers.trace_file import parse_trace_file
from obsctl.workflows.inputs import display_name, no_cyclic_gc, read_input

MAX_FILE_BYTES = 1 << 30
"""Trace files larger than 1 GiB are refused (a 100,000-span OTLP file is about 60 MB)."""


def parse_trace_id(text: str) -> str:
    """A user-typed trace ID as 32 lowercase hex.

    Raises:
        UsageError: not 1-32 hex characters nor Tempo's base64 form.
    """
    try:
        return normalize_trace_id(text)
    except TraceIdError as exc:
        raise UsageError(str(exc)) from None


def local_stores(settings: Settings) -> list[str]:
    """Trace kinds located by a path (the local store) whose file exists."""
    return [
        k
        for k in TRACE_KINDS
        if KINDS[k].locator == "path" and Path(settings.endpoint(k).url).expanduser().exists()
    ]


def _padded_not_found(typed: str, full_id: str, err: NotFound) -> NotFound:
    """A not-found error that says so when the ID typed was shortened and padded."""
    digits = typed.strip().lower()
    if not digits or len(digits) >= 16 or any(c not in "0123456789abcdef" for c in digits):
        return err
    return NotFound(
        f"{err.message} (the {len(digits)}-digit ID {digits} was padded with zeros to "
        f"{full_id}: trace IDs have 16 or 32 hex digits)",
        hint="give the whole ID; `obsctl trace search` lists recent ones",
    )


PREFIX_CANDIDATES = 4
"""Candidates an ambiguous shortened ID lists."""


def _short_hex(typed: str) -> str | None:
    """``typed`` as lowercase hex when it is a shortened hex ID (1-31 digits), else ``None``."""
    digits = typed.strip().lower()
    if 0 < len(digits) < 32 and all(c in "0123456789abcdef" for c in digits):
        return digits
    return None


async def resolve_stored_prefix(
    settings: Settings, kinds: list[str], typed: str
) -> tuple[str, str] | None:
    """A shortened hex ID resolved as git resolves a commit prefix, in the local store.

    Returns:
        ``(kind, full ID)`` when ``typed`` padded with zeros is a stored ID, or when exactly
        one stored trace's ID starts with ``typed``; ``None`` when ``typed`` is not a
        shortened hex ID, no store is among ``kinds`` (or none exists yet), or no stored ID
        starts with it.

    Raises:
        UsageError: several stored IDs start with ``typed`` (the first few are listed).
    """
    digits = _short_hex(typed)
    stores = [k for k in kinds if KINDS[k].locator == "path"]
    if digits is None or not stores:
        return None
    from obsctl.backends.local import open_local

    try:
        async with open_local(settings.endpoint(stores[0]).url) as local:
            # An exact ID wins, as in git: 16 digits are also a whole 64-bit (Jaeger) ID.
            padded = digits.rjust(32, "0")
            if await local.trace_ids_with_prefix(padded, 1) == [padded]:
                return stores[0], padded
            ids = await local.trace_ids_with_prefix(digits, PREFIX_CANDIDATES + 1)
    except BackendUnreachable:
        return None
    if len(ids) > 1:
        shown = ", ".join(ids[:PREFIX_CANDIDATES])
        more = ", …" if len(ids) > PREFIX_CANDIDATES else ""
        raise UsageError(
            f"trace ID {digits} is ambiguous: the local store holds traces {shown}{more}",
            hint="type more digits of the ID",
        )
    return (stores[0], ids[0]) if ids else None


def backends_to_try(settings: Settings, backend: str | None) -> list[str]:
    """``--backend`` alone when given, else the configured trace backends, in preference
    order; with none configured, the local store when there is one, else the local defaults."""
    if backend is not None:
        if backend not in TRACE_KINDS:
            raise UsageError(
                f"unknown trace backend {backend!r}: expected one of {', '.join(TRACE_KINDS)}"
            )
        return [backend]
    if not any(settings.endpoint(k).configured for k in TRACE_KINDS):
        return local_stores(settings) or settings.trace_backends()
    return settings.trace_backends()


async def fetch_trace_from(
    settings: Settings,
    trace_id: str,
    *,
    backend: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    log: LogFn | None = None,
) -> FetchedTrace:
    """Fetch a trace and its raw body from the first backend that has it.

    With ``backend`` given only that one is asked. Otherwise each configured trace backend is
    tried in turn; one that does not know the trace or cannot be reached passes to the next.

    Raises:
        NotFound: no backend knows the trace (exit 5).
        BackendUnreachable: every backend tried was unreachable (exit 3).
        BackendError, ParseError: a backend answered with an error or a bad payload (exit 4).
    """
    # httpx and the backends load only when a backend is asked (~90 ms; files skip it).
    from obsctl.backends.registry import open_trace_backend

    kinds = backends_to_try(settings, backend)
    not_found: list[NotFound] = []
    unreachable: list[BackendUnreachable] = []
    for kind in kinds:
        try:
            async with open_trace_backend(kind, settings.endpoint(kind), log=log) as source:
                return await source.fetch(trace_id, start=start, end=end)
        except NotFound as err:
            if len(kinds) == 1:
                raise
            not_found.append(err)
        except BackendUnreachable as err:
            if len(kinds) == 1:
                raise
            unreachable.append(err)
    if not_found:
        tried = ", ".join(kinds)
        detail = "; ".join(e.message for e in unreachable)
        raise NotFound(
            f"trace {trace_id} not found in any trace backend ({tried})"
            + (f"; also: {detail}" if detail else ""),
            hint=not_found[0].hint,
        )
    first = unreachable[0]
    raise BackendUnreachable(
        f"no trace backend reachable ({', '.join(kinds)}): {first.message}",
        backend=first.backend,
        url=first.url,
        hint=_configure_hint(),
    )


def _configure_hint() -> str:
    """How to configure a trace backend, naming the flags of the backend-kind table."""
    first, *others = [KINDS[k] for k in TRACE_KINDS]
    alternatives = f" (or {' / '.join(k.flag for k in others)})" if others else ""
    return (
        f"configure one with `obsctl config set-context NAME {first.flag} {first.metavar}`"
        f"{alternatives}, or pass {first.flag} …"
    )


async def fetch_trace(
    settings: Settings,
    trace_id: str,
    *,
    backend: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    log: LogFn | None = None,
) -> Trace:
    """Fetch one trace by ID from ``backend`` or the configured trace backends.

    Stable API: ``obsctl correlate`` calls it for each candidate trace.

    Args:
        settings: resolved settings (endpoints).
        trace_id: 1-32 hex characters or Tempo's base64 form.
        backend: ``tempo``, ``jaeger`` or ``zipkin``; default: the configured ones in turn.
        start: optional lower time hint (Tempo and Jaeger narrow their lookup with it).
        end: optional upper time hint.
        log: per-request debug logger.

    Raises:
        UsageError: a malformed trace ID; NotFound, BackendUnreachable, BackendError,
        ParseError as ``fetch_trace_from``.
    """
    fetched = await fetch_trace_from(
        settings, parse_trace_id(trace_id), backend=backend, start=start, end=end, log=log
    )
    return fetched.trace


def load_trace_file(
    path: str,
    *,
    stdin: Callable[[], BinaryIO],
    trace_id: str | None = None,
    keep_raw: bool = True,
) -> FetchedTrace:
    """Load a trace from a file or stdin (``-``), detecting its format.

    Raises:
        UsageError, ParseError: unreadable or not a trace (exit 2).
    """
    data = read_input(path, stdin=stdin, max_bytes=MAX_FILE_BYTES, what="trace files")
    source = display_name(path)
    trace, fmt = parse_trace_file(
        data,
        source=source,
        trace_id=parse_trace_id(trace_id) if trace_id else None,
        loads=orjson.loads,
    )
    if not trace.spans:
        raise NotFound(f"trace {parse_trace_id(trace_id or '')} is not in {source}")
    # The raw bytes are only needed for --raw; dropping them saves the file's size in memory.
    return FetchedTrace(trace=trace, raw=data if keep_raw else b"", source=source, api=fmt.value)


async def show_trace(
    settings: Settings,
    *,
    trace_id: str | None,
    file: str | None,
    stdin: Callable[[], BinaryIO],
    backend: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    adjust_skew: bool = False,
    view: TraceView | None = None,
    log: LogFn | None = None,
) -> TraceResult:
    """``obsctl trace``: load (file) or fetch (backend) a trace and analyse it.

    Raises:
        UsageError: neither or a malformed ID; plus what loading/fetching raises.
    """
    view = view or TraceView()
    if file is None and trace_id is None:
        raise UsageError(
            "give a TRACE_ID, or --file PATH (- for stdin)",
            hint="search for traces with `obsctl trace search --service NAME`",
        )
    with no_cyclic_gc(freeze=True):
        if file is not None:
            fetched = load_trace_file(file, stdin=stdin, trace_id=trace_id, keep_raw=view.raw)
        else:
            full_id = parse_trace_id(trace_id or "")
            kinds = backends_to_try(settings, backend)
            resolved = await resolve_stored_prefix(settings, kinds, trace_id or "")
            if resolved is not None:
                backend, full_id = resolved
            try:
                fetched = await fetch_trace_from(
                    settings, full_id, backend=backend, start=start, end=end, log=log
                )
            except NotFound as err:
                digits = _short_hex(trace_id or "")
                if digits is not None and all(KINDS[k].locator == "path" for k in kinds):
                    raise NotFound(
                        f"no trace in the local store has an ID starting with {digits}",
                        hint="`obsctl trace search --backend local` lists recent ones",
                    ) from None
                raise _padded_not_found(trace_id or "", full_id, err) from None
        if view.raw and file is None and not fetched.raw:
            raise UsageError(
                f"--raw shows a backend's response body; {fetched.source} has none",
                hint="-o json gives the whole trace",
            )
        analysis = analyze_trace(fetched.trace, adjust_skew=adjust_skew)
    if view.span is not None and not analysis.find(view.span):
        raise NotFound(
            f"span {view.span} is not in trace {fetched.trace.trace_id}",
            hint="span IDs are listed by `obsctl trace ID -o ndjson`",
        )
    links = (
        trace_links(link_targets(settings), source=fetched.source, trace=fetched.trace)
        if file is None
        else TraceLinks()
    )
    logs = await trace_logs(settings, fetched.trace) if file is None else ()
    result = TraceResult(fetched=fetched, analysis=analysis, links=links, view=view, logs=logs)
    keep_until_exit(result)  # freeing 100k spans only to exit is slow (see obsctl.lifetime)
    return result


async def trace_logs(
    settings: Settings, trace: Trace, *, min_severity: int = 0
) -> tuple[LogRecord, ...]:
    """The log records of ``trace`` from the log source (the local store), if there is one.

    A missing or unreadable store means no logs, never a failed command.
    """
    stores = local_stores(settings)
    if not stores:
        return ()
    from obsctl.backends.local import open_local
    from obsctl.errors import ObsctlError

    try:
        async with open_local(settings.endpoint(stores[0]).url) as local:
            return tuple(
                await local.logs(
                    LogQuery(trace_id=trace.trace_id, min_severity=min_severity, limit=10_000)
                )
            )
    except ObsctlError:
        return ()


@dataclass(frozen=True, slots=True)
class TraceShowRequest:
    """What ``obsctl trace [show]`` was asked, as typed.

    Attributes:
        trace_id: the ID argument (1-32 hex or base64), if given.
        file: ``--file`` (``-`` for stdin), if given.
        backend: ``--backend``.
        since: ``--since``: the lookup window ends at ``--end`` (or now) and spans this.
        start / end: ``--start``/``--end`` as typed (time hints for the lookup).
        adjust_skew: ``--adjust-skew``.
        depth / min_duration / service / span / full / raw: what to show.
    """

    trace_id: str | None = None
    file: str | None = None
    backend: str | None = None
    since: str | None = None
    start: str | None = None
    end: str | None = None
    adjust_skew: bool = False
    depth: int | None = None
    min_duration: str | None = None
    service: str | None = None
    span: str | None = None
    full: bool = False
    raw: bool = False


@dataclass(frozen=True, slots=True)
class TraceEnvironment:
    """What the trace workflows need from the invocation.

    Attributes:
        settings: the resolved settings, loaded on first use (a file needs none).
        now: the current time, for ``--start``/``--end``.
        stdin: what ``--file -`` reads.
        log: ``--debug`` request logger.
    """

    settings: Callable[[], Settings]
    now: datetime
    stdin: Callable[[], BinaryIO]
    log: LogFn | None = None


def _instant(text: str | None, option: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(text, now=now)
    except TimeSyntaxError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _duration(text: str, option: str) -> timedelta:
    try:
        return parse_duration(text)
    except TimeSyntaxError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _duration_ns(text: str | None, option: str) -> int:
    return int(_duration(text, option).total_seconds() * 1e9) if text else 0


async def run_trace_show(request: TraceShowRequest, env: TraceEnvironment) -> TraceResult:
    """``obsctl trace``: check and parse the request, then ``show_trace``.

    Raises:
        UsageError: ``--backend`` with ``--file``, a bad time or duration; plus what
        ``show_trace`` raises. ConfigError: a broken config file, unless reading a file.
    """
    if request.file is not None and request.backend is not None:
        raise UsageError("--backend and --file exclude each other")
    start = _instant(request.start, "--start", env.now)
    end = _instant(request.end, "--end", env.now)
    if request.since:
        if start is not None:
            raise UsageError("give either --since or --start, not both")
        start = (end or env.now) - _duration(request.since, "--since")
    view = TraceView(
        max_depth=request.depth,
        min_duration_ns=_duration_ns(request.min_duration, "--min-duration"),
        service=request.service,
        span=request.span,
        raw=request.raw,
        max_lines=None if request.full else 400,
    )
    if request.file is None:
        settings = env.settings()
    else:
        # Reading a file needs no backend, so a broken config file must not stop it.
        try:
            settings = env.settings()
        except ConfigError:
            settings = Settings(context=None, endpoints={}, config_path=None)
    return await show_trace(
        settings,
        trace_id=request.trace_id,
        file=request.file,
        stdin=env.stdin,
        backend=request.backend,
        start=start,
        end=end,
        adjust_skew=request.adjust_skew,
        view=view,
        log=env.log,
    )


def describe_search(kind: str, query: TraceSearch) -> str:
    """The search as the backend sees it, for the result header."""
    if kind in KINDS and KINDS[kind].traceql:
        from obsctl.backends.tempo import traceql_for

        return traceql_for(query)
    parts = []
    if query.service:
        parts.append(f"service={query.service}")
    if query.operation:
        parts.append(f"operation={query.operation}")
    parts += [f"{k}={v}" for k, v in query.tags]
    if query.min_duration_ns:
        parts.append(
            f"duration>={format_duration(timedelta(microseconds=query.min_duration_ns / 1000))}"
        )
    if query.max_duration_ns:
        parts.append(
            f"duration<={format_duration(timedelta(microseconds=query.max_duration_ns / 1000))}"
        )
    if query.errors:
        parts.append("status=error")
    return " ".join(parts) or "(all traces)"


async def search_traces(
    settings: Settings,
    query: TraceSearch,
    *,
    backend: str | None = None,
    log: LogFn | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> TraceSearchResult:
    """``obsctl trace search`` on ``backend`` or the first configured trace backend."""
    from obsctl.backends.registry import open_trace_backend

    kind = backends_to_try(settings, backend)[0]
    progress(f"searching {settings.endpoint(kind).display_name}…")
    async with open_trace_backend(kind, settings.endpoint(kind), log=log) as source:
        found = await source.search(query)
    return TraceSearchResult(
        backend=kind, query=describe_search(kind, query), traces=tuple(found), limit=query.limit
    )


__all__ = [
    "backends_to_try",
    "fetch_trace",
    "fetch_trace_from",
    "load_trace_file",
    "parse_trace_id",
    "run_trace_show",
    "search_traces",
    "show_trace",
]
