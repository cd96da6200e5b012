"""``trace``: fetch a trace (backend or file), analyse it, search traces.

Stable entry points (``correlate`` uses them): ``fetch_trace`` and, from
``obsctl.analysis.traces``, ``analyze_trace``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote

import orjson

from obsctl.analysis.traces import analyze_trace
from obsctl.config.schema import TRACE_KINDS, Settings
from obsctl.errors import BackendUnreachable, NotFound, UsageError
from obsctl.model.time import format_duration
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


def backends_to_try(settings: Settings, backend: str | None) -> list[str]:
    """``--backend`` alone when given, else the configured trace backends (all three local
    defaults when none is configured), in preference order."""
    if backend is not None:
        if backend not in TRACE_KINDS:
            raise UsageError(
                f"unknown trace backend {backend!r}: expected one of {', '.join(TRACE_KINDS)}"
            )
        return [backend]
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
    from obsctl.backends.http import make_client
    from obsctl.backends.registry import make_trace_backend

    kinds = backends_to_try(settings, backend)
    not_found: list[NotFound] = []
    unreachable: list[BackendUnreachable] = []
    for kind in kinds:
        endpoint = settings.endpoint(kind)
        try:
            async with make_client(endpoint, log=log) as client:
                return await make_trace_backend(kind, client, endpoint).fetch(
                    trace_id, start=start, end=end
                )
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
        hint="configure one with `obsctl config set-context NAME --tempo-url URL` "
        "(or --jaeger-url / --zipkin-url), or pass --tempo-url …",
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


def read_trace_input(path: str, stdin: Callable[[], BinaryIO]) -> bytes:
    """The bytes of a trace file, or of stdin for ``-``.

    Raises:
        UsageError: unreadable, a directory, or larger than ``MAX_FILE_BYTES``.
    """
    if path == "-":
        data = stdin().read(MAX_FILE_BYTES + 1)
    else:
        p = Path(path)
        try:
            if p.stat().st_size > MAX_FILE_BYTES:
                raise UsageError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB")
            data = p.read_bytes()
        except IsADirectoryError:
            raise UsageError(f"{path}: is a directory, expected a trace file") from None
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB")
    return data


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
    data = read_trace_input(path, stdin)
    source = "<stdin>" if path == "-" else path
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


def trace_links(settings: Settings, fetched: FetchedTrace) -> TraceLinks:
    """Links to the trace in Jaeger UI, Zipkin UI or Grafana Explore, when configured."""
    tid = fetched.trace.trace_id
    jaeger = settings.endpoints.get("jaeger")
    zipkin = settings.endpoints.get("zipkin")
    jaeger_ui = (
        f"{jaeger.url.rstrip('/')}/trace/{tid}"
        if jaeger is not None and jaeger.configured and fetched.source == "jaeger"
        else None
    )
    zipkin_ui = (
        f"{zipkin.url.rstrip('/')}/zipkin/traces/{tid}"
        if zipkin is not None and zipkin.configured and fetched.source == "zipkin"
        else None
    )
    grafana = None
    if settings.grafana_url and fetched.source in TRACE_KINDS:
        start_ms = fetched.trace.start_ns // 1_000_000 - 60_000
        end_ms = fetched.trace.end_ns // 1_000_000 + 60_000
        pane = {
            "trace": {
                "datasource": {"type": fetched.source},
                "queries": [
                    {
                        "refId": "A",
                        "datasource": {"type": fetched.source},
                        "queryType": "traceql" if fetched.source == "tempo" else "traceId",
                        "query": tid,
                    }
                ],
                "range": {"from": str(start_ms), "to": str(end_ms)},
            }
        }
        panes = quote(json.dumps(pane, separators=(",", ":")), safe="")
        grafana = f"{settings.grafana_url.rstrip('/')}/explore?schemaVersion=1&panes={panes}"
    return TraceLinks(jaeger_ui=jaeger_ui, grafana=grafana, zipkin_ui=zipkin_ui)


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
    with bulk_allocation():
        if file is not None:
            fetched = load_trace_file(file, stdin=stdin, trace_id=trace_id, keep_raw=view.raw)
        else:
            fetched = await fetch_trace_from(
                settings,
                parse_trace_id(trace_id or ""),
                backend=backend,
                start=start,
                end=end,
                log=log,
            )
        analysis = analyze_trace(fetched.trace, adjust_skew=adjust_skew)
    if view.span is not None and not analysis.find(view.span):
        raise NotFound(
            f"span {view.span} is not in trace {fetched.trace.trace_id}",
            hint="span IDs are listed by `obsctl trace ID -o ndjson`",
        )
    links = trace_links(settings, fetched) if file is None else TraceLinks()
    result = TraceResult(fetched=fetched, analysis=analysis, links=links, view=view)
    keep_until_exit(result)  # freeing 100k spans only to exit is slow (see obsctl.lifetime)
    return result


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic GC while a trace is decoded and analysed.

    Decoding a 100,000-span trace allocates millions of acyclic objects; with the collector
    running, its full passes over them tripled the time (3.1 s → 1.0 s for decode + parse at
    100k spans). Afterwards the survivors are frozen so later collections skip them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def describe_search(kind: str, query: TraceSearch) -> str:
    """The search as the backend sees it, for the result header."""
    if kind == "tempo":
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
    return " ".join(parts) or "(all traces)"


async def search_traces(
    settings: Settings,
    query: TraceSearch,
    *,
    backend: str | None = None,
    log: LogFn | None = None,
) -> TraceSearchResult:
    """``obsctl trace search`` on ``backend`` or the first configured trace backend."""
    from obsctl.backends.http import make_client
    from obsctl.backends.registry import make_trace_backend

    kind = backends_to_try(settings, backend)[0]
    endpoint = settings.endpoint(kind)
    async with make_client(endpoint, log=log) as client:
        found = await make_trace_backend(kind, client, endpoint).search(query)
    return TraceSearchResult(
        backend=kind, query=describe_search(kind, query), traces=tuple(found), limit=query.limit
    )


__all__ = [
    "backends_to_try",
    "fetch_trace",
    "fetch_trace_from",
    "load_trace_file",
    "parse_trace_id",
    "search_traces",
    "show_trace",
    "trace_links",
]
